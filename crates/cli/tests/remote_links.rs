//! Remote mode for the links between teams and their effects: `deps add|list`, `ask`, `answer
//! commit|not-yet`, `requests`, `capacity`, `forecast`, `impact` and `history`, run on a
//! workspace file and through `landed serve`, step by step, with the same output.
//!
//! The small demo: @ana (admin) leads Platform (ben, chloe, dev), @emma leads Payments (farid,
//! grace), @hiro leads Mobile (isla, jon). R-1 (Mobile asks Platform, committed with a new
//! item) and R-2 (isla asks Payments for I-10, open). Each test adds @viv, a viewer.

mod both;

use both::Both;
use serde_json::Value;

const NOW: &str = "2026-11-23T09:00:00Z";

fn demo() -> Both {
    Both::start(
        NOW,
        &[
            "ana", "ben", "chloe", "emma", "farid", "grace", "isla", "viv",
        ],
        |ws| {
            ws.ok_at(NOW, &["demo", "--force"]);
            ws.ok_at(
                NOW,
                &["--as", "ana", "person", "add", "viv", "--name", "Viv Lund"],
            );
            ws.ok_at(
                NOW,
                &["--as", "ana", "person", "edit", "viv", "--role", "viewer"],
            );
        },
    )
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The `from → to` pairs of a `deps list --json`.
fn edges(deps: &Value) -> Vec<(String, String)> {
    deps.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["from"].as_str().unwrap().to_string(),
                d["to"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn dependencies_list_add_and_refuse_the_same_through_a_server() {
    let both = demo();
    let table = both.ok("ben", &["deps", "list"]);
    assert!(
        table.contains("phantom") && table.contains("G-4") && table.contains("G-2"),
        "G-4 needs the aspiration G-2: {table}"
    );
    let all = parse(&both.ok("ben", &["deps", "list", "--json"]));
    assert!(edges(&all).contains(&("I-5".into(), "I-1".into())), "{all}");
    // Requests made for an item are dependencies too: R-2, for I-10, still phantom.
    assert!(
        edges(&all).contains(&("I-10".into(), "R-2".into())),
        "{all}"
    );
    let mobile = parse(&both.ok("viv", &["deps", "list", "--team", "Mobile", "--json"]));
    assert!(
        !edges(&mobile).is_empty() && edges(&mobile).len() < edges(&all).len(),
        "{mobile}"
    );
    both.ok("viv", &["deps", "list", "--team", "Payments"]);
    let unknown_team = both.refused("ben", &["deps", "list", "--team", "Nowhere"]);
    assert!(unknown_team.contains("Nowhere"), "{unknown_team}");

    // A write, then the read that shows it: chloe's I-2 needs Payments' I-6.
    let added = both.ok(
        "chloe",
        &["deps", "add", "I-2", "--needs", "I-6", "--by", "2026-12-18"],
    );
    assert!(added.starts_with("I-2 now needs I-6: "), "{added}");
    let after = parse(&both.ok("chloe", &["deps", "list", "--json"]));
    assert!(
        edges(&after).contains(&("I-2".into(), "I-6".into())),
        "{after}"
    );
    assert_eq!(edges(&after).len(), edges(&all).len() + 1);
    let added = parse(&both.ok("ben", &["deps", "add", "I-3", "--needs", "G-4", "--json"]));
    assert_eq!(added["from"], "I-3");
    assert_eq!(added["to"], "G-4");

    // Refusals: an unknown item, a cycle (I-10 needs I-5, which needs I-1), a duplicate, a
    // bad date, the wrong kind of id.
    let err = both.refused("ben", &["deps", "add", "I-1", "--needs", "I-99"]);
    assert!(err.contains("I-99"), "{err}");
    let err = both.refused("ben", &["deps", "add", "I-1", "--needs", "I-10"]);
    assert!(err.contains("cycle") && err.contains("I-10"), "{err}");
    let err = both.refused("farid", &["deps", "add", "I-5", "--needs", "I-1"]);
    assert!(err.contains("I-5") && err.contains("I-1"), "{err}");
    both.refused(
        "ben",
        &["deps", "add", "I-1", "--needs", "I-7", "--by", "someday"],
    );
    both.refused("ben", &["deps", "add", "I-1", "--needs", "M-1"]);

    let mut expected = edges(&after);
    expected.push(("I-3".into(), "G-4".into()));
    expected.sort();
    let mut now = edges(&parse(&both.ok("ana", &["deps", "list", "--json"])));
    now.sort();
    assert_eq!(now, expected, "refused writes change nothing");
}

#[test]
fn requests_are_asked_answered_and_listed_the_same_through_a_server() {
    let both = demo();
    let table = both.ok("isla", &["requests"]);
    assert!(
        table.contains("R-1") && table.contains("chargeback status API"),
        "{table}"
    );
    let open = parse(&both.ok("isla", &["requests", "--open", "--json"]));
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
    assert_eq!(open[0]["id"], "R-2");
    both.ok("viv", &["requests", "--team", "Platform"]);
    both.ok(
        "viv",
        &["requests", "--team", "payments", "--open", "--json"],
    );
    both.refused("isla", &["requests", "--team", "Nowhere"]);

    // Mobile asks Payments for a refund API for isla's I-9.
    let asked = both.ok(
        "isla",
        &[
            "ask",
            "Payments",
            "refund API",
            "--by",
            "2027-01-15",
            "--for",
            "I-9",
        ],
    );
    assert!(
        asked.starts_with("Asked Payments for \"refund API\" by 2027-01-15 as R-3."),
        "{asked}"
    );
    let asked = parse(&both.ok(
        "isla",
        &[
            "ask",
            "Payments",
            "fee tables",
            "--by",
            "2027-01-29",
            "--json",
        ],
    ));
    assert_eq!(asked["id"], "R-4");
    assert_eq!(asked["state"], "open");
    both.refused("isla", &["ask", "Nowhere", "x", "--by", "fri"]);
    both.refused("isla", &["ask", "Payments", "x", "--by", "someday"]);
    both.refused(
        "isla",
        &["ask", "Payments", "x", "--by", "fri", "--for", "I-99"],
    );
    let open = parse(&both.ok("emma", &["requests", "--open", "--json"]));
    assert_eq!(open.as_array().unwrap().len(), 3, "{open}");

    // Only the asked team answers (a rule of the use case, so in both modes): not ana, an
    // admin but of Platform, and not a viewer outside Payments.
    let commit_r3 = [
        "answer",
        "commit",
        "R-3",
        "--owner",
        "farid",
        "--create",
        "Refund endpoint",
        "--due",
        "2027-01-08",
        "--estimate",
        "2d",
    ];
    let err = both.refused("ana", &commit_r3);
    assert!(
        err.contains("only the lead or members of Payments can answer R-3"),
        "{err}"
    );
    both.refused("viv", &commit_r3);
    let committed = both.ok("emma", &commit_r3);
    let delivering = committed
        .trim()
        .strip_prefix("R-3 is committed: ")
        .and_then(|rest| rest.strip_suffix(" due 2027-01-08"))
        .unwrap_or_else(|| panic!("{committed}"))
        .to_string();
    assert!(delivering.starts_with("I-"), "{committed}");
    let err = both.refused("farid", &commit_r3);
    assert!(err.contains("already answered"), "{err}");

    // An existing item delivers: it must be the owner's and keep its own date.
    let err = both.refused(
        "grace",
        &[
            "answer", "commit", "R-4", "--owner", "grace", "--item", "I-5",
        ],
    );
    assert!(err.contains("I-5"), "{err}");
    both.refused(
        "grace",
        &[
            "answer", "commit", "R-4", "--owner", "grace", "--item", "I-6", "--due", "fri",
        ],
    );
    let v = parse(&both.ok(
        "grace",
        &[
            "answer", "commit", "R-4", "--owner", "grace", "--item", "I-6", "--json",
        ],
    ));
    assert_eq!(v["state"], "committed");
    assert_eq!(v["item"], "I-6");

    // Not yet, with a note; then nothing is open.
    let not_yet = both.ok(
        "farid",
        &["answer", "not-yet", "R-2", "--note", "after the PSD3 work"],
    );
    assert_eq!(not_yet.trim(), "R-2 is not yet");
    both.refused("farid", &["answer", "not-yet", "R-99"]);
    both.refused("farid", &["answer", "not-yet", "I-2"]);
    let open = both.ok("emma", &["requests", "--open"]);
    assert!(open.starts_with("No requests."), "{open}");
    let all = parse(&both.ok("emma", &["requests", "--json"]));
    let states: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["committed", "not_yet", "committed", "committed"]);

    // What the answers changed elsewhere: I-9 depends on the delivering item now, which is
    // farid's with its estimate.
    let deps = parse(&both.ok("isla", &["deps", "list", "--json"]));
    assert!(
        edges(&deps).contains(&("I-9".into(), delivering.clone())),
        "{deps}"
    );
    let item = parse(&both.ok("farid", &["item", "show", &delivering, "--json"]));
    assert_eq!(item["title"], "Refund endpoint");
    let history = both.ok("emma", &["history", "R-3"]);
    assert!(history.contains("committed"), "{history}");
    both.ok("emma", &["history", "R-2", "--json"]);
}

#[test]
fn capacity_forecast_impact_and_history_read_the_same_through_a_server() {
    let both = demo();
    let grid = both.ok("emma", &["capacity", "--team", "Payments"]);
    assert!(grid.contains("@farid") || grid.contains("farid"), "{grid}");
    both.ok("viv", &["capacity"]);
    let three = parse(&both.ok(
        "emma",
        &["capacity", "--team", "Payments", "--weeks", "3", "--json"],
    ));
    assert!(three.is_object(), "{three}");
    // Any count of weeks reads as locally: at most 26.
    both.ok("emma", &["capacity", "--team", "Mobile", "--weeks", "40"]);
    let err = both.refused("emma", &["capacity", "--team", "Paymnts"]);
    assert!(err.contains("Payments"), "did you mean: {err}");

    let forecast = both.ok("ben", &["forecast"]);
    assert!(forecast.contains("I-1"), "{forecast}");
    both.ok("ben", &["forecast", "--team", "Payments"]);
    let goal = parse(&both.ok("viv", &["forecast", "--goal", "G-5", "--json"]));
    assert!(goal.is_object(), "{goal}");
    both.refused("ben", &["forecast", "--goal", "G-99"]);
    both.refused("ben", &["forecast", "--team", "Nowhere"]);

    let impact = both.ok("ben", &["impact", "I-1"]);
    assert!(impact.contains("I-5"), "I-5 needs I-1: {impact}");
    let what_if = parse(&both.ok(
        "ben",
        &["impact", "I-1", "--if-due", "2027-01-15", "--json"],
    ));
    assert_eq!(what_if["id"], "I-1");
    both.ok("viv", &["impact", "G-2"]);
    both.refused("ben", &["impact", "I-99"]);
    both.refused("ben", &["impact", "R-1"]);
    both.refused("ben", &["impact", "I-1", "--if-due", "someday"]);

    let history = both.ok("chloe", &["history", "I-2"]);
    assert!(
        history.contains("on-call week ate the time"),
        "the slip's reason: {history}"
    );
    let lines = parse(&both.ok("viv", &["history", "I-2", "--json"]));
    let before = lines.as_array().unwrap().len();
    both.refused("chloe", &["history", "I-99"]);
    both.refused("chloe", &["history", "nothing"]);

    // A write shows in the reads: I-2 slips again, so its history grows and what waits on it
    // (I-9, Mobile) moves.
    both.ok(
        "chloe",
        &[
            "item",
            "edit",
            "I-2",
            "--due",
            "2027-01-15",
            "--reason",
            "audit first",
        ],
    );
    let lines = parse(&both.ok("viv", &["history", "I-2", "--json"]));
    assert_eq!(lines.as_array().unwrap().len(), before + 1, "{lines}");
    let impact = both.ok("chloe", &["impact", "I-2"]);
    assert!(impact.contains("I-9"), "{impact}");
    both.ok("isla", &["forecast", "--goal", "G-5"]);
    both.ok("emma", &["capacity", "--json"]);
}

/// GET /dependencies and /requests come a page at a time; the pages, followed, are the list.
#[test]
fn dependency_and_request_lists_page_by_cursor() {
    let mut token = String::new();
    let both = Both::start(NOW, &["ben"], |ws| {
        ws.ok_at(NOW, &["demo", "--force"]);
        let made = ws.json_at(NOW, &["token", "create", "pages", "--for", "ben"]);
        token = made["token"].as_str().unwrap().to_string();
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let get = |url: String| {
        runtime.block_on(async {
            let answer = http.get(&url).bearer_auth(&token).send().await.unwrap();
            assert!(answer.status().is_success(), "{url}: {}", answer.status());
            answer.json::<Value>().await.unwrap()
        })
    };
    for (path, local) in [
        ("dependencies", ["deps", "list", "--json"].as_slice()),
        ("requests", ["requests", "--json"].as_slice()),
    ] {
        let whole = parse(&both.ok("ben", local));
        let mut seen = Vec::new();
        let mut url = format!("{}/api/v1/{path}?limit=1", both.url);
        let mut pages = 0;
        loop {
            let page = get(url.clone());
            pages += 1;
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 1, "{page}");
            seen.extend(items.iter().cloned());
            let Some(next) = page["next_cursor"].as_str() else {
                break;
            };
            url = format!("{}/api/v1/{path}?limit=1&cursor={next}", both.url);
            assert!(pages < 100, "the cursor does not move: {page}");
        }
        assert_eq!(
            Value::Array(seen),
            whole,
            "{path}: the pages followed are the list"
        );
        assert!(pages >= 2, "{path}: more than one page of one");
    }
}

/// A real difference between the modes, by design of the app crate (`Access::Local` in
/// crates/app/src/access.rs): on a workspace file anything goes and `--as` only names who
/// authors the events, while a server decides by role and team (`landed_core::authz`). The
/// rules of the use cases themselves (only the asked team answers) hold in both modes (see
/// above). If the file ever checks roles too, these become `both.refused`.
#[test]
fn roles_are_decided_by_the_server_while_a_workspace_file_trusts_its_user() {
    let both = demo();
    let writes: [(&str, &[&str], &str); 3] = [
        // grace (Payments) makes Platform's I-1 wait on something.
        (
            "grace",
            &["deps", "add", "I-1", "--needs", "I-7"],
            "not allowed: you can change only what you own or what belongs to your teams",
        ),
        (
            "viv",
            &["deps", "add", "I-3", "--needs", "I-7"],
            "not allowed: viewers can read but not change anything",
        ),
        (
            "viv",
            &["ask", "Payments", "x", "--by", "fri"],
            "not allowed: viewers can read but not change anything",
        ),
    ];
    for (who, args, refusal) in writes {
        let remote = both.run_remote(who, args);
        let err = String::from_utf8_lossy(&remote.stderr);
        assert_eq!(remote.status.code(), Some(1), "{who} {args:?}: {err}");
        assert!(err.contains(refusal), "{who} {args:?}: {err}");
        assert!(remote.stdout.is_empty());
        let local = both.run_local(who, args);
        assert!(
            local.status.success(),
            "{who} {args:?} on the file: {}",
            String::from_utf8_lossy(&local.stderr)
        );
    }
}
