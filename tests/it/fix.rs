//! `jwt2oauth fix`: every fix in rules/fixes/ has a before fixture under
//! fixtures/fix/<id>/ and its dry-run diff (before → after) pinned as an
//! insta snapshot; after `--write`, `scan` of the fixed copy finds no JWT use
//! except key/certificate files, and a second run changes nothing. Then the
//! contract: exit codes, redaction, JSON, held-back unsafe fixes, scopes,
//! atomic writes that keep mode and line endings and refuse symlinks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use crate::common::{TODAY, bin, code, copy_tree, root, write};

/// The ids of the built-in fixes (file names under rules/fixes/).
fn fix_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(root().join("rules/fixes"))
        .expect("rules/fixes")
        .filter_map(|e| {
            let p = e.ok()?.path();
            Some(p.file_stem()?.to_str()?.to_string())
        })
        .collect();
    ids.sort();
    ids
}

/// A temporary copy of fixtures/fix/<id>.
fn fixture_copy(id: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let to = dir.path().join(id);
    copy_tree(&root().join("fixtures/fix").join(id), &to);
    (dir, to)
}

fn fix(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .arg("fix")
        .arg(dir)
        .args(args)
        .output()
        .expect("run fix");
    (
        code(&out),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Categories of the findings `scan` reports in `dir`.
fn findings(dir: &Path) -> Vec<(String, String, String)> {
    let out = bin()
        .args(["scan", "--today", TODAY, "--format", "json", "--no-config"])
        .arg(dir)
        .output()
        .expect("scan");
    let v = crate::common::parse(&out);
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["category"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Secrets planted in the fixtures: none may appear in fix's output.
const FIXTURE_SECRETS: &[&str] = &[
    "p8e-FIXTUREfixtureFIXTUREfixture1234",
    "p8e-Zq3xV9LmT2rW8yN4bK6cH1dF5gJ7sP0a",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDfixtureKEYbodyAAAA",
    "Q29udGludWVkRml4dHVyZUtleUJvZHlGb3JSZWRhY3Rpb25UZXN0c09ubHk",
    "fixture-passphrase-not-real",
];

fn assert_no_secret(text: &str) {
    for s in FIXTURE_SECRETS {
        assert!(!text.contains(s), "secret {s:.8}… in output:\n{text}");
    }
}

/// Each fix: snapshot of its dry run, then write, rescan, rerun.
#[test]
fn every_fix_has_a_fixture_a_snapshot_and_leaves_no_jwt_use() {
    let ids = fix_ids();
    assert!(ids.len() >= 9, "{ids:?}");
    for id in &ids {
        let fixture = root().join("fixtures/fix").join(id);
        assert!(
            fixture.is_dir(),
            "fix {id} has no fixture fixtures/fix/{id}/"
        );
        let (_tmp, dir) = fixture_copy(id);
        let before = findings(&dir);
        assert!(!before.is_empty(), "{id}: the fixture has nothing to fix");

        let (rc, dry, _) = fix(&dir, &["--unsafe"]);
        assert_eq!(rc, 1, "{id}: a dry run with changes exits 1\n{dry}");
        assert_no_secret(&dry);
        assert!(dry.contains("--- a/"), "{id}: no diff\n{dry}");
        insta::assert_snapshot!(format!("fix_{id}"), dry);

        let (_, written, _) = fix(&dir, &["--unsafe", "--write"]);
        assert!(written.contains("wrote "), "{id}: {written}");
        assert_no_secret(&written);
        // JWT use left in a tree: not informational (code already on OAuth
        // Server-to-Server, AEM service credentials), not a key file (the
        // manual steps say to delete those).
        let jwt_left = |tree: &Path| -> Vec<(String, String, String)> {
            findings(tree)
                .into_iter()
                .filter(|(path, cat, _)| {
                    let info = matches!(cat.as_str(), "oauth-s2s" | "aem-service");
                    let key =
                        matches!(cat.as_str(), "private-key" | "certificate") && is_key_file(path);
                    !info && !key
                })
                .collect()
        };
        let left = jwt_left(&dir);
        // A shape the fix does not know stays (it is a manual step), and
        // so may a setting that a project-wide rule reports only while a
        // file of the project still signs JWTs (a technical account field
        // beside a jjwt exchange left for the user).
        let left: Vec<_> = left
            .into_iter()
            .filter(|(p, _, rule)| {
                !p.contains("unknown") && rule != "adobe-techacct-in-jwt-project"
            })
            .collect();
        assert!(
            left.is_empty(),
            "{id}: JWT use left after fix --write: {left:?}"
        );
        // The manual step done (here: the unknown shape deleted, in a
        // copy), nothing is left at all.
        let unknown = dir.join("unknown");
        if unknown.is_dir() {
            let done = tempfile::tempdir().expect("tempdir");
            crate::common::copy_tree(&dir, done.path());
            std::fs::remove_dir_all(done.path().join("unknown")).expect("rm unknown");
            let left = jwt_left(done.path());
            assert!(
                left.is_empty(),
                "{id}: left after the manual step: {left:?}"
            );
        }

        let snapshot = read_tree(&dir);
        let (_, again, _) = fix(&dir, &["--unsafe"]);
        assert!(
            again.contains("0 files would change"),
            "{id}: second run:\n{again}"
        );
        assert_eq!(
            read_tree(&dir),
            snapshot,
            "{id}: the second run changed files"
        );
    }
}

fn is_key_file(path: &str) -> bool {
    [".key", ".pem", ".crt", ".p12", ".pfx"]
        .iter()
        .any(|e| path.ends_with(e))
}

fn read_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn nothing_to_do_exits_0_and_usage_errors_exit_2() {
    let (rc, out, _) = fix(&root().join("fixtures/clean"), &[]);
    assert_eq!(rc, 0, "{out}");
    assert!(out.contains("0 files would change"), "{out}");
    let (rc, _, err) = fix(Path::new("does/not/exist"), &[]);
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("no such file"), "{err}");
    let out = bin().args(["fix", "--no-such-flag"]).output().unwrap();
    assert_eq!(code(&out), 2);
    let out = bin()
        .args(["fix", "--scopes", "a,,b", "fixtures/clean"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
}

#[test]
fn unsafe_fixes_are_held_back_and_counted_without_the_flag() {
    let (_tmp, dir) = fixture_copy("node-jwt-auth-fetch");
    let (rc, out, _) = fix(&dir, &[]);
    assert_eq!(rc, 1);
    assert!(
        !out.contains("--- a/"),
        "no code diff without --unsafe:\n{out}"
    );
    assert!(out.contains("3 unsafe fixes held back"), "{out}");
    assert!(
        out.contains("index.js:3: unsafe fix node-jwt-auth-fetch held back"),
        "{out}"
    );
    // --write without --unsafe leaves the code alone and says what remains.
    let before = read_tree(&dir);
    let (rc, out, _) = fix(&dir, &["--write"]);
    assert_eq!(rc, 1, "{out}");
    assert_eq!(read_tree(&dir), before);
}

/// A generic JWT library leaves a manifest only with its last import: with
/// the exchanges held back (no `--unsafe`) every manifest stays as it is,
/// and with them rewritten the kept projects' manifests (another file
/// signs its own tokens) stay too, without a manual step.
#[test]
fn jwt_libraries_go_only_with_their_last_import() {
    let (_tmp, dir) = fixture_copy("jwt-library-deps");
    let (rc, out, _) = fix(&dir, &[]);
    assert_eq!(rc, 1, "{out}");
    assert!(
        !out.contains("--- a/"),
        "nothing changes without --unsafe:\n{out}"
    );
    assert!(out.contains("unsafe fixes held back"), "{out}");

    let (_, out, _) = fix(&dir, &["--unsafe"]);
    for kept in [
        "python-kept/requirements.txt",
        "python-kept/pyproject.toml",
        "python-kept/setup.py",
        "python-kept/setup.cfg",
        "python-kept/Pipfile",
        "node-kept/package.json",
        "php-kept/composer.json",
        "go-kept/go.mod",
        "ruby-kept/Gemfile",
        "java-kept/pom.xml",
        "java-kept/build.gradle",
    ] {
        assert!(
            !out.contains(&format!("a/{kept}")),
            "{kept} changed:\n{out}"
        );
        assert!(
            !out.contains(&format!("{kept}:")),
            "{kept} has a step:\n{out}"
        );
        let dropped = kept.replace("-kept/", "-dropped/");
        assert!(
            out.contains(&format!("--- a/{dropped}")),
            "{dropped} unchanged:\n{out}"
        );
    }
    // The exchange's "drop the library once nothing else uses it" is done
    // where the manifest lost it, and still to do where it stays.
    assert!(
        !out.contains("go-dropped/ims/token.go:17: `FetchToken` now requests an OAuth Server-to-Server token (client_credentials): expires_in in its response is in seconds (the JWT exchange gave milliseconds); drop"),
        "{out}"
    );
    assert!(
        out.contains("(go mod tidy) once nothing else uses it"),
        "{out}"
    );
}

#[test]
fn json_format_gives_edits_and_manual_steps_as_data() {
    let (_tmp, dir) = fixture_copy("aio-env-context");
    let (rc, out, _) = fix(&dir, &["--format", "json"]);
    assert_eq!(rc, 1);
    assert_no_secret(&out);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["version"], 1);
    assert_eq!(v["written"], false);
    assert_eq!(v["changes"][0]["path"], ".env");
    assert_eq!(v["changes"][0]["fixes"][0], "aio-env-context");
    assert_eq!(v["changes"][0]["safety"], "safe");
    assert!(
        v["changes"][0]["diff"]
            .as_str()
            .unwrap()
            .starts_with("--- a/.env\n+++ b/.env\n")
    );
    let steps = v["manual_steps"].as_array().unwrap();
    assert!(
        steps
            .iter()
            .any(|s| s["step"].as_str().unwrap().contains("Scopes tab"))
    );
    assert!(steps.iter().all(|s| s["line"].as_u64().unwrap() >= 1));
    assert_eq!(v["scopes"]["source"], "observed");
}

#[test]
fn scopes_come_from_the_flag_then_a_console_json_in_the_tree() {
    let (_tmp, dir) = fixture_copy("aio-json-context");
    let (_, out, _) = fix(&dir, &["--scopes", "openid,AdobeID,custom_scope"]);
    assert!(
        out.contains(r#""scopes": ["openid", "AdobeID", "custom_scope"]"#),
        "{out}"
    );
    assert!(!out.contains("Scopes tab"), "{out}");
    // A workspace JSON with the OAuth credential (same client id) wins over the table.
    std::fs::copy(
        root().join("fixtures/ims/workspace.json"),
        dir.join("workspace.json"),
    )
    .unwrap();
    let (_, out, _) = fix(&dir, &[]);
    assert!(
        out.contains(r#""scopes": ["openid", "AdobeID", "user_management_sdk"]"#),
        "{out}"
    );
    assert!(
        out.contains("scopes: from the OAuth Server-to-Server credential in"),
        "{out}"
    );
    assert!(!out.contains("check the scopes"), "{out}");
}

#[test]
fn writes_keep_mode_line_endings_and_refuse_symlinks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let env = "AIO_ims_contexts_x_client__id=abc\r\nAIO_ims_contexts_x_client__secret=p8e-FIXTUREfixtureFIXTUREfixture1234\r\nAIO_ims_contexts_x_technical__account__email=a@techacct.adobe.com\r\nAIO_ims_contexts_x_meta__scopes=ent_user_sdk\r\n";
    write(dir, "app/.env", env);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("app/.env"), std::fs::Permissions::from_mode(0o640))
            .unwrap();
    }
    let (rc, out, err) = fix(dir, &["--write", "--scopes", "openid"]);
    assert_no_secret(&out);
    assert_eq!(rc, 0, "nothing manual remains:\n{out}{err}");
    let after = std::fs::read_to_string(dir.join("app/.env")).unwrap();
    assert_eq!(
        after,
        "AIO_ims_contexts_x_client__id=abc\r\nAIO_ims_contexts_x_client__secrets=[\"p8e-FIXTUREfixtureFIXTUREfixture1234\"]\r\nAIO_ims_contexts_x_technical__account__email=a@techacct.adobe.com\r\nAIO_ims_contexts_x_scopes=[\"openid\"]\r\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("app/.env"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
        // A symlinked file is never written through.
        let target = tempfile::tempdir().unwrap();
        write(target.path(), "real.env", env);
        std::os::unix::fs::symlink(target.path().join("real.env"), dir.join("app/linked.env"))
            .unwrap();
        let (rc, _, err) = fix(
            &dir.join("app/linked.env"),
            &["--write", "--scopes", "openid"],
        );
        assert_eq!(rc, 1, "{err}");
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(
            std::fs::read_to_string(target.path().join("real.env")).unwrap(),
            env
        );
    }
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.join("app"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
}

#[test]
fn colour_only_when_asked() {
    let (_tmp, dir) = fixture_copy("user-sync-oauth");
    let (_, plain, _) = fix(&dir, &[]);
    assert!(
        !plain.contains('\u{1b}'),
        "NO_COLOR / not a terminal: no escapes"
    );
    let out = bin()
        .args(["fix", "--color", "always"])
        .arg(&dir)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\u{1b}["));
}

#[test]
fn key_files_are_never_deleted_but_listed() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&root().join("fixtures/corpus/keys"), tmp.path());
    let (rc, out, _) = fix(tmp.path(), &["--write"]);
    assert_eq!(rc, 1);
    assert!(
        out.contains(
            "private.key:1: delete private.key after the OAuth Server-to-Server credential works"
        ),
        "{out}"
    );
    assert!(tmp.path().join("private.key").is_file());
    assert_no_secret(&out);
}

/// The fixed jjwt + HttpURLConnection fixture compiles with the JDK alone:
/// no jjwt, no key classes left behind (fix_run.rs runs a Java program).
#[test]
fn fixed_java_compiles_with_the_jdk_alone() {
    if !std::process::Command::new("javac")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        crate::common::skip_check("fix: javac missing (apt-get install default-jdk-headless)");
        return;
    }
    let (_tmp, dir) = fixture_copy("java-exchange-client-credentials");
    let (_, out, _) = fix(&dir, &["--unsafe", "--write"]);
    assert!(out.contains("wrote 2 files"), "{out}");
    let fixed = std::fs::read_to_string(dir.join("AdobeAuth.java")).unwrap();
    for gone in [
        "io.jsonwebtoken",
        "PrivateKey",
        "Paths.get(keyPath)",
        "claims",
        "/ims/exchange/",
    ] {
        assert!(!fixed.contains(gone), "{gone} left:\n{fixed}");
    }
    assert!(fixed.contains("public String getAccessToken() throws Exception {"));
    let javac = std::process::Command::new("javac")
        .arg("-d")
        .arg(dir.join("classes"))
        .arg(dir.join("AdobeAuth.java"))
        .output()
        .unwrap();
    assert!(
        javac.status.success(),
        "{}",
        String::from_utf8_lossy(&javac.stderr)
    );
}

/// Code no fix rewrites is never half-rewritten: no diff, and one manual
/// step per file that leads with the exchange (where there is one) and
/// names the rule to explain. Here: C# that only signs (no exchange in the
/// file), Go on adobe/ims-go, and PHP whose exchange URL is assembled from
/// constants outside the function. The corpus's hand-rolled shell,
/// PowerShell and Ruby exchanges are rewritten.
#[test]
fn other_languages_get_a_precise_manual_step_and_no_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let langs = [
        ("csharp", "ImsAuth.cs", "C#"),
        ("go", "auth.go", "Go"),
        ("php", "AccessTokenProvider.php", "PHP"),
    ];
    let rewritten = [
        ("ruby", "adobe_token.rb"),
        ("shell", "get_token.sh"),
        ("powershell", "Get-AdobeToken.ps1"),
    ];
    for dir in langs
        .iter()
        .map(|l| l.0)
        .chain(rewritten.iter().map(|r| r.0))
    {
        copy_tree(
            &root().join("fixtures/corpus").join(dir),
            &tmp.path().join(dir),
        );
    }
    let before: Vec<_> = langs
        .iter()
        .map(|(d, f, _)| std::fs::read(tmp.path().join(d).join(f)).unwrap())
        .collect();
    let (rc, out, _) = fix(tmp.path(), &["--unsafe", "--write"]);
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("wrote 3 files"), "{out}");
    for ((dir, file, lang), was) in langs.iter().zip(&before) {
        assert_eq!(
            &std::fs::read(tmp.path().join(dir).join(file)).unwrap(),
            was,
            "{dir}/{file}: nothing half-rewritten"
        );
        let steps: Vec<&str> = out
            .lines()
            .filter(|l| l.trim_start().starts_with(&format!("{dir}/{file}:")))
            .collect();
        assert_eq!(steps.len(), 1, "{dir}/{file}: {steps:?}\n{out}");
        let s = steps[0];
        assert!(
            s.contains(&format!("no fix rewrites this {lang} code")),
            "{s}"
        );
        assert!(s.contains("`jwt2oauth rules explain "), "{s}");
        // Those with an exchange lead with it and say what to write instead.
        if s.contains("jwt-exchange-endpoint`") || s.contains("ims-go-exchange-jwt`") {
            assert!(
                s.contains("client_credentials POST to /ims/token/v3"),
                "{s}"
            );
        }
    }
    for (dir, file) in rewritten {
        let fixed = std::fs::read_to_string(tmp.path().join(dir).join(file)).unwrap();
        assert!(fixed.contains("/ims/token/v3"), "{dir}/{file}:\n{fixed}");
        assert!(fixed.contains("grant_type"), "{dir}/{file}:\n{fixed}");
        assert!(!fixed.contains("/ims/exchange/"), "{dir}/{file}:\n{fixed}");
    }
    assert_no_secret(&out);
}

/// A manifest fixed with the code left out of the paths: no code edit
/// removed PyJWT's use, so it stays (the drop needs a changed file that
/// imported the library and none importing it after the fix).
#[test]
fn a_manifest_fixed_alone_keeps_its_jwt_library() {
    let tmp = tempfile::tempdir().expect("tmp");
    crate::common::copy_tree(
        &crate::common::root().join("fixtures/fix/jwt-library-deps/python-dropped"),
        tmp.path(),
    );
    let out = bin()
        .current_dir(tmp.path())
        .args(["fix", "--unsafe", "requirements.txt", "setup.py"])
        .output()
        .expect("run fix");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout
            .lines()
            .any(|l| l.starts_with('-') && l.to_ascii_lowercase().contains("jwt")),
        "{stdout}"
    );
    // With the code among the paths, the rewrite removes the last use.
    let (_, all, _) = fix(tmp.path(), &["--unsafe"]);
    assert!(
        all.lines()
            .any(|l| l.starts_with("-PyJWT") || l.starts_with("-pyjwt")),
        "{all}"
    );
}
