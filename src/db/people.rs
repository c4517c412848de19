//! People taking part in a partnership. Never deleted: leaving deactivates, so the history of
//! their past responses stays whole.

use diesel::prelude::*;

use super::models::{NewPerson, Person};
use super::schema::people;
use super::Conn;

pub fn for_partnership(conn: &mut Conn, partnership_id: i64) -> QueryResult<Vec<Person>> {
    people::table
        .filter(people::partnership_id.eq(partnership_id))
        .order(people::id.asc())
        .load(conn)
}

pub fn insert(conn: &mut Conn, new: &NewPerson<'_>) -> QueryResult<Person> {
    diesel::insert_into(people::table)
        .values(new)
        .returning(people::all_columns)
        .get_result(conn)
}

/// The attributes a roster import may change on an existing person.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = people)]
pub struct PersonChanges<'a> {
    pub side: &'a str,
    pub name: &'a str,
    pub level: &'a str,
    pub function: &'a str,
    pub region: &'a str,
    pub roles: &'a str,
    pub active: bool,
    pub updated_at: chrono::NaiveDateTime,
    /// `None` writes NULL: the partnership's default language.
    #[diesel(treat_none_as_null = true)]
    pub language: Option<&'a str>,
    pub business_unit: &'a str,
}

pub fn update(conn: &mut Conn, id: i64, changes: &PersonChanges<'_>) -> QueryResult<usize> {
    diesel::update(people::table.find(id))
        .set(changes)
        .execute(conn)
}

pub fn deactivate(conn: &mut Conn, ids: &[i64]) -> QueryResult<usize> {
    diesel::update(people::table.filter(people::id.eq_any(ids)))
        .set((
            people::active.eq(false),
            people::updated_at.eq(super::now()),
        ))
        .execute(conn)
}
