//! `jwt2oauth token`: print an OAuth Server-to-Server access token on stdout
//! (and nothing else there), for shell pipelines. With `--cache`, reuse a
//! cached token while more than 10 minutes remain.

use std::io::Write;

use anyhow::Context as _;

use super::Outcome;
use crate::cli::TokenArgs;
use crate::verify::env::{Clock, Env, ProcessEnv, SystemClock};
use crate::verify::flow::{self, Status, Target};
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
    let resolved = inputs::resolve(&args.creds, env)?;
    for w in &resolved.warnings {
        writeln!(err, "{w}")?;
    }
    let oauth = inputs::require_oauth(&resolved)?;
    let ims = http::check_url(&args.creds.ims_url)?;
    let ims_str = ims.as_str().trim_end_matches('/').to_string();
    let cached = if args.cache {
        let dir = cache::dir(args.cache_dir.as_deref(), env)?;
        let key = cache::key(&oauth.client_id, &oauth.scopes, &ims_str);
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
    let policy = inputs::policy(&args.creds);
    let client = http::client(&policy, http::is_loopback(&ims))?;
    let secret = oauth.client_secrets.first().context("client secret")?;
    let target = Target {
        ims: &ims,
        client: &client,
        policy: &policy,
        now_secs: clock.now_secs(),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let r = rt.block_on(flow::run_oauth(
        &target,
        &oauth.client_id,
        secret,
        &oauth.scopes,
    ));
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
            writeln!(err, "jwt2oauth: no token: {}", r.reason)?;
            if let Some(h) = &r.hint {
                writeln!(err, "hint: {h}")?;
            }
            Ok(Outcome::Findings)
        }
    }
}
