//! Sending a call: the retry loop ([`send_with_retry`]: retries, per
//! [`super::http::next_delay`], never start when their wait would pass the
//! deadline), and one attempt inside the run's bounds. It gets `min(--timeout-ms, time
//! left before --deadline-ms)` for connecting, the headers and the whole body
//! together; the body is read chunk by chunk and abandoned past the call's
//! cap ([`MAX_BODY`](super::send::MAX_BODY) unless it says otherwise). Failures come back as one clear, secret-free sentence;
//! server text in them is cleaned by the run's
//! [`Scrubber`](super::scrub::Scrubber).

use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};

use super::http::next_delay;
use super::http::{origin, parse_retry_after};
use super::send::{Answer, Call, Exchange, Failure, Target};

/// Sends `call` until it succeeds, the policy says stop, or the deadline
/// leaves no time for another attempt.
pub async fn send_with_retry(t: &Target<'_, '_>, call: &Call<'_>) -> Exchange {
    let mut attempts: u32 = 0;
    loop {
        attempts = attempts.saturating_add(1);
        let (answer, latency) = once(t, call, attempts).await;
        let Some(wait) = next_delay(attempts.saturating_sub(1), &answer.end(), t.policy) else {
            return Exchange {
                answer,
                attempts,
                latency,
                stopped: None,
            };
        };
        let left = t.deadline.saturating_duration_since(Instant::now());
        // Another attempt needs its wait plus a useful slice of time.
        if left <= wait.saturating_add(t.policy.timeout.min(Duration::from_millis(100))) {
            let cut = matches!(
                answer,
                Answer::Failed {
                    kind: Failure::Deadline,
                    ..
                }
            );
            let stopped = (!cut).then(|| {
                format!(
                    "a retry in {} ms would pass the {} ms run deadline",
                    wait.as_millis(),
                    t.policy.deadline.as_millis()
                )
            });
            t.trace.line(call.label, "no retry: deadline");
            return Exchange {
                answer,
                attempts,
                latency,
                stopped,
            };
        }
        t.trace
            .line(call.label, &format!("retrying in {} ms", wait.as_millis()));
        tokio::time::sleep(wait).await;
    }
}

/// One attempt, bounded in time (timeout and deadline) and memory (body
/// cap). A failure is traced with its reason.
pub async fn once(t: &Target<'_, '_>, call: &Call<'_>, n: u32) -> (Answer, Duration) {
    let (answer, took) = attempt(t, call, n).await;
    if let Answer::Failed { message, .. } = &answer {
        t.trace.line(call.label, &format!("! {message}"));
    }
    (answer, took)
}

async fn attempt(t: &Target<'_, '_>, call: &Call<'_>, n: u32) -> (Answer, Duration) {
    let start = Instant::now();
    let left = t.deadline.saturating_duration_since(start);
    let failed = |kind, message: String| Answer::Failed { kind, message };
    if left.is_zero() {
        let msg = format!(
            "not sent: the {} ms run deadline had passed",
            t.policy.deadline.as_millis()
        );
        return (failed(Failure::Deadline, msg), Duration::ZERO);
    }
    let budget = t.policy.timeout.min(left);
    let by_deadline = budget < t.policy.timeout;
    let until = tokio::time::Instant::from_std(start + budget);
    let timed_out = |phase: &str| {
        let ms = start.elapsed().as_millis();
        if by_deadline {
            let d = t.policy.deadline.as_millis();
            failed(
                Failure::Deadline,
                format!("stopped by the {d} ms run deadline after {ms} ms {phase}"),
            )
        } else {
            let ms = budget.as_millis();
            failed(Failure::Timeout, format!("timed out after {ms} ms {phase}"))
        }
    };

    let mut req = match &call.form {
        Some(f) => t.client.post(call.url.clone()).form(f),
        None => t.client.get(call.url.clone()),
    };
    if let Some(b) = call.bearer {
        req = req.bearer_auth(b.expose());
    }
    for (k, v) in &call.headers {
        req = req.header(*k, *v);
    }
    if t.trace.enabled() {
        trace_request(t, call, n, budget);
    }
    let mut resp = match tokio::time::timeout_at(until, req.send()).await {
        Err(_) => return (timed_out("waiting for a response"), start.elapsed()),
        Ok(Err(e)) => {
            let msg = describe(&e, "before a response arrived", t);
            return (failed(Failure::Network, msg), start.elapsed());
        }
        Ok(Ok(r)) => r,
    };
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header(CONTENT_TYPE.as_str()).map(|c| {
        let essence = c.split(';').next().unwrap_or_default().trim();
        t.trace.scrub.clean(&essence.to_ascii_lowercase(), 80)
    });
    let debug_id = header("x-debug-id").map(|d| t.trace.scrub.clean(&d, 100));
    let retry_after = header(RETRY_AFTER.as_str()).and_then(|v| parse_retry_after(&v, t.now_secs));
    let redirect = (300..400)
        .contains(&status)
        .then(|| redirect_target(&call.url, header(LOCATION.as_str()).as_deref(), t));
    t.trace.line(
        call.label,
        &format!(
            "< HTTP {status}, content type {}, after {} ms{}{}",
            content_type.as_deref().unwrap_or("none"),
            start.elapsed().as_millis(),
            debug_id
                .as_deref()
                .map_or(String::new(), |d| format!(", x-debug-id {d}")),
            redirect
                .as_deref()
                .map_or(String::new(), |r| format!(", Location {r}")),
        ),
    );

    let mut buf = Vec::new();
    let cap = call.max_body;
    let read = tokio::time::timeout_at(until, read_capped(&mut resp, &mut buf, cap)).await;
    let got = |buf: &Vec<u8>| format!("HTTP {status}, {} bytes received", buf.len());
    let answer = match read {
        Err(_) => timed_out(&format!("reading the response body ({})", got(&buf))),
        Ok(Err(BodyError::TooLarge(declared))) => failed(
            Failure::TooLarge,
            format!(
                "response body over {} (HTTP {status}{}): not read further",
                size_text(cap),
                declared.map_or(String::new(), |n| format!(", Content-Length {n}"))
            ),
        ),
        Ok(Err(BodyError::Net(e))) => {
            let phase = format!("while reading the response body ({})", got(&buf));
            failed(Failure::Network, describe(&e, &phase, t))
        }
        Ok(Ok(())) => {
            let body = String::from_utf8_lossy(&buf).into_owned();
            if t.trace.enabled() {
                let excerpt = t.trace.body_excerpt(&body);
                t.trace.line(
                    call.label,
                    &format!("< body ({} bytes): {excerpt}", buf.len()),
                );
            }
            Answer::Http {
                status,
                body,
                content_type,
                debug_id,
                retry_after,
                redirect,
            }
        }
    };
    (answer, start.elapsed())
}

fn trace_request(t: &Target<'_, '_>, call: &Call<'_>, n: u32, budget: Duration) {
    let mut shown = call.url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let mut parts = vec![format!(
        "> {} {shown} (attempt {n}, {} ms allowed)",
        if call.form.is_some() { "POST" } else { "GET" },
        budget.as_millis()
    )];
    if let Some(b) = call.bearer {
        parts.push(format!("Authorization: Bearer {}", b.masked()));
    }
    for (k, v) in &call.headers {
        parts.push(t.trace.field(k, v));
    }
    for (k, v) in call.form.iter().flatten() {
        parts.push(t.trace.field(k, v));
    }
    t.trace.line(call.label, &parts.join(" "));
}

/// Where a redirect pointed: its origin, and whether that is another one.
fn redirect_target(from: &Url, location: Option<&str>, t: &Target<'_, '_>) -> String {
    let Some(to) = location.and_then(|l| from.join(l).ok()) else {
        return "with no usable Location".into();
    };
    let (a, b) = (origin(from), origin(&to));
    let which = if a.is_some() && a == b {
        "the same origin"
    } else {
        "another origin"
    };
    let shown = b.map_or_else(|| "an opaque URL".into(), |o| t.trace.scrub.clean(&o, 100));
    format!("to {shown} ({which})")
}

enum BodyError {
    TooLarge(Option<u64>),
    Net(reqwest::Error),
}

/// A body cap for messages: `1 MiB`, or bytes when not a whole MiB.
fn size_text(cap: usize) -> String {
    if cap >= 1 << 20 && cap.is_multiple_of(1 << 20) {
        format!("{} MiB", cap >> 20)
    } else {
        format!("{cap} bytes")
    }
}

/// Reads the body chunk by chunk into `buf`, refusing more than `cap` bytes.
async fn read_capped(
    resp: &mut reqwest::Response,
    buf: &mut Vec<u8>,
    cap: usize,
) -> Result<(), BodyError> {
    if let Some(n) = resp.content_length()
        && n > cap as u64
    {
        return Err(BodyError::TooLarge(Some(n)));
    }
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Net)? {
        if buf.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge(None));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(())
}

/// A transport error as one sentence, without its URL (reqwest's own
/// message names the URL, which may carry a query string).
fn describe(e: &reqwest::Error, phase: &str, t: &Target<'_, '_>) -> String {
    use std::io::ErrorKind as K;
    let mut io_kind = None;
    let mut innermost = None;
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        innermost = Some(s.to_string());
        src = s.source();
    }
    let what = match io_kind {
        Some(K::ConnectionReset) => "connection reset by the server",
        Some(K::ConnectionRefused) => "connection refused",
        Some(K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof) => "connection closed",
        _ if e.is_connect() => "could not connect",
        _ if e.is_timeout() => "timed out",
        _ if e.is_body() || e.is_decode() => "the response broke off",
        _ => "transport error",
    };
    match innermost {
        Some(d) if io_kind.is_none() || what == "could not connect" => {
            format!("{what} {phase}: {}", t.trace.scrub.clean(&d, 160))
        }
        _ => format!("{what} {phase}"),
    }
}
