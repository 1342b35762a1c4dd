//! The `landed` binary as a user runs it: a real process against a temporary workspace.

use std::process::{Command, Output};

use serde_json::Value;

/// Every command runs at this instant (a Monday), so that dates in the tests never age.
const NOW: &str = "2026-11-23T09:00:00Z";

fn now() -> jiff::Timestamp {
    NOW.parse().unwrap()
}

mod common;

/// A workspace with @ana and @ben, where commands run at [`NOW`] unless told otherwise.
struct Workspace(common::Workspace);

impl std::ops::Deref for Workspace {
    type Target = common::Workspace;
    fn deref(&self) -> &common::Workspace {
        &self.0
    }
}

impl Workspace {
    /// An initialised workspace with @ana and @ben.
    fn new() -> Workspace {
        let w = Workspace(common::Workspace::empty());
        w.ok(&["init", "--name", "Test", "--tz", "Europe/Berlin"]);
        w.ok(&["person", "add", "ana", "--name", "Ana Ruiz"]);
        w.ok(&[
            "person",
            "add",
            "ben",
            "--name",
            "Ben Okafor",
            "--tz",
            "America/Los_Angeles",
        ]);
        w
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_at(NOW, args)
    }

    /// Run a command that must succeed; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        self.ok_at(NOW, args)
    }

    /// Run a command that must fail with exit code 1; returns its one-line error.
    fn fails(&self, args: &[&str]) -> String {
        self.fails_at(NOW, args)
    }

    fn json(&self, args: &[&str]) -> Value {
        self.json_at(NOW, args)
    }

    fn events(&self, id: &str) -> Vec<Value> {
        self.json(&["history", id]).as_array().unwrap().clone()
    }
}

fn codes(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect()
}

#[test]
fn a_goal_becomes_a_plan_and_back() {
    let w = Workspace::new();
    w.ok(&[
        "goal",
        "add",
        "Launch SEPA instant",
        "--outcome",
        "live for EU customers, < 10 s",
        "--owner",
        "ana",
        "--by",
        "2027-03-01",
    ]);
    let g = w.json(&["goal", "show", "G-1"]);
    assert_eq!(g["id"], "G-1");
    assert_eq!(g["status"], "aspiration");
    assert_eq!(codes(&g["failing"]), ["goal_no_items"]);

    w.ok(&[
        "item",
        "add",
        "Integrate the API",
        "--goal",
        "G-1",
        "--outcome",
        "sandbox transfer succeeds",
        "--owner",
        "ben",
        "--due",
        "2027-02-01",
        "--estimate",
        "6h",
    ]);
    let g = w.json(&["goal", "show", "G-1"]);
    assert_eq!(g["status"], "plan");
    assert_eq!(codes(&g["failing"]), Vec::<&str>::new());
    assert_eq!(g["items"].as_array().unwrap().len(), 1);

    let item = w.json(&["item", "show", "I-1"]);
    assert_eq!(item["id"], "I-1");
    assert_eq!(item["status"], "todo");
    assert_eq!(item["owner"], "ben");
    assert_eq!(item["due"], "2027-02-01");
    assert_eq!(item["estimate_hours"], 6.0);
    assert_eq!(item["has_ws"], true);
    assert_eq!(codes(&item["missing"]), Vec::<&str>::new());

    w.ok(&[
        "item",
        "edit",
        "I-1",
        "--due",
        "2027-03-15",
        "--reason",
        "vendor sandbox late",
    ]);
    let g = w.json(&["goal", "show", "G-1"]);
    assert_eq!(g["status"], "aspiration");
    assert_eq!(codes(&g["failing"]), ["item_after_target"]);
    assert_eq!(
        codes(&w.json(&["item", "show", "I-1"])["missing"]),
        ["item_after_target"]
    );
}

#[test]
fn every_failing_rule_is_listed_and_plan_explains_each() {
    let w = Workspace::new();
    w.ok(&["goal", "add", "Improve reliability"]);
    w.ok(&["item", "add", "Look into flaky tests", "--goal", "G-1"]);
    let g = w.json(&["goal", "show", "G-1"]);
    assert_eq!(
        codes(&g["failing"]),
        [
            "goal_missing_owner",
            "goal_missing_date",
            "goal_missing_outcome",
            "item_missing_what",
            "item_missing_who",
            "item_missing_when"
        ]
    );
    let plan = w.ok(&["plan", "G-1"]);
    assert!(
        plan.contains("landed goal edit G-1 --owner HANDLE"),
        "{plan}"
    );
    assert!(plan.contains("[item_missing_who] — I-1"), "{plan}");
    assert!(plan.contains("Verdict: aspiration"), "{plan}");
}

#[test]
fn a_slip_needs_a_reason_and_is_kept_in_history() {
    let w = Workspace::new();
    w.ok(&[
        "item",
        "add",
        "Write runbook",
        "--owner",
        "ana",
        "--due",
        "2026-12-04",
    ]);
    let err = w.fails(&["item", "edit", "I-1", "--due", "2026-12-11"]);
    assert!(
        err.contains("slipping it 7 days (2026-12-04 → 2026-12-11)") && err.contains("--reason"),
        "{err}"
    );
    assert_eq!(
        w.json(&["item", "show", "I-1"])["due"],
        "2026-12-04",
        "a refused slip changes nothing"
    );
    assert_eq!(w.events("I-1").len(), 1, "a refused slip writes no event");

    w.ok(&[
        "item",
        "edit",
        "I-1",
        "--due",
        "2026-12-11",
        "--reason",
        "on-call week",
    ]);
    let events = w.events("I-1");
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["kind"], "slipped");
    assert_eq!(events[1]["reason"], "on-call week");
    assert_eq!(events[1]["changes"][0]["field"], "due");
    let text = w.ok(&["history", "I-1"]);
    assert!(
        text.contains("slipped — reason: on-call week") && text.contains("2026-12-04 → 2026-12-11"),
        "{text}"
    );

    // Setting a first date is planning, not slipping.
    w.ok(&["item", "add", "Undated"]);
    w.ok(&["item", "edit", "I-2", "--due", "2026-12-20"]);
    assert_eq!(w.events("I-2")[1]["kind"], "updated");
}

#[test]
fn a_dependency_cycle_is_refused_with_the_cycle_named() {
    let w = Workspace::new();
    for t in ["A", "B", "C"] {
        w.ok(&["item", "add", t, "--owner", "ana"]);
    }
    w.ok(&["deps", "add", "I-1", "--needs", "I-2"]);
    w.ok(&["deps", "add", "I-2", "--needs", "I-3"]);
    let err = w.fails(&["deps", "add", "I-3", "--needs", "I-1"]);
    assert!(err.contains("I-3 → I-1 → I-2 → I-3"), "{err}");
    let err = w.fails(&["deps", "add", "I-2", "--needs", "I-2"]);
    assert!(err.contains("I-2 → I-2"), "{err}");
    assert_eq!(
        w.json(&["deps", "list"]).as_array().unwrap().len(),
        2,
        "nothing was added"
    );
    // Through a goal: a goal cannot land before its open items, so needing the goal of an item
    // that waits on you is a cycle too.
    w.ok(&["goal", "add", "G", "--owner", "ana"]);
    w.ok(&["item", "edit", "I-1", "--goal", "G-1"]);
    let err = w.fails(&["deps", "add", "I-3", "--needs", "G-1"]);
    assert!(err.contains("I-3 → G-1 → I-1 → I-2 → I-3"), "{err}");
    // Once I-1 is done, the goal no longer waits on it.
    w.ok(&["done", "I-1"]);
    w.ok(&["deps", "add", "I-3", "--needs", "G-1"]);
}

#[test]
fn a_dependency_on_an_aspiration_is_phantom_and_late_when_due_after_need() {
    let w = Workspace::new();
    w.ok(&["goal", "add", "Improve reliability", "--owner", "ben"]);
    w.ok(&[
        "item",
        "add",
        "Ship feature",
        "--owner",
        "ana",
        "--due",
        "2026-12-10",
        "--outcome",
        "live",
    ]);
    w.ok(&[
        "item",
        "add",
        "Provide API",
        "--owner",
        "ben",
        "--due",
        "2026-12-20",
        "--outcome",
        "API deployed",
    ]);
    w.ok(&["deps", "add", "I-1", "--needs", "G-1"]);
    w.ok(&["deps", "add", "I-1", "--needs", "I-2"]);
    let deps = w.json(&["deps", "list"]);
    let class = |to: &str| {
        deps.as_array()
            .unwrap()
            .iter()
            .find(|d| d["to"] == to)
            .unwrap()["class"]
            .clone()
    };
    assert_eq!(class("G-1"), "phantom");
    assert_eq!(class("I-2"), "late");
    w.ok(&[
        "item",
        "edit",
        "I-2",
        "--due",
        "2026-12-08",
        "--reason",
        "pulled in",
    ]);
    let class = |w: &Workspace| {
        let deps = w.json(&["deps", "list"]);
        deps.as_array()
            .unwrap()
            .iter()
            .find(|d| d["to"] == "I-2")
            .unwrap()["class"]
            .clone()
    };
    assert_eq!(class(&w), "ok");
    w.ok(&["block", "I-2", "--reason", "waiting on a key"]);
    assert_eq!(class(&w), "at_risk", "in time on paper, but blocked");
    w.ok(&["done", "I-2"]);
    let deps = w.json(&["deps", "list"]);
    assert_eq!(
        deps.as_array()
            .unwrap()
            .iter()
            .find(|d| d["to"] == "I-2")
            .unwrap()["class"],
        "met"
    );
    let err = w.fails(&["deps", "add", "I-1", "--needs", "I-2"]);
    assert!(err.contains("already needs"), "{err}");
}

#[test]
fn unknown_people_get_a_suggestion_and_change_nothing() {
    let w = Workspace::new();
    let err = w.fails(&["item", "add", "X", "--owner", "bem"]);
    assert!(
        err.contains("unknown person @bem (did you mean @ben?)"),
        "{err}"
    );
    let err = w.fails(&["goal", "add", "X", "--owner", "zed"]);
    assert!(
        err.contains("unknown person @zed;") && !err.contains("did you mean"),
        "{err}"
    );
    assert_eq!(
        w.json(&["item", "list", "--all"]).as_array().unwrap().len(),
        0
    );
    assert_eq!(w.json(&["goal", "list"]).as_array().unwrap().len(), 0);
}

#[test]
fn bad_input_is_named_with_the_fix() {
    let w = Workspace::new();
    let cases: [(&[&str], &str); 9] = [
        (
            &["person", "add", "cy", "--name", "Cy", "--capacity", "500"],
            "500 hours a week is not possible",
        ),
        (
            &["item", "add", "X", "--due", "someday"],
            "cannot read date `someday`",
        ),
        (
            &["item", "add", "X", "--due", "2026-02-30"],
            "does not exist",
        ),
        (
            &["item", "add", "X", "--estimate", "lots"],
            "cannot read estimate",
        ),
        (&["item", "add", "  "], "title: must not be empty"),
        (
            &["person", "add", "Bad Handle", "--name", "X"],
            "is not a handle",
        ),
        (
            &["person", "add", "cy", "--name", "Cy", "--capacity", "-5"],
            "capacity",
        ),
        (
            &["person", "add", "cy", "--name", "Cy", "--tz", "Mars/Base"],
            "unknown time zone",
        ),
        (&["goal", "show", "I-3"], "is not a goal"),
    ];
    for (args, expected) in cases {
        let err = w.fails(args);
        assert!(err.contains(expected), "landed {args:?}: {err}");
    }
    assert!(
        w.fails(&["item", "show", "I-99"])
            .contains("I-99 does not exist")
    );
    assert!(
        w.fails(&["person", "add", "ana", "--name", "Again"])
            .contains("already exists")
    );
    w.ok(&["item", "add", "X", "--owner", "ana"]);
    assert!(w.fails(&["block", "I-1"]).contains("needs a reason"));
    assert!(w.fails(&["drop", "I-1"]).contains("needs a reason"));
    assert_eq!(w.events("I-1").len(), 1, "refused changes write no event");
    let out = w.run(&["item", "add"]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn status_changes_follow_the_life_of_an_item() {
    let w = Workspace::new();
    w.ok(&["item", "add", "X", "--owner", "ana"]);
    w.ok(&["start", "I-1"]);
    w.ok(&["block", "I-1", "--reason", "waiting on vendor"]);
    let item = w.json(&["item", "show", "I-1"]);
    assert_eq!(item["status"], "blocked");
    assert_eq!(item["status_reason"], "waiting on vendor");
    w.ok(&["done", "I-1"]);
    assert!(w.fails(&["start", "I-1"]).contains("reopen it first"));
    w.ok(&["reopen", "I-1"]);
    let kinds: Vec<String> = w
        .events("I-1")
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["created", "started", "blocked", "done", "reopened"]);
}

#[test]
fn quick_capture_and_next() {
    let w = Workspace::new();
    w.ok(&[
        "goal",
        "add",
        "Ship v2",
        "--outcome",
        "v2 released to all users",
        "--owner",
        "ana",
        "--by",
        "2027-06-30",
    ]);
    let v = w.json(&[
        "add",
        "Write rollout doc @ben due:2027-01-08 est:3h goal:G-1 -- doc reviewed by SRE",
    ]);
    assert_eq!(v["title"], "Write rollout doc");
    assert_eq!(v["owner"], "ben");
    assert_eq!(v["due"], "2027-01-08");
    assert_eq!(v["estimate_hours"], 3.0);
    assert_eq!(v["goal"], "G-1");
    assert_eq!(v["outcome"], "doc reviewed by SRE");
    // Without @, the item is the actor's (ana, the first person).
    assert_eq!(w.json(&["add", "Loose end due:2027-01-01"])["owner"], "ana");

    // Ben: an earlier loose item loses to the item that serves a plan.
    w.ok(&["add", "Tidy wiki @ben due:2027-01-02"]);
    let next = w.json(&["next", "--for", "ben"]);
    assert_eq!(next["item"]["id"], "I-1");
    assert_eq!(next["serves_plan"], true);
    let next = w.json(&["--as", "ana", "next"]);
    assert_eq!(next["item"]["id"], "I-2");
    w.ok(&["done", "I-2"]);
    assert_eq!(w.json(&["--as", "ana", "next"]), Value::Null);
    assert!(
        w.fails(&["add", "x dew:fri"])
            .contains("unknown field `dew:`")
    );
}

#[test]
fn relative_dates_follow_the_actor() {
    let w = Workspace::new();
    let v = w.json(&["--as", "ben", "add", "X due:+2w"]);
    let today_la = now()
        .to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap())
        .date();
    assert_eq!(
        v["due"],
        today_la
            .checked_add(jiff::Span::new().weeks(2))
            .unwrap()
            .to_string()
    );
    let v = w.json(&["item", "add", "Y", "--due", "2026-W53"]);
    assert_eq!(v["due"], "2027-01-01", "an ISO week means its Friday");
}

#[test]
fn teams_milestones_and_listings() {
    let w = Workspace::new();
    w.ok(&[
        "team", "add", "Platform", "--lead", "ana", "--member", "ben",
    ]);
    assert!(
        w.fails(&["team", "add", "platform", "--lead", "ben"])
            .contains("already exists")
    );
    w.ok(&["milestone", "add", "Q1 release", "--date", "2027-03-26"]);
    w.ok(&[
        "goal",
        "add",
        "G",
        "--outcome",
        "5 customers live",
        "--owner",
        "ana",
        "--milestone",
        "Q1 release",
        "--team",
        "Platform",
    ]);
    let g = w.json(&["goal", "show", "G-1"]);
    assert_eq!(g["target"], "2027-03-26");
    assert_eq!(g["milestone"], "Q1 release");
    assert_eq!(g["team"], "Platform");
    assert!(
        w.fails(&["goal", "list", "--team", "Platfrom"])
            .contains("did you mean Platform?")
    );
    assert_eq!(
        w.json(&[
            "goal",
            "list",
            "--team",
            "Platform",
            "--status",
            "aspiration"
        ])
        .as_array()
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        w.json(&["goal", "list", "--status", "plan"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(w.json(&["team", "list"])[0]["name"], "Platform");
    assert_eq!(w.json(&["person", "list"]).as_array().unwrap().len(), 2);
    let table = w.ok(&["person", "list"]);
    assert!(
        table.starts_with(" HANDLE") && table.contains("@ben"),
        "{table}"
    );
    assert!(!table.contains('\u{1b}'), "no colour without a terminal");
}

#[test]
fn a_missing_workspace_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_landed"))
        .args([
            "--db",
            dir.path().join("none.db").to_str().unwrap(),
            "goal",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("landed init") && err.contains("landed demo"),
        "{err}"
    );
    assert!(
        !dir.path().join("none.db").exists(),
        "reading never creates a file"
    );
}

#[test]
fn the_demo_shows_plans_aspirations_and_phantom_dependencies() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_landed"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    assert!(run(&["demo"]).status.success());
    let out = run(&["demo"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an explicit --db is never overwritten silently"
    );
    assert!(run(&["demo", "--force"]).status.success());
    let goals: Value = serde_json::from_slice(&run(&["goal", "list", "--json"]).stdout).unwrap();
    let statuses: Vec<&str> = goals
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains(&"plan") && statuses.contains(&"aspiration"),
        "{statuses:?}"
    );
    let deps: Value = serde_json::from_slice(&run(&["deps", "list", "--json"]).stdout).unwrap();
    let classes: Vec<&str> = deps
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["class"].as_str().unwrap())
        .collect();
    assert!(
        classes.contains(&"phantom") && classes.contains(&"late") && classes.contains(&"ok"),
        "{classes:?}"
    );
    let reactive: Value = serde_json::from_slice(
        &run(&["item", "list", "--kind", "reactive", "--all", "--json"]).stdout,
    )
    .unwrap();
    assert!(reactive.as_array().unwrap().len() >= 3);
}

#[test]
fn impact_names_every_team_of_a_chain_with_hand_counted_figures() {
    let w = Workspace::new();
    w.ok(&["person", "add", "cy", "--name", "Cy"]);
    w.ok(&["team", "add", "Platform", "--lead", "ana"]);
    w.ok(&["team", "add", "Payments", "--lead", "ben"]);
    w.ok(&["team", "add", "Mobile", "--lead", "cy"]);
    // Platform's item I-1 feeds Payments' I-2 (goal G-1); Mobile's goal G-2 needs G-1, and
    // Mobile's item I-3 (in G-2) needs I-2.
    w.ok(&[
        "goal",
        "add",
        "Payments goal",
        "--owner",
        "ben",
        "--by",
        "2026-12-20",
        "--team",
        "Payments",
        "--outcome",
        "3 banks live",
    ]);
    w.ok(&[
        "goal",
        "add",
        "Mobile goal",
        "--owner",
        "cy",
        "--by",
        "2027-01-15",
        "--team",
        "Mobile",
        "--outcome",
        "app released",
    ]);
    w.ok(&[
        "item",
        "add",
        "Platform API",
        "--owner",
        "ana",
        "--due",
        "2026-12-04",
    ]);
    w.ok(&[
        "item",
        "add",
        "Payments integration",
        "--owner",
        "ben",
        "--due",
        "2026-12-15",
        "--goal",
        "G-1",
    ]);
    w.ok(&[
        "item",
        "add",
        "Mobile screen",
        "--owner",
        "cy",
        "--due",
        "2027-01-05",
        "--goal",
        "G-2",
    ]);
    w.ok(&["deps", "add", "I-2", "--needs", "I-1", "--by", "2026-12-10"]);
    w.ok(&["deps", "add", "G-2", "--needs", "G-1", "--by", "2026-12-31"]);
    w.ok(&["deps", "add", "I-3", "--needs", "I-2"]);

    let mobile = w.json(&["deps", "list", "--team", "Mobile"]);
    let pairs: Vec<(String, String)> = mobile
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["from"].as_str().unwrap().into(),
                d["to"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        pairs.len(),
        2,
        "G-2 → G-1 and I-3 → I-2, not I-2 → I-1: {pairs:?}"
    );
    assert!(pairs.iter().all(|(f, _)| f == "G-2" || f == "I-3"));
    let v = w.json(&["impact", "I-1", "--if-due", "2027-01-08"]);
    assert_eq!(
        (
            v["teams"].as_i64(),
            v["items"].as_i64(),
            v["goals"].as_i64()
        ),
        (Some(2), Some(2), Some(2))
    );
    // I-2 needed I-1 by Dec 10: 29 days late; everything after it can finish no earlier than Jan 8.
    assert_eq!(v["worst_late_days"], 29);
    let teams: Vec<&str> = v["by_team"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["team"].as_str().unwrap())
        .collect();
    assert_eq!(teams, ["Mobile", "Payments"]);
    let text = w.ok(&["impact", "I-1", "--if-due", "2027-01-08"]);
    assert!(
        text.contains("Puts 2 team(s), 2 item(s) and 2 goal(s) at risk; worst lateness 29 days"),
        "{text}"
    );
    assert_eq!(
        w.json(&["item", "show", "I-1"])["due"],
        "2026-12-04",
        "asking changes nothing"
    );

    // Platform's own goal joins when I-1 belongs to it: three teams.
    w.ok(&[
        "goal",
        "add",
        "Platform goal",
        "--owner",
        "ana",
        "--by",
        "2026-12-31",
        "--team",
        "Platform",
        "--outcome",
        "API v2 live",
    ]);
    w.ok(&["item", "edit", "I-1", "--goal", "G-3"]);
    let v = w.json(&["impact", "I-1"]);
    assert_eq!(
        (
            v["teams"].as_i64(),
            v["items"].as_i64(),
            v["goals"].as_i64()
        ),
        (Some(3), Some(2), Some(3))
    );
    assert_eq!(
        v["worst_late_days"], 0,
        "at its current date nothing is late"
    );
}

#[test]
fn capacity_names_the_items_of_an_overcommitted_week() {
    let w = Workspace::new();
    w.ok(&["team", "add", "Core", "--lead", "ana", "--member", "ben"]);
    // No reactive history: half of 40h is assumed, so 20h a week are available. 30h of work due
    // at the end of next week cannot fit into the working days left.
    let today = now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").unwrap())
        .date();
    let friday = today.iso_week_date();
    let due =
        jiff::civil::ISOWeekDate::new(friday.year(), friday.week(), jiff::civil::Weekday::Friday)
            .unwrap()
            .date()
            .checked_add(jiff::Span::new().weeks(1))
            .unwrap()
            .to_string();
    w.ok(&[
        "item",
        "add",
        "Big",
        "--owner",
        "ana",
        "--due",
        &due,
        "--estimate",
        "30h",
    ]);
    w.ok(&[
        "item",
        "add",
        "Small",
        "--owner",
        "ana",
        "--due",
        &due,
        "--estimate",
        "20h",
    ]);
    w.ok(&["item", "add", "Unplanned", "--owner", "ben"]);
    let v = w.json(&["capacity", "--team", "Core", "--weeks", "3"]);
    assert_eq!(v["weeks"].as_array().unwrap().len(), 3);
    let ana = v["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["handle"] == "ana")
        .unwrap();
    assert_eq!(ana["available_hours"], 20.0);
    assert_eq!(ana["reactive"]["measured"], false);
    let loaded: f64 = ana["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["load_hours"].as_f64().unwrap())
        .sum();
    assert!(
        (loaded - 50.0).abs() < 0.05,
        "all 50h land within the grid: {loaded}"
    );
    let over: Vec<&Value> = ana["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["overcommitted"] == true)
        .collect();
    assert!(!over.is_empty(), "50h over at most two weeks of 20h: {v}");
    assert_eq!(
        over[0]["items"][0][0], "I-1",
        "the largest item is named first"
    );
    let ben = v["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["handle"] == "ben")
        .unwrap();
    assert_eq!(ben["unplanned"][0], "I-3");
    let text = w.ok(&["capacity", "--team", "Core"]);
    assert!(
        text.contains("Overcommitted (!):") && text.contains("@ana") && text.contains("I-1 "),
        "{text}"
    );
    assert!(
        w.fails(&["capacity", "--team", "Kore"])
            .contains("did you mean Core?")
    );
}

#[test]
fn a_commitment_request_is_phantom_until_committed_and_its_slips_reach_the_asker() {
    let w = Workspace::new();
    w.ok(&["person", "add", "cy", "--name", "Cy"]);
    w.ok(&["team", "add", "Mobile", "--lead", "ana"]);
    w.ok(&["team", "add", "Payments", "--lead", "ben", "--member", "cy"]);
    w.ok(&[
        "goal",
        "add",
        "Offline payments",
        "--owner",
        "ana",
        "--by",
        "2027-02-26",
        "--team",
        "Mobile",
        "--outcome",
        "queued payments replay, none lost",
    ]);
    w.ok(&[
        "item",
        "add",
        "Queue UI",
        "--goal",
        "G-1",
        "--owner",
        "ana",
        "--due",
        "2027-02-10",
        "--outcome",
        "UI shipped",
        "--estimate",
        "1d",
    ]);
    let r = w.json(&[
        "--as",
        "ana",
        "ask",
        "Payments",
        "refund API",
        "--by",
        "2027-01-15",
        "--for",
        "I-1",
    ]);
    assert_eq!(r["id"], "R-1");
    assert_eq!(r["from_team"], "Mobile");
    assert_eq!(r["class"], "phantom");
    let class_of_request = |w: &Workspace| {
        let deps = w.json(&["deps", "list"]);
        deps.as_array()
            .unwrap()
            .iter()
            .find(|d| d["from"] == "I-1")
            .unwrap()["class"]
            .clone()
    };
    assert_eq!(class_of_request(&w), "phantom");

    // Only the asked team answers, and only once, with one of two answers.
    let err = w.fails(&[
        "--as",
        "ana",
        "answer",
        "commit",
        "R-1",
        "--owner",
        "ben",
        "--create",
        "Refund endpoint",
        "--due",
        "2027-01-08",
    ]);
    assert!(
        err.contains("only the lead or members of Payments can answer R-1"),
        "{err}"
    );
    let out = w.run(&["--as", "ben", "answer", "maybe", "R-1"]);
    assert_eq!(out.status.code(), Some(2), "there is no third answer");
    w.ok(&[
        "--as",
        "ben",
        "answer",
        "not-yet",
        "R-1",
        "--note",
        "after the PSD3 work",
    ]);
    assert_eq!(class_of_request(&w), "phantom", "not yet leaves it phantom");
    let err = w.fails(&[
        "--as",
        "cy",
        "answer",
        "commit",
        "R-1",
        "--owner",
        "cy",
        "--create",
        "x",
        "--due",
        "2027-01-08",
    ]);
    assert!(err.contains("already answered"), "{err}");

    // A second request, committed in time: ok; its slip past the need: late, with the reason.
    w.ok(&[
        "--as",
        "ana",
        "ask",
        "Payments",
        "refund status webhook",
        "--by",
        "2027-01-20",
        "--for",
        "G-1",
    ]);
    let r2 = w.json(&[
        "--as",
        "cy",
        "answer",
        "commit",
        "R-2",
        "--owner",
        "cy",
        "--create",
        "Refund webhook",
        "--due",
        "2027-01-13",
        "--estimate",
        "6h",
    ]);
    assert_eq!(r2["state"], "committed");
    assert_eq!(r2["item"], "I-2");
    assert_eq!(r2["class"], "ok");
    let goal_dep = |w: &Workspace| {
        let deps = w.json(&["deps", "list"]);
        deps.as_array()
            .unwrap()
            .iter()
            .find(|d| d["from"] == "G-1")
            .unwrap()
            .clone()
    };
    assert_eq!(goal_dep(&w)["class"], "ok");
    let g = w.json(&["goal", "show", "G-1"]);
    assert_eq!(
        g["health_reasons"],
        serde_json::json!(["phantom_dependency"]),
        "R-1 was answered not yet"
    );
    w.ok(&[
        "--as",
        "cy",
        "item",
        "edit",
        "I-2",
        "--due",
        "2027-01-27",
        "--reason",
        "bank sandbox down",
    ]);
    assert_eq!(goal_dep(&w)["class"], "late");
    let g = w.json(&["goal", "show", "G-1"]);
    assert_eq!(g["health"], "off_track");
    assert_eq!(
        g["health_reasons"],
        serde_json::json!(["phantom_dependency", "late_dependency"])
    );
    assert!(w.ok(&["goal", "show", "G-1"]).contains("health    off track — it depends on something nobody committed to [phantom_dependency]; it depends on something due after it is needed [late_dependency]"));
    let seen = w.json(&["requests", "--team", "Mobile"]);
    let r2 = seen
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "R-2")
        .unwrap();
    assert_eq!(r2["class"], "late");
    assert_eq!(
        r2["last_slip"],
        "slipped 2027-01-13 → 2027-01-27: bank sandbox down"
    );
    assert_eq!(w.json(&["requests", "--open"]).as_array().unwrap().len(), 0);
    let kinds: Vec<String> = w
        .events("R-2")
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["created", "committed"]);
    assert!(
        w.fails(&["ask", "Nowhere", "x", "--by", "fri"])
            .contains("unknown team")
    );

    // Unanswered for more than five days, a request is overdue.
    w.ok(&[
        "--as",
        "ana",
        "ask",
        "Payments",
        "chargeback feed",
        "--by",
        "2027-02-01",
    ]);
    assert_eq!(w.json(&["requests", "--open"])[0]["overdue"], false);
    let later = Command::new(env!("CARGO_BIN_EXE_landed"))
        .arg("--db")
        .arg(&w.db)
        .args(["requests", "--open", "--json"])
        .env("LANDED_NOW", "2026-11-30T09:00:00Z")
        .output()
        .unwrap();
    let later: Value = serde_json::from_slice(&later.stdout).unwrap();
    assert_eq!(later[0]["id"], "R-3");
    assert_eq!(later[0]["overdue"], true);
}

#[test]
fn forecasts_follow_available_hours_and_dependencies() {
    // Monday 2026-11-23; no reactive history, so half of 40h: 20h a week, 4h a working day.
    let w = Workspace::new();
    w.ok(&[
        "goal",
        "add",
        "G",
        "--owner",
        "ana",
        "--by",
        "2026-11-27",
        "--outcome",
        "3 flows live",
    ]);
    for (title, due, est) in [
        ("A", "2026-11-24", "8h"),
        ("B", "2026-11-26", "12h"),
        ("C", "2026-11-27", "4h"),
    ] {
        w.ok(&[
            "item",
            "add",
            title,
            "--owner",
            "ana",
            "--due",
            due,
            "--estimate",
            est,
            "--goal",
            "G-1",
            "--outcome",
            "done",
        ]);
    }
    w.ok(&[
        "item",
        "add",
        "D",
        "--owner",
        "ben",
        "--due",
        "2026-11-24",
        "--estimate",
        "4h",
    ]);
    w.ok(&["deps", "add", "I-4", "--needs", "I-2"]);
    let v = w.json(&["forecast"]);
    let finish = |id: &str| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()["finish"]
            .clone()
    };
    assert_eq!(finish("I-1"), "2026-11-24", "8h at 4h a day: Tuesday");
    assert_eq!(finish("I-2"), "2026-11-27", "12h more: Friday");
    assert_eq!(finish("I-3"), "2026-11-30", "4h more: the next Monday");
    assert_eq!(
        finish("I-4"),
        "2026-11-30",
        "Ben starts the working day after I-2 is done"
    );
    let i4 = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "I-4")
        .unwrap();
    assert_eq!(i4["late_days"], 6);
    let g = &v["goals"][0];
    assert_eq!(
        (g["finish"].as_str(), g["late_days"].as_i64()),
        (Some("2026-11-30"), Some(3))
    );
    w.ok(&[
        "item",
        "add",
        "No estimate",
        "--owner",
        "ben",
        "--goal",
        "G-1",
    ]);
    let v = w.json(&["forecast", "--goal", "G-1"]);
    assert_eq!(v["unschedulable"], serde_json::json!(["I-5"]));
    assert_eq!(
        v["goals"][0]["finish"],
        Value::Null,
        "a goal with an item that cannot be forecast has no finish"
    );
}

#[test]
fn actual_hours_scale_forecasts_and_goal_health_follows_the_forecast() {
    // No reactive share: Ana's 40h are all strategic, 8h a working day.
    let w = Workspace::new();
    w.ok(&["workspace", "set", "--reactive-share", "0%"]);
    w.ok_at(
        "2026-11-16T09:00:00Z",
        &[
            "item",
            "add",
            "Earlier work",
            "--owner",
            "ana",
            "--due",
            "today",
            "--estimate",
            "4h",
        ],
    );
    w.ok_at("2026-11-17T09:00:00Z", &["done", "I-1"]);
    w.ok(&[
        "goal",
        "add",
        "G",
        "--owner",
        "ana",
        "--by",
        "2026-11-24",
        "--outcome",
        "live",
    ]);
    w.ok(&[
        "item",
        "add",
        "Build",
        "--owner",
        "ana",
        "--due",
        "2026-11-24",
        "--estimate",
        "12h",
        "--goal",
        "G-1",
        "--outcome",
        "merged",
    ]);
    // Estimates as given: 12h is Monday and half of Tuesday.
    let g = w.json(&["goal", "show", "G-1"]);
    assert_eq!(g["forecast"], "2026-11-24");
    assert_eq!(g["health"], "on_track");
    assert_eq!(w.json(&["forecast"])["accuracy"], serde_json::json!([]));

    // The earlier item took 6h for an estimate of 4h: Ana's estimates are scaled by 1.5, so
    // 12h become 18h and the work ends on Wednesday, after the target.
    w.ok(&["item", "edit", "I-1", "--actual", "6h"]);
    let v = w.json(&["forecast"]);
    assert_eq!(v["accuracy"], serde_json::json!([["ana", 1.5]]));
    assert_eq!(v["items"][0]["finish"], "2026-11-25");
    let g = w.json(&["goal", "show", "G-1"]);
    assert_eq!(
        g["forecast"], "2026-11-25",
        "goal show agrees with forecast"
    );
    assert_eq!(g["health"], "off_track");
    // The next day, with nothing written meanwhile, the work starts a day later.
    let out = w.run_at("2026-11-24T09:00:00Z", &["goal", "show", "G-1", "--json"]);
    let next_day: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(next_day["forecast"], "2026-11-26");
    let g = w.json(&["goal", "show", "G-1"]);
    assert_eq!(
        g["forecast"], "2026-11-25",
        "and back on Monday, Monday's forecast"
    );
    assert!(codes(&g["health_reasons"]).contains(&"forecast_past_target"));
    let text = w.ok(&["goal", "show", "G-1"]);
    assert!(
        text.contains("forecast  2026-11-25, 1 day after the target")
            && text.contains("the forecast finish is after the target [forecast_past_target]"),
        "{text}"
    );

    // Reactive work done over the last four weeks is measured from when it was done, for its
    // actual hours: 20h last week is 5h a week.
    w.ok_at(
        "2026-11-18T09:00:00Z",
        &[
            "item",
            "add",
            "Incident",
            "--owner",
            "ana",
            "--kind",
            "reactive",
            "--estimate",
            "2h",
        ],
    );
    w.ok_at("2026-11-18T15:00:00Z", &["done", "I-3", "--actual", "20h"]);
    let c = w.json(&["capacity"]);
    let ana = &c["people"][0];
    assert_eq!(ana["handle"], "ana");
    assert_eq!(ana["reactive"]["hours_per_week"], 5.0);
    assert_eq!(ana["reactive"]["measured"], true);
    assert_eq!(ana["available_hours"], 35.0);

    // Work that needs I-2 by Tuesday: I-2 is due Tuesday, so it looks in time, but it is
    // forecast for Wednesday: the dependency is at risk.
    w.ok(&[
        "item",
        "add",
        "Consumer",
        "--owner",
        "ben",
        "--due",
        "2026-12-04",
        "--estimate",
        "2h",
    ]);
    w.ok(&["deps", "add", "I-4", "--needs", "I-2", "--by", "2026-11-24"]);
    let deps = w.json(&["deps", "list"]);
    assert_eq!(deps[0]["class"], "at_risk", "{deps}");
    let g = w.json(&["goal", "show", "G-1"]);
    assert_eq!(g["needed_by"][0]["class"], "at_risk", "{g}");

    // Time spent belongs to done items.
    assert!(
        w.fails(&["item", "edit", "I-2", "--actual", "3h"])
            .contains("landed done I-2 --actual")
    );
    assert!(
        w.fails(&["done", "G-1", "--actual", "3h"])
            .contains("recorded on items")
    );
    assert!(
        w.fails(&["done", "I-2", "--actual", "-3h"])
            .contains("cannot read `-3h` as time spent")
    );
    assert_eq!(w.json(&["item", "show", "I-2"])["status"], "todo");
}

#[test]
fn protected_time_says_urgent_is_winning_when_reactive_work_eats_the_reserve() {
    let w = Workspace::new();
    w.ok(&["team", "add", "Core", "--lead", "ana", "--member", "ben"]);
    w.ok(&["team", "edit", "Core", "--protected", "20%"]);
    assert_eq!(w.json(&["team", "list"])[0]["protected_share"], 0.2);
    // Two weeks ago Ben spent 10h on strategic work; last week incidents took 38h and 36h.
    let work = [
        ("2026-11-11T10:00:00Z", "ben", "strategic", "10h"),
        ("2026-11-17T10:00:00Z", "ana", "reactive", "38h"),
        ("2026-11-18T10:00:00Z", "ben", "reactive", "36h"),
    ];
    for (n, (at, who, kind, hours)) in work.iter().enumerate() {
        w.ok_at(
            at,
            &[
                "item",
                "add",
                "Work",
                "--owner",
                who,
                "--kind",
                kind,
                "--estimate",
                "1h",
            ],
        );
        w.ok_at(at, &["done", &format!("I-{}", n + 1), "--actual", hours]);
    }
    let v = w.json(&["capacity", "--team", "Core"]);
    let weeks = v["protected"][0]["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 5, "four full weeks and this one");
    let week = |name: &str| weeks.iter().find(|w| w["week"] == name).unwrap();
    let w46 = week("2026-W46");
    assert_eq!(
        (
            w46["reserved_hours"].as_f64(),
            w46["strategic_hours"].as_f64()
        ),
        (Some(16.0), Some(10.0))
    );
    assert_eq!(w46["urgent_is_winning"], false);
    let w47 = week("2026-W47");
    assert_eq!(w47["reactive_hours"], 74.0);
    assert_eq!(w47["urgent_is_winning"], true);
    assert_eq!(w47["urgent_for"], serde_json::json!(["ana", "ben"]));
    assert_eq!(week("2026-W48")["so_far"], true);
    let text = w.ok(&["capacity", "--team", "Core"]);
    assert!(
        text.contains("Core reserves 20% of its capacity") && text.contains("urgent is winning"),
        "{text}"
    );

    // Bad settings are refused and change nothing.
    assert!(
        w.fails(&["team", "edit", "Core", "--protected", "150%"])
            .contains("0% to 100%")
    );
    assert!(
        w.fails(&["team", "edit", "Kore", "--protected", "10%"])
            .contains("did you mean Core?")
    );
    assert!(
        w.fails(&["team", "edit", "Core"])
            .contains("nothing to change")
    );
    assert_eq!(w.json(&["team", "list"])[0]["protected_share"], 0.2);
    assert!(
        w.fails(&["person", "edit", "ana", "--capacity", "-5"])
            .contains("0 to 168")
    );
    assert!(
        w.fails(&["person", "edit", "ana", "--capacity", "500"])
            .contains("0 to 168")
    );
    assert!(
        w.fails(&["person", "edit", "zed", "--capacity", "30"])
            .contains("unknown person @zed")
    );
    assert!(
        w.fails(&["workspace", "set", "--overdue-days", "0"])
            .contains("1 to 365")
    );
    assert!(
        w.fails(&["workspace", "set", "--reactive-share", "2"])
            .contains("0% to 100%")
    );
    let ws = w.json(&["workspace", "show"]);
    assert_eq!(
        (
            ws["request_overdue_days"].as_i64(),
            ws["reactive_share"].as_f64()
        ),
        (Some(5), Some(0.5))
    );
    w.ok(&["person", "edit", "ana", "--capacity", "32"]);
    assert_eq!(w.json(&["person", "list"])[0]["capacity_hours"], 32.0);

    // Leads and members change; the old lead stays as a member, and a lead cannot be removed.
    w.ok(&["person", "add", "cy", "--name", "Cy"]);
    w.ok(&["team", "edit", "Core", "--lead", "ben", "--member", "cy"]);
    assert!(
        w.fails(&["team", "edit", "Core", "--remove", "ben"])
            .contains("@ben leads Core")
    );
    w.ok(&["team", "edit", "Core", "--remove", "cy"]);
    let core = &w.json(&["team", "list"])[0];
    assert_eq!(core["lead"], "ben");
    assert_eq!(
        core["members"],
        serde_json::json!(["ana"]),
        "ana stays as a member"
    );
    assert!(
        w.fails(&["team", "edit", "Core", "--remove", "cy"])
            .contains("@cy is not a member of Core")
    );
}

#[test]
fn requests_are_overdue_after_the_workspace_setting() {
    let w = Workspace::new();
    w.ok(&["person", "add", "cy", "--name", "Cy"]);
    w.ok(&["team", "add", "Core", "--lead", "ana"]);
    w.ok(&["team", "add", "Ops", "--lead", "cy"]);
    w.ok_at(
        "2026-11-20T09:00:00Z",
        &["--as", "ana", "ask", "Ops", "backups", "--by", "2026-12-18"],
    );
    // Three days old: not overdue after the default 5 days, overdue after 2.
    assert_eq!(w.json(&["requests"])[0]["overdue"], false);
    w.ok(&["workspace", "set", "--overdue-days", "2"]);
    assert_eq!(w.json(&["requests"])[0]["overdue"], true);
    assert!(
        w.ok(&["workspace", "show"])
            .contains("overdue after    2 days")
    );

    // A commitment whose delivering item already waits on the asking one closes a cycle.
    w.ok(&[
        "item",
        "add",
        "Mine",
        "--owner",
        "ana",
        "--due",
        "2026-12-11",
    ]);
    w.ok(&[
        "item",
        "add",
        "Theirs",
        "--owner",
        "cy",
        "--due",
        "2026-12-04",
    ]);
    w.ok(&["deps", "add", "I-2", "--needs", "I-1"]);
    w.ok(&[
        "--as",
        "ana",
        "ask",
        "Ops",
        "the part",
        "--by",
        "2026-12-09",
        "--for",
        "I-1",
    ]);
    let err = w.fails(&[
        "--as", "cy", "answer", "commit", "R-2", "--owner", "cy", "--item", "I-2",
    ]);
    assert!(err.contains("I-1 → I-2 → I-1"), "{err}");
    assert_eq!(w.json(&["requests", "--open"]).as_array().unwrap().len(), 2);
}
