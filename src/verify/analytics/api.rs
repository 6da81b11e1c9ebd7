//! One Analytics 2.0 API call and how its answer is judged (pure parts
//! unit-tested beside this file). A call is a GET with `Authorization:
//! Bearer`, `x-api-key` (the client id) and, under `/api/{globalCompanyId}`,
//! `x-proxy-global-company-id`; it shares the run's deadline, retries (5xx,
//! 429, network) and no-redirect client. Its answer is one of:
//!
//! - **ok**: a 2xx JSON answer of the expected shape;
//! - **denied**: a 4xx carrying Analytics' error envelope (`errorCode`,
//!   `errorDescription`, `errorId`) or the API gateway's (`error_code`,
//!   `message`): a definite "no" that names what the credential lacks;
//! - **indeterminate**: everything else (timeouts, resets, 429, 5xx,
//!   redirects, HTML, a 4xx nobody recognises): never a missing permission.
//!
//! Every string kept from an answer is cleaned by the run's scrubber.

use reqwest::Url;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::verify::classify::is_json_type;
use crate::verify::scrub::Scrubber;
use crate::verify::secret::Secret;
use crate::verify::send::{Answer, Call, Exchange, Target};

/// Largest Analytics answer read: 8 MiB (a report suite's dimension list can
/// run to hundreds of KiB; only ids are kept from it).
pub const MAX_LISTING: usize = 8 << 20;

/// Page size asked of the paged collections (report suites, segments,
/// calculated metrics): one page is read, never more.
pub const PAGE: &str = "1000";

/// [`PAGE`] as a number.
pub const PAGE_SIZE: u64 = 1000;

/// At most this many ids are kept from one listing (the rest are counted).
pub const KEEP: usize = 1000;

/// Which call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// `GET /discovery/me`.
    Discovery,
    /// `GET /api/{gc}/reportsuites/collections/suites`.
    ReportSuites,
    /// `GET /api/{gc}/metrics?rsid=`.
    Metrics,
    /// `GET /api/{gc}/dimensions?rsid=`.
    Dimensions,
    /// `GET /api/{gc}/segments` (the caller's own).
    Segments,
    /// `GET /api/{gc}/calculatedmetrics` (the caller's own).
    CalculatedMetrics,
}

impl Step {
    /// For humans.
    pub fn label(self) -> &'static str {
        match self {
            Step::Discovery => "discovery",
            Step::ReportSuites => "report suites",
            Step::Metrics => "metrics",
            Step::Dimensions => "dimensions",
            Step::Segments => "segments",
            Step::CalculatedMetrics => "calculated metrics",
        }
    }
}

/// An Analytics (or API gateway) error envelope, cleaned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// `errorCode` (or the gateway's `error_code`).
    pub error_code: Option<String>,
    /// `errorDescription` (or the gateway's `message`).
    pub error_description: Option<String>,
    /// `errorId`: quote it to Adobe support.
    pub error_id: Option<String>,
}

impl ApiError {
    /// `code (description) [errorId id]`.
    pub fn summary(&self) -> String {
        let mut s = self.error_code.clone().unwrap_or_else(|| "error".into());
        if let Some(d) = &self.error_description {
            s.push_str(&format!(" ({d})"));
        }
        if let Some(id) = &self.error_id {
            s.push_str(&format!(" [errorId {id}]"));
        }
        s
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CallStatus {
    /// A 2xx JSON answer of the expected shape.
    Ok,
    /// A 4xx with the Analytics or gateway error envelope.
    Denied,
    /// No judgement possible (network, timeout, 429, 5xx, redirect, not JSON).
    Indeterminate,
}

/// One call as reported.
#[derive(Debug, Clone, Serialize)]
pub struct ApiCall {
    /// Which call.
    pub step: Step,
    /// The path called (no query string).
    pub path: String,
    /// Ok, denied or indeterminate.
    pub status: CallStatus,
    /// HTTP status of the final attempt.
    pub http_status: Option<u16>,
    /// Latency of the final attempt, ms.
    pub latency_ms: Option<u64>,
    /// Attempts made.
    pub attempts: u32,
    /// One line: what came back.
    pub reason: String,
    /// The error envelope, when denied (or sent with a 5xx).
    pub error: Option<ApiError>,
    /// Items in the answer (companies, report suites, metrics...).
    pub items: Option<u64>,
    /// `totalElements` of a paged answer, when it says.
    pub total: Option<u64>,
}

impl ApiCall {
    /// A call that could not be sent.
    pub fn unsent(step: Step, reason: impl Into<String>) -> Self {
        ApiCall {
            step,
            path: String::new(),
            status: CallStatus::Indeterminate,
            http_status: None,
            latency_ms: None,
            attempts: 0,
            reason: reason.into(),
            error: None,
            items: None,
            total: None,
        }
    }

    /// The listing's size: `totalElements` when given, else the items read.
    pub fn size(&self) -> Option<u64> {
        self.total.or(self.items)
    }

    /// Whether the answer was ok but held nothing.
    pub fn is_empty_ok(&self) -> bool {
        self.status == CallStatus::Ok && self.size() == Some(0)
    }

    /// Marks an ok answer whose body is not of the expected shape.
    pub fn not_understood(&mut self, why: &str) {
        self.status = CallStatus::Indeterminate;
        self.reason = format!(
            "HTTP {} is not an Analytics {} answer: {why}",
            self.http_status.unwrap_or(0),
            self.step.label()
        );
    }
}

/// Which token, for which client.
pub struct Auth<'a> {
    /// The bearer token.
    pub token: &'a Secret,
    /// `x-api-key`: the credential's client id.
    pub api_key: &'a str,
    /// Trace label (`analytics oauth`).
    pub label: &'static str,
}

/// What to call.
pub struct Req<'a> {
    /// Which call.
    pub step: Step,
    /// Path segments below the base URL.
    pub segments: &'a [&'a str],
    /// Query parameters.
    pub query: &'a [(&'a str, &'a str)],
    /// `x-proxy-global-company-id`, for calls under `/api/{gc}`.
    pub company: Option<&'a str>,
}

/// Joins path segments (percent-encoded) and a query onto the base URL.
pub fn build_url(base: &Url, segments: &[&str], query: &[(&str, &str)]) -> Option<Url> {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .ok()?
        .pop_if_empty()
        .extend(segments);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Some(url)
}

/// Makes one call (with the run's retries) and judges the answer. The body
/// comes back only when the call is ok, for the caller to parse.
pub async fn get(
    t: &Target<'_, '_>,
    base: &Url,
    auth: &Auth<'_>,
    req: &Req<'_>,
) -> (ApiCall, Option<String>) {
    let Some(url) = build_url(base, req.segments, req.query) else {
        return (
            ApiCall::unsent(req.step, "not sent: the Analytics URL cannot take a path"),
            None,
        );
    };
    let mut headers = vec![("x-api-key", auth.api_key), ("accept", "application/json")];
    if let Some(c) = req.company {
        headers.push(("x-proxy-global-company-id", c));
    }
    let call = Call {
        label: auth.label,
        url: url.clone(),
        form: None,
        bearer: Some(auth.token),
        headers,
        max_body: MAX_LISTING,
    };
    let ex = crate::verify::attempt::send_with_retry(t, &call).await;
    let path = t.trace.scrub.clean(url.path(), 200);
    classify(req.step, path, ex, &t.trace.scrub)
}

/// Judges a final answer (pure).
pub fn classify(
    step: Step,
    path: String,
    ex: Exchange,
    scrub: &Scrubber,
) -> (ApiCall, Option<String>) {
    let mut c = ApiCall::unsent(step, "");
    c.path = path;
    c.attempts = ex.attempts;
    c.latency_ms = u64::try_from(ex.latency.as_millis()).ok();
    let mut tries = if ex.attempts == 1 {
        "1 attempt".to_string()
    } else {
        format!("{} attempts", ex.attempts)
    };
    if let Some(why) = &ex.stopped {
        tries = format!("{tries}; {why}");
    }
    let (status, body, content_type, redirect) = match ex.answer {
        Answer::Failed { message, .. } => {
            c.latency_ms = None;
            c.reason = match message.strip_suffix(')') {
                Some(open) => format!("{open}, {tries})"),
                None => format!("{message} ({tries})"),
            };
            return (c, None);
        }
        Answer::Http {
            status,
            body,
            content_type,
            redirect,
            ..
        } => (status, body, content_type, redirect),
    };
    c.http_status = Some(status);
    let ct = content_type.as_deref().unwrap_or("none").to_string();
    let typed_json = is_json_type(content_type.as_deref());
    if let Some(to) = redirect {
        c.reason = format!(
            "redirect refused: HTTP {status} {to}; redirects are never followed, so the token goes nowhere else"
        );
        return (c, None);
    }
    if (200..300).contains(&status) {
        if !typed_json {
            c.not_understood(&format!("non-JSON response with content type {ct}"));
            return (c, None);
        }
        c.status = CallStatus::Ok;
        c.reason = format!("HTTP {status}");
        return (c, Some(body));
    }
    let envelope = if typed_json || body.trim_start().starts_with('{') {
        envelope(&body, scrub)
    } else {
        None
    };
    let what = describe_body(&body, &ct, typed_json);
    match status {
        429 => c.reason = format!("rate limited by the Analytics API (HTTP 429, {tries})"),
        500..=599 => {
            let e = envelope
                .as_ref()
                .map_or_else(|| what.clone(), ApiError::summary);
            c.reason = format!("Analytics API server error (HTTP {status}: {e}, {tries})");
            c.error = envelope;
        }
        400..=499 if envelope.is_some() => {
            let e = envelope.as_ref().map(ApiError::summary).unwrap_or_default();
            c.status = CallStatus::Denied;
            c.reason = format!("HTTP {status}: {e}");
            c.error = envelope;
        }
        400..=499 => {
            c.reason = format!(
                "HTTP {status} is not an Analytics API error ({what}): access was not judged"
            );
        }
        _ => c.reason = format!("unexpected HTTP {status} ({what})"),
    }
    (c, None)
}

fn describe_body(body: &str, ct: &str, typed_json: bool) -> String {
    if typed_json && serde_json::from_str::<Value>(body).is_err() {
        format!("labelled {ct} but not valid JSON ({} bytes)", body.len())
    } else if typed_json {
        format!("JSON without an error envelope, content type {ct}")
    } else {
        format!("non-JSON response with content type {ct}")
    }
}

/// The error envelope of a body: Analytics' `errorCode`/`errorDescription`/
/// `errorId`, or the API gateway's `error_code`/`message`.
pub fn envelope(body: &str, scrub: &Scrubber) -> Option<ApiError> {
    let v: Value = serde_json::from_str(body).ok()?;
    let obj = v.as_object()?;
    let text = |keys: &[&str]| {
        keys.iter().find_map(|k| match obj.get(*k) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(scrub.clean(s, 200)),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
    };
    let code = text(&["errorCode", "error_code"]);
    let description = text(&["errorDescription", "message"]);
    let id = text(&["errorId", "error_id"]);
    code.is_some().then_some(ApiError {
        error_code: code,
        error_description: description,
        error_id: id,
    })
}

/// A company the token's user belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Company {
    /// `globalCompanyId`: the `/api/{id}` path segment.
    pub global_company_id: String,
    /// `companyName`.
    pub company_name: Option<String>,
}

/// Whether a global company id is safe in a path and a header (they look
/// like `exampl0`: letters, digits, `_`, `-`).
pub fn valid_company_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Most companies kept from one discovery answer.
pub const MAX_COMPANIES: usize = 100;

/// Parses `/discovery/me`: `{"imsUserId", "imsOrgs": [{"imsOrgId",
/// "companies": [{"globalCompanyId", "companyName"}]}]}`. Companies whose id
/// could not be used in a URL are left out and counted.
pub fn parse_discovery(body: &str, scrub: &Scrubber) -> Result<(Vec<Company>, usize), String> {
    #[derive(Deserialize)]
    struct Me {
        #[serde(rename = "imsOrgs")]
        ims_orgs: Option<Vec<Org>>,
    }
    #[derive(Deserialize)]
    struct Org {
        #[serde(default)]
        companies: Vec<Raw>,
    }
    #[derive(Deserialize)]
    struct Raw {
        #[serde(rename = "globalCompanyId")]
        id: Option<String>,
        #[serde(rename = "companyName")]
        name: Option<String>,
    }
    let me: Me = serde_json::from_str(body).map_err(|_| "not the discovery shape".to_string())?;
    let orgs = me.ims_orgs.ok_or_else(|| "no imsOrgs array".to_string())?;
    let (mut out, mut bad) = (Vec::new(), 0usize);
    for raw in orgs.into_iter().flat_map(|o| o.companies) {
        match raw.id {
            Some(id) if valid_company_id(&id) && out.len() < MAX_COMPANIES => out.push(Company {
                global_company_id: id,
                company_name: raw.name.map(|n| scrub.clean(&n, 100)),
            }),
            _ => bad += 1,
        }
    }
    Ok((out, bad))
}

/// A listing: the ids read (at most [`KEEP`]), how many items the answer
/// held, and `totalElements` when it says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Ids as sent (clean them before showing them; a report suite id is
    /// sent back as a query parameter, so it must stay exact), in answer
    /// order, each at most 200 bytes.
    pub ids: Vec<String>,
    /// Items in this answer.
    pub count: u64,
    /// `totalElements`, for a paged answer.
    pub total: Option<u64>,
}

/// Which field names an item: `rsid` for report suites, else `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdField {
    /// `rsid`, falling back to `id`.
    Rsid,
    /// `id`.
    Id,
}

/// Parses a listing: a JSON array of objects (metrics, dimensions) or a
/// page `{"content": [...], "totalElements": n}` (report suites, segments,
/// calculated metrics). Only the ids are kept: the rest of each item is
/// skipped while parsing, so a large answer costs little beyond its bytes.
pub fn parse_listing(body: &str, field: IdField) -> Result<Listing, String> {
    #[derive(Deserialize)]
    struct Item {
        id: Option<Value>,
        rsid: Option<Value>,
    }
    #[derive(Deserialize)]
    struct Page {
        content: Option<Vec<Item>>,
        #[serde(rename = "totalElements")]
        total_elements: Option<u64>,
    }
    let trimmed = body.trim_start();
    let (items, total) = if trimmed.starts_with('[') {
        let items: Vec<Item> = serde_json::from_str(trimmed)
            .map_err(|_| "an array, but not of objects".to_string())?;
        (items, None)
    } else if trimmed.starts_with('{') {
        let page: Page =
            serde_json::from_str(trimmed).map_err(|_| "not a page of objects".to_string())?;
        let items = page
            .content
            .ok_or_else(|| "an object without a content array".to_string())?;
        (items, page.total_elements)
    } else {
        return Err("neither a JSON array nor a page".into());
    };
    let name = |v: &Option<Value>| match v {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 200 => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let count = items.len() as u64;
    let ids = items
        .iter()
        .filter_map(|i| match field {
            IdField::Rsid => name(&i.rsid).or_else(|| name(&i.id)),
            IdField::Id => name(&i.id),
        })
        .take(KEEP)
        .collect();
    Ok(Listing { ids, count, total })
}

#[cfg(test)]
#[path = "api_tests.rs"]
mod tests;
