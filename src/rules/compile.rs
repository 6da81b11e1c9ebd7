//! Turns a parsed [`RuleSpec`] into a runnable [`Rule`], checking everything
//! serde cannot: regexes compile (within a size cap), globs and language
//! names are valid, exactly one matcher kind per node, keywords present.

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};

use super::model::{MatcherSpec, RuleSpec, Seed};
use crate::diagnostic::Code;
use crate::engine::structured::KeyPattern;
use crate::scan::classify::language_globs;

/// Compiled regexes may use at most this much memory each: a user's rule
/// cannot make the scan blow up (the `regex` crate is linear-time already).
pub const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;

/// A compiled matcher node.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    /// Drops a match of this node when any of these matches near it.
    pub not: Vec<Node>,
    /// Distance (lines) to the match this node qualifies; `None`: anywhere.
    pub within: Option<u32>,
}

/// What a node tests.
#[derive(Debug, Clone)]
pub enum NodeKind {
    Regex {
        re: Regex,
        hit: Option<usize>,
    },
    /// A key path in a structured config file, optionally with a value regex.
    Key {
        pattern: KeyPattern,
        value: Option<Regex>,
    },
    Any(Vec<Node>),
    All(Vec<Node>),
    Sibling(String),
    /// The cross-file pass's seed categories and rules (never matches
    /// within a file).
    CallsOf(Vec<Seed>),
}

/// A rule ready to run.
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    /// Where it was loaded from (`rules/x.yaml` for built-ins, or a path).
    pub origin: String,
    include: Option<GlobSet>,
    languages: Option<GlobSet>,
    exclude: Option<GlobSet>,
    /// Lowercased prefilter keywords.
    pub keywords: Vec<String>,
    pub root: Node,
}

impl Rule {
    /// Whether the prefilter leaves the rule's keywords to its files: its
    /// `files.include` names them (manifests, CI files, `action.yml`) at any
    /// depth, so [`Rule::may_apply_to`] on a file's full path is enough to
    /// know where to look, and a keyword as common as `jwt` costs nothing
    /// in the other files.
    pub fn gated_by_path(&self) -> bool {
        self.include.is_some()
            && !self.keywords.is_empty()
            && self.spec.needs.in_file.is_empty()
            && self.spec.files.include.iter().all(|g| !g.starts_with('/'))
    }

    /// Whether `files.include` may match the file at `path` (any form of
    /// its path: globs that match at any depth match its full path too, so
    /// this is never narrower than [`Rule::applies_to`] for such rules).
    pub fn may_apply_to(&self, path: &std::path::Path) -> bool {
        self.include.as_ref().is_none_or(|s| s.is_match(path))
    }

    /// Whether the rule applies to a file at this relative path: not
    /// excluded, matching `files.include` (when given) and of one of
    /// `files.languages` (when given). Path globs match at any depth, the
    /// way `.gitignore` patterns without a leading `/` do, so a nested
    /// project's `.github/workflows/*` is checked whatever the scan root
    /// (see [`any_depth`]).
    pub fn applies_to(&self, rel_path: &str) -> bool {
        if self.exclude.as_ref().is_some_and(|s| s.is_match(rel_path)) {
            return false;
        }
        let name_only = rel_path.rsplit('/').next().unwrap_or(rel_path);
        self.include.as_ref().is_none_or(|s| s.is_match(rel_path))
            && self
                .languages
                .as_ref()
                .is_none_or(|s| s.is_match(name_only))
    }
}

/// A rule's path glob as matched against the path relative to the scan
/// root: anchored only when it starts with `/` (then at the scan root),
/// else at any directory depth (`**/` prefixed), so findings do not depend
/// on whether a repository or its parent was scanned.
pub fn any_depth(glob: &str) -> String {
    match glob.strip_prefix('/') {
        Some(anchored) => anchored.to_string(),
        None if glob.starts_with("**") => glob.to_string(),
        None => format!("**/{glob}"),
    }
}

/// One problem in one field of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// A dotted path like `match.all[1].regex`.
    pub field: String,
    pub message: String,
    pub code: Code,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    coded(Code::RuleFieldInvalid, field, message)
}

fn coded(code: Code, field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
        code,
    }
}

/// Compiles a rule, returning every problem found (not only the first).
pub fn compile(spec: RuleSpec, origin: &str) -> Result<Rule, Vec<FieldError>> {
    let mut errors = Vec::new();
    check_metadata(&spec, &mut errors);
    let include = build_globs("files.include", &spec.files.include, &[], &mut errors);
    let languages = build_globs("files.languages", &[], &spec.files.languages, &mut errors);
    let exclude = build_globs("files.exclude", &spec.files.exclude, &[], &mut errors);
    let root = compile_node(&spec.matcher, "match", true, &mut errors);
    let keywords: Vec<String> = spec
        .keywords
        .iter()
        .map(|k| k.to_ascii_lowercase())
        .collect();
    match root {
        Some(root) if errors.is_empty() => Ok(Rule {
            spec,
            origin: origin.to_string(),
            include,
            languages,
            exclude,
            keywords,
            root,
        }),
        _ => Err(errors),
    }
}

fn check_metadata(spec: &RuleSpec, errors: &mut Vec<FieldError>) {
    let id_ok = !spec.id.is_empty()
        && spec
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !spec.id.starts_with('-');
    if !id_ok {
        errors.push(err(
            "id",
            "must be kebab-case: lowercase letters, digits and '-'",
        ));
    }
    for (field, value) in [
        ("title", &spec.title),
        ("message", &spec.message),
        ("remediation", &spec.remediation),
        ("docs.what", &spec.docs.what),
        ("docs.why", &spec.docs.why),
    ] {
        if value.trim().is_empty() {
            errors.push(err(field, "must not be empty"));
        }
    }
    let cross_file = spec.matcher.calls_of.is_some();
    if spec.keywords.is_empty() && !cross_file {
        errors.push(err(
            "keywords",
            "at least one keyword is required (the prefilter)",
        ));
    }
    for (i, k) in spec.keywords.iter().enumerate() {
        if k.trim().len() < 3 {
            errors.push(err(
                format!("keywords[{i}]"),
                "a keyword needs at least 3 characters",
            ));
        }
    }
    match (&spec.deadline, spec.category) {
        (None, c) if c.counts_for_gate() => errors.push(err(
            "deadline",
            "required for every category but oauth-s2s and aem-service",
        )),
        _ => {}
    }
    for (i, r) in spec.references.iter().enumerate() {
        if !r.starts_with("https://") {
            errors.push(err(format!("references[{i}]"), "must be an https:// URL"));
        }
    }
    if cross_file && spec.examples.matches.iter().any(|e| e.defined_in.is_none()) {
        errors.push(err(
            "examples.match",
            "every example of a `calls_of` rule needs `defined_in` (the file that defines the name)",
        ));
    }
    if spec.examples.matches.is_empty() {
        errors.push(err(
            "examples.match",
            "at least one example that must match is required",
        ));
    }
    if spec.examples.no_match.is_empty() {
        errors.push(err(
            "examples.no_match",
            "at least one example that must not match is required",
        ));
    }
}

fn build_globs(
    field: &str,
    globs: &[String],
    languages: &[String],
    errors: &mut Vec<FieldError>,
) -> Option<GlobSet> {
    if globs.is_empty() && languages.is_empty() {
        return None;
    }
    let mut b = GlobSetBuilder::new();
    for (i, g) in globs.iter().enumerate() {
        match Glob::new(&any_depth(g)) {
            Ok(g) => {
                b.add(g);
            }
            Err(e) => errors.push(err(format!("{field}[{i}]"), format!("invalid glob: {e}"))),
        }
    }
    for (i, lang) in languages.iter().enumerate() {
        match language_globs(lang) {
            Some(gs) => {
                for g in gs {
                    if let Ok(g) = Glob::new(g) {
                        b.add(g);
                    }
                }
            }
            None => errors.push(err(
                format!("files.languages[{i}]"),
                format!("unknown language {lang:?} (see README, \"Writing a rule\")"),
            )),
        }
    }
    match b.build() {
        Ok(set) => Some(set),
        Err(e) => {
            errors.push(err(field, e.to_string()));
            None
        }
    }
}

/// A regex may expand to at most this many positions once its counted
/// repetitions are unrolled (`[a-z]{1,300}` is 300, `(?:ab){1,10}` 20).
/// Linear time is not enough: the work per byte can grow with this number.
/// Past about 3,000 the lazy DFA's cache thrashes on a run of letters and
/// the regex crate falls back to its NFA simulation, which does that many
/// steps per byte (`[a-z]{1,4000}x` took over 5 minutes on one 8 MiB file,
/// `[a-z]{1,3000}x` 0.6 s). The built-in rules need up to 305 (a base64
/// key body `MII[A-Za-z0-9+/]{300,}`). docs/reliability.md has the figures.
pub const REGEX_EXPANSION_LIMIT: u64 = 1000;

/// How many positions `hir` has once counted repetitions are unrolled
/// (saturating): literals count their bytes, classes one, a repetition its
/// body times its upper bound (or lower bound when unbounded).
fn expansion(hir: &regex_syntax::hir::Hir) -> u64 {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 0,
        HirKind::Literal(l) => l.0.len() as u64,
        HirKind::Class(_) => 1,
        HirKind::Repetition(r) => {
            let times = u64::from(r.max.unwrap_or(r.min).max(1));
            expansion(&r.sub).saturating_mul(times)
        }
        HirKind::Capture(c) => expansion(&c.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs
            .iter()
            .fold(0u64, |acc, h| acc.saturating_add(expansion(h))),
    }
}

/// [`expansion`] of a pattern, parsed as `regex::bytes` does; `None` when
/// it does not parse (the regex compiler reports that).
fn unrolled(pattern: &str) -> Option<u64> {
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    Some(expansion(&hir))
}

/// The error for a pattern whose counted repetitions unroll past
/// [`REGEX_EXPANSION_LIMIT`], if it does.
fn expansion_error(pattern: &str) -> Option<String> {
    let n = unrolled(pattern)?;
    (n > REGEX_EXPANSION_LIMIT).then(|| {
        format!(
            "regex too costly: its counted repetitions unroll to {n} positions, over the \
             limit of {REGEX_EXPANSION_LIMIT} (matching does that much work per byte scanned: \
             use `+` or `*` instead of large bounds such as {{1,1000}})"
        )
    })
}

/// What in `pattern` keeps the `regex` crate off its DFAs on real input, if
/// anything: a Unicode word boundary (`\b`, `\B`, `\b{start}`, `\<`, ...
/// without `(?-u)`). The lazy DFA cannot decide a Unicode word boundary
/// next to a non-ASCII byte, so it gives up on any haystack that has one
/// and the whole search runs on the PikeVM or the backtracker, ten to a
/// hundred times slower (most real files hold a non-ASCII byte somewhere:
/// a name in a comment, a `©`). An ASCII boundary, `(?-u:\b)`, stays on
/// the DFA. Other look-around (look-ahead, look-behind, back-references)
/// the crate rejects when it compiles. `None` when the pattern does not
/// parse (compilation reports that).
pub fn dfa_blocker(pattern: &str) -> Option<&'static str> {
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    hir.properties()
        .look_set()
        .contains_word_unicode()
        .then_some("a Unicode word boundary (`\\b`, `\\B`, `\\b{start}`, `\\<`, ...)")
}

/// Every regex of a matcher tree with its field path (`match.all[0].regex`,
/// `match.not[1].value`), in rule order.
pub fn regexes<'n>(node: &'n Node, field: &str, out: &mut Vec<(String, &'n Regex)>) {
    match &node.kind {
        NodeKind::Regex { re, .. } => out.push((format!("{field}.regex"), re)),
        NodeKind::Key {
            value: Some(re), ..
        } => out.push((format!("{field}.value"), re)),
        NodeKind::Any(children) => {
            for (i, c) in children.iter().enumerate() {
                regexes(c, &format!("{field}.any[{i}]"), out);
            }
        }
        NodeKind::All(children) => {
            for (i, c) in children.iter().enumerate() {
                regexes(c, &format!("{field}.all[{i}]"), out);
            }
        }
        NodeKind::Key { value: None, .. } | NodeKind::Sibling(_) | NodeKind::CallsOf(_) => {}
    }
    for (i, n) in node.not.iter().enumerate() {
        regexes(n, &format!("{field}.not[{i}]"), out);
    }
}

fn build_regex(pattern: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<Regex> {
    let re = build_capped(pattern, field, errors)?;
    if let Some(message) = expansion_error(pattern) {
        errors.push(coded(Code::RuleRegexInvalid, field, message));
        return None;
    }
    Some(re)
}

/// Compiles `pattern` within [`REGEX_SIZE_LIMIT`] (a regex over it fails
/// fast, before the expansion check parses it again).
fn build_capped(pattern: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<Regex> {
    // CRLF mode: with `(?m)`, `^` and `$` also meet `\r\n` line ends (a
    // requirements.txt written on Windows), and `.` stops before a `\r`.
    match RegexBuilder::new(pattern)
        .crlf(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
    {
        Ok(re) => Some(re),
        Err(regex::Error::CompiledTooBig(limit)) => {
            errors.push(coded(
                Code::RuleRegexInvalid,
                field,
                format!(
                    "regex too large: compiled, it exceeds the limit of {} MiB per regex \
                     (counted repetitions such as {{1000}} and Unicode classes such as \\w \
                     multiply its size: use smaller counts, or ASCII classes such as (?-u:\\w))",
                    limit / (1024 * 1024)
                ),
            ));
            None
        }
        Err(e) => {
            errors.push(coded(
                Code::RuleRegexInvalid,
                field,
                format!("invalid regex: {e}"),
            ));
            None
        }
    }
}

fn compile_node(
    spec: &MatcherSpec,
    field: &str,
    is_root: bool,
    errors: &mut Vec<FieldError>,
) -> Option<Node> {
    let kinds = [
        spec.regex.is_some(),
        spec.any.is_some(),
        spec.all.is_some(),
        spec.sibling_file.is_some(),
        spec.key.is_some(),
        spec.calls_of.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if kinds != 1 {
        errors.push(err(
            field,
            "needs exactly one of `regex`, `any`, `all`, `sibling_file`, `key`, `calls_of`",
        ));
        return None;
    }
    if is_root && spec.within.is_some() {
        errors.push(err(
            format!("{field}.within"),
            "only children of `all` or `not` take `within`",
        ));
    }
    if spec.value.is_some() && spec.key.is_none() {
        errors.push(err(
            format!("{field}.value"),
            "only valid together with `key`",
        ));
    }
    if spec.calls_of.is_some() && !is_root {
        errors.push(err(
            format!("{field}.calls_of"),
            "only the root matcher can be `calls_of`",
        ));
        return None;
    }
    let kind = if let Some(categories) = &spec.calls_of {
        if categories.is_empty() {
            errors.push(err(format!("{field}.calls_of"), "must not be empty"));
            return None;
        }
        NodeKind::CallsOf(categories.clone())
    } else if let Some(pattern) = &spec.regex {
        let re = build_regex(pattern, &format!("{field}.regex"), errors)?;
        let hit = re.capture_names().position(|n| n == Some("hit"));
        NodeKind::Regex { re, hit }
    } else if let Some(k) = &spec.key {
        let pattern = match KeyPattern::new(k) {
            Ok(p) => p,
            Err(e) => {
                errors.push(coded(
                    Code::RuleKeyPatternInvalid,
                    format!("{field}.key"),
                    e.to_string(),
                ));
                return None;
            }
        };
        let value = match &spec.value {
            Some(v) => Some(build_regex(v, &format!("{field}.value"), errors)?),
            None => None,
        };
        NodeKind::Key { pattern, value }
    } else if let Some(children) = spec.any.as_ref().or(spec.all.as_ref()) {
        let key = if spec.any.is_some() { "any" } else { "all" };
        if children.is_empty() {
            errors.push(err(format!("{field}.{key}"), "must not be empty"));
            return None;
        }
        let nodes: Vec<Node> = children
            .iter()
            .enumerate()
            .filter_map(|(i, c)| compile_node(c, &format!("{field}.{key}[{i}]"), false, errors))
            .collect();
        if nodes.len() != children.len() {
            return None;
        }
        if key == "all" {
            if matches!(nodes[0].kind, NodeKind::Sibling(_)) {
                errors.push(err(
                    format!("{field}.all[0]"),
                    "the first child of `all` must match text",
                ));
            }
            NodeKind::All(nodes)
        } else {
            NodeKind::Any(nodes)
        }
    } else if let Some(name) = &spec.sibling_file {
        if is_root {
            errors.push(err(
                format!("{field}.sibling_file"),
                "must be a child of `all` or `not`",
            ));
        }
        if name.contains('/') || name.contains('\\') || name.is_empty() {
            errors.push(err(
                format!("{field}.sibling_file"),
                "must be a plain file name",
            ));
        }
        NodeKind::Sibling(name.clone())
    } else {
        return None;
    };
    let mut not = Vec::new();
    for (i, n) in spec.not.iter().flatten().enumerate() {
        not.extend(compile_node(n, &format!("{field}.not[{i}]"), false, errors));
    }
    Some(Node {
        kind,
        not,
        within: spec.within,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_with_files(files: &str) -> Rule {
        let yaml = format!(
            "id: t\ntitle: t\ncategory: jwt-library\nseverity: high\nconfidence: high\n\
             deadline: jwt-shutdown\nfiles:\n{files}\nkeywords: [xyz]\nmatch:\n  regex: xyz\n\
             message: m\nremediation: r\nreferences: []\ndocs: {{what: w, why: y}}\n\
             examples: {{match: [{{path: a, code: xyz}}], no_match: [{{path: a, code: q}}]}}\n"
        );
        let spec: RuleSpec = serde_saphyr::from_str(&yaml).expect("spec parses");
        compile(spec, "t.yaml").expect("compiles")
    }

    /// Bug: `.github/workflows/*` matched only at the scan root, so nested
    /// projects' CI files (and every repository's when a directory of
    /// checkouts was scanned) were never checked.
    #[test]
    fn path_globs_match_at_any_depth_unless_anchored() {
        let r = rule_with_files("  include: [\".github/workflows/*\", \"requirements/*.txt\"]");
        for p in [
            ".github/workflows/ci.yml",
            "repo/.github/workflows/ci.yml",
            "a/b/.github/workflows/deploy.yaml",
            "svc/requirements/base.txt",
        ] {
            assert!(r.applies_to(p), "{p}");
        }
        for p in ["ci.yml", "github/workflows/ci.yml", "repo/requirements.txt"] {
            assert!(!r.applies_to(p), "{p}");
        }
        let anchored = rule_with_files("  include: [\"/scripts/**\"]");
        assert!(anchored.applies_to("scripts/job.py"));
        assert!(!anchored.applies_to("other/scripts/job.py"));
    }

    /// Bug: `languages` and `include` were one union, so the README's example
    /// (`languages: [python, code]`, `include: ["scripts/**"]`) matched a
    /// top-level `job.py`. A file must satisfy both.
    #[test]
    fn include_and_languages_must_both_hold() {
        let r = rule_with_files(
            "  languages: [python]\n  include: [\"scripts/**\"]\n  exclude: [\"*_test.py\"]",
        );
        assert!(r.applies_to("scripts/job.py"));
        assert!(r.applies_to("svc/scripts/job.py"));
        assert!(!r.applies_to("job.py"));
        assert!(!r.applies_to("scripts/job.sh"));
        assert!(!r.applies_to("scripts/job_test.py"));
    }

    fn unrolled_ok(pattern: &str) -> u64 {
        unrolled(pattern).expect("valid pattern")
    }

    #[test]
    fn expansion_counts_unrolled_positions() {
        assert_eq!(unrolled_ok("abc"), 3);
        assert_eq!(unrolled_ok("[a-z]+"), 1);
        assert_eq!(unrolled_ok("[a-z]{1,300}"), 300);
        assert_eq!(unrolled_ok("[a-z]{64,}"), 64);
        assert_eq!(unrolled_ok("(?:ab){1,10}"), 20);
        assert_eq!(unrolled_ok("(?:a|bc){2}"), 6);
        assert_eq!(unrolled_ok(r"\b(?m:^)$"), 0);
        assert_eq!(unrolled_ok("(?:(?:a{10}){10}){10}"), 1000);
        assert_eq!(unrolled_ok("(?:a{65535}){65535}{65535}"), 65535u64.pow(3));
    }

    fn max_unrolled(node: &Node) -> u64 {
        let own = match &node.kind {
            NodeKind::Regex { re, .. } => unrolled_ok(re.as_str()),
            NodeKind::Key {
                value: Some(re), ..
            } => unrolled_ok(re.as_str()),
            _ => 0,
        };
        let children: &[Node] = match &node.kind {
            NodeKind::Any(c) | NodeKind::All(c) => c,
            _ => &[],
        };
        children
            .iter()
            .chain(node.not.iter())
            .map(max_unrolled)
            .fold(own, u64::max)
    }

    /// The built-in rules stay below the limit (305: a base64 key body).
    #[test]
    fn builtin_rules_unroll_to_at_most_305() {
        let mut errors = Vec::new();
        let set =
            crate::rules::load::load_layers(vec![crate::rules::load::builtin_files()], &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let worst = set
            .rules
            .iter()
            .map(|r| (max_unrolled(&r.root), r.spec.id.clone()))
            .max()
            .expect("rules");
        eprintln!("largest built-in expansion: {worst:?}");
        assert!(worst.0 <= 305, "{worst:?}");
    }

    #[test]
    fn costly_patterns_are_errors_and_cheap_ones_are_not() {
        for ok in ["[a-z]{1,1000}", "(?i)ims/exchange/jwt", "[ab]*a[ab]{990}x"] {
            assert_eq!(expansion_error(ok), None, "{ok}");
        }
        for costly in [
            "[a-z]{1,4000}x",
            "(?:a|b|ab|ba){1,1000}c",
            "(?:.{1,50}a){1,20}x",
        ] {
            let e = expansion_error(costly).unwrap_or_default();
            assert!(e.contains("regex too costly"), "{costly}: {e}");
        }
    }
}
