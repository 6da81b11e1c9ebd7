//! The prefilter loses nothing and thread count changes nothing: findings
//! are identical with and without the prefilter and with 1 or N threads.

use jwt2oauth::engine::Engine;
use jwt2oauth::rules::load;
use jwt2oauth::scan::{ScanOptions, scan};

fn findings(use_prefilter: bool, threads: usize) -> Vec<String> {
    let set = load(&[], false).expect("rules load");
    let engine = Engine::new(&set, jiff::civil::date(2026, 11, 23), 90);
    let opts = ScanOptions {
        paths: vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")],
        no_ignore: false,
        follow: false,
        max_filesize: 8 << 20,
        threads,
        use_prefilter,
    };
    let report = scan(&engine, &opts);
    // fixtures/broken-config holds one unparsable file on purpose.
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    report
        .findings
        .iter()
        .map(|d| {
            let f = &d.finding;
            format!(
                "{:?} {} {} {:?} {:?}",
                f.location, f.rule_id, f.fingerprint, f.group, f.confidence
            )
        })
        .chain(report.groups.iter().map(|g| format!("{g:?}")))
        .chain(report.errors.iter().map(|e| format!("{e:?}")))
        .collect()
}

#[test]
fn prefilter_and_threads_do_not_change_findings() {
    let reference = findings(false, 1);
    assert!(reference.len() > 20);
    assert_eq!(findings(true, 1), reference, "prefilter on, 1 thread");
    assert_eq!(findings(true, 2), reference, "prefilter on, 2 threads");
    assert_eq!(findings(false, 2), reference, "prefilter off, 2 threads");
}
