//! RELIABILITY T1 at its PR tier: `kill -9` during a write storm, on SQLite and on PostgreSQL.
//!
//! `landed serve` (this build's binary) runs on 127.0.0.1 over a fresh demo workspace. Four
//! clients, each signed in as a different member, send mixed writes — create an item, edit its
//! title, start / finish / reopen it, check in for the week, make one item need another — each
//! under an `Idempotency-Key` of its own. A client sends one write at a time and counts it
//! acknowledged only on a 2xx answer; a write that got no answer (the server died under it, or
//! was not up) is retried with the same key and the same body until it gets one.
//!
//! Each cycle, 50–500 ms (seeded) after the server became ready, it is killed with SIGKILL
//! and started again on the same database; it must answer `/healthz` within 5 s. After the
//! last restart the clients finish their write under way, and the test checks, through the API
//! and through `landed_store` directly: no acknowledged write is lost (every client's model of
//! its items, check-in and dependencies is what is stored), no key made anything twice, no
//! write was refused, every entity's version equals its number of events, and (SQLite)
//! `PRAGMA integrity_check` is `ok` after every restart and after the last kill.
//!
//! The PostgreSQL variant kills the app, never PostgreSQL. It runs on a throwaway database
//! from `landed_store::testing::PgDb` and skips without PostgreSQL unless `LANDED_REQUIRE_PG=1`.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::Workspace;
use landed_core::event::{Entity, EntityKind, EventKind};
use landed_core::model::Node;
use landed_store::testing::PgDb;
use landed_store::{AnyStore, Store};
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The workspace clock, for the demo, the tokens and the server (one check-in week).
const NOW: &str = "2026-11-23T09:00:00Z";
/// The demo's members the clients act as, one each.
const CLIENTS: [&str; 4] = ["chloe", "emma", "farid", "grace"];
/// Kill cycles per backend (RELIABILITY T1, PR tier).
const CYCLES: usize = 25;
/// Everything random (the kill moments, each client's writes) follows from this.
const SEED: u64 = 0x71_4B11;
/// RELIABILITY T1: ready again this soon after a restart.
const READY_WITHIN: Duration = Duration::from_secs(5);
/// A client gives up (and the test fails) when a write has had no answer for this long.
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

/// One test at a time: the figures are per backend, and two storms on two cores would blur
/// both.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn kill_9_during_a_write_storm_on_sqlite() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let ws = Workspace::empty();
        storm(&ws, Backend::Sqlite).await;
    });
}

#[test]
fn kill_9_during_a_write_storm_on_postgres() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let Some(db) = PgDb::create("T1 kill -9 during a write storm").await else {
            return;
        };
        let ws = Workspace {
            dir: tempfile::tempdir().unwrap(),
            db: PathBuf::from(&db.url),
        };
        storm(&ws, Backend::Postgres).await;
        drop(db);
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// The storm on `ws` (whose `db` is the SQLite file or the PostgreSQL URL), then the checks.
async fn storm(ws: &Workspace, backend: Backend) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let started = Instant::now();
    let target = ws.db.to_str().unwrap().to_string();
    ws.ok_at(NOW, &["demo", "--force"]);
    let tokens: Vec<String> = CLIENTS
        .iter()
        .map(|h| {
            let made = ws.json_at(NOW, &["token", "create", "t1", "--as", h]);
            made["token"].as_str().unwrap().to_string()
        })
        .collect();

    let setup = started.elapsed();

    // The same port for every start: clients keep their address across restarts.
    let port = free_port();
    let mut server = Server::start(ws, &target, port);
    let mut ready = server.ready().await;
    assert!(ready <= READY_WITHIN, "the first start took {ready:?}");
    let base = server.base();

    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = CLIENTS
        .iter()
        .zip(&tokens)
        .enumerate()
        .map(|(n, (handle, token))| {
            let client = Client::new(n, handle, token, &base, backend);
            tokio::spawn(client.run(stop.clone()))
        })
        .collect();

    let mut rng = StdRng::seed_from_u64(SEED);
    for cycle in 1..=CYCLES {
        let after = rng.random_range(50..=500);
        tokio::time::sleep(Duration::from_millis(after)).await;
        server.kill();
        server = Server::start(ws, &target, port);
        let took = server.ready().await;
        assert!(
            took <= READY_WITHIN,
            "restart {cycle}: /healthz answered 200 only after {took:?}"
        );
        ready = ready.max(took);
        if backend == Backend::Sqlite {
            let found = integrity_check(&ws.db).await;
            assert_eq!(found, ["ok"], "integrity_check after restart {cycle}");
        }
    }
    // The last write under way of each client lands on the restarted server.
    stop.store(true, Ordering::SeqCst);
    let mut finished = Vec::new();
    for c in clients {
        finished.push(c.await.unwrap());
    }
    let writes: usize = finished.iter().map(|c| c.acked).sum();
    let in_doubt: usize = finished.iter().map(|c| c.in_doubt).sum();
    let replayed: usize = finished.iter().map(|c| c.replayed).sum();
    let unavailable: usize = finished.iter().map(|c| c.unavailable).sum();
    let refused: Vec<&String> = finished.iter().flat_map(|c| &c.refused).collect();
    eprintln!(
        "T1 {backend:?}: {CYCLES} kill cycles, {writes} acknowledged writes by {} clients \
         ({in_doubt} in doubt, retried with their key: {replayed} had been made and were \
         answered from what was written, {} were made by the retry; {unavailable} 5xx answers \
         retried), {} refused; ready after each restart within {ready:?}; setup took {setup:?}, \
         the storm {:?}",
        finished.len(),
        in_doubt - replayed,
        refused.len(),
        started.elapsed() - setup,
    );

    // Through the API, on the server that came up after the last kill.
    for c in &finished {
        c.check_through_api().await;
    }
    server.kill();
    if backend == Backend::Sqlite {
        let found = integrity_check(&ws.db).await;
        assert_eq!(found, ["ok"], "integrity_check after the last kill");
    }

    // Through the store, after the last kill.
    let store = AnyStore::open(&target, false).await.unwrap();
    for c in &finished {
        c.check_in_store(&store).await;
    }
    let entities = check_event_log(&store).await;
    store.close().await;

    assert!(
        refused.is_empty(),
        "writes of a consistent workload were refused: {refused:#?}"
    );
    assert!(writes > 0, "no write was acknowledged");
    eprintln!(
        "T1 {backend:?}: no acknowledged write lost, none made twice, {entities} entities each \
         with as many events as its version{}; {:?} in all",
        if backend == Backend::Sqlite {
            ", integrity_check ok after every restart"
        } else {
            ""
        },
        started.elapsed()
    );
}

/// `landed serve` on a port of its own, killed when dropped (a failing test leaves none).
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    /// Start it on `target`, listening on 127.0.0.1:`port`.
    fn start(ws: &Workspace, target: &str, port: u16) -> Server {
        let log = ws.dir.path().join("serve.log");
        let err = File::options()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let child = ws
            .command(
                NOW,
                &[
                    "serve",
                    "--bind",
                    &format!("127.0.0.1:{port}"),
                    "--database",
                    target,
                ],
            )
            .env("LANDED_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .unwrap();
        Server { child, port, log }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Wait for `/healthz` to answer 200; how long it took.
    async fn ready(&mut self) -> Duration {
        let start = Instant::now();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(1))
            .build()
            .unwrap();
        loop {
            if let Ok(r) = http.get(format!("{}/healthz", self.base())).send().await
                && r.status() == StatusCode::OK
            {
                return start.elapsed();
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "landed serve ended ({status}) before it was ready: {}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            assert!(
                start.elapsed() < READY_WITHIN * 3,
                "landed serve is not ready after {:?}",
                start.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// SIGKILL, and reap it.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `PRAGMA integrity_check` on the SQLite file, through a connection of its own.
async fn integrity_check(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    let mut check = conn.prepare("PRAGMA integrity_check").unwrap();
    check
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<Vec<String>, _>>()
        .unwrap()
}

/// What a client knows of one item it made: everything it was acknowledged.
#[derive(Debug, Clone)]
struct Tracked {
    num: i64,
    title: String,
    status: &'static str,
    version: i64,
}

/// The kinds of write (each writes one event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    Edit,
    Status,
    CheckIn,
    Depend,
}

/// A write made under a key, and whether it was acknowledged.
#[derive(Debug, Clone)]
struct Sent {
    key: String,
    op: Op,
    acked: bool,
}

/// One client: a member sending one write at a time, and its model of what it was
/// acknowledged.
struct Client {
    n: usize,
    handle: &'static str,
    token: String,
    base: String,
    backend: Backend,
    http: reqwest::Client,
    rng: StdRng,
    next_key: usize,
    items: Vec<Tracked>,
    /// The last acknowledged check-in's `done` text.
    checkin: Option<String>,
    /// (from, needs) item numbers.
    deps: BTreeSet<(i64, i64)>,
    sent: Vec<Sent>,
    acked: usize,
    /// Writes that got no answer at first and were retried with their key.
    in_doubt: usize,
    /// Of those, the ones answered from what the first attempt had written.
    replayed: usize,
    /// 5xx answers (retried with the key).
    unavailable: usize,
    refused: Vec<String>,
}

/// A definite answer to a write.
struct Answer {
    status: StatusCode,
    body: Value,
}

impl Client {
    fn new(n: usize, handle: &'static str, token: &str, base: &str, backend: Backend) -> Client {
        Client {
            n,
            handle,
            token: token.to_string(),
            base: base.to_string(),
            backend,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .unwrap(),
            rng: StdRng::seed_from_u64(SEED ^ (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            next_key: 0,
            items: Vec::new(),
            checkin: None,
            deps: BTreeSet::new(),
            sent: Vec::new(),
            acked: 0,
            in_doubt: 0,
            replayed: 0,
            unavailable: 0,
            refused: Vec::new(),
        }
    }

    async fn run(mut self, stop: Arc<AtomicBool>) -> Client {
        while !stop.load(Ordering::SeqCst) {
            self.step().await;
        }
        self
    }

    /// This client's text prefix: every title and note it writes starts with it.
    fn mark(&self) -> String {
        format!("k{}", self.n)
    }

    /// One write, chosen at random, sent until it has an answer.
    async fn step(&mut self) {
        let roll = self.rng.random_range(0..100);
        let op = match roll {
            _ if self.items.len() < 2 => Op::Create,
            0..30 => Op::Create,
            30..60 => Op::Edit,
            60..80 => Op::Status,
            80..90 => Op::CheckIn,
            _ => Op::Depend,
        };
        let mark = self.mark();
        let k = self.next_key;
        match op {
            Op::Create => {
                let title = format!("{mark} new {k}");
                let body = json!({
                    "title": title, "owner": self.handle, "due": "2026-12-18", "estimate": "4h",
                    "kind": "reactive",
                });
                let Some(a) = self.write(op, Method::POST, "/api/v1/items", body).await else {
                    return;
                };
                assert!(!a.body["id"].is_null(), "{}", a.body);
                self.items.push(Tracked {
                    num: number(&a.body["id"]),
                    title,
                    status: "todo",
                    version: a.body["version"].as_i64().unwrap(),
                });
            }
            Op::Edit => {
                let i = self.rng.random_range(0..self.items.len());
                let it = self.items[i].clone();
                let title = format!("{mark} edit {k}");
                let body = json!({ "title": title, "version": it.version });
                let path = format!("/api/v1/items/I-{}", it.num);
                let Some(a) = self.write(op, Method::PATCH, &path, body).await else {
                    return;
                };
                assert_eq!(a.body["title"], title.as_str(), "{}", a.body);
                let it = &mut self.items[i];
                it.title = title;
                it.version = a.body["version"].as_i64().unwrap();
            }
            Op::Status => {
                let i = self.rng.random_range(0..self.items.len());
                let it = self.items[i].clone();
                let (action, next) = match it.status {
                    "todo" => ("start", "doing"),
                    "doing" => ("done", "done"),
                    _ => ("reopen", "todo"),
                };
                let body = json!({ "action": action, "version": it.version });
                let path = format!("/api/v1/items/I-{}/status", it.num);
                let Some(a) = self.write(op, Method::POST, &path, body).await else {
                    return;
                };
                assert_eq!(a.body["status"], next, "{}", a.body);
                let it = &mut self.items[i];
                it.status = next;
                it.version = a.body["version"].as_i64().unwrap();
            }
            Op::CheckIn => {
                let done = format!("{mark} checkin {k}");
                let body = json!({ "done": done });
                if self
                    .write(op, Method::POST, "/api/v1/checkins", body)
                    .await
                    .is_some()
                {
                    self.checkin = Some(done);
                }
            }
            Op::Depend => {
                // Always from a later item to an earlier one: never a cycle.
                let pair = (0..5).find_map(|_| {
                    let a = self.rng.random_range(0..self.items.len());
                    let b = self.rng.random_range(0..self.items.len());
                    let (from, needs) = (self.items[a.max(b)].num, self.items[a.min(b)].num);
                    (from != needs && !self.deps.contains(&(from, needs))).then_some((from, needs))
                });
                let Some((from, needs)) = pair else {
                    return;
                };
                let body = json!({ "from": format!("I-{from}"), "needs": format!("I-{needs}") });
                if self
                    .write(op, Method::POST, "/api/v1/dependencies", body)
                    .await
                    .is_some()
                {
                    self.deps.insert((from, needs));
                }
            }
        }
    }

    /// Send a write under a fresh key until it is answered; `Some` when it was acknowledged
    /// (2xx), `None` (after noting why) when it was refused.
    async fn write(&mut self, op: Op, method: Method, path: &str, body: Value) -> Option<Answer> {
        let key = format!("t1-{:?}-c{}-{}", self.backend, self.n, self.next_key);
        self.next_key += 1;
        let answer = self.send(&key, method.clone(), path, &body).await;
        let acked = answer.status.is_success();
        self.sent.push(Sent {
            key: key.clone(),
            op,
            acked,
        });
        if acked {
            self.acked += 1;
            Some(answer)
        } else {
            self.refused.push(format!(
                "{} {method} {path} {body} (key {key}) → {}: {}",
                self.handle, answer.status, answer.body
            ));
            None
        }
    }

    /// The same request under the same key until the server answers it (not 5xx).
    async fn send(&mut self, key: &str, method: Method, path: &str, body: &Value) -> Answer {
        let url = format!("{}{path}", self.base);
        let start = Instant::now();
        let mut failed = false;
        loop {
            assert!(
                start.elapsed() < ANSWER_WITHIN,
                "{method} {path} (key {key}) has had no answer for {:?}",
                start.elapsed()
            );
            let sent = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(&self.token)
                .header("Idempotency-Key", key)
                .json(body)
                .send()
                .await;
            let answer = match sent {
                Ok(r) => {
                    let status = r.status();
                    let replayed = r
                        .headers()
                        .get("idempotent-replayed")
                        .is_some_and(|v| v == "true");
                    r.bytes().await.ok().map(|b| (status, replayed, b))
                }
                Err(_) => None,
            };
            match answer {
                Some((status, _, _)) if status.is_server_error() => {
                    self.unavailable += 1;
                    failed = true;
                }
                Some((status, replayed, bytes)) => {
                    if failed {
                        self.in_doubt += 1;
                        if replayed {
                            self.replayed += 1;
                        }
                    }
                    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                    return Answer { status, body };
                }
                // No answer: the server died under the request, or is not up yet.
                None => failed = true,
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// A read through the API.
    async fn get(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        r.json().await.unwrap()
    }

    /// Every acknowledged write, as the API shows it; and nothing of this client's twice.
    async fn check_through_api(&self) {
        let mark = format!("{} ", self.mark());
        // Every item of the workspace, by status (the default list is the open ones only).
        let mut shown: BTreeMap<i64, Value> = BTreeMap::new();
        for status in ["todo", "doing", "blocked", "done", "dropped"] {
            let mut cursor: Option<String> = None;
            loop {
                let mut path = format!("/api/v1/items?status={status}&limit=1000");
                if let Some(c) = &cursor {
                    path.push_str(&format!("&cursor={c}"));
                }
                let page = self.get(&path).await;
                for item in page["items"].as_array().unwrap() {
                    if item["title"].as_str().unwrap().starts_with(&mark) {
                        shown.insert(number(&item["id"]), item.clone());
                    }
                }
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_string()),
                    None => break,
                }
            }
        }
        let made: BTreeSet<i64> = self.items.iter().map(|t| t.num).collect();
        let listed: BTreeSet<i64> = shown.keys().copied().collect();
        same(
            &made,
            &listed,
            &format!("@{}'s items listed by the API", self.handle),
        );
        for t in &self.items {
            let one = self.get(&format!("/api/v1/items/I-{}", t.num)).await;
            for view in [&one, &shown[&t.num]] {
                assert_eq!(
                    view["title"],
                    t.title.as_str(),
                    "I-{} through the API",
                    t.num
                );
                assert_eq!(view["status"], t.status, "I-{} through the API", t.num);
                assert_eq!(view["version"], t.version, "I-{} through the API", t.num);
            }
        }
        let agenda = self.get("/api/v1/checkins").await;
        assert_eq!(
            agenda["done"].as_str(),
            self.checkin.as_deref(),
            "@{}'s check-in through the API",
            self.handle
        );
        // Every dependency, page by page.
        let mut shown: BTreeSet<(i64, i64)> = BTreeSet::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = "/api/v1/dependencies?limit=1000".to_string();
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = self.get(&path).await;
            shown.extend(
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|d| d["from_title"].as_str().unwrap_or("").starts_with(&mark))
                    .map(|d| (number(&d["from"]), number(&d["to"]))),
            );
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        same(
            &self.deps,
            &shown,
            &format!("@{}'s dependencies through the API", self.handle),
        );
    }

    /// Every acknowledged write, as stored; each key wrote exactly what one write writes.
    async fn check_in_store(&self, store: &AnyStore) {
        let person = store.person_by_handle(self.handle).await.unwrap().unwrap();
        let mut ids = HashMap::new();
        for t in &self.items {
            let item = store
                .item(t.num)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("acknowledged I-{} is not stored", t.num));
            assert_eq!(item.title, t.title, "I-{} as stored", t.num);
            assert_eq!(item.status.as_str(), t.status, "I-{} as stored", t.num);
            assert_eq!(item.version, t.version, "I-{} as stored", t.num);
            ids.insert(item.id, t.num);
        }
        let mark = format!("{} ", self.mark());
        let all = store.items(&Default::default()).await.unwrap();
        let mine: BTreeSet<i64> = all
            .iter()
            .filter(|i| i.title.starts_with(&mark))
            .map(|i| i.num)
            .collect();
        let made: BTreeSet<i64> = self.items.iter().map(|t| t.num).collect();
        same(&made, &mine, &format!("@{}'s items as stored", self.handle));

        let checkins = store.checkins(Some(&[person.id]), None).await.unwrap();
        let mut written: Vec<&str> = checkins
            .iter()
            .filter_map(|c| c.done.as_deref())
            .filter(|d| d.starts_with(&mark))
            .collect();
        written.dedup();
        assert_eq!(
            written,
            self.checkin.as_deref().into_iter().collect::<Vec<_>>(),
            "@{}'s check-in as stored",
            self.handle
        );

        let stored: BTreeSet<(i64, i64)> = store
            .dependencies(None)
            .await
            .unwrap()
            .iter()
            .filter_map(|d| match (d.from, d.to) {
                (Node::Item(a), Node::Item(b)) => Some((*ids.get(&a)?, *ids.get(&b)?)),
                _ => None,
            })
            .collect();
        same(
            &self.deps,
            &stored,
            &format!("@{}'s dependencies as stored", self.handle),
        );

        // Exactly once: an acknowledged write's key is on the one event it wrote; a refused
        // one's on none.
        for s in &self.sent {
            let events = store
                .keyed(&format!("{}:{}", person.id, s.key))
                .await
                .unwrap();
            let created = events
                .iter()
                .filter(|e| e.kind == EventKind::Created)
                .count();
            let want = usize::from(s.acked);
            assert_eq!(
                events.len(),
                want,
                "key {} ({:?}, acknowledged: {}) wrote {} events: {:#?}",
                s.key,
                s.op,
                s.acked,
                events.len(),
                events
            );
            if s.op == Op::Create || s.op == Op::Depend {
                assert_eq!(created, want, "key {} ({:?}) created", s.key, s.op);
            }
        }
    }
}

/// Every entity's version counts its events, event by event and now; the number of entities.
async fn check_event_log(store: &AnyStore) -> usize {
    let events = store.events().await.unwrap();
    assert!(
        events.windows(2).all(|w| w[0].seq < w[1].seq),
        "event order"
    );
    let mut per_entity: HashMap<(EntityKind, i64), i64> = HashMap::new();
    for e in &events {
        let s = e.subject().unwrap();
        let n = per_entity.entry((s.kind(), s.id())).or_default();
        *n += 1;
        if let Some(after) = &e.after {
            assert_eq!(
                after.version(),
                *n,
                "event {} of {}: versions count events",
                e.seq,
                s.label()
            );
        }
    }
    let state = store.state().await.unwrap();
    let entities: Vec<Entity> = state
        .items
        .values()
        .cloned()
        .map(Entity::Item)
        .chain(state.dependencies.values().cloned().map(Entity::Dependency))
        .chain(state.checkins.values().cloned().map(Entity::CheckIn))
        .chain(state.goals.values().cloned().map(Entity::Goal))
        .chain(state.people.values().cloned().map(Entity::Person))
        .chain(state.teams.values().cloned().map(Entity::Team))
        .chain(state.requests.values().cloned().map(Entity::Request))
        .chain(state.milestones.values().cloned().map(Entity::Milestone))
        .collect();
    for e in &entities {
        assert_eq!(
            e.version(),
            per_entity
                .get(&(e.kind(), e.id()))
                .copied()
                .unwrap_or_default(),
            "{}: its version is its number of events",
            e.label()
        );
    }
    entities.len()
}

/// `found` is what the client was acknowledged (`acked`): nothing lost, nothing more (made
/// twice, or made without being asked).
fn same<T: Ord + std::fmt::Debug>(acked: &BTreeSet<T>, found: &BTreeSet<T>, what: &str) {
    let lost: Vec<_> = acked.difference(found).collect();
    let more: Vec<_> = found.difference(acked).collect();
    assert!(
        lost.is_empty() && more.is_empty(),
        "{what}: {} acknowledged, {} found; acknowledged but lost: {lost:?}; found but not \
         acknowledged (made twice?): {more:?}",
        acked.len(),
        found.len()
    );
}

/// The number in an id like `I-12`.
fn number(id: &Value) -> i64 {
    id.as_str()
        .and_then(|s| s.rsplit('-').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not an id: {id}"))
}
