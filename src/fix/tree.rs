//! The walks `fix` makes of the tree besides the scan's: the Developer
//! Console JSONs that give scopes ([`super::plan`]), a manifest's project
//! sources ([`super::deps`]).

use std::path::{Path, PathBuf};

/// A walk of `paths` (at least one) in file-name order, `.git` and
/// dependency trees skipped by name.
pub fn walker(paths: &[PathBuf]) -> ignore::WalkBuilder {
    let mut walk = ignore::WalkBuilder::new(paths.first().map_or(Path::new("."), PathBuf::as_path));
    for p in paths.iter().skip(1) {
        walk.add(p);
    }
    // No ignore files: the `ignore` crate opens them with a blocking read,
    // and a FIFO named `.gitignore` would hang the run (scan/special.rs; the
    // scan itself guards its walk). Dependency trees and `.git` are skipped
    // by name instead.
    walk.hidden(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !(e.file_type().is_some_and(|t| t.is_dir())
                && (name == ".git"
                    || crate::scan::classify::DEPENDENCY_DIRS.contains(&name.as_ref())))
        })
        .sort_by_file_name(std::cmp::Ord::cmp);
    walk
}
