//! `jwt2oauth init`: writes a commented starter `jwt2oauth.toml` and, with
//! `--ci github|gitlab`, a workflow that runs the gate. Never overwrites a
//! file unless `--force`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::Outcome;
use crate::cli::{InitArgs, InitCi};
use crate::config;

/// The starter config: every key of `jwt2oauth.toml`, the defaults active and
/// the rest as `#key = value` examples (tests/it/dist.rs loads it both ways).
pub const STARTER_CONFIG: &str = include_str!("jwt2oauth.toml");
const GITHUB: &str = include_str!("github.yml");
const GITLAB: &str = include_str!("gitlab.yml");

/// Where `--ci` writes, relative to the project directory.
pub fn workflow_path(ci: InitCi) -> &'static str {
    match ci {
        InitCi::Github => ".github/workflows/jwt2oauth.yml",
        InitCi::Gitlab => "jwt2oauth.gitlab-ci.yml",
    }
}

/// The workflow `--ci` writes, pinned to this binary's release.
pub fn workflow(ci: InitCi) -> String {
    let url = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    let repo = url.strip_prefix("https://github.com/").unwrap_or(url);
    let template = match ci {
        InitCi::Github => GITHUB,
        InitCi::Gitlab => GITLAB,
    };
    template
        .replace("{{REPOSITORY_URL}}", url)
        .replace("{{REPOSITORY}}", repo)
        .replace("{{VERSION}}", env!("CARGO_PKG_VERSION"))
}

/// Runs `init`.
pub fn run(args: &InitArgs) -> anyhow::Result<Outcome> {
    if !args.dir.is_dir() {
        anyhow::bail!("{}: not a directory", args.dir.display());
    }
    let mut files: Vec<(PathBuf, String)> =
        vec![(args.dir.join(config::FILE_NAME), STARTER_CONFIG.to_string())];
    if let Some(ci) = args.ci {
        files.push((args.dir.join(workflow_path(ci)), workflow(ci)));
    }
    // Check them all first: write nothing when one would be overwritten.
    if let Some((p, _)) = files.iter().find(|(p, _)| !args.force && p.exists()) {
        anyhow::bail!(
            "{} exists: not overwritten (use --force to replace it)",
            p.display()
        );
    }
    for (path, text) in &files {
        write(path, text)?;
        outln!("wrote {}", path.display());
    }
    outln!(
        "next: edit {} and run `jwt2oauth scan {}`",
        config::FILE_NAME,
        args.dir.display()
    );
    Ok(Outcome::Clean)
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
