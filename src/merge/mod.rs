//! Merging JSON reports of many scans (CI shards, one per repository) into
//! one [`ScanReport`], which every output format then writes.
//!
//! - **Paths**: when the reports span more than one repository, every path
//!   (findings, groups, projects, errors) becomes `NAME/PATH`: the
//!   repository's name, then the path relative to the repository's root, and
//!   each repository's `root` becomes its name. A scan of a directory of
//!   side-by-side repositories without remotes reports the same paths, so
//!   its groups and a merge of per-repository reports agree. A report with
//!   no repository (not in git) is named after its file (`a/b.json`: `b`).
//! - **Credentials**: groups of different reports are linked when they share
//!   a client id, technical account, key fingerprint or Console project id
//!   (placeholders never link); a linked group's id, label, project,
//!   categories, confidence and effective deadline are recomputed as a scan
//!   computes them, from the merged findings.
//! - **Determinism**: the reports are sorted by content before merging
//!   (byte-identical ones count once) and everything is sorted after, so
//!   the input order never changes a byte.

pub mod input;

use std::collections::{BTreeMap, BTreeSet};

use crate::correlate::{CredentialGroup, IDENTIFIER_KINDS, UnattributedSites, group_id, label_of};
use crate::engine::identifiers::is_placeholder_id;
use crate::finding::Confidence;
use crate::repository::Repository;
use crate::scan::ScanReport;
pub use input::{Input, InputError};

/// The merged report and the latest `today` of its inputs.
pub struct Merged {
    pub report: ScanReport,
    pub today: Option<jiff::civil::Date>,
}

/// One input: its report and a name for a report without a repository.
pub struct Named {
    /// The report file's stem (used only when the report has no repository).
    pub stem: String,
    /// A hash of the file's bytes (orders the inputs).
    pub digest: String,
    pub input: Input,
}

/// Merges reports (any order: the result is the same).
pub fn merge(mut inputs: Vec<Named>) -> Merged {
    inputs.sort_by(|a, b| (&a.digest, &a.stem).cmp(&(&b.digest, &b.stem)));
    // The same report given twice (a re-run shard) counts once.
    inputs.dedup_by(|a, b| a.digest == b.digest);
    // Every input gets at least one repository (named after its file).
    for n in &mut inputs {
        if n.input.repositories.is_empty() {
            n.input.repositories.push(Repository {
                name: n.stem.clone(),
                root: ".".to_string(),
                commit: None,
                url: None,
            });
        }
    }
    let names: BTreeSet<&str> = inputs
        .iter()
        .flat_map(|n| n.input.repositories.iter().map(|r| r.name.as_str()))
        .collect();
    let prefix = names.len() > 1;
    let today = inputs.iter().filter_map(|n| n.input.today).max();

    let mut out = ScanReport::default();
    let mut repos: BTreeMap<String, Repository> = BTreeMap::new();
    // (input index, old group id) -> node index in `nodes`.
    let mut nodes: Vec<CredentialGroup> = Vec::new();
    let mut node_of: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for (i, n) in inputs.into_iter().enumerate() {
        let inp = n.input;
        let map = PathMap {
            repos: &inp.repositories,
            prefix,
        };
        for r in &inp.repositories {
            let root = if prefix {
                r.name.clone()
            } else {
                r.root.clone()
            };
            let entry = Repository {
                name: r.name.clone(),
                root: root.clone(),
                commit: r.commit.clone(),
                url: r.url.clone(),
            };
            // The same repository in two reports: keep one, deterministically.
            repos
                .entry(root)
                .and_modify(|e| {
                    if entry > *e {
                        *e = entry.clone();
                    }
                })
                .or_insert(entry);
        }
        for mut d in inp.findings {
            map.finding(&mut d.finding, i);
            out.findings.push(d);
        }
        for mut s in inp.suppressed {
            map.finding(&mut s.finding, i);
            out.suppressed.push(s);
        }
        for mut g in inp.groups {
            let old = std::mem::take(&mut g.id);
            g.files = g.files.iter().map(|f| map.path(f)).collect();
            g.attached_files = g.attached_files.iter().map(|f| map.path(f)).collect();
            node_of.insert((i, old), nodes.len());
            nodes.push(g);
        }
        for mut u in inp.unattributed {
            u.project = map.dir(&u.project);
            u.files = u.files.iter().map(|f| map.path(f)).collect();
            out.unattributed.push(u);
        }
        for mut e in inp.errors {
            e.path = map.path(&e.path);
            out.errors.push(e);
        }
        for mut s in inp.skipped {
            s.path = map.path(&s.path);
            out.skipped.push(s);
        }
        for mut w in inp.warnings {
            w.path = map.path(&w.path);
            out.warnings.push(w);
        }
        let s = &mut out.stats;
        s.files_scanned += inp.stats.files_scanned;
        s.bytes_scanned += inp.stats.bytes_scanned;
        s.skipped_binary += inp.stats.skipped_binary;
        s.skipped_too_large += inp.stats.skipped_too_large;
        s.ignored_credential_files += inp.stats.ignored_credential_files;
    }
    fn order(a: &crate::finding::Finding, b: &crate::finding::Finding) -> std::cmp::Ordering {
        (&a.location, &a.rule_id, &a.fingerprint).cmp(&(&b.location, &b.rule_id, &b.fingerprint))
    }
    out.findings.sort_by(|a, b| order(&a.finding, &b.finding));
    out.findings
        .dedup_by(|a, b| order(&a.finding, &b.finding).is_eq());
    out.suppressed.sort_by(|a, b| order(&a.finding, &b.finding));
    out.suppressed
        .dedup_by(|a, b| order(&a.finding, &b.finding).is_eq());

    relink(&mut out, nodes, &node_of);
    out.unattributed = merge_unattributed(std::mem::take(&mut out.unattributed), &out);
    out.errors.sort();
    out.errors.dedup();
    out.skipped.sort();
    out.skipped.dedup();
    out.warnings.sort();
    out.warnings.dedup();
    out.set_repositories(repos.into_values().collect());
    Merged { report: out, today }
}

/// How one input's paths become the merged report's.
struct PathMap<'a> {
    repos: &'a [Repository],
    prefix: bool,
}

impl PathMap<'_> {
    fn path(&self, p: &str) -> String {
        if !self.prefix {
            return p.to_string();
        }
        match crate::repository::of(self.repos, p) {
            // The repository itself (an error about it: a failed clone).
            Some(r) if p == "." || p == r.root => r.name.clone(),
            Some(r) => format!("{}/{}", r.name, crate::repository::relative(&r.root, p)),
            None => p.to_string(),
        }
    }

    /// A directory (a project root): `.` or a repository's root is the
    /// repository itself.
    fn dir(&self, d: &str) -> String {
        if !self.prefix {
            return d.to_string();
        }
        if let Some(r) = self.repos.iter().find(|r| r.root == d) {
            return r.name.clone();
        }
        if d == "." {
            return d.to_string();
        }
        self.path(d)
    }

    /// Rewrites a finding's path and project; its group becomes a
    /// placeholder `#INPUT#OLD` until the groups are relinked.
    fn finding(&self, f: &mut crate::finding::Finding, input: usize) {
        f.location.path = self.path(&f.location.path);
        f.project = f.project.as_deref().map(|p| self.dir(p));
        if let Some(g) = f.group.take() {
            f.group = Some(format!("#{input}#{g}"));
        }
    }
}

/// Links the groups of every input that share an identifier, then rebuilds
/// each merged group from its findings as correlation does.
fn relink(
    out: &mut ScanReport,
    nodes: Vec<CredentialGroup>,
    node_of: &BTreeMap<(usize, String), usize>,
) {
    let mut parent: Vec<usize> = (0..nodes.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut first: BTreeMap<(u8, &str), usize> = BTreeMap::new();
    for (i, g) in nodes.iter().enumerate() {
        let ids = g
            .client_ids
            .iter()
            .map(|v| (0u8, v))
            .chain(g.technical_accounts.iter().map(|v| (1, v)))
            .chain(g.key_fingerprints.iter().map(|v| (2, v)))
            .chain(g.console_projects.iter().map(|v| (3, v)));
        for (kind, v) in ids {
            // Fingerprints are hashes; the rest must not be placeholders.
            if v.trim().is_empty() || (kind != 2 && is_placeholder_id(v)) {
                continue;
            }
            match first.get(&(kind, v.as_str())) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                }
                None => {
                    first.insert((kind, v.as_str()), i);
                }
            }
        }
    }
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..nodes.len() {
        let r = find(&mut parent, i);
        members.entry(r).or_default().push(i);
    }
    let mut groups: Vec<CredentialGroup> = Vec::new();
    let mut id_of_node: BTreeMap<usize, String> = BTreeMap::new();
    for idxs in members.values() {
        let union = |get: &dyn Fn(&CredentialGroup) -> &Vec<String>| -> Vec<String> {
            idxs.iter()
                .flat_map(|&i| get(&nodes[i]).iter().cloned())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        let files = union(&|g| &g.files);
        let kinds: BTreeSet<String> = idxs
            .iter()
            .flat_map(|&i| nodes[i].identified_by.iter().cloned())
            .collect();
        let mut identified_by: Vec<String> = IDENTIFIER_KINDS
            .iter()
            .filter(|k| kinds.contains(**k))
            .map(|k| (*k).to_string())
            .collect();
        if kinds.contains("project-root") {
            identified_by.push("project-root".to_string());
        }
        let mut g = CredentialGroup {
            id: group_id(&files),
            label: String::new(),
            identified_by,
            project: String::new(),
            projects: Vec::new(),
            attached_files: union(&|g| &g.attached_files),
            client_ids: union(&|g| &g.client_ids),
            technical_accounts: union(&|g| &g.technical_accounts),
            org_ids: union(&|g| &g.org_ids),
            console_projects: union(&|g| &g.console_projects),
            metascopes: union(&|g| &g.metascopes),
            key_references: union(&|g| &g.key_references),
            key_fingerprints: union(&|g| &g.key_fingerprints),
            files,
            categories: Vec::new(),
            findings: 0,
            effective_deadline: None,
            confidence: Confidence::Low,
            repositories: Vec::new(),
        };
        g.label = label_of(&g);
        for &i in idxs {
            id_of_node.insert(i, g.id.clone());
        }
        groups.push(g);
    }
    // Old group ids of the findings -> merged ids.
    let remap = |f: &mut crate::finding::Finding| {
        if let Some(old) = f.group.take() {
            let mut parts = old.splitn(3, '#').skip(1);
            let input = parts.next().and_then(|s| s.parse::<usize>().ok());
            let id = parts.next().map(str::to_string);
            f.group = input
                .zip(id)
                .and_then(|k| node_of.get(&k))
                .and_then(|n| id_of_node.get(n))
                .cloned();
        }
    };
    for d in &mut out.findings {
        remap(&mut d.finding);
    }
    for s in &mut out.suppressed {
        remap(&mut s.finding);
    }
    rebuild(&mut groups, out);
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    out.groups = groups;
}

/// Recomputes each group's project, categories, findings, effective
/// deadline and confidence from the findings, raising confidence where
/// independent files show independent evidence (as correlation does).
fn rebuild(groups: &mut [CredentialGroup], out: &mut ScanReport) {
    let by_id: BTreeMap<String, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id.clone(), i))
        .collect();
    let mut evidence: BTreeMap<usize, BTreeSet<(crate::finding::Category, String)>> =
        BTreeMap::new();
    let mut project_of: BTreeMap<String, String> = BTreeMap::new();
    for d in &out.findings {
        let f = &d.finding;
        if let Some(p) = &f.project {
            project_of
                .entry(f.location.path.clone())
                .or_insert_with(|| p.clone());
        }
        if let Some(&i) = f.group.as_ref().and_then(|g| by_id.get(g)) {
            evidence
                .entry(i)
                .or_default()
                .insert((f.category, f.location.path.clone()));
        }
    }
    let corroborated: BTreeSet<usize> = evidence
        .iter()
        .filter(|(_, ev)| {
            let files: BTreeSet<&str> = ev.iter().map(|(_, f)| f.as_str()).collect();
            let cats: BTreeSet<_> = ev
                .iter()
                .map(|(c, _)| *c)
                .filter(|c| c.counts_for_gate())
                .collect();
            files.len() >= 2 && cats.len() >= 2
        })
        .map(|(i, _)| *i)
        .collect();
    for d in &mut out.findings {
        let f = &mut d.finding;
        let Some(&i) = f.group.as_ref().and_then(|g| by_id.get(g)) else {
            continue;
        };
        if corroborated.contains(&i) && f.category.counts_for_gate() {
            f.confidence = Confidence::High;
        }
        let g = &mut groups[i];
        g.confidence = g.confidence.max(f.confidence);
        g.findings += 1;
        if !g.categories.contains(&f.category) {
            g.categories.push(f.category);
        }
        if let Some(dl) = &f.deadline
            && g.effective_deadline
                .as_ref()
                .is_none_or(|e| dl.date < e.date)
        {
            g.effective_deadline = Some(dl.clone());
        }
    }
    for g in groups.iter_mut() {
        g.categories.sort();
        let mut per_project: BTreeMap<String, usize> = BTreeMap::new();
        for f in &g.files {
            let p = project_of
                .get(f)
                .cloned()
                .unwrap_or_else(|| ".".to_string());
            *per_project.entry(p).or_default() += 1;
        }
        let top = per_project.values().copied().max().unwrap_or(0);
        g.project = per_project
            .iter()
            .find(|(_, n)| **n == top)
            .map(|(p, _)| p.clone())
            .unwrap_or_else(|| ".".to_string());
        g.projects = per_project.into_keys().collect();
    }
}

/// Unattributed sites of one project (from several reports) become one
/// entry; counts and deadlines are taken from the merged findings.
fn merge_unattributed(list: Vec<UnattributedSites>, out: &ScanReport) -> Vec<UnattributedSites> {
    let mut by: BTreeMap<String, UnattributedSites> = BTreeMap::new();
    for u in list {
        let e = by
            .entry(u.project.clone())
            .or_insert_with(|| UnattributedSites {
                project: u.project.clone(),
                files: Vec::new(),
                categories: Vec::new(),
                findings: 0,
                effective_deadline: None,
            });
        e.files.extend(u.files);
    }
    let mut result: Vec<UnattributedSites> = by.into_values().collect();
    for u in &mut result {
        u.files.sort();
        u.files.dedup();
        let files: BTreeSet<&str> = u.files.iter().map(String::as_str).collect();
        for d in &out.findings {
            let f = &d.finding;
            if f.group.is_some() || !files.contains(f.location.path.as_str()) {
                continue;
            }
            u.findings += 1;
            if !u.categories.contains(&f.category) {
                u.categories.push(f.category);
            }
            if let Some(dl) = &f.deadline
                && u.effective_deadline
                    .as_ref()
                    .is_none_or(|e| dl.date < e.date)
            {
                u.effective_deadline = Some(dl.clone());
            }
        }
        u.categories.sort();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Detected;
    use crate::finding::{Category, Finding, Location, Severity};

    fn finding(path: &str, group: &str) -> Detected {
        Detected {
            finding: Finding {
                rule_id: "r".into(),
                category: Category::JwtExchange,
                severity: Severity::High,
                rule_severity: Severity::High,
                confidence: Confidence::Medium,
                location: Location {
                    path: path.into(),
                    line: 1,
                    column: 1,
                    end_line: 1,
                    end_column: 2,
                },
                message: String::new(),
                snippet: String::new(),
                fingerprint: format!("fp-{path}"),
                deadline: None,
                remediation: String::new(),
                group: Some(group.into()),
                project: Some(".".into()),
                requires_link: false,
                related: Vec::new(),
                needs_in_project: Vec::new(),
                calls_into: None,
            },
            frame: Vec::new(),
        }
    }

    fn group(id: &str, file: &str, client: &str) -> CredentialGroup {
        CredentialGroup {
            id: id.into(),
            label: String::new(),
            identified_by: vec!["client-id".into()],
            project: ".".into(),
            projects: vec![".".into()],
            attached_files: Vec::new(),
            client_ids: vec![client.into()],
            technical_accounts: Vec::new(),
            org_ids: Vec::new(),
            console_projects: Vec::new(),
            metascopes: Vec::new(),
            key_references: Vec::new(),
            key_fingerprints: Vec::new(),
            files: vec![file.into()],
            categories: vec![Category::JwtExchange],
            findings: 1,
            effective_deadline: None,
            confidence: Confidence::Medium,
            repositories: Vec::new(),
        }
    }

    fn input(repo: &str, file: &str, client: &str) -> Named {
        Named {
            stem: repo.into(),
            digest: format!("{repo}{file}{client}"),
            input: Input {
                findings: vec![finding(file, "cred-old")],
                groups: vec![group("cred-old", file, client)],
                repositories: vec![Repository {
                    name: repo.into(),
                    root: ".".into(),
                    commit: None,
                    url: None,
                }],
                ..Input::default()
            },
        }
    }

    #[test]
    fn shared_client_ids_link_and_paths_get_the_repository_name() {
        let client = "3f2b9c1d4e5f60718293a4b5c6d7e8f9";
        let m = merge(vec![
            input("acme/api", "a.js", client),
            input("acme/deploy", "ci.yml", client),
            input("acme/other", "b.js", "9a8b7c6d5e4f30211203f4e5d6c7b8a9"),
        ]);
        let r = m.report;
        assert_eq!(r.groups.len(), 2);
        let shared = r
            .groups
            .iter()
            .find(|g| g.files.len() == 2)
            .expect("linked");
        assert_eq!(shared.files, vec!["acme/api/a.js", "acme/deploy/ci.yml"]);
        assert_eq!(shared.repositories, vec!["acme/api", "acme/deploy"]);
        assert_eq!(shared.projects, vec!["acme/api", "acme/deploy"]);
        assert!(
            r.findings
                .iter()
                .filter(|d| d.finding.location.path != "acme/other/b.js")
                .all(|d| d.finding.group.as_deref() == Some(shared.id.as_str()))
        );
        assert_eq!(r.repositories.len(), 3);
        assert_eq!(r.repositories[0].root, "acme/api");
    }

    #[test]
    fn placeholders_never_link_and_one_repository_keeps_its_paths() {
        let zero = "00000000000000000000000000000000";
        let m = merge(vec![
            input("svc", "a.js", zero),
            Named {
                digest: "other".into(),
                ..input("svc", "b.js", zero)
            },
        ]);
        assert_eq!(
            m.report.groups.len(),
            2,
            "a placeholder client id links nothing"
        );
        let paths: Vec<&str> = m
            .report
            .findings
            .iter()
            .map(|d| d.finding.location.path.as_str())
            .collect();
        assert_eq!(paths, vec!["a.js", "b.js"], "one repository: no prefix");
    }
}
