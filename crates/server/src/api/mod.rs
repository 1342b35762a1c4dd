//! `/api/v1`: the routes, and what they share — JSON bodies that refuse unknown fields, ETags
//! and `If-Match`, cursor pagination.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::problem::{ApiError, Kind};

pub mod account;
pub mod formats;
pub mod goals;
pub mod items;
pub mod links;
pub mod org;
pub mod weekly;

/// Every API route.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(account::routes())
        .merge(org::routes())
        .merge(goals::routes())
        .merge(items::routes())
        .merge(links::routes())
        .merge(weekly::routes())
}

/// A JSON body; a malformed, mistyped or oversized one is a problem document, not axum's text.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Body(value))
    }
}

/// Query parameters; bad ones are a problem document.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(value))
    }
}

/// A path parameter; a bad one is a problem document.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(value))
    }
}

/// For PATCH bodies: a field that is absent is `None`, `null` is `Some(None)` (clear it).
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// The ETag of version `version` of the resource `id` (e.g. `"I-12.3"`).
pub fn etag(id: &str, version: i64) -> String {
    format!("\"{id}.{version}\"")
}

/// A JSON answer with its ETag.
pub fn tagged<T: Serialize>(id: &str, version: i64, body: &T) -> Response {
    let mut response = axum::Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag(id, version)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// The version a write expects: `If-Match` (an ETag of ours, or a bare version number) or the
/// body's `version`. Update endpoints refuse writes that say neither (428), so no client
/// overwrites a change it has not seen.
pub fn expected(headers: &HeaderMap, id: &str, body: Option<i64>) -> Result<i64, ApiError> {
    if let Some(value) = headers.get(header::IF_MATCH) {
        let text = value.to_str().unwrap_or("").trim();
        let text = text.trim_start_matches("W/").trim_matches('"');
        let version = match text.rsplit_once('.') {
            Some((rid, v)) if rid.eq_ignore_ascii_case(id) => v.parse().ok(),
            Some(_) => None,
            None => text.parse().ok(),
        };
        return version.ok_or_else(|| {
            ApiError::new(
                Kind::Stale,
                format!("If-Match `{text}` is not an ETag of {id}; read it again and retry"),
            )
        });
    }
    body.ok_or_else(|| {
        ApiError::new(
            Kind::PreconditionRequired,
            format!(
                "say which version of {id} you change: send If-Match with its ETag, or a \
                 `version` field"
            ),
        )
    })
}

/// Cursor pagination: at most `limit` (default 100, at most 1,000) after `cursor` (the last id
/// of the previous page, e.g. `I-200`).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// Continue after this id (the previous page's `next_cursor`).
    #[param(value_type = Option<formats::Cursor>, inline)]
    pub cursor: Option<String>,
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// Make `ctx` refuse writes to the goal, item or request `id` from any version but the one the
/// caller read (`If-Match`, else the body's `version`; see [`expected`]).
pub async fn expect(
    ctx: &mut landed_app::Ctx<'_, crate::Db>,
    headers: &HeaderMap,
    id: &str,
    kind: landed_core::model::RefKind,
    body: Option<i64>,
) -> Result<(), ApiError> {
    use landed_core::event::EntityKind;
    use landed_core::model::RefKind;
    let r = landed_app::resolve::parse_ref(id, kind)?;
    let version = expected(headers, &r.to_string(), body)?;
    let entity = match kind {
        RefKind::Item => (
            EntityKind::Item,
            landed_app::resolve::item(ctx.store, r).await?.id,
        ),
        RefKind::Goal => (
            EntityKind::Goal,
            landed_app::resolve::goal(ctx.store, r).await?.id,
        ),
        RefKind::Request => {
            let request = landed_store::Store::request(ctx.store, r.num)
                .await?
                .ok_or_else(|| ApiError::new(Kind::NotFound, format!("{r} does not exist")))?;
            (EntityKind::Request, request.id)
        }
        other => {
            return Err(ApiError::new(
                Kind::Internal,
                format!("no versioned writes to {other:?} by id"),
            ));
        }
    };
    ctx.expect = Some((entity.0, entity.1, version));
    Ok(())
}

/// Cut a list (in id order) into the page `params` asks for. `key` gives each entry's number.
pub fn page<T: ToSchema>(
    mut all: Vec<T>,
    params: &PageParams,
    id: impl Fn(&T) -> String,
) -> Result<Page<T>, ApiError> {
    let limit = limit(params)?;
    let number = |s: &str| -> Option<i64> { s.rsplit('-').next()?.parse().ok() };
    all.sort_by_key(|t| number(&id(t)).unwrap_or(i64::MAX));
    if let Some(c) = &params.cursor {
        let after = number(c).ok_or_else(|| {
            ApiError::new(
                Kind::Invalid,
                format!(
                    "cursor `{c}` is not an id like I-200; use the previous page's next_cursor"
                ),
            )
        })?;
        all.retain(|t| number(&id(t)).is_some_and(|n| n > after));
    }
    Ok(cut(all, limit, id))
}

/// The page size asked for: 1 to 1,000, 100 unless said.
fn limit(params: &PageParams) -> Result<usize, ApiError> {
    let limit = params.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::new(
            Kind::Invalid,
            format!("limit {limit} is not between 1 and 1000"),
        ));
    }
    Ok(limit)
}

/// Cut a list in bytewise order of `key` (people by handle, teams by name, as the store keeps
/// them) into the page `params` asks for: the entries after the `cursor`, the previous page's
/// last key. Any cursor is a place in that order, so one whose entry has gone still works.
pub fn page_by_key<T: ToSchema>(
    mut all: Vec<T>,
    params: &PageParams,
    key: impl Fn(&T) -> String,
) -> Result<Page<T>, ApiError> {
    let limit = limit(params)?;
    if let Some(c) = &params.cursor {
        let chars = c.chars().count();
        if !(1..=formats::MAX_KEY_CURSOR).contains(&chars) {
            return Err(ApiError::new(
                Kind::Invalid,
                format!(
                    "a cursor is 1 to {} characters, not {chars}; use the previous page's \
                     next_cursor",
                    formats::MAX_KEY_CURSOR
                ),
            ));
        }
        all.retain(|t| key(t).as_str() > c.as_str());
    }
    Ok(cut(all, limit, key))
}

/// Cut a list kept in an order of its own (milestones by date) into the page `params` asks
/// for: the entries after the one whose `key` is the cursor. A cursor naming no entry is 404.
pub fn page_in_order<T: ToSchema>(
    mut all: Vec<T>,
    params: &PageParams,
    key: impl Fn(&T) -> String,
) -> Result<Page<T>, ApiError> {
    let limit = limit(params)?;
    if let Some(c) = &params.cursor {
        let at = all
            .iter()
            .position(|t| key(t).eq_ignore_ascii_case(c))
            .ok_or_else(|| {
                ApiError::new(
                    Kind::NotFound,
                    format!(
                        "cursor `{c}` names nothing in the list (any more); start from the \
                         first page"
                    ),
                )
            })?;
        all.drain(..=at);
    }
    Ok(cut(all, limit, key))
}

/// The first `limit` entries, and the cursor of the next page if there is more.
fn cut<T: ToSchema>(mut all: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Page<T> {
    let more = all.len() > limit;
    all.truncate(limit);
    let next_cursor = more.then(|| all.last().map(&key)).flatten();
    Page {
        items: all,
        next_cursor,
    }
}

/// Any JSON value, for answers whose schema is the command line's `--json` document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(value_type = Object)]
pub struct Doc(pub serde_json::Value);

/// Serialise a view as a [`Doc`].
pub fn doc<T: Serialize>(value: &T) -> Result<Doc, ApiError> {
    serde_json::to_value(value)
        .map(Doc)
        .map_err(|e| ApiError::new(Kind::Internal, format!("cannot encode the answer: {e}")))
}

/// The answer to a write retried with an idempotency key it was already made under: the state
/// of what it wrote (the last entity its events are about), as the route that made it shows
/// it, marked `Idempotent-Replayed: true`. Nothing is written again.
pub async fn replay(
    ctx: &landed_app::Ctx<'_, crate::Db>,
    made: &[landed_core::event::Event],
) -> Result<Response, ApiError> {
    use landed_core::event::{Entity, EventKind};
    use landed_core::{goal_ref, item_ref};
    let Some(last) = made.last().and_then(|e| e.subject()) else {
        return Err(ApiError::new(
            Kind::Internal,
            "a keyed write without events",
        ));
    };
    let mut response = match last {
        Entity::Item(i) => {
            let view = landed_app::items::show(ctx, &item_ref(i.num).to_string()).await?;
            tagged(&view.id, view.version, &view)
        }
        Entity::Goal(g) => {
            let view = landed_app::goals::show(ctx, &goal_ref(g.num).to_string()).await?;
            tagged(&view.id, view.version, &view)
        }
        Entity::Request(r) => {
            let view = landed_app::requests::show(ctx, &format!("R-{}", r.num)).await?;
            axum::Json(doc(&view)?).into_response()
        }
        Entity::CheckIn(_) => {
            // POST /checkins answers 201 whether it gave or amended the week's check-in.
            let view = landed_app::checkin::given(ctx, made).await?;
            (axum::http::StatusCode::CREATED, axum::Json(doc(&view)?)).into_response()
        }
        Entity::Person(p) => axum::Json(crate::api::org::PersonView::from(p)).into_response(),
        Entity::Team(t) => {
            let people = landed_store::Store::people(ctx.store).await?;
            axum::Json(crate::api::org::TeamView::of(t, &people)).into_response()
        }
        other => axum::Json(doc(other)?).into_response(),
    };
    if made.iter().any(|e| e.kind == EventKind::Created) {
        *response.status_mut() = axum::http::StatusCode::CREATED;
    }
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(response)
}
