//! A partnership's default language, for people whose roster row names none; no row means
//! English. Codes are checked by `domain::Language` before they get here.

use diesel::prelude::*;

use super::schema::partnership_languages;
use super::Conn;

/// The stored code, `None` when the partnership never set one.
pub fn get(conn: &mut Conn, partnership_id: i64) -> QueryResult<Option<String>> {
    partnership_languages::table
        .find(partnership_id)
        .select(partnership_languages::language)
        .first(conn)
        .optional()
}

/// Sets the partnership's default language (insert or replace), inside the caller's
/// transaction.
pub fn put(conn: &mut Conn, partnership_id: i64, language: &str) -> QueryResult<()> {
    let updated = diesel::update(partnership_languages::table.find(partnership_id))
        .set(partnership_languages::language.eq(language))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(partnership_languages::table)
            .values((
                partnership_languages::partnership_id.eq(partnership_id),
                partnership_languages::language.eq(language),
            ))
            .execute(conn)?;
    }
    Ok(())
}
