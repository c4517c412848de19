//! The ombudsman's use cases on flags, shared by the inbox pages, the JSON API and the CLI:
//! list (inbox, per partnership), show, run the rules on a wave, read and set the rule
//! thresholds, and change a flag (acknowledge, resolve, reopen, note, assign). Each change
//! writes the flag's history and the audit log in the store's one transaction.

use crate::auth::Access;
use crate::db::Conn;
use crate::error::ServiceError;
use crate::flags::store::{
    self, ActionInput, Actor, FlagDetail, FlagView, InboxScope, ManualFlagInput, Outcome,
    RunReport, Transition, Vocabulary,
};
use crate::flags::RuleConfig;
use crate::mail::Links;
use crate::survey_templates::{Catalog, SurveyTemplate};

/// The partnerships whose flags `access` may see.
pub fn scope_of(conn: &mut Conn, access: &Access) -> Result<InboxScope, ServiceError> {
    Ok(InboxScope::for_access(conn, access)?)
}

/// The partnership of flag `id` when `access` reaches it; a flag outside the scope is
/// refused exactly like a missing one (404), so existence does not leak.
pub fn require_visible(conn: &mut Conn, access: &Access, id: i64) -> Result<i64, ServiceError> {
    let partnership = store::partnership_of(conn, id)?;
    if access.can_see_partnership(partnership) {
        Ok(partnership)
    } else {
        Err(ServiceError::NotFound(format!(
            "there is no flag with id {id}"
        )))
    }
}

/// Open and acknowledged flags in `scope`, most severe first, then most recently changed.
pub fn inbox(conn: &mut Conn, scope: &InboxScope) -> Result<Vec<FlagView>, ServiceError> {
    Ok(store::inbox(conn, scope)?)
}

/// One flag with its history.
pub fn show(conn: &mut Conn, id: i64) -> Result<FlagDetail, ServiceError> {
    Ok(store::show(conn, id)?)
}

/// Every flag of a partnership, in any state.
pub fn for_partnership(conn: &mut Conn, partnership: i64) -> Result<Vec<FlagView>, ServiceError> {
    Ok(store::for_partnership(conn, partnership)?)
}

/// The open and acknowledged flags of a partnership.
pub fn unresolved(conn: &mut Conn, partnership: i64) -> Result<Vec<FlagView>, ServiceError> {
    Ok(store::unresolved_for_partnership(conn, partnership)?)
}

/// Runs the rules on the partnership's closed wave `seq` (default the latest closed one).
pub fn run_rules(
    conn: &mut Conn,
    partnership: i64,
    seq: Option<i64>,
    links: &Links,
) -> Result<RunReport, ServiceError> {
    let wave_id = match seq {
        Some(seq) => store::wave_id_of(conn, partnership, seq)?,
        None => store::latest_closed_wave(conn, partnership)?.0,
    };
    Ok(store::run_for_wave(conn, partnership, wave_id, links)?)
}

/// The partnership's rule thresholds (defaults where none were set).
pub fn config(conn: &mut Conn, partnership: i64) -> Result<RuleConfig, ServiceError> {
    store::require_partnership(conn, partnership)?;
    Ok(store::config(conn, partnership)?)
}

/// Sets the partnership's rule thresholds.
pub fn set_config(
    conn: &mut Conn,
    partnership: i64,
    wanted: &RuleConfig,
    actor: &Actor,
) -> Result<RuleConfig, ServiceError> {
    Ok(store::set_config(conn, partnership, wanted, actor)?)
}

/// Moves a flag along its life cycle, with an optional note.
pub fn transition(
    conn: &mut Conn,
    id: i64,
    step: Transition,
    note: Option<&str>,
    actor: &Actor,
) -> Result<FlagDetail, ServiceError> {
    if let Some(note) = note {
        crate::domain::check_no_nul("note", note).map_err(|p| ServiceError::Invalid(vec![p]))?;
    }
    Ok(store::transition(conn, id, step, note, actor)?)
}

/// [`transition`], recording an outcome when the step resolves the flag.
pub fn transition_with_outcome(
    conn: &mut Conn,
    id: i64,
    step: Transition,
    note: Option<&str>,
    outcome: Option<Outcome>,
    actor: &Actor,
) -> Result<FlagDetail, ServiceError> {
    if let Some(note) = note {
        crate::domain::check_no_nul("note", note).map_err(|p| ServiceError::Invalid(vec![p]))?;
    }
    Ok(store::transition_with_outcome(
        conn, id, step, note, outcome, actor,
    )?)
}

/// The survey a manual flag of the partnership may point into: the template of its latest
/// closed wave, or the one it is set up with when no wave has closed yet.
pub fn vocabulary(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership: i64,
) -> Result<Vocabulary, ServiceError> {
    let stored = crate::db::partnerships::require(conn, partnership)?;
    let attributes: Vec<(String, String)> = crate::db::attributes::list(conn, partnership)?
        .into_iter()
        .map(|d| (d.key, d.label))
        .collect();
    let of = |t: &SurveyTemplate| Vocabulary {
        attributes: attributes.clone(),
        dimensions: t.dimensions().iter().map(|d| d.id().to_owned()).collect(),
        items: t
            .items()
            .iter()
            .map(|i| (i.id().to_owned(), i.dimension().to_owned()))
            .collect(),
    };
    if let Some(t) = crate::services::dashboard::latest_closed_template(conn, partnership)? {
        return Ok(of(&t));
    }
    catalog.get(&stored.template_id).map(of).ok_or_else(|| {
        ServiceError::Internal(anyhow::anyhow!(
            "partnership {partnership} uses template {:?}, which the catalog lacks",
            stored.template_id
        ))
    })
}

/// Raises a flag by hand on a partnership (422 naming every field problem); returns the
/// flag and how many alert mails were queued.
pub fn raise(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership: i64,
    input: &ManualFlagInput,
    actor: &Actor,
    links: &Links,
) -> Result<(FlagDetail, usize), ServiceError> {
    let vocabulary = vocabulary(conn, catalog, partnership)?;
    Ok(store::raise(
        conn,
        partnership,
        input,
        &vocabulary,
        actor,
        links,
    )?)
}

/// Adds an action to a flag.
pub fn add_action(
    conn: &mut Conn,
    flag: i64,
    input: &ActionInput,
    actor: &Actor,
) -> Result<FlagDetail, ServiceError> {
    Ok(store::add_action(conn, flag, input, actor)?)
}

/// Marks an action done, or not done again.
pub fn set_action_done(
    conn: &mut Conn,
    flag: i64,
    action: i64,
    done: bool,
    actor: &Actor,
) -> Result<FlagDetail, ServiceError> {
    Ok(store::set_action_done(conn, flag, action, done, actor)?)
}

/// The partnership a flag belongs to.
pub fn partnership_of(conn: &mut Conn, flag: i64) -> Result<i64, ServiceError> {
    Ok(store::partnership_of(conn, flag)?)
}

/// Who may own an action of a flag of `partnership`: the people of both firms' rosters
/// (id, "name (side)") and the active users who see it (id, e-mail).
pub fn action_owners(
    conn: &mut Conn,
    partnership: i64,
) -> Result<store::ActionOwners, ServiceError> {
    Ok(store::action_owners(conn, partnership)?)
}

/// Adds a note to a flag.
pub fn annotate(
    conn: &mut Conn,
    id: i64,
    note: &str,
    actor: &Actor,
) -> Result<FlagDetail, ServiceError> {
    crate::domain::check_no_nul("note", note).map_err(|p| ServiceError::Invalid(vec![p]))?;
    Ok(store::annotate(conn, id, note, actor)?)
}

/// The users a flag can be assigned to: administrators and the ombudsmen whose scope
/// includes its partnership, (id, e-mail).
pub fn assignable(conn: &mut Conn, id: i64) -> Result<Vec<(i64, String)>, ServiceError> {
    let partnership = store::partnership_of(conn, id)?;
    Ok(store::assignable(conn, partnership)?)
}

/// Assigns a flag to a user (`None` unassigns).
pub fn assign(
    conn: &mut Conn,
    id: i64,
    assignee: Option<i64>,
    actor: &Actor,
) -> Result<FlagDetail, ServiceError> {
    Ok(store::assign(conn, id, assignee, actor)?)
}

/// Queues the weekly digests that are due at `now` (all of them with `now_anyway`).
pub fn queue_digests(
    conn: &mut Conn,
    now: chrono::NaiveDateTime,
    links: &Links,
    actor: &str,
    now_anyway: bool,
) -> Result<crate::flags::digest::DigestReport, ServiceError> {
    Ok(crate::flags::digest::queue_digests(
        conn, now, links, actor, now_anyway,
    )?)
}

/// Turns the weekly digest of the user with this address on or off.
pub fn set_digest(conn: &mut Conn, email: &str, on: bool, actor: &str) -> Result<(), ServiceError> {
    Ok(crate::flags::digest::set_digest(conn, email, on, actor)?)
}

/// Whether the user receives the weekly digest.
pub fn digest_on(conn: &mut Conn, user_id: i64) -> Result<bool, ServiceError> {
    Ok(crate::flags::digest::digest_on(conn, user_id)?)
}
