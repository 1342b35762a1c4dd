//! RELIABILITY T17: PostgreSQL connections lost under load, and PostgreSQL gone and back.
//!
//! The server runs in-process on a database of its own, reached through a small TCP proxy that
//! the test can cut. Clients write (each write with an `Idempotency-Key`, retried with the same
//! key after a 503) and read throughout, while the test
//! 1. terminates every server connection (`pg_terminate_backend`), a few times;
//! 2. cuts the proxy as if PostgreSQL were down: live connections dropped, new ones refused;
//! 3. cuts it as a partition: live connections dropped, new ones taken and left hanging until
//!    it heals.
//!
//! What must hold: every failure is a 503 problem with `Retry-After`, never a 500 and never a
//! hang; `/healthz` is 503 while the database is away and 200 once it is back; the first write
//! lands within 5 s of the database's return and few requests fail after that; every
//! acknowledged write is in the database exactly once; and the pool ends as it began: every
//! connection idle and each one a live backend.
//!
//! `LANDED_NIGHTLY=1` runs the long variant (a 60 s outage, more clients, a minute after it).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use landed_app::{Ctx, accounts, demo};
use landed_store::AnyStore;
use landed_store::testing::{PgDb, admin_url};
use serde_json::{Value, json};
use sqlx::Connection as _;
use sqlx::postgres::PgConnection;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;

const NOW: &str = "2026-11-23T09:00:00Z";

/// The longest any request may take, outage or not: well under the server's 30 s timeout,
/// since a lost database must fail fast (the pool's acquire timeout is 3 s, `/healthz`'s 2 s).
const NO_HANG: Duration = Duration::from_secs(10);
/// RELIABILITY T17: the first write lands within this long after the database is back.
const FIRST_WRITE: Duration = Duration::from_secs(5);
/// RELIABILITY T17: the share of requests that may fail once recovered.
const ERROR_RATE: f64 = 0.05;

/// How much load and how long each fault lasts.
struct Plan {
    writers: usize,
    readers: usize,
    warmup: Duration,
    terminations: usize,
    refused: Duration,
    partitioned: Duration,
    after: Duration,
}

impl Plan {
    fn from_env() -> Plan {
        if std::env::var("LANDED_NIGHTLY").as_deref() == Ok("1") {
            Plan {
                writers: 6,
                readers: 2,
                warmup: Duration::from_secs(5),
                terminations: 10,
                refused: Duration::from_secs(60),
                partitioned: Duration::from_secs(15),
                after: Duration::from_secs(60),
            }
        } else {
            Plan {
                writers: 3,
                readers: 1,
                warmup: Duration::from_millis(1500),
                terminations: 5,
                // Longer than the pool's 3 s acquire timeout plus a client's 1 s back-off, so
                // that requests are both sent and answered inside each outage.
                refused: Duration::from_secs(6),
                partitioned: Duration::from_secs(6),
                after: Duration::from_secs(2),
            }
        }
    }
}

// --- The proxy between the server and PostgreSQL ---------------------------------------------

/// What the proxy does with connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Relay to PostgreSQL.
    Open,
    /// PostgreSQL is down: the port is closed, so connecting is refused.
    Refuse,
    /// The network is partitioned: connections are taken but nothing answers until it heals.
    Partition,
}

struct Proxy {
    addr: SocketAddr,
    mode: watch::Sender<Mode>,
    /// Bumped at every cut: every relayed connection then ends.
    cuts: watch::Sender<u64>,
    /// Connections relayed to PostgreSQL right now.
    live: Arc<AtomicUsize>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (mode, _) = watch::channel(Mode::Open);
        let (cuts, _) = watch::channel(0u64);
        let live = Arc::new(AtomicUsize::new(0));
        tokio::spawn(accept(
            listener,
            Arc::from(upstream),
            mode.subscribe(),
            cuts.clone(),
            live.clone(),
        ));
        Proxy {
            addr,
            mode,
            cuts,
            live,
        }
    }

    /// Drop every live connection and treat new ones as `mode` says.
    fn cut(&self, mode: Mode) {
        self.mode.send_replace(mode);
        self.cuts.send_modify(|n| *n += 1);
    }

    fn restore(&self) {
        self.mode.send_replace(Mode::Open);
    }

    fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }
}

async fn accept(
    listener: TcpListener,
    upstream: Arc<str>,
    mut mode: watch::Receiver<Mode>,
    cuts: watch::Sender<u64>,
    live: Arc<AtomicUsize>,
) {
    let addr = listener.local_addr().unwrap();
    let mut listener = Some(listener);
    loop {
        if *mode.borrow_and_update() == Mode::Refuse {
            // Closing the port is what makes a connection refused rather than reset.
            listener = None;
            if mode.changed().await.is_err() {
                return;
            }
            continue;
        }
        let Some(open) = &listener else {
            listener = Some(rebind(addr).await);
            continue;
        };
        tokio::select! {
            accepted = open.accept() => {
                if let Ok((client, _)) = accepted {
                    tokio::spawn(relay(
                        client,
                        upstream.clone(),
                        mode.clone(),
                        cuts.subscribe(),
                        live.clone(),
                    ));
                }
            }
            changed = mode.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// Listen on `addr` again, where the server's database URL points.
async fn rebind(addr: SocketAddr) -> TcpListener {
    for _ in 0..100 {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        if socket.bind(addr).is_ok()
            && let Ok(listener) = socket.listen(1024)
        {
            return listener;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the proxy cannot listen on {addr} again");
}

async fn relay(
    mut client: TcpStream,
    upstream: Arc<str>,
    mut mode: watch::Receiver<Mode>,
    mut cuts: watch::Receiver<u64>,
    live: Arc<AtomicUsize>,
) {
    loop {
        let now = *mode.borrow_and_update();
        match now {
            Mode::Open => break,
            Mode::Refuse => return,
            // Held, unanswered, until the partition heals: the client's own timeout decides.
            Mode::Partition => {
                if mode.changed().await.is_err() {
                    return;
                }
            }
        }
    }
    let Ok(mut server) = TcpStream::connect(&*upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    live.fetch_add(1, Ordering::SeqCst);
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = cuts.changed() => {}
    }
    live.fetch_sub(1, Ordering::SeqCst);
}

/// Where `url`'s `host:port` is (after the user, before the database).
fn authority(url: &str) -> (usize, usize) {
    let start = url.find("://").expect("a database URL") + 3;
    let end = url[start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| start + i);
    let host = url[start..end].rfind('@').map_or(start, |i| start + i + 1);
    assert!(
        host < end,
        "LANDED_TEST_PG_URL must name a TCP host for this test to put a proxy in front of it"
    );
    (host, end)
}

/// The `host:port` PostgreSQL listens on, from its URL.
fn upstream(url: &str) -> String {
    let (host, end) = authority(url);
    let authority = &url[host..end];
    if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:5432")
    }
}

/// `url` pointed at `to` instead.
fn via(url: &str, to: SocketAddr) -> String {
    let (host, end) = authority(url);
    format!("{}{to}{}", &url[..host], &url[end..])
}

// --- The clients -----------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Write,
    Read,
    Health,
}

/// One request and its answer.
#[derive(Debug)]
struct Record {
    op: Op,
    sent: Instant,
    done: Instant,
    /// None when no answer came at all.
    status: Option<u16>,
    retry_after: Option<String>,
    content_type: Option<String>,
    problem: Option<String>,
    replayed: bool,
}

impl Record {
    fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// What the clients share: where to send, and what they saw.
struct Load {
    base: String,
    token: String,
    http: reqwest::Client,
    paused: AtomicBool,
    stop: AtomicBool,
    in_flight: AtomicUsize,
    records: Mutex<Vec<Record>>,
    /// Every key a write was sent with, and whether it was acknowledged (2xx).
    keys: Mutex<BTreeMap<String, bool>>,
}

impl Load {
    async fn send(&self, op: Op, request: reqwest::RequestBuilder) -> Record {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let sent = Instant::now();
        let answer = request.send().await;
        let mut record = Record {
            op,
            sent,
            done: sent,
            status: None,
            retry_after: None,
            content_type: None,
            problem: None,
            replayed: false,
        };
        if let Ok(response) = answer {
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            record.status = Some(response.status().as_u16());
            record.retry_after = header("retry-after");
            record.content_type = header("content-type");
            record.replayed = header("idempotent-replayed").as_deref() == Some("true");
            if !response.status().is_success() {
                let body: Value = response.json().await.unwrap_or(Value::Null);
                record.problem = body["type"].as_str().map(str::to_string);
            } else {
                let _ = response.bytes().await;
            }
        }
        record.done = Instant::now();
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        record
    }

    fn keep(&self, record: Record) {
        self.records.lock().unwrap().push(record);
    }

    async fn wait_while_paused(&self) {
        while self.paused.load(Ordering::SeqCst) && !self.stop.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// How long to wait before retrying after `record`: its `Retry-After`, loosely (at most a
    /// second), or a moment when no answer came.
    fn backoff(record: &Record) -> Duration {
        record
            .retry_after
            .as_deref()
            .and_then(|s| s.parse::<u64>().ok())
            .map_or(Duration::from_millis(250), |s| {
                Duration::from_secs(s).min(Duration::from_secs(1))
            })
    }
}

/// Create items one after another, each under a key of its own, retried with that key until
/// it is acknowledged (or the test gives up on it, which the checks then catch).
async fn writer(load: Arc<Load>, w: usize) {
    for n in 0.. {
        load.wait_while_paused().await;
        if load.stop.load(Ordering::SeqCst) {
            return;
        }
        let key = format!("t17-w{w}-{n}");
        load.keys.lock().unwrap().insert(key.clone(), false);
        let body =
            json!({"title": format!("t17 {key}"), "goal": "G-1", "owner": "chloe", "due": "+5d"});
        let give_up = Instant::now() + Duration::from_secs(120);
        while Instant::now() < give_up {
            let request = load
                .http
                .post(format!("{}/api/v1/items", load.base))
                .bearer_auth(&load.token)
                .header("Idempotency-Key", &key)
                .json(&body);
            let record = load.send(Op::Write, request).await;
            let status = record.status;
            let wait = Load::backoff(&record);
            let acked = record.ok();
            load.keep(record);
            if acked {
                load.keys.lock().unwrap().insert(key.clone(), true);
                break;
            }
            if status.is_some_and(|s| s != 503) {
                // Refused for another reason: recorded, and the checks fail on it.
                break;
            }
            tokio::time::sleep(wait).await;
        }
    }
}

async fn reader(load: Arc<Load>) {
    while !load.stop.load(Ordering::SeqCst) {
        load.wait_while_paused().await;
        let request = load
            .http
            .get(format!("{}/api/v1/items/I-2", load.base))
            .bearer_auth(&load.token);
        let record = load.send(Op::Read, request).await;
        let wait = if record.ok() {
            Duration::from_millis(20)
        } else {
            Load::backoff(&record)
        };
        load.keep(record);
        tokio::time::sleep(wait).await;
    }
}

/// A load balancer's probe.
async fn prober(load: Arc<Load>) {
    while !load.stop.load(Ordering::SeqCst) {
        load.wait_while_paused().await;
        let request = load.http.get(format!("{}/healthz", load.base));
        let record = load.send(Op::Health, request).await;
        load.keep(record);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// --- The pool, seen from the server and from PostgreSQL --------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pool {
    /// `landed_db_pool_connections` on /metrics.
    size: u64,
    /// `landed_db_pool_idle` on /metrics.
    idle: u64,
    /// The server's sessions PostgreSQL has (`pg_stat_activity`).
    backends: u64,
    /// Connections the proxy relays.
    relayed: u64,
}

impl Pool {
    fn settled(&self) -> bool {
        self.idle == self.size && self.backends == self.size && self.relayed == self.size
    }
}

/// The server's backends: sessions on `database` named `landed` (the test's own connections
/// are not, and the admin connection is on another database).
async fn backends(admin: &mut PgConnection, database: &str) -> u64 {
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'landed'",
    )
    .bind(database)
    .fetch_one(admin)
    .await
    .unwrap();
    n as u64
}

fn gauge(page: &str, name: &str) -> u64 {
    page.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or_else(|| panic!("{name} is not on /metrics:\n{page}")) as u64
}

/// Pause the clients, let requests under way finish, and read the pool once it has settled
/// (or after 5 s, as it is then).
async fn quiet_pool(load: &Load, proxy: &Proxy, admin: &mut PgConnection, db: &str) -> Pool {
    load.paused.store(true, Ordering::SeqCst);
    let until = Instant::now() + Duration::from_secs(5);
    while load.in_flight.load(Ordering::SeqCst) > 0 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    loop {
        let page = load
            .http
            .get(format!("{}/metrics", load.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let pool = Pool {
            size: gauge(&page, "landed_db_pool_connections"),
            idle: gauge(&page, "landed_db_pool_idle"),
            backends: backends(admin, db).await,
            relayed: proxy.live() as u64,
        };
        if pool.settled() || Instant::now() > until {
            return pool;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// End every session of the server's, as an administrator would; how many were ended.
async fn terminate(admin: &mut PgConnection, database: &str) -> usize {
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND application_name = 'landed' AND pid <> pg_backend_pid()",
    )
    .bind(database)
    .fetch_all(admin)
    .await
    .unwrap();
    ended.into_iter().filter(|&e| e).count()
}

// --- The test --------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_lost_and_back_under_load() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(db) = PgDb::create("postgres_lost_and_back_under_load").await else {
        return;
    };
    let plan = Plan::from_env();
    let now: Timestamp = NOW.parse().unwrap();
    let token = {
        let store = AnyStore::open(&db.url, false).await.unwrap();
        demo::fill(&store, demo::Size::Small, now).await.unwrap();
        let ctx = Ctx::new(&store, Some("chloe"), now).await.unwrap();
        let t = accounts::create_token(&ctx, None, "t17", None)
            .await
            .unwrap()
            .token;
        store.close().await;
        t
    };

    // The server reaches PostgreSQL only through the proxy.
    let proxy = Proxy::start(upstream(&db.url)).await;
    let server_url = via(&db.url, proxy.addr);
    let store = AnyStore::open(&server_url, false).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = landed_server::Shared::new(store, Some(now), None);
    tokio::spawn(landed_server::serve(listener, state.clone()));

    let load = Arc::new(Load {
        base: format!("http://{addr}"),
        token,
        http: reqwest::Client::builder()
            // Past the server's own 30 s limit: a hang shows as a slow answer, not a stuck test.
            .timeout(Duration::from_secs(40))
            .build()
            .unwrap(),
        paused: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        in_flight: AtomicUsize::new(0),
        records: Mutex::new(Vec::new()),
        keys: Mutex::new(BTreeMap::new()),
    });
    let mut clients = Vec::new();
    for w in 0..plan.writers {
        clients.push(tokio::spawn(writer(load.clone(), w)));
    }
    for _ in 0..plan.readers {
        clients.push(tokio::spawn(reader(load.clone())));
    }
    clients.push(tokio::spawn(prober(load.clone())));
    let mut admin = PgConnection::connect(&admin_url()).await.unwrap();
    let started = Instant::now();

    // Warm up, then the pool as it is before anything goes wrong.
    tokio::time::sleep(plan.warmup).await;
    let baseline = quiet_pool(&load, &proxy, &mut admin, &db.name).await;
    assert!(
        baseline.settled() && baseline.size > 0,
        "before any fault the pool should hold live, idle connections: {baseline:?}"
    );
    load.paused.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // 1. Sessions ended under load.
    let terminating = Instant::now();
    let mut terminated = Vec::new();
    for _ in 0..plan.terminations {
        terminated.push(terminate(&mut admin, &db.name).await);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        terminated.iter().all(|&n| n > 0),
        "pg_terminate_backend found no session of the server to end: {terminated:?}"
    );

    // 2. PostgreSQL down: connections refused.
    let refused = Instant::now();
    proxy.cut(Mode::Refuse);
    tokio::time::sleep(plan.refused).await;
    let back = Instant::now();
    proxy.restore();
    let first_write_1 = first_write_after(&load, back).await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    // 3. A partition: connections taken and left unanswered until it heals.
    let partitioned = Instant::now();
    proxy.cut(Mode::Partition);
    tokio::time::sleep(plan.partitioned).await;
    let healed = Instant::now();
    proxy.restore();
    let first_write_2 = first_write_after(&load, healed).await;
    tokio::time::sleep(plan.after).await;

    // The end: writes under way finish (retrying as needed), then the pool once quiet.
    let end = quiet_pool(&load, &proxy, &mut admin, &db.name).await;
    load.stop.store(true, Ordering::SeqCst);
    load.paused.store(false, Ordering::SeqCst);
    for client in clients {
        tokio::time::timeout(Duration::from_secs(130), client)
            .await
            .expect("a client stops once its write is acknowledged")
            .unwrap();
    }
    let took = started.elapsed();

    let records = std::mem::take(&mut *load.records.lock().unwrap());
    let during = |from: Instant, to: Instant| {
        records
            .iter()
            .filter(move |r| r.sent >= from && r.done <= to)
    };
    let unavailable = records.iter().filter(|r| r.status == Some(503)).count();
    let figures = format!(
        "T17 figures: {} requests in {took:.1?} ({} writes acknowledged, {} answered as \
         replays), {unavailable} answered 503 ({} during the refusal, {} during the partition, \
         {} during the terminations: sessions ended per round {terminated:?}); first write \
         {first_write_1:?} after the refusal ended and {first_write_2:?} after the partition \
         healed; slowest answer {:?}; pool before {baseline:?}, after {end:?}",
        records.len(),
        records
            .iter()
            .filter(|r| r.op == Op::Write && r.ok())
            .count(),
        records.iter().filter(|r| r.replayed).count(),
        during(refused, back)
            .filter(|r| r.status == Some(503))
            .count(),
        during(partitioned, healed)
            .filter(|r| r.status == Some(503))
            .count(),
        during(terminating, refused)
            .filter(|r| r.status == Some(503))
            .count(),
        records.iter().map(|r| r.done - r.sent).max().unwrap(),
    );
    eprintln!("{figures}");

    // Every answer is a success or a 503 problem with Retry-After: no 500, no other status, no
    // dropped connection.
    let wrong: Vec<&Record> = records
        .iter()
        .filter(|r| {
            let expected = match r.op {
                Op::Write => 201,
                Op::Read | Op::Health => 200,
            };
            r.status != Some(expected) && r.status != Some(503)
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "answers other than success or 503: {wrong:#?}\n{figures}"
    );
    for r in records.iter().filter(|r| r.status == Some(503)) {
        assert!(
            r.retry_after
                .as_deref()
                .and_then(|s| s.parse::<u64>().ok())
                .is_some_and(|s| s >= 1),
            "a 503 without a usable Retry-After: {r:?}"
        );
        assert_eq!(
            r.content_type.as_deref(),
            Some("application/problem+json"),
            "{r:?}"
        );
        assert_eq!(
            r.problem.as_deref(),
            Some("urn:landed:problem:unavailable"),
            "{r:?}"
        );
    }
    // No hang: an outage is answered fast, far inside the server's 30 s limit.
    let slow: Vec<&Record> = records
        .iter()
        .filter(|r| r.done - r.sent > NO_HANG)
        .collect();
    assert!(
        slow.is_empty(),
        "answers slower than {NO_HANG:?}: {slow:#?}"
    );

    // While the database is away every request sent is refused, /healthz included.
    for (what, from, to) in [
        ("refusal", refused, back),
        ("partition", partitioned, healed),
    ] {
        let seen: Vec<&Record> = during(from, to).collect();
        assert!(
            seen.iter().any(|r| r.op == Op::Write) && seen.iter().any(|r| r.op == Op::Health),
            "no write or no health probe was answered during the {what}: {seen:#?}"
        );
        let through: Vec<&&Record> = seen.iter().filter(|r| r.status != Some(503)).collect();
        assert!(
            through.is_empty(),
            "answered other than 503 during the {what}: {through:#?}"
        );
    }

    // Back within 5 s, and /healthz says so.
    for (what, first, from) in [
        ("the refusal", first_write_1, back),
        ("the partition", first_write_2, healed),
    ] {
        assert!(
            first.is_some_and(|t| t <= FIRST_WRITE),
            "first write after {what}: {first:?}, over {FIRST_WRITE:?}\n{figures}"
        );
        let healthy = records
            .iter()
            .filter(|r| r.op == Op::Health && r.sent >= from && r.ok())
            .map(|r| r.done - from)
            .min();
        assert!(
            healthy.is_some_and(|t| t <= FIRST_WRITE),
            "/healthz 200 after {what}: {healthy:?}"
        );
    }
    // Once recovered (a second after the first write), few requests fail.
    let recovered = healed + first_write_2.unwrap() + Duration::from_secs(1);
    let after: Vec<&Record> = records.iter().filter(|r| r.sent >= recovered).collect();
    let failed = after.iter().filter(|r| !r.ok()).count();
    assert!(
        !after.is_empty() && failed as f64 <= ERROR_RATE * after.len() as f64,
        "{failed} of {} requests failed after recovery",
        after.len()
    );

    // Every acknowledged write is there exactly once, and nothing else of the test's is.
    let keys = std::mem::take(&mut *load.keys.lock().unwrap());
    let unacked: Vec<&String> = keys.iter().filter(|(_, a)| !**a).map(|(k, _)| k).collect();
    assert!(unacked.is_empty(), "writes never acknowledged: {unacked:?}");
    let mut check = PgConnection::connect(&db.url).await.unwrap();
    let items: Vec<(String, i64)> =
        sqlx::query_as("SELECT title, count(*) FROM items WHERE title LIKE 't17 %' GROUP BY title")
            .fetch_all(&mut check)
            .await
            .unwrap();
    let items: BTreeMap<String, i64> = items.into_iter().collect();
    let expected: BTreeMap<String, i64> = keys.keys().map(|k| (format!("t17 {k}"), 1)).collect();
    assert_eq!(
        items, expected,
        "the items made are not exactly the acknowledged writes, once each"
    );
    let created: Vec<(String, i64)> = sqlx::query_as(
        "SELECT request_key, count(*) FILTER (WHERE entity_kind = 'item' AND kind = 'created') \
         FROM events WHERE request_key LIKE '%:t17-%' GROUP BY request_key",
    )
    .fetch_all(&mut check)
    .await
    .unwrap();
    let created: BTreeMap<String, i64> = created
        .into_iter()
        .map(|(key, n)| (key.split_once(':').unwrap().1.to_string(), n))
        .collect();
    let expected: BTreeMap<String, i64> = keys.keys().map(|k| (k.clone(), 1)).collect();
    assert_eq!(
        created, expected,
        "the keyed events are not one item created per acknowledged write"
    );
    check.close().await.unwrap();

    // The pool as it began: connections idle, each one a live backend; none leaked.
    assert!(
        end.settled(),
        "after recovery the pool holds connections that are busy or dead: {end:?} (before: \
         {baseline:?})"
    );
    assert!(
        end.size.abs_diff(baseline.size) <= 2,
        "the pool did not return to its size before the faults: {end:?}, before {baseline:?}"
    );
    // Closing the pool waits for every connection it lent: it finishes only if none leaked.
    tokio::time::timeout(Duration::from_secs(5), state.store.close())
        .await
        .expect("the pool closes: no connection is held outside it");
    admin.close().await.unwrap();
}

/// How long after `from` the first write was acknowledged (waiting up to 10 s for one).
async fn first_write_after(load: &Load, from: Instant) -> Option<Duration> {
    let until = from + Duration::from_secs(10);
    loop {
        let first = load
            .records
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.op == Op::Write && r.ok() && r.done >= from)
            .map(|r| r.done - from)
            .min();
        if first.is_some() || Instant::now() > until {
            return first;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
