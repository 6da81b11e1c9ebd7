//! `verify --analytics`: prove the OAuth credential can do what an Analytics
//! integration does, not just get a token. After the token flows, with the
//! OAuth token (and the JWT token when IMS still issues one) it calls the
//! Analytics 2.0 API (AdobeDocs/analytics-2.0-apis):
//!
//! 1. `GET /discovery/me`: the companies of the token's user;
//! 2. for the chosen company, `GET /api/{gc}/reportsuites/collections/suites`;
//! 3. for the first report suite, `GET /api/{gc}/metrics?rsid=` and
//!    `GET /api/{gc}/dimensions?rsid=`;
//! 4. when the OAuth credential runs as another technical account, with the
//!    JWT token, `GET /api/{gc}/segments` and `/calculatedmetrics` (each
//!    lists only the caller's own by default): what the old account owns.
//!
//! All inside the run's deadline, retries, body caps and no-redirect client;
//! [`judge`] turns the answers into a result, [`amend_verdict`] into the
//! verdict.

pub mod api;
pub mod judge;

use reqwest::Url;
use serde::Serialize;

pub use self::api::{ApiCall, ApiError, Auth, CallStatus, Company, Step};
use self::api::{IdField, Listing, PAGE, PAGE_SIZE, Req};
use self::judge::{AnalyticsResult, ResultKind};
use super::VerifyError;
use super::send::Target;
use super::verdict::{Kind, Verdict};

/// Adobe's Analytics API host.
pub const ADOBE_ANALYTICS: &str = "https://analytics.adobe.io";

/// Errors at the Analytics boundary: bad flags. Calls never fail; their
/// answers are results.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// `--analytics-url` is not usable.
    #[error("--analytics-url: {0}")]
    Url(String),
    /// `--company` is not a global company id.
    #[error("--company: {0}")]
    Company(String),
}

impl From<AnalyticsError> for VerifyError {
    fn from(e: AnalyticsError) -> Self {
        VerifyError::Usage(e.to_string())
    }
}

/// Where and what to check.
#[derive(Debug, Clone)]
pub struct AnalyticsPlan {
    /// The API base URL (checked like the IMS URL).
    pub base: Url,
    /// `--company`, validated.
    pub company: Option<String>,
}

impl AnalyticsPlan {
    /// Checks the flags. Without `--analytics-url` the base is Adobe's, or the
    /// IMS URL's origin when that is loopback: the emulator serves both, and
    /// a demo against it must not call Adobe.
    pub fn new(
        url: Option<&str>,
        company: Option<&str>,
        ims: &Url,
    ) -> Result<Self, AnalyticsError> {
        let base = match url {
            Some(raw) => {
                let u =
                    super::http::check_url(raw).map_err(|e| AnalyticsError::Url(e.to_string()))?;
                if u.query().is_some() || u.fragment().is_some() {
                    return Err(AnalyticsError::Url(
                        "give the base URL only, without ?query or #fragment".into(),
                    ));
                }
                u
            }
            None if super::http::is_loopback(ims) => {
                let origin = super::http::origin(ims)
                    .ok_or_else(|| AnalyticsError::Url("the IMS URL has no origin".into()))?;
                Url::parse(&origin).map_err(|e| AnalyticsError::Url(e.to_string()))?
            }
            None => Url::parse(ADOBE_ANALYTICS).map_err(|e| AnalyticsError::Url(e.to_string()))?,
        };
        let company = match company.map(str::trim) {
            Some(c) if api::valid_company_id(c) => Some(c.to_string()),
            Some(_) => {
                return Err(AnalyticsError::Company(
                    "a global company id has 1 to 64 letters, digits, '_' or '-' (e.g. exampl0)"
                        .into(),
                ));
            }
            None => None,
        };
        Ok(AnalyticsPlan { base, company })
    }
}

/// What one token could read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Side {
    /// Every call made, in order.
    pub calls: Vec<ApiCall>,
    /// The report suites read (cleaned), at most one page.
    pub report_suites: Vec<String>,
}

impl Side {
    /// The call for a step, if it was made.
    pub fn call(&self, step: Step) -> Option<&ApiCall> {
        self.calls.iter().find(|c| c.step == step)
    }
}

/// What the old technical account owns, when it could be counted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OwnedAssets {
    /// Segments owned by the JWT credential's technical account user.
    pub segments: Option<u64>,
    /// Calculated metrics owned by it.
    pub calculated_metrics: Option<u64>,
    /// Why a count is missing, or that it is a lower bound.
    pub notes: Vec<String>,
}

/// The `analytics` section of the report.
#[derive(Debug, Clone, Serialize)]
pub struct AnalyticsReport {
    /// The API base URL.
    pub url: String,
    /// The company checked.
    pub company: Option<Company>,
    /// Every company the OAuth token's user belongs to (at most 100).
    pub companies: Vec<Company>,
    /// The report suite metrics and dimensions were read for (cleaned).
    pub rsid: Option<String>,
    /// With the OAuth token.
    pub oauth: Option<Side>,
    /// With the JWT token.
    pub jwt: Option<Side>,
    /// The result.
    pub result: AnalyticsResult,
    /// What the old technical account owns (only when the accounts differ).
    pub old_account_assets: Option<OwnedAssets>,
}

/// The tokens to call with.
pub struct Tokens<'a> {
    /// The OAuth token, if issued.
    pub oauth: Option<Auth<'a>>,
    /// The JWT token, if issued.
    pub jwt: Option<Auth<'a>>,
    /// Count what the old (JWT) technical account owns.
    pub count_old_assets: bool,
}

/// Runs the calls and judges them.
pub async fn run(t: &Target<'_, '_>, plan: &AnalyticsPlan, tokens: &Tokens<'_>) -> AnalyticsReport {
    let scrub = &t.trace.scrub;
    let mut rep = AnalyticsReport {
        url: scrub.clean(plan.base.as_str().trim_end_matches('/'), 200),
        company: None,
        companies: Vec::new(),
        rsid: None,
        oauth: None,
        jwt: None,
        result: judge::not_run("no OAuth token to call the Analytics API with"),
        old_account_assets: None,
    };
    let Some(oa) = &tokens.oauth else {
        if tokens.count_old_assets {
            rep.old_account_assets = Some(not_counted("no OAuth token, so no Analytics call"));
        }
        return rep;
    };
    let mut oside = Side::default();
    let (disc, companies) = discover(t, plan, oa).await;
    let discovered = disc.status == CallStatus::Ok;
    oside.calls.push(disc);
    let mut notes = Vec::new();
    let mut company_problem = None;
    let chosen = if discovered {
        choose(
            &companies,
            plan.company.as_deref(),
            &mut notes,
            &mut company_problem,
        )
    } else {
        None
    };
    rep.companies = companies;
    let Some(company) = chosen else {
        if tokens.count_old_assets {
            rep.old_account_assets = Some(not_counted("no Analytics company to count in"));
        }
        rep.result = judge::judge(Some(&oside), None, company_problem.as_deref(), notes);
        rep.oauth = Some(oside);
        return rep;
    };
    let gc = company.global_company_id.as_str();
    let cx = Cx { t, plan, gc };
    let oauth_chain = async {
        let (call, list) = suites(&cx, oa).await;
        let rsid = list.as_ref().and_then(|l| l.ids.first().cloned());
        let mut calls = vec![call];
        if let Some(r) = &rsid {
            let q = [("rsid", r.as_str())];
            let (mp, dp) = (["api", gc, "metrics"], ["api", gc, "dimensions"]);
            let (m, d) = tokio::join!(
                listing(&cx, oa, Step::Metrics, &mp, &q, IdField::Id),
                listing(&cx, oa, Step::Dimensions, &dp, &q, IdField::Id),
            );
            calls.extend([m.0, d.0]);
        }
        (calls, list, rsid)
    };
    let jwt_chain = async {
        let ja = tokens.jwt.as_ref()?;
        let (call, list) = suites(&cx, ja).await;
        let mut calls = vec![call];
        if tokens.count_old_assets {
            let q = [("limit", PAGE), ("page", "0")];
            let (sp, cp) = (["api", gc, "segments"], ["api", gc, "calculatedmetrics"]);
            let (s, c) = tokio::join!(
                listing(&cx, ja, Step::Segments, &sp, &q, IdField::Id),
                listing(&cx, ja, Step::CalculatedMetrics, &cp, &q, IdField::Id),
            );
            calls.extend([s.0, c.0]);
        }
        Some((calls, list))
    };
    let ((ocalls, olist, rsid), j) = tokio::join!(oauth_chain, jwt_chain);
    oside.calls.extend(ocalls);
    oside.report_suites = cleaned(olist.as_ref(), scrub);
    rep.rsid = rsid.map(|r| scrub.clean(&r, 120));
    let jside = j.map(|(calls, list)| Side {
        calls,
        report_suites: cleaned(list.as_ref(), scrub),
    });
    if tokens.count_old_assets {
        rep.old_account_assets = Some(match &jside {
            Some(s) => owned(s),
            None => not_counted(
                "the JWT credential issued no token, and the API lists only the caller's own \
                 segments and calculated metrics",
            ),
        });
    }
    rep.result = judge::judge(Some(&oside), jside.as_ref(), None, notes);
    rep.company = Some(company);
    rep.oauth = Some(oside);
    rep.jwt = jside;
    rep
}

fn cleaned(list: Option<&Listing>, scrub: &super::scrub::Scrubber) -> Vec<String> {
    list.map(|l| l.ids.iter().map(|i| scrub.clean(i, 120)).collect())
        .unwrap_or_default()
}

fn not_counted(why: &str) -> OwnedAssets {
    OwnedAssets {
        notes: vec![format!("not counted: {why}")],
        ..OwnedAssets::default()
    }
}

fn owned(s: &Side) -> OwnedAssets {
    let mut out = OwnedAssets::default();
    for step in [Step::Segments, Step::CalculatedMetrics] {
        let Some(c) = s.call(step) else { continue };
        let n = (c.status == CallStatus::Ok).then(|| c.size()).flatten();
        match n {
            Some(n) => {
                if c.total.is_none() && c.items == Some(PAGE_SIZE) {
                    out.notes
                        .push(format!("{}: at least {n} (one page read)", step.label()));
                }
            }
            None => out
                .notes
                .push(format!("{} not counted: {}", step.label(), c.reason)),
        }
        match step {
            Step::Segments => out.segments = n,
            _ => out.calculated_metrics = n,
        }
    }
    out
}

async fn discover(
    t: &Target<'_, '_>,
    plan: &AnalyticsPlan,
    auth: &Auth<'_>,
) -> (ApiCall, Vec<Company>) {
    let req = Req {
        step: Step::Discovery,
        segments: &["discovery", "me"],
        query: &[],
        company: None,
    };
    let (mut call, body) = api::get(t, &plan.base, auth, &req).await;
    let Some(body) = body else {
        return (call, Vec::new());
    };
    match api::parse_discovery(&body, &t.trace.scrub) {
        Ok((companies, unusable)) => {
            call.items = Some(companies.len() as u64);
            let ids: Vec<&str> = companies
                .iter()
                .map(|c| c.global_company_id.as_str())
                .collect();
            call.reason = format!(
                "{}: {} compan{}{}{}",
                call.reason,
                companies.len(),
                if companies.len() == 1 { "y" } else { "ies" },
                if ids.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", judge::shorten(&ids, 5))
                },
                if unusable > 0 {
                    format!(", {unusable} left out (unusable globalCompanyId)")
                } else {
                    String::new()
                }
            );
            (call, companies)
        }
        Err(why) => {
            call.not_understood(&why);
            (call, Vec::new())
        }
    }
}

/// Picks the company: `--company` if given (it must be one of the token's),
/// else the first, with a note when there are several.
fn choose(
    companies: &[Company],
    wanted: Option<&str>,
    notes: &mut Vec<String>,
    problem: &mut Option<String>,
) -> Option<Company> {
    let ids = || {
        let v: Vec<&str> = companies
            .iter()
            .map(|c| c.global_company_id.as_str())
            .collect();
        if v.is_empty() {
            "none".to_string()
        } else {
            judge::shorten(&v, 10)
        }
    };
    match wanted {
        Some(w) => {
            let found = companies
                .iter()
                .find(|c| c.global_company_id.eq_ignore_ascii_case(w))
                .cloned();
            if found.is_none() && !companies.is_empty() {
                *problem = Some(format!(
                    "company {w} is not among the companies of the OAuth credential's technical \
                     account user ({})",
                    ids()
                ));
            }
            found
        }
        None => {
            if companies.len() > 1 {
                notes.push(format!(
                    "note: the OAuth token's user belongs to {} companies ({}); checked {} (pick another with --company)",
                    companies.len(),
                    ids(),
                    companies[0].global_company_id
                ));
            }
            companies.first().cloned()
        }
    }
}

/// The run, the plan and the company every `/api` call goes to.
struct Cx<'c, 'a, 'w> {
    t: &'c Target<'a, 'w>,
    plan: &'c AnalyticsPlan,
    gc: &'c str,
}

async fn suites(cx: &Cx<'_, '_, '_>, auth: &Auth<'_>) -> (ApiCall, Option<Listing>) {
    let path = ["api", cx.gc, "reportsuites", "collections", "suites"];
    let query = [("limit", PAGE), ("page", "0")];
    listing(cx, auth, Step::ReportSuites, &path, &query, IdField::Rsid).await
}

async fn listing(
    cx: &Cx<'_, '_, '_>,
    auth: &Auth<'_>,
    step: Step,
    segments: &[&str],
    query: &[(&str, &str)],
    field: IdField,
) -> (ApiCall, Option<Listing>) {
    let req = Req {
        step,
        segments,
        query,
        company: Some(cx.gc),
    };
    let (mut call, body) = api::get(cx.t, &cx.plan.base, auth, &req).await;
    let Some(body) = body else {
        return (call, None);
    };
    match api::parse_listing(&body, field) {
        Ok(l) => {
            call.items = Some(l.count);
            call.total = l.total;
            call.reason = format!("{}: {}", call.reason, describe(step, &l, &cx.t.trace.scrub));
            (call, Some(l))
        }
        Err(why) => {
            call.not_understood(&why);
            (call, None)
        }
    }
}

fn describe(step: Step, l: &Listing, scrub: &super::scrub::Scrubber) -> String {
    let n = l.total.unwrap_or(l.count);
    let what = match step {
        Step::ReportSuites => "report suite",
        Step::Metrics => "metric",
        Step::Dimensions => "dimension",
        Step::Segments => "segment",
        Step::CalculatedMetrics => "calculated metric",
        Step::Discovery => "company",
    };
    let plural = if n == 1 { "" } else { "s" };
    let shown: Vec<String> = l.ids.iter().take(3).map(|i| scrub.clean(i, 60)).collect();
    let more = if l.count > 3 { ", …" } else { "" };
    match step {
        Step::Segments | Step::CalculatedMetrics => {
            format!("{n} {what}{plural} owned by this technical account user")
        }
        _ if shown.is_empty() => format!("{n} {what}{plural}"),
        _ => format!("{n} {what}{plural} ({}{more})", shown.join(", ")),
    }
}

/// Folds the Analytics result into the verdict: it can only take a
/// verified verdict away (not verified, or indeterminate), never give one.
pub fn amend_verdict(r: &AnalyticsResult, v: &mut Verdict) {
    let takes_over =
        v.verified && matches!(r.kind, ResultKind::NotVerified | ResultKind::Indeterminate);
    if takes_over {
        v.verified = false;
        if r.kind == ResultKind::NotVerified {
            v.kind = Kind::AnalyticsNotVerified;
            v.summary = format!("not verified: {}", r.summary);
        } else {
            v.kind = Kind::Indeterminate;
            v.summary = format!("indeterminate: {}", r.summary);
        }
    } else {
        v.details.push(format!("analytics: {}", r.summary));
    }
    v.details
        .extend(r.details.iter().map(|d| format!("analytics: {d}")));
    if let Some(fix) = &r.fix {
        v.details.push(format!("fix: {fix}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn the_default_base_is_adobe_unless_ims_is_the_local_emulator() {
        let p = AnalyticsPlan::new(None, None, &url("https://ims-na1.adobelogin.com")).expect("ok");
        assert_eq!(p.base.as_str(), "https://analytics.adobe.io/");
        let p = AnalyticsPlan::new(None, None, &url("http://127.0.0.1:8787/x")).expect("ok");
        assert_eq!(p.base.as_str(), "http://127.0.0.1:8787/");
        let p = AnalyticsPlan::new(
            Some("http://[::1]:9"),
            Some(" exampl0 "),
            &url("https://i.example"),
        )
        .expect("ok");
        assert_eq!(p.company.as_deref(), Some("exampl0"));
    }

    #[test]
    fn bad_flags_are_usage_errors_that_echo_nothing() {
        let ims = url("https://ims-na1.adobelogin.com");
        for bad in [
            "http://analytics.adobe.io",
            "https://u:p8e-FLAGsecretFLAGsecret@analytics.adobe.io",
            "https://analytics.adobe.io/?x=1",
        ] {
            let e = AnalyticsPlan::new(Some(bad), None, &ims).expect_err(bad);
            assert!(e.to_string().starts_with("--analytics-url: "), "{e}");
            assert!(!e.to_string().contains("FLAGsecret"), "{e}");
        }
        let e = AnalyticsPlan::new(None, Some("a/b"), &ims).expect_err("company");
        assert!(matches!(e, AnalyticsError::Company(_)));
        assert!(matches!(VerifyError::from(e), VerifyError::Usage(_)));
    }

    fn verified() -> Verdict {
        Verdict {
            kind: Kind::MigrationVerified,
            verified: true,
            summary: "migration verified".into(),
            details: Vec::new(),
        }
    }

    fn result(kind: ResultKind) -> AnalyticsResult {
        AnalyticsResult {
            kind,
            missing: Vec::new(),
            summary: "S".into(),
            details: vec!["D".into()],
            fix: (kind == ResultKind::NotVerified).then(|| "F".into()),
        }
    }

    #[test]
    fn the_analytics_result_can_take_a_verified_verdict_away_never_give_one() {
        let mut v = verified();
        amend_verdict(&result(ResultKind::Verified), &mut v);
        assert!(v.verified);
        assert_eq!(v.details, ["analytics: S", "analytics: D"]);
        let mut v = verified();
        amend_verdict(&result(ResultKind::NotVerified), &mut v);
        assert_eq!((v.kind, v.verified), (Kind::AnalyticsNotVerified, false));
        assert_eq!(v.summary, "not verified: S");
        assert_eq!(v.details, ["analytics: D", "fix: F"]);
        let mut v = verified();
        amend_verdict(&result(ResultKind::Indeterminate), &mut v);
        assert_eq!((v.kind, v.verified), (Kind::Indeterminate, false));
        let mut v = verified();
        v.verified = false;
        v.kind = Kind::NotEquivalent;
        amend_verdict(&result(ResultKind::Verified), &mut v);
        assert_eq!((v.kind, v.verified), (Kind::NotEquivalent, false));
    }
}
