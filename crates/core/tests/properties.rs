//! Invariants of DESIGN §2 and §3 checked on random goals, items and dependency graphs.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use landed_core::deps::{cycle_if_added, is_acyclic};
use landed_core::plan::{
    GoalStatus, GoalVerdict, PlanPolicy, checklist, evaluate_goal, has_ws, missing_ws,
};
use landed_core::{Closure, Goal, Id, Item, ItemKind, ItemStatus, Node, When};
use proptest::prelude::*;
use proptest::sample::Index;

fn day(d: i8) -> Date {
    date(2026, 3, d)
}

fn when() -> impl Strategy<Value = When> {
    prop_oneof![
        Just(When::NONE),
        (1i8..=31).prop_map(|d| When::on(day(d))),
        Just(When {
            date: None,
            milestone: Some(3)
        }),
    ]
}

fn text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop::sample::select(vec![
        "",
        "  ",
        "runbook published",
        "improve reliability",
        "p99 < 200 ms",
    ]))
    .prop_map(|t| t.map(String::from))
}

fn goal() -> impl Strategy<Value = Goal> {
    (
        text(),
        prop::option::of(1..3 as Id),
        when(),
        prop::option::of(prop_oneof![Just(Closure::Done), Just(Closure::Dropped)]),
    )
        .prop_map(|(outcome, owner, target, closed)| Goal {
            id: 1,
            num: 1,
            title: "goal".into(),
            outcome,
            owner,
            target,
            team: None,
            closed,
            close_reason: closed.map(|_| "closed".into()),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            version: 1,
        })
}

fn open_goal() -> impl Strategy<Value = Goal> {
    goal().prop_map(|g| Goal {
        closed: None,
        close_reason: None,
        ..g
    })
}

fn item() -> impl Strategy<Value = Item> {
    (
        prop::sample::select(vec!["", " ", "step"]),
        text(),
        prop::option::of(1..3 as Id),
        when(),
        prop::option::of(0.0..48.0f64),
        prop::sample::select(ItemStatus::ALL.to_vec()),
    )
        .prop_map(
            |(title, outcome, owner, due, estimate_hours, status)| Item {
                id: 0,
                num: 0,
                title: title.into(),
                outcome,
                owner,
                due,
                estimate_hours,
                status,
                status_reason: None,
                actual_hours: None,
                done_at: None,
                kind: ItemKind::Strategic,
                goal: Some(1),
                created_at: Timestamp::UNIX_EPOCH,
                updated_at: Timestamp::UNIX_EPOCH,
                version: 1,
            },
        )
}

fn items() -> impl Strategy<Value = Vec<Item>> {
    prop::collection::vec(item(), 0..6).prop_map(|mut items| {
        for (n, i) in items.iter_mut().enumerate() {
            i.id = n as Id + 1;
            i.num = n as Id + 1;
        }
        items
    })
}

fn verdict(goal: &Goal, items: &[Item]) -> GoalVerdict {
    evaluate_goal(goal, items, &PlanPolicy::default())
}

/// One W given to an item.
#[derive(Debug, Clone, Copy)]
enum GiveW {
    Title,
    Outcome,
    Owner,
    /// A due date on this day of the month, pulled in to the goal's target if later.
    Due(i8),
}

fn give_w() -> impl Strategy<Value = GiveW> {
    prop_oneof![
        Just(GiveW::Title),
        Just(GiveW::Outcome),
        Just(GiveW::Owner),
        (1i8..=31).prop_map(GiveW::Due),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    prop_oneof![
        (1..7 as Id).prop_map(Node::Item),
        (1..3 as Id).prop_map(Node::Goal)
    ]
}

proptest! {
    #[test]
    fn open_goal_is_a_plan_exactly_when_no_rule_fails(g in open_goal(), items in items()) {
        let v = verdict(&g, &items);
        prop_assert_eq!(v.status == GoalStatus::Plan, v.failing.is_empty());
        prop_assert!(matches!(v.status, GoalStatus::Plan | GoalStatus::Aspiration));
    }

    #[test]
    fn closed_goal_keeps_its_closure(g in goal(), items in items()) {
        let v = verdict(&g, &items);
        match g.closed {
            Some(Closure::Done) => prop_assert_eq!(v.status, GoalStatus::Done),
            Some(Closure::Dropped) => prop_assert_eq!(v.status, GoalStatus::Dropped),
            None => prop_assert!(v.status != GoalStatus::Done && v.status != GoalStatus::Dropped),
        }
    }

    #[test]
    fn giving_an_item_a_missing_w_never_adds_a_failing_rule(
        g in goal(),
        mut items in items().prop_filter("an item to edit", |i| !i.is_empty()),
        which in any::<Index>(),
        w in give_w(),
    ) {
        let before = verdict(&g, &items).failing;
        let n = which.index(items.len());
        let i = &mut items[n];
        match w {
            GiveW::Title => i.title = "step".into(),
            GiveW::Outcome => i.outcome = Some("runbook published".into()),
            GiveW::Owner => i.owner = Some(1),
            GiveW::Due(d) => {
                let d = g.target.date.map_or(day(d), |t| t.min(day(d)));
                i.due = When::on(d);
            }
        }
        let after = verdict(&g, &items).failing;
        for rule in &after {
            prop_assert!(before.contains(rule), "{} appeared: {:?} -> {:?}", rule, before, after);
        }
    }

    #[test]
    fn failing_rules_and_warnings_are_sorted_and_unique(g in goal(), items in items()) {
        let v = verdict(&g, &items);
        prop_assert!(v.failing.windows(2).all(|w| w[0] < w[1]), "{:?}", v.failing);
        prop_assert!(v.warnings.windows(2).all(|w| w[0] < w[1]), "{:?}", v.warnings);
        prop_assert!(v.failing.iter().all(|r| !r.is_warning()));
        prop_assert!(v.warnings.iter().all(|r| r.is_warning()));
    }

    #[test]
    fn has_ws_agrees_with_missing_ws(i in item()) {
        prop_assert_eq!(has_ws(&i), missing_ws(&i).is_empty());
    }

    #[test]
    fn checklist_fails_exactly_the_failing_rules_and_warnings(g in goal(), items in items()) {
        let v = verdict(&g, &items);
        for line in checklist(&v) {
            let failed = v.failing.contains(&line.rule) || v.warnings.contains(&line.rule);
            prop_assert_eq!(line.passed, !failed, "{}", line.rule);
            prop_assert_eq!(line.fix.is_some(), failed, "{}", line.rule);
        }
    }

    #[test]
    fn refusing_cycles_keeps_the_graph_acyclic(
        attempts in prop::collection::vec((node(), node()), 0..40),
    ) {
        let mut edges: Vec<(Node, Node)> = Vec::new();
        for (from, to) in attempts {
            match cycle_if_added(&edges, from, to) {
                None => edges.push((from, to)),
                Some(cycle) => {
                    let c = &cycle.0;
                    prop_assert!(c.len() >= 2, "{:?}", c);
                    prop_assert_eq!(c[0], from);
                    prop_assert_eq!(c[c.len() - 1], from);
                    prop_assert_eq!(c[1], to);
                    for pair in c[1..].windows(2) {
                        prop_assert!(
                            edges.contains(&(pair[0], pair[1])),
                            "{:?} -> {:?} is not an edge of {:?}", pair[0], pair[1], edges
                        );
                    }
                    let inner = &c[1..c.len() - 1];
                    for (n, node) in inner.iter().enumerate() {
                        prop_assert!(!inner[n + 1..].contains(node), "{:?} repeats a node", c);
                    }
                    let mut with = edges.clone();
                    with.push((from, to));
                    prop_assert!(!is_acyclic(&with), "{:?} was called a cycle", c);
                }
            }
            prop_assert!(is_acyclic(&edges), "{:?}", edges);
        }
    }
}
