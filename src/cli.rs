//! Command-line interface (clap derive). Parsing only: no behaviour lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  clean: no finding at or above --fail-on
  1  findings at or above --fail-on
  2  usage, config, baseline, rule or git error; a PATH that does not exist
  3  the scan was incomplete (unreadable or unparsable files, files over
     --max-filesize) and --strict was given; 3 wins over 1
  4  I/O error: an output (-o, --write-baseline, stdout) could not be
     written, or a config or baseline that exists could not be read";

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
    /// Fetch a token with the JWT flow and the OAuth Server-to-Server flow
    /// side by side and say whether the migration works.
    #[command(after_help = VERIFY_HELP)]
    Verify(VerifyArgs),
    /// Print an OAuth Server-to-Server access token for shell pipelines
    /// (optionally cached).
    #[command(after_help = VERIFY_ENV_HELP)]
    Token(TokenArgs),
    /// Run a local Adobe IMS emulator on loopback (tests, demos, CI).
    EmulateIms(EmulateArgs),
    /// Rewrite JWT credential use into OAuth Server-to-Server: a dry run
    /// (redacted diff and manual steps) unless --write.
    #[command(after_help = FIX_HELP)]
    Fix(FixArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command to a directory.
    Man(ManArgs),
    /// Write a commented starter jwt2oauth.toml (and, with --ci, a CI workflow).
    Init(InitArgs),
    /// Merge JSON reports of many scans (one per repository or CI shard)
    /// into one report in any format, credentials linked across them.
    #[command(after_help = MERGE_HELP)]
    Merge(MergeArgs),
}

const MERGE_HELP: &str = "\
Exit codes:
  0  no merged finding at or above --fail-on
  1  merged findings at or above --fail-on
  2  usage error, or a report that is not a jwt2oauth JSON report (another
     version, truncated, not JSON): the message names the file";

const COMPLETIONS_HELP: &str = "\
Install, e.g.:
  bash:       jwt2oauth completions bash > ~/.local/share/bash-completion/completions/jwt2oauth
  zsh:        jwt2oauth completions zsh > \"${fpath[1]}/_jwt2oauth\"
  fish:       jwt2oauth completions fish > ~/.config/fish/completions/jwt2oauth.fish
  powershell: jwt2oauth completions powershell >> $PROFILE";

/// `jwt2oauth completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `jwt2oauth man`.
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write jwt2oauth.1 and a jwt2oauth-COMMAND.1 per command into DIR
    /// instead of printing jwt2oauth.1.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// The CI system `init --ci` writes a workflow for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitCi {
    /// .github/workflows/jwt2oauth.yml, with the GitHub Action.
    Github,
    /// jwt2oauth.gitlab-ci.yml, to `include:` from .gitlab-ci.yml.
    Gitlab,
}

/// `jwt2oauth init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The project directory to write into.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Also write a CI workflow that runs the gate.
    #[arg(long, value_enum, value_name = "SYSTEM")]
    pub ci: Option<InitCi>,
    /// Overwrite files that exist.
    #[arg(long)]
    pub force: bool,
}

const FIX_HELP: &str = "\
Exit codes:
  0  nothing to do (--write: written, nothing manual remains)
  1  changes or manual steps (--write: manual steps remain, or a file was skipped)
  2  usage, rule or fix-catalog error";

/// Output of `fix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FixFormat {
    /// A unified diff, then the manual steps.
    Diff,
    /// One JSON object: changes (with their diffs), manual steps, held-back fixes.
    Json,
}

/// `jwt2oauth fix`.
#[derive(Debug, Clone, Args)]
pub struct FixArgs {
    /// Files or directories to fix.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Apply the changes (atomically, file by file).
    #[arg(long)]
    pub write: bool,
    /// Also apply code rewrites (they change behaviour).
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,
    /// The new credential's OAuth scopes, comma-separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub scopes: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FixFormat::Diff)]
    pub format: FixFormat,
    /// Colour for the diff.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(flatten)]
    pub rule_source: RuleSource,
}

/// Output formats of `scan` (see [`crate::output::Format`]).
pub use crate::output::Format as ScanFormat;

pub use crate::gate::FailOn;

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

    /// Output format; repeat it to write several (each to its own --output).
    /// Default: terminal.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Vec<ScanFormat>,

    /// Where output goes: FILE (paired in order with --format) or
    /// FORMAT=FILE (e.g. `-o sarif=results.sarif`); repeatable. Files are
    /// created with mode 0600. Formats without a file go to stdout.
    #[arg(long, short = 'o', value_name = "[FORMAT=]FILE")]
    pub output: Vec<String>,

    /// The date deadlines are computed against (YYYY-MM-DD); default: today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,

    /// A deadline this many days away or fewer is "due-soon" (default 90,
    /// or `warn_days` from the config).
    #[arg(long, value_name = "DAYS")]
    pub warn_days: Option<i64>,

    /// Fail (exit 1) on findings of this severity or above (default low, or
    /// `fail_on` from the config).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Fail only on findings not in this baseline file (default: the
    /// config's `baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings in FILE (sorted, no timestamps; reasons
    /// and `until` dates of a previous baseline are kept) and gate against it.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// The project config (default: jwt2oauth.toml in the scanned directory).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Do not read jwt2oauth.toml.
    #[arg(long)]
    pub no_config: bool,

    /// Scan only files changed since the merge base with REF (git), e.g.
    /// `--since origin/main` in a pull request.
    #[arg(long, value_name = "REF", conflicts_with_all = ["staged", "history"])]
    pub since: Option<String>,

    /// Scan only the staged changes (their staged contents): for a
    /// pre-commit hook.
    #[arg(long, conflicts_with = "history")]
    pub staged: bool,

    /// Scan every blob reachable in the git history once, and report JWT
    /// credentials committed and later removed (still exposed).
    #[arg(long)]
    pub history: bool,

    /// Scan many repositories: FILE lists one local path (relative to the
    /// file's directory) or git URL (https://, ssh://, git@host:, file://)
    /// per line; blank lines and `#` comments are skipped. URLs are cloned
    /// shallowly (every commit with --history) into --repos-cache and reused
    /// next time. Each repository's files are reported under its owner/name;
    /// one that cannot be cloned or read is listed in `errors` and the rest
    /// are scanned. Tokens in URLs are never printed.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "since", "staged"])]
    pub repos: Option<PathBuf>,

    /// With --repos: scan each repository on its own and write its JSON
    /// report to DIR/owner__name.json (as `scan DIR --repository owner/name
    /// --format json` would), instead of one report of them all; an entry
    /// that fails gets a report holding its error. Rules are compiled once.
    #[arg(long, value_name = "DIR", requires = "repos", conflicts_with_all = ["format", "output"])]
    pub reports_dir: Option<PathBuf>,

    /// Where --repos keeps its clones (default
    /// `$XDG_CACHE_HOME/jwt2oauth/repos`, or `~/.cache/jwt2oauth/repos`).
    #[arg(long, value_name = "DIR", requires = "repos")]
    pub repos_cache: Option<PathBuf>,

    /// Never show the progress bar (it is shown only on a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,

    /// Run every rule on every file, without the keyword prefilter (the
    /// findings must be the same, only slower: bench/real.sh checks it).
    #[arg(long, hide = true)]
    pub no_prefilter: bool,

    /// Exit 3 when the scan was incomplete (unreadable or unparsable files,
    /// files over --max-filesize).
    #[arg(long)]
    pub strict: bool,

    /// Do not respect .gitignore, .ignore and similar files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Skip files matching GLOB (repeatable), beside the config's
    /// `[paths] exclude`: same semantics (the path relative to the scanned
    /// root, or the file name; `*` crosses directories).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Scan only files matching GLOB (repeatable); a file must also pass the
    /// config's `[paths]`.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Follow symbolic links.
    #[arg(long, short = 'L')]
    pub follow: bool,

    /// Skip files larger than this many bytes (suffixes K, M, G allowed). A
    /// skipped file makes the scan incomplete (exit 3 with --strict).
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size)]
    pub max_filesize: u64,

    /// Number of scanning threads (default: number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// Colour for terminal output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Terminal format: print each finding's whole remediation (wrapped)
    /// instead of its first sentence.
    #[arg(long)]
    pub full_fix: bool,

    /// The repository's name in the report (a single-repository scan),
    /// instead of the `origin` remote's owner/name or the directory's name.
    #[arg(long, value_name = "NAME", conflicts_with = "repos")]
    pub repository: Option<String>,

    #[command(flatten)]
    pub rule_source: RuleSource,
}

/// `jwt2oauth merge`.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// JSON reports written by `jwt2oauth scan --format json` (one per
    /// repository or CI shard).
    #[arg(value_name = "REPORT.json", required = true)]
    pub reports: Vec<PathBuf>,

    /// Output format (repeatable; pair with --output in order).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Vec<ScanFormat>,

    /// Write to FILE (pairs with --format in order), or FORMAT=FILE.
    #[arg(long, short = 'o', value_name = "[FORMAT=]FILE")]
    pub output: Vec<String>,

    /// Lowest severity that fails the gate (exit 1), as for `scan`
    /// (default: low).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Exit 3 when a merged scan was incomplete (its errors: unreadable
    /// files, failed clones; files over --max-filesize), as for `scan`.
    #[arg(long)]
    pub strict: bool,

    /// Colour for terminal output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Terminal format: print each finding's whole remediation.
    #[arg(long)]
    pub full_fix: bool,

    /// The rules the scans ran (their docs go into SARIF `rules[]`).
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

const VERIFY_HELP: &str = "\
Verdicts: migration verified | oauth works, jwt already retired | oauth works (no JWT
credential to compare with) | not verified (oauth works, JWT rejected) | not equivalent |
oauth fails | indeterminate (429, 5xx, timeout: never reported as a broken credential).

Exit codes:
  0  verified (or oauth works and the JWT credential is retired)
  1  not verified (oauth fails, tokens differ, or indeterminate)
  2  usage or config error

Secrets from the environment: JWT2OAUTH_CLIENT_SECRET, JWT2OAUTH_OAUTH_CLIENT_SECRET,
JWT2OAUTH_PRIVATE_KEY (PEM or base64 PKCS#8), JWT2OAUTH_PRIVATE_KEY_PASSPHRASE.";

const VERIFY_ENV_HELP: &str = "\
Secrets from the environment: JWT2OAUTH_CLIENT_SECRET, JWT2OAUTH_OAUTH_CLIENT_SECRET.
Exit codes: 0 token printed, 1 IMS refused or could not be reached, 2 usage or config error.";

/// Where `verify` and `token` read credentials from, and how they call IMS.
#[derive(Debug, Clone, Args)]
pub struct CredentialArgs {
    /// A Console workspace JSON, a credential download, an aio config or a
    /// .env file (repeatable; merged).
    #[arg(
        long = "config",
        value_name = "FILE",
        env = "JWT2OAUTH_CONFIG",
        value_delimiter = ','
    )]
    pub configs: Vec<PathBuf>,
    /// Use only these aio IMS contexts (ims.contexts.NAME).
    #[arg(long = "context", value_name = "NAME")]
    pub contexts: Vec<String>,
    /// Client id (also picks the credential when a file holds several).
    #[arg(long, env = "JWT2OAUTH_CLIENT_ID")]
    pub client_id: Option<String>,
    /// IMS org id (ORG@AdobeOrg).
    #[arg(long, env = "JWT2OAUTH_ORG_ID")]
    pub org_id: Option<String>,
    /// Technical account id (ID@techacct.adobe.com).
    #[arg(long, env = "JWT2OAUTH_TECHNICAL_ACCOUNT_ID")]
    pub technical_account_id: Option<String>,
    /// JWT metascopes, comma-separated (e.g. ent_user_sdk).
    #[arg(long, env = "JWT2OAUTH_METASCOPES", value_delimiter = ',')]
    pub metascopes: Vec<String>,
    /// OAuth scopes, comma-separated.
    #[arg(long, env = "JWT2OAUTH_SCOPES", value_delimiter = ',')]
    pub scopes: Vec<String>,
    /// The JWT credential's private key file (PEM, or base64 PKCS#8).
    #[arg(long, value_name = "FILE", env = "JWT2OAUTH_PRIVATE_KEY_FILE")]
    pub private_key: Option<PathBuf>,
    /// Client secret as a plain value (prints a warning: it ends up in shell
    /// history and `ps`; prefer JWT2OAUTH_CLIENT_SECRET).
    #[arg(long, value_name = "SECRET")]
    pub client_secret: Option<String>,
    /// Private key passphrase as a plain value (prints a warning; prefer
    /// JWT2OAUTH_PRIVATE_KEY_PASSPHRASE).
    #[arg(long, value_name = "SECRET")]
    pub passphrase: Option<String>,
    /// Only the OAuth Server-to-Server flow (ignore any JWT credential).
    #[arg(long)]
    pub oauth_only: bool,
    /// IMS base URL for both flows (https only, except loopback for the emulator).
    #[arg(
        long,
        value_name = "URL",
        env = "JWT2OAUTH_IMS_URL",
        default_value = crate::ims::ADOBE_IMS
    )]
    pub ims_url: String,
    /// Per-attempt timeout in milliseconds (connecting, headers and body).
    #[arg(
        long,
        value_name = "MS",
        env = "JWT2OAUTH_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub timeout_ms: u64,
    /// Retries on network errors, 5xx and 429.
    #[arg(long, value_name = "N", env = "JWT2OAUTH_RETRIES", default_value_t = 3)]
    pub retries: u32,
    /// First retry backoff in milliseconds (doubles each retry; Retry-After wins).
    #[arg(
        long,
        value_name = "MS",
        env = "JWT2OAUTH_BACKOFF_MS",
        default_value_t = 500
    )]
    pub backoff_ms: u64,
    /// Longest wait between retries in milliseconds (a longer Retry-After stops retrying).
    #[arg(
        long,
        value_name = "MS",
        env = "JWT2OAUTH_MAX_WAIT_MS",
        default_value_t = 30_000
    )]
    pub max_wait_ms: u64,
    /// Deadline for the whole run in milliseconds (every attempt, retry and probe).
    #[arg(
        long,
        value_name = "MS",
        env = "JWT2OAUTH_DEADLINE_MS",
        default_value_t = 60_000
    )]
    pub deadline_ms: u64,
    /// Print a redacted request/response trace on stderr.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Output formats of `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// A side-by-side table and the verdict.
    Human,
    /// One JSON object (version 1).
    Json,
}

/// `jwt2oauth verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub creds: CredentialArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Human)]
    pub format: VerifyFormat,
    /// Call this API URL with each token and compare status and response shape.
    #[arg(long, value_name = "URL")]
    pub probe: Option<String>,
    /// Prove Adobe Analytics access with each token: the companies, report
    /// suites, metrics and dimensions the Analytics 2.0 API answers.
    #[arg(long)]
    pub analytics: bool,
    /// Analytics API base URL (default https://analytics.adobe.io, or the
    /// --ims-url when that is loopback: the emulator serves both).
    #[arg(long, value_name = "URL", requires = "analytics")]
    pub analytics_url: Option<String>,
    /// The Analytics global company id to check (default: the first company
    /// the OAuth token's technical account belongs to).
    #[arg(long, value_name = "GLOBAL_COMPANY_ID", requires = "analytics")]
    pub company: Option<String>,
    /// Lifetime of the signed JWT in seconds (Adobe's libraries use 300).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 300,
        allow_negative_numbers = true
    )]
    pub jwt_lifetime: i64,
}

/// `jwt2oauth token`.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub creds: CredentialArgs,
    /// Reuse a cached token while more than 10 minutes remain, and cache new ones (file mode 0600).
    #[arg(long, env = "JWT2OAUTH_TOKEN_CACHE")]
    pub cache: bool,
    /// Cache directory (default: $XDG_CACHE_HOME/jwt2oauth or ~/.cache/jwt2oauth).
    #[arg(long, value_name = "DIR", env = "JWT2OAUTH_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
}

pub use crate::emulator::options::{FaultScope, RetiredStyle};

/// `jwt2oauth emulate-ims`.
#[derive(Debug, Clone, Args)]
pub struct EmulateArgs {
    /// Loopback address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// A Developer Console workspace JSON (or credential download) with the credentials to accept.
    #[arg(long, value_name = "FILE", required = true)]
    pub credentials: Vec<PathBuf>,
    /// The JWT credential's public certificate (repeatable).
    #[arg(long = "certificate", value_name = "FILE")]
    pub certificates: Vec<PathBuf>,
    /// Added latency per request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Answer requests with this HTTP status (e.g. 429, 500, 503).
    #[arg(long, value_name = "STATUS")]
    pub fault: Option<u16>,
    /// Only the first N requests get the fault (default: all of them).
    #[arg(long, value_name = "N")]
    pub fault_count: Option<u64>,
    /// Endpoints the fault and latency apply to.
    #[arg(long, value_enum, default_value_t = FaultScope::All)]
    pub fault_scope: FaultScope,
    /// Retry-After seconds sent with 429 and 503 faults.
    #[arg(long, value_name = "SECS")]
    pub retry_after: Option<u64>,
    /// Answer JWT exchanges as IMS does after the JWT end of life.
    #[arg(long, value_enum, value_name = "STYLE", num_args = 0..=1, default_missing_value = "eol")]
    pub jwt_retired: Option<RetiredStyle>,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 86_400)]
    pub token_lifetime: u64,
    /// Serve the Analytics 2.0 endpoints (/discovery/me, report suites,
    /// metrics, dimensions, segments, calculated metrics) from this JSON:
    /// companies and each technical account's access.
    #[arg(long, value_name = "FILE")]
    pub analytics: Option<PathBuf>,
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
