//! The portfolio overview: every partnership a viewer may see, side by side — health index and
//! its trend, the biggest between-firm gap, the lowest agreement, response rates, open flags,
//! the last wave — with the partnerships most at risk first. For a customer firm's people this
//! is the council of key suppliers on one page.
//!
//! Each partnership's figures come from its report as the viewer may see it (one side only
//! for a one-side manager: then no gap and no health index, which combine both firms), so
//! the overview never shows more than the partnership's own dashboard. [`summarize`] is pure;
//! open flags are counted fresh on every call (they change without a new report).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::{Access, Visibility};
use crate::db::schema::{flags, report_versions};
use crate::db::Conn;
use crate::domain::{humanize, Side};
use crate::error::ServiceError;
use crate::i18n::{en, en1, en2};
use crate::reports::aggregate::SegmentKind;
use crate::reports::report::Report;
use crate::reports::ReportOptions;
use crate::stats::agreement_band;

/// A health index at or above this, moving less than [`FLAT`] points, is "flat-high".
pub const HIGH_HEALTH: f64 = 70.0;
/// Health index change (points) under which the index counts as flat.
pub const FLAT: f64 = 5.0;
/// A fall of the overall response rate (both firms' responses over invitations) by at least
/// this much from the previous wave, beside a flat-high index, marks complacency.
pub const RESPONSE_FALL: f64 = 0.10;
/// A side's response rate under this counts towards risk.
pub const LOW_RESPONSE: f64 = 0.40;

/// A partnership the viewer may see, with its report version (the key of cached summaries).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    pub customer: String,
    pub supplier: String,
    pub visibility: Visibility,
    pub version: i64,
}

/// Every partnership `access` reaches, by id, with its report version.
pub fn candidates(conn: &mut Conn, access: &Access) -> Result<Vec<Candidate>, ServiceError> {
    let visible = super::dashboard::visible_partnerships(conn, access)?;
    let ids: Vec<i64> = visible.iter().map(|p| p.id).collect();
    let versions: HashMap<i64, i64> = report_versions::table
        .filter(report_versions::partnership_id.eq_any(&ids))
        .select((report_versions::partnership_id, report_versions::version))
        .load(conn)?
        .into_iter()
        .collect();
    Ok(visible
        .into_iter()
        .map(|p| Candidate {
            version: versions.get(&p.id).copied().unwrap_or(0),
            id: p.id,
            name: p.name,
            customer: p.customer,
            supplier: p.supplier,
            visibility: p.visibility,
        })
        .collect())
}

/// The between-firm gap of one dimension in the latest wave.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GapCell {
    pub dimension: String,
    /// customer mean − supplier mean, in points.
    pub gap: f64,
    /// Welch's p < 0.05.
    pub significant: bool,
}

/// The lowest within-firm agreement in the latest wave.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgreementCell {
    pub side: Side,
    pub dimension: String,
    pub rwg_j: f64,
    /// LeBreton & Senter's band, in words.
    pub words: &'static str,
}

/// What a partnership's report says for the overview (cached per report version).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub last_wave: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(serialize_with = "crate::domain::utc::rfc3339_option")]
    pub last_closed_at: Option<NaiveDateTime>,
    /// The health index (0–100) of the latest wave that has one, and of the one before.
    pub health: Option<f64>,
    pub health_previous: Option<f64>,
    /// Up to the last eight shown health indices, oldest first.
    pub health_series: Vec<f64>,
    pub biggest_gap: Option<GapCell>,
    pub lowest_agreement: Option<AgreementCell>,
    /// Latest wave's response rates (0–1) per side the viewer sees.
    pub response_customer: Option<f64>,
    pub response_supplier: Option<f64>,
    /// Both firms' responses over invitations, latest wave minus the previous one.
    pub response_change: Option<f64>,
}

/// The figures of a report (already restricted to what the viewer sees).
pub fn summarize(report: &Report) -> Summary {
    let last = report.waves.last();
    let healths: Vec<f64> = report.health.iter().filter_map(|h| h.index).collect();
    let latest_wave = last.map(|w| w.wave);
    let biggest_gap = report
        .inter_firm
        .dimensions
        .iter()
        .filter(|r| Some(r.wave) == latest_wave)
        .filter_map(|r| {
            let c = r.comparison.as_ref()?;
            Some(GapCell {
                dimension: humanize(r.dimension.as_deref()?),
                gap: c.mean_diff?,
                significant: c.welch_p.is_some_and(|p| p < 0.05),
            })
        })
        .max_by(|a, b| a.gap.abs().total_cmp(&b.gap.abs()));
    let lowest_agreement = report
        .dimensions
        .iter()
        .filter(|d| Some(d.id.wave) == latest_wave && d.id.segment_kind == "all")
        .filter_map(|d| {
            let rwg = d.stats.as_ref()?.agreement.rwg_j?;
            Some(AgreementCell {
                side: d.id.side,
                dimension: humanize(&d.dimension),
                rwg_j: rwg,
                words: crate::i18n::en_static(agreement_band(rwg).words_key()),
            })
        })
        .min_by(|a, b| a.rwg_j.total_cmp(&b.rwg_j));
    let rate = |wave: Option<i64>, side: Side| {
        report
            .response_rates
            .iter()
            .find(|r| Some(r.wave) == wave && r.side == side)
            .and_then(|r| r.response_rate)
    };
    let overall = |wave: i64| {
        let rows: Vec<_> = report
            .response_rates
            .iter()
            .filter(|r| r.wave == wave)
            .collect();
        let invited: u64 = rows.iter().map(|r| r.invited).sum();
        let responded: u64 = rows.iter().map(|r| r.responded).sum();
        (invited > 0).then(|| responded as f64 / invited as f64)
    };
    let response_change = match report.waves.as_slice() {
        [.., a, b] => overall(b.wave).zip(overall(a.wave)).map(|(b, a)| b - a),
        _ => None,
    };
    Summary {
        last_wave: latest_wave,
        last_closed_at: last.and_then(|w| w.closed_at),
        health: healths.last().copied(),
        health_previous: healths.len().checked_sub(2).map(|i| healths[i]),
        health_series: healths[healths.len().saturating_sub(8)..].to_vec(),
        biggest_gap,
        lowest_agreement,
        response_customer: rate(latest_wave, Side::Customer),
        response_supplier: rate(latest_wave, Side::Supplier),
        response_change,
    }
}

/// The summary of one partnership as `visibility` sees it; `None` before its first closed
/// wave. Builds the report without breakdowns (the overview shows whole sides only).
pub fn summary(
    conn: &mut Conn,
    partnership: i64,
    visibility: Visibility,
) -> Result<Option<Summary>, ServiceError> {
    let options = ReportOptions {
        wave: None,
        segment: Some(SegmentKind::All),
        series: None,
    };
    let report = match crate::reports::build(conn, partnership, &options) {
        Ok(r) => r,
        Err(ServiceError::Conflict(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let report = match visibility {
        Visibility::Both => report,
        Visibility::Only(side) => report.for_one_side(side),
    };
    Ok(Some(summarize(&report)))
}

/// Open and acknowledged flags of one partnership by severity.
#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct FlagCounts {
    pub high: u64,
    pub medium: u64,
    pub low: u64,
}

impl FlagCounts {
    pub fn total(&self) -> u64 {
        self.high + self.medium + self.low
    }
}

/// Flags not yet resolved, per partnership of `ids`.
pub fn open_flags(conn: &mut Conn, ids: &[i64]) -> Result<HashMap<i64, FlagCounts>, ServiceError> {
    let rows: Vec<(i64, String)> = flags::table
        .filter(flags::partnership_id.eq_any(ids))
        .filter(flags::state.ne("resolved"))
        .select((flags::partnership_id, flags::severity))
        .load(conn)?;
    let mut out: HashMap<i64, FlagCounts> = HashMap::new();
    for (id, severity) in rows {
        let c = out.entry(id).or_default();
        match severity.as_str() {
            "high" => c.high += 1,
            "medium" => c.medium += 1,
            _ => c.low += 1,
        }
    }
    Ok(out)
}

/// One partnership on the overview.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PortfolioRow {
    pub id: i64,
    pub name: String,
    pub customer: String,
    pub supplier: String,
    /// "both firms", or the one firm the viewer sees.
    pub sees: String,
    /// `null` before the first closed wave.
    #[schema(value_type = Option<Summary>)]
    pub summary: Option<Arc<Summary>>,
    pub open_flags: FlagCounts,
    /// Flat-high health index while the response rate falls (see [`complacent`]).
    pub complacent: bool,
    /// Risk points (see [`risk`]); the overview lists the highest first.
    pub risk: f64,
    /// Why it scores, in words, largest part first.
    pub reasons: Vec<String>,
}

/// "Complacency": a health index ≥ [`HIGH_HEALTH`] that moved less than [`FLAT`] points
/// since the previous wave while the overall response rate fell by ≥ [`RESPONSE_FALL`] —
/// people stop answering a survey whose scores look fine, before the scores move.
pub fn complacent(s: &Summary) -> bool {
    match (s.health, s.health_previous, s.response_change) {
        (Some(h), Some(p), Some(r)) => {
            h >= HIGH_HEALTH && (h - p).abs() < FLAT && r <= -RESPONSE_FALL
        }
        _ => false,
    }
}

/// Risk points and their reasons: each open flag 3 (high), 2 (medium) or 1 (low); a health
/// index below 50, (50 − index)/10; a fall of the index by ≥ 5 points, 2; a significant
/// between-firm gap of ≥ 0.5 points, 2; the lowest rwg(j) under 0.5, 1; a side answering
/// under 40 %, 2 each; complacency, 2. A simple sum, documented so a reader can check it.
pub fn risk(s: Option<&Summary>, flags: FlagCounts, complacent: bool) -> (f64, Vec<String>) {
    let mut parts: Vec<(f64, String)> = Vec::new();
    let flag_points = 3.0 * flags.high as f64 + 2.0 * flags.medium as f64 + flags.low as f64;
    if flag_points > 0.0 {
        parts.push((
            flag_points,
            en1("overview-reason-flags", "count", flags.total()),
        ));
    }
    if let Some(s) = s {
        if let Some(h) = s.health.filter(|h| *h < 50.0) {
            parts.push((
                (50.0 - h) / 10.0,
                en1("overview-reason-health", "health", format!("{h:.0}")),
            ));
        }
        if let (Some(h), Some(p)) = (s.health, s.health_previous) {
            if p - h >= FLAT {
                parts.push((
                    2.0,
                    en1(
                        "overview-reason-health-fell",
                        "points",
                        format!("{:.0}", p - h),
                    ),
                ));
            }
        }
        if let Some(g) = s
            .biggest_gap
            .as_ref()
            .filter(|g| g.significant && g.gap.abs() >= 0.5)
        {
            parts.push((
                2.0,
                en2(
                    "overview-reason-gap",
                    "dimension",
                    &g.dimension,
                    "gap",
                    format!("{:.2}", g.gap.abs()),
                ),
            ));
        }
        if let Some(a) = s.lowest_agreement.as_ref().filter(|a| a.rwg_j < 0.5) {
            parts.push((
                1.0,
                en2(
                    "overview-reason-disagrees",
                    "side",
                    a.side,
                    "dimension",
                    &a.dimension,
                ),
            ));
        }
        for (side, rate) in [
            (Side::Customer, s.response_customer),
            (Side::Supplier, s.response_supplier),
        ] {
            if let Some(r) = rate.filter(|r| *r < LOW_RESPONSE) {
                parts.push((
                    2.0,
                    en2(
                        "overview-reason-answered",
                        "side",
                        side,
                        "rate",
                        format!("{:.0}", r * 100.0),
                    ),
                ));
            }
        }
    }
    if complacent {
        parts.push((2.0, en("overview-reason-complacent")));
    }
    parts.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total = parts.iter().map(|(p, _)| p).sum();
    (total, parts.into_iter().map(|(_, r)| r).collect())
}

/// The overview's rows, most at risk first (then the lower health index, then the name).
pub fn rows(
    candidates: &[Candidate],
    summaries: &HashMap<i64, Option<Arc<Summary>>>,
    flags: &HashMap<i64, FlagCounts>,
) -> Vec<PortfolioRow> {
    let mut rows: Vec<PortfolioRow> = candidates
        .iter()
        .map(|c| {
            let summary = summaries.get(&c.id).cloned().flatten();
            let open = flags.get(&c.id).copied().unwrap_or_default();
            let complacent = summary.as_deref().is_some_and(complacent);
            let (risk, reasons) = risk(summary.as_deref(), open, complacent);
            PortfolioRow {
                id: c.id,
                name: c.name.clone(),
                sees: match c.visibility {
                    Visibility::Both => en("overview-sees-both"),
                    Visibility::Only(Side::Customer) => {
                        en1("overview-sees-only", "firm", &c.customer)
                    }
                    Visibility::Only(Side::Supplier) => {
                        en1("overview-sees-only", "firm", &c.supplier)
                    }
                },
                customer: c.customer.clone(),
                supplier: c.supplier.clone(),
                summary,
                open_flags: open,
                complacent,
                risk,
                reasons,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        let health = |r: &PortfolioRow| {
            r.summary
                .as_ref()
                .and_then(|s| s.health)
                .unwrap_or(f64::MAX)
        };
        b.risk
            .total_cmp(&a.risk)
            .then(health(a).total_cmp(&health(b)))
            .then(a.name.cmp(&b.name))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(health: Option<(f64, f64)>, response_change: Option<f64>) -> Summary {
        Summary {
            health: health.map(|h| h.1),
            health_previous: health.map(|h| h.0),
            response_change,
            ..Summary::default()
        }
    }

    #[test]
    fn complacency_is_flat_high_scores_while_fewer_answer() {
        assert!(complacent(&summary(Some((80.0, 82.0)), Some(-0.15))));
        assert!(
            complacent(&summary(Some((80.0, 82.0)), Some(-0.10))),
            "at the boundary"
        );
        assert!(
            !complacent(&summary(Some((80.0, 82.0)), Some(-0.09))),
            "response steady"
        );
        assert!(
            !complacent(&summary(Some((60.0, 62.0)), Some(-0.2))),
            "not high"
        );
        assert!(
            !complacent(&summary(Some((72.0, 80.0)), Some(-0.2))),
            "not flat"
        );
        assert!(
            !complacent(&summary(None, Some(-0.2))),
            "no index (one side seen)"
        );
    }

    #[test]
    fn risk_adds_up_its_documented_parts() {
        let s = Summary {
            health: Some(40.0),
            health_previous: Some(48.0),
            response_customer: Some(0.3),
            response_supplier: Some(0.9),
            ..Summary::default()
        };
        let flags = FlagCounts {
            high: 1,
            medium: 1,
            low: 0,
        };
        let (points, reasons) = risk(Some(&s), flags, false);
        // flags 3 + 2, health (50 − 40)/10 = 1, fell 8 points 2, customer under 40 % 2
        assert!((points - 10.0).abs() < 1e-12, "{points}");
        assert_eq!(reasons[0], "2 open flags");
        assert_eq!(reasons.len(), 4);
        let (none, why) = risk(None, FlagCounts::default(), false);
        assert_eq!((none, why.len()), (0.0, 0));
    }

    #[test]
    fn every_risk_reason_reads_as_before_its_words_moved_to_the_catalog() {
        let s = Summary {
            health: Some(35.0),
            health_previous: Some(47.0),
            biggest_gap: Some(GapCell {
                dimension: "Trust".into(),
                gap: -0.75,
                significant: true,
            }),
            lowest_agreement: Some(AgreementCell {
                side: Side::Supplier,
                dimension: "Win win".into(),
                rwg_j: 0.3,
                words: "weak",
            }),
            response_customer: Some(0.25),
            response_supplier: Some(0.35),
            ..Summary::default()
        };
        let one_low = FlagCounts {
            high: 0,
            medium: 0,
            low: 1,
        };
        let (_, mut reasons) = risk(Some(&s), one_low, true);
        reasons.sort();
        assert_eq!(
            reasons,
            [
                "1 open flag",
                "Trust gap of 0.75 points",
                "customer answered 25 %",
                "health index 35",
                "health index fell 12 points",
                "scores flat and high while fewer answer",
                "supplier answered 35 %",
                "supplier disagrees within on Win win",
            ]
        );
    }
}
