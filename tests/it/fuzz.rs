//! Fuzz-style property tests (proptest, stable Rust): random and mutated
//! inputs, starting from the real files (rules/, the documented
//! jwt2oauth.toml, fixtures' .env, PEM, JSON, YAML, TOML, a baseline), go to
//! every loader and parser. They return errors, never panic; errors name
//! their file; parsed structures stay inside their input; redaction leaks
//! nothing. `PROPTEST_CASES` sets the cases per property (default 256).

use std::path::Path;
use std::sync::LazyLock;

use crate::common::mutate::{Mutation, apply, cases, lossy, mutations};
use crate::common::planted::{Planted, Secret, find_leak};
use jwt2oauth::baseline::Baseline;
use jwt2oauth::config::Config;
use jwt2oauth::engine::Engine;
use jwt2oauth::engine::structured::{Format, flatten};
use jwt2oauth::engine::{identifiers, keys};
use jwt2oauth::rules::RuleSet;
use jwt2oauth::rules::load::{SourceFile, builtin_files, load_layers};
use proptest::prelude::*;
use proptest::sample::Index;

static PLANTED: LazyLock<Planted> = LazyLock::new(Planted::new);

/// The secrets a mutation may plant (whole, on one line).
fn plantable() -> Vec<String> {
    let p = &*PLANTED;
    vec![
        p.client_secret.clone(),
        p.jwt.clone(),
        p.access_token.clone(),
        p.json_escaped_pem(),
        p.bare_pkcs8.clone(),
    ]
}

fn secrets() -> Vec<Secret> {
    PLANTED.secrets()
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(crate::common::root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The jwt2oauth.toml documented in docs/ci.md.
static DOC_CONFIG: LazyLock<String> = LazyLock::new(|| {
    let doc = String::from_utf8(fixture("docs/ci.md")).expect("utf-8");
    let start = doc.find("```toml\n").expect("a toml block in docs/ci.md") + 8;
    let len = doc[start..].find("```").expect("closed");
    doc[start..start + len].to_string()
});

static BUILTIN: LazyLock<RuleSet> =
    LazyLock::new(|| jwt2oauth::rules::load(&[], false).expect("built-in rules load"));

/// The built-in rule, deadline and remediation files (fix templates under
/// rules/fixes/ are not rules: src/fix/catalog.rs tests them).
static RULE_FILES: LazyLock<Vec<SourceFile>> = LazyLock::new(|| {
    builtin_files()
        .into_iter()
        .filter(|f| !jwt2oauth::rules::load::is_fix_file(&f.name))
        .collect()
});

const BASELINE: &str = r#"{
  "version": 1,
  "entries": [
    { "path": "keys/private.key", "rule_id": "adobe-jwt-private-key-pair", "fingerprint": "3f1c9a", "reason": "rotating in PLAT-1", "until": "2027-01-31" },
    { "path": "src/auth.js", "rule_id": "jwt-exchange-endpoint", "fingerprint": "a0b1c2" }
  ]
}
"#;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        ..ProptestConfig::default()
    }
}

/// Mutations without planted secrets, then one secret planted last (so no
/// later edit cuts it into fragments no redaction could recognise).
fn with_secret(seed: &[u8], muts: &[Mutation], at: &Index, which: &Index) -> Vec<u8> {
    let mut b = apply(seed, muts, &[]);
    let s = plantable();
    let k = at.index(b.len() + 1);
    b.splice(k..k, s[which.index(s.len())].bytes());
    b
}

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 23)
}

/// Runs every rule of `set` over `text` at `path` (all rules, prefilter off
/// and on), with siblings present.
fn run_engine(set: &RuleSet, path: &str, text: &[u8]) {
    let engine = Engine::new(set, today(), 90);
    let mut scratch = Vec::new();
    for prefilter in [false, true] {
        let scan = engine.scan(path, text, &|_| true, prefilter, &mut scratch);
        for d in &scan.findings {
            assert!(d.finding.location.line >= 1);
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// A mutated rule file (or deadlines/remediations file) loads or gives
    /// errors that name it; a rule that still loads runs on its own text.
    #[test]
    fn rule_files(which in any::<Index>(), muts in mutations(6)) {
        let files = &*RULE_FILES;
        let seed = &files[which.index(files.len())];
        let contents = lossy(&apply(seed.contents.as_bytes(), &muts, &plantable()));
        let mut layer: Vec<SourceFile> = files
            .iter()
            .filter(|f| f.name != seed.name && (f.name.ends_with("deadlines.yaml") || f.name.ends_with("remediations.yaml")))
            .cloned()
            .collect();
        layer.push(SourceFile { name: seed.name.clone(), contents: contents.clone() });
        let mut errors = Vec::new();
        let set = load_layers(vec![layer], &mut errors);
        for e in &errors {
            prop_assert!(e.to_string().starts_with("rules/"), "{e}");
        }
        if set.rules.is_empty() && !seed.name.ends_with("deadlines.yaml") && !seed.name.ends_with("remediations.yaml") {
            prop_assert!(!errors.is_empty(), "a rule vanished without an error");
        }
        run_engine(&set, "src/auth.js", contents.as_bytes());
        for r in &set.rules {
            for ex in r.spec.examples.matches.iter().chain(&r.spec.examples.no_match) {
                run_engine(&set, ex.path.as_deref().unwrap_or("x.txt"), ex.code.as_bytes());
            }
        }
    }

    /// Rule file errors quote no planted secret.
    #[test]
    fn rule_errors_leak_nothing(which in any::<Index>(), muts in mutations(4), at in any::<Index>(), s in any::<Index>()) {
        let files = &*RULE_FILES;
        let seed = &files[which.index(files.len())];
        let file = SourceFile { name: "user/rule.yaml".into(), contents: lossy(&with_secret(seed.contents.as_bytes(), &muts, &at, &s)) };
        let mut errors = Vec::new();
        let _ = load_layers(vec![vec![file]], &mut errors);
        for e in &errors {
            let msg = e.to_string();
            prop_assert!(msg.starts_with("user/rule.yaml"), "{msg}");
            prop_assert!(find_leak(&msg, &secrets()).is_none(), "{msg}");
        }
    }

    /// Arbitrary text as a rule file.
    #[test]
    fn random_rule_text(text in any::<String>()) {
        let mut errors = Vec::new();
        let file = SourceFile { name: "r.yaml".into(), contents: text };
        prop_assert!(jwt2oauth::rules::load::parse_rule(&file, &mut errors).is_none());
        prop_assert!(!errors.is_empty());
    }

    /// A mutated jwt2oauth.toml parses, or its error names the file and a
    /// line inside it and quotes no secret; a parsed one applies cleanly
    /// or with such an error.
    #[test]
    fn config_files(muts in mutations(6), at in any::<Index>(), s in any::<Index>()) {
        let text = lossy(&with_secret(DOC_CONFIG.as_bytes(), &muts, &at, &s));
        let lines = text.lines().count() + 1;
        let check = |msg: String| -> Result<(), TestCaseError> {
            let rest = msg.strip_prefix("jwt2oauth.toml:").unwrap_or_else(|| panic!("{msg}"));
            let line: usize = rest.split(':').next().and_then(|l| l.parse().ok()).unwrap_or(0);
            prop_assert!((1..=lines).contains(&line), "{msg}");
            prop_assert!(find_leak(&msg, &secrets()).is_none(), "{msg}");
            Ok(())
        };
        match Config::parse(Path::new("jwt2oauth.toml"), text.clone()) {
            Err(e) => check(e.to_string())?,
            Ok(c) => {
                let mut set = BUILTIN.clone();
                if let Err(e) = c.apply(&mut set) {
                    check(e.to_string())?;
                }
                let _ = c.ignores();
                let _ = c.filter.allows("src/a.py");
            }
        }
    }

    /// Arbitrary text as a config.
    #[test]
    fn random_config_text(text in any::<String>()) {
        if let Ok(c) = Config::parse(Path::new("c.toml"), text) {
            let _ = c.apply(&mut BUILTIN.clone());
        }
    }

    /// Mutated .env, .properties, JSON, YAML and TOML: entries stay inside
    /// the text (on character boundaries); parse errors quote no secret.
    #[test]
    fn structured_files(which in any::<Index>(), muts in mutations(6), at in any::<Index>(), s in any::<Index>()) {
        let seeds: &[(&str, Format)] = &[
            ("fixtures/corpus/env/.env", Format::Env),
            ("fixtures/corpus/negative/github-app/.env", Format::Env),
            ("fixtures/corpus/java-aio/workspace.properties", Format::Properties),
            ("fixtures/ims/workspace.json", Format::Json),
            ("fixtures/corpus/aio/workspace.json", Format::Json),
            ("fixtures/broken-config/console.json", Format::Json),
            ("fixtures/corpus/ust/connector-umapi.yml", Format::Yaml),
            ("fixtures/corpus/deploy/helm/values.yaml", Format::Yaml),
            ("fixtures/corpus/.github/workflows/deploy.yml", Format::Yaml),
            ("fixtures/corpus/toml/adobe.toml", Format::Toml),
        ];
        let (path, format) = seeds[which.index(seeds.len())];
        let text = lossy(&with_secret(&fixture(path), &muts, &at, &s));
        match flatten(format, &text) {
            Ok(entries) => {
                for e in entries {
                    prop_assert!(e.start <= e.end && e.end <= text.len(), "{e:?}");
                    prop_assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
                    if format == Format::Env {
                        prop_assert_eq!(Some(&text[e.start..e.end]), e.path.last().map(String::as_str));
                    }
                }
            }
            Err(msg) => prop_assert!(find_leak(&msg.to_string(), &secrets()).is_none(), "{msg}"),
        }
    }

    /// Arbitrary text in every structured format.
    #[test]
    fn random_structured_text(text in any::<String>()) {
        for f in [Format::Json, Format::Yaml, Format::Toml, Format::Env, Format::Properties] {
            if let Ok(entries) = flatten(f, &text) {
                prop_assert!(entries.iter().all(|e| e.start <= e.end && e.end <= text.len()));
            }
        }
    }

    /// Mutated PEM keys and certificates through the X.509 parser, the
    /// identifier extraction and the whole engine.
    #[test]
    fn pem_and_x509(which in any::<Index>(), muts in mutations(8), start in any::<Index>()) {
        let seeds = [
            "fixtures/corpus/keys/certificate_pub.crt",
            "fixtures/ims/other_certificate_pub.crt",
            "fixtures/ims/private.key",
            "fixtures/ims/private_pkcs1.key",
            "fixtures/ims/private_encrypted.key",
            "fixtures/corpus/keys/private.key",
        ];
        let seed = seeds[which.index(seeds.len())];
        let bytes = apply(&fixture(seed), &muts, &plantable());
        let _ = keys::certificate_not_after(&bytes, start.index(bytes.len() + 1));
        let _ = keys::date_in(&lossy(&bytes));
        let _ = identifiers::extract(&bytes);
        let _ = identifiers::key_fingerprint(&bytes);
        let name = if seed.ends_with(".crt") { "keys/certificate_pub.crt" } else { "keys/private.key" };
        run_engine(&BUILTIN, name, &bytes);
    }

    /// A mutated baseline parses (and round-trips) or gives an error naming
    /// the file and quoting no secret.
    #[test]
    fn baselines(muts in mutations(6), at in any::<Index>(), s in any::<Index>()) {
        let text = lossy(&with_secret(BASELINE.as_bytes(), &muts, &at, &s));
        match Baseline::parse_file(Path::new("b.json"), &text) {
            Ok(b) => {
                let again = Baseline::parse_file(Path::new("b.json"), &b.to_json());
                prop_assert_eq!(again.ok().map(|x| x.to_json()), Some(b.to_json()));
                let _ = b.ignores();
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.contains("b.json"), "{msg}");
                prop_assert!(find_leak(&msg, &secrets()).is_none(), "{msg}");
            }
        }
    }

    /// Suppression comments: the rule id is found when listed, the reason
    /// is one line and redacted.
    #[test]
    fn suppression_comments(
        before in "[ -~]{0,20}", ids in prop::collection::vec("[a-z0-9-]{1,20}", 0..4),
        listed in any::<bool>(), reason in "[ -~]{0,40}", secret in any::<Index>(), junk in any::<Vec<u8>>(),
    ) {
        let rule = "jwt-exchange-endpoint";
        prop_assume!(!before.contains("jwt2oauth") && !ids.iter().any(|i| i == rule));
        let mut all = ids.clone();
        if listed { all.push(rule.to_string()); }
        let s = plantable();
        let line = format!("{before} jwt2oauth:ignore[{}] {reason} {}", all.join(", "), s[secret.index(s.len())]);
        let got = jwt2oauth::suppress::inline_reason(line.as_bytes(), rule);
        prop_assert_eq!(got.is_some(), listed, "{}", line);
        if let Some(r) = got {
            prop_assert!(!r.contains('\n') && !r.contains('\r'));
            prop_assert!(find_leak(&r, &secrets()).is_none(), "{r}");
        }
        let _ = jwt2oauth::suppress::inline_reason(&junk, rule);
    }
}

/// The seeds are valid, so that mutations start from real, parseable files.
#[test]
fn seeds_are_valid() {
    let c = Config::parse(Path::new("jwt2oauth.toml"), DOC_CONFIG.clone()).expect("docs config");
    c.apply(&mut BUILTIN.clone()).expect("docs config applies");
    assert_eq!(
        Baseline::parse_file(Path::new("b.json"), BASELINE)
            .expect("baseline")
            .entries
            .len(),
        2
    );
    for (path, format) in [
        ("fixtures/corpus/env/.env", Format::Env),
        ("fixtures/ims/workspace.json", Format::Json),
        ("fixtures/corpus/deploy/helm/values.yaml", Format::Yaml),
        ("fixtures/corpus/toml/adobe.toml", Format::Toml),
    ] {
        let entries = flatten(format, &lossy(&fixture(path))).expect(path);
        assert!(!entries.is_empty(), "{path}");
    }
    for cert in [
        "fixtures/corpus/keys/certificate_pub.crt",
        "fixtures/ims/other_certificate_pub.crt",
    ] {
        assert!(
            keys::certificate_not_after(&fixture(cert), 0).is_some(),
            "{cert}"
        );
    }
}
