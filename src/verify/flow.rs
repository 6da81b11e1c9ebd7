//! The two token flows and how their answers are classified. Every result is
//! tri-state: valid, invalid (IMS rejected the credential), or indeterminate
//! (429, 5xx, timeout, network): a network failure is never reported as a
//! broken credential.

use std::time::Duration;

use reqwest::Url;
use serde::Serialize;
use serde_json::Value;

use super::hints::{hint, looks_retired};
use super::http::{Answer, Exchange, RetryPolicy, send_with_retry};
use super::secret::Secret;
use super::token_claims::{TokenClaims, decode};

/// Which flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// Service Account (JWT) exchange.
    Jwt,
    /// OAuth Server-to-Server client_credentials.
    Oauth,
}

/// The tri-state (plus "not run").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A token was issued.
    Valid,
    /// IMS rejected the credential.
    Invalid,
    /// No verdict possible (429, 5xx, timeout, network).
    Indeterminate,
    /// Not run (no such credential given).
    Skipped,
}

/// IMS's error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImsError {
    /// `error`, e.g. `invalid_client`.
    pub error: String,
    /// `error_description` (redacted).
    pub error_description: Option<String>,
}

/// One flow's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct FlowResult {
    /// Which flow.
    pub flow: Flow,
    /// Valid / invalid / indeterminate / skipped.
    pub status: Status,
    /// One line saying why.
    pub reason: String,
    /// HTTP status of the final attempt.
    pub http_status: Option<u16>,
    /// Latency of the final attempt, ms.
    pub latency_ms: Option<u64>,
    /// Attempts made.
    pub attempts: u32,
    /// `token_type`.
    pub token_type: Option<String>,
    /// `expires_in` as sent (ms for JWT, s for OAuth).
    pub expires_in_raw: Option<i64>,
    /// `expires_in` normalised to seconds.
    pub expires_in_secs: Option<i64>,
    /// IMS's error, when rejected.
    pub ims_error: Option<ImsError>,
    /// What to do about it.
    pub hint: Option<String>,
    /// IMS's `x-debug-id` (quote it to Adobe support).
    pub debug_id: Option<String>,
    /// The JWT side answered like a retired credential.
    pub retired: bool,
    /// Decoded access-token claims.
    pub claims: Option<TokenClaims>,
    /// The access token, masked.
    pub token_masked: Option<String>,
    /// The access token (never serialised).
    #[serde(skip)]
    pub token: Option<Secret>,
}

impl FlowResult {
    /// A flow that was not run.
    pub fn skipped(flow: Flow, reason: impl Into<String>) -> Self {
        FlowResult {
            flow,
            status: Status::Skipped,
            reason: reason.into(),
            http_status: None,
            latency_ms: None,
            attempts: 0,
            token_type: None,
            expires_in_raw: None,
            expires_in_secs: None,
            ims_error: None,
            hint: None,
            debug_id: None,
            retired: false,
            claims: None,
            token_masked: None,
            token: None,
        }
    }
}

/// Where and how to call IMS.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// IMS base URL.
    pub ims: &'a Url,
    /// The HTTP client (no redirects).
    pub client: &'a reqwest::Client,
    /// Retries and timeouts.
    pub policy: &'a RetryPolicy,
    /// Now, Unix seconds (for `Retry-After` dates).
    pub now_secs: i64,
}

/// Joins an IMS path onto the base URL.
pub fn endpoint(ims: &Url, path: &str) -> String {
    format!("{}{path}", ims.as_str().trim_end_matches('/'))
}

/// POSTs the signed JWT to `/ims/exchange/jwt`.
pub async fn run_jwt(t: &Target<'_>, client_id: &str, secret: &Secret, jwt: &Secret) -> FlowResult {
    let url = endpoint(t.ims, "/ims/exchange/jwt");
    let ex = send_with_retry(
        || {
            t.client.post(&url).form(&[
                ("client_id", client_id),
                ("client_secret", secret.expose()),
                ("jwt_token", jwt.expose()),
            ])
        },
        t.policy,
        t.now_secs,
    )
    .await;
    classify(Flow::Jwt, &ex, t.policy.timeout)
}

/// POSTs `grant_type=client_credentials` to `/ims/token/v3`.
pub async fn run_oauth(
    t: &Target<'_>,
    client_id: &str,
    secret: &Secret,
    scopes: &[String],
) -> FlowResult {
    let url = endpoint(t.ims, "/ims/token/v3");
    let scope = scopes.join(",");
    let ex = send_with_retry(
        || {
            let mut form = vec![
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", secret.expose()),
            ];
            if !scope.is_empty() {
                form.push(("scope", scope.as_str()));
            }
            t.client.post(&url).form(&form)
        },
        t.policy,
        t.now_secs,
    )
    .await;
    classify(Flow::Oauth, &ex, t.policy.timeout)
}

/// `expires_in` in seconds: the JWT endpoint answers in ms, the token endpoint in s.
pub fn normalise_expiry(flow: Flow, raw: i64) -> i64 {
    match flow {
        Flow::Jwt => raw / 1000,
        Flow::Oauth => raw,
    }
}

/// Classifies a final answer (pure; unit-tested).
pub fn classify(flow: Flow, ex: &Exchange, timeout: Duration) -> FlowResult {
    let mut r = FlowResult::skipped(flow, "");
    r.attempts = ex.attempts;
    r.latency_ms = Some(u64::try_from(ex.latency.as_millis()).unwrap_or(u64::MAX));
    let tries = if ex.attempts == 1 {
        "1 attempt".to_string()
    } else {
        format!("{} attempts", ex.attempts)
    };
    let (status, body, debug_id, retry_after) = match &ex.answer {
        Answer::Network { timeout: true, .. } => {
            r.status = Status::Indeterminate;
            r.reason = format!("timed out after {} ms ({tries})", timeout.as_millis());
            r.latency_ms = None;
            return r;
        }
        Answer::Network { message, .. } => {
            r.status = Status::Indeterminate;
            r.reason = format!("network error: {message} ({tries})");
            r.latency_ms = None;
            return r;
        }
        Answer::Http {
            status,
            body,
            debug_id,
            retry_after,
        } => (*status, body, debug_id, retry_after),
    };
    r.http_status = Some(status);
    r.debug_id = debug_id.clone();
    let json: Option<Value> = serde_json::from_str(body).ok();
    let get = |k: &str| json.as_ref().and_then(|j| j.get(k));
    r.ims_error = get("error").and_then(Value::as_str).map(|e| ImsError {
        error: e.to_string(),
        error_description: get("error_description")
            .and_then(Value::as_str)
            .map(|d| crate::redact::redact_text(d).into_owned()),
    });
    let err_text = r.ims_error.as_ref().map_or_else(String::new, |e| {
        format!(
            ": {}{}",
            e.error,
            e.error_description
                .as_deref()
                .map_or(String::new(), |d| format!(" ({d})"))
        )
    });
    if status == 429 {
        r.status = Status::Indeterminate;
        let ra = retry_after.map_or(String::new(), |d| {
            format!(", Retry-After {} s", d.as_secs())
        });
        r.reason = format!("rate limited by IMS (HTTP 429{ra}, {tries})");
        return r;
    }
    if status >= 500 {
        r.status = Status::Indeterminate;
        r.reason = format!("IMS server error (HTTP {status}{err_text}, {tries})");
        return r;
    }
    if (300..400).contains(&status) {
        r.status = Status::Indeterminate;
        r.reason = format!(
            "IMS answered with a redirect (HTTP {status}); not followed, so credentials never go to another host"
        );
        return r;
    }
    let token = get("access_token").and_then(Value::as_str);
    if (200..300).contains(&status) {
        let Some(token) = token else {
            r.status = Status::Indeterminate;
            r.reason = format!("HTTP {status} without an access_token");
            return r;
        };
        r.status = Status::Valid;
        r.reason = "token issued".into();
        r.token_type = get("token_type")
            .and_then(Value::as_str)
            .map(str::to_string);
        r.expires_in_raw =
            get("expires_in").and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
        r.expires_in_secs = r.expires_in_raw.map(|raw| normalise_expiry(flow, raw));
        r.claims = decode(token);
        r.token_masked = Some(crate::redact::mask(token));
        r.token = Some(Secret::new(token));
        return r;
    }
    r.status = Status::Invalid;
    r.retired = flow == Flow::Jwt && looks_retired(status, r.ims_error.as_ref());
    r.reason = if r.retired {
        format!("IMS answers as for a retired JWT credential (HTTP {status}{err_text})")
    } else {
        format!("rejected by IMS (HTTP {status}{err_text})")
    };
    r.hint = Some(hint(flow, status, r.ims_error.as_ref(), r.retired));
    r
}

#[cfg(test)]
#[path = "flow_tests.rs"]
mod tests;
