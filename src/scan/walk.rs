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
use super::decode::{self, Encoding};
use super::read::{Content, kind_name, read_file};
use super::special::{UnsafeIgnoreFile, unsafe_ignore_file, unsafe_ignore_file_up};
use crate::correlate::{CredentialGroup, FileIdentifiers, correlate};
use crate::engine::{Detected, Engine, identifiers};
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
    pub stats: Stats,
    /// Credentials: findings linked across files (sorted by id).
    pub groups: Vec<CredentialGroup>,
}

#[derive(Default)]
struct Shared {
    findings: Mutex<Vec<Detected>>,
    suppressed: Mutex<Vec<Suppressed>>,
    identifiers: Mutex<BTreeMap<String, FileIdentifiers>>,
    errors: Mutex<Vec<ScanError>>,
    skipped: Mutex<Vec<Skipped>>,
    seen_credential_files: Mutex<HashSet<PathBuf>>,
    files: AtomicU64,
    bytes: AtomicU64,
    binary: AtomicU64,
    too_large: AtomicU64,
    ignored_credential: AtomicU64,
}

/// Maps a walked path back to the name it is reported under.
struct Roots {
    /// Each root, and whether it is a file (looked up once, not per file).
    roots: Vec<(PathBuf, bool)>,
    single_dir: bool,
}

impl Roots {
    fn new(paths: &[PathBuf]) -> Roots {
        Roots {
            roots: paths.iter().map(|p| (p.clone(), p.is_file())).collect(),
            single_dir: paths.len() == 1 && paths[0].is_dir(),
        }
    }

    fn display(&self, path: &Path) -> String {
        let single_dir = self.single_dir;
        for (root, is_file) in &self.roots {
            if let Ok(rel) = path.strip_prefix(root) {
                let rel = slashes(rel);
                if *is_file || rel.is_empty() {
                    return slashes(path);
                }
                if single_dir {
                    return rel;
                }
                let r = slashes(root);
                return format!("{}/{rel}", r.trim_end_matches('/'));
            }
        }
        slashes(path)
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
}

/// Scans `opts.paths` with `engine`.
pub fn scan(engine: &Engine<'_>, opts: &ScanOptions) -> ScanReport {
    scan_with(engine, opts, ScanHooks::default())
}

/// Scans `opts.paths` with `engine`, with hooks.
pub fn scan_with(engine: &Engine<'_>, opts: &ScanOptions, hooks: ScanHooks<'_>) -> ScanReport {
    let shared = Shared::default();
    let roots = Roots::new(&opts.paths);
    let mut missing = Vec::new();
    for p in &opts.paths {
        if let Err(e) = std::fs::metadata(p) {
            missing.push(ScanError {
                path: slashes(p),
                message: match e.kind() {
                    std::io::ErrorKind::NotFound => "no such file or directory".into(),
                    _ => format!("cannot read: {e}"),
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
        b.hidden(false)
            .follow_links(opts.follow)
            .threads(opts.threads)
            .require_git(false)
            .standard_filters(!opts.no_ignore)
            .hidden(false)
            .filter_entry(move |e| {
                if e.file_name() == ".git" {
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
        scan_ignored_credential_files(&mut worker, &existing);
    }
    let mut report = ScanReport {
        findings: take(shared.findings),
        suppressed: take(shared.suppressed),
        errors: take(shared.errors),
        skipped: take(shared.skipped),
        groups: Vec::new(),
        stats: Stats {
            files_scanned: shared.files.load(Ordering::Relaxed),
            bytes_scanned: shared.bytes.load(Ordering::Relaxed),
            skipped_binary: shared.binary.load(Ordering::Relaxed),
            skipped_too_large: shared.too_large.load(Ordering::Relaxed),
            ignored_credential_files: shared.ignored_credential.load(Ordering::Relaxed),
        },
    };
    report.errors.extend(missing);
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
    report.groups = correlate(&mut report.findings, &ids);
    report.errors.sort();
    report.errors.dedup();
    report.skipped.sort();
    report.skipped.dedup();
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
fn scan_ignored_credential_files(worker: &mut Worker<'_, '_>, existing: &[&PathBuf]) {
    let (opts, shared) = (worker.opts, worker.shared);
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

/// One scanning thread's reusable state: the file buffer, the prefilter's
/// candidate marks, and counters added to the shared ones when it is dropped
/// (so threads do not contend on them per file).
struct Worker<'a, 'e> {
    engine: &'a Engine<'e>,
    opts: &'a ScanOptions,
    hooks: &'a ScanHooks<'a>,
    shared: &'a Shared,
    roots: &'a Roots,
    /// Holds the current file in `buf[..len]`. It keeps its largest size
    /// (at most --max-filesize), so it is zero-filled only when it grows.
    buf: Vec<u8>,
    /// UTF-16/32 files transcoded to UTF-8.
    decoded: Vec<u8>,
    candidates: Vec<bool>,
    files: u64,
    bytes: u64,
    binary: u64,
}

impl<'a, 'e> Worker<'a, 'e> {
    fn new(
        engine: &'a Engine<'e>,
        opts: &'a ScanOptions,
        hooks: &'a ScanHooks<'a>,
        shared: &'a Shared,
        roots: &'a Roots,
    ) -> Worker<'a, 'e> {
        Worker {
            engine,
            opts,
            hooks,
            shared,
            roots,
            buf: Vec::new(),
            decoded: Vec::new(),
            candidates: Vec::new(),
            files: 0,
            bytes: 0,
            binary: 0,
        }
    }

    /// Handles one entry of a walk: regular files are scanned, FIFOs and
    /// devices listed as skipped (never opened), walk errors recorded.
    fn visit(&mut self, result: Result<DirEntry, ignore::Error>) {
        let (opts, shared, roots) = (self.opts, self.shared, self.roots);
        match result {
            Ok(entry) => match entry.file_type() {
                Some(t) if t.is_file() => {
                    let path = entry.path();
                    if !opts.no_ignore
                        && is_credential_file_name(&entry.file_name().to_string_lossy())
                    {
                        lock(&shared.seen_credential_files).insert(path.to_path_buf());
                    }
                    self.scan_file(path);
                }
                Some(t) if !t.is_dir() && !t.is_symlink() => {
                    lock(&shared.skipped).push(not_regular(roots.display(entry.path()), t));
                }
                _ => {}
            },
            Err(err) => match walk_issue(&err, roots) {
                Ok(skipped) => lock(&shared.skipped).push(skipped),
                Err(error) => lock(&shared.errors).push(error),
            },
        }
    }

    fn scan_file(&mut self, path: &Path) {
        let (engine, opts, shared, roots) = (self.engine, self.opts, self.shared, self.roots);
        // The display name is built up front only when a filter needs it.
        let mut display = None;
        if let Some(allows) = self.hooks.filter {
            let name = roots.display(path);
            if !allows(&name) {
                return;
            }
            display = Some(name);
        }
        let name_of = |display: Option<String>| display.unwrap_or_else(|| roots.display(path));
        let file_name = path.file_name().unwrap_or_default().to_string_lossy();
        let key_container = super::classify::is_key_container(&file_name);
        if let Some(hook) = self.hooks.before_read {
            hook(path);
        }
        let (len, encoding) = match read_file(path, opts.max_filesize, &mut self.buf) {
            Ok(Content::Text { .. } | Content::Binary) if key_container => {
                // PKCS#12 is binary DER: rules see a placeholder line naming
                // it, and correlation decides whether it is the Adobe
                // credential's key.
                let text = super::classify::KEY_CONTAINER_TEXT.as_bytes();
                if self.buf.len() < text.len() {
                    self.buf.resize(text.len(), 0);
                }
                self.buf[..text.len()].copy_from_slice(text);
                (text.len(), Encoding::Utf8 { bom: false })
            }
            Ok(Content::Text { len, encoding }) => (len, encoding),
            Ok(Content::Binary) => {
                self.binary += 1;
                return;
            }
            Ok(Content::TooLarge) => {
                shared.too_large.fetch_add(1, Ordering::Relaxed);
                lock(&shared.skipped).push(Skipped {
                    path: name_of(display),
                    reason: format!("larger than --max-filesize ({} bytes)", opts.max_filesize),
                });
                return;
            }
            Ok(Content::NotRegular(kind)) => {
                lock(&shared.skipped).push(Skipped {
                    path: name_of(display),
                    reason: format!("not a regular file ({kind})"),
                });
                return;
            }
            Err(e) => {
                lock(&shared.errors).push(ScanError {
                    path: name_of(display),
                    message: format!("cannot read: {e}"),
                });
                return;
            }
        };
        let text: &[u8] = if encoding.is_wide() {
            decode::transcode(encoding, &self.buf[..len], &mut self.decoded);
            if decode::looks_binary(&self.decoded) {
                self.binary += 1;
                return;
            }
            &self.decoded
        } else {
            &self.buf[encoding.bom_len().min(len)..len]
        };
        self.files += 1;
        self.bytes += len as u64;
        if let Some(tick) = self.hooks.progress {
            tick();
        }
        if !engine.candidates(text, opts.use_prefilter, &mut self.candidates) {
            return;
        }
        let display = name_of(display);
        let dir = path.parent().unwrap_or(Path::new(""));
        let sibling = |name: &str| dir.join(name).is_file();
        let result = engine.scan_candidates(&display, text, &sibling, &self.candidates);
        for message in result.errors {
            lock(&shared.errors).push(ScanError {
                path: display.clone(),
                message,
            });
        }
        if !result.findings.is_empty() {
            let ids = identifiers::extract(text);
            lock(&shared.identifiers).insert(display, ids);
            lock(&shared.findings).extend(result.findings);
        }
        if !result.suppressed.is_empty() {
            lock(&shared.suppressed).extend(result.suppressed);
        }
    }
}

impl Drop for Worker<'_, '_> {
    fn drop(&mut self) {
        self.shared.files.fetch_add(self.files, Ordering::Relaxed);
        self.shared.bytes.fetch_add(self.bytes, Ordering::Relaxed);
        self.shared.binary.fetch_add(self.binary, Ordering::Relaxed);
    }
}

fn not_regular(path: String, t: std::fs::FileType) -> Skipped {
    Skipped {
        path,
        reason: format!("not a regular file ({})", kind_name(t)),
    }
}

/// A walk error, or (`Ok`) a symlink loop: with `--follow`, a link back to
/// an ancestor directory is skipped, since everything under it is scanned
/// by its own path; it does not make the scan incomplete.
fn walk_issue(err: &ignore::Error, roots: &Roots) -> Result<Skipped, ScanError> {
    fn loop_of(err: &ignore::Error) -> Option<(&Path, &Path)> {
        match err {
            ignore::Error::Loop { ancestor, child } => Some((ancestor, child)),
            ignore::Error::WithPath { err, .. }
            | ignore::Error::WithDepth { err, .. }
            | ignore::Error::WithLineNumber { err, .. } => loop_of(err),
            _ => None,
        }
    }
    match loop_of(err) {
        Some((ancestor, child)) => Ok(Skipped {
            path: roots.display(child),
            reason: format!(
                "symlink loop: points to {}, which is scanned by its own path",
                roots.display(ancestor)
            ),
        }),
        None => Err(walk_error(err, roots)),
    }
}

fn walk_error(err: &ignore::Error, roots: &Roots) -> ScanError {
    fn path_of(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    ScanError {
        path: path_of(err).map_or_else(|| "<walk>".to_string(), |p| roots.display(p)),
        message: err.to_string(),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic in another scanning thread must not hide this thread's results.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn take<T>(m: Mutex<Vec<T>>) -> Vec<T> {
    m.into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
