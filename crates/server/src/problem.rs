//! Errors as `application/problem+json` (RFC 9457), each kind with a stable `type`, so clients
//! can branch on it and people can read `detail`, which names the problem and the fix.

use axum::Json;
use axum::extract::Request;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use landed_app::{AppError, Surface};
use landed_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Stable per kind, e.g. `urn:landed:problem:stale`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
}

/// The kinds of problem, with their status and title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Malformed,
    Invalid,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    Stale,
    PreconditionRequired,
    TooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    Unavailable,
    Internal,
}

impl Kind {
    pub fn slug(self) -> &'static str {
        match self {
            Kind::Malformed => "malformed",
            Kind::Invalid => "invalid",
            Kind::Unauthenticated => "unauthenticated",
            Kind::Forbidden => "forbidden",
            Kind::NotFound => "not-found",
            Kind::Conflict => "conflict",
            Kind::Stale => "stale",
            Kind::PreconditionRequired => "precondition-required",
            Kind::TooLarge => "too-large",
            Kind::UnsupportedMediaType => "unsupported-media-type",
            Kind::TooManyRequests => "too-many-requests",
            Kind::Unavailable => "unavailable",
            Kind::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Kind::Malformed => StatusCode::BAD_REQUEST,
            Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::Stale => StatusCode::PRECONDITION_FAILED,
            Kind::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Kind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Malformed => "The request cannot be read",
            Kind::Invalid => "The request is not valid",
            Kind::Unauthenticated => "Sign-in required",
            Kind::Forbidden => "Not allowed",
            Kind::NotFound => "Not found",
            Kind::Conflict => "Refused by the rules",
            Kind::Stale => "Changed since you read it",
            Kind::PreconditionRequired => "Say which version you change",
            Kind::TooLarge => "The request is too large",
            Kind::UnsupportedMediaType => "Send JSON",
            Kind::TooManyRequests => "Too many attempts",
            Kind::Unavailable => "The database is unavailable",
            Kind::Internal => "Something went wrong on the server",
        }
    }
}

/// What a 503 tells the client to wait before trying again (`Retry-After`, RELIABILITY T17):
/// long enough not to hammer a database that is coming back, short enough that clients
/// resume within seconds of its return.
pub const RETRY_AFTER_SECONDS: u32 = 1;

/// A failed request, ready to be answered.
#[derive(Debug)]
pub struct ApiError {
    pub kind: Kind,
    pub detail: String,
}

impl ApiError {
    pub fn new(kind: Kind, detail: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            detail: detail.into(),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.kind == Kind::Internal || self.kind == Kind::Unavailable {
            tracing::error!(kind = self.kind.slug(), detail = %self.detail, "request failed");
        }
        let status = self.kind.status();
        let body = Problem {
            kind: format!("urn:landed:problem:{}", self.kind.slug()),
            title: self.kind.title(),
            status: status.as_u16(),
            detail: self.detail,
        };
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if self.kind == Kind::Unavailable {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response
    }
}

tokio::task_local! {
    /// Whose terms the current request's errors tell their fix in (see [`for_client`]).
    static CLIENT: Surface;
}

/// Tell the fix of a request's errors in its client's terms: the landed CLI (which sends its
/// own user agent, `landed/VERSION`) is named its commands, as it would be without a server;
/// any other client of the API, the API's endpoints and fields; a browser on a page, the
/// page's forms.
pub async fn for_client(request: Request, next: Next) -> Response {
    let cli = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|agent| agent.starts_with("landed/"));
    let surface = if cli {
        Surface::Cli
    } else if request.uri().path().starts_with("/api/") {
        Surface::Api
    } else {
        Surface::Web
    };
    CLIENT.scope(surface, next.run(request)).await
}

/// Whose terms the current request's errors are told in (the API's outside a request).
pub fn client_surface() -> Surface {
    CLIENT.try_with(|s| *s).unwrap_or(Surface::Api)
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        ApiError::of(e, client_surface())
    }
}

impl ApiError {
    fn of(e: AppError, surface: Surface) -> ApiError {
        if let AppError::Store(s) = e {
            return s.into();
        }
        let kind = match &e {
            AppError::NotFound(_) => Kind::NotFound,
            AppError::UnknownPerson { .. }
            | AppError::UnknownTeam { .. }
            | AppError::UnknownMilestone { .. }
            | AppError::WrongKind(..)
            | AppError::BadRef(_)
            | AppError::When(_)
            | AppError::Capture(_)
            | AppError::Word(_)
            | AppError::Invalid(_)
            | AppError::Week(_)
            | AppError::ReasonRequired { .. }
            | AppError::DateAndMilestone
            | AppError::NothingToChange => Kind::Invalid,
            // Refused for the state the request meets, not for its shape: a date that is
            // committed needs a reason to move; time spent is recorded once an item is done.
            AppError::SlipNeedsReason { .. }
            | AppError::ActualBeforeDone(_)
            | AppError::BadTransition { .. }
            | AppError::Cycle(_)
            | AppError::DuplicateDependency(..)
            | AppError::Exists(_)
            | AppError::NotAllowed(_) => Kind::Conflict,
            AppError::Forbidden(_) | AppError::NotPermitted(_) => Kind::Forbidden,
            AppError::NoActor => Kind::Unauthenticated,
            AppError::Store(_) => Kind::Internal,
        };
        ApiError::new(kind, e.message(surface))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let kind = match &e {
            StoreError::Conflict { .. } => Kind::Stale,
            StoreError::Duplicate(_) => Kind::Conflict,
            StoreError::KeyInUse => Kind::Conflict,
            StoreError::Missing(_) => Kind::NotFound,
            e if e.is_unavailable() => Kind::Unavailable,
            _ => Kind::Internal,
        };
        let detail = match kind {
            Kind::Internal => "the server could not complete this request; it is logged".into(),
            Kind::Unavailable => "the database cannot be reached; try again shortly".into(),
            _ => e.to_string(),
        };
        if kind == Kind::Internal {
            tracing::error!(error = %e, "store failure");
        }
        ApiError::new(kind, detail)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        let kind = match &r {
            JsonRejection::JsonSyntaxError(_) => Kind::Malformed,
            JsonRejection::JsonDataError(_) => Kind::Invalid,
            JsonRejection::MissingJsonContentType(_) => Kind::UnsupportedMediaType,
            JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Kind::TooLarge
            }
            _ => Kind::Malformed,
        };
        let detail = match kind {
            Kind::TooLarge => format!(
                "the body is over {} bytes; send less at a time",
                crate::BODY_LIMIT
            ),
            Kind::UnsupportedMediaType => {
                "send the body as JSON with `Content-Type: application/json`".into()
            }
            _ => r.body_text(),
        };
        ApiError::new(kind, detail)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        ApiError::new(Kind::Invalid, r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> ApiError {
        ApiError::new(Kind::Invalid, r.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_tells_when_to_retry() {
        let response = ApiError::new(Kind::Unavailable, "down").into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers()[header::RETRY_AFTER],
            RETRY_AFTER_SECONDS.to_string()
        );
        let internal = ApiError::new(Kind::Internal, "bug").into_response();
        assert!(internal.headers().get(header::RETRY_AFTER).is_none());
    }
}
