//! The fix catalog: `rules/fixes/*.yaml` (built in) plus `fixes/*.yaml`
//! under each `--rules DIR`, a later file replacing a fix of the same id.
//! Linted strictly: the kind must be a known recogniser, its safety must be
//! the kind's, every template it needs must be there and use only the
//! placeholders the kind fills, and every rule it names must exist.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::Safety;
use super::template::placeholders;
use crate::rules::RuleSet;
use crate::rules::load::{SourceFile, builtin_files, is_fix_file, read_dir_files};

/// A problem with a fix file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CatalogError {
    pub file: String,
    pub message: String,
}

/// One fix, as written in its YAML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixSpec {
    /// Equal to the file name.
    pub id: String,
    pub title: String,
    /// The recogniser that applies it (see [`KINDS`]).
    pub kind: String,
    pub safety: Safety,
    /// The remediation set (rules/remediations.yaml) it implements, if any.
    #[serde(default)]
    pub remediation: Option<String>,
    /// The rules whose findings it removes.
    #[serde(default)]
    pub fixes_rules: Vec<String>,
    /// Named templates (see [`KINDS`] for each kind's names and placeholders).
    #[serde(default)]
    pub templates: BTreeMap<String, String>,
    /// The file it came from (set on load).
    #[serde(skip)]
    pub origin: String,
}

/// A recogniser: its name, its safety, and for each template it reads, the
/// placeholders it fills.
pub struct Kind {
    pub name: &'static str,
    pub safety: Safety,
    pub templates: &'static [Template],
}

/// A template a kind reads and the placeholders it fills.
pub type Template = (&'static str, &'static [&'static str]);

/// The form shapes of the hand-rolled exchanges (fix/exchange.rs), shared
/// by their kinds: a map member, a `form.Set` call, a pair inside one
/// string, curl's `-F`/`-d` field; and the guessed scopes' comment.
const FORM_MEMBER: Template = ("form-member", &["q", "arrow", "sep", "scope"]);
const FORM_CALL: Template = (
    "form-call",
    &["object", "method", "semicolon", "indent", "scope"],
);
const FORM_STRING: Template = ("form-string", &["scope"]);
const FORM_FIELD: Template = ("form-field", &["flag", "scope"]);
const SCOPE_NOTE: Template = ("scope_note", &["metascopes"]);

/// A kind driven by fix/exchange.rs: code, so unsafe.
const fn exchange(name: &'static str, templates: &'static [Template]) -> Kind {
    Kind {
        name,
        safety: Safety::Unsafe,
        templates,
    }
}

/// Every recogniser, in the order they run on a file.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "console-workspace",
        safety: Safety::Safe,
        templates: &[
            ("integration_type", &[]),
            ("credential_key", &[]),
            ("manual", &[]),
        ],
    },
    Kind {
        name: "aio-json",
        safety: Safety::Safe,
        templates: &[
            ("secrets_field", &[]),
            ("scopes_field", &[]),
            ("drop_fields", &[]),
        ],
    },
    Kind {
        name: "aio-env",
        safety: Safety::Safe,
        templates: &[
            ("secrets_field", &[]),
            ("scopes_field", &[]),
            ("email_field", &[]),
            ("drop_fields", &[]),
            ("guess_comment", &["metascopes"]),
        ],
    },
    Kind {
        name: "wrapper-config",
        safety: Safety::Safe,
        templates: &[
            ("scopes_field", &[]),
            ("marker_fields", &[]),
            ("key_fields", &[]),
            ("metascope_fields", &[]),
            ("drop_fields", &[]),
            ("wrappers", &[]),
        ],
    },
    Kind {
        name: "properties-ini",
        safety: Safety::Safe,
        templates: &[
            ("extensions", &[]),
            ("drop_pattern", &[]),
            ("exclude_pattern", &[]),
            ("metascope_pattern", &[]),
            ("exchange_pattern", &[]),
            ("token_path", &[]),
            ("scopes_word", &[]),
            ("renames", &[]),
            ("guess_comment", &["metascopes"]),
        ],
    },
    Kind {
        name: "aio-apps-action",
        safety: Safety::Safe,
        templates: &[
            ("command", &[]),
            ("drop_inputs", &[]),
            ("email_input", &["suffix"]),
            ("scopes_input", &["suffix"]),
        ],
    },
    Kind {
        name: "workflow-env",
        safety: Safety::Safe,
        templates: &[("name_pattern", &[])],
    },
    Kind {
        name: "gitlab-variables",
        safety: Safety::Safe,
        templates: &[
            ("name_pattern", &[]),
            ("exclude_pattern", &[]),
            ("metascope_pattern", &[]),
            ("scopes_variable", &[]),
            ("secret_variable", &[]),
            ("guess_comment", &[]),
        ],
    },
    Kind {
        name: "user-sync",
        safety: Safety::Safe,
        templates: &[("line", &[]), ("drop_keys", &[])],
    },
    Kind {
        name: "node-jwt-auth",
        safety: Safety::Unsafe,
        templates: &[
            ("javascript", &["name"]),
            ("typescript", &["name"]),
            ("scopes_member", &["scopes"]),
            ("guess_comment", &["metascopes"]),
        ],
    },
    Kind {
        name: "python-exchange",
        safety: Safety::Unsafe,
        templates: &[
            (
                "python-requests",
                &[
                    "callee",
                    "indent",
                    "token_url",
                    "client_id",
                    "client_secret",
                    "scope",
                    "scope_note",
                    "extra_args",
                ],
            ),
            (
                "python-urllib",
                &[
                    "callee",
                    "indent",
                    "token_url",
                    "client_id",
                    "client_secret",
                    "scope",
                    "scope_note",
                    "extra_args",
                ],
            ),
            SCOPE_NOTE,
        ],
    },
    Kind {
        name: "aio-context-set",
        safety: Safety::Unsafe,
        templates: &[
            ("secrets_member", &["value"]),
            ("scopes_member", &["scopes"]),
            ("guess_comment", &["metascopes"]),
        ],
    },
    Kind {
        name: "umapi-jwtauth",
        safety: Safety::Unsafe,
        templates: &[("call", &["qualifier", "args"]), ("class", &[])],
    },
    Kind {
        name: "node-exchange",
        safety: Safety::Unsafe,
        templates: &[
            ("node-form-member", &["sep", "scope"]),
            (
                "node-form-append",
                &["object", "method", "semicolon", "indent", "scope"],
            ),
            SCOPE_NOTE,
        ],
    },
    Kind {
        name: "java-exchange",
        safety: Safety::Unsafe,
        templates: &[
            (
                "java-form",
                &["indent", "client_id", "client_secret", "scope"],
            ),
            ("java-form-pair", &["call", "sep", "scope"]),
            SCOPE_NOTE,
        ],
    },
    // The hand-rolled exchanges of fix/exchange.rs: the form shapes each
    // language's fix rewrites.
    exchange("shell-exchange", &[FORM_FIELD, FORM_STRING, SCOPE_NOTE]),
    exchange(
        "powershell-exchange",
        &[FORM_MEMBER, FORM_STRING, SCOPE_NOTE],
    ),
    exchange("php-exchange", &[FORM_MEMBER, FORM_STRING, SCOPE_NOTE]),
    exchange("go-exchange", &[FORM_MEMBER, FORM_CALL, SCOPE_NOTE]),
    exchange("ruby-exchange", &[FORM_MEMBER, FORM_STRING, SCOPE_NOTE]),
    exchange("csharp-exchange", &[FORM_MEMBER, SCOPE_NOTE]),
    Kind {
        name: "python-pins",
        safety: Safety::Safe,
        templates: &[("umapi_client", &[]), ("aanalytics2", &[])],
    },
    // Runs last: it needs to know what the other fixes left in the tree.
    Kind {
        name: "package-json",
        safety: Safety::Safe,
        templates: &[("packages", &[])],
    },
    // Runs after the code rewrites too: it drops a generic JWT library
    // only where no file of the manifest's project imports it any more.
    Kind {
        name: "jwt-library-deps",
        safety: Safety::Safe,
        templates: &[
            ("python", &[]),
            ("npm", &[]),
            ("composer", &[]),
            ("go", &[]),
            ("gem", &[]),
            ("maven", &[]),
        ],
    },
];

/// The fixes in force, in [`KINDS`] order (then by id).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub fixes: Vec<FixSpec>,
}

impl Catalog {
    /// The fix with this id.
    pub fn get(&self, id: &str) -> Option<&FixSpec> {
        self.fixes.iter().find(|f| f.id == id)
    }

    /// The fixes of a kind.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a FixSpec> + 'a {
        self.fixes.iter().filter(move |f| f.kind == kind)
    }
}

/// The built-in fix files.
pub fn builtin_sources() -> Vec<SourceFile> {
    builtin_files()
        .into_iter()
        .filter(|f| is_fix_file(&f.name))
        .collect()
}

/// Loads the built-in fixes (unless `no_builtin`) and those under each
/// `DIR/fixes/`, then lints them against `rules`.
pub fn load(
    dirs: &[PathBuf],
    no_builtin: bool,
    rules: &RuleSet,
) -> Result<Catalog, Vec<CatalogError>> {
    let mut layers = Vec::new();
    if !no_builtin {
        layers.push(builtin_sources());
    }
    let mut errors = Vec::new();
    for d in dirs {
        let fixes = d.join(crate::rules::load::FIXES_DIR);
        if fixes.is_dir() {
            match read_dir_files(&fixes) {
                Ok(files) => layers.push(files),
                Err(e) => errors.push(CatalogError {
                    file: e.file,
                    message: e.message,
                }),
            }
        }
    }
    let catalog = load_layers(layers, rules, &mut errors);
    if errors.is_empty() {
        Ok(catalog)
    } else {
        Err(errors)
    }
}

/// Parses and lints layers of fix files; later layers replace fixes by id.
pub fn load_layers(
    layers: Vec<Vec<SourceFile>>,
    rules: &RuleSet,
    errors: &mut Vec<CatalogError>,
) -> Catalog {
    let mut by_id: BTreeMap<String, FixSpec> = BTreeMap::new();
    for layer in layers {
        for file in layer {
            match serde_saphyr::from_str::<FixSpec>(&file.contents) {
                Ok(mut spec) => {
                    spec.origin = file.name.clone();
                    let before = errors.len();
                    lint(&spec, rules, errors);
                    if errors.len() == before {
                        by_id.insert(spec.id.clone(), spec);
                    }
                }
                Err(e) => errors.push(CatalogError {
                    file: file.name.clone(),
                    message: crate::redact::redact_message(
                        e.without_snippet().to_string().lines().next().unwrap_or(""),
                    )
                    .into_owned(),
                }),
            }
        }
    }
    let mut fixes: Vec<FixSpec> = by_id.into_values().collect();
    fixes.sort_by_key(|f| (KINDS.iter().position(|k| k.name == f.kind), f.id.clone()));
    Catalog { fixes }
}

/// Checks one fix against its kind and the rules.
pub fn lint(spec: &FixSpec, rules: &RuleSet, errors: &mut Vec<CatalogError>) {
    let mut err = |message: String| {
        errors.push(CatalogError {
            file: spec.origin.clone(),
            message: format!("fix `{}`: {message}", spec.id),
        });
    };
    let stem = spec
        .origin
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&spec.origin)
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml");
    if stem != spec.id {
        err(format!("id must equal the file name ({stem:?})"));
    }
    let Some(kind) = KINDS.iter().find(|k| k.name == spec.kind) else {
        let known: Vec<_> = KINDS.iter().map(|k| k.name).collect();
        err(format!(
            "unknown kind {:?} (known: {})",
            spec.kind,
            known.join(", ")
        ));
        return;
    };
    if spec.safety != kind.safety {
        err(format!(
            "kind {} is {:?}, not {:?}: code rewrites are unsafe, config edits safe",
            kind.name, kind.safety, spec.safety
        ));
    }
    for (name, allowed) in kind.templates {
        match spec.templates.get(*name) {
            None => err(format!("missing template `{name}`")),
            Some(t) => {
                for p in placeholders(t) {
                    if !allowed.contains(&p.as_str()) {
                        err(format!(
                            "template `{name}`: unknown placeholder {{{{{p}}}}} (allowed: {})",
                            allowed.join(", ")
                        ));
                    }
                }
            }
        }
    }
    for name in spec.templates.keys() {
        if !kind.templates.iter().any(|(n, _)| n == name) {
            err(format!(
                "template `{name}` is not used by kind {}",
                kind.name
            ));
        }
    }
    for r in &spec.fixes_rules {
        if rules.get(r).is_none() {
            err(format!("fixes_rules: unknown rule {r:?}"));
        }
    }
    if let Some(set) = &spec.remediation
        && !rules.remediations.contains_key(set)
    {
        err(format!("unknown remediation set {set:?}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin_rules() -> RuleSet {
        crate::rules::load(&[], false).expect("built-in rules load")
    }

    #[test]
    fn builtin_catalog_lints_clean_and_covers_every_kind() {
        let rules = builtin_rules();
        let catalog = load(&[], false, &rules).expect("built-in fixes lint clean");
        for k in KINDS {
            assert!(
                catalog.of_kind(k.name).next().is_some(),
                "no built-in fix of kind {}",
                k.name
            );
        }
    }

    #[test]
    fn lint_names_the_problem() {
        let rules = builtin_rules();
        let file = SourceFile {
            name: "team/fixes/bad-fix.yaml".into(),
            contents: "id: bad-fix\ntitle: t\nkind: node-jwt-auth\nsafety: safe\n\
                       fixes_rules: [no-such-rule]\ntemplates:\n  javascript: '{{nope}}'\n"
                .into(),
        };
        let mut errors = Vec::new();
        let c = load_layers(vec![vec![file]], &rules, &mut errors);
        assert!(c.fixes.is_empty());
        let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let joined = all.join("\n");
        for want in [
            "not Safe",
            "missing template `typescript`",
            "unknown placeholder {{nope}}",
            "unknown rule \"no-such-rule\"",
        ] {
            assert!(joined.contains(want), "{want} not in:\n{joined}");
        }
        assert!(
            all.iter()
                .all(|e| e.starts_with("team/fixes/bad-fix.yaml: fix `bad-fix`"))
        );
    }

    /// Every built-in fix file cut at each line loads whole or gives
    /// errors naming the file; nothing panics, no fix half-loads.
    #[test]
    fn half_written_fix_files_name_their_file() {
        let rules = builtin_rules();
        for file in builtin_sources() {
            let whole = load_layers(vec![vec![file.clone()]], &rules, &mut Vec::new());
            for (at, _) in file.contents.match_indices('\n') {
                let cut = SourceFile {
                    name: file.name.clone(),
                    contents: file.contents[..at].to_string(),
                };
                let mut errors = Vec::new();
                let c = load_layers(vec![vec![cut]], &rules, &mut errors);
                if c.fixes.is_empty() {
                    assert!(!errors.is_empty(), "{} cut at {at}: vanished", file.name);
                    assert!(errors.iter().all(|e| e.file == file.name));
                } else {
                    assert_eq!(c.fixes.len(), whole.fixes.len());
                }
            }
        }
    }

    #[test]
    fn fix_files_are_not_rules() {
        assert!(is_fix_file("rules/fixes/node-jwt-auth-fetch.yaml"));
        assert!(!is_fix_file("rules/jwt-exchange-endpoint.yaml"));
        assert!(!builtin_sources().is_empty());
    }
}
