//! DESIGN §10: several `landed serve` processes on one PostgreSQL. A write through one server
//! is read through the other, and two conflicting writes from the same version, one through
//! each, end with exactly one success and one 412 (T3 across servers). A token revoked through
//! one is refused by the other at once, and a goal list kept by one shows a write through the
//! other.

use std::net::SocketAddr;

use jiff::Timestamp;
use landed_app::{Ctx, accounts, demo};
use landed_store::testing::PgDb;
use landed_store::{AnyStore, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};

const NOW: &str = "2026-11-23T09:00:00Z";

/// A server over its own connection pool to `url`, on a port of its own.
async fn start(url: &str) -> String {
    let store = AnyStore::open(url, false).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let state = landed_server::Shared::new(store, Some(NOW.parse().unwrap()), None);
    tokio::spawn(landed_server::serve(listener, state));
    format!("http://{addr}/api/v1")
}

/// The JSON answer to a request.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(db) = PgDb::create("two_servers_on_one_postgres").await else {
        return;
    };
    let now: Timestamp = NOW.parse().unwrap();
    let token = {
        let store = AnyStore::open(&db.url, false).await.unwrap();
        demo::fill(&store, demo::Size::Small, now).await.unwrap();
        let ctx = Ctx::new(&store, Some("chloe"), now).await.unwrap();
        let t = accounts::create_token(&ctx, None, "two servers", None)
            .await
            .unwrap()
            .token;
        store.close().await;
        t
    };
    let (a, b) = (start(&db.url).await, start(&db.url).await);
    let http = reqwest::Client::new();
    let get = |base: &str| {
        http.get(format!("{base}/items/I-2"))
            .bearer_auth(&token)
            .send()
    };
    let patch = |base: &str, body: Value| {
        http.patch(format!("{base}/items/I-2"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };

    // Written through A, read through B.
    let read: Value = get(&a).await.unwrap().json().await.unwrap();
    let written = patch(
        &a,
        json!({"title": "Runbook, via A", "version": read["version"]}),
    )
    .await
    .unwrap();
    assert_eq!(written.status(), StatusCode::OK);
    let seen: Value = get(&b).await.unwrap().json().await.unwrap();
    assert_eq!(seen["title"], "Runbook, via A");
    assert_eq!(seen["version"], read["version"].as_i64().unwrap() + 1);

    // The same version written through both at once: one lands, one is stale.
    for round in 0..5 {
        let v = get(&b).await.unwrap().json::<Value>().await.unwrap()["version"].clone();
        let (x, y) = tokio::join!(
            patch(&a, json!({"title": format!("A{round}"), "version": v})),
            patch(&b, json!({"title": format!("B{round}"), "version": v})),
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        let mut statuses = [x.status().as_u16(), y.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 412], "round {round}");
        let winner = if x.status() == StatusCode::OK {
            "A"
        } else {
            "B"
        };
        let now_a: Value = get(&a).await.unwrap().json().await.unwrap();
        assert_eq!(now_a["title"], format!("{winner}{round}"));
        assert_eq!(now_a["version"], v.as_i64().unwrap() + 1);
    }

    // B keeps its goal list between writes; a write through A is in B's next answer.
    let goals = |base: &str| {
        http.get(format!("{base}/goals?limit=500"))
            .bearer_auth(&token)
            .send()
    };
    let title_of_g1 = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == "G-1")
            .map(|g| g["title"].clone())
    };
    let listed: Value = goals(&b).await.unwrap().json().await.unwrap();
    assert!(title_of_g1(&listed).is_some());
    let g1 = json_of(http.get(format!("{a}/goals/G-1")).bearer_auth(&token)).await;
    let renamed = http
        .patch(format!("{a}/goals/G-1"))
        .bearer_auth(&token)
        .json(&json!({"title": "Renamed via A", "version": g1["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);
    let listed: Value = goals(&b).await.unwrap().json().await.unwrap();
    assert_eq!(title_of_g1(&listed), Some(json!("Renamed via A")));

    // A token revoked through A is refused by B's next request, though B kept its caller.
    let made = json_of(
        http.post(format!("{a}/tokens"))
            .bearer_auth(&token)
            .json(&json!({"name": "second"})),
    )
    .await;
    let second = made["token"].as_str().unwrap();
    let get_with =
        |base: &str, t: &str| http.get(format!("{base}/items/I-2")).bearer_auth(t).send();
    assert_eq!(get_with(&b, second).await.unwrap().status(), StatusCode::OK);
    let revoked = http
        .delete(format!("{a}/tokens/{}", made["id"]))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success(), "{}", revoked.status());
    assert_eq!(
        get_with(&b, second).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(get_with(&b, &token).await.unwrap().status(), StatusCode::OK);

    // Every change is one event, whichever server made it.
    let store = AnyStore::open(&db.url, false).await.unwrap();
    let item = store.item(2).await.unwrap().unwrap();
    let history = store
        .history(landed_core::event::EntityKind::Item, item.id)
        .await
        .unwrap();
    assert_eq!(history.len() as i64, item.version);
    store.close().await;
}
