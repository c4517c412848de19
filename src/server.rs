//! Building the running service from settings: the application context (pool, migrations,
//! templates), the HTTP listener, the mail worker, the submission writer and the scheduler.
//! `Application::build` binds its own listener so tests can ask for port 0 and read the
//! port back.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer};
use anyhow::Context;

use crate::app::Settings;
use crate::db;
use crate::mail::worker::WorkerHandle;
use crate::mail::Mailer;
use crate::web::{self, AppState};
use actix_web::web::Data;

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    worker: WorkerHandle,
    scheduler: Option<tokio::task::JoinHandle<()>>,
}

impl Application {
    /// Connects to the database, applies pending migrations, loads the templates and binds
    /// the listener. Any misconfiguration is an error here, before the first request.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let mut state = AppState::new(crate::app::prepare(&settings)?);
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        // With port 0 the real address is only known now; links must carry it.
        let mut actual = settings.clone();
        actual.bind = listener.local_addr()?;
        if actual.public_base_url.is_none() {
            actual.public_base_url = Some(format!("http://{}", actual.bind));
        }
        state.context.settings = Arc::new(actual);
        let mailer = Arc::new(Mailer::new(&settings.mail).context("mail settings")?);
        let worker = WorkerHandle::spawn_observed(
            state.pool.clone(),
            mailer,
            settings.mail.delivery.clone(),
            Some(state.metrics.clone()),
        );
        state.mail_wakeup = worker.waker();
        if let db::DatabaseUrl::Sqlite(_) = settings.database_url {
            state.writer = Some(
                db::writer::GroupWriter::spawn(&state.pool)
                    .context("taking a connection for the SQLite writer")?,
            );
        } else {
            state.submitter = Some(
                crate::services::submit_batch::Submitter::spawn(state.pool.clone())
                    .context("starting the submission batcher")?,
            );
        }
        let scheduler = settings
            .scheduler_interval
            .map(|every| tokio::spawn(run_scheduler(state.clone(), every)));
        let data = Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .wrap(actix_web::middleware::from_fn(web::security::input))
                .wrap(actix_web::middleware::from_fn(web::security::headers))
                // Outermost: request id, access line (tokens redacted), request metrics.
                .wrap(actix_web::middleware::from_fn(web::observe::requests))
                .app_data(data.clone())
                .configure(web::routes)
        })
        .listen(listener)?
        .run();
        Ok(Application {
            port,
            server,
            state,
            worker,
            scheduler,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the server stops (Ctrl-C or SIGTERM), then lets the mail worker finish
    /// the batch in hand.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        if let Some(s) = self.scheduler {
            s.abort();
        }
        self.worker.shutdown().await;
        result
    }
}

/// The scheduler loop of `serve`: one idempotent pass every `every`.
async fn run_scheduler(state: AppState, every: std::time::Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let links = state.links();
        let started = std::time::Instant::now();
        let outcome = state
            .db(move |conn, catalog| crate::services::waves::tick(conn, catalog, &links))
            .await;
        state
            .metrics
            .scheduler_pass(outcome.is_ok(), started.elapsed());
        match outcome {
            Ok(r) if !r.opened.is_empty() || !r.closed.is_empty() || r.reminders > 0 => {
                tracing::info!(opened = ?r.opened, closed = ?r.closed, reminders = r.reminders, "scheduler pass");
                state.mail_wakeup.notify_one();
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "scheduler pass failed"),
        }
    }
}
