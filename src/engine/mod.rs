//! Detection: runs the rules over one file's bytes and builds findings.
//!
//! Pure: no printing, no clock (it is given `today`), no file system except
//! through the `sibling_exists` callback.

mod flat;
pub mod identifiers;
mod json;
pub mod keypath;
pub mod keys;
pub mod matcher;
pub mod prefilter;
pub mod structured;
pub mod wrappers;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use aho_corasick::AhoCorasick;

use jiff::civil::Date;

use crate::finding::{Category, DeadlineInfo, Finding, Location, Related, RuleMeta, Severity};
pub use crate::finding::{Detected, FrameLine};
use crate::redact::redact_text;
use crate::rules::model::Seed;
use crate::rules::{Rule, RuleSet};
use crate::suppress::{Suppressed, SuppressionKind, inline_reason};
use matcher::{FileContext, LineIndex, Span, StructuredCache, eval};
use prefilter::Prefilter;

/// Longest line (in characters) shown in a snippet or code frame; longer
/// lines are windowed around the match.
pub const MAX_LINE_CHARS: usize = 200;

/// Most lines of one match shown in a snippet.
const MAX_SNIPPET_LINES: usize = 3;

/// On a long line, bytes each side of a match that are redacted (and read
/// for metascopes and dates) instead of the whole line: enough context for
/// every redaction pattern (a secret-named key and its value, a PEM body),
/// and a finding on a 200 MB minified line does not copy 200 MB.
const LINE_WINDOW: usize = 16 * 1024;

/// The UTF-8 byte order mark. It is not part of the text: spans and columns
/// count from after it.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What one file produced.
#[derive(Debug, Default)]
pub struct FileScan {
    pub findings: Vec<Detected>,
    pub suppressed: Vec<Suppressed>,
    /// Why part of the file could not be analysed (a config file that does
    /// not parse): the scan is incomplete for this file.
    pub errors: Vec<String>,
    /// Inline suppressions naming an unknown rule or giving no reason:
    /// (1-based line, message).
    pub warnings: Vec<(u32, String)>,
}

/// The rules of a run, compiled into one prefilter, with the date findings
/// are judged against. Cloning is cheap (the automata are shared).
#[derive(Clone)]
pub struct Engine<'r> {
    set: &'r RuleSet,
    prefilter: Prefilter,
    /// The rules for named files the prefilter leaves out, with their
    /// keywords (ASCII case-insensitive; `None` when the automaton could
    /// not be built: then the rule runs on every file it applies to).
    gated: Vec<(usize, Option<AhoCorasick>)>,
    /// Every include glob of those rules in one set: most files match
    /// none, so one match per file rules them all out (`None` if it could
    /// not be built: then each rule's own check runs on every file).
    gated_paths: Option<globset::GlobSet>,
    deadlines: Vec<Option<DeadlineInfo>>,
    today: Date,
    warn_days: i64,
    /// Rule ids an inline suppression may name besides the run's rules
    /// (those the config disables).
    also_known: Vec<String>,
    /// The repository roots (as reported, sorted) of a scan of several
    /// repositories: rule globs and fingerprints see a file's path
    /// relative to its repository's root, as when it is scanned alone.
    repo_roots: Arc<[String]>,
}

/// The rules [`Rule::gated_by_path`] with an automaton of their keywords.
fn gated_keywords(rules: &[Rule]) -> Vec<(usize, Option<AhoCorasick>)> {
    rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.gated_by_path())
        .map(|(ri, r)| {
            let ac = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&r.keywords)
                .ok();
            (ri, ac)
        })
        .collect()
}

/// One glob set of the include globs of the rules [`Rule::gated_by_path`]
/// (the same globs, made the same way, as each rule's own `include`, which
/// compiled with the rule). `None` when any does not build here: the quick
/// check must never leave out a file a rule's own check would take.
fn gated_paths(rules: &[Rule]) -> Option<globset::GlobSet> {
    let mut b = globset::GlobSetBuilder::new();
    for r in rules.iter().filter(|r| r.gated_by_path()) {
        for g in &r.spec.files.include {
            b.add(globset::Glob::new(&crate::rules::compile::any_depth(g)).ok()?);
        }
    }
    b.build().ok()
}

impl<'r> Engine<'r> {
    /// Rule ids that are not in the run but are no typo in an inline
    /// suppression (rules the config disables).
    pub fn knowing(mut self, ids: &[String]) -> Engine<'r> {
        self.also_known.extend(ids.iter().cloned());
        self
    }

    fn is_known_id(&self, id: &str) -> bool {
        self.set.rules.iter().any(|r| r.spec.id == id) || self.also_known.iter().any(|k| k == id)
    }

    /// Prepares the engine; deadlines are evaluated once per rule here.
    pub fn new(set: &'r RuleSet, today: Date, warn_days: i64) -> Engine<'r> {
        let deadlines = set
            .rules
            .iter()
            .map(|r| {
                let id = r.spec.deadline.as_deref()?;
                let d = set.deadlines.get(id)?;
                Some(DeadlineInfo::evaluate(
                    id, d.date, &d.source, today, warn_days,
                ))
            })
            .collect();
        Engine {
            set,
            prefilter: Prefilter::new(&set.rules),
            gated: gated_keywords(&set.rules),
            gated_paths: gated_paths(&set.rules),
            deadlines,
            today,
            warn_days,
            also_known: Vec::new(),
            repo_roots: Arc::from(Vec::new()),
        }
    }

    /// The repository roots (as reported) of the scan: each file's rule
    /// globs and fingerprints use its path relative to the deepest root
    /// above it (`.` changes nothing).
    pub fn in_repositories(mut self, roots: Arc<[String]>) -> Engine<'r> {
        self.repo_roots = roots;
        self
    }

    /// `path` relative to the deepest repository root above it.
    pub fn repo_relative<'p>(&self, path: &'p str) -> &'p str {
        if self.repo_roots.is_empty() {
            return path;
        }
        let mut dir = path;
        while let Some((parent, _)) = dir.rsplit_once('/') {
            if self
                .repo_roots
                .binary_search_by(|r| r.as_str().cmp(parent))
                .is_ok()
            {
                return &path[parent.len() + 1..];
            }
            dir = parent;
        }
        path
    }

    /// The rules this engine runs.
    pub fn rules(&self) -> &[Rule] {
        &self.set.rules
    }

    /// Scans one file. `candidates` is scratch space reused across files.
    /// With `use_prefilter` false every applicable rule runs (for tests that
    /// prove the prefilter loses nothing).
    pub fn scan(
        &self,
        rel_path: &str,
        text: &[u8],
        sibling_exists: &dyn Fn(&str) -> bool,
        use_prefilter: bool,
        candidates: &mut Vec<bool>,
    ) -> FileScan {
        if !self.candidates(Path::new(rel_path), text, use_prefilter, candidates) {
            return FileScan::default();
        }
        self.scan_candidates(rel_path, text, sibling_exists, candidates)
    }

    /// Whether any rule runs the cross-file pass (a `calls_of` matcher).
    pub fn has_cross_file_rules(&self) -> bool {
        self.cross_file_rules().next().is_some()
    }

    fn cross_file_rules(&self) -> impl Iterator<Item = (usize, &Rule, &[Seed])> {
        self.set
            .rules
            .iter()
            .enumerate()
            .filter_map(|(ri, r)| match &r.root.kind {
                crate::rules::compile::NodeKind::CallsOf(c) => Some((ri, r, c.as_slice())),
                _ => None,
            })
    }

    /// The cross-file pass's first step for one file: the definitions that
    /// enclose its findings of a `calls_of` rule's seed categories.
    pub fn learn(
        &self,
        rel_path: &str,
        text: &[u8],
        findings: &[&Finding],
    ) -> Vec<wrappers::Definition> {
        let Some(family) = wrappers::Family::of(rel_path) else {
            return self.learn_config(rel_path, findings);
        };
        let text = text.strip_prefix(UTF8_BOM).unwrap_or(text);
        let li = LineIndex::new(text);
        // A metascope URL that is not set to `true` on its line (a
        // parameter's default, a docstring, a `scope` setting) says what a
        // function is configured with, not that it builds the JWT.
        // Likewise a CLI flag whose default is the exchange URL
        // (`flags.StringVar(&o.Server, "server", ".../ims/exchange/jwt/", ...)`):
        // the function declaring a CLI's flags is called by every command.
        let builds = |f: &&&Finding| {
            let (s, e) = li.line_range(text, f.location.line as usize - 1);
            match f.category {
                Category::JwtClaims => !metascope_setting(&text[s..e]),
                Category::JwtExchange => !flag_definition(&text[s..e]),
                _ => true,
            }
        };
        // A category seeds any enclosing function; a rule seed (an SDK's
        // credential builder: `Credentials.serviceAccountCredentialsBuilder()`
        // inside `extractPDF`) only the functions that hand the credentials
        // out (`getCredentials`): a business operation that builds its own
        // credentials changes inside, its callers do not.
        let seeded = |by_rule: bool| {
            let mut lines: Vec<usize> = self
                .cross_file_rules()
                .flat_map(|(_, _, seeds)| {
                    findings
                        .iter()
                        .filter(move |f| {
                            f.location.path == rel_path
                                && seeds.iter().any(|s| {
                                    matches!(s, Seed::Rule(_)) == by_rule
                                        && s.seeds(&f.rule_id, f.category)
                                })
                        })
                        // A finding that waits for evidence in its project
                        // (`needs.in_project`) may be dropped by correlation:
                        // it teaches nothing until then.
                        .filter(|f| f.needs_in_project.is_empty())
                        .filter(|f| builds(f))
                        .map(|f| f.location.line as usize - 1)
                })
                .collect();
            lines.sort_unstable();
            lines.dedup();
            lines
        };
        let (lines, rule_lines) = (seeded(false), seeded(true));
        if lines.is_empty() && rule_lines.is_empty() {
            return Vec::new();
        }
        let mut defs = if lines.is_empty() {
            Vec::new()
        } else {
            wrappers::learn(family, rel_path, text, &lines)
        };
        if !rule_lines.is_empty() {
            defs.extend(
                wrappers::learn(family, rel_path, text, &rule_lines)
                    .into_iter()
                    .filter(wrappers::hands_out_credentials),
            );
            defs.sort();
            defs.dedup();
        }
        // A helper that also does the OAuth Server-to-Server request (a
        // class or dispatcher choosing the flow from its config) is
        // dual-mode: its callers change nothing when the credential is
        // migrated, so they are not sites.
        let oauth = oauth_request_lines(text, &li);
        if !oauth.is_empty() {
            let dual: std::collections::BTreeSet<wrappers::Definition> =
                wrappers::dual_mode(family, rel_path, text, &oauth)
                    .into_iter()
                    .collect();
            defs.retain(|d| !dual.contains(d));
        }
        // A star import re-exports the module's code: only a module that
        // builds or signs the JWT or uses an Adobe JWT library counts, not
        // one that holds the exchange URL among its settings.
        let code = findings
            .iter()
            .filter(|f| f.location.path == rel_path)
            .filter(|f| matches!(f.category, Category::JwtClaims | Category::JwtLibrary))
            .filter(|f| builds(f))
            .map(|f| f.location.line as usize - 1)
            .min();
        defs.extend(code.and_then(|l| wrappers::module_definition(family, rel_path, l)));
        // A script that builds or signs the JWT or uses an Adobe JWT library
        // is run by its path from other code (any language).
        if let Some(l) = code {
            defs.extend(wrappers::script_definitions(family, rel_path, l));
        }
        defs.extend(wrappers::console_commands(family, rel_path, text));
        defs
    }

    /// A configuration file with the JWT credential's settings, learned by
    /// its name ([`wrappers::config_definitions`]) when a cross-file rule
    /// would follow it: code that names the file loads or deploys them.
    /// CI files (run, not loaded), informational findings and findings
    /// that wait for evidence in their project teach nothing.
    fn learn_config(&self, rel_path: &str, findings: &[&Finding]) -> Vec<wrappers::Definition> {
        if !self.has_cross_file_rules() {
            return Vec::new();
        }
        let first = findings
            .iter()
            .filter(|f| f.location.path == rel_path && f.needs_in_project.is_empty())
            .filter(|f| {
                !matches!(
                    f.category,
                    Category::OauthS2s | Category::AemService | Category::CiSecret
                )
            })
            .map(|f| f.location.line as usize - 1)
            .min();
        first.map_or_else(Vec::new, |l| wrappers::config_definitions(rel_path, l))
    }

    /// The cross-file pass's second step for one file: a finding of each
    /// `calls_of` rule per learned name the file uses (its first use; the
    /// others are related sites), saying where the name is defined.
    pub fn calls(&self, rel_path: &str, text: &[u8], callers: &wrappers::Callers) -> FileScan {
        let text = text.strip_prefix(UTF8_BOM).unwrap_or(text);
        let sites = callers.sites(rel_path, text);
        self.call_findings(rel_path, text, &sites)
    }

    /// The findings of each `calls_of` rule for `sites` of `text` (of file
    /// `rel_path`): per definition, its first use (the others are related
    /// sites), saying where it is defined.
    pub fn call_findings(
        &self,
        rel_path: &str,
        text: &[u8],
        sites: &[(wrappers::Definition, Vec<(usize, usize)>)],
    ) -> FileScan {
        let text = text.strip_prefix(UTF8_BOM).unwrap_or(text);
        let mut out = FileScan::default();
        if sites.is_empty() {
            return out;
        }
        let li = LineIndex::new(text);
        for (ri, rule, _) in self.cross_file_rules() {
            if !rule.applies_to(self.repo_relative(rel_path)) {
                continue;
            }
            for (def, spans) in sites {
                let Some(&(start, end)) = spans.first() else {
                    continue;
                };
                let span = Span { start, end };
                let mut d = self.build(ri, rule, rel_path, text, &li, span, &def.name, 0);
                d.finding.message = if let Some(export) = &def.export {
                    format!(
                        "{} It imports `{}`, the default export of {} (defined at line {}), as `{}`.",
                        d.finding.message, export, def.path, def.line, def.name
                    )
                } else if wrappers::is_config_file(&def.path) {
                    format!(
                        "{} It names `{}`, the configuration with the JWT credential's settings ({}:{}).",
                        d.finding.message, def.name, def.path, def.line
                    )
                } else if def.module {
                    format!(
                        "{} It imports everything from `{}` ({}, JWT code at line {}).",
                        d.finding.message, def.name, def.path, def.line
                    )
                } else {
                    format!(
                        "{} It calls `{}`, defined at {}:{}.",
                        d.finding.message, def.name, def.path, def.line
                    )
                };
                d.finding.calls_into = Some(def.path.clone());
                for &(s, e) in &spans[1..] {
                    let line = li.line_of(s) as u32 + 1;
                    add_related(&mut d.finding, line, || {
                        related_site(text, &li, Span { start: s, end: e })
                    });
                }
                let line0 = li.line_of(start);
                let suppression = (0..=1).find_map(|back| {
                    let l = line0.checked_sub(back)?;
                    let (s, e) = li.line_range(text, l);
                    inline_reason(&text[s..e], &rule.spec.id).map(|r| (l, r))
                });
                match suppression {
                    Some((l, reason)) => out.suppressed.push(Suppressed {
                        finding: d.finding,
                        kind: SuppressionKind::Inline { line: l as u32 + 1 },
                        reason,
                    }),
                    None => out.findings.push(d),
                }
            }
        }
        out
    }

    /// The prefilter step of [`Engine::scan`]: marks in `candidates` the
    /// rules that may match `text` and returns whether any may. The walker
    /// calls it first so that a file no rule can match costs nothing more
    /// (not even its display name).
    /// `path` is the file's path in any form (full or relative): rules for
    /// named files (see [`Rule::gated_by_path`]) have their keywords
    /// searched only where their `files.include` may match it.
    pub fn candidates(
        &self,
        path: &Path,
        text: &[u8],
        use_prefilter: bool,
        candidates: &mut Vec<bool>,
    ) -> bool {
        if use_prefilter {
            let mut any = self.prefilter.candidates(text, candidates);
            if self.gated_paths.as_ref().is_some_and(|g| !g.is_match(path)) {
                return any;
            }
            for (ri, keywords) in &self.gated {
                if self.set.rules[*ri].may_apply_to(path)
                    && keywords.as_ref().is_none_or(|k| k.is_match(text))
                {
                    candidates[*ri] = true;
                    any = true;
                }
            }
            return any;
        }
        candidates.clear();
        candidates.resize(self.set.rules.len(), true);
        true
    }

    /// The rest of [`Engine::scan`]: runs the rules marked in `candidates`.
    pub fn scan_candidates(
        &self,
        rel_path: &str,
        text: &[u8],
        sibling_exists: &dyn Fn(&str) -> bool,
        candidates: &[bool],
    ) -> FileScan {
        let text = text.strip_prefix(UTF8_BOM).unwrap_or(text);
        let mut out = FileScan::default();
        let mut lines: Option<LineIndex> = None;
        let structured = StructuredCache::new(rel_path, text);
        let repo_path = self.repo_relative(rel_path);
        let mut file_remediation: Option<&str> = None;
        let mut file_category: Option<(Category, Severity, Option<DeadlineInfo>)> = None;
        let mut occurrences: HashMap<(usize, String), u32> = HashMap::new();
        // Rules that need other Adobe evidence in the file run last, and
        // only where the others found it (so a generic `jwt.encode` rule
        // costs nothing in files without Adobe claims).
        let rules = &self.set.rules;
        let order = (0..rules.len())
            .filter(|&ri| rules[ri].spec.needs.in_file.is_empty())
            .chain((0..rules.len()).filter(|&ri| !rules[ri].spec.needs.in_file.is_empty()));
        let mut evidence: Option<Vec<Category>> = None;
        for ri in order {
            let rule = &rules[ri];
            let needs = &rule.spec.needs.in_file;
            // A rule that needs evidence runs wherever the evidence is, its
            // keywords aside: findings never depend on the prefilter.
            if (needs.is_empty() && !candidates[ri]) || !rule.applies_to(repo_path) {
                continue;
            }
            if !needs.is_empty() {
                // Evidence is what stands on its own: a finding that itself
                // waits for evidence in its project (`needs.in_project`)
                // could otherwise confirm the rule that confirms it.
                let found = evidence.get_or_insert_with(|| {
                    out.findings
                        .iter()
                        .map(|d| &d.finding)
                        .chain(out.suppressed.iter().map(|s| &s.finding))
                        .filter(|f| {
                            self.set
                                .get(&f.rule_id)
                                .is_none_or(|r| r.spec.needs.in_project.is_empty())
                        })
                        .map(|f| f.category)
                        .collect()
                });
                if !needs.iter().any(|c| found.contains(c)) {
                    continue;
                }
            }
            let li = lines.get_or_insert_with(|| LineIndex::new(text));
            let cx = FileContext {
                text,
                lines: li,
                sibling_exists,
                structured: &structured,
            };
            let mut last_line: Option<usize> = None;
            // Index in `out.findings` of the block's finding (None when it
            // was suppressed inline: its block's sites go with it).
            let mut last_reported: Option<usize> = None;
            let cluster = rule.spec.cluster_lines as usize;
            let spans = eval(&rule.root, &cx);
            if rule.spec.file_remediation && !spans.is_empty() {
                file_remediation = Some(&rule.spec.remediation);
            }
            for span in spans {
                let line0 = li.line_of(span.start);
                // One finding per rule and line (or per `cluster_lines`
                // block); the other matches of the block on other lines are
                // its `related` sites, since a migration changes them all.
                if last_line.is_some_and(|last| line0 <= last + cluster) {
                    if let Some(d) = last_reported.and_then(|i| out.findings.get_mut(i)) {
                        add_related(&mut d.finding, line0 as u32 + 1, || {
                            related_site(text, li, span)
                        });
                    }
                    continue;
                }
                last_line = Some(line0);
                let matched = String::from_utf8_lossy(&text[span.start..span.end]).into_owned();
                let occ = occurrences
                    .entry((ri, matched.split_whitespace().collect()))
                    .or_insert(0);
                let detected = self.build(ri, rule, rel_path, text, li, span, &matched, *occ);
                *occ += 1;
                if rule.spec.file_category && file_category.is_none() {
                    let f = &detected.finding;
                    file_category = Some((f.category, f.severity, f.deadline.clone()));
                }
                let suppression = (0..=1).find_map(|back| {
                    let l = line0.checked_sub(back)?;
                    let (s, e) = li.line_range(text, l);
                    inline_reason(&text[s..e], &rule.spec.id).map(|r| (l, r))
                });
                last_reported = None;
                match suppression {
                    Some((l, reason)) => out.suppressed.push(Suppressed {
                        finding: detected.finding,
                        kind: SuppressionKind::Inline { line: l as u32 + 1 },
                        reason,
                    }),
                    None => {
                        last_reported = Some(out.findings.len());
                        out.findings.push(detected);
                    }
                }
            }
        }
        if let Some(remediation) = file_remediation {
            for d in &mut out.findings {
                d.finding.remediation = remediation.trim().to_string();
            }
        }
        if let Some((category, severity, deadline)) = file_category {
            for f in out
                .findings
                .iter_mut()
                .map(|d| &mut d.finding)
                .chain(out.suppressed.iter_mut().map(|s| &mut s.finding))
                .filter(|f| f.category.counts_for_gate())
            {
                f.category = category;
                f.severity = severity;
                f.deadline = deadline.clone();
            }
        }
        out.errors.extend(structured.error());
        out.warnings = crate::suppress::inline_problems(text, &|id| self.is_known_id(id));
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &self,
        ri: usize,
        rule: &Rule,
        rel_path: &str,
        text: &[u8],
        li: &LineIndex,
        span: Span,
        matched: &str,
        occurrence: u32,
    ) -> Detected {
        let end = if span.end > span.start && text.get(span.end - 1) == Some(&b'\n') {
            span.end - 1
        } else {
            span.end
        };
        let (l0, l1) = (li.line_of(span.start), li.line_of(end.max(span.start)));
        let col = |line: usize, off: usize| {
            let (s, _) = li.line_range(text, line);
            char_count(&text[s..off.max(s)]) as u32 + 1
        };
        let location = Location {
            path: rel_path.to_string(),
            line: l0 as u32 + 1,
            column: col(l0, span.start),
            end_line: l1 as u32 + 1,
            end_column: col(l1, end),
        };
        let snippet: Vec<String> = (l0..=l1.min(l0 + MAX_SNIPPET_LINES - 1))
            .map(|l| {
                let at = (l == l0).then_some(span.start);
                line_text(text, li, l, at).trim().to_string()
            })
            .collect();
        let first = l0.saturating_sub(1);
        let last = (l1.min(l0 + MAX_SNIPPET_LINES - 1) + 1).min(li.line_count() - 1);
        let frame = (first..=last)
            .map(|l| FrameLine {
                line: l as u32 + 1,
                text: line_text(text, li, l, (l == l0).then_some(span.start)),
                is_match: (l0..=l1).contains(&l),
            })
            .collect();
        let spec = &rule.spec;
        let meta = RuleMeta {
            id: &spec.id,
            category: spec.category,
            severity: spec.severity,
            confidence: spec.confidence,
            message: &spec.message,
            remediation: &spec.remediation,
        };
        let mut deadline = self.deadlines[ri].clone();
        if spec.category == Category::Certificate {
            // A certificate's expiry, written on the matched line (a Console
            // download's PUBLIC_KEYS_WITH_EXPIRY), is a deadline of its own
            // when it comes first.
            let (s, e) = window(li, text, l0, l0, span);
            let found = keys::certificate_not_after(text, span.start)
                .map(|d| (d, "certificate notAfter (X.509)"))
                .or_else(|| {
                    keys::date_in(&String::from_utf8_lossy(&text[s..e]))
                        .map(|d| (d, "certificate expiry written in the file"))
                });
            if let Some((date, source)) = found {
                deadline = keys::earlier(deadline, date, source, self.today, self.warn_days);
            }
        }
        let mut finding = Finding::new(
            &meta,
            location,
            &snippet.join("\n"),
            matched,
            occurrence,
            deadline,
        );
        // In a scan of several repositories, the fingerprint a scan of
        // the file's repository alone gives (its path from that root).
        let repo_path = self.repo_relative(rel_path);
        if repo_path.len() != rel_path.len() {
            finding.fingerprint =
                crate::finding::fingerprint(&spec.id, repo_path, matched, occurrence);
        }
        finding.requires_link = spec.requires_link;
        finding.needs_in_project = spec.needs.in_project.clone();
        if matches!(spec.category, Category::Metascope | Category::JwtClaims) {
            let (s, e) = window(li, text, l0, l1, span);
            let lines = String::from_utf8_lossy(&text[s..e]).into_owned();
            for ms in identifiers::metascopes_in(&lines) {
                let advice = match crate::ims::scopes::expected_scopes(&ms) {
                    Some(scopes) => format!(
                        "Observed OAuth scopes for {ms} (observed on migrated credentials, not published by Adobe; copy your credential's own list): {}.",
                        scopes.join(",")
                    ),
                    None => format!(
                        "No observed OAuth scope mapping for {ms}: use the scope list the OAuth Server-to-Server credential shows in the Developer Console."
                    ),
                };
                finding.remediation = format!("{}\n\n{advice}", finding.remediation);
            }
        }
        if let Some(set) = spec
            .language_remediation
            .as_deref()
            .and_then(|s| self.set.remediations.get(s))
            && let Some(advice) =
                crate::scan::classify::language_of(rel_path).and_then(|l| set.get(l))
        {
            finding.remediation = format!("{}\n\n{}", finding.remediation, advice.trim());
        }
        Detected { finding, frame }
    }
}

/// Number of UTF-8 characters (invalid bytes count as one each).
/// At most this many related sites per finding (a minified bundle could
/// fold thousands of matches into one).
const MAX_RELATED: usize = 64;

/// The site of `span` as a related location, its note the line's text.
fn related_site(text: &[u8], li: &LineIndex, span: Span) -> Related {
    let end = span.end.max(span.start + 1).min(text.len()).max(span.start);
    let (l0, l1) = (
        li.line_of(span.start),
        li.line_of(end.saturating_sub(1).max(span.start)),
    );
    let col = |line: usize, off: usize| {
        let (s, _) = li.line_range(text, line);
        char_count(&text[s..off.max(s)]) as u32 + 1
    };
    let mut note = redact_text(line_text(text, li, l0, Some(span.start)).trim()).into_owned();
    if note.chars().count() > 100 {
        note = note.chars().take(99).chain(std::iter::once('…')).collect();
    }
    Related {
        line: l0 as u32 + 1,
        column: col(l0, span.start),
        end_line: l1 as u32 + 1,
        end_column: col(l1, end).max(1),
        note,
    }
}

/// Adds the related site on 1-based `line` (built by `site` only then)
/// unless it lies on the finding's own lines or the finding already has a
/// site on that line; keeps them in line order, at most [`MAX_RELATED`].
/// Cheap when it adds nothing: a regex matching at every byte of a long
/// line must not build a site per match.
pub fn add_related(f: &mut Finding, line: u32, site: impl FnOnce() -> Related) {
    if (f.location.line..=f.location.end_line).contains(&line) || f.related.len() >= MAX_RELATED {
        return;
    }
    // One site per line: two matches on one line are one change.
    if let Err(i) = f.related.binary_search_by(|x| x.line.cmp(&line)) {
        f.related.insert(i, site());
    }
}

fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

/// The bytes of lines `l0..=l1`, cut to [`LINE_WINDOW`] bytes each side of
/// `span` (at character boundaries) when the lines are longer.
fn window(li: &LineIndex, text: &[u8], l0: usize, l1: usize, span: Span) -> (usize, usize) {
    let (s, e) = (li.line_range(text, l0).0, li.line_range(text, l1).1);
    let lo = span.start.saturating_sub(LINE_WINDOW).clamp(s, e);
    let hi = span.end.saturating_add(LINE_WINDOW).clamp(lo, e);
    (char_start(text, lo, s), char_start(text, hi, s))
}

/// `at`, moved back to the start of the UTF-8 character it falls in (not
/// before `floor`).
fn char_start(text: &[u8], mut at: usize, floor: usize) -> usize {
    for _ in 0..3 {
        if at > floor && text.get(at).is_some_and(|b| b & 0xC0 == 0x80) {
            at -= 1;
        }
    }
    at
}

/// One line's text, redacted, windowed around byte offset `at` when long.
/// Redaction happens before windowing (over [`LINE_WINDOW`] bytes each
/// side), so a window edge never reveals part of a secret.
fn line_text(text: &[u8], li: &LineIndex, line: usize, at: Option<usize>) -> String {
    let (s, e) = li.line_range(text, line);
    let raw = &text[s..e];
    if raw.len() <= MAX_LINE_CHARS {
        return redact_text(&String::from_utf8_lossy(raw)).into_owned();
    }
    let at = at.map_or(s, |a| char_start(text, a.clamp(s, e), s));
    let (lo, hi) = window(li, text, line, line, Span { start: at, end: at });
    let before = redact_text(&String::from_utf8_lossy(&text[lo..at])).into_owned();
    let after = redact_text(&String::from_utf8_lossy(&text[at..hi])).into_owned();
    let before_chars: Vec<char> = before.chars().collect();
    let keep_before = 40.min(before_chars.len());
    let mut out = String::new();
    if lo > s || keep_before < before_chars.len() {
        out.push('…');
    }
    out.extend(&before_chars[before_chars.len() - keep_before..]);
    let room = MAX_LINE_CHARS - keep_before;
    let after_chars = after.chars().count();
    out.extend(after.chars().take(room));
    if hi < e || after_chars > room {
        out.push('…');
    }
    out
}
/// The 0-based lines of `text` that ask for a `client_credentials` grant
/// (the OAuth Server-to-Server token request).
fn oauth_request_lines(text: &[u8], li: &LineIndex) -> Vec<usize> {
    static GRANT: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        regex::bytes::Regex::new(r"(?i-u)client_credentials").expect("grant pattern")
    });
    let mut lines: Vec<usize> = GRANT
        .find_iter(text)
        .map(|m| li.line_of(m.start()))
        .collect();
    lines.dedup();
    lines
}

/// Whether `line` holds an Adobe metascope URL only as a value (a
/// setting, a default, prose) rather than as a claim set to true
/// (`"https://ims-na1.adobelogin.com/s/ent_x_sdk": true`, `payload[...] = True`,
/// `{ "...", true }`) or as the `metaScopes` a JWT library is given.
fn metascope_setting(line: &[u8]) -> bool {
    static URL: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        regex::bytes::Regex::new(r"(?i)adobelogin\.com/s/").expect("metascope url")
    });
    static CLAIM: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        regex::bytes::Regex::new(
            r#"(?i)adobelogin\.com/s/[^"'`\s]*["'`]\s*\]?\s*(?::|=>|=|,)\s*(?:true|1|!0)\b"#,
        )
        .expect("metascope claim")
    });
    static META: LazyLock<regex::bytes::Regex> =
        LazyLock::new(|| regex::bytes::Regex::new(r"(?i)meta_?scopes?").expect("metascopes key"));
    URL.is_match(line) && !CLAIM.is_match(line) && !META.is_match(line)
}

/// Whether a line declares a command-line flag or option (Go's `flag` and
/// cobra/pflag, Python's argparse and click, commander/yargs, oclif).
fn flag_definition(line: &[u8]) -> bool {
    static FLAG: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        regex::bytes::Regex::new(
            r#"(?-u)\b[Ff]lags?(?:\(\))?\s*\.\s*(?:String|Bool|Int|Duration)(?:Var)?P?\s*\(|\.PersistentFlags\(\)\s*\.|\badd_argument\s*\(|@click\.option\s*\(|\.option\s*\(\s*['"]-|\bFlags\s*\.\s*(?:string|boolean|integer)\s*\("#,
        )
        .expect("flag definition")
    });
    FLAG.is_match(line)
}

#[cfg(test)]
mod tests {
    use super::{flag_definition, metascope_setting};

    #[test]
    fn flag_definitions_are_recognised() {
        for line in [
            r#"flags.StringVar(&o.Server, "server", "https://ims-na1.adobelogin.com/ims/exchange/jwt/", "OAuth 2.0 server")"#,
            r#"RootCmd.PersistentFlags().String("exchange", "https://ims-na1.adobelogin.com/ims/exchange/jwt", "")"#,
            r#"parser.add_argument("--ims-url", default="https://ims-na1.adobelogin.com/ims/exchange/jwt")"#,
            r#"@click.option("--endpoint", default="https://ims-na1.adobelogin.com/ims/exchange/jwt")"#,
            r#"program.option('-e, --endpoint <url>', 'IMS', 'https://ims-na1.adobelogin.com/ims/exchange/jwt')"#,
        ] {
            assert!(flag_definition(line.as_bytes()), "{line}");
        }
        for line in [
            r#"resp, err := http.PostForm("https://ims-na1.adobelogin.com/ims/exchange/jwt/", form)"#,
            r#"requests.post(options.exchange_url, data=payload)"#,
        ] {
            assert!(!flag_definition(line.as_bytes()), "{line}");
        }
    }

    /// A rule for named files (`files.include`) has its keywords searched
    /// only in those files: the prefilter leaves them out, `candidates`
    /// checks them where the path may match.
    #[test]
    fn keywords_of_rules_for_named_files_are_searched_only_in_them() {
        let mut errors = Vec::new();
        let set =
            crate::rules::load::load_layers(vec![crate::rules::load::builtin_files()], &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let engine = super::Engine::new(&set, jiff::civil::date(2026, 12, 1), 30);
        let ri = set
            .rules
            .iter()
            .position(|r| r.spec.id == "action-input-jwt-key")
            .expect("action-input-jwt-key");
        assert!(set.rules[ri].gated_by_path());
        let text = b"inputs:\n  key:\n    description: The JWT private key\n";
        let mut out = Vec::new();
        let p = std::path::Path::new;
        assert!(engine.candidates(p("/abs/repo/action.yml"), text, true, &mut out));
        assert!(out[ri], "keyword in the rule's own file");
        engine.candidates(p("src/login.js"), text, true, &mut out);
        assert!(!out[ri], "the same text in another file");
        engine.candidates(p("action.yml"), b"name: build\n", true, &mut out);
        assert!(!out[ri], "the rule's file without its keyword");
        // Without the prefilter every rule is a candidate, as before.
        engine.candidates(p("src/login.js"), text, false, &mut out);
        assert!(out[ri]);
    }

    #[test]
    fn a_metascope_teaches_only_as_a_claim_or_a_jwt_librarys_metascopes() {
        for claim in [
            r#"payload["https://ims-na1.adobelogin.com/s/ent_analytics_bulk_ingest_sdk"] = True"#,
            r#"  "https://ims-na1.adobelogin.com/s/ent_user_sdk": true,"#,
            "jwtPayload[`https://ims-na1.adobelogin.com/s/${metascope}`] = true;",
            r#"{ "https://ims-na1.adobelogin.com/s/ent_user_sdk", true },"#,
            r#"metaScopes: ["https://ims-na1.adobelogin.com/s/ent_cloudmgr_sdk"]"#,
        ] {
            assert!(!metascope_setting(claim.as_bytes()), "{claim}");
        }
        for setting in [
            r#"def write(filename: str = "x", scope: str = "https://ims-na1.adobelogin.com/s/ent_reactor_sdk") -> None:"#,
            r#"    scope="https://ims-na1.adobelogin.com/s/ent_reactor_admin_sdk""#,
        ] {
            assert!(metascope_setting(setting.as_bytes()), "{setting}");
        }
        assert!(!metascope_setting(b"jwt.encode(payload, key)"));
    }
}
