//! The PostgreSQL store: the same behaviour as the SQLite one (`sqlite.rs`), for workspaces
//! that several `landed serve` processes share (DESIGN §10).
//!
//! Same schema (`migrations/postgres`, numbered like `migrations/sqlite`), same text forms
//! for dates and timestamps, same ids and event numbers, same errors, same order of results:
//! a test suite (`tests/store.rs`) runs against both. What differs:
//! * reads that come back as one JSON row use `json_agg(json_build_array(…))` where SQLite has
//!   `json_group_array(json_array(…))`, and lists are bound as one array (`= ANY($n)`) rather
//!   than as one parameter per value;
//! * SQLite lets one writer in at a time; here every write first takes the workspace's write
//!   lock (`write::lock_workspace`), and the reminder outbox is claimed with
//!   `FOR UPDATE SKIP LOCKED`, so that processes sharing the database stay correct.

use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;
use landed_core::capacity::Week;
use landed_core::event::{Entity, EntityKind, Event, EventKind, State};
use landed_core::model::{
    CheckIn, Dependency, Goal, Id, Item, Milestone, Node, Person, Request, Team, Workspace,
};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::{Connection, Postgres, QueryBuilder, Row};

use crate::codec::{self, ts};
use crate::{
    ApiToken, Change, GoalFilter, ItemFilter, KeptGoal, Meta, NewReminder, NodeForecast,
    NotifySettings, Outcome, Reminder, ReminderState, Result, Session, Store, StoreError,
    kind_runs,
};

mod write;

use write::{NewEvent, Tx, append_events, assign_ids, insert_rows, lock_workspace, update_checked};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections per process: a `landed serve` answers requests concurrently, and PostgreSQL
/// counts every connection of every process against its `max_connections` (100 by default).
const MAX_CONNECTIONS: u32 = 8;

/// How long a query waits for a pooled connection, opening one included, before it fails as
/// unavailable (`sqlx::Error::PoolTimedOut`; the server answers 503 with `Retry-After`).
/// Well under the server's 30 s request timeout: when PostgreSQL is down or unreachable a
/// request fails fast rather than hanging, while a refused connection is still retried (with
/// backoff) for long enough to ride out a restart (RELIABILITY T17).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether PostgreSQL's error means the connection or the server is gone or not accepting
/// work right now, rather than a refused or broken statement: a connection exception (class
/// 08, except a protocol violation, which is a bug), an operator intervention that ends
/// sessions (`pg_terminate_backend` is 57P01, a crash 57P02, a server starting or stopping
/// 57P03, an idle session timed out 57P05), or too many connections (53300).
pub(crate) fn is_unavailable_error(e: &dyn sqlx::error::DatabaseError) -> bool {
    let Some(pg) = e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() else {
        return false;
    };
    let code = pg.code();
    (code.starts_with("08") && code != "08P01")
        || matches!(code, "57P01" | "57P02" | "57P03" | "57P05" | "53300")
}

/// Items as one JSON row of arrays of their columns (in `codec::ItemRow` order, as the SQLite
/// store's rows): one round trip and one parse, where rows would each cross the driver.
/// Without rows `json_agg` is NULL, hence the `COALESCE`.
const ITEM_SELECT: &str = "SELECT COALESCE(json_agg(json_build_array(i.id, i.num, i.title, \
     i.outcome, i.owner, i.due_date, i.milestone_id, m.date, i.estimate_hours, i.status, \
     i.status_reason, i.kind, i.goal_id, i.actual_hours, i.done_at, i.created_at, i.updated_at, \
     i.version)), '[]')::text \
     FROM items i LEFT JOIN milestones m ON m.id = i.milestone_id WHERE i.workspace_id = ";
const GOAL_SELECT: &str = "SELECT g.*, m.date AS ms_date FROM goals g \
     LEFT JOIN milestones m ON m.id = g.milestone_id WHERE g.workspace_id = ";

/// Events as one JSON row per page, in `codec::EventRow` order; the entities before and after
/// are kept as JSON text and embedded as JSON. See `PgStore::fetch_events`.
const EVENT_SELECT: &str = "SELECT COALESCE(json_agg(json_build_array(seq, at, author, kind, \
     before::json, after::json, reason)), '[]')::text FROM (SELECT * FROM events";

/// Events per page: one JSON row stays far below PostgreSQL's limit for a value (1 GB)
/// however long the log.
const EVENT_PAGE: i64 = 10_000;

/// A bulk write of at least this many rows refreshes the planner's statistics at once, rather
/// than when autovacuum next comes by.
const ANALYZE_AFTER: usize = 1_000;

/// A workspace kept in a PostgreSQL database.
pub struct PgStore {
    pool: PgPool,
    /// The workspace this store serves; 0 until one exists.
    ws: AtomicI64,
    /// Where the database is, without the password: for messages.
    label: String,
}

impl PgStore {
    /// Connect to the database at `url` (`postgres://user:password@host:port/database`,
    /// with the usual `sslmode` and other parameters) and apply pending migrations. The
    /// database itself must exist.
    pub async fn connect(url: &str) -> Result<PgStore> {
        let options: PgConnectOptions =
            url.parse()
                .map_err(|source: sqlx::Error| StoreError::Open {
                    path: redact(url),
                    reason: source.to_string(),
                })?;
        let label = format!(
            "postgres://{}@{}:{}/{}",
            options.get_username(),
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or_default()
        );
        let options = options.application_name("landed");
        // One connection first, outside the pool: a wrong address, password or database
        // fails at once with PostgreSQL's reason, where the pool would retry a refused
        // connection until its acquire timeout.
        let mut conn = PgConnection::connect_with(&options)
            .await
            .map_err(|source| StoreError::Open {
                path: label.clone(),
                reason: source.to_string(),
            })?;
        // sqlx holds an advisory lock while it migrates: processes starting together apply
        // each migration once.
        MIGRATOR.run(&mut conn).await?;
        let ws: Option<i64> = sqlx::query_scalar("SELECT id FROM workspaces ORDER BY id LIMIT 1")
            .fetch_optional(&mut conn)
            .await?;
        conn.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(options);
        Ok(PgStore {
            pool,
            ws: AtomicI64::new(ws.unwrap_or(0)),
            label,
        })
    }

    /// Close the pool, waiting for connections to finish.
    /// Connections open in the pool, and of those how many are idle (for metrics).
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn ws_id(&self) -> Result<Id> {
        match self.ws.load(Ordering::Acquire) {
            0 => Err(StoreError::NoWorkspace(self.label.clone())),
            id => Ok(id),
        }
    }

    /// Begin a writing transaction holding the workspace's write lock.
    async fn begin_write(&self) -> Result<(Tx, Id)> {
        let ws = self.ws_id()?;
        let mut tx: Tx = self.pool.begin().await?;
        lock_workspace(&mut tx, ws).await?;
        Ok((tx, ws))
    }

    async fn fetch(&self, mut qb: QueryBuilder<Postgres>) -> Result<Vec<PgRow>> {
        Ok(qb.build().fetch_all(&self.pool).await?)
    }

    /// Run a query that returns one JSON text (an `ITEM_SELECT` or the like).
    async fn fetch_json(&self, mut qb: QueryBuilder<Postgres>) -> Result<String> {
        let json: Option<String> = qb.build_query_scalar().fetch_one(&self.pool).await?;
        Ok(json.unwrap_or_else(|| "[]".into()))
    }

    /// The events `conditions` select (pushed after `workspace_id = $1`), oldest first, read
    /// page by page as JSON rows. PostgreSQL has no `INDEXED BY`: its planner picks the index
    /// (`events_entity` for histories, `events_at` for time ranges) from the conditions.
    async fn fetch_events(
        &self,
        conditions: impl Fn(&mut QueryBuilder<Postgres>),
    ) -> Result<Vec<Event>> {
        let ws = self.ws_id()?;
        let mut events = Vec::new();
        loop {
            let mut qb = QueryBuilder::new(EVENT_SELECT);
            qb.push(" WHERE workspace_id = ").push_bind(ws);
            conditions(&mut qb);
            qb.push(" AND seq > ")
                .push_bind(events.last().map_or(0, |e: &Event| e.seq))
                .push(" ORDER BY seq LIMIT ")
                .push_bind(EVENT_PAGE)
                .push(") e");
            let page = codec::events_json(&self.fetch_json(qb).await?)?;
            let full = page.len() as i64 == EVENT_PAGE;
            events.extend(page);
            if !full {
                return Ok(events);
            }
        }
    }

    /// Run an `ITEM_SELECT` query and decode its JSON array.
    async fn fetch_items(&self, qb: QueryBuilder<Postgres>) -> Result<Vec<Item>> {
        codec::items_json(&self.fetch_json(qb).await?)
    }

    /// Dependencies with an end among `touching` (all when `None`), looking at the given ends
    /// (`(kind column, id column)` pairs), as one JSON row, by id.
    async fn dependencies_at(
        &self,
        touching: Option<&[Node]>,
        ends: &[(&str, &str)],
    ) -> Result<Vec<Dependency>> {
        let ws = self.ws_id()?;
        let mut qb = QueryBuilder::new(
            "SELECT COALESCE(json_agg(json_build_array(id, from_kind, from_id, to_kind, to_id, \
             needed_by, created_at, version) ORDER BY id), '[]')::text FROM (",
        );
        match touching {
            Some([]) => return Ok(Vec::new()),
            Some(nodes) => {
                // One indexed search per end and kind, united, as on SQLite.
                for (k, (kind, kind_col, id_col, ids)) in
                    codec::end_searches(nodes, ends).into_iter().enumerate()
                {
                    if k > 0 {
                        qb.push(" UNION ");
                    }
                    qb.push("SELECT * FROM dependencies WHERE workspace_id = ")
                        .push_bind(ws)
                        .push(format_args!(" AND {kind_col} = "))
                        .push_bind(kind)
                        .push(format_args!(" AND {id_col} = ANY("))
                        .push_bind(ids)
                        .push(")");
                }
            }
            None => {
                qb.push("SELECT * FROM dependencies WHERE workspace_id = ")
                    .push_bind(ws);
            }
        }
        qb.push(") d");
        let mut deps = codec::dependencies_json(&self.fetch_json(qb).await?)?;
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

    /// Refresh the planner's statistics of the tables a bulk write filled.
    async fn analyze(&self, kinds: impl Iterator<Item = EntityKind>) -> Result<()> {
        let mut tables: Vec<&str> = kinds.map(write::table).collect();
        tables.sort_unstable();
        tables.dedup();
        tables.push("events");
        // Table names come from a fixed list, not from input.
        let sql = format!("ANALYZE {}", tables.join(", "));
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// `url` without its password, for messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}{}", &rest[authority_end..])
        }
        None => url.to_string(),
    }
}

impl Store for PgStore {
    async fn init(&self, workspace: Workspace, at: Timestamp) -> Result<Workspace> {
        let mut tx: Tx = self.pool.begin().await?;
        // There is no workspace row to lock yet. This lock lets reads through but makes a
        // second `init` wait, then find the first one's workspace.
        sqlx::query("LOCK TABLE workspaces IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
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
        let meta = Meta::new(None, at, EventKind::Created);
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
            _ => Err(StoreError::Corrupt("the new workspace went missing".into())),
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
        created
            .pop()
            .ok_or_else(|| StoreError::Corrupt("the created entity went missing".into()))
    }

    async fn create_batch(&self, meta: &Meta, mut entities: Vec<Entity>) -> Result<Vec<Entity>> {
        self.ws_id()?;
        if entities.iter().any(|e| matches!(e, Entity::Workspace(_))) {
            return Err(StoreError::AlreadyInitialised(
                "(one workspace per database)".into(),
            ));
        }
        let (mut tx, ws) = self.begin_write().await?;
        assign_ids(&mut tx, ws, meta.at, &mut entities).await?;
        for run in kind_runs(&entities) {
            insert_rows(&mut tx, ws, &entities[run]).await?;
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
            self.analyze(entities.iter().map(Entity::kind)).await?;
        }
        Ok(entities)
    }

    async fn update(&self, meta: &Meta, before: &Entity, after: Entity) -> Result<Entity> {
        self.ws_id()?;
        write::same_entity(before, &after)?;
        let (mut tx, ws) = self.begin_write().await?;
        let after = update_checked(&mut tx, ws, meta, before, after).await?;
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
        F: FnOnce(&Entity) -> Entity + Send + 'static,
    {
        self.ws_id()?;
        if matches!(entity, Entity::Workspace(_)) {
            return Err(StoreError::AlreadyInitialised(
                "(one workspace per database)".into(),
            ));
        }
        let (mut tx, ws) = self.begin_write().await?;
        let mut made = [entity];
        assign_ids(&mut tx, ws, created.at, &mut made).await?;
        insert_rows(&mut tx, ws, &made).await?;
        let [made] = made;
        let after = then(&made);
        let after = update_checked(&mut tx, ws, updated, before, after).await?;
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
        self.ws_id()?;
        let (mut tx, ws) = self.begin_write().await?;
        let mut written = Vec::with_capacity(changes.len());
        for change in &changes {
            match change {
                Change::Create(meta, e) => {
                    if matches!(e, Entity::Workspace(_)) {
                        return Err(StoreError::AlreadyInitialised(
                            "(one workspace per database)".into(),
                        ));
                    }
                    let mut made = [e.clone()];
                    assign_ids(&mut tx, ws, meta.at, &mut made).await?;
                    insert_rows(&mut tx, ws, &made).await?;
                    let [made] = made;
                    written.push(made);
                }
                Change::Update(meta, before, after) => {
                    let after = update_checked(&mut tx, ws, meta, before, after.clone()).await?;
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
        self.ws_id()?;
        let Entity::Dependency(d) = before else {
            return Err(StoreError::Corrupt(format!(
                "{} cannot be deleted, only closed",
                before.label()
            )));
        };
        let (mut tx, ws) = self.begin_write().await?;
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
        let rows = sqlx::query(
            "SELECT * FROM people WHERE workspace_id = $1 AND id = ANY($2) ORDER BY id",
        )
        .bind(self.ws_id()?)
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(codec::person).collect()
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

    async fn team_named(&self, name: &str) -> Result<Option<Team>> {
        // The members as an array of the same row: one round trip.
        let row = sqlx::query(
            "SELECT t.*, ARRAY(SELECT person_id FROM team_members m \
             WHERE m.workspace_id = t.workspace_id AND m.team_id = t.id ORDER BY person_id) \
             AS members FROM teams t WHERE t.workspace_id = $1 AND t.name = $2",
        )
        .bind(self.ws_id()?)
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut team = codec::team(&row)?;
        team.members = row.try_get("members")?;
        Ok(Some(team))
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
        if let Some(ids) = &filter.ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            qb.push(" AND g.id = ANY(").push_bind(ids).push(")");
        }
        qb.push(" ORDER BY g.num");
        self.fetch(qb).await?.iter().map(codec::goal).collect()
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
        if let Some(owner) = filter.owner {
            qb.push(" AND i.owner = ").push_bind(owner);
        }
        for (col, values) in [
            ("i.owner", &filter.owners),
            ("i.goal_id", &filter.goals),
            ("i.num", &filter.nums),
            ("i.id", &filter.ids),
        ] {
            if let Some(values) = values {
                if values.is_empty() {
                    return Ok(Vec::new());
                }
                qb.push(format_args!(" AND {col} = ANY("))
                    .push_bind(values)
                    .push(")");
            }
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
            let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
            qb.push(" AND i.status = ANY(")
                .push_bind(statuses)
                .push(")");
        }
        if let Some(kind) = filter.kind {
            qb.push(" AND i.kind = ").push_bind(kind.as_str());
        }
        let mut items = self.fetch_items(qb).await?;
        if filter.by_goal {
            items.sort_unstable_by_key(|i| (i.goal, i.num));
        } else {
            items.sort_unstable_by_key(|i| i.num);
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
            "SELECT COALESCE(json_agg(json_build_array(id, from_kind, from_id, to_kind, to_id, \
             needed_by, created_at, version) ORDER BY id), '[]')::text FROM ({}) d",
            crate::team_dependencies_sql()
        );
        let json: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(self.ws_id()?)
            .bind(team)
            .fetch_one(&self.pool)
            .await?;
        codec::dependencies_json(&json)
    }

    async fn last_event_seq(&self) -> Result<i64> {
        // Named by workspace, the maximum is read from the primary key's index, not a scan.
        let ws = self.ws_id()?;
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM events WHERE workspace_id = $1")
                .bind(ws)
                .fetch_one(&self.pool)
                .await?;
        Ok(seq.unwrap_or(0))
    }

    async fn directory_stamp(&self) -> Result<i64> {
        let stamp: Option<i64> = sqlx::query_scalar(
            "SELECT next FROM counters WHERE workspace_id = $1 AND name = 'directory'",
        )
        .bind(self.ws_id()?)
        .fetch_optional(&self.pool)
        .await?;
        Ok(stamp.unwrap_or(0))
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
            let ids = codec::ids_of_kind(nodes, kind);
            if ids.is_empty() {
                continue;
            }
            let json: String = sqlx::query_scalar(
                "SELECT COALESCE(json_agg(json_build_array(node_id, finish, incomplete) \
                 ORDER BY node_id), '[]')::text \
                 FROM forecasts WHERE workspace_id = $1 AND node_kind = $2 AND node_id = ANY($3)",
            )
            .bind(ws)
            .bind(kind)
            .bind(&ids)
            .fetch_one(&self.pool)
            .await?;
            let rows: Vec<(Id, Option<String>, i64)> = serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("forecasts: {e}")))?;
            for (id, finish, incomplete) in rows {
                out.push(NodeForecast {
                    node: codec::node(kind, id)?,
                    finish: codec::parse_date(finish)?,
                    incomplete: incomplete != 0,
                });
            }
        }
        Ok(out)
    }

    async fn kept_goals(&self, goals: &[Id]) -> Result<Vec<KeptGoal>> {
        if goals.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(Id, i64, String)> = sqlx::query_as(
            "SELECT goal_id, plan, risk FROM kept_goals \
             WHERE workspace_id = $1 AND goal_id = ANY($2) ORDER BY goal_id",
        )
        .bind(self.ws_id()?)
        .bind(goals)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(goal, plan, risk)| codec::kept_goal(goal, plan, &risk))
            .collect()
    }

    async fn save_forecasts(
        &self,
        event_seq: i64,
        today: Date,
        rows: &[NodeForecast],
        goals: &[KeptGoal],
    ) -> Result<()> {
        // The write lock keeps two processes saving at once from inserting the same rows
        // (each would delete what it saw, then insert).
        let (mut tx, ws) = self.begin_write().await?;
        for delete in [
            "DELETE FROM forecasts WHERE workspace_id = $1",
            "DELETE FROM kept_goals WHERE workspace_id = $1",
        ] {
            sqlx::query(delete).bind(ws).execute(&mut *tx).await?;
        }
        for chunk in goals.chunks(write::ROWS_PER_INSERT) {
            let mut qb: QueryBuilder<Postgres> =
                QueryBuilder::new("INSERT INTO kept_goals (workspace_id, goal_id, plan, risk) ");
            qb.push_values(chunk, |mut b, k| {
                b.push_bind(ws)
                    .push_bind(k.goal)
                    .push_bind(i64::from(k.plan))
                    .push_bind(codec::risk_json(&k.risk));
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in rows.chunks(write::ROWS_PER_INSERT) {
            let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(
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
        // In the order of the unique index, which SQLite reads them by.
        let json: String = sqlx::query_scalar(
            "SELECT COALESCE(json_agg(json_build_array(from_kind, from_id, to_kind, to_id) \
             ORDER BY from_kind, from_id, to_kind, to_id), '[]')::text \
             FROM dependencies WHERE workspace_id = $1",
        )
        .bind(self.ws_id()?)
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<(String, Id, String, Id)> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("dependency edges: {e}")))?;
        rows.into_iter()
            .map(|(fk, fid, tk, tid)| Ok((codec::node(&fk, fid)?, codec::node(&tk, tid)?)))
            .collect()
    }

    async fn open_goal_items(&self) -> Result<Vec<(Id, Id)>> {
        let json: String = sqlx::query_scalar(
            "SELECT COALESCE(json_agg(json_build_array(goal_id, id) ORDER BY goal_id, id), \
             '[]')::text FROM items \
             WHERE workspace_id = $1 AND goal_id IS NOT NULL \
             AND status IN ('todo', 'doing', 'blocked')",
        )
        .bind(self.ws_id()?)
        .fetch_one(&self.pool)
        .await?;
        serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("goal items: {e}")))
    }

    async fn checkins(
        &self,
        people: Option<&[Id]>,
        weeks: Option<(Week, Week)>,
    ) -> Result<Vec<CheckIn>> {
        let mut qb = QueryBuilder::new("SELECT * FROM checkins WHERE workspace_id = ");
        qb.push_bind(self.ws_id()?);
        if let Some(people) = people {
            qb.push(" AND person_id = ANY(").push_bind(people).push(")");
        }
        if let Some((from, to)) = weeks {
            qb.push(" AND week >= ")
                .push_bind(from.to_string())
                .push(" AND week <= ")
                .push_bind(to.to_string());
        }
        qb.push(" ORDER BY week, person_id");
        self.fetch(qb).await?.iter().map(codec::checkin).collect()
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
        self.fetch_events(|qb| {
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
        // One upsert: atomic on its own, no lock needed.
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
        // Ids are max + 1 in order, for the new rows only, as SQLite's rowid gives them: the
        // write lock keeps the max still, and rows already recorded (earlier, or twice in
        // this list) are dropped before they are numbered. `ON CONFLICT` alone would burn an
        // id on every reminder decided again, which is most of them on every run.
        let mut seen = HashSet::new();
        let rows: Vec<&NewReminder> = rows
            .iter()
            .filter(|r| seen.insert((&r.key, &r.channel, &r.target)))
            .collect();
        let (mut tx, ws) = self.begin_write().await?;
        let mut added = 0;
        for chunk in rows.chunks(write::ROWS_PER_INSERT) {
            let column = |f: fn(&NewReminder) -> &String| -> Vec<&str> {
                chunk.iter().map(|r| f(r).as_str()).collect()
            };
            let people: Vec<Option<Id>> = chunk.iter().map(|r| r.person).collect();
            let done = sqlx::query(
                "INSERT INTO reminders (id, workspace_id, key, channel, target, person_id, \
                 subject, body, state, attempts, next_at, created_at) \
                 SELECT top.id + row_number() OVER (ORDER BY v.ord), $1, v.key, v.channel, \
                 v.target, v.person_id, v.subject, v.body, 'pending', 0, $8, $8 \
                 FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], \
                 $7::text[]) WITH ORDINALITY AS v (key, channel, target, person_id, subject, \
                 body, ord) \
                 CROSS JOIN (SELECT COALESCE(MAX(id), 0) AS id FROM reminders) top \
                 WHERE NOT EXISTS (SELECT 1 FROM reminders r WHERE r.workspace_id = $1 \
                 AND r.key = v.key AND r.channel = v.channel AND r.target = v.target) \
                 ON CONFLICT (workspace_id, key, channel, target) DO NOTHING",
            )
            .bind(ws)
            .bind(column(|r| &r.key))
            .bind(column(|r| &r.channel))
            .bind(column(|r| &r.target))
            .bind(people)
            .bind(column(|r| &r.subject))
            .bind(column(|r| &r.body))
            .bind(ts(at))
            .execute(&mut *tx)
            .await?;
            added += done.rows_affected() as usize;
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
        // SKIP LOCKED: two senders claiming at once each take rows the other has not locked,
        // never the same one; a row claimed and committed meanwhile is re-checked against the
        // conditions when it is locked, and no longer qualifies.
        let rows = sqlx::query(
            "UPDATE reminders SET state = 'sending', claim = $2, lease_until = $3, \
             attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM reminders WHERE workspace_id = $1 AND \
             ((state = 'pending' AND next_at <= $4) OR (state = 'sending' AND lease_until < $4)) \
             ORDER BY id LIMIT $5 FOR UPDATE SKIP LOCKED) \
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
        // Ordered by state, as SQLite's grouping returns them.
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT state, COUNT(*) FROM reminders WHERE workspace_id = $1 \
             GROUP BY state ORDER BY state",
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
        self.fetch_events(|qb| {
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
        self.fetch_events(|qb| {
            qb.push(" AND entity_kind = ")
                .push_bind(kind.as_str())
                .push(" AND entity_id = ANY(")
                .push_bind(ids)
                .push(")");
        })
        .await
    }

    async fn events(&self) -> Result<Vec<Event>> {
        self.fetch_events(|_| {}).await
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

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact("postgres://ana:s3cr%40t@db.example:5432/landed?sslmode=require"),
            "postgres://ana@db.example:5432/landed?sslmode=require"
        );
        assert_eq!(redact("postgres://db/landed"), "postgres://db/landed");
        assert_eq!(redact("not a url"), "not a url");
    }
}
