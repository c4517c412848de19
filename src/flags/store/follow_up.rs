//! Follow-up: each closed wave after the one a rule flag last fired on adds a before/after
//! line to it — the value the rule measures on the flag's scope then (when it was resolved,
//! else when it last fired) and on the new wave, recomputed with the same rule function —
//! so the ombudsman sees whether what was done worked. Written in the rules' run, so in the
//! same transaction that closes the wave.

use super::*;
use crate::db::schema::flag_follow_ups;
use crate::i18n::{en1, en2, en_with};
use crate::reports::Report;

/// One before/after line of a flag.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUpView {
    /// The closed wave (its sequence number).
    pub wave: i64,
    /// The value the flag carried then: measured when it was resolved, else when it last fired.
    pub measured_before: Option<f64>,
    /// What the rule measures on the flag's scope in this wave; `null` when the wave does
    /// not show it (a withheld side, too few waves).
    pub measured: Option<f64>,
    /// Whether the rule fired on this scope in this wave.
    pub fired: bool,
}

/// The wave the rules just ran on.
pub(super) struct FollowUpWave<'a> {
    pub wave_id: i64,
    pub seq: i64,
    pub report: &'a Report,
    /// What fired on it.
    pub fired: &'a [Finding],
}

/// Adds `wave`'s line to each of `flags` (rule flags that last fired on an earlier wave)
/// that has none for it yet, so a repeated run adds nothing.
pub(super) fn follow_up_wave<'f>(
    conn: &mut Conn,
    wave: &FollowUpWave<'_>,
    flags: impl Iterator<Item = &'f FlagRow>,
    at: NaiveDateTime,
) -> Result<(), FlagError> {
    let candidates: Vec<&FlagRow> = flags.filter(|f| f.rule != MANUAL).collect();
    if candidates.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = candidates.iter().map(|f| f.id).collect();
    let done: Vec<i64> = flag_follow_ups::table
        .filter(flag_follow_ups::wave_id.eq(wave.wave_id))
        .filter(flag_follow_ups::flag_id.eq_any(&ids))
        .select(flag_follow_ups::flag_id)
        .load(conn)?;
    let measured = rules::measure(wave.report, wave.seq);
    for flag in candidates.into_iter().filter(|f| !done.contains(&f.id)) {
        let same = |f: &&Finding| f.rule.as_str() == flag.rule && f.scope == flag.scope;
        let now = measured.iter().find(same).map(|f| f.measured);
        let fired = wave.fired.iter().any(|f| same(&f));
        diesel::insert_into(flag_follow_ups::table)
            .values((
                flag_follow_ups::flag_id.eq(flag.id),
                flag_follow_ups::wave_id.eq(wave.wave_id),
                flag_follow_ups::measured_before.eq(flag.resolved_measured.or(flag.measured)),
                flag_follow_ups::measured.eq(now),
                flag_follow_ups::fired.eq(fired),
                flag_follow_ups::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A flag's follow-up lines, by wave.
pub(super) fn follow_ups(conn: &mut Conn, flag_id: i64) -> Result<Vec<FollowUpView>, FlagError> {
    let rows: Vec<(i64, Option<f64>, Option<f64>, bool)> = flag_follow_ups::table
        .inner_join(waves::table)
        .filter(flag_follow_ups::flag_id.eq(flag_id))
        .order(waves::seq.asc())
        .select((
            waves::seq,
            flag_follow_ups::measured_before,
            flag_follow_ups::measured,
            flag_follow_ups::fired,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(wave, measured_before, measured, fired)| FollowUpView {
            wave,
            measured_before,
            measured,
            fired,
        })
        .collect())
}

/// Closes each of `flags` (open or acknowledged rule flags that last fired at least `quiet`
/// waves before `seq`) whose follow-up lines show the rule looked at each of the `quiet`
/// waves up to `seq` and did not fire there: resolved by the rules, with a note naming the
/// quiet waves and the latest measured value. A later wave that fires reopens it as usual.
pub(super) fn close_quiet<'f>(
    conn: &mut Conn,
    flags: impl Iterator<Item = &'f FlagRow>,
    seq: i64,
    quiet: u32,
    at: NaiveDateTime,
) -> Result<Vec<i64>, FlagError> {
    let first = seq - i64::from(quiet) + 1;
    let mut closed = Vec::new();
    for flag in flags.filter(|f| f.rule != MANUAL) {
        let lines: Vec<(i64, Option<f64>, bool)> = flag_follow_ups::table
            .inner_join(waves::table)
            .filter(flag_follow_ups::flag_id.eq(flag.id))
            .filter(waves::seq.ge(first))
            .filter(waves::seq.le(seq))
            .order(waves::seq.asc())
            .select((
                waves::seq,
                flag_follow_ups::measured,
                flag_follow_ups::fired,
            ))
            .load(conn)?;
        let looked_at_each = lines.len() == quiet as usize
            && lines
                .iter()
                .zip(first..=seq)
                .all(|((w, _, _), want)| *w == want);
        if !looked_at_each || lines.iter().any(|(_, _, fired)| *fired) {
            continue;
        }
        let latest = lines
            .last()
            .and_then(|(_, m, _)| *m)
            .map(|m| {
                en2(
                    "flag-note-latest-measured",
                    "measured",
                    format!("{m:.3}"),
                    "seq",
                    seq,
                )
            })
            .unwrap_or_else(|| en1("flag-note-latest-not-measurable", "seq", seq));
        let changed = diesel::update(
            flags::table
                .filter(flags::id.eq(flag.id))
                .filter(flags::state.ne(FlagState::Resolved.as_str())),
        )
        .set((
            flags::state.eq(FlagState::Resolved.as_str()),
            flags::updated_at.eq(at),
            flags::resolved_measured.eq(flags::measured),
        ))
        .execute(conn)?;
        if changed == 1 {
            let note = en_with(
                "flag-note-closed",
                &[
                    ("quiet", &quiet),
                    ("first", &first),
                    ("seq", &seq),
                    ("latest", &latest),
                ],
            );
            record(conn, flag.id, &Actor::rules(), "closed itself", &note, at)?;
            closed.push(flag.id);
        }
    }
    Ok(closed)
}
