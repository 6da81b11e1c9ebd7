//! What a token fetch ended with: the flow, its status, IMS's error and the
//! result every verifier output prints. The flows (`flow.rs`), their
//! classification (`classify.rs`) and the hints (`hints.rs`) all build on it.

use super::secret::Secret;
use super::token_claims::TokenClaims;
use serde::Serialize;

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
    /// Decoded access-token claims, cleaned for display (what is rendered).
    pub claims: Option<TokenClaims>,
    /// The same claims as IMS sent them (never serialised): verdicts compare
    /// these, so no redaction rule can change a verdict.
    #[serde(skip)]
    pub raw_claims: Option<TokenClaims>,
    /// The access token, masked.
    pub token_masked: Option<String>,
    /// The access token (never serialised).
    #[serde(skip)]
    pub token: Option<Secret>,
}

impl FlowResult {
    /// Records a token's claims: raw for comparing, cleaned for display.
    pub fn set_claims(&mut self, raw: Option<TokenClaims>, scrub: &super::scrub::Scrubber) {
        self.claims = raw.clone().map(|c| c.cleaned(scrub));
        self.raw_claims = raw;
    }

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
            raw_claims: None,
            token_masked: None,
            token: None,
        }
    }
}
