//! Git-aware scans: `--since REF` (files changed since the merge base with
//! REF), `--staged` (the staged blobs, for a pre-commit hook) and
//! `--history` (every blob reachable from any ref, each read once).
//!
//! Diff-aware modes shell out to `git`: they must agree exactly with what
//! `git diff` shows the user (merge base, pathspecs relative to the scanned
//! directory, rename handling, index extensions, worktrees, sparse
//! checkouts), git is always present where they run (CI, pre-commit), and
//! each needs only two commands. The history scan uses `gix` in-process:
//! it reads many objects, and walking the commits, skipping trees already
//! seen and reading each distinct blob once is what makes it linear in the
//! repository's objects rather than in commits × files.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gix::ObjectId;

use super::decode;
use crate::correlate::{FileIdentifiers, ProjectRoots, correlate};
use crate::engine::{Detected, Engine, identifiers};
use crate::output::HistoryOrigin;
use crate::report::{ScanError, ScanReport, ScanWarning, Skipped, Stats};
use crate::suppress::Suppressed;

/// A git problem, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git ({0}); diff-aware scans need git on PATH")]
    Spawn(std::io::Error),
    #[error("`git {args}` failed: {message}")]
    Command { args: String, message: String },
    #[error(
        "{what}, but this is a shallow clone: fetch the history with `git fetch --unshallow` \
         (GitHub Actions: actions/checkout with `fetch-depth: 0`; GitLab CI: `GIT_DEPTH: 0`)"
    )]
    Shallow { what: String },
    #[error("git: {0}")]
    Repo(String),
}

fn repo_err(e: impl std::fmt::Display) -> GitError {
    GitError::Repo(e.to_string())
}

/// Runs `git -C dir ARGS`, returning stdout.
fn git(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, GitError> {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(GitError::Spawn)?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // Written before reading: callers pass small inputs (object ids).
        pipe.write_all(input).map_err(GitError::Spawn)?;
    }
    let out = child.wait_with_output().map_err(GitError::Spawn)?;
    if !out.status.success() {
        return Err(GitError::Command {
            args: args.join(" "),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

fn is_shallow(dir: &Path) -> bool {
    git(dir, &["rev-parse", "--is-shallow-repository"], None)
        .is_ok_and(|o| String::from_utf8_lossy(&o).trim() == "true")
}

fn nul_split(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
}

/// The files under `dir` changed (added, copied, modified, type-changed)
/// between the merge base of `reference` and HEAD, and the working tree;
/// returns the merge base and the files (joined to `dir`).
pub fn changed_since(dir: &Path, reference: &str) -> Result<(String, Vec<PathBuf>), GitError> {
    let base = match git(dir, &["merge-base", reference, "HEAD"], None) {
        Ok(o) => String::from_utf8_lossy(&o).trim().to_string(),
        Err(e) if is_shallow(dir) => {
            return Err(GitError::Shallow {
                what: format!("no merge base with {reference} ({e})"),
            });
        }
        Err(e) => return Err(e),
    };
    let out = git(
        dir,
        &[
            "diff",
            "--name-only",
            "-z",
            "--no-renames",
            "--diff-filter=ACMT",
            "--relative",
            &base,
            "--",
        ],
        None,
    )?;
    let files = nul_split(&out).map(|p| dir.join(p)).collect();
    Ok((base, files))
}

/// The staged version (index blob) of every file under `dir` added, copied,
/// modified or type-changed in the index relative to HEAD: (path relative
/// to `dir`, contents). Submodules and symlinks are left out.
pub fn staged(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, GitError> {
    let out = git(
        dir,
        &[
            "diff",
            "--cached",
            "--raw",
            "-z",
            "--no-renames",
            "--diff-filter=ACMT",
            "--relative",
            "--no-abbrev",
        ],
        None,
    )?;
    // `:old-mode new-mode old-id new-id status\0path\0`, repeated.
    let fields: Vec<String> = nul_split(&out).collect();
    let mut wanted: Vec<(String, String)> = Vec::new();
    for pair in fields.chunks(2) {
        let [meta, path] = pair else { continue };
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        if let [_, mode, _, id, _] = parts.as_slice()
            && (mode.starts_with("100"))
        {
            wanted.push((path.clone(), (*id).to_string()));
        }
    }
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let input: String = wanted.iter().map(|(_, id)| format!("{id}\n")).collect();
    let batch = git(dir, &["cat-file", "--batch"], Some(input.as_bytes()))?;
    let mut rest = batch.as_slice();
    let mut files = Vec::with_capacity(wanted.len());
    for (path, _) in wanted {
        // `<id> blob <size>\n<contents>\n`
        let nl = memchr::memchr(b'\n', rest).ok_or_else(|| repo_err("short cat-file output"))?;
        let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| repo_err(format!("unexpected cat-file header {header:?}")))?;
        let start = nl + 1;
        let end = start + size;
        if rest.len() < end {
            return Err(repo_err("short cat-file output"));
        }
        files.push((path, rest[start..end].to_vec()));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    Ok(files)
}

/// Scans in-memory blobs (staged files, history) with the walker's rules:
/// files over the size cap are listed, binary files counted, the rest run
/// through the engine; identifiers are kept for correlation.
pub struct BlobScanner<'e, 'r> {
    engine: &'e Engine<'r>,
    max_filesize: u64,
    candidates: Vec<bool>,
    /// UTF-16/32 blobs transcoded to UTF-8.
    decoded: Vec<u8>,
    identifiers: BTreeMap<String, FileIdentifiers>,
    /// Directories holding a manifest blob.
    projects: ProjectRoots,
    /// Config blobs that did not parse (the scan is incomplete for them).
    errors: Vec<ScanError>,
    skipped: Vec<Skipped>,
    warnings: Vec<ScanWarning>,
    stats: Stats,
}

impl<'e, 'r> BlobScanner<'e, 'r> {
    /// A scanner with the walker's size cap.
    pub fn new(engine: &'e Engine<'r>, max_filesize: u64) -> Self {
        BlobScanner {
            engine,
            max_filesize,
            candidates: Vec::new(),
            decoded: Vec::new(),
            identifiers: BTreeMap::new(),
            projects: ProjectRoots::default(),
            errors: Vec::new(),
            skipped: Vec::new(),
            warnings: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Scans one blob reported as `path`; returns its findings and
    /// suppressed findings.
    pub fn scan(
        &mut self,
        path: &str,
        data: &[u8],
        sibling_exists: &dyn Fn(&str) -> bool,
    ) -> (Vec<Detected>, Vec<Suppressed>) {
        self.projects.note_file(path);
        if data.len() as u64 > self.max_filesize {
            self.too_large(path);
            return (Vec::new(), Vec::new());
        }
        let Some(text) = decode::text_of(data, &mut self.decoded) else {
            self.stats.skipped_binary += 1;
            return (Vec::new(), Vec::new());
        };
        self.stats.files_scanned += 1;
        self.stats.bytes_scanned += data.len() as u64;
        let r = self
            .engine
            .scan(path, text, sibling_exists, true, &mut self.candidates);
        if !r.findings.is_empty() {
            let ids = identifiers::extract(text);
            let slot = self.identifiers.entry(path.to_string()).or_default();
            slot.client_ids.extend(ids.client_ids);
            slot.technical_accounts.extend(ids.technical_accounts);
            slot.org_ids.extend(ids.org_ids);
            slot.metascopes.extend(ids.metascopes);
            slot.key_references.extend(ids.key_references);
            slot.key_fingerprints.extend(ids.key_fingerprints);
            slot.console_projects.extend(ids.console_projects);
        }
        self.errors
            .extend(r.errors.into_iter().map(|message| ScanError {
                path: path.to_string(),
                message,
            }));
        self.warnings
            .extend(r.warnings.into_iter().map(|(line, message)| ScanWarning {
                path: path.to_string(),
                line,
                message,
            }));
        (r.findings, r.suppressed)
    }

    fn too_large(&mut self, path: &str) {
        self.stats.skipped_too_large += 1;
        self.skipped.push(Skipped {
            path: path.to_string(),
            reason: format!("larger than --max-filesize ({} bytes)", self.max_filesize),
        });
    }

    /// The finished report: sorted, correlated.
    pub fn finish(
        self,
        mut findings: Vec<Detected>,
        mut suppressed: Vec<Suppressed>,
    ) -> ScanReport {
        findings.sort_by(|a, b| {
            (&a.finding.location, &a.finding.rule_id)
                .cmp(&(&b.finding.location, &b.finding.rule_id))
        });
        suppressed.sort_by(|a, b| {
            (&a.finding.location, &a.finding.rule_id)
                .cmp(&(&b.finding.location, &b.finding.rule_id))
        });
        let c = correlate(&mut findings, &self.identifiers, &self.projects);
        let mut skipped = self.skipped;
        skipped.sort();
        skipped.dedup();
        let mut errors = self.errors;
        errors.sort();
        errors.dedup();
        let mut warnings = self.warnings;
        warnings.sort();
        warnings.dedup();
        ScanReport {
            findings,
            suppressed,
            errors,
            skipped,
            warnings,
            stats: self.stats,
            groups: c.groups,
            unattributed: c.unattributed,
            repositories: Vec::new(),
        }
    }
}

/// Scans the staged files of `dir`.
pub fn scan_staged(
    engine: &Engine<'_>,
    dir: &Path,
    max_filesize: u64,
    filter: &dyn Fn(&str) -> bool,
) -> Result<ScanReport, GitError> {
    let files = staged(dir)?;
    let names: HashSet<String> = files.iter().map(|(p, _)| p.clone()).collect();
    let mut scanner = BlobScanner::new(engine, max_filesize);
    let (mut findings, mut suppressed) = (Vec::new(), Vec::new());
    for (path, data) in files.iter().filter(|(p, _)| filter(p)) {
        let parent = path.rsplit_once('/').map_or("", |(d, _)| d);
        let sibling = |name: &str| {
            let rel = if parent.is_empty() {
                name.to_string()
            } else {
                format!("{parent}/{name}")
            };
            names.contains(&rel) || dir.join(&rel).is_file()
        };
        let (f, s) = scanner.scan(path, data, &sibling);
        findings.extend(f);
        suppressed.extend(s);
    }
    Ok(scanner.finish(findings, suppressed))
}

/// A blob to scan in a history scan: where it first appeared.
struct FirstSeen {
    blob: ObjectId,
    path: String,
    commit: usize,
}

/// What a history scan found: the report, where each finding was
/// committed, and how much was read.
pub struct HistoryScan {
    pub report: ScanReport,
    pub origins: BTreeMap<String, HistoryOrigin>,
    pub commits: usize,
    pub blobs: usize,
}

/// Scans every blob reachable from any ref (and HEAD) of the repository
/// containing `dir`, each once, under the path and commit where it first
/// appeared (oldest commit first). A finding whose fingerprint no blob of
/// HEAD's tree produces is marked `removed`: it is gone from the current
/// code but still in the history. `tick` is called once per blob.
pub fn scan_history(
    engine: &Engine<'_>,
    dir: &Path,
    max_filesize: u64,
    filter: &dyn Fn(&str) -> bool,
    on_total: &dyn Fn(u64),
    tick: &dyn Fn(),
) -> Result<HistoryScan, GitError> {
    let repo = gix::discover(dir).map_err(repo_err)?;
    if repo.is_shallow().unwrap_or(false) {
        return Err(GitError::Shallow {
            what: "a history scan needs every commit".into(),
        });
    }
    let commits = commits_oldest_first(&repo)?;
    let mut seen_trees: HashSet<ObjectId> = HashSet::new();
    let mut seen_blobs: HashSet<ObjectId> = HashSet::new();
    let mut all_paths: HashSet<String> = HashSet::new();
    let mut blobs: Vec<FirstSeen> = Vec::new();
    let mut summaries = Vec::with_capacity(commits.len());
    for (i, id) in commits.iter().enumerate() {
        let commit = repo.find_commit(*id).map_err(repo_err)?;
        let summary = commit
            .message()
            .map(|m| m.summary().to_string())
            .unwrap_or_default();
        summaries.push(summary);
        let tree = commit.tree_id().map_err(repo_err)?.detach();
        let mut visit = |blob: ObjectId, path: String| {
            all_paths.insert(path.clone());
            if seen_blobs.insert(blob) {
                blobs.push(FirstSeen {
                    blob,
                    path,
                    commit: i,
                });
            }
        };
        walk_tree(&repo, tree, "", &mut seen_trees, &mut visit)?;
    }
    let head_blobs: HashSet<ObjectId> = match repo.head_tree_id() {
        Ok(t) => {
            let mut set = HashSet::new();
            walk_tree(&repo, t.detach(), "", &mut HashSet::new(), &mut |b, _| {
                set.insert(b);
            })?;
            set
        }
        Err(_) => HashSet::new(),
    };
    let selected: Vec<&FirstSeen> = blobs.iter().filter(|b| filter(&b.path)).collect();
    on_total(selected.len() as u64);
    let mut scanner = BlobScanner::new(engine, max_filesize);
    let mut findings: BTreeMap<String, (Detected, usize, bool)> = BTreeMap::new();
    let mut suppressed: BTreeMap<String, Suppressed> = BTreeMap::new();
    let mut present: HashSet<String> = HashSet::new();
    for b in selected {
        tick();
        let size = repo.find_header(b.blob).map_err(repo_err)?.size();
        if size > max_filesize {
            scanner.too_large(&b.path);
            continue;
        }
        let blob = repo.find_blob(b.blob).map_err(repo_err)?;
        let parent = b.path.rsplit_once('/').map_or("", |(d, _)| d);
        let sibling = |name: &str| {
            let rel = if parent.is_empty() {
                name.to_string()
            } else {
                format!("{parent}/{name}")
            };
            all_paths.contains(&rel)
        };
        let (f, s) = scanner.scan(&b.path, &blob.data, &sibling);
        let in_head = head_blobs.contains(&b.blob);
        for d in f {
            if in_head {
                present.insert(d.finding.fingerprint.clone());
            }
            findings
                .entry(d.finding.fingerprint.clone())
                .or_insert((d, b.commit, in_head));
        }
        for s in s {
            suppressed.entry(s.finding.fingerprint.clone()).or_insert(s);
        }
    }
    let mut origins = BTreeMap::new();
    let mut list = Vec::with_capacity(findings.len());
    for (fp, (mut d, commit, _)) in findings {
        let removed = !present.contains(&fp);
        let short: String = commits[commit].to_string().chars().take(12).collect();
        if removed {
            d.finding.message = format!(
                "Committed in {short} ({}) and later removed, but still in the git history: \
                 this credential material is exposed; rotate it or delete the credential. {}",
                d.finding.location.path, d.finding.message
            );
        }
        origins.insert(
            fp,
            HistoryOrigin {
                commit: short,
                summary: crate::redact::redact_text(&summaries[commit]).into_owned(),
                path: d.finding.location.path.clone(),
                removed,
            },
        );
        list.push(d);
    }
    let report = scanner.finish(list, suppressed.into_values().collect());
    Ok(HistoryScan {
        report,
        origins,
        commits: commits.len(),
        blobs: blobs.len(),
    })
}

/// Every commit reachable from a ref or HEAD, oldest first (ties by id).
fn commits_oldest_first(repo: &gix::Repository) -> Result<Vec<ObjectId>, GitError> {
    let mut tips: Vec<ObjectId> = Vec::new();
    if let Ok(head) = repo.head_id() {
        tips.push(head.detach());
    }
    let refs = repo.references().map_err(repo_err)?;
    for r in refs.all().map_err(repo_err)?.flatten() {
        let mut r = r;
        if let Ok(id) = r.peel_to_id()
            && repo
                .find_header(id.detach())
                .is_ok_and(|h| h.kind() == gix::object::Kind::Commit)
        {
            tips.push(id.detach());
        }
    }
    tips.sort();
    tips.dedup();
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let walk = repo.rev_walk(tips).all().map_err(repo_err)?;
    let mut commits: Vec<(i64, ObjectId)> = Vec::new();
    for info in walk {
        let info = info.map_err(repo_err)?;
        let time = repo
            .find_commit(info.id)
            .and_then(|c| c.time())
            .map_or(0, |t| t.seconds);
        commits.push((time, info.id));
    }
    commits.sort();
    Ok(commits.into_iter().map(|(_, id)| id).collect())
}

/// Visits every blob (regular or executable file) under `tree`, skipping
/// trees already in `seen` (their blobs were visited before).
fn walk_tree(
    repo: &gix::Repository,
    tree: ObjectId,
    prefix: &str,
    seen: &mut HashSet<ObjectId>,
    visit: &mut dyn FnMut(ObjectId, String),
) -> Result<(), GitError> {
    if !seen.insert(tree) {
        return Ok(());
    }
    let t = repo.find_tree(tree).map_err(repo_err)?;
    let decoded = t.decode().map_err(repo_err)?;
    let entries: Vec<(bool, bool, String, ObjectId)> = decoded
        .entries
        .iter()
        .map(|e| {
            let name = e.filename.to_string();
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            (e.mode.is_tree(), e.mode.is_blob(), path, e.oid.to_owned())
        })
        .collect();
    for (is_tree, is_blob, path, id) in entries {
        if is_tree {
            walk_tree(repo, id, &path, seen, visit)?;
        } else if is_blob {
            visit(id, path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A staged or historical config blob that does not parse is an error
    /// of the report (it was dropped); a UTF-16 blob is decoded.
    #[test]
    fn blob_errors_are_reported_and_wide_text_decoded() {
        let set = crate::rules::load(&[], false).expect("rules load");
        let engine = Engine::new(&set, jiff::civil::date(2026, 11, 23), 90);
        let mut scanner = BlobScanner::new(&engine, 1 << 20);
        let no = |_: &str| false;
        let (f, _) = scanner.scan("a/bad.json", b"{\"meta_scopes\": [1,\n", &no);
        assert!(f.is_empty());
        let mut wide = vec![0xFF, 0xFE];
        for u in "x = 1\nu = \"/ims/exchange/jwt\"\n".encode_utf16() {
            wide.extend(u.to_le_bytes());
        }
        let (f, _) = scanner.scan("b.py", &wide, &no);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].finding.location.line, 2);
        let report = scanner.finish(Vec::new(), Vec::new());
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_eq!(report.errors[0].path, "a/bad.json");
        assert_eq!(report.stats.skipped_binary, 0);
    }
}
