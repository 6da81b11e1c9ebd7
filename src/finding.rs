//! Findings and their vocabulary (severity, confidence, category, deadline).
//!
//! Every finding is built by [`Finding::new`], which enforces the invariants
//! the outputs rely on: 1-based positions, an end not before the start, a
//! redacted snippet, a past-due finding at least `high`, and a fingerprint
//! that survives lines moving and holds no secret.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::redact::redact_text;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The lowercase name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure a rule is that a match is an Adobe JWT credential use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    /// The lowercase name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// What a finding is about (docs/architecture.md, "Categories").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    JwtExchange,
    JwtClaims,
    JwtLibrary,
    Metascope,
    PrivateKey,
    PrivateKeyReference,
    JwtCredentialConfig,
    CiSecret,
    Certificate,
    #[serde(rename = "oauth-s2s")]
    OauthS2s,
    /// AEM as a Cloud Service service credentials from the AEM Developer
    /// Console: a JWT flow Adobe has not deprecated (docs/adobe-ims.md).
    AemService,
}

impl Category {
    /// Every category, in documentation order.
    pub const ALL: [Category; 11] = [
        Category::JwtExchange,
        Category::JwtClaims,
        Category::JwtLibrary,
        Category::Metascope,
        Category::PrivateKey,
        Category::PrivateKeyReference,
        Category::JwtCredentialConfig,
        Category::CiSecret,
        Category::Certificate,
        Category::OauthS2s,
        Category::AemService,
    ];

    /// The kebab-case name used in rule files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::JwtExchange => "jwt-exchange",
            Category::JwtClaims => "jwt-claims",
            Category::JwtLibrary => "jwt-library",
            Category::Metascope => "metascope",
            Category::PrivateKey => "private-key",
            Category::PrivateKeyReference => "private-key-reference",
            Category::JwtCredentialConfig => "jwt-credential-config",
            Category::CiSecret => "ci-secret",
            Category::Certificate => "certificate",
            Category::OauthS2s => "oauth-s2s",
            Category::AemService => "aem-service",
        }
    }

    /// Whether findings of this category hold a retired JWT credential and
    /// so count for the gate, deadlines, credential groups and baselines.
    /// `oauth-s2s` (already migrated) and `aem-service` (not deprecated) are
    /// informational.
    pub fn counts_for_gate(self) -> bool {
        !matches!(self, Category::OauthS2s | Category::AemService)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a deadline stands relative to `--today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineStatus {
    PastDue,
    DueSoon,
    Scheduled,
}

impl DeadlineStatus {
    /// The kebab-case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineStatus::PastDue => "past-due",
            DeadlineStatus::DueSoon => "due-soon",
            DeadlineStatus::Scheduled => "scheduled",
        }
    }
}

/// A finding's deadline, evaluated against `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineInfo {
    /// The deadline's id in the deadlines data file.
    pub id: String,
    pub date: Date,
    pub status: DeadlineStatus,
    /// Days from today to the deadline: negative when past due.
    pub days: i64,
    /// Where the date comes from (a URL).
    pub source: String,
}

impl DeadlineInfo {
    /// Evaluates `date` against `today`: past due once `today` is after the
    /// date, due soon when `warn_days` or fewer days remain.
    pub fn evaluate(
        id: &str,
        date: Date,
        source: &str,
        today: Date,
        warn_days: i64,
    ) -> DeadlineInfo {
        let days = days_between(today, date);
        let status = if days < 0 {
            DeadlineStatus::PastDue
        } else if days <= warn_days {
            DeadlineStatus::DueSoon
        } else {
            DeadlineStatus::Scheduled
        };
        DeadlineInfo {
            id: id.to_string(),
            date,
            status,
            days,
            source: source.to_string(),
        }
    }
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    // For civil dates `until` measures in days by default: exact, no time zones.
    from.until(to).map_or(0, |span| i64::from(span.get_days()))
}

/// A 1-based source range. Columns count characters, not bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Relative to the scanned root, with `/` separators.
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// Another site the finding stands for: a match of the same rule that was
/// folded into it (the next claim of one payload, within `cluster_lines`),
/// or a site a cross-file pass ties to it. A migration changes every one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Related {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// What is there: the line's text (trimmed, secrets redacted) or what
    /// the site is.
    pub note: String,
}

/// What a rule says about itself, copied into each of its findings.
#[derive(Debug, Clone)]
pub struct RuleMeta<'a> {
    pub id: &'a str,
    pub category: Category,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: &'a str,
    pub remediation: &'a str,
}

/// One detected use of the Adobe JWT credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule_id: String,
    pub category: Category,
    pub severity: Severity,
    /// The rule's own severity, before a past-due deadline raised it.
    pub rule_severity: Severity,
    pub confidence: Confidence,
    pub location: Location,
    pub message: String,
    /// The matched source line(s), secrets redacted.
    pub snippet: String,
    pub fingerprint: String,
    pub deadline: Option<DeadlineInfo>,
    pub remediation: String,
    /// The credential group (see `correlate`), once correlation has run.
    pub group: Option<String>,
    /// The project root of its file (`.` for the scan root), once
    /// correlation has run.
    pub project: Option<String>,
    /// Kept only if correlation links it to another file's finding.
    pub requires_link: bool,
    /// Further sites in the same file, in line order (see [`Related`]).
    pub related: Vec<Related>,
    /// Kept only if a file under this file's directory holds a finding of
    /// one of these categories (a manifest pinning a generic JWT library
    /// is Adobe's only in a project whose code signs Adobe JWTs).
    pub needs_in_project: Vec<Category>,
    /// For a cross-file finding: the file that defines what it calls
    /// (correlation puts both in one credential).
    pub calls_into: Option<String>,
}

impl Finding {
    /// Builds a finding, enforcing the invariants listed in the module docs.
    ///
    /// `matched` is the matched source text (used only for the fingerprint,
    /// hashed, never stored); `occurrence` numbers identical matches of the
    /// same rule in the same file so that their fingerprints differ.
    pub fn new(
        rule: &RuleMeta<'_>,
        mut location: Location,
        snippet: &str,
        matched: &str,
        occurrence: u32,
        deadline: Option<DeadlineInfo>,
    ) -> Finding {
        location.line = location.line.max(1);
        location.column = location.column.max(1);
        if location.end_line < location.line {
            location.end_line = location.line;
        }
        if location.end_line == location.line && location.end_column <= location.column {
            location.end_column = location.column + 1;
        }
        location.end_column = location.end_column.max(1);
        let mut severity = rule.severity;
        if deadline
            .as_ref()
            .is_some_and(|d| d.status == DeadlineStatus::PastDue)
            && rule.category.counts_for_gate()
        {
            severity = severity.max(Severity::High);
        }
        let fingerprint = fingerprint(rule.id, &location.path, matched, occurrence);
        Finding {
            rule_id: rule.id.to_string(),
            category: rule.category,
            severity,
            rule_severity: rule.severity,
            confidence: rule.confidence,
            location,
            message: rule.message.trim().to_string(),
            snippet: redact_text(snippet).into_owned(),
            fingerprint,
            deadline,
            remediation: rule.remediation.trim().to_string(),
            group: None,
            project: None,
            requires_link: false,
            related: Vec::new(),
            needs_in_project: Vec::new(),
            calls_into: None,
        }
    }
}

/// One line of a code frame: its 1-based number and redacted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameLine {
    pub line: u32,
    pub text: String,
    /// Whether the match is on this line.
    pub is_match: bool,
}

/// A finding plus its code frame (a line of context each side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub finding: Finding,
    pub frame: Vec<FrameLine>,
}

/// A stable fingerprint: the rule, the path and the matched text with all
/// whitespace removed (so re-indenting or moving lines keeps it), plus the
/// occurrence number. SHA-256, so the matched text (which may hold a secret)
/// cannot be read back from it.
pub fn fingerprint(rule_id: &str, path: &str, matched: &str, occurrence: u32) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    for b in matched.bytes().filter(|b| !b.is_ascii_whitespace()) {
        h.update([b]);
    }
    h.update([0]);
    h.update(occurrence.to_le_bytes());
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("test date")
    }

    #[test]
    fn deadline_status_against_today() {
        let past = DeadlineInfo::evaluate("x", d("2026-03-01"), "s", d("2026-11-23"), 90);
        assert_eq!(past.status, DeadlineStatus::PastDue);
        assert_eq!(past.days, -267);
        let same_day = DeadlineInfo::evaluate("x", d("2026-03-01"), "s", d("2026-03-01"), 90);
        assert_eq!(same_day.status, DeadlineStatus::DueSoon);
        assert_eq!(same_day.days, 0);
        let soon = DeadlineInfo::evaluate("x", d("2026-03-01"), "s", d("2025-12-01"), 90);
        assert_eq!((soon.status, soon.days), (DeadlineStatus::DueSoon, 90));
        let later = DeadlineInfo::evaluate("x", d("2026-03-01"), "s", d("2025-11-30"), 90);
        assert_eq!((later.status, later.days), (DeadlineStatus::Scheduled, 91));
    }

    #[test]
    fn days_between_crosses_leap_years() {
        assert_eq!(days_between(d("2024-02-28"), d("2024-03-01")), 2);
        assert_eq!(days_between(d("2025-02-28"), d("2025-03-01")), 1);
        assert_eq!(days_between(d("2025-06-30"), d("2025-01-01")), -180);
    }

    fn meta(category: Category, severity: Severity) -> RuleMeta<'static> {
        RuleMeta {
            id: "r",
            category,
            severity,
            confidence: Confidence::High,
            message: "m",
            remediation: "r",
        }
    }

    fn loc() -> Location {
        Location {
            path: "a.js".into(),
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
        }
    }

    #[test]
    fn past_due_raises_severity_but_not_for_oauth() {
        let past = DeadlineInfo::evaluate("x", d("2026-03-01"), "s", d("2026-11-23"), 90);
        let f = Finding::new(
            &meta(Category::JwtClaims, Severity::Low),
            loc(),
            "",
            "m",
            0,
            Some(past.clone()),
        );
        assert_eq!(
            (f.severity, f.rule_severity),
            (Severity::High, Severity::Low)
        );
        let f = Finding::new(
            &meta(Category::JwtClaims, Severity::Critical),
            loc(),
            "",
            "m",
            0,
            Some(past.clone()),
        );
        assert_eq!(f.severity, Severity::Critical);
        let f = Finding::new(
            &meta(Category::OauthS2s, Severity::Info),
            loc(),
            "",
            "m",
            0,
            Some(past),
        );
        assert_eq!(f.severity, Severity::Info);
    }

    #[test]
    fn positions_are_one_based_and_non_empty() {
        let f = Finding::new(
            &meta(Category::JwtClaims, Severity::Low),
            loc(),
            "",
            "m",
            0,
            None,
        );
        assert_eq!((f.location.line, f.location.column), (1, 1));
        assert_eq!((f.location.end_line, f.location.end_column), (1, 2));
    }

    #[test]
    fn fingerprint_ignores_whitespace_and_hides_text() {
        let a = fingerprint("r", "p", "aud: 'https://x/c/abc'", 0);
        let b = fingerprint("r", "p", "aud:\n   'https://x/c/abc'", 0);
        assert_eq!(a, b);
        assert_ne!(a, fingerprint("r", "p", "aud: 'https://x/c/abc'", 1));
        assert_eq!(a.len(), 32);
        assert!(!a.contains("abc"));
    }
}
