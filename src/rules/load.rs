//! Loading rules: the built-in files embedded at build time, plus `--rules
//! DIR`. Every problem is reported with the file, the rule id and the field,
//! and loading goes on so that one run lists all of them.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde::Deserialize;

use super::compile::{Rule, compile};
use super::model::{DeadlineSpec, DeadlinesFile, RemediationsFile, RuleSpec};
use crate::diagnostic::{Code, Diagnostic, Position};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The file name that holds deadlines rather than a rule.
pub const DEADLINES_FILE: &str = "deadlines.yaml";
/// The file name that holds per-language remediation sets.
pub const REMEDIATIONS_FILE: &str = "remediations.yaml";
/// The directory (under a rules directory) that holds `jwt2oauth fix`'s
/// rewrite templates ([`crate::fix::catalog`]): not rules.
pub const FIXES_DIR: &str = "fixes";

/// Whether a rule-directory file is a fix template (under `fixes/`).
pub fn is_fix_file(name: &str) -> bool {
    name.replace('\\', "/")
        .split('/')
        .rev()
        .nth(1)
        .is_some_and(|dir| dir == FIXES_DIR)
}

/// Language name -> advice, for one remediation set.
pub type RemediationSet = BTreeMap<String, String>;

/// A problem with a rule or deadline file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    pub rule: Option<String>,
    pub field: Option<String>,
    pub message: String,
    pub code: Code,
    /// The offending line, when the file's text locates it.
    pub position: Option<Box<Position>>,
}

impl RuleError {
    /// The error as a diagnostic: code, rule and field, the line with a caret.
    pub fn diagnostic(&self) -> Diagnostic<'_> {
        let subject = match (&self.rule, &self.field) {
            (Some(r), Some(f)) => Some(format!("rule `{r}`: field `{f}`")),
            (Some(r), None) => Some(format!("rule `{r}`")),
            (None, Some(f)) => Some(format!("field `{f}`")),
            (None, None) => None,
        };
        Diagnostic {
            code: self.code,
            file: self.file.clone(),
            subject,
            message: &self.message,
            position: self.position.as_deref(),
        }
    }
}

/// Shown redacted: a parser's message may quote a value from the file (an
/// unknown variant, an unknown key, a regex), and a rule file may hold a
/// secret-looking literal.
impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.file.clone();
        if let Some(rule) = &self.rule {
            s.push_str(&format!(": rule `{rule}`"));
        }
        if let Some(field) = &self.field {
            s.push_str(&format!(": field `{field}`"));
        }
        s.push_str(&format!(": {}", self.message));
        f.write_str(&crate::redact::redact_message(&s))
    }
}

/// The rules and deadlines in force for a run.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// Sorted by id.
    pub rules: Vec<Rule>,
    pub deadlines: BTreeMap<String, DeadlineSpec>,
    pub remediations: BTreeMap<String, RemediationSet>,
}

impl RuleSet {
    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.spec.id == id)
    }
}

/// A rule file's contents and the name to report it by.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub contents: String,
}

/// The built-in rule files.
pub fn builtin_files() -> Vec<SourceFile> {
    BUILTIN_FILES
        .iter()
        .map(|(name, contents)| SourceFile {
            name: (*name).to_string(),
            contents: (*contents).to_string(),
        })
        .collect()
}

/// Reads the rule files (`*.yaml`, `*.yml`) under `path` (a directory,
/// searched recursively in sorted order, or a single file).
pub fn read_dir_files(path: &Path) -> Result<Vec<SourceFile>, RuleError> {
    let io_err = |p: &Path, e: std::io::Error| RuleError {
        file: p.display().to_string(),
        rule: None,
        field: None,
        message: format!("cannot read: {e}"),
        code: Code::RuleUnreadable,
        position: None,
    };
    let mut paths = Vec::new();
    if path.is_file() {
        paths.push(path.to_path_buf());
    } else {
        collect_yaml(path, &mut paths).map_err(|e| io_err(path, e))?;
        paths.sort();
    }
    paths
        .into_iter()
        .map(|p| {
            let contents = std::fs::read_to_string(&p).map_err(|e| io_err(&p, e))?;
            Ok(SourceFile {
                name: p.display().to_string(),
                contents,
            })
        })
        .collect()
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            collect_yaml(&p, out)?;
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            out.push(p);
        }
    }
    Ok(())
}

/// Loads built-in rules (unless `no_builtin`) and then each directory's,
/// which override built-ins of the same id.
pub fn load(dirs: &[PathBuf], no_builtin: bool) -> Result<RuleSet, Vec<RuleError>> {
    let mut layers = Vec::new();
    if !no_builtin {
        layers.push(builtin_files());
    }
    let mut errors = Vec::new();
    for d in dirs {
        match read_dir_files(d) {
            Ok(files) => layers.push(files),
            Err(e) => errors.push(e),
        }
    }
    let set = load_layers(layers, &mut errors);
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(errors)
    }
}

/// Loads layers of files in order: within a layer ids must be unique; a later
/// layer's rule replaces an earlier one's of the same id. Deadline references
/// are checked against the union of all deadline files.
pub fn load_layers(layers: Vec<Vec<SourceFile>>, errors: &mut Vec<RuleError>) -> RuleSet {
    let mut by_id: BTreeMap<String, Rule> = BTreeMap::new();
    let mut deadlines = BTreeMap::new();
    let mut remediations: BTreeMap<String, RemediationSet> = BTreeMap::new();
    // The file each remediation set came from, for its errors.
    let mut remediation_origin: BTreeMap<String, String> = BTreeMap::new();
    // Each file's text, to point errors found after parsing at their line.
    let mut texts: HashMap<String, String> = HashMap::new();
    for layer in layers {
        let mut seen: HashMap<String, String> = HashMap::new();
        for file in layer {
            if is_fix_file(&file.name) {
                continue;
            }
            texts.insert(file.name.clone(), file.contents.clone());
            if file_name(&file.name) == REMEDIATIONS_FILE {
                match serde_saphyr::from_str::<RemediationsFile>(&file.contents) {
                    Ok(r) => {
                        for set in r.remediations.keys() {
                            remediation_origin.insert(set.clone(), file.name.clone());
                        }
                        remediations.extend(r.remediations);
                    }
                    Err(e) => errors.push(yaml_error(&file, None, &e)),
                }
                continue;
            }
            if file_name(&file.name) == DEADLINES_FILE {
                match parse_deadlines(&file) {
                    Ok(d) => deadlines.extend(d),
                    Err(e) => errors.push(e),
                }
                continue;
            }
            let Some(rule) = parse_rule(&file, errors) else {
                continue;
            };
            if let Some(first) = seen.insert(rule.spec.id.clone(), file.name.clone()) {
                errors.push(RuleError {
                    file: file.name.clone(),
                    rule: Some(rule.spec.id.clone()),
                    field: Some("id".into()),
                    message: format!("duplicate id: already defined in {first}"),
                    code: Code::RuleDuplicateId,
                    position: field_position(&file.contents, "id"),
                });
                continue;
            }
            by_id.insert(rule.spec.id.clone(), rule);
        }
    }
    for rule in by_id.values() {
        if let Some(d) = &rule.spec.deadline
            && !deadlines.contains_key(d)
        {
            errors.push(RuleError {
                file: rule.origin.clone(),
                rule: Some(rule.spec.id.clone()),
                field: Some("deadline".into()),
                message: format!(
                    "unknown deadline {d:?} (known: {})",
                    deadlines.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
                code: Code::RuleUnknownDeadline,
                position: texts
                    .get(&rule.origin)
                    .and_then(|t| field_position(t, "deadline")),
            });
        }
    }
    // A `calls_of` entry that is not a category names a rule: a typo of
    // either would seed nothing, silently.
    for rule in by_id.values() {
        for seed in rule.spec.matcher.calls_of.iter().flatten() {
            if let crate::rules::model::Seed::Rule(id) = seed
                && !by_id.contains_key(id)
            {
                errors.push(RuleError {
                    file: rule.origin.clone(),
                    rule: Some(rule.spec.id.clone()),
                    field: Some("match.calls_of".into()),
                    message: format!("{id:?} is neither a category nor the id of a loaded rule"),
                    code: Code::RuleFieldInvalid,
                    position: texts
                        .get(&rule.origin)
                        .and_then(|t| field_position(t, "match.calls_of")),
                });
            }
        }
    }
    for rule in by_id.values() {
        if let Some(set) = &rule.spec.language_remediation
            && !remediations.contains_key(set)
        {
            errors.push(RuleError {
                file: rule.origin.clone(),
                rule: Some(rule.spec.id.clone()),
                field: Some("language_remediation".into()),
                message: format!("unknown remediation set {set:?} (see {REMEDIATIONS_FILE})"),
                code: Code::RuleUnknownRemediation,
                position: texts
                    .get(&rule.origin)
                    .and_then(|t| field_position(t, "language_remediation")),
            });
        }
    }
    for (set, langs) in &remediations {
        for lang in langs.keys() {
            if crate::scan::classify::language_globs(lang).is_none() {
                let file = remediation_origin
                    .get(set)
                    .cloned()
                    .unwrap_or_else(|| REMEDIATIONS_FILE.into());
                let field = format!("remediations.{set}.{lang}");
                let position = texts.get(&file).and_then(|t| field_position(t, &field));
                errors.push(RuleError {
                    file,
                    rule: None,
                    field: Some(field),
                    message: format!("unknown language {lang:?}"),
                    code: Code::RemediationUnknownLanguage,
                    position,
                });
            }
        }
    }
    RuleSet {
        rules: by_id.into_values().collect(),
        deadlines,
        remediations,
    }
}

fn file_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Parses and compiles one rule file, pushing its problems to `errors`.
pub fn parse_rule(file: &SourceFile, errors: &mut Vec<RuleError>) -> Option<Rule> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: Option<String>,
    }
    // A lenient first parse, so that errors can name the rule.
    let id = serde_saphyr::from_str::<IdOnly>(&file.contents)
        .ok()
        .and_then(|x| x.id);
    let spec: RuleSpec = match serde_saphyr::from_str(&file.contents) {
        Ok(s) => s,
        Err(e) => {
            errors.push(yaml_error(file, id, &e));
            return None;
        }
    };
    let stem = file_name(&file.name)
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml");
    if stem != spec.id {
        errors.push(RuleError {
            file: file.name.clone(),
            rule: Some(spec.id.clone()),
            field: Some("id".into()),
            message: format!("must equal the file name ({stem:?})"),
            code: Code::RuleIdMismatch,
            position: field_position(&file.contents, "id"),
        });
    }
    let rule_id = spec.id.clone();
    match compile(spec, &file.name) {
        Ok(rule) => Some(rule),
        Err(field_errors) => {
            errors.extend(field_errors.into_iter().map(|fe| RuleError {
                file: file.name.clone(),
                rule: Some(rule_id.clone()),
                position: field_position(&file.contents, &fe.field),
                field: Some(fe.field),
                message: fe.message,
                code: fe.code,
            }));
            None
        }
    }
}

fn parse_deadlines(file: &SourceFile) -> Result<BTreeMap<String, DeadlineSpec>, RuleError> {
    serde_saphyr::from_str::<DeadlinesFile>(&file.contents)
        .map(|d| d.deadlines)
        .map_err(|e| yaml_error(file, None, &e))
}

/// A YAML (parse or shape) error, with the line and column the parser gives
/// but not its source snippet: the snippet quotes lines of the file, which
/// may hold secrets, and spreads one error over many lines.
fn yaml_error(file: &SourceFile, rule: Option<String>, e: &serde_saphyr::Error) -> RuleError {
    let message = first_line(&e.without_snippet().to_string());
    let position = e.location().and_then(|l| {
        let line = usize::try_from(l.line()).ok()?;
        let column = usize::try_from(l.column()).ok()?;
        Position::at_line(&file.contents, line, column).map(Box::new)
    });
    RuleError {
        file: file.name.clone(),
        rule,
        field: field_from_serde(&message),
        code: Code::of_parser_message(&message, Code::RuleUnknownKey, Code::RuleSyntax),
        message,
        position,
    }
}

/// Where a field (`match.all[1].regex`, `remediations.set.lang`) sits in a
/// rule file: its key's line, or its nearest parent's that the file has.
fn field_position(contents: &str, field: &str) -> Option<Box<Position>> {
    use crate::engine::structured::{Format, flatten};
    let want: Vec<String> = field
        .replace('[', ".")
        .replace(']', "")
        .split('.')
        .map(str::to_string)
        .collect();
    let entries = flatten(Format::Yaml, contents).ok()?;
    (1..=want.len()).rev().find_map(|n| {
        entries
            .iter()
            .find(|e| e.path[..] == want[..n])
            .map(|e| Box::new(Position::at_offset(contents, e.start)))
    })
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Pulls the field name out of serde's "unknown field `x`" / "missing field
/// `x`" messages.
fn field_from_serde(message: &str) -> Option<String> {
    static FIELD: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?:unknown|missing|duplicate) field `([^`]+)`").expect("static regex")
    });
    FIELD.captures(message).map(|c| c[1].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unknown language in a remediations file names that file as
    /// given, directory included (found by tests/it/fuzz.rs: it said
    /// `remediations.yaml` for `rules/remediations.yaml`).
    #[test]
    fn remediation_errors_name_their_file() {
        let mut layer: Vec<SourceFile> = builtin_files()
            .into_iter()
            .filter(|f| file_name(&f.name) == DEADLINES_FILE)
            .collect();
        layer.push(SourceFile {
            name: "team/rules/remediations.yaml".into(),
            contents: "remediations:\n  oauth-token-request:\n    klingon: |\n      x\n".into(),
        });
        let mut errors = Vec::new();
        load_layers(vec![layer], &mut errors);
        let e = errors
            .iter()
            .find(|e| e.message.contains("unknown language"))
            .expect("an error for the unknown language");
        assert_eq!(e.file, "team/rules/remediations.yaml");
        assert_eq!(
            e.field.as_deref(),
            Some("remediations.oauth-token-request.klingon")
        );
    }

    /// A `calls_of` entry that is neither a category nor a loaded rule's id
    /// is an error naming the field, not a seed that never matches.
    #[test]
    fn calls_of_names_a_category_or_a_loaded_rule() {
        let base: Vec<SourceFile> = builtin_files()
            .into_iter()
            .filter(|f| {
                file_name(&f.name) == DEADLINES_FILE
                    || f.name.ends_with("pdf-services-service-account.yaml")
            })
            .collect();
        let wrapper = builtin_files()
            .into_iter()
            .find(|f| f.name.ends_with("jwt-wrapper-call.yaml"))
            .expect("built-in jwt-wrapper-call");
        let line = wrapper
            .contents
            .lines()
            .find(|l| l.trim_start().starts_with("calls_of:"))
            .expect("its calls_of")
            .to_string();
        let rule = |seeds: &str| SourceFile {
            name: "team/rules/jwt-wrapper-call.yaml".into(),
            contents: wrapper
                .contents
                .replace(&line, &format!("  calls_of: [{seeds}]")),
        };
        for (seeds, bad) in [
            ("jwt-exchange, pdf-services-service-account", false),
            ("jwt-exchange, pdf-service-account", true),
        ] {
            let mut layer = base.clone();
            layer.push(rule(seeds));
            let mut errors = Vec::new();
            let set = load_layers(vec![layer], &mut errors);
            let seed_errors: Vec<_> = errors
                .iter()
                .filter(|e| e.field.as_deref() == Some("match.calls_of"))
                .collect();
            assert_eq!(!seed_errors.is_empty(), bad, "{seeds}: {errors:?}");
            if bad {
                assert!(seed_errors[0].message.contains("pdf-service-account"));
                assert_eq!(seed_errors[0].file, "team/rules/jwt-wrapper-call.yaml");
            } else {
                assert!(errors.is_empty(), "{errors:?}");
                assert!(set.rules.iter().any(|r| r.spec.id == "jwt-wrapper-call"));
            }
        }
    }
}
