//! The opt-in token cache for `jwt2oauth token`: one JSON file per client id,
//! client secret, scopes and IMS URL, written with 0600 permissions in a 0700
//! directory, and reused while more than 10 minutes remain (as aio-lib-ims
//! does).
//!
//! The file name is an HMAC-SHA256, under a random 32-byte key kept beside
//! the entries (`hmac.key`, 0600, made on first use), of the client id, the
//! secret, the scopes and the IMS URL: a changed (or wrong) secret misses
//! the cache, and neither the secret nor an unkeyed hash of it (which a
//! guessed secret could be checked against) is ever written.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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

/// The file beside the entries holding the HMAC key.
pub const KEY_FILE: &str = "hmac.key";
const KEY_LEN: usize = 32;

/// The cache key: an HMAC-SHA256 under `hmac_key` of the client id, the
/// client secret, the sorted scopes and the IMS URL (length-prefixed, so no
/// two inputs run together).
pub fn key(
    hmac_key: &[u8],
    client_id: &str,
    secret: &Secret,
    scopes: &[String],
    ims_url: &str,
) -> String {
    let mut s = scopes.to_vec();
    s.sort();
    s.dedup();
    let scopes = s.join(",");
    let k = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, hmac_key);
    let mut ctx = aws_lc_rs::hmac::Context::with_key(&k);
    for part in [client_id, secret.expose(), &scopes, ims_url] {
        ctx.update(&(part.len() as u64).to_le_bytes());
        ctx.update(part.as_bytes());
    }
    ctx.sign()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The cache's HMAC key: read from `dir/hmac.key`, or made (32 random
/// bytes, file mode 0600, directory 0700) when missing or malformed. A new
/// key orphans the old entries: they simply miss.
pub fn hmac_key(dir: &Path) -> Result<Vec<u8>, VerifyError> {
    let path = dir.join(KEY_FILE);
    if let Ok(k) = std::fs::read(&path)
        && k.len() == KEY_LEN
    {
        return Ok(k);
    }
    let err = |e: std::io::Error| VerifyError::Cache(format!("{}: {e}", dir.display()));
    create_private_dir(dir).map_err(err)?;
    let mut k = vec![0u8; KEY_LEN];
    aws_lc_rs::rand::fill(&mut k)
        .map_err(|_| VerifyError::Cache("no random bytes for the cache key".into()))?;
    let tmp = dir.join(format!(".{KEY_FILE}.{}.tmp", std::process::id()));
    let mut f = open_private(&tmp).map_err(err)?;
    f.write_all(&k).map_err(err)?;
    f.sync_all().map_err(err)?;
    std::fs::rename(&tmp, &path).map_err(err)?;
    // Another process may have won the race: use whatever is there now.
    match std::fs::read(&path) {
        Ok(on_disk) if on_disk.len() == KEY_LEN => Ok(on_disk),
        _ => Ok(k),
    }
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
    fn key_ignores_scope_order_but_not_client_secret_host_or_hmac_key() {
        let (k, sec) = ([7u8; 32], Secret::new("p8e-secret"));
        let a = key(&k, "cid", &sec, &s(&["b", "a"]), "https://ims");
        assert_eq!(a, key(&k, "cid", &sec, &s(&["a", "b"]), "https://ims"));
        assert_ne!(a, key(&k, "cid2", &sec, &s(&["a", "b"]), "https://ims"));
        assert_ne!(
            a,
            key(&k, "cid", &sec, &s(&["a", "b"]), "http://127.0.0.1:1")
        );
        let wrong = Secret::new("p8e-wrong");
        assert_ne!(a, key(&k, "cid", &wrong, &s(&["a", "b"]), "https://ims"));
        assert_ne!(
            a,
            key(&[8u8; 32], "cid", &sec, &s(&["a", "b"]), "https://ims")
        );
        assert!(!a.contains("secret"));
    }

    #[test]
    fn hmac_key_is_random_kept_and_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path().join("cache");
        let k1 = hmac_key(&d).expect("made");
        assert_eq!(k1.len(), 32);
        assert_eq!(hmac_key(&d).expect("read"), k1);
        let other = tempfile::tempdir().expect("tempdir");
        assert_ne!(hmac_key(other.path()).expect("made"), k1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(d.join(KEY_FILE))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn tokens_are_reused_while_more_than_ten_minutes_remain() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path().join("cache");
        let k = key(
            &[1u8; 32],
            "cid",
            &Secret::new("x"),
            &s(&["openid"]),
            "https://ims",
        );
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
