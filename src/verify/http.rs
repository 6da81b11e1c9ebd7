//! HTTP for both flows: the IMS URL policy (https only, except loopback), a
//! client that never follows redirects (a redirect must never carry
//! credentials to another host), and retries on network errors, 5xx and 429
//! with exponential backoff from 500 ms that honours `Retry-After`.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use reqwest::Url;

use super::VerifyError;

/// Retry and timeout settings.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt (Adobe's libraries use 3).
    pub max_retries: u32,
    /// First backoff; doubles on each retry.
    pub base_backoff: Duration,
    /// The longest wait accepted (a longer `Retry-After` ends the retries).
    pub max_wait: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }
}

/// How one attempt ended, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptEnd {
    /// An HTTP response with this status and optional `Retry-After` delay.
    Status(u16, Option<Duration>),
    /// A timeout, connection or transport error.
    Network,
}

/// The wait before retry number `retry` (0-based), or `None` to stop.
pub fn next_delay(retry: u32, end: &AttemptEnd, policy: &RetryPolicy) -> Option<Duration> {
    if retry >= policy.max_retries {
        return None;
    }
    let backoff = policy
        .base_backoff
        .saturating_mul(2u32.saturating_pow(retry));
    let wait = match end {
        AttemptEnd::Network => backoff,
        AttemptEnd::Status(s, retry_after) if *s == 429 || (500..600).contains(s) => {
            retry_after.unwrap_or(backoff)
        }
        AttemptEnd::Status(..) => return None,
    };
    (wait <= policy.max_wait).then_some(wait)
}

/// Parses `Retry-After`: delay seconds, or an HTTP date relative to `now_secs`.
pub fn parse_retry_after(value: &str, now_secs: i64) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp().as_second();
    Some(Duration::from_secs(
        u64::try_from(when - now_secs).unwrap_or(0),
    ))
}

/// Checks an IMS (or probe) URL: https, or http on a loopback host only.
pub fn check_url(raw: &str) -> Result<Url, VerifyError> {
    let url = Url::parse(raw.trim())
        .map_err(|e| VerifyError::Usage(format!("invalid URL {raw:?}: {e}")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(VerifyError::Usage(format!(
            "refusing plain http to {}: only https, or http on loopback (the emulator)",
            url.host_str().unwrap_or("?")
        ))),
        other => Err(VerifyError::Usage(format!(
            "unsupported URL scheme {other:?}"
        ))),
    }
}

/// Whether the URL's host is loopback (`localhost`, 127.0.0.0/8, `::1`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Builds the client: rustls, no redirects, the policy's timeout.
pub fn client(policy: &RetryPolicy, loopback: bool) -> Result<reqwest::Client, VerifyError> {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(policy.timeout)
        .connect_timeout(policy.timeout)
        .user_agent(concat!("jwt2oauth/", env!("CARGO_PKG_VERSION")));
    if loopback {
        b = b.no_proxy();
    }
    b.build()
        .map_err(|e| VerifyError::Usage(format!("cannot build the HTTP client: {e}")))
}

/// The final answer of a request after retries.
#[derive(Debug, Clone)]
pub enum Answer {
    /// An HTTP response.
    Http {
        /// Status code.
        status: u16,
        /// Body text (may hold a token: never print it unredacted).
        body: String,
        /// IMS's `x-debug-id`, if sent.
        debug_id: Option<String>,
        /// The `Retry-After` header, if sent.
        retry_after: Option<Duration>,
    },
    /// No HTTP response: timeout or transport error.
    Network {
        /// True for a timeout.
        timeout: bool,
        /// What happened (no URL query, no body).
        message: String,
    },
}

/// An answer plus how it was obtained.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The final answer.
    pub answer: Answer,
    /// Attempts made (1 + retries).
    pub attempts: u32,
    /// Latency of the last attempt.
    pub latency: Duration,
}

/// Sends `build()` until it succeeds or the policy says stop.
pub async fn send_with_retry<F>(build: F, policy: &RetryPolicy, now_secs: i64) -> Exchange
where
    F: Fn() -> reqwest::RequestBuilder,
{
    let mut attempts = 0;
    loop {
        attempts += 1;
        let start = Instant::now();
        let result = build().send().await;
        let latency = start.elapsed();
        let answer = match result {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let header = |n: &str| {
                    resp.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                let debug_id = header("x-debug-id");
                let retry_after =
                    header("retry-after").and_then(|v| parse_retry_after(&v, now_secs));
                let body = resp.text().await.unwrap_or_default();
                Answer::Http {
                    status,
                    body,
                    debug_id,
                    retry_after,
                }
            }
            Err(e) => Answer::Network {
                timeout: e.is_timeout(),
                message: describe(&e),
            },
        };
        let end = match &answer {
            Answer::Http {
                status,
                retry_after,
                ..
            } => AttemptEnd::Status(*status, *retry_after),
            Answer::Network { .. } => AttemptEnd::Network,
        };
        match next_delay(attempts - 1, &end, policy) {
            Some(wait) => tokio::time::sleep(wait).await,
            None => {
                return Exchange {
                    answer,
                    attempts,
                    latency,
                };
            }
        }
    }
}

/// A transport error without its URL (which may carry a query string).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_request() {
        "request failed"
    } else {
        "transport error"
    };
    let mut detail = String::new();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        detail = s.to_string();
        src = s.source();
    }
    let detail = crate::redact::redact_text(&detail).into_owned();
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: RetryPolicy = RetryPolicy {
        max_retries: 3,
        base_backoff: Duration::from_millis(500),
        max_wait: Duration::from_secs(30),
        timeout: Duration::from_secs(10),
    };

    #[test]
    fn backoff_doubles_from_500ms_and_stops_after_3_retries() {
        let e = AttemptEnd::Network;
        assert_eq!(next_delay(0, &e, &P), Some(Duration::from_millis(500)));
        assert_eq!(next_delay(1, &e, &P), Some(Duration::from_millis(1000)));
        assert_eq!(next_delay(2, &e, &P), Some(Duration::from_millis(2000)));
        assert_eq!(next_delay(3, &e, &P), None);
    }

    #[test]
    fn retry_after_wins_and_4xx_never_retries() {
        let r = AttemptEnd::Status(429, Some(Duration::from_secs(2)));
        assert_eq!(next_delay(0, &r, &P), Some(Duration::from_secs(2)));
        let too_long = AttemptEnd::Status(429, Some(Duration::from_secs(3600)));
        assert_eq!(next_delay(0, &too_long, &P), None);
        assert_eq!(
            next_delay(0, &AttemptEnd::Status(500, None), &P),
            Some(Duration::from_millis(500))
        );
        assert_eq!(next_delay(0, &AttemptEnd::Status(400, None), &P), None);
        assert_eq!(next_delay(0, &AttemptEnd::Status(200, None), &P), None);
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 7 ", 0), Some(Duration::from_secs(7)));
        // Sun, 06 Nov 1994 08:49:37 GMT = 784111777
        let d = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_770);
        assert_eq!(d, Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_800),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", 0), None);
    }

    #[test]
    fn only_https_or_loopback_http() {
        assert!(check_url("https://ims-na1.adobelogin.com").is_ok());
        assert!(check_url("http://127.0.0.1:8080").is_ok());
        assert!(check_url("http://localhost:8080").is_ok());
        assert!(check_url("http://[::1]:8080").is_ok());
        assert!(check_url("http://ims-na1.adobelogin.com").is_err());
        assert!(check_url("http://127.0.0.1.evil.example").is_err());
        assert!(check_url("ftp://127.0.0.1").is_err());
    }
}
