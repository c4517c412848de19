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
        super::overview::api,
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
        api::flags::raise,
        api::flags::add_action,
        api::flags::action_done,
        api::flags::action_undone,
        api::goals::list,
        api::goals::create,
        api::goals::remove,
        super::respond::submit_json,
    ),
    modifiers(&AdminToken, &BodyErrors)
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

/// Every operation that reads a body can answer 400 (the body cannot be read, is not valid
/// JSON, or is over the limit: `api::json_error`) and 415 (it is not the declared media
/// type): documented once here for all of them, so a new handler cannot forget.
struct BodyErrors;

impl Modify for BodyErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.post, &mut item.put].into_iter().flatten() {
                if op.request_body.is_none() {
                    continue;
                }
                let responses = &mut op.responses.responses;
                responses.entry("400".into()).or_insert_with(|| {
                    error("the body cannot be read, is not valid, or is over the size limit")
                });
                responses.entry("415".into()).or_insert_with(|| {
                    error("the body is not in the media type the operation takes")
                });
            }
        }
    }
}

/// The OpenAPI 3.1 document.
#[get("/api/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
