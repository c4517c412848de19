//! The flag rules: pure functions from one partnership's report document to the findings of
//! one wave. No I/O, no clock: the same report and configuration always give the same
//! findings, in the same order.
//!
//! A rule must never read a group the report withholds (below the minimum reporting size):
//! it sees only what a manager could see, so a flag can never leak a withheld number.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::{FieldProblem, Side};
use crate::reports::report::{DimensionRecord, GroupRecord, TrendRecord};
use crate::reports::Report;

/// The thresholds of every rule. Stored per partnership as JSON; a field left out keeps its
/// default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RuleConfig {
    /// Between-firm gap on a dimension, in scale points, at or above which a significant gap
    /// fires.
    pub gap_points: f64,
    /// Welch's p below which a between-firm gap counts as significant.
    pub gap_alpha: f64,
    /// A firm's rwg(j) on a dimension below this fires.
    pub min_rwg_j: f64,
    /// A drop of a firm's dimension mean over the last two waves (wave t − 2 to t), in
    /// points, at or above which the decline rule fires.
    pub decline_points: f64,
    /// p below which a negative OLS slope over the waves so far fires the decline rule.
    pub decline_alpha: f64,
    /// Gap between the two level groups within a firm, in points, at or above which it fires.
    pub level_gap_points: f64,
    /// The upper level group compared (matched case-insensitively).
    pub level_upper: String,
    /// The lower level group compared.
    pub level_lower: String,
    /// A side's response rate below this (0–1) fires.
    pub min_response_rate: f64,
    /// The lower side's rate divided by the higher side's below this (0–1) fires.
    pub min_rate_ratio: f64,
}

impl Default for RuleConfig {
    fn default() -> Self {
        RuleConfig {
            gap_points: 0.5,
            gap_alpha: 0.05,
            min_rwg_j: 0.70,
            decline_points: 0.3,
            decline_alpha: 0.05,
            level_gap_points: 0.75,
            level_upper: "executive".into(),
            level_lower: "staff".into(),
            min_response_rate: 0.40,
            min_rate_ratio: 0.5,
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
                    message: format!("{value} is not in ({lo}, {hi}]"),
                });
            }
        };
        check("gap_points", self.gap_points, 0.0, 4.0);
        check("gap_alpha", self.gap_alpha, 0.0, 1.0);
        check("min_rwg_j", self.min_rwg_j, 0.0, 1.0);
        check("decline_points", self.decline_points, 0.0, 4.0);
        check("decline_alpha", self.decline_alpha, 0.0, 1.0);
        check("level_gap_points", self.level_gap_points, 0.0, 4.0);
        check("min_response_rate", self.min_response_rate, 0.0, 1.0);
        check("min_rate_ratio", self.min_rate_ratio, 0.0, 1.0);
        for (field, value) in [
            ("level_upper", &self.level_upper),
            ("level_lower", &self.level_lower),
        ] {
            if value.trim().is_empty() {
                out.push(FieldProblem {
                    field: field.into(),
                    message: "a level name is needed".into(),
                });
            }
        }
        if self
            .level_upper
            .trim()
            .eq_ignore_ascii_case(self.level_lower.trim())
        {
            out.push(FieldProblem {
                field: "level_lower".into(),
                message: "the two level groups compared must differ".into(),
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
    /// (4) A firm's upper and lower levels see a dimension differently.
    LevelGap,
    /// (5a) Too few of a firm answered.
    LowResponse,
    /// (5b) One firm answered far less than the other.
    ResponseImbalance,
}

impl Rule {
    pub const ALL: [Rule; 6] = [
        Rule::InterFirmGap,
        Rule::LowAgreement,
        Rule::Decline,
        Rule::LevelGap,
        Rule::LowResponse,
        Rule::ResponseImbalance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::InterFirmGap => "inter_firm_gap",
            Rule::LowAgreement => "low_agreement",
            Rule::Decline => "decline",
            Rule::LevelGap => "level_gap",
            Rule::LowResponse => "low_response",
            Rule::ResponseImbalance => "response_imbalance",
        }
    }

    /// The rule in words, for mail and pages.
    pub fn words(self) -> &'static str {
        match self {
            Rule::InterFirmGap => "significant gap between the firms",
            Rule::LowAgreement => "low agreement within a firm",
            Rule::Decline => "declining perception",
            Rule::LevelGap => "gap between levels within a firm",
            Rule::LowResponse => "low response rate",
            Rule::ResponseImbalance => "one firm answering far less than the other",
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
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    pub fn parse(raw: &str) -> Option<Severity> {
        [Severity::Low, Severity::Medium, Severity::High]
            .into_iter()
            .find(|s| s.as_str() == raw)
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
    /// Scale points past the level-gap threshold.
    pub const LEVEL_GAP: f64 = 0.25;
    /// Response rate (0–1) below its threshold.
    pub const RESPONSE: f64 = 0.10;
    /// Rate ratio (0–1) below its threshold.
    pub const IMBALANCE: f64 = 0.15;
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
    /// The scope in words, for mail.
    pub fn scope_words(&self) -> String {
        let parts: Vec<&str> = self.scope.split(':').collect();
        match parts.as_slice() {
            ["dimension", d] => format!("dimension {d}, both firms"),
            ["dimension", d, side] => format!("dimension {d}, {side}"),
            ["dimension", d, side, levels] => {
                format!(
                    "dimension {d}, {side}, levels {}",
                    levels.replace('-', " vs ")
                )
            }
            ["side", side] => format!("{side} respondents"),
            ["sides"] => "both firms' response rates".into(),
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
    out.extend(level_gap(report, wave, config));
    out.extend(response_rates(report, wave, config));
    out
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

/// Rule 3: mean(t − 2) − mean(t) ≥ `decline_points`, or an OLS slope < 0 with p <
/// `decline_alpha` over the shown waves up to t. Needs the side shown in wave t.
pub fn decline(report: &Report, wave: i64, config: &RuleConfig) -> Vec<Finding> {
    report
        .trend
        .iter()
        .filter(|t| t.kind == "dimension")
        .filter_map(|t| decline_of(report, t, wave, config))
        .collect()
}

fn decline_of(report: &Report, t: &TrendRecord, wave: i64, config: &RuleConfig) -> Option<Finding> {
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
    let drop = before.map(|b| b - now);
    let by_drop = drop.is_some_and(|d| d >= config.decline_points);
    // The report's fit covers every closed wave up to the report's wave; refit only when the
    // rules look at an earlier wave than the report does.
    let fit = if t.x_waves.last() == Some(&wave) {
        t.fit.clone()
    } else {
        let xy: Vec<(f64, f64)> = points.iter().map(|(w, m)| (*w as f64, *m)).collect();
        crate::stats::linear_trend(&xy)
    };
    let by_slope =
        matches!((fit.slope, fit.p), (Some(b), Some(p)) if b < 0.0 && p < config.decline_alpha);
    if !(by_drop || by_slope) {
        return None;
    }
    let fitted_fall = match (fit.slope, points.first()) {
        (Some(b), Some((first, _))) => -b * (wave - first) as f64,
        _ => 0.0,
    };
    let measured = drop.unwrap_or(fitted_fall);
    let severity = if by_drop {
        let graded = Severity::grade(measured - config.decline_points, steps::DECLINE);
        if by_slope {
            graded.raised()
        } else {
            graded
        }
    } else {
        Severity::Low
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
            "from_wave": before.map(|_| wave - 2),
            "mean_from": before,
            "mean_to": now,
            "drop": drop,
            "by_drop": by_drop,
            "slope": fit.slope,
            "slope_p": fit.p,
            "alpha": config.decline_alpha,
            "by_slope": by_slope,
            "waves": points.iter().map(|(w, _)| *w).collect::<Vec<_>>(),
            "means": points.iter().map(|(_, m)| *m).collect::<Vec<_>>(),
        }),
        link: dimension_link(report, &t.target),
    })
}

/// Rule 4: |mean(upper level) − mean(lower level)| ≥ `level_gap_points` within a firm, only
/// when both level groups are shown.
pub fn level_gap(report: &Report, wave: i64, config: &RuleConfig) -> Vec<Finding> {
    let level = |side: Side, dimension: &str, name: &str| {
        report.dimensions.iter().find(|r| {
            r.id.wave == wave
                && r.id.side == side
                && r.id.segment_kind == "level"
                && r.dimension == dimension
                && r.id
                    .segment
                    .as_deref()
                    .is_some_and(|s| s.trim().eq_ignore_ascii_case(name.trim()))
        })
    };
    let shown_mean = |r: &DimensionRecord| {
        if r.id.suppressed.is_some() {
            return None;
        }
        let s = r.stats.as_ref()?;
        Some((s.summary.mean?, s.n_complete))
    };
    let mut out = Vec::new();
    for whole in report
        .dimensions
        .iter()
        .filter(|r| r.id.wave == wave && r.id.segment_kind == "all")
    {
        let side = whole.id.side;
        let dimension = whole.dimension.as_str();
        let (Some(upper), Some(lower)) = (
            level(side, dimension, &config.level_upper),
            level(side, dimension, &config.level_lower),
        ) else {
            continue;
        };
        let (Some((mu, nu)), Some((ml, nl))) = (shown_mean(upper), shown_mean(lower)) else {
            continue;
        };
        let gap = mu - ml;
        if gap.abs() < config.level_gap_points {
            continue;
        }
        let (upper_name, lower_name) = (
            config.level_upper.trim().to_ascii_lowercase(),
            config.level_lower.trim().to_ascii_lowercase(),
        );
        out.push(Finding {
            rule: Rule::LevelGap,
            scope: format!("dimension:{dimension}:{side}:{upper_name}-{lower_name}"),
            measured: gap.abs(),
            threshold: config.level_gap_points,
            severity: Severity::grade(gap.abs() - config.level_gap_points, steps::LEVEL_GAP),
            details: json!({
                "wave": wave,
                "dimension": dimension,
                "side": side,
                "upper_level": upper_name,
                "lower_level": lower_name,
                "upper_mean": mu,
                "lower_mean": ml,
                "n_upper": nu,
                "n_lower": nl,
                "gap": gap,
            }),
            link: format!("/partnerships/{}#levels-{dimension}", report.partnership.id),
        });
    }
    out
}

/// Rule 5: a side's response rate < `min_response_rate`, and the lower side's rate less than
/// `min_rate_ratio` of the higher's. A withheld side is not guessed at.
pub fn response_rates(report: &Report, wave: i64, config: &RuleConfig) -> Vec<Finding> {
    let link = format!("/partnerships/{}#response-rates", report.partnership.id);
    let whole: Vec<(&GroupRecord, f64)> = report
        .groups
        .iter()
        .filter(|g| g.id.wave == wave && g.id.segment_kind == "all" && g.id.suppressed.is_none())
        .filter_map(|g| Some((g, g.response_rate?)))
        .collect();
    let mut out = Vec::new();
    for (g, rate) in &whole {
        if *rate < config.min_response_rate {
            out.push(Finding {
                rule: Rule::LowResponse,
                scope: format!("side:{}", g.id.side),
                measured: *rate,
                threshold: config.min_response_rate,
                severity: Severity::grade(config.min_response_rate - rate, steps::RESPONSE),
                details: json!({
                    "wave": wave,
                    "side": g.id.side,
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
                        "lower_side": low.0.id.side,
                        "lower_rate": low.1,
                        "higher_side": high.0.id.side,
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
mod tests {
    use super::*;

    #[test]
    fn severity_rises_one_step_per_step_past_the_threshold() {
        assert_eq!(Severity::grade(0.0, 0.25), Severity::Low);
        assert_eq!(Severity::grade(0.24, 0.25), Severity::Low);
        assert_eq!(Severity::grade(0.25, 0.25), Severity::Medium);
        assert_eq!(Severity::grade(0.6, 0.25), Severity::High);
        assert!(Severity::High > Severity::Medium && Severity::Medium > Severity::Low);
    }

    #[test]
    fn the_default_configuration_is_valid_and_round_trips_as_json() {
        let c = RuleConfig::default();
        assert!(c.problems().is_empty());
        let back: RuleConfig = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn a_partial_configuration_keeps_the_other_defaults() {
        let c: RuleConfig = serde_json::from_str(r#"{"gap_points": 0.8}"#).unwrap();
        assert_eq!(c.gap_points, 0.8);
        assert_eq!(c.min_rwg_j, 0.70);
        assert!(serde_json::from_str::<RuleConfig>(r#"{"gap": 1}"#).is_err());
    }

    #[test]
    fn out_of_range_thresholds_are_refused_by_field() {
        let c = RuleConfig {
            min_rwg_j: 1.5,
            level_lower: "Executive".into(),
            ..RuleConfig::default()
        };
        let fields: Vec<String> = c.problems().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["min_rwg_j", "level_lower"]);
    }

    #[test]
    fn rule_ids_parse_back() {
        for r in Rule::ALL {
            assert_eq!(Rule::parse(r.as_str()), Some(r));
        }
        assert_eq!(Rule::parse("nope"), None);
    }
}
