//! C#: a hand-rolled exchange (claims signed with jose-jwt's `JWT.Encode`,
//! System.IdentityModel's `JwtSecurityTokenHandler` or `RSA.SignData`,
//! posted with `HttpClient` to `/ims/exchange/jwt`) becomes the
//! client_credentials request, by [`super::exchange`]: the URL keeps its
//! IMS base (`/ims/token/v3`); the form dictionary's `{ "jwt_token", jwt }`
//! entry becomes the `grant_type` and `scope` entries; the claims, key or
//! certificate loading and signing go, and the `using` directives of the
//! JWT and key namespaces nothing uses any more.

use std::sync::LazyLock;

use regex::Regex;

use super::block::{function_body, statements};
use super::code::Syntax;
use super::exchange::{Func, Lang, drop_unused_imports_in, functions_by};
use super::{Attempt, FixCtx};

const CS: Syntax = Syntax::CLike;

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)^[ \t]*(?:(?:public|private|protected|internal|static|async|override|virtual|sealed|new|extern|unsafe|partial)\s+)*([\w.]+(?:<[^;{}()\n]*>)?(?:\[\])?\??)\s+([A-Za-z_]\w*)\s*(?:<[^>\n]*>)?\s*\(",
    )
    .expect("static regex")
});
static TO_BODY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:where\s[^{;]+)?\{").expect("static regex"));
static USING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*using\s+([\w.]+)\s*;\s*$").expect("static regex"));

const NOT_METHODS: &[&str] = &[
    "if", "for", "foreach", "while", "switch", "catch", "using", "lock", "return", "fixed",
];
/// The namespaces whose `using` goes once none of their names is used.
const NAMESPACES: &[(&str, &[&str])] = &[
    (
        "Jose",
        &["JWT", "JwsAlgorithm", "JweAlgorithm", "JweEncryption"],
    ),
    (
        "System.IdentityModel.Tokens.Jwt",
        &[
            "JwtSecurityTokenHandler",
            "JwtSecurityToken",
            "JwtRegisteredClaimNames",
            "JwtHeader",
            "JwtPayload",
        ],
    ),
    (
        "Microsoft.IdentityModel.Tokens",
        &[
            "SigningCredentials",
            "SecurityAlgorithms",
            "RsaSecurityKey",
            "SecurityTokenDescriptor",
            "X509SigningCredentials",
        ],
    ),
    (
        "System.Security.Cryptography",
        &[
            "RSA",
            "RSACryptoServiceProvider",
            "HashAlgorithmName",
            "RSASignaturePadding",
            "SHA256",
        ],
    ),
    (
        "System.Security.Cryptography.X509Certificates",
        &["X509Certificate2", "X509KeyStorageFlags", "X509Certificate"],
    ),
];

pub const LANG: Lang = Lang {
    language: "C#",
    syntax: CS,
    extensions: &[".cs"],
    signs: &["JWT.Encode(", "JwtSecurityTokenHandler", "SignData("],
    markers: &[
        "JWT.Encode",
        "JwsAlgorithm",
        "JwtSecurityToken",
        "SigningCredentials",
        "SecurityAlgorithms",
        "RsaSecurityKey",
        "X509Certificate2",
        "SignData",
        "ImportRSAPrivateKey",
        "ImportPkcs8PrivateKey",
        "ImportFromPem",
        "privateKey",
        ".pfx",
    ],
    arrows: &[","],
    list_sep: ",",
    library_step: "drop jose-jwt / System.IdentityModel.Tokens.Jwt from the project file once nothing else uses it",
    functions,
    statements: |text, f| statements(CS, text, f.open, f.close, false),
    drop_imports,
};

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    super::exchange::fix(ctx, text, &LANG)
}

fn functions(text: &str) -> Vec<Func> {
    functions_by(CS, text, &HEADER, |c| {
        let (whole, ret, name) = (c.get(0)?, c.get(1)?, c.get(2)?);
        if NOT_METHODS.contains(&name.as_str())
            || matches!(ret.as_str(), "new" | "return" | "else" | "throw" | "await")
        {
            return None;
        }
        let (open, close) = function_body(text, whole.end() - 1, &TO_BODY)?;
        Some((name, open, close))
    })
}

fn drop_imports(text: &str) -> String {
    drop_unused_imports_in(CS, text, |l| {
        let c = USING.captures(l)?;
        NAMESPACES
            .iter()
            .find(|(ns, _)| *ns == &c[1])
            .map(|(_, names)| names.iter().map(|n| (*n).to_string()).collect())
    })
}
