//! The `jwt2oauth` binary: parse arguments, run, map the outcome to an exit code.
//! Only this file picks exit codes (see `jwt2oauth::commands::Outcome`).

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use jwt2oauth::cli::Cli;
use jwt2oauth::commands::Outcome;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match jwt2oauth::commands::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(err) => {
            report(&err);
            ExitCode::from(Outcome::of_error(&err).code())
        }
    }
}

/// Prints the error on stderr: a config error as a diagnostic (code, line,
/// caret), anything else on one line. Both redacted, since a parser's
/// message may quote a secret from a file.
fn report(err: &anyhow::Error) {
    let diagnostic = err
        .downcast_ref::<jwt2oauth::config::ConfigError>()
        .and_then(jwt2oauth::config::ConfigError::diagnostic);
    let text = match diagnostic {
        Some(d) => d.render(),
        // `{:#}` prints the anyhow context chain on one line.
        None => format!(
            "jwt2oauth: error: {}\n",
            jwt2oauth::redact::redact_text(&format!("{err:#}"))
        ),
    };
    // Best effort: there is nowhere else to say that stderr failed.
    let _ = anstream::stderr().lock().write_all(text.as_bytes());
}
