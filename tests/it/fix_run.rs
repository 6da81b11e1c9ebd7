//! Proof that `fix` output runs: sample programs on the Service Account
//! (JWT) credential (fixtures/fix-run: Node on Adobe's `@adobe/jwt-auth`,
//! Node signing with `jsonwebtoken` and posting with fetch,
//! Python signing with PyJWT and posting with urllib, Java signing with
//! `java.security.Signature` and posting with `java.net.http.HttpClient`,
//! compiled with `javac` alone, and three on nothing but their language's
//! own tools: bash signing with `openssl dgst` and posting with curl, PHP
//! with `openssl_sign` and a stream context, Ruby with `OpenSSL::PKey::RSA`
//! and Net::HTTP) first get a token
//! with the JWT flow from `jwt2oauth emulate-ims`; then `fix --unsafe
//! --write` rewrites a copy, and the fixed programs get a token from an
//! emulator that knows only the fixed Console JSON (the OAuth
//! Server-to-Server credential, no certificate), with Node run without
//! `@adobe/jwt-auth` and Python without PyJWT. Finally `verify` on the fixed
//! Console JSON says `migration verified`. Loopback only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{copy_tree, root, skip_check};
use crate::support::{Emulator, fixture, run};

const ORG: &str = "1A2B3C4D5E6F7A8B9C0D1E2F@AdobeOrg";
const ACCOUNT: &str = "5F6E7D8C9B0A1F2E3D4C5B6A@techacct.adobe.com";
const CLIENT: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const SECRET: &str = "p8e-FIXTUREfixtureFIXTUREfixture1234";

fn crosscheck() -> PathBuf {
    root().join("scripts/crosscheck")
}

fn has(cmd: &str) -> bool {
    has_with(cmd, "--version")
}

fn has_with(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The programs that need only an interpreter (and for bash, curl and
/// openssl): (interpreter, script under fixtures/fix-run), those present.
fn script_programs(tree: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut out = Vec::new();
    if has("bash") && has("curl") && has_with("openssl", "version") {
        out.push(("bash", tree.join("shell/get-token.sh")));
    } else {
        skip_check("fix_run: shell program: bash, curl or openssl missing");
    }
    if has("php") {
        out.push(("php", tree.join("php/get_token.php")));
    } else {
        skip_check("fix_run: PHP program: php missing (apt-get install php-cli)");
    }
    if has("ruby") {
        out.push(("ruby", tree.join("ruby/get_token.rb")));
    } else {
        skip_check("fix_run: Ruby program: ruby missing (apt-get install ruby)");
    }
    out
}

/// Runs a sample program against `ims` with the fixture credential and an
/// environment with only `extra` added; returns (token, expires_in).
fn get_token(program: &str, script: &Path, ims: &str, extra: &[(&str, &Path)]) -> (String, u64) {
    let mut cmd = Command::new(program);
    cmd.arg(script);
    token_of(cmd, script, ims, extra)
}

/// Compiles a Java sample with `javac` alone (no jar on the class path) and
/// runs it as [`get_token`] does.
fn java_token(source: &Path, ims: &str) -> (String, u64) {
    let classes = source.with_file_name(format!(
        "classes-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let out = Command::new("javac")
        .arg("-d")
        .arg(&classes)
        .arg(source)
        .output()
        .expect("run javac");
    assert!(
        out.status.success(),
        "javac {}:\n{}",
        source.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut cmd = Command::new("java");
    cmd.arg("-cp")
        .arg(&classes)
        .arg(source.file_stem().unwrap());
    token_of(cmd, source, ims, &[])
}

fn token_of(mut cmd: Command, script: &Path, ims: &str, extra: &[(&str, &Path)]) -> (String, u64) {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", script.parent().unwrap())
        .env("PYTHONNOUSERSITE", "1")
        .env("IMS_URL", ims)
        .env("CLIENT_ID", CLIENT)
        .env("CLIENT_SECRET", SECRET)
        .env("ORG_ID", ORG)
        .env("TECHNICAL_ACCOUNT_ID", ACCOUNT)
        .env("PRIVATE_KEY_PATH", fixture("private.key"));
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run sample program");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{} failed:\n{stdout}{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let words: Vec<&str> = stdout.split_whitespace().collect();
    match words.as_slice() {
        ["token", token, "expires_in", n] => {
            assert_eq!(token.split('.').count(), 3, "not a token: {stdout}");
            (token.to_string(), n.parse().expect("expires_in"))
        }
        _ => panic!("unexpected output of {}: {stdout}", script.display()),
    }
}

/// The `client_id` claim of an emulator token.
fn client_of(token: &str) -> String {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    v["client_id"].as_str().unwrap().to_string()
}

#[test]
fn fixed_node_python_java_shell_php_and_ruby_programs_get_a_token_with_oauth_only() {
    let node = has("node");
    let python = has("python3");
    let jwt_auth = crosscheck().join("node_modules");
    let pydeps = crosscheck().join("pydeps");
    if !node || !jwt_auth.join("@adobe/jwt-auth").is_dir() {
        skip_check(
            "fix_run: Node program: node or @adobe/jwt-auth missing; run scripts/crosscheck/run.sh",
        );
    }
    if !python || !pydeps.join("jwt").is_dir() {
        skip_check(
            "fix_run: Python program: python3 or PyJWT missing; run scripts/crosscheck/run.sh",
        );
    }
    let javac = has("javac");
    if !javac {
        skip_check("fix_run: Java program: javac missing (apt-get install default-jdk-headless)");
    }
    let run_node = node && jwt_auth.join("@adobe/jwt-auth").is_dir();
    let run_python = python && pydeps.join("jwt").is_dir();

    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("app");
    copy_tree(&root().join("fixtures/fix-run"), &tree);
    let js = tree.join("node/get-token.js");
    let js_hand = tree.join("node-jsonwebtoken/get-token.js");
    let py = tree.join("python/get_token.py");
    let java = tree.join("java/GetToken.java");
    let scripts = script_programs(&tree);

    // 1. The originals work with the JWT flow (the emulator knows the JWT
    //    credential and its certificate).
    {
        let emu = Emulator::start(&[]);
        if run_node {
            // jsonwebtoken comes with @adobe/jwt-auth (its dependency).
            for script in [&js, &js_hand] {
                let (token, expires_in) =
                    get_token("node", script, &emu.url, &[("NODE_PATH", &jwt_auth)]);
                assert_eq!(client_of(&token), CLIENT);
                assert!(
                    expires_in > 1_000_000,
                    "JWT exchange: milliseconds ({expires_in})"
                );
            }
        }
        if run_python {
            let (token, expires_in) =
                get_token("python3", &py, &emu.url, &[("PYTHONPATH", &pydeps)]);
            assert_eq!(client_of(&token), CLIENT);
            assert!(
                expires_in > 1_000_000,
                "JWT exchange: milliseconds ({expires_in})"
            );
        }
        if javac {
            // Signed by hand with java.security.Signature (a JDK-only
            // hand-rolled exchange: no jjwt to fetch).
            let (token, expires_in) = java_token(&java, &emu.url);
            assert_eq!(client_of(&token), CLIENT);
            assert!(
                expires_in > 1_000_000,
                "JWT exchange: milliseconds ({expires_in})"
            );
        }
        for (interpreter, script) in &scripts {
            let (token, expires_in) = get_token(interpreter, script, &emu.url, &[]);
            assert_eq!(client_of(&token), CLIENT, "{interpreter}");
            assert!(
                expires_in > 1_000_000,
                "{interpreter}: JWT exchange: milliseconds ({expires_in})"
            );
        }
        let log = emu.stderr();
        assert!(
            !log.contains("/ims/token/"),
            "the originals used only the JWT flow:\n{log}"
        );
    }

    // 2. fix --unsafe --write.
    let out = run(&["fix", "--unsafe", "--write", tree.to_str().unwrap()], &[]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("wrote 11 files"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains(SECRET));
    let fixed_js = std::fs::read_to_string(&js).unwrap();
    let fixed_py = std::fs::read_to_string(&py).unwrap();
    assert!(!fixed_js.contains("@adobe/jwt-auth"), "{fixed_js}");
    let fixed_hand = std::fs::read_to_string(&js_hand).unwrap();
    for gone in [
        "require('jsonwebtoken')",
        "readFileSync",
        "/ims/exchange/",
        "jwt_token",
    ] {
        assert!(!fixed_hand.contains(gone), "{gone} left in:\n{fixed_hand}");
    }
    assert!(!fixed_py.contains("import jwt"), "{fixed_py}");
    // The manifests agree with the fixed code: the JWT libraries it no
    // longer imports are gone from them (and step 3 runs it without them).
    let requirements = std::fs::read_to_string(tree.join("python/requirements.txt")).unwrap();
    assert!(!requirements.contains("PyJWT"), "{requirements}");
    let package = std::fs::read_to_string(tree.join("node-jsonwebtoken/package.json")).unwrap();
    assert!(!package.contains("\"jsonwebtoken\":"), "{package}");
    let fixed_java = std::fs::read_to_string(&java).unwrap();
    for gone in [
        "Signature",
        "PKCS8EncodedKeySpec",
        "PRIVATE_KEY_PATH",
        "/ims/exchange/",
    ] {
        assert!(!fixed_java.contains(gone), "{gone} left in:\n{fixed_java}");
    }
    assert!(
        fixed_java.contains("static String fetchToken()"),
        "{fixed_java}"
    );
    for (interpreter, script) in &scripts {
        let fixed = std::fs::read_to_string(script).unwrap();
        for gone in [
            "/ims/exchange/",
            "jwt_token",
            "PRIVATE_KEY_PATH",
            "RS256",
            "openssl dgst",
            "openssl_sign(",
            ".sign(",
        ] {
            assert!(
                !fixed.contains(gone),
                "{interpreter}: {gone} left in:\n{fixed}"
            );
        }
        assert!(fixed.contains("fetch_token"), "{interpreter}: {fixed}");
    }
    let console = tree.join("console.json");
    assert!(
        !std::fs::read_to_string(&console)
            .unwrap()
            .contains("\"jwt\"")
    );

    // 3. The fixed programs get a token from an emulator that knows only the
    //    fixed Console JSON: the OAuth credential, no certificate.
    {
        let emu = Emulator::start(&["--credentials", console.to_str().unwrap()]);
        if run_node {
            // Neither library resolves here: the fixed programs need none.
            let probe = Command::new("node")
                .args(["-e", "require('jsonwebtoken')"])
                .current_dir(tree.join("node-jsonwebtoken"))
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .output()
                .unwrap();
            assert!(
                !probe.status.success(),
                "jsonwebtoken resolves without NODE_PATH: the proof would not hold"
            );
            for script in [&js, &js_hand] {
                let (token, expires_in) = get_token("node", script, &emu.url, &[]);
                assert_eq!(client_of(&token), CLIENT);
                assert!(expires_in < 1_000_000, "OAuth: seconds ({expires_in})");
            }
        }
        if run_python {
            // PyJWT is not importable here: the fixed program does not need it.
            let probe = Command::new("python3")
                .args(["-c", "import jwt"])
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("PYTHONNOUSERSITE", "1")
                .output()
                .unwrap();
            assert!(
                !probe.status.success(),
                "PyJWT is installed system-wide: the proof would not hold"
            );
            let (token, expires_in) = get_token("python3", &py, &emu.url, &[]);
            assert_eq!(client_of(&token), CLIENT);
            assert!(expires_in < 1_000_000, "OAuth: seconds ({expires_in})");
        }
        if javac {
            let (token, expires_in) = java_token(&java, &emu.url);
            assert_eq!(client_of(&token), CLIENT);
            assert!(expires_in < 1_000_000, "OAuth: seconds ({expires_in})");
        }
        for (interpreter, script) in &scripts {
            let (token, expires_in) = get_token(interpreter, script, &emu.url, &[]);
            assert_eq!(client_of(&token), CLIENT, "{interpreter}");
            assert!(
                expires_in < 1_000_000,
                "{interpreter}: OAuth: seconds ({expires_in})"
            );
        }
        let log = emu.stderr();
        assert!(
            !log.contains("/ims/exchange/"),
            "the fixed programs used only OAuth:\n{log}"
        );
    }

    // 4. verify on the fixed Console JSON, with the old JWT credential's key
    //    beside it, against an emulator that still knows both.
    let emu = Emulator::start(&[]);
    let key = fixture("private.key");
    let out = run(
        &[
            "verify",
            "--config",
            console.to_str().unwrap(),
            "--private-key",
            key.to_str().unwrap(),
            "--client-id",
            CLIENT,
            "--metascopes",
            "ent_user_sdk",
            "--org-id",
            ORG,
            "--technical-account-id",
            ACCOUNT,
            "--ims-url",
            &emu.url,
            "--backoff-ms",
            "20",
        ],
        &[("JWT2OAUTH_CLIENT_SECRET", SECRET)],
    );
    let text = crate::support::text(&out);
    assert!(text.contains("verdict: migration verified"), "{text}");
    assert!(!text.contains(SECRET));
}
