//! `jwt2oauth emulate-ims`: a local Adobe IMS on loopback that behaves as
//! docs/adobe-ims.md §1-2 document, for tests, demos and users' own CI.
//!
//! Endpoints: `/ims/exchange/jwt` (also `/ims/exchange/jwt/` and
//! `/ims/exchange/v1/jwt`), `/ims/token/v3` and `/ims/token/v2`
//! (client_credentials), `/ims/validate_token/v1`, and `GET /ims/profile/v1` (a bearer-token API to
//! aim `verify --probe` at), and with `--analytics FILE` the Analytics 2.0
//! endpoints `verify --analytics` calls ([`analytics`]). Fault injection (latency,
//! 429 with Retry-After, 5xx, a retired JWT endpoint) is in [`faults`].

pub mod analytics;
pub mod errors;
pub mod exchange;
pub mod faults;
pub mod form;
pub mod options;
pub mod registry;
pub mod signer;
pub mod token;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::Router;
use axum::routing::{get, post};

use crate::verify::env::Clock;
use options::{FaultScope, RetiredStyle};

/// Errors at the emulator boundary (startup only; request errors are IMS
/// JSON answers).
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// A credentials file or certificate could not be used.
    #[error("{0}")]
    Config(String),
    /// The emulator's own signing key could not be made.
    #[error("emulator key: {0}")]
    Key(String),
    /// Listening failed or the address is not loopback.
    #[error("{0}")]
    Listen(String),
    /// The `--analytics` file could not be used.
    #[error("--analytics {0}")]
    Analytics(String),
}

/// Fault injection settings.
#[derive(Debug, Clone)]
pub struct Faults {
    /// Added latency per request, ms.
    pub latency_ms: u64,
    /// Status to answer with.
    pub status: Option<u16>,
    /// Only the first N requests get it (`None`: all).
    pub count: Option<u64>,
    /// Which endpoints.
    pub scope: FaultScope,
    /// Retry-After seconds on 429/503.
    pub retry_after: Option<u64>,
    /// Answer JWT exchanges as after the JWT end of life.
    pub jwt_retired: Option<RetiredStyle>,
}

/// Shared server state.
pub struct AppState {
    /// Known clients.
    pub registry: registry::Registry,
    /// The emulator's own token signer.
    pub signer: signer::Signer,
    /// Fault injection.
    pub faults: Faults,
    /// This server's base URL (`http://127.0.0.1:PORT`).
    pub base_url: String,
    /// Access token lifetime, seconds.
    pub token_lifetime_secs: u64,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Requests seen by fault injection.
    pub fault_counter: AtomicU64,
    /// Requests seen (for debug ids).
    pub request_counter: AtomicU64,
    /// The Analytics companies and access (`--analytics FILE`).
    pub analytics: Option<analytics::Directory>,
}

/// The production IMS base: claims built on it are accepted too.
pub use crate::ims::ADOBE_IMS;

/// The router with every endpoint and the fault/debug-id middleware.
pub fn router(state: Arc<AppState>) -> Router {
    let ims = crate::ims::EXCHANGE_JWT_PATHS
        .iter()
        .fold(Router::new(), |r, p| r.route(p, post(exchange::handle)));
    crate::ims::TOKEN_PATHS
        .iter()
        .fold(ims, |r, p| r.route(p, post(token::handle)))
        .route(crate::ims::VALIDATE_TOKEN, post(token::validate))
        .route(crate::ims::PROFILE, get(token::profile))
        .route("/discovery/me", get(analytics::discovery))
        .route(
            "/api/{gc}/reportsuites/collections/suites",
            get(analytics::report_suites),
        )
        .route("/api/{gc}/metrics", get(analytics::metrics))
        .route("/api/{gc}/dimensions", get(analytics::dimensions))
        .route("/api/{gc}/segments", get(analytics::segments))
        .route(
            "/api/{gc}/calculatedmetrics",
            get(analytics::calculated_metrics),
        )
        .fallback(errors::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::layer,
        ))
        .with_state(state)
}
