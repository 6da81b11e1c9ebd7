//! The `jwt2oauth` binary: parse arguments, run, map the outcome to an exit code.
//! Only this file picks exit codes (see `jwt2oauth::commands::Outcome`).

use std::process::ExitCode;

use clap::Parser;
use jwt2oauth::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match jwt2oauth::commands::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(err) => {
            // `{:#}` prints the anyhow context chain on one line.
            eprintln!("jwt2oauth: error: {err:#}");
            ExitCode::from(jwt2oauth::commands::Outcome::UsageError.code())
        }
    }
}
