//! Forecasts (DESIGN §5): each person's remaining work scheduled into their available hours,
//! through dependencies. The scheduling is `landed_core::forecast`; this gathers the data.

use std::collections::HashMap;

use jiff::civil::Date;
use landed_core::capacity::CapacityPolicy;
use landed_core::forecast;
use landed_core::model::{Goal, Id, Item, Node, RefKind};
use landed_core::when::days_between;
use landed_core::{goal_ref, item_ref, when};
use landed_store::{GoalFilter, ItemFilter, Store};
use serde::Serialize;

use crate::views::Names;
use crate::{Ctx, Result, resolve};

/// One forecast line: an item or a goal.
#[derive(Debug, Clone, Serialize)]
pub struct Predicted {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    /// Its due or target date.
    pub due: Option<Date>,
    /// The forecast finish; none when it cannot be forecast.
    pub finish: Option<Date>,
    /// Days the forecast passes the date (0 when in time).
    pub late_days: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ForecastView {
    pub today: Date,
    pub goals: Vec<Predicted>,
    pub items: Vec<Predicted>,
    /// Open items that cannot be forecast: no owner, no estimate, no available hours, or
    /// waiting on one of those.
    pub unschedulable: Vec<String>,
}

/// Forecast the whole workspace and show a team's or a goal's part (or everything).
///
/// Estimate accuracy is 1.0 for everyone until actual hours are recorded.
pub async fn forecast<S: Store>(
    ctx: &Ctx<'_, S>,
    team: Option<&str>,
    goal: Option<&str>,
) -> Result<ForecastView> {
    let items = ctx.store.items(&ItemFilter::default()).await?;
    let goals = ctx.store.goals(&GoalFilter::default()).await?;
    let people = ctx.store.people().await?;
    let today = when::today_in(
        ctx.now,
        &when::time_zone(&ctx.workspace.tz).unwrap_or(jiff::tz::TimeZone::UTC),
    );

    let mut by_owner: HashMap<Id, Vec<Item>> = HashMap::new();
    for i in &items {
        if let Some(o) = i.owner {
            by_owner.entry(o).or_default().push(i.clone());
        }
    }
    let policy = CapacityPolicy::default();
    let available: HashMap<Id, f64> = people
        .iter()
        .map(|p| {
            let mine = by_owner.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
            (
                p.id,
                crate::capacity::availability(p, mine, today, &policy).1,
            )
        })
        .collect();
    let needs: Vec<(Id, Id)> = crate::links::all_edges(ctx.store)
        .await?
        .into_iter()
        .filter_map(|e| match e {
            (Node::Item(a), Node::Item(b)) => Some((a, b)),
            _ => None,
        })
        .collect();
    let refs: Vec<&Item> = items.iter().collect();
    let result = forecast::forecast(&refs, &needs, &available, &HashMap::new(), today);

    let shown_goals: Vec<&Goal> = match (team, goal) {
        (_, Some(g)) => {
            let r = resolve::parse_ref(g, RefKind::Goal)?;
            let id = resolve::goal(ctx.store, r).await?.id;
            goals.iter().filter(|x| x.id == id).collect()
        }
        (Some(t), None) => {
            let t = resolve::team(ctx.store, t).await?;
            goals.iter().filter(|g| g.team == Some(t.id)).collect()
        }
        (None, None) => goals.iter().collect(),
    };
    let shown_goal_ids: Vec<Id> = shown_goals.iter().map(|g| g.id).collect();
    let everything = team.is_none() && goal.is_none();
    let names = Names::from_lists(&people, &[], &[]);
    let late = |due: Option<Date>, finish: Option<Date>| match (due, finish) {
        (Some(d), Some(f)) if f > d => days_between(d, f),
        _ => 0,
    };
    let goal_lines = shown_goals
        .iter()
        .filter(|g| g.closed.is_none())
        .map(|g| {
            let mine: Vec<&Item> = items.iter().filter(|i| i.goal == Some(g.id)).collect();
            let finish = forecast::goal_finish(&mine, &result);
            Predicted {
                id: goal_ref(g.num).to_string(),
                title: g.title.clone(),
                owner: names.person(g.owner),
                due: g.target.date,
                finish,
                late_days: late(g.target.date, finish),
            }
        })
        .collect();
    let shown = |i: &Item| everything || i.goal.is_some_and(|g| shown_goal_ids.contains(&g));
    let mut item_lines: Vec<Predicted> = items
        .iter()
        .filter(|i| i.status.is_open() && shown(i))
        .map(|i| {
            let finish = result.finish.get(&i.id).copied();
            Predicted {
                id: item_ref(i.num).to_string(),
                title: i.title.clone(),
                owner: names.person(i.owner),
                due: i.due.date,
                finish,
                late_days: late(i.due.date, finish),
            }
        })
        .collect();
    item_lines.sort_by(|a, b| b.late_days.cmp(&a.late_days).then(a.finish.cmp(&b.finish)));
    let nums: HashMap<Id, &Item> = items.iter().map(|i| (i.id, i)).collect();
    Ok(ForecastView {
        today,
        goals: goal_lines,
        items: item_lines,
        unschedulable: result
            .unschedulable
            .iter()
            .filter_map(|id| nums.get(id))
            .filter(|i| shown(i))
            .map(|i| item_ref(i.num).to_string())
            .collect(),
    })
}
