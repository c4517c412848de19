//! The life cycle of one flag: acknowledge, resolve, reopen, note and assign, each with its event and audit entry.

use super::*;
use crate::i18n::{en, en1, en2, en_with};

pub(super) fn get_row(conn: &mut Conn, id: i64) -> Result<FlagRow, FlagError> {
    flags::table
        .find(id)
        .select(FlagRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| FlagError::NotFound(en1("flag-problem-no-flag", "id", id)))
}

/// The partnership a flag belongs to (access checks ask before acting).
pub fn partnership_of(conn: &mut Conn, id: i64) -> Result<i64, FlagError> {
    Ok(get_row(conn, id)?.partnership_id)
}

pub(super) fn clean_note(note: Option<&str>) -> Result<String, FlagError> {
    let note = note.unwrap_or("").trim();
    if note.chars().count() > MAX_NOTE {
        return Err(FlagError::Invalid(vec![crate::domain::FieldProblem {
            field: "note".into(),
            message: en1("flag-problem-note-too-long", "max", MAX_NOTE),
        }]));
    }
    Ok(note.to_owned())
}

/// Longest note kept, in characters.
pub const MAX_NOTE: usize = 4000;

/// Moves a flag along its life cycle; a move the current state does not allow is refused
/// with [`FlagError::IllegalTransition`].
pub fn transition(
    conn: &mut Conn,
    id: i64,
    step: Transition,
    note: Option<&str>,
    actor: &Actor,
) -> Result<FlagDetail, FlagError> {
    transition_with_outcome(conn, id, step, note, None, actor)
}

/// [`transition`], and for [`Transition::Resolve`] the outcome (or none) with the value the
/// flag measures now, kept as `resolved_measured` (follow-up lines compare later waves to
/// it). An outcome with any other step is refused.
pub fn transition_with_outcome(
    conn: &mut Conn,
    id: i64,
    step: Transition,
    note: Option<&str>,
    outcome: Option<Outcome>,
    actor: &Actor,
) -> Result<FlagDetail, FlagError> {
    let mut note = clean_note(note)?;
    if outcome.is_some() && step != Transition::Resolve {
        return Err(FlagError::Invalid(vec![crate::domain::FieldProblem {
            field: "outcome".into(),
            message: en("flag-problem-outcome-not-resolving"),
        }]));
    }
    if let Some(o) = outcome {
        note = if note.is_empty() {
            en1("flag-note-outcome", "outcome", o.words())
        } else {
            en2(
                "flag-note-outcome-with-note",
                "outcome",
                o.words(),
                "note",
                &note,
            )
        };
    }
    let (from, to, action) = step.rule();
    let allowed: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    conn.write_transaction(|conn| {
        let at = now();
        let target = flags::table
            .filter(flags::id.eq(id))
            .filter(flags::state.eq_any(&allowed));
        let changed = if step == Transition::Resolve {
            diesel::update(target)
                .set((
                    flags::state.eq(to.as_str()),
                    flags::updated_at.eq(at),
                    flags::outcome.eq(outcome.map(Outcome::as_str)),
                    flags::resolved_measured.eq(flags::measured),
                ))
                .execute(conn)?
        } else {
            diesel::update(target)
                .set((flags::state.eq(to.as_str()), flags::updated_at.eq(at)))
                .execute(conn)?
        };
        if changed == 0 {
            let row = get_row(conn, id)?;
            let allowed = from
                .iter()
                .map(|s| s.words())
                .reduce(|a, b| en2("flag-states-either", "first", a, "second", b))
                .unwrap_or_default();
            let state = FlagState::parse(&row.state).map_or(row.state, FlagState::words);
            return Err(FlagError::IllegalTransition {
                id,
                message: en_with(
                    "flag-problem-illegal-transition",
                    &[
                        ("id", &id),
                        ("state", &state),
                        ("allowed", &allowed),
                        ("done", &event_words(action)),
                    ],
                ),
            });
        }
        record(conn, id, actor, action, &note, at)?;
        show(conn, id)
    })
}

pub fn acknowledge(
    conn: &mut Conn,
    id: i64,
    note: Option<&str>,
    actor: &Actor,
) -> Result<FlagDetail, FlagError> {
    transition(conn, id, Transition::Acknowledge, note, actor)
}

pub fn resolve(
    conn: &mut Conn,
    id: i64,
    note: Option<&str>,
    actor: &Actor,
) -> Result<FlagDetail, FlagError> {
    transition(conn, id, Transition::Resolve, note, actor)
}

pub fn reopen(
    conn: &mut Conn,
    id: i64,
    note: Option<&str>,
    actor: &Actor,
) -> Result<FlagDetail, FlagError> {
    transition(conn, id, Transition::Reopen, note, actor)
}

/// Adds a note to a flag in any state.
pub fn annotate(
    conn: &mut Conn,
    id: i64,
    note: &str,
    actor: &Actor,
) -> Result<FlagDetail, FlagError> {
    let note = clean_note(Some(note))?;
    if note.is_empty() {
        return Err(FlagError::Invalid(vec![crate::domain::FieldProblem {
            field: "note".into(),
            message: en("flag-problem-note-empty"),
        }]));
    }
    conn.write_transaction(|conn| {
        let at = now();
        lock_flag(conn, id)?;
        diesel::update(flags::table.find(id))
            .set(flags::updated_at.eq(at))
            .execute(conn)?;
        record(conn, id, actor, "note", &note, at)?;
        show(conn, id)
    })
}

/// Who can take a flag of `partnership`: active administrators, and active ombudsmen of
/// every partnership or scoped to this one; (id, e-mail) by id. The assignee list shows these
/// only, so it names no one outside the partnership's reach.
pub fn assignable(conn: &mut Conn, partnership: i64) -> Result<Vec<(i64, String)>, FlagError> {
    let scoped = user_scopes::table
        .filter(user_scopes::partnership_id.eq(partnership))
        .select(user_scopes::user_id);
    Ok(users::table
        .filter(users::disabled.eq(false))
        .filter(
            users::role.eq("admin").or(users::role.eq("ombudsman").and(
                users::all_partnerships
                    .eq(true)
                    .or(users::id.eq_any(scoped)),
            )),
        )
        .order(users::id.asc())
        .select((users::id, users::email))
        .load(conn)?)
}

/// Assigns a flag to an ombudsman or administrator who can see its partnership (`None`
/// unassigns it).
pub fn assign(
    conn: &mut Conn,
    id: i64,
    assignee: Option<i64>,
    actor: &Actor,
) -> Result<FlagDetail, FlagError> {
    conn.write_transaction(|conn| {
        let at = now();
        lock_flag(conn, id)?;
        let row = get_row(conn, id)?;
        let note = match assignee {
            None => en("flag-note-unassigned"),
            Some(user_id) => {
                let user: Option<(String, String, bool)> = users::table
                    .find(user_id)
                    .select((users::email, users::role, users::disabled))
                    .first(conn)
                    .optional()?;
                let reach = assignable(conn, row.partnership_id)?;
                match user {
                    Some((email, _, false)) if reach.iter().any(|(id, _)| *id == user_id) => {
                        en1("flag-note-assigned", "email", email)
                    }
                    Some((_, role, false)) if role == "ombudsman" => {
                        return Err(FlagError::Invalid(vec![crate::domain::FieldProblem {
                            field: "user_id".into(),
                            message: en1("flag-problem-assignee-out-of-scope", "id", user_id),
                        }]))
                    }
                    Some(_) => {
                        return Err(FlagError::Invalid(vec![crate::domain::FieldProblem {
                            field: "user_id".into(),
                            message: en1("flag-problem-assignee-cannot-take", "id", user_id),
                        }]))
                    }
                    None => {
                        return Err(FlagError::Invalid(vec![crate::domain::FieldProblem {
                            field: "user_id".into(),
                            message: en1("flag-problem-no-user", "id", user_id),
                        }]))
                    }
                }
            }
        };
        if row.assignee_user_id == assignee {
            return show(conn, id);
        }
        diesel::update(flags::table.find(id))
            .set((
                flags::assignee_user_id.eq(assignee),
                flags::updated_at.eq(at),
            ))
            .execute(conn)?;
        record(conn, id, actor, "assigned", &note, at)?;
        show(conn, id)
    })
}
