//! Unit tests for credential parsing, over the fixtures in `fixtures/ims`.

use std::path::{Path, PathBuf};

use super::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ims")
}

fn load(name: &str) -> Found {
    load_file(&fixtures().join(name), &[]).expect("fixture parses")
}

const CID: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const TA: &str = "5F6E7D8C9B0A1F2E3D4C5B6A@techacct.adobe.com";

#[test]
fn workspace_json_yields_both_credentials() {
    let f = load("workspace.json");
    assert_eq!(f.jwt.len(), 1);
    assert_eq!(f.oauth.len(), 1);
    let j = &f.jwt[0];
    assert_eq!(j.client_id, CID);
    assert_eq!(
        j.org_id.as_deref(),
        Some("1A2B3C4D5E6F7A8B9C0D1E2F@AdobeOrg")
    );
    assert_eq!(j.technical_account_id.as_deref(), Some(TA));
    assert_eq!(j.meta_scopes, ["ent_user_sdk"]);
    let o = &f.oauth[0];
    assert_eq!(o.scopes, ["openid", "AdobeID", "user_management_sdk"]);
    assert_eq!(o.client_secrets.len(), 1);
}

#[test]
fn credential_downloads_are_recognised() {
    let j = load("jwt-credential.json");
    assert_eq!(j.jwt.len(), 1);
    assert!(j.oauth.is_empty());
    assert_eq!(j.jwt[0].client_id, CID);
    let o = load("oauth-credential.json");
    assert!(o.jwt.is_empty());
    assert_eq!(o.oauth[0].technical_account_id.as_deref(), Some(TA));
}

#[test]
fn aio_contexts_resolve_key_paths_and_filter_by_name() {
    let f = load("aio-config.json");
    assert_eq!((f.jwt.len(), f.oauth.len()), (1, 1));
    assert!(
        matches!(&f.jwt[0].private_key, Some(KeySource::File(p)) if p.ends_with("private.key"))
    );
    let only = load_file(
        &fixtures().join("aio-config.json"),
        &["myoauth".to_string()],
    )
    .expect("parses");
    assert_eq!((only.jwt.len(), only.oauth.len()), (0, 1));
}

#[test]
fn dotenv_with_aio_context_variables() {
    let text = "AIO_ims_contexts_prod_client__id=cid\n\
                AIO_ims_contexts_prod_client__secrets=[\"s1\",\"s2\"]\n\
                AIO_ims_contexts_prod_scopes=openid,AdobeID\n\
                AIO_ims_contexts_prod_ims__org__id=ORG@AdobeOrg\n";
    let f = parse_text(text, ".env", Path::new("."), &[]).expect("parses");
    assert_eq!(f.oauth.len(), 1);
    assert_eq!(f.oauth[0].client_id, "cid");
    assert_eq!(f.oauth[0].client_secrets.len(), 2);
    assert_eq!(f.oauth[0].org_id.as_deref(), Some("ORG@AdobeOrg"));
}

#[test]
fn flat_dotenv_with_inline_pem_is_a_jwt_credential() {
    let text = "export API_KEY=cid\nCLIENT_SECRET='s'\nMETA_SCOPES=ent_user_sdk,ent_analytics_bulk_ingest_sdk\n\
                PRIVATE_KEY=\"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\"\n";
    let f = parse_text(text, ".env", Path::new("."), &[]).expect("parses");
    assert_eq!(f.jwt.len(), 1);
    assert_eq!(f.jwt[0].meta_scopes.len(), 2);
    assert!(
        matches!(&f.jwt[0].private_key, Some(KeySource::Inline(k)) if k.expose().contains('\n'))
    );
}

#[test]
fn legacy_jwt_auth_block() {
    let text = r#"{"jwt-auth": {"client_id": "cid", "client_secret": "s",
        "jwt_payload": {"iss": "ORG@AdobeOrg", "sub": "TA@techacct.adobe.com",
        "https://ims-na1.adobelogin.com/s/ent_user_sdk": true},
        "jwt_private_key": ["-----BEGIN PRIVATE KEY-----", "AAAA", "-----END PRIVATE KEY-----"]}}"#;
    let f = parse_text(text, "config.json", Path::new("."), &[]).expect("parses");
    assert_eq!(f.jwt[0].meta_scopes, ["ent_user_sdk"]);
    assert_eq!(f.jwt[0].org_id.as_deref(), Some("ORG@AdobeOrg"));
}

#[test]
fn errors_name_the_file_but_never_its_content() {
    let err = parse_text(
        "{\"CLIENT_SECRET\": \"p8e-TOPSECRETTOPSECRET\"",
        "x.json",
        Path::new("."),
        &[],
    )
    .expect_err("invalid JSON");
    assert!(err.to_string().starts_with("x.json"));
    let err =
        parse_text("{\"unrelated\": true}", "y.json", Path::new("."), &[]).expect_err("nothing");
    assert!(err.to_string().contains("no Adobe credential"));
}

#[test]
fn list_values_split_json_commas_and_spaces() {
    assert_eq!(split_list(r#"["a","b"]"#), ["a", "b"]);
    assert_eq!(split_list("a, b c"), ["a", "b", "c"]);
}
