//! The `tandem report` and `tandem kpi import` commands, as functions over parsed
//! arguments so `src/cli.rs` only wires them.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::auth::Access;
use clap::{Args, Subcommand, ValueEnum};

use crate::app::Context as AppState;
use crate::reports::report::{Report, ReportOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A short summary for people
    Text,
    /// The whole document as JSON
    Json,
    /// Every statistic as one CSV row
    Csv,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(long, required_unless_present = "portfolio")]
    pub partnership: Option<i64>,
    /// The lead–lag of one KPI pooled over every partnership that has it (with --kpi)
    #[arg(long, requires = "kpi", conflicts_with_all = ["partnership", "wave", "segment"])]
    pub portfolio: bool,
    /// The KPI name for --portfolio, as imported (e.g. on_time_delivery_pct)
    #[arg(long)]
    pub kpi: Option<String>,
    /// Only this wave (trends and lead–lag still use every closed wave up to it)
    #[arg(long)]
    pub wave: Option<i64>,
    /// The survey series (default main, the partnership's own)
    #[arg(long, conflicts_with = "portfolio")]
    pub series: Option<String>,
    /// Breakdown: level, function, level_function, region, business_unit, language, a
    /// custom attribute's key, or all (none); default level, function and region, and
    /// business_unit and custom attributes where the waves have them (language only when
    /// asked for)
    #[arg(long, visible_alias = "by")]
    pub segment: Option<String>,
    /// Same as --format json
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
}

#[derive(Debug, Subcommand)]
pub enum KpiCommand {
    /// Import KPI values: wide (wave, one column per KPI) or long (date or wave, kpi, value,
    /// optional unit and better)
    Import {
        #[arg(long)]
        partnership: i64,
        file: PathBuf,
    },
}

/// `tandem report`.
pub fn report(state: &AppState, args: ReportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    if args.portfolio {
        return portfolio(state, &args, out);
    }
    let partnership = args
        .partnership
        .ok_or_else(|| anyhow::anyhow!("--partnership is needed (or --portfolio --kpi NAME)"))?;
    let mut conn = state.pool.get().context("taking a database connection")?;
    let segment = match args.segment.as_deref() {
        None => None,
        Some(text) => Some(
            crate::services::attributes::segment(&mut conn, partnership, text)?
                .map_err(|e| anyhow::anyhow!(e))?,
        ),
    };
    let format = match (args.json, args.format) {
        (true, Some(f)) if f != ReportFormat::Json => {
            anyhow::bail!("--json and --format {f:?} contradict each other")
        }
        (true, _) => ReportFormat::Json,
        (false, f) => f.unwrap_or(ReportFormat::Text),
    };
    let options = ReportOptions {
        wave: args.wave,
        segment,
        series: args.series.clone(),
    };
    let doc = crate::services::reports::build(&mut conn, partnership, &options)?;
    match format {
        ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?,
        ReportFormat::Csv => crate::reports::csv::write(&doc, out)?,
        ReportFormat::Text => summary(&doc, out)?,
    }
    Ok(())
}

/// `tandem report --portfolio --kpi NAME`: JSON with --json, else one line per side and
/// dimension with its verdict.
fn portfolio(state: &AppState, args: &ReportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let kpi = args.kpi.clone().unwrap_or_default();
    let access = Access::administrator();
    let result = state.run(|conn, _| crate::services::portfolio::lead_lag(conn, &kpi, &access))?;
    if args.json || args.format == Some(ReportFormat::Json) {
        writeln!(out, "{}", serde_json::to_string_pretty(&result)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{}: {} partnership(s) with this KPI ({})",
        result.kpi,
        result.partnerships.len(),
        result
            .partnerships
            .iter()
            .map(|p| format!("{} {}", p.id, p.name))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    for r in &result.records {
        writeln!(
            out,
            "  {:<9} {:<20} {}",
            r.side.as_str(),
            r.dimension,
            r.verdict.sentence
        )?;
    }
    Ok(())
}

fn number(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"))
}

fn summary(doc: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "partnership {}: {} ({} ↔ {}), minimum group {}",
        doc.partnership.id,
        doc.partnership.name,
        doc.partnership.customer,
        doc.partnership.supplier,
        doc.partnership.min_reporting_size
    )?;
    for h in &doc.health {
        writeln!(out, "\nwave {}: health {}", h.wave, number(h.index, 1))?;
        for d in doc
            .dimensions
            .iter()
            .filter(|d| d.id.wave == h.wave && d.id.segment_kind == "all")
        {
            match (&d.id.suppressed, &d.stats) {
                (Some(reason), _) => writeln!(
                    out,
                    "  {:<9} {:<20} withheld: {reason}",
                    d.id.side.as_str(),
                    d.dimension
                )?,
                (None, Some(s)) => writeln!(
                    out,
                    "  {:<9} {:<20} mean {} (n {}), rwg(j) {} {}",
                    d.id.side.as_str(),
                    d.dimension,
                    number(s.summary.mean, 2),
                    s.n_complete,
                    number(s.agreement.rwg_j, 2),
                    s.agreement_band.unwrap_or("")
                )?,
                (None, None) => {}
            }
        }
    }
    writeln!(out, "\n(--json or --format csv for every statistic)")?;
    Ok(())
}

/// `tandem kpi import`.
pub fn kpi(state: &AppState, cmd: KpiCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        KpiCommand::Import { partnership, file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let mut conn = state.pool.get().context("taking a database connection")?;
            let s = crate::services::reports::import_kpis(&mut conn, partnership, &bytes, "cli")?;
            writeln!(
                out,
                "KPIs imported: {} ({} new), {} values",
                s.kpis.join(", "),
                s.created,
                s.values
            )?;
            Ok(())
        }
    }
}
