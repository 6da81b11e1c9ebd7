//! `jwt2oauth rules list|explain|lint|test`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::civil::Date;

use super::Outcome;
use crate::cli::{RuleSource, RulesCommand};
use crate::engine::Engine;
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

/// One failed example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    pub rule: String,
    pub which: String,
    pub problem: String,
}

/// Runs a `calls_of` rule's example: the other file with every per-file
/// rule, then the cross-file pass over the example with what it taught.
fn cross_file_example(
    set: &RuleSet,
    rule: &crate::rules::Rule,
    today: Date,
    other: &crate::rules::model::OtherFile,
    path: &str,
    code: &str,
) -> crate::engine::FileScan {
    let mut rules: Vec<_> = set
        .rules
        .iter()
        .filter(|r| r.spec.matcher.calls_of.is_none())
        .cloned()
        .collect();
    rules.push(rule.clone());
    let all = RuleSet {
        rules,
        deadlines: set.deadlines.clone(),
        remediations: set.remediations.clone(),
    };
    let engine = Engine::new(&all, today, 90);
    let first = engine.scan(
        &other.path,
        other.code.as_bytes(),
        &|_| false,
        true,
        &mut Vec::new(),
    );
    let found: Vec<&crate::finding::Finding> = first.findings.iter().map(|d| &d.finding).collect();
    let defs = engine.learn(&other.path, other.code.as_bytes(), &found);
    let mut scan = match crate::engine::wrappers::Callers::new(&defs) {
        Some(callers) => engine.calls(path, code.as_bytes(), &callers),
        None => crate::engine::FileScan::default(),
    };
    // Star imports of the other file, resolved by path as the scan does.
    use crate::engine::wrappers;
    let module = defs.iter().find(|d| d.module);
    if let (Some(m), Some(family)) = (module, wrappers::Family::of(path)) {
        let dir = std::path::Path::new(path)
            .parent()
            .unwrap_or(std::path::Path::new(""));
        let sites: Vec<_> = wrappers::star_imports(family, code.as_bytes())
            .into_iter()
            .filter(|(spec, _, _)| {
                wrappers::module_files(family, dir, &[], spec)
                    .iter()
                    .any(|c| c == std::path::Path::new(&other.path))
            })
            .map(|(spec, s, e)| {
                let mut d = m.clone();
                d.name = spec;
                (d, vec![(s, e)])
            })
            .collect();
        let more = engine.call_findings(path, code.as_bytes(), &sites);
        scan.findings.extend(more.findings);
        scan.suppressed.extend(more.suppressed);
    }
    scan
}

/// Runs every rule's examples through the real engine (prefilter included,
/// so an example that no keyword covers fails too).
pub fn run_examples(set: &RuleSet) -> (usize, Vec<ExampleFailure>) {
    let today: Date = Date::constant(2026, 1, 1);
    let mut failures = Vec::new();
    let mut count = 0;
    for rule in &set.rules {
        // A rule that needs other evidence in the file runs with the rules
        // that provide it; only its own findings count.
        let mut rules = vec![rule.clone()];
        if !rule.spec.needs.in_file.is_empty() {
            rules.extend(
                set.rules
                    .iter()
                    .filter(|r| r.spec.needs.in_file.is_empty())
                    .cloned(),
            );
        }
        let single = RuleSet {
            rules,
            deadlines: set.deadlines.clone(),
            remediations: set.remediations.clone(),
        };
        let engine = Engine::new(&single, today, 90);
        let mut scratch = Vec::new();
        let groups = [
            (true, &rule.spec.examples.matches),
            (false, &rule.spec.examples.no_match),
        ];
        for (must_match, examples) in groups {
            for (i, ex) in examples.iter().enumerate() {
                count += 1;
                let path = ex.path.as_deref().unwrap_or("example.txt");
                let siblings = |n: &str| ex.siblings.iter().any(|s| s == n);
                let res = match &ex.defined_in {
                    Some(other) => cross_file_example(set, rule, today, other, path, &ex.code),
                    None => engine.scan(path, ex.code.as_bytes(), &siblings, true, &mut scratch),
                };
                let own = |f: &crate::finding::Finding| f.rule_id == rule.spec.id;
                let n = res.findings.iter().filter(|d| own(&d.finding)).count()
                    + res.suppressed.iter().filter(|s| own(&s.finding)).count();
                let which = format!(
                    "examples.{}[{i}] ({path})",
                    if must_match { "match" } else { "no_match" }
                );
                if must_match && n == 0 {
                    failures.push(ExampleFailure {
                        rule: rule.spec.id.clone(),
                        which,
                        problem: "did not match".into(),
                    });
                } else if !must_match && n > 0 {
                    let lines: Vec<String> = res
                        .findings
                        .iter()
                        .filter(|d| own(&d.finding))
                        .map(|d| d.finding.location.line.to_string())
                        .collect();
                    failures.push(ExampleFailure {
                        rule: rule.spec.id.clone(),
                        which,
                        problem: format!("matched (line {})", lines.join(", ")),
                    });
                }
            }
        }
    }
    (count, failures)
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
