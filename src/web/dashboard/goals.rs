//! Setting and removing goals from the dashboard: `GET /partnerships/{id}/goals/new` (the
//! form), `POST /partnerships/{id}/goals` and `POST /partnerships/{id}/goals/{goal}/delete`.
//! Administrators and relationship managers may do it, on what they can see; every change
//! is in the audit log. Forms carry the session's CSRF token.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{can_set_goals, load, page_error, view, visibility, Header, Viewer};
use crate::auth::Visibility;
use crate::domain::FieldProblem;
use crate::error::ServiceError;
use crate::goals::store::GoalInput;
use crate::goals::Metric;
use crate::i18n::en;
use crate::reports::report::Report;
use crate::services;
use crate::web::auth_pages::see_other;
use crate::web::error::ApiError;
use crate::web::extract::CurrentUser;
use crate::web::AppState;

/// One choice of the metric list.
pub struct MetricOption {
    pub key: String,
    pub label: String,
    pub hint: String,
}

/// Every metric a viewer who sees `v` may set a goal on: per dimension a firm's mean and
/// agreement, the gap (both firms only), response rates, and each KPI.
pub fn metric_options(
    report: &Report,
    labels: &view::Labels,
    v: Visibility,
    kpis: &[String],
) -> Vec<MetricOption> {
    let names = crate::goals::Names {
        customer: report.partnership.customer.clone(),
        supplier: report.partnership.supplier.clone(),
        dimensions: labels.dimensions.clone(),
    };
    let sides = view::sides(v);
    let mut metrics = Vec::new();
    for d in view::dimension_ids(report) {
        for &side in &sides {
            metrics.push(Metric::Mean {
                side,
                dimension: d.clone(),
            });
        }
        if v == Visibility::Both {
            metrics.push(Metric::Gap {
                dimension: d.clone(),
            });
        }
        for &side in &sides {
            metrics.push(Metric::Agreement {
                side,
                dimension: d.clone(),
            });
        }
    }
    if v == Visibility::Both {
        metrics.push(Metric::ResponseRate { side: None });
    }
    for &side in &sides {
        metrics.push(Metric::ResponseRate { side: Some(side) });
    }
    for k in kpis {
        metrics.push(Metric::Kpi { name: k.clone() });
    }
    metrics
        .into_iter()
        .map(|m| MetricOption {
            key: m.key(),
            label: m.describe(&names),
            hint: match &m {
                Metric::Mean { .. } => en("goal-hint-mean"),
                Metric::Gap { .. } => en("goal-hint-gap"),
                Metric::Agreement { .. } => en("goal-hint-agreement"),
                Metric::ResponseRate { .. } => en("goal-hint-response-rate"),
                Metric::Kpi { .. } => en("goal-hint-kpi"),
            },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "pages/goal_form.html")]
struct GoalFormPage {
    viewer: Viewer,
    p: Header,
    options: Vec<MetricOption>,
    form: GoalInput,
    errors: Vec<FieldProblem>,
    today: String,
    /// The roster, for the goal's owner.
    people: Vec<services::plan::PersonRef>,
}

impl GoalFormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct GoalForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    metric: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    due_on: String,
    /// A roster person's id, or empty for none.
    #[serde(default)]
    owner: String,
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    csrf: String,
}

/// The signed-in user may set goals on partnership `id`: in scope (else 404) and an
/// administrator or manager (else 403).
fn goal_setter(user: &CurrentUser, id: i64) -> Result<Visibility, ApiError> {
    let v = visibility(user, id)?;
    if !can_set_goals(user) {
        return Err(ApiError::Forbidden(en("goal-refused-setter")));
    }
    Ok(v)
}

use crate::services::dashboard::kpi_names;

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    v: Visibility,
    form: GoalInput,
    errors: Vec<FieldProblem>,
) -> Result<HttpResponse, ApiError> {
    let l = load(state, id, v, None).await?;
    let (kpis, people) = state
        .db(move |conn, _| Ok((kpi_names(conn, id)?, services::plan::roster(conn, id)?)))
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    crate::web::render::html(
        status,
        GoalFormPage {
            viewer: Viewer::of(user, v),
            p: Header::of(l.report(), v),
            options: metric_options(l.report(), &l.entry.labels, v, &kpis),
            form,
            errors,
            today: crate::db::now().date().to_string(),
            people,
        },
    )
}

/// `GET /partnerships/{id}/goals/new`
pub async fn new_goal(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> HttpResponse {
    let id = path.into_inner();
    let result = async {
        let v = goal_setter(&user, id)?;
        form_page(&state, &user, id, v, GoalInput::default(), Vec::new()).await
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `POST /partnerships/{id}/goals`: checks the goal, stores it with an audit entry and goes
/// back to the dashboard; a problem re-renders the form with what was typed (422).
pub async fn create_goal(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<GoalForm>,
) -> HttpResponse {
    let id = path.into_inner();
    let form = form.into_inner();
    let result = async {
        let v = goal_setter(&user, id)?;
        user.check_csrf(&form.csrf)?;
        let input = GoalInput {
            metric: form.metric,
            target: form.target,
            due_on: form.due_on,
            owner: match form.owner.trim() {
                "" => None,
                raw => Some(raw.parse::<i64>().unwrap_or(-1)),
            },
        };
        let l = load(&state, id, v, None).await?;
        let (user_id, email) = (user.user.id, user.user.email.clone());
        let wanted = input.clone();
        let created = state
            .db_write(move |conn, _| {
                let report = l.report();
                match services::goals::create(conn, id, &wanted, report, v, Some(user_id), &email) {
                    Err(ServiceError::Invalid(problems)) => Ok(Err(problems)),
                    other => other.map(Ok),
                }
            })
            .await?;
        if let Err(problems) = created {
            return form_page(&state, &user, id, v, input, problems).await;
        }
        Ok(see_other(&format!("/partnerships/{id}#goals")))
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `POST /partnerships/{id}/goals/{goal}/delete`
pub async fn delete_goal(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<DeleteForm>,
) -> HttpResponse {
    let (id, goal) = path.into_inner();
    let result = async {
        let v = goal_setter(&user, id)?;
        user.check_csrf(&form.csrf)?;
        let email = user.user.email.clone();
        state
            .db_write(move |conn, _| services::goals::remove(conn, id, goal, v, &email))
            .await?;
        Ok(see_other(&format!("/partnerships/{id}#goals")))
    }
    .await;
    result.unwrap_or_else(page_error)
}
