//! PHP: a hand-rolled exchange (claims signed with firebase/php-jwt's
//! `JWT::encode` or with `openssl_sign`, posted with Guzzle, curl or a
//! stream context to `/ims/exchange/jwt`) becomes the client_credentials
//! request, by [`super::exchange`]: the URL keeps its IMS base
//! (`/ims/token/v3`); the form array's `'jwt_token' => $jwt` member (or the
//! pair of a `"...&jwt_token=$jwt"` string) becomes `grant_type` and
//! `scope`; the claims, key reading and signing go, and the
//! `use Firebase\JWT\...;` imports nothing uses any more.

use std::sync::LazyLock;

use regex::Regex;

use super::block::{function_body_in, statements};
use super::code::Syntax;
use super::exchange::{Func, Lang, drop_unused_imports_in, functions_by};
use super::{Attempt, FixCtx};

const PHP: Syntax = Syntax::Php;

static FUNCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)(?:^|[^\w$>:])function\s+&?([A-Za-z_]\w*)\s*\(").expect("static regex")
});
/// What may stand between the parameters and the body: a return type.
static TO_BODY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?::\s*\??[\w\\|]+\s*)?\{").expect("static regex"));
static USE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*use\s+\\?Firebase\\JWT\\(?:(\w+)(?:\s+as\s+(\w+))?|\{([\w\s,]+)\})\s*;\s*$")
        .expect("static regex")
});

pub const LANG: Lang = Lang {
    language: "PHP",
    syntax: PHP,
    extensions: &[".php"],
    signs: &["JWT::encode(", "openssl_sign("],
    markers: &[
        "JWT::encode",
        "openssl_sign",
        "openssl_pkey_get_private",
        "openssl_get_privatekey",
        "'RS256'",
        "'alg'",
        "\"alg\"",
        "privateKey",
    ],
    arrows: &["=>"],
    list_sep: ",",
    library_step: "drop firebase/php-jwt from composer.json once nothing else uses it",
    functions,
    statements: |text, f| statements(PHP, text, f.open, f.close, false),
    drop_imports,
};

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    super::exchange::fix(ctx, text, &LANG)
}

fn functions(text: &str) -> Vec<Func> {
    functions_by(PHP, text, &FUNCTION, |c| {
        let (open, close) = function_body_in(PHP, text, c.get(0)?.end() - 1, &TO_BODY)?;
        Some((c.get(1)?, open, close))
    })
}

/// `use Firebase\JWT\JWT;` (and `Key`, `{JWT, Key}`) nothing uses goes.
fn drop_imports(text: &str) -> String {
    drop_unused_imports_in(PHP, text, |l| {
        let c = USE.captures(l)?;
        Some(match (c.get(1), c.get(2), c.get(3)) {
            (Some(n), alias, _) => vec![alias.unwrap_or(n).as_str().to_string()],
            (_, _, Some(list)) => list
                .as_str()
                .split(',')
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect(),
            _ => Vec::new(),
        })
    })
}
