//! Plants known secrets (client secret, private key, passphrase) and proves
//! none of them, nor any JWT or access token, appears in any output of
//! `verify`, `token` or `emulate-ims`, on success and on error paths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;
use std::process::Output;

use crate::support::{Emulator, fixture, run};

const PLANTED: &str = "p8e-PLANTEDsecretPLANTEDsecret98765";
const WRONG: &str = "p8e-WRONGplantedWRONGplantedWRONG1";
const PASS: &str = "planted-passphrase-4711";

struct Outputs(Vec<(String, String)>);

impl Outputs {
    fn add(&mut self, what: &str, out: &Output) {
        self.0.push((
            format!("{what} stdout"),
            String::from_utf8_lossy(&out.stdout).into(),
        ));
        self.0.push((
            format!("{what} stderr"),
            String::from_utf8_lossy(&out.stderr).into(),
        ));
    }
}

#[test]
fn no_secret_appears_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let ws_text = std::fs::read_to_string(fixture("workspace.json"))
        .unwrap()
        .replace("p8e-FIXTUREfixtureFIXTUREfixture1234", PLANTED);
    let ws = dir.path().join("workspace.json");
    std::fs::write(&ws, &ws_text).unwrap();
    let bad_json = dir.path().join("broken.json");
    std::fs::write(&bad_json, format!("{{\"CLIENT_SECRET\": \"{PLANTED}\", ")).unwrap();
    let key_pem = std::fs::read_to_string(fixture("private.key")).unwrap();
    // The encrypted fixture is protected by another passphrase; re-encrypting
    // needs openssl, so plant this passphrase as a wrong one instead.
    let enc_pem = std::fs::read_to_string(fixture("private_encrypted.key")).unwrap();
    let (ws, bad_json) = (ws.to_str().unwrap(), bad_json.to_str().unwrap());
    let key = fixture("private.key");
    let key = key.to_str().unwrap();

    let mut outs = Outputs(Vec::new());
    let emu = Emulator::start_args(&[
        "emulate-ims",
        "--listen",
        "127.0.0.1:0",
        "--credentials",
        ws,
        "--certificate",
        fixture("certificate_pub.crt").to_str().unwrap(),
    ]);
    let url = emu.url.clone();
    let common = [
        "--ims-url",
        url.as_str(),
        "--backoff-ms",
        "10",
        "--retries",
        "1",
    ];
    let secret_env = [("JWT2OAUTH_CLIENT_SECRET", PLANTED)];

    for format in ["human", "json"] {
        let mut a = vec![
            "verify",
            "--config",
            ws,
            "--private-key",
            key,
            "--format",
            format,
        ];
        a.extend(common);
        let out = run(&a, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", support::text(&out));
        outs.add(&format!("verify {format}"), &out);
    }
    let mut a = vec![
        "verify",
        "--config",
        ws,
        "--private-key",
        key,
        "--client-secret",
        PLANTED,
        "--probe",
    ];
    let probe = format!("{url}/ims/profile/v1");
    a.push(&probe);
    a.extend(common);
    let out = run(&a, &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: --client-secret"));
    outs.add("verify --client-secret", &out);

    let mut a = vec!["verify", "--config", ws, "--format", "json"];
    a.extend(common);
    let out = run(
        &a,
        &[
            ("JWT2OAUTH_CLIENT_SECRET", WRONG),
            ("JWT2OAUTH_PRIVATE_KEY", key_pem.as_str()),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    outs.add("verify wrong secret, key in env", &out);

    let mut a = vec!["verify", "--config", ws, "--passphrase", PASS];
    a.extend(common);
    let out = run(&a, &[("JWT2OAUTH_PRIVATE_KEY", enc_pem.as_str())]);
    assert_eq!(out.status.code(), Some(2));
    outs.add("verify wrong passphrase", &out);

    let out = run(&["verify", "--config", bad_json], &secret_env);
    assert_eq!(out.status.code(), Some(2));
    outs.add("verify broken config", &out);

    let mut a = vec!["token", "--config", ws];
    a.extend(common);
    let out = run(&a, &[]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        stdout.starts_with("eyJ") && !stdout.contains(PLANTED),
        "token prints only the token"
    );
    outs.0.push((
        "token stderr".into(),
        String::from_utf8_lossy(&out.stderr).into(),
    ));

    let mut a = vec!["token", "--config", ws];
    a.extend(common);
    let out = run(&a, &[("JWT2OAUTH_CLIENT_SECRET", WRONG)]);
    assert_eq!(out.status.code(), Some(1));
    outs.add("token wrong secret", &out);

    drop(emu);
    // The emulator's own stdout line and its request log.
    let emu_stderr = {
        let emu = Emulator::start_args(&[
            "emulate-ims",
            "--listen",
            "127.0.0.1:0",
            "--credentials",
            ws,
            "--certificate",
            fixture("certificate_pub.crt").to_str().unwrap(),
            "--fault",
            "500",
        ]);
        let mut a = vec![
            "verify",
            "--config",
            ws,
            "--private-key",
            key,
            "--ims-url",
            emu.url.as_str(),
        ];
        a.extend(["--backoff-ms", "10", "--retries", "1"]);
        let out = run(&a, &[]);
        assert_eq!(out.status.code(), Some(1));
        outs.add("verify against 500s", &out);
        // A secret in the query string must not reach the emulator's log.
        let addr = emu.url.trim_start_matches("http://").to_string();
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        let req = format!(
            "POST /ims/token/v3?client_secret={PLANTED} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        std::io::Write::write_all(&mut conn, req.as_bytes()).unwrap();
        let _ = std::io::Read::read_to_end(&mut conn, &mut Vec::new());
        std::thread::sleep(std::time::Duration::from_millis(200));
        outs.0
            .push(("emulate-ims stdout".into(), emu.stdout_line()));
        emu.stderr()
    };
    outs.0.push(("emulate-ims stderr".into(), emu_stderr));

    let key_lines: Vec<&str> = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 20)
        .collect();
    let jwt = regex::Regex::new(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}").unwrap();
    for (what, text) in &outs.0 {
        assert!(
            !text.contains(PLANTED),
            "{what} leaks the client secret:\n{text}"
        );
        assert!(
            !text.contains(WRONG),
            "{what} leaks the wrong client secret:\n{text}"
        );
        assert!(!text.contains(PASS), "{what} leaks the passphrase:\n{text}");
        assert!(
            !text.contains("fixture-passphrase"),
            "{what} leaks a passphrase:\n{text}"
        );
        for l in &key_lines {
            assert!(!text.contains(l), "{what} leaks the private key:\n{text}");
        }
        assert!(
            !jwt.is_match(text),
            "{what} leaks a JWT or access token:\n{text}"
        );
    }
    // Sanity: the outputs are real.
    assert!(outs.0.iter().any(|(_, t)| t.contains("migration verified")));
    assert!(outs.0.iter().any(|(_, t)| t.contains("[redacted")));
}
