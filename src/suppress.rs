//! Inline suppressions: `jwt2oauth:ignore[rule-id] reason` in a comment of
//! any syntax, on the finding's line or the line before. Several ids may be
//! listed, comma-separated. A suppressed finding is never lost: it is listed
//! under `suppressed` with its reason and counted in the summary.

use std::sync::LazyLock;

use regex::bytes::Regex;

use crate::finding::Finding;

/// The marker every suppression starts with.
pub const MARKER: &str = "jwt2oauth:ignore";

static INLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"jwt2oauth:ignore\[([A-Za-z0-9_,\s-]+)\][ \t]*([^\r\n]*)").expect("static regex")
});

/// Where a suppression came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressionKind {
    /// A comment in the file, at this 1-based line.
    Inline { line: u32 },
}

impl SuppressionKind {
    /// The name used in outputs.
    pub fn as_str(&self) -> &'static str {
        match self {
            SuppressionKind::Inline { .. } => "inline",
        }
    }
}

/// A finding that a suppression silenced, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub finding: Finding,
    pub kind: SuppressionKind,
    pub reason: String,
}

/// If `line` (the raw bytes of one line) suppresses `rule_id`, the reason.
pub fn inline_reason(line: &[u8], rule_id: &str) -> Option<String> {
    memchr::memmem::find(line, MARKER.as_bytes())?;
    for caps in INLINE.captures_iter(line) {
        let ids = String::from_utf8_lossy(&caps[1]).into_owned();
        if ids.split(',').any(|id| id.trim() == rule_id) {
            let reason = String::from_utf8_lossy(&caps[2]).into_owned();
            let reason = clean_reason(&reason);
            return Some(if reason.is_empty() {
                "no reason given".to_string()
            } else {
                reason
            });
        }
    }
    None
}

/// Strips comment closers (`*/`, `-->`, `#}`, `%>`) and quotes from a reason.
fn clean_reason(s: &str) -> String {
    let mut r = s.trim();
    for closer in ["*/", "-->", "#}", "%>", "--%>", "\"", "'", ","] {
        r = r.trim_end_matches(closer).trim_end();
    }
    crate::redact::redact_text(r).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_comment_syntax() {
        for line in [
            "// jwt2oauth:ignore[jwt-exchange-endpoint] legacy, removed in PR 12",
            "# jwt2oauth:ignore[jwt-exchange-endpoint] legacy, removed in PR 12",
            "/* jwt2oauth:ignore[jwt-exchange-endpoint] legacy, removed in PR 12 */",
            "<!-- jwt2oauth:ignore[jwt-exchange-endpoint] legacy, removed in PR 12 -->",
            "-- jwt2oauth:ignore[other, jwt-exchange-endpoint] legacy, removed in PR 12",
            "REM jwt2oauth:ignore[jwt-exchange-endpoint]   legacy, removed in PR 12",
        ] {
            assert_eq!(
                inline_reason(line.as_bytes(), "jwt-exchange-endpoint").as_deref(),
                Some("legacy, removed in PR 12"),
                "{line}"
            );
        }
    }

    #[test]
    fn other_rules_and_missing_reasons() {
        let l = b"x // jwt2oauth:ignore[jwt-aud-claim]";
        assert_eq!(inline_reason(l, "jwt-exchange-endpoint"), None);
        assert_eq!(
            inline_reason(l, "jwt-aud-claim").as_deref(),
            Some("no reason given")
        );
        assert_eq!(inline_reason(b"no marker here", "jwt-aud-claim"), None);
        // A prefix of an id is not the id.
        assert_eq!(
            inline_reason(b"# jwt2oauth:ignore[jwt-aud]", "jwt-aud-claim"),
            None
        );
    }
}
