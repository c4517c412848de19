//! `/portfolio`: every partnership the signed-in person may see, side by side, most at risk
//! first (sortable), with `/portfolio.csv` and `/portfolio.json` for the same rows, and
//! `GET /api/portfolio` for the admin token. Figures come from each partnership's report as
//! the viewer may see it (`services::overview`), kept per report version in an
//! [`OverviewCache`]; open flags are read fresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::api::auth::Caller;
use super::error::ApiError;
use super::extract::CurrentUser;
use super::inbox::page_error;
use super::render::html;
use super::AppState;
use crate::auth::{Access, Role, Visibility};
use crate::db::Conn;
use crate::error::ServiceError;
use crate::i18n::{en, en2};
use crate::services::overview::{self, PortfolioRow, Summary};

/// Entries kept before the cache starts over (a summary is a few hundred bytes).
const CAPACITY: usize = 8192;
/// Rendered tables kept before that cache starts over.
const TABLES: usize = 256;

/// What one partnership's summary looks like on the page, made once per report version.
pub struct Prepared {
    version: i64,
    summary: Option<Arc<Summary>>,
    fixed: Arc<Fixed>,
}

/// (report version, prepared summary) per (partnership, visibility).
type Entries = HashMap<(i64, Visibility), (i64, Arc<Prepared>)>;

/// Summaries per (partnership, visibility), each with the report version it was made at;
/// and the rendered table per content (most requests of a portfolio see the same rows, and
/// rendering 200 rows is most of a request's work).
#[derive(Default)]
pub struct OverviewCache {
    entries: Mutex<Entries>,
    tables: Mutex<HashMap<u64, Arc<String>>>,
}

impl OverviewCache {
    fn get(&self, id: i64, v: Visibility, version: i64) -> Option<Arc<Prepared>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(&(id, v)) {
            Some((at, p)) if *at == version => Some(Arc::clone(p)),
            _ => None,
        }
    }

    /// The table rendered for `key`, or `render`'s, kept.
    fn table(
        &self,
        key: u64,
        render: impl FnOnce() -> Result<String, askama::Error>,
    ) -> Result<Arc<String>, askama::Error> {
        if let Some(t) = self
            .tables
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(Arc::clone(t));
        }
        let t = Arc::new(render()?);
        let mut tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        if tables.len() >= TABLES {
            tables.clear();
        }
        tables.insert(key, Arc::clone(&t));
        Ok(t)
    }

    fn put(&self, id: i64, v: Visibility, version: i64, p: Arc<Prepared>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert((id, v), (version, p));
    }
}

/// The overview's rows for `access` (summaries from the cache where current), with each
/// partnership's prepared figures by id.
type Loaded = (Vec<PortfolioRow>, HashMap<i64, Arc<Prepared>>);

fn load_rows(
    conn: &mut Conn,
    cache: &OverviewCache,
    access: &Access,
    metrics: &crate::metrics::Metrics,
) -> Result<Loaded, ServiceError> {
    let candidates = overview::candidates(conn, access)?;
    let mut prepared = HashMap::with_capacity(candidates.len());
    for c in &candidates {
        let cached = cache.get(c.id, c.visibility, c.version);
        metrics.cache_lookup("overview", cached.is_some());
        let p = match cached {
            Some(p) => p,
            None => {
                let summary = overview::summary(conn, c.id, c.visibility)?.map(Arc::new);
                let p = Arc::new(Prepared {
                    version: c.version,
                    fixed: Arc::new(fixed(summary.as_deref())),
                    summary,
                });
                cache.put(c.id, c.visibility, c.version, Arc::clone(&p));
                p
            }
        };
        prepared.insert(c.id, p);
    }
    let ids: Vec<i64> = candidates.iter().map(|c| c.id).collect();
    let flags = overview::open_flags(conn, &ids)?;
    let summaries = prepared
        .iter()
        .map(|(id, p)| (*id, p.summary.clone()))
        .collect();
    Ok((overview::rows(&candidates, &summaries, &flags), prepared))
}

async fn rows_for(state: &AppState, access: Access) -> Result<Loaded, ApiError> {
    let cache = Arc::clone(&state.overview);
    let metrics = state.metrics.clone();
    state
        .db(move |conn, _| load_rows(conn, &cache, &access, &metrics))
        .await
}

#[derive(Deserialize)]
pub struct SortQuery {
    sort: Option<String>,
}

/// The columns the page sorts by, with their heading's message; risk (most at risk first) by
/// default.
const SORTS: [(&str, &str); 7] = [
    ("risk", "overview-sort-risk"),
    ("name", "overview-sort-name"),
    ("health", "overview-sort-health"),
    ("gap", "overview-sort-gap"),
    ("agreement", "overview-sort-agreement"),
    ("response", "overview-sort-response"),
    ("flags", "overview-sort-flags"),
];

/// Sorts `rows` (already most at risk first) by `key`: the worst first in every column.
fn sort_rows(rows: &mut [PortfolioRow], key: &str) {
    let num = |v: Option<f64>, worst_high: bool| match v {
        Some(v) if worst_high => -v,
        Some(v) => v,
        None => f64::MAX,
    };
    match key {
        "name" => rows.sort_by_key(|r| r.name.to_lowercase()),
        "health" => rows.sort_by(|a, b| {
            let h = |r: &PortfolioRow| num(r.summary.as_ref().and_then(|s| s.health), false);
            h(a).total_cmp(&h(b))
        }),
        "gap" => rows.sort_by(|a, b| {
            let g = |r: &PortfolioRow| {
                num(
                    r.summary
                        .as_ref()
                        .and_then(|s| s.biggest_gap.as_ref())
                        .map(|g| g.gap.abs()),
                    true,
                )
            };
            g(a).total_cmp(&g(b))
        }),
        "agreement" => rows.sort_by(|a, b| {
            let g = |r: &PortfolioRow| {
                num(
                    r.summary
                        .as_ref()
                        .and_then(|s| s.lowest_agreement.as_ref())
                        .map(|a| a.rwg_j),
                    false,
                )
            };
            g(a).total_cmp(&g(b))
        }),
        "response" => rows.sort_by(|a, b| {
            let g = |r: &PortfolioRow| {
                num(
                    r.summary.as_ref().and_then(|s| {
                        [s.response_customer, s.response_supplier]
                            .into_iter()
                            .flatten()
                            .min_by(f64::total_cmp)
                    }),
                    false,
                )
            };
            g(a).total_cmp(&g(b))
        }),
        "flags" => rows.sort_by(|a, b| {
            let f =
                |r: &PortfolioRow| (r.open_flags.high, r.open_flags.medium, r.open_flags.total());
            f(b).cmp(&f(a))
        }),
        _ => {}
    }
}

/// The parts of a row that depend on the report only: formatted once per report version.
pub struct Fixed {
    health: String,
    trend: String,
    /// SVG polyline points of the health series in a 80 × 20 box ("" without two points).
    spark: String,
    spark_label: String,
    gap: String,
    gap_significant: bool,
    agreement: String,
    response: String,
    last_wave: String,
}

struct RowView {
    id: i64,
    name: String,
    firms: String,
    sees: String,
    fixed: Arc<Fixed>,
    flags: String,
    open_flags: u64,
    high_flags: u64,
    complacent: bool,
    reasons: String,
}

fn one(v: f64) -> String {
    format!("{v:.0}")
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{:.0} %", v * 100.0))
}

fn spark(series: &[f64]) -> String {
    if series.len() < 2 {
        return String::new();
    }
    let step = 78.0 / (series.len() - 1) as f64;
    series
        .iter()
        .enumerate()
        .map(|(i, h)| {
            format!(
                "{:.1},{:.1}",
                1.0 + i as f64 * step,
                19.0 - h.clamp(0.0, 100.0) * 0.18
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn fixed(s: Option<&Summary>) -> Fixed {
    let health = s.and_then(|s| s.health);
    let change = s.and_then(|s| Some(s.health? - s.health_previous?));
    Fixed {
        health: health.map_or_else(|| "–".into(), one),
        trend: match change {
            Some(c) if c >= 0.5 => format!("▲ {c:.0}"),
            Some(c) if c <= -0.5 => format!("▼ {:.0}", -c),
            Some(_) => en("overview-trend-flat"),
            None => String::new(),
        },
        spark: s.map_or_else(String::new, |s| spark(&s.health_series)),
        spark_label: s.map_or_else(String::new, |s| {
            s.health_series
                .iter()
                .map(|h| one(*h))
                .collect::<Vec<_>>()
                .join(", ")
        }),
        gap: s
            .and_then(|s| s.biggest_gap.as_ref())
            .map_or_else(|| "–".into(), |g| format!("{} {:+.2}", g.dimension, g.gap)),
        gap_significant: s
            .and_then(|s| s.biggest_gap.as_ref())
            .is_some_and(|g| g.significant),
        agreement: s.and_then(|s| s.lowest_agreement.as_ref()).map_or_else(
            || "–".into(),
            |a| format!("{} {}: {:.2} ({})", a.side, a.dimension, a.rwg_j, a.words),
        ),
        response: match s {
            Some(s) => format!(
                "{} / {}",
                percent(s.response_customer),
                percent(s.response_supplier)
            ),
            None => "–".into(),
        },
        last_wave: s
            .and_then(|s| {
                let w = s.last_wave?;
                Some(match s.last_closed_at {
                    Some(at) => format!("{w} · {}", at.format("%Y-%m-%d")),
                    None => w.to_string(),
                })
            })
            .unwrap_or_else(|| en("overview-no-closed-wave")),
    }
}

fn row_view(r: &PortfolioRow, prepared: &HashMap<i64, Arc<Prepared>>) -> RowView {
    RowView {
        id: r.id,
        name: r.name.clone(),
        firms: en2(
            "overview-firms",
            "customer",
            &r.customer,
            "supplier",
            &r.supplier,
        ),
        sees: r.sees.clone(),
        fixed: prepared
            .get(&r.id)
            .map_or_else(|| Arc::new(fixed(None)), |p| Arc::clone(&p.fixed)),
        flags: if r.open_flags.total() == 0 {
            en("overview-flags-none")
        } else {
            crate::i18n::en_with(
                "overview-flags",
                &[
                    ("count", &r.open_flags.total()),
                    ("high", &r.open_flags.high),
                    ("medium", &r.open_flags.medium),
                    ("low", &r.open_flags.low),
                ],
            )
        },
        open_flags: r.open_flags.total(),
        high_flags: r.open_flags.high,
        complacent: r.complacent,
        reasons: r.reasons.join("; "),
    }
}

struct Viewer {
    email: String,
    role: String,
    csrf: String,
    handles_flags: bool,
}

#[derive(Template)]
#[template(path = "pages/overview.html")]
struct OverviewPage {
    viewer: Viewer,
    /// Rendered (and escaped) by [`OverviewTable`].
    table: Arc<String>,
}

#[derive(Template)]
#[template(path = "pages/overview_table.html")]
struct OverviewTable {
    handles_flags: bool,
    sort_label: String,
    sorts: Vec<SortLink>,
    rows: Vec<RowView>,
}

/// Everything the table shows depends on: the order, the viewer's kind, and per row the
/// partnership's names, what the viewer sees of it, its report version and its open flags.
fn table_key(
    sort: &str,
    handles_flags: bool,
    rows: &[PortfolioRow],
    prepared: &HashMap<i64, Arc<Prepared>>,
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (sort, handles_flags, rows.len()).hash(&mut h);
    for r in rows {
        (r.id, &r.name, &r.customer, &r.supplier, &r.sees).hash(&mut h);
        let f = r.open_flags;
        (f.high, f.medium, f.low).hash(&mut h);
        prepared.get(&r.id).map(|p| p.version).hash(&mut h);
    }
    h.finish()
}

struct SortLink {
    key: &'static str,
    label: String,
    current: bool,
}

/// `GET /portfolio`
pub async fn page(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: web::Query<SortQuery>,
) -> HttpResponse {
    let sort = query
        .sort
        .as_deref()
        .filter(|s| SORTS.iter().any(|(k, _)| k == s))
        .unwrap_or("risk")
        .to_owned();
    let result = async {
        let (mut rows, prepared) = rows_for(&state, user.access.clone()).await?;
        sort_rows(&mut rows, &sort);
        let handles_flags = matches!(user.role(), Role::Admin | Role::Ombudsman);
        let key = table_key(&sort, handles_flags, &rows, &prepared);
        let table = state
            .overview
            .table(key, || {
                OverviewTable {
                    handles_flags,
                    sort_label: en(SORTS
                        .iter()
                        .find(|(k, _)| *k == sort)
                        .map_or("overview-sort-risk", |(_, id)| id)),
                    sorts: SORTS
                        .iter()
                        .map(|&(key, id)| SortLink {
                            key,
                            label: en(id),
                            current: key == sort,
                        })
                        .collect(),
                    rows: rows.iter().map(|r| row_view(r, &prepared)).collect(),
                }
                .render()
            })
            .map_err(|e| ApiError::Internal(e.into()))?;
        html(
            StatusCode::OK,
            OverviewPage {
                viewer: Viewer {
                    email: user.user.email.clone(),
                    role: crate::i18n::en(user.role().label_key()),
                    csrf: user.csrf_token(),
                    handles_flags,
                },
                table,
            },
        )
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `GET /portfolio.json`: the rows as the page shows them (most at risk first).
pub async fn json(user: CurrentUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (rows, _) = rows_for(&state, user.access.clone()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(rows))
}

/// `GET /portfolio.csv`: one line per partnership, the same columns as the page.
pub async fn csv(user: CurrentUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (rows, _) = rows_for(&state, user.access.clone()).await?;
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let text = |s: &str| crate::reports::csv::neutralise(s).into_owned();
    let num = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
    w.write_record([
        "id",
        "partnership",
        "customer",
        "supplier",
        "sees",
        "last_wave",
        "health",
        "health_previous",
        "biggest_gap_dimension",
        "biggest_gap",
        "biggest_gap_significant",
        "lowest_agreement_side",
        "lowest_agreement_dimension",
        "lowest_rwg_j",
        "response_customer",
        "response_supplier",
        "open_flags_high",
        "open_flags_medium",
        "open_flags_low",
        "complacent",
        "risk",
        "reasons",
    ])
    .map_err(|e| ApiError::Internal(e.into()))?;
    for r in &rows {
        let s = r.summary.as_deref();
        let gap = s.and_then(|s| s.biggest_gap.as_ref());
        let agreement = s.and_then(|s| s.lowest_agreement.as_ref());
        w.write_record([
            r.id.to_string(),
            text(&r.name),
            text(&r.customer),
            text(&r.supplier),
            text(&r.sees),
            s.and_then(|s| s.last_wave)
                .map(|w| w.to_string())
                .unwrap_or_default(),
            num(s.and_then(|s| s.health)),
            num(s.and_then(|s| s.health_previous)),
            gap.map(|g| text(&g.dimension)).unwrap_or_default(),
            num(gap.map(|g| g.gap)),
            gap.map(|g| g.significant.to_string()).unwrap_or_default(),
            agreement.map(|a| a.side.to_string()).unwrap_or_default(),
            agreement.map(|a| text(&a.dimension)).unwrap_or_default(),
            num(agreement.map(|a| a.rwg_j)),
            num(s.and_then(|s| s.response_customer)),
            num(s.and_then(|s| s.response_supplier)),
            r.open_flags.high.to_string(),
            r.open_flags.medium.to_string(),
            r.open_flags.low.to_string(),
            r.complacent.to_string(),
            format!("{}", r.risk),
            text(&r.reasons.join("; ")),
        ])
        .map_err(|e| ApiError::Internal(e.into()))?;
    }
    let body = w
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"tandem-portfolio.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// Every partnership side by side, most at risk first: health index and its trend, the
/// biggest between-firm gap, the lowest agreement, response rates, open flags, the last
/// wave, a complacency marker and the risk points with their reasons. Only the partnerships
/// in the caller's scope, each as the caller sees it (one side for a one-side manager), as on
/// the page `/portfolio`.
#[utoipa::path(get, path = "/api/portfolio", tag = "reports",
    security(("admin_token" = []), ("personal_token" = [])),
    responses(
        (status = 200, body = Vec<PortfolioRow>),
        (status = 401, body = super::error::ErrorBody)))]
pub async fn api(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (rows, _) = rows_for(&state, caller.access).await?;
    Ok(HttpResponse::Ok().json(rows))
}
