//! Turns command-line flags, environment variables and config files into the
//! pair of credentials to verify. Precedence: flags, then environment, then
//! files. Secrets are read from the (injected) environment; a secret given as
//! a plain flag value works but earns a warning.

use super::VerifyError;
use super::credentials::{Found, JwtCredential, KeySource, OAuthCredential, load_file};
use super::env::Env;
use super::secret::Secret;

/// Environment variable names for secrets (never flags with `env`, so that a
/// secret on the command line can be told apart and warned about).
pub const ENV_CLIENT_SECRET: &str = "JWT2OAUTH_CLIENT_SECRET";
/// The OAuth credential's secret when it differs from the JWT one.
pub const ENV_OAUTH_CLIENT_SECRET: &str = "JWT2OAUTH_OAUTH_CLIENT_SECRET";
/// The private key itself (PEM or base64 PKCS#8).
pub const ENV_PRIVATE_KEY: &str = "JWT2OAUTH_PRIVATE_KEY";
/// The private key's passphrase.
pub const ENV_PASSPHRASE: &str = "JWT2OAUTH_PRIVATE_KEY_PASSPHRASE";

/// The credentials to verify, plus warnings for the user.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The JWT credential, if any.
    pub jwt: Option<JwtCredential>,
    /// The OAuth Server-to-Server credential, if any.
    pub oauth: Option<OAuthCredential>,
    /// Warnings (e.g. a secret given on the command line).
    pub warnings: Vec<String>,
}

/// What the user gave for the credentials: the flags (or the environment
/// variables clap reads for them), as plain values. `commands/` builds it
/// from the command line; secrets here are the flag values, warned about.
#[derive(Debug, Clone, Default)]
pub struct CredentialInputs {
    /// Console workspace JSON, credential download, aio config or .env files.
    pub configs: Vec<std::path::PathBuf>,
    /// Only these aio IMS contexts.
    pub contexts: Vec<String>,
    /// Client id (also picks the credential when a file holds several).
    pub client_id: Option<String>,
    /// IMS org id.
    pub org_id: Option<String>,
    /// Technical account id.
    pub technical_account_id: Option<String>,
    /// JWT metascopes.
    pub metascopes: Vec<String>,
    /// OAuth scopes.
    pub scopes: Vec<String>,
    /// The JWT credential's private key file.
    pub private_key: Option<std::path::PathBuf>,
    /// Client secret given as a flag value (earns a warning).
    pub client_secret: Option<String>,
    /// Private key passphrase given as a flag value (earns a warning).
    pub passphrase: Option<String>,
    /// Only the OAuth Server-to-Server flow.
    pub oauth_only: bool,
}

/// Resolves flags, environment and files.
pub fn resolve(args: &CredentialInputs, env: &dyn Env) -> Result<Resolved, VerifyError> {
    let mut found = Found::default();
    for path in &args.configs {
        found.extend(load_file(path, &args.contexts)?);
    }
    let mut warnings = Vec::new();
    let mut flag_secret = |value: &Option<String>, flag: &str, var: &str| {
        value.as_ref().map(|v| {
            warnings.push(format!(
                "warning: --{flag} puts a secret in shell history and the process list; set {var} instead"
            ));
            Secret::new(v.clone())
        })
    };
    let secret = flag_secret(&args.client_secret, "client-secret", ENV_CLIENT_SECRET)
        .or_else(|| env.var(ENV_CLIENT_SECRET).map(Secret::new));
    let passphrase = flag_secret(&args.passphrase, "passphrase", ENV_PASSPHRASE)
        .or_else(|| env.var(ENV_PASSPHRASE).map(Secret::new));
    let oauth_secret = env.var(ENV_OAUTH_CLIENT_SECRET).map(Secret::new);
    let key = args.private_key.clone().map(KeySource::File).or_else(|| {
        env.var(ENV_PRIVATE_KEY)
            .map(|k| KeySource::Inline(Secret::new(k)))
    });

    let wanted = args.client_id.as_deref();
    let pick_oauth = |c: &OAuthCredential| wanted.is_none_or(|w| c.client_id == w);
    let mut oauth = found.oauth.iter().find(|c| pick_oauth(c)).cloned();
    let jwt_client = wanted.or(oauth.as_ref().map(|o| o.client_id.as_str()));
    let mut jwt = found
        .jwt
        .iter()
        .find(|c| jwt_client.is_none_or(|w| c.client_id == w))
        .or_else(|| found.jwt.iter().find(|_| wanted.is_none()))
        .cloned();

    let jwt_wanted = !args.metascopes.is_empty() || key.is_some();
    if jwt.is_none() && jwt_wanted && !args.oauth_only {
        jwt = Some(JwtCredential {
            source: "flags/env".into(),
            ..Default::default()
        });
    }
    if let Some(j) = jwt.as_mut() {
        fill(&mut j.client_id, args.client_id.as_ref());
        set(&mut j.client_secret, secret.clone());
        set(&mut j.org_id, args.org_id.clone());
        set(
            &mut j.technical_account_id,
            args.technical_account_id.clone(),
        );
        if !args.metascopes.is_empty() {
            j.meta_scopes = args.metascopes.clone();
        }
        set(&mut j.private_key, key);
        set(&mut j.passphrase, passphrase);
    }
    if oauth.is_none()
        && (!args.scopes.is_empty()
            || (args.client_id.is_some() && secret.is_some())
            || jwt.is_some())
    {
        // The Console's "equivalent" OAuth credential keeps the client id.
        let base = jwt.as_ref();
        if args.scopes.is_empty() && args.client_id.is_none() {
            warnings.push(
                "warning: no OAuth Server-to-Server credential given: trying client_credentials with \
                 the JWT credential's client id and secret (give --scopes, or a workspace JSON with both)"
                    .into(),
            );
        }
        oauth = Some(OAuthCredential {
            client_id: base.map(|j| j.client_id.clone()).unwrap_or_default(),
            org_id: base.and_then(|j| j.org_id.clone()),
            technical_account_id: base.and_then(|j| j.technical_account_id.clone()),
            source: "flags/env".into(),
            ..Default::default()
        });
    }
    if let Some(o) = oauth.as_mut() {
        fill(&mut o.client_id, args.client_id.as_ref());
        if let Some(s) = oauth_secret.or(secret) {
            o.client_secrets.insert(0, s);
        } else if o.client_secrets.is_empty()
            && let Some(s) = jwt.as_ref().and_then(|j| j.client_secret.clone())
        {
            o.client_secrets.push(s);
        }
        set(&mut o.org_id, args.org_id.clone());
        set(
            &mut o.technical_account_id,
            args.technical_account_id.clone(),
        );
        if !args.scopes.is_empty() {
            o.scopes = args.scopes.clone();
        }
    }
    if args.oauth_only {
        jwt = None;
    }
    Ok(Resolved {
        jwt,
        oauth,
        warnings,
    })
}

fn fill(slot: &mut String, value: Option<&String>) {
    if let Some(v) = value {
        slot.clone_from(v);
    }
}

fn set<T>(slot: &mut Option<T>, value: Option<T>) {
    if value.is_some() {
        *slot = value;
    }
}

/// What a JWT credential lacks for the exchange, by flag name.
pub fn jwt_missing(j: &JwtCredential) -> Vec<&'static str> {
    let mut m = Vec::new();
    if j.client_id.is_empty() {
        m.push("client id (--client-id)");
    }
    if j.client_secret.is_none() {
        m.push("client secret (JWT2OAUTH_CLIENT_SECRET)");
    }
    if j.org_id.is_none() {
        m.push("org id (--org-id)");
    }
    if j.technical_account_id.is_none() {
        m.push("technical account id (--technical-account-id)");
    }
    if j.meta_scopes.is_empty() {
        m.push("metascopes (--metascopes)");
    }
    if j.private_key.is_none() {
        m.push("private key (--private-key FILE or JWT2OAUTH_PRIVATE_KEY)");
    }
    m
}

/// What an OAuth credential lacks.
pub fn oauth_missing(o: &OAuthCredential) -> Vec<&'static str> {
    let mut m = Vec::new();
    if o.client_id.is_empty() {
        m.push("client id (--client-id)");
    }
    if o.client_secrets.is_empty() {
        m.push("client secret (JWT2OAUTH_CLIENT_SECRET)");
    }
    m
}

/// The OAuth credential, complete, or a usage error saying what is missing.
pub fn require_oauth(r: &Resolved) -> Result<OAuthCredential, VerifyError> {
    let o = r.oauth.clone().ok_or_else(|| {
        VerifyError::Usage(
            "no OAuth Server-to-Server credential: give --config with a Console workspace JSON \
             or an OAuth credential download, or --client-id, --scopes and JWT2OAUTH_CLIENT_SECRET"
                .into(),
        )
    })?;
    let missing = oauth_missing(&o);
    if missing.is_empty() {
        Ok(o)
    } else {
        Err(VerifyError::Usage(format!(
            "the OAuth credential ({}) lacks: {}",
            o.source,
            missing.join(", ")
        )))
    }
}
