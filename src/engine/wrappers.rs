//! The cross-file pass: code that reaches the JWT flow only through a
//! wrapper defined in another file (`from .auth import JWTAuth`,
//! `utils.NewAnalyticsClient(...)`, `new JwtTokenBuilder(ws)`).
//!
//! 1. *Learn*: in a file with JWT findings, the names of the function or
//!    method enclosing each finding, and of its class, are definitions
//!    (per-language line patterns; generic names such as `get_token` or
//!    `login` are never learned).
//! 2. *Find*: one Aho-Corasick pass over the other files of the same
//!    language family in the definition's project reports every whole-word
//!    occurrence of a learned name: calls, imports and re-exports.
//!
//! Per-language patterns rather than tree-sitter tag queries: one regex set
//! per family costs nothing to build, while a grammar per language would
//! add a C build per language to a binary users install in CI; the pass
//! needs only "the nearest enclosing definition", which indentation (Python,
//! Ruby) or order (brace languages) gives well enough. See docs/rules.md.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::Regex;

/// Languages whose files call each other's definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Js,
    Python,
    Jvm,
    DotNet,
    Php,
    Go,
    Ruby,
    PowerShell,
    Shell,
}

impl Family {
    /// The family of a file, by its language (`scan::classify`).
    pub fn of(path: &str) -> Option<Family> {
        Some(match crate::scan::classify::language_of(path)? {
            "javascript" | "typescript" | "html" => Family::Js,
            "python" => Family::Python,
            "java" | "kotlin" | "scala" | "groovy" => Family::Jvm,
            "csharp" | "fsharp" | "vb" => Family::DotNet,
            "php" => Family::Php,
            "go" => Family::Go,
            "ruby" => Family::Ruby,
            "powershell" => Family::PowerShell,
            "shell" => Family::Shell,
            _ => return None,
        })
    }

    /// Whether definitions nest by indentation (so the enclosing one has a
    /// smaller indent) rather than by braces.
    fn indented(self) -> bool {
        matches!(self, Family::Python | Family::Ruby)
    }

    /// What joins a receiver and its method in a call (`a.f()`, `$a->f()`),
    /// for the families whose classes' methods are learned with their
    /// receiver (`None`: Go's methods hang on types, not classes; shell and
    /// PowerShell have none).
    fn member_separator(self) -> Option<&'static str> {
        match self {
            Family::Js | Family::Python | Family::Jvm | Family::DotNet | Family::Ruby => Some("."),
            Family::Php => Some("->"),
            Family::Go | Family::PowerShell | Family::Shell => None,
        }
    }

    /// Characters that continue an identifier, for whole-word matches.
    fn ident_byte(self, b: u8) -> bool {
        b.is_ascii_alphanumeric() || b == b'_' || (self == Family::PowerShell && b == b'-')
    }
}

/// A name defined around JWT findings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Definition {
    pub name: String,
    pub family: Family,
    /// The defining file, as reported.
    pub path: String,
    /// 1-based line of the definition.
    pub line: u32,
    /// A whole module (a star import or re-export of the defining file),
    /// not a name defined in it.
    pub module: bool,
    /// For a default import under another local name (`name`): the
    /// module's default export it names.
    pub export: Option<String>,
}

/// (function-like pattern, class-like pattern) per family; group 1 is the
/// name. Anchored at line starts.
fn patterns(f: Family) -> &'static (Regex, Regex) {
    static P: LazyLock<Vec<(Family, (Regex, Regex))>> = LazyLock::new(|| {
        let mk = |func: &str, class: &str| {
            (
                Regex::new(&format!("(?m-u)^{func}")).expect("function pattern"),
                Regex::new(&format!("(?m-u)^{class}")).expect("class pattern"),
            )
        };
        vec![
            (
                Family::Js,
                mk(
                    r"[ \t]*(?:export[ \t]+)?(?:default[ \t]+)?(?:async[ \t]+)?(?:function[ \t]*\*?[ \t]*([A-Za-z_$][\w$]*)[ \t]*\(|(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*=[ \t]*(?:async[ \t]*)?(?:function\b|\([^)\n]*\)[ \t]*=>|[A-Za-z_$][\w$]*[ \t]*=>)|(?:(?:public|private|protected|static|readonly|override|abstract|async|get|set)[ \t]+)*([A-Za-z_$][\w$]*)[ \t]*(?:<[^>\n]*>)?[ \t]*\([^)\n]*\)[ \t]*(?::[^{};=\n]+)?\{|(?:(?:public|private|protected|static|readonly|override)[ \t]+)*([A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=[ \t]*(?:async[ \t]*)?(?:\([^)\n]*\)|[A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=>|(?:module\.)?exports\.([A-Za-z_$][\w$]*)[ \t]*=)",
                    r"[ \t]*(?:export[ \t]+)?(?:default[ \t]+)?class[ \t]+([A-Za-z_$][\w$]*)",
                ),
            ),
            (
                Family::Python,
                mk(
                    r"[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)",
                    r"[ \t]*class[ \t]+([A-Za-z_]\w*)",
                ),
            ),
            (
                Family::Jvm,
                mk(
                    r"[ \t]*(?:@\w+(?:\([^)\n]*\))?[ \t]+)*(?:(?:public|private|protected|static|final|synchronized|abstract|override|internal|open|suspend)[ \t]+)+(?:fun[ \t]+)?(?:<[^>\n]*>[ \t]+)?(?:[\w.<>\[\]?,]+[ \t]+)?([A-Za-z_]\w*)[ \t]*\(|[ \t]*fun[ \t]+(?:[\w.<>]+\.)?([A-Za-z_]\w*)[ \t]*\(",
                    r"[ \t]*(?:(?:public|private|protected|static|final|abstract|internal|open|data|sealed)[ \t]+)*(?:class|interface|object|enum|record)[ \t]+([A-Za-z_]\w*)",
                ),
            ),
            (
                Family::DotNet,
                mk(
                    r"[ \t]*(?:\[[^\]\n]*\][ \t]*)*(?:(?:public|private|protected|internal|static|async|virtual|override|sealed|abstract)[ \t]+)+(?:[\w.<>\[\]?,]+[ \t]+)?([A-Za-z_]\w*)[ \t]*\(",
                    r"[ \t]*(?:(?:public|private|protected|internal|static|sealed|abstract|partial)[ \t]+)*(?:class|interface|record|struct)[ \t]+([A-Za-z_]\w*)",
                ),
            ),
            (
                Family::Php,
                mk(
                    r"[ \t]*(?:(?:public|private|protected|static|final|abstract)[ \t]+)*function[ \t]+&?([A-Za-z_]\w*)[ \t]*\(",
                    r"[ \t]*(?:(?:final|abstract)[ \t]+)?(?:class|trait|interface)[ \t]+([A-Za-z_]\w*)",
                ),
            ),
            (
                Family::Go,
                mk(
                    r"func[ \t]+(?:\([^)\n]*\)[ \t]*)?([A-Za-z_]\w*)[ \t]*[\[(]",
                    r"type[ \t]+([A-Za-z_]\w*)[ \t]+(?:struct|interface)\b",
                ),
            ),
            (
                Family::Ruby,
                mk(
                    r"[ \t]*def[ \t]+(?:self\.)?([A-Za-z_]\w*[?!]?)",
                    r"[ \t]*(?:class|module)[ \t]+((?:[A-Z]\w*::)*[A-Z]\w*)",
                ),
            ),
            (
                Family::PowerShell,
                mk(
                    r"[ \t]*function[ \t]+([A-Za-z_][\w-]*)",
                    r"[ \t]*class[ \t]+([A-Za-z_]\w*)",
                ),
            ),
            (
                Family::Shell,
                mk(
                    r"[ \t]*(?:function[ \t]+([A-Za-z_][\w-]*)|([A-Za-z_][\w-]*)[ \t]*\(\)[ \t]*\{)",
                    r"\x00never\x00",
                ),
            ),
        ]
    });
    &P.iter()
        .find(|(g, _)| *g == f)
        .expect("every family has patterns")
        .1
}

/// Names too common to mean "the JWT wrapper" anywhere else: a call of
/// `get_token` in another file is as likely to be someone else's.
/// Compared lowercased, without `_` and `-`.
const GENERIC: &[&str] = &[
    "accesstoken",
    "apiclient",
    "app",
    "application",
    "auth",
    "authenticate",
    "authenticated",
    "authheader",
    "authheaders",
    "authorization",
    "authorize",
    "build",
    "builder",
    "call",
    "client",
    "config",
    "configure",
    "connect",
    "constructor",
    "create",
    "createclient",
    "credentials",
    "default",
    "encode",
    "equals",
    "execute",
    "exports",
    "fetch",
    "fetchtoken",
    "generate",
    "getaccesstoken",
    "getclient",
    "getcredentials",
    "getheaders",
    "gettoken",
    "handle",
    "handler",
    "hashcode",
    "headers",
    "helper",
    "helpers",
    "index",
    "init",
    "invoke",
    "load",
    "login",
    "logout",
    "main",
    "module",
    "newclient",
    "payload",
    "post",
    "process",
    "provider",
    "refresh",
    "refreshtoken",
    "requireauth",
    "request",
    "requesttoken",
    "run",
    "send",
    "service",
    "session",
    "setup",
    "sign",
    "start",
    "test",
    "tojson",
    "token",
    "tostring",
    "update",
    "util",
    "utils",
    "validate",
];

/// Parts of a class name that say it does authentication: a class is
/// learned only with one (`JWTAuth`, `ImsToken`, `Authenticator`), since a
/// class that merely holds a JWT method among others (`Workspace`,
/// `Connection`, `Kernel`) is used for everything else too.
const CLASS_HINTS: &[&str] = &["jwt", "token", "auth", "sign", "exchange", "credential"];

/// Whether a name says it does authentication (`JWTCmd`, `AuthorizeClient`,
/// `loadServiceCredential`): such a caller of a JWT wrapper is a wrapper too, so
/// the cross-file pass follows its callers as well. Not `token`: a CLI's
/// `NewTokenCommand` is registered by the command table, which is no site.
pub fn says_auth(name: &str) -> bool {
    // By word part (`AuthorizeClient`, `get_jwt`, `JWTCmd`), so that
    // `handleUnauthorized` does not count.
    let bytes = name.as_bytes();
    (0..bytes.len()).any(|i| {
        let starts_part = i == 0
            || matches!(bytes[i - 1], b'_' | b'-' | b'.')
            || (bytes[i].is_ascii_uppercase() && !bytes[i - 1].is_ascii_uppercase());
        starts_part
            && ["jwt", "auth", "credential"].iter().any(|h| {
                bytes[i..]
                    .get(..h.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(h.as_bytes()))
            })
    })
}

fn class_hinted(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    CLASS_HINTS.iter().any(|h| lower.contains(h))
}

/// Whether the body of a brace language's definition starting at `from`
/// is still open at `to`: braces counted (strings and comments ignored
/// roughly), the first `{` opening the body.
fn still_open(text: &[u8], from: usize, to: usize) -> bool {
    let mut depth = 0i64;
    let mut opened = false;
    // Parentheses before the body: a destructured parameter
    // (`function f ({ a, b }) {`) holds braces that are not the body's.
    let mut parens = 0i64;
    let mut quote: Option<u8> = None;
    let mut i = from;
    while i < to.min(text.len()) {
        let b = text[i];
        match quote {
            Some(q) => {
                if b == b'\\' {
                    i += 1;
                } else if b == q || b == b'\n' && q != b'`' {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' | b'`' => quote = Some(b),
                // A declaration (`export function f(x): T;`, an abstract or
                // interface method) has no body to enclose anything.
                b';' if !opened && parens == 0 => return false,
                b'(' if !opened => parens += 1,
                b')' if !opened => parens -= 1,
                b'{' | b'}' if !opened && parens > 0 => {}
                b'{' => {
                    depth += 1;
                    opened = true;
                }
                b'}' => {
                    depth -= 1;
                    if opened && depth <= 0 {
                        return false;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    // A definition whose body has not opened yet (a signature over several
    // lines) encloses what follows it.
    true
}

/// Whether a name is specific enough to learn.
fn specific(name: &str) -> bool {
    let key: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    name.len() >= 5
        && !name.starts_with("__")
        && !GENERIC.contains(&key.as_str())
        && !key.starts_with("test")
}

struct Def {
    line: usize,
    /// Byte offset of the definition's line.
    start: usize,
    indent: usize,
    class: bool,
    name: String,
}

/// The definitions enclosing `lines` (0-based) of a file of `family`: the
/// nearest function or method above each (within `REACH` lines, and, for
/// indented languages, less indented than the line), and its class.
pub fn enclosing(family: Family, path: &str, text: &[u8], lines: &[usize]) -> Vec<Definition> {
    enclosing_defs(family, path, text, lines, true)
}

/// The functions and methods enclosing `lines`, without their classes: a
/// caller of a wrapper is itself one through the method that makes the
/// call, while its class is used for much else (registered for dependency
/// injection, constructed for its other methods).
pub fn enclosing_functions(
    family: Family,
    path: &str,
    text: &[u8],
    lines: &[usize],
) -> Vec<Definition> {
    enclosing_defs(family, path, text, lines, false)
}

fn enclosing_defs(
    family: Family,
    path: &str,
    text: &[u8],
    lines: &[usize],
    with_class: bool,
) -> Vec<Definition> {
    const REACH: usize = 400;
    let (func_re, class_re) = patterns(family);
    let starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text).map(|i| i + 1))
        .collect();
    let line_of = |off: usize| starts.partition_point(|&s| s <= off) - 1;
    let indent_at = |line: usize| {
        let s = starts[line];
        text[s..]
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count()
    };
    let mut defs: Vec<Def> = Vec::new();
    for (re, class) in [(func_re, false), (class_re, true)] {
        for caps in re.captures_iter(text) {
            let Some(m) = caps.iter().skip(1).flatten().next() else {
                continue;
            };
            let name = String::from_utf8_lossy(m.as_bytes()).into_owned();
            if matches!(
                name.as_str(),
                "if" | "for" | "while" | "switch" | "catch" | "function" | "return" | "new"
            ) {
                continue;
            }
            let line = line_of(m.start());
            defs.push(Def {
                line,
                start: starts[line],
                indent: indent_at(line),
                class,
                name,
            });
        }
    }
    defs.sort_by_key(|d| (d.line, d.class));
    let mut out = BTreeSet::new();
    for &l in lines {
        let l = l.min(starts.len() - 1);
        let indent = indent_at(l);
        // Encloses line `l`: less indented (Python, Ruby), or a body still
        // open there (brace languages).
        let encloses = |d: &Def| {
            d.line == l
                || if family.indented() {
                    d.indent < indent
                        && !(d.line + 1..l).any(|k| {
                            let s = starts[k];
                            let blank = text[s..]
                                .iter()
                                .take_while(|b| **b != b'\n')
                                .all(|b| b.is_ascii_whitespace());
                            !blank && indent_at(k) <= d.indent
                        })
                } else {
                    still_open(text, d.start, starts[l])
                }
        };
        let func = defs
            .iter()
            .rev()
            .filter(|d| !d.class && d.line <= l && l - d.line <= REACH)
            .find(|d| encloses(d));
        // Only a method's class (a class-level finding is the class's data).
        let class = func.filter(|_| with_class).and_then(|f| {
            defs.iter()
                .rev()
                .filter(|d| d.class && d.line <= f.line)
                .find(|d| encloses(d))
                .filter(|d| class_hinted(&d.name))
        });
        for d in func.into_iter().chain(class) {
            if specific(&d.name) {
                out.insert(Definition {
                    name: d.name.clone(),
                    family,
                    path: path.to_string(),
                    line: d.line as u32 + 1,
                    module: false,
                    export: None,
                });
            }
        }
        // A method with a generic name that hands out the token
        // (`getAccessToken`, `getCredentials`) is learned with its receiver:
        // the field or variable named after its class or the interface it
        // implements (`integrationService.getAccessToken()` for
        // `IntegrationServiceImpl implements IntegrationService`), the way
        // dependency injection names it. A bare `getAccessToken()` elsewhere
        // is as likely someone else's.
        // A getter that also dispatches to the OAuth flow (`if
        // (workspace.isAuthJWT()) ... else if (workspace.isAuthOAuth())`,
        // aio-lib-java's `getAccessToken`) is dual-mode: its callers change
        // nothing when the credential is migrated.
        let dual_mode = |f: &Def| {
            // The body: while its braces are open (brace languages), or
            // its lines are more indented (Python, Ruby); at most REACH lines.
            let limit = starts.len().min(f.line + REACH);
            let last = (f.line + 1..limit)
                .find(|&k| {
                    if family.indented() {
                        let s = starts[k];
                        let blank = text[s..]
                            .iter()
                            .take_while(|b| **b != b'\n')
                            .all(|b| b.is_ascii_whitespace());
                        !blank && indent_at(k) <= f.indent
                    } else {
                        !still_open(text, f.start, starts[k])
                    }
                })
                .unwrap_or(limit);
            let end = starts.get(last).copied().unwrap_or(text.len());
            memchr::memmem::find(&text[f.start..end].to_ascii_lowercase(), b"oauth").is_some()
        };
        if let Some(f) = func.filter(|f| {
            with_class && !specific(&f.name) && hands_out_token(&f.name) && !dual_mode(f)
        }) && family.member_separator().is_some()
            && let Some(c) = defs
                .iter()
                .rev()
                .filter(|d| d.class && d.line <= f.line)
                .find(|d| encloses(d))
        {
            let decl_end = text[c.start..]
                .iter()
                .position(|&b| b == b'{')
                .map_or(text.len(), |i| c.start + i)
                .min(c.start + 400);
            for (recv, sep) in receivers(family, &c.name, &text[c.start..decl_end]) {
                out.insert(Definition {
                    name: format!("{recv}{sep}{}", f.name),
                    family,
                    path: path.to_string(),
                    line: f.line as u32 + 1,
                    module: false,
                    export: None,
                });
            }
        }
    }
    out.into_iter().collect()
}

/// Interfaces of frameworks that a class implements to hand out credentials:
/// every implementation in a project is called through them, so they name
/// no field of the JWT one.
const FRAMEWORK_TYPES: &[&str] = &[
    "TokenCredential",
    "CredentialsProvider",
    "AwsCredentialsProvider",
    "AWSCredentialsProvider",
    "AuthenticationProvider",
    "AuthenticationHandler",
    "ClientHttpRequestInterceptor",
    "RequestInterceptor",
    "HttpRequestInterceptor",
    "Authenticator",
    "HttpMessageHandler",
    "DelegatingHandler",
];

/// The words of a CamelCase name, acronyms kept whole: `AdobeIMSClient` ->
/// `Adobe`, `IMS`, `Client`.
fn camel_words(name: &str) -> Vec<&str> {
    let b = name.as_bytes();
    let mut words = Vec::new();
    let mut start = 0;
    for i in 1..b.len() {
        let (prev, cur) = (b[i - 1], b[i]);
        let next_lower = b.get(i + 1).is_some_and(u8::is_ascii_lowercase);
        let split = cur.is_ascii_uppercase()
            && (prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower));
        if split || (cur == b'_' && i > start) {
            words.push(&name[start..i]);
            start = if cur == b'_' { i + 1 } else { i };
        }
    }
    if start < name.len() {
        words.push(&name[start..]);
    }
    words.retain(|w| !w.is_empty());
    words
}

/// Whether a generic method name says it hands out a token or credentials
/// (`getAccessToken`, `get_token`, `GetCredentials`, `authHeaders`).
fn hands_out_token(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["token", "credential", "auth"]
        .iter()
        .any(|w| lower.contains(w))
}

/// The names a field or variable holding an instance of class `class`
/// (declared by `decl`, its declaration up to the body) goes by: the class
/// and each interface it implements, without an `Impl` suffix, a `Default`
/// prefix or a .NET interface's `I`, in lowerCamelCase (`_`-prefixed too
/// for .NET and JVM fields) and as written (a static call, a C# property);
/// snake_case for Python and Ruby. Only specific names (`integrationService`,
/// not `service`).
fn receivers(family: Family, class: &str, decl: &[u8]) -> Vec<(String, &'static str)> {
    static IMPLEMENTS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u)(?:\bimplements\b|:)([\w.<>,\s]*)").expect("implements pattern")
    });
    let mut types = vec![class.to_string()];
    if matches!(
        family,
        Family::Jvm | Family::DotNet | Family::Js | Family::Php
    ) {
        // After the class name: `implements A, B`, `: IA, B` (C#, Kotlin).
        let after = decl
            .windows(class.len())
            .position(|w| w == class.as_bytes())
            .map_or(decl, |i| &decl[i + class.len()..]);
        // A Kotlin or C# primary constructor's parameters (`(val a: String)`)
        // are not the type list.
        let mut depth = 0usize;
        let after: Vec<u8> = after
            .iter()
            .copied()
            .filter(|&b| {
                match b {
                    b'(' => depth += 1,
                    b')' => {
                        depth = depth.saturating_sub(1);
                        return false;
                    }
                    _ => {}
                }
                depth == 0
            })
            .collect();
        if let Some(list) = IMPLEMENTS.captures(&after).and_then(|c| c.get(1)) {
            let list = String::from_utf8_lossy(list.as_bytes());
            // `extends Base` after a Kotlin/C# list, generics and `where`
            // clauses are cut.
            let list = list.split(" extends ").next().unwrap_or_default();
            let list = list.split(" where ").next().unwrap_or_default();
            let mut depth = 0usize;
            let mut part = String::new();
            for ch in list.chars().chain(std::iter::once(',')) {
                match ch {
                    '<' => depth += 1,
                    '>' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => {
                        let t = part.trim();
                        let t = t.rsplit('.').next().unwrap_or(t);
                        let t = t.trim_end_matches("()");
                        if !t.is_empty()
                            && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                        {
                            types.push(t.to_string());
                        }
                        part.clear();
                    }
                    _ if depth == 0 => part.push(ch),
                    _ => {}
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    let sep = family.member_separator().unwrap_or(".");
    for t in types {
        // Ruby's `Adobe::TokenClient`: the class's own name.
        let mut stem = t.rsplit("::").next().unwrap_or(&t);
        stem = stem.strip_suffix("Impl").unwrap_or(stem);
        if let Some(rest) = stem.strip_prefix("Default")
            && rest.starts_with(|c: char| c.is_ascii_uppercase())
        {
            stem = rest;
        }
        if family == Family::DotNet
            && let Some(rest) = stem.strip_prefix('I')
            && rest.starts_with(|c: char| c.is_ascii_uppercase())
        {
            stem = rest;
        }
        // Capability interfaces (`Runnable`, `IDisposable`, `Serializable`)
        // and frameworks' credential interfaces (`TokenCredential`,
        // `AuthenticationProvider`: every implementation in the project is
        // called through them) name no field of this class.
        if !specific(stem)
            || stem.ends_with("able")
            || stem.ends_with("ible")
            || FRAMEWORK_TYPES.contains(&stem)
        {
            continue;
        }
        let words = camel_words(stem);
        match family {
            Family::Python | Family::Ruby => {
                out.insert((words.join("_").to_ascii_lowercase(), sep));
            }
            _ => {
                let lower: String = words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| {
                        if i == 0 {
                            w.to_ascii_lowercase()
                        } else {
                            w.to_string()
                        }
                    })
                    .collect();
                if matches!(family, Family::Jvm | Family::DotNet) {
                    out.insert((format!("_{lower}"), sep));
                }
                out.insert((lower, sep));
                // As written: a static call (`TokenUtil.getAccessToken()`,
                // PHP's `TokenService::getToken()`) or a C# property.
                out.insert((
                    stem.to_string(),
                    if family == Family::Php { "::" } else { sep },
                ));
            }
        }
    }
    out.into_iter().collect()
}

/// The one default export of a JavaScript module (`module.exports =
/// AccessTokenCommand`, `module.exports = class AdobeUserMgmtApi {`,
/// `export default class JwtClient`), when its name is specific.
fn default_export(family: Family, path: &str, text: &[u8]) -> Vec<Definition> {
    let Some(m) = one_default_export(family, text) else {
        return Vec::new();
    };
    let name = String::from_utf8_lossy(m.as_bytes()).into_owned();
    if !specific(&name) || name == "require" {
        return Vec::new();
    }
    let line = memchr::memchr_iter(b'\n', &text[..m.start()]).count() as u32 + 1;
    vec![Definition {
        name,
        family,
        path: path.to_string(),
        line,
        module: false,
        export: None,
    }]
}

/// The module of a file of `family` whose JWT code starts at `line`
/// (0-based), for star imports of it elsewhere: Python and JavaScript.
pub fn module_definition(family: Family, path: &str, line: usize) -> Option<Definition> {
    matches!(family, Family::Python | Family::Js).then(|| Definition {
        name: path.to_string(),
        family,
        path: path.to_string(),
        line: line as u32 + 1,
        module: true,
        export: None,
    })
}

/// A script with JWT code (`jwt-api/app.js`, `scripts/get_adobe_token.py`),
/// learned for the other families: code that runs it by its path (`exec.Command("node",
/// "./jwt-api/app.js")` in Go, `python scripts/get_adobe_token.py` in a
/// deploy script) gets its token from it. Names: the file with its parent
/// directory (stable whatever the scan root), and the file name alone when
/// its stem is specific (`get_adobe_token.py`, not `auth.js` or `index.js`).
/// Compiled languages' sources are not run by path.
pub fn script_definitions(family: Family, path: &str, line: usize) -> Vec<Definition> {
    if !matches!(
        family,
        Family::Js
            | Family::Python
            | Family::Ruby
            | Family::Php
            | Family::Shell
            | Family::PowerShell
    ) {
        return Vec::new();
    }
    // Other languages: a module of the same one that names the file imports
    // it (`require('./../actions/generic/index.js')`, Ruby's `load
    // '../tasks/adobe.rake'`), which the passes for its definitions cover.
    named_file(path, line, false, |f| f != family)
}

/// A configuration file holding the JWT credential (`jwt.json`,
/// `serverless-jwt.yml`, `config/adobe_credentials.yaml`), learned for every
/// family: code that names it loads or deploys it (`require('./jwt.json')`,
/// `configFile = "serverless-jwt.yml"`). Named as [`script_definitions`]
/// names scripts: only by names that say what the file is for.
pub fn config_definitions(path: &str, line: usize) -> Vec<Definition> {
    // A test fixture's credentials (`test/fixtures/files/credentials.json`)
    // are what the tests load: naming them is no site.
    let fixture = path.split('/').any(|c| {
        matches!(
            c,
            "test"
                | "tests"
                | "spec"
                | "__tests__"
                | "fixtures"
                | "__fixtures__"
                | "testdata"
                | "__mocks__"
        )
    });
    if !is_config_file(path) || fixture {
        return Vec::new();
    }
    named_file(path, line, true, |_| true)
}

/// Whether `path` is a configuration file (JSON, YAML, TOML, properties,
/// dotenv), whose definitions are [`config_definitions`].
pub fn is_config_file(path: &str) -> bool {
    matches!(
        crate::scan::classify::language_of(path),
        Some("json" | "yaml" | "toml" | "properties" | "dotenv")
    )
}

/// Definitions of the file at `path` by its name with its parent directory
/// (stable whatever the scan root) and by its name alone when the stem is
/// specific, each only when it says jwt/token/auth/ims/adobe/credential, for
/// the families `for_family` keeps. With `short`, a short stem that says so
/// is specific enough (`jwt.json`: a configuration file's extension is part
/// of how code names it, unlike a module's).
fn named_file(
    path: &str,
    line: usize,
    short: bool,
    for_family: impl Fn(Family) -> bool,
) -> Vec<Definition> {
    let mut parts = path.rsplit('/');
    let Some(file) = parts.next() else {
        return Vec::new();
    };
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    // Only names that say what the file is for: Electron's `preload.js`
    // is named in every window's options, and `src/index.js` of one
    // package ends another's `packages/web/src/index.js`.
    let says = |part: &str| {
        let lower = part.to_ascii_lowercase();
        ["jwt", "token", "auth", "ims", "adobe", "credential"]
            .iter()
            .any(|w| lower.contains(w))
    };
    let mut names = Vec::new();
    if let Some(dir) = parts
        .next()
        .filter(|d| !d.is_empty() && *d != "." && *d != "..")
        && (says(dir) || says(stem))
    {
        names.push(format!("{dir}/{file}"));
    }
    if (specific(stem) || short && stem.len() >= 3) && file.contains('.') && says(stem) {
        names.push(file.to_string());
    }
    const ALL: [Family; 9] = [
        Family::Js,
        Family::Python,
        Family::Jvm,
        Family::DotNet,
        Family::Php,
        Family::Go,
        Family::Ruby,
        Family::PowerShell,
        Family::Shell,
    ];
    names
        .iter()
        .flat_map(|name| {
            ALL.into_iter()
                .filter(|f| for_family(*f))
                .map(|f| Definition {
                    name: name.clone(),
                    family: f,
                    path: path.to_string(),
                    line: line as u32 + 1,
                    module: false,
                    export: None,
                })
        })
        .collect()
}

/// The console command a PHP command class declares (Laravel `protected
/// $signature = 'command:exchangeadobejwt'`, Symfony `$defaultName` or
/// `#[AsCommand(name: ...)]`): learned for PHP (the scheduler's
/// `$schedule->command(...)`) and shell (`php artisan ...` in deploy
/// scripts), since the command runs the class's JWT code.
pub fn console_commands(family: Family, path: &str, text: &[u8]) -> Vec<Definition> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m-u)^[ \t]*(?:(?:protected|public|private)[ \t]+(?:static[ \t]+)?(?:\??string[ \t]+)?\$(?:signature|defaultName|name)[ \t]*=[ \t]*|#\[AsCommand\((?:name:[ \t]*)?)['"]([A-Za-z][\w:.-]*)"#)
            .expect("console command pattern")
    });
    if family != Family::Php || memchr::memmem::find(text, b"ommand").is_none() {
        return Vec::new();
    }
    RE.captures_iter(text)
        .filter_map(|c| c.get(1))
        .filter(|m| specific(&String::from_utf8_lossy(m.as_bytes())))
        .flat_map(|m| {
            let name = String::from_utf8_lossy(m.as_bytes()).into_owned();
            let line = memchr::memchr_iter(b'\n', &text[..m.start()]).count() as u32 + 1;
            [Family::Php, Family::Shell].map(|family| Definition {
                name: name.clone(),
                family,
                path: path.to_string(),
                line,
                module: false,
                export: None,
            })
        })
        .collect()
}

/// Star imports and whole-module re-exports (`from .login import *`,
/// `export * from './jwt'`, `module.exports = require('./jwt')`): per
/// import, the module as written and its byte range.
pub fn star_imports(family: Family, text: &[u8]) -> Vec<(String, usize, usize)> {
    static PY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m-u)^[ \t]*from[ \t]+(\.*[A-Za-z_][\w.]*|\.+)[ \t]+import[ \t]*\*")
            .expect("python star import")
    });
    static JS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m-u)^[ \t]*(?:export[ \t]*\*[ \t]*(?:as[ \t]+[\w$]+[ \t]+)?from[ \t]*|module\.exports[ \t]*=[ \t]*require[ \t]*\([ \t]*)['"](\.{1,2}/[^'"\n]+)['"]"#)
            .expect("js star export")
    });
    // What every match holds, with a literal prefix the regex crate finds
    // by memchr/Teddy: the anchored line regexes above have none, so on
    // their own they ran the DFA over every Python file (`*` is in most of
    // them) and most JS files.
    static PY_NEEDLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?-u)import[ \t]*\*").expect("python star needle"));
    static JS_NEEDLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u)export[ \t]*\*|exports[ \t]*=[ \t]*require").expect("js star needle")
    });
    let (re, needle): (&Regex, &Regex) = match family {
        Family::Python => (&PY, &PY_NEEDLE),
        Family::Js => (&JS, &JS_NEEDLE),
        _ => return Vec::new(),
    };
    if !needle.is_match(text) {
        return Vec::new();
    }
    re.captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| {
            (
                String::from_utf8_lossy(m.as_bytes()).into_owned(),
                m.start(),
                m.end(),
            )
        })
        .collect()
}

/// The name a JavaScript module exports as its one default export
/// (`module.exports = checkAccessToken`), whatever the name.
pub fn default_export_name(family: Family, text: &[u8]) -> Option<String> {
    one_default_export(family, text).map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
}

/// The name of a JavaScript module's default export, when it has exactly
/// one.
fn one_default_export(family: Family, text: &[u8]) -> Option<regex::bytes::Match<'_>> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m-u)^[ \t]*(?:module\.exports[ \t]*=[ \t]*|export[ \t]+default[ \t]+)(?:(?:async[ \t]+)?function[ \t]*\*?[ \t]*|class[ \t]+)?([A-Za-z_$][\w$]*)(?:[ \t]*;?[ \t]*\r?$|[ \t]*[({]|[ \t]+extends\b)")
            .expect("default export pattern")
    });
    if family != Family::Js {
        return None;
    }
    let mut found = RE.captures_iter(text).filter_map(|c| c.get(1));
    match (found.next(), found.next()) {
        (Some(m), None) => Some(m),
        _ => None,
    }
}

/// Default imports of a relative module (`const getToken =
/// require('./utils/getAccessToken')`, `import getToken from './auth'`):
/// per import, the module as written, the local name and the import's byte
/// range. The local name may be anything (`getAccessToken` for a module
/// whose default export is `checkAccessToken`), so it is resolved through
/// the module, never learned as a name.
pub fn default_imports(family: Family, text: &[u8]) -> Vec<(String, String, usize, usize)> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        // The whole statement: `require('./token').formatDate` imports
        // something else, `require('./locales/' + lang)` no one module.
        Regex::new(r#"(?m-u)^[ \t]*(?:(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*=[ \t]*require[ \t]*\([ \t]*|import[ \t]+([A-Za-z_$][\w$]*)[ \t]+from[ \t]*)['"](\.{1,2}/[^'"\n]+)['"](?:[ \t]*\)(?:\.default)?)?[ \t]*;?[ \t]*\r?$"#)
            .expect("js default import")
    });
    if family != Family::Js || memchr::memmem::find(text, b"./").is_none() {
        return Vec::new();
    }
    let opaque = opaque_ranges(family, text);
    RE.captures_iter(text)
        .filter(|c| {
            c.get(0)
                .is_some_and(|m| !inside(&opaque, m.start() + leading_blank(m.as_bytes())))
        })
        .filter_map(|c| {
            let local = c.get(1).or_else(|| c.get(2))?;
            let spec = c.get(3)?;
            let all = c.get(0)?;
            Some((
                String::from_utf8_lossy(spec.as_bytes()).into_owned(),
                String::from_utf8_lossy(local.as_bytes()).into_owned(),
                all.start() + leading_blank(all.as_bytes()),
                spec.end() + 1,
            ))
        })
        .collect()
}

/// The calls of `name` in `text` (`name(` as a whole word, not a member
/// of another object, not in a comment of `family`), as byte ranges of the
/// name.
pub fn local_calls(family: Family, text: &[u8], name: &str) -> Vec<(usize, usize)> {
    if name.is_empty() {
        return Vec::new();
    }
    let opaque = opaque_ranges(family, text);
    memchr::memmem::find_iter(text, name.as_bytes())
        .filter(|&s| {
            let e = s + name.len();
            let before_ok = s == 0 || {
                let b = text[s - 1];
                !family.ident_byte(b) && b != b'.' && b != b'$'
            };
            let after = text[e..].iter().find(|b| **b != b' ' && **b != b'\t');
            before_ok
                && text
                    .get(e)
                    .is_none_or(|b| !family.ident_byte(*b) && *b != b'$')
                && after == Some(&b'(')
                && !inside(&opaque, s)
                && !text[..s].trim_ascii_end().ends_with(b"function")
        })
        .map(|s| (s, s + name.len()))
        .collect()
}

/// The files a star import of `spec` in a file of directory `dir` may
/// name, most likely first. An absolute Python module (`pkg.auth`) is
/// tried from `dir` and each of `bases` (the directories above it, up to
/// the project root).
pub fn module_files(
    family: Family,
    dir: &std::path::Path,
    bases: &[&std::path::Path],
    spec: &str,
) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    match family {
        Family::Python => {
            let dots = spec.bytes().take_while(|b| *b == b'.').count();
            let rest = spec[dots..].replace('.', "/");
            let starts: Vec<std::path::PathBuf> = if dots == 0 {
                std::iter::once(dir)
                    .chain(bases.iter().copied())
                    .map(|d| d.to_path_buf())
                    .collect()
            } else {
                dir.ancestors()
                    .nth(dots - 1)
                    .map(|d| d.to_path_buf())
                    .into_iter()
                    .collect()
            };
            for base in starts {
                let m = if rest.is_empty() {
                    base.clone()
                } else {
                    base.join(&rest)
                };
                out.push(m.with_extension("py"));
                out.push(m.join("__init__.py"));
            }
        }
        Family::Js => {
            // `./jwt` and `../auth/jwt` resolved segment by segment: a path
            // with a `.` in it (`src/./jwt.ts`) names no scanned file.
            let mut m = dir.to_path_buf();
            for part in spec.split('/') {
                match part {
                    "" | "." => {}
                    ".." => {
                        if !m.pop() {
                            m.push("..");
                        }
                    }
                    p => m.push(p),
                }
            }
            out.push(m.clone());
            for ext in ["js", "ts", "mjs", "cjs", "jsx", "tsx"] {
                let mut s = m.clone().into_os_string();
                s.push(".");
                s.push(ext);
                out.push(s.into());
            }
            for index in ["index.js", "index.ts"] {
                out.push(m.join(index));
            }
        }
        _ => {}
    }
    out
}

/// Every name a file of `family` defines.
fn defined_names(family: Family, text: &[u8]) -> BTreeSet<String> {
    let (func_re, class_re) = patterns(family);
    [func_re, class_re]
        .iter()
        .flat_map(|re| re.captures_iter(text))
        .filter_map(|c| c.iter().skip(1).flatten().next())
        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
        .collect()
}

/// [`enclosing`], closed over calls within the file: a function of the
/// file that calls a learned one is learned too (a helper file's public
/// function that calls its private JWT code), to a fixed point.
pub fn learn(family: Family, path: &str, text: &[u8], lines: &[usize]) -> Vec<Definition> {
    let mut fresh = enclosing(family, path, text, lines);
    // A JWT finding outside any function (`const auth =
    // require('@adobe/jwt-auth')`) belongs to the whole module: what the
    // module exports as its one default export is the wrapper.
    if lines
        .iter()
        .any(|&l| enclosing(family, path, text, &[l]).is_empty())
    {
        fresh.extend(default_export(family, path, text));
    }
    close_over_calls(family, path, text, fresh, |_| true, names_auth)
}

/// Whether a function found by the closure over calls is learned: its name
/// says it authenticates or hands out a token (`get_token`, `authHeaders`,
/// `imsClient`, a token's `renew`). A business function of the same file that only uses the
/// token (`getAssetMetadata` calling `getAEMAccessToken`) is not a JWT
/// wrapper: its callers need no change.
pub fn names_auth(d: &Definition) -> bool {
    const WORDS: [&str; 14] = [
        "token",
        "auth",
        "jwt",
        "ims",
        "credential",
        "login",
        "signin",
        "access",
        "session",
        "bearer",
        "oauth",
        "client",
        "header",
        "connect",
    ];
    let name = d.name.to_ascii_lowercase();
    // A token's `renew()` (etla-ec), not `renewSubscription()`.
    WORDS.iter().any(|w| name.contains(w)) || name == "renew"
}

/// Whether a definition hands out credentials or a token by its name (the
/// method of a name learned with its receiver): `getCredentials`,
/// `docAuthentication.getCredentials`, not `PdfServicesClient` or
/// `mergeWithSession`.
pub fn hands_out_credentials(d: &Definition) -> bool {
    hands_out_token(&d.name[method_offset(&d.name)..])
}

/// The definitions enclosing the OAuth Server-to-Server request at `lines`
/// (0-based), closed over calls within the file like [`learn`], but only
/// through names defined once in the file (a dispatcher calling the
/// class's one `_oauth_token`; not every `post_body` of a class family).
pub fn dual_mode(family: Family, path: &str, text: &[u8], lines: &[usize]) -> Vec<Definition> {
    let (func_re, class_re) = patterns(family);
    let mut defined: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::new();
    for re in [func_re, class_re] {
        for caps in re.captures_iter(text) {
            if let Some(m) = caps.iter().skip(1).flatten().next() {
                *defined.entry(m.as_bytes().to_vec()).or_default() += 1;
            }
        }
    }
    let fresh = enclosing(family, path, text, lines);
    close_over_calls(
        family,
        path,
        text,
        fresh,
        |d| defined.get(d.name.as_bytes()) == Some(&1),
        |_| true,
    )
}

/// `fresh` plus the definitions of the file that call one of them (by a
/// name `follow` accepts), those `admit` accepts, to a fixed point.
fn close_over_calls(
    family: Family,
    path: &str,
    text: &[u8],
    mut fresh: Vec<Definition>,
    follow: impl Fn(&Definition) -> bool,
    admit: impl Fn(&Definition) -> bool,
) -> Vec<Definition> {
    const ROUNDS: usize = 8;
    let mut all: BTreeSet<Definition> = BTreeSet::new();
    for _ in 0..ROUNDS {
        fresh.retain(|d| !all.contains(d));
        if fresh.is_empty() {
            break;
        }
        all.extend(fresh.iter().cloned());
        let followed: Vec<Definition> = fresh.iter().filter(|d| follow(d)).cloned().collect();
        let Some(callers) = Callers::new(&followed) else {
            break;
        };
        let starts: Vec<usize> = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text).map(|i| i + 1))
            .collect();
        let mut uses: Vec<usize> = Vec::new();
        for (_, spans) in callers.occurrences(family, text) {
            for (s, _) in spans {
                uses.push(starts.partition_point(|&x| x <= s) - 1);
            }
        }
        uses.sort_unstable();
        uses.dedup();
        fresh = enclosing(family, path, text, &uses);
        fresh.retain(&admit);
    }
    all.into_iter().collect()
}

/// Bytes of blank (spaces, tabs, line breaks) at the start of `b`.
fn leading_blank(b: &[u8]) -> usize {
    b.iter().take_while(|b| b.is_ascii_whitespace()).count()
}

/// Whether `at` lies in one of `ranges` (sorted, disjoint).
fn inside(ranges: &[std::ops::Range<usize>], at: usize) -> bool {
    let i = ranges.partition_point(|r| r.end <= at);
    ranges.get(i).is_some_and(|r| r.start <= at)
}

/// How `fix::code` reads a family's comments and strings: C-like and
/// Python; `None` for the others.
fn syntax_of(family: Family) -> Option<crate::fix::code::Syntax> {
    use crate::fix::code::Syntax;
    match family {
        Family::Js | Family::Jvm | Family::DotNet | Family::Go | Family::Php => Some(Syntax::CLike),
        Family::Python => Some(Syntax::Python),
        Family::Ruby | Family::PowerShell | Family::Shell => None,
    }
}

/// The comments and string literals of `text`, in order (none for the
/// families `fix::code` cannot read).
fn opaque_ranges(family: Family, text: &[u8]) -> Vec<std::ops::Range<usize>> {
    syntax_of(family).map_or_else(Vec::new, |s| s.opaque_ranges(text))
}

/// The comments of `text`, in order, for the families whose comments and
/// strings `fix::code` can tell apart (C-like and Python); none otherwise.
fn comment_ranges(family: Family, text: &[u8]) -> Vec<std::ops::Range<usize>> {
    let Some(syntax) = syntax_of(family) else {
        return Vec::new();
    };
    syntax
        .opaque_ranges(text)
        .into_iter()
        .filter(|r| syntax.is_comment_start(text, r.start))
        .collect()
}

/// Whether the name at `start` sits in a test double's set-up or check on
/// its line (`mock.Setup(e => e.AuthorizeClient(v))`, Moq's `Verify`,
/// Mockito's `when(auth.getJwt())`/`verify(auth).getJwt()`, `jest.spyOn(auth, 'getJwt')`,
/// `sinon.stub`, `mocker.patch`), which names the method without calling it.
fn mock_setup(text: &[u8], start: usize) -> bool {
    // Anchored at the name: the set-up's own argument is the name, not a
    // call somewhere later on the line (`return when (val r = a.f(v))` in
    // Kotlin, `jwt.verify(await getAdobeJwt(), key)`, `$.when(getAuth())`).
    static MOCK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?-u)(?:\.(?:Setup|SetupGet|Verify)\s*\(\s*\w+\s*=>\s*\w+\.|(?:^|[^\w.$])(?:Mockito\.)?when\s*\(\s*\w+\.|(?:^|[^\w.$])(?:Mockito\.)?verify\s*\(\s*\w+\s*(?:,[^()\n]*(?:\([^()\n]*\))?)?\)\s*\.|\b(?:jest\.spyOn|sinon\.(?:stub|spy))\s*\(\s*[\w.]+\s*,\s*['"]|\b(?:mocker|mock)\.patch(?:\.object)?\s*\([^)\n]*)$"#)
            .expect("mock set-up pattern")
    });
    let line_start = memchr::memrchr(b'\n', &text[..start]).map_or(0, |i| i + 1);
    MOCK.is_match(&text[line_start..start])
}

/// Whether the name at `start` is called on a receiver other than the
/// object itself: `AuthService.AuthorizeClient`, `client->login`, not
/// `this.x`, `self.x`, `base.x`, `super.x`, `$this->x` or a bare `x`.
fn foreign_receiver(text: &[u8], start: usize, own: &BTreeSet<Vec<u8>>) -> bool {
    let before = &text[..start];
    let Some(rest) = before
        .strip_suffix(b".")
        .or_else(|| before.strip_suffix(b"->"))
        .or_else(|| before.strip_suffix(b"::"))
    else {
        return false;
    };
    let word_start = rest
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$'))
        .map_or(0, |i| i + 1);
    let receiver = &rest[word_start..];
    const SELF: [&str; 11] = [
        "this", "self", "base", "super", "$this", "me", "static", "parent", "cls", "mybase",
        "myclass",
    ];
    !receiver.is_empty()
        && !SELF
            .iter()
            .any(|s| receiver.eq_ignore_ascii_case(s.as_bytes()))
        && !own.contains(receiver)
}

/// The receiver names of a Go file's methods (`func (c *Client) ...`):
/// `c.fetchJwtToken()` in such a file is a call of its own method.
fn self_receivers(family: Family, text: &[u8]) -> BTreeSet<Vec<u8>> {
    static GO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m-u)^func[ \t]*\([ \t]*(\w+)[ \t]+\*?[\w.\[\]]+[ \t]*\)")
            .expect("go receiver pattern")
    });
    if family != Family::Go {
        return BTreeSet::new();
    }
    GO.captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_bytes().to_vec())
        .collect()
}

/// Learned definitions, searchable in one pass.
pub struct Callers {
    ac: AhoCorasick,
    families: BTreeSet<Family>,
    /// Per pattern (a distinct name): the definitions of that name.
    defs: Vec<Vec<Definition>>,
}

impl Callers {
    /// `None` when nothing was learned.
    pub fn new(definitions: &[Definition]) -> Option<Callers> {
        let definitions: Vec<Definition> =
            definitions.iter().filter(|d| !d.module).cloned().collect();
        let mut names: Vec<&str> = definitions.iter().map(|d| d.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        if names.is_empty() {
            return None;
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&names)
            .ok()?;
        let defs = names
            .iter()
            .map(|n| {
                definitions
                    .iter()
                    .filter(|d| d.name == *n)
                    .cloned()
                    .collect()
            })
            .collect();
        let families = definitions.iter().map(|d| d.family).collect();
        Some(Callers { ac, families, defs })
    }

    /// The families that have definitions.
    pub fn families(&self) -> &BTreeSet<Family> {
        &self.families
    }

    /// Whole-word occurrences in `text` (of file `path`) of names defined in
    /// other files of its family: per definition, the byte ranges.
    pub fn sites(&self, path: &str, text: &[u8]) -> Vec<(Definition, Vec<(usize, usize)>)> {
        let Some(family) = Family::of(path) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let hits = self.occurrences(family, text);
        if hits.is_empty() {
            return out;
        }
        // A file that defines the name itself calls its own.
        let own = defined_names(family, text);
        // Computed only when a name the file defines itself is used.
        let mut receivers: Option<BTreeSet<Vec<u8>>> = None;
        for (p, mut spans) in hits {
            // A mock's set-up or check names the method without calling it.
            // For a name learned with its receiver, at the method.
            let method_at = self.defs[p].first().map_or(0, |d| method_offset(&d.name));
            spans.retain(|&(s, _)| !mock_setup(text, s + method_at));
            if spans.is_empty() {
                continue;
            }
            // ... except through another object (`AuthService.AuthorizeClient(v)`
            // in a base class whose own `AuthorizeClient` wraps it).
            if self.defs[p].first().is_some_and(|d| own.contains(&d.name)) {
                let own_receivers = receivers.get_or_insert_with(|| self_receivers(family, text));
                spans.retain(|&(s, _)| foreign_receiver(text, s, own_receivers));
                if spans.is_empty() {
                    continue;
                }
            }
            // A file named by a path (`./postman/jwt.postman_collection.json`)
            // is this one only when the directory before the name is its own:
            // `../collections/jwt.postman_collection.json` names another.
            if let Some(d) = self.defs[p].first()
                && let Some(dirs) = d.path.strip_suffix(d.name.as_str())
                && (dirs.is_empty() || dirs.ends_with('/'))
            {
                let own = dirs.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                spans.retain(|&(s, _)| {
                    let before = &text[..s];
                    let Some(rest) = before.strip_suffix(b"/") else {
                        return true;
                    };
                    let seg = rest
                        .rsplit(|b| {
                            matches!(b, b'/' | b'\\' | b'"' | b'\'' | b'`' | b' ' | b'=' | b'(')
                        })
                        .next()
                        .unwrap_or(b"");
                    matches!(seg, b"" | b"." | b"..") || seg == own.as_bytes()
                });
                if spans.is_empty() {
                    continue;
                }
            }
            // The definition of this family in another file (the first by
            // path, so the output does not depend on the walk's order).
            if let Some(d) = self.defs[p]
                .iter()
                .filter(|d| d.family == family && d.path != path)
                .min()
            {
                out.push((d.clone(), spans));
            }
        }
        out.sort_by(|a, b| a.1[0].cmp(&b.1[0]));
        out
    }

    /// Whole-word occurrences of the names, per name (pattern index).
    fn occurrences(&self, family: Family, text: &[u8]) -> Vec<(usize, Vec<(usize, usize)>)> {
        let mut hits: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
        // The comments are found only in a file with a hit: most files
        // searched have none, and finding them walks the whole file.
        let mut comments = None;
        for m in self.ac.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            // A commented-out call (`/* const x = require('../jwt') */`)
            // is no call.
            let comments = comments.get_or_insert_with(|| comment_ranges(family, text));
            let i = comments.partition_point(|r| r.end <= s);
            if comments.get(i).is_some_and(|r| r.start <= s) {
                continue;
            }
            let before = s.checked_sub(1).map(|i| text[i]);
            let after = text.get(e).copied();
            if before.is_some_and(|b| family.ident_byte(b) || b == b'$' && family != Family::Php)
                || after.is_some_and(|b| family.ident_byte(b))
            {
                continue;
            }
            if declares(family, text, s, e) {
                continue;
            }
            let p = m.pattern().as_usize();
            match hits.iter_mut().find(|(q, _)| *q == p) {
                Some((_, spans)) => spans.push((s, e)),
                None => hits.push((p, vec![(s, e)])),
            }
        }
        hits
    }
}

/// Where the method starts in a name learned with its receiver
/// (`integrationService.getAccessToken`: 19); 0 for a plain name.
fn method_offset(name: &str) -> usize {
    name.rfind("->")
        .or_else(|| name.rfind("::"))
        .map(|i| i + 2)
        .or_else(|| name.rfind('.').map(|i| i + 1))
        .unwrap_or(0)
}

/// Whether the name at `s..e` is declared there rather than called, in a
/// language with typed declarations (Java, Kotlin, C#): a type before it
/// and a parameter list after (`Task<Response> RemoveFromOrg(string id`,
/// an interface's method, which has no body for `defined_names` to see).
/// A call has a receiver, an operator or a keyword before it.
fn declares(family: Family, text: &[u8], s: usize, e: usize) -> bool {
    if !matches!(family, Family::Jvm | Family::DotNet) {
        return false;
    }
    let rest = &text[e..];
    let after = rest.iter().position(|b| !matches!(b, b' ' | b'\t'));
    if after.and_then(|i| rest.get(i)) != Some(&b'(') {
        return false;
    }
    let line_start = text[..s]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let before = text[line_start..s].trim_ascii_end();
    if before.len() == text[line_start..s].len() {
        return false; // `Foo(` glued to what precedes it: `x.Foo(`, `(Foo(`
    }
    let Some(&last) = before.last() else {
        return false; // at the start of the line: a call statement
    };
    if !(family.ident_byte(last) || matches!(last, b'>' | b']' | b'?')) {
        return false;
    }
    let word_start = before
        .iter()
        .rposition(|&b| !family.ident_byte(b))
        .map_or(0, |i| i + 1);
    let word = &before[word_start..];
    const CALL_KEYWORDS: &[&[u8]] = &[
        b"return", b"await", b"new", b"throw", b"else", b"yield", b"case", b"in", b"is", b"as",
        b"not", b"and", b"or", b"do", b"val", b"var", b"when",
    ];
    !CALL_KEYWORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_imports_and_their_calls() {
        let text = "const getAccessToken = require('./utils/getAccessToken');\n\
                    import stamp from \"../fmt\";\n\
                    const fs = require('fs');\n\
                    // getAccessToken(settings) in a comment\n\
                    args.t = await getAccessToken(settings);\n\
                    other.getAccessToken(x); getAccessTokens(y);\n\
                    log('getAccessToken(x) failed');\n\
                    const fmt = require('./token').formatDate;\n\
                    const loc = require('./locales/' + lang);\n\
                    /*\nimport old from './token'\n*/\n\
                    const crlf = require('./crlf');\r\n";
        let found = default_imports(Family::Js, text.as_bytes());
        let specs: Vec<(&str, &str)> = found
            .iter()
            .map(|(s, l, _, _)| (s.as_str(), l.as_str()))
            .collect();
        assert_eq!(
            specs,
            [
                ("./utils/getAccessToken", "getAccessToken"),
                ("../fmt", "stamp"),
                ("./crlf", "crlf")
            ]
        );
        let (_, _, s, e) = &found[0];
        assert_eq!(
            &text[*s..*e],
            "const getAccessToken = require('./utils/getAccessToken'"
        );
        let calls = local_calls(Family::Js, text.as_bytes(), "getAccessToken");
        let lines: Vec<usize> = calls
            .iter()
            .map(|(s, _)| text[..*s].matches('\n').count() + 1)
            .collect();
        // not the declaration (no call), the comment, a member or a longer name
        assert_eq!(lines, [5]);
        assert!(default_imports(Family::Python, text.as_bytes()).is_empty());
    }

    #[test]
    fn the_default_export_name_whatever_it_is() {
        let one = b"function ensureToken() {}\nmodule.exports = ensureToken;\n";
        assert_eq!(
            default_export_name(Family::Js, one).as_deref(),
            Some("ensureToken")
        );
        let crlf = b"function token() {}\r\nmodule.exports = token;\r\n";
        assert_eq!(
            default_export_name(Family::Js, crlf).as_deref(),
            Some("token")
        );
        let two = b"module.exports = a;\nexport default b;\n";
        assert_eq!(default_export_name(Family::Js, two), None);
        assert_eq!(default_export_name(Family::Python, one), None);
    }

    #[test]
    fn a_mock_set_up_is_no_call() {
        let at = |t: &str| {
            mock_setup(
                t.as_bytes(),
                t.find("AuthorizeClient").expect("name in the line"),
            )
        };
        assert!(at("    .Setup(e => e.AuthorizeClient(_authValues))"));
        assert!(at("when(auth.AuthorizeClient(any())).thenReturn(client);"));
        assert!(at("jest.spyOn(ims, 'AuthorizeClient')"));
        assert!(at("verify(auth, times(1)).AuthorizeClient(v);"));
        assert!(!at("var client = await AuthService.AuthorizeClient(v);"));
        assert!(!at(
            "return when (val r = authService.AuthorizeClient(v)) {"
        ));
        assert!(!at("const c = jwt.verify(await AuthorizeClient(), key);"));
        assert!(!at("$.when(AuthorizeClient()).then(render);"));
        assert!(!at("    .Returns(v => svc.AuthorizeClient(v))"));
        assert!(!at(
            "x = 1;\n    .Setup(e => e.Other());\nAuthService.AuthorizeClient(v);"
        ));
    }

    #[test]
    fn a_call_through_another_object_is_foreign() {
        let none = BTreeSet::new();
        let at = |t: &str| {
            foreign_receiver(
                t.as_bytes(),
                t.find("AuthorizeClient").expect("name in the line"),
                &none,
            )
        };
        assert!(at("await AuthService.AuthorizeClient(v)"));
        assert!(at("$client->AuthorizeClient(v)"));
        assert!(at("Auth::AuthorizeClient(v)"));
        assert!(!at("await AuthorizeClient(v)"));
        assert!(!at("this.AuthorizeClient(v)"));
        assert!(!at("self.AuthorizeClient(v)"));
        assert!(!at("$this->AuthorizeClient(v)"));
        assert!(!at("base.AuthorizeClient(v)"));
        assert!(!at("Me.AuthorizeClient(v)"));
        assert!(!at("MyBase.AuthorizeClient(v)"));
        assert!(!at("cls.AuthorizeClient(v)"));
        let go = "func (c *Client) AuthorizeClient() {}\nfunc (c *Client) Do() { c.AuthorizeClient() }\n";
        let own = self_receivers(Family::Go, go.as_bytes());
        let s = go.rfind("AuthorizeClient").expect("call");
        assert!(!foreign_receiver(go.as_bytes(), s, &own));
    }

    #[test]
    fn a_base_class_calling_the_wrapper_of_the_same_name_is_a_site() {
        let def = Definition {
            name: "AuthorizeClient".into(),
            family: Family::DotNet,
            path: "Auth/AdobeAuthorizationService.cs".into(),
            line: 14,
            module: false,
            export: None,
        };
        let callers = Callers::new(&[def]).expect("callers");
        let text = "public abstract class BaseAdobeService\n{\n    protected async Task AuthorizeClient(AuthValues v)\n    {\n        var c = await AuthService.AuthorizeClient(v);\n    }\n}\n";
        let sites = callers.sites("Services/BaseAdobeService.cs", text.as_bytes());
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].1.len(), 1, "only the call through AuthService");
        let own = "class S\n{\n    protected async Task AuthorizeClient(AuthValues v)\n    {\n        await this.AuthorizeClient(v);\n    }\n}\n";
        assert!(callers.sites("Services/S.cs", own.as_bytes()).is_empty());
    }

    #[test]
    fn typed_declarations_are_not_calls() {
        let at = |line: &str, name: &str| {
            let s = line.find(name).expect("name in line");
            declares(Family::DotNet, line.as_bytes(), s, s + name.len())
        };
        for decl in [
            "        Task<Response> RemoveFromOrg(string orgId, string testOnly,",
            "    public static async Task<string> GetToken(Config c)",
            "    string GetToken ()",
            "    byte[] Sign(byte[] data);",
            "    Token? Refresh(string t);",
        ] {
            let name = decl
                .split('(')
                .next()
                .and_then(|h| h.split_whitespace().last())
                .expect("name");
            assert!(at(decl, name), "{decl}");
        }
        for call in [
            "        var r = await api.RemoveFromOrg(orgId, \"false\", token, cmd);",
            "        var r = RemoveFromOrg(orgId);",
            "        return GetToken(c);",
            "        await GetToken(c);",
            "GetToken(c);",
            "        if (ok) GetToken(c);",
            "        var x = new JwtAuth(c);",
            "        Foo(GetToken(c));",
        ] {
            let name = if call.contains("RemoveFromOrg") {
                "RemoveFromOrg"
            } else if call.contains("JwtAuth") {
                "JwtAuth"
            } else {
                "GetToken"
            };
            assert!(!at(call, name), "{call}");
        }
        // Other families are left alone.
        let py = "def get_jwt_token(cfg):";
        assert!(!declares(Family::Python, py.as_bytes(), 4, 17));
    }

    fn names(family: Family, text: &str, line: usize) -> Vec<String> {
        enclosing(family, "x", text.as_bytes(), &[line])
            .into_iter()
            .map(|d| d.name)
            .collect()
    }

    #[test]
    fn generic_token_methods_are_learned_with_their_receiver() {
        // acs-aem-commons: the public getter of a private JWT exchange.
        let t = "public class IntegrationServiceImpl implements IntegrationService, Runnable {\n    public String getAccessToken() {\n        return fetch(getJwtToken());\n    }\n}\n";
        let n = names(Family::Jvm, t, 2);
        assert!(
            n.contains(&"integrationService.getAccessToken".to_string()),
            "{n:?}"
        );
        assert!(
            n.contains(&"_integrationService.getAccessToken".to_string()),
            "{n:?}"
        );
        assert!(
            !n.iter()
                .any(|x| x == "getAccessToken" || x.contains("unnable")),
            "{n:?}"
        );
        // .NET: the interface without its `I`; Kotlin: not the constructor's
        // parameter types.
        let cs = "public class AdobeTokenProvider : IAdobeTokenProvider\n{\n    public async Task<string> GetToken()\n    {\n        return Sign(claims);\n    }\n}\n";
        let n = names(Family::DotNet, cs, 4);
        assert!(
            n.contains(&"_adobeTokenProvider.GetToken".to_string()),
            "{n:?}"
        );
        let kt = "class ImsClientImpl(val cfg: String) : ImsClient {\n    override fun getToken(): String {\n        return sign(cfg)\n    }\n}\n";
        let n = names(Family::Jvm, kt, 2);
        assert!(n.contains(&"imsClient.getToken".to_string()), "{n:?}");
        assert!(!n.iter().any(|x| x.starts_with("string")), "{n:?}");
        // The interface the class implements (AFTIA's PDF Services getter).
        let osgi = "public class OSGiDocAuthentication implements DocAuthentication {\n    public Credentials getCredentials() {\n        return Credentials.serviceAccountCredentialsBuilder().build();\n    }\n}\n";
        let n = names(Family::Jvm, osgi, 2);
        assert!(
            n.contains(&"docAuthentication.getCredentials".to_string()),
            "{n:?}"
        );
        // A getter choosing JWT or OAuth by its config is dual-mode.
        let dual = "public class FeignImsService implements ImsService {\n  public AccessToken getAccessToken() {\n    if (ws.isAuthJWT()) {\n      return exchange(jwt);\n    } else if (ws.isAuthOAuth()) {\n      return getOAuthAccessToken();\n    }\n  }\n}\n";
        assert!(names(Family::Jvm, dual, 3).is_empty());
        // Python: snake_case; a method that does not hand out a token, and a
        // class with a generic name, teach nothing.
        let py = "class AdobeAuth:\n    def get_token(self):\n        return jwt.encode(c)\n    def run(self):\n        jwt.encode(c)\n";
        assert_eq!(
            names(Family::Python, py, 2),
            ["AdobeAuth", "adobe_auth.get_token"]
        );
        assert_eq!(names(Family::Python, py, 4), ["AdobeAuth"]);
        let generic = "class Service:\n    def get_token(self):\n        return jwt.encode(c)\n";
        assert!(names(Family::Python, generic, 2).is_empty());
    }

    #[test]
    fn receiver_qualified_calls_are_sites_but_not_mock_setups() {
        let defs = enclosing(
            Family::Jvm,
            "impl/IntegrationServiceImpl.java",
            b"public class IntegrationServiceImpl implements IntegrationService {\n    public String getAccessToken() {\n        return sign(claims);\n    }\n}\n",
            &[2],
        );
        let c = Callers::new(&defs).expect("learned");
        let caller = b"class Health {\n  void check() {\n    String t = integrationService.getAccessToken();\n    other.getAccessToken();\n    this.integrationService.getAccessToken();\n  }\n}\n";
        let sites = c.sites("impl/Health.java", caller);
        let spans: Vec<usize> = sites
            .iter()
            .flat_map(|(_, s)| s.iter().map(|x| x.0))
            .collect();
        assert_eq!(spans.len(), 2, "{sites:?}");
        let test = b"class T {\n  void setUp() {\n    when(integrationService.getAccessToken()).thenReturn(\"x\");\n  }\n}\n";
        assert!(c.sites("impl/T.java", test).is_empty());
    }

    #[test]
    fn config_files_are_learned_by_name_and_a_path_must_name_their_directory() {
        let d = config_definitions("repo/serverless-jwt.yml", 10);
        assert!(
            d.iter()
                .any(|x| x.name == "serverless-jwt.yml" && x.family == Family::Js),
            "{d:?}"
        );
        // A short stem that says so is enough for a configuration file.
        assert!(
            config_definitions("jwt.json", 0)
                .iter()
                .any(|x| x.name == "jwt.json")
        );
        // Not a test fixture, not code, not a name that says nothing.
        assert!(config_definitions("test/fixtures/adobe-credentials.json", 0).is_empty());
        assert!(config_definitions("src/jwt.js", 0).is_empty());
        assert!(config_definitions("config/settings.json", 0).is_empty());
        let defs = config_definitions("repo/postman/Adobe IO Token.postman_collection.json", 3);
        let c = Callers::new(&defs).expect("learned");
        let own = b"require('./postman/Adobe IO Token.postman_collection.json')\n";
        assert_eq!(c.sites("repo/newman.js", own).len(), 1);
        let bare = b"const f = 'Adobe IO Token.postman_collection.json'\n";
        assert_eq!(c.sites("repo/newman.js", bare).len(), 1);
        let other = b"IO=\"../../collections/Adobe IO Token.postman_collection.json\"\n";
        assert!(c.sites("repo/docs/run.sh", other).is_empty());
    }

    #[test]
    fn scripts_are_learned_by_their_path_for_every_family() {
        let d = script_definitions(Family::Js, "repo/jwt-api/app.js", 0);
        let names: BTreeSet<&str> = d.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, BTreeSet::from(["jwt-api/app.js"]));
        assert!(d.iter().any(|d| d.family == Family::Go));
        let d = script_definitions(Family::Python, "get_adobe_token.py", 3);
        let names: BTreeSet<&str> = d.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, BTreeSet::from(["get_adobe_token.py"]));
        // Generic file names alone, names that do not say what the script
        // is for, compiled sources and the script's own language are not
        // learned.
        assert!(script_definitions(Family::Js, "auth.js", 0).is_empty());
        assert!(script_definitions(Family::Js, "preload.js", 0).is_empty());
        assert!(script_definitions(Family::Js, "web/src/index.js", 0).is_empty());
        assert!(script_definitions(Family::Js, "a/preload.js", 0).is_empty());
        // Acronyms, Ruby namespaces and PHP static calls.
        assert_eq!(camel_words("AdobeIMSClient"), ["Adobe", "IMS", "Client"]);
        let r = receivers(Family::Python, "AdobeIMSClient", b"class AdobeIMSClient:");
        assert_eq!(r, [("adobe_ims_client".to_string(), ".")]);
        let r = receivers(Family::Jvm, "IMSClient", b"public class IMSClient {");
        assert!(r.contains(&("imsClient".to_string(), ".")), "{r:?}");
        let r = receivers(
            Family::Ruby,
            "Adobe::TokenClient",
            b"class Adobe::TokenClient",
        );
        assert_eq!(r, [("token_client".to_string(), ".")]);
        let r = receivers(Family::Php, "TokenService", b"class TokenService");
        assert!(
            r.contains(&("TokenService".to_string(), "::"))
                && r.contains(&("tokenService".to_string(), "->")),
            "{r:?}"
        );
        let r = receivers(
            Family::DotNet,
            "AdobeCredential",
            b"public class AdobeCredential : TokenCredential",
        );
        assert!(
            !r.iter().any(|(x, _)| x.contains("tokenCredential")),
            "{r:?}"
        );
        assert!(
            !script_definitions(Family::Js, "a/jwt.js", 0)
                .iter()
                .any(|d| d.family == Family::Js)
        );
        assert!(script_definitions(Family::Jvm, "src/TokenService.java", 0).is_empty());
        let c =
            Callers::new(&script_definitions(Family::Js, "jwt-api/app.js", 0)).expect("learned");
        let go = b"func f() {\n\tcmd := exec.Command(\"node\", \"./jwt-api/app.js\")\n\t// was: ./jwt-api/app.js --old\n}\n";
        let sites = c.sites("adobe.go", go);
        assert_eq!(sites.len(), 1, "{sites:?}");
        assert_eq!(sites[0].1.len(), 1);
        assert!(
            c.sites(
                "main.go",
                b"x := \"other/app.js\"\ny := \"myjwt-api/app.jsx\"\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn python_method_and_its_class() {
        let t = "import jwt\n\nclass JWTAuth:\n    def __init__(self):\n        pass\n\n    def jwt_token(self):\n        claims = {'aud': 'x'}\n        return jwt.encode(claims)\n";
        assert_eq!(names(Family::Python, t, 7), ["JWTAuth", "jwt_token"]);
        // A module-level line belongs to no definition.
        assert!(names(Family::Python, t, 0).is_empty());
    }

    #[test]
    fn brace_languages_take_the_nearest_definition_above() {
        let go = "package utils\n\nfunc NewAnalyticsClient(cfg Config) (*Client, error) {\n\ttok, err := c.ExchangeJWT(req)\n}\n";
        assert_eq!(names(Family::Go, go, 3), ["NewAnalyticsClient"]);
        let js = "async function generateAuthToken (opts) {\n  const ctx = { private_key: k }\n}\nconst signAdobeJwt = async (cfg) => {\n  return jwt.sign(p)\n}\n";
        let destructured = "async function makeToken ({ ims, key } = {}) {\n  const c = { private_key: key }\n  return ims.getToken(c)\n}\n";
        assert_eq!(names(Family::Js, destructured, 2), ["makeToken"]);
        assert_eq!(names(Family::Js, js, 1), ["generateAuthToken"]);
        assert_eq!(names(Family::Js, js, 4), ["signAdobeJwt"]);
        let java = "public class JwtTokenBuilder {\n  public String build() {\n    return Jwts.builder().signWith(k).compact();\n  }\n}\n";
        assert_eq!(names(Family::Jvm, java, 2), ["JwtTokenBuilder"]);
    }

    #[test]
    fn js_module_specs_resolve_segment_by_segment() {
        let files = |dir: &str, spec: &str| -> Vec<String> {
            module_files(Family::Js, std::path::Path::new(dir), &[], spec)
                .into_iter()
                .map(|p| p.display().to_string())
                .collect()
        };
        assert!(
            files("./src", "./jwt-authorizer").contains(&"./src/jwt-authorizer.ts".to_string())
        );
        assert!(files("src/api", "../lib/jwt").contains(&"src/lib/jwt.js".to_string()));
        assert!(files("src", "./auth").contains(&"src/auth/index.ts".to_string()));
    }

    #[test]
    fn typescript_members_and_their_class() {
        // Access modifiers, return types and class-property arrow functions
        // (hudovisk/acs-sdk's JWTAuthorizer, held-out round 7).
        let ts = "export class JWTAuthorizer {\n  private onRefreshJWTToken = async () => {\n    const payload = { iss: org, sub: tech };\n    return jwtSign(payload, key);\n  };\n\n  private getMetascopesPayload(m: Metascope[]): Record<string, boolean> {\n    return { [`https://ims-na1.adobelogin.com/s/${m}`]: true };\n  }\n}\n";
        assert_eq!(
            names(Family::Js, ts, 2),
            ["JWTAuthorizer", "onRefreshJWTToken"]
        );
        assert_eq!(
            names(Family::Js, ts, 7),
            ["JWTAuthorizer", "getMetascopesPayload"]
        );
        // A typed arrow function bound to a variable of a function.
        let local =
            "function outer() {\n  handler = (x) => x + 1;\n  const token = sign(claims);\n}\n";
        assert_eq!(names(Family::Js, local, 2), ["outer"]);
    }

    #[test]
    fn a_module_level_finding_learns_the_default_export() {
        let t = "const auth = require('@adobe/jwt-auth')\n\nclass AccessTokenCommand extends Command {\n  async run () {}\n}\n\nmodule.exports = AccessTokenCommand\n";
        let d: Vec<Definition> = learn(Family::Js, "x.js", t.as_bytes(), &[0])
            .into_iter()
            .filter(|d| !d.module)
            .collect();
        assert_eq!(
            d.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
            ["AccessTokenCommand"]
        );
        assert_eq!(d[0].line, 7);
        // A class expression exported whole.
        let t = "const jwtAuth = require('@adobe/jwt-auth')\n\nmodule.exports = class AdobeUserMgmtApi {\n  async getToken () { return jwtAuth(this.credentials) }\n}\n";
        let d: Vec<String> = learn(Family::Js, "x.js", t.as_bytes(), &[0])
            .into_iter()
            .filter(|d| !d.module)
            .map(|d| d.name)
            .collect();
        assert!(d.iter().any(|n| n == "AdobeUserMgmtApi"), "{d:?}");
        // Several exports, or an object of them, name no one wrapper.
        let t = "const auth = require('@adobe/jwt-auth')\nmodule.exports = { makeToken, other }\n";
        assert!(
            learn(Family::Js, "x.js", t.as_bytes(), &[0])
                .iter()
                .all(|d| d.module)
        );
    }

    #[test]
    fn a_php_console_command_is_learned_for_php_and_shell() {
        let t = "class ExchangeJwt extends Command\n{\n    protected $signature = 'command:exchangeadobejwt {--force}';\n}\n";
        let d = console_commands(Family::Php, "app/ExchangeJwt.php", t.as_bytes());
        assert_eq!(d.len(), 2);
        assert_eq!(
            (d[0].name.as_str(), d[0].line),
            ("command:exchangeadobejwt", 3)
        );
        let c = Callers::new(&d).expect("learned");
        let sh = b"php artisan migrate --force\nphp artisan command:exchangeadobejwt\n";
        assert_eq!(c.sites("deploy.sh", sh).len(), 1);
    }

    #[test]
    fn generic_names_are_never_learned() {
        let t = "def get_token():\n    return jwt.encode(c)\n\ndef login():\n    x = 1\n";
        assert!(names(Family::Python, t, 1).is_empty());
        assert!(names(Family::Python, t, 4).is_empty());
    }

    #[test]
    fn sites_are_whole_words_in_other_files_of_the_family() {
        let defs = enclosing(
            Family::Python,
            "pkg/auth.py",
            b"class JWTAuth:\n    def __call__(self):\n        jwt.encode(c)\n",
            &[2],
        );
        let c = Callers::new(&defs).expect("learned");
        let text =
            b"from .auth import JWTAuth, OAuthS2S\nx = JWTAuthority()\nauth = JWTAuth(a, b)\n";
        let sites = c.sites("pkg/__init__.py", text);
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].0.line, 1);
        assert_eq!(sites[0].1.len(), 2, "JWTAuthority is another name");
        assert!(
            c.sites("pkg/auth.py", text).is_empty(),
            "not in its own file"
        );
        assert!(
            c.sites("web/app.js", text).is_empty(),
            "not in another family"
        );
    }

    #[test]
    fn commented_out_calls_are_no_sites() {
        let defs = enclosing(
            Family::Js,
            "index.js",
            b"function acAdobeIO () {\n  return jwt.sign(p, key)\n}\n",
            &[1],
        );
        let c = Callers::new(&defs).expect("learned");
        let text = b"/*\nconst acAdobeIO = require('../index')\n*/\n// acAdobeIO()\n";
        assert!(c.sites("test/test.js", text).is_empty());
        let live = b"/* setup */\nconst acAdobeIO = require('../index')\n";
        assert_eq!(c.sites("test/test.js", live).len(), 1);
        let py = enclosing(
            Family::Python,
            "auth.py",
            b"def get_jwt_token():\n    jwt.encode(c)\n",
            &[1],
        );
        let c = Callers::new(&py).expect("learned");
        assert!(c.sites("cli.py", b"# get_jwt_token()\n").is_empty());
        assert_eq!(c.sites("cli.py", b"t = get_jwt_token()  # jwt\n").len(), 1);
    }
}
