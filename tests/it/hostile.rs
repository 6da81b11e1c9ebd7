//! Hostile trees, built at test time: bad encodings, NUL bytes, minified
//! one-line files, deep directories, symlink loops, FIFOs and devices,
//! malformed, deeply nested and alias-bomb configs, pathological key globs.
//! Every scan runs the real binary under a kill deadline: it must not
//! crash or hang, must list each unreadable or unparsable file in `errors`
//! (or a deliberately skipped one in `skipped`), and must still report the
//! finding planted next to each hostile file.

use std::path::Path;

use crate::common::trees::{
    DEADLINE, entries, located, mkfifo, run_with_deadline, scan_cmd, scan_json_deadline_in,
};
use crate::common::write;

/// A line that `jwt-exchange-endpoint` reports at column 39.
const EXCHANGE: &str = "URL = \"https://ims-na1.adobelogin.com/ims/exchange/jwt\"\n";
const RULE: &str = "jwt-exchange-endpoint";

/// Puts a known finding in `dir/case/planted.py`.
fn plant(dir: &Path, case: &str) {
    write(dir, &format!("{case}/planted.py"), EXCHANGE);
}

fn write_bytes(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

fn has(v: &serde_json::Value, path: &str, line: u64, column: u64, rule: &str) -> bool {
    located(v).contains(&(path.into(), line, column, rule.into()))
}

fn assert_planted(v: &serde_json::Value, cases: &[&str]) {
    for case in cases {
        let path = format!("{case}/planted.py");
        assert!(
            has(v, &path, 1, 39, RULE),
            "planted finding in {path} lost: {:#?}",
            located(v)
        );
    }
}

fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
    let mut v = match (bom, le) {
        (false, _) => vec![],
        (true, true) => vec![0xFF, 0xFE],
        (true, false) => vec![0xFE, 0xFF],
    };
    for u in s.encode_utf16() {
        v.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    v
}

/// UTF-16 with a BOM is decoded (bug: it was skipped as binary); a UTF-8
/// BOM shifts no column (bug: +1 column on line 1, and structured findings
/// pointed 3 bytes off); invalid UTF-8 and late NUL bytes are scanned.
#[test]
fn encodings_keep_lines_and_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let three = format!("x = 1\r\n# é\r\n{EXCHANGE}");
    write(d, "enc/plain.py", &three);
    write_bytes(d, "enc/u16le.py", &utf16(&three, true, true));
    write_bytes(d, "enc/u16be.py", &utf16(&three, false, true));
    let mut u32le = vec![0xFF, 0xFE, 0, 0];
    u32le.extend(three.chars().flat_map(|c| (c as u32).to_le_bytes()));
    write_bytes(d, "enc/u32le.py", &u32le);
    write_bytes(d, "enc/u16nobom.py", &utf16(&three, true, false));
    write_bytes(
        d,
        "enc/bom8.py",
        &[b"\xEF\xBB\xBF", EXCHANGE.as_bytes()].concat(),
    );
    let console = r#"{"project": {"workspace": {"details": {"credentials": [{"id": "1", "jwt": {"client_id": "x", "techacct_id": "T@techacct.adobe.com"}}]}}}}"#;
    write(d, "enc/console.json", console);
    write_bytes(
        d,
        "enc/bom/console.json",
        &[b"\xEF\xBB\xBF", console.as_bytes()].concat(),
    );
    write_bytes(
        d,
        "enc/invalid.py",
        &[b"# \xC3\x28 \x80\x81\n\xFF\n", EXCHANGE.as_bytes()].concat(),
    );
    write_bytes(
        d,
        "enc/latin1.yaml",
        b"enterprise:\n  tech_acct: caf\xE9@techacct.adobe.com\n  priv_key_path: private.key\n",
    );
    write_bytes(
        d,
        "enc/nul_early.py",
        &[b"a\0b\n", EXCHANGE.as_bytes()].concat(),
    );
    let late = [b"#".repeat(9000).as_slice(), b"\0\n", EXCHANGE.as_bytes()].concat();
    write_bytes(d, "enc/nul_late.py", &late);
    plant(d, "enc");

    let (code, v, _) = scan_json_deadline_in(d, &[], "encodings");
    assert_eq!(code, 1);
    assert_planted(&v, &["enc"]);
    for f in ["plain", "u16le", "u16be", "u32le"] {
        let path = format!("enc/{f}.py");
        assert!(has(&v, &path, 3, 39, RULE), "{path}: {:#?}", located(&v));
    }
    assert!(has(&v, "enc/bom8.py", 1, 39, RULE), "{:#?}", located(&v));
    assert!(has(&v, "enc/invalid.py", 3, 39, RULE), "{:#?}", located(&v));
    assert!(
        has(&v, "enc/nul_late.py", 2, 39, RULE),
        "{:#?}",
        located(&v)
    );
    let at = |path: &str| -> Vec<_> {
        located(&v)
            .into_iter()
            .filter(|f| f.0 == path)
            .map(|f| (f.1, f.2, f.3))
            .collect()
    };
    assert!(!at("enc/console.json").is_empty());
    assert_eq!(at("enc/bom/console.json"), at("enc/console.json"));
    assert!(at("enc/u16nobom.py").is_empty() && at("enc/nul_early.py").is_empty());
    assert_eq!(v["summary"]["skipped_binary"], 2, "{}", v["summary"]);
    let errors = entries(&v, "errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "enc/latin1.yaml");
    assert!(errors[0].1.contains("not valid UTF-8"), "{errors:?}");
}

/// A minified one-line console JSON (bug: the structured matcher walked
/// from the line start for every parser event, quadratic: this file took
/// minutes). The key's column is exact past multi-byte characters.
#[test]
fn minified_json_is_linear_and_exact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let oauth =
        r#"{"id": "é", "oauth_server_to_server": {"client_id": "c", "scopes": ["openid"]}}"#;
    let jwt = r#"{"id": "last", "jwt": {"client_id": "x", "techacct_id": "T@techacct.adobe.com"}}"#;
    let mut creds = vec![oauth; 8000];
    creds.push(jwt);
    let text = format!(
        r#"{{"project": {{"workspace": {{"details": {{"credentials": [{}]}}}}}}}}"#,
        creds.join(",")
    );
    write(d, "min/console.json", &text);
    plant(d, "min");
    let byte = text.find(r#""jwt""#).expect("jwt key");
    let column = text[..byte].chars().count() as u64 + 1;

    let (code, v, _) = scan_json_deadline_in(d, &[], "minified");
    assert_eq!(code, 1);
    assert_planted(&v, &["min"]);
    let rule = "console-workspace-jwt-credential";
    assert!(
        has(&v, "min/console.json", 1, column, rule),
        "{:#?}",
        located(&v)
    );
    assert_eq!(entries(&v, "errors"), vec![]);
}

fn nest(open: &str, close: &str, n: usize) -> String {
    format!("{}{}", open.repeat(n), close.repeat(n))
}

/// Malformed, 100k-deep and alias-bomb configs, and a file too complex to
/// flatten: each listed in `errors`, none fatal; `--strict` exits 3.
#[test]
fn bad_configs_are_listed_and_strict_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "cfg/bad.json",
        &format!("{{\"meta_scopes\": [\"ent_user_sdk\",\n{EXCHANGE}"),
    );
    write(d, "cfg/bad.yaml", "enterprise:\n  tech_acct: [unclosed\n");
    write(d, "cfg/bad.toml", "meta_scopes = = 1\n");
    write(
        d,
        "cfg/deep.json",
        &format!("{{\"meta_scopes\": {}}}", nest("[", "]", 100_000)),
    );
    write(
        d,
        "cfg/deep.yaml",
        &format!("tech_acct: {}\n", nest("[", "]", 100_000)),
    );
    write(
        d,
        "cfg/deep2.yaml",
        &format!(
            "tech_acct: {}1{}\n",
            "{a: ".repeat(100_000),
            "}".repeat(100_000)
        ),
    );
    write(
        d,
        "cfg/deep.toml",
        &format!("meta_scopes = {}\n", nest("[", "]", 100_000)),
    );
    let keys: Vec<String> = (0..10_000).map(|i| format!("k{i}: 1")).collect();
    let wide = format!(
        "tech_acct: {}{{{}}}{}\n",
        "{a: ".repeat(250),
        keys.join(", "),
        "}".repeat(250)
    );
    write(d, "cfg/wide.yaml", &wide);
    let mut bomb = String::from(
        "enterprise:\n  tech_acct: x@techacct.adobe.com\n  priv_key_path: private.key\n",
    );
    bomb.push_str("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    write(d, "cfg/bomb.yaml", &bomb);
    plant(d, "cfg");

    // No built-in rule reads TOML structurally: a user rule does.
    let rules = tempfile::tempdir().expect("tempdir");
    write(rules.path(), "toml-key.yaml", TOML_KEY_RULE);
    let root = d.to_str().expect("utf-8 path");
    let rules = rules.path().to_str().expect("utf-8 path");
    let (code, v, _) = scan_json_deadline_in(root, &["--rules", rules], "bad configs");
    assert_eq!(code, 1);
    assert_planted(&v, &["cfg"]);
    // Text rules still run on a file that does not parse.
    assert!(has(&v, "cfg/bad.json", 2, 39, RULE), "{:#?}", located(&v));
    assert!(
        located(&v)
            .iter()
            .any(|f| f.0 == "cfg/bomb.yaml" && f.3 == "user-sync-jwt-enterprise"),
        "{:#?}",
        located(&v)
    );
    let errors = entries(&v, "errors");
    let paths: Vec<&str> = errors.iter().map(|e| e.0.as_str()).collect();
    let expected = [
        "bad.json",
        "bad.toml",
        "bad.yaml",
        "deep.json",
        "deep.toml",
        "deep.yaml",
        "deep2.yaml",
        "wide.yaml",
    ];
    assert_eq!(paths, expected.map(|p| format!("cfg/{p}")), "{errors:#?}");
    assert!(
        errors.iter().all(|e| e.1.starts_with("cannot parse as ")),
        "{errors:#?}"
    );
    assert_eq!(v["summary"]["incomplete"], true);

    let (code, v, _) =
        scan_json_deadline_in(root, &["--rules", rules, "--strict"], "bad configs, strict");
    assert_eq!(code, 3, "--strict with errors");
    assert_planted(&v, &["cfg"]);
}

/// 300 nested directories, symlink loops, FIFOs (one as `.gitignore`, which
/// blocked the walker forever), `/dev/null` and `/dev/zero` behind
/// symlinks, with and without `--follow`.
#[test]
fn deep_dirs_loops_fifos_and_devices() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let deep = format!("deep/{}", vec!["d"; 300].join("/"));
    plant(d, &deep);
    plant(d, "loop");
    std::fs::create_dir_all(d.join("loop/a")).expect("mkdir");
    std::os::unix::fs::symlink("..", d.join("loop/a/up")).expect("symlink");
    plant(d, "dev");
    std::os::unix::fs::symlink("/dev/null", d.join("dev/null.py")).expect("symlink");
    std::os::unix::fs::symlink("/dev/zero", d.join("dev/zero.key")).expect("symlink");
    plant(d, "fifo");
    plant(d, "fifo/sub");
    let fifos = mkfifo(&d.join("fifo/pipe.py"))
        && mkfifo(&d.join("fifo/.gitignore"))
        && mkfifo(&d.join("fifo/sub/.ignore"));
    let cases = [deep.as_str(), "loop", "dev", "fifo", "fifo/sub"];

    let root = d.to_str().expect("utf-8 path");
    for follow in [false, true] {
        let args: &[&str] = if follow { &["-L"] } else { &[] };
        let (code, v, _) =
            scan_json_deadline_in(root, args, &format!("special files, follow={follow}"));
        assert_eq!(code, 1, "follow={follow}");
        assert_planted(&v, &cases);
        let hits = located(&v)
            .iter()
            .filter(|f| f.0.starts_with("loop/"))
            .count();
        assert_eq!(hits, 1, "the loop is scanned once: {:#?}", located(&v));
        assert_eq!(entries(&v, "errors"), vec![], "follow={follow}");
        let skipped = entries(&v, "skipped");
        let summary = &v["summary"];
        assert_eq!(
            summary["skipped_other"].as_u64(),
            Some(skipped.len() as u64 - summary["skipped_too_large"].as_u64().unwrap_or(0)),
            "every listed skip is counted (follow={follow}): {skipped:#?}"
        );
        let reason = |path: &str| skipped.iter().find(|s| s.0 == path).map(|s| s.1.clone());
        let mut terminal = scan_cmd(args);
        terminal.arg(".").current_dir(root);
        let terminal = run_with_deadline(terminal, DEADLINE, "terminal summary");
        let total = skipped.len() as u64 + summary["skipped_binary"].as_u64().unwrap_or(0);
        let other = summary["skipped_other"].as_u64().unwrap_or(0);
        let text = String::from_utf8_lossy(&terminal.stdout);
        assert!(
            other == 0 || text.contains(&format!("{total} skipped (")),
            "the terminal summary counts {total} skips:\n{text}"
        );
        assert!(
            other == 0 || text.contains(&format!(" too large, {other} other)")),
            "the terminal summary names {other} other skips:\n{text}"
        );
        if fifos {
            assert_eq!(
                reason("fifo/pipe.py").as_deref(),
                Some("not a regular file (FIFO)")
            );
            let gi = reason("fifo/.gitignore").expect("fifo .gitignore listed");
            assert!(gi.contains("ignore rules were not read"), "{gi}");
        }
        if follow {
            let dev = reason("dev/null.py").expect("device listed");
            assert!(dev.contains("character device"), "{dev}");
            let lp = reason("loop/a/up").expect("loop listed");
            assert!(lp.starts_with("symlink loop"), "{lp}");
        } else {
            assert_eq!(reason("dev/null.py"), None, "symlinks are not followed");
        }
    }
}

/// A user rule with many `**` against a 200-deep config (bug: the key
/// glob matcher was exponential in the number of `**`).
#[test]
fn many_double_star_key_glob_is_linear() {
    let rules = tempfile::tempdir().expect("tempdir");
    write(rules.path(), "deep-glob.yaml", DEEP_GLOB_RULE);
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut json = String::new();
    for _ in 0..200 {
        json.push_str("{\"a\": 1, \"y\": [1, 2], \"x\": ");
    }
    json.push_str("{\"deepkey\": 1}");
    json.push_str(&"}".repeat(200));
    write(d, "glob/deep.json", &json);
    plant(d, "glob");
    let args = ["--rules", rules.path().to_str().expect("utf-8")];
    let (code, v, _) = scan_json_deadline_in(d, &args, "deep key glob");
    assert_eq!(code, 1);
    assert_planted(&v, &["glob"]);
    let deep: Vec<_> = located(&v)
        .into_iter()
        .filter(|f| f.3 == "deep-glob")
        .collect();
    assert_eq!(deep.len(), 1, "{deep:?}");
}

/// An `all` rule whose two patterns each fill 25k lines of a `.env` (bug:
/// every match was compared with every other for `within`: quadratic, a
/// 2 MB file did not finish). Only the lines near the boundary confirm.
#[test]
fn within_check_is_linear() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let env = format!(
        "{}{}",
        "META_SCOPES=ent_user_sdk\n".repeat(25_000),
        "TECHNICAL_ACCOUNT_ID=x@techacct.adobe.com\n".repeat(25_000)
    );
    write(d, "near/.env", &env);
    plant(d, "near");
    let (code, v, _) = scan_json_deadline_in(d, &[], "within check");
    assert_eq!(code, 1);
    assert_planted(&v, &["near"]);
    let rule = "aio-jwt-context-config";
    let lines: Vec<u64> = located(&v)
        .iter()
        .filter(|f| f.3 == rule)
        .map(|f| f.1)
        .collect();
    assert_eq!(
        lines,
        [24_981],
        "20 lines before the first technical account"
    );
}

/// A finding in the middle of a 100 KB minified line: the snippet is a
/// short window (the line is not copied whole per finding), and secrets
/// next to the match, or cut by the redaction window's edge 16 KiB away,
/// appear in no output format.
#[test]
fn long_line_windows_leak_no_secret() {
    let secret = "p8e-Zq3xV9LmT2rW8yN4bK6cH1dF5gJ7sP0a";
    let tail = &secret[4..];
    let hit = "u=\"https://ims-na1.adobelogin.com/ims/exchange/jwt\"";
    let filler = |n: usize| "var a=1;".repeat(n / 8);
    let line = format!(
        "{}s0=\"{secret}\";{}client_secret:\"{secret}\",{hit},client_secret:\"{secret}\";{}s1=\"{secret}\";{}\n",
        filler(40_000),
        filler(16_384 - 30),
        filler(16_384 - 60),
        filler(40_000),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "long/app.min.js", &line);
    plant(d, "long");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let (sarif, html) = (out.join("r.sarif"), out.join("r.html"));
    let args = [
        "-o",
        &format!("sarif={}", sarif.display()),
        "-o",
        &format!("html={}", html.display()),
    ];
    let (code, v, o) = scan_json_deadline_in(d, &args, "long line");
    assert_eq!(code, 1);
    assert_planted(&v, &["long"]);
    let f = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["path"] == "long/app.min.js" && f["rule_id"] == RULE)
        .expect("finding on the long line");
    assert!(
        f["snippet"].as_str().expect("snippet").chars().count() < 300,
        "{f}"
    );
    let texts = [
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        std::fs::read_to_string(&sarif).expect("sarif"),
        std::fs::read_to_string(&html).expect("html"),
    ];
    for t in &texts {
        assert!(!t.contains(tail), "secret in output");
    }
}

const DEEP_GLOB_RULE: &str = r#"id: deep-glob
title: A key seven levels of x down
category: jwt-credential-config
severity: high
confidence: high
deadline: jwt-shutdown
files:
  languages: [json]
keywords: ["deepkey"]
match:
  key: "**.x.**.x.**.x.**.x.**.x.**.x.**.x.**.deepkey"
message: m
remediation: r
references: []
docs: {what: w, why: y}
examples:
  match:
    - {path: a.json, code: '{"x": {"x": {"x": {"x": {"x": {"x": {"x": {"deepkey": 1}}}}}}}}'}
  no_match:
    - {path: a.json, code: '{"x": {"deepkey": 1}}'}
"#;

const TOML_KEY_RULE: &str = r#"id: toml-key
title: A meta_scopes key in TOML
category: jwt-credential-config
severity: high
confidence: high
deadline: jwt-shutdown
files:
  languages: [toml]
keywords: ["meta_scopes"]
match:
  key: "**.meta_scopes"
message: m
remediation: r
references: []
docs: {what: w, why: y}
examples:
  match:
    - {path: a.toml, code: "[a]\nmeta_scopes = 1\n"}
  no_match:
    - {path: a.toml, code: "[a]\nscopes = 1\n"}
"#;
