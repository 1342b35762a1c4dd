//! Who acts, and the facts `landed_core::authz` decides on. Every write of every use case goes
//! through [`Ctx::create`](crate::Ctx) or [`Ctx::update`](crate::Ctx) (or, for the few atomic
//! multi-entity writes, [`Ctx::write`](crate::Ctx)), and those ask [`actions`] what the write
//! amounts to: no use case can forget to ask.

use std::collections::BTreeSet;

use landed_core::authz::{Action, Actor, Belongs};
use landed_core::event::Entity;
use landed_core::model::{Goal, Id, Item, Node, Person};
use landed_store::{GoalFilter, ItemFilter, Store};

use crate::Result;

/// How the acting person came to act.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// The local command line, on a workspace file the user can write anyway: anything goes
    /// (the acting person only authors the events).
    Local,
    /// Signed in to a server: `landed_core::authz` decides.
    Signed(Actor),
}

/// The actor for a signed-in person: their role and the teams they lead and belong to.
pub async fn actor<S: Store>(store: &S, person: &Person) -> Result<Actor> {
    let mut leads = BTreeSet::new();
    let mut teams = BTreeSet::new();
    for (team, lead) in store.teams_of(person.id).await? {
        if lead {
            leads.insert(team);
        }
        teams.insert(team);
    }
    Ok(Actor {
        person: person.id,
        role: person.role,
        suspended: person.suspended,
        leads,
        teams,
    })
}

/// What writing `after` (over `before`, if it exists) asks permission for. A change is judged
/// on the entity as it is and as it will be: nobody can move work out of, or into, what they
/// may not change.
pub(crate) async fn actions<S: Store>(
    store: &S,
    before: Option<&Entity>,
    after: &Entity,
) -> Result<Vec<Action>> {
    let mut out = Vec::new();
    for (i, e) in before.into_iter().chain([after]).enumerate() {
        let created = before.is_none();
        let is_before = before.is_some() && i == 0;
        let action = match e {
            Entity::Workspace(_) | Entity::Milestone(_) => Action::Administer,
            Entity::Person(p) => match before {
                Some(Entity::Person(b)) if b.role == p.role && b.suspended == p.suspended => {
                    Action::EditPerson { person: p.id }
                }
                _ => Action::Administer,
            },
            Entity::Team(_) if created => Action::Administer,
            Entity::Team(t) => match before {
                // Naming the team's lead is the admins' call, not the lead's.
                Some(Entity::Team(b)) if b.lead != t.lead => Action::Administer,
                _ => Action::EditTeam { team: t.id },
            },
            Entity::Goal(g) => Action::EditGoal(goal_belongs(g)),
            Entity::Item(item) => Action::EditItem(item_belongs(store, item).await?),
            Entity::Dependency(d) => Action::Depend(node_belongs(store, d.from).await?),
            Entity::Request(r) if created => match r.for_node {
                Some(n) => Action::Depend(node_belongs(store, n).await?),
                None => Action::Depend(Belongs {
                    owner: None,
                    team: r.from_team,
                }),
            },
            Entity::Request(r) => {
                if is_before {
                    continue;
                }
                Action::Answer { team: r.to_team }
            }
            Entity::CheckIn(c) => Action::CheckIn { person: c.person },
        };
        if !out.contains(&action) {
            out.push(action);
        }
    }
    Ok(out)
}

fn goal_belongs(g: &Goal) -> Belongs {
    Belongs {
        owner: g.owner,
        team: g.team,
    }
}

async fn item_belongs<S: Store>(store: &S, item: &Item) -> Result<Belongs> {
    let team = match item.goal {
        Some(g) => goal(store, g).await?.and_then(|g| g.team),
        None => None,
    };
    Ok(Belongs {
        owner: item.owner,
        team,
    })
}

async fn node_belongs<S: Store>(store: &S, node: Node) -> Result<Belongs> {
    Ok(match node {
        Node::Goal(id) => goal(store, id).await?.as_ref().map(goal_belongs),
        Node::Item(id) => {
            let item = store
                .items(&ItemFilter {
                    ids: Some(vec![id]),
                    ..ItemFilter::default()
                })
                .await?
                .pop();
            match item {
                Some(i) => Some(item_belongs(store, &i).await?),
                None => None,
            }
        }
    }
    .unwrap_or_default())
}

async fn goal<S: Store>(store: &S, id: Id) -> Result<Option<Goal>> {
    Ok(store
        .goals(&GoalFilter {
            ids: Some(vec![id]),
            ..GoalFilter::default()
        })
        .await?
        .pop())
}
