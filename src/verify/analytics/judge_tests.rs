//! Unit tests for the Analytics verdict.

use super::super::api::{ApiError, PAGE_SIZE};
use super::*;

fn call(step: Step, status: CallStatus, items: Option<u64>) -> ApiCall {
    let mut c = ApiCall::unsent(step, "HTTP 200");
    c.path = format!("/api/exampl0/{}", step.label());
    c.status = status;
    c.http_status = Some(200);
    c.items = items;
    if status == CallStatus::Denied {
        c.http_status = Some(403);
        c.reason = "HTTP 403: 403 (no access)".into();
        c.error = Some(ApiError::default());
    }
    if status == CallStatus::Indeterminate {
        c.http_status = None;
        c.reason = "timed out after 1000 ms waiting for a response (1 attempt)".into();
    }
    c
}

fn ok(step: Step, n: u64) -> ApiCall {
    call(step, CallStatus::Ok, Some(n))
}

fn full() -> Side {
    Side {
        calls: vec![
            ok(Step::Discovery, 1),
            ok(Step::ReportSuites, 2),
            ok(Step::Metrics, 3),
            ok(Step::Dimensions, 2),
        ],
        report_suites: vec!["rs1".into(), "rs2".into()],
    }
}

fn replace(mut s: Side, c: ApiCall) -> Side {
    s.calls.retain(|x| x.step != c.step);
    s.calls.push(c);
    s
}

fn jwt(suites: &[&str]) -> Side {
    Side {
        calls: vec![ok(Step::ReportSuites, suites.len() as u64)],
        report_suites: suites.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn full_access_with_the_same_report_suites_is_verified() {
    let r = judge(Some(&full()), Some(&jwt(&["rs2", "rs1"])), None, Vec::new());
    assert_eq!(r.kind, ResultKind::Verified, "{r:?}");
    assert!(r.summary.contains("same report suites"), "{}", r.summary);
    let r = judge(Some(&full()), None, None, vec!["note: x".into()]);
    assert_eq!(r.kind, ResultKind::Verified);
    assert_eq!(r.details, ["note: x"]);
}

#[test]
fn each_empty_or_denied_group_is_named_with_the_admin_console_fix() {
    for (step, group) in [
        (Step::ReportSuites, Group::ReportSuites),
        (Step::Metrics, Group::Metrics),
        (Step::Dimensions, Group::Dimensions),
    ] {
        for c in [ok(step, 0), call(step, CallStatus::Denied, None)] {
            let r = judge(Some(&replace(full(), c)), None, None, Vec::new());
            assert_eq!(r.kind, ResultKind::NotVerified, "{step:?}: {r:?}");
            assert_eq!(r.missing, [group]);
            assert!(
                r.summary
                    .contains(&format!("lacks the {} permission group", group.name())),
                "{}",
                r.summary
            );
            let fix = r.fix.unwrap_or_default();
            assert!(
                fix.contains("Admin Console (adminconsole.adobe.com) > Products > Adobe Analytics"),
                "{fix}"
            );
            assert!(fix.contains("Permissions"), "{fix}");
            assert!(
                fix.contains("add the OAuth Server-to-Server credential to that profile"),
                "{fix}"
            );
        }
    }
}

#[test]
fn no_report_suites_means_metrics_and_dimensions_were_not_checked() {
    let side = Side {
        calls: vec![ok(Step::Discovery, 1), ok(Step::ReportSuites, 0)],
        report_suites: Vec::new(),
    };
    let r = judge(Some(&side), None, None, Vec::new());
    assert_eq!(r.missing, [Group::ReportSuites]);
    assert!(
        r.details.iter().any(|d| d.contains("not checked")),
        "{:?}",
        r.details
    );
}

#[test]
fn a_paged_total_of_zero_is_empty_even_if_items_were_sent() {
    let mut c = ok(Step::ReportSuites, 0);
    c.total = Some(0);
    assert!(c.is_empty_ok());
    let mut c = ok(Step::ReportSuites, PAGE_SIZE);
    c.total = Some(5000);
    assert_eq!(c.size(), Some(5000));
}

#[test]
fn no_analytics_access_at_all_is_not_verified_with_the_profile_fix() {
    let denied = Side {
        calls: vec![call(Step::Discovery, CallStatus::Denied, None)],
        report_suites: Vec::new(),
    };
    let r = judge(Some(&denied), None, None, Vec::new());
    assert_eq!(r.kind, ResultKind::NotVerified);
    assert!(r.missing.is_empty());
    assert!(
        r.summary.contains("no Adobe Analytics access"),
        "{}",
        r.summary
    );
    assert_eq!(r.fix.as_deref(), Some(FIX_ACCESS));
    let none = Side {
        calls: vec![ok(Step::Discovery, 0)],
        report_suites: Vec::new(),
    };
    let r = judge(Some(&none), None, None, Vec::new());
    assert_eq!(r.kind, ResultKind::NotVerified);
    assert!(r.summary.contains("no Analytics company"), "{}", r.summary);
    let r = judge(
        Some(&Side {
            calls: vec![ok(Step::Discovery, 2)],
            report_suites: Vec::new(),
        }),
        None,
        Some("company x is not among ..."),
        Vec::new(),
    );
    assert_eq!(r.kind, ResultKind::NotVerified);
    assert!(r.summary.starts_with("company x"), "{}", r.summary);
}

#[test]
fn network_failures_are_indeterminate_never_a_missing_group() {
    let r = judge(
        Some(&Side {
            calls: vec![call(Step::Discovery, CallStatus::Indeterminate, None)],
            report_suites: Vec::new(),
        }),
        None,
        None,
        Vec::new(),
    );
    assert_eq!(r.kind, ResultKind::Indeterminate);
    assert!(r.missing.is_empty());
    let side = replace(full(), call(Step::Metrics, CallStatus::Indeterminate, None));
    let r = judge(Some(&side), None, None, Vec::new());
    assert_eq!(r.kind, ResultKind::Indeterminate, "{r:?}");
    assert!(r.summary.contains("not a permission problem"));
    // A definite missing group wins, and the unknown one is not named.
    let side = replace(side, call(Step::Dimensions, CallStatus::Denied, None));
    let r = judge(Some(&side), None, None, Vec::new());
    assert_eq!(r.kind, ResultKind::NotVerified);
    assert_eq!(r.missing, [Group::Dimensions]);
    assert!(
        r.details
            .iter()
            .any(|d| d.starts_with("also not judged: oauth metrics")),
        "{:?}",
        r.details
    );
}

#[test]
fn the_oauth_token_must_read_every_report_suite_the_jwt_token_read() {
    let r = judge(
        Some(&full()),
        Some(&jwt(&["rs1", "rs2", "rs3"])),
        None,
        Vec::new(),
    );
    assert_eq!(r.kind, ResultKind::NotVerified);
    assert_eq!(r.missing, [Group::ReportSuites]);
    assert!(
        r.details
            .iter()
            .any(|d| d.contains("cannot read 1 report suite the JWT token reads: rs3")),
        "{:?}",
        r.details
    );
    let r = judge(Some(&full()), Some(&jwt(&["rs1"])), None, Vec::new());
    assert_eq!(r.kind, ResultKind::Verified);
    assert!(
        r.details
            .iter()
            .any(|d| d.contains("reads 1 report suite the JWT token does not"))
    );
    let unknown = Side {
        calls: vec![call(Step::ReportSuites, CallStatus::Indeterminate, None)],
        report_suites: Vec::new(),
    };
    let r = judge(Some(&full()), Some(&unknown), None, Vec::new());
    assert_eq!(r.kind, ResultKind::Indeterminate);
    let denied = Side {
        calls: vec![call(Step::ReportSuites, CallStatus::Denied, None)],
        report_suites: Vec::new(),
    };
    let r = judge(Some(&full()), Some(&denied), None, Vec::new());
    assert_eq!(
        r.kind,
        ResultKind::Verified,
        "nothing to compare is not a failure"
    );
}

#[test]
fn no_oauth_token_is_not_run() {
    assert_eq!(judge(None, None, None, Vec::new()).kind, ResultKind::NotRun);
}

#[test]
fn group_names_join_in_english() {
    assert_eq!(names(&[Group::Metrics]), "Metrics");
    assert_eq!(
        names(&[Group::Metrics, Group::Dimensions]),
        "Metrics and Dimensions"
    );
    assert_eq!(
        names(&[Group::ReportSuites, Group::Metrics, Group::Dimensions]),
        "Report Suites, Metrics and Dimensions"
    );
    assert_eq!(shorten(&["a", "b", "c"], 2), "a, b and 1 more");
}
