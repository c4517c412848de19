//! Goals: an explicit target on one metric of a partnership — a dimension's mean for one
//! firm, the gap between the firms on a dimension, a firm's agreement (rwg(j)) on a
//! dimension, a response rate, or a KPI — to reach by a date.
//!
//! Progress is read from the same restricted report the dashboard shows (so a withheld group
//! never contributes a number) and judged by [`evaluate`]: met, on track (the straight line
//! through the last waves reaches the target by the due date), off track, missed (the date
//! passed), too early (one wave) or no data. See `docs/statistics.md` ("Goals").

pub mod plan;
pub mod store;

use crate::i18n::{en, en1, en2};
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::auth::Visibility;
use crate::domain::Side;
use crate::reports::report::Report;

/// What a goal measures. Stored as `metric` + `target_scope`; written as one key in forms
/// and the API (`mean:customer:trust`, `gap:trust`, `agreement:supplier:trust`,
/// `response_rate:both`, `kpi:On-time delivery`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Metric {
    Mean {
        side: Side,
        dimension: String,
    },
    Gap {
        dimension: String,
    },
    Agreement {
        side: Side,
        dimension: String,
    },
    /// `None`: both firms together.
    ResponseRate {
        side: Option<Side>,
    },
    Kpi {
        name: String,
    },
}

/// Which way is better for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Reached when the value is at or above the target.
    AtLeast,
    /// Reached when the value is at or below the target.
    AtMost,
}

impl Direction {
    pub fn meets(self, value: f64, target: f64) -> bool {
        // A hair of tolerance so a mean shown as 3.80 meets a target of 3.8.
        match self {
            Direction::AtLeast => value >= target - 1e-9,
            Direction::AtMost => value <= target + 1e-9,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Direction::AtLeast => "≥",
            Direction::AtMost => "≤",
        }
    }
}

fn parse_side(raw: &str) -> Result<Side, String> {
    raw.parse::<Side>()
        .map_err(|_| en1("goal-error-side", "value", format!("{raw:?}")))
}

impl Metric {
    /// Parses the one-key form (see [`Metric`]).
    pub fn parse_key(key: &str) -> Result<Metric, String> {
        let (kind, rest) = key.split_once(':').unwrap_or((key, ""));
        let two = |rest: &str| -> Result<(Side, String), String> {
            let (side, dim) = rest.split_once(':').ok_or_else(|| {
                en2(
                    "goal-error-side-dimension",
                    "key",
                    format!("{key:?}"),
                    "kind",
                    kind,
                )
            })?;
            if dim.is_empty() {
                return Err(en1("goal-error-no-dimension", "key", format!("{key:?}")));
            }
            Ok((parse_side(side)?, dim.to_owned()))
        };
        match kind {
            "mean" => two(rest).map(|(side, dimension)| Metric::Mean { side, dimension }),
            "agreement" => two(rest).map(|(side, dimension)| Metric::Agreement { side, dimension }),
            "gap" if !rest.is_empty() && !rest.contains(':') => Ok(Metric::Gap {
                dimension: rest.to_owned(),
            }),
            "gap" => Err(en1("goal-error-gap", "key", format!("{key:?}"))),
            "response_rate" => match rest {
                "both" => Ok(Metric::ResponseRate { side: None }),
                other => parse_side(other).map(|s| Metric::ResponseRate { side: Some(s) }),
            },
            "kpi" if !rest.trim().is_empty() => Ok(Metric::Kpi {
                name: rest.to_owned(),
            }),
            "kpi" => Err(en1("goal-error-no-kpi", "key", format!("{key:?}"))),
            _ => Err(en1("goal-error-metric", "key", format!("{key:?}"))),
        }
    }

    pub fn key(&self) -> String {
        let (m, s) = self.stored();
        format!("{m}:{s}")
    }

    /// `(metric, target_scope)` as stored.
    pub fn stored(&self) -> (&'static str, String) {
        match self {
            Metric::Mean { side, dimension } => ("mean", format!("{}:{dimension}", side.as_str())),
            Metric::Gap { dimension } => ("gap", dimension.clone()),
            Metric::Agreement { side, dimension } => {
                ("agreement", format!("{}:{dimension}", side.as_str()))
            }
            Metric::ResponseRate { side } => (
                "response_rate",
                side.map_or("both".to_owned(), |s| s.as_str().to_owned()),
            ),
            Metric::Kpi { name } => ("kpi", name.clone()),
        }
    }

    pub fn from_stored(metric: &str, scope: &str) -> Result<Metric, String> {
        Metric::parse_key(&format!("{metric}:{scope}"))
    }

    /// Which way is better; a KPI says so itself (`better` = higher|lower).
    pub fn direction(&self, kpi_better: Option<&str>) -> Direction {
        match self {
            Metric::Gap { .. } => Direction::AtMost,
            Metric::Kpi { .. } if kpi_better == Some("lower") => Direction::AtMost,
            _ => Direction::AtLeast,
        }
    }

    /// The range a target must lie in, with its unit in words.
    pub fn target_range(&self) -> Option<(f64, f64, String)> {
        match self {
            Metric::Mean { .. } => Some((1.0, 5.0, en("goal-range-mean"))),
            Metric::Gap { .. } => Some((0.0, 4.0, en("goal-range-gap"))),
            Metric::Agreement { .. } => Some((0.0, 1.0, en("goal-range-agreement"))),
            Metric::ResponseRate { .. } => Some((0.0, 100.0, en("goal-range-response-rate"))),
            Metric::Kpi { .. } => None,
        }
    }

    /// The firms whose results the metric needs.
    pub fn sides(&self) -> Vec<Side> {
        match self {
            Metric::Mean { side, .. } | Metric::Agreement { side, .. } => vec![*side],
            Metric::ResponseRate { side: Some(s) } => vec![*s],
            Metric::Gap { .. } | Metric::ResponseRate { side: None } | Metric::Kpi { .. } => {
                Side::BOTH.to_vec()
            }
        }
    }

    /// Whether a viewer who sees `v` may see (and set) this goal. KPIs concern the whole
    /// partnership and are shown to every viewer, as on the dashboard.
    pub fn visible_to(&self, v: Visibility) -> bool {
        matches!(self, Metric::Kpi { .. }) || self.sides().into_iter().all(|s| v.includes(s))
    }

    /// The dimension the metric is about, if any.
    pub fn dimension(&self) -> Option<&str> {
        match self {
            Metric::Mean { dimension, .. }
            | Metric::Gap { dimension }
            | Metric::Agreement { dimension, .. } => Some(dimension),
            _ => None,
        }
    }

    /// In words: "Trust: Contoso's mean".
    pub fn describe(&self, names: &Names) -> String {
        let dim = |d: &str| names.dimension(d);
        match self {
            Metric::Mean { side, dimension } => en2(
                "goal-metric-mean",
                "dimension",
                dim(dimension),
                "firm",
                names.firm(*side),
            ),
            Metric::Gap { dimension } => en1("goal-metric-gap", "dimension", dim(dimension)),
            Metric::Agreement { side, dimension } => en2(
                "goal-metric-agreement",
                "dimension",
                dim(dimension),
                "firm",
                names.firm(*side),
            ),
            Metric::ResponseRate { side: None } => en("goal-metric-rate-both"),
            Metric::ResponseRate { side: Some(s) } => {
                en1("goal-metric-rate", "firm", names.firm(*s))
            }
            Metric::Kpi { name } => en1("goal-metric-kpi", "kpi", crate::domain::humanize(name)),
        }
    }

    /// A value in the metric's unit, for pages.
    pub fn format(&self, value: f64) -> String {
        match self {
            Metric::ResponseRate { .. } => format!("{value:.0} %"),
            Metric::Agreement { .. } => format!("{value:.2}"),
            Metric::Kpi { .. } => {
                let s = format!("{value:.2}");
                s.trim_end_matches('0').trim_end_matches('.').to_owned()
            }
            _ => format!("{value:.2}"),
        }
    }
}

/// Names of firms and dimensions for sentences.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub customer: String,
    pub supplier: String,
    pub dimensions: BTreeMap<String, String>,
}

impl Names {
    fn firm(&self, side: Side) -> &str {
        match side {
            Side::Customer => &self.customer,
            Side::Supplier => &self.supplier,
        }
    }

    fn dimension(&self, id: &str) -> String {
        self.dimensions
            .get(id)
            .cloned()
            .unwrap_or_else(|| crate::domain::humanize(id))
    }
}

/// One observation of a metric: a closed wave, its closing date and the value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub wave: i64,
    pub date: NaiveDate,
    pub value: f64,
}

/// The metric's series over the report's waves (withheld and missing values left out).
/// `kpis`: the partnership's KPI values by wave seq, by KPI name.
pub fn series(
    metric: &Metric,
    report: &Report,
    kpis: &BTreeMap<String, BTreeMap<u32, f64>>,
) -> Vec<Point> {
    report
        .waves
        .iter()
        .filter_map(|w| {
            let date = w.closed_at?.date();
            value_at(metric, report, kpis, w.wave).map(|value| Point {
                wave: w.wave,
                date,
                value,
            })
        })
        .collect()
}

fn whole_side(segment_kind: &str, segment: &Option<String>) -> bool {
    segment_kind == "all" && segment.is_none()
}

fn value_at(
    metric: &Metric,
    report: &Report,
    kpis: &BTreeMap<String, BTreeMap<u32, f64>>,
    wave: i64,
) -> Option<f64> {
    let dimension = |side: Side, dim: &str| {
        report.dimensions.iter().find(|d| {
            d.id.wave == wave
                && d.id.side == side
                && d.id.suppressed.is_none()
                && whole_side(d.id.segment_kind, &d.id.segment)
                && d.dimension == dim
        })
    };
    match metric {
        Metric::Mean { side, dimension: d } => dimension(*side, d)?.stats.as_ref()?.summary.mean,
        Metric::Agreement { side, dimension: d } => {
            dimension(*side, d)?.stats.as_ref()?.agreement.rwg_j
        }
        Metric::Gap { dimension: d } => report
            .inter_firm
            .dimensions
            .iter()
            .find(|r| {
                r.wave == wave && r.dimension.as_deref() == Some(d) && r.suppressed.is_none()
            })?
            .comparison
            .as_ref()?
            .mean_diff
            .map(f64::abs),
        Metric::ResponseRate { side } => {
            let groups: Vec<_> = report
                .groups
                .iter()
                .filter(|g| {
                    g.id.wave == wave
                        && whole_side(g.id.segment_kind, &g.id.segment)
                        && side.is_none_or(|s| g.id.side == s)
                })
                .collect();
            let want = if side.is_some() { 1 } else { 2 };
            if groups.len() != want || groups.iter().any(|g| g.id.suppressed.is_some()) {
                return None;
            }
            let (mut invited, mut responded) = (0u64, 0u64);
            for g in groups {
                invited += g.invited?;
                responded += g.responded?;
            }
            (invited > 0).then(|| 100.0 * responded as f64 / invited as f64)
        }
        Metric::Kpi { name } => kpis.get(name)?.get(&u32::try_from(wave).ok()?).copied(),
    }
}

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = GoalStatus)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The latest value reaches the target.
    Met,
    /// Not yet reached; the trend through the last waves reaches it by the due date.
    OnTrack,
    /// Not yet reached, and the trend does not reach it in time.
    OffTrack,
    /// The due date passed without reaching it.
    Missed,
    /// One value so far: no trend to judge by.
    TooEarly,
    /// No value visible yet (no closed wave, or withheld).
    NoData,
}

impl Status {
    pub fn words(self) -> String {
        en(match self {
            Status::Met => "goal-status-met",
            Status::OnTrack => "goal-status-on-track",
            Status::OffTrack => "goal-status-off-track",
            Status::Missed => "goal-status-missed",
            Status::TooEarly => "goal-status-too-early",
            Status::NoData => "goal-status-no-data",
        })
    }

    /// Whether the goal needs attention (for styling and sorting).
    pub fn is_good(self) -> bool {
        matches!(self, Status::Met | Status::OnTrack)
    }
}

/// How far a goal has come.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub status: Status,
    /// The latest value and its wave.
    pub current: Option<f64>,
    pub current_wave: Option<i64>,
    /// The value when the goal was set (the last wave closed on or before that day, else the
    /// first wave after).
    pub baseline: Option<f64>,
    /// Share of the way from the baseline to the target, 0–1 (1 when met).
    pub fraction: Option<f64>,
    /// Where the straight line through the last (up to four) waves is on the due date.
    pub projected: Option<f64>,
}

/// Waves the trend line is fitted through.
pub const TREND_WAVES: usize = 4;

/// Days between waves: the median gap between the closing dates of consecutive points, or
/// `cadence_days` when the dates say nothing (one point, or a history imported in one day).
pub fn wave_spacing(points: &[Point], cadence_days: f64) -> f64 {
    let mut gaps: Vec<i64> = points
        .windows(2)
        .map(|w| (w[1].date - w[0].date).num_days())
        .filter(|d| *d > 0)
        .collect();
    if gaps.is_empty() {
        return cadence_days;
    }
    gaps.sort_unstable();
    let mid = gaps.len() / 2;
    if gaps.len() % 2 == 1 {
        gaps[mid] as f64
    } else {
        (gaps[mid - 1] + gaps[mid]) as f64 / 2.0
    }
}

/// Judges a goal. `points` oldest first; `wave_days` from [`wave_spacing`].
///
/// Projection: the ordinary least-squares slope of the value on the wave number over the
/// last [`TREND_WAVES`] points, carried forward from the latest value by the waves left
/// until `due_on` ((due − latest closing date) / `wave_days`).
pub fn evaluate(
    points: &[Point],
    target: f64,
    direction: Direction,
    set_on: NaiveDate,
    due_on: NaiveDate,
    today: NaiveDate,
    wave_days: f64,
) -> Progress {
    let Some(last) = points.last() else {
        return Progress {
            status: Status::NoData,
            current: None,
            current_wave: None,
            baseline: None,
            fraction: None,
            projected: None,
        };
    };
    let baseline = points
        .iter()
        .rev()
        .find(|p| p.date <= set_on)
        .or_else(|| points.first())
        .map(|p| p.value);
    let met = direction.meets(last.value, target);
    let fraction = baseline.map(|b| {
        if met {
            1.0
        } else if (target - b).abs() < 1e-12 || direction.meets(b, target) {
            0.0
        } else {
            let f = (last.value - b) / (target - b);
            // never "-0 %"
            if f > 0.0 {
                f.min(1.0)
            } else {
                0.0
            }
        }
    });
    let recent = &points[points.len().saturating_sub(TREND_WAVES)..];
    let projected = (recent.len() >= 2).then(|| {
        let n = recent.len() as f64;
        let mx = recent.iter().map(|p| p.wave as f64).sum::<f64>() / n;
        let my = recent.iter().map(|p| p.value).sum::<f64>() / n;
        let sxx: f64 = recent.iter().map(|p| (p.wave as f64 - mx).powi(2)).sum();
        let sxy: f64 = recent
            .iter()
            .map(|p| (p.wave as f64 - mx) * (p.value - my))
            .sum();
        let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        let days_left = (due_on - last.date).num_days().max(0) as f64;
        let waves_left = if wave_days > 0.0 {
            days_left / wave_days
        } else {
            0.0
        };
        last.value + slope * waves_left
    });
    let status = if met {
        Status::Met
    } else if today > due_on {
        Status::Missed
    } else {
        match projected {
            None => Status::TooEarly,
            Some(p) if direction.meets(p, target) => Status::OnTrack,
            Some(_) => Status::OffTrack,
        }
    };
    Progress {
        status,
        current: Some(last.value),
        current_wave: Some(last.wave),
        baseline,
        fraction,
        projected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn pts(values: &[(&str, f64)]) -> Vec<Point> {
        values
            .iter()
            .enumerate()
            .map(|(i, (date, value))| Point {
                wave: i as i64 + 1,
                date: d(date),
                value: *value,
            })
            .collect()
    }

    #[test]
    fn keys_round_trip_and_bad_keys_say_why() {
        for key in [
            "mean:customer:trust",
            "gap:win_win",
            "agreement:supplier:trust",
            "response_rate:both",
            "response_rate:supplier",
            "kpi:On-time delivery: EU",
        ] {
            assert_eq!(Metric::parse_key(key).unwrap().key(), key);
        }
        assert!(Metric::parse_key("mean:trust")
            .unwrap_err()
            .contains("side and a dimension"));
        assert!(Metric::parse_key("mean:buyer:trust")
            .unwrap_err()
            .contains("not a side"));
        assert!(Metric::parse_key("gap:")
            .unwrap_err()
            .contains("one dimension"));
        assert!(Metric::parse_key("speed:x")
            .unwrap_err()
            .contains("not a metric"));
        assert!(Metric::parse_key("kpi: ").unwrap_err().contains("no KPI"));
    }

    #[test]
    fn a_one_side_viewer_sees_only_goals_of_their_side() {
        let mine = Visibility::Only(Side::Customer);
        assert!(Metric::parse_key("mean:customer:trust")
            .unwrap()
            .visible_to(mine));
        assert!(!Metric::parse_key("mean:supplier:trust")
            .unwrap()
            .visible_to(mine));
        assert!(!Metric::parse_key("gap:trust").unwrap().visible_to(mine));
        assert!(!Metric::parse_key("response_rate:both")
            .unwrap()
            .visible_to(mine));
        assert!(Metric::parse_key("kpi:OTD").unwrap().visible_to(mine));
        assert!(Metric::parse_key("gap:trust")
            .unwrap()
            .visible_to(Visibility::Both));
    }

    #[test]
    fn a_rising_mean_that_will_reach_the_target_is_on_track() {
        // +0.1 a wave, quarterly; from 2026-11-01 to 2027-03-01 is 120 days ≈ 1.32 waves.
        let p = pts(&[
            ("2026-02-01", 3.4),
            ("2026-05-03", 3.5),
            ("2026-08-02", 3.6),
            ("2026-11-01", 3.7),
        ]);
        assert_eq!(wave_spacing(&p, 30.0), 91.0);
        let g = evaluate(
            &p,
            3.8,
            Direction::AtLeast,
            d("2026-03-01"),
            d("2027-03-01"),
            d("2026-11-23"),
            91.0,
        );
        assert_eq!(g.status, Status::OnTrack);
        assert_eq!(g.current, Some(3.7));
        assert_eq!(
            g.baseline,
            Some(3.4),
            "the last wave before the goal was set"
        );
        assert!((g.fraction.unwrap() - 0.75).abs() < 1e-12);
        assert!((g.projected.unwrap() - (3.7 + 0.1 * 120.0 / 91.0)).abs() < 1e-9);
        let late = evaluate(
            &p,
            3.8,
            Direction::AtLeast,
            d("2026-03-01"),
            d("2026-12-01"),
            d("2026-11-23"),
            91.0,
        );
        assert_eq!(late.status, Status::OffTrack, "not by 1 December");
    }

    #[test]
    fn a_history_imported_in_one_day_uses_the_cadence() {
        let p = pts(&[
            ("2026-11-01", 3.0),
            ("2026-11-01", 3.2),
            ("2026-11-01", 3.4),
        ]);
        assert_eq!(wave_spacing(&p, 91.0), 91.0);
        assert_eq!(wave_spacing(&p[..1], 30.0), 30.0);
        // slope 0.2 a wave; 182 days = 2 waves → 3.8
        let g = evaluate(
            &p,
            3.8,
            Direction::AtLeast,
            d("2026-11-01"),
            d("2027-05-02"),
            d("2026-11-02"),
            91.0,
        );
        assert!((g.projected.unwrap() - 3.8).abs() < 1e-9);
        assert_eq!(g.status, Status::OnTrack);
    }

    #[test]
    fn met_missed_too_early_and_no_data() {
        let p = pts(&[("2026-02-01", 3.9)]);
        let at = |target: f64, due: &str| {
            evaluate(
                &p,
                target,
                Direction::AtLeast,
                d("2026-01-01"),
                d(due),
                d("2026-03-01"),
                91.0,
            )
        };
        let met = at(3.8, "2026-06-01");
        assert_eq!((met.status, met.fraction), (Status::Met, Some(1.0)));
        let early = at(4.2, "2026-06-01");
        assert_eq!(early.status, Status::TooEarly);
        assert_eq!(early.fraction, Some(0.0));
        assert_eq!(at(4.2, "2026-02-15").status, Status::Missed);
        let none = evaluate(
            &[],
            4.2,
            Direction::AtLeast,
            d("2026-01-01"),
            d("2026-06-01"),
            d("2026-03-01"),
            91.0,
        );
        assert_eq!(none.status, Status::NoData);
    }

    #[test]
    fn a_gap_must_shrink_to_the_target() {
        let p = pts(&[
            ("2026-02-01", 0.9),
            ("2026-05-01", 0.7),
            ("2026-08-01", 0.5),
        ]);
        let g = evaluate(
            &p,
            0.3,
            Direction::AtMost,
            d("2026-01-01"),
            d("2027-01-01"),
            d("2026-09-01"),
            91.0,
        );
        assert_eq!(g.status, Status::OnTrack);
        assert!((g.fraction.unwrap() - (0.9 - 0.5) / (0.9 - 0.3)).abs() < 1e-12);
        let widening = pts(&[("2026-02-01", 0.5), ("2026-05-01", 0.7)]);
        let w = evaluate(
            &widening,
            0.3,
            Direction::AtMost,
            d("2026-01-01"),
            d("2027-01-01"),
            d("2026-09-01"),
            91.0,
        );
        assert_eq!((w.status, w.fraction), (Status::OffTrack, Some(0.0)));
    }
}
