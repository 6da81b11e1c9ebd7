//! Running the rules' own examples (`examples.match` / `examples.no_match`
//! in each rule file) through the real engine: `jwt2oauth rules test`, the
//! test suite, and the per-rule snapshots (tests/it/rules.rs).

use jiff::civil::Date;

use crate::engine::Engine;
use crate::finding::Finding;
use crate::rules::RuleSet;

/// One failed example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    pub rule: String,
    pub which: String,
    pub problem: String,
}

/// Runs a `calls_of` rule's example: the other file with every per-file
/// rule, then the cross-file pass over the example with what it taught.
fn cross_file_example(
    set: &RuleSet,
    rule: &crate::rules::Rule,
    today: Date,
    other: &crate::rules::model::OtherFile,
    path: &str,
    code: &str,
) -> crate::engine::FileScan {
    let mut rules: Vec<_> = set
        .rules
        .iter()
        .filter(|r| r.spec.matcher.calls_of.is_none())
        .cloned()
        .collect();
    rules.push(rule.clone());
    let all = RuleSet {
        rules,
        deadlines: set.deadlines.clone(),
        remediations: set.remediations.clone(),
    };
    let engine = Engine::new(&all, today, 90);
    let first = engine.scan(
        &other.path,
        other.code.as_bytes(),
        &|_| false,
        true,
        &mut Vec::new(),
    );
    let found: Vec<&Finding> = first.findings.iter().map(|d| &d.finding).collect();
    let defs = engine.learn(&other.path, other.code.as_bytes(), &found);
    let mut scan = match crate::engine::wrappers::Callers::new(&defs) {
        Some(callers) => engine.calls(path, code.as_bytes(), &callers),
        None => crate::engine::FileScan::default(),
    };
    // Star imports of the other file, resolved by path as the scan does.
    use crate::engine::wrappers;
    let module = defs.iter().find(|d| d.module);
    if let (Some(m), Some(family)) = (module, wrappers::Family::of(path)) {
        let dir = std::path::Path::new(path)
            .parent()
            .unwrap_or(std::path::Path::new(""));
        let sites: Vec<_> = wrappers::star_imports(family, code.as_bytes())
            .into_iter()
            .filter(|(spec, _, _)| {
                wrappers::module_files(family, dir, &[], spec)
                    .iter()
                    .any(|c| c == std::path::Path::new(&other.path))
            })
            .map(|(spec, s, e)| {
                let mut d = m.clone();
                d.name = spec;
                (d, vec![(s, e)])
            })
            .collect();
        let more = engine.call_findings(path, code.as_bytes(), &sites);
        scan.findings.extend(more.findings);
        scan.suppressed.extend(more.suppressed);
    }
    scan
}

/// One example of one rule, run through the real engine.
#[derive(Debug, Clone)]
pub struct ExampleRun {
    pub rule: String,
    /// `examples.match[0] (path)` or `examples.no_match[1] (path)`.
    pub which: String,
    pub must_match: bool,
    /// The rule's own findings (reported and suppressed).
    pub findings: Vec<Finding>,
}

/// Runs every rule's examples through the real engine (prefilter included,
/// so an example that no keyword covers finds nothing), in rule order.
pub fn example_runs(set: &RuleSet) -> Vec<ExampleRun> {
    let today: Date = Date::constant(2026, 1, 1);
    let mut out = Vec::new();
    for rule in &set.rules {
        // A rule that needs other evidence in the file runs with the rules
        // that provide it; only its own findings count.
        let mut rules = vec![rule.clone()];
        if !rule.spec.needs.in_file.is_empty() {
            rules.extend(
                set.rules
                    .iter()
                    .filter(|r| r.spec.needs.in_file.is_empty())
                    .cloned(),
            );
        }
        let single = RuleSet {
            rules,
            deadlines: set.deadlines.clone(),
            remediations: set.remediations.clone(),
        };
        let engine = Engine::new(&single, today, 90);
        let mut scratch = Vec::new();
        let groups = [
            (true, &rule.spec.examples.matches),
            (false, &rule.spec.examples.no_match),
        ];
        for (must_match, examples) in groups {
            for (i, ex) in examples.iter().enumerate() {
                let path = ex.path.as_deref().unwrap_or("example.txt");
                let siblings = |n: &str| ex.siblings.iter().any(|s| s == n);
                let res = match &ex.defined_in {
                    Some(other) => cross_file_example(set, rule, today, other, path, &ex.code),
                    None => engine.scan(path, ex.code.as_bytes(), &siblings, true, &mut scratch),
                };
                let own = |f: &Finding| f.rule_id == rule.spec.id;
                let findings = res
                    .findings
                    .into_iter()
                    .map(|d| d.finding)
                    .chain(res.suppressed.into_iter().map(|s| s.finding))
                    .filter(own)
                    .collect();
                out.push(ExampleRun {
                    rule: rule.spec.id.clone(),
                    which: format!(
                        "examples.{}[{i}] ({path})",
                        if must_match { "match" } else { "no_match" }
                    ),
                    must_match,
                    findings,
                });
            }
        }
    }
    out
}

/// Runs every rule's examples: how many, and those that failed (a `match`
/// example without a finding of its rule, a `no_match` one with).
pub fn run_examples(set: &RuleSet) -> (usize, Vec<ExampleFailure>) {
    let runs = example_runs(set);
    let failures = runs
        .iter()
        .filter_map(|r| {
            let problem = if r.must_match && r.findings.is_empty() {
                "did not match".to_string()
            } else if !r.must_match && !r.findings.is_empty() {
                let lines: Vec<String> = r
                    .findings
                    .iter()
                    .map(|f| f.location.line.to_string())
                    .collect();
                format!("matched (line {})", lines.join(", "))
            } else {
                return None;
            };
            Some(ExampleFailure {
                rule: r.rule.clone(),
                which: r.which.clone(),
                problem,
            })
        })
        .collect();
    (runs.len(), failures)
}
