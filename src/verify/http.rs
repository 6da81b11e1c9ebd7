//! HTTP policy for both flows: the IMS URL policy (https only, except
//! loopback; no credentials or query in it), a client that never follows
//! redirects (a redirect must never carry credentials to another host), and
//! when to retry: network errors and timeouts, 5xx and 429, with exponential
//! backoff from 500 ms that honours `Retry-After`, all inside the run's
//! deadline. Sending and bounded reading are in [`super::send`].

use std::net::IpAddr;
use std::time::Duration;

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
    /// Per-attempt timeout: connecting, the headers and the whole body.
    pub timeout: Duration,
    /// Deadline for the whole run (both flows, every retry, the probe).
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            deadline: Duration::from_secs(60),
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
    /// An answer that retrying cannot improve (e.g. a body over the cap).
    Final,
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
        AttemptEnd::Status(..) | AttemptEnd::Final => return None,
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

/// Checks a probe URL: https, or http on a loopback host only, and no
/// `user:password@` (the URL is shown in output). Errors never echo the URL.
pub fn check_url(raw: &str) -> Result<Url, VerifyError> {
    let url =
        Url::parse(raw.trim()).map_err(|e| VerifyError::Usage(format!("invalid URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(VerifyError::Usage(
            "a URL must not carry credentials (user:password@)".into(),
        ));
    }
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

/// Checks the IMS base URL: as [`check_url`], and no query or fragment
/// (endpoint paths are appended to it).
pub fn check_ims_url(raw: &str) -> Result<Url, VerifyError> {
    let url = check_url(raw).map_err(|e| VerifyError::Usage(format!("--ims-url: {e}")))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(VerifyError::Usage(
            "--ims-url: give the base URL only, without ?query or #fragment".into(),
        ));
    }
    Ok(url)
}

/// The origin (`scheme://host:port`) of a URL, or `None` for opaque ones.
pub fn origin(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    Some(format!("{}://{host}:{port}", url.scheme()))
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

/// Builds the client: rustls, no redirects, the policy's connect timeout.
/// The per-attempt timeout and the run deadline are enforced around each
/// attempt by [`super::send`], headers and body included.
pub fn client(policy: &RetryPolicy, loopback: bool) -> Result<reqwest::Client, VerifyError> {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(policy.timeout)
        .user_agent(concat!("jwt2oauth/", env!("CARGO_PKG_VERSION")));
    if loopback {
        b = b.no_proxy();
    }
    b.build()
        .map_err(|e| VerifyError::Usage(format!("cannot build the HTTP client: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: RetryPolicy = RetryPolicy {
        max_retries: 3,
        base_backoff: Duration::from_millis(500),
        max_wait: Duration::from_secs(30),
        timeout: Duration::from_secs(10),
        deadline: Duration::from_secs(60),
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
        assert_eq!(next_delay(0, &AttemptEnd::Final, &P), None);
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

    #[test]
    fn urls_with_credentials_or_a_query_are_refused_without_echoing_them() {
        let e = check_url("https://me:p8e-URLsecretURLsecret@ims.example").expect_err("refused");
        assert!(!e.to_string().contains("URLsecret"), "{e}");
        let e = check_url("not a url p8e-URLsecretURLsecret").expect_err("refused");
        assert!(!e.to_string().contains("URLsecret"), "{e}");
        assert!(check_url("https://api.example/x?client_secret=1").is_ok());
        assert!(check_ims_url("https://ims.example/?client_secret=1").is_err());
        assert!(check_ims_url("https://ims.example/prefix").is_ok());
        let u = check_ims_url("http://127.0.0.2:8080/").expect("loopback");
        assert_eq!(origin(&u).as_deref(), Some("http://127.0.0.2:8080"));
    }
}
