//! The module structure holds: no import circle in `src/` (issue 19). Each
//! file is a module; an edge is a `crate::`, `super::` or `self::` path in
//! its code (comments and `#[cfg(test)]` modules aside) naming another
//! module, its parent and children not counted (a parent declares its
//! children; a child using its parent's items is the usual shape).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name (`scan::walk`) -> its file's code.
fn modules() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p.strip_prefix(&root).expect("under src").with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&p).expect("read");
            out.insert(parts.join("::"), code_of(&text));
        }
    }
    out
}

/// The text without line comments and without the test module.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module a path like `crate::scan::walk::Roots` or `super::x` names,
/// from module `cur`: the longest prefix that is a module.
fn resolve(cur: &str, path: &str, names: &BTreeSet<String>) -> Option<String> {
    let mut segs: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = if cur.is_empty() {
        Vec::new()
    } else {
        cur.split("::").collect()
    };
    match segs.first().copied() {
        Some("crate") => {
            base.clear();
            segs.remove(0);
        }
        Some("super") => {
            while segs.first() == Some(&"super") {
                base.pop();
                segs.remove(0);
            }
        }
        Some("self") => {
            segs.remove(0);
        }
        _ => return None,
    }
    (0..=segs.len()).rev().find_map(|i| {
        let mut m = base.clone();
        m.extend(&segs[..i]);
        let m = m.join("::");
        names.contains(&m).then_some(m)
    })
}

fn edges(mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeSet<String> = mods.keys().cloned().collect();
    let re = regex::Regex::new(r"\b(?:crate|super|self)(?:::\w+)+").expect("regex");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, code) in mods {
        let to = out.entry(m.clone()).or_default();
        for hit in re.find_iter(code) {
            let Some(t) = resolve(m, hit.as_str(), &names) else {
                continue;
            };
            let related = t == *m
                || m.starts_with(&format!("{t}::"))
                || t.starts_with(&format!("{m}::"))
                || t.is_empty()
                || m.is_empty();
            if !related {
                to.insert(t);
            }
        }
    }
    out
}

/// One cycle through `start`, if any (depth-first search).
fn cycle_from(start: &str, g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn dfs(
        at: &str,
        start: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in g.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if dfs(next, start, g, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    dfs(start, start, g, &mut path, &mut seen).then_some(path)
}

#[test]
fn no_import_circle_in_src() {
    let g = edges(&modules());
    let circles: Vec<String> = g
        .keys()
        .filter_map(|m| cycle_from(m, &g))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(
        circles.is_empty(),
        "import circles in src/ (move the shared types down a level):\n{}",
        circles.join("\n")
    );
}

/// The checker sees circles: two modules naming each other are one.
#[test]
fn the_checker_finds_a_circle() {
    let mut mods = BTreeMap::new();
    mods.insert("a".to_string(), "use crate::b::X;".to_string());
    mods.insert("b".to_string(), "fn f() { super::a::y(); }".to_string());
    mods.insert("c".to_string(), "// use crate::a;".to_string());
    let g = edges(&mods.into_iter().map(|(k, v)| (k, code_of(&v))).collect());
    assert_eq!(cycle_from("a", &g), Some(vec!["a".into(), "b".into()]));
    assert_eq!(cycle_from("c", &g), None, "comments are not imports");
}

/// No clap type below `commands/` and `cli.rs` (issue 19): no other module
/// names `crate::cli` (domain enums deriving `clap::ValueEnum` aside).
#[test]
fn only_commands_and_main_use_the_cli_module() {
    let names: BTreeSet<String> = modules().keys().cloned().collect();
    let g = edges(&modules());
    let reaching: Vec<&String> = g
        .iter()
        .filter(|(m, to)| {
            to.contains("cli") && !(m.as_str() == "commands" || m.starts_with("commands::"))
        })
        .map(|(m, _)| m)
        .collect();
    assert!(names.contains("cli"));
    assert!(
        reaching.is_empty(),
        "modules below commands/ that use cli.rs (give them a plain struct): {reaching:?}"
    );
}
