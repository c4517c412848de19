//! The `api_tokens` repository: personal API tokens, kept only as the SHA-256 hash of the
//! secret plus a short prefix for people to recognise them. Never store or return a secret
//! here; the caller hashes it first ([`crate::secrets::hash`]).

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::db::schema::api_tokens;
use crate::db::Conn;

/// One stored token, as its owner's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the secret (never the whole of it).
    pub prefix: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub prefix: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
}

/// Stores a token and returns its row.
pub fn insert(conn: &mut Conn, new: &NewApiToken<'_>) -> QueryResult<ApiTokenRow> {
    let id: i64 = diesel::insert_into(api_tokens::table)
        .values(new)
        .returning(api_tokens::id)
        .get_result(conn)?;
    api_tokens::table
        .find(id)
        .select(ApiTokenRow::as_select())
        .first(conn)
}

/// The token whose secret hashes to `token_hash`.
pub fn find_by_hash(conn: &mut Conn, token_hash: &str) -> QueryResult<Option<ApiTokenRow>> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()
}

/// A user's tokens, newest first.
pub fn for_user(conn: &mut Conn, user_id: i64) -> QueryResult<Vec<ApiTokenRow>> {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::id.desc())
        .select(ApiTokenRow::as_select())
        .load(conn)
}

/// The user's token named `name`.
pub fn find_by_name(conn: &mut Conn, user_id: i64, name: &str) -> QueryResult<Option<ApiTokenRow>> {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .filter(api_tokens::name.eq(name))
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()
}

/// Deletes the user's token `id`; 0 when the user has no such token.
pub fn delete(conn: &mut Conn, user_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// Deletes every token of the user (the user is disabled); how many there were.
pub fn delete_all(conn: &mut Conn, user_id: i64) -> QueryResult<usize> {
    diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq(user_id))).execute(conn)
}

/// Records a use at `now`, unless one was recorded less than `every` ago: a conditional
/// update, so busy clients cost at most one write per token and interval.
pub fn touch(conn: &mut Conn, id: i64, now: NaiveDateTime, every: TimeDelta) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table.filter(api_tokens::id.eq(id)).filter(
            api_tokens::last_used_at
                .is_null()
                .or(api_tokens::last_used_at.le(now - every)),
        ),
    )
    .set(api_tokens::last_used_at.eq(Some(now)))
    .execute(conn)
}
