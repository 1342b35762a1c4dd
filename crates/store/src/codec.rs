//! Between columns and domain values: dates and timestamps as text, enums by their names,
//! rows into entities. The same text forms work on SQLite and PostgreSQL.

use jiff::civil::Date;
use jiff::{Timestamp, Unit};
use landed_core::event::{Entity, Event, EventKind};
use landed_core::model::{
    CheckIn, CheckInItem, Closure, Dependency, Goal, GoalConfidence, Id, Item, ItemKind,
    ItemStatus, Milestone, Node, Person, Request, RequestState, Team, When, Workspace,
};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::{NewReminder, Reminder, ReminderState, Result, StoreError};

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// A timestamp as stored: UTC, exactly six fractional digits (microseconds, which both
/// backends keep), so text order is time order.
pub fn ts(t: Timestamp) -> String {
    let t = t.round(Unit::Microsecond).unwrap_or(t);
    format!("{t:.6}")
}

/// Round a timestamp the way storing it does, so values compare equal after a round trip.
pub fn round_ts(t: Timestamp) -> Timestamp {
    t.round(Unit::Microsecond).unwrap_or(t)
}

pub fn parse_ts(s: &str) -> Result<Timestamp> {
    s.parse()
        .map_err(|e| corrupt(format_args!("timestamp {s}: {e}")))
}

pub fn date(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

pub fn parse_date(s: Option<String>) -> Result<Option<Date>> {
    s.map(|s| {
        s.parse()
            .map_err(|e| corrupt(format_args!("date {s}: {e}")))
    })
    .transpose()
}

pub fn node_kind(n: Node) -> (&'static str, Id) {
    match n {
        Node::Item(id) => ("item", id),
        Node::Goal(id) => ("goal", id),
    }
}

pub fn node(kind: &str, id: Id) -> Result<Node> {
    match kind {
        "item" => Ok(Node::Item(id)),
        "goal" => Ok(Node::Goal(id)),
        _ => Err(corrupt(format_args!("node kind {kind}"))),
    }
}

pub fn closure_str(c: Option<Closure>) -> Option<&'static str> {
    c.map(|c| match c {
        Closure::Done => "done",
        Closure::Dropped => "dropped",
    })
}

fn closure(s: Option<String>) -> Result<Option<Closure>> {
    match s.as_deref() {
        None => Ok(None),
        Some("done") => Ok(Some(Closure::Done)),
        Some("dropped") => Ok(Some(Closure::Dropped)),
        Some(other) => Err(corrupt(format_args!("goal closure {other}"))),
    }
}

/// The `When` of a row: its own date, or its milestone's (joined in as `ms_date`).
fn when(row: &SqliteRow, date_col: &str) -> Result<When> {
    let milestone: Option<Id> = row.try_get("milestone_id")?;
    let date = match milestone {
        Some(_) => parse_date(row.try_get("ms_date")?)?,
        None => parse_date(row.try_get(date_col)?)?,
    };
    Ok(When { date, milestone })
}

/// The stored own date of a `When`: none when it follows a milestone.
pub fn own_date(w: &When) -> Option<String> {
    match w.milestone {
        Some(_) => None,
        None => date(w.date),
    }
}

pub fn workspace(row: &SqliteRow) -> Result<Workspace> {
    Ok(Workspace {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        step_limit_hours: row.try_get("step_limit_hours")?,
        default_person: row.try_get("default_person")?,
        tz: row.try_get("tz")?,
        reactive_share: row.try_get("reactive_share")?,
        request_overdue_days: row.try_get("request_overdue_days")?,
        version: row.try_get("version")?,
    })
}

pub fn person(row: &SqliteRow) -> Result<Person> {
    Ok(Person {
        id: row.try_get("id")?,
        handle: row.try_get("handle")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        tz: row.try_get("tz")?,
        capacity_hours: row.try_get("capacity_hours")?,
        version: row.try_get("version")?,
    })
}

/// A team row; members are filled in by the caller.
pub fn team(row: &SqliteRow) -> Result<Team> {
    Ok(Team {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        lead: row.try_get("lead")?,
        members: Vec::new(),
        protected_share: row.try_get("protected_share")?,
        version: row.try_get("version")?,
    })
}

pub fn milestone(row: &SqliteRow) -> Result<Milestone> {
    Ok(Milestone {
        id: row.try_get("id")?,
        num: row.try_get("num")?,
        name: row.try_get("name")?,
        date: parse_date(row.try_get("date")?)?.ok_or_else(|| corrupt("milestone without date"))?,
        version: row.try_get("version")?,
    })
}

pub fn goal(row: &SqliteRow) -> Result<Goal> {
    Ok(Goal {
        id: row.try_get("id")?,
        num: row.try_get("num")?,
        title: row.try_get("title")?,
        outcome: row.try_get("outcome")?,
        owner: row.try_get("owner")?,
        target: when(row, "target_date")?,
        team: row.try_get("team_id")?,
        closed: closure(row.try_get("closed")?)?,
        close_reason: row.try_get("close_reason")?,
        created_at: parse_ts(row.try_get("created_at")?)?,
        updated_at: parse_ts(row.try_get("updated_at")?)?,
        version: row.try_get("version")?,
    })
}

/// An item as `ITEM_SELECT` returns it: an array of its columns, in this order.
#[derive(serde::Deserialize)]
struct ItemRow(
    Id,             // id
    i64,            // num
    String,         // title
    Option<String>, // outcome
    Option<Id>,     // owner
    Option<String>, // due_date
    Option<Id>,     // milestone_id
    Option<String>, // the milestone's date
    Option<f64>,    // estimate_hours
    String,         // status
    Option<String>, // status_reason
    String,         // kind
    Option<Id>,     // goal_id
    Option<f64>,    // actual_hours
    Option<String>, // done_at
    String,         // created_at
    String,         // updated_at
    i64,            // version
);

/// Items from the JSON array of `ITEM_SELECT`.
pub fn items_json(json: &str) -> Result<Vec<Item>> {
    let rows: Vec<ItemRow> =
        serde_json::from_str(json).map_err(|e| corrupt(format_args!("items: {e}")))?;
    rows.into_iter()
        .map(|r| {
            let ItemRow(
                id,
                num,
                title,
                outcome,
                owner,
                due_date,
                milestone,
                ms_date,
                estimate_hours,
                status,
                status_reason,
                kind,
                goal,
                actual_hours,
                done_at,
                created_at,
                updated_at,
                version,
            ) = r;
            let date = if milestone.is_some() {
                ms_date
            } else {
                due_date
            };
            Ok(Item {
                id,
                num,
                title,
                outcome,
                owner,
                due: When {
                    date: parse_date(date)?,
                    milestone,
                },
                estimate_hours,
                status: status.parse::<ItemStatus>().map_err(corrupt)?,
                status_reason,
                kind: kind.parse::<ItemKind>().map_err(corrupt)?,
                goal,
                actual_hours,
                done_at: done_at.as_deref().map(parse_ts).transpose()?,
                created_at: parse_ts(&created_at)?,
                updated_at: parse_ts(&updated_at)?,
                version,
            })
        })
        .collect()
}

pub fn request(row: &SqliteRow) -> Result<Request> {
    let for_kind: Option<String> = row.try_get("for_kind")?;
    let for_id: Option<Id> = row.try_get("for_id")?;
    let state: String = row.try_get("state")?;
    let answered_at: Option<String> = row.try_get("answered_at")?;
    Ok(Request {
        id: row.try_get("id")?,
        num: row.try_get("num")?,
        from_team: row.try_get("from_team")?,
        to_team: row.try_get("to_team")?,
        deliverable: row.try_get("deliverable")?,
        needed_by: parse_date(row.try_get("needed_by")?)?
            .ok_or_else(|| corrupt("request without a needed-by date"))?,
        for_node: match (for_kind, for_id) {
            (Some(k), Some(id)) => Some(node(&k, id)?),
            _ => None,
        },
        asked_by: row.try_get("asked_by")?,
        state: state.parse::<RequestState>().map_err(corrupt)?,
        answered_by: row.try_get("answered_by")?,
        note: row.try_get("note")?,
        item: row.try_get("item_id")?,
        created_at: parse_ts(row.try_get("created_at")?)?,
        answered_at: answered_at.as_deref().map(parse_ts).transpose()?,
        version: row.try_get("version")?,
    })
}

/// A dependency as `dependencies_at` returns it: an array of its columns, in this order.
#[derive(serde::Deserialize)]
struct DependencyRow(
    Id,             // id
    String,         // from_kind
    Id,             // from_id
    String,         // to_kind
    Id,             // to_id
    Option<String>, // needed_by
    String,         // created_at
    i64,            // version
);

/// Dependencies from a JSON array of `DependencyRow`s.
pub fn dependencies_json(json: &str) -> Result<Vec<Dependency>> {
    let rows: Vec<DependencyRow> =
        serde_json::from_str(json).map_err(|e| corrupt(format_args!("dependencies: {e}")))?;
    rows.into_iter()
        .map(
            |DependencyRow(id, fk, fid, tk, tid, needed_by, created_at, version)| {
                Ok(Dependency {
                    id,
                    from: node(&fk, fid)?,
                    to: node(&tk, tid)?,
                    needed_by: parse_date(needed_by)?,
                    created_at: parse_ts(&created_at)?,
                    version,
                })
            },
        )
        .collect()
}

fn entity_json(s: Option<String>) -> Result<Option<Entity>> {
    s.map(|s| serde_json::from_str(&s).map_err(|e| corrupt(format_args!("event body: {e}"))))
        .transpose()
}

pub fn event(row: &SqliteRow) -> Result<Event> {
    let kind: String = row.try_get("kind")?;
    Ok(Event {
        seq: row.try_get("seq")?,
        at: parse_ts(row.try_get("at")?)?,
        author: row.try_get("author")?,
        kind: EventKind::parse(&kind).ok_or_else(|| corrupt(format_args!("event kind {kind}")))?,
        before: entity_json(row.try_get("before")?)?,
        after: entity_json(row.try_get("after")?)?,
        reason: row.try_get("reason")?,
    })
}

/// What a check-in says, stored as one JSON document.
#[derive(serde::Serialize, serde::Deserialize)]
struct CheckInBody {
    items: Vec<CheckInItem>,
    done: Option<String>,
    blocked: Option<String>,
    needs_help: Option<String>,
    goals: Vec<GoalConfidence>,
}

pub fn checkin_body(c: &CheckIn) -> String {
    serde_json::to_string(&CheckInBody {
        items: c.items.clone(),
        done: c.done.clone(),
        blocked: c.blocked.clone(),
        needs_help: c.needs_help.clone(),
        goals: c.goals.clone(),
    })
    .expect("a check-in serialises")
}

pub fn checkin(row: &SqliteRow) -> Result<CheckIn> {
    let body: String = row.try_get("body")?;
    let body: CheckInBody =
        serde_json::from_str(&body).map_err(|e| corrupt(format_args!("check-in: {e}")))?;
    let week: String = row.try_get("week")?;
    Ok(CheckIn {
        id: row.try_get("id")?,
        person: row.try_get("person_id")?,
        week: week.parse().map_err(corrupt)?,
        items: body.items,
        done: body.done,
        blocked: body.blocked,
        needs_help: body.needs_help,
        goals: body.goals,
        created_at: parse_ts(row.try_get("created_at")?)?,
        updated_at: parse_ts(row.try_get("updated_at")?)?,
        version: row.try_get("version")?,
    })
}

pub fn reminder(row: &SqliteRow) -> Result<Reminder> {
    let state: String = row.try_get("state")?;
    let sent_at: Option<String> = row.try_get("sent_at")?;
    Ok(Reminder {
        id: row.try_get("id")?,
        new: NewReminder {
            key: row.try_get("key")?,
            channel: row.try_get("channel")?,
            target: row.try_get("target")?,
            person: row.try_get("person_id")?,
            subject: row.try_get("subject")?,
            body: row.try_get("body")?,
        },
        state: reminder_state(&state)?,
        attempts: row.try_get("attempts")?,
        next_at: parse_ts(row.try_get("next_at")?)?,
        last_error: row.try_get("last_error")?,
        created_at: parse_ts(row.try_get("created_at")?)?,
        sent_at: sent_at.as_deref().map(parse_ts).transpose()?,
    })
}

pub fn reminder_state(s: &str) -> Result<ReminderState> {
    Ok(match s {
        "pending" => ReminderState::Pending,
        "sending" => ReminderState::Sending,
        "sent" => ReminderState::Sent,
        "dead" => ReminderState::Dead,
        other => return Err(corrupt(format_args!("reminder state {other}"))),
    })
}
