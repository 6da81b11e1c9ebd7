//! Reading a JSON report back (`scan --format json`, schema version 1) into
//! the scan's own types, so that `merge` writes every format with the
//! scan's output code. A file that is not JSON, is truncated, is not a
//! jwt2oauth report or has another `version` is an error naming the file.

use std::path::Path;

use serde::Deserialize;

use crate::correlate::{CredentialGroup, UnattributedSites};
use crate::engine::Detected;
use crate::finding::{
    Category, Confidence, DeadlineInfo, DeadlineStatus, Finding, Location, Related, Severity,
};
use crate::output::json::SCHEMA_VERSION;
use crate::repository::Repository;
use crate::scan::{ScanError, ScanWarning, Skipped, Stats};
use crate::suppress::{Suppressed, SuppressionKind};

/// Why a report cannot be merged (the message names the file).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: cannot read: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: truncated JSON report (it ends at line {line}, column {column})")]
    Truncated {
        path: String,
        line: usize,
        column: usize,
    },
    #[error("{path}: not JSON ({reason})")]
    NotJson { path: String, reason: String },
    #[error("{path}: not a jwt2oauth JSON report ({reason})")]
    NotReport { path: String, reason: String },
    #[error(
        "{path}: a jwt2oauth JSON report of version {found}; this jwt2oauth reads version {SCHEMA_VERSION}"
    )]
    Version { path: String, found: String },
}

/// One report as read.
#[derive(Debug, Default)]
pub struct Input {
    pub today: Option<jiff::civil::Date>,
    pub findings: Vec<Detected>,
    pub suppressed: Vec<Suppressed>,
    pub groups: Vec<CredentialGroup>,
    pub unattributed: Vec<UnattributedSites>,
    pub errors: Vec<ScanError>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<ScanWarning>,
    pub stats: Stats,
    pub repositories: Vec<Repository>,
}

#[derive(Deserialize)]
struct InReport {
    today: String,
    findings: Vec<InFinding>,
    suppressed: Vec<InSuppressed>,
    summary: InSummary,
    groups: Vec<InGroup>,
    unattributed: Vec<InUnattributed>,
    errors: Vec<InError>,
    skipped: Vec<InSkipped>,
    warnings: Vec<InWarning>,
    #[serde(default)]
    repository: Option<InRepository>,
    #[serde(default)]
    repositories: Vec<InRepository>,
}

#[derive(Deserialize)]
struct InSummary {
    files_scanned: u64,
    bytes_scanned: u64,
    skipped_binary: u64,
    skipped_too_large: u64,
    #[serde(default)]
    ignored_credential_files_scanned: u64,
}

#[derive(Deserialize, Clone)]
struct InRepository {
    name: String,
    root: String,
    commit: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct InDeadline {
    id: String,
    date: jiff::civil::Date,
    status: DeadlineStatus,
    days: i64,
    source: String,
}

#[derive(Deserialize)]
struct InRelated {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    note: String,
}

#[derive(Deserialize)]
struct InFinding {
    rule_id: String,
    category: Category,
    severity: Severity,
    rule_severity: Severity,
    confidence: Confidence,
    path: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: String,
    snippet: String,
    fingerprint: String,
    deadline: Option<InDeadline>,
    remediation: String,
    group: Option<String>,
    project: Option<String>,
    #[serde(default)]
    related: Vec<InRelated>,
}

#[derive(Deserialize)]
struct InSuppression {
    kind: String,
    line: Option<u32>,
    reason: String,
}

#[derive(Deserialize)]
struct InSuppressed {
    #[serde(flatten)]
    finding: InFinding,
    suppression: InSuppression,
}

#[derive(Deserialize)]
struct InGroup {
    id: String,
    label: String,
    identified_by: Vec<String>,
    project: String,
    projects: Vec<String>,
    attached_files: Vec<String>,
    client_ids: Vec<String>,
    technical_accounts: Vec<String>,
    org_ids: Vec<String>,
    console_projects: Vec<String>,
    metascopes: Vec<String>,
    key_references: Vec<String>,
    key_fingerprints: Vec<String>,
    files: Vec<String>,
    categories: Vec<Category>,
    findings: usize,
    effective_deadline: Option<InDeadline>,
    confidence: Confidence,
    #[serde(default)]
    repositories: Vec<String>,
}

#[derive(Deserialize)]
struct InUnattributed {
    project: String,
    files: Vec<String>,
    categories: Vec<Category>,
    findings: usize,
    effective_deadline: Option<InDeadline>,
}

#[derive(Deserialize)]
struct InError {
    path: String,
    message: String,
}

#[derive(Deserialize)]
struct InSkipped {
    path: String,
    reason: String,
}

#[derive(Deserialize)]
struct InWarning {
    path: String,
    line: u32,
    message: String,
}

/// Reads and checks one report file.
pub fn read(path: &Path) -> Result<Input, InputError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| InputError::Read {
        path: shown.clone(),
        reason: crate::scan::io_reason(&e),
    })?;
    parse(&shown, &bytes)
}

/// Parses one report's bytes; `path` names it in errors.
pub fn parse(path: &str, bytes: &[u8]) -> Result<Input, InputError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_eof() {
            InputError::Truncated {
                path: path.to_string(),
                line: e.line(),
                column: e.column(),
            }
        } else {
            InputError::NotJson {
                path: path.to_string(),
                reason: e.to_string(),
            }
        }
    })?;
    let not_report = |reason: String| InputError::NotReport {
        path: path.to_string(),
        reason,
    };
    let Some(obj) = value.as_object() else {
        return Err(not_report("not a JSON object".into()));
    };
    if obj
        .get("tool")
        .and_then(|t| t.get("name"))
        .and_then(|n| n.as_str())
        != Some("jwt2oauth")
    {
        return Err(not_report("no `tool.name` \"jwt2oauth\"".into()));
    }
    match obj.get("version") {
        Some(v) if v.as_u64() == Some(u64::from(SCHEMA_VERSION)) => {}
        Some(v) => {
            return Err(InputError::Version {
                path: path.to_string(),
                found: v.to_string(),
            });
        }
        None => return Err(not_report("no `version`".into())),
    }
    let r: InReport = serde_json::from_value(value).map_err(|e| not_report(e.to_string()))?;
    let today = r.today.parse().ok();
    let mut repositories: Vec<Repository> = r.repositories.into_iter().map(repository).collect();
    if let Some(one) = r.repository
        && !repositories.iter().any(|x| x.root == one.root)
    {
        repositories.push(repository(one));
    }
    Ok(Input {
        today,
        findings: r
            .findings
            .into_iter()
            .map(|f| Detected {
                finding: finding(f),
                frame: Vec::new(),
            })
            .collect(),
        suppressed: r
            .suppressed
            .into_iter()
            .map(|s| Suppressed {
                finding: finding(s.finding),
                kind: match s.suppression.kind.as_str() {
                    "inline" => SuppressionKind::Inline {
                        line: s.suppression.line.unwrap_or(0),
                    },
                    "config" => SuppressionKind::Config,
                    _ => SuppressionKind::Baseline,
                },
                reason: s.suppression.reason,
            })
            .collect(),
        groups: r.groups.into_iter().map(group).collect(),
        unattributed: r
            .unattributed
            .into_iter()
            .map(|u| UnattributedSites {
                project: u.project,
                files: u.files,
                categories: u.categories,
                findings: u.findings,
                effective_deadline: u.effective_deadline.map(deadline),
            })
            .collect(),
        errors: r
            .errors
            .into_iter()
            .map(|e| ScanError {
                path: e.path,
                message: e.message,
            })
            .collect(),
        skipped: r
            .skipped
            .into_iter()
            .map(|s| Skipped {
                path: s.path,
                reason: s.reason,
            })
            .collect(),
        warnings: r
            .warnings
            .into_iter()
            .map(|w| ScanWarning {
                path: w.path,
                line: w.line,
                message: w.message,
            })
            .collect(),
        stats: Stats {
            files_scanned: r.summary.files_scanned,
            bytes_scanned: r.summary.bytes_scanned,
            skipped_binary: r.summary.skipped_binary,
            skipped_too_large: r.summary.skipped_too_large,
            ignored_credential_files: r.summary.ignored_credential_files_scanned,
        },
        repositories,
    })
}

fn repository(r: InRepository) -> Repository {
    Repository {
        name: r.name,
        root: r.root,
        commit: r.commit,
        // A hand-made report may hold a token in its URL: strip it again.
        url: r.url.map(|u| crate::repository::strip_credentials(&u)),
    }
}

fn deadline(d: InDeadline) -> DeadlineInfo {
    DeadlineInfo {
        id: d.id,
        date: d.date,
        status: d.status,
        days: d.days,
        source: d.source,
    }
}

fn finding(f: InFinding) -> Finding {
    Finding {
        rule_id: f.rule_id,
        category: f.category,
        severity: f.severity,
        rule_severity: f.rule_severity,
        confidence: f.confidence,
        location: Location {
            path: f.path,
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
        },
        message: f.message,
        // Redacted by the scan; again here, in case a report was edited.
        snippet: crate::redact::redact_text(&f.snippet).into_owned(),
        fingerprint: f.fingerprint,
        deadline: f.deadline.map(deadline),
        remediation: f.remediation,
        group: f.group,
        project: f.project,
        requires_link: false,
        related: f
            .related
            .into_iter()
            .map(|r| Related {
                line: r.line,
                column: r.column,
                end_line: r.end_line,
                end_column: r.end_column,
                note: r.note,
            })
            .collect(),
        needs_in_project: Vec::new(),
        calls_into: None,
    }
}

fn group(g: InGroup) -> CredentialGroup {
    CredentialGroup {
        id: g.id,
        label: g.label,
        identified_by: g.identified_by,
        project: g.project,
        projects: g.projects,
        attached_files: g.attached_files,
        client_ids: g.client_ids,
        technical_accounts: g.technical_accounts,
        org_ids: g.org_ids,
        console_projects: g.console_projects,
        metascopes: g.metascopes,
        key_references: g.key_references,
        key_fingerprints: g.key_fingerprints,
        files: g.files,
        categories: g.categories,
        findings: g.findings,
        effective_deadline: g.effective_deadline.map(deadline),
        confidence: g.confidence,
        repositories: g.repositories,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_reports_name_the_file() {
        let e = |b: &str| {
            parse("r.json", b.as_bytes())
                .expect_err("rejected")
                .to_string()
        };
        assert!(e("{\"version\": 1, \"tool\"").contains("r.json: truncated"));
        assert!(e("hello").contains("r.json: not JSON"));
        assert!(e("[1]").contains("not a jwt2oauth JSON report"));
        assert!(e("{\"version\":1,\"tool\":{\"name\":\"other\"}}").contains("not a jwt2oauth"));
        assert!(
            e("{\"version\":2,\"tool\":{\"name\":\"jwt2oauth\"}}")
                .contains("r.json: a jwt2oauth JSON report of version 2")
        );
        assert!(e("{\"version\":1,\"tool\":{\"name\":\"jwt2oauth\"}}").contains("missing field"));
    }
}
