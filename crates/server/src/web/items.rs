//! An item's own page: what, who and when, its status with the moves it can make, the rules
//! it fails, what it needs and what needs it (with their classes), and its history. The
//! dependency map, the board and the goal page link here.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use landed_app::{AppError, Ctx, items};
use landed_core::model::RefKind;

use super::goals::{DepRow, HistoryRow, history_rows};
use super::{Me, Web, url_encode};
use crate::{AppState, Db};

#[derive(Template)]
#[template(path = "item.html")]
pub(super) struct ItemPage {
    me: Me,
    id: String,
    title: String,
    status: String,
    status_reason: String,
    outcome: String,
    owner: String,
    due: String,
    estimate: String,
    actual: String,
    milestone: String,
    goal: String,
    goal_href: String,
    kind: &'static str,
    /// What the item misses to be a step of a plan, and its warnings, in words.
    rules: Vec<String>,
    version: i64,
    moves: Vec<(&'static str, &'static str)>,
    action: String,
    error: String,
    noun: &'static str,
    needs: Vec<DepRow>,
    needed_by: Vec<DepRow>,
    history: Vec<HistoryRow>,
}

fn dash(text: Option<String>) -> String {
    text.unwrap_or_else(|| "—".into())
}

/// The page of item `id`, with `error` (a refused move) on top.
pub(super) async fn item_page(
    ctx: &Ctx<'_, Db>,
    me: Me,
    id: &str,
    error: String,
) -> Result<ItemPage, AppError> {
    let r = landed_app::resolve::parse_ref(id, RefKind::Item)?;
    let item = landed_app::resolve::item(ctx.store, r).await?;
    let view = items::view(ctx, &item).await?;
    let (needs, needed_by) = landed_app::links::of_item(ctx, &item).await?;
    let history = history_rows(ctx, &view.id).await?;
    let hours = |h: Option<f64>| h.map(|h| format!("{} h", super::goals::hours(h)));
    Ok(ItemPage {
        me,
        action: format!("/items/{}/status", url_encode(&view.id)),
        goal_href: view
            .goal
            .as_deref()
            .map(super::node_href)
            .unwrap_or_default(),
        goal: dash(view.goal.clone()),
        id: view.id,
        title: view.title,
        status: view.status.to_string(),
        status_reason: view.status_reason.unwrap_or_default(),
        outcome: dash(view.outcome),
        owner: dash(view.owner.map(|o| format!("@{o}"))),
        due: dash(view.due.map(|d| d.to_string())),
        estimate: dash(hours(view.estimate_hours)),
        actual: dash(hours(view.actual_hours)),
        milestone: dash(view.milestone),
        kind: view.kind.as_str(),
        rules: view
            .missing
            .iter()
            .map(|r| format!("Fails: {}", r.requirement()))
            .chain(
                view.warnings
                    .iter()
                    .map(|r| format!("Warning: {}", r.requirement())),
            )
            .collect(),
        version: view.version,
        moves: super::work::moves(view.status),
        error,
        noun: "item",
        needs: needs.iter().map(DepRow::of).collect(),
        needed_by: needed_by.iter().map(DepRow::of).collect(),
        history,
    })
}

/// One item: what, who, when, status and its moves, rules, dependencies both ways, history.
pub async fn page(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Response {
    let ctx = web.ctx(&state);
    let shown = item_page(&ctx, web.me(), &id, String::new()).await;
    super::page(StatusCode::OK, shown)
}
