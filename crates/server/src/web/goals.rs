//! The dashboard (goals by team, the aspiration list, a new goal) and the goal page (the rules
//! checklist with how to fix each, items, dependencies, history, a new item).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use landed_app::goals::{self, GoalInput};
use landed_app::items::{self, ItemInput};
use landed_app::report::{self, GoalReport};
use landed_app::views::{DepView, GoalView};
use landed_app::{AppError, Ctx, history};
use landed_core::plan::{GoalStatus, Progress};
use landed_store::Store as _;
use serde::Deserialize;

use super::{FormError, Me, Web, WebForm, see_other, url_encode};
use crate::problem::ApiError;
use crate::{AppState, Db};

/// A goal's verdict as a badge: its word (never colour alone) and its style.
#[derive(Debug, Clone)]
pub struct Badge {
    pub word: &'static str,
    pub class: &'static str,
}

impl Badge {
    fn of(status: GoalStatus) -> Badge {
        let (word, class) = match status {
            GoalStatus::Plan => ("Plan", "badge plan"),
            GoalStatus::Aspiration => ("Aspiration", "badge aspiration"),
            GoalStatus::Done => ("Done", "badge done"),
            GoalStatus::Dropped => ("Dropped", "badge dropped"),
        };
        Badge { word, class }
    }
}

/// A progress bar: how full (0–100) and what it says in words.
#[derive(Debug, Clone)]
pub struct Bar {
    pub percent: u32,
    pub label: String,
}

impl Bar {
    fn of(p: &Progress) -> Bar {
        let percent = (p.ratio() * 100.0).round().clamp(0.0, 100.0) as u32;
        let label = if p.total_items == 0 {
            "no items yet".to_string()
        } else if p.total_hours > 0.0 {
            format!(
                "{percent}% done: {} of {} h, {} of {} items",
                hours(p.done_hours),
                hours(p.total_hours),
                p.done_items,
                p.total_items
            )
        } else {
            format!(
                "{percent}% done: {} of {} items",
                p.done_items, p.total_items
            )
        };
        Bar { percent, label }
    }

    /// The bar's width class, in steps of 5% (the page allows no inline style).
    pub fn width(&self) -> String {
        format!("w{}", (self.percent / 5) * 5)
    }
}

pub(super) fn hours(h: f64) -> String {
    let rounded = (h * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

fn or_dash(text: Option<impl ToString>) -> String {
    text.map_or_else(|| "—".to_string(), |t| t.to_string())
}

/// One goal on the dashboard.
pub struct GoalRow {
    pub id: String,
    pub href: String,
    pub title: String,
    pub badge: Badge,
    pub owner: String,
    pub target: String,
    pub bar: Bar,
    /// How a plan is doing (`on track`, …), its class, and why; empty for other goals.
    pub health: String,
    pub health_class: &'static str,
    pub health_why: String,
    pub next_step: String,
    pub next_href: String,
}

impl GoalRow {
    fn of(g: &GoalReport) -> GoalRow {
        GoalRow {
            id: g.id.clone(),
            href: super::node_href(&g.id),
            title: g.title.clone(),
            badge: Badge::of(g.status),
            owner: g.owner.as_ref().map_or("—".into(), |o| format!("@{o}")),
            target: or_dash(g.target),
            bar: Bar::of(&g.progress),
            health: g
                .health
                .map_or_else(String::new, |h| h.as_str().replace('_', " ")),
            health_class: g.health.map_or("", |h| h.as_str()),
            health_why: g.health_why.join("; "),
            next_step: g.next_step.as_ref().map_or_else(
                || or_dash(g.no_next_step.as_ref()),
                |n| format!("{} {}", n.id, n.title),
            ),
            next_href: g
                .next_step
                .as_ref()
                .map_or_else(String::new, |n| super::node_href(&n.id)),
        }
    }
}

/// A team's goals on the dashboard.
pub struct TeamGoals {
    pub name: String,
    pub goals: Vec<GoalRow>,
}

/// An aspiration with what it is missing to be a plan.
pub struct AspirationRow {
    pub href: String,
    pub id: String,
    pub title: String,
    pub missing: Vec<String>,
}

/// What the new-goal form holds: kept when it is refused, so nothing typed is lost.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GoalForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    me: Me,
    teams: Vec<TeamGoals>,
    aspirations: Vec<AspirationRow>,
    team_names: Vec<String>,
    people: Vec<String>,
    filter_team: String,
    filter_status: String,
    shown: usize,
    form: GoalForm,
    error: FormError,
}

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    team: Option<String>,
    status: Option<String>,
}

fn status_filter(text: &str) -> Option<GoalStatus> {
    match text {
        "plan" => Some(GoalStatus::Plan),
        "aspiration" => Some(GoalStatus::Aspiration),
        "done" => Some(GoalStatus::Done),
        "dropped" => Some(GoalStatus::Dropped),
        _ => None,
    }
}

async fn dashboard_page(
    ctx: &Ctx<'_, Db>,
    me: Me,
    q: &DashboardQuery,
    form: GoalForm,
    error: FormError,
) -> Result<Dashboard, AppError> {
    let team = q.team.as_deref().filter(|t| !t.is_empty());
    let status = q.status.as_deref().and_then(status_filter);
    let all = report::standing(ctx, team).await?;
    let aspirations = all
        .iter()
        .filter(|g| g.status == GoalStatus::Aspiration)
        .map(|g| AspirationRow {
            href: super::node_href(&g.id),
            id: g.id.clone(),
            title: g.title.clone(),
            missing: g
                .not_a_plan
                .iter()
                .map(|c| c.requirement.to_string())
                .collect(),
        })
        .collect();
    let mut by_team: BTreeMap<String, Vec<GoalRow>> = BTreeMap::new();
    let mut shown = 0;
    for g in all.iter().filter(|g| match status {
        Some(s) => g.status == s,
        // Open goals unless asked for closed ones.
        None => matches!(g.status, GoalStatus::Plan | GoalStatus::Aspiration),
    }) {
        shown += 1;
        by_team
            .entry(g.team.clone().unwrap_or_else(|| "No team".into()))
            .or_default()
            .push(GoalRow::of(g));
    }
    let (team_names, _) = super::team_names(ctx).await?;
    let people = ctx
        .store
        .people()
        .await?
        .into_iter()
        .filter(|p| !p.suspended)
        .map(|p| p.handle)
        .collect();
    Ok(Dashboard {
        me,
        teams: by_team
            .into_iter()
            .map(|(name, goals)| TeamGoals { name, goals })
            .collect(),
        aspirations,
        team_names,
        people,
        filter_team: team.unwrap_or_default().to_string(),
        filter_status: q.status.clone().unwrap_or_default(),
        shown,
        form,
        error,
    })
}

/// Goals by team with their verdict, progress, next step, owner and target; the aspirations
/// with what each is missing; and a form for a new goal.
pub async fn dashboard(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let ctx = web.ctx(&state);
    let shown = dashboard_page(
        &ctx,
        web.me(),
        &q,
        GoalForm::default(),
        FormError::default(),
    )
    .await;
    super::page(StatusCode::OK, shown)
}

fn given(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Make a goal from the dashboard's form; on a refusal, the dashboard again with what was
/// typed and the error beside its field.
pub async fn create(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    WebForm(f): WebForm<GoalForm>,
) -> Response {
    let ctx = match web.form_ctx(&headers, &state, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let input = GoalInput {
        title: f.title.clone(),
        outcome: given(&f.outcome),
        owner: given(&f.owner),
        by: given(&f.by),
        milestone: None,
        team: given(&f.team),
    };
    match goals::add(&ctx, input).await {
        Ok(goal) => see_other(&format!("/goals/{}", url_encode(&goal.id))),
        Err(e) => {
            let error = FormError::of(&e, "by");
            let status = ApiError::from(e).kind.status();
            super::page(
                status,
                dashboard_page(&ctx, web.me(), &DashboardQuery::default(), f, error).await,
            )
        }
    }
}

/// One rule of the goal's checklist.
pub struct CheckRow {
    pub passed: bool,
    pub warning: bool,
    pub mark: &'static str,
    pub requirement: String,
    pub fix: String,
    pub items: String,
}

/// How to fix a goal's own rule on this page, where a form below does it; `None` where the
/// command line's fix is the way (items are edited there).
fn web_fix(rule: landed_core::rules::Rule) -> Option<&'static str> {
    use landed_core::rules::Rule;
    match rule {
        Rule::GoalMissingOwner => Some("name one owner under “Fix the goal” below"),
        Rule::GoalMissingDate => Some("set a target date under “Fix the goal” below"),
        Rule::GoalMissingOutcome => Some("write a measurable outcome under “Fix the goal” below"),
        Rule::GoalNoItems => Some("add the first step under “Add an item” below"),
        _ => None,
    }
}

/// One item on the goal page.
pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub status: String,
    pub owner: String,
    pub due: String,
    pub estimate: String,
    pub flags: Vec<String>,
}

/// One dependency on the goal page, in words.
pub struct DepRow {
    pub from: String,
    pub from_title: String,
    pub from_href: String,
    pub to: String,
    pub to_title: String,
    pub to_href: String,
    pub class: &'static str,
    pub detail: String,
}

impl DepRow {
    pub(super) fn of(d: &DepView) -> DepRow {
        let mut detail = Vec::new();
        if let Some(why) = d.why {
            detail.push(why.describe().to_string());
        }
        if let Some(by) = d.needed_by {
            detail.push(format!("needed by {by}"));
        }
        if let Some(on) = d.delivers {
            detail.push(format!("delivers {on}"));
        }
        DepRow {
            from: d.from.clone(),
            from_title: d.from_title.clone(),
            from_href: super::node_href(&d.from),
            to: d.to.clone(),
            to_title: d.to_title.clone(),
            to_href: super::node_href(&d.to),
            class: d.class.as_str(),
            detail: detail.join(", "),
        }
    }
}

/// The burn-up chart of a goal: done hours climbing towards the scope (all hours of its
/// items), from four weeks back (or the first item done) to the target (or today).
pub struct Burnup {
    pub width: u32,
    pub height: u32,
    /// `x,y x,y …` of the done line.
    pub done: String,
    pub scope_y: u32,
    pub today_x: u32,
    pub target_x: Option<u32>,
    pub start: String,
    pub end: String,
    pub scope: String,
    /// The chart in words, for readers without it.
    pub summary: String,
}

fn burnup(g: &GoalView, today: jiff::civil::Date) -> Option<Burnup> {
    let hours_of =
        |i: &landed_app::views::ItemView| i.estimate_hours.or(i.actual_hours).unwrap_or(1.0);
    let items: Vec<_> = g
        .items
        .iter()
        .filter(|i| i.status != landed_core::model::ItemStatus::Dropped)
        .collect();
    if items.is_empty() {
        return None;
    }
    let scope: f64 = items.iter().map(|i| hours_of(i)).sum();
    let mut done: Vec<(jiff::civil::Date, f64)> = items
        .iter()
        .filter_map(|i| {
            Some((
                i.done_at?.to_zoned(jiff::tz::TimeZone::UTC).date(),
                hours_of(i),
            ))
        })
        .collect();
    done.sort_by_key(|(d, _)| *d);
    let four_weeks = today.checked_sub(jiff::Span::new().days(28)).ok()?;
    let start = done
        .first()
        .map_or(four_weeks, |(d, _)| (*d).min(four_weeks));
    let end = g.target.map_or(today, |t| t.max(today));
    let days = (start.until(end).ok()?.get_days().max(1)) as f64;
    let (w, h, pad) = (600.0_f64, 200.0_f64, 10.0_f64);
    let x = |d: jiff::civil::Date| {
        let n = start.until(d).map(|s| s.get_days()).unwrap_or(0) as f64;
        (pad + n / days * (w - 2.0 * pad)).round() as u32
    };
    let y = |v: f64| (h - pad - v / scope.max(1e-9) * (h - 2.0 * pad)).round() as u32;
    let mut points = vec![format!("{},{}", x(start), y(0.0))];
    let mut sum = 0.0;
    for (d, hrs) in &done {
        points.push(format!("{},{}", x(*d), y(sum)));
        sum += hrs;
        points.push(format!("{},{}", x(*d), y(sum)));
    }
    points.push(format!("{},{}", x(today), y(sum)));
    Some(Burnup {
        width: w as u32,
        height: h as u32,
        done: points.join(" "),
        scope_y: y(scope),
        today_x: x(today),
        target_x: g.target.map(x),
        start: start.to_string(),
        end: end.to_string(),
        scope: format!("{} h", hours(scope)),
        summary: format!(
            "{} of {} h done by {today}{}",
            hours(sum),
            hours(scope),
            g.target.map_or(String::new(), |t| format!("; target {t}"))
        ),
    })
}

/// The history of a goal or item, newest first.
pub(super) async fn history_rows(ctx: &Ctx<'_, Db>, id: &str) -> Result<Vec<HistoryRow>, AppError> {
    Ok(history::history(ctx, id)
        .await?
        .into_iter()
        .rev()
        .map(|h| HistoryRow {
            at: h.at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
            author: h.author.map_or("—".into(), |a| format!("@{a}")),
            kind: h.kind.as_str(),
            reason: h.reason.unwrap_or_default(),
            changes: h
                .changes
                .iter()
                .map(|c| format!("{}: {} → {}", c.field, c.before, c.after))
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect())
}

/// One change in the history of a goal or item.
pub struct HistoryRow {
    pub at: String,
    pub author: String,
    pub kind: &'static str,
    pub reason: String,
    pub changes: String,
}

/// What the new-item form holds, kept when it is refused.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub estimate: String,
    #[serde(default)]
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "goal.html")]
struct GoalPage {
    me: Me,
    id: String,
    action: String,
    title: String,
    outcome: String,
    badge: Badge,
    health: String,
    health_why: Vec<String>,
    owner: String,
    target: String,
    team: String,
    forecast: String,
    bar: Bar,
    next_step: String,
    checklist: Vec<CheckRow>,
    items: Vec<ItemRow>,
    needs: Vec<DepRow>,
    needed_by: Vec<DepRow>,
    history: Vec<HistoryRow>,
    burnup: Option<Burnup>,
    people: Vec<String>,
    form: ItemForm,
    error: FormError,
    fix: GoalFix,
    fix_action: String,
    fix_error: FormError,
}

/// The goal's own fields, to fix its rules in place: owner, target, outcome (and why a
/// committed target moves). Kept as typed when refused.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GoalFix {
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub csrf: String,
}

/// What a goal page shows besides the goal: its two forms as typed, and their errors.
#[derive(Default)]
struct Forms {
    item: ItemForm,
    error: FormError,
    /// `None`: the goal's fields as stored.
    fix: Option<GoalFix>,
    fix_error: FormError,
}

async fn goal_page(
    ctx: &Ctx<'_, Db>,
    me: Me,
    id: &str,
    forms: Forms,
) -> Result<GoalPage, AppError> {
    let Forms {
        item: form,
        error,
        fix,
        fix_error,
    } = forms;
    let g: GoalView = goals::show(ctx, id).await?;
    let fix = fix.unwrap_or_else(|| GoalFix {
        owner: g.owner.clone().unwrap_or_default(),
        by: g.target.map(|d| d.to_string()).unwrap_or_default(),
        outcome: g.outcome.clone().unwrap_or_default(),
        reason: String::new(),
        version: g.version,
        csrf: String::new(),
    });
    let history = history_rows(ctx, &g.id).await?;
    let people = ctx
        .store
        .people()
        .await?
        .into_iter()
        .filter(|p| !p.suspended)
        .map(|p| p.handle)
        .collect();
    let tz = landed_core::when::zone_or_utc(&ctx.require_actor()?.tz);
    let today = landed_core::when::today_in(ctx.now, &tz);
    Ok(GoalPage {
        burnup: burnup(&g, today),
        me,
        action: format!("/goals/{}/items", url_encode(&g.id)),
        id: g.id.clone(),
        title: g.title.clone(),
        outcome: or_dash(g.outcome.as_ref()),
        badge: Badge::of(g.status),
        health: g
            .health
            .map_or_else(String::new, |h| h.as_str().replace('_', " ")),
        health_why: g.health_why.iter().map(ToString::to_string).collect(),
        owner: g.owner.as_ref().map_or("—".into(), |o| format!("@{o}")),
        target: or_dash(g.target),
        team: or_dash(g.team.as_ref()),
        forecast: or_dash(g.forecast),
        bar: Bar::of(&g.progress),
        next_step: or_dash(g.next_step.as_ref()),
        checklist: g
            .checklist
            .iter()
            .map(|c| CheckRow {
                passed: c.passed,
                warning: c.warning,
                mark: match (c.passed, c.warning) {
                    (true, _) => "✓ Passes",
                    (false, true) => "! Warning",
                    (false, false) => "✗ Fails",
                },
                requirement: c.requirement.to_string(),
                fix: web_fix(c.rule).map_or_else(
                    || c.fix.as_deref().unwrap_or_default().to_string(),
                    Into::into,
                ),
                items: c.items.join(", "),
            })
            .collect(),
        items: g
            .items
            .iter()
            .map(|i| {
                let mut flags: Vec<String> = i
                    .missing
                    .iter()
                    .chain(&i.warnings)
                    .map(|r| r.as_str().replace('_', " "))
                    .collect();
                if let Some(reason) = &i.status_reason {
                    flags.push(format!("{}: {reason}", i.status));
                }
                ItemRow {
                    id: i.id.clone(),
                    title: i.title.clone(),
                    status: i.status.to_string(),
                    owner: i.owner.as_ref().map_or("—".into(), |o| format!("@{o}")),
                    due: or_dash(i.due),
                    estimate: i
                        .estimate_hours
                        .map_or("—".into(), |h| format!("{} h", hours(h))),
                    flags,
                }
            })
            .collect(),
        needs: g.needs.iter().map(DepRow::of).collect(),
        needed_by: g.needed_by.iter().map(DepRow::of).collect(),
        history,
        people,
        form,
        error,
        fix_action: format!("/goals/{}/edit", url_encode(&g.id)),
        fix,
        fix_error,
    })
}

/// A goal: verdict, health, the checklist with fixes, items, dependencies both ways, history.
pub async fn page(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Response {
    let ctx = web.ctx(&state);
    let shown = goal_page(&ctx, web.me(), &id, Forms::default()).await;
    super::page(StatusCode::OK, shown)
}

/// Add an item to the goal: What (title), Who (owner), When (due), and an estimate.
pub async fn add_item(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    Path(id): Path<String>,
    WebForm(f): WebForm<ItemForm>,
) -> Response {
    let ctx = match web.form_ctx(&headers, &state, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let input = ItemInput {
        title: f.title.clone(),
        outcome: given(&f.outcome),
        owner: given(&f.owner),
        due: given(&f.due),
        milestone: None,
        estimate: given(&f.estimate),
        goal: Some(id.clone()),
        kind: None,
    };
    match items::add(&ctx, input).await {
        Ok(_) => see_other(&format!("/goals/{}#items", url_encode(&id))),
        Err(e) => {
            let error = FormError::of(&e, "due");
            let status = ApiError::from(e).kind.status();
            let forms = Forms {
                item: f,
                error,
                ..Forms::default()
            };
            super::page(status, goal_page(&ctx, web.me(), &id, forms).await)
        }
    }
}

/// Fix the goal's own rules in place: set or change its owner, target date and outcome. Only
/// what changed is written; moving a committed target needs a reason; a goal changed by
/// someone else since the page loaded is not overwritten.
pub async fn fix(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    Path(id): Path<String>,
    WebForm(f): WebForm<GoalFix>,
) -> Response {
    let mut ctx = match web.form_ctx(&headers, &state, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = async {
        let r = landed_app::resolve::parse_ref(&id, landed_core::model::RefKind::Goal)?;
        let goal = landed_app::resolve::goal(ctx.store, r).await?;
        let now = goals::show(&ctx, &id).await?;
        ctx.expect = Some((landed_core::event::EntityKind::Goal, goal.id, f.version));
        let changed = |typed: &str, stored: Option<String>| {
            let typed = given(typed);
            (typed != stored).then_some(typed)
        };
        let patch = goals::GoalPatch {
            owner: changed(&f.owner, now.owner.clone()),
            by: changed(&f.by, now.target.map(|d| d.to_string())),
            outcome: changed(&f.outcome, now.outcome.clone()),
            ..goals::GoalPatch::default()
        };
        if patch.owner.is_none() && patch.by.is_none() && patch.outcome.is_none() {
            return Ok(());
        }
        let reason = given(&f.reason);
        goals::edit(&ctx, &id, patch, reason.as_deref())
            .await
            .map(|_| ())
    }
    .await;
    match result {
        Ok(()) => see_other(&format!("/goals/{}", url_encode(&id))),
        Err(e) => {
            let stale = matches!(
                e,
                AppError::Store(landed_store::StoreError::Conflict { .. })
            );
            let fix_error = if stale {
                FormError {
                    field: None,
                    message: "this goal was changed since you loaded the page: here it is as \
                              it is now; make your change again"
                        .into(),
                }
            } else {
                FormError::of(&e, "by")
            };
            let status = ApiError::from(e).kind.status();
            let forms = Forms {
                fix: (!stale).then_some(f),
                fix_error,
                ..Forms::default()
            };
            super::page(status, goal_page(&ctx, web.me(), &id, forms).await)
        }
    }
}
