//! Unit tests for the verdict logic.

use super::*;
use crate::verify::flow::{Flow, ImsError};
use crate::verify::token_claims::TokenClaims;

fn valid(flow: Flow, client: &str, user: &str, scopes: &[&str]) -> FlowResult {
    let mut r = FlowResult::skipped(flow, "token issued");
    r.status = Status::Valid;
    let claims = TokenClaims {
        client_id: Some(client.into()),
        user_id: Some(user.into()),
        issuer: Some("ims-na1".into()),
        scopes: scopes.iter().map(|s| (*s).to_string()).collect(),
        ..Default::default()
    };
    r.set_claims(Some(claims), &crate::verify::scrub::Scrubber::new());
    r
}

fn invalid(flow: Flow, status: u16, error: &str, desc: &str, retired: bool) -> FlowResult {
    let mut r = FlowResult::skipped(flow, "rejected");
    r.status = Status::Invalid;
    r.http_status = Some(status);
    r.retired = retired;
    r.ims_error = Some(ImsError {
        error: error.into(),
        error_description: Some(desc.into()),
    });
    r
}

fn exp() -> Expected {
    Expected {
        client_id: "cid".into(),
        jwt_client_id: Some("cid".into()),
        technical_account_id: Some("TA@techacct.adobe.com".into()),
        meta_scopes: vec!["ent_user_sdk".into()],
    }
}

const UM: &[&str] = &["openid", "AdobeID", "user_management_sdk"];
const BEFORE: i64 = FINAL_CONVERSION_MS - 1;

#[test]
fn same_client_account_and_scopes_is_verified() {
    let j = valid(Flow::Jwt, "cid", "TA@techacct.adobe.com", UM);
    let o = valid(Flow::Oauth, "cid", "TA@techacct.adobe.com", UM);
    let v = judge(&j, &o, &exp(), BEFORE);
    assert_eq!(v.kind, Kind::MigrationVerified, "{v:?}");
    assert!(v.verified);
}

#[test]
fn different_account_or_fewer_scopes_is_not_equivalent() {
    let j = valid(Flow::Jwt, "cid", "TA@techacct.adobe.com", UM);
    let o = valid(Flow::Oauth, "cid", "OTHER@techacct.adobe.com", &["openid"]);
    let v = judge(&j, &o, &exp(), BEFORE);
    assert_eq!(v.kind, Kind::NotEquivalent);
    assert!(!v.verified);
    assert!(
        v.details.iter().any(|d| d.contains("user_management_sdk")),
        "{v:?}"
    );
}

#[test]
fn oauth_indeterminate_is_never_a_failure() {
    let j = valid(Flow::Jwt, "cid", "TA@techacct.adobe.com", UM);
    let mut o = FlowResult::skipped(Flow::Oauth, "rate limited");
    o.status = Status::Indeterminate;
    let v = judge(&j, &o, &exp(), BEFORE);
    assert_eq!(v.kind, Kind::Indeterminate);
}

#[test]
fn oauth_rejection_fails() {
    let j = valid(Flow::Jwt, "cid", "TA@techacct.adobe.com", UM);
    let o = invalid(
        Flow::Oauth,
        400,
        "invalid_client",
        "invalid client_secret parameter",
        false,
    );
    assert_eq!(judge(&j, &o, &exp(), BEFORE).kind, Kind::OauthFails);
}

#[test]
fn retired_jwt_with_working_oauth() {
    let j = invalid(Flow::Jwt, 400, "invalid_client", "end of life", true);
    let o = valid(Flow::Oauth, "cid", "TA@techacct.adobe.com", UM);
    let v = judge(&j, &o, &exp(), BEFORE);
    assert_eq!(v.kind, Kind::OauthWorksJwtRetired);
    assert!(v.verified);
}

#[test]
fn no_matching_binding_is_a_wrong_key_never_retirement() {
    let j = invalid(
        Flow::Jwt,
        400,
        "invalid_token",
        "Could not match JWT signature to any of the bindings",
        false,
    );
    let o = valid(Flow::Oauth, "cid", "TA@techacct.adobe.com", UM);
    for now in [BEFORE, FINAL_CONVERSION_MS] {
        let v = judge(&j, &o, &exp(), now);
        assert_eq!(v.kind, Kind::OauthWorksJwtFails);
        assert!(!v.verified);
        assert!(v.summary.contains("wrong private key"), "{}", v.summary);
    }
    // An unknown client on the JWT endpoint, for the client the OAuth flow
    // works with, after the final conversion: only retirement explains it.
    let gone = invalid(
        Flow::Jwt,
        400,
        "invalid_client",
        "invalid client_id parameter",
        false,
    );
    assert_eq!(
        judge(&gone, &o, &exp(), BEFORE).kind,
        Kind::OauthWorksJwtFails
    );
    assert_eq!(
        judge(&gone, &o, &exp(), FINAL_CONVERSION_MS).kind,
        Kind::OauthWorksJwtRetired
    );
    // ... but not when the JWT credential has another client id.
    let mut other = exp();
    other.jwt_client_id = Some("other".into());
    assert_eq!(
        judge(&gone, &o, &other, FINAL_CONVERSION_MS).kind,
        Kind::OauthWorksJwtFails
    );
    let expired = invalid(
        Flow::Jwt,
        400,
        "invalid_token",
        "JWT token is expired",
        false,
    );
    assert_eq!(
        judge(&expired, &o, &exp(), FINAL_CONVERSION_MS).kind,
        Kind::OauthWorksJwtFails
    );
}

/// The verdict compares the claims IMS sent, not their display form: a
/// client id or scope that a redaction rule masks (or that the server
/// echoes from a learned secret) must neither flip a verdict nor leak into
/// its details.
#[test]
fn verdicts_compare_raw_claims_and_show_cleaned_ones() {
    let scrub = crate::verify::scrub::Scrubber::new();
    let secret_like = "Qx7Lm2Vn9Rt4Kp8Zs3Wd";
    scrub.learn(secret_like);
    let claims = |user: &str, scopes: &[&str]| TokenClaims {
        client_id: Some(secret_like.into()),
        user_id: Some(user.into()),
        issuer: Some("ims-na1".into()),
        scopes: scopes.iter().map(|s| (*s).to_string()).collect(),
        ..Default::default()
    };
    let flow = |f: Flow, c: TokenClaims| {
        let mut r = FlowResult::skipped(f, "token issued");
        r.status = Status::Valid;
        r.set_claims(Some(c), &scrub);
        r
    };
    let mut e = exp();
    e.client_id = secret_like.into();
    e.jwt_client_id = Some(secret_like.into());
    let j = flow(Flow::Jwt, claims("TA@techacct.adobe.com", &[secret_like]));
    let o = flow(Flow::Oauth, claims("TA@techacct.adobe.com", &[secret_like]));
    assert_ne!(
        o.claims.as_ref().and_then(|c| c.client_id.as_deref()),
        Some(secret_like),
        "the display form is cleaned"
    );
    let v = judge(&j, &o, &e, BEFORE);
    assert_eq!(v.kind, Kind::MigrationVerified, "{v:?}");

    // A real difference is still found, and its message shows no secret.
    let o = flow(Flow::Oauth, claims("TA@techacct.adobe.com", &["openid"]));
    let v = judge(&j, &o, &e, BEFORE);
    assert_eq!(v.kind, Kind::NotEquivalent, "{v:?}");
    let text = format!("{v:?}");
    assert!(!text.contains(secret_like), "{text}");
    assert!(
        v.details.iter().any(|d| d.contains("lacks scopes")),
        "{v:?}"
    );
}
