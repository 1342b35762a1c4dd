//! E-mail delivery against a real SMTP server: `smtp_sink.py`, an aiosmtpd process on loopback.
//!
//! The server needs a Python with aiosmtpd (requirements-test.txt). Looked up in order:
//! `$LANDED_PYTHON` if set, else `<repo>/.venv/bin/python`, else `python3`, each only if
//! `import aiosmtpd` works. Without one these tests skip with a message, unless
//! `LANDED_REQUIRE_SMTP=1` (CI), where they fail and say how to install it.

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use landed_notify::{DeliveryError, Mail, SmtpConfig, send_mail};

const FROM: &str = "landed <landed@example.org>";
const TIMEOUT: Duration = Duration::from_secs(5);
const INSTALL: &str = "python3 -m venv .venv && .venv/bin/pip install -r requirements-test.txt";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The first Python that can import aiosmtpd, or why there is none.
fn find_python() -> Result<PathBuf, String> {
    let candidates: Vec<PathBuf> = match std::env::var_os("LANDED_PYTHON") {
        Some(p) => vec![PathBuf::from(p)],
        None => vec![
            repo_root().join(".venv/bin/python"),
            PathBuf::from("python3"),
        ],
    };
    for python in &candidates {
        let ok = Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Ok(python.clone());
        }
    }
    Err(format!("no Python with aiosmtpd (tried {candidates:?})"))
}

/// The Python to run the sink with; `None` (after saying so) when the test should skip.
fn python(test: &str) -> Option<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match FOUND.get_or_init(find_python) {
        Ok(python) => Some(python.clone()),
        Err(why) if std::env::var("LANDED_REQUIRE_SMTP").as_deref() == Ok("1") => panic!(
            "{test}: {why}, and LANDED_REQUIRE_SMTP=1; at the repo root run `{INSTALL}` \
             or point LANDED_PYTHON at a Python that has aiosmtpd"
        ),
        Err(why) => {
            // Straight to stderr: the harness captures eprintln! of passing tests, and a skip
            // must be visible.
            let _ = writeln!(
                std::io::stderr(),
                "skipping {test}: {why}; to run it: `{INSTALL}` at the repo root"
            );
            None
        }
    }
}

/// A running `smtp_sink.py`; killed and reaped on drop, also when an assertion failed.
struct Sink {
    child: Child,
    lines: mpsc::Receiver<String>,
    port: u16,
}

impl Sink {
    fn start(python: &Path, login: Option<(&str, &str)>) -> Sink {
        let mut cmd = Command::new(python);
        cmd.arg("-u")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py"));
        if let Some((user, password)) = login {
            cmd.args(["--user", user, "--password", password]);
        }
        let mut child = cmd
            .stdin(Stdio::piped()) // the sink exits when this closes
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start smtp_sink.py");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut sink = Sink {
            child,
            lines,
            port: 0,
        };
        let first = sink.next_line("the PORT line");
        sink.port = first
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("smtp_sink.py printed {first:?} instead of `PORT <n>`"));
        sink
    }

    fn next_line(&self, what: &str) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("smtp_sink.py gave no {what}: {e}"))
    }

    /// The next message the sink received, as the JSON object it printed.
    fn next_message(&self) -> serde_json::Value {
        let line = self.next_line("message");
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("bad JSON from smtp_sink.py ({e}): {line}"))
    }

    fn url(&self, userinfo: &str) -> String {
        format!("smtp://{userinfo}127.0.0.1:{}?tls=none", self.port)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn mail() -> Mail {
    Mail {
        to: "ana@example.org".into(),
        to_name: Some("Ana Lima".into()),
        subject: "Check-in for 2026-W48 — Ana".into(),
        body: "Your check-in for week 48 is due on Friday.\nÀ bientôt — landed".into(),
    }
}

/// A loopback port where nothing listens: a socket bound but never listening refuses connections,
/// and unlike a listener that is bound and dropped it keeps the port from being reused by a
/// concurrent test while held.
fn closed_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    (socket, port)
}

#[tokio::test]
async fn plain_delivery_arrives_with_recipient_sender_subject_and_body() {
    let Some(python) = python("plain_delivery") else {
        return;
    };
    let sink = Sink::start(&python, None);
    let cfg = SmtpConfig::from_url(&sink.url(""), FROM).unwrap();

    send_mail(&cfg, &mail(), TIMEOUT).await.unwrap();

    let got = sink.next_message();
    assert_eq!(got["mail_from"], "landed@example.org");
    assert_eq!(got["rcpt_tos"], serde_json::json!(["ana@example.org"]));
    assert_eq!(got["from"], FROM);
    assert_eq!(got["to"], "Ana Lima <ana@example.org>");
    assert_eq!(
        got["subject"], "Check-in for 2026-W48 — Ana",
        "raw: {}",
        got["data"]
    );
    // Lines travel as CRLF, as RFC 5322 wants.
    let body = got["body"].as_str().unwrap().replace("\r\n", "\n");
    assert_eq!(body.trim_end(), mail().body);
    let raw = got["data"].as_str().unwrap();
    assert!(
        raw.contains("Content-Type: text/plain; charset=utf-8"),
        "{raw}"
    );
    assert!(raw.is_ascii(), "8-bit text went out unencoded: {raw}");
    assert_eq!(got["authenticated"], false);
}

#[tokio::test]
async fn login_with_the_right_password_delivers() {
    let Some(python) = python("login_with_the_right_password") else {
        return;
    };
    let sink = Sink::start(&python, Some(("ana@example.org", "p@ss wörd")));
    // User and password percent-encoded in the URL, decoded by from_url.
    let cfg =
        SmtpConfig::from_url(&sink.url("ana%40example.org:p%40ss%20w%C3%B6rd@"), FROM).unwrap();

    send_mail(&cfg, &mail(), TIMEOUT).await.unwrap();

    let got = sink.next_message();
    assert_eq!(got["authenticated"], true);
    assert_eq!(got["subject"], "Check-in for 2026-W48 — Ana");
}

#[tokio::test]
async fn wrong_password_is_a_permanent_rejection() {
    let Some(python) = python("wrong_password") else {
        return;
    };
    let sink = Sink::start(&python, Some(("ana", "right")));
    let cfg = SmtpConfig::from_url(&sink.url("ana:wrong@"), FROM).unwrap();

    let err = send_mail(&cfg, &mail(), TIMEOUT).await.unwrap_err();

    assert!(
        matches!(
            &err,
            DeliveryError::Rejected {
                permanent: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_permanent());
    assert!(err.to_string().contains("535"), "{err}");
    assert!(
        !err.to_string().contains("wrong"),
        "the password leaked: {err}"
    );
}

#[tokio::test]
async fn missing_login_where_one_is_required_is_a_permanent_rejection() {
    let Some(python) = python("missing_login") else {
        return;
    };
    let sink = Sink::start(&python, Some(("ana", "right")));
    let cfg = SmtpConfig::from_url(&sink.url(""), FROM).unwrap();

    let err = send_mail(&cfg, &mail(), TIMEOUT).await.unwrap_err();

    assert!(err.is_permanent(), "{err:?}");
    assert!(err.to_string().contains("530"), "{err}");
}

#[tokio::test]
async fn starttls_required_but_not_offered_fails_permanently_and_says_so() {
    let Some(python) = python("starttls_not_offered") else {
        return;
    };
    let sink = Sink::start(&python, None);
    let cfg = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{}", sink.port), FROM).unwrap();

    let err = send_mail(&cfg, &mail(), TIMEOUT).await.unwrap_err();

    assert!(
        matches!(
            &err,
            DeliveryError::Rejected {
                permanent: true,
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("STARTTLS") && msg.contains("smtps://"),
        "{msg}"
    );
}

#[tokio::test]
async fn closed_port_is_unreachable_and_transient() {
    let (_held, port) = closed_port();
    let cfg = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}?tls=none"), FROM).unwrap();
    let started = Instant::now();

    let err = send_mail(&cfg, &mail(), TIMEOUT).await.unwrap_err();

    assert!(matches!(&err, DeliveryError::Unreachable { .. }), "{err:?}");
    assert!(!err.is_permanent());
    assert!(started.elapsed() < TIMEOUT, "took {:?}", started.elapsed());
}

#[tokio::test]
async fn server_that_never_greets_is_unreachable_within_the_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let (_socket, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let cfg = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}?tls=none"), FROM).unwrap();
    let started = Instant::now();

    let err = send_mail(&cfg, &mail(), Duration::from_secs(1))
        .await
        .unwrap_err();

    assert!(matches!(&err, DeliveryError::Unreachable { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    hold.abort();
}
