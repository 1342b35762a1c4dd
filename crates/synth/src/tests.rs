use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use jiff::civil::date;
use landed_core::deps::{goal_item_edges, is_acyclic};
use landed_core::plan::{GoalStatus, PlanPolicy, evaluate_goal};
use landed_core::when::{days_between, time_zone};
use landed_core::{Id, ItemKind, ItemStatus, Node, Rule};

use super::*;

const TODAY: Date = date(2026, 11, 23);

fn now() -> Timestamp {
    "2026-11-23T09:00:00Z".parse().expect("a valid timestamp")
}

/// The 20,000-item world most tests look at, generated once.
fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| generate(&Shape::items(20_000), 42, TODAY, now()))
}

fn roster(world: &World, team: Id) -> Vec<Id> {
    let t = &world.teams[team as usize - 1];
    std::iter::once(t.lead)
        .chain(t.members.iter().copied())
        .collect()
}

/// The dependencies and the goals' needs on their own open items: no cycle may pass through a
/// goal either.
fn with_goal_items(edges: &[(Node, Node)], w: &World) -> Vec<(Node, Node)> {
    edges
        .iter()
        .copied()
        .chain(goal_item_edges(&w.items))
        .collect()
}

#[test]
fn same_seed_gives_the_same_world_and_another_seed_another() {
    let shape = Shape::items(5_000);
    let a = generate(&shape, 7, TODAY, now());
    assert_eq!(a, generate(&shape, 7, TODAY, now()));
    assert_ne!(a, generate(&shape, 8, TODAY, now()));
}

#[test]
fn shapes_keep_the_design_proportions() {
    assert_eq!(Shape::items(1_000_000), Shape::design());
    assert_eq!(
        Shape::items(20_000),
        Shape {
            people: 100,
            teams: 10,
            goals: 200,
            items: 20_000,
            dependencies: 6_000
        }
    );
    let tiny = Shape::items(1);
    assert_eq!(
        [
            tiny.people,
            tiny.teams,
            tiny.goals,
            tiny.items,
            tiny.dependencies
        ],
        [1; 5]
    );
}

#[test]
fn handles_and_team_names_are_unique_at_design_scale() {
    let shape = Shape {
        items: 100,
        goals: 10,
        dependencies: 10,
        ..Shape::design()
    };
    let w = generate(&shape, 42, TODAY, now());
    let handles: HashSet<&str> = w.people.iter().map(|p| p.handle.as_str()).collect();
    assert_eq!(handles.len(), 5_000);
    for h in handles {
        assert!(
            h.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
            "{h}"
        );
    }
    let names: HashSet<&str> = w.teams.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.len(), 500);
}

#[test]
fn ids_and_numbers_are_dense_from_one() {
    let w = world();
    assert_eq!(w.workspace.id, 1);
    let dense = |ids: Vec<Id>| ids.iter().enumerate().all(|(i, &id)| id == i as Id + 1);
    assert!(dense(w.people.iter().map(|p| p.id).collect()));
    assert!(dense(w.teams.iter().map(|t| t.id).collect()));
    assert!(dense(w.dependencies.iter().map(|d| d.id).collect()));
    assert!(dense(w.milestones.iter().map(|m| m.id).collect()));
    assert!(dense(w.goals.iter().map(|g| g.id).collect()));
    assert!(dense(w.items.iter().map(|i| i.id).collect()));
    assert!(w.milestones.iter().all(|m| m.num == m.id));
    assert!(w.goals.iter().all(|g| g.num == g.id && g.version == 1));
    assert!(w.items.iter().all(|i| i.num == i.id && i.version == 1));
    assert!(w.items.iter().all(|i| i.created_at == now()));
    assert_eq!(w.goals.len(), 200);
    assert_eq!(w.items.len(), 20_000);
    assert_eq!(w.milestones.len(), 12);
}

#[test]
fn dependencies_are_distinct_acyclic_and_their_ends_exist() {
    let w = world();
    assert_eq!(w.dependencies.len(), 6_000);
    let edges: Vec<(Node, Node)> = w.dependencies.iter().map(|d| (d.from, d.to)).collect();
    assert!(is_acyclic(&with_goal_items(&edges, w)));
    assert_eq!(edges.iter().collect::<HashSet<_>>().len(), edges.len());
    let exists = |n: Node| match n {
        Node::Item(id) => (1..=w.items.len() as Id).contains(&id),
        Node::Goal(id) => (1..=w.goals.len() as Id).contains(&id),
    };
    assert!(edges.iter().all(|&(a, b)| exists(a) && exists(b) && a != b));
    let count = |f: fn(&(Node, Node)) -> bool| edges.iter().filter(|e| f(e)).count();
    let item_item = count(|e| matches!(e, (Node::Item(_), Node::Item(_))));
    let item_goal = count(|e| matches!(e, (Node::Item(_), Node::Goal(_))));
    let goal_goal = count(|e| matches!(e, (Node::Goal(_), Node::Goal(_))));
    assert!(
        item_item * 100 > edges.len() * 70,
        "mostly item → item: {item_item}, {item_goal} item → goal, {goal_goal} goal → goal"
    );
    assert!(item_goal > 0 && goal_goal > 0);
    let needed_by = w
        .dependencies
        .iter()
        .filter(|d| d.needed_by.is_some())
        .count();
    assert!(
        (1_000..3_000).contains(&needed_by),
        "{needed_by} with a date"
    );
}

#[test]
fn most_dependencies_cross_teams() {
    let w = world();
    let team_of = |n: Node| match n {
        Node::Goal(id) => w.goals[id as usize - 1].team,
        Node::Item(id) => w.items[id as usize - 1]
            .goal
            .and_then(|g| w.goals[g as usize - 1].team),
    };
    let (mut known, mut crossing) = (0, 0);
    for d in &w.dependencies {
        if let (Some(a), Some(b)) = (team_of(d.from), team_of(d.to)) {
            known += 1;
            crossing += usize::from(a != b);
        }
    }
    assert!(
        crossing * 100 > known * 70,
        "{crossing} of {known} cross teams"
    );
}

#[test]
fn about_seventy_percent_of_open_goals_are_plans_and_every_failure_occurs() {
    let w = world();
    let mut by_goal: Vec<Vec<&Item>> = vec![Vec::new(); w.goals.len()];
    for item in &w.items {
        if let Some(g) = item.goal {
            by_goal[g as usize - 1].push(item);
        }
    }
    let policy = PlanPolicy::default();
    let mut failing = HashSet::new();
    let mut statuses: HashMap<GoalStatus, usize> = HashMap::new();
    for (goal, items) in w.goals.iter().zip(&by_goal) {
        let verdict = evaluate_goal(goal, items.iter().copied(), &policy);
        failing.extend(verdict.failing.iter().copied());
        *statuses.entry(verdict.status).or_default() += 1;
    }
    let plans = statuses[&GoalStatus::Plan];
    let open = plans + statuses[&GoalStatus::Aspiration];
    assert!(
        (60..=80).contains(&(plans * 100 / open)),
        "{plans} plans of {open} open goals"
    );
    for rule in Rule::GOAL_RULES.iter().chain(&Rule::ITEM_RULES) {
        assert!(failing.contains(rule), "no goal fails {rule}");
    }
}

#[test]
fn goals_have_owners_in_their_team_and_targets_one_to_six_months_out() {
    let w = world();
    for g in &w.goals {
        let team = g.team.expect("every goal has a team");
        if let Some(owner) = g.owner {
            assert!(roster(w, team).contains(&owner), "G-{}", g.num);
        }
        if let Some(target) = g.target.date {
            assert!(
                (28..=186).contains(&days_between(TODAY, target)),
                "G-{}",
                g.num
            );
        }
    }
    for (what, count) in [
        (
            "outcome",
            w.goals.iter().filter(|g| g.outcome.is_some()).count(),
        ),
        (
            "owner",
            w.goals.iter().filter(|g| g.owner.is_some()).count(),
        ),
        (
            "target",
            w.goals.iter().filter(|g| g.target.date.is_some()).count(),
        ),
    ] {
        assert!(
            count * 100 > w.goals.len() * 85,
            "{count} goals with an {what}"
        );
    }
    assert!(w.goals.iter().any(|g| g.target.milestone.is_some()));
    assert!(
        w.goals
            .iter()
            .any(|g| g.closed.is_some() && g.close_reason.is_some())
    );
}

#[test]
fn strategic_items_belong_to_their_goals_team_and_reactive_ones_to_no_goal() {
    let w = world();
    let reactive = w
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Reactive)
        .count();
    assert!((2_500..3_500).contains(&reactive), "{reactive} reactive");
    for item in &w.items {
        assert_eq!(item.goal.is_none(), item.kind == ItemKind::Reactive);
        if let (Some(g), Some(owner)) = (item.goal, item.owner) {
            let team = w.goals[g as usize - 1].team.expect("every goal has a team");
            assert!(roster(w, team).contains(&owner), "I-{}", item.num);
        }
    }
}

#[test]
fn statuses_are_mixed_and_blocked_or_dropped_items_say_why() {
    let w = world();
    let mut counts: HashMap<ItemStatus, usize> = HashMap::new();
    for item in &w.items {
        *counts.entry(item.status).or_default() += 1;
        assert_eq!(
            item.status_reason.is_some(),
            item.status.needs_reason(),
            "I-{}",
            item.num
        );
    }
    let most = counts.iter().max_by_key(|(_, n)| **n).map(|(s, _)| *s);
    assert_eq!(most, Some(ItemStatus::Todo));
    assert!(counts[&ItemStatus::Dropped] < counts[&ItemStatus::Blocked] * 2);
    assert!(ItemStatus::ALL.iter().all(|s| counts[s] > 0));
}

#[test]
fn estimates_are_hours_to_days_with_a_few_too_big() {
    let w = world();
    let estimates: Vec<f64> = w.items.iter().filter_map(|i| i.estimate_hours).collect();
    assert!(estimates.iter().all(|h| (1.0..=40.0).contains(h)));
    let too_big = estimates.iter().filter(|h| **h > 24.0).count();
    assert!(
        too_big > 0 && too_big * 100 < estimates.len() * 5,
        "{too_big}"
    );
}

#[test]
fn due_dates_lie_around_today() {
    let w = world();
    for item in &w.items {
        if let Some(due) = item.due.date {
            let days = days_between(TODAY, due);
            assert!(
                (-21..=216).contains(&days),
                "I-{} due in {days} days",
                item.num
            );
        }
    }
}

#[test]
fn people_are_plausible_and_all_in_a_team() {
    let w = world();
    let mut in_team = HashSet::new();
    for t in &w.teams {
        in_team.insert(t.lead);
        in_team.extend(t.members.iter().copied());
        assert!(t.members.windows(2).all(|p| p[0] < p[1]) && !t.members.contains(&t.lead));
    }
    assert_eq!(in_team.len(), w.people.len());
    for p in &w.people {
        assert!(time_zone(&p.tz).is_ok(), "{}", p.tz);
        assert!([40.0, 32.0, 24.0].contains(&p.capacity_hours));
        assert!(p.name.contains(' ') && p.email.as_deref().is_some_and(|e| e.contains('@')));
    }
    let full_time = w.people.iter().filter(|p| p.capacity_hours == 40.0).count();
    assert!(full_time * 100 > w.people.len() * 65);
}

#[test]
fn tiny_and_lopsided_shapes_still_generate() {
    for shape in [
        Shape::items(1),
        Shape::items(10),
        Shape {
            people: 0,
            teams: 0,
            goals: 0,
            items: 0,
            dependencies: 5,
        },
        Shape {
            people: 3,
            teams: 7,
            goals: 2,
            items: 50,
            dependencies: 10_000,
        },
    ] {
        let w = generate(&shape, 1, TODAY, now());
        assert!(!w.people.is_empty() && !w.teams.is_empty());
        assert_eq!(w.items.len(), shape.items);
        let edges: Vec<(Node, Node)> = w.dependencies.iter().map(|d| (d.from, d.to)).collect();
        assert!(is_acyclic(&with_goal_items(&edges, &w)));
    }
}

#[test]
fn dependency_classes_are_mixed_with_ok_the_most_common() {
    use landed_core::deps::{DepClass, classify, goal_supply, item_supply, need_date};
    let w = world();
    let mut by_goal: Vec<Vec<&Item>> = vec![Vec::new(); w.goals.len()];
    for item in &w.items {
        if let Some(g) = item.goal {
            by_goal[g as usize - 1].push(item);
        }
    }
    let policy = PlanPolicy::default();
    let verdicts: Vec<_> = w
        .goals
        .iter()
        .zip(&by_goal)
        .map(|(g, items)| evaluate_goal(g, items.iter().copied(), &policy))
        .collect();
    let mut counts: HashMap<DepClass, usize> = HashMap::new();
    for d in &w.dependencies {
        let supply = match d.to {
            Node::Item(id) => item_supply(&w.items[id as usize - 1]),
            Node::Goal(id) => goal_supply(&w.goals[id as usize - 1], &verdicts[id as usize - 1]),
        };
        let needing = match d.from {
            Node::Item(id) => w.items[id as usize - 1].due.date,
            Node::Goal(id) => w.goals[id as usize - 1].target.date,
        };
        *counts
            .entry(classify(need_date(d.needed_by, needing), supply))
            .or_default() += 1;
    }
    let most = counts.iter().max_by_key(|(_, n)| **n).map(|(c, _)| *c);
    assert_eq!(most, Some(DepClass::Ok), "{counts:?}");
    for class in [DepClass::Phantom, DepClass::Late, DepClass::Met] {
        assert!(
            counts.get(&class).copied().unwrap_or(0) * 100 > w.dependencies.len() * 5,
            "{counts:?}"
        );
    }
}
