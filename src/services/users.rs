//! Users as an administrator manages them from the CLI: create one (with a password or a
//! one-time set-password link) and list them with their scopes. Every change is audited in
//! the same transaction.

use chrono::NaiveDateTime;

use crate::auth::{audit, tokens, users, Role};
use crate::db::Conn;
use crate::domain::{Email, Side};
use crate::error::ServiceError;
use crate::i18n::{en, en1};

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

/// What a user reaches, in words (from the managers' catalog): "all partnerships",
/// "partnerships 1 (customer side), 3 (supplier side)", "partnerships 2, 5".
pub fn describe_reach(user: &users::User, scopes: &[(i64, Option<Side>)]) -> String {
    if user.role == Role::Admin || user.all_partnerships {
        return en("reach-all");
    }
    let list: Vec<String> = scopes
        .iter()
        .map(|(p, s)| match s {
            Some(Side::Customer) => en1("reach-one-customer", "id", p),
            Some(Side::Supplier) => en1("reach-one-supplier", "id", p),
            None => p.to_string(),
        })
        .collect();
    en1("reach-partnerships", "list", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, all_partnerships: bool) -> users::User {
        users::User {
            id: 1,
            email: "a@example.com".into(),
            role,
            all_partnerships,
            disabled: false,
            has_password: true,
            created_at: chrono::NaiveDate::from_ymd_opt(2026, 12, 4)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .expect("a valid time"),
        }
    }

    #[test]
    fn the_reach_reads_as_all_one_side_or_a_list() {
        assert_eq!(
            describe_reach(&user(Role::Admin, false), &[]),
            "all partnerships"
        );
        assert_eq!(
            describe_reach(&user(Role::Ombudsman, true), &[]),
            "all partnerships"
        );
        assert_eq!(
            describe_reach(&user(Role::Ombudsman, false), &[(1, None), (3, None)]),
            "partnerships 1, 3"
        );
        assert_eq!(
            describe_reach(
                &user(Role::Manager, false),
                &[(1, Some(Side::Customer)), (3, Some(Side::Supplier))]
            ),
            "partnerships 1 (customer side), 3 (supplier side)"
        );
    }
}
