//! The verdict: does the OAuth Server-to-Server credential give the same
//! access as the JWT one did? Pure: takes both flow results, what the
//! credentials say, and today's date.

use serde::Serialize;

use super::flow::{FlowResult, Status};
use super::scopes::coverage;
use super::token_claims::TokenClaims;

/// The date every remaining JWT credential was converted at the latest
/// (docs/adobe-ims.md §3): 2026-03-01T00:00:00Z in Unix ms.
pub const FINAL_CONVERSION_MS: i64 = 1_772_323_200_000;

/// What the credentials say the tokens should show.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    /// The OAuth credential's client id.
    pub client_id: String,
    /// The JWT credential's client id, if any.
    pub jwt_client_id: Option<String>,
    /// The technical account id from either credential.
    pub technical_account_id: Option<String>,
    /// The JWT credential's metascopes.
    pub meta_scopes: Vec<String>,
}

/// The kinds of verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Both flows issue tokens for the same client and technical account, and
    /// the OAuth scopes cover what the JWT granted.
    MigrationVerified,
    /// OAuth works; the JWT side answers as IMS does for a retired credential.
    OauthWorksJwtRetired,
    /// OAuth works; no JWT credential was given to compare with.
    OauthWorksNoJwt,
    /// OAuth works but the JWT flow was rejected for another reason.
    OauthWorksJwtFails,
    /// Both work but the tokens differ in client, account or scopes.
    NotEquivalent,
    /// The tokens are fine but the OAuth credential lacks Analytics access
    /// (`--analytics`): a permission group, a company, the product profile.
    AnalyticsNotVerified,
    /// The OAuth flow was rejected.
    OauthFails,
    /// A flow could not be judged (429, 5xx, timeout, network).
    Indeterminate,
}

/// The verdict with its reasons.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The kind.
    pub kind: Kind,
    /// Exit 0 when true.
    pub verified: bool,
    /// One line for humans.
    pub summary: String,
    /// Reasons, differences and notes.
    pub details: Vec<String>,
}

/// Judges the two flows.
pub fn judge(jwt: &FlowResult, oauth: &FlowResult, exp: &Expected, now_ms: i64) -> Verdict {
    let mut details = Vec::new();
    let v = |kind, verified, summary: &str, details| Verdict {
        kind,
        verified,
        summary: summary.to_string(),
        details,
    };
    match oauth.status {
        Status::Indeterminate | Status::Skipped => {
            details.push(format!("oauth: {}", oauth.reason));
            return v(
                Kind::Indeterminate,
                false,
                "indeterminate: the OAuth flow could not be judged (not a credential failure)",
                details,
            );
        }
        Status::Invalid => {
            details.push(format!("oauth: {}", oauth.reason));
            details.extend(oauth.hint.iter().map(|h| format!("hint: {h}")));
            return v(Kind::OauthFails, false, "oauth fails", details);
        }
        Status::Valid => {}
    }
    let identity = identity_problems(oauth, exp);
    match jwt.status {
        Status::Valid => {
            details.extend(identity);
            details.extend(equivalence_problems(jwt, oauth));
            let notes = coverage_notes(exp, oauth);
            if details.is_empty() {
                details.extend(notes);
                v(Kind::MigrationVerified, true, "migration verified", details)
            } else {
                details.extend(notes);
                v(
                    Kind::NotEquivalent,
                    false,
                    "not equivalent: the OAuth token differs from the JWT one",
                    details,
                )
            }
        }
        Status::Invalid if jwt.retired || inferred_retired(jwt, exp, now_ms) => {
            if !jwt.retired {
                details.push("jwt: IMS no longer knows this client as a JWT credential although the OAuth flow works for it; every JWT credential was converted by 2026-03-01, so it is most likely retired".into());
            }
            details.push(format!("jwt: {}", jwt.reason));
            let ok = identity.is_empty();
            details.extend(identity);
            details.extend(coverage_notes(exp, oauth));
            v(
                Kind::OauthWorksJwtRetired,
                ok,
                "oauth works, jwt already retired",
                details,
            )
        }
        Status::Invalid if signature_matches_no_binding(jwt) => {
            details.push(format!("jwt: {}", jwt.reason));
            details.extend(jwt.hint.iter().map(|h| format!("hint: {h}")));
            details.extend(identity);
            v(
                Kind::OauthWorksJwtFails,
                false,
                "not verified: the JWT's signature matches none of the credential's certificates (wrong private key?), so access cannot be compared",
                details,
            )
        }
        Status::Invalid => {
            details.push(format!("jwt: {}", jwt.reason));
            details.extend(jwt.hint.iter().map(|h| format!("hint: {h}")));
            details.extend(identity);
            v(
                Kind::OauthWorksJwtFails,
                false,
                "not verified: oauth works but the JWT flow was rejected, so access cannot be compared",
                details,
            )
        }
        Status::Indeterminate => {
            details.push(format!("jwt: {}", jwt.reason));
            v(
                Kind::Indeterminate,
                false,
                "indeterminate: oauth works, the JWT flow could not be judged (not a credential failure)",
                details,
            )
        }
        Status::Skipped => {
            let ok = identity.is_empty();
            details.extend(identity);
            v(
                Kind::OauthWorksNoJwt,
                ok,
                "oauth works (no JWT credential to compare with)",
                details,
            )
        }
    }
}

/// After the final conversion date, `invalid_client` (HTTP 400, not about
/// the secret) from the JWT endpoint, for the very client id the OAuth
/// flow was just issued a token for, means the JWT credential is gone: IMS
/// knows the client, only not as a JWT one. "Could not match JWT signature
/// to any of the bindings" is never read as retired: a private key that
/// does not belong to the credential gets that answer too (see
/// [`signature_matches_no_binding`]).
fn inferred_retired(jwt: &FlowResult, exp: &Expected, now_ms: i64) -> bool {
    if now_ms < FINAL_CONVERSION_MS {
        return false;
    }
    let Some(e) = &jwt.ims_error else {
        return false;
    };
    let desc = e
        .error_description
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let same_client = exp
        .jwt_client_id
        .as_deref()
        .is_none_or(|j| j == exp.client_id);
    e.error == "invalid_client"
        && jwt.http_status == Some(400)
        && !desc.contains("secret")
        && same_client
}

/// IMS's answer to a JWT signed with a key none of the credential's
/// certificates verify: a wrong `--private-key` (or, after a conversion, a
/// removed certificate; the answer cannot tell which).
pub fn signature_matches_no_binding(jwt: &FlowResult) -> bool {
    jwt.ims_error.as_ref().is_some_and(|e| {
        matches!(e.error.as_str(), "invalid_token" | "invalid_signature")
            && e.error_description
                .as_deref()
                .is_some_and(|d| d.to_ascii_lowercase().contains("signature"))
    })
}

fn identity_problems(oauth: &FlowResult, exp: &Expected) -> Vec<String> {
    let mut out = Vec::new();
    // Compared as IMS sent them; shown cleaned (a server could echo a secret).
    let Some(c) = &oauth.raw_claims else {
        return out;
    };
    let shown = |f: fn(&TokenClaims) -> Option<&String>| {
        oauth
            .claims
            .as_ref()
            .and_then(f)
            .map_or_else(|| "?".to_string(), String::clone)
    };
    if let Some(cid) = &c.client_id {
        if cid != &exp.client_id {
            out.push(format!(
                "oauth token client_id {} is not the credential's {}",
                shown(|c| c.client_id.as_ref()),
                exp.client_id
            ));
        }
        if let Some(j) = &exp.jwt_client_id
            && j != cid
        {
            out.push(format!(
                "oauth token client_id {} differs from the JWT credential's {j}",
                shown(|c| c.client_id.as_ref())
            ));
        }
    }
    if let (Some(u), Some(t)) = (&c.user_id, &exp.technical_account_id)
        && !u.eq_ignore_ascii_case(t)
    {
        out.push(format!(
            "oauth token user_id {} is not the technical account {t}",
            shown(|c| c.user_id.as_ref())
        ));
    }
    out
}

fn equivalence_problems(jwt: &FlowResult, oauth: &FlowResult) -> Vec<String> {
    let mut out = Vec::new();
    let (Some(j), Some(o)) = (&jwt.raw_claims, &oauth.raw_claims) else {
        return out;
    };
    let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => true,
    };
    if !same(&j.client_id, &o.client_id) {
        out.push("the tokens name different client ids".into());
    }
    if !same(&j.user_id, &o.user_id) {
        out.push("the tokens name different technical accounts (user_id)".into());
    }
    if !same(&j.issuer, &o.issuer) {
        out.push("the tokens come from different IMS clusters (as)".into());
    }
    // Found among the raw scopes, named by their cleaned form (same order).
    let shown = jwt.claims.as_ref().map_or(&[][..], |c| &c.scopes[..]);
    let lacking: Vec<&str> = j
        .scopes
        .iter()
        .enumerate()
        .filter(|(_, s)| !o.scopes.contains(s))
        .map(|(i, _)| shown.get(i).map_or("?", String::as_str))
        .collect();
    if !lacking.is_empty() {
        out.push(format!(
            "the OAuth token lacks scopes the JWT token had: {} (add the API or product profile to the OAuth credential)",
            lacking.join(", ")
        ));
    }
    out
}

fn coverage_notes(exp: &Expected, oauth: &FlowResult) -> Vec<String> {
    let Some(c) = &oauth.raw_claims else {
        return vec![
            "note: the OAuth access token is not a JWT; its claims were not compared".into(),
        ];
    };
    let cov = coverage(&exp.meta_scopes, &c.scopes);
    let mut out: Vec<String> = cov
        .missing
        .iter()
        .map(|(m, miss)| {
            format!(
                "note: metascope {m} is usually served by scopes {} which the OAuth token lacks",
                miss.join(", ")
            )
        })
        .collect();
    if !cov.unknown.is_empty() {
        out.push(format!(
            "note: no known scope mapping for {}; compared token claims only",
            cov.unknown.join(", ")
        ));
    }
    out
}

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;
