//! How a flow's final answer is judged (pure; unit-tested). Only an answer
//! that is recognisably IMS's can blame the credential: a JSON error body
//! with an `error` field on a 4xx (or 410 on the JWT endpoint, the retired
//! signal). Everything else is indeterminate with a reason that names what
//! happened: timeouts, resets, 429 and 5xx, redirects (never followed), a
//! body over 1 MiB, HTML or other non-JSON answers, JSON under the wrong
//! content type. Every server-provided string kept in the result is cleaned
//! by the run's [`Scrubber`].

use serde_json::Value;

use super::hints::{hint, looks_retired};
use super::outcome::{Flow, FlowResult, ImsError, Status};
use super::scrub::Scrubber;
use super::secret::Secret;
use super::send::{Answer, Exchange};
use super::token_claims::decode;

/// `expires_in` in seconds: the JWT endpoint answers in ms, the token endpoint in s.
pub fn normalise_expiry(flow: Flow, raw: i64) -> i64 {
    match flow {
        Flow::Jwt => raw / 1000,
        Flow::Oauth => raw,
    }
}

/// Whether a media type is JSON (`application/json`, `application/*+json`).
pub fn is_json_type(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| c == "application/json" || c.ends_with("+json"))
}

/// Classifies a final answer.
pub fn classify(flow: Flow, ex: &Exchange, scrub: &Scrubber) -> FlowResult {
    let mut r = FlowResult::skipped(flow, "");
    r.attempts = ex.attempts;
    r.latency_ms = Some(u64::try_from(ex.latency.as_millis()).unwrap_or(u64::MAX));
    let mut tries = if ex.attempts == 1 {
        "1 attempt".to_string()
    } else {
        format!("{} attempts", ex.attempts)
    };
    if let Some(why) = &ex.stopped {
        tries = format!("{tries}; {why}");
    }
    let (status, body, content_type, retry_after, redirect) = match &ex.answer {
        Answer::Failed { message, .. } => {
            r.status = Status::Indeterminate;
            r.reason = match message.strip_suffix(')') {
                Some(open) => format!("{open}, {tries})"),
                None => format!("{message} ({tries})"),
            };
            r.latency_ms = None;
            return r;
        }
        Answer::Http {
            status,
            body,
            content_type,
            debug_id,
            retry_after,
            redirect,
        } => {
            r.debug_id.clone_from(debug_id);
            (
                *status,
                body,
                content_type.as_deref(),
                retry_after,
                redirect,
            )
        }
    };
    r.http_status = Some(status);
    let typed_json = is_json_type(content_type);
    let json: Option<Value> = serde_json::from_str(body).ok().filter(Value::is_object);
    let get = |k: &str| json.as_ref().and_then(|j| j.get(k));
    let ct = content_type.unwrap_or("none");
    let not_json = if typed_json {
        format!("labelled {ct} but not valid JSON ({} bytes)", body.len())
    } else {
        format!("non-JSON response with content type {ct}")
    };
    r.ims_error = get("error")
        .and_then(Value::as_str)
        .filter(|_| typed_json)
        .map(|e| ImsError {
            error: scrub.clean(e, 64),
            error_description: get("error_description")
                .and_then(Value::as_str)
                .map(|d| scrub.clean(d, 300)),
        });
    let shape = if json.is_some() && typed_json {
        "JSON without an \"error\" field".to_string()
    } else {
        not_json.clone()
    };
    let err_text = r.ims_error.as_ref().map_or_else(
        || {
            if json.is_some() && typed_json {
                String::new()
            } else {
                format!(", {not_json}")
            }
        },
        |e| {
            let desc = e.error_description.as_deref();
            format!(
                ": {}{}",
                e.error,
                desc.map_or(String::new(), |d| format!(" ({d})"))
            )
        },
    );
    let indeterminate = |r: &mut FlowResult, reason: String| {
        r.status = Status::Indeterminate;
        r.reason = reason;
    };
    if (300..400).contains(&status) {
        let to = redirect.as_deref().unwrap_or("with no usable Location");
        indeterminate(
            &mut r,
            format!(
                "redirect refused: HTTP {status} {to}; redirects are never followed, so \
                 credentials never leave the IMS URL given ({tries})"
            ),
        );
        return r;
    }
    if status == 429 {
        let ra = retry_after.map_or(String::new(), |d| {
            format!(", Retry-After {} s", d.as_secs())
        });
        indeterminate(
            &mut r,
            format!("rate limited by IMS (HTTP 429{ra}, {tries})"),
        );
        return r;
    }
    if status >= 500 {
        indeterminate(
            &mut r,
            format!("IMS server error (HTTP {status}{err_text}, {tries})"),
        );
        return r;
    }
    if (200..300).contains(&status) {
        if !typed_json || json.is_none() {
            indeterminate(
                &mut r,
                format!(
                    "HTTP {status} is not a token answer: {not_json} (a login page, proxy or wrong --ims-url?)"
                ),
            );
            return r;
        }
        let Some(token) = get("access_token").and_then(Value::as_str) else {
            indeterminate(&mut r, format!("HTTP {status} without an access_token"));
            return r;
        };
        scrub.learn(token);
        r.status = Status::Valid;
        r.reason = "token issued".into();
        r.token_type = get("token_type")
            .and_then(Value::as_str)
            .map(|t| scrub.clean(t, 32));
        r.expires_in_raw =
            get("expires_in").and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
        r.expires_in_secs = r.expires_in_raw.map(|raw| normalise_expiry(flow, raw));
        r.set_claims(decode(token), scrub);
        r.token_masked = Some(crate::redact::mask(token));
        r.token = Some(Secret::new(token));
        return r;
    }
    let retired_signal = flow == Flow::Jwt && status == 410;
    if !(400..500).contains(&status) || (r.ims_error.is_none() && !retired_signal) {
        let what = if (400..500).contains(&status) {
            "is not an IMS error"
        } else {
            "is unexpected"
        };
        indeterminate(
            &mut r,
            format!(
                "HTTP {status} {what} ({shape}): the credential was not judged (a proxy, firewall or wrong --ims-url?)"
            ),
        );
        return r;
    }
    r.status = Status::Invalid;
    r.retired = flow == Flow::Jwt && looks_retired(status, r.ims_error.as_ref());
    r.reason = if r.retired {
        format!("IMS answers as for a retired JWT credential (HTTP {status}{err_text})")
    } else {
        format!("rejected by IMS (HTTP {status}{err_text})")
    };
    r.hint = Some(hint(flow, status, r.ims_error.as_ref(), r.retired));
    r
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
