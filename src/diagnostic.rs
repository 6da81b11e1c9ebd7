//! Diagnostics of rule files and `jwt2oauth.toml`: a stable code
//! (docs/diagnostics.md), the file, `line:column`, the rule id or config
//! field, and the offending line with a caret, through one renderer
//! (`annotate-snippets`, the one rustc and cargo use).
//!
//! Every text shown is redacted: the message and the source line alike
//! (a client secret pasted into the wrong key is still a secret).

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

/// A diagnostic's stable code. The numbers never change meaning; a new
/// problem gets a new code (docs/diagnostics.md lists them, a test checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// A rule, deadline or remediation file is not valid YAML, or a value
    /// has the wrong type.
    RuleSyntax,
    /// A key a rule file does not know (`deny_unknown_fields`).
    RuleUnknownKey,
    /// A rule's `id` is not its file name.
    RuleIdMismatch,
    /// Two rule files of one directory have the same `id`.
    RuleDuplicateId,
    /// A `regex` or `value` does not compile, is over the size cap, or
    /// expands too far.
    RuleRegexInvalid,
    /// A `key` pattern does not compile.
    RuleKeyPatternInvalid,
    /// Another field of a rule is wrong (metadata, globs, languages, an
    /// empty `any`/`all`, a misplaced `calls_of`, ...).
    RuleFieldInvalid,
    /// A rule names a deadline no deadlines file defines.
    RuleUnknownDeadline,
    /// A rule names a remediation set no remediations file defines.
    RuleUnknownRemediation,
    /// A remediation set names an unknown language.
    RemediationUnknownLanguage,
    /// A rule file or directory cannot be read.
    RuleUnreadable,
    /// `jwt2oauth.toml` is not valid TOML, or a value has the wrong type.
    ConfigSyntax,
    /// A key `jwt2oauth.toml` does not know.
    ConfigUnknownKey,
    /// A value out of range (`fail_on`, `warn_days`, a date, an
    /// `[[ignore]]` without a reason).
    ConfigBadValue,
    /// A glob in `[paths]` or `[[ignore]]` does not compile.
    ConfigBadGlob,
    /// The config names a rule that is not loaded.
    ConfigUnknownRule,
    /// The config names a deadline that is not defined.
    ConfigUnknownDeadline,
}

impl Code {
    /// Every code, in order.
    pub const ALL: [Code; 17] = [
        Code::RuleSyntax,
        Code::RuleUnknownKey,
        Code::RuleIdMismatch,
        Code::RuleDuplicateId,
        Code::RuleRegexInvalid,
        Code::RuleKeyPatternInvalid,
        Code::RuleFieldInvalid,
        Code::RuleUnknownDeadline,
        Code::RuleUnknownRemediation,
        Code::RemediationUnknownLanguage,
        Code::RuleUnreadable,
        Code::ConfigSyntax,
        Code::ConfigUnknownKey,
        Code::ConfigBadValue,
        Code::ConfigBadGlob,
        Code::ConfigUnknownRule,
        Code::ConfigUnknownDeadline,
    ];

    /// The code as shown: `J2O-R005`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::RuleSyntax => "J2O-R001",
            Code::RuleUnknownKey => "J2O-R002",
            Code::RuleIdMismatch => "J2O-R003",
            Code::RuleDuplicateId => "J2O-R004",
            Code::RuleRegexInvalid => "J2O-R005",
            Code::RuleKeyPatternInvalid => "J2O-R006",
            Code::RuleFieldInvalid => "J2O-R007",
            Code::RuleUnknownDeadline => "J2O-R008",
            Code::RuleUnknownRemediation => "J2O-R009",
            Code::RemediationUnknownLanguage => "J2O-R010",
            Code::RuleUnreadable => "J2O-R011",
            Code::ConfigSyntax => "J2O-C001",
            Code::ConfigUnknownKey => "J2O-C002",
            Code::ConfigBadValue => "J2O-C003",
            Code::ConfigBadGlob => "J2O-C004",
            Code::ConfigUnknownRule => "J2O-C005",
            Code::ConfigUnknownDeadline => "J2O-C006",
        }
    }

    /// A serde or TOML parser message's code: an unknown key, or syntax.
    pub fn of_parser_message(message: &str, unknown: Code, syntax: Code) -> Code {
        if message.contains("unknown field") {
            unknown
        } else {
            syntax
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in a file: 1-based line and column (in characters), and that
/// line's text (unredacted: redacted when rendered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub text: String,
}

impl Position {
    /// The position of byte `offset` in `text`.
    pub fn at_offset(text: &str, offset: usize) -> Position {
        let mut off = offset.min(text.len());
        while !text.is_char_boundary(off) {
            off -= 1;
        }
        let start = text[..off].rfind('\n').map_or(0, |i| i + 1);
        let end = text[off..].find('\n').map_or(text.len(), |i| off + i);
        Position {
            line: text[..off].matches('\n').count() + 1,
            column: text[start..off].chars().count() + 1,
            text: text[start..end].trim_end_matches('\r').to_string(),
        }
    }

    /// The position of a 1-based line and column in `text`, if it has that line.
    pub fn at_line(text: &str, line: usize, column: usize) -> Option<Position> {
        let l = text.lines().nth(line.checked_sub(1)?)?;
        Some(Position {
            line,
            column: column.max(1),
            text: l.trim_end_matches('\r').to_string(),
        })
    }
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic<'a> {
    pub code: Code,
    /// The file as given (`rules/x.yaml`, `repo/jwt2oauth.toml`).
    pub file: String,
    /// What in the file: "rule `x`: field `match.regex`", "field `fail_on`".
    pub subject: Option<String>,
    pub message: &'a str,
    pub position: Option<&'a Position>,
}

impl Diagnostic<'_> {
    /// The diagnostic, styled (the caller's stream strips the colour when
    /// stderr is not a terminal or `NO_COLOR` is set). Everything shown is
    /// redacted.
    pub fn render(&self) -> String {
        let mut title = match &self.subject {
            Some(s) => format!("{s}: {}", self.message),
            None => self.message.to_string(),
        };
        title = crate::redact::redact_message(&title).into_owned();
        let group = Level::ERROR
            .primary_title(title.as_str())
            .id(self.code.as_str());
        let rendered = match self.position {
            Some(p) => {
                let line = crate::redact::redact_message(&p.text).into_owned();
                // A caret under the column; the whole line when redaction
                // changed the text before it (the column no longer lines up).
                let at = p
                    .text
                    .char_indices()
                    .nth(p.column.saturating_sub(1))
                    .map_or(p.text.len(), |(i, _)| i);
                let span = if line.get(..at) == p.text.get(..at) {
                    let len = line[at..].chars().next().map_or(0, char::len_utf8);
                    at..at + len
                } else {
                    0..line.len()
                };
                let report = [group.element(
                    Snippet::source(line.as_str())
                        .line_start(p.line)
                        .path(self.file.as_str())
                        .annotation(AnnotationKind::Primary.span(span)),
                )];
                render(&report)
            }
            None => {
                let origin = format!("in {}", self.file);
                let report = [group.element(annotate_snippets::Origin::path(origin.as_str()))];
                render(&report)
            }
        };
        format!("{rendered}\n")
    }
}

fn render(report: &[annotate_snippets::Group<'_>]) -> String {
    Renderer::styled().render(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> String {
        anstream::adapter::strip_str(s).to_string()
    }

    #[test]
    fn codes_are_unique_and_stable_in_shape() {
        let mut seen = std::collections::BTreeSet::new();
        let re = regex::Regex::new(r"^J2O-[RC][0-9]{3}$").expect("regex");
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert!(re.is_match(c.as_str()), "{c}");
        }
    }

    /// docs/diagnostics.md documents every code once, and no other.
    #[test]
    fn every_code_is_documented_once() {
        let docs = include_str!("../docs/diagnostics.md");
        let re = regex::Regex::new(r"(?m)^\| `(J2O-[A-Z][0-9]{3})` \|").expect("regex");
        let documented: Vec<&str> = re
            .captures_iter(docs)
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str())
            .collect();
        let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            documented, codes,
            "docs/diagnostics.md's table, in Code::ALL's order"
        );
    }

    #[test]
    fn a_diagnostic_shows_code_place_and_caret() {
        let text = "fail_on = \"high\"\nwarn_days = -1\n";
        let p = Position::at_offset(text, text.find("-1").expect("value"));
        assert_eq!((p.line, p.column), (2, 13));
        let d = Diagnostic {
            code: Code::ConfigBadValue,
            file: "jwt2oauth.toml".into(),
            subject: Some("field `warn_days`".into()),
            message: "warn_days must be 0 or more",
            position: Some(&p),
        };
        let out = plain(&d.render());
        assert!(
            out.contains("error[J2O-C003]: field `warn_days`: warn_days must be 0 or more"),
            "{out}"
        );
        assert!(out.contains("--> jwt2oauth.toml:2:13"), "{out}");
        assert!(out.contains("2 | warn_days = -1"), "{out}");
        assert!(out.contains("|             ^"), "{out}");
    }

    #[test]
    fn secrets_never_show_in_the_line_or_the_message() {
        let secret = "p8e-AbCdEf0123456789AbCdEf0123456789";
        let text = format!("[rules]\nclient_secret = \"{secret}\"\n");
        let p = Position::at_offset(&text, text.find("client_secret").expect("key"));
        let message = format!("unknown field `client_secret` = \"{secret}\"");
        let d = Diagnostic {
            code: Code::ConfigUnknownKey,
            file: "jwt2oauth.toml".into(),
            subject: None,
            message: &message,
            position: Some(&p),
        };
        let out = plain(&d.render());
        assert!(
            !out.contains(secret) && !out.contains("0123456789AbCdEf"),
            "{out}"
        );
        assert!(out.contains("client_secret"), "{out}");
    }

    #[test]
    fn without_a_position_the_file_is_named() {
        let d = Diagnostic {
            code: Code::RuleUnreadable,
            file: "rules/".into(),
            subject: None,
            message: "cannot read: permission denied",
            position: None,
        };
        let out = plain(&d.render());
        assert!(
            out.contains("error[J2O-R011]: cannot read: permission denied"),
            "{out}"
        );
        assert!(out.contains("rules/"), "{out}");
    }
}
