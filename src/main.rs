use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Err(e) = init_logs() {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let cli = tandem::cli::Cli::parse();
    let mut stdout = std::io::stdout().lock();
    match tandem::cli::run(cli, &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr: plain lines by default, one JSON object per line with
/// `TANDEM_LOG_FORMAT=json` (for a log shipper). Any other value is refused, not ignored.
fn init_logs() -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TANDEM_LOG")
        .unwrap_or_else(|_| "info,tandem::http=info".into());
    let format = std::env::var("TANDEM_LOG_FORMAT").unwrap_or_default();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format.trim().to_ascii_lowercase().as_str() {
        "" | "plain" | "text" => builder
            // Colour codes only for a person at a terminal, never in a log file or a pipe.
            .with_ansi(std::io::stderr().is_terminal())
            .init(),
        "json" => builder
            .json()
            // The request's span (its `request_id`) on every line logged inside it.
            .with_current_span(true)
            .with_span_list(false)
            .init(),
        other => {
            return Err(format!(
            "TANDEM_LOG_FORMAT={other:?} is not a log format: use `plain` (the default) or `json`"
        ))
        }
    }
    Ok(())
}
