//! Decoding an IMS access token's claims (observed, not documented: IMS
//! access tokens are JWTs with `client_id`, `user_id`, `as`, `scope`,
//! `created_at` and `expires_in` in ms). Decoding only: the signature belongs
//! to IMS and is not checked here.

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

/// The claims the comparison looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TokenClaims {
    /// `type` (`access_token`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `user_id`: the technical account for both flows.
    pub user_id: Option<String>,
    /// `as`: the issuing IMS cluster (`ims-na1`).
    #[serde(rename = "as")]
    pub issuer: Option<String>,
    /// `scope`, split on commas.
    pub scopes: Vec<String>,
    /// `created_at` (ms).
    pub created_at_ms: Option<i64>,
    /// `expires_in` (ms; a string in IMS tokens).
    pub expires_in_ms: Option<i64>,
}

impl TokenClaims {
    /// Expiry (Unix ms) = created_at + expires_in.
    pub fn expires_at_ms(&self) -> Option<i64> {
        Some(self.created_at_ms? + self.expires_in_ms?)
    }

    /// The claims with every string cleaned for display: the token came from
    /// a server, which could put anything (a secret it was sent) in them.
    pub fn cleaned(self, scrub: &super::scrub::Scrubber) -> Self {
        let c = |v: Option<String>| v.map(|s| scrub.clean(&s, 120));
        TokenClaims {
            kind: c(self.kind),
            client_id: c(self.client_id),
            user_id: c(self.user_id),
            issuer: c(self.issuer),
            scopes: self
                .scopes
                .into_iter()
                .take(200)
                .map(|s| scrub.clean(&s, 120))
                .collect(),
            ..self
        }
    }
}

/// Decodes a JWT's payload; `None` when the token is not a JWT.
pub fn decode(token: &str) -> Option<TokenClaims> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let n = |k: &str| match v.get(k) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    Some(TokenClaims {
        kind: s("type"),
        client_id: s("client_id"),
        user_id: s("user_id"),
        issuer: s("as"),
        scopes: s("scope")
            .map(|sc| {
                sc.split([',', ' '])
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        created_at_ms: n("created_at"),
        expires_in_ms: n("expires_in"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_ims_like_claims() {
        let payload = serde_json::json!({
            "id": "x", "type": "access_token", "client_id": "cid",
            "user_id": "TA@techacct.adobe.com", "as": "ims-na1",
            "scope": "openid,AdobeID,user_management_sdk",
            "created_at": "1700000000000", "expires_in": "86400000"
        });
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&payload).expect("json"));
        let token = format!("eyJhbGciOiJSUzI1NiJ9.{enc}.sig");
        let c = decode(&token).expect("claims");
        assert_eq!(c.client_id.as_deref(), Some("cid"));
        assert_eq!(c.issuer.as_deref(), Some("ims-na1"));
        assert_eq!(c.scopes, ["openid", "AdobeID", "user_management_sdk"]);
        assert_eq!(c.expires_at_ms(), Some(1_700_086_400_000));
    }

    #[test]
    fn opaque_tokens_decode_to_none() {
        assert_eq!(decode("not-a-jwt"), None);
        assert_eq!(decode("a.b.c"), None);
    }
}
