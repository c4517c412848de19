//! Use cases shared by the HTTP API and the CLI. Each takes a connection and the loaded
//! template catalogue and returns a view or a `ServiceError` that says what was wrong.
//! Services never print and never speak HTTP; the callers decide how to show the outcome.

pub mod accounts;
pub mod api_tokens;
pub mod attributes;
pub mod backup;
pub mod bounces;
pub mod dashboard;
pub mod demo;
pub mod flags;
pub mod goals;
pub mod mail;
pub mod observe;
pub mod overview;
pub mod partnership_state;
pub mod partnerships;
pub mod plan;
pub mod portfolio;
pub mod reports;
pub mod responses;
pub mod series;
pub mod sessions;
pub mod submit_batch;
pub mod summary;
pub mod users;
pub mod waves;
