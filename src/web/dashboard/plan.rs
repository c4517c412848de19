//! The relationship plan's pages: `GET /partnerships/{id}/plan` (objectives, milestones, the
//! form for a new objective), `GET /partnerships/{id}/plan/{objective}` (its edit form and
//! milestones), and the POSTs that change them; and the plan section of the dashboard and
//! review pack ([`lines`]). Who may change what is [`PlanRight`]: administrators and managers
//! of both firms everything, a one-side manager marks their firm's milestones done,
//! ombudsmen read. Forms carry the session's CSRF token; every change is audited.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{page_error, view, visibility, Header, Viewer};
use crate::auth::Visibility;
use crate::db::Conn;
use crate::domain::{FieldProblem, Side};
use crate::error::ServiceError;
use crate::i18n::{en, en1, en2};
use crate::reports::report::Report;
use crate::services;
use crate::services::plan::{
    MilestoneDone, MilestoneInput, Objective, ObjectiveInput, PersonRef, PlanRight, Status,
};
use crate::web::auth_pages::see_other;
use crate::web::error::ApiError;
use crate::web::extract::CurrentUser;
use crate::web::AppState;

/// One objective as the dashboard and the review pack show it.
pub struct PlanLine {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub customer_owner: String,
    pub supplier_owner: String,
    /// "Title — owner, due … (in N days)".
    pub next_milestone: Option<String>,
    pub overdue: usize,
    pub overdue_milestones: Vec<String>,
    pub goals: Vec<String>,
    pub dimensions: Vec<DimensionLine>,
}

pub struct DimensionLine {
    pub name: String,
    pub figures: Vec<FigureLine>,
}

pub struct FigureLine {
    pub firm: String,
    /// "3.52 (wave 8)", "withheld (…)" or "no result yet".
    pub mean: String,
    /// "+0.12 since wave 7", or "—".
    pub change: String,
}

fn milestone_words(m: &services::plan::MilestoneView) -> String {
    format!("{} — {}, {}", m.title, m.owner.name, m.state_text)
}

/// The plan section: objectives with owners, next milestone, overdue milestones, linked
/// goals the viewer sees (as the goals section words them) and, per linked dimension and
/// firm the viewer sees, the latest mean up to `wave` and its change, from the restricted
/// `report` (withheld stays withheld).
pub fn lines(
    conn: &mut Conn,
    partnership: i64,
    report: &Report,
    labels: &view::Labels,
    goals: &[crate::goals::store::GoalView],
    v: Visibility,
    wave: Option<i64>,
) -> Result<Vec<PlanLine>, ServiceError> {
    let objectives = services::plan::for_partnership(conn, partnership)?;
    let sides = view::sides(v);
    let firm = |s: Side| match s {
        Side::Customer => report.partnership.customer.clone(),
        Side::Supplier => report.partnership.supplier.clone(),
    };
    Ok(objectives
        .into_iter()
        .map(|o| {
            let dimensions = o
                .dimensions
                .iter()
                .map(|d| DimensionLine {
                    name: labels
                        .dimensions
                        .get(d)
                        .cloned()
                        .unwrap_or_else(|| view::humanize(d)),
                    figures: services::plan::dimension_figures(report, d, &sides, wave)
                        .into_iter()
                        .zip(&sides)
                        .map(|(f, &s)| figure_line(firm(s), &f, report))
                        .collect(),
                })
                .collect();
            PlanLine {
                id: o.id,
                title: o.title.clone(),
                status: o.status_label.clone(),
                customer_owner: o.customer_owner.name.clone(),
                supplier_owner: o.supplier_owner.name.clone(),
                next_milestone: o.next_milestone().map(milestone_words),
                overdue: o.overdue,
                overdue_milestones: o
                    .milestones
                    .iter()
                    .filter(|m| m.state == "overdue")
                    .map(milestone_words)
                    .collect(),
                goals: o
                    .goals
                    .iter()
                    .filter_map(|g| goals.iter().find(|x| x.id == *g))
                    .map(|g| g.text.clone())
                    .collect(),
                dimensions,
            }
        })
        .collect())
}

fn figure_line(firm: String, f: &services::plan::DimensionFigure, report: &Report) -> FigureLine {
    let previous = |wave: i64| {
        report
            .waves
            .iter()
            .map(|w| w.wave)
            .filter(|w| *w < wave)
            .max()
    };
    let (mean, change) = match (f.wave, f.mean, &f.withheld) {
        (Some(w), _, Some(why)) => (
            en2("plan-figure-withheld", "wave", w, "reason", why),
            "—".to_owned(),
        ),
        (Some(w), Some(m), None) => (
            en2("plan-figure-mean", "mean", format!("{m:.2}"), "wave", w),
            match (f.change, previous(w)) {
                (Some(c), Some(p)) => en2(
                    "plan-figure-change",
                    "change",
                    format!("{c:+.2}"),
                    "wave",
                    p,
                ),
                _ => "—".to_owned(),
            },
        ),
        _ => (en("plan-figure-none"), "—".to_owned()),
    };
    FigureLine { firm, mean, change }
}

/// A goal as the plan's forms offer it.
pub struct GoalChoice {
    pub id: i64,
    pub text: String,
}

#[derive(Template)]
#[template(path = "pages/plan.html")]
struct PlanPage {
    viewer: Viewer,
    p: Header,
    objectives: Vec<Objective>,
    right: PlanRight,
    people: Vec<PersonRef>,
    goals: Vec<GoalChoice>,
    dimensions: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    form: FormValues,
    errors: Vec<FieldProblem>,
    today: String,
}

#[derive(Template)]
#[template(path = "pages/plan_objective.html")]
struct ObjectivePage {
    viewer: Viewer,
    p: Header,
    o: Objective,
    people: Vec<PersonRef>,
    goals: Vec<GoalChoice>,
    dimensions: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    form: FormValues,
    errors: Vec<FieldProblem>,
}

impl PlanPage {
    fn marks(&self, side: &str) -> bool {
        side.parse::<Side>().is_ok_and(|s| self.right.marks(s))
    }
}

/// What an objective form held, to show it again.
#[derive(Default)]
pub struct FormValues {
    pub title: String,
    pub description: String,
    pub customer_owner: Option<i64>,
    pub supplier_owner: Option<i64>,
    pub status: String,
    pub goals: Vec<i64>,
    pub dimensions: Vec<String>,
    /// (title, due, owner) rows of new milestones.
    pub milestones: Vec<(String, String, Option<i64>)>,
}

impl FormValues {
    fn of(o: &Objective) -> FormValues {
        FormValues {
            title: o.title.clone(),
            description: o.description.clone(),
            customer_owner: Some(o.customer_owner.id),
            supplier_owner: Some(o.supplier_owner.id),
            status: o.status.as_str().to_owned(),
            goals: o.goals.clone(),
            dimensions: o.dimensions.clone(),
            milestones: Vec::new(),
        }
    }
}

/// The fields of a posted form (`goal`, `dimension`, `milestone_*` repeat).
type Fields = Vec<(String, String)>;

fn one(fields: &Fields, name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn all<'a>(fields: &'a Fields, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    fields
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A person or goal id from a form field; text that is no number is a problem of `field`.
fn id_of(raw: &str, field: &str, problems: &mut Vec<FieldProblem>) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            problems.push(FieldProblem {
                field: field.into(),
                message: en1("plan-field-not-an-id", "value", format!("{raw:?}")),
            });
            None
        }
    }
}

/// Reads an objective form: the objective's fields, and the rows of new milestones that
/// have anything in them.
fn objective_form(fields: &Fields) -> (ObjectiveInput, FormValues, Vec<FieldProblem>) {
    let mut problems = Vec::new();
    let customer_owner = id_of(
        &one(fields, "customer_owner"),
        "customer_owner",
        &mut problems,
    );
    let supplier_owner = id_of(
        &one(fields, "supplier_owner"),
        "supplier_owner",
        &mut problems,
    );
    let goals: Vec<i64> = all(fields, "goal")
        .filter_map(|g| id_of(g, "goals", &mut problems))
        .collect();
    let dimensions: Vec<String> = all(fields, "dimension").map(str::to_owned).collect();
    let titles: Vec<&str> = all(fields, "milestone_title").collect();
    let dues: Vec<&str> = all(fields, "milestone_due_on").collect();
    let owners: Vec<&str> = all(fields, "milestone_owner").collect();
    let mut rows = Vec::new();
    for i in 0..titles.len().max(dues.len()).max(owners.len()) {
        let t = titles.get(i).copied().unwrap_or_default();
        let d = dues.get(i).copied().unwrap_or_default();
        let o = owners.get(i).copied().unwrap_or_default();
        if t.trim().is_empty() && d.trim().is_empty() && o.trim().is_empty() {
            continue;
        }
        let owner = id_of(
            o,
            &format!("milestones[{}].owner", rows.len()),
            &mut problems,
        );
        rows.push((t.to_owned(), d.to_owned(), owner));
    }
    let status = one(fields, "status");
    let input = ObjectiveInput {
        title: one(fields, "title"),
        description: one(fields, "description"),
        customer_owner,
        supplier_owner,
        status: Some(status.clone()),
        goals: goals.clone(),
        dimensions: dimensions.clone(),
        milestones: rows
            .iter()
            .map(|(t, d, o)| MilestoneInput {
                title: t.clone(),
                due_on: d.clone(),
                done_on: None,
                owner: *o,
            })
            .collect(),
    };
    let values = FormValues {
        title: input.title.clone(),
        description: input.description.clone(),
        customer_owner,
        supplier_owner,
        status,
        goals,
        dimensions,
        milestones: rows,
    };
    (input, values, problems)
}

fn milestone_form(fields: &Fields) -> (MilestoneInput, Vec<FieldProblem>) {
    let mut problems = Vec::new();
    let owner = id_of(&one(fields, "owner"), "owner", &mut problems);
    let done = one(fields, "done_on");
    (
        MilestoneInput {
            title: one(fields, "title"),
            due_on: one(fields, "due_on"),
            done_on: Some(done),
            owner,
        },
        problems,
    )
}

fn statuses() -> Vec<(&'static str, String)> {
    Status::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect()
}

/// What the plan's forms choose from: roster, goals (worded as the goals section words them,
/// only those the viewer sees) and dimensions.
struct Choices {
    header: Header,
    people: Vec<PersonRef>,
    goals: Vec<GoalChoice>,
    dimensions: Vec<(String, String)>,
}

async fn choices(state: &AppState, id: i64, v: Visibility) -> Result<Choices, ApiError> {
    // The goals' words need the report; before the first closed wave, goals show as ids.
    let loaded = match super::load(state, id, v, None).await {
        Ok(l) => Some(l),
        Err(ApiError::Conflict(_)) => None,
        Err(e) => return Err(e),
    };
    let (people, dimensions, header, goal_ids) = state
        .db(move |conn, catalog| {
            let people = services::plan::roster(conn, id)?;
            let dimensions = services::plan::dimensions(conn, catalog, id)?;
            let header = services::partnerships::show(conn, id)?;
            let goal_ids = services::plan::goal_ids(conn, id)?;
            Ok((people, dimensions, header, goal_ids))
        })
        .await?;
    let (header, goals) = match &loaded {
        Some(l) => (
            Header::of(l.report(), v),
            l.plug
                .goals
                .iter()
                .map(|g| GoalChoice {
                    id: g.id,
                    text: g.text.clone(),
                })
                .collect(),
        ),
        None => (
            Header::bare(&header, v),
            goal_ids
                .into_iter()
                .map(|(id, text)| GoalChoice { id, text })
                .collect(),
        ),
    };
    Ok(Choices {
        header,
        people,
        goals,
        dimensions,
    })
}

async fn plan_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    v: Visibility,
    form: FormValues,
    errors: Vec<FieldProblem>,
) -> Result<HttpResponse, ApiError> {
    let c = choices(state, id, v).await?;
    let objectives = state
        .db(move |conn, _| services::plan::for_partnership(conn, id))
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    crate::web::render::html(
        status,
        PlanPage {
            viewer: Viewer::of(user, v),
            p: c.header,
            objectives,
            right: PlanRight::of(user.role(), v),
            people: c.people,
            goals: c.goals,
            dimensions: c.dimensions,
            statuses: statuses(),
            form,
            errors,
            today: crate::db::now().date().to_string(),
        },
    )
}

async fn objective_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    objective: i64,
    v: Visibility,
    form: Option<FormValues>,
    errors: Vec<FieldProblem>,
) -> Result<HttpResponse, ApiError> {
    let c = choices(state, id, v).await?;
    let o = state
        .db(move |conn, _| services::plan::objective(conn, id, objective))
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    crate::web::render::html(
        status,
        ObjectivePage {
            viewer: Viewer::of(user, v),
            p: c.header,
            form: form.unwrap_or_else(|| FormValues::of(&o)),
            o,
            people: c.people,
            goals: c.goals,
            dimensions: c.dimensions,
            statuses: statuses(),
            errors,
        },
    )
}

/// The caller may change everything in the plan of `id` (else 403).
fn plan_editor(user: &CurrentUser, id: i64) -> Result<Visibility, ApiError> {
    let v = visibility(user, id)?;
    if !PlanRight::of(user.role(), v).edits_everything() {
        return Err(ApiError::Forbidden(en("plan-refused-editor")));
    }
    Ok(v)
}

/// `Invalid` as `Ok(Err(problems))`, to re-render a form; anything else as it was.
fn invalid_as_form<T>(
    r: Result<T, ServiceError>,
) -> Result<Result<T, Vec<FieldProblem>>, ServiceError> {
    match r {
        Err(ServiceError::Invalid(problems)) => Ok(Err(problems)),
        other => other.map(Ok),
    }
}

/// `GET /partnerships/{id}/plan`
pub async fn page(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> HttpResponse {
    let id = path.into_inner();
    let result = async {
        let v = visibility(&user, id)?;
        plan_page(&state, &user, id, v, FormValues::default(), Vec::new()).await
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `POST /partnerships/{id}/plan`: a new objective with its milestones; a problem shows the
/// page again with what was typed (422), nothing written.
pub async fn create(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<Fields>,
) -> HttpResponse {
    let id = path.into_inner();
    let fields = form.into_inner();
    let result = async {
        let v = plan_editor(&user, id)?;
        user.check_csrf(&one(&fields, "csrf"))?;
        let (input, values, mut problems) = objective_form(&fields);
        if problems.is_empty() {
            let email = user.user.email.clone();
            let created = state
                .db_write(move |conn, catalog| {
                    invalid_as_form(services::plan::create(conn, catalog, id, &input, &email))
                })
                .await?;
            match created {
                Ok(objective) => {
                    return Ok(see_other(&format!(
                        "/partnerships/{id}/plan#objective-{objective}"
                    )))
                }
                Err(p) => problems = p,
            }
        }
        plan_page(&state, &user, id, v, values, problems).await
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `GET /partnerships/{id}/plan/{objective}`
pub async fn objective(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> HttpResponse {
    let (id, objective) = path.into_inner();
    let result = async {
        let v = plan_editor(&user, id)?;
        objective_page(&state, &user, id, objective, v, None, Vec::new()).await
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `POST /partnerships/{id}/plan/{objective}`: the objective's fields and links.
pub async fn update(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<Fields>,
) -> HttpResponse {
    let (id, objective) = path.into_inner();
    let fields = form.into_inner();
    let result = async {
        let v = plan_editor(&user, id)?;
        user.check_csrf(&one(&fields, "csrf"))?;
        let (mut input, values, mut problems) = objective_form(&fields);
        input.milestones.clear();
        if problems.is_empty() {
            let email = user.user.email.clone();
            let done = state
                .db_write(move |conn, catalog| {
                    invalid_as_form(services::plan::update(
                        conn, catalog, id, objective, &input, &email,
                    ))
                })
                .await?;
            match done {
                Ok(()) => {
                    return Ok(see_other(&format!(
                        "/partnerships/{id}/plan#objective-{objective}"
                    )))
                }
                Err(p) => problems = p,
            }
        }
        objective_page(&state, &user, id, objective, v, Some(values), problems).await
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `POST /partnerships/{id}/plan/{objective}/milestones`
pub async fn add_milestone(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<Fields>,
) -> HttpResponse {
    let (id, objective) = path.into_inner();
    let fields = form.into_inner();
    let result = async {
        let v = plan_editor(&user, id)?;
        user.check_csrf(&one(&fields, "csrf"))?;
        let (input, mut problems) = milestone_form(&fields);
        if problems.is_empty() {
            let email = user.user.email.clone();
            let added = state
                .db_write(move |conn, catalog| {
                    invalid_as_form(services::plan::add_milestone(
                        conn, catalog, id, objective, &input, &email,
                    ))
                })
                .await?;
            match added {
                Ok(_) => {
                    return Ok(see_other(&format!(
                        "/partnerships/{id}/plan#objective-{objective}"
                    )))
                }
                Err(p) => problems = p,
            }
        }
        objective_page(&state, &user, id, objective, v, None, problems).await
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `POST /partnerships/{id}/plan/milestones/{milestone}`: the milestone's fields.
pub async fn update_milestone(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<Fields>,
) -> HttpResponse {
    let (id, milestone) = path.into_inner();
    let fields = form.into_inner();
    let result = async {
        let v = plan_editor(&user, id)?;
        user.check_csrf(&one(&fields, "csrf"))?;
        let (input, mut problems) = milestone_form(&fields);
        let email = user.user.email.clone();
        let (objective, outcome) = state
            .db_write(move |conn, catalog| {
                let objective = services::plan::milestone_objective(conn, id, milestone)?;
                if !problems.is_empty() {
                    return Ok((objective, Err(problems)));
                }
                let r = invalid_as_form(services::plan::update_milestone(
                    conn, catalog, id, milestone, &input, &email,
                ))?;
                Ok((objective, r))
            })
            .await?;
        match outcome {
            Ok(()) => Ok(see_other(&format!(
                "/partnerships/{id}/plan#objective-{objective}"
            ))),
            Err(p) => {
                problems = p;
                objective_page(&state, &user, id, objective, v, None, problems).await
            }
        }
    }
    .await;
    result.unwrap_or_else(page_error)
}

#[derive(Deserialize)]
pub struct DoneForm {
    #[serde(default)]
    csrf: String,
    /// `yes` marks done (on `done_on`, default today); anything else reopens.
    #[serde(default)]
    done: String,
    #[serde(default)]
    done_on: String,
}

/// `POST /partnerships/{id}/plan/milestones/{milestone}/done`: marks a milestone done or
/// reopens it. A one-side manager may do it for milestones owned by their firm (else 403).
pub async fn mark_milestone(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<DoneForm>,
) -> HttpResponse {
    let (id, milestone) = path.into_inner();
    let result = async {
        let v = visibility(&user, id)?;
        let right = PlanRight::of(user.role(), v);
        if right == PlanRight::ReadOnly {
            return Err(ApiError::Forbidden(en("plan-refused-marker")));
        }
        user.check_csrf(&form.csrf)?;
        let input = MilestoneDone {
            done_on: Some(if form.done == "yes" {
                Some(if form.done_on.trim().is_empty() {
                    crate::db::now().date().to_string()
                } else {
                    form.done_on.clone()
                })
            } else {
                None
            }),
        };
        let email = user.user.email.clone();
        let marked = state
            .db_write(move |conn, _| {
                services::plan::mark_milestone(conn, id, milestone, &input, right, &email)
            })
            .await?;
        if !marked {
            return Err(ApiError::Forbidden(en("plan-refused-other-firm")));
        }
        Ok(see_other(&format!("/partnerships/{id}/plan")))
    }
    .await;
    result.unwrap_or_else(|e| match e {
        ApiError::InvalidFields(problems) => {
            let text: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect();
            crate::web::render::message_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &en("plan-page-not-saved"),
                &text.join("; "),
            )
            .unwrap_or_else(|e| actix_web::ResponseError::error_response(&e))
        }
        other => page_error(other),
    })
}
