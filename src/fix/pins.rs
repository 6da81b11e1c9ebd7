//! Python dependency pins that only allow a JWT-only release
//! (`umapi-client<3`, `umapi-client==2.18`, `aanalytics2<0.4`, ...) in
//! requirements files, pyproject.toml, Pipfile and setup files: the version
//! specifier is raised to the fix's `umapi_client`/`aanalytics2` template
//! (`>=3.0`, `>=0.4.0`), keeping the name as written, extras, environment
//! markers, quotes and comments. Only specifiers that exclude every
//! OAuth-capable release change; the planner's rescan checks the result.

use std::sync::LazyLock;

use regex::Regex;

use super::template::render;
use super::{Attempt, FixCtx};

/// A requirement: name, optional extras, then its specifiers.
static PIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?im)(?-u:\b)(umapi[-_]client|aanalytics2)(\s*\[[^\]\n]*\])?(\s*)((?:(?:==|<=|~=|<|>=|>|!=)\s*[0-9][0-9a-z.*]*\s*,?\s*)+)",
    )
    .expect("static regex")
});

/// Whether a specifier list allows no release with OAuth Server-to-Server.
fn jwt_only(package: &str, spec: &str) -> bool {
    let first_ok: u64 = if package.starts_with("umapi") { 3 } else { 0 };
    let minor_ok: u64 = if package.starts_with("umapi") { 0 } else { 4 };
    spec.split(',').any(|s| {
        let s = s.trim();
        let (op, v) = ["==", "<=", "~=", "<"]
            .iter()
            .find_map(|op| s.strip_prefix(op).map(|v| (*op, v.trim())))
            .unwrap_or(("", ""));
        if op.is_empty() {
            return false;
        }
        let mut parts = v
            .split('.')
            .map(|p| p.trim_end_matches('*').parse::<u64>().unwrap_or(0));
        let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        let below = (major, minor) < (first_ok, minor_ok);
        let at = (major, minor) == (first_ok, minor_ok);
        below || (op == "<" && at)
    })
}

fn is_manifest(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    (name.contains("requirements") && name.ends_with(".txt"))
        || name.starts_with("constraints") && name.ends_with(".txt")
        || matches!(
            name,
            "pyproject.toml" | "Pipfile" | "setup.py" | "setup.cfg"
        )
        || path.contains("requirements/") && name.ends_with(".txt")
}

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    if !is_manifest(ctx.path) {
        return Attempt::NotApplicable;
    }
    let mut edits = Vec::new();
    let mut manual = Vec::new();
    for c in PIN.captures_iter(text) {
        let (Some(name), Some(spec)) = (c.get(1), c.get(4)) else {
            continue;
        };
        if !jwt_only(name.as_str(), spec.as_str()) {
            continue;
        }
        let template = if name.as_str().starts_with("umapi") {
            "umapi_client"
        } else {
            "aanalytics2"
        };
        let raw = spec.as_str();
        let kept_ws = &raw[raw.trim_end().len()..];
        let start = c.get(3).map_or(spec.start(), |m| m.start());
        edits.push((
            start..spec.end(),
            format!("{}{kept_ws}", render(ctx.template(template), &[]).trim()),
        ));
        manual.push((
            super::text::line_of(text, name.start()),
            format!(
                "{} raised to {} for OAuth Server-to-Server: reinstall, then migrate its \
                 configuration (umapi-client: OAuthS2S; aanalytics2: the OAuth config file)",
                name.as_str(),
                render(ctx.template(template), &[]).trim()
            ),
        ));
    }
    if edits.is_empty() {
        return Attempt::NotApplicable;
    }
    Attempt::Rewritten {
        text: super::text::splice(text, edits),
        manual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_jwt_only_specifiers_count() {
        assert!(jwt_only("umapi-client", "==2.18"));
        assert!(jwt_only("umapi-client", "<3"));
        assert!(jwt_only("umapi-client", ">=2,<3.0"));
        assert!(!jwt_only("umapi-client", ">=3.0"));
        assert!(!jwt_only("umapi-client", "<4"));
        assert!(jwt_only("aanalytics2", "<0.4"));
        assert!(jwt_only("aanalytics2", "==0.3.2"));
        assert!(!jwt_only("aanalytics2", "==0.4.2"));
    }
}
