//! `scan --repos FILE`: read the list, clone or find each repository (with
//! a progress bar per repository on a terminal), and say what the scan
//! walks: one repository is scanned as `scan DIR` would (paths relative to
//! it), several under their names (`owner/name/...`). Repositories that
//! failed become report errors.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::ScanArgs;
use crate::fleet::{self, Repository, list};
use crate::progress::Progress;
use crate::scan::ScanError;

/// What `scan --repos` walks.
#[derive(Debug, Default)]
pub struct FleetScan {
    pub paths: Vec<PathBuf>,
    /// Each path's repository name, when there are several.
    pub labels: Option<Vec<String>>,
    pub repositories: Vec<Repository>,
    /// Entries that could not be cloned or read.
    pub errors: Vec<ScanError>,
    /// A one-entry list whose repository failed: still named in the report
    /// (at root `.`), so a merge of per-repository reports lists it.
    pub failed_alone: Option<crate::repository::Repository>,
}

impl FleetScan {
    /// (root as reported, name, directory) of each repository: `.` for a
    /// single one, its name for several.
    pub fn roots(&self) -> Vec<(String, String, PathBuf)> {
        self.repositories
            .iter()
            .map(|r| {
                let root = match self.labels {
                    Some(_) => r.name.clone(),
                    None => ".".to_string(),
                };
                (root, r.name.clone(), r.dir.clone())
            })
            .collect()
    }
}

/// Reads `list` and makes each entry a local directory. A list that cannot
/// be read, or lists nothing, is a usage error (exit 2): a typo must not scan
/// nothing and pass.
pub fn resolve(args: &ScanArgs, list_path: &Path, show: bool) -> anyhow::Result<FleetScan> {
    let text = std::fs::read_to_string(list_path).with_context(|| {
        format!(
            "--repos {}: cannot read the repository list",
            list_path.display()
        )
    })?;
    let base = match list_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let entries = list::parse(&text, base);
    let shown = list_path.display().to_string();
    if entries.is_empty() {
        anyhow::bail!("--repos {shown}: lists no repository (one path or git URL per line)");
    }
    if args.history && entries.len() > 1 {
        anyhow::bail!(
            "--repos {shown} --history: a history scan takes one repository per run ({} listed); \
             scan each with --history and combine the reports with `jwt2oauth merge`",
            entries.len()
        );
    }
    let cache = fleet::cache_dir(args.repos_cache.as_deref(), &|k| std::env::var(k).ok())
        .map_err(anyhow::Error::msg)?;
    let progress = Progress::repositories(show, entries.len() as u64);
    let resolved = fleet::resolve(&entries, &shown, &cache, args.history, &|i, name| {
        if i > 0 {
            progress.tick();
        }
        progress.set_message(name);
    });
    progress.finish();
    let paths: Vec<PathBuf> = resolved
        .repositories
        .iter()
        .map(|r| r.dir.clone())
        .collect();
    let labels = (resolved.repositories.len() > 1).then(|| {
        resolved
            .repositories
            .iter()
            .map(|r| r.name.clone())
            .collect()
    });
    let failed_alone = match (entries.as_slice(), resolved.repositories.is_empty()) {
        ([only], true) => Some(crate::repository::Repository {
            name: match &only.spec {
                list::Spec::Url(u) => fleet::url::repo_name(u),
                list::Spec::Path(p) => p
                    .file_name()
                    .map_or_else(|| "repository".into(), |n| n.to_string_lossy().into_owned()),
            },
            root: ".".to_string(),
            commit: None,
            url: match &only.spec {
                list::Spec::Url(u) => Some(fleet::url::redact_url(u)),
                list::Spec::Path(_) => None,
            },
        }),
        _ => None,
    };
    Ok(FleetScan {
        paths,
        labels,
        repositories: resolved.repositories,
        errors: resolved.errors,
        failed_alone,
    })
}
