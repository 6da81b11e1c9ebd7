//! Metascope to OAuth scope mapping. Adobe publishes no table; these are the
//! observed mappings from docs/adobe-ims.md §3. The credential's own
//! `scopes` list remains the truth; this table only says which scopes a
//! product needs: `verify` judges a token's coverage with it, the scan's
//! remediation, the plan and `fix` advise with it, the emulator grants it.

use super::metascope_name;

/// Observed OAuth scopes for a metascope, or `None` when nothing is known.
pub fn expected_scopes(metascope: &str) -> Option<&'static [&'static str]> {
    let m = metascope_name(metascope);
    let scopes: &'static [&'static str] = match m {
        "ent_user_sdk" => &["openid", "AdobeID", "user_management_sdk"],
        "ent_analytics_bulk_ingest_sdk" => &[
            "openid",
            "AdobeID",
            "read_organizations",
            "additional_info.projectedProductContext",
            "additional_info.job_function",
        ],
        "ent_dataservices_sdk" => &[
            "openid",
            "session",
            "AdobeID",
            "read_organizations",
            "additional_info.projectedProductContext",
        ],
        "ent_campaign_sdk" => &[
            "openid",
            "AdobeID",
            "campaign_sdk",
            "additional_info.projectedProductContext",
            "campaign_config_server_general",
            "deliverability_service_general",
        ],
        "ent_marketing_sdk" => &[
            "openid",
            "AdobeID",
            "read_organizations",
            "additional_info.projectedProductContext",
            "target_sdk",
        ],
        "ent_adobeio_sdk" => IO_MANAGEMENT,
        "event_receiver_api" => &[
            "AdobeID",
            "openid",
            "read_organizations",
            "additional_info.projectedProductContext",
            "additional_info.roles",
            "adobeio_api",
            "read_client_secret",
            "manage_client_secrets",
            "event_receiver_api",
        ],
        m if m.starts_with("ent_reactor") => &[
            "AdobeID",
            "openid",
            "read_organizations",
            "additional_info.job_function",
            "additional_info.projectedProductContext",
            "additional_info.roles",
        ],
        "ent_cloudmgr_sdk" => &[
            "openid",
            "AdobeID",
            "read_organizations",
            "additional_info.projectedProductContext",
            "read_pc.dma_aem_ams",
        ],
        _ => return None,
    };
    Some(scopes)
}

const IO_MANAGEMENT: &[&str] = &[
    "AdobeID",
    "openid",
    "read_organizations",
    "additional_info.projectedProductContext",
    "additional_info.roles",
    "adobeio_api",
    "read_client_secret",
    "manage_client_secrets",
];

/// Scopes for a JWT credential's metascopes (the union of observed scopes),
/// used by the emulator when a workspace has no OAuth credential to copy.
pub fn scopes_for(meta_scopes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in meta_scopes {
        let name = metascope_name(m);
        let extra: Vec<&str> = expected_scopes(name).map_or_else(|| vec![name], <[&str]>::to_vec);
        for s in extra {
            if !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_string()).collect()
    }

    #[test]
    fn scopes_for_unions_without_duplicates() {
        let s = scopes_for(&v(&["ent_user_sdk", "ent_adobeio_sdk"]));
        assert_eq!(s.iter().filter(|x| *x == "openid").count(), 1);
        assert!(s.contains(&"adobeio_api".to_string()));
    }
}
