//! Waves: one round of one partnership's survey. `(partnership_id, seq)` is unique in the
//! database, so a wave can never be created twice.

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
