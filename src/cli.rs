//! Command-line interface (clap derive). Parsing only: no behaviour lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::finding::Severity;

const EXIT_CODES: &str = "\
Exit codes:
  0  clean: no finding at or above --fail-on
  1  findings at or above --fail-on
  2  usage, config or rule error
  3  the scan was incomplete (unreadable or unparsable files) and --strict was given";

/// Find Adobe Service Account (JWT) credential usage and prove the OAuth
/// Server-to-Server replacement works.
#[derive(Debug, Parser)]
#[command(name = "jwt2oauth", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories for Adobe JWT credential usage (a CI gate).
    #[command(after_help = EXIT_CODES)]
    Scan(ScanArgs),
    /// List, explain, lint and test rules.
    #[command(subcommand)]
    Rules(RulesCommand),
}

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// Human-readable, grouped by file, with code frames.
    Terminal,
    /// One JSON object, versioned schema (see README).
    Json,
}

/// The `--fail-on` threshold: a severity, or `never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never fail because of findings (still exits 2/3 on errors).
    Never,
}

impl FailOn {
    /// The lowest severity that fails the gate, or `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// Options shared by every command that loads rules.
#[derive(Debug, Clone, Args)]
pub struct RuleSource {
    /// Directory of extra rule files (YAML); a rule with the id of a built-in
    /// rule replaces it.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules_dirs: Vec<PathBuf>,
    /// Do not load the built-in rules (only those from --rules).
    #[arg(long)]
    pub no_builtin_rules: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Files or directories to scan.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Terminal)]
    pub format: ScanFormat,

    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The date deadlines are computed against (YYYY-MM-DD); default: today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,

    /// A deadline this many days away or fewer is "due-soon".
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub warn_days: i64,

    /// Fail (exit 1) on findings of this severity or above.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,

    /// Exit 3 when the scan was incomplete (unreadable or unparsable files).
    #[arg(long)]
    pub strict: bool,

    /// Do not respect .gitignore, .ignore and similar files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links.
    #[arg(long, short = 'L')]
    pub follow: bool,

    /// Skip files larger than this many bytes (suffixes K, M, G allowed).
    #[arg(long, value_name = "SIZE", default_value = "8M", value_parser = parse_size)]
    pub max_filesize: u64,

    /// Number of scanning threads (default: number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// Colour for terminal output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(flatten)]
    pub rule_source: RuleSource,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Only on a terminal, and never when NO_COLOR is set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules with id, category, severity and title.
    List {
        #[command(flatten)]
        rule_source: RuleSource,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show a rule's documentation.
    Explain {
        /// The rule id.
        id: String,
        #[command(flatten)]
        rule_source: RuleSource,
    },
    /// Check rule files strictly (unknown keys, bad regexes, duplicate ids...).
    Lint {
        /// Directories or files of rules; default: the built-in rules.
        paths: Vec<PathBuf>,
    },
    /// Run every rule's own examples (must match / must not match).
    Test {
        /// Directories or files of rules; default: the built-in rules.
        paths: Vec<PathBuf>,
    },
}

/// Parses `123`, `64K`, `8M`, `1G` into bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let mult = match c.to_ascii_uppercase() {
                'K' => 1024,
                'M' => 1024 * 1024,
                'G' => 1024 * 1024 * 1024,
                _ => return Err(format!("unknown size suffix {c:?} (use K, M or G)")),
            };
            (&s[..i], mult)
        }
        _ => (s, 1),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size (e.g. 512K, 8M)"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size("123"), Ok(123));
        assert_eq!(parse_size("2K"), Ok(2048));
        assert_eq!(parse_size("8m"), Ok(8 * 1024 * 1024));
        assert!(parse_size("8X").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("99999999999G").is_err());
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
