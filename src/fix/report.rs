//! `fix --format json`: the plan as data, for editors and bots. Version 1.
//! Each change carries its redacted unified diff and the fixes that made
//! it, never the new text itself (it may hold the file's secrets).

use serde::Serialize;

use super::ManualStep;
use super::plan::{HeldBack, Plan};

#[derive(Serialize)]
struct Change<'a> {
    path: &'a str,
    fixes: &'a [String],
    safety: super::Safety,
    diff: String,
}

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    written: bool,
    scopes: &'a super::scopes::Source,
    changes: Vec<Change<'a>>,
    manual_steps: &'a [ManualStep],
    held_back: &'a [HeldBack],
    errors: &'a [String],
}

/// The JSON document for a plan (`written`: whether --write applied it).
pub fn json(plan: &Plan, written: bool) -> String {
    let report = Report {
        version: 1,
        written,
        scopes: &plan.scopes,
        changes: plan
            .changes
            .iter()
            .map(|c| Change {
                path: &c.path,
                fixes: &c.fixes,
                safety: c.safety,
                diff: super::diff::unified(&c.path, &c.before, &c.after, false),
            })
            .collect(),
        manual_steps: &plan.manual,
        held_back: &plan.held_back,
        errors: &plan.errors,
    };
    let text = serde_json::to_string_pretty(&report).unwrap_or_default();
    crate::redact::redact_text(&text).into_owned()
}
