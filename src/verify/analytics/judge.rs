//! The Analytics verdict (pure). Adobe's Analytics authentication guide: "For
//! an integration to function, the Report Suites, Metrics, and Dimensions
//! permission groups, at minimum, need to be configured." So the OAuth token
//! must read a non-empty list of each, and, when the JWT token still works,
//! every report suite the JWT token read. An empty list or a 4xx with the
//! error envelope is a missing permission group; a network failure, a 5xx or
//! anything unrecognised is indeterminate, never a missing permission.

use serde::Serialize;

use super::Side;
use super::api::{ApiCall, CallStatus, Step};

/// The permission groups an integration needs at minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    /// "Report Suites - Include relevant report suites to be used by the integration".
    ReportSuites,
    /// "Metrics - Include the metrics to be used by the integration".
    Metrics,
    /// "Dimensions - Include the dimensions to be used by the integration".
    Dimensions,
}

impl Group {
    /// The name the Admin Console uses.
    pub fn name(self) -> &'static str {
        match self {
            Group::ReportSuites => "Report Suites",
            Group::Metrics => "Metrics",
            Group::Dimensions => "Dimensions",
        }
    }

    fn step(self) -> Step {
        match self {
            Group::ReportSuites => Step::ReportSuites,
            Group::Metrics => Step::Metrics,
            Group::Dimensions => Step::Dimensions,
        }
    }
}

/// The kinds of Analytics result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResultKind {
    /// Report suites, metrics and dimensions all readable (and the JWT
    /// token's report suites too).
    Verified,
    /// A permission group (or Analytics access altogether) is missing.
    NotVerified,
    /// The API could not be judged (network, timeout, 429, 5xx, redirect...).
    Indeterminate,
    /// No OAuth token to call it with.
    NotRun,
}

/// The Analytics result with its reasons.
#[derive(Debug, Clone, Serialize)]
pub struct AnalyticsResult {
    /// The kind.
    pub kind: ResultKind,
    /// Permission groups the OAuth credential provably lacks.
    pub missing: Vec<Group>,
    /// One line for humans.
    pub summary: String,
    /// Reasons and notes.
    pub details: Vec<String>,
    /// What to do about it, from Adobe's guides.
    pub fix: Option<String>,
}

/// The fix for missing permission groups (Adobe's Analytics "Getting
/// started" and "OAuth authentication" guides).
pub fn fix_groups(missing: &[Group]) -> String {
    format!(
        "Admin Console (adminconsole.adobe.com) > Products > Adobe Analytics > the OAuth \
         credential's product profile > Permissions: include what the integration uses under {}, \
         and add the OAuth Server-to-Server credential to that profile (the profile's API \
         credentials, or Developer Console > the project > Adobe Analytics > product profiles). \
         For an integration to function, the Report Suites, Metrics and Dimensions permission \
         groups, at minimum, need to be configured",
        names(missing)
    )
}

/// The fix when the credential has no Analytics access at all.
pub const FIX_ACCESS: &str = "add the OAuth Server-to-Server credential to an Adobe Analytics \
     product profile (Developer Console > the project > Adobe Analytics > product profiles, or \
     Admin Console > Products > Adobe Analytics > the profile > API credentials), then under that \
     profile's Permissions configure at least the Report Suites, Metrics and Dimensions \
     permission groups";

fn names(groups: &[Group]) -> String {
    let n: Vec<&str> = groups.iter().map(|g| g.name()).collect();
    match n.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// No OAuth token: nothing was called.
pub fn not_run(why: &str) -> AnalyticsResult {
    AnalyticsResult {
        kind: ResultKind::NotRun,
        missing: Vec::new(),
        summary: format!("not run: {why}"),
        details: Vec::new(),
        fix: None,
    }
}

/// Judges what the calls found. `company_problem` says why no company could
/// be checked (an unknown `--company`); `notes` are kept as details.
pub fn judge(
    oauth: Option<&Side>,
    jwt: Option<&Side>,
    company_problem: Option<&str>,
    notes: Vec<String>,
) -> AnalyticsResult {
    let Some(o) = oauth else {
        return not_run("no OAuth token to call the Analytics API with");
    };
    let mut details = notes;
    let result = |kind, missing, summary: String, details, fix| AnalyticsResult {
        kind,
        missing,
        summary,
        details,
        fix,
    };
    if let Some(d) = o.call(Step::Discovery) {
        let no_access = |why: String, mut details: Vec<String>| {
            details.push(format!("oauth discovery: {} answered {}", d.path, d.reason));
            result(
                ResultKind::NotVerified,
                Vec::new(),
                why,
                details,
                Some(FIX_ACCESS.to_string()),
            )
        };
        match d.status {
            CallStatus::Indeterminate => {
                details.push(format!("oauth discovery: {}", d.reason));
                return indeterminate(details);
            }
            CallStatus::Denied => {
                return no_access(
                    "the OAuth credential has no Adobe Analytics access".into(),
                    details,
                );
            }
            CallStatus::Ok if d.is_empty_ok() => {
                return no_access(
                    "the OAuth credential's technical account user belongs to no Analytics company"
                        .into(),
                    details,
                );
            }
            CallStatus::Ok => {}
        }
    }
    if let Some(p) = company_problem {
        return result(
            ResultKind::NotVerified,
            Vec::new(),
            p.to_string(),
            details,
            Some(FIX_ACCESS.to_string()),
        );
    }
    let mut missing = Vec::new();
    let mut unknown = Vec::new();
    for g in [Group::ReportSuites, Group::Metrics, Group::Dimensions] {
        let Some(c) = o.call(g.step()) else { continue };
        match c.status {
            CallStatus::Denied => {
                missing.push(g);
                details.push(format!("{}: {} answered {}", g.name(), c.path, c.reason));
            }
            CallStatus::Ok if c.is_empty_ok() => {
                missing.push(g);
                details.push(format!(
                    "{}: {} answered an empty list ({})",
                    g.name(),
                    c.path,
                    c.reason
                ));
            }
            CallStatus::Ok => {}
            CallStatus::Indeterminate => {
                unknown.push(format!("oauth {}: {}", c.step.label(), c.reason));
            }
        }
    }
    if missing.contains(&Group::ReportSuites) && o.call(Step::Metrics).is_none() {
        details
            .push("metrics and dimensions were not checked: they are read per report suite".into());
    }
    let oauth_suites = o
        .call(Step::ReportSuites)
        .filter(|c| c.status == CallStatus::Ok && !c.is_empty_ok());
    let mut compared = false;
    if let (Some(j), Some(oc)) = (jwt, oauth_suites) {
        match j.call(Step::ReportSuites) {
            Some(c) if c.status == CallStatus::Ok && !c.is_empty_ok() => {
                compared = true;
                compare_suites(o, oc, j, c, &mut missing, &mut details);
            }
            Some(c) if c.status == CallStatus::Indeterminate => unknown.push(format!(
                "jwt report suites (needed to compare them): {}",
                c.reason
            )),
            Some(c) => details.push(format!(
                "note: the JWT token reads no report suites ({}): nothing to compare",
                c.reason
            )),
            None => {}
        }
    }
    if !missing.is_empty() {
        let summary = format!(
            "the OAuth credential's Analytics product profile lacks the {} permission group{}",
            names(&missing),
            if missing.len() > 1 { "s" } else { "" }
        );
        details.extend(unknown.into_iter().map(|u| format!("also not judged: {u}")));
        let fix = fix_groups(&missing);
        return result(
            ResultKind::NotVerified,
            missing,
            summary,
            details,
            Some(fix),
        );
    }
    if !unknown.is_empty() {
        details.extend(unknown);
        return indeterminate(details);
    }
    let summary = if compared {
        "report suites, metrics and dimensions readable with the OAuth token, and the same report suites as with the JWT token"
    } else {
        "report suites, metrics and dimensions readable with the OAuth token"
    };
    result(
        ResultKind::Verified,
        Vec::new(),
        summary.to_string(),
        details,
        None,
    )
}

fn indeterminate(details: Vec<String>) -> AnalyticsResult {
    AnalyticsResult {
        kind: ResultKind::Indeterminate,
        missing: Vec::new(),
        summary: "the Analytics API could not be judged (not a permission problem)".into(),
        details,
        fix: None,
    }
}

/// Every report suite the JWT token read must be readable with the OAuth one.
fn compare_suites(
    o: &Side,
    oc: &ApiCall,
    j: &Side,
    jc: &ApiCall,
    missing: &mut Vec<Group>,
    details: &mut Vec<String>,
) {
    let partial = |c: &ApiCall| c.total.is_some_and(|t| Some(t) > c.items);
    let lacking: Vec<&str> = j
        .report_suites
        .iter()
        .filter(|r| !o.report_suites.contains(r))
        .map(String::as_str)
        .collect();
    let extra = o
        .report_suites
        .iter()
        .filter(|r| !j.report_suites.contains(r))
        .count();
    if !lacking.is_empty() {
        missing.push(Group::ReportSuites);
        details.push(format!(
            "Report Suites: the OAuth token cannot read {} report suite{} the JWT token reads: {}",
            lacking.len(),
            if lacking.len() > 1 { "s" } else { "" },
            shorten(&lacking, 10)
        ));
    }
    if extra > 0 {
        details.push(format!(
            "note: the OAuth token reads {extra} report suite{} the JWT token does not",
            if extra > 1 { "s" } else { "" }
        ));
    }
    if partial(oc) || partial(jc) {
        details.push(format!(
            "note: compared the first {} report suites only (one page)",
            super::api::PAGE
        ));
    }
}

/// `a, b, c and N more`.
pub fn shorten(items: &[&str], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max].join(", "), items.len() - max)
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
