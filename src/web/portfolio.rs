//! `/portfolio/lead-lag?kpi=NAME`: the lead–lag of one KPI pooled over every partnership the
//! signed-in administrator or ombudsman sees in full, with the permutation test that keeps
//! each partnership's changes together.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::inbox::{page_error, Viewer};
use super::render::html;
use super::AppState;
use crate::domain::humanize;
use crate::services::portfolio::{self, PortfolioLeadLag};
use crate::web::extract::{FlagHandlers, RequireRole};

#[derive(Deserialize)]
pub struct PortfolioQuery {
    kpi: Option<String>,
}

struct LagCell {
    k: i32,
    n: usize,
    r: String,
    p: String,
    p_adjusted: String,
}

struct RecordView {
    side: &'static str,
    dimension: String,
    sentence: String,
    evidence: bool,
    lags: Vec<LagCell>,
}

#[derive(Template)]
#[template(path = "pages/portfolio.html")]
struct PortfolioPage {
    viewer: Viewer,
    kpis: Vec<String>,
    kpi: String,
    kpi_words: String,
    result: Option<PortfolioLeadLag>,
    records: Vec<RecordView>,
}

fn three(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.3}"))
}

/// `GET /portfolio/lead-lag`
pub async fn lead_lag(
    user: RequireRole<FlagHandlers>,
    state: web::Data<AppState>,
    query: web::Query<PortfolioQuery>,
) -> HttpResponse {
    let access = user.access.clone();
    let kpi = query.kpi.clone().unwrap_or_default();
    let result = async {
        let wanted = kpi.clone();
        let (kpis, result) = state
            .db(move |conn, _| {
                let kpis = portfolio::kpi_names(conn, &access)?;
                let result = if wanted.trim().is_empty() {
                    None
                } else {
                    Some(portfolio::lead_lag(conn, &wanted, &access)?)
                };
                Ok((kpis, result))
            })
            .await?;
        let records = result
            .iter()
            .flat_map(|r| &r.records)
            .map(|r| RecordView {
                side: r.side.as_str(),
                dimension: humanize(&r.dimension),
                sentence: r.verdict.sentence.clone(),
                evidence: r.verdict.finding == crate::stats::LeadFinding::Evidence,
                lags: r
                    .pooled
                    .lags
                    .iter()
                    .zip(&r.p_adjusted)
                    .map(|(l, adjusted)| LagCell {
                        k: l.k,
                        n: l.n,
                        r: three(l.r),
                        p: three(l.p_permutation),
                        p_adjusted: three(*adjusted),
                    })
                    .collect(),
            })
            .collect();
        html(
            StatusCode::OK,
            PortfolioPage {
                viewer: Viewer::of(&user),
                kpis,
                kpi_words: humanize(kpi.trim()),
                kpi: kpi.trim().to_owned(),
                result,
                records,
            },
        )
    }
    .await;
    result.unwrap_or_else(page_error)
}
