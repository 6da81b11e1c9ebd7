//! package.json: Adobe's JWT libraries (`@adobe/jwt-auth`,
//! `@adobe/aio-lib-ims-jwt`) are dropped from every dependency section, but
//! only when the planner says no code under the package still needs them.

use super::jsonspan;
use super::text::{line_of, splice};
use super::{Attempt, FixCtx};

const SECTIONS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
];

/// `still_needed(pkg)`: whether code under this package.json still uses `pkg`.
pub fn fix(ctx: &FixCtx<'_>, text: &str, still_needed: &dyn Fn(&str) -> bool) -> Attempt {
    if ctx.path.rsplit('/').next() != Some("package.json") {
        return Attempt::NotApplicable;
    }
    let Ok(root) = jsonspan::parse(text) else {
        return Attempt::NotApplicable;
    };
    let packages: Vec<&str> = ctx.template("packages").split_whitespace().collect();
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    for section in SECTIONS {
        let Some(obj) = root.get(section) else {
            continue;
        };
        let mut remove = Vec::new();
        for (i, m) in obj.members().iter().enumerate() {
            if !packages.contains(&m.key.as_str()) {
                continue;
            }
            if still_needed(&m.key) {
                notes.push((
                    line_of(text, m.key_span.start),
                    format!("{} stays: code under this package still uses it (rerun with --unsafe, or migrate it by hand)", m.key),
                ));
            } else {
                remove.push(i);
            }
        }
        for r in jsonspan::remove_members(obj, &remove) {
            edits.push((r, String::new()));
        }
    }
    if edits.is_empty() {
        return if notes.is_empty() {
            Attempt::NotApplicable
        } else {
            Attempt::Rewritten {
                text: text.to_string(),
                manual: notes,
            }
        };
    }
    let new = splice(text, edits);
    Attempt::Rewritten {
        manual: vec![(
            1,
            "run npm install (or your package manager) to update the lockfile".into(),
        )],
        text: new,
    }
}
