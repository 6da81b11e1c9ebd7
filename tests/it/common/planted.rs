//! One shared set of planted secrets for the leak tests, and the check that
//! none of them shows up in an output.
//!
//! The secrets are generated (deterministically) so that every window of
//! them is unique: a hit is a leak, not a coincidence. Include it with
//! `#[path = "common/planted.rs"] mod planted;`.
#![allow(dead_code)]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// Characters of a secret an output may show (`redact::PREFIX_CHARS`).
pub const PREFIX: usize = 4;
/// Length of the windows looked for: any run this long from a secret, past
/// its prefix, is a leak.
pub const WINDOW: usize = 10;

/// One secret and the longest prefix of it an output may show.
#[derive(Debug, Clone)]
pub struct Secret {
    pub name: String,
    pub value: String,
    pub prefix: usize,
}

/// The secrets planted in a test tree.
#[derive(Debug, Clone)]
pub struct Planted {
    /// A PKCS#8 RSA private key, PEM, several lines.
    pub pkcs8_pem: String,
    /// A PKCS#1 (`RSA PRIVATE KEY`) key, PEM.
    pub pkcs1_pem: String,
    /// A PKCS#8 key planted on one line with `\n` escapes, in JSON.
    pub json_pem: String,
    /// A base64 PKCS#8 body without armour (aio-lib-java's `aio_encoded_pkcs8`).
    pub bare_pkcs8: String,
    /// An Adobe client secret.
    pub client_secret: String,
    /// A JWT signed with the key (three base64url parts).
    pub jwt: String,
    /// An IMS-like access token (a long JWT).
    pub access_token: String,
}

/// A deterministic stream of pseudo-random bytes (xorshift64*).
struct Rng(u64);

impl Rng {
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                self.0 ^= self.0 >> 12;
                self.0 ^= self.0 << 25;
                self.0 ^= self.0 >> 27;
                (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
            })
            .collect()
    }
}

/// A PEM block: `label`, a DER-looking body of `len` bytes (the first bytes
/// fixed, as in real keys), 64-character lines, a short last line.
fn pem(label: &str, der_head: &[u8], len: usize, seed: u64) -> String {
    let mut der = der_head.to_vec();
    der.extend(Rng(seed).bytes(len - der_head.len()));
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn b64url_json(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json)
}

impl Planted {
    /// The planted set. Keys are 1217-1218 bytes (RSA-2048 sized), so their
    /// last body line is short, as in real keys.
    pub fn new() -> Planted {
        let pkcs8_head = [0x30, 0x82, 0x04, 0xbd, 0x02, 0x01, 0x00, 0x30];
        let pkcs1_head = [0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00, 0x02];
        let pkcs8_pem = pem("PRIVATE KEY", &pkcs8_head, 1217, 0x9e37_79b9_7f4a_7c15);
        let pkcs1_pem = pem("RSA PRIVATE KEY", &pkcs1_head, 1192, 0xd1b5_4a32_d192_ed03);
        let json_pem = pem("PRIVATE KEY", &pkcs8_head, 1218, 0x8cb9_2ba7_2f3d_8dd7);
        let bare_pkcs8 = STANDARD.encode({
            let mut d = pkcs8_head.to_vec();
            d.extend(Rng(0x94d0_49bb_1331_11eb).bytes(1210));
            d
        });
        let client_secret = format!(
            "p8e-{}",
            &URL_SAFE_NO_PAD.encode(Rng(0xbf58_476d_1ce4_e5b9).bytes(24))[..32]
        );
        let header = b64url_json(r#"{"alg":"RS256","typ":"JWT"}"#);
        let payload = b64url_json(
            r#"{"exp":1767225600,"iss":"5A3F0C1E2B4D6F8091A2B3C4@AdobeOrg","sub":"7D2E9F1A3B5C7E9012345678@techacct.adobe.com","https://ims-na1.adobelogin.com/s/ent_dataservices_sdk":true,"aud":"https://ims-na1.adobelogin.com/c/6b1f2e3d4c5b6a798897a6b5c4d3e2f1"}"#,
        );
        let sig = URL_SAFE_NO_PAD.encode(Rng(0x2545_f491_4f6c_dd1d).bytes(256));
        let jwt = format!("{header}.{payload}.{sig}");
        let at_header = b64url_json(
            r#"{"alg":"RS256","x5u":"ims_na1-key-at-1.cer","kid":"ims_na1-key-at-1","itt":"at"}"#,
        );
        let at_payload = b64url_json(&format!(
            r#"{{"id":"1763900000000_{}_ue1","type":"access_token","client_id":"6b1f2e3d4c5b6a798897a6b5c4d3e2f1","user_id":"7D2E9F1A3B5C7E9012345678@techacct.adobe.com","as":"ims-na1","aa_id":"7D2E9F1A3B5C7E9012345678@techacct.adobe.com","ctp":0,"fg":"{}","moi":"{}","expires_in":"86400000","scope":"openid,AdobeID,read_organizations,additional_info.projectedProductContext","created_at":"1763900000000"}}"#,
            URL_SAFE_NO_PAD.encode(Rng(7).bytes(27)),
            URL_SAFE_NO_PAD.encode(Rng(11).bytes(18)),
            URL_SAFE_NO_PAD.encode(Rng(13).bytes(6)),
        ));
        let at_sig = URL_SAFE_NO_PAD.encode(Rng(0x5851_f42d_4c95_7f2d).bytes(256));
        let access_token = format!("{at_header}.{at_payload}.{at_sig}");
        Planted {
            pkcs8_pem,
            pkcs1_pem,
            json_pem,
            bare_pkcs8,
            client_secret,
            jwt,
            access_token,
        }
    }

    /// The secrets to look for. A PEM key counts line by line (outputs show
    /// lines), each line with its own short prefix.
    pub fn secrets(&self) -> Vec<Secret> {
        let mut v = Vec::new();
        for (name, key) in [
            ("pkcs8", &self.pkcs8_pem),
            ("pkcs1", &self.pkcs1_pem),
            ("json-escaped", &self.json_pem),
        ] {
            v.extend(pem_body_secrets(name, key));
        }
        for (name, value) in [
            ("bare pkcs8", &self.bare_pkcs8),
            ("client secret", &self.client_secret),
            ("jwt", &self.jwt),
            ("access token", &self.access_token),
        ] {
            v.push(Secret {
                name: name.to_string(),
                value: value.clone(),
                prefix: PREFIX,
            });
        }
        v
    }

    /// `json_pem` as a JSON string body: one line, `\n` escapes.
    pub fn json_escaped_pem(&self) -> String {
        self.json_pem.replace('\n', "\\n")
    }
}

impl Default for Planted {
    fn default() -> Self {
        Planted::new()
    }
}

/// Each body line of a PEM block, as a secret.
pub fn pem_body_secrets(name: &str, pem: &str) -> Vec<Secret> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| Secret {
            name: format!("{name} key line {}", i + 1),
            value: l.trim().to_string(),
            prefix: PREFIX,
        })
        .collect()
}

/// The secrets committed in `fixtures/corpus` (the client secret, the
/// `.env` key and the test private key).
pub fn corpus(root: &std::path::Path) -> Vec<Secret> {
    let mut v = vec![
        Secret {
            name: "corpus client secret".into(),
            value: "p8e-Zq3xV9LmT2rW8yN4bK6cH1dF5gJ7sP0a".into(),
            prefix: PREFIX,
        },
        Secret {
            name: "corpus .env key line 2".into(),
            value: "Q29udGludWVkRml4dHVyZUtleUJvZHlGb3JSZWRhY3Rpb25UZXN0c09ubHk".into(),
            prefix: PREFIX,
        },
    ];
    let key = std::fs::read_to_string(root.join("fixtures/corpus/keys/private.key"))
        .expect("fixtures/corpus/keys/private.key");
    v.extend(pem_body_secrets("corpus private.key", &key));
    v
}

/// The first leak of any secret in `haystack`: a window of `WINDOW`
/// characters (or the whole rest, when shorter, but at least 6) starting
/// past the secret's allowed prefix.
pub fn find_leak(haystack: &str, secrets: &[Secret]) -> Option<String> {
    for s in secrets {
        let chars: Vec<char> = s.value.chars().collect();
        // A part this short (a key body's padding tail) is not checked.
        if chars.len() < s.prefix + 6 {
            continue;
        }
        let w = WINDOW.min(chars.len() - s.prefix);
        for start in s.prefix..=chars.len() - w {
            let window: String = chars[start..start + w].iter().collect();
            if let Some(at) = haystack.find(&window) {
                let from = haystack.floor_char_boundary(at.saturating_sub(80));
                let to = haystack.ceil_char_boundary((at + window.len() + 40).min(haystack.len()));
                return Some(format!(
                    "{window:?} of the {} at byte {at}: ...{}...",
                    s.name,
                    &haystack[from..to]
                ));
            }
        }
    }
    None
}

/// Panics when `haystack` shows any secret beyond its prefix.
pub fn assert_no_leak(label: &str, haystack: &str, secrets: &[Secret]) {
    if let Some(leak) = find_leak(haystack, secrets) {
        panic!("{label} leaks a secret: {leak}");
    }
}

/// Writes `contents` to `dir/rel`, creating directories.
fn put(dir: &std::path::Path, rel: &str, contents: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, contents).expect("write");
}

const TECH_ACCT: &str = "7D2E9F1A3B5C7E9012345678@techacct.adobe.com";

/// Plants every secret of `p` in a tree at `dir`, each next to something
/// jwt2oauth reports (so that it sits in a code frame or snippet), plus
/// config files that do not parse with a secret near the error, a
/// suppression whose reason quotes a secret, and a `jwt2oauth.toml` whose
/// (stale) ignore reason quotes one. Returns the paths the scan must report.
pub fn write_tree(dir: &std::path::Path, root: &std::path::Path, p: &Planted) -> Vec<&'static str> {
    let cert = std::fs::read_to_string(root.join("fixtures/corpus/keys/certificate_pub.crt"))
        .expect("fixture certificate");
    put(dir, "keys/private.key", &p.pkcs8_pem);
    put(dir, "keys/certificate_pub.crt", &cert);
    put(dir, "legacy/private.key", &p.pkcs1_pem);
    put(dir, "legacy/certificate_pub.crt", &cert);
    put(
        dir,
        "config/credential.json",
        &format!(
            "{{\n  \"CLIENT_ID\": \"6b1f2e3d4c5b6a798897a6b5c4d3e2f1\",\n  \"CLIENT_SECRETS\": [\"{}\"],\n  \"TECHNICAL_ACCOUNT_ID\": \"{TECH_ACCT}\",\n  \"ORG_ID\": \"5A3F0C1E2B4D6F8091A2B3C4@AdobeOrg\",\n  \"METASCOPES\": [\"ent_dataservices_sdk\"],\n  \"private_key\": \"{}\"\n}}\n",
            p.client_secret,
            p.json_escaped_pem()
        ),
    );
    put(
        dir,
        "src/auth.js",
        &format!(
            "const IMS = 'https://ims-na1.adobelogin.com';\nconst jwtToken = '{}';\nconst res = await fetch(`${{IMS}}/ims/exchange/jwt`, {{ method: 'POST', body: `jwt_token=${{jwtToken}}` }});\n",
            p.jwt
        ),
    );
    put(
        dir,
        "src/token.py",
        &format!(
            "import requests\nACCESS_TOKEN = \"{}\"\nr = requests.post(\"https://ims-na1.adobelogin.com/ims/exchange/jwt\", data={{\"jwt_token\": \"{}\"}}, headers={{\"Authorization\": \"Bearer \" + ACCESS_TOKEN}})\n",
            p.access_token, p.jwt
        ),
    );
    // A key cut off before its END line: its last (short) body line sits
    // right above a reported line.
    let body: String = p
        .pkcs8_pem
        .lines()
        .filter(|l| !l.starts_with("-----END"))
        .map(|l| format!("{l}\n"))
        .collect();
    put(
        dir,
        ".env",
        &format!(
            "CLIENT_SECRET={}\nPRIVATE_KEY=\"{body}TECHNICAL_ACCOUNT_ID={TECH_ACCT}\nMETA_SCOPES=ent_dataservices_sdk\n",
            p.client_secret
        ),
    );
    put(
        dir,
        "java/workspace.properties",
        &format!(
            "aio_client_secret={}\naio_technical_account_id={TECH_ACCT}\naio_meta_scopes=/s/ent_adobeio_sdk\naio_encoded_pkcs8={}\n",
            p.client_secret, p.bare_pkcs8
        ),
    );
    put(
        dir,
        "broken/credential.json",
        &format!(
            "{{\"client_secret\": \"{}\", \"technical_account_id\": \"{TECH_ACCT}\", \"private_key\": \"{}\", \"jwt\": \"{}\" ,, }}\n",
            p.client_secret,
            p.json_escaped_pem(),
            p.jwt
        ),
    );
    put(
        dir,
        "broken/values.yaml",
        &format!(
            "enterprise:\n  tech_acct: {TECH_ACCT}\n  client_secret: \"{}\n  priv_key_data: '{}\n  - [\n",
            p.client_secret,
            p.json_escaped_pem()
        ),
    );
    put(
        dir,
        "broken/adobe.toml",
        &format!(
            "technical_account_id = \"{TECH_ACCT}\"\nclient_secret = \"{}\nprivate_key = \"\"\"{}\n[[[\n",
            p.client_secret, p.pkcs1_pem
        ),
    );
    put(
        dir,
        "src/legacy.py",
        &format!(
            "URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'  # jwt2oauth:ignore[jwt-exchange-endpoint] rotated, was {}\n",
            p.client_secret
        ),
    );
    put(
        dir,
        "jwt2oauth.toml",
        &format!(
            "[[ignore]]\nrule = \"adobe-metascope-name\"\npath = \"nothing/**\"\nreason = \"accepted with token {}\"\n",
            p.jwt
        ),
    );
    vec![
        "keys/private.key",
        "legacy/private.key",
        "config/credential.json",
        "src/auth.js",
        "src/token.py",
        ".env",
        "java/workspace.properties",
    ]
}
