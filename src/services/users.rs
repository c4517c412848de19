//! Users as an administrator manages them from the CLI: create one (with a password or a
//! one-time set-password link) and list them with their scopes. Every change is audited in
//! the same transaction.

use chrono::NaiveDateTime;

use crate::auth::{audit, tokens, users, Role};
use crate::db::Conn;
use crate::domain::{Email, Side};
use crate::error::ServiceError;

/// A user to create. `password_hash` is already hashed: hashing is slow on purpose and runs
/// before a connection is taken.
pub struct NewUser {
    pub email: Email,
    pub role: Role,
    pub scopes: Vec<(i64, Option<Side>)>,
    pub all_partnerships: bool,
    pub password_hash: Option<String>,
}

/// What creating a user did.
pub struct CreatedUser {
    pub user: users::User,
    /// The partnerships the user reaches, in words.
    pub reach: String,
    /// The one-time set-password token, when no password was given.
    pub set_password_token: Option<String>,
}

/// Creates the user, sets the password or issues a set-password link, and audits both as
/// `actor`, in one transaction.
pub fn create(
    conn: &mut Conn,
    actor: &str,
    new: NewUser,
    now: NaiveDateTime,
) -> Result<CreatedUser, ServiceError> {
    conn.write_transaction(|conn| {
        let user = users::create_user(
            conn,
            &new.email,
            new.role,
            new.scopes.clone(),
            new.all_partnerships,
        )?;
        let reach = describe_reach(&user, &new.scopes);
        audit::audit(
            conn,
            actor,
            "user.created",
            user.email.as_str(),
            &format!("{}; {reach}", new.role.as_str()),
        )?;
        let set_password_token = match &new.password_hash {
            Some(h) => {
                users::set_password_hash(conn, user.id, h)?;
                audit::audit(
                    conn,
                    actor,
                    "user.password_set",
                    user.email.as_str(),
                    "read from standard input",
                )?;
                None
            }
            None => Some(tokens::issue(conn, user.id, now)?),
        };
        Ok(CreatedUser {
            user,
            reach,
            set_password_token,
        })
    })
}

/// The stored form of a password (argon2id). Slow on purpose: call it before taking a
/// connection.
pub fn hash_password(password: &crate::auth::passwords::Password) -> Result<String, ServiceError> {
    Ok(crate::auth::passwords::hash(password)?)
}

/// Every user with the partnerships they are scoped to.
pub fn list(conn: &mut Conn) -> Result<Vec<(users::User, Vec<users::Scope>)>, ServiceError> {
    let mut rows = Vec::new();
    for user in users::list(conn)? {
        let scopes = users::scopes(conn, user.id)?;
        rows.push((user, scopes));
    }
    Ok(rows)
}

pub fn describe_reach(user: &users::User, scopes: &[(i64, Option<Side>)]) -> String {
    if user.role == Role::Admin || user.all_partnerships {
        return "all partnerships".into();
    }
    let list: Vec<String> = scopes
        .iter()
        .map(|(p, s)| match s {
            Some(side) => format!("{p} ({side} side)"),
            None => p.to_string(),
        })
        .collect();
    format!("partnerships {}", list.join(", "))
}
