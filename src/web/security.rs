//! What every request and response goes through, whatever the route:
//!
//! - [`input`]: text entering by the query string, a form, a JSON body or a CSV upload is
//!   refused at the door when it holds a NUL character (PostgreSQL cannot store one, SQLite
//!   would keep it and hand it to every reader) or, in a form or query string, bytes that
//!   are not UTF-8 (`%FF`; decoding would silently turn them into U+FFFD). Refusals name the
//!   field: 422 with `fields` for JSON and forms, 422 with `problems` (line, column) for CSV.
//! - [`headers`]: `X-Content-Type-Options: nosniff` on every response,
//!   `Strict-Transport-Security` when the public URL is https, and `Cache-Control: no-store`
//!   on every response that does not choose its own (every page and every JSON answer here
//!   is drawn for one viewer, and many show results).
//! - [`log_line`]: the request line for the access log with link tokens replaced by `…`,
//!   so a log file never holds a secret that opens a respondent's answers or sets a password.
//!
//! Never log a request's raw path or query from here.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse, ResponseError};

use crate::domain::FieldProblem;
use crate::tabular::ImportProblem;
use crate::web::error::ApiError;
use crate::web::AppState;

/// Largest form body inspected (the respondent's form is limited to 64 KiB further on).
const FORM_LIMIT: usize = 256 * 1024;

/// How long browsers keep to https once they saw it: one year.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Path prefixes whose next segment is a secret link token.
const TOKEN_PREFIXES: [&str; 2] = ["/s/", "/set-password/"];

/// The request line for the access log: method, path with every link token replaced by
/// `…`, and the query string's keys without their values (a `next=` can carry a path with a
/// token in it).
pub fn log_line(method: &str, path: &str, query: &str) -> String {
    let mut line = format!("{method} {}", redact_path(path));
    if !query.is_empty() {
        let keys: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) => format!("{}=…", redact_path(k)),
                None => redact_path(pair),
            })
            .collect();
        line.push('?');
        line.push_str(&keys.join("&"));
    }
    line
}

/// A path with the token of `/s/<token>…` and `/set-password/<token>` replaced by `…`, and
/// any other segment that looks like a token (20 or more URL-safe base64 characters) too.
pub fn redact_path(path: &str) -> String {
    for prefix in TOKEN_PREFIXES {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
            return format!("{prefix}…{}", redact_segments(tail));
        }
    }
    redact_segments(path)
}

fn redact_segments(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let tokenish = segment.len() >= 20
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'%');
            if tokenish {
                "…"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The security headers of every response (see the module documentation).
pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let https = req
        .app_data::<web::Data<AppState>>()
        .and_then(|s| s.settings.public_base_url.clone())
        .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"));
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            header::HeaderValue::from_static(HSTS),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    Ok(res)
}

/// What a body is, by its `Content-Type`, for [`input`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    Json,
    Csv,
}

fn body_kind(req: &ServiceRequest) -> Option<BodyKind> {
    let ct = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mime = ct.split(';').next()?.trim().to_ascii_lowercase();
    match mime.as_str() {
        "application/x-www-form-urlencoded" => Some(BodyKind::Form),
        "application/json" => Some(BodyKind::Json),
        "text/csv" | "text/plain" => Some(BodyKind::Csv),
        m if m.ends_with("+json") => Some(BodyKind::Json),
        _ => None,
    }
}

fn limit(kind: BodyKind) -> usize {
    match kind {
        BodyKind::Form => FORM_LIMIT,
        BodyKind::Json => crate::web::api::JSON_LIMIT,
        BodyKind::Csv => crate::web::api::CSV_LIMIT,
    }
}

/// Why [`input`] refused a request.
#[derive(Debug)]
enum Refusal {
    Fields(Vec<FieldProblem>),
    Lines(Vec<ImportProblem>),
    NotUtf8(String),
    /// A JSON body that is not an object.
    Shape(String),
    TooLarge(usize),
}

/// Refuses NUL characters and, in forms and query strings, invalid UTF-8 (see the module
/// documentation); passes everything else on with its body untouched.
pub async fn input(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // No route serves any other method (TRACE would echo a request's headers, cookies
    // included, back): 405 rather than the 404 of an unknown path.
    if !matches!(
        req.method().as_str(),
        "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "PATCH" | "OPTIONS"
    ) {
        let response = HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "GET, HEAD, POST, PUT, DELETE"))
            .json(serde_json::json!({"error": format!("{} is not served here", req.method())}));
        return Ok(req.into_response(response));
    }
    if let Err(refusal) = check_form_text(
        &crate::i18n::en("notice-what-query"),
        req.query_string().as_bytes(),
    ) {
        return Ok(refuse(req, refusal));
    }
    if let Some(kind) = body_kind(&req) {
        let payload = req.extract::<web::Payload>().await?;
        let body = match payload.to_bytes_limited(limit(kind)).await {
            Ok(read) => read?,
            Err(_) => return Ok(refuse(req, Refusal::TooLarge(limit(kind)))),
        };
        let verdict = match kind {
            BodyKind::Form => {
                check_form_text(&crate::i18n::en("notice-what-form-field"), &body).map(|()| None)
            }
            BodyKind::Json => check_json(&body),
            BodyKind::Csv => check_csv(&body).map(|()| None),
        };
        let body = match verdict {
            Err(refusal) => return Ok(refuse(req, refusal)),
            Ok(Some(normalized)) => web::Bytes::from(normalized),
            Ok(None) => body,
        };
        req.set_payload(Payload::from(body));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

fn refuse(req: ServiceRequest, refusal: Refusal) -> ServiceResponse<BoxBody> {
    let api = req.path() == "/api" || req.path().starts_with("/api/");
    let json = api || body_kind(&req) == Some(BodyKind::Json);
    let error = match refusal {
        Refusal::Fields(f) => ApiError::InvalidFields(f),
        Refusal::Lines(p) => ApiError::InvalidFile(p),
        Refusal::NotUtf8(m) | Refusal::Shape(m) => ApiError::BadRequest(m),
        // As the JSON extractor words it (400); 413 for the rest, as their extractors do.
        Refusal::TooLarge(n) if body_kind(&req) == Some(BodyKind::Json) => {
            ApiError::BadRequest(crate::i18n::en1("notice-body-too-large", "bytes", n))
        }
        Refusal::TooLarge(n) => {
            ApiError::PayloadTooLarge(crate::i18n::en1("notice-body-too-large", "bytes", n))
        }
    };
    let response = if json {
        error.error_response()
    } else {
        page(&error)
    };
    req.into_response(response)
}

/// The refusal as a page, for browsers that sent a form.
fn page(error: &ApiError) -> HttpResponse {
    let detail = match error {
        ApiError::InvalidFields(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    let status = error.status_code();
    crate::web::render::message_page(
        status,
        &crate::i18n::en("notice-form-unreadable-title"),
        &crate::i18n::en1("notice-form-unreadable", "detail", detail),
    )
    .unwrap_or_else(|e| e.error_response())
}

const NUL: &str = crate::domain::NUL_REFUSED;

/// Checks `application/x-www-form-urlencoded` text (a body or a query string): every name
/// and value must decode to UTF-8 without NUL.
fn check_form_text(what: &str, raw: &[u8]) -> Result<(), Refusal> {
    let mut problems = Vec::new();
    for pair in raw.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &pair[..0]),
        };
        let name = percent_decode(name);
        let value = percent_decode(value);
        let shown = String::from_utf8_lossy(&name).replace('\0', "\\u0000");
        if std::str::from_utf8(&name).is_err() || std::str::from_utf8(&value).is_err() {
            return Err(Refusal::NotUtf8(crate::i18n::en2(
                "notice-not-utf8",
                "what",
                what,
                "name",
                format!("{shown:?}"),
            )));
        }
        if name.contains(&0) || value.contains(&0) {
            problems.push(FieldProblem {
                field: shown,
                message: NUL.into(),
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Fields(problems))
    }
}

/// `%XX` and `+` decoding of one form name or value, as bytes (no lossy UTF-8 step).
fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// A JSON body: every key and string anywhere in it must be free of NUL. A body that is not
/// JSON at all is left to the route's own extractor, which says what is wrong with it.
/// Refuses NUL anywhere and a top level that is not an object (serde would otherwise read
/// `[null, null]` as a struct's fields in order); `null` passes, for optional bodies. A whole
/// number written as a float (`24.0`) is an integer to JSON Schema, so such numbers are
/// rewritten as integers (`Some(new body)`) for the integer fields to read them; a float
/// field reads the integer just as well. Text that is not JSON passes on to the extractor,
/// which says where it breaks.
fn check_json(body: &[u8]) -> Result<Option<Vec<u8>>, Refusal> {
    let Ok(mut doc) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(None);
    };
    if !(doc.is_object() || doc.is_null()) {
        return Err(Refusal::Shape(
            "the JSON body must be an object ({…}) with the fields the operation documents".into(),
        ));
    }
    let mut problems = Vec::new();
    walk_json(&doc, String::new(), &mut problems);
    if !problems.is_empty() {
        return Err(Refusal::Fields(problems));
    }
    if integral_floats_to_integers(&mut doc) {
        return Ok(Some(
            serde_json::to_vec(&doc).expect("a JSON value serializes"),
        ));
    }
    Ok(None)
}

/// Rewrites every float with no fractional part that fits an i64 as that integer; `true`
/// when one was rewritten.
fn integral_floats_to_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // 2^63 is exactly representable; anything at or beyond it is not an i64.
            if f.fract() == 0.0 && f >= -(2f64.powi(63)) && f < 2f64.powi(63) {
                *value = Value::from(f as i64);
                return true;
            }
            false
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| integral_floats_to_integers(v) | changed),
        Value::Object(fields) => fields
            .values_mut()
            .fold(false, |changed, v| integral_floats_to_integers(v) | changed),
        _ => false,
    }
}

fn walk_json(value: &serde_json::Value, path: String, problems: &mut Vec<FieldProblem>) {
    use serde_json::Value;
    let field = |path: &str| {
        if path.is_empty() {
            "(body)".to_owned()
        } else {
            path.to_owned()
        }
    };
    match value {
        Value::String(s) if s.contains('\0') => problems.push(FieldProblem {
            field: field(&path),
            message: NUL.into(),
        }),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_json(item, format!("{path}[{i}]"), problems);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let key_shown = key.replace('\0', "\\u0000");
                let inner = if path.is_empty() {
                    key_shown
                } else {
                    format!("{path}.{key_shown}")
                };
                if key.contains('\0') {
                    problems.push(FieldProblem {
                        field: inner.clone(),
                        message: NUL.into(),
                    });
                }
                walk_json(item, inner, problems);
            }
        }
        _ => {}
    }
}

/// A CSV upload: no NUL byte (the importers report everything else with line and column).
fn check_csv(body: &[u8]) -> Result<(), Refusal> {
    let problems: Vec<ImportProblem> = body
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| line.contains(&0))
        .map(|(n, _)| ImportProblem {
            line: n as u64 + 1,
            column: None,
            message: NUL.into(),
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Lines(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_reach_the_log_line() {
        let token = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
        assert_eq!(log_line("GET", &format!("/s/{token}"), ""), "GET /s/…");
        assert_eq!(
            log_line("POST", &format!("/s/{token}/opt-out"), ""),
            "POST /s/…/opt-out"
        );
        assert_eq!(
            log_line("GET", &format!("/set-password/{token}"), ""),
            "GET /set-password/…"
        );
        assert_eq!(
            log_line("GET", "/login", &format!("next=/s/{token}")),
            "GET /login?next=…"
        );
        assert_eq!(
            log_line("GET", &format!("/other/{token}"), ""),
            "GET /other/…"
        );
        assert_eq!(
            log_line("GET", "/partnerships/3/items/win_win", "wave=2"),
            "GET /partnerships/3/items/win_win?wave=…"
        );
    }

    #[test]
    fn form_text_must_be_utf8_without_nul() {
        assert!(check_form_text("form field", b"a=b+c&d=%C3%A9").is_ok());
        assert!(matches!(
            check_form_text("form field", b"open.changes=%FF"),
            Err(Refusal::NotUtf8(_))
        ));
        match check_form_text("form field", b"email=a%00b&x=1") {
            Err(Refusal::Fields(f)) => assert_eq!(f[0].field, "email"),
            other => panic!("{other:?}"),
        }
        assert_eq!(percent_decode(b"%4"), b"%4");
        assert_eq!(percent_decode(b"100%"), b"100%");
    }

    #[test]
    fn json_nul_is_found_with_its_path() {
        match check_json(br#"{"comments":{"changes":"a\u0000b"},"answers":[1]}"#) {
            Err(Refusal::Fields(f)) => assert_eq!(f[0].field, "comments.changes"),
            other => panic!("{other:?}"),
        }
        assert!(check_json(br#"{"note":"a\\u0000 is fine as text"}"#).is_ok());
        assert!(check_json(b"not json").is_ok());
    }
}
