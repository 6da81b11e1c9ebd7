//! Walking the scanned paths and classifying files; git-aware scans.

pub mod classify;
pub mod decode;
pub mod git;
pub mod read;
mod special;
pub mod walk;
mod worker;

pub use walk::{ScanError, ScanHooks, ScanOptions, ScanReport, Skipped, Stats, scan, scan_with};
