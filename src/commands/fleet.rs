//! `scan --repos FILE`: read the list, clone or find each repository (with
//! a progress bar per repository on a terminal), and say what the scan
//! walks: one repository is scanned as `scan DIR` would (paths relative to
//! it), several under their names (`owner/name/...`). Repositories that
//! failed become report errors.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::Outcome;
use crate::cli::ScanArgs;
pub use crate::fleet::FleetScan;
use crate::fleet::{self, list};
use crate::progress::Progress;

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
    // Several entries make an organisation report (paths under each
    // repository's name), even when only one of them could be had.
    let several = entries.len() > 1;
    let labels = several.then(|| {
        resolved
            .repositories
            .iter()
            .map(|r| r.name.clone())
            .collect()
    });
    let mut errors = resolved.errors;
    let mut failed = Vec::new();
    if several {
        let mut taken: Vec<String> = resolved
            .repositories
            .iter()
            .map(|r| r.name.clone())
            .collect();
        for e in &mut errors {
            let name = unique_name(&taken, &entry_name(&e.path));
            taken.push(name.clone());
            failed.push(crate::repository::Repository {
                name: name.clone(),
                root: name.clone(),
                commit: None,
                url: fleet::url::is_url(&e.path).then(|| e.path.clone()),
            });
            e.path = name;
        }
    }
    let failed_alone = match (entries.as_slice(), resolved.repositories.is_empty()) {
        ([only], true) => Some(crate::repository::Repository {
            name: entry_name(&only.shown()),
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
        errors,
        failed,
        failed_alone,
    })
}

/// The name an entry (as shown: a URL without credentials, or a path)
/// would have had: the URL's `owner/name`, else the directory's name.
fn entry_name(shown: &str) -> String {
    if fleet::url::is_url(shown) {
        fleet::url::repo_name(shown)
    } else {
        Path::new(shown)
            .file_name()
            .map_or_else(|| "repository".into(), |n| n.to_string_lossy().into_owned())
    }
}

/// `name`, or `name~2`, `name~3`... when `taken` has it.
fn unique_name(taken: &[String], name: &str) -> String {
    let mut out = name.to_string();
    let mut n = 2;
    while taken.contains(&out) {
        out = format!("{name}~{n}");
        n += 1;
    }
    out
}

/// `--reports-dir DIR`: one scan per repository, each with its own report
/// file `DIR/owner__name.json` (as `scan DIR --repository owner/name
/// --format json` writes it); an entry that failed gets a report holding
/// only its error. The names are unique (`~2` for a repeat).
pub fn per_repository(fleet: FleetScan, dir: &Path) -> anyhow::Result<Vec<(FleetScan, PathBuf)>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("--reports-dir {}: cannot create it", dir.display()))?;
    let mut taken: Vec<String> = Vec::new();
    let mut file = |name: &str| {
        let base = report_file_name(name);
        let mut n = 2;
        let mut f = base.clone();
        while taken.contains(&f) {
            f = format!("{base}~{n}");
            n += 1;
        }
        taken.push(f.clone());
        dir.join(format!("{f}.json"))
    };
    let mut out = Vec::new();
    for r in fleet.repositories {
        let path = file(&r.name);
        out.push((
            FleetScan {
                paths: vec![r.dir.clone()],
                labels: None,
                repositories: vec![r],
                errors: Vec::new(),
                failed: Vec::new(),
                failed_alone: None,
            },
            path,
        ));
    }
    let mut failed = fleet.failed.into_iter();
    for mut e in fleet.errors {
        // Its own report: the repository at its root `.`, the error in it.
        let repo = match failed.next() {
            Some(r) => crate::repository::Repository {
                root: ".".to_string(),
                ..r
            },
            None => crate::repository::Repository {
                name: entry_name(&e.path),
                root: ".".to_string(),
                commit: None,
                url: fleet::url::is_url(&e.path).then(|| e.path.clone()),
            },
        };
        // The error is about the repository: at its root (the message
        // names the list's line and the URL or path).
        e.path = ".".to_string();
        let path = file(&repo.name);
        out.push((
            FleetScan {
                paths: Vec::new(),
                labels: None,
                repositories: Vec::new(),
                errors: vec![e],
                failed: Vec::new(),
                failed_alone: Some(repo),
            },
            path,
        ));
    }
    Ok(out)
}

/// `owner/name` as a file name: `owner__name`, other characters than
/// letters, digits, `.`, `_` and `-` replaced by `_`.
pub fn report_file_name(name: &str) -> String {
    let s: String = name
        .replace('/', "__")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-~".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() { "repository".into() } else { s }
}

/// The outcome that says more: incomplete, then findings, then clean.
pub fn worse(a: Outcome, b: Outcome) -> Outcome {
    let rank = |o: Outcome| match o {
        Outcome::Clean => 0,
        Outcome::Findings => 1,
        Outcome::Incomplete => 2,
        Outcome::UsageError => 3,
        Outcome::IoError => 4,
    };
    if rank(b) > rank(a) { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_file_names_are_flat_and_safe() {
        assert_eq!(report_file_name("acme/svc"), "acme__svc");
        assert_eq!(report_file_name("g/sub name"), "g__sub_name");
        assert_eq!(report_file_name("../x"), "__x");
        assert_eq!(report_file_name(""), "repository");
    }

    #[test]
    fn the_worse_outcome_wins() {
        assert_eq!(worse(Outcome::Clean, Outcome::Findings), Outcome::Findings);
        assert_eq!(
            worse(Outcome::Incomplete, Outcome::Findings),
            Outcome::Incomplete
        );
        assert_eq!(worse(Outcome::Clean, Outcome::Clean), Outcome::Clean);
    }
}
