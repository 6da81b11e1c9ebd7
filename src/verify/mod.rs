//! `jwt2oauth verify`: fetch a token with the Service Account (JWT) flow and
//! with the OAuth Server-to-Server flow side by side, compare them, and say
//! whether the migration works.
//!
//! credentials (files / env / flags) ──▶ JWT flow ║ OAuth flow (concurrent)
//! ──▶ compare claims ──▶ verdict ──▶ table or JSON.

pub mod analytics;
pub mod attempt;
pub mod cache;
pub mod claims;
pub mod classify;
pub mod credentials;
pub mod env;
pub mod flow;
pub mod hints;
pub mod http;
pub mod inputs;
pub mod key;
pub mod outcome;
pub mod ownership;
pub mod probe;
pub mod render;
pub mod scopes;
pub mod scrub;
pub mod secret;
pub mod send;
pub mod token_claims;
pub mod trace;
pub mod values;
pub mod verdict;

use jsonwebtoken::EncodingKey;
use reqwest::Url;
use serde::Serialize;

use self::analytics::{AnalyticsPlan, AnalyticsReport};
use self::credentials::{JwtCredential, OAuthCredential};
use self::env::Clock;
use self::flow::{Flow, FlowResult, Target};
use self::http::RetryPolicy;
use self::ownership::Ownership;
use self::probe::ProbeReport;
use self::trace::Trace;
use self::verdict::{Expected, Verdict};

/// Errors at the verify module boundary. None of them carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// A config file could not be read or holds no credential.
    #[error("{source_name}: {message}")]
    Config {
        /// The file.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// The private key could not be read, decrypted or used.
    #[error("private key: {0}")]
    Key(String),
    /// Bad flags or values.
    #[error("{0}")]
    Usage(String),
    /// The token cache could not be used.
    #[error("token cache: {0}")]
    Cache(String),
}

/// Everything a verification run needs, already validated.
pub struct Plan {
    /// The JWT credential and its signing key, if the JWT flow runs.
    pub jwt: Option<(JwtCredential, EncodingKey)>,
    /// The OAuth credential.
    pub oauth: OAuthCredential,
    /// IMS base URL (checked: https, or loopback http).
    pub ims: Url,
    /// Retries and timeouts.
    pub policy: RetryPolicy,
    /// JWT lifetime in seconds.
    pub jwt_lifetime_secs: i64,
    /// Optional API endpoint to call with each token.
    pub probe: Option<Url>,
    /// `--analytics`: the Analytics 2.0 API checks.
    pub analytics: Option<AnalyticsPlan>,
}

/// The result of `verify`, serialised as-is for `--format json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Schema version of this JSON.
    pub version: u32,
    /// IMS base URL used.
    pub ims_url: String,
    /// The client id verified.
    pub client_id: String,
    /// The JWT flow.
    pub jwt: FlowResult,
    /// The OAuth flow.
    pub oauth: FlowResult,
    /// The `--probe` calls, if any.
    pub probe: Option<ProbeReport>,
    /// The `--analytics` checks, if asked for.
    pub analytics: Option<AnalyticsReport>,
    /// The OAuth credential runs as another technical account than the JWT
    /// one: what follows for the assets the old one owns.
    pub ownership: Option<Ownership>,
    /// The verdict.
    pub verdict: Verdict,
    /// Warnings for the user.
    pub warnings: Vec<String>,
}

/// Runs both flows concurrently and judges them, all within the policy's
/// deadline from now. `trace` carries the `--verbose` sink and the run's
/// known secrets; the signed JWT and the tokens received join them.
pub async fn run(plan: &Plan, clock: &dyn Clock, trace: &Trace<'_>) -> Result<Report, VerifyError> {
    let loopback = http::is_loopback(&plan.ims)
        && plan.probe.as_ref().is_none_or(http::is_loopback)
        && plan
            .analytics
            .as_ref()
            .is_none_or(|a| http::is_loopback(&a.base));
    let client = http::client(&plan.policy, loopback)?;
    let now_secs = clock.now_secs();
    let target = Target {
        ims: &plan.ims,
        client: &client,
        policy: &plan.policy,
        now_secs,
        deadline: deadline_from_now(&plan.policy),
        trace,
    };
    let jwt_token = match &plan.jwt {
        Some((cred, key)) => Some(sign_jwt(plan, cred, key, now_secs)?),
        None => None,
    };
    if let Some(t) = &jwt_token {
        trace.scrub.learn(t.expose());
    }
    let o = &plan.oauth;
    let secret = o
        .client_secrets
        .first()
        .ok_or_else(|| VerifyError::Usage("the OAuth credential has no client secret".into()))?;
    let jwt_fut = async {
        match (&plan.jwt, &jwt_token) {
            (Some((cred, _)), Some(token)) => match &cred.client_secret {
                Some(s) => flow::run_jwt(&target, &cred.client_id, s, token).await,
                None => FlowResult::skipped(Flow::Jwt, "no client secret"),
            },
            _ => FlowResult::skipped(Flow::Jwt, "no JWT credential given"),
        }
    };
    let oauth_fut = flow::run_oauth(&target, &o.client_id, secret, &o.scopes);
    let (jwt, oauth) = tokio::join!(jwt_fut, oauth_fut);

    let jwt_cred = plan.jwt.as_ref().map(|(c, _)| c);
    let expected = Expected {
        client_id: o.client_id.clone(),
        jwt_client_id: jwt_cred.map(|c| c.client_id.clone()),
        technical_account_id: jwt_cred
            .and_then(|c| c.technical_account_id.clone())
            .or_else(|| o.technical_account_id.clone()),
        meta_scopes: jwt_cred.map(|c| c.meta_scopes.clone()).unwrap_or_default(),
    };
    let mut verdict = verdict::judge(&jwt, &oauth, &expected, clock.now_ms());
    let probe = match &plan.probe {
        Some(url) => {
            let org = o
                .org_id
                .clone()
                .or_else(|| jwt_cred.and_then(|c| c.org_id.clone()));
            let p = probe::run(&target, url, &o.client_id, org.as_deref(), &jwt, &oauth).await;
            probe::amend_verdict(&p, &mut verdict);
            Some(p)
        }
        None => None,
    };
    let ownership = ownership::detect(
        jwt_cred.and_then(|c| c.technical_account_id.as_deref()),
        &jwt,
        o.technical_account_id.as_deref(),
        &oauth,
    )
    .filter(|_| jwt_cred.is_some());
    let analytics = match &plan.analytics {
        Some(a) => {
            let jwt_key = jwt_cred.map_or(o.client_id.as_str(), |c| c.client_id.as_str());
            let tokens = analytics::Tokens {
                oauth: oauth.token.as_ref().map(|token| analytics::Auth {
                    token,
                    api_key: &o.client_id,
                    label: "analytics oauth",
                }),
                jwt: jwt.token.as_ref().map(|token| analytics::Auth {
                    token,
                    api_key: jwt_key,
                    label: "analytics jwt",
                }),
                count_old_assets: ownership.is_some(),
            };
            let r = analytics::run(&target, a, &tokens).await;
            analytics::amend_verdict(&r.result, &mut verdict);
            Some(r)
        }
        None => None,
    };
    Ok(Report {
        version: 1,
        ims_url: plan.ims.as_str().trim_end_matches('/').to_string(),
        client_id: o.client_id.clone(),
        jwt,
        oauth,
        probe,
        analytics,
        ownership,
        verdict,
        warnings: Vec::new(),
    })
}

/// When a run starting now must be over.
pub fn deadline_from_now(policy: &RetryPolicy) -> std::time::Instant {
    let now = std::time::Instant::now();
    now.checked_add(policy.deadline)
        .unwrap_or_else(|| now + std::time::Duration::from_secs(365 * 24 * 3600))
}

fn sign_jwt(
    plan: &Plan,
    cred: &JwtCredential,
    key: &EncodingKey,
    now_secs: i64,
) -> Result<secret::Secret, VerifyError> {
    let base = plan.ims.as_str().trim_end_matches('/');
    let input = claims::ClaimsInput {
        ims_base: base,
        client_id: &cred.client_id,
        org_id: cred.org_id.as_deref().unwrap_or_default(),
        technical_account_id: cred.technical_account_id.as_deref().unwrap_or_default(),
        meta_scopes: &cred.meta_scopes,
        now_secs,
        lifetime_secs: plan.jwt_lifetime_secs,
    };
    claims::sign(&claims::build(&input), key)
}
