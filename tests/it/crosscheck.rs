//! Cross-checks the emulator with third-party clients, when they are
//! installed (`scripts/crosscheck/run.sh` installs them): Adobe's
//! `@adobe/jwt-auth` (npm) and Authlib (PyPI). A missing client is reported
//! on stderr and the check is left out, never silently passed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Emulator, fixture};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/crosscheck")
}

fn has(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run_check(program: &str, script: &str, path_var: &str, deps: &Path) {
    let emu = Emulator::start(&[]);
    let fixtures = fixture("");
    let out = Command::new(program)
        .arg(dir().join(script))
        .env("IMS_URL", &emu.url)
        .env("FIXTURES", fixtures)
        .env(path_var, deps)
        .output()
        .expect("run crosscheck");
    let text = format!(
        "{}{}\nemulator log:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        emu.stderr()
    );
    assert!(out.status.success(), "{script} failed:\n{text}");
    eprintln!("crosscheck: {script} passed");
}

#[test]
fn adobe_jwt_auth_gets_a_token_from_the_emulator() {
    let modules = dir().join("node_modules");
    if !has("node") {
        crate::common::skip_check("crosscheck: @adobe/jwt-auth check: node not found");
        return;
    }
    if !modules.join("@adobe/jwt-auth").is_dir() {
        crate::common::skip_check(
            "crosscheck: @adobe/jwt-auth check: node_modules not installed; run scripts/crosscheck/run.sh",
        );
        return;
    }
    run_check("node", "jwt_auth_check.js", "NODE_PATH", &modules);
}

#[test]
fn authlib_gets_a_client_credentials_token_from_the_emulator() {
    let deps = dir().join("pydeps");
    if !has("python3") {
        crate::common::skip_check("crosscheck: Authlib check: python3 not found");
        return;
    }
    if !deps.join("authlib").is_dir() {
        crate::common::skip_check(
            "crosscheck: Authlib check: pydeps not installed; run scripts/crosscheck/run.sh",
        );
        return;
    }
    run_check("python3", "authlib_check.py", "PYTHONPATH", &deps);
}
