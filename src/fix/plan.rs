//! The plan of a `fix` run: scan the roots with the rules, run every fix of
//! the catalog on each file with findings (safe ones always, unsafe ones
//! only when allowed, else counted as held back), rescan each fixed text
//! with the same engine, and turn whatever is left (findings no fix
//! removed, shapes no recogniser knows, key files) into manual steps.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::catalog::{Catalog, FixSpec};
use super::scopes::{ConsoleBlock, Resolver};
use super::{Attempt, FixCtx, ManualStep, Safety};
use crate::engine::Engine;
use crate::finding::{Category, Finding};
use crate::rules::RuleSet;
use crate::scan::{ScanOptions, ScanReport, scan};

/// What to plan.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub unsafe_fixes: bool,
    pub scopes: Vec<String>,
}

/// One file's change.
#[derive(Debug, Clone)]
pub struct FileChange {
    /// As `scan` reports it.
    pub path: String,
    /// Where it is on disk.
    pub abs: PathBuf,
    /// The text as read (the write re-checks it).
    pub before: String,
    pub after: String,
    /// The ids of the fixes that changed it.
    pub fixes: Vec<String>,
    /// Unsafe when any of them is.
    pub safety: Safety,
}

/// An unsafe fix not applied because `--unsafe` was not given.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeldBack {
    pub path: String,
    pub fix: String,
}

/// Everything a run would do.
#[derive(Debug, Clone)]
pub struct Plan {
    pub changes: Vec<FileChange>,
    pub manual: Vec<ManualStep>,
    pub held_back: Vec<HeldBack>,
    pub scopes: super::scopes::Source,
    /// Files that could not be scanned or read.
    pub errors: Vec<String>,
}

/// Why no plan could be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{0}: no such file or directory")]
    Missing(String),
    #[error("--scopes: empty scope in the list")]
    EmptyScope,
}

/// Rules whose finding leads a file's manual step: the exchange itself.
const LEADING_RULES: &[&str] = &[
    "jwt-exchange-endpoint",
    "ims-go-exchange-jwt",
    "jwt-token-form-field",
];

/// The language of code no fix rewrites, by file name.
fn language_of(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "cs" => "C#",
        "go" => "Go",
        "php" => "PHP",
        "rb" => "Ruby",
        "sh" | "bash" | "zsh" => "shell",
        "ps1" | "psm1" => "PowerShell",
        "kt" | "kts" => "Kotlin",
        "java" => "Java",
        "py" => "Python",
        "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "jsx" | "tsx" => "Node/TypeScript",
        _ => return None,
    })
}

/// File names `fix` never edits and tells the user to delete.
fn is_key_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    [
        ".key", ".pem", ".crt", ".cer", ".p12", ".pfx", ".p8", ".der",
    ]
    .iter()
    .any(|e| name.ends_with(e))
}

/// Maps a reported path back to the file.
fn to_abs(paths: &[PathBuf], shown: &str) -> PathBuf {
    match paths {
        [root] if root.is_dir() => root.join(shown),
        _ => PathBuf::from(shown),
    }
}

/// The OAuth blocks of the Developer Console JSONs in the tree.
fn console_blocks(paths: &[PathBuf]) -> Vec<ConsoleBlock> {
    if paths.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for entry in super::tree::walker(paths).build().flatten() {
        let p = entry.path();
        let small = entry
            .metadata()
            .is_ok_and(|m| m.is_file() && m.len() < 1 << 20);
        if !small || p.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        if !text.contains("oauth_server_to_server") {
            continue;
        }
        for (client_id, scopes) in super::console::oauth_blocks(&text) {
            out.push(ConsoleBlock {
                path: p.display().to_string(),
                client_id,
                scopes,
            });
        }
    }
    out
}

fn run_fix(fix: &FixSpec, ctx: &FixCtx<'_>, text: &str) -> Attempt {
    use super::{
        aio_context, aio_env, aio_json, console, java, node, node_exchange, python, umapi, ust,
        workflow,
    };
    match fix.kind.as_str() {
        "console-workspace" if ctx.path.ends_with(".json") => console::fix(ctx, text),
        "aio-json" if ctx.path.ends_with(".json") || ctx.path.ends_with(".aio") => {
            aio_json::fix(ctx, text)
        }
        "aio-env" => aio_env::fix(ctx, text),
        "properties-ini" => super::properties::fix(ctx, text),
        "wrapper-config" if ctx.path.ends_with(".json") => super::wrapper_config::fix(ctx, text),
        "aio-apps-action" => workflow::fix_apps_action(ctx, text),
        "workflow-env" => workflow::fix_env(ctx, text),
        "gitlab-variables" => super::gitlab::fix(ctx, text),
        "user-sync" => ust::fix(ctx, text),
        "node-jwt-auth" => node::fix(ctx, text),
        "python-exchange" => python::fix(ctx, text),
        "node-exchange" => node_exchange::fix(ctx, text),
        "umapi-jwtauth" => umapi::fix(ctx, text),
        "aio-context-set" => aio_context::fix(ctx, text),
        "python-pins" => super::pins::fix(ctx, text),
        "java-exchange" => java::fix(ctx, text),
        "shell-exchange" => super::shell::fix(ctx, text),
        "powershell-exchange" => super::powershell::fix(ctx, text),
        "php-exchange" => super::php::fix(ctx, text),
        "go-exchange" => super::go::fix(ctx, text),
        "ruby-exchange" => super::ruby::fix(ctx, text),
        "csharp-exchange" => super::csharp::fix(ctx, text),
        _ => Attempt::NotApplicable,
    }
}

/// One file's state while planning.
struct Work<'a> {
    path: String,
    abs: PathBuf,
    before: String,
    after: String,
    fixes: Vec<&'a FixSpec>,
    manual: Vec<(u32, String)>,
    /// Findings left after the fixes (rule id, line).
    remaining: Vec<(String, u32)>,
    /// Its project root as correlation reported it (`.` for the scan root).
    project: Option<String>,
}

/// Makes the plan.
pub fn plan(opts: &Options, rules: &RuleSet, catalog: &Catalog) -> Result<Plan, PlanError> {
    for p in &opts.paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(PlanError::Missing(p.display().to_string()));
        }
    }
    if opts.scopes.iter().any(|s| s.trim().is_empty()) {
        return Err(PlanError::EmptyScope);
    }
    let engine = Engine::new(rules, jiff::Zoned::now().date(), 90);
    let report = scan(
        &engine,
        &ScanOptions {
            paths: opts.paths.clone(),
            no_ignore: false,
            follow: false,
            max_filesize: 8 << 20,
            threads: 0,
            use_prefilter: true,
        },
    );
    plan_report(opts, rules, &engine, catalog, &report)
}

/// The plan for the findings of a scan already made of `opts.paths` (its
/// paths relative to them, as the scan reports them before
/// [`ScanReport::prefix_paths`]): `scan --format sarif` plans its safe
/// fixes from its own report instead of scanning the tree again.
/// `engine` is the one that made `report` (it rescans each rewritten file).
pub fn plan_report(
    opts: &Options,
    rules: &RuleSet,
    engine: &Engine<'_>,
    catalog: &Catalog,
    report: &ScanReport,
) -> Result<Plan, PlanError> {
    let mut by_file: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for d in &report.findings {
        if d.finding.category.counts_for_gate() {
            by_file
                .entry(d.finding.location.path.clone())
                .or_default()
                .push(&d.finding);
        }
    }
    let resolver = Resolver::new(&opts.scopes, console_blocks(&opts.paths));
    let mut errors: Vec<String> = report
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect();
    let mut manual: Vec<ManualStep> = Vec::new();
    let mut held_back = Vec::new();
    let mut works: Vec<Work<'_>> = Vec::new();
    let step = |path: &str, line: u32, s: String| ManualStep {
        path: path.to_string(),
        line,
        step: crate::redact::redact_text(&s).into_owned(),
    };
    for (path, findings) in &by_file {
        // The site a manual step points at: the first one, but not the
        // generic JWT library's import (that only names the library the
        // flow below it uses).
        let lead = findings
            .iter()
            .min_by_key(|f| (f.rule_id == "jwt-library-import", f.location.line));
        let first_line = lead.map_or(1, |f| f.location.line);
        if is_key_file(path) {
            manual.push(step(
                path,
                first_line,
                format!(
                    "delete {path} after the OAuth Server-to-Server credential works (fix never deletes key files)"
                ),
            ));
            continue;
        }
        let abs = to_abs(&opts.paths, path);
        let before = match std::fs::read(&abs).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(_)) => {
                manual.push(step(
                    path,
                    first_line,
                    "not UTF-8: migrate it by hand".into(),
                ));
                continue;
            }
            Err(e) => {
                errors.push(format!("{path}: {e}"));
                continue;
            }
        };
        let mut w = Work {
            path: path.clone(),
            abs,
            after: before.clone(),
            before,
            fixes: Vec::new(),
            manual: Vec::new(),
            remaining: Vec::new(),
            project: findings.iter().find_map(|f| f.project.clone()),
        };
        for fix in catalog
            .fixes
            .iter()
            .filter(|f| !matches!(f.kind.as_str(), "package-json" | "jwt-library-deps"))
        {
            let ctx = FixCtx {
                path,
                fix,
                scopes: &resolver,
            };
            match run_fix(fix, &ctx, &w.after) {
                Attempt::NotApplicable => {}
                Attempt::Unrecognised(why) => w.manual.push((
                    first_line,
                    format!(
                        "not rewritten by {} ({why}): migrate it by hand{}",
                        fix.id,
                        fix.remediation
                            .as_ref()
                            .map(|_| format!(
                                "; `jwt2oauth rules explain {}` shows the replacement",
                                lead.map_or("", |f| f.rule_id.as_str())
                            ))
                            .unwrap_or_default()
                    ),
                )),
                Attempt::Rewritten { .. } if fix.safety == Safety::Unsafe && !opts.unsafe_fixes => {
                    held_back.push(HeldBack {
                        path: path.clone(),
                        fix: fix.id.clone(),
                    });
                    w.manual.push((
                        first_line,
                        format!("unsafe fix {} held back (it rewrites code): rerun with --unsafe, or migrate it by hand", fix.id),
                    ));
                }
                Attempt::Rewritten { text, manual: m } => {
                    if text != w.after {
                        w.fixes.push(fix);
                    }
                    w.after = text;
                    w.manual.extend(m);
                }
            }
        }
        let original: BTreeSet<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
        w.remaining = if w.after == w.before {
            findings
                .iter()
                .map(|f| (f.rule_id.clone(), f.location.line))
                .collect()
        } else {
            rescan(engine, &w.path, &w.abs, &w.after)
                .into_iter()
                .filter(|(r, _, link)| !link || original.contains(r.as_str()))
                .map(|(r, l, _)| (r, l))
                .collect()
        };
        works.push(w);
    }
    // package.json last: it may drop a library only once no code needs it.
    // A finding left only because its project still looks like JWT (a
    // technical account field, reported while a file of the project holds
    // JWT evidence, which may be this very package.json) needs no library.
    let project_backed = |r: &str| {
        rules
            .get(r)
            .is_some_and(|rule| !rule.spec.needs.in_project.is_empty())
    };
    let summary: Vec<(String, bool, bool)> = works
        .iter()
        .map(|w| {
            (
                w.path.clone(),
                w.after.contains("@adobe/jwt-auth"),
                w.remaining.iter().any(|(r, _)| !project_backed(r)),
            )
        })
        .collect();
    for w in works
        .iter_mut()
        .filter(|w| w.path.rsplit('/').next() == Some("package.json"))
    {
        let dir = w.path.trim_end_matches("package.json").to_string();
        let code: Vec<&(String, bool, bool)> = summary
            .iter()
            .filter(|(p, _, _)| p.starts_with(&dir) && !p.ends_with(".json"))
            .collect();
        let needed = |pkg: &str| {
            if pkg == "@adobe/jwt-auth" {
                code.iter().any(|(_, uses, _)| *uses)
            } else {
                // aio-lib-ims-jwt backs JWT contexts wherever code sets them.
                code.iter().any(|(_, _, left)| *left)
            }
        };
        for fix in catalog.of_kind("package-json") {
            let ctx = FixCtx {
                path: &w.path,
                fix,
                scopes: &resolver,
            };
            if let Attempt::Rewritten { text, manual: m } =
                super::package_json::fix(&ctx, &w.after, &needed)
            {
                if text != w.after {
                    w.fixes.push(fix);
                }
                w.after = text;
                w.manual.extend(m);
            }
        }
        if w.after != w.before {
            w.remaining = rescan(engine, &w.path, &w.abs, &w.after)
                .into_iter()
                .filter(|(_, _, link)| !link)
                .map(|(r, l, _)| (r, l))
                .collect();
        }
    }
    drop_jwt_libraries(&mut works, catalog, &resolver, &project_backed, engine);
    let mut changes = Vec::new();
    for w in works {
        let blocked = w.manual.iter().any(|(_, s)| {
            s.starts_with("not rewritten") || s.starts_with("unsafe fix") || s.contains(" stays: ")
        });
        for (line, s) in &w.manual {
            manual.push(step(&w.path, *line, s.clone()));
        }
        if !blocked && !w.remaining.is_empty() {
            let mut left: Vec<&(String, u32)> = w.remaining.iter().collect();
            left.sort_by_key(|(r, l)| (*l, r.clone()));
            // The exchange leads when there is one: it is what to rewrite.
            let lead = left
                .iter()
                .find(|(r, _)| LEADING_RULES.contains(&r.as_str()))
                .copied()
                .unwrap_or(left[0]);
            let mut ids: Vec<&str> = vec![lead.0.as_str()];
            for (rule, _) in &left {
                if !ids.contains(&rule.as_str()) {
                    ids.push(rule);
                }
            }
            let first = ids[0];
            let title = rules.get(first).map_or(first, |r| r.spec.title.trim());
            let what = match language_of(&w.path) {
                Some(lang) if LEADING_RULES.contains(&first) => format!(
                    "no fix rewrites this {lang} code ({title}): rewrite the exchange as one \
                     client_credentials POST to /ims/token/v3 with client_id, client_secret and scope"
                ),
                Some(lang) => {
                    format!("no fix rewrites this {lang} code ({title}): migrate it by hand")
                }
                None => format!("no fix recognises {title}: migrate it by hand"),
            };
            manual.push(step(
                &w.path,
                lead.1,
                format!(
                    "{what} (`jwt2oauth rules explain {first}`){}",
                    if ids.len() > 1 {
                        format!("; also {}", ids[1..].join(", "))
                    } else {
                        String::new()
                    }
                ),
            ));
        }
        if w.after != w.before {
            let safety = w
                .fixes
                .iter()
                .map(|f| f.safety)
                .max()
                .unwrap_or(Safety::Safe);
            changes.push(FileChange {
                path: w.path,
                abs: w.abs,
                before: w.before,
                after: w.after,
                fixes: w.fixes.iter().map(|f| f.id.clone()).collect(),
                safety,
            });
        }
    }
    manual.sort();
    manual.dedup();
    Ok(Plan {
        changes,
        manual,
        held_back,
        scopes: resolver.source.clone(),
        errors,
    })
}

/// Generic JWT libraries (fix/deps/): each manifest with a finding
/// loses those no source file of its project imports in its planned text.
/// Once no file of the project is left with JWT use of its own, the
/// manifest's findings that only count inside a JWT project go too (a
/// library kept for the program's own tokens is no JWT use).
fn drop_jwt_libraries<'a>(
    works: &mut [Work<'a>],
    catalog: &'a Catalog,
    resolver: &Resolver,
    project_backed: &dyn Fn(&str) -> bool,
    engine: &Engine<'_>,
) {
    use super::deps::{self, Ecosystem};
    let fixed: BTreeMap<PathBuf, (String, String)> = works
        .iter()
        .filter(|w| w.after != w.before)
        .map(|w| (w.abs.clone(), (w.before.clone(), w.after.clone())))
        .collect();
    let jwt_left: Vec<String> = works
        .iter()
        .filter(|w| Ecosystem::of_manifest(&w.path).is_none())
        .filter(|w| w.remaining.iter().any(|(r, _)| !project_backed(r)))
        .map(|w| w.path.clone())
        .collect();
    let mut dropped: Vec<(String, Ecosystem)> = Vec::new();
    // A project's sources per ecosystem, read once for all its manifests.
    let mut sources: BTreeMap<(PathBuf, Ecosystem), Option<deps::Sources>> = BTreeMap::new();
    for w in works.iter_mut() {
        let (Some(eco), Some(project)) = (Ecosystem::of_manifest(&w.path), w.project.clone())
        else {
            continue;
        };
        let prefix = if project == "." { "" } else { project.as_str() };
        let Some(dir) = project_dir(&w.abs, &w.path, prefix) else {
            continue;
        };
        let sources = sources
            .entry((dir.clone(), eco))
            .or_insert_with(|| deps::project_sources(&dir, eco, &fixed));
        let unused = |lib: &str| {
            sources
                .as_ref()
                .is_some_and(|s| s.last_use_removed(&deps::Import::of(eco, lib)))
        };
        for fix in catalog.of_kind("jwt-library-deps") {
            let ctx = FixCtx {
                path: &w.path,
                fix,
                scopes: resolver,
            };
            if let Attempt::Rewritten { text, manual: m } = deps::fix(&ctx, &w.after, &unused) {
                if text != w.after {
                    w.fixes.push(fix);
                    dropped.push((prefix.to_string(), eco));
                }
                w.after = text;
                w.manual.extend(m);
            }
        }
        let clean = !jwt_left
            .iter()
            .any(|p| crate::correlate::ProjectRoots::in_project(p, prefix));
        if w.after != w.before {
            w.remaining = rescan(engine, &w.path, &w.abs, &w.after)
                .into_iter()
                .filter(|(_, _, link)| !link || !clean)
                .map(|(r, l, _)| (r, l))
                .collect();
        }
        if clean {
            w.remaining.retain(|(r, _)| !project_backed(r));
        }
    }
    // The rewritten exchanges' "drop the library once nothing else uses
    // it" is done where their project's manifest dropped it.
    for w in works.iter_mut() {
        if dropped.iter().any(|(p, eco)| {
            eco.is_source(&w.path) && crate::correlate::ProjectRoots::in_project(&w.path, p)
        }) {
            for (_, s) in &mut w.manual {
                if let Some(at) = s.find("; drop ")
                    && s.ends_with(super::block::LIBRARY_STEP_END)
                {
                    s.truncate(at);
                }
            }
        }
    }
}

/// The directory of project root `project` (as reported; `""` for the
/// scan root), from a file of it: its path on disk and as reported.
fn project_dir(abs: &Path, shown: &str, project: &str) -> Option<PathBuf> {
    let rel = if project.is_empty() {
        shown
    } else {
        shown.strip_prefix(project)?.strip_prefix('/')?
    };
    let mut dir = abs.to_path_buf();
    for _ in rel.split('/') {
        dir = dir.parent()?.to_path_buf();
    }
    // `requirements.txt` given as a relative path: its project is `.`.
    if dir.as_os_str().is_empty() {
        dir = PathBuf::from(".");
    }
    Some(dir)
}

/// Findings of a fixed text: (rule id, line, needs a link to count).
fn rescan(engine: &Engine<'_>, path: &str, abs: &Path, text: &str) -> Vec<(String, u32, bool)> {
    let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    let sibling = |name: &str| dir.join(name).exists();
    let mut scratch = Vec::new();
    engine
        .scan(path, text.as_bytes(), &sibling, true, &mut scratch)
        .findings
        .into_iter()
        .filter(|d| {
            d.finding.category.counts_for_gate()
                && !matches!(d.finding.category, Category::Certificate)
        })
        .map(|d| {
            (
                d.finding.rule_id,
                d.finding.location.line,
                d.finding.requires_link,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_dir_climbs_the_path_below_the_project() {
        let abs = Path::new("/scan/svc/requirements/base.txt");
        assert_eq!(
            project_dir(abs, "svc/requirements/base.txt", "svc"),
            Some(PathBuf::from("/scan/svc"))
        );
        assert_eq!(
            project_dir(abs, "svc/requirements/base.txt", ""),
            Some(PathBuf::from("/scan"))
        );
        // A path outside the project it is said to be in: no directory.
        assert_eq!(project_dir(abs, "svc/requirements/base.txt", "other"), None);
        assert_eq!(project_dir(abs, "svc/requirements/base.txt", "sv"), None);
    }
}
