//! The relationship manager's dashboard for one partnership, its item drill-down, the
//! printable review pack and the exports (CSV of every aggregate, each chart as SVG).
//!
//! Everything is drawn from the stored report ([`crate::reports::report`]) — never from an
//! answer — after [`view::restrict`] has kept only what the signed-in user may see. Every
//! route asks [`visibility`] first: a partnership outside the user's scope answers 404,
//! exactly like one that does not exist. Pages are askama templates (auto-escaped); charts
//! are SVG from [`crate::charts`].

pub mod cache;
pub mod goals;
pub mod plan;
pub mod view;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;
use std::sync::Arc;

use serde::Deserialize;

use super::error::ApiError;
use super::AppState;
use crate::auth::Role;
use crate::auth::Visibility;
use crate::db::Conn;
use crate::domain::Side;
use crate::error::ServiceError;
use crate::goals::store::{GoalContext, GoalView};
use crate::goals::Names as GoalNames;
use crate::i18n::{en, en1};
use crate::reports::report::{Report, ReportOptions};
use crate::survey_templates::TemplateSide;
use crate::web::extract::CurrentUser;
use crate::web::render::message_page;
use view::Labels;

/// The one place the dashboard asks "may this user see partnership `id`, and which side".
fn visibility(user: &CurrentUser, id: i64) -> Result<Visibility, ApiError> {
    user.require_partnership(id)
}

/// What the pages show beside the cached report: flags, goals and comments, read fresh on
/// every request (they change on their own).
pub struct PlugIns {
    /// `None` for a one-side viewer: flags compare the firms.
    pub flags: Option<Vec<FlagLine>>,
    pub goals: Vec<GoalView>,
    /// Whether the viewer may set and remove goals (administrators, managers).
    pub can_set_goals: bool,
    /// The comments of the wave shown.
    pub comments: Option<CommentsView>,
    /// The partnership's survey series, for the switcher (shown when there are several).
    pub series: Vec<SeriesTab>,
    /// The relationship plan, with the linked dimensions' figures up to the wave shown.
    pub plan: Vec<plan::PlanLine>,
}

/// One survey series in the dashboard's switcher.
pub struct SeriesTab {
    pub name: String,
    pub template: String,
    /// `?series=KEY`, empty for the main series.
    pub query: String,
    pub current: bool,
}

/// `?series=KEY` of the dashboard's pages: which survey series (default `main`).
#[derive(Deserialize)]
pub struct SeriesQuery {
    series: Option<String>,
}

/// The query string that keeps a page on series `key` (empty for the main series).
fn series_query(key: &str) -> String {
    if key == crate::domain::MAIN_SERIES {
        String::new()
    } else {
        format!("?series={key}")
    }
}

/// A flag that is open or acknowledged, as the dashboard lists it.
pub struct FlagLine {
    /// The severity and the state in words (the pages show them as text).
    pub severity: String,
    pub state: String,
    /// "wave 6", or "raised by hand".
    pub when: String,
    pub text: String,
    pub href: String,
}

/// The comments of one wave, per firm.
pub struct CommentsView {
    pub wave: i64,
    pub sides: Vec<CommentSide>,
}

pub struct CommentSide {
    pub firm: String,
    pub side: &'static str,
    pub withheld: Option<String>,
    /// (question wording, comments).
    pub questions: Vec<(String, Vec<String>)>,
}

/// Who may set goals: administrators and relationship managers (within what they see).
fn can_set_goals(user: &CurrentUser) -> bool {
    matches!(user.role(), Role::Admin | Role::Manager)
}

fn goal_names(entry: &cache::Entry) -> GoalNames {
    GoalNames {
        customer: entry.report.partnership.customer.clone(),
        supplier: entry.report.partnership.supplier.clone(),
        dimensions: entry.labels.dimensions.clone(),
    }
}

/// One firm's comments with the question wordings it was asked.
fn comment_side(entry: &cache::Entry, c: crate::reports::comments::SideComments) -> CommentSide {
    let p = &entry.report.partnership;
    let firm = match c.side {
        Side::Customer => p.customer.clone(),
        Side::Supplier => p.supplier.clone(),
    };
    let questions = c
        .by_question
        .into_iter()
        .map(|(q, bodies)| {
            let text = match (entry.labels.questions.get(&q), c.side) {
                (Some(w), Side::Customer) => w.0.clone(),
                (Some(w), Side::Supplier) => w.1.clone(),
                (None, _) => view::humanize(&q),
            };
            (text, bodies)
        })
        .collect();
    CommentSide {
        firm,
        side: c.side.as_str(),
        withheld: c.withheld,
        questions,
    }
}

/// Flags (open or acknowledged, fired up to `wave` for the review pack), goals and the
/// comments of `wave` (default the latest) of a partnership.
fn plug_ins(
    conn: &mut Conn,
    partnership: i64,
    v: Visibility,
    wave: Option<i64>,
    entry: &cache::Entry,
) -> Result<PlugIns, ServiceError> {
    let key = entry.report.series.clone();
    let flags = match v {
        Visibility::Only(_) => None,
        Visibility::Both => Some(
            crate::services::flags::unresolved(conn, partnership)?
                .into_iter()
                // the flags of the series shown (manual flags belong to the main one)
                .filter(|f| f.series == key)
                .filter(|f| wave.is_none_or(|w| f.wave.is_none_or(|fw| fw <= w)))
                .map(|f| FlagLine {
                    severity: f.severity.words(),
                    state: f.state.words(),
                    when: f.wave.map_or_else(
                        || en("flag-raised-by-hand"),
                        |w| en1("dash-flag-wave", "wave", w),
                    ),
                    text: if f.wave.is_none() {
                        format!("{} ({})", f.title, f.scope)
                    } else {
                        format!("{} ({})", f.rule_words, f.scope)
                    },
                    href: f.link,
                })
                .collect(),
        ),
    };
    // Goals target the main series' dimensions and KPIs: judged on its report only.
    let goals = if key == crate::domain::MAIN_SERIES {
        crate::services::goals::for_partnership(
            conn,
            partnership,
            &entry.report,
            &goal_names(entry),
            v,
            crate::db::now().date(),
            &|conn| entry.goal_context(|| GoalContext::load(conn, partnership)),
        )?
    } else {
        Vec::new()
    };
    let shown_wave = wave.or_else(|| entry.report.waves.last().map(|w| w.wave));
    let comments = match shown_wave {
        None => None,
        Some(seq) => entry
            .comments(seq, || {
                crate::services::reports::comments_for_wave(conn, partnership, seq, &view::sides(v))
            })?
            .map(|sides| CommentsView {
                wave: seq,
                sides: sides
                    .iter()
                    .cloned()
                    .map(|c| comment_side(entry, c))
                    .collect(),
            }),
    };
    let series = crate::services::dashboard::series_choices(conn, partnership)?
        .into_iter()
        .map(|(k, name, template)| SeriesTab {
            current: k == key,
            query: series_query(&k),
            name,
            template,
        })
        .collect();
    // The plan's linked dimensions are the main series' (like its goals).
    let plan = if key == crate::domain::MAIN_SERIES {
        plan::lines(
            conn,
            partnership,
            &entry.report,
            &entry.labels,
            &goals,
            v,
            wave,
        )?
    } else {
        Vec::new()
    };
    Ok(PlugIns {
        flags,
        goals,
        can_set_goals: false,
        comments,
        series,
        plan,
    })
}

/// What every dashboard page knows about who is looking.
struct Viewer {
    email: String,
    role: String,
    csrf: String,
    scope: String,
}

impl Viewer {
    fn of(user: &CurrentUser, v: Visibility) -> Viewer {
        Viewer {
            email: user.user.email.clone(),
            role: user.role().label(),
            csrf: user.csrf_token(),
            scope: v.label(),
        }
    }
}

struct Header {
    id: i64,
    name: String,
    customer: String,
    supplier: String,
    min: u64,
    /// The firms shown: (name, side).
    firms: Vec<(String, &'static str)>,
    /// `?series=KEY` that keeps links on the series shown; empty for the main series.
    sq: String,
    /// The key of the survey series shown.
    series: String,
}

impl Header {
    /// The header from the partnership alone, before any wave has closed.
    fn bare(p: &crate::services::partnerships::PartnershipView, v: Visibility) -> Header {
        Header {
            id: p.id,
            name: p.name.clone(),
            customer: p.customer.name.clone(),
            supplier: p.supplier.name.clone(),
            min: u64::try_from(p.min_reporting_size).unwrap_or_default(),
            firms: view::sides(v)
                .into_iter()
                .map(|s| {
                    let name = match s {
                        Side::Customer => p.customer.name.clone(),
                        Side::Supplier => p.supplier.name.clone(),
                    };
                    (name, s.as_str())
                })
                .collect(),
            // The plan belongs to the partnership, whose goals follow the main series.
            sq: String::new(),
            series: crate::domain::MAIN_SERIES.to_owned(),
        }
    }

    fn of(r: &Report, v: Visibility) -> Header {
        Header {
            id: r.partnership.id,
            name: r.partnership.name.clone(),
            customer: r.partnership.customer.clone(),
            supplier: r.partnership.supplier.clone(),
            min: r.partnership.min_reporting_size,
            sq: series_query(&r.series),
            series: r.series.clone(),
            firms: view::sides(v)
                .into_iter()
                .map(|s| {
                    let name = match s {
                        Side::Customer => r.partnership.customer.clone(),
                        Side::Supplier => r.partnership.supplier.clone(),
                    };
                    (name, s.as_str())
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/dashboard.html")]
struct DashboardPage<'a> {
    viewer: Viewer,
    p: Header,
    d: &'a view::Dashboard,
    plug: PlugIns,
}

#[derive(Template)]
#[template(path = "pages/dashboard_item.html")]
struct ItemPageTemplate {
    viewer: Viewer,
    p: Header,
    i: view::ItemPage,
}

#[derive(Template)]
#[template(path = "pages/dashboard_review.html")]
struct ReviewPage {
    viewer: Viewer,
    p: Header,
    r: view::Review,
    plug: PlugIns,
}

/// The report as the viewer may see it, the template's names (both from the cache when the
/// report version still matches) and the plug-ins, loaded in one unit of work.
pub(crate) struct Loaded {
    pub(crate) entry: Arc<cache::Entry>,
    pub(crate) plug: PlugIns,
}

impl Loaded {
    fn report(&self) -> &Report {
        &self.entry.report
    }
}

/// [`load_series`] of the partnership's main series.
pub(crate) async fn load(
    state: &AppState,
    id: i64,
    v: Visibility,
    wave: Option<i64>,
) -> Result<Loaded, ApiError> {
    load_series(state, id, v, None, wave).await
}

/// The report of one survey series (`None`: the main one) as the viewer may see it, from the
/// cache when its version still matches; an unknown series is not found.
pub(crate) async fn load_series(
    state: &AppState,
    id: i64,
    v: Visibility,
    series: Option<String>,
    wave: Option<i64>,
) -> Result<Loaded, ApiError> {
    let cache = state.dashboards.clone();
    let metrics = state.metrics.clone();
    let key = series.unwrap_or_else(|| crate::domain::MAIN_SERIES.to_owned());
    state
        .db(move |conn, _| {
            // Read before the report: an entry is never newer data under an older version.
            let version = crate::services::dashboard::report_version(conn, id)?;
            let cached = cache.get_series(id, &key, v, version);
            metrics.cache_lookup("dashboard", cached.is_some());
            let entry = match cached {
                Some(entry) => entry,
                None => {
                    let options = ReportOptions {
                        series: Some(key.clone()),
                        ..ReportOptions::default()
                    };
                    let full = crate::services::reports::build(conn, id, &options)?;
                    let labels = labels(conn, id, &full)?;
                    let entry =
                        Arc::new(cache::Entry::new(version, view::restrict(&full, v), labels));
                    cache.put_series(id, &key, v, Arc::clone(&entry));
                    entry
                }
            };
            let plug = plug_ins(conn, id, v, wave, &entry)?;
            Ok(Loaded { entry, plug })
        })
        .await
}

/// Names of dimensions, items and answers from the template of the latest closed wave.
fn labels(conn: &mut Conn, partnership: i64, report: &Report) -> Result<Labels, ServiceError> {
    let Some(t) =
        crate::services::dashboard::latest_closed_template_of(conn, partnership, &report.series)?
    else {
        return Ok(Labels::default());
    };
    let (customer, supplier) = (&report.partnership.customer, &report.partnership.supplier);
    let scale = t.scale().labels();
    Ok(Labels {
        dimensions: t
            .dimensions()
            .iter()
            .map(|d| (d.id().to_owned(), d.name().to_owned()))
            .collect(),
        items: t
            .items()
            .iter()
            .map(|i| {
                (
                    i.id().to_owned(),
                    (
                        i.wording_for(TemplateSide::Customer, supplier),
                        i.wording_for(TemplateSide::Supplier, customer),
                    ),
                )
            })
            .collect(),
        answers: Some(
            scale
                .iter()
                .cloned()
                .chain([t.scale().dont_know().to_owned()])
                .collect(),
        ),
        questions: t
            .open_questions()
            .iter()
            .map(|q| {
                (
                    q.id().to_owned(),
                    (
                        q.wording_for(TemplateSide::Customer, supplier),
                        q.wording_for(TemplateSide::Supplier, customer),
                    ),
                )
            })
            .collect(),
        review_question: t.open_questions().first().map(|q| {
            q.wording()
                .text(TemplateSide::Customer)
                .replace("{partner}", supplier)
        }),
    })
}

/// Errors of these pages as HTML pages. A missing partnership and one out of scope read the
/// same; unexpected failures are logged by [`ApiError::error_response`] and shown as a short
/// apology.
fn page_error(e: ApiError) -> HttpResponse {
    let page = match &e {
        ApiError::NotFound(_) => message_page(
            StatusCode::NOT_FOUND,
            &en("page-not-found"),
            &en("dash-page-not-found-text"),
        ),
        ApiError::Conflict(m) => message_page(
            StatusCode::OK,
            &en("dash-page-no-results"),
            &en1("dash-page-no-results-text", "reason", m),
        ),
        ApiError::Forbidden(m) => message_page(StatusCode::FORBIDDEN, &en("page-not-allowed"), m),
        ApiError::Unavailable(_) => {
            e.error_response();
            message_page(
                StatusCode::SERVICE_UNAVAILABLE,
                &en("dash-page-busy"),
                &en("dash-page-busy-text"),
            )
        }
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

fn rendered(page: Result<impl Template, askama::Error>) -> Result<HttpResponse, ApiError> {
    let page =
        page.map_err(|e| ApiError::Internal(anyhow::anyhow!("chart rendering failed: {e}")))?;
    crate::web::render::html(StatusCode::OK, page)
}

fn chart_failed(e: String) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("chart rendering failed: {e}"))
}

fn not_found() -> ApiError {
    ApiError::NotFound("not found".into())
}

/// `GET /partnerships/{id}?series=KEY`: the dashboard of one survey series (default main).
pub async fn dashboard(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<SeriesQuery>,
) -> HttpResponse {
    let id = path.into_inner();
    let result = async {
        let v = visibility(&user, id)?;
        let l = load_series(&state, id, v, query.into_inner().series, None).await?;
        let d = l.entry.dashboard(v).map_err(chart_failed)?;
        rendered(Ok(DashboardPage {
            viewer: Viewer::of(&user, v),
            p: Header::of(l.report(), v),
            d,
            plug: PlugIns {
                can_set_goals: can_set_goals(&user),
                ..l.plug
            },
        }))
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `GET /partnerships/{id}/items/{item}?series=KEY`: one question's answer distributions.
pub async fn item(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    query: web::Query<SeriesQuery>,
) -> HttpResponse {
    let (id, item) = path.into_inner();
    let result = async {
        let v = visibility(&user, id)?;
        let l = load_series(&state, id, v, query.into_inner().series, None).await?;
        let page = view::item_page(l.report(), &l.entry.labels, v, &item)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("chart rendering failed: {e}")))?
            .ok_or_else(not_found)?;
        rendered(Ok(ItemPageTemplate {
            viewer: Viewer::of(&user, v),
            p: Header::of(l.report(), v),
            i: page,
        }))
    }
    .await;
    result.unwrap_or_else(page_error)
}

#[derive(Deserialize)]
pub struct ReviewQuery {
    wave: Option<i64>,
    series: Option<String>,
}

/// `GET /partnerships/{id}/review?wave=N`: the printable pack for the quarterly review.
pub async fn review(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<ReviewQuery>,
) -> HttpResponse {
    let id = path.into_inner();
    let result = async {
        let v = visibility(&user, id)?;
        let l = load_series(&state, id, v, query.series.clone(), query.wave).await?;
        let wave = query
            .wave
            .or_else(|| l.report().waves.last().map(|w| w.wave))
            .ok_or_else(not_found)?;
        let r = view::review(l.report(), &l.entry.labels, v, wave)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("chart rendering failed: {e}")))?
            .ok_or_else(not_found)?;
        rendered(Ok(ReviewPage {
            viewer: Viewer::of(&user, v),
            p: Header::of(l.report(), v),
            r,
            plug: PlugIns {
                can_set_goals: can_set_goals(&user),
                ..l.plug
            },
        }))
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `GET /partnerships/{id}/export.csv`: every aggregate of the dashboard, one statistic per
/// row (the report's CSV), restricted like the page. Recorded in the audit log.
pub async fn export_csv(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<SeriesQuery>,
) -> HttpResponse {
    let id = path.into_inner();
    let series = query.into_inner().series;
    let result = async {
        let v = visibility(&user, id)?;
        let email = user.user.email.clone();
        let body = state
            .db(move |conn, _| {
                let options = ReportOptions {
                    series,
                    ..ReportOptions::default()
                };
                let full = crate::services::reports::build(conn, id, &options)?;
                let mut out = Vec::new();
                crate::reports::csv::write(&view::restrict(&full, v), &mut out)?;
                crate::services::sessions::record(
                    conn,
                    &email,
                    "export.csv",
                    &format!("partnership {id}"),
                    &v.label(),
                )?;
                Ok(out)
            })
            .await?;
        Ok::<_, ApiError>(
            HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"tandem-partnership-{id}.csv\""),
                ))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header(("X-Content-Type-Options", "nosniff"))
                .body(body),
        )
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `GET /partnerships/{id}/charts/{name}.svg`: one chart of the dashboard or of an item
/// page (`item-<item id>`), as a standalone SVG file.
pub async fn chart_svg(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    query: web::Query<SeriesQuery>,
) -> HttpResponse {
    let (id, name) = path.into_inner();
    let result = async {
        let v = visibility(&user, id)?;
        let l = load_series(&state, id, v, query.into_inner().series, None).await?;
        let svg = match name.strip_prefix("item-") {
            Some(item_id) => view::item_page(l.report(), &l.entry.labels, v, item_id)
                .map_err(|e| chart_failed(e.to_string()))?
                .map(|p| p.chart.svg),
            None => l
                .entry
                .dashboard(v)
                .map_err(chart_failed)?
                .charts()
                .find(|c| c.name == name)
                .map(|c| c.svg.clone()),
        }
        .ok_or_else(not_found)?;
        Ok::<_, ApiError>(
            HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"))
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!(
                        "inline; filename=\"tandem-{id}-{}.svg\"",
                        crate::charts::slug(&name)
                    ),
                ))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header(("X-Content-Type-Options", "nosniff"))
                .insert_header((
                    "Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'",
                ))
                .body(svg),
        )
    }
    .await;
    result.unwrap_or_else(page_error)
}
