//! A rule's documentation in Markdown, as `rules explain` prints it and
//! SARIF carries it as each rule's `help`.

use super::RuleSet;

/// A rule's documentation in Markdown (also used for SARIF help).
pub fn explain(set: &RuleSet, id: &str) -> String {
    let Some(rule) = set.get(id) else {
        return String::new();
    };
    let s = &rule.spec;
    let mut out = format!("# {}: {}\n\n", s.id, s.title.trim());
    out.push_str(&format!(
        "Category: {}  \nSeverity: {}  \nConfidence: {}  \n",
        s.category,
        s.severity,
        s.confidence.as_str()
    ));
    match s
        .deadline
        .as_deref()
        .and_then(|d| set.deadlines.get(d).map(|x| (d, x)))
    {
        Some((id, d)) => out.push_str(&format!(
            "Deadline: {} ({id}: {}; source {}, checked {})\n",
            d.date,
            d.title.trim(),
            d.source,
            d.checked
        )),
        None => out.push_str("Deadline: none (informational)\n"),
    }
    out.push_str(&format!("\n## What it does\n\n{}\n", s.docs.what.trim()));
    out.push_str(&format!("\n## Why it matters\n\n{}\n", s.docs.why.trim()));
    if let Some(e) = &s.docs.example {
        out.push_str(&format!("\n## Example\n\n```\n{}\n```\n", e.trim_end()));
    }
    out.push_str(&format!("\n## Use instead\n\n{}\n", s.remediation.trim()));
    if let Some(u) = &s.docs.use_instead {
        out.push_str(&format!("\n```\n{}\n```\n", u.trim_end()));
    }
    if let Some(langs) = s
        .language_remediation
        .as_deref()
        .and_then(|r| set.remediations.get(r))
    {
        out.push_str("\n## Replacement by language\n\n");
        for advice in langs.values() {
            out.push_str(&format!("- {}\n", advice.trim()));
        }
    }
    if !s.references.is_empty() {
        out.push_str("\n## References\n\n");
        for r in &s.references {
            out.push_str(&format!("- {r}\n"));
        }
    }
    out
}
