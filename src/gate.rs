//! The CI gate, decided once: which findings fail it (`--fail-on`), what
//! every format prints about it, and the exit code `scan` and `merge` end
//! with (`--strict` makes an incomplete scan exit 3). Both commands judge a
//! report with [`Gate::judge`] and hand the same [`Verdict`] to the outputs.

use clap::ValueEnum;

use crate::finding::{Finding, Severity};
use crate::report::ScanReport;

/// The `--fail-on` threshold: a severity, or `never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never fail because of findings (still exits 2/3 on errors).
    Never,
}

impl FailOn {
    /// The lowest severity that fails the gate, or `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// The gate of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// The `--fail-on` value as given (`low`, `never`, ...).
    name: String,
    /// The lowest severity that fails the gate (`None` for `never`).
    threshold: Option<Severity>,
    /// An incomplete scan exits 3 (`--strict`).
    strict: bool,
}

impl Gate {
    pub fn new(name: &str, threshold: Option<Severity>, strict: bool) -> Gate {
        Gate {
            name: name.to_string(),
            threshold,
            strict,
        }
    }

    /// The gate of `--fail-on` and `--strict`.
    pub fn from_fail_on(fail_on: FailOn, strict: bool) -> Gate {
        let name = fail_on
            .to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default();
        Gate::new(&name, fail_on.threshold(), strict)
    }

    /// The `--fail-on` value as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The lowest severity that fails the gate (`None` for `never`).
    pub fn threshold(&self) -> Option<Severity> {
        self.threshold
    }

    /// Whether this finding fails the gate: at or above the threshold, of
    /// a category that counts (OAuth Server-to-Server and AEM service
    /// credential findings never do). Suppressed findings are not in the
    /// report's `findings`, so they never reach here.
    pub fn fails(&self, f: &Finding) -> bool {
        f.category.counts_for_gate() && self.threshold.is_some_and(|t| f.severity >= t)
    }

    /// The verdict on a finished report.
    pub fn judge(&self, report: &ScanReport) -> Verdict {
        Verdict {
            failed: report.findings.iter().any(|d| self.fails(&d.finding)),
            errors: report.errors.len() as u64,
            too_large: report.stats.skipped_too_large,
            strict: self.strict,
        }
    }
}

/// What the gate said about one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Verdict {
    /// A finding fails the gate.
    pub failed: bool,
    /// Scan errors (unreadable or unparsable files, failed clones).
    pub errors: u64,
    /// Files skipped for `--max-filesize`.
    pub too_large: u64,
    strict: bool,
}

/// How a run ends, by the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Nothing fails the gate.
    Passed,
    /// A finding fails the gate.
    Failed,
    /// The scan was incomplete and `--strict` was given (wins over failed).
    Incomplete,
}

impl Verdict {
    /// Whether a finding could have been missed.
    pub fn incomplete(&self) -> bool {
        self.errors + self.too_large > 0
    }

    /// How the run ends.
    pub fn exit(&self) -> Exit {
        if self.strict && self.incomplete() {
            Exit::Incomplete
        } else if self.failed {
            Exit::Failed
        } else {
            Exit::Passed
        }
    }

    /// The verdict as every format prints it: `FAILED`, `passed`, or
    /// `passed, incomplete: ...` when a finding could have been missed (a
    /// passed gate never reads as clean on an incomplete scan).
    pub fn text(&self) -> String {
        if self.failed {
            return "FAILED".to_string();
        }
        let mut parts = Vec::new();
        match self.errors {
            0 => {}
            1 => parts.push("1 error".to_string()),
            n => parts.push(format!("{n} errors")),
        }
        if self.too_large > 0 {
            parts.push(format!("{} too large", self.too_large));
        }
        if parts.is_empty() {
            "passed".to_string()
        } else {
            format!("passed, incomplete: {}", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(failed: bool, errors: u64, too_large: u64, strict: bool) -> Verdict {
        Verdict {
            failed,
            errors,
            too_large,
            strict,
        }
    }

    #[test]
    fn the_text_never_says_a_bare_passed_for_an_incomplete_scan() {
        assert_eq!(verdict(false, 0, 0, false).text(), "passed");
        assert_eq!(
            verdict(false, 1, 0, false).text(),
            "passed, incomplete: 1 error"
        );
        assert_eq!(
            verdict(false, 2, 3, false).text(),
            "passed, incomplete: 2 errors, 3 too large"
        );
        assert_eq!(verdict(true, 2, 0, false).text(), "FAILED");
    }

    #[test]
    fn strict_makes_an_incomplete_scan_exit_incomplete_even_when_failed() {
        assert_eq!(verdict(false, 0, 0, true).exit(), Exit::Passed);
        assert_eq!(verdict(true, 0, 0, true).exit(), Exit::Failed);
        assert_eq!(verdict(true, 1, 0, true).exit(), Exit::Incomplete);
        assert_eq!(verdict(false, 0, 1, true).exit(), Exit::Incomplete);
        assert_eq!(verdict(false, 1, 0, false).exit(), Exit::Passed);
        assert_eq!(verdict(true, 1, 0, false).exit(), Exit::Failed);
    }

    #[test]
    fn never_fails_nothing_and_oauth_never_fails() {
        use crate::finding::{Category, Confidence, Finding, Location, RuleMeta};
        let meta = RuleMeta {
            id: "r",
            category: Category::JwtExchange,
            severity: Severity::Critical,
            confidence: Confidence::High,
            message: "m",
            remediation: "r",
        };
        let at = Location {
            path: "a.py".into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 2,
        };
        let mut f = Finding::new(&meta, at, "x", "x", 0, None);
        assert!(Gate::new("low", Some(Severity::Low), false).fails(&f));
        assert!(!Gate::new("never", None, false).fails(&f));
        f.category = Category::OauthS2s;
        assert!(!Gate::new("low", Some(Severity::Low), false).fails(&f));
        f.category = Category::JwtExchange;
        f.severity = Severity::Medium;
        assert!(!Gate::new("high", Some(Severity::High), false).fails(&f));
    }
}
