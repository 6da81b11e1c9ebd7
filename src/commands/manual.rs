//! `jwt2oauth completions SHELL` and `jwt2oauth man`: generated from the
//! clap definition in [`crate::cli`], so they never drift from the parser.

use anyhow::Context as _;
use clap::CommandFactory as _;

use super::Outcome;
use crate::cli::{Cli, CompletionsArgs, ManArgs};

/// Prints the completion script for a shell on stdout.
pub fn completions(args: &CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "jwt2oauth", &mut out);
    super::write_stdout(&out)?;
    Ok(Outcome::Clean)
}

/// Prints `jwt2oauth.1`, or writes every command's page into `--out-dir`.
pub fn man(args: &ManArgs) -> anyhow::Result<Outcome> {
    let cmd = Cli::command();
    match &args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("cannot write man pages to {}", dir.display()))?;
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .context("cannot render the man page")?;
            super::write_stdout(&out)?;
        }
    }
    Ok(Outcome::Clean)
}
