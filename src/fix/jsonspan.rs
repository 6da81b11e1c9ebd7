//! A JSON parser that keeps byte spans, so that fixes edit a file in place
//! (its indentation, key order and spacing stay) instead of re-serialising
//! it. Depth is capped; anything malformed is an error, never a panic.

use std::ops::Range;

/// Nesting deeper than this is refused.
const MAX_DEPTH: usize = 128;

/// A JSON value and where it is.
#[derive(Debug, Clone)]
pub struct Node {
    pub span: Range<usize>,
    pub value: Value,
}

/// An object member: its key (decoded), the key's span and the value.
#[derive(Debug, Clone)]
pub struct Member {
    pub key: String,
    pub key_span: Range<usize>,
    pub node: Node,
}

#[derive(Debug, Clone)]
pub enum Value {
    Object(Vec<Member>),
    Array(Vec<Node>),
    Str(String),
    /// Numbers, booleans, null.
    Other,
}

/// Why a text is not JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not JSON at byte {at}: {what}")]
pub struct JsonError {
    pub at: usize,
    pub what: &'static str,
}

impl Node {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.node)
    }

    /// The member (with its key span) `key` of an object.
    pub fn member(&self, key: &str) -> Option<&Member> {
        match &self.value {
            Value::Object(ms) => ms.iter().find(|m| m.key == key),
            _ => None,
        }
    }

    /// The members of an object (empty otherwise).
    pub fn members(&self) -> &[Member] {
        match &self.value {
            Value::Object(ms) => ms,
            _ => &[],
        }
    }

    /// The items of an array (empty otherwise).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Array(v) => v,
            _ => &[],
        }
    }

    /// The string value, if a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A string, or the strings of an array of strings.
    pub fn strings(&self) -> Vec<String> {
        match &self.value {
            Value::Str(s) => s
                .split([',', ' '])
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect(),
            Value::Array(v) => v
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Parses a whole document (a UTF-8 BOM and surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Node, JsonError> {
    let mut p = Parser {
        b: text.as_bytes(),
        i: usize::from(text.starts_with('\u{feff}')) * 3,
    };
    let n = p.value(0)?;
    p.ws();
    if p.i != p.b.len() {
        return Err(p.err("trailing characters"));
    }
    Ok(n)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, what: &'static str) -> JsonError {
        JsonError { at: self.i, what }
    }

    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8, what: &'static str) -> Result<(), JsonError> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deep"));
        }
        self.ws();
        let start = self.i;
        let value = match self.peek() {
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        let ks = self.i;
                        let key = self.string()?;
                        let key_span = ks..self.i;
                        self.expect(b':', "expected ':'")?;
                        let node = self.value(depth + 1)?;
                        members.push(Member {
                            key,
                            key_span,
                            node,
                        });
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected ',' or '}'")),
                        }
                    }
                }
                Value::Object(members)
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                } else {
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected ',' or ']'")),
                        }
                    }
                }
                Value::Array(items)
            }
            Some(b'"') => Value::Str(self.string()?),
            Some(c) if c == b'-' || c.is_ascii_alphanumeric() => {
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.'))
                {
                    self.i += 1;
                }
                Value::Other
            }
            _ => return Err(self.err("expected a value")),
        };
        Ok(Node {
            span: start..self.i,
            value,
        })
    }

    fn string(&mut self) -> Result<String, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.err("expected a string"));
        }
        let start = self.i;
        self.i += 1;
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'\\') => self.i += 2,
                Some(b'"') => {
                    self.i += 1;
                    break;
                }
                Some(_) => self.i += 1,
            }
        }
        let raw = self
            .b
            .get(start..self.i)
            .ok_or_else(|| self.err("unterminated string"))?;
        let raw = std::str::from_utf8(raw).map_err(|_| self.err("invalid UTF-8"))?;
        serde_json::from_str::<String>(raw).map_err(|_| self.err("bad string escape"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_the_text() {
        let t = "{ \"a\": [1, \"x\"], \"b\": {\"c\": null} }";
        let n = parse(t).expect("json");
        let a = n.get("a").expect("a");
        assert_eq!(&t[a.span.clone()], "[1, \"x\"]");
        let m = n.member("b").expect("b");
        assert_eq!(&t[m.key_span.clone()], "\"b\"");
        assert_eq!(a.strings(), ["x"]);
    }

    #[test]
    fn malformed_and_deep_input_are_errors() {
        for bad in ["{", "{\"a\" 1}", "[1,", "\"x", "{} x"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = "[".repeat(1000);
        assert!(parse(&deep).is_err());
    }
}

/// The byte ranges that remove the members at `remove` (indices) from an
/// object, each with its separating comma, so that the rest keeps its
/// layout. Runs of adjacent members give one range.
pub fn remove_members(obj: &Node, remove: &[usize]) -> Vec<Range<usize>> {
    let ms = obj.members();
    let mut out = Vec::new();
    let mut i = 0;
    while i < ms.len() {
        if !remove.contains(&i) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < ms.len() && remove.contains(&(j + 1)) {
            j += 1;
        }
        if let Some(next) = ms.get(j + 1) {
            out.push(ms[i].key_span.start..next.key_span.start);
        } else if i > 0 {
            out.push(ms[i - 1].node.span.end..ms[j].node.span.end);
        } else {
            out.push(ms[i].key_span.start..ms[j].node.span.end);
        }
        i = j + 1;
    }
    out
}

/// The indentation of the line a byte offset is on (for inserted members).
pub fn indent_at(text: &str, offset: usize) -> &str {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

#[cfg(test)]
mod edit_tests {
    use super::*;

    #[test]
    fn removing_members_keeps_layout() {
        let t = "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}";
        let n = parse(t).expect("json");
        let cut = |r: &[usize]| {
            let edits = remove_members(&n, r)
                .into_iter()
                .map(|x| (x, String::new()))
                .collect();
            crate::fix::text::splice(t, edits)
        };
        assert_eq!(cut(&[1]), "{\n  \"a\": 1,\n  \"c\": 3\n}");
        assert_eq!(cut(&[1, 2]), "{\n  \"a\": 1\n}");
        assert_eq!(cut(&[0, 2]), "{\n  \"b\": 2\n}");
        assert_eq!(cut(&[0, 1, 2]), "{\n  \n}");
        assert_eq!(indent_at(t, 5), "  ");
    }
}
