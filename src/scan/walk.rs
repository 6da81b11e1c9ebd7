//! The scan loop: the `ignore` crate's parallel walker feeds files to the
//! engine, one reused buffer per thread; results are merged and sorted once
//! at the end, so output does not depend on thread scheduling.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use ignore::{WalkBuilder, WalkState};

use super::classify::{DEPENDENCY_DIRS, is_credential_file_name};
use crate::correlate::{CredentialGroup, FileIdentifiers, correlate};
use crate::engine::{Detected, Engine, identifiers};
use crate::suppress::Suppressed;

/// How many leading bytes are checked for a NUL byte (binary detection).
pub const BINARY_PROBE: usize = 8 * 1024;

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

/// A file deliberately not scanned, and why.
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
    /// Files over the size cap (binary files are only counted).
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
    roots: Vec<PathBuf>,
}

impl Roots {
    fn display(&self, path: &Path) -> String {
        let single_dir = self.roots.len() == 1 && self.roots[0].is_dir();
        for root in &self.roots {
            if let Ok(rel) = path.strip_prefix(root) {
                let rel = slashes(rel);
                if root.is_file() || rel.is_empty() {
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
}

/// Scans `opts.paths` with `engine`.
pub fn scan(engine: &Engine<'_>, opts: &ScanOptions) -> ScanReport {
    scan_with(engine, opts, ScanHooks::default())
}

/// Scans `opts.paths` with `engine`, with hooks.
pub fn scan_with(engine: &Engine<'_>, opts: &ScanOptions, hooks: ScanHooks<'_>) -> ScanReport {
    let shared = Shared::default();
    let roots = Roots {
        roots: opts.paths.clone(),
    };
    let mut missing = Vec::new();
    for p in &opts.paths {
        if std::fs::symlink_metadata(p).is_err() {
            missing.push(ScanError {
                path: slashes(p),
                message: "no such file or directory".into(),
            });
        }
    }
    let existing: Vec<&PathBuf> = opts.paths.iter().filter(|p| p.exists()).collect();
    let walked: Vec<&PathBuf> = match hooks.files {
        Some(files) => files.iter().filter(|p| p.is_file()).collect(),
        None => existing.clone(),
    };
    if let Some((first, rest)) = walked.split_first() {
        let mut b = WalkBuilder::new(first);
        for p in rest {
            b.add(p);
        }
        b.hidden(false)
            .follow_links(opts.follow)
            .threads(opts.threads)
            .require_git(false)
            .standard_filters(!opts.no_ignore)
            .hidden(false)
            .filter_entry(|e| e.file_name() != ".git");
        b.build_parallel().run(|| {
            let shared = &shared;
            let roots = &roots;
            let hooks = &hooks;
            let mut buf = Vec::with_capacity(64 * 1024);
            let mut candidates = Vec::new();
            Box::new(move |result| {
                match result {
                    Ok(entry) => {
                        if entry.file_type().is_some_and(|t| t.is_file()) {
                            let path = entry.path();
                            if !opts.no_ignore
                                && is_credential_file_name(&entry.file_name().to_string_lossy())
                            {
                                lock(&shared.seen_credential_files).insert(path.to_path_buf());
                            }
                            scan_file(
                                engine,
                                opts,
                                hooks,
                                shared,
                                roots,
                                path,
                                &mut buf,
                                &mut candidates,
                            );
                        }
                    }
                    Err(err) => lock(&shared.errors).push(walk_error(&err, roots)),
                }
                WalkState::Continue
            })
        });
        if !opts.no_ignore && hooks.files.is_none() {
            scan_ignored_credential_files(engine, opts, &hooks, &shared, &roots, &existing);
        }
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
    report
}

/// Second pass: credential-named files that .gitignore hid from the first
/// pass are scanned anyway. Dependency and build directories are skipped.
fn scan_ignored_credential_files(
    engine: &Engine<'_>,
    opts: &ScanOptions,
    hooks: &ScanHooks<'_>,
    shared: &Shared,
    roots: &Roots,
    existing: &[&PathBuf],
) {
    let seen = lock(&shared.seen_credential_files).clone();
    let mut buf = Vec::new();
    let mut candidates = Vec::new();
    for root in existing.iter().filter(|p| p.is_dir()) {
        let walker = WalkBuilder::new(root)
            .standard_filters(false)
            .hidden(false)
            .follow_links(opts.follow)
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                name != ".git" && !(e.depth() > 0 && DEPENDENCY_DIRS.contains(&name.as_ref()))
            })
            .build();
        for entry in walker.flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file())
                || !is_credential_file_name(&entry.file_name().to_string_lossy())
                || seen.contains(entry.path())
            {
                continue;
            }
            shared.ignored_credential.fetch_add(1, Ordering::Relaxed);
            scan_file(
                engine,
                opts,
                hooks,
                shared,
                roots,
                entry.path(),
                &mut buf,
                &mut candidates,
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn scan_file(
    engine: &Engine<'_>,
    opts: &ScanOptions,
    hooks: &ScanHooks<'_>,
    shared: &Shared,
    roots: &Roots,
    path: &Path,
    buf: &mut Vec<u8>,
    candidates: &mut Vec<bool>,
) {
    let display = roots.display(path);
    if hooks.filter.is_some_and(|allows| !allows(&display)) {
        return;
    }
    let read = (|| -> std::io::Result<bool> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        if len > opts.max_filesize {
            return Ok(false);
        }
        buf.clear();
        // Read at most one byte past the cap: a file growing while we read
        // is still bounded.
        file.take(opts.max_filesize + 1).read_to_end(buf)?;
        Ok(buf.len() as u64 <= opts.max_filesize)
    })();
    match read {
        Err(e) => {
            lock(&shared.errors).push(ScanError {
                path: display,
                message: format!("cannot read: {e}"),
            });
            return;
        }
        Ok(false) => {
            shared.too_large.fetch_add(1, Ordering::Relaxed);
            lock(&shared.skipped).push(Skipped {
                path: display,
                reason: format!("larger than --max-filesize ({} bytes)", opts.max_filesize),
            });
            return;
        }
        Ok(true) => {}
    }
    if super::classify::is_key_container(&display) {
        // PKCS#12 is binary DER: rules see a placeholder line naming it, and
        // correlation decides whether it is the Adobe credential's key.
        buf.clear();
        buf.extend_from_slice(super::classify::KEY_CONTAINER_TEXT.as_bytes());
    } else if memchr::memchr(0, &buf[..buf.len().min(BINARY_PROBE)]).is_some() {
        shared.binary.fetch_add(1, Ordering::Relaxed);
        return;
    }
    shared.files.fetch_add(1, Ordering::Relaxed);
    if let Some(tick) = hooks.progress {
        tick();
    }
    shared.bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let sibling = |name: &str| dir.join(name).is_file();
    let result = engine.scan(&display, buf, &sibling, opts.use_prefilter, candidates);
    for message in result.errors {
        lock(&shared.errors).push(ScanError {
            path: display.clone(),
            message,
        });
    }
    if !result.findings.is_empty() {
        let ids = identifiers::extract(buf);
        lock(&shared.identifiers).insert(display, ids);
        lock(&shared.findings).extend(result.findings);
    }
    if !result.suppressed.is_empty() {
        lock(&shared.suppressed).extend(result.suppressed);
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
