//! Lexical helpers the code rewrites share: skipping strings and comments,
//! matching brackets and splitting argument lists, for C-like languages
//! (JavaScript/TypeScript, Java, C#, Go: `'`, `"` and `` ` `` strings, `//`
//! and `/* */` comments), PHP (C-like plus `#` comments), Python (`#`
//! comments, single and triple quotes), shell (`#` at a word's start,
//! `'...'`, `"..."` with `$(...)` inside), PowerShell (`#`, `<# #>`,
//! here-strings, `"..."` with `$(...)`) and Ruby (`#`, `"..."` with
//! `#{...}`). In the last four (and PHP) a double-quoted string
//! interpolates variables, so [`code_only`] keeps its text.

use std::ops::Range;

/// Which lexical rules a source text follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// JavaScript, TypeScript, Java, C#, Go (close enough for brackets).
    CLike,
    Python,
    /// C-like with `#` comments (not `#[` attributes).
    Php,
    /// POSIX shell and bash.
    Shell,
    PowerShell,
    Ruby,
}

impl Syntax {
    /// Skips a string or comment starting at `i`: the index after it, or
    /// `None` when `i` starts neither.
    pub fn skip_opaque(self, b: &[u8], i: usize) -> Option<usize> {
        match self {
            Syntax::CLike => skip_c(b, i),
            Syntax::Python => skip_python(b, i),
            Syntax::Php if self.is_comment_start(b, i) && b[i] == b'#' => Some(line_end(b, i)),
            Syntax::Php => skip_c(b, i),
            Syntax::Shell => skip_shell(b, i),
            Syntax::PowerShell => skip_powershell(b, i),
            Syntax::Ruby => skip_ruby(b, i),
        }
    }

    /// Whether a string or comment starting at `i` is a comment.
    pub fn is_comment_start(self, b: &[u8], i: usize) -> bool {
        let c_comment = || b.get(i) == Some(&b'/') && matches!(b.get(i + 1), Some(b'/' | b'*'));
        let hash = b.get(i) == Some(&b'#');
        // In shell and PowerShell `#` starts a comment only at a word's start
        // (`${#a[@]}`, `$#`, `a#b` are code).
        let word_start =
            i == 0 || matches!(b.get(i - 1), Some(b' ' | b'\t' | b'\n' | b'\r' | b';'));
        match self {
            Syntax::CLike => c_comment(),
            Syntax::Python | Syntax::Ruby => hash,
            Syntax::Php => c_comment() || (hash && b.get(i + 1) != Some(&b'[')),
            Syntax::Shell => hash && word_start,
            Syntax::PowerShell => {
                (hash && word_start) || (b.get(i) == Some(&b'<') && b.get(i + 1) == Some(&b'#'))
            }
        }
    }

    /// Whether a double-quoted string interpolates variables (its text is
    /// code for name searches).
    pub fn interpolates(self) -> bool {
        matches!(
            self,
            Syntax::Php | Syntax::Shell | Syntax::PowerShell | Syntax::Ruby
        )
    }

    /// The variable a statement assigns (without its sigil: `x=` in shell,
    /// `$x =` in PHP and PowerShell, `x, err :=` in Go gives `x`).
    pub fn declared(self, stmt: &str) -> Option<String> {
        static SHELL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(
                r"^\s*(?:(?:local|export|readonly|declare(?:\s+-\w+)*)\s+)?([A-Za-z_]\w*)\+?=",
            )
            .expect("static regex")
        });
        static SIGIL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(
                r"^\s*(?:\[[\w.\[\]]+\]\s*)?\$\{?([A-Za-z_][\w:]*)\}?\s*(?:[-+.]|\?\?)?=[^=>~]",
            )
            .expect("static regex")
        });
        match self {
            Syntax::Shell => SHELL.captures(stmt).map(|c| c[1].to_string()),
            Syntax::Php | Syntax::PowerShell => SIGIL.captures(stmt).map(|c| c[1].to_string()),
            Syntax::CLike | Syntax::Python | Syntax::Ruby => declared_in(self, stmt),
        }
    }

    /// Whether code `s` uses the variable `name` (as [`Syntax::declared`]
    /// names it): `$name`/`${name}` in shell, PHP and PowerShell (case
    /// insensitively there), else [`mentions_ident`].
    pub fn mentions(self, s: &str, name: &str) -> bool {
        let pattern = match self {
            // Shell arithmetic names variables bare: `$((now + 300))`.
            Syntax::Shell => format!(r"\$\{{?{0}\b|\$\(\([^)]*\b{0}\b", regex::escape(name)),
            Syntax::Php => format!(r"\$\{{?{}\b", regex::escape(name)),
            Syntax::PowerShell => format!(r"(?i)\$\{{?{}\b", regex::escape(name)),
            _ => return mentions_ident(s, name),
        };
        regex::Regex::new(&pattern).is_ok_and(|re| re.is_match(s))
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

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&x| x == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// A double-quoted string from `i` whose `escape` byte escapes the next one
/// and whose `sub` opener (`$(` or `#{`) nests code of `syntax` up to its
/// matching bracket.
fn skip_interpolated(syntax: Syntax, b: &[u8], i: usize, escape: u8, sub: &[u8]) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == escape {
            j += 2;
        } else if b[j] == b'"' {
            return j + 1;
        } else if b[j..].starts_with(sub) {
            j = syntax.matching(b, j + 1).map_or(b.len(), |close| close + 1);
        } else {
            j += 1;
        }
    }
    b.len()
}

fn skip_shell(b: &[u8], i: usize) -> Option<usize> {
    let c = *b.get(i)?;
    if Syntax::Shell.is_comment_start(b, i) {
        return Some(line_end(b, i));
    }
    match c {
        // A backslash quotes the next byte (`\"`, `\'`, `\#`).
        b'\\' => Some((i + 2).min(b.len())),
        b'\'' => Some(
            b[i + 1..]
                .iter()
                .position(|&x| x == b'\'')
                .map_or(b.len(), |p| i + 1 + p + 1),
        ),
        b'`' => Some(
            b[i + 1..]
                .iter()
                .position(|&x| x == b'`')
                .map_or(b.len(), |p| i + 1 + p + 1),
        ),
        b'"' => Some(skip_interpolated(Syntax::Shell, b, i, b'\\', b"$(")),
        _ => None,
    }
}

fn skip_powershell(b: &[u8], i: usize) -> Option<usize> {
    let c = *b.get(i)?;
    if c == b'<' && b.get(i + 1) == Some(&b'#') {
        return Some(
            b[i + 2..]
                .windows(2)
                .position(|w| w == b"#>")
                .map_or(b.len(), |p| i + 2 + p + 2),
        );
    }
    if Syntax::PowerShell.is_comment_start(b, i) {
        return Some(line_end(b, i));
    }
    // Here-strings: @" ... "@ and @' ... '@, their closer at a line start.
    if c == b'@' && matches!(b.get(i + 1), Some(b'"' | b'\'')) {
        let q = b[i + 1];
        let closer = [b'\n', q, b'@'];
        return Some(
            b[i + 2..]
                .windows(3)
                .position(|w| w == closer)
                .map_or(b.len(), |p| i + 2 + p + 3),
        );
    }
    match c {
        b'`' => Some((i + 2).min(b.len())),
        b'\'' => Some(
            b[i + 1..]
                .iter()
                .position(|&x| x == b'\'')
                .map_or(b.len(), |p| i + 1 + p + 1),
        ),
        b'"' => Some(skip_interpolated(Syntax::PowerShell, b, i, b'`', b"$(")),
        _ => None,
    }
}

fn skip_ruby(b: &[u8], i: usize) -> Option<usize> {
    let c = *b.get(i)?;
    match c {
        b'#' => Some(line_end(b, i)),
        b'\'' | b'`' => {
            let mut j = i + 1;
            while j < b.len() && b[j] != c {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            Some((j + 1).min(b.len()))
        }
        b'"' => Some(skip_interpolated(Syntax::Ruby, b, i, b'\\', b"#{")),
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
        // An interpolating string is code (its variables are uses).
        if syntax.interpolates() && b[r.start] == b'"' {
            continue;
        }
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

/// Whether the `=` at `b[i]` assigns (not `==`, `!=`, `<=`, `+=`'s first half, ...).
pub fn is_assignment(b: &[u8], i: usize) -> bool {
    let prev = i.checked_sub(1).and_then(|p| b.get(p));
    !matches!(b.get(i + 1), Some(b'='))
        && !matches!(
            prev,
            Some(b'=' | b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^')
        )
}

/// `block::declared` in another syntax's lexing; Go's `a, err :=` gives `a`, a
/// Ruby or PHP `=>` is not an assignment.
pub fn declared_in(syntax: Syntax, stmt: &str) -> Option<String> {
    let b = stmt.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        if let Some(j) = syntax.skip_opaque(b, i) {
            i = j;
            continue;
        }
        match b[i] {
            b'(' | b'[' | b'{' | b'<' => depth += 1,
            b')' | b']' | b'}' | b'>' => depth = depth.saturating_sub(1),
            b'=' if depth == 0
                && is_assignment(b, i)
                && (syntax == Syntax::CLike || b.get(i + 1) != Some(&b'>')) =>
            {
                let mut lhs = stmt[..i].trim_end().trim_end_matches(':').trim_end();
                // Go's `a, err :=`: the first name (not inside generics).
                if !lhs.contains(['<', '[', '(']) {
                    lhs = lhs.split(',').next().unwrap_or(lhs).trim_end();
                }
                let name: String = lhs
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                return (!name.is_empty()).then_some(name);
            }
            _ => {}
        }
        i += 1;
    }
    None
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

    #[test]
    fn hash_comment_languages_and_interpolation() {
        // Shell: `${#a}` and `$#` are code, `"$(printf ")")"` one string.
        let sh = br#"n=${#a} $# # c ) 
x=$(f "$(printf ")")") )"#;
        let r = Syntax::Shell.opaque_ranges(sh);
        assert_eq!(&sh[r[0].clone()], b"# c ) ");
        let open = sh.windows(3).position(|w| w == b"$(f").map(|p| p + 1);
        assert_eq!(
            open.and_then(|o| Syntax::Shell.matching(sh, o)),
            Some(sh.len() - 3)
        );
        assert!(Syntax::Shell.mentions("$((now + 1))", "now"));
        assert!(Syntax::Shell.mentions("\"${jwt}\"", "jwt"));
        assert!(!Syntax::Shell.mentions("jwt", "jwt"));
        assert_eq!(Syntax::Shell.declared("local x=1").as_deref(), Some("x"));
        // PowerShell: here-strings and <# #> are opaque; $X is case-blind.
        let ps = b"$a = @\"\n)\"@ <# ) #> ( )";
        assert_eq!(
            Syntax::PowerShell.matching(ps, ps.len() - 3),
            Some(ps.len() - 1)
        );
        assert!(Syntax::PowerShell.mentions("-Body $JWT", "jwt"));
        assert_eq!(
            Syntax::PowerShell.declared("$jwt = x").as_deref(),
            Some("jwt")
        );
        // Ruby: `#{...}` inside a string may hold quotes.
        let rb = br##"f("#{h["}"]}") # )"##;
        assert_eq!(Syntax::Ruby.matching(rb, 1), Some(rb.len() - 5));
        // PHP: `#` comments but not `#[` attributes; `=>` is no assignment.
        assert!(Syntax::Php.is_comment_start(b"# x", 0));
        assert!(!Syntax::Php.is_comment_start(b"#[Attr]", 0));
        assert_eq!(
            Syntax::Php.declared("$jwt = JWT::encode($c)").as_deref(),
            Some("jwt")
        );
        assert!(Syntax::Php.mentions("'a' . $jwt", "jwt"));
        // Go: the first name of `a, err :=`.
        assert_eq!(
            Syntax::CLike.declared("signed, err := f()").as_deref(),
            Some("signed")
        );
        // Interpolating strings stay code for name searches.
        assert!(code_only(Syntax::Shell, "x=\"$jwt\" '$y'").contains("$jwt"));
        assert!(!code_only(Syntax::Shell, "x='$y'").contains("$y"));
    }
}
