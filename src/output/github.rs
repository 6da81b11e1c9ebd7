//! `--format github`: GitHub Actions workflow commands, one annotation per
//! finding (`::error file=...,line=...,col=...,endLine=...,endColumn=...,
//! title=...::message`), escaped as the runner expects. Findings at or
//! above `--fail-on` are errors, others warnings (informational OAuth
//! findings are notices). Suppressed findings are not annotated.

use std::io::{self, Write};

use super::Report;
use crate::finding::Severity;

/// Escapes a command's message (data).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Writes one workflow command per finding, then a notice with the summary.
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let scan = report.scan;
    for d in &scan.findings {
        let f = &d.finding;
        let l = &f.location;
        let command = if report.fails_gate(f) {
            "error"
        } else if f.severity == Severity::Info {
            "notice"
        } else {
            "warning"
        };
        let title = format!("{} ({}, {})", f.rule_id, f.severity, f.category);
        let mut message = f.message.clone();
        if let Some(dl) = &f.deadline {
            message.push_str(&format!(
                "\nDeadline {} ({}, {}).",
                dl.date,
                dl.status.as_str(),
                super::plan::days_text(dl)
            ));
        }
        if let Some(o) = report.notes.history.get(&f.fingerprint) {
            message.push_str(&format!("\nFirst committed in {}.", o.commit));
        }
        message.push_str(&format!("\nFix: {}", f.remediation));
        let mut props = format!(
            "file={},line={},col={},endLine={}",
            escape_property(&l.path),
            l.line,
            l.column,
            l.end_line
        );
        // endColumn only applies to a single-line range.
        if l.end_line == l.line {
            props.push_str(&format!(",endColumn={}", l.end_column));
        }
        props.push_str(&format!(",title={}", escape_property(&title)));
        writeln!(out, "::{command} {props}::{}", escape_data(&message))?;
    }
    for w in &scan.warnings {
        writeln!(
            out,
            "::warning file={},line={},title=jwt2oauth suppression::{}",
            escape_property(&w.path),
            w.line,
            escape_data(&w.message)
        )?;
    }
    for e in &scan.errors {
        writeln!(
            out,
            "::warning title=jwt2oauth could not scan a file::{}",
            escape_data(&format!("{}: {}", e.path, super::error_message(e)))
        )?;
    }
    writeln!(
        out,
        "::notice title=jwt2oauth::{}",
        escape_data(&format!(
            "{} finding(s), {} suppressed, {} credential(s); gate (--fail-on {}): {}",
            scan.findings.len(),
            scan.suppressed.len(),
            scan.groups.len(),
            report.gate.name(),
            report.verdict.text()
        ))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("50%\r\nok"), "50%25%0D%0Aok");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
