//! The respondent's pages (`/s/<token>`) and the JSON twin (`/api/responses/<token>`).
//!
//! CSRF: every form here posts to a URL that contains the person's secret link token, which
//! a third-party site cannot know, so a forged cross-site request has nowhere to go. On top
//! of that, a POST whose Origin header names another site is refused.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::error::{ApiError, ErrorBody};
use super::respond_pages::{
    closed_page, form_page, html, message, not_found_page, opt_out_confirm_page, opted_out_page,
    thanks_page, FormPage,
};
use super::AppState;
use crate::domain::{Answer, Language};
use crate::error::ServiceError;
use crate::services::responses::{self as service, AnswerProblem, Submission, SubmitError};

/// Largest form or JSON submission accepted.
pub const SUBMISSION_LIMIT: usize = 64 * 1024;

/// Outcome of the blocking part of a form request.
enum FormOutcome {
    Page(Box<FormPage>, StatusCode),
    Saved,
    NotFound,
    /// When it closed, and the language of the link's person.
    Closed(String, Language),
}

/// A refusal as an outcome; a closed wave's page is in the language of the link's person.
fn lift(
    conn: &mut crate::db::Conn,
    token: &str,
    e: SubmitError,
) -> Result<FormOutcome, ServiceError> {
    match e {
        SubmitError::NotFound => Ok(FormOutcome::NotFound),
        SubmitError::Closed(when) => match service::closed_link(conn, token) {
            Ok(Some((language, at, timezone))) => {
                let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
                let when = crate::i18n::local_time(language, at, tz, crate::i18n::DateStyle::Page);
                Ok(FormOutcome::Closed(when, language))
            }
            Ok(None) => Ok(FormOutcome::Closed(when, Language::En)),
            Err(SubmitError::Database(d)) => Err(ServiceError::Database(d)),
            Err(other) => Err(ServiceError::Internal(anyhow::anyhow!("{other}"))),
        },
        SubmitError::Database(d) => Err(ServiceError::Database(d)),
        other => Err(ServiceError::Internal(anyhow::anyhow!("{other}"))),
    }
}

/// The language of the person behind a link, English for a link that leads nowhere (the
/// not-found page negotiates from the browser instead).
fn person_language(conn: &mut crate::db::Conn, token: &str) -> Result<Language, ServiceError> {
    match service::link_language(conn, token) {
        Ok(language) => Ok(language.unwrap_or_default()),
        Err(SubmitError::Database(d)) => Err(ServiceError::Database(d)),
        Err(other) => Err(ServiceError::Internal(anyhow::anyhow!("{other}"))),
    }
}

/// The language of a page that belongs to no known person: the browser's best offered
/// language, else English.
fn browser_language(req: &HttpRequest) -> Language {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::i18n::negotiate)
        .unwrap_or_default()
}

fn render(outcome: FormOutcome, token: &str, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    match outcome {
        FormOutcome::Page(page, status) => {
            let language = page.language();
            html(status, language, *page)
        }
        FormOutcome::Saved => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/s/{token}/thanks")))
            .finish()),
        FormOutcome::NotFound => not_found_page(browser_language(req)),
        FormOutcome::Closed(when, language) => closed_page(language, &when),
    }
}

/// The survey form, pre-filled when the person comes back.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let t = token.clone();
    let outcome = state
        .db(
            move |conn, _| match service::open_link(conn, &t, crate::db::now()) {
                Ok(link) => Ok(FormOutcome::Page(
                    Box::new(form_page(&t, &link, None, &[])),
                    StatusCode::OK,
                )),
                Err(e) => lift(conn, &t, e),
            },
        )
        .await?;
    render(outcome, &token, &req)
}

/// The form's submission (application/x-www-form-urlencoded).
pub async fn submit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if let Err(e) = same_origin(&req) {
        return message(
            StatusCode::FORBIDDEN,
            browser_language(&req),
            "foreign-title",
            vec![e.to_string()],
        );
    }
    let token = token.into_inner();
    let submission = match parse_form(&body) {
        Ok(s) => s,
        Err(e) => {
            let language = browser_language(&req);
            return message(
                StatusCode::BAD_REQUEST,
                language,
                "unreadable-title",
                vec![
                    e.to_string(),
                    crate::i18n::text(language, "unreadable-again", &[]),
                ],
            );
        }
    };
    let outcome = if batched(&state, &token, &submission).await.is_some() {
        FormOutcome::Saved
    } else {
        general_form_submit(&state, token.clone(), submission).await?
    };
    if matches!(outcome, FormOutcome::Saved) {
        state
            .metrics
            .responses_stored
            .with_label_values(&["form"])
            .inc();
    }
    render(outcome, &token, &req)
}

/// Stores a submission through the PostgreSQL batcher when there is one. `None`: not
/// stored, go the general way (which also gives every refusal its exact reason).
async fn batched(state: &AppState, token: &str, submission: &Submission) -> Option<bool> {
    let submitter = state.submitter.as_ref()?;
    submitter.submit(token, submission, crate::db::now()).await
}

async fn general_form_submit(
    state: &AppState,
    t: String,
    submission: Submission,
) -> Result<FormOutcome, ApiError> {
    state
        .db_write(move |conn, _| {
            let now = crate::db::now();
            match service::submit(conn, &t, &submission, now) {
                Ok(_) => Ok(FormOutcome::Saved),
                Err(SubmitError::Invalid(problems)) => match service::open_link(conn, &t, now) {
                    Ok(link) => Ok(FormOutcome::Page(
                        Box::new(form_page(&t, &link, Some(&submission), &problems)),
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )),
                    Err(e) => lift(conn, &t, e),
                },
                Err(e) => lift(conn, &t, e),
            }
        })
        .await
}

/// Reads `item.<id>=1..A|dk` and `open.<id>=text` pairs; anything else, or a field twice, is
/// refused rather than silently dropped.
fn parse_form(body: &[u8]) -> Result<Submission, ApiError> {
    if std::str::from_utf8(body).is_err() {
        return Err(ApiError::BadRequest(
            "the form data is not valid UTF-8".into(),
        ));
    }
    let mut s = Submission::default();
    for (key, value) in url::form_urlencoded::parse(body) {
        if let Some(item) = key.strip_prefix("item.") {
            let answer = match value.as_ref() {
                "dk" => Answer::DontKnow,
                v => Answer::parse_cell(v).map_err(ApiError::BadRequest)?,
            };
            if value.trim().is_empty() {
                return Err(ApiError::BadRequest(format!(
                    "the answer to {item:?} is empty"
                )));
            }
            s.answers.push((item.to_owned(), answer));
        } else if let Some(q) = key.strip_prefix("open.") {
            s.comments.push((q.to_owned(), value.into_owned()));
        } else {
            return Err(ApiError::BadRequest(format!(
                "unexpected form field {key:?}"
            )));
        }
    }
    Ok(s)
}

/// Refuses a POST that a browser says comes from another site.
fn same_origin(req: &HttpRequest) -> Result<(), ApiError> {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let host = req.connection_info().host().to_owned();
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    if origin == "null" || origin_host != host {
        return Err(ApiError::Forbidden(
            "this form can only be sent from its own page".into(),
        ));
    }
    Ok(())
}

/// After a submission.
pub async fn thanks(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let t = token.clone();
    let outcome = state
        .db(
            move |conn, _| match service::open_link(conn, &t, crate::db::now()) {
                Ok(link) => Ok(Ok((super::respond_pages::deadline(&link), link.language))),
                Err(e) => lift(conn, &t, e).map(Err),
            },
        )
        .await?;
    match outcome {
        Ok((deadline, language)) => thanks_page(language, &token, &deadline),
        Err(other) => render(other, &token, &req),
    }
}

/// Confirms before opting out.
pub async fn opt_out_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if !service::plausible_token(&token) {
        return not_found_page(browser_language(&req));
    }
    let token = token.into_inner();
    let t = token.clone();
    let language = state.db(move |conn, _| person_language(conn, &t)).await?;
    opt_out_confirm_page(language, &token)
}

/// Opts out (the page's button, or a mail client's one-click List-Unsubscribe-Post).
pub async fn opt_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if let Err(e) = same_origin(&req) {
        return message(
            StatusCode::FORBIDDEN,
            browser_language(&req),
            "foreign-title",
            vec![e.to_string()],
        );
    }
    let token = token.into_inner();
    let found = state
        .db(
            move |conn, _| match service::opt_out(conn, &token, crate::db::now()) {
                Ok(()) => Ok(Some(person_language(conn, &token)?)),
                Err(SubmitError::NotFound) => Ok(None),
                Err(e) => lift(conn, &token, e).map(|_| None),
            },
        )
        .await?;
    match found {
        Some(language) => opted_out_page(language),
        None => not_found_page(browser_language(&req)),
    }
}

/// The JSON body of `POST /api/responses/{token}` (no other fields: `web::openapi` says so,
/// as the hand-written `Deserialize` below refuses them).
#[derive(Debug, utoipa::ToSchema)]
pub struct SubmissionBody {
    /// item id → a point 1..A of the template's scale, or "dont_know"
    #[schema(value_type = std::collections::HashMap<String, AnswerValue>)]
    pub answers: Vec<(String, serde_json::Value)>,
    /// open question id → text
    #[schema(value_type = std::collections::HashMap<String, String>)]
    pub comments: Vec<(String, serde_json::Value)>,
}

impl<'de> Deserialize<'de> for SubmissionBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            answers: Pairs,
            #[serde(default)]
            comments: Pairs,
        }
        let raw = Raw::deserialize(d)?;
        Ok(SubmissionBody {
            answers: raw.answers.0,
            comments: raw.comments.0,
        })
    }
}

/// A JSON object read as its list of pairs, so a key given twice is seen, not overwritten.
#[derive(Default)]
struct Pairs(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of id → value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                    out.push((k, v));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Saved {
    /// "saved"
    pub status: &'static str,
    /// true when this replaced an earlier submission of the same link
    pub updated: bool,
}

/// A refused submission: `problems` names each refused answer; `fields` each field of the
/// body refused at the door (a NUL character, see `web::security`). Only the non-empty one
/// is written.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SubmitProblems {
    pub error: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<crate::domain::FieldProblem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<AnswerProblem>,
}

/// A refused JSON value as shown in a message: at most 40 characters of it.
fn shown(value: &serde_json::Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// One answer in `POST /api/responses/{token}`: a point of the template's scale (1..A, where
/// A is 2 to 11; 1..5 on the five-point templates) or `"dont_know"`.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Only describes the body's values in the OpenAPI document.
pub enum AnswerValue {
    Point(i64),
    DontKnow(DontKnow),
}

/// The answer "don't know".
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // Only describes the body's values in the OpenAPI document.
pub enum DontKnow {
    DontKnow,
}

/// Submit or update the answers of one personal link.
#[utoipa::path(post, path = "/api/responses/{token}", tag = "responses",
    params(("token" = String, Path, description = "the personal link token")),
    request_body = SubmissionBody,
    responses(
        (status = 200, description = "stored", body = Saved),
        (status = 400, description = "malformed JSON or value", body = ErrorBody),
        (status = 404, description = "no survey at this link", body = ErrorBody),
        (status = 410, description = "the wave has closed", body = ErrorBody),
        (status = 413, description = "body over the limit", body = ErrorBody),
        (status = 415, description = "not application/json", body = ErrorBody),
        (status = 422, description = "answers refused; each problem named", body = SubmitProblems)))]
pub async fn submit_json(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Json<SubmissionBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut s = Submission::default();
    // A value of the wrong kind is a refused field (422, every one named), like the answers
    // the service refuses later; a body that is not JSON at all is the extractor's 400.
    let mut refused = Vec::new();
    for (item, v) in body.answers {
        let answer = match &v {
            serde_json::Value::Number(n) => n
                .as_i64()
                .ok_or_else(|| format!("the answer to {item:?} must be a whole number 1..A"))
                .and_then(|n| crate::domain::Likert::new(n).map(Answer::Point)),
            serde_json::Value::String(t) if t == "dont_know" => Ok(Answer::DontKnow),
            other => Err(format!(
                "the answer to {item:?} must be a point of the scale (1..A) or \"dont_know\", not {}",
                shown(other)
            )),
        };
        match answer {
            Ok(answer) => s.answers.push((item, answer)),
            Err(message) => refused.push(crate::domain::FieldProblem {
                field: format!("answers.{item}"),
                message,
            }),
        }
    }
    for (q, v) in body.comments {
        match v {
            serde_json::Value::String(t) => s.comments.push((q, t)),
            other => refused.push(crate::domain::FieldProblem {
                message: format!("the comment {q:?} must be text, not {}", shown(&other)),
                field: format!("comments.{q}"),
            }),
        }
    }
    if !refused.is_empty() {
        return Err(ApiError::InvalidFields(refused));
    }
    let token = token.into_inner();
    let stored = state.metrics.responses_stored.with_label_values(&["api"]);
    if let Some(updated) = batched(&state, &token, &s).await {
        stored.inc();
        return Ok(HttpResponse::Ok().json(Saved {
            status: "saved",
            updated,
        }));
    }
    let outcome = state
        .db_write(
            move |conn, _| match service::submit(conn, &token, &s, crate::db::now()) {
                Ok(updated) => Ok(Ok(updated)),
                Err(SubmitError::Database(d)) => Err(ServiceError::Database(d)),
                Err(e) => Ok(Err(e)),
            },
        )
        .await?;
    if outcome.is_ok() {
        stored.inc();
    }
    match outcome {
        Ok(updated) => Ok(HttpResponse::Ok().json(Saved {
            status: "saved",
            updated,
        })),
        Err(SubmitError::NotFound) => {
            Err(ApiError::NotFound("there is no survey at this link".into()))
        }
        Err(SubmitError::Closed(when)) => {
            Err(ApiError::Gone(format!("this survey closed on {when}")))
        }
        Err(SubmitError::Invalid(problems)) => {
            Ok(HttpResponse::UnprocessableEntity().json(SubmitProblems {
                error: "some answers were refused; nothing was stored".into(),
                fields: Vec::new(),
                problems,
            }))
        }
        Err(e) => Err(ApiError::Internal(anyhow::anyhow!("{e}"))),
    }
}
