//! Shared harness for the verify/emulator/crosscheck integration tests: runs
//! the real binary, starts `emulate-ims` on 127.0.0.1 with port 0, reads the
//! port it prints, and kills it on drop; `run_bounded` runs the binary under a
//! watchdog so a hang fails the test instead of blocking it. Never touches
//! the internet.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod badserver;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_jwt2oauth");

/// A fixture path.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/ims")
        .join(name)
}

/// A running emulator; killed on drop.
pub struct Emulator {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    stderr: Arc<Mutex<String>>,
}

impl Emulator {
    /// Starts the emulator with the fixture workspace and certificate plus `extra` flags.
    pub fn start(extra: &[&str]) -> Self {
        let ws = fixture("workspace.json");
        let cert = fixture("certificate_pub.crt");
        let mut args: Vec<&str> = vec!["emulate-ims", "--listen", "127.0.0.1:0"];
        let (ws, cert) = (ws.to_str().unwrap(), cert.to_str().unwrap());
        if !extra.contains(&"--credentials") {
            args.extend(["--credentials", ws, "--certificate", cert]);
        }
        args.extend(extra);
        Self::start_args(&args)
    }

    /// Starts the binary with exactly these arguments.
    pub fn start_args(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn emulator");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).expect("read listening line");
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = out.read_to_string(&mut rest);
        });
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {line:?}; stderr: {}",
                    stderr.lock().unwrap()
                )
            })
            .to_string();
        assert!(
            url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
            "{url}"
        );
        Emulator { child, url, stderr }
    }

    /// Everything the emulator wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The first stdout line (kept for leak checks).
    pub fn stdout_line(&self) -> String {
        format!("listening on {}", self.url)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the binary with args and env (and a clean JWT2OAUTH_* environment).
pub fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("JWT2OAUTH_") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("run binary")
}

/// `verify --format json` against the emulator with the fixture workspace
/// and key, fast retry settings, plus `extra`.
pub fn verify(
    emu: &Emulator,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (i32, serde_json::Value, Output) {
    let ws = fixture("workspace.json");
    let key = fixture("private.key");
    let mut args = vec!["verify"];
    for (flag, value) in [
        ("--format", "json"),
        ("--ims-url", emu.url.as_str()),
        ("--backoff-ms", "20"),
        ("--timeout-ms", "3000"),
    ] {
        if !extra.contains(&flag) {
            args.extend([flag, value]);
        }
    }
    if !extra.contains(&"--config") {
        args.extend(["--config", ws.to_str().unwrap()]);
    }
    if !extra.contains(&"--private-key") && !env.iter().any(|(k, _)| *k == "JWT2OAUTH_PRIVATE_KEY")
    {
        args.extend(["--private-key", key.to_str().unwrap()]);
    }
    args.extend(extra);
    let out = run(&args, env);
    let code = out.status.code().unwrap_or(-1);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (code, json, out)
}

/// Both output streams as text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The binary's output, how long it ran, and its peak RSS in KiB (when
/// /proc is there to tell).
pub struct Bounded {
    pub output: Output,
    pub elapsed: Duration,
    pub peak_rss_kib: Option<u64>,
}

/// Runs the binary (clean JWT2OAUTH_* environment) and fails the test if it
/// has not exited within `limit`.
pub fn run_bounded(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Bounded {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, _) in std::env::vars() {
        if k.starts_with("JWT2OAUTH_") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().copied());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn");
    let pipe = |r: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = pipe(child.stdout.take().map(|s| Box::new(s) as _));
    let err = pipe(child.stderr.take().map(|s| Box::new(s) as _));
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = None;
    let status = loop {
        if let Some(hwm) = std::fs::read_to_string(&status_path).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        }) {
            peak = Some(peak.unwrap_or(0).max(hwm));
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} still running after {limit:?}: not bounded");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    Bounded {
        output: Output {
            status,
            stdout: out.join().unwrap(),
            stderr: err.join().unwrap(),
        },
        elapsed,
        peak_rss_kib: peak,
    }
}
