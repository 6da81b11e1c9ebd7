//! `--format markdown`: the migration report as GitHub-flavoured Markdown
//! (for a pull request, a wiki page or `$GITHUB_STEP_SUMMARY`). The same
//! plan as the HTML report (see [`super::plan`]).

use std::io::{self, Write};

use super::plan::{self, GroupPlan, Plan, days_text};
use super::{Report, STATUSES};
use crate::engine::Detected;

/// Inline code that survives backticks in `s`.
pub fn code(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A table cell: one line, pipes escaped.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

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
    summary(&p, out)?;
    for g in &p.groups {
        group(g, out)?;
    }
    findings(report, &p, out)?;
    notes(report, out)
}

fn summary(p: &Plan<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Executive summary\n")?;
    writeln!(
        out,
        "- **{}** Service Account (JWT) credential{} across **{}** file{} with findings",
        p.credentials,
        plural(p.credentials),
        p.files,
        plural(p.files)
    )?;
    writeln!(
        out,
        "- **{}** finding{} ({} suppressed)",
        p.findings,
        plural(p.findings),
        p.suppressed
    )?;
    let statuses: Vec<String> = p
        .by_status
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    if !statuses.is_empty() {
        writeln!(out, "- By deadline status: {}", statuses.join(", "))?;
    }
    if let Some(d) = p
        .groups
        .iter()
        .filter_map(|g| g.group.effective_deadline.as_ref())
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
    if !p.by_category.is_empty() {
        writeln!(out, "### Findings by category and deadline status\n")?;
        writeln!(out, "| category | {} | total |", STATUSES.join(" | "))?;
        writeln!(out, "|---|{}---|", "---:|".repeat(STATUSES.len()))?;
        for (c, n) in &p.by_category {
            let cells: Vec<String> = STATUSES
                .iter()
                .map(|s| p.matrix.get(&(*c, *s)).copied().unwrap_or(0).to_string())
                .collect();
            writeln!(out, "| {} | {} | {n} |", c, cells.join(" | "))?;
        }
        writeln!(out)?;
    }
    if !p.groups.is_empty() {
        writeln!(out, "### Effective cut-off per credential\n")?;
        writeln!(out, "| credential | cut-off | status | files | findings |")?;
        writeln!(out, "|---|---|---|---:|---:|")?;
        for g in &p.groups {
            let (date, status) = match &g.group.effective_deadline {
                Some(d) => (
                    d.date.to_string(),
                    format!("{} ({})", d.status.as_str(), days_text(d)),
                ),
                None => ("none".into(), "informational".into()),
            };
            writeln!(
                out,
                "| {} | {date} | {status} | {} | {} |",
                cell(&g.title),
                g.group.files.len(),
                g.group.findings
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn group(g: &GroupPlan<'_>, out: &mut dyn Write) -> io::Result<()> {
    let c = g.group;
    writeln!(out, "## {}\n", g.title)?;
    if let Some(d) = &c.effective_deadline {
        writeln!(
            out,
            "**Cut-off:** {} ({}, {}); source: {}\n",
            d.date,
            d.status.as_str(),
            days_text(d),
            d.source
        )?;
    }
    let ids = [
        ("Client ids", &c.client_ids),
        ("Technical accounts", &c.technical_accounts),
        ("Organizations", &c.org_ids),
        ("Key files referenced", &c.key_references),
        ("Key fingerprints (SHA-256, truncated)", &c.key_fingerprints),
    ];
    for (label, v) in ids {
        if !v.is_empty() {
            let items: Vec<String> = v.iter().map(|x| code(x)).collect();
            writeln!(out, "- {label}: {}", items.join(", "))?;
        }
    }
    let files: Vec<String> = c.files.iter().map(|f| code(f)).collect();
    writeln!(out, "- Files: {}\n", files.join(", "))?;
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
    writeln!(out, "### Migration steps\n")?;
    for (i, (title, detail)) in g.steps.iter().enumerate() {
        writeln!(out, "{}. **{title}.** {detail}", i + 1)?;
    }
    writeln!(out, "\n### Checklist\n")?;
    for item in &g.checklist {
        writeln!(out, "- [ ] {item}")?;
    }
    writeln!(out)
}

fn findings(report: &Report<'_>, p: &Plan<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Findings\n")?;
    if p.by_file.is_empty() {
        writeln!(out, "No findings.\n")?;
    }
    for (path, list) in &p.by_file {
        writeln!(out, "### {}\n", code(path))?;
        for d in list {
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

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
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
