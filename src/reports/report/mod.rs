//! The report document: from stored aggregates (never raw answers) to every number a
//! relationship manager reads — per wave, side, item, dimension and segment: n, response
//! rate, descriptives and agreement; the between-firm comparison; ICC across a segment
//! attribute; trends; the KPI lead–lag; and a 0–100 health index.
//!
//! [`assemble`] is pure (aggregates in, document out) and applies the confidentiality rules
//! of [`super::confidentiality`] before any number is placed in the document.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;
use serde::Serialize;

use super::aggregate::{self, DimensionAggregate, GroupAggregate, SegmentKind};
use super::confidentiality;
use super::kpi::{self, AlignedKpi, WaveWindow};
use super::verdict::{self, Verdict};
use crate::db::{firms, template_versions, waves, Conn};
use crate::domain::Side;
use crate::error::ServiceError;
use crate::i18n::en_static;
use crate::stats::{
    self, agreement_band, cliffs_delta_band, hedges_g_band, significance, ChangePoints, Comparison,
    DifferenceLeadLag, DimensionAgreement, ItemHistogram, ItemSummary, SampleSummary, Trend,
    ValueCounts,
};
use crate::survey_templates::SurveyTemplate;

mod assemble;
mod chance;
mod groups;
mod load;
mod meta;
mod protection;
mod sections;

pub use assemble::assemble;
use groups::*;
pub use load::{build, load};
pub use meta::{meta_words, MetaAccuracyRecord};
use sections::*;

/// What to report on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Only this wave's sections (trends and lead–lag still use every closed wave up to it).
    pub wave: Option<i64>,
    /// The breakdown: `None` = level, function and region, and business unit and the
    /// partnership's custom attributes where the waves have them; `Some(All)` = none. Language only when asked for: statistics pool the
    /// languages, the split is for checking translation effects.
    pub segment: Option<SegmentKind>,
    /// The survey series reported on (its key); `None`: the partnership's main series. A
    /// report never mixes series: their templates, scales and waves differ.
    pub series: Option<String>,
}

impl ReportOptions {
    /// The kinds of groups to load.
    fn breakdowns(&self) -> Vec<SegmentKind> {
        match self.segment {
            None => vec![
                SegmentKind::Level,
                SegmentKind::Function,
                SegmentKind::Region,
                SegmentKind::BusinessUnit,
            ],
            Some(SegmentKind::All) => vec![],
            Some(kind) => vec![kind],
        }
    }
}

impl ReportInput {
    /// The breakdowns the report shows: those asked for; by default level, function and
    /// region always, business unit only when a wave of the report has groups of it (most
    /// rosters give none).
    fn breakdowns(&self) -> Vec<SegmentKind> {
        let mut kinds = self.options.breakdowns();
        if self.options.segment.is_none() {
            kinds.retain(|&k| {
                k != SegmentKind::BusinessUnit || self.groups.iter().any(|g| g.kind == k)
            });
            // The partnership's custom attributes that a wave of the report has groups of,
            // in the order their groups were stored (by key).
            for g in &self.groups {
                if matches!(g.kind, SegmentKind::Attribute(_)) && !kinds.contains(&g.kind) {
                    kinds.push(g.kind);
                }
            }
        }
        kinds
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
    #[serde(serialize_with = "crate::domain::utc::rfc3339_option")]
    pub closed_at: Option<NaiveDateTime>,
}

/// The answer scale of the report's latest wave: its labels for points 1..=A (higher = better),
/// how many top points count as favourable, and the don't-know label. Each item record's
/// `counts` has one entry per point of the scale its own wave used.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportScale {
    /// A, the number of points.
    pub points: u8,
    /// Labels of points 1..=A.
    pub labels: Vec<String>,
    /// `favourable_pct` counts the answers in this many top points.
    pub favourable: u8,
    pub dont_know: String,
}

/// Five numbered points, the top two favourable (a report built without a template).
impl Default for ReportScale {
    fn default() -> Self {
        Self {
            points: stats::DEFAULT_POINTS,
            labels: (1..=stats::DEFAULT_POINTS).map(|p| p.to_string()).collect(),
            favourable: 2,
            dont_know: crate::i18n::en("report-dont-know"),
        }
    }
}

impl ReportScale {
    pub fn of(scale: &crate::survey_templates::Scale) -> Self {
        Self {
            points: scale.points(),
            labels: scale.labels().to_vec(),
            favourable: scale.favourable(),
            dont_know: scale.dont_know().to_owned(),
        }
    }
}

/// The whole document. Sections are flat lists of records, each naming its wave, side and
/// segment, so the JSON and the CSV carry the same rows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub partnership: PartnershipInfo,
    #[schema(value_type = Object)]
    pub scale: ReportScale,
    /// The wave asked for, if any.
    pub wave: Option<i64>,
    /// The survey series reported on (`main`: the partnership's own); every wave below is
    /// one of its waves.
    pub series: String,
    /// Breakdowns included: `level`, `function`, `level_function`, `region`,
    /// `business_unit`, `language`, or a custom attribute's key.
    pub breakdowns: Vec<String>,
    /// Closed waves the report draws on, oldest first.
    pub waves: Vec<WaveInfo>,
    #[schema(value_type = Vec<Object>)]
    pub groups: Vec<GroupRecord>,
    /// Each side's invitations and responses per wave, shown even when the side's answers
    /// are withheld: they count invitations, not answers, and say nothing of what anyone
    /// answered, so a side that goes silent is seen (the `low_response` and
    /// `response_imbalance` rules read this section).
    #[schema(value_type = Vec<Object>)]
    pub response_rates: Vec<ResponseRecord>,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ItemRecord>,
    #[schema(value_type = Vec<Object>)]
    pub dimensions: Vec<DimensionRecord>,
    #[schema(value_type = Object)]
    pub inter_firm: InterFirm,
    /// Each firm's guess of how the other firm answers an item that has a meta item, against
    /// the other firm's own answers (both firms combined: hidden from one-side viewers).
    #[schema(value_type = Vec<Object>)]
    pub meta_accuracy: Vec<MetaAccuracyRecord>,
    #[schema(value_type = Vec<Object>)]
    pub icc: Vec<IccRecord>,
    #[schema(value_type = Vec<Object>)]
    pub trend: Vec<TrendRecord>,
    #[schema(value_type = Vec<Object>)]
    pub lead_lag: Vec<LeadLagRecord>,
    #[schema(value_type = Vec<Object>)]
    pub change_points: Vec<ChangePointRecord>,
    #[schema(value_type = Vec<Object>)]
    pub joint: Vec<JointRecord>,
    #[schema(value_type = Vec<Object>)]
    pub segment_tests: Vec<SegmentTestRecord>,
    #[schema(value_type = Vec<Object>)]
    pub health: Vec<HealthRecord>,
}

impl Report {
    /// The report as a viewer of one side may see it: that side's records only, nothing that
    /// combines both firms (between-firm comparisons, joint alignment, the health index), and
    /// the lead–lag section's Holm family and verdicts recomputed over that side's tests
    /// alone, so no adjusted p carries anything of the other side's series.
    pub fn for_one_side(&self, side: Side) -> Report {
        let mut r = self.clone();
        r.groups.retain(|g| g.id.side == side);
        r.response_rates.retain(|g| g.side == side);
        r.items.retain(|i| i.id.side == side);
        r.dimensions.retain(|d| d.id.side == side);
        r.icc.retain(|i| i.side == side);
        r.trend.retain(|t| t.side == side);
        r.lead_lag.retain(|l| l.side == side);
        sections::adjust_lead_lag(&mut r.lead_lag);
        r.change_points.retain(|c| c.side == side);
        r.segment_tests.retain(|t| t.side == side);
        r.joint.clear();
        r.inter_firm = Default::default();
        r.meta_accuracy.clear();
        r.health.clear();
        r
    }
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

/// One side's invitations and responses in one wave.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseRecord {
    pub wave: i64,
    pub side: Side,
    pub invited: u64,
    pub responded: u64,
    /// responded / invited; `null` when nobody was invited.
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
    /// 95th percentile of rwg when this many people answer uniformly at random (see
    /// `stats::rwg_crit95`); `null` without an rwg.
    pub rwg_crit95: Option<f64>,
    /// rwg > rwg_crit95: more agreement than random answering gives.
    pub beyond_chance: Option<bool>,
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
    /// A of the dimension's items (not serialized; keys the rwg(j) critical value).
    #[serde(skip)]
    pub points: u8,
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
    /// 95th percentile of rwg(j) when n_complete people answer the J items uniformly at
    /// random (see `stats::rwg_j_crit95`); `null` without an rwg(j).
    pub rwg_j_crit95: Option<f64>,
    /// rwg(j) > rwg_j_crit95: more agreement than random answering gives.
    pub beyond_chance: Option<bool>,
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
    /// Respondents behind each mean (complete respondents for a dimension).
    pub y_n: Vec<u64>,
    /// The sample SD behind each mean; `null` with fewer than 2 respondents.
    pub y_sd: Vec<Option<f64>>,
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
    /// `method` ("first_differences"), `family_size` (the p-values Holm counted: every
    /// defined p of the report's lead–lag section) and `lags` k = −3..=3.
    #[serde(flatten)]
    pub table: DifferenceLeadLag,
    /// Whether the perception led the KPI, with the reason and a sentence; the dashboard,
    /// the review pack and the flags use this verdict.
    pub verdict: Verdict,
}

/// Where a side's dimension series shifted (PELT on the shown wave means, T ≥ 6).
#[derive(Debug, Clone, Serialize)]
pub struct ChangePointRecord {
    pub side: Side,
    pub dimension: String,
    #[serde(flatten)]
    pub fit: ChangePoints,
}

/// How the two firms agree jointly on a dimension in a wave: both whole sides'
/// listwise-complete respondents pooled.
#[derive(Debug, Clone, Serialize)]
pub struct JointRecord {
    pub wave: i64,
    pub dimension: String,
    /// Why withheld (a side's dimension is withheld); `null` when shown.
    pub suppressed: Option<String>,
    pub n_customer: Option<u64>,
    pub n_supplier: Option<u64>,
    pub rwg_j: Option<f64>,
    pub rwg_j_crit95: Option<f64>,
    pub beyond_chance: Option<bool>,
    /// ICC(1) with the two firms as the groups.
    pub icc1_firm: Option<f64>,
    /// η² = SS_between / SS_total of respondents' dimension means, firms as groups.
    pub eta2_firm: Option<f64>,
}

/// Whether the shown segments of one attribute differ on a dimension inside a firm.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentTestRecord {
    pub wave: i64,
    pub side: Side,
    pub dimension: String,
    /// `level`, `function`, `region`, `business_unit` or `language`.
    pub attribute: &'static str,
    /// The shown segments tested (withheld ones are left out).
    pub segments: Vec<String>,
    /// Number of segments tested.
    pub k: usize,
    /// Respondents (listwise-complete) in them.
    pub n: u64,
    pub welch_f: Option<f64>,
    pub welch_df1: Option<f64>,
    pub welch_df2: Option<f64>,
    pub welch_p: Option<f64>,
    pub kruskal_h: Option<f64>,
    pub kruskal_p: Option<f64>,
    /// ε² = H/(n − 1).
    pub epsilon2: Option<f64>,
    /// ω² of the classic one-way ANOVA.
    pub omega2: Option<f64>,
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
    /// The scale of the latest wave's template.
    pub scale: ReportScale,
    /// Closed waves up to the one asked for: (seq, id, closed_at), oldest first.
    pub waves: Vec<(i64, i64, Option<NaiveDateTime>)>,
    pub options: ReportOptions,
    /// Item ids in template order, with their dimension.
    pub items: Vec<(String, String)>,
    /// Dimension ids in template order.
    pub dimensions: Vec<String>,
    /// (item, its meta item) for each item that has one, in template order.
    pub meta_pairs: Vec<(String, String)>,
    /// Per wave seq, the items and dimensions above that the wave's own template did not ask
    /// (no entry: it asked them all). Such a wave gets no record of them.
    pub not_asked: HashMap<i64, HashSet<String>>,
    pub groups: Vec<GroupAggregate>,
    pub kpis: Vec<AlignedKpi>,
}
