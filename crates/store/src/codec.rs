//! Between columns and domain values: dates and timestamps as text, enums by their names,
//! rows into entities. The same text forms work on SQLite and PostgreSQL, and every decoder
//! here reads a row of either backend (see [`Columns`]).

use jiff::civil::Date;
use jiff::{Timestamp, Unit};
use landed_core::authz::Role;
use landed_core::event::{Entity, EntityKind, Event, EventKind};
use landed_core::model::{
    CheckIn, CheckInItem, Closure, Dependency, Goal, GoalConfidence, Id, Item, ItemKind,
    ItemStatus, Milestone, Node, Person, Request, RequestState, Team, When, Workspace,
};
use rusqlite::types::FromSql;
use sqlx::postgres::PgRow;
use sqlx::{Decode, Postgres, Row, Type};

use crate::{
    ApiToken, KeptGoal, NewReminder, Reminder, ReminderState, Result, Session, StoreError,
};

/// A result row of either backend, read by column name: one decoder per entity then serves
/// both stores, so they cannot drift apart. Every column type the schema uses (`i64`, `f64`,
/// text, and their `Option`s) decodes on both.
pub trait Columns {
    fn col<'r, T>(&'r self, name: &str) -> Result<T>
    where
        T: FromSql + Decode<'r, Postgres> + Type<Postgres>;
}

impl Columns for rusqlite::Row<'_> {
    fn col<'r, T>(&'r self, name: &str) -> Result<T>
    where
        T: FromSql + Decode<'r, Postgres> + Type<Postgres>,
    {
        Ok(self.get(name)?)
    }
}

impl Columns for PgRow {
    fn col<'r, T>(&'r self, name: &str) -> Result<T>
    where
        T: FromSql + Decode<'r, Postgres> + Type<Postgres>,
    {
        Ok(self.try_get(name)?)
    }
}

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

/// A goal's kept risk facts, as stored (JSON).
pub fn risk_json(risk: &landed_core::deps::GoalRisk) -> String {
    serde_json::to_string(risk).expect("dates and flags serialise")
}

/// A `kept_goals` row.
pub fn kept_goal(goal: Id, plan: i64, risk: &str) -> Result<KeptGoal> {
    Ok(KeptGoal {
        goal,
        plan: plan != 0,
        risk: serde_json::from_str(risk)
            .map_err(|e| corrupt(format_args!("kept risk of goal {goal}: {e}")))?,
    })
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
fn when(row: &impl Columns, date_col: &str) -> Result<When> {
    let milestone: Option<Id> = row.col("milestone_id")?;
    let date = match milestone {
        Some(_) => parse_date(row.col("ms_date")?)?,
        None => parse_date(row.col(date_col)?)?,
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

pub fn workspace(row: &impl Columns) -> Result<Workspace> {
    Ok(Workspace {
        id: row.col("id")?,
        name: row.col("name")?,
        step_limit_hours: row.col("step_limit_hours")?,
        default_person: row.col("default_person")?,
        tz: row.col("tz")?,
        reactive_share: row.col("reactive_share")?,
        request_overdue_days: row.col("request_overdue_days")?,
        version: row.col("version")?,
    })
}

pub fn person(row: &impl Columns) -> Result<Person> {
    Ok(Person {
        id: row.col("id")?,
        handle: row.col("handle")?,
        name: row.col("name")?,
        email: row.col("email")?,
        tz: row.col("tz")?,
        capacity_hours: row.col("capacity_hours")?,
        role: {
            let role: String = row.col("role")?;
            Role::parse(&role).ok_or_else(|| corrupt(format_args!("role {role}")))?
        },
        suspended: row.col::<i64>("suspended")? != 0,
        version: row.col("version")?,
    })
}

/// A team row; members are filled in by the caller.
pub fn team(row: &impl Columns) -> Result<Team> {
    Ok(Team {
        id: row.col("id")?,
        name: row.col("name")?,
        lead: row.col("lead")?,
        members: Vec::new(),
        protected_share: row.col("protected_share")?,
        version: row.col("version")?,
    })
}

pub fn milestone(row: &impl Columns) -> Result<Milestone> {
    Ok(Milestone {
        id: row.col("id")?,
        num: row.col("num")?,
        name: row.col("name")?,
        date: parse_date(row.col("date")?)?.ok_or_else(|| corrupt("milestone without date"))?,
        version: row.col("version")?,
    })
}

pub fn goal(row: &impl Columns) -> Result<Goal> {
    Ok(Goal {
        id: row.col("id")?,
        num: row.col("num")?,
        title: row.col("title")?,
        outcome: row.col("outcome")?,
        owner: row.col("owner")?,
        target: when(row, "target_date")?,
        team: row.col("team_id")?,
        closed: closure(row.col("closed")?)?,
        close_reason: row.col("close_reason")?,
        created_at: parse_ts(&row.col::<String>("created_at")?)?,
        updated_at: parse_ts(&row.col::<String>("updated_at")?)?,
        version: row.col("version")?,
    })
}

/// An item's columns, in the order of `ITEM_SELECT` (an array in PostgreSQL's JSON, a row
/// on SQLite).
#[derive(serde::Deserialize)]
struct ItemRow(
    Id,                                               // id
    i64,                                              // num
    String,                                           // title
    Option<String>,                                   // outcome
    Option<Id>,                                       // owner
    Option<String>,                                   // due_date
    Option<Id>,                                       // milestone_id
    Option<String>,                                   // the milestone's date
    #[serde(deserialize_with = "hours")] Option<f64>, // estimate_hours
    String,                                           // status
    Option<String>,                                   // status_reason
    String,                                           // kind
    Option<Id>,                                       // goal_id
    #[serde(deserialize_with = "hours")] Option<f64>, // actual_hours
    Option<String>,                                   // done_at
    String,                                           // created_at
    String,                                           // updated_at
    i64,                                              // version
);

/// Hours in PostgreSQL's JSON item row: a number, or null (text is read too).
fn hours<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<f64>, D::Error> {
    struct Hours;
    impl serde::de::Visitor<'_> for Hours {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("hours as a number or as text")
        }
        fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
            v.parse().map(Some).map_err(E::custom)
        }
    }
    d.deserialize_any(Hours)
}

/// Items from the JSON array of PostgreSQL's `ITEM_SELECT`.
pub fn items_json(json: &str) -> Result<Vec<Item>> {
    let rows: Vec<ItemRow> =
        serde_json::from_str(json).map_err(|e| corrupt(format_args!("items: {e}")))?;
    rows.into_iter().map(item_of).collect()
}

/// An item from a row of SQLite's `ITEM_SELECT`: its columns in `ItemRow` order.
pub fn item_row(row: &rusqlite::Row<'_>) -> Result<Item> {
    item_of(ItemRow(
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
        row.get(9)?,
        row.get(10)?,
        row.get(11)?,
        row.get(12)?,
        row.get(13)?,
        row.get(14)?,
        row.get(15)?,
        row.get(16)?,
        row.get(17)?,
    ))
}

fn item_of(r: ItemRow) -> Result<Item> {
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
}

pub fn request(row: &impl Columns) -> Result<Request> {
    let for_kind: Option<String> = row.col("for_kind")?;
    let for_id: Option<Id> = row.col("for_id")?;
    let state: String = row.col("state")?;
    let answered_at: Option<String> = row.col("answered_at")?;
    Ok(Request {
        id: row.col("id")?,
        num: row.col("num")?,
        from_team: row.col("from_team")?,
        to_team: row.col("to_team")?,
        deliverable: row.col("deliverable")?,
        needed_by: parse_date(row.col("needed_by")?)?
            .ok_or_else(|| corrupt("request without a needed-by date"))?,
        for_node: match (for_kind, for_id) {
            (Some(k), Some(id)) => Some(node(&k, id)?),
            _ => None,
        },
        asked_by: row.col("asked_by")?,
        state: state.parse::<RequestState>().map_err(corrupt)?,
        answered_by: row.col("answered_by")?,
        note: row.col("note")?,
        item: row.col("item_id")?,
        created_at: parse_ts(&row.col::<String>("created_at")?)?,
        answered_at: answered_at.as_deref().map(parse_ts).transpose()?,
        version: row.col("version")?,
    })
}

/// A dependency's columns, in this order (an array in PostgreSQL's JSON, a row on SQLite).
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

/// Dependencies from a JSON array of `DependencyRow`s (PostgreSQL).
pub fn dependencies_json(json: &str) -> Result<Vec<Dependency>> {
    let rows: Vec<DependencyRow> =
        serde_json::from_str(json).map_err(|e| corrupt(format_args!("dependencies: {e}")))?;
    rows.into_iter().map(dependency_of).collect()
}

/// A dependency from a SQLite row of its columns in `DependencyRow` order.
pub fn dependency_row(row: &rusqlite::Row<'_>) -> Result<Dependency> {
    dependency_of(DependencyRow(
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
    ))
}

fn dependency_of(r: DependencyRow) -> Result<Dependency> {
    let DependencyRow(id, fk, fid, tk, tid, needed_by, created_at, version) = r;
    Ok(Dependency {
        id,
        from: node(&fk, fid)?,
        to: node(&tk, tid)?,
        needed_by: parse_date(needed_by)?,
        created_at: parse_ts(&created_at)?,
        version,
    })
}

/// One event as PostgreSQL's `EVENT_SELECT` returns it: seq, at, author, kind, the entity
/// before and after (embedded as JSON, not as strings) and the reason.
#[derive(serde::Deserialize)]
struct EventRow(
    i64,
    String,
    Option<Id>,
    String,
    Option<Entity>,
    Option<Entity>,
    Option<String>,
);

/// Events from a JSON array of `EventRow`s (PostgreSQL), by seq.
pub fn events_json(json: &str) -> Result<Vec<Event>> {
    let rows: Vec<EventRow> =
        serde_json::from_str(json).map_err(|e| corrupt(format_args!("events: {e}")))?;
    let mut events = rows.into_iter().map(event_of).collect::<Result<Vec<_>>>()?;
    events.sort_unstable_by_key(|e| e.seq);
    Ok(events)
}

/// An event from a SQLite row of seq, at, author, kind, before, after (as JSON text) and
/// reason.
pub fn event_row(row: &rusqlite::Row<'_>) -> Result<Event> {
    let kind: String = row.get(7)?;
    let entity = |i: usize| -> Result<Option<Entity>> {
        row.get_ref(i)?
            .as_str_or_null()
            .map_err(|e| corrupt(format_args!("event entity: {e}")))?
            .map(|text| entity_of_kind(&kind, text))
            .transpose()
    };
    event_of(EventRow(
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        entity(4)?,
        entity(5)?,
        row.get(6)?,
    ))
}

/// An event's entity, read as the kind stored beside it (`entity_kind`; see
/// [`Entity::from_json_as`]), or by its own tag if that kind is unknown.
fn entity_of_kind(kind: &str, text: &str) -> Result<Entity> {
    match EntityKind::parse(kind) {
        Some(kind) => Entity::from_json_as(kind, text),
        None => serde_json::from_str(text),
    }
    .map_err(|e| corrupt(format_args!("event entity: {e}")))
}

fn event_of(r: EventRow) -> Result<Event> {
    let EventRow(seq, at, author, kind, before, after, reason) = r;
    Ok(Event {
        seq,
        at: parse_ts(&at)?,
        author,
        kind: EventKind::parse(&kind).ok_or_else(|| corrupt(format_args!("event kind {kind}")))?,
        before,
        after,
        reason,
    })
}

fn opt_ts(s: Option<String>) -> Result<Option<Timestamp>> {
    s.as_deref().map(parse_ts).transpose()
}

pub fn token(row: &impl Columns) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.col("id")?,
        person: row.col("person_id")?,
        name: row.col("name")?,
        created_at: parse_ts(&row.col::<String>("created_at")?)?,
        expires_at: opt_ts(row.col("expires_at")?)?,
        revoked_at: opt_ts(row.col("revoked_at")?)?,
        last_used_at: opt_ts(row.col("last_used_at")?)?,
    })
}

pub fn session(row: &impl Columns) -> Result<Session> {
    Ok(Session {
        id: row.col("id")?,
        person: row.col("person_id")?,
        csrf: row.col("csrf")?,
        created_at: parse_ts(&row.col::<String>("created_at")?)?,
        expires_at: parse_ts(&row.col::<String>("expires_at")?)?,
        revoked_at: opt_ts(row.col("revoked_at")?)?,
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

pub fn checkin(row: &impl Columns) -> Result<CheckIn> {
    let body: String = row.col("body")?;
    let body: CheckInBody =
        serde_json::from_str(&body).map_err(|e| corrupt(format_args!("check-in: {e}")))?;
    let week: String = row.col("week")?;
    Ok(CheckIn {
        id: row.col("id")?,
        person: row.col("person_id")?,
        week: week.parse().map_err(corrupt)?,
        items: body.items,
        done: body.done,
        blocked: body.blocked,
        needs_help: body.needs_help,
        goals: body.goals,
        created_at: parse_ts(&row.col::<String>("created_at")?)?,
        updated_at: parse_ts(&row.col::<String>("updated_at")?)?,
        version: row.col("version")?,
    })
}

pub fn reminder(row: &impl Columns) -> Result<Reminder> {
    let state: String = row.col("state")?;
    let sent_at: Option<String> = row.col("sent_at")?;
    Ok(Reminder {
        id: row.col("id")?,
        new: NewReminder {
            key: row.col("key")?,
            channel: row.col("channel")?,
            target: row.col("target")?,
            person: row.col("person_id")?,
            subject: row.col("subject")?,
            body: row.col("body")?,
        },
        state: reminder_state(&state)?,
        attempts: row.col("attempts")?,
        next_at: parse_ts(&row.col::<String>("next_at")?)?,
        last_error: row.col("last_error")?,
        created_at: parse_ts(&row.col::<String>("created_at")?)?,
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
