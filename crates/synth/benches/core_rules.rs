//! The core's rules at DESIGN §10 scale, on the synthetic workspace of `Shape::design()`:
//! - plan status of all 10,000 goals over 1,000,000 items (goal: under 150 ms);
//! - the class of all 300,000 dependencies (goal: under 150 ms);
//! - the class of all 300,000 dependencies with the risk of item suppliers, and the impact of
//!   one slipping item with many dependents (goal: under 300 ms);
//! - the capacity grid, 5,000 people × 6 weeks (goal: under 300 ms);
//! - the forecast of the whole workspace (goal: under 1 s).
//!
//! The world is generated once, outside every timed loop; its generation is timed too.
//!
//! Run: CARGO_TARGET_DIR=/work/target-synth cargo bench -p landed-synth --bench core_rules

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Span;
use jiff::Timestamp;
use jiff::civil::{Date, date};
use landed_core::capacity::{
    CapacityPolicy, DoneWork, WeekLoad, available_hours, reactive_load, weekly_load,
};
use landed_core::deps::{
    DepClass, Supply, classify, classify_with_risk, goal_supply, item_risk, item_supply, need_date,
};
use landed_core::forecast::forecast;
use landed_core::hash::HashMap;
use landed_core::impact::{Edge, impact};
use landed_core::plan::{GoalStatus, GoalVerdict, PlanPolicy, evaluate_goal};
use landed_core::{Dependency, Goal, Id, Item, ItemKind, ItemStatus, Node};
use landed_synth::{Shape, World, generate};

const SEED: u64 = 42;
const TODAY: Date = date(2026, 11, 23);

fn now() -> Timestamp {
    "2026-11-23T09:00:00Z".parse().expect("a valid timestamp")
}

/// Each goal's items, as a surface loads them: one pass over the items, bucketed by goal id
/// (ids are dense, so goal `k` is bucket `k - 1`).
fn items_by_goal<'a>(goals: &[Goal], items: &'a [Item]) -> Vec<Vec<&'a Item>> {
    let mut by_goal = vec![Vec::new(); goals.len()];
    for item in items {
        if let Some(g) = item.goal {
            by_goal[g as usize - 1].push(item);
        }
    }
    by_goal
}

/// The items copied in goal order, as the store loads them for a workspace-wide verdict
/// (`ItemFilter { by_goal: true }`, i.e. `ORDER BY goal_id`): each goal's items (and their
/// strings) sit together in memory.
fn stored_by_goal(
    goals: &[Goal],
    by_goal: &[Vec<&Item>],
) -> (Vec<Item>, Vec<std::ops::Range<usize>>) {
    let mut stored = Vec::new();
    let mut ranges = Vec::with_capacity(goals.len());
    for items in by_goal {
        let start = stored.len();
        stored.extend(items.iter().map(|&i| i.clone()));
        ranges.push(start..stored.len());
    }
    (stored, ranges)
}

/// The verdicts computed on two threads, each taking half of the goals.
fn verdicts_on_two_threads(
    goals: &[Goal],
    by_goal: &[Vec<&Item>],
    policy: &PlanPolicy,
) -> Vec<GoalVerdict> {
    let half = goals.len() / 2;
    std::thread::scope(|s| {
        let first = s.spawn(|| verdicts(&goals[..half], &by_goal[..half], policy));
        let mut second = verdicts(&goals[half..], &by_goal[half..], policy);
        let mut all = first.join().expect("the first half does not panic");
        all.append(&mut second);
        all
    })
}

fn verdicts(goals: &[Goal], by_goal: &[Vec<&Item>], policy: &PlanPolicy) -> Vec<GoalVerdict> {
    goals
        .iter()
        .zip(by_goal)
        .map(|(goal, items)| evaluate_goal(goal, items.iter().copied(), policy))
        .collect()
}

/// Class counts in `DepClass` order: phantom, late, at risk, ok, met.
fn classify_all(world: &World, verdicts: &[GoalVerdict]) -> [usize; 5] {
    let mut counts = [0usize; 5];
    for dep in &world.dependencies {
        counts[class(world, verdicts, dep) as usize] += 1;
    }
    counts
}

fn class(world: &World, verdicts: &[GoalVerdict], dep: &Dependency) -> DepClass {
    let supply: Supply = match dep.to {
        Node::Item(id) => item_supply(&world.items[id as usize - 1]),
        Node::Goal(id) => goal_supply(&world.goals[id as usize - 1], &verdicts[id as usize - 1]),
    };
    let needing_date = match dep.from {
        Node::Item(id) => world.items[id as usize - 1].due.date,
        Node::Goal(id) => world.goals[id as usize - 1].target.date,
    };
    classify(need_date(dep.needed_by, needing_date), supply)
}

/// Class counts in `DepClass` order, an item supplier that would be `ok` being `at_risk` when
/// it is blocked or overdue (`item_risk` without a forecast).
fn classify_all_with_risk(world: &World, verdicts: &[GoalVerdict]) -> [usize; 5] {
    let mut counts = [0usize; 5];
    for dep in &world.dependencies {
        counts[class_with_risk(world, verdicts, dep) as usize] += 1;
    }
    counts
}

fn class_with_risk(world: &World, verdicts: &[GoalVerdict], dep: &Dependency) -> DepClass {
    let needing_date = match dep.from {
        Node::Item(id) => world.items[id as usize - 1].due.date,
        Node::Goal(id) => world.goals[id as usize - 1].target.date,
    };
    let needed = need_date(dep.needed_by, needing_date);
    let (supply, risk) = match dep.to {
        Node::Item(id) => {
            let item = &world.items[id as usize - 1];
            (item_supply(item), item_risk(item, TODAY, needed, None))
        }
        Node::Goal(id) => (
            goal_supply(&world.goals[id as usize - 1], &verdicts[id as usize - 1]),
            None,
        ),
    };
    classify_with_risk(needed, supply, risk)
}

/// The propagation graph: every dependency, plus one implicit edge per open item of a goal
/// (the goal needs it).
fn impact_edges(world: &World) -> Vec<Edge> {
    let mut edges: Vec<Edge> = world
        .dependencies
        .iter()
        .map(|d| Edge {
            from: d.from,
            to: d.to,
            needed_by: d.needed_by,
        })
        .collect();
    edges.extend(world.items.iter().filter_map(|item| {
        let goal = item.goal.filter(|_| item.status.is_open())?;
        Some(Edge {
            from: Node::Goal(goal),
            to: Node::Item(item.id),
            needed_by: None,
        })
    }));
    edges
}

/// A node's own due or target date.
fn own_date(world: &World, node: Node) -> Option<Date> {
    match node {
        Node::Item(id) => world.items[id as usize - 1].due.date,
        Node::Goal(id) => world.goals[id as usize - 1].target.date,
    }
}

/// Each person's items (ids are dense, so person `k` is bucket `k - 1`).
fn items_by_owner(world: &World) -> Vec<Vec<&Item>> {
    let mut by_owner = vec![Vec::new(); world.people.len()];
    for item in &world.items {
        if let Some(owner) = item.owner {
            by_owner[owner as usize - 1].push(item);
        }
    }
    by_owner
}

/// One person's row of the capacity grid: available hours and the load of 6 weeks. Done
/// reactive items count as done a week before `TODAY` (the generator keeps no done date).
fn capacity_grid(
    world: &World,
    by_owner: &[Vec<&Item>],
    policy: &CapacityPolicy,
) -> Vec<(f64, Vec<WeekLoad>)> {
    let done_on = TODAY
        .checked_sub(Span::new().days(7))
        .expect("a week before today exists");
    world
        .people
        .iter()
        .zip(by_owner)
        .map(|(person, items)| {
            let done: Vec<DoneWork> = items
                .iter()
                .filter(|i| i.kind == ItemKind::Reactive && i.status == ItemStatus::Done)
                .map(|i| DoneWork {
                    hours: i.estimate_hours.unwrap_or(0.0),
                    done_on,
                })
                .collect();
            let reactive = reactive_load(person.capacity_hours, &done, TODAY, policy);
            let available = available_hours(person.capacity_hours, &reactive);
            (available, weekly_load(items, TODAY, 6, available))
        })
        .collect()
}

fn core_rules(c: &mut Criterion) {
    let started = Instant::now();
    let world = generate(&Shape::design(), SEED, TODAY, now());
    eprintln!(
        "generated Shape::design() (seed {SEED}) in {:.2?}: {} people, {} teams, {} goals, {} items, {} dependencies",
        started.elapsed(),
        world.people.len(),
        world.teams.len(),
        world.goals.len(),
        world.items.len(),
        world.dependencies.len()
    );
    let policy = PlanPolicy::default();
    let by_goal = items_by_goal(&world.goals, &world.items);
    let goal_verdicts = verdicts(&world.goals, &by_goal, &policy);
    let count = |s: GoalStatus| goal_verdicts.iter().filter(|v| v.status == s).count();
    eprintln!(
        "goals: {} plans, {} aspirations, {} done, {} dropped",
        count(GoalStatus::Plan),
        count(GoalStatus::Aspiration),
        count(GoalStatus::Done),
        count(GoalStatus::Dropped)
    );
    let [phantom, late, _at_risk, ok, met] = classify_all(&world, &goal_verdicts);
    eprintln!("dependencies: {phantom} phantom, {late} late, {ok} ok, {met} met");

    let mut group = c.benchmark_group("core_rules");
    group.bench_function(
        "plan status of 10k goals, items scattered in memory (worst case)",
        |b| b.iter(|| verdicts(black_box(&world.goals), black_box(&by_goal), &policy)),
    );
    group.bench_function(
        "plan status of 10k goals, scattered, grouping 1M items included",
        |b| {
            b.iter(|| {
                let by_goal = items_by_goal(black_box(&world.goals), black_box(&world.items));
                verdicts(&world.goals, &by_goal, &policy)
            })
        },
    );
    group.bench_function("plan status of 10k goals, scattered, 2 threads", |b| {
        b.iter(|| verdicts_on_two_threads(black_box(&world.goals), black_box(&by_goal), &policy))
    });
    let (stored, ranges) = stored_by_goal(&world.goals, &by_goal);
    group.bench_function("plan status of 10k goals, items loaded goal by goal", |b| {
        b.iter(|| {
            world
                .goals
                .iter()
                .zip(&ranges)
                .map(|(goal, r)| evaluate_goal(goal, &stored[r.clone()], &policy))
                .collect::<Vec<_>>()
        })
    });
    drop(stored);
    group.bench_function("classify 300k dependencies", |b| {
        b.iter(|| classify_all(black_box(&world), black_box(&goal_verdicts)))
    });

    let [phantom, late, at_risk, ok, met] = classify_all_with_risk(&world, &goal_verdicts);
    eprintln!(
        "dependencies with risk: {phantom} phantom, {late} late, {at_risk} at risk, {ok} ok, {met} met"
    );
    group.bench_function("classify 300k dependencies with item risk", |b| {
        b.iter(|| classify_all_with_risk(black_box(&world), black_box(&goal_verdicts)))
    });
    let edges = impact_edges(&world);
    let mut dependents: HashMap<Id, usize> = HashMap::default();
    for e in &edges {
        if let Node::Item(id) = e.to {
            *dependents.entry(id).or_default() += 1;
        }
    }
    let (&slipping, &direct) = dependents
        .iter()
        .max_by_key(|&(&id, &n)| (n, std::cmp::Reverse(id)))
        .expect("some item has a dependent");
    let start = Node::Item(slipping);
    let slip = own_date(&world, start)
        .unwrap_or(TODAY)
        .checked_add(Span::new().days(30))
        .expect("a month later exists");
    let affected = impact(&edges, start, Some(slip), |n| own_date(&world, n));
    eprintln!(
        "impact: {} edges; I-{slipping} ({direct} direct dependents) slipping to {slip} reaches {} nodes ({} late, {} with no finish, depth up to {})",
        edges.len(),
        affected.len(),
        affected.iter().filter(|a| a.late_days > 0).count(),
        affected.iter().filter(|a| a.finish.is_none()).count(),
        affected.iter().map(|a| a.depth).max().unwrap_or(0)
    );
    group.bench_function(
        "impact of one slipping item (most direct dependents), 300k+ edges",
        |b| {
            b.iter(|| {
                impact(black_box(&edges), start, Some(slip), |n| {
                    own_date(&world, n)
                })
            })
        },
    );
    drop(edges);

    let capacity_policy = CapacityPolicy::default();
    let by_owner = items_by_owner(&world);
    let grid = capacity_grid(&world, &by_owner, &capacity_policy);
    eprintln!(
        "capacity grid: {} people, {} overcommitted person-weeks out of {}",
        grid.len(),
        grid.iter()
            .flat_map(|(_, weeks)| weeks)
            .filter(|w| w.overcommitted)
            .count(),
        grid.iter().map(|(_, weeks)| weeks.len()).sum::<usize>()
    );
    group.bench_function("capacity grid, 5,000 people × 6 weeks", |b| {
        b.iter(|| capacity_grid(black_box(&world), black_box(&by_owner), &capacity_policy))
    });

    let available: HashMap<Id, f64> = world
        .people
        .iter()
        .zip(&grid)
        .map(|(person, (available, _))| (person.id, *available))
        .collect();
    drop(grid);
    let all_items: Vec<&Item> = world.items.iter().collect();
    let needs: Vec<(Id, Id)> = world
        .dependencies
        .iter()
        .filter_map(|d| match (d.from, d.to) {
            (Node::Item(a), Node::Item(b)) => Some((a, b)),
            _ => None,
        })
        .collect();
    let started = Instant::now();
    let whole = forecast(&all_items, &needs, &available, &HashMap::default(), TODAY);
    eprintln!(
        "forecast: {} item needs; {} open items finish, {} unschedulable (one run {:.2?})",
        needs.len(),
        whole.finish.len(),
        whole.unschedulable.len(),
        started.elapsed()
    );
    drop(whole);
    group.bench_function("forecast of the whole workspace (1M items)", |b| {
        b.iter(|| {
            forecast(
                black_box(&all_items),
                black_box(&needs),
                black_box(&available),
                &HashMap::default(),
                TODAY,
            )
        })
    });
    group.finish();

    let mut group = c.benchmark_group("synth");
    group.bench_function("generate Shape::design()", |b| {
        b.iter(|| generate(&Shape::design(), black_box(SEED), TODAY, now()))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = core_rules
}
criterion_main!(benches);
