//! Credentials from where users keep them: a Developer Console workspace JSON,
//! the per-credential JSON downloads, aio CLI IMS contexts (JSON or `.env`
//! `AIO_ims_contexts_*` variables), and flat `.env` files (`CLIENT_ID=...`).
//! See docs/adobe-ims.md §4 for the shapes.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::VerifyError;
use super::secret::Secret;
pub use super::values::{KeySource, split_list};
use super::values::{as_string, field, key_value, list, path, resolve, unquote};

/// A Service Account (JWT) credential.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwtCredential {
    /// The client id (API key).
    pub client_id: String,
    /// The client secret.
    pub client_secret: Option<Secret>,
    /// The IMS org id (`...@AdobeOrg`).
    pub org_id: Option<String>,
    /// The technical account id (`...@techacct.adobe.com`), the JWT's `sub`.
    pub technical_account_id: Option<String>,
    /// The technical account email.
    pub technical_account_email: Option<String>,
    /// Metascopes (`ent_user_sdk`...), one JWT claim each.
    pub meta_scopes: Vec<String>,
    /// The private key, when the config names it.
    pub private_key: Option<KeySource>,
    /// The private key's passphrase, when the config holds it.
    pub passphrase: Option<Secret>,
    /// Where this credential was read from (a path, or `flags/env`).
    pub source: String,
}

/// An OAuth Server-to-Server credential.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuthCredential {
    /// The client id (the same as the JWT one after a Console migration).
    pub client_id: String,
    /// Client secrets (an S2S credential holds at most two); the first is used.
    pub client_secrets: Vec<Secret>,
    /// The IMS org id.
    pub org_id: Option<String>,
    /// The technical account id.
    pub technical_account_id: Option<String>,
    /// The technical account email.
    pub technical_account_email: Option<String>,
    /// OAuth scopes to request.
    pub scopes: Vec<String>,
    /// Where this credential was read from.
    pub source: String,
}

/// Every credential found in one or more config sources.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// JWT credentials, in file order.
    pub jwt: Vec<JwtCredential>,
    /// OAuth Server-to-Server credentials, in file order.
    pub oauth: Vec<OAuthCredential>,
}

impl Found {
    /// Appends everything from `other`.
    pub fn extend(&mut self, other: Found) {
        self.jwt.extend(other.jwt);
        self.oauth.extend(other.oauth);
    }
}

/// Reads and parses a config file (JSON or `.env`).
pub fn load_file(path: &Path, contexts: &[String]) -> Result<Found, VerifyError> {
    let text = std::fs::read_to_string(path).map_err(|e| VerifyError::Config {
        source_name: path.display().to_string(),
        message: format!("cannot read: {e}"),
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse_text(&text, &path.display().to_string(), base, contexts)
}

/// Parses a config text. `base_dir` resolves relative key paths; `contexts`
/// restricts aio contexts to the named ones (all when empty).
pub fn parse_text(
    text: &str,
    source: &str,
    base_dir: &Path,
    contexts: &[String],
) -> Result<Found, VerifyError> {
    let err = |message: String| VerifyError::Config {
        source_name: source.to_string(),
        message,
    };
    let found = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(root)) => parse_json(&root, source, base_dir, contexts),
        Ok(_) => return Err(err("expected a JSON object".into())),
        Err(json_err) if text.trim_start().starts_with('{') => {
            return Err(err(format!("invalid JSON: {json_err}")));
        }
        Err(_) => parse_dotenv(text, source, base_dir, contexts),
    };
    if found.jwt.is_empty() && found.oauth.is_empty() {
        return Err(err(
            "no Adobe credential found (expected a Console workspace JSON, a credential \
             download, aio IMS contexts, or CLIENT_ID=... variables)"
                .into(),
        ));
    }
    Ok(found)
}

fn parse_json(root: &Map<String, Value>, source: &str, base: &Path, contexts: &[String]) -> Found {
    if let Some(creds) = path(root, &["project", "workspace", "details", "credentials"]) {
        let org = path(root, &["project", "org", "ims_org_id"]).and_then(as_string);
        return parse_workspace(creds, org, source);
    }
    if let Some(Value::Object(ctxs)) = path(root, &["ims", "contexts"]) {
        return parse_contexts(ctxs, source, base, contexts);
    }
    if let Some(Value::Object(legacy)) = root.get("jwt-auth") {
        return parse_legacy_jwt_auth(legacy, source, base);
    }
    parse_flat(root, source, base)
}

fn parse_workspace(creds: &Value, org: Option<String>, source: &str) -> Found {
    let mut found = Found::default();
    for cred in creds.as_array().into_iter().flatten() {
        if let Some(Value::Object(j)) = cred.get("jwt") {
            found.jwt.push(JwtCredential {
                client_id: field(j, &["client_id"]).unwrap_or_default(),
                client_secret: field(j, &["client_secret"]).map(Secret::new),
                org_id: org.clone(),
                technical_account_id: field(j, &["techacct_id", "technical_account_id"]),
                technical_account_email: field(j, &["techacct_email", "technical_account_email"]),
                meta_scopes: list(j, &["meta_scopes", "metascopes"]),
                source: source.to_string(),
                ..Default::default()
            });
        }
        if let Some(Value::Object(o)) = cred.get("oauth_server_to_server") {
            found.oauth.push(OAuthCredential {
                client_id: field(o, &["client_id"]).unwrap_or_default(),
                client_secrets: list(o, &["client_secrets", "client_secret"])
                    .into_iter()
                    .map(Secret::new)
                    .collect(),
                org_id: org.clone(),
                technical_account_id: field(o, &["technical_account_id", "techacct_id"]),
                technical_account_email: field(o, &["technical_account_email", "techacct_email"]),
                scopes: list(o, &["scopes"]),
                source: source.to_string(),
            });
        }
    }
    found
}

fn parse_contexts(
    ctxs: &Map<String, Value>,
    source: &str,
    base: &Path,
    wanted: &[String],
) -> Found {
    let mut found = Found::default();
    for (name, ctx) in ctxs {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == name) {
            continue;
        }
        if let Value::Object(ctx) = ctx {
            let f = parse_flat(ctx, &format!("{source} (context {name})"), base);
            found.extend(f);
        }
    }
    found
}

fn parse_legacy_jwt_auth(j: &Map<String, Value>, source: &str, base: &Path) -> Found {
    let payload = j.get("jwt_payload").and_then(Value::as_object);
    let meta_scopes = payload
        .map(|p| {
            p.keys()
                .filter_map(|k| k.split_once("/s/").map(|(_, m)| m.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let cred = JwtCredential {
        client_id: field(j, &["client_id"]).unwrap_or_default(),
        client_secret: field(j, &["client_secret"]).map(Secret::new),
        org_id: payload.and_then(|p| field(p, &["iss"])),
        technical_account_id: payload.and_then(|p| field(p, &["sub"])),
        meta_scopes,
        private_key: key_value(j.get("jwt_private_key"), base),
        passphrase: field(j, &["passphrase"]).map(Secret::new),
        source: source.to_string(),
        ..Default::default()
    };
    Found {
        jwt: vec![cred],
        oauth: vec![],
    }
}

/// A flat object: a per-credential download, one aio context, or `.env`
/// variables. Keys are matched case-insensitively.
fn parse_flat(obj: &Map<String, Value>, source: &str, base: &Path) -> Found {
    let lower: Map<String, Value> = obj
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    let o = &lower;
    let client_id = field(o, &["client_id", "api_key", "clientid"]).unwrap_or_default();
    let org_id = field(o, &["ims_org_id", "org_id", "ims_org", "orgid"]);
    let tech_id = field(
        o,
        &["technical_account_id", "techacct_id", "tech_account_id"],
    );
    let tech_email = field(o, &["technical_account_email", "techacct_email"]);
    let meta_scopes = list(o, &["meta_scopes", "metascopes", "meta_scope", "metascope"]);
    let private_key = key_value(o.get("private_key"), base).or_else(|| {
        field(o, &["private_key_path", "private_key_file", "pathtokey"])
            .map(|p| KeySource::File(resolve(base, &p)))
    });
    let scopes = list(o, &["scopes", "scope"]);
    let secrets = list(o, &["client_secrets"]);
    let secret = field(o, &["client_secret"]);
    let mut found = Found::default();
    let is_jwt = !meta_scopes.is_empty()
        || private_key.is_some()
        || o.contains_key("public_keys_with_expiry");
    if is_jwt {
        found.jwt.push(JwtCredential {
            client_id: client_id.clone(),
            client_secret: secret
                .clone()
                .or_else(|| secrets.first().cloned())
                .map(Secret::new),
            org_id: org_id.clone(),
            technical_account_id: tech_id.clone(),
            technical_account_email: tech_email.clone(),
            meta_scopes,
            private_key,
            passphrase: field(o, &["passphrase"]).map(Secret::new),
            source: source.to_string(),
        });
    }
    let is_oauth = !scopes.is_empty() || !secrets.is_empty() || (!is_jwt && secret.is_some());
    if is_oauth && !client_id.is_empty() {
        let mut all: Vec<String> = secrets;
        if all.is_empty() {
            all.extend(secret);
        }
        found.oauth.push(OAuthCredential {
            client_id,
            client_secrets: all.into_iter().map(Secret::new).collect(),
            org_id,
            technical_account_id: tech_id,
            technical_account_email: tech_email,
            scopes,
            source: source.to_string(),
        });
    }
    found
}

/// Parses `.env` text: `AIO_ims_contexts_<ctx>_<key>` variables become aio
/// contexts (`__` is a literal `_`), anything else is a flat credential.
fn parse_dotenv(text: &str, source: &str, base: &Path, contexts: &[String]) -> Found {
    let mut flat = Map::new();
    let mut aio: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = unquote(v.trim());
        if let Some(rest) = k.trim().strip_prefix("AIO_ims_contexts_") {
            let decoded = rest.replace("__", "\u{0}");
            if let Some((ctx, key)) = decoded.split_once('_') {
                aio.entry(ctx.replace('\u{0}', "_"))
                    .or_default()
                    .insert(key.replace('\u{0}', "_"), Value::String(v));
            }
        } else {
            flat.insert(k.trim().to_string(), Value::String(v));
        }
    }
    if !aio.is_empty() {
        let ctxs: Map<String, Value> = aio
            .into_iter()
            .map(|(k, v)| (k, Value::Object(v)))
            .collect();
        return parse_contexts(&ctxs, source, base, contexts);
    }
    parse_flat(&flat, source, base)
}

#[cfg(test)]
#[path = "credentials_tests.rs"]
mod tests;
