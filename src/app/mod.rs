//! The application's context, shared by the web adapter, the CLI and the server: settings,
//! the database pool (migrated), the survey-template catalogue and the admin token's hash.
//! [`prepare`] builds it from [`Settings`] and fails before anything runs when something is
//! misconfigured. Nothing here speaks HTTP.

pub mod settings;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;

pub use crate::db::now;
use crate::db::{self, Conn, Pool};
use crate::error::ServiceError;
use crate::mail::Links;
use crate::survey_templates::Catalog;
pub use settings::Settings;

/// What every use case run by an adapter can reach.
#[derive(Clone)]
pub struct Context {
    pub pool: Pool,
    pub catalog: Arc<Catalog>,
    pub settings: Arc<Settings>,
    /// SHA-256 of the admin API token.
    pub admin_token_hash: Arc<[u8; 32]>,
}

impl Context {
    /// Where emailed links point.
    pub fn links(&self) -> Links {
        Links {
            base_url: self
                .settings
                .public_base_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", self.settings.bind)),
        }
    }

    /// Sends the mail that is due now through the configured transport, once (what the
    /// worker of `serve` does continuously): for `tandem tick` from cron.
    pub async fn send_due_mail(&self) -> anyhow::Result<crate::mail::DrainReport> {
        let mailer = std::sync::Arc::new(crate::mail::Mailer::new(&self.settings.mail)?);
        Ok(crate::mail::drain_once(&self.pool, &mailer, &self.settings.mail.delivery).await?)
    }

    /// Runs one unit of work on a pooled connection, on the calling thread (the CLI; the web
    /// runs the same closures on its blocking pool).
    pub fn run<T>(
        &self,
        work: impl FnOnce(&mut Conn, &Catalog) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| ServiceError::Internal(anyhow::Error::new(e)))?;
        work(&mut conn, &self.catalog)
    }
}

/// Applies the pending migrations of the database `settings` names; returns their versions.
pub fn migrate(settings: &Settings) -> anyhow::Result<Vec<String>> {
    let pool = db::connect(&settings.database_url, 1)
        .with_context(|| format!("database {}", settings.database_url.redacted()))?;
    let mut conn = pool.get().context("taking a database connection")?;
    let applied = db::run_migrations(&mut conn)?;
    after_migrations(&mut conn, &applied)?;
    Ok(applied)
}

/// Migrations that change what aggregates hold: every closed wave is rebuilt from its answers
/// (the aggregate tables are derived data).
const REBUILDS_AGGREGATES: &[&str] = &["20261204000001", "20261211000001"];

fn after_migrations(conn: &mut Conn, applied: &[String]) -> anyhow::Result<()> {
    if applied
        .iter()
        .any(|v| REBUILDS_AGGREGATES.contains(&v.as_str()))
    {
        let waves = crate::services::waves::rebuild_all(conn)
            .map_err(|e| anyhow::anyhow!("rebuilding the aggregates of closed waves: {e}"))?;
        tracing::info!(waves, "rebuilt the aggregates of closed waves");
    }
    Ok(())
}

/// Everything but the listener: used by `serve` and by CLI commands that need the database
/// and the templates.
pub fn prepare(settings: &Settings) -> anyhow::Result<Context> {
    let catalog = Catalog::load(settings.templates_dir.as_deref())
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("survey templates are not valid")?;
    let pool = db::connect(&settings.database_url, settings.pool_size)
        .with_context(|| format!("database {}", settings.database_url.redacted()))?;
    let mut conn = pool.get().context("taking a database connection")?;
    let applied = db::run_migrations(&mut conn)?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied database migrations");
    }
    after_migrations(&mut conn, &applied)?;
    drop(conn);
    let token = match &settings.admin_token {
        Some(t) if !t.trim().is_empty() => t.trim().to_owned(),
        _ => admin_token_file(&settings.data_dir)?,
    };
    Ok(Context {
        pool,
        catalog: Arc::new(catalog),
        settings: Arc::new(settings.clone()),
        admin_token_hash: Arc::new(crate::secrets::hash_token(&token)),
    })
}

/// The admin API token kept in `<data dir>/admin-token` (owner-only permissions), made from
/// the OS's CSPRNG the first time. Used when `TANDEM_ADMIN_TOKEN` is not set.
pub fn admin_token_file(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("admin-token");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if !existing.trim().is_empty() {
            return Ok(existing.trim().to_owned());
        }
    }
    crate::secrets::at_rest::private_dir(data_dir)
        .with_context(|| format!("creating the data folder {}", data_dir.display()))?;
    let token = crate::secrets::new_token();
    write_private(&path, &token).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(file = %path.display(), "created an admin API token");
    Ok(token)
}

pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    // A file that existed before keeps its mode through `open`: tighten it.
    crate::secrets::at_rest::private_file(path)?;
    f.write_all(contents.as_bytes())?;
    f.write_all(b"\n")
}
