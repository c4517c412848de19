//! HTTP: routes per audience. Handlers parse the request, run a service inside
//! `web::block` (diesel is synchronous), and turn the outcome into a response. They never
//! build SQL and never render HTML with `format!`.

pub mod account;
pub mod admin;
pub mod api;
pub mod auth_pages;
pub mod dashboard;
pub mod error;
pub mod extract;
pub mod health;
pub mod inbox;
pub mod observe;
pub mod openapi;
pub mod overview;
pub mod portfolio;
pub mod render;
pub mod respond;
mod respond_pages;
pub mod roster;
pub mod routes;
pub mod security;

use std::sync::Arc;

use actix_web::web;

use crate::app::Context;
use crate::db::Conn;
use crate::error::ServiceError;
use crate::survey_templates::Catalog;
use error::ApiError;

/// What every handler can reach: the application's [`Context`] (pool, catalogue, settings,
/// admin token hash; reached through `Deref`) and what only a running server has.
#[derive(Clone)]
pub struct AppState {
    pub context: Context,
    /// Wakes the mail worker when a request has queued mail.
    pub mail_wakeup: Arc<tokio::sync::Notify>,
    /// SQLite has one writer at a time: `serve` sends submissions to one writer thread that
    /// commits every waiting submission in one transaction (group commit, see
    /// [`crate::db::writer`]). `None` on PostgreSQL and in CLI commands.
    pub writer: Option<crate::db::writer::GroupWriter>,
    /// On PostgreSQL, `serve` stores the submissions waiting at any moment in one statement
    /// (see [`crate::services::submit_batch`]). `None` on SQLite and in CLI commands.
    pub submitter: Option<crate::services::submit_batch::Submitter>,
    /// Reports and charts derived for the dashboard, per partnership and report version.
    pub dashboards: Arc<dashboard::cache::DashboardCache>,
    /// The portfolio overview's per-partnership summaries, per report version.
    pub overview: Arc<overview::OverviewCache>,
    /// At most [`crate::auth::passwords::HashGate::CONCURRENT`] argon2 computations at once.
    pub hashing: Arc<crate::auth::passwords::HashGate>,
    /// This instance's Prometheus metrics (`GET /metrics`).
    pub metrics: crate::metrics::Metrics,
}

impl std::ops::Deref for AppState {
    type Target = Context;
    fn deref(&self) -> &Context {
        &self.context
    }
}

impl AppState {
    /// The state of a server over `context`, before its writer, batcher and mail worker exist.
    pub fn new(context: Context) -> AppState {
        AppState {
            context,
            mail_wakeup: Arc::new(tokio::sync::Notify::new()),
            writer: None,
            submitter: None,
            dashboards: Arc::default(),
            overview: Arc::default(),
            hashing: Arc::default(),
            metrics: crate::metrics::Metrics::new(),
        }
    }

    /// Runs one unit of database work on the blocking pool. A pool timeout becomes 503.
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Conn, &Catalog) -> Result<T, ServiceError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let catalog = self.catalog.clone();
        // What the work logs on the blocking pool belongs to the request (its id).
        let span = tracing::Span::current();
        web::block(move || {
            let _request = span.enter();
            let mut conn = pool
                .get()
                .map_err(|e| ApiError::Unavailable(anyhow::Error::new(e)))?;
            work(&mut conn, &catalog).map_err(ApiError::from)
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
    }
}

impl AppState {
    /// Like [`AppState::db`] for a unit of work that writes. With a group writer (SQLite
    /// under `serve`) the work runs on the writer thread inside the next group
    /// transaction, in its own savepoint: an `Err` from `work` undoes only its own writes,
    /// and an `Ok` is returned only once the group has committed.
    pub async fn db_write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Conn, &Catalog) -> Result<T, ServiceError> + Send + 'static,
        T: Send + 'static,
    {
        let Some(writer) = &self.writer else {
            return self.db(work).await;
        };
        let catalog = self.catalog.clone();
        match writer.run(move |conn| work(conn, &catalog)).await {
            Ok(outcome) => outcome.map_err(ApiError::from),
            Err(e) => Err(ApiError::Internal(anyhow::Error::new(e))),
        }
    }
}

/// Every route of the service: the groups of [`routes::table`], each in its scope.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(routes::public)
        .service(
            web::scope(routes::RESPOND_PREFIX)
                .app_data(web::PayloadConfig::new(respond::SUBMISSION_LIMIT))
                .configure(routes::respondent),
        )
        .service(
            api::scope()
                .configure(routes::api)
                .default_service(web::to(routes::unmatched))
                .wrap(actix_web::middleware::from_fn(api::auth::identify_first)),
        )
        .configure(routes::pages)
        .default_service(web::to(routes::unmatched));
}
