//! `/api/partnerships/{id}/report` and `/api/partnerships/{id}/kpis`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::reports::kpi::KpiSummary;
use crate::reports::{Report, ReportOptions, SegmentKind};
use crate::web::api::auth::{Admin, Caller};
use crate::web::api::require_csv;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortfolioQuery {
    /// The KPI, by the name it was imported under (e.g. on_time_delivery_pct)
    #[param(min_length = 1, pattern = r"\S")]
    pub kpi: String,
}

/// The lead–lag of one KPI pooled over every partnership that has it: changes within each
/// partnership, pairs pooled, k = −3..=3, r with its t-test p and a permutation p that
/// shuffles whole partnerships' KPI series; Holm over the result; a verdict per side and
/// dimension. Administrators and ombudsmen, over the partnerships whose both sides they see
/// (as the page `/portfolio/lead-lag`).
#[utoipa::path(get, path = "/api/portfolio/lead-lag", tag = "reports",
    params(PortfolioQuery),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = crate::services::portfolio::PortfolioLeadLag),
        (status = 400, description = "no kpi parameter", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "a relationship manager", body = ErrorBody),
        (status = 422, description = "an empty KPI name", body = ErrorBody)))]
pub async fn portfolio_lead_lag(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<PortfolioQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require_flag_handler()?;
    let kpi = query.kpi.clone();
    let access = caller.access;
    let result = state
        .db(move |conn, _| crate::services::portfolio::lead_lag(conn, &kpi, &access))
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Only this wave (trends and lead–lag still use every closed wave up to it)
    #[param(pattern = "^[0-9]{1,9}$")]
    pub wave: Option<String>,
    /// level, function, level_function, region, business_unit, language or all (no
    /// breakdown); default level, function and region, and business_unit where the waves
    /// have one (language only when asked for)
    #[param(pattern = "^(all|level|function|level_function|region|business_unit|language)$")]
    pub segment: Option<String>,
    /// The survey series (its key; default `main`, the partnership's own)
    #[param(pattern = "^[a-z][a-z0-9-]{0,39}$")]
    pub series: Option<String>,
    /// json (default) or csv
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// The partnership's report from stored aggregates; groups below the minimum reporting size
/// are withheld with the reason. Anyone who sees the partnership; a one-side relationship
/// manager gets only their firm's results (nothing that combines both firms), as on the
/// dashboard.
#[utoipa::path(get, path = "/api/partnerships/{id}/report", tag = "reports",
    params(("id" = i64, Path, description = "partnership id"), ReportQuery),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, description = "the report (JSON, or CSV with format=csv: one row per section, wave, side, segment, subject and statistic)", content(
            (Report = "application/json"),
            (String = "text/csv"))),
        (status = 400, description = "a bad wave, segment or format", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "no such partnership, series or wave, or a partnership outside the caller's scope", body = ErrorBody),
        (status = 409, description = "no closed wave yet, or the wave is not closed", body = ErrorBody)))]
pub async fn report(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let visibility = caller.require_partnership(id)?;
    let wave = query
        .wave
        .as_deref()
        .map(|w| {
            w.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::BadRequest(format!("wave {w:?} is not a wave number")))
        })
        .transpose()?;
    // A built-in breakdown, else one of the partnership's custom attributes.
    let segment = match query.segment.clone() {
        None => None,
        Some(text) => Some(match text.parse::<SegmentKind>() {
            Ok(kind) => kind,
            Err(_) => state
                .db(move |conn, _| crate::services::attributes::segment(conn, id, &text))
                .await?
                .map_err(ApiError::BadRequest)?,
        }),
    };
    let csv = match query
        .format
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "format {other:?} is not known (json or csv)"
            )))
        }
    };
    let options = ReportOptions {
        wave,
        segment,
        series: query.series.clone(),
    };
    if csv {
        let actor = caller.actor().to_owned();
        let body = state
            .db(move |conn, _| {
                crate::services::reports::export_csv(conn, id, &options, visibility, &actor)
            })
            .await?;
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(body))
    } else {
        let doc = state
            .db(move |conn, _| crate::services::reports::build_for(conn, id, &options, visibility))
            .await?;
        Ok(HttpResponse::Ok().json(doc))
    }
}

/// Import KPI values from CSV: wide (wave, one column per KPI) or long (date or wave, kpi,
/// value, optional unit and better = higher|lower). All-or-nothing.
#[utoipa::path(post, path = "/api/partnerships/{id}/kpis", tag = "reports",
    params(("id" = i64, Path, description = "partnership id")),
    request_body(content = String, content_type = "text/csv"),
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, description = "imported", body = KpiSummary),
        (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 415, description = "not sent as text/csv", body = ErrorBody),
        (status = 422, description = "refused; every problem with line and column", body = ErrorBody)))]
pub async fn import_kpis(
    admin: Admin,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    require_csv(&req)?;
    let actor = admin.actor().to_owned();
    let summary = state
        .db(move |conn, _| crate::services::reports::import_kpis(conn, id, &body, &actor))
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}

fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::NotFound(format!("there is no partnership with id {raw:?}")))
}
