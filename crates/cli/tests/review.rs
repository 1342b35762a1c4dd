//! `landed review` as a user runs it: a real process against a temporary workspace whose
//! changes are placed in time with `LANDED_NOW`.

use serde_json::Value;

/// The review is taken on Thursday of 2026-W48 (Monday 23 to Sunday 29 November 2026).
const NOW: &str = "2026-11-26T12:00:00Z";
/// Monday of the week before.
const LAST_WEEK: &str = "2026-11-16T09:00:00Z";

mod common;
use common::Workspace;

/// Payments (lead @ana, member @ben), set up last week: G-1 with I-1 (@ben, due before the
/// target) and I-2 (@ana). This week @ben slips I-1 past the target and @ana blocks I-2.
fn payments() -> Workspace {
    let w = Workspace::empty();
    for args in [
        &["init", "--name", "Test", "--tz", "UTC"][..],
        &["person", "add", "ana", "--name", "Ana Ruiz"],
        &["person", "add", "ben", "--name", "Ben Okafor"],
        &[
            "team", "add", "Payments", "--lead", "ana", "--member", "ben",
        ],
        &[
            "goal",
            "add",
            "Launch SEPA instant",
            "--outcome",
            "live for EU customers, < 10 s",
            "--owner",
            "ana",
            "--by",
            "2026-12-18",
            "--team",
            "Payments",
        ],
        &[
            "item",
            "add",
            "Scheme adapter",
            "--outcome",
            "adapter passes the scheme's tests",
            "--owner",
            "ben",
            "--due",
            "2026-12-10",
            "--estimate",
            "8h",
            "--goal",
            "G-1",
        ],
        &[
            "item",
            "add",
            "Bank sandbox tests",
            "--outcome",
            "all sandbox cases green",
            "--owner",
            "ana",
            "--due",
            "2026-12-04",
            "--estimate",
            "6h",
            "--goal",
            "G-1",
        ],
    ] {
        w.ok_at(LAST_WEEK, args);
    }
    w.ok_at(
        "2026-11-24T10:00:00Z",
        &[
            "--as",
            "ana",
            "block",
            "I-2",
            "--reason",
            "waiting for sandbox keys",
        ],
    );
    w.ok_at(
        "2026-11-25T15:00:00Z",
        &[
            "--as",
            "ben",
            "item",
            "edit",
            "I-1",
            "--due",
            "2026-12-22",
            "--reason",
            "the scheme's test window moved",
        ],
    );
    w
}

#[test]
fn review_json_is_one_document_with_every_section() {
    let w = payments();
    let r: Value = serde_json::from_str(&w.ok_at(NOW, &["review", "--team", "payments", "--json"]))
        .expect("one JSON document");
    assert_eq!(r["team"], "Payments");
    assert_eq!(r["lead"], "ana");
    assert_eq!(r["week"], "2026-W48");
    assert_eq!(r["monday"], "2026-11-23");
    assert_eq!(r["sunday"], "2026-11-29");
    assert_eq!(r["so_far"], true);
    assert_eq!(r["blocked"][0]["id"], "I-2");
    assert_eq!(r["blocked"][0]["reason"], "waiting for sandbox keys");
    assert_eq!(r["blocked"][0]["days"], 2);
    assert_eq!(r["slips"][0]["id"], "I-1");
    assert_eq!(r["slips"][0]["change"], "slip");
    assert_eq!(r["slips"][0]["from"], "2026-12-10");
    assert_eq!(r["slips"][0]["to"], "2026-12-22");
    assert_eq!(r["slips"][0]["days"], 12);
    assert_eq!(r["slips"][0]["reason"], "the scheme's test window moved");
    assert_eq!(r["slips"][0]["by"], "ben");
    assert_eq!(r["health_dropped"][0]["id"], "G-1");
    assert_eq!(r["health_dropped"][0]["to"], "aspiration");
    assert_eq!(
        r["health_dropped"][0]["new_failing"][0],
        "item_after_target"
    );
    assert_eq!(r["aspirations"][0]["id"], "G-1");
    assert_eq!(
        r["aspirations"][0]["failing"][0]["rule"],
        "item_after_target"
    );
    assert_eq!(r["aspirations"][0]["failing"][0]["items"][0], "I-1");
    // Both joined on Monday of W47 after it began: nothing owed yet, W48 is under way.
    for c in r["check_ins"].as_array().unwrap() {
        assert_eq!(c["missed"].as_array().unwrap().len(), 0, "{c}");
        assert_eq!(c["checked_in"], false);
    }
    let counts = &r["counts"];
    for (section, n) in [
        ("blocked", 1),
        ("needs_help", 0),
        ("slips", 1),
        ("missed_check_ins", 0),
        ("dependencies", 0),
        ("requests", 0),
        ("health_dropped", 1),
        ("aspirations", 1),
    ] {
        assert_eq!(counts[section], n, "{section}: {counts}");
    }
    for list in [
        "needs_help",
        "check_ins",
        "dependencies",
        "requests",
        "overcommitted",
    ] {
        assert!(r[list].is_array(), "{list}");
    }
}

#[test]
fn review_text_has_a_header_counts_and_none_for_empty_sections() {
    let w = payments();
    let text = w.ok_at(NOW, &["review", "--team", "Payments"]);
    assert!(
        text.starts_with(
            "Review of Payments — 2026-W48 (Mon 2026-11-23 to Sun 2026-11-29, so far), lead @ana, UTC"
        ),
        "{text}"
    );
    assert!(text.contains("slips this week          1"), "{text}");
    assert!(text.contains("\n1. Blocked items (1)\n"), "{text}");
    assert!(text.contains("waiting for sandbox keys"), "{text}");
    assert!(text.contains("\n2. Needs help (0)\nnone\n"), "{text}");
    assert!(text.contains("slipped 12 days"), "{text}");
    assert!(text.contains("the scheme's test window moved"), "{text}");
    assert!(
        text.contains("G-1 Launch SEPA instant (@ana): on track → aspiration")
            || text.contains("G-1 Launch SEPA instant (@ana): at risk → aspiration")
            || text.contains("G-1 Launch SEPA instant (@ana): off track → aspiration"),
        "{text}"
    );
    assert!(
        text.contains("no open item is due after the goal's target [I-1]"),
        "{text}"
    );
}

#[test]
fn an_unknown_team_a_bad_week_and_a_future_week_are_refused_with_the_fix() {
    let w = payments();
    let err = w.fails_at(NOW, &["review", "--team", "Paymnets"]);
    assert!(
        err.contains("unknown team `Paymnets` (did you mean Payments?)")
            && err.contains("landed team list"),
        "{err}"
    );
    let err = w.fails_at(NOW, &["review", "--team", "Payments", "--week", "W48"]);
    assert!(err.contains("2026-W48"), "says how to write a week: {err}");
    let err = w.fails_at(NOW, &["review", "--team", "Payments", "--week", "2026-W50"]);
    assert!(
        err.contains("2026-W50 has not begun") && err.contains("this week is 2026-W48"),
        "{err}"
    );
    // A past week is fine: last week had no slips of these items.
    let r: Value = serde_json::from_str(&w.ok_at(
        NOW,
        &[
            "review", "--team", "Payments", "--week", "2026-W47", "--json",
        ],
    ))
    .unwrap();
    assert_eq!(r["so_far"], false);
    assert_eq!(r["counts"]["slips"], 0);
}
