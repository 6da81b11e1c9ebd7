//! Correlation: one JWT credential usually spans several files (code reads
//! the key file, a CI workflow passes the secrets, a config names the
//! technical account). Files whose findings share an identifier (client id,
//! technical account, key fingerprint) or reference each other (a key path)
//! form one credential group; a group whose files show independent kinds of
//! evidence raises its findings' confidence.
//!
//! Identifiers here are public ones (client ids, technical accounts, org
//! ids, key paths, hashes of keys), never secrets.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::Detected;
use crate::finding::{Category, Confidence, DeadlineInfo};

/// Identifiers found in one file with findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileIdentifiers {
    pub client_ids: BTreeSet<String>,
    pub technical_accounts: BTreeSet<String>,
    pub org_ids: BTreeSet<String>,
    pub metascopes: BTreeSet<String>,
    /// Paths of key files this file references (as written).
    pub key_references: BTreeSet<String>,
    /// SHA-256 (hex, truncated) of private keys or certificates' public keys
    /// in this file, so a key and its certificate or copies link up.
    pub key_fingerprints: BTreeSet<String>,
}

/// One Adobe JWT credential as seen across the scanned files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialGroup {
    /// Stable id: `cred-` + a hash of the group's sorted files.
    pub id: String,
    /// A short human label (client id, technical account or first file).
    pub label: String,
    pub client_ids: Vec<String>,
    pub technical_accounts: Vec<String>,
    pub org_ids: Vec<String>,
    pub metascopes: Vec<String>,
    pub key_references: Vec<String>,
    pub key_fingerprints: Vec<String>,
    /// Files of the group, sorted.
    pub files: Vec<String>,
    pub categories: Vec<Category>,
    pub findings: usize,
    /// The earliest deadline of the group's findings (a certificate's expiry
    /// when it comes before the rule's date).
    pub effective_deadline: Option<DeadlineInfo>,
    pub confidence: Confidence,
}

/// Groups findings into credentials, sets each finding's `group`, raises
/// confidence where independent evidence agrees, and returns the groups
/// sorted by id. `identifiers` maps a file path to what was found in it.
pub fn correlate(
    findings: &mut Vec<Detected>,
    identifiers: &BTreeMap<String, FileIdentifiers>,
) -> Vec<CredentialGroup> {
    keep_project_backed(findings);
    // Key material that is not Adobe's by itself (a bare private key, a
    // certificate not named by the Console) stays only when its group holds
    // a finding from another file that is Adobe's on its own.
    if findings.iter().any(|d| d.finding.requires_link) {
        let mut probe = findings.clone();
        let _ = link(&mut probe, identifiers);
        // Per group, the files holding findings that are Adobe's on their own.
        let mut anchors: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for d in probe.iter().filter(|d| !d.finding.requires_link) {
            if let Some(g) = &d.finding.group {
                anchors
                    .entry(g)
                    .or_default()
                    .insert(&d.finding.location.path);
            }
        }
        let keep: Vec<bool> = probe
            .iter()
            .map(|d| {
                let f = &d.finding;
                !f.requires_link
                    || f.group
                        .as_deref()
                        .and_then(|g| anchors.get(g))
                        .is_some_and(|files| files.iter().any(|p| *p != f.location.path))
            })
            .collect();
        let mut i = 0;
        findings.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
    link(findings, identifiers)
}

/// Drops findings that need Adobe evidence in their project (a manifest
/// pinning PyJWT or jsonwebtoken) where no file under the finding's
/// directory holds a finding of a needed category from a rule that needs
/// nothing itself.
fn keep_project_backed(findings: &mut Vec<Detected>) {
    if findings
        .iter()
        .all(|d| d.finding.needs_in_project.is_empty())
    {
        return;
    }
    let anchors: BTreeSet<(Category, &str)> = findings
        .iter()
        .map(|d| &d.finding)
        .filter(|f| f.needs_in_project.is_empty() && !f.requires_link)
        .map(|f| (f.category, f.location.path.as_str()))
        .collect();
    let keep: Vec<bool> = findings
        .iter()
        .map(|d| {
            let f = &d.finding;
            let dir = parent(&f.location.path);
            f.needs_in_project.is_empty()
                || anchors.iter().any(|(c, p)| {
                    f.needs_in_project.contains(c)
                        && (dir.is_empty()
                            || p.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
                })
        })
        .collect();
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

fn link(
    findings: &mut [Detected],
    identifiers: &BTreeMap<String, FileIdentifiers>,
) -> Vec<CredentialGroup> {
    // Files with only OAuth Server-to-Server findings hold no JWT credential.
    let files: Vec<String> = findings
        .iter()
        .filter(|d| d.finding.category.counts_for_gate())
        .map(|d| d.finding.location.path.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let index: BTreeMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    let mut uf = UnionFind::new(files.len());
    let empty = FileIdentifiers::default();
    let ids = |f: &str| identifiers.get(f).unwrap_or(&empty);
    // Files sharing a client id, technical account or key fingerprint.
    let mut owner: BTreeMap<(u8, &str), usize> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        let fi = ids(f);
        let keys = fi
            .client_ids
            .iter()
            .map(|v| (0u8, v.as_str()))
            .chain(fi.technical_accounts.iter().map(|v| (1u8, v.as_str())))
            .chain(fi.key_fingerprints.iter().map(|v| (2u8, v.as_str())));
        for k in keys {
            match owner.get(&k) {
                Some(&j) => uf.union(i, j),
                None => {
                    owner.insert(k, i);
                }
            }
        }
    }
    // A call of a JWT wrapper links the calling file to the defining one.
    for d in findings.iter() {
        let f = &d.finding;
        let ends = f
            .calls_into
            .as_deref()
            .map(|def| (index.get(f.location.path.as_str()), index.get(def)));
        if let Some((Some(&i), Some(&j))) = ends {
            uf.union(i, j);
        }
    }
    // A key path written in one file links it to the key file it names.
    for (i, f) in files.iter().enumerate() {
        for reference in &ids(f).key_references {
            if let Some(j) = resolve_reference(f, reference, &files) {
                uf.union(i, index[files[j].as_str()]);
            }
        }
    }
    // A key beside its certificate, or beside credential config in the same
    // directory, is the same credential's. (Not beside any finding: a TLS key
    // in a repository root is no Adobe key because package.json is there.)
    let config_files: BTreeSet<&str> = findings
        .iter()
        .filter(|d| {
            matches!(
                d.finding.category,
                Category::JwtCredentialConfig | Category::PrivateKeyReference
            ) && !d.finding.requires_link
        })
        .map(|d| d.finding.location.path.as_str())
        .collect();
    let mut by_dir: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        by_dir.entry(parent(f)).or_default().push(i);
    }
    for members in by_dir.values() {
        let linked: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| is_key_material(&files[i]) || config_files.contains(files[i].as_str()))
            .collect();
        if linked.iter().any(|&i| is_key_material(&files[i])) {
            for &m in &linked[1..] {
                uf.union(linked[0], m);
            }
        }
    }
    build_groups(findings, &files, &mut uf, identifiers)
}

fn build_groups(
    findings: &mut [Detected],
    files: &[String],
    uf: &mut UnionFind,
    identifiers: &BTreeMap<String, FileIdentifiers>,
) -> Vec<CredentialGroup> {
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..files.len() {
        members.entry(uf.find(i)).or_default().push(i);
    }
    let file_group: BTreeMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), uf.find(i)))
        .collect();
    let mut groups = Vec::new();
    let mut id_of_root: BTreeMap<usize, String> = BTreeMap::new();
    for (root, idxs) in &members {
        let group_files: Vec<String> = idxs.iter().map(|&i| files[i].clone()).collect();
        let id = format!(
            "cred-{}",
            &crate::finding::fingerprint("group", "", &group_files.join("\n"), 0)[..12]
        );
        id_of_root.insert(*root, id.clone());
        let mut g = CredentialGroup {
            id,
            label: String::new(),
            client_ids: Vec::new(),
            technical_accounts: Vec::new(),
            org_ids: Vec::new(),
            metascopes: Vec::new(),
            key_references: Vec::new(),
            key_fingerprints: Vec::new(),
            files: group_files,
            categories: Vec::new(),
            findings: 0,
            effective_deadline: None,
            confidence: Confidence::Low,
        };
        let mut acc = FileIdentifiers::default();
        for f in &g.files {
            if let Some(fi) = identifiers.get(f) {
                acc.client_ids.extend(fi.client_ids.iter().cloned());
                acc.technical_accounts
                    .extend(fi.technical_accounts.iter().cloned());
                acc.org_ids.extend(fi.org_ids.iter().cloned());
                acc.metascopes.extend(fi.metascopes.iter().cloned());
                acc.key_references.extend(fi.key_references.iter().cloned());
                acc.key_fingerprints
                    .extend(fi.key_fingerprints.iter().cloned());
            }
        }
        g.client_ids = acc.client_ids.into_iter().collect();
        g.technical_accounts = acc.technical_accounts.into_iter().collect();
        g.org_ids = acc.org_ids.into_iter().collect();
        g.metascopes = acc.metascopes.into_iter().collect();
        g.key_references = acc.key_references.into_iter().collect();
        g.key_fingerprints = acc.key_fingerprints.into_iter().collect();
        g.label = g
            .client_ids
            .first()
            .map(|c| format!("client {c}"))
            .or_else(|| {
                g.technical_accounts
                    .first()
                    .map(|t| format!("technical account {t}"))
            })
            .unwrap_or_else(|| g.files[0].clone());
        groups.push(g);
    }
    // Evidence per group: independent categories from independent files.
    let mut evidence: BTreeMap<&str, BTreeSet<(Category, &str)>> = BTreeMap::new();
    for d in findings.iter() {
        let Some(&root) = file_group.get(d.finding.location.path.as_str()) else {
            continue;
        };
        evidence
            .entry(id_of_root[&root].as_str())
            .or_default()
            .insert((d.finding.category, d.finding.location.path.as_str()));
    }
    let corroborated: BTreeSet<String> = evidence
        .iter()
        .filter(|(_, ev)| {
            let files: BTreeSet<&str> = ev.iter().map(|(_, f)| *f).collect();
            let cats: BTreeSet<Category> = ev
                .iter()
                .map(|(c, _)| *c)
                .filter(|c| c.counts_for_gate())
                .collect();
            files.len() >= 2 && cats.len() >= 2
        })
        .map(|(id, _)| (*id).to_string())
        .collect();
    let by_id: BTreeMap<String, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id.clone(), i))
        .collect();
    for d in findings.iter_mut() {
        let Some(&root) = file_group.get(d.finding.location.path.as_str()) else {
            continue;
        };
        let id = id_of_root[&root].clone();
        if corroborated.contains(&id) && d.finding.category.counts_for_gate() {
            d.finding.confidence = Confidence::High;
        }
        let g = &mut groups[by_id[&id]];
        g.findings += 1;
        if !g.categories.contains(&d.finding.category) {
            g.categories.push(d.finding.category);
        }
        g.confidence = g.confidence.max(d.finding.confidence);
        if let Some(dl) = &d.finding.deadline
            && g.effective_deadline
                .as_ref()
                .is_none_or(|e| dl.date < e.date)
        {
            g.effective_deadline = Some(dl.clone());
        }
        d.finding.group = Some(id);
    }
    for g in &mut groups {
        g.categories.sort();
    }
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    groups
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

fn is_key_material(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.ends_with(".key")
        || name.ends_with(".pem")
        || name.ends_with(".crt")
        || name.ends_with(".cer")
        || name.ends_with(".p12")
        || name.ends_with(".pfx")
}

/// The finding file a key path written in `from` refers to: resolved against
/// `from`'s directory first, then by matching path suffix.
fn resolve_reference(from: &str, reference: &str, files: &[String]) -> Option<usize> {
    let reference = reference.trim_start_matches("./");
    let joined = normalize(&format!("{}/{}", parent(from), reference));
    if let Some(i) = files.iter().position(|f| *f == joined) {
        return Some(i);
    }
    let suffix = format!("/{}", reference.trim_start_matches('/'));
    let candidates: Vec<usize> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.ends_with(&suffix) || f.as_str() == reference)
        .map(|(i, _)| i)
        .collect();
    // Ambiguous references (several key files of that name) link nothing.
    (candidates.len() == 1).then(|| candidates[0])
}

fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
        }
    }
    fn find(&mut self, i: usize) -> usize {
        let mut r = i;
        while self.parent[r] != r {
            r = self.parent[r];
        }
        let mut c = i;
        while self.parent[c] != r {
            let next = self.parent[c];
            self.parent[c] = r;
            c = next;
        }
        r
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller root wins, so results do not depend on order.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_relative_then_by_suffix() {
        let files = vec![
            "app/secrets/private.key".to_string(),
            "app/src/auth.js".to_string(),
            "other/private.key".to_string(),
        ];
        assert_eq!(
            resolve_reference("app/src/auth.js", "../secrets/private.key", &files),
            Some(0)
        );
        assert_eq!(
            resolve_reference("app/src/auth.js", "./secrets/private.key", &files),
            Some(0)
        );
        assert_eq!(
            resolve_reference("app/src/auth.js", "private.key", &files),
            None,
            "ambiguous"
        );
        assert_eq!(normalize("a/./b/../c"), "a/c");
    }

    #[test]
    fn union_find_is_order_independent() {
        let mut uf = UnionFind::new(4);
        uf.union(3, 1);
        uf.union(1, 2);
        assert_eq!((uf.find(3), uf.find(2), uf.find(0)), (1, 1, 0));
    }
}
