//! Milestones, goals and work items: the plans (and the aspirations) of the organisation.

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use landed_core::{Closure, Goal, Id, Item, ItemKind, ItemStatus, Milestone, When};

use crate::people::Org;
use crate::rng::Rng;
use crate::words::{
    BLOCKED_REASONS, DROPPED_REASONS, GOAL_DONE_REASONS, GOAL_DROPPED_REASONS, GOAL_SCOPES, GOALS,
    ITEM_OBJECTS, ITEM_VERBS, REACTIVE, VAGUE_ITEM_OUTCOMES,
};

/// A dozen milestones, one every two weeks from today.
pub(crate) const MILESTONES: usize = 12;
const MILESTONE_EVERY_DAYS: i64 = 14;
/// The last entries of `GOALS` are themes, not results.
const VAGUE_GOALS: usize = 4;

/// Dates by offset in days from today, computed once: calendar arithmetic would otherwise be
/// the slowest part of drawing a million items.
pub(crate) struct Calendar {
    first: i64,
    dates: Vec<Date>,
}

impl Calendar {
    pub(crate) fn new(today: Date) -> Calendar {
        const FIRST: i64 = -60;
        const LAST: i64 = 240;
        Calendar {
            first: FIRST,
            dates: (FIRST..=LAST)
                .map(|d| today.saturating_add(Span::new().days(d)))
                .collect(),
        }
    }

    /// The date `offset` days from today (clamped to the calendar's span of -60..=240 days).
    pub(crate) fn at(&self, offset: i64) -> Date {
        let last = self.dates.len() as i64 - 1;
        self.dates[(offset - self.first).clamp(0, last) as usize]
    }
}

pub(crate) fn milestones(cal: &Calendar) -> Vec<Milestone> {
    (1..=MILESTONES)
        .map(|k| Milestone {
            id: k as Id,
            num: k as i64,
            name: if k % 3 == 0 {
                format!("Release {}", k / 3)
            } else {
                format!("Sprint {k}")
            },
            date: cal.at(k as i64 * MILESTONE_EVERY_DAYS),
            version: 1,
        })
        .collect()
}

/// Why a goal will be an aspiration, decided before its items are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flaw {
    None,
    NoOwner,
    NoDate,
    NoOutcome,
    NoItems,
    ItemMissingW,
    ItemAfterTarget,
}

const FLAWS: [(Flaw, u32); 7] = [
    (Flaw::None, 70),
    (Flaw::NoOwner, 4),
    (Flaw::NoDate, 4),
    (Flaw::NoOutcome, 5),
    (Flaw::NoItems, 4),
    (Flaw::ItemMissingW, 9),
    (Flaw::ItemAfterTarget, 4),
];

/// What the generator decided about a goal, which its items and dependencies follow.
pub(crate) struct GoalPlan {
    pub(crate) team: usize,
    /// Target in days from today.
    target: Option<i64>,
    flaw: Flaw,
    closed: Option<Closure>,
    /// Relative size: how many items the goal gets compared with others.
    weight: u32,
}

pub(crate) fn goals(
    n: usize,
    org: &Org,
    milestones: &[Milestone],
    cal: &Calendar,
    rng: &mut Rng,
    now: Timestamp,
) -> (Vec<Goal>, Vec<GoalPlan>) {
    let mut plans = Vec::with_capacity(n);
    let goals = (0..n)
        .map(|g| {
            let team = rng.below(org.teams.len());
            let closed =
                [None, Some(Closure::Done), Some(Closure::Dropped)][rng.weighted(&[96, 3, 1])];
            let flaw = match closed {
                None => FLAWS[rng.weighted(&FLAWS.map(|(_, w)| w))].0,
                Some(_) => Flaw::None,
            };
            let (title, outcome) = if rng.percent(95) {
                GOALS[rng.below(GOALS.len() - VAGUE_GOALS)]
            } else {
                GOALS[GOALS.len() - VAGUE_GOALS + rng.below(VAGUE_GOALS)]
            };
            let title = if rng.percent(30) {
                format!("{title} {}", rng.pick(&GOAL_SCOPES))
            } else {
                title.to_string()
            };
            let owner = *rng.pick(&org.rosters[team]);
            let (target, target_days) = if flaw == Flaw::NoDate {
                (When::NONE, None)
            } else if rng.percent(50) {
                // A milestone 1 to 6 months out (milestone 2 is four weeks away).
                let k = rng.between(2, MILESTONES as i64);
                let days = k * MILESTONE_EVERY_DAYS;
                (When::at_milestone(&milestones[k as usize - 1]), Some(days))
            } else {
                let days = rng.between(30, 180);
                (When::on(cal.at(days)), Some(days))
            };
            let close_reason = match closed {
                Some(Closure::Done) => Some(rng.pick(&GOAL_DONE_REASONS).to_string()),
                Some(Closure::Dropped) => Some(rng.pick(&GOAL_DROPPED_REASONS).to_string()),
                None => None,
            };
            let r = rng.below(8) as u32;
            plans.push(GoalPlan {
                team,
                target: target_days,
                flaw,
                closed,
                weight: 1 + r * r,
            });
            Goal {
                id: g as Id + 1,
                num: g as i64 + 1,
                title,
                outcome: (flaw != Flaw::NoOutcome).then(|| outcome.to_string()),
                owner: (flaw != Flaw::NoOwner).then_some(owner),
                target,
                team: Some(team as Id + 1),
                closed,
                close_reason,
                created_at: now,
                updated_at: now,
                version: 1,
            }
        })
        .collect();
    (goals, plans)
}

/// Which goal each item serves (0: none, a reactive item), in creation order: every goal
/// that should have items gets one, the rest in proportion to the goals' weights, shuffled
/// so that a goal's items are spread over the id range as they would be over time.
fn goal_of_each_item(n: usize, plans: &[GoalPlan], rng: &mut Rng) -> Vec<u32> {
    let reactive = n * 15 / 100;
    let mut slots = vec![0u32; n];
    let wanting: Vec<u32> = (0..plans.len())
        .filter(|&g| plans[g].flaw != Flaw::NoItems)
        .map(|g| g as u32 + 1)
        .collect();
    if !wanting.is_empty() {
        let strategic = &mut slots[reactive..];
        let guaranteed = wanting.len().min(strategic.len());
        strategic[..guaranteed].copy_from_slice(&wanting[..guaranteed]);
        let mut cumulative = Vec::with_capacity(wanting.len());
        let mut total = 0u64;
        for &g in &wanting {
            total += u64::from(plans[g as usize - 1].weight);
            cumulative.push(total);
        }
        for slot in &mut strategic[guaranteed..] {
            let x = rng.below(total as usize) as u64;
            *slot = wanting[cumulative.partition_point(|&c| c <= x)];
        }
    }
    rng.shuffle(&mut slots);
    slots
}

/// The items, and the index of the team each belongs to (its goal's, or its owner's).
pub(crate) fn items(
    n: usize,
    plans: &[GoalPlan],
    org: &Org,
    milestones: &[Milestone],
    cal: &Calendar,
    rng: &mut Rng,
    now: Timestamp,
) -> (Vec<Item>, Vec<usize>) {
    let slots = goal_of_each_item(n, plans, rng);
    let mut flaw_pending: Vec<bool> = plans
        .iter()
        .map(|p| matches!(p.flaw, Flaw::ItemMissingW | Flaw::ItemAfterTarget))
        .collect();
    let mut teams = Vec::with_capacity(n);
    let items = slots
        .iter()
        .enumerate()
        .map(|(i, &slot)| {
            let mut item = if slot == 0 {
                let (item, team) = reactive_item(org, cal, rng);
                teams.push(team);
                item
            } else {
                let g = slot as usize - 1;
                let plan = &plans[g];
                teams.push(plan.team);
                let pending = std::mem::take(&mut flaw_pending[g]);
                strategic_item(g, plan, pending, org, milestones, cal, rng)
            };
            item.id = i as Id + 1;
            item.num = i as i64 + 1;
            item.created_at = now;
            item.updated_at = now;
            if item.status == ItemStatus::Done {
                // Done over the last four weeks, most a little over or under their estimate.
                let back = jiff::SignedDuration::from_hours(24 * (1 + (i as i64 * 7_919) % 27));
                item.done_at = Some(now.checked_sub(back).unwrap_or(now));
                item.actual_hours = item
                    .estimate_hours
                    .map(|e| e * (0.7 + (i % 10) as f64 / 10.0));
            }
            item
        })
        .collect();
    (items, teams)
}

fn blank_item(title: String) -> Item {
    Item {
        id: 0,
        num: 0,
        title,
        outcome: None,
        owner: None,
        due: When::NONE,
        estimate_hours: None,
        status: ItemStatus::Todo,
        status_reason: None,
        actual_hours: None,
        done_at: None,
        kind: ItemKind::Strategic,
        goal: None,
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
        version: 1,
    }
}

/// An item of goal `g`. `inject_flaw` makes it the item that turns its goal into an
/// aspiration (it is then open, so that it counts).
fn strategic_item(
    g: usize,
    plan: &GoalPlan,
    inject_flaw: bool,
    org: &Org,
    milestones: &[Milestone],
    cal: &Calendar,
    rng: &mut Rng,
) -> Item {
    let (verb, outcomes) = rng.pick(&ITEM_VERBS);
    let mut item = blank_item(format!("{verb} {}", rng.pick(&ITEM_OBJECTS)));
    item.goal = Some(g as Id + 1);
    item.owner = Some(*rng.pick(&org.rosters[plan.team]));
    item.outcome = Some(if rng.percent(95) {
        rng.pick(outcomes).to_string()
    } else {
        rng.pick(&VAGUE_ITEM_OUTCOMES).to_string()
    });
    // Due between three weeks ago and the goal's target; a quarter on a milestone before it.
    let last = plan.target.unwrap_or(60);
    let due_days = if rng.percent(25) && last >= MILESTONE_EVERY_DAYS {
        let k = rng.between(1, (last / MILESTONE_EVERY_DAYS).min(MILESTONES as i64));
        item.due = When::at_milestone(&milestones[k as usize - 1]);
        k * MILESTONE_EVERY_DAYS
    } else {
        let days = rng.between(-21, last);
        item.due = When::on(cal.at(days));
        days
    };
    item.status = strategic_status(rng, due_days, plan.closed);
    if inject_flaw {
        item.status = ItemStatus::Todo;
        match plan.flaw {
            Flaw::ItemAfterTarget => item.due = When::on(cal.at(last + rng.between(3, 30))),
            _ => lack_a_w(&mut item, rng),
        }
    } else if plan.flaw == Flaw::ItemMissingW && item.status.is_open() && rng.percent(10) {
        lack_a_w(&mut item, rng);
    }
    item.status_reason = reason(item.status, rng);
    item.estimate_hours = estimate(rng, &STRATEGIC_ESTIMATES);
    item
}

fn reactive_item(org: &Org, cal: &Calendar, rng: &mut Rng) -> (Item, usize) {
    let owner = rng.below(org.people.len());
    let team = org.home_team[owner];
    let (title, outcome) = rng.pick(&REACTIVE);
    let mut item = blank_item(format!("{title} {}", org.teams[team].name));
    item.kind = ItemKind::Reactive;
    item.owner = (!rng.percent(3)).then_some(owner as Id + 1);
    item.outcome = rng.percent(60).then(|| outcome.to_string());
    if rng.percent(80) {
        item.due = When::on(cal.at(rng.between(-14, 14)));
    }
    item.status = [
        ItemStatus::Todo,
        ItemStatus::Doing,
        ItemStatus::Blocked,
        ItemStatus::Done,
        ItemStatus::Dropped,
    ][rng.weighted(&[30, 15, 5, 45, 5])];
    item.status_reason = reason(item.status, rng);
    item.estimate_hours = estimate(rng, &REACTIVE_ESTIMATES);
    (item, team)
}

/// Remove one W: most often the outcome, sometimes the owner or the date.
fn lack_a_w(item: &mut Item, rng: &mut Rng) {
    match rng.weighted(&[60, 20, 20]) {
        0 => item.outcome = None,
        1 => item.owner = None,
        _ => item.due = When::NONE,
    }
}

/// Past-due work is mostly done; work of a closed goal follows its closure.
fn strategic_status(rng: &mut Rng, due_days: i64, goal: Option<Closure>) -> ItemStatus {
    use ItemStatus::*;
    let weights = match goal {
        Some(Closure::Done) => [0, 0, 0, 90, 10],
        Some(Closure::Dropped) => [20, 0, 0, 30, 50],
        None if due_days < 0 => [20, 15, 8, 55, 2],
        None => [70, 14, 4, 10, 2],
    };
    [Todo, Doing, Blocked, Done, Dropped][rng.weighted(&weights)]
}

fn reason(status: ItemStatus, rng: &mut Rng) -> Option<String> {
    match status {
        ItemStatus::Blocked => Some(rng.pick(&BLOCKED_REASONS).to_string()),
        ItemStatus::Dropped => Some(rng.pick(&DROPPED_REASONS).to_string()),
        _ => None,
    }
}

/// Estimates in hours and how often each is given; a few exceed the 24 h step limit.
const STRATEGIC_ESTIMATES: [(f64, u32); 10] = [
    (1.0, 13),
    (2.0, 18),
    (3.0, 12),
    (4.0, 16),
    (6.0, 10),
    (8.0, 14),
    (12.0, 6),
    (16.0, 7),
    (32.0, 2),
    (40.0, 1),
];
const REACTIVE_ESTIMATES: [(f64, u32); 4] = [(1.0, 50), (2.0, 25), (4.0, 15), (8.0, 10)];

fn estimate<const N: usize>(rng: &mut Rng, table: &[(f64, u32); N]) -> Option<f64> {
    if rng.percent(3) {
        return None;
    }
    Some(table[rng.weighted(&table.map(|(_, w)| w))].0)
}
