//! The scan loop: the `ignore` crate's parallel walker feeds files to the
//! engine, one reused buffer per thread; results are merged and sorted once
//! at the end, so output does not depend on thread scheduling.
//!
//! The per-file path is kept lean because most files have no keyword: read
//! (first block, binary check, then the rest, into the thread's buffer), run
//! the prefilter, and only when a rule may match build the display name and
//! run the rules. Counters are per thread and added up once at the end.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ignore::{DirEntry, WalkBuilder, WalkState};

use super::classify::{DEPENDENCY_DIRS, is_credential_file_name};
use super::special::{UnsafeIgnoreFile, unsafe_ignore_file, unsafe_ignore_file_up};
use super::worker::Worker;
use crate::correlate::{
    CredentialGroup, FileIdentifiers, ProjectRoots, UnattributedSites, correlate,
};
use crate::engine::{Detected, Engine};
use crate::repository::Repository;
use crate::suppress::Suppressed;

pub use super::decode::BINARY_PROBE;

/// What to walk and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub no_ignore: bool,
    pub follow: bool,
    pub max_filesize: u64,
    /// 0: one thread per core.
    pub threads: usize,
    /// Off only in tests that prove the prefilter changes nothing.
    pub use_prefilter: bool,
}

/// A file that could not be scanned (it makes the scan incomplete).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScanError {
    pub path: String,
    pub message: String,
}

/// Something in a scanned file worth fixing that does not make the scan
/// incomplete: an inline suppression naming an unknown rule or without a
/// reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScanWarning {
    pub path: String,
    pub line: u32,
    pub message: String,
}

/// A file deliberately not scanned, and why: over the size cap, not a
/// regular file (FIFO, device, socket), a symlink loop, or an ignore file
/// that could not be read safely.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Counters for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped_binary: u64,
    pub skipped_too_large: u64,
    /// Credential-named files scanned although .gitignore excludes them.
    pub ignored_credential_files: u64,
}

/// Everything a scan produced, sorted.
#[derive(Debug, Default)]
pub struct ScanReport {
    pub findings: Vec<Detected>,
    pub suppressed: Vec<Suppressed>,
    pub errors: Vec<ScanError>,
    /// Files not scanned on purpose (binary files are only counted).
    pub skipped: Vec<Skipped>,
    /// Inline suppressions that name an unknown rule or give no reason.
    pub warnings: Vec<ScanWarning>,
    pub stats: Stats,
    /// Credentials: findings linked across files (sorted by id).
    pub groups: Vec<CredentialGroup>,
    /// JWT usage sites tied to no credential, per project.
    pub unattributed: Vec<UnattributedSites>,
    /// The git repositories of the scan, sorted by root (see
    /// [`crate::repository`]); empty when none was found.
    pub repositories: Vec<Repository>,
}

impl ScanReport {
    /// Sets the scan's repositories (sorted by root) and each group's
    /// `repositories` (the names of its files' repositories).
    pub fn set_repositories(&mut self, mut repos: Vec<Repository>) {
        repos.sort_by(|a, b| a.root.cmp(&b.root));
        repos.dedup_by(|a, b| a.root == b.root);
        for g in &mut self.groups {
            let mut names: Vec<String> = g
                .files
                .iter()
                .filter_map(|f| crate::repository::of(&repos, f).map(|r| r.name.clone()))
                .collect();
            names.sort();
            names.dedup();
            g.repositories = names;
        }
        self.repositories = repos;
    }

    /// The repository a reported path belongs to: the deepest root above
    /// it (`repositories` is sorted by root, so each ancestor is one binary
    /// search: a merge of 2,000 repositories stays linear).
    pub fn repository_of(&self, path: &str) -> Option<&Repository> {
        let find = |root: &str| {
            self.repositories
                .binary_search_by(|r| r.root.as_str().cmp(root))
                .ok()
                .map(|i| &self.repositories[i])
        };
        // A path that is a root itself (an error about the repository: a
        // clone that failed) is in that repository.
        if let Some(r) = find(path) {
            return Some(r);
        }
        let mut dir = path;
        while let Some((parent, _)) = dir.rsplit_once('/') {
            if let Some(r) = find(parent) {
                return Some(r);
            }
            dir = parent;
        }
        find(".")
    }

    /// Entries of `skipped` that no counter covers: FIFOs, devices, sockets,
    /// symlink loops, ignore files that could not be read safely (too-large
    /// files are listed there too, and counted in `skipped_too_large`).
    pub fn skipped_other(&self) -> u64 {
        (self.skipped.len() as u64).saturating_sub(self.stats.skipped_too_large)
    }
}

/// What the scanning threads add to.
#[derive(Default)]
pub(super) struct Shared {
    pub(super) findings: Mutex<Vec<Detected>>,
    pub(super) suppressed: Mutex<Vec<Suppressed>>,
    pub(super) identifiers: Mutex<BTreeMap<String, FileIdentifiers>>,
    /// Project roots: directories holding a manifest or `.git`.
    pub(super) projects: Mutex<ProjectRoots>,
    pub(super) errors: Mutex<Vec<ScanError>>,
    pub(super) skipped: Mutex<Vec<Skipped>>,
    pub(super) warnings: Mutex<Vec<ScanWarning>>,
    pub(super) seen_credential_files: Mutex<HashSet<PathBuf>>,
    /// For the cross-file pass (see `crossfile`).
    pub(super) code_files: Mutex<Vec<PathBuf>>,
    pub(super) definitions: Mutex<Vec<(PathBuf, crate::engine::wrappers::Definition)>>,
    pub(super) files: AtomicU64,
    pub(super) bytes: AtomicU64,
    pub(super) binary: AtomicU64,
    pub(super) too_large: AtomicU64,
    pub(super) ignored_credential: AtomicU64,
}

/// Maps a walked path back to the name it is reported under.
pub(super) struct Roots {
    /// Each root, and whether it is a file (looked up once, not per file).
    roots: Vec<(PathBuf, bool)>,
    single_dir: bool,
    /// Names the roots' files are reported under instead of their paths
    /// (`--repos`: each repository's `owner/name`), one per root.
    labels: Option<Vec<String>>,
}

impl Roots {
    fn new(paths: &[PathBuf], labels: Option<&[String]>) -> Roots {
        let labels = labels
            .filter(|l| l.len() == paths.len())
            .map(<[String]>::to_vec);
        Roots {
            roots: paths.iter().map(|p| (p.clone(), p.is_file())).collect(),
            single_dir: paths.len() == 1 && paths[0].is_dir() && labels.is_none(),
            labels,
        }
    }

    /// The name a root's files are reported under: its label, or its path.
    fn root_name(&self, i: usize) -> String {
        match &self.labels {
            Some(l) => l[i].clone(),
            None => slashes(&self.roots[i].0),
        }
    }

    /// Each directory root as a project root: with several roots, a file is
    /// never in a project above the root it was found under.
    fn project_roots(&self) -> ProjectRoots {
        let mut p = ProjectRoots::default();
        for (i, (_, is_file)) in self.roots.iter().enumerate() {
            if !*is_file && !self.single_dir {
                p.add_dir(&self.root_name(i));
            }
        }
        p
    }

    pub(super) fn display(&self, path: &Path) -> String {
        let single_dir = self.single_dir;
        for (i, (root, is_file)) in self.roots.iter().enumerate() {
            if let Ok(rel) = path.strip_prefix(root) {
                let rel = slashes(rel);
                if single_dir && rel.is_empty() && self.labels.is_none() {
                    // The root itself: `.`, which `prefix_paths` turns
                    // back into the root as given.
                    return ".".to_string();
                }
                if *is_file {
                    return slashes(path);
                }
                if rel.is_empty() {
                    return match &self.labels {
                        Some(_) => self.root_name(i),
                        None => slashes(path),
                    };
                }
                if single_dir {
                    return rel;
                }
                let r = self.root_name(i);
                return format!("{}/{rel}", r.trim_end_matches('/'));
            }
        }
        slashes(path)
    }
}

/// The prefix that makes the paths of a scan of one directory read as
/// given on the command line, the way ripgrep prints them: `scan src` gives
/// `src/auth.py`, `scan /abs/dir` gives `/abs/dir/auth.py`, and `scan .`
/// (or `./`) gives `auth.py`. `None` when there is nothing to add: several
/// roots (their paths already start with the root as given) or one file.
///
/// A scan works on paths relative to its one directory (rule globs, config
/// `[paths]` and ignores, baselines and fingerprints all see those), and
/// the prefix is added at the very end ([`ScanReport::prefix_paths`]), so a
/// baseline or config written for `scan src` matches `scan src` wherever
/// it is run from.
pub fn display_prefix(paths: &[PathBuf]) -> Option<String> {
    let [dir] = paths else { return None };
    if !dir.is_dir() {
        return None;
    }
    let mut s = dir.to_string_lossy().replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/').to_string();
    }
    while s.len() > 1 && s.ends_with('/') {
        s.pop();
    }
    while let Some(rest) = s.strip_suffix("/.") {
        s = if rest.is_empty() {
            "/".into()
        } else {
            rest.to_string()
        };
    }
    (!s.is_empty() && s != ".").then_some(s)
}

/// `path` (relative to the scanned directory, `.` for the directory
/// itself) under `prefix`.
pub fn prefixed(prefix: &str, path: &str) -> String {
    match path {
        "" | "." => prefix.to_string(),
        _ if prefix.ends_with('/') => format!("{prefix}{path}"),
        _ => format!("{prefix}/{path}"),
    }
}

impl ScanReport {
    /// Puts `prefix` (see [`display_prefix`]) before every reported path:
    /// findings (and suppressed ones), the file a cross-file finding calls
    /// into, errors, skips, warnings, credential groups, project roots and
    /// repository roots.
    /// Runs last, after config ignores and the baseline, which match paths
    /// relative to the scanned directory.
    pub fn prefix_paths(&mut self, prefix: &str) {
        let p = |s: &mut String| *s = prefixed(prefix, s);
        let finding = |f: &mut crate::finding::Finding| {
            if let Some(callee) = &mut f.calls_into {
                let old = format!(", defined at {callee}:");
                let new = format!(", defined at {}:", prefixed(prefix, callee));
                f.message = f.message.replacen(&old, &new, 1);
                p(callee);
            }
            p(&mut f.location.path);
            if let Some(project) = &mut f.project {
                p(project);
            }
        };
        self.findings
            .iter_mut()
            .for_each(|d| finding(&mut d.finding));
        self.suppressed
            .iter_mut()
            .for_each(|s| finding(&mut s.finding));
        self.errors.iter_mut().for_each(|e| p(&mut e.path));
        self.skipped.iter_mut().for_each(|s| p(&mut s.path));
        self.warnings.iter_mut().for_each(|w| p(&mut w.path));
        for g in &mut self.groups {
            for f in &g.files {
                if g.label == *f || g.label == format!("key {f}") {
                    g.label = g.label.replacen(f.as_str(), &prefixed(prefix, f), 1);
                    break;
                }
            }
            p(&mut g.project);
            g.projects.iter_mut().for_each(p);
            g.attached_files.iter_mut().for_each(p);
            g.files.iter_mut().for_each(p);
        }
        for u in &mut self.unattributed {
            p(&mut u.project);
            u.files.iter_mut().for_each(p);
        }
        // Repository roots too, so that a finding's repository is still
        // the one whose root is the longest prefix of its path.
        self.repositories.iter_mut().for_each(|r| p(&mut r.root));
    }
}

fn slashes(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Optional hooks of a scan: an explicit file list (diff-aware scans), a
/// path filter (config include/exclude) and a progress callback.
#[derive(Default, Clone, Copy)]
pub struct ScanHooks<'h> {
    /// Scan exactly these files instead of walking `paths` (paths are still
    /// reported relative to `paths`, so fingerprints match a full scan).
    pub files: Option<&'h [PathBuf]>,
    /// A file whose reported path this rejects is not scanned.
    pub filter: Option<&'h (dyn Fn(&str) -> bool + Sync)>,
    /// Called once per file scanned.
    pub progress: Option<&'h (dyn Fn() + Sync)>,
    /// Called with each file's path just before it is opened (tests use it
    /// to delete, truncate or replace files in the middle of a scan).
    pub before_read: Option<&'h (dyn Fn(&Path) + Sync)>,
    /// One name per path, reported instead of the path (`scan --repos`:
    /// `owner/name/src/app.js` for a clone somewhere in the cache).
    pub labels: Option<&'h [String]>,
}

/// Scans `opts.paths` with `engine`.
pub fn scan(engine: &Engine<'_>, opts: &ScanOptions) -> ScanReport {
    scan_with(engine, opts, ScanHooks::default())
}

/// Scans `opts.paths` with `engine`, with hooks.
pub fn scan_with(engine: &Engine<'_>, opts: &ScanOptions, hooks: ScanHooks<'_>) -> ScanReport {
    let shared = Shared::default();
    let roots = Roots::new(&opts.paths, hooks.labels);
    let mut missing = Vec::new();
    for p in &opts.paths {
        if let Err(e) = std::fs::metadata(p) {
            missing.push(ScanError {
                path: slashes(p),
                message: match e.kind() {
                    std::io::ErrorKind::NotFound => "no such file or directory".into(),
                    _ => format!("cannot read: {}", super::io_reason(&e)),
                },
            });
        }
    }
    let existing: Vec<&PathBuf> = opts.paths.iter().filter(|p| p.exists()).collect();
    let walked: Vec<&PathBuf> = match hooks.files {
        Some(files) => files.iter().filter(|p| p.is_file()).collect(),
        None => existing.clone(),
    };
    // Directories whose ignore files cannot be opened safely: the main walk
    // does not enter them; each is walked afterwards without ignore files.
    let unsafe_dirs: Arc<Mutex<Vec<(PathBuf, UnsafeIgnoreFile)>>> = Arc::default();
    let checks_ignore_files = !opts.no_ignore;
    // `.git` entries the walk passed by: their directories are project roots.
    let git_dirs: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let mut normal = Vec::new();
    for p in walked {
        let dir = if p.is_dir() {
            p.as_path()
        } else {
            p.parent().unwrap_or(Path::new("."))
        };
        match unsafe_ignore_file_up(dir).filter(|_| checks_ignore_files) {
            Some(found) => lock(&unsafe_dirs).push((p.clone(), found)),
            None => normal.push(p),
        }
    }
    if let Some((first, rest)) = normal.split_first() {
        let mut b = WalkBuilder::new(first);
        for p in rest {
            b.add(p);
        }
        let found = Arc::clone(&unsafe_dirs);
        let git_dirs = Arc::clone(&git_dirs);
        b.hidden(false)
            .follow_links(opts.follow)
            .threads(opts.threads)
            .require_git(false)
            .standard_filters(!opts.no_ignore)
            .hidden(false)
            .filter_entry(move |e| {
                if e.file_name() == ".git" {
                    lock(&git_dirs).push(e.path().to_path_buf());
                    return false;
                }
                if checks_ignore_files
                    && e.file_type().is_some_and(|t| t.is_dir())
                    && let Some(f) = unsafe_ignore_file(e.path())
                {
                    lock(&found).push((e.path().to_path_buf(), f));
                    return false;
                }
                true
            });
        walk_parallel(&b, engine, opts, &hooks, &shared, &roots);
    }
    let mut fallback = std::mem::take(&mut *lock(&unsafe_dirs));
    fallback.sort();
    fallback.dedup();
    for (dir, found) in fallback {
        lock(&shared.skipped).push(Skipped {
            path: roots.display(&found.path),
            reason: format!(
                "not a regular file ({}): its ignore rules were not read, {} was scanned without ignore files",
                found.kind,
                roots.display(&dir)
            ),
        });
        let mut b = WalkBuilder::new(&dir);
        b.standard_filters(false)
            .hidden(false)
            .follow_links(opts.follow)
            .threads(opts.threads)
            .filter_entry(move |e| not_dependency_dir(e) && e.path() != found.path);
        walk_parallel(&b, engine, opts, &hooks, &shared, &roots);
    }
    if !opts.no_ignore && hooks.files.is_none() {
        let mut worker = Worker::new(engine, opts, &hooks, &shared, &roots);
        scan_ignored_credential_files(&mut worker, opts, &shared, &existing);
    }
    let mut report = ScanReport {
        findings: take(shared.findings),
        suppressed: take(shared.suppressed),
        errors: take(shared.errors),
        skipped: take(shared.skipped),
        warnings: take(shared.warnings),
        groups: Vec::new(),
        unattributed: Vec::new(),
        repositories: Vec::new(),
        stats: Stats {
            files_scanned: shared.files.load(Ordering::Relaxed),
            bytes_scanned: shared.bytes.load(Ordering::Relaxed),
            skipped_binary: shared.binary.load(Ordering::Relaxed),
            skipped_too_large: shared.too_large.load(Ordering::Relaxed),
            ignored_credential_files: shared.ignored_credential.load(Ordering::Relaxed),
        },
    };
    report.errors.extend(missing);
    let definitions = take(shared.definitions);
    if engine.has_cross_file_rules() {
        super::crossfile::run(
            engine,
            opts,
            &roots,
            definitions,
            take(shared.code_files),
            &mut report,
        );
    }
    report.findings.sort_by(|a, b| {
        (&a.finding.location, &a.finding.rule_id).cmp(&(&b.finding.location, &b.finding.rule_id))
    });
    report.suppressed.sort_by(|a, b| {
        (&a.finding.location, &a.finding.rule_id).cmp(&(&b.finding.location, &b.finding.rule_id))
    });
    let ids = shared
        .identifiers
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut projects = roots.project_roots();
    projects.extend(take_inner(shared.projects));
    let mut repos = Vec::new();
    for git in lock(&git_dirs).iter() {
        let shown = roots.display(git);
        projects.note_marker(&shown);
        let root = shown.rsplit_once('/').map_or("", |(dir, _)| dir);
        repos.push(crate::repository::read(
            git.parent().unwrap_or(Path::new(".")),
            root,
        ));
    }
    let c = correlate(&mut report.findings, &ids, &projects);
    report.groups = c.groups;
    report.unattributed = c.unattributed;
    report.set_repositories(repos);
    report.errors.sort();
    report.errors.dedup();
    report.skipped.sort();
    report.skipped.dedup();
    report.warnings.sort();
    report.warnings.dedup();
    report
}

/// Runs a built walker on every core, one [`Worker`] per thread.
fn walk_parallel(
    builder: &WalkBuilder,
    engine: &Engine<'_>,
    opts: &ScanOptions,
    hooks: &ScanHooks<'_>,
    shared: &Shared,
    roots: &Roots,
) {
    builder.build_parallel().run(|| {
        let mut worker = Worker::new(engine, opts, hooks, shared, roots);
        Box::new(move |result| {
            worker.visit(result);
            WalkState::Continue
        })
    });
}

/// Leaves out `.git` and, below the root, dependency and build directories.
fn not_dependency_dir(e: &DirEntry) -> bool {
    let name = e.file_name().to_string_lossy();
    name != ".git" && !(e.depth() > 0 && DEPENDENCY_DIRS.contains(&name.as_ref()))
}

/// Second pass: credential-named files that .gitignore hid from the first
/// pass are scanned anyway. Dependency and build directories are skipped.
fn scan_ignored_credential_files(
    worker: &mut Worker<'_, '_>,
    opts: &ScanOptions,
    shared: &Shared,
    existing: &[&PathBuf],
) {
    let seen = lock(&shared.seen_credential_files).clone();
    for root in existing.iter().filter(|p| p.is_dir()) {
        let walker = WalkBuilder::new(root)
            .standard_filters(false)
            .hidden(false)
            .follow_links(opts.follow)
            .filter_entry(not_dependency_dir)
            .build();
        for entry in walker.flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file())
                || !is_credential_file_name(&entry.file_name().to_string_lossy())
                || seen.contains(entry.path())
            {
                continue;
            }
            shared.ignored_credential.fetch_add(1, Ordering::Relaxed);
            worker.scan_file(entry.path());
        }
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic in another scanning thread must not hide this thread's results.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn take_inner<T>(m: Mutex<T>) -> T {
    m.into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn take<T>(m: Mutex<Vec<T>>) -> Vec<T> {
    m.into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::{display_prefix, prefixed};
    use std::path::PathBuf;

    #[test]
    fn prefix_is_the_directory_as_given_without_dot_slash() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("src")).expect("mkdir");
        std::fs::write(dir.path().join("f.py"), "").expect("write");
        let abs = dir.path().to_str().expect("utf-8").to_string();
        let p = |s: &str| display_prefix(&[PathBuf::from(s)]);
        assert_eq!(p(&abs), Some(abs.clone()));
        assert_eq!(p(&format!("{abs}/")), Some(abs.clone()));
        assert_eq!(p(&format!("{abs}/src/.")), Some(format!("{abs}/src")));
        assert_eq!(p(&format!("{abs}/f.py")), None, "one file keeps its path");
        assert_eq!(p("."), None);
        assert_eq!(p("./"), None);
        assert_eq!(p("/"), Some("/".into()));
        assert_eq!(
            display_prefix(&[PathBuf::from(&abs), PathBuf::from(&abs)]),
            None,
            "several roots already carry their root"
        );
        assert_eq!(prefixed("src", "."), "src");
        assert_eq!(prefixed("src", "a/b.py"), "src/a/b.py");
        assert_eq!(prefixed("/", "etc/x"), "/etc/x");
    }
}
