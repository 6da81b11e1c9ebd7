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
    let packages: Vec<&str> = ctx.template("packages").split_whitespace().collect();
    let Some(Dropped { edits, kept }) = drop_members(text, &SECTIONS, &packages, still_needed)
    else {
        return Attempt::NotApplicable;
    };
    let notes: Vec<(u32, String)> = kept
        .into_iter()
        .map(|(line, key)| {
            (
                line,
                format!("{key} stays: code under this package still uses it (rerun with --unsafe, or migrate it by hand)"),
            )
        })
        .collect();
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
        manual: vec![(1, LOCKFILE_STEP.into())],
        text: new,
    }
}

/// The step after a package.json lost a dependency.
pub const LOCKFILE_STEP: &str = "run npm install (or your package manager) to update the lockfile";

/// What [`drop_members`] makes of a manifest.
pub struct Dropped {
    /// Byte ranges to remove, as [`splice`] takes them.
    pub edits: Vec<(std::ops::Range<usize>, String)>,
    /// The (line, name) of the members kept.
    pub kept: Vec<(u32, String)>,
}

/// The edits that remove the members named in `packages` from the objects
/// `sections` of a JSON manifest (package.json, composer.json), keeping the
/// layout, and the (line, name) of those kept because `still_needed` says
/// so. `None` when the text is not JSON.
pub fn drop_members(
    text: &str,
    sections: &[&str],
    packages: &[&str],
    still_needed: &dyn Fn(&str) -> bool,
) -> Option<Dropped> {
    let root = jsonspan::parse(text).ok()?;
    let mut edits = Vec::new();
    let mut kept = Vec::new();
    for section in sections {
        let Some(obj) = root.get(section) else {
            continue;
        };
        let mut remove = Vec::new();
        for (i, m) in obj.members().iter().enumerate() {
            if !packages.contains(&m.key.as_str()) {
                continue;
            }
            if still_needed(&m.key) {
                kept.push((line_of(text, m.key_span.start), m.key.clone()));
            } else {
                remove.push(i);
            }
        }
        if !remove.is_empty() && remove.len() == obj.members().len() {
            // All of them: `{}`, not a line of blanks between the braces.
            edits.push((obj.span.start + 1..obj.span.end - 1, String::new()));
            continue;
        }
        for r in jsonspan::remove_members(obj, &remove) {
            edits.push((r, String::new()));
        }
    }
    Some(Dropped { edits, kept })
}
