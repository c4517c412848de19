//! Flags in the database: running the rules on a wave, the life cycle of a flag, the inbox
//! and the per-partnership rule configuration.
//!
//! Every write here is one transaction that also writes the flag's event and the audit log,
//! so a change is never recorded without happening nor happens unrecorded. Running the rules
//! twice on the same wave changes nothing the second time: a flag carries the latest wave it
//! fired on, and `(wave_id, rule, scope)` is unique.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::rules::{self, Finding, Rule, RuleConfig, Severity};
use super::FlagError;
use crate::auth::audit;
use crate::db::schema::{
    flag_events, flag_rule_configs, flags, partnerships, user_scopes, users, waves,
};
use crate::db::{self, Conn};
use crate::domain::Email;
use crate::mail::messages::{self, FlagAlertMail};
use crate::mail::outbox;
use crate::mail::Links;
use crate::reports::{self, ReportOptions, SegmentKind};

/// Who changes a flag: a user (by id and email), the command line, the admin token, or the
/// rules themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// As the audit log names actors: an email, `cli`, `admin-token` or `rules`.
    pub name: String,
}

impl Actor {
    pub fn user(id: i64, email: &str) -> Actor {
        Actor {
            user_id: Some(id),
            name: email.to_owned(),
        }
    }
    pub fn cli() -> Actor {
        Actor {
            user_id: None,
            name: "cli".into(),
        }
    }
    pub fn admin_token() -> Actor {
        Actor {
            user_id: None,
            name: "admin-token".into(),
        }
    }
    pub fn rules() -> Actor {
        Actor {
            user_id: None,
            name: "rules".into(),
        }
    }
}

/// A flag's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FlagState {
    Open,
    Acknowledged,
    Resolved,
}

impl FlagState {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagState::Open => "open",
            FlagState::Acknowledged => "acknowledged",
            FlagState::Resolved => "resolved",
        }
    }

    pub fn parse(raw: &str) -> Option<FlagState> {
        [
            FlagState::Open,
            FlagState::Acknowledged,
            FlagState::Resolved,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// A state change asked for by a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Acknowledge,
    Resolve,
    Reopen,
}

impl Transition {
    /// (states it may start from, state it leads to, event action).
    fn rule(self) -> (&'static [FlagState], FlagState, &'static str) {
        match self {
            Transition::Acknowledge => {
                (&[FlagState::Open], FlagState::Acknowledged, "acknowledged")
            }
            Transition::Resolve => (
                &[FlagState::Open, FlagState::Acknowledged],
                FlagState::Resolved,
                "resolved",
            ),
            Transition::Reopen => (&[FlagState::Resolved], FlagState::Open, "reopened"),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = flags)]
pub struct FlagRow {
    pub id: i64,
    pub partnership_id: i64,
    pub wave_id: i64,
    pub rule: String,
    pub scope: String,
    pub measured: Option<f64>,
    pub threshold: Option<f64>,
    pub severity: String,
    pub state: String,
    pub details: String,
    pub assignee_user_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = flags)]
struct NewFlag<'a> {
    partnership_id: i64,
    wave_id: i64,
    rule: &'a str,
    scope: &'a str,
    measured: Option<f64>,
    threshold: Option<f64>,
    severity: &'a str,
    state: &'a str,
    details: &'a str,
    assignee_user_id: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = flag_events)]
struct EventRow {
    id: i64,
    user_id: Option<i64>,
    action: String,
    note: String,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = flag_events)]
struct NewEvent<'a> {
    flag_id: i64,
    user_id: Option<i64>,
    action: &'a str,
    note: &'a str,
    created_at: NaiveDateTime,
}

/// A flag as the API and the CLI show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FlagView {
    pub id: i64,
    pub partnership_id: i64,
    pub partnership: String,
    /// The latest wave the rule fired on (its sequence number).
    pub wave: i64,
    pub rule: String,
    /// The rule in words.
    pub rule_words: String,
    pub scope: String,
    pub measured: Option<f64>,
    pub threshold: Option<f64>,
    pub severity: Severity,
    pub state: FlagState,
    /// The numbers that fired it, and `history`: one entry per wave it fired on.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// Path of the chart that shows it.
    pub link: String,
    pub assignee_user_id: Option<i64>,
    pub assignee: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

/// One entry of a flag's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FlagEventView {
    pub id: i64,
    /// `opened`, `still firing`, `reopened`, `acknowledged`, `resolved`, `note`, `assigned`.
    pub action: String,
    pub note: String,
    pub user_id: Option<i64>,
    /// The user's email, `null` for the rules, the CLI or the admin token.
    pub user: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
}

/// A flag with its history, oldest event first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FlagDetail {
    #[serde(flatten)]
    pub flag: FlagView,
    pub events: Vec<FlagEventView>,
}

/// What one run of the rules did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RunReport {
    pub partnership_id: i64,
    pub wave: i64,
    /// Findings of the rules on this wave.
    pub fired: usize,
    /// Flags raised for the first time.
    pub opened: Vec<i64>,
    /// Resolved flags that this wave fires again.
    pub reopened: Vec<i64>,
    /// Open or acknowledged flags that still fire.
    pub still_firing: Vec<i64>,
    /// Flags this wave had already raised (a repeated run).
    pub unchanged: Vec<i64>,
    /// Findings left alone because a later wave already carries their flag.
    pub superseded: Vec<i64>,
    /// Alert mails queued.
    pub mails_queued: usize,
}

/// Which partnerships an inbox covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxScope {
    All,
    Only(Vec<i64>),
}

impl InboxScope {
    /// The partnerships a signed-in user may see.
    pub fn for_access(
        conn: &mut Conn,
        access: &crate::auth::Access,
    ) -> Result<InboxScope, FlagError> {
        if access.sees_everything() {
            return Ok(InboxScope::All);
        }
        let all: Vec<i64> = partnerships::table
            .select(partnerships::id)
            .order(partnerships::id.asc())
            .load(conn)?;
        Ok(InboxScope::Only(access.filter_visible(all)))
    }
}

fn now() -> NaiveDateTime {
    db::now()
}

fn parse_details(raw: &str) -> serde_json::Value {
    serde_json::from_str(raw).unwrap_or_else(|_| serde_json::Value::String(raw.to_owned()))
}

// ---------------------------------------------------------------------------------------
// Rule configuration

/// The partnership's rule thresholds (the defaults when none are stored).
pub fn config(conn: &mut Conn, partnership_id: i64) -> Result<RuleConfig, FlagError> {
    let stored: Option<String> = flag_rule_configs::table
        .filter(flag_rule_configs::partnership_id.eq(partnership_id))
        .select(flag_rule_configs::config)
        .first(conn)
        .optional()?;
    match stored {
        None => Ok(RuleConfig::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            FlagError::Internal(anyhow::anyhow!(
                "the stored rule configuration of partnership {partnership_id} is not valid: {e}"
            ))
        }),
    }
}

/// Stores the partnership's thresholds after checking them; audited.
pub fn set_config(
    conn: &mut Conn,
    partnership_id: i64,
    config: &RuleConfig,
    actor: &Actor,
) -> Result<RuleConfig, FlagError> {
    let problems = config.problems();
    if !problems.is_empty() {
        return Err(FlagError::Invalid(problems));
    }
    let text = serde_json::to_string(config).map_err(|e| FlagError::Internal(e.into()))?;
    conn.write_transaction(|conn| {
        lock_partnership(conn, partnership_id)?;
        let at = now();
        let updated = diesel::update(
            flag_rule_configs::table.filter(flag_rule_configs::partnership_id.eq(partnership_id)),
        )
        .set((
            flag_rule_configs::config.eq(&text),
            flag_rule_configs::updated_at.eq(at),
        ))
        .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(flag_rule_configs::table)
                .values((
                    flag_rule_configs::partnership_id.eq(partnership_id),
                    flag_rule_configs::config.eq(&text),
                    flag_rule_configs::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        audit(
            conn,
            &actor.name,
            "flag_rules.configured",
            &format!("partnership {partnership_id}"),
            &text,
        )?;
        Ok(config.clone())
    })
}

/// Takes the write lock before anything is read, so a transaction never has to upgrade a
/// read snapshot to a write (SQLite refuses that at once, without waiting, when another
/// connection — the mail worker, say — wrote in between), and so two runs on the same
/// partnership (two instances, or a close and an on-demand run) queue one behind the other
/// on PostgreSQL.
fn lock_partnership(conn: &mut Conn, id: i64) -> Result<(), FlagError> {
    let locked = diesel::update(partnerships::table.find(id))
        .set(partnerships::name.eq(partnerships::name))
        .execute(conn)?;
    if locked == 0 {
        return Err(FlagError::NotFound(format!(
            "there is no partnership with id {id}"
        )));
    }
    Ok(())
}

/// [`lock_partnership`] for one flag.
fn lock_flag(conn: &mut Conn, id: i64) -> Result<(), FlagError> {
    let locked = diesel::update(flags::table.find(id))
        .set(flags::updated_at.eq(flags::updated_at))
        .execute(conn)?;
    if locked == 0 {
        return Err(FlagError::NotFound(format!(
            "there is no flag with id {id}"
        )));
    }
    Ok(())
}

/// The partnership's name, or not found.
pub fn require_partnership(conn: &mut Conn, id: i64) -> Result<String, FlagError> {
    partnerships::table
        .find(id)
        .select(partnerships::name)
        .first(conn)
        .optional()?
        .ok_or_else(|| FlagError::NotFound(format!("there is no partnership with id {id}")))
}

// ---------------------------------------------------------------------------------------
// Running the rules

/// The latest closed wave of a partnership: (id, seq).
pub fn latest_closed_wave(conn: &mut Conn, partnership_id: i64) -> Result<(i64, i64), FlagError> {
    require_partnership(conn, partnership_id)?;
    waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .filter(waves::state.eq("closed"))
        .order(waves::seq.desc())
        .select((waves::id, waves::seq))
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            FlagError::Conflict(format!(
                "partnership {partnership_id} has no closed wave yet; the rules run on closed waves"
            ))
        })
}

/// The id of wave `seq` of a partnership.
pub fn wave_id_of(conn: &mut Conn, partnership_id: i64, seq: i64) -> Result<i64, FlagError> {
    require_partnership(conn, partnership_id)?;
    waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .filter(waves::seq.eq(seq))
        .select(waves::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            FlagError::NotFound(format!("partnership {partnership_id} has no wave {seq}"))
        })
}

/// Runs every rule on one closed wave of a partnership and records the outcome, in one
/// transaction: new flags (with an alert to each ombudsman in scope, through the outbox),
/// resolved flags reopened, open ones marked as still firing. Running it again on the same
/// wave changes nothing.
pub fn run_for_wave(
    conn: &mut Conn,
    partnership_id: i64,
    wave_id: i64,
    links: &Links,
) -> Result<RunReport, FlagError> {
    conn.write_transaction(|conn| {
        lock_partnership(conn, partnership_id)?;
        let partnership = require_partnership(conn, partnership_id)?;
        let (seq, state): (i64, String) = waves::table
            .filter(waves::id.eq(wave_id))
            .filter(waves::partnership_id.eq(partnership_id))
            .select((waves::seq, waves::state))
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                FlagError::NotFound(format!(
                    "partnership {partnership_id} has no wave with id {wave_id}"
                ))
            })?;
        if state != "closed" {
            return Err(FlagError::Conflict(format!(
                "wave {seq} is {state}; the rules run on closed waves"
            )));
        }
        let config = config(conn, partnership_id)?;
        let report = reports::build(
            conn,
            partnership_id,
            &ReportOptions {
                wave: Some(seq),
                segment: Some(SegmentKind::Level),
            },
        )?;
        let findings = rules::evaluate(&report, seq, &config);
        let seq_of: HashMap<i64, i64> = waves::table
            .filter(waves::partnership_id.eq(partnership_id))
            .select((waves::id, waves::seq))
            .load::<(i64, i64)>(conn)?
            .into_iter()
            .collect();
        let existing: Vec<FlagRow> = flags::table
            .filter(flags::partnership_id.eq(partnership_id))
            .select(FlagRow::as_select())
            .load(conn)?;
        let recipients = ombudsmen_of(conn, partnership_id)?;
        let mut run = RunReport {
            partnership_id,
            wave: seq,
            fired: findings.len(),
            ..RunReport::default()
        };
        let at = now();
        for finding in &findings {
            let latest = existing
                .iter()
                .filter(|f| f.rule == finding.rule.as_str() && f.scope == finding.scope)
                .max_by_key(|f| seq_of.get(&f.wave_id).copied().unwrap_or(i64::MIN));
            let Some(flag) = latest else {
                let id = insert_flag(conn, partnership_id, wave_id, seq, finding, at)?;
                run.opened.push(id);
                run.mails_queued +=
                    alert(conn, &recipients, &partnership, seq, id, finding, links)?;
                continue;
            };
            let flag_seq = seq_of.get(&flag.wave_id).copied().unwrap_or(i64::MIN);
            if flag.wave_id == wave_id {
                run.unchanged.push(flag.id);
            } else if flag_seq > seq {
                run.superseded.push(flag.id);
            } else if flag.state == FlagState::Resolved.as_str() {
                refire(
                    conn,
                    flag,
                    wave_id,
                    seq,
                    finding,
                    FlagState::Open,
                    "reopened",
                    at,
                )?;
                run.reopened.push(flag.id);
                run.mails_queued += alert(
                    conn,
                    &recipients,
                    &partnership,
                    seq,
                    flag.id,
                    finding,
                    links,
                )?;
            } else {
                let state = FlagState::parse(&flag.state).unwrap_or(FlagState::Open);
                refire(conn, flag, wave_id, seq, finding, state, "still firing", at)?;
                run.still_firing.push(flag.id);
            }
        }
        Ok(run)
    })
}

fn history_entry(seq: i64, finding: &Finding) -> serde_json::Value {
    serde_json::json!({
        "wave": seq,
        "measured": finding.measured,
        "severity": finding.severity,
    })
}

fn details_text(finding: &Finding, history: Vec<serde_json::Value>) -> String {
    let mut details = finding.details.clone();
    if let serde_json::Value::Object(map) = &mut details {
        map.insert("link".into(), finding.link.clone().into());
        map.insert("history".into(), serde_json::Value::Array(history));
    }
    details.to_string()
}

fn insert_flag(
    conn: &mut Conn,
    partnership_id: i64,
    wave_id: i64,
    seq: i64,
    finding: &Finding,
    at: NaiveDateTime,
) -> Result<i64, FlagError> {
    let details = details_text(finding, vec![history_entry(seq, finding)]);
    let id: i64 = diesel::insert_into(flags::table)
        .values(&NewFlag {
            partnership_id,
            wave_id,
            rule: finding.rule.as_str(),
            scope: &finding.scope,
            measured: Some(finding.measured),
            threshold: Some(finding.threshold),
            severity: finding.severity.as_str(),
            state: FlagState::Open.as_str(),
            details: &details,
            assignee_user_id: None,
            created_at: at,
            updated_at: at,
        })
        .returning(flags::id)
        .get_result(conn)?;
    let note = format!(
        "wave {seq}: {} {} — measured {:.3}, threshold {:.3}, severity {}",
        finding.rule.words(),
        finding.scope,
        finding.measured,
        finding.threshold,
        finding.severity.as_str()
    );
    record(conn, id, &Actor::rules(), "opened", &note, at)?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
fn refire(
    conn: &mut Conn,
    flag: &FlagRow,
    wave_id: i64,
    seq: i64,
    finding: &Finding,
    state: FlagState,
    action: &str,
    at: NaiveDateTime,
) -> Result<(), FlagError> {
    let mut history = match parse_details(&flag.details).get("history") {
        Some(serde_json::Value::Array(h)) => h.clone(),
        _ => Vec::new(),
    };
    history.push(history_entry(seq, finding));
    let details = details_text(finding, history);
    diesel::update(flags::table.find(flag.id))
        .set((
            flags::wave_id.eq(wave_id),
            flags::measured.eq(Some(finding.measured)),
            flags::threshold.eq(Some(finding.threshold)),
            flags::severity.eq(finding.severity.as_str()),
            flags::state.eq(state.as_str()),
            flags::details.eq(&details),
            flags::updated_at.eq(at),
        ))
        .execute(conn)?;
    let note = format!(
        "wave {seq} still fires: measured {:.3} (was {}), threshold {:.3}, severity {}",
        finding.measured,
        flag.measured
            .map(|m| format!("{m:.3}"))
            .unwrap_or_else(|| "not measured".into()),
        finding.threshold,
        finding.severity.as_str()
    );
    record(conn, flag.id, &Actor::rules(), action, &note, at)
}

/// Ombudsmen who see the partnership and are not disabled: (email, name for the greeting).
fn ombudsmen_of(conn: &mut Conn, partnership_id: i64) -> Result<Vec<Email>, FlagError> {
    let scoped = user_scopes::table
        .filter(user_scopes::partnership_id.eq(partnership_id))
        .select(user_scopes::user_id);
    let emails: Vec<String> = users::table
        .filter(users::role.eq("ombudsman"))
        .filter(users::disabled.eq(false))
        .filter(
            users::all_partnerships
                .eq(true)
                .or(users::id.eq_any(scoped)),
        )
        .order(users::id.asc())
        .select(users::email)
        .load(conn)?;
    emails
        .iter()
        .map(|e| {
            Email::parse(e).map_err(|why| {
                FlagError::Internal(anyhow::anyhow!(
                    "a stored ombudsman address is not valid: {why}"
                ))
            })
        })
        .collect()
}

fn alert(
    conn: &mut Conn,
    recipients: &[Email],
    partnership: &str,
    seq: i64,
    flag_id: i64,
    finding: &Finding,
    links: &Links,
) -> Result<usize, FlagError> {
    for to in recipients {
        let name = to.as_str().split('@').next().unwrap_or("").to_owned();
        let mail = messages::flag_alert(&FlagAlertMail {
            ombudsman_name: name,
            partnership: partnership.to_owned(),
            wave_seq: seq,
            rule: finding.rule.words().to_owned(),
            scope: finding.scope_words(),
            measured: finding.measured,
            threshold: finding.threshold,
            severity: finding.severity.as_str().to_owned(),
            link: format!("{}{}", links.base_url, finding.link),
        })
        .map_err(|e| FlagError::Internal(anyhow::anyhow!("flag {flag_id}'s alert: {e}")))?;
        outbox::enqueue(conn, &mail.to(to.clone(), None))?;
    }
    Ok(recipients.len())
}

/// Writes the flag's event and the audit log row of one change.
fn record(
    conn: &mut Conn,
    flag_id: i64,
    actor: &Actor,
    action: &str,
    note: &str,
    at: NaiveDateTime,
) -> Result<(), FlagError> {
    diesel::insert_into(flag_events::table)
        .values(&NewEvent {
            flag_id,
            user_id: actor.user_id,
            action,
            note,
            created_at: at,
        })
        .execute(conn)?;
    audit::audit_at(
        conn,
        at,
        &actor.name,
        &format!("flag.{}", action.replace(' ', "_")),
        &format!("flag {flag_id}"),
        note,
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Life cycle

fn get_row(conn: &mut Conn, id: i64) -> Result<FlagRow, FlagError> {
    flags::table
        .find(id)
        .select(FlagRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| FlagError::NotFound(format!("there is no flag with id {id}")))
}

/// The partnership a flag belongs to (access checks ask before acting).
pub fn partnership_of(conn: &mut Conn, id: i64) -> Result<i64, FlagError> {
    Ok(get_row(conn, id)?.partnership_id)
}

fn clean_note(note: Option<&str>) -> Result<String, FlagError> {
    let note = note.unwrap_or("").trim();
    if note.chars().count() > MAX_NOTE {
        return Err(FlagError::Invalid(vec![crate::domain::FieldProblem {
            field: "note".into(),
            message: format!("a note is at most {MAX_NOTE} characters"),
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
    let note = clean_note(note)?;
    let (from, to, action) = step.rule();
    let allowed: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    conn.write_transaction(|conn| {
        let at = now();
        let changed = diesel::update(
            flags::table
                .filter(flags::id.eq(id))
                .filter(flags::state.eq_any(&allowed)),
        )
        .set((flags::state.eq(to.as_str()), flags::updated_at.eq(at)))
        .execute(conn)?;
        if changed == 0 {
            let row = get_row(conn, id)?;
            return Err(FlagError::IllegalTransition {
                id,
                state: row.state,
                done: action,
                allowed: allowed.join(" or "),
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
            message: "the note is empty".into(),
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

/// Assigns a flag to an ombudsman or administrator (`None` unassigns it).
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
            None => "unassigned".to_owned(),
            Some(user_id) => {
                let user: Option<(String, String, bool)> = users::table
                    .find(user_id)
                    .select((users::email, users::role, users::disabled))
                    .first(conn)
                    .optional()?;
                match user {
                    Some((email, role, false)) if role == "ombudsman" || role == "admin" => {
                        format!("assigned to {email}")
                    }
                    Some(_) => {
                        return Err(FlagError::Invalid(vec![crate::domain::FieldProblem {
                            field: "user_id".into(),
                            message: format!(
                                "user {user_id} cannot take flags: only an active ombudsman or administrator can"
                            ),
                        }]))
                    }
                    None => {
                        return Err(FlagError::Invalid(vec![crate::domain::FieldProblem {
                            field: "user_id".into(),
                            message: format!("there is no user with id {user_id}"),
                        }]))
                    }
                }
            }
        };
        if row.assignee_user_id == assignee {
            return show(conn, id);
        }
        diesel::update(flags::table.find(id))
            .set((flags::assignee_user_id.eq(assignee), flags::updated_at.eq(at)))
            .execute(conn)?;
        record(conn, id, actor, "assigned", &note, at)?;
        show(conn, id)
    })
}

// ---------------------------------------------------------------------------------------
// Reading

fn views(conn: &mut Conn, rows: Vec<FlagRow>) -> Result<Vec<FlagView>, FlagError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let wave_ids: Vec<i64> = rows.iter().map(|r| r.wave_id).collect();
    let seq_of: HashMap<i64, i64> = waves::table
        .filter(waves::id.eq_any(&wave_ids))
        .select((waves::id, waves::seq))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let partnership_ids: Vec<i64> = rows.iter().map(|r| r.partnership_id).collect();
    let names: HashMap<i64, String> = partnerships::table
        .filter(partnerships::id.eq_any(&partnership_ids))
        .select((partnerships::id, partnerships::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let assignee_ids: Vec<i64> = rows.iter().filter_map(|r| r.assignee_user_id).collect();
    let emails: HashMap<i64, String> = if assignee_ids.is_empty() {
        HashMap::new()
    } else {
        users::table
            .filter(users::id.eq_any(&assignee_ids))
            .select((users::id, users::email))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect()
    };
    rows.into_iter()
        .map(|r| {
            let details = parse_details(&r.details);
            let link = details
                .get("link")
                .and_then(|l| l.as_str())
                .map(str::to_owned)
                .unwrap_or_else(|| format!("/partnerships/{}", r.partnership_id));
            let severity = Severity::parse(&r.severity).ok_or_else(|| {
                FlagError::Internal(anyhow::anyhow!(
                    "flag {} has severity {:?}",
                    r.id,
                    r.severity
                ))
            })?;
            let state = FlagState::parse(&r.state).ok_or_else(|| {
                FlagError::Internal(anyhow::anyhow!("flag {} has state {:?}", r.id, r.state))
            })?;
            Ok(FlagView {
                id: r.id,
                partnership_id: r.partnership_id,
                partnership: names.get(&r.partnership_id).cloned().unwrap_or_default(),
                wave: seq_of.get(&r.wave_id).copied().unwrap_or_default(),
                rule_words: Rule::parse(&r.rule)
                    .map(|x| x.words().to_owned())
                    .unwrap_or_else(|| r.rule.clone()),
                rule: r.rule,
                scope: r.scope,
                measured: r.measured,
                threshold: r.threshold,
                severity,
                state,
                details,
                link,
                assignee: r.assignee_user_id.and_then(|u| emails.get(&u).cloned()),
                assignee_user_id: r.assignee_user_id,
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

/// One flag with its events, oldest first.
pub fn show(conn: &mut Conn, id: i64) -> Result<FlagDetail, FlagError> {
    let row = get_row(conn, id)?;
    let flag = views(conn, vec![row])?
        .pop()
        .ok_or_else(|| FlagError::NotFound(format!("there is no flag with id {id}")))?;
    let events: Vec<EventRow> = flag_events::table
        .filter(flag_events::flag_id.eq(id))
        .order((flag_events::created_at.asc(), flag_events::id.asc()))
        .select(EventRow::as_select())
        .load(conn)?;
    let user_ids: Vec<i64> = events.iter().filter_map(|e| e.user_id).collect();
    let emails: HashMap<i64, String> = users::table
        .filter(users::id.eq_any(&user_ids))
        .select((users::id, users::email))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(FlagDetail {
        flag,
        events: events
            .into_iter()
            .map(|e| FlagEventView {
                id: e.id,
                user: e.user_id.and_then(|u| emails.get(&u).cloned()),
                user_id: e.user_id,
                action: e.action,
                note: e.note,
                created_at: e.created_at,
            })
            .collect(),
    })
}

/// Every flag of a partnership, in any state: newest wave first, then most severe.
pub fn for_partnership(conn: &mut Conn, partnership_id: i64) -> Result<Vec<FlagView>, FlagError> {
    require_partnership(conn, partnership_id)?;
    let rows: Vec<FlagRow> = flags::table
        .filter(flags::partnership_id.eq(partnership_id))
        .select(FlagRow::as_select())
        .load(conn)?;
    sorted_views(conn, rows)
}

/// The open and acknowledged flags of a partnership known to exist (the dashboard's list),
/// in [`for_partnership`]'s order.
pub fn unresolved_for_partnership(
    conn: &mut Conn,
    partnership_id: i64,
) -> Result<Vec<FlagView>, FlagError> {
    let rows: Vec<FlagRow> = flags::table
        .filter(flags::partnership_id.eq(partnership_id))
        .filter(flags::state.ne(FlagState::Resolved.as_str()))
        .select(FlagRow::as_select())
        .load(conn)?;
    sorted_views(conn, rows)
}

fn sorted_views(conn: &mut Conn, rows: Vec<FlagRow>) -> Result<Vec<FlagView>, FlagError> {
    let mut out = views(conn, rows)?;
    out.sort_by(|a, b| {
        b.wave
            .cmp(&a.wave)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
            .then(a.scope.cmp(&b.scope))
    });
    Ok(out)
}

/// Open and acknowledged flags across the partnerships in `scope`: most severe first, then
/// the most recently changed, then the newest.
pub fn inbox(conn: &mut Conn, scope: &InboxScope) -> Result<Vec<FlagView>, FlagError> {
    let mut query = flags::table
        .filter(flags::state.eq_any([FlagState::Open.as_str(), FlagState::Acknowledged.as_str()]))
        .select(FlagRow::as_select())
        .into_boxed();
    if let InboxScope::Only(ids) = scope {
        query = query.filter(flags::partnership_id.eq_any(ids.clone()));
    }
    let rows = query.load(conn)?;
    let mut out = views(conn, rows)?;
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.updated_at.cmp(&a.updated_at))
            .then(b.id.cmp(&a.id))
    });
    Ok(out)
}
