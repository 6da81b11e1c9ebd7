//! The migration plan behind the Markdown and HTML reports: an executive
//! summary, one section per credential group (files, metascopes and the
//! OAuth scopes observed for them, secrets and keys to rotate or delete,
//! the Developer Console migration steps, a checklist), and every finding.
//!
//! Built from the report alone (pure); the renderers only lay it out.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::{Report, STATUSES, status_of};
use crate::correlate::CredentialGroup;
use crate::engine::Detected;
use crate::finding::{Category, DeadlineInfo};

/// Adobe's migration guide (Developer Console).
pub const MIGRATION_GUIDE: &str = "https://developer.adobe.com/developer-console/docs/guides/authentication/ServerToServerAuthentication/migration/";
/// Adobe's OAuth Server-to-Server implementation guide.
pub const IMPLEMENTATION_GUIDE: &str = "https://developer.adobe.com/developer-console/docs/guides/authentication/ServerToServerAuthentication/implementation/";

/// The whole plan.
pub struct Plan<'a> {
    pub today: Date,
    pub fail_on: &'a str,
    pub gate_failed: bool,
    /// `FAILED`, `passed` or `passed, incomplete: ...`.
    pub gate_text: String,
    pub credentials: usize,
    /// Files with findings.
    pub files: usize,
    pub findings: usize,
    pub suppressed: usize,
    /// Findings per status, in [`STATUSES`] order.
    pub by_status: Vec<(&'static str, usize)>,
    /// Findings per category (only categories with findings).
    pub by_category: Vec<(Category, usize)>,
    /// Findings per (category, status).
    pub matrix: BTreeMap<(Category, &'static str), usize>,
    pub groups: Vec<GroupPlan<'a>>,
    /// Every finding, grouped by file (sorted).
    pub by_file: Vec<(&'a str, Vec<&'a Detected>)>,
    /// What the scan covered, e.g. "files changed since origin/main".
    pub scope: String,
}

/// One credential's part of the plan.
pub struct GroupPlan<'a> {
    pub group: &'a CredentialGroup,
    /// "Credential 1: client 0f1e…".
    pub title: String,
    /// Each metascope and the OAuth scopes observed for it (`None`: none
    /// known; copy the credential's list).
    pub metascopes: Vec<(String, Option<&'static [&'static str]>)>,
    /// The union of the observed scopes.
    pub oauth_scopes: Vec<String>,
    /// Secrets and keys to rotate or delete.
    pub cleanup: Vec<String>,
    /// Ordered migration steps: (title, detail).
    pub steps: Vec<(String, String)>,
    pub checklist: Vec<String>,
    pub findings: Vec<&'a Detected>,
}

/// A human "N days ago" / "in N days" / "today".
pub fn days_text(d: &DeadlineInfo) -> String {
    match d.days {
        n if n < 0 => format!("{} days ago", -n),
        0 => "today".to_string(),
        n => format!("in {n} days"),
    }
}

/// Builds the plan.
pub fn build<'a>(report: &'a Report<'a>) -> Plan<'a> {
    let scan = report.scan;
    let mut by_status: Vec<(&'static str, usize)> = STATUSES.iter().map(|s| (*s, 0)).collect();
    let mut by_category: BTreeMap<Category, usize> = BTreeMap::new();
    let mut matrix = BTreeMap::new();
    let mut files: BTreeMap<&str, Vec<&Detected>> = BTreeMap::new();
    for d in &scan.findings {
        let f = &d.finding;
        let st = status_of(f);
        if let Some(e) = by_status.iter_mut().find(|(s, _)| *s == st) {
            e.1 += 1;
        }
        *by_category.entry(f.category).or_default() += 1;
        *matrix.entry((f.category, st)).or_default() += 1;
        files.entry(f.location.path.as_str()).or_default().push(d);
    }
    let groups = scan
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| group_plan(report, i + 1, g))
        .collect();
    let scope = match &report.notes.mode {
        super::ScanMode::Tree => "the whole tree".to_string(),
        super::ScanMode::Since {
            reference,
            merge_base,
        } => format!(
            "files changed since {reference} (merge base {})",
            merge_base.chars().take(12).collect::<String>()
        ),
        super::ScanMode::Staged => "the staged changes".to_string(),
        super::ScanMode::History { commits, blobs } => {
            format!("the git history ({commits} commits, {blobs} distinct files)")
        }
    };
    Plan {
        today: report.today,
        fail_on: report.fail_on,
        gate_failed: report.gate_failed,
        gate_text: scan.gate_text(report.gate_failed),
        credentials: scan.groups.len(),
        files: files.len(),
        findings: scan.findings.len(),
        suppressed: scan.suppressed.len(),
        by_status,
        by_category: by_category.into_iter().collect(),
        matrix,
        groups,
        by_file: files.into_iter().collect(),
        scope,
    }
}

fn group_plan<'a>(report: &'a Report<'a>, n: usize, g: &'a CredentialGroup) -> GroupPlan<'a> {
    let findings: Vec<&Detected> = report
        .scan
        .findings
        .iter()
        .filter(|d| d.finding.group.as_deref() == Some(g.id.as_str()))
        .collect();
    let metascopes = g
        .metascopes
        .iter()
        .map(|m| (m.clone(), crate::verify::scopes::expected_scopes(m)))
        .collect();
    let oauth_scopes = crate::verify::scopes::scopes_for(&g.metascopes);
    let files_of = |cats: &[Category]| -> Vec<String> {
        let mut v: Vec<String> = findings
            .iter()
            .filter(|d| cats.contains(&d.finding.category))
            .map(|d| d.finding.location.path.clone())
            .collect();
        v.dedup();
        v
    };
    let code = files_of(&[
        Category::JwtExchange,
        Category::JwtClaims,
        Category::JwtLibrary,
    ]);
    let config = files_of(&[
        Category::JwtCredentialConfig,
        Category::Metascope,
        Category::PrivateKeyReference,
        Category::CiSecret,
    ]);
    let cleanup = cleanup(report, &findings, g);
    let scopes_text = if oauth_scopes.is_empty() {
        "No metascope was found in these files: copy the scopes list of the new credential.".into()
    } else {
        format!(
            "Observed for these metascopes: `{}`. Adobe publishes no mapping: use the new credential's own list.",
            oauth_scopes.join(",")
        )
    };
    let list = |v: &[String]| {
        if v.is_empty() {
            String::new()
        } else {
            format!(" Files: {}.", v.join(", "))
        }
    };
    let steps = vec![
        (
            "Add the OAuth Server-to-Server credential".to_string(),
            "In the Adobe Developer Console, open the project that holds this Service Account (JWT) \
             credential and choose \"Add equivalent OAuth Server-to-Server credential\". It gets the \
             same client id, technical account, APIs, scopes and product profiles, and its tokens have \
             identical access; both credentials work side by side during the migration."
                .to_string(),
        ),
        (
            "Copy the client secret and the scopes".to_string(),
            format!(
                "From the new credential's overview, copy its client secret and its scopes. {scopes_text}"
            ),
        ),
        (
            "Replace the JWT exchange in code".to_string(),
            format!(
                "Replace signing a JWT with the private key and posting it to /ims/exchange/jwt with one \
                 POST to https://ims-na1.adobelogin.com/ims/token/v3 (grant_type=client_credentials, \
                 client_id, client_secret, scope). Cache the token until it expires (expires_in is in \
                 seconds, usually 24 hours): Adobe may throttle integrations that fetch too many.{}",
                list(&code)
            ),
        ),
        (
            "Update configuration and CI secrets".to_string(),
            format!(
                "Remove the technical account, metascopes and private key settings; add the client \
                 secret and the scopes list.{}",
                list(&config)
            ),
        ),
        (
            "Deploy and verify".to_string(),
            "Deploy to every environment and check that tokens come from the OAuth credential \
             (`jwt2oauth verify` compares both flows). During the migration no APIs can be added to \
             the project and client secrets cannot be rotated."
                .to_string(),
        ),
        (
            "Delete the JWT credential".to_string(),
            "Once nothing uses the JWT credential, delete it in the Developer Console to complete the \
             migration (the Console removes it once it has been unused for 24 hours)."
                .to_string(),
        ),
        (
            "Rotate and remove the old secrets".to_string(),
            "Delete the private key and certificate everywhere they are stored, remove the JWT CI \
             secrets, and rotate the client secret if it was ever stored in code, config or history \
             (add a second secret, deploy it, then delete the old one)."
                .to_string(),
        ),
    ];
    let mut checklist = vec![
        "OAuth Server-to-Server credential added in the Developer Console".to_string(),
        "Scopes copied from the new credential (not from this report)".to_string(),
    ];
    if !code.is_empty() {
        checklist.push(format!(
            "Code switched to client_credentials: {}",
            code.join(", ")
        ));
    }
    if !config.is_empty() {
        checklist.push(format!(
            "Config and CI secrets updated: {}",
            config.join(", ")
        ));
    }
    checklist.push("Tokens verified in every environment".to_string());
    checklist.push("JWT credential deleted in the Developer Console".to_string());
    for c in &cleanup {
        checklist.push(c.clone());
    }
    if let Some(d) = &g.effective_deadline {
        checklist.push(format!(
            "Done before {} ({}, {})",
            d.date,
            d.status.as_str(),
            days_text(d)
        ));
    }
    GroupPlan {
        group: g,
        title: format!("Credential {n}: {}", g.label),
        metascopes,
        oauth_scopes,
        cleanup,
        steps,
        checklist,
        findings,
    }
}

/// The secrets and keys of a group to rotate or delete.
fn cleanup(report: &Report<'_>, findings: &[&Detected], g: &CredentialGroup) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for d in findings {
        let f = &d.finding;
        let at = format!("{}:{}", f.location.path, f.location.line);
        match f.category {
            Category::PrivateKey => push(format!(
                "Delete the private key {} (and every copy of it)",
                f.location.path
            )),
            Category::Certificate => push(format!("Delete the certificate {}", f.location.path)),
            Category::CiSecret => push(format!("Delete the JWT CI secret used at {at}")),
            Category::JwtCredentialConfig => push(format!(
                "Remove the JWT fields from {} and rotate the client secret stored there",
                f.location.path
            )),
            Category::PrivateKeyReference => {
                push(format!("Remove the private key reference at {at}"));
            }
            _ => {}
        }
        if let Some(o) = report.notes.history.get(&f.fingerprint)
            && o.removed
        {
            push(format!(
                "Rotate what {} held: removed, but still in git history (commit {})",
                o.path, o.commit
            ));
        }
    }
    for k in &g.key_references {
        push(format!("Delete the key file {k} wherever it is deployed"));
    }
    out
}
