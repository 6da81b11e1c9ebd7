//! Public identifiers of a JWT credential found in a file (client ids,
//! technical accounts, org ids, metascopes, key paths, key hashes), for
//! correlating findings across files. Run only on files with findings.

use std::sync::LazyLock;

use regex::bytes::Regex;
use sha2::{Digest, Sha256};

use crate::correlate::FileIdentifiers;
use crate::ims;

fn re(s: &str) -> Regex {
    Regex::new(s).expect("static regex")
}

static TECHACCT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?-u:\b)([0-9a-z]{{16,40}}{})(?-u:\b)",
        regex::escape(ims::TECHACCT_SUFFIX)
    ))
});
static ORG: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?-u:\b)([0-9a-f]{{24}}{})(?-u:\b)",
        regex::escape(ims::ORG_SUFFIX)
    ))
});
static CLIENT_ID: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:client_?_?id|api_?key|/c/)["']?\s*(?:[:=,]\s*["']?)?(?-u:\b)([0-9a-f]{32})(?-u:\b)"#,
    )
});
static METASCOPE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?-u:\b)({})(?-u:\b)", ims::METASCOPE_NAMES)));
static KEY_PATH: LazyLock<Regex> = LazyLock::new(|| {
    // Also a text file named for the private key (`test_private_key.txt`,
    // a PEM saved as .txt), which key material scanning reads too.
    re(
        r#"(?:["'`]|=)([A-Za-z0-9_./\\~-]*[A-Za-z0-9_-]\.(?:key|pem|p8|p12|pfx)|[A-Za-z0-9_./\\~-]*(?i:priv(?:ate)?[_-]?key)[A-Za-z0-9_-]*\.txt)(?:["'`]|\s|$)"#,
    )
});
/// Developer Console project and workspace ids: the workspace download
/// (`"project": {"id": ...}`, `"workspace": {"id": ...}`) and aio's `.env`
/// (`AIO_PROJECT_ID`, `AIO_PROJECT_WORKSPACE_ID`).
static CONSOLE_JSON: LazyLock<Regex> =
    LazyLock::new(|| re(r#""(project|workspace)"\s*:\s*\{[^{}]*?"id"\s*:\s*"([0-9]{6,24})""#));
static CONSOLE_ENV: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?m)^\s*(?:export\s+)?AIO_PROJECT_(ID|WORKSPACE_ID)\s*=\s*["']?([0-9]{6,24})\b"#)
});
static PEM_KEY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"-----BEGIN (?:RSA |ENCRYPTED )?PRIVATE KEY-----((?:[^-]|-[^-])+?)-----END (?:RSA |ENCRYPTED )?PRIVATE KEY-----",
    )
});

/// The metascope names in `s`, in order, without duplicates.
pub fn metascopes_in(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in METASCOPE.captures_iter(s.as_bytes()) {
        let m = text(&c[1]);
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An id upper-cased, its IMS suffix spelled as IMS spells it.
fn canonical(id: &[u8], suffix: &str) -> String {
    text(id)
        .to_ascii_uppercase()
        .replace(&suffix.to_ascii_uppercase(), suffix)
}

/// Extracts the identifiers in `content`.
pub fn extract(content: &[u8]) -> FileIdentifiers {
    let mut ids = FileIdentifiers::default();
    for c in TECHACCT.captures_iter(content) {
        if is_placeholder_id(&text(&c[1])) {
            continue;
        }
        ids.technical_accounts
            .insert(canonical(&c[1], ims::TECHACCT_SUFFIX));
    }
    for c in ORG.captures_iter(content) {
        if is_placeholder_id(&text(&c[1])) {
            continue;
        }
        ids.org_ids.insert(canonical(&c[1], ims::ORG_SUFFIX));
    }
    for c in CLIENT_ID.captures_iter(content) {
        let id = text(&c[1]);
        if !is_placeholder_id(&id) {
            ids.client_ids.insert(id.to_ascii_lowercase());
        }
    }
    for c in METASCOPE.captures_iter(content) {
        ids.metascopes.insert(text(&c[1]));
    }
    for c in KEY_PATH.captures_iter(content) {
        ids.key_references.insert(text(&c[1]).replace('\\', "/"));
    }
    for c in CONSOLE_JSON.captures_iter(content) {
        let id = text(&c[2]);
        if !is_placeholder_id(&id) {
            ids.console_projects.insert(format!("{} {id}", text(&c[1])));
        }
    }
    for c in CONSOLE_ENV.captures_iter(content) {
        let id = text(&c[2]);
        let kind = if &c[1] == b"ID" {
            "project"
        } else {
            "workspace"
        };
        if !is_placeholder_id(&id) {
            ids.console_projects.insert(format!("{kind} {id}"));
        }
    }
    for c in PEM_KEY.captures_iter(content) {
        if !is_placeholder_key(&c[1]) {
            ids.key_fingerprints.insert(key_fingerprint(&c[1]));
        }
    }
    ids
}

/// A hash of a PEM body with whitespace and `\n` escapes removed, so the
/// same key in a .key file and inside a .env or JSON string matches.
/// Words that mark a value as a placeholder or test material, not a
/// credential's (compared lowercased, without `_`, `-` and spaces).
const PLACEHOLDER_WORDS: [&str; 12] = [
    "your",
    "example",
    "placeholder",
    "redacted",
    "changeme",
    "dummy",
    "fake",
    "sample",
    "notareal",
    "insert",
    "replace",
    "xxxx",
];

/// Whether a client id, technical account or org id is a placeholder
/// (`00000000000000000000000000000000`, `xxxxxxxxxxxxxxxx@techacct.adobe.com`,
/// `yourtechaccountid@...`): linking files by it would glue unrelated
/// credentials together.
pub fn is_placeholder_id(id: &str) -> bool {
    let local = id.split('@').next().unwrap_or(id).to_ascii_lowercase();
    let distinct = local
        .bytes()
        .collect::<std::collections::BTreeSet<u8>>()
        .len();
    distinct <= 3 || PLACEHOLDER_WORDS.iter().any(|w| local.contains(w))
}

/// Whether a PEM body is empty, a placeholder (`...`, `YOUR_PRIVATE_KEY`,
/// `<key>`) or test material rather than a key: under 64 base64
/// characters (the smallest real PKCS#8 key, EC P-256, has about 180), under
/// 16 distinct ones (a real body uses nearly all 64), or a placeholder word.
/// Its fingerprint (the empty one is `sha256:e3b0c44298fc1c149afbf4c8`)
/// must never link files.
pub fn is_placeholder_key(body: &[u8]) -> bool {
    let cleaned = text(body).replace("\\n", "").replace("\\r", "");
    let b64: Vec<u8> = cleaned
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        .collect();
    let distinct = b64.iter().collect::<std::collections::BTreeSet<_>>().len();
    let words = cleaned
        .to_ascii_lowercase()
        .replace(['_', '-', ' ', '\n', '\r', '\t'], "");
    b64.len() < 64 || distinct < 16 || PLACEHOLDER_WORDS.iter().any(|w| words.contains(w))
}

pub fn key_fingerprint(body: &[u8]) -> String {
    let cleaned = text(body).replace("\\n", "").replace("\\r", "");
    let mut h = Sha256::new();
    for b in cleaned
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        h.update([b]);
    }
    let d = h.finalize();
    format!(
        "sha256:{}",
        d[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_not_identifiers() {
        let ids = extract(
            br#"CLIENT_ID=00000000000000000000000000000000
TECHNICAL_ACCOUNT_ID=xxxxxxxxxxxxxxxxxxxxxxxx@techacct.adobe.com
TA2=yourtechnicalaccountid@techacct.adobe.com
ORG_ID=000000000000000000000000@AdobeOrg
-----BEGIN PRIVATE KEY-----
-----END PRIVATE KEY-----
-----BEGIN PRIVATE KEY-----...-----END PRIVATE KEY-----
-----BEGIN PRIVATE KEY-----\nYOUR_PRIVATE_KEY\n-----END PRIVATE KEY-----
-----BEGIN PRIVATE KEY-----
<key>
-----END PRIVATE KEY-----
-----BEGIN PRIVATE KEY-----
AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
-----END PRIVATE KEY-----
"#,
        );
        assert!(ids.client_ids.is_empty(), "{:?}", ids.client_ids);
        assert!(
            ids.technical_accounts.is_empty(),
            "{:?}",
            ids.technical_accounts
        );
        assert!(ids.org_ids.is_empty(), "{:?}", ids.org_ids);
        assert!(
            ids.key_fingerprints.is_empty(),
            "{:?}",
            ids.key_fingerprints
        );
    }

    #[test]
    fn extracts_public_identifiers() {
        let ids = extract(
            br#"CLIENT_ID=3f2b9c1d4e5f60718293a4b5c6d7e8f9
ORG_ID=ABCDEF1234567890ABCDEF12@AdobeOrg
TECHNICAL_ACCOUNT_ID=1234567890abcdef12345678@techacct.adobe.com
META_SCOPES=ent_dataservices_sdk
privateKey: fs.readFileSync('./secrets/private.key'),
aud: "https://ims-na1.adobelogin.com/c/aaaabbbbccccddddeeeeffff00001111"
var path = Path.Combine(dir, "Utility/Auth/test_private_key.txt");
var notes = File.ReadAllText("release-notes.txt");
"#,
        );
        assert!(ids.client_ids.contains("3f2b9c1d4e5f60718293a4b5c6d7e8f9"));
        assert!(ids.client_ids.contains("aaaabbbbccccddddeeeeffff00001111"));
        assert!(ids.org_ids.contains("ABCDEF1234567890ABCDEF12@AdobeOrg"));
        assert!(
            ids.technical_accounts
                .contains("1234567890ABCDEF12345678@techacct.adobe.com")
        );
        assert!(ids.metascopes.contains("ent_dataservices_sdk"));
        assert!(ids.key_references.contains("./secrets/private.key"));
        // A PEM saved as .txt under a private-key name; other text files are no key.
        assert!(
            ids.key_references
                .contains("Utility/Auth/test_private_key.txt")
        );
        assert!(
            !ids.key_references
                .iter()
                .any(|r| r.contains("release-notes"))
        );
    }

    #[test]
    fn console_project_and_workspace_ids() {
        let ids = extract(
            br#"{"project": {"id": "4566206088344794932", "name": "exports",
  "workspace": {"id": "4566206088344853995", "name": "Production"}}}
AIO_PROJECT_ID=4566206088344794932
AIO_PROJECT_WORKSPACE_ID=4566206088344999999
AIO_PROJECT_ID=000000000000
"#,
        );
        let got: Vec<&str> = ids.console_projects.iter().map(String::as_str).collect();
        assert_eq!(
            got,
            [
                "project 4566206088344794932",
                "workspace 4566206088344853995",
                "workspace 4566206088344999999"
            ]
        );
    }

    #[test]
    fn same_key_in_file_and_escaped_string_has_one_fingerprint() {
        let a =
            extract(b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7+/=abcdefghijk\nlmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\n-----END PRIVATE KEY-----\n");
        let b = extract(
            br#"KEY="-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7+/=abcdefghijk\nlmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\n-----END PRIVATE KEY-----""#,
        );
        assert_eq!(a.key_fingerprints, b.key_fingerprints);
        assert_eq!(a.key_fingerprints.len(), 1);
    }
}
