//! Output of `verify`: a side-by-side table for humans, or the report as JSON.
//! Both are functions of the report; tokens appear only masked.

use std::io::{self, Write};

use super::Report;
use super::flow::{FlowResult, Status};

/// Writes the report as one JSON object.
pub fn json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    writeln!(out)
}

/// Writes the side-by-side table and the verdict.
pub fn human(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let (j, o) = (&report.jwt, &report.oauth);
    writeln!(
        out,
        "jwt2oauth verify · IMS {} · client {}",
        report.ims_url, report.client_id
    )?;
    writeln!(out)?;
    let mut rows: Vec<[String; 4]> = vec![[
        String::new(),
        "Service Account (JWT)".into(),
        "OAuth Server-to-Server".into(),
        String::new(),
    ]];
    let mut row = |name: &str, a: String, b: String, compare: bool| {
        let cmp = if !compare || a == "-" || b == "-" {
            String::new()
        } else if a == b {
            "same".into()
        } else {
            "DIFFERS".into()
        };
        rows.push([name.into(), a, b, cmp]);
    };
    row("result", status(j), status(o), false);
    row(
        "endpoint",
        crate::ims::EXCHANGE_JWT.into(),
        crate::ims::TOKEN_V3.into(),
        false,
    );
    row("HTTP status", opt(j.http_status), opt(o.http_status), false);
    row("latency", latency(j), latency(o), false);
    row(
        "token type",
        opt(j.token_type.clone()),
        opt(o.token_type.clone()),
        true,
    );
    row("expires in", expiry(j, "ms"), expiry(o, "s"), false);
    let claim = |r: &FlowResult,
                 f: &dyn Fn(&super::token_claims::TokenClaims) -> Option<String>| {
        r.claims.as_ref().and_then(f).unwrap_or_else(|| "-".into())
    };
    row(
        "client_id",
        claim(j, &|c| c.client_id.clone()),
        claim(o, &|c| c.client_id.clone()),
        true,
    );
    row(
        "user_id (account)",
        claim(j, &|c| c.user_id.clone()),
        claim(o, &|c| c.user_id.clone()),
        true,
    );
    row(
        "as (IMS cluster)",
        claim(j, &|c| c.issuer.clone()),
        claim(o, &|c| c.issuer.clone()),
        true,
    );
    let scopes = |r: &FlowResult| {
        r.claims.as_ref().map_or_else(
            || "-".into(),
            |c| {
                let mut s = c.scopes.clone();
                s.sort();
                s.join(",")
            },
        )
    };
    row("scopes", scopes(j), scopes(o), true);
    row(
        "access token",
        opt(j.token_masked.clone()),
        opt(o.token_masked.clone()),
        false,
    );
    row(
        "x-debug-id",
        opt(j.debug_id.clone()),
        opt(o.debug_id.clone()),
        false,
    );
    if let Some(p) = &report.probe {
        let call = |c: &Option<super::probe::ProbeCall>| {
            c.as_ref().map_or("-".into(), |c| {
                format!(
                    "{} {}",
                    c.status.map_or("-".into(), |s| s.to_string()),
                    c.shape
                )
            })
        };
        row("probe", call(&p.jwt), call(&p.oauth), true);
    }
    let widths: Vec<usize> = (0..4)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let line = format!(
            "  {:w0$}  {:w1$}  {:w2$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(out)?;
    if let Some(a) = &report.analytics {
        analytics(a, out)?;
    }
    for (name, r) in [("jwt", j), ("oauth", o)] {
        let told = report.verdict.details.iter().any(|d| d.contains(&r.reason));
        if !matches!(r.status, Status::Valid | Status::Skipped) && !told {
            writeln!(out, "{name}: {}", r.reason)?;
        }
    }
    writeln!(out, "verdict: {}", report.verdict.summary)?;
    for d in &report.verdict.details {
        writeln!(out, "  - {d}")?;
    }
    if let Some(own) = &report.ownership {
        writeln!(out, "warning: {}", own.warning)?;
        let assets = report
            .analytics
            .as_ref()
            .and_then(|a| a.old_account_assets.as_ref().map(|o| (a, o)));
        if let Some((a, o)) = assets {
            owned_line(a, o, out)?;
        }
    }
    Ok(())
}

/// The Analytics calls, one line each, before the verdict.
fn analytics(a: &super::analytics::AnalyticsReport, out: &mut dyn Write) -> io::Result<()> {
    let company = a.company.as_ref().map_or(String::new(), |c| {
        format!(
            " · company {}{}",
            c.global_company_id,
            c.company_name
                .as_deref()
                .map_or(String::new(), |n| format!(" ({n})"))
        )
    });
    writeln!(out, "Adobe Analytics · {}{company}", a.url)?;
    let sides = [("oauth", a.oauth.as_ref()), ("jwt", a.jwt.as_ref())];
    let width = sides
        .iter()
        .flat_map(|(_, s)| s.iter().flat_map(|s| &s.calls))
        .map(|c| c.step.label().len())
        .max()
        .unwrap_or(0);
    for (name, side) in sides {
        for c in side.iter().flat_map(|s| &s.calls) {
            writeln!(out, "  {name:5}  {:width$}  {}", c.step.label(), c.reason)?;
        }
    }
    writeln!(out)?;
    Ok(())
}

fn owned_line(
    a: &super::analytics::AnalyticsReport,
    o: &super::analytics::OwnedAssets,
    out: &mut dyn Write,
) -> io::Result<()> {
    let n = |v: Option<u64>, one: &str, many: &str| {
        v.map(|n| format!("{n} {}", if n == 1 { one } else { many }))
    };
    let counts: Vec<String> = [
        n(o.segments, "segment", "segments"),
        n(
            o.calculated_metrics,
            "calculated metric",
            "calculated metrics",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !counts.is_empty() {
        let company = a
            .company
            .as_ref()
            .map_or(String::new(), |c| format!(" in {}", c.global_company_id));
        writeln!(
            out,
            "  - the old technical account user owns {}{company}",
            counts.join(" and ")
        )?;
    }
    for note in &o.notes {
        writeln!(out, "  - {note}")?;
    }
    Ok(())
}

fn status(r: &FlowResult) -> String {
    match r.status {
        Status::Valid => "valid".into(),
        Status::Invalid if r.retired => "invalid (retired)".into(),
        Status::Invalid => format!(
            "invalid ({})",
            r.ims_error
                .as_ref()
                .map_or("rejected", |e| e.error.as_str())
        ),
        Status::Indeterminate => "indeterminate".into(),
        Status::Skipped => "not run".into(),
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".into(), |v| v.to_string())
}

fn latency(r: &FlowResult) -> String {
    match (r.latency_ms, r.attempts) {
        (_, 0) => "-".into(),
        (Some(ms), 1) => format!("{ms} ms"),
        (Some(ms), n) => format!("{ms} ms ({n} attempts)"),
        (None, n) => format!("- ({n} attempts)"),
    }
}

fn expiry(r: &FlowResult, unit: &str) -> String {
    match (r.expires_in_secs, r.expires_in_raw) {
        (Some(s), Some(raw)) if unit == "ms" => format!("{s} s ({raw} ms sent)"),
        (Some(s), _) => format!("{s} s"),
        _ => "-".into(),
    }
}
