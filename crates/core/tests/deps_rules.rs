//! Dependencies (DESIGN §3): the class of "A needs B by D", cycles refused with their path,
//! and the one next action for a person (DESIGN §6).

use jiff::Timestamp;
use jiff::civil::{Date, date};
use landed_core::deps::{
    Cycle, DepClass, GoalRisk, PhantomWhy, RiskWhy, Supply, classify, cycle_if_added, goal_risk,
    goal_supply, is_acyclic, item_risk, item_supply, need_date, request_overdue,
};
use landed_core::next::{Candidate, next_action};
use landed_core::plan::{PlanPolicy, evaluate_goal};
use landed_core::{Closure, Goal, Id, Item, ItemKind, ItemStatus, Node, When};
use proptest::prelude::*;

const ANA: Id = 1;
const BEA: Id = 2;

fn day(d: i8) -> Date {
    date(2026, 3, d)
}

/// A goal with owner, target on the 20th and a measurable outcome.
fn goal() -> Goal {
    Goal {
        id: 1,
        num: 1,
        title: "Checkout is fast".into(),
        outcome: Some("p99 latency < 200 ms".into()),
        owner: Some(ANA),
        target: When::on(day(20)),
        team: None,
        closed: None,
        close_reason: None,
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
        version: 1,
    }
}

/// An open item of Ana's with its W's, due on the 10th.
fn item(id: Id) -> Item {
    Item {
        id,
        num: id,
        title: format!("step {id}"),
        outcome: Some("runbook published".into()),
        owner: Some(ANA),
        due: When::on(day(10)),
        estimate_hours: None,
        status: ItemStatus::Todo,
        status_reason: None,
        actual_hours: None,
        done_at: None,
        kind: ItemKind::Strategic,
        goal: Some(1),
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
        version: 1,
    }
}

fn with_status(mut item: Item, status: ItemStatus) -> Item {
    item.status = status;
    item
}

fn due(mut item: Item, date: Option<Date>) -> Item {
    item.due = When {
        date,
        milestone: None,
    };
    item
}

fn supply_of_goal(goal: &Goal, items: &[Item]) -> Supply {
    goal_supply(goal, &evaluate_goal(goal, items, &PlanPolicy::default()))
}

// --- What the supplier amounts to ----------------------------------------------------------

#[test]
fn item_with_its_ws_supplies_a_commitment_on_its_due_date() {
    assert_eq!(item_supply(&item(1)), Supply::Committed(day(10)));
}

#[test]
fn blocked_item_with_its_ws_is_still_committed() {
    let blocked = with_status(item(1), ItemStatus::Blocked);
    assert_eq!(item_supply(&blocked), Supply::Committed(day(10)));
}

#[test]
fn item_missing_any_w_supplies_a_phantom() {
    let lacking = [
        Item {
            outcome: None,
            ..item(1)
        },
        Item {
            owner: None,
            ..item(1)
        },
        due(item(1), None),
    ];
    for i in lacking {
        assert_eq!(
            item_supply(&i),
            Supply::Phantom(PhantomWhy::MissingWs),
            "{i:?}"
        );
    }
}

#[test]
fn dropped_item_supplies_a_phantom() {
    let dropped = with_status(item(1), ItemStatus::Dropped);
    assert_eq!(item_supply(&dropped), Supply::Phantom(PhantomWhy::Dropped));
}

#[test]
fn done_item_is_supplied_even_without_its_ws() {
    let done = Item {
        owner: None,
        ..with_status(item(1), ItemStatus::Done)
    };
    assert_eq!(item_supply(&done), Supply::Done);
}

#[test]
fn planned_goal_supplies_a_commitment_on_its_target() {
    assert_eq!(
        supply_of_goal(&goal(), &[item(1)]),
        Supply::Committed(day(20))
    );
}

#[test]
fn aspiration_goal_supplies_a_phantom() {
    assert_eq!(
        supply_of_goal(&goal(), &[]),
        Supply::Phantom(PhantomWhy::Aspiration)
    );
}

#[test]
fn closed_goals_supply_met_or_phantom() {
    let done = Goal {
        closed: Some(Closure::Done),
        ..goal()
    };
    let dropped = Goal {
        closed: Some(Closure::Dropped),
        ..goal()
    };
    assert_eq!(supply_of_goal(&done, &[]), Supply::Done);
    assert_eq!(
        supply_of_goal(&dropped, &[item(1)]),
        Supply::Phantom(PhantomWhy::Dropped)
    );
}

// --- Classes -------------------------------------------------------------------------------

#[test]
fn needing_an_aspiration_goal_is_phantom() {
    let supply = supply_of_goal(&goal(), &[]);
    assert_eq!(classify(Some(day(25)), supply), DepClass::Phantom);
}

#[test]
fn needing_an_item_missing_a_w_is_phantom() {
    let unowned = Item {
        owner: None,
        ..item(1)
    };
    assert_eq!(
        classify(Some(day(25)), item_supply(&unowned)),
        DepClass::Phantom
    );
}

#[test]
fn needing_a_dropped_item_is_phantom() {
    let dropped = with_status(item(1), ItemStatus::Dropped);
    assert_eq!(
        classify(Some(day(25)), item_supply(&dropped)),
        DepClass::Phantom
    );
}

#[test]
fn supplier_due_after_needed_by_is_late() {
    let supplier = due(item(1), Some(day(12)));
    assert_eq!(
        classify(Some(day(11)), item_supply(&supplier)),
        DepClass::Late
    );
}

#[test]
fn goal_targeting_after_needed_by_is_late() {
    let supply = supply_of_goal(&goal(), &[item(1)]);
    assert_eq!(classify(Some(day(19)), supply), DepClass::Late);
}

#[test]
fn supplier_due_on_or_before_needed_by_is_ok() {
    let supplier = item(1);
    assert_eq!(
        classify(Some(day(10)), item_supply(&supplier)),
        DepClass::Ok
    );
    assert_eq!(
        classify(Some(day(11)), item_supply(&supplier)),
        DepClass::Ok
    );
}

#[test]
fn done_supplier_is_met_whatever_the_date() {
    let done = due(with_status(item(1), ItemStatus::Done), Some(day(30)));
    assert_eq!(classify(Some(day(1)), item_supply(&done)), DepClass::Met);
    assert_eq!(classify(None, item_supply(&done)), DepClass::Met);
}

#[test]
fn without_a_need_date_a_commitment_is_never_late() {
    let far = due(item(1), Some(date(2030, 1, 1)));
    assert_eq!(classify(None, item_supply(&far)), DepClass::Ok);
}

#[test]
fn without_a_need_date_a_phantom_is_still_phantom() {
    assert_eq!(
        classify(None, Supply::Phantom(PhantomWhy::Aspiration)),
        DepClass::Phantom
    );
}

#[test]
fn need_date_defaults_to_the_needing_side_date() {
    assert_eq!(need_date(Some(day(5)), Some(day(9))), Some(day(5)));
    assert_eq!(need_date(None, Some(day(9))), Some(day(9)));
    assert_eq!(need_date(None, None), None);
}

// --- Cycles --------------------------------------------------------------------------------

const I1: Node = Node::Item(1);
const I4: Node = Node::Item(4);
const I7: Node = Node::Item(7);
const I9: Node = Node::Item(9);
const G2: Node = Node::Goal(2);

#[test]
fn needing_back_what_needs_you_names_the_two_step_cycle() {
    assert_eq!(
        cycle_if_added(&[(I4, I9)], I9, I4),
        Some(Cycle(vec![I9, I4, I9]))
    );
}

#[test]
fn longer_cycle_is_named_in_order() {
    let edges = [(I4, I7), (I7, I9)];
    assert_eq!(
        cycle_if_added(&edges, I9, I4),
        Some(Cycle(vec![I9, I4, I7, I9]))
    );
}

#[test]
fn cycle_through_a_goal_is_named_with_the_goal() {
    let edges = [(I4, G2), (G2, I9)];
    assert_eq!(
        cycle_if_added(&edges, I9, I4),
        Some(Cycle(vec![I9, I4, G2, I9]))
    );
}

#[test]
fn self_dependency_is_a_cycle_of_one_step() {
    assert_eq!(cycle_if_added(&[], I1, I1), Some(Cycle(vec![I1, I1])));
}

#[test]
fn the_shortest_cycle_is_named() {
    let edges = [(I4, I7), (I7, I1), (I1, I9), (I4, I9)];
    assert_eq!(
        cycle_if_added(&edges, I9, I4),
        Some(Cycle(vec![I9, I4, I9]))
    );
}

#[test]
fn edge_in_the_same_direction_is_no_cycle() {
    assert_eq!(cycle_if_added(&[(I4, I9)], I4, I9), None);
    assert_eq!(cycle_if_added(&[(I4, I7), (I7, I9)], I4, I9), None);
}

#[test]
fn diamond_is_no_cycle() {
    let edges = [(I1, I4), (I1, I7), (I4, I9)];
    assert_eq!(cycle_if_added(&edges, I7, I9), None);
}

#[test]
fn same_number_on_item_and_goal_are_different_nodes() {
    assert_eq!(
        cycle_if_added(&[(Node::Goal(4), I9)], I9, I4),
        None,
        "G-4 is not I-4"
    );
}

#[test]
fn acyclic_graphs_are_recognised() {
    assert!(is_acyclic(&[]));
    assert!(is_acyclic(&[(I1, I4), (I4, I9), (I1, I9)]));
}

#[test]
fn cyclic_graphs_are_recognised() {
    assert!(!is_acyclic(&[(I1, I1)]));
    assert!(!is_acyclic(&[(I4, I9), (I9, I4)]));
    assert!(!is_acyclic(&[(I1, I4), (I4, I7), (I7, I9), (I9, I4)]));
}

// --- The next action -----------------------------------------------------------------------

fn cand(item: &Item, serves_plan: bool) -> Candidate<'_> {
    Candidate { item, serves_plan }
}

fn next(person: Id, candidates: &[Candidate<'_>]) -> Option<Id> {
    next_action(person, candidates).map(|c| c.item.id)
}

#[test]
fn nothing_to_do_is_no_next_action() {
    assert_eq!(next(ANA, &[]), None);
}

#[test]
fn work_that_serves_a_plan_comes_first() {
    let early = due(item(1), Some(day(2)));
    let planned = due(item(2), Some(day(9)));
    assert_eq!(
        next(ANA, &[cand(&early, false), cand(&planned, true)]),
        Some(2)
    );
}

#[test]
fn earliest_due_comes_first() {
    let later = due(item(1), Some(day(9)));
    let sooner = due(item(2), Some(day(3)));
    assert_eq!(
        next(ANA, &[cand(&later, true), cand(&sooner, true)]),
        Some(2)
    );
}

#[test]
fn undated_items_come_last() {
    let undated = due(item(1), None);
    let far = due(item(2), Some(date(2030, 1, 1)));
    assert_eq!(
        next(ANA, &[cand(&undated, true), cand(&far, true)]),
        Some(2)
    );
}

#[test]
fn undated_item_is_next_when_nothing_else_is_open() {
    let undated = due(item(1), None);
    assert_eq!(next(ANA, &[cand(&undated, true)]), Some(1));
}

#[test]
fn work_in_progress_comes_before_todo_on_the_same_day() {
    let todo = item(1);
    let doing = with_status(item(2), ItemStatus::Doing);
    assert_eq!(next(ANA, &[cand(&todo, true), cand(&doing, true)]), Some(2));
}

#[test]
fn oldest_item_breaks_remaining_ties() {
    let newer = item(8);
    let older = item(3);
    assert_eq!(
        next(ANA, &[cand(&newer, true), cand(&older, true)]),
        Some(3)
    );
}

#[test]
fn blocked_done_and_dropped_items_are_never_next() {
    let closed: Vec<_> = [ItemStatus::Blocked, ItemStatus::Done, ItemStatus::Dropped]
        .into_iter()
        .enumerate()
        .map(|(n, s)| with_status(due(item(n as Id + 1), Some(day(1))), s))
        .collect();
    let cands: Vec<_> = closed.iter().map(|i| cand(i, true)).collect();
    assert_eq!(next(ANA, &cands), None);

    let todo = due(item(9), None);
    let mut with_todo = cands.clone();
    with_todo.push(cand(&todo, false));
    assert_eq!(next(ANA, &with_todo), Some(9));
}

#[test]
fn other_peoples_items_are_never_next() {
    let beas = Item {
        owner: Some(BEA),
        ..due(item(1), Some(day(1)))
    };
    let unowned = Item {
        owner: None,
        ..due(item(2), Some(day(1)))
    };
    let anas = due(item(3), None);
    let cands = [cand(&beas, true), cand(&unowned, true), cand(&anas, false)];
    assert_eq!(next(ANA, &cands), Some(3));
    assert_eq!(next(BEA, &cands), Some(1));
}

#[test]
fn a_goal_supplier_is_at_risk_when_late_blocked_or_forecast_after_the_need() {
    let (g, items) = (goal(), vec![item(1), item(2)]);
    let none = |_| None;
    let on_the_9th = |_| Some(day(9));
    let on_the_12th = |id| (id == 2).then(|| day(12));
    assert_eq!(goal_risk(&g, &items, day(5), Some(day(11)), none), None);
    assert_eq!(
        goal_risk(&g, &items, day(5), Some(day(11)), on_the_9th),
        None
    );
    assert_eq!(
        goal_risk(&g, &items, day(5), Some(day(11)), on_the_12th),
        Some(RiskWhy::Forecast),
        "a goal cannot land before its items"
    );
    assert_eq!(
        goal_risk(&g, &items, day(21), Some(day(25)), none),
        Some(RiskWhy::Overdue),
        "past its target"
    );
    let mut blocked = items.clone();
    blocked[0].status = ItemStatus::Blocked;
    assert_eq!(
        goal_risk(&g, &blocked, day(5), Some(day(11)), none),
        Some(RiskWhy::Blocked)
    );
    let mut closed = goal();
    closed.closed = Some(Closure::Done);
    assert_eq!(goal_risk(&closed, &[], day(21), Some(day(25)), none), None);
}

/// An open item that is overdue counts against a goal through its target, not its forecast:
/// what is kept of the items (`GoalRisk`) must not lose that.
#[test]
fn an_overdue_item_forecast_late_does_not_make_its_goal_forecast_late() {
    let g = goal();
    let items = vec![due(item(1), Some(day(4)))];
    let late = |_| Some(day(15));
    assert_eq!(goal_risk(&g, &items, day(5), Some(day(11)), late), None);
    assert_eq!(
        goal_risk(&g, &items, day(3), Some(day(11)), late),
        Some(RiskWhy::Forecast),
        "before its due date it is only forecast late"
    );
    let kept = GoalRisk::of(&items, late);
    assert_eq!(kept.at(&g, day(5), Some(day(11))), None);
    assert_eq!(kept.at(&g, day(3), Some(day(11))), Some(RiskWhy::Forecast));
}

/// The risk of a goal as first written: blocked items, then open items whose own risk is a
/// late forecast. What is kept between writes must judge exactly as this does.
fn risk_from_items(
    goal: &Goal,
    items: &[Item],
    today: Date,
    needed: Option<Date>,
    forecast: &dyn Fn(Id) -> Option<Date>,
) -> Option<RiskWhy> {
    if goal.closed.is_none() && goal.target.date.is_some_and(|t| t < today) {
        return Some(RiskWhy::Overdue);
    }
    if items.iter().any(|i| i.status == ItemStatus::Blocked) {
        return Some(RiskWhy::Blocked);
    }
    items
        .iter()
        .filter(|i| i.status.is_open())
        .any(|i| item_risk(i, today, needed, forecast(i.id)) == Some(RiskWhy::Forecast))
        .then_some(RiskWhy::Forecast)
}

fn a_day() -> impl Strategy<Value = Date> {
    (1i8..=28).prop_map(day)
}

fn a_status() -> impl Strategy<Value = ItemStatus> {
    prop_oneof![
        Just(ItemStatus::Todo),
        Just(ItemStatus::Doing),
        Just(ItemStatus::Blocked),
        Just(ItemStatus::Done),
        Just(ItemStatus::Dropped),
    ]
}

proptest! {
    /// What is kept of a goal's items (`GoalRisk`, made once, judged on any day and need)
    /// gives the risk its items give, whatever the items, forecasts, day and need.
    #[test]
    fn the_kept_risk_of_a_goal_is_the_risk_of_its_items(
        items in prop::collection::vec(
            (a_status(), prop::option::of(a_day()), prop::option::of(a_day())),
            0..8,
        ),
        target in prop::option::of(a_day()),
        closed in prop::option::of(prop_oneof![Just(Closure::Done), Just(Closure::Dropped)]),
        today in a_day(),
        needed in prop::option::of(a_day()),
    ) {
        let g = Goal { target: When { date: target, milestone: None }, closed, ..goal() };
        let finishes: Vec<Option<Date>> = items.iter().map(|(_, _, f)| *f).collect();
        let items: Vec<Item> = items
            .iter()
            .enumerate()
            .map(|(n, (status, d, _))| with_status(due(item(n as Id + 1), *d), *status))
            .collect();
        let forecast = |id: Id| finishes[id as usize - 1];
        let want = risk_from_items(&g, &items, today, needed, &forecast);
        prop_assert_eq!(goal_risk(&g, &items, today, needed, forecast), want);
        let kept = GoalRisk::of(&items, forecast);
        prop_assert_eq!(kept.at(&g, today, needed), want);
        // Kept as JSON in the store: it reads back the same.
        let back: GoalRisk = serde_json::from_str(&serde_json::to_string(&kept).unwrap()).unwrap();
        prop_assert_eq!(back, kept);
    }
}

#[test]
fn an_open_request_is_overdue_after_the_set_days() {
    use landed_core::model::RequestState;
    assert!(!request_overdue(RequestState::Open, day(1), day(6), 5));
    assert!(request_overdue(RequestState::Open, day(1), day(7), 5));
    assert!(!request_overdue(
        RequestState::Committed,
        day(1),
        day(20),
        5
    ));
    assert!(!request_overdue(RequestState::NotYet, day(1), day(20), 5));
}
