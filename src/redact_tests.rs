//! Tests of [`super`]: examples, and properties over random secrets in
//! random context (proptest; `PROPTEST_CASES` sets the cases, default 256).

use super::*;

const JWT_SAMPLE: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJBQkNAQWRvYmVPcmcifQ.c2lnbmF0dXJlc2lnbmF0dXJl";

#[test]
fn mask_keeps_short_prefix_and_length() {
    assert_eq!(
        mask("p8e-ABCDEFGHIJKLMNOPQRSTUVWXYZ123456"),
        "p8e-…[redacted, 36 chars]"
    );
    assert_eq!(mask("short"), "…[redacted, 5 chars]");
}

#[test]
fn jwts_and_adobe_secrets_are_masked() {
    let line = format!("token = '{JWT_SAMPLE}' secret p8e-AbCdEfGhIjKlMnOpQrStUvWxYz012345");
    let out = redact_text(&line);
    assert!(!out.contains("eyJpc3MiOiJBQkNAQWRvYmVPcmcifQ"), "{out}");
    assert!(!out.contains("AbCdEfGhIjKlMnOp"), "{out}");
}

#[test]
fn a_jwt_with_a_damaged_header_is_masked_whole() {
    // tests/it/fuzz.rs found it: a baseline whose JWT lost its first byte
    // (and gained a `.` in the signature) was quoted in a parse error with
    // the header and 100 characters of the signature readable.
    let header = "yJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9";
    let payload = "eyJleHAiOjE3MDAwMDAwMDAsImlzcyI6Ik9SRzFAQWRvYmVPcmcifQ";
    let sig = "rb4Kl_1IIHh6V9PoVxEbmev1umhidA7suBu0A_5Ed2WYsGkZRz8w1WpZLjmQ4zgMSxG3oOHO_HBq0EZ7Gs-POdZXEv6sV";
    for text in [
        format!("invalid type: string \"\\u{{e}}{header}.{payload}.{sig}\""),
        format!("invalid type: string \"\\u{{e}}{header}.{payload}.c2lnbmF0dXJl.{sig}\""),
        // A signature holding runs of plain base64 between `_` and `-`.
        format!("x {sig}-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIj-lfd5afbvKRW5uExMMmwp"),
    ] {
        let out = redact_message(&text);
        for part in [
            &header[4..14],
            &payload[4..14],
            &sig[4..14],
            &sig[60..70],
            "afbvKRW5uE",
        ] {
            assert!(!out.contains(part), "{part} in {out}");
        }
    }
    // Long names stay readable.
    let names = "get_jwt_token_and_expiry_for_config_from_the_environment adobe-jwt-project-key-loader-and-more-words";
    assert_eq!(redact_text(names), names);
}

#[test]
fn one_line_pem_with_escapes_is_masked() {
    let line = r#""private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nqwerty\n-----END PRIVATE KEY-----\n""#;
    let out = redact_text(line);
    assert!(!out.contains("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), "{out}");
    assert!(out.contains("-----BEGIN PRIVATE KEY-----"), "{out}");
    assert!(out.contains("-----END PRIVATE KEY-----"), "{out}");
}

#[test]
fn secret_assignments_are_masked_but_references_kept() {
    let out = redact_text(r#"CLIENT_SECRET="9f3a1c2b-1111-2222-3333-444455556666""#);
    assert!(!out.contains("1111-2222"), "{out}");
    let out = redact_text("clientSecret: process.env.CLIENT_SECRET,");
    assert_eq!(out, "clientSecret: process.env.CLIENT_SECRET,");
    let out = redact_text("private_key_path = './keys/private.key'");
    assert!(out.contains("private.key"), "{out}");
    let out = redact_text("new URLSearchParams({ client_id, client_secret, jwt_token })");
    assert!(out.contains("jwt_token"), "{out}");
    let out = redact_text("client_secret = getClientSecret");
    assert!(out.contains("getClientSecret"), "{out}");
    let out = redact_text("client_secret = f4819a2b3c4d5e6f7a8b9c0d1e2f3a4b");
    assert!(!out.contains("2b3c4d5e6f7a8b9c"), "{out}");
}

#[test]
fn base64_key_bodies_are_masked() {
    let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
    let out = redact_text(body);
    assert!(!out.contains("ANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEA"), "{out}");
}

#[test]
fn a_key_body_line_alone_is_masked() {
    // The last line of a PEM body is often shorter than LONG_BASE64's 40
    // characters; a code frame shows it without its BEGIN line.
    for line in [
        "84IPHe6HSCudWDvnBFBvcYwQ",
        "    84IPHe6HSCudWDvnBFBvcYwQ",
        "\"84IPHe6HSCudWDvnBFBvcYwQ\\n\" +",
        "'84IPHe6HSCudWDvnBFBvcYwQ==',",
        "84IPHe6HSCudWDvnBFBvcYwQ\r",
    ] {
        let out = redact_text(line);
        assert!(!out.contains("He6HSCudWDvn"), "{line:?} -> {out:?}");
    }
    // Twelve characters counting the padding (found by the property below).
    let out = redact_text("Xy3kP9qLm2==");
    assert!(!out.contains("kP9qLm2"), "{out}");
    for line in [
        "configuration",
        "    return something",
        "see README",
        "application/json",
        "/ims/token/v3",
        "  \"/ims/exchange/jwt\",",
    ] {
        assert_eq!(redact_text(line), line);
    }
}

#[test]
fn error_messages_lose_quoted_random_tokens() {
    let out =
        redact_message(r#"invalid type: string "9f3a1c2b11112222333344445555666a", expected i64"#);
    assert!(!out.contains("1111222233334444"), "{out}");
    let out =
        redact_message("unknown field `p8e-Zq3xV9LmT2rW8yN4bK6cH1dF5gJ7sP0a`, expected `fail_on`");
    assert!(!out.contains("Zq3xV9LmT2rW8yN4"), "{out}");
    assert!(out.contains("`fail_on`"), "{out}");
    let out =
        redact_message("unknown rule `adobe-jwt-private-key-pair` (see `jwt2oauth rules list`)");
    assert!(out.contains("`adobe-jwt-private-key-pair`"), "{out}");
}

#[test]
fn clean_text_is_borrowed() {
    assert!(matches!(
        redact_text("const url = 'https://ims-na1.adobelogin.com/ims/exchange/jwt';"),
        Cow::Borrowed(_)
    ));
}

mod properties {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use proptest::prelude::*;

    use super::super::{mask, redact_message, redact_text};

    /// Characters of a secret that may show.
    const PREFIX: usize = 4;
    /// Windows looked for; parts shorter than `PREFIX + WINDOW` (a key
    /// body's padding tail of at most 8 bytes) are not checked.
    const WINDOW: usize = 8;

    fn config() -> ProptestConfig {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(256);
        ProptestConfig {
            cases,
            ..ProptestConfig::default()
        }
    }

    /// The first window of a part (past its prefix) found in `out`.
    fn leak(out: &str, parts: &[String]) -> Option<String> {
        for p in parts {
            let chars: Vec<char> = p.chars().collect();
            if chars.len() < PREFIX + WINDOW {
                continue;
            }
            for start in PREFIX..=chars.len() - WINDOW {
                let w: String = chars[start..start + WINDOW].iter().collect();
                if out.contains(&w) {
                    return Some(format!("{w:?} of {p:?}"));
                }
            }
        }
        None
    }

    fn pem(label: &str, body: &[u8], eol: &str) -> (String, Vec<String>) {
        let b64 = STANDARD.encode(body);
        let lines: Vec<String> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        let text = format!(
            "-----BEGIN {label}-----{eol}{}{eol}-----END {label}-----",
            lines.join(eol)
        );
        (text, lines)
    }

    /// A secret as written in a file, and the parts of it that must not show.
    fn secret() -> impl Strategy<Value = (String, Vec<String>)> {
        let label = prop::sample::select(vec![
            "PRIVATE KEY",
            "RSA PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
            "EC PRIVATE KEY",
        ]);
        let eol = prop::sample::select(vec!["\n", "\r\n", "\\n"]);
        let bytes = |lo: usize, hi: usize| prop::collection::vec(any::<u8>(), lo..hi);
        let jwt_part = |lo: usize, hi: usize| {
            "[a-zA-Z0-9 ]{0,40}".prop_flat_map(move |s| {
                bytes(lo, hi).prop_map(move |b| {
                    let json = format!("{{\"k\":\"{s}\",\"v\":\"{}\"}}", STANDARD.encode(b));
                    URL_SAFE_NO_PAD.encode(json)
                })
            })
        };
        prop_oneof![
            (label, eol, bytes(48, 1400)).prop_map(|(l, e, b)| pem(l, &b, e)),
            bytes(230, 1400).prop_map(|b| {
                let s = STANDARD.encode(b);
                (s.clone(), vec![s])
            }),
            "[A-Za-z0-9_-]{32}".prop_map(|s| {
                let s = format!("p8e-{s}");
                (s.clone(), vec![s])
            }),
            (jwt_part(0, 40), jwt_part(10, 600), bytes(32, 300)).prop_map(|(h, p, sig)| {
                let s = format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode(sig));
                (s.clone(), vec![s])
            }),
            (
                prop::sample::select(vec![
                    "client_secret",
                    "CLIENT_SECRET",
                    "password",
                    "api_secret"
                ]),
                prop::sample::select(vec!["=", ": ", " = \"", "\": \"", " => '"]),
                "[0-9a-f]{32}",
            )
                .prop_map(|(k, sep, v)| (format!("{k}{sep}{v}"), vec![v])),
        ]
    }

    proptest! {
        #![proptest_config(config())]

        /// Nothing panics on any text.
        #[test]
        fn any_text(s in any::<String>(), b in any::<Vec<u8>>()) {
            let _ = redact_text(&s);
            let _ = redact_message(&s);
            let _ = mask(&s);
            let _ = redact_text(&String::from_utf8_lossy(&b));
        }

        /// A secret in any context is masked: in the whole text, line by line
        /// (code frames redact one line at a time) and in error messages.
        #[test]
        fn secrets_never_survive(
            (text, parts) in secret(),
            before in "[ -~\n]{0,30}",
            after_sep in prop::sample::select(vec![" ", "\"", "'", ";", ",", "\n", "\r\n"]),
            after in "[ -~\n]{0,30}",
        ) {
            let full = format!("{before}{text}{after_sep}{after}");
            let out = redact_text(&full);
            prop_assert!(leak(&out, &parts).is_none(), "{:?} in {out:?}", leak(&out, &parts));
            let msg = redact_message(&full);
            prop_assert!(leak(&msg, &parts).is_none(), "{msg:?}");
            for line in full.lines() {
                let out = redact_text(line);
                prop_assert!(leak(&out, &parts).is_none(), "{:?} in line {out:?}", leak(&out, &parts));
            }
        }

        /// `mask` shows at most the prefix, and no prefix for short values.
        #[test]
        fn mask_shows_at_most_a_prefix(s in "[A-Za-z0-9+/=_-]{1,80}") {
            let m = mask(&s);
            let shown = m.split('…').next().unwrap_or_default();
            prop_assert!(shown.len() <= PREFIX && s.starts_with(shown), "{m}");
            if s.len() <= 12 {
                prop_assert!(shown.is_empty(), "{m}");
            }
        }
    }
}

/// Identifiers and paths survive (issue 12): a rule error naming the
/// `private-key-reference` category, and a Java package path in a frame.
#[test]
fn identifiers_and_word_paths_are_not_redacted() {
    let msg = "unknown variant `x`, expected one of jwt-exchange, private-key, private-key-reference, ci-secret";
    assert_eq!(redact_message(msg), msg);
    let frame = r#"  String page = "/apps/wknd/components/com/adobe/aem/guides/wknd/core/models/HelloWorldModel.html";"#;
    assert_eq!(redact_text(frame), frame);
    let line = "com/adobe/aem/guides/wknd/core/models/impl/HelloWorldModel";
    assert_eq!(redact_text(line), line);
    // Key material with slashes is still masked, also a key body's short
    // last line that reads like a CamelCase word and a slash (proptest found
    // it in CI: `eTzfpxbtNpj/` alone on a line).
    assert!(redact_text("eTzfpxbtNpj/").contains("[redacted"));
    assert!(redact_text("K0A00D00BA==").contains("[redacted"));
    assert!(redact_text("   K0A00D00BAQ7").contains("[redacted"));
    // Lowercase paths and upper-case words alone on a line stay.
    for keep in [
        "application/json",
        "/ims/token/v3",
        "AUTHORIZATION",
        // A client id and an org id alone on a line (the verifier's table
        // cells are redacted one at a time).
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "5F6E7D8C9B0A1F2E3D4C5B6A",
    ] {
        assert_eq!(redact_text(keep), keep);
    }
    assert!(redact_text("  \"aBcdEfgh/IjklMn\\n\" +").contains("[redacted"));
    let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7/x2abQ";
    assert!(redact_text(body).contains("[redacted"));
    assert!(redact_text("client_secret: p8e-abcdEFGH1234ijkl").contains("[redacted"));
    assert!(redact_text("password = 'hunter2hunter2'").contains("[redacted"));
    assert!(redact_text("password = correct-horse-battery").contains("[redacted"));
}
