//! `--format junit`: JUnit XML, which most CI systems show natively. One
//! test case per rule and file (classname = rule id, name = path): it fails
//! when a finding there is at or above `--fail-on`, is skipped when every
//! finding there is suppressed, and passes otherwise (findings below the
//! gate are listed in `system-out`). A rule without findings is one passing
//! case, so the suite lists every rule that ran.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::Report;
use crate::finding::Finding;

/// Escapes text for XML content and attribute values; drops characters XML
/// 1.0 cannot hold.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[derive(Default)]
struct Case<'a> {
    open: Vec<&'a Finding>,
    suppressed: Vec<(&'a Finding, String)>,
}

fn line(f: &Finding) -> String {
    let l = &f.location;
    let mut s = format!(
        "{}:{}:{} {} {}: {}",
        l.path, l.line, l.column, f.severity, f.rule_id, f.message
    );
    if let Some(d) = &f.deadline {
        s.push_str(&format!(" [{} {}]", d.status.as_str(), d.date));
    }
    s.push_str(&format!(
        "\n  code: {}\n  fix: {}",
        f.snippet, f.remediation
    ));
    s
}

/// Writes the report as one JUnit `testsuites` document.
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let scan = report.scan;
    let mut cases: BTreeMap<(&str, &str), Case<'_>> = BTreeMap::new();
    for d in &scan.findings {
        let f = &d.finding;
        cases
            .entry((f.rule_id.as_str(), f.location.path.as_str()))
            .or_default()
            .open
            .push(f);
    }
    for s in &scan.suppressed {
        let f = &s.finding;
        cases
            .entry((f.rule_id.as_str(), f.location.path.as_str()))
            .or_default()
            .suppressed
            .push((f, format!("{}: {}", s.kind.as_str(), s.reason)));
    }
    for r in &report.rules.rules {
        if !cases.keys().any(|(id, _)| *id == r.spec.id) {
            cases.insert((r.spec.id.as_str(), ""), Case::default());
        }
    }
    let failures = cases
        .values()
        .filter(|c| c.open.iter().any(|f| report.fails_gate(f)))
        .count();
    let skipped = cases
        .values()
        .filter(|c| c.open.is_empty() && !c.suppressed.is_empty())
        .count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="jwt2oauth" tests="{n}" failures="{failures}" errors="{e}" skipped="{skipped}">"#,
        n = cases.len() + scan.errors.len(),
        e = scan.errors.len(),
    )?;
    writeln!(
        out,
        r#"  <testsuite name="jwt2oauth scan (today {today}, --fail-on {fail_on})" tests="{n}" failures="{failures}" errors="{e}" skipped="{skipped}">"#,
        today = report.today,
        fail_on = xml_escape(report.gate.name()),
        n = cases.len() + scan.errors.len(),
        e = scan.errors.len(),
    )?;
    for ((rule, path), case) in &cases {
        let name = if path.is_empty() {
            "(no findings)"
        } else {
            path
        };
        write!(
            out,
            r#"    <testcase classname="{}" name="{}""#,
            xml_escape(rule),
            xml_escape(name)
        )?;
        if let Some(first) = case.open.first().or(case.suppressed.first().map(|s| &s.0)) {
            write!(
                out,
                r#" file="{}" line="{}""#,
                xml_escape(&first.location.path),
                first.location.line
            )?;
        }
        writeln!(out, ">")?;
        let failing: Vec<&&Finding> = case.open.iter().filter(|f| report.fails_gate(f)).collect();
        if let Some(first) = failing.first() {
            let body: Vec<String> = failing.iter().map(|f| line(f)).collect();
            writeln!(
                out,
                r#"      <failure message="{} finding{} at or above --fail-on {}: {}" type="{}">{}</failure>"#,
                failing.len(),
                if failing.len() == 1 { "" } else { "s" },
                xml_escape(report.gate.name()),
                xml_escape(&first.message),
                first.severity,
                xml_escape(&body.join("\n"))
            )?;
        } else if case.open.is_empty()
            && let Some((_, why)) = case.suppressed.first()
        {
            writeln!(out, r#"      <skipped message="{}"/>"#, xml_escape(why))?;
        }
        let below: Vec<String> = case
            .open
            .iter()
            .filter(|f| !report.fails_gate(f))
            .map(|f| line(f))
            .collect();
        if !below.is_empty() {
            writeln!(
                out,
                "      <system-out>{}</system-out>",
                xml_escape(&below.join("\n"))
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    for e in &scan.errors {
        writeln!(
            out,
            r#"    <testcase classname="scan" name="{}"><error message="{}"/></testcase>"#,
            xml_escape(&e.path),
            xml_escape(&super::error_message(e))
        )?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}\nd"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;d"
        );
    }
}
