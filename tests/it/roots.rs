//! Findings do not depend on where the scan starts: the labelled corpus,
//! copied two directories down, gives the same findings for the same files
//! whether the scan root is the corpus itself, its parent or a directory of
//! checkouts above that (bug: `files.include` globs such as
//! `.github/workflows/*` and `.circleci/*` matched only at the scan root, so
//! nested projects' CI files were never checked).

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{TODAY, bin, copy_tree, parse, root};

/// (path below the corpus copy, line, rule) of every finding.
fn findings_below(scan_root: &Path) -> BTreeSet<(String, u64, String)> {
    let out = bin()
        .args(["scan", "--today", TODAY, "--format", "json", "--no-config"])
        .arg(scan_root)
        .output()
        .expect("run");
    let v = parse(&out);
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let p = f["path"].as_str().expect("path");
            let below = p.rsplit_once("corpusroot/").map_or(p, |(_, b)| b);
            (
                below.to_string(),
                f["line"].as_u64().expect("line"),
                f["rule_id"].as_str().expect("rule").to_string(),
            )
        })
        .collect()
}

#[test]
fn every_scan_root_gives_the_same_findings_for_the_same_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("checkouts/team/corpusroot");
    copy_tree(&root().join("fixtures/corpus"), &corpus);
    let own = findings_below(&corpus);
    assert!(
        own.iter().any(
            |(p, _, r)| p == "monorepo/reporting/.github/workflows/nightly.yml"
                && r == "aio-apps-action-jwt-auth"
        ),
        "a nested project's workflow is checked: {own:#?}"
    );
    for above in [
        tmp.path().join("checkouts/team"),
        tmp.path().join("checkouts"),
    ] {
        assert_eq!(
            findings_below(&above),
            own,
            "scan root {} differs from the corpus root",
            above.display()
        );
    }
}
