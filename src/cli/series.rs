//! `tandem series add|list|edit|pause|resume`: the survey series of a partnership (its main
//! series is the partnership's own template and schedule; others run beside it).

use std::io::Write;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};

use crate::app::Context as AppState;
use crate::domain::SeriesInput;
use crate::services::series::{self, SeriesEdit, SeriesView};

#[derive(Debug, Subcommand)]
pub enum SeriesCommand {
    /// Add a survey series to a partnership (its own template and schedule)
    Add(Box<AddArgs>),
    /// Every series of a partnership, the main one first
    List {
        #[arg(long)]
        partnership: i64,
        #[arg(long)]
        json: bool,
    },
    /// Change a series; the change applies from its next wave
    Edit(Box<EditArgs>),
    /// Pause a series: none of its waves opens until it is resumed (the others go on)
    Pause {
        #[arg(long)]
        partnership: i64,
        /// The series' key
        key: String,
        /// Why (shown by the scheduler and the list)
        #[arg(long)]
        note: Option<String>,
    },
    /// Resume a paused series; its schedule applies from now
    Resume {
        #[arg(long)]
        partnership: i64,
        key: String,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    pub partnership: i64,
    /// Unique per partnership: lower-case letters, digits and -
    #[arg(long)]
    pub key: String,
    #[arg(long)]
    pub name: Option<String>,
    /// Survey template id, such as partnership-practices
    #[arg(long)]
    pub template: String,
    /// monthly, quarterly (default), half-yearly or "every N days"
    #[arg(long)]
    pub cadence: Option<String>,
    /// YYYY-MM-DD, in the series' timezone
    #[arg(long)]
    pub first_wave_on: Option<NaiveDate>,
    /// HH:MM local time (default 09:00)
    #[arg(long)]
    pub send_time: Option<String>,
    /// IANA timezone (default the partnership's)
    #[arg(long)]
    pub timezone: Option<String>,
    #[arg(long)]
    pub response_window_days: Option<i64>,
    /// Comma-separated days, e.g. 3,7
    #[arg(long, value_delimiter = ',')]
    pub reminder_days: Option<Vec<i64>>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    #[arg(long)]
    pub partnership: i64,
    /// The series' key
    pub key: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub template: Option<String>,
    #[arg(long)]
    pub cadence: Option<String>,
    #[arg(long)]
    pub first_wave_on: Option<NaiveDate>,
    #[arg(long)]
    pub send_time: Option<String>,
    #[arg(long)]
    pub timezone: Option<String>,
    #[arg(long)]
    pub response_window_days: Option<i64>,
    #[arg(long, value_delimiter = ',')]
    pub reminder_days: Option<Vec<i64>>,
}

fn print(out: &mut dyn Write, s: &SeriesView) -> anyhow::Result<()> {
    let days: Vec<String> = s.reminder_days.iter().map(i64::to_string).collect();
    writeln!(
        out,
        "{}  {}  {}  {}, first wave {}, {} {}, open {} days, reminders on days {}  {}{}  {} waves",
        s.key,
        s.name,
        s.template,
        s.cadence,
        s.first_wave_on
            .map_or_else(|| "not scheduled".to_owned(), |d| d.to_string()),
        s.send_time,
        s.timezone,
        s.response_window_days,
        if days.is_empty() {
            "none".to_owned()
        } else {
            days.join(",")
        },
        s.state,
        if s.state_note.is_empty() {
            String::new()
        } else {
            format!(" ({})", s.state_note)
        },
        s.waves
    )?;
    Ok(())
}

pub fn series_command(
    state: &AppState,
    cmd: SeriesCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut conn = state.pool.get().context("taking a database connection")?;
    let conn = &mut *conn;
    match cmd {
        SeriesCommand::Add(a) => {
            let a = *a;
            let input = SeriesInput {
                key: a.key,
                name: a.name,
                template: a.template,
                cadence: a.cadence,
                first_wave_on: a.first_wave_on,
                send_time: a.send_time,
                timezone: a.timezone,
                response_window_days: a.response_window_days,
                reminder_days: a.reminder_days,
            };
            let view = series::add(conn, &state.catalog, a.partnership, &input, "cli")?;
            if a.json {
                writeln!(out, "{}", serde_json::to_string_pretty(&view)?)?;
            } else {
                print(out, &view)?;
            }
        }
        SeriesCommand::List { partnership, json } => {
            let list = series::list(conn, partnership)?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
            } else {
                for s in &list {
                    print(out, s)?;
                }
            }
        }
        SeriesCommand::Edit(a) => {
            let a = *a;
            let edit = SeriesEdit {
                name: a.name,
                template: a.template,
                cadence: a.cadence,
                first_wave_on: a.first_wave_on,
                send_time: a.send_time,
                timezone: a.timezone,
                response_window_days: a.response_window_days,
                reminder_days: a.reminder_days,
            };
            let view = series::edit(conn, &state.catalog, a.partnership, &a.key, &edit, "cli")?;
            print(out, &view)?;
        }
        SeriesCommand::Pause {
            partnership,
            key,
            note,
        } => {
            let view = series::change_state(conn, partnership, &key, true, note.as_deref(), "cli")?;
            print(out, &view)?;
        }
        SeriesCommand::Resume { partnership, key } => {
            let view = series::change_state(conn, partnership, &key, false, None, "cli")?;
            print(out, &view)?;
        }
    }
    Ok(())
}
