//! The SQLite store: one file, WAL, `synchronous=FULL` (acknowledged writes survive power
//! loss), foreign keys on, migrations applied on open.
//!
//! SQLite is called in place, on the calling task's thread: a point read then costs a few
//! microseconds. (A driver that runs each connection on a worker thread paid tens of
//! microseconds per statement for the hand-off, more than SQLite's own work; see
//! BENCHMARKS.md.) Reads take a connection of their own from a small pool and run
//! concurrently. No connection is held across an `.await`.
//!
//! Writes are the exception: they queue for one writer thread, which owns the writer
//! connection and commits them in batches (group commit). The writes waiting when a batch
//! starts share its transaction (`BEGIN IMMEDIATE`, so another process writing the same file
//! makes it wait, not fail), each inside a savepoint of its own: one that fails is rolled
//! back alone, and the others still commit. Every write is answered only after the batch's
//! `COMMIT` (with its fsync) returned, so an acknowledged write is on disk; one fsync then
//! covers the whole batch instead of one each.
//!
//! The SQL sticks to the subset PostgreSQL also runs (`RETURNING`, `ON CONFLICT`, text
//! dates); arguments are numbered (`?N`). The one exception: a long list of ids is one
//! argument read by `rarray(?N)` (rusqlite's array table; PostgreSQL binds an array).

use std::fmt::{Display, Write as _};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;
use landed_core::capacity::Week;
use landed_core::event::{Entity, EntityKind, Event, State};
use landed_core::model::{
    CheckIn, Dependency, Goal, Id, Item, Milestone, Node, Person, Request, Team, Workspace,
};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Params, Row, TransactionBehavior};
use sha2::{Digest, Sha384};
use tokio::sync::oneshot;

use crate::codec::{self, ts};
use crate::{
    ApiToken, Change, GoalFilter, ItemFilter, KeptGoal, Meta, NewReminder, NodeForecast,
    NotifySettings, Outcome, Reminder, ReminderState, Result, Session, Store, StoreError,
    kind_runs, stamp_new,
};

/// The schema's migrations, in order: `(version, description, SQL)`. The record of those
/// applied is kept in `_sqlx_migrations`, the table (and checksums) of the driver that
/// applied them before, so databases made by earlier versions open unchanged.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "requests",
        include_str!("../migrations/sqlite/0002_requests.sql"),
    ),
    (
        3,
        "time and policy",
        include_str!("../migrations/sqlite/0003_time_and_policy.sql"),
    ),
    (
        4,
        "forecast cache",
        include_str!("../migrations/sqlite/0004_forecast_cache.sql"),
    ),
    (
        5,
        "checkins and reminders",
        include_str!("../migrations/sqlite/0005_checkins_and_reminders.sql"),
    ),
    (
        6,
        "accounts",
        include_str!("../migrations/sqlite/0006_accounts.sql"),
    ),
    (
        7,
        "request keys",
        include_str!("../migrations/sqlite/0007_request_keys.sql"),
    ),
    (
        8,
        "directory stamp",
        include_str!("../migrations/sqlite/0008_directory_stamp.sql"),
    ),
    (
        9,
        "kept goals",
        include_str!("../migrations/sqlite/0009_kept_goals.sql"),
    ),
];

/// Rows per multi-row INSERT: keeps the bound parameters under SQLite's limit of 32,766.
const ROWS_PER_INSERT: usize = 1_000;

/// Idle read connections kept open.
const MAX_IDLE: usize = 8;

/// How long a statement waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;

/// Statements longer than this (lists of ids, multi-row inserts) are prepared each time
/// rather than kept: they seldom repeat, and a kept one with thousands of arguments would hold
/// its memory for the connection's life.
const CACHED_TEXT_MAX: usize = 2_000;

/// Items as rows of their columns in `codec::ItemRow` order (`codec::item_row`). Hours are
/// read as the REAL they were written as, so they round-trip exactly.
const ITEM_SELECT: &str = "SELECT i.id, i.num, i.title, i.outcome, i.owner, i.due_date, \
     i.milestone_id, m.date, i.estimate_hours, i.status, i.status_reason, i.kind, i.goal_id, \
     i.actual_hours, i.done_at, i.created_at, i.updated_at, i.version \
     FROM items i LEFT JOIN milestones m ON m.id = i.milestone_id WHERE ";
const GOAL_SELECT: &str = "SELECT g.*, m.date AS ms_date FROM goals g \
     LEFT JOIN milestones m ON m.id = g.milestone_id WHERE g.workspace_id = ";

/// Events as rows for `codec::event_row`; the entities before and after are JSON text, read
/// as the kind stored beside them.
const EVENT_SELECT: &str =
    "SELECT seq, at, author, kind, before, after, reason, entity_kind FROM events";

/// A dependency's columns in `codec::DependencyRow` order (`codec::dependency_row`).
const DEPENDENCY_COLUMNS: &str =
    "id, from_kind, from_id, to_kind, to_id, needed_by, created_at, version";

/// Writes committed together at most (each is answered only once its batch commits).
const MAX_BATCH: usize = 256;

/// A bulk write of at least this many rows refreshes the planner's statistics at once.
const ANALYZE_AFTER: usize = 1_000;

/// Lists of ids up to this long are bound a parameter per value; longer ones as one array.
const SHORT_LIST: usize = 32;

/// A read running on tokio's blocking pool (`SqlStore::spawn_apart`): its connection and
/// answer, or why no connection could be opened.
type Apart<T> = tokio::task::JoinHandle<rusqlite::Result<(Connection, Result<T>)>>;

/// A statement built piece by piece, with its arguments: [`Sql::bind`] writes `?N`.
#[derive(Clone)]
struct Sql {
    text: String,
    args: Vec<Arg>,
}

/// An argument of a [`Sql`]: one value, or a list of ids that `rarray(?N)` reads.
#[derive(Clone)]
enum Arg {
    One(Value),
    Ids(Vec<i64>),
}

/// An [`Arg`] as bound to a statement (a list becomes the shared array `rarray` reads).
enum Bound<'a> {
    One(&'a Value),
    Ids(rusqlite::vtab::array::Array),
}

impl rusqlite::ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Bound::One(v) => v.to_sql(),
            Bound::Ids(list) => list.to_sql(),
        }
    }
}

impl Sql {
    fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    fn push(&mut self, text: impl Display) -> &mut Sql {
        let _ = write!(self.text, "{text}");
        self
    }

    fn bind(&mut self, value: impl Into<Value>) -> &mut Sql {
        self.args.push(Arg::One(value.into()));
        let _ = write!(self.text, "?{}", self.args.len());
        self
    }

    /// ` AND col IN (…)`. A short list is a parameter per value, which SQLite answers like
    /// equalities. A long one is one argument, `rarray(?N)` (rusqlite's array table): no `?`
    /// per value to write and parse, no limit on their number, and one statement text for
    /// any length, so it stays prepared. (The array costs a few microseconds a statement:
    /// a table opened and copied into a temporary index, too much for a point read.)
    fn bind_in(&mut self, col: &str, values: &[i64]) -> &mut Sql {
        if values.len() > SHORT_LIST {
            self.args.push(Arg::Ids(values.to_vec()));
            let _ = write!(self.text, " AND {col} IN rarray(?{})", self.args.len());
            return self;
        }
        self.push(format_args!(" AND {col} IN ("));
        for (k, v) in values.iter().enumerate() {
            if k > 0 {
                self.push(", ");
            }
            self.bind(*v);
        }
        self.push(")")
    }

    /// The arguments, ready to bind.
    fn bound(&self) -> Vec<Bound<'_>> {
        self.args
            .iter()
            .map(|a| match a {
                Arg::One(v) => Bound::One(v),
                Arg::Ids(ids) => Bound::Ids(std::rc::Rc::new(
                    ids.iter().copied().map(Value::from).collect(),
                )),
            })
            .collect()
    }

    /// ` VALUES (…), (…)`: one tuple per row, with the values `each` gives.
    fn values<T>(&mut self, rows: &[T], mut each: impl FnMut(&T) -> Vec<Value>) -> &mut Sql {
        self.push(" VALUES ");
        for (k, row) in rows.iter().enumerate() {
            self.push(if k == 0 { "(" } else { ", (" });
            for (j, v) in each(row).into_iter().enumerate() {
                if j > 0 {
                    self.push(", ");
                }
                self.bind(v);
            }
            self.push(")");
        }
        self
    }

    fn execute(&self, conn: &Connection) -> rusqlite::Result<usize> {
        with_statement(conn, &self.text, |s| {
            s.execute(rusqlite::params_from_iter(self.bound()))
        })
    }

    /// Every row of the statement, decoded by `each`.
    fn rows<T>(
        &self,
        conn: &Connection,
        each: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        rows(
            conn,
            &self.text,
            rusqlite::params_from_iter(self.bound()),
            each,
        )
    }
}

/// Run `f` on the statement `sql`, prepared once and kept if it is short (see
/// [`CACHED_TEXT_MAX`]).
fn with_statement<T, E: From<rusqlite::Error>>(
    conn: &Connection,
    sql: &str,
    f: impl FnOnce(&mut rusqlite::Statement<'_>) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    if sql.len() <= CACHED_TEXT_MAX {
        f(&mut *conn.prepare_cached(sql)?)
    } else {
        f(&mut conn.prepare(sql)?)
    }
}

/// Every row of a statement, decoded by `each`.
fn rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    mut each: impl FnMut(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    with_statement(conn, sql, |statement| {
        let mut rows = statement.query(params)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(each(row)?);
        }
        Ok(out)
    })
}

/// The rows of each statement of `parts`, one after the other, decoded by `decode`.
fn rows_of<T>(
    parts: &[Sql],
    conn: &Connection,
    decode: fn(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut all = Vec::new();
    for part in parts {
        all.extend(part.rows(conn, decode)?);
    }
    Ok(all)
}

/// The first row of a statement, if any, decoded by `each`.
fn row<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    each: impl FnOnce(&Row<'_>) -> Result<T>,
) -> Result<Option<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    rows.next()?.map(each).transpose()
}

/// Text for a statement argument.
fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// Lists longer than this are read in two halves beside each other (`SqlStore::read_parts`):
/// a thread and a second connection cost tens of microseconds, a list this long milliseconds.
const SPLIT_LIST: usize = 1_000;

/// The histories of more entities than this are read on a thread of their own, as stretches
/// of the log are: those of a team's 400 blocked items take 3 ms, a thread's hand-off tens of
/// microseconds.
const HISTORIES_IN_PLACE: usize = 32;

/// Items are read for lists of goals longer than this in two halves: a goal has tens to
/// hundreds of items.
const SPLIT_GOALS: usize = 10;

/// `list` in two halves, to be read beside each other.
fn halves<T>(list: &[T]) -> [&[T]; 2] {
    let (a, b) = list.split_at(list.len() / 2);
    [a, b]
}

/// The dependencies with one of `ends` (`(kind column, id column)` pairs) among `nodes`: one
/// indexed search per end and kind, united. An OR over both ends would make SQLite scan every
/// dependency of the workspace; `UNION ALL`, because `UNION` would sort whole rows in a
/// temporary tree (twice the time): a dependency found twice is for the caller to drop.
fn dependencies_touching(ws: Id, nodes: &[Node], ends: &[(&str, &str)]) -> Sql {
    let mut sql = Sql::new(&format!("SELECT {DEPENDENCY_COLUMNS} FROM ("));
    for (k, (kind, kind_col, id_col, ids)) in
        codec::end_searches(nodes, ends).into_iter().enumerate()
    {
        if k > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push("SELECT * FROM dependencies WHERE workspace_id = ")
            .bind(ws)
            .push(format_args!(" AND {kind_col} = "))
            .bind(text(kind));
        sql.bind_in(id_col, &ids);
    }
    sql.push(")");
    sql
}

/// The `ITEM_SELECT` statements of `filter`, whose rows together are its items, each once:
/// one, or a team's two parts; none when a list in it is empty (nothing matches).
fn item_select(ws: Id, filter: &ItemFilter) -> Vec<Sql> {
    let mut sql = Sql::new(ITEM_SELECT);
    // Looked up by id, the workspace's condition is kept out of the choice of index (`+`):
    // else SQLite walks the workspace's whole `items_goal` index, testing each entry.
    sql.push(if filter.ids.is_some() {
        "+i.workspace_id = "
    } else {
        "i.workspace_id = "
    })
    .bind(ws);
    if let Some(owner) = filter.owner {
        sql.push(" AND i.owner = ").bind(owner);
    }
    let lists = [
        ("i.owner", &filter.owners),
        ("i.goal_id", &filter.goals),
        ("i.num", &filter.nums),
        ("i.id", &filter.ids),
    ];
    for (col, list) in lists {
        match list {
            Some(list) if list.is_empty() => return Vec::new(),
            Some(list) => _ = sql.bind_in(col, list),
            None => {}
        }
    }
    if !filter.statuses.is_empty() {
        sql.push(" AND i.status IN (");
        for (k, s) in filter.statuses.iter().enumerate() {
            if k > 0 {
                sql.push(", ");
            }
            sql.bind(text(s.as_str()));
        }
        sql.push(")");
    }
    if let Some(kind) = filter.kind {
        sql.push(" AND i.kind = ").bind(text(kind.as_str()));
    }
    let Some(team) = filter.team else {
        return vec![sql];
    };
    sql.args.push(Arg::One(team.into()));
    let team_param = format!("?{}", sql.args.len());
    // A team's items in disjoint parts, read beside each other: the items of its goals, and
    // the other items its lead and members own (the rule of `team_item_ids`), each one indexed
    // search (`items_goal`, `items_owner`). Their union in one statement costs SQLite a
    // temporary tree of ids and a second search of each item by id. The people's other items
    // are scattered over the table, one search each: they are read in two halves, the people
    // with even ids and those with odd ones.
    let (goals, people) = (crate::TEAM_GOAL_IDS, crate::TEAM_PEOPLE);
    let owned = |half: u8| {
        format!(
            " AND i.owner IN (SELECT person_id FROM ({people}) WHERE person_id % 2 = {half}) \
             AND (i.goal_id IS NULL OR i.goal_id NOT IN ({goals}))"
        )
    };
    [format!(" AND i.goal_id IN ({goals})"), owned(0), owned(1)]
        .into_iter()
        .map(|part| {
            let mut sql = sql.clone();
            sql.push(part.replace("$1", "?1").replace("$2", &team_param));
            sql
        })
        .collect()
}

/// Open a connection to the file with the settings every connection needs.
fn connect(path: &Path, create: bool) -> rusqlite::Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Reads go through a memory map instead of a read() per page.
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    rusqlite::vtab::array::load_module(&conn)?;
    Ok(conn)
}

/// Apply the migrations not yet applied, each in its own transaction.
fn migrate(conn: &mut Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
            version BIGINT PRIMARY KEY,
            description TEXT NOT NULL,
            installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
            success BOOLEAN NOT NULL,
            checksum BLOB NOT NULL,
            execution_time BIGINT NOT NULL
        )",
    )?;
    let applied: Vec<(i64, bool, Vec<u8>)> = rows(
        conn,
        "SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let schema = |e: sqlx::migrate::MigrateError| StoreError::Migrate(e);
    for (version, success, checksum) in &applied {
        if !success {
            return Err(schema(sqlx::migrate::MigrateError::Dirty(*version)));
        }
        match MIGRATIONS.iter().find(|(v, _, _)| v == version) {
            None => {
                return Err(schema(sqlx::migrate::MigrateError::VersionMissing(
                    *version,
                )));
            }
            Some((_, _, sql)) if Sha384::digest(sql).as_slice() != checksum.as_slice() => {
                return Err(schema(sqlx::migrate::MigrateError::VersionMismatch(
                    *version,
                )));
            }
            Some(_) => {}
        }
    }
    for (version, description, sql) in MIGRATIONS {
        if applied.iter().any(|(v, _, _)| v == version) {
            continue;
        }
        let started = std::time::Instant::now();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
             execution_time) VALUES (?1, ?2, TRUE, ?3, ?4)",
            rusqlite::params![
                version,
                description,
                Sha384::digest(sql).to_vec(),
                started.elapsed().as_nanos() as i64
            ],
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// The connections of one database: the writer (its thread's), and idle readers (none for a
/// private in-memory database, which only its one connection can see: reads use the writer
/// then, between batches).
struct Conns {
    /// The file; `None` for a private in-memory database.
    path: Option<PathBuf>,
    /// `None` once closed. The writer thread holds the lock for the length of a batch.
    writer: Arc<Mutex<Option<Connection>>>,
    /// Writes for the writer thread, in the order they were asked for.
    queue: mpsc::Sender<Queued>,
    /// Sent by the writer thread when it has closed the writer connection and ended.
    stopped: Mutex<Option<oneshot::Receiver<()>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    idle: Mutex<Vec<Connection>>,
    /// Idle read connections being closed on the blocking pool (see
    /// [`SqlStore::release_idle`]); closing the store waits for them.
    releasing: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Connections open, the writer included.
    open: AtomicU32,
    closed: std::sync::atomic::AtomicBool,
}

impl Drop for Conns {
    /// A store dropped without [`SqlStore::close`] still ends its writer thread, after the
    /// writes already queued, and closes the writer connection before the drop returns.
    fn drop(&mut self) {
        let _ = self.queue.send(Queued::Stop);
        if let Some(thread) = lock(&self.thread).take() {
            let _ = thread.join();
        }
    }
}

/// What the writer thread is asked to do.
enum Queued {
    Write(Box<dyn Job>),
    /// Finish what was queued before, close the writer connection and end.
    Stop,
}

/// A write waiting for the writer thread (a [`Write`] with its result type erased).
trait Job: Send {
    /// Run the write in the batch's transaction; whether it succeeded (if not, the batch
    /// rolls back to the savepoint taken before it).
    fn run(&mut self, tx: &Connection) -> bool;
    /// Answer the caller: what the write returned if `failed` is `None` (its batch
    /// committed), else why nothing of it was kept.
    fn answer(self: Box<Self>, failed: Option<StoreError>);
}

/// A write and where its answer goes.
struct Write<F, T> {
    body: Option<F>,
    out: Option<Result<T>>,
    reply: oneshot::Sender<Result<T>>,
}

impl<F, T> Write<F, T>
where
    F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    /// The job for the writer thread, and where its answer will come.
    fn job(body: F) -> (Box<dyn Job>, oneshot::Receiver<Result<T>>) {
        let (reply, answer) = oneshot::channel();
        let job = Write {
            body: Some(body),
            out: None,
            reply,
        };
        (Box::new(job), answer)
    }
}

impl<F, T> Job for Write<F, T>
where
    F: FnOnce(&Connection) -> Result<T> + Send,
    T: Send,
{
    fn run(&mut self, tx: &Connection) -> bool {
        let Some(body) = self.body.take() else {
            return false;
        };
        // A panic in a write (a bug) must not end the thread every other write needs.
        let out = std::panic::catch_unwind(AssertUnwindSafe(|| body(tx))).unwrap_or_else(|_| {
            Err(StoreError::Corrupt(
                "a write stopped half way (a bug in landed); nothing of it was kept".into(),
            ))
        });
        let ok = out.is_ok();
        self.out = Some(out);
        ok
    }

    fn answer(self: Box<Self>, failed: Option<StoreError>) {
        let out = match (self.out, failed) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(out)), None) => Ok(out),
            (_, Some(e)) => Err(e),
            (None, None) => Err(closed()),
        };
        // The caller may have gone (its request was dropped): the write stands all the same.
        let _ = self.reply.send(out);
    }
}

/// The writer thread: take the writes queued, commit them as one batch, answer them, again,
/// until stopped (or the store is gone); then close the writer connection.
fn write_loop(
    writer: Arc<Mutex<Option<Connection>>>,
    queue: mpsc::Receiver<Queued>,
    stopped: oneshot::Sender<()>,
) {
    let mut stop = false;
    while !stop {
        let Ok(Queued::Write(first)) = queue.recv() else {
            break;
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(Queued::Write(job)) => batch.push(job),
                Ok(Queued::Stop) => {
                    stop = true;
                    break;
                }
                Err(_) => break,
            }
        }
        match lock(&writer).as_ref() {
            Some(conn) => commit_batch(conn, batch),
            None => batch.into_iter().for_each(|job| job.answer(Some(closed()))),
        }
    }
    // Closing the last connection checkpoints the log into the file.
    drop(lock(&writer).take());
    let _ = stopped.send(());
}

/// Run `batch` in one transaction, each write in a savepoint of its own, and commit it; then
/// answer every write (a failed `BEGIN` or `COMMIT` fails them all: nothing was kept).
fn commit_batch(conn: &Connection, mut batch: Vec<Box<dyn Job>>) {
    let run = |batch: &mut Vec<Box<dyn Job>>| -> rusqlite::Result<()> {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        for job in batch.iter_mut() {
            conn.prepare_cached("SAVEPOINT write")?.execute([])?;
            if !job.run(conn) {
                // If SQLite already rolled the whole transaction back (a full disk, say),
                // the savepoint is gone and this fails the batch, as it must.
                conn.prepare_cached("ROLLBACK TO write")?.execute([])?;
            }
            conn.prepare_cached("RELEASE write")?.execute([])?;
        }
        conn.execute_batch("COMMIT")
    };
    match run(&mut batch) {
        Ok(()) => batch.into_iter().for_each(|job| job.answer(None)),
        Err(e) => {
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            for job in batch {
                job.answer(Some(StoreError::Sqlite(same_error(&e))));
            }
        }
    }
}

/// `e` again, for each write of a failed batch: SQLite's code (busy, locked, full, …) and
/// message are kept, so every caller is told the same thing.
fn same_error(e: &rusqlite::Error) -> rusqlite::Error {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => {
            rusqlite::Error::SqliteFailure(*code, message.clone())
        }
        other => rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(other.to_string()),
        ),
    }
}

/// The value behind `m`, even if a thread panicked while holding it (what it guards stays
/// usable: a connection, a list).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A workspace kept in a SQLite database.
pub struct SqlStore {
    conns: Conns,
    /// The workspace this store serves; 0 until one exists.
    ws: AtomicI64,
    label: String,
}

fn closed() -> StoreError {
    StoreError::Closed
}

impl SqlStore {
    /// Open the database at `path`, creating the file if `create` (else a missing file is
    /// [`StoreError::NoWorkspace`]), and apply pending migrations.
    pub async fn open(path: &Path, create: bool) -> Result<SqlStore> {
        let label = path.display().to_string();
        if !create && !path.exists() {
            return Err(StoreError::NoWorkspace(label));
        }
        let open_error = |source: rusqlite::Error| StoreError::Open {
            path: label.clone(),
            reason: match &source {
                rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
                other => other.to_string(),
            },
        };
        let mut writer = connect(path, create).map_err(open_error)?;
        let journal: String = writer
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(open_error)?;
        if !journal.eq_ignore_ascii_case("wal") {
            return Err(open_error(rusqlite::Error::InvalidParameterName(format!(
                "journal_mode stays {journal}, WAL is needed"
            ))));
        }
        migrate(&mut writer)?;
        Self::start(writer, Some(path.to_path_buf()), label)
    }

    /// Connections open, and of those how many are idle (for metrics).
    pub fn pool_stats(&self) -> (u32, usize) {
        let idle = self
            .conns
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len();
        (self.conns.open.load(Ordering::Relaxed), idle)
    }

    /// A private in-memory database (for tests).
    pub async fn memory() -> Result<SqlStore> {
        let mut conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        rusqlite::vtab::array::load_module(&conn)?;
        migrate(&mut conn)?;
        Self::start(conn, None, "memory".into())
    }

    fn start(writer: Connection, path: Option<PathBuf>, label: String) -> Result<SqlStore> {
        let ws: Option<i64> = row(
            &writer,
            "SELECT id FROM workspaces ORDER BY id LIMIT 1",
            [],
            |r| Ok(r.get(0)?),
        )?;
        let writer = Arc::new(Mutex::new(Some(writer)));
        let (queue, queued) = mpsc::channel();
        let (done, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("landed-sqlite-writer".into())
            .spawn({
                let writer = writer.clone();
                move || write_loop(writer, queued, done)
            })
            .map_err(|e| StoreError::Open {
                path: label.clone(),
                reason: format!("cannot start the thread that writes to it: {e}"),
            })?;
        Ok(SqlStore {
            conns: Conns {
                path,
                writer,
                queue,
                stopped: Mutex::new(Some(stopped)),
                thread: Mutex::new(Some(thread)),
                idle: Mutex::new(Vec::new()),
                releasing: Mutex::new(Vec::new()),
                open: AtomicU32::new(1),
                closed: false.into(),
            },
            ws: AtomicI64::new(ws.unwrap_or(0)),
            label,
        })
    }

    /// The journal mode and `synchronous` level the writer runs with (`wal`, 2 = FULL).
    pub async fn durability(&self) -> Result<(String, i64)> {
        self.read(|conn| {
            let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            let synchronous: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
            Ok((journal, synchronous))
        })
        .await
    }

    /// Close the connections (the last one to close checkpoints the log into the file).
    /// Reads and writes after this fail.
    ///
    /// Writes already queued are committed first; the writer connection is closed by the
    /// time this returns.
    pub async fn close(&self) {
        self.conns.closed.store(true, Ordering::Release);
        let idle = std::mem::take(&mut *lock(&self.conns.idle));
        self.conns
            .open
            .fetch_sub(idle.len() as u32, Ordering::Relaxed);
        drop(idle);
        // The writer closes last: the last connection to close checkpoints the log.
        let releasing = std::mem::take(&mut *lock(&self.conns.releasing));
        for closing in releasing {
            let _ = closing.await;
        }
        let _ = self.conns.queue.send(Queued::Stop);
        let stopped = lock(&self.conns.stopped).take();
        if let Some(stopped) = stopped {
            let _ = stopped.await;
            self.conns.open.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Close the idle read connections on the blocking pool while the caller goes on (a
    /// command laying out what it read): closing one unmaps its view of the file, which costs
    /// as much as the pages it touched (≈ 4.5 ms for a team review's three). Reads after this
    /// open connections again; [`SqlStore::close`] waits for these to be closed. Outside a
    /// tokio runtime they are closed in place.
    pub fn release_idle(&self) {
        let idle = std::mem::take(&mut *lock(&self.conns.idle));
        if idle.is_empty() {
            return;
        }
        self.conns
            .open
            .fetch_sub(idle.len() as u32, Ordering::Relaxed);
        if let Some(closing) = crate::drop_apart(idle) {
            lock(&self.conns.releasing).push(closing);
        }
    }

    fn ws_id(&self) -> Result<Id> {
        match self.ws.load(Ordering::Acquire) {
            0 => Err(StoreError::NoWorkspace(self.label.clone())),
            id => Ok(id),
        }
    }

    /// Run `f` on a read connection: an idle one, or a new one.
    async fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let Some(path) = &self.conns.path else {
            return f(lock(&self.conns.writer).as_ref().ok_or_else(closed)?);
        };
        if self.conns.closed.load(Ordering::Acquire) {
            return Err(closed());
        }
        let conn = match self.take_idle() {
            Some(conn) => conn,
            None => connect(path, false).inspect_err(|_| self.forget_one())?,
        };
        let out = f(&conn);
        self.give_back(conn);
        out
    }

    /// An idle read connection, if there is one; else the count of open ones goes up for
    /// the one the caller opens (and then gives back, or, if opening failed, forgets).
    fn take_idle(&self) -> Option<Connection> {
        let idle = lock(&self.conns.idle).pop();
        if idle.is_none() {
            self.conns.open.fetch_add(1, Ordering::Relaxed);
        }
        idle
    }

    /// A read connection done with: kept idle, or closed past `MAX_IDLE` or once closing.
    fn give_back(&self, conn: Connection) {
        let mut idle = lock(&self.conns.idle);
        if idle.len() < MAX_IDLE && !self.conns.closed.load(Ordering::Acquire) {
            idle.push(conn);
        } else {
            self.forget_one();
        }
    }

    /// A read connection that was counted open is gone.
    fn forget_one(&self) {
        self.conns.open.fetch_sub(1, Ordering::Relaxed);
    }

    /// Run the parts of one read in two groups beside each other, and their rows in the
    /// parts' order: the first half of them (the larger, for an odd count) one by one in
    /// place, the others one by one apart (see [`SqlStore::spawn_apart`]). A long list split
    /// in two reads in about half the time on two cores; a thread and a connection for each
    /// part beyond two would cost more than they save, as three threads share two cores. In
    /// memory there is one connection: the parts run one by one.
    async fn read_parts<T: Send + 'static>(
        &self,
        mut parts: Vec<Sql>,
        decode: fn(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let path = match &self.conns.path {
            Some(path) if parts.len() > 1 => path,
            _ => return self.read(|conn| rows_of(&parts, conn, decode)).await,
        };
        if self.conns.closed.load(Ordering::Acquire) {
            return Err(closed());
        }
        let apart = parts.split_off(parts.len().div_ceil(2));
        let running = self.spawn_apart(path, move |conn| rows_of(&apart, conn, decode));
        let in_place = self.read(|conn| rows_of(&parts, conn, decode)).await;
        // What runs apart is waited for, so that its connection is given back or counted gone.
        let apart = self.join_apart(running).await;
        let mut all = in_place?;
        all.extend(apart?);
        Ok(all)
    }

    /// Run `f` on a read connection on a thread of its own (tokio's blocking pool), so that
    /// the caller's other reads, polled meanwhile (`try_join!`), run beside it on another
    /// core, and a long read does not hold a server's async worker. The connection is an idle
    /// one, or one opened on that thread. In memory there is one connection: `f` runs in place.
    async fn read_apart<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let Some(path) = &self.conns.path else {
            return self.read(f).await;
        };
        if self.conns.closed.load(Ordering::Acquire) {
            return Err(closed());
        }
        let apart = self.spawn_apart(path, f);
        self.join_apart(apart).await
    }

    /// Start `f` on a thread of tokio's blocking pool (kept between reads, unlike a thread of
    /// its own) with a read connection: an idle one, or one opened there from `path`. Its
    /// answer, and the connection back, through [`SqlStore::join_apart`].
    fn spawn_apart<T, F>(&self, path: &Path, f: F) -> Apart<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let idle = self.take_idle();
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let conn = match idle {
                Some(conn) => conn,
                None => connect(&path, false)?,
            };
            let out = f(&conn);
            Ok((conn, out))
        })
    }

    /// The answer of a read started by [`SqlStore::spawn_apart`]; its connection is given
    /// back idle, or counted gone if it failed.
    async fn join_apart<T>(&self, apart: Apart<T>) -> Result<T> {
        match apart.await {
            Ok(Ok((conn, out))) => {
                self.give_back(conn);
                out
            }
            Ok(Err(e)) => {
                self.forget_one();
                Err(e.into())
            }
            Err(e) => {
                self.forget_one();
                if e.is_panic() {
                    std::panic::resume_unwind(e.into_panic());
                }
                Err(closed())
            }
        }
    }

    /// Run `f` on the writer thread, in a transaction it may share with other writes (see the
    /// module note), and answer once that transaction committed. If `f` fails, nothing it did
    /// is kept; if the commit fails, nothing of any write in it is.
    async fn write_tx<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        if self.conns.closed.load(Ordering::Acquire) {
            return Err(closed());
        }
        let (job, answer) = Write::job(f);
        self.conns
            .queue
            .send(Queued::Write(job))
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    /// The statement of the events `conditions` select (pushed after `workspace_id = ?`),
    /// through `index` if given (else SQLite walks the log by seq for the `ORDER BY`, whatever
    /// the conditions), in the order `order` names.
    fn event_select(
        &self,
        index: Option<&str>,
        conditions: impl Fn(&mut Sql),
        order: &str,
    ) -> Result<Sql> {
        let mut sql = Sql::new(EVENT_SELECT);
        if let Some(index) = index {
            sql.push(format_args!(" INDEXED BY {index}"));
        }
        sql.push(" WHERE workspace_id = ").bind(self.ws_id()?);
        conditions(&mut sql);
        sql.push(format_args!(" ORDER BY {order}"));
        Ok(sql)
    }

    /// The events `conditions` select, read in place: an entity's history, a key's write.
    async fn fetch_events(
        &self,
        index: Option<&str>,
        conditions: impl Fn(&mut Sql),
    ) -> Result<Vec<Event>> {
        let sql = self.event_select(index, conditions, "seq")?;
        self.read(|conn| sql.rows(conn, codec::event_row)).await
    }

    /// A stretch of the log, read beside the caller's other reads: logs are long and their
    /// entities' JSON slow to read. Oldest first (by seq), read in the order `order` names: one
    /// the index gives spares SQLite copying every event, JSON and all, through a sort.
    async fn fetch_log(
        &self,
        index: Option<&str>,
        conditions: impl Fn(&mut Sql),
        order: &'static str,
    ) -> Result<Vec<Event>> {
        let sql = self.event_select(index, conditions, order)?;
        let mut events = self
            .read_apart(move |conn| sql.rows(conn, codec::event_row))
            .await?;
        // Already in order, unless an event was written with an instant before an older one's.
        events.sort_unstable_by_key(|e| e.seq);
        Ok(events)
    }

    /// Run an `ITEM_SELECT` statement.
    async fn fetch_items(&self, sql: Sql) -> Result<Vec<Item>> {
        self.read(|conn| sql.rows(conn, codec::item_row)).await
    }

    /// Dependencies with an end among `touching` (all when `None`), looking at the given ends
    /// (`(kind column, id column)` pairs), by id.
    async fn dependencies_at(
        &self,
        touching: Option<&[Node]>,
        ends: &[(&str, &str)],
    ) -> Result<Vec<Dependency>> {
        let ws = self.ws_id()?;
        let parts: Vec<Sql> = match touching {
            Some([]) => return Ok(Vec::new()),
            // A long list in halves, read beside each other.
            Some(nodes) if nodes.len() > SPLIT_LIST => halves(nodes)
                .iter()
                .map(|nodes| dependencies_touching(ws, nodes, ends))
                .collect(),
            Some(nodes) => vec![dependencies_touching(ws, nodes, ends)],
            None => {
                let mut sql = Sql::new(&format!("SELECT {DEPENDENCY_COLUMNS} FROM ("));
                sql.push("SELECT * FROM dependencies WHERE workspace_id = ")
                    .bind(ws)
                    .push(")");
                vec![sql]
            }
        };
        let mut deps = self.read_parts(parts, codec::dependency_row).await?;
        deps.sort_unstable_by_key(|d| d.id);
        // A dependency with both ends among `touching` was found twice.
        deps.dedup_by_key(|d| d.id);
        Ok(deps)
    }
}

/// Reserve `n` consecutive values of a counter, returning the first.
fn allocate(tx: &Connection, ws: Id, name: &str, n: usize) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO counters (workspace_id, name, next) VALUES (?1, ?2, 1) \
         ON CONFLICT (workspace_id, name) DO NOTHING",
    )?
    .execute(rusqlite::params![ws, name])?;
    let first: i64 = tx
        .prepare_cached(
            "UPDATE counters SET next = next + ?3 WHERE workspace_id = ?1 AND name = ?2 \
             RETURNING next - ?3",
        )?
        .query_row(rusqlite::params![ws, name, n as i64], |r| r.get(0))?;
    Ok(first)
}

fn unique_to_duplicate(e: rusqlite::Error, what: &str) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
            {
                StoreError::Missing(format!("something {what} refers to"))
            }
            rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                StoreError::Duplicate(what.into())
            }
            _ => StoreError::Sqlite(e),
        },
        _ => StoreError::Sqlite(e),
    }
}

/// Give new entities their ids and numbers, version 1.
fn assign_ids(tx: &Connection, ws: Id, at: Timestamp, entities: &mut [Entity]) -> Result<()> {
    for run in kind_runs(entities) {
        let kind = entities[run.start].kind();
        let n = run.len();
        let id0 = allocate(tx, 0, &format!("id:{}", kind.as_str()), n)?;
        let num0 = match kind {
            EntityKind::Goal | EntityKind::Item | EntityKind::Milestone | EntityKind::Request => {
                allocate(tx, ws, &format!("num:{}", kind.as_str()), n)?
            }
            _ => 0,
        };
        let at = codec::round_ts(at);
        for (k, e) in entities[run].iter_mut().enumerate() {
            stamp_new(e, id0 + k as i64, num0 + k as i64, at);
        }
    }
    Ok(())
}

/// An entity's table and its columns, in the order of [`row_values`].
fn table(e: &Entity) -> (&'static str, &'static [&'static str]) {
    match e {
        Entity::Workspace(_) => (
            "workspaces",
            &[
                "id",
                "name",
                "step_limit_hours",
                "default_person",
                "tz",
                "reactive_share",
                "request_overdue_days",
                "version",
            ],
        ),
        Entity::Person(_) => (
            "people",
            &[
                "id",
                "workspace_id",
                "handle",
                "name",
                "email",
                "tz",
                "capacity_hours",
                "role",
                "suspended",
                "version",
            ],
        ),
        Entity::Team(_) => (
            "teams",
            &[
                "id",
                "workspace_id",
                "name",
                "lead",
                "protected_share",
                "version",
            ],
        ),
        Entity::Milestone(_) => (
            "milestones",
            &["id", "workspace_id", "num", "name", "date", "version"],
        ),
        Entity::Goal(_) => (
            "goals",
            &[
                "id",
                "workspace_id",
                "num",
                "title",
                "outcome",
                "owner",
                "target_date",
                "milestone_id",
                "team_id",
                "closed",
                "close_reason",
                "created_at",
                "updated_at",
                "version",
            ],
        ),
        Entity::Item(_) => (
            "items",
            &[
                "id",
                "workspace_id",
                "num",
                "title",
                "outcome",
                "owner",
                "due_date",
                "milestone_id",
                "estimate_hours",
                "status",
                "status_reason",
                "kind",
                "goal_id",
                "actual_hours",
                "done_at",
                "created_at",
                "updated_at",
                "version",
            ],
        ),
        Entity::Dependency(_) => (
            "dependencies",
            &[
                "id",
                "workspace_id",
                "from_kind",
                "from_id",
                "to_kind",
                "to_id",
                "needed_by",
                "created_at",
                "version",
            ],
        ),
        Entity::Request(_) => (
            "requests",
            &[
                "id",
                "workspace_id",
                "num",
                "from_team",
                "to_team",
                "deliverable",
                "needed_by",
                "for_kind",
                "for_id",
                "asked_by",
                "state",
                "answered_by",
                "note",
                "item_id",
                "created_at",
                "answered_at",
                "version",
            ],
        ),
        Entity::CheckIn(_) => (
            "checkins",
            &[
                "id",
                "workspace_id",
                "person_id",
                "week",
                "body",
                "created_at",
                "updated_at",
                "version",
            ],
        ),
    }
}

/// Columns an update never writes: what the row is, and when it was made. The version is
/// bumped by the statement.
const FIXED_COLUMNS: &[&str] = &["id", "workspace_id", "num", "created_at", "version"];

/// The columns of an entity's row, in the order of [`table`].
fn row_values(ws: Id, e: &Entity) -> Vec<Value> {
    match e {
        Entity::Workspace(w) => vec![
            w.id.into(),
            w.name.clone().into(),
            w.step_limit_hours.into(),
            w.default_person.into(),
            w.tz.clone().into(),
            w.reactive_share.into(),
            w.request_overdue_days.into(),
            w.version.into(),
        ],
        Entity::Person(p) => vec![
            p.id.into(),
            ws.into(),
            p.handle.clone().into(),
            p.name.clone().into(),
            p.email.clone().into(),
            p.tz.clone().into(),
            p.capacity_hours.into(),
            text(p.role.as_str()),
            i64::from(p.suspended).into(),
            p.version.into(),
        ],
        Entity::Team(t) => vec![
            t.id.into(),
            ws.into(),
            t.name.clone().into(),
            t.lead.into(),
            t.protected_share.into(),
            t.version.into(),
        ],
        Entity::Milestone(m) => vec![
            m.id.into(),
            ws.into(),
            m.num.into(),
            m.name.clone().into(),
            m.date.to_string().into(),
            m.version.into(),
        ],
        Entity::Goal(g) => vec![
            g.id.into(),
            ws.into(),
            g.num.into(),
            g.title.clone().into(),
            g.outcome.clone().into(),
            g.owner.into(),
            codec::own_date(&g.target).into(),
            g.target.milestone.into(),
            g.team.into(),
            codec::closure_str(g.closed).map(text).into(),
            g.close_reason.clone().into(),
            ts(g.created_at).into(),
            ts(g.updated_at).into(),
            g.version.into(),
        ],
        Entity::Item(i) => vec![
            i.id.into(),
            ws.into(),
            i.num.into(),
            i.title.clone().into(),
            i.outcome.clone().into(),
            i.owner.into(),
            codec::own_date(&i.due).into(),
            i.due.milestone.into(),
            i.estimate_hours.into(),
            text(i.status.as_str()),
            i.status_reason.clone().into(),
            text(i.kind.as_str()),
            i.goal.into(),
            i.actual_hours.into(),
            i.done_at.map(ts).into(),
            ts(i.created_at).into(),
            ts(i.updated_at).into(),
            i.version.into(),
        ],
        Entity::Dependency(d) => {
            let (fk, fid) = codec::node_kind(d.from);
            let (tk, tid) = codec::node_kind(d.to);
            vec![
                d.id.into(),
                ws.into(),
                text(fk),
                fid.into(),
                text(tk),
                tid.into(),
                codec::date(d.needed_by).into(),
                ts(d.created_at).into(),
                d.version.into(),
            ]
        }
        Entity::Request(r) => {
            let (fk, fid) = r.for_node.map(codec::node_kind).unzip();
            vec![
                r.id.into(),
                ws.into(),
                r.num.into(),
                r.from_team.into(),
                r.to_team.into(),
                r.deliverable.clone().into(),
                r.needed_by.to_string().into(),
                fk.map(text).into(),
                fid.into(),
                r.asked_by.into(),
                text(r.state.as_str()),
                r.answered_by.into(),
                r.note.clone().into(),
                r.item.into(),
                ts(r.created_at).into(),
                r.answered_at.map(ts).into(),
                r.version.into(),
            ]
        }
        Entity::CheckIn(c) => vec![
            c.id.into(),
            ws.into(),
            c.person.into(),
            c.week.to_string().into(),
            codec::checkin_body(c).into(),
            ts(c.created_at).into(),
            ts(c.updated_at).into(),
            c.version.into(),
        ],
    }
}

/// Insert rows of one kind with multi-row INSERTs.
fn insert_rows(tx: &Connection, ws: Id, rows: &[Entity]) -> Result<()> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let what = first.label();
    let (name, columns) = table(first);
    let head = format!("INSERT INTO {name} ({})", columns.join(", "));
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = Sql::new(&head);
        sql.values(chunk, |e| row_values(ws, e));
        sql.execute(tx).map_err(|e| unique_to_duplicate(e, &what))?;
    }
    let members: Vec<(Id, Id)> = rows
        .iter()
        .filter_map(|e| match e {
            Entity::Team(t) => Some(t.members.iter().map(move |m| (t.id, *m))),
            _ => None,
        })
        .flatten()
        .collect();
    insert_members(tx, ws, &members)
}

fn insert_members(tx: &Connection, ws: Id, members: &[(Id, Id)]) -> Result<()> {
    for chunk in members.chunks(ROWS_PER_INSERT) {
        let mut sql = Sql::new("INSERT INTO team_members (workspace_id, team_id, person_id)");
        sql.values(chunk, |(team, person)| {
            vec![ws.into(), (*team).into(), (*person).into()]
        });
        sql.execute(tx)
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

fn append_events(tx: &Connection, ws: Id, events: &[NewEvent<'_>]) -> Result<()> {
    // The transaction already holds the write lock (it wrote the rows these events are about),
    // so no other write with the same key can commit between this check and this one's commit.
    if let Some(key) = events.first().and_then(|e| e.meta.key.as_deref()) {
        let used = tx
            .prepare_cached(
                "SELECT 1 FROM events INDEXED BY events_request_key \
                 WHERE workspace_id = ?1 AND request_key = ?2 LIMIT 1",
            )?
            .query_row(rusqlite::params![ws, key], |_| Ok(()))
            .optional()?;
        if used.is_some() {
            return Err(StoreError::KeyInUse);
        }
    }
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let rows = chunk
            .iter()
            .map(|e| {
                let subject = e.after.or(e.before).expect("an event is about an entity");
                Ok(vec![
                    ws.into(),
                    ts(e.meta.at).into(),
                    e.meta.author.into(),
                    text(e.meta.kind.as_str()),
                    text(subject.kind().as_str()),
                    subject.id().into(),
                    json(e.before)?.into(),
                    json(e.after)?.into(),
                    e.meta.reason.clone().into(),
                    e.meta.key.clone().into(),
                ])
            })
            .collect::<Result<Vec<Vec<Value>>>>()?;
        let mut sql = Sql::new(
            "INSERT INTO events (workspace_id, at, author, kind, entity_kind, entity_id, before, \
             after, reason, request_key)",
        );
        sql.values(&rows, |r| r.clone());
        sql.execute(tx)?;
    }
    Ok(())
}

/// Overwrite one row with `after` if its version is still `expected`: every column but
/// [`FIXED_COLUMNS`], so the row is what the event says it became.
fn update_row(tx: &Connection, ws: Id, expected: i64, after: &Entity) -> Result<u64> {
    let (name, columns) = table(after);
    let mut sql = Sql::new(&format!("UPDATE {name} SET version = version + 1"));
    for (column, value) in columns.iter().zip(row_values(ws, after)) {
        if !FIXED_COLUMNS.contains(column) {
            sql.push(format_args!(", {column} = ")).bind(value);
        }
    }
    sql.push(" WHERE id = ")
        .bind(after.id())
        .push(" AND version = ")
        .bind(expected);
    if !matches!(after, Entity::Workspace(_)) {
        sql.push(" AND workspace_id = ").bind(ws);
    }
    let changed = sql
        .execute(tx)
        .map_err(|e| unique_to_duplicate(e, &after.label()))?;
    if changed == 1
        && let Entity::Team(t) = after
    {
        tx.prepare_cached("DELETE FROM team_members WHERE workspace_id = ?1 AND team_id = ?2")?
            .execute(rusqlite::params![ws, t.id])?;
        let members: Vec<(Id, Id)> = t.members.iter().map(|m| (t.id, *m)).collect();
        insert_members(tx, ws, &members)?;
    }
    Ok(changed as u64)
}

/// Check that an update keeps the entity it updates.
fn same_entity(before: &Entity, after: &Entity) -> Result<()> {
    if before.kind() != after.kind() || before.id() != after.id() {
        return Err(StoreError::Corrupt(format!(
            "update of {} into a different entity",
            before.label()
        )));
    }
    Ok(())
}

/// Write `after` over `before` (bumped to the next version at `at`), or refuse with
/// [`StoreError::Conflict`] if `before` is no longer the stored version.
fn update_checked(
    tx: &Connection,
    ws: Id,
    before: &Entity,
    after: Entity,
    at: Timestamp,
) -> Result<Entity> {
    same_entity(before, &after)?;
    let expected = before.version();
    let after = bumped(after, expected + 1, at);
    if update_row(tx, ws, expected, &after)? != 1 {
        return Err(StoreError::Conflict {
            entity: before.label(),
            expected,
        });
    }
    Ok(after)
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

fn no_second_workspace() -> StoreError {
    StoreError::AlreadyInitialised("(one workspace per database)".into())
}

impl Store for SqlStore {
    async fn init(&self, workspace: Workspace, at: Timestamp) -> Result<Workspace> {
        let made = self
            .write_tx(move |tx| {
                let name: Option<String> = row(
                    tx,
                    "SELECT name FROM workspaces ORDER BY id LIMIT 1",
                    [],
                    |r| Ok(r.get(0)?),
                )?;
                if let Some(name) = name {
                    return Err(StoreError::AlreadyInitialised(name));
                }
                let mut entities = vec![Entity::Workspace(workspace)];
                assign_ids(tx, 0, at, &mut entities)?;
                insert_rows(tx, 0, &entities)?;
                let meta = Meta::new(None, at, landed_core::event::EventKind::Created);
                let ws = entities[0].id();
                append_events(
                    tx,
                    ws,
                    &[NewEvent {
                        meta: &meta,
                        before: None,
                        after: Some(&entities[0]),
                    }],
                )?;
                Ok(entities.pop())
            })
            .await?;
        match made {
            Some(Entity::Workspace(w)) => {
                self.ws.store(w.id, Ordering::Release);
                Ok(w)
            }
            _ => unreachable!("one workspace went in"),
        }
    }

    async fn workspace(&self) -> Result<Workspace> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            row(conn, "SELECT * FROM workspaces WHERE id = ?1", [ws], |r| {
                codec::workspace(r)
            })?
            .ok_or_else(|| StoreError::NoWorkspace(self.label.clone()))
        })
        .await
    }

    async fn create(&self, meta: &Meta, entity: Entity) -> Result<Entity> {
        let mut created = self.create_batch(meta, vec![entity]).await?;
        Ok(created.pop().expect("one entity went in"))
    }

    async fn create_batch(&self, meta: &Meta, mut entities: Vec<Entity>) -> Result<Vec<Entity>> {
        let ws = self.ws_id()?;
        if entities.iter().any(|e| matches!(e, Entity::Workspace(_))) {
            return Err(no_second_workspace());
        }
        let meta = meta.clone();
        let entities = self
            .write_tx(move |tx| {
                assign_ids(tx, ws, meta.at, &mut entities)?;
                for run in kind_runs(&entities) {
                    insert_rows(tx, ws, &entities[run])?;
                }
                let events: Vec<NewEvent<'_>> = entities
                    .iter()
                    .map(|e| NewEvent {
                        meta: &meta,
                        before: None,
                        after: Some(e),
                    })
                    .collect();
                append_events(tx, ws, &events)?;
                Ok(entities)
            })
            .await?;
        if entities.len() >= ANALYZE_AFTER {
            self.write_tx(|tx| Ok(tx.execute_batch("PRAGMA analysis_limit = 1000; ANALYZE;")?))
                .await?;
        }
        Ok(entities)
    }

    async fn update(&self, meta: &Meta, before: &Entity, after: Entity) -> Result<Entity> {
        let ws = self.ws_id()?;
        let (meta, before) = (meta.clone(), before.clone());
        self.write_tx(move |tx| {
            let after = update_checked(tx, ws, &before, after, meta.at)?;
            append_events(
                tx,
                ws,
                &[NewEvent {
                    meta: &meta,
                    before: Some(&before),
                    after: Some(&after),
                }],
            )?;
            Ok(after)
        })
        .await
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
        let ws = self.ws_id()?;
        if matches!(entity, Entity::Workspace(_)) {
            return Err(no_second_workspace());
        }
        let (created, updated, before) = (created.clone(), updated.clone(), before.clone());
        self.write_tx(move |tx| {
            let mut made = [entity];
            assign_ids(tx, ws, created.at, &mut made)?;
            insert_rows(tx, ws, &made)?;
            let [made] = made;
            let after = update_checked(tx, ws, &before, then(&made), updated.at)?;
            append_events(
                tx,
                ws,
                &[
                    NewEvent {
                        meta: &created,
                        before: None,
                        after: Some(&made),
                    },
                    NewEvent {
                        meta: &updated,
                        before: Some(&before),
                        after: Some(&after),
                    },
                ],
            )?;
            Ok((made, after))
        })
        .await
    }

    async fn write(&self, changes: Vec<Change>) -> Result<Vec<Entity>> {
        let ws = self.ws_id()?;
        self.write_tx(move |tx| {
            let mut written = Vec::with_capacity(changes.len());
            for change in &changes {
                match change {
                    Change::Create(meta, e) => {
                        if matches!(e, Entity::Workspace(_)) {
                            return Err(no_second_workspace());
                        }
                        let mut made = [e.clone()];
                        assign_ids(tx, ws, meta.at, &mut made)?;
                        insert_rows(tx, ws, &made)?;
                        let [made] = made;
                        written.push(made);
                    }
                    Change::Update(meta, before, after) => {
                        written.push(update_checked(tx, ws, before, after.clone(), meta.at)?);
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
            append_events(tx, ws, &events)?;
            Ok(written)
        })
        .await
    }

    async fn delete(&self, meta: &Meta, before: &Entity) -> Result<()> {
        let ws = self.ws_id()?;
        let Entity::Dependency(d) = before else {
            return Err(StoreError::Corrupt(format!(
                "{} cannot be deleted, only closed",
                before.label()
            )));
        };
        let (id, version) = (d.id, d.version);
        let (meta, before) = (meta.clone(), before.clone());
        self.write_tx(move |tx| {
            let deleted = tx
                .prepare_cached(
                    "DELETE FROM dependencies WHERE id = ?1 AND version = ?2 AND workspace_id = ?3",
                )?
                .execute(rusqlite::params![id, version, ws])?;
            if deleted != 1 {
                return Err(StoreError::Conflict {
                    entity: before.label(),
                    expected: version,
                });
            }
            append_events(
                tx,
                ws,
                &[NewEvent {
                    meta: &meta,
                    before: Some(&before),
                    after: None,
                }],
            )
        })
        .await
    }

    async fn people(&self) -> Result<Vec<Person>> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            rows(
                conn,
                "SELECT * FROM people WHERE workspace_id = ?1 ORDER BY handle",
                [ws],
                |r| codec::person(r),
            )
        })
        .await
    }

    async fn person(&self, id: Id) -> Result<Option<Person>> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            row(
                conn,
                "SELECT * FROM people WHERE workspace_id = ?1 AND id = ?2",
                [ws, id],
                |r| codec::person(r),
            )
        })
        .await
    }

    async fn people_by_ids(&self, ids: &[Id]) -> Result<Vec<Person>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // By id, not through the workspace's index (`+`), as for items.
        let mut sql = Sql::new("SELECT * FROM people WHERE +workspace_id = ");
        sql.bind(self.ws_id()?).bind_in("id", ids);
        let mut people = self
            .read(|conn| sql.rows(conn, |r| codec::person(r)))
            .await?;
        people.sort_unstable_by_key(|p| p.id);
        Ok(people)
    }

    async fn person_by_handle(&self, handle: &str) -> Result<Option<Person>> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            row(
                conn,
                "SELECT * FROM people WHERE workspace_id = ?1 AND handle = ?2",
                rusqlite::params![ws, handle],
                |r| codec::person(r),
            )
        })
        .await
    }

    async fn first_person(&self) -> Result<Option<Person>> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            row(
                conn,
                "SELECT * FROM people WHERE workspace_id = ?1 ORDER BY id LIMIT 1",
                [ws],
                |r| codec::person(r),
            )
        })
        .await
    }

    async fn team_names(&self) -> Result<Vec<(Id, String)>> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            rows(
                conn,
                "SELECT id, name FROM teams WHERE workspace_id = ?1 ORDER BY name",
                [ws],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .await
    }

    async fn teams_of(&self, person: Id) -> Result<Vec<(Id, bool)>> {
        let ws = self.ws_id()?;
        // A lead need not be in team_members. Teams are few (hundreds) and read by
        // workspace; memberships by the team_members_person index.
        let found: Vec<(Id, i64)> = self
            .read(|conn| {
                rows(
                    conn,
                    "SELECT id, 1 FROM teams WHERE workspace_id = ?1 AND lead = ?2 \
                     UNION SELECT team_id, 0 FROM team_members \
                     WHERE workspace_id = ?1 AND person_id = ?2 \
                     ORDER BY 1, 2 DESC",
                    [ws, person],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .await?;
        let mut out: Vec<(Id, bool)> = Vec::with_capacity(found.len());
        for (team, leads) in found {
            if out.last().is_none_or(|(t, _)| *t != team) {
                out.push((team, leads == 1));
            }
        }
        Ok(out)
    }

    async fn teams(&self) -> Result<Vec<Team>> {
        let ws = self.ws_id()?;
        let (mut teams, members) = self
            .read(|conn| {
                let teams: Vec<Team> = rows(
                    conn,
                    "SELECT * FROM teams WHERE workspace_id = ?1 ORDER BY id",
                    [ws],
                    |r| codec::team(r),
                )?;
                let members: Vec<(Id, Id)> = rows(
                    conn,
                    "SELECT team_id, person_id FROM team_members WHERE workspace_id = ?1 \
                     ORDER BY team_id, person_id",
                    [ws],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                Ok((teams, members))
            })
            .await?;
        for (team, person) in members {
            if let Ok(i) = teams.binary_search_by_key(&team, |t| t.id) {
                teams[i].members.push(person);
            }
        }
        teams.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(teams)
    }

    async fn team_named(&self, name: &str) -> Result<Option<Team>> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            let found = row(
                conn,
                "SELECT * FROM teams WHERE workspace_id = ?1 AND name = ?2",
                rusqlite::params![ws, name],
                |r| codec::team(r),
            )?;
            let Some(mut team) = found else {
                return Ok(None);
            };
            team.members = rows(
                conn,
                "SELECT person_id FROM team_members WHERE workspace_id = ?1 AND team_id = ?2 \
                 ORDER BY person_id",
                [ws, team.id],
                |r| Ok(r.get(0)?),
            )?;
            Ok(Some(team))
        })
        .await
    }

    async fn milestones(&self) -> Result<Vec<Milestone>> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            rows(
                conn,
                "SELECT * FROM milestones WHERE workspace_id = ?1 ORDER BY date, num",
                [ws],
                |r| codec::milestone(r),
            )
        })
        .await
    }

    async fn goal(&self, num: i64) -> Result<Option<Goal>> {
        let mut sql = Sql::new(GOAL_SELECT);
        sql.bind(self.ws_id()?).push(" AND g.num = ").bind(num);
        let mut goals = self.read(|conn| sql.rows(conn, |r| codec::goal(r))).await?;
        Ok(goals.pop())
    }

    async fn goals(&self, filter: &GoalFilter) -> Result<Vec<Goal>> {
        let mut sql = Sql::new(GOAL_SELECT);
        sql.bind(self.ws_id()?);
        if let Some(team) = filter.team {
            sql.push(" AND g.team_id = ").bind(team);
        }
        if let Some(owner) = filter.owner {
            sql.push(" AND g.owner = ").bind(owner);
        }
        if filter.open_only {
            sql.push(" AND g.closed IS NULL");
        }
        if let Some(ids) = &filter.ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            sql.bind_in("g.id", ids);
        }
        // Sorted here rather than by ORDER BY, which tempts SQLite into walking the
        // (workspace_id, num) index instead of using the filter's.
        let mut goals = self.read(|conn| sql.rows(conn, |r| codec::goal(r))).await?;
        goals.sort_unstable_by_key(|g| g.num);
        Ok(goals)
    }

    async fn item(&self, num: i64) -> Result<Option<Item>> {
        let mut sql = Sql::new(ITEM_SELECT);
        sql.push("i.workspace_id = ")
            .bind(self.ws_id()?)
            .push(" AND i.num = ")
            .bind(num);
        Ok(self.fetch_items(sql).await?.pop())
    }

    async fn items(&self, filter: &ItemFilter) -> Result<Vec<Item>> {
        let ws = self.ws_id()?;
        // A long list of ids, or of goals, in halves read beside each other.
        let halves = |list: &[Id], with: fn(&mut ItemFilter, Vec<Id>)| -> Vec<Sql> {
            halves(list)
                .into_iter()
                .flat_map(|half| {
                    let mut f = filter.clone();
                    with(&mut f, half.to_vec());
                    item_select(ws, &f)
                })
                .collect()
        };
        let parts = match (&filter.ids, &filter.goals) {
            (Some(ids), _) if ids.len() > SPLIT_LIST => halves(ids, |f, h| f.ids = Some(h)),
            (_, Some(goals)) if goals.len() > SPLIT_GOALS => {
                halves(goals, |f, h| f.goals = Some(h))
            }
            _ => item_select(ws, filter),
        };
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        // Sorted here rather than by ORDER BY, which tempts SQLite into walking the
        // (workspace_id, num) index instead of using the filter's.
        let mut items = self.read_parts(parts, codec::item_row).await?;
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
        let mut sql = Sql::new(&format!(
            "SELECT {DEPENDENCY_COLUMNS} FROM ({})",
            crate::team_dependencies_sql().replace('$', "?")
        ));
        sql.args = vec![Arg::One(self.ws_id()?.into()), Arg::One(team.into())];
        let mut deps = self
            .read(|conn| sql.rows(conn, codec::dependency_row))
            .await?;
        deps.sort_unstable_by_key(|d| d.id);
        Ok(deps)
    }

    async fn last_event_seq(&self) -> Result<i64> {
        // A database holds one workspace, so the newest event overall is the workspace's: the
        // largest primary key, read in one step (a filter on the workspace made the planner
        // walk the whole log through the entity index).
        self.ws_id()?;
        let seq: Option<i64> = self
            .read(|conn| {
                Ok(conn
                    .prepare_cached("SELECT MAX(seq) FROM events")?
                    .query_row([], |r| r.get(0))?)
            })
            .await?;
        Ok(seq.unwrap_or(0))
    }

    async fn directory_stamp(&self) -> Result<i64> {
        let ws = self.ws_id()?;
        let stamp: Option<i64> = self
            .read(|conn| {
                row(
                    conn,
                    "SELECT next FROM counters WHERE workspace_id = ?1 AND name = 'directory'",
                    [ws],
                    |r| Ok(r.get(0)?),
                )
            })
            .await?;
        Ok(stamp.unwrap_or(0))
    }

    async fn forecast_run(&self) -> Result<Option<(i64, Date)>> {
        let ws = self.ws_id()?;
        let found: Option<(i64, String)> = self
            .read(|conn| {
                row(
                    conn,
                    "SELECT event_seq, today FROM forecast_runs WHERE workspace_id = ?1",
                    [ws],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .await?;
        found
            .map(|(seq, today)| {
                let today = codec::parse_date(Some(today))?
                    .ok_or_else(|| StoreError::Corrupt("forecast run without a day".into()))?;
                Ok((seq, today))
            })
            .transpose()
    }

    async fn forecasts(&self, nodes: &[Node]) -> Result<Vec<NodeForecast>> {
        let ws = self.ws_id()?;
        // Per kind of node, a long list in halves read beside each other.
        let mut parts = Vec::new();
        for kind in ["item", "goal"] {
            let ids = codec::ids_of_kind(nodes, kind);
            let lists = match ids.len() {
                0 => continue,
                n if n > SPLIT_LIST => halves(&ids).to_vec(),
                _ => vec![&ids[..]],
            };
            for ids in lists {
                let mut sql = Sql::new(
                    "SELECT node_kind, node_id, finish, incomplete FROM forecasts \
                     WHERE workspace_id = ",
                );
                sql.bind(ws).push(" AND node_kind = ").bind(text(kind));
                sql.bind_in("node_id", ids);
                parts.push(sql);
            }
        }
        let mut found = self
            .read_parts(parts, |r| {
                Ok(NodeForecast {
                    node: codec::node(&r.get::<_, String>(0)?, r.get(1)?)?,
                    finish: codec::parse_date(r.get(2)?)?,
                    incomplete: r.get::<_, i64>(3)? != 0,
                })
            })
            .await?;
        // Items before goals, each by id, whatever order the list and its halves came in.
        found.sort_unstable_by_key(|f| f.node);
        Ok(found)
    }

    async fn kept_goals(&self, goals: &[Id]) -> Result<Vec<KeptGoal>> {
        let ws = self.ws_id()?;
        if goals.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("SELECT goal_id, plan, risk FROM kept_goals WHERE workspace_id = ");
        sql.bind(ws).bind_in("goal_id", goals);
        let rows = self
            .read(|conn| {
                sql.rows(conn, |r| {
                    let row: (Id, i64, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
                    Ok(row)
                })
            })
            .await?;
        let mut kept = rows
            .into_iter()
            .map(|(goal, plan, risk)| codec::kept_goal(goal, plan, &risk))
            .collect::<Result<Vec<KeptGoal>>>()?;
        kept.sort_unstable_by_key(|k| k.goal);
        Ok(kept)
    }

    async fn save_forecasts(
        &self,
        event_seq: i64,
        today: Date,
        rows: &[NodeForecast],
        goals: &[KeptGoal],
    ) -> Result<()> {
        let ws = self.ws_id()?;
        let (rows, goals) = (rows.to_vec(), goals.to_vec());
        self.write_tx(move |tx| {
            tx.prepare_cached("DELETE FROM forecasts WHERE workspace_id = ?1")?
                .execute([ws])?;
            tx.prepare_cached("DELETE FROM kept_goals WHERE workspace_id = ?1")?
                .execute([ws])?;
            for chunk in goals.chunks(ROWS_PER_INSERT) {
                let mut sql =
                    Sql::new("INSERT INTO kept_goals (workspace_id, goal_id, plan, risk)");
                sql.values(chunk, |k| {
                    vec![
                        ws.into(),
                        k.goal.into(),
                        i64::from(k.plan).into(),
                        codec::risk_json(&k.risk).into(),
                    ]
                });
                sql.execute(tx)?;
            }
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let mut sql = Sql::new(
                    "INSERT INTO forecasts (workspace_id, node_kind, node_id, finish, incomplete)",
                );
                sql.values(chunk, |f| {
                    let (kind, id) = codec::node_kind(f.node);
                    vec![
                        ws.into(),
                        text(kind),
                        id.into(),
                        codec::date(f.finish).into(),
                        i64::from(f.incomplete).into(),
                    ]
                });
                sql.execute(tx)?;
            }
            tx.prepare_cached(
                "INSERT INTO forecast_runs (workspace_id, event_seq, today) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (workspace_id) DO UPDATE SET event_seq = ?2, today = ?3",
            )?
            .execute(rusqlite::params![ws, event_seq, today.to_string()])?;
            Ok(())
        })
        .await
    }

    async fn requests(&self) -> Result<Vec<Request>> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            rows(
                conn,
                "SELECT * FROM requests WHERE workspace_id = ?1 ORDER BY num",
                [ws],
                |r| codec::request(r),
            )
        })
        .await
    }

    async fn request(&self, num: i64) -> Result<Option<Request>> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            row(
                conn,
                "SELECT * FROM requests WHERE workspace_id = ?1 AND num = ?2",
                [ws, num],
                |r| codec::request(r),
            )
        })
        .await
    }

    async fn dependency_edges(&self) -> Result<Vec<(Node, Node)>> {
        let mut sql = Sql::new(
            "SELECT from_kind, from_id, to_kind, to_id FROM dependencies WHERE workspace_id = ",
        );
        sql.bind(self.ws_id()?);
        self.read(|conn| {
            sql.rows(conn, |r| {
                let (from, to): (String, String) = (r.get(0)?, r.get(2)?);
                Ok((codec::node(&from, r.get(1)?)?, codec::node(&to, r.get(3)?)?))
            })
        })
        .await
    }

    async fn open_goal_items(&self) -> Result<Vec<(Id, Id)>> {
        let mut sql = Sql::new(
            "SELECT goal_id, id FROM items \
             WHERE goal_id IS NOT NULL AND status IN ('todo', 'doing', 'blocked') \
             AND workspace_id = ",
        );
        sql.bind(self.ws_id()?);
        self.read(|conn| sql.rows(conn, |r| Ok((r.get(0)?, r.get(1)?))))
            .await
    }

    async fn checkins(
        &self,
        people: Option<&[Id]>,
        weeks: Option<(Week, Week)>,
    ) -> Result<Vec<CheckIn>> {
        let mut sql = Sql::new("SELECT * FROM checkins WHERE workspace_id = ");
        sql.bind(self.ws_id()?);
        if let Some(people) = people {
            sql.bind_in("person_id", people);
        }
        if let Some((from, to)) = weeks {
            sql.push(" AND week >= ")
                .bind(from.to_string())
                .push(" AND week <= ")
                .bind(to.to_string());
        }
        sql.push(" ORDER BY week, person_id");
        self.read(|conn| sql.rows(conn, |r| codec::checkin(r)))
            .await
    }

    async fn joined(&self) -> Result<Vec<(Id, Timestamp)>> {
        let ws = self.ws_id()?;
        let found: Vec<(Id, String)> = self
            .read(|conn| {
                rows(
                    conn,
                    "SELECT entity_id, MIN(at) FROM events WHERE workspace_id = ?1 \
                     AND entity_kind = 'person' GROUP BY entity_id ORDER BY entity_id",
                    [ws],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .await?;
        found
            .into_iter()
            .map(|(id, at)| Ok((id, codec::parse_ts(&at)?)))
            .collect()
    }

    async fn events_between(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Event>> {
        let (from, to) = (ts(from), ts(to));
        // In the index's order (its last column is the rowid, seq).
        self.fetch_log(
            Some("events_at"),
            |sql| {
                sql.push(" AND at >= ")
                    .bind(from.clone())
                    .push(" AND at < ")
                    .bind(to.clone());
            },
            "at, seq",
        )
        .await
    }

    async fn notify_settings(&self) -> Result<Vec<NotifySettings>> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            rows(
                conn,
                "SELECT * FROM notify_settings WHERE workspace_id = ?1 ORDER BY person_id",
                [ws],
                |r| {
                    let person: Id = r.get("person_id")?;
                    let email_off: i64 = r.get("email_off")?;
                    Ok(NotifySettings {
                        person: (person != 0).then_some(person),
                        smtp_url: r.get("smtp_url")?,
                        mail_from: r.get("mail_from")?,
                        webhook_url: r.get("webhook_url")?,
                        webhook_secret: r.get("webhook_secret")?,
                        checkin_day: r.get("checkin_day")?,
                        email_off: email_off != 0,
                    })
                },
            )
        })
        .await
    }

    async fn set_notify_settings(&self, s: &NotifySettings) -> Result<()> {
        let ws = self.ws_id()?;
        let s = s.clone();
        self.write_tx(move |tx| {
            tx.prepare_cached(
                "INSERT INTO notify_settings (workspace_id, person_id, smtp_url, mail_from, \
                 webhook_url, webhook_secret, checkin_day, email_off) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (workspace_id, person_id) DO UPDATE SET smtp_url = ?3, \
                 mail_from = ?4, webhook_url = ?5, webhook_secret = ?6, checkin_day = ?7, \
                 email_off = ?8",
            )?
            .execute(rusqlite::params![
                ws,
                s.person.unwrap_or(0),
                s.smtp_url,
                s.mail_from,
                s.webhook_url,
                s.webhook_secret,
                s.checkin_day,
                i64::from(s.email_off)
            ])?;
            Ok(())
        })
        .await
    }

    async fn enqueue_reminders(&self, rows: &[NewReminder], at: Timestamp) -> Result<usize> {
        let ws = self.ws_id()?;
        let rows = rows.to_vec();
        self.write_tx(move |tx| {
            let mut added = 0;
            for chunk in rows.chunks(ROWS_PER_INSERT / 2) {
                let mut sql = Sql::new(
                    "INSERT INTO reminders (workspace_id, key, channel, target, person_id, \
                     subject, body, state, attempts, next_at, created_at)",
                );
                sql.values(chunk, |r| {
                    vec![
                        ws.into(),
                        r.key.clone().into(),
                        r.channel.clone().into(),
                        r.target.clone().into(),
                        r.person.into(),
                        r.subject.clone().into(),
                        r.body.clone().into(),
                        text(ReminderState::Pending.as_str()),
                        0i64.into(),
                        ts(at).into(),
                        ts(at).into(),
                    ]
                });
                sql.push(" ON CONFLICT (workspace_id, key, channel, target) DO NOTHING");
                added += sql.execute(tx)?;
            }
            Ok(added)
        })
        .await
    }

    async fn claim_reminders(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        claim: &str,
        limit: i64,
    ) -> Result<Vec<Reminder>> {
        let ws = self.ws_id()?;
        let claim = claim.to_string();
        let mut out = self
            .write_tx(move |tx| {
                rows(
                    tx,
                    "UPDATE reminders SET state = 'sending', claim = ?2, lease_until = ?3, \
                     attempts = attempts + 1 \
                     WHERE id IN (SELECT id FROM reminders WHERE workspace_id = ?1 AND \
                     ((state = 'pending' AND next_at <= ?4) \
                     OR (state = 'sending' AND lease_until < ?4)) \
                     ORDER BY id LIMIT ?5) \
                     RETURNING *",
                    rusqlite::params![ws, claim, ts(lease_until), ts(now), limit],
                    |r| codec::reminder(r),
                )
            })
            .await?;
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
        let ws = self.ws_id()?;
        let (state, next_at, error, sent_at) = match outcome {
            Outcome::Sent => (ReminderState::Sent, None, None, Some(ts(at))),
            Outcome::Retry { next_at, error } => (
                ReminderState::Pending,
                Some(ts(*next_at)),
                Some(error.clone()),
                None,
            ),
            Outcome::Dead { error } => (ReminderState::Dead, None, Some(error.clone()), None),
        };
        let claim = claim.to_string();
        let changed = self
            .write_tx(move |tx| {
                Ok(tx
                    .prepare_cached(
                        "UPDATE reminders SET state = ?4, next_at = COALESCE(?5, next_at), \
                         last_error = COALESCE(?6, last_error), sent_at = ?7, claim = NULL, \
                         lease_until = NULL \
                         WHERE workspace_id = ?1 AND id = ?2 AND claim = ?3 AND state = 'sending'",
                    )?
                    .execute(rusqlite::params![
                        ws,
                        id,
                        claim,
                        state.as_str(),
                        next_at,
                        error,
                        sent_at
                    ])?)
            })
            .await?;
        Ok(changed == 1)
    }

    async fn reminders(&self, limit: i64) -> Result<Vec<Reminder>> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            rows(
                conn,
                "SELECT * FROM reminders WHERE workspace_id = ?1 ORDER BY id DESC LIMIT ?2",
                [ws, limit],
                |r| codec::reminder(r),
            )
        })
        .await
    }

    async fn reminder_counts(&self) -> Result<Vec<(ReminderState, i64)>> {
        let ws = self.ws_id()?;
        let found: Vec<(String, i64)> = self
            .read(|conn| {
                rows(
                    conn,
                    "SELECT state, COUNT(*) FROM reminders WHERE workspace_id = ?1 GROUP BY state",
                    [ws],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .await?;
        found
            .into_iter()
            .map(|(state, n)| Ok((codec::reminder_state(&state)?, n)))
            .collect()
    }

    async fn password_hash(&self, person: Id) -> Result<Option<String>> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            row(
                conn,
                "SELECT password_hash FROM credentials WHERE workspace_id = ?1 AND person_id = ?2",
                [ws, person],
                |r| Ok(r.get(0)?),
            )
        })
        .await
    }

    async fn set_password(&self, person: Id, hash: &str, at: Timestamp) -> Result<()> {
        let ws = self.ws_id()?;
        let hash = hash.to_string();
        self.write_tx(move |tx| {
            tx.prepare_cached(
                "INSERT INTO credentials (workspace_id, person_id, password_hash, changed_at) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (workspace_id, person_id) \
                 DO UPDATE SET password_hash = ?3, changed_at = ?4",
            )?
            .execute(rusqlite::params![ws, person, hash, ts(at)])?;
            Ok(())
        })
        .await
    }

    async fn create_token(
        &self,
        person: Id,
        name: &str,
        hash: &str,
        at: Timestamp,
        expires_at: Option<Timestamp>,
    ) -> Result<ApiToken> {
        let ws = self.ws_id()?;
        let (owned_name, owned_hash) = (name.to_string(), hash.to_string());
        let id: Id = self
            .write_tx(move |tx| {
                let (name, hash) = (owned_name, owned_hash);
                Ok(tx
                    .prepare_cached(
                        "INSERT INTO api_tokens (workspace_id, person_id, name, hash, created_at, \
                         expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                    )?
                    .query_row(
                        rusqlite::params![ws, person, name, hash, ts(at), expires_at.map(ts)],
                        |r| r.get(0),
                    )?)
            })
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
        let ws = self.ws_id()?;
        self.read(|conn| {
            row(
                conn,
                "SELECT * FROM api_tokens WHERE workspace_id = ?1 AND hash = ?2",
                rusqlite::params![ws, hash],
                |r| codec::token(r),
            )
        })
        .await
    }

    async fn tokens(&self, person: Option<Id>) -> Result<Vec<ApiToken>> {
        let mut sql = Sql::new("SELECT * FROM api_tokens WHERE workspace_id = ");
        sql.bind(self.ws_id()?);
        if let Some(p) = person {
            sql.push(" AND person_id = ").bind(p);
        }
        sql.push(" ORDER BY id");
        self.read(|conn| sql.rows(conn, |r| codec::token(r))).await
    }

    async fn revoke_token(&self, id: Id, at: Timestamp) -> Result<bool> {
        let ws = self.ws_id()?;
        let changed = self
            .write_tx(move |tx| {
                Ok(tx
                    .prepare_cached(
                        "UPDATE api_tokens SET revoked_at = ?3 \
                         WHERE workspace_id = ?1 AND id = ?2 AND revoked_at IS NULL",
                    )?
                    .execute(rusqlite::params![ws, id, ts(at)])?)
            })
            .await?;
        Ok(changed == 1)
    }

    async fn touch_token(&self, id: Id, at: Timestamp) -> Result<()> {
        let ws = self.ws_id()?;
        self.write_tx(move |tx| {
            tx.prepare_cached(
                "UPDATE api_tokens SET last_used_at = ?3 WHERE workspace_id = ?1 AND id = ?2 \
                 AND (last_used_at IS NULL OR last_used_at < ?3)",
            )?
            .execute(rusqlite::params![ws, id, ts(at)])?;
            Ok(())
        })
        .await
    }

    async fn create_session(
        &self,
        person: Id,
        hash: &str,
        csrf: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Session> {
        let ws = self.ws_id()?;
        let (owned_hash, owned_csrf) = (hash.to_string(), csrf.to_string());
        let id: Id = self
            .write_tx(move |tx| {
                let (hash, csrf) = (owned_hash, owned_csrf);
                Ok(tx
                    .prepare_cached(
                        "INSERT INTO sessions (workspace_id, person_id, hash, csrf, created_at, \
                         expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                    )?
                    .query_row(
                        rusqlite::params![ws, person, hash, csrf, ts(at), ts(expires_at)],
                        |r| r.get(0),
                    )?)
            })
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
        let ws = self.ws_id()?;
        self.read(|conn| {
            row(
                conn,
                "SELECT * FROM sessions WHERE workspace_id = ?1 AND hash = ?2",
                rusqlite::params![ws, hash],
                |r| codec::session(r),
            )
        })
        .await
    }

    async fn revoke_session(&self, id: Id, at: Timestamp) -> Result<()> {
        let ws = self.ws_id()?;
        self.write_tx(move |tx| {
            tx.prepare_cached(
                "UPDATE sessions SET revoked_at = ?3 \
                 WHERE workspace_id = ?1 AND id = ?2 AND revoked_at IS NULL",
            )?
            .execute(rusqlite::params![ws, id, ts(at)])?;
            Ok(())
        })
        .await
    }

    async fn revoke_sessions(&self, person: Id, at: Timestamp) -> Result<()> {
        let ws = self.ws_id()?;
        self.write_tx(move |tx| {
            tx.prepare_cached(
                "UPDATE sessions SET revoked_at = ?3 \
                 WHERE workspace_id = ?1 AND person_id = ?2 AND revoked_at IS NULL",
            )?
            .execute(rusqlite::params![ws, person, ts(at)])?;
            Ok(())
        })
        .await
    }

    async fn login_failure(&self, key: &str, at: Timestamp) -> Result<()> {
        let ws = self.ws_id()?;
        let key = key.to_string();
        self.write_tx(move |tx| {
            tx.prepare_cached(
                "INSERT INTO login_failures (workspace_id, key, at) VALUES (?1, ?2, ?3)",
            )?
            .execute(rusqlite::params![ws, key, ts(at)])?;
            Ok(())
        })
        .await
    }

    async fn login_failures_since(&self, key: &str, since: Timestamp) -> Result<i64> {
        let ws = self.ws_id()?;
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM login_failures \
                     WHERE workspace_id = ?1 AND key = ?2 AND at >= ?3",
                )?
                .query_row(rusqlite::params![ws, key, ts(since)], |r| r.get(0))?)
        })
        .await
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        let ws = self.ws_id()?;
        let key = key.to_string();
        self.write_tx(move |tx| {
            tx.prepare_cached("DELETE FROM login_failures WHERE workspace_id = ?1 AND key = ?2")?
                .execute(rusqlite::params![ws, key])?;
            Ok(())
        })
        .await
    }

    async fn keyed(&self, key: &str) -> Result<Vec<Event>> {
        self.fetch_events(Some("events_request_key"), |sql| {
            sql.push(" AND request_key = ").bind(key.to_string());
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
        let conditions = |sql: &mut Sql| {
            sql.push(" AND entity_kind = ").bind(text(kind.as_str()));
            sql.bind_in("entity_id", ids);
        };
        // One entity's history (read on a write's path) in place; many, like a stretch of the
        // log, beside the caller's other work.
        if ids.len() > HISTORIES_IN_PLACE {
            self.fetch_log(Some("events_entity"), conditions, "seq")
                .await
        } else {
            self.fetch_events(Some("events_entity"), conditions).await
        }
    }

    async fn events(&self) -> Result<Vec<Event>> {
        self.fetch_log(None, |_| {}, "seq").await
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
    use super::*;

    /// Every file in `migrations/sqlite` is in `MIGRATIONS`, with its version, its name as
    /// the description, and its text; and nothing else is.
    #[test]
    fn migrations_are_the_files() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
        let mut files: Vec<(i64, String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let name = path.file_stem().unwrap().to_str().unwrap().to_string();
                let (version, description) = name.split_once('_').unwrap();
                (
                    version.parse().unwrap(),
                    description.replace('_', " "),
                    std::fs::read_to_string(&path).unwrap(),
                )
            })
            .collect();
        files.sort();
        let listed: Vec<(i64, String, String)> = MIGRATIONS
            .iter()
            .map(|(v, d, sql)| (*v, d.to_string(), sql.to_string()))
            .collect();
        assert_eq!(listed, files);
    }

    /// A database whose record names a migration this build does not know, or whose applied
    /// migration was edited since, is refused rather than used.
    #[test]
    fn an_unknown_or_edited_migration_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 2",
            [],
        )
        .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(err.to_string().contains("newer or older"), "{err}");
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
             execution_time) VALUES (99, 'later', TRUE, x'00', 0)",
            [],
        )
        .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(err.to_string().contains("newer or older"), "{err}");
    }

    /// A database file with one table, and a connection to it as `connect` opens them.
    fn numbers() -> (tempfile::TempDir, PathBuf, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.db");
        let conn = connect(&path, true).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE n (x INTEGER PRIMARY KEY)")
            .unwrap();
        (dir, path, conn)
    }

    fn insert(x: i64) -> impl FnOnce(&Connection) -> Result<i64> + Send + 'static {
        move |tx| {
            tx.execute("INSERT INTO n (x) VALUES (?1)", [x])?;
            Ok(x)
        }
    }

    fn stored(path: &Path) -> Vec<i64> {
        let conn = connect(path, false).unwrap();
        rows(&conn, "SELECT x FROM n ORDER BY x", [], |r| Ok(r.get(0)?)).unwrap()
    }

    /// Writes queued together share one transaction: the second sees the first's row while
    /// another connection does not yet (it is not committed), and both are answered after the
    /// one commit, when everyone sees them.
    #[test]
    fn writes_queued_together_commit_together() {
        let (_dir, path, conn) = numbers();
        let (queue, queued) = mpsc::channel();
        let (first, first_answer) = Write::job(insert(1));
        let seen_from = path.clone();
        let (second, second_answer) = Write::job(move |tx: &Connection| {
            let here: i64 = tx.query_row("SELECT COUNT(*) FROM n", [], |r| r.get(0))?;
            Ok((here, stored(&seen_from).len()))
        });
        queue.send(Queued::Write(first)).unwrap();
        queue.send(Queued::Write(second)).unwrap();
        queue.send(Queued::Stop).unwrap();
        let (done, stopped) = oneshot::channel();
        let writer = Arc::new(Mutex::new(Some(conn)));
        write_loop(writer.clone(), queued, done);
        assert_eq!(first_answer.blocking_recv().unwrap().unwrap(), 1);
        assert_eq!(second_answer.blocking_recv().unwrap().unwrap(), (1, 0));
        assert_eq!(stored(&path), [1]);
        // Stopping closed the writer connection.
        assert!(stopped.blocking_recv().is_ok());
        assert!(lock(&writer).is_none());
    }

    /// In a batch, a write that fails or panics is rolled back alone: the others commit, and
    /// each is answered with its own outcome.
    #[test]
    fn a_failed_write_in_a_batch_is_rolled_back_alone() {
        let (_dir, path, conn) = numbers();
        let (one, one_answer) = Write::job(insert(1));
        let (refused, refused_answer) = Write::job(|tx: &Connection| -> Result<i64> {
            insert(2)(tx)?;
            Err(StoreError::Conflict {
                entity: "I-2".into(),
                expected: 1,
            })
        });
        let (three, three_answer) = Write::job(insert(3));
        let (broken, broken_answer) = Write::job(|tx: &Connection| -> Result<i64> {
            insert(4)(tx)?;
            panic!("a bug half way through a write");
        });
        commit_batch(&conn, vec![one, refused, three, broken]);
        assert_eq!(one_answer.blocking_recv().unwrap().unwrap(), 1);
        let err = refused_answer.blocking_recv().unwrap().unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        assert_eq!(three_answer.blocking_recv().unwrap().unwrap(), 3);
        let err = broken_answer.blocking_recv().unwrap().unwrap_err();
        assert!(err.to_string().contains("nothing of it was kept"), "{err}");
        assert_eq!(stored(&path), [1, 3]);
        assert!(conn.is_autocommit(), "the batch's transaction is over");
    }

    /// A batch that cannot take the write lock (another process holds it) answers every
    /// write with SQLite's busy error, which callers may retry, and writes nothing.
    #[test]
    fn a_batch_that_cannot_begin_fails_every_write_in_it() {
        let (_dir, path, conn) = numbers();
        conn.busy_timeout(Duration::ZERO).unwrap();
        let other = connect(&path, false).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let (one, one_answer) = Write::job(insert(1));
        let (two, two_answer) = Write::job(insert(2));
        commit_batch(&conn, vec![one, two]);
        for answer in [one_answer, two_answer] {
            let err = answer.blocking_recv().unwrap().unwrap_err();
            assert!(err.is_unavailable(), "{err}");
        }
        other.execute_batch("ROLLBACK").unwrap();
        assert!(stored(&path).is_empty());
        assert!(conn.is_autocommit());
    }
}
