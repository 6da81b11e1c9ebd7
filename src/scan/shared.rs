//! What the scanning threads share: the collected results and counters
//! ([`Shared`]), and the mapping of walked paths to reported names
//! ([`Roots`]). The walk creates them, the workers and the cross-file pass
//! add to them.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use crate::correlate::{FileIdentifiers, ProjectRoots};
use crate::finding::Detected;
use crate::report::{ScanError, ScanWarning, Skipped};
use crate::suppress::Suppressed;

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
    pub(super) fn new(paths: &[PathBuf], labels: Option<&[String]>) -> Roots {
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
    pub(super) fn project_roots(&self) -> ProjectRoots {
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

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic in another scanning thread must not hide this thread's results.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) fn slashes(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
