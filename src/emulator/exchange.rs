//! `POST /ims/exchange/jwt`: the Service Account (JWT) exchange. Checks, in
//! order: client id, client secret, the JWT's format, its RS256 signature
//! against the bound certificates, `exp`, `aud`, `iss`, `sub`, and the
//! metascopes against the binding; then issues a token whose `expires_in`
//! is in milliseconds (docs/adobe-ims.md §1).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value, json};

use super::errors::ImsErr;
use super::options::RetiredStyle;
use super::registry::{JwtClient, secret_eq};
use super::signer::Grant;
use super::{ADOBE_IMS, AppState, form};
use crate::ims;

/// What `--jwt-retired eol` answers: Adobe documents no response for a JWT
/// exchange after the end of life, so this is 400 `invalid_client` quoting
/// Adobe's migration guide (see docs/verify.md).
pub const RETIRED_DESCRIPTION: &str = "Service Account (JWT) credentials have reached their end of life and are no longer supported. Use an OAuth Server-to-Server credential.";

const UNDECODABLE: &str = "JWT token is incorrectly formatted, and can not be decoded.";
const NO_BINDING: &str = "Could not match JWT signature to any of the bindings";

/// The handler.
pub async fn handle(State(s): State<Arc<AppState>>, req: Request) -> Response {
    let host = req
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("http://{h}"));
    let params = match form::read(req).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    if s.faults.jwt_retired == Some(RetiredStyle::Eol) {
        return ImsErr::new(400, "invalid_client", RETIRED_DESCRIPTION).into_response();
    }
    match exchange(&s, &params, host.as_deref()) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn exchange(s: &AppState, p: &form::Params, host: Option<&str>) -> Result<Response, ImsErr> {
    let client_id = p
        .get("client_id")
        .ok_or_else(|| ImsErr::new(400, "invalid_client", "invalid client_id parameter"))?;
    let client = s
        .registry
        .jwt_client(client_id)
        .ok_or_else(|| ImsErr::new(400, "invalid_client", "invalid client_id parameter"))?;
    let secret_ok = matches!((p.get("client_secret"), &client.secret),
        (Some(given), Some(want)) if secret_eq(given, want.expose()));
    if !secret_ok {
        return Err(ImsErr::new(
            401,
            "invalid_client",
            "invalid client_id/client_secret pair",
        ));
    }
    let token = p
        .get("jwt_token")
        .ok_or_else(|| ImsErr::new(400, "invalid_token", UNDECODABLE))?;
    if s.faults.jwt_retired == Some(RetiredStyle::NoBinding) {
        return Err(ImsErr::new(400, "invalid_token", NO_BINDING));
    }
    let claims = decode_unverified(token)?;
    check_signature(token, client)?;
    let now_ms = s.clock.now_ms();
    check_claims(
        &claims,
        client,
        &bases(&s.base_url, host),
        now_ms.div_euclid(1000),
    )?;

    let lifetime_ms = i64::try_from(s.token_lifetime_secs).unwrap_or(86_400) * 1000;
    let user = client.technical_account_id.as_deref().unwrap_or_default();
    let access = s
        .signer
        .issue(&Grant {
            client_id,
            user_id: user,
            scopes: &client.token_scopes,
            now_ms,
            lifetime_ms,
        })
        .map_err(|_| ImsErr::new(500, "internal_error", "Please try again later"))?;
    Ok(Json(json!({
        "token_type": "bearer",
        "access_token": access,
        "expires_in": lifetime_ms - 19,
    }))
    .into_response())
}

/// The bases `aud` and metascope claims may be built on.
fn bases(own: &str, host: Option<&str>) -> Vec<String> {
    let mut b = vec![ADOBE_IMS.to_string(), own.trim_end_matches('/').to_string()];
    b.extend(host.map(str::to_string));
    b
}

fn decode_unverified(token: &str) -> Result<Map<String, Value>, ImsErr> {
    let undecodable = || ImsErr::new(400, "invalid_token", UNDECODABLE);
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(undecodable());
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| undecodable())?;
    if header.alg != Algorithm::RS256 {
        return Err(ImsErr::new(
            400,
            "invalid_signature",
            "JWT must be signed with RS256",
        ));
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[1])
        .map_err(|_| undecodable())?;
    serde_json::from_slice(&bytes).map_err(|_| undecodable())
}

fn check_signature(token: &str, client: &JwtClient) -> Result<(), ImsErr> {
    let mut v = Validation::new(Algorithm::RS256);
    v.validate_exp = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    let ok = client
        .certs
        .iter()
        .any(|k| jsonwebtoken::decode::<Map<String, Value>>(token, k, &v).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ImsErr::new(400, "invalid_token", NO_BINDING))
    }
}

/// Checks exp, aud, iss, sub and metascopes (pure; unit-tested).
pub fn check_claims(
    c: &Map<String, Value>,
    client: &JwtClient,
    bases: &[String],
    now_secs: i64,
) -> Result<(), ImsErr> {
    let exp = c.get("exp").and_then(Value::as_i64).ok_or_else(|| {
        ImsErr::new(
            400,
            "bad_request",
            "JWT exp claim is missing or not an integer",
        )
    })?;
    if exp <= now_secs {
        return Err(ImsErr::new(400, "invalid_token", "JWT token is expired"));
    }
    let aud = c.get("aud").and_then(Value::as_str).unwrap_or_default();
    if !bases
        .iter()
        .any(|b| aud == ims::aud_claim(b, &client.client_id))
    {
        return Err(ImsErr::new(
            400,
            "invalid_client",
            "JWT aud does not match the client_id",
        ));
    }
    let iss = c.get("iss").and_then(Value::as_str).unwrap_or_default();
    if !iss.ends_with(ims::ORG_SUFFIX) || client.org_id.as_deref().is_some_and(|o| o != iss) {
        return Err(ImsErr::new(
            400,
            "bad_request",
            "JWT iss claim is malformed or not the credential's org",
        ));
    }
    let sub = c.get("sub").and_then(Value::as_str).unwrap_or_default();
    let sub_ok = client
        .technical_account_id
        .as_deref()
        .map_or(sub.ends_with(ims::TECHACCT_SUFFIX), |t| {
            t.eq_ignore_ascii_case(sub)
        });
    if !sub_ok {
        return Err(ImsErr::new(
            400,
            "bad_request",
            "JWT sub claim is not the credential's technical account",
        ));
    }
    let mut metas = Vec::new();
    for (k, v) in c {
        if let Some((base, name)) = ims::split_metascope_claim(k) {
            if v != &Value::Bool(true) || !bases.iter().any(|b| b == base) {
                return Err(ImsErr::new(
                    400,
                    "invalid_scope",
                    format!("metascope claim {k} is not valid here"),
                ));
            }
            metas.push(name.to_string());
        }
    }
    let subset = metas.iter().all(|m| client.meta_scopes.contains(m));
    if metas.is_empty() || !subset {
        return Err(ImsErr::new(
            400,
            "invalid_scope",
            "The metascopes in the JWT are not a subset of the metascopes in the binding.",
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "exchange_tests.rs"]
mod tests;
