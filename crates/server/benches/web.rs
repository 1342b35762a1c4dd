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
use landed_app::{Ctx, accounts, demo, goals, items};
use landed_core::model::Node;
use landed_store::{AnyStore, Store as _};
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
    // A team of 500 goals, each a plan of two items.
    landed_app::org::add_team(&admin, "Big", "webadmin", &[])
        .await
        .map_err(|e| e.to_string())?;
    for n in 0..500 {
        let g = goals::add(
            &admin,
            goals::GoalInput {
                title: format!("Big goal {n}: a deliverable with a name"),
                outcome: Some(format!("{n} customers moved to the new flow")),
                owner: Some("webadmin".into()),
                by: Some("+8w".into()),
                milestone: None,
                team: Some("Big".into()),
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        for step in ["Build it", "Ship it"] {
            items::add(
                &admin,
                items::ItemInput {
                    title: format!("{step} for goal {n}"),
                    outcome: Some("in production".into()),
                    owner: Some("webadmin".into()),
                    due: Some("+6w".into()),
                    milestone: None,
                    estimate: Some("6h".into()),
                    goal: Some(g.id.clone()),
                    kind: None,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
        }
    }
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
    let big_goal = "G-1001";
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
    println!("| page | median ms | p90 ms | max ms | HTML bytes |");
    println!("|---|---|---|---|---|");
    for (name, path) in &pages {
        let mut times = Vec::with_capacity(runs);
        let mut bytes = 0;
        for n in 0..runs + 3 {
            let request = Request::get(path.as_str())
                .header("cookie", &cookie)
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
            bytes = body.len();
            if n >= 3 {
                times.push(took);
            }
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "| {name} (`{path}`) | {:.1} | {:.1} | {:.1} | {bytes} |",
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
