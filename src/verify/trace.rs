//! `-v/--verbose`: a request/response trace on stderr for debugging against
//! real IMS. Every line goes through the run's [`Scrubber`]: secret form
//! fields and bearer tokens are shown masked, URLs without query strings,
//! server text (content types, bodies) cleaned and cut short.

use std::cell::RefCell;
use std::io::Write;

use serde_json::Value;

use super::scrub::Scrubber;

/// Longest body excerpt in the trace, in characters.
pub const BODY_EXCERPT: usize = 300;

/// Where trace lines go (nowhere unless verbose), and the run's scrubber.
pub struct Trace<'w> {
    sink: Option<RefCell<&'w mut dyn Write>>,
    /// The run's known secrets.
    pub scrub: Scrubber,
}

impl<'w> Trace<'w> {
    /// A trace writing to `sink` when given.
    pub fn new(scrub: Scrubber, sink: Option<&'w mut dyn Write>) -> Self {
        Trace {
            sink: sink.map(RefCell::new),
            scrub,
        }
    }

    /// No output, no known secrets (unit tests).
    pub fn silent() -> Trace<'static> {
        Trace {
            sink: None,
            scrub: Scrubber::new(),
        }
    }

    /// Ends the trace (releasing its sink), keeping the known secrets.
    pub fn into_scrub(self) -> Scrubber {
        self.scrub
    }

    /// Whether lines are written.
    pub fn enabled(&self) -> bool {
        self.sink.is_some()
    }

    /// Writes one line, `trace LABEL: TEXT`, scrubbed. Write errors are
    /// ignored: the trace must never change the result.
    pub fn line(&self, label: &str, text: &str) {
        let Some(sink) = &self.sink else { return };
        let line = format!("trace {label}: {text}");
        let line = self.scrub.scrub(&line);
        if let Ok(mut w) = sink.try_borrow_mut() {
            let _ = writeln!(w, "{line}");
            let _ = w.flush();
        }
    }

    /// A body excerpt for the trace: a JSON body with secret-named values
    /// masked, otherwise the text, then cleaned and cut.
    pub fn body_excerpt(&self, body: &str) -> String {
        let text = match serde_json::from_str::<Value>(body) {
            Ok(mut v) => {
                mask_secret_values(&mut v);
                v.to_string()
            }
            Err(_) => body.to_string(),
        };
        self.scrub.clean(&text, BODY_EXCERPT)
    }

    /// A form field for the trace: secret-named fields masked.
    pub fn field(&self, name: &str, value: &str) -> String {
        if is_secret_name(name) {
            format!("{name}={}", crate::redact::mask(value))
        } else {
            format!("{name}={}", self.scrub.clean(value, 200))
        }
    }
}

fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["secret", "password", "passphrase", "private", "assertion"]
        .iter()
        .any(|s| n.contains(s))
        || n.ends_with("token")
        || n == "key"
}

fn mask_secret_values(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                match val {
                    Value::String(s) if is_secret_name(k) => *s = crate::redact::mask(s),
                    _ => mask_secret_values(val),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mask_secret_values),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_mask_known_secrets_and_secret_fields() {
        let mut buf = Vec::new();
        {
            let scrub = Scrubber::new();
            scrub.learn("p8e-TRACEDsecretTRACEDsecret0000");
            let t = Trace::new(scrub, Some(&mut buf));
            assert!(t.enabled());
            let f = t.field("client_secret", "p8e-TRACEDsecretTRACEDsecret0000");
            t.line("oauth", &format!("> POST /ims/token/v3 {f}"));
            t.line("oauth", "echo TRACEDsecretTRACED");
            let body = r#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJpZCI6IjEyMzQ1Njc4OSJ9.c2lnbmF0dXJl","expires_in":1}"#;
            t.line("oauth", &format!("< body: {}", t.body_excerpt(body)));
        }
        let s = String::from_utf8(buf).unwrap_or_default();
        assert!(s.contains("client_secret=p8e-…[redacted, 32 chars]"), "{s}");
        assert!(!s.contains("TRACEDse"), "{s}");
        assert!(!s.contains("eyJpZCI6"), "{s}");
        assert!(s.contains("\"expires_in\":1"), "{s}");
    }
}
