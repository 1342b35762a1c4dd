//! Server render time and weight of the web pages (BENCHMARKS.md, "The web UI"): the
//! dashboard of a 500-goal team and the dependency map of the busiest team of the 100,000-item
//! workspace, plus the other pages of a team, on SQLite.
//!
//! ```text
//! cargo bench -p landed-server --bench web -- [--runs N]
//! ```
//!
//! The workspace is `landed demo --size large` with one more team, `Big`, of 500 goals, each
//! a plan of two items. Each page is asked for through the whole application
//! (`landed_server::app`: session, middleware, use cases, store, template) in this process,
//! after three untimed runs; the time is from the request to the last byte of the body. The
//! weight is the HTML's bytes as sent (no compression), and the stylesheet's once.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt as _;
use jiff::Timestamp;
use landed_app::{Ctx, accounts, demo};
use landed_core::event::{Entity, EventKind};
use landed_core::model::{Goal, Item, ItemKind, ItemStatus, Node, When};
use landed_store::{AnyStore, Meta, Store as _};
use tower::ServiceExt as _;

fn runs() -> Result<usize, String> {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut runs = 30;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--runs takes a number")?;
            }
            other => return Err(format!("unknown option {other}; usage: [--runs N]")),
        }
    }
    Ok(runs)
}

fn main() -> ExitCode {
    let runs = match runs() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    match rt.block_on(run(runs)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(runs: usize) -> Result<(), String> {
    let dir = tempfile::Builder::new()
        .prefix("web-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .map_err(|e| e.to_string())?;
    let path = dir.path().join("web.db");
    let store = AnyStore::open(&path.display().to_string(), true)
        .await
        .map_err(|e| e.to_string())?;
    let now = Timestamp::now();
    let started = Instant::now();
    demo::fill(&store, demo::Size::Large, now)
        .await
        .map_err(|e| e.to_string())?;
    let local = Ctx::new(&store, None, now)
        .await
        .map_err(|e| e.to_string())?;
    let password = accounts::generate_password();
    accounts::create_admin(&local, "webadmin", Some("Web Admin"), &password)
        .await
        .map_err(|e| e.to_string())?;
    let admin = Ctx::new(&store, Some("webadmin"), now)
        .await
        .map_err(|e| e.to_string())?;
    // A team of 500 goals, each a plan of two items, written in two batches (through the
    // store: 1,500 writes through the use cases would each recompute the kept forecast).
    let team = landed_app::org::add_team(&admin, "Big", "webadmin", &[])
        .await
        .map_err(|e| e.to_string())?;
    let me = admin.require_actor().map_err(|e| e.to_string())?.id;
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let day = |weeks: i64| today.checked_add(jiff::Span::new().weeks(weeks)).ok();
    let meta = Meta::new(Some(me), now, EventKind::Created);
    let goals: Vec<Entity> = (0..500)
        .map(|n| {
            Entity::Goal(Goal {
                id: 0,
                num: 0,
                title: format!("Big goal {n}: a deliverable with a name"),
                outcome: Some(format!("{n} customers moved to the new flow")),
                owner: Some(me),
                target: When {
                    date: day(8),
                    milestone: None,
                },
                team: Some(team.id),
                closed: None,
                close_reason: None,
                created_at: now,
                updated_at: now,
                version: 0,
            })
        })
        .collect();
    let goals = store
        .create_batch(&meta, goals)
        .await
        .map_err(|e| e.to_string())?;
    let items: Vec<Entity> = goals
        .iter()
        .filter_map(|g| match g {
            Entity::Goal(g) => Some(g),
            _ => None,
        })
        .flat_map(|g| {
            ["Build it", "Ship it"].map(|step| {
                Entity::Item(Item {
                    id: 0,
                    num: 0,
                    title: format!("{step} for {}", g.title),
                    outcome: Some("in production".into()),
                    owner: Some(me),
                    due: When {
                        date: day(6),
                        milestone: None,
                    },
                    estimate_hours: Some(6.0),
                    status: ItemStatus::Todo,
                    status_reason: None,
                    kind: ItemKind::Strategic,
                    goal: Some(g.id),
                    actual_hours: None,
                    done_at: None,
                    created_at: now,
                    updated_at: now,
                    version: 0,
                })
            })
        })
        .collect();
    store
        .create_batch(&meta, items)
        .await
        .map_err(|e| e.to_string())?;
    let big_goal = match goals.first() {
        Some(Entity::Goal(g)) => format!("G-{}", g.num),
        _ => return Err("no goal was made".into()),
    };
    let busiest = busiest_team(&store).await?;
    let opened = accounts::sign_in(&store, "webadmin", &password, "127.0.0.1", now)
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    println!(
        "workspace made in {:.1} s; busiest team by dependencies: {busiest}",
        started.elapsed().as_secs_f64()
    );
    let state = landed_server::Shared::new(store, None, None);
    let app = landed_server::app(state.clone());
    let cookie = format!("{}={}", landed_server::auth::COOKIE, opened.cookie);
    let pages = [
        ("dashboard, 500-goal team", "/?team=Big".to_string()),
        ("dashboard, all 1,500 goals", "/".to_string()),
        (
            "dependency map, busiest team",
            format!("/dependencies?team={}", encode(&busiest)),
        ),
        ("goal page", format!("/goals/{big_goal}")),
        (
            "board, busiest team",
            format!("/board?team={}", encode(&busiest)),
        ),
        (
            "review, busiest team",
            format!("/review?team={}", encode(&busiest)),
        ),
        (
            "capacity, busiest team",
            format!("/capacity?team={}", encode(&busiest)),
        ),
    ];
    println!("| page | median ms | p90 ms | max ms | bytes sent (gzip) | HTML bytes |");
    println!("|---|---|---|---|---|---|");
    for (name, path) in &pages {
        let mut times = Vec::with_capacity(runs);
        let (mut bytes, mut sent) = (0, 0);
        for n in 0..runs + 3 {
            // As a browser asks: gzip accepted.
            let request = Request::get(path.as_str())
                .header("cookie", &cookie)
                .header("accept-encoding", "gzip")
                .body(Body::empty())
                .map_err(|e| e.to_string())?;
            let t = Instant::now();
            let response = app
                .clone()
                .oneshot(request)
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            let took = t.elapsed();
            if !status.is_success() {
                return Err(format!(
                    "{path}: {status}: {}",
                    String::from_utf8_lossy(&body)
                ));
            }
            sent = body.len();
            if n == 0 {
                // Once, unzipped: the HTML's own size.
                let plain = app
                    .clone()
                    .oneshot(
                        Request::get(path.as_str())
                            .header("cookie", &cookie)
                            .body(Body::empty())
                            .map_err(|e| e.to_string())?,
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                bytes = plain
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?
                    .to_bytes()
                    .len();
            }
            if n >= 3 {
                times.push(took);
            }
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "| {name} (`{path}`) | {:.1} | {:.1} | {:.1} | {sent} | {bytes} |",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 9 / 10]),
            ms(times[times.len() - 1]),
        );
    }
    let css = app
        .clone()
        .oneshot(
            Request::get("/static/app.css")
                .body(Body::empty())
                .map_err(|e| e.to_string())?,
        )
        .await
        .map_err(|e| e.to_string())?
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    println!("stylesheet: {} bytes, cached for an hour", css.len());
    state.store.close().await;
    Ok(())
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The team whose goals and items take part in the most dependencies.
async fn busiest_team(store: &AnyStore) -> Result<String, String> {
    use std::collections::HashMap;
    let e = |e: landed_store::StoreError| e.to_string();
    let goals = store.goals(&Default::default()).await.map_err(e)?;
    let goal_team: HashMap<i64, Option<i64>> = goals.iter().map(|g| (g.id, g.team)).collect();
    let items = store.items(&Default::default()).await.map_err(e)?;
    let item_team: HashMap<i64, Option<i64>> = items
        .iter()
        .map(|i| {
            (
                i.id,
                i.goal.and_then(|g| goal_team.get(&g).copied().flatten()),
            )
        })
        .collect();
    let team_of = |n: Node| match n {
        Node::Goal(id) => goal_team.get(&id).copied().flatten(),
        Node::Item(id) => item_team.get(&id).copied().flatten(),
    };
    let mut count: HashMap<i64, usize> = HashMap::new();
    for d in store.dependencies(None).await.map_err(e)? {
        let (a, b) = (team_of(d.from), team_of(d.to));
        for t in [a, b].into_iter().flatten() {
            *count.entry(t).or_default() += 1;
        }
        if a.is_some() && a == b {
            // One dependency inside a team counts once.
            *count.entry(a.unwrap_or_default()).or_default() -= 1;
        }
    }
    let (busiest, _) = count
        .into_iter()
        .max_by_key(|(t, n)| (*n, -t))
        .ok_or("no dependencies")?;
    store
        .team_names()
        .await
        .map_err(e)?
        .into_iter()
        .find(|(id, _)| *id == busiest)
        .map(|(_, n)| n)
        .ok_or_else(|| "the busiest team has no name".to_string())
}
