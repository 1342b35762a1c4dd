//! History of an item or goal, from the event log.

use jiff::Timestamp;
use landed_core::event::{Entity, EntityKind, Event, EventKind};
use landed_core::hash::HashMap;
use landed_core::model::{Id, Ref, RefKind};
use landed_store::{GoalFilter, Store};
use serde::Serialize;
use serde_json::Value;

use crate::views::Names;
use crate::{AppError, Ctx, Result, resolve};

/// One field that an event changed.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// One event as history shows it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct HistoryLine {
    pub seq: i64,
    pub at: Timestamp,
    pub author: Option<String>,
    pub kind: EventKind,
    pub reason: Option<String>,
    pub changes: Vec<FieldChange>,
}

const HIDDEN: [&str; 5] = ["entity", "version", "updated_at", "created_at", "id"];

pub async fn history<S: Store>(ctx: &Ctx<'_, S>, id: &str) -> Result<Vec<HistoryLine>> {
    let r: Ref = id.parse()?;
    let (kind, entity_id) = match r.kind {
        RefKind::Item => (EntityKind::Item, resolve::item(ctx.store, r).await?.id),
        RefKind::Goal => (EntityKind::Goal, resolve::goal(ctx.store, r).await?.id),
        RefKind::Request => (
            EntityKind::Request,
            ctx.store
                .request(r.num)
                .await?
                .ok_or(AppError::NotFound(r))?
                .id,
        ),
        RefKind::Milestone => {
            let m = ctx
                .store
                .milestones()
                .await?
                .into_iter()
                .find(|m| m.num == r.num);
            (EntityKind::Milestone, m.ok_or(AppError::NotFound(r))?.id)
        }
    };
    let events = ctx.store.history(kind, entity_id).await?;
    let people: Vec<Id> = events
        .iter()
        .flat_map(|e| {
            let owners = [&e.before, &e.after]
                .into_iter()
                .flatten()
                .filter_map(|x| match x {
                    Entity::Item(i) => i.owner,
                    Entity::Goal(g) => g.owner,
                    _ => None,
                });
            e.author.into_iter().chain(owners).collect::<Vec<_>>()
        })
        .collect();
    let names = Names::load(ctx.store, people).await?;
    let goal_ids: Vec<Id> = events
        .iter()
        .flat_map(|e| [&e.before, &e.after])
        .flatten()
        .filter_map(|x| match x {
            Entity::Item(i) => i.goal,
            _ => None,
        })
        .collect();
    let goal_nums: HashMap<Id, i64> = ctx
        .store
        .goals(&GoalFilter {
            ids: Some(goal_ids),
            ..GoalFilter::default()
        })
        .await?
        .into_iter()
        .map(|g| (g.id, g.num))
        .collect();
    Ok(events.iter().map(|e| line(e, &names, &goal_nums)).collect())
}

fn line(e: &Event, names: &Names, goal_nums: &HashMap<Id, i64>) -> HistoryLine {
    let to_value = |x: &Option<Entity>| x.as_ref().and_then(|x| serde_json::to_value(x).ok());
    let (before, after) = (to_value(&e.before), to_value(&e.after));
    let mut changes = Vec::new();
    if let (Some(Value::Object(b)), Some(Value::Object(a))) = (&before, &after) {
        for (field, av) in a {
            let bv = b.get(field).unwrap_or(&Value::Null);
            if HIDDEN.contains(&field.as_str()) || bv == av {
                continue;
            }
            changes.push(FieldChange {
                field: field.clone(),
                before: render(field, bv, names, goal_nums),
                after: render(field, av, names, goal_nums),
            });
        }
    }
    HistoryLine {
        seq: e.seq,
        at: e.at,
        author: names.person(e.author),
        kind: e.kind,
        reason: e.reason.clone(),
        changes,
    }
}

fn render(field: &str, v: &Value, names: &Names, goal_nums: &HashMap<Id, i64>) -> String {
    match (field, v) {
        (_, Value::Null) => "none".into(),
        ("owner" | "lead", Value::Number(n)) => n
            .as_i64()
            .and_then(|id| names.people.get(&id))
            .map_or_else(|| n.to_string(), |h| format!("@{h}")),
        ("goal", Value::Number(n)) => n.as_i64().and_then(|id| goal_nums.get(&id)).map_or_else(
            || n.to_string(),
            |num| landed_core::goal_ref(*num).to_string(),
        ),
        ("due" | "target", Value::Object(o)) => {
            let date = o.get("date").and_then(Value::as_str).unwrap_or("none");
            match o
                .get("milestone")
                .and_then(Value::as_i64)
                .and_then(|m| names.milestones.get(&m))
            {
                Some(m) => format!("{date} ({m})"),
                None => date.to_string(),
            }
        }
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}
