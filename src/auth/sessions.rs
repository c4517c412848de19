//! Server-side sessions. The browser holds a random 192-bit session id in an HttpOnly,
//! SameSite=Lax cookie (Secure when the public URL is https); the database holds only its
//! SHA-256 hash, so a leaked database cannot be replayed as sessions.
//!
//! Expiry: [`IDLE`] after the last request (sliding; renewed at most every
//! [`RENEW_EVERY`] to keep writes rare) and never later than [`ABSOLUTE`] after sign-in.
//! Signing out deletes the row; setting a password deletes every row of the user.
//!
//! CSRF: each session has a token `SHA-256(session id ‖ "\0csrf")` (hex), computed on demand
//! from the cookie and never stored. A page embeds it in every form; a state-changing POST
//! must send it back (form field `csrf`, or header `X-CSRF-Token` for JSON). A third-party
//! site cannot read the cookie, so it cannot compute the token; and the token does not
//! reveal the session id (SHA-256 is one-way). Forms shown before sign-in (login,
//! set-password) use the same derivation from a short-lived pre-session cookie
//! ([`PRE_SESSION_COOKIE`]), a double-submit check.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::passwords;
use super::throttle;
use super::users::{self, Scope, User};
use super::{audit, AuthError};
use crate::db::schema::sessions;
use crate::db::Conn;

/// The session cookie.
pub const COOKIE: &str = "tandem_session";
/// The cookie behind the CSRF token of the sign-in and set-password forms.
pub const PRE_SESSION_COOKIE: &str = "tandem_form";
/// Idle time after which a session ends.
pub const IDLE: TimeDelta = TimeDelta::hours(12);
/// A session ends this long after sign-in, however active.
pub const ABSOLUTE: TimeDelta = TimeDelta::days(7);
/// The idle deadline is pushed back at most this often.
pub const RENEW_EVERY: TimeDelta = TimeDelta::minutes(5);

#[derive(Insertable)]
#[diesel(table_name = sessions)]
struct NewSession<'a> {
    user_id: i64,
    token_hash: &'a str,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

/// The CSRF token that goes with a session id (or a pre-session cookie).
pub fn csrf_token(secret: &str) -> String {
    crate::secrets::hash(&format!("{secret}\0csrf"))
}

/// Whether `submitted` is the CSRF token of `secret`, compared in constant time.
pub fn csrf_matches(secret: &str, submitted: &str) -> bool {
    let expected = csrf_token(secret);
    expected.len() == submitted.len()
        && expected
            .bytes()
            .zip(submitted.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Starts a session and returns the id to put in the cookie.
pub fn start(conn: &mut Conn, user_id: i64, now: NaiveDateTime) -> QueryResult<String> {
    let token = crate::secrets::new_token();
    diesel::insert_into(sessions::table)
        .values(&NewSession {
            user_id,
            token_hash: &crate::secrets::hash(&token),
            created_at: now,
            expires_at: now + IDLE,
        })
        .execute(conn)?;
    Ok(token)
}

/// The signed-in user of a session id, with their scopes; `None` when the session is
/// unknown, expired, or its user disabled. Pushes the idle deadline back.
pub fn resolve(
    conn: &mut Conn,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<(User, Vec<Scope>)>, AuthError> {
    // The session and its user in one round trip: this runs on every signed-in request.
    let found: Option<((i64, NaiveDateTime, NaiveDateTime), users::UserRow)> = sessions::table
        .inner_join(crate::db::schema::users::table)
        .filter(sessions::token_hash.eq(crate::secrets::hash(token)))
        .select((
            (sessions::id, sessions::created_at, sessions::expires_at),
            users::UserRow::as_select(),
        ))
        .first(conn)
        .optional()?;
    let Some(((id, created_at, expires_at), row)) = found else {
        return Ok(None);
    };
    let hard_end = created_at + ABSOLUTE;
    if expires_at <= now || hard_end <= now {
        diesel::delete(sessions::table.find(id)).execute(conn)?;
        return Ok(None);
    }
    let user = row.into_user()?;
    if user.disabled {
        return Ok(None);
    }
    let renewed = (now + IDLE).min(hard_end);
    if renewed - expires_at >= RENEW_EVERY {
        diesel::update(sessions::table.find(id))
            .set(sessions::expires_at.eq(renewed))
            .execute(conn)?;
    }
    let scopes = users::scopes(conn, user.id)?;
    Ok(Some((user, scopes)))
}

/// Ends one session (sign-out). Ending an unknown session is not an error.
pub fn end(conn: &mut Conn, token: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(crate::secrets::hash(token))))
        .execute(conn)
}

/// Ends every session of a user (password change, user disabled).
pub fn end_all(conn: &mut Conn, user_id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

/// The outcome of a sign-in attempt.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: the new session id for the cookie.
    Started { user: User, session: String },
    /// Unknown email, wrong password, no password yet or disabled: one answer for all, so
    /// the response does not say which.
    Refused,
    /// Too many attempts for this email from this address, or from this address at all.
    Throttled,
}

/// A sign-in attempt counted against the rate limit and allowed to check its password
/// ([`begin`]); finish it with [`finish`], or give it back with [`abandon`].
#[derive(Debug)]
pub struct Attempt {
    key: String,
    ip: String,
    nth: i64,
}

/// Counts an attempt of `email` from `ip` against the rate limit ([`throttle`]) before
/// anything expensive happens. `None`: refused (429) without checking the password; the
/// first refusal of a window is written to the audit log, later ones only counted.
pub fn begin(
    conn: &mut Conn,
    email: &str,
    ip: &str,
    now: NaiveDateTime,
) -> Result<Option<Attempt>, AuthError> {
    let key = email.trim().to_lowercase();
    match throttle::reserve(conn, &key, ip, now)? {
        throttle::Reservation::Granted { nth } => Ok(Some(Attempt {
            key,
            ip: ip.to_owned(),
            nth,
        })),
        throttle::Reservation::Limited { first } => {
            if first {
                audit::audit_at(
                    conn,
                    now,
                    &throttle::actor(ip),
                    throttle::THROTTLED,
                    &key,
                    "refused without checking the password; later refusals in this window are only counted",
                )?;
            }
            Ok(None)
        }
    }
}

/// Gives an attempt back without checking its password (the service was too busy to).
pub fn abandon(conn: &mut Conn, attempt: Attempt) -> Result<(), AuthError> {
    Ok(throttle::forgive(conn, &attempt.key, &attempt.ip)?)
}

/// Checks the password of an attempt and starts a session. Runs argon2 even for an unknown
/// email, so timing does not tell whether an account exists. A success gives the attempt
/// back to the rate limit; of the failures, the first of each window per email and address
/// is written to the audit log (the rest are counted in `sign_in_limits`, which the limit
/// caps), so failed sign-ins cannot grow the audit log without bound.
pub fn finish(
    conn: &mut Conn,
    attempt: Attempt,
    password: &str,
    now: NaiveDateTime,
) -> Result<SignIn, AuthError> {
    let Attempt { key, ip, nth } = attempt;
    let row = users::find_row_by_email(conn, &key)?;
    let failure = match &row {
        None => {
            passwords::verify_dummy(password);
            Some("no user with this email")
        }
        Some(r) => match &r.password_hash {
            None => {
                passwords::verify_dummy(password);
                Some("the user has not set a password yet")
            }
            Some(stored) if !passwords::verify(password, stored)? => Some("wrong password"),
            Some(_) if r.disabled => Some("the user is disabled"),
            Some(_) => None,
        },
    };
    match (failure, row) {
        (None, Some(row)) => {
            let user = row.into_user()?;
            let session = conn.write_transaction(|conn| {
                throttle::forgive(conn, &key, &ip)?;
                let session = start(conn, user.id, now)?;
                audit::audit_at(
                    conn,
                    now,
                    &user.email,
                    "sign_in.succeeded",
                    &user.email,
                    &format!("from {ip}"),
                )?;
                Ok::<_, diesel::result::Error>(session)
            })?;
            Ok(SignIn::Started { user, session })
        }
        (reason, _) => {
            if nth == 1 {
                audit::audit_at(
                    conn,
                    now,
                    &throttle::actor(&ip),
                    throttle::FAILED,
                    &key,
                    &format!(
                        "{}; further failures in this 15-minute window are only counted",
                        reason.unwrap_or("refused")
                    ),
                )?;
            }
            Ok(SignIn::Refused)
        }
    }
}
