//! The plan rules of DESIGN §2, one test per rule: what makes an item have its W's, what makes
//! a goal a plan rather than an aspiration, and which warnings never change that.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use landed_core::plan::{
    GoalStatus, GoalVerdict, PlanPolicy, checklist, evaluate_goal, has_ws, item_warnings,
    missing_ws, outcome_is_vague,
};
use landed_core::{Closure, Goal, Id, Item, ItemKind, ItemStatus, Milestone, Rule, When};

const ANA: Id = 1;

fn day(d: i8) -> Date {
    date(2026, 3, d)
}

/// A goal that passes every goal rule: owner, target on the 20th, measurable outcome.
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

/// An open item with its W's, due before the goal's target.
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

fn verdict(goal: &Goal, items: &[Item]) -> GoalVerdict {
    evaluate_goal(goal, items, &PlanPolicy::default())
}

// --- Goals ---------------------------------------------------------------------------------

#[test]
fn goal_with_owner_target_outcome_and_planned_items_is_a_plan() {
    let v = verdict(&goal(), &[item(1), item(2)]);
    assert_eq!(v.status, GoalStatus::Plan);
    assert!(v.is_plan());
    assert_eq!(v.failing, []);
    assert_eq!(v.warnings, []);
    assert!(v.items.is_empty());
}

#[test]
fn goal_without_items_is_an_aspiration() {
    let v = verdict(&goal(), &[]);
    assert_eq!(v.status, GoalStatus::Aspiration);
    assert_eq!(v.failing, [Rule::GoalNoItems]);
}

#[test]
fn goal_without_owner_fails_goal_missing_owner() {
    let g = Goal {
        owner: None,
        ..goal()
    };
    let v = verdict(&g, &[item(1)]);
    assert_eq!(v.status, GoalStatus::Aspiration);
    assert_eq!(v.failing, [Rule::GoalMissingOwner]);
}

#[test]
fn goal_without_target_fails_goal_missing_date() {
    let g = Goal {
        target: When::NONE,
        ..goal()
    };
    let v = verdict(&g, &[item(1)]);
    assert_eq!(v.status, GoalStatus::Aspiration);
    assert_eq!(v.failing, [Rule::GoalMissingDate]);
}

#[test]
fn goal_with_milestone_without_date_fails_goal_missing_date() {
    let g = Goal {
        target: When {
            date: None,
            milestone: Some(3),
        },
        ..goal()
    };
    assert_eq!(verdict(&g, &[item(1)]).failing, [Rule::GoalMissingDate]);
}

#[test]
fn goal_targeting_a_dated_milestone_has_its_date() {
    let release = Milestone {
        id: 3,
        num: 3,
        name: "release".into(),
        date: day(20),
        version: 1,
    };
    let g = Goal {
        target: When::at_milestone(&release),
        ..goal()
    };
    assert!(verdict(&g, &[item(1)]).is_plan());
}

#[test]
fn goal_without_outcome_fails_goal_missing_outcome() {
    for outcome in [None, Some(""), Some("   ")] {
        let g = Goal {
            outcome: outcome.map(String::from),
            ..goal()
        };
        let v = verdict(&g, &[item(1)]);
        assert_eq!(v.status, GoalStatus::Aspiration, "outcome {outcome:?}");
        assert_eq!(v.failing, [Rule::GoalMissingOutcome], "outcome {outcome:?}");
    }
}

#[test]
fn goal_with_vague_outcome_warns_but_stays_a_plan() {
    let g = Goal {
        outcome: Some("improve reliability".into()),
        ..goal()
    };
    let v = verdict(&g, &[item(1)]);
    assert!(v.is_plan());
    assert_eq!(v.warnings, [Rule::OutcomeVague]);
}

// --- The W's of an item --------------------------------------------------------------------

#[test]
fn item_with_title_outcome_owner_and_due_has_its_ws() {
    assert_eq!(missing_ws(&item(1)), []);
    assert!(has_ws(&item(1)));
}

#[test]
fn item_without_outcome_lacks_what() {
    for outcome in [None, Some(""), Some(" \t")] {
        let i = Item {
            outcome: outcome.map(String::from),
            ..item(1)
        };
        assert_eq!(
            missing_ws(&i),
            [Rule::ItemMissingWhat],
            "outcome {outcome:?}"
        );
        assert!(!has_ws(&i));
    }
}

#[test]
fn item_without_title_lacks_what() {
    let i = Item {
        title: "  ".into(),
        ..item(1)
    };
    assert_eq!(missing_ws(&i), [Rule::ItemMissingWhat]);
    assert!(!has_ws(&i));
}

#[test]
fn item_without_owner_lacks_who() {
    let i = Item {
        owner: None,
        ..item(1)
    };
    assert_eq!(missing_ws(&i), [Rule::ItemMissingWho]);
    assert!(!has_ws(&i));
}

#[test]
fn item_without_due_date_lacks_when() {
    let i = Item {
        due: When::NONE,
        ..item(1)
    };
    assert_eq!(missing_ws(&i), [Rule::ItemMissingWhen]);
    assert!(!has_ws(&i));
}

#[test]
fn item_on_milestone_without_date_lacks_when() {
    let i = Item {
        due: When {
            date: None,
            milestone: Some(3),
        },
        ..item(1)
    };
    assert_eq!(missing_ws(&i), [Rule::ItemMissingWhen]);
}

#[test]
fn missing_ws_are_listed_what_who_when() {
    let i = Item {
        outcome: None,
        owner: None,
        due: When::NONE,
        ..item(1)
    };
    assert_eq!(
        missing_ws(&i),
        [
            Rule::ItemMissingWhat,
            Rule::ItemMissingWho,
            Rule::ItemMissingWhen
        ]
    );
}

#[test]
fn open_item_without_its_ws_makes_the_goal_an_aspiration() {
    let lacking = Item {
        owner: None,
        ..item(2)
    };
    let v = verdict(&goal(), &[item(1), lacking]);
    assert_eq!(v.status, GoalStatus::Aspiration);
    assert_eq!(v.failing, [Rule::ItemMissingWho]);
}

#[test]
fn blocked_items_are_open_and_need_their_ws() {
    let blocked = Item {
        due: When::NONE,
        ..with_status(item(1), ItemStatus::Blocked)
    };
    let v = verdict(&goal(), &[blocked]);
    assert_eq!(v.failing, [Rule::ItemMissingWhen]);
}

#[test]
fn doing_items_are_open_and_need_their_ws() {
    let doing = Item {
        outcome: None,
        ..with_status(item(1), ItemStatus::Doing)
    };
    assert_eq!(verdict(&goal(), &[doing]).failing, [Rule::ItemMissingWhat]);
}

// --- Dates ---------------------------------------------------------------------------------

#[test]
fn item_due_after_target_fails_item_after_target() {
    let late = Item {
        due: When::on(day(21)),
        ..item(2)
    };
    let v = verdict(&goal(), &[item(1), late]);
    assert_eq!(v.status, GoalStatus::Aspiration);
    assert_eq!(v.failing, [Rule::ItemAfterTarget]);
}

#[test]
fn item_due_on_target_day_is_in_time() {
    let on_the_day = Item {
        due: When::on(day(20)),
        ..item(1)
    };
    assert!(verdict(&goal(), &[on_the_day]).is_plan());
}

#[test]
fn goal_without_target_cannot_have_items_after_it() {
    let g = Goal {
        target: When::NONE,
        ..goal()
    };
    let far = Item {
        due: When::on(date(2030, 1, 1)),
        ..item(1)
    };
    assert_eq!(verdict(&g, &[far]).failing, [Rule::GoalMissingDate]);
}

// --- Which items count ---------------------------------------------------------------------

#[test]
fn done_items_count_but_need_no_ws() {
    let done = Item {
        outcome: None,
        owner: None,
        due: When::on(day(30)),
        ..with_status(item(1), ItemStatus::Done)
    };
    let v = verdict(&goal(), &[done]);
    assert!(v.is_plan(), "failing: {:?}", v.failing);
    assert!(v.items.is_empty());
}

#[test]
fn dropped_items_do_not_count() {
    let dropped = with_status(item(1), ItemStatus::Dropped);
    let v = verdict(&goal(), &[dropped]);
    assert_eq!(v.status, GoalStatus::Aspiration);
    assert_eq!(v.failing, [Rule::GoalNoItems]);
}

#[test]
fn dropped_items_need_no_ws() {
    let dropped = Item {
        outcome: None,
        owner: None,
        due: When::on(day(30)),
        estimate_hours: Some(100.0),
        ..with_status(item(2), ItemStatus::Dropped)
    };
    let v = verdict(&goal(), &[item(1), dropped]);
    assert!(v.is_plan());
    assert_eq!(v.warnings, []);
    assert!(v.items.is_empty());
}

// --- All failures at once ------------------------------------------------------------------

#[test]
fn all_failing_rules_are_reported_not_just_the_first() {
    let g = Goal {
        owner: None,
        outcome: None,
        ..goal()
    };
    let lacking = Item {
        title: String::new(),
        outcome: None,
        owner: None,
        due: When::NONE,
        ..item(1)
    };
    let late = Item {
        due: When::on(day(25)),
        ..item(2)
    };
    let v = verdict(&g, &[lacking, late]);
    assert_eq!(v.status, GoalStatus::Aspiration);
    assert_eq!(
        v.failing,
        [
            Rule::GoalMissingOwner,
            Rule::GoalMissingOutcome,
            Rule::ItemMissingWhat,
            Rule::ItemMissingWho,
            Rule::ItemMissingWhen,
            Rule::ItemAfterTarget,
        ]
    );
}

#[test]
fn goal_with_nothing_fails_every_goal_rule() {
    let g = Goal {
        owner: None,
        target: When::NONE,
        outcome: None,
        ..goal()
    };
    assert_eq!(verdict(&g, &[]).failing, Rule::GOAL_RULES);
}

#[test]
fn a_rule_failed_by_many_items_is_reported_once() {
    let unowned = |id| Item {
        owner: None,
        ..item(id)
    };
    let v = verdict(&goal(), &[unowned(1), unowned(2), unowned(3)]);
    assert_eq!(v.failing, [Rule::ItemMissingWho]);
    assert_eq!(
        v.items_failing(Rule::ItemMissingWho).collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn verdict_lists_only_offending_items_by_id() {
    let unowned = Item {
        owner: None,
        ..item(7)
    };
    let big = Item {
        estimate_hours: Some(40.0),
        ..item(3)
    };
    let v = verdict(&goal(), &[unowned, item(5), big]);
    let ids: Vec<_> = v.items.iter().map(|c| c.item).collect();
    assert_eq!(ids, [3, 7]);
    assert_eq!(v.items[0].failing, []);
    assert_eq!(v.items[0].warnings, [Rule::ItemTooBig]);
    assert_eq!(v.items[1].failing, [Rule::ItemMissingWho]);
    assert_eq!(v.items[1].warnings, []);
}

// --- Warnings ------------------------------------------------------------------------------

#[test]
fn estimate_over_step_limit_warns_too_big_but_stays_a_plan() {
    let big = Item {
        estimate_hours: Some(24.5),
        ..item(1)
    };
    assert_eq!(
        item_warnings(&big, &PlanPolicy::default()),
        [Rule::ItemTooBig]
    );
    let v = verdict(&goal(), &[big]);
    assert!(v.is_plan());
    assert_eq!(v.failing, []);
    assert_eq!(v.warnings, [Rule::ItemTooBig]);
}

#[test]
fn estimate_at_step_limit_is_not_too_big() {
    let i = Item {
        estimate_hours: Some(24.0),
        ..item(1)
    };
    assert_eq!(item_warnings(&i, &PlanPolicy::default()), []);
}

#[test]
fn step_limit_comes_from_the_workspace_policy() {
    let i = Item {
        estimate_hours: Some(10.0),
        ..item(1)
    };
    let strict = PlanPolicy {
        step_limit_hours: 8.0,
    };
    assert_eq!(item_warnings(&i, &strict), [Rule::ItemTooBig]);
    assert_eq!(item_warnings(&i, &PlanPolicy::default()), []);
}

const VAGUE: [&str; 13] = [
    "improve reliability",
    "improve deployment reliability",
    "harden the release pipeline",
    "simplify deployment",
    "optimize migrations",
    "improve signal quality",
    "close the security gap",
    "improve reliability for all users",
    "reduce latency",
    "simplify operations",
    "pay down tech debt",
    "close security gaps",
    "optimize the build",
];

const CONCRETE: [&str; 7] = [
    "p99 latency < 200 ms",
    "reduce latency by half",
    "Jenkins VM deleted",
    "v2 shipped to the EU region",
    "reduce build time to 5 minutes",
    "runbook published",
    "old API removed",
];

#[test]
fn vague_outcomes_warn() {
    for outcome in VAGUE {
        assert!(outcome_is_vague(outcome), "{outcome:?} is a theme");
        let i = Item {
            outcome: Some(outcome.into()),
            ..item(1)
        };
        assert_eq!(
            item_warnings(&i, &PlanPolicy::default()),
            [Rule::OutcomeVague],
            "{outcome:?}"
        );
    }
}

#[test]
fn vague_outcomes_are_recognised_in_any_case() {
    assert!(outcome_is_vague("Improve Reliability"));
    assert!(outcome_is_vague("PAY DOWN TECH DEBT"));
}

#[test]
fn concrete_outcomes_do_not_warn() {
    for outcome in CONCRETE {
        assert!(!outcome_is_vague(outcome), "{outcome:?} is concrete");
        let i = Item {
            outcome: Some(outcome.into()),
            ..item(1)
        };
        assert_eq!(item_warnings(&i, &PlanPolicy::default()), [], "{outcome:?}");
    }
}

#[test]
fn item_with_vague_outcome_still_has_its_what() {
    let i = Item {
        outcome: Some("improve reliability".into()),
        ..item(1)
    };
    assert!(has_ws(&i));
    let v = verdict(&goal(), &[i]);
    assert!(v.is_plan());
    assert_eq!(v.warnings, [Rule::OutcomeVague]);
    assert_eq!(v.items_failing(Rule::OutcomeVague).collect::<Vec<_>>(), [1]);
}

// --- Closed goals --------------------------------------------------------------------------

#[test]
fn closed_goals_keep_closure_status() {
    for (closure, status) in [
        (Closure::Done, GoalStatus::Done),
        (Closure::Dropped, GoalStatus::Dropped),
    ] {
        let g = Goal {
            closed: Some(closure),
            close_reason: Some("decided in review".into()),
            ..goal()
        };
        assert_eq!(verdict(&g, &[item(1)]).status, status);
    }
}

#[test]
fn closed_goals_still_report_their_failing_rules() {
    let g = Goal {
        owner: None,
        closed: Some(Closure::Dropped),
        close_reason: Some("no longer needed".into()),
        ..goal()
    };
    let v = verdict(&g, &[]);
    assert_eq!(v.status, GoalStatus::Dropped);
    assert_eq!(v.failing, [Rule::GoalMissingOwner, Rule::GoalNoItems]);
}

// --- The checklist -------------------------------------------------------------------------

#[test]
fn checklist_has_every_goal_and_item_rule_then_the_warnings() {
    let rules: Vec<_> = checklist(&verdict(&goal(), &[item(1)]))
        .iter()
        .map(|l| l.rule)
        .collect();
    let mut expected = Rule::GOAL_RULES.to_vec();
    expected.extend(Rule::ITEM_RULES);
    expected.extend([Rule::ItemTooBig, Rule::OutcomeVague]);
    assert_eq!(rules, expected);
}

#[test]
fn checklist_of_a_plan_passes_every_line_without_fixes() {
    for line in checklist(&verdict(&goal(), &[item(1)])) {
        assert!(line.passed, "{}", line.rule);
        assert_eq!(line.fix, None, "{}", line.rule);
        assert_eq!(line.items, Vec::<i64>::new(), "{}", line.rule);
        assert_eq!(line.requirement, line.rule.requirement());
    }
}

#[test]
fn checklist_lines_list_the_offending_items() {
    let unowned = |id| Item {
        owner: None,
        ..item(id)
    };
    let late = Item {
        due: When::on(day(28)),
        estimate_hours: Some(30.0),
        ..item(4)
    };
    let v = verdict(&goal(), &[unowned(2), item(3), late, unowned(9)]);
    let lines = checklist(&v);
    let line = |rule| lines.iter().find(|l| l.rule == rule).expect("rule listed");

    let who = line(Rule::ItemMissingWho);
    assert!(!who.passed);
    assert_eq!(who.items, [2, 9]);
    assert_eq!(who.fix, Some(Rule::ItemMissingWho.fix()));

    let after = line(Rule::ItemAfterTarget);
    assert!(!after.passed);
    assert_eq!(after.items, [4]);

    let big = line(Rule::ItemTooBig);
    assert!(!big.passed);
    assert_eq!(big.items, [4]);
    assert_eq!(big.fix, Some(Rule::ItemTooBig.fix()));

    let what = line(Rule::ItemMissingWhat);
    assert!(what.passed);
    assert_eq!(what.items, Vec::<i64>::new());
}

#[test]
fn checklist_goal_lines_fail_without_items() {
    let g = Goal {
        owner: None,
        ..goal()
    };
    let lines = checklist(&verdict(&g, &[]));
    let failed: Vec<_> = lines.iter().filter(|l| !l.passed).map(|l| l.rule).collect();
    assert_eq!(failed, [Rule::GoalMissingOwner, Rule::GoalNoItems]);
    assert!(lines.iter().all(|l| l.items.is_empty()));
}
