//! `tandem bounces ingest PATH` (a Maildir folder or an mbox file of delivery status
//! notifications) and `tandem bounces list`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use crate::app::Context as AppState;
use crate::services::bounces;

#[derive(Debug, Subcommand)]
pub enum BouncesCommand {
    /// Record the bounces in a Maildir folder (cur/ and new/) or an mbox file; messages
    /// are left in place, and ingesting them again records nothing twice
    Ingest {
        path: PathBuf,
        /// Print the summary as JSON
        #[arg(long)]
        json: bool,
    },
    /// The latest recorded bounces, newest first
    List {
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

pub fn bounces_command(
    state: &AppState,
    cmd: BouncesCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut conn = state.pool.get().context("taking a database connection")?;
    let conn = &mut *conn;
    match cmd {
        BouncesCommand::Ingest { path, json } => {
            let summary = bounces::ingest_mailbox(
                conn,
                &state.settings.mail.bounces,
                &path,
                "cli",
                crate::app::now(),
            )?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?;
                return Ok(());
            }
            for (name, reason) in &summary.ignored {
                writeln!(out, "ignored {name}: {reason}")?;
            }
            writeln!(
                out,
                "bounces ingested from {} messages: {} hard, {} soft, {} already recorded, {} ignored",
                summary.messages,
                summary.hard,
                summary.soft,
                summary.duplicates,
                summary.ignored.len()
            )?;
        }
        BouncesCommand::List { limit } => {
            let list = bounces::list(conn, limit)?;
            if list.is_empty() {
                writeln!(out, "no bounces recorded")?;
            }
            for b in list {
                writeln!(
                    out,
                    "{}  {:4}  {}  {}  outbox {}  {}",
                    b.received_at.format("%Y-%m-%d %H:%M"),
                    b.kind,
                    b.status,
                    crate::mail::masked(&b.email),
                    b.outbox_id.map_or("-".to_owned(), |id| id.to_string()),
                    b.diagnostic.unwrap_or_default()
                )?;
            }
        }
    }
    Ok(())
}
