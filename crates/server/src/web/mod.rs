//! The web UI (DESIGN §8): pages rendered on the server from the same use cases as the API
//! and the command line, with no script needed to use them.
//!
//! Pages need a web session (the cookie of `POST /login`); without one they redirect to the
//! sign-in page. Every form that changes something carries the session's CSRF token in a
//! hidden field and must come from this site (`Sec-Fetch-Site`/`Origin`, see
//! [`crate::auth::check_origin`]). Every text is escaped by the templates (askama), and the
//! pages are served under a Content-Security-Policy that allows no inline script or style.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use landed_app::callers::Signed;
use landed_app::{AppError, Ctx, Surface};
use landed_core::authz::Action;
use landed_core::when::WhenError;
use landed_store::Session;

use crate::problem::{ApiError, Kind};
use crate::{AppState, Db, auth};

mod account;
mod goals;
mod items;
mod sign_in;
mod team;
mod work;

/// The pages and the forms they post to.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(goals::dashboard))
        .route("/login", get(sign_in::page).post(sign_in::submit))
        .route("/logout", axum::routing::post(sign_in::sign_out))
        .route("/goals", axum::routing::post(goals::create))
        .route("/goals/{id}", get(goals::page))
        .route("/goals/{id}/items", axum::routing::post(goals::add_item))
        .route("/goals/{id}/edit", axum::routing::post(goals::fix))
        .route("/board", get(work::board))
        .route("/items/{id}", get(items::page))
        .route("/items/{id}/status", axum::routing::post(work::move_item))
        .route("/week", get(work::week).post(work::check_in))
        .route("/requests", get(work::requests))
        .route("/review", get(team::review))
        .route("/capacity", get(team::capacity))
        .route("/dependencies", get(team::dependency_map))
        .route("/requests/{id}/answer", axum::routing::post(work::answer))
        .route("/account", get(account::page))
        .route("/account/profile", axum::routing::post(account::profile))
        .route(
            "/account/reminders",
            axum::routing::post(account::reminders),
        )
        .route("/account/tokens", axum::routing::post(account::new_token))
        .route(
            "/account/tokens/{id}/revoke",
            axum::routing::post(account::revoke_token),
        )
        .route("/static/app.css", get(stylesheet))
        // Pages are text that repeats itself: gzip sends a tenth of it.
        .layer(tower_http::compression::CompressionLayer::new())
}

/// What every page is served with: no script or style but this site's files, no framing, no
/// form posting elsewhere, no sniffing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'";

/// Add the security headers to an HTML page.
fn secured(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A rendered page with `status`, or the error page when the template fails.
fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => secured(
            (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                body,
            )
                .into_response(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            plain_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "this page failed to render",
            )
        }
    }
}

const STYLESHEET: &str = include_str!("app.css");

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// The signed-in person of a page, by their session cookie.
pub struct Web {
    /// Who they are and what they may do.
    pub signed: Arc<Signed>,
    pub session: Session,
}

impl Web {
    /// A use-case context acting as this person (who may read: the extractor checked).
    pub fn ctx<'s>(&self, state: &'s AppState) -> Ctx<'s, Db> {
        Ctx::signed(&state.store, &self.signed, state.now())
    }

    /// What the header of every page shows of the person.
    pub fn me(&self) -> Me {
        Me {
            handle: self.signed.person.handle.clone(),
            name: self.signed.person.name.clone(),
            csrf: self.session.csrf.clone(),
        }
    }

    /// The refusal of a form that does not carry this session's CSRF token or comes from
    /// elsewhere; `None` when it may go on.
    pub fn refuse_form(
        &self,
        headers: &HeaderMap,
        state: &AppState,
        csrf: &str,
    ) -> Option<Response> {
        if !auth::csrf_matches(Some(csrf), &self.session) {
            return Some(plain_error(
                StatusCode::FORBIDDEN,
                "this form is out of date or did not come from this site: reload the page and \
                 send it again",
            ));
        }
        auth::check_origin(headers, state)
            .err()
            .map(|e| error_page(&e))
    }
}

impl Web {
    /// A context for a form's write, after [`Web::refuse_form`]'s checks.
    pub async fn form_ctx<'s>(
        &self,
        headers: &HeaderMap,
        state: &'s AppState,
        csrf: &str,
    ) -> Result<Ctx<'s, Db>, Response> {
        if let Some(r) = self.refuse_form(headers, state, csrf) {
            return Err(r);
        }
        Ok(self.ctx(state))
    }
}

/// A page answered with `status`, or the error page of what stopped it.
pub fn page<T: Template>(status: StatusCode, page: Result<T, AppError>) -> Response {
    match page {
        Ok(p) => html(status, &p),
        Err(e) => error_page(&ApiError::from(e)),
    }
}

impl FromRequestParts<AppState> for Web {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Web, Response> {
        let back = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let to_sign_in = || {
            let next: String = url_encode(back);
            Redirect::to(&format!("/login?next={next}")).into_response()
        };
        let Some(cookie) = auth::cookie(&parts.headers, auth::COOKIE) else {
            return Err(to_sign_in());
        };
        match state
            .callers
            .by_session(&state.store, &cookie, state.now())
            .await
        {
            // Every page reads, so one who may not read gets no page at all.
            Ok(Ok((session, signed))) => {
                match landed_core::authz::allow(&signed.actor, Action::Read) {
                    Ok(()) => Ok(Web { signed, session }),
                    Err(denied) => Err(error_page(&ApiError::from(AppError::Forbidden(denied)))),
                }
            }
            Ok(Err(_)) => Err(to_sign_in()),
            Err(e) => Err(error_page(&ApiError::from(e))),
        }
    }
}

/// The person in the page header, and the token their forms carry.
#[derive(Debug, Clone)]
pub struct Me {
    pub handle: String,
    pub name: String,
    pub csrf: String,
}

/// A page that says what went wrong, with the status of the error.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    detail: String,
}

/// The error page for an error of the use cases or the store. Internal errors are logged and
/// not shown.
pub fn error_page(e: &ApiError) -> Response {
    if e.kind == Kind::Internal {
        tracing::error!(error = %e.detail, "a page failed");
        return plain_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "something went wrong on the server; it is logged",
        );
    }
    plain_error(e.kind.status(), &e.detail)
}

/// A posted form, like axum's `Form`, whose refusal (a missing or malformed field, a wrong
/// content type) is an error page rather than plain text.
pub struct WebForm<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for WebForm<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Response> {
        match axum::extract::Form::<T>::from_request(req, state).await {
            Ok(axum::extract::Form(form)) => Ok(WebForm(form)),
            Err(e) => Err(plain_error(
                e.status(),
                &format!(
                    "this form could not be read ({}); nothing was changed. Go back, reload the \
                     page and send it again.",
                    e.body_text()
                ),
            )),
        }
    }
}

fn plain_error(status: StatusCode, detail: &str) -> Response {
    let page = ErrorPage {
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        detail: detail.to_string(),
    };
    match page.render() {
        Ok(body) => secured(
            (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                body,
            )
                .into_response(),
        ),
        Err(_) => (status, detail.to_string()).into_response(),
    }
}

/// Every team's name, and those of the signed-in person's teams (that they lead or belong
/// to, as their context already knows).
pub async fn team_names(ctx: &Ctx<'_, Db>) -> Result<(Vec<String>, Vec<String>), AppError> {
    let all = landed_store::Store::team_names(ctx.store).await?;
    let theirs = match &ctx.access {
        landed_app::access::Access::Signed(actor) => all
            .iter()
            .filter(|(id, _)| actor.teams.contains(id))
            .map(|(_, n)| n.clone())
            .collect(),
        landed_app::access::Access::Local => Vec::new(),
    };
    Ok((all.into_iter().map(|(_, n)| n).collect(), theirs))
}

/// The team a team page shows: the one asked for, else the person's first team, else the
/// first team (empty when there is none); and every team's name, for the picker.
pub async fn pick_team(
    ctx: &Ctx<'_, Db>,
    asked: Option<&str>,
) -> Result<(String, Vec<String>), AppError> {
    let (all, theirs) = team_names(ctx).await?;
    let team = asked
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .or_else(|| theirs.into_iter().next())
        .or_else(|| all.first().cloned())
        .unwrap_or_default();
    Ok((team, all))
}

/// Which form field an error of the use cases is about, so that the page shows it there.
/// `when` is the name of the form's date field.
pub fn field_of(e: &AppError, when: &'static str) -> Option<&'static str> {
    match e {
        AppError::Invalid(i) => Some(match i.field {
            "due" | "by" | "date" => when,
            other => other,
        }),
        AppError::UnknownPerson { .. } => Some("owner"),
        AppError::UnknownTeam { .. } => Some("team"),
        AppError::UnknownMilestone { .. } => Some(when),
        AppError::When(WhenError::BadEstimate(_) | WhenError::EstimateOutOfRange(_)) => {
            Some("estimate")
        }
        AppError::When(WhenError::BadTimeZone(_)) => Some("tz"),
        AppError::When(_) | AppError::DateAndMilestone => Some(when),
        _ => None,
    }
}

/// An error shown beside a form field, or above the form when it is about no one field.
#[derive(Debug, Clone, Default)]
pub struct FormError {
    pub field: Option<&'static str>,
    pub message: String,
}

impl FormError {
    pub fn of(e: &AppError, when: &'static str) -> FormError {
        FormError {
            field: field_of(e, when),
            message: e.message(Surface::Web),
        }
    }

    /// The message if it belongs to `field` (for the templates).
    pub fn at(&self, field: &str) -> &str {
        if self.field == Some(field) {
            &self.message
        } else {
            ""
        }
    }

    /// The message if it belongs to no field.
    pub fn general(&self) -> &str {
        if self.field.is_none() {
            &self.message
        } else {
            ""
        }
    }
}

/// What a path segment or query value keeps as it is: letters, digits and `-._~`.
const KEPT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encode `text` for a path segment or a query value.
pub fn url_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, KEPT).to_string()
}

/// Where a goal (`G-3`), item (`I-12`) or commitment request (`R-2`, on the requests page)
/// is shown; empty for anything else.
pub fn node_href(id: &str) -> String {
    match id.split_once('-').map(|(kind, _)| kind) {
        Some("G") => format!("/goals/{}", url_encode(id)),
        Some("I") => format!("/items/{}", url_encode(id)),
        Some("R") => format!("/requests#request-{}", url_encode(id)),
        _ => String::new(),
    }
}

/// A redirect after a form: 303, so the browser follows it with a GET.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
