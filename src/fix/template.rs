//! Rewrite templates: text with `{{name}}` placeholders. A line holding
//! nothing but a placeholder that expands to nothing is dropped, so optional
//! comments leave no blank line.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{([a-z_]+)\}\}").expect("static regex"));

/// The placeholder names a template uses.
pub fn placeholders(template: &str) -> BTreeSet<String> {
    PLACEHOLDER
        .captures_iter(template)
        .map(|c| c[1].to_string())
        .collect()
}

/// Expands `{{name}}` with `values` (unknown names expand to nothing; the
/// catalog lint refuses them beforehand).
pub fn render(template: &str, values: &[(&str, &str)]) -> String {
    let lookup = |name: &str| {
        values
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| *v)
    };
    let mut out = String::with_capacity(template.len());
    for line in template.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let expanded =
            PLACEHOLDER.replace_all(line, |c: &regex::Captures<'_>| lookup(&c[1]).to_string());
        // A line of placeholders (and indentation) that expands to nothing goes.
        let stripped = PLACEHOLDER.replace_all(body, "");
        if PLACEHOLDER.is_match(body) && stripped.trim().is_empty() && expanded.trim().is_empty() {
            continue;
        }
        out.push_str(&expanded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_drops_empty_placeholder_lines() {
        let t = "a {{x}}\n    {{note}}\n{{pad}}  {{note}}\nb\n";
        assert_eq!(render(t, &[("x", "1"), ("pad", "  ")]), "a 1\nb\n");
        assert_eq!(
            render(t, &[("x", "1"), ("note", "# n")]),
            "a 1\n    # n\n  # n\nb\n"
        );
        assert_eq!(
            placeholders(t).into_iter().collect::<Vec<_>>(),
            ["note", "pad", "x"]
        );
    }

    #[test]
    fn javascript_braces_are_not_placeholders() {
        let t = "fetch(`${ims}/x`, { a: {b: 1} })\n";
        assert_eq!(render(t, &[]), t);
        assert!(placeholders(t).is_empty());
    }
}
