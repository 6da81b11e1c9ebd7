//! Lexical helpers the code rewrites share: skipping strings and comments,
//! matching brackets and splitting argument lists, for C-like languages
//! (JavaScript/TypeScript, Java: `'`, `"` and `` ` `` strings, `//` and
//! `/* */` comments) and Python (`#` comments, single and triple quotes).

use std::ops::Range;

/// Which lexical rules a source text follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// JavaScript, TypeScript, Java, C#, Go, PHP (close enough for brackets).
    CLike,
    Python,
}

impl Syntax {
    /// Skips a string or comment starting at `i`: the index after it, or
    /// `None` when `i` starts neither.
    pub fn skip_opaque(self, b: &[u8], i: usize) -> Option<usize> {
        match self {
            Syntax::CLike => skip_c(b, i),
            Syntax::Python => skip_python(b, i),
        }
    }

    /// Whether a string or comment starting at `i` is a comment.
    pub fn is_comment_start(self, b: &[u8], i: usize) -> bool {
        match self {
            Syntax::CLike => b.get(i) == Some(&b'/') && matches!(b.get(i + 1), Some(b'/' | b'*')),
            Syntax::Python => b.get(i) == Some(&b'#'),
        }
    }

    /// The strings and comments of a text.
    pub fn opaque_ranges(self, b: &[u8]) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match self.skip_opaque(b, i) {
                Some(j) => {
                    out.push(i..j);
                    i = j;
                }
                None => i += 1,
            }
        }
        out
    }

    /// The index of the bracket closing the one at `open`.
    pub fn matching(self, b: &[u8], open: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = open;
        while i < b.len() {
            if let Some(j) = self.skip_opaque(b, i) {
                i = j;
                continue;
            }
            match b[i] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// The pieces of `b[from..to]` between commas outside brackets,
    /// strings and comments (empty ones too), as byte ranges.
    pub fn comma_spans(self, b: &[u8], from: usize, to: usize) -> Vec<Range<usize>> {
        let (mut out, mut start, mut depth, mut i) = (Vec::new(), from, 0usize, from);
        while i < to {
            if let Some(j) = self.skip_opaque(b, i) {
                i = j;
                continue;
            }
            match b[i] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => {
                    out.push(start..i);
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        out.push(start..to);
        out
    }

    /// Splits `s` on commas outside brackets, strings and comments; empty
    /// pieces go.
    pub fn split_args(self, s: &str) -> Vec<&str> {
        self.comma_spans(s.as_bytes(), 0, s.len())
            .into_iter()
            .map(|r| &s[r])
            .filter(|a| !a.trim().is_empty())
            .collect()
    }
}

fn skip_c(b: &[u8], i: usize) -> Option<usize> {
    let c = *b.get(i)?;
    match c {
        b'\'' | b'"' | b'`' => {
            let mut j = i + 1;
            while j < b.len() && b[j] != c {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            Some((j + 1).min(b.len()))
        }
        b'/' if b.get(i + 1) == Some(&b'/') => Some(
            b[i..]
                .iter()
                .position(|&x| x == b'\n')
                .map_or(b.len(), |p| i + p),
        ),
        b'/' if b.get(i + 1) == Some(&b'*') => Some(
            b[i + 2..]
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(b.len(), |p| i + 2 + p + 2),
        ),
        _ => None,
    }
}

fn skip_python(b: &[u8], i: usize) -> Option<usize> {
    let c = *b.get(i)?;
    if c == b'#' {
        return Some(
            b[i..]
                .iter()
                .position(|&x| x == b'\n')
                .map_or(b.len(), |p| i + p),
        );
    }
    if c != b'\'' && c != b'"' {
        return None;
    }
    let triple = b
        .get(i..i + 3)
        .is_some_and(|w| w[0] == c && w[1] == c && w[2] == c);
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        if b[j] == b'\\' {
            j += 2;
            continue;
        }
        if triple {
            if b.get(j..j + 3).is_some_and(|w| w.iter().all(|&x| x == c)) {
                return Some(j + 3);
            }
        } else if b[j] == c || b[j] == b'\n' {
            return Some(j + 1);
        }
        j += 1;
    }
    Some(b.len())
}

/// The byte ranges of each line (with its ending).
pub fn line_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    for l in text.split_inclusive('\n') {
        out.push(at..at + l.len());
        at += l.len();
    }
    out
}

/// Whether `s` uses the identifier `name`: not as a member (`x.name`), nor
/// as an object literal's key (`{name: ...}`, written without a space
/// before the colon, unlike a ternary's `? name : ...`).
pub fn mentions_ident(s: &str, name: &str) -> bool {
    let Ok(re) = regex::Regex::new(&format!(r"(?:^|[^\w$.]){}\b", regex::escape(name))) else {
        return false;
    };
    re.find_iter(s).any(|m| {
        let rest = &s[m.end()..];
        !rest.starts_with(':') || rest.starts_with("::")
    })
}

/// The metascopes named in claims (`.../s/<name>`), sorted, once each.
pub fn metascopes(text: &str) -> Vec<String> {
    static METASCOPE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"/s/([A-Za-z0-9_]+)").expect("static regex")
    });
    METASCOPE
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// `s` with its strings and comments blanked (same length, newlines
/// kept), so that name searches see only code.
pub fn code_only(syntax: Syntax, s: &str) -> String {
    let b = s.as_bytes();
    let mut out = b.to_vec();
    for r in syntax.opaque_ranges(b) {
        // Keep the quotes of a string so it still reads as an operand.
        let inner = if syntax.is_comment_start(b, r.start) {
            r.clone()
        } else {
            r.start + 1..r.end.saturating_sub(1).max(r.start + 1)
        };
        for x in &mut out[inner] {
            if *x != b'\n' {
                *x = b' ';
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_skip_strings_and_comments() {
        let js = b"f(a, \")\", /* ) */ g(b)) // )";
        assert_eq!(Syntax::CLike.matching(js, 1), Some(22));
        let py = b"f(a, ')', # )\n  g(b))";
        assert_eq!(Syntax::Python.matching(py, 1), Some(py.len() - 1));
        assert_eq!(
            Syntax::CLike.split_args("a, f(b, c), \"d,e\""),
            ["a", " f(b, c)", " \"d,e\""]
        );
        assert!(mentions_ident("x = jwt + 1", "jwt"));
        assert!(!mentions_ident("x = a.jwt", "jwt"));
        assert!(!mentions_ident("return { jwt: 1 }", "jwt"));
        assert!(mentions_ident("return { jwt }", "jwt"));
        assert!(mentions_ident("a ? jwt : b", "jwt"));
        assert_eq!(
            code_only(Syntax::CLike, "a(\"jwt\") // jwt\nb"),
            "a(\"   \")       \nb"
        );
    }
}
