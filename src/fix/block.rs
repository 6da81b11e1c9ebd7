//! The statements of a brace block (Java, JavaScript/TypeScript, C#, PHP,
//! Go: up to a `;`, a block's closing brace or, with automatic semicolon
//! insertion, a line end) or of a line-oriented body (Python, shell,
//! PowerShell, Ruby: [`line_statements`]), what each declares, and the
//! closure of a hand-rolled JWT flow over them: what the code rewrites drop.

use std::collections::BTreeSet;
use std::ops::Range;

use super::code::{Syntax, code_only};
pub use super::code::{declared_in, is_assignment};
use super::text::splice;

/// A statement of a block.
pub struct Stmt {
    /// Its code, from the first character to the `;` or `}`.
    pub code: Range<usize>,
    /// Whole lines (with comment lines just above it), for removal.
    pub lines: Range<usize>,
}

impl Stmt {
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.code.clone()]
    }
}

/// The statements between a block's braces; with `asi` (JavaScript) a line
/// end can end one.
pub fn statements(
    syntax: Syntax,
    text: &str,
    open: usize,
    close: usize,
    asi: bool,
) -> Option<Vec<Stmt>> {
    let b = text.as_bytes();
    let mut out: Vec<Stmt> = Vec::new();
    let mut i = open + 1;
    loop {
        while i < close {
            if b[i].is_ascii_whitespace() {
                i += 1;
            } else if syntax.is_comment_start(b, i) {
                i = syntax.skip_opaque(b, i)?;
            } else {
                break;
            }
        }
        if i >= close {
            break;
        }
        let start = i;
        let (mut depth, mut assigns) = (0usize, false);
        let end = loop {
            if i >= close {
                return None;
            }
            if let Some(j) = syntax.skip_opaque(b, i) {
                i = j;
                continue;
            }
            match b[i] {
                b'(' | b'[' => depth += 1,
                b'{' if depth > 0 || assigns || !opens_block(&text[start..i]) => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b'=' if depth == 0 && is_assignment(b, i) => assigns = true,
                b';' if depth == 0 => break i + 1,
                b'\n' if asi && depth == 0 && !continues(syntax, text, start, i, close) => break i,
                b'{' => {
                    // A block statement (if, try, for ...): it ends at its
                    // brace unless else/catch/finally follows.
                    i = syntax.matching(b, i)? + 1;
                    let rest = text[i..close].trim_start();
                    if ["else", "catch", "finally"]
                        .iter()
                        .any(|k| rest.starts_with(k))
                    {
                        continue;
                    }
                    break i;
                }
                _ => {}
            }
            i += 1;
        };
        i = end;
        let prev_end = out.last().map_or(open + 1, |s| s.code.end);
        out.push(Stmt {
            code: start..end,
            lines: whole_lines(syntax, text, start, end, prev_end),
        });
    }
    Some(out)
}

/// Whether a `{` after `so_far` (the statement up to it) opens a block
/// statement (`if (..) {`, `try {`, `else {`, a bare block) rather than an
/// object literal (`return {`).
fn opens_block(so_far: &str) -> bool {
    let t = so_far.trim_end();
    let last_word = t
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    t.is_empty() || t.ends_with(')') || matches!(last_word, "else" | "try" | "finally" | "do")
}

/// With automatic semicolon insertion: whether the statement from `start`
/// goes on past the line end at `nl` (the line ends in an operator, or the
/// next one starts with one).
fn continues(syntax: Syntax, text: &str, start: usize, nl: usize, close: usize) -> bool {
    let before = code_only(syntax, &text[start..nl]);
    let before = before.trim_end();
    if before.is_empty() {
        return true;
    }
    let ends_in_op = before.ends_with(|c: char| "+-*/%=,([{.?:&|!<>".contains(c))
        && !before.ends_with("++")
        && !before.ends_with("--");
    let after = text[(nl + 1).min(close)..close].trim_start();
    let starts_with_op = [
        ".", "?", ":", "+", "-", "*", "%", "&&", "||", ")", "]", "=", ",",
    ]
    .iter()
    .any(|p| after.starts_with(p))
        || (after.starts_with('/') && !after.starts_with("//") && !after.starts_with("/*"));
    ends_in_op || starts_with_op
}

/// The body braces of a function whose parameter list opens at `paren`,
/// when what follows the list matches `to_body` (a return type, `throws`,
/// an arrow) up to and with the `{`.
pub fn function_body(text: &str, paren: usize, to_body: &regex::Regex) -> Option<(usize, usize)> {
    function_body_in(Syntax::CLike, text, paren, to_body)
}

/// [`function_body`] in another syntax's lexing.
pub fn function_body_in(
    syntax: Syntax,
    text: &str,
    paren: usize,
    to_body: &regex::Regex,
) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let close = syntax.matching(b, paren)?;
    let m = to_body.find(&text[close + 1..])?;
    let open = close + m.end();
    let end = syntax.matching(b, open)?;
    Some((open, end))
}

/// The body of a block that indentation delimits (Python's `def`, Ruby's
/// `def ... end`), whose header starts on line `def` of `lines`: the
/// index of the header's last line (where its parentheses, if any, close)
/// and the index of the first line after the body (not deeper than the
/// header and not blank: Ruby's `end`, Python's next statement).
pub fn indented_body(
    syntax: Syntax,
    text: &str,
    lines: &[Range<usize>],
    def: usize,
) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let r = lines.get(def)?;
    let line = &text[r.clone()];
    let def_width = super::text::width(line);
    let header_end = match code_only(syntax, line).find('(') {
        Some(p) => {
            let close = syntax.matching(b, r.start + p)?;
            lines.iter().position(|l| l.contains(&close))?
        }
        None => def,
    };
    let mut end = header_end + 1;
    while end < lines.len() {
        let l = &text[lines[end].clone()];
        if !is_blank_line(syntax, l) && super::text::width(l) <= def_width {
            break;
        }
        end += 1;
    }
    Some((header_end, end))
}

/// A line holding nothing or only a comment.
pub fn is_blank_line(syntax: Syntax, line: &str) -> bool {
    let t = super::text::body(line).trim();
    t.is_empty() || syntax.is_comment_start(t.as_bytes(), 0)
}

/// The statements of lines `from..to` of `lines` (a body indentation
/// delimits, or a brace body of shell or PowerShell): a line at the body's
/// indentation starts one, which goes on while brackets or a string are
/// open at a line end, a line ends in `\` (or PowerShell's backtick), the
/// next line is deeper, or the next line at the body's indentation starts
/// with one of `closers` (shell's `fi`, Ruby's `end`). Comment lines just
/// above a statement go with it in its `lines`.
pub fn line_statements(
    syntax: Syntax,
    text: &str,
    lines: &[Range<usize>],
    from: usize,
    to: usize,
    closers: &[&str],
) -> Option<Vec<Stmt>> {
    let b = text.as_bytes();
    let to = to.min(lines.len());
    let body_end = lines.get(to).map_or(text.len(), |l| l.start);
    let body_width = (from..to)
        .map(|k| &text[lines[k].clone()])
        .find(|l| !is_blank_line(syntax, l))
        .map(super::text::width)?;
    let starts_closer = |n: usize| {
        let t = text[lines[n].clone()].trim_start();
        closers.iter().any(|c| {
            t.starts_with(c) && !t[c.len()..].starts_with(|x: char| x.is_alphanumeric() || x == '_')
        })
    };
    let line_of_byte = |j: usize| lines.iter().position(|x| x.contains(&j));
    let mut out: Vec<Stmt> = Vec::new();
    let mut k = from;
    while k < to {
        let l = &text[lines[k].clone()];
        if is_blank_line(syntax, l) || super::text::width(l) != body_width {
            k += 1;
            continue;
        }
        let start = lines[k].start;
        // Scan to the statement's end: brackets closed at a line end, and
        // the next line neither deeper than the body nor a closer.
        let (mut j, mut depth, mut last_line) = (start, 0usize, k);
        while j < body_end {
            if let Some(n) = syntax.skip_opaque(b, j) {
                // A comment runs to its line's end: the newline is code.
                j = n.max(j + 1);
                continue;
            }
            match b[j] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b'\n' if depth == 0 && b.get(j.wrapping_sub(1)) != Some(&b'\\') => {
                    let line_idx = line_of_byte(j).unwrap_or(k);
                    let next = (line_idx + 1..to)
                        .find(|&n| !is_blank_line(syntax, &text[lines[n].clone()]));
                    last_line = line_idx;
                    match next {
                        Some(n)
                            if super::text::width(&text[lines[n].clone()]) > body_width
                                || starts_closer(n) => {}
                        _ => break,
                    }
                }
                _ => {}
            }
            j += 1;
        }
        if j >= body_end {
            last_line = to - 1;
        }
        let code_end = start
            + super::text::body(&text[start..lines[last_line].end])
                .trim_end()
                .len();
        let code_start = start + (text[start..].len() - text[start..].trim_start().len());
        let prev_end = out
            .last()
            .map_or(lines.get(from).map_or(0, |l| l.start), |s| s.lines.end);
        let mut whole = whole_lines(syntax, text, code_start, code_end, prev_end);
        whole.end = whole.end.max(lines[last_line].end);
        out.push(Stmt {
            code: code_start..code_end,
            lines: whole,
        });
        k = last_line + 1;
    }
    Some(out)
}

/// How each language's `library_step` ends ("drop jsonwebtoken from
/// package.json once nothing else uses it"): the planner takes the clause
/// off where it dropped the library from the project's manifest itself.
pub const LIBRARY_STEP_END: &str = "once nothing else uses it";

/// The manual steps of a rewritten exchange: the scopes to check (when
/// guessed), and the response's expires_in now in seconds, with what to do
/// about the JWT library (`library_step`).
pub fn exchange_steps(
    new: &str,
    def_line: u32,
    name: &str,
    choice: &super::scopes::Choice,
    metascopes: &[String],
    library_step: &str,
) -> Vec<(u32, String)> {
    let mut manual = Vec::new();
    if let Some(step) = choice.manual_step(metascopes) {
        let at = new
            .find("scope")
            .map_or(def_line, |o| super::text::line_of(new, o));
        manual.push((at, step));
    }
    manual.push((
        def_line,
        format!(
            "`{name}` now requests an OAuth Server-to-Server token (client_credentials): expires_in \
             in its response is in seconds (the JWT exchange gave milliseconds); {library_step}"
        ),
    ));
    manual
}

/// The one statement of `stmts` whose text holds `needle` (`what` names it
/// in the error, `name` the function).
pub fn one_statement(
    stmts: &[Stmt],
    text: &str,
    needle: &str,
    what: &str,
    name: &str,
) -> Result<usize, String> {
    let hits: Vec<usize> = stmts
        .iter()
        .enumerate()
        .filter(|(_, s)| s.text(text).contains(needle))
        .map(|(i, _)| i)
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("no statement of `{name}` holds {what}")),
        _ => Err(format!("{what} is in more than one statement of `{name}`")),
    }
}

/// The edit that turns the exchange path in `stmt` into `/ims/token/v3`,
/// keeping the base before it.
pub fn token_path_edit(stmt: &Stmt, text: &str) -> Result<(Range<usize>, String), String> {
    static EXCHANGE_PATH: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"/ims/exchange/(?:v1/)?jwt/?").expect("static regex")
    });
    let m = EXCHANGE_PATH
        .find(stmt.text(text))
        .ok_or("the exchange URL is not a literal /ims/exchange/jwt path")?;
    Ok((
        stmt.code.start + m.start()..stmt.code.start + m.end(),
        "/ims/token/v3".to_string(),
    ))
}

/// The lines a statement stands on, with the comment lines just above it
/// (`//` in C-like code; not reaching back past `floor`), when it has its
/// lines to itself.
fn whole_lines(syntax: Syntax, text: &str, start: usize, end: usize, floor: usize) -> Range<usize> {
    let line_start = text[..start].rfind('\n').map_or(0, |p| p + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |p| end + p + 1);
    if !text[line_start..start].trim().is_empty() || !text[end..line_end].trim().is_empty() {
        return start..end;
    }
    let mut s = line_start;
    while s > floor {
        let prev_start = text[..s - 1].rfind('\n').map_or(0, |p| p + 1);
        let prev = text[prev_start..s].trim_start();
        let comment = match syntax {
            Syntax::CLike => prev.starts_with("//"),
            _ => syntax.is_comment_start(prev.as_bytes(), 0),
        };
        if prev_start < floor || !comment {
            break;
        }
        s = prev_start;
    }
    s..line_end
}

/// The variable a declaration or assignment statement sets.
pub fn declared(stmt: &str) -> Option<String> {
    declared_in(Syntax::CLike, stmt)
}

/// What marks a statement of every language's JWT flow besides its own
/// `markers`: the claims' audience and metascope paths, the key's names,
/// PEM armour.
pub const FLOW_MARKERS: &[&str] = &[
    "/c/",
    "/s/",
    "private.key",
    "PRIVATE_KEY",
    "private_key",
    "-----",
];

/// Which statements of `candidates` belong to the JWT flow: those with a
/// marker (`markers` or [`FLOW_MARKERS`]), those using what such a statement declares, and those declaring
/// what only the flow uses (`claims.put(...)` only feeds `claims`, it does
/// not keep it alive). `edits` are the rewrites inside statements (the
/// form, the URL): the check that nothing kept uses what goes reads the new
/// text. The removals of what goes are added to `edits`.
pub fn drop_flow(
    syntax: Syntax,
    text: &str,
    stmts: &[Stmt],
    keep: &[usize],
    edits: &mut Vec<(Range<usize>, String)>,
    markers: &[&str],
) -> Result<(), String> {
    // The statements before the last kept one (the request, the form).
    let last = keep.iter().copied().max().unwrap_or(0);
    let candidates: Vec<usize> = (0..last).filter(|i| !keep.contains(i)).collect();
    let candidates = candidates.as_slice();
    // Each statement's code as it will read (strings and comments blanked).
    let now: Vec<String> = stmts
        .iter()
        .map(|st| {
            let inner: Vec<(Range<usize>, String)> = edits
                .iter()
                .filter(|(r, _)| r.start >= st.code.start && r.end <= st.code.end)
                .map(|(r, x)| (r.start - st.code.start..r.end - st.code.start, x.clone()))
                .collect();
            code_only(syntax, &splice(st.text(text), inner))
        })
        .collect();
    let decl: Vec<Option<String>> = stmts
        .iter()
        .map(|s| syntax.declared(s.text(text)))
        .collect();
    // `claims.put(...)` only feeds `claims`: it does not keep it alive.
    let feeds =
        |j: usize, n: &str| decl[j].is_none() && now[j].trim_start().starts_with(&format!("{n}."));
    let mut dropped: BTreeSet<usize> = BTreeSet::new();
    let mut names: Vec<String> = Vec::new();
    loop {
        let mut more = false;
        for &i in candidates {
            if dropped.contains(&i) {
                continue;
            }
            let t = stmts[i].text(text);
            let marked = markers.iter().chain(FLOW_MARKERS).any(|m| t.contains(m))
                || names.iter().any(|n| syntax.mentions(&now[i], n));
            // Declared here, used only by what goes.
            let only_feeds_the_flow = decl[i].as_ref().is_some_and(|n| {
                let used = |gone: bool| {
                    (0..stmts.len()).any(|j| {
                        j != i
                            && dropped.contains(&j) == gone
                            && syntax.mentions(&now[j], n)
                            && (gone || !feeds(j, n))
                    })
                };
                used(true) && !used(false)
            });
            if marked || only_feeds_the_flow {
                dropped.insert(i);
                names.extend(decl[i].clone());
                more = true;
            }
        }
        if !more {
            break;
        }
    }
    // What stays (the rebuilt form included) must not use what went.
    let kept = (0..stmts.len()).filter(|i| !dropped.contains(i));
    if let Some(n) = names
        .iter()
        .find(|n| kept.clone().any(|k| syntax.mentions(&now[k], n)))
    {
        return Err(format!(
            "`{n}` (part of the JWT flow) is used after the exchange"
        ));
    }
    edits.extend(
        dropped
            .iter()
            .map(|&i| (stmts[i].lines.clone(), String::new())),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_name_their_variable() {
        assert_eq!(declared("byte[] der = x(y == z);").as_deref(), Some("der"));
        assert_eq!(
            declared("Map<String, String> m = Map.of();").as_deref(),
            Some("m")
        );
        assert_eq!(declared("rsa.update(x);"), None);
    }
}
