//! `jwt2oauth verify`: resolve credentials, run both flows, print the table
//! or JSON, and map the verdict to an outcome (0 verified, 1 not verified).
//! Everything printed after the credentials are known passes the run's
//! scrubber, which knows every secret of the run.

use std::io::Write;

use anyhow::Context as _;

use super::Outcome;
use crate::cli::{CredentialArgs, VerifyArgs, VerifyFormat};
use crate::verify::analytics::AnalyticsPlan;
use crate::verify::env::{Clock, Env, ProcessEnv, SystemClock};
use crate::verify::scrub::Scrubber;
use crate::verify::trace::Trace;
use crate::verify::{self, Plan, VerifyError, http, inputs, key, render};

/// The credential flags as `verify`'s own plain inputs (no clap type below
/// `commands/`).
pub(crate) fn credential_inputs(a: &CredentialArgs) -> inputs::CredentialInputs {
    inputs::CredentialInputs {
        configs: a.configs.clone(),
        contexts: a.contexts.clone(),
        client_id: a.client_id.clone(),
        org_id: a.org_id.clone(),
        technical_account_id: a.technical_account_id.clone(),
        metascopes: a.metascopes.clone(),
        scopes: a.scopes.clone(),
        private_key: a.private_key.clone(),
        client_secret: a.client_secret.clone(),
        passphrase: a.passphrase.clone(),
        oauth_only: a.oauth_only,
    }
}

/// The retry policy from the flags.
pub(crate) fn retry_policy(a: &CredentialArgs) -> http::RetryPolicy {
    use std::time::Duration;
    http::RetryPolicy {
        max_retries: a.retries,
        base_backoff: Duration::from_millis(a.backoff_ms),
        max_wait: Duration::from_millis(a.max_wait_ms),
        timeout: Duration::from_millis(a.timeout_ms.max(1)),
        deadline: Duration::from_millis(a.deadline_ms.max(1)),
    }
}

/// Runs `verify` with the process environment and clock.
pub fn run(args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run_with(
        args,
        &ProcessEnv,
        &SystemClock,
        &mut stdout.lock(),
        &mut stderr.lock(),
    )
}

/// Runs `verify` with an injected environment, clock and outputs.
pub fn run_with(
    args: &VerifyArgs,
    env: &dyn Env,
    clock: &dyn Clock,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let resolved = inputs::resolve(&credential_inputs(&args.creds), env)?;
    for w in &resolved.warnings {
        writeln!(err, "{w}")?;
    }
    let oauth = inputs::require_oauth(&resolved)?;
    let scrub = known_secrets(&resolved);
    let jwt = match resolved.jwt.clone() {
        Some(j) => {
            let missing = inputs::jwt_missing(&j);
            if !missing.is_empty() {
                return Err(VerifyError::Usage(format!(
                    "the JWT credential ({}) lacks: {} (or pass --oauth-only)",
                    j.source,
                    missing.join(", ")
                ))
                .into());
            }
            let source = j.private_key.as_ref().context("private key")?;
            let text = key::read_source(source)?;
            scrub.learn_key(text.expose());
            let signing = key::signing_key(&text, j.passphrase.as_ref())?;
            Some((j, signing))
        }
        None => None,
    };
    let ims = http::check_ims_url(&args.creds.ims_url)?;
    let analytics = if args.analytics {
        Some(AnalyticsPlan::new(
            args.analytics_url.as_deref(),
            args.company.as_deref(),
            &ims,
        )?)
    } else {
        None
    };
    let plan = Plan {
        jwt,
        oauth,
        ims,
        policy: retry_policy(&args.creds),
        jwt_lifetime_secs: args.jwt_lifetime,
        probe: args.probe.as_deref().map(http::check_url).transpose()?,
        analytics,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let sink: Option<&mut dyn Write> = if args.creds.verbose {
        Some(&mut *err)
    } else {
        None
    };
    let trace = Trace::new(scrub, sink);
    let result = rt.block_on(verify::run(&plan, clock, &trace));
    let scrub = trace.into_scrub();
    let mut report = result?;
    report.warnings = resolved.warnings;
    let mut buf = Vec::new();
    match args.format {
        VerifyFormat::Human => render::human(&report, &mut buf)?,
        VerifyFormat::Json => render::json(&report, &mut buf)?,
    }
    out.write_all(scrub.scrub(&String::from_utf8_lossy(&buf)).as_bytes())?;
    out.flush()?;
    Ok(if report.verdict.verified {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// A scrubber that knows the credentials' secrets (the key is added once read).
pub fn known_secrets(resolved: &inputs::Resolved) -> Scrubber {
    let scrub = Scrubber::new();
    if let Some(j) = &resolved.jwt {
        for s in j.client_secret.iter().chain(&j.passphrase) {
            scrub.learn(s.expose());
        }
    }
    if let Some(o) = &resolved.oauth {
        for s in &o.client_secrets {
            scrub.learn(s.expose());
        }
    }
    scrub
}
