//! `jwt2oauth rules list|explain|lint|test`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Outcome;
use crate::cli::{RuleSource, RulesCommand};
use crate::rules::examples::run_examples;
use crate::rules::explain::explain;
use crate::rules::load::{SourceFile, builtin_files, load_layers, read_dir_files};
use crate::rules::{RuleError, RuleSet, load};

/// Loads the rules for a command, printing every rule error to stderr.
/// `Err` carries the outcome to exit with (2).
pub fn load_rules(source: &RuleSource) -> Result<RuleSet, Outcome> {
    load(&source.rules_dirs, source.no_builtin_rules).map_err(|errors| {
        print_errors(&errors);
        Outcome::UsageError
    })
}

pub(super) fn print_errors(errors: &[RuleError]) {
    use std::io::Write as _;
    let mut stderr = anstream::stderr().lock();
    for e in errors {
        // Best effort: stderr is where an error goes, and it failed too.
        let _ = stderr.write_all(e.diagnostic().render().as_bytes());
    }
    eprintln!(
        "jwt2oauth: {} rule error{}; fix them or run `jwt2oauth rules lint DIR`",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
}

/// Runs a rules subcommand.
pub fn run(cmd: RulesCommand) -> anyhow::Result<Outcome> {
    match cmd {
        RulesCommand::List { rule_source, json } => {
            let set = match load_rules(&rule_source) {
                Ok(s) => s,
                Err(o) => return Ok(o),
            };
            list(&set, json)?;
            Ok(Outcome::Clean)
        }
        RulesCommand::Explain { id, rule_source } => {
            let set = match load_rules(&rule_source) {
                Ok(s) => s,
                Err(o) => return Ok(o),
            };
            match set.get(&id) {
                Some(_) => {
                    super::write_stdout(explain(&set, &id).as_bytes())?;
                    Ok(Outcome::Clean)
                }
                None => {
                    eprintln!("jwt2oauth: no rule {id:?}; `jwt2oauth rules list` shows them");
                    Ok(Outcome::UsageError)
                }
            }
        }
        RulesCommand::Lint { paths } => lint(&paths),
        RulesCommand::Test { paths } => test(&paths),
    }
}

fn list(set: &RuleSet, json: bool) -> anyhow::Result<()> {
    if json {
        let rows: Vec<BTreeMap<&str, String>> = set
            .rules
            .iter()
            .map(|r| {
                BTreeMap::from([
                    ("id", r.spec.id.clone()),
                    ("category", r.spec.category.to_string()),
                    ("severity", r.spec.severity.to_string()),
                    ("confidence", r.spec.confidence.as_str().to_string()),
                    ("deadline", r.spec.deadline.clone().unwrap_or_default()),
                    ("title", r.spec.title.clone()),
                    ("origin", r.origin.clone()),
                ])
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    let w = set.rules.iter().map(|r| r.spec.id.len()).max().unwrap_or(2);
    outln!("{:w$}  {:21}  {:8}  TITLE", "ID", "CATEGORY", "SEVERITY");
    for r in &set.rules {
        outln!(
            "{:w$}  {:21}  {:8}  {}",
            r.spec.id,
            r.spec.category,
            r.spec.severity,
            r.spec.title
        );
    }
    Ok(())
}

/// Loads the rule files at `paths` (or the built-ins) strictly, with the
/// built-in deadlines available for reference.
fn load_for_check(paths: &[PathBuf]) -> (RuleSet, Vec<RuleError>) {
    let mut errors = Vec::new();
    let builtin_deadlines: Vec<SourceFile> = builtin_files()
        .into_iter()
        .filter(|f| {
            f.name.ends_with(crate::rules::load::DEADLINES_FILE)
                || f.name.ends_with(crate::rules::load::REMEDIATIONS_FILE)
        })
        .collect();
    let mut layer = Vec::new();
    if paths.is_empty() {
        layer = builtin_files()
            .into_iter()
            .filter(|f| {
                !f.name.ends_with(crate::rules::load::DEADLINES_FILE)
                    && !f.name.ends_with(crate::rules::load::REMEDIATIONS_FILE)
            })
            .collect();
    }
    for p in paths {
        match read_dir_files(p) {
            Ok(files) => layer.extend(files),
            Err(e) => errors.push(e),
        }
    }
    let set = load_layers(vec![builtin_deadlines, layer], &mut errors);
    (set, errors)
}

fn lint(paths: &[PathBuf]) -> anyhow::Result<Outcome> {
    let (set, errors) = load_for_check(paths);
    if !errors.is_empty() {
        print_errors(&errors);
        return Ok(Outcome::UsageError);
    }
    // Warnings, not errors: the rules load and run; the examples just do
    // not prove every keyword.
    let warnings = lint_problems(&set);
    for w in &warnings {
        outln!("warning: {w}");
    }
    match warnings.len() {
        0 => outln!("{} rules OK", set.rules.len()),
        n => outln!(
            "{} rules OK, {n} warning{}",
            set.rules.len(),
            if n == 1 { "" } else { "s" }
        ),
    }
    Ok(Outcome::Clean)
}

/// What a rule file can get wrong without being invalid: a keyword that
/// none of the rule's `match` examples holds (the prefilter's keyword is
/// then never shown to find what the rule matches; a typo in it would skip
/// every file), and a regex that the `regex` crate cannot keep on its DFA
/// (a Unicode word boundary: on real files, with a non-ASCII byte
/// somewhere, the search runs on the PikeVM, ten to a hundred times slower).
pub fn lint_problems(set: &RuleSet) -> Vec<String> {
    let mut out = Vec::new();
    for rule in &set.rules {
        let mut res = Vec::new();
        crate::rules::compile::regexes(&rule.root, "match", &mut res);
        for (field, re) in res {
            if let Some(what) = crate::rules::compile::dfa_blocker(re.as_str()) {
                out.push(format!(
                    "{}: {field} has {what}: on a file with any non-ASCII byte the regex crate \
                     leaves its DFA for the PikeVM (10-100x slower); write `(?-u:\\b)` for an \
                     ASCII word boundary, or drop it",
                    rule.spec.id
                ));
            }
        }
        let examples: Vec<String> = rule
            .spec
            .examples
            .matches
            .iter()
            .map(|e| e.code.to_lowercase())
            .collect();
        for k in &rule.spec.keywords {
            let lower = k.to_lowercase();
            if !examples.iter().any(|e| e.contains(&lower)) {
                out.push(format!(
                    "{}: keyword `{k}` appears in none of its examples.match: add an example holding it, or drop it",
                    rule.spec.id
                ));
            }
        }
    }
    out
}

fn test(paths: &[PathBuf]) -> anyhow::Result<Outcome> {
    let (set, errors) = load_for_check(paths);
    if !errors.is_empty() {
        print_errors(&errors);
        return Ok(Outcome::UsageError);
    }
    let (count, failures) = run_examples(&set);
    for f in &failures {
        outln!("FAIL {}: {}: {}", f.rule, f.which, f.problem);
    }
    outln!(
        "{} rules, {} examples: {} passed, {} failed",
        set.rules.len(),
        count,
        count - failures.len(),
        failures.len()
    );
    Ok(if failures.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
