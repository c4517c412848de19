//! Signing in and out, the session behind every signed-in request, and one-time
//! set-password links: the use cases of the sign-in pages, each with its audit entry.

use crate::auth::passwords::Password;
use crate::auth::sessions::{self, SignIn};
use crate::auth::users::{Scope, User};
use crate::auth::{audit, tokens};
use crate::db::{self, Conn};
use crate::error::ServiceError;

/// Counts a sign-in attempt of `email` from `ip` against the rate limit, before the
/// password is checked; `None` when the limit refuses it (answer 429).
pub fn begin_sign_in(
    conn: &mut Conn,
    email: &str,
    ip: &str,
) -> Result<Option<sessions::Attempt>, ServiceError> {
    Ok(sessions::begin(conn, email, ip, db::now())?)
}

/// Gives back an attempt that could not be checked (the service was busy).
pub fn abandon_sign_in(conn: &mut Conn, attempt: sessions::Attempt) -> Result<(), ServiceError> {
    Ok(sessions::abandon(conn, attempt)?)
}

/// Checks the password of a counted attempt; on success starts a new session and ends
/// `previous` (an id planted before sign-in is worthless afterwards). Runs argon2: call it
/// while holding a [`crate::auth::passwords::HashGate`] permit.
pub fn sign_in(
    conn: &mut Conn,
    attempt: sessions::Attempt,
    password: &str,
    previous: Option<String>,
) -> Result<SignIn, ServiceError> {
    let outcome = sessions::finish(conn, attempt, password, db::now())?;
    if let (SignIn::Started { .. }, Some(old)) = (&outcome, previous) {
        sessions::end(conn, &old)?;
    }
    Ok(outcome)
}

/// Ends the session and records the sign-out.
pub fn sign_out(conn: &mut Conn, session: &str, email: &str) -> Result<(), ServiceError> {
    sessions::end(conn, session)?;
    audit::audit(conn, email, "sign_out", email, "")?;
    Ok(())
}

/// The user and scopes behind a session id, if it is live.
pub fn resolve(conn: &mut Conn, session: &str) -> Result<Option<(User, Vec<Scope>)>, ServiceError> {
    Ok(sessions::resolve(conn, session, db::now())?)
}

/// The user a set-password link is for, while it is unused and unexpired.
pub fn link_user(conn: &mut Conn, token: &str) -> Result<Option<User>, ServiceError> {
    Ok(tokens::lookup(conn, token, db::now())?)
}

/// Sets the password through a set-password link (once); `None` when the link is not valid.
pub fn set_password(
    conn: &mut Conn,
    token: &str,
    password: &Password,
) -> Result<Option<User>, ServiceError> {
    Ok(tokens::redeem(conn, token, password, db::now())?)
}

/// Records that `actor` did `action` on `subject`.
pub fn record(
    conn: &mut Conn,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), ServiceError> {
    audit::audit(conn, actor, action, subject, detail)?;
    Ok(())
}
