//! A partnership's state (active, paused, archived) and the instant its schedule applies
//! from; no row means active, scheduled from its first wave date.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::partnership_states;
use super::Conn;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = partnership_states)]
pub struct StateRow {
    pub partnership_id: i64,
    pub state: String,
    pub note: String,
    pub schedule_from: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

pub fn get(conn: &mut Conn, partnership_id: i64) -> QueryResult<Option<StateRow>> {
    partnership_states::table
        .find(partnership_id)
        .select(StateRow::as_select())
        .first(conn)
        .optional()
}

/// Every stored state (partnerships without one are active).
pub fn all(conn: &mut Conn) -> QueryResult<Vec<StateRow>> {
    partnership_states::table
        .select(StateRow::as_select())
        .load(conn)
}

/// Writes the partnership's state row (insert or replace), inside the caller's transaction.
pub fn put(conn: &mut Conn, row: &StateRow) -> QueryResult<()> {
    let updated = diesel::update(partnership_states::table.find(row.partnership_id))
        .set((
            partnership_states::state.eq(&row.state),
            partnership_states::note.eq(&row.note),
            partnership_states::schedule_from.eq(row.schedule_from),
            partnership_states::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(partnership_states::table)
            .values((
                partnership_states::partnership_id.eq(row.partnership_id),
                partnership_states::state.eq(&row.state),
                partnership_states::note.eq(&row.note),
                partnership_states::schedule_from.eq(row.schedule_from),
                partnership_states::updated_at.eq(row.updated_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}
