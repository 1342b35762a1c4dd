//! T5 (RELIABILITY): schemathesis generates requests from the served OpenAPI document and checks
//! every answer against it — no 5xx, status codes, content types and bodies as documented,
//! invalid input refused, valid input accepted, credentials enforced. PR figure: 50 examples
//! per operation, at least 2,000 cases, 0 failures of any check.
//!
//! What the run may and may not take for granted is in `schemathesis.toml` next to this file,
//! with the reason for each setting; `schemathesis_hooks.py` makes valid requests name people
//! and teams that exist. The reports (JUnit, JSON) and the document the run read are kept in
//! `<target>/tmp/schemathesis/`.
//!
//! schemathesis (requirements-test.txt) runs as `<venv>/bin/st`, the venv being the one of
//! `$LANDED_PYTHON` if set, else `<repo>/.venv`, else `st` on the PATH. Without it the test
//! skips with a message, unless `LANDED_REQUIRE_SCHEMATHESIS=1` (CI), where it fails and says
//! how to install it.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use jiff::Timestamp;
use landed_app::{Ctx, accounts, demo, org};
use landed_core::authz::Role;
use landed_store::SqlStore;

const NOW: &str = "2026-11-23T09:00:00Z";
/// As pinned in requirements-test.txt.
const ST_VERSION: &str = "4.32.5";
const INSTALL: &str = "python3 -m venv .venv && .venv/bin/pip install -r requirements-test.txt";
/// Fixed, so a failure found once is found again. (`--generation-deterministic` already fixes
/// the run; the seed counts when that flag is taken off to explore.)
const SEED: &str = "20261123";
/// The PR tier's figures.
const EXAMPLES_PER_OPERATION: &str = "50";
const MIN_CASES: u64 = 2_000;
/// The handle of the admin the fuzzer acts as.
const FUZZER: &str = "st-admin";
/// Tokens made before the run's own.
const DECOYS: usize = 1_000;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `st` next to the test Python, or on the PATH, of the version requirements-test.txt pins
/// (the settings file uses options of that version); or why there is none.
fn find_st() -> Result<PathBuf, String> {
    let candidates: Vec<PathBuf> = match std::env::var_os("LANDED_PYTHON") {
        Some(p) => vec![PathBuf::from(p).with_file_name("st")],
        None => vec![repo_root().join(".venv/bin/st"), PathBuf::from("st")],
    };
    for st in &candidates {
        let version = Command::new(st)
            .arg("--version")
            .stderr(Stdio::null())
            .output();
        if let Ok(out) = version
            && out.status.success()
            && String::from_utf8_lossy(&out.stdout).trim() == format!("st, version {ST_VERSION}")
        {
            return Ok(st.clone());
        }
    }
    Err(format!(
        "no schemathesis {ST_VERSION} `st` (tried {candidates:?})"
    ))
}

/// A server over a fresh small demo at a fixed clock, and API tokens of two people who must
/// not see each other's tokens: an admin of its own for the fuzzer, and emma (Payments lead).
async fn server(dir: &Path) -> (String, String, String) {
    let now: Timestamp = NOW.parse().unwrap();
    let store = SqlStore::open(&dir.join("st.db"), true).await.unwrap();
    demo::fill(&store, demo::Size::Small, now).await.unwrap();
    let admin = Ctx::new(&store, Some("ana"), now).await.unwrap();
    let token = |handle: &'static str| {
        let admin = &admin;
        async move {
            accounts::create_token(admin, Some(handle), "schemathesis", None)
                .await
                .unwrap()
                .token
        }
    };
    // Tokens are numbered in order and the fuzzer revokes the ids it draws (it may, as an
    // admin); small numbers are drawn most. Numbering the run's own tokens past the decoys
    // keeps them alive, and the test checks after the run that they are.
    for _ in 0..DECOYS {
        token("grace").await;
    }
    // The fuzzer's admin is a person of its own, whom no generated name or link leads to:
    // it changes and suspends the people it finds (ana, the demo's admin, included), and
    // must not lock itself out.
    org::add_person(
        &admin,
        org::NewPerson {
            handle: FUZZER.into(),
            name: "schemathesis".into(),
            email: None,
            tz: None,
            capacity_hours: None,
            role: Some(Role::Admin),
        },
    )
    .await
    .unwrap();
    let (fuzzer, emma) = (token(FUZZER).await, token("emma").await);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let state = landed_server::Shared::new(store.into(), Some(now), None);
    tokio::spawn(landed_server::serve(listener, state));
    (format!("http://{addr}"), fuzzer, emma)
}

/// What the JSON report of the run in `dir` says: `(cases generated, cases that failed)`.
fn report(dir: &Path) -> Option<(u64, u64)> {
    let file = std::fs::read_dir(dir).ok()?.flatten().find(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name.starts_with("json-") && name.ends_with(".json")
    })?;
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file.path()).ok()?).ok()?;
    let cases = &report["test_cases"];
    Some((
        cases["generated"].as_u64()?,
        cases["with_failures"].as_u64()? + cases["errored"].as_u64()?,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing() {
    let st = match find_st() {
        Ok(st) => st,
        Err(why) if std::env::var("LANDED_REQUIRE_SCHEMATHESIS").as_deref() == Ok("1") => panic!(
            "{why}, and LANDED_REQUIRE_SCHEMATHESIS=1; at the repo root run `{INSTALL}` or \
             point LANDED_PYTHON at the python of a venv that has schemathesis"
        ),
        Err(why) => {
            // Straight to stderr: the harness captures eprintln! of passing tests, and a skip
            // must be visible.
            let _ = writeln!(
                std::io::stderr(),
                "skipping schemathesis_finds_nothing: {why}; to run it: `{INSTALL}` at the repo \
                 root"
            );
            return;
        }
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (base, fuzzer, emma) = server(dir.path()).await;

    // Two identities (Web Fuzzing Commons auth file): every operation runs as the admin; the
    // lead is the peer the object-level check replays the admin's reads as.
    let auth = dir.path().join("auth.json");
    let entry = |name: &str, token: &str| {
        serde_json::json!({
            "name": name,
            "fixedHeaders": [{ "name": "Authorization", "value": format!("Bearer {token}") }],
        })
    };
    let doc = serde_json::json!({
        "schemaVersion": "1.0.0",
        "auth": [entry("admin", &fuzzer), entry("lead", &emma)],
    });
    std::fs::write(&auth, doc.to_string()).unwrap();
    // Kept after the run (JUnit and JSON), for reading what failed.
    let reports = Path::new(env!("CARGO_TARGET_TMPDIR")).join("schemathesis");
    let _ = std::fs::remove_dir_all(&reports);
    std::fs::create_dir_all(&reports).unwrap();
    let document = reqwest::get(format!("{base}/api/v1/openapi.json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    std::fs::write(reports.join("openapi.json"), document).unwrap();

    let mut cmd = Command::new(&st);
    cmd.arg("--config-file")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis.toml"))
        .env("LANDED_ST_AUTH", &auth)
        .env(
            "LANDED_ST_HOOKS",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis_hooks.py"),
        )
        .args(["run", &format!("{base}/api/v1/openapi.json")])
        .args(["--checks", "all"])
        .args(["--max-examples", EXAMPLES_PER_OPERATION])
        .args(["--seed", SEED])
        .arg("--generation-deterministic")
        .args(["--workers", "2"])
        .args(["--no-color", "--output-truncate", "false"])
        .args(["--report", "junit,json"])
        .arg("--report-dir")
        .arg(&reports)
        .args(
            // More arguments, to look closer (`--include-path-regex goals --continue-on-failure`).
            std::env::var("LANDED_ST_ARGS")
                .unwrap_or_default()
                .split_whitespace(),
        )
        .current_dir(dir.path());
    let command = format!("{cmd:?}");
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .expect("run st");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let counted = report(&reports);
    let _ = writeln!(
        std::io::stderr(),
        "schemathesis: {} cases, {} failed, in {:.0?} (exit {:?}); reports in {}\n{command}",
        counted.map_or("?".into(), |c| c.0.to_string()),
        counted.map_or("?".into(), |c| c.1.to_string()),
        started.elapsed(),
        out.status.code(),
        reports.display()
    );
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{stdout}\n{stderr}"
    );
    let (cases, _) = counted.unwrap_or_else(|| panic!("no JSON report in {}", reports.display()));
    assert!(
        cases >= MIN_CASES,
        "{cases} cases, fewer than {MIN_CASES}:\n{stdout}"
    );

    // The run tested what it meant to: both identities still sign in, the fuzzer still as an
    // admin (a run whose calls all ended in 401 would find nothing, and prove nothing).
    let http = reqwest::Client::new();
    for (who, token) in [(FUZZER, &fuzzer), ("emma", &emma)] {
        let me = http
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            me.status(),
            reqwest::StatusCode::OK,
            "{who}'s token was revoked"
        );
        let me: serde_json::Value = me.json().await.unwrap();
        assert_eq!(me["suspended"], false, "{who} was suspended: {me}");
        if who == FUZZER {
            assert_eq!(me["role"], "admin", "{who} is no longer an admin: {me}");
        }
    }
}
