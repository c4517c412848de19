//! Rendering of the access pages and refusals: askama templates (auto-escaped) with the same
//! security headers as the respondent's pages.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use askama::Template;

use crate::web::error::ApiError;

/// `pages/message.html`: a title, paragraphs, an optional link and an optional one-button form.
#[derive(Template)]
#[template(path = "pages/message.html")]
pub struct MessagePage {
    pub title: String,
    pub paragraphs: Vec<String>,
    /// (href, text)
    pub link: Option<(String, String)>,
    /// (action, button label, secondary style)
    pub form: Option<(String, String, bool)>,
}

/// A rendered page: HTML, never cached, never framed, no scripts.
pub fn html(status: StatusCode, page: impl Template) -> Result<HttpResponse, ApiError> {
    let body = page
        .render()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("page rendering failed: {e}")))?;
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .body(body))
}

/// A page with a title and one paragraph (refusals, confirmations).
pub fn message_page(status: StatusCode, title: &str, text: &str) -> Result<HttpResponse, ApiError> {
    html(
        status,
        MessagePage {
            title: title.into(),
            paragraphs: vec![text.into()],
            link: None,
            form: None,
        },
    )
}
