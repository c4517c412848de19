//! From the stored report to what the dashboard pages show: pre-formatted numbers, words,
//! data tables and rendered charts. Pure (no I/O), so the pages and the `.svg` exports draw
//! the same charts from the same document.
//!
//! Everything here reads the report only — never an answer — and every withheld group stays
//! withheld: its text is the report's reason ("withheld: fewer than N responses"), never a
//! number.

use std::collections::BTreeMap;

use crate::auth::Visibility;
use crate::charts::bars::{Rate, RateBar, RateChart, RateGroup};
use crate::charts::distribution::{Bar, Distribution, Row as DistRow};
use crate::charts::heatmap::{Cell, Heatmap, Row as HeatRow};
use crate::charts::line::{Axis, Gap, LineChart, Point, Series, Style};
use crate::charts::{axis, slug};
use crate::domain::Side;
use crate::reports::report::{
    DimensionRecord, GroupRecord, InterFirmRecord, ItemRecord, LeadLagRecord, Report,
};
use crate::stats::SIGNIFICANCE_LEVEL;

/// rwg(j) below which a firm's agreement on a dimension is worth a question in the review.
pub const LOW_AGREEMENT: f64 = 0.70;
/// Response rate below which the review asks how to hear from more people.
pub const LOW_RESPONSE: f64 = 0.40;

/// Names from the survey template of the latest wave; ids stand in where a name is missing.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    pub dimensions: BTreeMap<String, String>,
    /// Item id → (customer wording, supplier wording).
    pub items: BTreeMap<String, (String, String)>,
    /// Labels of 1..5, then don't know.
    pub answers: Option<[String; 6]>,
    /// The open question for the periodic review, if the template has one.
    pub review_question: Option<String>,
    /// Open question id → (customer wording, supplier wording).
    pub questions: BTreeMap<String, (String, String)>,
}

impl Labels {
    pub fn dimension(&self, id: &str) -> String {
        self.dimensions
            .get(id)
            .cloned()
            .unwrap_or_else(|| humanize(id))
    }

    pub fn answers(&self) -> [String; 6] {
        self.answers
            .clone()
            .unwrap_or_else(|| ["1", "2", "3", "4", "5", "don't know"].map(String::from))
    }
}

/// The first letter in upper case, for headings.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub use crate::domain::humanize;

/// Keeps what `visibility` allows: one-side managers see only their firm, and nothing that
/// combines both firms (the between-firm comparison, the health index), since the gap and
/// their own mean would give the other firm's mean away.
pub fn restrict(report: &Report, visibility: Visibility) -> Report {
    let mut r = report.clone();
    if let Visibility::Only(side) = visibility {
        r.groups.retain(|g| g.id.side == side);
        r.items.retain(|i| i.id.side == side);
        r.dimensions.retain(|d| d.id.side == side);
        r.icc.retain(|i| i.side == side);
        r.trend.retain(|t| t.side == side);
        r.lead_lag.retain(|l| l.side == side);
        r.inter_firm = Default::default();
        r.health.clear();
    }
    r
}

pub fn sides(visibility: Visibility) -> Vec<Side> {
    match visibility {
        Visibility::Both => Side::BOTH.to_vec(),
        Visibility::Only(s) => vec![s],
    }
}

fn firm(report: &Report, side: Side) -> &str {
    match side {
        Side::Customer => &report.partnership.customer,
        Side::Supplier => &report.partnership.supplier,
    }
}

fn style(side: Side) -> Style {
    match side {
        Side::Customer => Style::Customer,
        Side::Supplier => Style::Supplier,
    }
}

/// "withheld: fewer than 5 responses", or the complementary reason as the report words it.
pub fn withheld(reason: &str) -> String {
    if reason.starts_with("withheld") {
        reason.to_owned()
    } else {
        format!("withheld: {reason}")
    }
}

fn fixed(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().any(|c| c != '0' && c != '.') => format!("−{rest}"),
        Some(rest) => rest.to_owned(),
        None => s,
    }
}

fn signed(v: f64, digits: usize) -> String {
    if v > 0.0
        && fixed(v, digits)
            .chars()
            .any(|c| c.is_ascii_digit() && c != '0')
    {
        format!("+{}", fixed(v, digits))
    } else {
        fixed(v, digits)
    }
}

/// A correlation to two decimals, or three when two would round a strong r to ±1.
fn corr(r: f64) -> String {
    let two = fixed(r, 2);
    if r.abs() < 1.0 && two.ends_with("1.00") {
        fixed(r, 3)
    } else {
        two
    }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".to_owned(), |v| fixed(v, digits))
}

fn p_value(p: Option<f64>) -> String {
    match p {
        None => "–".into(),
        Some(p) if p < 0.001 => "p < 0.001".into(),
        Some(p) => format!("p = {}", fixed(p, 3)),
    }
}

fn pct(v: f64) -> String {
    format!("{} %", fixed(v * 100.0, 0))
}

/// A chart ready for a page, with the name of its `.svg` export.
#[derive(Debug, Clone)]
pub struct ChartView {
    pub name: String,
    pub svg: String,
}

fn chart(name: String, svg: Result<String, askama::Error>) -> Result<ChartView, askama::Error> {
    Ok(ChartView { name, svg: svg? })
}

/// The whole-side dimension record of a wave.
fn whole<'a>(
    report: &'a Report,
    wave: i64,
    side: Side,
    dimension: &str,
) -> Option<&'a DimensionRecord> {
    report.dimensions.iter().find(|d| {
        d.id.wave == wave
            && d.id.side == side
            && d.id.segment_kind == "all"
            && d.dimension == dimension
    })
}

fn whole_group(report: &Report, wave: i64, side: Side) -> Option<&GroupRecord> {
    report
        .groups
        .iter()
        .find(|g| g.id.wave == wave && g.id.side == side && g.id.segment_kind == "all")
}

fn inter_firm<'a>(report: &'a Report, wave: i64, dimension: &str) -> Option<&'a InterFirmRecord> {
    report
        .inter_firm
        .dimensions
        .iter()
        .find(|r| r.wave == wave && r.dimension.as_deref() == Some(dimension))
}

fn significant(r: &InterFirmRecord) -> bool {
    r.comparison
        .as_ref()
        .and_then(|c| c.welch_p)
        .is_some_and(|p| p < SIGNIFICANCE_LEVEL)
}

/// Dimension ids in template order, as the report lists them.
pub fn dimension_ids(report: &Report) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in &report.dimensions {
        if !out.contains(&d.dimension) {
            out.push(d.dimension.clone());
        }
    }
    out
}

pub fn item_ids(report: &Report) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for i in &report.items {
        if !out.iter().any(|(id, _)| id == &i.item) {
            out.push((i.item.clone(), i.dimension.clone()));
        }
    }
    out
}

fn waves(report: &Report) -> Vec<i64> {
    report.waves.iter().map(|w| w.wave).collect()
}

/// One cell of a data table: text, and whether it is a withheld note.
#[derive(Debug, Clone)]
pub struct TableCell {
    pub text: String,
    pub withheld: bool,
}

impl TableCell {
    fn value(text: String) -> TableCell {
        TableCell {
            text,
            withheld: false,
        }
    }

    fn hidden(reason: &str) -> TableCell {
        TableCell {
            text: withheld(reason),
            withheld: true,
        }
    }
}

/// A firm's agreement on a dimension, in words and numbers.
#[derive(Debug, Clone)]
pub struct AgreementView {
    pub firm: String,
    pub side: &'static str,
    pub text: String,
    pub band: String,
}

#[derive(Debug, Clone)]
pub struct DimensionRow {
    pub wave: i64,
    pub cells: Vec<TableCell>,
    pub gap: String,
    pub significance: String,
}

#[derive(Debug, Clone)]
pub struct DimensionView {
    pub id: String,
    pub name: String,
    pub chart: ChartView,
    pub summary: String,
    pub agreement: Vec<AgreementView>,
    pub rows: Vec<DimensionRow>,
}

/// Trend chart of one dimension for the visible firms, waves up to `last`.
fn dimension_view(
    report: &Report,
    labels: &Labels,
    sides: &[Side],
    dimension: &str,
    last: i64,
) -> Result<DimensionView, askama::Error> {
    let name = labels.dimension(dimension);
    let waves: Vec<i64> = waves(report).into_iter().filter(|w| *w <= last).collect();
    let series: Vec<Series> = sides
        .iter()
        .map(|&side| Series {
            label: format!("{} ({side})", firm(report, side)),
            style: style(side),
            points: waves
                .iter()
                .filter_map(|&w| {
                    let s = whole(report, w, side, dimension)?.stats.as_ref()?;
                    Some(Point {
                        wave: w,
                        value: s.summary.mean?,
                        ci95: s.summary.mean_ci95,
                    })
                })
                .collect(),
        })
        .collect();
    let gaps: Vec<Gap> = waves
        .iter()
        .filter_map(|&w| {
            let r = inter_firm(report, w, dimension)?;
            let c = r.comparison.as_ref()?;
            (significant(r)).then_some(())?;
            Some(Gap {
                wave: w,
                from: c.mean_1?,
                to: c.mean_2?,
                label: fixed(c.mean_diff?.abs(), 2),
            })
        })
        .collect();
    let rows: Vec<DimensionRow> = waves
        .iter()
        .rev()
        .map(|&w| {
            let cells = sides
                .iter()
                .map(|&side| match whole(report, w, side, dimension) {
                    Some(DimensionRecord { id, .. }) if id.suppressed.is_some() => {
                        TableCell::hidden(id.suppressed.as_deref().unwrap_or_default())
                    }
                    Some(DimensionRecord { stats: Some(s), .. }) => TableCell::value(format!(
                        "{}{} · rwg(j) {} · n {}",
                        opt(s.summary.mean, 2),
                        s.summary
                            .mean_ci95
                            .map(|[lo, hi]| format!(" ({}–{})", fixed(lo, 2), fixed(hi, 2)))
                            .unwrap_or_default(),
                        opt(s.agreement.rwg_j, 2),
                        s.n_complete
                    )),
                    _ => TableCell::value("no answers".into()),
                })
                .collect();
            let (gap, sig) = match inter_firm(report, w, dimension) {
                Some(r) => match (&r.suppressed, &r.comparison) {
                    (Some(reason), _) => (withheld(reason), String::new()),
                    (None, Some(c)) => (
                        opt(c.mean_diff, 2),
                        format!("{} ({})", r.significance.unwrap_or("–"), p_value(c.welch_p)),
                    ),
                    (None, None) => ("–".into(), String::new()),
                },
                None => (String::new(), String::new()),
            };
            DimensionRow {
                wave: w,
                cells,
                gap,
                significance: sig,
            }
        })
        .collect();
    let agreement = sides
        .iter()
        .filter_map(|&side| {
            let rec = whole(report, last, side, dimension)?;
            let (text, band) = match (&rec.id.suppressed, &rec.stats) {
                (Some(reason), _) => (withheld(reason), String::new()),
                (None, Some(s)) => (
                    format!("rwg(j) {}", opt(s.agreement.rwg_j, 2)),
                    s.agreement_band
                        .unwrap_or("not enough complete answers")
                        .to_owned(),
                ),
                (None, None) => ("no answers".into(), String::new()),
            };
            Some(AgreementView {
                firm: firm(report, side).to_owned(),
                side: side.as_str(),
                text,
                band,
            })
        })
        .collect();
    let summary = dimension_summary(report, sides, dimension, last);
    let title = format!(
        "{name}: mean by wave, {}",
        sides
            .iter()
            .map(|s| firm(report, *s))
            .collect::<Vec<_>>()
            .join(" and ")
    );
    let line = LineChart {
        id: format!("trend-{dimension}"),
        title,
        desc: summary.clone(),
        waves,
        left: Axis::likert(),
        series,
        right: None,
        gaps,
        bands: true,
    };
    Ok(DimensionView {
        id: dimension.to_owned(),
        name,
        chart: chart(format!("trend-{}", slug(dimension)), line.render())?,
        summary,
        agreement,
        rows,
    })
}

/// The sentence under a trend chart: the latest means, the gap and the trend.
fn dimension_summary(report: &Report, sides: &[Side], dimension: &str, wave: i64) -> String {
    let mut parts = vec![format!("Wave {wave}:")];
    for &side in sides {
        let text = match whole(report, wave, side, dimension) {
            Some(DimensionRecord { id, .. }) if id.suppressed.is_some() => {
                withheld(id.suppressed.as_deref().unwrap_or_default())
            }
            Some(DimensionRecord { stats: Some(s), .. }) => {
                format!("mean {}", opt(s.summary.mean, 2))
            }
            _ => "no answers".into(),
        };
        parts.push(format!("{} {text};", firm(report, side)));
    }
    if let Some(r) = inter_firm(report, wave, dimension) {
        if let (Some(c), Some(sig)) = (&r.comparison, r.significance) {
            parts.push(format!(
                "gap {} ({sig}).",
                opt(c.mean_diff.map(f64::abs), 2)
            ));
        }
    }
    for &side in sides {
        if let Some(t) = report
            .trend
            .iter()
            .find(|t| t.side == side && t.kind == "dimension" && t.target == dimension)
        {
            if let (Some(slope), Some(p)) = (t.fit.slope, t.fit.p) {
                let sig = if p < SIGNIFICANCE_LEVEL {
                    "significant"
                } else {
                    "not significant"
                };
                parts.push(format!(
                    "Trend at {}: {} per wave ({sig}, {}).",
                    firm(report, side),
                    signed(slope, 2),
                    p_value(Some(p))
                ));
            }
        }
    }
    parts.join(" ")
}

#[derive(Debug, Clone)]
pub struct HealthRow {
    pub wave: i64,
    pub index: TableCell,
    pub level: String,
    pub agreement: String,
    pub gap: String,
}

#[derive(Debug, Clone)]
pub struct HealthView {
    pub latest: String,
    /// (signed change, "since wave 5 (62.1 → 58.3)")
    pub change: Option<(String, String)>,
    pub chart: ChartView,
    pub rows: Vec<HealthRow>,
}

fn health_view(report: &Report, last: i64) -> Result<Option<HealthView>, askama::Error> {
    let records: Vec<_> = report.health.iter().filter(|h| h.wave <= last).collect();
    if records.is_empty() {
        return Ok(None);
    }
    let points: Vec<Point> = records
        .iter()
        .filter_map(|h| {
            Some(Point {
                wave: h.wave,
                value: h.index?,
                ci95: None,
            })
        })
        .collect();
    let latest_record = records.iter().find(|h| h.wave == last);
    let latest = match latest_record {
        Some(h) => match (&h.suppressed, h.index) {
            (Some(reason), _) => withheld(reason),
            (None, Some(i)) => fixed(i, 0),
            (None, None) => "–".into(),
        },
        None => "–".into(),
    };
    let change = match (points.iter().rev().nth(1), points.last()) {
        (Some(prev), Some(now)) if now.wave == last => Some((
            signed(now.value - prev.value, 1),
            format!(
                "since wave {} ({} → {})",
                prev.wave,
                fixed(prev.value, 1),
                fixed(now.value, 1)
            ),
        )),
        _ => None,
    };
    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (ticks, domain) = axis::nice_ticks((lo - 5.0).max(0.0), (hi + 5.0).min(100.0), 4);
    let desc = format!(
        "Health index (0–100) by wave: {}.",
        records
            .iter()
            .map(|h| format!(
                "wave {} {}",
                h.wave,
                h.index.map_or_else(|| "withheld".into(), |i| fixed(i, 1))
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let line = LineChart {
        id: "health".into(),
        title: "Relationship health index by wave".into(),
        desc,
        waves: records.iter().map(|h| h.wave).collect(),
        left: Axis {
            title: "Health index (0–100)".into(),
            domain,
            ticks,
        },
        series: vec![Series {
            label: "health index".into(),
            style: Style::Neutral,
            points,
        }],
        right: None,
        gaps: vec![],
        bands: false,
    };
    let rows = records
        .iter()
        .rev()
        .map(|h| HealthRow {
            wave: h.wave,
            index: match (&h.suppressed, h.index) {
                (Some(reason), _) => TableCell::hidden(reason),
                (None, i) => TableCell::value(opt(i, 1)),
            },
            level: opt(h.components.as_ref().map(|c| c.level), 2),
            agreement: opt(h.components.as_ref().map(|c| c.agreement), 2),
            gap: opt(h.components.as_ref().map(|c| c.gap), 2),
        })
        .collect();
    Ok(Some(HealthView {
        latest,
        change,
        chart: chart("health".into(), line.render())?,
        rows,
    }))
}

#[derive(Debug, Clone)]
pub struct RateRow {
    pub wave: i64,
    pub cells: Vec<TableCell>,
}

#[derive(Debug, Clone)]
pub struct RatesView {
    pub chart: ChartView,
    pub rows: Vec<RateRow>,
}

fn rates_view(report: &Report, sides: &[Side], last: i64) -> Result<RatesView, askama::Error> {
    let waves: Vec<i64> = waves(report).into_iter().filter(|w| *w <= last).collect();
    let rate = |w: i64, side: Side| match whole_group(report, w, side) {
        Some(g) => match (&g.id.suppressed, g.response_rate) {
            (Some(reason), _) => Rate::Withheld(withheld(reason)),
            (None, Some(r)) => Rate::Shown(r),
            (None, None) => Rate::None,
        },
        None => Rate::None,
    };
    let groups = waves
        .iter()
        .map(|&w| RateGroup {
            wave: w,
            bars: sides
                .iter()
                .map(|&side| RateBar {
                    side,
                    rate: rate(w, side),
                })
                .collect(),
        })
        .collect();
    let rows: Vec<RateRow> = waves
        .iter()
        .rev()
        .map(|&w| RateRow {
            wave: w,
            cells: sides
                .iter()
                .map(|&side| match whole_group(report, w, side) {
                    Some(g) => match (&g.id.suppressed, g.responded, g.invited, g.response_rate) {
                        (Some(reason), ..) => TableCell::hidden(reason),
                        (None, Some(resp), Some(inv), Some(r)) => {
                            TableCell::value(format!("{resp} of {inv} ({})", pct(r)))
                        }
                        _ => TableCell::value("nobody invited".into()),
                    },
                    None => TableCell::value("–".into()),
                })
                .collect(),
        })
        .collect();
    let desc = rows
        .iter()
        .map(|r| {
            format!(
                "wave {}: {}",
                r.wave,
                sides
                    .iter()
                    .zip(&r.cells)
                    .map(|(s, c)| format!("{} {}", firm(report, *s), c.text))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let c = RateChart {
        id: "response-rates".into(),
        title: "Response rate by wave and firm".into(),
        desc,
        groups,
        legend: sides
            .iter()
            .map(|&s| (s, format!("{} ({s})", firm(report, s))))
            .collect(),
    };
    Ok(RatesView {
        chart: chart("response-rates".into(), c.render())?,
        rows,
    })
}

#[derive(Debug, Clone)]
pub struct HeatmapView {
    pub title: String,
    pub chart: ChartView,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<TableCell>)>,
}

fn heatmap_view(
    report: &Report,
    labels: &Labels,
    side: Side,
    kind: &str,
    wave: i64,
) -> Result<Option<HeatmapView>, askama::Error> {
    let dims = dimension_ids(report);
    // A group at or above the minimum can still have fewer complete answers to a
    // dimension (don't-know): its mean would then be one or two people's answers.
    let min = report.partnership.min_reporting_size;
    let mut segments: Vec<String> = Vec::new();
    for d in report
        .dimensions
        .iter()
        .filter(|d| d.id.wave == wave && d.id.side == side && d.id.segment_kind == kind)
    {
        if let Some(s) = &d.id.segment {
            if !segments.contains(s) {
                segments.push(s.clone());
            }
        }
    }
    if segments.is_empty() {
        return Ok(None);
    }
    let record = |segment: &str, dim: &str| {
        report.dimensions.iter().find(|d| {
            d.id.wave == wave
                && d.id.side == side
                && d.id.segment_kind == kind
                && d.id.segment.as_deref() == Some(segment)
                && d.dimension == dim
        })
    };
    let mut rows = Vec::new();
    let mut table = Vec::new();
    for s in &segments {
        let mut cells = Vec::new();
        let mut text = Vec::new();
        for d in &dims {
            match record(s, d) {
                Some(DimensionRecord { id, .. }) if id.suppressed.is_some() => {
                    let reason = withheld(id.suppressed.as_deref().unwrap_or_default());
                    text.push(TableCell::hidden(&reason));
                    cells.push(Cell::Withheld(reason));
                }
                Some(DimensionRecord {
                    stats: Some(st), ..
                }) if st.n_complete > 0 && st.n_complete < min => {
                    let reason = format!("withheld: fewer than {min} complete answers");
                    text.push(TableCell::hidden(&reason));
                    cells.push(Cell::Withheld(reason));
                }
                Some(DimensionRecord {
                    stats: Some(st), ..
                }) if st.summary.mean.is_some() => {
                    let mean = st.summary.mean.unwrap_or_default();
                    text.push(TableCell::value(format!(
                        "{} · rwg(j) {} · n {}",
                        fixed(mean, 2),
                        opt(st.agreement.rwg_j, 2),
                        st.n_complete
                    )));
                    cells.push(Cell::Shown {
                        mean,
                        rwg_j: st.agreement.rwg_j,
                        n: st.n_complete,
                    });
                }
                _ => {
                    text.push(TableCell::value("no answers".into()));
                    cells.push(Cell::Empty);
                }
            }
        }
        rows.push(HeatRow {
            label: s.clone(),
            cells,
        });
        table.push((s.clone(), text));
    }
    let columns: Vec<String> = dims.iter().map(|d| labels.dimension(d)).collect();
    let withheld_count = table
        .iter()
        .flat_map(|(_, c)| c)
        .filter(|c| c.withheld)
        .count();
    let title = format!(
        "{} ({side}): {kind} × dimension, wave {wave}",
        firm(report, side)
    );
    let desc = format!(
        "Mean of each {kind} on each dimension, wave {wave}. {} segments; {withheld_count} cells withheld because the group is too small to report.",
        segments.len()
    );
    let h = Heatmap {
        id: format!("heatmap-{side}-{kind}"),
        title: title.clone(),
        desc,
        columns: columns.clone(),
        rows,
    };
    Ok(Some(HeatmapView {
        title,
        chart: chart(format!("heatmap-{side}-{kind}"), h.render())?,
        columns,
        rows: table,
    }))
}

#[derive(Debug, Clone)]
pub struct KpiView {
    pub name: String,
    pub sentence: String,
    pub chart: ChartView,
    pub perception: String,
    pub lags: Vec<(u32, String, String, String)>,
}

/// The pair (firm, dimension) whose perception relates most strongly to the KPI.
fn strongest(records: &[&LeadLagRecord]) -> Option<usize> {
    let strength = |r: &LeadLagRecord| {
        let k = r.table.strongest_lag?;
        r.table.lags.iter().find(|l| l.k == k)?.r.map(f64::abs)
    };
    let mut best: Option<(usize, f64)> = None;
    for (i, r) in records.iter().enumerate() {
        if let Some(s) = strength(r) {
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
    }
    best.map(|(i, _)| i).or((!records.is_empty()).then_some(0))
}

fn kpi_views(report: &Report, labels: &Labels) -> Result<Vec<KpiView>, askama::Error> {
    let mut names: Vec<&str> = Vec::new();
    for r in &report.lead_lag {
        if !names.contains(&r.kpi.as_str()) {
            names.push(&r.kpi);
        }
    }
    let mut out = Vec::new();
    for name in names {
        let records: Vec<&LeadLagRecord> =
            report.lead_lag.iter().filter(|r| r.kpi == name).collect();
        let Some(best) = strongest(&records).map(|i| records[i]) else {
            continue;
        };
        let kpi_name = humanize(name);
        let dimension = labels.dimension(&best.dimension);
        let who = format!("{dimension} at {}", firm(report, best.side));
        let lag = best
            .table
            .strongest_lag
            .and_then(|k| best.table.lags.iter().find(|l| l.k == k));
        let sentence = match lag {
            Some(l) if l.r.is_some() => {
                let r = l.r.unwrap_or_default();
                let direction = if r < 0.0 { " (in opposite directions)" } else { "" };
                match l.k {
                    0 => format!("{who} moved with {kpi_name} in the same wave{direction}, r = {} ({} pairs, {}).", corr(r), l.n, p_value(l.p)),
                    1 => format!("{who} led {kpi_name} by 1 wave{direction}, r = {} ({} pairs, {}).", corr(r), l.n, p_value(l.p)),
                    k => format!("{who} led {kpi_name} by {k} waves{direction}, r = {} ({} pairs, {}).", corr(r), l.n, p_value(l.p)),
                }
            }
            _ => format!("Not enough waves yet to relate perceptions to {kpi_name} (a correlation needs 3 waves with both values)."),
        };
        let mut waves: Vec<i64> = best
            .perception
            .waves
            .iter()
            .chain(&best.kpi_values.waves)
            .map(|w| i64::from(*w))
            .collect();
        waves.sort_unstable();
        waves.dedup();
        let values = &best.kpi_values.values;
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (ticks, domain) = axis::nice_ticks(lo, hi, 4);
        let kpi_axis = if best.unit.is_empty() {
            kpi_name.clone()
        } else {
            format!("{kpi_name}, {}", best.unit)
        };
        let perception = Series {
            label: format!("{} ({})", who, best.side),
            style: style(best.side),
            points: best
                .perception
                .waves
                .iter()
                .zip(&best.perception.means)
                .map(|(w, m)| Point {
                    wave: i64::from(*w),
                    value: *m,
                    ci95: None,
                })
                .collect(),
        };
        let kpi_series = Series {
            label: format!("{kpi_name} (right axis)"),
            style: Style::Kpi,
            points: best
                .kpi_values
                .waves
                .iter()
                .zip(values)
                .map(|(w, v)| Point {
                    wave: i64::from(*w),
                    value: *v,
                    ci95: None,
                })
                .collect(),
        };
        let line = LineChart {
            id: format!("kpi-{name}"),
            title: format!("{who} and {kpi_name} by wave"),
            desc: sentence.clone(),
            waves,
            left: Axis::likert(),
            series: vec![perception],
            right: Some((
                Axis {
                    title: kpi_axis,
                    domain,
                    ticks,
                },
                vec![kpi_series],
            )),
            gaps: vec![],
            bands: false,
        };
        let lags = best
            .table
            .lags
            .iter()
            .map(|l| {
                (
                    l.k,
                    l.n.to_string(),
                    l.r.map_or_else(|| "–".into(), corr),
                    p_value(l.p),
                )
            })
            .collect();
        out.push(KpiView {
            name: capitalize(&kpi_name),
            sentence,
            chart: chart(format!("kpi-{}", slug(name)), line.render())?,
            perception: who,
            lags,
        });
    }
    Ok(out)
}

/// A row of the items list.
#[derive(Debug, Clone)]
pub struct ItemLink {
    pub id: String,
    pub wording: String,
    pub dimension: String,
    pub cells: Vec<TableCell>,
}

fn whole_item<'a>(report: &'a Report, wave: i64, side: Side, item: &str) -> Option<&'a ItemRecord> {
    report.items.iter().find(|i| {
        i.id.wave == wave && i.id.side == side && i.id.segment_kind == "all" && i.item == item
    })
}

fn item_cell(rec: Option<&ItemRecord>) -> TableCell {
    match rec {
        Some(r) if r.id.suppressed.is_some() => {
            TableCell::hidden(r.id.suppressed.as_deref().unwrap_or_default())
        }
        Some(ItemRecord { stats: Some(s), .. }) if s.mean.is_some() => TableCell::value(format!(
            "{} · {} favourable",
            opt(s.mean, 2),
            s.favourable_pct
                .map_or_else(|| "–".into(), |f| format!("{} %", fixed(f, 0)))
        )),
        _ => TableCell::value("no answers".into()),
    }
}

/// The dashboard of one partnership.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub latest_wave: i64,
    pub firms: Vec<(String, &'static str)>,
    pub health: Option<HealthView>,
    pub dimensions: Vec<DimensionView>,
    pub rates: RatesView,
    pub heatmaps: Vec<HeatmapView>,
    pub items: Vec<ItemLink>,
    pub kpis: Vec<KpiView>,
}

impl Dashboard {
    /// Every chart of the page, for the `.svg` export.
    pub fn charts(&self) -> impl Iterator<Item = &ChartView> {
        self.health
            .iter()
            .map(|h| &h.chart)
            .chain(self.dimensions.iter().map(|d| &d.chart))
            .chain(std::iter::once(&self.rates.chart))
            .chain(self.heatmaps.iter().map(|h| &h.chart))
            .chain(self.kpis.iter().map(|k| &k.chart))
    }
}

fn latest(report: &Report) -> i64 {
    report.waves.last().map_or(0, |w| w.wave)
}

/// Builds the dashboard from a report already restricted to `visibility`.
pub fn dashboard(
    report: &Report,
    labels: &Labels,
    visibility: Visibility,
) -> Result<Dashboard, askama::Error> {
    let sides = sides(visibility);
    let last = latest(report);
    let dimensions = dimension_ids(report)
        .iter()
        .map(|d| dimension_view(report, labels, &sides, d, last))
        .collect::<Result<Vec<_>, _>>()?;
    let mut heatmaps = Vec::new();
    for &side in &sides {
        for kind in ["level", "function"] {
            heatmaps.extend(heatmap_view(report, labels, side, kind, last)?);
        }
    }
    let items = item_ids(report)
        .into_iter()
        .map(|(id, dim)| ItemLink {
            wording: labels
                .items
                .get(&id)
                .map(|w| w.0.clone())
                .unwrap_or_else(|| humanize(&id)),
            dimension: dim
                .as_deref()
                .map(|d| labels.dimension(d))
                .unwrap_or_default(),
            cells: sides
                .iter()
                .map(|&s| item_cell(whole_item(report, last, s, &id)))
                .collect(),
            id,
        })
        .collect();
    Ok(Dashboard {
        latest_wave: last,
        firms: sides
            .iter()
            .map(|&s| (firm(report, s).to_owned(), s.as_str()))
            .collect(),
        health: health_view(report, last)?,
        dimensions,
        rates: rates_view(report, &sides, last)?,
        heatmaps,
        items,
        kpis: kpi_views(report, labels)?,
    })
}

#[derive(Debug, Clone)]
pub struct ItemStatsRow {
    pub wave: i64,
    pub firm: String,
    pub cells: Vec<TableCell>,
}

#[derive(Debug, Clone)]
pub struct ItemPage {
    pub id: String,
    pub dimension: String,
    /// (firm, the question as that firm reads it)
    pub wordings: Vec<(String, String)>,
    pub chart: ChartView,
    pub answers: [String; 6],
    pub rows: Vec<ItemStatsRow>,
    pub gaps: Vec<(i64, String, String)>,
    pub segments: Vec<(String, String, TableCell)>,
    pub latest_wave: i64,
}

/// The item drill-down; `None` when the report has no such item.
pub fn item_page(
    report: &Report,
    labels: &Labels,
    visibility: Visibility,
    item: &str,
) -> Result<Option<ItemPage>, askama::Error> {
    let Some((id, dimension)) = item_ids(report).into_iter().find(|(i, _)| i == item) else {
        return Ok(None);
    };
    let sides = sides(visibility);
    let last = latest(report);
    let answers = labels.answers();
    let mut dist_rows = Vec::new();
    let mut rows = Vec::new();
    for w in waves(report).into_iter().rev() {
        for &side in &sides {
            let rec = whole_item(report, w, side, &id);
            let label = format!("Wave {w} · {}", firm(report, side));
            let bar = match rec {
                Some(r) if r.id.suppressed.is_some() => {
                    Bar::Withheld(withheld(r.id.suppressed.as_deref().unwrap_or_default()))
                }
                Some(ItemRecord { stats: Some(s), .. }) => {
                    let c = s.counts;
                    Bar::Shown([c[0], c[1], c[2], c[3], c[4], s.n_dont_know])
                }
                _ => Bar::Shown([0; 6]),
            };
            dist_rows.push(DistRow { label, bar });
            let cells = match rec {
                Some(r) if r.id.suppressed.is_some() => {
                    vec![TableCell::hidden(
                        r.id.suppressed.as_deref().unwrap_or_default(),
                    )]
                }
                Some(ItemRecord {
                    stats: Some(s),
                    agreement,
                    ..
                }) => {
                    let mut v: Vec<TableCell> = s
                        .counts
                        .iter()
                        .chain([&s.n_dont_know])
                        .map(|n| TableCell::value(n.to_string()))
                        .collect();
                    v.push(TableCell::value(format!(
                        "{}{}",
                        opt(s.mean, 2),
                        s.mean_ci95
                            .map(|[lo, hi]| format!(" ({}–{})", fixed(lo, 2), fixed(hi, 2)))
                            .unwrap_or_default()
                    )));
                    v.push(TableCell::value(
                        s.favourable_pct
                            .map_or_else(|| "–".into(), |f| format!("{} %", fixed(f, 0))),
                    ));
                    v.push(TableCell::value(format!(
                        "{} {}",
                        opt(s.rwg, 2),
                        agreement.unwrap_or("")
                    )));
                    v
                }
                _ => vec![TableCell::value("no answers".into())],
            };
            rows.push(ItemStatsRow {
                wave: w,
                firm: firm(report, side).to_owned(),
                cells,
            });
        }
    }
    let gaps = report
        .inter_firm
        .items
        .iter()
        .filter(|r| r.item.as_deref() == Some(id.as_str()))
        .rev()
        .map(|r| match (&r.suppressed, &r.comparison) {
            (Some(reason), _) => (r.wave, withheld(reason), String::new()),
            (None, Some(c)) => (
                r.wave,
                opt(c.mean_diff, 2),
                format!("{} ({})", r.significance.unwrap_or("–"), p_value(c.welch_p)),
            ),
            (None, None) => (r.wave, "–".into(), String::new()),
        })
        .collect();
    let mut segments = Vec::new();
    for &side in &sides {
        for rec in report.items.iter().filter(|i| {
            i.id.wave == last
                && i.id.side == side
                && i.item == id
                && (i.id.segment_kind == "level" || i.id.segment_kind == "function")
        }) {
            segments.push((
                format!("{} · {}", firm(report, side), rec.id.segment_kind),
                rec.id.segment.clone().unwrap_or_default(),
                item_cell(Some(rec)),
            ));
        }
    }
    let wordings = sides
        .iter()
        .filter_map(|&s| {
            let (c, sup) = labels.items.get(&id)?;
            Some((
                firm(report, s).to_owned(),
                if s == Side::Customer {
                    c.clone()
                } else {
                    sup.clone()
                },
            ))
        })
        .collect();
    let title = format!(
        "Answers to “{}” by wave and firm",
        labels.items.get(&id).map_or(id.as_str(), |w| w.0.as_str())
    );
    let desc = format!(
        "Share of each answer, {} rows; withheld groups are hatched and show no numbers.",
        dist_rows.len()
    );
    let d = Distribution {
        id: format!("item-{id}"),
        title,
        desc,
        answers: answers.clone(),
        rows: dist_rows,
    };
    Ok(Some(ItemPage {
        chart: chart(format!("item-{}", slug(&id)), d.render())?,
        dimension: dimension
            .as_deref()
            .map(|d| labels.dimension(d))
            .unwrap_or_default(),
        id,
        wordings,
        answers,
        rows,
        gaps,
        segments,
        latest_wave: last,
    }))
}

/// One change of a firm's dimension mean since the previous wave.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    pub firm: String,
    pub dimension: String,
    pub from: String,
    pub to: String,
    pub diff: String,
    pub significance: String,
}

#[derive(Debug, Clone)]
pub struct GapRow {
    pub dimension: String,
    pub customer: String,
    pub supplier: String,
    pub gap: TableCell,
    pub significance: String,
    pub effect: String,
}

#[derive(Debug, Clone)]
pub struct Review {
    pub wave: i64,
    pub previous: Option<i64>,
    pub closed_on: String,
    pub health: Option<HealthView>,
    pub changes: Vec<ChangeRow>,
    pub gaps: Vec<GapRow>,
    pub agreement: Vec<(String, Vec<AgreementView>)>,
    pub rates: RatesView,
    pub dimensions: Vec<DimensionView>,
    pub questions: Vec<String>,
    pub waves: Vec<i64>,
}

/// The review pack for `wave`; `None` when the report has no such closed wave.
pub fn review(
    report: &Report,
    labels: &Labels,
    visibility: Visibility,
    wave: i64,
) -> Result<Option<Review>, askama::Error> {
    let Some(info) = report.waves.iter().find(|w| w.wave == wave) else {
        return Ok(None);
    };
    let sides = sides(visibility);
    let dims = dimension_ids(report);
    let previous = report
        .waves
        .iter()
        .rev()
        .find(|w| w.wave < wave)
        .map(|w| w.wave);
    let mut questions = Vec::new();

    let mut changes = Vec::new();
    for d in &dims {
        let name = labels.dimension(d);
        for &side in &sides {
            let Some(t) = report
                .trend
                .iter()
                .find(|t| t.side == side && t.kind == "dimension" && &t.target == d)
            else {
                continue;
            };
            let Some(c) = t.changes.iter().find(|c| c.to_wave == wave) else {
                continue;
            };
            let sig = c.welch_p.is_some_and(|p| p < SIGNIFICANCE_LEVEL);
            let upto: Vec<(f64, f64)> = t
                .x_waves
                .iter()
                .zip(&t.y_means)
                .filter(|(w, _)| **w <= wave)
                .map(|(w, m)| (*w as f64, *m))
                .collect();
            let fit = crate::stats::linear_trend(&upto);
            if let (false, Some(slope), Some(p)) = (sig, fit.slope, fit.p) {
                if p < SIGNIFICANCE_LEVEL && slope < 0.0 {
                    questions.push(format!(
                        "{name} at {} has been falling by {} points per wave over {} waves (significant, {}). What is wearing it down?",
                        firm(report, side),
                        fixed(slope.abs(), 2),
                        upto.len(),
                        p_value(Some(p))
                    ));
                }
            }
            if let (true, Some(diff)) = (sig, c.mean_diff) {
                let verb = if diff < 0.0 { "fell" } else { "rose" };
                let ask = if diff < 0.0 {
                    "What happened in the joint work since then, and what would turn it around?"
                } else {
                    "What went well that both firms should keep doing?"
                };
                questions.push(format!(
                    "{name} at {} {verb} by {} since wave {} ({} → {}). {ask}",
                    firm(report, side),
                    fixed(diff.abs(), 2),
                    c.from_wave,
                    opt(c.mean_from, 2),
                    opt(c.mean_to, 2)
                ));
            }
            changes.push(ChangeRow {
                firm: firm(report, side).to_owned(),
                dimension: name.clone(),
                from: format!("{} (wave {})", opt(c.mean_from, 2), c.from_wave),
                to: opt(c.mean_to, 2),
                diff: c.mean_diff.map_or_else(|| "–".into(), |v| signed(v, 2)),
                significance: format!("{} ({})", c.significance.unwrap_or("–"), p_value(c.welch_p)),
            });
        }
    }

    let mut gaps = Vec::new();
    for d in &dims {
        let Some(r) = inter_firm(report, wave, d) else {
            continue;
        };
        let name = labels.dimension(d);
        let (gap, customer, supplier, significance, effect) = match (&r.suppressed, &r.comparison) {
            (Some(reason), _) => (
                TableCell::hidden(reason),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
            (None, Some(c)) => (
                TableCell::value(opt(c.mean_diff, 2)),
                opt(c.mean_1, 2),
                opt(c.mean_2, 2),
                format!("{} ({})", r.significance.unwrap_or("–"), p_value(c.welch_p)),
                r.hedges_g_band
                    .map(|b| format!("{b} (Hedges' g {})", opt(c.hedges_g, 2)))
                    .unwrap_or_default(),
            ),
            (None, None) => (
                TableCell::value("–".into()),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        if let (true, Some(c)) = (significant(r), &r.comparison) {
            if let Some(diff) = c.mean_diff {
                let (higher, lower) = if diff > 0.0 {
                    (&report.partnership.customer, &report.partnership.supplier)
                } else {
                    (&report.partnership.supplier, &report.partnership.customer)
                };
                questions.push(format!(
                    "{higher} rates {} {} points higher than {lower} does (significant). What does each firm see that the other does not?",
                    name.to_lowercase(),
                    fixed(diff.abs(), 2)
                ));
            }
        }
        gaps.push(GapRow {
            dimension: name,
            customer,
            supplier,
            gap,
            significance,
            effect,
        });
    }

    let mut agreement = Vec::new();
    for d in &dims {
        let name = labels.dimension(d);
        let mut per_side = Vec::new();
        for &side in &sides {
            let Some(rec) = whole(report, wave, side, d) else {
                continue;
            };
            let (text, band) = match (&rec.id.suppressed, &rec.stats) {
                (Some(reason), _) => (withheld(reason), String::new()),
                (None, Some(s)) => {
                    if let Some(r) = s.agreement.rwg_j.filter(|r| *r < LOW_AGREEMENT) {
                        questions.push(format!(
                            "People at {} do not see {} the same way (rwg(j) {}, {}). Which levels or functions differ, and why?",
                            firm(report, side),
                            name.to_lowercase(),
                            fixed(r, 2),
                            s.agreement_band.unwrap_or("")
                        ));
                    }
                    (
                        format!("rwg(j) {}", opt(s.agreement.rwg_j, 2)),
                        s.agreement_band.unwrap_or("–").to_owned(),
                    )
                }
                (None, None) => ("no answers".into(), String::new()),
            };
            per_side.push(AgreementView {
                firm: firm(report, side).to_owned(),
                side: side.as_str(),
                text,
                band,
            });
        }
        agreement.push((name, per_side));
    }

    for &side in &sides {
        if let Some(r) = whole_group(report, wave, side).and_then(|g| g.response_rate) {
            if r < LOW_RESPONSE {
                questions.push(format!(
                    "Only {} of the people invited at {} answered. How do we hear from more of them next wave?",
                    pct(r),
                    firm(report, side)
                ));
            }
        }
    }
    if questions.is_empty() {
        questions.push("No significant gap, change or disagreement this wave. Which priorities should the next wave look at?".into());
    }
    if let Some(q) = &labels.review_question {
        questions.push(q.clone());
    }

    let dimensions = dims
        .iter()
        .map(|d| dimension_view(report, labels, &sides, d, wave))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Review {
        wave,
        previous,
        closed_on: info
            .closed_at
            .map(|t| t.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
        health: health_view(report, wave)?,
        changes,
        gaps,
        agreement,
        rates: rates_view(report, &sides, wave)?,
        dimensions,
        questions,
        waves: waves(report),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fixed(-0.004, 2), "0.00");
        assert_eq!(fixed(-0.64, 2), "−0.64");
        assert_eq!(signed(0.84, 2), "+0.84");
        assert_eq!(signed(0.0, 2), "0.00");
        assert_eq!(p_value(Some(0.0001)), "p < 0.001");
        assert_eq!(p_value(Some(0.0345)), "p = 0.035");
        assert_eq!(humanize("on_time_delivery_pct"), "on time delivery (%)");
    }

    #[test]
    fn withheld_reasons_read_as_withheld() {
        assert_eq!(
            withheld("fewer than 5 responses"),
            "withheld: fewer than 5 responses"
        );
        assert!(withheld("withheld so that …").starts_with("withheld so"));
    }
}
