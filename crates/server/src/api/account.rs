//! API tokens and web sessions: sign in, sign out, create, list and revoke tokens.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use landed_app::accounts::{self, Refused};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Body, Doc, Page, PageParams, Path, Query, doc, formats, page};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::{ApiError, ApiResult, Kind, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in, sign_out))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// A handle and password.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    handle: String,
    password: String,
}

/// A session just opened: its CSRF token goes with every write made with the cookie.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Opened {
    pub handle: String,
    pub csrf_token: String,
    pub expires_at: String,
}

/// Sign in: sets an HttpOnly, SameSite=Lax session cookie. At most 5 failures per account and
/// per address in 15 minutes, then 429.
#[utoipa::path(post, path = "/api/v1/session", tag = "account", request_body = SignIn,
    security(()),
    responses(
        (status = 200, body = Opened),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn sign_in(
    State(state): State<AppState>,
    crate::client::ClientIp(client): crate::client::ClientIp,
    Body(b): Body<SignIn>,
) -> ApiResult<Response> {
    let now = state.now();
    let opened = accounts::sign_in(
        &state.store,
        &b.handle,
        &b.password,
        &client.to_string(),
        now,
    )
    .await?;
    let opened = match opened {
        Ok(o) => o,
        Err(Refused::TooMany) => {
            return Err(ApiError::new(
                Kind::TooManyRequests,
                Refused::TooMany.to_string(),
            ));
        }
        Err(r) => return Err(ApiError::new(Kind::Unauthenticated, r.to_string())),
    };
    let cookie = crate::auth::session_cookie(&state, &opened.cookie);
    let mut response = axum::Json(Opened {
        handle: opened.person.handle,
        csrf_token: opened.session.csrf,
        expires_at: opened.session.expires_at.to_string(),
    })
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Sign out: ends the session of the cookie (its CSRF token is required, as for every write).
#[utoipa::path(delete, path = "/api/v1/session", tag = "account",
    responses(
        (status = 204),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn sign_out(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let Some(session) = caller.session else {
        return Err(ApiError::new(
            Kind::Invalid,
            "this request came with a token, not a session; revoke tokens at /api/v1/tokens/{id}",
        ));
    };
    landed_store::Store::revoke_session(&state.store, session.id, state.now()).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(crate::auth::CLEARED_COOKIE),
    );
    Ok(response)
}

/// A new token.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// A name to recognise it by.
    #[schema(value_type = formats::Name)]
    name: String,
    /// Whose [default: yours]; admins may create tokens for anyone.
    #[schema(value_type = Option<formats::Handle>)]
    person: Option<String>,
    /// Expire after this many days (1–3660) [default: never].
    #[serde(default, deserialize_with = "formats::whole")]
    #[schema(minimum = 1, maximum = 3660)]
    days: Option<i64>,
}

/// Create an API token. The answer holds the token itself, this once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "account", request_body = NewToken,
    responses(
        (status = 201, body = Doc,
        links(
            ("revoke" = (operation_id = "revoke_token", parameters(
                ("id" = "$response.body#/id")))))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Body(b): Body<NewToken>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let made = accounts::create_token(&ctx, b.person.as_deref(), &b.name, b.days).await?;
    let mut response = axum::Json(doc(&made)?).into_response();
    *response.status_mut() = StatusCode::CREATED;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Whose tokens to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TokenParams {
    /// Whose [default: yours]; admins may list anyone's.
    #[param(value_type = Option<formats::Handle>, inline)]
    person: Option<String>,
    /// Everyone's (admins).
    all: Option<bool>,
    /// How many to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
    /// Continue after this token id (the previous page's `next_cursor`).
    #[param(value_type = Option<formats::Cursor>, inline)]
    cursor: Option<String>,
}

/// Tokens (never the tokens themselves): yours, someone's, or everyone's, in id order.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "account", params(TokenParams),
    responses(
        (status = 200, body = Page<Doc>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TokenParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let tokens = accounts::tokens(&ctx, q.person.as_deref(), q.all.unwrap_or(false)).await?;
    let docs = tokens.iter().map(doc).collect::<Result<Vec<_>, _>>()?;
    let params = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let page = page(docs, &params, |d| d.0["id"].to_string())?;
    Ok(axum::Json(page).into_response())
}

/// Revoke a token: yours, or anyone's for an admin.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "account",
    params(("id" = i64, Path, description = "The token's id, from the list")),
    responses(
        (status = 204),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    _headers: HeaderMap,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    accounts::revoke_token(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
