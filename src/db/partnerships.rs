//! Partnerships: a customer firm and a supplier firm, with survey settings.

use diesel::prelude::*;

use super::models::{NewPartnership, Partnership};
use super::schema::{partnerships, people};
use super::Conn;

pub fn insert(conn: &mut Conn, new: &NewPartnership<'_>) -> QueryResult<Partnership> {
    use super::schema::report_versions;
    conn.write_transaction(|conn| {
        let p: Partnership = diesel::insert_into(partnerships::table)
            .values(new)
            .returning(partnerships::all_columns)
            .get_result(conn)?;
        diesel::insert_into(report_versions::table)
            .values((
                report_versions::partnership_id.eq(p.id),
                report_versions::version.eq(0i64),
            ))
            .execute(conn)?;
        Ok(p)
    })
}

pub fn get(conn: &mut Conn, id: i64) -> QueryResult<Option<Partnership>> {
    partnerships::table.find(id).first(conn).optional()
}

/// The stored partnership, or `NotFound` naming the id.
pub fn require(conn: &mut Conn, id: i64) -> Result<Partnership, crate::error::ServiceError> {
    get(conn, id)?.ok_or_else(|| {
        crate::error::ServiceError::NotFound(format!("there is no partnership with id {id}"))
    })
}

/// Every partnership, archived ones included, oldest first.
pub fn list(conn: &mut Conn) -> QueryResult<Vec<Partnership>> {
    partnerships::table.order(partnerships::id.asc()).load(conn)
}

/// The partnerships of the default lists: every one but the archived, oldest first.
pub fn list_current(conn: &mut Conn) -> QueryResult<Vec<Partnership>> {
    use super::schema::partnership_states;
    let archived = partnership_states::table
        .filter(partnership_states::state.eq("archived"))
        .select(partnership_states::partnership_id);
    partnerships::table
        .filter(partnerships::id.ne_all(archived))
        .order(partnerships::id.asc())
        .load(conn)
}

/// Changes a partnership's definition (name and schedule) in place.
#[allow(clippy::too_many_arguments)]
pub fn update_definition(
    conn: &mut Conn,
    id: i64,
    name: &str,
    name_key: &str,
    cadence: &str,
    first_wave_on: Option<chrono::NaiveDate>,
    send_time: &str,
    timezone: &str,
    response_window_days: i64,
    reminder_days: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(partnerships::table.find(id))
        .set((
            partnerships::name.eq(name),
            partnerships::name_key.eq(name_key),
            partnerships::cadence.eq(cadence),
            partnerships::first_wave_on.eq(first_wave_on),
            partnerships::send_time.eq(send_time),
            partnerships::timezone.eq(timezone),
            partnerships::response_window_days.eq(response_window_days),
            partnerships::reminder_days.eq(reminder_days),
            partnerships::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn name_taken(conn: &mut Conn, name_key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        partnerships::table.filter(partnerships::name_key.eq(name_key)),
    ))
    .get_result(conn)
}

/// Active people per side, as (customer, supplier).
pub fn active_people_by_side(conn: &mut Conn, id: i64) -> QueryResult<(i64, i64)> {
    let rows: Vec<(String, i64)> = people::table
        .filter(people::partnership_id.eq(id))
        .filter(people::active.eq(true))
        .group_by(people::side)
        .select((people::side, diesel::dsl::count_star()))
        .load(conn)?;
    let count = |side: &str| {
        rows.iter()
            .find(|(s, _)| s == side)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    Ok((count("customer"), count("supplier")))
}

/// The partnership's report version (0 before anything was stored).
pub fn report_version(conn: &mut Conn, id: i64) -> QueryResult<i64> {
    use super::schema::report_versions;
    Ok(report_versions::table
        .find(id)
        .select(report_versions::version)
        .first::<i64>(conn)
        .optional()?
        .unwrap_or(0))
}

/// Raises the report version: call it in the transaction that changes what the report is
/// built from (aggregates, KPI values), so caches keyed on the old version stop matching.
/// The row is made with the partnership ([`insert`]).
pub fn bump_report_version(conn: &mut Conn, id: i64) -> QueryResult<()> {
    use super::schema::report_versions;
    diesel::update(report_versions::table.find(id))
        .set(report_versions::version.eq(report_versions::version + 1))
        .execute(conn)?;
    Ok(())
}
