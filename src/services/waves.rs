//! Opening and closing waves by hand, their status, and the scheduler pass.

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::error::ServiceError;
use crate::db::{self, invitations, waves, Conn};
use crate::survey_templates::Catalog;
use crate::waves::lifecycle::{self, OpenedWave, TickReport, WaveError};
use crate::mail::Links;

impl From<WaveError> for ServiceError {
    fn from(e: WaveError) -> Self {
        match e {
            WaveError::Database(d) => ServiceError::Database(d),
            WaveError::Render(m) | WaveError::Corrupt(m) => {
                ServiceError::Internal(anyhow::anyhow!(m))
            }
            other => ServiceError::Conflict(other.to_string()),
        }
    }
}

/// One wave as `wave status` and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WaveStatus {
    pub seq: i64,
    pub state: String,
    #[schema(value_type = String, format = DateTime)]
    pub opens_at: NaiveDateTime,
    #[schema(value_type = String, format = DateTime)]
    pub closes_at: NaiveDateTime,
    /// The deadline in the partnership's timezone, for people.
    pub closes_local: String,
    pub imported: bool,
    pub invited: i64,
    pub responded: i64,
    pub sides: Vec<SideStatus>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SideStatus {
    pub side: String,
    pub invited: i64,
    pub responded: i64,
}

pub fn open_now(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership_id: i64,
    links: &Links,
) -> Result<OpenedWave, ServiceError> {
    let p = super::partnerships::get(conn, partnership_id)?;
    Ok(lifecycle::open_wave(
        conn,
        catalog,
        &p,
        db::now(),
        None,
        links,
    )?)
}

pub fn close_now(
    conn: &mut Conn,
    partnership_id: i64,
    links: &Links,
) -> Result<WaveStatus, ServiceError> {
    let p = super::partnerships::get(conn, partnership_id)?;
    let wave = lifecycle::close_wave(conn, p.id, db::now(), links)?;
    status(conn, partnership_id)?
        .into_iter()
        .find(|w| w.seq == wave.seq)
        .ok_or_else(|| ServiceError::NotFound("the closed wave disappeared".into()))
}

pub fn status(conn: &mut Conn, partnership_id: i64) -> Result<Vec<WaveStatus>, ServiceError> {
    let p = super::partnerships::get(conn, partnership_id)?;
    let mut out = Vec::new();
    for w in waves::for_partnership(conn, partnership_id)? {
        let sides: Vec<SideStatus> = invitations::counts_by_side(conn, w.id)?
            .into_iter()
            .map(|(side, invited, responded)| SideStatus {
                side,
                invited,
                responded,
            })
            .collect();
        out.push(WaveStatus {
            seq: w.seq,
            closes_local: crate::waves::schedule::local_deadline(w.closes_at, &p.timezone),
            state: w.state,
            opens_at: w.opens_at,
            closes_at: w.closes_at,
            imported: w.imported,
            invited: sides.iter().map(|s| s.invited).sum(),
            responded: sides.iter().map(|s| s.responded).sum(),
            sides,
        });
    }
    Ok(out)
}

pub fn tick(conn: &mut Conn, catalog: &Catalog, links: &Links) -> Result<TickReport, ServiceError> {
    Ok(lifecycle::tick(conn, catalog, db::now(), links)?)
}
