//! Events: the append-only record of every change, and replaying them into state
//! (DESIGN §1, §10; RELIABILITY T18).
//!
//! Each event carries the whole entity before and after the change, so replaying the log from
//! empty rebuilds the current state exactly.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::{
    CheckIn, Dependency, Goal, Id, Item, Milestone, Person, Request, Team, Workspace,
};

/// Any entity, as stored in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "entity", rename_all = "lowercase")]
pub enum Entity {
    Workspace(Workspace),
    Person(Person),
    Team(Team),
    Milestone(Milestone),
    Goal(Goal),
    Item(Item),
    Dependency(Dependency),
    Request(Request),
    #[serde(rename = "checkin")]
    CheckIn(CheckIn),
}

/// The kind of an entity, as stored beside an event for lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Workspace,
    Person,
    Team,
    Milestone,
    Goal,
    Item,
    Dependency,
    Request,
    #[serde(rename = "checkin")]
    CheckIn,
}

impl EntityKind {
    pub const ALL: [EntityKind; 9] = [
        EntityKind::Workspace,
        EntityKind::Person,
        EntityKind::Team,
        EntityKind::Milestone,
        EntityKind::Goal,
        EntityKind::Item,
        EntityKind::Dependency,
        EntityKind::Request,
        EntityKind::CheckIn,
    ];

    /// The kind named as [`EntityKind::as_str`] names it.
    pub fn parse(s: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Workspace => "workspace",
            EntityKind::Person => "person",
            EntityKind::Team => "team",
            EntityKind::Milestone => "milestone",
            EntityKind::Goal => "goal",
            EntityKind::Item => "item",
            EntityKind::Dependency => "dependency",
            EntityKind::Request => "request",
            EntityKind::CheckIn => "checkin",
        }
    }
}

impl Entity {
    /// An entity from its JSON, read straight as `kind` (known beside it, as the event log
    /// stores it). Serde's own reading of this internally tagged enum first copies the whole
    /// object into a buffer to find the tag, then reads the buffer; here the tag is an unknown
    /// field, ignored.
    pub fn from_json_as(kind: EntityKind, text: &str) -> serde_json::Result<Entity> {
        Ok(match kind {
            EntityKind::Workspace => Entity::Workspace(serde_json::from_str(text)?),
            EntityKind::Person => Entity::Person(serde_json::from_str(text)?),
            EntityKind::Team => Entity::Team(serde_json::from_str(text)?),
            EntityKind::Milestone => Entity::Milestone(serde_json::from_str(text)?),
            EntityKind::Goal => Entity::Goal(serde_json::from_str(text)?),
            EntityKind::Item => Entity::Item(serde_json::from_str(text)?),
            EntityKind::Dependency => Entity::Dependency(serde_json::from_str(text)?),
            EntityKind::Request => Entity::Request(serde_json::from_str(text)?),
            EntityKind::CheckIn => Entity::CheckIn(serde_json::from_str(text)?),
        })
    }

    pub fn kind(&self) -> EntityKind {
        match self {
            Entity::Workspace(_) => EntityKind::Workspace,
            Entity::Person(_) => EntityKind::Person,
            Entity::Team(_) => EntityKind::Team,
            Entity::Milestone(_) => EntityKind::Milestone,
            Entity::Goal(_) => EntityKind::Goal,
            Entity::Item(_) => EntityKind::Item,
            Entity::Dependency(_) => EntityKind::Dependency,
            Entity::Request(_) => EntityKind::Request,
            Entity::CheckIn(_) => EntityKind::CheckIn,
        }
    }

    /// The entity's version: how many changes it has had.
    pub fn version(&self) -> i64 {
        match self {
            Entity::Workspace(e) => e.version,
            Entity::Person(e) => e.version,
            Entity::Team(e) => e.version,
            Entity::Milestone(e) => e.version,
            Entity::Goal(e) => e.version,
            Entity::Item(e) => e.version,
            Entity::Dependency(e) => e.version,
            Entity::Request(e) => e.version,
            Entity::CheckIn(e) => e.version,
        }
    }

    pub fn id(&self) -> Id {
        match self {
            Entity::Workspace(e) => e.id,
            Entity::Person(e) => e.id,
            Entity::Team(e) => e.id,
            Entity::Milestone(e) => e.id,
            Entity::Goal(e) => e.id,
            Entity::Item(e) => e.id,
            Entity::Dependency(e) => e.id,
            Entity::Request(e) => e.id,
            Entity::CheckIn(e) => e.id,
        }
    }
}

/// Conversions between each entity type and [`Entity`], so that code can store a `Goal` and
/// get a `Goal` back.
macro_rules! entity_conversions {
    ($($variant:ident),*) => {$(
        impl From<$variant> for Entity {
            fn from(e: $variant) -> Entity {
                Entity::$variant(e)
            }
        }

        impl TryFrom<Entity> for $variant {
            type Error = EntityKind;
            /// Fails with the kind the entity really is.
            fn try_from(e: Entity) -> Result<$variant, EntityKind> {
                match e {
                    Entity::$variant(x) => Ok(x),
                    other => Err(other.kind()),
                }
            }
        }
    )*};
}

entity_conversions!(
    Workspace, Person, Team, Milestone, Goal, Item, Dependency, Request, CheckIn
);

/// What a change did, in the words history shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    Updated,
    /// A committed date moved later.
    Slipped,
    /// A committed date moved earlier.
    PulledIn,
    /// A committed date was removed.
    Uncommitted,
    Started,
    Blocked,
    Done,
    Dropped,
    Reopened,
    /// A request was answered: committed.
    Committed,
    /// A request was answered: not yet.
    NotYet,
    /// A weekly check-in was given.
    CheckedIn,
    /// A check-in was amended during its week.
    Amended,
}

impl EventKind {
    pub const ALL: [EventKind; 14] = [
        EventKind::Created,
        EventKind::Updated,
        EventKind::Slipped,
        EventKind::PulledIn,
        EventKind::Uncommitted,
        EventKind::Started,
        EventKind::Blocked,
        EventKind::Done,
        EventKind::Dropped,
        EventKind::Reopened,
        EventKind::Committed,
        EventKind::NotYet,
        EventKind::CheckedIn,
        EventKind::Amended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            EventKind::Slipped => "slipped",
            EventKind::PulledIn => "pulled_in",
            EventKind::Uncommitted => "uncommitted",
            EventKind::Started => "started",
            EventKind::Blocked => "blocked",
            EventKind::Done => "done",
            EventKind::Dropped => "dropped",
            EventKind::Reopened => "reopened",
            EventKind::Committed => "committed",
            EventKind::NotYet => "not_yet",
            EventKind::CheckedIn => "checked_in",
            EventKind::Amended => "amended",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One change: who, when, what, and the entity before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the log; strictly increasing.
    pub seq: i64,
    pub at: Timestamp,
    pub author: Option<Id>,
    pub kind: EventKind,
    pub before: Option<Entity>,
    pub after: Option<Entity>,
    pub reason: Option<String>,
}

impl Entity {
    /// How messages name the entity: `item I-12`, `person @ana`.
    pub fn label(&self) -> String {
        match self {
            Entity::Workspace(w) => format!("workspace {}", w.name),
            Entity::Person(p) => format!("person @{}", p.handle),
            Entity::Team(t) => format!("team {}", t.name),
            Entity::Milestone(m) => format!("milestone {}", m.name),
            Entity::Goal(g) => format!("goal G-{}", g.num),
            Entity::Item(i) => format!("item I-{}", i.num),
            Entity::Dependency(d) => format!("dependency {:?} → {:?}", d.from, d.to),
            Entity::Request(r) => format!("request R-{}", r.num),
            Entity::CheckIn(c) => format!("the check-in of {}", c.week),
        }
    }
}

impl Event {
    /// The entity this event is about.
    pub fn subject(&self) -> Option<&Entity> {
        self.after.as_ref().or(self.before.as_ref())
    }
}

/// The whole state of a workspace, in a canonical order (so two equal states serialise to the
/// same bytes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub workspaces: BTreeMap<Id, Workspace>,
    pub people: BTreeMap<Id, Person>,
    pub teams: BTreeMap<Id, Team>,
    pub milestones: BTreeMap<Id, Milestone>,
    pub goals: BTreeMap<Id, Goal>,
    pub items: BTreeMap<Id, Item>,
    pub dependencies: BTreeMap<Id, Dependency>,
    pub requests: BTreeMap<Id, Request>,
    pub checkins: BTreeMap<Id, CheckIn>,
}

impl State {
    /// Put an entity in place (create or replace).
    pub fn put(&mut self, entity: Entity) {
        match entity {
            Entity::Workspace(e) => _ = self.workspaces.insert(e.id, e),
            Entity::Person(e) => _ = self.people.insert(e.id, e),
            Entity::Team(e) => _ = self.teams.insert(e.id, e),
            Entity::Milestone(e) => _ = self.milestones.insert(e.id, e),
            Entity::Goal(e) => _ = self.goals.insert(e.id, e),
            Entity::Item(e) => _ = self.items.insert(e.id, e),
            Entity::Dependency(e) => _ = self.dependencies.insert(e.id, e),
            Entity::Request(e) => _ = self.requests.insert(e.id, e),
            Entity::CheckIn(e) => _ = self.checkins.insert(e.id, e),
        }
    }

    /// Remove an entity.
    pub fn remove(&mut self, kind: EntityKind, id: Id) {
        match kind {
            EntityKind::Workspace => _ = self.workspaces.remove(&id),
            EntityKind::Person => _ = self.people.remove(&id),
            EntityKind::Team => _ = self.teams.remove(&id),
            EntityKind::Milestone => _ = self.milestones.remove(&id),
            EntityKind::Goal => _ = self.goals.remove(&id),
            EntityKind::Item => _ = self.items.remove(&id),
            EntityKind::Dependency => _ = self.dependencies.remove(&id),
            EntityKind::Request => _ = self.requests.remove(&id),
            EntityKind::CheckIn => _ = self.checkins.remove(&id),
        }
    }

    /// Apply one event: its `after` replaces the entity, or its absence removes it.
    pub fn apply(&mut self, event: &Event) {
        match (&event.before, &event.after) {
            (_, Some(after)) => self.put(after.clone()),
            (Some(before), None) => self.remove(before.kind(), before.id()),
            (None, None) => {}
        }
    }

    /// Rebuild state from a log, in order.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> State {
        let mut state = State::default();
        for e in events {
            state.apply(e);
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_parsed_from_its_name_and_read_as_its_own_type() {
        for kind in EntityKind::ALL {
            assert_eq!(EntityKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EntityKind::parse("nothing"), None);
        let team = Entity::Team(Team {
            id: 3,
            name: "Core".into(),
            lead: 1,
            members: vec![2, 4],
            protected_share: 0.2,
            version: 1,
        });
        let text = serde_json::to_string(&team).unwrap();
        assert_eq!(Entity::from_json_as(EntityKind::Team, &text).unwrap(), team);
        assert!(Entity::from_json_as(EntityKind::Item, &text).is_err());
    }
}
