//! The two token flows and their results. Every result is tri-state: valid,
//! invalid (IMS rejected the credential), or indeterminate (429, 5xx,
//! timeout, network, a non-IMS answer): a broken network or server is never
//! reported as a broken credential. Classification is in [`super::classify`].

use reqwest::Url;
use serde::Serialize;

pub use super::classify::{classify, normalise_expiry};
use super::secret::Secret;
pub use super::send::Target;
use super::send::{Call, send_with_retry};
use super::token_claims::TokenClaims;

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

/// Joins an IMS path onto the base URL.
pub fn endpoint(ims: &Url, path: &str) -> String {
    format!("{}{path}", ims.as_str().trim_end_matches('/'))
}

/// POSTs the signed JWT to `/ims/exchange/jwt`.
pub async fn run_jwt(
    t: &Target<'_, '_>,
    client_id: &str,
    secret: &Secret,
    jwt: &Secret,
) -> FlowResult {
    let Some(url) = endpoint_url(t, "/ims/exchange/jwt") else {
        return unusable_url(Flow::Jwt);
    };
    let call = Call {
        label: "jwt",
        url,
        form: Some(vec![
            ("client_id", client_id),
            ("client_secret", secret.expose()),
            ("jwt_token", jwt.expose()),
        ]),
        bearer: None,
        headers: Vec::new(),
        max_body: super::send::MAX_BODY,
    };
    let ex = send_with_retry(t, &call).await;
    classify(Flow::Jwt, &ex, &t.trace.scrub)
}

/// POSTs `grant_type=client_credentials` to `/ims/token/v3`.
pub async fn run_oauth(
    t: &Target<'_, '_>,
    client_id: &str,
    secret: &Secret,
    scopes: &[String],
) -> FlowResult {
    let Some(url) = endpoint_url(t, "/ims/token/v3") else {
        return unusable_url(Flow::Oauth);
    };
    let scope = scopes.join(",");
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", secret.expose()),
    ];
    if !scope.is_empty() {
        form.push(("scope", scope.as_str()));
    }
    let call = Call {
        label: "oauth",
        url,
        form: Some(form),
        bearer: None,
        headers: Vec::new(),
        max_body: super::send::MAX_BODY,
    };
    let ex = send_with_retry(t, &call).await;
    classify(Flow::Oauth, &ex, &t.trace.scrub)
}

fn unusable_url(flow: Flow) -> FlowResult {
    let mut r = FlowResult::skipped(flow, "not sent: the IMS URL cannot take the endpoint path");
    r.status = Status::Indeterminate;
    r
}

fn endpoint_url(t: &Target<'_, '_>, path: &str) -> Option<Url> {
    Url::parse(&endpoint(t.ims, path)).ok()
}
