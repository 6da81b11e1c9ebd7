//! Middleware on every request: an `x-debug-id` header (as IMS sends),
//! injected latency and faults (429 with `Retry-After`, 5xx) for the
//! endpoints in scope (IMS's error shape, or Analytics' envelope on the
//! Analytics paths), and one log line on stderr (method, path, status:
//! never the query string or body, which may hold secrets).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::errors::ImsErr;
use super::options::FaultScope;

/// The middleware.
pub async fn layer(State(s): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let n = s.request_counter.fetch_add(1, Ordering::Relaxed);
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let in_scope = in_scope(s.faults.scope, &path);
    if in_scope && s.faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(s.faults.latency_ms)).await;
    }
    let mut resp = match s.faults.status.filter(|_| in_scope) {
        Some(status) if take_fault(&s) => fault(status, s.faults.retry_after, &path, n),
        _ => next.run(req).await,
    };
    let debug_id = format!("emu-{:x}-{n:06x}", s.clock.now_ms());
    if let Ok(v) = HeaderValue::from_str(&debug_id) {
        resp.headers_mut().insert("x-debug-id", v);
    }
    eprintln!(
        "emulate-ims: {method} {path} -> {} ({} ms, x-debug-id {debug_id})",
        resp.status().as_u16(),
        start.elapsed().as_millis()
    );
    resp
}

/// Whether fault injection applies to this path.
pub fn in_scope(scope: FaultScope, path: &str) -> bool {
    let jwt = path.starts_with(crate::ims::EXCHANGE_PREFIX);
    let token = path.starts_with(crate::ims::TOKEN_PREFIX);
    match scope {
        FaultScope::All => path.starts_with(crate::ims::IMS_PREFIX),
        FaultScope::Jwt => jwt,
        FaultScope::Token => token,
        FaultScope::Analytics => path.starts_with("/discovery/") || path.starts_with("/api/"),
    }
}

fn take_fault(s: &AppState) -> bool {
    let seen = s.fault_counter.fetch_add(1, Ordering::Relaxed);
    s.faults.count.is_none_or(|c| seen < c)
}

fn fault(status: u16, retry_after: Option<u64>, path: &str, n: u64) -> Response {
    let (error, desc) = match status {
        429 => ("too_many_requests", "Too many requests, slow down"),
        s if s >= 500 => ("internal_error", "Please try again later"),
        _ => ("bad_request", "injected fault"),
    };
    let mut resp = if in_scope(FaultScope::Analytics, path) {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
        (code, axum::Json(super::analytics::fault_body(status, n))).into_response()
    } else {
        ImsErr::new(status, error, desc).into_response()
    };
    if let Some(secs) = retry_after.filter(|_| status == 429 || status == 503)
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        resp.headers_mut().insert("retry-after", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_select_endpoints() {
        assert!(in_scope(FaultScope::All, "/ims/token/v3"));
        assert!(in_scope(FaultScope::Jwt, "/ims/exchange/jwt/"));
        assert!(!in_scope(FaultScope::Jwt, "/ims/token/v3"));
        assert!(in_scope(FaultScope::Token, "/ims/token/v2"));
        assert!(!in_scope(FaultScope::Token, "/ims/validate_token/v1"));
        assert!(in_scope(FaultScope::Analytics, "/discovery/me"));
        assert!(in_scope(FaultScope::Analytics, "/api/exampl0/metrics"));
        assert!(!in_scope(FaultScope::Analytics, "/ims/token/v3"));
        assert!(!in_scope(FaultScope::All, "/discovery/me"));
    }
}
