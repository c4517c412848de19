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
use crate::reports::{self, ReportOptions};

mod actions;
mod config;
mod follow_up;
mod manual;
mod run;
mod transitions;
mod views;
#[cfg(test)]
mod words_tests;

pub use actions::*;
pub use config::*;
pub use follow_up::*;
pub use manual::*;
pub use run::*;
pub use transitions::*;
pub use views::*;

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
    pub const ALL: [FlagState; 3] = [
        FlagState::Open,
        FlagState::Acknowledged,
        FlagState::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FlagState::Open => "open",
            FlagState::Acknowledged => "acknowledged",
            FlagState::Resolved => "resolved",
        }
    }

    pub fn parse(raw: &str) -> Option<FlagState> {
        FlagState::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The state in words, for pages (from the managers' catalog).
    pub fn words(self) -> String {
        crate::i18n::en(self.words_key())
    }

    /// The catalog key of [`FlagState::words`].
    pub fn words_key(self) -> &'static str {
        match self {
            FlagState::Open => "flag-state-open",
            FlagState::Acknowledged => "flag-state-acknowledged",
            FlagState::Resolved => "flag-state-resolved",
        }
    }
}

/// What resolving a flag came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = FlagOutcome)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Settled,
    NoActionNeeded,
    Escalated,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [
        Outcome::Settled,
        Outcome::NoActionNeeded,
        Outcome::Escalated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Settled => "settled",
            Outcome::NoActionNeeded => "no_action_needed",
            Outcome::Escalated => "escalated",
        }
    }

    /// For pages and notes (from the managers' catalog).
    pub fn words(self) -> String {
        crate::i18n::en(self.words_key())
    }

    /// The catalog key of [`Outcome::words`].
    pub fn words_key(self) -> &'static str {
        match self {
            Outcome::Settled => "outcome-settled",
            Outcome::NoActionNeeded => "outcome-no-action-needed",
            Outcome::Escalated => "outcome-escalated",
        }
    }

    pub fn parse(raw: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == raw)
    }
}

/// An event's action (as stored in the flag's history, e.g. `still firing`) in words, for
/// pages; an action this version does not know is shown as stored.
pub fn event_words(action: &str) -> String {
    event_key(action).map_or_else(|| action.to_owned(), crate::i18n::en)
}

/// The catalog key of [`event_words`], `None` for an action this version does not know.
pub fn event_key(action: &str) -> Option<&'static str> {
    Some(match action {
        "opened" => "flag-event-opened",
        "still firing" => "flag-event-still-firing",
        "reopened" => "flag-event-reopened",
        "acknowledged" => "flag-event-acknowledged",
        "resolved" => "flag-event-resolved",
        "closed itself" => "flag-event-closed-itself",
        "note" => "flag-event-note",
        "assigned" => "flag-event-assigned",
        "action added" => "flag-event-action-added",
        "action done" => "flag-event-action-done",
        "action reopened" => "flag-event-action-reopened",
        _ => return None,
    })
}

/// Every event action [`event_words`] knows, for its tests.
pub const EVENT_ACTIONS: [&str; 11] = [
    "opened",
    "still firing",
    "reopened",
    "acknowledged",
    "resolved",
    "closed itself",
    "note",
    "assigned",
    "action added",
    "action done",
    "action reopened",
];

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
    /// `None` for a manual flag.
    pub wave_id: Option<i64>,
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
    pub title: String,
    pub outcome: Option<String>,
    pub resolved_measured: Option<f64>,
}

#[derive(Insertable)]
#[diesel(table_name = flags)]
struct NewFlag<'a> {
    partnership_id: i64,
    wave_id: Option<i64>,
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
    title: &'a str,
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
    /// The latest wave the rule fired on (its sequence number); `null` for a manual flag.
    pub wave: Option<i64>,
    /// `manual` for a flag raised by hand, else the rule's id.
    pub rule: String,
    /// The rule in words (`raised by hand` for a manual flag).
    pub rule_words: String,
    /// A manual flag's title; the rule in words for a rule's flag.
    pub title: String,
    pub scope: String,
    /// The survey series of the wave it fired on (`main`: the partnership's own, and every
    /// manual flag).
    pub series: String,
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
    /// What resolving it came to, when that was recorded.
    pub outcome: Option<Outcome>,
    /// The value it measured when it was last resolved (`null` for a manual flag).
    pub resolved_measured: Option<f64>,
    /// Actions not done yet.
    pub actions_open: i64,
    /// Actions not done whose due date has passed.
    pub actions_overdue: i64,
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    pub created_at: NaiveDateTime,
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
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
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    pub created_at: NaiveDateTime,
}

impl FlagEventView {
    /// The event's action in words ([`event_words`]).
    pub fn action_words(&self) -> String {
        event_words(&self.action)
    }
}

/// A flag with its history, oldest event first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FlagDetail {
    #[serde(flatten)]
    pub flag: FlagView,
    pub events: Vec<FlagEventView>,
    /// What people do about it: overdue first, then by due date.
    pub actions: Vec<ActionView>,
    /// One line per closed wave after the one it last fired on (rule flags only): the
    /// value the rule measures on its scope then and now, and whether it fired.
    pub follow_up: Vec<FollowUpView>,
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
    /// Open or acknowledged flags that closed themselves: their rule has not fired on their
    /// scope for `close_after_quiet_waves` closed waves in a row.
    pub closed_quiet: Vec<i64>,
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
