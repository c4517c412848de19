//! `tandem flags run` and `tandem flags list`, as one function over parsed arguments so
//! `src/cli.rs` only wires it.

use std::io::Write;

use anyhow::Context;
use clap::Subcommand;

use crate::app::Context as AppState;
use crate::flags::store::InboxScope;
use crate::services::flags;

#[derive(Debug, Subcommand)]
pub enum FlagsCommand {
    /// Run the flag rules on a closed wave (default: the latest) and queue the alerts
    Run {
        #[arg(long)]
        partnership: i64,
        /// The wave's number
        #[arg(long)]
        wave: Option<i64>,
        /// Print what the run did as JSON
        #[arg(long)]
        json: bool,
    },
    /// Open and acknowledged flags, most severe first; with --partnership, every flag of it
    List {
        #[arg(long)]
        partnership: Option<i64>,
        /// Print the flags as JSON
        #[arg(long)]
        json: bool,
    },
}

/// `tandem flags …`.
pub fn flags_command(
    state: &AppState,
    cmd: FlagsCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut conn = state.pool.get().context("taking a database connection")?;
    let conn = &mut *conn;
    match cmd {
        FlagsCommand::Run {
            partnership,
            wave,
            json,
        } => {
            let run = flags::run_rules(conn, partnership, wave, &state.links())?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&run)?)?;
            } else {
                writeln!(
                    out,
                    "wave {}: {} fired; {} opened, {} reopened, {} still firing, {} unchanged, {} superseded; {} alert mails queued",
                    run.wave,
                    run.fired,
                    run.opened.len(),
                    run.reopened.len(),
                    run.still_firing.len(),
                    run.unchanged.len(),
                    run.superseded.len(),
                    run.mails_queued
                )?;
            }
        }
        FlagsCommand::List { partnership, json } => {
            let flags = match partnership {
                Some(id) => flags::for_partnership(conn, id),
                None => flags::inbox(conn, &InboxScope::All),
            }?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&flags)?)?;
            } else if flags.is_empty() {
                writeln!(out, "no flags")?;
            } else {
                for f in flags {
                    writeln!(
                        out,
                        "#{:<5} {:<6} {:<12} {} wave {}  {}  {}  measured {} (threshold {})",
                        f.id,
                        f.severity.as_str(),
                        f.state.as_str(),
                        f.partnership,
                        f.wave,
                        f.rule,
                        f.scope,
                        f.measured
                            .map(|m| format!("{m:.3}"))
                            .unwrap_or_else(|| "-".into()),
                        f.threshold
                            .map(|t| format!("{t:.3}"))
                            .unwrap_or_else(|| "-".into()),
                    )?;
                }
            }
        }
    }
    Ok(())
}
