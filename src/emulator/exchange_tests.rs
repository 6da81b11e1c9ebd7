//! Unit tests for the JWT exchange's claim checks.

use super::*;

fn client() -> JwtClient {
    JwtClient {
        client_id: "cid".into(),
        secret: None,
        org_id: Some("ORG@AdobeOrg".into()),
        technical_account_id: Some("TA@techacct.adobe.com".into()),
        meta_scopes: vec!["ent_user_sdk".into()],
        token_scopes: vec![],
        certs: vec![],
    }
}

fn claims(base: &str) -> Map<String, Value> {
    let v = json!({
        "exp": 2_000, "iss": "ORG@AdobeOrg", "sub": "TA@techacct.adobe.com",
        "aud": format!("{base}/c/cid"), format!("{base}/s/ent_user_sdk"): true,
    });
    v.as_object().cloned().expect("object")
}

fn b() -> Vec<String> {
    bases("http://127.0.0.1:9", None)
}

#[test]
fn good_claims_pass_on_either_base() {
    assert_eq!(
        check_claims(&claims(ADOBE_IMS), &client(), &b(), 1_000),
        Ok(())
    );
    assert_eq!(
        check_claims(&claims("http://127.0.0.1:9"), &client(), &b(), 1_000),
        Ok(())
    );
}

#[test]
fn each_claim_is_checked_with_ims_errors() {
    let err = |c: &Map<String, Value>| {
        check_claims(c, &client(), &b(), 1_000)
            .err()
            .map(|e| (e.status, e.error))
    };
    let mut c = claims(ADOBE_IMS);
    c.insert("exp".into(), json!(999));
    assert_eq!(err(&c), Some((400, "invalid_token")));
    let mut c = claims(ADOBE_IMS);
    c.insert(
        "aud".into(),
        json!("https://ims-na1.adobelogin.com/c/other"),
    );
    assert_eq!(err(&c), Some((400, "invalid_client")));
    let mut c = claims(ADOBE_IMS);
    c.insert("iss".into(), json!("OTHER@AdobeOrg"));
    assert_eq!(err(&c), Some((400, "bad_request")));
    let mut c = claims(ADOBE_IMS);
    c.insert("sub".into(), json!("X@techacct.adobe.com"));
    assert_eq!(err(&c), Some((400, "bad_request")));
    let mut c = claims(ADOBE_IMS);
    c.insert(format!("{ADOBE_IMS}/s/ent_campaign_sdk"), json!(true));
    assert_eq!(err(&c), Some((400, "invalid_scope")));
    let mut c = claims(ADOBE_IMS);
    c.insert("exp".into(), json!("soon"));
    assert_eq!(err(&c), Some((400, "bad_request")));
}
