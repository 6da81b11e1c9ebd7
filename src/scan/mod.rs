//! Walking the scanned paths and classifying files.

pub mod classify;
pub mod walk;

pub use walk::{ScanError, ScanOptions, ScanReport, Skipped, Stats, scan};
