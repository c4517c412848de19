//! Partnerships that change: editing the name and schedule (from the next wave on), pausing
//! and resuming (no wave opens while paused), archiving (read-only, out of the default lists,
//! data kept) and unarchiving. Every change is one transaction with its audit row.
//!
//! What a change must never do: touch a wave that has run. Waves keep the times, template
//! version and reminder plan they opened with, and their aggregates; the minimum reporting
//! size, which decides what closed waves may show, is not editable here.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::db::partnership_states::{self, StateRow};
use crate::db::{self, firms, partnerships, Conn};
use crate::domain::partnership::{reminder_days_from_text, reminder_days_to_text};
use crate::domain::{FieldProblem, PartnershipInput, PartnershipState};
use crate::error::ServiceError;
use crate::survey_templates::Catalog;

use super::partnerships::{show, PartnershipView};

/// What an edit may change; a field left out keeps its value. A new schedule applies from the
/// next wave: a scheduled slot that opens before the edit is not opened.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnershipEdit {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
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
    /// Days after opening on which a reminder goes (each within the response window).
    pub reminder_days: Option<Vec<i64>>,
    /// The language of people whose roster row names none: `en`, `fr`, `de` or `es`.
    pub language: Option<String>,
    /// The optional dimensions of the partnership's template to ask from the next wave on
    /// (e.g. `["joint_future"]`; `[]` asks none).
    pub optional_dimensions: Option<Vec<String>>,
}

/// A partnership's state, `active` when nothing was ever stored.
pub fn state_of(conn: &mut Conn, id: i64) -> Result<(PartnershipState, StateRow), ServiceError> {
    let row = partnership_states::get(conn, id)?.unwrap_or_else(|| StateRow {
        partnership_id: id,
        state: "active".into(),
        note: String::new(),
        schedule_from: None,
        updated_at: db::now(),
    });
    let state = PartnershipState::parse(&row.state).ok_or_else(|| {
        ServiceError::Internal(anyhow::anyhow!(
            "partnership {id} has an unknown state {:?}",
            row.state
        ))
    })?;
    Ok((state, row))
}

/// Edits the name and schedule of a partnership that is not archived.
pub fn edit(
    conn: &mut Conn,
    catalog: &Catalog,
    id: i64,
    edit: &PartnershipEdit,
    actor: &str,
) -> Result<PartnershipView, ServiceError> {
    conn.write_transaction(|conn| {
        let row = partnerships::require(conn, id)?;
        let (state, mut state_row) = state_of(conn, id)?;
        if state == PartnershipState::Archived {
            return Err(ServiceError::Conflict(format!(
                "partnership {id} is archived and read-only: unarchive it before editing"
            )));
        }
        let names = firms::get_many(conn, &[row.customer_firm_id, row.supplier_firm_id])?;
        let firm = |fid: i64| {
            names
                .iter()
                .find(|f| f.id == fid)
                .map(|f| f.name.clone())
                .unwrap_or_default()
        };
        let input = PartnershipInput {
            name: edit.name.clone().unwrap_or_else(|| row.name.clone()),
            customer: firm(row.customer_firm_id),
            supplier: firm(row.supplier_firm_id),
            template: Some(row.template_id.clone()),
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
            min_reporting_size: Some(row.min_reporting_size),
            min_comment_size: Some(row.min_comment_size),
            language: Some(match &edit.language {
                Some(code) => code.clone(),
                None => super::partnerships::default_language(conn, id)?
                    .code()
                    .to_owned(),
            }),
        };
        let spec = input
            .validate(
                |t| catalog.get(t).is_some(),
                catalog.default_template().id(),
            )
            .map_err(ServiceError::Invalid)?;
        if spec.name_key != row.name_key && partnerships::name_taken(conn, &spec.name_key)? {
            return Err(ServiceError::Invalid(vec![FieldProblem {
                field: "name".into(),
                message: format!("a partnership named {:?} already exists", spec.name),
            }]));
        }
        let cadence = spec.cadence.to_string();
        let send_time = spec.send_time.format("%H:%M").to_string();
        let timezone = spec.timezone.name().to_owned();
        let reminder_days = reminder_days_to_text(&spec.reminder_days);
        let show_date = |d: Option<NaiveDate>| d.map_or_else(|| "none".into(), |d| d.to_string());
        let mut changes = Vec::new();
        let mut note = |field: &str, before: String, after: String, schedule: bool| {
            if before != after {
                changes.push((format!("{field}: {before} → {after}"), schedule));
            }
        };
        note("name", row.name.clone(), spec.name.clone(), false);
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
        let language_before = super::partnerships::default_language(conn, id)?;
        note(
            "language",
            language_before.to_string(),
            spec.language.to_string(),
            false,
        );
        let optional_before = crate::db::partnership_optional_dimensions::list(conn, id)?;
        let optional_after = match &edit.optional_dimensions {
            None => optional_before.clone(),
            Some(ids) => optional_dimensions(catalog, &row.template_id, ids)?,
        };
        let list = |ids: &[String]| {
            if ids.is_empty() {
                "none".to_owned()
            } else {
                ids.join(", ")
            }
        };
        note(
            "optional_dimensions",
            list(&optional_before),
            list(&optional_after),
            false,
        );
        if changes.is_empty() {
            return show(conn, id);
        }
        if optional_after != optional_before {
            crate::db::partnership_optional_dimensions::replace(conn, id, &optional_after)?;
        }
        if spec.language != language_before {
            crate::db::partnership_languages::put(conn, id, spec.language.code())?;
        }
        let now = db::now();
        partnerships::update_definition(
            conn,
            id,
            &spec.name,
            &spec.name_key,
            &cadence,
            spec.first_wave_on,
            &send_time,
            &timezone,
            spec.response_window_days,
            &reminder_days,
            now,
        )?;
        if changes.iter().any(|(_, schedule)| *schedule) {
            state_row.schedule_from = Some(now);
            state_row.updated_at = now;
            partnership_states::put(conn, &state_row)?;
        }
        let words: Vec<&str> = changes.iter().map(|(c, _)| c.as_str()).collect();
        crate::auth::audit::audit(
            conn,
            actor,
            "partnership.edited",
            &format!("partnership {id}"),
            &words.join("; "),
        )?;
        show(conn, id)
    })
}

/// `ids` checked against the optional dimensions of the template `template_id`, deduplicated
/// and sorted as stored; an unknown or non-optional id is a problem of `optional_dimensions`.
fn optional_dimensions(
    catalog: &Catalog,
    template_id: &str,
    ids: &[String],
) -> Result<Vec<String>, ServiceError> {
    let template = catalog.get(template_id).ok_or_else(|| {
        ServiceError::Conflict(format!(
            "the partnership's template {template_id:?} is not loaded (was its file removed from the templates folder?)"
        ))
    })?;
    let offered: Vec<&str> = template
        .optional_dimensions()
        .iter()
        .map(|d| d.id())
        .collect();
    let mut chosen: Vec<String> = Vec::new();
    for id in ids.iter().map(|id| id.trim()) {
        if !offered.contains(&id) {
            return Err(ServiceError::Invalid(vec![FieldProblem {
                field: "optional_dimensions".into(),
                message: format!(
                    "{id:?} is not an optional dimension of template {template_id} (optional: {})",
                    if offered.is_empty() {
                        "none".to_owned()
                    } else {
                        offered.join(", ")
                    }
                ),
            }]));
        }
        if !chosen.iter().any(|c| c == id) {
            chosen.push(id.to_owned());
        }
    }
    chosen.sort();
    Ok(chosen)
}

/// A move in a partnership's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    Pause,
    Resume,
    Archive,
    Unarchive,
}

impl StateChange {
    fn words(self) -> &'static str {
        match self {
            StateChange::Pause => "paused",
            StateChange::Resume => "resumed",
            StateChange::Archive => "archived",
            StateChange::Unarchive => "unarchived",
        }
    }
}

/// Pauses, resumes, archives or unarchives a partnership. A pause or an archive keeps its
/// note (why); resuming or unarchiving makes it active again with its schedule applying from
/// now, so a slot whose window began meanwhile does not open late. A partnership with an open
/// wave cannot be archived (close the wave first).
pub fn change_state(
    conn: &mut Conn,
    id: i64,
    change: StateChange,
    note: Option<&str>,
    actor: &str,
) -> Result<PartnershipView, ServiceError> {
    let note = note.unwrap_or("").trim().to_owned();
    if note.chars().count() > 1000 {
        return Err(ServiceError::Invalid(vec![FieldProblem {
            field: "note".into(),
            message: "a note is at most 1000 characters".into(),
        }]));
    }
    conn.write_transaction(|conn| {
        partnerships::require(conn, id)?;
        let (state, mut row) = state_of(conn, id)?;
        use PartnershipState::*;
        let (allowed, to): (&[PartnershipState], PartnershipState) = match change {
            StateChange::Pause => (&[Active], Paused),
            StateChange::Resume => (&[Paused], Active),
            StateChange::Archive => (&[Active, Paused], Archived),
            StateChange::Unarchive => (&[Archived], Active),
        };
        if !allowed.contains(&state) {
            let from: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
            return Err(ServiceError::Conflict(format!(
                "partnership {id} is {}: only a partnership that is {} can be {}",
                state.as_str(),
                from.join(" or "),
                change.words()
            )));
        }
        if change == StateChange::Archive {
            if let Some(open) = db::waves::open_for_partnership(conn, id)? {
                return Err(ServiceError::Conflict(format!(
                    "wave {} of partnership {id} is open: close it before archiving",
                    open.seq
                )));
            }
        }
        let now = db::now();
        row.state = to.as_str().to_owned();
        row.note = if to == Active {
            String::new()
        } else {
            note.clone()
        };
        if to == Active {
            row.schedule_from = Some(now);
        }
        row.updated_at = now;
        partnership_states::put(conn, &row)?;
        crate::auth::audit::audit(
            conn,
            actor,
            &format!("partnership.{}", change.words()),
            &format!("partnership {id}"),
            &note,
        )?;
        show(conn, id)
    })
}
