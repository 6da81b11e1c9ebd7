//! The fast paths change nothing, on input shaped like the benchmark corpus
//! (bench/gen_corpus.py): the case-folding chunked prefilter, the read of
//! the first block before the rest and the per-thread state must give the
//! same findings and counters as running every rule on every file, with one
//! thread or several. The tree is small (about 1.5 MB) and deterministic.

use std::fs;
use std::path::Path;

use jwt2oauth::engine::Engine;
use jwt2oauth::rules::load;
use jwt2oauth::scan::{ScanOptions, Stats, scan};

/// Lines a file may be made of: filler, near-misses that reach the regex
/// stage, and lines of real findings in different cases.
const LINES: &[&str] = &[
    "def handler(event, context):",
    "    return [item for item in items if item]",
    "const avatar = `/c/${userId}/avatar.png`;",
    "import firebase_sdk as fb",
    "private_key = load_pem_private_key(pem, password=None)",
    "exchange = channel.exchange_declare(exchange='logs')",
    "url = 'https://IMS-NA1.AdobeLogin.com/ims/exchange/jwt'",
    "  \"technical_account_id\": \"ABCDEF0123456789@techacct.adobe.com\",",
    "  \"meta_scopes\": [\"ent_analytics_bulk_ingest_sdk\"],",
    "PRIVATE_KEY_PATH=./secrets/private.key",
    "payload = {\"aud\": \"https://ims-na1.adobelogin.com/c/\" + client_id}",
    "r = post(IMS + '/ims/token/v3', data={'grant_type': 'client_credentials'})",
    "const jwtAuth = require('@adobe/jwt-auth');",
    "résumé = naïve_ünïcode_text()  # non-ASCII bytes around keywords",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn write(path: &Path, data: &[u8]) {
    fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
    fs::write(path, data).expect("write");
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("read fixtures") {
        let entry = entry.expect("entry");
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else if entry.file_name() != ".ignore" {
            write(&to.join(entry.file_name()), &fs::read(&path).expect("read"));
        }
    }
}

fn corpus(root: &Path) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Code and docs only: line soup is not valid JSON/YAML, and a config
    // file that does not parse is (rightly) a scan error when a rule reads
    // it. The planted fixtures bring valid config files.
    let exts = ["py", "js", "ts", "java", "go", "rb", "sh", "md"];
    for i in 0..300 {
        let lines = 5 + rng.next(120);
        let mut text = String::new();
        for _ in 0..lines {
            // Mostly filler: keyword lines are the exception, as in real code.
            let pick = if rng.next(10) == 0 {
                LINES[rng.next(LINES.len())]
            } else {
                LINES[rng.next(2)]
            };
            text.push_str(pick);
            text.push('\n');
        }
        let ext = exts[rng.next(exts.len())];
        write(
            &root.join(format!("repo-{}/src/f{i}.{ext}", i % 7)),
            text.as_bytes(),
        );
    }
    // A large file whose findings sit across the prefilter's 64 KiB chunk
    // boundaries and past the first block the walker reads.
    let mut big = Vec::new();
    for boundary in [64 * 1024, 128 * 1024, 192 * 1024] {
        while big.len() < boundary - 20 {
            big.extend_from_slice(b"filler line of a big generated file\n");
        }
        big.extend_from_slice(b"tok = post('https://ims-na1.adobelogin.com/ims/exchange/jwt')\n");
    }
    write(&root.join("repo-big/dist/bundle.js"), &big);
    // Files whose only keyword (`exchange/jwt`) straddles a chunk boundary.
    for (i, back) in [1, 6, 11].into_iter().enumerate() {
        let line = b"u = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n";
        let keyword_at = line.len() - 15;
        let mut edge = Vec::new();
        while edge.len() < 64 * 1024 - back - keyword_at {
            edge.extend_from_slice(b"filler\n");
        }
        edge.truncate(64 * 1024 - back - keyword_at);
        edge.extend_from_slice(b"\n");
        edge.extend_from_slice(line);
        write(&root.join(format!("repo-big/dist/edge{i}.js")), &edge);
    }
    // Binary: a NUL in the first 8 KiB hides the finding after it; a NUL
    // later does not make a file binary.
    let mut bin = b"\x89PNG\0\0".to_vec();
    bin.extend_from_slice(b"https://ims-na1.adobelogin.com/ims/exchange/jwt\n");
    write(&root.join("repo-bin/logo.png"), &bin);
    let mut late = vec![b'x'; 9000];
    late.extend_from_slice(b"\0\nurl = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n");
    write(&root.join("repo-bin/late-nul.js"), &late);
    // The labelled fixtures, planted twice.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus");
    copy_dir(&fixtures, &root.join("legacy/a"));
    copy_dir(&fixtures, &root.join("repo-3/vendor/b"));
}

fn run(root: &Path, use_prefilter: bool, threads: usize) -> (Vec<String>, Stats) {
    let set = load(&[], false).expect("rules load");
    let engine = Engine::new(&set, jiff::civil::date(2026, 11, 23), 90);
    let opts = ScanOptions {
        paths: vec![root.to_path_buf()],
        no_ignore: false,
        follow: false,
        max_filesize: 8 << 20,
        threads,
        use_prefilter,
    };
    let report = scan(&engine, &opts);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let mut lines: Vec<String> = report
        .findings
        .iter()
        .map(|d| {
            format!(
                "{:?} {} {}",
                d.finding.location, d.finding.rule_id, d.finding.fingerprint
            )
        })
        .collect();
    lines.extend(
        report
            .suppressed
            .iter()
            .map(|s| format!("suppressed {:?} {}", s.finding.location, s.finding.rule_id)),
    );
    (lines, report.stats)
}

#[test]
fn generated_corpus_same_findings_with_and_without_prefilter_and_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    corpus(dir.path());
    let (reference, stats) = run(dir.path(), false, 1);
    assert!(reference.len() > 100, "{}", reference.len());
    // Every chunk-boundary finding of the big file is there.
    let big = reference
        .iter()
        .filter(|l| l.contains("repo-big/dist/bundle.js") && l.contains("jwt-exchange-endpoint"))
        .count();
    assert_eq!(big, 3, "{reference:#?}");
    let edges = reference.iter().filter(|l| l.contains("dist/edge")).count();
    assert_eq!(edges, 3, "{reference:#?}");
    assert!(reference.iter().any(|l| l.contains("late-nul.js")));
    assert!(!reference.iter().any(|l| l.contains("logo.png")));
    assert_eq!(stats.skipped_binary, 1);
    for (prefilter, threads) in [(true, 1), (true, 2), (true, 4), (false, 3)] {
        let (got, got_stats) = run(dir.path(), prefilter, threads);
        assert_eq!(got, reference, "prefilter {prefilter}, {threads} threads");
        assert_eq!(got_stats, stats, "prefilter {prefilter}, {threads} threads");
    }
}

/// The benchmarks give ripgrep the rule pack as patterns (bench/patterns.py):
/// every line must be one ripgrep accepts, or bench/ci.sh fails at the end
/// of CI (a rule regex spanning lines did: ripgrep matches line by line).
#[test]
fn bench_rule_pack_patterns_are_accepted_by_ripgrep() {
    use std::process::Command;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let py = Command::new("python3")
        .arg("bench/patterns.py")
        .arg("rules")
        .current_dir(root)
        .output();
    let Some(py) = py.ok().filter(|o| o.status.success()) else {
        crate::common::skip_check("python3 with PyYAML (bench/patterns.py)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let patterns = dir.path().join("patterns.txt");
    fs::write(&patterns, &py.stdout).expect("write patterns");
    assert!(py.stdout.len() > 1000, "patterns.py wrote almost nothing");
    let rg = Command::new("rg")
        .args(["-uu", "--no-config", "-c", "-f"])
        .arg(&patterns)
        .arg("fixtures/corpus")
        .current_dir(root)
        .output();
    let Ok(rg) = rg else {
        crate::common::skip_check("ripgrep (rg), for bench/ci.sh");
        return;
    };
    assert_eq!(
        rg.status.code(),
        Some(0),
        "ripgrep rejected bench/patterns.py output or matched nothing: {}",
        String::from_utf8_lossy(&rg.stderr)
    );
}
