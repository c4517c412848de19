//! Liveness and readiness for load balancers and orchestrators.

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "the process answers", body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        database: None,
        reason: None,
    })
}

/// The database is reachable and every migration is applied.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "ready to serve", body = Health),
        (status = 503, description = "database unreachable or schema behind", body = Health)))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    let outcome = web::block(move || -> Result<bool, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        crate::services::dashboard::migrations_current(&mut conn).map_err(|e| e.to_string())
    })
    .await;
    let backend = state.settings.database_url.backend_name();
    match outcome {
        Ok(Ok(true)) => HttpResponse::Ok().json(Health {
            status: "ready",
            database: Some(backend),
            reason: None,
        }),
        Ok(Ok(false)) => HttpResponse::ServiceUnavailable().json(Health {
            status: "not ready",
            database: Some(backend),
            reason: Some("database migrations are pending: run `tandem migrate`".into()),
        }),
        Ok(Err(e)) => HttpResponse::ServiceUnavailable().json(Health {
            status: "not ready",
            database: Some(backend),
            reason: Some(format!("database unreachable: {e}")),
        }),
        Err(e) => HttpResponse::ServiceUnavailable().json(Health {
            status: "not ready",
            database: Some(backend),
            reason: Some(format!("readiness check failed: {e}")),
        }),
    }
}
