//! One-time set-password links: a 192-bit token from [`crate::secrets`], stored only as its
//! SHA-256 hash, valid for 48 hours ([`LIFETIME`], a new account) or 24 hours
//! ([`RESET_LIFETIME`], a password reset an administrator sent), used at most once. Issuing
//! a new link voids the user's earlier unused ones; setting a password signs the user out
//! everywhere.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::passwords::{self, Password};
use super::{audit, sessions, users, AuthError, User};
use crate::db::schema::password_tokens;
use crate::db::Conn;

/// How long a set-password link for a new user stays valid.
pub const LIFETIME: TimeDelta = TimeDelta::hours(48);
/// How long a password-reset link (sent by an administrator) stays valid.
pub const RESET_LIFETIME: TimeDelta = TimeDelta::hours(24);

#[derive(Insertable)]
#[diesel(table_name = password_tokens)]
struct NewToken<'a> {
    user_id: i64,
    token_hash: &'a str,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
}

/// Issues a link token for `user_id` and returns its plain text (to print or mail; it is
/// not kept anywhere).
pub fn issue(conn: &mut Conn, user_id: i64, now: NaiveDateTime) -> QueryResult<String> {
    issue_for(conn, user_id, now, LIFETIME)
}

/// [`issue`] with its own lifetime (a password reset's is [`RESET_LIFETIME`]).
pub fn issue_for(
    conn: &mut Conn,
    user_id: i64,
    now: NaiveDateTime,
    lifetime: TimeDelta,
) -> QueryResult<String> {
    let token = crate::secrets::new_token();
    let token_hash = crate::secrets::hash(&token);
    conn.write_transaction(|conn| {
        diesel::update(
            password_tokens::table
                .filter(password_tokens::user_id.eq(user_id))
                .filter(password_tokens::used_at.is_null()),
        )
        .set(password_tokens::used_at.eq(Some(now)))
        .execute(conn)?;
        diesel::insert_into(password_tokens::table)
            .values(&NewToken {
                user_id,
                token_hash: &token_hash,
                expires_at: now + lifetime,
                used_at: None,
            })
            .execute(conn)?;
        Ok(token)
    })
}

/// The user a still-valid link belongs to, or `None` for an unknown, used or expired link.
pub fn lookup(conn: &mut Conn, token: &str, now: NaiveDateTime) -> Result<Option<User>, AuthError> {
    let found: Option<i64> = password_tokens::table
        .filter(password_tokens::token_hash.eq(crate::secrets::hash(token)))
        .filter(password_tokens::used_at.is_null())
        .filter(password_tokens::expires_at.gt(now))
        .select(password_tokens::user_id)
        .first(conn)
        .optional()?;
    match found {
        Some(id) => Ok(users::get(conn, id)?.filter(|u| !u.disabled)),
        None => Ok(None),
    }
}

/// Uses a link: sets the password, marks the link used, ends the user's sessions and writes
/// the audit row, in one transaction. `Ok(None)` when the link is unknown, used or expired
/// (including when another request used it a moment earlier).
pub fn redeem(
    conn: &mut Conn,
    token: &str,
    password: &Password,
    now: NaiveDateTime,
) -> Result<Option<User>, AuthError> {
    // An unknown, used or expired link costs one lookup, never a hash.
    if lookup(conn, token, now)?.is_none() {
        return Ok(None);
    }
    // Hash before the transaction: it is slow, and the write lock need not wait for it.
    let hash = passwords::hash(password)?;
    let token_hash = crate::secrets::hash(token);
    conn.write_transaction(|conn| {
        let Some(user) = lookup(conn, token, now)? else {
            return Ok(None);
        };
        // The conditional update is what makes the link single-use under concurrency.
        let claimed = diesel::update(
            password_tokens::table
                .filter(password_tokens::token_hash.eq(&token_hash))
                .filter(password_tokens::used_at.is_null()),
        )
        .set(password_tokens::used_at.eq(Some(now)))
        .execute(conn)?;
        if claimed != 1 {
            return Ok(None);
        }
        users::set_password_hash(conn, user.id, &hash)?;
        sessions::end_all(conn, user.id)?;
        audit::audit(
            conn,
            &user.email,
            "user.password_set",
            &user.email,
            "through a one-time link",
        )?;
        Ok(Some(User {
            has_password: true,
            ..user
        }))
    })
}
