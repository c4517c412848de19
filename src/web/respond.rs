//! The respondent's pages (`/s/<token>`) and the JSON twin (`/api/responses/<token>`).
//!
//! CSRF: every form here posts to a URL that contains the person's secret link token, which
//! a third-party site cannot know, so a forged cross-site request has nowhere to go. On top
//! of that, a POST whose Origin header names another site is refused.

use std::collections::HashMap;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::error::{ApiError, ErrorBody};
use super::AppState;
use crate::domain::Answer;
use crate::error::ServiceError;
use crate::services::responses::{
    self as service, AnswerProblem, OpenLink, Submission, SubmitError,
};
use crate::survey_templates::TemplateSide;

/// Largest form or JSON submission accepted.
pub const SUBMISSION_LIMIT: usize = 64 * 1024;

#[derive(Template)]
#[template(path = "pages/form.html")]
struct FormPage {
    partner_firm: String,
    own_firm: String,
    wave_seq: i64,
    deadline: String,
    min_group: i64,
    dont_know: String,
    action: String,
    opt_out: String,
    items: Vec<ItemView>,
    open_questions: Vec<OpenView>,
    errors: Vec<ErrorLink>,
    resubmission: bool,
}

struct ItemView {
    id: String,
    wording: String,
    options: Vec<OptionView>,
    error: Option<String>,
}

struct OptionView {
    value: String,
    label: String,
    checked: bool,
    dont_know: bool,
}

struct OpenView {
    id: String,
    wording: String,
    value: String,
    optional: bool,
    error: Option<String>,
}

struct ErrorLink {
    anchor: String,
    message: String,
}

#[derive(Template)]
#[template(path = "pages/message.html")]
struct MessagePage {
    title: String,
    paragraphs: Vec<String>,
    link: Option<(String, String)>,
    /// (action, button label, secondary style)
    form: Option<(String, String, bool)>,
}

fn html(status: StatusCode, page: impl Template) -> Result<HttpResponse, ApiError> {
    let body = page
        .render()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("page rendering failed: {e}")))?;
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("Referrer-Policy", "same-origin"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"))
        .body(body))
}

fn message(status: StatusCode, title: &str, paragraphs: &[&str]) -> Result<HttpResponse, ApiError> {
    html(
        status,
        MessagePage {
            title: title.into(),
            paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
            link: None,
            form: None,
        },
    )
}

fn not_found_page() -> Result<HttpResponse, ApiError> {
    message(
        StatusCode::NOT_FOUND,
        "This link does not lead to a survey",
        &["Check that the whole link from your invitation was copied. Each person has their own link; if it still does not work, ask your partnership's point person for a new invitation."],
    )
}

fn closed_page(when: &str) -> Result<HttpResponse, ApiError> {
    message(
        StatusCode::GONE,
        "This survey has closed",
        &[
            &format!("This survey closed on {when}. Answers can no longer be given or changed."),
            "You will receive a new link when the next survey opens.",
        ],
    )
}

fn form_page(
    token: &str,
    link: &OpenLink,
    submitted: Option<&Submission>,
    problems: &[AnswerProblem],
) -> FormPage {
    let side = match link.side {
        crate::domain::Side::Customer => TemplateSide::Customer,
        crate::domain::Side::Supplier => TemplateSide::Supplier,
    };
    let (own, partner) = match link.side {
        crate::domain::Side::Customer => (&link.customer_firm, &link.supplier_firm),
        crate::domain::Side::Supplier => (&link.supplier_firm, &link.customer_firm),
    };
    let shown = submitted.or(link.previous.as_ref());
    let chosen: HashMap<&str, Answer> = shown
        .map(|s| s.answers.iter().map(|(i, a)| (i.as_str(), *a)).collect())
        .unwrap_or_default();
    let written: HashMap<&str, &str> = shown
        .map(|s| {
            s.comments
                .iter()
                .map(|(q, b)| (q.as_str(), b.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let problem_for = |id: &str| {
        problems
            .iter()
            .find(|p| p.item.as_deref() == Some(id))
            .map(|p| p.message.clone())
    };
    let scale = link.template.scale();
    let items = link
        .template
        .items()
        .iter()
        .map(|item| {
            let current = chosen.get(item.id()).copied();
            let mut options: Vec<OptionView> = (1..=scale.points())
                .map(|p| OptionView {
                    value: p.to_string(),
                    label: scale.label(p).unwrap_or_default().to_owned(),
                    checked: matches!(current, Some(Answer::Point(l)) if l.get() == p),
                    dont_know: false,
                })
                .collect();
            options.push(OptionView {
                value: "dk".into(),
                label: scale.dont_know().to_owned(),
                checked: current == Some(Answer::DontKnow),
                dont_know: true,
            });
            ItemView {
                id: item.id().to_owned(),
                wording: item.wording_for(side, partner),
                options,
                error: problem_for(item.id()),
            }
        })
        .collect();
    let open_questions = link
        .template
        .open_questions()
        .iter()
        .map(|q| OpenView {
            id: q.id().to_owned(),
            wording: q.wording_for(side, partner),
            value: written
                .get(q.id())
                .map(|s| s.to_string())
                .unwrap_or_default(),
            optional: q.is_optional(),
            error: problem_for(q.id()),
        })
        .collect();
    let errors = problems
        .iter()
        .map(|p| ErrorLink {
            anchor: match &p.item {
                Some(id) if link.template.has_item(id) => format!("q-{id}"),
                Some(id) => format!("open-{id}"),
                None => "main".into(),
            },
            message: match &p.item {
                Some(id) => match link.template.item(id) {
                    Some(item) => format!("{} — {}", item.wording_for(side, partner), p.message),
                    None => p.message.clone(),
                },
                None => p.message.clone(),
            },
        })
        .collect();
    FormPage {
        partner_firm: partner.clone(),
        own_firm: own.clone(),
        wave_seq: link.target.wave.seq,
        deadline: crate::waves::schedule::local_deadline(
            link.target.wave.closes_at,
            &link.target.partnership.timezone,
        ),
        min_group: link.target.partnership.min_reporting_size,
        dont_know: scale.dont_know().to_owned(),
        action: format!("/s/{token}"),
        opt_out: format!("/s/{token}/opt-out"),
        items,
        open_questions,
        errors,
        resubmission: link.previous.is_some(),
    }
}

/// Outcome of the blocking part of a form request.
enum FormOutcome {
    Page(Box<FormPage>, StatusCode),
    Saved,
    NotFound,
    Closed(String),
}

fn lift(e: SubmitError) -> Result<FormOutcome, ServiceError> {
    match e {
        SubmitError::NotFound => Ok(FormOutcome::NotFound),
        SubmitError::Closed(w) => Ok(FormOutcome::Closed(w)),
        SubmitError::Database(d) => Err(ServiceError::Database(d)),
        other => Err(ServiceError::Internal(anyhow::anyhow!("{other}"))),
    }
}

fn render(outcome: FormOutcome, token: &str) -> Result<HttpResponse, ApiError> {
    match outcome {
        FormOutcome::Page(page, status) => html(status, *page),
        FormOutcome::Saved => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/s/{token}/thanks")))
            .finish()),
        FormOutcome::NotFound => not_found_page(),
        FormOutcome::Closed(when) => closed_page(&when),
    }
}

/// The survey form, pre-filled when the person comes back.
pub async fn form(
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
                Err(e) => lift(e),
            },
        )
        .await?;
    render(outcome, &token)
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
            "This form was sent from another site",
            &[&e.to_string()],
        );
    }
    let token = token.into_inner();
    let submission = match parse_form(&body) {
        Ok(s) => s,
        Err(e) => {
            return message(
                StatusCode::BAD_REQUEST,
                "The form could not be read",
                &[
                    &e.to_string(),
                    "Go back to your survey link and send it again.",
                ],
            )
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
    render(outcome, &token)
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
                    Err(e) => lift(e),
                },
                Err(e) => lift(e),
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
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let t = token.clone();
    let outcome = state
        .db(
            move |conn, _| match service::open_link(conn, &t, crate::db::now()) {
                Ok(link) => Ok(Ok(crate::waves::schedule::local_deadline(
                    link.target.wave.closes_at,
                    &link.target.partnership.timezone,
                ))),
                Err(SubmitError::NotFound) => Ok(Err(None)),
                Err(SubmitError::Closed(w)) => Ok(Err(Some(w))),
                Err(e) => lift(e).map(|_| Err(None)),
            },
        )
        .await?;
    match outcome {
        Ok(deadline) => html(
            StatusCode::OK,
            MessagePage {
                title: "Thank you — your answers are saved".into(),
                paragraphs: vec![
                    format!("You can change them with the same link until {deadline}."),
                    "Your individual answers are never shown to anyone; they only count in results for groups of several people.".into(),
                ],
                link: Some((format!("/s/{token}"), "Review or change my answers".into())),
                form: None,
            },
        ),
        Err(Some(when)) => closed_page(&when),
        Err(None) => not_found_page(),
    }
}

/// Confirms before opting out.
pub async fn opt_out_page(token: web::Path<String>) -> Result<HttpResponse, ApiError> {
    if !service::plausible_token(&token) {
        return not_found_page();
    }
    html(
        StatusCode::OK,
        MessagePage {
            title: "Stop receiving these surveys?".into(),
            paragraphs: vec!["You will get no further invitations or reminders for this partnership's surveys. Answers you already gave stay counted, anonymously, in group results.".into()],
            link: None,
            form: Some((format!("/s/{}/opt-out", token.as_str()), "Yes, stop my invitations".into(), false)),
        },
    )
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
            "This form was sent from another site",
            &[&e.to_string()],
        );
    }
    let token = token.into_inner();
    let found = state
        .db(
            move |conn, _| match service::opt_out(conn, &token, crate::db::now()) {
                Ok(()) => Ok(true),
                Err(SubmitError::NotFound) => Ok(false),
                Err(e) => lift(e).map(|_| false),
            },
        )
        .await?;
    if !found {
        return not_found_page();
    }
    message(
        StatusCode::OK,
        "You will not receive further invitations",
        &["Your choice is saved. If you change your mind, ask your partnership's point person to invite you again."],
    )
}

/// The JSON body of `POST /api/responses/{token}`.
#[derive(Debug, utoipa::ToSchema)]
pub struct SubmissionBody {
    /// item id → 1..5, or "dont_know"
    #[schema(value_type = Object)]
    pub answers: Vec<(String, serde_json::Value)>,
    /// open question id → text
    #[schema(value_type = Object)]
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
    for (item, v) in body.answers {
        let answer = match &v {
            serde_json::Value::Number(n) => n
                .as_i64()
                .ok_or_else(|| format!("the answer to {item:?} must be a whole number 1..A"))
                .and_then(|n| crate::domain::Likert::new(n).map(Answer::Point)),
            serde_json::Value::String(t) if t == "dont_know" => Ok(Answer::DontKnow),
            other => Err(format!(
                "the answer to {item:?} must be 1..A or \"dont_know\", not {other}"
            )),
        }
        .map_err(ApiError::BadRequest)?;
        s.answers.push((item, answer));
    }
    for (q, v) in body.comments {
        match v {
            serde_json::Value::String(t) => s.comments.push((q, t)),
            other => {
                return Err(ApiError::BadRequest(format!(
                    "the comment {q:?} must be text, not {other}"
                )))
            }
        }
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
