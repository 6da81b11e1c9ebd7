//! Repositories of a scan: the git repositories a scanned tree holds (side by
//! side or nested), each with a name, its root (relative to the scan root),
//! its HEAD commit and its `origin` URL with any credentials stripped.
//!
//! A finding belongs to the repository whose root is its path's longest
//! prefix. Names come from `--repository NAME`, else the `origin` remote
//! (`owner/name`), else the root directory's name. Read with `gix`: no git
//! process is started.

use std::path::Path;

/// One git repository of a scan (or of a merged report).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Repository {
    /// `owner/name` from the `origin` remote, `--repository`, or the root
    /// directory's name.
    pub name: String,
    /// Relative to the scan root, `/` separators, `.` for the root itself.
    pub root: String,
    /// HEAD's commit id (hex), when there is one.
    pub commit: Option<String>,
    /// The `origin` URL, credentials stripped.
    pub url: Option<String>,
}

/// Whether a repository's findings show JWT use, only migrated code, a
/// scan that did not finish, or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RepoStatus {
    /// At least one finding that counts for the gate.
    JwtInUse,
    /// Only informational findings (OAuth Server-to-Server, AEM service
    /// credentials): nothing of the JWT credential is left.
    Migrated,
    /// No finding that counts for the gate, but part of it was not scanned
    /// (a clone that failed, a file that could not be read, a config that
    /// does not parse): it cannot be called migrated or clean.
    Incomplete,
    /// No findings.
    Clean,
}

impl RepoStatus {
    /// The name used in every format.
    pub fn as_str(self) -> &'static str {
        match self {
            RepoStatus::JwtInUse => "jwt-in-use",
            RepoStatus::Migrated => "migrated",
            RepoStatus::Incomplete => "incomplete",
            RepoStatus::Clean => "clean",
        }
    }

    /// Parses [`RepoStatus::as_str`].
    pub fn parse(s: &str) -> Option<RepoStatus> {
        [
            RepoStatus::JwtInUse,
            RepoStatus::Migrated,
            RepoStatus::Incomplete,
            RepoStatus::Clean,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// Reads the repository whose work tree is `dir`, reported at `root`. A
/// repository gix cannot open is still listed, without commit or URL.
pub fn read(dir: &Path, root: &str) -> Repository {
    let root = if root.is_empty() { "." } else { root };
    let (commit, url) = match gix::open(dir) {
        Ok(repo) => {
            let commit = repo.head_id().ok().map(|id| id.to_string());
            let url = repo
                .config_snapshot()
                .string("remote.origin.url")
                .map(|u| strip_credentials(&u.to_string()));
            (commit, url)
        }
        Err(_) => (None, None),
    };
    let name = url
        .as_deref()
        .and_then(name_from_url)
        .unwrap_or_else(|| dir_name(dir, root));
    Repository {
        name,
        root: root.to_string(),
        commit,
        url,
    }
}

fn dir_name(dir: &Path, root: &str) -> String {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    abs.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| root.rsplit('/').next().map(str::to_string))
        .filter(|n| !n.is_empty() && n != ".")
        .unwrap_or_else(|| "repository".to_string())
}

/// Removes `user:password@` (or `token@`) from a URL: a remote URL may hold
/// an access token, which no output may show. scp-like `git@host:path` keeps
/// its user (`git` is no secret), any other user part is dropped.
pub fn strip_credentials(url: &str) -> String {
    let url = url.trim();
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        return format!("{scheme}://{host}{path}");
    }
    // scp-like: [user@]host:path
    if let Some((user, rest)) = url.split_once('@')
        && rest.contains(':')
        && !user.contains('/')
    {
        return if user == "git" {
            url.to_string()
        } else {
            rest.to_string()
        };
    }
    url.to_string()
}

/// `owner/name` from a remote URL (`https://host/owner/name.git`,
/// `git@host:owner/name.git`, `ssh://git@host/owner/name`); the last two
/// path segments, so GitLab subgroups give `group/name`.
pub fn name_from_url(url: &str) -> Option<String> {
    let url = strip_credentials(url);
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map(|(_, p)| p)?.to_string(),
        None => match url.split_once(':') {
            Some((_, p)) => p.to_string(),
            None => url.clone(),
        },
    };
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        [.., owner, name] => Some(format!("{owner}/{name}")),
    }
}

/// The repository a reported path belongs to: the one whose root is its
/// longest prefix (`.` holds every path).
pub fn of<'a>(repos: &'a [Repository], path: &str) -> Option<&'a Repository> {
    repos
        .iter()
        .filter(|r| contains(&r.root, path))
        .max_by_key(|r| if r.root == "." { 0 } else { r.root.len() })
}

/// The deepest root above a reported path (`path` itself first when
/// `self_too`), by `find` on each ancestor directory and then on `.`: the
/// lookup of roots kept sorted (one binary search per ancestor).
pub fn deepest<'a, T>(
    path: &str,
    self_too: bool,
    find: impl Fn(&str) -> Option<&'a T>,
) -> Option<&'a T> {
    if self_too && let Some(r) = find(path) {
        return Some(r);
    }
    let mut dir = path;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        if let Some(r) = find(parent) {
            return Some(r);
        }
        dir = parent;
    }
    find(".")
}

/// Whether `path` is under repository root `root`.
pub fn contains(root: &str, path: &str) -> bool {
    root == "."
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A path relative to its repository's root.
pub fn relative<'a>(root: &str, path: &'a str) -> &'a str {
    if root == "." {
        return path;
    }
    path.strip_prefix(root)
        .and_then(|r| r.strip_prefix('/'))
        .unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_stripped() {
        assert_eq!(
            strip_credentials("https://x-access-token:ghp_abc123@github.com/acme/svc.git"),
            "https://github.com/acme/svc.git"
        );
        assert_eq!(
            strip_credentials("https://tok@gitlab.example/a/b"),
            "https://gitlab.example/a/b"
        );
        assert_eq!(
            strip_credentials("git@github.com:acme/svc.git"),
            "git@github.com:acme/svc.git"
        );
        assert_eq!(
            strip_credentials("deploy:s3cret@host:acme/svc.git"),
            "host:acme/svc.git"
        );
        assert_eq!(strip_credentials("ssh://git:pw@host/a/b"), "ssh://host/a/b");
        assert_eq!(strip_credentials("/srv/git/a"), "/srv/git/a");
    }

    #[test]
    fn names_from_urls() {
        for (url, name) in [
            ("https://github.com/acme/svc.git", "acme/svc"),
            ("https://u:t@github.com/acme/svc", "acme/svc"),
            ("git@github.com:acme/svc.git", "acme/svc"),
            ("ssh://git@host:22/acme/svc/", "acme/svc"),
            ("https://gitlab.com/g/sub/svc.git", "sub/svc"),
            ("file:///tmp/x/svc.git", "x/svc"),
        ] {
            assert_eq!(name_from_url(url).as_deref(), Some(name), "{url}");
        }
        assert_eq!(name_from_url("https://host/"), None);
    }

    #[test]
    fn paths_belong_to_the_deepest_root() {
        let r = |root: &str| Repository {
            name: root.to_string(),
            root: root.to_string(),
            commit: None,
            url: None,
        };
        let repos = vec![r("."), r("a"), r("a/b"), r("ab")];
        assert_eq!(of(&repos, "a/b/c.js").map(|r| r.root.as_str()), Some("a/b"));
        assert_eq!(of(&repos, "a/bc.js").map(|r| r.root.as_str()), Some("a"));
        assert_eq!(of(&repos, "ab/x").map(|r| r.root.as_str()), Some("ab"));
        assert_eq!(of(&repos, "x").map(|r| r.root.as_str()), Some("."));
        assert_eq!(of(&repos[1..], "x"), None);
        assert_eq!(relative("a/b", "a/b/c.js"), "c.js");
        assert_eq!(relative(".", "c.js"), "c.js");
    }
}
