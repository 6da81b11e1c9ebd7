//! The dry run's unified diff (`--- a/PATH` / `+++ b/PATH`, 3 lines of
//! context), with every line redacted like any other output: a changed
//! `.env` line shows its key and a masked value, and the lines of a private
//! key block between its BEGIN and END lines are masked whole. Colour
//! (red/green/cyan) is added only when asked; the caller's writer strips it
//! when stdout is not a terminal.

use anstyle::{AnsiColor, Style};
use similar::{ChangeTag, TextDiff};

use crate::redact::redact_text;

/// Masks lines inside a PEM private-key block, which a line-by-line view
/// would otherwise show one base64 line at a time.
#[derive(Default)]
pub struct LineRedactor {
    inside: bool,
}

impl LineRedactor {
    pub fn redact(&mut self, line: &str) -> String {
        let begins = line.contains("-----BEGIN") && line.contains("PRIVATE KEY-----");
        let ends = line.contains("-----END");
        if self.inside {
            if ends {
                self.inside = false;
                return redact_text(line).into_owned();
            }
            return format!("…[redacted key line, {} chars]", line.chars().count());
        }
        if begins && !ends {
            self.inside = true;
        }
        redact_text(line).into_owned()
    }
}

/// The redacted unified diff of one file (empty when nothing changed).
pub fn unified(path: &str, before: &str, after: &str, color: bool) -> String {
    let diff = TextDiff::from_lines(before, after);
    let paint = |style: Style, s: &str| {
        if color {
            format!("{}{s}{}", style.render(), style.render_reset())
        } else {
            s.to_string()
        }
    };
    let bold = Style::new().bold();
    let red = Style::new().fg_color(Some(AnsiColor::Red.into()));
    let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let cyan = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
    let mut out = String::new();
    let mut pem = LineRedactor::default();
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        if out.is_empty() {
            out.push_str(&paint(bold, &format!("--- a/{path}\n+++ b/{path}")));
            out.push('\n');
        }
        out.push_str(&paint(cyan, &hunk.header().to_string()));
        out.push('\n');
        for change in hunk.iter_changes() {
            let raw = change.value();
            let line = raw.trim_end_matches(['\n', '\r']);
            let shown = pem.redact(line);
            let (sign, style) = match change.tag() {
                ChangeTag::Delete => ('-', Some(red)),
                ChangeTag::Insert => ('+', Some(green)),
                ChangeTag::Equal => (' ', None),
            };
            let text = format!("{sign}{shown}");
            match style {
                Some(s) => out.push_str(&paint(s, &text)),
                None => out.push_str(&text),
            }
            out.push('\n');
            if !raw.ends_with('\n') {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_hunks_and_redaction() {
        let before = "A=1\nCLIENT_SECRET=p8e-Zq3xV9LmT2rW8yN4bK6cH1dF5gJ7sP0a\nB=2\n";
        let after = "A=1\nCLIENT_SECRETS=[\"p8e-Zq3xV9LmT2rW8yN4bK6cH1dF5gJ7sP0a\"]\nB=2\n";
        let d = unified("env/.env", before, after, false);
        assert!(
            d.starts_with("--- a/env/.env\n+++ b/env/.env\n@@ -1,3 +1,3 @@\n"),
            "{d}"
        );
        assert!(!d.contains("Zq3xV9"), "{d}");
        assert!(d.contains("-CLIENT_SECRET=p8e-…[redacted"), "{d}");
        assert!(unified("x", "same\n", "same\n", false).is_empty());
    }

    #[test]
    fn key_blocks_are_masked_line_by_line() {
        let key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nQ29udGludWVkRml4dHVyZUtleUJvZHk=\n-----END PRIVATE KEY-----\n";
        let d = unified("k", &format!("a\n{key}b\n"), "a\nb\n", false);
        assert!(!d.contains("MIIEvQ") && !d.contains("Q29udGlu"), "{d}");
    }

    #[test]
    fn colour_only_when_asked() {
        assert!(unified("x", "a\n", "b\n", true).contains("\u{1b}["));
        assert!(!unified("x", "a\n", "b\n", false).contains("\u{1b}["));
        assert!(unified("x", "a", "b", false).contains("\\ No newline at end of file"));
    }
}
