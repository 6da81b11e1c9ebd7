//! The rule reference (docs/rules.md), generated from the rule files so it
//! cannot drift from them: a test compares the file with this output.

use std::fmt::Write;

use super::RuleSet;
use super::model::RuleSpec;

/// The Markdown reference of every rule in `set`.
pub fn markdown(set: &RuleSet) -> String {
    let mut s = String::new();
    s.push_str("# Rule reference\n\n");
    s.push_str(
        "Generated from `rules/*.yaml` (`JWT2OAUTH_UPDATE_DOCS=1 cargo test --test it \
         rules::rule_reference_is_fresh` rewrites it; the test fails when it is stale). \
         `jwt2oauth rules explain ID` shows the same for one rule.\n\n",
    );
    s.push_str("| rule | category | severity | deadline |\n|---|---|---|---|\n");
    for r in &set.rules {
        let spec = &r.spec;
        let _ = writeln!(
            s,
            "| [`{}`](#{}) | `{}` | {} | {} |",
            spec.id,
            spec.id,
            spec.category,
            spec.severity.as_str(),
            spec.deadline.as_deref().unwrap_or("none")
        );
    }
    for r in &set.rules {
        rule(&mut s, &r.spec, set);
    }
    s
}

fn rule(s: &mut String, spec: &RuleSpec, set: &RuleSet) {
    let one = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let _ = writeln!(s, "\n## {}\n\n**{}**\n", spec.id, one(&spec.title));
    let _ = write!(
        s,
        "Category `{}`, severity {}, confidence {}",
        spec.category,
        spec.severity.as_str(),
        spec.confidence.as_str()
    );
    if let Some(d) = spec.deadline.as_deref() {
        match set.deadlines.get(d) {
            Some(dl) => {
                let _ = write!(s, ", deadline `{d}` ({})", dl.date);
            }
            None => {
                let _ = write!(s, ", deadline `{d}`");
            }
        }
    }
    s.push_str(".\n\n");
    let f = &spec.files;
    let list = |v: &[String]| {
        v.iter()
            .map(|x| format!("`{x}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !f.languages.is_empty() || !f.include.is_empty() || !f.exclude.is_empty() {
        let mut parts = Vec::new();
        if !f.languages.is_empty() {
            parts.push(format!("languages {}", list(&f.languages)));
        }
        if !f.include.is_empty() {
            parts.push(format!("files {}", list(&f.include)));
        }
        if !f.exclude.is_empty() {
            parts.push(format!("not {}", list(&f.exclude)));
        }
        let _ = writeln!(s, "Applies to: {}.\n", parts.join("; "));
    }
    if !spec.needs.in_file.is_empty() {
        let cats: Vec<String> = spec
            .needs
            .in_file
            .iter()
            .map(|c| format!("`{c}`"))
            .collect();
        let _ = writeln!(
            s,
            "Reported only in a file that also has a {} finding.\n",
            cats.join(" or ")
        );
    }
    if !spec.needs.in_project.is_empty() {
        let cats: Vec<String> = spec
            .needs
            .in_project
            .iter()
            .map(|c| format!("`{c}`"))
            .collect();
        let _ = writeln!(
            s,
            "Reported only when a file under its directory or its project (the nearest directory with a manifest or `.git`) has a {} finding.\n",
            cats.join(" or ")
        );
    }
    let _ = writeln!(s, "**What it finds.** {}\n", one(&spec.docs.what));
    let _ = writeln!(s, "**Why it matters.** {}\n", one(&spec.docs.why));
    if let Some(ex) = &spec.docs.example {
        let _ = writeln!(s, "**Example.**\n\n```\n{}\n```\n", ex.trim_end());
    }
    if let Some(u) = &spec.docs.use_instead {
        let _ = writeln!(s, "**Use instead.**\n\n```\n{}\n```\n", u.trim_end());
    }
    let _ = writeln!(s, "**Remediation.** {}\n", one(&spec.remediation));
    if !spec.references.is_empty() {
        s.push_str("References:\n");
        for r in &spec.references {
            let _ = writeln!(s, "- {r}");
        }
    }
}
