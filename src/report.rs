//! The result model of a scan: what a walk, a git blob scan or a merge of
//! reports produced (findings, suppressed findings, errors, skips, warnings,
//! counters, credential groups, unattributed sites, repositories), and how
//! its paths are shown as given on the command line. The gate reads it
//! (`crate::gate`), the outputs print it (`crate::output`).

use std::path::PathBuf;

use crate::correlate::{CredentialGroup, UnattributedSites};
use crate::finding::Detected;
use crate::repository::Repository;
use crate::suppress::Suppressed;

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
        crate::repository::deepest(path, true, find)
    }

    /// Entries of `skipped` that no counter covers: FIFOs, devices, sockets,
    /// symlink loops, ignore files that could not be read safely (too-large
    /// files are listed there too, and counted in `skipped_too_large`).
    pub fn skipped_other(&self) -> u64 {
        (self.skipped.len() as u64).saturating_sub(self.stats.skipped_too_large)
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
