//! PowerShell: a hand-rolled exchange (claims in a hashtable, signed with
//! `New-Jwt`, .NET's `RSA.SignData` or a JWT module, posted with
//! `Invoke-RestMethod`/`Invoke-WebRequest` to `/ims/exchange/jwt`) becomes
//! the client_credentials request, by [`super::exchange`]: `-Uri` keeps its
//! IMS base (`/ims/token/v3`); the `-Body` hashtable's `jwt_token = ...`
//! member, or the `jwt_token=...` pair of a body string, becomes
//! `grant_type` and `scope`; the claims, key reading and signing go. The
//! body is a function's (`function Name { ... }`) or, in a script that
//! defines no function, the script's top level (its `param(...)` stays).

use std::sync::LazyLock;

use regex::Regex;

use super::block::Stmt;
use super::code::Syntax;
use super::exchange::{Func, Lang, script_functions};
use super::{Attempt, FixCtx};

const PS: Syntax = Syntax::PowerShell;

static FUNCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?mi)^[ \t]*(?:function|filter)\s+([\w-]+)\s*").expect("static regex")
});

const CLOSERS: &[&str] = &["}", ")", "else", "elseif", "catch", "finally"];

pub const LANG: Lang = Lang {
    language: "PowerShell",
    syntax: PS,
    extensions: &[".ps1", ".psm1"],
    signs: &[
        "New-Jwt",
        "New-JsonWebToken",
        "ConvertTo-Jwt",
        "SignData",
        "JwtSecurityTokenHandler",
        "Jose.JWT",
    ],
    markers: &[
        "New-Jwt",
        "New-JsonWebToken",
        "ConvertTo-Jwt",
        "SignData",
        "JwtSecurityTokenHandler",
        "Jose.JWT",
        "ImportRSAPrivateKey",
        "ImportPkcs8PrivateKey",
        "ImportFromPem",
        "Get-PfxCertificate",
        "X509Certificate2",
        "RS256",
        "PrivateKey",
    ],
    arrows: &["="],
    list_sep: ";",
    library_step: "remove the JWT module (Import-Module / #Requires) once nothing else uses it",
    functions,
    statements,
    drop_imports: |t| t.to_string(),
};

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    super::exchange::fix(ctx, text, &LANG)
}

/// The functions (`function Name { ... }`, `function Name($a) { ... }`),
/// or for a script without any its top level (unnamed).
fn functions(text: &str) -> Vec<Func> {
    let b = text.as_bytes();
    script_functions(PS, text, &FUNCTION, |c| {
        let (whole, name) = (c.get(0)?, c.get(1)?);
        let mut i = whole.end();
        if b.get(i) == Some(&b'(') {
            i = PS.matching(b, i)? + 1;
            while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
        }
        if b.get(i) != Some(&b'{') {
            return None;
        }
        Some((name, i, PS.matching(b, i)?))
    })
}

fn statements(text: &str, f: &Func) -> Option<Vec<Stmt>> {
    super::shell::brace_or_script_statements(PS, text, f, CLOSERS)
}
