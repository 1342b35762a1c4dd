//! The use cases of `landed`: what every surface (CLI now, API and web later) calls.
//!
//! Each function takes a [`Ctx`] (the store, the acting person, the current time), reads what
//! it needs, asks `landed-core` to decide, and writes through the store. Nothing here decides
//! a rule of its own.

use jiff::Timestamp;
use jiff::civil::Date;
use landed_core::capacity::CapacityPolicy;
use landed_core::event::{Entity, EntityKind};
use landed_core::model::{Id, Person, Workspace};
use landed_core::when;
use landed_store::Store;

pub mod access;
pub mod accounts;
pub mod callers;
pub mod capacity;
pub mod checkin;
pub mod demo;
mod error;
pub mod forecast;
pub mod goals;
pub mod history;
pub mod items;
pub mod links;
pub mod org;
pub mod remind;
pub mod report;
pub mod requests;
pub mod resolve;
pub mod review;
pub mod stats;
pub mod views;

pub use access::Access;
pub use error::{AppError, Surface};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Everything a use case needs: the store, who acts, and when.
pub struct Ctx<'s, S: Store> {
    pub store: &'s S,
    pub workspace: Workspace,
    /// The acting person; `None` only before the first person exists.
    pub actor: Option<Person>,
    pub now: Timestamp,
    /// Local, or signed in (then every write is authorised; see [`access`]).
    pub access: Access,
    /// The version the caller last read of one entity (`If-Match`): a write to it from any
    /// other version is refused as stale, even if nobody else wrote in between.
    pub expect: Option<(EntityKind, Id, i64)>,
    /// The client's idempotency key for this write, scoped to the actor; every event written
    /// keeps it, so a retry can find the write (see `landed_store::Store::keyed`).
    pub key: Option<String>,
}

impl<'s, S: Store> Ctx<'s, S> {
    /// Load the workspace and resolve the acting person: `handle` if given, else the
    /// workspace's default person, else its first person.
    pub async fn new(store: &'s S, handle: Option<&str>, now: Timestamp) -> Result<Ctx<'s, S>> {
        let now = stored_instant(now);
        let workspace = store.workspace().await?;
        let actor = match handle {
            Some(h) => Some(resolve::person(store, h).await?),
            None => match workspace.default_person {
                Some(id) => store.person(id).await?,
                None => None,
            },
        };
        let actor = match actor {
            Some(p) => Some(p),
            None => store.first_person().await?,
        };
        Ok(Ctx {
            store,
            workspace,
            actor,
            now,
            access: Access::Local,
            expect: None,
            key: None,
        })
    }

    /// A context for a signed-in caller (see [`callers::Callers`]): they act, and what they
    /// may do is checked.
    pub fn signed(store: &'s S, signed: &callers::Signed, now: Timestamp) -> Ctx<'s, S> {
        Ctx {
            store,
            workspace: signed.workspace.clone(),
            actor: Some(signed.person.clone()),
            now: stored_instant(now),
            access: Access::Signed(signed.actor.clone()),
            expect: None,
            key: None,
        }
    }

    /// Whether the acting person may do `action` (always, locally).
    pub fn allow(&self, action: landed_core::authz::Action) -> Result<()> {
        match &self.access {
            Access::Local => Ok(()),
            Access::Signed(actor) => {
                landed_core::authz::allow(actor, action).map_err(AppError::Forbidden)
            }
        }
    }

    /// Whether the acting person may write `after` over `before`.
    pub(crate) async fn authorize(&self, before: Option<&Entity>, after: &Entity) -> Result<()> {
        if self.access == Access::Local {
            return Ok(());
        }
        for action in access::actions(self.store, before, after).await? {
            self.allow(action)?;
        }
        Ok(())
    }

    /// Refuse a write over `before` when the caller expected another version of it.
    fn check_expected(&self, before: &Entity) -> Result<()> {
        match self.expect {
            Some((kind, id, version))
                if kind == before.kind() && id == before.id() && version != before.version() =>
            {
                Err(AppError::Store(landed_store::StoreError::Conflict {
                    entity: before.label(),
                    expected: version,
                }))
            }
            _ => Ok(()),
        }
    }

    /// Several changes in one transaction, each authorised and checked as `update` does.
    pub(crate) async fn write(&self, changes: Vec<landed_store::Change>) -> Result<Vec<Entity>> {
        for c in &changes {
            match c {
                landed_store::Change::Create(_, e) => self.authorize(None, e).await?,
                landed_store::Change::Update(_, before, after) => {
                    self.check_expected(before)?;
                    self.authorize(Some(before), after).await?;
                }
            }
        }
        Ok(self.store.write(changes).await?)
    }

    /// The acting person's id, for event authorship.
    pub fn author(&self) -> Option<Id> {
        self.actor.as_ref().map(|p| p.id)
    }

    /// The acting person, or an error saying how to name one.
    pub fn require_actor(&self) -> Result<&Person> {
        self.actor.as_ref().ok_or(AppError::NoActor)
    }

    /// The workspace's capacity settings (DESIGN §5).
    pub fn capacity_policy(&self) -> CapacityPolicy {
        CapacityPolicy {
            default_reactive_share: self.workspace.reactive_share,
            ..CapacityPolicy::default()
        }
    }

    /// Today in the acting person's time zone (else the workspace's).
    pub fn today(&self) -> Date {
        let tz_name = self
            .actor
            .as_ref()
            .map_or(self.workspace.tz.as_str(), |p| p.tz.as_str());
        let tz = when::zone_or_utc(tz_name);
        when::today_in(self.now, &tz)
    }

    /// Today in the workspace's time zone: the day workspace-wide views (forecasts) start.
    pub fn workspace_today(&self) -> Date {
        let tz = when::zone_or_utc(&self.workspace.tz);
        when::today_in(self.now, &tz)
    }

    /// Read a date as typed, relative to the actor's today.
    pub fn date(&self, text: &str) -> Result<Date> {
        Ok(when::parse_date(text, self.today())?)
    }

    pub(crate) fn policy(&self) -> landed_core::plan::PlanPolicy {
        landed_core::plan::PlanPolicy {
            step_limit_hours: self.workspace.step_limit_hours,
        }
    }

    pub(crate) fn meta(&self, kind: landed_core::event::EventKind) -> landed_store::Meta {
        let mut meta = landed_store::Meta::new(self.author(), self.now, kind);
        meta.key.clone_from(&self.key);
        meta
    }

    /// Create an entity, authored by the actor, and get it back with its id and number.
    pub(crate) async fn create<T>(&self, value: T) -> Result<T>
    where
        T: Into<Entity> + TryFrom<Entity, Error = EntityKind>,
    {
        let meta = self.meta(landed_core::event::EventKind::Created);
        let value: Entity = value.into();
        self.authorize(None, &value).await?;
        let stored = self.store.create(&meta, value).await?;
        Ok(T::try_from(stored).expect("the store returns the kind it was given"))
    }

    /// Replace `before` by `after` (refused if someone changed it meanwhile).
    pub(crate) async fn update<T>(
        &self,
        meta: &landed_store::Meta,
        before: T,
        after: T,
    ) -> Result<T>
    where
        T: Into<Entity> + TryFrom<Entity, Error = EntityKind>,
    {
        let (before, after): (Entity, Entity) = (before.into(), after.into());
        self.check_expected(&before)?;
        self.authorize(Some(&before), &after).await?;
        let stored = self.store.update(meta, &before, after).await?;
        Ok(T::try_from(stored).expect("the store returns the kind it was given"))
    }
}

/// An instant as the store keeps it (microseconds): entities stamped with it, in their tables
/// and in the events' copies, then agree, and replaying the log gives the state back exactly.
pub(crate) fn stored_instant(t: Timestamp) -> Timestamp {
    t.round(jiff::Unit::Microsecond).unwrap_or(t)
}

/// The ISO week typed (`2026-W48`), or `current` when none is.
pub(crate) fn week_or(
    text: Option<&str>,
    current: landed_core::capacity::Week,
) -> Result<landed_core::capacity::Week> {
    Ok(match text {
        Some(t) => t.parse()?,
        None => current,
    })
}

/// Create the workspace in an empty store.
pub async fn init<S: Store>(store: &S, name: &str, tz: &str, now: Timestamp) -> Result<Workspace> {
    let name = landed_core::validate::required("name", name, landed_core::validate::MAX_NAME)?;
    when::time_zone(tz)?;
    let ws = Workspace {
        id: 0,
        name,
        step_limit_hours: Workspace::DEFAULT_STEP_LIMIT_HOURS,
        default_person: None,
        tz: tz.to_string(),
        reactive_share: Workspace::DEFAULT_REACTIVE_SHARE,
        request_overdue_days: Workspace::DEFAULT_REQUEST_OVERDUE_DAYS,
        version: 0,
    };
    Ok(store.init(ws, now).await?)
}
