//! `--probe URL`: call one API endpoint with each token (headers
//! `Authorization: Bearer`, `x-api-key`, `x-gw-ims-org-id`) and compare the
//! status and the response's shape (its top-level JSON keys). Redirects are
//! not followed, so a bearer token never travels to another host; the calls
//! share the run's deadline and 1 MiB body cap.

use reqwest::Url;
use serde::Serialize;
use serde_json::Value;

use super::flow::FlowResult;
use super::send::{Answer, Call, Target};
use super::verdict::{Kind, Verdict};

/// One probe call.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeCall {
    /// HTTP status, or `None` on a network error.
    pub status: Option<u16>,
    /// Latency, ms.
    pub latency_ms: Option<u64>,
    /// Top-level JSON keys, or a description of a non-JSON body.
    pub shape: String,
}

/// Both probe calls (each only when that flow produced a token).
#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    /// The URL probed (no query string).
    pub url: String,
    /// With the JWT token.
    pub jwt: Option<ProbeCall>,
    /// With the OAuth token.
    pub oauth: Option<ProbeCall>,
}

/// Calls the URL with each valid token, once, inside the run's bounds.
pub async fn run(
    t: &Target<'_, '_>,
    url: &Url,
    client_id: &str,
    org: Option<&str>,
    jwt: &FlowResult,
    oauth: &FlowResult,
) -> ProbeReport {
    let call = |label: &'static str, r: &FlowResult| {
        let token = r.token.clone();
        async move {
            let token = token?;
            let mut headers = vec![("x-api-key", client_id)];
            if let Some(o) = org {
                headers.push(("x-gw-ims-org-id", o));
            }
            let call = Call {
                label,
                url: url.clone(),
                form: None,
                bearer: Some(&token),
                headers,
                max_body: super::send::MAX_BODY,
            };
            let (answer, latency) = super::attempt::once(t, &call, 1).await;
            Some(match answer {
                Answer::Http {
                    status,
                    redirect,
                    body,
                    ..
                } => ProbeCall {
                    status: Some(status),
                    latency_ms: u64::try_from(latency.as_millis()).ok(),
                    shape: match redirect {
                        Some(to) => format!("redirect refused ({to})"),
                        None => t.trace.scrub.clean(&shape(&body), 300),
                    },
                },
                Answer::Failed { message, .. } => ProbeCall {
                    status: None,
                    latency_ms: None,
                    shape: message,
                },
            })
        }
    };
    let (j, o) = tokio::join!(call("probe jwt", jwt), call("probe oauth", oauth));
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    ProbeReport {
        url: t.trace.scrub.clean(shown.as_str(), 300),
        jwt: j,
        oauth: o,
    }
}

/// The shape of a body: sorted top-level keys of a JSON object, or its kind.
pub fn shape(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(m)) => {
            let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
            keys.sort_unstable();
            format!("{{{}}}", keys.join(","))
        }
        Ok(Value::Array(a)) => format!("[{} items]", a.len()),
        Ok(_) => "JSON scalar".into(),
        Err(_) => format!("non-JSON ({} bytes)", body.len()),
    }
}

/// A probe that tells the tokens apart makes the migration unverified.
pub fn amend_verdict(p: &ProbeReport, v: &mut Verdict) {
    let ok = |c: &ProbeCall| c.status.is_some_and(|s| (200..300).contains(&s));
    if let Some(o) = &p.oauth
        && !ok(o)
    {
        v.details.push(format!(
            "probe: the OAuth token got {} from {}",
            o.status.map_or("no answer".into(), |s| format!("HTTP {s}")),
            p.url
        ));
        if v.verified {
            v.verified = false;
            v.kind = Kind::NotEquivalent;
            v.summary = "not verified: the API probe failed with the OAuth token".into();
        }
        return;
    }
    if let (Some(j), Some(o)) = (&p.jwt, &p.oauth)
        && (j.status != o.status || j.shape != o.shape)
    {
        v.details.push(format!(
            "probe: the API answers differently (JWT: {:?} {}, OAuth: {:?} {})",
            j.status, j.shape, o.status, o.shape
        ));
        if v.verified && ok(j) {
            v.verified = false;
            v.kind = Kind::NotEquivalent;
            v.summary = "not equivalent: the API answers the tokens differently".into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_keys_or_kinds() {
        assert_eq!(shape(r#"{"b":1,"a":{"x":2}}"#), "{a,b}");
        assert_eq!(shape("[1,2]"), "[2 items]");
        assert_eq!(shape("<html>"), "non-JSON (6 bytes)");
    }
}
