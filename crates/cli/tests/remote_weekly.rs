//! The weekly commands (`checkin`, `review`, `report`, `stats`, `remind`) run on a workspace
//! file and through `landed serve` from one scenario over the small demo: every step prints
//! the same, byte for byte, and ends the same way in both modes (see `both/mod.rs`). Where the
//! server refuses what a local file allows, the last test says so.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod both;
use both::Both;

/// Thursday of 2026-W48 (Monday 23 to Sunday 29 November), 11:00 in Berlin: the demo is made
/// then, and both clocks stay there.
const NOW: &str = "2026-11-26T10:00:00Z";

/// The small demo (@ana admin and Platform lead; @ben, @chloe, @dev in Platform; @emma leads
/// Payments with @farid and @grace; @farid has checked in this week, asking for help), with
/// @dev made a viewer, and API tokens for `people`.
fn demo(people: &[&str]) -> Both {
    Both::start(NOW, people, |ws| {
        ws.ok_at(NOW, &["demo", "--force"]);
        ws.ok_at(
            NOW,
            &["--as", "ana", "person", "edit", "dev", "--role", "viewer"],
        );
    })
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not one JSON document ({e}): {text}"))
}

/// Both outputs the same: exit code, standard output and standard error.
fn assert_same(what: &str, local: &Output, remote: &Output) {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert_eq!(
        local.status.code(),
        remote.status.code(),
        "{what}: exit codes differ\n-- local stderr:\n{}\n-- remote stderr:\n{}",
        text(&local.stderr),
        text(&remote.stderr)
    );
    assert_eq!(
        text(&local.stdout),
        text(&remote.stdout),
        "{what}: standard output differs (left local, right remote); remote stderr: {}",
        text(&remote.stderr)
    );
    assert_eq!(
        text(&local.stderr),
        text(&remote.stderr),
        "{what}: standard error differs (left local, right remote)"
    );
}

/// Run `command` with `input` on its standard input.
fn fed(mut command: Command, input: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// [`Both::ok`] for a command that reads `input` from its standard input.
fn ok_fed(both: &Both, handle: &str, args: &[&str], input: &str) -> String {
    let mut all = vec!["--as", handle];
    all.extend_from_slice(args);
    let local = fed(both.local.command(&both.now, &all), input);
    let remote = fed(both.remote_command(handle, args), input);
    assert_same(&format!("landed {args:?} as @{handle}"), &local, &remote);
    assert!(
        local.status.success(),
        "landed {args:?} as @{handle} failed in both modes: {}",
        String::from_utf8_lossy(&local.stderr)
    );
    String::from_utf8(local.stdout).unwrap()
}

/// A report written with `--output FILE` in both modes: the same file, and the same line
/// naming it. The file's text.
fn same_file(both: &Both, handle: &str, args: &[&str]) -> String {
    let path = both.local.dir.path().join("report.out");
    let file = path.to_str().unwrap();
    let mut all = args.to_vec();
    all.extend_from_slice(&["--output", file]);
    let local = both.run_local(handle, &all);
    let local_text = std::fs::read_to_string(&path).expect("written locally");
    std::fs::remove_file(&path).unwrap();
    let remote = both.run_remote(handle, &all);
    let remote_text = std::fs::read_to_string(&path).expect("written in remote mode");
    std::fs::remove_file(&path).unwrap();
    assert_same(&format!("landed {all:?}"), &local, &remote);
    assert!(local.status.success());
    assert_eq!(String::from_utf8_lossy(&local.stdout), format!("{file}\n"));
    assert_eq!(local_text, remote_text, "the files differ");
    local_text
}

#[test]
fn reviews_reports_and_figures_read_the_same_in_both_modes() {
    let both = demo(&["ana", "emma", "ben"]);

    let review = both.ok("emma", &["review", "--team", "Payments"]);
    assert!(
        review.starts_with(
            "Review of Payments — 2026-W48 (Mon 2026-11-23 to Sun 2026-11-29, so far), lead @emma"
        ),
        "{review}"
    );
    assert!(review.contains("a second person on call"), "{review}");
    let doc = json(&both.ok("ben", &["review", "--team", "payments", "--json"]));
    assert_eq!(doc["team"], "Payments");
    assert_eq!(doc["week"], "2026-W48");
    assert_eq!(doc["needs_help"][0]["person"], "farid", "{doc}");
    let last_week = both.ok(
        "ana",
        &["review", "--team", "Platform", "--week", "2026-W47"],
    );
    assert!(
        last_week.starts_with("Review of Platform — 2026-W47 (Mon 2026-11-16 to Sun 2026-11-22)"),
        "{last_week}"
    );

    let md = both.ok("ana", &["report", "--team", "Platform"]);
    assert!(
        md.starts_with("# Platform: weekly report 2026-W48\n"),
        "{md}"
    );
    let html = both.ok("ben", &["report", "--workspace", "--format", "html"]);
    assert!(
        html.contains("<html") && html.contains("Demo Corp"),
        "{html}"
    );
    let doc = json(&both.ok(
        "ben",
        &["report", "--workspace", "--week", "2026-W47", "--json"],
    ));
    assert_eq!(doc["week"], "2026-W47");
    assert_eq!(doc["team"], Value::Null);
    assert_eq!(
        both.ok("ben", &["report", "--workspace", "--format", "json"]),
        both.ok("ben", &["report", "--workspace", "--json"])
    );
    let written = same_file(
        &both,
        "emma",
        &["report", "--team", "Payments", "--format", "html"],
    );
    assert!(
        written.contains("Payments: weekly report 2026-W48"),
        "{written}"
    );

    let figures = both.ok("ana", &["stats"]);
    assert!(
        figures.starts_with("Figures for workspace from "),
        "{figures}"
    );
    let team = both.ok("emma", &["stats", "--team", "Payments"]);
    assert!(team.starts_with("Figures for team Payments"), "{team}");
    for member in ["@emma", "@farid", "@grace"] {
        assert!(team.contains(member), "{member}: {team}");
    }
    let doc = json(&both.ok(
        "ben",
        &["stats", "--person", "grace", "--since", "-2w", "--json"],
    ));
    assert_eq!(doc["scope"], "@grace");
    assert_eq!(doc["since"], "2026-11-12T10:00:00Z");
    let doc = json(&both.ok(
        "ben",
        &["stats", "--goal", "g-3", "--since", "2026-11-01", "--json"],
    ));
    assert_eq!(doc["scope"], "G-3");
    assert_eq!(
        doc["since"], "2026-10-31T23:00:00Z",
        "the day's start in Berlin"
    );
}

#[test]
fn a_check_in_given_in_either_mode_is_the_same_check_in() {
    let both = demo(&["ana", "ben", "chloe"]);

    // The agenda, as text (no terminal: shown, not asked) and as JSON; and someone else's.
    let agenda = both.ok("ben", &["checkin"]);
    assert!(
        agenda.starts_with("Check-in 2026-W48 for @ben (Mon 2026-11-23 – Sun 2026-11-29, Europe/London): not given yet"),
        "{agenda}"
    );
    assert!(agenda.contains("I-1"), "{agenda}");
    let doc = json(&both.ok("ben", &["checkin", "--json"]));
    assert_eq!(doc["given"], false);
    let farid = both.ok("ben", &["checkin", "--for", "farid"]);
    assert!(
        farid.contains("Needs help: a second person on call"),
        "{farid}"
    );
    let figures = |who: &str| -> Value {
        json(&both.ok(
            "ana",
            &["stats", "--person", who, "--since", "-1w", "--json"],
        ))
    };
    let before = figures("ben");

    // Given with flags, in both modes: the same write, the same answer.
    let given = both.ok(
        "ben",
        &[
            "checkin",
            "--item",
            "I-1=done:billing deploys from pipeline v2",
            "--done",
            "billing service on pipeline v2",
            "--blocked",
            "the auth service waits for runners",
            "--needs-help",
            "runners from the Platform budget",
        ],
    );
    assert!(
        given.starts_with("Check-in 2026-W48 saved for @ben.\n  I-1: doing → done\n"),
        "{given}"
    );
    let doc = json(&both.ok("ben", &["checkin", "--json"]));
    assert_eq!(doc["given"], true);
    assert_eq!(doc["done"], "billing service on pipeline v2");

    // Amended from a JSON document on standard input.
    let amended = ok_fed(
        &both,
        "ben",
        &["checkin", "--from", "-", "--json"],
        r#"{"goals": [], "blocked": "the runners", "items": [{"item": "I-1", "note": "runners ordered"}]}"#,
    );
    let doc = json(&amended);
    assert_eq!(doc["blocked"], "the runners");
    assert_eq!(doc["done"], "billing service on pipeline v2", "kept");
    assert_eq!(doc["items"][0]["note"], "runners ordered", "{doc}");

    // Interactive: the questions are asked by the CLI, the answers written once at the end.
    let agenda = json(&both.ok("chloe", &["checkin", "--json"]));
    let per_item = "\n\n".repeat(agenda["items"].as_array().unwrap().len());
    let per_goal = "\n".repeat(agenda["goals"].as_array().unwrap().len());
    let answers = format!("{per_item}runbook draft\n\n\n{per_goal}y\n");
    let asked = ok_fed(&both, "chloe", &["checkin", "--interactive"], &answers);
    assert!(asked.starts_with("Check-in 2026-W48 for @chloe"), "{asked}");
    assert!(
        asked.contains("Check-in 2026-W48 saved for @chloe."),
        "{asked}"
    );
    // Stopped before confirming: nothing is written, in either mode.
    let stopped = ok_fed(&both, "ben", &["checkin", "--interactive"], "\n");
    assert!(
        stopped.ends_with("Stopped: nothing was saved.\n"),
        "{stopped}"
    );

    // What was said shows in the lead's review and in the figures, in both modes.
    let review = both.ok("ana", &["review", "--team", "Platform"]);
    assert!(
        review.contains("runners from the Platform budget"),
        "{review}"
    );
    let after = figures("ben");
    assert_eq!(
        after["items_done"].as_u64().unwrap(),
        before["items_done"].as_u64().unwrap() + 1,
        "I-1, done in the check-in\n{before}\n{after}"
    );
    let doc = json(&both.ok("ana", &["checkin", "--for", "chloe", "--json"]));
    assert_eq!(doc["given"], true);
    assert_eq!(doc["done"], "runbook draft");
}

#[test]
fn refusals_are_the_same_in_both_modes() {
    let both = demo(&["ana", "ben"]);
    for (who, args, says) in [
        ("ana", &["review", "--team", "Paymnts"][..], "Paymnts"),
        (
            "ana",
            &["review", "--team", "Payments", "--week", "2026-W99"],
            "2026-W99",
        ),
        (
            "ana",
            &["review", "--team", "Payments", "--week", "2027-W05"],
            "has not begun",
        ),
        ("ana", &["report", "--team", "Nope"], "Nope"),
        ("ana", &["report", "--workspace", "--week", "48"], "48"),
        ("ben", &["stats", "--since", "-4x"], "-4x"),
        ("ben", &["stats", "--person", "nobody"], "@nobody"),
        ("ben", &["stats", "--goal", "G-99"], "G-99"),
        ("ben", &["checkin", "--for", "nobody"], "@nobody"),
        ("ben", &["checkin", "--week", "2026-W99"], "2026-W99"),
        (
            "ben",
            &["checkin", "--week", "2026-W47", "--done", "late"],
            "2026-W47 is over",
        ),
        (
            "ben",
            &["checkin", "--item", "I-99=done"],
            "I-99 does not exist",
        ),
        ("ben", &["checkin", "--item", "I-5=done"], "owned by @farid"),
        ("ben", &["checkin", "--item", "I-1=finished"], "finished"),
        (
            "ben",
            &["checkin", "--for", "farid", "--done", "x"],
            "--for only shows",
        ),
        (
            "ana",
            &["remind", "setup", "--checkin-day", "funday"],
            "funday",
        ),
        (
            "ben",
            &[
                "remind",
                "setup",
                "--person",
                "ben",
                "--smtp-url",
                "smtp://mail.example.org",
            ],
            "drop --person",
        ),
        (
            "ana",
            &["remind", "setup", "--webhook-url", "ftp://example.org"],
            "not an http(s) URL",
        ),
    ] {
        let err = both.refused(who, args);
        assert!(
            err.starts_with("error: ") && err.contains(says) && err.lines().count() == 1,
            "landed {args:?}: {err}"
        );
    }
    // Nothing was written by any of them.
    let doc = json(&both.ok("ben", &["checkin", "--json"]));
    assert_eq!(doc["given"], false);
    assert!(
        both.ok("ana", &["remind", "show"])
            .starts_with("No channels set")
    );
}

#[test]
fn reminders_are_set_shown_and_sent_the_same_in_both_modes() {
    let both = demo(&["ana", "ben"]);
    let shown = both.ok("ben", &["remind", "show"]);
    assert_eq!(
        shown,
        "No channels set: see `landed remind setup --help`.\n"
    );
    // What is due now, nothing recorded: anyone may look.
    let due = both.ok("ben", &["remind", "--dry-run"]);
    assert!(due.contains("(no channel)"), "{due}");
    assert!(due.ends_with("nothing recorded or sent.\n"), "{due}");
    let doc = json(&both.ok("ben", &["remind", "--dry-run", "--json"]));
    assert_eq!(doc["dry_run"], true);
    assert!(!doc["due"].as_array().unwrap().is_empty(), "{doc}");

    // One's own settings, and the workspace's (an admin's).
    let mine = both.ok(
        "ben",
        &[
            "remind",
            "setup",
            "--person",
            "ben",
            "--checkin-day",
            "thu",
            "--no-email",
        ],
    );
    assert_eq!(mine, "Reminder settings of @ben saved.\n");
    // A port nobody listens on: sending fails the same way in both modes, and stays pending.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hook = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let doc = json(&both.ok(
        "ana",
        &["remind", "setup", "--webhook-url", &hook, "--json"],
    ));
    assert_eq!(doc["scope"], "workspace");
    let shown = both.ok("ben", &["remind", "show"]);
    assert!(
        shown.contains("@ben: smtp -, from -, webhook -, check-in day thu, e-mail off"),
        "{shown}"
    );
    assert!(
        shown.contains("workspace: smtp -, from -, webhook http://127.0.0.1:"),
        "{shown}"
    );

    let sent = both.ok("ana", &["remind"]);
    assert!(
        sent.contains("new reminder(s) recorded; 0 sent now"),
        "{sent}"
    );
    let doc = json(&both.ok("ana", &["remind", "show", "--last", "3", "--json"]));
    let reminders = doc["reminders"].as_array().unwrap();
    assert_eq!(reminders.len(), 3, "{doc}");
    assert!(reminders.iter().all(|r| r["channel"] == "webhook"), "{doc}");
    // Sent once: a second run records nothing new.
    let again = both.ok("ana", &["remind", "--json"]);
    assert_eq!(json(&again)["recorded"], 0, "{again}");
}

/// On a server, `landed_core::authz` decides what the signed-in person may do; on a workspace
/// file, whoever runs the CLI may do anything (`landed_app::Access::Local`: they can write the
/// file anyway, and `--as` only names the author). So these are refused through the server
/// with the rule's message, and done on the file.
#[test]
fn the_server_refuses_what_only_admins_or_the_person_may_do() {
    let both = demo(&["ben", "dev"]);
    for (who, args, says) in [
        ("ben", &["remind"][..], "only a workspace admin can do this"),
        (
            "ben",
            &[
                "remind",
                "setup",
                "--webhook-url",
                "https://hooks.example.org/x",
            ],
            "only a workspace admin can do this",
        ),
        (
            "ben",
            &[
                "remind",
                "setup",
                "--person",
                "chloe",
                "--checkin-day",
                "mon",
            ],
            "only that person or a workspace admin can change their settings",
        ),
        (
            "dev",
            &["checkin", "--done", "read the docs"],
            "viewers can read but not change anything; ask a workspace admin for the member role",
        ),
    ] {
        let remote = both.run_remote(who, args);
        let err = String::from_utf8_lossy(&remote.stderr);
        assert_eq!(
            remote.status.code(),
            Some(1),
            "landed {args:?} as @{who}: {err}"
        );
        assert_eq!(
            err,
            format!("error: not allowed: {says}\n"),
            "landed {args:?} as @{who}"
        );
        let local = both.run_local(who, args);
        assert!(
            local.status.success(),
            "landed {args:?} --as {who} on the file: {}",
            String::from_utf8_lossy(&local.stderr)
        );
    }
    // Refused means unchanged: the server's copy has no channels and no reminders.
    let shown = both.run_remote("ben", &["remind", "show"]);
    assert_eq!(
        String::from_utf8_lossy(&shown.stdout),
        "No channels set: see `landed remind setup --help`.\n"
    );
}
