//! The project config file `jwt2oauth.toml` (at the scanned root, or
//! `--config FILE`): which paths to scan, rules to disable, severity
//! overrides, extra deadlines, the gate's `fail_on`, the baseline path and
//! ignores that carry a reason.
//!
//! Values keep their spans, so every error points at its line: unknown keys
//! (serde's `deny_unknown_fields`), bad values, unknown rule or deadline ids.
//!
//! ```toml
//! fail_on = "high"
//! baseline = "jwt2oauth-baseline.json"
//!
//! [paths]
//! exclude = ["legacy/**"]
//!
//! [rules]
//! disable = ["adobe-metascope-name"]
//! severity = { jwt-token-form-field = "medium" }
//! deadline = { adobe-jwt-private-key-pair = "our-certificate" }
//!
//! [deadlines.our-certificate]
//! date = 2026-01-15
//! title = "Our JWT certificate expires"
//!
//! [[ignore]]
//! rule = "jwt-exchange-endpoint"
//! path = "tools/legacy/**"
//! reason = "tool retired in PLAT-1234"
//! until = 2027-01-31
//! ```

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use jiff::civil::Date;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Code, Diagnostic, Position};
use crate::finding::{Finding, Severity};
use crate::rules::RuleSet;
use crate::rules::model::DeadlineSpec;
use crate::suppress::{Ignore, SuppressionKind};

/// The file looked for at the scanned root.
pub const FILE_NAME: &str = "jwt2oauth.toml";

/// A config problem, naming the file and line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `reason` is a string, not a `#[source]`: `{:#}` printed the I/O
    /// error twice (once in this message, once as its cause).
    #[error("cannot read config {path}: {reason}")]
    Read {
        path: PathBuf,
        reason: String,
        kind: std::io::ErrorKind,
    },
    /// Shown as `path:line:column: message` in a report's `errors`; on
    /// stderr through [`ConfigError::diagnostic`] (code, field, caret).
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
        code: Code,
        /// The key the value belongs to (`fail_on`, `rules.disable`), when known.
        field: Option<&'static str>,
        position: Box<Position>,
    },
}

impl ConfigError {
    /// The error as a diagnostic with its code and the offending line
    /// (`None` for a file that cannot be read: an I/O error, no line).
    pub fn diagnostic(&self) -> Option<Diagnostic<'_>> {
        match self {
            ConfigError::Read { .. } => None,
            ConfigError::Invalid {
                path,
                message,
                code,
                field,
                position,
                ..
            } => Some(Diagnostic {
                code: *code,
                file: path.display().to_string(),
                subject: field.map(|f| format!("field `{f}`")),
                message,
                position: Some(position),
            }),
        }
    }
}

/// A bad value, before it is placed at its line (a glob or a date).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// `reason` is globset's message (not a `#[source]`: `{:#}` would
    /// print it twice).
    #[error("bad glob {glob:?}: {reason}")]
    BadGlob { glob: String, reason: String },
    #[error("{0}")]
    GlobSet(String),
    #[error("{0:?} is not a date (YYYY-MM-DD)")]
    NotADate(String),
}

/// `jwt2oauth.toml`, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    fail_on: Option<Spanned<String>>,
    warn_days: Option<Spanned<i64>>,
    baseline: Option<String>,
    #[serde(default)]
    paths: RawPaths,
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    deadlines: BTreeMap<Spanned<String>, RawDeadline>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaths {
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Severity>,
    #[serde(default)]
    deadline: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadline {
    date: Spanned<DateValue>,
    title: Option<String>,
    source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    rule: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    reason: String,
    until: Option<Spanned<DateValue>>,
}

/// A date written as a TOML date (`2027-01-31`) or a string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum DateValue {
    Toml(toml::value::Datetime),
    Text(String),
}

/// A validated config.
#[derive(Debug, Default)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    /// `fail_on` (a `--fail-on` value), if set.
    pub fail_on: Option<String>,
    /// The line `fail_on` is on.
    pub fail_on_line: Option<usize>,
    pub warn_days: Option<i64>,
    /// The baseline path, relative to the config file's directory.
    pub baseline: Option<PathBuf>,
    pub filter: PathFilter,
    pub disable: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub rule_deadlines: BTreeMap<String, String>,
    pub deadlines: BTreeMap<String, (Date, String, String)>,
    pub ignores: Vec<ConfigIgnore>,
    /// Rule ids and their lines, checked against the rule set in [`Config::apply`].
    rule_refs: Vec<(String, Range<usize>, &'static str)>,
    deadline_refs: Vec<(String, Range<usize>)>,
    text: String,
}

/// `[paths] include / exclude`: globs on the reported path (relative to the
/// scanned root) or the file name; `*` crosses directories.
#[derive(Debug, Default, Clone)]
pub struct PathFilter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl PathFilter {
    /// Whether a file at this reported path is scanned.
    pub fn allows(&self, rel: &str) -> bool {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let hit = |s: &GlobSet| s.is_match(rel) || s.is_match(name);
        !self.exclude.as_ref().is_some_and(hit) && self.include.as_ref().is_none_or(hit)
    }

    /// True when the filter lets everything through.
    pub fn is_empty(&self) -> bool {
        self.include.is_none() && self.exclude.is_none()
    }

    /// A filter from command-line globs (`scan --include/--exclude`), with
    /// the same semantics as `[paths]`.
    pub fn from_globs(include: &[String], exclude: &[String]) -> Result<PathFilter, ValueError> {
        let set = |list: &[String]| -> Result<Option<GlobSet>, ValueError> {
            let spanned: Vec<Spanned<String>> =
                list.iter().map(|g| Spanned::new(0..0, g.clone())).collect();
            globs(&spanned).map_err(|(_, m)| m)
        };
        Ok(PathFilter {
            include: set(include)?,
            exclude: set(exclude)?,
        })
    }
}

impl crate::scan::scopes::Allows for PathFilter {
    fn allows(&self, path: &str) -> bool {
        PathFilter::allows(self, path)
    }
}

/// One `[[ignore]]`.
#[derive(Debug, Clone)]
pub struct ConfigIgnore {
    /// A rule id, or `None` for every rule.
    pub rule: Option<String>,
    pub glob: Option<String>,
    matcher: Option<GlobSet>,
    pub reason: String,
    pub until: Option<Date>,
}

impl ConfigIgnore {
    fn matches(&self, f: &Finding) -> bool {
        let p = f.location.path.as_str();
        let name = p.rsplit('/').next().unwrap_or(p);
        self.rule.as_ref().is_none_or(|r| *r == f.rule_id)
            && self
                .matcher
                .as_ref()
                .is_none_or(|m| m.is_match(p) || m.is_match(name))
    }
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            reason: crate::scan::io_reason(&e),
            kind: e.kind(),
        })?;
        Config::parse(path, text)
    }

    /// Parses `text` as the config at `path` (used in errors).
    pub fn parse(path: &Path, text: String) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(&text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim();
            let code = Code::of_parser_message(message, Code::ConfigUnknownKey, Code::ConfigSyntax);
            invalid(path, &text, &span, (code, None), message)
        })?;
        let mut c = Config {
            path: path.to_path_buf(),
            ..Config::default()
        };
        let err = |span: &Range<usize>, at: (Code, Option<&'static str>), msg: String| {
            invalid(path, &text, span, at, &msg)
        };
        let bad = |f: &'static str| (Code::ConfigBadValue, Some(f));
        let glob = |f: &'static str| (Code::ConfigBadGlob, Some(f));
        if let Some(f) = &raw.fail_on {
            let v = f.get_ref();
            if <crate::gate::FailOn as clap::ValueEnum>::from_str(v, true).is_err() {
                return Err(err(
                    &f.span(),
                    bad("fail_on"),
                    format!("fail_on = {v:?}: expected critical, high, medium, low, info or never"),
                ));
            }
            c.fail_on = Some(v.clone());
            c.fail_on_line = Some(Position::at_offset(&text, f.span().start).line);
        }
        if let Some(w) = &raw.warn_days {
            if *w.get_ref() < 0 {
                return Err(err(
                    &w.span(),
                    bad("warn_days"),
                    "warn_days must be 0 or more".into(),
                ));
            }
            c.warn_days = Some(*w.get_ref());
        }
        c.baseline = raw.baseline.as_ref().map(|b| {
            path.parent()
                .map_or_else(|| PathBuf::from(b), |dir| dir.join(b))
        });
        c.filter = PathFilter {
            include: globs(&raw.paths.include)
                .map_err(|(s, m)| err(&s, glob("paths.include"), m.to_string()))?,
            exclude: globs(&raw.paths.exclude)
                .map_err(|(s, m)| err(&s, glob("paths.exclude"), m.to_string()))?,
        };
        for d in &raw.rules.disable {
            c.rule_refs
                .push((d.get_ref().clone(), d.span(), "rules.disable"));
            c.disable.push(d.get_ref().clone());
        }
        for (id, sev) in &raw.rules.severity {
            c.rule_refs
                .push((id.get_ref().clone(), id.span(), "rules.severity"));
            c.severity.insert(id.get_ref().clone(), *sev);
        }
        for (id, dl) in &raw.rules.deadline {
            c.rule_refs
                .push((id.get_ref().clone(), id.span(), "rules.deadline"));
            c.deadline_refs.push((dl.get_ref().clone(), dl.span()));
            c.rule_deadlines
                .insert(id.get_ref().clone(), dl.get_ref().clone());
        }
        for (id, d) in &raw.deadlines {
            let date = date(&d.date)
                .map_err(|m| err(&d.date.span(), bad("deadlines.date"), m.to_string()))?;
            let title = d.title.clone().unwrap_or_else(|| id.get_ref().clone());
            let source = d
                .source
                .clone()
                .unwrap_or_else(|| format!("{}", path.display()));
            c.deadlines
                .insert(id.get_ref().clone(), (date, title, source));
        }
        for ig in &raw.ignore {
            if let Some(r) = &ig.rule {
                c.rule_refs
                    .push((r.get_ref().clone(), r.span(), "ignore.rule"));
            }
            let matcher = match &ig.path {
                Some(p) => globs(std::slice::from_ref(p))
                    .map_err(|(s, m)| err(&s, glob("ignore.path"), m.to_string()))?,
                None => None,
            };
            let until = match &ig.until {
                Some(u) => {
                    Some(date(u).map_err(|m| err(&u.span(), bad("ignore.until"), m.to_string()))?)
                }
                None => None,
            };
            if ig.reason.trim().is_empty() {
                let span = ig.rule.as_ref().map_or(0..0, Spanned::span);
                return Err(err(
                    &span,
                    bad("ignore.reason"),
                    "an [[ignore]] needs a non-empty reason".into(),
                ));
            }
            c.ignores.push(ConfigIgnore {
                rule: ig.rule.as_ref().map(|r| r.get_ref().clone()),
                glob: ig.path.as_ref().map(|p| p.get_ref().clone()),
                matcher,
                reason: crate::redact::redact_text(ig.reason.trim()).into_owned(),
                until,
            });
        }
        c.text = text;
        Ok(c)
    }

    /// Applies rule settings to `set`: checks every rule and deadline id the
    /// config names, adds deadlines, points rules at them, overrides
    /// severities and removes disabled rules.
    pub fn apply(&self, set: &mut RuleSet) -> Result<(), ConfigError> {
        for (id, span, field) in &self.rule_refs {
            if set.get(id).is_none() {
                return Err(invalid(
                    &self.path,
                    &self.text,
                    span,
                    (Code::ConfigUnknownRule, Some(field)),
                    &format!("unknown rule `{id}` (see `jwt2oauth rules list`)"),
                ));
            }
        }
        for (id, (date, title, source)) in &self.deadlines {
            set.deadlines.insert(
                id.clone(),
                DeadlineSpec {
                    date: *date,
                    title: title.clone(),
                    source: source.clone(),
                    checked: *date,
                    notes: None,
                    history: Vec::new(),
                },
            );
        }
        for (id, span) in &self.deadline_refs {
            if !set.deadlines.contains_key(id) {
                return Err(invalid(
                    &self.path,
                    &self.text,
                    span,
                    (Code::ConfigUnknownDeadline, Some("rules.deadline")),
                    &format!("unknown deadline `{id}` (define it under [deadlines.{id}])"),
                ));
            }
        }
        for rule in &mut set.rules {
            if let Some(s) = self.severity.get(&rule.spec.id) {
                rule.spec.severity = *s;
            }
            if let Some(d) = self.rule_deadlines.get(&rule.spec.id) {
                rule.spec.deadline = Some(d.clone());
            }
        }
        set.rules.retain(|r| !self.disable.contains(&r.spec.id));
        Ok(())
    }

    /// What of this config changes the rules (disabled rules, severity
    /// and deadline overrides, deadlines, `warn_days`), as a key: configs
    /// with the same key match files alike and share one engine.
    pub fn rule_settings_key(&self) -> String {
        let mut disable = self.disable.clone();
        disable.sort();
        disable.dedup();
        format!(
            "{disable:?}{:?}{:?}{:?}{:?}",
            self.severity, self.rule_deadlines, self.deadlines, self.warn_days
        )
    }

    /// The `[[ignore]]` entries as after-the-scan suppressions.
    pub fn ignores(&self) -> Vec<Ignore<'_>> {
        self.ignores
            .iter()
            .map(|ig| Ignore {
                source: SuppressionKind::Config,
                matches: Box::new(move |f| ig.matches(f)),
                reason: Some(ig.reason.clone()),
                until: ig.until,
                rule_id: ig.rule.clone().unwrap_or_else(|| "*".into()),
                path: ig.glob.clone().unwrap_or_else(|| "**".into()),
                fingerprint: None,
            })
            .collect()
    }
}

/// An error at `span`. The message is redacted: TOML's messages quote the
/// offending key or value (`unknown field`, `invalid type: string "..."`),
/// which may be a secret pasted in the wrong place.
fn invalid(
    path: &Path,
    text: &str,
    span: &Range<usize>,
    (code, field): (Code, Option<&'static str>),
    message: &str,
) -> ConfigError {
    let position = Position::at_offset(text, span.start);
    ConfigError::Invalid {
        path: path.to_path_buf(),
        line: position.line,
        column: position.column,
        message: crate::redact::redact_message(message).into_owned(),
        code,
        field,
        position: Box::new(position),
    }
}

fn date(v: &Spanned<DateValue>) -> Result<Date, ValueError> {
    let s = match v.get_ref() {
        DateValue::Toml(d) => d.to_string(),
        DateValue::Text(s) => s.clone(),
    };
    s.parse::<Date>().map_err(|_| ValueError::NotADate(s))
}

fn globs(list: &[Spanned<String>]) -> Result<Option<GlobSet>, (Range<usize>, ValueError)> {
    if list.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in list {
        let glob = Glob::new(g.get_ref()).map_err(|e| {
            let bad = ValueError::BadGlob {
                glob: g.get_ref().clone(),
                reason: e.to_string(),
            };
            (g.span(), bad)
        })?;
        b.add(glob);
    }
    b.build()
        .map(Some)
        .map_err(|e| (list[0].span(), ValueError::GlobSet(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("jwt2oauth.toml"), text.to_string())
    }

    #[test]
    fn unknown_keys_name_their_line() {
        let e =
            parse("fail_on = \"high\"\n\n[paths]\nexclud = [\"x\"]\n").expect_err("unknown key");
        let msg = e.to_string();
        assert!(msg.starts_with("jwt2oauth.toml:4:"), "{msg}");
        assert!(msg.contains("exclud"), "{msg}");
    }

    #[test]
    fn bad_values_name_their_line() {
        let e = parse("\nfail_on = \"sometimes\"\n").expect_err("bad fail_on");
        assert!(e.to_string().starts_with("jwt2oauth.toml:2:"), "{e}");
        let e = parse("[[ignore]]\nrule = \"x\"\nreason = \"r\"\nuntil = \"soon\"\n")
            .expect_err("bad date");
        assert!(e.to_string().starts_with("jwt2oauth.toml:4:"), "{e}");
        let e = parse("[rules.severity]\nx = \"urgent\"\n").expect_err("bad severity");
        assert!(e.to_string().starts_with("jwt2oauth.toml:2:"), "{e}");
    }

    #[test]
    fn filters_and_dates() {
        let c = parse(
            "[paths]\ninclude = [\"src/**\"]\nexclude = [\"*.md\"]\n\
             [[ignore]]\nreason = \"legacy\"\nuntil = 2027-01-31\npath = \"legacy/**\"\n\
             [deadlines.cert]\ndate = \"2026-01-15\"\n",
        )
        .expect("valid");
        assert!(c.filter.allows("src/a.py"));
        assert!(!c.filter.allows("src/README.md"));
        assert!(!c.filter.allows("lib/a.py"));
        assert_eq!(c.ignores[0].until, Some(jiff::civil::date(2027, 1, 31)));
        assert_eq!(c.deadlines["cert"].0, jiff::civil::date(2026, 1, 15));
    }

    #[test]
    fn line_and_column_of_offsets() {
        let at = |o| {
            let p = Position::at_offset("ab\ncd", o);
            (p.line, p.column, p.text)
        };
        assert_eq!(at(0), (1, 1, "ab".to_string()));
        assert_eq!(at(4), (2, 2, "cd".to_string()));
    }

    /// Errors carry their code and field, and the diagnostic shows the
    /// line with a caret, redacted.
    #[test]
    fn errors_have_codes_and_a_redacted_line() {
        let e = parse("[paths]\nexclud = [\"x\"]\n").expect_err("unknown key");
        let d = e.diagnostic().expect("a diagnostic");
        assert_eq!(d.code, Code::ConfigUnknownKey);
        let e = parse("warn_days = -3\n").expect_err("bad value");
        let d = e.diagnostic().expect("a diagnostic");
        assert_eq!(
            (d.code, d.subject.as_deref()),
            (Code::ConfigBadValue, Some("field `warn_days`"))
        );
        let secret = "p8e-Zq9XyW8vU7tS6rQ5pO4nM3lK2jI1hG0f";
        let e = parse(&format!("client_secret = \"{secret}\"\n")).expect_err("unknown key");
        let out = e.diagnostic().expect("a diagnostic").render();
        assert!(!out.contains(secret), "{out}");
    }
}
