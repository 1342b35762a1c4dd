//! The caller, people and teams.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use landed_app::org::{self, PersonPatch};
use landed_app::{AppError, resolve};
use landed_core::authz::Role;
use landed_core::event::EntityKind;
use landed_core::model::{Person, Team};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    Body, Doc, Page, PageParams, Path, Query, doc, expected, formats, nullable, page_by_key,
    page_in_order, tagged,
};
use crate::auth::Caller;
use crate::problem::{ApiError, ApiResult, Kind, Problem};
use crate::{AppState, Db};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(people, add_person))
        .routes(routes!(person, change_person))
        .routes(routes!(teams, add_team))
        .routes(routes!(team, change_team))
        .routes(routes!(workspace, change_workspace))
        .routes(routes!(milestones, add_milestone))
}

/// A person as the API shows them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonView {
    pub handle: String,
    pub name: String,
    pub email: Option<String>,
    pub tz: String,
    pub capacity_hours: f64,
    /// `admin`, `member` or `viewer`.
    pub role: String,
    pub suspended: bool,
    pub version: i64,
}

impl From<&Person> for PersonView {
    fn from(p: &Person) -> PersonView {
        PersonView {
            handle: p.handle.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            tz: p.tz.clone(),
            capacity_hours: p.capacity_hours,
            role: p.role.to_string(),
            suspended: p.suspended,
            version: p.version,
        }
    }
}

/// The person a path names. A handle nobody has is a resource that is not there (404); in a
/// body, naming nobody stays invalid input (422).
async fn named(store: &Db, handle: &str) -> ApiResult<Person> {
    resolve::person(store, handle).await.map_err(|e| match e {
        AppError::UnknownPerson { .. } => ApiError::new(Kind::NotFound, e.to_string()),
        e => e.into(),
    })
}

fn person_response(p: &Person) -> Response {
    tagged(&format!("@{}", p.handle), p.version, &PersonView::from(p))
}

/// The signed-in caller, with the teams they lead and belong to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub person: PersonView,
    pub leads: Vec<String>,
    pub teams: Vec<String>,
}

/// Who you are signed in as.
#[utoipa::path(get, path = "/api/v1/me", tag = "people",
    responses(
        (status = 200, body = Me),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let teams = landed_store::Store::teams(ctx.store).await?;
    let name = |pick: &dyn Fn(&Team) -> bool| -> Vec<String> {
        teams
            .iter()
            .filter(|t| pick(t))
            .map(|t| t.name.clone())
            .collect()
    };
    let id = caller.signed.person.id;
    Ok(axum::Json(Me {
        person: PersonView::from(&caller.signed.person),
        leads: name(&|t| t.lead == id),
        teams: name(&|t| t.includes(id)),
    })
    .into_response())
}

/// Everyone in the workspace.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(HandlePage),
    responses(
        (status = 200, body = Page<PersonView>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn people(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HandlePage>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let people = landed_store::Store::people(ctx.store).await?;
    let views: Vec<PersonView> = people.iter().map(PersonView::from).collect();
    let page = page_by_key(views, &q.into(), |p| p.handle.clone())?;
    Ok(axum::Json(page).into_response())
}

/// A page of people: after the handle `cursor`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HandlePage {
    /// How many to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
    /// Continue after this handle (the previous page's `next_cursor`).
    #[param(value_type = Option<formats::KeyCursor>, inline)]
    cursor: Option<String>,
}

impl From<HandlePage> for PageParams {
    fn from(q: HandlePage) -> PageParams {
        PageParams {
            limit: q.limit,
            cursor: q.cursor,
        }
    }
}

/// A new person.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    #[schema(value_type = formats::Handle)]
    handle: String,
    #[schema(value_type = formats::Name)]
    name: String,
    #[schema(value_type = Option<formats::Email>)]
    email: Option<String>,
    /// IANA time zone [default: the workspace's].
    #[schema(value_type = Option<formats::TimeZone>)]
    tz: Option<String>,
    /// Hours a week [default: 40].
    #[schema(minimum = 0, maximum = 168)]
    capacity_hours: Option<f64>,
    #[schema(value_type = Option<formats::Role>)]
    role: Option<Role>,
}

/// Add a person (admins).
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = NewPerson,
    responses(
        (status = 201, body = PersonView,
        headers(("ETag" = String, description = "The version, for `If-Match`"))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn add_person(
    State(state): State<AppState>,
    caller: Caller,
    Body(b): Body<NewPerson>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let p = org::add_person(
        &ctx,
        org::NewPerson {
            handle: b.handle,
            name: b.name,
            email: b.email,
            tz: b.tz,
            capacity_hours: b.capacity_hours,
            role: b.role,
        },
    )
    .await?;
    Ok(created(person_response(&p)))
}

/// A 201 of `response`.
fn created(mut response: Response) -> Response {
    *response.status_mut() = axum::http::StatusCode::CREATED;
    response
}

/// One person, with their ETag.
#[utoipa::path(get, path = "/api/v1/people/{handle}", tag = "people",
    params(("handle" = inline(formats::Handle), Path, description = "A handle, e.g. ana")),
    responses(
        (status = 200, body = PersonView,
        headers(("ETag" = String, description = "The version, for `If-Match`")),
        links(
            ("change" = (operation_id = "change_person", parameters(
                ("handle" = "$request.path.handle"), ("If-Match" = "$response.header.ETag")))))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn person(
    State(state): State<AppState>,
    caller: Caller,
    Path(handle): Path<String>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let p = named(ctx.store, &handle).await?;
    Ok(person_response(&p))
}

/// Changes to a person: absent fields stay; `role` and `suspended` are for admins.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonChange {
    #[schema(value_type = Option<formats::Name>)]
    name: Option<String>,
    /// `null` or blank clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<formats::Email>)]
    email: Option<Option<String>>,
    #[schema(value_type = Option<formats::TimeZone>)]
    tz: Option<String>,
    /// Hours a week, 0–168.
    #[schema(minimum = 0, maximum = 168)]
    capacity_hours: Option<f64>,
    #[schema(value_type = Option<formats::Role>)]
    role: Option<Role>,
    suspended: Option<bool>,
    /// The version you read (instead of `If-Match`).
    #[serde(default, deserialize_with = "formats::whole")]
    version: Option<i64>,
}

/// Change a person (themself, or anyone for an admin). Needs `If-Match` (or `version`).
#[utoipa::path(patch, path = "/api/v1/people/{handle}", tag = "people",
    request_body = PersonChange,
    params(("handle" = inline(formats::Handle), Path, description = "A handle, e.g. ana"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    responses(
        (status = 200, body = PersonView,
        headers(("ETag" = String, description = "The version, for `If-Match`"))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn change_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(handle): Path<String>,
    headers: HeaderMap,
    Body(b): Body<PersonChange>,
) -> ApiResult<Response> {
    let mut ctx = caller.ctx(&state).await?;
    let p = named(ctx.store, &handle).await?;
    let version = expected(&headers, &format!("@{}", p.handle), b.version)?;
    ctx.expect = Some((EntityKind::Person, p.id, version));
    let after = org::edit_person(
        &ctx,
        &handle,
        PersonPatch {
            name: b.name,
            email: b.email,
            tz: b.tz,
            capacity_hours: b.capacity_hours,
            role: b.role,
            suspended: b.suspended,
        },
    )
    .await?;
    Ok(person_response(&after))
}

/// A team as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamView {
    pub name: String,
    pub lead: Option<String>,
    pub members: Vec<String>,
    pub protected_share: f64,
    pub version: i64,
}

/// Every team, with its lead and members.
impl TeamView {
    /// `team` with its people named by their handles.
    pub fn of(team: &Team, people: &[Person]) -> TeamView {
        let handle = |id| people.iter().find(|p| p.id == id).map(|p| p.handle.clone());
        TeamView {
            name: team.name.clone(),
            lead: handle(team.lead),
            members: team.members.iter().filter_map(|m| handle(*m)).collect(),
            protected_share: team.protected_share,
            version: team.version,
        }
    }
}

fn team_response(team: &Team, people: &[Person]) -> Response {
    tagged(&team.name, team.version, &TeamView::of(team, people))
}

/// A page of teams: after the team named `cursor`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NamePage {
    /// How many to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
    /// Continue after this team name (the previous page's `next_cursor`).
    #[param(value_type = Option<formats::KeyCursor>, inline)]
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/teams", tag = "people", params(NamePage),
    responses(
        (status = 200, body = Page<TeamView>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn teams(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NamePage>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let people = landed_store::Store::people(ctx.store).await?;
    let views: Vec<TeamView> = landed_store::Store::teams(ctx.store)
        .await?
        .iter()
        .map(|t| TeamView::of(t, &people))
        .collect();
    let params = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(axum::Json(page_by_key(views, &params, |t| t.name.clone())?).into_response())
}

/// A new team.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    #[schema(value_type = formats::TeamName)]
    name: String,
    /// The lead's handle.
    #[schema(value_type = formats::Handle)]
    lead: String,
    /// Members' handles (the lead is one without being listed).
    #[serde(default)]
    #[schema(value_type = Vec<formats::Handle>)]
    members: Vec<String>,
}

/// Add a team (admins).
#[utoipa::path(post, path = "/api/v1/teams", tag = "people", request_body = NewTeam,
    responses(
        (status = 201, body = TeamView,
        headers(("ETag" = String, description = "The version, for `If-Match`"))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn add_team(
    State(state): State<AppState>,
    caller: Caller,
    Body(b): Body<NewTeam>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let team = org::add_team(&ctx, &b.name, &b.lead, &b.members).await?;
    let people = landed_store::Store::people(ctx.store).await?;
    Ok(created(team_response(&team, &people)))
}

/// The team a path names; a name no team has is 404.
async fn team_named(store: &Db, name: &str) -> ApiResult<Team> {
    resolve::team(store, name).await.map_err(|e| match e {
        AppError::UnknownTeam { .. } => ApiError::new(Kind::NotFound, e.to_string()),
        e => e.into(),
    })
}

#[utoipa::path(get, path = "/api/v1/teams/{name}", tag = "people",
    params(("name" = inline(formats::TeamName), Path, description = "A team's name")),
    responses(
        (status = 200, body = TeamView,
        headers(("ETag" = String, description = "The version, for `If-Match`")),
        links(
            ("change" = (operation_id = "change_team", parameters(
                ("name" = "$request.path.name"), ("If-Match" = "$response.header.ETag")))))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn team(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let team = team_named(ctx.store, &name).await?;
    let people = landed_store::Store::people(ctx.store).await?;
    Ok(team_response(&team, &people))
}

/// Changes to a team.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamChange {
    /// The new lead's handle.
    #[schema(value_type = Option<formats::Handle>)]
    lead: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<formats::Handle>)]
    add_members: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<formats::Handle>)]
    remove_members: Vec<String>,
    /// Share of capacity kept for strategic work (`20%`, `0.2`).
    #[schema(value_type = Option<formats::Share>)]
    protected_share: Option<String>,
    #[serde(default, deserialize_with = "formats::whole")]
    version: Option<i64>,
}

/// Change a team's lead, members or protected time (its lead or admins). Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/teams/{name}", tag = "people",
    operation_id = "change_team", request_body = TeamChange,
    params(("name" = inline(formats::TeamName), Path, description = "A team's name"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    responses(
        (status = 200, body = TeamView,
        headers(("ETag" = String, description = "The version, for `If-Match`"))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn change_team(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
    Body(b): Body<TeamChange>,
) -> ApiResult<Response> {
    let mut ctx = caller.ctx(&state).await?;
    let before = team_named(ctx.store, &name).await?;
    let version = expected(&headers, &before.name, b.version)?;
    ctx.expect = Some((EntityKind::Team, before.id, version));
    let after = org::edit_team(
        &ctx,
        &name,
        org::TeamPatch {
            lead: b.lead,
            add_members: b.add_members,
            remove_members: b.remove_members,
            protected_share: b.protected_share,
        },
    )
    .await?;
    let people = landed_store::Store::people(ctx.store).await?;
    Ok(team_response(&after, &people))
}

/// The workspace's settings.
#[utoipa::path(get, path = "/api/v1/workspace", tag = "people",
    responses(
        (status = 200, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`")),
        links(
            ("change" = (operation_id = "change_workspace", parameters(
                ("If-Match" = "$response.header.ETag")))))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn workspace(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    Ok(tagged("workspace", ctx.workspace.version, &ctx.workspace))
}

/// Changes to the workspace's settings.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceChange {
    #[schema(value_type = Option<formats::Name>)]
    name: Option<String>,
    #[schema(value_type = Option<formats::TimeZone>)]
    tz: Option<String>,
    /// The largest estimate of one step (e.g. `3d`).
    #[schema(value_type = Option<formats::Estimate>)]
    step_limit: Option<String>,
    /// Reactive share assumed for people with no done reactive work (`20%`).
    #[schema(value_type = Option<formats::Share>)]
    reactive_share: Option<String>,
    /// Days after which an open request is overdue.
    #[schema(minimum = 1, maximum = 365)]
    request_overdue_days: Option<i64>,
    #[serde(default, deserialize_with = "formats::whole")]
    version: Option<i64>,
}

/// Change the workspace's settings (admins). Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/workspace", tag = "people",
    operation_id = "change_workspace", request_body = WorkspaceChange,
    params(("If-Match" = Option<String>, Header, description = "The ETag you read")),
    responses(
        (status = 200, body = Doc,
        headers(("ETag" = String, description = "The version, for `If-Match`"))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn change_workspace(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Body(b): Body<WorkspaceChange>,
) -> ApiResult<Response> {
    let mut ctx = caller.ctx(&state).await?;
    let version = expected(&headers, "workspace", b.version)?;
    ctx.expect = Some((EntityKind::Workspace, ctx.workspace.id, version));
    let ws = org::edit_workspace(
        &ctx,
        org::WorkspacePatch {
            name: b.name,
            tz: b.tz,
            step_limit: b.step_limit,
            reactive_share: b.reactive_share,
            request_overdue_days: b.request_overdue_days,
        },
    )
    .await?;
    Ok(tagged("workspace", ws.version, &ws))
}

/// Milestones, in date order as the workspace keeps them.
#[utoipa::path(get, path = "/api/v1/milestones", tag = "people", params(PageParams),
    responses(
        (status = 200, body = Page<Doc>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn milestones(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let all = landed_store::Store::milestones(ctx.store).await?;
    let docs = all.iter().map(doc).collect::<Result<Vec<_>, _>>()?;
    let page = page_in_order(docs, &q, |d| format!("M-{}", d.0["num"]))?;
    Ok(axum::Json(page).into_response())
}

/// A new milestone.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMilestone {
    #[schema(value_type = formats::MilestoneName)]
    name: String,
    #[schema(value_type = formats::Date)]
    date: String,
}

/// Add a milestone: a named date such as a release.
#[utoipa::path(post, path = "/api/v1/milestones", tag = "people", request_body = NewMilestone,
    responses(
        (status = 201, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn add_milestone(
    State(state): State<AppState>,
    caller: Caller,
    Body(b): Body<NewMilestone>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let m = org::add_milestone(&ctx, &b.name, &b.date).await?;
    Ok(created(axum::Json(doc(&m)?).into_response()))
}
