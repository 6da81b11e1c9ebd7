//! Where `scan` writes each requested format: `--format` (repeatable) paired
//! in order with plain `--output FILE`s, plus `-o FORMAT=FILE`. At most one
//! format goes to stdout; report files are created with mode 0600.

use std::path::PathBuf;

use clap::ValueEnum;

use super::IoFailure;
use crate::cli::ColorChoice;
use crate::output::files::create_private;
use crate::output::{Format, Report};

/// One output: a format and its file (`None`: stdout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub format: Format,
    pub path: Option<PathBuf>,
}

/// Resolves `--format` and `--output` values into destinations.
///
/// - no `--format`: terminal (to the first plain `--output`, or stdout);
/// - `--format A --format B -o a -o b`: A to a, B to b;
/// - `-o sarif=x.sarif`: SARIF to x.sarif, on top of the rest (so
///   `scan -o sarif=x.sarif` prints the terminal report and writes SARIF).
pub fn destinations(formats: &[Format], outputs: &[String]) -> anyhow::Result<Vec<Destination>> {
    let mut plain = Vec::new();
    let mut keyed = Vec::new();
    for o in outputs {
        // `FORMAT=FILE` when the part before `=` has no path separator; a
        // file whose name holds `=` is written `./a=b`.
        match o.split_once('=') {
            Some((f, p)) if !f.contains(['/', '\\']) => {
                let format = Format::from_str(f, true).map_err(|_| {
                    anyhow::anyhow!(
                        "-o {o}: unknown format {f:?} before `=`; formats: {} (a file name holding `=` is written ./{o})",
                        format_names()
                    )
                })?;
                if p.is_empty() {
                    anyhow::bail!("-o {o}: no file after `=`");
                }
                keyed.push(Destination {
                    format,
                    path: Some(PathBuf::from(p)),
                });
            }
            _ => plain.push(PathBuf::from(o)),
        }
    }
    let formats: Vec<Format> = if formats.is_empty() {
        vec![Format::Terminal]
    } else {
        formats.to_vec()
    };
    if plain.len() > formats.len() {
        anyhow::bail!(
            "{} --output files for {} --format values: pair each file with a format, or write FORMAT=FILE",
            plain.len(),
            formats.len()
        );
    }
    let mut out: Vec<Destination> = formats
        .iter()
        .enumerate()
        .map(|(i, f)| Destination {
            format: *f,
            path: plain.get(i).cloned(),
        })
        .collect();
    // `-o sarif=x` with no --format: only the keyed outputs and the
    // terminal report on stdout.
    out.extend(keyed);
    let to_stdout: Vec<&str> = out
        .iter()
        .filter(|d| d.path.is_none())
        .map(|d| d.format.as_str())
        .collect();
    if to_stdout.len() > 1 {
        anyhow::bail!(
            "{} would all go to stdout: give each format its own --output FILE (or FORMAT=FILE)",
            to_stdout.join(", ")
        );
    }
    Ok(out)
}

/// Every format name, for error messages.
fn format_names() -> String {
    Format::value_variants()
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes the report to every destination.
pub fn write_all(
    report: &Report<'_>,
    dests: &[Destination],
    color: ColorChoice,
) -> anyhow::Result<()> {
    for d in dests {
        match &d.path {
            Some(path) => {
                let file = create_private(path)
                    .map_err(|e| IoFailure::new(format!("cannot create {}", path.display()), e))?;
                let mut file = std::io::BufWriter::new(file);
                let written = if d.format == Format::Terminal {
                    // Colour goes only to a terminal: a report file never
                    // holds ANSI codes, whatever --color says.
                    let mut coloured = Vec::new();
                    d.format.write(report, &mut coloured).and_then(|()| {
                        let plain = anstream::adapter::strip_bytes(&coloured).into_vec();
                        std::io::Write::write_all(&mut file, &plain)
                    })
                } else {
                    d.format.write(report, &mut file)
                };
                written
                    .and_then(|()| std::io::Write::flush(&mut file))
                    .map_err(|e| IoFailure::new(format!("cannot write {}", path.display()), e))?;
            }
            None => {
                let choice = match color {
                    ColorChoice::Auto => anstream::ColorChoice::Auto,
                    ColorChoice::Always => anstream::ColorChoice::Always,
                    ColorChoice::Never => anstream::ColorChoice::Never,
                };
                // Only the terminal format is coloured; the others are data.
                let choice = if d.format == Format::Terminal {
                    choice
                } else {
                    anstream::ColorChoice::Never
                };
                let mut out = anstream::AutoStream::new(std::io::stdout().lock(), choice);
                match d.format.write(report, &mut out) {
                    // A closed pipe (`| head`) is not an error worth reporting.
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                    r => r.map_err(|e| IoFailure::new("cannot write to stdout", e))?,
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(format: Format, path: Option<&str>) -> Destination {
        Destination {
            format,
            path: path.map(PathBuf::from),
        }
    }

    #[test]
    fn pairing_and_keyed_outputs() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_string()).collect::<Vec<_>>();
        assert_eq!(
            destinations(&[], &[]).expect("ok"),
            vec![d(Format::Terminal, None)]
        );
        assert_eq!(
            destinations(&[], &s(&["sarif=r.sarif"])).expect("ok"),
            vec![d(Format::Terminal, None), d(Format::Sarif, Some("r.sarif"))]
        );
        assert_eq!(
            destinations(&[Format::Json, Format::Html], &s(&["a.json", "r.html"])).expect("ok"),
            vec![
                d(Format::Json, Some("a.json")),
                d(Format::Html, Some("r.html"))
            ]
        );
        assert!(
            destinations(&[Format::Json], &s(&["x=y.txt"])).is_err(),
            "not a format name before `=`: a usage error"
        );
        assert_eq!(
            destinations(&[Format::Json], &s(&["./x=y.txt"])).expect("ok"),
            vec![d(Format::Json, Some("./x=y.txt"))],
            "a path with a separator before `=` is a plain path"
        );
        assert!(destinations(&[Format::Json, Format::Sarif], &[]).is_err());
        assert!(destinations(&[Format::Json], &s(&["a", "b"])).is_err());
    }
}
