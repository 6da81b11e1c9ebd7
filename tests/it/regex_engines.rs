//! Every built-in rule regex runs on the regex crate's DFAs on real input.
//!
//! A Unicode word boundary (`\b` without `(?-u)`) makes the lazy DFA give up
//! on the first non-ASCII byte, and the search is redone on the PikeVM: on
//! real dependency trees that was 57% of a scan's CPU (issue 14). The meta
//! regex behind `regex::bytes::Regex` tries the lazy DFA first, configured
//! as below, so a search that this DFA finishes on a non-ASCII-heavy input
//! is one that never falls back.

use jwt2oauth::rules::compile::{dfa_blocker, regexes};
use jwt2oauth::rules::load;
use regex_automata::hybrid::{dfa, regex::Regex as LazyRegex};
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchError};

/// The lazy DFA as the meta regex builds it (bytes, Unicode word boundaries
/// allowed but quitting on non-ASCII), or `None` when it cannot be built.
fn lazy_dfa(pattern: &str) -> LazyRegex {
    LazyRegex::builder()
        .syntax(syntax::Config::new().utf8(false))
        .thompson(thompson::Config::new().utf8(false))
        .dfa(dfa::Config::new().unicode_word_boundary(true))
        .build(pattern)
        .expect("lazy DFA builds")
}

/// Runs the lazy DFA over `hay`; an error is the DFA giving up.
fn lazy_search(pattern: &str, hay: &[u8]) -> Result<bool, MatchError> {
    let re = lazy_dfa(pattern);
    let mut cache = re.create_cache();
    re.try_search(&mut cache, &Input::new(hay))
        .map(|m| m.is_some())
}

/// Text like a real file in a dependency tree: code with non-ASCII names,
/// comments and strings on every line, and the rules' own examples in it.
fn non_ascii_text(examples: &[&str]) -> Vec<u8> {
    let mut out = String::new();
    for i in 0..200 {
        out.push_str(&format!(
            "// Auteur: José Müller, 日本語のコメント {i} © 2024 — naïve café\n\
             let señal_{i} = \"Grüße, Ελληνικά, русский\";\n"
        ));
        if let Some(e) = examples.get(i % examples.len().max(1)) {
            out.push_str(e);
            out.push_str("\n« fin »\n");
        }
    }
    out.into_bytes()
}

#[test]
fn the_lazy_dfa_gives_up_on_unicode_word_boundaries() {
    // The check below would prove nothing if the DFA never quit.
    let hay = non_ascii_text(&["private_key = 1"]);
    assert!(lazy_search(r"\bprivate_key\b", &hay).is_err());
    assert_eq!(lazy_search(r"(?-u:\b)private_key(?-u:\b)", &hay), Ok(true));
    assert!(dfa_blocker(r"\bx").is_some());
    assert!(dfa_blocker(r"(?i)x\B").is_some());
    assert!(dfa_blocker(r"(?i-u)\bx\b").is_none());
    assert!(dfa_blocker(r"(?-u:\b)x(?-u:\b)|(?m)^y$").is_none());
}

#[test]
fn every_builtin_regex_stays_on_the_dfa() {
    let set = load(&[], false).expect("built-in rules load");
    let mut checked = 0;
    for rule in &set.rules {
        let examples: Vec<&str> = rule
            .spec
            .examples
            .matches
            .iter()
            .map(|e| e.code.as_str())
            .collect();
        let hay = non_ascii_text(&examples);
        let mut res = Vec::new();
        regexes(&rule.root, "match", &mut res);
        for (field, re) in res {
            let id = &rule.spec.id;
            assert_eq!(dfa_blocker(re.as_str()), None, "{id} {field}");
            let found = lazy_search(re.as_str(), &hay);
            assert!(
                found.is_ok(),
                "{id} {field}: the lazy DFA gave up: {found:?}"
            );
            // The DFA agrees with the regex the scan runs.
            assert_eq!(found, Ok(re.is_match(&hay)), "{id} {field}");
            checked += 1;
        }
    }
    assert!(checked >= 60, "{checked} regexes checked");
}

#[test]
fn lint_warns_on_a_unicode_word_boundary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rule = "id: slow-boundary\ntitle: t\ncategory: jwt-claims\nseverity: low\nconfidence: low\n\
                deadline: jwt-shutdown\nfiles: {}\nkeywords: [techacct]\nmatch:\n  \
                regex: '\\btechacct\\b'\nmessage: m\nremediation: r\nreferences: [https://example.com]\n\
                docs: {what: w, why: y}\nexamples: {match: [{code: techacct}], no_match: [{code: x}]}\n";
    std::fs::write(dir.path().join("slow-boundary.yaml"), rule).expect("write");
    let out = crate::common::bin()
        .args(["rules", "lint"])
        .arg(dir.path())
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("slow-boundary: match.regex has a Unicode word boundary"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("(?-u:\\b)"), "{stdout}");
}
