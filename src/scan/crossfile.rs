//! The cross-file pass over a finished walk (the rules with a `calls_of`
//! matcher; see `engine::wrappers`): the definitions learned around JWT
//! findings are searched for in the other code files of their language
//! family within their project (the walk's [`ProjectRoots`]: the nearest
//! directory above the defining file with a manifest or `.git`, or the
//! package it is in when that is installed in a `site-packages`-like
//! directory; never above the scan root), in one Aho-Corasick pass per
//! file, on the scan's threads. Callers of callers are not followed: on real
//! code that reached a project's whole CLI or API surface (except names
//! that say JWT, below).
//!
//! Two idioms more: a star import or whole-module re-export (`from
//! .login.login import *`, `export * from './jwt'`) of a file with JWT
//! code, resolved to the file; and callers of callers for the functions
//! whose names say JWT or authentication (`authz.JWTCmd(...)` in the CLI's
//! command table, `AuthService.AuthorizeClient(...)` in every endpoint).
//!
//! Only code files the walk read are looked at again, so ignore files,
//! `--max-filesize`, the config's path filter and diff-aware file lists
//! apply as in the walk. Nothing runs when nothing was learned.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::options::ScanOptions;
use super::read::read_text;
use super::scopes::Engines;
use super::shared::Roots;
use crate::correlate::ProjectRoots;
use crate::engine::wrappers::{self, Callers, Definition, Family};
use crate::report::ScanReport;

/// Adds the cross-file findings to `report` (unsorted: the caller sorts).
pub(super) fn run(
    engines: Engines<'_, '_>,
    opts: &ScanOptions,
    roots: &Roots,
    projects: &ProjectRoots,
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
    let mut module_scopes: BTreeSet<String> = BTreeSet::new();
    let mut names: Vec<(PathBuf, Definition)> = Vec::new();
    let mut module_files: Vec<PathBuf> = Vec::new();
    for (p, d) in definitions {
        if d.module {
            module_scopes.insert(projects.project_of(&d.path).to_string());
            modules.insert(d.path.clone(), d);
            module_files.push(p);
        } else {
            names.push((p, d));
        }
    }
    let defaults = learned_default_exports(opts, &module_files, &modules, &names, roots);
    let scopes = scoped_callers(names, roots, projects);
    // A line that already holds a JWT finding is reported already.
    let reported: HashSet<(String, u32)> = report
        .findings
        .iter()
        .map(|d| &d.finding)
        .filter(|f| f.category.counts_for_gate())
        .map(|f| (f.location.path.clone(), f.location.line))
        .collect();
    let ctx = Pass {
        engines,
        opts,
        roots,
        projects,
        reported: &reported,
    };
    let stars = Stars {
        scopes: &module_scopes,
        modules: &modules,
        defaults: &defaults,
    };
    let first = ctx.search_all(&code_files, &scopes, Some(&stars));
    // Callers of callers, only for functions and methods whose names say
    // JWT or authentication (`JWTCmd`, `getJwtClient`, `AuthorizeClient`):
    // a second round over all names reached whole CLI surfaces on real
    // code.
    let mut second: Vec<(PathBuf, Definition)> = Vec::new();
    let mut reported_now = reported.clone();
    for found in first {
        reported_now.extend(found.lines.iter().map(|(p, l)| (p.clone(), *l)));
        second.extend(found.second);
        report.findings.extend(found.findings);
        report.suppressed.extend(found.suppressed);
    }
    if second.is_empty() {
        return;
    }
    let scopes = scoped_callers(second, roots, projects);
    let ctx = Pass {
        reported: &reported_now,
        ..ctx
    };
    for found in ctx.search_all(&code_files, &scopes, None) {
        report.findings.extend(found.findings);
        report.suppressed.extend(found.suppressed);
    }
}

/// What one round of the pass reads, shared by its threads.
#[derive(Clone, Copy)]
struct Pass<'a, 'e> {
    /// Each file's engine (in a scan of several repositories, its
    /// repository's).
    engines: Engines<'a, 'e>,
    opts: &'a ScanOptions,
    roots: &'a Roots,
    projects: &'a ProjectRoots,
    /// (path, line) of the findings so far: a line gets one finding.
    reported: &'a HashSet<(String, u32)>,
}

/// The modules with JWT code, for star imports of them (first round only).
struct Stars<'a> {
    /// The projects (as reported) of those modules.
    scopes: &'a BTreeSet<String>,
    modules: &'a BTreeMap<String, Definition>,
    /// Of those, the JavaScript modules whose one default export is a
    /// learned wrapper: the wrapper, by the module's reported path (for
    /// default imports under any local name).
    defaults: &'a BTreeMap<String, Definition>,
}

/// The JavaScript modules with JWT code whose one default export
/// (`module.exports = checkAccessToken`) is a learned wrapper of the same
/// file: the wrapper by the module's reported path.
fn learned_default_exports(
    opts: &ScanOptions,
    files: &[PathBuf],
    modules: &BTreeMap<String, Definition>,
    names: &[(PathBuf, Definition)],
    roots: &Roots,
) -> BTreeMap<String, Definition> {
    let (mut buf, mut decoded) = (Vec::new(), Vec::new());
    let mut out = BTreeMap::new();
    for p in files {
        let shown = roots.display(p);
        if modules.get(&shown).is_none_or(|m| m.family != Family::Js) {
            continue;
        }
        let Some(text) = read_text(p, opts.max_filesize, &mut buf, &mut decoded) else {
            continue;
        };
        let Some(export) = wrappers::default_export_name(Family::Js, text) else {
            continue;
        };
        if let Some((_, d)) = names
            .iter()
            .find(|(_, d)| d.path == shown && d.name == export && d.family == Family::Js)
        {
            out.insert(shown, d.clone());
        }
    }
    out
}

/// What one file gave.
#[derive(Default)]
struct Found {
    findings: Vec<crate::engine::Detected>,
    suppressed: Vec<crate::suppress::Suppressed>,
    /// (path, line) of the new findings.
    lines: Vec<(String, u32)>,
    /// Functions whose names say JWT or authentication around the new
    /// findings, for the second round.
    second: Vec<(PathBuf, Definition)>,
}

impl Pass<'_, '_> {
    /// Searches every code file that a searcher (or a star import) can
    /// concern, on the scan's threads; the results in file order.
    fn search_all(
        &self,
        files: &[PathBuf],
        scopes: &[(String, Callers)],
        stars: Option<&Stars<'_>>,
    ) -> Vec<Found> {
        let threads = self.opts.threads.max(1).min(files.len().max(1));
        let next = AtomicUsize::new(0);
        let mut out: Vec<(usize, Found)> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let (mut buf, mut decoded) = (Vec::new(), Vec::new());
                        let mut mine = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(path) = files.get(i) else {
                                break;
                            };
                            let found = self.search(path, scopes, stars, &mut buf, &mut decoded);
                            if let Some(found) = found {
                                mine.push((i, found));
                            }
                        }
                        mine
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, f)| f).collect()
    }

    /// One file: its calls of the learned names of its project and family,
    /// and (first round) its star imports of modules with JWT code.
    fn search(
        &self,
        path: &Path,
        scopes: &[(String, Callers)],
        stars: Option<&Stars<'_>>,
        buf: &mut Vec<u8>,
        decoded: &mut Vec<u8>,
    ) -> Option<Found> {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let family = Family::of(&name)?;
        let display = self.roots.display(path);
        let mine = callers_for(scopes, &display, family);
        let first_round = stars.is_some();
        let stars = stars.filter(|st| {
            matches!(family, Family::Python | Family::Js)
                && st
                    .scopes
                    .iter()
                    .any(|s| ProjectRoots::in_project(&display, s))
        });
        if mine.is_empty() && stars.is_none() {
            return None;
        }
        let engine = self.engines.of(path);
        let text = read_text(path, self.opts.max_filesize, buf, decoded)?;
        let mut scans = Vec::new();
        for callers in mine {
            scans.push(engine.calls(&display, text, callers));
        }
        if let Some(st) = stars {
            let sites = self.star_sites(family, path, &display, text, st.modules, st.defaults);
            scans.push(engine.call_findings(&display, text, &sites));
        }
        // Several names used on one line are several findings; a line of
        // an earlier finding gets none.
        let mut found = Found::default();
        let mut lines: BTreeSet<u32> = BTreeSet::new();
        for scan in scans {
            for d in scan.findings {
                let line = d.finding.location.line;
                if !self.reported.contains(&(display.clone(), line)) {
                    lines.insert(line);
                    found.findings.push(d);
                }
            }
            found.suppressed.extend(scan.suppressed);
        }
        if first_round && !lines.is_empty() {
            let idx: Vec<usize> = lines.iter().map(|&l| l as usize - 1).collect();
            found.second = wrappers::enclosing_functions(family, &display, text, &idx)
                .into_iter()
                .filter(|d| wrappers::says_auth(&d.name))
                .map(|d| (path.to_path_buf(), d))
                .collect();
        }
        found.lines = lines.into_iter().map(|l| (display.clone(), l)).collect();
        Some(found)
    }
}

/// The learned names grouped into one searcher per project (as reported):
/// a name is looked for only in its own project.
fn scoped_callers(
    definitions: Vec<(PathBuf, Definition)>,
    roots: &Roots,
    projects: &ProjectRoots,
) -> Vec<(String, Callers)> {
    let mut by_scope: BTreeMap<String, Vec<Definition>> = BTreeMap::new();
    for (p, d) in definitions {
        let shown = roots.display(&p);
        let mut scope = projects.project_of(&shown);
        // An installed dependency's configuration is loaded by its own
        // code, which nobody migrates: the file's findings say what it
        // holds. (Searching for its name read whole packages: three JSON
        // files planted in `next`, `@angular/common` and `googleapis` of
        // the benchmark corpus made the pass read 10,700 more files.)
        if wrappers::is_config_file(&shown) && projects.is_installed(scope) {
            continue;
        }
        // A definition for another language (a script run by its path, a
        // PHP console command run from shell) reaches the project around
        // the script's own package: `exec.Command("node", "./jwt-api/app.js")`
        // in the Go service whose tree holds `jwt-api/package.json`.
        // Likewise a configuration file named by path (`serverless-jwt.yml`
        // in a deploy script of the repository around the service). Not
        // out of an installed dependency: its scripts are run by its own
        // code.
        if Family::of(&shown) != Some(d.family) && !projects.is_installed(scope) {
            scope = projects.enclosing_project(scope).unwrap_or(scope);
        }
        by_scope.entry(scope.to_string()).or_default().push(d);
    }
    by_scope
        .into_iter()
        .filter_map(|(scope, defs)| Some((scope, Callers::new(&defs)?)))
        .collect()
}

fn callers_for<'a>(
    scopes: &'a [(String, Callers)],
    display: &str,
    family: Family,
) -> Vec<&'a Callers> {
    scopes
        .iter()
        .filter(|(scope, c)| {
            ProjectRoots::in_project(display, scope) && c.families().contains(&family)
        })
        .map(|(_, c)| c)
        .collect()
}

impl Pass<'_, '_> {
    /// The star imports in `text` (of `path`, reported as `display`) of a
    /// module with JWT code of the same project, as cross-file sites.
    fn star_sites(
        &self,
        family: Family,
        path: &Path,
        display: &str,
        text: &[u8],
        modules: &BTreeMap<String, Definition>,
        defaults: &BTreeMap<String, Definition>,
    ) -> Vec<(Definition, Vec<(usize, usize)>)> {
        let (roots, projects, scan_roots) = (self.roots, self.projects, &self.opts.paths);
        let imports = wrappers::star_imports(family, text);
        let default_imports = if defaults.is_empty() {
            Vec::new()
        } else {
            wrappers::default_imports(family, text)
        };
        if imports.is_empty() && default_imports.is_empty() {
            return Vec::new();
        }
        let dir = path.parent().unwrap_or(Path::new(""));
        let project = projects.project_of(display);
        // Scanned, and in the importing file's project.
        let mine = |p: &Path| {
            scan_roots.iter().any(|r| p.starts_with(r))
                && ProjectRoots::in_project(&roots.display(p), project)
        };
        let bases: Vec<&Path> = dir.ancestors().skip(1).take_while(|d| mine(d)).collect();
        let mut out: Vec<(Definition, Vec<(usize, usize)>)> = Vec::new();
        for (spec, s, e) in imports {
            let target = wrappers::module_files(family, dir, &bases, &spec)
                .into_iter()
                .filter(|c| c.as_path() != path && mine(c))
                .find_map(|c| modules.get(&roots.display(&c)));
            if let Some(m) = target.filter(|m| m.family == family && m.path != display) {
                let mut d = m.clone();
                d.name = spec;
                out.push((d, vec![(s, e)]));
            }
        }
        // A default import of a module whose default export is a wrapper,
        // under another local name (under the same name, the name's own
        // search reports it): the import, with the local name's calls as
        // its related sites.
        for (spec, local, s, e) in default_imports {
            // The file Node would load: the first candidate that exists.
            let target = wrappers::module_files(family, dir, &bases, &spec)
                .into_iter()
                .find(|c| c.is_file())
                .filter(|c| c.as_path() != path && mine(c))
                .and_then(|c| defaults.get(&roots.display(&c)));
            let Some(w) = target.filter(|w| w.path != display && w.name != local) else {
                continue;
            };
            let mut d = w.clone();
            d.export = Some(w.name.clone());
            d.name = local.clone();
            let mut spans = vec![(s, e)];
            spans.extend(
                wrappers::local_calls(family, text, &local)
                    .into_iter()
                    .filter(|&(cs, _)| cs >= e || cs < s),
            );
            out.push((d, spans));
        }
        out
    }
}
