//! The rule file format, as written in `rules/*.yaml`. Every struct denies
//! unknown keys, so a misspelt key is an error rather than a silently ignored
//! option.

use jiff::civil::Date;
use serde::Deserialize;

use crate::finding::{Category, Confidence, Severity};

/// One rule file: one rule, its docs and its examples.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Unique id; equals the file name without `.yaml`.
    pub id: String,
    /// One line, shown in listings and as SARIF shortDescription.
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub confidence: Confidence,
    /// Id of an entry in `rules/deadlines.yaml`; `null` only for `oauth-s2s`.
    pub deadline: Option<String>,
    /// Which files the rule applies to.
    pub files: FilesSpec,
    /// Literal strings (case-insensitive) of which a file must contain at
    /// least one for the rule to run on it: the prefilter. Required, but
    /// for a `calls_of` rule, which has none.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// What to look for.
    #[serde(rename = "match")]
    pub matcher: MatcherSpec,
    /// A match within this many lines after the last reported match of the
    /// same rule in the same file folds into it (one finding per config
    /// block instead of one per line). Default 0: one finding per line.
    #[serde(default)]
    pub cluster_lines: u32,
    /// Reported only when correlation links the file to another file's
    /// Adobe JWT finding (for key material that is not Adobe's by itself).
    #[serde(default)]
    pub requires_link: bool,
    /// Reported only beside other Adobe JWT evidence (for generic code such
    /// as a `jwt.encode` call or a key read, which is Adobe's only there).
    #[serde(default)]
    pub needs: NeedsSpec,
    /// A set in `rules/remediations.yaml` whose entry for the file's language
    /// is appended to the remediation (the concrete replacement code).
    #[serde(default)]
    pub language_remediation: Option<String>,
    /// Where this rule fires, its remediation replaces the other findings'
    /// in the same file (AEM service credentials migrate differently).
    #[serde(default)]
    pub file_remediation: bool,
    /// This rule's category, severity and deadline replace the others' in
    /// its file: in an AEM service credential's file the exchange and claims
    /// are AEM's flow, which is not deprecated.
    #[serde(default)]
    pub file_category: bool,
    /// Shown with every finding.
    pub message: String,
    /// How to fix it: the OAuth Server-to-Server replacement.
    pub remediation: String,
    /// URLs backing the rule.
    pub references: Vec<String>,
    pub docs: DocsSpec,
    pub examples: ExamplesSpec,
}

/// File selection. Globs match the path relative to the scanned root, with
/// `/` separators; `*` crosses directories.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesSpec {
    /// Globs or language names (see `jwt2oauth rules explain`); empty: all.
    #[serde(default)]
    pub include: Vec<String>,
    /// Language names, each standing for its file extensions.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Globs of files never to match.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// A matcher node: exactly one of `regex`, `any`, `all`, `sibling_file`,
/// optionally with `not` (exclusions) and `within` (distance to the parent's
/// match, for children of `all` and `not`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatcherSpec {
    /// A regular expression (Rust `regex` syntax) over the file's bytes. If it
    /// has a group named `hit`, the finding points at that group.
    pub regex: Option<String>,
    /// Matches where any child matches.
    pub any: Option<Vec<MatcherSpec>>,
    /// Matches where the first child matches and every other child matches
    /// too (within `within` lines of it, when the child says so).
    pub all: Option<Vec<MatcherSpec>>,
    /// True when a file of this name exists in the same directory.
    pub sibling_file: Option<String>,
    /// A key path in a structured config file (JSON, YAML, TOML, .env,
    /// .properties/.ini): `.`-separated segments, each a case-insensitive
    /// glob, `**` for any depth, `a|b` alternatives. The finding points at
    /// the key.
    pub key: Option<String>,
    /// With `key`: the key's scalar value must match this regex.
    pub value: Option<String>,
    /// The cross-file pass (engine/wrappers.rs): calls, imports and
    /// re-exports, in other files of the same language family, of the
    /// functions and classes that enclose findings of these categories, or
    /// of these rules (a rule id: `pdf-services-service-account`, whose
    /// SDK builder call is the exchange while its config key is not; a
    /// rule's findings teach only the functions whose names say they hand
    /// out credentials or tokens, `getCredentials`, not `extractPDF`).
    /// Only as the root matcher; such a rule needs no keywords.
    pub calls_of: Option<Vec<Seed>>,
    /// Drops a match when any of these matches (within their `within`).
    pub not: Option<Vec<MatcherSpec>>,
    /// As a child of `all` or `not`: at most this many lines away from the
    /// match it qualifies. Absent: anywhere in the file.
    pub within: Option<u32>,
}

/// What seeds the cross-file pass: the findings of a category, or of one
/// rule (by id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(untagged)]
pub enum Seed {
    Category(Category),
    Rule(String),
}

impl Seed {
    /// Whether a finding of `rule_id` and `category` seeds the pass.
    pub fn seeds(&self, rule_id: &str, category: Category) -> bool {
        match self {
            Seed::Category(c) => *c == category,
            Seed::Rule(id) => id == rule_id,
        }
    }
}

/// The rule's documentation, in fixed sections.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocsSpec {
    /// What the rule finds.
    pub what: String,
    /// Why it matters.
    pub why: String,
    /// A typical flagged snippet.
    pub example: Option<String>,
    /// The replacement to use instead.
    pub use_instead: Option<String>,
}

/// Where a rule's findings need other evidence: findings of one of these
/// categories, from rules without `needs`, in the same file (`in_file`) or
/// in a file under the finding's directory or its project root, the
/// nearest directory with a manifest or `.git` (`in_project`: a manifest's
/// project, a helper file's).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedsSpec {
    #[serde(default)]
    pub in_file: Vec<Category>,
    #[serde(default)]
    pub in_project: Vec<Category>,
}

impl NeedsSpec {
    pub fn is_empty(&self) -> bool {
        self.in_file.is_empty() && self.in_project.is_empty()
    }
}

/// Examples the rule must and must not match (run by `rules test`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamplesSpec {
    #[serde(rename = "match")]
    pub matches: Vec<ExampleSpec>,
    pub no_match: Vec<ExampleSpec>,
}

/// One example file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleSpec {
    /// The file's path (for the rule's file filter); default `example.txt`.
    pub path: Option<String>,
    pub code: String,
    /// Names of files that exist beside it (for `sibling_file`).
    #[serde(default)]
    pub siblings: Vec<String>,
    /// For a `calls_of` rule: the other file, scanned first, whose JWT
    /// findings define the names this example calls.
    pub defined_in: Option<OtherFile>,
}

/// A second example file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherFile {
    pub path: String,
    pub code: String,
}

/// `rules/deadlines.yaml`: every date the rules refer to, with its source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlinesFile {
    pub deadlines: std::collections::BTreeMap<String, DeadlineSpec>,
}

/// One deadline.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineSpec {
    pub date: Date,
    pub title: String,
    /// Where the date is announced (a URL).
    pub source: String,
    /// When someone last checked the source.
    pub checked: Date,
    #[serde(default)]
    pub notes: Option<String>,
    /// Earlier announced dates for the same event, oldest first.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

/// `rules/remediations.yaml`: per-language replacement advice, by set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemediationsFile {
    pub remediations:
        std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
}

/// A superseded date.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    pub date: Date,
    pub note: String,
}
