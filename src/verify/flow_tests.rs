//! Unit tests for flow classification: tri-state results, expiry units, hints.

use std::time::Duration;

use super::*;

fn http(status: u16, body: &str) -> Exchange {
    Exchange {
        answer: Answer::Http {
            status,
            body: body.to_string(),
            debug_id: Some("dbg-1".into()),
            retry_after: None,
        },
        attempts: 1,
        latency: Duration::from_millis(12),
    }
}

const T: Duration = Duration::from_secs(10);

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
        T,
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
        classify(Flow::Oauth, &http(429, "{}"), T).status,
        Status::Indeterminate
    );
    let r = classify(Flow::Oauth, &http(500, r#"{"error":"internal_error"}"#), T);
    assert_eq!(r.status, Status::Indeterminate);
    assert!(r.reason.contains("internal_error"));
    let timeout = Exchange {
        answer: Answer::Network {
            timeout: true,
            message: "timed out".into(),
        },
        attempts: 4,
        latency: Duration::from_millis(1),
    };
    let r = classify(Flow::Jwt, &timeout, T);
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
        T,
    );
    assert_eq!(r.status, Status::Invalid);
    assert!(
        r.hint
            .as_deref()
            .unwrap_or("")
            .contains("wrong client secret")
    );
    let r = classify(Flow::Oauth, &http(400, r#"{"error":"invalid_scope"}"#), T);
    assert!(r.hint.as_deref().unwrap_or("").contains("product profile"));
}

#[test]
fn retired_wording_is_recognised_only_on_the_jwt_side() {
    let body = r#"{"error":"invalid_client","error_description":"Service Account (JWT) credentials have reached end of life and are no longer supported"}"#;
    let r = classify(Flow::Jwt, &http(400, body), T);
    assert!(r.retired);
    assert_eq!(r.status, Status::Invalid);
    assert!(!classify(Flow::Oauth, &http(400, body), T).retired);
    let r = classify(
        Flow::Jwt,
        &http(
            400,
            r#"{"error":"invalid_token","error_description":"JWT token is expired"}"#,
        ),
        T,
    );
    assert!(!r.retired);
    assert!(r.hint.as_deref().unwrap_or("").contains("clock"));
}
