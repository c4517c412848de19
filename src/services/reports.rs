//! Reading reports and feeding them: the report of a partnership (from stored aggregates),
//! KPI imports, and the comments of a wave that a viewer may read.

use crate::auth::Visibility;
use crate::db::Conn;
use crate::domain::Side;
use crate::error::ServiceError;
use crate::reports::comments::{self, SideComments};
use crate::reports::kpi::KpiSummary;
use crate::reports::{Report, ReportOptions};

/// The partnership's report, built from the stored aggregates.
pub fn build(
    conn: &mut Conn,
    partnership: i64,
    options: &ReportOptions,
) -> Result<Report, ServiceError> {
    crate::reports::build(conn, partnership, options)
}

/// The partnership's report as a viewer who sees `visibility` may read it: for a one-side
/// viewer only that firm's results, as the dashboard shows them.
pub fn build_for(
    conn: &mut Conn,
    partnership: i64,
    options: &ReportOptions,
    visibility: Visibility,
) -> Result<Report, ServiceError> {
    let doc = build(conn, partnership, options)?;
    Ok(match visibility {
        Visibility::Both => doc,
        Visibility::Only(side) => doc.for_one_side(side),
    })
}

/// Imports a KPI file for a partnership, all or nothing.
pub fn import_kpis(
    conn: &mut Conn,
    partnership: i64,
    bytes: &[u8],
    actor: &str,
) -> Result<KpiSummary, ServiceError> {
    conn.write_transaction(|conn| {
        let summary = crate::reports::import_kpis(conn, partnership, bytes)?;
        crate::auth::audit::audit(
            conn,
            actor,
            "import.kpis",
            &format!("partnership {partnership}"),
            &format!("{} bytes", bytes.len()),
        )?;
        Ok(summary)
    })
}

/// The report of a partnership as CSV (restricted like [`build_for`]), with its audit row
/// (an export leaves the service).
pub fn export_csv(
    conn: &mut Conn,
    partnership: i64,
    options: &ReportOptions,
    visibility: Visibility,
    actor: &str,
) -> Result<Vec<u8>, ServiceError> {
    let doc = build_for(conn, partnership, options, visibility)?;
    let mut out = Vec::new();
    crate::reports::csv::write(&doc, &mut out)?;
    crate::auth::audit::audit(
        conn,
        actor,
        "export.csv",
        &format!("partnership {partnership}"),
        &format!("API report, {}", visibility.label()),
    )?;
    Ok(out)
}

/// The comments of wave `seq` of `sides` that may be shown.
pub fn comments_for_wave(
    conn: &mut Conn,
    partnership: i64,
    seq: i64,
    sides: &[Side],
) -> Result<Option<Vec<SideComments>>, ServiceError> {
    Ok(comments::for_wave(conn, partnership, seq, sides)?)
}
