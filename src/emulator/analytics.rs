//! The Analytics 2.0 endpoints of `emulate-ims --analytics FILE`, on the same
//! listener and behind the same bearer tokens the emulator issues, so that
//! `verify --analytics`, tests and demos can show every verdict:
//!
//! - `GET /discovery/me`: the companies whose `access` lists the token's
//!   technical account (`user_id`);
//! - `GET /api/{gc}/reportsuites/collections/suites?limit=&page=`: a page
//!   `{"content": [...], "totalElements": n, ...}`;
//! - `GET /api/{gc}/metrics?rsid=`, `/dimensions?rsid=`: JSON arrays;
//! - `GET /api/{gc}/segments`, `/calculatedmetrics`: pages of what the
//!   technical account owns.
//!
//! Requests need `Authorization: Bearer` (an emulator token, unexpired),
//! `x-api-key` equal to the token's client id, and under `/api/{gc}`
//! `x-proxy-global-company-id` equal to `{gc}`. A technical account listed
//! nowhere gets the API gateway's 403 `403025 Profile is not valid`; an empty
//! list answers empty, as a missing permission group does. Errors carry
//! Analytics' envelope `{"errorCode", "errorDescription", "errorId"}` (the
//! gateway's `{"error_code", "message"}` for token and key problems).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{AppState, EmulatorError};
use crate::verify::analytics::api::valid_company_id;

/// Largest `--analytics` file read.
pub const MAX_FILE: u64 = 16 << 20;

/// The `--analytics` file: companies and who may read what in each.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Directory {
    /// The Analytics login companies.
    pub companies: Vec<CompanyEntry>,
}

/// One company.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CompanyEntry {
    /// `globalCompanyId` (`exampl0`).
    pub global_company_id: String,
    /// `companyName`.
    #[serde(default)]
    pub company_name: Option<String>,
    /// The IMS org the company belongs to (default: an emulated one).
    #[serde(default)]
    pub ims_org_id: Option<String>,
    /// Technical account id (`...@techacct.adobe.com`) to its access.
    #[serde(default)]
    pub access: BTreeMap<String, Access>,
}

/// What one technical account user can read (its product profiles'
/// permission groups) and owns.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Access {
    /// The Report Suites permission group: report suite ids.
    #[serde(default)]
    pub report_suites: Vec<String>,
    /// The Metrics permission group: metric ids (`metrics/pageviews`).
    #[serde(default)]
    pub metrics: Vec<String>,
    /// The Dimensions permission group: dimension ids (`variables/page`).
    #[serde(default)]
    pub dimensions: Vec<String>,
    /// Names of the segments this user owns.
    #[serde(default)]
    pub segments: Vec<String>,
    /// Names of the calculated metrics this user owns.
    #[serde(default)]
    pub calculated_metrics: Vec<String>,
}

impl Directory {
    /// Reads and checks the file.
    pub fn load(path: &Path) -> Result<Self, EmulatorError> {
        let err = |m: String| EmulatorError::Analytics(format!("{}: {m}", path.display()));
        let len = std::fs::metadata(path)
            .map_err(|e| err(e.to_string()))?
            .len();
        if len > MAX_FILE {
            return Err(err(format!("over {} MiB", MAX_FILE >> 20)));
        }
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        Self::parse(&text).map_err(err)
    }

    /// Parses the JSON; technical account ids are matched case-insensitively.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut d: Directory = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for c in &mut d.companies {
            if !valid_company_id(&c.global_company_id) {
                return Err(format!(
                    "globalCompanyId {:?}: use 1 to 64 letters, digits, '_' or '-'",
                    crate::verify::scrub::truncate(&c.global_company_id, 70)
                ));
            }
            c.access = std::mem::take(&mut c.access)
                .into_iter()
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v))
                .collect();
        }
        Ok(d)
    }

    fn company(&self, gc: &str) -> Option<&CompanyEntry> {
        self.companies
            .iter()
            .find(|c| c.global_company_id.eq_ignore_ascii_case(gc))
    }
}

/// An Analytics error answer: the API gateway's shape `{"error_code",
/// "message"}` (token and API key problems) or Analytics' envelope
/// `{"errorCode", "errorDescription", "errorId"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Gateway(StatusCode, &'static str, &'static str),
    Envelope(StatusCode, &'static str, &'static str),
}

impl Refusal {
    fn answer(self, s: &AppState) -> Response {
        match self {
            Refusal::Gateway(status, code, message) => (
                status,
                Json(json!({"error_code": code, "message": message})),
            )
                .into_response(),
            Refusal::Envelope(status, code, description) => {
                let id = format!(
                    "emu-{:012x}",
                    s.request_counter.load(Ordering::Relaxed) | 0xa000_0000_0000
                );
                let body =
                    json!({"errorCode": code, "errorDescription": description, "errorId": id});
                (status, Json(body)).into_response()
            }
        }
    }
}

/// The error envelope for injected faults on Analytics paths.
pub fn fault_body(status: u16, id: u64) -> Value {
    let description = match status {
        429 => "Too many requests",
        s if s >= 500 => "Please try again later",
        _ => "injected fault",
    };
    json!({"errorCode": status.to_string(), "errorDescription": description, "errorId": format!("emu-fault-{id:08x}")})
}

/// Checks the bearer token and the API key; answers the technical account.
fn caller<'s>(s: &'s AppState, headers: &HeaderMap) -> Result<(&'s Directory, String), Refusal> {
    let Some(dir) = s.analytics.as_ref() else {
        return Err(Refusal::Envelope(
            StatusCode::NOT_FOUND,
            "not_found",
            "this emulator serves Analytics only when started with --analytics FILE",
        ));
    };
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).map(str::trim);
    let token_invalid = Refusal::Gateway(
        StatusCode::UNAUTHORIZED,
        "401013",
        "Oauth token is not valid",
    );
    let token = header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(token_invalid)?;
    let claims = s.signer.check(token.trim()).ok_or(token_invalid)?;
    if expired(&claims, s.clock.now_ms()) {
        return Err(token_invalid);
    }
    let str_claim = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or_default();
    match header("x-api-key") {
        None | Some("") => {
            return Err(Refusal::Gateway(
                StatusCode::FORBIDDEN,
                "403000",
                "Api Key is required",
            ));
        }
        Some(k) if k != str_claim("client_id") => {
            return Err(Refusal::Gateway(
                StatusCode::FORBIDDEN,
                "403003",
                "Api Key is invalid",
            ));
        }
        Some(_) => {}
    }
    let user = str_claim("user_id").to_ascii_lowercase();
    if !dir.companies.iter().any(|c| c.access.contains_key(&user)) {
        return Err(Refusal::Gateway(
            StatusCode::FORBIDDEN,
            "403025",
            "Profile is not valid",
        ));
    }
    Ok((dir, user))
}

fn expired(claims: &Map<String, Value>, now_ms: i64) -> bool {
    let num = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .and_then(|v| v.parse::<i64>().ok())
    };
    match num("created_at").zip(num("expires_in")) {
        Some((c, e)) => c.saturating_add(e) <= now_ms,
        None => true,
    }
}

/// The caller's access in company `gc`, after the company header check.
fn access<'s>(s: &'s AppState, headers: &HeaderMap, gc: &str) -> Result<&'s Access, Refusal> {
    let (dir, user) = caller(s, headers)?;
    let proxy = headers
        .get("x-proxy-global-company-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    match proxy {
        None | Some("") => {
            return Err(Refusal::Envelope(
                StatusCode::BAD_REQUEST,
                "missing_header",
                "the x-proxy-global-company-id header is required",
            ));
        }
        Some(p) if !p.eq_ignore_ascii_case(gc) => {
            return Err(Refusal::Envelope(
                StatusCode::BAD_REQUEST,
                "invalid_company",
                "x-proxy-global-company-id does not match the company in the path",
            ));
        }
        Some(_) => {}
    }
    dir.company(gc)
        .and_then(|c| c.access.get(&user))
        .ok_or(Refusal::Envelope(
            StatusCode::FORBIDDEN,
            "403",
            "the technical account user is not a member of this company",
        ))
}

/// `GET /discovery/me`.
pub async fn discovery(State(s): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (dir, user) = match caller(&s, &headers) {
        Ok(c) => c,
        Err(r) => return r.answer(&s),
    };
    let mut orgs: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for c in dir
        .companies
        .iter()
        .filter(|c| c.access.contains_key(&user))
    {
        let org = c
            .ims_org_id
            .clone()
            .unwrap_or_else(|| "EMULATED0000000000000000@AdobeOrg".into());
        orgs.entry(org).or_default().push(json!({
            "globalCompanyId": c.global_company_id,
            "companyName": c.company_name.clone().unwrap_or_else(|| c.global_company_id.clone()),
            "apiRateLimitPolicy": "aa_api_tier10_tp",
        }));
    }
    let ims_orgs: Vec<Value> = orgs
        .into_iter()
        .map(|(org, companies)| json!({"imsOrgId": org, "companies": companies}))
        .collect();
    Json(json!({"imsUserId": user, "imsOrgs": ims_orgs})).into_response()
}

fn page(q: &HashMap<String, String>, items: Vec<Value>) -> Response {
    let limit = q
        .get("limit")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(10)
        .clamp(1, 1000);
    let number = q
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let total = items.len();
    let content: Vec<Value> = items
        .into_iter()
        .skip(number.saturating_mul(limit))
        .take(limit)
        .collect();
    let pages = total.div_ceil(limit);
    Json(json!({
        "content": content,
        "totalElements": total,
        "totalPages": pages,
        "numberOfElements": content.len(),
        "number": number,
        "size": limit,
        "firstPage": number == 0,
        "lastPage": number + 1 >= pages,
        "sort": null,
    }))
    .into_response()
}

/// `GET /api/{gc}/reportsuites/collections/suites`.
pub async fn report_suites(
    State(s): State<Arc<AppState>>,
    UrlPath(gc): UrlPath<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    match access(&s, &headers, &gc) {
        Ok(a) => page(
            &q,
            a.report_suites
                .iter()
                .map(
                    |r| json!({"collectionItemType": "reportsuite", "id": r, "rsid": r, "name": r}),
                )
                .collect(),
        ),
        Err(r) => r.answer(&s),
    }
}

fn components(
    s: &AppState,
    headers: &HeaderMap,
    gc: &str,
    q: &HashMap<String, String>,
    pick: fn(&Access) -> &Vec<String>,
) -> Response {
    let a = match access(s, headers, gc) {
        Ok(a) => a,
        Err(r) => return r.answer(s),
    };
    let Some(rsid) = q.get("rsid").map(String::as_str).filter(|r| !r.is_empty()) else {
        return Refusal::Envelope(
            StatusCode::BAD_REQUEST,
            "missing_parameter",
            "the rsid parameter is required",
        )
        .answer(s);
    };
    if !a.report_suites.iter().any(|r| r == rsid) {
        return Refusal::Envelope(
            StatusCode::FORBIDDEN,
            "resource_forbidden",
            "the technical account user has no access to this report suite",
        )
        .answer(s);
    }
    let items: Vec<Value> = pick(a)
        .iter()
        .map(|id| json!({"id": id, "title": id, "name": id, "type": "int", "category": "Emulated"}))
        .collect();
    Json(Value::Array(items)).into_response()
}

/// `GET /api/{gc}/metrics?rsid=`.
pub async fn metrics(
    State(s): State<Arc<AppState>>,
    UrlPath(gc): UrlPath<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    components(&s, &headers, &gc, &q, |a| &a.metrics)
}

/// `GET /api/{gc}/dimensions?rsid=`.
pub async fn dimensions(
    State(s): State<Arc<AppState>>,
    UrlPath(gc): UrlPath<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    components(&s, &headers, &gc, &q, |a| &a.dimensions)
}

fn owned(
    s: &AppState,
    headers: &HeaderMap,
    gc: &str,
    q: &HashMap<String, String>,
    prefix: &str,
    pick: fn(&Access) -> &Vec<String>,
) -> Response {
    match access(s, headers, gc) {
        Ok(a) => page(
            q,
            pick(a)
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    json!({"id": format!("{prefix}{i:04}_emu"), "name": name, "owner": {"id": 200_000 + i}})
                })
                .collect(),
        ),
        Err(r) => r.answer(s),
    }
}

/// `GET /api/{gc}/segments` (the caller's own).
pub async fn segments(
    State(s): State<Arc<AppState>>,
    UrlPath(gc): UrlPath<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    owned(&s, &headers, &gc, &q, "s", |a| &a.segments)
}

/// `GET /api/{gc}/calculatedmetrics` (the caller's own).
pub async fn calculated_metrics(
    State(s): State<Arc<AppState>>,
    UrlPath(gc): UrlPath<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    owned(&s, &headers, &gc, &q, "cm", |a| &a.calculated_metrics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example_parses_and_accounts_match_in_any_case() {
        let d = Directory::parse(
            r#"{"companies": [{"globalCompanyId": "exampl0", "companyName": "Example Corp",
                "access": {"ABC@techacct.adobe.com": {"reportSuites": ["examplersid"],
                "metrics": ["metrics/pageviews"], "dimensions": ["variables/page"]}}}]}"#,
        )
        .expect("parses");
        let c = d.company("EXAMPL0").expect("company");
        let a = c.access.get("abc@techacct.adobe.com").expect("lower-cased");
        assert_eq!(a.metrics, ["metrics/pageviews"]);
        assert!(a.segments.is_empty());
    }

    #[test]
    fn typos_and_unusable_company_ids_are_refused() {
        let e = Directory::parse(r#"{"companies": [{"globalCompanyId": "x", "acces": {}}]}"#)
            .expect_err("unknown field");
        assert!(e.contains("acces"), "{e}");
        let e = Directory::parse(r#"{"companies": [{"globalCompanyId": "../x"}]}"#)
            .expect_err("bad id");
        assert!(e.contains("globalCompanyId"), "{e}");
    }

    #[test]
    fn tokens_without_expiry_claims_count_as_expired() {
        let mut c = Map::new();
        assert!(expired(&c, 0));
        c.insert("created_at".into(), json!("1000"));
        c.insert("expires_in".into(), json!("500"));
        assert!(!expired(&c, 1_499));
        assert!(expired(&c, 1_500));
    }

    #[test]
    fn fault_bodies_use_the_envelope() {
        let b = fault_body(500, 3);
        assert_eq!(b["errorCode"], "500");
        assert!(b["errorId"].as_str().is_some_and(|s| s.ends_with("03")));
    }
}
