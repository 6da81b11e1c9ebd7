//! `jwt2oauth token`: print an OAuth Server-to-Server access token on stdout
//! (and nothing else there), for shell pipelines. With `--cache`, reuse a
//! cached token while more than 10 minutes remain.

use std::io::Write;

use anyhow::Context as _;

use super::Outcome;
use crate::cli::TokenArgs;
use crate::verify::env::{Clock, Env, ProcessEnv, SystemClock};
use crate::verify::flow::{self, Status, Target};
use crate::verify::trace::Trace;
use crate::verify::{cache, http, inputs};

/// Runs `token` with the process environment and clock.
pub fn run(args: &TokenArgs) -> anyhow::Result<Outcome> {
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

/// Runs `token` with an injected environment, clock and outputs.
pub fn run_with(
    args: &TokenArgs,
    env: &dyn Env,
    clock: &dyn Clock,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let resolved = inputs::resolve(&super::verify::credential_inputs(&args.creds), env)?;
    for w in &resolved.warnings {
        writeln!(err, "{w}")?;
    }
    let oauth = inputs::require_oauth(&resolved)?;
    let ims = http::check_ims_url(&args.creds.ims_url)?;
    let ims_str = ims.as_str().trim_end_matches('/').to_string();
    let secret = oauth.client_secrets.first().context("client secret")?;
    let cached = if args.cache {
        let dir = cache::dir(args.cache_dir.as_deref(), env)?;
        let hmac_key = cache::hmac_key(&dir)?;
        let key = cache::key(&hmac_key, &oauth.client_id, secret, &oauth.scopes, &ims_str);
        Some((dir, key))
    } else {
        None
    };
    if let Some((dir, key)) = &cached
        && let Some(token) = cache::get(dir, key, clock.now_secs())
    {
        writeln!(out, "{}", token.expose())?;
        return Ok(Outcome::Clean);
    }
    let policy = super::verify::retry_policy(&args.creds);
    let client = http::client(&policy, http::is_loopback(&ims))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let sink: Option<&mut dyn Write> = if args.creds.verbose {
        Some(&mut *err)
    } else {
        None
    };
    let trace = Trace::new(super::verify::known_secrets(&resolved), sink);
    let target = Target {
        ims: &ims,
        client: &client,
        policy: &policy,
        now_secs: clock.now_secs(),
        deadline: crate::verify::deadline_from_now(&policy),
        trace: &trace,
    };
    let r = rt.block_on(flow::run_oauth(
        &target,
        &oauth.client_id,
        secret,
        &oauth.scopes,
    ));
    let scrub = trace.into_scrub();
    match (r.status, &r.token) {
        (Status::Valid, Some(token)) => {
            if let Some((dir, key)) = &cached {
                let expires_at = r
                    .claims
                    .as_ref()
                    .and_then(|c| c.expires_at_ms())
                    .map(|ms| ms / 1000)
                    .or(r.expires_in_secs.map(|s| clock.now_secs() + s))
                    .unwrap_or(0);
                if let Err(e) = cache::put(
                    dir,
                    key,
                    &oauth.client_id,
                    &oauth.scopes,
                    &ims_str,
                    token,
                    expires_at,
                ) {
                    writeln!(err, "warning: {e}")?;
                }
            }
            writeln!(out, "{}", token.expose())?;
            Ok(Outcome::Clean)
        }
        _ => {
            let mut msg = format!("jwt2oauth: no token: {}\n", r.reason);
            if let Some(h) = &r.hint {
                msg.push_str(&format!("hint: {h}\n"));
            }
            err.write_all(scrub.scrub(&msg).as_bytes())?;
            Ok(Outcome::Findings)
        }
    }
}
