//! Remote mode for people, teams, the workspace, milestones, goals, items and tokens: one
//! scenario run on a workspace file and through `landed serve`, step by step, with the same
//! output; and signing in and out (`landed login`, `landed logout`, the settings file).

mod both;

use std::io::Write as _;
use std::process::Stdio;

use both::Both;

const NOW: &str = "2026-11-23T09:00:00Z";

fn demo() -> Both {
    Both::start(NOW, &["ana", "ben", "chloe", "emma", "isla"], |ws| {
        ws.ok_at(NOW, &["demo", "--force"]);
    })
}

#[test]
fn reads_print_the_same_on_a_file_and_through_a_server() {
    let both = demo();
    let people = both.ok("ana", &["person", "list"]);
    assert!(
        people.contains("@chloe") && people.contains("Chloé Martin"),
        "{people}"
    );
    both.ok("ana", &["person", "list", "--json"]);
    let teams = both.ok("ben", &["team", "list"]);
    assert!(
        teams.contains("Payments") && teams.contains("@emma"),
        "{teams}"
    );
    both.ok("ben", &["team", "list", "--json"]);
    assert!(both.ok("ben", &["workspace", "show"]).contains("time zone"));
    both.ok("ben", &["workspace", "show", "--json"]);
    assert!(
        both.ok("ben", &["milestone", "list"])
            .contains("Sprint end")
    );
    both.ok("ben", &["milestone", "list", "--json"]);
    let goals = both.ok("ben", &["goal", "list"]);
    assert!(goals.contains("G-1") && goals.contains("G-5"), "{goals}");
    both.ok("ben", &["goal", "list", "--json"]);
    both.ok("ben", &["goal", "list", "--team", "Payments"]);
    both.ok("ben", &["goal", "list", "--status", "aspiration"]);
    assert!(
        both.ok("ben", &["goal", "show", "G-1"])
            .contains("forecast")
    );
    both.ok("ben", &["goal", "show", "G-3", "--json"]);
    assert!(both.ok("ben", &["plan", "G-5"]).contains("G-5"));
    both.ok("ben", &["plan", "G-5", "--json"]);
    let items = both.ok("ben", &["item", "list"]);
    assert!(items.contains("I-1"), "{items}");
    both.ok("ben", &["item", "list", "--all", "--json"]);
    both.ok(
        "ben",
        &[
            "item", "list", "--owner", "chloe", "--status", "todo", "--status", "doing",
        ],
    );
    both.ok(
        "ben",
        &["item", "list", "--goal", "G-1", "--kind", "strategic"],
    );
    both.ok("ben", &["item", "list", "--team", "Payments"]);
    both.ok("ben", &["item", "show", "I-2"]);
    both.ok("ben", &["item", "show", "I-2", "--json"]);
    both.ok("ben", &["next"]);
    both.ok("ben", &["next", "--for", "chloe", "--json"]);
    // Tokens: the same, except that the server has just seen the caller's own token used.
    for (who, args) in [
        ("ben", &["token", "list", "--json"][..]),
        ("ana", &["token", "list", "--all", "--json"]),
    ] {
        let read = |out: std::process::Output| -> serde_json::Value {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            for t in doc.as_array_mut().unwrap() {
                t.as_object_mut().unwrap().remove("last_used_at");
            }
            doc
        };
        let local = read(both.run_local(who, args));
        assert!(!local.as_array().unwrap().is_empty());
        assert_eq!(local, read(both.run_remote(who, args)), "{who}: {args:?}");
    }

    // Refusals read the same: unknown things, bad filters.
    let unknown = both.refused("ben", &["item", "show", "I-999"]);
    assert!(unknown.contains("I-999"), "{unknown}");
    both.refused("ben", &["goal", "show", "G-99"]);
    both.refused("ben", &["plan", "I-1"]);
    both.refused("ben", &["item", "list", "--owner", "nobody"]);
    both.refused("ben", &["goal", "list", "--team", "Nowhere"]);
    both.refused("ben", &["next", "--for", "nobody"]);
}

#[test]
fn writes_print_the_same_and_leave_the_same_workspace() {
    let both = demo();
    // People, teams, milestones and settings (ana is the demo's admin).
    let added = both.ok(
        "ana",
        &[
            "person",
            "add",
            "kai",
            "--name",
            "Kai Sato",
            "--tz",
            "Asia/Tokyo",
        ],
    );
    assert!(added.contains("Added @kai"), "{added}");
    both.ok(
        "ana",
        &[
            "person",
            "edit",
            "kai",
            "--capacity",
            "30",
            "--email",
            "kai@example.com",
        ],
    );
    both.ok(
        "ana",
        &["person", "edit", "kai", "--email", "none", "--json"],
    );
    both.refused("ana", &["person", "add", "kai", "--name", "Kai Again"]);
    both.ok(
        "ana",
        &[
            "team", "add", "Data", "--lead", "kai", "--member", "isla", "--json",
        ],
    );
    both.ok(
        "ana",
        &[
            "team",
            "edit",
            "Data",
            "--protected",
            "20%",
            "--member",
            "ben",
        ],
    );
    both.refused("ana", &["team", "edit", "Data", "--protected", "150%"]);
    both.refused("ana", &["team", "edit", "Nowhere", "--protected", "10%"]);
    both.ok(
        "ana",
        &["milestone", "add", "Launch", "--date", "2027-01-15"],
    );
    both.refused(
        "ana",
        &["milestone", "add", "Launch", "--date", "2027-01-20"],
    );
    both.ok("ana", &["workspace", "set", "--overdue-days", "5"]);
    both.refused("ana", &["workspace", "set", "--overdue-days", "0"]);

    // Goals and items.
    let goal = both.ok(
        "ben",
        &[
            "goal",
            "add",
            "Faster builds",
            "--outcome",
            "p50 build < 4 min",
            "--owner",
            "ben",
            "--by",
            "2027-01-29",
            "--team",
            "Platform",
        ],
    );
    assert!(goal.contains("Faster builds"), "{goal}");
    both.ok(
        "ben",
        &[
            "goal",
            "edit",
            "G-7",
            "--title",
            "Much faster builds",
            "--json",
        ],
    );
    both.refused("ben", &["goal", "edit", "G-7"]);
    both.ok(
        "ben",
        &[
            "item",
            "add",
            "Cache the toolchain",
            "--goal",
            "G-7",
            "--owner",
            "ben",
            "--due",
            "2026-12-04",
            "--estimate",
            "6h",
            "--outcome",
            "toolchain restored in < 30 s",
        ],
    );
    both.ok(
        "ben",
        &[
            "item",
            "edit",
            "I-37",
            "--due",
            "2026-12-11",
            "--reason",
            "waiting on disks",
        ],
    );
    both.ok(
        "ben",
        &["item", "edit", "I-37", "--estimate", "none", "--json"],
    );
    both.refused("ben", &["item", "edit", "I-37", "--due", "not-a-date"]);
    let captured = both.ok("ben", &["add", "Measure cold builds due:fri est:2h G-7"]);
    assert!(captured.contains("I-38"), "{captured}");
    both.ok("ben", &["start", "I-37"]);
    both.ok("ben", &["block", "I-37", "--reason", "the disks are late"]);
    both.refused("ben", &["drop", "I-38"]);
    both.refused("ben", &["reopen", "I-37"]);
    both.ok("ben", &["done", "I-38", "--actual", "3h"]);
    both.ok("ben", &["reopen", "I-38", "--json"]);
    both.refused("ben", &["start", "G-7"]);
    both.refused("ben", &["done", "I-37", "--actual", "nonsense"]);
    both.ok("ben", &["drop", "G-7", "--reason", "folded into G-1"]);

    // Tokens.
    // A new token: the same but for the secret itself, made anew on each side.
    let made = |out: std::process::Output| -> serde_json::Value {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(doc["token"].as_str().unwrap().starts_with("ldt_"));
        doc["token"] = "secret".into();
        doc
    };
    let args = ["token", "create", "laptop", "--days", "30", "--json"];
    assert_eq!(
        made(both.run_local("ben", &args)),
        made(both.run_remote("ben", &args))
    );
    both.refused("ben", &["token", "revoke", "99"]);

    // Afterwards both workspaces read the same, down to the history of what changed.
    both.ok("ben", &["goal", "show", "G-7"]);
    both.ok("ben", &["item", "list", "--all", "--json"]);
    both.ok("ana", &["person", "list", "--json"]);
    both.ok("ana", &["team", "list", "--json"]);
    both.ok("ana", &["workspace", "show", "--json"]);
    both.ok("ana", &["history", "I-37"]);
}

/// On a file, whoever holds it may do anything (as `--as` anyone); on a server each person may
/// do what their role allows, and a refusal changes nothing.
#[test]
fn a_server_refuses_what_the_role_does_not_allow() {
    let both = demo();
    for (who, args, says) in [
        (
            "ben",
            &["person", "edit", "chloe", "--capacity", "20"][..],
            "only that person",
        ),
        ("ben", &["workspace", "set", "--overdue-days", "9"], "admin"),
        (
            "isla",
            &["item", "edit", "I-2", "--estimate", "5h"],
            "not allowed",
        ),
        (
            "ben",
            &["token", "create", "for-ana", "--for", "ana"],
            "not allowed",
        ),
        (
            "ben",
            &["team", "edit", "Payments", "--protected", "10%"],
            "not allowed",
        ),
        ("emma", &["person", "add", "zed", "--name", "Zed"], "admin"),
    ] {
        let history = || both.run_remote("ana", &["history", "I-2", "--json"]).stdout;
        let before = history();
        let out = both.run_remote(who, args);
        assert_eq!(out.status.code(), Some(1), "{who} {args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("error: ") && err.contains(says),
            "{who} {args:?}: {err}"
        );
        assert_eq!(history(), before, "a refusal changes nothing");
        // The same command on the file is the holder's to make.
        assert!(both.run_local(who, args).status.success(), "{who} {args:?}");
    }
}

#[test]
fn commands_that_need_the_database_are_refused_through_a_server() {
    let both = demo();
    for args in [
        &["init"][..],
        &["demo"],
        &["serve"],
        &["admin", "create", "zoe"],
    ] {
        let out = both.run_remote("ana", args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("works on this machine's database"),
            "{args:?}: {err}"
        );
    }
    // --as names the signed-in person or nobody.
    let out = both.run_remote("ben", &["--as", "ana", "goal", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("you act as @ben"), "{err}");
    assert!(
        both.run_remote("ben", &["--as", "ben", "goal", "list"])
            .status
            .success()
    );
    // A wrong token is refused with what to do.
    let out = both
        .remote_command("ben", &["goal", "list"])
        .env("LANDED_TOKEN", "ldt_not_a_token")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("landed login"));
}

/// `landed login` keeps a token of this machine in a 0600 settings file; later commands go
/// to that server without --server; `--db` still works on a file; `landed logout` revokes the
/// token and forgets it.
#[test]
fn login_keeps_a_private_token_and_logout_revokes_it() {
    let both = Both::start(NOW, &["ana"], |ws| {
        ws.ok_at(NOW, &["demo", "--force"]);
        let mut admin = ws.command(NOW, &["admin", "create", "ben", "--password-stdin"]);
        let mut child = admin
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"correct horse battery\n")
            .unwrap();
        assert!(child.wait().unwrap().success());
    });
    let settings = both.local.dir.path().join("config").join("landed.toml");
    let landed = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_landed"));
        c.args(args)
            .env_remove("LANDED_DB")
            .env_remove("LANDED_SERVER")
            .env_remove("LANDED_TOKEN")
            .env_remove("LANDED_USER")
            .env("LANDED_CONFIG", &settings)
            .env("LANDED_NOW", NOW)
            .env("NO_COLOR", "1");
        c
    };
    let login = |password: &str| {
        let mut child = landed(&[
            "login",
            "--server",
            &both.url,
            "--handle",
            "ben",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };

    let wrong = login("not the password");
    assert_eq!(wrong.status.code(), Some(1));
    assert!(!settings.exists(), "a refused sign-in keeps nothing");

    let out = login("correct horse battery");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("as @ben"));
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&settings).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the settings file is private");
    let kept = std::fs::read_to_string(&settings).unwrap();
    assert!(kept.contains("ldt_") && kept.contains(&both.url), "{kept}");

    // Without --server, commands go to the server you signed in to, as you.
    let out = landed(&["token", "list", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tokens: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mine = tokens.as_array().unwrap();
    assert_eq!(mine.len(), 1, "{tokens}");
    assert!(
        mine[0]["name"]
            .as_str()
            .unwrap()
            .starts_with("landed CLI on ")
    );
    assert_eq!(mine[0]["person"], "ben");
    let through_server = landed(&["item", "add", "Made through the server"])
        .output()
        .unwrap();
    assert!(through_server.status.success());
    // The file was not touched: the item is on the server's copy only.
    let shown = both.local.run_at(NOW, &["item", "list", "--all", "--json"]);
    assert!(!String::from_utf8_lossy(&shown.stdout).contains("Made through the server"));
    let served = landed(&[
        "--db",
        both.served.to_str().unwrap(),
        "item",
        "list",
        "--all",
    ])
    .output();
    // (The server holds its file open; reading it with --db works all the same.)
    assert!(String::from_utf8_lossy(&served.unwrap().stdout).contains("Made through the server"));

    // Signing out revokes the token on the server and forgets it here.
    let out = landed(&["logout"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("its token is revoked"));
    assert!(!std::fs::read_to_string(&settings).unwrap().contains("ldt_"));
    let revoked = both.run_remote("ana", &["token", "list", "--all", "--json"]);
    let all: serde_json::Value = serde_json::from_slice(&revoked.stdout).unwrap();
    let cli_token = all
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["person"] == "ben")
        .unwrap();
    assert_eq!(cli_token["active"], false, "{all}");
    // Afterwards commands work on the local default again (no workspace there: said so).
    let out = landed(&["goal", "list"])
        .env("XDG_DATA_HOME", both.local.dir.path().join("data"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no workspace at"));
}
