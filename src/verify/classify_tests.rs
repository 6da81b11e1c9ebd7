//! Unit tests for flow classification: tri-state results, expiry units,
//! hints, and answers that are not IMS's.

use std::time::Duration;

use super::*;
use crate::verify::send::Failure;

fn typed(status: u16, content_type: &str, body: &str) -> Exchange {
    Exchange {
        answer: Answer::Http {
            status,
            body: body.to_string(),
            content_type: Some(content_type.into()),
            debug_id: Some("dbg-1".into()),
            retry_after: None,
            redirect: None,
        },
        attempts: 1,
        latency: Duration::from_millis(12),
        stopped: None,
    }
}

fn http(status: u16, body: &str) -> Exchange {
    typed(status, "application/json", body)
}

fn classify(flow: Flow, ex: &Exchange) -> FlowResult {
    super::classify(flow, ex, &Scrubber::new())
}

#[test]
fn expiry_is_normalised_to_seconds() {
    assert_eq!(normalise_expiry(Flow::Jwt, 86_399_981), 86_399);
    assert_eq!(normalise_expiry(Flow::Oauth, 86_399), 86_399);
}

#[test]
fn success_is_valid_with_masked_token() {
    let r = classify(
        Flow::Jwt,
        &http(
            200,
            r#"{"token_type":"bearer","access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","expires_in":86399981}"#,
        ),
    );
    assert_eq!(r.status, Status::Valid);
    assert_eq!(r.expires_in_secs, Some(86_399));
    assert_eq!(r.debug_id.as_deref(), Some("dbg-1"));
    let json = serde_json::to_string(&r).expect("json");
    assert!(!json.contains("c2ln"), "{json}");
}

#[test]
fn rate_limits_server_errors_and_timeouts_are_indeterminate() {
    assert_eq!(
        classify(Flow::Oauth, &http(429, "{}")).status,
        Status::Indeterminate
    );
    let r = classify(Flow::Oauth, &http(500, r#"{"error":"internal_error"}"#));
    assert_eq!(r.status, Status::Indeterminate);
    assert!(r.reason.contains("internal_error"));
    let timeout = Exchange {
        answer: Answer::Failed {
            kind: Failure::Timeout,
            message: "timed out after 10000 ms waiting for a response".into(),
        },
        attempts: 4,
        latency: Duration::from_millis(1),
        stopped: None,
    };
    let r = classify(Flow::Jwt, &timeout);
    assert_eq!(r.status, Status::Indeterminate);
    assert!(r.reason.contains("4 attempts"), "{}", r.reason);
}

#[test]
fn rejections_are_invalid_with_a_hint() {
    let r = classify(
        Flow::Oauth,
        &http(
            400,
            r#"{"error":"invalid_client","error_description":"invalid client_secret parameter"}"#,
        ),
    );
    assert_eq!(r.status, Status::Invalid);
    assert!(
        r.hint
            .as_deref()
            .unwrap_or("")
            .contains("wrong client secret")
    );
    let r = classify(Flow::Oauth, &http(400, r#"{"error":"invalid_scope"}"#));
    assert!(r.hint.as_deref().unwrap_or("").contains("product profile"));
}

#[test]
fn retired_wording_is_recognised_only_on_the_jwt_side() {
    let body = r#"{"error":"invalid_client","error_description":"Service Account (JWT) credentials have reached end of life and are no longer supported"}"#;
    let r = classify(Flow::Jwt, &http(400, body));
    assert!(r.retired);
    assert_eq!(r.status, Status::Invalid);
    assert!(!classify(Flow::Oauth, &http(400, body)).retired);
    let r = classify(
        Flow::Jwt,
        &http(
            400,
            r#"{"error":"invalid_token","error_description":"JWT token is expired"}"#,
        ),
    );
    assert!(!r.retired);
    assert!(r.hint.as_deref().unwrap_or("").contains("clock"));
}

#[test]
fn answers_that_are_not_ims_errors_never_blame_the_credential() {
    let html = "<html><body>Access denied</body></html>";
    for status in [400, 401, 403, 404] {
        let r = classify(Flow::Oauth, &typed(status, "text/html", html));
        assert_eq!(r.status, Status::Indeterminate, "{status}: {}", r.reason);
        assert!(r.reason.contains("not an IMS error"), "{}", r.reason);
        assert!(r.reason.contains("content type text/html"), "{}", r.reason);
        assert!(r.hint.is_none());
    }
    // JSON, but not IMS's shape (an API gateway's).
    let r = classify(Flow::Oauth, &http(403, r#"{"message":"Forbidden"}"#));
    assert_eq!(r.status, Status::Indeterminate, "{}", r.reason);
    // IMS's shape under the wrong content type is not trusted either.
    let body = r#"{"error":"invalid_client"}"#;
    let r = classify(Flow::Oauth, &typed(400, "text/plain", body));
    assert_eq!(r.status, Status::Indeterminate, "{}", r.reason);
    // 410 on the JWT endpoint is the retired signal, whatever the body.
    let r = classify(Flow::Jwt, &typed(410, "text/html", html));
    assert_eq!(r.status, Status::Invalid);
    assert!(r.retired);
}

#[test]
fn a_2xx_must_be_json_typed_json_with_a_token() {
    let tok = r#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","token_type":"bearer"}"#;
    let r = classify(Flow::Oauth, &typed(200, "text/html", tok));
    assert_eq!(r.status, Status::Indeterminate);
    assert!(
        r.reason
            .contains("non-JSON response with content type text/html"),
        "{}",
        r.reason
    );
    assert!(r.token.is_none());
    let r = classify(Flow::Oauth, &typed(200, "application/json", "<html>"));
    assert!(
        r.reason
            .contains("labelled application/json but not valid JSON (6 bytes)"),
        "{}",
        r.reason
    );
    let r = classify(Flow::Oauth, &typed(200, "application/vnd.ims+json", tok));
    assert_eq!(r.status, Status::Valid);
    let r = classify(Flow::Oauth, &http(200, "[1,2]"));
    assert_eq!(r.status, Status::Indeterminate);
}

#[test]
fn server_strings_are_cleaned_and_capped() {
    let secret = "p8e-ECHOEDsecretECHOEDsecret4242";
    let scrub = Scrubber::new();
    scrub.learn(secret);
    let body = format!(
        r#"{{"error":"bad {secret}","error_description":"you sent client_secret={secret} and \u001b[2J{}"}}"#,
        "x".repeat(5000)
    );
    let r = super::classify(Flow::Oauth, &http(400, &body), &scrub);
    let e = r.ims_error.expect("ims error");
    let all = format!("{} {:?} {}", e.error, e.error_description, r.reason);
    assert!(
        !all.contains("ECHOEDse") && !all.contains('\u{1b}'),
        "{all}"
    );
    assert!(e.error_description.unwrap_or_default().chars().count() <= 300);
}

#[test]
fn redirects_and_failures_are_indeterminate_with_their_reason() {
    let mut ex = typed(307, "text/html", "");
    if let Answer::Http { redirect, .. } = &mut ex.answer {
        *redirect = Some("to http://127.0.0.2:9 (another origin)".into());
    }
    let r = classify(Flow::Oauth, &ex);
    assert_eq!(r.status, Status::Indeterminate);
    assert!(
        r.reason
            .starts_with("redirect refused: HTTP 307 to http://127.0.0.2:9 (another origin)"),
        "{}",
        r.reason
    );
    let ex = Exchange {
        answer: Answer::Failed {
            kind: Failure::TooLarge,
            message: "response body over 1 MiB (HTTP 200): not read further".into(),
        },
        attempts: 1,
        latency: Duration::ZERO,
        stopped: Some("a retry in 500 ms would pass the 5000 ms run deadline".into()),
    };
    let r = classify(Flow::Jwt, &ex);
    assert_eq!(r.status, Status::Indeterminate);
    assert!(r.reason.contains("over 1 MiB"), "{}", r.reason);
    assert!(
        r.reason
            .ends_with("(1 attempt; a retry in 500 ms would pass the 5000 ms run deadline)"),
        "{}",
        r.reason
    );
}
