//! go.mod, Gemfile, pom.xml and build.gradle(.kts): the entries of a
//! library, each a whole line (or a `<dependency>` element) to remove.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::whole_lines;

/// go.mod: `require MOD vX` lines and the lines of `require (...)` blocks,
/// for a module path or its `/vN` majors; `// indirect` ones stay (a
/// dependency needs them).
pub(super) fn go(
    text: &str,
    libraries: &[&str],
    unused: &dyn Fn(&str) -> bool,
) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut in_require = false;
    let mut at = 0;
    for line in crate::fix::text::lines(text) {
        let start = at;
        at += line.len();
        let body = line.trim();
        if in_require {
            if body.starts_with(')') {
                in_require = false;
                continue;
            }
        } else if body.starts_with("require") && body.trim_end_matches(['(', ' ']) == "require" {
            in_require = true;
            continue;
        }
        let spec = if in_require {
            body
        } else if let Some(rest) = body.strip_prefix("require ") {
            rest.trim()
        } else {
            continue;
        };
        if spec.contains("// indirect") {
            continue;
        }
        let module = spec.split_whitespace().next().unwrap_or("");
        let hit = libraries.iter().find(|l| {
            module == **l
                || module.strip_prefix(**l).is_some_and(|v| {
                    v.strip_prefix("/v")
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                })
        });
        if hit.is_some_and(|l| unused(l)) {
            out.push(start..at);
        }
    }
    out
}

static GEM_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*gem[ \t(]+['"]([^'"\n]+)['"][^\n]*\n?"#).expect("static regex")
});

/// Gemfile: `gem 'jwt', '~> 2.1'` lines (with any `,`-continued lines).
pub(super) fn gem(
    text: &str,
    libraries: &[&str],
    unused: &dyn Fn(&str) -> bool,
) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for c in GEM_LINE.captures_iter(text) {
        let (Some(whole), Some(n)) = (c.get(0), c.get(1)) else {
            continue;
        };
        if !libraries.contains(&n.as_str()) || !unused(n.as_str()) {
            continue;
        }
        let mut end = whole.end();
        while text[..end].trim_end().ends_with(',') && end < text.len() {
            end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
        }
        out.push(whole.start()..end);
    }
    out
}

static MAVEN_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<dependency>.*?</dependency>").expect("static regex"));

static MAVEN_GROUP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<groupId>\s*([^<\s]+)\s*</groupId>").expect("static regex"));

/// pom.xml: `<dependency>` elements of a library's group id.
pub(super) fn maven(
    text: &str,
    libraries: &[&str],
    unused: &dyn Fn(&str) -> bool,
) -> Vec<Range<usize>> {
    MAVEN_BLOCK
        .find_iter(text)
        .filter(|m| {
            MAVEN_GROUP
                .captures(m.as_str())
                .and_then(|c| c.get(1))
                .is_some_and(|g| libraries.contains(&g.as_str()) && unused(g.as_str()))
        })
        .map(|m| whole_lines(text, &m.range()).unwrap_or_else(|| m.range()))
        .collect()
}

static GRADLE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*\w+[ \t]*\(?[ \t]*(?:['"]([\w.-]+):[^'"\n]*['"]|group[ \t]*[:=][ \t]*['"]([\w.-]+)['"][^\n]*?)[ \t]*\)?[ \t]*(?://[^\n]*)?\r?(?:\n|$)"#)
        .expect("static regex")
});

/// build.gradle(.kts): one-line declarations of a library's group
/// (`implementation 'io.jsonwebtoken:jjwt-api:0.12.6'`,
/// `runtimeOnly("io.jsonwebtoken:jjwt-impl:0.12.6")`, `group: '...'`).
pub(super) fn gradle(
    text: &str,
    libraries: &[&str],
    unused: &dyn Fn(&str) -> bool,
) -> Vec<Range<usize>> {
    GRADLE_LINE
        .captures_iter(text)
        .filter_map(|c| {
            let g = c.get(1).or_else(|| c.get(2))?;
            let whole = c.get(0)?;
            // `exclude group: 'io.jsonwebtoken'` keeps a transitive copy
            // out: not a dependency to drop.
            let declares = !whole.as_str().trim_start().starts_with("exclude");
            (declares && libraries.contains(&g.as_str()) && unused(g.as_str())).then_some(whole)
        })
        .map(|m| m.range())
        .collect()
}
