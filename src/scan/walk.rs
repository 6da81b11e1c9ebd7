//! The scan loop: the `ignore` crate's parallel walker feeds files to the
//! engine, one reused buffer per thread; results are merged and sorted once
//! at the end, so output does not depend on thread scheduling.
//!
//! The per-file path is kept lean because most files have no keyword: read
//! (first block, binary check, then the rest, into the thread's buffer), run
//! the prefilter, and only when a rule may match build the display name and
//! run the rules. Counters are per thread and added up once at the end.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use ignore::{DirEntry, WalkBuilder, WalkState};

use super::classify::{DEPENDENCY_DIRS, is_credential_file_name};
use super::options::{ScanHooks, ScanOptions};
use super::shared::{Roots, Shared, lock, slashes};
use super::special::{UnsafeIgnoreFile, unsafe_ignore_file, unsafe_ignore_file_up};
use super::worker::Worker;
use crate::correlate::{ProjectRoots, correlate};
use crate::engine::Engine;
use crate::report::{ScanError, ScanReport, Skipped, Stats};

pub use super::decode::BINARY_PROBE;

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
    if let Some(mut b) = builder(&normal, opts) {
        let found = Arc::clone(&unsafe_dirs);
        let git_dirs = Arc::clone(&git_dirs);
        b.filter_entry(move |e| {
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
    let mut projects = roots.project_roots();
    projects.extend(take_inner(shared.projects));
    let git_dirs = std::mem::take(&mut *lock(&git_dirs));
    for git in &git_dirs {
        projects.note_marker(&roots.display(git));
    }
    if let Some(files) = hooks.files {
        // The walk saw only the listed files, not the markers beside them.
        note_projects_above(files, &existing, &roots, &mut projects);
    }
    let cross_file = hooks.scopes.map_or_else(
        || engine.has_cross_file_rules(),
        |s| s.has_cross_file_rules(),
    );
    if cross_file {
        super::crossfile::run(
            super::scopes::Engines {
                engine,
                scopes: hooks.scopes,
            },
            opts,
            &roots,
            &projects,
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
    let mut repos = Vec::new();
    for git in &git_dirs {
        let shown = roots.display(git);
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

fn take_inner<T>(m: Mutex<T>) -> T {
    m.into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn take<T>(m: Mutex<Vec<T>>) -> Vec<T> {
    m.into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Notes the project markers and install records in the directories above
/// each listed file, up to the scan root holding it (each directory read
/// once): the facts a full walk would have seen on its way.
fn note_projects_above(
    files: &[PathBuf],
    scan_roots: &[&PathBuf],
    roots: &Roots,
    projects: &mut ProjectRoots,
) {
    let mut read: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    for f in files {
        let Some(root) = scan_roots
            .iter()
            .filter(|r| f.starts_with(r))
            .max_by_key(|r| r.components().count())
        else {
            continue;
        };
        for dir in f.ancestors().skip(1) {
            if !dir.starts_with(root) {
                break;
            }
            if read.insert(dir.to_path_buf()) {
                for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                    let name = entry.file_name();
                    let name = name.to_string_lossy();
                    let shown = roots.display(&entry.path());
                    if crate::correlate::is_project_marker(&name) {
                        projects.note_marker(&shown);
                    } else if crate::correlate::is_install_record(&name) {
                        projects.note_install_record(&shown);
                    }
                }
            }
            if dir == root.as_path() {
                break;
            }
        }
    }
}

/// The main walk's builder over `paths` (none when empty): hidden files
/// too, `.gitignore` files even outside git, `--no-ignore` and `--follow`
/// as given. The repository discovery walks with the same settings.
pub(super) fn builder(paths: &[&PathBuf], opts: &ScanOptions) -> Option<WalkBuilder> {
    let (first, rest) = paths.split_first()?;
    let mut b = WalkBuilder::new(first);
    for p in rest {
        b.add(p);
    }
    b.follow_links(opts.follow)
        .threads(opts.threads)
        .require_git(false)
        .standard_filters(!opts.no_ignore)
        // After `standard_filters`, which sets it.
        .hidden(false);
    Some(b)
}
