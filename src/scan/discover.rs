//! The repositories under the scanned paths, found before the walk (a walk
//! of directories only, with the main walk's ignore files and filters), so
//! that a scan of several repositories knows each one's root and config
//! before it reads a file (see [`super::scopes`]).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::options::ScanOptions;
use super::shared::{Roots, lock};
use super::special::{unsafe_ignore_file, unsafe_ignore_file_up};

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
    let Some(mut b) = super::walk::builder(&dirs, opts) else {
        return Vec::new();
    };
    let found: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let seen = Arc::clone(&found);
    let checks_ignore_files = !opts.no_ignore;
    b.filter_entry(move |e| {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

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
}
