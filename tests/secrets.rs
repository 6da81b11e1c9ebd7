//! No secret planted in the fixtures appears, whole or beyond a short
//! prefix, in any output format.

mod common;

use common::{TODAY, bin};

/// Secrets planted in `fixtures/corpus`, and the longest prefix of each that
/// may be shown.
fn planted() -> Vec<(String, usize)> {
    let mut v = vec![
        ("p8e-Zq3xV9LmT2rW8yN4bK6cH1dF5gJ7sP0a".to_string(), 4),
        ("QDfixtureKEYbodyAAAA".to_string(), 0),
        (
            "Q29udGludWVkRml4dHVyZUtleUJvZHlGb3JSZWRhY3Rpb25UZXN0c09ubHk".to_string(),
            4,
        ),
    ];
    // Every body line of the committed test private key.
    let key = std::fs::read_to_string(common::root().join("fixtures/corpus/keys/private.key"))
        .expect("key");
    for line in key.lines().filter(|l| !l.starts_with("-----")) {
        v.push((line.to_string(), 4));
    }
    v
}

fn assert_clean(name: &str, output: &str) {
    for (secret, prefix) in planted() {
        // Any 12-character window beyond the allowed prefix is a leak.
        let chars: Vec<char> = secret.chars().collect();
        for start in prefix..chars.len().saturating_sub(12) {
            let window: String = chars[start..start + 12].iter().collect();
            assert!(
                !output.contains(&window),
                "{name} output leaks part of a secret ({window:?} from {secret:?})"
            );
        }
    }
}

#[test]
fn no_output_format_leaks_planted_secrets() {
    for format in ["terminal", "json"] {
        let out = bin()
            .args([
                "scan",
                "--today",
                TODAY,
                "--format",
                format,
                "fixtures/corpus",
            ])
            .output()
            .expect("run");
        assert_clean(format, &String::from_utf8_lossy(&out.stdout));
        assert_clean(
            &format!("{format} stderr"),
            &String::from_utf8_lossy(&out.stderr),
        );
    }
}

#[test]
fn suppression_reasons_are_redacted_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write(
        dir.path(),
        "a.py",
        "URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt' # jwt2oauth:ignore[jwt-exchange-endpoint] secret p8e-Zq3xV9LmT2rW8yN4bK6cH1dF5gJ7sP0a\n",
    );
    let out = bin()
        .args(["scan", "--today", TODAY, "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_clean("json", &String::from_utf8_lossy(&out.stdout));
}
