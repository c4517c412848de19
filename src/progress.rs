//! Progress of long CLI jobs (imports, opening a wave, the demo seed, benchmarks) for a
//! person at a terminal. When stderr is not a terminal (CI, a pipe, cron mail) the bars are
//! hidden and draw nothing at all: the command's summary line is the record, and a log never
//! fills with carriage returns. Never used by the web service; imports nothing of ours.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Whether anyone watches stderr.
fn attended() -> bool {
    std::io::stderr().is_terminal()
}

/// A bar of `len` steps, `what` beside it; hidden when stderr is not a terminal.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    if !attended() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    pb.set_message(what.to_owned());
    pb
}

/// A spinner for work of unknown length (one transaction: all or nothing), with the time
/// spent; hidden when stderr is not a terminal.
pub fn spinner(what: &str) -> ProgressBar {
    if !attended() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("a valid template"),
    );
    pb.set_message(what.to_owned());
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// Runs `work` under a spinner, cleared before the caller prints its summary.
pub fn with_spinner<T>(what: &str, work: impl FnOnce() -> T) -> T {
    let pb = spinner(what);
    let outcome = work();
    pb.finish_and_clear();
    outcome
}
