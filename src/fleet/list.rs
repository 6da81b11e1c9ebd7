//! The `--repos FILE` list: one repository per line, a local path or a git
//! URL; blank lines and `#` comments are skipped. Each entry keeps its line
//! number so an error names `FILE:LINE`.

use std::path::{Path, PathBuf};

use super::url::{is_url, redact_url};

/// What one line names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// A directory scanned in place (relative paths are relative to the list
    /// file's directory).
    Path(PathBuf),
    /// A git URL cloned into the cache (may hold credentials: never print it
    /// without [`redact_url`]).
    Url(String),
}

/// One repository of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line in the list file.
    pub line: usize,
    pub spec: Spec,
}

impl Entry {
    /// What the entry is called in progress and errors: the path as written,
    /// or the URL without credentials.
    pub fn shown(&self) -> String {
        match &self.spec {
            Spec::Path(p) => p.display().to_string(),
            Spec::Url(u) => redact_url(u),
        }
    }
}

/// Parses a list read from a file in `base` (the directory relative paths
/// are resolved against). Entries listed twice are kept once.
pub fn parse(text: &str, base: &Path) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let spec = if is_url(line) {
            Spec::Url(line.to_string())
        } else {
            let p = Path::new(line);
            Spec::Path(if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            })
        };
        if out.iter().any(|e| e.spec == spec) {
            continue;
        }
        out.push(Entry { line: i + 1, spec });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_blanks_comments_and_repeats_and_keeps_line_numbers() {
        let text = "# repos\n\n  ./a  \nhttps://github.com/o/r\n# x\n/abs/b\nhttps://github.com/o/r\ngit@github.com:o/s.git\n";
        let got = parse(text, Path::new("/base"));
        assert_eq!(
            got,
            vec![
                Entry {
                    line: 3,
                    spec: Spec::Path(PathBuf::from("/base/./a"))
                },
                Entry {
                    line: 4,
                    spec: Spec::Url("https://github.com/o/r".into())
                },
                Entry {
                    line: 6,
                    spec: Spec::Path(PathBuf::from("/abs/b"))
                },
                Entry {
                    line: 8,
                    spec: Spec::Url("git@github.com:o/s.git".into())
                },
            ]
        );
    }

    #[test]
    fn shown_never_holds_the_token() {
        let e = parse(
            "https://user:ghp_secret123@github.com/o/r\n",
            Path::new("."),
        );
        assert_eq!(e[0].shown(), "https://github.com/o/r");
    }
}
