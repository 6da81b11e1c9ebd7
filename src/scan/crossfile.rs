//! The cross-file pass over a finished walk (the rules with a `calls_of`
//! matcher; see `engine::wrappers`): the definitions learned around JWT
//! findings are searched for in the other code files of their language
//! family within their project (the nearest directory above the defining
//! file with a manifest or `.git`, never above the scan root), in one
//! Aho-Corasick pass per file. Callers of callers are not followed: on real
//! code that reached a project's whole CLI or API surface.
//!
//! Only code files the walk read are looked at again, so ignore files,
//! `--max-filesize`, the config's path filter and diff-aware file lists
//! apply as in the walk. Nothing runs when nothing was learned.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::read::read_text;
use super::walk::{Roots, ScanOptions, ScanReport};
use crate::engine::Engine;
use crate::engine::wrappers::{Callers, Definition, Family};

/// Files whose directory is a project root.
const PROJECT_MARKERS: &[&str] = &[
    ".git",
    "package.json",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "composer.json",
    "Gemfile",
    "Cargo.toml",
];

/// Adds the cross-file findings to `report` (unsorted: the caller sorts).
pub(super) fn run(
    engine: &Engine<'_>,
    opts: &ScanOptions,
    roots: &Roots,
    mut definitions: Vec<(PathBuf, Definition)>,
    mut code_files: Vec<PathBuf>,
    report: &mut ScanReport,
) {
    code_files.sort();
    code_files.dedup();
    definitions.sort();
    definitions.dedup();
    // Callers per project: a name is looked for only in its own project.
    let mut by_scope: BTreeMap<PathBuf, Vec<Definition>> = BTreeMap::new();
    for (p, d) in definitions {
        by_scope
            .entry(project_root(&p, &opts.paths))
            .or_default()
            .push(d);
    }
    let scopes: Vec<(PathBuf, Callers)> = by_scope
        .into_iter()
        .filter_map(|(scope, defs)| Some((scope, Callers::new(&defs)?)))
        .collect();
    // A line that already holds a JWT finding is reported already.
    let reported: HashSet<(String, u32)> = report
        .findings
        .iter()
        .map(|d| &d.finding)
        .filter(|f| f.category.counts_for_gate())
        .map(|f| (f.location.path.clone(), f.location.line))
        .collect();
    let (mut buf, mut decoded) = (Vec::new(), Vec::new());
    for path in &code_files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let Some(family) = Family::of(&name) else {
            continue;
        };
        let mine: Vec<&Callers> = scopes
            .iter()
            .filter(|(scope, c)| path.starts_with(scope) && c.families().contains(&family))
            .map(|(_, c)| c)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let display = roots.display(path);
        let Some(text) = read_text(path, opts.max_filesize, &mut buf, &mut decoded) else {
            continue;
        };
        for callers in mine {
            let scan = engine.calls(&display, text, callers);
            report
                .findings
                .extend(scan.findings.into_iter().filter(|d| {
                    let f = &d.finding;
                    !reported.contains(&(f.location.path.clone(), f.location.line))
                }));
            report.suppressed.extend(scan.suppressed);
        }
    }
}

/// The directory a definition's callers are looked for in: the nearest
/// one above `file` holding a project marker, but not above the scan root
/// that holds `file` (which it is when none has a marker).
fn project_root(file: &Path, scan_roots: &[PathBuf]) -> PathBuf {
    let root = scan_roots
        .iter()
        .filter(|r| file.starts_with(r))
        .max_by_key(|r| r.components().count());
    let Some(root) = root else {
        return file.parent().unwrap_or(Path::new("")).to_path_buf();
    };
    if root.as_path() == file {
        return file.parent().unwrap_or(Path::new("")).to_path_buf();
    }
    for dir in file.ancestors().skip(1) {
        if !dir.starts_with(root) {
            break;
        }
        if PROJECT_MARKERS.iter().any(|m| dir.join(m).exists()) {
            return dir.to_path_buf();
        }
        if dir == root.as_path() {
            break;
        }
    }
    root.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_root_is_the_nearest_marked_directory_below_the_scan_root() {
        let t = tempfile::tempdir().expect("tempdir");
        let root = t.path().to_path_buf();
        std::fs::create_dir_all(root.join("svc/src/auth")).expect("mkdir");
        std::fs::write(root.join("svc/package.json"), "{}").expect("write");
        let f = root.join("svc/src/auth/jwt.js");
        assert_eq!(
            project_root(&f, std::slice::from_ref(&root)),
            root.join("svc")
        );
        let g = root.join("loose/x.py");
        assert_eq!(project_root(&g, std::slice::from_ref(&root)), root);
        // Never above the scan root, even when a parent has a marker.
        std::fs::write(root.join("package.json"), "{}").expect("write");
        let inner = root.join("svc/src");
        assert_eq!(project_root(&f, std::slice::from_ref(&inner)), inner);
    }
}
