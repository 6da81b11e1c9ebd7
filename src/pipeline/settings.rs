//! The scan's settings: what the command line says ([`Flags`], plain data
//! that `commands/scan.rs` fills from the clap arguments) merged once with
//! `jwt2oauth.toml` into [`Settings`], the typed value every later stage
//! reads (as ripgrep's `LowArgs` become `HiArgs`). A flag wins over the
//! config; the config wins over the default.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::config::{self, Config, ConfigError, PathFilter};
use crate::engine::Engine;
use crate::gate::{FailOn, Gate};
use crate::rules::{RuleError, RuleSet};
use crate::scan::ScanOptions;

/// What a scan reads: a tree, the files changed since a ref, the staged
/// files, or every blob of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Tree,
    /// `--since REF`.
    Since(String),
    Staged,
    History,
}

/// Which `jwt2oauth.toml` applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigChoice {
    /// The scanned directory's (and in a tree of several repositories,
    /// each repository's own).
    Found,
    /// `--config FILE`, for every file.
    File(PathBuf),
    /// `--no-config`.
    None,
}

/// The scan's command-line settings, as given (no config merged yet).
#[derive(Debug, Clone)]
pub struct Flags {
    pub paths: Vec<PathBuf>,
    pub mode: Mode,
    /// `--repos LIST`: the paths are the list's repositories.
    pub repos: bool,
    pub config: ConfigChoice,
    pub fail_on: Option<FailOn>,
    pub strict: bool,
    pub warn_days: Option<i64>,
    pub baseline: Option<PathBuf>,
    pub write_baseline: Option<PathBuf>,
    /// `--include` / `--exclude` globs.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub no_ignore: bool,
    pub follow: bool,
    pub max_filesize: u64,
    /// `None`: one thread per core.
    pub threads: Option<usize>,
    pub use_prefilter: bool,
    pub progress: bool,
    /// `--repository NAME`.
    pub repository: Option<String>,
    /// `--rules DIR` and `--no-builtin-rules`.
    pub rules_dirs: Vec<PathBuf>,
    pub no_builtin_rules: bool,
}

/// The rules did not load; each error names its file (the command prints
/// them and exits 2).
#[derive(Debug, thiserror::Error)]
#[error("{} rule error{}", .0.len(), if .0.len() == 1 { "" } else { "s" })]
pub struct RulesDoNotLoad(pub Vec<RuleError>);

impl Flags {
    /// The walk's options for `paths`.
    pub fn walk_options(&self, paths: Vec<PathBuf>) -> ScanOptions {
        ScanOptions {
            paths,
            no_ignore: self.no_ignore,
            follow: self.follow,
            max_filesize: self.max_filesize,
            threads: self.threads.unwrap_or(0),
            use_prefilter: self.use_prefilter,
        }
    }

    /// Whether each repository of a tree reads its own `jwt2oauth.toml`.
    pub fn own_configs(&self) -> bool {
        self.config == ConfigChoice::Found
    }

    /// `--config FILE`, or `jwt2oauth.toml` in `dir` (none when `dir` is empty).
    pub fn config_in(&self, dir: &Path) -> Result<Option<Config>, ConfigError> {
        match &self.config {
            ConfigChoice::None => Ok(None),
            ConfigChoice::File(p) => Config::load(p).map(Some),
            ConfigChoice::Found => {
                let p = dir.join(config::FILE_NAME);
                if dir.as_os_str().is_empty() || !p.is_file() {
                    return Ok(None);
                }
                Config::load(&p).map(Some)
            }
        }
    }

    /// `--config FILE`, or `jwt2oauth.toml` in the first scanned directory.
    pub fn config_of_paths(&self) -> Result<Option<Config>, ConfigError> {
        match self.paths.iter().find(|p| p.is_dir()) {
            Some(dir) => self.config_in(dir),
            None => self.config_in(Path::new("")),
        }
    }

    /// `--include/--exclude`, checked beside the config's `[paths]`: a
    /// file must pass both.
    pub fn path_filter(&self) -> anyhow::Result<PathFilter> {
        PathFilter::from_globs(&self.include, &self.exclude)
            .map_err(|m| anyhow::anyhow!("--include/--exclude: {m}"))
    }
}

/// The rules a config gives (built-in or `--rules` rules adjusted by it)
/// and its `warn_days`: what an engine is built from.
pub struct RuleConfig {
    pub rules: RuleSet,
    pub warn_days: i64,
    /// Rule ids the config disables (no typo in an inline suppression).
    disable: Vec<String>,
}

impl RuleConfig {
    /// The flags' rules, adjusted by `config`; `warn_days` from the flag,
    /// else the config, else 90.
    pub fn new(flags: &Flags, config: Option<&Config>) -> anyhow::Result<RuleConfig> {
        let warn_days = flags
            .warn_days
            .or_else(|| config.and_then(|c| c.warn_days))
            .unwrap_or(90);
        if warn_days < 0 {
            anyhow::bail!("--warn-days must be 0 or more");
        }
        let mut rules = crate::rules::load(&flags.rules_dirs, flags.no_builtin_rules)
            .map_err(RulesDoNotLoad)?;
        if let Some(c) = config {
            c.apply(&mut rules)?;
        }
        Ok(RuleConfig {
            rules,
            warn_days,
            disable: config.map_or_else(Vec::new, |c| c.disable.clone()),
        })
    }

    /// The engine of these rules.
    pub fn engine(&self, today: Date) -> Engine<'_> {
        Engine::new(&self.rules, today, self.warn_days).knowing(&self.disable)
    }
}

/// The flags merged with one config: what a scan (of one tree, or of one
/// repository of `--reports-dir`) runs with.
pub struct Settings<'f> {
    pub flags: &'f Flags,
    pub today: Date,
    pub config: Option<Config>,
    pub rule: RuleConfig,
    /// `--fail-on`, else the config's `fail_on`, else `low`.
    pub fail_on: FailOn,
}

impl<'f> Settings<'f> {
    /// `flags` over `config`. A rule error is [`RulesDoNotLoad`].
    pub fn new(flags: &'f Flags, today: Date, config: Option<Config>) -> anyhow::Result<Self> {
        let fail_on = match (
            flags.fail_on,
            config.as_ref().and_then(|c| c.fail_on.as_deref()),
        ) {
            (Some(f), _) => f,
            (None, Some(s)) => {
                <FailOn as clap::ValueEnum>::from_str(s, true).map_err(anyhow::Error::msg)?
            }
            (None, None) => FailOn::Low,
        };
        let rule = RuleConfig::new(flags, config.as_ref())?;
        Ok(Settings {
            flags,
            today,
            config,
            rule,
            fail_on,
        })
    }

    /// The engine of the rules.
    pub fn engine(&self) -> Engine<'_> {
        self.rule.engine(self.today)
    }

    /// The gate the finished report is judged by.
    pub fn gate(&self) -> Gate {
        Gate::from_fail_on(self.fail_on, self.flags.strict)
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rule.rules
    }
}
