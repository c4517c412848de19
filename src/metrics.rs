//! The service's Prometheus metrics: one [`Metrics`] per running application (its own
//! registry, no process-wide statics, so every test reads only its own numbers), rendered
//! in the text exposition format by `GET /metrics`.
//!
//! This module sits at the bottom: anything may record into it, it imports nothing of ours.
//! It must never hold a label value that comes from a request as typed (a path, a token, an
//! id): labels are route patterns, status codes and names fixed in the code, so the number
//! of series stays bounded.

use std::time::Duration;

use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

/// The media type of the text exposition format.
pub const CONTENT_TYPE: &str = prometheus::TEXT_FORMAT;

/// The route label of a request no route matched (its raw path would be unbounded).
pub const UNMATCHED: &str = "unmatched";

/// Latency buckets for HTTP requests and scheduler passes, in seconds (1 ms to 10 s).
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Every metric the service exposes. Cloning shares the same series.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// `tandem_http_requests_total{method, route, status}`
    pub http_requests: IntCounterVec,
    /// `tandem_http_request_duration_seconds{method, route}`
    pub http_duration: HistogramVec,
    /// `tandem_responses_stored_total{channel}`: `form` or `api`.
    pub responses_stored: IntCounterVec,
    /// `tandem_mail_delivered_total{outcome}` by this instance's worker: `sent`, `retry`,
    /// `failed`.
    pub mail_delivered: IntCounterVec,
    /// `tandem_mail_outbox_messages{state}` read from the database at scrape time:
    /// `pending`, `in_flight`, `retrying`, `sent`, `failed`.
    pub mail_outbox: IntGaugeVec,
    /// `tandem_mail_outbox_oldest_pending_age_seconds` (0 with nothing pending).
    pub mail_oldest_pending_age: Gauge,
    /// `tandem_waves_open`
    pub waves_open: IntGauge,
    /// `tandem_scheduler_ticks_total{outcome}`: `ok` or `error`.
    pub scheduler_ticks: IntCounterVec,
    /// `tandem_scheduler_tick_duration_seconds`
    pub scheduler_duration: Histogram,
    /// `tandem_db_pool_connections{state}`: `in_use`, `idle`, and `max`.
    pub db_pool: IntGaugeVec,
    /// `tandem_report_cache_requests_total{cache, result}`: cache `dashboard` or `overview`,
    /// result `hit` or `miss`.
    pub report_cache: IntCounterVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "tandem_http_requests_total",
                "HTTP requests answered, by route pattern and status",
            ),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "tandem_http_request_duration_seconds",
                "Time from the request to its response head, by route pattern",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route"],
        )
        .expect("valid metric");
        let responses_stored = IntCounterVec::new(
            Opts::new(
                "tandem_responses_stored_total",
                "Survey responses stored (new or replaced), by channel",
            ),
            &["channel"],
        )
        .expect("valid metric");
        let mail_delivered = IntCounterVec::new(
            Opts::new(
                "tandem_mail_delivered_total",
                "Delivery attempts by this instance's mail worker, by outcome",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let mail_outbox = IntGaugeVec::new(
            Opts::new(
                "tandem_mail_outbox_messages",
                "Outbox rows by state (read from the database when scraped)",
            ),
            &["state"],
        )
        .expect("valid metric");
        let mail_oldest_pending_age = Gauge::new(
            "tandem_mail_outbox_oldest_pending_age_seconds",
            "Age of the oldest pending outbox row (0 when none is pending)",
        )
        .expect("valid metric");
        let waves_open = IntGauge::new("tandem_waves_open", "Waves open now, all partnerships")
            .expect("valid metric");
        let scheduler_ticks = IntCounterVec::new(
            Opts::new(
                "tandem_scheduler_ticks_total",
                "Scheduler passes run by this instance, by outcome",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let scheduler_duration = Histogram::with_opts(
            HistogramOpts::new(
                "tandem_scheduler_tick_duration_seconds",
                "Duration of a scheduler pass",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
        )
        .expect("valid metric");
        let db_pool = IntGaugeVec::new(
            Opts::new(
                "tandem_db_pool_connections",
                "Database pool connections: in_use, idle and the pool's max",
            ),
            &["state"],
        )
        .expect("valid metric");
        let report_cache = IntCounterVec::new(
            Opts::new(
                "tandem_report_cache_requests_total",
                "Report cache look-ups, by cache and result",
            ),
            &["cache", "result"],
        )
        .expect("valid metric");
        let m = Metrics {
            registry,
            http_requests,
            http_duration,
            responses_stored,
            mail_delivered,
            mail_outbox,
            mail_oldest_pending_age,
            waves_open,
            scheduler_ticks,
            scheduler_duration,
            db_pool,
            report_cache,
        };
        let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(m.http_requests.clone()),
            Box::new(m.http_duration.clone()),
            Box::new(m.responses_stored.clone()),
            Box::new(m.mail_delivered.clone()),
            Box::new(m.mail_outbox.clone()),
            Box::new(m.mail_oldest_pending_age.clone()),
            Box::new(m.waves_open.clone()),
            Box::new(m.scheduler_ticks.clone()),
            Box::new(m.scheduler_duration.clone()),
            Box::new(m.db_pool.clone()),
            Box::new(m.report_cache.clone()),
        ];
        for c in collectors {
            m.registry.register(c).expect("metric names are unique");
        }
        // Series that exist from the start, so a dashboard shows 0 rather than no data.
        for channel in ["form", "api"] {
            m.responses_stored.with_label_values(&[channel]);
        }
        for outcome in ["sent", "retry", "failed"] {
            m.mail_delivered.with_label_values(&[outcome]);
        }
        for outcome in ["ok", "error"] {
            m.scheduler_ticks.with_label_values(&[outcome]);
        }
        for cache in ["dashboard", "overview"] {
            for result in ["hit", "miss"] {
                m.report_cache.with_label_values(&[cache, result]);
            }
        }
        m
    }

    /// One answered HTTP request.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let mut digits = [0u8; 3];
        self.http_requests
            .with_label_values(&[method, route, status_digits(status, &mut digits)])
            .inc();
        self.http_duration
            .with_label_values(&[method, route])
            .observe(took.as_secs_f64());
    }

    /// One cache look-up; `cache` is a name fixed in the code.
    pub fn cache_lookup(&self, cache: &str, hit: bool) {
        self.report_cache
            .with_label_values(&[cache, if hit { "hit" } else { "miss" }])
            .inc();
    }

    /// One scheduler pass.
    pub fn scheduler_pass(&self, ok: bool, took: Duration) {
        self.scheduler_ticks
            .with_label_values(&[if ok { "ok" } else { "error" }])
            .inc();
        self.scheduler_duration.observe(took.as_secs_f64());
    }

    /// The outcomes of one drained batch of mail.
    pub fn mail_outcomes(&self, sent: usize, retried: usize, failed: usize) {
        self.mail_delivered
            .with_label_values(&["sent"])
            .inc_by(sent as u64);
        self.mail_delivered
            .with_label_values(&["retry"])
            .inc_by(retried as u64);
        self.mail_delivered
            .with_label_values(&["failed"])
            .inc_by(failed as u64);
    }

    /// Every series in the text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .expect("encoding into memory does not fail");
        String::from_utf8(buf).expect("the text format is UTF-8")
    }
}

/// A status code's three digits, without allocating (any `u16` above 999 shows as 999).
fn status_digits(status: u16, buf: &mut [u8; 3]) -> &str {
    let s = status.min(999);
    buf[0] = b'0' + (s / 100) as u8;
    buf[1] = b'0' + (s / 10 % 10) as u8;
    buf[2] = b'0' + (s % 10) as u8;
    std::str::from_utf8(buf).expect("ASCII digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_shows_in_the_exposition_with_its_pattern() {
        let m = Metrics::new();
        m.observe_request("GET", "/s/{token}", 200, Duration::from_millis(3));
        let text = m.render();
        assert!(text.contains(
            "tandem_http_requests_total{method=\"GET\",route=\"/s/{token}\",status=\"200\"} 1"
        ));
        assert!(text.contains("tandem_http_request_duration_seconds_bucket"));
    }

    #[test]
    fn status_codes_are_three_digits() {
        let mut buf = [0u8; 3];
        assert_eq!(status_digits(200, &mut buf), "200");
        assert_eq!(status_digits(503, &mut buf), "503");
        assert_eq!(status_digits(42, &mut buf), "042");
    }

    #[test]
    fn two_instances_do_not_share_series() {
        let a = Metrics::new();
        let b = Metrics::new();
        a.cache_lookup("dashboard", true);
        assert!(b
            .render()
            .contains("tandem_report_cache_requests_total{cache=\"dashboard\",result=\"hit\"} 0"));
    }
}
