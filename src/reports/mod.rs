//! From stored aggregates to report documents: the sufficient statistics kept per closed
//! wave (`aggregate`), the confidentiality rules (`confidentiality`), KPIs and their
//! alignment to waves (`kpi`), the report itself (`report`), the lead–lag verdict in words
//! (`verdict`) and its CSV form (`csv`).
//!
//! A report must never read raw answers (only `aggregate::rebuild_wave` does, once per
//! wave), and must never let a number about a group below the partnership's minimum
//! reporting size leave the server.

pub mod aggregate;
pub mod comments;
pub mod confidentiality;
pub mod csv;
pub mod disclosure;
pub mod kpi;
pub mod report;
pub mod verdict;

pub use aggregate::{check_attribute_key, rebuild_wave, SegmentKind, MAX_ATTRIBUTES};
pub use report::{build, Report, ReportOptions};

use crate::db::Conn;
use crate::error::ServiceError;

/// Imports a KPI file for a partnership (see [`kpi`]).
pub fn import_kpis(
    conn: &mut Conn,
    partnership_id: i64,
    bytes: &[u8],
) -> Result<kpi::KpiSummary, ServiceError> {
    crate::db::partnerships::require(conn, partnership_id)?;
    Ok(kpi::import(conn, partnership_id, bytes)?)
}
