//! The ombudsman's flag inbox as pages: `GET /flags` (open and acknowledged flags across the
//! partnerships the user may see, most severe first; `?show=resolved` for the resolved
//! ones), `GET /flags/{id}` (why it fired, its history, what people did) and the forms that
//! acknowledge, resolve (with an outcome), reopen, annotate and assign a flag, add and tick
//! off its actions; `GET /flags/new` and `POST /flags/new` raise a flag by hand.
//!
//! For ombudsmen and administrators ([`FlagHandlers`]); a flag of a partnership outside the
//! user's scope answers 404 like a missing one. Every form carries the session's CSRF token;
//! every change goes through [`crate::flags::store`], which writes the flag's history and the
//! audit log in the same transaction.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use super::auth_pages::see_other;
use super::error::ApiError;
use super::AppState;
use crate::auth::Access;
use crate::flags::store::{
    ActionInput, Actor, FlagDetail, FlagView, InboxScope, ManualFlagInput, Outcome, Transition,
    MANUAL,
};
use crate::flags::{Finding, FlagState, Severity};
use crate::i18n::{en, en1, en2, en_with};
use crate::services::flags;
use crate::web::extract::FlagHandlers;
use crate::web::extract::{CurrentUser, RequireRole};
use crate::web::render::{html, message_page};

pub(super) struct Viewer {
    pub(super) email: String,
    pub(super) role: String,
    pub(super) csrf: String,
}

impl Viewer {
    pub(super) fn of(user: &CurrentUser) -> Viewer {
        Viewer {
            email: user.user.email.clone(),
            role: en(user.role().label_key()),
            csrf: user.csrf_token(),
        }
    }
}

/// One row of the inbox.
struct Row {
    id: i64,
    /// The severity's code (the style's class) and its words.
    severity: &'static str,
    severity_words: String,
    /// The state's code (the style's class) and its words.
    state: &'static str,
    state_words: String,
    partnership: String,
    partnership_id: i64,
    /// The wave number, or "—" for a flag raised by hand.
    wave: String,
    manual: bool,
    /// A manual flag's title, else the rule in words.
    rule: String,
    scope: String,
    measured: String,
    assignee: String,
    updated: String,
    /// "2 actions, 1 overdue"; empty without open actions.
    actions: String,
    overdue: bool,
}

impl Row {
    fn of(f: &FlagView) -> Row {
        Row {
            id: f.id,
            severity: f.severity.as_str(),
            severity_words: f.severity.words(),
            state: f.state.as_str(),
            state_words: f.state.words(),
            partnership: f.partnership.clone(),
            partnership_id: f.partnership_id,
            wave: f.wave.map_or_else(|| "—".to_owned(), |w| w.to_string()),
            manual: f.rule == MANUAL,
            rule: f.title.clone(),
            // A flag of another series than the partnership's main one says which.
            scope: if f.series == crate::domain::MAIN_SERIES {
                scope_words(&f.scope)
            } else {
                en2(
                    "inbox-scope-series",
                    "series",
                    &f.series,
                    "scope",
                    scope_words(&f.scope),
                )
            },
            measured: measured(f),
            assignee: f.assignee.clone().unwrap_or_default(),
            updated: f.updated_at.format("%Y-%m-%d %H:%M").to_string(),
            actions: match (f.actions_open, f.actions_overdue) {
                (0, _) => String::new(),
                (n, k) => en2("inbox-actions-count", "count", n, "overdue", k),
            },
            overdue: f.actions_overdue > 0,
        }
    }
}

/// `dimension:win_win:customer:executive-staff` → "win win · customer · executive-staff".
fn scope_words(scope: &str) -> String {
    let mut parts = scope.split(':').peekable();
    if matches!(
        parts.peek(),
        Some(&"dimension") | Some(&"item") | Some(&"partnership")
    ) {
        parts.next();
    }
    parts
        .map(crate::domain::humanize)
        .collect::<Vec<_>>()
        .join(" · ")
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e12 {
        format!("{v:.0}")
    } else if v.abs() < 0.001 {
        format!("{v:.2e}")
    } else {
        format!("{v:.3}")
    }
}

fn measured(f: &FlagView) -> String {
    match (f.measured, f.threshold) {
        (Some(m), Some(t)) => en2(
            "inbox-measured-threshold",
            "measured",
            number(m),
            "threshold",
            number(t),
        ),
        (Some(m), None) => number(m),
        _ => String::new(),
    }
}

#[derive(Template)]
#[template(path = "pages/inbox.html")]
struct InboxPage {
    viewer: Viewer,
    resolved: bool,
    rows: Vec<Row>,
    partnerships: usize,
}

/// One number of the finding, in words.
struct Detail {
    name: String,
    value: String,
}

#[derive(Template)]
#[template(path = "pages/flag.html")]
struct FlagPage {
    viewer: Viewer,
    f: Row,
    link: String,
    details: Vec<Detail>,
    history: Vec<(i64, String, String)>,
    events: Vec<(String, String, String, String)>,
    can_acknowledge: bool,
    can_resolve: bool,
    can_reopen: bool,
    assignees: Vec<(i64, String, bool)>,
    max_note: usize,
    outcome: String,
    outcomes: Vec<(&'static str, String)>,
    actions: Vec<ActionLine>,
    /// (value `person:ID` or `user:ID`, words), persons first.
    owners: Vec<(String, String)>,
    /// (wave, before, now, fired).
    follow_up: Vec<(i64, String, String, String)>,
}

/// One action on the flag page.
struct ActionLine {
    id: i64,
    what: String,
    owner: String,
    due: String,
    done: bool,
    overdue: bool,
}

/// The form that raises a flag by hand.
#[derive(Template)]
#[template(path = "pages/flag_new.html")]
struct NewFlagPage {
    viewer: Viewer,
    /// (id, name, selected)
    partnerships: Vec<(i64, String, bool)>,
    dimensions: Vec<String>,
    items: Vec<String>,
    /// The partnership's custom attributes: (key, label).
    attributes: Vec<(String, String)>,
    max_note: usize,
    max_title: usize,
    prefill: FlagPrefill,
}

#[derive(Deserialize)]
pub struct InboxQuery {
    show: Option<String>,
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
    /// Read by resolve only; empty for none.
    #[serde(default)]
    outcome: String,
}

#[derive(Deserialize)]
pub struct NewFlagQuery {
    partnership: Option<String>,
    #[serde(flatten)]
    prefill: FlagPrefill,
}

/// The scope a chart or heatmap cell fills in on the raise form (`/flags/new?…`); the form
/// checks it again when it is sent, like anything typed.
#[derive(Deserialize, Default)]
pub struct FlagPrefill {
    #[serde(default)]
    side: String,
    #[serde(default)]
    dimension: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    segment_attribute: String,
    #[serde(default)]
    segment_value: String,
}

#[derive(Deserialize)]
pub struct RaiseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    partnership: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    side: String,
    #[serde(default)]
    dimension: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    segment_attribute: String,
    #[serde(default)]
    segment_value: String,
    #[serde(default)]
    severity: String,
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    what: String,
    /// `person:ID` or `user:ID`.
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due_on: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user_id: String,
}

pub(super) fn page_error(e: ApiError) -> HttpResponse {
    let page = match &e {
        ApiError::NotFound(_) => message_page(
            StatusCode::NOT_FOUND,
            &en("page-not-found"),
            &en("page-no-flag"),
        ),
        ApiError::Conflict(m) => message_page(StatusCode::CONFLICT, &en("page-not-changed"), m),
        ApiError::Forbidden(m) => message_page(StatusCode::FORBIDDEN, &en("page-not-allowed"), m),
        ApiError::InvalidFields(problems) => message_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &en("page-not-changed"),
            &problems
                .iter()
                .map(|p| capitalize_sentence(&p.message))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => {
            e.error_response();
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &en("page-failed"),
                &en("page-failed-text"),
            )
        }
    };
    page.unwrap_or_else(|e| e.error_response())
}

/// "the note is empty" → "The note is empty."
fn capitalize_sentence(text: &str) -> String {
    let mut s = crate::web::dashboard::view::capitalize(text);
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

/// The flags in the user's scope: open and acknowledged (the store's inbox order), or the
/// resolved ones, most recently changed first.
fn flags_for(
    conn: &mut crate::db::Conn,
    access: &Access,
    resolved: bool,
) -> Result<(Vec<FlagView>, usize), crate::error::ServiceError> {
    let scope = flags::scope_of(conn, access)?;
    let ids: Vec<i64> = match &scope {
        InboxScope::All => crate::services::dashboard::all_partnership_ids(conn)?,
        InboxScope::Only(ids) => ids.clone(),
    };
    if !resolved {
        return Ok((flags::inbox(conn, &scope)?, ids.len()));
    }
    let mut out = Vec::new();
    for id in &ids {
        out.extend(
            flags::for_partnership(conn, *id)?
                .into_iter()
                .filter(|f| f.state == FlagState::Resolved),
        );
    }
    out.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
    Ok((out, ids.len()))
}

/// `GET /flags`
pub async fn inbox(
    user: RequireRole<FlagHandlers>,
    state: web::Data<AppState>,
    query: web::Query<InboxQuery>,
) -> HttpResponse {
    let resolved = query.show.as_deref() == Some("resolved");
    let access = user.access.clone();
    let result = async {
        let (flags, partnerships) = state
            .db(move |conn, _| flags_for(conn, &access, resolved))
            .await?;
        html(
            StatusCode::OK,
            InboxPage {
                viewer: Viewer::of(&user),
                resolved,
                rows: flags.iter().map(Row::of).collect(),
                partnerships,
            },
        )
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// The name of one number of a finding (a key of its details), in words; a key this version
/// does not name (a flag stored by an older rule) is shown as stored, spaced.
fn detail_name(key: &str) -> String {
    Finding::detail_words(key)
        .unwrap_or_else(|| crate::web::dashboard::view::capitalize(&key.replace('_', " ")))
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::Number(n) => n.as_f64().map(number).unwrap_or_else(|| n.to_string()),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The flag, refused with 404 when its partnership is outside the user's scope.
async fn visible_flag(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<FlagDetail, ApiError> {
    let detail = state.db(move |conn, _| flags::show(conn, id)).await?;
    if !user.access.can_see_partnership(detail.flag.partnership_id) {
        return Err(ApiError::NotFound(en1("flag-problem-no-flag", "id", id)));
    }
    Ok(detail)
}

/// `GET /flags/{id}`
pub async fn flag_page(
    user: RequireRole<FlagHandlers>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> HttpResponse {
    let id = path.into_inner();
    let result = async {
        let detail = visible_flag(&state, &user, id).await?;
        let partnership = detail.flag.partnership_id;
        let (users, owners) = state
            .db(move |conn, _| {
                Ok((
                    crate::services::flags::assignable(conn, id)?,
                    crate::services::flags::action_owners(conn, partnership)?,
                ))
            })
            .await?;
        let f = &detail.flag;
        let mut details = Vec::new();
        let mut history = Vec::new();
        if let serde_json::Value::Object(map) = &f.details {
            for (k, v) in map {
                match k.as_str() {
                    "link" | "wave" | "raised_by" => {}
                    "history" => {
                        for h in v.as_array().into_iter().flatten() {
                            history.push((
                                h.get("wave").and_then(|w| w.as_i64()).unwrap_or_default(),
                                h.get("measured").map(value_text).unwrap_or_default(),
                                h.get("severity")
                                    .and_then(|s| s.as_str())
                                    .and_then(Severity::parse)
                                    .map(Severity::words)
                                    .or_else(|| h.get("severity").map(value_text))
                                    .unwrap_or_default(),
                            ));
                        }
                    }
                    // ids of the template (trust, win_win) in words, as the dashboard shows them
                    "dimension" | "item" | "lower_dimension" | "upper_dimension" => {
                        details.push(Detail {
                            name: detail_name(k),
                            value: crate::domain::humanize(&value_text(v)),
                        })
                    }
                    _ => details.push(Detail {
                        name: detail_name(k),
                        value: value_text(v),
                    }),
                }
            }
        }
        let assignees = users
            .into_iter()
            .map(|(uid, email)| (uid, email, Some(uid) == f.assignee_user_id))
            .collect();
        html(
            StatusCode::OK,
            FlagPage {
                viewer: Viewer::of(&user),
                f: Row::of(f),
                link: f.link.clone(),
                details,
                history,
                events: detail
                    .events
                    .iter()
                    .map(|e| {
                        (
                            e.created_at.format("%Y-%m-%d %H:%M").to_string(),
                            e.action_words(),
                            e.user.clone().unwrap_or_else(|| "Tandem".into()),
                            e.note.clone(),
                        )
                    })
                    .collect(),
                can_acknowledge: f.state == FlagState::Open,
                can_resolve: f.state != FlagState::Resolved,
                can_reopen: f.state == FlagState::Resolved,
                assignees,
                max_note: crate::flags::store::MAX_NOTE,
                outcome: match (f.outcome, f.resolved_measured) {
                    (Some(o), Some(m)) => en2(
                        "flag-outcome-measured",
                        "outcome",
                        o.words(),
                        "measured",
                        number(m),
                    ),
                    (Some(o), None) => o.words(),
                    (None, _) => String::new(),
                },
                outcomes: Outcome::ALL
                    .iter()
                    .map(|o| (o.as_str(), o.words()))
                    .collect(),
                actions: detail
                    .actions
                    .iter()
                    .map(|a| ActionLine {
                        id: a.id,
                        what: a.what.clone(),
                        owner: a.owner.clone(),
                        due: a.due_on.to_string(),
                        done: a.done,
                        overdue: a.overdue,
                    })
                    .collect(),
                owners: owners
                    .people
                    .into_iter()
                    .map(|(id, words)| (format!("person:{id}"), words))
                    .chain(
                        owners
                            .users
                            .into_iter()
                            .map(|(id, email)| (format!("user:{id}"), email)),
                    )
                    .collect(),
                follow_up: detail
                    .follow_up
                    .iter()
                    .map(|l| {
                        (
                            l.wave,
                            l.measured_before.map(number).unwrap_or_else(|| "—".into()),
                            l.measured
                                .map(number)
                                .unwrap_or_else(|| en("flag-follow-up-not-shown")),
                            en(if l.fired {
                                "flag-follow-up-yes"
                            } else {
                                "flag-follow-up-no"
                            }),
                        )
                    })
                    .collect(),
            },
        )
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// Checks scope and CSRF, runs `change` as the signed-in user, and goes back to the flag.
async fn change<F>(
    user: &CurrentUser,
    state: &AppState,
    id: i64,
    csrf: &str,
    change: F,
) -> HttpResponse
where
    F: FnOnce(&mut crate::db::Conn, &Actor) -> Result<FlagDetail, crate::error::ServiceError>
        + Send
        + 'static,
{
    let result = async {
        visible_flag(state, user, id).await?;
        user.check_csrf(csrf)?;
        let actor = Actor::user(user.user.id, &user.user.email);
        state.db_write(move |conn, _| change(conn, &actor)).await?;
        Ok::<_, ApiError>(see_other(&format!("/flags/{id}")))
    }
    .await;
    result.unwrap_or_else(page_error)
}

fn outcome_of(form: &NoteForm) -> Result<Option<Outcome>, ApiError> {
    let raw = form.outcome.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Outcome::parse(raw).map(Some).ok_or_else(|| {
        ApiError::InvalidFields(vec![crate::domain::FieldProblem {
            field: "outcome".into(),
            message: en_with(
                "flag-problem-unknown-outcome",
                &[
                    ("settled", &Outcome::Settled.words()),
                    ("none", &Outcome::NoActionNeeded.words()),
                    ("escalated", &Outcome::Escalated.words()),
                ],
            ),
        }])
    })
}

fn note_of(form: &NoteForm) -> Option<String> {
    Some(form.note.clone()).filter(|n| !n.trim().is_empty())
}

macro_rules! transition_route {
    ($name:ident, $path:literal, $step:expr) => {
        #[doc = concat!("`POST ", $path, "` with an optional note.")]
        pub async fn $name(
            user: RequireRole<FlagHandlers>,
            state: web::Data<AppState>,
            path: web::Path<i64>,
            form: web::Form<NoteForm>,
        ) -> HttpResponse {
            let id = path.into_inner();
            let note = note_of(&form);
            let outcome = if $step == Transition::Resolve {
                match outcome_of(&form) {
                    Ok(o) => o,
                    Err(e) => return page_error(e),
                }
            } else {
                None
            };
            change(&user, &state, id, &form.csrf, move |conn, actor| {
                flags::transition_with_outcome(conn, id, $step, note.as_deref(), outcome, actor)
            })
            .await
        }
    };
}

transition_route!(
    acknowledge,
    "/flags/{id}/acknowledge",
    Transition::Acknowledge
);
transition_route!(resolve, "/flags/{id}/resolve", Transition::Resolve);
transition_route!(reopen, "/flags/{id}/reopen", Transition::Reopen);

/// `POST /flags/{id}/notes`
pub async fn annotate(
    user: RequireRole<FlagHandlers>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<NoteForm>,
) -> HttpResponse {
    let id = path.into_inner();
    let note = form.note.clone();
    change(&user, &state, id, &form.csrf, move |conn, actor| {
        flags::annotate(conn, id, &note, actor)
    })
    .await
}

/// `POST /flags/{id}/assign` (`user_id` empty unassigns).
pub async fn assign(
    user: RequireRole<FlagHandlers>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<AssignForm>,
) -> HttpResponse {
    let id = path.into_inner();
    let raw = form.user_id.trim().to_owned();
    let assignee = if raw.is_empty() {
        None
    } else {
        match raw.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                return page_error(ApiError::InvalidFields(vec![crate::domain::FieldProblem {
                    field: "user_id".into(),
                    message: en1("flag-problem-not-a-user-id", "raw", format!("{raw:?}")),
                }]))
            }
        }
    };
    change(&user, &state, id, &form.csrf, move |conn, actor| {
        flags::assign(conn, id, assignee, actor)
    })
    .await
}

fn optional(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|v| !v.is_empty())
}

/// `GET /flags/new[?partnership=ID]`: the form that raises a flag by hand, with the
/// dimensions and items of the chosen partnership's survey to pick from.
pub async fn new_flag_page(
    user: RequireRole<FlagHandlers>,
    state: web::Data<AppState>,
    query: web::Query<NewFlagQuery>,
) -> HttpResponse {
    let access = user.access.clone();
    let query = query.into_inner();
    let prefill = query.prefill;
    let chosen = query
        .partnership
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| user.access.can_see_partnership(*p));
    let result = async {
        let (visible, vocabulary) = state
            .db(move |conn, catalog| {
                let visible = crate::services::dashboard::visible_partnerships(conn, &access)?;
                let vocabulary = match chosen {
                    Some(p) => Some(flags::vocabulary(conn, catalog, p)?),
                    None => None,
                };
                Ok((visible, vocabulary))
            })
            .await?;
        let vocabulary = vocabulary.unwrap_or_default();
        html(
            StatusCode::OK,
            NewFlagPage {
                viewer: Viewer::of(&user),
                partnerships: visible
                    .into_iter()
                    .map(|p| (p.id, p.name, Some(p.id) == chosen))
                    .collect(),
                dimensions: vocabulary.dimensions,
                items: vocabulary.items.into_iter().map(|(i, _)| i).collect(),
                attributes: vocabulary.attributes,
                max_note: crate::flags::store::MAX_NOTE,
                max_title: crate::flags::store::MAX_TITLE,
                prefill,
            },
        )
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `POST /flags/new`: raises the flag and goes to its page.
pub async fn raise(
    user: RequireRole<FlagHandlers>,
    state: web::Data<AppState>,
    form: web::Form<RaiseForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let result = async {
        let partnership = form
            .partnership
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|p| user.access.can_see_partnership(*p));
        let Some(partnership) = partnership else {
            return Err(ApiError::NotFound(String::new()));
        };
        let current: &CurrentUser = &user;
        current.check_csrf(&form.csrf)?;
        let actor = Actor::user(current.user.id, &current.user.email);
        let input = ManualFlagInput {
            title: form.title,
            note: form.note,
            side: optional(&form.side),
            dimension: optional(&form.dimension),
            segment_attribute: optional(&form.segment_attribute),
            segment_value: optional(&form.segment_value),
            item: optional(&form.item),
            severity: optional(&form.severity),
        };
        let links = state.links();
        let (flag, mails) = state
            .db_write(move |conn, catalog| {
                flags::raise(conn, catalog, partnership, &input, &actor, &links)
            })
            .await?;
        if mails > 0 {
            state.mail_wakeup.notify_one();
        }
        Ok::<_, ApiError>(see_other(&format!("/flags/{}", flag.flag.id)))
    }
    .await;
    result.unwrap_or_else(|e| match e {
        // the partnership is missing or outside the scope: the same answer for both
        ApiError::NotFound(_) => message_page(
            StatusCode::NOT_FOUND,
            &en("page-not-found"),
            &en("page-no-partnership"),
        )
        .unwrap_or_else(|e| e.error_response()),
        e => page_error(e),
    })
}

/// `POST /flags/{id}/actions`
pub async fn add_action(
    user: RequireRole<FlagHandlers>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let id = path.into_inner();
    let form = form.into_inner();
    let owner = form.owner.trim();
    let (owner_person_id, owner_user_id) = match owner.split_once(':') {
        Some(("person", p)) => (p.parse::<i64>().ok(), None),
        Some(("user", u)) => (None, u.parse::<i64>().ok()),
        _ => (None, None),
    };
    let input = ActionInput {
        what: form.what,
        owner_person_id,
        owner_user_id,
        due_on: form.due_on,
    };
    change(&user, &state, id, &form.csrf, move |conn, actor| {
        flags::add_action(conn, id, &input, actor)
    })
    .await
}

/// `POST /flags/{id}/actions/{action}/done`
pub async fn action_done(
    user: RequireRole<FlagHandlers>,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    let (id, action) = path.into_inner();
    change(&user, &state, id, &form.csrf, move |conn, actor| {
        flags::set_action_done(conn, id, action, true, actor)
    })
    .await
}

/// `POST /flags/{id}/actions/{action}/undone`
pub async fn action_undone(
    user: RequireRole<FlagHandlers>,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    let (id, action) = path.into_inner();
    change(&user, &state, id, &form.csrf, move |conn, actor| {
        flags::set_action_done(conn, id, action, false, actor)
    })
    .await
}
