//! `--format json`: one object with a versioned schema (see README, "JSON
//! output"). The structs here are the schema; the internal types never leak
//! into it, so they can change without breaking consumers.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use crate::finding::{Category, Finding, Severity};

/// Bump when a field is removed or changes meaning (adding fields is fine).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool<'a>,
    today: String,
    findings: Vec<JsonFinding<'a>>,
    suppressed: Vec<JsonSuppressed<'a>>,
    summary: Summary<'a>,
    groups: Vec<JsonGroup<'a>>,
    /// JWT usage sites tied to no credential, per project.
    unattributed: Vec<JsonUnattributed<'a>>,
    errors: Vec<JsonError<'a>>,
    skipped: Vec<JsonSkipped<'a>>,
    /// Inline suppressions naming an unknown rule or without a reason.
    warnings: Vec<JsonWarning<'a>>,
    /// The baseline file in force (absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a str>,
    /// Baseline entries and config ignores that expired or match nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stale_suppressions: Vec<JsonStale<'a>>,
    /// History scans: how much was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<JsonHistoryRun>,
    /// A single-repository scan: its repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<JsonRepository<'a>>,
    /// Every git repository of the scan (clean ones too), by root.
    repositories: Vec<JsonRepositoryEntry<'a>>,
}

/// A git repository: `url` has its credentials stripped.
#[derive(Serialize)]
struct JsonRepository<'a> {
    name: &'a str,
    root: &'a str,
    commit: Option<&'a str>,
    url: Option<&'a str>,
}

/// A repository of the report with its status.
#[derive(Serialize)]
struct JsonRepositoryEntry<'a> {
    #[serde(flatten)]
    repository: JsonRepository<'a>,
    /// `jwt-in-use`, `migrated` (informational findings only), `incomplete`
    /// (no JWT finding, but a scan error in it) or `clean`.
    status: &'a str,
    findings: usize,
}

fn repository(r: &crate::repository::Repository) -> JsonRepository<'_> {
    JsonRepository {
        name: &r.name,
        root: &r.root,
        commit: r.commit.as_deref(),
        url: r.url.as_deref(),
    }
}

#[derive(Serialize)]
struct JsonStale<'a> {
    source: &'a str,
    problem: &'a str,
    rule_id: &'a str,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fingerprint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
}

#[derive(Serialize)]
struct JsonHistoryRun {
    commits: usize,
    blobs: usize,
}

/// Where a finding of a history scan was first committed.
#[derive(Serialize)]
struct JsonOrigin<'a> {
    commit: &'a str,
    summary: &'a str,
    /// Gone from HEAD but still in the history: rotate.
    removed: bool,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    version: &'a str,
    rules: usize,
}

#[derive(Serialize)]
struct JsonDeadline<'a> {
    id: &'a str,
    date: String,
    status: &'a str,
    days: i64,
    source: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    category: &'a str,
    severity: &'a str,
    rule_severity: &'a str,
    confidence: &'a str,
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
    snippet: &'a str,
    fingerprint: &'a str,
    deadline: Option<JsonDeadline<'a>>,
    remediation: &'a str,
    group: Option<&'a str>,
    /// The project root of the finding's file (`.` for the scan root).
    project: Option<&'a str>,
    /// Further sites this finding stands for, in the same file.
    related: Vec<JsonRelated<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<JsonOrigin<'a>>,
    /// The git repository of the finding's file.
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<JsonRepository<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    note: &'a str,
}

/// One credential: its identifiers, files and earliest deadline.
#[derive(Serialize)]
struct JsonGroup<'a> {
    id: &'a str,
    label: &'a str,
    /// Which identifiers tie its files (`client-id`, `technical-account`,
    /// `console-project`, `key-fingerprint`, `key-file`, `key-path`, `org`),
    /// plus `project-root` when files joined through their project.
    identified_by: &'a [String],
    /// The project root most of its files are in.
    project: &'a str,
    projects: &'a [String],
    /// Files that joined through their project root.
    attached_files: &'a [String],
    client_ids: &'a [String],
    technical_accounts: &'a [String],
    org_ids: &'a [String],
    console_projects: &'a [String],
    metascopes: &'a [String],
    /// OAuth scopes observed for these metascopes (not published by Adobe:
    /// copy the OAuth credential's own list).
    observed_oauth_scopes: Vec<String>,
    key_references: &'a [String],
    key_fingerprints: &'a [String],
    files: &'a [String],
    categories: Vec<&'a str>,
    findings: usize,
    effective_deadline: Option<JsonDeadline<'a>>,
    confidence: &'a str,
    /// Names of the repositories its files are in.
    repositories: &'a [String],
}

/// JWT usage in one project that no identifier ties to a credential.
#[derive(Serialize)]
struct JsonUnattributed<'a> {
    project: &'a str,
    files: &'a [String],
    categories: Vec<&'a str>,
    findings: usize,
    effective_deadline: Option<JsonDeadline<'a>>,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: &'a str,
    line: Option<u32>,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    suppression: JsonSuppression<'a>,
}

#[derive(Serialize)]
struct Summary<'a> {
    findings: usize,
    suppressed: usize,
    errors: usize,
    files_scanned: u64,
    bytes_scanned: u64,
    skipped_binary: u64,
    skipped_too_large: u64,
    skipped_other: u64,
    ignored_credential_files_scanned: u64,
    by_severity: BTreeMap<&'a str, usize>,
    by_status: BTreeMap<&'a str, usize>,
    by_category: BTreeMap<&'a str, usize>,
    fail_on: &'a str,
    gate_failed: bool,
    incomplete: bool,
}

#[derive(Serialize)]
struct JsonError<'a> {
    path: &'a str,
    message: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
struct JsonWarning<'a> {
    path: &'a str,
    line: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonSkipped<'a> {
    path: &'a str,
    reason: &'a str,
}

fn finding<'a>(f: &'a Finding, report: &'a Report<'a>) -> JsonFinding<'a> {
    let notes = report.notes;
    JsonFinding {
        rule_id: &f.rule_id,
        category: f.category.as_str(),
        severity: f.severity.as_str(),
        rule_severity: f.rule_severity.as_str(),
        confidence: f.confidence.as_str(),
        path: &f.location.path,
        line: f.location.line,
        column: f.location.column,
        end_line: f.location.end_line,
        end_column: f.location.end_column,
        message: &f.message,
        snippet: &f.snippet,
        fingerprint: &f.fingerprint,
        deadline: f.deadline.as_ref().map(deadline),
        remediation: &f.remediation,
        group: f.group.as_deref(),
        project: f.project.as_deref(),
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                line: r.line,
                column: r.column,
                end_line: r.end_line,
                end_column: r.end_column,
                note: &r.note,
            })
            .collect(),
        history: notes.history.get(&f.fingerprint).map(|o| JsonOrigin {
            commit: &o.commit,
            summary: &o.summary,
            removed: o.removed,
        }),
        repository: report.scan.repository_of(&f.location.path).map(repository),
    }
}

fn deadline(d: &crate::finding::DeadlineInfo) -> JsonDeadline<'_> {
    JsonDeadline {
        id: &d.id,
        date: d.date.to_string(),
        status: d.status.as_str(),
        days: d.days,
        source: &d.source,
    }
}

fn group(g: &crate::correlate::CredentialGroup) -> JsonGroup<'_> {
    JsonGroup {
        id: &g.id,
        label: &g.label,
        identified_by: &g.identified_by,
        project: &g.project,
        projects: &g.projects,
        attached_files: &g.attached_files,
        client_ids: &g.client_ids,
        technical_accounts: &g.technical_accounts,
        org_ids: &g.org_ids,
        console_projects: &g.console_projects,
        metascopes: &g.metascopes,
        observed_oauth_scopes: crate::ims::scopes::scopes_for(&g.metascopes),
        key_references: &g.key_references,
        key_fingerprints: &g.key_fingerprints,
        files: &g.files,
        categories: g.categories.iter().map(|c| c.as_str()).collect(),
        findings: g.findings,
        effective_deadline: g.effective_deadline.as_ref().map(deadline),
        confidence: g.confidence.as_str(),
        repositories: &g.repositories,
    }
}

/// Writes the report as pretty-printed JSON followed by a newline.
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let scan = report.scan;
    let mut by_severity: BTreeMap<&str, usize> = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .iter()
    .map(|s| (s.as_str(), 0))
    .collect();
    let mut by_status: BTreeMap<&str, usize> = ["past-due", "due-soon", "scheduled", "none"]
        .iter()
        .map(|s| (*s, 0))
        .collect();
    let mut by_category: BTreeMap<&str, usize> =
        Category::ALL.iter().map(|c| (c.as_str(), 0)).collect();
    for d in &scan.findings {
        let f = &d.finding;
        *by_severity.entry(f.severity.as_str()).or_default() += 1;
        *by_status
            .entry(f.deadline.as_ref().map_or("none", |d| d.status.as_str()))
            .or_default() += 1;
        *by_category.entry(f.category.as_str()).or_default() += 1;
    }
    let doc = JsonReport {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
            rules: report.rule_count,
        },
        today: report.today.to_string(),
        findings: scan
            .findings
            .iter()
            .map(|d| finding(&d.finding, report))
            .collect(),
        suppressed: scan
            .suppressed
            .iter()
            .map(|s| JsonSuppressed {
                finding: finding(&s.finding, report),
                suppression: JsonSuppression {
                    kind: s.kind.as_str(),
                    line: match s.kind {
                        crate::suppress::SuppressionKind::Inline { line } => Some(line),
                        _ => None,
                    },
                    reason: &s.reason,
                },
            })
            .collect(),
        summary: Summary {
            findings: scan.findings.len(),
            suppressed: scan.suppressed.len(),
            errors: scan.errors.len(),
            files_scanned: scan.stats.files_scanned,
            bytes_scanned: scan.stats.bytes_scanned,
            skipped_binary: scan.stats.skipped_binary,
            skipped_too_large: scan.stats.skipped_too_large,
            skipped_other: scan.skipped_other(),
            ignored_credential_files_scanned: scan.stats.ignored_credential_files,
            by_severity,
            by_status,
            by_category,
            fail_on: report.gate.name(),
            gate_failed: report.verdict.failed,
            incomplete: report.verdict.incomplete(),
        },
        groups: scan.groups.iter().map(group).collect(),
        unattributed: scan
            .unattributed
            .iter()
            .map(|u| JsonUnattributed {
                project: &u.project,
                files: &u.files,
                categories: u.categories.iter().map(|c| c.as_str()).collect(),
                findings: u.findings,
                effective_deadline: u.effective_deadline.as_ref().map(deadline),
            })
            .collect(),
        errors: scan
            .errors
            .iter()
            .map(|e| JsonError {
                path: &e.path,
                message: super::error_message(e),
            })
            .collect(),
        warnings: scan
            .warnings
            .iter()
            .map(|w| JsonWarning {
                path: &w.path,
                line: w.line,
                message: &w.message,
            })
            .collect(),
        skipped: scan
            .skipped
            .iter()
            .map(|s| JsonSkipped {
                path: &s.path,
                reason: &s.reason,
            })
            .collect(),
        baseline: report.notes.baseline.as_deref(),
        stale_suppressions: report
            .notes
            .stale
            .iter()
            .map(|s| JsonStale {
                source: s.source,
                problem: s.problem.as_str(),
                rule_id: &s.rule_id,
                path: &s.path,
                fingerprint: s.fingerprint.as_deref(),
                reason: s.reason.as_deref(),
                until: s.until.map(|u| u.to_string()),
            })
            .collect(),
        history: match report.notes.mode {
            super::ScanMode::History { commits, blobs } => Some(JsonHistoryRun { commits, blobs }),
            _ => None,
        },
        repository: match scan.repositories.as_slice() {
            [one] => Some(repository(one)),
            _ => None,
        },
        repositories: super::repositories(report)
            .into_iter()
            .map(|r| JsonRepositoryEntry {
                repository: repository(r.repository),
                status: r.status.as_str(),
                findings: r.findings,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
