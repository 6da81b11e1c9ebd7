//! `jwt2oauth emulate-ims`: load credentials and certificates, listen on a
//! loopback address, print `listening on http://ADDR` once accepting, serve
//! until interrupted.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use anyhow::Context as _;

use super::Outcome;
use crate::cli::EmulateArgs;
use crate::emulator::{
    AppState, EmulatorError, Faults, registry::Registry, router, signer::Signer,
};
use crate::verify::env::SystemClock;

/// Runs the emulator until Ctrl-C or SIGTERM.
pub fn run(args: &EmulateArgs) -> anyhow::Result<Outcome> {
    if !args.listen.ip().is_loopback() {
        return Err(EmulatorError::Listen(format!(
            "{} is not a loopback address: the emulator only listens on loopback",
            args.listen
        ))
        .into());
    }
    let registry = Registry::load(&args.credentials, &args.certificates)?;
    if !registry.jwt.is_empty() && args.certificates.is_empty() {
        eprintln!("emulate-ims: warning: no --certificate given: every JWT exchange will fail");
    }
    let analytics = args
        .analytics
        .as_deref()
        .map(crate::emulator::analytics::Directory::load)
        .transpose()?;
    let signer = Signer::generate()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| EmulatorError::Listen(format!("cannot listen on {}: {e}", args.listen)))?;
        let addr = listener.local_addr().context("local address")?;
        let base_url = format!("http://{addr}");
        let state = Arc::new(AppState {
            registry,
            signer,
            faults: Faults {
                latency_ms: args.latency_ms,
                status: args.fault,
                count: args.fault_count,
                scope: args.fault_scope,
                retry_after: args.retry_after,
                jwt_retired: args.jwt_retired,
            },
            base_url: base_url.clone(),
            token_lifetime_secs: args.token_lifetime,
            clock: Arc::new(SystemClock),
            fault_counter: AtomicU64::new(0),
            request_counter: AtomicU64::new(0),
            analytics,
        });
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on {base_url}")?;
            out.flush()?;
        }
        axum::serve(listener, router(state))
            .with_graceful_shutdown(shutdown())
            .await
            .context("serving")?;
        Ok(Outcome::Clean)
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
