//! `jwt2oauth emulate-ims` over real HTTP: endpoint forms, request encodings,
//! IMS error shapes and statuses, token claims, validate_token, debug ids.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;
use crate::support::{Emulator, fixture};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

const CID: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const SECRET: &str = "p8e-FIXTUREfixtureFIXTUREfixture1234";
const ORG: &str = "1A2B3C4D5E6F7A8B9C0D1E2F@AdobeOrg";
const TA: &str = "5F6E7D8C9B0A1F2E3D4C5B6A@techacct.adobe.com";

fn jwt(base: &str, key_file: &str, exp_offset: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = json!({
        "exp": now + exp_offset, "iss": ORG, "sub": TA,
        "aud": format!("{base}/c/{CID}"),
        format!("{base}/s/ent_user_sdk"): true,
    });
    let key = EncodingKey::from_rsa_pem(&std::fs::read(fixture(key_file)).unwrap()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key).unwrap()
}

async fn post_form(url: &str, form: &[(&str, &str)]) -> (u16, Value, reqwest::header::HeaderMap) {
    let r = reqwest::Client::new()
        .post(url)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.json().await.unwrap_or(Value::Null), headers)
}

fn claims(token: &str) -> Value {
    use base64::Engine as _;
    let p = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn jwt_exchange_on_every_path_with_claims_on_either_base() {
    let emu = Emulator::start(&[]);
    for (path, base) in [
        ("/ims/exchange/jwt", "https://ims-na1.adobelogin.com"),
        ("/ims/exchange/jwt/", emu.url.as_str()),
        ("/ims/exchange/v1/jwt", emu.url.as_str()),
    ] {
        let token = jwt(base, "private.key", 300);
        let (status, body, headers) = post_form(
            &format!("{}{path}", emu.url),
            &[
                ("client_id", CID),
                ("client_secret", SECRET),
                ("jwt_token", &token),
            ],
        )
        .await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["token_type"], "bearer");
        assert!(
            body["expires_in"].as_i64().unwrap() > 86_000_000,
            "ms: {body}"
        );
        assert!(headers.contains_key("x-debug-id"));
        let c = claims(body["access_token"].as_str().unwrap());
        assert_eq!(c["type"], "access_token");
        assert_eq!(c["client_id"], CID);
        assert_eq!(c["user_id"], TA);
        assert_eq!(c["as"], "ims-na1");
        assert!(c["expires_in"].is_string() && c["created_at"].is_string());
    }
}

#[tokio::test]
async fn multipart_bodies_are_accepted() {
    let emu = Emulator::start(&[]);
    let token = jwt(&emu.url, "private.key", 300);
    // Built by hand, as the `form-data` package that @adobe/jwt-auth uses does.
    let boundary = "--------------------------jwt2oauthtest";
    let mut body = String::new();
    for (k, v) in [
        ("client_id", CID),
        ("client_secret", SECRET),
        ("jwt_token", token.as_str()),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let r = reqwest::Client::new()
        .post(format!("{}/ims/exchange/jwt/", emu.url))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

/// A form, the expected status and the expected IMS error code.
type Case<'a> = (Vec<(&'a str, String)>, u16, &'a str);

#[tokio::test]
async fn jwt_exchange_errors_have_ims_codes() {
    let emu = Emulator::start(&[]);
    let url = format!("{}/ims/exchange/jwt", emu.url);
    let good = jwt(&emu.url, "private.key", 300);
    let cases: Vec<Case<'_>> = vec![
        (
            vec![
                ("client_id", "nope".into()),
                ("client_secret", SECRET.into()),
                ("jwt_token", good.clone()),
            ],
            400,
            "invalid_client",
        ),
        (
            vec![
                ("client_id", CID.into()),
                ("client_secret", "wrong".into()),
                ("jwt_token", good.clone()),
            ],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("client_id", CID.into()),
                ("client_secret", SECRET.into()),
                ("jwt_token", "garbage".into()),
            ],
            400,
            "invalid_token",
        ),
        (
            vec![
                ("client_id", CID.into()),
                ("client_secret", SECRET.into()),
                ("jwt_token", jwt(&emu.url, "other_private.key", 300)),
            ],
            400,
            "invalid_token",
        ),
        (
            vec![
                ("client_id", CID.into()),
                ("client_secret", SECRET.into()),
                ("jwt_token", jwt(&emu.url, "private.key", -10)),
            ],
            400,
            "invalid_token",
        ),
        (
            vec![
                ("client_id", CID.into()),
                ("client_secret", SECRET.into()),
                ("jwt_token", jwt("https://evil.example", "private.key", 300)),
            ],
            400,
            "invalid_client",
        ),
    ];
    for (form, status, error) in cases {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, body, _) = post_form(&url, &form).await;
        assert_eq!(
            (s, body["error"].as_str().unwrap()),
            (status, error),
            "{body}"
        );
        assert!(body["error_description"].is_string());
    }
}

#[tokio::test]
async fn client_credentials_with_query_basic_auth_and_v2() {
    let emu = Emulator::start(&[]);
    let (s, body, _) = post_form(
        &format!("{}/ims/token/v3?client_id={CID}", emu.url),
        &[
            ("grant_type", "client_credentials"),
            ("client_secret", SECRET),
            ("scope", "openid,AdobeID"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["expires_in"], 86_399);
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["scope"],
        "openid,AdobeID"
    );
    let r = reqwest::Client::new()
        .post(format!("{}/ims/token/v2", emu.url))
        .basic_auth(CID, Some(SECRET))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "openid AdobeID user_management_sdk"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn client_credentials_errors() {
    let emu = Emulator::start(&[]);
    let url = format!("{}/ims/token/v3", emu.url);
    let base = [("grant_type", "client_credentials"), ("client_id", CID)];
    let (s, b, _) = post_form(&url, &[base[0], base[1], ("client_secret", "wrong")]).await;
    assert_eq!((s, b["error"].as_str().unwrap()), (400, "invalid_client"));
    assert_eq!(b["error_description"], "invalid client_secret parameter");
    let (s, b, _) = post_form(
        &url,
        &[
            base[0],
            base[1],
            ("client_secret", SECRET),
            ("scope", "openid,campaign_sdk"),
        ],
    )
    .await;
    assert_eq!((s, b["error"].as_str().unwrap()), (400, "invalid_scope"));
    let (s, b, _) = post_form(
        &url,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "nope"),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_eq!((s, b["error"].as_str().unwrap()), (400, "invalid_client"));
    let (s, b, _) = post_form(
        &url,
        &[
            ("grant_type", "password"),
            base[1],
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_eq!(
        (s, b["error"].as_str().unwrap()),
        (400, "unsupported_grant_type")
    );
}

#[tokio::test]
async fn validate_token_accepts_own_tokens_only() {
    let emu = Emulator::start(&[]);
    let (_, b, _) = post_form(
        &format!("{}/ims/token/v3", emu.url),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CID),
            ("client_secret", SECRET),
        ],
    )
    .await;
    let token = b["access_token"].as_str().unwrap().to_string();
    let url = format!("{}/ims/validate_token/v1", emu.url);
    let (s, v, _) = post_form(
        &url,
        &[
            ("type", "access_token"),
            ("client_id", CID),
            ("token", &token),
        ],
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["token"]["user_id"], TA);
    let tampered = format!("{}x", &token[..token.len() - 1]);
    let (_, v, _) = post_form(
        &url,
        &[
            ("type", "access_token"),
            ("client_id", CID),
            ("token", &tampered),
        ],
    )
    .await;
    assert_eq!(v["valid"], false);
}

#[tokio::test]
async fn injected_429_carries_retry_after_then_recovers() {
    let emu = Emulator::start(&[
        "--fault",
        "429",
        "--fault-count",
        "1",
        "--retry-after",
        "7",
        "--fault-scope",
        "token",
    ]);
    let url = format!("{}/ims/token/v3", emu.url);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", CID),
        ("client_secret", SECRET),
    ];
    let (s, _, h) = post_form(&url, &form).await;
    assert_eq!(s, 429);
    assert_eq!(h["retry-after"], "7");
    let (s, _, _) = post_form(&url, &form).await;
    assert_eq!(s, 200);
}

#[test]
fn refuses_non_loopback_addresses() {
    let out = support::run(
        &[
            "emulate-ims",
            "--listen",
            "0.0.0.0:0",
            "--credentials",
            fixture("workspace.json").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}
