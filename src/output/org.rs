//! The organisation view at the top of the Markdown and HTML reports when a
//! report spans more than one repository (a scan of a directory of
//! checkouts, or `jwt2oauth merge`): the repositories by status (JWT in
//! use, migrated, clean), the credentials shared across repositories in the
//! order to migrate them (earliest effective deadline first, then the most
//! repositories), each with every repository that uses it and "delete the
//! JWT credential only after all N are done", then one short section per
//! repository. Pure: built from the report and its plan.

use std::collections::BTreeMap;

use super::plan::Plan;
use super::{RepoView, Report};
use crate::finding::DeadlineInfo;
use crate::repository::RepoStatus;

/// The organisation view.
pub struct OrgPlan<'a> {
    pub repos: Vec<RepoView<'a>>,
    /// Repositories per status, in [`RepoStatus`] order (`incomplete` only
    /// when there is one).
    pub by_status: Vec<(RepoStatus, usize)>,
    /// Credentials used by more than one repository, in migration order.
    pub shared: Vec<SharedCredential<'a>>,
    /// Credential id -> (anchor, title) for links.
    pub titles: BTreeMap<&'a str, &'a str>,
    /// Per repository root: its earliest effective deadline.
    pub deadlines: BTreeMap<&'a str, &'a DeadlineInfo>,
    /// Per repository root: files with findings and their counts.
    pub files: BTreeMap<&'a str, Vec<(&'a str, usize)>>,
}

/// A credential several repositories use.
pub struct SharedCredential<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// Repository names, in the order to migrate them (earliest deadline of
    /// the repository's findings of this credential first, then by name).
    pub repositories: Vec<&'a str>,
    pub deadline: Option<&'a DeadlineInfo>,
}

/// The organisation view, or `None` for a report of one repository or none.
pub fn build<'a>(report: &'a Report<'a>, plan: &'a Plan<'a>) -> Option<OrgPlan<'a>> {
    let scan = report.scan;
    if scan.repositories.len() < 2 {
        return None;
    }
    let repos = super::repositories(report);
    let by_status = [
        RepoStatus::JwtInUse,
        RepoStatus::Migrated,
        RepoStatus::Incomplete,
        RepoStatus::Clean,
    ]
    .into_iter()
    .map(|s| (s, repos.iter().filter(|r| r.status == s).count()))
    // `incomplete` is said only when there is one (the usual report has
    // none, and a zero there reads like a category to watch).
    .filter(|&(s, n)| s != RepoStatus::Incomplete || n > 0)
    .collect();
    let titles: BTreeMap<&str, &str> = plan
        .groups
        .iter()
        .map(|g| (g.group.id.as_str(), g.title.as_str()))
        .collect();
    // Per (credential, repository name): the earliest deadline of its findings.
    let mut first: BTreeMap<(&str, &str), Option<&DeadlineInfo>> = BTreeMap::new();
    let mut deadlines: BTreeMap<&str, &DeadlineInfo> = BTreeMap::new();
    let mut files: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for d in &scan.findings {
        let f = &d.finding;
        let Some(r) = scan.repository_of(&f.location.path) else {
            continue;
        };
        *files
            .entry(r.root.as_str())
            .or_default()
            .entry(f.location.path.as_str())
            .or_default() += 1;
        if let Some(dl) = &f.deadline
            && f.category.counts_for_gate()
            && deadlines
                .get(r.root.as_str())
                .is_none_or(|e| dl.date < e.date)
        {
            deadlines.insert(r.root.as_str(), dl);
        }
        if let Some(g) = f.group.as_deref() {
            let e = first.entry((g, r.name.as_str())).or_default();
            if let Some(dl) = &f.deadline
                && e.is_none_or(|x| dl.date < x.date)
            {
                *e = Some(dl);
            }
        }
    }
    let mut shared: Vec<SharedCredential<'a>> = scan
        .groups
        .iter()
        .filter(|g| g.repositories.len() > 1)
        .map(|g| {
            let mut repositories: Vec<&str> = g.repositories.iter().map(String::as_str).collect();
            repositories.sort_by_key(|name| {
                (
                    first
                        .get(&(g.id.as_str(), *name))
                        .copied()
                        .flatten()
                        .map(|d| d.date),
                    *name,
                )
            });
            SharedCredential {
                id: g.id.as_str(),
                title: titles
                    .get(g.id.as_str())
                    .copied()
                    .unwrap_or(g.label.as_str()),
                repositories,
                deadline: g.effective_deadline.as_ref(),
            }
        })
        .collect();
    shared.sort_by(|a, b| {
        (
            a.deadline.map(|d| d.date),
            std::cmp::Reverse(a.repositories.len()),
            a.id,
        )
            .cmp(&(
                b.deadline.map(|d| d.date),
                std::cmp::Reverse(b.repositories.len()),
                b.id,
            ))
    });
    Some(OrgPlan {
        repos,
        by_status,
        shared,
        titles,
        deadlines,
        files: files
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect(),
    })
}

/// "JWT in use" / "migrated" / "clean".
pub fn status_label(s: RepoStatus) -> &'static str {
    match s {
        RepoStatus::JwtInUse => "JWT in use",
        RepoStatus::Migrated => "migrated",
        RepoStatus::Incomplete => "incomplete (not fully scanned)",
        RepoStatus::Clean => "clean",
    }
}

/// The sentence under a shared credential.
pub fn delete_after(n: usize) -> String {
    format!(
        "Add the OAuth Server-to-Server credential once, migrate the {n} repositories in this order, and delete the JWT credential only after all {n} are done."
    )
}

/// An anchor id for a repository section.
pub fn anchor(root: &str) -> String {
    let slug: String = root
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "repo-{slug}-{}",
        &crate::finding::fingerprint("repo", "", root, 0)[..6]
    )
}

/// The first 12 characters of a commit id.
pub fn short(commit: Option<&str>) -> &str {
    commit.map_or("", |c| &c[..c.len().min(12)])
}

/// The organisation view as Markdown.
pub fn markdown(o: &OrgPlan<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use super::escape::{cell, code};
    writeln!(out, "## Organisation\n")?;
    let counts: Vec<String> = o
        .by_status
        .iter()
        .map(|(s, n)| format!("{n} {}", status_label(*s)))
        .collect();
    writeln!(
        out,
        "{} repositories: {}.\n",
        o.repos.len(),
        counts.join(", ")
    )?;
    writeln!(
        out,
        "| repository | status | findings | failing the gate | credentials | earliest deadline | commit |\n|---|---|--:|--:|--:|---|---|"
    )?;
    for r in &o.repos {
        let repo = r.repository;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&code(&repo.name)),
            status_label(r.status),
            r.findings,
            r.failing,
            r.groups.len(),
            o.deadlines
                .get(repo.root.as_str())
                .map_or(String::new(), |d| d.date.to_string()),
            cell(&code(short(repo.commit.as_deref())))
        )?;
    }
    writeln!(out, "\n### Credentials shared across repositories\n")?;
    if o.shared.is_empty() {
        writeln!(out, "No credential is used by more than one repository.\n")?;
    }
    for (i, s) in o.shared.iter().enumerate() {
        let names: Vec<String> = s.repositories.iter().map(|n| code(n)).collect();
        writeln!(
            out,
            "{}. **{}**{}: {}. {}",
            i + 1,
            s.title,
            s.deadline
                .map(|d| format!(" (cut-off {})", d.date))
                .unwrap_or_default(),
            names.join(" → "),
            delete_after(s.repositories.len())
        )?;
    }
    if !o.shared.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "### Repositories\n")?;
    for r in &o.repos {
        let repo = r.repository;
        writeln!(out, "#### {}\n", repo.name)?;
        let mut meta = vec![format!("**{}**", status_label(r.status))];
        meta.push(format!("root {}", code(&repo.root)));
        if let Some(u) = &repo.url {
            meta.push(code(u));
        }
        if let Some(c) = &repo.commit {
            meta.push(format!("commit {}", code(short(Some(c)))));
        }
        writeln!(out, "{}\n", meta.join(" · "))?;
        for g in &r.groups {
            writeln!(
                out,
                "- credential: {}",
                o.titles.get(g).copied().unwrap_or(g)
            )?;
        }
        match o.files.get(repo.root.as_str()) {
            Some(files) => {
                for (path, n) in files {
                    writeln!(
                        out,
                        "- {} ({n} finding{})",
                        code(path),
                        if *n == 1 { "" } else { "s" }
                    )?;
                }
                writeln!(out)?;
            }
            None => writeln!(out, "No findings.\n")?,
        }
    }
    Ok(())
}

/// The organisation view as HTML: a repositories table that filters (text,
/// status) and sorts (click a header), the shared credentials, and one
/// collapsed section per repository.
pub fn html(o: &OrgPlan<'_>, h: &mut String) {
    use super::escape::esc;
    use std::fmt::Write as _;
    h.push_str("<section id=\"org\">\n<h2>Organisation</h2>\n<div class=\"cards\">\n");
    let _ = writeln!(
        h,
        "<div class=\"card\"><span class=\"num\" id=\"n-repos\">{}</span>repositories</div>",
        o.repos.len()
    );
    for (s, n) in &o.by_status {
        let _ = writeln!(
            h,
            "<div class=\"card repo-{id}\"><span class=\"num\" id=\"n-repos-{id}\">{n}</span>{label}</div>",
            id = s.as_str(),
            label = status_label(*s)
        );
    }
    h.push_str("</div>\n<h3>Credentials shared across repositories</h3>\n");
    if o.shared.is_empty() {
        h.push_str("<p>No credential is used by more than one repository.</p>\n");
    } else {
        h.push_str("<ol id=\"shared\">\n");
        for s in &o.shared {
            let names: Vec<String> = s
                .repositories
                .iter()
                .map(|n| format!("<code>{}</code>", esc(n)))
                .collect();
            let _ = writeln!(
                h,
                "<li class=\"shared\" data-repos=\"{n}\"><a href=\"#{id}\">{title}</a>{cut}: {names}. {after}</li>",
                n = s.repositories.len(),
                id = esc(s.id),
                title = esc(s.title),
                cut = s
                    .deadline
                    .map(|d| format!(" (cut-off {})", d.date))
                    .unwrap_or_default(),
                names = names.join(" → "),
                after = esc(&delete_after(s.repositories.len())),
            );
        }
        h.push_str("</ol>\n");
    }
    h.push_str(
        "<h3>Repositories</h3>\n<div class=\"filter\">\n<label>Repository <input id=\"repo-filter\" type=\"search\" placeholder=\"name\"></label>\n\
         <label>Status <select id=\"repo-status\"><option value=\"\">all</option>",
    );
    for (s, _) in &o.by_status {
        let _ = write!(
            h,
            "<option value=\"{}\">{}</option>",
            s.as_str(),
            status_label(*s)
        );
    }
    h.push_str(
        "</select></label>\n<span id=\"repos-shown\"></span>\n</div>\n<div class=\"scroll\"><table id=\"repos\" class=\"sortable\">\n<thead><tr>\
         <th data-type=\"text\">repository</th><th data-type=\"text\">status</th><th data-type=\"num\">findings</th>\
         <th data-type=\"num\">failing</th><th data-type=\"num\">credentials</th><th data-type=\"text\">earliest deadline</th></tr></thead>\n<tbody>\n",
    );
    for r in &o.repos {
        let repo = r.repository;
        let _ = writeln!(
            h,
            "<tr class=\"repo\" data-status=\"{st}\" data-name=\"{name}\"><td><a href=\"#{anchor}\">{name}</a></td><td>{label}</td>\
             <td class=\"n\">{f}</td><td class=\"n\">{fail}</td><td class=\"n\">{g}</td><td class=\"date\">{dl}</td></tr>",
            st = r.status.as_str(),
            name = esc(&repo.name),
            anchor = anchor(&repo.root),
            label = status_label(r.status),
            f = r.findings,
            fail = r.failing,
            g = r.groups.len(),
            dl = o
                .deadlines
                .get(repo.root.as_str())
                .map_or(String::new(), |d| d.date.to_string()),
        );
    }
    h.push_str("</tbody></table></div>\n");
    for r in &o.repos {
        let repo = r.repository;
        let _ = writeln!(
            h,
            "<details class=\"repo-section\" id=\"{}\" data-status=\"{}\">\n<summary><code>{}</code> <span class=\"owner\">{}</span></summary>",
            anchor(&repo.root),
            r.status.as_str(),
            esc(&repo.name),
            status_label(r.status)
        );
        let mut meta = vec![format!("root <code>{}</code>", esc(&repo.root))];
        if let Some(u) = &repo.url {
            meta.push(format!("<code>{}</code>", esc(u)));
        }
        if let Some(c) = &repo.commit {
            meta.push(format!("commit <code>{}</code>", esc(short(Some(c)))));
        }
        let _ = writeln!(h, "<p class=\"meta\">{}</p>", meta.join(" · "));
        if !r.groups.is_empty() {
            h.push_str("<ul>\n");
            for g in &r.groups {
                let _ = writeln!(
                    h,
                    "<li>credential: <a href=\"#{}\">{}</a></li>",
                    esc(g),
                    esc(o.titles.get(g).copied().unwrap_or(g))
                );
            }
            h.push_str("</ul>\n");
        }
        match o.files.get(repo.root.as_str()) {
            Some(files) => {
                h.push_str("<ul class=\"files\">\n");
                for (path, n) in files {
                    let _ = writeln!(
                        h,
                        "<li><code>{}</code> ({n} finding{})</li>",
                        esc(path),
                        if *n == 1 { "" } else { "s" }
                    );
                }
                h.push_str("</ul>\n");
            }
            None => h.push_str("<p>No findings.</p>\n"),
        }
        h.push_str("</details>\n");
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_distinct_and_safe() {
        assert!(anchor("acme/api").starts_with("repo-acme-api-"));
        assert_ne!(anchor("acme/api"), anchor("acme-api"));
        assert!(
            !anchor("a\"<b>")
                .chars()
                .any(|c| !(c.is_ascii_alphanumeric() || c == '-'))
        );
        assert_eq!(short(Some("0123456789abcdef")), "0123456789ab");
        assert_eq!(short(None), "");
        assert!(delete_after(3).contains("only after all 3 are done"));
    }
}
