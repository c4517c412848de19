//! Creating, listing and showing partnerships; importing their rosters and history.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::db::models::{NewPartnership, Partnership};
use crate::db::{self, firms, partnerships, Conn};
use crate::domain::partnership::{reminder_days_from_text, reminder_days_to_text};
use crate::domain::{FieldProblem, PartnershipInput};
use crate::error::ServiceError;
use crate::import::{responses::HistorySummary, roster::RosterSummary};
use crate::survey_templates::Catalog;

/// A firm as shown in a partnership.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FirmView {
    pub id: i64,
    pub name: String,
}

/// A partnership as the API and CLI show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartnershipView {
    pub id: i64,
    pub name: String,
    pub customer: FirmView,
    pub supplier: FirmView,
    pub template: String,
    pub cadence: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub first_wave_on: Option<NaiveDate>,
    pub send_time: String,
    pub timezone: String,
    pub response_window_days: i64,
    pub reminder_days: Vec<i64>,
    pub min_reporting_size: i64,
    pub min_comment_size: i64,
    /// Active people per side.
    pub people: PeopleCount,
    /// `active`, `paused` (no wave opens) or `archived` (read-only, out of the lists).
    pub state: crate::domain::PartnershipState,
    /// Why it was paused or archived; empty when active.
    pub state_note: String,
    /// The language of people whose roster row names none.
    pub language: crate::domain::Language,
    /// The optional dimensions of its template the partnership asks (e.g. `joint_future`).
    pub optional_dimensions: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeopleCount {
    pub customer: i64,
    pub supplier: i64,
}

/// Checks `input` and stores the partnership (and any new firm) in one transaction.
/// Creates a partnership and records who did (`actor`, as the audit log names actors).
pub fn create(
    conn: &mut Conn,
    catalog: &Catalog,
    input: &PartnershipInput,
    actor: &str,
) -> Result<PartnershipView, ServiceError> {
    let spec = input
        .validate(
            |id| catalog.get(id).is_some(),
            catalog.default_template().id(),
        )
        .map_err(ServiceError::Invalid)?;
    let created = conn.write_transaction(|conn| {
        if partnerships::name_taken(conn, &spec.name_key)? {
            return Ok(Err(ServiceError::Invalid(vec![FieldProblem {
                field: "name".into(),
                message: format!("a partnership named {:?} already exists", spec.name),
            }])));
        }
        let customer = firms::find_or_create(conn, &spec.customer)?;
        let supplier = firms::find_or_create(conn, &spec.supplier)?;
        let now = db::now();
        let cadence = spec.cadence.to_string();
        let send_time = spec.send_time.format("%H:%M").to_string();
        let timezone = spec.timezone.name().to_owned();
        let reminder_days = reminder_days_to_text(&spec.reminder_days);
        let row = partnerships::insert(
            conn,
            &NewPartnership {
                name: &spec.name,
                name_key: &spec.name_key,
                customer_firm_id: customer.id,
                supplier_firm_id: supplier.id,
                template_id: &spec.template,
                cadence: &cadence,
                first_wave_on: spec.first_wave_on,
                send_time: &send_time,
                timezone: &timezone,
                response_window_days: spec.response_window_days,
                reminder_days: &reminder_days,
                min_reporting_size: spec.min_reporting_size,
                min_comment_size: spec.min_comment_size,
                created_at: now,
                updated_at: now,
            },
        )?;
        if spec.language != crate::domain::Language::En {
            crate::db::partnership_languages::put(conn, row.id, spec.language.code())?;
        }
        crate::auth::audit::audit(
            conn,
            actor,
            "partnership.created",
            &format!("partnership {}", row.id),
            &spec.name,
        )?;
        Ok::<_, diesel::result::Error>(Ok(row))
    })??;
    show(conn, created.id)
}

/// Every partnership but the archived, oldest first; with `archived`, those too.
pub fn list(conn: &mut Conn, archived: bool) -> Result<Vec<PartnershipView>, ServiceError> {
    let rows = if archived {
        partnerships::list(conn)?
    } else {
        partnerships::list_current(conn)?
    };
    views(conn, rows)
}

/// One partnership, or `NotFound`.
pub fn show(conn: &mut Conn, id: i64) -> Result<PartnershipView, ServiceError> {
    let row = get(conn, id)?;
    Ok(views(conn, vec![row])?.remove(0))
}

/// The stored partnership row, or `NotFound` naming the id.
pub fn get(conn: &mut Conn, id: i64) -> Result<Partnership, ServiceError> {
    partnerships::require(conn, id)
}

fn views(conn: &mut Conn, rows: Vec<Partnership>) -> Result<Vec<PartnershipView>, ServiceError> {
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|p| [p.customer_firm_id, p.supplier_firm_id])
        .collect();
    let names: HashMap<i64, String> = firms::get_many(conn, &ids)?
        .into_iter()
        .map(|f| (f.id, f.name))
        .collect();
    let firm = |id: i64| FirmView {
        id,
        name: names.get(&id).cloned().unwrap_or_default(),
    };
    let states: HashMap<i64, (String, String)> = crate::db::partnership_states::all(conn)?
        .into_iter()
        .map(|r| (r.partnership_id, (r.state, r.note)))
        .collect();
    rows.into_iter()
        .map(|p| {
            let (c, s) = partnerships::active_people_by_side(conn, p.id)?;
            let (state, state_note) = states
                .get(&p.id)
                .and_then(|(st, note)| {
                    Some((crate::domain::PartnershipState::parse(st)?, note.clone()))
                })
                .unwrap_or((crate::domain::PartnershipState::Active, String::new()));
            Ok(PartnershipView {
                id: p.id,
                customer: firm(p.customer_firm_id),
                supplier: firm(p.supplier_firm_id),
                reminder_days: reminder_days_from_text(&p.reminder_days),
                name: p.name,
                template: p.template_id,
                cadence: p.cadence,
                first_wave_on: p.first_wave_on,
                send_time: p.send_time,
                timezone: p.timezone,
                response_window_days: p.response_window_days,
                min_reporting_size: p.min_reporting_size,
                min_comment_size: p.min_comment_size,
                people: PeopleCount {
                    customer: c,
                    supplier: s,
                },
                state,
                state_note,
                language: default_language(conn, p.id)?,
                optional_dimensions: crate::db::partnership_optional_dimensions::list(conn, p.id)?,
                created_at: p.created_at,
            })
        })
        .collect()
}

/// The language of the partnership's people whose roster row names none: English unless set.
pub fn default_language(conn: &mut Conn, id: i64) -> Result<crate::domain::Language, ServiceError> {
    match crate::db::partnership_languages::get(conn, id)? {
        None => Ok(crate::domain::Language::En),
        Some(code) => code.parse().map_err(|e: String| {
            ServiceError::Internal(anyhow::anyhow!("partnership {id}: stored {e}"))
        }),
    }
}

/// Replaces the partnership's roster with the file's people (see `import::roster`).
pub fn import_roster(
    conn: &mut Conn,
    partnership_id: i64,
    bytes: &[u8],
    actor: &str,
) -> Result<RosterSummary, ServiceError> {
    get(conn, partnership_id)?;
    refuse_archived(conn, partnership_id, "import a roster into")?;
    conn.write_transaction(|conn| {
        let summary = crate::import::roster::import(conn, partnership_id, bytes)?;
        crate::auth::audit::audit(
            conn,
            actor,
            "import.roster",
            &format!("partnership {partnership_id}"),
            &format!("{} bytes", bytes.len()),
        )?;
        Ok(summary)
    })
}

/// Adds historic waves from a long-format file (see `import::responses`), checked against
/// the partnership's current template.
pub fn import_history(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership_id: i64,
    bytes: &[u8],
    actor: &str,
) -> Result<HistorySummary, ServiceError> {
    let p = get(conn, partnership_id)?;
    let template = catalog.get(&p.template_id).ok_or_else(|| {
        ServiceError::Conflict(format!(
            "the partnership's template {:?} is not loaded (was its file removed from the templates folder?)",
            p.template_id
        ))
    })?;
    conn.write_transaction(|conn| {
        let template =
            &crate::db::partnership_optional_dimensions::variant(conn, template, partnership_id)?;
        let summary = crate::import::responses::import(conn, partnership_id, template, bytes)?;
        crate::auth::audit::audit(
            conn,
            actor,
            "import.history",
            &format!("partnership {partnership_id}"),
            &format!("{} bytes", bytes.len()),
        )?;
        Ok(summary)
    })
}

/// `Conflict` when the partnership is archived (read-only): "cannot {what} partnership N".
pub fn refuse_archived(conn: &mut Conn, id: i64, what: &str) -> Result<(), ServiceError> {
    let (state, _) = super::partnership_state::state_of(conn, id)?;
    if state == crate::domain::PartnershipState::Archived {
        return Err(ServiceError::Conflict(format!(
            "partnership {id} is archived and read-only: cannot {what} it (unarchive it first)"
        )));
    }
    Ok(())
}
