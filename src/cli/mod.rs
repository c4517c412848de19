//! The `tandem` command line. `main.rs` parses it and calls [`run`]; each command is a thin
//! shell over a service, printing results for people and, where scripts need it, a
//! machine-readable last line or `--json`.

mod attributes;
mod bounces;
mod flags;
mod report;
mod series;
mod users;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::app as startup;
use crate::app::settings::{default_sqlite_path, parse_duration, DatabaseUrl};
use crate::app::Settings;
use crate::domain::PartnershipInput;
use crate::mail::Links;
use crate::mail::{BounceSettings, MailSettings};
use crate::server::Application;
use crate::services::partnerships::{self as service, PartnershipView};
use crate::services::waves;
use crate::survey_templates::Catalog;

#[derive(Debug, Parser)]
#[command(
    name = "tandem",
    version,
    about = "Perception surveys across a customer–supplier partnership"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// sqlite://path/file.db or postgres://user@host:port/db (default: an SQLite file in the data folder)
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Folder for the embedded defaults: the SQLite file, mail written to files, the admin token
    #[arg(long, env = "TANDEM_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// An organisation's own survey templates (*.toml), besides the shipped ones
    #[arg(long, env = "TANDEM_TEMPLATES_DIR", global = true)]
    pub templates_dir: Option<PathBuf>,
    /// smtp://user:pass@host:587?tls=starttls, smtps://host:465, or file://dir (default: <data dir>/mail)
    #[arg(long, env = "TANDEM_MAIL_URL", global = true, hide_env_values = true)]
    pub mail_url: Option<String>,
    /// The From: of every mail
    #[arg(long, env = "TANDEM_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// Base of the VERP envelope senders (bounces@example.org makes bounces+<id>-<tag>@example.org); unset: bounces are not tracked by address
    #[arg(long, env = "TANDEM_BOUNCE_ADDRESS", global = true)]
    pub bounce_address: Option<String>,
    /// Soft bounces of one address over at least this many days count as a hard bounce
    #[arg(long, env = "TANDEM_BOUNCE_SOFT_DAYS", global = true, default_value_t = crate::mail::DEFAULT_SOFT_DAYS)]
    pub bounce_soft_days: u32,
    /// The URL people reach the service at, used in emailed links (default http://<bind>)
    #[arg(long, env = "TANDEM_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web service (migrations are applied on start)
    Serve(ServeArgs),
    /// Seed two demo partnerships with two years of history (once), then serve them
    Demo(ServeArgs),
    /// Apply pending database migrations and exit
    Migrate,
    /// Create, list and show partnerships
    #[command(subcommand)]
    Partnership(PartnershipCommand),
    /// Import a partnership's roster
    #[command(subcommand)]
    Roster(RosterCommand),
    /// Import historic responses
    #[command(subcommand)]
    Responses(ResponsesCommand),
    /// Check and list survey templates
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Add, list, edit, pause and resume a partnership's survey series
    #[command(subcommand)]
    Series(series::SeriesCommand),
    /// Declare and list a partnership's custom roster attributes (site, programme…)
    #[command(subcommand)]
    Attributes(attributes::AttributesCommand),
    /// Open, close and list a partnership's waves
    #[command(subcommand)]
    Wave(WaveCommand),
    /// One scheduler pass (open due waves, queue reminders, close overdue waves), then send
    /// the mail that is due; for cron when `serve` is not running
    Tick,
    /// The mail outbox
    #[command(subcommand)]
    Mail(MailCommand),
    /// Bounced mail: ingest delivery status notifications, list them
    #[command(subcommand)]
    Bounces(bounces::BouncesCommand),
    /// Sign-in users: add (prints a one-time set-password link), list, disable, enable, role,
    /// reset (a password reset mail), personal API tokens
    #[command(subcommand)]
    User(users::UserCommand),
    /// Print a partnership's report from the stored aggregates
    Report(report::ReportArgs),
    /// Run the flag rules on a wave, list flags, raise one by hand
    #[command(subcommand)]
    Flags(flags::FlagsCommand),
    /// Import KPI values
    #[command(subcommand)]
    Kpi(report::KpiCommand),
    /// Benchmarks: the report on generated data, mail dispatch end to end
    #[command(subcommand)]
    Bench(crate::bench::report::BenchCommand),
    /// Copy the embedded SQLite database to FILE, consistent while the service runs
    /// (PostgreSQL: use pg_dump, see docs/operations.md)
    Backup {
        /// The backup file to write; it must not exist
        file: std::path::PathBuf,
    },
    /// Replace the embedded SQLite database by a backup (stop the service first)
    Restore {
        /// A file written by `tandem backup`
        file: std::path::PathBuf,
        /// Replace the database that is there
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum WaveCommand {
    /// Open the next wave now and queue the invitations
    Open {
        #[arg(long)]
        partnership: i64,
        /// The survey series (default main, the partnership's own)
        #[arg(long)]
        series: Option<String>,
    },
    /// Close the open wave now
    Close {
        #[arg(long)]
        partnership: i64,
        /// The survey series (default main, the partnership's own)
        #[arg(long)]
        series: Option<String>,
    },
    /// Every wave with its invitations and responses
    Status {
        #[arg(long)]
        partnership: i64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Counts of queued, sent and failed mail, and the latest failures
    Status,
}

/// Twice the CPU cores, at least 4. More connections than the machine can run at once only
/// queue inside the database: on 2 cores, 16 connections gave the dashboard a p99 of
/// 670–780 ms on PostgreSQL where 4 gave 32 ms (docs/benchmarks.md).
pub fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores * 2).unwrap_or(u32::MAX).max(4)
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, env = "TANDEM_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Bearer token for the admin API (default: kept in <data dir>/admin-token)
    #[arg(long, env = "TANDEM_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Largest number of database connections (default: twice the CPU cores, at least 4)
    #[arg(long, env = "TANDEM_POOL_SIZE", default_value_t = default_pool_size())]
    pub pool_size: u32,
    /// How often the scheduler opens, reminds and closes waves (500ms, 30s, 1m…)
    #[arg(long, env = "TANDEM_SCHEDULER_INTERVAL", default_value = "60s", value_parser = parse_duration)]
    pub scheduler_interval: std::time::Duration,
    /// How long a claimed outbox row stays reserved; a killed worker's rows wait this long
    #[arg(long, env = "TANDEM_MAIL_LEASE", default_value = "10m", value_parser = parse_duration)]
    pub mail_lease: std::time::Duration,
    /// First retry delay after a transient mail failure, doubled per attempt up to 1h
    #[arg(long, env = "TANDEM_MAIL_RETRY_BASE", default_value = "30s", value_parser = parse_duration)]
    pub mail_retry_base: std::time::Duration,
    /// Serve GET /metrics without the admin token (1/true/yes; for a scraper on a private
    /// network)
    #[arg(
        long,
        env = "TANDEM_METRICS_PUBLIC",
        default_value_t = false,
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true"
    )]
    pub metrics_public: bool,
}

#[derive(Debug, Subcommand)]
pub enum PartnershipCommand {
    /// Create a partnership; prints its id alone on the last line
    Create(Box<CreateArgs>),
    /// List partnerships (archived ones only with --archived)
    List {
        #[arg(long)]
        json: bool,
        /// Include archived partnerships
        #[arg(long)]
        archived: bool,
    },
    /// Change a partnership's name or schedule (from the next wave on)
    Edit(Box<EditArgs>),
    /// Pause a partnership: no wave opens until it resumes
    Pause {
        id: i64,
        /// Why (kept with the partnership and in the audit log)
        #[arg(long)]
        note: Option<String>,
    },
    /// Resume a paused partnership (its schedule applies from now)
    Resume { id: i64 },
    /// Archive a partnership: read-only, out of the lists, data kept
    Archive {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Make an archived partnership active again
    Unarchive { id: i64 },
    /// Show one partnership
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub id: i64,
    #[arg(long)]
    pub name: Option<String>,
    /// monthly, quarterly or "every N days"
    #[arg(long)]
    pub cadence: Option<String>,
    /// First wave date, YYYY-MM-DD
    #[arg(long)]
    pub first_wave_on: Option<chrono::NaiveDate>,
    /// Local send time HH:MM
    #[arg(long)]
    pub send_time: Option<String>,
    /// IANA timezone, e.g. Europe/Paris
    #[arg(long)]
    pub timezone: Option<String>,
    /// Days a wave stays open
    #[arg(long)]
    pub response_window_days: Option<i64>,
    /// Reminder days within the window, e.g. 3,7
    #[arg(long, value_delimiter = ',')]
    pub reminder_days: Option<Vec<i64>>,
    /// Language of people whose roster row names none: en, fr, de or es
    #[arg(long)]
    pub language: Option<String>,
    /// Optional template dimensions to ask from the next wave, e.g. joint_future; "none" for none
    #[arg(long, value_delimiter = ',')]
    pub optional_dimensions: Option<Vec<String>>,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[arg(long)]
    pub name: String,
    /// The customer firm (created if new)
    #[arg(long)]
    pub customer: String,
    /// The supplier firm (created if new)
    #[arg(long)]
    pub supplier: String,
    /// Survey template id (default partnership-perception)
    #[arg(long)]
    pub template: Option<String>,
    /// monthly, quarterly or "every N days"
    #[arg(long)]
    pub cadence: Option<String>,
    /// First wave date, YYYY-MM-DD
    #[arg(long)]
    pub first_wave_on: Option<chrono::NaiveDate>,
    /// Local send time HH:MM
    #[arg(long)]
    pub send_time: Option<String>,
    /// IANA timezone, e.g. Europe/Paris
    #[arg(long)]
    pub timezone: Option<String>,
    /// Days a wave stays open
    #[arg(long)]
    pub response_window_days: Option<i64>,
    /// Reminder days within the window, e.g. 3,7
    #[arg(long, value_delimiter = ',')]
    pub reminder_days: Option<Vec<i64>>,
    /// Smallest group any aggregate is shown for (default 5, at least 3)
    #[arg(long)]
    pub min_reporting_size: Option<i64>,
    /// Smallest group comments are shown for (default 10)
    #[arg(long)]
    pub min_comment_size: Option<i64>,
    /// Language of people whose roster row names none: en (default), fr, de or es
    #[arg(long)]
    pub language: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// Replace a partnership's roster from a CSV file
    Import {
        #[arg(long)]
        partnership: i64,
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ResponsesCommand {
    /// Add historic waves from a long-format CSV file
    Import {
        #[arg(long)]
        partnership: i64,
        /// The survey series the waves belong to (default main, the partnership's own); its
        /// template checks the items and the scale
        #[arg(long)]
        series: Option<String>,
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Check the shipped templates and the templates folder; exit 1 on any problem
    Check,
    /// List loaded templates
    List,
}

impl Global {
    pub fn database_url(&self) -> anyhow::Result<DatabaseUrl> {
        match &self.database_url {
            Some(raw) if !raw.trim().is_empty() => Ok(DatabaseUrl::parse(raw)?),
            _ => Ok(DatabaseUrl::Sqlite(default_sqlite_path(&self.data_dir))),
        }
    }

    fn settings(&self) -> anyhow::Result<Settings> {
        let mut s = Settings::embedded(self.data_dir.clone());
        s.database_url = self.database_url()?;
        s.templates_dir = self.templates_dir.clone();
        s.pool_size = 2;
        s.public_base_url = self
            .public_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_owned());
        s.mail = MailSettings::from_values(
            self.mail_url.as_deref(),
            self.mail_from.as_deref(),
            &self.data_dir,
        )?;
        s.mail.bounces =
            BounceSettings::parse(self.bounce_address.as_deref(), self.bounce_soft_days)?;
        Ok(s)
    }

    fn links(&self, settings: &Settings) -> Links {
        Links {
            base_url: settings
                .public_base_url
                .clone()
                .unwrap_or_else(|| "http://127.0.0.1:8080".into()),
        }
    }
}

/// Runs a parsed command. Output goes to `out`; errors are returned for `main` to print.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(&cli.global, args),
        Command::Demo(args) => {
            demo_seed(&cli.global, &args, out)?;
            serve(&cli.global, args)
        }
        Command::Migrate => {
            let settings = cli.global.settings()?;
            let applied = crate::app::migrate(&settings)?;
            if applied.is_empty() {
                writeln!(out, "database is up to date")?;
            } else {
                for v in applied {
                    writeln!(out, "applied {v}")?;
                }
            }
            Ok(())
        }
        Command::Partnership(cmd) => partnership(&cli.global, cmd, out),
        Command::Roster(RosterCommand::Import { partnership, file }) => {
            let bytes = read_file(&file)?;
            let state = startup::prepare(&cli.global.settings()?)?;
            let mut conn = state.pool.get()?;
            let s = crate::progress::with_spinner("importing the roster", || {
                service::import_roster(&mut conn, partnership, &bytes, "cli")
            })?;
            writeln!(
                out,
                "roster imported: {} added, {} updated, {} reactivated, {} unchanged, {} deactivated; active now: {} customer, {} supplier",
                s.added, s.updated, s.reactivated, s.unchanged, s.deactivated, s.active_customer, s.active_supplier
            )?;
            Ok(())
        }
        Command::Responses(ResponsesCommand::Import {
            partnership,
            series,
            file,
        }) => {
            let bytes = read_file(&file)?;
            let state = startup::prepare(&cli.global.settings()?)?;
            let mut conn = state.pool.get()?;
            let series = series.filter(|key| key.trim() != crate::domain::MAIN_SERIES);
            let s = crate::progress::with_spinner("importing the responses", || match &series {
                None => {
                    service::import_history(&mut conn, &state.catalog, partnership, &bytes, "cli")
                }
                Some(key) => crate::services::series::import_history(
                    &mut conn,
                    &state.catalog,
                    partnership,
                    key,
                    &bytes,
                    "cli",
                ),
            })?;
            writeln!(
                out,
                "responses imported: waves {:?}, {} new respondents, {} responses, {} answers ({} don't know)",
                s.waves_created, s.respondents, s.responses, s.answers, s.dont_know
            )?;
            Ok(())
        }
        Command::Templates(cmd) => templates(&cli.global, cmd, out),
        Command::Series(cmd) => {
            let state = startup::prepare(&cli.global.settings()?)?;
            series::series_command(&state, cmd, out)
        }
        Command::Attributes(cmd) => {
            let state = startup::prepare(&cli.global.settings()?)?;
            attributes::attributes_command(&state, cmd, out)
        }
        Command::Wave(cmd) => wave(&cli.global, cmd, out),
        Command::Tick => tick(&cli.global, out),
        Command::Backup { file } => {
            let settings = cli.global.settings()?;
            let summary = crate::services::backup::backup(&settings.database_url, &file)?;
            writeln!(out, "backup written: {summary}")?;
            Ok(())
        }
        Command::Restore { file, force } => {
            let settings = cli.global.settings()?;
            let summary = crate::services::backup::restore(&settings.database_url, &file, force)?;
            writeln!(
                out,
                "restored {} into {summary}; the next start applies any newer migrations",
                file.display()
            )?;
            Ok(())
        }
        Command::User(cmd) => users::user_command(
            &cli.global.settings()?,
            cmd,
            &mut std::io::stdin().lock(),
            out,
        ),
        Command::Report(args) => {
            let state = startup::prepare(&cli.global.settings()?)?;
            report::report(&state, args, out)
        }
        Command::Bounces(cmd) => {
            let state = startup::prepare(&cli.global.settings()?)?;
            bounces::bounces_command(&state, cmd, out)
        }
        Command::Flags(cmd) => {
            let state = startup::prepare(&cli.global.settings()?)?;
            flags::flags_command(&state, cmd, out)
        }
        Command::Kpi(cmd) => {
            let state = startup::prepare(&cli.global.settings()?)?;
            report::kpi(&state, cmd, out)
        }
        Command::Bench(cmd) => {
            let state = startup::prepare(&cli.global.settings()?)?;
            crate::bench::report::run(&state, cmd, out)
        }
        Command::Mail(MailCommand::Status) => {
            let state = startup::prepare(&cli.global.settings()?)?;
            let (stats, failures) = state.run(|conn, _| crate::services::mail::status(conn))?;
            writeln!(
                out,
                "pending {} (in flight {}, retrying {}), sent {}, failed {}, undeliverable {}{}",
                stats.pending,
                stats.in_flight,
                stats.retrying,
                stats.sent,
                stats.failed,
                stats.undeliverable,
                stats
                    .oldest_pending
                    .map(|t| format!("; oldest pending queued {t} UTC"))
                    .unwrap_or_default()
            )?;
            for row in failures {
                writeln!(
                    out,
                    "failed #{} {} to {}: {}",
                    row.id,
                    row.kind,
                    crate::mail::masked(&row.recipient),
                    row.last_error.unwrap_or_default()
                )?;
            }
            Ok(())
        }
    }
}

fn read_file(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn serve(global: &Global, args: ServeArgs) -> anyhow::Result<()> {
    let mut settings = global.settings()?;
    settings.bind = args.bind;
    settings.admin_token = args.admin_token;
    settings.pool_size = args.pool_size;
    settings.scheduler_interval = Some(args.scheduler_interval);
    settings.mail.delivery.lease = args.mail_lease;
    settings.mail.delivery.backoff.base = args.mail_retry_base;
    settings.metrics_public = args.metrics_public;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings.clone()).await?;
        tracing::info!(
            port = app.port(),
            database = %settings.database_url.redacted(),
            "tandem is listening on http://{}:{}",
            settings.bind.ip(),
            app.port()
        );
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn partnership(
    global: &Global,
    cmd: PartnershipCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let state = startup::prepare(&global.settings()?)?;
    let mut conn = state.pool.get()?;
    match cmd {
        PartnershipCommand::Create(a) => {
            let a = *a;
            let input = PartnershipInput {
                name: a.name,
                customer: a.customer,
                supplier: a.supplier,
                template: a.template,
                cadence: a.cadence,
                first_wave_on: a.first_wave_on,
                send_time: a.send_time,
                timezone: a.timezone,
                response_window_days: a.response_window_days,
                reminder_days: a.reminder_days,
                min_reporting_size: a.min_reporting_size,
                min_comment_size: a.min_comment_size,
                language: a.language,
            };
            let view = service::create(&mut conn, &state.catalog, &input, "cli")?;
            print_partnership(out, &view)?;
            writeln!(out, "{}", view.id)?;
        }
        PartnershipCommand::Edit(a) => {
            let edit = crate::services::partnership_state::PartnershipEdit {
                name: a.name,
                cadence: a.cadence,
                first_wave_on: a.first_wave_on,
                send_time: a.send_time,
                timezone: a.timezone,
                response_window_days: a.response_window_days,
                reminder_days: a.reminder_days,
                language: a.language,
                optional_dimensions: a.optional_dimensions.map(|ids| {
                    ids.into_iter()
                        .filter(|id| !id.is_empty() && id != "none")
                        .collect()
                }),
            };
            let view = crate::services::partnership_state::edit(
                &mut conn,
                &state.catalog,
                a.id,
                &edit,
                "cli",
            )?;
            print_partnership(out, &view)?;
        }
        PartnershipCommand::Pause { id, note } => {
            use crate::services::partnership_state::{change_state, StateChange};
            let view = change_state(&mut conn, id, StateChange::Pause, note.as_deref(), "cli")?;
            print_partnership(out, &view)?;
        }
        PartnershipCommand::Resume { id } => {
            use crate::services::partnership_state::{change_state, StateChange};
            let view = change_state(&mut conn, id, StateChange::Resume, None, "cli")?;
            print_partnership(out, &view)?;
        }
        PartnershipCommand::Archive { id, note } => {
            use crate::services::partnership_state::{change_state, StateChange};
            let view = change_state(&mut conn, id, StateChange::Archive, note.as_deref(), "cli")?;
            print_partnership(out, &view)?;
        }
        PartnershipCommand::Unarchive { id } => {
            use crate::services::partnership_state::{change_state, StateChange};
            let view = change_state(&mut conn, id, StateChange::Unarchive, None, "cli")?;
            print_partnership(out, &view)?;
        }
        PartnershipCommand::List { json, archived } => {
            let views = service::list(&mut conn, archived)?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&views)?)?;
            } else if views.is_empty() {
                writeln!(
                    out,
                    "no partnerships yet: create one with `tandem partnership create`"
                )?;
            } else {
                writeln!(
                    out,
                    "{:>5}  {:<30}  {:<20}  {:<20}  people (c/s)",
                    "id", "name", "customer", "supplier"
                )?;
                for v in views {
                    writeln!(
                        out,
                        "{:>5}  {:<30}  {:<20}  {:<20}  {}/{}",
                        v.id,
                        v.name,
                        v.customer.name,
                        v.supplier.name,
                        v.people.customer,
                        v.people.supplier
                    )?;
                }
            }
        }
        PartnershipCommand::Show { id, json } => {
            let view = service::show(&mut conn, id)?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&view)?)?;
            } else {
                print_partnership(out, &view)?;
            }
        }
    }
    Ok(())
}

fn print_partnership(out: &mut dyn Write, v: &PartnershipView) -> std::io::Result<()> {
    writeln!(out, "partnership {}: {}", v.id, v.name)?;
    if v.state != crate::domain::PartnershipState::Active {
        writeln!(
            out,
            "  state: {}{}",
            v.state.as_str(),
            if v.state_note.is_empty() {
                String::new()
            } else {
                format!(" ({})", v.state_note)
            }
        )?;
    }
    writeln!(out, "  customer: {}", v.customer.name)?;
    writeln!(out, "  supplier: {}", v.supplier.name)?;
    writeln!(out, "  template: {}", v.template)?;
    writeln!(
        out,
        "  cadence: {}{}, send at {} {}",
        v.cadence,
        v.first_wave_on
            .map(|d| format!(" from {d}"))
            .unwrap_or_default(),
        v.send_time,
        v.timezone
    )?;
    writeln!(
        out,
        "  window: {} days, reminders on days {:?}",
        v.response_window_days, v.reminder_days
    )?;
    writeln!(
        out,
        "  minimum group: {} (comments: {})",
        v.min_reporting_size, v.min_comment_size
    )?;
    writeln!(out, "  default language: {}", v.language)?;
    if !v.optional_dimensions.is_empty() {
        writeln!(
            out,
            "  optional dimensions asked: {}",
            v.optional_dimensions.join(", ")
        )?;
    }
    writeln!(
        out,
        "  active people: {} customer, {} supplier",
        v.people.customer, v.people.supplier
    )
}

fn templates(global: &Global, cmd: TemplatesCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        TemplatesCommand::Check => {
            let report = Catalog::check(global.templates_dir.as_deref());
            write!(out, "{report}")?;
            if report.is_ok() {
                Ok(())
            } else {
                anyhow::bail!("the survey templates have problems (listed above)")
            }
        }
        TemplatesCommand::List => {
            let catalog = Catalog::load(global.templates_dir.as_deref())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for t in catalog.iter() {
                writeln!(
                    out,
                    "{}  v{}  {} items, {} dimensions, {} scale  {}",
                    t.id(),
                    t.short_version(),
                    t.items().len(),
                    t.dimensions().len(),
                    t.scale().kind().as_str(),
                    t.title()
                )?;
                for d in t.optional_dimensions() {
                    writeln!(
                        out,
                        "    optional dimension {} ({}): {} items, asked where a partnership opts in",
                        d.id(),
                        d.name(),
                        t.declared_items(d.id()).len()
                    )?;
                }
            }
            Ok(())
        }
    }
}

fn wave(global: &Global, cmd: WaveCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let settings = global.settings()?;
    let state = startup::prepare(&settings)?;
    let mut conn = state.pool.get()?;
    match cmd {
        WaveCommand::Open {
            partnership,
            series,
        } => {
            let links = global.links(&settings);
            let opened =
                crate::progress::with_spinner("opening the wave, queueing invitations", || {
                    waves::open_now(
                        &mut conn,
                        &state.catalog,
                        partnership,
                        series.as_deref(),
                        &links,
                        "cli",
                    )
                })?;
            writeln!(
                out,
                "wave {} opened: {} invitations queued, closes {} (UTC); `tandem serve` or `tandem tick` sends them",
                opened.seq, opened.invited, opened.closes_at
            )?;
        }
        WaveCommand::Close {
            partnership,
            series,
        } => {
            let links = global.links(&settings);
            let closed =
                waves::close_now(&mut conn, partnership, series.as_deref(), &links, "cli")?;
            writeln!(
                out,
                "wave {} closed: {} of {} invited responded",
                closed.seq, closed.responded, closed.invited
            )?;
        }
        WaveCommand::Status { partnership, json } => {
            let list = waves::status(&mut conn, partnership)?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
            } else if list.is_empty() {
                writeln!(
                    out,
                    "no waves yet: `tandem wave open --partnership {partnership}`"
                )?;
            } else {
                for w in list {
                    let rate = if w.invited > 0 {
                        format!("{:.0} %", 100.0 * w.responded as f64 / w.invited as f64)
                    } else {
                        "-".into()
                    };
                    let bounced = match w.response_rate_delivered {
                        Some(r) if w.bounced > 0 => format!(
                            "  bounced {} ({:.0} % of the {} delivered)",
                            w.bounced,
                            100.0 * r,
                            w.delivered
                        ),
                        _ if w.bounced > 0 => format!("  bounced {}", w.bounced),
                        _ => String::new(),
                    };
                    writeln!(
                        out,
                        "wave {:>3}  {:<7}  closes {}  invited {:>5}  responded {:>5}  ({rate}){bounced}{}",
                        w.seq,
                        w.state,
                        w.closes_local,
                        w.invited,
                        w.responded,
                        if w.imported { "  imported" } else { "" }
                    )?;
                    if w.series != crate::domain::MAIN_SERIES {
                        writeln!(out, "          series {}", w.series)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn tick(global: &Global, out: &mut dyn Write) -> anyhow::Result<()> {
    let settings = global.settings()?;
    let state = startup::prepare(&settings)?;
    let links = global.links(&settings);
    let report = {
        let mut conn = state.pool.get()?;
        waves::tick(&mut conn, &state.catalog, &links)?
    };
    writeln!(
        out,
        "scheduler: opened {:?}, closed {:?}, {} reminders queued",
        report.opened, report.closed, report.reminders
    )?;
    for m in &report.missed {
        writeln!(
            out,
            "partnership {}: the wave due on {} was missed (the service was down for its whole window); the next opens on {}",
            m.partnership,
            m.opens_local,
            m.next_local.as_deref().unwrap_or("no later date in the plan")
        )?;
    }
    for (partnership, why) in &report.held {
        match why
            .strip_prefix("series ")
            .and_then(|rest| rest.split_once(": "))
        {
            Some((series, state)) => writeln!(
                out,
                "scheduler: partnership {partnership}: a wave of series {series} is due but not opened: {state}"
            )?,
            None => writeln!(
                out,
                "scheduler: partnership {partnership} has a wave due but is {why}: not opened"
            )?,
        }
    }
    let drained = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(state.send_due_mail())?;
    writeln!(
        out,
        "mail: {} sent, {} to retry later, {} failed",
        drained.sent, drained.retried, drained.failed
    )?;
    Ok(())
}

fn demo_seed(global: &Global, args: &ServeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let settings = global.settings()?;
    let state = startup::prepare(&settings)?;
    let base = settings
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.bind));
    let links = Links {
        base_url: base.clone(),
    };
    let mut conn = state.pool.get()?;
    let started = std::time::Instant::now();
    let summary = crate::progress::with_spinner("seeding the demo partnerships", || {
        crate::services::demo::seed(&mut conn, &state.catalog, &links)
    })?;
    for (id, name) in &summary.created {
        writeln!(out, "demo partnership {id}: {name}")?;
    }
    if summary.created.is_empty() {
        writeln!(
            out,
            "demo data already present in {}",
            settings.database_url.redacted()
        )?;
    } else {
        writeln!(
            out,
            "seeded {} partnerships with {} closed waves each in {:.1} s; invitations for the open wave are in {}",
            summary.created.len(),
            crate::services::demo::HISTORY_WAVES,
            started.elapsed().as_secs_f64(),
            settings.mail.describe()
        )?;
    }
    if !summary.users.is_empty() {
        let mut text =
            String::from("Demo sign-ins (also kept in the data folder, demo-credentials.txt):\n");
        for (email, role, password) in &summary.users {
            text.push_str(&format!("  {role:<30} {email:<32} password {password}\n"));
        }
        write!(out, "{text}")?;
        crate::app::write_private(&settings.data_dir.join("demo-credentials.txt"), &text)?;
    } else if let Ok(saved) =
        std::fs::read_to_string(settings.data_dir.join("demo-credentials.txt"))
    {
        write!(out, "{saved}")?;
    }
    writeln!(out, "open {base}/ in a browser")?;
    Ok(())
}
