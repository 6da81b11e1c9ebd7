//! Who owns what the old credential made. API calls run as the credential's
//! technical account user, and "assets such as Segments and Calculated
//! Metrics created through the API using this integration are owned by this
//! technical account user" (Adobe's Analytics authentication guide). The
//! Console's "Add equivalent OAuth Server-to-Server credential" keeps the
//! technical account; a new credential gets a new one, and with it none of
//! the old one's assets. Pure: compares the accounts the credentials and
//! tokens name.

use serde::Serialize;

use super::flow::FlowResult;
use super::token_claims::TokenClaims;

/// Two different technical accounts, and what follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ownership {
    /// The JWT credential's technical account (the old owner).
    pub old_technical_account: String,
    /// The OAuth credential's technical account.
    pub new_technical_account: String,
    /// What this means, for humans.
    pub warning: String,
}

/// Compares the accounts: the tokens' `user_id` when issued, else what the
/// credentials say. `None` when they match or either is unknown.
pub fn detect(
    jwt_account: Option<&str>,
    jwt: &FlowResult,
    oauth_account: Option<&str>,
    oauth: &FlowResult,
) -> Option<Ownership> {
    // Compared as IMS sent them, shown cleaned.
    let from_token = |c: &Option<TokenClaims>| c.as_ref().and_then(|c| c.user_id.clone());
    let side = |r: &FlowResult, account: Option<&str>| {
        let raw = from_token(&r.raw_claims).or_else(|| account.map(str::to_string))?;
        let shown = from_token(&r.claims).or_else(|| account.map(str::to_string))?;
        Some((raw, shown))
    };
    let (old_raw, old) = side(jwt, jwt_account)?;
    let (new_raw, new) = side(oauth, oauth_account)?;
    if old_raw.trim().eq_ignore_ascii_case(new_raw.trim()) {
        return None;
    }
    let warning = format!(
        "the OAuth credential runs as technical account {new}, not the JWT credential's {old}: \
         it is a new credential, not \"Add equivalent OAuth Server-to-Server credential\". \
         Segments and calculated metrics created through the API belong to the old technical \
         account user, and the new one does not see them: share them with the new technical \
         account user in Adobe Analytics, or migrate with the equivalent credential in the \
         Developer Console, which keeps the technical account"
    );
    Some(Ownership {
        old_technical_account: old,
        new_technical_account: new,
        warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::flow::Flow;
    use crate::verify::token_claims::TokenClaims;

    fn with_user(flow: Flow, user: Option<&str>) -> FlowResult {
        let mut r = FlowResult::skipped(flow, "");
        let claims = user.map(|u| TokenClaims {
            user_id: Some(u.into()),
            ..TokenClaims::default()
        });
        r.set_claims(claims, &crate::verify::scrub::Scrubber::new());
        r
    }

    #[test]
    fn the_same_account_in_any_case_is_no_warning() {
        let j = with_user(Flow::Jwt, Some("AAA@techacct.adobe.com"));
        let o = with_user(Flow::Oauth, Some("aaa@TECHACCT.adobe.com"));
        assert_eq!(detect(None, &j, None, &o), None);
    }

    #[test]
    fn tokens_win_over_credentials_and_the_warning_says_what_to_do() {
        let j = with_user(Flow::Jwt, Some("OLD@techacct.adobe.com"));
        let o = with_user(Flow::Oauth, Some("NEW@techacct.adobe.com"));
        let w = detect(Some("X"), &j, Some("X"), &o).expect("differs");
        assert_eq!(w.old_technical_account, "OLD@techacct.adobe.com");
        assert_eq!(w.new_technical_account, "NEW@techacct.adobe.com");
        assert!(
            w.warning.contains("Segments and calculated metrics"),
            "{}",
            w.warning
        );
        assert!(w.warning.contains("share them"), "{}", w.warning);
        assert!(w.warning.contains("equivalent credential"), "{}", w.warning);
    }

    #[test]
    fn a_retired_jwt_falls_back_to_the_credential_and_unknown_is_silent() {
        let j = with_user(Flow::Jwt, None);
        let o = with_user(Flow::Oauth, Some("NEW@techacct.adobe.com"));
        let w = detect(Some("OLD@techacct.adobe.com"), &j, None, &o).expect("differs");
        assert_eq!(w.old_technical_account, "OLD@techacct.adobe.com");
        assert_eq!(detect(None, &j, None, &o), None);
    }
}
