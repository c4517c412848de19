//! Personal API tokens: a signed-in user's bearer credentials for the JSON API. A token acts
//! as its user — same role, same partnerships, same side — and stops working when it
//! expires, when it is revoked (its row is deleted) or when the user is disabled.
//!
//! The secret is [`PREFIX`] followed by a 192-bit token from [`crate::secrets::new_token`];
//! only its SHA-256 hash is stored, with its first [`SHOWN`] characters so people can tell
//! their tokens apart. The plain secret is returned once, by [`issue`], and kept nowhere.
//! A use is recorded in `last_used_at` at most once per [`RECORD_USE_EVERY`], so a busy
//! script costs no write per request.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use super::users::{self, Scope, User};
use super::AuthError;
use crate::db::api_tokens::{self as repo, ApiTokenRow, NewApiToken};
use crate::db::Conn;

/// What every personal token starts with, so a bearer token is recognisable (and scanners
/// can find one pasted where it should not be).
pub const PREFIX: &str = "tandem_pat_";
/// How many characters of the secret (after [`PREFIX`]) are stored and shown: 36 of its 192
/// bits, enough to recognise a token, far too few to guess it.
pub const SHOWN: usize = 6;
/// `last_used_at` is written at most this often per token.
pub const RECORD_USE_EVERY: TimeDelta = TimeDelta::minutes(1);
/// Longest token name.
pub const MAX_NAME: usize = 100;

/// A token as its owner sees it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// `tandem_pat_` and the secret's first characters.
    pub prefix: String,
    pub created_at: NaiveDateTime,
    /// The first moment the token no longer works; `None` for no expiry.
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
}

impl From<ApiTokenRow> for ApiToken {
    fn from(r: ApiTokenRow) -> Self {
        ApiToken {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            prefix: r.prefix,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
        }
    }
}

impl ApiToken {
    pub fn expired(&self, now: NaiveDateTime) -> bool {
        self.expires_at.is_some_and(|e| e <= now)
    }
}

/// The moment a token valid through `last_day` (UTC) stops working: the next midnight.
pub fn end_of(last_day: NaiveDate) -> NaiveDateTime {
    (last_day + TimeDelta::days(1)).and_time(chrono::NaiveTime::MIN)
}

/// Stores a new token of `user_id` and returns it with its secret (the only time the secret
/// exists outside the caller's hands). The name must already be checked.
pub fn issue(
    conn: &mut Conn,
    user_id: i64,
    name: &str,
    expires_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(ApiToken, String), AuthError> {
    let secret = format!("{PREFIX}{}", crate::secrets::new_token());
    let prefix = &secret[..PREFIX.len() + SHOWN];
    let row = repo::insert(
        conn,
        &NewApiToken {
            user_id,
            name,
            token_hash: &crate::secrets::hash(&secret),
            prefix,
            created_at: now,
            expires_at,
        },
    )?;
    Ok((row.into(), secret))
}

/// The outcome of presenting a bearer token that looks like a personal token.
#[derive(Debug)]
pub enum Presented {
    /// A live token of an active user: act as that user.
    Valid {
        user: User,
        scopes: Vec<Scope>,
        token: ApiToken,
    },
    /// A token that existed but whose expiry has passed.
    Expired,
    /// Unknown, revoked, or its user disabled: one answer for all.
    Refused,
}

/// Checks a presented secret and records its use (at most once per [`RECORD_USE_EVERY`]).
pub fn authenticate(
    conn: &mut Conn,
    secret: &str,
    now: NaiveDateTime,
) -> Result<Presented, AuthError> {
    if !secret.starts_with(PREFIX) {
        return Ok(Presented::Refused);
    }
    let Some(row) = repo::find_by_hash(conn, &crate::secrets::hash(secret))? else {
        return Ok(Presented::Refused);
    };
    let token = ApiToken::from(row);
    if token.expired(now) {
        return Ok(Presented::Expired);
    }
    let Some(user) = users::get(conn, token.user_id)?.filter(|u| !u.disabled) else {
        return Ok(Presented::Refused);
    };
    // Most requests of a busy script skip the write altogether; the update's own condition
    // keeps concurrent requests from writing twice within the interval.
    if token
        .last_used_at
        .is_none_or(|at| now - at >= RECORD_USE_EVERY)
    {
        repo::touch(conn, token.id, now, RECORD_USE_EVERY)?;
    }
    let scopes = users::scopes(conn, user.id)?;
    Ok(Presented::Valid {
        user,
        scopes,
        token,
    })
}

/// A user's tokens, newest first.
pub fn list(conn: &mut Conn, user_id: i64) -> Result<Vec<ApiToken>, AuthError> {
    Ok(repo::for_user(conn, user_id)?
        .into_iter()
        .map(ApiToken::from)
        .collect())
}

/// The user's token named `name`.
pub fn find_by_name(
    conn: &mut Conn,
    user_id: i64,
    name: &str,
) -> Result<Option<ApiToken>, AuthError> {
    Ok(repo::find_by_name(conn, user_id, name)?.map(ApiToken::from))
}

/// Revokes (deletes) the user's token `id`; `NotFound` when the user has no such token, so
/// nobody can revoke another person's token.
pub fn revoke(conn: &mut Conn, user_id: i64, id: i64) -> Result<ApiToken, AuthError> {
    let token = list(conn, user_id)?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| {
            AuthError::NotFound(crate::i18n::en1("token-problem-no-such-id", "id", id))
        })?;
    repo::delete(conn, user_id, id)?;
    Ok(token)
}

/// Revokes every token of a user (when the user is disabled); how many there were.
pub fn revoke_all(conn: &mut Conn, user_id: i64) -> Result<usize, AuthError> {
    Ok(repo::delete_all(conn, user_id)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_valid_through_a_day_ends_at_the_next_midnight() {
        let day = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
        assert_eq!(end_of(day).to_string(), "2027-02-01 00:00:00");
    }
}
