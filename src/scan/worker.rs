//! One scanning thread: reads each file the walk hands it (through
//! [`read_file`]: non-blocking, regular files only, decoded), runs the
//! engine, and records findings, errors and skipped files in the shared
//! state. Walk errors are sorted into real errors and symlink loops.

use std::path::Path;
use std::sync::atomic::Ordering;

use ignore::DirEntry;

use super::classify::is_credential_file_name;
use super::decode::{self, Encoding};
use super::options::{ScanHooks, ScanOptions};
use super::read::{Content, kind_name, read_file};
use super::shared::{Roots, Shared, lock};
use crate::engine::wrappers::{Definition, Family};
use crate::engine::{Engine, identifiers};
use crate::finding::Finding;
use crate::report::{ScanError, ScanWarning, Skipped};

/// One scanning thread's reusable state: the file buffer, the prefilter's
/// candidate marks, and counters added to the shared ones when it is dropped
/// (so threads do not contend on them per file).
pub(super) struct Worker<'a, 'e> {
    engine: &'a Engine<'e>,
    opts: &'a ScanOptions,
    hooks: &'a ScanHooks<'a>,
    shared: &'a Shared,
    roots: &'a Roots,
    /// Holds the current file in `buf[..len]`. It keeps its largest size
    /// (at most --max-filesize), so it is zero-filled only when it grows.
    buf: Vec<u8>,
    /// UTF-16/32 files transcoded to UTF-8.
    decoded: Vec<u8>,
    candidates: Vec<bool>,
    /// Whether the cross-file pass runs (the rules have a `calls_of` rule).
    cross_file: bool,
    /// For the cross-file pass: the code files read, and the definitions
    /// learned around JWT findings (added to the shared ones on drop).
    code_files: Vec<std::path::PathBuf>,
    definitions: Vec<(std::path::PathBuf, Definition)>,
    files: u64,
    bytes: u64,
    binary: u64,
}

impl<'a, 'e> Worker<'a, 'e> {
    pub(super) fn new(
        engine: &'a Engine<'e>,
        opts: &'a ScanOptions,
        hooks: &'a ScanHooks<'a>,
        shared: &'a Shared,
        roots: &'a Roots,
    ) -> Worker<'a, 'e> {
        Worker {
            engine,
            opts,
            hooks,
            shared,
            roots,
            buf: Vec::new(),
            decoded: Vec::new(),
            candidates: Vec::new(),
            cross_file: hooks.scopes.map_or_else(
                || engine.has_cross_file_rules(),
                |s| s.has_cross_file_rules(),
            ),
            code_files: Vec::new(),
            definitions: Vec::new(),
            files: 0,
            bytes: 0,
            binary: 0,
        }
    }

    /// Handles one entry of a walk: regular files are scanned, FIFOs and
    /// devices listed as skipped (never opened), walk errors recorded.
    pub(super) fn visit(&mut self, result: Result<DirEntry, ignore::Error>) {
        let (opts, shared, roots) = (self.opts, self.shared, self.roots);
        match result {
            Ok(entry) => match entry.file_type() {
                Some(t) if t.is_file() => {
                    let path = entry.path();
                    let name = entry.file_name().to_string_lossy();
                    if crate::correlate::is_project_marker(&name) {
                        lock(&shared.projects).note_marker(&roots.display(path));
                    } else if crate::correlate::is_install_record(&name) {
                        lock(&shared.projects).note_install_record(&roots.display(path));
                    }
                    if !opts.no_ignore && is_credential_file_name(&name) {
                        lock(&shared.seen_credential_files).insert(path.to_path_buf());
                    }
                    self.scan_file(path);
                }
                Some(t)
                    if t.is_dir()
                        && crate::correlate::is_install_record(
                            &entry.file_name().to_string_lossy(),
                        ) =>
                {
                    lock(&shared.projects).note_install_record(&roots.display(entry.path()));
                }
                Some(t) if !t.is_dir() && !t.is_symlink() => {
                    lock(&shared.skipped).push(not_regular(roots.display(entry.path()), t));
                }
                _ => {}
            },
            Err(err) => match walk_issue(&err, roots) {
                Ok(skipped) => lock(&shared.skipped).push(skipped),
                Err(error) => lock(&shared.errors).push(error),
            },
        }
    }

    pub(super) fn scan_file(&mut self, path: &Path) {
        let (opts, shared, roots) = (self.opts, self.shared, self.roots);
        // In a scan of several repositories, the file's repository decides
        // the engine and the `[paths]` filter (as when it is scanned alone).
        let scope = self.hooks.scopes.map(|s| s.of(path));
        if scope.is_some_and(|s| s.skip) {
            return;
        }
        let engine = scope.map_or(self.engine, |s| s.engine);
        let scoped = scope.and_then(|s| s.filter.map(|f| (f, s.filter_root.as_str())));
        // The display name is built up front only when a filter needs it.
        let mut display = None;
        if self.hooks.filter.is_some() || scoped.is_some() {
            let name = roots.display(path);
            if self.hooks.filter.is_some_and(|allows| !allows(&name)) {
                return;
            }
            if let Some((allows, root)) = scoped
                && !allows.allows(crate::repository::relative(root, &name))
            {
                return;
            }
            display = Some(name);
        }
        let name_of = |display: Option<String>| display.unwrap_or_else(|| roots.display(path));
        let file_name = path.file_name().unwrap_or_default().to_string_lossy();
        let key_container = super::classify::is_key_container(&file_name);
        if let Some(hook) = self.hooks.before_read {
            hook(path);
        }
        let (len, encoding) = match read_file(path, opts.max_filesize, &mut self.buf) {
            Ok(Content::Text { .. } | Content::Binary) if key_container => {
                // PKCS#12 is binary DER: rules see a placeholder line naming
                // it, and correlation decides whether it is the Adobe
                // credential's key.
                let text = super::classify::KEY_CONTAINER_TEXT.as_bytes();
                if self.buf.len() < text.len() {
                    self.buf.resize(text.len(), 0);
                }
                self.buf[..text.len()].copy_from_slice(text);
                (text.len(), Encoding::Utf8 { bom: false })
            }
            Ok(Content::Text { len, encoding }) => (len, encoding),
            Ok(Content::Binary) => {
                self.binary += 1;
                return;
            }
            Ok(Content::TooLarge) => {
                shared.too_large.fetch_add(1, Ordering::Relaxed);
                lock(&shared.skipped).push(Skipped {
                    path: name_of(display),
                    reason: format!("larger than --max-filesize ({} bytes)", opts.max_filesize),
                });
                return;
            }
            Ok(Content::NotRegular(kind)) => {
                lock(&shared.skipped).push(Skipped {
                    path: name_of(display),
                    reason: format!("not a regular file ({kind})"),
                });
                return;
            }
            Err(e) => {
                lock(&shared.errors).push(ScanError {
                    path: name_of(display),
                    message: format!("cannot read: {}", super::io_reason(&e)),
                });
                return;
            }
        };
        let text: &[u8] = if encoding.is_wide() {
            decode::transcode(encoding, &self.buf[..len], &mut self.decoded);
            if decode::looks_binary(&self.decoded) {
                self.binary += 1;
                return;
            }
            &self.decoded
        } else {
            &self.buf[encoding.bom_len().min(len)..len]
        };
        self.files += 1;
        self.bytes += len as u64;
        if self.cross_file && Family::of(&file_name).is_some() {
            self.code_files.push(path.to_path_buf());
        }
        if let Some(tick) = self.hooks.progress {
            tick();
        }
        if !engine.candidates(path, text, opts.use_prefilter, &mut self.candidates) {
            return;
        }
        let display = name_of(display);
        let dir = path.parent().unwrap_or(Path::new(""));
        let sibling = |name: &str| dir.join(name).is_file();
        let result = engine.scan_candidates(&display, text, &sibling, &self.candidates);
        // jwt2oauth's own baseline names rules (`adobe-techacct-key-fields`
        // beside `adobe-private-key-reference`), not credentials: a listed
        // skip, never findings (checked only for a JSON file with findings).
        if (!result.findings.is_empty() || !result.suppressed.is_empty())
            && file_name.ends_with(".json")
            && crate::baseline::Baseline::is_baseline(text)
        {
            lock(&shared.skipped).push(Skipped {
                path: display,
                reason: "a jwt2oauth baseline (its entries name rules and fingerprints, not credentials)".into(),
            });
            return;
        }
        for (line, message) in result.warnings {
            lock(&shared.warnings).push(ScanWarning {
                path: display.clone(),
                line,
                message,
            });
        }
        for message in result.errors {
            lock(&shared.errors).push(ScanError {
                path: display.clone(),
                message,
            });
        }
        if self.cross_file && !result.findings.is_empty() {
            let found: Vec<&Finding> = result.findings.iter().map(|d| &d.finding).collect();
            for def in engine.learn(&display, text, &found) {
                self.definitions.push((path.to_path_buf(), def));
            }
        }
        if !result.findings.is_empty() {
            let ids = identifiers::extract(text);
            lock(&shared.identifiers).insert(display, ids);
            lock(&shared.findings).extend(result.findings);
        }
        if !result.suppressed.is_empty() {
            lock(&shared.suppressed).extend(result.suppressed);
        }
    }
}

impl Drop for Worker<'_, '_> {
    fn drop(&mut self) {
        self.shared.files.fetch_add(self.files, Ordering::Relaxed);
        self.shared.bytes.fetch_add(self.bytes, Ordering::Relaxed);
        self.shared.binary.fetch_add(self.binary, Ordering::Relaxed);
        if self.cross_file {
            lock(&self.shared.code_files).append(&mut self.code_files);
            lock(&self.shared.definitions).append(&mut self.definitions);
        }
    }
}

fn not_regular(path: String, t: std::fs::FileType) -> Skipped {
    Skipped {
        path,
        reason: format!("not a regular file ({})", kind_name(t)),
    }
}

/// A walk error, or (`Ok`) a symlink loop: with `--follow`, a link back to
/// an ancestor directory is skipped, since everything under it is scanned
/// by its own path; it does not make the scan incomplete.
fn walk_issue(err: &ignore::Error, roots: &Roots) -> Result<Skipped, ScanError> {
    fn loop_of(err: &ignore::Error) -> Option<(&Path, &Path)> {
        match err {
            ignore::Error::Loop { ancestor, child } => Some((ancestor, child)),
            ignore::Error::WithPath { err, .. }
            | ignore::Error::WithDepth { err, .. }
            | ignore::Error::WithLineNumber { err, .. } => loop_of(err),
            _ => None,
        }
    }
    match loop_of(err) {
        Some((ancestor, child)) => Ok(Skipped {
            path: roots.display(child),
            reason: format!(
                "symlink loop: points to {}, which is scanned by its own path",
                roots.display(ancestor)
            ),
        }),
        None => Err(walk_error(err, roots)),
    }
}

fn walk_error(err: &ignore::Error, roots: &Roots) -> ScanError {
    fn path_of(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    /// The error without the path (the path is listed beside it already).
    fn message_of(err: &ignore::Error) -> String {
        match err {
            ignore::Error::WithPath { err, .. }
            | ignore::Error::WithDepth { err, .. }
            | ignore::Error::WithLineNumber { err, .. } => message_of(err),
            ignore::Error::Io(e) => super::io_reason(e),
            other => other.to_string(),
        }
    }
    ScanError {
        path: path_of(err).map_or_else(|| "<walk>".to_string(), |p| roots.display(p)),
        message: message_of(err),
    }
}
