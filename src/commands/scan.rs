//! `jwt2oauth scan` (being built).
use super::Outcome;
use crate::cli::ScanArgs;

/// Runs a scan.
pub fn run(_args: &ScanArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("scan is not built yet")
}
