//! The migration plan behind the Markdown and HTML reports: an executive
//! summary, the ordered migration steps once per kind of credential
//! (Developer Console JWT, App Builder / aio context, CI secrets, AEM
//! integration, wrapper libraries), one section per credential with only
//! what is its own (files and sites, identifiers redacted, metascopes and
//! the OAuth scopes observed for them, secrets and keys to rotate or
//! delete, its cut-off, its checklist), the usage sites not tied to a
//! credential per project, and every finding grouped per file.
//!
//! Built from the report alone (pure); the renderers only lay it out.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;

use super::{Report, STATUSES, status_of};
use crate::correlate::{CredentialGroup, UnattributedSites};
use crate::engine::Detected;
use crate::finding::{Category, DeadlineInfo};

/// Adobe's migration guide (Developer Console).
pub const MIGRATION_GUIDE: &str = "https://developer.adobe.com/developer-console/docs/guides/authentication/ServerToServerAuthentication/migration/";
/// Adobe's OAuth Server-to-Server implementation guide.
pub const IMPLEMENTATION_GUIDE: &str = "https://developer.adobe.com/developer-console/docs/guides/authentication/ServerToServerAuthentication/implementation/";

/// A kind of credential use, each with its own ordered steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Every Service Account (JWT) credential lives in the Developer Console.
    Console,
    /// App Builder / aio CLI contexts and `aio-apps-action`.
    AppBuilder,
    /// CI pipelines holding the JWT secrets.
    Ci,
    /// AEM integrations (Cloud Manager API, IMS configurations).
    Aem,
    /// Libraries that wrap the JWT flow (aanalytics2, umapi-client, User
    /// Sync Tool, PDF Services SDK).
    Wrapper,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Console,
        Kind::AppBuilder,
        Kind::Ci,
        Kind::Aem,
        Kind::Wrapper,
    ];

    /// The anchor id / short name.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Console => "console",
            Kind::AppBuilder => "app-builder",
            Kind::Ci => "ci",
            Kind::Aem => "aem",
            Kind::Wrapper => "wrapper",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::Console => "Developer Console JWT credential",
            Kind::AppBuilder => "App Builder / aio context",
            Kind::Ci => "CI secrets",
            Kind::Aem => "AEM integration",
            Kind::Wrapper => {
                "Wrapper libraries (aanalytics2, umapi-client, User Sync, PDF Services)"
            }
        }
    }

    /// When this kind's steps apply.
    pub fn intro(self) -> &'static str {
        match self {
            Kind::Console => {
                "Every Service Account (JWT) credential: do these for each credential below, in order."
            }
            Kind::AppBuilder => {
                "Credentials used through an aio CLI context or an App Builder workspace (`.aio`, `.env` `AIO_ims_contexts_*`, aio-lib-ims, `adobe/aio-apps-action`): in addition to the Console steps."
            }
            Kind::Ci => {
                "Credentials whose secrets a CI pipeline holds: in addition to the Console steps. The CI settings themselves are not in the repository, so this report cannot see them."
            }
            Kind::Aem => {
                "Developer Console JWT credentials used by AEM tooling (Cloud Manager API, IMS configurations): in addition to the Console steps. AEM as a Cloud Service service credentials from the AEM Developer Console are not deprecated and are listed as informational."
            }
            Kind::Wrapper => {
                "Credentials used through a library that wraps the JWT flow: in addition to the Console steps."
            }
        }
    }

    /// The ordered steps: (title, detail).
    pub fn steps(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Kind::Console => vec![
                (
                    "Add the OAuth Server-to-Server credential",
                    "In the Adobe Developer Console, open the project that holds the Service Account (JWT) \
                     credential and choose \"Add equivalent OAuth Server-to-Server credential\". It gets the \
                     same client id, technical account, APIs, scopes and product profiles, and its tokens have \
                     identical access; both credentials work side by side during the migration.",
                ),
                (
                    "Copy the client secret and the scopes",
                    "From the new credential's overview, copy its client secret and its scopes. The scopes \
                     observed for each credential's metascopes are in its section; Adobe publishes no mapping: \
                     use the new credential's own list.",
                ),
                (
                    "Replace the JWT exchange in code",
                    "Replace signing a JWT with the private key and posting it to /ims/exchange/jwt with one \
                     POST to https://ims-na1.adobelogin.com/ims/token/v3 (grant_type=client_credentials, \
                     client_id, client_secret, scope). Cache the token until it expires (expires_in is in \
                     seconds, usually 24 hours): Adobe may throttle integrations that fetch too many.",
                ),
                (
                    "Update configuration and secrets",
                    "Remove the technical account, metascopes and private key settings; add the client \
                     secret and the scopes list.",
                ),
                (
                    "Deploy and verify",
                    "Deploy to every environment and check that tokens come from the OAuth credential \
                     (`jwt2oauth verify` compares both flows). During the migration no APIs can be added to \
                     the project and client secrets cannot be rotated.",
                ),
                (
                    "Delete the JWT credential",
                    "Once nothing uses the JWT credential, delete it in the Developer Console to complete the \
                     migration (the Console removes it once it has been unused for 24 hours).",
                ),
                (
                    "Rotate and remove the old secrets",
                    "Delete the private key and certificate everywhere they are stored, and rotate the client \
                     secret if it was ever stored in code, config or history (add a second secret, deploy it, \
                     then delete the old one).",
                ),
            ],
            Kind::AppBuilder => vec![
                (
                    "Add the credential in every workspace",
                    "Add the equivalent OAuth Server-to-Server credential in each workspace the app uses \
                     (Stage, Production, ...), not only one.",
                ),
                (
                    "Refresh the local context",
                    "Download the workspace again and run `aio app use` on it (or edit the context): the \
                     context gets `client_secrets` (a list), `scopes` and `technical_account_email` instead of \
                     `private_key` and `meta_scopes`; in `.env` these are \
                     `AIO_ims_contexts_<ctx>_client__secrets`, `_scopes` and `_technical__account__email`.",
                ),
                (
                    "Switch aio-lib-ims to the OAuth context",
                    "Replace `exchangeJwtToken` and `@adobe/aio-lib-ims-jwt` with `context.set(name, { \
                     client_id, client_secrets: [secret], org_id, scopes })` and `getToken(name)` (aio-lib-ims \
                     7+).",
                ),
                (
                    "Switch the deploy action",
                    "In GitHub Actions, `adobe/aio-apps-action` `command: auth` becomes `command: oauth_sts` \
                     with CLIENTID, CLIENTSECRET, TECHNICALACCOUNTID, TECHNICALACCOUNTEMAIL, IMSORGID and \
                     SCOPES; then delete the KEY secret.",
                ),
            ],
            Kind::Ci => vec![
                (
                    "Store the new secrets",
                    "Add the OAuth Server-to-Server credential's CLIENT_ID, CLIENT_SECRET and SCOPES to every \
                     pipeline and environment that holds the JWT secrets.",
                ),
                (
                    "Switch the jobs",
                    "Point the jobs at the new secrets and stop passing the private key, passphrase, \
                     technical account and metascopes.",
                ),
                (
                    "Delete the JWT secrets from the CI settings",
                    "Once the jobs run on the new secrets, delete the private-key, passphrase and metascope \
                     secrets from the CI settings (repository, organization and environment level).",
                ),
            ],
            Kind::Aem => vec![
                (
                    "List the AEM integrations on this credential",
                    "Cloud Manager API clients and AEM IMS configurations (Adobe Target, Analytics, Asset \
                     Compute) that name this credential's client id or technical account.",
                ),
                (
                    "Update each integration",
                    "Give each integration the OAuth Server-to-Server credential's client id, client secret \
                     and scopes, and remove its private key and certificate; the Cloud Manager API takes the \
                     token from /ims/token/v3 like any other client.",
                ),
            ],
            Kind::Wrapper => vec![
                (
                    "Upgrade the library",
                    "umapi-client 3.0+ (`umapi_client.OAuthS2S(client_id, client_secret)`), aanalytics2 0.4.0+ \
                     and current aepp/cjapy (`configure(..., secret=..., scopes=..., oauth=True)`), a User Sync \
                     Tool release with OAuth support, PDF Services SDK `ServicePrincipalCredentials(clientId, \
                     clientSecret)`.",
                ),
                (
                    "Move its configuration to OAuth",
                    "Replace `tech_id`/`tech_acct`, `pathToKey`/`priv_key_path` and metascopes with the client \
                     secret and scopes; User Sync's connector-umapi.yml gets `authentication_method: oauth`; \
                     pdfservices-api-credentials.json keeps `client_credentials` only.",
                ),
            ],
        }
    }
}

/// The kinds a set of findings shows (always the Console kind first).
pub fn kinds_of(findings: &[&Detected], metascopes: &[String]) -> Vec<Kind> {
    let mut kinds = BTreeSet::from([Kind::Console]);
    for d in findings {
        let f = &d.finding;
        let path = f.location.path.to_ascii_lowercase();
        let name = path.rsplit('/').next().unwrap_or(&path);
        let snippet = f.snippet.to_ascii_lowercase();
        if matches!(
            f.rule_id.as_str(),
            "aio-lib-ims-exchange-jwt"
                | "aio-apps-action-jwt-auth"
                | "console-workspace-jwt-credential"
        ) || name == ".aio"
            || snippet.contains("aio_ims_contexts")
            || snippet.contains("aio-lib-ims")
        {
            kinds.insert(Kind::AppBuilder);
        }
        if f.category == Category::CiSecret {
            kinds.insert(Kind::Ci);
        }
        if path.contains("cloudmanager")
            || path.contains("cloud-manager")
            || path.split('/').any(|s| s == "aem")
            || snippet.contains(crate::ims::CLOUD_MANAGER_METASCOPE)
        {
            kinds.insert(Kind::Aem);
        }
        if matches!(
            f.rule_id.as_str(),
            "umapi-client-jwtauth"
                | "python-jwt-only-versions"
                | "adobe-python-wrapper-jwt"
                | "pdf-services-service-account"
                | "user-sync-jwt-enterprise"
        ) {
            kinds.insert(Kind::Wrapper);
        }
    }
    if metascopes
        .iter()
        .any(|m| m == crate::ims::CLOUD_MANAGER_METASCOPE)
    {
        kinds.insert(Kind::Aem);
    }
    kinds.into_iter().collect()
}

/// A kind's steps and who they apply to.
pub struct KindPlan {
    pub kind: Kind,
    /// (anchor id, title) of the credentials of this kind.
    pub credentials: Vec<(String, String)>,
    /// Projects whose unattributed sites show this kind.
    pub unattributed_projects: Vec<String>,
}

/// The findings of one file.
pub struct FileSites<'a> {
    pub path: &'a str,
    pub findings: Vec<&'a Detected>,
}

impl FileSites<'_> {
    /// Every line to change: each finding's line and its related lines,
    /// sorted, without duplicates.
    pub fn lines(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .findings
            .iter()
            .flat_map(|d| {
                std::iter::once(d.finding.location.line)
                    .chain(d.finding.related.iter().map(|r| r.line))
            })
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The categories of its findings, sorted.
    pub fn categories(&self) -> Vec<Category> {
        let set: BTreeSet<Category> = self.findings.iter().map(|d| d.finding.category).collect();
        set.into_iter().collect()
    }
}

/// The whole plan.
pub struct Plan<'a> {
    pub today: Date,
    pub fail_on: &'a str,
    pub gate_failed: bool,
    /// `FAILED`, `passed` or `passed, incomplete: ...`.
    pub gate_text: String,
    /// Identified credentials.
    pub credentials: usize,
    /// Projects with JWT usage (findings that count for the gate).
    pub projects: usize,
    /// Files with findings.
    pub files: usize,
    pub findings: usize,
    /// Findings that never count (oauth-s2s, aem-service).
    pub informational: usize,
    /// JWT findings tied to no credential.
    pub unattributed_findings: usize,
    pub suppressed: usize,
    /// Findings per status, in [`STATUSES`] order.
    pub by_status: Vec<(&'static str, usize)>,
    /// Findings per category (only categories with findings).
    pub by_category: Vec<(Category, usize)>,
    /// Findings per (category, status).
    pub matrix: BTreeMap<(Category, &'static str), usize>,
    /// The kinds in use, in [`Kind::ALL`] order.
    pub kinds: Vec<KindPlan>,
    pub groups: Vec<GroupPlan<'a>>,
    pub unattributed: Vec<UnattributedPlan<'a>>,
    /// Every finding, grouped by file (sorted).
    pub by_file: Vec<FileSites<'a>>,
    /// Per file, where it belongs: (anchor id, title) of its credential, or
    /// of its unattributed project, or none (informational only).
    pub owner: BTreeMap<&'a str, (String, String)>,
    /// What the scan covered, e.g. "files changed since origin/main".
    pub scope: String,
}

/// One credential's part of the plan.
pub struct GroupPlan<'a> {
    pub group: &'a CredentialGroup,
    /// "Credential 1: client 0f1e…e1f0".
    pub title: String,
    /// How it was identified, in words ("client id, technical account").
    pub identified_text: String,
    /// Identifiers, redacted: (label, values).
    pub identifiers: Vec<(&'static str, Vec<String>)>,
    pub kinds: Vec<Kind>,
    /// Its files and their findings.
    pub sites: Vec<FileSites<'a>>,
    /// Each metascope and the OAuth scopes observed for it (`None`: none
    /// known; copy the credential's list).
    pub metascopes: Vec<(String, Option<&'static [&'static str]>)>,
    /// The union of the observed scopes.
    pub oauth_scopes: Vec<String>,
    /// Secrets and keys to rotate or delete.
    pub cleanup: Vec<String>,
    pub checklist: Vec<String>,
}

/// JWT usage in one project that is tied to no credential.
pub struct UnattributedPlan<'a> {
    pub sites: &'a UnattributedSites,
    /// Anchor id.
    pub id: String,
    pub kinds: Vec<Kind>,
    pub files: Vec<FileSites<'a>>,
}

/// A human "N days ago" / "in N days" / "today".
pub fn days_text(d: &DeadlineInfo) -> String {
    match d.days {
        n if n < 0 => format!("{} days ago", -n),
        0 => "today".to_string(),
        n => format!("in {n} days"),
    }
}

/// A status bucket as a reader says it (`none` is informational).
pub fn status_label(s: &str) -> &str {
    if s == "none" { "informational" } else { s }
}

/// An identifier shortened for a report: the first and last 4 characters
/// of its local part (client ids, technical accounts, org ids, Console
/// ids), a fingerprint's first 8 hex digits. Full values are in the JSON.
pub fn redact_id(s: &str) -> String {
    if let Some(hex) = s.strip_prefix("sha256:") {
        return format!("sha256:{}…", hex.chars().take(8).collect::<String>());
    }
    let (prefix, value) = match s.split_once(' ') {
        Some((p, v)) => (format!("{p} "), v),
        None => (String::new(), s),
    };
    let (local, domain) = match value.split_once('@') {
        Some((l, d)) => (l, format!("@{d}")),
        None => (value, String::new()),
    };
    let chars: Vec<char> = local.chars().collect();
    if chars.len() <= 10 {
        return format!("{prefix}{local}{domain}");
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}{head}…{tail}{domain}")
}

/// An identifier kind in words.
pub fn kind_words(kind: &str) -> &str {
    match kind {
        "client-id" => "client id",
        "technical-account" => "technical account",
        "console-project" => "Console project/workspace",
        "key-fingerprint" => "key fingerprint",
        "key-file" => "key file",
        "key-path" => "key path",
        "org" => "org id",
        "project-root" => "project root",
        k => k,
    }
}

fn group_sites<'a>(findings: impl Iterator<Item = &'a Detected>) -> Vec<FileSites<'a>> {
    let mut files: BTreeMap<&str, Vec<&Detected>> = BTreeMap::new();
    for d in findings {
        files
            .entry(d.finding.location.path.as_str())
            .or_default()
            .push(d);
    }
    files
        .into_iter()
        .map(|(path, findings)| FileSites { path, findings })
        .collect()
}

/// Builds the plan.
pub fn build<'a>(report: &'a Report<'a>) -> Plan<'a> {
    let scan = report.scan;
    let mut by_status: Vec<(&'static str, usize)> = STATUSES.iter().map(|s| (*s, 0)).collect();
    let mut by_category: BTreeMap<Category, usize> = BTreeMap::new();
    let mut matrix = BTreeMap::new();
    let mut projects: BTreeSet<&str> = BTreeSet::new();
    let mut informational = 0;
    for d in &scan.findings {
        let f = &d.finding;
        let st = status_of(f);
        if let Some(e) = by_status.iter_mut().find(|(s, _)| *s == st) {
            e.1 += 1;
        }
        *by_category.entry(f.category).or_default() += 1;
        *matrix.entry((f.category, st)).or_default() += 1;
        if f.category.counts_for_gate() {
            projects.insert(f.project.as_deref().unwrap_or("."));
        } else {
            informational += 1;
        }
    }
    let groups: Vec<GroupPlan<'a>> = scan
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| group_plan(report, i + 1, g))
        .collect();
    let unattributed: Vec<UnattributedPlan<'a>> = scan
        .unattributed
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let files = group_sites(scan.findings.iter().filter(|d| {
                d.finding.group.is_none()
                    && d.finding.category.counts_for_gate()
                    && u.files.contains(&d.finding.location.path)
            }));
            let all: Vec<&Detected> = files.iter().flat_map(|f| f.findings.clone()).collect();
            UnattributedPlan {
                sites: u,
                id: format!("unattributed-{}", i + 1),
                kinds: kinds_of(&all, &[]),
                files,
            }
        })
        .collect();
    let mut owner: BTreeMap<&'a str, (String, String)> = BTreeMap::new();
    for g in &groups {
        for f in &g.group.files {
            owner.insert(f.as_str(), (g.group.id.clone(), g.title.clone()));
        }
    }
    for u in &unattributed {
        for f in &u.sites.files {
            owner.insert(
                f.as_str(),
                (
                    u.id.clone(),
                    format!("Not tied to a credential (project {})", u.sites.project),
                ),
            );
        }
    }
    let kinds = Kind::ALL
        .iter()
        .filter_map(|&kind| {
            let credentials: Vec<(String, String)> = groups
                .iter()
                .filter(|g| g.kinds.contains(&kind))
                .map(|g| (g.group.id.clone(), g.title.clone()))
                .collect();
            let unattributed_projects: Vec<String> = unattributed
                .iter()
                .filter(|u| u.kinds.contains(&kind))
                .map(|u| u.sites.project.clone())
                .collect();
            (!credentials.is_empty() || !unattributed_projects.is_empty()).then_some(KindPlan {
                kind,
                credentials,
                unattributed_projects,
            })
        })
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
    let by_file = group_sites(scan.findings.iter());
    Plan {
        today: report.today,
        fail_on: report.gate.name(),
        gate_failed: report.verdict.failed,
        gate_text: report.verdict.text(),
        credentials: scan.groups.len(),
        projects: projects.len(),
        files: by_file.len(),
        findings: scan.findings.len(),
        informational,
        unattributed_findings: scan.unattributed.iter().map(|u| u.findings).sum(),
        suppressed: scan.suppressed.len(),
        by_status,
        by_category: by_category.into_iter().collect(),
        matrix,
        kinds,
        groups,
        unattributed,
        by_file,
        owner,
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
        .map(|m| (m.clone(), crate::ims::scopes::expected_scopes(m)))
        .collect();
    let oauth_scopes = crate::ims::scopes::scopes_for(&g.metascopes);
    let kinds = kinds_of(&findings, &g.metascopes);
    let files_of = |cats: &[Category]| -> Vec<String> {
        let set: BTreeSet<&str> = findings
            .iter()
            .filter(|d| cats.contains(&d.finding.category))
            .map(|d| d.finding.location.path.as_str())
            .collect();
        set.into_iter().map(str::to_string).collect()
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
    ]);
    let ci = files_of(&[Category::CiSecret]);
    let cleanup = cleanup(report, &findings, g);
    let label = redacted_label(g);
    let mut checklist = vec![format!(
        "OAuth Server-to-Server credential added for {label} and its scopes copied"
    )];
    if !code.is_empty() {
        checklist.push(format!(
            "Code switched to client_credentials: {}",
            code.join(", ")
        ));
    }
    if !config.is_empty() {
        checklist.push(format!("Configuration updated: {}", config.join(", ")));
    }
    if !ci.is_empty() {
        checklist.push(format!(
            "CI jobs on the new secrets, JWT secrets deleted: {}",
            ci.join(", ")
        ));
    }
    if kinds.contains(&Kind::AppBuilder) {
        checklist.push("aio contexts of every workspace switched to OAuth".to_string());
    }
    if kinds.contains(&Kind::Aem) {
        checklist.push("AEM integrations updated".to_string());
    }
    if kinds.contains(&Kind::Wrapper) {
        checklist.push("Wrapper library upgraded and configured for OAuth".to_string());
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
    let mut identified_text = g
        .identified_by
        .iter()
        .filter(|k| *k != "project-root")
        .map(|k| kind_words(k))
        .collect::<Vec<_>>()
        .join(", ");
    if !g.attached_files.is_empty() {
        identified_text.push_str(&format!(
            "; {} more file{} of {} joined through the project root",
            g.attached_files.len(),
            if g.attached_files.len() == 1 { "" } else { "s" },
            if g.project == "." {
                "the scanned root".to_string()
            } else {
                format!("project {}", g.project)
            }
        ));
    }
    let redact_all = |v: &[String]| v.iter().map(|x| redact_id(x)).collect::<Vec<_>>();
    let identifiers = vec![
        ("Client ids", redact_all(&g.client_ids)),
        ("Technical accounts", redact_all(&g.technical_accounts)),
        ("Organizations", redact_all(&g.org_ids)),
        ("Console projects", redact_all(&g.console_projects)),
        ("Key files referenced", g.key_references.clone()),
        (
            "Key fingerprints (SHA-256, truncated)",
            redact_all(&g.key_fingerprints),
        ),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    GroupPlan {
        group: g,
        title: format!("Credential {n}: {label}"),
        identified_text,
        identifiers,
        kinds,
        sites: group_sites(findings.iter().copied()),
        metascopes,
        oauth_scopes,
        cleanup,
        checklist,
    }
}

/// The group's label with its identifier redacted.
fn redacted_label(g: &CredentialGroup) -> String {
    match g.label.split_once(' ') {
        Some((what @ ("client" | "org"), v)) => format!("{what} {}", redact_id(v)),
        Some(("technical", v)) => match v.split_once(' ') {
            Some((acct, id)) => format!("technical {acct} {}", redact_id(id)),
            None => g.label.clone(),
        },
        Some(("Console", v)) => format!("Console {}", redact_id(v)),
        Some(("key", v)) if v.starts_with("sha256:") => format!("key {}", redact_id(v)),
        _ => g.label.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_shortened() {
        assert_eq!(redact_id("3f2b9c1d4e5f60718293a4b5c6d7e8f9"), "3f2b…e8f9");
        assert_eq!(
            redact_id("1234567890ABCDEF12345678@techacct.adobe.com"),
            "1234…5678@techacct.adobe.com"
        );
        assert_eq!(
            redact_id("project 4566206088344794932"),
            "project 4566…4932"
        );
        assert_eq!(
            redact_id("sha256:0123456789abcdef01234567"),
            "sha256:01234567…"
        );
        assert_eq!(redact_id("short"), "short");
    }

    #[test]
    fn every_kind_has_distinct_steps() {
        let mut seen = BTreeSet::new();
        for k in Kind::ALL {
            assert!(!k.steps().is_empty());
            for (title, detail) in k.steps() {
                assert!(seen.insert(title), "{title}");
                assert!(seen.insert(detail), "{detail}");
            }
        }
    }
}
