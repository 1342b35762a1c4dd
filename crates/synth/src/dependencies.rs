//! Dependencies: mostly items needing items of other teams, some goals needing goals, some
//! items needing goals. Acyclic by construction.

use std::collections::HashSet;

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use landed_core::{Dependency, Goal, Id, Item, Node};

use crate::rng::Rng;
use crate::work::Calendar;

/// How often each kind of edge is drawn.
const ITEM_ITEM: u32 = 80;
const ITEM_GOAL: u32 = 10;
const GOAL_GOAL: u32 = 10;

/// The index of the team each goal and each item belongs to (by index of the goal or item).
#[derive(Clone, Copy)]
pub(crate) struct TeamOf<'a> {
    pub(crate) goals: &'a [usize],
    pub(crate) items: &'a [usize],
}

/// Up to `n` distinct dependencies. Every edge goes down one total order, so no set of them can
/// close a cycle, not even through a goal's own items (a goal cannot land before them): items
/// rank by id, and a goal just above its newest item (goals without items below every item).
/// An item needs an older item or a goal ranked below it; a goal needs a goal ranked below it.
/// Fewer than `n` only when the world is too small to hold `n` distinct such edges.
pub(crate) fn dependencies(
    n: usize,
    goals: &[Goal],
    items: &[Item],
    team_of: TeamOf<'_>,
    cal: &Calendar,
    rng: &mut Rng,
    now: Timestamp,
) -> Vec<Dependency> {
    let weights = [
        if items.len() >= 2 { ITEM_ITEM } else { 0 },
        if !items.is_empty() && !goals.is_empty() {
            ITEM_GOAL
        } else {
            0
        },
        if goals.len() >= 2 { GOAL_GOAL } else { 0 },
    ];
    if weights.iter().all(|&w| w == 0) {
        return Vec::new();
    }
    let TeamOf {
        goals: goal_team,
        items: item_team,
    } = team_of;
    // A goal's rank: its newest item's id (it ranks just above that item), else 0.
    let mut rank = vec![0; goals.len()];
    for i in items {
        if let Some(g) = i.goal {
            rank[g as usize - 1] = rank[g as usize - 1].max(i.id);
        }
    }
    let goal_rank = |g: i64| rank[g as usize - 1];
    let mut seen = HashSet::with_capacity(n);
    let mut deps = Vec::with_capacity(n);
    // Bounded, so that a tiny world cannot loop forever looking for one more distinct edge.
    let mut attempts = 20 * n + 100;
    while deps.len() < n && attempts > 0 {
        attempts -= 1;
        let cross_team = rng.percent(75);
        // Most suppliers are due before the work that needs them; the rest make the late ones.
        let in_time = rng.percent(70);
        let item_due = |id: i64| items[id as usize - 1].due.date;
        let goal_due = |id: i64| goals[id as usize - 1].target.date;
        let fits = |needing: Option<Date>, supplying: Option<Date>| {
            !in_time || matches!((needing, supplying), (Some(n), Some(s)) if s <= n)
        };
        let (from, to) = match rng.weighted(&weights) {
            0 => {
                let from = rng.between(2, items.len() as i64);
                let team = item_team[from as usize - 1];
                let to = draw(rng, 1, from - 1, |to| {
                    (!cross_team || item_team[to as usize - 1] != team)
                        && fits(item_due(from), item_due(to))
                });
                (Node::Item(from), Node::Item(to))
            }
            1 => {
                let from = rng.between(1, items.len() as i64);
                let team = item_team[from as usize - 1];
                let to = draw(rng, 1, goals.len() as i64, |to| {
                    goal_rank(to) < from
                        && (!cross_team || goal_team[to as usize - 1] != team)
                        && fits(item_due(from), goal_due(to))
                });
                if goal_rank(to) >= from {
                    continue;
                }
                (Node::Item(from), Node::Goal(to))
            }
            _ => {
                let from = rng.between(1, goals.len() as i64);
                let team = goal_team[from as usize - 1];
                let below = |to: i64| (goal_rank(to), to) < (goal_rank(from), from);
                let to = draw(rng, 1, goals.len() as i64, |to| {
                    below(to)
                        && (!cross_team || goal_team[to as usize - 1] != team)
                        && fits(goal_due(from), goal_due(to))
                });
                if !below(to) {
                    continue;
                }
                (Node::Goal(from), Node::Goal(to))
            }
        };
        if !seen.insert((from, to)) {
            continue;
        }
        let needed_by = rng.percent(30).then(|| {
            let needing = match from {
                Node::Item(id) => items[id as usize - 1].due.date,
                Node::Goal(id) => goals[id as usize - 1].target.date,
            };
            // A few days before the needing side's own date, so there is time to integrate.
            match needing {
                Some(date) => date.saturating_sub(Span::new().days(rng.between(0, 7))),
                None => cal.at(rng.between(7, 60)),
            }
        });
        deps.push(Dependency {
            id: deps.len() as Id + 1,
            from,
            to,
            needed_by,
            created_at: now,
            version: 1,
        });
    }
    deps
}

const TRIES: usize = 8;

/// An id in `lo..=hi` for which `good` holds, if one turns up in a few draws; else the last.
fn draw(rng: &mut Rng, lo: i64, hi: i64, good: impl Fn(i64) -> bool) -> i64 {
    let mut id = rng.between(lo, hi);
    for _ in 1..TRIES {
        if good(id) {
            break;
        }
        id = rng.between(lo, hi);
    }
    id
}
