//! The emulator's own RSA key (generated at start) and the access tokens it
//! signs: JWTs with IMS-like claims (docs/adobe-ims.md §2): `id`, `type`,
//! `client_id`, `user_id`, `as`, `scope`, `created_at` (ms) and `expires_in`
//! (ms, as a string).

use std::sync::atomic::{AtomicU64, Ordering};

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::KeyPair as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use pkcs8::der::Decode as _;
use serde_json::{Map, Value, json};

use super::EmulatorError;

/// Signs and checks the emulator's access tokens.
pub struct Signer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    serial: AtomicU64,
}

/// What goes into an access token.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    /// Client id.
    pub client_id: &'a str,
    /// Technical account id.
    pub user_id: &'a str,
    /// Granted scopes.
    pub scopes: &'a [String],
    /// Now, Unix ms.
    pub now_ms: i64,
    /// Lifetime, ms.
    pub lifetime_ms: i64,
}

impl Signer {
    /// Generates a fresh 2048-bit RSA key.
    pub fn generate() -> Result<Self, EmulatorError> {
        let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .map_err(|_| EmulatorError::Key("RSA key generation failed".into()))?;
        let pkcs8 = kp
            .as_der()
            .map_err(|_| EmulatorError::Key("cannot encode the key".into()))?;
        let info = pkcs8::PrivateKeyInfo::from_der(pkcs8.as_ref())
            .map_err(|_| EmulatorError::Key("cannot decode the key".into()))?;
        Ok(Signer {
            encoding: EncodingKey::from_rsa_der(info.private_key),
            decoding: DecodingKey::from_rsa_der(kp.public_key().as_ref()),
            serial: AtomicU64::new(0),
        })
    }

    /// Signs an access token.
    pub fn issue(&self, g: &Grant<'_>) -> Result<String, EmulatorError> {
        let n = self.serial.fetch_add(1, Ordering::Relaxed);
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("ims_na1-key-at-1".into());
        header.x5u = Some("ims_na1-key-at-1.cer".into());
        let claims = json!({
            "id": format!("{}_{:08x}_ue1", g.now_ms, n),
            "type": "access_token",
            "client_id": g.client_id,
            "user_id": g.user_id,
            "as": "ims-na1",
            "aa_id": g.user_id,
            "ctp": 0,
            "pba": "MedSecNoEV,LowSec",
            "scope": g.scopes.join(","),
            "created_at": g.now_ms.to_string(),
            "expires_in": g.lifetime_ms.to_string(),
        });
        jsonwebtoken::encode(&header, &claims, &self.encoding)
            .map_err(|e| EmulatorError::Key(format!("signing failed: {e}")))
    }

    /// Checks a token's signature and returns its claims (expiry is the
    /// caller's business: IMS's `expires_in` is not a standard `exp`).
    pub fn check(&self, token: &str) -> Option<Map<String, Value>> {
        let mut v = Validation::new(Algorithm::RS256);
        v.validate_exp = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        jsonwebtoken::decode::<Map<String, Value>>(token, &self.decoding, &v)
            .ok()
            .map(|d| d.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_carry_ims_claims_and_verify() {
        let s = Signer::generate().expect("key");
        let scopes = vec!["openid".to_string(), "AdobeID".to_string()];
        let t = s
            .issue(&Grant {
                client_id: "cid",
                user_id: "TA@techacct.adobe.com",
                scopes: &scopes,
                now_ms: 1_000,
                lifetime_ms: 86_400_000,
            })
            .expect("token");
        let c = s.check(&t).expect("valid");
        assert_eq!(c["type"], "access_token");
        assert_eq!(c["scope"], "openid,AdobeID");
        assert_eq!(c["expires_in"], "86400000");
        let other = Signer::generate().expect("key");
        assert!(other.check(&t).is_none());
    }
}
