//! Command implementations. Each returns an [`Outcome`]; only `main` turns it
//! into a process exit code.

/// `println!` for the commands' own stdout text: a closed pipe (`| head`)
/// ends the output quietly instead of panicking; another write error is
/// returned (`?`) naming stdout.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::commands::write_stdout(format!("{}\n", format_args!($($arg)*)).as_bytes())?
    };
}

pub mod emulate;
pub mod fix;
pub mod fleet;
pub mod init;
pub mod manual;
pub mod merge;
pub mod outputs;
pub mod rules;
pub mod scan;

pub mod token;
pub mod verify;

use crate::cli::{Cli, Command};

/// How a command ended, as the exit-code contract in the README defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: nothing at or above the gate (or the command simply succeeded).
    Clean,
    /// 1: findings at or above `--fail-on` (or, for `verify`, not verified).
    Findings,
    /// 2: usage, config or rule error.
    UsageError,
    /// 3: the scan was incomplete and `--strict` was given.
    Incomplete,
    /// 4: an I/O error: an output could not be written, or a config or
    /// baseline that exists could not be read.
    IoError,
}

/// An output failed at the OS level (permission denied, disk full, a
/// missing directory): not a usage error. Shown as `what: error`, the text
/// an anyhow context gave before.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {error}")]
pub struct IoFailure {
    pub what: String,
    /// Not a `#[source]`: `{:#}` would print it twice.
    pub error: std::io::Error,
}

impl IoFailure {
    /// `what` failed with `error`.
    pub fn new(what: impl Into<String>, error: std::io::Error) -> IoFailure {
        IoFailure {
            what: what.into(),
            error,
        }
    }
}

impl Outcome {
    /// The process exit code for this outcome.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::UsageError => 2,
            Outcome::Incomplete => 3,
            Outcome::IoError => 4,
        }
    }

    /// The outcome of a command that failed: an I/O error (an output not
    /// written, a config or baseline that exists but cannot be read) or else
    /// a usage, config, rule or git error.
    pub fn of_error(err: &anyhow::Error) -> Outcome {
        use crate::baseline::BaselineError;
        use crate::config::ConfigError;
        let found = |kind: &std::io::ErrorKind| *kind != std::io::ErrorKind::NotFound;
        let io = err.chain().any(|cause| {
            cause.is::<IoFailure>()
                || matches!(cause.downcast_ref(), Some(ConfigError::Read { kind, .. }) if found(kind))
                || matches!(
                    cause.downcast_ref(),
                    Some(BaselineError::Write { .. })
                )
                || matches!(cause.downcast_ref(), Some(BaselineError::Read { kind, .. }) if found(kind))
        });
        if io {
            Outcome::IoError
        } else {
            Outcome::UsageError
        }
    }
}

impl From<crate::gate::Exit> for Outcome {
    fn from(e: crate::gate::Exit) -> Outcome {
        match e {
            crate::gate::Exit::Passed => Outcome::Clean,
            crate::gate::Exit::Failed => Outcome::Findings,
            crate::gate::Exit::Incomplete => Outcome::Incomplete,
        }
    }
}

/// The gate of `--fail-on` and `--strict`, as `scan` and `merge` judge.
pub fn gate(fail_on: crate::cli::FailOn, strict: bool) -> crate::gate::Gate {
    crate::gate::Gate::from_fail_on(fail_on, strict)
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Verify(args) => verify::run(&args),
        Command::Token(args) => token::run(&args),
        Command::EmulateIms(args) => emulate::run(&args),
        Command::Fix(args) => fix::run(&args),
        Command::Completions(args) => manual::completions(&args),
        Command::Man(args) => manual::man(&args),
        Command::Init(args) => init::run(&args),
        Command::Merge(args) => merge::run(&args),
    }
}

/// Writes `bytes` to stdout and flushes. A reader that went away (`| head`)
/// is no error: the rest of the output has nowhere to go.
pub(crate) fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| IoFailure::new("cannot write to stdout", e).into()),
    }
}
