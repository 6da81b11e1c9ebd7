//! A progress bar on stderr (indicatif) while scanning large trees or a
//! git history, shown only when stderr is a terminal: CI logs, pipes and
//! machine-readable stdout (JSON, SARIF) never see it.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress display that may be hidden; cheap to tick from many threads.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A counter of files (unknown total) when `enabled` and stderr is a
    /// terminal, else a no-op.
    pub fn files(enabled: bool) -> Progress {
        Progress::new(
            enabled,
            None,
            "{spinner} scanning: {human_pos} files ({rate})",
        )
    }

    /// A bar over `total` items (git blobs) when `enabled` and stderr is a
    /// terminal, else a no-op.
    pub fn blobs(enabled: bool, total: u64) -> Progress {
        Progress::new(
            enabled,
            Some(total),
            "{spinner} history: {bar:30} {human_pos}/{human_len} blobs ({eta})",
        )
    }

    /// A bar over the `total` repositories of `scan --repos` (each one's
    /// name beside it) when `enabled` and stderr is a terminal, else a no-op.
    pub fn repositories(enabled: bool, total: u64) -> Progress {
        Progress::new(
            enabled,
            Some(total),
            "{spinner} repositories: {bar:30} {pos}/{len} {wide_msg}",
        )
    }

    fn new(enabled: bool, total: Option<u64>, template: &str) -> Progress {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = match total {
            Some(n) => ProgressBar::new(n),
            None => ProgressBar::new_spinner(),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        if let Ok(style) = ProgressStyle::with_template(template) {
            // indicatif's own {per_sec} printed `5,986.6357/s`.
            let style = style.with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&rate(state.per_sec()));
                },
            );
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar: Some(bar) }
    }

    /// Whether anything is drawn.
    pub fn is_visible(&self) -> bool {
        self.bar.is_some()
    }

    /// One more item done.
    pub fn tick(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    /// Shows what is being worked on beside the bar (a repository's name).
    pub fn set_message(&self, message: &str) {
        if let Some(b) = &self.bar {
            b.set_message(message.to_string());
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// A rate as a whole number of items per second with thousands separators
/// (`5,987/s`).
pub fn rate(per_sec: f64) -> String {
    let n = if per_sec.is_finite() && per_sec > 0.0 {
        per_sec.round() as u64
    } else {
        0
    };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out + "/s"
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rate_is_a_whole_number_with_separators() {
        assert_eq!(super::rate(5986.6357), "5,987/s");
        assert_eq!(super::rate(0.4), "0/s");
        assert_eq!(super::rate(1_234_567.0), "1,234,567/s");
        assert_eq!(super::rate(f64::NAN), "0/s");
    }
}
