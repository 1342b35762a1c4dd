//! `landed report`: the weekly status report, run as a real process against a workspace built
//! through the CLI at fixed instants: set up and one slip in 2026-W47, work and another slip
//! in 2026-W48 (Monday 2026-11-23 to Sunday 2026-11-29, Europe/Berlin).

use serde_json::Value;

/// A Monday in 2026-W47: the set-up and the older slip.
const BEFORE: &str = "2026-11-16T09:00:00Z";
/// Tuesday of 2026-W48: this week's work.
const DURING: &str = "2026-11-24T10:00:00Z";
/// Wednesday of 2026-W48: when the report is read.
const NOW: &str = "2026-11-25T09:00:00Z";

mod common;
use common::Workspace;

fn report(w: &Workspace, args: &[&str]) -> String {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    w.ok_at(NOW, &all)
}

/// A report that must be refused; its one-line error.
fn refused(w: &Workspace, args: &[&str]) -> String {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    w.fails_at(NOW, &all)
}

fn json(w: &Workspace, args: &[&str]) -> Value {
    serde_json::from_str(&report(w, args)).unwrap()
}

/// Team Platform with a plan (G-1: I-1, I-2 open, I-3 done this week) and an aspiration (G-2,
/// no target). I-2 slipped last week ("old reason"); this week I-3 was done, I-2 started and
/// I-1 slipped ("vendor API was late").
fn fixture() -> Workspace {
    let w = Workspace::empty();
    let before = |args: &[&str]| {
        w.ok_at(BEFORE, args);
    };
    before(&["init", "--name", "Acme", "--tz", "Europe/Berlin"]);
    before(&["person", "add", "ana", "--name", "Ana Ruiz"]);
    before(&["person", "add", "ben", "--name", "Ben Okafor"]);
    before(&[
        "team", "add", "Platform", "--lead", "ana", "--member", "ben",
    ]);
    before(&[
        "goal",
        "add",
        "Launch SEPA instant",
        "--outcome",
        "live for EU customers, < 10 s",
        "--owner",
        "ana",
        "--by",
        "2027-01-29",
        "--team",
        "Platform",
    ]);
    for (title, due, estimate) in [
        (
            "Write the <script>alert(1)</script> runbook",
            "2026-12-04",
            "4h",
        ),
        ("Integrate the *bank* API", "2026-12-04", "8h"),
        ("Sign the contract", "2026-11-20", "2h"),
    ] {
        before(&[
            "item",
            "add",
            title,
            "--goal",
            "G-1",
            "--outcome",
            "reviewed by on-call",
            "--owner",
            "ben",
            "--due",
            due,
            "--estimate",
            estimate,
        ]);
    }
    before(&[
        "item",
        "edit",
        "I-2",
        "--due",
        "2026-12-11",
        "--reason",
        "old reason from last week",
    ]);
    before(&[
        "goal",
        "add",
        "Improve | reliability",
        "--owner",
        "ben",
        "--team",
        "Platform",
    ]);
    w.ok_at(DURING, &["--as", "ben", "done", "I-3"]);
    w.ok_at(DURING, &["--as", "ben", "start", "I-2"]);
    w.ok_at(
        DURING,
        &[
            "--as",
            "ben",
            "item",
            "edit",
            "I-1",
            "--due",
            "2026-12-18",
            "--reason",
            "vendor API was late",
        ],
    );
    w
}

#[test]
fn markdown_names_verdicts_progress_next_step_and_this_weeks_slip_only() {
    let w = fixture();
    let md = report(&w, &["--team", "Platform", "--week", "2026-W48"]);
    assert!(
        md.starts_with("# Platform: weekly report 2026-W48\n"),
        "{md}"
    );
    assert!(
        md.contains("Monday 2026-11-23 to Sunday 2026-11-29"),
        "{md}"
    );
    assert!(
        md.contains("**2 goals: 1 plan, 1 aspiration**"),
        "summary line: {md}"
    );
    assert!(md.contains("\n## G-1 Launch SEPA instant\n"), "{md}");
    assert!(md.contains("\n## G-2 Improve \\| reliability\n"), "{md}");
    assert!(md.contains("- **Verdict:** plan · **Health:** "), "{md}");
    assert!(md.contains("- **Verdict:** aspiration\n"), "{md}");
    assert!(
        md.contains("- **Not a plan until:** the goal has a target date or milestone"),
        "{md}"
    );
    // 1 of 3 items; 2h of 14h estimated.
    assert!(
        md.contains("- **Progress:** 1 of 3 items done · 2h of 14h estimated · 14%"),
        "{md}"
    );
    // I-2 (due 12-11, in progress) before I-1 (slipped to 12-18).
    assert!(
        md.contains(
            "- **Next step:** I-2 Integrate the \\*bank\\* API (@ben, due 2026-12-11, doing)"
        ),
        "{md}"
    );
    assert!(
        md.contains("- **Next step:** none (it has no items yet)"),
        "{md}"
    );
    assert!(
        md.contains(
            "I-1 Write the \\<script\\>alert(1)\\</script\\> runbook slipped 14 days (2026-12-04 → 2026-12-18): *vendor API was late* (@ben)"
        ),
        "{md}"
    );
    assert!(md.contains("I-3 Sign the contract is done (@ben)"), "{md}");
    assert!(
        md.contains("started I-2 Integrate the \\*bank\\* API"),
        "{md}"
    );
    assert!(
        !md.contains("old reason from last week"),
        "last week's slip is not this week's news: {md}"
    );
}

#[test]
fn the_default_week_is_the_current_one() {
    let w = fixture();
    assert_eq!(
        report(&w, &["--team", "Platform"]),
        report(&w, &["--team", "Platform", "--week", "2026-W48"])
    );
}

#[test]
fn last_weeks_report_lists_last_weeks_changes() {
    let w = fixture();
    let md = report(&w, &["--workspace", "--week", "2026-W47"]);
    assert!(md.contains("*old reason from last week*"), "{md}");
    assert!(!md.contains("vendor API was late"), "{md}");
}

#[test]
fn html_is_one_self_contained_printable_page_with_user_text_escaped() {
    let w = fixture();
    let html = report(&w, &["--workspace", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.trim_end().ends_with("</html>"));
    assert!(
        html.contains("Write the &lt;script&gt;alert(1)&lt;/script&gt; runbook"),
        "{html}"
    );
    assert!(
        !html.contains("<script"),
        "no script, and user text stays text"
    );
    for external in ["http://", "https://", "<link", "src="] {
        assert!(!html.contains(external), "no external resource: {external}");
    }
    assert!(html.contains("@media print"));
    assert!(html.contains("@page"));
    assert!(html.contains("break-inside: avoid"));
    assert!(html.contains("name=\"viewport\""));
    // Health as a word, not only a colour.
    assert!(html.contains("class=\"badge plan\">plan</span>"), "{html}");
    assert!(
        ["on track", "at risk", "off track"]
            .iter()
            .any(|h| html.contains(&format!("{h}</span>"))),
        "{html}"
    );
    assert!(html.contains("<h2>Platform</h2>"), "goals grouped by team");
    assert!(html.contains(": <span class=\"why\">vendor API was late</span>"));
}

#[test]
fn json_is_the_report_with_stable_fields() {
    let w = fixture();
    let r = json(&w, &["--team", "platform", "--format", "json"]);
    assert_eq!(r["team"], "Platform");
    assert_eq!(r["workspace"], "Acme");
    assert_eq!(r["week"], "2026-W48");
    assert_eq!(r["monday"], "2026-11-23");
    assert_eq!(r["sunday"], "2026-11-29");
    assert_eq!(r["generated_at"], NOW);
    assert_eq!(r["summary"]["goals"], 2);
    assert_eq!(r["summary"]["plans"], 1);
    assert_eq!(r["summary"]["aspirations"], 1);
    let g1 = &r["goals"][0];
    assert_eq!(g1["id"], "G-1");
    assert_eq!(g1["status"], "plan");
    assert!(g1["health"].is_string(), "a plan has a health: {g1}");
    assert!(g1["health_reasons"].is_array());
    assert_eq!(g1["progress"]["done_items"], 1);
    assert_eq!(g1["progress"]["total_items"], 3);
    assert_eq!(g1["progress"]["done_hours"], 2.0);
    assert_eq!(g1["progress"]["total_hours"], 14.0);
    assert_eq!(g1["percent"], 14);
    assert_eq!(g1["next_step"]["id"], "I-2");
    assert_eq!(g1["next_step"]["status"], "doing");
    let slips: Vec<&Value> = g1["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "slipped")
        .collect();
    assert_eq!(slips.len(), 1, "only this week's slip: {g1}");
    assert_eq!(slips[0]["items"][0], "I-1");
    assert_eq!(slips[0]["reason"], "vendor API was late");
    assert_eq!(slips[0]["date_change"]["days"], 14);
    let g2 = &r["goals"][1];
    assert_eq!(g2["status"], "aspiration");
    assert!(g2["health"].is_null());
    assert_eq!(g2["not_a_plan"][0]["rule"], "goal_missing_date");
    assert!(g2["next_step"].is_null());
    assert_eq!(g2["no_next_step"], "it has no items yet");

    // The global --json flag is --format json.
    let mut global = report(&w, &["--team", "Platform", "--json"]);
    let mut format = report(&w, &["--team", "Platform", "--format", "json"]);
    global.retain(|c| c != '\n');
    format.retain(|c| c != '\n');
    assert_eq!(global, format);
}

#[test]
fn output_writes_the_file_and_prints_its_path() {
    let w = fixture();
    let file = w.dir.path().join("status.html");
    let printed = report(
        &w,
        &[
            "--workspace",
            "--format",
            "html",
            "--output",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(printed.trim(), file.display().to_string());
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains("G-1"));
}

#[test]
fn a_week_that_has_not_begun_is_refused() {
    let w = fixture();
    let err = refused(&w, &["--workspace", "--week", "2099-W01"]);
    assert!(err.contains("week 2099-W01 has not begun yet"), "{err}");
    assert!(err.contains("2026-W48"), "names this week: {err}");
    let err = refused(&w, &["--workspace", "--week", "2026-W49"]);
    assert!(err.contains("has not begun"), "{err}");
    let err = refused(&w, &["--workspace", "--week", "soon"]);
    assert!(
        err.contains("cannot read week `soon`"),
        "says how to write a week: {err}"
    );
}

#[test]
fn a_week_before_the_workspace_existed_has_nothing_changed() {
    let w = fixture();
    let r = json(&w, &["--workspace", "--week", "2026-W30", "--json"]);
    assert_eq!(r["summary"]["changes"], 0);
    assert_eq!(r["goals"][0]["changes"], Value::Array(vec![]));
    let md = report(&w, &["--workspace", "--week", "2026-W30"]);
    assert!(
        md.contains("**What changed this week**\n\n- nothing\n"),
        "{md}"
    );
}

#[test]
fn an_unknown_team_is_refused_with_the_fix() {
    let w = fixture();
    let err = refused(&w, &["--team", "Platfrom"]);
    assert!(
        err.contains("unknown team `Platfrom` (did you mean Platform?)"),
        "{err}"
    );
    assert!(err.contains("landed team list"), "{err}");
}

#[test]
fn a_scope_is_required() {
    let w = fixture();
    let out = w.run_at(NOW, &["report"]);
    assert_eq!(out.status.code(), Some(2), "usage error");
    let out = w.run_at(NOW, &["report", "--team", "Platform", "--workspace"]);
    assert_eq!(out.status.code(), Some(2), "one scope only");
}
