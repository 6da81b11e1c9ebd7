//! Structural view of config files: JSON, YAML, TOML, .env and
//! .properties/.ini flattened into (key path, key position, scalar value)
//! entries, so that a rule can say "key path X exists / has a value matching
//! Y" and the finding points at the key's line.
//!
//! YAML goes through `saphyr-parser`'s event stream: no tree is built and
//! aliases are never expanded, so an alias bomb costs nothing. JSON has its
//! own parser (`json.rs`) feeding the same frame stack, so that a file
//! `JSON.parse` accepts parses and errors speak JSON. TOML goes through `toml-span`, which keeps byte spans.
//! `.env` and `.properties`/`.ini` are line formats parsed here directly.

use saphyr_parser::{Event, Parser};

pub use super::flat::{Entry, FlattenError, MAX_DEPTH, MAX_ENTRIES, MAX_PATH_SEGMENTS};
use super::flat::{Frame, advance, node, too_complex};
pub use super::keypath::{KeyPattern, KeyPatternError};

/// A config format the structural matchers understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    Toml,
    Env,
    Properties,
}

/// The format of a file, from its name.
pub fn format_of(path: &str) -> Option<Format> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if name == ".env" || name.starts_with(".env.") || ext == "env" {
        return Some(Format::Env);
    }
    match ext {
        "json" | "jsonc" | "json5" | "postman_collection" | "postman_environment" => {
            Some(Format::Json)
        }
        "yaml" | "yml" => Some(Format::Yaml),
        "toml" => Some(Format::Toml),
        "properties" | "ini" | "cfg" | "conf" => Some(Format::Properties),
        _ => None,
    }
}

/// Flattens `text` in `format`, or says why it could not be parsed (with the
/// line when the parser gives one).
pub fn flatten(format: Format, text: &str) -> Result<Vec<Entry>, FlattenError> {
    match format {
        Format::Json => super::json::flatten_json(text),
        Format::Yaml => flatten_yaml(text),
        Format::Toml => flatten_toml(text),
        Format::Env => Ok(flatten_lines(text, false)),
        Format::Properties => Ok(flatten_lines(text, true)),
    }
}

/// Converts saphyr's character indices to byte offsets in constant time
/// per lookup: identity for ASCII text, else a checkpoint every
/// [`CHECKPOINT`] characters and a short walk from it. (Walking from the line
/// start for every event was quadratic on a minified one-line file.)
struct Offsets<'t> {
    text: &'t str,
    /// Byte offset of character `i * CHECKPOINT`; empty for ASCII text.
    checkpoints: Vec<usize>,
}

const CHECKPOINT: usize = 64;

impl<'t> Offsets<'t> {
    fn new(text: &'t str) -> Offsets<'t> {
        let checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(CHECKPOINT)
                .map(|(i, _)| i)
                .collect()
        };
        Offsets { text, checkpoints }
    }

    /// The byte offset of character `index` (the text's length past its end).
    fn byte(&self, index: usize) -> usize {
        if self.checkpoints.is_empty() {
            return index.min(self.text.len());
        }
        let Some(&base) = self.checkpoints.get(index / CHECKPOINT) else {
            return self.text.len();
        };
        let rest = &self.text[base..];
        base + rest
            .char_indices()
            .nth(index % CHECKPOINT)
            .map_or(rest.len(), |(i, _)| i)
    }
}

fn flatten_yaml(text: &str) -> Result<Vec<Entry>, FlattenError> {
    let offsets = Offsets::new(text);
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut segments = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| FlattenError::Syntax(e.to_string()))?;
        let start = offsets.byte(span.start.index());
        let end = offsets.byte(span.end.index()).max(start);
        let pushed = out.len();
        match event {
            Event::DocumentStart(_) => stack.clear(),
            Event::Scalar(value, ..) => node(&mut stack, &mut out, Some(value), start, end, None)?,
            Event::Alias(_) => node(&mut stack, &mut out, None, start, end, None)?,
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_map = matches!(event, Event::MappingStart(..));
                node(&mut stack, &mut out, None, start, end, Some(is_map))?;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                advance(&mut stack);
            }
            _ => {}
        }
        segments += out[pushed..].iter().map(|e| e.path.len()).sum::<usize>();
        if out.len() > MAX_ENTRIES || segments > MAX_PATH_SEGMENTS {
            return Err(too_complex());
        }
    }
    Ok(out)
}

fn flatten_toml(text: &str) -> Result<Vec<Entry>, FlattenError> {
    let value = toml_span::parse(text).map_err(|e| {
        let (line, col) = e.line_info.map_or((0, 0), |(l, c)| (l + 1, c + 1));
        FlattenError::Syntax(format!("{} at line {line} column {col}", e.kind))
    })?;
    let mut walk = TomlWalk::default();
    walk.value(&value, (value.span.start, value.span.end))?;
    Ok(walk.out)
}

/// Flattens a parsed TOML document within the same budgets as YAML.
#[derive(Default)]
struct TomlWalk {
    path: Vec<String>,
    out: Vec<Entry>,
    segments: usize,
}

impl TomlWalk {
    fn value(
        &mut self,
        value: &toml_span::Value<'_>,
        key_span: (usize, usize),
    ) -> Result<(), FlattenError> {
        if self.path.len() > MAX_DEPTH {
            return Err(FlattenError::TooDeep);
        }
        if !self.path.is_empty() {
            let scalar = value
                .as_str()
                .map(str::to_string)
                .or_else(|| value.as_integer().map(|i| i.to_string()))
                .or_else(|| value.as_bool().map(|b| b.to_string()))
                .or_else(|| value.as_float().map(|f| f.to_string()));
            self.segments += self.path.len();
            if self.out.len() >= MAX_ENTRIES || self.segments > MAX_PATH_SEGMENTS {
                return Err(too_complex());
            }
            self.out.push(Entry {
                path: self.path.clone(),
                start: key_span.0,
                end: key_span.1,
                value: scalar,
            });
        }
        if let Some(table) = value.as_table() {
            for (k, v) in table {
                self.path.push(k.name.to_string());
                self.value(v, (k.span.start, k.span.end))?;
                self.path.pop();
            }
        } else if let Some(items) = value.as_array() {
            for (i, v) in items.iter().enumerate() {
                self.path.push(i.to_string());
                self.value(v, (v.span.start, v.span.end))?;
                self.path.pop();
            }
        }
        Ok(())
    }
}

/// `.env` (`KEY=value`, optional `export`) and `.properties`/`.ini`
/// (`key = value` or `key: value`, `[section]` headers, `#`/`;`/`!`
/// comments). Keys of properties are split on `.` into path segments.
fn flatten_lines(text: &str, properties: bool) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut section: Vec<String> = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || (properties && (trimmed.starts_with(';') || trimmed.starts_with('!')))
        {
            continue;
        }
        if properties && trimmed.starts_with('[') && trimmed.trim_end().ends_with(']') {
            let name = trimmed
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .trim();
            section = vec![name.to_string()];
            continue;
        }
        let body = if !properties {
            trimmed.strip_prefix("export ").unwrap_or(trimmed)
        } else {
            trimmed
        };
        let skipped = trimmed.len() - body.len();
        let seps: &[char] = if properties { &['=', ':'] } else { &['='] };
        let Some(eq) = body.find(seps) else { continue };
        let key = body[..eq].trim_end();
        if key.is_empty() {
            continue;
        }
        let value = unquote(body[eq + 1..].trim());
        let start = line_start + indent + skipped;
        let mut path = section.clone();
        if properties {
            path.extend(key.split('.').map(str::to_string));
        } else {
            path.push(key.to_string());
        }
        out.push(Entry {
            path,
            start,
            end: start + key.len(),
            value: Some(value.to_string()),
        });
    }
    out
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(entries: &[Entry]) -> Vec<String> {
        entries.iter().map(|e| e.path.join(".")).collect()
    }

    #[test]
    fn json_keys_have_their_own_lines() {
        let text = "{\n  \"project\": {\n    \"creds\": [\n      { \"jwt\": { \"meta_scopes\": [\"ent_user_sdk\"] } }\n    ]\n  }\n}\n";
        let e = flatten(Format::Json, text).expect("parses");
        assert_eq!(
            paths(&e),
            [
                "project",
                "project.creds",
                "project.creds.0",
                "project.creds.0.jwt",
                "project.creds.0.jwt.meta_scopes",
                "project.creds.0.jwt.meta_scopes.0"
            ]
        );
        let ms = &e[4];
        assert_eq!(&text[ms.start..ms.end], "\"meta_scopes\"");
        assert_eq!(e[5].value.as_deref(), Some("ent_user_sdk"));
    }

    #[test]
    fn yaml_block_style_and_alias_bombs() {
        let text = "enterprise:\n  tech_acct_id: x@techacct.adobe.com\n  priv_key_path: 'private.key'\nlist:\n  - a\n  - b: 1\n";
        let e = flatten(Format::Yaml, text).expect("parses");
        assert_eq!(
            paths(&e),
            [
                "enterprise",
                "enterprise.tech_acct_id",
                "enterprise.priv_key_path",
                "list",
                "list.0",
                "list.1",
                "list.1.b"
            ]
        );
        assert_eq!(&text[e[2].start..e[2].end], "priv_key_path");
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        assert!(flatten(Format::Yaml, bomb).expect("parses").len() < 50);
        assert!(flatten(Format::Yaml, "a: [unclosed\n").is_err());
    }

    #[test]
    fn toml_env_and_properties() {
        let t = "[adobe]\ntechnical_account_id = \"x@techacct.adobe.com\"\n";
        let e = flatten(Format::Toml, t).expect("parses");
        assert_eq!(paths(&e), ["adobe", "adobe.technical_account_id"]);
        assert_eq!(&t[e[1].start..e[1].end], "technical_account_id");
        assert!(flatten(Format::Toml, "a = = 1").is_err_and(|m| m.to_string().contains("line 1")));
        let env = "# c\nexport META_SCOPES=\"ent_user_sdk\"\n  KEY = v\n";
        let e = flatten(Format::Env, env).expect("parses");
        assert_eq!(paths(&e), ["META_SCOPES", "KEY"]);
        assert_eq!(e[0].value.as_deref(), Some("ent_user_sdk"));
        assert_eq!(&env[e[1].start..e[1].end], "KEY");
        let p = "[jwt]\nims.exchange: https://x\n; c\n";
        assert_eq!(
            paths(&flatten(Format::Properties, p).expect("parses")),
            ["jwt.ims.exchange"]
        );
    }

    /// Offsets stay exact past many multi-byte characters on one line (the
    /// checkpoint table), and far into a long ASCII line.
    #[test]
    fn offsets_on_long_non_ascii_lines() {
        let text = format!(
            "{{\"a\": \"{}\", \"meta_scopes\": [\"ent_user_sdk\"], \"z\": \"{}\"}}",
            "é€".repeat(300),
            "x".repeat(5000)
        );
        let e = flatten(Format::Json, &text).expect("parses");
        assert_eq!(&text[e[1].start..e[1].end], "\"meta_scopes\"");
        assert_eq!(&text[e[3].start..e[3].end], "\"z\"");
        let ascii = format!("{{\"a\": \"{}\", \"b\": 1}}", "x".repeat(10_000));
        let e = flatten(Format::Json, &ascii).expect("parses");
        assert_eq!(&ascii[e[1].start..e[1].end], "\"b\"");
    }

    /// Deep paths times many keys are refused instead of using gigabytes.
    #[test]
    fn path_segment_budget() {
        let keys: Vec<String> = (0..10_000).map(|i| format!("k{i}: 1")).collect();
        let deep = format!(
            "{}{{{}}}{}",
            "{a: ".repeat(250),
            keys.join(", "),
            "}".repeat(250)
        );
        let err = flatten(Format::Yaml, &deep).expect_err("too complex");
        assert_eq!(err, FlattenError::TooComplex);
        assert!(
            err.to_string().contains("not analysed structurally"),
            "{err}"
        );
        let toml_keys: Vec<String> = (0..25_000).map(|i| format!("k{i} = 1")).collect();
        let toml = format!("[{}]\n{}\n", vec!["a"; 100].join("."), toml_keys.join("\n"));
        let err = flatten(Format::Toml, &toml).expect_err("too complex");
        assert_eq!(err, FlattenError::TooComplex);
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(format_of("a/.env.local"), Some(Format::Env));
        assert_eq!(format_of("x.postman_environment.json"), Some(Format::Json));
        assert_eq!(format_of("c.INI"), Some(Format::Properties));
        assert_eq!(format_of("a.js"), None);
    }
}
