//! Loading the JWT credential's private key: PEM PKCS#8 or PKCS#1, base64
//! PKCS#8 (as Java users keep it in `aio_encoded_pkcs8`), and encrypted
//! PKCS#8 with a passphrase. The key never leaves this module except as a
//! `jsonwebtoken::EncodingKey`.

use base64::Engine as _;
use jsonwebtoken::EncodingKey;
use pkcs8::der::Decode as _;
use pkcs8::{EncryptedPrivateKeyInfo, PrivateKeyInfo};

use super::VerifyError;
use super::credentials::KeySource;
use super::secret::Secret;

/// Reads the key text from its source.
pub fn read_source(source: &KeySource) -> Result<Secret, VerifyError> {
    match source {
        KeySource::Inline(s) => Ok(s.clone()),
        KeySource::File(p) => std::fs::read_to_string(p)
            .map(Secret::new)
            .map_err(|e| VerifyError::Key(format!("cannot read {}: {e}", p.display()))),
    }
}

/// Parses a private key (PEM or base64 DER, possibly encrypted) into an RS256
/// signing key, and proves it signs.
pub fn signing_key(text: &Secret, passphrase: Option<&Secret>) -> Result<EncodingKey, VerifyError> {
    let text = text.expose().trim().replace("\\n", "\n");
    let key = if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        let (_, doc) = pkcs8::SecretDocument::from_pem(&text)
            .map_err(|_| VerifyError::Key("the encrypted PKCS#8 PEM cannot be parsed".into()))?;
        decrypt(doc.as_bytes(), passphrase)?
    } else if text.contains("-----BEGIN") {
        if text.contains("-----BEGIN OPENSSH") || text.contains("-----BEGIN EC") {
            return Err(VerifyError::Key("not an RSA private key".into()));
        }
        EncodingKey::from_rsa_pem(text.as_bytes())
            .map_err(|_| VerifyError::Key("the PEM private key cannot be parsed".into()))?
    } else {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|_| VerifyError::Key("the key is neither PEM nor base64 PKCS#8 DER".into()))?;
        from_der(&der, passphrase)?
    };
    check_signs(&key)?;
    Ok(key)
}

fn from_der(der: &[u8], passphrase: Option<&Secret>) -> Result<EncodingKey, VerifyError> {
    if let Ok(info) = PrivateKeyInfo::from_der(der) {
        return Ok(EncodingKey::from_rsa_der(info.private_key));
    }
    if EncryptedPrivateKeyInfo::from_der(der).is_ok() {
        return decrypt(der, passphrase);
    }
    // Possibly bare PKCS#1 DER; check_signs rejects anything else.
    Ok(EncodingKey::from_rsa_der(der))
}

fn decrypt(der: &[u8], passphrase: Option<&Secret>) -> Result<EncodingKey, VerifyError> {
    let pass = passphrase.ok_or_else(|| {
        VerifyError::Key(
            "the private key is encrypted: give its passphrase (JWT2OAUTH_PRIVATE_KEY_PASSPHRASE)"
                .into(),
        )
    })?;
    let enc = EncryptedPrivateKeyInfo::from_der(der)
        .map_err(|_| VerifyError::Key("the encrypted PKCS#8 key cannot be parsed".into()))?;
    let doc = enc.decrypt(pass.expose().as_bytes()).map_err(|_| {
        VerifyError::Key("cannot decrypt the private key: wrong passphrase?".into())
    })?;
    let info = PrivateKeyInfo::from_der(doc.as_bytes())
        .map_err(|_| VerifyError::Key("the decrypted key is not PKCS#8".into()))?;
    Ok(EncodingKey::from_rsa_der(info.private_key))
}

/// Signs a throwaway token so a bad key fails here, before any network call.
fn check_signs(key: &EncodingKey) -> Result<(), VerifyError> {
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    jsonwebtoken::encode(&header, &serde_json::json!({"probe": true}), key)
        .map(|_| ())
        .map_err(|_| VerifyError::Key("the private key is not a usable RSA key".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Secret {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/ims")
            .join(name);
        Secret::new(std::fs::read_to_string(p).expect("fixture"))
    }

    #[test]
    fn pkcs8_and_pkcs1_pem_load() {
        assert!(signing_key(&fixture("private.key"), None).is_ok());
        assert!(signing_key(&fixture("private_pkcs1.key"), None).is_ok());
    }

    #[test]
    fn base64_pkcs8_loads() {
        let pem = fixture("private.key");
        let body: String = pem
            .expose()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert!(signing_key(&Secret::new(body), None).is_ok());
    }

    #[test]
    fn encrypted_pkcs8_needs_the_right_passphrase() {
        let key = fixture("private_encrypted.key");
        let good = Secret::new("fixture-passphrase");
        assert!(signing_key(&key, Some(&good)).is_ok());
        let Err(err) = signing_key(&key, None) else {
            panic!("an encrypted key needs its passphrase")
        };
        assert!(err.to_string().contains("passphrase"), "{err}");
        let bad = Secret::new("nope");
        assert!(signing_key(&key, Some(&bad)).is_err());
    }

    #[test]
    fn garbage_is_rejected_without_echoing_it() {
        let Err(err) = signing_key(&Secret::new("not a key at all !!"), None) else {
            panic!("garbage must be rejected")
        };
        assert!(!err.to_string().contains("not a key at all"));
    }
}
