//! The HTML migration report in a real browser: headless Chromium renders
//! the page offline, its inline script runs, and the DOM it produced holds
//! the summary, the chart and every finding; a screenshot is written to
//! `target/tmp/browser/report.png` for a person to look at.
//!
//! Without Chromium (Debian package `chromium`; `.ci/run` installs it) the
//! test says so on stderr and passes, except under CI, where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TODAY, bin};

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("JWT2OAUTH_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs Chromium headless with the given extra arguments; returns stdout.
fn run_chromium(exe: &Path, profile: &Path, args: &[String]) -> String {
    let mut child = Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    // Read stdout while waiting: a DOM larger than the pipe buffer would
    // otherwise block Chromium.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut buf);
        buf
    });
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = reader.join().expect("reader thread");
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn html_report_renders_in_chromium() {
    let Some(exe) = chromium() else {
        crate::common::skip_check("browser: html report check (chromium not installed)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let html = dir.path().join("report.html");
    let out = bin()
        .args(["scan", "--today", TODAY, "--format", "html", "-o"])
        .arg(&html)
        .arg("fixtures/corpus")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let (_, v) = crate::common::scan_json(&["fixtures/corpus"]);
    let findings = v["findings"].as_array().expect("findings").len();
    let groups = v["groups"].as_array().expect("groups").len();
    assert!(findings > 20 && groups > 1);
    let url = format!("file://{}", html.display());
    let profile = dir.path().join("profile");
    let dom = run_chromium(
        &exe,
        &profile,
        &[
            "--virtual-time-budget=2000".into(),
            "--dump-dom".into(),
            url.clone(),
        ],
    );
    assert!(dom.contains("<svg id=\"chart\""), "chart rendered:\n{dom}");
    // The inline script ran: it counted the findings it shows.
    assert!(
        dom.contains(&format!("data-rendered=\"{findings}\"")),
        "script ran:\n{}",
        &dom[..dom.len().min(2000)]
    );
    assert!(dom.contains(&format!("{findings} of {findings} findings shown")));
    assert_eq!(dom.matches("<article class=\"finding").count(), findings);
    assert_eq!(dom.matches("<section class=\"credential\"").count(), groups);
    let bars: u64 = dom
        .split("data-count=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse::<u64>().ok())
        .sum();
    assert_eq!(
        bars, findings as u64,
        "the chart's bars add up to the findings"
    );
    for text in [
        "Executive summary",
        "Effective cut-off per credential",
        "Migration steps",
        "Checklist",
        "Secrets and keys to rotate or delete",
    ] {
        assert!(dom.contains(text), "{text}");
    }
    // A screenshot for people (and a check that rendering produced pixels).
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).expect("mkdir");
    let png = shots.join("report.png");
    let _ = std::fs::remove_file(&png);
    run_chromium(
        &exe,
        &profile,
        &[
            "--window-size=1200,2400".into(),
            format!("--screenshot={}", png.display()),
            url,
        ],
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    assert!(bytes.len() > 50_000, "a page, not a blank image");
    eprintln!("browser: screenshot at {}", png.display());
}
