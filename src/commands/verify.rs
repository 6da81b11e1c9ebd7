//! `jwt2oauth verify`: resolve credentials, run both flows, print the table
//! or JSON, and map the verdict to an outcome (0 verified, 1 not verified).
//! Everything printed after the credentials are known passes the run's
//! scrubber, which knows every secret of the run.

use std::io::Write;

use anyhow::Context as _;

use super::Outcome;
use crate::cli::{VerifyArgs, VerifyFormat};
use crate::verify::analytics::AnalyticsPlan;
use crate::verify::env::{Clock, Env, ProcessEnv, SystemClock};
use crate::verify::scrub::Scrubber;
use crate::verify::trace::Trace;
use crate::verify::{self, Plan, VerifyError, http, inputs, key, render};

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
    let resolved = inputs::resolve(&args.creds, env)?;
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
        policy: inputs::policy(&args.creds),
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
