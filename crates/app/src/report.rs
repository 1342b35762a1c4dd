//! The weekly status report of a team or the workspace (DESIGN §8, "Reports"): per goal its
//! verdict, health with the reasons, progress, next step, and what changed during the ISO week.
//!
//! Everything it says is decided where the other surfaces decide it: the verdict and progress
//! by `landed_core::plan`, health by `landed_core::health` from the same facts as `goal show`
//! (dependency classes through [`Around`], the kept forecast), the next step by
//! `landed_core::next`. It reads the goals' items once, their dependencies once and the week's
//! events once, so the workspace report costs the same few queries for 6 goals or 1,000.

use jiff::Timestamp;
use jiff::civil::Date;
use landed_core::capacity::Week;
use landed_core::checkin::week_dates;
use landed_core::deps::DepClass;
use landed_core::event::{Entity, Event, EventKind};
use landed_core::hash::{HashMap, HashSet};
use landed_core::health::{self, Health, HealthReason};
use landed_core::model::{Goal, Id, Item, ItemStatus, Node};
use landed_core::plan::{self, GoalStatus, Progress};
use landed_core::slip::{self, DateChange};
use landed_core::{goal_ref, item_ref, when};
use landed_store::{GoalFilter, ItemFilter, Store};
use serde::Serialize;

use crate::links::Around;
use crate::views::{CheckView, Names};
use crate::{AppError, Ctx, Result, resolve};

/// Whose goals a report covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportScope {
    /// Every goal of the workspace.
    Workspace,
    /// The goals of the team with this name.
    Team(String),
}

/// The weekly status report: the `--json` output and what Markdown and HTML render.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Report {
    pub workspace: String,
    /// The team reported on; none for the whole workspace.
    pub team: Option<String>,
    /// The ISO week whose changes are listed, in the workspace's time zone.
    pub week: Week,
    pub monday: Date,
    pub sunday: Date,
    /// The workspace's time zone, in which the week is counted.
    pub tz: String,
    /// Verdicts, health, progress and next steps are as of this instant.
    pub generated_at: Timestamp,
    pub summary: Summary,
    pub goals: Vec<GoalReport>,
}

/// Counts over the goals in the report.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Summary {
    pub goals: usize,
    pub plans: usize,
    pub aspirations: usize,
    pub done: usize,
    pub dropped: usize,
    pub on_track: usize,
    pub at_risk: usize,
    pub off_track: usize,
    /// Lines of "what changed" over all goals.
    pub changes: usize,
}

/// One goal's part of the report.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct GoalReport {
    pub id: String,
    pub title: String,
    pub outcome: Option<String>,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub target: Option<Date>,
    pub milestone: Option<String>,
    /// The verdict: plan or aspiration (or done, dropped).
    pub status: GoalStatus,
    /// For an aspiration, the rules it fails, with the items that fail them.
    pub not_a_plan: Vec<CheckView>,
    /// How a plan is doing; none for aspirations and closed goals.
    pub health: Option<Health>,
    pub health_reasons: Vec<HealthReason>,
    pub health_why: Vec<std::borrow::Cow<'static, str>>,
    /// When its open work is forecast to finish, when it can be forecast.
    pub forecast: Option<Date>,
    pub close_reason: Option<String>,
    /// Done against all items that are not dropped, by count and by estimated hours.
    pub progress: Progress,
    /// `progress` as a whole percentage (by hours when there are estimates, else by count).
    pub percent: u32,
    /// The open item to do next: earliest due, in progress before to do.
    pub next_step: Option<NextStep>,
    /// Why there is no next step, when there is none.
    pub no_next_step: Option<std::borrow::Cow<'static, str>>,
    /// What changed during the week, goal changes first, then items by kind.
    pub changes: Vec<Change>,
}

/// The item a goal's next step is.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NextStep {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub status: ItemStatus,
}

/// One line of "what changed": a change of the goal, of one item, or (for items added or
/// started) of several items of the same kind.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Change {
    pub kind: EventKind,
    /// When it happened (the first of a group).
    pub at: Timestamp,
    /// The items it is about; empty when it is about the goal.
    pub items: Vec<String>,
    /// The change in a few words, with item refs (`I-12 Write the runbook slipped 7 days …`);
    /// the reason is not in it.
    pub summary: String,
    /// Why: the reason given for a slip, block, drop or closure.
    pub reason: Option<String>,
    /// How a committed date moved, for slips and pull-ins.
    pub date_change: Option<DateChange>,
    /// Who made the change (single changes only).
    pub by: Option<String>,
}

/// How many item refs a grouped line names before "and N more".
const GROUP_NAMED: usize = 5;

/// The weekly report of `scope` for `week` (`2026-W48`; default: the current ISO week in the
/// workspace's time zone). A week that has not begun is refused.
pub async fn report<S: Store>(
    ctx: &Ctx<'_, S>,
    scope: ReportScope,
    week: Option<&str>,
) -> Result<Report> {
    let tz = when::zone_or_utc(&ctx.workspace.tz);
    let this_week = landed_core::week::week_of(ctx.now, &tz);
    let week = crate::week_or(week, this_week)?;
    if week > this_week {
        return Err(AppError::NotAllowed(format!(
            "week {week} has not begun yet (this week is {this_week}); report on {this_week} or an earlier week"
        )));
    }
    let (start, end) = landed_core::week::week_span(week, &tz);
    let team = match &scope {
        ReportScope::Workspace => None,
        ReportScope::Team(name) => Some(resolve::team(ctx.store, name).await?),
    };

    // Goals open now, or closed since the week began.
    let mut goals: Vec<Goal> = ctx
        .store
        .goals(&GoalFilter {
            team: team.as_ref().map(|t| t.id),
            ..GoalFilter::default()
        })
        .await?;
    goals.retain(|g| g.closed.is_none() || g.updated_at >= start);
    let events = ctx.store.events_between(start, end).await?;
    let authors = events.iter().filter_map(|e| e.author);
    let Assessed {
        goals,
        mut reports,
        names,
    } = assess(ctx, team.is_some(), goals, authors).await?;
    let in_scope: HashSet<Id> = goals.iter().map(|g| g.id).collect();
    let mut changes = changes_by_goal(&events, &in_scope, &names);
    for (goal, report) in goals.iter().zip(&mut reports) {
        report.changes = changes.remove(&goal.id).unwrap_or_default();
    }
    let (monday, sunday) = week_dates(week);
    Ok(Report {
        workspace: ctx.workspace.name.clone(),
        team: team.map(|t| t.name),
        week,
        monday,
        sunday,
        tz: ctx.workspace.tz.clone(),
        generated_at: ctx.now,
        summary: summary(&reports),
        goals: reports,
    })
}

/// Goals with what the report says of each but the week's changes, team by team (goals of no
/// team last) and by number; `authors` are named in `names` too.
struct Assessed {
    goals: Vec<Goal>,
    reports: Vec<GoalReport>,
    names: Names,
}

/// Judge `goals` (all of one team's when `team`, else the workspace's): verdict, health from
/// their items, dependencies, requests and forecast, progress and next step.
async fn assess<S: Store>(
    ctx: &Ctx<'_, S>,
    team: bool,
    mut goals: Vec<Goal>,
    authors: impl Iterator<Item = Id>,
) -> Result<Assessed> {
    let in_scope: HashSet<Id> = goals.iter().map(|g| g.id).collect();

    // Items goal by goal, read once: kept in `around.goal_items`, where the dependencies'
    // classification also looks for them.
    let item_filter = ItemFilter {
        goals: team.then(|| goals.iter().map(|g| g.id).collect()),
        by_goal: true,
        ..ItemFilter::default()
    };
    let items = ctx.store.items(&item_filter).await?;
    let mut around = Around::default();
    let mut loose: HashMap<Id, Item> = HashMap::default();
    for i in items {
        match i.goal {
            Some(g) => around.goal_items.entry(g).or_default().push(i),
            None => {
                loose.insert(i.id, i);
            }
        }
    }
    let goal_of_item: HashMap<Id, Id> = around
        .goal_items
        .iter()
        .flat_map(|(g, items)| items.iter().map(move |i| (i.id, *g)))
        .collect();
    // The goal a node belongs to, when it is in the report.
    let owning_goal = |n: Node| match n {
        Node::Goal(g) => in_scope.contains(&g).then_some(g),
        Node::Item(i) => goal_of_item
            .get(&i)
            .copied()
            .filter(|g| in_scope.contains(g)),
    };

    // What the goals and their items need, with everything at both ends.
    let deps = match team {
        false => ctx.store.dependencies(None).await?,
        true => {
            let mut nodes: Vec<Node> = goals.iter().map(|g| Node::Goal(g.id)).collect();
            nodes.extend(goal_of_item.keys().map(|i| Node::Item(*i)));
            ctx.store.dependencies(Some(&nodes)).await?
        }
    };
    let deps: Vec<_> = deps
        .into_iter()
        .filter(|d| owning_goal(d.from).is_some())
        .collect();
    fill_ends(ctx.store, &mut around, goals.clone(), &loose, &deps).await?;
    let mut wanted: Vec<Node> = goals
        .iter()
        .filter(|g| g.closed.is_none())
        .map(|g| Node::Goal(g.id))
        .collect();
    wanted.extend(around.items.keys().map(|i| Node::Item(*i)));
    let forecasts = crate::forecast::of(ctx, &wanted).await?;
    around.forecast = forecasts
        .iter()
        .filter_map(|(n, (finish, _))| match n {
            Node::Item(id) => Some((*id, (*finish)?)),
            Node::Goal(_) => None,
        })
        .collect();

    let mut people: Vec<Id> = goals.iter().filter_map(|g| g.owner).collect();
    people.extend(authors);
    people.extend(
        around
            .goal_items
            .values()
            .flatten()
            .filter(|i| i.status.is_open())
            .filter_map(|i| i.owner),
    );
    let names = Names::load(ctx.store, people).await?;
    let (policy, today) = (ctx.policy(), ctx.today());

    let mut needs: HashMap<Id, Vec<DepClass>> = HashMap::default();
    for d in &deps {
        if let Some(g) = owning_goal(d.from) {
            let class = around.view(d, &policy, &names, today).class;
            needs.entry(g).or_default().push(class);
        }
    }
    // A team's requests are those made for its goals and their items; the workspace's are all
    // (the ones made for goals in the report are picked below).
    let scope_nodes: Option<Vec<Node>> = team.then(|| {
        let goals = goals.iter().map(|g| Node::Goal(g.id));
        goals
            .chain(goal_of_item.keys().map(|i| Node::Item(*i)))
            .collect()
    });
    let requests = crate::links::request_deps(ctx, scope_nodes.as_deref()).await?;
    if !requests.is_empty() {
        // Requests name their asker as people write it (`G-3`, `I-12`).
        let by_ref: HashMap<String, Id> = goals
            .iter()
            .map(|g| (goal_ref(g.num).to_string(), g.id))
            .chain(
                around
                    .goal_items
                    .iter()
                    .filter(|(g, _)| in_scope.contains(g))
                    .flat_map(|(g, items)| items.iter().map(|i| (item_ref(i.num).to_string(), *g))),
            )
            .collect();
        for r in &requests {
            if let Some(g) = by_ref.get(&r.from) {
                needs.entry(*g).or_default().push(r.class);
            }
        }
    }

    // Team by team (goals of no team last), then by number.
    goals.sort_by_cached_key(|g| {
        let team = g.team.and_then(|t| names.teams.get(&t).cloned());
        (team.is_none(), team, g.num)
    });
    let mut out = Vec::with_capacity(goals.len());
    for goal in &goals {
        let items = around
            .goal_items
            .get(&goal.id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let (forecast, incomplete) = forecasts
            .get(&Node::Goal(goal.id))
            .copied()
            .unwrap_or((None, false));
        let facts = Facts {
            needs: needs.get(&goal.id).map(Vec::as_slice).unwrap_or(&[]),
            forecast,
            forecast_incomplete: incomplete,
            today,
        };
        out.push(goal_report(goal, items, &facts, &policy, &names));
    }
    Ok(Assessed {
        goals,
        reports: out,
        names,
    })
}

/// Every goal of `team` (else of the workspace), open or closed, with its verdict, health,
/// progress and next step as of now: the report's judgement without the week's changes.
pub async fn standing<S: Store>(ctx: &Ctx<'_, S>, team: Option<&str>) -> Result<Vec<GoalReport>> {
    let team = match team {
        Some(name) => Some(resolve::team(ctx.store, name).await?),
        None => None,
    };
    let goals = ctx
        .store
        .goals(&GoalFilter {
            team: team.as_ref().map(|t| t.id),
            ..GoalFilter::default()
        })
        .await?;
    Ok(assess(ctx, team.is_some(), goals, std::iter::empty())
        .await?
        .reports)
}

/// Put into `around` what classifying `deps` reads: the goals and items at both ends, and the
/// items of goals at the delivering end; what was not read with the report is read now.
async fn fill_ends<S: Store>(
    store: &S,
    around: &mut Around,
    goals: Vec<Goal>,
    loose: &HashMap<Id, Item>,
    deps: &[landed_core::model::Dependency],
) -> Result<()> {
    around.goals = goals.into_iter().map(|g| (g.id, g)).collect();
    let known: HashMap<Id, &Item> = around
        .goal_items
        .values()
        .flatten()
        .chain(loose.values())
        .map(|i| (i.id, i))
        .collect();
    let (mut items, mut missing_items, mut missing_goals) =
        (HashMap::default(), Vec::new(), vec![]);
    for n in deps.iter().flat_map(|d| [d.from, d.to]) {
        match n {
            Node::Item(id) => match known.get(&id) {
                Some(i) => {
                    items.insert(id, (*i).clone());
                }
                None => missing_items.push(id),
            },
            Node::Goal(id) if !around.goals.contains_key(&id) => missing_goals.push(id),
            Node::Goal(_) => {}
        }
    }
    around.items = items;
    missing_items.sort_unstable();
    missing_items.dedup();
    missing_goals.sort_unstable();
    missing_goals.dedup();
    if !missing_items.is_empty() {
        let found = store
            .items(&ItemFilter {
                ids: Some(missing_items),
                ..ItemFilter::default()
            })
            .await?;
        around.items.extend(found.into_iter().map(|i| (i.id, i)));
    }
    if !missing_goals.is_empty() {
        let found = store
            .goals(&GoalFilter {
                ids: Some(missing_goals.clone()),
                ..GoalFilter::default()
            })
            .await?;
        around.goals.extend(found.into_iter().map(|g| (g.id, g)));
        for i in store
            .items(&ItemFilter {
                goals: Some(missing_goals),
                by_goal: true,
                ..ItemFilter::default()
            })
            .await?
        {
            around
                .goal_items
                .entry(i.goal.unwrap_or_default())
                .or_default()
                .push(i);
        }
    }
    Ok(())
}

/// What a goal's health is judged on, besides its own items.
struct Facts<'a> {
    needs: &'a [DepClass],
    forecast: Option<Date>,
    forecast_incomplete: bool,
    today: Date,
}

fn goal_report(
    goal: &Goal,
    items: &[Item],
    facts: &Facts<'_>,
    policy: &plan::PlanPolicy,
    names: &Names,
) -> GoalReport {
    let verdict = plan::evaluate_goal(goal, items, policy);
    let nums: HashMap<Id, i64> = items.iter().map(|i| (i.id, i.num)).collect();
    let not_a_plan = plan::checklist(&verdict)
        .iter()
        .filter(|l| !l.passed && !l.rule.is_warning())
        .map(|l| CheckView::new(l, &nums))
        .collect();
    let (health, reasons) = if verdict.status == GoalStatus::Plan {
        // As `goal show`: a blocked item counts as blocked since its last change.
        let refs: Vec<&Item> = items.iter().collect();
        let blocked_since = |i: &Item| Some(when::today_in(i.updated_at, &jiff::tz::TimeZone::UTC));
        let (h, why) = health::goal_health(&health::HealthFacts {
            target: goal.target.date,
            items: &refs,
            blocked_since: &blocked_since,
            needs: facts.needs,
            forecast: facts.forecast,
            forecast_incomplete: facts.forecast_incomplete,
            today: facts.today,
            blocked_days: 3,
        });
        (Some(h), why)
    } else {
        (None, Vec::new())
    };
    let progress = plan::progress(items);
    let next = landed_core::next::next_step(items);
    let no_next_step = match next {
        Some(_) => None,
        None if goal.closed.is_some() => Some("the goal is closed"),
        None if items.iter().any(|i| i.status == ItemStatus::Blocked) => {
            Some("every open item is blocked")
        }
        None if items.is_empty() => Some("it has no items yet"),
        None => Some("no open items left"),
    };
    GoalReport {
        id: goal_ref(goal.num).to_string(),
        title: goal.title.clone(),
        outcome: goal.outcome.clone(),
        owner: names.person(goal.owner),
        team: goal.team.and_then(|t| names.teams.get(&t).cloned()),
        target: goal.target.date,
        milestone: goal
            .target
            .milestone
            .and_then(|m| names.milestones.get(&m).cloned()),
        status: verdict.status,
        not_a_plan,
        health,
        health_why: reasons.iter().map(|r| r.describe().into()).collect(),
        health_reasons: reasons,
        forecast: if goal.closed.is_none() {
            facts.forecast
        } else {
            None
        },
        close_reason: goal.close_reason.clone(),
        percent: (progress.ratio() * 100.0).round() as u32,
        progress,
        next_step: next.map(|i| NextStep {
            id: item_ref(i.num).to_string(),
            title: i.title.clone(),
            owner: names.person(i.owner),
            due: i.due.date,
            status: i.status,
        }),
        no_next_step: no_next_step.map(Into::into),
        changes: Vec::new(),
    }
}

fn summary(goals: &[GoalReport]) -> Summary {
    let mut s = Summary {
        goals: goals.len(),
        ..Summary::default()
    };
    for g in goals {
        match g.status {
            GoalStatus::Plan => s.plans += 1,
            GoalStatus::Aspiration => s.aspirations += 1,
            GoalStatus::Done => s.done += 1,
            GoalStatus::Dropped => s.dropped += 1,
        }
        match g.health {
            Some(Health::OnTrack) => s.on_track += 1,
            Some(Health::AtRisk) => s.at_risk += 1,
            Some(Health::OffTrack) => s.off_track += 1,
            None => {}
        }
        s.changes += g.changes.len();
    }
    s
}

/// The order of change lines within a goal: the goal's own first, then what people most want
/// to read in a status report.
fn rank(kind: EventKind) -> u8 {
    match kind {
        EventKind::Done => 0,
        EventKind::Slipped => 1,
        EventKind::PulledIn => 2,
        EventKind::Uncommitted => 3,
        EventKind::Blocked => 4,
        EventKind::Dropped => 5,
        EventKind::Reopened => 6,
        EventKind::Started => 7,
        EventKind::Created => 8,
        _ => 9,
    }
}

/// The week's events on goals in the report and on their items, as change lines per goal.
fn changes_by_goal(
    events: &[Event],
    in_scope: &HashSet<Id>,
    names: &Names,
) -> HashMap<Id, Vec<Change>> {
    // (goal, is an item change, rank) → lines, and items added or started, grouped.
    let mut lines: HashMap<Id, Vec<(bool, u8, Change)>> = HashMap::default();
    let mut grouped: HashMap<(Id, EventKind), (Timestamp, Vec<&Item>)> = HashMap::default();
    for e in events {
        let by = names.person(e.author);
        let dates = |before: Option<Date>, after: Option<Date>| match e.kind {
            EventKind::Slipped | EventKind::PulledIn | EventKind::Uncommitted => {
                slip::date_change(before, after)
            }
            _ => None,
        };
        match (&e.before, &e.after) {
            (before, Some(Entity::Item(item))) => {
                let Some(goal) = item.goal.filter(|g| in_scope.contains(g)) else {
                    continue;
                };
                if matches!(e.kind, EventKind::Created | EventKind::Started) {
                    let g = grouped.entry((goal, e.kind)).or_insert((e.at, Vec::new()));
                    g.1.push(item);
                    continue;
                }
                let before_due = match before {
                    Some(Entity::Item(b)) => b.due.date,
                    _ => None,
                };
                let date_change = dates(before_due, item.due.date);
                let what = match (e.kind, date_change) {
                    (_, Some(c)) => describe_date_change(c),
                    (EventKind::Done, _) => "is done".to_string(),
                    (EventKind::Blocked, _) => "is blocked".to_string(),
                    (EventKind::Dropped, _) => "was dropped".to_string(),
                    (EventKind::Reopened, _) => "was reopened".to_string(),
                    // Other edits (title, estimate, owner) are not status news.
                    _ => continue,
                };
                let line = Change {
                    kind: e.kind,
                    at: e.at,
                    items: vec![item_ref(item.num).to_string()],
                    summary: format!("{} {} {what}", item_ref(item.num), item.title),
                    reason: e.reason.clone(),
                    date_change,
                    by,
                };
                lines
                    .entry(goal)
                    .or_default()
                    .push((true, rank(e.kind), line));
            }
            (before, Some(Entity::Goal(goal))) if in_scope.contains(&goal.id) => {
                let before = match before {
                    Some(Entity::Goal(b)) => Some(b),
                    _ => None,
                };
                let date_change = dates(before.and_then(|b| b.target.date), goal.target.date);
                let what = match (e.kind, date_change) {
                    (_, Some(c)) => format!("target {}", describe_date_change(c)),
                    (EventKind::Created, _) => "goal created".to_string(),
                    (EventKind::Done, _) => "goal closed as done".to_string(),
                    (EventKind::Dropped, _) => "goal dropped".to_string(),
                    (EventKind::Reopened, _) => "goal reopened".to_string(),
                    _ => match before.map(|b| edited_fields(b, goal)) {
                        Some(fields) if !fields.is_empty() => {
                            format!("goal edited: {}", fields.join(", "))
                        }
                        _ => continue,
                    },
                };
                let line = Change {
                    kind: e.kind,
                    at: e.at,
                    items: Vec::new(),
                    summary: what,
                    reason: e.reason.clone(),
                    date_change,
                    by,
                };
                lines
                    .entry(goal.id)
                    .or_default()
                    .push((false, rank(e.kind), line));
            }
            _ => {}
        }
    }
    for ((goal, kind), (at, items)) in grouped {
        lines
            .entry(goal)
            .or_default()
            .push((true, rank(kind), group_line(kind, at, &items)));
    }
    lines
        .into_iter()
        .map(|(goal, mut l)| {
            // Stable: events of one kind stay in the order they happened.
            l.sort_by_key(|(item, rank, c)| (*item, *rank, c.at));
            (goal, l.into_iter().map(|(_, _, c)| c).collect())
        })
        .collect()
}

/// "added 3 items: I-4 Title; I-5 Title; I-6 Title", naming at most [`GROUP_NAMED`].
fn group_line(kind: EventKind, at: Timestamp, items: &[&Item]) -> Change {
    let verb = if kind == EventKind::Created {
        "added"
    } else {
        "started"
    };
    let mut seen = HashSet::default();
    let unique: Vec<&&Item> = items.iter().filter(|i| seen.insert(i.id)).collect();
    let named: Vec<String> = unique
        .iter()
        .take(GROUP_NAMED)
        .map(|i| format!("{} {}", item_ref(i.num), i.title))
        .collect();
    let summary = match unique.len() {
        1 => format!("{verb} {}", named[0]),
        n if n <= GROUP_NAMED => format!("{verb} {n} items: {}", named.join("; ")),
        n => format!(
            "{verb} {n} items: {}; and {} more",
            named.join("; "),
            n - GROUP_NAMED
        ),
    };
    Change {
        kind,
        at,
        items: unique.iter().map(|i| item_ref(i.num).to_string()).collect(),
        summary,
        reason: None,
        date_change: None,
        by: None,
    }
}

fn describe_date_change(c: DateChange) -> String {
    let days = |n: i64| {
        if n == 1 {
            "1 day".into()
        } else {
            format!("{n} days")
        }
    };
    match c {
        DateChange::Slip { from, to, days: n } => format!("slipped {} ({from} → {to})", days(n)),
        DateChange::PullIn { from, to, days: n } => {
            format!("pulled in {} ({from} → {to})", days(n))
        }
        DateChange::Uncommitted { from } => format!("lost its date (was {from})"),
    }
}

/// The fields of a goal an edit changed, in words.
fn edited_fields(before: &Goal, after: &Goal) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if before.title != after.title {
        fields.push("title");
    }
    if before.outcome != after.outcome {
        fields.push("outcome");
    }
    if before.owner != after.owner {
        fields.push("owner");
    }
    if before.target != after.target {
        fields.push("target");
    }
    if before.team != after.team {
        fields.push("team");
    }
    fields
}
