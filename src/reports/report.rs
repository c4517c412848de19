//! The report document: from stored aggregates (never raw answers) to every number a
//! relationship manager reads — per wave, side, item, dimension and segment: n, response
//! rate, descriptives and agreement; the between-firm comparison; ICC across a segment
//! attribute; trends; the KPI lead–lag; and a 0–100 health index.
//!
//! [`assemble`] is pure (aggregates in, document out) and applies the confidentiality rules
//! of [`super::confidentiality`] before any number is placed in the document.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use serde::Serialize;

use super::aggregate::{self, DimensionAggregate, GroupAggregate, SegmentKind};
use super::confidentiality::{self, Cell};
use super::kpi::{self, AlignedKpi, WaveWindow};
use crate::db::{firms, template_versions, waves, Conn};
use crate::domain::Side;
use crate::error::ServiceError;
use crate::stats::{
    self, agreement_band, cliffs_delta_band, hedges_g_band, significance, Comparison,
    DimensionAgreement, ItemHistogram, ItemSummary, LeadLag, SampleSummary, Trend, ValueCounts,
};
use crate::survey_templates::SurveyTemplate;

/// Lags of the lead–lag table: k = 0..=MAX_LAG waves.
pub const MAX_LAG: u32 = 3;

/// What to report on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Only this wave's sections (trends and lead–lag still use every closed wave up to it).
    pub wave: Option<i64>,
    /// The breakdown: `None` = level and function; `Some(All)` = none.
    pub segment: Option<SegmentKind>,
}

impl ReportOptions {
    fn breakdowns(&self) -> Vec<SegmentKind> {
        match self.segment {
            None => vec![SegmentKind::Level, SegmentKind::Function],
            Some(SegmentKind::All) => vec![],
            Some(kind) => vec![kind],
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartnershipInfo {
    pub id: i64,
    pub name: String,
    pub customer: String,
    pub supplier: String,
    pub min_reporting_size: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WaveInfo {
    pub wave: i64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<NaiveDateTime>,
}

/// The whole document. Sections are flat lists of records, each naming its wave, side and
/// segment, so the JSON and the CSV carry the same rows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub partnership: PartnershipInfo,
    /// The wave asked for, if any.
    pub wave: Option<i64>,
    /// Breakdowns included: `level`, `function` or `level_function`.
    pub breakdowns: Vec<String>,
    /// Closed waves the report draws on, oldest first.
    pub waves: Vec<WaveInfo>,
    #[schema(value_type = Vec<Object>)]
    pub groups: Vec<GroupRecord>,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ItemRecord>,
    #[schema(value_type = Vec<Object>)]
    pub dimensions: Vec<DimensionRecord>,
    #[schema(value_type = Object)]
    pub inter_firm: InterFirm,
    #[schema(value_type = Vec<Object>)]
    pub icc: Vec<IccRecord>,
    #[schema(value_type = Vec<Object>)]
    pub trend: Vec<TrendRecord>,
    #[schema(value_type = Vec<Object>)]
    pub lead_lag: Vec<LeadLagRecord>,
    #[schema(value_type = Vec<Object>)]
    pub health: Vec<HealthRecord>,
}

/// Who a record is about.
#[derive(Debug, Clone, Serialize)]
pub struct GroupId {
    pub wave: i64,
    pub side: Side,
    pub segment_kind: &'static str,
    /// The segment as first spelled; `null` for the whole side.
    pub segment: Option<String>,
    /// Why the numbers are withheld; `null` when shown.
    pub suppressed: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRecord {
    #[serde(flatten)]
    pub id: GroupId,
    pub invited: Option<u64>,
    pub responded: Option<u64>,
    pub response_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemRecord {
    #[serde(flatten)]
    pub id: GroupId,
    pub item: String,
    pub dimension: Option<String>,
    #[serde(flatten)]
    pub stats: Option<ItemSummary>,
    /// LeBreton & Senter's band for rwg, in words.
    pub agreement: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DimensionRecord {
    #[serde(flatten)]
    pub id: GroupId,
    pub dimension: String,
    #[serde(flatten)]
    pub stats: Option<DimensionStats>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DimensionStats {
    pub items: Vec<String>,
    pub n_respondents: u64,
    pub n_complete: u64,
    pub n_excluded_listwise: u64,
    #[serde(flatten)]
    pub summary: SampleSummary,
    #[serde(flatten)]
    pub agreement: DimensionAgreement,
    /// LeBreton & Senter's band for rwg(j), in words.
    pub agreement_band: Option<&'static str>,
    pub pairwise: Pairwise,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pairwise {
    /// Why the block is withheld (one of the dimension's items is withheld in the group);
    /// `null` when shown.
    pub suppressed: Option<String>,
    pub rwg_j: Option<f64>,
    pub ad_m: Option<f64>,
    pub awg: Option<f64>,
    pub n_per_item: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct InterFirm {
    pub items: Vec<InterFirmRecord>,
    pub dimensions: Vec<InterFirmRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InterFirmRecord {
    pub wave: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    pub dimension: Option<String>,
    pub suppressed: Option<String>,
    #[serde(flatten)]
    pub comparison: Option<Comparison>,
    /// Welch's test at 5 %, in words.
    pub significance: Option<&'static str>,
    pub hedges_g_band: Option<&'static str>,
    pub cliffs_delta_band: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IccRecord {
    pub wave: i64,
    pub side: Side,
    pub kind: &'static str,
    pub target: String,
    pub grouping: &'static str,
    pub suppressed: Option<String>,
    #[serde(flatten)]
    pub stats: Option<IccStats>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IccStats {
    pub n: u64,
    /// Segment → answers (items) or complete respondents (dimensions).
    pub group_sizes: BTreeMap<String, u64>,
    pub k: Option<f64>,
    pub df_between: Option<f64>,
    pub df_within: Option<f64>,
    pub msb: Option<f64>,
    pub msw: Option<f64>,
    pub icc1: Option<f64>,
    pub icc2: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendRecord {
    pub side: Side,
    pub kind: &'static str,
    pub target: String,
    /// Closed waves whose whole-side group is shown and has a mean.
    pub x_waves: Vec<i64>,
    pub y_means: Vec<f64>,
    #[serde(flatten)]
    pub fit: Trend,
    /// Welch's t test of each wave against the previous shown wave.
    pub changes: Vec<WaveChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WaveChange {
    pub from_wave: i64,
    pub to_wave: i64,
    pub n_from: u64,
    pub n_to: u64,
    pub mean_from: Option<f64>,
    pub mean_to: Option<f64>,
    /// later − earlier
    pub mean_diff: Option<f64>,
    pub welch_t: Option<f64>,
    pub welch_df: Option<f64>,
    pub welch_p: Option<f64>,
    pub diff_ci95: Option<[f64; 2]>,
    pub hedges_g: Option<f64>,
    pub cliffs_delta: Option<f64>,
    pub mwu_p: Option<f64>,
    pub significance: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub waves: Vec<u32>,
    pub means: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KpiSeries {
    pub waves: Vec<u32>,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeadLagRecord {
    pub kpi: String,
    pub unit: String,
    pub better: String,
    pub side: Side,
    pub dimension: String,
    pub perception: Series,
    pub kpi_values: KpiSeries,
    #[serde(flatten)]
    pub table: LeadLag,
}

#[derive(Debug, Clone, Serialize)]
pub struct HealthRecord {
    pub wave: i64,
    pub suppressed: Option<String>,
    /// 0–100; see `docs/statistics.md`.
    pub index: Option<f64>,
    pub components: Option<HealthComponents>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HealthComponents {
    /// Mean over sides and dimensions of (mean − 1)/4, in [0, 1].
    pub level: f64,
    /// Mean over sides and dimensions of rwg(j), in [0, 1].
    pub agreement: f64,
    /// Mean over dimensions of |customer mean − supplier mean|/4, in [0, 1].
    pub gap: f64,
}

/// Weights of the health index components (level, agreement, 1 − gap).
pub const HEALTH_WEIGHTS: [f64; 3] = [0.6, 0.2, 0.2];

/// Everything [`assemble`] needs, loaded by [`build`].
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub partnership: PartnershipInfo,
    /// Closed waves up to the one asked for: (seq, id, closed_at), oldest first.
    pub waves: Vec<(i64, i64, Option<NaiveDateTime>)>,
    pub options: ReportOptions,
    /// Item ids in template order, with their dimension.
    pub items: Vec<(String, String)>,
    /// Dimension ids in template order.
    pub dimensions: Vec<String>,
    pub groups: Vec<GroupAggregate>,
    pub kpis: Vec<AlignedKpi>,
}

/// Loads the aggregates and KPIs of a partnership and assembles its report.
pub fn build(
    conn: &mut Conn,
    partnership_id: i64,
    options: &ReportOptions,
) -> Result<Report, ServiceError> {
    let input = load(conn, partnership_id, options)?;
    Ok(assemble(&input))
}

/// The database half of [`build`].
pub fn load(
    conn: &mut Conn,
    partnership_id: i64,
    options: &ReportOptions,
) -> Result<ReportInput, ServiceError> {
    let p = crate::db::partnerships::require(conn, partnership_id)?;
    let names: HashMap<i64, String> =
        firms::get_many(conn, &[p.customer_firm_id, p.supplier_firm_id])?
            .into_iter()
            .map(|f| (f.id, f.name))
            .collect();
    let all_waves = waves::for_partnership(conn, partnership_id)?;
    let mut closed: Vec<&crate::db::models::Wave> =
        all_waves.iter().filter(|w| w.state == "closed").collect();
    if closed.is_empty() {
        return Err(ServiceError::Conflict(format!(
            "partnership {partnership_id} has no closed wave yet; a report needs at least one"
        )));
    }
    if let Some(seq) = options.wave {
        match all_waves.iter().find(|w| w.seq == seq) {
            None => {
                return Err(ServiceError::NotFound(format!(
                    "partnership {partnership_id} has no wave {seq}"
                )))
            }
            Some(w) if w.state != "closed" => {
                return Err(ServiceError::Conflict(format!(
                    "wave {seq} is {}; a report covers closed waves only",
                    w.state
                )))
            }
            Some(_) => closed.retain(|w| w.seq <= seq),
        }
    }
    let latest = closed.last().expect("at least one closed wave");
    let version = template_versions::get(conn, latest.template_version_id)?;
    let template = SurveyTemplate::from_stored(&version.version, &version.body)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
    let wave_ids: Vec<i64> = closed.iter().map(|w| w.id).collect();
    let mut kinds = vec![SegmentKind::All];
    kinds.extend(options.breakdowns());
    let groups = aggregate::load(conn, &wave_ids, &kinds)
        .map_err(|e| ServiceError::Internal(anyhow::Error::new(e)))?;
    let windows: Vec<WaveWindow> = all_waves
        .iter()
        .map(|w| WaveWindow {
            seq: w.seq,
            opens_on: w.opens_at.date(),
            closes_on: w.closes_at.date(),
        })
        .collect();
    let kpis = kpi::load_aligned(conn, partnership_id, &windows)?;
    let firm = |id: i64| names.get(&id).cloned().unwrap_or_default();
    Ok(ReportInput {
        partnership: PartnershipInfo {
            id: p.id,
            name: p.name.clone(),
            customer: firm(p.customer_firm_id),
            supplier: firm(p.supplier_firm_id),
            min_reporting_size: u64::try_from(p.min_reporting_size).unwrap_or(5),
        },
        waves: closed.iter().map(|w| (w.seq, w.id, w.closed_at)).collect(),
        options: options.clone(),
        items: template
            .items()
            .iter()
            .map(|i| (i.id().to_owned(), i.dimension().to_owned()))
            .collect(),
        dimensions: template
            .dimensions()
            .iter()
            .map(|d| d.id().to_owned())
            .collect(),
        groups,
        kpis,
    })
}

/// The groups of one wave, indexed for the builder, with their suppression decided.
struct WaveGroups<'a> {
    seq: i64,
    /// (side, kind) → groups of that kind, in stored order.
    by_kind: HashMap<(Side, SegmentKind), Vec<&'a GroupAggregate>>,
    /// (side, kind, key) → reason.
    hidden: HashMap<(Side, SegmentKind, String), String>,
    /// (side, kind, position in `by_kind`, target index) → why that item or dimension of the
    /// group is withheld: the group's own reason, or rule 5 of `confidentiality`.
    target_hidden: HashMap<(Side, SegmentKind, usize, usize), String>,
}

/// A group as the confidentiality rules see it, counting `count` (responses, answers or
/// complete respondents).
fn cell(g: &GroupAggregate, count: u64) -> Cell {
    Cell {
        key: g.key.clone(),
        cross: (g.kind == SegmentKind::LevelFunction).then(|| {
            let (a, b) = g
                .key
                .split_once(aggregate::CROSS_TAB_SEPARATOR)
                .unwrap_or((&g.key, ""));
            (a.to_owned(), b.to_owned())
        }),
        responded: count,
    }
}

/// The count rule 5 of `confidentiality` is about: answers to an item, listwise-complete
/// respondents of a dimension.
fn target_count(g: &GroupAggregate, kind: TargetKind, target: &str) -> u64 {
    match kind {
        TargetKind::Item => item_histogram(g, target).n(),
        TargetKind::Dimension => dimension(g, target).map_or(0, |d| d.n_complete),
    }
}

impl<'a> WaveGroups<'a> {
    fn new(
        seq: i64,
        groups: Vec<&'a GroupAggregate>,
        min: u64,
        targets: &[(TargetKind, &str)],
    ) -> Self {
        let mut by_kind: HashMap<(Side, SegmentKind), Vec<&GroupAggregate>> = HashMap::new();
        for g in groups {
            by_kind.entry((g.side, g.kind)).or_default().push(g);
        }
        let mut hidden = HashMap::new();
        for ((side, kind), members) in &by_kind {
            let cells: Vec<Cell> = members.iter().map(|g| cell(g, g.responded)).collect();
            for (key, reason) in confidentiality::suppress(&cells, min) {
                hidden.insert((*side, *kind, key), reason);
            }
        }
        // A side too small to show hides every segment of it as well.
        for side in Side::BOTH {
            if let Some(reason) = hidden
                .get(&(side, SegmentKind::All, String::new()))
                .cloned()
            {
                for ((s, kind), members) in &by_kind {
                    if *s == side {
                        for g in members {
                            hidden
                                .entry((side, *kind, g.key.clone()))
                                .or_insert_with(|| reason.clone());
                        }
                    }
                }
            }
        }
        let target_hidden = Self::hide_targets(&by_kind, &hidden, min, targets);
        Self {
            seq,
            by_kind,
            hidden,
            target_hidden,
        }
    }

    /// Rule 5 of `confidentiality`: per item and dimension, the segments of each kind whose
    /// answers (complete respondents) are too few, or whose withheld neighbours' are; a
    /// withheld group withholds all its items and dimensions, and a withheld whole side all
    /// its segments'.
    fn hide_targets(
        by_kind: &HashMap<(Side, SegmentKind), Vec<&GroupAggregate>>,
        hidden: &HashMap<(Side, SegmentKind, String), String>,
        min: u64,
        targets: &[(TargetKind, &str)],
    ) -> HashMap<(Side, SegmentKind, usize, usize), String> {
        let mut out = HashMap::new();
        let (answers, complete) = (
            confidentiality::Reasons::answers(min),
            confidentiality::Reasons::complete_answers(min),
        );
        for (&(side, kind), members) in by_kind {
            let already: HashMap<String, String> = members
                .iter()
                .filter_map(|g| {
                    let reason = hidden.get(&(side, kind, g.key.clone()))?;
                    Some((g.key.clone(), reason.clone()))
                })
                .collect();
            for (t, &(target_kind, target)) in targets.iter().enumerate() {
                let counts: Vec<u64> = members
                    .iter()
                    .map(|g| target_count(g, target_kind, target))
                    .collect();
                if already.is_empty() && counts.iter().all(|&n| n >= min) {
                    continue;
                }
                let cells: Vec<Cell> = members
                    .iter()
                    .zip(&counts)
                    .map(|(g, &n)| cell(g, n))
                    .collect();
                let reasons = match target_kind {
                    TargetKind::Item => &answers,
                    TargetKind::Dimension => &complete,
                };
                let withheld =
                    confidentiality::suppress_from(&cells, min, already.clone(), reasons);
                for (pos, g) in members.iter().enumerate() {
                    if let Some(reason) = withheld.get(&g.key) {
                        out.insert((side, kind, pos, t), reason.clone());
                    }
                }
            }
        }
        for side in Side::BOTH {
            for t in 0..targets.len() {
                let Some(reason) = out.get(&(side, SegmentKind::All, 0, t)).cloned() else {
                    continue;
                };
                for (&(s, kind), members) in by_kind {
                    if s == side {
                        for pos in 0..members.len() {
                            out.entry((side, kind, pos, t))
                                .or_insert_with(|| reason.clone());
                        }
                    }
                }
            }
        }
        out
    }

    /// Why the `t`-th target of the group at `pos` is withheld, if it is.
    fn target_reason(&self, side: Side, kind: SegmentKind, pos: usize, t: usize) -> Option<&str> {
        self.target_hidden
            .get(&(side, kind, pos, t))
            .map(String::as_str)
    }

    /// The whole side's group when its `t`-th target may be shown.
    fn shown_whole_target(&self, side: Side, t: usize) -> Option<&'a GroupAggregate> {
        self.whole(side)
            .filter(|_| self.target_reason(side, SegmentKind::All, 0, t).is_none())
    }

    /// Why the whole side's `t`-th target is withheld (the side missing counts as too small).
    fn whole_target_reason(&self, side: Side, t: usize, min: u64) -> Option<String> {
        match self.whole(side) {
            None => Some(confidentiality::below_minimum(min)),
            Some(_) => self
                .target_reason(side, SegmentKind::All, 0, t)
                .map(str::to_owned),
        }
    }

    fn groups(&self, side: Side, kind: SegmentKind) -> &[&'a GroupAggregate] {
        self.by_kind
            .get(&(side, kind))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    fn whole(&self, side: Side) -> Option<&'a GroupAggregate> {
        self.groups(side, SegmentKind::All).first().copied()
    }

    fn reason(&self, g: &GroupAggregate) -> Option<String> {
        self.hidden.get(&(g.side, g.kind, g.key.clone())).cloned()
    }

    fn id(&self, g: &GroupAggregate) -> GroupId {
        GroupId {
            wave: self.seq,
            side: g.side,
            segment_kind: g.kind.as_str(),
            segment: (g.kind != SegmentKind::All).then(|| g.label.clone()),
            suppressed: self.reason(g),
        }
    }

    /// The whole side's group when it may be shown.
    fn shown_whole(&self, side: Side) -> Option<&'a GroupAggregate> {
        self.whole(side).filter(|g| self.reason(g).is_none())
    }
}

fn item_histogram(g: &GroupAggregate, item: &str) -> ItemHistogram {
    g.items
        .iter()
        .find(|(i, _)| i == item)
        .map(|(_, h)| *h)
        .unwrap_or_default()
}

fn dimension<'g>(g: &'g GroupAggregate, id: &str) -> Option<&'g DimensionAggregate> {
    g.dimensions.iter().find(|(d, _)| d == id).map(|(_, d)| d)
}

/// The statistics of a shown dimension; `pairwise_withheld` is why its pairwise block is not
/// shown (one of its items is withheld in the group), if it is not.
fn dimension_stats(
    g: &GroupAggregate,
    d: &DimensionAggregate,
    pairwise_withheld: Option<&str>,
) -> DimensionStats {
    let means = d.means();
    let summary = stats::describe_sample(&means);
    let agreement = stats::dimension_agreement(&d.listwise_histograms());
    let pairwise_histograms: Vec<ItemHistogram> = d
        .listwise
        .iter()
        .map(|(item, _)| item_histogram(g, item))
        .collect();
    let pairwise = stats::dimension_agreement(&pairwise_histograms);
    DimensionStats {
        items: d.listwise.iter().map(|(i, _)| i.clone()).collect(),
        n_respondents: d.n_respondents,
        n_complete: d.n_complete,
        n_excluded_listwise: d.n_respondents.saturating_sub(d.n_complete),
        summary,
        agreement_band: agreement.rwg_j.map(|r| agreement_band(r).words()),
        agreement,
        pairwise: match pairwise_withheld {
            Some(reason) => Pairwise {
                suppressed: Some(format!("an item is withheld ({reason})")),
                rwg_j: None,
                ad_m: None,
                awg: None,
                n_per_item: BTreeMap::new(),
            },
            None => Pairwise {
                suppressed: None,
                rwg_j: pairwise.rwg_j,
                ad_m: pairwise.ad_m,
                awg: pairwise.awg,
                n_per_item: d
                    .listwise
                    .iter()
                    .zip(&pairwise_histograms)
                    .map(|((item, _), h)| (item.clone(), h.n()))
                    .collect(),
            },
        },
    }
}

fn sample(g: &GroupAggregate, kind: TargetKind, target: &str) -> ValueCounts {
    match kind {
        TargetKind::Item => ValueCounts::from_histogram(&item_histogram(g, target)),
        TargetKind::Dimension => dimension(g, target).map(|d| d.means()).unwrap_or_default(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TargetKind {
    Item,
    Dimension,
}

impl TargetKind {
    fn as_str(self) -> &'static str {
        match self {
            TargetKind::Item => "item",
            TargetKind::Dimension => "dimension",
        }
    }
}

/// Builds the document from loaded aggregates (pure).
pub fn assemble(input: &ReportInput) -> Report {
    let min = input.partnership.min_reporting_size;
    let mut per_wave: BTreeMap<i64, Vec<&GroupAggregate>> = BTreeMap::new();
    let seq_of: HashMap<i64, i64> = input.waves.iter().map(|(seq, id, _)| (*id, *seq)).collect();
    for g in &input.groups {
        if let Some(seq) = seq_of.get(&g.wave_id) {
            per_wave.entry(*seq).or_default().push(g);
        }
    }
    let targets: Vec<(TargetKind, &str)> = input
        .items
        .iter()
        .map(|(i, _)| (TargetKind::Item, i.as_str()))
        .chain(
            input
                .dimensions
                .iter()
                .map(|d| (TargetKind::Dimension, d.as_str())),
        )
        .collect();
    let first_dimension = input.items.len();
    let item_index: HashMap<&str, usize> = input
        .items
        .iter()
        .enumerate()
        .map(|(t, (i, _))| (i.as_str(), t))
        .collect();
    let waves: Vec<WaveGroups> = input
        .waves
        .iter()
        .map(|(seq, _, _)| {
            let groups = per_wave.remove(seq).unwrap_or_default();
            WaveGroups::new(*seq, groups, min, &targets)
        })
        .collect();
    let shown_waves: Vec<&WaveGroups> = waves
        .iter()
        .filter(|w| input.options.wave.is_none_or(|seq| w.seq == seq))
        .collect();
    let mut kinds = vec![SegmentKind::All];
    kinds.extend(input.options.breakdowns());

    let mut report = Report {
        partnership: input.partnership.clone(),
        wave: input.options.wave,
        breakdowns: input
            .options
            .breakdowns()
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect(),
        waves: input
            .waves
            .iter()
            .map(|(seq, _, closed_at)| WaveInfo {
                wave: *seq,
                closed_at: *closed_at,
            })
            .collect(),
        groups: Vec::new(),
        items: Vec::new(),
        dimensions: Vec::new(),
        inter_firm: InterFirm::default(),
        icc: Vec::new(),
        trend: Vec::new(),
        lead_lag: Vec::new(),
        health: Vec::new(),
    };
    let dimension_of: HashMap<&str, &str> = input
        .items
        .iter()
        .map(|(i, d)| (i.as_str(), d.as_str()))
        .collect();

    for w in &shown_waves {
        for side in Side::BOTH {
            for kind in &kinds {
                for (pos, g) in w.groups(side, *kind).iter().enumerate() {
                    let id = w.id(g);
                    let shown = id.suppressed.is_none();
                    let withheld = |t: usize| w.target_reason(side, *kind, pos, t);
                    for (t, (item, _)) in input.items.iter().enumerate() {
                        let reason = withheld(t);
                        let summary = reason
                            .is_none()
                            .then(|| stats::describe_item(&item_histogram(g, item)));
                        report.items.push(ItemRecord {
                            id: GroupId {
                                suppressed: reason.map(str::to_owned),
                                ..id.clone()
                            },
                            item: item.clone(),
                            dimension: dimension_of.get(item.as_str()).map(|d| (*d).to_owned()),
                            agreement: summary
                                .as_ref()
                                .and_then(|s| s.rwg)
                                .map(|r| agreement_band(r).words()),
                            stats: summary,
                        });
                    }
                    for (i, d) in input.dimensions.iter().enumerate() {
                        let reason = withheld(first_dimension + i);
                        let stats =
                            reason
                                .is_none()
                                .then(|| dimension(g, d))
                                .flatten()
                                .map(|agg| {
                                    // The pairwise block combines the group's item variances: it goes
                                    // with any of its items.
                                    let pairwise_withheld =
                                        agg.listwise.iter().find_map(|(item, _)| {
                                            item_index.get(item.as_str()).and_then(|&t| withheld(t))
                                        });
                                    dimension_stats(g, agg, pairwise_withheld)
                                });
                        report.dimensions.push(DimensionRecord {
                            id: GroupId {
                                suppressed: reason.map(str::to_owned),
                                ..id.clone()
                            },
                            dimension: d.clone(),
                            stats,
                        });
                    }
                    report.groups.push(GroupRecord {
                        invited: shown.then_some(g.invited),
                        responded: shown.then_some(g.responded),
                        response_rate: (shown && g.invited > 0)
                            .then(|| g.responded as f64 / g.invited as f64),
                        id,
                    });
                }
            }
            for kind in input.options.breakdowns() {
                if kind == SegmentKind::LevelFunction {
                    continue;
                }
                for (t, &(target_kind, target)) in targets.iter().enumerate() {
                    report
                        .icc
                        .push(icc_record(w, side, kind, target_kind, target, t));
                }
            }
        }
        for (t, &(target_kind, target)) in targets.iter().enumerate() {
            let (customer, supplier) = (
                w.shown_whole_target(Side::Customer, t),
                w.shown_whole_target(Side::Supplier, t),
            );
            let comparison = customer.zip(supplier).map(|(c, s)| {
                stats::compare(
                    &sample(c, target_kind, target),
                    &sample(s, target_kind, target),
                )
            });
            let suppressed = if comparison.is_some() {
                None
            } else {
                w.whole_target_reason(Side::Customer, t, min)
                    .or_else(|| w.whole_target_reason(Side::Supplier, t, min))
            };
            report_inter_firm(
                &mut report.inter_firm,
                w.seq,
                target_kind,
                target,
                &dimension_of,
                suppressed,
                comparison,
            );
        }
        report
            .health
            .push(health(w, &input.dimensions, first_dimension, min));
    }

    for side in Side::BOTH {
        for (t, &(target_kind, target)) in targets.iter().enumerate() {
            report
                .trend
                .push(trend_record(&waves, side, target_kind, target, t));
        }
    }
    for k in &input.kpis {
        for side in Side::BOTH {
            for (i, d) in input.dimensions.iter().enumerate() {
                report
                    .lead_lag
                    .push(lead_lag_record(&waves, k, side, d, first_dimension + i));
            }
        }
    }
    report
}

fn report_inter_firm(
    out: &mut InterFirm,
    wave: i64,
    kind: TargetKind,
    target: &str,
    dimension_of: &HashMap<&str, &str>,
    suppressed: Option<String>,
    comparison: Option<Comparison>,
) {
    let record = InterFirmRecord {
        wave,
        item: (kind == TargetKind::Item).then(|| target.to_owned()),
        dimension: match kind {
            TargetKind::Item => dimension_of.get(target).map(|d| (*d).to_owned()),
            TargetKind::Dimension => Some(target.to_owned()),
        },
        suppressed,
        significance: comparison
            .as_ref()
            .and_then(|c| c.welch_p)
            .map(|p| significance(p).words()),
        hedges_g_band: comparison
            .as_ref()
            .and_then(|c| c.hedges_g)
            .map(|g| hedges_g_band(g).words()),
        cliffs_delta_band: comparison
            .as_ref()
            .and_then(|c| c.cliffs_delta)
            .map(|d| cliffs_delta_band(d).words()),
        comparison,
    };
    match kind {
        TargetKind::Item => out.items.push(record),
        TargetKind::Dimension => out.dimensions.push(record),
    }
}

fn icc_record(
    w: &WaveGroups,
    side: Side,
    grouping: SegmentKind,
    kind: TargetKind,
    target: &str,
    t: usize,
) -> IccRecord {
    let members: Vec<(usize, &&GroupAggregate)> = w
        .groups(side, grouping)
        .iter()
        .enumerate()
        .filter(|(_, g)| g.responded > 0)
        .collect();
    let hidden = members
        .iter()
        .find_map(|&(pos, _)| w.target_reason(side, grouping, pos, t));
    let groups: Vec<&&GroupAggregate> = members.iter().map(|&(_, g)| g).collect();
    let suppressed =
        hidden.map(|reason| format!("a {} segment is withheld ({reason})", grouping.as_str()));
    let stats = suppressed.is_none().then(|| {
        let samples: Vec<ValueCounts> = groups.iter().map(|g| sample(g, kind, target)).collect();
        let r = stats::icc(&samples);
        IccStats {
            n: r.n,
            group_sizes: groups
                .iter()
                .zip(&r.group_sizes)
                .map(|(g, n)| (g.label.clone(), *n))
                .collect(),
            k: r.k,
            df_between: r.df_between,
            df_within: r.df_within,
            msb: r.msb,
            msw: r.msw,
            icc1: r.icc1,
            icc2: r.icc2,
        }
    });
    IccRecord {
        wave: w.seq,
        side,
        kind: kind.as_str(),
        target: target.to_owned(),
        grouping: grouping.as_str(),
        suppressed,
        stats,
    }
}

/// (wave, sample) of the shown whole-side groups whose target is shown and has a mean.
fn wave_samples(
    waves: &[WaveGroups],
    side: Side,
    kind: TargetKind,
    target: &str,
    t: usize,
) -> Vec<(i64, ValueCounts, f64)> {
    waves
        .iter()
        .filter_map(|w| {
            let g = w.shown_whole_target(side, t)?;
            let s = sample(g, kind, target);
            let mean = stats::describe_sample(&s).mean?;
            Some((w.seq, s, mean))
        })
        .collect()
}

fn trend_record(
    waves: &[WaveGroups],
    side: Side,
    kind: TargetKind,
    target: &str,
    t: usize,
) -> TrendRecord {
    let points = wave_samples(waves, side, kind, target, t);
    let xy: Vec<(f64, f64)> = points.iter().map(|(w, _, m)| (*w as f64, *m)).collect();
    let changes = points
        .windows(2)
        .map(|pair| {
            let ((from, earlier, _), (to, later, _)) = (&pair[0], &pair[1]);
            let c = stats::wave_change(earlier, later);
            WaveChange {
                from_wave: *from,
                to_wave: *to,
                n_from: c.n_2,
                n_to: c.n_1,
                mean_from: c.mean_2,
                mean_to: c.mean_1,
                mean_diff: c.mean_diff,
                welch_t: c.welch_t,
                welch_df: c.welch_df,
                welch_p: c.welch_p,
                diff_ci95: c.diff_ci95,
                hedges_g: c.hedges_g,
                cliffs_delta: c.cliffs_delta,
                mwu_p: c.mwu_p,
                significance: c.welch_p.map(|p| significance(p).words()),
            }
        })
        .collect();
    TrendRecord {
        side,
        kind: kind.as_str(),
        target: target.to_owned(),
        x_waves: points.iter().map(|(w, _, _)| *w).collect(),
        y_means: points.iter().map(|(_, _, m)| *m).collect(),
        fit: stats::linear_trend(&xy),
        changes,
    }
}

fn lead_lag_record(
    waves: &[WaveGroups],
    k: &AlignedKpi,
    side: Side,
    dimension: &str,
    t: usize,
) -> LeadLagRecord {
    let perception: BTreeMap<u32, f64> =
        wave_samples(waves, side, TargetKind::Dimension, dimension, t)
            .into_iter()
            .filter_map(|(w, _, m)| Some((u32::try_from(w).ok()?, m)))
            .collect();
    let table = stats::lead_lag(&perception, &k.by_wave, MAX_LAG);
    LeadLagRecord {
        kpi: k.name.clone(),
        unit: k.unit.clone(),
        better: k.better.clone(),
        side,
        dimension: dimension.to_owned(),
        perception: Series {
            waves: perception.keys().copied().collect(),
            means: perception.values().copied().collect(),
        },
        kpi_values: KpiSeries {
            waves: k.by_wave.keys().copied().collect(),
            values: k.by_wave.values().copied().collect(),
        },
        table,
    }
}

/// The 0–100 relationship health index of one wave (formula in `docs/statistics.md`).
///
/// A side's dimension withheld in that wave (too few complete answers) contributes no
/// component; `first_dimension` is the target index of `dimensions[0]`.
fn health(w: &WaveGroups, dimensions: &[String], first_dimension: usize, min: u64) -> HealthRecord {
    let undefined = |suppressed: Option<String>| HealthRecord {
        wave: w.seq,
        suppressed,
        index: None,
        components: None,
    };
    let (Some(customer), Some(supplier)) =
        (w.shown_whole(Side::Customer), w.shown_whole(Side::Supplier))
    else {
        return undefined(Some(confidentiality::below_minimum(min)));
    };
    let (mut levels, mut agreements, mut gaps) = (Vec::new(), Vec::new(), Vec::new());
    for (i, d) in dimensions.iter().enumerate() {
        let mut means = Vec::new();
        for g in [customer, supplier] {
            if w.target_reason(g.side, SegmentKind::All, 0, first_dimension + i)
                .is_some()
            {
                continue;
            }
            let Some(agg) = dimension(g, d) else { continue };
            if let Some(m) = stats::describe_sample(&agg.means()).mean {
                levels.push((m - 1.0) / 4.0);
                means.push(m);
            }
            if let Some(r) = stats::dimension_agreement(&agg.listwise_histograms()).rwg_j {
                agreements.push(r);
            }
        }
        if let [c, s] = means[..] {
            gaps.push((c - s).abs() / 4.0);
        }
    }
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let (Some(level), Some(agreement), Some(gap)) = (mean(&levels), mean(&agreements), mean(&gaps))
    else {
        return undefined(None);
    };
    let [wl, wa, wg] = HEALTH_WEIGHTS;
    HealthRecord {
        wave: w.seq,
        suppressed: None,
        index: Some(100.0 * (wl * level + wa * agreement + wg * (1.0 - gap))),
        components: Some(HealthComponents {
            level,
            agreement,
            gap,
        }),
    }
}
