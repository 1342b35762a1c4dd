//! The weekly rhythm: check-ins, the team review, the status report, the accountability
//! figures (DESIGN §4) and the reminders that keep it going (DESIGN §8).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use landed_app::checkin::{self, CheckInInput};
use landed_app::remind::{self, SetupInput};
use landed_app::report::{self, ReportScope};
use landed_app::{review, stats};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Body, Doc, Query, doc, formats};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::{ApiError, ApiResult, Kind, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(agenda, check_in))
        .routes(routes!(team_review))
        .routes(routes!(status_report))
        .routes(routes!(figures))
        .routes(routes!(reminders))
        .routes(routes!(due_reminders))
        .routes(routes!(send_reminders))
        .routes(routes!(reminder_settings))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AgendaParams {
    /// Whose agenda [default: yours].
    #[param(value_type = Option<formats::Handle>, inline)]
    person: Option<String>,
    /// An ISO week, e.g. 2026-W48 [default: this week in their time zone].
    #[param(value_type = Option<formats::Week>, inline)]
    week: Option<String>,
}

/// The check-in agenda of a week: items due, overdue, in progress, blocked, quiet for 14
/// days, goals owned, and what was said already.
#[utoipa::path(get, path = "/api/v1/checkins", tag = "weekly", params(AgendaParams),
    responses(
        (status = 200, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn agenda(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AgendaParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let view = checkin::agenda(&ctx, q.person.as_deref(), q.week.as_deref()).await?;
    Ok(axum::Json(doc(&view)?).into_response())
}

/// A check-in, as `landed_app::checkin::CheckInInput` reads it (this type only documents it):
/// every field may be left out.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CheckIn {
    /// The week [default: this week in your time zone]; only the current week can be
    /// checked in (another is 409).
    #[schema(value_type = Option<formats::Week>)]
    week: Option<String>,
    /// A line per item of yours, at most 500.
    #[serde(default)]
    #[schema(max_items = 500)]
    items: Vec<CheckInLine>,
    #[schema(value_type = Option<formats::Text>)]
    done: Option<String>,
    #[schema(value_type = Option<formats::Text>)]
    blocked: Option<String>,
    #[schema(value_type = Option<formats::Text>)]
    needs_help: Option<String>,
    /// A confidence per open goal you own.
    #[serde(default)]
    goals: Vec<CheckInGoal>,
}

/// One item's line: its status now and a note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CheckInLine {
    #[schema(value_type = formats::ItemId)]
    item: String,
    #[schema(value_type = Option<formats::ItemStatus>)]
    status: Option<String>,
    #[schema(value_type = Option<formats::Text>)]
    note: Option<String>,
}

/// One goal's confidence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CheckInGoal {
    #[schema(value_type = formats::GoalId)]
    goal: String,
    #[schema(value_type = formats::Confidence)]
    confidence: String,
}

/// Check in for your week (or amend this week's check-in): per item a status and a note;
/// overall done, blocked and needs help; a confidence per goal you own. One write.
#[utoipa::path(post, path = "/api/v1/checkins", tag = "weekly", request_body = CheckIn,
    responses(
        (status = 201, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn check_in(
    State(state): State<AppState>,
    caller: Caller,
    Body(input): Body<CheckInInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let view = checkin::give(&ctx, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(doc(&view)?)).into_response())
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReviewParams {
    /// The team.
    #[param(value_type = formats::TeamName, inline)]
    team: String,
    /// An ISO week [default: this week in the lead's time zone].
    #[param(value_type = Option<formats::Week>, inline)]
    week: Option<String>,
}

/// The lead's weekly agenda for a team: blocked items, needs-help, slips with reasons, missed
/// check-ins, dependencies and requests in trouble, overcommitted people, health drops,
/// aspirations.
#[utoipa::path(get, path = "/api/v1/reviews", tag = "weekly", params(ReviewParams),
    responses(
        (status = 200, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn team_review(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ReviewParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let view = review::review(&ctx, &q.team, q.week.as_deref()).await?;
    Ok(axum::Json(doc(&view)?).into_response())
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// One team's goals [default: every goal of the workspace].
    #[param(value_type = Option<formats::TeamName>, inline)]
    team: Option<String>,
    /// The ISO week whose changes are listed [default: this week].
    #[param(value_type = Option<formats::Week>, inline)]
    week: Option<String>,
}

/// The weekly status report: per goal its verdict, health, progress, next step and what
/// changed during the week.
#[utoipa::path(get, path = "/api/v1/reports", tag = "weekly", params(ReportParams),
    responses(
        (status = 200, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn status_report(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ReportParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let scope = q.team.map_or(ReportScope::Workspace, ReportScope::Team);
    let view = report::report(&ctx, scope, q.week.as_deref()).await?;
    Ok(axum::Json(doc(&view)?).into_response())
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsParams {
    /// One team (give at most one of team, person and goal).
    #[param(value_type = Option<formats::TeamName>, inline)]
    team: Option<String>,
    /// One person.
    #[param(value_type = Option<formats::Handle>, inline)]
    person: Option<String>,
    /// One goal.
    #[param(value_type = Option<formats::GoalId>, inline)]
    goal: Option<String>,
    /// A date or a span back from now (-4w, -30d) [default: -4w].
    #[param(value_type = Option<formats::Since>, inline)]
    since: Option<String>,
}

/// Accountability figures over a window, from the event log: on-time rate, mean slip,
/// commitments kept, check-in rate, momentum.
#[utoipa::path(get, path = "/api/v1/stats", tag = "weekly", params(StatsParams),
    responses(
        (status = 200, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn figures(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<StatsParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let named = [&q.team, &q.person, &q.goal]
        .iter()
        .filter(|x| x.is_some())
        .count();
    if named > 1 {
        return Err(ApiError::new(
            Kind::Invalid,
            "give at most one of team, person and goal",
        ));
    }
    let since = stats::since(&ctx, q.since.as_deref().unwrap_or("-4w"))?;
    let of = stats::StatsFor {
        team: q.team,
        person: q.person,
        goal: q.goal,
    };
    let view = stats::stats(&ctx, &of, since).await?;
    Ok(axum::Json(doc(&view)?).into_response())
}

/// `$LANDED_SMTP_URL` of the server: it overrides the stored SMTP server, as for the reminders
/// `landed serve` sends on its own.
fn smtp_env() -> Option<String> {
    std::env::var("LANDED_SMTP_URL").ok()
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RemindersParams {
    /// How many of the latest reminders to list [default: 20; read as 0 to 10,000].
    last: Option<i64>,
}

/// Where reminders go (the workspace's channels and each person's, secrets hidden) and the
/// reminders recorded lately, newest first.
#[utoipa::path(get, path = "/api/v1/reminders", tag = "weekly", params(RemindersParams),
    responses(
        (status = 200, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn reminders(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RemindersParams>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let view = remind::show(&ctx, q.last.unwrap_or(20), smtp_env().as_deref()).await?;
    Ok(axum::Json(doc(&view)?).into_response())
}

/// The reminders due now (check-ins, overdue items, unanswered requests, risky dependencies)
/// and where each would go: what sending them would do, with nothing recorded or sent.
#[utoipa::path(get, path = "/api/v1/reminders/due", tag = "weekly",
    responses(
        (status = 200, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn due_reminders(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let report = remind::run(&ctx, true, smtp_env().as_deref()).await?;
    Ok(axum::Json(doc(&report)?).into_response())
}

/// Send what is due now (workspace admins): each reminder is recorded once and sent once,
/// however often this runs; one that cannot be sent stays pending and is retried.
#[utoipa::path(post, path = "/api/v1/reminders/run", tag = "weekly",
    responses(
        (status = 200, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn send_reminders(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let report = remind::run(&ctx, false, smtp_env().as_deref()).await?;
    Ok(axum::Json(doc(&report)?).into_response())
}

/// Changes to where reminders go: the workspace's channels, or one person's. A field left out
/// stays as it is; `none` (or blank) removes a value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    /// Whose settings [default: the workspace's]: a person's are theirs (or an admin's) to
    /// change, the workspace's its admins'.
    #[schema(value_type = Option<formats::Handle>)]
    person: Option<String>,
    /// The SMTP server (the workspace's only): `smtp://` (STARTTLS), `smtps://`, with
    /// `?tls=none` only for a local relay.
    #[schema(example = "smtp://landed:PASSWORD@mail.example.org:587")]
    smtp_url: Option<String>,
    /// The sender address (the workspace's only).
    #[schema(example = "landed <landed@example.org>")]
    mail_from: Option<String>,
    /// A Slack-compatible webhook, `http://` or `https://`.
    webhook_url: Option<String>,
    /// The webhook signing secret (`whsec_...`).
    webhook_secret: Option<String>,
    /// Make a new random signing secret (it is in the answer, this once).
    #[serde(default)]
    new_secret: bool,
    /// The weekday check-in reminders go out on (`mon` to `sun`) [default: fri].
    #[schema(example = "thu")]
    checkin_day: Option<String>,
    /// Whether the person gets e-mail.
    email: Option<bool>,
}

/// Set where reminders go, for the workspace or one person; every value is checked before
/// anything is stored. Answers the settings as stored, secrets hidden.
#[utoipa::path(patch, path = "/api/v1/reminders/settings", tag = "weekly",
    request_body = ReminderSettings,
    responses(
        (status = 200, body = Doc),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn reminder_settings(
    State(state): State<AppState>,
    caller: Caller,
    Body(b): Body<ReminderSettings>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(&state).await?;
    let input = SetupInput {
        person: b.person,
        smtp_url: b.smtp_url,
        mail_from: b.mail_from,
        webhook_url: b.webhook_url,
        webhook_secret: b.webhook_secret,
        new_secret: b.new_secret,
        checkin_day: b.checkin_day,
        email: b.email,
    };
    let view = remind::setup(&ctx, &input).await?;
    Ok(axum::Json(doc(&view)?).into_response())
}
