//! The human format: findings grouped by file, each with `path:line:col`,
//! severity, rule id, deadline status and a redacted code frame, then a
//! summary line. Colour is decided by the caller's writer (anstream strips
//! it when not on a terminal or when NO_COLOR is set).

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::Report;
use crate::engine::Detected;
use crate::finding::{DeadlineStatus, Severity};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn severity_style(s: Severity) -> Style {
    let c = match s {
        Severity::Critical => AnsiColor::BrightRed,
        Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
        Severity::Info => AnsiColor::Blue,
    };
    Style::new().fg_color(Some(c.into())).bold()
}

fn status_style(s: DeadlineStatus) -> Style {
    let c = match s {
        DeadlineStatus::PastDue => AnsiColor::Red,
        DeadlineStatus::DueSoon => AnsiColor::Yellow,
        DeadlineStatus::Scheduled => AnsiColor::Green,
    };
    Style::new().fg_color(Some(c.into()))
}

/// Writes the report for a person.
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let scan = report.scan;
    let mut current: Option<&str> = None;
    for d in &scan.findings {
        let path = d.finding.location.path.as_str();
        if current != Some(path) {
            if current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{BOLD}{path}{BOLD:#}")?;
            current = Some(path);
        }
        write_finding(d, report.full_fix, out)?;
    }
    if !scan.findings.is_empty() {
        writeln!(out)?;
    }
    for e in &scan.errors {
        writeln!(
            out,
            "{}error{:#}: {}: {}",
            severity_style(Severity::High),
            severity_style(Severity::High),
            e.path,
            super::error_message(e)
        )?;
    }
    for w in &scan.warnings {
        writeln!(
            out,
            "{}warning{:#}: {}:{}: {}",
            severity_style(Severity::Medium),
            severity_style(Severity::Medium),
            w.path,
            w.line,
            w.message
        )?;
    }
    for s in &scan.skipped {
        writeln!(out, "{DIM}skipped: {}: {}{DIM:#}", s.path, s.reason)?;
    }
    write_summary(report, out)
}

fn write_finding(d: &Detected, full_fix: bool, out: &mut dyn Write) -> io::Result<()> {
    let f = &d.finding;
    let l = &f.location;
    let sev = severity_style(f.severity);
    write!(
        out,
        "  {}:{}:{}  {sev}{}{sev:#}  {BOLD}{}{BOLD:#}",
        l.path, l.line, l.column, f.severity, f.rule_id
    )?;
    if let Some(dl) = &f.deadline {
        let st = status_style(dl.status);
        let when = match dl.days {
            d if d < 0 => format!("{} days ago", -d),
            0 => "today".to_string(),
            d => format!("in {d} days"),
        };
        write!(
            out,
            "  {st}{} ({}, {when}){st:#}",
            dl.status.as_str(),
            dl.date
        )?;
    }
    writeln!(out)?;
    writeln!(out, "    {}", first_line(&f.message))?;
    let width = d
        .frame
        .iter()
        .map(|fl| fl.line.to_string().len())
        .max()
        .unwrap_or(1);
    for fl in &d.frame {
        let marker = if fl.is_match { ">" } else { " " };
        writeln!(
            out,
            "    {DIM}{marker} {:>width$} |{DIM:#} {}",
            fl.line, fl.text
        )?;
    }
    if !f.related.is_empty() {
        let lines: Vec<String> = f.related.iter().map(|r| r.line.to_string()).collect();
        writeln!(
            out,
            "    {DIM}also at line{} {}{DIM:#}",
            if lines.len() == 1 { "" } else { "s" },
            lines.join(", ")
        )?;
    }
    let fix = if full_fix {
        f.remediation.clone()
    } else {
        first_sentence(&f.remediation)
    };
    for (i, line) in wrap(&fix, FIX_WIDTH).iter().enumerate() {
        if i == 0 {
            writeln!(out, "    {DIM}fix:{DIM:#} {line}")?;
        } else {
            writeln!(out, "         {line}")?;
        }
    }
    Ok(())
}

/// Columns a `fix:` line's text is wrapped at.
const FIX_WIDTH: usize = 92;

/// The remediation's first sentence, whole (wrapped by the caller): the
/// full text is in JSON, `--full-fix` and `jwt2oauth rules explain`.
fn first_sentence(s: &str) -> String {
    let line = first_line(s);
    // A sentence ends at ". " followed by a capital, outside parentheses and
    // not after an abbreviation ("e.g. AWS Secrets Manager" goes on).
    let end = line
        .match_indices(". ")
        .find(|(i, _)| {
            let before = &line[..*i];
            let open = before.matches('(').count() > before.matches(')').count();
            let abbreviation = ["e.g", "i.e", "etc", "vs", "cf"]
                .iter()
                .any(|a| before.ends_with(a));
            line[i + 2..].starts_with(|c: char| c.is_uppercase()) && !open && !abbreviation
        })
        .map_or(line.len(), |(i, _)| i + 1);
    line[..end].to_string()
}

/// Splits `text` into lines of at most `width` characters at spaces (a
/// longer word stays whole); the text's own line breaks are kept.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.trim().lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push(line);
    }
    out
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("").trim()
}

fn write_summary(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let scan = report.scan;
    let mut files: Vec<&str> = scan
        .findings
        .iter()
        .map(|d| d.finding.location.path.as_str())
        .collect();
    files.dedup();
    let count = |s: Severity| {
        scan.findings
            .iter()
            .filter(|d| d.finding.severity == s)
            .count()
    };
    let by_sev: Vec<String> = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .iter()
    .filter(|s| count(**s) > 0)
    .map(|s| format!("{} {}", count(*s), s))
    .collect();
    let past_due = scan
        .findings
        .iter()
        .filter(|d| {
            d.finding
                .deadline
                .as_ref()
                .is_some_and(|x| x.status == DeadlineStatus::PastDue)
        })
        .count();
    let st = if report.verdict.failed {
        severity_style(Severity::High)
    } else {
        Style::new().fg_color(Some(AnsiColor::Green.into())).bold()
    };
    write!(
        out,
        "{st}{} finding{}{st:#}",
        scan.findings.len(),
        if scan.findings.len() == 1 { "" } else { "s" }
    )?;
    if !by_sev.is_empty() {
        write!(out, " ({})", by_sev.join(", "))?;
    }
    write!(
        out,
        " in {} file{}",
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    )?;
    if past_due > 0 {
        write!(out, ", {past_due} past due")?;
    }
    writeln!(
        out,
        "; {} suppressed; {} file{} scanned, {} skipped ({} binary, {} too large{}), {} error{}; today {}; gate (--fail-on {}): {}",
        scan.suppressed.len(),
        scan.stats.files_scanned,
        if scan.stats.files_scanned == 1 {
            ""
        } else {
            "s"
        },
        scan.stats.skipped_binary + scan.stats.skipped_too_large + scan.skipped_other(),
        scan.stats.skipped_binary,
        scan.stats.skipped_too_large,
        match scan.skipped_other() {
            0 => String::new(),
            n => format!(", {n} other"),
        },
        scan.errors.len(),
        if scan.errors.len() == 1 { "" } else { "s" },
        report.today,
        report.gate.name(),
        report.verdict.text(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn wrap_keeps_every_word() {
        let text = "Replace the exchange with one request, e.g. a POST to /ims/token/v3 with grant_type=client_credentials.";
        let lines = super::wrap(text, 30);
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        assert_eq!(
            super::first_sentence("One e.g. two. Three."),
            "One e.g. two."
        );
    }
}
