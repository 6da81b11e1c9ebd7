//! The request and answer types of the verifier's calls. Sending them (one
//! attempt inside the run's bounds, and the retry loop) is
//! [`super::attempt`].

use std::time::{Duration, Instant};

use reqwest::Url;

use super::http::{AttemptEnd, RetryPolicy};
use super::secret::Secret;
use super::trace::Trace;

/// Largest response body read: 1 MiB (an IMS answer is under 4 KiB).
pub const MAX_BODY: usize = 1 << 20;

/// Where and how to call, within which bounds.
pub struct Target<'a, 'w> {
    /// IMS base URL.
    pub ims: &'a Url,
    /// The HTTP client (no redirects).
    pub client: &'a reqwest::Client,
    /// Retries and timeouts.
    pub policy: &'a RetryPolicy,
    /// Now, Unix seconds (for `Retry-After` dates).
    pub now_secs: i64,
    /// When the run must be over.
    pub deadline: Instant,
    /// The `--verbose` trace and the run's known secrets.
    pub trace: &'a Trace<'w>,
}

/// One request: a form POST, or a GET (the probe).
pub struct Call<'a> {
    /// `jwt`, `oauth`, `probe jwt`... (trace lines).
    pub label: &'a str,
    /// Where.
    pub url: Url,
    /// Form fields: a POST when given, else a GET.
    pub form: Option<Vec<(&'a str, &'a str)>>,
    /// `Authorization: Bearer`.
    pub bearer: Option<&'a Secret>,
    /// Other headers (not secret).
    pub headers: Vec<(&'static str, &'a str)>,
    /// The largest body read ([`MAX_BODY`] unless a listing needs more).
    pub max_body: usize,
}

/// Why an attempt produced no usable HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The per-attempt timeout passed.
    Timeout,
    /// The run deadline cut the attempt short (or left no time for it).
    Deadline,
    /// Connecting failed or the connection broke.
    Network,
    /// The body was over the call's cap ([`MAX_BODY`] by default).
    TooLarge,
}

/// The final answer of a request after retries.
#[derive(Debug, Clone)]
pub enum Answer {
    /// A complete HTTP response.
    Http {
        /// Status code.
        status: u16,
        /// Body text, at most the call's cap (may hold a token: never print
        /// it unredacted).
        body: String,
        /// The media type (`text/html`), cleaned, without parameters.
        content_type: Option<String>,
        /// IMS's `x-debug-id`, cleaned.
        debug_id: Option<String>,
        /// The `Retry-After` header, if sent.
        retry_after: Option<Duration>,
        /// For a 3xx: where it pointed (origin only) and whether that is
        /// another origin.
        redirect: Option<String>,
    },
    /// No complete response.
    Failed {
        /// What kind of failure.
        kind: Failure,
        /// One sentence: what happened, in which phase (no URL query, no
        /// body, no secret).
        message: String,
    },
}

impl Answer {
    pub(super) fn end(&self) -> AttemptEnd {
        match self {
            Answer::Http {
                status,
                retry_after,
                ..
            } => AttemptEnd::Status(*status, *retry_after),
            Answer::Failed {
                kind: Failure::Timeout | Failure::Network,
                ..
            } => AttemptEnd::Network,
            Answer::Failed { .. } => AttemptEnd::Final,
        }
    }
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
    /// Why retrying stopped early, when the deadline stopped it.
    pub stopped: Option<String>,
}
