//! `landed checkin` and `landed stats` as a user runs them: real processes, a temporary
//! workspace, and time set with `LANDED_NOW`.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use landed_core::event::Event;
use landed_core::stats::{History, Scope};
use landed_store::{SqlStore, Store};

/// A Monday, 10:00 in Berlin.
const NOW: &str = "2026-11-23T09:00:00Z";

mod common;
use common::Workspace;

/// A workspace (Europe/Berlin) made at `at`, with @ana (Berlin) and @ben (Los Angeles).
fn made_at(at: &str) -> Workspace {
    let w = Workspace::empty();
    w.ok_at(at, &["init", "--name", "Test", "--tz", "Europe/Berlin"]);
    w.ok_at(at, &["person", "add", "ana", "--name", "Ana Ruiz"]);
    w.ok_at(
        at,
        &[
            "person",
            "add",
            "ben",
            "--name",
            "Ben Okafor",
            "--tz",
            "America/Los_Angeles",
        ],
    );
    w
}

/// The whole event log of a workspace.
fn events(w: &Workspace) -> Vec<Event> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = SqlStore::open(&w.db, false).await.unwrap();
        let events = store.events().await.unwrap();
        store.close().await;
        events
    })
}

/// Ana's goal G-1 with I-1 (due this week), I-2 (in progress), I-3 (overdue); Ben's I-4.
fn with_work() -> Workspace {
    let w = made_at("2026-11-16T09:00:00Z");
    let at = "2026-11-16T09:00:00Z";
    w.ok_at(
        at,
        &[
            "goal",
            "add",
            "Launch instant payments",
            "--owner",
            "ana",
            "--by",
            "2027-02-26",
            "--outcome",
            "live in the EU",
        ],
    );
    for (title, due) in [
        ("Write the rollout doc", "2026-11-27"),
        ("Integrate the API", "2026-12-18"),
        ("Sign the contract", "2026-11-20"),
    ] {
        w.ok_at(
            at,
            &[
                "item",
                "add",
                title,
                "--goal",
                "G-1",
                "--owner",
                "ana",
                "--due",
                due,
                "--estimate",
                "4h",
                "--outcome",
                "done",
            ],
        );
    }
    w.ok_at(at, &["start", "I-2"]);
    w.ok_at(
        at,
        &[
            "item",
            "add",
            "Ben's task",
            "--owner",
            "ben",
            "--due",
            "2026-11-27",
            "--estimate",
            "2h",
        ],
    );
    w
}

#[test]
fn agenda_lists_what_is_due_overdue_in_progress_and_owned_goals() {
    let w = with_work();
    let view = w.json_at(NOW, &["checkin"]);
    assert_eq!(view["week"], "2026-W48");
    assert_eq!(view["monday"], "2026-11-23");
    assert_eq!(view["given"], false);
    assert_eq!(view["open"], true);
    let items: Vec<(&str, Vec<&str>)> = view["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap(),
                i["why"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| w.as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        items,
        vec![
            ("I-3", vec!["overdue"]),
            ("I-1", vec!["due_this_week"]),
            ("I-2", vec!["in_progress"]),
        ]
    );
    assert_eq!(view["goals"][0]["id"], "G-1");
    // Without a terminal and without answers it only shows the agenda.
    let text = w.ok_at(NOW, &["checkin"]);
    assert!(text.contains("not given yet"), "{text}");
}

#[test]
fn a_checkin_sets_statuses_in_one_write_and_is_amended_during_its_week_only() {
    let w = with_work();
    let given = w.json_at(
        NOW,
        &[
            "checkin",
            "--item",
            "I-1=done",
            "--item",
            "I-2=blocked:waiting for the bank's sandbox",
            "--item",
            "I-3:contract with legal",
            "--done",
            "rollout doc reviewed",
            "--confidence",
            "G-1=at-risk",
        ],
    );
    assert_eq!(given["given"], true);
    assert_eq!(
        given["changed"],
        serde_json::json!(["I-1: todo → done", "I-2: doing → blocked"])
    );
    let i2 = w.json_at(NOW, &["item", "show", "I-2"]);
    assert_eq!(i2["status"], "blocked");
    assert_eq!(i2["status_reason"], "waiting for the bank's sandbox");
    assert_eq!(w.json_at(NOW, &["item", "show", "I-1"])["status"], "done");

    // Amended on Wednesday: what is named again is replaced, the rest kept.
    let wednesday = "2026-11-25T15:00:00Z";
    let amended = w.json_at(
        wednesday,
        &[
            "checkin",
            "--needs-help",
            "a reviewer from SRE",
            "--confidence",
            "G-1=off-track",
        ],
    );
    assert_eq!(amended["done"], "rollout doc reviewed");
    assert_eq!(amended["needs_help"], "a reviewer from SRE");
    assert_eq!(amended["goals"][0]["confidence"], "off-track");
    let i3 = amended["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "I-3")
        .unwrap()
        .clone();
    assert_eq!(i3["note"], "contract with legal");

    // One event per change: two item changes and the check-in, then the amendment.
    let kinds: Vec<String> = events(&w)
        .iter()
        .filter(|e| {
            matches!(
                e.kind.as_str(),
                "checked_in" | "amended" | "done" | "blocked"
            )
        })
        .map(|e| e.kind.as_str().to_string())
        .collect();
    assert_eq!(kinds, ["done", "blocked", "checked_in", "amended"]);

    // Once the week is over in Berlin, it cannot be amended.
    let next_monday = "2026-11-29T23:30:00Z";
    let err = w.fails_at(
        next_monday,
        &["checkin", "--week", "2026-W48", "--done", "late"],
    );
    assert!(
        err.contains("2026-W48 is over") && err.contains("this week is 2026-W49"),
        "{err}"
    );
    // Nor given ahead of its week.
    let err = w.fails_at(NOW, &["checkin", "--week", "2026-W50", "--done", "early"]);
    assert!(err.contains("has not begun"), "{err}");
}

#[test]
fn bad_checkins_are_refused_and_change_nothing() {
    let w = with_work();
    let before = events(&w).len();
    for (args, expect) in [
        (vec!["checkin", "--item", "I-4=done"], "owned by @ben"),
        (
            vec!["checkin", "--item", "I-99=done"],
            "I-99 does not exist",
        ),
        (
            vec!["checkin", "--item", "I-1=finished"],
            "unknown status `finished`",
        ),
        (
            vec!["checkin", "--item", "I-1=done", "--item", "I-3=blocked"],
            "without a note",
        ),
        (
            vec!["checkin", "--item", "I-1=done", "--item", "I-1:again"],
            "named twice",
        ),
        (
            vec!["checkin", "--confidence", "G-1=maybe"],
            "unknown confidence",
        ),
        (vec!["checkin", "--confidence", "G-1"], "GOAL=CONFIDENCE"),
        (
            vec!["checkin", "--week", "2026-W60", "--done", "x"],
            "does not exist",
        ),
        (
            vec!["checkin", "--as", "ben", "--confidence", "G-1=on-track"],
            "not yours",
        ),
    ] {
        let err = w.fails_at(NOW, &args);
        assert!(err.contains(expect), "{args:?}: {err}");
    }
    assert_eq!(
        events(&w).len(),
        before,
        "a refused check-in wrote something"
    );
    assert_eq!(w.json_at(NOW, &["item", "show", "I-1"])["status"], "todo");
}

#[test]
fn a_checkin_is_read_from_json() {
    let w = with_work();
    let file = w.dir.path().join("checkin.json");
    std::fs::write(
        &file,
        r#"{"items": [{"item": "I-1", "status": "doing", "note": "outline done"}],
            "blocked": "nothing", "goals": [{"goal": "G-1", "confidence": "on-track"}]}"#,
    )
    .unwrap();
    let view = w.json_at(NOW, &["checkin", "--from", file.to_str().unwrap()]);
    assert_eq!(view["blocked"], "nothing");
    assert_eq!(w.json_at(NOW, &["item", "show", "I-1"])["status"], "doing");
    std::fs::write(&file, r#"{"itemz": []}"#).unwrap();
    let err = w.fails_at(NOW, &["checkin", "--from", file.to_str().unwrap()]);
    assert!(
        err.contains("not a check-in document") && err.contains("itemz"),
        "{err}"
    );
}

#[test]
fn interactive_checkin_asks_per_item_and_saves_once_confirmed() {
    let w = with_work();
    // I-3, I-1, I-2 in agenda order: status and note each, then overall, goal, confirm.
    let answers = "\n\ndone\nshipped\n\n\nwhat got done\n\nneed a reviewer\nat-risk\ny\n";
    let mut child = w
        .command(NOW, &["checkin", "--interactive"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("status (todo/doing/blocked/done/dropped) [todo]"),
        "{text}"
    );
    assert!(text.contains("Check-in 2026-W48 saved"), "{text}");
    let view = w.json_at(NOW, &["checkin"]);
    assert_eq!(view["needs_help"], "need a reviewer");
    assert_eq!(view["goals"][0]["confidence"], "at-risk");
    assert_eq!(w.json_at(NOW, &["item", "show", "I-1"])["status"], "done");

    // With --json the questions go to stderr and stdout holds only the document.
    let w2 = with_work();
    let mut child = w2
        .command(NOW, &["checkin", "--interactive", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["needs_help"], "need a reviewer");
    assert!(String::from_utf8_lossy(&out.stderr).contains("status (todo/doing"));

    // Input that ends half-way saves nothing.
    let w = with_work();
    let mut child = w
        .command(NOW, &["checkin", "--interactive"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"done\nall good\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing was saved"));
    assert_eq!(w.json_at(NOW, &["checkin"])["given"], false);
    assert_eq!(w.json_at(NOW, &["item", "show", "I-3"])["status"], "todo");
}

#[test]
fn ctrl_c_during_an_interactive_checkin_leaves_nothing_written() {
    let w = with_work();
    let before = events(&w).len();
    let mut child = w
        .command(NOW, &["checkin", "--interactive"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"done\nsigned\n").unwrap();
    stdin.flush().unwrap();
    // Wait until the walk has taken I-3's answers and asks about I-1.
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("I-1 ") {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no prompt: {}",
            String::from_utf8_lossy(&seen)
        );
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "ended early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    drop(stdin);
    assert!(!exit.success(), "Ctrl-C should stop it");
    assert_eq!(
        events(&w).len(),
        before,
        "an interrupted check-in wrote something"
    );
    assert_eq!(w.json_at(NOW, &["item", "show", "I-3"])["status"], "todo");
}

#[test]
fn weeks_follow_each_persons_zone_across_dst_and_week_53() {
    let w = made_at("2026-01-05T00:00:00Z");
    w.ok_at(
        "2026-01-05T00:00:00Z",
        &[
            "person",
            "add",
            "kiri",
            "--name",
            "Kiri",
            "--tz",
            "Pacific/Auckland",
        ],
    );
    let week = |now: &str, who: &str| {
        w.json_at(now, &["checkin", "--as", who])["week"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for (now, auckland, los_angeles) in [
        // New Zealand springs forward on 2026-09-27: Monday 02:30 NZDT there, Sunday in LA.
        ("2026-09-27T13:30:00Z", "2026-W40", "2026-W39"),
        // The evening before, both are in W39.
        ("2026-09-26T09:00:00Z", "2026-W39", "2026-W39"),
        // Los Angeles falls back on 2026-11-01: 01:30 comes twice, both Sunday of W44.
        ("2026-11-01T08:30:00Z", "2026-W44", "2026-W44"),
        ("2026-11-01T09:30:00Z", "2026-W44", "2026-W44"),
        // Sunday 23:30 PST is still W44 in Los Angeles, Monday evening W45 in Auckland.
        ("2026-11-02T07:30:00Z", "2026-W45", "2026-W44"),
        // 2026 has a week 53: Sunday 2027-01-03 in LA, Monday 2027-01-04 in Auckland.
        ("2027-01-03T20:00:00Z", "2027-W01", "2026-W53"),
        ("2027-01-01T12:00:00Z", "2026-W53", "2026-W53"),
    ] {
        assert_eq!(week(now, "kiri"), auckland, "Auckland at {now}");
        assert_eq!(week(now, "ben"), los_angeles, "Los Angeles at {now}");
    }
    // A check-in given in LA's week 53 is that week's, and can be given then.
    let given = w.json_at(
        "2027-01-03T20:00:00Z",
        &["checkin", "--as", "ben", "--done", "year end"],
    );
    assert_eq!(given["week"], "2026-W53");
}

/// On-time rate, mean slip and check-in rate on a history computed by hand; the same figures
/// again from the event log alone.
#[test]
fn stats_match_a_hand_computed_history_and_the_event_log_alone() {
    // Monday of W44, 09:00 in Berlin: W44 began before @ana joined, so she owes W45 onwards.
    let w = made_at("2026-10-26T08:00:00Z");
    let t0 = "2026-10-26T08:00:00Z";
    for (title, due) in [
        ("One", "2026-11-06"),
        ("Two", "2026-11-06"),
        ("Three", "2026-11-13"),
    ] {
        w.ok_at(
            t0,
            &[
                "item",
                "add",
                title,
                "--owner",
                "ana",
                "--due",
                due,
                "--estimate",
                "2h",
            ],
        );
    }
    w.ok_at(
        t0,
        &["item", "add", "Four", "--owner", "ana", "--estimate", "2h"],
    );
    // I-2 slips a week (and is done on the 12th: 6 days after its first date); I-1 is done a
    // day early; I-4 had no date; I-3 is done three days late. Check-ins in W45 and W47 only.
    w.ok_at(
        "2026-11-04T10:00:00Z",
        &[
            "item",
            "edit",
            "I-2",
            "--due",
            "2026-11-13",
            "--reason",
            "vendor late",
        ],
    );
    w.ok_at("2026-11-05T10:00:00Z", &["done", "I-1"]);
    w.ok_at("2026-11-06T10:00:00Z", &["checkin", "--done", "one"]);
    w.ok_at("2026-11-10T10:00:00Z", &["done", "I-4"]);
    w.ok_at("2026-11-12T10:00:00Z", &["done", "I-2"]);
    w.ok_at("2026-11-16T10:00:00Z", &["done", "I-3"]);
    w.ok_at("2026-11-20T10:00:00Z", &["checkin", "--done", "three"]);

    let stats = w.json_at(NOW, &["stats", "--person", "ana", "--since", "2026-10-26"]);
    assert_eq!(stats["items_done"], 4);
    assert_eq!(stats["dated_done"], 3);
    assert_eq!(stats["on_time"], 1);
    assert_eq!(stats["on_time_rate"], 0.33);
    assert_eq!(stats["mean_slip_days"], 3.0); // (0 + 6 + 3) / 3
    assert_eq!(stats["slips"], 1);
    assert_eq!(stats["checkins_owed"], 3);
    assert_eq!(stats["checkins_given"], 2);
    assert_eq!(stats["checkin_rate"], 0.67);
    assert_eq!(stats["missed_weeks"], serde_json::json!(["2026-W46"]));
    assert_eq!(stats["days_since_progress"], 6); // I-3, done 6 days 23 hours ago

    // The event log alone, through JSON and back, gives the same figures.
    let text = serde_json::to_string(&events(&w)).unwrap();
    let events: Vec<Event> = serde_json::from_str(&text).unwrap();
    let history = History::from_events(&events);
    let ana = history
        .state
        .people
        .values()
        .find(|p| p.handle == "ana")
        .unwrap()
        .id;
    let since: jiff::Timestamp = "2026-10-25T23:00:00Z".parse().unwrap();
    let figures = history.figures(Scope::Person(ana), since, NOW.parse().unwrap());
    let mut from_log = serde_json::to_value(&figures).unwrap();
    from_log.as_object_mut().unwrap().remove("goals");
    for (key, value) in from_log.as_object().unwrap() {
        assert_eq!(&stats[key], value, "{key}");
    }

    // A window starting after W45 owes two weeks; the team figures include each member.
    let later = w.json_at(NOW, &["stats", "--person", "ana", "--since", "2026-11-09"]);
    assert_eq!(
        (
            later["checkins_owed"].as_u64(),
            later["checkins_given"].as_u64()
        ),
        (Some(2), Some(1))
    );
    for bad in ["-4x", "-4é", "-", "-99999w"] {
        let err = w.fails_at(NOW, &["stats", "--since", bad]);
        assert!(err.contains("since"), "{bad}: {err}");
    }
    let err = w.fails_at(NOW, &["stats", "--person", "zed"]);
    assert!(err.contains("unknown person @zed"), "{err}");
}

/// RELIABILITY T15: the server's own `TZ` changes nothing: weeks, agendas, figures and due
/// reminders follow each person's zone.
#[test]
fn results_are_identical_under_any_server_tz() {
    let w = with_work();
    w.ok_at(NOW, &["checkin", "--item", "I-1=done", "--done", "doc"]);
    let friday = "2026-11-27T09:00:00Z";
    let mut seen: Option<Vec<String>> = None;
    for tz in ["UTC", "Pacific/Kiritimati", "America/St_Johns"] {
        let outputs: Vec<String> = [
            vec!["checkin", "--json"],
            vec!["checkin", "--as", "ben", "--json"],
            vec!["stats", "--since", "2026-11-01", "--json"],
            vec!["remind", "--dry-run", "--json"],
        ]
        .iter()
        .map(|args| {
            let out = w.command(friday, args).env("TZ", tz).output().unwrap();
            assert!(out.status.success(), "{args:?} under TZ={tz}");
            String::from_utf8(out.stdout).unwrap()
        })
        .collect();
        match &seen {
            None => seen = Some(outputs),
            Some(first) => assert_eq!(first, &outputs, "TZ={tz} changed a result"),
        }
    }
}
