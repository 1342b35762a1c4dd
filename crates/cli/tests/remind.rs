//! `landed remind` against real servers: an SMTP server process (Python's aiosmtpd, see
//! requirements-test.txt and crates/notify/tests/smtp_sink.py) and an HTTP receiver on
//! 127.0.0.1. Each reminder arrives once, even from two runs at the same time; a server that is
//! down leaves it pending, and it is sent on a later run.
//!
//! Python is `$LANDED_PYTHON`, else `<repo>/.venv/bin/python`, else `python3`, if it imports
//! aiosmtpd; without one the SMTP tests skip, unless `LANDED_REQUIRE_SMTP=1` (CI).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use serde_json::Value;

/// A Friday, 10:00 in Berlin: check-in day.
const NOW: &str = "2026-11-27T09:00:00Z";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os("LANDED_PYTHON") {
        Some(p) => vec![p.into()],
        None => vec![repo().join(".venv/bin/python"), "python3".into()],
    };
    let found = candidates.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if found.is_none() {
        assert!(
            std::env::var("LANDED_REQUIRE_SMTP").as_deref() != Ok("1"),
            "no Python with aiosmtpd and LANDED_REQUIRE_SMTP=1: run `python3 -m venv .venv && .venv/bin/pip install -r requirements-test.txt` at the repo root"
        );
        let _ = writeln!(std::io::stderr(), "skipping: no Python with aiosmtpd");
    }
    found
}

/// A running SMTP sink: one JSON line per message received.
struct Sink {
    child: Child,
    lines: mpsc::Receiver<String>,
    port: u16,
}

impl Sink {
    fn start(python: &Path) -> Sink {
        let mut child = Command::new(python)
            .arg("-u")
            .arg(repo().join("crates/notify/tests/smtp_sink.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = lines.recv_timeout(Duration::from_secs(20)).unwrap();
        let port = first.strip_prefix("PORT ").unwrap().parse().unwrap();
        Sink { child, lines, port }
    }

    /// Every message received until none came for a second.
    fn drain(&self) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(1)) {
            out.push(serde_json::from_str(&line).unwrap());
        }
        out
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

mod common;
use common::Workspace;

/// @ana (Berlin) and @ben (Los Angeles) with e-mail, joined the week before; an overdue item
/// each, and an item due next week.
fn workspace() -> Workspace {
    let w = Workspace::empty();
    let t0 = "2026-11-16T09:00:00Z";
    w.ok_at(t0, &["init", "--name", "Test", "--tz", "Europe/Berlin"]);
    w.ok_at(
        t0,
        &[
            "person",
            "add",
            "ana",
            "--name",
            "Ana Ruiz",
            "--email",
            "ana@example.org",
        ],
    );
    w.ok_at(
        t0,
        &[
            "person",
            "add",
            "ben",
            "--name",
            "Ben Okafor",
            "--email",
            "ben@example.org",
            "--tz",
            "America/Los_Angeles",
        ],
    );
    w.ok_at(
        t0,
        &[
            "item",
            "add",
            "Sign the contract",
            "--owner",
            "ana",
            "--due",
            "2026-11-20",
            "--estimate",
            "2h",
        ],
    );
    w.ok_at(
        t0,
        &[
            "item",
            "add",
            "Fix the export",
            "--owner",
            "ben",
            "--due",
            "2026-11-24",
            "--estimate",
            "2h",
        ],
    );
    w.ok_at(
        t0,
        &[
            "item",
            "add",
            "Plan Q1",
            "--owner",
            "ana",
            "--due",
            "2026-12-04",
            "--estimate",
            "2h",
        ],
    );
    w
}

/// `(recipient, subject)` of each message, with how many times it came.
fn tally(messages: &[Value]) -> BTreeMap<(String, String), usize> {
    let mut seen = BTreeMap::new();
    for m in messages {
        let to = m["rcpt_tos"][0].as_str().unwrap().to_string();
        let subject = m["subject"].as_str().unwrap().to_string();
        *seen.entry((to, subject)).or_default() += 1;
    }
    seen
}

#[test]
fn two_concurrent_runs_send_each_reminder_once_by_email() {
    let Some(python) = python() else { return };
    let sink = Sink::start(&python);
    let w = workspace();
    w.ok_at(
        NOW,
        &[
            "remind",
            "setup",
            "--smtp-url",
            &sink.url(),
            "--mail-from",
            "landed <landed@example.org>",
        ],
    );

    let dry = w.json_at(NOW, &["remind", "--dry-run"]);
    let due: Vec<(String, String)> = dry["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["person"].as_str().unwrap().to_string(),
                d["subject"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Friday: both owe a check-in (Ben's Friday has begun: 01:00 in Los Angeles); one overdue
    // item each. Nothing is recorded by a dry run.
    assert_eq!(
        due,
        vec![
            (
                "ana".to_string(),
                "Check-in for 2026-W48 is due".to_string()
            ),
            (
                "ben".to_string(),
                "Check-in for 2026-W48 is due".to_string()
            ),
            (
                "ana".to_string(),
                "I-1 is overdue (due 2026-11-20)".to_string()
            ),
            (
                "ben".to_string(),
                "I-2 is overdue (due 2026-11-24)".to_string()
            ),
        ]
    );
    assert!(sink.drain().is_empty());

    let runs: Vec<Child> = (0..2)
        .map(|_| {
            w.command(NOW, &["remind", "--json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut recorded = 0;
    let mut sent = 0;
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        recorded += report["recorded"].as_u64().unwrap();
        sent += report["sent"].as_array().unwrap().len();
    }
    assert_eq!(
        (recorded, sent),
        (4, 4),
        "recorded once, sent once, between the two runs"
    );
    let messages = sink.drain();
    let seen = tally(&messages);
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(seen.values().all(|n| *n == 1), "sent twice: {seen:?}");
    let checkin = messages
        .iter()
        .find(|m| {
            m["rcpt_tos"][0] == "ana@example.org"
                && m["subject"].as_str().unwrap().starts_with("Check-in")
        })
        .unwrap();
    assert_eq!(checkin["from"], "landed <landed@example.org>");
    let body = checkin["body"].as_str().unwrap();
    assert!(
        body.contains("I-1 Sign the contract (overdue)") && body.contains("landed checkin"),
        "{body}"
    );

    // Later runs send nothing again; a check-in given stops nothing already sent but adds none.
    let again = w.json_at("2026-11-27T15:00:00Z", &["remind"]);
    assert_eq!(
        (
            again["recorded"].as_u64(),
            again["sent"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
    assert!(sink.drain().is_empty());
    // Next Friday, the check-in reminder is a new one (a new week) for Ben; Ana has checked
    // in, and her overdue item was reminded of already.
    w.ok_at(
        "2026-12-04T08:00:00Z",
        &["checkin", "--as", "ana", "--done", "contract signed"],
    );
    let next = w.json_at("2026-12-04T09:00:00Z", &["remind"]);
    let keys: Vec<&str> = next["sent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(
        keys[0].starts_with("checkin:") && keys[0].ends_with("2026-W49"),
        "{keys:?}"
    );
    let seen = tally(&sink.drain());
    assert_eq!(
        seen.keys().collect::<Vec<_>>(),
        [&(
            "ben@example.org".to_string(),
            "Check-in for 2026-W49 is due".to_string()
        )]
    );
}

#[test]
fn an_unreachable_server_keeps_reminders_pending_until_a_later_run_sends_them() {
    let Some(python) = python() else { return };
    let w = workspace();
    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    w.ok_at(
        NOW,
        &[
            "remind",
            "setup",
            "--smtp-url",
            &format!("smtp://127.0.0.1:{closed}?tls=none"),
        ],
    );
    let first = w.json_at(NOW, &["remind"]);
    assert_eq!(first["recorded"], 4);
    let outcomes: Vec<&str> = first["sent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["retry"; 4]);
    assert_eq!(first["pending"], 4);
    // Before the backoff ends, nothing is tried again.
    let soon = w.json_at("2026-11-27T09:00:30Z", &["remind"]);
    assert_eq!(soon["sent"].as_array().unwrap().len(), 0);
    let shown = w.json_at(NOW, &["remind", "show"]);
    for r in shown["reminders"].as_array().unwrap() {
        assert_eq!(
            (r["state"].as_str(), r["attempts"].as_i64()),
            (Some("pending"), Some(1))
        );
        assert!(!r["last_error"].as_str().unwrap().is_empty());
    }

    // The server comes up; the next run after the backoff sends all four, once.
    let sink = Sink::start(&python);
    w.ok_at(NOW, &["remind", "setup", "--smtp-url", &sink.url()]);
    let later = w.json_at("2026-11-27T09:02:00Z", &["remind"]);
    assert_eq!(later["recorded"], 0);
    assert_eq!(later["pending"], 0);
    let seen = tally(&sink.drain());
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(seen.values().all(|n| *n == 1));
}

/// What the HTTP receiver got: headers (lower-case names) and body.
type Received = Arc<Mutex<Vec<(BTreeMap<String, String>, String)>>>;

/// A real HTTP/1.1 receiver on 127.0.0.1 answering each request with `status`.
fn receiver(status: u16) -> (String, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks/landed", listener.local_addr().unwrap());
    let got: Received = Arc::default();
    let keep = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = BTreeMap::new();
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                let l = line.trim_end();
                if l.is_empty() {
                    break;
                }
                if let Some((k, v)) = l.split_once(':') {
                    headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                }
            }
            let len: usize = headers
                .get("content-length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            keep.lock()
                .unwrap()
                .push((headers, String::from_utf8(body).unwrap()));
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (url, got)
}

#[test]
fn webhooks_get_signed_slack_compatible_json_and_failures_are_retried_then_dead_lettered() {
    let w = workspace();
    let (url, got) = receiver(200);
    let setup = w.json_at(
        NOW,
        &["remind", "setup", "--webhook-url", &url, "--new-secret"],
    );
    let secret = setup["new_secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let run = w.json_at(NOW, &["remind"]);
    assert_eq!(run["sent"].as_array().unwrap().len(), 4);
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 4);
    for (headers, body) in &got {
        let json: Value = serde_json::from_str(body).unwrap();
        assert!(json["text"].as_str().unwrap().starts_with('*'), "{body}");
        assert_eq!(json["workspace"], "Test");
        assert!(
            headers["webhook-signature"].starts_with("v1,"),
            "{headers:?}"
        );
        let signed = landed_notify::sign(
            &secret,
            &headers["webhook-id"],
            headers["webhook-timestamp"].parse().unwrap(),
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(headers["webhook-signature"], signed);
    }
    let ids: std::collections::BTreeSet<&str> =
        got.iter().map(|(h, _)| h["webhook-id"].as_str()).collect();
    assert_eq!(ids.len(), 4, "each reminder has its own id");

    // A receiver that keeps failing: retried with growing waits, then a dead letter.
    let w = workspace();
    let (url, got) = receiver(503);
    w.ok_at(NOW, &["remind", "setup", "--webhook-url", &url]);
    let mut at: jiff::Timestamp = NOW.parse().unwrap();
    let mut last = Value::Null;
    for _ in 0..6 {
        last = w.json_at(&at.to_string(), &["remind"]);
        at = at
            .checked_add(jiff::SignedDuration::from_hours(13))
            .unwrap();
    }
    assert_eq!(last["dead"], 4, "{last}");
    assert_eq!(last["pending"], 0);
    assert_eq!(got.lock().unwrap().len(), 4 * 6, "six attempts each");
    let shown = w.json_at(NOW, &["remind", "show"]);
    for r in shown["reminders"].as_array().unwrap() {
        assert_eq!(r["state"], "dead");
        assert!(r["last_error"].as_str().unwrap().contains("503"), "{r}");
    }
}

/// `landed serve` sends due reminders on its own (`--remind-every`), and two servers on one
/// database send each reminder exactly once between them.
#[test]
fn two_servers_send_each_reminder_once() {
    let w = workspace();
    let (url, got) = receiver(200);
    w.ok_at(NOW, &["remind", "setup", "--webhook-url", &url]);
    let due = w.json_at(NOW, &["remind", "--dry-run"]);
    let expected = due["due"].as_array().unwrap().len();
    assert!(expected > 0, "{due}");
    let servers: Vec<Child> = (0..2)
        .map(|_| {
            w.command(
                NOW,
                &["serve", "--bind", "127.0.0.1:0", "--remind-every", "1s"],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
        })
        .collect();
    // Both servers run several rounds; the reminders go out in the first.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while got.lock().unwrap().len() < expected && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(3));
    for mut s in servers {
        let _ = s.kill();
        let _ = s.wait();
    }
    let got = got.lock().unwrap().clone();
    let ids: std::collections::BTreeSet<&str> =
        got.iter().map(|(h, _)| h["webhook-id"].as_str()).collect();
    assert_eq!(got.len(), expected, "each due reminder once: {got:?}");
    assert_eq!(ids.len(), expected);
    let shown = w.json_at(NOW, &["remind", "show"]);
    for r in shown["reminders"].as_array().unwrap() {
        assert_eq!(r["state"], "sent", "{r}");
    }
}
