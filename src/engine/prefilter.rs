//! The prefilter: one pass over a file for every rule's keywords (ASCII
//! case-insensitive). Rules none of whose keywords occur in a file never run
//! on it, and most files have no keyword at all, so this pass is most of the
//! time a scan spends on the CPU.
//!
//! How it stays fast (see docs/performance.md for the measurements):
//! - aho-corasick's SIMD packed searcher (Teddy) only works case-sensitively
//!   and with leftmost semantics. So the text is folded to ASCII lowercase in
//!   small chunks (a cache-resident copy) and searched with a case-sensitive,
//!   leftmost-longest automaton over the lowercased keywords. That is about
//!   3x faster than the overlapping case-insensitive search it replaces,
//!   which has no prefilter at all.
//! - Leftmost search reports one match per position and skips what it
//!   covers, so each search restarts one byte after the last match's start
//!   (no keyword start is skipped) and a match also counts for every keyword
//!   it contains (a shorter keyword inside a longer one occurs too).
//! - Teddy checks as many leading bytes per candidate as the shortest
//!   pattern has (at most 4). Three-byte keywords (`/c/`, `/s/`, `mii`)
//!   would make every common trigram of the longer ones (`pri`, `met`,
//!   `ent`) a candidate to verify, so the keywords shorter than 4 bytes get
//!   their own searcher. And Teddy has a fast "slim" form for up to 32
//!   patterns and a form half as fast beyond, so longer keywords are split
//!   into groups of 32. A few passes over the cached chunk cost less than
//!   one with weak fingerprints or fat buckets.
//! - The groups use aho-corasick's packed (Teddy) searcher directly: the
//!   automaton API decides on its own heuristics, which for a handful of
//!   short patterns picks a `memchr2` over frequent bytes (`/`, `m`).

use std::cell::RefCell;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind, Span, packed};

use crate::rules::Rule;

/// Bytes folded and searched at a time: small enough that the folded copy
/// stays in the CPU cache while it is searched.
const CHUNK: usize = 64 * 1024;

thread_local! {
    /// The folded copy of the current chunk, reused by every file a thread
    /// scans.
    static FOLDED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Keywords shorter than this get their own searcher (see the module docs).
const SHORT: usize = 4;

/// Most patterns in one searcher (slim Teddy's limit).
const GROUP: usize = 32;

/// One searcher over some of the keywords, leftmost-longest.
#[derive(Debug, Clone)]
struct Searcher {
    find: Find,
    /// Pattern id in the searcher -> keyword id.
    keyword: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Find {
    /// Teddy, when the CPU has the vector instructions it needs.
    Packed(packed::Searcher),
    /// Otherwise an automaton.
    Ac(AhoCorasick),
}

impl Searcher {
    fn new(keywords: &[String], ids: Vec<usize>) -> Option<Searcher> {
        let patterns = ids.iter().map(|&i| &keywords[i]);
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostLongest)
            .builder()
            .extend(patterns.clone())
            .build();
        let find = match packed {
            Some(s) => Find::Packed(s),
            None => Find::Ac(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(patterns)
                    .ok()?,
            ),
        };
        Some(Searcher { find, keyword: ids })
    }

    /// The leftmost-longest match starting at or after `from`: (start,
    /// keyword id).
    fn find(&self, hay: &[u8], from: usize) -> Option<(usize, usize)> {
        let m = match &self.find {
            Find::Packed(s) => s.find_in(hay, Span::from(from..hay.len()))?,
            Find::Ac(ac) => ac.find(Input::new(hay).range(from..))?,
        };
        Some((m.start(), self.keyword[m.pattern().as_usize()]))
    }
}

/// The compiled keyword automata and which rules each keyword enables.
#[derive(Debug, Clone)]
pub struct Prefilter {
    /// Empty when there are no keywords. `None` when an automaton could not
    /// be built (then every rule is a candidate: slower, never blind).
    searchers: Option<Vec<Searcher>>,
    /// Keyword id -> the rules it enables: those listing the keyword or any
    /// keyword contained in it.
    rules_of: Vec<Vec<usize>>,
    /// Length of the longest keyword: chunks overlap by one byte less, so a
    /// keyword across a chunk boundary is still seen whole.
    max_len: usize,
    rule_count: usize,
    has_keywords: bool,
}

impl Prefilter {
    /// Builds the automaton over every rule's keywords (already lowercased by
    /// rule compilation; lowercased again here so a hand-built rule cannot
    /// make the prefilter blind).
    pub fn new(rules: &[Rule]) -> Prefilter {
        let mut keywords: Vec<String> = Vec::new();
        let mut direct: Vec<Vec<usize>> = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            for k in &rule.keywords {
                let k = k.to_ascii_lowercase();
                match keywords.iter().position(|x| *x == k) {
                    Some(pi) => direct[pi].push(ri),
                    None => {
                        keywords.push(k);
                        direct.push(vec![ri]);
                    }
                }
            }
        }
        let rules_of = keywords
            .iter()
            .map(|k| {
                let mut rs: Vec<usize> = keywords
                    .iter()
                    .zip(&direct)
                    .filter(|(inner, _)| k.contains(inner.as_str()))
                    .flat_map(|(_, rs)| rs.iter().copied())
                    .collect();
                rs.sort_unstable();
                rs.dedup();
                rs
            })
            .collect();
        let (short, long): (Vec<usize>, Vec<usize>) =
            (0..keywords.len()).partition(|&i| keywords[i].len() < SHORT);
        let searchers = short
            .chunks(GROUP)
            .chain(long.chunks(GROUP))
            .map(|ids| Searcher::new(&keywords, ids.to_vec()))
            .collect::<Option<Vec<Searcher>>>();
        Prefilter {
            searchers,
            rules_of,
            max_len: keywords.iter().map(String::len).max().unwrap_or(0),
            rule_count: rules.len(),
            has_keywords: !keywords.is_empty(),
        }
    }

    /// Marks in `out` (resized to the rule count) the rules whose keywords
    /// occur in `haystack`. Returns whether any did.
    pub fn candidates(&self, haystack: &[u8], out: &mut Vec<bool>) -> bool {
        out.clear();
        out.resize(self.rule_count, false);
        let Some(searchers) = &self.searchers else {
            // No automaton although there are keywords: run every rule.
            out.fill(self.has_keywords);
            return self.has_keywords && self.rule_count > 0;
        };
        FOLDED.with(|folded| {
            let mut folded = folded.borrow_mut();
            self.search(searchers, haystack, &mut folded, out)
        })
    }

    fn search(
        &self,
        searchers: &[Searcher],
        haystack: &[u8],
        folded: &mut Vec<u8>,
        out: &mut [bool],
    ) -> bool {
        let mut marked = 0;
        let mut start = 0;
        while start < haystack.len() {
            let end = haystack
                .len()
                .min(start + CHUNK + self.max_len.saturating_sub(1));
            fold_ascii_lowercase(&haystack[start..end], folded);
            for s in searchers {
                let mut pos = 0;
                while let Some((at, keyword)) = s.find(folded, pos) {
                    // A keyword starting past the chunk is found whole in the next.
                    if at >= CHUNK {
                        break;
                    }
                    for &ri in &self.rules_of[keyword] {
                        if !out[ri] {
                            out[ri] = true;
                            marked += 1;
                        }
                    }
                    if marked == out.len() {
                        return true;
                    }
                    pos = at + 1;
                }
            }
            start += CHUNK;
        }
        marked > 0
    }
}

/// Copies `src` into `dst` with ASCII letters lowercased (a loop the compiler
/// vectorizes).
fn fold_ascii_lowercase(src: &[u8], dst: &mut Vec<u8>) {
    dst.clear();
    dst.extend(
        src.iter()
            .map(|&b| b | ((b.wrapping_sub(b'A') < 26) as u8) << 5),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::compile::compile;
    use crate::rules::model::RuleSpec;

    fn rule(id: &str, keywords: &[&str]) -> Rule {
        let yaml = format!(
            "id: {id}\ntitle: t\ncategory: jwt-claims\nseverity: low\nconfidence: low\ndeadline: d\n\
             files: {{}}\nkeywords: [{}]\nmessage: m\nremediation: r\nreferences: []\n\
             docs: {{what: w, why: y}}\nexamples: {{match: [{{code: x}}], no_match: [{{code: y}}]}}\n\
             match:\n  regex: 'x'\n",
            keywords
                .iter()
                .map(|k| format!("'{k}'"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let spec: RuleSpec = serde_saphyr::from_str(&yaml).expect("test rule parses");
        compile(spec, "t.yaml").expect("test rule compiles")
    }

    fn rules() -> Vec<Rule> {
        vec![
            rule("long", &["adobelogin.com/c/"]),
            rule("short", &["/c/"]),
            rule("left", &["abcd"]),
            rule("right", &["cdef"]),
            rule("upper", &["PRIVATE KEY"]),
        ]
    }

    fn hits(text: &[u8]) -> Vec<usize> {
        let pf = Prefilter::new(&rules());
        let mut out = Vec::new();
        let any = pf.candidates(text, &mut out);
        let ids: Vec<usize> = (0..out.len()).filter(|&i| out[i]).collect();
        assert_eq!(any, !ids.is_empty());
        ids
    }

    /// What the prefilter must compute, the slow way.
    fn naive(text: &[u8]) -> Vec<usize> {
        let lower = text.to_ascii_lowercase();
        rules()
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.keywords
                    .iter()
                    .any(|k| lower.windows(k.len()).any(|w| w == k.as_bytes()))
            })
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn keyword_inside_a_longer_keyword_counts() {
        assert_eq!(hits(b"x https://ims-na1.AdobeLogin.com/c/123"), vec![0, 1]);
    }

    #[test]
    fn overlapping_keywords_are_both_seen() {
        // Leftmost search reports `abcd`, then must restart inside it.
        assert_eq!(hits(b"xxabcdefxx"), vec![2, 3]);
    }

    #[test]
    fn case_insensitive_both_ways() {
        assert_eq!(hits(b"-----BEGIN private key-----"), vec![4]);
        assert_eq!(hits(b"ABCD"), vec![2]);
        assert!(hits(b"nothing here").is_empty());
        assert!(hits(b"").is_empty());
    }

    #[test]
    fn keyword_across_a_chunk_boundary() {
        for offset in [CHUNK - 10, CHUNK - 3, CHUNK - 1, CHUNK, 2 * CHUNK - 2] {
            let mut text = vec![b'.'; 3 * CHUNK];
            text[offset..offset + 17].copy_from_slice(b"adobelogin.com/c/");
            assert_eq!(hits(&text), vec![0, 1], "offset {offset}");
        }
    }

    #[test]
    fn more_keywords_than_one_group_holds() {
        let many: Vec<Rule> = (0..2 * GROUP + 3)
            .map(|i| rule(&format!("r{i}"), &[&format!("key{i:03}word")]))
            .collect();
        let pf = Prefilter::new(&many);
        let mut out = Vec::new();
        for i in [0, GROUP - 1, GROUP, 2 * GROUP + 2] {
            let text = format!("x = 'KEY{i:03}Word' + 'key999word'");
            assert!(pf.candidates(text.as_bytes(), &mut out));
            let hit: Vec<usize> = (0..out.len()).filter(|&r| out[r]).collect();
            assert_eq!(hit, vec![i]);
        }
    }

    #[test]
    fn agrees_with_a_naive_search() {
        // Deterministic pseudo-random texts over an alphabet that makes
        // keyword fragments, overlaps and case changes common.
        let alphabet = b"abcdefABCDEF/c/ .ologinPRIVATE KEY";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for len in [0, 1, 5, 40, 300, CHUNK + 50] {
            for _ in 0..40 {
                let text: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        alphabet[(state % alphabet.len() as u64) as usize]
                    })
                    .collect();
                assert_eq!(
                    hits(&text),
                    naive(&text),
                    "{:?}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }
}
