//! The safe fixes of a tree as SARIF `fixes` (SARIF 2.1.0 §3.55): `scan
//! --format sarif` runs the same planner as `fix` (safe fixes only) and
//! gives each result in a changed file the change of the fixes that remove
//! its rule, as replacements of character ranges of the file as scanned.
//! Inserted text is redacted like the diff (client secrets masked, key
//! lines replaced).

use std::collections::BTreeMap;
use std::path::PathBuf;

use similar::{DiffOp, TextDiff};

use super::catalog::Catalog;
use super::plan::{Options, Plan, plan_report};
use crate::engine::Engine;
use crate::rules::RuleSet;
use crate::scan::ScanReport;

/// One replacement: `char_length` characters from `char_offset` of the
/// file as scanned become `inserted`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub char_offset: usize,
    pub char_length: usize,
    pub inserted: String,
}

/// The safe change of one file, for the results of the rules it fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFix {
    pub description: String,
    pub rules: Vec<String>,
    pub replacements: Vec<Replacement>,
}

/// The safe fixes for the findings of `report` (a scan of `paths`, its
/// paths not yet prefixed), by reported path: planned from the scan's own
/// report, so the tree is not scanned twice. Empty when no plan can be
/// made: the scan itself does not depend on them.
pub fn safe_fixes(
    paths: &[PathBuf],
    report: &ScanReport,
    rules: &RuleSet,
    engine: &Engine<'_>,
    catalog: &Catalog,
) -> BTreeMap<String, Vec<FileFix>> {
    let opts = Options {
        paths: paths.to_vec(),
        unsafe_fixes: false,
        scopes: Vec::new(),
    };
    plan_report(&opts, rules, engine, catalog, report)
        .map_or_else(|_| BTreeMap::new(), |p| from_plan(&p, catalog))
}

/// The plan's changes as SARIF fixes.
pub fn from_plan(plan: &Plan, catalog: &Catalog) -> BTreeMap<String, Vec<FileFix>> {
    let mut out = BTreeMap::new();
    for c in &plan.changes {
        let specs: Vec<_> = c.fixes.iter().filter_map(|id| catalog.get(id)).collect();
        let mut rules: Vec<String> = specs
            .iter()
            .flat_map(|s| s.fixes_rules.iter().cloned())
            .collect();
        rules.sort();
        rules.dedup();
        let titles: Vec<&str> = specs.iter().map(|s| s.title.trim()).collect();
        out.insert(
            c.path.clone(),
            vec![FileFix {
                description: format!(
                    "jwt2oauth fix ({}): {}",
                    c.fixes.join(", "),
                    titles.join("; ")
                ),
                rules,
                replacements: replacements(&c.before, &c.after),
            }],
        );
    }
    out
}

/// The line-level replacements that turn `before` into `after`, inserted
/// text redacted line by line as in the diff.
pub fn replacements(before: &str, after: &str) -> Vec<Replacement> {
    let diff = TextDiff::from_lines(before, after);
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    // Character offset of each old line start (and of the end).
    let mut starts = Vec::with_capacity(old.len() + 1);
    let mut at = 0;
    for l in &old {
        starts.push(at);
        at += l.chars().count();
    }
    starts.push(at);
    let mut redactor = super::diff::LineRedactor::default();
    let mut out: Vec<Replacement> = Vec::new();
    for op in diff.ops() {
        if let DiffOp::Equal { old_index, len, .. } = op {
            // Keep the key-block state in step with the lines shown.
            for l in old.iter().skip(*old_index).take(*len) {
                redactor.redact(l);
            }
            continue;
        }
        let (o, n) = (op.old_range(), op.new_range());
        let inserted: String = new
            .get(n.clone())
            .unwrap_or_default()
            .iter()
            .map(|l| {
                let body = l.trim_end_matches(['\n', '\r']);
                format!("{}{}", redactor.redact(body), &l[body.len()..])
            })
            .collect();
        let offset = starts.get(o.start).copied().unwrap_or(at);
        let end = starts.get(o.end).copied().unwrap_or(at);
        match out.last_mut() {
            Some(prev) if prev.char_offset + prev.char_length == offset => {
                prev.char_length += end - offset;
                prev.inserted.push_str(&inserted);
            }
            _ => out.push(Replacement {
                char_offset: offset,
                char_length: end - offset,
                inserted,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacements_cover_changed_lines_and_redact_secrets() {
        let before = "a\nCLIENT_SECRET=p8e-Zq3xV9LmT2rW8yN4bK6cH1dF5gJ7sP0a\nc\n";
        let after = "a\nCLIENT_SECRETS=[\"p8e-Zq3xV9LmT2rW8yN4bK6cH1dF5gJ7sP0a\"]\nX\nc\n";
        let r = replacements(before, after);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].char_offset, 2);
        assert_eq!(
            r[0].char_length,
            before.lines().nth(1).map_or(0, |l| l.len() + 1)
        );
        assert!(!r[0].inserted.contains("Zq3xV9"), "{r:?}");
        assert!(r[0].inserted.ends_with("X\n"), "{r:?}");
    }
}
