//! The users repository: `users` and `user_scopes`. Functions take `&mut Conn` so callers
//! compose them inside one transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{AuthError, Role};
use crate::db::schema::{partnerships, user_scopes, users};
use crate::db::Conn;
use crate::domain::{Email, Side};
use crate::i18n::{en, en1};

/// A user as the rest of the code sees it: parsed role, no password hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub all_partnerships: bool,
    pub disabled: bool,
    /// False until the person has used their set-password link.
    pub has_password: bool,
    pub created_at: NaiveDateTime,
}

/// One partnership a user reaches; `side` `None` means both firms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Scope {
    pub partnership_id: i64,
    pub side: Option<Side>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub all_partnerships: bool,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    // Loaded because `returning(users::all_columns)` needs every column; the digest and the
    // wave summary read them with their own queries (`flags::digest`, `services::summary`).
    #[allow(dead_code)]
    pub digest_opt_out: bool,
    #[allow(dead_code)]
    pub last_digest_at: Option<NaiveDateTime>,
    #[allow(dead_code)]
    pub summary_opt_out: bool,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUser<'a> {
    email: &'a str,
    password_hash: Option<&'a str>,
    role: &'a str,
    all_partnerships: bool,
    disabled: bool,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = user_scopes)]
struct NewScope<'a> {
    user_id: i64,
    partnership_id: i64,
    side: Option<&'a str>,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User, AuthError> {
        let role = self.role.parse::<Role>().map_err(|e| {
            AuthError::Internal(anyhow::anyhow!("user {} has a stored {e}", self.id))
        })?;
        Ok(User {
            id: self.id,
            email: self.email,
            role,
            all_partnerships: self.all_partnerships,
            disabled: self.disabled,
            has_password: self.password_hash.is_some(),
            created_at: self.created_at,
        })
    }
}

/// Checks the combination of role and scopes before anything is written.
fn check_spec(
    role: Role,
    scopes: &[(i64, Option<Side>)],
    all_partnerships: bool,
) -> Result<(), AuthError> {
    match role {
        Role::Admin if !scopes.is_empty() || all_partnerships => Err(AuthError::Invalid(
            "an admin sees every partnership: give no --partnership or --all-partnerships".into(),
        )),
        Role::Manager if all_partnerships => Err(AuthError::Invalid(
            "a relationship manager sees only their own partnerships: name them with --partnership"
                .into(),
        )),
        Role::Manager if scopes.is_empty() => Err(AuthError::Invalid(
            "a relationship manager needs at least one --partnership".into(),
        )),
        Role::Ombudsman if all_partnerships != scopes.is_empty() => Err(AuthError::Invalid(
            "an ombudsman needs either --all-partnerships or at least one --partnership (not both)"
                .into(),
        )),
        Role::Ombudsman if scopes.iter().any(|(_, s)| s.is_some()) => Err(AuthError::Invalid(
            "an ombudsman always sees both sides: --side is for relationship managers".into(),
        )),
        _ => {
            let mut ids: Vec<i64> = scopes.iter().map(|(p, _)| *p).collect();
            ids.sort_unstable();
            if ids.windows(2).any(|w| w[0] == w[1]) {
                return Err(AuthError::Invalid(en("account-problem-named-twice")));
            }
            Ok(())
        }
    }
}

/// Creates a user without a password (they set it through a one-time link, see
/// [`super::tokens`]) and their scopes, in one transaction. Every partnership named must
/// exist; the email must be new.
pub fn create_user(
    conn: &mut Conn,
    email: &Email,
    role: Role,
    scopes: Vec<(i64, Option<Side>)>,
    all_partnerships: bool,
) -> Result<User, AuthError> {
    check_spec(role, &scopes, all_partnerships)?;
    conn.write_transaction(|conn| {
        if find_by_email(conn, email.as_str())?.is_some() {
            return Err(AuthError::Conflict(en1(
                "account-problem-email-taken",
                "email",
                email,
            )));
        }
        for (p, _) in &scopes {
            let exists: bool = diesel::select(diesel::dsl::exists(
                partnerships::table.filter(partnerships::id.eq(*p)),
            ))
            .get_result(conn)?;
            if !exists {
                return Err(AuthError::NotFound(en1(
                    "access-problem-no-partnership",
                    "id",
                    p,
                )));
            }
        }
        let row: UserRow = diesel::insert_into(users::table)
            .values(&NewUser {
                email: email.as_str(),
                password_hash: None,
                role: role.as_str(),
                all_partnerships,
                disabled: false,
                created_at: crate::db::now(),
            })
            .returning(users::all_columns)
            .get_result(conn)?;
        // One row at a time: multi-row inserts do not compile on the multi-connection.
        for (p, side) in &scopes {
            diesel::insert_into(user_scopes::table)
                .values(&NewScope {
                    user_id: row.id,
                    partnership_id: *p,
                    side: side.map(Side::as_str),
                })
                .execute(conn)?;
        }
        row.into_user()
    })
}

pub(crate) fn find_row_by_email(conn: &mut Conn, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// The user with this (normalised) email.
pub fn find_by_email(conn: &mut Conn, email: &str) -> Result<Option<User>, AuthError> {
    find_row_by_email(conn, email)?
        .map(UserRow::into_user)
        .transpose()
}

pub fn get(conn: &mut Conn, id: i64) -> Result<Option<User>, AuthError> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(UserRow::into_user)
        .transpose()
}

/// Every user, oldest first.
pub fn list(conn: &mut Conn) -> Result<Vec<User>, AuthError> {
    users::table
        .order(users::id.asc())
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(UserRow::into_user)
        .collect()
}

/// The partnerships a user is scoped to, by partnership id.
pub fn scopes(conn: &mut Conn, user_id: i64) -> Result<Vec<Scope>, AuthError> {
    let rows: Vec<(i64, Option<String>)> = user_scopes::table
        .filter(user_scopes::user_id.eq(user_id))
        .order(user_scopes::partnership_id.asc())
        .select((user_scopes::partnership_id, user_scopes::side))
        .load(conn)?;
    rows.into_iter()
        .map(|(partnership_id, side)| {
            let side = side
                .map(|s| s.parse::<Side>())
                .transpose()
                .map_err(|e| AuthError::Internal(anyhow::anyhow!("user {user_id}: {e}")))?;
            Ok(Scope {
                partnership_id,
                side,
            })
        })
        .collect()
}

/// Stores a new password hash (already argon2id, see [`super::passwords`]).
pub fn set_password_hash(conn: &mut Conn, user_id: i64, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(Some(hash)))
        .execute(conn)
        .map(|_| ())
}

/// Marks a user disabled or active again. Returns whether anything changed.
pub fn set_disabled(conn: &mut Conn, user_id: i64, disabled: bool) -> QueryResult<bool> {
    diesel::update(
        users::table
            .find(user_id)
            .filter(users::disabled.eq(!disabled)),
    )
    .set(users::disabled.eq(disabled))
    .execute(conn)
    .map(|n| n == 1)
}

/// Replaces a user's role and scopes (checked as at creation; every partnership named must
/// exist), in the caller's transaction. The next request of any of the user's sessions or
/// tokens reads the new ones: nothing about access is cached.
pub fn set_access(
    conn: &mut Conn,
    user_id: i64,
    role: Role,
    scopes: &[(i64, Option<Side>)],
    all_partnerships: bool,
) -> Result<(), AuthError> {
    check_spec(role, scopes, all_partnerships)?;
    for (p, _) in scopes {
        let exists: bool = diesel::select(diesel::dsl::exists(
            partnerships::table.filter(partnerships::id.eq(*p)),
        ))
        .get_result(conn)?;
        if !exists {
            return Err(AuthError::NotFound(en1(
                "access-problem-no-partnership",
                "id",
                p,
            )));
        }
    }
    diesel::update(users::table.find(user_id))
        .set((
            users::role.eq(role.as_str()),
            users::all_partnerships.eq(all_partnerships),
        ))
        .execute(conn)?;
    diesel::delete(user_scopes::table.filter(user_scopes::user_id.eq(user_id))).execute(conn)?;
    // One row at a time: multi-row inserts do not compile on the multi-connection.
    for (p, side) in scopes {
        diesel::insert_into(user_scopes::table)
            .values(&NewScope {
                user_id,
                partnership_id: *p,
                side: side.map(Side::as_str),
            })
            .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_and_scope_combinations_are_checked() {
        let p = |id| (id, None);
        assert!(check_spec(Role::Admin, &[], false).is_ok());
        assert!(check_spec(Role::Admin, &[p(1)], false).is_err());
        assert!(check_spec(Role::Manager, &[], false).is_err());
        assert!(check_spec(Role::Manager, &[p(1)], true).is_err());
        assert!(check_spec(Role::Manager, &[(1, Some(Side::Customer))], false).is_ok());
        assert!(check_spec(Role::Manager, &[p(1), p(1)], false).is_err());
        assert!(check_spec(Role::Ombudsman, &[], true).is_ok());
        assert!(check_spec(Role::Ombudsman, &[p(1)], false).is_ok());
        assert!(check_spec(Role::Ombudsman, &[], false).is_err());
        assert!(check_spec(Role::Ombudsman, &[p(1)], true).is_err());
        assert!(check_spec(Role::Ombudsman, &[(1, Some(Side::Supplier))], false).is_err());
    }
}
