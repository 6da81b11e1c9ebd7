//! Line-level helpers that keep a file's bytes: line endings (LF or CRLF,
//! per line), indentation and the final newline are never normalised.

/// The file's dominant line ending, for lines a fix inserts.
pub fn eol(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// The lines of `text`, each with its own ending.
pub fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// A line without its ending.
pub fn body(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}

/// A line's leading whitespace.
pub fn indent(line: &str) -> &str {
    let b = body(line);
    &b[..b.len() - b.trim_start().len()]
}

/// The indentation width (tabs count as one column, as YAML forbids them).
pub fn width(line: &str) -> usize {
    indent(line).chars().count()
}

/// A line's ending (`""` for a last line without one).
pub fn ending(line: &str) -> &str {
    &line[body(line).len()..]
}

/// Replaces a line's body, keeping its ending.
pub fn replace_body(line: &str, new_body: &str) -> String {
    format!("{new_body}{}", ending(line))
}

/// The 1-based line number of a byte offset.
pub fn line_of(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let n = text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    u32::try_from(n + 1).unwrap_or(u32::MAX)
}

/// Applies byte-range replacements (non-overlapping, any order).
pub fn splice(text: &str, mut edits: Vec<(std::ops::Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    for (r, s) in edits {
        out.replace_range(r, &s);
    }
    out
}

/// Where byte offset `at` of the text before `edits` (as [`splice`] takes
/// them) lands in the text after them.
pub fn moved_offset(edits: &[(std::ops::Range<usize>, String)], at: usize) -> usize {
    let delta: isize = edits
        .iter()
        .filter(|(r, _)| r.end <= at)
        .map(|(r, s)| s.len() as isize - r.len() as isize)
        .sum();
    at.saturating_add_signed(delta)
}

/// Formats strings as a JSON array on one line: `["a", "b"]`.
pub fn json_list(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}")))
        .collect();
    format!("[{}]", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_endings() {
        let t = "a\r\n  b\nc";
        let l = lines(t);
        assert_eq!(l, ["a\r\n", "  b\n", "c"]);
        assert_eq!(replace_body(l[0], "x"), "x\r\n");
        assert_eq!(indent(l[1]), "  ");
        assert_eq!(ending(l[2]), "");
        assert_eq!(eol(t), "\r\n");
        assert_eq!(line_of(t, 4), 2);
        assert_eq!(
            splice("abcdef", vec![(0..1, "X".into()), (4..6, "".into())]),
            "Xbcd"
        );
    }
}

/// Whole-line edits (remove, replace, insert after) on a file's lines,
/// applied in one pass, with the old-to-new line mapping for manual steps.
#[derive(Debug, Default)]
pub struct LineEdits {
    pub remove: std::collections::BTreeSet<usize>,
    pub replace: std::collections::BTreeMap<usize, String>,
    pub insert_after: std::collections::BTreeMap<usize, Vec<String>>,
}

impl LineEdits {
    pub fn is_empty(&self) -> bool {
        self.remove.is_empty() && self.replace.is_empty() && self.insert_after.is_empty()
    }

    /// The new text and, per old line index, its new 1-based line number
    /// (a removed line maps to the line that now stands where it was).
    /// The rewritten file, with each note's line (0-based, of the input)
    /// moved to where that line is in the output.
    pub fn rewritten(&self, all: &[&str], notes: Vec<(usize, String)>) -> super::Attempt {
        let (text, map) = self.apply(all);
        let manual = notes
            .into_iter()
            .map(|(l, s)| (map.get(l).copied().unwrap_or(1), s))
            .collect();
        super::Attempt::Rewritten { text, manual }
    }

    pub fn apply(&self, all: &[&str]) -> (String, Vec<u32>) {
        let mut out = String::new();
        let mut map = Vec::with_capacity(all.len());
        let mut n: u32 = 1;
        for (i, line) in all.iter().enumerate() {
            map.push(n);
            if !self.remove.contains(&i) {
                match self.replace.get(&i) {
                    Some(r) => out.push_str(r),
                    None => out.push_str(line),
                }
                n += 1;
            }
            if let Some(extra) = self.insert_after.get(&i) {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push_str(eol(line));
                }
                for e in extra {
                    out.push_str(e);
                    n += 1;
                }
            }
        }
        (out, map)
    }
}
