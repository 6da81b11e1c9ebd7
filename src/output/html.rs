//! `--format html`: the migration report as one self-contained page (inline
//! CSS, an inline SVG chart, a few lines of inline script to filter the
//! findings; no external asset, so it works offline and as a CI artifact).
//! The same plan as the Markdown report (see [`super::plan`]).

use std::fmt::Write as _;
use std::io::{self, Write};

pub use super::escape::esc;
use super::plan::{self, GroupPlan, Plan, days_text};
use super::{Report, STATUSES};
use crate::engine::Detected;

const CSS: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Escapes `s` and lets it break after each `/` (paths in headings and
/// summaries break between their parts, never inside a word).
fn esc_path(s: &str) -> String {
    esc(s).replace('/', "/<wbr>")
}

/// Escapes `s` and turns `backtick spans` into `<code>`.
fn esc_code(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", esc(part))
            } else {
                esc(part)
            }
        })
        .collect()
}

/// The colour of a status in the chart and badges.
fn color(status: &str) -> &'static str {
    match status {
        "past-due" => "#c62828",
        "due-soon" => "#ef8f00",
        "scheduled" => "#2e7d32",
        _ => "#607d8b",
    }
}

/// Writes the report page.
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let p = plan::build(report);
    let mut h = String::with_capacity(64 * 1024);
    // `write!` into a String cannot fail.
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>JWT to OAuth migration report ({today})</title>\n<style>\n{CSS}</style>\n</head>\n\
         <body data-findings=\"{n}\" data-gate=\"{gate}\">\n<header>\n\
         <h1>JWT to OAuth Server-to-Server migration report</h1>\n\
         <p class=\"meta\">jwt2oauth {v} · today {today} · scanned {scope} · gate (<code>--fail-on {fail_on}</code>): \
         <strong class=\"gate-{gate}\">{gate_text}</strong></p>\n</header>\n<main>\n",
        today = p.today,
        n = p.findings,
        gate = if p.gate_failed { "failed" } else { "passed" },
        gate_text = esc(&p.gate_text),
        v = env!("CARGO_PKG_VERSION"),
        scope = esc(&p.scope),
        fail_on = esc(p.fail_on),
    );
    if let Some(o) = super::org::build(report, &p) {
        super::org::html(&o, &mut h);
    }
    summary(&p, &mut h);
    steps(&p, &mut h);
    for g in &p.groups {
        group(g, &mut h);
    }
    unattributed(&p, &mut h);
    findings(report, &p, &mut h);
    notes(report, &mut h);
    let _ = writeln!(h, "</main>\n<script>\n{SCRIPT}</script>\n</body>\n</html>");
    out.write_all(h.as_bytes())
}

/// "1 finding" / "2 findings".
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn card(h: &mut String, id: &str, class: &str, n: usize, one: &str, many: &str) {
    let _ = writeln!(
        h,
        "<div class=\"card {class}\"><span class=\"num\" id=\"{id}\">{n}</span>{}</div>",
        if n == 1 { one } else { many }
    );
}

fn summary(p: &Plan<'_>, h: &mut String) {
    h.push_str("<section id=\"summary\">\n<h2>Executive summary</h2>\n<div class=\"cards\">\n");
    card(
        h,
        "credentials",
        "",
        p.credentials,
        "identified credential",
        "identified credentials",
    );
    card(
        h,
        "projects",
        "",
        p.projects,
        "project with JWT usage",
        "projects with JWT usage",
    );
    card(
        h,
        "files",
        "",
        p.files,
        "file with findings",
        "files with findings",
    );
    card(h, "findings", "", p.findings, "finding", "findings");
    if p.unattributed_findings > 0 {
        card(
            h,
            "unattributed",
            "",
            p.unattributed_findings,
            "site not tied to a credential",
            "sites not tied to a credential",
        );
    }
    card(
        h,
        "suppressed",
        "",
        p.suppressed,
        "suppressed",
        "suppressed",
    );
    for (s, n) in &p.by_status {
        if *n > 0 {
            let label = plan::status_label(s);
            card(
                h,
                &format!("status-{s}"),
                &format!("status-{s}"),
                *n,
                label,
                label,
            );
        }
    }
    h.push_str("</div>\n");
    if !p.groups.is_empty() {
        h.push_str(
            "<h3>Credentials</h3>\n<table class=\"cutoffs\">\n\
             <thead><tr><th>credential</th><th>identified by</th><th>project</th><th>cut-off</th><th>status</th><th>files</th><th>findings</th></tr></thead>\n<tbody>\n",
        );
        for g in &p.groups {
            let (date, st, days) = g
                .group
                .effective_deadline
                .as_ref()
                .map_or(("none".to_string(), "none", String::new()), |d| {
                    (d.date.to_string(), d.status.as_str(), days_text(d))
                });
            let _ = writeln!(
                h,
                "<tr><td data-label=\"credential\"><a href=\"#{id}\">{t}</a></td><td data-label=\"identified by\">{by}</td>\
                 <td data-label=\"project\"><code>{project}</code></td><td data-label=\"cut-off\" class=\"date\">{date}</td>\
                 <td data-label=\"status\"><span class=\"badge status-{st}\">{stl}</span> {days}</td>\
                 <td data-label=\"files\" class=\"n\">{}</td><td data-label=\"findings\" class=\"n\">{}</td></tr>",
                g.group.files.len(),
                g.group.findings,
                id = esc(&g.group.id),
                t = esc(&g.title),
                by = esc(&g.identified_text),
                project = esc(&g.group.project),
                stl = plan::status_label(st),
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    if !p.unattributed.is_empty() {
        let _ = writeln!(
            h,
            "<p>{} in {} not tied to a credential: <a href=\"#unattributed\">usage sites not tied to a credential</a>.</p>",
            counted(p.unattributed_findings, "usage site", "usage sites"),
            counted(p.unattributed.len(), "project", "projects"),
        );
    }
    chart(p, h);
    let _ = writeln!(
        h,
        "<p>Adobe's <a href=\"{}\">migration guide</a> and <a href=\"{}\">OAuth Server-to-Server guide</a>.</p>\n</section>",
        plan::MIGRATION_GUIDE,
        plan::IMPLEMENTATION_GUIDE
    );
}

/// A horizontal stacked bar per category, segments by deadline status.
fn chart(p: &Plan<'_>, h: &mut String) {
    if p.by_category.is_empty() {
        return;
    }
    let max = p
        .by_category
        .iter()
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(1)
        .max(1);
    let (label_w, bar_w, row_h) = (180.0, 400.0, 26.0);
    let height = row_h * p.by_category.len() as f64 + 40.0;
    let _ = write!(
        h,
        "<h3>Findings by category and deadline status</h3>\n\
         <svg id=\"chart\" role=\"img\" aria-labelledby=\"chart-title\" width=\"640\" height=\"{height}\" viewBox=\"0 0 640 {height}\" xmlns=\"http://www.w3.org/2000/svg\">\n\
         <title id=\"chart-title\">Findings by category, coloured by deadline status</title>\n"
    );
    for (row, (cat, total)) in p.by_category.iter().enumerate() {
        let y = row as f64 * row_h + 4.0;
        let _ = writeln!(
            h,
            "<text x=\"{x}\" y=\"{ty}\" text-anchor=\"end\" class=\"label\">{cat}</text>",
            x = label_w - 8.0,
            ty = y + 15.0,
        );
        let mut x = label_w;
        for st in STATUSES {
            let n = p.matrix.get(&(*cat, st)).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let w = bar_w * n as f64 / max as f64;
            let _ = writeln!(
                h,
                "<rect class=\"bar\" data-category=\"{cat}\" data-status=\"{st}\" data-count=\"{n}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"20\" fill=\"{c}\"><title>{cat}: {n} {st}</title></rect>",
                c = color(st),
            );
            x += w;
        }
        let _ = writeln!(
            h,
            "<text x=\"{tx:.1}\" y=\"{ty}\" class=\"count\">{total}</text>",
            tx = x + 6.0,
            ty = y + 15.0
        );
    }
    let ly = row_h * p.by_category.len() as f64 + 22.0;
    let mut lx = label_w;
    for st in STATUSES {
        let _ = writeln!(
            h,
            "<rect x=\"{lx}\" y=\"{ry}\" width=\"12\" height=\"12\" fill=\"{c}\"/><text x=\"{tx}\" y=\"{ly}\" class=\"legend\">{stl}</text>",
            ry = ly - 10.0,
            stl = plan::status_label(st),
            tx = lx + 16.0,
            c = color(st),
        );
        lx += 100.0;
    }
    h.push_str("</svg>\n");
}

fn steps(p: &Plan<'_>, h: &mut String) {
    if p.kinds.is_empty() {
        return;
    }
    h.push_str("<section id=\"steps\">\n<h2>Migration steps</h2>\n<p class=\"note\">Each kind of credential's steps, once; each credential's section says which apply to it.</p>\n");
    for k in &p.kinds {
        let _ = writeln!(
            h,
            "<div class=\"kind\" id=\"steps-{}\">\n<h3>{}</h3>\n<p>{}</p>",
            k.kind.id(),
            esc(k.kind.title()),
            esc_code(k.kind.intro())
        );
        let mut who: Vec<String> = k
            .credentials
            .iter()
            .map(|(id, t)| format!("<a href=\"#{}\">{}</a>", esc(id), esc(t)))
            .collect();
        who.extend(k.unattributed_projects.iter().map(|pr| {
            format!(
                "<a href=\"#unattributed\">sites not tied to a credential in <code>{}</code></a>",
                esc(pr)
            )
        }));
        let _ = writeln!(
            h,
            "<p class=\"applies\">Applies to: {}.</p>",
            who.join("; ")
        );
        h.push_str("<ol class=\"steps\">\n");
        for (title, detail) in k.kind.steps() {
            let _ = writeln!(
                h,
                "<li><strong>{}.</strong> {}</li>",
                esc(title),
                esc_code(detail)
            );
        }
        h.push_str("</ol>\n</div>\n");
    }
    h.push_str("</section>\n");
}

/// A table of files and the lines to change in each.
fn sites(list: &[plan::FileSites<'_>], h: &mut String) {
    h.push_str("<table class=\"sites\"><thead><tr><th>file</th><th>lines to change</th><th>categories</th></tr></thead><tbody>\n");
    for f in list {
        let lines: Vec<String> = f.lines().iter().map(u32::to_string).collect();
        let cats: Vec<&str> = f.categories().iter().map(|c| c.as_str()).collect();
        let _ = writeln!(
            h,
            "<tr><td data-label=\"file\"><a href=\"#{}\"><code>{}</code></a></td><td data-label=\"lines\">{}</td><td data-label=\"categories\">{}</td></tr>",
            file_anchor(f.path),
            esc(f.path),
            lines.join(", "),
            cats.join(", ")
        );
    }
    h.push_str("</tbody></table>\n");
}

/// A stable anchor for a file's entry in the findings list.
fn file_anchor(path: &str) -> String {
    format!(
        "file-{}",
        &crate::finding::fingerprint("file", path, "", 0)[..12]
    )
}

fn group(g: &GroupPlan<'_>, h: &mut String) {
    let c = g.group;
    let _ = writeln!(
        h,
        "<section class=\"credential\" id=\"{}\">\n<h2>{}</h2>",
        esc(&c.id),
        esc_path(&g.title)
    );
    let kinds: Vec<String> = g
        .kinds
        .iter()
        .map(|k| format!("<a href=\"#steps-{}\">{}</a>", k.id(), esc(k.title())))
        .collect();
    let _ = writeln!(
        h,
        "<p class=\"identified\">Identified by {} · project <code>{}</code> · steps: {}</p>",
        esc(&g.identified_text),
        esc(&c.project),
        kinds.join(", ")
    );
    if let Some(d) = &c.effective_deadline {
        let src = esc(&d.source);
        let source = if d.source.starts_with("https://") || d.source.starts_with("http://") {
            format!("<a href=\"{src}\">{src}</a>")
        } else {
            src
        };
        let _ = writeln!(
            h,
            "<p class=\"cutoff\">Cut-off <strong>{}</strong> <span class=\"badge status-{st}\">{st}</span> {} · source {source}</p>",
            d.date,
            days_text(d),
            st = d.status.as_str(),
        );
    }
    if !g.identifiers.is_empty() {
        h.push_str("<dl class=\"ids\">\n");
        for (label, v) in &g.identifiers {
            let items: Vec<String> = v
                .iter()
                .map(|x| format!("<code>{}</code>", esc(x)))
                .collect();
            let _ = writeln!(h, "<dt>{label}</dt><dd>{}</dd>", items.join(" "));
        }
        h.push_str("</dl>\n");
    }
    h.push_str("<h3>Files and sites</h3>\n");
    sites(&g.sites, h);
    h.push_str("<h3>Metascopes and OAuth scopes</h3>\n");
    if g.metascopes.is_empty() {
        h.push_str("<p>No metascope found in these files: copy the new credential's scopes.</p>\n");
    } else {
        h.push_str("<table class=\"scopes\"><thead><tr><th>JWT metascope</th><th>OAuth scopes observed</th></tr></thead><tbody>\n");
        for (m, s) in &g.metascopes {
            let scopes = s.map_or_else(
                || "no observed mapping: copy the credential's list".to_string(),
                |s| format!("<code>{}</code>", esc(&s.join(","))),
            );
            let _ = writeln!(
                h,
                "<tr><td data-label=\"metascope\"><code>{}</code></td><td data-label=\"scopes\">{scopes}</td></tr>",
                esc(m)
            );
        }
        h.push_str("</tbody></table>\n<p class=\"note\">Observed mappings: Adobe publishes none. The new credential's own scopes list is the truth.</p>\n");
    }
    if !g.cleanup.is_empty() {
        h.push_str("<h3>Secrets and keys to rotate or delete</h3>\n<ul class=\"cleanup\">\n");
        for item in &g.cleanup {
            let _ = writeln!(h, "<li>{}</li>", esc(item));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<h3>Checklist</h3>\n<ul class=\"checklist\">\n");
    for item in &g.checklist {
        let _ = writeln!(
            h,
            "<li><label><input type=\"checkbox\"> {}</label></li>",
            esc(item)
        );
    }
    h.push_str("</ul>\n</section>\n");
}

fn unattributed(p: &Plan<'_>, h: &mut String) {
    if p.unattributed.is_empty() {
        return;
    }
    h.push_str(
        "<section id=\"unattributed\">\n<h2>Usage sites not tied to a credential</h2>\n\
         <p>These files use the JWT flow but hold no identifier (client id, technical account, key, Console project) \
         and their project has no single credential to join: find the credential they load at run time \
         (environment, secret store) and migrate them with it.</p>\n",
    );
    for u in &p.unattributed {
        let kinds: Vec<String> = u
            .kinds
            .iter()
            .map(|k| format!("<a href=\"#steps-{}\">{}</a>", k.id(), esc(k.title())))
            .collect();
        let cut = u
            .sites
            .effective_deadline
            .as_ref()
            .map_or(String::new(), |d| {
                format!(
                    " · cut-off {} <span class=\"badge status-{st}\">{st}</span> {}",
                    d.date,
                    days_text(d),
                    st = d.status.as_str()
                )
            });
        let _ = writeln!(
            h,
            "<div class=\"unattributed\" id=\"{}\">\n<h3>Project <code>{}</code></h3>\n<p>{} in {} · steps: {}{cut}</p>",
            esc(&u.id),
            esc_path(&u.sites.project),
            counted(u.sites.findings, "site", "sites"),
            counted(u.sites.files.len(), "file", "files"),
            kinds.join(", ")
        );
        sites(&u.files, h);
        h.push_str("</div>\n");
    }
    h.push_str("</section>\n");
}

/// A `<select>` filter over one data attribute.
fn select(h: &mut String, id: &str, label: &str, options: &[(String, String)]) {
    let _ = write!(
        h,
        "<label>{label} <select id=\"{id}\"><option value=\"\">all</option>"
    );
    for (value, text) in options {
        let _ = write!(h, "<option value=\"{}\">{}</option>", esc(value), esc(text));
    }
    h.push_str("</select></label>\n");
}

fn findings(report: &Report<'_>, p: &Plan<'_>, h: &mut String) {
    h.push_str("<section id=\"findings-list\">\n<h2>Findings</h2>\n<div class=\"filter\">\n");
    let mut owners: Vec<(String, String)> = p
        .groups
        .iter()
        .map(|g| (g.group.id.clone(), g.title.clone()))
        .collect();
    owners.extend(p.unattributed.iter().map(|u| {
        (
            u.id.clone(),
            format!("not tied to a credential: {}", u.sites.project),
        )
    }));
    if p.informational > 0 {
        owners.push(("informational".into(), "informational only".into()));
    }
    select(h, "f-credential", "Credential", &owners);
    let statuses: Vec<(String, String)> = p
        .by_status
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, _)| (s.to_string(), plan::status_label(s).to_string()))
        .collect();
    select(h, "f-status", "Status", &statuses);
    let cats: Vec<(String, String)> = p
        .by_category
        .iter()
        .map(|(c, _)| (c.as_str().to_string(), c.as_str().to_string()))
        .collect();
    select(h, "f-category", "Category", &cats);
    h.push_str(
        "<label>Text <input id=\"filter\" type=\"search\" placeholder=\"path or rule\"></label>\n\
         <button type=\"button\" id=\"expand\">expand all</button> <button type=\"button\" id=\"collapse\">collapse all</button>\n\
         <span id=\"shown\"></span>\n</div>\n",
    );
    if p.by_file.is_empty() {
        h.push_str("<p>No findings.</p>\n");
    }
    for f in &p.by_file {
        let (owner_id, owner) = p
            .owner
            .get(f.path)
            .map_or(("informational", "informational only"), |(id, t)| {
                (id.as_str(), t.as_str())
            });
        let _ = writeln!(
            h,
            "<details class=\"file\" open id=\"{anchor}\">\n<summary><code>{path}</code> <span class=\"count\">{n}</span> <span class=\"owner\">{owner}</span></summary>",
            anchor = file_anchor(f.path),
            path = esc_path(f.path),
            n = counted(f.findings.len(), "finding", "findings"),
            owner = esc(owner),
        );
        for d in &f.findings {
            let own = if d.finding.category.counts_for_gate() {
                owner_id
            } else {
                "informational"
            };
            finding(report, d, own, h);
        }
        h.push_str("</details>\n");
    }
    h.push_str("</section>\n");
}

fn finding(report: &Report<'_>, d: &Detected, owner: &str, h: &mut String) {
    let f = &d.finding;
    let l = &f.location;
    let st = super::status_of(f);
    let when = f.deadline.as_ref().map_or_else(
        || "informational".to_string(),
        |dl| format!("{} ({})", dl.date, days_text(dl)),
    );
    let _ = write!(
        h,
        "<article class=\"finding sev-{sev}\" data-rule=\"{rule}\" data-status=\"{st}\" data-path=\"{path}\" data-category=\"{cat}\" data-credential=\"{owner}\">\n\
         <p class=\"where\"><code>{path}:{line}:{col}</code> <span class=\"badge sev\">{sev}</span> \
         <code class=\"rule\">{rule}</code> <span class=\"badge status-{st}\">{stl}</span> {when} · {cat}</p>\n\
         <p class=\"message\">{msg}</p>\n",
        sev = f.severity,
        rule = esc(&f.rule_id),
        path = esc(&l.path),
        line = l.line,
        col = l.column,
        when = esc(&when),
        cat = f.category,
        owner = esc(owner),
        stl = plan::status_label(st),
        msg = esc(&f.message),
    );
    if let Some(o) = report.notes.history.get(&f.fingerprint) {
        let _ = writeln!(
            h,
            "<p class=\"history\">First committed in <code>{}</code> ({}){}</p>",
            esc(&o.commit),
            esc(&o.summary),
            if o.removed {
                ": removed since, <strong>still in the git history</strong>"
            } else {
                ""
            }
        );
    }
    h.push_str("<pre class=\"frame\">");
    if d.frame.is_empty() {
        h.push_str(&esc(&f.snippet));
    }
    for fl in &d.frame {
        let _ = writeln!(
            h,
            "<span class=\"{}\"><span class=\"ln\">{:>4}</span> {}</span>",
            if fl.is_match { "hit" } else { "ctx" },
            fl.line,
            esc(&fl.text)
        );
    }
    h.push_str("</pre>\n");
    if !f.related.is_empty() {
        h.push_str("<p class=\"related\">Also at:</p>\n<ul class=\"related\">\n");
        for r in &f.related {
            let _ = writeln!(h, "<li>line {} <code>{}</code></li>", r.line, esc(&r.note));
        }
        h.push_str("</ul>\n");
    }
    let _ = writeln!(
        h,
        "<p class=\"fix\"><strong>Fix:</strong> {}</p>\n</article>",
        esc_code(&f.remediation)
    );
}

fn notes(report: &Report<'_>, h: &mut String) {
    let scan = report.scan;
    if !scan.suppressed.is_empty() {
        h.push_str("<section id=\"suppressed\">\n<h2>Suppressed findings</h2>\n<table><thead><tr><th>location</th><th>rule</th><th>by</th><th>reason</th></tr></thead><tbody>\n");
        for s in &scan.suppressed {
            let l = &s.finding.location;
            let _ = writeln!(
                h,
                "<tr><td><code>{}:{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(&l.path),
                l.line,
                esc(&s.finding.rule_id),
                s.kind.as_str(),
                esc(&s.reason)
            );
        }
        h.push_str("</tbody></table>\n</section>\n");
    }
    if !report.notes.stale.is_empty() {
        h.push_str(
            "<section id=\"stale\">\n<h2>Baseline entries and ignores to review</h2>\n<ul>\n",
        );
        for s in &report.notes.stale {
            let _ = writeln!(
                h,
                "<li>{} <code>{}</code> for <code>{}</code>: {}</li>",
                s.source,
                esc(&s.rule_id),
                esc(&s.path),
                s.problem.as_str()
            );
        }
        h.push_str("</ul>\n</section>\n");
    }
    if !scan.errors.is_empty() || !scan.skipped.is_empty() {
        h.push_str("<section id=\"not-scanned\">\n<h2>Not scanned</h2>\n<ul>\n");
        for e in &scan.errors {
            let _ = writeln!(
                h,
                "<li>error: <code>{}</code>: {}</li>",
                esc(&e.path),
                esc(&super::error_message(e))
            );
        }
        for s in &scan.skipped {
            let _ = writeln!(
                h,
                "<li>skipped: <code>{}</code>: {}</li>",
                esc(&s.path),
                esc(&s.reason)
            );
        }
        h.push_str("</ul>\n</section>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc_code("run `a<b` now"), "run <code>a&lt;b</code> now");
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
