//! The sign-in rate limit, checked BEFORE the password is (argon2 is the expensive part):
//!
//! - at most [`MAX_FAILURES`] attempts per email and client address, and
//! - at most [`MAX_PER_ADDRESS`] attempts per client address whatever the email (password
//!   spraying: many emails, one address),
//!
//! each within a fixed window of [`WINDOW`] that starts at the key's first attempt. An attempt
//! is counted when it starts, by one atomic `INSERT … ON CONFLICT DO UPDATE … RETURNING`
//! per key, so forty concurrent wrong passwords cannot all read "4 so far" and go on: exactly
//! the first [`MAX_FAILURES`] are let through. A successful sign-in gives its attempt back
//! ([`forgive`]), so people who sign in correctly never use up their address's allowance.
//!
//! The counts live in `sign_in_limits`, one row per key, so the limit holds across every
//! `serve` instance sharing the database and survives restarts; stale rows are deleted as
//! new windows start. The address is the TCP peer: behind a reverse proxy every visitor
//! shares the proxy's address, and the limits become per email and per proxy, which is
//! stricter, never looser. `X-Forwarded-For` is not trusted, because a client can write any
//! value there.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::QueryResult;

use crate::db::schema::sign_in_limits;
use crate::db::Conn;

/// Attempts allowed per email and address within [`WINDOW`].
pub const MAX_FAILURES: i64 = 5;
/// Attempts allowed per address, any email, within [`WINDOW`].
pub const MAX_PER_ADDRESS: i64 = 20;
/// The window of both limits.
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);

pub const FAILED: &str = "sign_in.failed";
pub const THROTTLED: &str = "sign_in.throttled";

/// The audit actor of an anonymous visitor.
pub fn actor(ip: &str) -> String {
    format!("ip {ip}")
}

fn email_key(email: &str, ip: &str) -> String {
    format!("email {email} | ip {ip}")
}

fn address_key(ip: &str) -> String {
    format!("ip {ip}")
}

/// What [`reserve`] decided for one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Go on and check the password; `nth` is this attempt's number for the email and
    /// address in the current window (1 for the first).
    Granted { nth: i64 },
    /// Refused without checking the password. `first` is true for the first refusal of
    /// the window (the one the audit log records).
    Limited { first: bool },
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    attempts: i64,
}

/// Counts one attempt of `email` (as typed, normalised) from `ip` against both limits, in
/// one atomic statement per key, and says whether it may go on.
pub fn reserve(
    conn: &mut Conn,
    email: &str,
    ip: &str,
    now: NaiveDateTime,
) -> QueryResult<Reservation> {
    let cutoff = now - WINDOW;
    diesel::delete(sign_in_limits::table.filter(sign_in_limits::window_start.le(cutoff)))
        .execute(conn)?;
    let per_email = bump(conn, &email_key(email, ip), now, cutoff)?;
    let per_address = bump(conn, &address_key(ip), now, cutoff)?;
    if per_email > MAX_FAILURES || per_address > MAX_PER_ADDRESS {
        Ok(Reservation::Limited {
            first: per_email == MAX_FAILURES + 1 || per_address == MAX_PER_ADDRESS + 1,
        })
    } else {
        Ok(Reservation::Granted { nth: per_email })
    }
}

/// Gives back the attempt [`reserve`] counted: the password was right, or the attempt
/// never got to check it (the service was busy).
pub fn forgive(conn: &mut Conn, email: &str, ip: &str) -> QueryResult<()> {
    diesel::update(
        sign_in_limits::table
            .filter(sign_in_limits::key.eq_any([email_key(email, ip), address_key(ip)]))
            .filter(sign_in_limits::attempts.gt(0)),
    )
    .set(sign_in_limits::attempts.eq(sign_in_limits::attempts - 1))
    .execute(conn)?;
    Ok(())
}

/// Adds one attempt to `key` (a new window when the last one ended) and returns the count.
fn bump(conn: &mut Conn, key: &str, now: NaiveDateTime, cutoff: NaiveDateTime) -> QueryResult<i64> {
    // Every expression of a DO UPDATE reads the row as it was before the update, on both
    // backends; the row lock taken by the upsert serialises concurrent attempts.
    const SQLITE: &str = "INSERT INTO sign_in_limits (key, window_start, attempts) VALUES (?, ?, 1) \
         ON CONFLICT (key) DO UPDATE SET \
         attempts = CASE WHEN sign_in_limits.window_start <= ? THEN 1 ELSE sign_in_limits.attempts + 1 END, \
         window_start = CASE WHEN sign_in_limits.window_start <= ? THEN excluded.window_start ELSE sign_in_limits.window_start END \
         RETURNING attempts";
    const POSTGRES: &str = "INSERT INTO sign_in_limits (key, window_start, attempts) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
         attempts = CASE WHEN sign_in_limits.window_start <= $3 THEN 1 ELSE sign_in_limits.attempts + 1 END, \
         window_start = CASE WHEN sign_in_limits.window_start <= $4 THEN excluded.window_start ELSE sign_in_limits.window_start END \
         RETURNING attempts";
    let rows: Vec<Count> = match conn {
        Conn::Sqlite(c) => diesel::sql_query(SQLITE)
            .bind::<Text, _>(key)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(cutoff)
            .bind::<Timestamp, _>(cutoff)
            .load(c)?,
        Conn::Postgres(c) => diesel::sql_query(POSTGRES)
            .bind::<Text, _>(key)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(cutoff)
            .bind::<Timestamp, _>(cutoff)
            .load(c)?,
    };
    rows.first()
        .map(|r| r.attempts)
        .ok_or(diesel::result::Error::NotFound)
}
