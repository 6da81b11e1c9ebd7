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
            "{spinner} scanning: {human_pos} files ({per_sec})",
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

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
