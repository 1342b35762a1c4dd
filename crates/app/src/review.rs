//! The team review (DESIGN §4): the lead's weekly agenda for one team and one ISO week —
//! blocked items, needs-help, slips with their reasons, missed check-ins, dependencies and
//! requests in trouble, overcommitted people, goals whose health dropped, and aspirations.
//!
//! It reads only what concerns the team: its goals, the items of its goals and people, what
//! their dependencies and requests point at, and the events since the week began. The rules
//! are the core's (plan verdicts, health, dependency classes, load, owed check-ins and
//! `landed_core::review`); this gathers the data and names things.

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use landed_core::capacity::{self as load, Week};
use landed_core::checkin::{missed_weeks, owed_weeks, week_dates};
use landed_core::deps::{self, DepClass, Supply};
use landed_core::event::{Entity, EntityKind, Event};
use landed_core::hash::{HashMap, HashSet};
use landed_core::health::{self, HealthFacts, HealthReason};
use landed_core::model::{
    CheckIn, Confidence, Dependency, Goal, Id, Item, ItemStatus, Node, Person, Request,
};
use landed_core::plan::{self, GoalStatus, PlanPolicy};
use landed_core::review::{self as rules, Moment, Standing};
use landed_core::rules::Rule;
use landed_core::slip::DateChange;
use landed_core::week::{week_of, week_span};
use landed_core::{goal_ref, item_ref, when};
use landed_store::{GoalFilter, ItemFilter, KeptGoal, Store};
use serde::Serialize;

use crate::capacity::WeekView;
use crate::links::Around;
use crate::requests::RequestView;
use crate::views::{CheckView, DepView, Names};
use crate::{AppError, Ctx, Result, resolve};

/// Weeks of load the review looks ahead on, this one included.
pub const LOAD_WEEKS: u32 = 4;

/// Days an item may be blocked before its goal is at risk (as `landed goal show` judges).
const BLOCKED_DAYS: i64 = 3;

/// A team's weekly review.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Review {
    pub team: String,
    /// The lead's handle.
    pub lead: Option<String>,
    /// The lead's time zone: the week and "today" are the lead's.
    pub tz: String,
    pub week: Week,
    pub monday: Date,
    pub sunday: Date,
    /// The week is still under way: what it says of the week is so far.
    pub so_far: bool,
    pub today: Date,
    pub counts: Counts,
    pub blocked: Vec<BlockedLine>,
    pub needs_help: Vec<HelpLine>,
    pub slips: Vec<SlipLine>,
    /// Every person of the team, with the check-ins owed and missed.
    pub check_ins: Vec<CheckInLine>,
    /// Dependencies touching the team that are phantom, late or at risk, worst first.
    pub dependencies: Vec<DepView>,
    /// Requests to or from the team still waiting for an answer.
    pub requests: Vec<RequestView>,
    pub overcommitted: Vec<OverLine>,
    pub health_dropped: Vec<DropLine>,
    pub aspirations: Vec<AspirationLine>,
}

/// How many lines each section has (people for check-ins: those who missed one).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Counts {
    pub blocked: usize,
    pub needs_help: usize,
    pub slips: usize,
    pub missed_check_ins: usize,
    /// People who missed at least one check-in.
    pub missed_by: usize,
    pub dependencies: usize,
    pub requests: usize,
    /// Of the requests, those waiting longer than the workspace allows.
    pub overdue_requests: usize,
    pub overcommitted: usize,
    pub health_dropped: usize,
    pub aspirations: usize,
}

/// A blocked item of the team.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct BlockedLine {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub goal: Option<String>,
    pub reason: Option<String>,
    /// The day it became blocked (the lead's date), from its history.
    pub since: Date,
    pub days: i64,
}

/// What one person's check-in of the week asks help for.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct HelpLine {
    pub person: String,
    pub needs_help: Option<String>,
    /// What they said is blocked, overall.
    pub blocked: Option<String>,
    /// Items they reported blocked, with their notes.
    pub items: Vec<NoteLine>,
    /// Goals they own and said are at risk or off track.
    pub goals: Vec<ConfidenceLine>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NoteLine {
    pub id: String,
    pub title: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ConfidenceLine {
    pub id: String,
    pub title: String,
    pub confidence: Confidence,
}

/// A committed date that moved during the week.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SlipLine {
    pub id: String,
    pub title: String,
    /// `slip`, `pull_in` or `uncommitted`, with the dates and days.
    #[serde(flatten)]
    pub change: DateChange,
    pub reason: Option<String>,
    pub by: Option<String>,
    pub at: Timestamp,
}

/// One person's check-ins over the weeks the review looks back on.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CheckInLine {
    pub person: String,
    pub tz: String,
    /// Weeks that ended (in their time zone) since they joined, in the window.
    pub owed: Vec<Week>,
    pub missed: Vec<Week>,
    /// Whether they have checked in for the review week (so far, if it is under way).
    pub checked_in: bool,
}

/// A person with an overcommitted week ahead.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct OverLine {
    pub person: String,
    pub available_hours: f64,
    /// The overcommitted weeks only, with the items that load them.
    pub weeks: Vec<WeekView>,
}

/// A goal whose standing dropped during the week.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct DropLine {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub from: Standing,
    pub to: Standing,
    /// Health reasons new this week, as codes and in words.
    pub new_reasons: Vec<HealthReason>,
    pub why: Vec<std::borrow::Cow<'static, str>>,
    /// Plan rules it fails now and did not then.
    pub new_failing: Vec<Rule>,
}

/// A team goal that is still an aspiration.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AspirationLine {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub target: Option<Date>,
    /// The failing rules, each with its fix and the items that cause it.
    pub failing: Vec<CheckView>,
}

/// The team's review of `week` (an ISO week such as `2026-W48`; default: the current week in
/// the lead's time zone). A week that has not begun is refused.
pub async fn review<S: Store>(ctx: &Ctx<'_, S>, team: &str, week: Option<&str>) -> Result<Review> {
    let team = resolve::team(ctx.store, team).await?;
    let mut ids = vec![team.lead];
    ids.extend(team.members.iter().copied());
    let people = ctx.store.people_by_ids(&ids).await?;
    let people_ids: HashSet<Id> = people.iter().map(|p| p.id).collect();
    let lead = people.iter().find(|p| p.id == team.lead);
    let tz_name = lead.map_or(ctx.workspace.tz.clone(), |p| p.tz.clone());
    let tz = when::zone_or_utc(&tz_name);
    let current = week_of(ctx.now, &tz);
    let week = crate::week_or(week, current)?;
    // A valid week that has not begun is refused by the rules (as a report of it is).
    rules::check_week(week, current, &tz_name).map_err(|e| AppError::NotAllowed(e.to_string()))?;
    let (start, end) = week_span(week, &tz);
    let (monday, sunday) = week_dates(week);
    let today = when::today_in(ctx.now, &tz);

    let scope = Scope {
        team: team.id,
        people: &people_ids,
    };
    let Loaded {
        world: now,
        team_items,
        events,
        nodes: team_nodes,
        ends,
    } = load(ctx, &scope, start).await?;

    // Forecasts of the goals, of the delivering items, and of the open items of delivering
    // goals judged from their items (a goal cannot land before them: see `deps::goal_risk`;
    // what was kept of the others holds their items' forecasts). They are not rebuilt for
    // the week's start: both sides use today's (see `Snapshot::moment`), so only what really
    // changed moves a goal's health.
    let mut wanted: Vec<Node> = now.goals.keys().map(|id| Node::Goal(*id)).collect();
    wanted.extend(ends.to_items.iter().map(|id| Node::Item(*id)));
    wanted.extend(
        now.items
            .values()
            .filter(|i| i.status.is_open() && i.goal.is_some_and(|g| ends.judged_by_items(g)))
            .filter(|i| !ends.to_items.contains(&i.id))
            .map(|i| Node::Item(i.id)),
    );
    let forecast = crate::forecast::of(ctx, &wanted).await?;

    let item_forecast: HashMap<Id, Date> = forecast
        .iter()
        .filter_map(|(n, (finish, _))| match n {
            Node::Item(id) => Some((*id, (*finish)?)),
            Node::Goal(_) => None,
        })
        .collect();

    // The team now, at the week's start, and at its end (now, while it lasts).
    let (cut, end_today) = if end <= ctx.now {
        let last = end - SignedDuration::from_nanos(1);
        (end, when::today_in(last, &tz))
    } else {
        (ctx.now + SignedDuration::from_nanos(1), today)
    };
    let (nothing, since_start) = (Undone::default(), Undone::since(&events, start));
    let since_end = events
        .iter()
        .any(|e| e.at >= cut)
        .then(|| Undone::since(&events, cut));
    // Histories of the items blocked now or at the week's start, for how long they have been:
    // read while the snapshots are built (the SQLite store reads a long list of histories on
    // another thread; PostgreSQL answers while they are built).
    let blocked_ids: Vec<Id> = [&nothing, &since_start]
        .into_iter()
        .flat_map(|u| {
            let at = now.at(u);
            blocked_in(at.items, at.goals, &scope)
        })
        .collect::<BTreeSet<Id>>()
        .into_iter()
        .collect();
    let (read, (snap_now, snap_then, snap_end, around_now)) =
        tokio::try_join!(ctx.store.histories(EntityKind::Item, &blocked_ids), async {
            let snap_now = Snapshot::new(&now, &nothing, &scope, today, ctx.now);
            let snap_then = Snapshot::new(&now, &since_start, &scope, monday, start);
            let snap_end = since_end
                .as_ref()
                .map(|u| Snapshot::new(&now, u, &scope, end_today, cut));
            let around_now = around(&snap_now, &ends, item_forecast);
            Ok((snap_now, snap_then, snap_end, around_now))
        },)?;
    let mut histories: HashMap<Id, Vec<Event>> = HashMap::default();
    for e in read {
        if let Some(id) = e.subject().map(Entity::id) {
            histories.entry(id).or_default().push(e);
        }
    }

    let checkins = ctx
        .store
        .checkins(Some(&ids), Some((rules::checkin_window(week), week)))
        .await?;
    // Items named in this week's check-ins that were not loaded yet.
    let this_week: Vec<&CheckIn> = checkins.iter().filter(|c| c.week == week).collect();
    let named_items: Vec<Id> = this_week
        .iter()
        .flat_map(|c| c.items.iter().map(|l| l.item))
        .filter(|id| !now.items.contains_key(id))
        .collect();
    // Goals named in them, and the goals of the team's blocked items, not loaded yet.
    let named_goals: Vec<Id> = this_week
        .iter()
        .flat_map(|c| c.goals.iter().map(|g| g.goal))
        .chain(snap_now.blocked().filter_map(|id| now.items.get(&id)?.goal))
        .filter(|id| !now.goals.contains_key(id))
        .collect::<BTreeSet<Id>>()
        .into_iter()
        .collect();
    let extra = Extra::load(ctx.store, named_items, named_goals).await?;

    let mut named: Vec<Id> = ids.clone();
    named.extend(events.iter().filter_map(|e| e.author));
    named.extend(now.goals.values().filter_map(|g| g.owner));
    named.extend(team_items.iter().filter_map(|id| now.items.get(id)?.owner));
    named.extend(around_now.owners());
    let names = Names::load(ctx.store, named).await?;
    let shared = Shared {
        policy: ctx.policy(),
        names: &names,
        forecast: &forecast,
        histories: &histories,
        tz: &tz,
    };

    let blocked = blocked_items(&now, &extra, &team_items, &shared, today, ctx.now);
    let needs_help = needs_help(&this_week, &now, &extra, &names);
    let team_set: HashSet<Id> = team_items.iter().copied().collect();
    let slips = slips(&events, start, end, &snap_now, &team_set, &names);
    let check_ins = check_ins(ctx, &people, &checkins, week).await?;
    let judged_now = Judged::new(&around_now, &ends.to_goals, &shared.policy);
    let dependencies = dependencies(ctx, &snap_now, &judged_now, &shared, &team_nodes).await?;
    let requests: Vec<RequestView> = crate::requests::list(ctx, Some(&team.name), true).await?;
    let overcommitted = overcommitted(ctx, &people, &now, &team_items);
    // Goals at the week's end (now, while it lasts), then at its start: what they need is
    // judged on the far ends as they were then (for the start, rewound from now).
    let end_snap = snap_end.as_ref().unwrap_or(&snap_now);
    let ended = match &since_end {
        Some(_) => {
            let around_end = around(end_snap, &ends, around_now.forecast.clone());
            standings(
                end_snap,
                &Judged::new(&around_end, &ends.to_goals, &shared.policy),
                &shared,
            )
        }
        None => standings(end_snap, &judged_now, &shared),
    };
    let aspirations = aspirations(&snap_now, &shared);
    let around_then = rewind(around_now, &since_start, &ends);
    let judged_then = Judged::new(&around_then, &ends.to_goals, &shared.policy);
    let health_dropped = health_dropped(&snap_then, &judged_then, end_snap, &ended, &shared);

    let counts = Counts {
        blocked: blocked.len(),
        needs_help: needs_help.len(),
        slips: slips.len(),
        missed_check_ins: check_ins.iter().map(|c| c.missed.len()).sum(),
        missed_by: check_ins.iter().filter(|c| !c.missed.is_empty()).count(),
        dependencies: dependencies.len(),
        requests: requests.len(),
        overdue_requests: requests.iter().filter(|r| r.overdue).count(),
        overcommitted: overcommitted.len(),
        health_dropped: health_dropped.len(),
        aspirations: aspirations.len(),
    };
    let review = Review {
        team: team.name.clone(),
        lead: names.person(Some(team.lead)),
        tz: tz_name,
        week,
        monday,
        sunday,
        so_far: ctx.now < end,
        today,
        counts,
        blocked,
        needs_help,
        slips,
        check_ins,
        dependencies,
        requests,
        overcommitted,
        health_dropped,
        aspirations,
    };
    // What was read is freed on the blocking pool, beside what the caller does next (a
    // command lays the review out): freeing thousands of entities, events and copies took
    // 0.7 ms of a team review. Outside a tokio runtime, in place.
    let read = (now, events, histories, forecast, extra, checkins);
    landed_store::drop_apart(read);
    Ok(review)
}

/// What a review reads from the store, besides people, check-ins and forecasts.
struct Loaded {
    /// The team's goals and items, their dependencies, every request, and the far ends.
    world: World,
    /// The team's items now, as `ItemFilter::team` reads them.
    team_items: Vec<Id>,
    /// Every event since the week began, oldest first.
    events: Vec<Event>,
    /// The team's goals and items now, as dependency ends.
    nodes: HashSet<Node>,
    ends: Ends,
}

/// Read the team as it is now, and every event since `start`: the team at the week's start
/// (and end, for a past week) is this state with them undone. What the team's goals and items
/// touch, now or then, is read too: dependencies, the requests made for them or delivered by
/// them, and the far ends of both.
async fn load<S: Store>(ctx: &Ctx<'_, S>, scope: &Scope<'_>, start: Timestamp) -> Result<Loaded> {
    // Independent reads, together: the store's pool serves several at once.
    let goal_filter = GoalFilter {
        team: Some(scope.team),
        ..GoalFilter::default()
    };
    let item_filter = ItemFilter {
        team: Some(scope.team),
        ..ItemFilter::default()
    };
    // The week's events first: the SQLite store reads a log on a thread of its own, so the
    // team's goals and items are read beside it rather than after it. Items before goals: the
    // SQLite store starts some of their parts on a thread of its own before it reads the
    // others, then the goals, in place.
    let (events, items, goals, requests) = tokio::try_join!(
        ctx.store.events_between(start, Timestamp::MAX),
        ctx.store.items(&item_filter),
        ctx.store.goals(&goal_filter),
        ctx.store.requests(),
    )?;
    let mut now = World::default();
    now.goals.extend(goals.into_iter().map(|g| (g.id, g)));
    let team_items: Vec<Id> = items.iter().map(|i| i.id).collect();
    now.items.extend(items.into_iter().map(|i| (i.id, i)));
    now.requests.extend(requests.into_iter().map(|r| (r.id, r)));

    // Nodes of the team now, and those it had when the week began.
    let mut nodes: HashSet<Node> = now.goals.keys().map(|id| Node::Goal(*id)).collect();
    nodes.extend(team_items.iter().map(|id| Node::Item(*id)));
    let current = nodes.clone();
    for e in &events {
        if let Some(Entity::Goal(g)) = &e.before
            && g.team == Some(scope.team)
        {
            nodes.insert(Node::Goal(g.id));
        }
    }
    for e in &events {
        if let Some(Entity::Item(i)) = &e.before
            && scope.holds(i, |g| nodes.contains(&Node::Goal(g)))
        {
            nodes.insert(Node::Item(i.id));
        }
    }
    // The dependencies of the team's nodes now and at the week's start, by list (bound as one
    // array: the store's rule for a team would find the team's items again).
    let all: Vec<Node> = nodes.iter().copied().collect();
    for d in ctx.store.dependencies(Some(&all)).await? {
        now.deps.insert(d.id, d);
    }
    let touching = |d: &Dependency| nodes.contains(&d.from) || nodes.contains(&d.to);
    let concerns = |r: &Request| {
        r.for_node.is_some_and(|n| nodes.contains(&n))
            || r.item.is_some_and(|i| nodes.contains(&Node::Item(i)))
    };
    let mut ends = Ends::default();
    let week_deps = events.iter().filter_map(|e| match &e.before {
        Some(Entity::Dependency(d)) => Some(d),
        _ => None,
    });
    for d in now.deps.values().chain(week_deps).filter(|d| touching(d)) {
        ends.add(d.from, false);
        ends.add(d.to, true);
    }
    let week_requests = events.iter().filter_map(|e| match &e.before {
        Some(Entity::Request(r)) => Some(r),
        _ => None,
    });
    for r in now
        .requests
        .values()
        .chain(week_requests)
        .filter(|r| concerns(r))
    {
        if let Some(n) = r.for_node {
            ends.add(n, false);
        }
        if let Some(i) = r.item {
            ends.add(Node::Item(i), true);
        }
    }
    ends.keep(ctx, &events).await?;
    ends.load(ctx.store, &mut now).await?;
    Ok(Loaded {
        world: now,
        team_items,
        events,
        nodes: current,
        ends,
    })
}

/// Which goals and items are the team's: goals of the team; items of its goals or owned by
/// its lead or members (as `ItemFilter::team` reads them).
struct Scope<'a> {
    team: Id,
    people: &'a HashSet<Id>,
}

impl Scope<'_> {
    fn holds(&self, item: &Item, ours: impl Fn(Id) -> bool) -> bool {
        item.is_teams(ours, |o| self.people.contains(&o))
    }
}

/// The goals, items, dependencies and requests a review reads, as loaded (now).
#[derive(Debug, Default)]
struct World {
    goals: HashMap<Id, Goal>,
    items: HashMap<Id, Item>,
    deps: HashMap<Id, Dependency>,
    requests: HashMap<Id, Request>,
}

/// What undoing the events from an instant on changes: every entity they touched, as it was
/// before the first of them (`None`: not created yet), borrowed from that event. An event
/// holds the whole entity before it, so nothing has to be replayed.
#[derive(Debug, Default)]
struct Undone<'e> {
    goals: HashMap<Id, Option<&'e Goal>>,
    items: HashMap<Id, Option<&'e Item>>,
    deps: HashMap<Id, Option<&'e Dependency>>,
    requests: HashMap<Id, Option<&'e Request>>,
}

impl<'e> Undone<'e> {
    /// Undo `events` (oldest first) from `at` on: each entity is as the oldest of them found it.
    fn since(events: &'e [Event], at: Timestamp) -> Undone<'e> {
        /// The entity before the oldest event of it: the first one met.
        fn first<T>(undone: &mut HashMap<Id, Option<T>>, id: Id, then: Option<T>) {
            undone.entry(id).or_insert(then);
        }
        let mut u = Undone::default();
        for e in events.iter().filter(|e| e.at >= at) {
            match (&e.before, e.subject()) {
                (Some(Entity::Goal(g)), _) => first(&mut u.goals, g.id, Some(g)),
                (Some(Entity::Item(i)), _) => first(&mut u.items, i.id, Some(i)),
                (Some(Entity::Dependency(d)), _) => first(&mut u.deps, d.id, Some(d)),
                (Some(Entity::Request(r)), _) => first(&mut u.requests, r.id, Some(r)),
                (None, Some(Entity::Goal(g))) => first(&mut u.goals, g.id, None),
                (None, Some(Entity::Item(i))) => first(&mut u.items, i.id, None),
                (None, Some(Entity::Dependency(d))) => first(&mut u.deps, d.id, None),
                (None, Some(Entity::Request(r))) => first(&mut u.requests, r.id, None),
                _ => {}
            }
        }
        u
    }
}

impl World {
    /// The entities of each kind with `undone` undone.
    fn at<'a>(&'a self, undone: &'a Undone) -> Layers<'a> {
        Layers {
            goals: Layer {
                base: &self.goals,
                undone: &undone.goals,
            },
            items: Layer {
                base: &self.items,
                undone: &undone.items,
            },
            deps: Layer {
                base: &self.deps,
                undone: &undone.deps,
            },
            requests: Layer {
                base: &self.requests,
                undone: &undone.requests,
            },
        }
    }
}

/// The entities of every kind at a moment (see [`World::at`]).
struct Layers<'a> {
    goals: Layer<'a, Goal>,
    items: Layer<'a, Item>,
    deps: Layer<'a, Dependency>,
    requests: Layer<'a, Request>,
}

/// The team's items that are blocked, among `items` with the team's goals among `goals`.
fn blocked_in<'a>(
    items: Layer<'a, Item>,
    goals: Layer<'a, Goal>,
    scope: &'a Scope<'a>,
) -> impl Iterator<Item = Id> + 'a {
    let ours = move |g: Id| goals.get(&g).is_some_and(|g| g.team == Some(scope.team));
    items
        .iter()
        .filter(move |i| i.status == ItemStatus::Blocked && scope.holds(i, ours))
        .map(|i| i.id)
}

/// Entities of one kind at a moment: those loaded, except the ones undone.
struct Layer<'a, T> {
    base: &'a HashMap<Id, T>,
    undone: &'a HashMap<Id, Option<&'a T>>,
}

// Two references: copied whatever `T` is (a derive would ask `T: Copy`).
impl<T> Clone for Layer<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Layer<'_, T> {}

impl<'a, T> Layer<'a, T> {
    fn get(self, id: &Id) -> Option<&'a T> {
        match self.undone.get(id) {
            Some(then) => *then,
            None => self.base.get(id),
        }
    }

    fn iter(self) -> impl Iterator<Item = &'a T> {
        self.base
            .iter()
            .filter(move |(id, _)| !self.undone.contains_key(id))
            .map(|(_, v)| v)
            .chain(self.undone.values().flatten().copied())
    }
}

/// The far ends of the team's dependencies and requests: what must be loaded to classify
/// them. Only delivering ends (`to`) need their goals' items (for verdicts and risk), and of
/// those, only the goals that the week's events touched: the others are the same at every
/// moment of the review, and are judged from what was kept of them with the forecast (`kept`).
#[derive(Debug, Default)]
struct Ends {
    items: HashSet<Id>,
    goals: HashSet<Id>,
    to_items: HashSet<Id>,
    to_goals: HashSet<Id>,
    kept: HashMap<Id, KeptGoal>,
}

impl Ends {
    /// Whether `goal` delivers and is judged from its items (not from what was kept of it).
    fn judged_by_items(&self, goal: Id) -> bool {
        self.to_goals.contains(&goal) && !self.kept.contains_key(&goal)
    }

    fn add(&mut self, node: Node, delivers: bool) {
        match node {
            Node::Item(id) => {
                self.items.insert(id);
                if delivers {
                    self.to_items.insert(id);
                }
            }
            Node::Goal(id) => {
                self.goals.insert(id);
                if delivers {
                    self.to_goals.insert(id);
                }
            }
        }
    }

    /// Read what was kept with the forecast of the delivering goals that no event since the
    /// week began touched (nor any of their items, in or out). A goal that is not open has
    /// nothing kept, and its items are loaded (if it is not the team's: those are).
    async fn keep<S: Store>(&mut self, ctx: &Ctx<'_, S>, events: &[Event]) -> Result<()> {
        let mut untouched: HashSet<Id> = self.to_goals.clone();
        for e in events {
            for entity in [&e.before, &e.after].into_iter().flatten() {
                match entity {
                    Entity::Goal(g) => _ = untouched.remove(&g.id),
                    Entity::Item(i) => _ = i.goal.map(|g| untouched.remove(&g)),
                    _ => {}
                }
            }
        }
        let mut ids: Vec<Id> = untouched.into_iter().collect();
        ids.sort_unstable();
        self.kept = crate::forecast::with_goals(ctx, &[], &ids).await?.1;
        Ok(())
    }

    /// Load the ends that are not the team's own into `world`, with the items of delivering
    /// goals (the team's goals' items are loaded already) that are not judged from what was
    /// kept of them.
    async fn load<S: Store>(&self, store: &S, world: &mut World) -> Result<()> {
        let missing = |ids: &HashSet<Id>, have: &dyn Fn(&Id) -> bool| -> Vec<Id> {
            ids.iter().filter(|id| !have(id)).copied().collect()
        };
        let goals = missing(&self.goals, &|id| world.goals.contains_key(id));
        let items = missing(&self.items, &|id| world.items.contains_key(id));
        let of_goals = missing(&self.to_goals, &|id| {
            world.goals.contains_key(id) || self.kept.contains_key(id)
        });
        // Read together (the store serves several reads at once); an empty list reads nothing.
        let goals = GoalFilter {
            ids: Some(goals),
            ..GoalFilter::default()
        };
        let items = ItemFilter {
            ids: Some(items),
            ..ItemFilter::default()
        };
        let of_goals = ItemFilter {
            goals: Some(of_goals),
            ..ItemFilter::default()
        };
        let (goals, items, of_goals) = tokio::try_join!(
            store.goals(&goals),
            store.items(&items),
            store.items(&of_goals),
        )?;
        world.goals.extend(goals.into_iter().map(|g| (g.id, g)));
        world
            .items
            .extend(items.into_iter().chain(of_goals).map(|i| (i.id, i)));
        Ok(())
    }
}

/// Items and goals the rest of the review did not load: named in check-ins, or the goals of
/// the team's blocked items.
#[derive(Debug, Default)]
struct Extra {
    items: HashMap<Id, Item>,
    goals: HashMap<Id, Goal>,
}

impl Extra {
    async fn load<S: Store>(store: &S, items: Vec<Id>, goals: Vec<Id>) -> Result<Extra> {
        let mut extra = Extra::default();
        if !items.is_empty() {
            let filter = ItemFilter {
                ids: Some(items),
                ..ItemFilter::default()
            };
            extra.items = store
                .items(&filter)
                .await?
                .into_iter()
                .map(|i| (i.id, i))
                .collect();
        }
        if !goals.is_empty() {
            let filter = GoalFilter {
                ids: Some(goals),
                ..GoalFilter::default()
            };
            extra.goals = store
                .goals(&filter)
                .await?
                .into_iter()
                .map(|g| (g.id, g))
                .collect();
        }
        Ok(extra)
    }
}

/// What both moments are judged with.
struct Shared<'a> {
    policy: PlanPolicy,
    names: &'a Names,
    forecast: &'a HashMap<Node, (Option<Date>, bool)>,
    histories: &'a HashMap<Id, Vec<Event>>,
    tz: &'a TimeZone,
}

impl Shared<'_> {
    /// The day `item` became blocked, as of `at`: from its history, else (no history read)
    /// its last change, as `landed goal show` assumes.
    fn blocked_since(&self, item: &Item, at: Timestamp) -> Date {
        let since = self
            .histories
            .get(&item.id)
            .and_then(|h| rules::blocked_since(h, at))
            .unwrap_or(item.updated_at);
        when::today_in(since, self.tz)
    }
}

/// The team at one moment: what was loaded, with the events since that moment undone (an
/// event holds the whole entity before it), indexed for judging goals; and the day it was.
struct Snapshot<'a> {
    goals: Layer<'a, Goal>,
    items: Layer<'a, Item>,
    deps: Layer<'a, Dependency>,
    requests: Layer<'a, Request>,
    scope: &'a Scope<'a>,
    today: Date,
    at: Timestamp,
    /// The open goals of the team, by number, and the items of each.
    team_goals: Vec<Id>,
    by_goal: HashMap<Id, Vec<&'a Item>>,
    /// Dependencies by their needing end.
    needs: HashMap<Node, Vec<&'a Dependency>>,
    /// Requests by the item or goal they were made for.
    asks: HashMap<Node, Vec<&'a Request>>,
}

impl<'a> Snapshot<'a> {
    /// The team at `at`: `world` with `undone` undone.
    fn new(
        world: &'a World,
        undone: &'a Undone,
        scope: &'a Scope<'a>,
        today: Date,
        at: Timestamp,
    ) -> Snapshot<'a> {
        let Layers {
            goals,
            items,
            deps,
            requests,
        } = world.at(undone);
        let ours = |g: Id| goals.get(&g).is_some_and(|g| g.team == Some(scope.team));
        let mut by_goal: HashMap<Id, Vec<&Item>> = HashMap::default();
        for i in items.iter() {
            if let Some(g) = i.goal.filter(|g| ours(*g)) {
                by_goal.entry(g).or_default().push(i);
            }
        }
        for items in by_goal.values_mut() {
            items.sort_by_key(|i| i.num);
        }
        let mut team_goals: Vec<&Goal> = goals
            .iter()
            .filter(|g| g.team == Some(scope.team) && g.closed.is_none())
            .collect();
        team_goals.sort_by_key(|g| g.num);
        let team_goals = team_goals.iter().map(|g| g.id).collect();
        let mut needs: HashMap<Node, Vec<&Dependency>> = HashMap::default();
        for d in deps.iter() {
            needs.entry(d.from).or_default().push(d);
        }
        let mut asks: HashMap<Node, Vec<&Request>> = HashMap::default();
        for r in requests.iter() {
            if let Some(n) = r.for_node {
                asks.entry(n).or_default().push(r);
            }
        }
        Snapshot {
            goals,
            items,
            deps,
            requests,
            scope,
            today,
            at,
            team_goals,
            by_goal,
            needs,
            asks,
        }
    }

    /// Whether `goal` is one of the team's at this moment.
    fn ours(&self, goal: Id) -> bool {
        self.goals
            .get(&goal)
            .is_some_and(|g| g.team == Some(self.scope.team))
    }

    /// The team's open goals at this moment, by number.
    fn goals(&self) -> impl Iterator<Item = &'a Goal> + '_ {
        self.team_goals.iter().filter_map(|id| self.goals.get(id))
    }

    fn items_of(&self, goal: Id) -> &[&'a Item] {
        self.by_goal.get(&goal).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The team's items at this moment that are blocked.
    fn blocked(&self) -> impl Iterator<Item = Id> + '_ {
        blocked_in(self.items, self.goals, self.scope)
    }

    /// Where `goal` stands at this moment: its verdict and, for a plan, its health, judged as
    /// `landed goal show` judges it. Forecasts are today's for both moments: rebuilding one
    /// for the week's start would mean scheduling the whole workspace as it was, so a
    /// forecast moves no goal here (a changed target still does).
    fn moment(&self, goal: &Goal, judged: &Judged<'_>, shared: &Shared<'_>) -> Option<Moment> {
        let items = self.items_of(goal.id);
        let verdict = plan::evaluate_goal(goal, items.iter().copied(), &shared.policy);
        let standing = Standing::of(verdict.status, None)?;
        if verdict.status != GoalStatus::Plan {
            return Some(Moment {
                standing,
                reasons: Vec::new(),
                failing: verdict.failing,
            });
        }
        let nodes: Vec<Node> = std::iter::once(Node::Goal(goal.id))
            .chain(items.iter().map(|i| Node::Item(i.id)))
            .collect();
        let mut classes: Vec<DepClass> = nodes
            .iter()
            .flat_map(|n| self.needs.get(n).into_iter().flatten())
            .map(|d| judged.class(d, self.today))
            .collect();
        classes.extend(
            nodes
                .iter()
                .flat_map(|n| self.asks.get(n).into_iter().flatten())
                .map(|r| self.request_class(r, judged.around)),
        );
        let (forecast, incomplete) = shared
            .forecast
            .get(&Node::Goal(goal.id))
            .copied()
            .unwrap_or((None, false));
        let blocked_since = |i: &Item| Some(shared.blocked_since(i, self.at));
        let (health, reasons) = health::goal_health(&HealthFacts {
            target: goal.target.date,
            items,
            blocked_since: &blocked_since,
            needs: &classes,
            forecast,
            forecast_incomplete: incomplete,
            today: self.today,
            blocked_days: BLOCKED_DAYS,
        });
        Some(Moment {
            standing: Standing::of(verdict.status, Some(health))?,
            reasons,
            failing: Vec::new(),
        })
    }

    /// The class of the dependency a request stands for, as `links::request_deps` gives it.
    fn request_class(&self, r: &Request, around: &Far<'_>) -> DepClass {
        let item = r.item.and_then(|id| self.items.get(&id));
        deps::classify_with_risk(
            Some(r.needed_by),
            deps::request_supply(r, item),
            item.and_then(|i| {
                let forecast = around.forecast.get(&i.id).copied();
                deps::item_risk(i, self.today, Some(r.needed_by), forecast)
            }),
        )
    }
}

/// The far ends at one moment of the review, borrowed from what it read.
type Far<'a> = Around<&'a Goal, &'a Item>;

/// What classifying the team's dependencies at `snap`'s moment needs (see `links::Around`): the
/// far ends as they were, the items of the goals among them, and today's forecasts.
fn around<'a>(snap: &Snapshot<'a>, ends: &Ends, forecast: HashMap<Id, Date>) -> Far<'a> {
    let mut goal_items: HashMap<Id, Vec<&Item>> = HashMap::default();
    for i in snap.items.iter() {
        if let Some(g) = i.goal.filter(|g| ends.judged_by_items(*g)) {
            goal_items.entry(g).or_default().push(i);
        }
    }
    Around {
        goals: pick(|id| snap.goals.get(id), &ends.goals),
        items: pick(|id| snap.items.get(id), &ends.items),
        goal_items,
        forecast,
        kept: ends.kept.clone(),
    }
}

/// `around` of now as it was with `undone` undone: only what the events touched changes.
fn rewind<'a>(mut around: Far<'a>, undone: &Undone<'a>, ends: &Ends) -> Far<'a> {
    for (id, then) in undone
        .goals
        .iter()
        .filter(|(id, _)| ends.goals.contains(id))
    {
        match then {
            Some(g) => _ = around.goals.insert(*id, *g),
            None => _ = around.goals.remove(id),
        }
    }
    for (id, then) in undone
        .items
        .iter()
        .filter(|(id, _)| ends.items.contains(id))
    {
        match then {
            Some(i) => _ = around.items.insert(*id, *i),
            None => _ = around.items.remove(id),
        }
    }
    for items in around.goal_items.values_mut() {
        items.retain(|i| !undone.items.contains_key(&i.id));
    }
    for i in undone.items.values().flatten() {
        if let Some(g) = i.goal.filter(|g| ends.judged_by_items(*g)) {
            around.goal_items.entry(g).or_default().push(*i);
        }
    }
    around
}

/// The far ends at one moment, with what each of their goals delivers judged once: judging a
/// goal judges its plan from its items, and a goal may deliver to hundreds of dependencies.
struct Judged<'a> {
    around: &'a Far<'a>,
    goals: HashMap<Id, Supply>,
    policy: PlanPolicy,
}

impl<'a> Judged<'a> {
    /// `around`, with what each goal in it that delivers (`delivering`) amounts to judged.
    fn new(around: &'a Far<'a>, delivering: &HashSet<Id>, policy: &PlanPolicy) -> Judged<'a> {
        let goals = delivering
            .iter()
            .filter(|id| around.goals.contains_key(id))
            .map(|id| (*id, around.supply(Node::Goal(*id), policy)))
            .collect();
        Judged {
            around,
            goals,
            policy: *policy,
        }
    }

    /// What `node` amounts to as a supplier, as [`Around::supply`] judges it.
    fn supply(&self, node: Node) -> Supply {
        match node {
            Node::Goal(id) => match self.goals.get(&id) {
                Some(supply) => *supply,
                None => self.around.supply(node, &self.policy),
            },
            Node::Item(_) => self.around.supply(node, &self.policy),
        }
    }

    /// The class of a dependency, decided as `Around::view` decides it, without describing it.
    fn class(&self, d: &Dependency, today: Date) -> DepClass {
        self.around.class_with(d, self.supply(d.to), today).1
    }
}

fn pick<'a, T>(get: impl Fn(&Id) -> Option<&'a T>, ids: &HashSet<Id>) -> HashMap<Id, &'a T> {
    ids.iter().filter_map(|id| Some((*id, get(id)?))).collect()
}

/// Section 1: the team's blocked items, longest blocked first.
fn blocked_items(
    now: &World,
    extra: &Extra,
    team_items: &[Id],
    shared: &Shared<'_>,
    today: Date,
    at: Timestamp,
) -> Vec<BlockedLine> {
    let mut lines: Vec<(i64, BlockedLine)> = team_items
        .iter()
        .filter_map(|id| now.items.get(id))
        .filter(|i| i.status == ItemStatus::Blocked)
        .map(|i| {
            let since = shared.blocked_since(i, at);
            let line = BlockedLine {
                id: item_ref(i.num).to_string(),
                title: i.title.clone(),
                owner: shared.names.person(i.owner),
                goal: i
                    .goal
                    .and_then(|g| now.goals.get(&g).or_else(|| extra.goals.get(&g)))
                    .map(|g| goal_ref(g.num).to_string()),
                reason: i.status_reason.clone(),
                since,
                days: when::days_between(since, today),
            };
            (i.num, line)
        })
        .collect();
    lines.sort_by(|(a, x), (b, y)| y.days.cmp(&x.days).then(a.cmp(b)));
    lines.into_iter().map(|(_, l)| l).collect()
}

/// Section 2: what this week's check-ins ask help for, person by person.
fn needs_help(checkins: &[&CheckIn], now: &World, extra: &Extra, names: &Names) -> Vec<HelpLine> {
    let item = |id: Id| now.items.get(&id).or_else(|| extra.items.get(&id));
    let goal = |id: Id| now.goals.get(&id).or_else(|| extra.goals.get(&id));
    let mut lines: Vec<HelpLine> = checkins
        .iter()
        .map(|c| HelpLine {
            person: names
                .person(Some(c.person))
                .unwrap_or_else(|| format!("#{}", c.person)),
            needs_help: c.needs_help.clone(),
            blocked: c.blocked.clone(),
            items: c
                .items
                .iter()
                .filter(|l| l.status == ItemStatus::Blocked)
                .map(|l| {
                    let i = item(l.item);
                    NoteLine {
                        id: i.map_or_else(
                            || format!("item #{}", l.item),
                            |i| item_ref(i.num).to_string(),
                        ),
                        title: i.map(|i| i.title.clone()).unwrap_or_default(),
                        note: l.note.clone(),
                    }
                })
                .collect(),
            goals: c
                .goals
                .iter()
                .filter(|g| matches!(g.confidence, Confidence::AtRisk | Confidence::OffTrack))
                .map(|g| {
                    let found = goal(g.goal);
                    ConfidenceLine {
                        id: found.map_or_else(
                            || format!("goal #{}", g.goal),
                            |x| goal_ref(x.num).to_string(),
                        ),
                        title: found.map(|x| x.title.clone()).unwrap_or_default(),
                        confidence: g.confidence,
                    }
                })
                .collect(),
        })
        .filter(|l| {
            l.needs_help.is_some()
                || l.blocked.is_some()
                || !l.items.is_empty()
                || !l.goals.is_empty()
        })
        .collect();
    lines.sort_by(|a, b| a.person.cmp(&b.person));
    lines
}

/// Section 3: committed dates of the team's items and goals that moved during the week (an
/// item is the team's if it is now, or was when it moved).
fn slips(
    events: &[Event],
    start: Timestamp,
    end: Timestamp,
    now: &Snapshot<'_>,
    team_items: &HashSet<Id>,
    names: &Names,
) -> Vec<SlipLine> {
    let mut lines: Vec<SlipLine> = events
        .iter()
        .filter(|e| start <= e.at && e.at < end)
        .filter_map(|e| {
            let change = rules::date_move(e)?;
            let (id, title) = match e.after.as_ref()? {
                Entity::Item(i)
                    if team_items.contains(&i.id) || now.scope.holds(i, |g| now.ours(g)) =>
                {
                    (item_ref(i.num).to_string(), i.title.clone())
                }
                Entity::Goal(g) if g.team == Some(now.scope.team) || now.ours(g.id) => {
                    (goal_ref(g.num).to_string(), g.title.clone())
                }
                _ => return None,
            };
            Some(SlipLine {
                id,
                title,
                change,
                reason: e.reason.clone(),
                by: names.person(e.author),
                at: e.at,
            })
        })
        .collect();
    lines.sort_by_key(|l| l.at);
    lines
}

/// Section 4: each person's check-ins owed and missed over the window, in their own time zone.
/// A week that has not ended for them is not owed yet.
async fn check_ins<S: Store>(
    ctx: &Ctx<'_, S>,
    people: &[Person],
    checkins: &[CheckIn],
    week: Week,
) -> Result<Vec<CheckInLine>> {
    let joined: HashMap<Id, Timestamp> = ctx.store.joined().await?.into_iter().collect();
    let first = rules::checkin_window(week);
    let mut lines: Vec<CheckInLine> = people
        .iter()
        .map(|p| {
            let tz = when::zone_or_utc(&p.tz);
            let from = week_span(first, &tz).0;
            let until = week_span(week, &tz).1.min(ctx.now);
            let owed = joined
                .get(&p.id)
                .map(|j| owed_weeks(*j, &tz, from, until))
                .unwrap_or_default();
            let given: BTreeSet<Week> = checkins
                .iter()
                .filter(|c| c.person == p.id)
                .map(|c| c.week)
                .collect();
            CheckInLine {
                person: p.handle.clone(),
                tz: p.tz.clone(),
                missed: missed_weeks(&owed, &given),
                owed,
                checked_in: given.contains(&week),
            }
        })
        .collect();
    lines.sort_by(|a, b| a.person.cmp(&b.person));
    Ok(lines)
}

/// Section 5a: dependencies touching the team that are phantom, late or at risk — classified
/// as `landed deps list --team` does, reading only the team's side of the graph.
async fn dependencies<S: Store>(
    ctx: &Ctx<'_, S>,
    snap: &Snapshot<'_>,
    judged: &Judged<'_>,
    shared: &Shared<'_>,
    nodes: &HashSet<Node>,
) -> Result<Vec<DepView>> {
    let bad = |c: DepClass| matches!(c, DepClass::Phantom | DepClass::Late | DepClass::AtRisk);
    let mut views: Vec<DepView> = snap
        .deps
        .iter()
        .filter(|d| nodes.contains(&d.from) || nodes.contains(&d.to))
        .filter(|d| bad(judged.class(d, snap.today)))
        .map(|d| {
            let supply = judged.supply(d.to);
            judged.around.view_with(d, supply, shared.names, snap.today)
        })
        .collect();
    // Requests stand as dependencies too: those made for the team's work or delivered by it.
    if snap.requests.iter().any(|r| {
        r.for_node.is_some_and(|n| nodes.contains(&n))
            || r.item.is_some_and(|i| nodes.contains(&Node::Item(i)))
    }) {
        let ours: HashSet<String> = nodes
            .iter()
            .filter_map(|n| match n {
                Node::Item(id) => snap.items.get(id).map(|i| item_ref(i.num).to_string()),
                Node::Goal(id) => snap.goals.get(id).map(|g| goal_ref(g.num).to_string()),
            })
            .collect();
        views.extend(
            crate::links::request_deps(ctx, None)
                .await?
                .into_iter()
                .filter(|v| ours.contains(&v.from) || ours.contains(&v.to))
                .filter(|v| bad(v.class)),
        );
    }
    views.sort_by(|a, b| {
        a.class
            .cmp(&b.class)
            .then(a.needed_by.cmp(&b.needed_by))
            .then(a.from.cmp(&b.from))
            .then(a.to.cmp(&b.to))
    });
    Ok(views)
}

/// Section 6: people of the team with an overcommitted week in the next [`LOAD_WEEKS`], as
/// `landed capacity --team` computes them, from their own items only.
fn overcommitted<S: Store>(
    ctx: &Ctx<'_, S>,
    people: &[Person],
    now: &World,
    team_items: &[Id],
) -> Vec<OverLine> {
    let policy = ctx.capacity_policy();
    let mut by_owner: HashMap<Id, Vec<&Item>> = HashMap::default();
    for i in team_items.iter().filter_map(|id| now.items.get(id)) {
        if let Some(o) = i.owner {
            by_owner.entry(o).or_default().push(i);
        }
    }
    let mut lines: Vec<OverLine> = people
        .iter()
        .filter_map(|p| {
            let mut mine = by_owner.get(&p.id).cloned().unwrap_or_default();
            mine.sort_by_key(|i| i.id);
            let today = when::today_in(ctx.now, &when::zone_or_utc(&p.tz));
            let (_, available) = crate::capacity::availability(p, &mine, today, &policy);
            let weeks: Vec<WeekView> = load::weekly_load(&mine, today, LOAD_WEEKS, available)
                .into_iter()
                .filter(|w| w.overcommitted)
                .map(|w| WeekView {
                    week: w.week,
                    load_hours: w.load_hours,
                    available_hours: w.available_hours,
                    overcommitted: w.overcommitted,
                    items: w
                        .items
                        .iter()
                        .filter_map(|(id, h)| {
                            Some((item_ref(now.items.get(id)?.num).to_string(), *h))
                        })
                        .collect(),
                })
                .collect();
            (!weeks.is_empty()).then(|| OverLine {
                person: p.handle.clone(),
                available_hours: available,
                weeks,
            })
        })
        .collect();
    lines.sort_by(|a, b| a.person.cmp(&b.person));
    lines
}

/// Where each open goal of the team stands at `snap`'s moment.
fn standings(snap: &Snapshot<'_>, judged: &Judged<'_>, shared: &Shared<'_>) -> HashMap<Id, Moment> {
    snap.goals()
        .filter_map(|g| Some((g.id, snap.moment(g, judged, shared)?)))
        .collect()
}

/// Section 7: the team's open goals whose standing at the week's end (`ended`: now, while it
/// lasts) is worse than at its start. Goals created during the week have no start to compare
/// with.
fn health_dropped(
    then: &Snapshot<'_>,
    judged: &Judged<'_>,
    end: &Snapshot<'_>,
    ended: &HashMap<Id, Moment>,
    shared: &Shared<'_>,
) -> Vec<DropLine> {
    end.goals()
        .filter_map(|g| {
            let before = then.moment(then.goals.get(&g.id)?, judged, shared)?;
            let drop = rules::health_drop(&before, ended.get(&g.id)?)?;
            Some(DropLine {
                id: goal_ref(g.num).to_string(),
                title: g.title.clone(),
                owner: shared.names.person(g.owner),
                from: drop.from,
                to: drop.to,
                why: drop
                    .new_reasons
                    .iter()
                    .map(|r| r.describe().into())
                    .collect(),
                new_reasons: drop.new_reasons,
                new_failing: drop.new_failing,
            })
        })
        .collect()
}

/// Section 8: the team's open goals that are aspirations, with the rules they fail.
fn aspirations(now: &Snapshot<'_>, shared: &Shared<'_>) -> Vec<AspirationLine> {
    now.goals()
        .filter_map(|g| {
            let items = now.items_of(g.id);
            let verdict = plan::evaluate_goal(g, items.iter().copied(), &shared.policy);
            if verdict.status != GoalStatus::Aspiration {
                return None;
            }
            let nums: HashMap<Id, i64> = items.iter().map(|i| (i.id, i.num)).collect();
            Some(AspirationLine {
                id: goal_ref(g.num).to_string(),
                title: g.title.clone(),
                owner: shared.names.person(g.owner),
                target: g.target.date,
                failing: plan::checklist(&verdict)
                    .iter()
                    .filter(|l| !l.passed && !l.rule.is_warning())
                    .map(|l| CheckView::new(l, &nums))
                    .collect(),
            })
        })
        .collect()
}
