//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF
//! consumers.
//!
//! Typed structs for the subset we emit (validated against the official
//! schema by `tests/it/sarif.rs`). One `rules[]` entry per rule of the run with
//! its docs as `help.markdown` and a numeric `security-severity`; results
//! with 1-based lines and columns counted in code points, relative URIs
//! under `%SRCROOT%`, the finding fingerprint as a partial fingerprint, and
//! suppressed findings as results with `suppressions`. Snippets are the
//! already-redacted ones: no secret reaches the file.

use std::collections::BTreeMap;
use std::io::{self, Write};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;

use super::Report;
use crate::finding::{Finding, Severity};
use crate::suppress::SuppressionKind;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

/// Characters escaped in a relative URI path (segments keep `/`).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    version: &'a str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    original_uri_base_ids: BTreeMap<&'a str, ArtifactLocation>,
    results: Vec<SarifResult>,
    column_kind: &'a str,
    properties: RunProperties<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    automation_details: Option<AutomationDetails>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    version_control_provenance: Vec<VersionControl>,
}

/// SARIF `automationDetails`: GitHub code scanning keeps one analysis per id.
#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionControl {
    repository_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision_id: Option<String>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    rules: Vec<RuleDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(rename = "security-severity")]
    security_severity: String,
    tags: Vec<String>,
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    /// SARIF 2.1.0 §3.55: the safe `jwt2oauth fix` change for this result.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<SarifReplacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifReplacement {
    deleted_region: CharRegion,
    inserted_content: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CharRegion {
    char_offset: usize,
    char_length: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

/// A SARIF `relatedLocations` entry: another site of the same finding.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    physical_location: PhysicalLocation,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
    snippet: Text,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct ResultProperties {
    category: &'static str,
    severity: &'static str,
    confidence: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<DeadlineProps>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    remediation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<String>,
    #[serde(rename = "removedFromHead", skip_serializing_if = "Option::is_none")]
    removed_from_head: Option<bool>,
}

#[derive(Serialize)]
struct DeadlineProps {
    id: String,
    date: String,
    status: &'static str,
    days: i64,
    source: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    today: String,
    fail_on: &'a str,
    gate_failed: bool,
}

/// The numeric severity GitHub code scanning reads (`security-severity`):
/// over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// SARIF `level` for a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// A relative path as a URI reference (segments percent-encoded).
pub fn uri(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// Paths are as given on the command line: relative ones resolve against
/// `%SRCROOT%` (the directory jwt2oauth ran in), absolute ones (`scan
/// /abs/dir`, `C:/dir`) become `file://` URIs with no base.
fn location(path: &str, region: Option<Region>) -> Location {
    let b = path.as_bytes();
    let drive = b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/';
    let (uri, uri_base_id) = if path.starts_with('/') {
        (format!("file://{}", self::uri(path)), None)
    } else if drive {
        (format!("file:///{}", self::uri(path)), None)
    } else {
        (self::uri(path), Some(SRCROOT))
    };
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: Some(uri),
                uri_base_id,
                description: None,
            },
            region,
        },
    }
}

/// Writes the report as one SARIF 2.1.0 log: one run, or, when the report
/// spans several repositories, one run per repository (results relative to
/// its root, `automationDetails.id` `jwt2oauth/NAME/`, its URL and commit as
/// `versionControlProvenance`), each listing only the rules it uses.
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let scan = report.scan;
    let runs = if scan.repositories.len() > 1 {
        // Each finding's repository once (by index; `None`: outside all).
        let index: BTreeMap<&str, usize> = scan
            .repositories
            .iter()
            .enumerate()
            .map(|(i, r)| (r.root.as_str(), i))
            .collect();
        let slot = |path: &str| {
            scan.repository_of(path)
                .and_then(|r| index.get(r.root.as_str()).copied())
                .unwrap_or(scan.repositories.len())
        };
        let n = scan.repositories.len() + 1;
        let mut parts: Vec<Part<'_>> = (0..n).map(|_| Part::default()).collect();
        for d in &scan.findings {
            parts[slot(&d.finding.location.path)]
                .findings
                .push(&d.finding);
        }
        for s in &scan.suppressed {
            parts[slot(&s.finding.location.path)].suppressed.push(s);
        }
        for e in &scan.errors {
            let i = if e.path.starts_with('<') {
                n - 1
            } else {
                slot(&e.path)
            };
            parts[i].errors.push(e);
        }
        let outside = parts.pop().unwrap_or_default();
        let mut runs: Vec<Run<'_>> = scan
            .repositories
            .iter()
            .zip(parts)
            .map(|(r, part)| run(report, Some(r), part))
            .collect();
        if !outside.findings.is_empty()
            || !outside.suppressed.is_empty()
            || !outside.errors.is_empty()
        {
            runs.push(run(report, None, outside));
        }
        runs
    } else {
        let part = Part {
            findings: scan.findings.iter().map(|d| &d.finding).collect(),
            suppressed: scan.suppressed.iter().collect(),
            errors: scan.errors.iter().collect(),
        };
        vec![run(report, None, part)]
    };
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs,
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// What one run holds.
#[derive(Default)]
struct Part<'a> {
    findings: Vec<&'a Finding>,
    suppressed: Vec<&'a crate::suppress::Suppressed>,
    errors: Vec<&'a crate::scan::ScanError>,
}

/// One run over `part`; with a repository, paths are relative to its root
/// and only the rules of its results are listed.
fn run<'a>(
    report: &'a Report<'_>,
    repo: Option<&'a crate::repository::Repository>,
    part: Part<'_>,
) -> Run<'a> {
    let strip = repo.map_or(".", |r| r.root.as_str());
    let Part {
        findings,
        suppressed,
        errors,
    } = part;
    // A rule's security-severity: the highest effective severity of its
    // findings in this run (a past-due deadline raises it), or its own.
    let mut effective: BTreeMap<&str, Severity> = BTreeMap::new();
    for f in findings
        .iter()
        .copied()
        .chain(suppressed.iter().map(|s| &s.finding))
    {
        let e = effective.entry(f.rule_id.as_str()).or_insert(f.severity);
        *e = (*e).max(f.severity);
    }
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for rule in &report.rules.rules {
        let s = &rule.spec;
        if repo.is_some() && !effective.contains_key(s.id.as_str()) {
            continue;
        }
        let sev = effective
            .get(s.id.as_str())
            .copied()
            .unwrap_or(s.severity)
            .max(s.severity);
        index.insert(s.id.as_str(), rules.len());
        let markdown = crate::rules::explain::explain(report.rules, &s.id);
        let mut tags = vec![
            "security".to_string(),
            "adobe-jwt".to_string(),
            s.category.as_str().to_string(),
        ];
        if s.category.as_str().contains("key") || s.category.as_str() == "ci-secret" {
            tags.push("external/cwe/cwe-798".into());
        }
        rules.push(RuleDescriptor {
            id: s.id.clone(),
            name: camel(&s.id),
            short_description: Text {
                text: s.title.trim().to_string(),
            },
            full_description: Text {
                text: s.docs.what.trim().to_string(),
            },
            help: Help {
                text: format!("{}\n\n{}", s.docs.why.trim(), s.remediation.trim()),
                markdown,
            },
            help_uri: s.references.first().cloned(),
            default_configuration: Configuration {
                level: level(s.severity),
            },
            properties: RuleProperties {
                security_severity: security_severity(sev).to_string(),
                tags,
                precision: match s.confidence {
                    crate::finding::Confidence::High => "high",
                    crate::finding::Confidence::Medium => "medium",
                    crate::finding::Confidence::Low => "low",
                },
                problem_severity: match level(sev) {
                    "error" => "error",
                    "warning" => "warning",
                    _ => "recommendation",
                },
            },
        });
    }
    let mut results = Vec::new();
    for f in findings {
        results.push(result(report, f, strip, &index, None));
    }
    for s in suppressed {
        let kind = match s.kind {
            SuppressionKind::Inline { .. } => "inSource",
            SuppressionKind::Baseline | SuppressionKind::Config => "external",
        };
        let sup = Suppression {
            kind,
            status: "accepted",
            justification: format!("{}: {}", s.kind.as_str(), s.reason),
        };
        results.push(result(report, &s.finding, strip, &index, Some(sup)));
    }
    let notifications = errors
        .iter()
        .map(|e| Notification {
            level: "error",
            message: Text {
                text: format!("{}: {}", e.path, super::error_message(e)),
            },
            locations: if e.path.starts_with('<') {
                Vec::new()
            } else {
                vec![location(crate::repository::relative(strip, &e.path), None)]
            },
        })
        .collect();
    let mut bases = BTreeMap::new();
    bases.insert(
        SRCROOT,
        ArtifactLocation {
            uri: None,
            uri_base_id: None,
            description: Some(Text {
                text: match repo {
                    Some(r) => format!("The work tree of repository {}", r.name),
                    None => {
                        "The directory jwt2oauth ran in: paths are as given on the command line"
                            .into()
                    }
                },
            }),
        },
    );
    Run {
        tool: Tool {
            driver: Driver {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
                semantic_version: env!("CARGO_PKG_VERSION"),
                rules,
            },
        },
        invocations: vec![Invocation {
            execution_successful: true,
            tool_execution_notifications: notifications,
        }],
        original_uri_base_ids: bases,
        results,
        column_kind: "unicodeCodePoints",
        properties: RunProperties {
            today: report.today.to_string(),
            fail_on: report.gate.name(),
            gate_failed: report.verdict.failed,
        },
        automation_details: (report.scan.repositories.len() > 1).then(|| AutomationDetails {
            id: format!(
                "jwt2oauth/{}/",
                repo.map_or("unversioned", |r| r.name.as_str())
            ),
        }),
        version_control_provenance: repo
            .and_then(|r| {
                let url = r.url.as_deref().filter(|u| u.contains("://"))?;
                Some(vec![VersionControl {
                    repository_uri: url.to_string(),
                    revision_id: r.commit.clone(),
                }])
            })
            .unwrap_or_default(),
    }
}

/// The safe fixes of the result's file that remove its rule.
fn fixes_of(report: &Report<'_>, f: &Finding) -> Vec<SarifFix> {
    let Some(fixes) = report.notes.fixes.get(&f.location.path) else {
        return Vec::new();
    };
    fixes
        .iter()
        .filter(|x| x.rules.contains(&f.rule_id))
        .map(|x| SarifFix {
            description: Text {
                text: x.description.clone(),
            },
            artifact_changes: vec![ArtifactChange {
                artifact_location: location(&f.location.path, None)
                    .physical_location
                    .artifact_location,
                replacements: x
                    .replacements
                    .iter()
                    .map(|r| SarifReplacement {
                        deleted_region: CharRegion {
                            char_offset: r.char_offset,
                            char_length: r.char_length,
                        },
                        inserted_content: Text {
                            text: r.inserted.clone(),
                        },
                    })
                    .collect(),
            }],
        })
        .collect()
}

fn result(
    report: &Report<'_>,
    f: &Finding,
    strip: &str,
    index: &BTreeMap<&str, usize>,
    suppression: Option<Suppression>,
) -> SarifResult {
    let l = &f.location;
    let path = crate::repository::relative(strip, &l.path);
    let origin = report.notes.history.get(&f.fingerprint);
    let mut message = f.message.clone();
    if let Some(dl) = &f.deadline {
        message.push_str(&format!(
            " Deadline {} ({}, {}).",
            dl.date,
            dl.status.as_str(),
            super::plan::days_text(dl)
        ));
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("jwt2oauth/v1", f.fingerprint.clone());
    SarifResult {
        rule_id: f.rule_id.clone(),
        rule_index: index.get(f.rule_id.as_str()).copied().unwrap_or(0),
        level: level(f.severity),
        message: Text { text: message },
        locations: vec![location(
            path,
            Some(Region {
                start_line: l.line.max(1),
                start_column: l.column.max(1),
                end_line: l.end_line.max(l.line).max(1),
                end_column: l.end_column.max(1),
                snippet: Text {
                    text: f.snippet.clone(),
                },
            }),
        )],
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| RelatedLocation {
                id: i + 1,
                physical_location: location(
                    path,
                    Some(Region {
                        start_line: r.line.max(1),
                        start_column: r.column.max(1),
                        end_line: r.end_line.max(r.line).max(1),
                        end_column: r.end_column.max(1),
                        snippet: Text {
                            text: r.note.clone(),
                        },
                    }),
                )
                .physical_location,
                message: Text {
                    text: r.note.clone(),
                },
            })
            .collect(),
        partial_fingerprints: fingerprints,
        fixes: fixes_of(report, f),
        suppressions: suppression.into_iter().collect(),
        properties: ResultProperties {
            category: f.category.as_str(),
            severity: f.severity.as_str(),
            confidence: f.confidence.as_str(),
            deadline: f.deadline.as_ref().map(|d| DeadlineProps {
                id: d.id.clone(),
                date: d.date.to_string(),
                status: d.status.as_str(),
                days: d.days,
                source: d.source.clone(),
            }),
            group: f.group.clone(),
            remediation: f.remediation.clone(),
            commit: origin.map(|o| o.commit.clone()),
            removed_from_head: origin.map(|o| o.removed),
        },
    }
}

/// `jwt-exchange-endpoint` → `JwtExchangeEndpoint` (SARIF `name`).
fn camel(id: &str) -> String {
    id.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("src/a b/c#1.py"), "src/a%20b/c%231.py");
        assert_eq!(uri("é.py"), "%C3%A9.py");
    }

    #[test]
    fn names_and_levels() {
        assert_eq!(camel("jwt-exchange-endpoint"), "JwtExchangeEndpoint");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(security_severity(Severity::Critical), "9.5");
    }
}
