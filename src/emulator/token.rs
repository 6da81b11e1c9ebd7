//! `POST /ims/token/v3` and `/ims/token/v2` (OAuth Server-to-Server
//! client_credentials; `expires_in` in seconds) and
//! `POST /ims/validate_token/v1`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::errors::ImsErr;
use super::registry::secret_eq;
use super::signer::Grant;
use super::{AppState, form};

/// The client_credentials handler.
pub async fn handle(State(s): State<Arc<AppState>>, req: Request) -> Response {
    let params = match form::read(req).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    match issue(&s, &params) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn issue(s: &AppState, p: &form::Params) -> Result<Response, ImsErr> {
    let grant = p.get("grant_type").unwrap_or_default();
    if grant != "client_credentials" {
        return Err(ImsErr::new(
            400,
            "unsupported_grant_type",
            format!(
                "unsupported grant_type {grant:?}: this emulator issues client_credentials tokens"
            ),
        ));
    }
    let bad_id = || ImsErr::new(400, "invalid_client", "invalid client_id parameter");
    let client_id = p.get("client_id").ok_or_else(bad_id)?;
    let client = s.registry.oauth_client(client_id).ok_or_else(bad_id)?;
    let given = p.get("client_secret").unwrap_or_default();
    if !client.secrets.iter().any(|w| secret_eq(given, w.expose())) {
        return Err(ImsErr::new(
            400,
            "invalid_client",
            "invalid client_secret parameter",
        ));
    }
    let requested: Vec<String> = p
        .get("scope")
        .map(|sc| {
            sc.split([',', ' '])
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let unknown: Vec<&str> = requested
        .iter()
        .filter(|r| !client.scopes.contains(r))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(ImsErr::new(
            400,
            "invalid_scope",
            format!("invalid scope(s): {}", unknown.join(",")),
        ));
    }
    let scopes = if requested.is_empty() {
        client.scopes.clone()
    } else {
        requested
    };
    let lifetime_s = i64::try_from(s.token_lifetime_secs).unwrap_or(86_400);
    let access = s
        .signer
        .issue(&Grant {
            client_id,
            user_id: client.technical_account_id.as_deref().unwrap_or_default(),
            scopes: &scopes,
            now_ms: s.clock.now_ms(),
            lifetime_ms: lifetime_s * 1000,
        })
        .map_err(|_| ImsErr::new(500, "internal_error", "Please try again later"))?;
    Ok(Json(json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": lifetime_s - 1,
    }))
    .into_response())
}

/// `POST /ims/validate_token/v1` with `type`, `client_id`, `token`: answers
/// `{"valid": true, "expires_at": ms, "token": {claims}}` or
/// `{"valid": false, "reason": ...}` (HTTP 200 either way).
pub async fn validate(State(s): State<Arc<AppState>>, req: Request) -> Response {
    let p = match form::read(req).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let invalid = |reason: &str| Json(json!({"valid": false, "reason": reason})).into_response();
    let Some(token) = p.get("token") else {
        return ImsErr::new(400, "invalid_request", "missing token parameter").into_response();
    };
    let Some(claims) = s.signer.check(token) else {
        return invalid("bad_signature");
    };
    if let Some(cid) = p.get("client_id")
        && claims.get("client_id").and_then(Value::as_str) != Some(cid)
    {
        return invalid("client_id_mismatch");
    }
    let num = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .and_then(|v| v.parse::<i64>().ok())
    };
    let expires_at = num("created_at").zip(num("expires_in")).map(|(c, e)| c + e);
    match expires_at {
        Some(at) if at > s.clock.now_ms() => {
            Json(json!({"valid": true, "expires_at": at, "token": claims})).into_response()
        }
        _ => invalid("expired"),
    }
}

/// `GET /ims/profile/v1` with `Authorization: Bearer`: a stand-in API for
/// `verify --probe`. Answers the token's account and scopes, or 401.
pub async fn profile(State(s): State<Arc<AppState>>, headers: axum::http::HeaderMap) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let claims = token.and_then(|t| s.signer.check(t.trim()));
    match claims {
        Some(c) => Json(json!({
            "userId": c.get("user_id"),
            "account_type": "technical",
            "client_id": c.get("client_id"),
            "scope": c.get("scope"),
        }))
        .into_response(),
        None => {
            ImsErr::new(401, "invalid_token", "missing or invalid bearer token").into_response()
        }
    }
}
