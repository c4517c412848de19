//! Access: who may sign in, what each person may see, and the record of what they did.
//!
//! - [`Role`] and [`access::Access`]: the pure decision "may this user see partnership N, and
//!   which side of it". Every page, chart, export and API route that concerns one partnership
//!   asks [`access::Access::check_partnership`] (or [`CurrentUser::require_partnership`]) and
//!   answers **404** when refused, so a partnership outside someone's scope looks exactly like
//!   one that does not exist.
//! - [`users`]: the users repository; [`passwords`]: argon2id hashing; [`tokens`]: one-time
//!   set-password links; [`sessions`]: server-side sessions behind an HttpOnly cookie, with a
//!   CSRF token derived from the session secret; [`api_tokens`]: personal API tokens that
//!   act as their user; [`throttle`]: the sign-in rate limit;
//!   [`audit`]: the audit log.
//!
//! The HTTP side (the extractor `CurrentUser`, the role guard `RequireRole`) lives in
//! `web::extract`: this module names no web framework.
//!
//! This module must never store a secret in plain text (passwords are argon2id hashes,
//! session ids and link tokens SHA-256 hashes), never tell a visitor whether an email is
//! registered, and never let a refusal reveal whether a partnership exists.

pub mod access;
pub mod api_tokens;
pub mod audit;
pub mod passwords;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod users;

use std::fmt;
use std::str::FromStr;

pub use access::{Access, Visibility};
pub use audit::audit;
pub use users::{create_user, User};

/// What a signed-in person is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything: every partnership, both sides, users, the admin API.
    Admin,
    /// A relationship manager: only the partnerships in scope, optionally one side of each.
    Manager,
    /// Every partnership or a set of them, both sides; handles flags.
    Ombudsman,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Ombudsman => "ombudsman",
        }
    }

    pub const ALL: [Role; 3] = [Role::Admin, Role::Manager, Role::Ombudsman];

    /// The role in words, for pages and the command line (from the managers' catalog).
    pub fn label(self) -> String {
        crate::i18n::en(self.label_key())
    }

    /// The catalog key of [`Role::label`].
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Admin => "role-admin",
            Role::Manager => "role-manager",
            Role::Ombudsman => "role-ombudsman",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "manager" => Ok(Role::Manager),
            "ombudsman" => Ok(Role::Ombudsman),
            _ => Err(crate::i18n::en1(
                "role-problem-unknown",
                "raw",
                format!("{:?}", raw.trim()),
            )),
        }
    }
}

/// Expected failures of the access use cases.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<AuthError> for crate::error::ServiceError {
    fn from(e: AuthError) -> Self {
        use crate::error::ServiceError;
        match e {
            AuthError::Invalid(m) => ServiceError::Invalid(vec![crate::domain::FieldProblem {
                field: "user".into(),
                message: m,
            }]),
            AuthError::NotFound(m) => ServiceError::NotFound(m),
            AuthError::Conflict(m) => ServiceError::Conflict(m),
            AuthError::Database(d) => ServiceError::Database(d),
            AuthError::Internal(e) => ServiceError::Internal(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_in_any_case_and_round_trip() {
        for r in [Role::Admin, Role::Manager, Role::Ombudsman] {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert_eq!(" Manager ".parse::<Role>().unwrap(), Role::Manager);
        assert_eq!(
            "owner".parse::<Role>().unwrap_err(),
            "role \"owner\" is not one of admin, manager, ombudsman"
        );
    }

    #[test]
    fn every_role_has_catalog_words_and_they_read_as_before() {
        let words: Vec<String> = Role::ALL.iter().map(|r| r.label()).collect();
        assert_eq!(
            words,
            ["administrator", "relationship manager", "ombudsman"]
        );
        for role in Role::ALL {
            assert_ne!(
                role.label(),
                role.label_key(),
                "{role:?} has no catalog words"
            );
        }
    }
}
