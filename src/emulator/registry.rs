//! The clients the emulator accepts, from a Console workspace JSON (or the
//! credential downloads) plus the JWT credential's public certificates.

use std::path::PathBuf;

use jsonwebtoken::DecodingKey;

use super::EmulatorError;
use crate::ims::scopes::scopes_for;
use crate::verify::credentials::{self, Found};
use crate::verify::secret::Secret;

/// A Service Account (JWT) client and its binding.
pub struct JwtClient {
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub secret: Option<Secret>,
    /// `...@AdobeOrg` (the JWT's `iss`).
    pub org_id: Option<String>,
    /// Technical account id (the JWT's `sub`).
    pub technical_account_id: Option<String>,
    /// The binding's metascopes.
    pub meta_scopes: Vec<String>,
    /// Scopes put into issued tokens.
    pub token_scopes: Vec<String>,
    /// Public keys of the bound certificates.
    pub certs: Vec<DecodingKey>,
}

/// An OAuth Server-to-Server client.
pub struct OAuthClient {
    /// Client id.
    pub client_id: String,
    /// Accepted client secrets.
    pub secrets: Vec<Secret>,
    /// Technical account id (the token's `user_id`).
    pub technical_account_id: Option<String>,
    /// Scopes the credential may request.
    pub scopes: Vec<String>,
}

/// Every known client.
#[derive(Default)]
pub struct Registry {
    /// JWT clients.
    pub jwt: Vec<JwtClient>,
    /// OAuth clients.
    pub oauth: Vec<OAuthClient>,
}

impl Registry {
    /// Loads credential files and certificates. Every certificate is bound to
    /// every JWT credential (the common case is one of each).
    pub fn load(files: &[PathBuf], certs: &[PathBuf]) -> Result<Self, EmulatorError> {
        let mut found = Found::default();
        for f in files {
            found.extend(
                credentials::load_file(f, &[]).map_err(|e| EmulatorError::Config(e.to_string()))?,
            );
        }
        let mut keys = Vec::new();
        for c in certs {
            let pem = std::fs::read(c)
                .map_err(|e| EmulatorError::Config(format!("{}: {e}", c.display())))?;
            keys.push(DecodingKey::from_rsa_pem(&pem).map_err(|_| {
                EmulatorError::Config(format!(
                    "{}: not an RSA certificate or public key (PEM)",
                    c.display()
                ))
            })?);
        }
        Ok(Self::from_found(found, &keys))
    }

    /// Builds the registry from parsed credentials and certificate keys.
    pub fn from_found(found: Found, keys: &[DecodingKey]) -> Self {
        let oauth: Vec<OAuthClient> = found
            .oauth
            .into_iter()
            .map(|o| OAuthClient {
                client_id: o.client_id,
                secrets: o.client_secrets,
                technical_account_id: o.technical_account_id,
                scopes: o.scopes,
            })
            .collect();
        let jwt = found
            .jwt
            .into_iter()
            .map(|j| {
                // The equivalent OAuth credential's scopes are what the JWT
                // token grants too; without one, use the observed mapping.
                let token_scopes = oauth
                    .iter()
                    .find(|o| o.client_id == j.client_id && !o.scopes.is_empty())
                    .map_or_else(|| scopes_for(&j.meta_scopes), |o| o.scopes.clone());
                JwtClient {
                    client_id: j.client_id,
                    secret: j.client_secret,
                    org_id: j.org_id,
                    technical_account_id: j.technical_account_id,
                    meta_scopes: j.meta_scopes,
                    token_scopes,
                    certs: keys.to_vec(),
                }
            })
            .collect();
        Registry { jwt, oauth }
    }

    /// The JWT client with this id.
    pub fn jwt_client(&self, id: &str) -> Option<&JwtClient> {
        self.jwt.iter().find(|c| c.client_id == id)
    }

    /// The OAuth client with this id.
    pub fn oauth_client(&self, id: &str) -> Option<&OAuthClient> {
        self.oauth.iter().find(|c| c.client_id == id)
    }
}

/// Compares secrets without an early exit on the first differing byte.
pub fn secret_eq(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}
