//! Manifests: the generic JWT library a hand-rolled exchange signed with
//! (PyJWT, jsonwebtoken, jsrsasign, jose, firebase/php-jwt, golang-jwt,
//! ruby-jwt, jjwt) is dropped from requirements files, pyproject.toml,
//! setup.py, setup.cfg, Pipfile, package.json, composer.json, go.mod, a
//! Gemfile, pom.xml and build.gradle(.kts), but only where no source file
//! of the manifest's project imports it any more in its fixed text. The
//! planner ([`super::plan`]) runs this after the code rewrites and gives it
//! that answer; a library something still imports (the program's own
//! session tokens, or an exchange left unrewritten, which has its own
//! manual step) stays without a word. Removals take whole lines where the
//! entry has its line to itself, else just the list element and its comma.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use regex::Regex;

use super::text::{line_of, splice};
use super::{Attempt, FixCtx};

mod entries;
mod python;

/// The package ecosystem of a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ecosystem {
    Python,
    Npm,
    Composer,
    Go,
    Gem,
    Maven,
    Gradle,
}

impl Ecosystem {
    /// The ecosystem of a manifest, by its file name.
    pub fn of_manifest(path: &str) -> Option<Self> {
        let name = path.rsplit('/').next().unwrap_or(path);
        Some(match name {
            "package.json" => Self::Npm,
            "composer.json" => Self::Composer,
            "go.mod" => Self::Go,
            "Gemfile" => Self::Gem,
            "pom.xml" => Self::Maven,
            "build.gradle" | "build.gradle.kts" => Self::Gradle,
            "pyproject.toml" | "setup.py" | "setup.cfg" | "Pipfile" => Self::Python,
            _ if name.ends_with(".txt")
                && (name.contains("requirements")
                    || name.starts_with("constraints")
                    || path.contains("requirements/")) =>
            {
                Self::Python
            }
            _ => return None,
        })
    }

    /// The fix's template that names this ecosystem's libraries.
    fn template(self) -> &'static str {
        match self {
            Self::Python => "python",
            Self::Npm => "npm",
            Self::Composer => "composer",
            Self::Go => "go",
            Self::Gem => "gem",
            Self::Maven | Self::Gradle => "maven",
        }
    }

    /// Whether a file of this name is source code that can import the
    /// ecosystem's libraries (not a build file).
    pub fn is_source(self, path: &str) -> bool {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        match self {
            Self::Python => matches!(ext, "py" | "pyw" | "pyi" | "ipynb"),
            Self::Npm => matches!(
                ext,
                "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" | "vue" | "svelte"
            ),
            Self::Composer => matches!(ext, "php" | "phtml" | "inc"),
            Self::Go => ext == "go",
            Self::Gem => matches!(ext, "rb" | "rake" | "ru" | "erb") || name == "Rakefile",
            Self::Maven | Self::Gradle => {
                matches!(ext, "java" | "kt" | "kts" | "groovy" | "scala")
                    && !name.starts_with("build.gradle")
                    && !name.starts_with("settings.gradle")
            }
        }
    }

    /// What to run once the manifest lost a dependency, if its lock file
    /// (when the project has one) would still list it.
    fn lock_step(self, path: &str) -> Option<&'static str> {
        let name = path.rsplit('/').next().unwrap_or(path);
        match self {
            Self::Npm => Some(super::package_json::LOCKFILE_STEP),
            Self::Composer => Some("run composer update to update composer.lock"),
            Self::Go => Some("run go mod tidy to update go.sum"),
            Self::Gem => Some("run bundle install to update Gemfile.lock"),
            Self::Python if name == "Pipfile" => Some("run pipenv lock to update Pipfile.lock"),
            Self::Python if name == "pyproject.toml" => {
                Some("update the lock file if the project has one (poetry lock, uv lock, pdm lock)")
            }
            Self::Python | Self::Maven | Self::Gradle => None,
        }
    }
}

/// The module a Python distribution is imported as.
fn python_module(dist: &str) -> String {
    match python::normalise(dist).as_str() {
        "pyjwt" | "jwt" => "jwt".to_string(),
        other => other.replace('-', "_"),
    }
}

/// Whether `text`, a source file of `eco` ([`Ecosystem::is_source`]),
/// imports `library`. Comments are not told apart: a mention there keeps
/// the dependency, the safe side.
pub fn imports(eco: Ecosystem, library: &str, text: &str) -> bool {
    Import::of(eco, library).is_in(text)
}

/// What an import of one library looks like in source text.
pub enum Import {
    Pattern(Regex),
    /// A library this code cannot map to its imports: always in use.
    Unknown,
}

impl Import {
    pub fn is_in(&self, text: &str) -> bool {
        match self {
            Self::Pattern(re) => re.is_match(text),
            Self::Unknown => true,
        }
    }

    /// The import of `library` in `eco`'s sources.
    pub fn of(eco: Ecosystem, library: &str) -> Self {
        let q = regex::escape;
        let pattern = match eco {
            Ecosystem::Python => {
                let m = q(&python_module(library));
                // `import jwt`, `import jwt.algorithms`, `import os, jwt as
                // pyjwt`, `from jwt import ...`, `from jwt.algorithms import
                // ...`, after a `;`, in a notebook's JSON string,
                // `importlib.import_module("jwt")`, `__import__("jwt")`
                format!(
                    r#"(?m)(?:^|;)[ \t]*(?:import[ \t]+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*)*{m}\b|from[ \t]+{m}(?:\.[\w.]+)?[ \t]+import\b)|"[ \t]*(?:import|from) {m}\b|(?:import_module|__import__)\(\s*['"]{m}[.'"]"#
                )
            }
            Ecosystem::Npm => {
                let m = q(library);
                // Any string naming the package: `require`, `import`,
                // `export ... from`, `jest.mock(...)`, `require.resolve(...)`.
                format!(r#"['"`]{m}(?:/[^'"`\s]*)?['"`]"#)
            }
            Ecosystem::Composer => match library {
                "firebase/php-jwt" => r"(?i)Firebase\\{1,2}JWT\b".to_string(),
                // A package this code cannot map to its namespace: kept.
                _ => return Self::Unknown,
            },
            Ecosystem::Go => format!(r#""{}(?:/[^"]*)?""#, q(library)),
            Ecosystem::Gem => {
                let m = q(library);
                let constant = if library == "jwt" {
                    // Bundler.require loads gems without a `require` line.
                    r"|\bJWT(?:\.|::)"
                } else {
                    ""
                };
                format!(r#"\brequire\s*\(?\s*['"]{m}['"]{constant}"#)
            }
            Ecosystem::Maven | Ecosystem::Gradle => format!(r"\b{}\.", q(library)),
        };
        Regex::new(&pattern).map_or(Self::Unknown, Self::Pattern)
    }
}

/// What the source files of one ecosystem in a project say about imports,
/// before and after the planned fix.
#[derive(Debug, Default)]
pub struct Sources {
    /// Every source file's text after the fix (the planned text of those
    /// the plan changes, the disk text of the others).
    after: Vec<String>,
    /// The disk text of the files the plan changes.
    changed_before: Vec<String>,
}

impl Sources {
    /// Whether the fix removed the last use of the library `import`
    /// recognises: a file the plan changes imported it, and no file imports
    /// it after the fix. A library no file was seen to import (a manifest
    /// serving code elsewhere, an import this code cannot read) is kept.
    pub fn last_use_removed(&self, import: &Import) -> bool {
        self.changed_before.iter().any(|t| import.is_in(t))
            && !self.after.iter().any(|t| import.is_in(t))
    }
}

/// The source files of `eco` under `dir` (a project root), dependency
/// directories and `.git` skipped; `fixed` holds (disk text, planned text)
/// of each file the plan changes, by path. `None` when any part of the tree
/// could not be read (a walk error; a source file too large, unreadable or
/// not UTF-8 that the plan does not change): then no library is dropped,
/// since an import nobody read may still need it.
pub fn project_sources(
    dir: &Path,
    eco: Ecosystem,
    fixed: &BTreeMap<PathBuf, (String, String)>,
) -> Option<Sources> {
    let mut out = Sources::default();
    for entry in super::tree::walker(&[dir.to_path_buf()]).build() {
        let entry = entry.ok()?;
        let p = entry.path();
        if !eco.is_source(&p.to_string_lossy()) {
            continue;
        }
        if let Some((before, after)) = fixed.get(p) {
            out.changed_before.push(before.clone());
            out.after.push(after.clone());
            continue;
        }
        // Follows a symlinked file (a directory link is not walked).
        let Ok(meta) = std::fs::metadata(p) else {
            return None;
        };
        if !meta.is_file() {
            continue;
        }
        if meta.len() >= 1 << 20 {
            return None;
        }
        out.after.push(std::fs::read_to_string(p).ok()?);
    }
    Some(out)
}

/// Drops the entries of the fix's libraries of the manifest's ecosystem
/// for which `unused(library)` holds.
pub fn fix(ctx: &FixCtx<'_>, text: &str, unused: &dyn Fn(&str) -> bool) -> Attempt {
    let Some(eco) = Ecosystem::of_manifest(ctx.path) else {
        return Attempt::NotApplicable;
    };
    let libraries: Vec<&str> = ctx.template(eco.template()).split_whitespace().collect();
    let edits = match eco {
        Ecosystem::Npm | Ecosystem::Composer => {
            let sections: &[&str] = if eco == Ecosystem::Npm {
                &[
                    "dependencies",
                    "devDependencies",
                    "optionalDependencies",
                    "peerDependencies",
                ]
            } else {
                &["require", "require-dev"]
            };
            let used = |lib: &str| !unused(lib);
            super::package_json::drop_members(text, sections, &libraries, &used)
                .map(|d| d.edits)
                .unwrap_or_default()
        }
        _ => {
            let ranges = match eco {
                Ecosystem::Python => python::entries(ctx.path, text, &libraries, unused),
                Ecosystem::Go => entries::go(text, &libraries, unused),
                Ecosystem::Gem => entries::gem(text, &libraries, unused),
                Ecosystem::Maven => entries::maven(text, &libraries, unused),
                _ => entries::gradle(text, &libraries, unused),
            };
            ranges.into_iter().map(|r| (r, String::new())).collect()
        }
    };
    let Some(first) = edits.iter().map(|(r, _)| r.start).min() else {
        return Attempt::NotApplicable;
    };
    let manual = eco
        .lock_step(ctx.path)
        .map(|s| {
            let line = if eco == Ecosystem::Npm {
                1
            } else {
                line_of(text, first)
            };
            vec![(line, s.to_string())]
        })
        .unwrap_or_default();
    Attempt::Rewritten {
        text: splice(text, edits),
        manual,
    }
}

/// The range of the whole line(s) `r` lies on when nothing but blanks (and
/// a trailing comma or comment) shares them, else `None`.
pub(super) fn whole_lines(text: &str, r: &Range<usize>) -> Option<Range<usize>> {
    let start = text[..r.start].rfind('\n').map_or(0, |i| i + 1);
    if !text[start..r.start].trim().is_empty() {
        return None;
    }
    let end = text[r.end..]
        .find('\n')
        .map_or(text.len(), |i| r.end + i + 1);
    let rest = text[r.end..end].trim();
    let rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    (rest.is_empty() || rest.starts_with('#') || rest.starts_with("//")).then_some(start..end)
}

/// The range that removes a list element at `r`: its whole line, else the
/// element with the comma after it (or before it, when it is the last).
pub(super) fn element(text: &str, r: &Range<usize>) -> Range<usize> {
    if let Some(l) = whole_lines(text, r) {
        return l;
    }
    let after = &text[r.end..];
    let trimmed = after.trim_start_matches([' ', '\t']);
    if let Some(rest) = trimmed.strip_prefix(',') {
        let skip = after.len() - rest.len();
        let ws = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        return r.start..r.end + skip + ws;
    }
    let before = text[..r.start].trim_end_matches([' ', '\t']);
    match before.strip_suffix(',') {
        Some(b) => b.len()..r.end,
        None => r.clone(),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::fix::testing::{rewritten, run};

    pub(in crate::fix::deps) const FIX: &str =
        include_str!("../../../rules/fixes/jwt-library-deps.yaml");

    pub(in crate::fix::deps) fn drop_all(path: &str, text: &str) -> String {
        rewritten(run(FIX, |c, t| fix(c, t, &|_| true), path, text, &[])).0
    }

    pub(in crate::fix::deps) fn keep_all(path: &str, text: &str) -> Attempt {
        run(FIX, |c, t| fix(c, t, &|_| false), path, text, &[])
    }

    #[test]
    fn json_manifests_go_mod_gemfile() {
        assert_eq!(
            drop_all(
                "package.json",
                "{\n  \"dependencies\": {\n    \"axios\": \"^1\",\n    \"jsonwebtoken\": \"^9.0.0\"\n  }\n}\n"
            ),
            "{\n  \"dependencies\": {\n    \"axios\": \"^1\"\n  }\n}\n"
        );
        assert_eq!(
            drop_all(
                "package.json",
                "{\n  \"dependencies\": {\n    \"jose\": \"^5\"\n  }\n}\n"
            ),
            "{\n  \"dependencies\": {}\n}\n"
        );
        assert_eq!(
            drop_all(
                "composer.json",
                "{\"require\": {\"firebase/php-jwt\": \"^6.0\", \"guzzlehttp/guzzle\": \"^7\"}}\n"
            ),
            "{\"require\": {\"guzzlehttp/guzzle\": \"^7\"}}\n"
        );
        let gomod = "module x\n\nrequire (\n\tgithub.com/golang-jwt/jwt/v5 v5.2.1\n\tgithub.com/golang-jwt/jwt/v4 v4.5.0 // indirect\n\tgithub.com/golang-jwt/jwtx v1.0.0\n)\n\nrequire github.com/dgrijalva/jwt-go v3.2.0+incompatible\n";
        assert_eq!(
            drop_all("go.mod", gomod),
            "module x\n\nrequire (\n\tgithub.com/golang-jwt/jwt/v4 v4.5.0 // indirect\n\tgithub.com/golang-jwt/jwtx v1.0.0\n)\n\n"
        );
        assert_eq!(
            drop_all(
                "Gemfile",
                "source 'https://rubygems.org'\ngem 'jwt', '~> 2.7'\ngem \"jwt-auth\"\n"
            ),
            "source 'https://rubygems.org'\ngem \"jwt-auth\"\n"
        );
    }

    #[test]
    fn maven_and_gradle() {
        let pom = "<dependencies>\n  <dependency>\n    <groupId>io.jsonwebtoken</groupId>\n    <artifactId>jjwt-api</artifactId>\n  </dependency>\n  <dependency>\n    <groupId>com.squareup.okhttp3</groupId>\n    <artifactId>okhttp</artifactId>\n  </dependency>\n</dependencies>\n";
        assert_eq!(
            drop_all("pom.xml", pom),
            "<dependencies>\n  <dependency>\n    <groupId>com.squareup.okhttp3</groupId>\n    <artifactId>okhttp</artifactId>\n  </dependency>\n</dependencies>\n"
        );
        let gradle = "dependencies {\n    implementation 'io.jsonwebtoken:jjwt-api:0.12.6'\n    runtimeOnly(\"io.jsonwebtoken:jjwt-impl:0.12.6\")\n    implementation 'com.squareup.okhttp3:okhttp:4.12.0'\n}\n";
        assert_eq!(
            drop_all("build.gradle.kts", gradle),
            "dependencies {\n    implementation 'com.squareup.okhttp3:okhttp:4.12.0'\n}\n"
        );
    }

    #[test]
    fn imports_per_language() {
        use Ecosystem::*;
        assert!(imports(Python, "PyJWT", "import os, jwt\n"));
        assert!(imports(
            Python,
            "PyJWT",
            "from jwt.algorithms import RSAAlgorithm\n"
        ));
        assert!(!imports(
            Python,
            "PyJWT",
            "import jwt_utils\nfrom myjwt import x\n"
        ));
        // Found in review: a submodule import, after `;`, in a notebook.
        assert!(imports(Python, "PyJWT", "import jwt.algorithms\n"));
        assert!(imports(Python, "PyJWT", "import os; import jwt\n"));
        assert!(imports(
            Python,
            "PyJWT",
            "\"source\": [\"    import jwt\\n\"]"
        ));
        assert!(imports(Npm, "jsonwebtoken", "jest.mock('jsonwebtoken');\n"));
        assert!(imports(Npm, "jose", "import { SignJWT } from 'jose';\n"));
        assert!(imports(
            Npm,
            "jsonwebtoken",
            "const jwt = require(\"jsonwebtoken\");\n"
        ));
        assert!(!imports(Npm, "jose", "const j = require('jose-lite');\n"));
        assert!(imports(
            Composer,
            "firebase/php-jwt",
            "use Firebase\\JWT\\JWT;\n"
        ));
        assert!(imports(
            Go,
            "github.com/golang-jwt/jwt",
            "import \"github.com/golang-jwt/jwt/v5\"\n"
        ));
        assert!(imports(
            Gem,
            "jwt",
            "token = JWT.encode(payload, key, 'RS256')\n"
        ));
        assert!(!imports(Gem, "jwt", "require 'net/http'\n"));
        assert!(imports(
            Maven,
            "io.jsonwebtoken",
            "import io.jsonwebtoken.Jwts;\n"
        ));
        assert!(!Maven.is_source("build.gradle.kts"));
    }
}
