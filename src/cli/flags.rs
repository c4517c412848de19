//! `tandem flags run`, `tandem flags list` and `tandem flags raise`, as one function over
//! parsed arguments so `src/cli.rs` only wires it.

use std::io::Write;

use anyhow::Context;
use clap::Subcommand;

use crate::app::Context as AppState;
use crate::flags::store::{Actor, InboxScope, ManualFlagInput};
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
    /// Queue the weekly digests that are due (the scheduler does this too); with --now,
    /// every ombudsman's digest whatever the date of their last one
    Digest {
        #[arg(long)]
        now: bool,
        /// Print what the pass did as JSON
        #[arg(long)]
        json: bool,
    },
    /// Raise a flag by hand on a partnership; prints the new flag's id
    Raise {
        #[arg(long)]
        partnership: i64,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        note: String,
        /// customer or supplier
        #[arg(long)]
        side: Option<String>,
        /// A dimension of the partnership's survey
        #[arg(long)]
        dimension: Option<String>,
        /// An item of the partnership's survey
        #[arg(long)]
        item: Option<String>,
        /// level, function, region, business_unit, language or a custom attribute the
        /// partnership declared (with --segment-value)
        #[arg(long)]
        segment_attribute: Option<String>,
        #[arg(long)]
        segment_value: Option<String>,
        /// low, medium (the default) or high
        #[arg(long)]
        severity: Option<String>,
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
        FlagsCommand::Digest { now, json } => {
            let report = flags::queue_digests(conn, crate::app::now(), &state.links(), "cli", now)?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
            } else {
                writeln!(
                    out,
                    "{} digests queued; {} due with nothing to say",
                    report.queued.len(),
                    report.empty
                )?;
            }
        }
        FlagsCommand::Raise {
            partnership,
            title,
            note,
            side,
            dimension,
            item,
            segment_attribute,
            segment_value,
            severity,
        } => {
            let input = ManualFlagInput {
                title,
                note,
                side,
                dimension,
                segment_attribute,
                segment_value,
                item,
                severity,
            };
            let (flag, mails) = flags::raise(
                conn,
                &state.catalog,
                partnership,
                &input,
                &Actor::cli(),
                &state.links(),
            )?;
            writeln!(
                out,
                "raised flag {} on {} ({}, {}); {mails} alert mails queued",
                flag.flag.id,
                flag.flag.partnership,
                flag.flag.scope,
                flag.flag.severity.as_str()
            )?;
            writeln!(out, "{}", flag.flag.id)?;
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
                        f.wave.map_or_else(|| "-".to_owned(), |w| w.to_string()),
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
