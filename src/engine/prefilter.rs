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

/// One searcher over some of the anchors, leftmost-longest.
#[derive(Debug, Clone)]
struct Searcher {
    find: Find,
    /// Pattern id in the searcher -> the keywords to verify where it
    /// matches: (keyword id, offset of its anchor in it), for every keyword
    /// whose anchor is this pattern or a prefix of it (leftmost-longest
    /// reports only the longest pattern starting at a position).
    verify: Vec<Vec<(usize, usize)>>,
}

#[derive(Debug, Clone)]
enum Find {
    /// Teddy, when the CPU has the vector instructions it needs.
    Packed(packed::Searcher),
    /// Otherwise an automaton.
    Ac(AhoCorasick),
}

impl Searcher {
    fn new(anchors: &[&str], verify: Vec<Vec<(usize, usize)>>) -> Option<Searcher> {
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostLongest)
            .builder()
            .extend(anchors)
            .build();
        let find = match packed {
            Some(s) => Find::Packed(s),
            None => Find::Ac(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(anchors)
                    .ok()?,
            ),
        };
        Some(Searcher { find, verify })
    }

    /// The leftmost-longest match starting at or after `from`: (start,
    /// pattern id).
    fn find(&self, hay: &[u8], from: usize) -> Option<(usize, usize)> {
        let m = match &self.find {
            Find::Packed(s) => s.find_in(hay, Span::from(from..hay.len()))?,
            Find::Ac(ac) => ac.find(Input::new(hay).range(from..))?,
        };
        Some((m.start(), m.pattern().as_usize()))
    }
}

/// How common a byte is in source code, roughly (letters by English
/// frequency; punctuation and digits are rare): anchors are chosen to be
/// rare so that Teddy stops at few candidates.
fn commonness(b: u8) -> u32 {
    match b {
        b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' => 4,
        b'h' | b'l' | b'd' | b'c' | b'u' | b'm' | b' ' => 3,
        b'f' | b'p' | b'g' | b'w' | b'y' | b'b' | b'v' | b'_' | b'.' => 2,
        _ => 1,
    }
}

/// A 4-byte anchor for every keyword of at least [`SHORT`] bytes: (anchor,
/// offset in the keyword) by keyword id, `None` for shorter keywords (they
/// are their own anchor). Greedy set cover: the window shared by the most
/// keywords still without one, the rarest among equals, so that the many
/// spellings of a name (`tech_acct`, `techacct`, `technical_account`, ...)
/// share a few anchors and every anchor fits one Teddy searcher.
fn choose_anchors(keywords: &[String]) -> Vec<Option<(String, usize)>> {
    let mut out: Vec<Option<(String, usize)>> = vec![None; keywords.len()];
    loop {
        let open: Vec<usize> = (0..keywords.len())
            .filter(|&i| keywords[i].len() >= SHORT && out[i].is_none())
            .collect();
        if open.is_empty() {
            return out;
        }
        let mut best: Option<(usize, u32, &[u8])> = None;
        for &i in &open {
            for w in keywords[i].as_bytes().windows(SHORT) {
                let count = open
                    .iter()
                    .filter(|&&j| keywords[j].as_bytes().windows(SHORT).any(|x| x == w))
                    .count();
                let cost: u32 = w.iter().map(|&b| commonness(b)).sum();
                let better = match best {
                    None => true,
                    Some((c, k, bw)) => {
                        (count, std::cmp::Reverse(cost), std::cmp::Reverse(w))
                            > (c, std::cmp::Reverse(k), std::cmp::Reverse(bw))
                    }
                };
                if better {
                    best = Some((count, cost, w));
                }
            }
        }
        let Some((_, _, w)) = best else {
            return out;
        };
        let anchor = String::from_utf8_lossy(w).into_owned();
        for &j in &open {
            if let Some(at) = keywords[j].find(&anchor) {
                out[j] = Some((anchor.clone(), at));
            }
        }
    }
}

/// Slim Teddy's buckets: pattern `i` of a searcher goes to bucket
/// `7 - i % 8` (aho-corasick's rule), unless an earlier pattern has the same
/// low nibbles.
const BUCKETS: usize = 8;

/// Expected share of text positions at which Teddy's masks let a bucket
/// through, so that it must verify: for every byte of the mask (up to 4),
/// the weight of the bytes whose low nibble and high nibble both occur at
/// that offset in some pattern of the bucket (Teddy matches the nibbles
/// separately, so `ab` and `cd` in a bucket also let `ad` and `cb`
/// through). Byte weights follow [`commonness`].
fn bucket_cost(patterns: &[&[u8]], mask_len: usize) -> f64 {
    if patterns.is_empty() {
        return 0.0;
    }
    (0..mask_len)
        .map(|at| {
            let (mut lo, mut hi) = (0u16, 0u16);
            for p in patterns {
                lo |= 1 << (p[at] & 0xF);
                hi |= 1 << (p[at] >> 4);
            }
            let mut weight = 0.0;
            for h in (0..16u8).filter(|h| hi & (1 << h) != 0) {
                for l in (0..16u8).filter(|l| lo & (1 << l) != 0) {
                    weight += f64::from(4u32.pow(commonness(h << 4 | l)));
                }
            }
            weight
        })
        .product()
}

/// The sum of [`bucket_cost`] over the buckets the patterns fall in, in
/// this order.
fn teddy_cost(anchors: &[String]) -> f64 {
    let mask_len = anchors.iter().map(String::len).min().unwrap_or(0).min(4);
    let mut buckets: [Vec<&[u8]>; BUCKETS] = Default::default();
    let mut seen: Vec<(&[u8], usize)> = Vec::new();
    for (i, a) in anchors.iter().enumerate() {
        let nibbles = &a.as_bytes()[..mask_len];
        let same = seen
            .iter()
            .find(|(n, _)| n.iter().zip(nibbles).all(|(x, y)| x & 0xF == y & 0xF));
        let b = match same {
            Some(&(_, b)) => b,
            None => {
                let b = BUCKETS - 1 - i % BUCKETS;
                seen.push((nibbles, b));
                b
            }
        };
        buckets[b].push(a.as_bytes());
    }
    buckets.iter().map(|b| bucket_cost(b, mask_len)).sum()
}

/// Orders one searcher's anchors so that Teddy's buckets hold patterns whose
/// nibbles overlap, which lets fewer text positions through to
/// verification (about a quarter less search time on real code than the
/// order the anchors were chosen in, same matches; docs/performance.md).
/// Deterministic: the best swap of two anchors in different buckets, until
/// no swap lowers [`teddy_cost`].
fn order_for_teddy(anchors: &mut [String]) {
    let mut cost = teddy_cost(anchors);
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for i in 0..anchors.len() {
            for j in i + 1..anchors.len() {
                if i % BUCKETS == j % BUCKETS {
                    continue;
                }
                anchors.swap(i, j);
                let c = teddy_cost(anchors);
                anchors.swap(i, j);
                if c < best.map_or(cost, |b| b.0) * (1.0 - 1e-9) {
                    best = Some((c, i, j));
                }
            }
        }
        let Some((c, i, j)) = best else {
            return;
        };
        anchors.swap(i, j);
        cost = c;
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
    /// Keyword id -> the keyword (lowercase), verified where its anchor is
    /// found.
    keywords: Vec<Vec<u8>>,
    /// Length of the longest keyword: chunks overlap by one byte less, so a
    /// keyword across a chunk boundary is still seen whole.
    max_len: usize,
    /// Largest offset of an anchor in its keyword: an anchor found up to
    /// this far past a chunk's end may belong to a keyword starting in it.
    max_offset: usize,
    rule_count: usize,
    has_keywords: bool,
}

impl Prefilter {
    /// Builds the automaton over every rule's keywords (already lowercased by
    /// rule compilation; lowercased again here so a hand-built rule cannot
    /// make the prefilter blind), except those of rules with `needs.in_file`.
    pub fn new(rules: &[Rule]) -> Prefilter {
        let mut keywords: Vec<String> = Vec::new();
        let mut direct: Vec<Vec<usize>> = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            // A rule that needs other Adobe evidence in the file runs where
            // that evidence is, whatever its own keywords (the engine
            // ignores its mark), so they are left out: `sign`, `encode` and
            // `pkey` were 97% of the keyword hits in real dependency trees,
            // each a restart of the search, and they made files candidates
            // that no rule could match.
            // The keywords of a rule for named files (manifests, CI files)
            // are searched in those files only (`Engine::candidates`).
            if !rule.spec.needs.in_file.is_empty() || rule.gated_by_path() {
                continue;
            }
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
        // Keywords shorter than SHORT are their own anchors, in searchers
        // of their own; the others get 4-byte anchors.
        let chosen = choose_anchors(&keywords);
        let anchor_of = |i: usize| -> (String, usize) {
            chosen[i]
                .clone()
                .unwrap_or_else(|| (keywords[i].clone(), 0))
        };
        let mut short: Vec<String> = Vec::new();
        let mut long: Vec<String> = Vec::new();
        for i in 0..keywords.len() {
            let (a, _) = anchor_of(i);
            let group = if a.len() < SHORT {
                &mut short
            } else {
                &mut long
            };
            if !group.contains(&a) {
                group.push(a);
            }
        }
        let searchers = short
            .chunks(GROUP)
            .chain(long.chunks(GROUP))
            .map(|anchors| {
                let mut anchors = anchors.to_vec();
                order_for_teddy(&mut anchors);
                let verify = anchors
                    .iter()
                    .map(|b| {
                        (0..keywords.len())
                            .map(|k| (k, anchor_of(k)))
                            .filter(|(_, (a, _))| b.starts_with(a.as_str()) && anchors.contains(a))
                            .map(|(k, (_, off))| (k, off))
                            .collect()
                    })
                    .collect();
                let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
                Searcher::new(&anchors, verify)
            })
            .collect::<Option<Vec<Searcher>>>();
        let max_offset = (0..keywords.len())
            .map(|i| anchor_of(i).1)
            .max()
            .unwrap_or(0);
        Prefilter {
            searchers,
            rules_of,
            max_offset,
            max_len: keywords.iter().map(String::len).max().unwrap_or(0),
            rule_count: rules.len(),
            has_keywords: !keywords.is_empty(),
            keywords: keywords.into_iter().map(String::into_bytes).collect(),
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
                while let Some((at, pattern)) = s.find(folded, pos) {
                    // A keyword starting past the chunk is found whole in the next.
                    if at >= CHUNK + self.max_offset {
                        break;
                    }
                    for &(keyword, offset) in &s.verify[pattern] {
                        // A keyword starting before the chunk was seen in the
                        // previous one (chunks overlap by max_len - 1).
                        let Some(ks) = at.checked_sub(offset) else {
                            continue;
                        };
                        let k = &self.keywords[keyword];
                        if ks >= CHUNK || folded.get(ks..ks + k.len()) != Some(k.as_slice()) {
                            continue;
                        }
                        for &ri in &self.rules_of[keyword] {
                            if !out[ri] {
                                out[ri] = true;
                                marked += 1;
                            }
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

    /// Anchors shared by several keywords, anchors inside keywords at an
    /// offset, keywords across chunk boundaries: the built-in rule pack on
    /// texts made of pieces of its own keywords.
    #[test]
    fn builtin_keywords_agree_with_a_naive_search() {
        let mut errors = Vec::new();
        let set =
            crate::rules::load::load_layers(vec![crate::rules::load::builtin_files()], &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let pf = Prefilter::new(&set.rules);
        let searched: Vec<(usize, &Rule)> = set
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.spec.needs.in_file.is_empty() && !r.gated_by_path())
            .collect();
        assert!(
            set.rules.iter().any(Rule::gated_by_path),
            "the built-in pack has rules for named files (manifests, CI files)"
        );
        let words: Vec<&str> = set
            .rules
            .iter()
            .flat_map(|r| r.keywords.iter().map(String::as_str))
            .collect();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut out = Vec::new();
        for len in [10, 200, 3000, CHUNK + 500, 2 * CHUNK + 100] {
            for _ in 0..25 {
                let mut text = Vec::new();
                while text.len() < len {
                    let w = words[next(words.len())].as_bytes();
                    // A whole keyword, or a piece of one (a near miss).
                    let (a, b) = match next(3) {
                        0 => (0, w.len()),
                        _ => {
                            let a = next(w.len());
                            (a, a + next(w.len() - a + 1))
                        }
                    };
                    for &c in &w[a..b] {
                        text.push(if next(2) == 0 {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        });
                    }
                    text.extend_from_slice([&b" "[..], b"", b"_", b"\n", b"x"][next(5)]);
                }
                pf.candidates(&text, &mut out);
                let lower = text.to_ascii_lowercase();
                for &(ri, r) in &searched {
                    let expect = r
                        .keywords
                        .iter()
                        .any(|k| lower.windows(k.len()).any(|w| w == k.as_bytes()));
                    assert_eq!(
                        out[ri],
                        expect,
                        "{} in {:?}",
                        r.spec.id,
                        String::from_utf8_lossy(&text)
                    );
                }
            }
        }
    }

    /// Keywords of a rule that needs other evidence in the file are not
    /// searched: the engine runs such a rule wherever the evidence is.
    #[test]
    fn needs_rules_keywords_are_not_searched() {
        let mut needy = rule("needy", &["sign"]);
        needy.spec.needs.in_file = vec![crate::finding::Category::JwtExchange];
        let pf = Prefilter::new(&[needy, rule("other", &["abcd"])]);
        let mut out = Vec::new();
        assert!(!pf.candidates(b"x.sign(y)", &mut out));
        assert!(pf.candidates(b"x.sign(abcd)", &mut out));
        assert_eq!(out, vec![false, true]);
    }

    #[test]
    fn anchors_are_shared_and_rare() {
        let kws: Vec<String> = [
            "tech_acct",
            "tech_acc",
            "technical_account",
            "metascopes",
            "meta_scope",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let chosen = choose_anchors(&kws);
        for (k, c) in kws.iter().zip(&chosen) {
            let (a, off) = c.clone().expect("anchor");
            assert_eq!(&k[off..off + SHORT], a, "{k}");
        }
        let distinct: std::collections::BTreeSet<String> =
            chosen.iter().flatten().map(|(a, _)| a.clone()).collect();
        assert!(distinct.len() <= 3, "{distinct:?}");
    }

    #[test]
    fn teddy_order_is_a_permutation_that_costs_less() {
        let given: Vec<String> = [
            "adob", "fica", "'c/'", "'s/'", "\"c/\"", "\"s/\"", "priv", "pkcs", "path", "_sdk",
            "ent_", "meta", ".pfx", ".p12", "tech", "auth", "dent", "oken", "_typ", "_exp", "exch",
            "jwt'", "jwt\"", "kjur",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut ordered = given.clone();
        order_for_teddy(&mut ordered);
        let mut a = given.clone();
        let mut b = ordered.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        // The order the built-in anchors came in lets about 14 times as
        // many positions through as the chosen one (by this model).
        assert!(
            teddy_cost(&ordered) * 4.0 < teddy_cost(&given),
            "{} vs {}",
            teddy_cost(&ordered),
            teddy_cost(&given)
        );
        // Same low nibbles share a bucket, as in aho-corasick.
        let pair = ["abcd".to_string(), "qrst".to_string()];
        let together = bucket_cost(&[b"abcd", b"qrst"], 4);
        assert_eq!(teddy_cost(&pair), together);
        assert_ne!(
            together,
            bucket_cost(&[b"abcd"], 4) + bucket_cost(&[b"qrst"], 4)
        );
        let mut few = vec!["ab".to_string(), "a".to_string()];
        order_for_teddy(&mut few);
        assert_eq!(few.len(), 2);
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
