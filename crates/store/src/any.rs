//! [`AnyStore`]: the SQLite or the PostgreSQL store, chosen at run time from where the
//! workspace lives. The application is generic over `S: Store`; with this it is compiled once
//! and serves either backend (DESIGN §10: SQLite by default, PostgreSQL via a URL).

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;
use landed_core::capacity::Week;
use landed_core::event::{Entity, EntityKind, Event, State};
use landed_core::model::{
    CheckIn, Dependency, Goal, Id, Item, Milestone, Node, Person, Request, Team, Workspace,
};

use crate::{
    ApiToken, Change, GoalFilter, ItemFilter, KeptGoal, Meta, NewReminder, NodeForecast,
    NotifySettings, Outcome, PgStore, Reminder, ReminderState, Result, Session, SqlStore, Store,
};

/// A workspace in SQLite or in PostgreSQL.
// One per process, never moved about: the SQLite store's size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum AnyStore {
    Sqlite(SqlStore),
    Postgres(PgStore),
}

impl AnyStore {
    /// Open the workspace at `target`: a `postgres://` or `postgresql://` URL connects to
    /// PostgreSQL (the database must exist; see [`PgStore::connect`]); `sqlite://PATH`,
    /// `sqlite:PATH` or a plain path opens a SQLite file as [`SqlStore::open`] does, creating
    /// it if `create` (else a missing file is [`crate::StoreError::NoWorkspace`]); `:memory:`
    /// is a private in-memory database.
    pub async fn open(target: &str, create: bool) -> Result<AnyStore> {
        if target.starts_with("postgres://") || target.starts_with("postgresql://") {
            return Ok(AnyStore::Postgres(PgStore::connect(target).await?));
        }
        let path = target
            .strip_prefix("sqlite://")
            .or_else(|| target.strip_prefix("sqlite:"))
            .unwrap_or(target);
        Ok(AnyStore::Sqlite(if path == ":memory:" {
            SqlStore::memory().await?
        } else {
            SqlStore::open(Path::new(path), create).await?
        }))
    }

    /// Connections open in the pool, and of those how many are idle (for metrics).
    pub fn pool_stats(&self) -> (u32, usize) {
        match self {
            AnyStore::Sqlite(s) => s.pool_stats(),
            AnyStore::Postgres(s) => s.pool_stats(),
        }
    }

    /// Let go of idle read connections while the caller goes on: SQLite closes them on the
    /// blocking pool (see [`SqlStore::release_idle`]); PostgreSQL's pool keeps its own.
    pub fn release_idle(&self) {
        match self {
            AnyStore::Sqlite(s) => s.release_idle(),
            AnyStore::Postgres(_) => {}
        }
    }

    /// Close the connections, waiting for them to finish.
    pub async fn close(&self) {
        match self {
            AnyStore::Sqlite(s) => s.close().await,
            AnyStore::Postgres(s) => s.close().await,
        }
    }
}

impl From<SqlStore> for AnyStore {
    fn from(s: SqlStore) -> AnyStore {
        AnyStore::Sqlite(s)
    }
}

impl From<PgStore> for AnyStore {
    fn from(s: PgStore) -> AnyStore {
        AnyStore::Postgres(s)
    }
}

/// Each listed method of [`Store`], passed on to the store inside.
macro_rules! delegate {
    ($(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(
            async fn $name(&self $(, $arg: $ty)*) -> $ret {
                match self {
                    AnyStore::Sqlite(s) => s.$name($($arg),*).await,
                    AnyStore::Postgres(s) => s.$name($($arg),*).await,
                }
            }
        )*
    };
}

impl Store for AnyStore {
    delegate! {
        fn init(&self, workspace: Workspace, at: Timestamp) -> Result<Workspace>;
        fn workspace(&self) -> Result<Workspace>;
        fn create(&self, meta: &Meta, entity: Entity) -> Result<Entity>;
        fn create_batch(&self, meta: &Meta, entities: Vec<Entity>) -> Result<Vec<Entity>>;
        fn update(&self, meta: &Meta, before: &Entity, after: Entity) -> Result<Entity>;
        fn write(&self, changes: Vec<Change>) -> Result<Vec<Entity>>;
        fn delete(&self, meta: &Meta, before: &Entity) -> Result<()>;
        fn people(&self) -> Result<Vec<Person>>;
        fn person(&self, id: Id) -> Result<Option<Person>>;
        fn people_by_ids(&self, ids: &[Id]) -> Result<Vec<Person>>;
        fn person_by_handle(&self, handle: &str) -> Result<Option<Person>>;
        fn first_person(&self) -> Result<Option<Person>>;
        fn teams(&self) -> Result<Vec<Team>>;
        fn team_named(&self, name: &str) -> Result<Option<Team>>;
        fn team_names(&self) -> Result<Vec<(Id, String)>>;
        fn teams_of(&self, person: Id) -> Result<Vec<(Id, bool)>>;
        fn milestones(&self) -> Result<Vec<Milestone>>;
        fn goal(&self, num: i64) -> Result<Option<Goal>>;
        fn goals(&self, filter: &GoalFilter) -> Result<Vec<Goal>>;
        fn item(&self, num: i64) -> Result<Option<Item>>;
        fn items(&self, filter: &ItemFilter) -> Result<Vec<Item>>;
        fn dependencies(&self, touching: Option<&[Node]>) -> Result<Vec<Dependency>>;
        fn dependencies_into(&self, nodes: &[Node]) -> Result<Vec<Dependency>>;
        fn team_dependencies(&self, team: Id) -> Result<Vec<Dependency>>;
        fn last_event_seq(&self) -> Result<i64>;
        fn directory_stamp(&self) -> Result<i64>;
        fn forecast_run(&self) -> Result<Option<(i64, Date)>>;
        fn forecasts(&self, nodes: &[Node]) -> Result<Vec<NodeForecast>>;
        fn kept_goals(&self, goals: &[Id]) -> Result<Vec<KeptGoal>>;
        fn save_forecasts(&self, event_seq: i64, today: Date, rows: &[NodeForecast], goals: &[KeptGoal]) -> Result<()>;
        fn requests(&self) -> Result<Vec<Request>>;
        fn request(&self, num: i64) -> Result<Option<Request>>;
        fn dependency_edges(&self) -> Result<Vec<(Node, Node)>>;
        fn open_goal_items(&self) -> Result<Vec<(Id, Id)>>;
        fn checkins(&self, people: Option<&[Id]>, weeks: Option<(Week, Week)>) -> Result<Vec<CheckIn>>;
        fn joined(&self) -> Result<Vec<(Id, Timestamp)>>;
        fn events_between(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Event>>;
        fn notify_settings(&self) -> Result<Vec<NotifySettings>>;
        fn set_notify_settings(&self, settings: &NotifySettings) -> Result<()>;
        fn enqueue_reminders(&self, rows: &[NewReminder], at: Timestamp) -> Result<usize>;
        fn claim_reminders(&self, now: Timestamp, lease_until: Timestamp, claim: &str, limit: i64) -> Result<Vec<Reminder>>;
        fn finish_reminder(&self, id: Id, claim: &str, outcome: &Outcome, at: Timestamp) -> Result<bool>;
        fn reminders(&self, limit: i64) -> Result<Vec<Reminder>>;
        fn reminder_counts(&self) -> Result<Vec<(ReminderState, i64)>>;
        fn password_hash(&self, person: Id) -> Result<Option<String>>;
        fn set_password(&self, person: Id, hash: &str, at: Timestamp) -> Result<()>;
        fn create_token(&self, person: Id, name: &str, hash: &str, at: Timestamp, expires_at: Option<Timestamp>) -> Result<ApiToken>;
        fn token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>>;
        fn tokens(&self, person: Option<Id>) -> Result<Vec<ApiToken>>;
        fn revoke_token(&self, id: Id, at: Timestamp) -> Result<bool>;
        fn touch_token(&self, id: Id, at: Timestamp) -> Result<()>;
        fn create_session(&self, person: Id, hash: &str, csrf: &str, at: Timestamp, expires_at: Timestamp) -> Result<Session>;
        fn session_by_hash(&self, hash: &str) -> Result<Option<Session>>;
        fn revoke_session(&self, id: Id, at: Timestamp) -> Result<()>;
        fn revoke_sessions(&self, person: Id, at: Timestamp) -> Result<()>;
        fn login_failure(&self, key: &str, at: Timestamp) -> Result<()>;
        fn login_failures_since(&self, key: &str, since: Timestamp) -> Result<i64>;
        fn clear_login_failures(&self, key: &str) -> Result<()>;
        fn keyed(&self, key: &str) -> Result<Vec<Event>>;
        fn history(&self, kind: EntityKind, id: Id) -> Result<Vec<Event>>;
        fn histories(&self, kind: EntityKind, ids: &[Id]) -> Result<Vec<Event>>;
        fn events(&self) -> Result<Vec<Event>>;
        fn state(&self) -> Result<State>;
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
        match self {
            AnyStore::Sqlite(s) => {
                s.create_then_update(created, entity, updated, before, then)
                    .await
            }
            AnyStore::Postgres(s) => {
                s.create_then_update(created, entity, updated, before, then)
                    .await
            }
        }
    }
}
