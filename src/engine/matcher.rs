//! Evaluating a rule's matcher tree over one file's bytes.
//!
//! A node yields byte spans. `regex` yields its matches (or its `hit`
//! group); `any` the union of its children; `all` the spans of its first
//! child that every other child confirms (anywhere, or within N lines);
//! `not` children then drop spans they match near. `sibling_file` is a
//! file-level condition.

use std::cell::OnceCell;

use super::structured::{Entry, FlattenError, Format, flatten, format_of};
use crate::rules::{Node, NodeKind};

/// A matched byte range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Line starts of a file, built once per file that has candidate rules.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text`'s line starts.
    pub fn new(text: &[u8]) -> LineIndex {
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The byte range of 0-based line `line`, without its line terminator.
    pub fn line_range(&self, text: &[u8], line: usize) -> (usize, usize) {
        let start = self.starts.get(line).copied().unwrap_or(self.len);
        let mut end = self.starts.get(line + 1).map_or(self.len, |s| s - 1);
        if end > start && text.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end.max(start))
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// What the matcher needs to know about the file beyond its bytes.
pub struct FileContext<'a> {
    pub text: &'a [u8],
    pub lines: &'a LineIndex,
    /// Whether a file of this name exists in the same directory.
    pub sibling_exists: &'a dyn Fn(&str) -> bool,
    /// The file's structured view, parsed on first use.
    pub structured: &'a StructuredCache<'a>,
}

/// A config file's flattened entries, parsed at most once per file and only
/// when a rule with a `key` matcher runs on it.
pub struct StructuredCache<'a> {
    format: Option<Format>,
    text: &'a [u8],
    cell: OnceCell<Result<Vec<Entry>, FlattenError>>,
}

impl<'a> StructuredCache<'a> {
    /// A cache for a file at `path` with content `text`.
    pub fn new(path: &str, text: &'a [u8]) -> StructuredCache<'a> {
        StructuredCache {
            format: format_of(path),
            text,
            cell: OnceCell::new(),
        }
    }

    /// The entries, or `None` when the file is not a structured format or
    /// did not parse (see [`StructuredCache::error`]).
    pub fn entries(&self) -> Option<&[Entry]> {
        let format = self.format?;
        let parsed = self
            .cell
            .get_or_init(|| match std::str::from_utf8(self.text) {
                Ok(t) => flatten(format, t.strip_prefix('\u{feff}').unwrap_or(t)),
                Err(e) => Err(FlattenError::NotUtf8(e)),
            });
        parsed.as_ref().ok().map(Vec::as_slice)
    }

    /// Why the file could not be parsed, if a parse was attempted and failed.
    pub fn error(&self) -> Option<String> {
        let format = self.format?;
        match self.cell.get()? {
            Err(e) => Some(format!("cannot parse as {}: {e}", format_name(format))),
            Ok(_) => None,
        }
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Json => "JSON",
        Format::Yaml => "YAML",
        Format::Toml => "TOML",
        Format::Env => ".env",
        Format::Properties => "properties/INI",
    }
}

/// Evaluates `node`, returning sorted, de-duplicated spans.
pub fn eval(node: &Node, cx: &FileContext<'_>) -> Vec<Span> {
    let mut spans = match &node.kind {
        NodeKind::Regex { re, hit } => regex_spans(re, *hit, cx.text),
        NodeKind::Key { pattern, value } => match cx.structured.entries() {
            Some(entries) => entries
                .iter()
                .filter(|e| pattern.matches(&e.path))
                .filter(|e| match value {
                    Some(re) => e
                        .value
                        .as_deref()
                        .is_some_and(|v| re.is_match(v.as_bytes())),
                    None => true,
                })
                .map(|e| Span {
                    start: e.start,
                    end: e.end,
                })
                .collect(),
            None => Vec::new(),
        },
        NodeKind::Any(children) => {
            let mut v: Vec<Span> = children.iter().flat_map(|c| eval(c, cx)).collect();
            v.sort();
            v.dedup();
            v
        }
        NodeKind::All(children) => {
            let Some((first, rest)) = children.split_first() else {
                return Vec::new();
            };
            // A confirming child with no match anywhere in the file confirms
            // nothing: then the first child, often the costly search (a
            // `private_key` pattern in every crypto library), is not run.
            // Only for regex-only trees, so which config files get parsed
            // (and report parse errors) does not change.
            if children.iter().all(is_regex_only)
                && rest
                    .iter()
                    .any(|c| !matches!(c.kind, NodeKind::Sibling(_)) && !matches_anywhere(c, cx))
            {
                return Vec::new();
            }
            let mut base = eval(first, cx);
            for child in rest {
                if base.is_empty() {
                    break;
                }
                if let NodeKind::Sibling(name) = &child.kind {
                    if !(cx.sibling_exists)(name) {
                        return Vec::new();
                    }
                    continue;
                }
                let confirm = Near::new(&eval(child, cx), cx.lines);
                base.retain(|s| confirm.any(*s, child.within, cx.lines));
            }
            base
        }
        // A sibling condition only qualifies other matches (compile checks);
        // a cross-file rule matches in the wrappers pass, not in one file.
        NodeKind::Sibling(_) | NodeKind::CallsOf(_) => Vec::new(),
    };
    for n in &node.not {
        if spans.is_empty() {
            break;
        }
        if let NodeKind::Sibling(name) = &n.kind {
            if (cx.sibling_exists)(name) {
                return Vec::new();
            }
            continue;
        }
        let excluded = Near::new(&eval(n, cx), cx.lines);
        spans.retain(|s| !excluded.any(*s, n.within, cx.lines));
    }
    spans
}

/// Whether `node` is made of regexes only (and sibling conditions): no
/// structured `key` matcher, whose evaluation parses the file.
fn is_regex_only(node: &Node) -> bool {
    let own = match &node.kind {
        NodeKind::Regex { .. } | NodeKind::Sibling(_) | NodeKind::CallsOf(_) => true,
        NodeKind::Key { .. } => false,
        NodeKind::Any(c) | NodeKind::All(c) => c.iter().all(is_regex_only),
    };
    own && node.not.iter().all(is_regex_only)
}

/// Whether `node` matches anywhere in the file: `eval` is not empty, with a
/// plain regex stopping at its first match.
fn matches_anywhere(node: &Node, cx: &FileContext<'_>) -> bool {
    match &node.kind {
        NodeKind::Regex { re, .. } if node.not.is_empty() => re.is_match(cx.text),
        _ => !eval(node, cx).is_empty(),
    }
}

fn regex_spans(re: &regex::bytes::Regex, hit: Option<usize>, text: &[u8]) -> Vec<Span> {
    match hit {
        Some(group) => re
            .captures_iter(text)
            .filter_map(|c| c.get(group).or_else(|| c.get(0)))
            .map(|m| Span {
                start: m.start(),
                end: m.end(),
            })
            .collect(),
        None => re
            .find_iter(text)
            .map(|m| Span {
                start: m.start(),
                end: m.end(),
            })
            .collect(),
    }
}

/// The line intervals of a set of spans, sorted by first line with a
/// running maximum of last lines, so that "is any of them within N lines of
/// this span" is one binary search. (Comparing every span with every other
/// was quadratic: a 2 MB `.env` with 30k lines of each of an `all` rule's
/// two patterns did not finish.)
struct Near {
    firsts: Vec<usize>,
    max_last: Vec<usize>,
}

impl Near {
    fn new(spans: &[Span], lines: &LineIndex) -> Near {
        let mut intervals: Vec<(usize, usize)> =
            spans.iter().map(|s| line_interval(*s, lines)).collect();
        intervals.sort_unstable();
        let mut running = 0;
        let max_last = intervals
            .iter()
            .map(|&(_, last)| {
                running = running.max(last);
                running
            })
            .collect();
        Near {
            firsts: intervals.into_iter().map(|(first, _)| first).collect(),
            max_last,
        }
    }

    /// Whether any interval lies within `within` lines of `s` (anywhere in
    /// the file when `within` is `None`): one starts at most `within` lines
    /// after `s` ends and ends at most `within` lines before it starts.
    fn any(&self, s: Span, within: Option<u32>, lines: &LineIndex) -> bool {
        let Some(within) = within else {
            return !self.firsts.is_empty();
        };
        let within = within as usize;
        let (first, last) = line_interval(s, lines);
        let k = self
            .firsts
            .partition_point(|&f| f <= last.saturating_add(within));
        k > 0 && self.max_last[k - 1].saturating_add(within) >= first
    }
}

/// The first and last line a span touches.
fn line_interval(s: Span, lines: &LineIndex) -> (usize, usize) {
    let first = lines.line_of(s.start);
    (first, lines.line_of(s.end.saturating_sub(1).max(s.start)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::compile::compile;
    use crate::rules::model::RuleSpec;

    fn rule(matcher_yaml: &str) -> crate::rules::Rule {
        let yaml = format!(
            "id: t\ntitle: t\ncategory: jwt-claims\nseverity: low\nconfidence: low\ndeadline: d\n\
             files: {{}}\nkeywords: [abc]\nmessage: m\nremediation: r\nreferences: []\n\
             docs: {{what: w, why: y}}\nexamples: {{match: [{{code: x}}], no_match: [{{code: y}}]}}\n\
             match:\n{matcher_yaml}"
        );
        let spec: RuleSpec = serde_saphyr::from_str(&yaml).expect("test rule parses");
        compile(spec, "t.yaml").expect("test rule compiles")
    }

    fn run(matcher_yaml: &str, text: &str, siblings: &[&str]) -> Vec<usize> {
        let r = rule(matcher_yaml);
        let lines = LineIndex::new(text.as_bytes());
        let exists = |n: &str| siblings.contains(&n);
        let sc = StructuredCache::new("t.txt", text.as_bytes());
        let cx = FileContext {
            text: text.as_bytes(),
            lines: &lines,
            sibling_exists: &exists,
            structured: &sc,
        };
        eval(&r.root, &cx)
            .into_iter()
            .map(|s| lines.line_of(s.start) + 1)
            .collect()
    }

    #[test]
    fn all_within_lines() {
        let m = "  all:\n    - regex: 'aud'\n    - regex: 'secret'\n      within: 1\n";
        assert_eq!(run(m, "aud\nsecret\n", &[]), vec![1]);
        assert_eq!(run(m, "aud\n\n\nsecret\n", &[]), Vec::<usize>::new());
        let anywhere = "  all:\n    - regex: 'aud'\n    - regex: 'secret'\n";
        assert_eq!(run(anywhere, "aud\n\n\n\nsecret\n", &[]), vec![1]);
    }

    #[test]
    fn all_skips_its_first_child_when_a_confirmation_matches_nowhere() {
        let m = "  all:\n    - regex: 'aud'\n    - regex: 'secret'\n      within: 1\n    - regex: 'adobe'\n";
        assert_eq!(run(m, "aud\nsecret\nadobe\n", &[]), vec![1]);
        assert!(run(m, "aud\nsecret\n", &[]).is_empty());
        assert!(run(m, "aud\nadobe\n\n\nsecret\n", &[]).is_empty());
        let m = "  all:\n    - regex: 'aud'\n    - regex: 'adobe'\n      not:\n        - regex: 'x'\n          within: 0\n";
        assert!(run(m, "aud\nadobe x\n", &[]).is_empty());
        assert_eq!(run(m, "aud\nadobe x\nadobe\n", &[]), vec![1]);
    }

    #[test]
    fn not_on_same_line() {
        let m = "  regex: 'ent_\\w+_sdk'\n  not:\n    - regex: '/s/ent_'\n      within: 0\n";
        assert_eq!(
            run(
                m,
                "x = 'ent_user_sdk'\ny = 'https://h/s/ent_user_sdk'\n",
                &[]
            ),
            vec![1]
        );
    }

    #[test]
    fn any_unions_and_hit_group_points_inside() {
        let m = "  any:\n    - regex: 'foo'\n    - regex: 'x(?P<hit>bar)'\n";
        let r = rule(m);
        let text = "1 xbar\nfoo\n";
        let lines = LineIndex::new(text.as_bytes());
        let no = |_: &str| false;
        let sc = StructuredCache::new("t.txt", text.as_bytes());
        let cx = FileContext {
            text: text.as_bytes(),
            lines: &lines,
            sibling_exists: &no,
            structured: &sc,
        };
        let spans = eval(&r.root, &cx);
        assert_eq!(
            spans,
            vec![Span { start: 3, end: 6 }, Span { start: 7, end: 10 }]
        );
    }

    #[test]
    fn sibling_conditions() {
        let m = "  all:\n    - regex: 'BEGIN'\n    - sibling_file: certificate_pub.crt\n";
        assert_eq!(run(m, "BEGIN", &["certificate_pub.crt"]), vec![1]);
        assert!(run(m, "BEGIN", &[]).is_empty());
        let n = "  regex: 'BEGIN'\n  not:\n    - sibling_file: tls.crt\n";
        assert!(run(n, "BEGIN", &["tls.crt"]).is_empty());
    }

    /// The indexed proximity check agrees with comparing every pair.
    #[test]
    fn near_agrees_with_pairwise() {
        let text: String = (0..200).map(|i| format!("line {i}\n")).collect();
        let lines = LineIndex::new(text.as_bytes());
        let span = |i: usize, len: usize| Span {
            start: (i * 37) % text.len(),
            end: ((i * 37) % text.len() + len).min(text.len()),
        };
        let others: Vec<Span> = (0..40).map(|i| span(i * 7 + 3, i % 30)).collect();
        let near = Near::new(&others, &lines);
        for i in 0..300 {
            let s = span(i, i % 25);
            for within in [None, Some(0), Some(1), Some(5)] {
                let pairwise = others.iter().any(|o| {
                    let (f, l) = line_interval(s, &lines);
                    let (of, ol) = line_interval(*o, &lines);
                    // The distance between two line intervals, as before.
                    let gap = if of > l { of - l } else { f.saturating_sub(ol) };
                    within.is_none_or(|w| gap <= w as usize)
                });
                assert_eq!(near.any(s, within, &lines), pairwise, "{s:?} {within:?}");
            }
        }
        assert!(!Near::new(&[], &lines).any(span(1, 1), None, &lines));
    }

    #[test]
    fn line_index_ranges() {
        let t = b"ab\r\ncd\nef";
        let li = LineIndex::new(t);
        assert_eq!(li.line_count(), 3);
        assert_eq!(li.line_range(t, 0), (0, 2));
        assert_eq!(li.line_range(t, 1), (4, 6));
        assert_eq!(li.line_range(t, 2), (7, 9));
        assert_eq!(li.line_of(5), 1);
    }
}
