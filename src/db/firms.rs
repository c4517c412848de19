//! Firms, identified by name compared without case.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::models::Firm;
use super::schema::firms;
use super::Conn;
use crate::domain::segment_key;

/// The firm called `name` (compared without case), created if it does not exist yet.
/// Safe against a concurrent create: the insert runs in a savepoint and a unique violation
/// falls back to reading the row the other writer made.
pub fn find_or_create(conn: &mut Conn, name: &str) -> QueryResult<Firm> {
    let key = segment_key(name);
    if let Some(f) = find_by_key(conn, &key)? {
        return Ok(f);
    }
    let inserted = conn.write_transaction(|c| {
        diesel::insert_into(firms::table)
            .values((
                firms::name.eq(name.trim()),
                firms::name_key.eq(&key),
                firms::created_at.eq(super::now()),
            ))
            .returning(firms::all_columns)
            .get_result::<Firm>(c)
    });
    match inserted {
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            firms::table.filter(firms::name_key.eq(&key)).first(conn)
        }
        other => other,
    }
}

pub fn find_by_key(conn: &mut Conn, key: &str) -> QueryResult<Option<Firm>> {
    firms::table
        .filter(firms::name_key.eq(key))
        .first(conn)
        .optional()
}

pub fn get_many(conn: &mut Conn, ids: &[i64]) -> QueryResult<Vec<Firm>> {
    firms::table.filter(firms::id.eq_any(ids)).load(conn)
}
