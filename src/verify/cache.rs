//! The opt-in token cache for `jwt2oauth token`: one JSON file per client id,
//! scopes and IMS URL, written with 0600 permissions in a 0700 directory, and
//! reused while more than 10 minutes remain (as aio-lib-ims does).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::VerifyError;
use super::env::Env;
use super::secret::Secret;

/// A cached token is reused only while more than this many seconds remain.
pub const MIN_REMAINING_SECS: i64 = 600;

#[derive(Serialize, Deserialize)]
struct Entry {
    client_id: String,
    scopes: Vec<String>,
    ims_url: String,
    access_token: String,
    expires_at: i64,
}

/// The cache directory: `--cache-dir`, `JWT2OAUTH_CACHE_DIR`,
/// `$XDG_CACHE_HOME/jwt2oauth`, or `$HOME/.cache/jwt2oauth`.
pub fn dir(flag: Option<&Path>, env: &dyn Env) -> Result<PathBuf, VerifyError> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = env.var("JWT2OAUTH_CACHE_DIR") {
        return Ok(PathBuf::from(p));
    }
    if let Some(p) = env.var("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(p).join("jwt2oauth"));
    }
    env.var("HOME")
        .map(|h| PathBuf::from(h).join(".cache").join("jwt2oauth"))
        .ok_or_else(|| VerifyError::Cache("no cache directory: set JWT2OAUTH_CACHE_DIR".into()))
}

/// The cache key: client id, sorted scopes and IMS URL, hashed.
pub fn key(client_id: &str, scopes: &[String], ims_url: &str) -> String {
    let mut s = scopes.to_vec();
    s.sort();
    s.dedup();
    let mut h = Sha256::new();
    h.update(format!("{client_id}\n{}\n{ims_url}", s.join(",")).as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A cached token with more than [`MIN_REMAINING_SECS`] left, if any.
pub fn get(dir: &Path, key: &str, now_secs: i64) -> Option<Secret> {
    let text = std::fs::read_to_string(dir.join(format!("{key}.json"))).ok()?;
    let e: Entry = serde_json::from_str(&text).ok()?;
    (e.expires_at - now_secs > MIN_REMAINING_SECS).then(|| Secret::new(e.access_token))
}

/// Stores a token (file mode 0600, directory 0700).
#[allow(clippy::too_many_arguments)]
pub fn put(
    dir: &Path,
    key: &str,
    client_id: &str,
    scopes: &[String],
    ims_url: &str,
    token: &Secret,
    expires_at: i64,
) -> Result<(), VerifyError> {
    let err = |e: std::io::Error| VerifyError::Cache(format!("{}: {e}", dir.display()));
    create_private_dir(dir).map_err(err)?;
    let entry = Entry {
        client_id: client_id.to_string(),
        scopes: scopes.to_vec(),
        ims_url: ims_url.to_string(),
        access_token: token.expose().to_string(),
        expires_at,
    };
    let body = serde_json::to_vec(&entry).map_err(|e| VerifyError::Cache(e.to_string()))?;
    let final_path = dir.join(format!("{key}.json"));
    let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
    let mut f = open_private(&tmp).map_err(err)?;
    f.write_all(&body).map_err(err)?;
    f.sync_all().map_err(err)?;
    std::fs::rename(&tmp, &final_path).map_err(err)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn open_private(p: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(p)
}

#[cfg(not(unix))]
fn open_private(p: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_string()).collect()
    }

    #[test]
    fn key_ignores_scope_order_but_not_client_or_host() {
        let a = key("cid", &s(&["b", "a"]), "https://ims");
        assert_eq!(a, key("cid", &s(&["a", "b"]), "https://ims"));
        assert_ne!(a, key("cid2", &s(&["a", "b"]), "https://ims"));
        assert_ne!(a, key("cid", &s(&["a", "b"]), "http://127.0.0.1:1"));
    }

    #[test]
    fn tokens_are_reused_while_more_than_ten_minutes_remain() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path().join("cache");
        let k = key("cid", &s(&["openid"]), "https://ims");
        put(
            &d,
            &k,
            "cid",
            &s(&["openid"]),
            "https://ims",
            &Secret::new("tok"),
            10_000,
        )
        .expect("put");
        assert_eq!(
            get(&d, &k, 10_000 - 601).map(|t| t.expose().to_string()),
            Some("tok".into())
        );
        assert!(get(&d, &k, 10_000 - 600).is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(d.join(format!("{k}.json")))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
