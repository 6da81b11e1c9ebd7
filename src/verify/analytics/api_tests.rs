//! Unit tests for judging one Analytics answer and parsing its shapes.

use std::time::Duration;

use super::*;
use crate::verify::send::Failure;

fn http(status: u16, content_type: &str, body: &str) -> Exchange {
    Exchange {
        answer: Answer::Http {
            status,
            body: body.into(),
            content_type: Some(content_type.into()),
            debug_id: None,
            retry_after: None,
            redirect: None,
        },
        attempts: 1,
        latency: Duration::from_millis(5),
        stopped: None,
    }
}

fn judge(ex: Exchange) -> (ApiCall, Option<String>) {
    classify(
        Step::Metrics,
        "/api/exampl0/metrics".into(),
        ex,
        &Scrubber::new(),
    )
}

#[test]
fn a_json_2xx_is_ok_and_hands_back_the_body() {
    let (c, body) = judge(http(200, "application/json", "[]"));
    assert_eq!(c.status, CallStatus::Ok);
    assert_eq!(body.as_deref(), Some("[]"));
    let (c, body) = judge(http(200, "text/html", "<html>"));
    assert_eq!(c.status, CallStatus::Indeterminate);
    assert!(body.is_none());
    assert!(
        c.reason
            .contains("non-JSON response with content type text/html"),
        "{}",
        c.reason
    );
}

#[test]
fn a_4xx_with_either_envelope_is_denied_and_keeps_it() {
    let analytics = r#"{"errorCode":"403","errorDescription":"no access","errorId":"a1-b2"}"#;
    let (c, _) = judge(http(403, "application/json", analytics));
    assert_eq!(c.status, CallStatus::Denied);
    let e = c.error.expect("envelope");
    assert_eq!(e.error_code.as_deref(), Some("403"));
    assert_eq!(e.error_id.as_deref(), Some("a1-b2"));
    assert_eq!(c.reason, "HTTP 403: 403 (no access) [errorId a1-b2]");
    let gateway = r#"{"error_code":"403025","message":"Profile is not valid"}"#;
    let (c, _) = judge(http(403, "application/json;charset=UTF-8", gateway));
    assert_eq!(c.status, CallStatus::Denied);
    assert_eq!(c.reason, "HTTP 403: 403025 (Profile is not valid)");
    let (c, _) = judge(http(401, "application/json", r#"{"error_code":401013}"#));
    assert_eq!(c.status, CallStatus::Denied, "numeric codes count");
}

#[test]
fn a_4xx_nobody_recognises_is_indeterminate() {
    let (c, _) = judge(http(403, "text/html", "<h1>Forbidden by proxy</h1>"));
    assert_eq!(c.status, CallStatus::Indeterminate);
    assert!(
        c.reason.contains("not an Analytics API error"),
        "{}",
        c.reason
    );
    let (c, _) = judge(http(404, "application/json", r#"{"error":"not_found"}"#));
    assert_eq!(c.status, CallStatus::Indeterminate, "{}", c.reason);
}

#[test]
fn server_errors_rate_limits_failures_and_redirects_are_indeterminate() {
    let body = r#"{"errorCode":"500","errorDescription":"Please try again later","errorId":"x"}"#;
    let (c, _) = judge(http(500, "application/json", body));
    assert_eq!(c.status, CallStatus::Indeterminate);
    assert!(
        c.reason
            .starts_with("Analytics API server error (HTTP 500: 500"),
        "{}",
        c.reason
    );
    assert!(c.error.is_some());
    let (c, _) = judge(http(429, "application/json", "{}"));
    assert_eq!(c.status, CallStatus::Indeterminate);
    assert!(c.reason.contains("rate limited"), "{}", c.reason);
    let failed = Exchange {
        answer: Answer::Failed {
            kind: Failure::Timeout,
            message: "timed out after 1000 ms waiting for a response".into(),
        },
        attempts: 2,
        latency: Duration::ZERO,
        stopped: None,
    };
    let (c, _) = judge(failed);
    assert_eq!(c.status, CallStatus::Indeterminate);
    assert_eq!(
        c.reason,
        "timed out after 1000 ms waiting for a response (2 attempts)"
    );
    let mut moved = http(302, "text/html", "");
    if let Answer::Http { redirect, .. } = &mut moved.answer {
        *redirect = Some("to http://127.0.0.2:1 (another origin)".into());
    }
    let (c, _) = judge(moved);
    assert_eq!(c.status, CallStatus::Indeterminate);
    assert!(
        c.reason.starts_with("redirect refused: HTTP 302"),
        "{}",
        c.reason
    );
}

#[test]
fn envelope_text_is_cleaned() {
    let s = Scrubber::new();
    s.learn("p8e-ENVELOPEsecretENVELOPEsecret00");
    let body = r#"{"errorCode":"403","errorDescription":"you sent p8e-ENVELOPEsecretENVELOPEsecret00 and eyJhbGciOiJSUzI1NiJ9.eyJpZCI6IjEyMzQ1Njc4OSJ9.c2lnbmF0dXJl"}"#;
    let e = envelope(body, &s).expect("envelope");
    let d = e.error_description.unwrap_or_default();
    assert!(!d.contains("ENVELOPE"), "{d}");
    assert!(!d.contains("eyJpZCI6"), "{d}");
}

#[test]
fn discovery_lists_companies_and_leaves_out_unusable_ids() {
    let body = r#"{"imsUserId":"X@techacct.adobe.com","imsOrgs":[
        {"imsOrgId":"O@AdobeOrg","companies":[{"globalCompanyId":"testco0","companyName":"Test"},
        {"globalCompanyId":"../../etc","companyName":"Bad"}]},
        {"imsOrgId":"P@AdobeOrg","companies":[{"globalCompanyId":"anothe0"}]}]}"#;
    let (c, bad) = parse_discovery(body, &Scrubber::new()).expect("shape");
    let ids: Vec<&str> = c.iter().map(|c| c.global_company_id.as_str()).collect();
    assert_eq!(ids, ["testco0", "anothe0"]);
    assert_eq!(bad, 1);
    assert_eq!(c[0].company_name.as_deref(), Some("Test"));
    assert!(parse_discovery(r#"{"imsUserId":"x"}"#, &Scrubber::new()).is_err());
    assert!(parse_discovery("[]", &Scrubber::new()).is_err());
}

#[test]
fn listings_are_arrays_or_pages_and_keep_only_ids() {
    let arr = r#"[{"id":"metrics/pageviews","title":"Page Views","support":["oberon"]},{"id":"metrics/visits"}]"#;
    let l = parse_listing(arr, IdField::Id).expect("array");
    assert_eq!(l.ids, ["metrics/pageviews", "metrics/visits"]);
    assert_eq!((l.count, l.total), (2, None));
    let page = r#"{"content":[{"collectionItemType":"reportsuite","id":"x1","rsid":"examplersid","name":"Ex"}],
        "totalElements":7,"totalPages":7,"number":0,"size":1}"#;
    let l = parse_listing(page, IdField::Rsid).expect("page");
    assert_eq!(l.ids, ["examplersid"]);
    assert_eq!((l.count, l.total), (1, Some(7)));
    let empty = parse_listing(r#"{"content":[],"totalElements":0}"#, IdField::Rsid).expect("empty");
    assert_eq!((empty.count, empty.total), (0, Some(0)));
    assert!(parse_listing(r#"{"totalElements":3}"#, IdField::Id).is_err());
    assert!(parse_listing("[1,2]", IdField::Id).is_err());
    assert!(parse_listing("\"x\"", IdField::Id).is_err());
}

#[test]
fn urls_encode_segments_and_query_and_drop_the_base_query() {
    let base = Url::parse("https://analytics.adobe.io/").expect("url");
    let u = build_url(&base, &["api", "exampl0", "metrics"], &[("rsid", "a b&c")]).expect("url");
    assert_eq!(
        u.as_str(),
        "https://analytics.adobe.io/api/exampl0/metrics?rsid=a+b%26c"
    );
    let prefixed = Url::parse("http://127.0.0.1:9/prefix/").expect("url");
    let u = build_url(&prefixed, &["discovery", "me"], &[]).expect("url");
    assert_eq!(u.as_str(), "http://127.0.0.1:9/prefix/discovery/me");
    let u = build_url(&base, &["api", "../x"], &[]).expect("url");
    assert_eq!(u.path(), "/api/..%2Fx");
}

#[test]
fn company_ids_are_checked_before_they_go_into_a_path() {
    assert!(valid_company_id("exampl0"));
    assert!(valid_company_id("test_co-1"));
    for bad in ["", "a/b", "a b", "x?y", "ö", &"a".repeat(65)] {
        assert!(!valid_company_id(bad), "{bad}");
    }
    assert_eq!(PAGE.parse::<u64>().ok(), Some(PAGE_SIZE));
}
