//! Repositories as scopes of one tree scan: a directory of checkouts (`scan
//! ~/src`, `scan --repos LIST`) scans each repository as it is scanned
//! alone. [`discover`] finds the repository roots before the walk (a walk
//! of directories only, with the main walk's ignore files and filters), so
//! that each file is matched by its repository's engine (its rules,
//! severities and deadlines), through its repository's `[paths]` filter,
//! and fingerprinted on its path relative to its repository's root.
//!
//! What a scope holds is decided by the caller (`commands/scan.rs` reads
//! each root's `jwt2oauth.toml`); this module only maps a walked path to the
//! deepest scope above it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::WalkBuilder;

use super::options::ScanOptions;
use super::shared::{Roots, lock};
use super::special::{unsafe_ignore_file, unsafe_ignore_file_up};
use crate::engine::Engine;

/// A git repository found under the scanned paths.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FoundRepository {
    /// Its work tree, as walked (the scanned path joined with the rest).
    pub dir: PathBuf,
    /// Its root as reported (relative to the scan root, `.` for the root).
    pub root: String,
}

/// The repositories under `opts.paths`: each directory holding a `.git`
/// entry (a directory, or a file for worktrees and submodules) that the
/// walk would enter, sorted by root. Directories whose ignore files cannot
/// be read safely are not entered (the main walk scans them without
/// ignore files; repositories in them are not scopes).
pub fn discover(opts: &ScanOptions, labels: Option<&[String]>) -> Vec<FoundRepository> {
    let roots = Roots::new(&opts.paths, labels);
    let dirs: Vec<&PathBuf> = opts
        .paths
        .iter()
        .filter(|p| p.is_dir())
        .filter(|p| opts.no_ignore || unsafe_ignore_file_up(p).is_none())
        .collect();
    let Some((first, rest)) = dirs.split_first() else {
        return Vec::new();
    };
    let found: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let mut b = WalkBuilder::new(first);
    for p in rest {
        b.add(p);
    }
    let seen = Arc::clone(&found);
    let checks_ignore_files = !opts.no_ignore;
    b.hidden(false)
        .follow_links(opts.follow)
        .threads(opts.threads)
        .require_git(false)
        .standard_filters(!opts.no_ignore)
        .hidden(false)
        .filter_entry(move |e| {
            if e.file_name() == ".git" {
                if let Some(dir) = e.path().parent() {
                    lock(&seen).push(dir.to_path_buf());
                }
                return false;
            }
            // Only directories are walked: files are the main walk's.
            e.file_type().is_some_and(|t| t.is_dir())
                && !(checks_ignore_files && unsafe_ignore_file(e.path()).is_some())
        });
    b.build_parallel()
        .run(|| Box::new(|_| ignore::WalkState::Continue));
    let dirs = std::mem::take(&mut *lock(&found));
    let mut out: Vec<FoundRepository> = dirs
        .into_iter()
        .map(|dir| {
            let shown = roots.display(&dir.join(".git"));
            let root = shown.rsplit_once('/').map_or(".", |(d, _)| d).to_string();
            FoundRepository { dir, root }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A path filter (a config's `[paths]`).
pub trait Allows: Sync {
    /// Whether a file at `path` is scanned.
    fn allows(&self, path: &str) -> bool;
}

/// What applies to the files of one scope (a repository, or the scan root).
pub struct Scope<'a, 'e> {
    /// The engine its files are matched with.
    pub engine: &'a Engine<'e>,
    /// Its config's `[paths]`: whether a file at this path (relative to
    /// `filter_root`) is scanned.
    pub filter: Option<&'a dyn Allows>,
    /// The reported root the filter's paths are relative to (the
    /// directory of the config it comes from).
    pub filter_root: String,
    /// Its config does not parse: its files are not scanned (the caller
    /// lists the error, which makes the repository incomplete).
    pub skip: bool,
}

/// The scopes of a scan: one for the scan root, one per repository (by its
/// walked directory).
pub struct Scopes<'a, 'e> {
    top: Scope<'a, 'e>,
    by_dir: HashMap<PathBuf, Scope<'a, 'e>>,
}

impl<'a, 'e> Scopes<'a, 'e> {
    /// `top` for files outside every repository.
    pub fn new(top: Scope<'a, 'e>) -> Scopes<'a, 'e> {
        Scopes {
            top,
            by_dir: HashMap::new(),
        }
    }

    /// Adds the scope of the repository whose work tree is `dir`.
    pub fn add(&mut self, dir: PathBuf, scope: Scope<'a, 'e>) {
        self.by_dir.insert(dir, scope);
    }

    /// The scope of a walked path: the deepest repository above it, else
    /// the top (one hash lookup per directory above the file).
    pub fn of(&self, path: &Path) -> &Scope<'a, 'e> {
        path.ancestors()
            .skip(1)
            .find_map(|dir| self.by_dir.get(dir))
            .unwrap_or(&self.top)
    }

    /// Whether any scope's engine has cross-file rules.
    pub fn has_cross_file_rules(&self) -> bool {
        self.top.engine.has_cross_file_rules()
            || self
                .by_dir
                .values()
                .any(|s| s.engine.has_cross_file_rules())
    }
}

/// The engine of each file: its scope's, or the scan's.
#[derive(Clone, Copy)]
pub(super) struct Engines<'a, 'e> {
    pub(super) engine: &'a Engine<'e>,
    pub(super) scopes: Option<&'a Scopes<'a, 'e>>,
}

impl<'a, 'e> Engines<'a, 'e> {
    /// The engine a walked path is matched with.
    pub(super) fn of(&self, path: &Path) -> &'a Engine<'e> {
        self.scopes.map_or(self.engine, |s| s.of(path).engine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(root: &Path) -> ScanOptions {
        ScanOptions {
            paths: vec![root.to_path_buf()],
            no_ignore: false,
            follow: false,
            max_filesize: 1 << 20,
            threads: 1,
            use_prefilter: true,
        }
    }

    #[test]
    fn nested_repositories_are_found_and_ignored_ones_are_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for d in ["a/.git", "a/b/.git", "c/.git", "skip/d/.git", "e/src"] {
            std::fs::create_dir_all(root.join(d)).expect("mkdir");
        }
        // A worktree's `.git` is a file.
        std::fs::write(root.join("e/.git"), "gitdir: elsewhere\n").expect("write");
        std::fs::write(root.join(".gitignore"), "skip/\n").expect("write");
        let found: Vec<String> = discover(&opts(root), None)
            .into_iter()
            .map(|r| r.root)
            .collect();
        assert_eq!(found, ["a", "a/b", "c", "e"]);
    }

    #[test]
    fn a_path_belongs_to_the_deepest_scope_above_it() {
        let set = crate::rules::RuleSet::default();
        let engine = Engine::new(&set, jiff::civil::date(2026, 11, 23), 90);
        let scope = |skip| Scope {
            engine: &engine,
            filter: None,
            filter_root: ".".into(),
            skip,
        };
        let mut scopes = Scopes::new(scope(false));
        scopes.add(PathBuf::from("/s/a"), scope(true));
        scopes.add(PathBuf::from("/s/a/b"), scope(false));
        assert!(scopes.of(Path::new("/s/a/x.js")).skip);
        assert!(!scopes.of(Path::new("/s/a/b/x.js")).skip);
        assert!(scopes.of(Path::new("/s/a/c/d/x.js")).skip);
        assert!(!scopes.of(Path::new("/s/ab/x.js")).skip);
    }
}
