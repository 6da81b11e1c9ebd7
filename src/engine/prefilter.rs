//! The prefilter: one Aho-Corasick pass over a file for every rule's
//! keywords (ASCII case-insensitive). Rules none of whose keywords occur in a
//! file never run on it.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::rules::Rule;

/// The compiled keyword automaton and which rules each keyword enables.
#[derive(Debug, Clone)]
pub struct Prefilter {
    ac: Option<AhoCorasick>,
    /// Pattern id -> indices of the rules that list that keyword.
    rules_of: Vec<Vec<usize>>,
    rule_count: usize,
}

impl Prefilter {
    /// Builds the automaton over every rule's keywords.
    pub fn new(rules: &[Rule]) -> Prefilter {
        let mut keywords: Vec<String> = Vec::new();
        let mut rules_of: Vec<Vec<usize>> = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            for k in &rule.keywords {
                match keywords.iter().position(|x| x == k) {
                    Some(pi) => rules_of[pi].push(ri),
                    None => {
                        keywords.push(k.clone());
                        rules_of.push(vec![ri]);
                    }
                }
            }
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&keywords)
            .ok();
        Prefilter {
            ac,
            rules_of,
            rule_count: rules.len(),
        }
    }

    /// Marks in `out` (resized to the rule count) the rules whose keywords
    /// occur in `haystack`. Returns whether any did.
    pub fn candidates(&self, haystack: &[u8], out: &mut Vec<bool>) -> bool {
        out.clear();
        out.resize(self.rule_count, false);
        let Some(ac) = &self.ac else { return false };
        let mut seen = vec![false; self.rules_of.len()];
        let mut remaining = self.rules_of.len();
        let mut any = false;
        // Overlapping search: a keyword inside another keyword is still seen.
        for m in ac.find_overlapping_iter(haystack) {
            let pi = m.pattern().as_usize();
            if seen[pi] {
                continue;
            }
            seen[pi] = true;
            any = true;
            for &ri in &self.rules_of[pi] {
                out[ri] = true;
            }
            remaining -= 1;
            if remaining == 0 {
                break;
            }
        }
        any
    }
}
