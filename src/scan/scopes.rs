//! Repositories as scopes of one tree scan: a directory of checkouts (`scan
//! ~/src`, `scan --repos LIST`) scans each repository as it is scanned
//! alone. [`super::discover`] finds the repository roots before the walk,
//! so that each file is matched by its repository's engine (its rules,
//! severities and deadlines), through its repository's `[paths]` filter,
//! and fingerprinted on its path relative to its repository's root.
//!
//! What a scope holds is decided by the caller (`commands/scan.rs` reads
//! each root's `jwt2oauth.toml`); this module only maps a walked path to the
//! deepest scope above it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::engine::Engine;

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
