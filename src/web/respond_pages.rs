//! The respondent's pages as they are rendered: the form, the thanks, opt-out, closed and
//! not-found pages, each in the respondent's language (`lang` on the html element and a
//! Content-Language header). Handlers live in [`super::respond`]; this file only turns what a
//! use case returned into HTML.

use std::collections::HashMap;

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use askama::Template;

use super::error::ApiError;
use crate::domain::{Answer, Language, Side};
use crate::i18n::{DateStyle, Tr};
use crate::services::responses::{AnswerProblem, AnswerReason, OpenLink, Submission};
use crate::survey_templates::TemplateSide;

#[derive(Template)]
#[template(path = "pages/form.html")]
pub(super) struct FormPage {
    tr: Tr,
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

impl FormPage {
    pub(super) fn language(&self) -> Language {
        self.tr.language()
    }
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
#[template(path = "pages/respond_message.html")]
struct MessagePage {
    tr: Tr,
    title: String,
    paragraphs: Vec<String>,
    link: Option<(String, String)>,
    /// (action, button label)
    form: Option<(String, String)>,
}

pub(super) fn html(
    status: StatusCode,
    language: Language,
    page: impl Template,
) -> Result<HttpResponse, ApiError> {
    let body = page
        .render()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("page rendering failed: {e}")))?;
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CONTENT_LANGUAGE, language.code()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("Referrer-Policy", "same-origin"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"))
        .body(body))
}

/// A page of a title and paragraphs, in `language`.
pub(super) fn message(
    status: StatusCode,
    language: Language,
    title_id: &str,
    paragraphs: Vec<String>,
) -> Result<HttpResponse, ApiError> {
    let tr = Tr::new(language);
    html(
        status,
        language,
        MessagePage {
            tr,
            title: tr.t(title_id),
            paragraphs,
            link: None,
            form: None,
        },
    )
}

pub(super) fn not_found_page(language: Language) -> Result<HttpResponse, ApiError> {
    let tr = Tr::new(language);
    message(
        StatusCode::NOT_FOUND,
        language,
        "not-found-title",
        vec![tr.t("not-found-body")],
    )
}

pub(super) fn closed_page(language: Language, when: &str) -> Result<HttpResponse, ApiError> {
    let tr = Tr::new(language);
    message(
        StatusCode::GONE,
        language,
        "closed-title",
        vec![tr.t1("closed-body", "when", when), tr.t("closed-next")],
    )
}

pub(super) fn thanks_page(
    language: Language,
    token: &str,
    deadline: &str,
) -> Result<HttpResponse, ApiError> {
    let tr = Tr::new(language);
    html(
        StatusCode::OK,
        language,
        MessagePage {
            tr,
            title: tr.t("thanks-title"),
            paragraphs: vec![
                tr.t1("thanks-change", "deadline", deadline),
                tr.t("thanks-private"),
            ],
            link: Some((format!("/s/{token}"), tr.t("thanks-review"))),
            form: None,
        },
    )
}

pub(super) fn opt_out_confirm_page(
    language: Language,
    token: &str,
) -> Result<HttpResponse, ApiError> {
    let tr = Tr::new(language);
    html(
        StatusCode::OK,
        language,
        MessagePage {
            tr,
            title: tr.t("opt-out-title"),
            paragraphs: vec![tr.t("opt-out-body")],
            link: None,
            form: Some((format!("/s/{token}/opt-out"), tr.t("opt-out-button"))),
        },
    )
}

pub(super) fn opted_out_page(language: Language) -> Result<HttpResponse, ApiError> {
    let tr = Tr::new(language);
    message(
        StatusCode::OK,
        language,
        "opted-out-title",
        vec![tr.t("opted-out-body")],
    )
}

/// When the wave closes, as the respondent reads it.
pub(super) fn deadline(link: &OpenLink) -> String {
    let tz: chrono_tz::Tz = link
        .target
        .partnership
        .timezone
        .parse()
        .unwrap_or(chrono_tz::UTC);
    crate::i18n::local_time(
        link.language,
        link.target.wave.closes_at,
        tz,
        DateStyle::Page,
    )
}

/// A refused answer in the respondent's words.
fn problem_text(tr: Tr, problem: &AnswerProblem, dont_know: &str) -> String {
    let id = problem.item.as_deref().unwrap_or_default();
    match problem.reason {
        AnswerReason::Missing => tr.t1("answer-missing", "dont_know", dont_know),
        AnswerReason::UnknownItem => tr.t1("answer-unknown-item", "id", id),
        AnswerReason::UnknownQuestion => tr.t1("answer-unknown-question", "id", id),
        AnswerReason::Twice => tr.t1("answer-twice", "id", id),
        AnswerReason::Nul => tr.t("answer-nul"),
        AnswerReason::TooLong { max } => tr.t1("answer-too-long", "max", max),
        AnswerReason::OffScale { points } => {
            tr.t2("answer-off-scale", "points", points, "dont_know", dont_know)
        }
    }
}

/// The form of one link, in the respondent's language, pre-filled with what they sent (after
/// a refusal) or stored before.
pub(super) fn form_page(
    token: &str,
    link: &OpenLink,
    submitted: Option<&Submission>,
    problems: &[AnswerProblem],
) -> FormPage {
    let tr = Tr::new(link.language);
    let (template, _) = link.template.localized(link.language);
    let side = match link.side {
        Side::Customer => TemplateSide::Customer,
        Side::Supplier => TemplateSide::Supplier,
    };
    let (own, partner) = match link.side {
        Side::Customer => (&link.customer_firm, &link.supplier_firm),
        Side::Supplier => (&link.supplier_firm, &link.customer_firm),
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
    let scale = template.scale();
    let problem_for = |id: &str| {
        problems
            .iter()
            .find(|p| p.item.as_deref() == Some(id))
            .map(|p| problem_text(tr, p, scale.dont_know()))
    };
    let items = template
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
    let open_questions = template
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
        .map(|p| {
            let text = problem_text(tr, p, scale.dont_know());
            ErrorLink {
                anchor: match &p.item {
                    Some(id) if template.has_item(id) => format!("q-{id}"),
                    Some(id) => format!("open-{id}"),
                    None => "main".into(),
                },
                message: match p.item.as_deref().and_then(|id| template.item(id)) {
                    Some(item) => format!("{} — {text}", item.wording_for(side, partner)),
                    None => text,
                },
            }
        })
        .collect();
    FormPage {
        tr,
        partner_firm: partner.clone(),
        own_firm: own.clone(),
        wave_seq: link.target.wave.seq,
        deadline: deadline(link),
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
