//! Waves: one round of one survey series of a partnership. `(partnership_id, seq)` is unique
//! in the database (wave numbers run across a partnership's series), so a wave can never be
//! created twice; a scheduled slot is unique per series (`series_id` `None`: the main series).

use diesel::prelude::*;

use super::models::{NewWave, Wave};
use super::schema::waves;
use super::Conn;

pub fn insert(conn: &mut Conn, new: &NewWave<'_>) -> QueryResult<Wave> {
    diesel::insert_into(waves::table)
        .values(new)
        .returning(waves::all_columns)
        .get_result(conn)
}

pub fn for_partnership(conn: &mut Conn, partnership_id: i64) -> QueryResult<Vec<Wave>> {
    waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .order(waves::seq.asc())
        .load(conn)
}

pub fn find_by_seq(conn: &mut Conn, partnership_id: i64, seq: i64) -> QueryResult<Option<Wave>> {
    waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .filter(waves::seq.eq(seq))
        .first(conn)
        .optional()
}

/// The waves of one series of a partnership, oldest first.
pub fn for_series(
    conn: &mut Conn,
    partnership_id: i64,
    series_id: Option<i64>,
) -> QueryResult<Vec<Wave>> {
    let q = waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .into_boxed();
    let q = match series_id {
        None => q.filter(waves::series_id.is_null()),
        Some(id) => q.filter(waves::series_id.eq(id)),
    };
    q.order(waves::seq.asc()).load(conn)
}

/// The series' open wave, if any.
pub fn open_for_series(
    conn: &mut Conn,
    partnership_id: i64,
    series_id: Option<i64>,
) -> QueryResult<Option<Wave>> {
    let q = waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .filter(waves::state.eq("open"))
        .into_boxed();
    let q = match series_id {
        None => q.filter(waves::series_id.is_null()),
        Some(id) => q.filter(waves::series_id.eq(id)),
    };
    q.first(conn).optional()
}

/// Whether the series' scheduled slot at `slot_at` already has its wave.
pub fn series_slot_taken(
    conn: &mut Conn,
    partnership_id: i64,
    series_id: Option<i64>,
    slot_at: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    let q = waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .filter(waves::slot_at.eq(slot_at))
        .select(waves::id)
        .into_boxed();
    let q = match series_id {
        None => q.filter(waves::series_id.is_null()),
        Some(id) => q.filter(waves::series_id.eq(id)),
    };
    Ok(q.first::<i64>(conn).optional()?.is_some())
}

/// Any open wave of the partnership (of any series), if any.
pub fn open_for_partnership(conn: &mut Conn, partnership_id: i64) -> QueryResult<Option<Wave>> {
    waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .filter(waves::state.eq("open"))
        .first(conn)
        .optional()
}

pub fn next_seq(conn: &mut Conn, partnership_id: i64) -> QueryResult<i64> {
    let max: Option<i64> = waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .select(diesel::dsl::max(waves::seq))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// Every open wave, across partnerships.
/// The ids of every closed wave, oldest first.
pub fn all_closed(conn: &mut Conn) -> QueryResult<Vec<i64>> {
    waves::table
        .filter(waves::state.eq("closed"))
        .order(waves::id.asc())
        .select(waves::id)
        .load(conn)
}

/// How many waves are open now, across partnerships.
pub fn count_open(conn: &mut Conn) -> QueryResult<i64> {
    waves::table
        .filter(waves::state.eq("open"))
        .count()
        .get_result(conn)
}

pub fn all_open(conn: &mut Conn) -> QueryResult<Vec<Wave>> {
    waves::table
        .filter(waves::state.eq("open"))
        .order(waves::id.asc())
        .load(conn)
}

/// Closes a wave if it is still open; returns whether this call closed it.
pub fn close(conn: &mut Conn, wave_id: i64, at: chrono::NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        waves::table
            .filter(waves::id.eq(wave_id))
            .filter(waves::state.eq("open")),
    )
    .set((waves::state.eq("closed"), waves::closed_at.eq(Some(at))))
    .execute(conn)?;
    Ok(n == 1)
}
