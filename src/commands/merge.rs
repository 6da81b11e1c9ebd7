//! `jwt2oauth merge REPORT.json...`: read JSON reports of many scans, link
//! their credentials, and write the merged report in every requested format
//! with the scan's output code; the gate is the scan's (`--fail-on`).

use std::path::Path;

use sha2::{Digest, Sha256};

use super::Outcome;
use super::outputs::{destinations, write_all};
use crate::cli::{FailOn, MergeArgs};
use crate::merge::{Named, input};
use crate::output::{Notes, Report};

/// Merges the reports and writes the outputs.
pub fn run(args: &MergeArgs) -> anyhow::Result<Outcome> {
    let dests = destinations(&args.format, &args.output)?;
    let mut inputs = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        inputs.push(read(path)?);
    }
    let rules = match super::rules::load_rules(&args.rule_source) {
        Ok(r) => r,
        Err(outcome) => return Ok(outcome),
    };
    let merged = crate::merge::merge(inputs);
    let today = match merged.today {
        Some(t) => t,
        None => super::scan::parse_today(None)?,
    };
    let report = merged.report;
    let gate = super::gate(args.fail_on.unwrap_or(FailOn::Low), args.strict);
    let verdict = gate.judge(&report);
    let notes = Notes::default();
    let view = Report {
        scan: &report,
        today,
        rule_count: rules.rules.len(),
        gate: &gate,
        verdict,
        rules: &rules,
        notes: &notes,
        full_fix: args.full_fix,
    };
    write_all(&view, &dests, args.color)?;
    Ok(verdict.exit().into())
}

/// Reads one report; any problem is an error naming the file (exit 2).
fn read(path: &Path) -> anyhow::Result<Named> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("{shown}: cannot read: {}", crate::scan::io_reason(&e)))?;
    let parsed = input::parse(&shown, &bytes)?;
    let digest = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    Ok(Named {
        stem,
        digest,
        input: parsed,
    })
}
