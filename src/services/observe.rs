//! What `GET /metrics` reads from the database when it is scraped: the outbox by state and
//! its oldest pending row, and the open waves. Shared by every instance (they read the same
//! database), unlike the per-instance counters in [`crate::metrics`].

use chrono::NaiveDateTime;

use crate::db::Conn;
use crate::error::ServiceError;
use crate::mail::outbox::{self, OutboxStats};

/// The database's side of the metrics.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub outbox: OutboxStats,
    pub waves_open: i64,
}

impl Observed {
    /// Seconds since the oldest pending outbox row was written (0 with nothing pending).
    pub fn oldest_pending_age(&self, now: NaiveDateTime) -> f64 {
        self.outbox
            .oldest_pending
            .map(|t| ((now - t).num_milliseconds().max(0) as f64) / 1000.0)
            .unwrap_or(0.0)
    }
}

pub fn observe(conn: &mut Conn) -> Result<Observed, ServiceError> {
    Ok(Observed {
        outbox: outbox::stats(conn)?,
        waves_open: crate::db::waves::count_open(conn)?,
    })
}

/// Records the snapshot into the gauges of `metrics`.
pub fn record(observed: &Observed, now: NaiveDateTime, metrics: &crate::metrics::Metrics) {
    let o = &observed.outbox;
    for (state, n) in [
        ("pending", o.pending),
        ("in_flight", o.in_flight),
        ("retrying", o.retrying),
        ("sent", o.sent),
        ("failed", o.failed),
    ] {
        metrics.mail_outbox.with_label_values(&[state]).set(n);
    }
    metrics
        .mail_oldest_pending_age
        .set(observed.oldest_pending_age(now));
    metrics.waves_open.set(observed.waves_open);
}
