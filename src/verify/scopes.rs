//! Whether an OAuth token's scopes cover what the JWT credential's
//! metascopes granted, judged on the observed table in [`crate::ims::scopes`].

use crate::ims::metascope_name;
use crate::ims::scopes::expected_scopes;

/// Coverage of the metascopes by a token's scopes.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    /// Metascopes whose observed scopes are all in the token.
    pub covered: Vec<String>,
    /// Metascopes with scopes missing from the token, with the missing scopes.
    pub missing: Vec<(String, Vec<String>)>,
    /// Metascopes with no known mapping (not judged).
    pub unknown: Vec<String>,
}

/// Which metascopes `token_scopes` covers.
pub fn coverage(meta_scopes: &[String], token_scopes: &[String]) -> Coverage {
    let mut c = Coverage::default();
    for m in meta_scopes {
        let name = metascope_name(m).to_string();
        match expected_scopes(&name) {
            None => c.unknown.push(name),
            Some(want) => {
                let missing: Vec<String> = want
                    .iter()
                    .filter(|w| !token_scopes.iter().any(|t| t == *w))
                    .map(|w| (*w).to_string())
                    .collect();
                if missing.is_empty() {
                    c.covered.push(name);
                } else {
                    c.missing.push((name, missing));
                }
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_string()).collect()
    }

    #[test]
    fn user_management_is_covered_by_its_observed_scopes() {
        let c = coverage(
            &v(&["ent_user_sdk"]),
            &v(&["openid", "AdobeID", "user_management_sdk"]),
        );
        assert_eq!(c.covered, ["ent_user_sdk"]);
        assert!(c.missing.is_empty());
    }

    #[test]
    fn missing_scopes_and_unknown_metascopes_are_reported() {
        let c = coverage(
            &v(&[
                "https://ims-na1.adobelogin.com/s/ent_campaign_sdk",
                "ent_gdpr_sdk",
            ]),
            &v(&["openid", "AdobeID"]),
        );
        assert_eq!(c.missing.len(), 1);
        assert!(c.missing[0].1.contains(&"campaign_sdk".to_string()));
        assert_eq!(c.unknown, ["ent_gdpr_sdk"]);
    }
}
