//! Work items: list, read, create, change (with `If-Match`), and change status.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use landed_app::items::{self, Action, Changed, ItemInput, ItemPatch, ListFilter};
use landed_core::model::{ItemKind, ItemStatus, RefKind};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Body, Doc, Page, PageParams, Path, Query, doc, formats, nullable, page, tagged};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::{ApiError, ApiResult, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, change))
        .routes(routes!(status))
        .routes(routes!(capture))
        .routes(routes!(next))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Owner's handle.
    #[param(value_type = Option<formats::Handle>, inline)]
    owner: Option<String>,
    /// Goal id, e.g. G-3.
    #[param(value_type = Option<formats::GoalId>, inline)]
    goal: Option<String>,
    /// Team name: items of its goals and of its people.
    #[param(value_type = Option<formats::TeamName>, inline)]
    team: Option<String>,
    /// `todo`, `doing`, `blocked`, `done` or `dropped` [default: the open ones].
    #[param(value_type = Option<formats::ItemStatus>, inline)]
    status: Option<String>,
    /// `strategic` or `reactive`.
    #[param(value_type = Option<formats::ItemKind>, inline)]
    kind: Option<String>,
    /// How many to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
    /// Continue after this id (the previous page's `next_cursor`).
    #[param(value_type = Option<formats::Cursor>, inline)]
    cursor: Option<String>,
}

/// Items, in id order, a page at a time.
#[utoipa::path(get, path = "/api/v1/items", operation_id = "list_items",
    tag = "items", params(ListParams),
    responses(
        (status = 200, body = Page<Doc>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Caller,
    Query(q): Query<ListParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let statuses = match &q.status {
        Some(s) => vec![word::<ItemStatus>("status", s)?],
        None => Vec::new(),
    };
    let kind = q
        .kind
        .as_deref()
        .map(|k| word::<ItemKind>("kind", k))
        .transpose()?;
    let views = items::list(
        &ctx,
        ListFilter {
            owner: q.owner.clone(),
            goal: q.goal.clone(),
            team: q.team.clone(),
            open: statuses.is_empty(),
            statuses,
            kind,
        },
    )
    .await?;
    let docs = views.iter().map(doc).collect::<Result<Vec<_>, _>>()?;
    let params = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let page = page(docs, &params, |d| {
        d.0["id"].as_str().unwrap_or_default().to_string()
    })?;
    Ok(axum::Json(page).into_response())
}

/// A lowercase word of one of core's enums (`doing`, `reactive`), or a 422 naming the choices.
fn word<T: serde::de::DeserializeOwned>(field: &'static str, text: &str) -> ApiResult<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|_| {
        ApiError::new(
            crate::problem::Kind::Invalid,
            format!("{field} `{text}` is not one of the allowed words (see the API document)"),
        )
    })
}

/// A new item.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// What: the step, in a few words.
    #[schema(value_type = formats::Title)]
    title: String,
    /// What "done" looks like.
    #[schema(value_type = Option<formats::Text>)]
    outcome: Option<String>,
    /// Who: a handle.
    #[schema(value_type = Option<formats::Handle>)]
    owner: Option<String>,
    /// When: a date (2026-12-04, +3d, fri, 2026-W50).
    #[schema(value_type = Option<formats::Date>)]
    due: Option<String>,
    /// When, as a milestone's name (instead of `due`).
    #[schema(value_type = Option<formats::MilestoneName>)]
    milestone: Option<String>,
    /// Estimate, e.g. 6h, 2d.
    #[schema(value_type = Option<formats::Estimate>)]
    estimate: Option<String>,
    /// Its goal, e.g. G-3.
    #[schema(value_type = Option<formats::GoalId>)]
    goal: Option<String>,
    /// `strategic` (default) or `reactive`.
    #[schema(value_type = Option<formats::ItemKind>)]
    kind: Option<String>,
}

/// Create an item.
#[utoipa::path(post, path = "/api/v1/items", operation_id = "create_item",
    tag = "items", request_body = NewItem,
    responses(
        (status = 201, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`")),
        links(
            ("show" = (operation_id = "show_item", parameters(
                ("id" = "$response.body#/id")))),
            ("change" = (operation_id = "change_item", parameters(
                ("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))),
            ("status" = (operation_id = "item_status", parameters(
                ("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn create(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Caller,
    Body(b): Body<NewItem>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let kind = b
        .kind
        .as_deref()
        .map(|k| word::<ItemKind>("kind", k))
        .transpose()?;
    let view = items::add(
        &ctx,
        ItemInput {
            title: b.title,
            outcome: b.outcome,
            owner: b.owner,
            due: b.due,
            milestone: b.milestone,
            estimate: b.estimate,
            goal: b.goal,
            kind,
        },
    )
    .await?;
    let mut response = tagged(&view.id, view.version, &view);
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// One item, with its ETag.
#[utoipa::path(get, path = "/api/v1/items/{id}", operation_id = "show_item", tag = "items",
    params(("id" = inline(formats::ItemId), Path, description = "An item id, e.g. I-12")),
    responses(
        (status = 200, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`")),
        links(
            ("change" = (operation_id = "change_item", parameters(
                ("id" = "$request.path.id"), ("If-Match" = "$response.header.ETag")))),
            ("status" = (operation_id = "item_status", parameters(
                ("id" = "$request.path.id"), ("If-Match" = "$response.header.ETag")))))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn show(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let view = items::show(&ctx, &id).await?;
    Ok(tagged(&view.id, view.version, &view))
}

/// Changes to an item: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemChange {
    #[schema(value_type = Option<formats::Title>)]
    title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<formats::Text>)]
    outcome: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<formats::Handle>)]
    owner: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<formats::Date>)]
    due: Option<Option<String>>,
    #[schema(value_type = Option<formats::MilestoneName>)]
    milestone: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<formats::Estimate>)]
    estimate: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<formats::GoalId>)]
    goal: Option<Option<String>>,
    #[schema(value_type = Option<formats::ItemKind>)]
    kind: Option<String>,
    /// Time it really took.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<formats::Estimate>)]
    actual: Option<Option<String>>,
    /// Why a committed date moves (required for a slip).
    #[schema(value_type = Option<formats::Text>)]
    reason: Option<String>,
    /// The version you read (instead of `If-Match`).
    #[serde(default, deserialize_with = "formats::whole")]
    version: Option<i64>,
}

/// Change an item. Needs `If-Match` (or `version`); a stale one is refused with 412.
#[utoipa::path(patch, path = "/api/v1/items/{id}", operation_id = "change_item",
    tag = "items", request_body = ItemChange,
    params(("id" = inline(formats::ItemId), Path, description = "An item id, e.g. I-12"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    responses(
        (status = 200, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`")),
        links(
            ("status" = (operation_id = "item_status", parameters(
                ("id" = "$request.path.id"), ("If-Match" = "$response.header.ETag")))))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn change(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Body(b): Body<ItemChange>,
) -> ApiResult<Response> {
    let mut ctx = caller.ctx(&state).await?;
    super::expect(&mut ctx, &headers, &id, RefKind::Item, b.version).await?;
    let kind = b
        .kind
        .as_deref()
        .map(|k| word::<ItemKind>("kind", k))
        .transpose()?;
    let view = items::edit(
        &ctx,
        &id,
        ItemPatch {
            title: b.title,
            outcome: b.outcome,
            owner: b.owner,
            due: b.due,
            milestone: b.milestone,
            estimate: b.estimate,
            goal: b.goal,
            kind,
            actual: b.actual,
        },
        b.reason.as_deref(),
    )
    .await?;
    Ok(tagged(&view.id, view.version, &view))
}

/// A status change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    #[schema(value_type = formats::StatusAction)]
    action: String,
    /// Why (required to block or drop).
    #[schema(value_type = Option<formats::Text>)]
    reason: Option<String>,
    /// Time it really took, for `done` (e.g. 5h).
    #[schema(value_type = Option<formats::Estimate>)]
    actual: Option<String>,
    /// The version you read (instead of `If-Match`).
    #[serde(default, deserialize_with = "formats::whole")]
    version: Option<i64>,
}

/// Start, finish, block, drop or reopen an item; or close a goal (`done`, `drop`), as
/// `landed done G-3` does. Needs `If-Match` (or `version`) of the item or goal.
#[utoipa::path(post, path = "/api/v1/items/{id}/status", operation_id = "item_status",
    tag = "items",
    request_body = StatusChange,
    params(("id" = inline(formats::WorkId), Path, description = "An item id, e.g. I-12, or a goal's"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    responses(
        (status = 200, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn status(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Body(b): Body<StatusChange>,
) -> ApiResult<Response> {
    let mut ctx = caller.ctx(&state).await?;
    let kind = match id.parse::<landed_core::model::Ref>() {
        Ok(r) if r.kind == RefKind::Goal => RefKind::Goal,
        _ => RefKind::Item,
    };
    super::expect(&mut ctx, &headers, &id, kind, b.version).await?;
    let action = Action::parse(&b.action)?;
    let changed = items::act(&ctx, &id, action, b.reason.as_deref(), b.actual.as_deref()).await?;
    Ok(match changed {
        Changed::Item(view) => tagged(&view.id, view.version, &view),
        Changed::Goal(view) => tagged(&view.id, view.version, &view),
    })
}

/// A step in one line, as `landed add` takes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// The title with optional words: `due:fri`, `est:2h`, `@handle`, `G-3`, `#reactive`.
    #[schema(value_type = formats::Title)]
    line: String,
}

/// Capture a step from one line (yours unless it names an owner).
#[utoipa::path(post, path = "/api/v1/items/capture", operation_id = "capture_item",
    tag = "items", request_body = Capture,
    responses(
        (status = 201, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`"))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn capture(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Caller,
    Body(b): Body<Capture>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let view = items::capture(&ctx, &b.line).await?;
    let mut response = tagged(&view.id, view.version, &view);
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NextParams {
    /// Whose next action [default: yours].
    #[serde(rename = "for")]
    #[param(rename = "for", value_type = Option<formats::Handle>, inline)]
    for_: Option<String>,
}

/// The one next action for a person, and why; `null` when nothing is open.
#[utoipa::path(get, path = "/api/v1/next", operation_id = "next_action", tag = "items",
    params(NextParams),
    responses(
        (status = 200, body = Option<Doc>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn next(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Caller,
    Query(q): Query<NextParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let next = items::next(&ctx, q.for_.as_deref()).await?;
    Ok(axum::Json(next).into_response())
}
