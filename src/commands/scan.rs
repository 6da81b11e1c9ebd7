//! `jwt2oauth scan`: load rules, walk, detect, print, and decide the gate.

use std::io::Write;

use anyhow::Context;
use clap::ValueEnum;
use jiff::civil::Date;

use super::Outcome;
use crate::cli::{ColorChoice, ScanArgs, ScanFormat};
use crate::engine::Engine;
use crate::finding::Category;
use crate::output::{Report, json, terminal};
use crate::scan::{ScanOptions, ScanReport, scan};

/// Runs a scan and returns the gate's outcome.
pub fn run(args: &ScanArgs) -> anyhow::Result<Outcome> {
    let today = parse_today(args.today.as_deref())?;
    if args.warn_days < 0 {
        anyhow::bail!("--warn-days must be 0 or more");
    }
    let rules = match super::rules::load_rules(&args.rule_source) {
        Ok(r) => r,
        Err(outcome) => return Ok(outcome),
    };
    let engine = Engine::new(&rules, today, args.warn_days);
    let opts = ScanOptions {
        paths: args.paths.clone(),
        no_ignore: args.no_ignore,
        follow: args.follow,
        max_filesize: args.max_filesize,
        threads: args.threads.unwrap_or(0),
        use_prefilter: true,
    };
    let report = scan(&engine, &opts);
    let gate_failed = gate_fails(&report, args);
    let fail_on = args
        .fail_on
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    let view = Report {
        scan: &report,
        today,
        rule_count: rules.rules.len(),
        fail_on: &fail_on,
        gate_failed,
    };
    write_output(&view, args)?;
    Ok(if args.strict && !report.errors.is_empty() {
        Outcome::Incomplete
    } else if gate_failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Whether any finding is at or above `--fail-on`. OAuth Server-to-Server
/// findings are informational and never fail the gate.
fn gate_fails(report: &ScanReport, args: &ScanArgs) -> bool {
    let Some(threshold) = args.fail_on.threshold() else {
        return false;
    };
    report
        .findings
        .iter()
        .any(|d| d.finding.category != Category::OauthS2s && d.finding.severity >= threshold)
}

fn write_output(view: &Report<'_>, args: &ScanArgs) -> anyhow::Result<()> {
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            ScanFormat::Terminal => terminal::write(view, out),
            ScanFormat::Json => json::write(view, out),
        }
    };
    match &args.output {
        Some(path) => {
            let mut file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            write(&mut file).with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let choice = match args.color {
                ColorChoice::Auto => anstream::ColorChoice::Auto,
                ColorChoice::Always => anstream::ColorChoice::Always,
                ColorChoice::Never => anstream::ColorChoice::Never,
            };
            let mut out = anstream::AutoStream::new(std::io::stdout().lock(), choice);
            match write(&mut out) {
                // A closed pipe (`| head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                r => r.context("cannot write to stdout")?,
            }
        }
    }
    Ok(())
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
