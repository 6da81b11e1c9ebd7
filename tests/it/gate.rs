//! The CI contract (issue 12): the gate never passes by accident. A PATH
//! that does not exist is a usage error; an incomplete scan never reads
//! `passed`; files over the size cap make `--strict` exit 3; report files
//! hold no colour; `-o FORMAT=FILE` rejects unknown formats.

use crate::common::{TODAY, bin, code, parse, scan_cmd, scan_json_in, write};

const EXCHANGE: &str = "URL = \"https://ims-na1.adobelogin.com/ims/exchange/jwt\"\n";

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn scan(args: &[&str]) -> std::process::Output {
    bin()
        .args(["scan", "--today", TODAY, "--no-progress"])
        .args(args)
        .output()
        .expect("run")
}

/// A typo in a CI script must not read as "no JWT anywhere".
#[test]
fn missing_path_is_a_usage_error() {
    for args in [
        vec!["does/not/exist"],
        vec!["fixtures/clean", "does/not/exist"],
        vec!["--strict", "does/not/exist"],
        vec!["--format", "json", "does/not/exist"],
    ] {
        let out = scan(&args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("does/not/exist: no such file or directory"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!stdout(&out).contains("passed"), "{}", stdout(&out));
    }
}

/// An unparsable config file inside the tree stays a listed error; the
/// summary says the scan was incomplete; `--strict` exits 3.
#[test]
fn incomplete_scan_never_reads_passed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "console.json", "{\"technical_account_id\": [1,\n");
    let root = d.to_str().expect("utf-8");
    let out = scan(&[root]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("gate (--fail-on low): passed, incomplete: 1 error"),
        "{text}"
    );
    let out = scan(&["--format", "github", root]);
    assert!(
        stdout(&out).contains("passed, incomplete: 1 error"),
        "{}",
        stdout(&out)
    );
    let out = scan(&["--format", "markdown", root]);
    assert!(
        stdout(&out).contains("passed, incomplete: 1 error"),
        "{}",
        stdout(&out)
    );
    assert_eq!(code(&scan(&["--strict", root])), 3);
}

/// A file over `--max-filesize` is where a finding can hide: listed as
/// skipped, it makes the scan incomplete, and `--strict` exits 3.
#[test]
fn too_large_file_makes_strict_scan_incomplete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "dist/app.min.js",
        &format!("{}{EXCHANGE}", "var a=1;".repeat(300)),
    );
    let root = d.to_str().expect("utf-8");
    let (rc, v) = scan_json_in(root, &["--max-filesize", "1K"]);
    assert_eq!(rc, 0);
    assert_eq!(v["summary"]["skipped_too_large"], 1);
    assert_eq!(v["summary"]["incomplete"], true);
    let out = scan(&["--max-filesize", "1K", root]);
    assert!(
        stdout(&out).contains("passed, incomplete: 1 too large"),
        "{}",
        stdout(&out)
    );
    let (rc, _) = scan_json_in(root, &["--strict", "--max-filesize", "1K"]);
    assert_eq!(rc, 3);
    // With --strict, 3 wins over 1.
    write(d, "auth.py", EXCHANGE);
    let (rc, _) = scan_json_in(root, &["--strict", "--max-filesize", "1K"]);
    assert_eq!(rc, 3);
    // Under the default cap the file is scanned.
    let (rc, v) = scan_json_in(root, &["--strict"]);
    assert_eq!(rc, 1);
    assert_eq!(v["summary"]["skipped_too_large"], 0);
}

/// The default cap (64 MiB) holds a large minified bundle: a 9 MiB file
/// (over the old 8M default) is scanned and its finding reported.
#[test]
fn default_cap_scans_a_large_bundle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut text = "var a=1;function b(c){return c+a}\n".repeat(9 << 20 >> 5);
    text.push_str(EXCHANGE);
    write(d, "bundle.min.js", &text);
    let (rc, v) = scan_json_in(d.to_str().expect("utf-8"), &["--strict"]);
    assert_eq!(rc, 1, "{}", v["skipped"]);
    assert_eq!(v["findings"][0]["rule_id"], "jwt-exchange-endpoint");
    assert_eq!(v["summary"]["incomplete"], false);
}

/// Colour goes only to a terminal: `-o FILE` never holds ANSI codes,
/// whatever `--color` and the environment say.
#[test]
fn report_files_hold_no_colour() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, (color, force)) in [("always", false), ("never", false), ("auto", true)]
        .into_iter()
        .enumerate()
    {
        let file = dir.path().join(format!("out{i}.txt"));
        let f = file.to_str().expect("utf-8");
        let mut cmd = bin();
        cmd.args(["scan", "--today", TODAY, "--no-progress", "--color", color])
            .args(["fixtures/corpus/python-jwt", "-o", f]);
        if force {
            cmd.env("CLICOLOR_FORCE", "1").env_remove("NO_COLOR");
        }
        let out = cmd.output().expect("run");
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        let text = std::fs::read_to_string(&file).expect("report");
        assert!(text.contains("jwt-exchange-endpoint"), "{text}");
        assert!(
            !text.contains('\u{1b}'),
            "--color {color}: ANSI codes in {text}"
        );
    }
    // On stdout, --color always still colours.
    let out = scan(&["--color", "always", "fixtures/corpus/python-jwt"]);
    assert!(stdout(&out).contains('\u{1b}'));
}

/// `-o xml=out.xml` is a usage error naming the formats; `./a=b` is a file.
#[test]
fn unknown_format_before_equals_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bin()
        .current_dir(dir.path())
        .args(["scan", "--today", TODAY, "--no-progress"])
        .arg(crate::common::root().join("fixtures/clean"))
        .args(["-o", "xml=out.xml"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("unknown format \"xml\""), "{err}");
    assert!(err.contains("sarif") && err.contains("junit"), "{err}");
    assert!(!dir.path().join("xml=out.xml").exists());
    let out = scan_cmd("json")
        .current_dir(dir.path())
        .arg(crate::common::root().join("fixtures/clean"))
        .args(["-o", "./a=b"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("a=b")).expect("a=b")).expect("json");
    assert_eq!(v["version"], 1);
    let _ = parse;
}

/// Errors say what went wrong once.
#[test]
fn errors_say_it_once() {
    let out = scan(&["--config", "nope.toml", "fixtures/clean"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    assert!(!err.contains("os error"), "{err}");
    let out = scan(&["--baseline", "nope.json", "fixtures/clean"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).matches("does not exist").count()
            + stderr(&out).matches("No such file").count(),
        1,
        "{}",
        stderr(&out)
    );
}

/// A JSON file `JSON.parse` accepts (a lone `\uD800` escape) parses, so
/// `--strict` passes; a broken one is reported in JSON's terms with line
/// and column.
#[test]
fn json_files_parse_as_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "config.schema.json",
        "{\n  \"technical_account_id\": \"\\uD800\",\n  \"meta_scopes\": [\"ent_user_sdk\"]\n}\n",
    );
    let root = d.to_str().expect("utf-8");
    let (rc, v) = scan_json_in(root, &["--strict"]);
    assert_ne!(rc, 3, "{}", v["errors"]);
    assert_eq!(v["errors"], serde_json::json!([]));
    write(d, "broken.json", "{\n  \"technical_account_id\": [1,\n");
    let (rc, v) = scan_json_in(root, &["--strict"]);
    assert_eq!(rc, 3);
    let msg = v["errors"][0]["message"].as_str().expect("message");
    assert!(msg.starts_with("cannot parse as JSON: "), "{msg}");
    assert!(msg.contains("line 3 column 1"), "{msg}");
    assert!(
        !msg.contains("scalar") && !msg.contains("node content"),
        "YAML's words: {msg}"
    );
}

/// Words joined by single spaces: terminal text compared across wrapping.
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The terminal `fix:` line shows whole sentences, wrapped; `--full-fix`
/// shows the whole remediation.
#[test]
fn fix_line_is_never_cut_mid_sentence() {
    let (_, v) = scan_json_in("fixtures/corpus/python-jwt", &[]);
    let remediation = v["findings"][0]["remediation"]
        .as_str()
        .expect("remediation");
    let first = remediation.lines().next().unwrap_or("");
    let out = scan(&["fixtures/corpus/python-jwt"]);
    let text = stdout(&out);
    assert!(!text.contains("…\n"), "cut: {text}");
    let fix_block = |text: &str| {
        // The first `fix:` line and its wrapped continuation lines.
        let mut lines = text
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("fix:"));
        let mut block = lines
            .next()
            .unwrap_or("")
            .trim_start()
            .trim_start_matches("fix:")
            .to_string();
        for l in
            lines.take_while(|l| l.starts_with("         ") && !l.trim_start().starts_with('>'))
        {
            block.push(' ');
            block.push_str(l.trim());
        }
        words(&block)
    };
    let shown = fix_block(&text);
    assert!(
        words(first).starts_with(&shown),
        "{shown:?} is not the start of {first:?}"
    );
    assert!(
        shown.ends_with('.') || shown == words(first),
        "not a whole sentence: {shown:?}"
    );
    assert!(
        text.lines()
            .all(|l| l.chars().count() <= 120 || !l.contains("fix:")),
        "{text}"
    );
    let out = scan(&["--full-fix", "fixtures/corpus/python-jwt"]);
    assert_eq!(fix_block(&stdout(&out)), words(remediation));
}

/// `rules explain`'s curl command lets the shell expand `$CLIENT_ID`.
#[test]
fn explained_curl_expands_its_variables() {
    let out = bin()
        .args(["rules", "explain", "jwt-exchange-endpoint"])
        .output()
        .expect("run");
    let text = stdout(&out);
    assert!(text.contains("client_id=$CLIENT_ID"), "{text}");
    let single_quoted_var = regex::Regex::new(r"'[^'\n]*\$[A-Z_]+[^'\n]*'").expect("regex");
    for line in text
        .lines()
        .filter(|l| l.contains("curl") || l.trim_start().starts_with("-d"))
    {
        assert!(!single_quoted_var.is_match(line), "{line}");
    }
}

/// Redaction keeps identifiers and paths: a rule error naming the
/// `private-key-reference` category, a frame line with a package path.
#[test]
fn redaction_keeps_identifiers_and_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rule = std::fs::read_to_string(
        crate::common::root().join("rules/adobe-private-key-reference.yaml"),
    )
    .expect("rule")
    .replace(
        "\ncategory: private-key-reference",
        "\ncategory: private-key-referencex",
    );
    write(dir.path(), "rules/adobe-private-key-reference.yaml", &rule);
    let out = bin()
        .args(["rules", "lint"])
        .arg(dir.path().join("rules"))
        .output()
        .expect("run");
    let err = stderr(&out);
    assert!(err.contains("private-key, private-key-reference,"), "{err}");
    write(
        dir.path(),
        "src/Auth.java",
        "String page = \"com/adobe/aem/guides/wknd/core/models/impl/HelloWorldModel.html\";\nURL u = new URL(\"https://ims-na1.adobelogin.com/ims/exchange/jwt\");\n",
    );
    let out = scan(&[dir.path().join("src").to_str().expect("utf-8")]);
    let text = stdout(&out);
    assert!(
        text.contains("com/adobe/aem/guides/wknd/core/models/impl/HelloWorldModel.html"),
        "{text}"
    );
}

/// The progress rate is a whole number (`5,987/s`), not `5,986.6357/s`.
/// Drawn only on a terminal: run under `script` for a pseudo-terminal.
#[test]
fn progress_rate_is_a_whole_number() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        crate::common::skip_check("progress rate: `script` (util-linux) is missing");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..4000 {
        write(dir.path(), &format!("d{}/f{i}.py", i % 40), "x = 1\n");
    }
    let cmd = format!(
        "{} scan --today {TODAY} --format json -o /dev/null {}",
        env!("CARGO_BIN_EXE_jwt2oauth"),
        dir.path().display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env_remove("NO_COLOR")
        .output()
        .expect("script");
    let text = String::from_utf8_lossy(&out.stdout);
    let rate = regex::Regex::new(r"files \(([0-9,.]+)/s\)").expect("regex");
    let rates: Vec<&str> = rate
        .captures_iter(&text)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str())
        .collect();
    assert!(!rates.is_empty(), "no progress drawn: {text:?}");
    assert!(rates.iter().all(|r| !r.contains('.')), "{rates:?}");
}

/// The README's custom-rule example, copied as a new user would, passes
/// `rules lint` and `rules test`.
#[test]
fn readme_rule_example_passes_rules_test() {
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).expect("README");
    let section = readme.split("## Writing a rule").nth(1).expect("section");
    let yaml = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("yaml block");
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "my-jwt-helper.yaml", &format!("{yaml}\n"));
    for verb in ["lint", "test"] {
        let out = bin()
            .args(["rules", verb])
            .arg(dir.path())
            .output()
            .expect("run");
        assert_eq!(
            code(&out),
            0,
            "rules {verb}: {}{}",
            stdout(&out),
            stderr(&out)
        );
    }
}

/// `rules lint` reports a keyword that none of the rule's own match
/// examples holds.
#[test]
fn lint_reports_keywords_no_example_holds() {
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).expect("README");
    let section = readme.split("## Writing a rule").nth(1).expect("section");
    let yaml = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("yaml block")
        .replace(
            r#"keywords: ["adobe_jwt_helper"]"#,
            r#"keywords: ["adobe_jwt_helper", "adobe_jwt_helpr"]"#,
        );
    assert!(yaml.contains("adobe_jwt_helpr"));
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "my-jwt-helper.yaml", &format!("{yaml}\n"));
    let out = bin()
        .args(["rules", "lint"])
        .arg(dir.path())
        .output()
        .expect("run");
    let text = stdout(&out);
    assert!(
        text.contains("warning: my-jwt-helper: keyword `adobe_jwt_helpr` appears in none of its examples.match"),
        "{text}"
    );
    assert!(!text.contains("`adobe_jwt_helper`"), "{text}");
}

/// An inline suppression naming an unknown rule, or giving no reason, is a
/// warning listed in the output (terminal, JSON, GitHub annotations); a
/// rule the config disables is no typo.
#[test]
fn inline_ignore_problems_are_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "auth.py",
        "# jwt2oauth:ignore[jwt-exchange-endpiont] moved to OAuth in PLAT-1\nA = \"https://ims-na1.adobelogin.com/ims/exchange/jwt\"\n# jwt2oauth:ignore[jwt-exchange-endpoint]\nB = \"https://ims-na1.adobelogin.com/ims/exchange/jwt\"\n# jwt2oauth:ignore[adobe-metascope-name] disabled in config\n",
    );
    write(
        d,
        "jwt2oauth.toml",
        "[rules]\ndisable = [\"adobe-metascope-name\"]\n",
    );
    let root = d.to_str().expect("utf-8");
    let (_, v) = scan_json_in(root, &[]);
    let warnings: Vec<(u64, String)> = v["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| {
            (
                w["line"].as_u64().unwrap_or(0),
                w["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0].0, 1);
    assert!(
        warnings[0]
            .1
            .contains("unknown rule `jwt-exchange-endpiont`"),
        "{warnings:?}"
    );
    assert_eq!(warnings[1].0, 3);
    assert!(warnings[1].1.contains("has no reason"), "{warnings:?}");
    assert_eq!(v["warnings"][0]["path"], "auth.py");
    let out = scan(&[root]);
    assert!(
        stdout(&out).contains(&format!(
            "warning: {root}/auth.py:1: jwt2oauth:ignore names unknown rule `jwt-exchange-endpiont`"
        )),
        "{}",
        stdout(&out)
    );
    let out = scan(&["--format", "github", root]);
    assert!(
        stdout(&out).contains(&format!("::warning file={root}/auth.py,line=3,")),
        "{}",
        stdout(&out)
    );
}

/// Empty and placeholder keys, client ids and technical accounts never
/// link files: two unrelated repositories holding the same placeholders
/// stay two credentials.
#[test]
fn placeholders_never_link_credentials() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let env = |key: &str| {
        format!(
            "CLIENT_ID=00000000000000000000000000000000\nTECHNICAL_ACCOUNT_ID=xxxxxxxxxxxxxxxxxxxxxxxx@techacct.adobe.com\nORG_ID=000000000000000000000000@AdobeOrg\nMETA_SCOPES=ent_dataservices_sdk\nPRIVATE_KEY=\"-----BEGIN PRIVATE KEY-----\\n{key}\\n-----END PRIVATE KEY-----\"\n"
        )
    };
    write(d, "repo-a/.env", &env(""));
    write(d, "repo-b/.env", &env(""));
    write(d, "repo-c/.env", &env("YOUR_PRIVATE_KEY"));
    write(d, "repo-d/.env", &env("YOUR_PRIVATE_KEY"));
    for repo in ["repo-a", "repo-b", "repo-c", "repo-d"] {
        std::fs::create_dir_all(d.join(repo).join(".git")).expect("mkdir .git");
    }
    let (_, v) = scan_json_in(d.to_str().expect("utf-8"), &[]);
    // Nothing identifies these credentials: each repository (a `.git`
    // root) lists its usage as not tied to a credential, none is a group.
    let unattributed: Vec<&str> = v["unattributed"]
        .as_array()
        .expect("unattributed")
        .iter()
        .filter_map(|u| u["project"].as_str())
        .collect();
    assert_eq!(
        unattributed,
        ["repo-a", "repo-b", "repo-c", "repo-d"],
        "{v}"
    );
    let groups = v["groups"].as_array().expect("groups");
    assert!(groups.is_empty(), "{v}");
    for g in groups {
        let files: Vec<&str> = g["files"]
            .as_array()
            .expect("files")
            .iter()
            .filter_map(|f| f.as_str())
            .collect();
        let repos: std::collections::BTreeSet<&str> = files
            .iter()
            .filter_map(|f| f.split('/').find(|s| s.starts_with("repo-")))
            .collect();
        assert!(repos.len() <= 1, "one group spans {repos:?}: {g}");
        assert_eq!(g["key_fingerprints"], serde_json::json!([]), "{g}");
        assert_eq!(g["client_ids"], serde_json::json!([]), "{g}");
        assert_eq!(g["technical_accounts"], serde_json::json!([]), "{g}");
    }
}

/// The findings' paths of a JSON report, in order.
fn json_paths(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect()
}

/// Paths are as given on the command line, in every format (item 2): from
/// a repository root, `scan src` reports `src/auth.py`, so annotations and
/// code-scanning alerts land on the file; `./src/` is normalised; an
/// absolute PATH gives absolute paths (SARIF: a `file://` URI). Config,
/// baseline and fingerprints stay relative to the scanned directory: a
/// baseline written by `scan src` matches `scan /abs/repo/src`.
#[test]
fn paths_are_as_given_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path();
    write(repo, "src/auth.py", EXCHANGE);
    write(repo, "src/lib/token.py", EXCHANGE);
    let run = |args: &[&str]| {
        bin()
            .current_dir(repo)
            .args(["scan", "--today", TODAY, "--no-progress"])
            .args(args)
            .output()
            .expect("run")
    };
    for given in ["src", "./src/", "src/"] {
        let out = run(&[given, "--format", "github"]);
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.contains("::error file=src/auth.py,line=1"),
            "{given}: {text}"
        );
        assert!(text.contains("file=src/lib/token.py,"), "{given}: {text}");
        let out = run(&[given, "--format", "sarif"]);
        let v = parse(&out);
        let uris: Vec<&str> = v["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
                assert_eq!(loc["uriBaseId"], "%SRCROOT%");
                loc["uri"].as_str().expect("uri")
            })
            .collect();
        assert_eq!(uris, ["src/auth.py", "src/lib/token.py"], "{given}");
        for format in ["terminal", "markdown", "junit"] {
            let text = stdout(&run(&[given, "--format", format]));
            assert!(
                text.contains("src/lib/token.py"),
                "{given} {format}: {text}"
            );
        }
        let paths = json_paths(&parse(&run(&[given, "--format", "json"])));
        assert_eq!(paths, ["src/auth.py", "src/lib/token.py"], "{given}");
    }
    // `scan .` and several roots: unchanged.
    let v = parse(&run(&[".", "--format", "json"]));
    assert_eq!(v["findings"][0]["path"], "src/auth.py");
    let paths = json_paths(&parse(&run(&[
        "src/lib",
        "src/auth.py",
        "--format",
        "json",
    ])));
    assert_eq!(paths, ["src/auth.py", "src/lib/token.py"]);

    // A baseline written by `scan src` matches the same directory given
    // as an absolute path from elsewhere; the paths it prints are absolute.
    let out = run(&["src", "--write-baseline", "base.json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let abs = repo.join("src");
    let abs = abs.to_str().expect("utf-8");
    let base = repo.join("base.json");
    let out = scan_cmd("sarif")
        .args([abs, "--baseline", base.to_str().expect("utf-8")])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "baseline must match: {}", stderr(&out));
    let v = parse(&out);
    let loc = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uri"], format!("file://{abs}/auth.py"));
    assert!(loc.get("uriBaseId").is_none(), "{loc}");
}
