//! Walking the scanned paths and classifying files; git-aware scans.

pub mod classify;
mod crossfile;
pub mod decode;
mod discover;
pub mod git;
mod options;
pub mod read;
pub mod scopes;
mod shared;
mod special;
pub mod walk;
mod worker;

pub use crate::report::{
    ScanError, ScanReport, ScanWarning, Skipped, Stats, display_prefix, prefixed,
};
pub use discover::{FoundRepository, discover};
pub use options::{ScanHooks, ScanOptions};
pub use scopes::{Scope, Scopes};
pub use walk::{scan, scan_with};

/// An I/O error as a reason to print beside a path: its description
/// without the `(os error N)` suffix (`Permission denied`).
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) if s.ends_with(')') => s[..i].to_string(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn io_reason_drops_the_os_error_code() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(super::io_reason(&e), "No such file or directory");
        let e = std::io::Error::other("custom");
        assert_eq!(super::io_reason(&e), "custom");
    }
}
