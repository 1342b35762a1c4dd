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
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Body, Path, expected, formats, nullable, tagged};
use crate::auth::Caller;
use crate::problem::{ApiError, ApiResult, Kind, Problem};
use crate::{AppState, Db};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(people))
        .routes(routes!(person, change_person))
        .routes(routes!(teams))
}

/// A person as the API shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
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
    let id = caller.person.id;
    Ok(axum::Json(Me {
        person: PersonView::from(&caller.person),
        leads: name(&|t| t.lead == id),
        teams: name(&|t| t.lead == id || t.members.contains(&id)),
    })
    .into_response())
}

/// Everyone in the workspace.
#[utoipa::path(get, path = "/api/v1/people", tag = "people",
    responses(
        (status = 200, body = Vec<PersonView>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn people(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let people = landed_store::Store::people(ctx.store).await?;
    let views: Vec<PersonView> = people.iter().map(PersonView::from).collect();
    Ok(axum::Json(views).into_response())
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
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamView {
    pub name: String,
    pub lead: Option<String>,
    pub members: Vec<String>,
    pub protected_share: f64,
    pub version: i64,
}

/// Every team, with its lead and members.
#[utoipa::path(get, path = "/api/v1/teams", tag = "people",
    responses(
        (status = 200, body = Vec<TeamView>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn teams(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let people = landed_store::Store::people(ctx.store).await?;
    let handle = |id| people.iter().find(|p| p.id == id).map(|p| p.handle.clone());
    let views: Vec<TeamView> = landed_store::Store::teams(ctx.store)
        .await?
        .iter()
        .map(|t| TeamView {
            name: t.name.clone(),
            lead: handle(t.lead),
            members: t.members.iter().filter_map(|m| handle(*m)).collect(),
            protected_share: t.protected_share,
            version: t.version,
        })
        .collect();
    Ok(axum::Json(views).into_response())
}
