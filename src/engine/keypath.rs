//! Key-path patterns of structured rules: segments separated by `.`, each a
//! case-insensitive glob (`*` within a segment) with `a|b` alternatives, and
//! `**` for any depth.
//!
//! Matching runs the pattern as an NFA over the path (the set of pattern
//! positions reachable after each path segment), so it takes at most
//! `segments x path length` steps. The obvious recursive matcher tries every
//! split of the path for every `**` and is exponential in their number: a
//! user rule with a few `**` against a deeply nested config never finished.

/// Why a key-path pattern does not compile.
#[derive(Debug, Clone, thiserror::Error)]
pub enum KeyPatternError {
    #[error("empty key pattern")]
    Empty,
    #[error("empty segment in key pattern {0:?}")]
    EmptySegment(String),
    #[error("{0}")]
    Glob(#[from] regex::Error),
}

/// A compiled key-path pattern.
#[derive(Debug, Clone)]
pub struct KeyPattern {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone)]
enum Segment {
    AnyDepth,
    Glob(regex::Regex),
}

impl KeyPattern {
    /// Compiles a pattern such as `project.workspace.details.credentials.*.jwt`.
    pub fn new(pattern: &str) -> Result<KeyPattern, KeyPatternError> {
        if pattern.trim().is_empty() {
            return Err(KeyPatternError::Empty);
        }
        let segments = pattern
            .split('.')
            .map(|s| {
                if s == "**" {
                    return Ok(Segment::AnyDepth);
                }
                if s.is_empty() {
                    return Err(KeyPatternError::EmptySegment(pattern.to_string()));
                }
                let alts: Vec<String> = s
                    .split('|')
                    .map(|a| regex::escape(a).replace(r"\*", ".*"))
                    .collect();
                regex::Regex::new(&format!("(?i)^(?:{})$", alts.join("|")))
                    .map(Segment::Glob)
                    .map_err(KeyPatternError::from)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(KeyPattern { segments })
    }

    /// Whether a key path matches.
    pub fn matches(&self, path: &[String]) -> bool {
        let n = self.segments.len();
        // live[j]: the pattern's first j segments match the path so far.
        let mut live = vec![false; n + 1];
        live[0] = true;
        self.skip_any_depth(&mut live);
        let mut next = vec![false; n + 1];
        for key in path {
            next.iter_mut().for_each(|b| *b = false);
            for (j, seg) in self.segments.iter().enumerate() {
                if !live[j] {
                    continue;
                }
                match seg {
                    // `**` consumes this segment and may consume more.
                    Segment::AnyDepth => next[j] = true,
                    Segment::Glob(re) => {
                        if re.is_match(key) {
                            next[j + 1] = true;
                        }
                    }
                }
            }
            self.skip_any_depth(&mut next);
            std::mem::swap(&mut live, &mut next);
            if !live.contains(&true) {
                return false;
            }
        }
        live[n]
    }

    /// `**` also matches no segment: a live `**` makes the position after
    /// it live (in order, so runs of `**` propagate).
    fn skip_any_depth(&self, live: &mut [bool]) {
        for (j, seg) in self.segments.iter().enumerate() {
            if live[j] && matches!(seg, Segment::AnyDepth) {
                live[j + 1] = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn globs_alternatives_and_any_depth() {
        let p = KeyPattern::new("**.credentials.*.jwt").expect("compiles");
        assert!(p.matches(&v("project.workspace.details.credentials.0.jwt")));
        assert!(p.matches(&v("credentials.0.jwt")));
        assert!(!p.matches(&v("project.credentials.0.oauth_server_to_server")));
        assert!(!p.matches(&v("credentials.0.jwt.x")));
        let q = KeyPattern::new("enterprise.priv_key_*|tech_acct*").expect("compiles");
        assert!(
            q.matches(&v("enterprise.priv_key_path")) && q.matches(&v("enterprise.TECH_ACCT_ID"))
        );
        assert!(!q.matches(&v("enterprise")));
        assert!(KeyPattern::new("a..b").is_err());
        assert!(KeyPattern::new(" ").is_err());
    }

    #[test]
    fn any_depth_edges() {
        let all = KeyPattern::new("**").expect("compiles");
        assert!(all.matches(&[]) && all.matches(&v("a.b.c")));
        let tail = KeyPattern::new("a.**").expect("compiles");
        assert!(tail.matches(&v("a")) && tail.matches(&v("a.b.c")) && !tail.matches(&v("b")));
        let mid = KeyPattern::new("a.**.**.b").expect("compiles");
        assert!(mid.matches(&v("a.b")) && mid.matches(&v("a.x.y.b")) && !mid.matches(&v("a.x")));
    }

    /// Regression: many `**` against a long path (exponential before).
    #[test]
    fn many_any_depth_segments_on_a_long_path() {
        let p = KeyPattern::new("**.x.**.x.**.x.**.x.**.x.**.x.**.x.**.y").expect("compiles");
        let long: Vec<String> = (0..400).map(|_| "x".to_string()).collect();
        assert!(!p.matches(&long));
        let mut hit = long.clone();
        hit.push("y".into());
        assert!(p.matches(&hit));
    }
}
