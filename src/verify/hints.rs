//! What to tell the user about an IMS rejection: whether it reads as a
//! retired JWT credential, and a hint from IMS's error code and description.

use super::outcome::{Flow, ImsError};

/// Whether an error says the JWT credential or endpoint is retired.
pub fn looks_retired(status: u16, err: Option<&ImsError>) -> bool {
    if status == 410 {
        return true;
    }
    let text = err
        .map(|e| {
            format!(
                "{} {}",
                e.error,
                e.error_description.as_deref().unwrap_or("")
            )
        })
        .unwrap_or_default()
        .to_ascii_lowercase();
    [
        "end of life",
        "end-of-life",
        "no longer supported",
        "retired",
        "deprecated",
        "has been migrated",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// A hint from IMS's error code and description.
pub fn hint(flow: Flow, status: u16, err: Option<&ImsError>, retired: bool) -> String {
    if retired {
        return "the Service Account (JWT) credential has reached end of life: use the OAuth \
                Server-to-Server credential (remove the JWT code, key and metascopes)"
            .into();
    }
    let code = err.map_or("", |e| e.error.as_str());
    let desc = err
        .and_then(|e| e.error_description.as_deref())
        .unwrap_or("")
        .to_ascii_lowercase();
    match (flow, code) {
        (_, "invalid_client") if desc.contains("secret") || status == 401 => {
            "wrong client secret: copy a current one from the Developer Console (an OAuth \
             Server-to-Server credential holds up to two)"
                .into()
        }
        (Flow::Jwt, "invalid_client") => {
            "unknown client id, or the JWT's aud does not end with /c/<client_id> on this IMS host".into()
        }
        (_, "invalid_client") => {
            "unknown client id: check CLIENT_ID and that the OAuth Server-to-Server credential exists in this org".into()
        }
        (Flow::Jwt, "invalid_scope") => {
            "a metascope in the JWT is not granted to the credential: add the API or product \
             profile in the Console, or drop the metascope"
                .into()
        }
        (_, "invalid_scope") => {
            "a requested scope is not granted to this credential: request exactly the \
             credential's scopes; a missing API or product profile causes this"
                .into()
        }
        (_, "invalid_token") if desc.contains("expired") => {
            "the JWT's exp has passed: check this machine's clock and the JWT lifetime".into()
        }
        (_, "invalid_token" | "invalid_signature") => {
            "the JWT signature matches none of the credential's certificates: the private key \
             (--private-key) most likely does not belong to this credential; use the private.key \
             made with its certificate_pub.crt (or the certificate was removed or expired). \
             This answer alone does not mean the credential is retired"
                .into()
        }
        (_, "bad_request") => {
            "malformed claims: iss must be <ORG>@AdobeOrg, sub the technical account id, exp integer seconds".into()
        }
        (_, "unsupported_grant_type") => {
            "client_credentials is not allowed: is this an OAuth Server-to-Server credential?".into()
        }
        _ => format!("IMS rejected the request (HTTP {status}); quote the x-debug-id to Adobe support"),
    }
}
