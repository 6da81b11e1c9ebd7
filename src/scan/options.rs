//! What a scan walks and how: its options and its optional hooks.

use std::path::{Path, PathBuf};

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
    /// One name per path, reported instead of the path (`scan --repos`:
    /// `owner/name/src/app.js` for a clone somewhere in the cache).
    pub labels: Option<&'h [String]>,
    /// The repositories of a scan of several, each with its own engine and
    /// `[paths]` filter (see [`super::scopes`]); `None`: the scan's engine
    /// and `filter` for every file.
    pub scopes: Option<&'h super::scopes::Scopes<'h, 'h>>,
}
