//! The server under load: a closed-loop load generator on loopback against a 100,000-item
//! workspace (`landed demo --size large`), on SQLite and on PostgreSQL, and against a
//! hello-world axum server on the same runtime as the ceiling (BENCHMARKS.md, "The server
//! under load").
//!
//! ```text
//! cargo bench -p landed-server --bench load -- [--db sqlite|postgres|both] [--requests N]
//!     [--seconds S] [--connections C] [--client-threads T] [--warmup N]
//!     [--only hello,get,patch,dashboard]
//! ```
//!
//! The server runs in this process exactly as `landed serve` builds it (`landed_server::app`
//! on a multi-thread tokio runtime with a worker per core, allocating through mimalloc); the
//! client runs on a tokio runtime of its own on `T` threads (default 1), holding `C`
//! keep-alive HTTP/1.1 connections (raw `hyper::client::conn::http1`, no pool), each sending
//! its next request as soon as the previous answer is read. Every scenario is bounded by count and by time, whichever comes
//! first, after an untimed warm-up. A latency is from just before the request is sent to the
//! last byte of the answer. Any answer other than 200 (or a failed connection) is counted,
//! reported, and makes the run exit non-zero.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use axum::routing::get;
use jiff::Timestamp;
use landed_app::{Ctx, accounts, demo};
use landed_store::testing::PgDb;
use landed_store::{AnyStore, Store as _};

// The generator itself; beside this file rather than as `benches/client.rs`, which cargo would
// take for a bench of its own.
#[path = "load/client.rs"]
mod client;

use client::{Measured, Scenario, Target, drive};

/// The allocator of the `landed` binary, whose `serve` this measures.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Items in the workspace: `demo::Size::Large`, ids I-1 to I-100000.
const ITEMS: u64 = 100_000;
#[derive(Debug, Clone)]
struct Options {
    dbs: Vec<Backend>,
    requests: u64,
    seconds: f64,
    connections: usize,
    client_threads: usize,
    warmup: u64,
    only: Vec<Scenario>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

fn usage() -> String {
    "usage: cargo bench -p landed-server --bench load -- [--db sqlite|postgres|both] \
     [--requests N] [--seconds S] [--connections C] [--client-threads T] [--warmup N] \
     [--only hello,get,patch,dashboard]"
        .to_string()
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        dbs: vec![Backend::Sqlite, Backend::Postgres],
        requests: 50_000,
        seconds: 10.0,
        connections: 16,
        client_threads: 1,
        warmup: 1_000,
        only: Scenario::ALL.to_vec(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        // `cargo bench` passes `--bench` to every bench binary.
        if arg == "--bench" {
            continue;
        }
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--db" => {
                o.dbs = match value()?.as_str() {
                    "sqlite" => vec![Backend::Sqlite],
                    "postgres" => vec![Backend::Postgres],
                    "both" => vec![Backend::Sqlite, Backend::Postgres],
                    other => return Err(format!("--db `{other}` is not sqlite, postgres or both")),
                }
            }
            "--requests" => o.requests = number(&arg, &value()?)?,
            "--seconds" => o.seconds = number(&arg, &value()?)?,
            "--connections" => o.connections = number(&arg, &value()?)?,
            "--client-threads" => o.client_threads = number(&arg, &value()?)?,
            "--warmup" => o.warmup = number(&arg, &value()?)?,
            "--only" => {
                o.only = value()?
                    .split(',')
                    .map(|k| {
                        Scenario::ALL
                            .into_iter()
                            .find(|s| s.key() == k.trim())
                            .ok_or_else(|| format!("--only: no scenario `{k}`"))
                    })
                    .collect::<Result<_, _>>()?
            }
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown argument `{other}`\n{}", usage())),
        }
    }
    if o.requests == 0 || o.seconds <= 0.0 || o.connections == 0 || o.client_threads == 0 {
        return Err(
            "--requests, --seconds, --connections and --client-threads must be above zero".into(),
        );
    }
    Ok(o)
}

fn number<T: std::str::FromStr>(arg: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{arg} `{text}` is not a number"))
}

fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    // As `landed serve`: multi-thread, a worker per core.
    let server = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the server's runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut client = match o.client_threads {
        1 => tokio::runtime::Builder::new_current_thread(),
        n => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(n);
            b
        }
    };
    let client = match client.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the client's runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "load: {} requests or {} s per scenario (whichever first), {} connections from {} \
         client thread(s), warm-up {} requests; {} cores",
        o.requests,
        o.seconds,
        o.connections,
        o.client_threads,
        o.warmup,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut results = Vec::new();
    let mut failed = false;
    if o.only.contains(&Scenario::Hello) {
        match hello_world(&server, &client, &o) {
            Ok(r) => results.push(("hello world".to_string(), r)),
            Err(e) => {
                eprintln!("hello world: {e}");
                failed = true;
            }
        }
    }
    let store_scenarios: Vec<Scenario> = o
        .only
        .iter()
        .copied()
        .filter(|s| *s != Scenario::Hello)
        .collect();
    if !store_scenarios.is_empty() {
        for backend in &o.dbs {
            match workspace_run(*backend, &server, &client, &o, &store_scenarios) {
                Ok(rs) => results.extend(rs.into_iter().map(|r| (backend.name().to_string(), r))),
                Err(e) => {
                    eprintln!("{}: {e}", backend.name());
                    failed = true;
                }
            }
        }
    }
    println!();
    println!(
        "{:<11} {:<44} {:>8} {:>7} {:>9} {:>7} {:>7} {:>7} {:>7} {:>8} {:>7}",
        "server",
        "scenario",
        "requests",
        "s",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "CPU µs/r",
        "not 200"
    );
    for (server, r) in &results {
        println!("{:<11} {}", server, r.row());
        failed |= r.bad() > 0;
    }
    if failed {
        eprintln!("load: FAILED (an answer other than 200, or a setup error; see above)");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The ceiling: one route with a short body, on the same runtime, served the same way.
fn hello_world(
    server: &tokio::runtime::Runtime,
    client: &tokio::runtime::Runtime,
    o: &Options,
) -> Result<Measured, String> {
    let app = axum::Router::new().route("/hello", get(|| async { "hello, world\n" }));
    let (addr, stop) = server.block_on(listen(app))?;
    let target = Target {
        addr,
        token: None,
        teams: Vec::new(),
    };
    let r = client.block_on(drive(Scenario::Hello, Arc::new(target), o));
    let _ = stop.send(());
    let r = r?;
    println!("{}", r.report("hello world"));
    Ok(r)
}

/// Start `app` on 127.0.0.1 on the current runtime, as `landed_server::serve` does (without its
/// signal handling); sending on the returned channel stops it.
async fn listen(
    app: axum::Router,
) -> Result<(SocketAddr, tokio::sync::oneshot::Sender<()>), String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await;
        if let Err(e) = served {
            eprintln!("the server stopped: {e}");
        }
    });
    Ok((addr, stop))
}

/// Make the 100,000-item workspace on `backend`, serve it, and run `scenarios` against it.
fn workspace_run(
    backend: Backend,
    server: &tokio::runtime::Runtime,
    client: &tokio::runtime::Runtime,
    o: &Options,
    scenarios: &[Scenario],
) -> Result<Vec<Measured>, String> {
    // Both live until the end of the run: the SQLite file in the target's tmp directory (a real
    // disk, so `synchronous=FULL` pays its fsyncs), the PostgreSQL database dropped with `pg`.
    let dir = tempfile::Builder::new()
        .prefix("load-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .map_err(|e| format!("cannot make a directory for the database: {e}"))?;
    let mut pg = None;
    let target = match backend {
        Backend::Sqlite => dir.path().join("load.db").display().to_string(),
        Backend::Postgres => {
            let db = server
                .block_on(PgDb::create("load"))
                .ok_or("PostgreSQL is not there (see above)")?;
            let url = db.url.clone();
            pg = Some(db);
            url
        }
    };
    let now = Timestamp::now();
    let started = Instant::now();
    let (state, token, teams) = server.block_on(async {
        let store = AnyStore::open(&target, true)
            .await
            .map_err(|e| format!("cannot open {target}: {e}"))?;
        let made = demo::fill(&store, demo::Size::Large, now)
            .await
            .map_err(|e| format!("cannot make the workspace: {e}"))?;
        if made.items as u64 != ITEMS {
            return Err(format!("the demo made {} items, not {ITEMS}", made.items));
        }
        // The large demo has no accounts: an admin is made as `landed admin create` does.
        let local = Ctx::new(&store, None, now)
            .await
            .map_err(|e| e.to_string())?;
        let password = accounts::generate_password();
        accounts::create_admin(&local, "loadadmin", Some("Load Admin"), &password)
            .await
            .map_err(|e| format!("cannot make an admin: {e}"))?;
        let ctx = Ctx::new(&store, Some("loadadmin"), now)
            .await
            .map_err(|e| e.to_string())?;
        let token = accounts::create_token(&ctx, None, "load", None)
            .await
            .map_err(|e| e.to_string())?
            .token;
        let teams: Vec<String> = store
            .teams()
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|t| t.name)
            .collect();
        if let AnyStore::Sqlite(s) = &store {
            let (journal, sync) = s.durability().await.map_err(|e| e.to_string())?;
            println!("SQLite at {target}: journal_mode={journal}, synchronous={sync} (2 = FULL)");
        }
        // As `landed serve`: the system clock, no base URL.
        let state = landed_server::Shared::new(store, None, None);
        Ok::<_, String>((state, token, teams))
    })?;
    println!(
        "{}: 100,000-item workspace made in {:.1} s ({} teams)",
        backend.name(),
        started.elapsed().as_secs_f64(),
        teams.len()
    );
    let (addr, stop) = server.block_on(listen(landed_server::app(state.clone())))?;
    let target = Arc::new(Target {
        addr,
        token: Some(format!("Bearer {token}")),
        teams,
    });
    let mut results = Vec::new();
    let mut error = None;
    for s in scenarios {
        match client.block_on(drive(*s, target.clone(), o)) {
            Ok(r) => {
                println!("{}", r.report(backend.name()));
                results.push(r);
            }
            Err(e) => {
                error = Some(format!("{}: {e}", s.label()));
                break;
            }
        }
    }
    let _ = stop.send(());
    server.block_on(state.store.close());
    drop(pg);
    drop(dir);
    match error {
        Some(e) => Err(e),
        None => Ok(results),
    }
}
