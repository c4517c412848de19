//! The flag rules: pure functions from one partnership's report document to the findings of
//! one wave. No I/O, no clock: the same report and configuration always give the same
//! findings, in the same order.
//!
//! A rule must never read a group the report withholds (below the minimum reporting size):
//! it sees only what a manager could see, so a flag can never leak a withheld number.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::FieldProblem;
use crate::i18n::{en, en1, en2, en3, en_with};
use crate::reports::report::{DimensionRecord, ResponseRecord, TrendRecord};
use crate::reports::Report;

mod blind_spot;
mod details;
pub use blind_spot::blind_spot;
pub use details::{detail_key, detail_words, DETAIL_KEYS};

/// The thresholds of every rule. Stored per partnership as JSON; a field left out keeps its
/// default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RuleConfig {
    /// Between-firm gap on a dimension, in scale points, at or above which a significant gap
    /// fires.
    #[schema(exclusive_minimum = 0.0, maximum = 4.0)]
    pub gap_points: f64,
    /// Welch's p below which a between-firm gap counts as significant.
    #[schema(exclusive_minimum = 0.0, maximum = 1.0)]
    pub gap_alpha: f64,
    /// A firm's rwg(j) on a dimension below this fires.
    #[schema(exclusive_minimum = 0.0, maximum = 1.0)]
    pub min_rwg_j: f64,
    /// A drop of a firm's dimension mean over the last two waves (wave t − 2 to t), in
    /// points, at or above which the decline rule fires.
    #[schema(exclusive_minimum = 0.0, maximum = 4.0)]
    pub decline_points: f64,
    /// p below which a negative OLS slope over the waves so far fires the decline rule.
    #[schema(exclusive_minimum = 0.0, maximum = 1.0)]
    pub decline_alpha: f64,
    /// Gap between the highest and the lowest shown segment of one attribute (level,
    /// function, region) within a firm, in points, at or above which the segment-gap rule
    /// fires — together with the segment test below. (`level_gap_points` is read as this.)
    #[serde(alias = "level_gap_points")]
    #[schema(exclusive_minimum = 0.0, maximum = 4.0)]
    pub segment_gap_points: f64,
    /// Welch's ANOVA p across the shown segments below which their gap counts as real.
    #[schema(exclusive_minimum = 0.0, maximum = 1.0)]
    pub segment_alpha: f64,
    /// A drop between the last two segments of a side's dimension series (change points), in
    /// points, at or above which the shift rule fires when the latest wave starts the segment.
    #[schema(exclusive_minimum = 0.0, maximum = 4.0)]
    pub shift_points: f64,
    /// Accepted from configurations stored before the segment-gap rule replaced the level
    /// gap (which compared two named levels); ignored and never written.
    #[serde(skip_serializing)]
    #[schema(ignore)]
    pub level_upper: Option<String>,
    /// As `level_upper`.
    #[serde(skip_serializing)]
    #[schema(ignore)]
    pub level_lower: Option<String>,
    /// A side's response rate below this (0–1) fires.
    #[schema(exclusive_minimum = 0.0, maximum = 1.0)]
    pub min_response_rate: f64,
    /// The lower side's rate divided by the higher side's below this (0–1) fires.
    #[schema(exclusive_minimum = 0.0, maximum = 1.0)]
    pub min_rate_ratio: f64,
    /// An open or acknowledged rule flag whose rule has not fired on its scope for this many
    /// closed waves in a row closes itself (resolved by the rules, with a note saying so);
    /// 0 leaves every flag open until a person resolves it. Manual flags never close
    /// themselves.
    #[schema(minimum = 0, maximum = 52)]
    pub close_after_quiet_waves: u32,
    /// A firm's meta-error on an item (its guess of the other firm's mean minus that mean), in
    /// points, at or above which the blind-spot rule fires — with Welch's p below
    /// `blind_spot_alpha`.
    #[schema(exclusive_minimum = 0.0, maximum = 4.0)]
    pub blind_spot_points: f64,
    /// Welch's p below which a meta-error counts as significant.
    #[schema(exclusive_minimum = 0.0, maximum = 1.0)]
    pub blind_spot_alpha: f64,
}

/// Most quiet waves a configuration may wait before a flag closes itself (a year of weekly
/// waves).
pub const MAX_QUIET_WAVES: u32 = 52;

impl Default for RuleConfig {
    fn default() -> Self {
        RuleConfig {
            gap_points: 0.5,
            gap_alpha: 0.05,
            min_rwg_j: 0.50,
            decline_points: 0.3,
            decline_alpha: 0.025,
            segment_gap_points: 0.75,
            segment_alpha: 0.05,
            shift_points: 0.3,
            level_upper: None,
            level_lower: None,
            min_response_rate: 0.40,
            min_rate_ratio: 0.5,
            close_after_quiet_waves: 2,
            blind_spot_points: 0.5,
            blind_spot_alpha: 0.05,
        }
    }
}

impl RuleConfig {
    /// Every problem with the values, one per field.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let mut check = |field: &str, value: f64, lo: f64, hi: f64| {
            if !(value.is_finite() && value > lo && value <= hi) {
                out.push(FieldProblem {
                    field: field.into(),
                    message: en3(
                        "flag-problem-config-range",
                        "value",
                        value,
                        "lo",
                        lo,
                        "hi",
                        hi,
                    ),
                });
            }
        };
        check("gap_points", self.gap_points, 0.0, 4.0);
        check("gap_alpha", self.gap_alpha, 0.0, 1.0);
        check("min_rwg_j", self.min_rwg_j, 0.0, 1.0);
        check("decline_points", self.decline_points, 0.0, 4.0);
        check("decline_alpha", self.decline_alpha, 0.0, 1.0);
        check("segment_gap_points", self.segment_gap_points, 0.0, 4.0);
        check("segment_alpha", self.segment_alpha, 0.0, 1.0);
        check("shift_points", self.shift_points, 0.0, 4.0);
        check("min_response_rate", self.min_response_rate, 0.0, 1.0);
        check("min_rate_ratio", self.min_rate_ratio, 0.0, 1.0);
        check("blind_spot_points", self.blind_spot_points, 0.0, 4.0);
        check("blind_spot_alpha", self.blind_spot_alpha, 0.0, 1.0);
        if self.close_after_quiet_waves > MAX_QUIET_WAVES {
            out.push(FieldProblem {
                field: "close_after_quiet_waves".into(),
                message: en2(
                    "flag-problem-config-quiet",
                    "value",
                    self.close_after_quiet_waves,
                    "max",
                    MAX_QUIET_WAVES,
                ),
            });
        }
        out
    }
}

/// Which rule fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// (1) The firms see a dimension differently, by enough and significantly.
    InterFirmGap,
    /// (2) A firm disagrees within itself on a dimension.
    LowAgreement,
    /// (3) A firm's view of a dimension is falling.
    Decline,
    /// (4, before the segment-gap rule) A firm's two named levels saw a dimension
    /// differently. Kept so that flags raised by it still read; no longer evaluated.
    LevelGap,
    /// (4) A firm's segments of one attribute (levels, functions, regions) see a dimension
    /// differently, by enough points and significantly (Welch's ANOVA).
    SegmentGap,
    /// (6) A side's dimension series shifted down at the latest wave (a change point).
    Shift,
    /// (5a) Too few of a firm answered.
    LowResponse,
    /// (5b) One firm answered far less than the other.
    ResponseImbalance,
    /// (7) A firm misreads how the other firm answers an item (meta-accuracy).
    BlindSpot,
}

impl Rule {
    pub const ALL: [Rule; 9] = [
        Rule::InterFirmGap,
        Rule::LowAgreement,
        Rule::Decline,
        Rule::LevelGap,
        Rule::SegmentGap,
        Rule::Shift,
        Rule::LowResponse,
        Rule::ResponseImbalance,
        Rule::BlindSpot,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::InterFirmGap => "inter_firm_gap",
            Rule::LowAgreement => "low_agreement",
            Rule::Decline => "decline",
            Rule::LevelGap => "level_gap",
            Rule::SegmentGap => "segment_gap",
            Rule::Shift => "shift",
            Rule::LowResponse => "low_response",
            Rule::ResponseImbalance => "response_imbalance",
            Rule::BlindSpot => "blind_spot",
        }
    }

    /// The rule in words, for mail and pages (from the managers' catalog).
    pub fn words(self) -> String {
        en(self.words_key())
    }

    /// The catalog key of [`Rule::words`].
    pub fn words_key(self) -> &'static str {
        match self {
            Rule::InterFirmGap => "rule-name-inter-firm-gap",
            Rule::LowAgreement => "rule-name-low-agreement",
            Rule::Decline => "rule-name-decline",
            Rule::LevelGap => "rule-name-level-gap",
            Rule::SegmentGap => "rule-name-segment-gap",
            Rule::Shift => "rule-name-shift",
            Rule::LowResponse => "rule-name-low-response",
            Rule::ResponseImbalance => "rule-name-response-imbalance",
            Rule::BlindSpot => "rule-name-blind-spot",
        }
    }

    pub fn parse(raw: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// How far past its threshold a finding is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Low, Severity::Medium, Severity::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    pub fn parse(raw: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The severity in words, for pages and mail (from the managers' catalog).
    pub fn words(self) -> String {
        en(self.words_key())
    }

    /// The catalog key of [`Severity::words`].
    pub fn words_key(self) -> &'static str {
        match self {
            Severity::Low => "severity-low",
            Severity::Medium => "severity-medium",
            Severity::High => "severity-high",
        }
    }

    /// Low within one `step` past the threshold, medium within two, high beyond.
    pub fn grade(excess: f64, step: f64) -> Severity {
        if excess < step {
            Severity::Low
        } else if excess < 2.0 * step {
            Severity::Medium
        } else {
            Severity::High
        }
    }

    fn raised(self) -> Severity {
        match self {
            Severity::Low => Severity::Medium,
            Severity::Medium | Severity::High => Severity::High,
        }
    }
}

/// Severity steps: how far past a threshold, in the rule's own unit, each step up lies.
pub mod steps {
    /// Scale points past the between-firm gap threshold.
    pub const GAP: f64 = 0.25;
    /// rwg(j) below its threshold.
    pub const AGREEMENT: f64 = 0.10;
    /// Scale points of drop past the decline threshold.
    pub const DECLINE: f64 = 0.15;
    /// Scale points past the segment-gap threshold.
    pub const SEGMENT_GAP: f64 = 0.25;
    /// Scale points of shift past the shift threshold.
    pub const SHIFT: f64 = 0.15;
    /// Response rate (0–1) below its threshold.
    pub const RESPONSE: f64 = 0.10;
    /// Rate ratio (0–1) below its threshold.
    pub const IMBALANCE: f64 = 0.15;
    /// Scale points of meta-error past the blind-spot threshold.
    pub const BLIND_SPOT: f64 = 0.25;
}

/// One rule that fired on one wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    /// What it is about, e.g. `dimension:trust:supplier`; unique per rule within a wave.
    pub scope: String,
    pub measured: f64,
    pub threshold: f64,
    pub severity: Severity,
    /// The numbers that fired it.
    pub details: serde_json::Value,
    /// Path of the chart that shows it.
    pub link: String,
}

impl Finding {
    /// The name of one of a finding's details, in words ([`detail_words`]).
    pub fn detail_words(key: &str) -> Option<String> {
        detail_words(key)
    }

    /// The scope in words, for mail.
    pub fn scope_words(&self) -> String {
        let parts: Vec<&str> = self.scope.split(':').collect();
        match parts.as_slice() {
            ["dimension", d] => en1("scope-dimension-both", "dimension", d),
            ["dimension", d, side] => en2("scope-dimension-side", "dimension", d, "side", side),
            ["dimension", d, side, levels] if levels.contains('-') => {
                let (upper, lower) = levels.split_once('-').unwrap_or((levels, ""));
                en_with(
                    "scope-dimension-levels",
                    &[
                        ("dimension", d),
                        ("side", side),
                        ("upper", &upper),
                        ("lower", &lower),
                    ],
                )
            }
            ["dimension", d, side, attribute] => en3(
                "scope-dimension-by",
                "dimension",
                d,
                "side",
                side,
                "attribute",
                attribute,
            ),
            ["side", side] => en1("scope-side", "side", side),
            ["sides"] => en("scope-sides"),
            ["meta", item, side] => en2("scope-meta", "item", item, "side", side),
            _ => self.scope.clone(),
        }
    }
}

/// Every finding of `wave` in `report` (built with the wave's level breakdown), rule by rule.
pub fn evaluate(report: &Report, wave: i64, config: &RuleConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(inter_firm_gap(report, wave, config));
    out.extend(low_agreement(report, wave, config));
    out.extend(decline(report, wave, config));
    out.extend(segment_gap(report, wave, config));
    out.extend(shift(report, wave, config));
    out.extend(response_rates(report, wave, config));
    out.extend(blind_spot(report, wave, config));
    add_leads(report, &mut out);
    out
}

/// What every rule measures on `wave`, whether it fires or not: the same rule functions run
/// with thresholds every measurable scope passes (a gap of at least 0 with p < ∞, rwg(j)
/// below ∞, a drop of at least −∞ …), so a flag's scope can be followed after it stops
/// firing. A scope the report cannot measure on `wave` (a withheld side, no wave t − 2 and no
/// falling slope, no recent change point) is absent. Only `rule`, `scope` and `measured` of
/// these findings mean anything; severity and thresholds do not.
pub fn measure(report: &Report, wave: i64) -> Vec<Finding> {
    let everything = RuleConfig {
        gap_points: 0.0,
        gap_alpha: f64::INFINITY,
        min_rwg_j: f64::INFINITY,
        decline_points: f64::NEG_INFINITY,
        decline_alpha: f64::INFINITY,
        segment_gap_points: f64::NEG_INFINITY,
        segment_alpha: f64::INFINITY,
        shift_points: f64::NEG_INFINITY,
        min_response_rate: f64::INFINITY,
        min_rate_ratio: f64::INFINITY,
        blind_spot_points: 0.0,
        blind_spot_alpha: f64::INFINITY,
        ..RuleConfig::default()
    };
    let mut out = Vec::new();
    out.extend(inter_firm_gap(report, wave, &everything));
    out.extend(low_agreement(report, wave, &everything));
    out.extend(decline(report, wave, &everything));
    out.extend(segment_gap(report, wave, &everything));
    out.extend(shift(report, wave, &everything));
    out.extend(response_rates(report, wave, &everything));
    out.extend(blind_spot(report, wave, &everything));
    out
}

/// Adds to each finding about a side's dimension the KPIs that dimension leads, with the
/// report's own verdict (one Holm family over the report), so an ombudsman sees when a
/// flagged perception has moved a hard measure before.
fn add_leads(report: &Report, findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        let (Some(dimension), side) = (
            f.details.get("dimension").and_then(|d| d.as_str()),
            f.details.get("side").and_then(|s| s.as_str()),
        ) else {
            continue;
        };
        let leads: Vec<serde_json::Value> = report
            .lead_lag
            .iter()
            .filter(|r| r.dimension == dimension && side.is_none_or(|s| r.side.as_str() == s))
            .filter(|r| r.verdict.finding == crate::stats::LeadFinding::Evidence)
            .map(|r| {
                json!({
                    "kpi": r.kpi,
                    "side": r.side,
                    "k": r.verdict.k,
                    "r": r.verdict.r,
                    "p_adjusted": r.verdict.p_adjusted,
                    "sentence": r.verdict.sentence,
                })
            })
            .collect();
        if !leads.is_empty() {
            if let Some(map) = f.details.as_object_mut() {
                map.insert("leads".into(), serde_json::Value::Array(leads));
            }
        }
    }
}

fn dimension_link(report: &Report, dimension: &str) -> String {
    format!("/partnerships/{}#dim-{dimension}", report.partnership.id)
}

/// Rule 1: |customer − supplier| ≥ `gap_points` and Welch's p < `gap_alpha`.
pub fn inter_firm_gap(report: &Report, wave: i64, config: &RuleConfig) -> Vec<Finding> {
    report
        .inter_firm
        .dimensions
        .iter()
        .filter(|r| r.wave == wave && r.suppressed.is_none())
        .filter_map(|r| {
            let dimension = r.dimension.as_deref()?;
            let c = r.comparison.as_ref()?;
            let (diff, p) = (c.mean_diff?, c.welch_p?);
            (diff.abs() >= config.gap_points && p < config.gap_alpha).then(|| Finding {
                rule: Rule::InterFirmGap,
                scope: format!("dimension:{dimension}"),
                measured: diff.abs(),
                threshold: config.gap_points,
                severity: Severity::grade(diff.abs() - config.gap_points, steps::GAP),
                details: json!({
                    "wave": wave,
                    "dimension": dimension,
                    "customer_mean": c.mean_1,
                    "supplier_mean": c.mean_2,
                    "n_customer": c.n_1,
                    "n_supplier": c.n_2,
                    "mean_diff": diff,
                    "higher": if diff > 0.0 { "customer" } else { "supplier" },
                    "welch_t": c.welch_t,
                    "welch_df": c.welch_df,
                    "welch_p": p,
                    "alpha": config.gap_alpha,
                    "diff_ci95": c.diff_ci95,
                    "hedges_g": c.hedges_g,
                    "cliffs_delta": c.cliffs_delta,
                }),
                link: dimension_link(report, dimension),
            })
        })
        .collect()
}

/// The shown whole-side dimension records of `wave`.
fn whole_side_dimensions(report: &Report, wave: i64) -> impl Iterator<Item = &DimensionRecord> {
    report.dimensions.iter().filter(move |r| {
        r.id.wave == wave && r.id.segment_kind == "all" && r.id.suppressed.is_none()
    })
}

/// Rule 2: a firm's rwg(j) on a dimension < `min_rwg_j`.
pub fn low_agreement(report: &Report, wave: i64, config: &RuleConfig) -> Vec<Finding> {
    whole_side_dimensions(report, wave)
        .filter_map(|r| {
            let stats = r.stats.as_ref()?;
            let rwg_j = stats.agreement.rwg_j?;
            (rwg_j < config.min_rwg_j).then(|| Finding {
                rule: Rule::LowAgreement,
                scope: format!("dimension:{}:{}", r.dimension, r.id.side),
                measured: rwg_j,
                threshold: config.min_rwg_j,
                severity: Severity::grade(config.min_rwg_j - rwg_j, steps::AGREEMENT),
                details: json!({
                    "wave": wave,
                    "dimension": r.dimension,
                    "side": r.id.side,
                    "rwg_j": rwg_j,
                    "band": stats.agreement_band,
                    "ad_m": stats.agreement.ad_m,
                    "n_complete": stats.n_complete,
                    "mean": stats.summary.mean,
                }),
                link: dimension_link(report, &r.dimension),
            })
        })
        .collect()
}

/// Rule 3: a firm's view of a dimension is falling — by a drop or by a slope, each
/// significant once the wave's whole family of decline tests is taken into account.
///
/// For each shown side × dimension series with the side shown in wave t, two one-sided
/// tests: the **drop** from wave t − 2 to t (Welch's t from the two waves' summaries,
/// alternative "t lies below t − 2") and the **slope** of the OLS fit over the shown waves up
/// to t (its two-sided p halved when the slope is negative). Every p of the wave (two per
/// series) is Holm-adjusted as one family ([`crate::stats::holm`]), so where nothing declines
/// the rule fires on at most `decline_alpha` of waves however many series a template has.
/// Fires when `drop ≥ decline_points` and the drop's adjusted p < `decline_alpha`, or when the
/// slope is negative with adjusted p < `decline_alpha`.
pub fn decline(report: &Report, wave: i64, config: &RuleConfig) -> Vec<Finding> {
    let candidates: Vec<DeclineTests> = report
        .trend
        .iter()
        .filter(|t| t.kind == "dimension")
        .filter_map(|t| decline_tests(t, wave))
        .collect();
    let family: Vec<Option<f64>> = candidates
        .iter()
        .flat_map(|c| [c.drop_p, c.slope_p])
        .collect();
    let adjusted = crate::stats::holm(&family);
    candidates
        .into_iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let (drop_p_adjusted, slope_p_adjusted) = (adjusted[2 * i], adjusted[2 * i + 1]);
            decline_finding(
                report,
                c,
                drop_p_adjusted,
                slope_p_adjusted,
                family.iter().flatten().count(),
                wave,
                config,
            )
        })
        .collect()
}

/// One series' decline tests in wave t, before the family's adjustment.
struct DeclineTests<'r> {
    trend: &'r TrendRecord,
    points: Vec<(i64, f64)>,
    before: Option<f64>,
    now: f64,
    drop: Option<f64>,
    /// One-sided p of the drop from t − 2 to t.
    drop_p: Option<f64>,
    slope: Option<f64>,
    /// One-sided p of the slope against "falling" (`None` without a fit).
    slope_p: Option<f64>,
}

fn decline_tests<'r>(t: &'r TrendRecord, wave: i64) -> Option<DeclineTests<'r>> {
    let points: Vec<(i64, f64)> = t
        .x_waves
        .iter()
        .copied()
        .zip(t.y_means.iter().copied())
        .filter(|(w, _)| *w <= wave)
        .collect();
    let &(last_wave, now) = points.last()?;
    if last_wave != wave {
        return None;
    }
    let before = points.iter().find(|(w, _)| *w == wave - 2).map(|(_, m)| *m);
    // The trend keeps n and SD beside each wave's mean: Welch's t from those summaries.
    let summary = |w: i64| {
        let i = t.x_waves.iter().position(|x| *x == w)?;
        Some(crate::stats::SampleSummary {
            n: *t.y_n.get(i)?,
            mean: t.y_means.get(i).copied(),
            sd: *t.y_sd.get(i)?,
            mean_ci95: None,
        })
    };
    let drop_p = match (summary(wave - 2), summary(wave)) {
        (Some(earlier), Some(later)) => {
            crate::stats::welch_from_summaries(&later, &earlier).map(|w| w.p_below)
        }
        _ => None,
    };
    // The report's fit covers every closed wave up to the report's wave; refit only when the
    // rules look at an earlier wave than the report does.
    let fit = if t.x_waves.last() == Some(&wave) {
        t.fit.clone()
    } else {
        let xy: Vec<(f64, f64)> = points.iter().map(|(w, m)| (*w as f64, *m)).collect();
        crate::stats::linear_trend(&xy)
    };
    // One-sided: p/2 for a falling slope, 1 − p/2 for a rising one. A rising series stays in
    // the family with its large p, so leaving it out cannot shrink m and loosen Holm.
    let slope_p = match (fit.slope, fit.p) {
        (Some(b), Some(p)) if b < 0.0 => Some(p / 2.0),
        (Some(_), Some(p)) => Some(1.0 - p / 2.0),
        _ => None,
    };
    Some(DeclineTests {
        trend: t,
        before,
        now,
        drop: before.map(|b| b - now),
        drop_p,
        slope: fit.slope,
        slope_p,
        points,
    })
}

fn decline_finding(
    report: &Report,
    c: DeclineTests<'_>,
    drop_p_adjusted: Option<f64>,
    slope_p_adjusted: Option<f64>,
    family_size: usize,
    wave: i64,
    config: &RuleConfig,
) -> Option<Finding> {
    // An infinite alpha (what `measure` passes) accepts every series, tested or not.
    let significant = |p: Option<f64>| {
        config.decline_alpha == f64::INFINITY || p.is_some_and(|p| p < config.decline_alpha)
    };
    let by_drop =
        c.drop.is_some_and(|d| d >= config.decline_points) && significant(drop_p_adjusted);
    let by_slope = c.slope.is_some_and(|b| b < 0.0) && significant(slope_p_adjusted);
    if !(by_drop || by_slope) {
        return None;
    }
    let t = c.trend;
    let fitted_fall = match (c.slope, c.points.first()) {
        (Some(b), Some((first, _))) => -b * (wave - first) as f64,
        _ => 0.0,
    };
    let measured = c.drop.unwrap_or(fitted_fall);
    // Graded by how far the drop passes the points (whichever test made it significant),
    // one step higher when both tests are significant.
    let graded = if measured >= config.decline_points {
        Severity::grade(measured - config.decline_points, steps::DECLINE)
    } else {
        Severity::Low
    };
    let severity = if by_drop && by_slope {
        graded.raised()
    } else {
        graded
    };
    Some(Finding {
        rule: Rule::Decline,
        scope: format!("dimension:{}:{}", t.target, t.side),
        measured,
        threshold: config.decline_points,
        severity,
        details: json!({
            "wave": wave,
            "dimension": t.target,
            "side": t.side,
            "from_wave": c.before.map(|_| wave - 2),
            "mean_from": c.before,
            "mean_to": c.now,
            "drop": c.drop,
            "drop_p": c.drop_p,
            "drop_p_adjusted": drop_p_adjusted,
            "by_drop": by_drop,
            "slope": c.slope,
            "slope_p": c.slope_p,
            "slope_p_adjusted": slope_p_adjusted,
            "alpha": config.decline_alpha,
            "family": family_size,
            "by_slope": by_slope,
            "waves": c.points.iter().map(|(w, _)| *w).collect::<Vec<_>>(),
            "means": c.points.iter().map(|(_, m)| *m).collect::<Vec<_>>(),
        }),
        link: dimension_link(report, &t.target),
    })
}

/// Rule 4: within a firm, the shown segments of one attribute (level, function, region)
/// differ on a dimension by ≥ `segment_gap_points` (highest − lowest segment mean) **and**
/// Welch's ANOVA across them gives p < `segment_alpha` once Holm-adjusted over the wave's
/// family of segment tests (every side × dimension × attribute tested in the wave), so where
/// no segment differs the rule fires on at most `segment_alpha` of waves. Only shown segments take part (the
/// report's segment test leaves withheld ones out), so a withheld group never fires.
pub fn segment_gap(report: &Report, wave: i64, config: &RuleConfig) -> Vec<Finding> {
    let tests: Vec<_> = report
        .segment_tests
        .iter()
        .filter(|t| t.wave == wave && t.k >= 2)
        .collect();
    let adjusted = crate::stats::holm(&tests.iter().map(|t| t.welch_p).collect::<Vec<_>>());
    let family = adjusted.iter().flatten().count();
    let mut out = Vec::new();
    for (test, p_adjusted) in tests.into_iter().zip(adjusted) {
        let (Some(p), Some(p_adjusted)) = (test.welch_p, p_adjusted) else {
            continue;
        };
        let means: Vec<(&str, f64, u64)> = test
            .segments
            .iter()
            .filter_map(|segment| {
                let r = report.dimensions.iter().find(|r| {
                    r.id.wave == wave
                        && r.id.side == test.side
                        && r.id.segment_kind == test.attribute
                        && r.dimension == test.dimension
                        && r.id.segment.as_deref() == Some(segment.as_str())
                        && r.id.suppressed.is_none()
                })?;
                let s = r.stats.as_ref()?;
                Some((segment.as_str(), s.summary.mean?, s.n_complete))
            })
            .collect();
        let (Some(high), Some(low)) = (
            means.iter().max_by(|a, b| a.1.total_cmp(&b.1)),
            means.iter().min_by(|a, b| a.1.total_cmp(&b.1)),
        ) else {
            continue;
        };
        let gap = high.1 - low.1;
        if gap < config.segment_gap_points || p_adjusted >= config.segment_alpha {
            continue;
        }
        let dimension = test.dimension.as_str();
        out.push(Finding {
            rule: Rule::SegmentGap,
            scope: format!("dimension:{dimension}:{}:{}", test.side, test.attribute),
            measured: gap,
            threshold: config.segment_gap_points,
            severity: Severity::grade(gap - config.segment_gap_points, steps::SEGMENT_GAP),
            details: json!({
                "wave": wave,
                "dimension": dimension,
                "side": test.side,
                "attribute": test.attribute,
                "highest": high.0,
                "highest_mean": high.1,
                "lowest": low.0,
                "lowest_mean": low.1,
                "gap": gap,
                "segments": means.iter().map(|(s, m, n)| json!({"segment": s, "mean": m, "n": n})).collect::<Vec<_>>(),
                "welch_f": test.welch_f,
                "welch_p": p,
                "welch_p_adjusted": p_adjusted,
                "family": family,
                "kruskal_p": test.kruskal_p,
                "epsilon2": test.epsilon2,
                "alpha": config.segment_alpha,
            }),
            link: format!("/partnerships/{}#segments", report.partnership.id),
        });
    }
    out
}

/// Rule 6: a new segment of a side's dimension series (PELT change points over the waves so
/// far, at least six) has just begun, and its mean is at least `shift_points` below the
/// previous segment's. A segment spans at least two waves, so a shift is first seen one wave
/// after it happened: the rule fires when the last segment starts at the latest wave or the
/// one before it (and the side is shown in the latest wave).
pub fn shift(report: &Report, wave: i64, config: &RuleConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    for cp in &report.change_points {
        let [.., before, last] = cp.fit.segments.as_slice() else {
            continue;
        };
        let latest = cp.fit.waves.last().map(|w| i64::from(*w));
        let started = i64::from(last.from_wave);
        if latest != Some(wave) || started < wave - (crate::stats::MIN_SEGMENT as i64 - 1) {
            continue;
        }
        let drop = before.mean - last.mean;
        if drop < config.shift_points {
            continue;
        }
        let dimension = cp.dimension.as_str();
        out.push(Finding {
            rule: Rule::Shift,
            scope: format!("dimension:{dimension}:{}", cp.side),
            measured: drop,
            threshold: config.shift_points,
            severity: Severity::grade(drop - config.shift_points, steps::SHIFT),
            details: json!({
                "wave": wave,
                "dimension": dimension,
                "side": cp.side,
                "before_mean": before.mean,
                "before_waves": [before.from_wave, before.to_wave],
                "after_mean": last.mean,
                "drop": drop,
                "penalty": cp.fit.penalty,
                "change_waves": cp.fit.change_waves,
            }),
            link: dimension_link(report, dimension),
        });
    }
    out
}

/// Rule 5: a side's response rate < `min_response_rate`, and the lower side's rate less than
/// `min_rate_ratio` of the higher's. Read from the report's `response_rates` (counts of
/// invitations), so a side whose answers are withheld because it went nearly silent is still
/// compared; the finding names only rates and counts, never a statistic of its answers.
pub fn response_rates(report: &Report, wave: i64, config: &RuleConfig) -> Vec<Finding> {
    let link = format!("/partnerships/{}#response-rates", report.partnership.id);
    let whole: Vec<(&ResponseRecord, f64)> = report
        .response_rates
        .iter()
        .filter(|g| g.wave == wave)
        .filter_map(|g| Some((g, g.response_rate?)))
        .collect();
    let mut out = Vec::new();
    for (g, rate) in &whole {
        if *rate < config.min_response_rate {
            out.push(Finding {
                rule: Rule::LowResponse,
                scope: format!("side:{}", g.side),
                measured: *rate,
                threshold: config.min_response_rate,
                severity: Severity::grade(config.min_response_rate - rate, steps::RESPONSE),
                details: json!({
                    "wave": wave,
                    "side": g.side,
                    "invited": g.invited,
                    "responded": g.responded,
                    "response_rate": rate,
                }),
                link: link.clone(),
            });
        }
    }
    if let [(a, ra), (b, rb)] = whole.as_slice() {
        let (low, high) = if ra <= rb {
            ((a, ra), (b, rb))
        } else {
            ((b, rb), (a, ra))
        };
        if *high.1 > 0.0 {
            let ratio = low.1 / high.1;
            if ratio < config.min_rate_ratio {
                out.push(Finding {
                    rule: Rule::ResponseImbalance,
                    scope: "sides".into(),
                    measured: ratio,
                    threshold: config.min_rate_ratio,
                    severity: Severity::grade(config.min_rate_ratio - ratio, steps::IMBALANCE),
                    details: json!({
                        "wave": wave,
                        "lower_side": low.0.side,
                        "lower_rate": low.1,
                        "lower_invited": low.0.invited,
                        "lower_responded": low.0.responded,
                        "higher_side": high.0.side,
                        "higher_rate": high.1,
                        "ratio": ratio,
                    }),
                    link,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
