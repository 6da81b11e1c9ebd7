//! `--format markdown`: the migration report as GitHub-flavoured Markdown
//! (for a pull request, a wiki page or `$GITHUB_STEP_SUMMARY`). The same
//! plan as the HTML report (see [`super::plan`]).

use std::io::{self, Write};

pub use super::escape::{cell, code};
use super::plan::{self, GroupPlan, Plan, days_text};
use super::{Report, STATUSES};
use crate::engine::Detected;

/// A fenced block that survives backtick fences in `s`.
fn block(s: &str) -> String {
    let mut fence = "```".to_string();
    while s.contains(&fence) {
        fence.push('`');
    }
    format!("{fence}text\n{s}\n{fence}\n")
}

/// Writes the migration report.
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let p = plan::build(report);
    writeln!(out, "# JWT to OAuth Server-to-Server migration report\n")?;
    writeln!(
        out,
        "jwt2oauth {} · today {} · scanned {} · gate (`--fail-on {}`): **{}**\n",
        env!("CARGO_PKG_VERSION"),
        p.today,
        p.scope,
        p.fail_on,
        p.gate_text
    )?;
    if let Some(o) = super::org::build(report, &p) {
        super::org::markdown(&o, out)?;
    }
    summary(&p, out)?;
    steps(&p, out)?;
    for g in &p.groups {
        group(g, out)?;
    }
    unattributed(&p, out)?;
    findings(report, &p, out)?;
    notes(report, out)
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("**{n}** {}", if n == 1 { one } else { many })
}

fn summary(p: &Plan<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Executive summary\n")?;
    writeln!(
        out,
        "- {} to migrate, in {} with JWT usage",
        count(
            p.credentials,
            "identified Service Account (JWT) credential",
            "identified Service Account (JWT) credentials"
        ),
        count(p.projects, "project", "projects"),
    )?;
    writeln!(
        out,
        "- {} in {} ({} informational, {} suppressed)",
        count(p.findings, "finding", "findings"),
        count(p.files, "file", "files"),
        p.informational,
        p.suppressed
    )?;
    if p.unattributed_findings > 0 {
        writeln!(
            out,
            "- {} not tied to a credential, in {} (see [Usage sites not tied to a credential](#usage-sites-not-tied-to-a-credential))",
            count(p.unattributed_findings, "usage site", "usage sites"),
            count(p.unattributed.len(), "project", "projects"),
        )?;
    }
    let statuses: Vec<String> = p
        .by_status
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", plan::status_label(s)))
        .collect();
    if !statuses.is_empty() {
        writeln!(out, "- By deadline status: {}", statuses.join(", "))?;
    }
    if let Some(d) = p
        .groups
        .iter()
        .filter_map(|g| g.group.effective_deadline.as_ref())
        .chain(
            p.unattributed
                .iter()
                .filter_map(|u| u.sites.effective_deadline.as_ref()),
        )
        .min_by_key(|d| d.date)
    {
        writeln!(
            out,
            "- Earliest cut-off: **{}** ({}, {}): JWT token exchanges stop working then",
            d.date,
            d.status.as_str(),
            days_text(d)
        )?;
    }
    writeln!(
        out,
        "- Adobe's [migration guide]({}) and [OAuth Server-to-Server guide]({})\n",
        plan::MIGRATION_GUIDE,
        plan::IMPLEMENTATION_GUIDE
    )?;
    if !p.groups.is_empty() {
        writeln!(out, "### Credentials\n")?;
        writeln!(
            out,
            "| credential | identified by | project | kinds | cut-off | status | files | findings |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---:|---:|")?;
        for g in &p.groups {
            let (date, status) = match &g.group.effective_deadline {
                Some(d) => (
                    d.date.to_string(),
                    format!("{} ({})", d.status.as_str(), days_text(d)),
                ),
                None => ("none".into(), "informational".into()),
            };
            let kinds: Vec<&str> = g.kinds.iter().map(|k| k.id()).collect();
            writeln!(
                out,
                "| {} | {} | {} | {} | {date} | {status} | {} | {} |",
                cell(&g.title),
                cell(&g.identified_text),
                code(&g.group.project),
                kinds.join(", "),
                g.group.files.len(),
                g.group.findings
            )?;
        }
        writeln!(out)?;
    }
    if !p.by_category.is_empty() {
        writeln!(out, "### Findings by category and deadline status\n")?;
        let heads: Vec<&str> = STATUSES.iter().map(|s| plan::status_label(s)).collect();
        writeln!(out, "| category | {} | total |", heads.join(" | "))?;
        writeln!(out, "|---|{}---:|", "---:|".repeat(STATUSES.len()))?;
        for (c, n) in &p.by_category {
            let cells: Vec<String> = STATUSES
                .iter()
                .map(|s| p.matrix.get(&(*c, *s)).copied().unwrap_or(0).to_string())
                .collect();
            writeln!(out, "| {} | {} | {n} |", c, cells.join(" | "))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn steps(p: &Plan<'_>, out: &mut dyn Write) -> io::Result<()> {
    if p.kinds.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Migration steps\n")?;
    writeln!(
        out,
        "Each kind of credential's steps, once; each credential's section says which apply to it.\n"
    )?;
    for k in &p.kinds {
        writeln!(out, "### Steps: {}\n", k.kind.title())?;
        writeln!(out, "{}\n", k.kind.intro())?;
        let mut who: Vec<String> = k.credentials.iter().map(|(_, t)| t.clone()).collect();
        who.extend(
            k.unattributed_projects
                .iter()
                .map(|p| format!("sites not tied to a credential in {}", code(p))),
        );
        writeln!(out, "Applies to: {}.\n", who.join("; "))?;
        for (i, (title, detail)) in k.kind.steps().iter().enumerate() {
            writeln!(out, "{}. **{title}.** {detail}", i + 1)?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn sites(list: &[plan::FileSites<'_>], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "| file | lines to change | categories |")?;
    writeln!(out, "|---|---|---|")?;
    for f in list {
        let lines: Vec<String> = f.lines().iter().map(u32::to_string).collect();
        let cats: Vec<&str> = f.categories().iter().map(|c| c.as_str()).collect();
        writeln!(
            out,
            "| {} | {} | {} |",
            code(f.path),
            lines.join(", "),
            cats.join(", ")
        )?;
    }
    writeln!(out)
}

fn group(g: &GroupPlan<'_>, out: &mut dyn Write) -> io::Result<()> {
    let c = g.group;
    writeln!(out, "## {}\n", g.title)?;
    let kinds: Vec<&str> = g.kinds.iter().map(|k| k.title()).collect();
    writeln!(
        out,
        "**Identified by:** {} · **project:** {} · **steps:** {}\n",
        g.identified_text,
        code(&c.project),
        kinds.join(", ")
    )?;
    match &c.effective_deadline {
        Some(d) => writeln!(
            out,
            "**Cut-off:** {} ({}, {}); source: {}\n",
            d.date,
            d.status.as_str(),
            days_text(d),
            d.source
        )?,
        None => writeln!(out, "**Cut-off:** none (informational)\n")?,
    }
    for (label, v) in &g.identifiers {
        let items: Vec<String> = v.iter().map(|x| code(x)).collect();
        writeln!(out, "- {label}: {}", items.join(", "))?;
    }
    if !g.identifiers.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "### Files and sites\n")?;
    sites(&g.sites, out)?;
    writeln!(out, "### Metascopes and OAuth scopes\n")?;
    if g.metascopes.is_empty() {
        writeln!(
            out,
            "No metascope found in these files: copy the new credential's scopes.\n"
        )?;
    } else {
        writeln!(
            out,
            "| JWT metascope | OAuth Server-to-Server scopes observed |"
        )?;
        writeln!(out, "|---|---|")?;
        for (m, s) in &g.metascopes {
            let scopes = s.map_or_else(
                || "no observed mapping: copy the credential's list".to_string(),
                |s| code(&s.join(",")),
            );
            writeln!(out, "| {} | {scopes} |", code(m))?;
        }
        writeln!(
            out,
            "\nThese are observed mappings; Adobe publishes none. The new credential's own scopes list is the truth.\n"
        )?;
    }
    if !g.cleanup.is_empty() {
        writeln!(out, "### Secrets and keys to rotate or delete\n")?;
        for c in &g.cleanup {
            writeln!(out, "- {c}")?;
        }
        writeln!(out)?;
    }
    writeln!(out, "### Checklist\n")?;
    for item in &g.checklist {
        writeln!(out, "- [ ] {item}")?;
    }
    writeln!(out)
}

fn unattributed(p: &Plan<'_>, out: &mut dyn Write) -> io::Result<()> {
    if p.unattributed.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Usage sites not tied to a credential\n")?;
    writeln!(
        out,
        "These files use the JWT flow but hold no identifier (client id, technical account, key, Console project) and their project has no single credential to join: find the credential they load at run time (environment, secret store) and migrate them with it.\n"
    )?;
    for u in &p.unattributed {
        let kinds: Vec<&str> = u.kinds.iter().map(|k| k.title()).collect();
        writeln!(out, "### Project {}\n", code(&u.sites.project))?;
        write!(
            out,
            "{} in {} · steps: {}",
            count(u.sites.findings, "site", "sites"),
            count(u.sites.files.len(), "file", "files"),
            kinds.join(", ")
        )?;
        match &u.sites.effective_deadline {
            Some(d) => writeln!(
                out,
                " · cut-off {} ({}, {})\n",
                d.date,
                d.status.as_str(),
                days_text(d)
            )?,
            None => writeln!(out, "\n")?,
        }
        sites(&u.files, out)?;
    }
    Ok(())
}

fn findings(report: &Report<'_>, p: &Plan<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Findings\n")?;
    if p.by_file.is_empty() {
        writeln!(out, "No findings.\n")?;
    }
    for f in &p.by_file {
        writeln!(out, "### {}\n", code(f.path))?;
        match p.owner.get(f.path) {
            Some((id, title)) if id.starts_with("cred-") => writeln!(out, "Part of {title}.\n")?,
            Some((_, title)) => writeln!(out, "{title}.\n")?,
            None => writeln!(out, "Informational only.\n")?,
        }
        for d in &f.findings {
            finding(report, d, out)?;
        }
    }
    Ok(())
}

fn finding(report: &Report<'_>, d: &Detected, out: &mut dyn Write) -> io::Result<()> {
    let f = &d.finding;
    let l = &f.location;
    let status = f.deadline.as_ref().map_or_else(
        || "informational".to_string(),
        |dl| {
            format!(
                "{} since {} ({})",
                dl.status.as_str(),
                dl.date,
                days_text(dl)
            )
        },
    );
    writeln!(
        out,
        "#### {} line {}, column {}: **{}** · {} · {}\n",
        code(&f.rule_id),
        l.line,
        l.column,
        f.severity,
        f.category,
        status
    )?;
    writeln!(out, "{}\n", f.message)?;
    if let Some(o) = report.notes.history.get(&f.fingerprint) {
        writeln!(
            out,
            "First committed in {} ({}){}.\n",
            code(&o.commit),
            cell(&o.summary),
            if o.removed {
                "; removed since, still in history"
            } else {
                ""
            }
        )?;
    }
    let frame: Vec<String> = d
        .frame
        .iter()
        .map(|fl| {
            format!(
                "{} {:>4} | {}",
                if fl.is_match { ">" } else { " " },
                fl.line,
                fl.text
            )
        })
        .collect();
    if frame.is_empty() {
        write!(out, "{}", block(&f.snippet))?;
    } else {
        write!(out, "{}", block(&frame.join("\n")))?;
    }
    if !f.related.is_empty() {
        writeln!(out, "\nAlso at:\n")?;
        for r in &f.related {
            writeln!(out, "- line {}: {}", r.line, code(&r.note))?;
        }
    }
    writeln!(out, "\n**Fix:** {}\n", f.remediation)
}

fn notes(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let scan = report.scan;
    if !scan.suppressed.is_empty() {
        writeln!(out, "## Suppressed findings\n")?;
        writeln!(out, "| location | rule | by | reason |")?;
        writeln!(out, "|---|---|---|---|")?;
        for s in &scan.suppressed {
            let l = &s.finding.location;
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                code(&format!("{}:{}", l.path, l.line)),
                code(&s.finding.rule_id),
                s.kind.as_str(),
                cell(&s.reason)
            )?;
        }
        writeln!(out)?;
    }
    if !report.notes.stale.is_empty() {
        writeln!(out, "## Baseline entries and ignores to review\n")?;
        for s in &report.notes.stale {
            writeln!(
                out,
                "- {} {} for {} {}: {}{}",
                s.source,
                code(&s.rule_id),
                code(&s.path),
                s.until.map(|u| format!("(until {u})")).unwrap_or_default(),
                s.problem.as_str(),
                s.reason
                    .as_deref()
                    .map(|r| format!(" ({})", cell(r)))
                    .unwrap_or_default()
            )?;
        }
        writeln!(out)?;
    }
    if !scan.errors.is_empty() || !scan.skipped.is_empty() {
        writeln!(out, "## Not scanned\n")?;
        for e in &scan.errors {
            writeln!(
                out,
                "- error: {}: {}",
                code(&e.path),
                cell(&super::error_message(e))
            )?;
        }
        for s in &scan.skipped {
            writeln!(out, "- skipped: {}: {}", code(&s.path), cell(&s.reason))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_code_and_cells_escape() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert!(block("```\nx").starts_with("````text"));
    }
}
