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
}

impl Outcome {
    /// The process exit code for this outcome.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::UsageError => 2,
            Outcome::Incomplete => 3,
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
    use anyhow::Context as _;
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("cannot write to stdout"),
    }
}
