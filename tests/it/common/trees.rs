//! Helpers for tests that build hostile trees: running the binary with a
//! kill deadline (a hang fails the test instead of stalling it), measuring
//! its peak memory, FIFOs, and running as an unprivileged user.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The deadline a scan of a hostile tree gets before it counts as hung.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// The built binary.
pub fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_jwt2oauth")
}

/// `jwt2oauth scan --today TODAY --no-progress ARGS...`, not yet run.
pub fn scan_cmd(args: &[&str]) -> Command {
    let mut c = Command::new(exe());
    c.args(["scan", "--today", super::TODAY, "--no-progress"])
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    c
}

/// Runs `cmd` and waits at most `deadline`; a child still running then is
/// killed and the test fails, naming `what`.
pub fn run_with_deadline(mut cmd: Command, deadline: Duration, what: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Drain the pipes on threads so a large output cannot block the child.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).map(|_| v)
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).map(|_| v)
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {deadline:?}: hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_t.join().expect("join").expect("read stdout"),
        stderr: err_t.join().expect("join").expect("read stderr"),
    }
}

/// Runs a scan with `--format json` under the deadline and parses stdout.
pub fn scan_json_deadline(args: &[&str], what: &str) -> (i32, serde_json::Value, Output) {
    let mut args = args.to_vec();
    args.extend(["--format", "json"]);
    let out = run_with_deadline(scan_cmd(&args), DEADLINE, what);
    let v = super::parse(&out);
    (super::code(&out), v, out)
}

/// [`scan_json_deadline`] of `.` inside `dir`: paths in the report are
/// relative to `dir` (they are as given on the command line).
pub fn scan_json_deadline_in(
    dir: impl AsRef<Path>,
    args: &[&str],
    what: &str,
) -> (i32, serde_json::Value, Output) {
    let mut cmd = scan_cmd(args);
    cmd.args([".", "--format", "json"]).current_dir(dir);
    let out = run_with_deadline(cmd, DEADLINE, what);
    let v = super::parse(&out);
    (super::code(&out), v, out)
}

/// Runs `cmd` under `/usr/bin/time` and returns its output and peak
/// resident memory in KiB, or `None` when `/usr/bin/time` is missing.
pub fn run_measured(cmd: &Command, deadline: Duration, what: &str) -> Option<(Output, u64)> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let report = tempfile::NamedTempFile::new().expect("temp file");
    let mut timed = Command::new(time);
    timed
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    let out = run_with_deadline(timed, deadline, what);
    let text = std::fs::read_to_string(report.path()).expect("time report");
    let kb = text
        .lines()
        .rev()
        .find_map(|l| l.trim().parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no peak RSS in /usr/bin/time output: {text:?}"));
    Some((out, kb))
}

/// Makes a FIFO at `path`; false (with a note on stderr) when `mkfifo`
/// is unavailable.
pub fn mkfifo(path: &Path) -> bool {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "mkfifo unavailable: FIFO case at {} skipped",
            path.display()
        );
    }
    ok
}

/// Whether this process runs as root (where `chmod 000` denies nothing).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The command prefix that runs a program as an unprivileged user: none
/// when not root, `setpriv` to nobody when root. `None` when root and
/// `setpriv` is missing: the caller must say the check was skipped.
pub fn unprivileged_prefix() -> Option<Vec<String>> {
    if !is_root() {
        return Some(Vec::new());
    }
    let has_setpriv = Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    has_setpriv.then(|| {
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ]
        .map(String::from)
        .to_vec()
    })
}

/// Sets `path`'s permission bits.
pub fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// (path, line, column, rule_id) of every finding.
pub fn located(v: &serde_json::Value) -> Vec<(String, u64, u64, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                f["line"].as_u64().expect("line"),
                f["column"].as_u64().expect("column"),
                f["rule_id"].as_str().expect("rule_id").to_string(),
            )
        })
        .collect()
}

/// The `(path, message)` of each entry of `errors` (or `reason` of
/// `skipped`).
pub fn entries(v: &serde_json::Value, key: &str) -> Vec<(String, String)> {
    let text = if key == "skipped" {
        "reason"
    } else {
        "message"
    };
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array"))
        .iter()
        .map(|e| {
            (
                e["path"].as_str().expect("path").to_string(),
                e[text].as_str().expect("text").to_string(),
            )
        })
        .collect()
}
