//! Shallow clones into the repository cache with gix, reused next time.
//!
//! A URL's credentials never reach the disk: gix is given the URL without
//! them (so `.git/config`, reflogs and gix's error messages hold the clean
//! URL) and the user name and token through a credentials callback. Every
//! error message is scrubbed of them as well.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gix::remote::Direction;
use gix::remote::fetch::Shallow;

use super::url::{redact_url, scrub};

/// A clone in the cache, ready to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cloned {
    pub dir: PathBuf,
    /// The cache already held this commit: nothing was cloned.
    pub reused: bool,
}

/// Clones `url` into `dest` (depth 1 unless `history`), or reuses the clone
/// already there when the remote's HEAD is the commit it holds (a clone of
/// another commit, or a shallow one when `history` wants every commit, is
/// cloned again). Errors are one line, without credentials.
pub fn clone_or_reuse(url: &str, dest: &Path, history: bool) -> Result<Cloned, String> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        let msg = format!("{what}: {e}").replace('\n', " ");
        scrub(&msg, url)
    };
    let (clean, creds) = split_credentials(url);
    if dest.join(".git").is_dir() {
        match up_to_date(&clean, creds.as_ref(), dest, history) {
            Ok(true) => {
                return Ok(Cloned {
                    dir: dest.to_path_buf(),
                    reused: true,
                });
            }
            Ok(false) => {}
            Err(e) => return Err(fail("fetch failed", &chain(&e))),
        }
    }
    if dest.exists() {
        std::fs::remove_dir_all(dest).map_err(|e| {
            fail(
                &format!("cannot replace the cached clone {}", dest.display()),
                &crate::scan::io_reason(&e),
            )
        })?;
    }
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            fail(
                &format!("cannot create {}", parent.display()),
                &crate::scan::io_reason(&e),
            )
        })?;
    }
    match fresh_clone(&clean, creds, dest, history) {
        Ok(()) => Ok(Cloned {
            dir: dest.to_path_buf(),
            reused: false,
        }),
        Err(e) => {
            // A half-written clone must not pass for a cached one next time.
            let _ = std::fs::remove_dir_all(dest);
            Err(fail("clone failed", &chain(&e)))
        }
    }
}

/// An error and its causes, `outer: inner: ...` (repeats dropped).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(e);
    while let Some(err) = cur {
        let s = err.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    parts.join(": ")
}

/// User name and token of a URL, kept apart from it.
#[derive(Clone)]
struct Credentials {
    user: String,
    password: String,
}

/// The URL without credentials, and the credentials.
fn split_credentials(url: &str) -> (String, Option<Credentials>) {
    let clean = redact_url(url);
    if clean == url || !url.contains("://") {
        return (url.to_string(), None);
    }
    let creds = ::url::Url::parse(url).ok().map(|u| {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let (user, password) = match u.password() {
            Some(p) => (decode(u.username()), decode(p)),
            // A token alone as the user name (GitHub accepts it either way).
            None => ("x-access-token".to_string(), decode(u.username())),
        };
        Credentials { user, password }
    });
    (clean, creds)
}

/// gix's credentials callback answering with `creds` (nothing to store).
fn helper(
    creds: Credentials,
) -> impl FnMut(
    gix::credentials::helper::Action,
) -> gix::Result<Option<gix::credentials::protocol::Outcome>> {
    move |action| match action {
        gix::credentials::helper::Action::Get(ctx) => {
            Ok(Some(gix::credentials::protocol::Outcome {
                identity: gix::sec::identity::Account {
                    username: creds.user.clone(),
                    password: creds.password.clone(),
                    oauth_refresh_token: None,
                },
                next: ctx.into(),
            }))
        }
        _ => Ok(None),
    }
}

fn depth(history: bool) -> Shallow {
    if history {
        Shallow::NoChange
    } else {
        Shallow::DepthAtRemote(NonZeroU32::MIN)
    }
}

fn fresh_clone(
    clean: &str,
    creds: Option<Credentials>,
    dest: &Path,
    history: bool,
) -> Result<(), gix::Error> {
    let interrupt = AtomicBool::new(false);
    let mut prepare = gix::prepare_clone(clean, dest)?.with_shallow(depth(history));
    if let Some(c) = creds {
        prepare = prepare.configure_connection(move |conn| {
            conn.set_credentials(helper(c.clone()));
            Ok(())
        });
    }
    let (mut checkout, _) = prepare.fetch_then_checkout(gix::progress::Discard, &interrupt)?;
    checkout.main_worktree(gix::progress::Discard, &interrupt)?;
    Ok(())
}

/// Whether the clone in `dest` holds the remote's HEAD commit (and, for
/// `history`, every commit): asks the remote for its refs only.
fn up_to_date(
    clean: &str,
    creds: Option<&Credentials>,
    dest: &Path,
    history: bool,
) -> Result<bool, gix::Error> {
    let Ok(repo) = gix::open(dest) else {
        return Ok(false);
    };
    if history && repo.is_shallow().unwrap_or(true) {
        return Ok(false);
    }
    let Ok(local) = repo.head_id() else {
        return Ok(false);
    };
    let remote = repo
        .remote_at(clean)?
        .with_refspecs(Some("+HEAD:refs/remotes/origin/HEAD"), Direction::Fetch)?;
    let mut conn = remote.connect(Direction::Fetch)?;
    if let Some(c) = creds {
        conn.set_credentials(helper(c.clone()));
    }
    let prepare = conn.prepare_fetch(gix::progress::Discard, Default::default())?;
    let remote_head = prepare
        .ref_map()
        .remote_refs
        .iter()
        .map(|r| r.unpack())
        .find(|(name, _, _)| *name == "HEAD")
        .and_then(|(_, target, peeled)| peeled.or(target).map(|o| o.to_owned()));
    Ok(remote_head == Some(local.detach()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_split_off_the_url() {
        let (clean, c) = split_credentials("https://bob:ghp_x%2Fy@github.com/o/r");
        assert_eq!(clean, "https://github.com/o/r");
        let c = c.expect("credentials");
        assert_eq!((c.user.as_str(), c.password.as_str()), ("bob", "ghp_x/y"));
        let (_, c) = split_credentials("https://ghp_tok@github.com/o/r");
        assert_eq!(c.expect("token").password, "ghp_tok");
        let (clean, c) = split_credentials("file:///tmp/o/r");
        assert_eq!(clean, "file:///tmp/o/r");
        assert!(c.is_none());
    }
}
