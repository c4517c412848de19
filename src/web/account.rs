//! The signed-in user's own page for personal API tokens: `GET /account/tokens` lists them
//! (name, prefix, created, last used, expiry — never a secret), `POST /account/tokens` makes
//! one and shows its secret once, `POST /account/tokens/{id}/revoke` revokes one.
//!
//! Open to every signed-in user: a token acts as its user, so it can do nothing the user's
//! session could not. Every form carries the session's CSRF token; the page that shows a
//! secret is never cached (`Cache-Control: no-store`, like every page). A user can only
//! see and revoke their own tokens (another's id answers 404).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::auth_pages::see_other;
use super::error::ApiError;
use super::render::{html, message_page};
use super::AppState;
use crate::auth::api_tokens::{ApiToken, MAX_NAME, PREFIX};
use crate::domain::FieldProblem;
use crate::error::ServiceError;
use crate::i18n::en;
use crate::services::api_tokens::{self, TokenRequest};
use crate::web::extract::CurrentUser;

/// One token as the page lists it.
struct TokenLine {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
    expires: String,
    expired: bool,
}

fn when(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

impl TokenLine {
    fn of(t: &ApiToken, now: NaiveDateTime) -> TokenLine {
        TokenLine {
            id: t.id,
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            created: when(t.created_at),
            last_used: t.last_used_at.map_or_else(|| en("tokens-never"), when),
            expires: t.expires_at.map_or_else(|| en("tokens-never"), when),
            expired: t.expired(now),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/account_tokens.html")]
struct TokensPage {
    email: String,
    role: String,
    csrf: String,
    tokens: Vec<TokenLine>,
    /// The secret just made, shown this once: (name, secret).
    created: Option<(String, String)>,
    form: TokenForm,
    errors: Vec<FieldProblem>,
    today: String,
    max_name: usize,
    prefix: &'static str,
}

impl TokensPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The form as posted.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_on: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    created: Option<(String, String)>,
    form: TokenForm,
    errors: Vec<FieldProblem>,
) -> Result<HttpResponse, ApiError> {
    let user_id = user.user.id;
    let tokens = state
        .db(move |conn, _| api_tokens::list(conn, user_id))
        .await?;
    let now = crate::db::now();
    html(
        status,
        TokensPage {
            email: user.user.email.clone(),
            role: en(user.role().label_key()),
            csrf: user.csrf_token(),
            tokens: tokens.iter().map(|t| TokenLine::of(t, now)).collect(),
            created,
            form,
            errors,
            today: now.date().to_string(),
            max_name: MAX_NAME,
            prefix: PREFIX,
        },
    )
}

fn page_error(e: ApiError) -> HttpResponse {
    let page = match &e {
        ApiError::NotFound(_) => message_page(
            StatusCode::NOT_FOUND,
            &en("page-not-found"),
            &en("page-no-token"),
        ),
        ApiError::Forbidden(m) => message_page(StatusCode::FORBIDDEN, &en("page-not-allowed"), m),
        _ => {
            use actix_web::ResponseError;
            e.error_response();
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &en("page-failed"),
                &en("page-failed-text"),
            )
        }
    };
    page.unwrap_or_else(|e| actix_web::ResponseError::error_response(&e))
}

/// `GET /account/tokens`
pub async fn tokens_page(user: CurrentUser, state: web::Data<AppState>) -> HttpResponse {
    render(
        &state,
        &user,
        StatusCode::OK,
        None,
        TokenForm::default(),
        Vec::new(),
    )
    .await
    .unwrap_or_else(page_error)
}

/// `POST /account/tokens`: makes the token and shows its secret once; a problem re-renders
/// the form with what was typed (422).
pub async fn create_token(
    user: CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<TokenForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let result = async {
        user.check_csrf(&form.csrf)?;
        let request = TokenRequest {
            name: form.name.clone(),
            expires_on: form.expires_on.clone(),
        };
        let owner = user.user.clone();
        let made = state
            .db_write(move |conn, _| {
                let now = crate::db::now();
                match api_tokens::create(conn, &owner, &request, &owner.email, now) {
                    Err(ServiceError::Invalid(problems)) => Ok(Err(problems)),
                    other => other.map(Ok),
                }
            })
            .await?;
        match made {
            Ok(created) => {
                render(
                    &state,
                    &user,
                    StatusCode::CREATED,
                    Some((created.token.name, created.secret)),
                    TokenForm::default(),
                    Vec::new(),
                )
                .await
            }
            Err(problems) => {
                render(
                    &state,
                    &user,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    TokenForm {
                        csrf: String::new(),
                        ..form
                    },
                    problems,
                )
                .await
            }
        }
    }
    .await;
    result.unwrap_or_else(page_error)
}

/// `POST /account/tokens/{id}/revoke`
pub async fn revoke_token(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    let id = path.into_inner();
    let result = async {
        user.check_csrf(&form.csrf)?;
        let owner = user.user.clone();
        state
            .db_write(move |conn, _| api_tokens::revoke(conn, &owner, id, &owner.email))
            .await?;
        Ok::<_, ApiError>(see_other("/account/tokens"))
    }
    .await;
    result.unwrap_or_else(page_error)
}
