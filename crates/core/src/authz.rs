//! Who may do what (DESIGN §9). Every decision of every surface is made here, from facts the
//! caller gathers: the acting account and what the action touches.
//!
//! Roles: `admin` manages the workspace, its people and teams; a `member` changes the items
//! they own and the goals and items of their teams; a team's lead is a member who may also edit
//! that team; a `viewer` reads. Only a person checks in for themself, and only the asked team
//! answers a commitment request. Everyone signed in reads everything of the workspace.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::Id;

/// A person's role in the workspace. Leading a team is not a role of its own: it comes from
/// the team (`Team::lead`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    #[default]
    Member,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Member, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The signed-in person who acts, with what their role and teams allow.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub person: Id,
    pub role: Role,
    /// Suspended accounts may do nothing, not even read.
    pub suspended: bool,
    /// Teams this person leads.
    pub leads: BTreeSet<Id>,
    /// Teams this person belongs to (those they lead included).
    pub teams: BTreeSet<Id>,
}

/// Who owns a goal or an item, and which team it belongs to (an item: its goal's team).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Belongs {
    pub owner: Option<Id>,
    pub team: Option<Id>,
}

/// What an action does, with the facts that decide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read anything of the workspace.
    Read,
    /// Add or change people, teams, milestones or the workspace's settings; manage accounts.
    Administer,
    /// Change a team's own settings (its members, lead, protected time).
    EditTeam { team: Id },
    /// Change a person's own settings (time zone, check-in day, notification channels).
    EditPerson { person: Id },
    /// Create, change or close a goal, as it is (and, for a change, as it will be).
    EditGoal(Belongs),
    /// Create, change or act on an item, as it is (and, for a change, as it will be).
    EditItem(Belongs),
    /// Add or remove a dependency, or ask a team for a commitment, on behalf of the dependent
    /// goal or item.
    Depend(Belongs),
    /// Answer a commitment request made to a team.
    Answer { team: Id },
    /// Check in for a person's week.
    CheckIn { person: Id },
    /// Create or revoke API tokens and sessions of a person.
    Tokens { person: Id },
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("this account is suspended; ask a workspace admin to restore it")]
    Suspended,
    #[error("viewers can read but not change anything; ask a workspace admin for the member role")]
    ReadOnly,
    #[error("only a workspace admin can do this")]
    AdminOnly,
    #[error("only the team's lead or a workspace admin can change this team")]
    NotLead,
    #[error("only that person or a workspace admin can change their settings")]
    NotSelf,
    #[error(
        "you can change only what you own or what belongs to your teams; ask its owner or a member of its team"
    )]
    NotYours,
    #[error("only the asked team answers a commitment request; ask its lead")]
    NotAskedTeam,
    #[error("only the person themself checks in for their week")]
    NotYourCheckIn,
}

/// Whether `actor` may do `action`.
pub fn allow(actor: &Actor, action: Action) -> Result<(), Denied> {
    if actor.suspended {
        return Err(Denied::Suspended);
    }
    if action == Action::Read {
        return Ok(());
    }
    // Everyone manages their own tokens and sessions: a viewer reads through the API too.
    if action
        == (Action::Tokens {
            person: actor.person,
        })
    {
        return Ok(());
    }
    if actor.role == Role::Viewer {
        return Err(Denied::ReadOnly);
    }
    let admin = actor.role == Role::Admin;
    match action {
        Action::Read => Ok(()),
        Action::Administer => admin.then_some(()).ok_or(Denied::AdminOnly),
        Action::EditTeam { team } => (admin || actor.leads.contains(&team))
            .then_some(())
            .ok_or(Denied::NotLead),
        Action::EditPerson { person } | Action::Tokens { person } => (admin
            || actor.person == person)
            .then_some(())
            .ok_or(Denied::NotSelf),
        Action::EditGoal(b) | Action::EditItem(b) | Action::Depend(b) => (admin || yours(actor, b))
            .then_some(())
            .ok_or(Denied::NotYours),
        Action::Answer { team } => actor
            .teams
            .contains(&team)
            .then_some(())
            .ok_or(Denied::NotAskedTeam),
        Action::CheckIn { person } => (actor.person == person)
            .then_some(())
            .ok_or(Denied::NotYourCheckIn),
    }
}

/// Owned by the actor, of one of their teams, or of nobody and no team (just captured).
fn yours(actor: &Actor, b: Belongs) -> bool {
    b.owner == Some(actor.person)
        || b.team.is_some_and(|t| actor.teams.contains(&t))
        || (b.owner.is_none() && b.team.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ME: Id = 1;
    const OTHER: Id = 2;
    const MY_TEAM: Id = 10;
    const LED_TEAM: Id = 11;
    const OTHER_TEAM: Id = 12;

    fn actor(role: Role) -> Actor {
        Actor {
            person: ME,
            role,
            suspended: false,
            leads: BTreeSet::from([LED_TEAM]),
            teams: BTreeSet::from([MY_TEAM, LED_TEAM]),
        }
    }

    fn mine() -> Belongs {
        Belongs {
            owner: Some(ME),
            team: Some(OTHER_TEAM),
        }
    }

    fn my_teams() -> Belongs {
        Belongs {
            owner: Some(OTHER),
            team: Some(MY_TEAM),
        }
    }

    fn theirs() -> Belongs {
        Belongs {
            owner: Some(OTHER),
            team: Some(OTHER_TEAM),
        }
    }

    #[test]
    fn members_change_what_they_own_and_what_their_teams_hold() {
        let me = actor(Role::Member);
        for b in [mine(), my_teams(), Belongs::default()] {
            assert_eq!(allow(&me, Action::EditItem(b)), Ok(()), "{b:?}");
            assert_eq!(allow(&me, Action::EditGoal(b)), Ok(()), "{b:?}");
            assert_eq!(allow(&me, Action::Depend(b)), Ok(()), "{b:?}");
        }
        assert_eq!(
            allow(&me, Action::EditItem(theirs())),
            Err(Denied::NotYours)
        );
        let unowned_elsewhere = Belongs {
            owner: None,
            team: Some(OTHER_TEAM),
        };
        assert_eq!(
            allow(&me, Action::EditGoal(unowned_elsewhere)),
            Err(Denied::NotYours)
        );
    }

    #[test]
    fn admins_administer_and_change_anything_but_not_others_check_ins_or_answers() {
        let admin = Actor {
            leads: BTreeSet::new(),
            teams: BTreeSet::new(),
            ..actor(Role::Admin)
        };
        assert_eq!(allow(&admin, Action::Administer), Ok(()));
        assert_eq!(allow(&admin, Action::EditItem(theirs())), Ok(()));
        assert_eq!(allow(&admin, Action::EditTeam { team: OTHER_TEAM }), Ok(()));
        assert_eq!(allow(&admin, Action::Tokens { person: OTHER }), Ok(()));
        assert_eq!(
            allow(&admin, Action::CheckIn { person: OTHER }),
            Err(Denied::NotYourCheckIn)
        );
        assert_eq!(
            allow(&admin, Action::Answer { team: OTHER_TEAM }),
            Err(Denied::NotAskedTeam)
        );
    }

    #[test]
    fn leads_edit_their_team_only() {
        let me = actor(Role::Member);
        assert_eq!(allow(&me, Action::EditTeam { team: LED_TEAM }), Ok(()));
        assert_eq!(
            allow(&me, Action::EditTeam { team: MY_TEAM }),
            Err(Denied::NotLead)
        );
        assert_eq!(allow(&me, Action::Administer), Err(Denied::AdminOnly));
    }

    #[test]
    fn the_asked_team_answers_and_people_check_in_for_themselves() {
        let me = actor(Role::Member);
        assert_eq!(allow(&me, Action::Answer { team: MY_TEAM }), Ok(()));
        assert_eq!(
            allow(&me, Action::Answer { team: OTHER_TEAM }),
            Err(Denied::NotAskedTeam)
        );
        assert_eq!(allow(&me, Action::CheckIn { person: ME }), Ok(()));
        assert_eq!(
            allow(&me, Action::CheckIn { person: OTHER }),
            Err(Denied::NotYourCheckIn)
        );
        assert_eq!(allow(&me, Action::EditPerson { person: ME }), Ok(()));
        assert_eq!(
            allow(&me, Action::EditPerson { person: OTHER }),
            Err(Denied::NotSelf)
        );
    }

    fn any_action() -> impl Strategy<Value = Action> {
        let id = prop_oneof![Just(ME), Just(OTHER)];
        let team = prop_oneof![Just(MY_TEAM), Just(LED_TEAM), Just(OTHER_TEAM)];
        let belongs = (
            proptest::option::of(id.clone()),
            proptest::option::of(team.clone()),
        )
            .prop_map(|(owner, team)| Belongs { owner, team });
        prop_oneof![
            Just(Action::Read),
            Just(Action::Administer),
            team.clone().prop_map(|team| Action::EditTeam { team }),
            id.clone().prop_map(|person| Action::EditPerson { person }),
            belongs.clone().prop_map(Action::EditGoal),
            belongs.clone().prop_map(Action::EditItem),
            belongs.prop_map(Action::Depend),
            team.prop_map(|team| Action::Answer { team }),
            id.clone().prop_map(|person| Action::CheckIn { person }),
            id.prop_map(|person| Action::Tokens { person }),
        ]
    }

    proptest! {
        /// Suspended accounts do nothing; viewers only read (and manage their own tokens);
        /// everyone else reads; an admin may do whatever a member may.
        #[test]
        fn roles_are_ordered(action in any_action()) {
            let suspended = Actor { suspended: true, ..actor(Role::Admin) };
            prop_assert_eq!(allow(&suspended, action), Err(Denied::Suspended));
            let viewer = allow(&actor(Role::Viewer), action);
            let own_tokens = action == Action::Tokens { person: ME };
            prop_assert_eq!(viewer.is_ok(), action == Action::Read || own_tokens);
            for role in Role::ALL {
                if action == Action::Read {
                    prop_assert!(allow(&actor(role), action).is_ok());
                }
            }
            if allow(&actor(Role::Member), action).is_ok() {
                prop_assert!(allow(&actor(Role::Admin), action).is_ok());
            }
        }
    }

    #[test]
    fn everyone_manages_their_own_tokens_and_only_admins_others() {
        for role in Role::ALL {
            assert_eq!(allow(&actor(role), Action::Tokens { person: ME }), Ok(()));
        }
        assert_eq!(
            allow(&actor(Role::Member), Action::Tokens { person: OTHER }),
            Err(Denied::NotSelf)
        );
        assert_eq!(
            allow(&actor(Role::Viewer), Action::Tokens { person: OTHER }),
            Err(Denied::ReadOnly)
        );
    }

    #[test]
    fn roles_read_back() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("lead"), None);
    }
}
