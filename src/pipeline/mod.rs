//! The scan pipeline as one function, [`run`], in the order of
//! docs/architecture.md:
//!
//! ```text
//! settings (flags over jwt2oauth.toml) → repository plan → walk/read → classify
//! → prefilter → match → collect → cross-file pass → correlate   (scan::scan_with,
//!                                                                  or scan::git)
//! → repositories named → suppress (config ignores, baseline) → SARIF fixes
//! → paths as given → gate
//! ```
//!
//! `commands/scan.rs` only turns the clap arguments into [`Flags`], calls
//! this, and writes the outputs.

mod repos;
pub mod settings;
mod suppress;

use std::path::PathBuf;

pub use repos::{RepoPlan, config_error};
pub use settings::{ConfigChoice, Flags, Mode, RuleConfig, RulesDoNotLoad, Settings};

use crate::engine::Engine;
use crate::fleet::FleetScan;
use crate::gate::{Gate, Verdict};
use crate::output::{Notes, Report, ScanMode};
use crate::progress::Progress;
use crate::report::ScanReport;
use crate::scan::{ScanHooks, Scopes, git, scan_with};
use crate::suppress::StaleProblem;

/// A finished scan: the report as the outputs show it, the notes beside it
/// and the gate's verdict.
pub struct Scanned {
    pub report: ScanReport,
    pub notes: Notes,
    pub gate: Gate,
    pub verdict: Verdict,
}

impl Scanned {
    /// What every output format renders.
    pub fn view<'a>(&'a self, settings: &'a Settings<'_>, full_fix: bool) -> Report<'a> {
        Report {
            scan: &self.report,
            today: settings.today,
            rule_count: settings.rules().rules.len(),
            gate: &self.gate,
            verdict: self.verdict,
            rules: settings.rules(),
            notes: &self.notes,
            full_fix,
        }
    }
}

/// Runs one scan (of the flags' paths, or of `fleet`'s repositories) with
/// `engine` (the settings' own, or one shared by several runs) to its
/// verdict. `sarif_fixes`: plan the safe fixes that SARIF results carry.
pub fn run(
    settings: &Settings<'_>,
    engine: &Engine<'_>,
    fleet: Option<FleetScan>,
    sarif_fixes: bool,
) -> anyhow::Result<Scanned> {
    let flags = settings.flags;
    let today = settings.today;
    let config = settings.config.as_ref();
    let mut notes = Notes {
        config: config.map(|c| c.path.display().to_string()),
        ..Notes::default()
    };
    let names = fleet.as_ref().map_or_else(Vec::new, FleetScan::roots);
    let failed_alone = fleet.as_ref().and_then(|f| f.failed_alone.clone());
    let failed = fleet.as_ref().map_or_else(Vec::new, |f| f.failed.clone());
    // A tree of several repositories: each one's config, engine and
    // fingerprints, as when it is scanned alone.
    let plan = repo_plan(settings, fleet.as_ref())?;
    let top_engine;
    let engine = match &plan {
        Some(plan) if !plan.roots.is_empty() => {
            top_engine = engine
                .clone()
                .in_repositories(std::sync::Arc::clone(&plan.roots));
            &top_engine
        }
        _ => engine,
    };
    let engines = plan
        .as_ref()
        .map(|pl| pl.engines(today))
        .unwrap_or_default();
    let scopes = plan.as_ref().map(|pl| pl.scopes(engine, config, &engines));
    let mut report = walk(engine, settings, &mut notes, fleet, scopes.as_ref())?;
    drop(scopes);
    if let Some(plan) = &plan {
        report.errors.extend(plan.errors.iter().cloned());
        report.errors.sort();
        report.warnings.extend(plan.warnings.iter().cloned());
        report.warnings.sort();
    }
    name_repositories(flags, &names, &mut report)?;
    if let Some(r) = failed_alone {
        report.set_repositories(vec![r]);
    }
    if !failed.is_empty() {
        let mut all = std::mem::take(&mut report.repositories);
        all.extend(failed);
        report.set_repositories(all);
    }

    suppress::stage(flags, config, plan.as_ref(), &mut report, &mut notes, today)?;
    if !matches!(notes.mode, ScanMode::Tree | ScanMode::History { .. }) {
        // A partial scan cannot tell that an entry for an unscanned file
        // matches nothing.
        notes.stale.retain(|s| s.problem != StaleProblem::Unmatched);
    }
    notes.stale.sort();
    // SARIF: each result whose safe fix exists gets it (the `fix` planner,
    // safe fixes only; a whole-tree scan only, as `fix` plans one), from
    // this scan's report, before its paths get their prefix.
    if notes.mode == ScanMode::Tree
        && sarif_fixes
        && let Ok(catalog) =
            crate::fix::catalog::load(&flags.rules_dirs, flags.no_builtin_rules, settings.rules())
    {
        notes.fixes = crate::fix::sarif::safe_fixes(
            &flags.paths,
            &report,
            settings.rules(),
            engine,
            &catalog,
        );
    }
    // Paths as given on the command line (`scan src` → `src/auth.py`), in
    // every format; history scans report paths in the repository.
    if !matches!(notes.mode, ScanMode::History { .. })
        && let Some(prefix) = crate::scan::display_prefix(&flags.paths)
    {
        report.prefix_paths(&prefix);
        notes.fixes = std::mem::take(&mut notes.fixes)
            .into_iter()
            .map(|(path, fixes)| (crate::scan::prefixed(&prefix, &path), fixes))
            .collect();
    }

    let gate = settings.gate();
    let verdict = gate.judge(&report);
    Ok(Scanned {
        report,
        notes,
        gate,
        verdict,
    })
}

/// The repositories of a tree scan (found before the walk) and the config
/// each uses; `None` for a scan without a walk (`--staged`, `--history`)
/// or a tree with no repository below its root.
fn repo_plan(
    settings: &Settings<'_>,
    fleet: Option<&FleetScan>,
) -> anyhow::Result<Option<RepoPlan>> {
    let flags = settings.flags;
    if matches!(flags.mode, Mode::History | Mode::Staged) {
        return Ok(None);
    }
    let (paths, labels) = match fleet {
        Some(f) => (f.paths.clone(), f.labels.clone()),
        None => (flags.paths.clone(), None),
    };
    let opts = flags.walk_options(paths);
    let found = crate::scan::discover(&opts, labels.as_deref());
    if found.iter().all(|r| r.root == ".") {
        return Ok(None);
    }
    Ok(Some(RepoPlan::new(
        flags,
        found,
        settings.config.as_ref(),
        settings.fail_on,
    )?))
}

/// walk/read → … → correlate: the tree walk, or the git-aware scans
/// (`--since`, `--staged`, `--history`).
fn walk(
    engine: &Engine<'_>,
    settings: &Settings<'_>,
    notes: &mut Notes,
    fleet: Option<FleetScan>,
    scopes: Option<&Scopes<'_, '_>>,
) -> anyhow::Result<ScanReport> {
    let flags = settings.flags;
    let config = settings.config.as_ref();
    let show = flags.progress;
    if fleet.is_none() {
        check_paths(&flags.paths)?;
    }
    // `--include/--exclude` beside the config's `[paths]`: a file must pass both.
    let cli_filter = flags.path_filter()?;
    let allows = |p: &str| config.is_none_or(|c| c.filter.allows(p)) && cli_filter.allows(p);
    let filtered = !cli_filter.is_empty() || config.is_some_and(|c| !c.filter.is_empty());
    let (paths, labels, fleet_errors) = match fleet {
        Some(f) => (f.paths, f.labels, f.errors),
        None => (flags.paths.clone(), None, Vec::new()),
    };
    let with_fleet_errors = |mut r: ScanReport| {
        r.errors.extend(fleet_errors.iter().cloned());
        r.errors.sort();
        r
    };
    let mut files = None;
    match &flags.mode {
        Mode::History => {
            let dir = match (flags.repos, paths.as_slice()) {
                (false, _) => git_dir(flags, "--history")?,
                (true, [one]) => one.clone(),
                // Every repository of the list failed: nothing to walk.
                (true, _) => {
                    notes.mode = ScanMode::History {
                        commits: 0,
                        blobs: 0,
                    };
                    return Ok(with_fleet_errors(ScanReport::default()));
                }
            };
            let progress = std::cell::RefCell::new(None::<Progress>);
            let h = git::scan_history(
                engine,
                &dir,
                flags.max_filesize,
                &allows,
                &|n| *progress.borrow_mut() = Some(Progress::blobs(show, n)),
                &|| {
                    if let Some(p) = progress.borrow().as_ref() {
                        p.tick();
                    }
                },
            )?;
            notes.mode = ScanMode::History {
                commits: h.commits,
                blobs: h.blobs,
            };
            notes.history = h.origins;
            return Ok(with_fleet_errors(h.report));
        }
        Mode::Staged => {
            let dir = git_dir(flags, "--staged")?;
            notes.mode = ScanMode::Staged;
            return Ok(git::scan_staged(engine, &dir, flags.max_filesize, &allows)?);
        }
        Mode::Since(reference) => {
            let dir = git_dir(flags, "--since")?;
            let (base, changed) = git::changed_since(&dir, reference)?;
            notes.mode = ScanMode::Since {
                reference: reference.clone(),
                merge_base: base,
            };
            files = Some(changed);
        }
        Mode::Tree => {}
    }
    let opts = flags.walk_options(paths);
    let progress = Progress::files(show);
    let tick = || progress.tick();
    let filter: &(dyn Fn(&str) -> bool + Sync) = &allows;
    let cli_only = |p: &str| cli_filter.allows(p);
    // With scopes, each config's `[paths]` applies in its scope.
    let (filter, filtered) = match scopes {
        Some(_) => (
            &cli_only as &(dyn Fn(&str) -> bool + Sync),
            !cli_filter.is_empty(),
        ),
        None => (filter, filtered),
    };
    let hooks = ScanHooks {
        files: files.as_deref(),
        filter: filtered.then_some(filter),
        progress: progress.is_visible().then_some(&tick as &(dyn Fn() + Sync)),
        before_read: None,
        labels: labels.as_deref(),
        scopes,
    };
    let report = scan_with(engine, &opts, hooks);
    progress.finish();
    Ok(with_fleet_errors(report))
}

/// The directory a git-aware scan runs in: the single PATH given.
fn git_dir(flags: &Flags, flag: &str) -> anyhow::Result<PathBuf> {
    match flags.paths.as_slice() {
        [p] if p.is_dir() => Ok(p.clone()),
        _ => anyhow::bail!("{flag} scans one directory inside a git repository: give one PATH"),
    }
}

/// Every PATH named on the command line must exist: a typo would otherwise
/// scan nothing and pass the gate. A usage error (exit 2), as in ripgrep.
/// Unreadable entries *inside* a tree are listed in `errors` instead.
fn check_paths(paths: &[PathBuf]) -> anyhow::Result<()> {
    for p in paths {
        if let Err(e) = std::fs::metadata(p) {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
                _ => crate::scan::io_reason(&e),
            };
            anyhow::bail!("{}: {why}", p.display());
        }
    }
    Ok(())
}

/// A git-aware scan names the work tree it ran in at root `.`;
/// `--repository NAME` renames the single repository of the scan (or names
/// the scanned directory when it is not in git).
fn name_repositories(
    flags: &Flags,
    fleet: &[(String, String, PathBuf)],
    report: &mut ScanReport,
) -> anyhow::Result<()> {
    let mut repos = std::mem::take(&mut report.repositories);
    if flags.repos {
        // `--repos`: each repository under the name its list entry gave it
        // (the URL's owner/name, made unique), at the root it was walked as.
        for (root, name, dir) in fleet {
            match repos.iter_mut().find(|r| &r.root == root) {
                Some(r) => r.name = name.clone(),
                // A history scan does not walk: it saw no `.git`.
                None => {
                    let mut r = crate::repository::read(dir, root);
                    r.name = name.clone();
                    repos.push(r);
                }
            }
        }
        report.set_repositories(repos);
        return Ok(());
    }
    // A git-aware scan does not walk: name the work tree it ran in. (A
    // directory below a work tree's root is not named: its paths are not
    // relative to the repository's root.)
    if !repos.iter().any(|r| r.root == ".")
        && let [dir] = flags.paths.as_slice()
        && dir.join(".git").exists()
    {
        repos.push(crate::repository::read(dir, "."));
    }
    if let Some(name) = &flags.repository {
        if name.trim().is_empty() {
            anyhow::bail!("--repository: the name is empty");
        }
        let at_root = repos.iter().position(|r| r.root == ".");
        match (at_root, repos.len()) {
            (Some(_), _) | (None, 1) => {
                let i = at_root.unwrap_or(0);
                repos[i].name = name.clone();
            }
            (None, 0) if flags.paths.len() == 1 => repos.push(crate::repository::Repository {
                name: name.clone(),
                root: ".".to_string(),
                commit: None,
                url: None,
            }),
            (None, n) => anyhow::bail!(
                "--repository names the repository of a single-repository scan; this scan holds {n} repositories (each is named by its origin remote or directory)"
            ),
        }
    }
    report.set_repositories(repos);
    Ok(())
}
