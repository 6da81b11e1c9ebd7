//! Shell (bash, sh): a hand-rolled exchange (claims printed, signed with
//! `openssl dgst -sign` / `pkeyutl`, posted with curl to `/ims/exchange/jwt`)
//! becomes the client_credentials request, by [`super::exchange`]: the
//! curl call keeps its URL's IMS base (`/ims/token/v3`), its client id and
//! secret fields; its `jwt_token` field (`-F`/`-d`/`--data-urlencode
//! "jwt_token=..."`, or a pair in one `-d "...&jwt_token=$jwt"`) becomes
//! `grant_type` and `scope`; the statements that build the header and
//! claims, sign, and join the token go. The body is a function's (`name()
//! { ... }`, `function name { ... }`) or, in a script that defines no
//! function, the script's top level.

use std::sync::LazyLock;

use regex::Regex;

use super::block::{Stmt, line_statements};
use super::code::{Syntax, line_ranges};
use super::exchange::{Func, Lang, script_functions};
use super::{Attempt, FixCtx};

const SH: Syntax = Syntax::Shell;

static FUNCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)^[ \t]*(?:function\s+([A-Za-z_][\w:.-]*)\s*(?:\(\s*\))?|([A-Za-z_][\w:.-]*)\s*\(\s*\))\s*\{",
    )
    .expect("static regex")
});

/// Keywords that continue the statement of the line before.
const CLOSERS: &[&str] = &[
    "fi", "done", "esac", "else", "elif", "then", "do", "}", ")", ";;",
];

pub const LANG: Lang = Lang {
    language: "shell",
    syntax: SH,
    extensions: &[".sh", ".bash"],
    signs: &["openssl dgst", "openssl pkeyutl", "openssl rsautl"],
    markers: &["openssl dgst", "openssl pkeyutl", "openssl rsautl", "RS256"],
    arrows: &[],
    list_sep: ",",
    library_step: "a helper function that only signed JWTs (base64url, if any) is unused now",
    functions,
    statements,
    drop_imports: |t| t.to_string(),
};

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    super::exchange::fix(ctx, text, &LANG)
}

/// The functions, or for a script without any its top level (unnamed).
fn functions(text: &str) -> Vec<Func> {
    script_functions(SH, text, &FUNCTION, |c| {
        let (whole, name) = (c.get(0)?, c.get(1).or(c.get(2))?);
        let open = whole.end() - 1;
        Some((name, open, SH.matching(text.as_bytes(), open)?))
    })
}

/// The body's statements: the lines between a function's braces (each on
/// its own line), or every line of a script.
pub fn statements(text: &str, f: &Func) -> Option<Vec<Stmt>> {
    brace_or_script_statements(SH, text, f, CLOSERS)
}

/// The statements of a brace body whose braces end and start lines, or of
/// a whole script (a [`Func`] without a name): for shell and PowerShell.
pub fn brace_or_script_statements(
    syntax: Syntax,
    text: &str,
    f: &Func,
    closers: &[&str],
) -> Option<Vec<Stmt>> {
    let lines = line_ranges(text);
    if f.name.is_empty() {
        return line_statements(syntax, text, &lines, 0, lines.len(), closers);
    }
    let open_line = lines.iter().position(|l| l.contains(&f.open))?;
    let close_line = lines.iter().position(|l| l.contains(&f.close))?;
    let after_open = &text[f.open + 1..lines[open_line].end];
    let before_close = &text[lines[close_line].start..f.close];
    if !(after_open.trim().is_empty() && before_close.trim().is_empty()) {
        return None;
    }
    line_statements(syntax, text, &lines, open_line + 1, close_line, closers)
}
