//! A deterministic generator of realistic `landed` workspaces, for benchmarks and demos.
//!
//! [`generate`] draws a whole organisation from a seed: people with handles and time zones,
//! teams with leads, a dozen milestones, goals (about 70% plans, 30% aspirations, each for a
//! reason DESIGN §2 names), work items spread over them plus reactive work, and an acyclic set
//! of cross-team dependencies. The same shape, seed and dates always give the same [`World`],
//! so benchmark figures are comparable between runs and a demo looks the same every time.
//! [`Shape::design`] is the scale DESIGN §10 asks `landed` to be fast at.

mod dependencies;
mod people;
mod rng;
mod words;
mod work;

use jiff::Timestamp;
use jiff::civil::Date;
use landed_core::{Dependency, Goal, Item, Milestone, Person, Team, Workspace};

use crate::rng::Rng;
use crate::work::Calendar;

/// How many of each entity to generate. Milestones are always a dozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub people: usize,
    pub teams: usize,
    pub goals: usize,
    pub items: usize,
    pub dependencies: usize,
}

impl Shape {
    /// The workspace DESIGN §10 asks to be fast at: 5,000 people, 500 teams, 10,000 goals,
    /// 1,000,000 work items and 300,000 dependencies.
    pub fn design() -> Shape {
        Shape {
            people: 5_000,
            teams: 500,
            goals: 10_000,
            items: 1_000_000,
            dependencies: 300_000,
        }
    }

    /// The proportions of [`Shape::design`] scaled to `n` items (rounded, at least one of each).
    pub fn items(n: usize) -> Shape {
        let design = Shape::design();
        let scale = |count: usize| -> usize {
            let scaled =
                (count as u128 * n as u128 + design.items as u128 / 2) / design.items as u128;
            (scaled as usize).max(1)
        };
        Shape {
            people: scale(design.people),
            teams: scale(design.teams),
            goals: scale(design.goals),
            items: n.max(1),
            dependencies: scale(design.dependencies),
        }
    }
}

/// A generated workspace. Ids and numbers start at 1 and are dense per kind, so the entity
/// with id `k` is at index `k - 1` of its vector (and `num == id` for goals, items and
/// milestones). Every entity has version 1 and was created and updated at `now`.
#[derive(Debug, Clone, PartialEq)]
pub struct World {
    pub workspace: Workspace,
    pub people: Vec<Person>,
    pub teams: Vec<Team>,
    pub milestones: Vec<Milestone>,
    pub goals: Vec<Goal>,
    pub items: Vec<Item>,
    pub dependencies: Vec<Dependency>,
}

/// Generate a workspace of `shape` from `seed`, with dates around `today` and every timestamp
/// at `now`. People and teams are raised to at least one; the dependencies fall short of
/// `shape.dependencies` only when the world is too small to hold that many distinct edges.
pub fn generate(shape: &Shape, seed: u64, today: Date, now: Timestamp) -> World {
    let cal = Calendar::new(today);
    let org = people::org(
        shape.people.max(1),
        shape.teams.max(1),
        &mut Rng::stream(seed, 1),
    );
    let milestones = work::milestones(&cal);
    let (goals, plans) = work::goals(
        shape.goals,
        &org,
        &milestones,
        &cal,
        &mut Rng::stream(seed, 2),
        now,
    );
    let (items, item_team) = work::items(
        shape.items,
        &plans,
        &org,
        &milestones,
        &cal,
        &mut Rng::stream(seed, 3),
        now,
    );
    let goal_team: Vec<usize> = plans.iter().map(|p| p.team).collect();
    let dependencies = dependencies::dependencies(
        shape.dependencies,
        &goals,
        &items,
        dependencies::TeamOf {
            goals: &goal_team,
            items: &item_team,
        },
        &cal,
        &mut Rng::stream(seed, 4),
        now,
    );
    World {
        workspace: Workspace {
            id: 1,
            name: "Acme".to_string(),
            step_limit_hours: Workspace::DEFAULT_STEP_LIMIT_HOURS,
            default_person: org.people.first().map(|p| p.id),
            tz: "Europe/Berlin".to_string(),
            reactive_share: Workspace::DEFAULT_REACTIVE_SHARE,
            request_overdue_days: Workspace::DEFAULT_REQUEST_OVERDUE_DAYS,
            version: 1,
        },
        people: org.people,
        teams: org.teams,
        milestones,
        goals,
        items,
        dependencies,
    }
}

#[cfg(test)]
mod tests;
