//! The OpenAPI document of the JSON API, generated from the handlers' annotations so it
//! cannot drift from the code (a test also walks every documented route).

use actix_web::{get, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{api, health};

#[derive(OpenApi)]
#[openapi(
    info(title = "Tandem API", description = "Perception surveys across a customer–supplier partnership."),
    paths(
        health::healthz,
        health::readyz,
        api::partnerships::create,
        api::partnerships::list,
        api::partnerships::show,
        api::partnerships::import_roster,
        api::partnerships::import_history,
        api::waves::open,
        api::waves::close,
        api::waves::status,
        api::templates::list,
        api::reports::report,
        api::reports::import_kpis,
        api::reports::portfolio_lead_lag,
        api::flags::inbox,
        api::flags::show,
        api::flags::acknowledge,
        api::flags::resolve,
        api::flags::reopen,
        api::flags::annotate,
        api::flags::assign,
        api::flags::for_partnership,
        api::flags::run,
        api::flags::rule_config,
        api::flags::set_rule_config,
        api::goals::list,
        api::goals::create,
        api::goals::remove,
        super::respond::submit_json,
    ),
    modifiers(&AdminToken)
)]
pub struct ApiDoc;

struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI 3.1 document.
#[get("/api/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
