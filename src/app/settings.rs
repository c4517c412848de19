//! Configuration, read once by the binary and passed down (no global statics, so every test
//! runs its own application with its own settings).

use std::net::SocketAddr;
use std::path::PathBuf;

use std::time::Duration;

pub use crate::db::{default_sqlite_path, DatabaseUrl};
use crate::mail::MailSettings;

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    /// Where the embedded defaults live (SQLite file, mail folder).
    pub data_dir: PathBuf,
    /// An organisation's own survey templates, besides the shipped ones.
    pub templates_dir: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port (tests).
    pub bind: SocketAddr,
    /// The URL people reach the service at, used in links (no trailing slash).
    pub public_base_url: Option<String>,
    /// Largest number of pooled database connections.
    pub pool_size: u32,
    /// Bearer token for the admin API; stored here only as given by the operator.
    pub admin_token: Option<String>,
    /// Mail transport, sender and delivery pacing.
    pub mail: MailSettings,
    /// How often `serve` runs the scheduler (open, remind, close); `None` turns it off
    /// (tests drive it with their own clock).
    pub scheduler_interval: Option<Duration>,
    /// `GET /metrics` without the admin token (for a scraper on a private network).
    pub metrics_public: bool,
}

impl Settings {
    /// Settings for the embedded default in `data_dir`: SQLite file, loopback listener.
    pub fn embedded(data_dir: PathBuf) -> Self {
        let db = crate::db::default_sqlite_path(&data_dir);
        let mail = MailSettings::from_values(None, None, &data_dir)
            .expect("the default mail settings are valid");
        Settings {
            database_url: DatabaseUrl::Sqlite(db),
            data_dir,
            templates_dir: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_base_url: None,
            pool_size: 8,
            admin_token: None,
            mail,
            scheduler_interval: Some(Duration::from_secs(60)),
            metrics_public: false,
        }
    }
}

/// A duration as operators write it: a whole number with `ms`, `s`, `m` or `h`
/// (`500ms`, `30s`, `10m`, `1h`). Used by clap for the `TANDEM_*` durations.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let split = raw
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{raw:?} has no unit; write e.g. 500ms, 30s, 10m or 1h"))?;
    let (number, unit) = raw.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{raw:?} does not start with a whole number"))?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        _ => return Err(format!("{raw:?}: unknown unit {unit:?}; use ms, s, m or h")),
    };
    if d.is_zero() {
        return Err(format!("{raw:?} must be longer than zero"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_a_unit_and_refuse_zero() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        for bad in ["30", "s", "0s", "1.5s", "2d", ""] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
