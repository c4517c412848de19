//! Lead–lag across a portfolio: when several partnerships share a KPI name, their wave-to-
//! wave changes are pooled (changes taken within each partnership), so that a firm whose
//! partnerships each have too few waves still gets an answer. The permutation p shuffles
//! whole partnerships' KPI series among them, so pairs of one partnership are never treated
//! as independent of each other.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::auth::{Access, Visibility};
use crate::db::Conn;
use crate::domain::{humanize, Side};
use crate::error::ServiceError;
use crate::reports::verdict::{self, Verdict};
use crate::reports::ReportOptions;
use crate::stats::{self, DifferenceLag, DifferenceLeadLag, PooledLeadLag};

/// A partnership that took part.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub id: i64,
    pub name: String,
    /// KPI values it has (waves).
    pub kpi_waves: usize,
}

/// The pooled lead–lag of one side's dimension with the KPI.
#[derive(Debug, Clone, Serialize)]
pub struct PooledRecord {
    pub side: Side,
    pub dimension: String,
    #[serde(flatten)]
    pub pooled: PooledLeadLag,
    /// Holm-adjusted permutation p per lag (k = −3..=3), over every lag of every record of
    /// this portfolio result.
    pub p_adjusted: Vec<Option<f64>>,
    /// The verdict on the adjusted permutation p's, with the report's rule.
    pub verdict: Verdict,
}

/// `tandem report --portfolio --kpi NAME`, `GET /api/portfolio/lead-lag?kpi=NAME`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PortfolioLeadLag {
    pub kpi: String,
    /// Always "pooled_first_differences".
    pub method: &'static str,
    /// Partnerships in scope that have the KPI and both sides visible, in id order.
    pub partnerships: Vec<Member>,
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<PooledRecord>,
}

/// The KPI names of the partnerships `access` sees in full, sorted, each once.
pub fn kpi_names(conn: &mut Conn, access: &Access) -> Result<Vec<String>, ServiceError> {
    let mut names = Vec::new();
    for p in crate::db::partnerships::list_current(conn)? {
        if access.visible_side(p.id) == Some(Visibility::Both) {
            names.extend(super::dashboard::kpi_names(conn, p.id)?);
        }
    }
    names.sort();
    names.dedup();
    Ok(names)
}

/// The pooled lead–lag of `kpi` over every partnership `access` sees in full (both sides).
pub fn lead_lag(
    conn: &mut Conn,
    kpi: &str,
    access: &Access,
) -> Result<PortfolioLeadLag, ServiceError> {
    let kpi = kpi.trim();
    if kpi.is_empty() {
        return Err(ServiceError::Invalid(vec![crate::domain::FieldProblem {
            field: "kpi".into(),
            message: crate::i18n::en("portfolio-problem-no-kpi"),
        }]));
    }
    type Series = BTreeMap<u32, f64>;
    let mut members = Vec::new();
    // (side, dimension) → per partnership (perception, kpi)
    let mut series: BTreeMap<(Side, String), Vec<(Series, Series)>> = BTreeMap::new();
    for p in crate::db::partnerships::list_current(conn)? {
        if access.visible_side(p.id) != Some(Visibility::Both) {
            continue;
        }
        let report = match crate::reports::build(conn, p.id, &ReportOptions::default()) {
            Ok(r) => r,
            // no closed wave yet: nothing to pool
            Err(ServiceError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        };
        let mut kpi_waves = 0;
        for r in report.lead_lag.iter().filter(|r| r.kpi == kpi) {
            let perception: Series = r
                .perception
                .waves
                .iter()
                .copied()
                .zip(r.perception.means.iter().copied())
                .collect();
            let values: Series = r
                .kpi_values
                .waves
                .iter()
                .copied()
                .zip(r.kpi_values.values.iter().copied())
                .collect();
            kpi_waves = values.len();
            series
                .entry((r.side, r.dimension.clone()))
                .or_default()
                .push((perception, values));
        }
        if kpi_waves > 0 {
            members.push(Member {
                id: p.id,
                name: p.name,
                kpi_waves,
            });
        }
    }
    let pooled: Vec<(Side, String, PooledLeadLag)> = series
        .into_iter()
        .map(|((side, dimension), list)| {
            let inputs: Vec<stats::PartnershipSeries> = list
                .iter()
                .map(|(perception, kpi)| stats::PartnershipSeries { perception, kpi })
                .collect();
            (side, dimension, stats::pooled_lead_lag(&inputs))
        })
        .collect();
    // One Holm family over the portfolio result's permutation p's; each verdict is read once,
    // from the adjusted values.
    let all: Vec<Option<f64>> = pooled
        .iter()
        .flat_map(|(_, _, p)| p.lags.iter().map(|l| l.p_permutation))
        .collect();
    let mut adjusted = stats::holm(&all).into_iter();
    let records: Vec<PooledRecord> = pooled
        .into_iter()
        .map(|(side, dimension, pooled)| {
            let p_adjusted: Vec<Option<f64>> = pooled
                .lags
                .iter()
                .map(|_| adjusted.next().flatten())
                .collect();
            let verdict = verdict::lead_lag(
                &as_table(&pooled, &p_adjusted),
                &crate::i18n::en1("portfolio-across", "side", side.as_str()),
                &humanize(&dimension),
                &humanize(kpi),
            );
            PooledRecord {
                side,
                dimension,
                p_adjusted,
                verdict,
                pooled,
            }
        })
        .collect();
    Ok(PortfolioLeadLag {
        kpi: kpi.to_owned(),
        method: stats::POOLED_FIRST_DIFFERENCES,
        partnerships: members,
        records,
    })
}

/// The pooled lags as a first-difference table the verdict rule reads (p = the permutation p).
fn as_table(pooled: &PooledLeadLag, adjusted: &[Option<f64>]) -> DifferenceLeadLag {
    DifferenceLeadLag {
        method: stats::POOLED_FIRST_DIFFERENCES,
        family_size: adjusted.iter().flatten().count(),
        lags: pooled
            .lags
            .iter()
            .enumerate()
            .map(|(i, l)| DifferenceLag {
                k: l.k,
                n: l.n,
                perception_waves: Vec::new(),
                kpi_waves: Vec::new(),
                r: l.r,
                p: l.p_permutation,
                p_adjusted: adjusted.get(i).copied().flatten(),
            })
            .collect(),
    }
}
