//! `/api/templates`: the survey templates this instance has loaded.

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::auth::Admin;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TemplateSummary {
    pub id: String,
    pub title: String,
    /// SHA-256 of the file: the template's version.
    pub version: String,
    pub scale: String,
    /// Items asked unless a partnership opts in to an optional dimension.
    pub items: usize,
    pub dimensions: Vec<String>,
    pub open_questions: usize,
    /// Dimensions asked only where a partnership opts in (`optional_dimensions` of
    /// `PATCH /api/partnerships/{id}`), with their items.
    pub optional_dimensions: Vec<OptionalDimension>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OptionalDimension {
    pub id: String,
    pub name: String,
    pub items: Vec<String>,
}

/// Every loaded survey template (shipped and the organisation's own).
#[utoipa::path(get, path = "/api/templates", tag = "templates",
    security(("admin_token" = []), ("personal_token" = [])),
    responses((status = 200, body = Vec<TemplateSummary>), (status = 401, body = ErrorBody),
        (status = 403, description = "not an administrator (the route is admin-only)", body = ErrorBody)))]
pub async fn list(_: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let out: Vec<TemplateSummary> = state
        .catalog
        .iter()
        .map(|t| TemplateSummary {
            id: t.id().to_owned(),
            title: t.title().to_owned(),
            version: t.version().to_owned(),
            scale: t.scale().kind().as_str().to_owned(),
            items: t.items().len(),
            dimensions: t.dimensions().iter().map(|d| d.id().to_owned()).collect(),
            open_questions: t.open_questions().len(),
            optional_dimensions: t
                .optional_dimensions()
                .iter()
                .map(|d| OptionalDimension {
                    id: d.id().to_owned(),
                    name: d.name().to_owned(),
                    items: t
                        .declared_items(d.id())
                        .iter()
                        .map(|i| i.id().to_owned())
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}
