//! Expected failures of a use case, shared by every layer that carries one up to the
//! adapters.
//!
//! The error policy, layer by layer:
//! - pure modules (`domain`, `stats`, `survey_templates`, `tabular`) return their own
//!   `thiserror` enums or field problems that say what was wrong and where;
//! - storage and domain modules (`db`, `mail`, `auth`, `reports`, `waves`, `flags`, `goals`,
//!   `import`) return a module error or [`ServiceError`]: `NotFound`, `Invalid` (every field
//!   problem at once), `ImportRefused` (every line and column problem at once), `Conflict`;
//!   a database error passes through as `Database`; anything unexpected is `Internal`
//!   with `anyhow` context;
//! - `services` return [`ServiceError`];
//! - the adapters map it once: the web in `web::error` (404, 422 with the problems, 409,
//!   503 for an exhausted pool, 500 with the cause chain logged and never shown), the CLI by
//!   printing the message and exiting non-zero.
//!
//! Never turn an error into `None` with `.ok()`, and never show an `Internal` cause to a user.

use crate::domain::FieldProblem;
use crate::tabular::{ImportError, ImportProblem};

/// Expected failures of a use case. Anything unexpected is `Internal` and is logged in
/// full by the caller, never shown.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    NotFound(String),
    #[error("the request was refused:\n{}", field_list(.0))]
    Invalid(Vec<FieldProblem>),
    #[error("the file was refused, nothing was written:\n{}", import_list(.0))]
    ImportRefused(Vec<ImportProblem>),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<ImportError> for ServiceError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Invalid(p) => ServiceError::ImportRefused(p),
            ImportError::Database(d) => ServiceError::Database(d),
        }
    }
}

fn field_list(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {}: {}", p.field, p.message))
        .collect::<Vec<_>>()
        .join("\n")
}

fn import_list(problems: &[ImportProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}
