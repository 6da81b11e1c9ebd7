//! `--probe URL`: call one API endpoint with each token (headers
//! `Authorization: Bearer`, `x-api-key`, `x-gw-ims-org-id`) and compare the
//! status and the response's shape (its top-level JSON keys). Redirects are
//! not followed, so a bearer token never travels to another host.

use std::time::Instant;

use reqwest::Url;
use serde::Serialize;
use serde_json::Value;

use super::flow::FlowResult;
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

/// Calls the URL with each valid token.
pub async fn run(
    client: &reqwest::Client,
    url: &Url,
    client_id: &str,
    org: Option<&str>,
    jwt: &FlowResult,
    oauth: &FlowResult,
) -> ProbeReport {
    let call = |r: &FlowResult| {
        let token = r.token.clone();
        async move {
            let token = token?;
            let mut req = client
                .get(url.clone())
                .bearer_auth(token.expose())
                .header("x-api-key", client_id);
            if let Some(o) = org {
                req = req.header("x-gw-ims-org-id", o);
            }
            let start = Instant::now();
            Some(match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let latency = u64::try_from(start.elapsed().as_millis()).ok();
                    let body = resp.text().await.unwrap_or_default();
                    ProbeCall {
                        status: Some(status),
                        latency_ms: latency,
                        shape: shape(&body),
                    }
                }
                Err(e) => ProbeCall {
                    status: None,
                    latency_ms: None,
                    shape: if e.is_timeout() {
                        "timed out".into()
                    } else {
                        "network error".into()
                    },
                },
            })
        }
    };
    let (j, o) = tokio::join!(call(jwt), call(oauth));
    let mut shown = url.clone();
    shown.set_query(None);
    ProbeReport {
        url: shown.to_string(),
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
