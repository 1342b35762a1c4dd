//! Goals: add, edit, close, list, show and the plan checklist.

use std::sync::{Arc, Mutex, PoisonError};

use landed_core::event::EventKind;
use landed_core::goal_ref;
use landed_core::hash::HashMap;
use landed_core::model::{Closure, Goal, Id, Item, Node, RefKind, When};
use landed_core::plan::{self, GoalStatus};
use landed_core::validate::{self, MAX_TEXT, MAX_TITLE};
use landed_store::{GoalFilter, ItemFilter, Store};

use crate::links::Around;
use crate::views::{CheckView, GoalSummary, GoalView, ItemView, Names};
use crate::{AppError, Ctx, Result, resolve};

/// What `landed goal add` takes. Text fields are as typed.
#[derive(Debug, Clone, Default)]
pub struct GoalInput {
    pub title: String,
    pub outcome: Option<String>,
    pub owner: Option<String>,
    pub by: Option<String>,
    pub milestone: Option<String>,
    pub team: Option<String>,
}

/// Changes to a goal; `Some(None)` clears a field.
#[derive(Debug, Clone, Default)]
pub struct GoalPatch {
    pub title: Option<String>,
    pub outcome: Option<Option<String>>,
    pub owner: Option<Option<String>>,
    pub by: Option<Option<String>>,
    pub milestone: Option<String>,
    pub team: Option<Option<String>>,
}

impl GoalPatch {
    fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.outcome.is_none()
            && self.owner.is_none()
            && self.by.is_none()
            && self.milestone.is_none()
            && self.team.is_none()
    }
}

/// Resolve a date or a milestone into a `When`; `current` stays when neither is given.
pub(crate) async fn when<S: Store>(
    ctx: &Ctx<'_, S>,
    date: Option<Option<&str>>,
    milestone: Option<&str>,
    current: When,
) -> Result<When> {
    match (date, milestone) {
        (Some(Some(_)), Some(_)) => Err(AppError::DateAndMilestone),
        (_, Some(name)) => Ok(When::at_milestone(
            &resolve::milestone(ctx.store, name).await?,
        )),
        (Some(Some(text)), None) => Ok(When::on(ctx.date(text)?)),
        (Some(None), None) => Ok(When::NONE),
        (None, None) => Ok(current),
    }
}

async fn owner<S: Store>(ctx: &Ctx<'_, S>, handle: Option<&str>) -> Result<Option<i64>> {
    match handle {
        Some(h) => Ok(Some(resolve::person(ctx.store, h).await?.id)),
        None => Ok(None),
    }
}

async fn team<S: Store>(ctx: &Ctx<'_, S>, name: Option<&str>) -> Result<Option<i64>> {
    match name {
        Some(n) => Ok(Some(resolve::team(ctx.store, n).await?.id)),
        None => Ok(None),
    }
}

fn outcome(text: Option<&str>) -> Result<Option<String>> {
    Ok(match text {
        Some(t) => validate::optional("outcome", t, MAX_TEXT)?,
        None => None,
    })
}

pub async fn add<S: Store>(ctx: &Ctx<'_, S>, input: GoalInput) -> Result<GoalView> {
    let goal = Goal {
        id: 0,
        num: 0,
        title: validate::required("title", &input.title, MAX_TITLE)?,
        outcome: outcome(input.outcome.as_deref())?,
        owner: owner(ctx, input.owner.as_deref()).await?,
        target: when(
            ctx,
            input.by.as_deref().map(Some),
            input.milestone.as_deref(),
            When::NONE,
        )
        .await?,
        team: team(ctx, input.team.as_deref()).await?,
        closed: None,
        close_reason: None,
        created_at: ctx.now,
        updated_at: ctx.now,
        version: 0,
    };
    let goal = ctx.create(goal).await?;
    show_goal(ctx, goal).await
}

/// Apply a patch. Moving a committed target date needs a reason and is recorded as a slip or
/// a pull-in.
pub async fn edit<S: Store>(
    ctx: &Ctx<'_, S>,
    id: &str,
    patch: GoalPatch,
    reason: Option<&str>,
) -> Result<GoalView> {
    if patch.is_empty() {
        return Err(AppError::NothingToChange);
    }
    let r = resolve::parse_ref(id, RefKind::Goal)?;
    let before = resolve::goal(ctx.store, r).await?;
    let mut after = before.clone();
    if let Some(t) = &patch.title {
        after.title = validate::required("title", t, MAX_TITLE)?;
    }
    if let Some(o) = &patch.outcome {
        after.outcome = outcome(o.as_deref())?;
    }
    if let Some(o) = &patch.owner {
        after.owner = owner(ctx, o.as_deref()).await?;
    }
    if let Some(t) = &patch.team {
        after.team = team(ctx, t.as_deref()).await?;
    }
    after.target = when(
        ctx,
        patch.by.as_ref().map(|b| b.as_deref()),
        patch.milestone.as_deref(),
        before.target,
    )
    .await?;
    let reason = validate::optional("reason", reason.unwrap_or(""), MAX_TEXT)?;
    let kind =
        crate::items::dated_change(r, before.target.date, after.target.date, reason.as_ref())?;
    let meta = ctx.meta(kind).with_reason(reason);
    let goal = ctx.update(&meta, before, after).await?;
    show_goal(ctx, goal).await
}

/// Close a goal as done or dropped. Dropping needs a reason.
pub async fn close<S: Store>(
    ctx: &Ctx<'_, S>,
    r: landed_core::model::Ref,
    closure: Closure,
    reason: Option<String>,
) -> Result<GoalView> {
    let before = resolve::goal(ctx.store, r).await?;
    if let Some(c) = before.closed {
        let status = if c == Closure::Done {
            "done"
        } else {
            "dropped"
        };
        return Err(AppError::BadTransition {
            what: r,
            status,
            hint: "it is already closed",
        });
    }
    if closure == Closure::Dropped && reason.is_none() {
        return Err(AppError::ReasonRequired {
            what: r,
            status: "dropped",
        });
    }
    let mut after = before.clone();
    after.closed = Some(closure);
    after.close_reason = reason.clone();
    let kind = if closure == Closure::Done {
        EventKind::Done
    } else {
        EventKind::Dropped
    };
    let meta = ctx.meta(kind).with_reason(reason);
    let goal = ctx.update(&meta, before, after).await?;
    show_goal(ctx, goal).await
}

/// Goals with their verdicts, optionally of one team or one status.
pub async fn list<S: Store>(
    ctx: &Ctx<'_, S>,
    team_name: Option<&str>,
    status: Option<GoalStatus>,
) -> Result<Vec<GoalSummary>> {
    let team = team(ctx, team_name).await?;
    let all = summaries(ctx, team).await?;
    Ok(of_status(&all, status))
}

fn of_status(all: &[GoalSummary], status: Option<GoalStatus>) -> Vec<GoalSummary> {
    all.iter()
        .filter(|s| status.is_none_or(|st| s.status == st))
        .cloned()
        .collect()
}

/// The summaries of every goal, or of one team's.
async fn summaries<S: Store>(ctx: &Ctx<'_, S>, team: Option<Id>) -> Result<Vec<GoalSummary>> {
    let goals = ctx
        .store
        .goals(&GoalFilter {
            team,
            ..GoalFilter::default()
        })
        .await?;
    // All goals' items are simply all items; a team's goals name theirs.
    let goal_ids = team.map(|_| goals.iter().map(|g| g.id).collect());
    let items = ctx
        .store
        .items(&ItemFilter {
            goals: goal_ids,
            by_goal: true,
            ..ItemFilter::default()
        })
        .await?;
    let mut by_goal: HashMap<i64, Vec<&Item>> = HashMap::default();
    for i in &items {
        by_goal
            .entry(i.goal.unwrap_or_default())
            .or_default()
            .push(i);
    }
    let names = Names::load(ctx.store, goals.iter().filter_map(|g| g.owner)).await?;
    let policy = ctx.policy();
    Ok(goals
        .iter()
        .map(|g| {
            GoalSummary::new(
                g,
                by_goal.get(&g.id).map(Vec::as_slice).unwrap_or(&[]),
                &policy,
                &names,
            )
        })
        .collect())
}

/// At most this many lists are kept; past it they are dropped and read again as asked for.
const MAX_KEPT_LISTS: usize = 1_024;

/// Goal lists kept between writes, for a server whose dashboards are read far more often than
/// goals change. A list is kept with the newest event it was read after
/// ([`Store::last_event_seq`], read first): every write appends an event in its transaction,
/// whichever process makes it, so a list read before the newest event is read again. A summary
/// depends on nothing else (not on the day), and who may read it was checked already.
#[derive(Debug, Default)]
pub struct KeptLists {
    /// By team (`None`: every goal): the newest event then, and the list.
    kept: Mutex<HashMap<Option<Id>, Kept>>,
}

type Kept = (i64, Arc<[GoalSummary]>);

impl KeptLists {
    pub fn new() -> KeptLists {
        KeptLists::default()
    }

    /// [`list`], answered from memory when nothing was written since it was read.
    pub async fn list<S: Store>(
        &self,
        ctx: &Ctx<'_, S>,
        team_name: Option<&str>,
        status: Option<GoalStatus>,
    ) -> Result<Vec<GoalSummary>> {
        let team = team(ctx, team_name).await?;
        let seq = ctx.store.last_event_seq().await?;
        let lock = || self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let found = lock()
            .get(&team)
            .filter(|(at, _)| *at == seq)
            .map(|(_, all)| all.clone());
        let all = match found {
            Some(all) => all,
            None => {
                let all: Arc<[GoalSummary]> = summaries(ctx, team).await?.into();
                let mut kept = lock();
                if kept.get(&team).is_none_or(|(at, _)| *at < seq) {
                    if kept.len() >= MAX_KEPT_LISTS {
                        kept.clear();
                    }
                    kept.insert(team, (seq, all.clone()));
                }
                all
            }
        };
        Ok(of_status(&all, status))
    }
}

pub async fn show<S: Store>(ctx: &Ctx<'_, S>, id: &str) -> Result<GoalView> {
    let r = resolve::parse_ref(id, RefKind::Goal)?;
    show_goal(ctx, resolve::goal(ctx.store, r).await?).await
}

async fn show_goal<S: Store>(ctx: &Ctx<'_, S>, goal: Goal) -> Result<GoalView> {
    let items = ctx
        .store
        .items(&ItemFilter {
            goals: Some(vec![goal.id]),
            ..ItemFilter::default()
        })
        .await?;
    let policy = ctx.policy();
    let verdict = plan::evaluate_goal(&goal, &items, &policy);
    let mut nodes = vec![Node::Goal(goal.id)];
    nodes.extend(items.iter().map(|i| Node::Item(i.id)));
    let deps = ctx.store.dependencies(Some(&nodes)).await?;
    let mut around = Around::load(ctx.store, &deps).await?;
    let names = Names::load(
        ctx.store,
        items
            .iter()
            .filter_map(|i| i.owner)
            .chain(goal.owner)
            .chain(around.owners())
            .collect::<Vec<_>>(),
    )
    .await?;
    let nums: HashMap<i64, i64> = items.iter().map(|i| (i.id, i.num)).collect();
    // The goal's forecast, and those of the items at the ends of its dependencies (a supplier
    // forecast to finish after it is needed is at risk).
    let kept = if goal.closed.is_none() {
        let mut wanted = vec![Node::Goal(goal.id)];
        wanted.extend(around.items.keys().map(|id| Node::Item(*id)));
        crate::forecast::of(ctx, &wanted).await?
    } else {
        HashMap::default()
    };
    let (forecast, forecast_incomplete) = kept
        .get(&Node::Goal(goal.id))
        .copied()
        .unwrap_or((None, false));
    around.forecast = kept
        .iter()
        .filter_map(|(n, (finish, _))| match n {
            Node::Item(id) => Some((*id, (*finish)?)),
            Node::Goal(_) => None,
        })
        .collect();
    let (mut needs, mut needed_by) = (Vec::new(), Vec::new());
    let today = ctx.today();
    for d in &deps {
        let view = around.view(d, &policy, &names, today);
        if nodes.contains(&d.from) {
            needs.push(view);
        } else {
            needed_by.push(view);
        }
    }
    // Requests made for the goal or its items stand as dependencies too.
    needs.extend(crate::links::request_deps(ctx, Some(&nodes)).await?);
    let (health, health_reasons) = if verdict.status == GoalStatus::Plan {
        let refs: Vec<&landed_core::model::Item> = items.iter().collect();
        let classes: Vec<_> = needs.iter().map(|d| d.class).collect();
        let tz = jiff::tz::TimeZone::UTC;
        let blocked_since =
            |i: &landed_core::model::Item| Some(landed_core::when::today_in(i.updated_at, &tz));
        let (h, why) = landed_core::health::goal_health(&landed_core::health::HealthFacts {
            target: goal.target.date,
            items: &refs,
            blocked_since: &blocked_since,
            needs: &classes,
            forecast,
            forecast_incomplete,
            today,
            blocked_days: 3,
        });
        (Some(h), why)
    } else {
        (None, Vec::new())
    };
    Ok(GoalView {
        id: goal_ref(goal.num).to_string(),
        health,
        health_why: health_reasons.iter().map(|r| r.describe().into()).collect(),
        health_reasons,
        forecast,
        title: goal.title.clone(),
        outcome: goal.outcome.clone(),
        status: verdict.status,
        failing: verdict.failing.clone(),
        warnings: verdict.warnings.clone(),
        owner: names.person(goal.owner),
        target: goal.target.date,
        milestone: goal
            .target
            .milestone
            .and_then(|m| names.milestones.get(&m).cloned()),
        team: goal.team.and_then(|t| names.teams.get(&t).cloned()),
        close_reason: goal.close_reason.clone(),
        progress: plan::progress(&items),
        next_step: landed_core::next::next_step(&items)
            .map(|i| format!("{} {}", landed_core::item_ref(i.num), i.title)),
        items: items
            .iter()
            .map(|i| ItemView::new(i, Some(goal.num), goal.target.date, &policy, &names))
            .collect(),
        checklist: plan::checklist(&verdict)
            .iter()
            .map(|l| CheckView::new(l, &nums))
            .collect(),
        needs,
        needed_by,
        version: goal.version,
    })
}
