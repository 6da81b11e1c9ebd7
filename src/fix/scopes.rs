//! Where the new credential's OAuth scopes come from: `--scopes LIST`, else
//! the `oauth_server_to_server` block of a Developer Console JSON in the
//! tree, else the observed metascope-to-scope table (Adobe publishes none),
//! in which case they are guesses: marked so in the file where the syntax
//! allows a comment, and listed as a manual step.

use crate::ims::scopes::expected_scopes;

/// Where the scopes of a run come from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum Source {
    /// `--scopes`.
    Flag,
    /// A Console JSON's `oauth_server_to_server` block.
    Console { path: String },
    /// Guessed per file from its metascopes.
    Observed,
}

/// The scopes for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub scopes: Vec<String>,
    /// True when taken from the observed table.
    pub guessed: bool,
    /// Metascopes with no observed mapping (their scopes are unknown).
    pub unmapped: Vec<String>,
}

impl Choice {
    /// The manual step a guessed (or unknown) choice needs.
    pub fn manual_step(&self, metascopes: &[String]) -> Option<String> {
        if !self.unmapped.is_empty() {
            Some(format!(
                "no observed OAuth scopes for metascope {}: copy the scopes from the new credential's \
                 Scopes tab (or rerun with --scopes LIST)",
                self.unmapped.join(", ")
            ))
        } else if self.guessed {
            Some(format!(
                "check the scopes (guessed from metascope {}) against the credential's Scopes tab",
                metascopes.join(", ")
            ))
        } else {
            None
        }
    }
}

/// An `oauth_server_to_server` block of a Console JSON in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleBlock {
    pub path: String,
    pub client_id: String,
    pub scopes: Vec<String>,
}

/// Resolves scopes for the files of a run.
#[derive(Debug, Clone)]
pub struct Resolver {
    flag: Option<Vec<String>>,
    console: Vec<ConsoleBlock>,
    pub source: Source,
}

impl Resolver {
    /// From `--scopes` (empty: none given) and the Console JSONs' OAuth
    /// blocks found in the tree.
    pub fn new(flag: &[String], console: Vec<ConsoleBlock>) -> Self {
        let console: Vec<ConsoleBlock> = console
            .into_iter()
            .filter(|c| !c.scopes.is_empty())
            .collect();
        let source = if !flag.is_empty() {
            Source::Flag
        } else if let Some(c) = console.first() {
            Source::Console {
                path: c.path.clone(),
            }
        } else {
            Source::Observed
        };
        Resolver {
            flag: (!flag.is_empty()).then(|| flag.to_vec()),
            console,
            source,
        }
    }

    /// The scopes for a file whose JWT credential has these metascopes.
    pub fn for_metascopes(&self, metascopes: &[String]) -> Choice {
        self.for_client(None, metascopes)
    }

    /// The scopes for a credential (its client id when the file names it):
    /// `--scopes`; else the Console block of the same client id, or the only
    /// one in the tree when the file names no client id; else observed.
    pub fn for_client(&self, client_id: Option<&str>, metascopes: &[String]) -> Choice {
        let console = match client_id {
            Some(id) => self.console.iter().find(|c| c.client_id == id),
            None if self.console.len() == 1 => self.console.first(),
            None => None,
        };
        if let Some(s) = self.flag.as_ref().or(console.map(|c| &c.scopes)) {
            return Choice {
                scopes: s.clone(),
                guessed: false,
                unmapped: Vec::new(),
            };
        }
        let mut scopes: Vec<String> = Vec::new();
        let mut unmapped = Vec::new();
        for m in metascopes {
            let name = m.rsplit('/').next().unwrap_or(m);
            match expected_scopes(name) {
                Some(list) => {
                    for s in list {
                        if !scopes.iter().any(|x| x == s) {
                            scopes.push((*s).to_string());
                        }
                    }
                }
                None => unmapped.push(name.to_string()),
            }
        }
        Choice {
            scopes,
            guessed: true,
            unmapped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_then_console_then_observed() {
        let m = vec!["ent_user_sdk".to_string()];
        let block = || {
            vec![ConsoleBlock {
                path: "c.json".into(),
                client_id: "abc".into(),
                scopes: vec!["b".into()],
            }]
        };
        let flag = Resolver::new(&["a".into()], block());
        assert_eq!(flag.for_metascopes(&m).scopes, ["a"]);
        let console = Resolver::new(&[], block());
        assert_eq!(console.for_client(Some("abc"), &m).scopes, ["b"]);
        assert!(!console.for_metascopes(&m).guessed);
        assert!(console.for_client(Some("other"), &m).guessed);
        let observed = Resolver::new(&[], Vec::new()).for_metascopes(&m);
        assert_eq!(
            observed.scopes,
            ["openid", "AdobeID", "user_management_sdk"]
        );
        assert!(observed.guessed && observed.manual_step(&m).is_some());
        let unknown = Resolver::new(&[], Vec::new()).for_metascopes(&["ent_gdpr_sdk".into()]);
        assert_eq!(unknown.unmapped, ["ent_gdpr_sdk"]);
    }
}
