//! Ignore files that must not be opened.
//!
//! The `ignore` crate opens `.gitignore`, `.ignore` and `.git/info/exclude`
//! (and, in a git worktree, the files a `.git` pointer file names) with a
//! plain blocking open and reads them to the end. A FIFO there blocks the
//! whole scan forever; `/dev/zero` there never ends. The walker asks this
//! module first, for every directory it is about to enter and for each root
//! and its ancestors, and walks such a directory itself without ignore files.

use std::path::{Path, PathBuf};

use super::read::{kind_name, read_small};

/// An ignore file that is not a regular file: its path and what it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnsafeIgnoreFile {
    pub path: PathBuf,
    pub kind: &'static str,
}

/// The first ignore file the `ignore` crate would open in `dir` that is
/// neither a regular file nor missing.
pub fn unsafe_ignore_file(dir: &Path) -> Option<UnsafeIgnoreFile> {
    for name in [".gitignore", ".ignore"] {
        if let Some(found) = check(&dir.join(name)) {
            return Some(found);
        }
    }
    let git = dir.join(".git");
    let meta = std::fs::metadata(&git).ok()?;
    if meta.is_dir() {
        return check(&git.join("info").join("exclude"));
    }
    if !meta.is_file() {
        // The crate only opens `.git` when it is a regular file.
        return None;
    }
    // A worktree: `.git` says `gitdir: DIR`; the crate then reads
    // `DIR/commondir` and `COMMONDIR/info/exclude`.
    let pointer = read_small(&git, 4096)?;
    let line = String::from_utf8_lossy(&pointer);
    let gitdir = PathBuf::from(line.lines().next()?.strip_prefix("gitdir: ")?);
    let commondir_file = gitdir.join("commondir");
    if let Some(found) = check(&commondir_file) {
        return Some(found);
    }
    let common = read_small(&commondir_file, 4096)?;
    let common = String::from_utf8_lossy(&common);
    let common = common.lines().next()?;
    let common = if common.starts_with('.') {
        gitdir.join(common)
    } else {
        PathBuf::from(common)
    };
    check(&common.join("info").join("exclude"))
}

/// The first unsafe ignore file in `dir` or any of its ancestors (the
/// crate reads the ignore files of a root's parents too).
pub fn unsafe_ignore_file_up(dir: &Path) -> Option<UnsafeIgnoreFile> {
    let absolute = std::path::absolute(dir).ok()?;
    absolute.ancestors().find_map(unsafe_ignore_file)
}

fn check(path: &Path) -> Option<UnsafeIgnoreFile> {
    let meta = std::fs::metadata(path).ok()?;
    // A directory fails to read at once; anything else but a regular file
    // may block or never end.
    (!meta.is_file() && !meta.is_dir()).then(|| UnsafeIgnoreFile {
        path: path.to_path_buf(),
        kind: kind_name(meta.file_type()),
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mkfifo(p: &Path) -> bool {
        std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .is_ok_and(|s| s.success())
    }

    #[test]
    fn finds_fifo_and_device_ignore_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::write(d.join(".gitignore"), "x\n").expect("write");
        assert_eq!(unsafe_ignore_file(d), None);
        std::fs::create_dir_all(d.join(".git/info")).expect("mkdir");
        std::os::unix::fs::symlink("/dev/zero", d.join(".git/info/exclude")).expect("link");
        let found = unsafe_ignore_file(d).expect("found");
        assert_eq!(found.kind, "character device");
        assert!(unsafe_ignore_file_up(&d.join(".git/info")).is_some());
        let sub = d.join("sub");
        std::fs::create_dir(&sub).expect("mkdir");
        if mkfifo(&sub.join(".ignore")) {
            assert_eq!(unsafe_ignore_file(&sub).map(|f| f.kind), Some("FIFO"));
        }
    }

    #[test]
    fn worktree_pointer_to_a_fifo() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let real = d.join("real");
        std::fs::create_dir(&real).expect("mkdir");
        let wt = d.join("wt");
        std::fs::create_dir(&wt).expect("mkdir");
        std::fs::write(wt.join(".git"), format!("gitdir: {}\n", real.display())).expect("write");
        assert_eq!(unsafe_ignore_file(&wt), None);
        if mkfifo(&real.join("commondir")) {
            assert_eq!(unsafe_ignore_file(&wt).map(|f| f.kind), Some("FIFO"));
        }
    }
}
