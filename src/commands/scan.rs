//! `jwt2oauth scan`: read the config, load rules, scan (a tree, the files
//! changed since a ref, the staged files or the git history), apply config
//! ignores and the baseline, write every requested output, and decide the
//! gate.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::ValueEnum;
use jiff::civil::Date;

use super::Outcome;
use super::fleet::FleetScan;
use super::outputs::{Destination, destinations, write_all};
use super::scopes::{RepoPlan, RuleConfig};
use crate::baseline::Baseline;
use crate::cli::{FailOn, ScanArgs};
use crate::config::{self, Config, PathFilter};
use crate::engine::Engine;
use crate::finding::Detected;
use crate::output::{Format, Notes, Report, ScanMode};
use crate::progress::Progress;
use crate::rules::RuleSet;
use crate::scan::{ScanHooks, ScanOptions, ScanReport, Scopes, git, scan_with};
use crate::suppress::{self, StaleProblem};

/// What every scan of one run shares: the date, config, gate and engine.
struct Prepared<'a, 'r> {
    today: Date,
    config: Option<&'a Config>,
    fail_on: FailOn,
    rules: &'r RuleSet,
    engine: &'a Engine<'r>,
}

/// A config with the rules it adjusts, its `warn_days` and gate.
struct Setup {
    config: Option<Config>,
    rule: RuleConfig,
    fail_on: FailOn,
}

impl Setup {
    /// Flags over `config`; `Err(outcome)` when the rules do not load.
    fn new(args: &ScanArgs, config: Option<Config>) -> anyhow::Result<Result<Setup, Outcome>> {
        let fail_on = match (
            args.fail_on,
            config.as_ref().and_then(|c| c.fail_on.as_deref()),
        ) {
            (Some(f), _) => f,
            (None, Some(s)) => FailOn::from_str(s, true).map_err(anyhow::Error::msg)?,
            (None, None) => FailOn::Low,
        };
        let rule = match RuleConfig::new(args, config.as_ref())? {
            Ok(r) => r,
            Err(outcome) => return Ok(Err(outcome)),
        };
        Ok(Ok(Setup {
            config,
            rule,
            fail_on,
        }))
    }

    fn engine(&self, today: Date) -> Engine<'_> {
        self.rule.engine(today)
    }

    fn prepared<'a>(&'a self, today: Date, engine: &'a Engine<'a>) -> Prepared<'a, 'a> {
        Prepared {
            today,
            config: self.config.as_ref(),
            fail_on: self.fail_on,
            rules: &self.rule.rules,
            engine,
        }
    }
}

/// Runs a scan and returns the gate's outcome.
pub fn run(args: &ScanArgs) -> anyhow::Result<Outcome> {
    let today = parse_today(args.today.as_deref())?;
    let dests = match &args.reports_dir {
        Some(_) => Vec::new(),
        None => destinations(&args.format, &args.output)?,
    };
    let fleet = match &args.repos {
        Some(list) => Some(super::fleet::resolve(args, list, !args.no_progress)?),
        None => None,
    };
    let fleet = match (&args.reports_dir, fleet) {
        (Some(dir), Some(f)) => return per_repository(args, today, f, dir),
        (_, f) => f,
    };
    let config = match fleet.as_ref().map(|f| f.paths.as_slice()) {
        // `scan --repos` of one repository reads its config, as `scan DIR`.
        Some([one]) => load_config_in(args, one)?,
        Some(_) => load_config_in(args, Path::new(""))?,
        None => load_config(args)?,
    };
    let setup = match Setup::new(args, config)? {
        Ok(s) => s,
        Err(outcome) => return Ok(outcome),
    };
    let engine = setup.engine(today);
    scan_once(args, &setup.prepared(today, &engine), fleet, &dests)
}

/// `--repos LIST --reports-dir DIR`: each repository scanned alone, with
/// its own `jwt2oauth.toml` (and so its baseline), into its own JSON report.
/// Repositories without a config share one engine (rules compiled once).
fn per_repository(
    args: &ScanArgs,
    today: Date,
    fleet: FleetScan,
    dir: &Path,
) -> anyhow::Result<Outcome> {
    let shared = match Setup::new(args, load_config_in(args, Path::new(""))?)? {
        Ok(s) => s,
        Err(outcome) => return Ok(outcome),
    };
    let shared_engine = shared.engine(today);
    let mut worst = Outcome::Clean;
    let jobs = super::fleet::per_repository(fleet, dir)?;
    let n = jobs.len();
    for (mut one, file) in jobs {
        let dests = [Destination {
            format: Format::Json,
            path: Some(file),
        }];
        // `--config FILE` is the shared setup's: no repository's own.
        let own = match (one.paths.as_slice(), &args.config) {
            ([repo], None) => match load_config_in(args, repo).and_then(|c| match c {
                Some(c) => Setup::new(args, Some(c)).map(Some),
                None => Ok(None),
            }) {
                Ok(Some(Ok(s))) => Some(s),
                Ok(Some(Err(outcome))) => return Ok(outcome),
                Ok(None) => None,
                Err(e) => {
                    // A broken config of one repository: its report says so.
                    one.errors.push(super::scopes::config_error(".", &e));
                    one.failed_alone = one.repositories.first().map(|r| {
                        let mut named = crate::repository::read(&r.dir, ".");
                        named.name = r.name.clone();
                        named
                    });
                    one.paths.clear();
                    one.repositories.clear();
                    one.failed.clear();
                    None
                }
            },
            _ => None,
        };
        let outcome = match &own {
            Some(s) => {
                let engine = s.engine(today);
                scan_once(args, &s.prepared(today, &engine), Some(one), &dests)?
            }
            None => scan_once(
                args,
                &shared.prepared(today, &shared_engine),
                Some(one),
                &dests,
            )?,
        };
        worst = super::fleet::worse(worst, outcome);
    }
    eprintln!(
        "jwt2oauth: wrote {n} report{} to {}",
        if n == 1 { "" } else { "s" },
        dir.display()
    );
    Ok(worst)
}

/// One scan (of the PATHs, or of `fleet`'s repositories) written to `dests`.
fn scan_once(
    args: &ScanArgs,
    p: &Prepared<'_, '_>,
    fleet: Option<FleetScan>,
    dests: &[Destination],
) -> anyhow::Result<Outcome> {
    let (today, fail_on, rules, engine) = (p.today, p.fail_on, p.rules, p.engine);
    let config = p.config;
    let mut notes = Notes {
        config: config.map(|c| c.path.display().to_string()),
        ..Notes::default()
    };
    let names = fleet.as_ref().map_or_else(Vec::new, FleetScan::roots);
    let failed_alone = fleet.as_ref().and_then(|f| f.failed_alone.clone());
    let failed = fleet.as_ref().map_or_else(Vec::new, |f| f.failed.clone());
    // A tree of several repositories: each one's config, engine and
    // fingerprints, as when it is scanned alone.
    let plan = repo_plan(args, p, fleet.as_ref())?;
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
    let mut report = run_scan(engine, args, config, &mut notes, fleet, scopes.as_ref())?;
    drop(scopes);
    if let Some(plan) = &plan {
        report.errors.extend(plan.errors.iter().cloned());
        report.errors.sort();
        report.warnings.extend(plan.warnings.iter().cloned());
        report.warnings.sort();
    }
    name_repositories(args, &names, &mut report)?;
    if let Some(r) = failed_alone {
        report.set_repositories(vec![r]);
    }
    if !failed.is_empty() {
        let mut all = std::mem::take(&mut report.repositories);
        all.extend(failed);
        report.set_repositories(all);
    }

    suppress_stage(args, config, plan.as_ref(), &mut report, &mut notes, today)?;
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
        && dests
            .iter()
            .any(|d| matches!(d.format, crate::output::Format::Sarif))
        && let Ok(catalog) = crate::fix::catalog::load(
            &args.rule_source.rules_dirs,
            args.rule_source.no_builtin_rules,
            rules,
        )
    {
        notes.fixes = crate::fix::sarif::safe_fixes(&args.paths, &report, rules, engine, &catalog);
    }
    // Paths as given on the command line (`scan src` → `src/auth.py`), in
    // every format; history scans report paths in the repository.
    if !matches!(notes.mode, ScanMode::History { .. })
        && let Some(prefix) = crate::scan::display_prefix(&args.paths)
    {
        report.prefix_paths(&prefix);
        notes.fixes = std::mem::take(&mut notes.fixes)
            .into_iter()
            .map(|(path, fixes)| (crate::scan::prefixed(&prefix, &path), fixes))
            .collect();
    }

    let gate = super::gate(fail_on, args.strict);
    let verdict = gate.judge(&report);
    let view = Report {
        scan: &report,
        today,
        rule_count: rules.rules.len(),
        gate: &gate,
        verdict,
        rules,
        notes: &notes,
        full_fix: args.full_fix,
    };
    write_all(&view, dests, args.color)?;
    for s in &notes.stale {
        eprintln!(
            "jwt2oauth: note: {} {} `{}` for {}{}: {}",
            s.source,
            if s.source == "baseline" {
                "entry"
            } else {
                "ignore"
            },
            s.rule_id,
            s.path,
            s.until.map(|u| format!(" (until {u})")).unwrap_or_default(),
            match s.problem {
                StaleProblem::Expired => "expired: its findings fail the gate again",
                StaleProblem::Unmatched => "matches nothing any more: remove it",
            }
        );
    }
    Ok(verdict.exit().into())
}

/// A git-aware scan names the work tree it ran in at root `.`;
/// `--repository NAME` renames the single repository of the scan (or names
/// the scanned directory when it is not in git).
fn name_repositories(
    args: &ScanArgs,
    fleet: &[(String, String, std::path::PathBuf)],
    report: &mut ScanReport,
) -> anyhow::Result<()> {
    let mut repos = std::mem::take(&mut report.repositories);
    if args.repos.is_some() {
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
        && let [dir] = args.paths.as_slice()
        && dir.join(".git").exists()
    {
        repos.push(crate::repository::read(dir, "."));
    }
    if let Some(name) = &args.repository {
        if name.trim().is_empty() {
            anyhow::bail!("--repository: the name is empty");
        }
        let at_root = repos.iter().position(|r| r.root == ".");
        match (at_root, repos.len()) {
            (Some(_), _) | (None, 1) => {
                let i = at_root.unwrap_or(0);
                repos[i].name = name.clone();
            }
            (None, 0) if args.paths.len() == 1 => repos.push(crate::repository::Repository {
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

/// The walk's options from the arguments, for `paths`.
fn scan_options(args: &ScanArgs, paths: Vec<PathBuf>) -> ScanOptions {
    ScanOptions {
        paths,
        no_ignore: args.no_ignore,
        follow: args.follow,
        max_filesize: args.max_filesize,
        threads: args.threads.unwrap_or(0),
        use_prefilter: !args.no_prefilter,
    }
}

/// `--config FILE`, or `jwt2oauth.toml` in `dir` (none when `dir` is empty).
fn load_config_in(args: &ScanArgs, dir: &Path) -> anyhow::Result<Option<Config>> {
    if args.no_config {
        return Ok(None);
    }
    if let Some(p) = &args.config {
        return Ok(Some(Config::load(p)?));
    }
    let p = dir.join(config::FILE_NAME);
    if dir.as_os_str().is_empty() || !p.is_file() {
        return Ok(None);
    }
    Ok(Some(Config::load(&p)?))
}

/// `--config FILE`, or `jwt2oauth.toml` in the (first) scanned directory.
fn load_config(args: &ScanArgs) -> anyhow::Result<Option<Config>> {
    if args.no_config {
        return Ok(None);
    }
    if let Some(p) = &args.config {
        return Ok(Some(Config::load(p)?));
    }
    let found = args
        .paths
        .iter()
        .find(|p| p.is_dir())
        .map(|d| d.join(config::FILE_NAME))
        .filter(|p| p.is_file());
    Ok(match found {
        Some(p) => Some(Config::load(&p)?),
        None => None,
    })
}

/// The directory a git-aware scan runs in: the single PATH given.
fn git_dir(args: &ScanArgs, flag: &str) -> anyhow::Result<PathBuf> {
    match args.paths.as_slice() {
        [p] if p.is_dir() => Ok(p.clone()),
        _ => anyhow::bail!("{flag} scans one directory inside a git repository: give one PATH"),
    }
}

fn run_scan(
    engine: &Engine<'_>,
    args: &ScanArgs,
    config: Option<&Config>,
    notes: &mut Notes,
    fleet: Option<FleetScan>,
    scopes: Option<&Scopes<'_, '_>>,
) -> anyhow::Result<ScanReport> {
    let show = !args.no_progress;
    if fleet.is_none() {
        check_paths(&args.paths)?;
    }
    // `--include/--exclude` beside the config's `[paths]`: a file must pass both.
    let cli_filter = PathFilter::from_globs(&args.include, &args.exclude)
        .map_err(|m| anyhow::anyhow!("--include/--exclude: {m}"))?;
    let allows = |p: &str| config.is_none_or(|c| c.filter.allows(p)) && cli_filter.allows(p);
    let filtered = !cli_filter.is_empty() || config.is_some_and(|c| !c.filter.is_empty());
    let (paths, labels, fleet_errors) = match fleet {
        Some(f) => (f.paths, f.labels, f.errors),
        None => (args.paths.clone(), None, Vec::new()),
    };
    let with_fleet_errors = |mut r: ScanReport| {
        r.errors.extend(fleet_errors.iter().cloned());
        r.errors.sort();
        r
    };
    if args.history {
        let dir = match (&args.repos, paths.as_slice()) {
            (None, _) => git_dir(args, "--history")?,
            (Some(_), [one]) => one.clone(),
            // Every repository of the list failed: nothing to walk.
            (Some(_), _) => {
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
            args.max_filesize,
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
    if args.staged {
        let dir = git_dir(args, "--staged")?;
        notes.mode = ScanMode::Staged;
        return Ok(git::scan_staged(engine, &dir, args.max_filesize, &allows)?);
    }
    let mut files = None;
    if let Some(reference) = &args.since {
        let dir = git_dir(args, "--since")?;
        let (base, changed) = git::changed_since(&dir, reference)?;
        notes.mode = ScanMode::Since {
            reference: reference.clone(),
            merge_base: base,
        };
        files = Some(changed);
    }
    let opts = scan_options(args, paths);
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

/// The repositories of a tree scan (found before the walk) and the config
/// each uses; `None` for a scan without a walk (`--staged`, `--history`)
/// or a tree with no repository below its root.
fn repo_plan(
    args: &ScanArgs,
    p: &Prepared<'_, '_>,
    fleet: Option<&FleetScan>,
) -> anyhow::Result<Option<RepoPlan>> {
    if args.history || args.staged {
        return Ok(None);
    }
    let (paths, labels) = match fleet {
        Some(f) => (f.paths.clone(), f.labels.clone()),
        None => (args.paths.clone(), None),
    };
    let opts = scan_options(args, paths);
    let found = crate::scan::discover(&opts, labels.as_deref());
    if found.iter().all(|r| r.root == ".") {
        return Ok(None);
    }
    Ok(Some(RepoPlan::new(args, found, p.config, p.fail_on)?))
}

/// The suppress stage: config `[[ignore]]` entries, then the baseline.
/// In a scan of several repositories each config applies to the findings
/// of its repositories, on paths relative to its root (as when scanned
/// alone), unless `--baseline`/`--write-baseline` gives one baseline for
/// every file.
fn suppress_stage(
    args: &ScanArgs,
    top: Option<&Config>,
    plan: Option<&RepoPlan>,
    report: &mut ScanReport,
    notes: &mut Notes,
    today: Date,
) -> anyhow::Result<()> {
    let Some(plan) = plan else {
        if let Some(c) = top {
            let stale = suppress::apply(
                &mut report.findings,
                &mut report.suppressed,
                &c.ignores(),
                today,
            );
            notes.stale.extend(stale);
        }
        return apply_baseline(args, top, report, notes, today, false);
    };
    let cli_baseline = args.baseline.is_some() || args.write_baseline.is_some();
    let mut groups: Vec<Vec<Detected>> = (0..=plan.group_count()).map(|_| Vec::new()).collect();
    for d in std::mem::take(&mut report.findings) {
        let g = plan.group_of(&d.finding.location.path).map_or(0, |i| i + 1);
        groups[g].push(d);
    }
    for (g, mut findings) in groups.into_iter().enumerate() {
        let (root, config) = match g.checked_sub(1) {
            None => (".", top),
            Some(i) => {
                let (r, c) = plan.group(i);
                (r, Some(c))
            }
        };
        // A config applied to several repositories matches baseline
        // entries by path too (see `Baseline::ignores_checking_paths`).
        let several = findings
            .iter()
            .any(|d| plan.fingerprint_root(&d.finding.location.path) != root);
        let shift = |f: &mut crate::finding::Finding, to_root: bool| {
            if root != "." {
                f.location.path = if to_root {
                    crate::repository::relative(root, &f.location.path).to_string()
                } else {
                    crate::scan::prefixed(root, &f.location.path)
                };
            }
        };
        findings
            .iter_mut()
            .for_each(|d| shift(&mut d.finding, true));
        let mut suppressed = Vec::new();
        let mut stale = Vec::new();
        if let Some(c) = config {
            stale.extend(suppress::apply(
                &mut findings,
                &mut suppressed,
                &c.ignores(),
                today,
            ));
            match (&c.baseline, cli_baseline) {
                (Some(path), false) if path.is_file() => match Baseline::load(path) {
                    Ok(b) => {
                        let ignores = b.ignores_checking_paths(several);
                        stale.extend(suppress::apply(
                            &mut findings,
                            &mut suppressed,
                            &ignores,
                            today,
                        ));
                        if g == 0 {
                            notes.baseline = Some(display(path));
                        }
                    }
                    Err(e) if g == 0 => return Err(e.into()),
                    // A repository's baseline that does not load: its
                    // findings stay (the gate sees them) and it is listed.
                    Err(e) => report.errors.push(crate::scan::ScanError {
                        path: crate::scan::prefixed(root, config::FILE_NAME),
                        message: format!("{e}; its findings are not baselined"),
                    }),
                },
                (Some(path), false) if g == 0 => anyhow::bail!(
                    "baseline {} does not exist: create it with --write-baseline {}",
                    path.display(),
                    path.display()
                ),
                (Some(path), false) => report.errors.push(crate::scan::ScanError {
                    path: crate::scan::prefixed(root, config::FILE_NAME),
                    message: format!(
                        "baseline {} does not exist: create it with `jwt2oauth scan {root} --write-baseline {}`; its findings are not baselined",
                        path.display(),
                        path.display()
                    ),
                }),
                _ => {}
            }
        }
        findings
            .iter_mut()
            .for_each(|d| shift(&mut d.finding, false));
        suppressed
            .iter_mut()
            .for_each(|s| shift(&mut s.finding, false));
        for s in &mut stale {
            if root != "." {
                s.path = crate::scan::prefixed(root, &s.path);
            }
        }
        report.findings.extend(findings);
        report.suppressed.extend(suppressed);
        notes.stale.extend(stale);
    }
    let order = |f: &crate::finding::Finding| (f.location.clone(), f.rule_id.clone());
    report.findings.sort_by_cached_key(|d| order(&d.finding));
    report.suppressed.sort_by_cached_key(|s| order(&s.finding));
    report.errors.sort();
    if cli_baseline {
        apply_baseline(args, top, report, notes, today, !plan.roots.is_empty())?;
    }
    Ok(())
}

/// `--write-baseline` then `--baseline` (or the config's baseline); with
/// `several`, entries match findings of several repositories (by path too).
fn apply_baseline(
    args: &ScanArgs,
    config: Option<&Config>,
    report: &mut ScanReport,
    notes: &mut Notes,
    today: Date,
    several: bool,
) -> anyhow::Result<()> {
    let path: Option<PathBuf> = args
        .baseline
        .clone()
        .or_else(|| config.and_then(|c| c.baseline.clone()));
    let previous = match &path {
        Some(p) if p.is_file() => Some(Baseline::load(p)?),
        Some(p) if args.write_baseline.is_none() => anyhow::bail!(
            "baseline {} does not exist: create it with --write-baseline {}",
            p.display(),
            p.display()
        ),
        _ => None,
    };
    let baseline = match &args.write_baseline {
        Some(out) => {
            let b = Baseline::from_findings(&report.findings, previous.as_ref());
            b.save(out)?;
            eprintln!(
                "jwt2oauth: wrote {} baseline entr{} to {}",
                b.entries.len(),
                if b.entries.len() == 1 { "y" } else { "ies" },
                out.display()
            );
            notes.baseline = Some(display(out));
            Some(b)
        }
        None => {
            notes.baseline = path.as_deref().map(display);
            previous
        }
    };
    if let Some(b) = &baseline {
        let ignores = b.ignores_checking_paths(several);
        let stale = suppress::apply(
            &mut report.findings,
            &mut report.suppressed,
            &ignores,
            today,
        );
        notes.stale.extend(stale);
    }
    Ok(())
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

/// `--today`, or the system date.
pub fn parse_today(s: Option<&str>) -> anyhow::Result<Date> {
    match s {
        Some(s) => s
            .parse::<Date>()
            .with_context(|| format!("--today {s:?} is not a date (YYYY-MM-DD)")),
        None => Ok(jiff::Zoned::now().date()),
    }
}
