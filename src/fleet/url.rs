//! Git URLs of a repository list: which lines are URLs, the URL without its
//! credentials (the only form ever printed, logged or stored), the
//! repository name (`owner/name`) and the cache directory's name.

use sha2::{Digest, Sha256};

/// Whether a list line is a git URL (`https://`, `http://`, `ssh://`,
/// `git://`, `file://`, or scp-like `user@host:path`) rather than a path.
pub fn is_url(s: &str) -> bool {
    const SCHEMES: &[&str] = &["https://", "http://", "ssh://", "git://", "file://"];
    let lower = s.to_ascii_lowercase();
    SCHEMES.iter().any(|p| lower.starts_with(p)) || scp_like(s).is_some()
}

/// `user@host:path` (no scheme, no `/` before the colon): (userinfo, host, path).
fn scp_like(s: &str) -> Option<(&str, &str, &str)> {
    if s.contains("://") {
        return None;
    }
    let (user, rest) = s.split_once('@')?;
    let (host, path) = rest.split_once(':')?;
    if user.is_empty() || host.is_empty() || user.contains('/') || host.contains('/') {
        return None;
    }
    Some((user, host, path))
}

/// The URL with any password or token removed: `https://user:ghp_x@host/p`
/// becomes `https://host/p` (the user name goes too: tokens are often
/// passed as the user name alone); scp-like `git@host:path` keeps `git@`.
pub fn redact_url(url: &str) -> String {
    crate::repository::strip_credentials(url)
}

/// The secret parts of a URL's userinfo (user name and password, raw and
/// percent-decoded), for scrubbing them out of third-party error messages.
fn secrets(url: &str) -> Vec<String> {
    let userinfo = match scp_like(url) {
        Some((user, _, _)) if user.contains(':') => user,
        Some(_) => return Vec::new(),
        None => {
            let Some(i) = url.find("://") else {
                return Vec::new();
            };
            let rest = &url[i + 3..];
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..end].rfind('@') {
                Some(at) => &rest[..at],
                None => return Vec::new(),
            }
        }
    };
    let mut out = Vec::new();
    for part in userinfo.split(':').filter(|p| p.len() >= 3) {
        out.push(part.to_string());
        let decoded = percent_encoding::percent_decode_str(part).decode_utf8_lossy();
        if decoded != part {
            out.push(decoded.into_owned());
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

/// Removes `url`'s credentials from `text` (an error message from gix or
/// git that may quote the URL): the URL itself is replaced by its redacted
/// form, and any remaining occurrence of the user name or token is masked.
pub fn scrub(text: &str, url: &str) -> String {
    let mut out = text.replace(url, &redact_url(url));
    for s in secrets(url) {
        out = out.replace(&s, "…[redacted]");
    }
    out
}

/// `owner/name` of a repository URL, as a scan names a checkout by its
/// `origin` (`https://github.com/o/r.git` → `o/r`).
pub fn repo_name(url: &str) -> String {
    crate::repository::name_from_url(url).unwrap_or_else(|| "repository".to_string())
}

/// The cache directory name of a URL: `owner__name-HASH`, the hash over the
/// URL without credentials (two hosts with the same owner/name differ; a
/// changed token reuses the clone).
pub fn cache_dir_name(url: &str) -> String {
    let name: String = repo_name(url)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else if c == '/' {
                '~'
            } else {
                '_'
            }
        })
        .collect::<String>()
        .replace('~', "__");
    let digest = Sha256::digest(redact_url(url).as_bytes());
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hash}", name.trim_start_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_urls_and_paths() {
        for u in [
            "https://github.com/o/r",
            "HTTP://h/o/r",
            "ssh://git@h/o/r",
            "git://h/o/r",
            "file:///tmp/o/r",
            "git@github.com:o/r.git",
        ] {
            assert!(is_url(u), "{u}");
        }
        for p in ["./o/r", "/abs/o/r", "o/r", "C:/src/r", "dir@2/x"] {
            assert!(!is_url(p), "{p}");
        }
    }

    #[test]
    fn redacts_tokens_in_every_form() {
        assert_eq!(
            redact_url("https://user:ghp_xxx@github.com/o/r"),
            "https://github.com/o/r"
        );
        assert_eq!(
            redact_url("https://ghp_xxx@github.com/o/r"),
            "https://github.com/o/r"
        );
        assert_eq!(
            redact_url("https://github.com/o/r?x=a@b"),
            "https://github.com/o/r?x=a@b"
        );
        assert_eq!(redact_url("git@github.com:o/r"), "git@github.com:o/r");
        assert_eq!(redact_url("u:tok3n@github.com:o/r"), "github.com:o/r");
        assert_eq!(redact_url("file:///tmp/o/r"), "file:///tmp/o/r");
    }

    #[test]
    fn scrub_removes_the_token_from_any_message() {
        let url = "https://user:ghp_abc%2Fdef@github.com/o/r";
        let msg = format!("failed to fetch {url}: auth for ghp_abc/def and user:ghp_abc%2Fdef");
        let s = scrub(&msg, url);
        assert!(!s.contains("ghp_abc"), "{s}");
        assert!(s.contains("https://github.com/o/r"), "{s}");
    }

    #[test]
    fn names_are_owner_and_name() {
        assert_eq!(repo_name("https://u:t@github.com/o/r.git"), "o/r");
        assert_eq!(repo_name("git@github.com:o/r.git"), "o/r");
        assert_eq!(repo_name("file:///tmp/x/o/r/"), "o/r");
        assert_eq!(repo_name("ssh://git@h:22/r"), "r");
        assert_eq!(repo_name("https://h"), "repository");
    }

    #[test]
    fn cache_names_are_safe_and_ignore_credentials() {
        let a = cache_dir_name("https://u:t@github.com/o/r.git");
        let b = cache_dir_name("https://github.com/o/r.git");
        assert_eq!(a, b);
        assert!(a.starts_with("o__r-"), "{a}");
        assert_ne!(a, cache_dir_name("https://gitlab.com/o/r.git"));
        let odd = cache_dir_name("file:///x/../..");
        assert!(!odd.contains('/') && !odd.starts_with('.'), "{odd}");
    }
}
