//! Opening and closing waves by hand, their status, and the scheduler pass.

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::db::models::Wave;
use crate::db::{self, invitations, waves, Conn};
use crate::error::ServiceError;
use crate::mail::Links;
use crate::survey_templates::Catalog;
use crate::waves::lifecycle::{self, MissedSlot, OpenedWave, WaveError};

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
    /// The survey series the wave belongs to (`main`: the partnership's own).
    pub series: String,
    pub state: String,
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    pub opens_at: NaiveDateTime,
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    pub closes_at: NaiveDateTime,
    /// The deadline in the partnership's timezone, for people.
    pub closes_local: String,
    pub imported: bool,
    pub invited: i64,
    pub responded: i64,
    /// Invitations whose mail bounced hard or was refused (the address is undeliverable).
    pub bounced: i64,
    /// Invitations that reached someone: invited − bounced.
    pub delivered: i64,
    /// responded / invited, when anyone was invited.
    pub response_rate: Option<f64>,
    /// responded / delivered: the rate among people the invitation reached.
    pub response_rate_delivered: Option<f64>,
    pub sides: Vec<SideStatus>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SideStatus {
    pub side: String,
    pub invited: i64,
    pub responded: i64,
}

/// The audit actor of what the scheduler does on its own.
pub const SCHEDULER: &str = "scheduler";

/// Opens the next wave of a series (`None`: the main series) now, by hand.
pub fn open_now(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership_id: i64,
    series: Option<&str>,
    links: &Links,
    actor: &str,
) -> Result<OpenedWave, ServiceError> {
    let p = super::partnerships::get(conn, partnership_id)?;
    let series = super::series::resolve(conn, &p, series)?;
    conn.write_transaction(|conn| {
        let opened = lifecycle::open_wave(conn, catalog, &p, &series, db::now(), None, links)?;
        audit_wave(conn, actor, "wave.opened", partnership_id, opened.seq)?;
        Ok(opened)
    })
}

fn audit_wave(
    conn: &mut Conn,
    actor: &str,
    action: &str,
    partnership: i64,
    seq: i64,
) -> Result<(), ServiceError> {
    crate::auth::audit::audit(
        conn,
        actor,
        action,
        &format!("partnership {partnership}"),
        &format!("wave {seq}"),
    )?;
    Ok(())
}

/// Closes the open wave of a series (`None`: the main series) now, by hand.
pub fn close_now(
    conn: &mut Conn,
    partnership_id: i64,
    series: Option<&str>,
    links: &Links,
    actor: &str,
) -> Result<WaveStatus, ServiceError> {
    let p = super::partnerships::get(conn, partnership_id)?;
    let series = super::series::resolve(conn, &p, series)?;
    let now = db::now();
    let wave = conn.write_transaction(|conn| -> Result<Wave, ServiceError> {
        let wave = lifecycle::close_open(conn, p.id, series.id, now)?;
        after_close(conn, &wave, links, actor)?;
        audit_wave(conn, actor, "wave.closed", p.id, wave.seq)?;
        Ok(wave)
    })?;
    status(conn, partnership_id)?
        .into_iter()
        .find(|w| w.seq == wave.seq)
        .ok_or_else(|| ServiceError::NotFound("the closed wave disappeared".into()))
}

pub fn status(conn: &mut Conn, partnership_id: i64) -> Result<Vec<WaveStatus>, ServiceError> {
    let p = super::partnerships::get(conn, partnership_id)?;
    let series = db::series::of_partnership(conn, &p)?;
    let mut out = Vec::new();
    for w in waves::for_partnership(conn, partnership_id)? {
        let of = series.iter().find(|s| s.id == w.series_id);
        let (series_key, timezone) = match of {
            Some(s) => (s.key.clone(), s.timezone.clone()),
            None => (db::series::key_of(conn, w.series_id)?, p.timezone.clone()),
        };
        let sides: Vec<SideStatus> = invitations::counts_by_side(conn, w.id)?
            .into_iter()
            .map(|(side, invited, responded)| SideStatus {
                side,
                invited,
                responded,
            })
            .collect();
        let invited: i64 = sides.iter().map(|s| s.invited).sum();
        let responded: i64 = sides.iter().map(|s| s.responded).sum();
        let bounced = i64::try_from(db::bounces::bounced_invitations(conn, w.id)?.len())
            .unwrap_or(i64::MAX)
            .min(invited);
        let delivered = invited - bounced;
        let rate = |n: i64, d: i64| (d > 0).then(|| n as f64 / d as f64);
        out.push(WaveStatus {
            seq: w.seq,
            series: series_key,
            closes_local: crate::waves::schedule::local_deadline(w.closes_at, &timezone),
            state: w.state,
            opens_at: w.opens_at,
            closes_at: w.closes_at,
            imported: w.imported,
            invited,
            responded,
            bounced,
            delivered,
            response_rate: rate(responded, invited),
            response_rate_delivered: rate(responded, delivered),
            sides,
        });
    }
    Ok(out)
}

/// Rebuilds the aggregates of every closed wave from its answers (after a migration that
/// changes what aggregates hold); returns how many waves were rebuilt.
pub fn rebuild_all(conn: &mut Conn) -> Result<usize, ServiceError> {
    let closed: Vec<i64> = waves::all_closed(conn)?;
    for id in &closed {
        crate::reports::rebuild_wave(conn, *id)?;
    }
    Ok(closed.len())
}

/// What closing a wave sets off, in the closing transaction: the wave's aggregates are
/// derived from its answers (the only time answers are read), the flag rules run on them,
/// and the summary mail to the partnership's managers is queued (after the rules, so it
/// counts the flags they opened).
///
/// Then the responses are unlinked from the people who gave them (last, so the aggregates
/// are built while the link still orders the invitees as they always were; see
/// [`db::responses::unlink_wave`]).
fn after_close(
    conn: &mut Conn,
    wave: &Wave,
    links: &Links,
    actor: &str,
) -> Result<(), ServiceError> {
    crate::reports::rebuild_wave(conn, wave.id)?;
    crate::flags::run_for_wave(conn, wave.partnership_id, wave.id, links)?;
    super::summary::queue_for_wave(conn, wave, links, actor)?;
    db::responses::unlink_wave(conn, wave.id)?;
    Ok(())
}

/// What one scheduler pass did: (partnership, wave seq) of each wave closed and opened, and
/// the number of reminders queued.
#[derive(Debug, Default, Clone, Serialize)]
pub struct TickReport {
    pub opened: Vec<(i64, i64)>,
    pub closed: Vec<(i64, i64)>,
    pub reminders: usize,
    /// Users whose weekly flag digest was queued.
    pub digests: Vec<i64>,
    /// Partnerships whose slot is due but that are paused or archived, with why.
    pub held: Vec<(i64, String)>,
    /// Slots whose whole window passed without a wave (the service was down), each
    /// reported by the first pass that notices it and never again.
    pub missed: Vec<MissedSlot>,
}

/// Writes the `wave.missed` audit row of `slot` unless an earlier pass did; `true` when this
/// call wrote it. The audit row is the record that the slot was reported, and the database
/// is the judge: a partial unique index (`audit_log_missed_once`) refuses a second row for the
/// same slot, so two instances noticing the slot at the same instant report it once.
fn record_missed(conn: &mut Conn, slot: &MissedSlot) -> Result<bool, ServiceError> {
    use diesel::result::{DatabaseErrorKind, Error};
    let target = format!("partnership {}", slot.partnership);
    // The main series keeps the words it always had, so a slot reported before series
    // existed is not reported again.
    let series = if slot.series == crate::domain::MAIN_SERIES {
        String::new()
    } else {
        format!("series {}, ", slot.series)
    };
    let details = format!(
        "{series}slot {}: the wave due on {} was missed (the service was down for its whole window)",
        slot.index, slot.opens_local
    );
    match crate::auth::audit::audit(conn, SCHEDULER, "wave.missed", &target, &details) {
        Ok(()) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(other) => Err(other.into()),
    }
}

/// One scheduler pass now (see [`tick_at`]).
pub fn tick(conn: &mut Conn, catalog: &Catalog, links: &Links) -> Result<TickReport, ServiceError> {
    tick_at(conn, catalog, db::now(), links)
}

/// One scheduler pass at `now`: close overdue waves (each with its aggregates and flag rules
/// in one transaction), report slots missed while the service was down, open due slots, queue due reminders and the weekly flag digests that
/// are due. Safe to run from several
/// instances at once and as often as wanted.
pub fn tick_at(
    conn: &mut Conn,
    catalog: &Catalog,
    now: NaiveDateTime,
    links: &Links,
) -> Result<TickReport, ServiceError> {
    let mut report = TickReport::default();
    for wave in lifecycle::overdue(conn, now)? {
        let closed = conn.write_transaction(|conn| -> Result<bool, ServiceError> {
            let closed = lifecycle::close_if_open(conn, &wave, now)?;
            if closed {
                after_close(conn, &wave, links, SCHEDULER)?;
                audit_wave(
                    conn,
                    SCHEDULER,
                    "wave.closed",
                    wave.partnership_id,
                    wave.seq,
                )?;
            }
            Ok(closed)
        })?;
        if closed {
            report.closed.push((wave.partnership_id, wave.seq));
        }
    }
    // Before opening: the slot opened now would hide the ones missed before it.
    for slot in lifecycle::missed_slots(conn, now)? {
        if record_missed(conn, &slot)? {
            tracing::warn!(
                partnership = slot.partnership,
                series = %slot.series,
                slot = slot.index,
                opens_at = %slot.opens_at,
                closes_at = %slot.closes_at,
                "the wave due on {} was missed: the service was down for its whole window",
                slot.opens_local
            );
            report.missed.push(slot);
        }
    }
    report.opened = lifecycle::open_due_slots(conn, catalog, now, links)?;
    report.held = lifecycle::held_slots(conn, now)?;
    for (partnership, seq) in &report.opened {
        audit_wave(conn, SCHEDULER, "wave.opened", *partnership, *seq)?;
    }
    report.reminders = lifecycle::send_due_reminders(conn, now, links)?;
    report.digests =
        crate::flags::digest::queue_digests(conn, now, links, SCHEDULER, false)?.queued;
    Ok(report)
}
