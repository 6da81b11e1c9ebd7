//! The cross-file pass over a finished walk (the rules with a `calls_of`
//! matcher; see `engine::wrappers`): the definitions learned around JWT
//! findings are searched for in the other code files of their language
//! family within their project (the nearest directory above the defining
//! file with a manifest or `.git`, never above the scan root), in one
//! Aho-Corasick pass per file. Callers of callers are not followed: on real
//! code that reached a project's whole CLI or API surface (except names
//! that say JWT, below).
//!
//! Two idioms more: a star import or whole-module re-export (`from
//! .login.login import *`, `export * from './jwt'`) of a file with JWT
//! code, resolved to the file; and callers of callers for names that say
//! JWT only (`authz.JWTCmd(...)` in the CLI's command table).
//!
//! Only code files the walk read are looked at again, so ignore files,
//! `--max-filesize`, the config's path filter and diff-aware file lists
//! apply as in the walk. Nothing runs when nothing was learned.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use super::read::read_text;
use super::walk::{Roots, ScanOptions, ScanReport};
use crate::engine::Engine;
use crate::engine::wrappers::{self, Callers, Definition, Family};

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
    if definitions.is_empty() {
        return;
    }
    code_files.sort();
    code_files.dedup();
    definitions.sort();
    definitions.dedup();
    // Modules with JWT code (for star imports of them), by reported path
    // and per project; names (for their callers) per project.
    let mut modules: BTreeMap<String, Definition> = BTreeMap::new();
    let mut module_scopes: BTreeSet<PathBuf> = BTreeSet::new();
    let mut names: Vec<(PathBuf, Definition)> = Vec::new();
    for (p, d) in definitions {
        if d.module {
            module_scopes.insert(project_root(&p, &opts.paths));
            modules.insert(d.path.clone(), d);
        } else {
            names.push((p, d));
        }
    }
    let scopes = scoped_callers(names, &opts.paths);
    // A line that already holds a JWT finding is reported already.
    let mut reported: HashSet<(String, u32)> = report
        .findings
        .iter()
        .map(|d| &d.finding)
        .filter(|f| f.category.counts_for_gate())
        .map(|f| (f.location.path.clone(), f.location.line))
        .collect();
    let (mut buf, mut decoded) = (Vec::new(), Vec::new());
    // Callers of callers, only for names that say JWT (`JWTCmd`,
    // `getJwtClient`): a second round over all names reached whole CLI
    // surfaces on real code.
    let mut second: Vec<(PathBuf, Definition)> = Vec::new();
    for path in &code_files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let Some(family) = Family::of(&name) else {
            continue;
        };
        let mine = callers_for(&scopes, path, family);
        let star = matches!(family, Family::Python | Family::Js)
            && module_scopes.iter().any(|s| path.starts_with(s));
        if mine.is_empty() && !star {
            continue;
        }
        let display = roots.display(path);
        let Some(text) = read_text(path, opts.max_filesize, &mut buf, &mut decoded) else {
            continue;
        };
        let mut found = Vec::new();
        for callers in mine {
            found.push(engine.calls(&display, text, callers));
        }
        if star {
            let sites = star_sites(family, path, &display, text, roots, &opts.paths, &modules);
            found.push(engine.call_findings(&display, text, &sites));
        }
        // Several names used on one line are several findings; a line of
        // an earlier finding gets none.
        let mut lines = Vec::new();
        for scan in found {
            for d in scan.findings {
                let f = &d.finding;
                if !reported.contains(&(f.location.path.clone(), f.location.line)) {
                    lines.push(f.location.line as usize - 1);
                    report.findings.push(d);
                }
            }
            report.suppressed.extend(scan.suppressed);
        }
        reported.extend(lines.iter().map(|&l| (display.clone(), l as u32 + 1)));
        if !lines.is_empty() {
            second.extend(
                wrappers::enclosing(family, &display, text, &lines)
                    .into_iter()
                    .filter(|d| d.name.to_ascii_lowercase().contains("jwt"))
                    .map(|d| (path.clone(), d)),
            );
        }
    }
    if second.is_empty() {
        return;
    }
    let scopes = scoped_callers(second, &opts.paths);
    for path in &code_files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let Some(family) = Family::of(&name) else {
            continue;
        };
        let mine = callers_for(&scopes, path, family);
        if mine.is_empty() {
            continue;
        }
        let display = roots.display(path);
        let Some(text) = read_text(path, opts.max_filesize, &mut buf, &mut decoded) else {
            continue;
        };
        let mut lines = Vec::new();
        for callers in mine {
            let scan = engine.calls(&display, text, callers);
            for d in scan.findings {
                let f = &d.finding;
                if !reported.contains(&(f.location.path.clone(), f.location.line)) {
                    lines.push(f.location.line);
                    report.findings.push(d);
                }
            }
            report.suppressed.extend(scan.suppressed);
        }
        reported.extend(lines.into_iter().map(|l| (display.clone(), l)));
    }
}

/// The learned names grouped into one searcher per project: a name is
/// looked for only in its own project.
fn scoped_callers(
    definitions: Vec<(PathBuf, Definition)>,
    scan_roots: &[PathBuf],
) -> Vec<(PathBuf, Callers)> {
    let mut by_scope: BTreeMap<PathBuf, Vec<Definition>> = BTreeMap::new();
    for (p, d) in definitions {
        by_scope
            .entry(project_root(&p, scan_roots))
            .or_default()
            .push(d);
    }
    by_scope
        .into_iter()
        .filter_map(|(scope, defs)| Some((scope, Callers::new(&defs)?)))
        .collect()
}

fn callers_for<'a>(
    scopes: &'a [(PathBuf, Callers)],
    path: &Path,
    family: Family,
) -> Vec<&'a Callers> {
    scopes
        .iter()
        .filter(|(scope, c)| path.starts_with(scope) && c.families().contains(&family))
        .map(|(_, c)| c)
        .collect()
}

/// The star imports in `text` (of `path`, reported as `display`) of a
/// module with JWT code of the same project, as cross-file sites.
fn star_sites(
    family: Family,
    path: &Path,
    display: &str,
    text: &[u8],
    roots: &Roots,
    scan_roots: &[PathBuf],
    modules: &BTreeMap<String, Definition>,
) -> Vec<(Definition, Vec<(usize, usize)>)> {
    let imports = wrappers::star_imports(family, text);
    if imports.is_empty() {
        return Vec::new();
    }
    let dir = path.parent().unwrap_or(Path::new(""));
    let project = project_root(path, scan_roots);
    let bases: Vec<&Path> = dir
        .ancestors()
        .skip(1)
        .take_while(|d| d.starts_with(&project))
        .collect();
    let mut out: Vec<(Definition, Vec<(usize, usize)>)> = Vec::new();
    for (spec, s, e) in imports {
        let target = wrappers::module_files(family, dir, &bases, &spec)
            .into_iter()
            .filter(|c| c.starts_with(&project) && c.as_path() != path)
            .find_map(|c| modules.get(&roots.display(&c)));
        if let Some(m) = target.filter(|m| m.family == family && m.path != display) {
            let mut d = m.clone();
            d.name = spec;
            out.push((d, vec![(s, e)]));
        }
    }
    out
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
