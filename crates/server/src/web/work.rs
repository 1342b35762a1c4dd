//! The work of a week: a team's board (moving a card changes its status), my week (the next
//! action and the check-in), and commitment requests between teams (answered with exactly
//! the two answers).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use landed_app::checkin::{self, CheckInInput};
use landed_app::items::{self, Action, ListFilter};
use landed_app::requests::{self, Delivery, RequestView};
use landed_app::views::ItemView;
use landed_app::{AppError, Ctx, Surface};
use landed_core::event::EntityKind;
use landed_core::model::ItemStatus;
use landed_core::rules::Rule;
use landed_store::StoreError;
use serde::Deserialize;

use super::{FormError, Me, Web, WebForm, see_other, url_encode};
use crate::problem::ApiError;
use crate::{AppState, Db};

/// One card of the board.
pub struct Card {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub estimate: String,
    pub flags: Vec<&'static str>,
    pub version: i64,
    /// The moves this card can make from its column, as (action, label).
    pub moves: Vec<(&'static str, &'static str)>,
}

/// One column of the board.
pub struct Column {
    pub title: &'static str,
    pub cards: Vec<Card>,
    /// Cards not shown (the column holds too many for one page).
    pub more: usize,
}

/// At most this many cards in a column of open work.
const CARDS: usize = 50;

#[derive(Template)]
#[template(path = "board.html")]
struct Board {
    me: Me,
    team: String,
    team_names: Vec<String>,
    columns: Vec<Column>,
    error: String,
}

/// The moves a card in `status` can make: the actions the status allows, as (action, label).
pub(super) fn moves(status: ItemStatus) -> Vec<(&'static str, &'static str)> {
    Action::ALL
        .into_iter()
        .filter(|a| a.leads_to(status).is_some())
        .map(|a| {
            let label = match a {
                Action::Start if status == ItemStatus::Blocked => "Unblock and start",
                Action::Start => "Start",
                Action::Done => "Done",
                Action::Block if status == ItemStatus::Blocked => "Block (new reason)",
                Action::Block => "Block",
                Action::Drop => "Drop",
                Action::Reopen => "Reopen",
            };
            (a.as_str(), label)
        })
        .collect()
}

fn card(i: &ItemView, today: jiff::civil::Date) -> Card {
    let mut flags = Vec::new();
    if i.warnings.contains(&Rule::ItemTooBig) {
        flags.push("too big");
    }
    if i.status.overdue(i.due, today) {
        flags.push("overdue");
    }
    if i.status == ItemStatus::Blocked {
        flags.push("blocked");
    }
    if !i.has_ws {
        flags.push("missing what, who or when");
    }
    Card {
        id: i.id.clone(),
        title: i.title.clone(),
        owner: i.owner.as_ref().map_or("—".into(), |o| format!("@{o}")),
        due: i.due.map_or("—".into(), |d| d.to_string()),
        estimate: i
            .estimate_hours
            .map_or("—".into(), |h| format!("{} h", super::goals::hours(h))),
        flags,
        version: i.version,
        moves: moves(i.status),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    team: Option<String>,
}

async fn board_page(
    ctx: &Ctx<'_, Db>,
    me: Me,
    team: Option<&str>,
    error: String,
) -> Result<Board, AppError> {
    let (team, team_names) = super::pick_team(ctx, team).await?;
    let mut columns = vec![
        Column {
            title: "To do",
            cards: Vec::new(),
            more: 0,
        },
        Column {
            title: "Doing",
            cards: Vec::new(),
            more: 0,
        },
        Column {
            title: "Blocked",
            cards: Vec::new(),
            more: 0,
        },
        Column {
            title: "Done",
            cards: Vec::new(),
            more: 0,
        },
    ];
    if !team.is_empty() {
        let today = landed_core::when::today_in(
            ctx.now,
            &landed_core::when::zone_or_utc(&ctx.require_actor()?.tz),
        );
        let items = items::list(
            ctx,
            ListFilter {
                team: Some(team.clone()),
                statuses: vec![
                    ItemStatus::Todo,
                    ItemStatus::Doing,
                    ItemStatus::Blocked,
                    ItemStatus::Done,
                ],
                ..ListFilter::default()
            },
        )
        .await?;
        // Open work due first (undated last); done work latest first.
        let (mut open, mut done): (Vec<&ItemView>, Vec<&ItemView>) =
            items.iter().partition(|i| i.status != ItemStatus::Done);
        open.sort_by_key(|i| (i.due.is_none(), i.due));
        done.sort_by_key(|i| std::cmp::Reverse(i.done_at));
        for i in open.into_iter().chain(done) {
            let column = match i.status {
                ItemStatus::Todo => 0,
                ItemStatus::Doing => 1,
                ItemStatus::Blocked => 2,
                ItemStatus::Done => 3,
                ItemStatus::Dropped => continue,
            };
            columns[column].cards.push(card(i, today));
        }
        // Done shows the last 20; other columns their first cards, and how many more.
        for (column, limit) in columns.iter_mut().zip([CARDS, CARDS, CARDS, 20]) {
            column.more = column.cards.len().saturating_sub(limit);
            column.cards.truncate(limit);
        }
    }
    Ok(Board {
        me,
        team,
        team_names,
        columns,
        error,
    })
}

/// A team's items in columns by status, each card with its owner, due date, estimate and
/// flags, and the moves it can make.
pub async fn board(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<BoardQuery>,
) -> Response {
    let ctx = web.ctx(&state);
    super::page(
        StatusCode::OK,
        board_page(&ctx, web.me(), q.team.as_deref(), String::new()).await,
    )
}

/// A move of a card (or the start button of my week).
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    action: String,
    #[serde(default)]
    reason: String,
    /// The version the page showed: a card someone else changed since is not moved.
    version: Option<i64>,
    /// The board the card was moved on; none from my week.
    team: Option<String>,
    /// `item` when moved from the item's own page.
    back: Option<String>,
    csrf: String,
}

/// Change an item's status; a reason is needed to block or drop. A card that changed since
/// the page was loaded is not moved: the page says what it is now.
pub async fn move_item(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    Path(id): Path<String>,
    WebForm(f): WebForm<MoveForm>,
) -> Response {
    let mut ctx = match web.form_ctx(&headers, &state, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = async {
        let action = Action::parse(&f.action)?;
        if let Some(version) = f.version {
            let r = landed_app::resolve::parse_ref(&id, landed_core::model::RefKind::Item)?;
            let stored = landed_app::resolve::item(ctx.store, r).await?;
            // A card that changed since the page showed it is not moved, whatever the move:
            // the page says what it is now rather than why the move no longer fits.
            if stored.version != version {
                return Err(StoreError::Conflict {
                    entity: id.clone(),
                    expected: version,
                }
                .into());
            }
            ctx.expect = Some((EntityKind::Item, stored.id, version));
        }
        let reason = f.reason.trim();
        items::act(
            &ctx,
            &id,
            action,
            (!reason.is_empty()).then_some(reason),
            None,
        )
        .await
    }
    .await;
    let from_item = f.back.as_deref() == Some("item");
    match result {
        Ok(_) if from_item => see_other(&super::node_href(&id)),
        Ok(_) => see_other(&match &f.team {
            Some(t) => format!("/board?team={}", url_encode(t)),
            None => "/week".into(),
        }),
        Err(e) => {
            let message = match &e {
                AppError::Store(StoreError::Conflict { .. }) => {
                    match items::show(&ctx, &id).await {
                        Ok(now) => format!(
                            "{} changed since you loaded the page: it is now {}{}; nothing was \
                         moved. Check it and move it again.",
                            now.id,
                            now.status,
                            now.owner
                                .as_ref()
                                .map_or(String::new(), |o| format!(", owned by @{o}"))
                        ),
                        Err(_) => e.to_string(),
                    }
                }
                _ if e.to_string().starts_with(&format!("{id} ")) => e.message(Surface::Web),
                _ => format!("{id}: {}", e.message(Surface::Web)),
            };
            let status = ApiError::from(e).kind.status();
            match &f.team {
                _ if from_item => super::page(
                    status,
                    super::items::item_page(&ctx, web.me(), &id, message).await,
                ),
                Some(team) => super::page(
                    status,
                    board_page(&ctx, web.me(), Some(team), message).await,
                ),
                None => super::page(status, week_page(&ctx, web.me(), message).await),
            }
        }
    }
}

/// One line of the check-in form.
pub struct AgendaRow {
    pub id: String,
    pub title: String,
    pub status: String,
    pub due: String,
    pub why: String,
    pub said: String,
    pub note: String,
}

/// One owned goal of the check-in form.
pub struct GoalRow {
    pub id: String,
    pub title: String,
    pub confidence: String,
}

#[derive(Template)]
#[template(path = "week.html")]
struct Week {
    me: Me,
    week: String,
    dates: String,
    open: bool,
    given: String,
    next: Option<NextRow>,
    items: Vec<AgendaRow>,
    goals: Vec<GoalRow>,
    done: String,
    blocked: String,
    needs_help: String,
    changed: Vec<String>,
    error: String,
}

/// The one next action, with a start button when it is not started.
pub struct NextRow {
    pub id: String,
    pub title: String,
    pub why: String,
    pub due: String,
    pub startable: bool,
    pub version: i64,
}

async fn week_page(ctx: &Ctx<'_, Db>, me: Me, error: String) -> Result<Week, AppError> {
    week_view(ctx, me, error, None).await
}

async fn week_view(
    ctx: &Ctx<'_, Db>,
    me: Me,
    error: String,
    given: Option<checkin::CheckInView>,
) -> Result<Week, AppError> {
    let view = match given {
        Some(v) => v,
        None => checkin::agenda(ctx, None, None).await?,
    };
    let next = items::next(ctx, None).await?.map(|n| NextRow {
        id: n.item.id.clone(),
        title: n.item.title.clone(),
        why: n.why.clone(),
        due: n.item.due.map_or("—".into(), |d| d.to_string()),
        startable: n.item.status == ItemStatus::Todo,
        version: n.item.version,
    });
    Ok(Week {
        me,
        week: view.week.to_string(),
        dates: format!("{} to {}", view.monday, view.sunday),
        open: view.open,
        given: view
            .updated_at
            .or(view.given_at)
            .map_or_else(String::new, |t| {
                t.strftime("%Y-%m-%d %H:%M UTC").to_string()
            }),
        next,
        items: view
            .items
            .iter()
            .map(|i| AgendaRow {
                id: i.id.clone(),
                title: i.title.clone(),
                status: i.status.to_string(),
                due: i.due.map_or("—".into(), |d| d.to_string()),
                why: i
                    .why
                    .iter()
                    .map(|w| w.describe())
                    .collect::<Vec<_>>()
                    .join(", "),
                said: i.said_status.map_or_else(String::new, |s| s.to_string()),
                note: i.note.clone().unwrap_or_default(),
            })
            .collect(),
        goals: view
            .goals
            .iter()
            .map(|g| GoalRow {
                id: g.id.clone(),
                title: g.title.clone(),
                confidence: g
                    .confidence
                    .map_or_else(String::new, |c| c.as_str().to_string()),
            })
            .collect(),
        done: view.done.clone().unwrap_or_default(),
        blocked: view.blocked.clone().unwrap_or_default(),
        needs_help: view.needs_help.clone().unwrap_or_default(),
        changed: view.changed.clone(),
        error,
    })
}

/// My week: the one next action (with a start button) and the check-in, prepared.
pub async fn week(State(state): State<AppState>, web: Web) -> Response {
    let ctx = web.ctx(&state);
    super::page(
        StatusCode::OK,
        week_page(&ctx, web.me(), String::new()).await,
    )
}

/// Give (or amend) this week's check-in from the form: `status:I-3`, `note:I-3`,
/// `confidence:G-1`, `done`, `blocked`, `needs_help`.
pub async fn check_in(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> Response {
    let fields: HashMap<&str, &str> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let csrf = fields.get("csrf").copied().unwrap_or_default();
    let ctx = match web.form_ctx(&headers, &state, csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let text = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let mut input = CheckInInput {
        done: text("done"),
        blocked: text("blocked"),
        needs_help: text("needs_help"),
        ..CheckInInput::default()
    };
    for (k, _) in &f {
        if let Some(id) = k.strip_prefix("status:") {
            let status = text(k);
            let note = text(&format!("note:{id}"));
            if status.is_some() || note.is_some() {
                input.items.push(checkin::ItemInput {
                    item: id.to_string(),
                    status,
                    note,
                });
            }
        } else if let Some(id) = k.strip_prefix("confidence:")
            && let Some(c) = text(k)
        {
            input.goals.push(checkin::GoalInput {
                goal: id.to_string(),
                confidence: c,
            });
        }
    }
    match checkin::give(&ctx, &input).await {
        Ok(view) => super::page(
            StatusCode::OK,
            week_view(&ctx, web.me(), String::new(), Some(view)).await,
        ),
        Err(e) => {
            let message = e.message(Surface::Web);
            let status = ApiError::from(e).kind.status();
            super::page(status, week_page(&ctx, web.me(), message).await)
        }
    }
}

/// One request, with whether the person may answer it here.
pub struct RequestRow {
    pub id: String,
    pub deliverable: String,
    pub from_team: String,
    pub to_team: String,
    pub needed_by: String,
    pub for_id: String,
    pub state: String,
    pub overdue: bool,
    pub class: &'static str,
    pub detail: String,
    pub answerable: bool,
    pub action: String,
}

impl RequestRow {
    fn of(r: &RequestView, mine: &[String]) -> RequestRow {
        let mut detail = Vec::new();
        if let Some(item) = &r.item {
            detail.push(format!(
                "delivered by {item}{}",
                r.item_due.map_or(String::new(), |d| format!(", due {d}"))
            ));
        }
        if let Some(note) = &r.note {
            detail.push(format!("“{note}”"));
        }
        if let Some(slip) = &r.last_slip {
            detail.push(slip.clone());
        }
        RequestRow {
            id: r.id.clone(),
            deliverable: r.deliverable.clone(),
            from_team: r.from_team.clone().unwrap_or_else(|| "—".into()),
            to_team: r.to_team.clone(),
            needed_by: r.needed_by.to_string(),
            for_id: r.for_id.clone().unwrap_or_else(|| "—".into()),
            state: r.state.as_str().replace('_', " "),
            overdue: r.overdue,
            class: r.class.as_str(),
            detail: detail.join("; "),
            answerable: r.state == landed_core::model::RequestState::Open
                && mine.contains(&r.to_team),
            action: format!("/requests/{}/answer", url_encode(&r.id)),
        }
    }
}

#[derive(Template)]
#[template(path = "requests.html")]
struct Requests {
    me: Me,
    incoming: Vec<RequestRow>,
    outgoing: Vec<RequestRow>,
    others: Vec<RequestRow>,
    error: FormError,
    error_id: String,
}

async fn requests_page(
    ctx: &Ctx<'_, Db>,
    me: Me,
    error: FormError,
    error_id: String,
) -> Result<Requests, AppError> {
    let (_, mine) = super::team_names(ctx).await?;
    let (mut incoming, mut outgoing, mut others) = (Vec::new(), Vec::new(), Vec::new());
    for r in requests::list(ctx, None, false).await? {
        let row = RequestRow::of(&r, &mine);
        if mine.contains(&r.to_team) {
            incoming.push(row);
        } else if r.from_team.as_ref().is_some_and(|t| mine.contains(t)) {
            outgoing.push(row);
        } else {
            others.push(row);
        }
    }
    Ok(Requests {
        me,
        incoming,
        outgoing,
        others,
        error,
        error_id,
    })
}

/// Commitment requests to and from the person's teams; open ones to their teams can be
/// answered "commit" (owner, date, the delivering item) or "not yet".
pub async fn requests(State(state): State<AppState>, web: Web) -> Response {
    let ctx = web.ctx(&state);
    super::page(
        StatusCode::OK,
        requests_page(&ctx, web.me(), FormError::default(), String::new()).await,
    )
}

/// An answer: `commit` with an owner, a due date and the new item's title, or `not_yet` with
/// a note.
#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    answer: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    note: String,
    csrf: String,
}

pub async fn answer(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    Path(id): Path<String>,
    WebForm(f): WebForm<AnswerForm>,
) -> Response {
    let ctx = match web.form_ctx(&headers, &state, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let given = |t: &str| {
        let t = t.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    let result = match f.answer.as_str() {
        "commit" => {
            requests::commit(
                &ctx,
                &id,
                f.owner.trim(),
                Delivery::Create(f.title.trim().to_string()),
                given(&f.due).as_deref(),
                None,
                None,
            )
            .await
        }
        "not_yet" => requests::not_yet(&ctx, &id, given(&f.note).as_deref()).await,
        other => Err(AppError::NotAllowed(format!(
            "`{other}` is not an answer: a request is answered commit or not yet"
        ))),
    };
    match result {
        Ok(_) => see_other("/requests"),
        Err(e) => {
            let error = FormError::of(&e, "due");
            let status = ApiError::from(e).kind.status();
            super::page(status, requests_page(&ctx, web.me(), error, id).await)
        }
    }
}
