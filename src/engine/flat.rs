//! The flattened form every structured format parses to (key path, key
//! span, scalar value), its limits, and the frame stack the YAML (in
//! `structured.rs`) and JSON (`json.rs`) parsers share to build it.

use std::borrow::Cow;

/// Most entries kept for one file; past this the file is reported as too
/// complex rather than parsed further.
pub const MAX_ENTRIES: usize = 200_000;
/// Deepest nesting followed.
pub const MAX_DEPTH: usize = 256;
/// Most key-path segments kept for one file, summed over its entries: every
/// entry holds its whole path, so a deep file with many keys would otherwise
/// cost depth x keys strings (a 1 MB YAML file could ask for gigabytes).
pub const MAX_PATH_SEGMENTS: usize = 2_000_000;

/// One key (or sequence item) with its byte span and scalar value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Keys from the root; sequence items appear as their index.
    pub path: Vec<String>,
    /// Byte range of the key (of the item, for sequence items).
    pub start: usize,
    pub end: usize,
    /// The scalar value; `None` for mappings, sequences and aliases.
    pub value: Option<String>,
}

pub(super) enum Frame {
    Map {
        path: Vec<String>,
        key: Option<(String, usize, usize)>,
    },
    Seq {
        path: Vec<String>,
        index: usize,
    },
}

/// Why a config file has no structured view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlattenError {
    /// The parser's message, with the line and column when it gives one.
    #[error("{0}")]
    Syntax(String),
    #[error("not valid UTF-8 ({0})")]
    NotUtf8(std::str::Utf8Error),
    #[error("nested deeper than {MAX_DEPTH} levels: not analysed structurally")]
    TooDeep,
    #[error(
        "more than {MAX_ENTRIES} keys or {MAX_PATH_SEGMENTS} key-path segments: not analysed structurally"
    )]
    TooComplex,
}

pub(super) fn too_complex() -> FlattenError {
    FlattenError::TooComplex
}

/// Handles a node: a key (in a mapping awaiting one) or a value.
/// `container` is `Some(is_map)` for a collection start.
pub(super) fn node(
    stack: &mut Vec<Frame>,
    out: &mut Vec<Entry>,
    scalar: Option<Cow<'_, str>>,
    start: usize,
    end: usize,
    container: Option<bool>,
) -> Result<(), FlattenError> {
    if stack.len() > MAX_DEPTH {
        return Err(FlattenError::TooDeep);
    }
    // Where this node sits, and the span findings should point at.
    let (path, kstart, kend) = match stack.last_mut() {
        None => (Vec::new(), start, end),
        Some(Frame::Map { path, key }) => match key.take() {
            None => {
                // This node is a key. Complex (collection) keys are skipped.
                let name = scalar.map(|s| s.into_owned()).unwrap_or_default();
                *key = Some((name, start, end));
                if let Some(is_map) = container {
                    stack.push(new_frame(Vec::new(), is_map));
                }
                return Ok(());
            }
            Some((name, ks, ke)) => {
                let mut p = path.clone();
                p.push(name);
                (p, ks, ke)
            }
        },
        Some(Frame::Seq { path, index }) => {
            let mut p = path.clone();
            p.push(index.to_string());
            (p, start, end)
        }
    };
    if !path.is_empty() {
        out.push(Entry {
            path: path.clone(),
            start: kstart,
            end: kend,
            value: scalar.map(|s| s.into_owned()),
        });
    }
    match container {
        Some(is_map) => stack.push(new_frame(path, is_map)),
        None => advance(stack),
    }
    Ok(())
}

fn new_frame(path: Vec<String>, is_map: bool) -> Frame {
    if is_map {
        Frame::Map { path, key: None }
    } else {
        Frame::Seq { path, index: 0 }
    }
}

/// After a value completes, a sequence moves to its next index.
pub(super) fn advance(stack: &mut [Frame]) {
    if let Some(Frame::Seq { index, .. }) = stack.last_mut() {
        *index += 1;
    }
}
