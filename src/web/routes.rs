//! The route table: every method and path the service answers, in the order actix tries
//! them. [`super::routes`] registers exactly these entries and nothing else, and tests read
//! [`table`] to ask every route (the access matrix, the OpenAPI check), so a route cannot be
//! served without being in the table, nor listed without being served. Never register a
//! handler anywhere else.

use actix_web::{guard, http::Method, web};

use super::{
    account, admin, api, auth_pages, dashboard, health, inbox, observe, openapi, overview,
    portfolio, respond, roster,
};

/// An HTTP method a route answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
        }
    }

    pub fn method(self) -> Method {
        match self {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Put => Method::PUT,
            Verb::Patch => Method::PATCH,
            Verb::Delete => Method::DELETE,
        }
    }
}

/// Where a route belongs: who it is for, which decides how a refusal looks (a page, a
/// redirect to sign in, or JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Health, readiness and the OpenAPI document: anyone.
    Public,
    /// `/s/{token}…`: a respondent's personal link.
    Respondent,
    /// `/api/…`: JSON for scripts and integrations.
    Api,
    /// Pages and their downloads, for signed-in people.
    Pages,
}

/// One route: its method and its full path pattern (actix syntax, `{id}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    pub verb: Verb,
    pub path: &'static str,
    pub audience: Audience,
    /// The handler's name, for messages.
    pub handler: &'static str,
}

/// Declares one group of routes under a prefix: a constant listing them (with the prefix)
/// and a function registering them (relative to the scope the caller mounts it in).
macro_rules! group {
    ($(#[$doc:meta])* $register:ident, $list:ident, $audience:ident, $prefix:literal, [
        $( $verb:ident $path:literal => $($handler:ident)::+ ),* $(,)?
    ]) => {
        $(#[$doc])*
        pub const $list: &[Route] = &[$(Route {
            verb: Verb::$verb,
            path: concat!($prefix, $path),
            audience: Audience::$audience,
            handler: stringify!($($handler)::+),
        }),*];

        pub(super) fn $register(cfg: &mut web::ServiceConfig) {
            $(cfg.service(
                web::resource($path)
                    .guard(guard::Method(Verb::$verb.method()))
                    .to($($handler)::+),
            );)*
        }
    };
}

/// The prefix of the respondents' pages.
pub const RESPOND_PREFIX: &str = "/s";
/// The prefix of the JSON API.
pub const API_PREFIX: &str = "/api";

group!(
    /// Health, readiness and the OpenAPI document.
    public, PUBLIC, Public, "", [
    Get "/healthz" => health::healthz,
    Get "/readyz" => health::readyz,
    Get "/metrics" => observe::metrics,
    Get "/api/openapi.json" => openapi::openapi_json,
]);

group!(
    /// The respondents' pages, under [`RESPOND_PREFIX`].
    respondent, RESPONDENT, Respondent, "/s", [
    Get "/{token}" => respond::form,
    Post "/{token}" => respond::submit_form,
    Get "/{token}/thanks" => respond::thanks,
    Get "/{token}/opt-out" => respond::opt_out_page,
    Post "/{token}/opt-out" => respond::opt_out,
]);

group!(
    /// The JSON API, under [`API_PREFIX`].
    api, API, Api, "/api", [
    Post "/partnerships" => api::partnerships::create,
    Get "/partnerships" => api::partnerships::list,
    Get "/partnerships/{id}" => api::partnerships::show,
    Patch "/partnerships/{id}" => api::partnerships::edit,
    Post "/partnerships/{id}/pause" => api::partnerships::pause,
    Post "/partnerships/{id}/resume" => api::partnerships::resume,
    Post "/partnerships/{id}/archive" => api::partnerships::archive,
    Post "/partnerships/{id}/unarchive" => api::partnerships::unarchive,
    Post "/partnerships/{id}/roster" => api::partnerships::import_roster,
    Post "/partnerships/{id}/history" => api::partnerships::import_history,
    Post "/partnerships/{id}/waves" => api::waves::open,
    Post "/partnerships/{id}/waves/close" => api::waves::close,
    Get "/partnerships/{id}/waves" => api::waves::status,
    Get "/partnerships/{id}/attributes" => api::attributes::list,
    Post "/partnerships/{id}/attributes" => api::attributes::add,
    Get "/partnerships/{id}/series" => api::series::list,
    Post "/partnerships/{id}/series" => api::series::add,
    Patch "/partnerships/{id}/series/{key}" => api::series::edit,
    Post "/partnerships/{id}/series/{key}/pause" => api::series::pause,
    Post "/partnerships/{id}/series/{key}/resume" => api::series::resume,
    Get "/partnerships/{id}/people" => api::bounces::people,
    Post "/bounces" => api::bounces::ingest,
    Get "/templates" => api::templates::list,
    Get "/partnerships/{id}/report" => api::reports::report,
    Post "/partnerships/{id}/kpis" => api::reports::import_kpis,
    Get "/portfolio/lead-lag" => api::reports::portfolio_lead_lag,
    Get "/portfolio" => overview::api,
    Get "/flags" => api::flags::inbox,
    Get "/flags/{id}" => api::flags::show,
    Post "/flags/{id}/acknowledge" => api::flags::acknowledge,
    Post "/flags/{id}/resolve" => api::flags::resolve,
    Post "/flags/{id}/reopen" => api::flags::reopen,
    Post "/flags/{id}/notes" => api::flags::annotate,
    Post "/flags/{id}/assign" => api::flags::assign,
    Get "/partnerships/{id}/flags" => api::flags::for_partnership,
    Post "/partnerships/{id}/flags/run" => api::flags::run,
    Get "/partnerships/{id}/flags/config" => api::flags::rule_config,
    Put "/partnerships/{id}/flags/config" => api::flags::set_rule_config,
    Post "/partnerships/{id}/flags" => api::flags::raise,
    Post "/flags/{id}/actions" => api::flags::add_action,
    Post "/flags/{id}/actions/{action}/done" => api::flags::action_done,
    Post "/flags/{id}/actions/{action}/undone" => api::flags::action_undone,
    Get "/partnerships/{id}/goals" => api::goals::list,
    Post "/partnerships/{id}/goals" => api::goals::create,
    Delete "/partnerships/{id}/goals/{goal}" => api::goals::remove,
    Get "/partnerships/{id}/plan" => api::plan::list,
    Post "/partnerships/{id}/plan" => api::plan::create,
    Put "/partnerships/{id}/plan/{objective}" => api::plan::update,
    Post "/partnerships/{id}/plan/{objective}/milestones" => api::plan::add_milestone,
    Put "/partnerships/{id}/plan/milestones/{milestone}" => api::plan::update_milestone,
    Post "/partnerships/{id}/plan/milestones/{milestone}/done" => api::plan::mark_milestone,
    Get "/users" => api::accounts::list,
    Get "/users/{id}" => api::accounts::show,
    Post "/users/{id}/disable" => api::accounts::disable,
    Post "/users/{id}/enable" => api::accounts::enable,
    Put "/users/{id}/access" => api::accounts::change_access,
    Post "/users/{id}/password-reset" => api::accounts::password_reset,
    Get "/audit" => api::accounts::audit,
    Post "/responses/{token}" => respond::submit_json,
]);

group!(
    /// The pages of signed-in people (and the sign-in pages themselves).
    pages, PAGES, Pages, "", [
    Get "/" => auth_pages::home,
    Get "/login" => auth_pages::login_form,
    Post "/login" => auth_pages::login,
    Post "/logout" => auth_pages::logout,
    Get "/set-password/{token}" => auth_pages::set_password_form,
    Post "/set-password/{token}" => auth_pages::set_password,
    Get "/account/tokens" => account::tokens_page,
    Post "/account/tokens" => account::create_token,
    Post "/account/tokens/{id}/revoke" => account::revoke_token,
    Get "/admin/users" => admin::users_page,
    Get "/admin/users/{id}" => admin::user_page,
    Post "/admin/users/{id}/disable" => admin::disable,
    Post "/admin/users/{id}/enable" => admin::enable,
    Post "/admin/users/{id}/access" => admin::change_access,
    Post "/admin/users/{id}/reset" => admin::reset,
    Get "/admin/audit" => admin::audit_page,
    Get "/admin/partnerships/{id}/roster" => roster::roster_page,
    Get "/partnerships/{id}" => dashboard::dashboard,
    Get "/partnerships/{id}/items/{item}" => dashboard::item,
    Get "/partnerships/{id}/export.csv" => dashboard::export_csv,
    Get "/partnerships/{id}/charts/{name}.svg" => dashboard::chart_svg,
    Get "/partnerships/{id}/review" => dashboard::review,
    Get "/partnerships/{id}/goals/new" => dashboard::goals::new_goal,
    Post "/partnerships/{id}/goals" => dashboard::goals::create_goal,
    Post "/partnerships/{id}/goals/{goal}/delete" => dashboard::goals::delete_goal,
    Get "/partnerships/{id}/plan" => dashboard::plan::page,
    Post "/partnerships/{id}/plan" => dashboard::plan::create,
    Post "/partnerships/{id}/plan/milestones/{milestone}" => dashboard::plan::update_milestone,
    Post "/partnerships/{id}/plan/milestones/{milestone}/done" => dashboard::plan::mark_milestone,
    Get "/partnerships/{id}/plan/{objective}" => dashboard::plan::objective,
    Post "/partnerships/{id}/plan/{objective}" => dashboard::plan::update,
    Post "/partnerships/{id}/plan/{objective}/milestones" => dashboard::plan::add_milestone,
    Get "/flags" => inbox::inbox,
    Get "/flags/new" => inbox::new_flag_page,
    Post "/flags/new" => inbox::raise,
    Get "/flags/{id}" => inbox::flag_page,
    Post "/flags/{id}/actions" => inbox::add_action,
    Post "/flags/{id}/actions/{action}/done" => inbox::action_done,
    Post "/flags/{id}/actions/{action}/undone" => inbox::action_undone,
    Post "/flags/{id}/acknowledge" => inbox::acknowledge,
    Post "/flags/{id}/resolve" => inbox::resolve,
    Post "/flags/{id}/reopen" => inbox::reopen,
    Post "/flags/{id}/notes" => inbox::annotate,
    Post "/flags/{id}/assign" => inbox::assign,
    Get "/portfolio/lead-lag" => portfolio::lead_lag,
    Get "/portfolio" => overview::page,
    Get "/portfolio.json" => overview::json,
    Get "/portfolio.csv" => overview::csv,
]);

/// Every route of the service, in registration order.
pub fn table() -> Vec<Route> {
    [PUBLIC, RESPONDENT, API, PAGES].concat()
}

/// The methods the table serves on `path` (empty when no route's pattern matches it): what a
/// 405 names in its `Allow` header when a path is served but not with the method asked.
pub fn allowed(path: &str) -> Vec<Verb> {
    use std::sync::OnceLock;
    static PATTERNS: OnceLock<Vec<(actix_web::dev::ResourceDef, Verb)>> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        table()
            .into_iter()
            .map(|r| (actix_web::dev::ResourceDef::new(r.path), r.verb))
            .collect()
    });
    let mut verbs: Vec<Verb> = patterns
        .iter()
        .filter(|(pattern, _)| pattern.is_match(path))
        .map(|(_, verb)| *verb)
        .collect();
    verbs.sort();
    verbs.dedup();
    verbs
}

/// A request no route took: 405 with `Allow` when the path is served with other methods,
/// else 404 — in the API as JSON (its documented error body), elsewhere as plain text.
pub(super) async fn unmatched(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    use actix_web::{http::header, HttpResponse};
    let verbs = allowed(req.path());
    let api = req.path() == API_PREFIX || req.path().starts_with("/api/");
    if verbs.is_empty() {
        let message = format!("there is no route {} {}", req.method(), req.path());
        return if api {
            HttpResponse::NotFound().json(serde_json::json!({ "error": message }))
        } else {
            HttpResponse::NotFound()
                .content_type("text/plain; charset=utf-8")
                .body(message)
        };
    }
    let mut names: Vec<&str> = verbs.iter().map(|v| v.as_str()).collect();
    if verbs.contains(&Verb::Get) {
        names.insert(1, "HEAD");
    }
    let message = format!(
        "{} {} is not served: use {}",
        req.method(),
        req.path(),
        names.join(", ")
    );
    let mut response = HttpResponse::MethodNotAllowed();
    response.insert_header((header::ALLOW, names.join(", ")));
    if api {
        response.json(serde_json::json!({ "error": message }))
    } else {
        response
            .content_type("text/plain; charset=utf-8")
            .body(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_group_lies_under_the_prefix_it_is_mounted_at() {
        assert!(RESPONDENT
            .iter()
            .all(|r| r.path.starts_with(&format!("{RESPOND_PREFIX}/"))));
        assert!(API
            .iter()
            .all(|r| r.path.starts_with(&format!("{API_PREFIX}/"))));
    }

    #[test]
    fn no_method_and_path_is_listed_twice() {
        let all = table();
        for (i, a) in all.iter().enumerate() {
            assert!(
                !all[..i]
                    .iter()
                    .any(|b| b.verb == a.verb && b.path == a.path),
                "{} {} twice",
                a.verb.as_str(),
                a.path
            );
        }
    }
}
