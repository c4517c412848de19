//! What the pages read beside a report: its version (the dashboard cache's key), the template
//! of the latest closed wave (for names and answer labels), the KPI names a goal may target,
//! and the partnerships a user may open with their firms' names.

use std::collections::HashMap;

use crate::auth::{Access, Visibility};
use crate::db::{firms, partnerships, schema, template_versions, waves, Conn};
use crate::error::ServiceError;
use crate::survey_templates::SurveyTemplate;

/// The partnership's report version: it changes whenever anything a report shows changes.
pub fn report_version(conn: &mut Conn, partnership_id: i64) -> Result<i64, ServiceError> {
    Ok(partnerships::report_version(conn, partnership_id)?)
}

/// The template of the latest closed wave of the partnership's main series, if any closed.
pub fn latest_closed_template(
    conn: &mut Conn,
    partnership_id: i64,
) -> Result<Option<SurveyTemplate>, ServiceError> {
    latest_closed_template_of(conn, partnership_id, crate::domain::MAIN_SERIES)
}

/// The template of the latest closed wave of one series of the partnership, if any closed
/// (an unknown series is not found).
pub fn latest_closed_template_of(
    conn: &mut Conn,
    partnership_id: i64,
    series: &str,
) -> Result<Option<SurveyTemplate>, ServiceError> {
    let p = partnerships::require(conn, partnership_id)?;
    let series = super::series::resolve(conn, &p, Some(series))?;
    let all = waves::for_series(conn, partnership_id, series.id)?;
    let Some(latest) = all
        .iter()
        .filter(|w| w.state == "closed")
        .max_by_key(|w| w.seq)
    else {
        return Ok(None);
    };
    let version = template_versions::get(conn, latest.template_version_id)?;
    SurveyTemplate::from_stored(&version.version, &version.body)
        .map(Some)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored template: {e}")))
}

/// The series of a partnership as the dashboard's switcher lists them: (key, name, template),
/// the main series first.
pub fn series_choices(
    conn: &mut Conn,
    partnership_id: i64,
) -> Result<Vec<(String, String, String)>, ServiceError> {
    let p = partnerships::require(conn, partnership_id)?;
    Ok(crate::db::series::of_partnership(conn, &p)?
        .into_iter()
        .map(|s| (s.key, s.name, s.template_id))
        .collect())
}

/// The names of the partnership's KPIs, in the order they were first imported.
pub fn kpi_names(conn: &mut Conn, partnership_id: i64) -> Result<Vec<String>, ServiceError> {
    use diesel::prelude::*;
    use schema::kpis;
    Ok(kpis::table
        .filter(kpis::partnership_id.eq(partnership_id))
        .order(kpis::id.asc())
        .select(kpis::name)
        .load(conn)?)
}

/// A partnership a user may open.
#[derive(Debug, Clone)]
pub struct VisiblePartnership {
    pub id: i64,
    pub name: String,
    pub customer: String,
    pub supplier: String,
    pub visibility: Visibility,
}

/// The partnerships `access` reaches, with their firms' names, in id order.
pub fn visible_partnerships(
    conn: &mut Conn,
    access: &Access,
) -> Result<Vec<VisiblePartnership>, ServiceError> {
    let visible: Vec<_> = partnerships::list_current(conn)?
        .into_iter()
        .filter_map(|p| access.visible_side(p.id).map(|v| (p, v)))
        .collect();
    let firm_ids: Vec<i64> = visible
        .iter()
        .flat_map(|(p, _)| [p.customer_firm_id, p.supplier_firm_id])
        .collect();
    let names: HashMap<i64, String> = firms::get_many(conn, &firm_ids)?
        .into_iter()
        .map(|f| (f.id, f.name))
        .collect();
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    Ok(visible
        .into_iter()
        .map(|(p, visibility)| VisiblePartnership {
            id: p.id,
            customer: name(p.customer_firm_id),
            supplier: name(p.supplier_firm_id),
            name: p.name,
            visibility,
        })
        .collect())
}

/// Every partnership's id.
pub fn all_partnership_ids(conn: &mut Conn) -> Result<Vec<i64>, ServiceError> {
    Ok(partnerships::list_current(conn)?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// Whether the database answers and its schema is the binary's (for `/readyz`).
pub fn migrations_current(conn: &mut Conn) -> Result<bool, ServiceError> {
    crate::db::migrations_current(conn).map_err(|e| ServiceError::Internal(anyhow::Error::new(e)))
}
