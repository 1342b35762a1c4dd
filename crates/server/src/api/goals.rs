//! Goals: list (with verdicts), read (verdict, failing rules, health, forecast), create,
//! change (with `If-Match`) and close.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use landed_app::goals::{self, GoalInput, GoalPatch};
use landed_app::resolve;
use landed_core::model::{Closure, RefKind};
use landed_core::plan::GoalStatus;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Body, Doc, Page, PageParams, Path, Query, doc, formats, nullable, page, tagged};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::{ApiError, ApiResult, Kind, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, change))
        .routes(routes!(close))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Team name.
    #[param(value_type = Option<formats::TeamName>, inline)]
    team: Option<String>,
    /// `plan`, `aspiration`, `done` or `dropped`.
    #[param(value_type = Option<formats::GoalStatus>, inline)]
    status: Option<String>,
    /// How many to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
    /// Continue after this id (the previous page's `next_cursor`).
    #[param(value_type = Option<formats::Cursor>, inline)]
    cursor: Option<String>,
}

/// Goals with their verdict (plan or aspiration), failing rules, progress and next step.
#[utoipa::path(get, path = "/api/v1/goals", operation_id = "list_goals",
    tag = "goals", params(ListParams),
    responses(
        (status = 200, body = Page<Doc>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let status = match q.status.as_deref() {
        None => None,
        Some("plan") => Some(GoalStatus::Plan),
        Some("aspiration") => Some(GoalStatus::Aspiration),
        Some("done") => Some(GoalStatus::Done),
        Some("dropped") => Some(GoalStatus::Dropped),
        Some(other) => {
            return Err(ApiError::new(
                Kind::Invalid,
                format!("status `{other}` is not plan, aspiration, done or dropped"),
            ));
        }
    };
    let summaries = state
        .goal_lists
        .list(&ctx, q.team.as_deref(), status)
        .await?;
    let docs = summaries.iter().map(doc).collect::<Result<Vec<_>, _>>()?;
    let params = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let page = page(docs, &params, |d| {
        d.0["id"].as_str().unwrap_or_default().to_string()
    })?;
    Ok(axum::Json(page).into_response())
}

/// A new goal.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGoal {
    #[schema(value_type = formats::Title)]
    title: String,
    /// The measurable outcome.
    #[schema(value_type = Option<formats::Text>)]
    outcome: Option<String>,
    /// Owner's handle.
    #[schema(value_type = Option<formats::Handle>)]
    owner: Option<String>,
    /// Target date.
    #[schema(value_type = Option<formats::Date>)]
    by: Option<String>,
    /// Target as a milestone's name (instead of `by`).
    #[schema(value_type = Option<formats::MilestoneName>)]
    milestone: Option<String>,
    #[schema(value_type = Option<formats::TeamName>)]
    team: Option<String>,
}

/// Create a goal (an aspiration until every rule of a plan holds).
#[utoipa::path(post, path = "/api/v1/goals", operation_id = "create_goal",
    tag = "goals", request_body = NewGoal,
    responses(
        (status = 201, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`")),
        links(
            ("show" = (operation_id = "show_goal", parameters(
                ("id" = "$response.body#/id")))),
            ("change" = (operation_id = "change_goal", parameters(
                ("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))),
            ("close" = (operation_id = "close_goal", parameters(
                ("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(b): Body<NewGoal>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let view = goals::add(
        &ctx,
        GoalInput {
            title: b.title,
            outcome: b.outcome,
            owner: b.owner,
            by: b.by,
            milestone: b.milestone,
            team: b.team,
        },
    )
    .await?;
    let mut response = tagged(&view.id, view.version, &view);
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// One goal: verdict, failing rules with their fixes, health with reasons, forecast, items and
/// dependencies both ways.
#[utoipa::path(get, path = "/api/v1/goals/{id}", operation_id = "show_goal", tag = "goals",
    params(("id" = inline(formats::GoalId), Path, description = "A goal id, e.g. G-3")),
    responses(
        (status = 200, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`")),
        links(
            ("change" = (operation_id = "change_goal", parameters(
                ("id" = "$request.path.id"), ("If-Match" = "$response.header.ETag")))),
            ("close" = (operation_id = "close_goal", parameters(
                ("id" = "$request.path.id"), ("If-Match" = "$response.header.ETag")))))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let view = goals::show(&ctx, &id).await?;
    Ok(tagged(&view.id, view.version, &view))
}

/// Changes to a goal: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalChange {
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
    by: Option<Option<String>>,
    #[schema(value_type = Option<formats::MilestoneName>)]
    milestone: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<formats::TeamName>)]
    team: Option<Option<String>>,
    /// Why a committed target moves (required for a slip).
    #[schema(value_type = Option<formats::Text>)]
    reason: Option<String>,
    /// The version you read (instead of `If-Match`).
    #[serde(default, deserialize_with = "formats::whole")]
    version: Option<i64>,
}

/// Change a goal. Needs `If-Match` (or `version`); a stale one is refused with 412.
#[utoipa::path(patch, path = "/api/v1/goals/{id}", operation_id = "change_goal",
    tag = "goals", request_body = GoalChange,
    params(("id" = inline(formats::GoalId), Path, description = "A goal id, e.g. G-3"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    responses(
        (status = 200, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`")),
        links(
            ("close" = (operation_id = "close_goal", parameters(
                ("id" = "$request.path.id"), ("If-Match" = "$response.header.ETag")))))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Body(b): Body<GoalChange>,
) -> ApiResult<Response> {
    let mut ctx = caller.ctx(&state).await?;
    super::expect(&mut ctx, &headers, &id, RefKind::Goal, b.version).await?;
    let view = goals::edit(
        &ctx,
        &id,
        GoalPatch {
            title: b.title,
            outcome: b.outcome,
            owner: b.owner,
            by: b.by,
            milestone: b.milestone,
            team: b.team,
        },
        b.reason.as_deref(),
    )
    .await?;
    Ok(tagged(&view.id, view.version, &view))
}

/// How a goal closes.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalClose {
    #[schema(value_type = formats::Closure)]
    how: String,
    /// Why (required to drop).
    #[schema(value_type = Option<formats::Text>)]
    reason: Option<String>,
    /// The version you read (instead of `If-Match`).
    #[serde(default, deserialize_with = "formats::whole")]
    version: Option<i64>,
}

/// Close a goal as done or dropped. Needs `If-Match` (or `version`).
#[utoipa::path(post, path = "/api/v1/goals/{id}/close", operation_id = "close_goal",
    tag = "goals", request_body = GoalClose,
    params(("id" = inline(formats::GoalId), Path, description = "A goal id, e.g. G-3"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    responses(
        (status = 200, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`"))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Body(b): Body<GoalClose>,
) -> ApiResult<Response> {
    let mut ctx = caller.ctx(&state).await?;
    super::expect(&mut ctx, &headers, &id, RefKind::Goal, b.version).await?;
    let closure = match b.how.as_str() {
        "done" => Closure::Done,
        "dropped" => Closure::Dropped,
        other => {
            return Err(ApiError::new(
                Kind::Invalid,
                format!("how `{other}` is not done or dropped"),
            ));
        }
    };
    let r = resolve::parse_ref(&id, RefKind::Goal)?;
    let view = goals::close(&ctx, r, closure, b.reason).await?;
    Ok(tagged(&view.id, view.version, &view))
}
