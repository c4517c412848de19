//! Use cases shared by the HTTP API and the CLI. Each takes a connection and the loaded
//! template catalogue and returns a view or a `ServiceError` that says what was wrong.
//! Services never print and never speak HTTP; the callers decide how to show the outcome.

pub mod partnerships;
pub mod responses;
pub mod submit_batch;
pub mod waves;

use crate::domain::FieldProblem;
use crate::import::{ImportError, ImportProblem};

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
