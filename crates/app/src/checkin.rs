//! Weekly check-ins (DESIGN §4): the agenda, giving and amending a check-in, and reading one.
//!
//! A check-in is written in one transaction with the item changes it makes, so an interrupted
//! check-in leaves nothing behind. The rules (what is on the agenda, when a week is open, what a
//! status change does) are in `landed_core::checkin`.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use landed_core::capacity::Week;
use landed_core::checkin::{self, Said, Why};
use landed_core::event::{Entity, Event, EventKind};
use landed_core::hash::HashMap;
use landed_core::model::{
    CheckIn, Confidence, Goal, Id, Item, ItemStatus, Person, RefKind, goal_ref, item_ref,
};
use landed_core::validate::{self, MAX_TEXT};
use landed_core::week::week_of;
use landed_core::when;
use landed_store::{Change, GoalFilter, ItemFilter, Store};
use serde::{Deserialize, Serialize};

use crate::{AppError, Ctx, Result, resolve};

/// An item as the agenda and a check-in show it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AgendaItem {
    pub id: String,
    pub title: String,
    pub status: ItemStatus,
    pub due: Option<Date>,
    /// Why it is on the agenda (empty for items only named in the check-in).
    pub why: Vec<Why>,
    /// What the check-in said of it, if it has been given.
    pub said_status: Option<ItemStatus>,
    pub note: Option<String>,
}

/// A goal the person owns, with the confidence given this week.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AgendaGoal {
    pub id: String,
    pub title: String,
    pub target: Option<Date>,
    pub confidence: Option<Confidence>,
}

/// A person's check-in for a week: the agenda and what has been said so far.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CheckInView {
    pub person: String,
    pub week: Week,
    pub monday: Date,
    pub sunday: Date,
    pub tz: String,
    /// The week is the current one in the person's zone: a check-in can be given or amended.
    pub open: bool,
    /// A check-in was given (and when, last changed).
    pub given: bool,
    pub given_at: Option<jiff::Timestamp>,
    pub updated_at: Option<jiff::Timestamp>,
    pub items: Vec<AgendaItem>,
    pub goals: Vec<AgendaGoal>,
    pub done: Option<String>,
    pub blocked: Option<String>,
    pub needs_help: Option<String>,
    /// Item changes this check-in made, as `I-12: doing → done` (only right after saving).
    pub changed: Vec<String>,
}

/// What a check-in says, as typed on the command line or read from JSON (`--from FILE`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInInput {
    /// `2026-W48`; the current week in the person's zone when absent.
    #[serde(default)]
    pub week: Option<String>,
    #[serde(default)]
    pub items: Vec<ItemInput>,
    #[serde(default)]
    pub done: Option<String>,
    #[serde(default)]
    pub blocked: Option<String>,
    #[serde(default)]
    pub needs_help: Option<String>,
    #[serde(default)]
    pub goals: Vec<GoalInput>,
}

/// One item's line: `{"item": "I-12", "status": "done", "note": "..."}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub item: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// One goal's confidence: `{"goal": "G-3", "confidence": "at-risk"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    pub goal: String,
    pub confidence: String,
}

/// At most this many item lines in one check-in.
pub const MAX_LINES: usize = 500;

/// The person a check-in is about: `handle`, else the actor.
async fn whose<S: Store>(ctx: &Ctx<'_, S>, handle: Option<&str>) -> Result<Person> {
    match handle {
        Some(h) => resolve::person(ctx.store, h).await,
        None => ctx.require_actor().cloned(),
    }
}

fn zone(person: &Person) -> Result<TimeZone> {
    Ok(when::time_zone(&person.tz)?)
}

/// The week typed, or the current one in the person's zone.
fn week_for(text: Option<&str>, now: jiff::Timestamp, tz: &TimeZone) -> Result<Week> {
    crate::week_or(text, week_of(now, tz))
}

/// The agenda of a person's week and what their check-in says so far.
pub async fn agenda<S: Store>(
    ctx: &Ctx<'_, S>,
    handle: Option<&str>,
    week: Option<&str>,
) -> Result<CheckInView> {
    let person = whose(ctx, handle).await?;
    let tz = zone(&person)?;
    let week = week_for(week, ctx.now, &tz)?;
    let given = ctx
        .store
        .checkins(Some(&[person.id]), Some((week, week)))
        .await?
        .pop();
    view(ctx, &person, &tz, week, given.as_ref(), Vec::new()).await
}

async fn view<S: Store>(
    ctx: &Ctx<'_, S>,
    person: &Person,
    tz: &TimeZone,
    week: Week,
    given: Option<&CheckIn>,
    changed: Vec<String>,
) -> Result<CheckInView> {
    let items = ctx
        .store
        .items(&ItemFilter {
            owner: Some(person.id),
            ..ItemFilter::default()
        })
        .await?;
    let today = when::today_in(ctx.now, tz);
    let lines = checkin::agenda(&items, week, today, ctx.now);
    let by_id: HashMap<Id, &Item> = items.iter().map(|i| (i.id, i)).collect();
    let said: HashMap<Id, _> = given
        .map(|c| c.items.iter().map(|l| (l.item, l)).collect())
        .unwrap_or_default();
    let mut shown: Vec<AgendaItem> = Vec::new();
    let mut listed = landed_core::hash::HashSet::default();
    let line_view = |item: &Item, why: Vec<Why>| {
        let s = said.get(&item.id);
        AgendaItem {
            id: item_ref(item.num).to_string(),
            title: item.title.clone(),
            status: item.status,
            due: item.due.date,
            why,
            said_status: s.map(|l| l.status),
            note: s.and_then(|l| l.note.clone()),
        }
    };
    for line in &lines {
        if let Some(item) = by_id.get(&line.item) {
            listed.insert(item.id);
            shown.push(line_view(item, line.why.clone()));
        }
    }
    // Items the check-in named that are not (or no longer) on the agenda.
    let mut extra: Vec<&Item> = said
        .keys()
        .filter(|id| !listed.contains(*id))
        .filter_map(|id| by_id.get(id).copied())
        .collect();
    extra.sort_by_key(|i| i.num);
    shown.extend(extra.into_iter().map(|i| line_view(i, Vec::new())));

    let goals = owned_goals(ctx, person.id).await?;
    let confidence: HashMap<Id, Confidence> = given
        .map(|c| c.goals.iter().map(|g| (g.goal, g.confidence)).collect())
        .unwrap_or_default();
    let (monday, sunday) = checkin::week_dates(week);
    Ok(CheckInView {
        person: person.handle.clone(),
        week,
        monday,
        sunday,
        tz: person.tz.clone(),
        open: week_of(ctx.now, tz) == week,
        given: given.is_some(),
        given_at: given.map(|c| c.created_at),
        updated_at: given.map(|c| c.updated_at),
        items: shown,
        goals: goals
            .iter()
            .map(|g| AgendaGoal {
                id: goal_ref(g.num).to_string(),
                title: g.title.clone(),
                target: g.target.date,
                confidence: confidence.get(&g.id).copied(),
            })
            .collect(),
        done: given.and_then(|c| c.done.clone()),
        blocked: given.and_then(|c| c.blocked.clone()),
        needs_help: given.and_then(|c| c.needs_help.clone()),
        changed,
    })
}

async fn owned_goals<S: Store>(ctx: &Ctx<'_, S>, person: Id) -> Result<Vec<Goal>> {
    ctx.store
        .goals(&GoalFilter {
            owner: Some(person),
            open_only: true,
            ..GoalFilter::default()
        })
        .await
        .map_err(Into::into)
}

/// Give or amend the actor's check-in (DESIGN §4): items get the statuses given (in the same
/// transaction), and the check-in records each line. Refused outside the check-in's week, for
/// items or goals that are not the actor's, and when it says nothing.
pub async fn give<S: Store>(ctx: &Ctx<'_, S>, input: &CheckInInput) -> Result<CheckInView> {
    let person = ctx.require_actor()?.clone();
    let tz = zone(&person)?;
    let week = week_for(input.week.as_deref(), ctx.now, &tz)?;
    checkin::check_window(week, &tz, &person.tz, ctx.now).map_err(not_allowed)?;
    if input.items.len() > MAX_LINES {
        return Err(AppError::NotAllowed(format!(
            "a check-in names at most {MAX_LINES} items ({} given)",
            input.items.len()
        )));
    }

    let text = |field, t: &Option<String>| -> Result<Option<String>> {
        Ok(match t {
            Some(t) => validate::optional(field, t, MAX_TEXT)?,
            None => None,
        })
    };
    let mut said = Said {
        done: text("done", &input.done)?,
        blocked: text("blocked", &input.blocked)?,
        needs_help: text("needs help", &input.needs_help)?,
        ..Said::default()
    };
    let mut items: Vec<Item> = Vec::new();
    for line in &input.items {
        let r = resolve::parse_ref(&line.item, RefKind::Item)?;
        let item = resolve::item(ctx.store, r).await?;
        if item.owner != Some(person.id) {
            let owner = match item.owner {
                Some(o) => ctx
                    .store
                    .person(o)
                    .await?
                    .map_or("someone else".to_string(), |p| format!("@{}", p.handle)),
                None => "nobody".to_string(),
            };
            return Err(AppError::NotAllowed(format!(
                "{r} is owned by {owner}: a check-in speaks for your own items (give it an owner with `landed item edit {r} --owner {}`)",
                person.handle
            )));
        }
        let status = line
            .status
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(str::parse::<ItemStatus>)
            .transpose()?;
        let note = text("note", &line.note)?;
        said.items.push((item.id, item.num, status, note));
        items.push(item);
    }
    for g in &input.goals {
        let r = resolve::parse_ref(&g.goal, RefKind::Goal)?;
        let goal = resolve::goal(ctx.store, r).await?;
        if goal.owner != Some(person.id) {
            return Err(AppError::NotAllowed(format!(
                "{r} is not yours: confidence is given by a goal's owner, @{} does not own it",
                person.handle
            )));
        }
        if goal.closed.is_some() {
            return Err(AppError::NotAllowed(format!(
                "{r} is closed: confidence is given for open goals"
            )));
        }
        said.goals
            .push((goal.id, goal.num, g.confidence.parse::<Confidence>()?));
    }

    let before = ctx
        .store
        .checkins(Some(&[person.id]), Some((week, week)))
        .await?
        .pop();
    let after = checkin::record(before.as_ref(), person.id, week, &said, &items, ctx.now)
        .map_err(not_allowed)?;
    let mut changes = Vec::new();
    let mut changed = Vec::new();
    for ((_, _, status, note), item) in said.items.iter().zip(&items) {
        let Some(status) = status else { continue };
        if let Some((after_item, kind)) =
            checkin::item_change(item, *status, note.as_deref(), ctx.now).map_err(not_allowed)?
        {
            changed.push(change_line(item, &after_item));
            let reason = after_item.status_reason.clone();
            changes.push(Change::Update(
                ctx.meta(kind).with_reason(reason),
                Entity::Item(item.clone()),
                Entity::Item(after_item),
            ));
        }
    }
    changes.push(match &before {
        Some(b) => Change::Update(
            ctx.meta(EventKind::Amended),
            Entity::CheckIn(b.clone()),
            Entity::CheckIn(after),
        ),
        None => Change::Create(ctx.meta(EventKind::CheckedIn), Entity::CheckIn(after)),
    });
    let written = ctx.write(changes).await?;
    let Some(Entity::CheckIn(saved)) = written.last() else {
        unreachable!("the check-in is written last");
    };
    view(ctx, &person, &tz, week, Some(saved), changed).await
}

/// How a check-in's answer names an item it moved: `I-12: doing → done`.
fn change_line(before: &Item, after: &Item) -> String {
    format!(
        "{}: {} → {}",
        item_ref(before.num),
        before.status,
        after.status
    )
}

/// The answer to a check-in write, again, from the events it made: what a retried request
/// with the same idempotency key gets (the check-in as it is now, and the items it moved).
pub async fn given<S: Store>(ctx: &Ctx<'_, S>, made: &[Event]) -> Result<CheckInView> {
    let Some(Entity::CheckIn(c)) = made.last().and_then(Event::subject) else {
        return Err(AppError::NotAllowed(
            "those events did not write a check-in".into(),
        ));
    };
    let person = ctx
        .store
        .person(c.person)
        .await?
        .ok_or_else(|| AppError::NotAllowed("the check-in's person is gone".into()))?;
    let tz = zone(&person)?;
    let now = ctx
        .store
        .checkins(Some(&[person.id]), Some((c.week, c.week)))
        .await?
        .pop();
    let changed = made
        .iter()
        .filter_map(|e| match (&e.before, &e.after) {
            (Some(Entity::Item(b)), Some(Entity::Item(a))) => Some(change_line(b, a)),
            _ => None,
        })
        .collect();
    view(
        ctx,
        &person,
        &tz,
        c.week,
        Some(now.as_ref().unwrap_or(c)),
        changed,
    )
    .await
}

fn not_allowed(e: checkin::CheckInError) -> AppError {
    AppError::NotAllowed(e.to_string())
}
