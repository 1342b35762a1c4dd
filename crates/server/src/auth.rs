//! Who is calling: an API token (`Authorization: Bearer ldt_…`) or a web session cookie. A
//! cookie-authenticated write must also carry the session's CSRF token and come from the
//! server's own origin (DESIGN §9); token calls cannot be forged by a browser, so they need
//! neither.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use landed_app::Ctx;
use landed_app::accounts::{self, Refused};
use landed_app::callers::Signed;
use landed_core::authz::Action;
use landed_store::{Session, Store as _};

use crate::problem::{ApiError, Kind};
use crate::{AppState, Db};

/// The session cookie's name. `__Host-` needs HTTPS, so it is used only behind one.
pub const COOKIE: &str = "landed_session";
/// The `Set-Cookie` value that ends a session in the browser.
pub const CLEARED_COOKIE: &str = "landed_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";

/// The `Set-Cookie` value of a session just opened: HttpOnly, SameSite=Lax, for as long as
/// the session lasts, and Secure when the server is reached over HTTPS.
pub fn session_cookie(state: &AppState, cookie: &str) -> String {
    let secure = state
        .base_url
        .as_deref()
        .is_some_and(|b| b.starts_with("https://"));
    format!(
        "{COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        accounts::SESSION_DAYS * 86_400,
        if secure { "; Secure" } else { "" }
    )
}

/// The header a cookie-authenticated write carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The header a client names a write with, so that retrying it after a lost answer does not
/// make it twice (RELIABILITY T1).
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// The signed-in caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who they are and what they may do.
    pub signed: Arc<Signed>,
    /// The web session, when the caller came with a cookie.
    pub session: Option<Session>,
    /// The write's idempotency key, scoped to the caller (`<person id>:<key>`).
    pub key: Option<String>,
}

impl Caller {
    /// A use-case context acting as the caller, who must be allowed to read.
    pub async fn ctx<'s>(&self, state: &'s AppState) -> Result<Ctx<'s, Db>, ApiError> {
        let mut ctx = Ctx::signed(&state.store, &self.signed, state.now());
        ctx.allow(Action::Read)?;
        ctx.key.clone_from(&self.key);
        Ok(ctx)
    }
}

/// Why a request does not reach its handler: refused, or a write already made under its
/// idempotency key, answered again without writing.
pub enum Stop {
    Refused(ApiError),
    Replayed(Response),
}

impl From<ApiError> for Stop {
    fn from(e: ApiError) -> Stop {
        Stop::Refused(e)
    }
}

impl From<landed_app::AppError> for Stop {
    fn from(e: landed_app::AppError) -> Stop {
        Stop::Refused(e.into())
    }
}

impl From<landed_store::StoreError> for Stop {
    fn from(e: landed_store::StoreError) -> Stop {
        Stop::Refused(e.into())
    }
}

impl IntoResponse for Stop {
    fn into_response(self) -> Response {
        match self {
            Stop::Refused(e) => e.into_response(),
            Stop::Replayed(r) => r,
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Stop;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, Stop> {
        let mut caller = authenticate(parts, state).await?;
        if is_safe(&parts.method) {
            return Ok(caller);
        }
        let Some(value) = parts.headers.get(IDEMPOTENCY_HEADER) else {
            return Ok(caller);
        };
        let key = value
            .to_str()
            .ok()
            .filter(|k| (1..=200).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                ApiError::new(
                    Kind::Invalid,
                    "Idempotency-Key must be 1 to 200 visible ASCII characters (a UUID is good)",
                )
            })?;
        let scoped = format!("{}:{key}", caller.signed.person.id);
        let made = state.store.keyed(&scoped).await?;
        if !made.is_empty() {
            let ctx = caller.ctx(state).await?;
            return Err(Stop::Replayed(crate::api::replay(&ctx, &made).await?));
        }
        caller.key = Some(scoped);
        Ok(caller)
    }
}

/// The caller, from a token or a session cookie (with CSRF checks for cookie writes).
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    let now = state.now();
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::new(
                    Kind::Unauthenticated,
                    "give the token as `Authorization: Bearer ldt_…`",
                )
            })?;
        return match state
            .callers
            .by_token(&state.store, token.trim(), now)
            .await?
        {
            Ok(signed) => Ok(Caller {
                signed,
                session: None,
                key: None,
            }),
            Err(refused) => Err(refused_error(refused)),
        };
    }
    let Some(cookie) = cookie(&parts.headers, COOKIE) else {
        return Err(ApiError::new(
            Kind::Unauthenticated,
            "sign in first: send an API token (`landed token create`) as \
             `Authorization: Bearer …`, or sign in at /api/v1/session",
        ));
    };
    let (session, signed) = match state.callers.by_session(&state.store, &cookie, now).await? {
        Ok(found) => found,
        Err(refused) => return Err(refused_error(refused)),
    };
    if !is_safe(&parts.method) {
        check_csrf(&parts.headers, &session, state)?;
    }
    Ok(Caller {
        signed,
        session: Some(session),
        key: None,
    })
}

fn refused_error(r: Refused) -> ApiError {
    let message = r.message(crate::problem::client_surface());
    match r {
        Refused::TooMany => ApiError::new(Kind::TooManyRequests, message),
        _ => ApiError::new(Kind::Unauthenticated, message),
    }
}

/// Methods that change nothing (and so never need CSRF protection; no GET handler writes).
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A cookie write must carry the session's CSRF token, and a browser must say it comes from
/// this origin (`Sec-Fetch-Site: same-origin`, or an `Origin` equal to the base URL).
fn check_csrf(headers: &HeaderMap, session: &Session, state: &AppState) -> Result<(), ApiError> {
    let token = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    if !csrf_matches(token, session) {
        return Err(ApiError::new(
            Kind::Forbidden,
            "a signed-in write needs its CSRF token in the X-CSRF-Token header",
        ));
    }
    check_origin(headers, state)
}

/// Whether `given` is the session's CSRF token (compared in constant time).
pub fn csrf_matches(given: Option<&str>, session: &Session) -> bool {
    given.is_some_and(|t| constant_time_eq(t.as_bytes(), session.csrf.as_bytes()))
}

/// A browser write must say it comes from this origin: `Sec-Fetch-Site: same-origin` (or
/// `none`, typed by the user), else an `Origin` equal to the base URL when one is set.
pub fn check_origin(headers: &HeaderMap, state: &AppState) -> Result<(), ApiError> {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let cross = match (site, origin) {
        (Some(s), _) => s != "same-origin" && s != "none",
        (None, Some(o)) => state.base_url.as_deref().is_some_and(|b| o != b),
        (None, None) => false,
    };
    if cross {
        return Err(ApiError::new(
            Kind::Forbidden,
            "cross-site writes are refused; use the page of this server",
        ));
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of cookie `name`, if the request has it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}
