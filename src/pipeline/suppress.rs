//! The suppress stage: config `[[ignore]]` entries, then the baseline
//! (inline `jwt2oauth:ignore[...]` comments were applied while matching,
//! by [`crate::suppress::inline_reason`], where the line is at hand). Every
//! suppression policy applies through [`crate::suppress::apply`].

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use super::repos::RepoPlan;
use super::settings::Flags;
use crate::baseline::Baseline;
use crate::config::{self, Config};
use crate::finding::Detected;
use crate::output::Notes;
use crate::report::ScanReport;
use crate::suppress;

/// The suppress stage: config `[[ignore]]` entries, then the baseline.
/// In a scan of several repositories each config applies to the findings
/// of its repositories, on paths relative to its root (as when scanned
/// alone), unless `--baseline`/`--write-baseline` gives one baseline for
/// every file.
pub(super) fn stage(
    flags: &Flags,
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
        return apply_baseline(flags, top, report, notes, today, false);
    };
    let cli_baseline = flags.baseline.is_some() || flags.write_baseline.is_some();
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
        apply_baseline(flags, top, report, notes, today, !plan.roots.is_empty())?;
    }
    Ok(())
}

/// `--write-baseline` then `--baseline` (or the config's baseline); with
/// `several`, entries match findings of several repositories (by path too).
fn apply_baseline(
    flags: &Flags,
    config: Option<&Config>,
    report: &mut ScanReport,
    notes: &mut Notes,
    today: Date,
    several: bool,
) -> anyhow::Result<()> {
    let path: Option<PathBuf> = flags
        .baseline
        .clone()
        .or_else(|| config.and_then(|c| c.baseline.clone()));
    let previous = match &path {
        Some(p) if p.is_file() => Some(Baseline::load(p)?),
        Some(p) if flags.write_baseline.is_none() => anyhow::bail!(
            "baseline {} does not exist: create it with --write-baseline {}",
            p.display(),
            p.display()
        ),
        _ => None,
    };
    let baseline = match &flags.write_baseline {
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
