//! Redirects are refused, whatever their status and target: a 307/308
//! would re-POST the form with the client secret and the signed JWT, any
//! redirect of the probe would carry the bearer token. A second listener on
//! another host (127.0.0.2) or another port, named in the `Location`, must
//! receive no connection at all.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crate::support::badserver::{BadServer, Behaviour, answer, assert_indeterminate, verify_at};
use crate::support::{Emulator, text};

/// A 3xx to `target` must be refused, and `target` must never be contacted.
fn assert_redirect_refused(status: u16, other: &BadServer) {
    let location = format!(
        "{}/ims/token/v3?client_secret=p8e-LOCATIONleakLOCATIONleak12345",
        other.url
    );
    let s = BadServer::start(Behaviour::Answer {
        status,
        content_type: "text/html",
        headers: format!("location: {location}\r\n"),
        body: "<a href=elsewhere>moved</a>".into(),
    });
    let (code, j, b) = verify_at(&s.url, &[]);
    assert_indeterminate(code, &j, &b, "redirect refused");
    let reason = j["oauth"]["reason"].as_str().unwrap();
    assert!(reason.contains(&format!("HTTP {status}")), "{reason}");
    assert!(
        !text(&b.output).contains("LOCATIONleak"),
        "{}",
        text(&b.output)
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        other.connections(),
        0,
        "HTTP {status}: the redirect was followed"
    );
    assert!(s.connections() >= 2);
}

#[test]
fn redirects_to_another_host_or_port_are_never_followed() {
    // 127.0.0.2 is another host on Linux's loopback /8; a different port is
    // another origin too. 307/308 would re-POST the form with the secret.
    let other_host = BadServer::start_on("127.0.0.2", answer(200, "application/json", "{}"));
    let other_port = BadServer::start(answer(200, "application/json", "{}"));
    for status in [301, 302, 303, 307, 308] {
        assert_redirect_refused(status, &other_host);
        assert_redirect_refused(status, &other_port);
    }
}

#[test]
fn a_probe_redirect_never_carries_the_bearer_token_elsewhere() {
    let emu = Emulator::start(&[]);
    let other = BadServer::start_on("127.0.0.2", answer(200, "application/json", "{}"));
    let api = BadServer::start(Behaviour::Answer {
        status: 307,
        content_type: "text/html",
        headers: format!("location: {}/api\r\n", other.url),
        body: String::new(),
    });
    let probe = format!("{}/api", api.url);
    let (code, j, b) = verify_at(&emu.url, &["--probe", &probe]);
    assert_eq!(code, 1, "{}", text(&b.output));
    assert_eq!(j["verdict"]["kind"], "not-equivalent", "{j:#}");
    let shape = j["probe"]["oauth"]["shape"].as_str().unwrap();
    assert!(
        shape.starts_with("redirect refused (to http://127.0.0.2:"),
        "{shape}"
    );
    assert_eq!(api.connections(), 2);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(other.connections(), 0, "the probe followed a redirect");
}
