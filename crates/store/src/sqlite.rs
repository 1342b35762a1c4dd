//! The SQLite store: one file, WAL, `synchronous=FULL` (acknowledged writes survive power
//! loss), foreign keys on, migrations applied on open.
//!
//! All SQL here sticks to the subset PostgreSQL also runs (`$N` placeholders, `RETURNING`,
//! `ON CONFLICT`, text dates), so the PostgreSQL store can reuse it.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;
use landed_core::capacity::Week;
use landed_core::event::{Entity, EntityKind, Event, State};
use landed_core::model::{
    CheckIn, Dependency, Goal, Id, Item, Milestone, Node, Person, Request, Team, Workspace,
};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};

use crate::codec::{self, ts};
use crate::{
    ApiToken, Change, GoalFilter, ItemFilter, Meta, NewReminder, NodeForecast, NotifySettings,
    Outcome, Reminder, ReminderState, Result, Session, Store, StoreError,
};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Rows per multi-row INSERT: keeps the bound parameters under SQLite's limit of 32,766.
const ROWS_PER_INSERT: usize = 1_000;

/// Items come back as one JSON array rather than one row each: the driver's cost per row
/// (≈ 10 µs, a hop between threads) would otherwise dominate commands that read a few
/// thousand items. Each item is an array of its columns in `codec::ItemRow` order.
/// PostgreSQL has the same shape as `json_agg(json_build_array(...))`.
///
/// Hours go as text with 17 significant digits: SQLite's JSON prints numbers with 15, which
/// would read 1/3 h back as 0.333333333333333 and break replay (the event keeps the exact value).
const ITEM_SELECT: &str = "SELECT json_group_array(json_array(i.id, i.num, i.title, i.outcome, \
     i.owner, i.due_date, i.milestone_id, m.date, \
     iif(i.estimate_hours IS NULL, NULL, printf('%!.17g', i.estimate_hours)), i.status, \
     i.status_reason, i.kind, i.goal_id, \
     iif(i.actual_hours IS NULL, NULL, printf('%!.17g', i.actual_hours)), i.done_at, \
     i.created_at, i.updated_at, i.version)) \
     FROM items i LEFT JOIN milestones m ON m.id = i.milestone_id WHERE i.workspace_id = ";
const GOAL_SELECT: &str = "SELECT g.*, m.date AS ms_date FROM goals g \
     LEFT JOIN milestones m ON m.id = g.milestone_id WHERE g.workspace_id = ";

/// Events as one JSON row per page, like items (see `ITEM_SELECT`); the entities before and
/// after are embedded as JSON. See `SqlStore::fetch_events`.
const EVENT_SELECT: &str = "SELECT json_group_array(json_array(seq, at, author, kind, \
     json(before), json(after), reason)) FROM (SELECT * FROM events";

/// Events per page: one JSON row stays far below SQLite's string limit (1 GB) however long
/// the log.
const EVENT_PAGE: i64 = 10_000;

/// A workspace kept in a SQLite database.
pub struct SqlStore {
    pool: SqlitePool,
    /// The workspace this store serves; 0 until one exists.
    ws: AtomicI64,
    label: String,
}

impl SqlStore {
    /// Open the database at `path`, creating the file if `create` (else a missing file is
    /// [`StoreError::NoWorkspace`]), and apply pending migrations.
    pub async fn open(path: &Path, create: bool) -> Result<SqlStore> {
        let label = path.display().to_string();
        if !create && !path.exists() {
            return Err(StoreError::NoWorkspace(label));
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Reads go through a memory map instead of a read() per page.
            .pragma("mmap_size", "268435456");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: label.clone(),
                source,
            })?;
        Self::start(pool, label).await
    }

    /// Connections open in the pool, and of those how many are idle (for metrics).
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// A private in-memory database (for tests).
    pub async fn memory() -> Result<SqlStore> {
        let options = SqliteConnectOptions::new()
            .in_memory(true)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        Self::start(pool, "memory".into()).await
    }

    async fn start(pool: SqlitePool, label: String) -> Result<SqlStore> {
        MIGRATOR.run(&pool).await?;
        let ws: Option<i64> = sqlx::query_scalar("SELECT id FROM workspaces ORDER BY id LIMIT 1")
            .fetch_optional(&pool)
            .await?;
        Ok(SqlStore {
            pool,
            ws: AtomicI64::new(ws.unwrap_or(0)),
            label,
        })
    }

    /// The journal mode and `synchronous` level a connection runs with (`wal`, 2 = FULL).
    pub async fn durability(&self) -> Result<(String, i64)> {
        let mut conn = self.pool.acquire().await?;
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?;
        Ok((journal, synchronous))
    }

    /// Close the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn ws_id(&self) -> Result<Id> {
        match self.ws.load(Ordering::Acquire) {
            0 => Err(StoreError::NoWorkspace(self.label.clone())),
            id => Ok(id),
        }
    }

    async fn fetch(&self, mut qb: QueryBuilder<Sqlite>) -> Result<Vec<SqliteRow>> {
        Ok(qb.build().fetch_all(&self.pool).await?)
    }

    /// The events `conditions` select (pushed after `workspace_id = ?`), oldest first, read
    /// page by page as JSON rows, through `index` if given (else SQLite walks the log by seq
    /// for the paging's `ORDER BY`, whatever the conditions).
    async fn fetch_events(
        &self,
        index: Option<&str>,
        conditions: impl Fn(&mut QueryBuilder<Sqlite>),
    ) -> Result<Vec<Event>> {
        let ws = self.ws_id()?;
        let mut events = Vec::new();
        loop {
            let mut qb = QueryBuilder::new(EVENT_SELECT);
            if let Some(index) = index {
                qb.push(format_args!(" INDEXED BY {index}"));
            }
            qb.push(" WHERE workspace_id = ").push_bind(ws);
            conditions(&mut qb);
            qb.push(" AND seq > ")
                .push_bind(events.last().map_or(0, |e: &Event| e.seq))
                .push(" ORDER BY seq LIMIT ")
                .push_bind(EVENT_PAGE)
                .push(")");
            let json: Option<String> = qb.build_query_scalar().fetch_one(&self.pool).await?;
            let page = codec::events_json(json.as_deref().unwrap_or("[]"))?;
            let full = page.len() as i64 == EVENT_PAGE;
            events.extend(page);
            if !full {
                return Ok(events);
            }
        }
    }

    /// Run an `ITEM_SELECT` query and decode its JSON array.
    async fn fetch_items(&self, mut qb: QueryBuilder<Sqlite>) -> Result<Vec<Item>> {
        let json: Option<String> = qb.build_query_scalar().fetch_one(&self.pool).await?;
        codec::items_json(json.as_deref().unwrap_or("[]"))
    }

    /// Dependencies with an end among `touching` (all when `None`), looking at the given ends
    /// (`(kind column, id column)` pairs), as one JSON row (see `ITEM_SELECT`), by id.
    async fn dependencies_at(
        &self,
        touching: Option<&[Node]>,
        ends: &[(&str, &str)],
    ) -> Result<Vec<Dependency>> {
        let ws = self.ws_id()?;
        let mut qb = QueryBuilder::new(
            "SELECT json_group_array(json_array(id, from_kind, from_id, to_kind, to_id, \
             needed_by, created_at, version)) FROM (",
        );
        match touching {
            Some([]) => return Ok(Vec::new()),
            Some(nodes) if nodes.len() <= MAX_IN => {
                // One indexed search per end and kind, united: an OR over both ends would
                // make SQLite scan every dependency of the workspace.
                let mut first = true;
                for kind in ["item", "goal"] {
                    let ids: Vec<i64> = nodes
                        .iter()
                        .map(|n| codec::node_kind(*n))
                        .filter(|(k, _)| *k == kind)
                        .map(|(_, id)| id)
                        .collect();
                    if ids.is_empty() {
                        continue;
                    }
                    for (kind_col, id_col) in ends {
                        if !first {
                            qb.push(" UNION ");
                        }
                        first = false;
                        qb.push("SELECT * FROM dependencies WHERE workspace_id = ")
                            .push_bind(ws)
                            .push(format_args!(" AND {kind_col} = "))
                            .push_bind(kind);
                        push_in(&mut qb, id_col, &ids);
                    }
                }
            }
            _ => {
                qb.push("SELECT * FROM dependencies WHERE workspace_id = ")
                    .push_bind(ws);
            }
        }
        qb.push(")");
        let json: Option<String> = qb.build_query_scalar().fetch_one(&self.pool).await?;
        let mut deps = codec::dependencies_json(json.as_deref().unwrap_or("[]"))?;
        if let Some(nodes) = touching.filter(|n| n.len() > MAX_IN) {
            let nodes: HashSet<Node> = nodes.iter().copied().collect();
            let from = ends.iter().any(|(k, _)| *k == "from_kind");
            deps.retain(|d| (from && nodes.contains(&d.from)) || nodes.contains(&d.to));
        }
        deps.sort_unstable_by_key(|d| d.id);
        Ok(deps)
    }

    async fn team_members(&self, ws: Id) -> Result<Vec<(Id, Id)>> {
        let rows = sqlx::query(
            "SELECT team_id, person_id FROM team_members WHERE workspace_id = $1 \
             ORDER BY team_id, person_id",
        )
        .bind(ws)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }
}

type Tx = Transaction<'static, Sqlite>;

/// Reserve `n` consecutive values of a counter, returning the first.
async fn allocate(tx: &mut Tx, ws: Id, name: &str, n: usize) -> Result<i64> {
    sqlx::query(
        "INSERT INTO counters (workspace_id, name, next) VALUES ($1, $2, 1) \
         ON CONFLICT (workspace_id, name) DO NOTHING",
    )
    .bind(ws)
    .bind(name)
    .execute(&mut **tx)
    .await?;
    let n = n as i64;
    let first: i64 = sqlx::query_scalar(
        "UPDATE counters SET next = next + $3 WHERE workspace_id = $1 AND name = $2 \
         RETURNING next - $3",
    )
    .bind(ws)
    .bind(name)
    .bind(n)
    .fetch_one(&mut **tx)
    .await?;
    Ok(first)
}

fn unique_to_duplicate(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate(what.into()),
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            StoreError::Missing(format!("something {what} refers to"))
        }
        _ => StoreError::Db(e),
    }
}

/// Give new entities their ids and numbers, version 1.
async fn assign_ids(tx: &mut Tx, ws: Id, at: Timestamp, entities: &mut [Entity]) -> Result<()> {
    let mut start = 0;
    while start < entities.len() {
        let kind = entities[start].kind();
        let end = entities[start..]
            .iter()
            .position(|e| e.kind() != kind)
            .map_or(entities.len(), |p| start + p);
        let n = end - start;
        let id0 = allocate(tx, 0, &format!("id:{}", kind.as_str()), n).await?;
        let num0 = match kind {
            EntityKind::Goal | EntityKind::Item | EntityKind::Milestone | EntityKind::Request => {
                allocate(tx, ws, &format!("num:{}", kind.as_str()), n).await?
            }
            _ => 0,
        };
        let at = codec::round_ts(at);
        for (k, e) in entities[start..end].iter_mut().enumerate() {
            let (id, num) = (id0 + k as i64, num0 + k as i64);
            match e {
                Entity::Workspace(w) => (w.id, w.version) = (id, 1),
                Entity::Person(p) => (p.id, p.version) = (id, 1),
                Entity::Team(t) => {
                    (t.id, t.version) = (id, 1);
                    t.members.sort_unstable();
                    t.members.dedup();
                }
                Entity::Milestone(m) => (m.id, m.num, m.version) = (id, num, 1),
                Entity::Goal(g) => {
                    (g.id, g.num, g.version) = (id, num, 1);
                    (g.created_at, g.updated_at) = (at, at);
                }
                Entity::Item(i) => {
                    (i.id, i.num, i.version) = (id, num, 1);
                    (i.created_at, i.updated_at) = (at, at);
                }
                Entity::Dependency(d) => (d.id, d.version, d.created_at) = (id, 1, at),
                Entity::Request(r) => (r.id, r.num, r.version, r.created_at) = (id, num, 1, at),
                Entity::CheckIn(c) => {
                    (c.id, c.version) = (id, 1);
                    (c.created_at, c.updated_at) = (at, at);
                }
            }
        }
        start = end;
    }
    Ok(())
}

/// Insert rows of one kind with multi-row INSERTs.
async fn insert_rows(tx: &mut Tx, ws: Id, rows: &[Entity]) -> Result<()> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let what = first.label();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(match first {
            Entity::Workspace(_) => {
                "INSERT INTO workspaces (id, name, step_limit_hours, default_person, tz, reactive_share, \
                 request_overdue_days, version) "
            }
            Entity::Person(_) => {
                "INSERT INTO people (id, workspace_id, handle, name, email, tz, capacity_hours, role, \
                 suspended, version) "
            }
            Entity::Team(_) => {
                "INSERT INTO teams (id, workspace_id, name, lead, protected_share, version) "
            }
            Entity::Milestone(_) => {
                "INSERT INTO milestones (id, workspace_id, num, name, date, version) "
            }
            Entity::Goal(_) => {
                "INSERT INTO goals (id, workspace_id, num, title, outcome, owner, target_date, \
                 milestone_id, team_id, closed, close_reason, created_at, updated_at, version) "
            }
            Entity::Item(_) => {
                "INSERT INTO items (id, workspace_id, num, title, outcome, owner, due_date, \
                 milestone_id, estimate_hours, status, status_reason, kind, goal_id, actual_hours, \
                 done_at, created_at, updated_at, version) "
            }
            Entity::Dependency(_) => {
                "INSERT INTO dependencies (id, workspace_id, from_kind, from_id, to_kind, to_id, \
                 needed_by, created_at, version) "
            }
            Entity::Request(_) => {
                "INSERT INTO requests (id, workspace_id, num, from_team, to_team, deliverable, \
                 needed_by, for_kind, for_id, asked_by, state, answered_by, note, item_id, \
                 created_at, answered_at, version) "
            }
            Entity::CheckIn(_) => {
                "INSERT INTO checkins (id, workspace_id, person_id, week, body, created_at, \
                 updated_at, version) "
            }
        });
        qb.push_values(chunk, |mut b, e| match e {
            Entity::Workspace(w) => {
                b.push_bind(w.id)
                    .push_bind(w.name.clone())
                    .push_bind(w.step_limit_hours)
                    .push_bind(w.default_person)
                    .push_bind(w.tz.clone())
                    .push_bind(w.reactive_share)
                    .push_bind(w.request_overdue_days)
                    .push_bind(w.version);
            }
            Entity::Person(p) => {
                b.push_bind(p.id)
                    .push_bind(ws)
                    .push_bind(p.handle.clone())
                    .push_bind(p.name.clone())
                    .push_bind(p.email.clone())
                    .push_bind(p.tz.clone())
                    .push_bind(p.capacity_hours)
                    .push_bind(p.role.as_str())
                    .push_bind(i64::from(p.suspended))
                    .push_bind(p.version);
            }
            Entity::Team(t) => {
                b.push_bind(t.id)
                    .push_bind(ws)
                    .push_bind(t.name.clone())
                    .push_bind(t.lead)
                    .push_bind(t.protected_share)
                    .push_bind(t.version);
            }
            Entity::Milestone(m) => {
                b.push_bind(m.id)
                    .push_bind(ws)
                    .push_bind(m.num)
                    .push_bind(m.name.clone())
                    .push_bind(m.date.to_string())
                    .push_bind(m.version);
            }
            Entity::Goal(g) => {
                b.push_bind(g.id)
                    .push_bind(ws)
                    .push_bind(g.num)
                    .push_bind(g.title.clone())
                    .push_bind(g.outcome.clone())
                    .push_bind(g.owner)
                    .push_bind(codec::own_date(&g.target))
                    .push_bind(g.target.milestone)
                    .push_bind(g.team)
                    .push_bind(codec::closure_str(g.closed))
                    .push_bind(g.close_reason.clone())
                    .push_bind(ts(g.created_at))
                    .push_bind(ts(g.updated_at))
                    .push_bind(g.version);
            }
            Entity::Item(i) => {
                b.push_bind(i.id)
                    .push_bind(ws)
                    .push_bind(i.num)
                    .push_bind(i.title.clone())
                    .push_bind(i.outcome.clone())
                    .push_bind(i.owner)
                    .push_bind(codec::own_date(&i.due))
                    .push_bind(i.due.milestone)
                    .push_bind(i.estimate_hours)
                    .push_bind(i.status.as_str())
                    .push_bind(i.status_reason.clone())
                    .push_bind(i.kind.as_str())
                    .push_bind(i.goal)
                    .push_bind(i.actual_hours)
                    .push_bind(i.done_at.map(ts))
                    .push_bind(ts(i.created_at))
                    .push_bind(ts(i.updated_at))
                    .push_bind(i.version);
            }
            Entity::Dependency(d) => {
                let (fk, fid) = codec::node_kind(d.from);
                let (tk, tid) = codec::node_kind(d.to);
                b.push_bind(d.id)
                    .push_bind(ws)
                    .push_bind(fk)
                    .push_bind(fid)
                    .push_bind(tk)
                    .push_bind(tid)
                    .push_bind(codec::date(d.needed_by))
                    .push_bind(ts(d.created_at))
                    .push_bind(d.version);
            }
            Entity::Request(r) => {
                let (fk, fid) = r.for_node.map(codec::node_kind).unzip();
                b.push_bind(r.id)
                    .push_bind(ws)
                    .push_bind(r.num)
                    .push_bind(r.from_team)
                    .push_bind(r.to_team)
                    .push_bind(r.deliverable.clone())
                    .push_bind(r.needed_by.to_string())
                    .push_bind(fk)
                    .push_bind(fid)
                    .push_bind(r.asked_by)
                    .push_bind(r.state.as_str())
                    .push_bind(r.answered_by)
                    .push_bind(r.note.clone())
                    .push_bind(r.item)
                    .push_bind(ts(r.created_at))
                    .push_bind(r.answered_at.map(ts))
                    .push_bind(r.version);
            }
            Entity::CheckIn(c) => {
                b.push_bind(c.id)
                    .push_bind(ws)
                    .push_bind(c.person)
                    .push_bind(c.week.to_string())
                    .push_bind(codec::checkin_body(c))
                    .push_bind(ts(c.created_at))
                    .push_bind(ts(c.updated_at))
                    .push_bind(c.version);
            }
        });
        qb.build()
            .execute(&mut **tx)
            .await
            .map_err(|e| unique_to_duplicate(e, &what))?;
    }
    let members: Vec<(Id, Id)> = rows
        .iter()
        .filter_map(|e| match e {
            Entity::Team(t) => Some(t.members.iter().map(move |m| (t.id, *m))),
            _ => None,
        })
        .flatten()
        .collect();
    insert_members(tx, ws, &members).await
}

async fn insert_members(tx: &mut Tx, ws: Id, members: &[(Id, Id)]) -> Result<()> {
    for chunk in members.chunks(ROWS_PER_INSERT) {
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO team_members (workspace_id, team_id, person_id) ");
        qb.push_values(chunk, |mut b, (team, person)| {
            b.push_bind(ws).push_bind(*team).push_bind(*person);
        });
        qb.build()
            .execute(&mut **tx)
            .await
            .map_err(|e| unique_to_duplicate(e, "team member"))?;
    }
    Ok(())
}

/// An event row to append.
struct NewEvent<'a> {
    meta: &'a Meta,
    before: Option<&'a Entity>,
    after: Option<&'a Entity>,
}

fn json(e: Option<&Entity>) -> Result<Option<String>> {
    e.map(|e| serde_json::to_string(e).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

async fn append_events(tx: &mut Tx, ws: Id, events: &[NewEvent<'_>]) -> Result<()> {
    // The transaction already holds the write lock (it wrote the rows these events are about),
    // so no other write with the same key can commit between this check and this one's commit.
    if let Some(key) = events.first().and_then(|e| e.meta.key.as_deref()) {
        let used: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM events INDEXED BY events_request_key \
             WHERE workspace_id = ? AND request_key = ? LIMIT 1",
        )
        .bind(ws)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
        if used.is_some() {
            return Err(StoreError::KeyInUse);
        }
    }
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let rows = chunk
            .iter()
            .map(|e| {
                let subject = e.after.or(e.before).expect("an event is about an entity");
                Ok((
                    e,
                    subject.kind(),
                    subject.id(),
                    json(e.before)?,
                    json(e.after)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO events (workspace_id, at, author, kind, entity_kind, entity_id, before, \
             after, reason, request_key) ",
        );
        qb.push_values(rows, |mut b, (e, kind, id, before, after)| {
            b.push_bind(ws)
                .push_bind(ts(e.meta.at))
                .push_bind(e.meta.author)
                .push_bind(e.meta.kind.as_str())
                .push_bind(kind.as_str())
                .push_bind(id)
                .push_bind(before)
                .push_bind(after)
                .push_bind(e.meta.reason.clone())
                .push_bind(e.meta.key.clone());
        });
        qb.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Overwrite one row with `after` if its version is still `expected`.
async fn update_row(tx: &mut Tx, ws: Id, expected: i64, after: &Entity) -> Result<u64> {
    let q = match after {
        Entity::Workspace(w) => sqlx::query(
            "UPDATE workspaces SET name = $3, step_limit_hours = $4, default_person = $5, tz = $6, \
             reactive_share = $7, request_overdue_days = $8, version = version + 1 \
             WHERE id = $1 AND version = $2",
        )
        .bind(w.id)
        .bind(expected)
        .bind(w.name.clone())
        .bind(w.step_limit_hours)
        .bind(w.default_person)
        .bind(w.tz.clone())
        .bind(w.reactive_share)
        .bind(w.request_overdue_days),
        Entity::Person(p) => sqlx::query(
            "UPDATE people SET handle = $4, name = $5, email = $6, tz = $7, capacity_hours = $8, \
             role = $9, suspended = $10, version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(p.id)
        .bind(expected)
        .bind(ws)
        .bind(p.handle.clone())
        .bind(p.name.clone())
        .bind(p.email.clone())
        .bind(p.tz.clone())
        .bind(p.capacity_hours)
        .bind(p.role.as_str())
        .bind(i64::from(p.suspended)),
        Entity::Team(t) => sqlx::query(
            "UPDATE teams SET name = $4, lead = $5, protected_share = $6, version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(t.id)
        .bind(expected)
        .bind(ws)
        .bind(t.name.clone())
        .bind(t.lead)
        .bind(t.protected_share),
        Entity::Milestone(m) => sqlx::query(
            "UPDATE milestones SET name = $4, date = $5, version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(m.id)
        .bind(expected)
        .bind(ws)
        .bind(m.name.clone())
        .bind(m.date.to_string()),
        Entity::Goal(g) => sqlx::query(
            "UPDATE goals SET title = $4, outcome = $5, owner = $6, target_date = $7, \
             milestone_id = $8, team_id = $9, closed = $10, close_reason = $11, updated_at = $12, \
             version = version + 1 WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(g.id)
        .bind(expected)
        .bind(ws)
        .bind(g.title.clone())
        .bind(g.outcome.clone())
        .bind(g.owner)
        .bind(codec::own_date(&g.target))
        .bind(g.target.milestone)
        .bind(g.team)
        .bind(codec::closure_str(g.closed))
        .bind(g.close_reason.clone())
        .bind(ts(g.updated_at)),
        Entity::Item(i) => sqlx::query(
            "UPDATE items SET title = $4, outcome = $5, owner = $6, due_date = $7, \
             milestone_id = $8, estimate_hours = $9, status = $10, status_reason = $11, kind = $12, \
             goal_id = $13, actual_hours = $14, done_at = $15, updated_at = $16, \
             version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(i.id)
        .bind(expected)
        .bind(ws)
        .bind(i.title.clone())
        .bind(i.outcome.clone())
        .bind(i.owner)
        .bind(codec::own_date(&i.due))
        .bind(i.due.milestone)
        .bind(i.estimate_hours)
        .bind(i.status.as_str())
        .bind(i.status_reason.clone())
        .bind(i.kind.as_str())
        .bind(i.goal)
        .bind(i.actual_hours)
        .bind(i.done_at.map(ts))
        .bind(ts(i.updated_at)),
        Entity::Request(r) => sqlx::query(
            "UPDATE requests SET deliverable = $4, needed_by = $5, state = $6, answered_by = $7, \
             note = $8, item_id = $9, answered_at = $10, version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(r.id)
        .bind(expected)
        .bind(ws)
        .bind(r.deliverable.clone())
        .bind(r.needed_by.to_string())
        .bind(r.state.as_str())
        .bind(r.answered_by)
        .bind(r.note.clone())
        .bind(r.item)
        .bind(r.answered_at.map(ts)),
        Entity::Dependency(d) => sqlx::query(
            "UPDATE dependencies SET needed_by = $4, version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(d.id)
        .bind(expected)
        .bind(ws)
        .bind(codec::date(d.needed_by)),
        Entity::CheckIn(c) => sqlx::query(
            "UPDATE checkins SET body = $4, updated_at = $5, version = version + 1 \
             WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(c.id)
        .bind(expected)
        .bind(ws)
        .bind(codec::checkin_body(c))
        .bind(ts(c.updated_at)),
    };
    let done = q
        .execute(&mut **tx)
        .await
        .map_err(|e| unique_to_duplicate(e, &after.label()))?;
    if done.rows_affected() == 1
        && let Entity::Team(t) = after
    {
        sqlx::query("DELETE FROM team_members WHERE workspace_id = $1 AND team_id = $2")
            .bind(ws)
            .bind(t.id)
            .execute(&mut **tx)
            .await?;
        let members: Vec<(Id, Id)> = t.members.iter().map(|m| (t.id, *m)).collect();
        insert_members(tx, ws, &members).await?;
    }
    Ok(done.rows_affected())
}

/// The entity as it will be after an update: next version, `updated_at` = the change time.
fn bumped(mut after: Entity, version: i64, at: Timestamp) -> Entity {
    let at = codec::round_ts(at);
    match &mut after {
        Entity::Workspace(x) => x.version = version,
        Entity::Person(x) => x.version = version,
        Entity::Team(x) => {
            x.version = version;
            x.members.sort_unstable();
            x.members.dedup();
        }
        Entity::Milestone(x) => x.version = version,
        Entity::Goal(x) => (x.version, x.updated_at) = (version, at),
        Entity::Item(x) => (x.version, x.updated_at) = (version, at),
        Entity::Dependency(x) => x.version = version,
        Entity::Request(x) => x.version = version,
        Entity::CheckIn(x) => (x.version, x.updated_at) = (version, at),
    }
    after
}

/// A bulk write of at least this many rows refreshes the planner's statistics at once.
const ANALYZE_AFTER: usize = 1_000;

/// Lists longer than this are filtered after reading rather than bound as parameters, which
/// both backends limit.
const MAX_IN: usize = 5_000;

/// Filter on `col IN values`; returns the values to filter by after reading instead, when the
/// list is too long to bind.
fn push_in(qb: &mut QueryBuilder<Sqlite>, col: &str, values: &[i64]) -> Option<HashSet<i64>> {
    if values.len() > MAX_IN {
        return Some(values.iter().copied().collect());
    }
    qb.push(format_args!(" AND {col} IN ("));
    let mut sep = qb.separated(", ");
    for v in values {
        sep.push_bind(*v);
    }
    sep.push_unseparated(")");
    None
}

impl Store for SqlStore {
    async fn init(&self, workspace: Workspace, at: Timestamp) -> Result<Workspace> {
        let mut tx: Tx = self.pool.begin().await?;
        if let Some(name) =
            sqlx::query_scalar::<_, String>("SELECT name FROM workspaces ORDER BY id LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?
        {
            return Err(StoreError::AlreadyInitialised(name));
        }
        let mut entities = vec![Entity::Workspace(workspace)];
        assign_ids(&mut tx, 0, at, &mut entities).await?;
        insert_rows(&mut tx, 0, &entities).await?;
        let meta = Meta::new(None, at, landed_core::event::EventKind::Created);
        let ws = entities[0].id();
        append_events(
            &mut tx,
            ws,
            &[NewEvent {
                meta: &meta,
                before: None,
                after: Some(&entities[0]),
            }],
        )
        .await?;
        tx.commit().await?;
        self.ws.store(ws, Ordering::Release);
        match entities.pop() {
            Some(Entity::Workspace(w)) => Ok(w),
            _ => unreachable!("one workspace went in"),
        }
    }

    async fn workspace(&self) -> Result<Workspace> {
        let ws = self.ws_id()?;
        let row = sqlx::query("SELECT * FROM workspaces WHERE id = $1")
            .bind(ws)
            .fetch_one(&self.pool)
            .await?;
        codec::workspace(&row)
    }

    async fn create(&self, meta: &Meta, entity: Entity) -> Result<Entity> {
        let mut created = self.create_batch(meta, vec![entity]).await?;
        Ok(created.pop().expect("one entity went in"))
    }

    async fn create_batch(&self, meta: &Meta, mut entities: Vec<Entity>) -> Result<Vec<Entity>> {
        let ws = self.ws_id()?;
        if entities.iter().any(|e| matches!(e, Entity::Workspace(_))) {
            return Err(StoreError::AlreadyInitialised(
                "(one workspace per database)".into(),
            ));
        }
        let mut tx: Tx = self.pool.begin().await?;
        assign_ids(&mut tx, ws, meta.at, &mut entities).await?;
        let mut start = 0;
        while start < entities.len() {
            let kind = entities[start].kind();
            let end = entities[start..]
                .iter()
                .position(|e| e.kind() != kind)
                .map_or(entities.len(), |p| start + p);
            insert_rows(&mut tx, ws, &entities[start..end]).await?;
            start = end;
        }
        let events: Vec<NewEvent<'_>> = entities
            .iter()
            .map(|e| NewEvent {
                meta,
                before: None,
                after: Some(e),
            })
            .collect();
        append_events(&mut tx, ws, &events).await?;
        tx.commit().await?;
        if entities.len() >= ANALYZE_AFTER {
            sqlx::query("PRAGMA analysis_limit = 1000")
                .execute(&self.pool)
                .await?;
            sqlx::query("ANALYZE").execute(&self.pool).await?;
        }
        Ok(entities)
    }

    async fn update(&self, meta: &Meta, before: &Entity, after: Entity) -> Result<Entity> {
        let ws = self.ws_id()?;
        if before.kind() != after.kind() || before.id() != after.id() {
            return Err(StoreError::Corrupt(format!(
                "update of {} into a different entity",
                before.label()
            )));
        }
        let expected = before.version();
        let after = bumped(after, expected + 1, meta.at);
        let mut tx: Tx = self.pool.begin().await?;
        if update_row(&mut tx, ws, expected, &after).await? != 1 {
            return Err(StoreError::Conflict {
                entity: before.label(),
                expected,
            });
        }
        append_events(
            &mut tx,
            ws,
            &[NewEvent {
                meta,
                before: Some(before),
                after: Some(&after),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn create_then_update<F>(
        &self,
        created: &Meta,
        entity: Entity,
        updated: &Meta,
        before: &Entity,
        then: F,
    ) -> Result<(Entity, Entity)>
    where
        F: FnOnce(&Entity) -> Entity + Send,
    {
        let ws = self.ws_id()?;
        if matches!(entity, Entity::Workspace(_)) {
            return Err(StoreError::AlreadyInitialised(
                "(one workspace per database)".into(),
            ));
        }
        let mut tx: Tx = self.pool.begin().await?;
        let mut made = [entity];
        assign_ids(&mut tx, ws, created.at, &mut made).await?;
        insert_rows(&mut tx, ws, &made).await?;
        let [made] = made;
        let after = then(&made);
        if before.kind() != after.kind() || before.id() != after.id() {
            return Err(StoreError::Corrupt(format!(
                "update of {} into a different entity",
                before.label()
            )));
        }
        let expected = before.version();
        let after = bumped(after, expected + 1, updated.at);
        if update_row(&mut tx, ws, expected, &after).await? != 1 {
            return Err(StoreError::Conflict {
                entity: before.label(),
                expected,
            });
        }
        append_events(
            &mut tx,
            ws,
            &[
                NewEvent {
                    meta: created,
                    before: None,
                    after: Some(&made),
                },
                NewEvent {
                    meta: updated,
                    before: Some(before),
                    after: Some(&after),
                },
            ],
        )
        .await?;
        tx.commit().await?;
        Ok((made, after))
    }

    async fn write(&self, changes: Vec<Change>) -> Result<Vec<Entity>> {
        let ws = self.ws_id()?;
        let mut tx: Tx = self.pool.begin().await?;
        let mut written = Vec::with_capacity(changes.len());
        for change in &changes {
            match change {
                Change::Create(_, e) => {
                    if matches!(e, Entity::Workspace(_)) {
                        return Err(StoreError::AlreadyInitialised(
                            "(one workspace per database)".into(),
                        ));
                    }
                    let mut made = [e.clone()];
                    let at = match change {
                        Change::Create(m, _) | Change::Update(m, _, _) => m.at,
                    };
                    assign_ids(&mut tx, ws, at, &mut made).await?;
                    insert_rows(&mut tx, ws, &made).await?;
                    let [made] = made;
                    written.push(made);
                }
                Change::Update(meta, before, after) => {
                    if before.kind() != after.kind() || before.id() != after.id() {
                        return Err(StoreError::Corrupt(format!(
                            "update of {} into a different entity",
                            before.label()
                        )));
                    }
                    let expected = before.version();
                    let after = bumped(after.clone(), expected + 1, meta.at);
                    if update_row(&mut tx, ws, expected, &after).await? != 1 {
                        return Err(StoreError::Conflict {
                            entity: before.label(),
                            expected,
                        });
                    }
                    written.push(after);
                }
            }
        }
        let events: Vec<NewEvent<'_>> = changes
            .iter()
            .zip(&written)
            .map(|(change, e)| match change {
                Change::Create(meta, _) => NewEvent {
                    meta,
                    before: None,
                    after: Some(e),
                },
                Change::Update(meta, before, _) => NewEvent {
                    meta,
                    before: Some(before),
                    after: Some(e),
                },
            })
            .collect();
        append_events(&mut tx, ws, &events).await?;
        tx.commit().await?;
        Ok(written)
    }

    async fn delete(&self, meta: &Meta, before: &Entity) -> Result<()> {
        let ws = self.ws_id()?;
        let Entity::Dependency(d) = before else {
            return Err(StoreError::Corrupt(format!(
                "{} cannot be deleted, only closed",
                before.label()
            )));
        };
        let mut tx: Tx = self.pool.begin().await?;
        let done = sqlx::query(
            "DELETE FROM dependencies WHERE id = $1 AND version = $2 AND workspace_id = $3",
        )
        .bind(d.id)
        .bind(d.version)
        .bind(ws)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                entity: before.label(),
                expected: d.version,
            });
        }
        append_events(
            &mut tx,
            ws,
            &[NewEvent {
                meta,
                before: Some(before),
                after: None,
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn people(&self) -> Result<Vec<Person>> {
        let rows = sqlx::query("SELECT * FROM people WHERE workspace_id = $1 ORDER BY handle")
            .bind(self.ws_id()?)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(codec::person).collect()
    }

    async fn person(&self, id: Id) -> Result<Option<Person>> {
        let row = sqlx::query("SELECT * FROM people WHERE workspace_id = $1 AND id = $2")
            .bind(self.ws_id()?)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(codec::person).transpose()
    }

    async fn people_by_ids(&self, ids: &[Id]) -> Result<Vec<Person>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::new("SELECT * FROM people WHERE workspace_id = ");
        qb.push_bind(self.ws_id()?);
        let keep = push_in(&mut qb, "id", ids);
        let mut people = self
            .fetch(qb)
            .await?
            .iter()
            .map(codec::person)
            .collect::<Result<Vec<_>>>()?;
        if let Some(keep) = keep {
            people.retain(|p| keep.contains(&p.id));
        }
        people.sort_unstable_by_key(|p| p.id);
        Ok(people)
    }

    async fn person_by_handle(&self, handle: &str) -> Result<Option<Person>> {
        let row = sqlx::query("SELECT * FROM people WHERE workspace_id = $1 AND handle = $2")
            .bind(self.ws_id()?)
            .bind(handle)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(codec::person).transpose()
    }

    async fn first_person(&self) -> Result<Option<Person>> {
        let row = sqlx::query("SELECT * FROM people WHERE workspace_id = $1 ORDER BY id LIMIT 1")
            .bind(self.ws_id()?)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(codec::person).transpose()
    }

    async fn team_names(&self) -> Result<Vec<(Id, String)>> {
        let rows = sqlx::query("SELECT id, name FROM teams WHERE workspace_id = $1 ORDER BY name")
            .bind(self.ws_id()?)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    async fn teams_of(&self, person: Id) -> Result<Vec<(Id, bool)>> {
        // A lead need not be in team_members. Teams are few (hundreds) and read by
        // workspace; memberships by the team_members_person index.
        let rows = sqlx::query(
            "SELECT id, 1 FROM teams WHERE workspace_id = $1 AND lead = $2 \
             UNION SELECT team_id, 0 FROM team_members WHERE workspace_id = $1 AND person_id = $2 \
             ORDER BY 1, 2 DESC",
        )
        .bind(self.ws_id()?)
        .bind(person)
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<(Id, bool)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let (team, leads): (Id, i32) = (r.try_get(0)?, r.try_get(1)?);
            if out.last().is_none_or(|(t, _)| *t != team) {
                out.push((team, leads == 1));
            }
        }
        Ok(out)
    }

    async fn teams(&self) -> Result<Vec<Team>> {
        let ws = self.ws_id()?;
        let rows = sqlx::query("SELECT * FROM teams WHERE workspace_id = $1 ORDER BY id")
            .bind(ws)
            .fetch_all(&self.pool)
            .await?;
        let mut teams: Vec<Team> = rows.iter().map(codec::team).collect::<Result<_>>()?;
        for (team, person) in self.team_members(ws).await? {
            if let Ok(i) = teams.binary_search_by_key(&team, |t| t.id) {
                teams[i].members.push(person);
            }
        }
        teams.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(teams)
    }

    async fn milestones(&self) -> Result<Vec<Milestone>> {
        let rows =
            sqlx::query("SELECT * FROM milestones WHERE workspace_id = $1 ORDER BY date, num")
                .bind(self.ws_id()?)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(codec::milestone).collect()
    }

    async fn goal(&self, num: i64) -> Result<Option<Goal>> {
        let mut qb = QueryBuilder::new(GOAL_SELECT);
        qb.push_bind(self.ws_id()?)
            .push(" AND g.num = ")
            .push_bind(num);
        let rows = self.fetch(qb).await?;
        rows.first().map(codec::goal).transpose()
    }

    async fn goals(&self, filter: &GoalFilter) -> Result<Vec<Goal>> {
        let mut qb = QueryBuilder::new(GOAL_SELECT);
        qb.push_bind(self.ws_id()?);
        if let Some(team) = filter.team {
            qb.push(" AND g.team_id = ").push_bind(team);
        }
        if let Some(owner) = filter.owner {
            qb.push(" AND g.owner = ").push_bind(owner);
        }
        if filter.open_only {
            qb.push(" AND g.closed IS NULL");
        }
        let mut keep = None;
        if let Some(ids) = &filter.ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            keep = push_in(&mut qb, "g.id", ids);
        }
        // Sorted here rather than by ORDER BY, which tempts SQLite into walking the
        // (workspace_id, num) index instead of using the filter's.
        let mut goals = self
            .fetch(qb)
            .await?
            .iter()
            .map(codec::goal)
            .collect::<Result<Vec<_>>>()?;
        goals.sort_unstable_by_key(|g| g.num);
        Ok(match keep {
            Some(ids) => goals.into_iter().filter(|g| ids.contains(&g.id)).collect(),
            None => goals,
        })
    }

    async fn item(&self, num: i64) -> Result<Option<Item>> {
        let mut qb = QueryBuilder::new(ITEM_SELECT);
        qb.push_bind(self.ws_id()?)
            .push(" AND i.num = ")
            .push_bind(num);
        Ok(self.fetch_items(qb).await?.pop())
    }

    async fn items(&self, filter: &ItemFilter) -> Result<Vec<Item>> {
        let ws = self.ws_id()?;
        let mut qb = QueryBuilder::new(ITEM_SELECT);
        qb.push_bind(ws);
        let (mut keep_goals, mut keep_nums, mut keep_ids, mut keep_owners) =
            (None, None, None, None);
        if let Some(owner) = filter.owner {
            qb.push(" AND i.owner = ").push_bind(owner);
        }
        if let Some(owners) = &filter.owners {
            if owners.is_empty() {
                return Ok(Vec::new());
            }
            keep_owners = push_in(&mut qb, "i.owner", owners);
        }
        if let Some(goals) = &filter.goals {
            if goals.is_empty() {
                return Ok(Vec::new());
            }
            keep_goals = push_in(&mut qb, "i.goal_id", goals);
        }
        if let Some(nums) = &filter.nums {
            if nums.is_empty() {
                return Ok(Vec::new());
            }
            keep_nums = push_in(&mut qb, "i.num", nums);
        }
        if let Some(ids) = &filter.ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            keep_ids = push_in(&mut qb, "i.id", ids);
        }
        if let Some(team) = filter.team {
            qb.push(" AND (i.goal_id IN (SELECT id FROM goals WHERE workspace_id = ")
                .push_bind(ws)
                .push(" AND team_id = ")
                .push_bind(team)
                .push(") OR i.owner IN (SELECT person_id FROM team_members WHERE workspace_id = ")
                .push_bind(ws)
                .push(" AND team_id = ")
                .push_bind(team)
                .push(") OR i.owner = (SELECT lead FROM teams WHERE id = ")
                .push_bind(team)
                .push("))");
        }
        if !filter.statuses.is_empty() {
            qb.push(" AND i.status IN (");
            let mut sep = qb.separated(", ");
            for s in &filter.statuses {
                sep.push_bind(s.as_str());
            }
            sep.push_unseparated(")");
        }
        if let Some(kind) = filter.kind {
            qb.push(" AND i.kind = ").push_bind(kind.as_str());
        }
        // Sorted here rather than by ORDER BY, which tempts SQLite into walking the
        // (workspace_id, num) index instead of using the filter's.
        let mut items = self.fetch_items(qb).await?;
        if filter.by_goal {
            items.sort_unstable_by_key(|i| (i.goal, i.num));
        } else {
            items.sort_unstable_by_key(|i| i.num);
        }
        if keep_goals.is_some()
            || keep_nums.is_some()
            || keep_ids.is_some()
            || keep_owners.is_some()
        {
            let inside = |set: &Option<HashSet<i64>>, v: Option<i64>| {
                set.as_ref()
                    .is_none_or(|s| v.is_some_and(|v| s.contains(&v)))
            };
            items.retain(|i| {
                inside(&keep_goals, i.goal)
                    && inside(&keep_nums, Some(i.num))
                    && inside(&keep_ids, Some(i.id))
                    && inside(&keep_owners, i.owner)
            });
        }
        Ok(items)
    }

    async fn dependencies(&self, touching: Option<&[Node]>) -> Result<Vec<Dependency>> {
        self.dependencies_at(touching, &[("from_kind", "from_id"), ("to_kind", "to_id")])
            .await
    }

    async fn dependencies_into(&self, nodes: &[Node]) -> Result<Vec<Dependency>> {
        self.dependencies_at(Some(nodes), &[("to_kind", "to_id")])
            .await
    }

    async fn team_dependencies(&self, team: Id) -> Result<Vec<Dependency>> {
        let sql = format!(
            "SELECT json_group_array(json_array(id, from_kind, from_id, to_kind, to_id, \
             needed_by, created_at, version)) FROM ({})",
            crate::team_dependencies_sql()
        );
        let json: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(self.ws_id()?)
            .bind(team)
            .fetch_one(&self.pool)
            .await?;
        let mut deps = codec::dependencies_json(json.as_deref().unwrap_or("[]"))?;
        deps.sort_unstable_by_key(|d| d.id);
        Ok(deps)
    }

    async fn last_event_seq(&self) -> Result<i64> {
        // A database holds one workspace, so the newest event overall is the workspace's: the
        // largest primary key, read in one step (a filter on the workspace made the planner
        // walk the whole log through the entity index).
        self.ws_id()?;
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events")
            .fetch_one(&self.pool)
            .await?;
        Ok(seq.unwrap_or(0))
    }

    async fn forecast_run(&self) -> Result<Option<(i64, Date)>> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT event_seq, today FROM forecast_runs WHERE workspace_id = $1")
                .bind(self.ws_id()?)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(seq, today)| {
            let today = codec::parse_date(Some(today))?
                .ok_or_else(|| StoreError::Corrupt("forecast run without a day".into()))?;
            Ok((seq, today))
        })
        .transpose()
    }

    async fn forecasts(&self, nodes: &[Node]) -> Result<Vec<NodeForecast>> {
        let ws = self.ws_id()?;
        let mut out = Vec::new();
        for kind in ["item", "goal"] {
            let ids: Vec<i64> = nodes
                .iter()
                .map(|n| codec::node_kind(*n))
                .filter(|(k, _)| *k == kind)
                .map(|(_, id)| id)
                .collect();
            for chunk in ids.chunks(MAX_IN) {
                let mut qb = QueryBuilder::new(
                    "SELECT json_group_array(json_array(node_id, finish, incomplete)) \
                     FROM forecasts WHERE workspace_id = ",
                );
                qb.push_bind(ws).push(" AND node_kind = ").push_bind(kind);
                push_in(&mut qb, "node_id", chunk);
                let json: Option<String> = qb.build_query_scalar().fetch_one(&self.pool).await?;
                let rows: Vec<(Id, Option<String>, i64)> =
                    serde_json::from_str(json.as_deref().unwrap_or("[]"))
                        .map_err(|e| StoreError::Corrupt(format!("forecasts: {e}")))?;
                for (id, finish, incomplete) in rows {
                    out.push(NodeForecast {
                        node: codec::node(kind, id)?,
                        finish: codec::parse_date(finish)?,
                        incomplete: incomplete != 0,
                    });
                }
            }
        }
        Ok(out)
    }

    async fn save_forecasts(
        &self,
        event_seq: i64,
        today: Date,
        rows: &[NodeForecast],
    ) -> Result<()> {
        let ws = self.ws_id()?;
        let mut tx: Tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM forecasts WHERE workspace_id = $1")
            .bind(ws)
            .execute(&mut *tx)
            .await?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO forecasts (workspace_id, node_kind, node_id, finish, incomplete) ",
            );
            qb.push_values(chunk, |mut b, f| {
                let (kind, id) = codec::node_kind(f.node);
                b.push_bind(ws)
                    .push_bind(kind)
                    .push_bind(id)
                    .push_bind(codec::date(f.finish))
                    .push_bind(i64::from(f.incomplete));
            });
            qb.build().execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO forecast_runs (workspace_id, event_seq, today) VALUES ($1, $2, $3) \
             ON CONFLICT (workspace_id) DO UPDATE SET event_seq = $2, today = $3",
        )
        .bind(ws)
        .bind(event_seq)
        .bind(today.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn requests(&self) -> Result<Vec<Request>> {
        let rows = sqlx::query("SELECT * FROM requests WHERE workspace_id = $1 ORDER BY num")
            .bind(self.ws_id()?)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(codec::request).collect()
    }

    async fn request(&self, num: i64) -> Result<Option<Request>> {
        let row = sqlx::query("SELECT * FROM requests WHERE workspace_id = $1 AND num = $2")
            .bind(self.ws_id()?)
            .bind(num)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(codec::request).transpose()
    }

    async fn dependency_edges(&self) -> Result<Vec<(Node, Node)>> {
        let json: Option<String> = sqlx::query_scalar(
            "SELECT json_group_array(json_array(from_kind, from_id, to_kind, to_id)) \
             FROM dependencies WHERE workspace_id = $1",
        )
        .bind(self.ws_id()?)
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<(String, Id, String, Id)> =
            serde_json::from_str(json.as_deref().unwrap_or("[]"))
                .map_err(|e| StoreError::Corrupt(format!("dependency edges: {e}")))?;
        rows.into_iter()
            .map(|(fk, fid, tk, tid)| Ok((codec::node(&fk, fid)?, codec::node(&tk, tid)?)))
            .collect()
    }

    async fn open_goal_items(&self) -> Result<Vec<(Id, Id)>> {
        let json: Option<String> = sqlx::query_scalar(
            "SELECT json_group_array(json_array(goal_id, id)) FROM items \
             WHERE workspace_id = $1 AND goal_id IS NOT NULL \
             AND status IN ('todo', 'doing', 'blocked')",
        )
        .bind(self.ws_id()?)
        .fetch_one(&self.pool)
        .await?;
        serde_json::from_str(json.as_deref().unwrap_or("[]"))
            .map_err(|e| StoreError::Corrupt(format!("goal items: {e}")))
    }

    async fn checkins(
        &self,
        people: Option<&[Id]>,
        weeks: Option<(Week, Week)>,
    ) -> Result<Vec<CheckIn>> {
        let mut qb = QueryBuilder::new("SELECT * FROM checkins WHERE workspace_id = ");
        qb.push_bind(self.ws_id()?);
        let after = people.and_then(|p| push_in(&mut qb, "person_id", p));
        if let Some((from, to)) = weeks {
            qb.push(" AND week >= ")
                .push_bind(from.to_string())
                .push(" AND week <= ")
                .push_bind(to.to_string());
        }
        qb.push(" ORDER BY week, person_id");
        let rows = self.fetch(qb).await?;
        let mut out = rows
            .iter()
            .map(codec::checkin)
            .collect::<Result<Vec<_>>>()?;
        if let Some(keep) = after {
            out.retain(|c| keep.contains(&c.person));
        }
        Ok(out)
    }

    async fn joined(&self) -> Result<Vec<(Id, Timestamp)>> {
        let rows: Vec<(Id, String)> = sqlx::query_as(
            "SELECT entity_id, MIN(at) FROM events WHERE workspace_id = $1 \
             AND entity_kind = 'person' GROUP BY entity_id ORDER BY entity_id",
        )
        .bind(self.ws_id()?)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, at)| Ok((id, codec::parse_ts(&at)?)))
            .collect()
    }

    async fn events_between(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Event>> {
        let (from, to) = (ts(from), ts(to));
        self.fetch_events(Some("events_at"), |qb| {
            qb.push(" AND at >= ")
                .push_bind(from.clone())
                .push(" AND at < ")
                .push_bind(to.clone());
        })
        .await
    }

    async fn notify_settings(&self) -> Result<Vec<NotifySettings>> {
        let rows =
            sqlx::query("SELECT * FROM notify_settings WHERE workspace_id = $1 ORDER BY person_id")
                .bind(self.ws_id()?)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                let person: Id = r.try_get("person_id")?;
                let email_off: i64 = r.try_get("email_off")?;
                Ok(NotifySettings {
                    person: (person != 0).then_some(person),
                    smtp_url: r.try_get("smtp_url")?,
                    mail_from: r.try_get("mail_from")?,
                    webhook_url: r.try_get("webhook_url")?,
                    webhook_secret: r.try_get("webhook_secret")?,
                    checkin_day: r.try_get("checkin_day")?,
                    email_off: email_off != 0,
                })
            })
            .collect()
    }

    async fn set_notify_settings(&self, s: &NotifySettings) -> Result<()> {
        sqlx::query(
            "INSERT INTO notify_settings (workspace_id, person_id, smtp_url, mail_from, \
             webhook_url, webhook_secret, checkin_day, email_off) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (workspace_id, person_id) DO UPDATE SET smtp_url = $3, mail_from = $4, \
             webhook_url = $5, webhook_secret = $6, checkin_day = $7, email_off = $8",
        )
        .bind(self.ws_id()?)
        .bind(s.person.unwrap_or(0))
        .bind(&s.smtp_url)
        .bind(&s.mail_from)
        .bind(&s.webhook_url)
        .bind(&s.webhook_secret)
        .bind(&s.checkin_day)
        .bind(i64::from(s.email_off))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn enqueue_reminders(&self, rows: &[NewReminder], at: Timestamp) -> Result<usize> {
        let ws = self.ws_id()?;
        let mut tx: Tx = self.pool.begin().await?;
        let mut added = 0;
        for chunk in rows.chunks(ROWS_PER_INSERT / 2) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO reminders (workspace_id, key, channel, target, person_id, subject, \
                 body, state, attempts, next_at, created_at) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(ws)
                    .push_bind(r.key.clone())
                    .push_bind(r.channel.clone())
                    .push_bind(r.target.clone())
                    .push_bind(r.person)
                    .push_bind(r.subject.clone())
                    .push_bind(r.body.clone())
                    .push_bind(ReminderState::Pending.as_str())
                    .push_bind(0i64)
                    .push_bind(ts(at))
                    .push_bind(ts(at));
            });
            qb.push(" ON CONFLICT (workspace_id, key, channel, target) DO NOTHING");
            added += qb.build().execute(&mut *tx).await?.rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn claim_reminders(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        claim: &str,
        limit: i64,
    ) -> Result<Vec<Reminder>> {
        let rows = sqlx::query(
            "UPDATE reminders SET state = 'sending', claim = $2, lease_until = $3, \
             attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM reminders WHERE workspace_id = $1 AND \
             ((state = 'pending' AND next_at <= $4) OR (state = 'sending' AND lease_until < $4)) \
             ORDER BY id LIMIT $5) \
             RETURNING *",
        )
        .bind(self.ws_id()?)
        .bind(claim)
        .bind(ts(lease_until))
        .bind(ts(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = rows
            .iter()
            .map(codec::reminder)
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|r| r.id);
        Ok(out)
    }

    async fn finish_reminder(
        &self,
        id: Id,
        claim: &str,
        outcome: &Outcome,
        at: Timestamp,
    ) -> Result<bool> {
        let (state, next_at, error, sent_at) = match outcome {
            Outcome::Sent => (ReminderState::Sent, None, None, Some(ts(at))),
            Outcome::Retry { next_at, error } => (
                ReminderState::Pending,
                Some(ts(*next_at)),
                Some(error),
                None,
            ),
            Outcome::Dead { error } => (ReminderState::Dead, None, Some(error), None),
        };
        let done = sqlx::query(
            "UPDATE reminders SET state = $4, next_at = COALESCE($5, next_at), \
             last_error = COALESCE($6, last_error), sent_at = $7, claim = NULL, lease_until = NULL \
             WHERE workspace_id = $1 AND id = $2 AND claim = $3 AND state = 'sending'",
        )
        .bind(self.ws_id()?)
        .bind(id)
        .bind(claim)
        .bind(state.as_str())
        .bind(next_at)
        .bind(error)
        .bind(sent_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn reminders(&self, limit: i64) -> Result<Vec<Reminder>> {
        let rows = sqlx::query(
            "SELECT * FROM reminders WHERE workspace_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(self.ws_id()?)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(codec::reminder).collect()
    }

    async fn reminder_counts(&self) -> Result<Vec<(ReminderState, i64)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT state, COUNT(*) FROM reminders WHERE workspace_id = $1 GROUP BY state",
        )
        .bind(self.ws_id()?)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(state, n)| Ok((codec::reminder_state(&state)?, n)))
            .collect()
    }

    async fn password_hash(&self, person: Id) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT password_hash FROM credentials WHERE workspace_id = $1 AND person_id = $2",
        )
        .bind(self.ws_id()?)
        .bind(person)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn set_password(&self, person: Id, hash: &str, at: Timestamp) -> Result<()> {
        sqlx::query(
            "INSERT INTO credentials (workspace_id, person_id, password_hash, changed_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id, person_id) \
             DO UPDATE SET password_hash = $3, changed_at = $4",
        )
        .bind(self.ws_id()?)
        .bind(person)
        .bind(hash)
        .bind(ts(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn create_token(
        &self,
        person: Id,
        name: &str,
        hash: &str,
        at: Timestamp,
        expires_at: Option<Timestamp>,
    ) -> Result<ApiToken> {
        let id: Id = sqlx::query_scalar(
            "INSERT INTO api_tokens (workspace_id, person_id, name, hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(self.ws_id()?)
        .bind(person)
        .bind(name)
        .bind(hash)
        .bind(ts(at))
        .bind(expires_at.map(ts))
        .fetch_one(&self.pool)
        .await?;
        Ok(ApiToken {
            id,
            person,
            name: name.to_string(),
            created_at: codec::round_ts(at),
            expires_at: expires_at.map(codec::round_ts),
            revoked_at: None,
            last_used_at: None,
        })
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>> {
        let row = sqlx::query("SELECT * FROM api_tokens WHERE workspace_id = $1 AND hash = $2")
            .bind(self.ws_id()?)
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(codec::token).transpose()
    }

    async fn tokens(&self, person: Option<Id>) -> Result<Vec<ApiToken>> {
        let mut qb = QueryBuilder::new("SELECT * FROM api_tokens WHERE workspace_id = ");
        qb.push_bind(self.ws_id()?);
        if let Some(p) = person {
            qb.push(" AND person_id = ").push_bind(p);
        }
        qb.push(" ORDER BY id");
        self.fetch(qb).await?.iter().map(codec::token).collect()
    }

    async fn revoke_token(&self, id: Id, at: Timestamp) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 \
             WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL",
        )
        .bind(self.ws_id()?)
        .bind(id)
        .bind(ts(at))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn touch_token(&self, id: Id, at: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $3 WHERE workspace_id = $1 AND id = $2 \
             AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(self.ws_id()?)
        .bind(id)
        .bind(ts(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn create_session(
        &self,
        person: Id,
        hash: &str,
        csrf: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Session> {
        let id: Id = sqlx::query_scalar(
            "INSERT INTO sessions (workspace_id, person_id, hash, csrf, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(self.ws_id()?)
        .bind(person)
        .bind(hash)
        .bind(csrf)
        .bind(ts(at))
        .bind(ts(expires_at))
        .fetch_one(&self.pool)
        .await?;
        Ok(Session {
            id,
            person,
            csrf: csrf.to_string(),
            created_at: codec::round_ts(at),
            expires_at: codec::round_ts(expires_at),
            revoked_at: None,
        })
    }

    async fn session_by_hash(&self, hash: &str) -> Result<Option<Session>> {
        let row = sqlx::query("SELECT * FROM sessions WHERE workspace_id = $1 AND hash = $2")
            .bind(self.ws_id()?)
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(codec::session).transpose()
    }

    async fn revoke_session(&self, id: Id, at: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $3 \
             WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL",
        )
        .bind(self.ws_id()?)
        .bind(id)
        .bind(ts(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn revoke_sessions(&self, person: Id, at: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $3 \
             WHERE workspace_id = $1 AND person_id = $2 AND revoked_at IS NULL",
        )
        .bind(self.ws_id()?)
        .bind(person)
        .bind(ts(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn login_failure(&self, key: &str, at: Timestamp) -> Result<()> {
        sqlx::query("INSERT INTO login_failures (workspace_id, key, at) VALUES ($1, $2, $3)")
            .bind(self.ws_id()?)
            .bind(key)
            .bind(ts(at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn login_failures_since(&self, key: &str, since: Timestamp) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_failures WHERE workspace_id = $1 AND key = $2 AND at >= $3",
        )
        .bind(self.ws_id()?)
        .bind(key)
        .bind(ts(since))
        .fetch_one(&self.pool)
        .await?)
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE workspace_id = $1 AND key = $2")
            .bind(self.ws_id()?)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn keyed(&self, key: &str) -> Result<Vec<Event>> {
        let key = key.to_string();
        self.fetch_events(Some("events_request_key"), |qb| {
            qb.push(" AND request_key = ").push_bind(key.clone());
        })
        .await
    }

    async fn history(&self, kind: EntityKind, id: Id) -> Result<Vec<Event>> {
        self.histories(kind, &[id]).await
    }

    async fn histories(&self, kind: EntityKind, ids: &[Id]) -> Result<Vec<Event>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut events = self
            .fetch_events(Some("events_entity"), |qb| {
                qb.push(" AND entity_kind = ").push_bind(kind.as_str());
                push_in(qb, "entity_id", ids);
            })
            .await?;
        if ids.len() > MAX_IN {
            let keep: HashSet<Id> = ids.iter().copied().collect();
            events.retain(|e| e.subject().is_some_and(|en| keep.contains(&en.id())));
        }
        Ok(events)
    }

    async fn events(&self) -> Result<Vec<Event>> {
        self.fetch_events(None, |_| {}).await
    }

    async fn state(&self) -> Result<State> {
        let mut state = State::default();
        state.put(Entity::Workspace(self.workspace().await?));
        for p in self.people().await? {
            state.put(Entity::Person(p));
        }
        for t in self.teams().await? {
            state.put(Entity::Team(t));
        }
        for m in self.milestones().await? {
            state.put(Entity::Milestone(m));
        }
        for g in self.goals(&GoalFilter::default()).await? {
            state.put(Entity::Goal(g));
        }
        for i in self.items(&ItemFilter::default()).await? {
            state.put(Entity::Item(i));
        }
        for d in self.dependencies(None).await? {
            state.put(Entity::Dependency(d));
        }
        for r in self.requests().await? {
            state.put(Entity::Request(r));
        }
        for c in self.checkins(None, None).await? {
            state.put(Entity::CheckIn(c));
        }
        Ok(state)
    }
}
