//! Output formats: each is a function from a finished scan to a writer.

pub mod json;
pub mod terminal;

use jiff::civil::Date;

use crate::scan::ScanReport;

/// Everything an output format may show.
pub struct Report<'a> {
    pub scan: &'a ScanReport,
    pub today: Date,
    pub rule_count: usize,
    /// The `--fail-on` value as given (`low`, `never`, ...).
    pub fail_on: &'a str,
    pub gate_failed: bool,
}
