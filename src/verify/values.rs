//! Reading values out of config JSON the lenient way users write them:
//! strings or numbers, lists as arrays, JSON-in-a-string or comma/space
//! separated text, and private keys as PEM, PEM lines or a path.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::secret::Secret;

/// Strips one pair of surrounding quotes and turns `\n` escapes into newlines.
/// Where a JWT credential's private key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A file holding a PEM (or base64 DER) key.
    File(PathBuf),
    /// The key itself (PEM or base64 PKCS#8), from a config value or env var.
    Inline(Secret),
}

pub(crate) fn unquote(v: &str) -> String {
    let stripped = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')));
    stripped.unwrap_or(v).replace("\\n", "\n")
}

/// The value at a key path, if every key exists.
pub(crate) fn path<'a>(root: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    let (first, rest) = keys.split_first()?;
    let mut v = root.get(*first)?;
    for k in rest {
        v = v.get(*k)?;
    }
    Some(v)
}

/// A non-empty string (trimmed) or a number as text.
pub(crate) fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The first of `names` that holds a string value.
pub(crate) fn field(obj: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| obj.get(*n).and_then(as_string))
}

/// A list value: a JSON array, a JSON array inside a string, or a
/// comma/space separated string.
pub(crate) fn list(obj: &Map<String, Value>, names: &[&str]) -> Vec<String> {
    let Some(v) = names.iter().find_map(|n| obj.get(*n)) else {
        return Vec::new();
    };
    match v {
        Value::Array(items) => items.iter().filter_map(as_string).collect(),
        Value::String(s) => split_list(s),
        _ => Vec::new(),
    }
}

/// Splits `a,b c` or `["a","b"]` into items.
pub fn split_list(s: &str) -> Vec<String> {
    if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(s) {
        return items.iter().filter_map(as_string).collect();
    }
    s.split([',', ' '])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// An aio `private_key` value: PEM text, an array of PEM lines, or a path.
pub(crate) fn key_value(v: Option<&Value>, base: &Path) -> Option<KeySource> {
    let text = match v? {
        Value::String(s) => s.clone(),
        Value::Array(lines) => lines
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n"),
        _ => return None,
    };
    let text = text.trim();
    if text.is_empty() {
        None
    } else if text.contains("-----BEGIN") || (text.len() > 200 && !text.contains('/')) {
        Some(KeySource::Inline(Secret::new(text.replace("\\n", "\n"))))
    } else {
        Some(KeySource::File(resolve(base, text)))
    }
}

/// A path as given if it is absolute or exists, else relative to `base`.
pub(crate) fn resolve(base: &Path, p: &str) -> PathBuf {
    let p = PathBuf::from(p);
    if p.is_absolute() || p.exists() {
        p
    } else {
        base.join(p)
    }
}
