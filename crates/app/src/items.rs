//! Work items: add, quick capture, edit (slips need reasons), status changes, list, show, next.

use landed_core::capture::parse_capture;
use landed_core::event::EventKind;
use landed_core::hash::HashMap;
use landed_core::model::{Closure, Goal, Id, Item, ItemKind, ItemStatus, Ref, RefKind, When};
use landed_core::next::{Candidate, next_action};
use landed_core::plan::{self, GoalStatus};
use landed_core::slip::{self, DateChange};
use landed_core::validate::{self, MAX_TEXT, MAX_TITLE};
use landed_core::when::parse_estimate;
use landed_store::{GoalFilter, ItemFilter, Store};
use serde::Serialize;

use crate::goals::when;
use crate::views::{GoalView, ItemView, Names};
use crate::{AppError, Ctx, Result, resolve};

/// What `landed item add` takes. Text fields are as typed.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub title: String,
    pub outcome: Option<String>,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub milestone: Option<String>,
    pub estimate: Option<String>,
    pub goal: Option<String>,
    pub kind: Option<ItemKind>,
}

/// Changes to an item; `Some(None)` clears a field.
#[derive(Debug, Clone, Default)]
pub struct ItemPatch {
    pub title: Option<String>,
    pub outcome: Option<Option<String>>,
    pub owner: Option<Option<String>>,
    pub due: Option<Option<String>>,
    pub milestone: Option<String>,
    pub estimate: Option<Option<String>>,
    pub goal: Option<Option<String>>,
    pub kind: Option<ItemKind>,
    /// Hours it really took (for a done item).
    pub actual: Option<Option<String>>,
}

impl ItemPatch {
    fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.outcome.is_none()
            && self.owner.is_none()
            && self.due.is_none()
            && self.milestone.is_none()
            && self.estimate.is_none()
            && self.goal.is_none()
            && self.kind.is_none()
            && self.actual.is_none()
    }
}

/// The event kind of a change from one date to another, refusing to move a committed date
/// without a reason (DESIGN §4: once committed, every change is a slip or a pull-in).
pub(crate) fn dated_change(
    what: Ref,
    before: Option<jiff::civil::Date>,
    after: Option<jiff::civil::Date>,
    reason: Option<&String>,
) -> Result<EventKind> {
    let change = slip::date_change(before, after);
    if let (Some(change), None) = (change, reason) {
        return Err(AppError::SlipNeedsReason { what, change });
    }
    Ok(match change {
        Some(DateChange::Slip { .. }) => EventKind::Slipped,
        Some(DateChange::PullIn { .. }) => EventKind::PulledIn,
        Some(DateChange::Uncommitted { .. }) => EventKind::Uncommitted,
        None => EventKind::Updated,
    })
}

async fn goal_of<S: Store>(ctx: &Ctx<'_, S>, text: &str) -> Result<Goal> {
    let r = resolve::parse_ref(text, RefKind::Goal)?;
    resolve::goal(ctx.store, r).await
}

fn estimate(text: Option<&str>) -> Result<Option<f64>> {
    Ok(text.map(parse_estimate).transpose()?)
}

/// Time an item took, as typed (`5h`, `90m`, `1.5d`): read like an estimate, named as what it is.
fn spent(text: Option<&str>) -> Result<Option<f64>> {
    estimate(text).map_err(|e| match e {
        AppError::When(_) => validate::Invalid {
            field: "actual",
            problem: format!(
                "cannot read `{}` as time spent; write it like 5h, 90m or 1.5d (a day is 8 hours)",
                text.unwrap_or_default()
            ),
        }
        .into(),
        other => other,
    })
}

pub async fn add<S: Store>(ctx: &Ctx<'_, S>, input: ItemInput) -> Result<ItemView> {
    let (item, goal) = prepare(ctx, input).await?;
    let item = ctx.create(item).await?;
    view_with_goal(ctx, &item, goal.as_ref()).await
}

/// A new item from what was typed, checked and ready to store (with its goal, if any).
pub(crate) async fn prepare<S: Store>(
    ctx: &Ctx<'_, S>,
    input: ItemInput,
) -> Result<(Item, Option<Goal>)> {
    let goal = match &input.goal {
        Some(g) => Some(goal_of(ctx, g).await?),
        None => None,
    };
    let owner = match &input.owner {
        Some(h) => Some(resolve::person(ctx.store, h).await?.id),
        None => None,
    };
    let item = Item {
        id: 0,
        num: 0,
        title: validate::required("title", &input.title, MAX_TITLE)?,
        outcome: validate::optional("outcome", input.outcome.as_deref().unwrap_or(""), MAX_TEXT)?,
        owner,
        due: when(
            ctx,
            input.due.as_deref().map(Some),
            input.milestone.as_deref(),
            When::NONE,
        )
        .await?,
        estimate_hours: estimate(input.estimate.as_deref())?,
        status: ItemStatus::Todo,
        status_reason: None,
        actual_hours: None,
        done_at: None,
        // Work toward a goal is strategic; loose work is whatever the caller says, else strategic.
        kind: input.kind.unwrap_or(ItemKind::Strategic),
        goal: goal.as_ref().map(|g| g.id),
        created_at: ctx.now,
        updated_at: ctx.now,
        version: 0,
    };
    Ok((item, goal))
}

/// Quick capture: one line becomes an item, owned by the actor unless `@someone` is named.
pub async fn capture<S: Store>(ctx: &Ctx<'_, S>, line: &str) -> Result<ItemView> {
    let c = parse_capture(line, ctx.today())?;
    let owner = match c.owner {
        Some(h) => Some(h),
        None => Some(ctx.require_actor()?.handle.clone()),
    };
    add(
        ctx,
        ItemInput {
            title: c.title,
            outcome: c.outcome,
            owner,
            due: c.due.map(|d| d.to_string()),
            milestone: c.milestone,
            estimate: c.estimate_hours.map(|h| h.to_string()),
            goal: c.goal.map(|g| g.to_string()),
            kind: c.kind,
        },
    )
    .await
}

/// Apply a patch. Once an item has a due date, moving it is a slip (or pull-in): it needs a
/// reason, which the event keeps.
pub async fn edit<S: Store>(
    ctx: &Ctx<'_, S>,
    id: &str,
    patch: ItemPatch,
    reason: Option<&str>,
) -> Result<ItemView> {
    if patch.is_empty() {
        return Err(AppError::NothingToChange);
    }
    let r = resolve::parse_ref(id, RefKind::Item)?;
    let before = resolve::item(ctx.store, r).await?;
    let mut after = before.clone();
    if let Some(t) = &patch.title {
        after.title = validate::required("title", t, MAX_TITLE)?;
    }
    if let Some(o) = &patch.outcome {
        after.outcome = validate::optional("outcome", o.as_deref().unwrap_or(""), MAX_TEXT)?;
    }
    if let Some(o) = &patch.owner {
        after.owner = match o {
            Some(h) => Some(resolve::person(ctx.store, h).await?.id),
            None => None,
        };
    }
    if let Some(e) = &patch.estimate {
        after.estimate_hours = estimate(e.as_deref())?;
    }
    if let Some(k) = patch.kind {
        after.kind = k;
    }
    if let Some(a) = &patch.actual {
        if a.is_some() && before.status != ItemStatus::Done {
            return Err(AppError::ActualBeforeDone(r));
        }
        after.actual_hours = spent(a.as_deref())?;
    }
    let goal = match &patch.goal {
        Some(Some(g)) => Some(goal_of(ctx, g).await?),
        Some(None) => None,
        None => match before.goal {
            Some(g) => ctx
                .store
                .goals(&GoalFilter {
                    ids: Some(vec![g]),
                    ..GoalFilter::default()
                })
                .await?
                .pop(),
            None => None,
        },
    };
    after.goal = goal.as_ref().map(|g| g.id);
    after.due = when(
        ctx,
        patch.due.as_ref().map(|d| d.as_deref()),
        patch.milestone.as_deref(),
        before.due,
    )
    .await?;
    let reason = validate::optional("reason", reason.unwrap_or(""), MAX_TEXT)?;
    let kind = dated_change(r, before.due.date, after.due.date, reason.as_ref())?;
    let meta = ctx.meta(kind).with_reason(reason);
    let item = ctx.update(&meta, before, after).await?;
    view_with_goal(ctx, &item, goal.as_ref()).await
}

/// A status change asked for by `landed start|done|block|drop|reopen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Done,
    Block,
    Drop,
    Reopen,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Start,
        Action::Done,
        Action::Block,
        Action::Drop,
        Action::Reopen,
    ];

    /// The status an item in `from` moves to, and the event it makes; `None` when the action
    /// does not apply (starting what is started, reopening what is open, …).
    pub fn leads_to(self, from: ItemStatus) -> Option<(ItemStatus, EventKind)> {
        use ItemStatus as S;
        match (self, from) {
            (Action::Start, S::Todo | S::Blocked) => Some((S::Doing, EventKind::Started)),
            (Action::Done, S::Todo | S::Doing | S::Blocked) => Some((S::Done, EventKind::Done)),
            (Action::Block, S::Todo | S::Doing | S::Blocked) => {
                Some((S::Blocked, EventKind::Blocked))
            }
            (Action::Drop, S::Todo | S::Doing | S::Blocked) => {
                Some((S::Dropped, EventKind::Dropped))
            }
            (Action::Reopen, S::Done | S::Dropped) => Some((S::Todo, EventKind::Reopened)),
            _ => None,
        }
    }

    /// The word of [`Action::parse`].
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Done => "done",
            Action::Block => "block",
            Action::Drop => "drop",
            Action::Reopen => "reopen",
        }
    }

    /// The action a word names (`start`, `done`, `block`, `drop`, `reopen`), for the API's
    /// and the web's forms.
    pub fn parse(word: &str) -> Result<Action> {
        Ok(match word {
            "start" => Action::Start,
            "done" => Action::Done,
            "block" => Action::Block,
            "drop" => Action::Drop,
            "reopen" => Action::Reopen,
            other => {
                return Err(validate::Invalid {
                    field: "action",
                    problem: format!("`{other}` is not start, done, block, drop or reopen"),
                }
                .into());
            }
        })
    }
}

/// What a status change returns: items and goals can both be closed.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Changed {
    Item(Box<ItemView>),
    Goal(Box<GoalView>),
}

/// Change the status of an item (or close a goal with `done`/`drop`).
///
/// `actual` is the time a `done` item really took ("5h"); it feeds estimate accuracy and the
/// reactive load (DESIGN §5).
pub async fn act<S: Store>(
    ctx: &Ctx<'_, S>,
    id: &str,
    action: Action,
    reason: Option<&str>,
    actual: Option<&str>,
) -> Result<Changed> {
    let r: Ref = id.parse()?;
    let reason = validate::optional("reason", reason.unwrap_or(""), MAX_TEXT)?;
    if actual.is_some() && action != Action::Done {
        return Err(AppError::ActualBeforeDone(r));
    }
    let actual = spent(actual)?;
    if r.kind == RefKind::Goal {
        if actual.is_some() {
            return Err(AppError::WrongKind(
                r,
                "an item: time spent is recorded on items, with `landed done I-N --actual 5h`",
            ));
        }
        let closure = match action {
            Action::Done => Closure::Done,
            Action::Drop => Closure::Dropped,
            _ => {
                return Err(AppError::WrongKind(
                    r,
                    "an item: goals are only closed, with `landed done` or `landed drop`",
                ));
            }
        };
        return Ok(Changed::Goal(Box::new(
            crate::goals::close(ctx, r, closure, reason).await?,
        )));
    }
    let r = resolve::parse_ref(id, RefKind::Item)?;
    let before = resolve::item(ctx.store, r).await?;
    use ItemStatus as S;
    let Some((status, kind)) = action.leads_to(before.status) else {
        return Err(AppError::BadTransition {
            what: r,
            status: before.status.as_str(),
            hint: match action {
                Action::Start if before.status == S::Doing => "it is already started",
                Action::Reopen => "only done or dropped items can be reopened",
                _ => "reopen it first",
            },
        });
    };
    if status.needs_reason() && reason.is_none() {
        return Err(AppError::ReasonRequired {
            what: r,
            status: status.as_str(),
        });
    }
    let mut after = before.clone();
    after.status = status;
    after.status_reason = if status.needs_reason() {
        reason.clone()
    } else {
        None
    };
    (after.done_at, after.actual_hours) = match status {
        S::Done => (Some(ctx.now), actual.or(before.actual_hours)),
        S::Dropped => (None, before.actual_hours),
        _ => (None, None),
    };
    let meta = ctx.meta(kind).with_reason(reason);
    let item = ctx.update(&meta, before, after).await?;
    Ok(Changed::Item(Box::new(view(ctx, &item).await?)))
}

/// Filters of `landed item list`, as typed.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub owner: Option<String>,
    pub goal: Option<String>,
    pub team: Option<String>,
    pub statuses: Vec<ItemStatus>,
    pub kind: Option<ItemKind>,
    /// Only open items (todo, doing, blocked) unless statuses are given.
    pub open: bool,
}

pub async fn list<S: Store>(ctx: &Ctx<'_, S>, f: ListFilter) -> Result<Vec<ItemView>> {
    let mut filter = ItemFilter {
        statuses: f.statuses.clone(),
        kind: f.kind,
        ..ItemFilter::default()
    };
    if filter.statuses.is_empty() && f.open {
        filter.statuses = vec![ItemStatus::Todo, ItemStatus::Doing, ItemStatus::Blocked];
    }
    if let Some(h) = &f.owner {
        filter.owner = Some(resolve::person(ctx.store, h).await?.id);
    }
    if let Some(g) = &f.goal {
        filter.goals = Some(vec![goal_of(ctx, g).await?.id]);
    }
    if let Some(t) = &f.team {
        filter.team = Some(resolve::team(ctx.store, t).await?.id);
    }
    let items = ctx.store.items(&filter).await?;
    views(ctx, &items).await
}

pub async fn show<S: Store>(ctx: &Ctx<'_, S>, id: &str) -> Result<ItemView> {
    let r = resolve::parse_ref(id, RefKind::Item)?;
    let item = resolve::item(ctx.store, r).await?;
    view(ctx, &item).await
}

/// The view of an item already read.
pub async fn view<S: Store>(ctx: &Ctx<'_, S>, item: &Item) -> Result<ItemView> {
    Ok(views(ctx, std::slice::from_ref(item)).await?.remove(0))
}

async fn view_with_goal<S: Store>(
    ctx: &Ctx<'_, S>,
    item: &Item,
    goal: Option<&Goal>,
) -> Result<ItemView> {
    let names = Names::of_items(ctx.store, std::slice::from_ref(item)).await?;
    Ok(ItemView::new(
        item,
        goal.map(|g| g.num),
        goal.and_then(|g| g.target.date),
        &ctx.policy(),
        &names,
    ))
}

/// Views of items, with their goals' numbers and targets.
async fn views<S: Store>(ctx: &Ctx<'_, S>, items: &[Item]) -> Result<Vec<ItemView>> {
    let mut goal_ids: Vec<Id> = items.iter().filter_map(|i| i.goal).collect();
    goal_ids.sort_unstable();
    goal_ids.dedup();
    let goals: HashMap<Id, Goal> = ctx
        .store
        .goals(&GoalFilter {
            ids: Some(goal_ids),
            ..GoalFilter::default()
        })
        .await?
        .into_iter()
        .map(|g| (g.id, g))
        .collect();
    let names = Names::of_items(ctx.store, items).await?;
    let policy = ctx.policy();
    Ok(items
        .iter()
        .map(|i| {
            let g = i.goal.and_then(|g| goals.get(&g));
            ItemView::new(
                i,
                g.map(|g| g.num),
                g.and_then(|g| g.target.date),
                &policy,
                &names,
            )
        })
        .collect())
}

/// The next action and why it was chosen.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NextView {
    pub item: ItemView,
    pub serves_plan: bool,
    /// The goal the item serves and its status.
    pub goal_status: Option<GoalStatus>,
    pub why: String,
    /// How many other open items the person has.
    pub waiting: usize,
}

/// The one next action for `handle` (else the actor).
pub async fn next<S: Store>(ctx: &Ctx<'_, S>, handle: Option<&str>) -> Result<Option<NextView>> {
    let person = match handle {
        Some(h) => resolve::person(ctx.store, h).await?,
        None => ctx.require_actor()?.clone(),
    };
    let open = ctx
        .store
        .items(&ItemFilter {
            owner: Some(person.id),
            statuses: vec![ItemStatus::Todo, ItemStatus::Doing],
            ..ItemFilter::default()
        })
        .await?;
    let mut goal_ids: Vec<Id> = open.iter().filter_map(|i| i.goal).collect();
    goal_ids.sort_unstable();
    goal_ids.dedup();
    let goals = ctx
        .store
        .goals(&GoalFilter {
            ids: Some(goal_ids.clone()),
            ..GoalFilter::default()
        })
        .await?;
    let goal_items = ctx
        .store
        .items(&ItemFilter {
            goals: Some(goal_ids),
            ..ItemFilter::default()
        })
        .await?;
    let policy = ctx.policy();
    let status: HashMap<Id, GoalStatus> = goals
        .iter()
        .map(|g| {
            let items = goal_items.iter().filter(|i| i.goal == Some(g.id));
            (g.id, plan::evaluate_goal(g, items, &policy).status)
        })
        .collect();
    let candidates: Vec<Candidate<'_>> = open
        .iter()
        .map(|i| Candidate {
            item: i,
            serves_plan: i.goal.and_then(|g| status.get(&g)) == Some(&GoalStatus::Plan),
        })
        .collect();
    let Some(chosen) = next_action(person.id, &candidates) else {
        return Ok(None);
    };
    let goal = chosen
        .item
        .goal
        .and_then(|g| goals.iter().find(|x| x.id == g));
    let goal_status = chosen.item.goal.and_then(|g| status.get(&g).copied());
    let why = match (&goal, chosen.item.due.date) {
        (Some(g), Some(d)) if chosen.serves_plan => format!(
            "earliest due ({d}) of your items in plans; serves {}",
            landed_core::goal_ref(g.num)
        ),
        (Some(g), _) if chosen.serves_plan => {
            format!("serves the plan {}", landed_core::goal_ref(g.num))
        }
        (_, Some(d)) => format!("earliest due ({d}) of your open items"),
        _ => "your oldest open item".to_string(),
    };
    let item = view_with_goal(ctx, chosen.item, goal).await?;
    Ok(Some(NextView {
        item,
        serves_plan: chosen.serves_plan,
        goal_status,
        why,
        waiting: open.len() - 1,
    }))
}
