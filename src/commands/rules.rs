//! `jwt2oauth rules ...` (being built).
use super::Outcome;
use crate::cli::RulesCommand;

/// Runs a rules subcommand.
pub fn run(_cmd: RulesCommand) -> anyhow::Result<Outcome> {
    anyhow::bail!("rules is not built yet")
}
