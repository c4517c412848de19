//! `tandem attributes add|list`: the custom roster attributes of a partnership (site,
//! programme…). A declared key becomes an optional roster column and a report breakdown
//! (`tandem report --by KEY`).

use std::io::Write;

use anyhow::Context;
use clap::Subcommand;

use crate::app::Context as AppState;
use crate::services::attributes::{self, AttributeInput};

#[derive(Debug, Subcommand)]
pub enum AttributesCommand {
    /// Declare a custom attribute: a roster column of that key, kept per person and
    /// reported as a breakdown under the minimum reporting size
    Add {
        #[arg(long)]
        partnership: i64,
        /// 1–32 characters: a lowercase letter, then lowercase letters, digits or _
        #[arg(long)]
        key: String,
        /// What the pages call it
        #[arg(long)]
        label: String,
    },
    /// The partnership's custom attributes, in the order declared
    List {
        #[arg(long)]
        partnership: i64,
        #[arg(long)]
        json: bool,
    },
}

pub fn attributes_command(
    state: &AppState,
    cmd: AttributesCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut conn = state.pool.get().context("taking a database connection")?;
    let conn = &mut *conn;
    match cmd {
        AttributesCommand::Add {
            partnership,
            key,
            label,
        } => {
            let view = attributes::add(conn, partnership, &AttributeInput { key, label }, "cli")?;
            writeln!(
                out,
                "partnership {partnership}: custom attribute {} ({}) declared; roster column {:?}",
                view.key, view.label, view.key
            )?;
        }
        AttributesCommand::List { partnership, json } => {
            let list = attributes::list(conn, partnership)?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
            } else if list.is_empty() {
                writeln!(out, "partnership {partnership}: no custom attributes")?;
            } else {
                for a in &list {
                    writeln!(out, "{}\t{}", a.key, a.label)?;
                }
            }
        }
    }
    Ok(())
}
