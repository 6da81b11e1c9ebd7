//! `jwt2oauth scan`: the clap arguments become the pipeline's [`Flags`],
//! [`pipeline::run`] scans (a tree, the files changed since a ref, the
//! staged files or the git history) to a verdict, and this writes every
//! requested output and the notes on stale suppressions.

use std::path::Path;

use anyhow::Context;
use jiff::civil::Date;

use super::Outcome;
use super::fleet::FleetScan;
use super::outputs::{Destination, destinations, write_all};
use crate::cli::ScanArgs;
use crate::output::Format;
use crate::pipeline::{self, ConfigChoice, Flags, Mode, RulesDoNotLoad, Scanned, Settings};
use crate::suppress::StaleProblem;

/// The pipeline's flags, as the command line gives them.
fn flags(args: &ScanArgs) -> Flags {
    Flags {
        paths: args.paths.clone(),
        mode: if args.history {
            Mode::History
        } else if args.staged {
            Mode::Staged
        } else if let Some(r) = &args.since {
            Mode::Since(r.clone())
        } else {
            Mode::Tree
        },
        repos: args.repos.is_some(),
        config: match (&args.config, args.no_config) {
            (_, true) => ConfigChoice::None,
            (Some(p), false) => ConfigChoice::File(p.clone()),
            (None, false) => ConfigChoice::Found,
        },
        fail_on: args.fail_on,
        strict: args.strict,
        warn_days: args.warn_days,
        baseline: args.baseline.clone(),
        write_baseline: args.write_baseline.clone(),
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        no_ignore: args.no_ignore,
        follow: args.follow,
        max_filesize: args.max_filesize,
        threads: args.threads,
        use_prefilter: !args.no_prefilter,
        progress: !args.no_progress,
        repository: args.repository.clone(),
        rules_dirs: args.rule_source.rules_dirs.clone(),
        no_builtin_rules: args.rule_source.no_builtin_rules,
    }
}

/// The settings, or the outcome to exit with when the rules do not load
/// (each rule error printed).
fn settings<'f>(
    flags: &'f Flags,
    today: Date,
    config: Option<crate::config::Config>,
) -> anyhow::Result<Result<Settings<'f>, Outcome>> {
    match Settings::new(flags, today, config) {
        Ok(s) => Ok(Ok(s)),
        Err(e) => match e.downcast::<RulesDoNotLoad>() {
            Ok(RulesDoNotLoad(errors)) => {
                super::rules::print_errors(&errors);
                Ok(Err(Outcome::UsageError))
            }
            Err(e) => Err(e),
        },
    }
}

/// Runs a scan and returns the gate's outcome.
pub fn run(args: &ScanArgs) -> anyhow::Result<Outcome> {
    let today = parse_today(args.today.as_deref())?;
    let flags = flags(args);
    let dests = match &args.reports_dir {
        Some(_) => Vec::new(),
        None => destinations(&args.format, &args.output)?,
    };
    let fleet = match &args.repos {
        Some(list) => Some(super::fleet::resolve(args, list, !args.no_progress)?),
        None => None,
    };
    let fleet = match (&args.reports_dir, fleet) {
        (Some(dir), Some(f)) => return per_repository(args, &flags, today, f, dir),
        (_, f) => f,
    };
    let config = match fleet.as_ref().map(|f| f.paths.as_slice()) {
        // `scan --repos` of one repository reads its config, as `scan DIR`.
        Some([one]) => flags.config_in(one)?,
        Some(_) => flags.config_in(Path::new(""))?,
        None => flags.config_of_paths()?,
    };
    let settings = match settings(&flags, today, config)? {
        Ok(s) => s,
        Err(outcome) => return Ok(outcome),
    };
    let engine = settings.engine();
    let sarif = dests.iter().any(|d| d.format == Format::Sarif);
    let scanned = pipeline::run(&settings, &engine, fleet, sarif)?;
    write(args, &settings, &scanned, &dests)
}

/// `--repos LIST --reports-dir DIR`: each repository scanned alone, with
/// its own `jwt2oauth.toml` (and so its baseline), into its own JSON report.
/// Repositories without a config share one engine (rules compiled once).
fn per_repository(
    args: &ScanArgs,
    flags: &Flags,
    today: Date,
    fleet: FleetScan,
    dir: &Path,
) -> anyhow::Result<Outcome> {
    let shared = match settings(flags, today, flags.config_in(Path::new(""))?)? {
        Ok(s) => s,
        Err(outcome) => return Ok(outcome),
    };
    let shared_engine = shared.engine();
    let mut worst = Outcome::Clean;
    let jobs = super::fleet::per_repository(fleet, dir)?;
    let n = jobs.len();
    for (mut one, file) in jobs {
        let dests = [Destination {
            format: Format::Json,
            path: Some(file),
        }];
        // `--config FILE` is the shared setup's: no repository's own.
        let own = match (one.paths.as_slice(), flags.own_configs()) {
            ([repo], true) => {
                match flags
                    .config_in(repo)
                    .map_err(anyhow::Error::from)
                    .and_then(|c| match c {
                        Some(c) => settings(flags, today, Some(c)).map(Some),
                        None => Ok(None),
                    }) {
                    Ok(Some(Ok(s))) => Some(s),
                    Ok(Some(Err(outcome))) => return Ok(outcome),
                    Ok(None) => None,
                    Err(e) => {
                        // A broken config of one repository: its report says so.
                        one.errors.push(pipeline::config_error(".", &e));
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
                }
            }
            _ => None,
        };
        let outcome = match &own {
            Some(s) => {
                let engine = s.engine();
                let scanned = pipeline::run(s, &engine, Some(one), false)?;
                write(args, s, &scanned, &dests)?
            }
            None => {
                let scanned = pipeline::run(&shared, &shared_engine, Some(one), false)?;
                write(args, &shared, &scanned, &dests)?
            }
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

/// Writes `scanned` to `dests` and the notes on stale suppressions to
/// stderr; the gate's outcome.
fn write(
    args: &ScanArgs,
    settings: &Settings<'_>,
    scanned: &Scanned,
    dests: &[Destination],
) -> anyhow::Result<Outcome> {
    write_all(&scanned.view(settings, args.full_fix), dests, args.color)?;
    for s in &scanned.notes.stale {
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
    Ok(scanned.verdict.exit().into())
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
