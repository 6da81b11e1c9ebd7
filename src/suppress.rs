//! Suppressions. Inline: `jwt2oauth:ignore[rule-id] reason` in a comment of
//! any syntax, on the finding's line or the line before (several ids may be
//! listed, comma-separated). Baseline entries (`--baseline`, see
//! [`crate::baseline`]) and config ignores (`jwt2oauth.toml`, see
//! [`crate::config`]) are applied after the scan by [`apply`]. A suppressed
//! finding is never lost: it is listed under `suppressed` with its reason
//! and counted in the summary; a baseline entry or config ignore that
//! expired or matches nothing is reported as a [`StaleSuppression`].

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
    /// An entry of the `--baseline` file.
    Baseline,
    /// An `[[ignore]]` of the config file.
    Config,
}

impl SuppressionKind {
    /// The name used in outputs.
    pub fn as_str(&self) -> &'static str {
        match self {
            SuppressionKind::Inline { .. } => "inline",
            SuppressionKind::Baseline => "baseline",
            SuppressionKind::Config => "config",
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

/// Why a baseline entry or config ignore no longer suppresses anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StaleProblem {
    /// Its `until` date has passed: the findings it covered are back.
    Expired,
    /// No finding matches it any more (fixed or moved): remove it.
    Unmatched,
}

impl StaleProblem {
    /// The name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            StaleProblem::Expired => "expired",
            StaleProblem::Unmatched => "unmatched",
        }
    }
}

/// A baseline entry or config ignore that expired or matches nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StaleSuppression {
    /// `baseline` or `config`.
    pub source: &'static str,
    pub problem: StaleProblem,
    pub rule_id: String,
    /// A path (baseline) or a glob (config).
    pub path: String,
    /// Baseline entries only.
    pub fingerprint: Option<String>,
    pub reason: Option<String>,
    pub until: Option<jiff::civil::Date>,
}

/// One after-the-scan suppression: a baseline entry or a config ignore.
pub struct Ignore<'a> {
    pub source: SuppressionKind,
    /// Whether it covers a finding.
    pub matches: Box<dyn Fn(&Finding) -> bool + 'a>,
    /// The reason written in the file, if any.
    pub reason: Option<String>,
    pub until: Option<jiff::civil::Date>,
    /// For stale reports: the rule id (or `*`), the path or glob, and the
    /// fingerprint of a baseline entry.
    pub rule_id: String,
    pub path: String,
    pub fingerprint: Option<String>,
}

/// Moves findings covered by an unexpired ignore into `suppressed` (the
/// first ignore that matches gives the reason) and returns the ignores that
/// expired or matched nothing.
pub fn apply(
    findings: &mut Vec<crate::finding::Detected>,
    suppressed: &mut Vec<Suppressed>,
    ignores: &[Ignore<'_>],
    today: jiff::civil::Date,
) -> Vec<StaleSuppression> {
    let expired: Vec<bool> = ignores
        .iter()
        .map(|r| r.until.is_some_and(|u| u < today))
        .collect();
    let mut used = vec![false; ignores.len()];
    let mut kept = Vec::with_capacity(findings.len());
    for d in findings.drain(..) {
        let hit = ignores
            .iter()
            .enumerate()
            .find(|(i, r)| !expired[*i] && (r.matches)(&d.finding));
        match hit {
            Some((i, r)) => {
                used[i] = true;
                suppressed.push(Suppressed {
                    finding: d.finding,
                    kind: r.source.clone(),
                    reason: r
                        .reason
                        .clone()
                        .unwrap_or_else(|| format!("in the {}", r.source.as_str())),
                });
            }
            None => kept.push(d),
        }
    }
    *findings = kept;
    suppressed.sort_by(|a, b| {
        (&a.finding.location, &a.finding.rule_id).cmp(&(&b.finding.location, &b.finding.rule_id))
    });
    let mut stale: Vec<StaleSuppression> = ignores
        .iter()
        .enumerate()
        .filter(|(i, _)| expired[*i] || !used[*i])
        .map(|(i, r)| StaleSuppression {
            source: r.source.as_str(),
            problem: if expired[i] {
                StaleProblem::Expired
            } else {
                StaleProblem::Unmatched
            },
            rule_id: r.rule_id.clone(),
            path: r.path.clone(),
            fingerprint: r.fingerprint.clone(),
            reason: r.reason.clone(),
            until: r.until,
        })
        .collect();
    stale.sort();
    stale.dedup();
    stale
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

/// Problems with the inline suppressions in `text`: an id that names no
/// rule of the run (`known` says which do) suppresses nothing, and one
/// without a reason hides why. Each is (1-based line, message).
pub fn inline_problems(text: &[u8], known: &dyn Fn(&str) -> bool) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    if memchr::memmem::find(text, MARKER.as_bytes()).is_none() {
        return out;
    }
    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
        if memchr::memmem::find(line, MARKER.as_bytes()).is_none() {
            continue;
        }
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for caps in INLINE.captures_iter(line) {
            let ids = String::from_utf8_lossy(&caps[1]).into_owned();
            for id in ids.split(',').map(str::trim).filter(|id| !id.is_empty()) {
                if !known(id) {
                    out.push((
                        n,
                        format!(
                            "jwt2oauth:ignore names unknown rule `{id}`: it suppresses nothing (see `jwt2oauth rules list`)"
                        ),
                    ));
                }
            }
            if clean_reason(&String::from_utf8_lossy(&caps[2])).is_empty() {
                out.push((
                    n,
                    format!(
                        "jwt2oauth:ignore[{}] has no reason: write why after the `]`",
                        ids.trim()
                    ),
                ));
            }
        }
    }
    out
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
