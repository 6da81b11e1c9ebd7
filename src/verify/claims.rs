//! The JWT the Service Account flow signs: `exp`, `iss`, `sub`, `aud` and one
//! claim per metascope (docs/adobe-ims.md §1). Claims are built on the IMS
//! base URL in use, as Adobe's own libraries do with their `ims` option.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value};

use super::VerifyError;
use super::secret::Secret;

/// What the claims are built from.
#[derive(Debug, Clone)]
pub struct ClaimsInput<'a> {
    /// IMS base URL without a trailing slash, e.g. `https://ims-na1.adobelogin.com`.
    pub ims_base: &'a str,
    /// The client id (`aud` ends with it).
    pub client_id: &'a str,
    /// The org (`iss`), `...@AdobeOrg`.
    pub org_id: &'a str,
    /// The technical account id (`sub`).
    pub technical_account_id: &'a str,
    /// Metascope names, or full metascope URLs.
    pub meta_scopes: &'a [String],
    /// Now, Unix seconds.
    pub now_secs: i64,
    /// How long the JWT is valid, in seconds (negative makes an expired JWT, for tests).
    pub lifetime_secs: i64,
}

/// Builds the claim set.
pub fn build(input: &ClaimsInput<'_>) -> Map<String, Value> {
    let base = input.ims_base.trim_end_matches('/');
    let mut claims = Map::new();
    claims.insert(
        "exp".into(),
        Value::from(input.now_secs + input.lifetime_secs),
    );
    claims.insert("iss".into(), Value::from(input.org_id));
    claims.insert("sub".into(), Value::from(input.technical_account_id));
    claims.insert(
        "aud".into(),
        Value::from(crate::ims::aud_claim(base, input.client_id)),
    );
    for m in input.meta_scopes {
        let key = if m.starts_with("https://") || m.starts_with("http://") {
            m.clone()
        } else {
            crate::ims::metascope_claim(base, m)
        };
        claims.insert(key, Value::Bool(true));
    }
    claims
}

/// Signs the claims with RS256 (header `{"alg":"RS256","typ":"JWT"}`).
pub fn sign(claims: &Map<String, Value>, key: &EncodingKey) -> Result<Secret, VerifyError> {
    let header = Header::new(Algorithm::RS256);
    jsonwebtoken::encode(&header, claims, key)
        .map(Secret::new)
        .map_err(|e| VerifyError::Key(format!("signing the JWT failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(meta: &[String]) -> ClaimsInput<'_> {
        ClaimsInput {
            ims_base: "https://ims-na1.adobelogin.com/",
            client_id: "abc",
            org_id: "ORG@AdobeOrg",
            technical_account_id: "TA@techacct.adobe.com",
            meta_scopes: meta,
            now_secs: 1_000,
            lifetime_secs: 300,
        }
    }

    #[test]
    fn claims_follow_the_documented_shape() {
        let meta = vec![
            "ent_user_sdk".to_string(),
            "https://ims-na1.adobelogin.com/s/ent_analytics_bulk_ingest_sdk".to_string(),
        ];
        let c = build(&input(&meta));
        assert_eq!(c["exp"], 1_300);
        assert_eq!(c["iss"], "ORG@AdobeOrg");
        assert_eq!(c["sub"], "TA@techacct.adobe.com");
        assert_eq!(c["aud"], "https://ims-na1.adobelogin.com/c/abc");
        assert_eq!(c["https://ims-na1.adobelogin.com/s/ent_user_sdk"], true);
        assert_eq!(
            c["https://ims-na1.adobelogin.com/s/ent_analytics_bulk_ingest_sdk"],
            true
        );
        assert_eq!(c.len(), 6);
    }

    #[test]
    fn claims_use_a_custom_ims_base() {
        let meta = vec!["ent_user_sdk".to_string()];
        let mut i = input(&meta);
        i.ims_base = "http://127.0.0.1:4000";
        let c = build(&i);
        assert_eq!(c["aud"], "http://127.0.0.1:4000/c/abc");
        assert!(c.contains_key("http://127.0.0.1:4000/s/ent_user_sdk"));
    }
}
