//! `jwt2oauth token`: prints a token, caches it opt-in (0600), reuses it
//! while more than 10 minutes remain, keyed by client id and scopes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{Emulator, fixture, run, text};

#[test]
fn token_is_printed_and_cached_with_private_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let ws = fixture("workspace.json");
    let emu = Emulator::start(&[]);
    let args = |scopes: &'static str, url: &str| {
        vec![
            "token".to_string(),
            "--config".into(),
            ws.to_str().unwrap().into(),
            "--ims-url".into(),
            url.into(),
            "--cache".into(),
            "--cache-dir".into(),
            cache.to_str().unwrap().into(),
            "--scopes".into(),
            scopes.into(),
            "--retries".into(),
            "0".into(),
            "--timeout-ms".into(),
            "500".into(),
        ]
    };
    let a = args("openid,AdobeID", &emu.url);
    let first = run(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let token = String::from_utf8_lossy(&first.stdout).trim().to_string();
    assert!(token.starts_with("eyJ") && token.split('.').count() == 3);
    let files: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 1);
    // The entry's name is an HMAC under a key kept beside it (0600); no
    // file holds the secret.
    let key_file = cache.join("hmac.key");
    assert_eq!(std::fs::read(&key_file).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let url = emu.url.clone();
    drop(emu);
    // The emulator is gone: only the cache can answer.
    let a = args("AdobeID,openid", &url);
    let again = run(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), token);
    // Other scopes are another cache key: IMS is asked, and is unreachable.
    let a = args("openid", &url);
    let miss = run(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert_eq!(miss.status.code(), Some(1), "{}", text(&miss));
    assert!(
        String::from_utf8_lossy(&miss.stderr).contains("indeterminate")
            || String::from_utf8_lossy(&miss.stderr).contains("connection")
    );
}

#[test]
fn token_without_cache_never_writes_files() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::start(&[]);
    let ws = fixture("workspace.json");
    let out = run(
        &[
            "token",
            "--config",
            ws.to_str().unwrap(),
            "--ims-url",
            &emu.url,
        ],
        &[
            ("XDG_CACHE_HOME", dir.path().to_str().unwrap()),
            ("HOME", dir.path().to_str().unwrap()),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A cached token does not survive a wrong client secret: the secret is
/// part of the (keyed) cache key, so IMS is asked and says no.
#[test]
fn cached_token_is_not_served_for_a_wrong_secret() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let ws = fixture("workspace.json");
    let emu = Emulator::start(&[]);
    let args = vec![
        "token",
        "--config",
        ws.to_str().unwrap(),
        "--ims-url",
        &emu.url,
        "--cache",
        "--cache-dir",
        cache.to_str().unwrap(),
        "--retries",
        "0",
    ];
    let first = run(&args, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let token = String::from_utf8_lossy(&first.stdout).trim().to_string();
    let again = run(&args, &[]);
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), token);
    let wrong = run(
        &args,
        &[("JWT2OAUTH_CLIENT_SECRET", "p8e-not-the-secret-0000")],
    );
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));
    assert!(!String::from_utf8_lossy(&wrong.stdout).contains(&token));
    for e in std::fs::read_dir(&cache).unwrap() {
        let body = std::fs::read(e.unwrap().path()).unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("p8e-"));
    }
}
