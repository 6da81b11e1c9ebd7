//! Output formats: each is a function from a finished scan to a writer.
//!
//! Every format is pure: it reads the [`Report`] (findings, suppressions,
//! groups, rules and the notes of baseline/config/history) and writes bytes.
//! No format reads the clock, the environment or the file system.

mod escape;
pub mod files;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod org;
pub mod plan;
pub mod sarif;
pub mod terminal;

use std::collections::BTreeMap;
use std::io::{self, Write};

use jiff::civil::Date;

use crate::finding::Finding;
use crate::gate::{Gate, Verdict};
use crate::report::ScanReport;
use crate::rules::RuleSet;
use crate::suppress::StaleSuppression;

/// Everything an output format may show.
pub struct Report<'a> {
    pub scan: &'a ScanReport,
    pub today: Date,
    pub rule_count: usize,
    /// The run's gate (`--fail-on`, `--strict`) and what it said.
    pub gate: &'a Gate,
    pub verdict: Verdict,
    /// The rules of the run (SARIF `rules[]`, rule docs).
    pub rules: &'a RuleSet,
    /// Baseline, config and history notes.
    pub notes: &'a Notes,
    /// Terminal: print each finding's whole remediation, not only its first
    /// sentence (`--full-fix`).
    pub full_fix: bool,
}

impl Report<'_> {
    /// Whether this finding is at or above the gate (OAuth Server-to-Server
    /// findings never are).
    pub fn fails_gate(&self, f: &Finding) -> bool {
        self.gate.fails(f)
    }
}

/// What the scan was run on, beyond the walked tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ScanMode {
    /// The whole tree.
    #[default]
    Tree,
    /// Only files changed since the merge base with a ref.
    Since {
        reference: String,
        merge_base: String,
    },
    /// Only the staged changes (index contents).
    Staged,
    /// Every blob reachable in the git history.
    History { commits: usize, blobs: usize },
}

/// Where a finding of a history scan was committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryOrigin {
    /// The (abbreviated to 12) id of the earliest commit holding the blob.
    pub commit: String,
    /// The commit's first summary line.
    pub summary: String,
    /// The path of the blob in that commit.
    pub path: String,
    /// True when the finding is no longer in HEAD: removed, but still
    /// exposed in the history.
    pub removed: bool,
}

/// Notes about the run that are not findings: baseline and config
/// suppressions that no longer apply, the scan mode, history origins.
#[derive(Debug, Clone, Default)]
pub struct Notes {
    pub mode: ScanMode,
    /// The baseline file in force, if any (as given).
    pub baseline: Option<String>,
    /// The config file in force, if any (as given).
    pub config: Option<String>,
    /// Baseline entries and config ignores that expired or match nothing.
    pub stale: Vec<StaleSuppression>,
    /// History scans: fingerprint to where the finding was committed.
    pub history: BTreeMap<String, HistoryOrigin>,
    /// SARIF: the safe fixes of each changed file (the `fix` planner's).
    pub fixes: BTreeMap<String, Vec<crate::fix::sarif::FileFix>>,
}

/// Every output format of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Format {
    /// Human-readable, grouped by file, with code frames.
    Terminal,
    /// One JSON object, versioned schema (see README).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF consumers).
    Sarif,
    /// The migration report as Markdown.
    #[value(alias = "md")]
    Markdown,
    /// The migration report as one self-contained HTML page.
    Html,
    /// JUnit XML: one test case per rule and file.
    Junit,
    /// GitHub Actions workflow commands (`::error file=...::`).
    #[value(alias = "github-actions")]
    Github,
}

impl Format {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Terminal => "terminal",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Junit => "junit",
            Format::Github => "github",
        }
    }

    /// Writes `report` in this format.
    pub fn write(self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        match self {
            Format::Terminal => terminal::write(report, out),
            Format::Json => json::write(report, out),
            Format::Sarif => sarif::write(report, out),
            Format::Markdown => markdown::write(report, out),
            Format::Html => html::write(report, out),
            Format::Junit => junit::write(report, out),
            Format::Github => github::write(report, out),
        }
    }
}

/// A scan error's message as every format shows it. Redacted: a parser's
/// message may quote the file it could not read, and that file may hold a
/// secret.
pub fn error_message(e: &crate::scan::ScanError) -> std::borrow::Cow<'_, str> {
    crate::redact::redact_message(&e.message)
}

/// The deadline status buckets, in display order (`none`: informational).
pub const STATUSES: [&str; 4] = ["past-due", "due-soon", "scheduled", "none"];

/// A finding's status bucket name.
pub fn status_of(f: &Finding) -> &'static str {
    f.deadline.as_ref().map_or("none", |d| d.status.as_str())
}

/// A repository of the report with what its findings say.
pub struct RepoView<'a> {
    pub repository: &'a crate::repository::Repository,
    pub status: crate::repository::RepoStatus,
    /// Its findings (not suppressed).
    pub findings: usize,
    /// Its findings that fail the gate.
    pub failing: usize,
    /// Ids of the credential groups its files are in, sorted.
    pub groups: Vec<&'a str>,
}

/// Every repository of the report (sorted by root, as stored) with its
/// status: `jwt-in-use` when one of its findings counts for the gate,
/// else `incomplete` when a scan error lies in it (a failed clone, an
/// unreadable file), else `migrated` when it has only informational
/// findings, else `clean`.
pub fn repositories<'a>(report: &Report<'a>) -> Vec<RepoView<'a>> {
    use crate::repository::RepoStatus;
    let scan = report.scan;
    let mut views: Vec<RepoView<'a>> = scan
        .repositories
        .iter()
        .map(|r| RepoView {
            repository: r,
            status: RepoStatus::Clean,
            findings: 0,
            failing: 0,
            groups: Vec::new(),
        })
        .collect();
    let index: BTreeMap<&str, usize> = scan
        .repositories
        .iter()
        .enumerate()
        .map(|(i, r)| (r.root.as_str(), i))
        .collect();
    for d in &scan.findings {
        let f = &d.finding;
        let Some(r) = scan.repository_of(&f.location.path) else {
            continue;
        };
        let Some(&i) = index.get(r.root.as_str()) else {
            continue;
        };
        let v = &mut views[i];
        v.findings += 1;
        if report.fails_gate(f) {
            v.failing += 1;
        }
        if f.category.counts_for_gate() {
            v.status = RepoStatus::JwtInUse;
        } else if v.status == RepoStatus::Clean {
            v.status = RepoStatus::Migrated;
        }
        if let Some(g) = f.group.as_deref()
            && !v.groups.contains(&g)
        {
            v.groups.push(g);
        }
    }
    // A repository that was not fully scanned is neither migrated nor
    // clean (a JWT finding still says more).
    for e in &scan.errors {
        let Some(r) = scan.repository_of(&e.path) else {
            continue;
        };
        if let Some(&i) = index.get(r.root.as_str())
            && views[i].status != RepoStatus::JwtInUse
        {
            views[i].status = RepoStatus::Incomplete;
        }
    }
    for v in &mut views {
        v.groups.sort();
    }
    views
}
