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
            // `{:#}` prints the anyhow context chain on one line; redacted,
            // since a parser's message may quote a secret from a file.
            let message = format!("{err:#}");
            eprintln!(
                "jwt2oauth: error: {}",
                jwt2oauth::redact::redact_text(&message)
            );
            ExitCode::from(jwt2oauth::commands::Outcome::UsageError.code())
        }
    }
}
