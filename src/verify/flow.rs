//! The two token flows and their results. Every result is tri-state: valid,
//! invalid (IMS rejected the credential), or indeterminate (429, 5xx,
//! timeout, network, a non-IMS answer): a broken network or server is never
//! reported as a broken credential. Classification is in [`super::classify`].

use reqwest::Url;

use super::attempt::send_with_retry;
pub use super::classify::{classify, normalise_expiry};
pub use super::outcome::{Flow, FlowResult, ImsError, Status};
use super::secret::Secret;
use super::send::Call;
pub use super::send::Target;

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
    let Some(url) = endpoint_url(t, crate::ims::EXCHANGE_JWT) else {
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
    let Some(url) = endpoint_url(t, crate::ims::TOKEN_V3) else {
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
