//! The verifier's second line of defence against leaks. The first is
//! [`crate::redact`], which recognises secrets by their shape (PEM blocks,
//! JWTs, `p8e-` secrets, secret-named assignments, long base64). This one
//! knows the actual secrets of the run (client secrets, passphrase, private
//! key, the signed JWT, the access tokens received) and masks any run of
//! text covered by one of their 8-byte windows, so a server that echoes a
//! secret, whole, cut or re-encoded in a way that keeps 8 characters
//! together, cannot get it printed.
//!
//! [`Scrubber::clean`] is for text that came from a server (error fields,
//! content types, headers, bodies): shape redaction, window masking, control
//! characters removed (no terminal escapes), and a length cap.
//! [`Scrubber::scrub`] is the window pass alone, for whole rendered outputs.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

/// Window length: a secret's fragment shorter than this is not recognised.
pub const WINDOW: usize = 8;

/// Longest prefix of a secret learned, in bytes.
pub const LEARN_MAX: usize = 64 * 1024;

/// What replaces a masked run.
const MASK: &str = "…[redacted]";

/// Known secrets, as the set of their windows. Cheap to share by reference;
/// learning a secret later (a token just received) needs no `&mut`.
#[derive(Debug, Default)]
pub struct Scrubber {
    windows: Mutex<HashSet<[u8; WINDOW]>>,
}

impl Clone for Scrubber {
    fn clone(&self) -> Self {
        let w = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        Scrubber {
            windows: Mutex::new(w.clone()),
        }
    }
}

impl Scrubber {
    /// An empty scrubber (only shape redaction in [`Scrubber::clean`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Learns a secret: its windows, and those of its percent-encoded form
    /// (how a form body carries it). Windows holding `"`, `\` or control
    /// characters are skipped so that masking never breaks JSON quoting.
    pub fn learn(&self, secret: &str) {
        // Real secrets are under 4 KiB; a server's 1 MiB "token" must not
        // cost a 1 MiB-entry set (it is never printed anyway, only masked).
        let mut cut = secret.len().min(LEARN_MAX);
        while !secret.is_char_boundary(cut) {
            cut -= 1;
        }
        let secret = &secret[..cut];
        let encoded = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
        let mut set = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        for form in [secret, encoded.as_str()] {
            for w in form.as_bytes().windows(WINDOW) {
                if w.iter()
                    .any(|b| matches!(b, b'"' | b'\\') || b.is_ascii_control())
                {
                    continue;
                }
                if let Ok(arr) = <[u8; WINDOW]>::try_from(w) {
                    set.insert(arr);
                }
            }
        }
    }

    /// Learns a private key: each body line of a PEM (or the base64 text),
    /// and the body joined on one line, without the `-----BEGIN` lines.
    pub fn learn_key(&self, text: &str) {
        let text = text.replace("\\n", "\n");
        let body: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("-----") && !l.contains(':'))
            .collect();
        for line in &body {
            self.learn(line);
        }
        self.learn(&body.concat());
    }

    /// Whether nothing has been learned.
    pub fn is_empty(&self) -> bool {
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    /// Masks every run of `text` covered by a known secret's window.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let set = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let bytes = text.as_bytes();
        if set.is_empty() || bytes.len() < WINDOW {
            return Cow::Borrowed(text);
        }
        let mut covered_to = 0usize;
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for (i, w) in bytes.windows(WINDOW).enumerate() {
            let Ok(arr) = <[u8; WINDOW]>::try_from(w) else {
                continue;
            };
            if !set.contains(&arr) {
                continue;
            }
            let end = i + WINDOW;
            match runs.last_mut() {
                Some(last) if i <= covered_to => last.1 = end,
                _ => runs.push((i, end)),
            }
            covered_to = end;
        }
        if runs.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut pos = 0;
        for (start, end) in runs {
            let start = floor_boundary(text, start).max(pos);
            let end = ceil_boundary(text, end);
            out.push_str(&text[pos..start]);
            out.push_str(MASK);
            pos = end;
        }
        out.push_str(&text[pos..]);
        Cow::Owned(out)
    }

    /// Cleans text that came from a server for display: shape redaction,
    /// known-secret masking, control characters turned into spaces, runs of
    /// whitespace collapsed, at most `max_chars` characters.
    pub fn clean(&self, server_text: &str, max_chars: usize) -> String {
        let redacted = crate::redact::redact_text(server_text);
        let scrubbed = self.scrub(&redacted);
        let mut out = String::new();
        let mut space = false;
        for c in scrubbed.chars() {
            if c.is_control() || c.is_whitespace() {
                space = !out.is_empty();
                continue;
            }
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
        truncate(&out, max_chars)
    }
}

/// At most `max` characters, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "p8e-KNOWNsecretKNOWNsecret12345678";

    #[test]
    fn whole_and_partial_echoes_are_masked() {
        let s = Scrubber::new();
        s.learn(SECRET);
        let out = s.scrub("got cretKNOWNsecret1 and p8e-KNOWNsecretKNOWNsecret12345678!");
        assert_eq!(out, "got …[redacted] and …[redacted]!");
        assert_eq!(s.scrub("nothing here"), "nothing here");
    }

    #[test]
    fn percent_encoded_and_key_lines_are_masked() {
        let s = Scrubber::new();
        s.learn("abc+def/ghi=jkl+mno");
        assert!(!s.scrub("x=abc%2Bdef%2Fghi%3Djkl").contains("def%2Fghi"));
        s.learn_key("-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0B\\nAQEFAASCBKcwggSjAgEA\\n-----END PRIVATE KEY-----");
        let out = s.scrub("key: MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEA end");
        assert_eq!(out, "key: …[redacted] end");
        assert!(s.scrub("-----BEGIN PRIVATE KEY-----").contains("BEGIN"));
    }

    #[test]
    fn masking_never_breaks_json_or_utf8() {
        let s = Scrubber::new();
        s.learn("é\"quoted\"secretvalue");
        let json = serde_json::json!({"k": "é\"quoted\"secretvalue"}).to_string();
        let out = s.scrub(&json);
        assert!(
            serde_json::from_str::<serde_json::Value>(&out).is_ok(),
            "{out}"
        );
        assert!(!out.contains("secretva"), "{out}");
    }

    #[test]
    fn clean_redacts_shapes_strips_controls_and_caps() {
        let s = Scrubber::new();
        let out = s.clean("bad\r\n\x1b[31m p8e-AAAAAAAAAAAAAAAAAAAAAAAAAAAA", 100);
        assert!(!out.contains('\x1b') && !out.contains('\n'), "{out:?}");
        assert!(!out.contains("AAAAAAAA"), "{out}");
        assert_eq!(s.clean(&"x".repeat(500), 10).chars().count(), 10);
    }
}
