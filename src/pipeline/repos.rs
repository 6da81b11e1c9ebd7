//! Each repository's own config in one scan of several (`scan ~/src`, `scan
//! --repos LIST`): the repositories found before the walk
//! ([`crate::scan::discover`]) each get the `jwt2oauth.toml` at their root
//! (read once), or the nearest one above them (a repository's parent, else
//! the scanned directory's). Engines are built once per distinct rule
//! settings; `[paths]` filters apply in the walk; `[[ignore]]` entries and
//! baselines apply in the suppress stage, on paths relative to the
//! config's root, so that every repository's findings, suppressed findings
//! and fingerprints are those of a scan of it alone.
//!
//! `--config FILE` and `--no-config` keep one config (or none) for every
//! file; the gate (`fail_on`) is the scan's, and a repository config's
//! different `fail_on` is a warning naming the file.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;

use super::settings::{Flags, RuleConfig};
use crate::config::{self, Config};
use crate::engine::Engine;
use crate::gate::FailOn;
use crate::report::{ScanError, ScanWarning};
use crate::scan::{FoundRepository, Scope, Scopes};

/// Which settings a repository's findings get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Applies {
    /// The scanned directory's config (or `--config`, or none).
    Top,
    /// `configs[i]`: its own, or a repository's above it.
    Config(usize),
    /// Its config does not parse: not scanned.
    Broken,
}

/// A repository's `jwt2oauth.toml` and the rules it uses.
struct RepoConfig {
    /// The repository's root as reported.
    root: String,
    config: Config,
    /// `rules[i]`, or `None`: the same rule settings as the top's.
    rules: Option<usize>,
}

/// The repositories of a tree scan and what applies to each.
pub struct RepoPlan {
    /// Repository roots as reported (sorted, `.` left out): the engines'
    /// fingerprint roots.
    pub roots: Arc<[String]>,
    repos: Vec<(FoundRepository, Applies)>,
    configs: Vec<RepoConfig>,
    rules: Vec<RuleConfig>,
    /// Configs that do not parse (their repositories are incomplete).
    pub errors: Vec<ScanError>,
    /// A repository's `fail_on` that the scan's gate overrides.
    pub warnings: Vec<ScanWarning>,
}

/// A repository config that cannot be used: the error the report lists
/// for it, at `root/jwt2oauth.toml` (shared with `--reports-dir`).
pub fn config_error(root: &str, e: &anyhow::Error) -> ScanError {
    ScanError {
        path: if root == "." {
            config::FILE_NAME.to_string()
        } else {
            crate::scan::prefixed(root, config::FILE_NAME)
        },
        message: format!("{e:#}; the repository was not scanned"),
    }
}

impl RepoPlan {
    /// Reads the config at each repository's root (unless `--config` or
    /// `--no-config` makes one config apply everywhere). `top` is the
    /// scanned directory's config, `fail_on` the scan's gate.
    pub fn new(
        flags: &Flags,
        found: Vec<FoundRepository>,
        top: Option<&Config>,
        fail_on: FailOn,
    ) -> anyhow::Result<RepoPlan> {
        let roots: Vec<String> = found
            .iter()
            .map(|r| r.root.clone())
            .filter(|r| r != ".")
            .collect();
        let mut plan = RepoPlan {
            roots: Arc::from(roots),
            repos: Vec::with_capacity(found.len()),
            configs: Vec::new(),
            rules: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        let own_configs = flags.own_configs();
        let top_key = top.map_or_else(
            || Config::default().rule_settings_key(),
            |c| c.rule_settings_key(),
        );
        let mut by_key: BTreeMap<String, Option<usize>> = BTreeMap::new();
        by_key.insert(top_key, None);
        // Sorted by root: a repository comes after those above it.
        for repo in found {
            let file = repo.dir.join(config::FILE_NAME);
            let applies = if !own_configs || repo.root == "." {
                Applies::Top
            } else if file.is_file() {
                match plan.read(flags, &repo.root, &file, &mut by_key, fail_on) {
                    Ok(i) => Applies::Config(i),
                    Err(e) => {
                        plan.errors.push(config_error(&repo.root, &e));
                        Applies::Broken
                    }
                }
            } else {
                plan.above(&repo.root)
            };
            plan.repos.push((repo, applies));
        }
        Ok(plan)
    }

    /// Reads one repository's config; its index in `configs`.
    fn read(
        &mut self,
        flags: &Flags,
        root: &str,
        file: &Path,
        by_key: &mut BTreeMap<String, Option<usize>>,
        fail_on: FailOn,
    ) -> anyhow::Result<usize> {
        let config = Config::load(file)?;
        let key = config.rule_settings_key();
        let rules = match by_key.get(&key) {
            Some(i) => *i,
            None => {
                self.rules.push(RuleConfig::new(flags, Some(&config))?);
                let i = Some(self.rules.len() - 1);
                by_key.insert(key, i);
                i
            }
        };
        if let Some(own) = config.fail_on.as_deref()
            && <FailOn as clap::ValueEnum>::from_str(own, true).ok() != Some(fail_on)
        {
            self.warnings.push(ScanWarning {
                path: crate::scan::prefixed(root, config::FILE_NAME),
                line: config
                    .fail_on_line
                    .and_then(|l| u32::try_from(l).ok())
                    .unwrap_or(1),
                message: format!(
                    "fail_on = {own:?} is not this scan's gate: a scan of several repositories has one gate (--fail-on or the scanned directory's config); scan the repository alone (or `scan --repos LIST --reports-dir DIR`) for its own"
                ),
            });
        }
        self.configs.push(RepoConfig {
            root: root.to_string(),
            config,
            rules,
        });
        Ok(self.configs.len() - 1)
    }

    /// What applies to a repository without a config: what applies to the
    /// nearest repository above it, else the top's.
    fn above(&self, root: &str) -> Applies {
        self.repos
            .iter()
            .rev()
            .find(|(r, _)| r.root != "." && crate::repository::contains(&r.root, root))
            .map_or(Applies::Top, |(_, a)| *a)
    }

    /// The engines of the repositories' distinct rule settings.
    pub fn engines(&self, today: Date) -> Vec<Engine<'_>> {
        self.rules
            .iter()
            .map(|r| r.engine(today).in_repositories(Arc::clone(&self.roots)))
            .collect()
    }

    /// The walk's scopes: `top` for files outside every repository and
    /// for repositories that use the top config.
    pub fn scopes<'a>(
        &'a self,
        top: &'a Engine<'a>,
        top_config: Option<&'a Config>,
        engines: &'a [Engine<'a>],
    ) -> Scopes<'a, 'a> {
        let top_scope = || Scope {
            engine: top,
            filter: top_config
                .map(|c| &c.filter)
                .filter(|f| !f.is_empty())
                .map(|f| f as &dyn crate::scan::scopes::Allows),
            filter_root: ".".to_string(),
            skip: false,
        };
        let mut scopes = Scopes::new(top_scope());
        for (repo, applies) in &self.repos {
            let scope = match *applies {
                Applies::Top => top_scope(),
                Applies::Broken => Scope {
                    skip: true,
                    ..top_scope()
                },
                Applies::Config(i) => {
                    let c = &self.configs[i];
                    Scope {
                        engine: c.rules.map_or(top, |r| &engines[r]),
                        filter: (!c.config.filter.is_empty())
                            .then_some(&c.config.filter as &dyn crate::scan::scopes::Allows),
                        filter_root: c.root.clone(),
                        skip: false,
                    }
                }
            };
            scopes.add(repo.dir.clone(), scope);
        }
        scopes
    }

    /// The deepest repository above a reported path.
    fn repo_of(&self, path: &str) -> Option<&(FoundRepository, Applies)> {
        let find = |root: &str| {
            self.repos
                .binary_search_by(|(r, _)| r.root.as_str().cmp(root))
                .ok()
                .map(|i| &self.repos[i])
        };
        crate::repository::deepest(path, false, find)
    }

    /// The config group of a reported path: `None` for the top config,
    /// else the index of the repository config that applies to it.
    pub fn group_of(&self, path: &str) -> Option<usize> {
        match self.repo_of(path).map(|(_, a)| *a) {
            Some(Applies::Config(i)) => Some(i),
            _ => None,
        }
    }

    /// The root fingerprints of a path are relative to (`.` outside every
    /// repository).
    pub fn fingerprint_root(&self, path: &str) -> &str {
        self.repo_of(path).map_or(".", |(r, _)| r.root.as_str())
    }

    /// Repository config `i` (see [`RepoPlan::group_of`]): its root and config.
    pub fn group(&self, i: usize) -> (&str, &Config) {
        let c = &self.configs[i];
        (c.root.as_str(), &c.config)
    }

    /// How many repository configs there are.
    pub fn group_count(&self) -> usize {
        self.configs.len()
    }
}
