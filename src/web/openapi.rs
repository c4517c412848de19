//! The OpenAPI document of the JSON API, generated from the handlers' annotations so it
//! cannot drift from the code (a test also walks every documented route).

use actix_web::HttpResponse;
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
        api::partnerships::edit,
        api::partnerships::pause,
        api::partnerships::resume,
        api::partnerships::archive,
        api::partnerships::unarchive,
        api::partnerships::import_roster,
        api::partnerships::import_history,
        api::waves::open,
        api::waves::close,
        api::waves::status,
        api::attributes::list,
        api::attributes::add,
        api::series::list,
        api::series::add,
        api::series::edit,
        api::series::pause,
        api::series::resume,
        api::bounces::people,
        api::bounces::ingest,
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
        api::plan::list,
        api::plan::create,
        api::plan::update,
        api::plan::add_milestone,
        api::plan::update_milestone,
        api::plan::mark_milestone,
        api::accounts::list,
        api::accounts::show,
        api::accounts::disable,
        api::accounts::enable,
        api::accounts::change_access,
        api::accounts::password_reset,
        api::accounts::audit,
        super::respond::submit_json,
    ),
    modifiers(&Credentials, &BodyErrors)
)]
pub struct ApiDoc;

/// The two bearer credentials (`web::api::auth`). A signed-in session (cookie, with
/// `X-CSRF-Token` on changes) works too but is for the pages' own scripts, not integrations.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The admin token (TANDEM_ADMIN_TOKEN, or <data dir>/admin-token): \
                         everything, every partnership. The audit log names it `admin-token`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "personal_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token (`tandem_pat_…`), made by a signed-in user on \
                         /account/tokens or with `tandem user token create`. It acts as that \
                         user: their role and partnerships (one side only for a one-side \
                         manager). A partnership or flag outside their scope answers 404, a \
                         route their role may not use 403 (admin-only routes to everyone but \
                         administrators); an expired or revoked token, or one of a disabled \
                         user, 401. No CSRF header is needed. The audit log names the user.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every operation that reads a body can answer 400 (the body cannot be read, is not valid
/// JSON, or is over the limit: `api::json_error`), 415 (it is not the declared media type)
/// and 422 (a field is refused), and every operation with query parameters 400 (the query
/// string cannot be read): documented once here for all of them, so a new handler cannot
/// forget.
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
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{AdditionalProperties, Schema};
        // Derived bodies say `deny_unknown_fields` themselves; this one deserializes by hand.
        if let Some(RefOr::T(Schema::Object(body))) = openapi
            .components
            .as_mut()
            .and_then(|c| c.schemas.get_mut("SubmissionBody"))
        {
            body.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
        }
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let queried = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Query));
                if queried {
                    op.responses
                        .responses
                        .entry("400".into())
                        .or_insert_with(|| error("the query string cannot be read"));
                    op.responses.responses.entry("422".into()).or_insert_with(|| {
                        error("a query parameter is refused (a NUL character): `fields` says which")
                    });
                }
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
                responses.entry("422".into()).or_insert_with(|| {
                    error("the body is well-formed but refused: `fields` names each field and why")
                });
            }
        }
    }
}

/// The OpenAPI 3.1 document.
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
