//! Local fleet mode: `scan --repos FILE` scans many repositories in one run.
//!
//! Each line of the list is a local path (scanned in place) or a git URL
//! (cloned shallowly into the repository cache with gix, reused next time:
//! [`clone`]). A repository that cannot be had (a clone error, a missing
//! path) does not stop the others: it becomes an entry of the report's
//! `errors`, so the gate says the scan was incomplete, never a silent pass.
//! URLs are shown only without their credentials ([`url::redact_url`]).

pub mod clone;
pub mod list;
pub mod url;

use std::path::{Path, PathBuf};

use crate::scan::ScanError;
use list::{Entry, Spec};

/// A repository ready to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// `owner/name`: from the URL, or a local checkout's `origin` remote,
    /// else its directory name. Unique within one run; its files are
    /// reported under it (`owner/name/src/app.js`).
    pub name: String,
    pub dir: PathBuf,
    /// The URL without credentials, for a cloned repository.
    pub url: Option<String>,
    /// The cache already held its current commit.
    pub reused: bool,
}

/// The repositories of a list, and the entries that failed.
#[derive(Debug, Default)]
pub struct Resolved {
    pub repositories: Vec<Repository>,
    pub errors: Vec<ScanError>,
}

/// The repository cache: `--repos-cache DIR`, else
/// `$XDG_CACHE_HOME/jwt2oauth/repos`, else `$HOME/.cache/jwt2oauth/repos`.
pub fn cache_dir(
    flag: Option<&Path>,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<PathBuf, String> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    if let Some(x) = var("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(x).join("jwt2oauth").join("repos"));
    }
    var("HOME")
        .filter(|v| !v.is_empty())
        .map(|h| PathBuf::from(h).join(".cache/jwt2oauth/repos"))
        .ok_or_else(|| "no cache directory for --repos: give --repos-cache DIR".to_string())
}

/// Makes every entry of `list` (read from `list_name`) a local directory:
/// paths as they are, URLs cloned into `cache` (depth 1 unless `history`).
/// `each(i, shown)` is called before entry `i` (for progress).
pub fn resolve(
    list: &[Entry],
    list_name: &str,
    cache: &Path,
    history: bool,
    each: &dyn Fn(usize, &str),
) -> Resolved {
    let mut out = Resolved::default();
    for (i, entry) in list.iter().enumerate() {
        let shown = entry.shown();
        each(i, &shown);
        let at = format!("{list_name}:{}", entry.line);
        let got = match &entry.spec {
            Spec::Path(p) => local(p).map_err(|m| format!("{at}: {m}")),
            Spec::Url(u) => {
                let dest = cache.join(url::cache_dir_name(u));
                clone::clone_or_reuse(u, &dest, history)
                    .map(|c| Repository {
                        name: url::repo_name(u),
                        dir: c.dir,
                        url: Some(url::redact_url(u)),
                        reused: c.reused,
                    })
                    .map_err(|m| format!("{at}: {shown}: {m}"))
            }
        };
        match got {
            Ok(mut r) => {
                r.name = unique(&out.repositories, &r.name);
                out.repositories.push(r);
            }
            Err(message) => out.errors.push(ScanError {
                path: shown,
                message,
            }),
        }
    }
    out
}

/// A local checkout, named after its `origin` remote or its directory.
fn local(p: &Path) -> Result<Repository, String> {
    match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(format!("{}: not a directory", p.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("{}: no such directory", p.display()));
        }
        Err(e) => {
            return Err(format!(
                "{}: cannot read: {}",
                p.display(),
                crate::scan::io_reason(&e)
            ));
        }
    }
    let origin = gix::open(p).ok().and_then(|repo| {
        let remote = repo.find_remote("origin").ok()?;
        let u = remote.url(gix::remote::Direction::Fetch)?;
        Some(u.to_bstring().to_string())
    });
    let name = match &origin {
        Some(u) => url::repo_name(u),
        None => std::fs::canonicalize(p)
            .ok()
            .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "repository".to_string()),
    };
    Ok(Repository {
        name,
        dir: p.to_path_buf(),
        url: origin.map(|u| url::redact_url(&u)),
        reused: false,
    })
}

/// `name`, or `name~2`, `name~3`... when another repository has it.
fn unique(taken: &[Repository], name: &str) -> String {
    let used = |n: &str| taken.iter().any(|r| r.name == n);
    if !used(name) {
        return name.to_string();
    }
    (2..)
        .map(|i| format!("{name}~{i}"))
        .find(|n| !used(n))
        .unwrap_or_else(|| name.to_string())
}

/// What `scan --repos` walks.
#[derive(Debug, Default)]
pub struct FleetScan {
    pub paths: Vec<PathBuf>,
    /// Each path's repository name, when there are several.
    pub labels: Option<Vec<String>>,
    pub repositories: Vec<Repository>,
    /// Entries that could not be cloned or read.
    pub errors: Vec<ScanError>,
    /// With several entries: a repository for each of `errors` (same
    /// order), named as it would have been and rooted at its name, so the
    /// report lists it (status `incomplete`) and its error lies in it.
    pub failed: Vec<crate::repository::Repository>,
    /// A one-entry list whose repository failed: still named in the report
    /// (at root `.`), so a merge of per-repository reports lists it.
    pub failed_alone: Option<crate::repository::Repository>,
}

impl FleetScan {
    /// (root as reported, name, directory) of each repository: `.` for a
    /// single one, its name for several.
    pub fn roots(&self) -> Vec<(String, String, PathBuf)> {
        self.repositories
            .iter()
            .map(|r| {
                let root = match self.labels {
                    Some(_) => r.name.clone(),
                    None => ".".to_string(),
                };
                (root, r.name.clone(), r.dir.clone())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_dir_follows_flag_then_xdg_then_home() {
        let none = |_: &str| None;
        assert_eq!(
            cache_dir(Some(Path::new("/c")), &none),
            Ok(PathBuf::from("/c"))
        );
        let xdg = |k: &str| (k == "XDG_CACHE_HOME").then(|| "/x".to_string());
        assert_eq!(
            cache_dir(None, &xdg),
            Ok(PathBuf::from("/x/jwt2oauth/repos"))
        );
        let home = |k: &str| (k == "HOME").then(|| "/h".to_string());
        assert_eq!(
            cache_dir(None, &home),
            Ok(PathBuf::from("/h/.cache/jwt2oauth/repos"))
        );
        assert!(cache_dir(None, &none).is_err());
    }

    #[test]
    fn missing_paths_and_bad_urls_are_errors_naming_the_line() {
        let tmp = std::env::temp_dir().join(format!("jwt2oauth-fleet-{}", std::process::id()));
        let list = list::parse(
            "/nonexistent/jwt2oauth/x\nfile:///nonexistent/jwt2oauth/o/r\n",
            Path::new("/"),
        );
        let r = resolve(&list, "repos.txt", &tmp, false, &|_, _| {});
        assert!(r.repositories.is_empty());
        assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
        assert!(r.errors[0].message.starts_with("repos.txt:1: "));
        assert!(r.errors[0].message.contains("no such directory"));
        assert!(
            r.errors[1]
                .message
                .starts_with("repos.txt:2: file:///nonexistent/jwt2oauth/o/r: clone failed"),
            "{}",
            r.errors[1].message
        );
        let _ = std::fs::remove_dir_all(tmp);
    }

    #[test]
    fn names_are_made_unique() {
        let r = |n: &str| Repository {
            name: n.into(),
            dir: PathBuf::new(),
            url: None,
            reused: false,
        };
        assert_eq!(unique(&[r("o/a")], "o/b"), "o/b");
        assert_eq!(unique(&[r("o/a"), r("o/a~2")], "o/a"), "o/a~3");
    }
}
