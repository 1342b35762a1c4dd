//! The core's rules at DESIGN §10 scale, on the synthetic workspace of `Shape::design()`:
//! - plan status of all 10,000 goals over 1,000,000 items (goal: under 150 ms);
//! - the class of all 300,000 dependencies (goal: under 150 ms).
//!
//! The world is generated once, outside every timed loop; its generation is timed too.
//!
//! Run: CARGO_TARGET_DIR=/work/target-synth cargo bench -p landed-synth --bench core_rules

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use landed_core::deps::{DepClass, Supply, classify, goal_supply, item_supply, need_date};
use landed_core::plan::{GoalStatus, GoalVerdict, PlanPolicy, evaluate_goal};
use landed_core::{Dependency, Goal, Item, Node};
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
