//! Accountability figures (DESIGN §4), derived from the event log alone: per person, team, goal
//! or the whole workspace, over a window that ends now.
//!
//! * **on-time rate**: of the items done in the window that ever had a committed date, the share
//!   done on or before their *first* committed date (the date as first promised, whatever slips
//!   followed), counting the day in the owner's time zone;
//! * **mean slip**: over the same items, the mean days done after that first date (0 when on
//!   time); also the number of recorded slips (committed dates moved later) in the window;
//! * **commitments kept**: committed requests that came due in the window (their needed-by date
//!   passed, or their item was done), and of those, the ones whose item was done by the date;
//! * **check-in rate**: weeks owed in the window with a check-in, over weeks owed
//!   ([`crate::checkin::owed_weeks`]);
//! * **momentum**: when work last progressed (an item started or done), and per open goal the
//!   days since something was last in `doing`: seven or more is **stalled**.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::capacity::Week;
use crate::checkin::owed_weeks;
use crate::event::{Entity, Event, EventKind, State};
use crate::hash::HashMap;
use crate::model::{Id, ItemStatus, RequestState};
use crate::when::days_between;

/// A goal with nothing in `doing` for this many days is stalled (DESIGN §4).
pub const STALLED_DAYS: i64 = 7;

/// Whose figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Person(Id),
    Team(Id),
    Goal(Id),
    Workspace,
}

/// One open goal's momentum.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct GoalMomentum {
    pub goal: Id,
    /// The last instant one of its items was in `doing` (now, if one is), or the goal's
    /// creation when none ever was.
    pub last_doing: Timestamp,
    pub days_idle: i64,
    pub stalled: bool,
}

/// The figures of one scope over one window.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Figures {
    pub items_done: u32,
    /// Done items that had a committed date.
    pub dated_done: u32,
    pub on_time: u32,
    pub on_time_rate: Option<f64>,
    pub mean_slip_days: Option<f64>,
    /// Committed dates moved later during the window.
    pub slips: u32,
    pub commitments_due: u32,
    pub commitments_kept: u32,
    pub checkins_owed: u32,
    pub checkins_given: u32,
    pub checkin_rate: Option<f64>,
    /// Weeks owed without a check-in, oldest first.
    pub missed_weeks: Vec<Week>,
    pub last_progress: Option<Timestamp>,
    pub days_since_progress: Option<i64>,
    /// Open goals of the scope, most idle first (not serialised: surfaces show them by
    /// reference).
    #[serde(skip)]
    pub goals: Vec<GoalMomentum>,
}

/// What the figures need from the log, folded once; [`History::figures`] then answers for
/// any scope.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The state at the end of the log.
    pub state: State,
    /// The first committed date each item ever had.
    first_date: HashMap<Id, Date>,
    /// When each item was last done (cleared when reopened).
    done_at: HashMap<Id, Timestamp>,
    /// Each person's first appearance.
    joined: HashMap<Id, Timestamp>,
    /// Per goal, the last instant an item of it left `doing`.
    left_doing: HashMap<Id, Timestamp>,
    /// `(item, at)` of every slip.
    slips: Vec<(Id, Timestamp)>,
    /// `(item, at)` of every start or done: progress.
    progress: Vec<(Id, Timestamp)>,
}

impl History {
    /// Fold a log, oldest first.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> History {
        let mut h = History::default();
        for e in events {
            h.state.apply(e);
            match (&e.before, &e.after) {
                (_, Some(Entity::Person(p))) => {
                    h.joined.entry(p.id).or_insert(e.at);
                }
                (before, Some(Entity::Item(after))) => {
                    if let Some(d) = after.due.date {
                        h.first_date.entry(after.id).or_insert(d);
                    }
                    match e.kind {
                        EventKind::Done => _ = h.done_at.insert(after.id, e.at),
                        EventKind::Reopened => _ = h.done_at.remove(&after.id),
                        EventKind::Slipped => h.slips.push((after.id, e.at)),
                        _ => {}
                    }
                    if matches!(e.kind, EventKind::Started | EventKind::Done) {
                        h.progress.push((after.id, e.at));
                    }
                    if let Some(Entity::Item(b)) = before
                        && b.status == ItemStatus::Doing
                        && after.status != ItemStatus::Doing
                        && let Some(goal) = b.goal
                    {
                        h.left_doing.insert(goal, e.at);
                    }
                }
                _ => {}
            }
        }
        h
    }

    /// The people, items and goals a scope covers, in the final state.
    fn members(&self, scope: Scope) -> (BTreeSet<Id>, BTreeSet<Id>, BTreeSet<Id>) {
        let s = &self.state;
        let people: BTreeSet<Id> = match scope {
            Scope::Person(p) => BTreeSet::from([p]),
            Scope::Team(t) => s
                .teams
                .get(&t)
                .map(|t| {
                    std::iter::once(t.lead)
                        .chain(t.members.iter().copied())
                        .collect()
                })
                .unwrap_or_default(),
            Scope::Goal(_) => BTreeSet::new(),
            Scope::Workspace => s.people.keys().copied().collect(),
        };
        let goals: BTreeSet<Id> = s
            .goals
            .values()
            .filter(|g| match scope {
                Scope::Person(p) => g.owner == Some(p),
                Scope::Team(t) => g.team == Some(t),
                Scope::Goal(id) => g.id == id,
                Scope::Workspace => true,
            })
            .map(|g| g.id)
            .collect();
        let items: BTreeSet<Id> = s
            .items
            .values()
            .filter(|i| match scope {
                Scope::Person(_) | Scope::Team(_) => i.owner.is_some_and(|o| people.contains(&o)),
                Scope::Goal(g) => i.goal == Some(g),
                Scope::Workspace => true,
            })
            .map(|i| i.id)
            .collect();
        (people, items, goals)
    }

    /// The zone of a person (the workspace's when unknown or unreadable).
    fn zone(&self, person: Option<Id>) -> TimeZone {
        let name = person
            .and_then(|p| self.state.people.get(&p))
            .map(|p| p.tz.as_str())
            .or_else(|| self.state.workspaces.values().next().map(|w| w.tz.as_str()))
            .unwrap_or("UTC");
        TimeZone::get(name).unwrap_or(TimeZone::UTC)
    }

    /// The figures of `scope` over `[from, now]`.
    pub fn figures(&self, scope: Scope, from: Timestamp, now: Timestamp) -> Figures {
        let (people, items, goals) = self.members(scope);
        let s = &self.state;
        let within = |at: Timestamp| from <= at && at <= now;
        let mut zones: HashMap<Option<Id>, TimeZone> = HashMap::default();
        let mut day_of = |owner: Option<Id>, at: Timestamp| {
            zones
                .entry(owner)
                .or_insert_with(|| self.zone(owner))
                .to_datetime(at)
                .date()
        };

        let (mut items_done, mut dated_done, mut on_time, mut slip_days) = (0u32, 0u32, 0u32, 0i64);
        for id in &items {
            let Some(&done) = self.done_at.get(id).filter(|at| within(**at)) else {
                continue;
            };
            let Some(item) = s.items.get(id).filter(|i| i.status == ItemStatus::Done) else {
                continue;
            };
            items_done += 1;
            if let Some(&first) = self.first_date.get(id) {
                dated_done += 1;
                let late = days_between(first, day_of(item.owner, done));
                if late <= 0 {
                    on_time += 1;
                } else {
                    slip_days += late;
                }
            }
        }
        let slips = self
            .slips
            .iter()
            .filter(|(id, at)| items.contains(id) && within(*at))
            .count() as u32;

        let (mut commitments_due, mut commitments_kept) = (0u32, 0u32);
        for r in s.requests.values() {
            let Some(item) = r.item.and_then(|i| s.items.get(&i)) else {
                continue;
            };
            let covered = match scope {
                Scope::Team(t) => r.to_team == t,
                _ => items.contains(&item.id),
            };
            if r.state != RequestState::Committed || !covered {
                continue;
            }
            let done = self
                .done_at
                .get(&item.id)
                .filter(|_| item.status == ItemStatus::Done)
                .map(|at| day_of(item.owner, *at));
            let today = day_of(item.owner, now);
            let came_due = (day_of(item.owner, from) <= r.needed_by && r.needed_by < today)
                || self
                    .done_at
                    .get(&item.id)
                    .is_some_and(|at| within(*at) && item.status == ItemStatus::Done);
            if came_due {
                commitments_due += 1;
                if done.is_some_and(|d| d <= r.needed_by) {
                    commitments_kept += 1;
                }
            }
        }

        let given: BTreeSet<(Id, Week)> = s.checkins.values().map(|c| (c.person, c.week)).collect();
        let (mut checkins_owed, mut checkins_given) = (0u32, 0u32);
        let mut missed_weeks = BTreeSet::new();
        for p in &people {
            let Some(&joined) = self.joined.get(p) else {
                continue;
            };
            let tz = self.zone(Some(*p));
            for week in owed_weeks(joined, &tz, from, now) {
                checkins_owed += 1;
                if given.contains(&(*p, week)) {
                    checkins_given += 1;
                } else {
                    missed_weeks.insert(week);
                }
            }
        }

        let last_progress = self
            .progress
            .iter()
            .filter(|(id, _)| items.contains(id))
            .map(|(_, at)| *at)
            .max();
        let mut doing: BTreeSet<Id> = BTreeSet::new();
        for i in s.items.values() {
            if i.status == ItemStatus::Doing
                && let Some(g) = i.goal
            {
                doing.insert(g);
            }
        }
        let mut goal_momentum: Vec<GoalMomentum> = goals
            .iter()
            .filter_map(|g| s.goals.get(g))
            .filter(|g| g.closed.is_none())
            .map(|g| {
                let last_doing = if doing.contains(&g.id) {
                    now
                } else {
                    self.left_doing
                        .get(&g.id)
                        .copied()
                        .unwrap_or(g.created_at)
                        .max(g.created_at)
                };
                let days_idle = (now.as_second() - last_doing.as_second()).max(0) / 86_400;
                GoalMomentum {
                    goal: g.id,
                    last_doing,
                    days_idle,
                    stalled: days_idle >= STALLED_DAYS,
                }
            })
            .collect();
        goal_momentum.sort_by_key(|m| (std::cmp::Reverse(m.days_idle), m.goal));

        let rate = |n: u32, d: u32| (d > 0).then(|| round2(f64::from(n) / f64::from(d)));
        Figures {
            items_done,
            dated_done,
            on_time,
            on_time_rate: rate(on_time, dated_done),
            mean_slip_days: (dated_done > 0)
                .then(|| round2(slip_days as f64 / f64::from(dated_done))),
            slips,
            commitments_due,
            commitments_kept,
            checkins_owed,
            checkins_given,
            checkin_rate: rate(checkins_given, checkins_owed),
            missed_weeks: missed_weeks.into_iter().collect(),
            last_progress,
            days_since_progress: last_progress
                .map(|at| (now.as_second() - at.as_second()).max(0) / 86_400),
            goals: goal_momentum,
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
