//! Commitment requests (DESIGN §3): team X asks team Y for a deliverable by a date; Y answers
//! with exactly one of two answers — commit (an owner, the delivering item, its date) or not
//! yet. Until it is committed, the request is a phantom dependency of the asking item or goal.

use jiff::civil::Date;
use landed_core::event::{Entity, EventKind};
use landed_core::hash::HashMap;
use landed_core::model::{Id, Item, ItemStatus, Node, Ref, RefKind, Request, RequestState, Team};
use landed_core::validate::{self, MAX_TEXT, MAX_TITLE};
use landed_core::{deps, item_ref, request_ref, when};
use landed_store::Store;
use serde::Serialize;

use crate::items::ItemInput;
use crate::views::Names;
use crate::{AppError, Ctx, Result, links, resolve};

/// A request as shown.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RequestView {
    pub id: String,
    pub deliverable: String,
    pub from_team: Option<String>,
    pub to_team: String,
    pub needed_by: jiff::civil::Date,
    /// The asking item or goal.
    pub for_id: Option<String>,
    pub state: RequestState,
    /// Open for more than five days.
    pub overdue: bool,
    pub asked_by: Option<String>,
    pub answered_by: Option<String>,
    pub note: Option<String>,
    /// The delivering item and its current due date, once committed.
    pub item: Option<String>,
    pub item_due: Option<jiff::civil::Date>,
    /// The class of the dependency the request stands for.
    pub class: deps::DepClass,
    /// The last move of the delivering item's date, with its reason, so the asking side sees
    /// slips.
    pub last_slip: Option<String>,
    pub version: i64,
}

async fn team_named<S: Store>(ctx: &Ctx<'_, S>, name: &str) -> Result<Team> {
    resolve::team(ctx.store, name).await
}

/// Team `to_team` is asked for `deliverable` by `by`, for the asking item or goal `for_`.
/// The asking team is the goal's (or the item's goal's) team, else the actor's first team.
pub async fn ask<S: Store>(
    ctx: &Ctx<'_, S>,
    to_team: &str,
    deliverable: &str,
    by: &str,
    for_: Option<&str>,
) -> Result<RequestView> {
    let actor = ctx.require_actor()?.clone();
    let to = team_named(ctx, to_team).await?;
    let deliverable = validate::required("deliverable", deliverable, MAX_TITLE)?;
    let needed_by = ctx.date(by)?;
    let for_node = match for_ {
        Some(text) => Some(links::node(ctx.store, text).await?.0),
        None => None,
    };
    let teams = ctx.store.teams().await?;
    let goal_of_node = match for_node {
        Some(Node::Goal(id)) => Some(id),
        Some(Node::Item(id)) => ctx
            .store
            .items(&landed_store::ItemFilter {
                ids: Some(vec![id]),
                ..Default::default()
            })
            .await?
            .pop()
            .and_then(|i| i.goal),
        None => None,
    };
    let from_team = match goal_of_node {
        Some(g) => ctx
            .store
            .goals(&landed_store::GoalFilter {
                ids: Some(vec![g]),
                ..Default::default()
            })
            .await?
            .pop()
            .and_then(|g| g.team),
        None => None,
    }
    .or_else(|| teams.iter().find(|t| t.includes(actor.id)).map(|t| t.id));
    if from_team == Some(to.id) {
        // A well-formed request the rules refuse: a team does not ask itself.
        return Err(AppError::NotAllowed(format!(
            "{} would be asking itself; plan the work as an item instead",
            to.name
        )));
    }
    let request = Request {
        id: 0,
        num: 0,
        from_team,
        to_team: to.id,
        deliverable,
        needed_by,
        for_node,
        asked_by: Some(actor.id),
        state: RequestState::Open,
        answered_by: None,
        note: None,
        item: None,
        created_at: ctx.now,
        answered_at: None,
        version: 0,
    };
    let request = ctx.create(request).await?;
    view(ctx, &request, &HashMap::default()).await
}

/// How a commitment names its delivering item.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// An existing item, given by id.
    Item(String),
    /// A new item with this title.
    Create(String),
}

/// Load an open request that the actor may answer: only the asked team's lead or members.
async fn answerable<S: Store>(ctx: &Ctx<'_, S>, id: &str) -> Result<(Request, Ref)> {
    let r = resolve::parse_ref(id, RefKind::Request)?;
    let request = ctx
        .store
        .request(r.num)
        .await?
        .ok_or(AppError::NotFound(r))?;
    let actor = ctx.require_actor()?;
    let teams = ctx.store.teams().await?;
    let to = teams
        .iter()
        .find(|t| t.id == request.to_team)
        .expect("a request's team exists");
    if !to.includes(actor.id) {
        return Err(AppError::NotPermitted(format!(
            "only the lead or members of {} can answer {r}; @{} is not one of them",
            to.name, actor.handle
        )));
    }
    if request.state != RequestState::Open {
        return Err(AppError::BadTransition {
            what: r,
            status: request.state.as_str(),
            hint: "it is already answered; a request gets one answer",
        });
    }
    Ok((request, r))
}

/// Answer "commit": the owner, the delivering item (existing or new) and its date.
pub async fn commit<S: Store>(
    ctx: &Ctx<'_, S>,
    id: &str,
    owner: &str,
    delivery: Delivery,
    due: Option<&str>,
    milestone: Option<&str>,
    estimate: Option<&str>,
) -> Result<RequestView> {
    let (before, _) = answerable(ctx, id).await?;
    if estimate.is_some() && matches!(delivery, Delivery::Item(_)) {
        return Err(validate::Invalid {
            field: "estimate",
            problem: "an existing item keeps its own estimate; --estimate goes with --create"
                .into(),
        }
        .into());
    }
    let owner_person = resolve::person(ctx.store, owner).await?;
    let item: Item = match &delivery {
        Delivery::Item(text) => {
            let ir = resolve::parse_ref(text, RefKind::Item)?;
            let item = resolve::item(ctx.store, ir).await?;
            if !item.status.is_open() && item.status != ItemStatus::Done {
                return Err(AppError::BadTransition {
                    what: ir,
                    status: item.status.as_str(),
                    hint: "a dropped item cannot deliver a commitment",
                });
            }
            if due.is_some() || milestone.is_some() {
                return Err(validate::Invalid { field: "due", problem: format!("{ir} keeps its own date; change it with `landed item edit {ir} --due DATE --reason ...`") }.into());
            }
            if item.owner != Some(owner_person.id) {
                return Err(validate::Invalid {
                    field: "owner",
                    problem: format!(
                        "{ir} is owned by someone else; give its owner, or reassign it first"
                    ),
                }
                .into());
            }
            if item.due.date.is_none() {
                return Err(validate::Invalid { field: "due", problem: format!("{ir} has no date; a commitment needs one (landed item edit {ir} --due DATE)") }.into());
            }
            item
        }
        Delivery::Create(title) => {
            if due.is_none() && milestone.is_none() {
                return Err(validate::Invalid {
                    field: "due",
                    problem: "a commitment needs a date: give --due DATE or --milestone NAME"
                        .into(),
                }
                .into());
            }
            let input = ItemInput {
                title: title.clone(),
                outcome: Some(before.deliverable.clone()),
                owner: Some(owner_person.handle.clone()),
                due: due.map(String::from),
                milestone: milestone.map(String::from),
                estimate: estimate.map(String::from),
                ..ItemInput::default()
            };
            crate::items::prepare(ctx, input).await?.0
        }
    };
    let mut after = before.clone();
    after.state = RequestState::Committed;
    after.answered_by = ctx.author();
    after.answered_at = Some(ctx.now);
    let meta = ctx.meta(EventKind::Committed);
    let request = match delivery {
        Delivery::Item(_) => {
            // A new item needs nothing yet, so only an existing one can close a cycle.
            if let Some(from) = before.for_node {
                let edges = links::cycle_edges(ctx.store).await?;
                if let Some(cycle) = deps::cycle_if_added(&edges, from, Node::Item(item.id)) {
                    return Err(links::cycle_error(ctx.store, &cycle.0).await);
                }
            }
            after.item = Some(item.id);
            ctx.update(&meta, before, after).await?
        }
        Delivery::Create(_) => {
            // The delivering item and the answer are written together, or not at all.
            let (_, answered) = ctx
                .store
                .create_then_update(
                    &ctx.meta(EventKind::Created),
                    Entity::Item(item),
                    &meta,
                    &Entity::Request(before),
                    move |made| {
                        after.item = Some(made.id());
                        Entity::Request(after)
                    },
                )
                .await?;
            Request::try_from(answered).expect("the store returns the request it was given")
        }
    };
    view(
        ctx,
        &request,
        &crate::forecast::finishes_of(ctx, request.item).await?,
    )
    .await
}

/// Answer "not yet": it matters, but it is not planned work.
pub async fn not_yet<S: Store>(
    ctx: &Ctx<'_, S>,
    id: &str,
    note: Option<&str>,
) -> Result<RequestView> {
    let (before, _) = answerable(ctx, id).await?;
    let mut after = before.clone();
    after.state = RequestState::NotYet;
    after.answered_by = ctx.author();
    after.note = validate::optional("note", note.unwrap_or(""), MAX_TEXT)?;
    after.answered_at = Some(ctx.now);
    let meta = ctx.meta(EventKind::NotYet).with_reason(after.note.clone());
    let request = ctx.update(&meta, before, after).await?;
    view(ctx, &request, &HashMap::default()).await
}

/// Requests to or from a team (or all), optionally only open ones.
pub async fn list<S: Store>(
    ctx: &Ctx<'_, S>,
    team: Option<&str>,
    open: bool,
) -> Result<Vec<RequestView>> {
    let team = match team {
        Some(t) => Some(team_named(ctx, t).await?.id),
        None => None,
    };
    let requests = ctx.store.requests().await?;
    let forecast =
        crate::forecast::finishes_of(ctx, requests.iter().filter_map(|r| r.item)).await?;
    let mut views = Vec::new();
    for r in requests {
        if team.is_some_and(|t| r.to_team != t && r.from_team != Some(t)) {
            continue;
        }
        if open && r.state != RequestState::Open {
            continue;
        }
        views.push(view(ctx, &r, &forecast).await?);
    }
    Ok(views)
}

pub async fn show<S: Store>(ctx: &Ctx<'_, S>, id: &str) -> Result<RequestView> {
    let r = resolve::parse_ref(id, RefKind::Request)?;
    let request = ctx
        .store
        .request(r.num)
        .await?
        .ok_or(AppError::NotFound(r))?;
    view(
        ctx,
        &request,
        &crate::forecast::finishes_of(ctx, request.item).await?,
    )
    .await
}

/// A request as shown; `forecast` holds forecast finishes of delivering items, where known.
async fn view<S: Store>(
    ctx: &Ctx<'_, S>,
    r: &Request,
    forecast: &HashMap<Id, Date>,
) -> Result<RequestView> {
    let item = match r.item {
        Some(id) => ctx
            .store
            .items(&landed_store::ItemFilter {
                ids: Some(vec![id]),
                ..Default::default()
            })
            .await?
            .pop(),
        None => None,
    };
    let for_label = match r.for_node {
        Some(n) => {
            let dep = landed_core::model::Dependency {
                id: 0,
                from: n,
                to: n,
                needed_by: None,
                created_at: ctx.now,
                version: 0,
            };
            let around = links::Around::load(ctx.store, std::slice::from_ref(&dep)).await?;
            Some(links::describe(n, &around))
        }
        None => None,
    };
    let last_slip = match &item {
        Some(i) => ctx
            .store
            .history(landed_core::event::EntityKind::Item, i.id)
            .await?
            .into_iter()
            .rev()
            .find(|e| {
                matches!(
                    e.kind,
                    EventKind::Slipped | EventKind::PulledIn | EventKind::Uncommitted
                )
            })
            .map(|e| {
                let dates = |x: &Option<landed_core::event::Entity>| match x {
                    Some(landed_core::event::Entity::Item(i)) => i
                        .due
                        .date
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "none".into()),
                    _ => "?".into(),
                };
                format!(
                    "{} {} → {}: {}",
                    e.kind.as_str().replace('_', " "),
                    dates(&e.before),
                    dates(&e.after),
                    e.reason.clone().unwrap_or_default()
                )
            }),
        None => None,
    };
    let names = Names::load(
        ctx.store,
        [r.asked_by, r.answered_by]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
    )
    .await?;
    let today = ctx.today();
    Ok(RequestView {
        id: request_ref(r.num).to_string(),
        deliverable: r.deliverable.clone(),
        from_team: r.from_team.and_then(|t| names.teams.get(&t).cloned()),
        to_team: names.teams.get(&r.to_team).cloned().unwrap_or_default(),
        needed_by: r.needed_by,
        for_id: for_label,
        state: r.state,
        overdue: deps::request_overdue(
            r.state,
            when::today_in(r.created_at, &jiff::tz::TimeZone::UTC),
            today,
            ctx.workspace.request_overdue_days,
        ),
        asked_by: names.person(r.asked_by),
        answered_by: names.person(r.answered_by),
        note: r.note.clone(),
        item: item.as_ref().map(|i| item_ref(i.num).to_string()),
        item_due: item.as_ref().and_then(|i| i.due.date),
        class: deps::classify_with_risk(
            Some(r.needed_by),
            deps::request_supply(r, item.as_ref()),
            item.as_ref().and_then(|i| {
                deps::item_risk(i, today, Some(r.needed_by), forecast.get(&i.id).copied())
            }),
        ),
        last_slip,
        version: r.version,
    })
}
