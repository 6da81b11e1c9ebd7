//! What jwt2oauth knows about Adobe IMS, in one place (docs/adobe-ims.md):
//! the production base URL, the endpoints of both flows, the shapes of the
//! JWT's claims and identifiers, metascope names, and the observed
//! metascope-to-scope table ([`scopes`]). Detection, `verify`, the outputs
//! and the emulator read these; this module imports nothing of the crate.

pub mod scopes;

/// The production IMS base URL (no trailing slash).
pub const ADOBE_IMS: &str = "https://ims-na1.adobelogin.com";

/// The JWT exchange (docs/adobe-ims.md §1), the path `verify` posts to.
pub const EXCHANGE_JWT: &str = "/ims/exchange/jwt";
/// Every path the JWT exchange is served on: with a trailing slash, and the
/// `v1` path adobe/ims-go uses (§1).
pub const EXCHANGE_JWT_PATHS: [&str; 3] =
    [EXCHANGE_JWT, "/ims/exchange/jwt/", "/ims/exchange/v1/jwt"];
/// The prefix every JWT exchange path starts with.
pub const EXCHANGE_PREFIX: &str = "/ims/exchange/";
/// The OAuth Server-to-Server token endpoint (§2), the path `verify` posts to.
pub const TOKEN_V3: &str = "/ims/token/v3";
/// Both token endpoints in use (§2).
pub const TOKEN_PATHS: [&str; 2] = [TOKEN_V3, "/ims/token/v2"];
/// The prefix every token path starts with.
pub const TOKEN_PREFIX: &str = "/ims/token/";
/// The prefix of every IMS path.
pub const IMS_PREFIX: &str = "/ims/";
/// Token validation.
pub const VALIDATE_TOKEN: &str = "/ims/validate_token/v1";
/// The token owner's profile.
pub const PROFILE: &str = "/ims/profile/v1";

/// An org id ends with this (`<ORG>@AdobeOrg`, the JWT's `iss`).
pub const ORG_SUFFIX: &str = "@AdobeOrg";
/// A technical account id ends with this (the JWT's `sub`).
pub const TECHACCT_SUFFIX: &str = "@techacct.adobe.com";

/// The Cloud Manager API's metascope (an AEM integration, migrated like any
/// other: §6).
pub const CLOUD_MANAGER_METASCOPE: &str = "ent_cloudmgr_sdk";
/// A regex alternation of metascope names: `ent_*_sdk` and the few named
/// otherwise (§1, §6).
pub const METASCOPE_NAMES: &str =
    "ent_[a-z][a-z0-9_]*_sdk|ent_aemforms_docprocessing|asset_compute_meta|ent_aem_cloud_api";

/// The JWT's `aud` claim on `base` (no trailing slash): `<base>/c/<client_id>`.
pub fn aud_claim(base: &str, client_id: &str) -> String {
    format!("{base}/c/{client_id}")
}

/// The JWT's claim key for a metascope on `base`: `<base>/s/<metascope>`.
pub fn metascope_claim(base: &str, metascope: &str) -> String {
    format!("{base}/s/{metascope}")
}

/// A metascope claim key split into its base and the metascope name.
pub fn split_metascope_claim(key: &str) -> Option<(&str, &str)> {
    key.rsplit_once("/s/")
}

/// The metascope name of a name or a full claim URL (its last segment).
pub fn metascope_name(metascope: &str) -> &str {
    metascope.rsplit('/').next().unwrap_or(metascope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_round_trip() {
        let key = metascope_claim(ADOBE_IMS, "ent_user_sdk");
        assert_eq!(key, "https://ims-na1.adobelogin.com/s/ent_user_sdk");
        assert_eq!(
            split_metascope_claim(&key),
            Some((ADOBE_IMS, "ent_user_sdk"))
        );
        assert_eq!(metascope_name(&key), "ent_user_sdk");
        assert_eq!(
            aud_claim(ADOBE_IMS, "cid"),
            "https://ims-na1.adobelogin.com/c/cid"
        );
    }

    #[test]
    fn the_paths_share_their_prefixes() {
        assert!(
            EXCHANGE_JWT_PATHS
                .iter()
                .all(|p| p.starts_with(EXCHANGE_PREFIX))
        );
        assert!(TOKEN_PATHS.iter().all(|p| p.starts_with(TOKEN_PREFIX)));
        assert!(EXCHANGE_PREFIX.starts_with(IMS_PREFIX) && TOKEN_PREFIX.starts_with(IMS_PREFIX));
    }
}
