//! Survey series: a partnership's main series (its own template and schedule) and the extra
//! series added beside it — listing, adding, editing, pausing and resuming, each change one
//! transaction with its audit row.
//!
//! What a change must never do: touch a wave that has run. A wave keeps the template version,
//! times and reminder plan it opened with; an edit applies from the next wave (a scheduled
//! slot opening before the edit is not opened), like an edit of the partnership.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};

use crate::db::models::Partnership;
use crate::db::series::{self as store, Series, SeriesValues};
use crate::db::{self, Conn};
use crate::domain::partnership::{reminder_days_from_text, reminder_days_to_text};
use crate::domain::{FieldProblem, PartnershipState, SeriesInput, MAIN_SERIES};
use crate::error::ServiceError;
use crate::survey_templates::Catalog;

/// A survey series as the API and CLI show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SeriesView {
    /// `main` for the partnership's own series.
    pub key: String,
    pub name: String,
    pub main: bool,
    pub template: String,
    pub cadence: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub first_wave_on: Option<NaiveDate>,
    pub send_time: String,
    pub timezone: String,
    pub response_window_days: i64,
    pub reminder_days: Vec<i64>,
    /// `active` or `paused`; the main series shows the partnership's state.
    pub state: String,
    /// Why it was paused; empty when active.
    pub state_note: String,
    /// Waves the series has run (any state).
    pub waves: i64,
}

/// What an edit may change; a field left out keeps its value. Changes apply from the next wave.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesEdit {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// Survey template id; only while the series has run no wave (a report covers one
    /// template).
    pub template: Option<String>,
    /// `monthly`, `quarterly`, `half-yearly` or `every N days`.
    #[schema(pattern = "^(monthly|quarterly|half-yearly|every [0-9]+ days?)$")]
    pub cadence: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub first_wave_on: Option<NaiveDate>,
    /// HH:MM, local time.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub send_time: Option<String>,
    /// IANA timezone, such as `Europe/Paris` or `UTC`.
    #[schema(pattern = "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")]
    pub timezone: Option<String>,
    #[schema(minimum = 1, maximum = 365)]
    pub response_window_days: Option<i64>,
    pub reminder_days: Option<Vec<i64>>,
}

/// The series `key` of the partnership (`None` or `main`: its own); an unknown key is not
/// found.
pub fn resolve(
    conn: &mut Conn,
    p: &Partnership,
    key: Option<&str>,
) -> Result<Series, ServiceError> {
    let key = key.map(str::trim).unwrap_or(MAIN_SERIES);
    store::find(conn, p, key)?.ok_or_else(|| {
        ServiceError::NotFound(format!("partnership {} has no survey series {key:?}", p.id))
    })
}

fn view(conn: &mut Conn, s: Series) -> Result<SeriesView, ServiceError> {
    let waves = store::wave_count(conn, s.partnership_id, s.id)?;
    let (state, state_note) = if s.is_main() {
        let (_, row) = super::partnership_state::state_of(conn, s.partnership_id)?;
        (row.state, row.note)
    } else {
        (s.state.clone(), s.note.clone())
    };
    Ok(SeriesView {
        main: s.is_main(),
        reminder_days: reminder_days_from_text(&s.reminder_days),
        key: s.key,
        name: s.name,
        template: s.template_id,
        cadence: s.cadence,
        first_wave_on: s.first_wave_on,
        send_time: s.send_time,
        timezone: s.timezone,
        response_window_days: s.response_window_days,
        state,
        state_note,
        waves,
    })
}

/// Every series of a partnership: the main one first, then the others by key.
pub fn list(conn: &mut Conn, partnership_id: i64) -> Result<Vec<SeriesView>, ServiceError> {
    let p = db::partnerships::require(conn, partnership_id)?;
    let all = store::of_partnership(conn, &p)?;
    all.into_iter().map(|s| view(conn, s)).collect()
}

/// One series of a partnership.
pub fn show(conn: &mut Conn, partnership_id: i64, key: &str) -> Result<SeriesView, ServiceError> {
    let p = db::partnerships::require(conn, partnership_id)?;
    let s = resolve(conn, &p, Some(key))?;
    view(conn, s)
}

fn refuse_archived(conn: &mut Conn, id: i64) -> Result<(), ServiceError> {
    let (state, _) = super::partnership_state::state_of(conn, id)?;
    if state == PartnershipState::Archived {
        return Err(ServiceError::Conflict(format!(
            "partnership {id} is archived and read-only: unarchive it before changing its series"
        )));
    }
    Ok(())
}

fn duplicate(key: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldProblem {
        field: "key".into(),
        message: format!("this partnership already has a survey series {key:?}"),
    }])
}

/// Checks `input` and adds the series to the partnership, with its audit row, in one
/// transaction. Bad input writes nothing.
pub fn add(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership_id: i64,
    input: &SeriesInput,
    actor: &str,
) -> Result<SeriesView, ServiceError> {
    let result = conn.write_transaction(|conn| {
        let p = db::partnerships::require(conn, partnership_id)?;
        refuse_archived(conn, p.id)?;
        let spec = input
            .validate(|t| catalog.get(t).is_some(), &p.timezone)
            .map_err(ServiceError::Invalid)?;
        if store::find_row(conn, p.id, spec.key.as_str())?.is_some() {
            return Err(duplicate(spec.key.as_str()));
        }
        let now = db::now();
        let cadence = spec.cadence.to_string();
        let send_time = spec.send_time.format("%H:%M").to_string();
        let reminder_days = reminder_days_to_text(&spec.reminder_days);
        let row = store::insert(
            conn,
            &SeriesValues {
                partnership_id: p.id,
                key: spec.key.as_str(),
                name: &spec.name,
                template_id: &spec.template,
                cadence: &cadence,
                first_wave_on: spec.first_wave_on,
                send_time: &send_time,
                timezone: spec.timezone.name(),
                response_window_days: spec.response_window_days,
                reminder_days: &reminder_days,
                state: "active",
                note: "",
                schedule_from: None,
                updated_at: now,
            },
            now,
        )?;
        crate::auth::audit::audit(
            conn,
            actor,
            "series.added",
            &format!("partnership {}", p.id),
            &format!(
                "series {}: template {}, {cadence}, first wave {}, {send_time} {}, {} days, reminders {reminder_days}",
                row.key,
                row.template_id,
                show_date(row.first_wave_on),
                row.timezone,
                row.response_window_days
            ),
        )?;
        view(conn, Series::extra(row))
    });
    match result {
        // Another caller added the same key at the same moment.
        Err(ServiceError::Database(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            _,
        ))) => Err(duplicate(input.key.trim())),
        other => other,
    }
}

fn show_date(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "none".into(), |d| d.to_string())
}

/// Edits an extra series; the main series is edited with the partnership.
pub fn edit(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership_id: i64,
    key: &str,
    edit: &SeriesEdit,
    actor: &str,
) -> Result<SeriesView, ServiceError> {
    conn.write_transaction(|conn| {
        let p = db::partnerships::require(conn, partnership_id)?;
        let row = extra_row(conn, &p, key)?;
        refuse_archived(conn, p.id)?;
        let input = SeriesInput {
            key: row.key.clone(),
            name: Some(edit.name.clone().unwrap_or_else(|| row.name.clone())),
            template: edit
                .template
                .clone()
                .unwrap_or_else(|| row.template_id.clone()),
            cadence: Some(edit.cadence.clone().unwrap_or_else(|| row.cadence.clone())),
            first_wave_on: edit.first_wave_on.or(row.first_wave_on),
            send_time: Some(
                edit.send_time
                    .clone()
                    .unwrap_or_else(|| row.send_time.clone()),
            ),
            timezone: Some(
                edit.timezone
                    .clone()
                    .unwrap_or_else(|| row.timezone.clone()),
            ),
            response_window_days: Some(
                edit.response_window_days
                    .unwrap_or(row.response_window_days),
            ),
            reminder_days: Some(
                edit.reminder_days
                    .clone()
                    .unwrap_or_else(|| reminder_days_from_text(&row.reminder_days)),
            ),
        };
        let spec = input
            .validate(|t| catalog.get(t).is_some(), &p.timezone)
            .map_err(ServiceError::Invalid)?;
        // A report covers one series and one template: a series that has run keeps its
        // template (a new version of the same template is fine; waves keep theirs).
        if spec.template != row.template_id {
            let ran = store::wave_count(conn, p.id, Some(row.id))?;
            if ran > 0 {
                return Err(ServiceError::Invalid(vec![FieldProblem {
                    field: "template".into(),
                    message: format!(
                        "series {} has run {ran} waves of {:?}: its template cannot change; add a new series for {:?}",
                        row.key, row.template_id, spec.template
                    ),
                }]));
            }
        }
        let cadence = spec.cadence.to_string();
        let send_time = spec.send_time.format("%H:%M").to_string();
        let timezone = spec.timezone.name().to_owned();
        let reminder_days = reminder_days_to_text(&spec.reminder_days);
        let mut changes: Vec<(String, bool)> = Vec::new();
        let mut note = |field: &str, before: String, after: String, schedule: bool| {
            if before != after {
                changes.push((format!("{field}: {before} → {after}"), schedule));
            }
        };
        note("name", row.name.clone(), spec.name.clone(), false);
        note(
            "template",
            row.template_id.clone(),
            spec.template.clone(),
            false,
        );
        note("cadence", row.cadence.clone(), cadence.clone(), true);
        note(
            "first_wave_on",
            show_date(row.first_wave_on),
            show_date(spec.first_wave_on),
            true,
        );
        note("send_time", row.send_time.clone(), send_time.clone(), true);
        note("timezone", row.timezone.clone(), timezone.clone(), true);
        note(
            "response_window_days",
            row.response_window_days.to_string(),
            spec.response_window_days.to_string(),
            true,
        );
        note(
            "reminder_days",
            row.reminder_days.clone(),
            reminder_days.clone(),
            false,
        );
        if changes.is_empty() {
            return view(conn, Series::extra(row));
        }
        let now = db::now();
        let schedule_from = if changes.iter().any(|(_, schedule)| *schedule) {
            Some(now)
        } else {
            row.schedule_from
        };
        store::update(
            conn,
            row.id,
            &SeriesValues {
                partnership_id: p.id,
                key: &row.key,
                name: &spec.name,
                template_id: &spec.template,
                cadence: &cadence,
                first_wave_on: spec.first_wave_on,
                send_time: &send_time,
                timezone: &timezone,
                response_window_days: spec.response_window_days,
                reminder_days: &reminder_days,
                state: &row.state,
                note: &row.note,
                schedule_from,
                updated_at: now,
            },
        )?;
        let words: Vec<&str> = changes.iter().map(|(c, _)| c.as_str()).collect();
        crate::auth::audit::audit(
            conn,
            actor,
            "series.edited",
            &format!("partnership {}", p.id),
            &format!("series {}: {}", row.key, words.join("; ")),
        )?;
        let row = store::get_row(conn, row.id)?;
        view(conn, Series::extra(row))
    })
}

/// The stored row of an extra series; the main series is refused with where to change it.
fn extra_row(
    conn: &mut Conn,
    p: &Partnership,
    key: &str,
) -> Result<store::SeriesRow, ServiceError> {
    if key.trim() == MAIN_SERIES {
        return Err(ServiceError::Conflict(format!(
            "the main series is the partnership's own: edit, pause or resume partnership {} instead",
            p.id
        )));
    }
    store::find_row(conn, p.id, key.trim())?.ok_or_else(|| {
        ServiceError::NotFound(format!("partnership {} has no survey series {key:?}", p.id))
    })
}

/// Imports historic responses into an extra series (its template), all or nothing, with its
/// audit row; the main series' history is imported with the partnership.
pub fn import_history(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership_id: i64,
    key: &str,
    bytes: &[u8],
    actor: &str,
) -> Result<crate::import::responses::HistorySummary, ServiceError> {
    let p = db::partnerships::require(conn, partnership_id)?;
    let row = extra_row(conn, &p, key)?;
    let template = catalog.get(&row.template_id).ok_or_else(|| {
        ServiceError::Conflict(format!(
            "the series' template {:?} is not loaded (was its file removed from the templates folder?)",
            row.template_id
        ))
    })?;
    conn.write_transaction(|conn| {
        // The optional dimensions the partnership asks, where this template declares them.
        let template =
            &db::partnership_optional_dimensions::variant(conn, template, partnership_id)?;
        let summary = crate::import::responses::import_into_series(
            conn,
            partnership_id,
            Some(row.id),
            template,
            bytes,
        )?;
        crate::auth::audit::audit(
            conn,
            actor,
            "import.history",
            &format!("partnership {partnership_id}"),
            &format!("series {}: {} bytes", row.key, bytes.len()),
        )?;
        Ok(summary)
    })
}

/// Pauses (`pause`) or resumes an extra series. A paused series opens no wave (the others go
/// on); resuming applies its schedule from now, so a slot whose window began meanwhile does
/// not open late.
pub fn change_state(
    conn: &mut Conn,
    partnership_id: i64,
    key: &str,
    pause: bool,
    note: Option<&str>,
    actor: &str,
) -> Result<SeriesView, ServiceError> {
    let note = note.unwrap_or("").trim().to_owned();
    if note.chars().count() > 1000 {
        return Err(ServiceError::Invalid(vec![FieldProblem {
            field: "note".into(),
            message: "a note is at most 1000 characters".into(),
        }]));
    }
    conn.write_transaction(|conn| {
        let p = db::partnerships::require(conn, partnership_id)?;
        let row = extra_row(conn, &p, key)?;
        refuse_archived(conn, p.id)?;
        let (from, to, words) = if pause {
            ("active", "paused", "paused")
        } else {
            ("paused", "active", "resumed")
        };
        if row.state != from {
            return Err(ServiceError::Conflict(format!(
                "series {} is {}: only a series that is {from} can be {words}",
                row.key, row.state
            )));
        }
        let now: NaiveDateTime = db::now();
        store::update(
            conn,
            row.id,
            &SeriesValues {
                partnership_id: p.id,
                key: &row.key,
                name: &row.name,
                template_id: &row.template_id,
                cadence: &row.cadence,
                first_wave_on: row.first_wave_on,
                send_time: &row.send_time,
                timezone: &row.timezone,
                response_window_days: row.response_window_days,
                reminder_days: &row.reminder_days,
                state: to,
                note: if pause { &note } else { "" },
                schedule_from: if pause { row.schedule_from } else { Some(now) },
                updated_at: now,
            },
        )?;
        crate::auth::audit::audit(
            conn,
            actor,
            &format!("series.{words}"),
            &format!("partnership {}", p.id),
            &if note.is_empty() {
                format!("series {}", row.key)
            } else {
                format!("series {}: {note}", row.key)
            },
        )?;
        let row = store::get_row(conn, row.id)?;
        view(conn, Series::extra(row))
    })
}
