//! Flags for the ombudsman: rules that fire on a closed wave when the firms disagree, a firm
//! disagrees within itself, a perception declines, levels diverge or too few answer; and the
//! life of each flag (open → acknowledged → resolved, reopened when a later wave still
//! fires), with notes, an assignee, alerts by mail and an inbox across partnerships.
//!
//! - [`rules`]: pure functions from a report document to findings, with [`RuleConfig`];
//! - [`store`]: running the rules on a wave, the life cycle, the inbox, the configuration;
//! - [`cli`]: `tandem flags run` and `tandem flags list`.
//!
//! Flags are computed from the report document only, never from raw answers, so a flag can
//! never carry a number about a group below the minimum reporting size.

pub mod digest;
pub mod rules;
pub mod store;

pub use rules::{Finding, Rule, RuleConfig, Severity};
pub use store::{
    acknowledge, annotate, assign, inbox, reopen, resolve, run_for_wave, ActionInput, ActionView,
    Actor, FlagDetail, FlagState, FlagView, FollowUpView, InboxScope, ManualFlagInput, Outcome,
    RunReport,
};

use crate::domain::FieldProblem;
use crate::error::ServiceError;

/// Expected failures of the flag use cases.
#[derive(Debug, thiserror::Error)]
pub enum FlagError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A step the flag's state does not allow, in the managers' words.
    #[error("{message}")]
    IllegalTransition { id: i64, message: String },
    #[error("the request was refused")]
    Invalid(Vec<FieldProblem>),
    #[error(transparent)]
    Report(ServiceError),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<ServiceError> for FlagError {
    fn from(e: ServiceError) -> Self {
        FlagError::Report(e)
    }
}

impl From<FlagError> for ServiceError {
    fn from(e: FlagError) -> Self {
        match e {
            FlagError::NotFound(m) => ServiceError::NotFound(m),
            FlagError::Conflict(m) => ServiceError::Conflict(m),
            e @ FlagError::IllegalTransition { .. } => ServiceError::Conflict(e.to_string()),
            FlagError::Invalid(f) => ServiceError::Invalid(f),
            FlagError::Report(s) => s,
            FlagError::Database(d) => ServiceError::Database(d),
            FlagError::Internal(e) => ServiceError::Internal(e),
        }
    }
}
