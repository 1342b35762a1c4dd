//! Persistence for `landed`: the [`Store`] trait and its SQLite ([`SqlStore`]) and PostgreSQL
//! ([`PgStore`]) implementations, and [`AnyStore`], either one chosen at run time.
//!
//! The store never decides a rule: it keeps entities and the append-only event log. Every
//! write is one transaction that changes the current-state tables and appends exactly one
//! event per changed entity (DESIGN §10, RELIABILITY T18). A failed write changes nothing.

use std::future::Future;

use jiff::Timestamp;
use jiff::civil::Date;
use landed_core::capacity::Week;
use landed_core::deps::GoalRisk;
use landed_core::event::{Entity, EntityKind, Event, EventKind, State};
use landed_core::model::{
    CheckIn, Dependency, Goal, Id, Item, ItemKind, ItemStatus, Milestone, Node, Person, Request,
    Team, Workspace,
};

mod any;
mod codec;
mod postgres;
mod sqlite;

pub use any::AnyStore;

#[cfg(feature = "testing")]
pub mod testing;
pub use postgres::PgStore;
pub use sqlite::SqlStore;

/// Drop `value` on tokio's blocking pool, beside the caller's work (freeing what a long read
/// returned, closing connections), or in place outside a tokio runtime. The drop's handle, if
/// it was sent away.
pub fn drop_apart<T: Send + 'static>(value: T) -> Option<tokio::task::JoinHandle<()>> {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => Some(runtime.spawn_blocking(move || drop(value))),
        Err(_) => {
            drop(value);
            None
        }
    }
}

/// An API token as kept: the token itself is never stored, only its SHA-256 (`hash`).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiToken {
    pub id: Id,
    pub person: Id,
    pub name: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

/// A web session as kept: the cookie's secret is never stored, only its SHA-256.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: Id,
    pub person: Id,
    /// The token every form of this session carries (CSRF).
    pub csrf: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// Who made a change, when, what kind of change it is, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub author: Option<Id>,
    pub at: Timestamp,
    pub kind: EventKind,
    pub reason: Option<String>,
    /// The client's idempotency key, scoped to its author, kept on the events of the write.
    pub key: Option<String>,
}

impl Meta {
    pub fn new(author: Option<Id>, at: Timestamp, kind: EventKind) -> Meta {
        Meta {
            author,
            at,
            kind,
            reason: None,
            key: None,
        }
    }

    pub fn with_reason(mut self, reason: Option<String>) -> Meta {
        self.reason = reason;
        self
    }
}

/// A failure of the store, in the user's terms.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no workspace in {0}: create one with `landed init` (or try `landed demo`)")]
    NoWorkspace(String),
    #[error("this database already holds workspace `{0}`")]
    AlreadyInitialised(String),
    #[error(
        "{entity} was changed by someone else since you read it (your version {expected}); read it again and retry"
    )]
    Conflict { entity: String, expected: i64 },
    #[error("{0} already exists")]
    Duplicate(String),
    /// Another request with the same idempotency key wrote first (they raced): the write is
    /// not made twice; a retry is answered with what the first one wrote.
    #[error(
        "a request with this Idempotency-Key was made at the same time; retry it to get its answer"
    )]
    KeyInUse,
    #[error("{0} does not exist")]
    Missing(String),
    /// `reason` is the driver's message, kept as text: as an error source it would be
    /// printed again by every surface that prints causes.
    #[error("cannot open the workspace database {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("the database is newer or older than this landed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data cannot be read ({0}); the database may be damaged")]
    Corrupt(String),
    /// The store was closed (the server is shutting down) before this read or write.
    #[error("the workspace database is closed; try again once it is open")]
    Closed,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The PostgreSQL driver's error.
pub use sqlx::Error as DbError;

impl StoreError {
    /// Whether the database cannot be reached or used right now (connection lost or ended by
    /// the server, pool exhausted or closed, SQLite file still locked by another process after
    /// the wait) rather than a refused or broken statement: worth retrying later.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Db(e) => is_unavailable(e),
            StoreError::Closed => true,
            StoreError::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            _ => false,
        }
    }
}

fn is_unavailable(e: &DbError) -> bool {
    match e {
        DbError::Io(_) | DbError::PoolTimedOut | DbError::PoolClosed | DbError::WorkerCrashed => {
            true
        }
        DbError::Database(d) => postgres::is_unavailable_error(d.as_ref()),
        _ => false,
    }
}

/// Which items to load. Empty or `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemFilter {
    pub owner: Option<Id>,
    /// Items owned by any of these people.
    pub owners: Option<Vec<Id>>,
    pub goals: Option<Vec<Id>>,
    /// Items of the team's goals or owned by its lead or members.
    pub team: Option<Id>,
    pub statuses: Vec<ItemStatus>,
    pub kind: Option<ItemKind>,
    pub nums: Option<Vec<i64>>,
    pub ids: Option<Vec<Id>>,
    /// Return items goal by goal (then by number) instead of by number: each goal's items
    /// then sit together in memory, which keeps workspace-wide verdicts fast.
    pub by_goal: bool,
}

/// A kept forecast of an open item or goal: its finish, if it can be forecast, and whether
/// some of its work cannot be (goals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeForecast {
    pub node: Node,
    pub finish: Option<Date>,
    pub incomplete: bool,
}

/// What an open goal's items say of it as a supplier, kept with the forecast it was judged
/// with ([`Store::save_forecasts`]): whether it is a plan, and its risk facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptGoal {
    pub goal: Id,
    pub plan: bool,
    pub risk: GoalRisk,
}

/// One change of a mixed write ([`Store::write`]).
// An update holds two entities and a create one: boxing them would buy nothing for a list of
// a few changes that lives for one write.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Create(Meta, Entity),
    /// `before` (as read) becomes `after`.
    Update(Meta, Entity, Entity),
}

/// Where reminders go (DESIGN §4): the workspace's channels (`person` none) or one person's.
/// Absent fields fall back to the workspace's, then to the defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotifySettings {
    pub person: Option<Id>,
    /// `smtp://user:pass@host:587` (STARTTLS), `smtps://…` or `smtp://host:25?tls=none`.
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    /// The weekday check-in reminders go out on (`mon` … `sun`).
    pub checkin_day: Option<String>,
    /// The person asked for no e-mail.
    pub email_off: bool,
}

/// Where a reminder stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReminderState {
    Pending,
    /// Claimed by a sender until its lease ends.
    Sending,
    Sent,
    /// Given up after the last retry: the dead letters.
    Dead,
}

impl ReminderState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderState::Pending => "pending",
            ReminderState::Sending => "sending",
            ReminderState::Sent => "sent",
            ReminderState::Dead => "dead",
        }
    }
}

/// A reminder to record: unique by `(key, channel, target)`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NewReminder {
    /// What it reminds of, e.g. `checkin:12:2026-W48` or `overdue:345:2026-11-20`.
    pub key: String,
    /// `email` or `webhook`.
    pub channel: String,
    /// The address or URL.
    pub target: String,
    pub person: Option<Id>,
    pub subject: String,
    pub body: String,
}

/// A recorded reminder.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reminder {
    pub id: Id,
    #[serde(flatten)]
    pub new: NewReminder,
    pub state: ReminderState,
    pub attempts: i64,
    pub next_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

/// How one attempt to send a claimed reminder ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Sent,
    Retry { next_at: Timestamp, error: String },
    Dead { error: String },
}

/// Which goals to load.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoalFilter {
    pub team: Option<Id>,
    pub owner: Option<Id>,
    pub ids: Option<Vec<Id>>,
    pub open_only: bool,
}

/// The store of one workspace. Shaped so that a PostgreSQL implementation can follow without
/// changing callers: entities in, entities out, one event per change.
pub trait Store: Send + Sync {
    /// Create the workspace this store holds; fails if it already holds one.
    fn init(
        &self,
        workspace: Workspace,
        at: Timestamp,
    ) -> impl Future<Output = Result<Workspace>> + Send;
    /// The workspace, or [`StoreError::NoWorkspace`].
    fn workspace(&self) -> impl Future<Output = Result<Workspace>> + Send;

    /// Create an entity: the store assigns its `id` (and `num` for goals, items and
    /// milestones), sets `version` to 1, and appends a `meta.kind` event.
    fn create(&self, meta: &Meta, entity: Entity) -> impl Future<Output = Result<Entity>> + Send;
    /// Create many entities in one transaction, one event each: the bulk path.
    fn create_batch(
        &self,
        meta: &Meta,
        entities: Vec<Entity>,
    ) -> impl Future<Output = Result<Vec<Entity>>> + Send;
    /// Replace `before` by `after` if nobody changed it meanwhile (same `version`), else
    /// [`StoreError::Conflict`]. Bumps the version and appends one event.
    fn update(
        &self,
        meta: &Meta,
        before: &Entity,
        after: Entity,
    ) -> impl Future<Output = Result<Entity>> + Send;
    /// Create `entity` and, in the same transaction, replace `before` by what `then` makes of
    /// the created entity (it learns its id there): both happen, or neither does (a
    /// [`StoreError::Conflict`] on `before` leaves no created entity behind). One event each.
    fn create_then_update<F>(
        &self,
        created: &Meta,
        entity: Entity,
        updated: &Meta,
        before: &Entity,
        then: F,
    ) -> impl Future<Output = Result<(Entity, Entity)>> + Send
    where
        F: FnOnce(&Entity) -> Entity + Send + 'static;
    /// Create and update entities in one transaction, one event each, in order: all happen or
    /// none (a [`StoreError::Conflict`] on any update leaves nothing written). Returns what was
    /// written, in order.
    fn write(&self, changes: Vec<Change>) -> impl Future<Output = Result<Vec<Entity>>> + Send;
    /// Remove an entity (used for dependencies), with one event.
    fn delete(&self, meta: &Meta, before: &Entity) -> impl Future<Output = Result<()>> + Send;

    fn people(&self) -> impl Future<Output = Result<Vec<Person>>> + Send;
    fn person(&self, id: Id) -> impl Future<Output = Result<Option<Person>>> + Send;
    /// The people with these ids (unknown ids are skipped), by id.
    fn people_by_ids(&self, ids: &[Id]) -> impl Future<Output = Result<Vec<Person>>> + Send;
    fn person_by_handle(&self, handle: &str)
    -> impl Future<Output = Result<Option<Person>>> + Send;
    /// The person created first: the acting person when nobody is named.
    fn first_person(&self) -> impl Future<Output = Result<Option<Person>>> + Send;
    fn teams(&self) -> impl Future<Output = Result<Vec<Team>>> + Send;
    /// The team named exactly `name`, with its members: one team without reading them all.
    fn team_named(&self, name: &str) -> impl Future<Output = Result<Option<Team>>> + Send;
    /// Team ids and names, without members (for labels).
    fn team_names(&self) -> impl Future<Output = Result<Vec<(Id, String)>>> + Send;
    /// The teams a person leads or belongs to, by id, each with whether they lead it: a
    /// caller's roles without reading every team's members.
    fn teams_of(&self, person: Id) -> impl Future<Output = Result<Vec<(Id, bool)>>> + Send;
    fn milestones(&self) -> impl Future<Output = Result<Vec<Milestone>>> + Send;
    fn goal(&self, num: i64) -> impl Future<Output = Result<Option<Goal>>> + Send;
    fn goals(&self, filter: &GoalFilter) -> impl Future<Output = Result<Vec<Goal>>> + Send;
    fn item(&self, num: i64) -> impl Future<Output = Result<Option<Item>>> + Send;
    fn items(&self, filter: &ItemFilter) -> impl Future<Output = Result<Vec<Item>>> + Send;
    /// Dependencies with an end among `touching` (all when `None`).
    fn dependencies(
        &self,
        touching: Option<&[Node]>,
    ) -> impl Future<Output = Result<Vec<Dependency>>> + Send;
    /// Dependencies with an end among the team's goals or items (the items of its goals or
    /// owned by its lead or members, as [`ItemFilter::team`]), found inside the database.
    fn team_dependencies(&self, team: Id) -> impl Future<Output = Result<Vec<Dependency>>> + Send;
    /// Dependencies whose needed end (`to`) is among `nodes`: what waits on them.
    fn dependencies_into(
        &self,
        nodes: &[Node],
    ) -> impl Future<Output = Result<Vec<Dependency>>> + Send;
    /// The sequence number of the newest event (0 when there is none): it changes with every
    /// write, so derived results can tell whether they are current.
    fn last_event_seq(&self) -> impl Future<Output = Result<i64>> + Send;
    /// The directory's stamp: it moves on with every change to the workspace, people, teams,
    /// memberships, and to a token's or session's revocation, expiry or owner, whoever makes
    /// it (a trigger in the database keeps it). While it stays the same, who a signed-in caller
    /// is and what they may do stays the same.
    fn directory_stamp(&self) -> impl Future<Output = Result<i64>> + Send;
    /// What the kept forecast was computed from: the newest event then, and the day.
    fn forecast_run(&self) -> impl Future<Output = Result<Option<(i64, Date)>>> + Send;
    /// The kept forecast of these nodes (absent ones were not open then).
    fn forecasts(&self, nodes: &[Node]) -> impl Future<Output = Result<Vec<NodeForecast>>> + Send;
    /// What is kept of these goals with the forecast, by goal (absent ones were not open then).
    fn kept_goals(&self, goals: &[Id]) -> impl Future<Output = Result<Vec<KeptGoal>>> + Send;
    /// Replace the kept forecast by `rows` and what is kept of the open goals by `goals`, both
    /// computed at `event_seq` for `today`, in one transaction.
    fn save_forecasts(
        &self,
        event_seq: i64,
        today: Date,
        rows: &[NodeForecast],
        goals: &[KeptGoal],
    ) -> impl Future<Output = Result<()>> + Send;
    /// Every commitment request, by number.
    fn requests(&self) -> impl Future<Output = Result<Vec<Request>>> + Send;
    fn request(&self, num: i64) -> impl Future<Output = Result<Option<Request>>> + Send;
    /// Every "needs" edge, for cycle checks.
    fn dependency_edges(&self) -> impl Future<Output = Result<Vec<(Node, Node)>>> + Send;
    /// `(goal, item)` for every open item of a goal: a goal cannot land before them, which
    /// cycle checks count as a need.
    fn open_goal_items(&self) -> impl Future<Output = Result<Vec<(Id, Id)>>> + Send;

    /// Check-ins of these people (all when `None`) in weeks `from..=to` (all when `None`), by
    /// week then person.
    fn checkins(
        &self,
        people: Option<&[Id]>,
        weeks: Option<(Week, Week)>,
    ) -> impl Future<Output = Result<Vec<CheckIn>>> + Send;
    /// When each person joined: their first event.
    fn joined(&self) -> impl Future<Output = Result<Vec<(Id, Timestamp)>>> + Send;
    /// The events of `[from, to)`, oldest first.
    fn events_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Future<Output = Result<Vec<Event>>> + Send;

    /// Every notification setting: the workspace's and each person's.
    fn notify_settings(&self) -> impl Future<Output = Result<Vec<NotifySettings>>> + Send;
    /// Replace the settings of `settings.person` (or of the workspace).
    fn set_notify_settings(
        &self,
        settings: &NotifySettings,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Record reminders due at `at`, skipping those already recorded: how many were new.
    fn enqueue_reminders(
        &self,
        rows: &[NewReminder],
        at: Timestamp,
    ) -> impl Future<Output = Result<usize>> + Send;
    /// Claim up to `limit` reminders due at `now` (pending and due, or sending with an expired
    /// lease) for `claim` until `lease_until`, counting an attempt: a claimed reminder is
    /// nobody else's until then.
    fn claim_reminders(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        claim: &str,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Reminder>>> + Send;
    /// Record how sending a reminder claimed by `claim` ended; false when the claim was lost.
    fn finish_reminder(
        &self,
        id: Id,
        claim: &str,
        outcome: &Outcome,
        at: Timestamp,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Recorded reminders, newest first.
    fn reminders(&self, limit: i64) -> impl Future<Output = Result<Vec<Reminder>>> + Send;
    /// How many reminders are in each state (states with none are absent).
    fn reminder_counts(&self) -> impl Future<Output = Result<Vec<(ReminderState, i64)>>> + Send;

    /// A person's password hash (an argon2id PHC string), if they have one.
    fn password_hash(&self, person: Id) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Set (or replace) a person's password hash.
    fn set_password(
        &self,
        person: Id,
        hash: &str,
        at: Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Keep a new API token by its hash.
    fn create_token(
        &self,
        person: Id,
        name: &str,
        hash: &str,
        at: Timestamp,
        expires_at: Option<Timestamp>,
    ) -> impl Future<Output = Result<ApiToken>> + Send;
    /// The token with this hash, revoked and expired ones included.
    fn token_by_hash(&self, hash: &str) -> impl Future<Output = Result<Option<ApiToken>>> + Send;
    /// Tokens of one person, or of everyone, oldest first.
    fn tokens(&self, person: Option<Id>) -> impl Future<Output = Result<Vec<ApiToken>>> + Send;
    /// Revoke a token; false when there is no such token or it was revoked already.
    fn revoke_token(&self, id: Id, at: Timestamp) -> impl Future<Output = Result<bool>> + Send;
    /// Note that a token was used (at most the newest use is kept).
    fn touch_token(&self, id: Id, at: Timestamp) -> impl Future<Output = Result<()>> + Send;
    /// Keep a new web session by the hash of its cookie.
    fn create_session(
        &self,
        person: Id,
        hash: &str,
        csrf: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> impl Future<Output = Result<Session>> + Send;
    /// The session with this hash, revoked and expired ones included.
    fn session_by_hash(&self, hash: &str) -> impl Future<Output = Result<Option<Session>>> + Send;
    /// End one session (sign-out).
    fn revoke_session(&self, id: Id, at: Timestamp) -> impl Future<Output = Result<()>> + Send;
    /// End every session of a person (password change, suspension).
    fn revoke_sessions(&self, person: Id, at: Timestamp)
    -> impl Future<Output = Result<()>> + Send;
    /// Record a failed sign-in under `key` (an account or an address).
    fn login_failure(&self, key: &str, at: Timestamp) -> impl Future<Output = Result<()>> + Send;
    /// Failed sign-ins under `key` since an instant.
    fn login_failures_since(
        &self,
        key: &str,
        since: Timestamp,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// Forget the failed sign-ins under `key` (after a successful one).
    fn clear_login_failures(&self, key: &str) -> impl Future<Output = Result<()>> + Send;

    /// The events a write made under idempotency key `key` wrote, oldest first (none: no
    /// write was made with it).
    fn keyed(&self, key: &str) -> impl Future<Output = Result<Vec<Event>>> + Send;

    /// The history of one entity, oldest first.
    fn history(&self, kind: EntityKind, id: Id) -> impl Future<Output = Result<Vec<Event>>> + Send;
    /// The histories of several entities of one kind, together, oldest first.
    fn histories(
        &self,
        kind: EntityKind,
        ids: &[Id],
    ) -> impl Future<Output = Result<Vec<Event>>> + Send;
    /// The whole event log, oldest first.
    fn events(&self) -> impl Future<Output = Result<Vec<Event>>> + Send;
    /// The whole current state, canonically ordered (for export and replay checks).
    fn state(&self) -> impl Future<Output = Result<State>> + Send;
}

/// A team's goals ($1 the workspace, $2 the team).
pub(crate) const TEAM_GOAL_IDS: &str =
    "SELECT id FROM goals WHERE workspace_id = $1 AND team_id = $2";

/// A team's people ($1 the workspace, $2 the team): its members and its lead.
pub(crate) const TEAM_PEOPLE: &str = "SELECT person_id FROM team_members \
     WHERE workspace_id = $1 AND team_id = $2 UNION SELECT lead FROM teams WHERE id = $2";

/// The ids of a team's items ($1 the workspace, $2 the team): those of its goals and those
/// its lead or members own, as `ItemFilter::team` reads them (the rule of
/// `landed_core::model::Item::is_teams`, as a query).
pub(crate) fn team_item_ids() -> String {
    format!(
        "SELECT id FROM items WHERE workspace_id = $1 AND goal_id IN ({TEAM_GOAL_IDS}) \
         UNION SELECT id FROM items WHERE workspace_id = $1 AND owner IN ({TEAM_PEOPLE})"
    )
}

/// The dependencies touching a team's goals and items (see [`team_item_ids`]), one indexed
/// search per end and kind. Their ids are united, not whole rows: a UNION of rows sorts every
/// column in a temporary tree. The same text serves SQLite and PostgreSQL.
pub(crate) fn team_dependencies_sql() -> String {
    let items = team_item_ids();
    let mut parts = Vec::new();
    for (kind, ids) in [("goal", TEAM_GOAL_IDS), ("item", items.as_str())] {
        for end in ["from", "to"] {
            parts.push(format!(
                "SELECT id FROM dependencies WHERE workspace_id = $1 AND {end}_kind = '{kind}' \
                 AND {end}_id IN ({ids})"
            ));
        }
    }
    format!(
        "SELECT * FROM dependencies WHERE workspace_id = $1 AND id IN ({})",
        parts.join(" UNION ")
    )
}

/// The runs of entities of one kind in `entities`, in order: each is given its ids in one
/// allocation and written in one multi-row insert (the same on both backends).
pub(crate) fn kind_runs(entities: &[Entity]) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    while start < entities.len() {
        let kind = entities[start].kind();
        let end = entities[start..]
            .iter()
            .position(|e| e.kind() != kind)
            .map_or(entities.len(), |p| start + p);
        runs.push(start..end);
        start = end;
    }
    runs
}

/// A new entity as it is stored: its id, its number (for the kinds that have one), version 1,
/// and `at` as its creation (and last change) time; a team's members sorted, once each.
pub(crate) fn stamp_new(e: &mut Entity, id: Id, num: i64, at: Timestamp) {
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
