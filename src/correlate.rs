//! Correlation: one JWT credential usually spans several files (code reads
//! the key file, a CI workflow passes the secrets, a config names the
//! technical account). Files whose findings share an identifier (client id,
//! technical account, key fingerprint) or reference each other (a key path)
//! form one credential group; a group whose files show independent kinds of
//! evidence raises its findings' confidence.
//!
//! A file of a project (the nearest directory holding a manifest or `.git`,
//! see [`ProjectRoots`]) that carries no identifier of its own (a
//! `package.json` pinning `@adobe/jwt-auth`, code that signs with a key read
//! through a variable) joins that project's credential. What no identifier
//! and no project ties to a credential is listed per project as usage sites
//! not tied to a credential, never as a credential of its own.
//!
//! Identifiers here are public ones (client ids, technical accounts, org
//! ids, key paths, hashes of keys), never secrets.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::Detected;
use crate::finding::{Category, Confidence, DeadlineInfo};

/// Identifiers found in one file with findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileIdentifiers {
    pub client_ids: BTreeSet<String>,
    pub technical_accounts: BTreeSet<String>,
    pub org_ids: BTreeSet<String>,
    pub metascopes: BTreeSet<String>,
    /// Paths of key files this file references (as written).
    pub key_references: BTreeSet<String>,
    /// SHA-256 (hex, truncated) of private keys or certificates' public keys
    /// in this file, so a key and its certificate or copies link up.
    pub key_fingerprints: BTreeSet<String>,
    /// Developer Console project and workspace ids (`project 4566...`,
    /// `workspace 4566...`).
    pub console_projects: BTreeSet<String>,
}

/// The kinds of identifier that make a credential, in the order reported.
pub const IDENTIFIER_KINDS: [&str; 7] = [
    "client-id",
    "technical-account",
    "console-project",
    "key-fingerprint",
    "key-file",
    "key-path",
    "org",
];

/// File names that mark a package or app root.
const PROJECT_MARKERS: [&str; 19] = [
    "package.json",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    "Pipfile",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "settings.gradle",
    "settings.gradle.kts",
    "go.mod",
    "composer.json",
    "Gemfile",
    "Cargo.toml",
    // An R package's metadata (its NAMESPACE and R/ sit beside it).
    "DESCRIPTION",
    "app.config.yaml",
    ".aio",
    ".git",
];

/// Whether a file (or directory) of this name marks a project root.
pub fn is_project_marker(name: &str) -> bool {
    PROJECT_MARKERS.contains(&name)
        || dotnet_project_file(name)
        || name.ends_with(".sln")
        || name.ends_with(".psd1")
}

/// A .NET project file: its directory is a project of the solution above
/// it, if there is one.
fn dotnet_project_file(name: &str) -> bool {
    name.ends_with(".csproj") || name.ends_with(".fsproj") || name.ends_with(".vbproj")
}

/// Whether an entry of this name records an installed Python distribution
/// (`boto3-1.40.0.dist-info`, `foo.egg-info`): its directory is an install
/// target (`site-packages`, a Lambda bundle made with `pip install
/// --target`), where each package is a project with no manifest of its own.
pub fn is_install_record(name: &str) -> bool {
    name.ends_with(".dist-info") || name.ends_with(".egg-info")
}

/// The project roots of a scan: directories (as reported, `""` for the
/// scan root) holding a manifest or `.git`, plus each scanned root, plus
/// each package of a Python install target. The one place that says which
/// project a file is in, for correlation and for the cross-file pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectRoots {
    dirs: BTreeSet<String>,
    /// Directories holding [`is_install_record`] entries: each directory
    /// in one is a project root.
    install_targets: BTreeSet<String>,
    /// Directories holding a Maven or Gradle build file: a module directly
    /// under another one is part of that build (a reactor's `core/` and
    /// `all/` modules), so the project is the outermost of the chain.
    jvm_builds: BTreeSet<String>,
    /// Directories holding a .NET project file, and those holding a
    /// solution (`*.sln`): a project under a solution is part of it (a
    /// `JwtProvider` library project and the API project that gives it the
    /// Adobe claims), so the project is the solution's directory.
    dotnet_projects: BTreeSet<String>,
    solutions: BTreeSet<String>,
    /// Directories holding `.git`: a solution is never looked for past one.
    git_roots: BTreeSet<String>,
    /// Directories holding a marker file or `.git` (not just scanned).
    marked: BTreeSet<String>,
}

/// Build files of Maven and Gradle, whose modules nest in one build.
fn is_jvm_build(name: &str) -> bool {
    matches!(
        name,
        "pom.xml" | "build.gradle" | "build.gradle.kts" | "settings.gradle" | "settings.gradle.kts"
    )
}

impl ProjectRoots {
    /// Adds a project root directory (as reported).
    pub fn add_dir(&mut self, dir: &str) {
        self.dirs.insert(dir.trim_end_matches('/').to_string());
    }

    /// Notes a marker file or `.git` (its reported path): its directory is
    /// a project root.
    pub fn note_marker(&mut self, path: &str) {
        self.add_dir(parent(path));
        self.marked
            .insert(parent(path).trim_end_matches('/').to_string());
        let name = path.rsplit('/').next().unwrap_or(path);
        let dir = parent(path).trim_end_matches('/').to_string();
        if is_jvm_build(name) {
            self.jvm_builds.insert(dir);
        } else if dotnet_project_file(name) {
            self.dotnet_projects.insert(dir);
        } else if name.ends_with(".sln") {
            self.solutions.insert(dir);
        } else if name == ".git" {
            self.git_roots.insert(dir);
        }
    }

    /// Notes an [`is_install_record`] entry (its reported path): its
    /// directory is an install target.
    pub fn note_install_record(&mut self, path: &str) {
        self.install_targets.insert(parent(path).to_string());
    }

    /// Notes whatever a file's reported path says about projects: a marker
    /// file name, and an install record among its directories (for scans
    /// that see files, not directories: git blobs).
    pub fn note_file(&mut self, path: &str) {
        if is_project_marker(path.rsplit('/').next().unwrap_or(path)) {
            self.note_marker(path);
        }
        let mut dir = parent(path);
        while !dir.is_empty() {
            if is_install_record(dir.rsplit('/').next().unwrap_or(dir)) {
                self.note_install_record(dir);
            }
            dir = parent(dir);
        }
    }

    /// Adds every root of `other`.
    pub fn extend(&mut self, other: ProjectRoots) {
        self.dirs.extend(other.dirs);
        self.install_targets.extend(other.install_targets);
        self.jvm_builds.extend(other.jvm_builds);
        self.dotnet_projects.extend(other.dotnet_projects);
        self.solutions.extend(other.solutions);
        self.git_roots.extend(other.git_roots);
        self.marked.extend(other.marked);
    }

    /// The project root holding `path`: its nearest ancestor directory that
    /// is a root or a package of an install target, else the scan root
    /// (`""`).
    pub fn project_of<'a>(&'a self, path: &'a str) -> &'a str {
        let mut dir = parent(path);
        loop {
            if let Some(d) = self.dirs.get(dir) {
                return self.solution_of(self.outermost_module(d));
            }
            if dir.is_empty() {
                return "";
            }
            let up = parent(dir);
            if self.install_targets.contains(up) {
                return dir;
            }
            dir = up;
        }
    }

    /// A Maven or Gradle module's build: up through each parent directory
    /// that holds a build file too.
    fn outermost_module<'a>(&'a self, mut d: &'a str) -> &'a str {
        while !d.is_empty() && self.jvm_builds.contains(d) {
            match self.jvm_builds.get(parent(d)) {
                Some(up) => d = up,
                None => break,
            }
        }
        d
    }

    /// A .NET project's solution: the nearest directory above it holding a
    /// `*.sln`, not past another project root of a different kind (the
    /// repository's `.git` directory is the solution's only if the `.sln`
    /// is there).
    fn solution_of<'a>(&'a self, d: &'a str) -> &'a str {
        if !self.dotnet_projects.contains(d)
            || self.solutions.contains(d)
            || self.git_roots.contains(d)
        {
            return d;
        }
        let mut up = d;
        while !up.is_empty() {
            up = parent(up).trim_end_matches('/');
            if let Some(s) = self.solutions.get(up) {
                return s;
            }
            if self.git_roots.contains(up)
                || (self.dirs.contains(up) && !self.dotnet_projects.contains(up))
            {
                break;
            }
        }
        d
    }

    /// The project that holds `project` (as reported): a nested package's
    /// parent (a Node helper with its own `package.json` in a Go service's
    /// tree). Never past a `.git`, and never the scan root when that is no
    /// project itself (a directory of checkouts).
    pub fn enclosing_project<'a>(&'a self, project: &'a str) -> Option<&'a str> {
        if project.is_empty() || self.git_roots.contains(project) {
            return None;
        }
        let up = self.project_of(project);
        // A scanned root of a multi-root scan is a project only with a
        // marker of its own.
        (up != project && self.marked.contains(up)).then_some(up)
    }

    /// Whether the project root `project` is an installed dependency: a
    /// package of a Python install target, or a directory under a package
    /// manager's install directory (`node_modules`, `site-packages`,
    /// `vendor`, ...).
    pub fn is_installed(&self, project: &str) -> bool {
        !project.is_empty()
            && (self.install_targets.contains(parent(project))
                || project.split('/').any(|c| {
                    matches!(
                        c,
                        "node_modules"
                            | "bower_components"
                            | "site-packages"
                            | "dist-packages"
                            | "vendor"
                    )
                }))
    }

    /// Whether `path` is in (or is) the project root `project`.
    pub fn in_project(path: &str, project: &str) -> bool {
        project.is_empty()
            || path == project
            || path
                .strip_prefix(project)
                .is_some_and(|r| r.starts_with('/'))
    }
}

/// What correlation found: the credentials and the usage sites it could
/// not tie to one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Correlation {
    pub groups: Vec<CredentialGroup>,
    /// Per project (sorted), the files whose JWT findings no identifier and
    /// no project root ties to a credential.
    pub unattributed: Vec<UnattributedSites>,
}

/// JWT usage in one project that is tied to no credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnattributedSites {
    /// The project root (`.` for the scan root).
    pub project: String,
    pub files: Vec<String>,
    pub categories: Vec<Category>,
    pub findings: usize,
    pub effective_deadline: Option<DeadlineInfo>,
}

/// One Adobe JWT credential as seen across the scanned files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialGroup {
    /// Stable id: `cred-` + a hash of the group's sorted files.
    pub id: String,
    /// A short human label (client id, technical account or first file).
    pub label: String,
    /// The kinds of identifier that tie its files ([`IDENTIFIER_KINDS`]),
    /// plus `project-root` when files without one joined through their
    /// project. Never empty.
    pub identified_by: Vec<String>,
    /// The project root most of its files are in (`.` for the scan root).
    pub project: String,
    /// Every project root its files are in, sorted.
    pub projects: Vec<String>,
    /// Files that joined through their project root: no identifier of
    /// their own, or only a key (or org) where the project has one
    /// credential with a client id, technical account or Console project.
    pub attached_files: Vec<String>,
    pub client_ids: Vec<String>,
    pub technical_accounts: Vec<String>,
    pub org_ids: Vec<String>,
    pub console_projects: Vec<String>,
    pub metascopes: Vec<String>,
    pub key_references: Vec<String>,
    pub key_fingerprints: Vec<String>,
    /// Files of the group, sorted.
    pub files: Vec<String>,
    pub categories: Vec<Category>,
    pub findings: usize,
    /// The earliest deadline of the group's findings (a certificate's expiry
    /// when it comes before the rule's date).
    pub effective_deadline: Option<DeadlineInfo>,
    pub confidence: Confidence,
    /// Names of the repositories its files are in, sorted (set after
    /// correlation, see `ScanReport::set_repositories`; empty outside git).
    pub repositories: Vec<String>,
}

/// Groups findings into credentials, sets each finding's `group` and
/// `project`, raises confidence where independent evidence agrees, and
/// returns the groups sorted by id with the sites tied to none.
/// `identifiers` maps a file path to what was found in it; `projects` holds
/// the scan's project roots.
pub fn correlate(
    findings: &mut Vec<Detected>,
    identifiers: &BTreeMap<String, FileIdentifiers>,
    projects: &ProjectRoots,
) -> Correlation {
    keep_project_backed(findings, projects);
    drop_locks_of_flagged_manifests(findings);
    // Key material that is not Adobe's by itself (a bare private key, a
    // certificate not named by the Console) stays only when its group holds
    // a finding from another file that is Adobe's on its own.
    if findings.iter().any(|d| d.finding.requires_link) {
        // Identifier links only: a project root vouches for no key.
        let (files, mut uf) = union_files(findings, identifiers, projects);
        let root: BTreeMap<&str, usize> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.as_str(), uf.find(i)))
            .collect();
        // Per component, the files holding findings that are Adobe's on their own.
        let mut anchors: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
        for d in findings.iter().filter(|d| !d.finding.requires_link) {
            if let Some(&r) = root.get(d.finding.location.path.as_str()) {
                anchors
                    .entry(r)
                    .or_default()
                    .insert(&d.finding.location.path);
            }
        }
        let keep: Vec<bool> = findings
            .iter()
            .map(|d| {
                let f = &d.finding;
                !f.requires_link
                    || root
                        .get(f.location.path.as_str())
                        .and_then(|r| anchors.get(r))
                        .is_some_and(|files| files.iter().any(|p| *p != f.location.path))
            })
            .collect();
        let mut i = 0;
        findings.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
    link(findings, identifiers, projects)
}

/// Lock files and the manifest each one locks (`*` matches any name).
const LOCKS: [(&str, &str); 11] = [
    ("package-lock.json", "package.json"),
    ("npm-shrinkwrap.json", "package.json"),
    ("yarn.lock", "package.json"),
    ("pnpm-lock.yaml", "package.json"),
    ("poetry.lock", "pyproject.toml"),
    ("uv.lock", "pyproject.toml"),
    ("Pipfile.lock", "Pipfile"),
    ("composer.lock", "composer.json"),
    ("Gemfile.lock", "Gemfile"),
    ("go.sum", "go.mod"),
    ("packages.lock.json", "*.csproj"),
];

/// Drops the findings of a lock file whose manifest (beside it) holds a
/// finding of the same rule: the lock is regenerated when the manifest is
/// changed, so its pins add nothing to the migration (and the gate fails on
/// the manifest anyway). A lock whose manifest says nothing (the JWT-only
/// version comes only from the lock, a range in the manifest) keeps them.
fn drop_locks_of_flagged_manifests(findings: &mut Vec<Detected>) {
    let manifest_rules: BTreeSet<(&str, &str)> = findings
        .iter()
        .map(|d| &d.finding)
        .filter(|f| f.category.counts_for_gate())
        .map(|f| (f.location.path.as_str(), f.rule_id.as_str()))
        .collect();
    let flagged = |lock: &str, rule: &str| {
        let (dir, name) = lock.rsplit_once('/').map_or(("", lock), |(d, n)| (d, n));
        let Some((_, manifest)) = LOCKS.iter().find(|(l, _)| *l == name) else {
            return false;
        };
        manifest_rules.iter().any(|(p, r)| {
            *r == rule && parent(p) == dir && {
                let n = p.rsplit('/').next().unwrap_or(p);
                match manifest.strip_prefix('*') {
                    Some(ext) => n.ends_with(ext),
                    None => n == *manifest,
                }
            }
        })
    };
    let drop: Vec<bool> = findings
        .iter()
        .map(|d| flagged(&d.finding.location.path, &d.finding.rule_id))
        .collect();
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
}

/// Drops findings that need Adobe evidence in their project (a manifest
/// pinning PyJWT or jsonwebtoken, a key loader beside the code that signs)
/// where no file under the finding's directory or its project root (the
/// nearest directory with a manifest or `.git`) holds a finding of a needed
/// category from a rule that needs nothing itself.
fn keep_project_backed(findings: &mut Vec<Detected>, projects: &ProjectRoots) {
    if findings
        .iter()
        .all(|d| d.finding.needs_in_project.is_empty())
    {
        return;
    }
    let anchors: BTreeSet<(Category, &str)> = findings
        .iter()
        .map(|d| &d.finding)
        .filter(|f| f.needs_in_project.is_empty() && !f.requires_link)
        .map(|f| (f.category, f.location.path.as_str()))
        .collect();
    // Lines (with their related sites) that findings needing nothing of
    // their project already report, per file: the finding that does.
    let mut covered: BTreeMap<(String, u32), usize> = BTreeMap::new();
    for (i, d) in findings.iter().enumerate() {
        let f = &d.finding;
        if f.needs_in_project.is_empty() {
            for l in std::iter::once(f.location.line).chain(f.related.iter().map(|r| r.line)) {
                covered.entry((f.location.path.clone(), l)).or_insert(i);
            }
        }
    }
    // A line reported already gains nothing; the other sites folded into
    // such a finding go to the finding that reports the line.
    let mut moved: Vec<(usize, Vec<crate::finding::Related>)> = Vec::new();
    let keep: Vec<bool> = findings
        .iter()
        .map(|d| {
            let f = &d.finding;
            if f.needs_in_project.is_empty() {
                return true;
            }
            let path = f.location.path.as_str();
            let dir = parent(path);
            let project = projects.project_of(path);
            let under = |p: &str, dir: &str| {
                dir.is_empty() || p.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
            };
            let backed = anchors.iter().any(|(c, p)| {
                f.needs_in_project.contains(c) && (under(p, dir) || under(p, project))
            });
            if !backed {
                return false;
            }
            let Some(&j) = covered.get(&(path.to_string(), f.location.line)) else {
                return true;
            };
            let rest: Vec<_> = f
                .related
                .iter()
                .filter(|r| !covered.contains_key(&(path.to_string(), r.line)))
                .cloned()
                .collect();
            if !rest.is_empty() {
                moved.push((j, rest));
            }
            false
        })
        .collect();
    for (j, rest) in moved {
        let related = &mut findings[j].finding.related;
        related.extend(rest);
        related.sort();
        related.dedup_by_key(|r| r.line);
    }
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// How each gate file of the scan is tied to the others: the files (sorted)
/// and the union-find of the links made by identifiers (client id,
/// technical account, key fingerprint, Console project/workspace, key path,
/// key beside its certificate or config; an org within one project).
fn union_files(
    findings: &[Detected],
    identifiers: &BTreeMap<String, FileIdentifiers>,
    projects: &ProjectRoots,
) -> (Vec<String>, UnionFind) {
    // Files with only OAuth Server-to-Server findings hold no JWT credential.
    let files: Vec<String> = findings
        .iter()
        .filter(|d| d.finding.category.counts_for_gate())
        .map(|d| d.finding.location.path.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let index: BTreeMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    let mut uf = UnionFind::new(files.len());
    let empty = FileIdentifiers::default();
    let ids = |f: &str| identifiers.get(f).unwrap_or(&empty);
    // Files sharing a client id, technical account, key fingerprint,
    // Console project or workspace, or a key path (resolved from the file's
    // directory, so `./private.key` in two directories is two keys).
    let mut owner: BTreeMap<(u8, String), usize> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        let fi = ids(f);
        let keys = fi
            .client_ids
            .iter()
            .map(|v| (0u8, v.clone()))
            .chain(fi.technical_accounts.iter().map(|v| (1u8, v.clone())))
            .chain(fi.key_fingerprints.iter().map(|v| (2u8, v.clone())))
            .chain(fi.console_projects.iter().map(|v| (3u8, v.clone())))
            .chain(fi.key_references.iter().map(|r| {
                let r = r.trim_start_matches("./");
                (4u8, normalize(&format!("{}/{r}", parent(f))))
            }));
        for k in keys {
            match owner.get(&k) {
                Some(&j) => uf.union(i, j),
                None => {
                    owner.insert(k, i);
                }
            }
        }
    }
    // A call of a JWT wrapper links the calling file to the defining one.
    for d in findings.iter() {
        let f = &d.finding;
        let ends = f
            .calls_into
            .as_deref()
            .map(|def| (index.get(f.location.path.as_str()), index.get(def)));
        if let Some((Some(&i), Some(&j))) = ends {
            uf.union(i, j);
        }
    }
    // A key path written in one file links it to the key file it names.
    for (i, f) in files.iter().enumerate() {
        for reference in &ids(f).key_references {
            if let Some(j) = resolve_reference(f, reference, &files, projects) {
                uf.union(i, index[files[j].as_str()]);
            }
        }
    }
    // A key beside its certificate, or beside credential config in the same
    // directory, is the same credential's. (Not beside any finding: a TLS key
    // in a repository root is no Adobe key because package.json is there.)
    let config_files: BTreeSet<&str> = findings
        .iter()
        .filter(|d| {
            matches!(
                d.finding.category,
                Category::JwtCredentialConfig | Category::PrivateKeyReference
            ) && !d.finding.requires_link
        })
        .map(|d| d.finding.location.path.as_str())
        .collect();
    // A key whose file name says Adobe (`adobe-private.key`) is the
    // credential's beside any finding that is Adobe's on its own.
    let self_standing: BTreeSet<&str> = findings
        .iter()
        .filter(|d| !d.finding.requires_link)
        .map(|d| d.finding.location.path.as_str())
        .collect();
    let mut by_dir: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        by_dir.entry(parent(f)).or_default().push(i);
    }
    for members in by_dir.values() {
        let adobe_key = members.iter().any(|&i| is_adobe_named_key(&files[i]));
        let linked: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| {
                is_key_material(&files[i])
                    || config_files.contains(files[i].as_str())
                    || adobe_key && self_standing.contains(files[i].as_str())
            })
            .collect();
        if linked.iter().any(|&i| is_key_material(&files[i])) {
            for &m in &linked[1..] {
                uf.union(linked[0], m);
            }
        }
    }
    // An org id is shared by every credential of a company: it ties files
    // only inside one project, and only to the one credential there that
    // carries it (with two, the files known only by the org stay together,
    // apart from both).
    let strong: Vec<bool> = files
        .iter()
        .map(|f| {
            let fi = ids(f);
            !(fi.client_ids.is_empty()
                && fi.technical_accounts.is_empty()
                && fi.key_fingerprints.is_empty()
                && fi.console_projects.is_empty()
                && fi.key_references.is_empty())
                || is_key_material(f)
        })
        .collect();
    let mut comp_strong: BTreeSet<usize> = BTreeSet::new();
    for (i, _) in strong.iter().enumerate().filter(|(_, s)| **s) {
        comp_strong.insert(uf.find(i));
    }
    let mut by_org: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        for org in &ids(f).org_ids {
            by_org
                .entry((projects.project_of(f), org.as_str()))
                .or_default()
                .push(i);
        }
    }
    for members in by_org.values() {
        let strong_roots: BTreeSet<usize> = members
            .iter()
            .map(|&i| uf.find(i))
            .filter(|r| comp_strong.contains(r))
            .collect();
        let joined: Vec<usize> = if strong_roots.len() <= 1 {
            members.clone()
        } else {
            members
                .iter()
                .copied()
                .filter(|&i| !comp_strong.contains(&uf.find(i)))
                .collect()
        };
        for w in joined.windows(2) {
            uf.union(w[0], w[1]);
        }
    }
    (files, uf)
}

/// The kinds of identifier a file carries of its own (see
/// [`CredentialGroup::identified_by`]).
fn identifier_kinds(path: &str, fi: Option<&FileIdentifiers>) -> Vec<&'static str> {
    let mut out = Vec::new();
    if let Some(fi) = fi {
        for (kind, present) in [
            ("client-id", !fi.client_ids.is_empty()),
            ("technical-account", !fi.technical_accounts.is_empty()),
            ("org", !fi.org_ids.is_empty()),
            ("key-fingerprint", !fi.key_fingerprints.is_empty()),
            ("console-project", !fi.console_projects.is_empty()),
            ("key-path", !fi.key_references.is_empty()),
        ] {
            if present {
                out.push(kind);
            }
        }
    }
    if is_key_material(path) {
        out.push("key-file");
    }
    out
}

fn link(
    findings: &mut [Detected],
    identifiers: &BTreeMap<String, FileIdentifiers>,
    projects: &ProjectRoots,
) -> Correlation {
    let (files, mut uf) = union_files(findings, identifiers, projects);
    let kinds: Vec<Vec<&'static str>> = files
        .iter()
        .map(|f| identifier_kinds(f, identifiers.get(f)))
        .collect();
    let file_project: Vec<&str> = files.iter().map(|f| projects.project_of(f)).collect();
    let mut identified: BTreeSet<usize> = BTreeSet::new();
    for (i, k) in kinds.iter().enumerate() {
        if !k.is_empty() {
            identified.insert(uf.find(i));
        }
    }
    // A credential known only by its key (a key file, its fingerprint, a
    // path to it) or its org, in a project whose one other credential has a
    // client id, technical account or Console project, is that credential's
    // key: the Console project's `keys/` beside its `project.json`.
    let strong_kind =
        |k: &&str| matches!(*k, "client-id" | "technical-account" | "console-project");
    let mut strong_in_project: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    let mut comp_is_strong: BTreeSet<usize> = BTreeSet::new();
    for i in 0..files.len() {
        if kinds[i].iter().any(strong_kind) {
            let r = uf.find(i);
            comp_is_strong.insert(r);
            strong_in_project
                .entry(file_project[i])
                .or_default()
                .insert(r);
        }
    }
    let mut key_joins: Vec<(usize, usize)> = Vec::new();
    for (i, project) in file_project.iter().enumerate() {
        let r = uf.find(i);
        if !identified.contains(&r) || comp_is_strong.contains(&r) {
            continue;
        }
        if let Some(strong) = strong_in_project.get(project)
            && strong.len() == 1
            && let Some(&target) = strong.first()
        {
            key_joins.push((i, target));
        }
    }
    let mut attached: BTreeSet<usize> = key_joins.iter().map(|(i, _)| *i).collect();
    for (i, target) in key_joins {
        uf.union(i, target);
    }
    let identified: BTreeSet<usize> = identified.iter().map(|&r| uf.find(r)).collect();
    // Files of a project that carry no identifier join the project's one
    // credential; with several, the one beside them (same directory), else
    // the one nearest them in the tree when that is unique. What is left is
    // not tied to a credential.
    let mut comps_in_project: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for (i, project) in file_project.iter().enumerate() {
        let r = uf.find(i);
        if identified.contains(&r) {
            comps_in_project.entry(*project).or_default().insert(r);
        }
    }
    let mut joins: Vec<(usize, usize)> = Vec::new();
    for i in 0..files.len() {
        let r = uf.find(i);
        if identified.contains(&r) {
            continue;
        }
        let Some(candidates) = comps_in_project.get(file_project[i]) else {
            continue;
        };
        let pick = if candidates.len() == 1 {
            candidates.first().copied()
        } else {
            let dir = parent(&files[i]);
            // Per candidate, the longest directory it shares with the file.
            let mut best: BTreeMap<usize, usize> = BTreeMap::new();
            for (j, f) in files.iter().enumerate() {
                let rj = uf.find(j);
                if candidates.contains(&rj) {
                    let shared = common_dirs(dir, parent(f));
                    let e = best.entry(rj).or_default();
                    *e = (*e).max(shared);
                }
            }
            let top = best.values().copied().max().unwrap_or(0);
            let winners: Vec<usize> = best
                .iter()
                .filter(|(_, n)| **n == top)
                .map(|(r, _)| *r)
                .collect();
            let floor = file_project[i].split('/').filter(|s| !s.is_empty()).count();
            (winners.len() == 1 && top > floor).then(|| winners[0])
        };
        if let Some(target) = pick {
            joins.push((i, target));
        }
    }
    attached.extend(joins.iter().map(|(i, _)| *i));
    for (i, target) in joins {
        uf.union(i, target);
    }
    let identified: BTreeSet<usize> = identified.iter().map(|&r| uf.find(r)).collect();
    build_groups(
        findings,
        &files,
        &mut uf,
        identifiers,
        projects,
        &Attribution {
            kinds: &kinds,
            identified: &identified,
            attached: &attached,
        },
    )
}

/// How [`link`] attributed the files to credentials.
struct Attribution<'a> {
    /// Per file, the identifier kinds it carries.
    kinds: &'a [Vec<&'static str>],
    /// Roots of the components that are credentials.
    identified: &'a BTreeSet<usize>,
    /// Files that joined a credential through their project root.
    attached: &'a BTreeSet<usize>,
}

/// The number of leading directory segments `a` and `b` share.
fn common_dirs(a: &str, b: &str) -> usize {
    a.split('/')
        .zip(b.split('/'))
        .take_while(|(x, y)| x == y && !x.is_empty())
        .count()
}

fn build_groups(
    findings: &mut [Detected],
    files: &[String],
    uf: &mut UnionFind,
    identifiers: &BTreeMap<String, FileIdentifiers>,
    projects: &ProjectRoots,
    how: &Attribution<'_>,
) -> Correlation {
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..files.len() {
        members.entry(uf.find(i)).or_default().push(i);
    }
    let file_group: BTreeMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), uf.find(i)))
        .collect();
    let mut groups = Vec::new();
    let mut id_of_root: BTreeMap<usize, String> = BTreeMap::new();
    let mut unattributed: BTreeMap<String, UnattributedSites> = BTreeMap::new();
    for (root, idxs) in &members {
        if !how.identified.contains(root) {
            for &i in idxs {
                let project = project_name(projects.project_of(&files[i]));
                let u = unattributed
                    .entry(project.clone())
                    .or_insert_with(|| UnattributedSites {
                        project,
                        files: Vec::new(),
                        categories: Vec::new(),
                        findings: 0,
                        effective_deadline: None,
                    });
                u.files.push(files[i].clone());
            }
            continue;
        }
        let group_files: Vec<String> = idxs.iter().map(|&i| files[i].clone()).collect();
        let id = group_id(&group_files);
        id_of_root.insert(*root, id.clone());
        let mut identified_by: Vec<&'static str> = Vec::new();
        for kind in IDENTIFIER_KINDS {
            if idxs.iter().any(|&i| how.kinds[i].contains(&kind)) {
                identified_by.push(kind);
            }
        }
        let attached_files: Vec<String> = idxs
            .iter()
            .filter(|i| how.attached.contains(i))
            .map(|&i| files[i].clone())
            .collect();
        if !attached_files.is_empty() {
            identified_by.push("project-root");
        }
        // The group's project: the one most of its files are in.
        let mut per_project: BTreeMap<String, usize> = BTreeMap::new();
        for &i in idxs {
            *per_project
                .entry(project_name(projects.project_of(&files[i])))
                .or_default() += 1;
        }
        let top = per_project.values().copied().max().unwrap_or(0);
        let project = per_project
            .iter()
            .find(|(_, n)| **n == top)
            .map(|(p, _)| p.clone())
            .unwrap_or_else(|| ".".to_string());
        let mut g = CredentialGroup {
            id,
            label: String::new(),
            identified_by: identified_by.iter().map(|s| s.to_string()).collect(),
            project,
            projects: per_project.into_keys().collect(),
            attached_files,
            client_ids: Vec::new(),
            technical_accounts: Vec::new(),
            org_ids: Vec::new(),
            console_projects: Vec::new(),
            metascopes: Vec::new(),
            key_references: Vec::new(),
            key_fingerprints: Vec::new(),
            files: group_files,
            categories: Vec::new(),
            findings: 0,
            effective_deadline: None,
            confidence: Confidence::Low,
            repositories: Vec::new(),
        };
        let mut acc = FileIdentifiers::default();
        for f in &g.files {
            if let Some(fi) = identifiers.get(f) {
                acc.client_ids.extend(fi.client_ids.iter().cloned());
                acc.technical_accounts
                    .extend(fi.technical_accounts.iter().cloned());
                acc.org_ids.extend(fi.org_ids.iter().cloned());
                acc.console_projects
                    .extend(fi.console_projects.iter().cloned());
                acc.metascopes.extend(fi.metascopes.iter().cloned());
                acc.key_references.extend(fi.key_references.iter().cloned());
                acc.key_fingerprints
                    .extend(fi.key_fingerprints.iter().cloned());
            }
        }
        g.client_ids = acc.client_ids.into_iter().collect();
        g.technical_accounts = acc.technical_accounts.into_iter().collect();
        g.org_ids = acc.org_ids.into_iter().collect();
        g.console_projects = acc.console_projects.into_iter().collect();
        g.metascopes = acc.metascopes.into_iter().collect();
        g.key_references = acc.key_references.into_iter().collect();
        g.key_fingerprints = acc.key_fingerprints.into_iter().collect();
        g.label = label_of(&g);
        groups.push(g);
    }
    // Evidence per group: independent categories from independent files.
    let mut evidence: BTreeMap<&str, BTreeSet<(Category, &str)>> = BTreeMap::new();
    for d in findings.iter() {
        let Some(id) = file_group
            .get(d.finding.location.path.as_str())
            .and_then(|r| id_of_root.get(r))
        else {
            continue;
        };
        evidence
            .entry(id.as_str())
            .or_default()
            .insert((d.finding.category, d.finding.location.path.as_str()));
    }
    let corroborated: BTreeSet<String> = evidence
        .iter()
        .filter(|(_, ev)| {
            let files: BTreeSet<&str> = ev.iter().map(|(_, f)| *f).collect();
            let cats: BTreeSet<Category> = ev
                .iter()
                .map(|(c, _)| *c)
                .filter(|c| c.counts_for_gate())
                .collect();
            files.len() >= 2 && cats.len() >= 2
        })
        .map(|(id, _)| (*id).to_string())
        .collect();
    let by_id: BTreeMap<String, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id.clone(), i))
        .collect();
    for d in findings.iter_mut() {
        let path = d.finding.location.path.as_str();
        d.finding.project = Some(project_name(projects.project_of(path)));
        let Some(&root) = file_group.get(path) else {
            continue;
        };
        let (categories, count, deadline) = match id_of_root.get(&root) {
            Some(id) => {
                let id = id.clone();
                if corroborated.contains(&id) && d.finding.category.counts_for_gate() {
                    d.finding.confidence = Confidence::High;
                }
                let g = &mut groups[by_id[&id]];
                g.confidence = g.confidence.max(d.finding.confidence);
                d.finding.group = Some(id);
                (
                    &mut g.categories,
                    &mut g.findings,
                    &mut g.effective_deadline,
                )
            }
            None => {
                let Some(u) = unattributed.get_mut(&project_name(projects.project_of(path))) else {
                    continue;
                };
                (
                    &mut u.categories,
                    &mut u.findings,
                    &mut u.effective_deadline,
                )
            }
        };
        *count += 1;
        if !categories.contains(&d.finding.category) {
            categories.push(d.finding.category);
        }
        if let Some(dl) = &d.finding.deadline
            && deadline.as_ref().is_none_or(|e| dl.date < e.date)
        {
            *deadline = Some(dl.clone());
        }
    }
    for g in &mut groups {
        g.categories.sort();
    }
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    let mut unattributed: Vec<UnattributedSites> = unattributed.into_values().collect();
    for u in &mut unattributed {
        u.categories.sort();
        u.files.sort();
    }
    Correlation {
        groups,
        unattributed,
    }
}

/// A group's stable id: `cred-` + a hash of its sorted files.
pub fn group_id(files: &[String]) -> String {
    format!(
        "cred-{}",
        &crate::finding::fingerprint("group", "", &files.join("\n"), 0)[..12]
    )
}

/// A group's short label: its first client id, technical account, Console
/// project, key file or reference, key fingerprint or org, else its first
/// file.
pub fn label_of(g: &CredentialGroup) -> String {
    let key_file = g.files.iter().find(|f| is_key_material(f));
    g.client_ids
        .first()
        .map(|c| format!("client {c}"))
        .or_else(|| {
            g.technical_accounts
                .first()
                .map(|t| format!("technical account {t}"))
        })
        .or_else(|| g.console_projects.first().map(|p| format!("Console {p}")))
        .or_else(|| key_file.map(|k| format!("key {k}")))
        .or_else(|| g.key_references.first().map(|k| format!("key {k}")))
        .or_else(|| g.key_fingerprints.first().map(|k| format!("key {k}")))
        .or_else(|| g.org_ids.first().map(|o| format!("org {o}")))
        .unwrap_or_else(|| g.files.first().cloned().unwrap_or_default())
}

/// A project root as reported: `.` for the scan root.
fn project_name(dir: &str) -> String {
    if dir.is_empty() {
        ".".to_string()
    } else {
        dir.to_string()
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// Key material whose file name names Adobe (`adobe-private.key`,
/// `adobe_io.pem`).
fn is_adobe_named_key(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    is_key_material(path) && name.contains("adobe")
}

fn is_key_material(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.ends_with(".key")
        || name.ends_with(".pem")
        || name.ends_with(".crt")
        || name.ends_with(".cer")
        || name.ends_with(".p12")
        || name.ends_with(".pfx")
}

/// The finding file a key path written in `from` refers to: resolved against
/// `from`'s directory first, then by matching path suffix.
/// By suffix, only a key file of `from`'s own project: a key of the same
/// name in another repository is another credential's.
fn resolve_reference(
    from: &str,
    reference: &str,
    files: &[String],
    projects: &ProjectRoots,
) -> Option<usize> {
    let reference = reference.trim_start_matches("./");
    let joined = normalize(&format!("{}/{}", parent(from), reference));
    if let Some(i) = files.iter().position(|f| *f == joined) {
        return Some(i);
    }
    let suffix = format!("/{}", reference.trim_start_matches('/'));
    let candidates: Vec<usize> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.ends_with(&suffix) || f.as_str() == reference)
        .filter(|(_, f)| projects.project_of(f) == projects.project_of(from))
        .map(|(i, _)| i)
        .collect();
    // Ambiguous references (several key files of that name) link nothing.
    (candidates.len() == 1).then(|| candidates[0])
}

fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
        }
    }
    fn find(&mut self, i: usize) -> usize {
        let mut r = i;
        while self.parent[r] != r {
            r = self.parent[r];
        }
        let mut c = i;
        while self.parent[c] != r {
            let next = self.parent[c];
            self.parent[c] = r;
            c = next;
        }
        r
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller root wins, so results do not depend on order.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_nested_package_is_enclosed_by_its_parent_project() {
        let mut p = super::ProjectRoots::default();
        p.add_dir("");
        for f in [
            "go.mod",
            "jwt-api/package.json",
            "b/go.mod",
            "b/.git",
            "b/x/package.json",
        ] {
            p.note_file(f);
        }
        p.note_marker("b/.git");
        assert_eq!(p.project_of("jwt-api/app.js"), "jwt-api");
        assert_eq!(p.enclosing_project("jwt-api"), Some(""));
        assert_eq!(p.enclosing_project("b/x"), Some("b"));
        // Not past a `.git`, nor to a scan root that is no project.
        assert_eq!(p.enclosing_project("b"), None);
        let mut q = super::ProjectRoots::default();
        q.add_dir("");
        q.note_file("r1/go.mod");
        q.note_file("r1/jwt-api/package.json");
        assert_eq!(q.enclosing_project("r1/jwt-api"), Some("r1"));
        assert_eq!(q.enclosing_project("r1"), None);
        // Merged from the walk's threads.
        let mut merged = super::ProjectRoots::default();
        merged.extend(p);
        assert_eq!(merged.enclosing_project("jwt-api"), Some(""));
    }

    use super::*;

    #[test]
    fn a_dotnet_project_is_in_its_solution() {
        let mut roots = ProjectRoots::default();
        for marker in [
            "repo/.git",
            "repo/ReactorApi.sln",
            "repo/AdobeJwt/AdobeJwt.csproj",
            "repo/src/Api/Api.csproj",
            "repo/web/package.json",
            "lone/.git",
            "lone/Tool/Tool.csproj",
            "ws/All.sln",
            "ws/AdobeJwt/.git",
            "ws/AdobeJwt/AdobeJwt.csproj",
            "ws/Shop/.git",
            "ws/Shop/Shop.csproj",
        ] {
            roots.note_marker(marker);
        }
        assert_eq!(roots.project_of("repo/AdobeJwt/JwtProvider.cs"), "repo");
        assert_eq!(roots.project_of("repo/src/Api/Program.cs"), "repo");
        // A package.json project inside the repository stays its own.
        assert_eq!(roots.project_of("repo/web/index.js"), "repo/web");
        // No solution: the project is its own.
        assert_eq!(roots.project_of("lone/Tool/Program.cs"), "lone/Tool");
        // Never past a repository: two checkouts under one workspace
        // solution stay apart.
        assert_eq!(
            roots.project_of("ws/AdobeJwt/JwtProvider.cs"),
            "ws/AdobeJwt"
        );
        assert_eq!(roots.project_of("ws/Shop/Cart.cs"), "ws/Shop");
    }

    #[test]
    fn a_maven_or_gradle_module_is_in_its_parent_build() {
        let mut roots = ProjectRoots::default();
        for marker in [
            "site/pom.xml",
            "site/core/pom.xml",
            "site/all/pom.xml",
            "site/tools/package.json",
            "app/settings.gradle",
            "app/lib/build.gradle.kts",
            "lone/core/pom.xml",
        ] {
            roots.note_marker(marker);
        }
        assert_eq!(roots.project_of("site/all/pom.xml"), "site");
        assert_eq!(roots.project_of("site/core/src/main/java/A.java"), "site");
        // A package.json project inside the build stays its own.
        assert_eq!(roots.project_of("site/tools/index.js"), "site/tools");
        assert_eq!(roots.project_of("app/lib/src/B.kt"), "app");
        // No build file in `lone/`: the module is its own project.
        assert_eq!(roots.project_of("lone/core/pom.xml"), "lone/core");
    }

    #[test]
    fn project_of_is_the_nearest_root_or_installed_package() {
        let mut p = ProjectRoots::default();
        p.note_marker("svc/package.json");
        assert_eq!(p.project_of("svc/src/auth/jwt.js"), "svc");
        assert_eq!(p.project_of("loose/x.py"), "");
        // An install target: each package in it is a project, a module at
        // its top is not (it is in the project above).
        assert_eq!(p.project_of("venv/site/ansible/vars/plugin.py"), "");
        p.note_install_record("venv/site/boto3-1.40.0.dist-info");
        assert_eq!(
            p.project_of("venv/site/ansible/vars/plugin.py"),
            "venv/site/ansible"
        );
        assert_eq!(p.project_of("venv/site/six.py"), "");
        assert!(p.is_installed("venv/site/ansible"));
        assert!(p.is_installed("app/node_modules/@adobe/jwt-auth"));
        assert!(!p.is_installed("svc") && !p.is_installed(""));
        // A marked directory inside a package is nearer.
        p.note_marker("venv/site/ansible/vars/setup.py");
        assert_eq!(
            p.project_of("venv/site/ansible/vars/plugin.py"),
            "venv/site/ansible/vars"
        );
        // Git blobs: the record is a directory of a file's path.
        let mut g = ProjectRoots::default();
        g.note_file("lambda/boto3-1.40.0.dist-info/METADATA");
        g.note_file("lambda/requirements.txt");
        assert_eq!(g.project_of("lambda/jwt_auth/sign.py"), "lambda/jwt_auth");
        assert_eq!(g.project_of("lambda/handler.py"), "lambda");
        assert!(ProjectRoots::in_project("a/b/c.py", "a/b"));
        assert!(ProjectRoots::in_project("a/b", "a/b"));
        assert!(!ProjectRoots::in_project("a/bc/d.py", "a/b"));
        assert!(ProjectRoots::in_project("x.py", ""));
    }

    #[test]
    fn references_resolve_relative_then_by_suffix() {
        let files = vec![
            "app/secrets/private.key".to_string(),
            "app/src/auth.js".to_string(),
            "other/private.key".to_string(),
        ];
        let one = ProjectRoots::default();
        assert_eq!(
            resolve_reference("app/src/auth.js", "../secrets/private.key", &files, &one),
            Some(0)
        );
        assert_eq!(
            resolve_reference("app/src/auth.js", "./secrets/private.key", &files, &one),
            Some(0)
        );
        assert_eq!(
            resolve_reference("app/src/auth.js", "private.key", &files, &one),
            None,
            "ambiguous"
        );
        // With `app` and `other` as projects, the suffix finds app's own key.
        let mut two = ProjectRoots::default();
        two.add_dir("app");
        two.add_dir("other");
        assert_eq!(
            resolve_reference("app/src/auth.js", "private.key", &files, &two),
            Some(0)
        );
        assert_eq!(
            resolve_reference("third/job.py", "private.key", &files, &two),
            None,
            "no key in its project"
        );
        assert_eq!(normalize("a/./b/../c"), "a/c");
    }

    #[test]
    fn union_find_is_order_independent() {
        let mut uf = UnionFind::new(4);
        uf.union(3, 1);
        uf.union(1, 2);
        assert_eq!((uf.find(3), uf.find(2), uf.find(0)), (1, 1, 0));
    }
}
