//! `tandem bench mail` runs [`crate::bench::mail`]; `tandem bench report` generates partnerships of 40 closed waves × 2 sides × N
//! respondents × the default template's 8 items straight into the aggregate tables (through
//! the same `aggregate::compute` + `store` a wave close uses), writes the raw answers as CSV
//! for `benches/report_pandas.py`, and times the full report (every wave, item, dimension,
//! level and function segment) warm, next to pandas/scipy computing the same over the raw
//! answers. Results go to `docs/benchmarks.md` by hand.
//!
//! It writes new partnerships into the database it is pointed at: run it on a scratch
//! database, never on production.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Subcommand};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::app::Context as AppState;
use crate::db::models::NewWave;
use crate::db::{self, template_versions, waves};
use crate::domain::{PartnershipInput, Side};
use crate::reports::aggregate::{self, Invitee};
use crate::reports::report::{self, ReportOptions};
use crate::services::partnerships;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time the full report on generated data at several respondent counts
    Report(BenchArgs),
    /// Time invitations from template to SMTP (render, outbox, send to a local sink) on a
    /// scratch database: it sends every pending row of the database it is given
    Mail(MailBenchArgs),
    /// How often each flag rule fires on generated partnerships without and with planted
    /// effects (false alarms per wave, detection within two waves); no database is written
    Flags(crate::bench::flags::FlagBenchArgs),
}

#[derive(Debug, Args)]
pub struct MailBenchArgs {
    /// Invitations to render, enqueue and send
    #[arg(long, default_value_t = 100_000)]
    pub mails: usize,
    /// Port of the local SMTP sink on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub smtp_port: u16,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Respondents per side and wave
    #[arg(long, value_delimiter = ',', default_values_t = vec![200u64, 2_000, 20_000])]
    pub respondents: Vec<u64>,
    #[arg(long, default_value_t = 40)]
    pub waves: i64,
    /// Timed runs after one warm-up run
    #[arg(long, default_value_t = 7)]
    pub runs: usize,
    /// Also run this pandas/scipy script over the raw answers (e.g. benches/report_pandas.py)
    #[arg(long)]
    pub pandas: Option<PathBuf>,
    /// Largest respondent count handed to pandas (its CSV grows to 16 × waves × N rows)
    #[arg(long, default_value_t = 2_000)]
    pub pandas_max: u64,
    /// Folder for the raw-answer CSVs
    #[arg(long, default_value = "bench-data")]
    pub out_dir: PathBuf,
    /// Also give every respondent one of 3 regions, 4 business units and 2 languages (more
    /// breakdowns and 24 times as many finest cells for the disclosure control to reason
    /// over); without it the data have level and function only
    #[arg(long)]
    pub segments: bool,
    /// Also declare this many custom attributes (`attr1`, `attr2`…) and give every
    /// respondent one of two values of each (each doubles the finest cells)
    #[arg(long, default_value_t = 0)]
    pub custom_attributes: usize,
}

const LEVELS: [(&str, f64); 3] = [("executive", -0.4), ("manager", -0.1), ("staff", 0.2)];
const FUNCTIONS: [&str; 4] = ["sales", "procurement", "engineering", "operations"];
const REGIONS: [&str; 3] = ["EU", "US", "APAC"];
const BUSINESS_UNITS: [&str; 4] = ["Retail", "Wholesale", "Online", "Services"];
const LANGUAGES: [&str; 2] = ["en", "fr"];

/// One size's measurements.
#[derive(Debug, Clone)]
pub struct Timing {
    pub respondents: u64,
    pub answers: u64,
    pub report_median: Duration,
    pub report_min: Duration,
    pub load_median: Duration,
    pub pandas_compute: Option<Duration>,
}

pub fn run(state: &AppState, cmd: BenchCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Report(args) => run_report(state, args, out),
        BenchCommand::Mail(args) => run_mail(state, args, out),
        BenchCommand::Flags(args) => crate::bench::flags::run(state, args, out),
    }
}

/// `tandem bench mail`: the same measurement as the `dispatch_benchmark` test.
fn run_mail(state: &AppState, args: MailBenchArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let progress = crate::progress::spinner(&format!("bench mail: {} invitations", args.mails));
    let report = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        // Four connections, as the test version of this benchmark: enqueue, claim and
        // record overlap, and CLI settings give the shared pool only two.
        .block_on(crate::bench::mail::bench_dispatch(
            db::connect(&state.settings.database_url, 4)?,
            args.mails,
            args.smtp_port,
        ))?;
    progress.finish_and_clear();
    writeln!(
        out,
        "{} ({}): {report}",
        state.settings.database_url.backend_name(),
        state.settings.database_url.redacted()
    )?;
    if report.sent != report.mails || report.received != report.mails as u64 {
        anyhow::bail!(
            "not every mail arrived: {} sent, {} received of {}",
            report.sent,
            report.received,
            report.mails
        );
    }
    Ok(())
}

fn run_report(state: &AppState, args: BenchArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("creating {}", args.out_dir.display()))?;
    writeln!(
        out,
        "{:>8} {:>12} {:>12} {:>12} {:>12} {:>12} {:>8}",
        "N", "answers", "report p50", "report min", "load p50", "pandas", "ratio"
    )?;
    let progress = crate::progress::bar(2 * args.respondents.len() as u64, "bench report");
    for &n in &args.respondents {
        progress.set_message(format!("generating N = {n}"));
        let csv_path = (args.pandas.is_some() && n <= args.pandas_max)
            .then(|| args.out_dir.join(format!("answers-{n}.csv")));
        let pid = generate(
            state,
            n,
            args.waves,
            csv_path.as_deref(),
            args.segments,
            args.custom_attributes,
        )?;
        progress.inc(1);
        progress.set_message(format!("timing N = {n}"));
        let t = time_report(state, pid, n, args.waves, args.runs)?;
        progress.inc(1);
        let pandas = match (&args.pandas, &csv_path) {
            (Some(script), Some(csv)) => Some(run_pandas(script, csv)?),
            _ => None,
        };
        let ratio = pandas.map(|p| p.as_secs_f64() / t.report_median.as_secs_f64());
        writeln!(
            out,
            "{:>8} {:>12} {:>10.2}ms {:>10.2}ms {:>10.2}ms {:>12} {:>8}",
            n,
            t.answers,
            ms(t.report_median),
            ms(t.report_min),
            ms(t.load_median),
            pandas.map_or("–".into(), |p| format!("{:.1}ms", ms(p))),
            ratio.map_or("–".into(), |r| format!("{r:.0}×"))
        )?;
    }
    progress.finish_and_clear();
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Creates a partnership with `waves` closed waves of `n` respondents per side and stores
/// their aggregates; returns its id. `segments`: respondents also get a region, a business
/// unit and a language; `custom`: that many declared custom attributes of two values each.
pub fn generate(
    state: &AppState,
    n: u64,
    wave_count: i64,
    csv: Option<&Path>,
    segments: bool,
    custom: usize,
) -> anyhow::Result<i64> {
    let mut conn = state.pool.get()?;
    let stamp = db::now().format("%Y%m%d%H%M%S%6f");
    let view = partnerships::create(
        &mut conn,
        &state.catalog,
        &PartnershipInput {
            name: format!("bench {n} {stamp}"),
            customer: format!("Bench customer {stamp}"),
            supplier: format!("Bench supplier {stamp}"),
            ..PartnershipInput::default()
        },
        "bench",
    )?;
    let template = state.catalog.default_template();
    let mut writer = match csv {
        Some(path) => {
            let mut w = BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("creating {}", path.display()))?,
            );
            writeln!(w, "wave,firm,respondent,level,function,item,value")?;
            Some(w)
        }
        None => None,
    };
    let mut rng = StdRng::seed_from_u64(20_261_123 ^ n);
    let now = db::now();
    conn.write_transaction(|conn| -> anyhow::Result<()> {
        let version = template_versions::ensure(conn, template)?;
        let custom_keys: Vec<String> = (1..=custom).map(|i| format!("attr{i}")).collect();
        for key in &custom_keys {
            crate::db::attributes::declare(conn, view.id, key, key, now)?;
        }
        for seq in 1..=wave_count {
            let wave = waves::insert(
                conn,
                &NewWave {
                    series_id: None,
                    partnership_id: view.id,
                    seq,
                    template_version_id: version.id,
                    state: "closed",
                    opens_at: now,
                    closes_at: now,
                    reminder_days: "",
                    opened_at: Some(now),
                    closed_at: Some(now),
                    imported: true,
                    slot_at: None,
                    created_at: now,
                },
            )?;
            let mut invitees = Vec::with_capacity(2 * n as usize);
            for side in Side::BOTH {
                let drift = if side == Side::Supplier {
                    -0.02 * seq as f64
                } else {
                    0.0
                };
                for r in 0..n {
                    let (level, shift) = LEVELS[rng.random_range(0..LEVELS.len())];
                    let function = FUNCTIONS[rng.random_range(0..FUNCTIONS.len())];
                    let (region, business_unit, language) = if segments {
                        (
                            REGIONS[rng.random_range(0..REGIONS.len())],
                            BUSINESS_UNITS[rng.random_range(0..BUSINESS_UNITS.len())],
                            LANGUAGES[rng.random_range(0..LANGUAGES.len())],
                        )
                    } else {
                        ("", "", "en")
                    };
                    let person = 3.6 + drift - shift + rng.random_range(-0.8..0.8);
                    let mut answers = HashMap::with_capacity(template.items().len());
                    for item in template.items() {
                        let value = if rng.random_bool(0.05) {
                            None
                        } else {
                            let x: f64 = person + rng.random_range(-1.2..1.2);
                            Some(x.round().clamp(1.0, 5.0) as u8)
                        };
                        if let Some(w) = writer.as_mut() {
                            writeln!(
                                w,
                                "{seq},{},{}{r},{level},{function},{},{}",
                                side.as_str(),
                                &side.as_str()[..1],
                                item.id(),
                                value.map_or(String::new(), |v| v.to_string())
                            )?;
                        }
                        answers.insert(item.id().to_owned(), value);
                    }
                    invitees.push(Invitee {
                        attributes: custom_keys
                            .iter()
                            .map(|k| {
                                let value = ["north", "south"][rng.random_range(0..2)];
                                (k.clone(), value.to_owned())
                            })
                            .collect(),
                        side,
                        level: level.to_owned(),
                        function: function.to_owned(),
                        // without `segments`, no region, business unit or second
                        // language, as before those were breakdowns
                        region: region.to_owned(),
                        business_unit: business_unit.to_owned(),
                        language: language.to_owned(),
                        answers: Some(answers),
                    });
                }
            }
            let groups = aggregate::compute(wave.id, template, &invitees);
            aggregate::store(conn, &groups)?;
        }
        crate::db::partnerships::bump_report_version(conn, view.id)?;
        Ok(())
    })?;
    if let Some(mut w) = writer {
        w.flush()?;
    }
    Ok(view.id)
}

/// Times the full report (level and function breakdowns, all waves) after one warm-up run.
pub fn time_report(
    state: &AppState,
    partnership_id: i64,
    n: u64,
    wave_count: i64,
    runs: usize,
) -> anyhow::Result<Timing> {
    let mut conn = state.pool.get()?;
    let options = ReportOptions::default();
    report::build(&mut conn, partnership_id, &options)?;
    let (mut totals, mut loads) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let input = report::load(&mut conn, partnership_id, &options)?;
        let loaded = start.elapsed();
        let doc = report::assemble(&input);
        let total = start.elapsed();
        std::hint::black_box(&doc);
        totals.push(total);
        loads.push(loaded);
    }
    totals.sort();
    loads.sort();
    Ok(Timing {
        respondents: n,
        answers: n * 2 * 8 * u64::try_from(wave_count).unwrap_or(0),
        report_median: totals[totals.len() / 2],
        report_min: totals[0],
        load_median: loads[loads.len() / 2],
        pandas_compute: None,
    })
}

/// Runs the pandas script; it prints `compute_seconds=<s>` on its last line.
fn run_pandas(script: &Path, csv: &Path) -> anyhow::Result<Duration> {
    let output = Command::new("python3")
        .arg(script)
        .arg(csv)
        .output()
        .context("running python3")?;
    anyhow::ensure!(
        output.status.success(),
        "the pandas script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let seconds: f64 = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("compute_seconds="))
        .next_back()
        .context("the pandas script printed no compute_seconds= line")?
        .trim()
        .parse()
        .context("compute_seconds is not a number")?;
    Ok(Duration::from_secs_f64(seconds))
}
