//! Python manifests: requirements files and setup.cfg (a requirement a
//! line), pyproject.toml and Pipfile (Poetry's and Pipfile's dependency
//! tables; requirement strings in the lists of `dependencies`,
//! `optional-dependencies`, `dependency-groups`), setup.py (the strings of
//! `install_requires`, `extras_require` and the like). Names compare after
//! PEP 503 normalisation.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::element;

/// PEP 503 normalisation of a Python distribution name.
pub(super) fn normalise(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// A line of a requirements file or of setup.cfg's `install_requires`:
/// its name, then extras, a specifier, a marker, a URL or the end.
static REQUIREMENT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)^[ \t]*([A-Za-z0-9][A-Za-z0-9._-]*)[ \t]*(?:\[|===?|>=|<=|~=|!=|<|>|;|@|#|\r?$)[^\n]*\n?",
    )
    .expect("static regex")
});

/// A quoted requirement string: `"PyJWT>=2.8"`, `'jwt'`.
static REQUIREMENT_STRING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""([A-Za-z0-9][A-Za-z0-9._-]*)[ \t]*(?:[\[<>=~!;@][^"\n]*)?"|'([A-Za-z0-9][A-Za-z0-9._-]*)[ \t]*(?:[\[<>=~!;@][^'\n]*)?'"#)
        .expect("static regex")
});

/// A TOML key line (`pyjwt = "^2.8"`, `"PyJWT" = {version = "*"}`) or a
/// table header.
static TOML_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*(?:\[([^\]\n]*)\]|"?([A-Za-z0-9][A-Za-z0-9._-]*)"?[ \t]*=)[^\n]*\n?"#)
        .expect("static regex")
});

/// A TOML table whose keys are distributions: Poetry's dependency tables
/// (`tool.poetry.dependencies`, `tool.poetry.group.dev.dependencies`) and
/// Pipfile's `packages`; not `project.optional-dependencies` or
/// `dependency-groups`, whose keys name extras and groups.
fn dependency_table(table: &str) -> bool {
    (table.starts_with("tool.poetry") && table.ends_with("dependencies"))
        || table == "packages"
        || table == "dev-packages"
}

/// Keys whose lists (or, for extras, whose dict's lists) hold
/// requirements: setup.py's arguments, pyproject's `dependencies`,
/// `optional-dependencies`, `dependency-groups` and `requires`.
const REQUIREMENT_KEYS: &[&str] = &[
    "install_requires",
    "setup_requires",
    "tests_require",
    "extras_require",
    "dependencies",
    "optional-dependencies",
    "dependency-groups",
    "requires",
];

/// Whether the string at `at` stands in a requirements list: one of the
/// brackets around it follows a [`REQUIREMENT_KEYS`] key, or the TOML
/// table it is in is one (`[project.optional-dependencies]`).
fn in_requirements(text: &str, at: usize) -> bool {
    let before = &text[..at];
    let table = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && !l.contains('='))
        .unwrap_or("");
    if ["[project.optional-dependencies]", "[dependency-groups]"].contains(&table) {
        return true;
    }
    let b = before.as_bytes();
    let mut depth = 0usize;
    for i in (0..b.len()).rev() {
        match b[i] {
            b']' | b'}' | b')' => depth += 1,
            b'[' | b'{' | b'(' if depth > 0 => depth -= 1,
            b'[' | b'{' | b'(' => {
                let head = before[..i].trim_end();
                let head = head.trim_end_matches(['=', ':']).trim_end();
                let key = head
                    .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .next()
                    .unwrap_or("");
                if REQUIREMENT_KEYS.contains(&key) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

pub(super) fn entries(
    path: &str,
    text: &str,
    libraries: &[&str],
    unused: &dyn Fn(&str) -> bool,
) -> Vec<Range<usize>> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let wanted = |n: &str| {
        let n = normalise(n);
        libraries
            .iter()
            .find(|l| normalise(l) == n)
            .is_some_and(|l| unused(l))
    };
    let mut out = Vec::new();
    match name {
        "pyproject.toml" | "Pipfile" | "setup.py" => {
            let mut table = String::new();
            if name != "setup.py" {
                for c in TOML_LINE.captures_iter(text) {
                    if let Some(h) = c.get(1) {
                        table = h.as_str().trim().to_ascii_lowercase();
                    } else if let (Some(whole), Some(key)) = (c.get(0), c.get(2))
                        && dependency_table(&table)
                        && wanted(key.as_str())
                        && closed_on_its_line(whole.as_str())
                    {
                        out.push(whole.range());
                    }
                }
            }
            for c in REQUIREMENT_STRING.captures_iter(text) {
                let (Some(whole), Some(n)) = (c.get(0), c.get(1).or_else(|| c.get(2))) else {
                    continue;
                };
                // A list element, not a value (`name = "pyjwt"`), of a
                // requirements list (not `keywords = ["jwt"]`).
                let prev = text[..whole.start()].trim_end().chars().last();
                if matches!(prev, Some('[' | '(' | ','))
                    && wanted(n.as_str())
                    && in_requirements(text, whole.start())
                {
                    let r = element(text, &whole.range());
                    if !out
                        .iter()
                        .any(|o: &Range<usize>| o.start < r.end && r.start < o.end)
                    {
                        out.push(r);
                    }
                }
            }
        }
        _ => {
            // requirements files; setup.cfg's indented requirement lines
            // (its `key = value` lines have a lone `=`, which no
            // specifier is).
            for c in REQUIREMENT_LINE.captures_iter(text) {
                let (Some(whole), Some(n)) = (c.get(0), c.get(1)) else {
                    continue;
                };
                if name == "setup.cfg"
                    && !(whole.as_str().starts_with([' ', '\t'])
                        && setup_cfg_requirement(text, whole.start()))
                {
                    continue;
                }
                if wanted(n.as_str()) {
                    let mut end = whole.end();
                    // A `\` continuation (`--hash=...` lines) goes with it.
                    while text[..end].trim_end_matches(['\n', '\r']).ends_with('\\') {
                        end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
                        if end == text.len() {
                            break;
                        }
                    }
                    out.push(whole.start()..end);
                }
            }
        }
    }
    out
}

/// Whether a TOML key line's value ends on it: a multi-line array or table
/// (`pyjwt = [\n  {version = "^1.7", python = "<3.7"},\n]`) is left whole
/// rather than cut after its first line.
fn closed_on_its_line(line: &str) -> bool {
    let value = line.split_once('=').map_or("", |(_, v)| v);
    let opens = value.matches(['[', '{']).count();
    let closes = value.matches([']', '}']).count();
    opens <= closes
}

/// Whether the indented setup.cfg line at `at` continues a requirements
/// key (`install_requires`, `setup_requires`, `tests_require`) or sits in
/// `[options.extras_require]`, not `keywords =` or an isort list.
fn setup_cfg_requirement(text: &str, at: usize) -> bool {
    for line in text[..at].lines().rev() {
        let t = line.trim();
        if t.is_empty() || t.starts_with(['#', ';']) || line.starts_with([' ', '\t']) {
            continue;
        }
        if t.starts_with('[') {
            return t.eq_ignore_ascii_case("[options.extras_require]");
        }
        let key = t.split(['=', ':']).next().unwrap_or("").trim();
        return matches!(key, "install_requires" | "setup_requires" | "tests_require")
            || text[..at]
                .lines()
                .rev()
                .find(|l| l.trim_start().starts_with('['))
                .is_some_and(|h| h.trim().eq_ignore_ascii_case("[options.extras_require]"));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::tests::{drop_all, keep_all};
    use crate::fix::Attempt;

    #[test]
    fn requirements_lines_go_whole_with_their_continuations() {
        let t = "requests==2.31\nPyJWT[crypto]==2.8.0 \\\n    --hash=sha256:abc\n# jwt\npyjwt-extras==1\nhttpx\n";
        assert_eq!(
            drop_all("svc/requirements.txt", t),
            "requests==2.31\n# jwt\npyjwt-extras==1\nhttpx\n"
        );
        assert!(matches!(
            keep_all("requirements.txt", t),
            Attempt::NotApplicable
        ));
    }

    #[test]
    fn pyproject_lists_and_tables() {
        let t = "[project]\nname = \"pyjwt\"\ndependencies = [\"requests\", \"PyJWT>=2\"]\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\npyjwt = {version = \"^2.8\", extras = [\"crypto\"]}\n[tool.other]\njwt = true\n";
        assert_eq!(
            drop_all("pyproject.toml", t),
            "[project]\nname = \"pyjwt\"\ndependencies = [\"requests\"]\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\n[tool.other]\njwt = true\n"
        );
        let extras = "[project.optional-dependencies]\njwt = [\"PyJWT>=2\", \"cryptography\"]\n";
        assert_eq!(
            drop_all("pyproject.toml", extras),
            "[project.optional-dependencies]\njwt = [\"cryptography\"]\n"
        );
        let multi = "dependencies = [\n    \"PyJWT>=2\",\n    \"requests\",\n]\n";
        assert_eq!(
            drop_all("pyproject.toml", multi),
            "dependencies = [\n    \"requests\",\n]\n"
        );
    }

    #[test]
    fn only_requirement_lists_lose_an_element() {
        let setup = "setup(\n    keywords=[\"jwt\", \"adobe\"],\n    install_requires=[\"jwt\"],\n    extras_require={\"sign\": [\"PyJWT>=2\"]},\n)\n";
        assert_eq!(
            drop_all("setup.py", setup),
            "setup(\n    keywords=[\"jwt\", \"adobe\"],\n    install_requires=[],\n    extras_require={\"sign\": []},\n)\n"
        );
        let pyproject = "[project]\nkeywords = [\"jwt\"]\ndependencies = [\"jwt\"]\n";
        assert_eq!(
            drop_all("pyproject.toml", pyproject),
            "[project]\nkeywords = [\"jwt\"]\ndependencies = []\n"
        );
    }

    #[test]
    fn declarations_that_are_not_requirements_stay() {
        // Found in review: setup.cfg's `keywords` list, a Poetry dependency
        // with constraints over several lines (cut after its first line, the
        // TOML no longer parsed).
        let drops_all = |path: &str, text: &str| {
            crate::fix::testing::run(
                super::super::tests::FIX,
                |c, t| super::super::fix(c, t, &|_| true),
                path,
                text,
                &[],
            )
        };
        let cfg = "[metadata]\nkeywords =\n    jwt\n    adobe\n";
        assert!(matches!(
            drops_all("setup.cfg", cfg),
            Attempt::NotApplicable
        ));
        let poetry = "[tool.poetry.dependencies]\npyjwt = [\n  {version = \"^1.7\", python = \"<3.7\"},\n  {version = \"^2.8\", python = \">=3.7\"},\n]\n";
        assert!(matches!(
            drops_all("pyproject.toml", poetry),
            Attempt::NotApplicable
        ));
    }

    #[test]
    fn setup_files_and_pipfile() {
        assert_eq!(
            drop_all(
                "setup.py",
                "setup(name=\"x\", install_requires=[\"jwt\", \"requests\"])\n"
            ),
            "setup(name=\"x\", install_requires=[\"requests\"])\n"
        );
        assert_eq!(
            drop_all(
                "setup.cfg",
                "[options]\ninstall_requires =\n    PyJWT>=2\n    requests\n[options.extras_require]\njwt = other\n"
            ),
            "[options]\ninstall_requires =\n    requests\n[options.extras_require]\njwt = other\n"
        );
        assert_eq!(
            drop_all("Pipfile", "[packages]\nrequests = \"*\"\npyjwt = \"*\"\n"),
            "[packages]\nrequests = \"*\"\n"
        );
    }
}
