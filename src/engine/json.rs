//! JSON for the structural matchers, parsed as JSON (not as YAML flow
//! style): a lone `\uD800` escape decodes to U+FFFD as `JSON.parse` does,
//! and errors use JSON's terms with line and column. It feeds the same
//! [`Frame`] stack as YAML's event stream, so entries, key spans and the
//! depth, key and segment budgets are the same. No tree is built; the
//! nesting is bounded by [`MAX_DEPTH`] before the parser recurses.
//!
//! Lenient where editors are (tsconfig, VS Code settings, `.jsonc`): `//`
//! and `/* */` comments and trailing commas are accepted.

use std::borrow::Cow;

use super::flat::{
    Entry, FlattenError, Frame, MAX_DEPTH, MAX_ENTRIES, MAX_PATH_SEGMENTS, advance, node,
    too_complex,
};

/// Flattens a JSON document, or says why it is not JSON (with line and
/// column, 1-based, the column in characters).
pub fn flatten_json(text: &str) -> Result<Vec<Entry>, FlattenError> {
    let mut p = JsonParser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        out: Vec::new(),
        stack: Vec::new(),
        segments: 0,
    };
    p.skip_ws()?;
    if p.pos == p.bytes.len() {
        // An empty file is nothing to analyse, not an error worth a --strict failure.
        return Ok(Vec::new());
    }
    p.value(0)?;
    p.skip_ws()?;
    if p.pos < p.bytes.len() {
        return Err(p.error("unexpected characters after the JSON value"));
    }
    Ok(p.out)
}

struct JsonParser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    out: Vec<Entry>,
    stack: Vec<Frame>,
    segments: usize,
}

impl JsonParser<'_> {
    fn error(&self, what: &str) -> FlattenError {
        let at = self.pos.min(self.text.len());
        // `pos` is always on a character boundary: it only stops on ASCII.
        let before = self.text.get(..at).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        FlattenError::Syntax(format!("{what} at line {line} column {col}"))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) -> Result<(), FlattenError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                    self.pos = memchr::memchr(b'\n', &self.bytes[self.pos..])
                        .map_or(self.bytes.len(), |i| self.pos + i);
                }
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'*') => {
                    match memchr::memmem::find(&self.bytes[self.pos + 2..], b"*/") {
                        Some(i) => self.pos += i + 4,
                        None => return Err(self.error("unterminated comment")),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Records a node on the frame stack (as YAML's events do) and checks
    /// the budgets.
    fn node(
        &mut self,
        scalar: Option<Cow<'_, str>>,
        start: usize,
        end: usize,
        container: Option<bool>,
    ) -> Result<(), FlattenError> {
        let pushed = self.out.len();
        node(
            &mut self.stack,
            &mut self.out,
            scalar,
            start,
            end,
            container,
        )?;
        self.segments += self.out[pushed..]
            .iter()
            .map(|e| e.path.len())
            .sum::<usize>();
        if self.out.len() > MAX_ENTRIES || self.segments > MAX_PATH_SEGMENTS {
            return Err(too_complex());
        }
        Ok(())
    }

    fn end_container(&mut self) {
        self.stack.pop();
        advance(&mut self.stack);
    }

    fn value(&mut self, depth: usize) -> Result<(), FlattenError> {
        if depth > MAX_DEPTH {
            return Err(FlattenError::TooDeep);
        }
        let start = self.pos;
        match self.peek() {
            Some(b'{') => {
                self.node(None, start, start + 1, Some(true))?;
                self.pos += 1;
                self.object(depth)
            }
            Some(b'[') => {
                self.node(None, start, start + 1, Some(false))?;
                self.pos += 1;
                self.array(depth)
            }
            Some(b'"') => {
                let s = self.string()?;
                self.node(Some(Cow::Owned(s)), start, self.pos, None)
            }
            Some(b'-' | b'0'..=b'9') => {
                while matches!(
                    self.peek(),
                    Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                ) {
                    self.pos += 1;
                }
                let raw = &self.text[start..self.pos];
                if raw.parse::<f64>().is_err() {
                    self.pos = start;
                    return Err(self.error("invalid number"));
                }
                self.node(Some(Cow::Borrowed(raw)), start, self.pos, None)
            }
            Some(b't' | b'f' | b'n') => {
                for lit in ["true", "false", "null"] {
                    if self.bytes[self.pos..].starts_with(lit.as_bytes()) {
                        self.pos += lit.len();
                        return self.node(Some(Cow::Borrowed(lit)), start, self.pos, None);
                    }
                }
                Err(self.error("expected a value (true, false or null?)"))
            }
            None => Err(self.error("unexpected end of input, expected a value")),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<(), FlattenError> {
        loop {
            self.skip_ws()?;
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    self.end_container();
                    return Ok(());
                }
                Some(b'"') => {}
                None => return Err(self.error("unexpected end of input, expected `}`")),
                Some(_) => return Err(self.error("expected a string key or `}`")),
            }
            let kstart = self.pos;
            let key = self.string()?;
            self.node(Some(Cow::Owned(key)), kstart, self.pos, None)?;
            self.skip_ws()?;
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:` after the key"));
            }
            self.pos += 1;
            self.skip_ws()?;
            self.value(depth + 1)?;
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                None => return Err(self.error("unexpected end of input, expected `,` or `}`")),
                Some(_) => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), FlattenError> {
        loop {
            self.skip_ws()?;
            match self.peek() {
                Some(b']') => {
                    self.pos += 1;
                    self.end_container();
                    return Ok(());
                }
                None => return Err(self.error("unexpected end of input, expected `]`")),
                Some(_) => {}
            }
            self.value(depth + 1)?;
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                None => return Err(self.error("unexpected end of input, expected `,` or `]`")),
                Some(_) => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// A string at `pos` (on its opening quote); leaves `pos` after the
    /// closing quote. Escapes are decoded; a lone surrogate becomes U+FFFD.
    fn string(&mut self) -> Result<String, FlattenError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.bytes[self.pos..];
            let Some(i) = memchr::memchr2(b'"', b'\\', rest) else {
                return Err(self.error("unterminated string"));
            };
            // Both delimiters are ASCII, so these are character boundaries.
            out.push_str(&self.text[self.pos..self.pos + i]);
            self.pos += i;
            if self.bytes[self.pos] == b'"' {
                self.pos += 1;
                return Ok(out);
            }
            let esc_at = self.pos;
            let Some(&e) = self.bytes.get(self.pos + 1) else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 2;
            match e {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let hi = self.hex4(esc_at)?;
                    let c = if (0xD800..0xDC00).contains(&hi)
                        && self.bytes[self.pos..].starts_with(b"\\u")
                    {
                        let save = self.pos;
                        self.pos += 2;
                        let lo = self.hex4(save)?;
                        if (0xDC00..0xE000).contains(&lo) {
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                        } else {
                            // Not a pair: this one is lone, the next is read on its own.
                            self.pos = save;
                            None
                        }
                    } else {
                        char::from_u32(hi)
                    };
                    out.push(c.unwrap_or('\u{FFFD}'));
                }
                _ => {
                    self.pos = esc_at;
                    return Err(self.error("invalid escape in string"));
                }
            }
        }
    }

    /// Four hex digits at `pos`; `esc_at` is where the escape began (for
    /// the error).
    fn hex4(&mut self, esc_at: usize) -> Result<u32, FlattenError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => {
                self.pos = esc_at;
                Err(self.error("invalid \\u escape in string"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_decode_to_replacement() {
        let e = flatten_json(r#"{"a": "\uD800", "b": "\uD83D\uDE00", "c": "\uDC00x"}"#)
            .expect("JSON.parse accepts lone surrogates");
        let v: Vec<_> = e.iter().map(|e| e.value.as_deref().unwrap_or("")).collect();
        assert_eq!(v, ["\u{FFFD}", "😀", "\u{FFFD}x"]);
    }

    #[test]
    fn errors_are_json_errors_with_line_and_column() {
        let err = flatten_json("{\n  \"a\": [1,\n")
            .expect_err("unterminated")
            .to_string();
        assert!(err.contains("line 3 column 1"), "{err}");
        assert!(err.contains("expected"), "{err}");
        let err = flatten_json("{\"a\" 1}").expect_err("no colon");
        assert_eq!(
            err,
            FlattenError::Syntax("expected `:` after the key at line 1 column 6".into())
        );
        let err = flatten_json("{\"é\": \"\\q\"}")
            .expect_err("bad escape")
            .to_string();
        assert_eq!(err, "invalid escape in string at line 1 column 8");
        assert!(!err.contains("scalar"), "no YAML terms: {err}");
    }

    #[test]
    fn comments_trailing_commas_and_depth() {
        let e = flatten_json("// c\n{\"a\": [1, 2,], /* x */ \"b\": {},}\n").expect("lenient");
        assert_eq!(e.len(), 4);
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = flatten_json(&deep).expect_err("too deep");
        assert_eq!(err, FlattenError::TooDeep);
        assert!(err.to_string().contains("nested deeper"), "{err}");
        assert!(flatten_json("  \n").expect("empty").is_empty());
    }
}
