//! `jwt2oauth fix`: rewrite what `scan` finds into the OAuth
//! Server-to-Server form.
//!
//! Fixes are data: each one is a YAML file under `rules/fixes/`
//! ([`catalog`]) naming the recogniser it drives (its `kind`), whether it is
//! safe (config, env, CI: on by default) or unsafe (code: only with
//! `--unsafe`), and the text templates it writes ([`template`]). The
//! recognisers live one per concern: [`console`], [`aio_env`], [`aio_json`],
//! [`wrapper_config`], [`properties`], [`workflow`], [`gitlab`], [`ust`], [`package_json`], [`deps`] (with its `python` and `entries`), [`node`], [`node_exchange`], [`aio_context`], [`python`], [`umapi`], [`java`],
//! and through one driver ([`exchange`]) [`shell`], [`powershell`], [`php`], [`go`], [`ruby`], [`csharp`]
//! (the code rewrites share [`code`]'s lexing and [`block`]'s statements). A shape a
//! recogniser does not know is never half-rewritten: it becomes a
//! [`ManualStep`] pointing at the remediation.
//!
//! [`plan`] scans the roots, runs the fixers and rescans every fixed text
//! (what is left becomes a manual step); [`diff`] renders the plan as a
//! redacted unified diff; [`apply`] writes it atomically; [`report`] gives it
//! as JSON; [`sarif`] gives its safe changes as SARIF `fixes` for `scan`.

pub mod aio_context;
pub mod aio_env;
pub mod aio_json;
pub mod apply;
pub mod block;
pub mod catalog;
pub mod code;
pub mod console;
pub mod csharp;
pub mod deps;
pub mod diff;
pub mod exchange;
pub mod gitlab;
pub mod go;
pub mod java;
pub mod jsonspan;
pub mod node;
pub mod node_exchange;
pub mod package_json;
pub mod php;
pub mod pins;
pub mod plan;
pub mod powershell;
pub mod properties;
pub mod python;
pub mod report;
pub mod ruby;
pub mod sarif;
pub mod scopes;
pub mod shell;
pub mod template;
pub mod text;
pub mod tree;
pub mod umapi;
pub mod ust;
pub mod workflow;
pub mod wrapper_config;

use serde::Serialize;

/// Whether a fix runs by default (config, env, CI) or only with `--unsafe`
/// (code: it changes behaviour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    Safe,
    Unsafe,
}

/// Something `fix` cannot do for the user, at a file and line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ManualStep {
    /// The path as `scan` reports it.
    pub path: String,
    /// 1-based; in the fixed text when the file was changed.
    pub line: u32,
    /// What to do.
    pub step: String,
}

/// What one fixer made of one file.
#[derive(Debug)]
pub enum Attempt {
    /// The fixer does not apply to this file.
    NotApplicable,
    /// The new text and the steps it leaves to the user (lines in the new text).
    Rewritten {
        text: String,
        manual: Vec<(u32, String)>,
    },
    /// The file has the fixer's subject in a shape it does not know.
    Unrecognised(String),
}

/// What a fixer is given besides the file's text.
pub struct FixCtx<'a> {
    /// The file's reported path.
    pub path: &'a str,
    /// The fix being applied (templates).
    pub fix: &'a catalog::FixSpec,
    /// Where scopes come from.
    pub scopes: &'a scopes::Resolver,
}

impl FixCtx<'_> {
    /// A template of this fix (lint guarantees the names a kind uses exist).
    pub fn template(&self, name: &str) -> &str {
        self.fix.templates.get(name).map_or("", String::as_str)
    }
}

/// What the fixers' unit tests share: a fix file's spec run over `text`
/// with `--scopes` given as `flag`, and the rewritten text and manual steps.
#[cfg(test)]
pub(crate) mod testing {
    use super::catalog::FixSpec;
    use super::scopes::Resolver;
    use super::{Attempt, FixCtx};

    /// Runs `fix` (a fixer's entry point) with the spec of `fix_yaml` (the
    /// text of a file under `rules/fixes/`).
    pub fn run(
        fix_yaml: &str,
        fix: impl Fn(&FixCtx<'_>, &str) -> Attempt,
        path: &str,
        text: &str,
        flag: &[&str],
    ) -> Attempt {
        let spec: FixSpec = serde_saphyr::from_str(fix_yaml).expect("fix file parses");
        let flag: Vec<String> = flag.iter().map(|s| (*s).to_string()).collect();
        let scopes = Resolver::new(&flag, Vec::new());
        fix(
            &FixCtx {
                path,
                fix: &spec,
                scopes: &scopes,
            },
            text,
        )
    }

    pub fn rewritten(a: Attempt) -> (String, Vec<(u32, String)>) {
        match a {
            Attempt::Rewritten { text, manual } => (text, manual),
            other => panic!("not rewritten: {other:?}"),
        }
    }
}
