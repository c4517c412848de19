//! The sign-in rate limit: at most [`MAX_FAILURES`] failed sign-ins per email and client
//! address within [`WINDOW`]; further attempts are refused (429) without checking the
//! password, until the oldest failure leaves the window.
//!
//! Failures are counted from the audit log (`sign_in.failed` rows, actor `ip <address>`,
//! target the email as typed), so the limit holds across every `serve` instance sharing the
//! database and survives restarts, with no extra table. The address is the TCP peer: behind
//! a reverse proxy every visitor shares the proxy's address, and the limit becomes per email,
//! which is stricter, never looser. `X-Forwarded-For` is not trusted, because a client can
//! write any value there.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::QueryResult;

use super::audit;
use crate::db::Conn;

/// Failed sign-ins allowed per email and address within [`WINDOW`].
pub const MAX_FAILURES: i64 = 5;
/// The sliding window of the limit.
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);

pub const FAILED: &str = "sign_in.failed";
pub const THROTTLED: &str = "sign_in.throttled";

/// The audit actor of an anonymous visitor.
pub fn actor(ip: &str) -> String {
    format!("ip {ip}")
}

/// True when this email and address have used up their attempts.
pub fn is_limited(conn: &mut Conn, email: &str, ip: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let failures = audit::count_since(conn, &actor(ip), FAILED, email, now - WINDOW)?;
    Ok(failures >= MAX_FAILURES)
}
