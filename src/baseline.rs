//! Baseline files: `--write-baseline FILE` records today's findings so that
//! `--baseline FILE` fails the gate only on new ones.
//!
//! Entries are keyed by the finding fingerprint (rule, path and matched text
//! without whitespace: it survives lines moving and re-indentation, and is a
//! hash, so the file holds no secret). The file is deterministic: sorted,
//! deduplicated, no timestamps or line numbers, so re-writing an unchanged
//! baseline gives the same bytes. Each entry may carry a `reason` and an
//! `until` date; an expired entry stops suppressing, and an entry that
//! matches nothing is reported so it can be removed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::engine::Detected;
use crate::suppress::{Ignore, SuppressionKind};

/// The baseline file format version.
pub const VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub path: String,
    pub rule_id: String,
    pub fingerprint: String,
    /// Why the finding is accepted for now (shown as the suppression reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// After this date the entry no longer suppresses its finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
}

/// Reading or writing a baseline failed.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// Reasons are strings, not `#[source]`s: `{:#}` printed the I/O error
    /// twice (in this message and as its cause).
    #[error("cannot read baseline {path}: {reason}")]
    Read {
        path: PathBuf,
        reason: String,
        kind: std::io::ErrorKind,
    },
    /// `message` is serde_json's, redacted: it quotes unknown keys and
    /// mistyped values, which may be a secret pasted in the wrong place.
    #[error("baseline {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("baseline {path} has version {found}; this jwt2oauth reads version {VERSION}")]
    Version { path: PathBuf, found: u32 },
    #[error("cannot write baseline {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

impl Baseline {
    /// Reads and checks a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Read {
            path: path.to_path_buf(),
            reason: crate::scan::io_reason(&e),
            kind: e.kind(),
        })?;
        Baseline::parse_file(path, &text)
    }

    /// Parses and checks `text` as the baseline at `path` (used in errors).
    pub fn parse_file(path: &Path, text: &str) -> Result<Baseline, BaselineError> {
        Baseline::parse(text).map_err(|e| match e {
            ParseError::Json(source) => BaselineError::Parse {
                path: path.to_path_buf(),
                message: crate::redact::redact_message(&source.to_string()).into_owned(),
            },
            ParseError::Version(found) => BaselineError::Version {
                path: path.to_path_buf(),
                found,
            },
        })
    }

    /// Whether `text` is a baseline file this jwt2oauth reads (so a scan
    /// does not report its own baseline's rule ids as findings).
    pub fn is_baseline(text: &[u8]) -> bool {
        std::str::from_utf8(text).is_ok_and(|t| Baseline::parse(t).is_ok())
    }

    fn parse(text: &str) -> Result<Baseline, ParseError> {
        let b: Baseline = serde_json::from_str(text).map_err(ParseError::Json)?;
        if b.version != VERSION {
            return Err(ParseError::Version(b.version));
        }
        Ok(b)
    }

    /// A baseline of `findings` (OAuth Server-to-Server findings, which never
    /// fail the gate, are left out). Reasons and `until` dates of entries in
    /// `previous` with the same fingerprint are kept.
    pub fn from_findings(findings: &[Detected], previous: Option<&Baseline>) -> Baseline {
        let old: BTreeMap<&str, &Entry> = previous
            .map(|b| {
                b.entries
                    .iter()
                    .map(|e| (e.fingerprint.as_str(), e))
                    .collect()
            })
            .unwrap_or_default();
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|d| &d.finding)
            .filter(|f| f.category.counts_for_gate())
            .map(|f| {
                let prev = old.get(f.fingerprint.as_str());
                Entry {
                    path: f.location.path.clone(),
                    rule_id: f.rule_id.clone(),
                    fingerprint: f.fingerprint.clone(),
                    reason: prev.and_then(|e| e.reason.clone()),
                    until: prev.and_then(|e| e.until),
                }
            })
            .collect();
        entries.sort();
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            version: VERSION,
            entries,
        }
    }

    /// The file's bytes: pretty JSON, sorted, with a final newline.
    pub fn to_json(&self) -> String {
        let mut sorted = self.clone();
        sorted.entries.sort();
        let mut s = serde_json::to_string_pretty(&sorted).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Writes the file (mode 0600 on unix).
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        crate::output::files::write_private(path, self.to_json().as_bytes()).map_err(|e| {
            BaselineError::Write {
                path: path.to_path_buf(),
                reason: crate::scan::io_reason(&e),
            }
        })
    }

    /// The entries as after-the-scan suppressions.
    pub fn ignores(&self) -> Vec<Ignore<'_>> {
        self.ignores_checking_paths(false)
    }

    /// The entries as after-the-scan suppressions; with `paths`, an entry
    /// also needs the finding's path. A baseline applied to several
    /// repositories needs it: fingerprints hash the path relative to the
    /// file's repository, so the same file in two checkouts has one.
    pub fn ignores_checking_paths(&self, paths: bool) -> Vec<Ignore<'_>> {
        self.entries
            .iter()
            .map(|e| Ignore {
                source: SuppressionKind::Baseline,
                matches: Box::new(move |f| {
                    f.fingerprint == e.fingerprint && (!paths || f.location.path == e.path)
                }),
                reason: e
                    .reason
                    .as_deref()
                    .map(|r| crate::redact::redact_text(r).into_owned()),
                until: e.until,
                rule_id: e.rule_id.clone(),
                path: e.path.clone(),
                fingerprint: Some(e.fingerprint.clone()),
            })
            .collect()
    }
}

enum ParseError {
    Json(serde_json::Error),
    Version(u32),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_and_versions_are_rejected() {
        assert!(Baseline::parse(r#"{"version":1,"entries":[],"extra":1}"#).is_err());
        assert!(matches!(
            Baseline::parse(r#"{"version":2,"entries":[]}"#),
            Err(ParseError::Version(2))
        ));
        let b = Baseline::parse(
            r#"{"version":1,"entries":[{"path":"a","rule_id":"r","fingerprint":"f","until":"2027-01-01"}]}"#,
        );
        assert!(b.is_ok());
    }

    #[test]
    fn serialisation_is_sorted_and_stable() {
        let e = |p: &str, f: &str| Entry {
            path: p.into(),
            rule_id: "r".into(),
            fingerprint: f.into(),
            reason: None,
            until: None,
        };
        let a = Baseline {
            version: 1,
            entries: vec![e("b", "2"), e("a", "1")],
        };
        let b = Baseline {
            version: 1,
            entries: vec![e("a", "1"), e("b", "2")],
        };
        assert_eq!(a.to_json(), b.to_json());
        assert!(a.to_json().find("\"a\"") < a.to_json().find("\"b\""));
    }
}
