//! Personal API tokens as their owners (the account page, `tandem user token`) use them:
//! create one (the secret is returned once), list them, revoke one; and the check behind
//! every `Authorization: Bearer tandem_pat_…` request. Creating and revoking are audited in
//! the same transaction.

use chrono::{NaiveDate, NaiveDateTime};

use crate::auth::api_tokens::{self, ApiToken, Presented, MAX_NAME};
use diesel::result::{DatabaseErrorKind, Error::DatabaseError};

use crate::auth::{audit, users, AuthError, User};
use crate::db::Conn;
use crate::domain::FieldProblem;
use crate::error::ServiceError;
use crate::i18n::{en, en1, en2};

/// A token just made, with the one copy of its secret.
#[derive(Debug)]
pub struct CreatedToken {
    pub token: ApiToken,
    /// Show it once; it is not stored.
    pub secret: String,
}

/// The request to make a token, as typed: `expires_on` empty for no expiry, else a date
/// (`YYYY-MM-DD`, UTC) through which the token works.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub name: String,
    pub expires_on: String,
}

fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.into(),
        message: message.into(),
    }
}

/// The refusal of a name the user already gave a token.
fn taken(name: &str) -> String {
    en1("token-problem-name-taken", "name", format!("{name:?}"))
}

/// Checks the request: every problem at once.
fn check(
    conn: &mut Conn,
    user_id: i64,
    request: &TokenRequest,
    today: NaiveDate,
) -> Result<(String, Option<NaiveDate>), ServiceError> {
    let mut problems = Vec::new();
    let name = request.name.trim().to_owned();
    if name.is_empty() {
        problems.push(problem("name", en("token-problem-no-name")));
    } else if name.chars().any(char::is_control) {
        problems.push(problem("name", en("token-problem-name-control")));
    } else if name.chars().count() > MAX_NAME {
        problems.push(problem(
            "name",
            en1("token-problem-name-too-long", "max", MAX_NAME),
        ));
    } else if api_tokens::find_by_name(conn, user_id, &name)?.is_some() {
        problems.push(problem("name", taken(&name)));
    }
    let raw = request.expires_on.trim();
    let expires_on = if raw.is_empty() {
        None
    } else {
        match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) if d < today => {
                problems.push(problem(
                    "expires_on",
                    en1("token-problem-expiry-past", "date", d),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(problem(
                    "expires_on",
                    en1(
                        "token-problem-expiry-not-a-date",
                        "raw",
                        format!(
                            "{:?}",
                            raw.replace('\0', "").chars().take(40).collect::<String>()
                        ),
                    ),
                ));
                None
            }
        }
    };
    if problems.is_empty() {
        Ok((name, expires_on))
    } else {
        Err(ServiceError::Invalid(problems))
    }
}

/// Makes a token for `user` (`actor` is who asked: the user, or `cli`) and audits it as
/// `api_token.created`, in one transaction.
pub fn create(
    conn: &mut Conn,
    user: &User,
    request: &TokenRequest,
    actor: &str,
    now: NaiveDateTime,
) -> Result<CreatedToken, ServiceError> {
    conn.write_transaction(|conn| {
        let (name, expires_on) = check(conn, user.id, request, now.date())?;
        let issued = api_tokens::issue(
            conn,
            user.id,
            &name,
            expires_on.map(api_tokens::end_of),
            now,
        );
        let (token, secret) = match issued {
            // Another request made a token of this name since the check.
            Err(AuthError::Database(DatabaseError(DatabaseErrorKind::UniqueViolation, _))) => {
                return Err(ServiceError::Invalid(vec![problem("name", taken(&name))]))
            }
            other => other?,
        };
        audit::audit_at(
            conn,
            now,
            actor,
            "api_token.created",
            &user.email,
            &format!(
                "{:?} ({}…), {}",
                token.name,
                token.prefix,
                match expires_on {
                    Some(d) => format!("valid through {d}"),
                    None => "no expiry".into(),
                }
            ),
        )?;
        Ok(CreatedToken { token, secret })
    })
}

/// Revokes `user`'s token `id` (404 when it is not theirs) and audits it as
/// `api_token.revoked`, in one transaction.
pub fn revoke(
    conn: &mut Conn,
    user: &User,
    id: i64,
    actor: &str,
) -> Result<ApiToken, ServiceError> {
    conn.write_transaction(|conn| {
        let token = api_tokens::revoke(conn, user.id, id)?;
        audit::audit(
            conn,
            actor,
            "api_token.revoked",
            &user.email,
            &format!("{:?} ({}…)", token.name, token.prefix),
        )?;
        Ok(token)
    })
}

/// A user's tokens, newest first.
pub fn list(conn: &mut Conn, user_id: i64) -> Result<Vec<ApiToken>, ServiceError> {
    Ok(api_tokens::list(conn, user_id)?)
}

fn user_by_email(conn: &mut Conn, email: &str) -> Result<User, ServiceError> {
    users::find_by_email(conn, &email.trim().to_lowercase())?
        .ok_or_else(|| ServiceError::NotFound(en1("account-problem-no-user-email", "email", email)))
}

/// `tandem user token create`: a token for the user with `email`, made by the CLI.
pub fn create_for_email(
    conn: &mut Conn,
    email: &str,
    request: &TokenRequest,
    now: NaiveDateTime,
) -> Result<CreatedToken, ServiceError> {
    let user = user_by_email(conn, email)?;
    if user.disabled {
        return Err(ServiceError::Conflict(en1(
            "token-problem-user-disabled",
            "email",
            &user.email,
        )));
    }
    create(conn, &user, request, "cli", now)
}

/// `tandem user token revoke`: revokes the token `name` of the user with `email`.
pub fn revoke_by_name(conn: &mut Conn, email: &str, name: &str) -> Result<ApiToken, ServiceError> {
    let user = user_by_email(conn, email)?;
    let token = api_tokens::find_by_name(conn, user.id, name.trim())?.ok_or_else(|| {
        ServiceError::NotFound(en2(
            "token-problem-no-such-name",
            "email",
            &user.email,
            "name",
            format!("{name:?}"),
        ))
    })?;
    revoke(conn, &user, token.id, "cli")
}

/// `tandem user token list`: the tokens of the user with `email`.
pub fn list_for_email(conn: &mut Conn, email: &str) -> Result<Vec<ApiToken>, ServiceError> {
    let user = user_by_email(conn, email)?;
    list(conn, user.id)
}

/// The check behind a bearer token that starts with [`api_tokens::PREFIX`].
pub fn authenticate(conn: &mut Conn, secret: &str) -> Result<Presented, ServiceError> {
    Ok(api_tokens::authenticate(conn, secret, crate::db::now())?)
}
