//! Between teams and over time: dependencies, commitment requests, impact, capacity, forecasts
//! and history (DESIGN §3, §5).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use landed_app::requests::{self, Delivery};
use landed_app::{capacity, forecast, history, links};
use landed_core::model::RefKind;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Body, Doc, Page, PageParams, Path, Query, doc, formats, page, tagged};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::{ApiError, ApiResult, Kind, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(dependencies, depend))
        .routes(routes!(list_requests, ask))
        .routes(routes!(show_request))
        .routes(routes!(answer))
        .routes(routes!(impact))
        .routes(routes!(capacity_grid))
        .routes(routes!(forecasts))
        .routes(routes!(history_of))
}

fn json(value: &impl serde::Serialize) -> ApiResult<Response> {
    Ok(axum::Json(doc(value)?).into_response())
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DependencyParams {
    /// Only those with an end in this team (its goals, their items and its people's items).
    #[param(value_type = Option<formats::TeamName>, inline)]
    team: Option<String>,
    /// How many to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
    /// Continue after this position (the previous page's `next_cursor`). Dependencies have no
    /// ids and come worst first, an order that moves as work does, so a page ends at a
    /// position: `40` after the first 40.
    #[param(value_type = Option<formats::Cursor>, inline)]
    cursor: Option<String>,
}

/// Every dependency (and request made for a goal or item), classified: phantom, late, at risk,
/// ok or met; worst first, a page at a time.
#[utoipa::path(get, path = "/api/v1/dependencies", tag = "links", params(DependencyParams),
    responses(
        (status = 200, body = Page<Doc>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn dependencies(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DependencyParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let docs = links::list(&ctx, q.team.as_deref())
        .await?
        .iter()
        .map(doc)
        .collect::<Result<Vec<_>, _>>()?;
    let params = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    // Paged by position (1-based), keeping the app's order.
    let positions = page((1..=docs.len()).collect(), &params, usize::to_string)?;
    let mut docs: Vec<Option<Doc>> = docs.into_iter().map(Some).collect();
    let items = positions
        .items
        .iter()
        .filter_map(|n| docs.get_mut(n - 1).and_then(Option::take))
        .collect();
    Ok(axum::Json(Page {
        items,
        next_cursor: positions.next_cursor,
    })
    .into_response())
}

/// A new dependency: `from` needs `needs`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDependency {
    /// The dependent goal or item, e.g. G-3 or I-12.
    #[schema(value_type = formats::WorkId)]
    from: String,
    /// What it needs, e.g. I-40.
    #[schema(value_type = formats::WorkId)]
    needs: String,
    /// When it is needed [default: the dependent's own date].
    #[schema(value_type = Option<formats::Date>)]
    by: Option<String>,
}

/// Record that one goal or item needs another (cycles are refused).
#[utoipa::path(post, path = "/api/v1/dependencies", tag = "links", request_body = NewDependency,
    responses(
        (status = 201, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn depend(
    State(state): State<AppState>,
    caller: Caller,
    Body(b): Body<NewDependency>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let view = links::add(&ctx, &b.from, &b.needs, b.by.as_deref()).await?;
    Ok((StatusCode::CREATED, axum::Json(doc(&view)?)).into_response())
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RequestParams {
    /// Requests to or from this team.
    #[param(value_type = Option<formats::TeamName>, inline)]
    team: Option<String>,
    /// Only those still waiting for an answer.
    open: Option<bool>,
    /// How many to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
    /// Continue after this id (the previous page's `next_cursor`).
    #[param(value_type = Option<formats::Cursor>, inline)]
    cursor: Option<String>,
}

/// Commitment requests between teams, with their answers and delivering items; in id order, a
/// page at a time.
#[utoipa::path(get, path = "/api/v1/requests", tag = "links", params(RequestParams),
    responses(
        (status = 200, body = Page<Doc>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list_requests(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RequestParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let views = requests::list(&ctx, q.team.as_deref(), q.open.unwrap_or(false)).await?;
    let params = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let docs = views.iter().map(doc).collect::<Result<Vec<_>, _>>()?;
    let page = page(docs, &params, |d| {
        d.0["id"].as_str().unwrap_or_default().to_string()
    })?;
    Ok(axum::Json(page).into_response())
}

/// A request to another team.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// The asked team.
    #[schema(value_type = formats::TeamName)]
    team: String,
    /// What you need from them.
    #[schema(value_type = formats::Title)]
    deliverable: String,
    /// When you need it.
    #[schema(value_type = formats::Date)]
    by: String,
    /// The goal or item of yours that needs it.
    #[serde(rename = "for")]
    #[schema(value_type = Option<formats::WorkId>)]
    for_: Option<String>,
}

/// Ask a team for a commitment. It is a phantom dependency until they commit.
#[utoipa::path(post, path = "/api/v1/requests", tag = "links", request_body = NewRequest,
    responses(
        (status = 201, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`")),
        links(
            ("show" = (operation_id = "show_request", parameters(
                ("id" = "$response.body#/id")))),
            ("answer" = (operation_id = "answer", parameters(
                ("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn ask(
    State(state): State<AppState>,
    caller: Caller,
    Body(b): Body<NewRequest>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let view = requests::ask(&ctx, &b.team, &b.deliverable, &b.by, b.for_.as_deref()).await?;
    let mut response = tagged(&view.id, view.version, &view);
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// One request.
#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "links",
    params(("id" = inline(formats::RequestId), Path, description = "A request id, e.g. R-2")),
    responses(
        (status = 200, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`")),
        links(
            ("answer" = (operation_id = "answer", parameters(
                ("id" = "$request.path.id"), ("If-Match" = "$response.header.ETag")))))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn show_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let view = requests::show(&ctx, &id).await?;
    Ok(tagged(&view.id, view.version, &view))
}

/// The asked team's answer: exactly one of two. `commit` names its `owner` and what delivers:
/// an existing `item` (which keeps its own date and estimate), or a new one to `create`, due
/// on a date (`due`) or at a `milestone`, not both.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    #[schema(value_type = formats::AnswerWord)]
    answer: String,
    /// For `commit`: who delivers.
    #[schema(value_type = Option<formats::Handle>)]
    owner: Option<String>,
    /// For `commit`: the delivering item, e.g. I-40 ...
    #[schema(value_type = Option<formats::ItemId>)]
    item: Option<String>,
    /// ... or the title of a new item to create.
    #[schema(value_type = Option<formats::Title>)]
    create: Option<String>,
    /// For `commit`: the date (or `milestone`) it lands.
    #[schema(value_type = Option<formats::Date>)]
    due: Option<String>,
    #[schema(value_type = Option<formats::MilestoneName>)]
    milestone: Option<String>,
    /// For `commit` with `create`: the estimate.
    #[schema(value_type = Option<formats::Estimate>)]
    estimate: Option<String>,
    /// For `not_yet`: why, or what would make it possible.
    #[schema(value_type = Option<formats::Text>)]
    note: Option<String>,
    /// The version you read (instead of `If-Match`).
    #[serde(default, deserialize_with = "formats::whole")]
    version: Option<i64>,
}

/// Answer a request made to your team: commit (with who, what and when) or not yet.
#[utoipa::path(post, path = "/api/v1/requests/{id}/answer", tag = "links", request_body = Answer,
    params(("id" = inline(formats::RequestId), Path, description = "A request id, e.g. R-2"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    responses(
        (status = 200, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`"))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Body(b): Body<Answer>,
) -> ApiResult<Response> {
    let mut ctx = caller.ctx(&state).await?;
    super::expect(&mut ctx, &headers, &id, RefKind::Request, b.version).await?;
    let view = match b.answer.as_str() {
        "commit" => {
            let owner = b.owner.as_deref().ok_or_else(|| {
                ApiError::new(Kind::Invalid, "a commitment names its owner: give `owner`")
            })?;
            let delivery = match (b.item, b.create) {
                (Some(i), None) => Delivery::Item(i),
                (None, Some(t)) => Delivery::Create(t),
                _ => {
                    return Err(ApiError::new(
                        Kind::Invalid,
                        "a commitment names its delivering item: give exactly one of `item` and `create`",
                    ));
                }
            };
            requests::commit(
                &ctx,
                &id,
                owner,
                delivery,
                b.due.as_deref(),
                b.milestone.as_deref(),
                b.estimate.as_deref(),
            )
            .await?
        }
        "not_yet" => requests::not_yet(&ctx, &id, b.note.as_deref()).await?,
        other => {
            return Err(ApiError::new(
                Kind::Invalid,
                format!("answer `{other}` is neither commit nor not_yet: there is no third answer"),
            ));
        }
    };
    Ok(tagged(&view.id, view.version, &view))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImpactParams {
    /// What if it landed on this date instead.
    #[param(value_type = Option<formats::Date>, inline)]
    if_due: Option<String>,
}

/// Everything that waits on a goal or item, transitively, grouped by team.
#[utoipa::path(get, path = "/api/v1/impact/{id}", tag = "links", params(ImpactParams,
    ("id" = inline(formats::WorkId), Path, description = "A goal or item id")),
    responses(
        (status = 200, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn impact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ImpactParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    json(&links::impact(&ctx, &id, q.if_due.as_deref()).await?)
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CapacityParams {
    #[param(value_type = Option<formats::TeamName>, inline)]
    team: Option<String>,
    /// Weeks ahead, this one included (1–26, default 6).
    #[param(minimum = 1, maximum = 26)]
    weeks: Option<u32>,
}

/// Load against available hours, person by week, with overcommitted weeks and protected time.
#[utoipa::path(get, path = "/api/v1/capacity", tag = "plans", params(CapacityParams),
    responses(
        (status = 200, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn capacity_grid(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CapacityParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let weeks = q.weeks.unwrap_or(6);
    if !(1..=capacity::MAX_WEEKS).contains(&weeks) {
        return Err(ApiError::new(
            Kind::Invalid,
            format!("weeks {weeks} is not between 1 and {}", capacity::MAX_WEEKS),
        ));
    }
    json(&capacity::grid(&ctx, q.team.as_deref(), weeks).await?)
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ForecastParams {
    #[param(value_type = Option<formats::TeamName>, inline)]
    team: Option<String>,
    #[param(value_type = Option<formats::GoalId>, inline)]
    goal: Option<String>,
}

/// When open work is forecast to finish, from capacity, estimates and dependencies.
#[utoipa::path(get, path = "/api/v1/forecast", tag = "plans", params(ForecastParams),
    responses(
        (status = 200, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn forecasts(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ForecastParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    json(&forecast::forecast(&ctx, q.team.as_deref(), q.goal.as_deref()).await?)
}

/// The history of a goal, item or request, oldest first: every change, its author, time and
/// reason. Paged by the events' positions in the log (`seq`).
#[utoipa::path(get, path = "/api/v1/history/{id}", tag = "plans",
    params(("id" = inline(formats::RecordId), Path, description = "A goal, item or request id"),
        PageParams),
    responses(
        (status = 200, body = Page<Doc>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn history_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<PageParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let lines = history::history(&ctx, &id).await?;
    let docs = lines.iter().map(doc).collect::<Result<Vec<_>, _>>()?;
    let page = page(docs, &q, |d| d.0["seq"].to_string())?;
    Ok(axum::Json(page).into_response())
}
