//! Between columns and domain values: dates and timestamps as text, enums by their names,
//! rows into entities. The same text forms work on SQLite and PostgreSQL, and every decoder
//! here reads a row of either backend (see [`Columns`]).

use jiff::civil::Date;
use jiff::{Timestamp, Unit};
use landed_core::authz::Role;
use landed_core::capacity::day_number;
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

/// Read a stored timestamp: the form [`ts`] writes directly (every row read holds two or
/// three), any other RFC 3339 text through jiff's parser.
pub fn parse_ts(s: &str) -> Result<Timestamp> {
    if let Some(t) = stored_ts(s.as_bytes()) {
        return Ok(t);
    }
    s.parse()
        .map_err(|e| corrupt(format_args!("timestamp {s}: {e}")))
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` exactly as [`ts`] writes it, a real day and time of it;
/// `None` for anything else (left to jiff, which reads it or says what is wrong).
fn stored_ts(text: &[u8]) -> Option<Timestamp> {
    // `0` stands for any digit; every other byte must be there as it is.
    const FORM: &[u8] = b"0000-00-00T00:00:00.000000Z";
    let fits = text.len() == FORM.len()
        && text.iter().zip(FORM).all(|(c, f)| match f {
            b'0' => c.is_ascii_digit(),
            _ => c == f,
        });
    if !fits {
        return None;
    }
    let number = |at: std::ops::Range<usize>| {
        text[at]
            .iter()
            .fold(0_i64, |n, d| n * 10 + i64::from(d - b'0'))
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
    // The day must exist (jiff checks the month's length, leap years included).
    let date = Date::new(year as i16, month as i8, day as i8).ok()?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let seconds = day_number(date) * 86_400 + hour * 3_600 + minute * 60 + second;
    Timestamp::new(seconds, (number(20..26) * 1_000) as i32).ok()
}

pub fn date(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

pub fn parse_date(s: Option<String>) -> Result<Option<Date>> {
    parse_day(s.as_deref())
}

fn parse_day(s: Option<&str>) -> Result<Option<Date>> {
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

/// The ids of the nodes of one kind (`item` or `goal`), in order.
pub fn ids_of_kind(nodes: &[Node], kind: &str) -> Vec<Id> {
    nodes
        .iter()
        .map(|n| node_kind(*n))
        .filter(|(k, _)| *k == kind)
        .map(|(_, id)| id)
        .collect()
}

/// The indexed searches for the dependencies with one of `ends` (`(kind column, id column)`
/// pairs) among `nodes`: per kind of node present and per end, `(kind, kind column, id
/// column, ids)`. Both stores unite them into one statement.
pub fn end_searches<'a>(
    nodes: &[Node],
    ends: &[(&'a str, &'a str)],
) -> Vec<(&'static str, &'a str, &'a str, Vec<Id>)> {
    let mut searches = Vec::new();
    for kind in ["item", "goal"] {
        let ids = ids_of_kind(nodes, kind);
        if ids.is_empty() {
            continue;
        }
        for (kind_col, id_col) in ends {
            searches.push((kind, *kind_col, *id_col, ids.clone()));
        }
    }
    searches
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
/// on SQLite). `S` is the text that is only parsed (dates, times, names of states): owned
/// from JSON, borrowed from SQLite's row.
#[derive(serde::Deserialize)]
struct ItemRow<S>(
    Id,                                               // id
    i64,                                              // num
    String,                                           // title
    Option<String>,                                   // outcome
    Option<Id>,                                       // owner
    Option<S>,                                        // due_date
    Option<Id>,                                       // milestone_id
    Option<S>,                                        // the milestone's date
    #[serde(deserialize_with = "hours")] Option<f64>, // estimate_hours
    S,                                                // status
    Option<String>,                                   // status_reason
    S,                                                // kind
    Option<Id>,                                       // goal_id
    #[serde(deserialize_with = "hours")] Option<f64>, // actual_hours
    Option<S>,                                        // done_at
    S,                                                // created_at
    S,                                                // updated_at
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
    let rows: Vec<ItemRow<String>> =
        serde_json::from_str(json).map_err(|e| corrupt(format_args!("items: {e}")))?;
    rows.into_iter().map(item_of).collect()
}

/// An item from a row of SQLite's `ITEM_SELECT`: its columns in `ItemRow` order. Text that
/// is only parsed is read in place, not copied.
pub fn item_row(row: &rusqlite::Row<'_>) -> Result<Item> {
    let text = |i: usize| -> Result<Option<&str>> {
        row.get_ref(i)?
            .as_str_or_null()
            .map_err(|e| corrupt(format_args!("item column {i}: {e}")))
    };
    let required =
        |i: usize| text(i)?.ok_or_else(|| corrupt(format_args!("item column {i}: null")));
    item_of(ItemRow(
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        text(5)?,
        row.get(6)?,
        text(7)?,
        row.get(8)?,
        required(9)?,
        row.get(10)?,
        required(11)?,
        row.get(12)?,
        row.get(13)?,
        text(14)?,
        required(15)?,
        required(16)?,
        row.get(17)?,
    ))
}

fn item_of<S: AsRef<str>>(r: ItemRow<S>) -> Result<Item> {
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
            date: parse_day(date.as_ref().map(AsRef::as_ref))?,
            milestone,
        },
        estimate_hours,
        status: status.as_ref().parse::<ItemStatus>().map_err(corrupt)?,
        status_reason,
        kind: kind.as_ref().parse::<ItemKind>().map_err(corrupt)?,
        goal,
        actual_hours,
        done_at: done_at.as_ref().map(|t| parse_ts(t.as_ref())).transpose()?,
        created_at: parse_ts(created_at.as_ref())?,
        updated_at: parse_ts(updated_at.as_ref())?,
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every timestamp a row can hold reads back as itself, as jiff reads it.
        #[test]
        fn a_stored_timestamp_reads_back_as_jiff_reads_it(
            seconds in Timestamp::MIN.as_second()..=Timestamp::MAX.as_second(),
            micros in 0_i32..1_000_000,
        ) {
            let t = round_ts(Timestamp::new(seconds, micros * 1_000).unwrap());
            let text = ts(t);
            prop_assert_eq!(parse_ts(&text).unwrap(), t);
            if let Some(fast) = stored_ts(text.as_bytes()) {
                prop_assert_eq!(fast, text.parse::<Timestamp>().unwrap());
            }
        }
    }

    #[test]
    fn the_stored_form_is_read_directly_and_anything_else_by_jiff() {
        let day = |s: &str| parse_ts(s).unwrap().to_string();
        // Read directly: a leap day, the first and last instants of years and of the epoch.
        for s in [
            "2024-02-29T23:59:59.999999Z",
            "1970-01-01T00:00:00.000000Z",
            "1969-12-31T23:59:59.000001Z",
            "2000-03-01T00:00:00.000000Z",
            "0001-01-01T00:00:00.000000Z",
            "9999-12-30T21:59:59.999999Z",
        ] {
            assert!(stored_ts(s.as_bytes()).is_some(), "{s}");
            assert_eq!(parse_ts(s).unwrap(), s.parse::<Timestamp>().unwrap());
        }
        // Not the stored form: jiff reads it.
        assert_eq!(day("2026-12-07T10:00:00+01:00"), "2026-12-07T09:00:00Z");
        assert_eq!(day("2026-12-07T09:00:00Z"), "2026-12-07T09:00:00Z");
        // No such day or time: refused, by jiff, naming the text.
        for s in [
            "2023-02-29T00:00:00.000000Z",
            "2026-13-01T00:00:00.000000Z",
            "2026-12-07T24:00:00.000000Z",
            "2026-12-07T09:60:00.000000Z",
            "2026-12-0xT09:00:00.000000Z",
        ] {
            assert!(stored_ts(s.as_bytes()).is_none(), "{s}");
            let e = parse_ts(s).unwrap_err().to_string();
            assert!(e.contains(s), "{e}");
        }
    }
}
