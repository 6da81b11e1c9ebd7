//! `--write`: each change is written atomically (a temporary file beside the
//! target, then a rename), keeping the file's permissions. A file is never
//! written through a symlink, outside the scanned roots, or when its bytes
//! differ from what was read (it changed since): those are errors and the
//! file is skipped. Nothing is ever deleted.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::plan::FileChange;

/// Why a change was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0}: is a symbolic link: not written through it")]
    Symlink(String),
    #[error("{0}: is outside the scanned paths: not written")]
    OutsideRoots(String),
    #[error("{0}: changed since it was read: skipped (run fix again)")]
    Changed(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The canonical roots writes must stay under.
pub fn canonical_roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths.iter().filter_map(|p| p.canonicalize().ok()).collect()
}

/// Writes one change.
pub fn write(change: &FileChange, roots: &[PathBuf]) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: change.path.clone(),
        source,
    };
    let meta = std::fs::symlink_metadata(&change.abs).map_err(io)?;
    if meta.file_type().is_symlink() {
        return Err(WriteError::Symlink(change.path.clone()));
    }
    let real = change.abs.canonicalize().map_err(io)?;
    if !roots.iter().any(|r| real.starts_with(r)) {
        return Err(WriteError::OutsideRoots(change.path.clone()));
    }
    let now = std::fs::read(&real).map_err(io)?;
    if now != change.before.as_bytes() {
        return Err(WriteError::Changed(change.path.clone()));
    }
    let dir = real.parent().unwrap_or(Path::new("."));
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.jwt2oauth-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.set_permissions(meta.permissions())?;
        f.write_all(change.after.as_bytes())?;
        f.sync_all()?;
        drop(f);
        // Re-check just before the rename: a writer that got in since is kept.
        if std::fs::read(&real)? != change.before.as_bytes() {
            return Err(std::io::Error::other("changed"));
        }
        std::fs::rename(&tmp, &real)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(if e.to_string() == "changed" {
            WriteError::Changed(change.path.clone())
        } else {
            io(e)
        });
    }
    Ok(())
}
