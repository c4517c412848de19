//! Opening, reminding, closing. Functions take a connection and run their writes in one
//! transaction; mail is written to the outbox in that same transaction, so a wave is never
//! open without its invitations queued, nor an invitation queued for a wave that failed.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDateTime, TimeDelta};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use serde::Serialize;

use super::schedule::{local_deadline, Plan, Slot};
use crate::db::models::{NewWave, Partnership, Person, Wave};
use crate::db::series::Series;
use crate::db::{self, firms, invitations, partnerships, template_versions, waves, Conn};
use crate::domain::partnership::reminder_days_from_text;
use crate::domain::{Cadence, Email, Language, Side};
use crate::mail::messages::{self, InvitationMail, ReminderMail};
use crate::mail::outbox::{self, OutgoingMail};
use crate::mail::Links;
use crate::secrets;
use crate::survey_templates::Catalog;

#[derive(Debug, thiserror::Error)]
pub enum WaveError {
    #[error("wave {0} of this series is still open: close it before opening another")]
    AlreadyOpen(i64),
    #[error("this wave slot was already opened")]
    SlotTaken,
    #[error("the series has no open wave")]
    NoneOpen,
    #[error("the series' template {0:?} is not loaded")]
    TemplateMissing(String),
    #[error("the partnership has nobody to invite: import a roster first")]
    NobodyToInvite,
    #[error("the partnership is {state}{}: no wave opens until it is {}", if note.is_empty() { String::new() } else { format!(" ({note})") }, if state == "paused" { "resumed" } else { "unarchived" })]
    NotActive { state: String, note: String },
    #[error("series {key} is paused{}: no wave of it opens until it is resumed", if note.is_empty() { String::new() } else { format!(" ({note})") })]
    SeriesPaused { key: String, note: String },
    #[error("a mail could not be rendered: {0}")]
    Render(String),
    #[error("a stored value is not valid: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(#[from] DieselError),
}

/// What opening a wave did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OpenedWave {
    pub wave_id: i64,
    pub seq: i64,
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    pub opens_at: NaiveDateTime,
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    pub closes_at: NaiveDateTime,
    pub invited: usize,
}

/// Opens the next wave of a series of the partnership now (by hand) or for a scheduled
/// `slot`, creating one invitation, one link token and one queued mail per active person who
/// has not opted out. The wave keeps the series' template version, window and reminder plan.
pub fn open_wave(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership: &Partnership,
    series: &Series,
    now: NaiveDateTime,
    slot: Option<Slot>,
    links: &Links,
) -> Result<OpenedWave, WaveError> {
    let result = conn.write_transaction(|conn| {
        if let Some(st) = db::partnership_states::get(conn, partnership.id)? {
            if st.state != "active" {
                return Err(WaveError::NotActive {
                    state: st.state,
                    note: st.note,
                });
            }
        }
        // Read inside the transaction: a pause that committed meanwhile holds the series.
        let series = match series.id {
            None => series.clone(),
            Some(id) => Series::extra(db::series::get_row(conn, id)?),
        };
        if series.state != "active" {
            return Err(WaveError::SeriesPaused {
                key: series.key,
                note: series.note,
            });
        }
        if let Some(open) = waves::open_for_series(conn, partnership.id, series.id)? {
            return Err(WaveError::AlreadyOpen(open.seq));
        }
        if let Some(s) = slot {
            if waves::series_slot_taken(conn, partnership.id, series.id, s.opens_at)? {
                return Err(WaveError::SlotTaken);
            }
        }
        let template = catalog
            .get(&series.template_id)
            .ok_or_else(|| WaveError::TemplateMissing(series.template_id.clone()))?;
        let template =
            &db::partnership_optional_dimensions::variant(conn, template, partnership.id)?;
        let version = template_versions::ensure(conn, template)?;
        let invitees: Vec<Person> = db::people::for_partnership(conn, partnership.id)?
            .into_iter()
            .filter(|p| p.active && p.opted_out_at.is_none() && p.email.is_some())
            .collect();
        if invitees.is_empty() {
            return Err(WaveError::NobodyToInvite);
        }
        let (opens_at, closes_at) = match slot {
            Some(s) => (s.opens_at, s.closes_at),
            None => (now, now + TimeDelta::days(series.response_window_days)),
        };
        let seq = waves::next_seq(conn, partnership.id)?;
        let wave = waves::insert(
            conn,
            &NewWave {
                partnership_id: partnership.id,
                seq,
                template_version_id: version.id,
                state: "open",
                opens_at,
                closes_at,
                reminder_days: &series.reminder_days,
                opened_at: Some(now),
                closed_at: None,
                imported: false,
                slot_at: slot.map(|s| s.opens_at),
                created_at: now,
                series_id: series.id,
            },
        )?;
        let firms = FirmNames {
            timezone: series.timezone.clone(),
            ..FirmNames::load(conn, partnership)?
        };
        // In chunks: one multi-row INSERT each for the invitations, their tokens and their
        // mails, and never more than a chunk of rendered mails in memory.
        for people in invitees.chunks(outbox::ENQUEUE_CHUNK) {
            let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
            let invited: HashMap<i64, i64> = invitations::insert_many(conn, wave.id, &ids, now)?
                .into_iter()
                .collect();
            let mut tokens = Vec::with_capacity(people.len());
            let mut mails = Vec::with_capacity(people.len());
            for person in people {
                let invitation = *invited.get(&person.id).ok_or(DieselError::NotFound)?;
                let token = secrets::new_token();
                tokens.push((invitation, secrets::hash(&token)));
                let mail = invitation_mail(
                    MailKind::Invitation,
                    person,
                    partnership,
                    &wave,
                    &firms,
                    &token,
                    links,
                )?;
                mails.push(OutgoingMail {
                    invitation_id: Some(invitation),
                    ..mail
                });
            }
            invitations::add_tokens(conn, &tokens, now)?;
            outbox::enqueue_many(conn, &mails)?;
        }
        Ok(OpenedWave {
            wave_id: wave.id,
            seq,
            opens_at,
            closes_at,
            invited: invitees.len(),
        })
    });
    match result {
        // Another instance opened the same slot or sequence number at the same moment.
        Err(WaveError::Database(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            _,
        ))) => Err(WaveError::SlotTaken),
        other => other,
    }
}

/// Closes the open wave of a series of the partnership (`None`: the main series), inside the
/// caller's transaction: the caller (the service that closes a wave) derives the wave's
/// aggregates and runs the flag rules in the same transaction, so a wave is never closed
/// without its report.
pub fn close_open(
    conn: &mut Conn,
    partnership_id: i64,
    series_id: Option<i64>,
    now: NaiveDateTime,
) -> Result<Wave, WaveError> {
    let wave =
        waves::open_for_series(conn, partnership_id, series_id)?.ok_or(WaveError::NoneOpen)?;
    waves::close(conn, wave.id, now)?;
    Ok(wave)
}

/// Closes `wave` if it is still open (another instance may have closed it first), inside
/// the caller's transaction. `true` when this call closed it.
pub fn close_if_open(conn: &mut Conn, wave: &Wave, now: NaiveDateTime) -> Result<bool, WaveError> {
    Ok(waves::close(conn, wave.id, now)?)
}

/// The open waves whose closing time has passed.
pub fn overdue(conn: &mut Conn, now: NaiveDateTime) -> Result<Vec<Wave>, WaveError> {
    Ok(waves::all_open(conn)?
        .into_iter()
        .filter(|w| w.closes_at <= now)
        .collect())
}

/// Queues the reminders that are due: for each open wave, the number of reminder days that
/// have passed; each unanswered invitation gets at most that many, and after downtime only
/// one mail catches up (never more than the plan says).
pub fn send_due_reminders(
    conn: &mut Conn,
    now: NaiveDateTime,
    links: &Links,
) -> Result<usize, WaveError> {
    let mut queued = 0;
    for wave in waves::all_open(conn)? {
        if wave.closes_at <= now {
            continue;
        }
        let due = reminder_days_from_text(&wave.reminder_days)
            .iter()
            .filter(|d| wave.opens_at + TimeDelta::days(**d) <= now)
            .count() as i64;
        if due == 0 {
            continue;
        }
        queued += conn.write_transaction(|conn| -> Result<usize, WaveError> {
            let partnership =
                partnerships::get(conn, wave.partnership_id)?.ok_or(DieselError::NotFound)?;
            let mut firms = FirmNames::load(conn, &partnership)?;
            if let Some(id) = wave.series_id {
                firms.timezone = db::series::get_row(conn, id)?.timezone;
            }
            let behind: Vec<(i64, Person)> = invitations::unanswered(conn, wave.id)?
                .into_iter()
                .filter(|(invitation, person)| {
                    invitation.reminders_sent < due
                        && person.opted_out_at.is_none()
                        && person.email.is_some()
                })
                .map(|(invitation, person)| (invitation.id, person))
                .collect();
            let mut n = 0;
            for chunk in behind.chunks(outbox::ENQUEUE_CHUNK) {
                let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
                // Only the invitations this pass advanced get a mail: another instance
                // that advanced one first sends it instead.
                let advanced: HashSet<i64> =
                    invitations::advance_reminders_many(conn, &ids, due, now)?
                        .into_iter()
                        .collect();
                let mut tokens = Vec::with_capacity(advanced.len());
                let mut mails = Vec::with_capacity(advanced.len());
                for (invitation, person) in chunk.iter().filter(|(id, _)| advanced.contains(id)) {
                    let token = secrets::new_token();
                    tokens.push((*invitation, secrets::hash(&token)));
                    let mail = invitation_mail(
                        MailKind::Reminder,
                        person,
                        &partnership,
                        &wave,
                        &firms,
                        &token,
                        links,
                    )?;
                    mails.push(OutgoingMail {
                        invitation_id: Some(*invitation),
                        ..mail
                    });
                }
                invitations::add_tokens(conn, &tokens, now)?;
                n += outbox::enqueue_many(conn, &mails)?;
            }
            Ok(n)
        })?;
    }
    Ok(queued)
}

/// Opens every active series' due wave slot (one pass of the scheduler); returns
/// (partnership, wave seq) of each wave this call opened. A slot already taken (by another
/// instance, or before downtime) is skipped, and a series that cannot open is logged and
/// does not stop the others. A paused or archived partnership holds all its series; a paused
/// series holds only itself.
pub fn open_due_slots(
    conn: &mut Conn,
    catalog: &Catalog,
    now: NaiveDateTime,
    links: &Links,
) -> Result<Vec<(i64, i64)>, WaveError> {
    let mut opened = Vec::new();
    let states: HashMap<i64, db::partnership_states::StateRow> = db::partnership_states::all(conn)?
        .into_iter()
        .map(|r| (r.partnership_id, r))
        .collect();
    for partnership in partnerships::list(conn)? {
        let st = states.get(&partnership.id);
        for series in db::series::of_partnership(conn, &partnership)? {
            let Some(plan) = plan_of_series(&series) else {
                continue;
            };
            let Some(slot) = plan.due(now) else { continue };
            if let Some(st) = st {
                if st.state != "active" {
                    if !waves::series_slot_taken(conn, partnership.id, series.id, slot.opens_at)? {
                        tracing::debug!(
                            partnership = partnership.id,
                            series = %series.key,
                            state = %st.state,
                            note = %st.note,
                            slot = %slot.opens_at,
                            "a wave slot is due but the partnership is {}: not opened",
                            st.state
                        );
                    }
                    continue;
                }
            }
            if series.state != "active" {
                tracing::debug!(
                    partnership = partnership.id,
                    series = %series.key,
                    note = %series.note,
                    slot = %slot.opens_at,
                    "a wave slot is due but its series is {}: not opened",
                    series.state
                );
                continue;
            }
            // A schedule edited (or resumed) after this slot began applies from the next one.
            if schedule_from(st, &series).is_some_and(|from| slot.opens_at < from) {
                continue;
            }
            match open_wave(conn, catalog, &partnership, &series, now, Some(slot), links) {
                Ok(wave) => opened.push((partnership.id, wave.seq)),
                Err(
                    WaveError::SlotTaken
                    | WaveError::AlreadyOpen(_)
                    | WaveError::NobodyToInvite
                    | WaveError::SeriesPaused { .. },
                ) => {}
                Err(e) => {
                    tracing::error!(partnership = partnership.id, series = %series.key, error = %e, "could not open a scheduled wave")
                }
            }
        }
    }
    Ok(opened)
}

/// Series whose scheduled slot is due now but not opened because the partnership is paused
/// or archived, or the series itself is paused, with why: (partnership, "paused (supplier
/// reorganising)") for the partnership's main series, (partnership, "series practices:
/// paused (…)") or (partnership, "series practices: the partnership is paused (…)") for
/// another. The scheduler's pass reports them.
pub fn held_slots(conn: &mut Conn, now: NaiveDateTime) -> Result<Vec<(i64, String)>, WaveError> {
    let states: HashMap<i64, db::partnership_states::StateRow> = db::partnership_states::all(conn)?
        .into_iter()
        .map(|r| (r.partnership_id, r))
        .collect();
    let paused_series: HashSet<i64> = db::series::all_extras(conn)?
        .into_iter()
        .filter(|s| s.state != "active")
        .map(|s| s.partnership_id)
        .collect();
    let why = |state: &str, note: &str| {
        if note.is_empty() {
            state.to_owned()
        } else {
            format!("{state} ({note})")
        }
    };
    let mut held = Vec::new();
    for p in partnerships::list(conn)? {
        let st = states.get(&p.id).filter(|st| st.state != "active");
        if st.is_none() && !paused_series.contains(&p.id) {
            continue;
        }
        for series in db::series::of_partnership(conn, &p)? {
            let reason = match st {
                Some(st) if series.is_main() => why(&st.state, &st.note),
                Some(st) => format!("the partnership is {}", why(&st.state, &st.note)),
                None if series.state != "active" => why(&series.state, &series.note),
                None => continue,
            };
            let Some(slot) = plan_of_series(&series).and_then(|plan| plan.due(now)) else {
                continue;
            };
            if !waves::series_slot_taken(conn, p.id, series.id, slot.opens_at)? {
                held.push((
                    p.id,
                    if series.is_main() {
                        reason
                    } else {
                        format!("series {}: {reason}", series.key)
                    },
                ));
            }
        }
    }
    Ok(held)
}

/// A scheduled slot whose whole window passed without its wave being opened (the service
/// was down, or the partnership could not open then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissedSlot {
    pub partnership: i64,
    /// The series' key (`main`: the partnership's own).
    pub series: String,
    /// The slot's index in the series' plan (0 = the first wave).
    pub index: u32,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    /// When the slot opened, in the series' timezone, for people.
    pub opens_local: String,
    /// The slot open now or the next to open, in the series' timezone.
    pub next_local: Option<String>,
}

/// Every active series' slots missed entirely before `now`: those after the latest slot a
/// wave of the series was opened for (from the first slot if none was) whose window has
/// passed. Paused and archived partnerships and paused series are left out (the pass reports
/// them as held), and so are slots before the `schedule_from` of the partnership (main
/// series) or of the series, which never applied. Reads only: the caller records what it
/// reports so that a later pass does not repeat it.
pub fn missed_slots(conn: &mut Conn, now: NaiveDateTime) -> Result<Vec<MissedSlot>, WaveError> {
    let states: HashMap<i64, db::partnership_states::StateRow> = db::partnership_states::all(conn)?
        .into_iter()
        .map(|r| (r.partnership_id, r))
        .collect();
    let mut missed = Vec::new();
    for partnership in partnerships::list(conn)? {
        let st = states.get(&partnership.id);
        if st.is_some_and(|st| st.state != "active") {
            continue;
        }
        for series in db::series::of_partnership(conn, &partnership)? {
            if series.state != "active" {
                continue;
            }
            let Some(plan) = plan_of_series(&series) else {
                continue;
            };
            let from = schedule_from(st, &series);
            // Any wave — scheduled, opened by hand or imported — covers the schedule up to
            // its opening: only slots after the latest one can have been missed.
            let latest = waves::for_series(conn, partnership.id, series.id)?
                .into_iter()
                .map(|w| w.slot_at.unwrap_or(w.opens_at))
                .max();
            let slots: Vec<Slot> = plan
                .missed_between(latest, now)
                .into_iter()
                .filter(|s| from.is_none_or(|from| s.opens_at >= from))
                .collect();
            if slots.is_empty() {
                continue;
            }
            let next_local = plan
                .next_from(now)
                .map(|s| local_deadline(s.opens_at, &series.timezone));
            for s in slots {
                missed.push(MissedSlot {
                    partnership: partnership.id,
                    series: series.key.clone(),
                    index: s.index,
                    opens_at: s.opens_at,
                    closes_at: s.closes_at,
                    opens_local: local_deadline(s.opens_at, &series.timezone),
                    next_local: next_local.clone(),
                });
            }
        }
    }
    Ok(missed)
}

/// The instant a series' schedule applies from: the partnership's (set when it is edited or
/// resumed) for the main series; for another, the later of the partnership's (a resumed
/// partnership resumes all its series) and its own (set when it is edited or resumed).
fn schedule_from(
    partnership: Option<&db::partnership_states::StateRow>,
    series: &Series,
) -> Option<NaiveDateTime> {
    let own = partnership.and_then(|st| st.schedule_from);
    if series.is_main() {
        own
    } else {
        own.max(series.schedule_from)
    }
}

/// A series' schedule, if it has a first wave date.
pub fn plan_of_series(s: &Series) -> Option<Plan> {
    Some(Plan {
        cadence: s.cadence.parse::<Cadence>().ok()?,
        first_wave_on: s.first_wave_on?,
        send_time: chrono::NaiveTime::parse_from_str(&s.send_time, "%H:%M").ok()?,
        timezone: s.timezone.parse().ok()?,
        window_days: s.response_window_days,
    })
}

/// The firms' names, the partnership's default language and the timezone of the wave's
/// series (its deadline is given in it): what every mail of one wave needs besides the person.
struct FirmNames {
    customer: String,
    supplier: String,
    language: Language,
    timezone: String,
}

impl FirmNames {
    fn load(conn: &mut Conn, p: &Partnership) -> Result<FirmNames, DieselError> {
        let all = firms::get_many(conn, &[p.customer_firm_id, p.supplier_firm_id])?;
        let name = |id| {
            all.iter()
                .find(|f| f.id == id)
                .map(|f| f.name.clone())
                .unwrap_or_default()
        };
        let language = match db::partnership_languages::get(conn, p.id)? {
            Some(code) => parse_language(&code, p.id)?,
            None => Language::En,
        };
        Ok(FirmNames {
            customer: name(p.customer_firm_id),
            supplier: name(p.supplier_firm_id),
            language,
            timezone: p.timezone.clone(),
        })
    }

    fn of(&self, side: Side) -> &str {
        match side {
            Side::Customer => &self.customer,
            Side::Supplier => &self.supplier,
        }
    }
}

#[derive(Clone, Copy)]
enum MailKind {
    Invitation,
    Reminder,
}

/// A stored language code; the column's CHECK makes any other value a corrupt database.
fn parse_language(code: &str, partnership_id: i64) -> Result<Language, DieselError> {
    code.parse().map_err(|e: String| {
        DieselError::DeserializationError(
            format!("partnership {partnership_id}: stored {e}").into(),
        )
    })
}

fn invitation_mail(
    kind: MailKind,
    person: &Person,
    partnership: &Partnership,
    wave: &Wave,
    firms: &FirmNames,
    token: &str,
    links: &Links,
) -> Result<OutgoingMail, WaveError> {
    let side: Side = person.side.parse().map_err(WaveError::Corrupt)?;
    let recipient =
        Email::parse(person.email.as_deref().unwrap_or_default()).map_err(WaveError::Corrupt)?;
    let tz: chrono_tz::Tz = firms.timezone.parse().unwrap_or(chrono_tz::UTC);
    let person_name = person.name.clone();
    let own_firm = firms.of(side).to_owned();
    let partner_firm = firms.of(side.partner()).to_owned();
    let own_language = match person.language.as_deref() {
        Some(code) => Some(parse_language(code, partnership.id)?),
        None => None,
    };
    let language = Language::for_respondent(own_language, firms.language);
    let deadline_local = messages::format_deadline_in(language, wave.closes_at, tz);
    let min_reporting_size = u32::try_from(partnership.min_reporting_size).unwrap_or(u32::MAX);
    let rendered = match kind {
        MailKind::Invitation => messages::invitation(&InvitationMail {
            person_name,
            own_firm,
            partner_firm,
            deadline_local,
            minutes: 2,
            link: links.survey(token),
            opt_out_link: links.opt_out(token),
            min_reporting_size,
            language,
        }),
        MailKind::Reminder => messages::reminder(&ReminderMail {
            person_name,
            own_firm,
            partner_firm,
            deadline_local,
            minutes: 2,
            link: links.survey(token),
            opt_out_link: links.opt_out(token),
            min_reporting_size,
            language,
        }),
    }
    .map_err(|e| WaveError::Render(e.to_string()))?;
    Ok(rendered.to(recipient, None))
}
