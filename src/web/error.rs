//! The one place where errors become HTTP responses. Expected failures say what was wrong;
//! unexpected ones are logged with their cause chain and shown only as "internal error".

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::FieldProblem;
use crate::error::ServiceError;
use crate::tabular::ImportProblem;

/// The JSON body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in a sentence.
    pub error: String,
    /// For a refused request body: one entry per field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
    /// For a refused file: one entry per problem, with line and column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ImportProblem>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("the request was refused")]
    InvalidFields(Vec<FieldProblem>),
    #[error("the file was refused, nothing was written")]
    InvalidFile(Vec<ImportProblem>),
    #[error("the service is busy or the database is unreachable; try again shortly")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound(m) => ApiError::NotFound(m),
            ServiceError::Invalid(f) => ApiError::InvalidFields(f),
            ServiceError::ImportRefused(p) => ApiError::InvalidFile(p),
            ServiceError::Conflict(m) => ApiError::Conflict(m),
            ServiceError::Database(d) => ApiError::Internal(d.into()),
            ServiceError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::InvalidFields(_) | ApiError::InvalidFile(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (fields, problems) = match self {
            ApiError::InvalidFields(f) => (f.clone(), Vec::new()),
            ApiError::InvalidFile(p) => (Vec::new(), p.clone()),
            ApiError::Unavailable(e) | ApiError::Internal(e) => {
                tracing::error!(error = ?e, "request failed");
                (Vec::new(), Vec::new())
            }
            _ => (Vec::new(), Vec::new()),
        };
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::Unauthorized(_) = self {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        response.json(ErrorBody {
            error: self.to_string(),
            fields,
            problems,
        })
    }
}
