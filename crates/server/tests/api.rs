//! The API through a real listener on 127.0.0.1: sign-in, the authorisation matrix over every
//! documented route (T4), optimistic concurrency (T3), limits and malformed input (T8), login
//! limiting (T9), CSRF and side-effect-free GETs (T10), token hygiene (T12), health, metrics
//! and the OpenAPI document.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use jiff::{SignedDuration, Timestamp};
use landed_app::{Ctx, accounts, demo, org};
use landed_core::authz::Role;
use landed_store::{SqlStore, Store};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const NOW: &str = "2026-11-23T09:00:00Z";

struct Server {
    base: String,
    store_path: std::path::PathBuf,
    _dir: tempfile::TempDir,
    http: reqwest::Client,
    /// Tokens by actor name.
    tokens: BTreeMap<&'static str, String>,
}

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

/// The small demo, with accounts: ana (admin, Platform lead), emma (Payments lead), chloe
/// (Platform member, owns I-2), farid (Payments member), ben (viewer), dev (suspended), plus a
/// revoked and an expired token.
async fn server() -> Server {
    server_behind(Default::default()).await
}

/// The server behind the reverse proxies `proxies`.
async fn server_behind(proxies: landed_server::client::TrustedProxies) -> Server {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("api.db");
    let store = SqlStore::open(&path, true).await.unwrap();
    demo::fill(&store, demo::Size::Small, now()).await.unwrap();
    let admin = Ctx::new(&store, Some("ana"), now()).await.unwrap();
    for (handle, role, suspended) in [("ben", Some(Role::Viewer), None), ("dev", None, Some(true))]
    {
        org::edit_person(
            &admin,
            handle,
            org::PersonPatch {
                role,
                suspended,
                ..org::PersonPatch::default()
            },
        )
        .await
        .unwrap();
    }
    let mut tokens = BTreeMap::new();
    for (actor, handle) in [
        ("admin", "ana"),
        ("lead", "emma"),
        ("owner", "chloe"),
        ("other", "farid"),
        ("viewer", "ben"),
        ("suspended", "dev"),
    ] {
        let t = accounts::create_token(&admin, Some(handle), actor, None)
            .await
            .unwrap();
        tokens.insert(actor, t.token);
    }
    let revoked = accounts::create_token(&admin, Some("grace"), "revoked", None)
        .await
        .unwrap();
    accounts::revoke_token(&admin, revoked.view.id)
        .await
        .unwrap();
    tokens.insert("revoked", revoked.token);
    let long_ago = Ctx::new(&store, Some("ana"), now() - SignedDuration::from_hours(72))
        .await
        .unwrap();
    let expired = accounts::create_token(&long_ago, Some("grace"), "expired", Some(1))
        .await
        .unwrap();
    tokens.insert("expired", expired.token);
    tokens.insert("nobody", String::new());
    store
        .set_password(
            store.person_by_handle("chloe").await.unwrap().unwrap().id,
            &accounts::hash_password("chloe's long password").unwrap(),
            now(),
        )
        .await
        .unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let state = landed_server::Shared::behind(store.into(), Some(now()), None, proxies);
    tokio::spawn(landed_server::serve(listener, state));
    Server {
        base: format!("http://{addr}"),
        store_path: path,
        _dir: dir,
        http: reqwest::Client::new(),
        tokens,
    }
}

impl Server {
    async fn call(
        &self,
        actor: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        let token = &self.tokens[actor];
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        let text = resp.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, headers, value)
    }

    async fn get(&self, path: &str) -> Value {
        let (status, _, v) = self.call("admin", Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {v}");
        v
    }

    /// How many events the log holds: what a refused request must not change.
    async fn events(&self) -> usize {
        let store = SqlStore::open(&self.store_path, false).await.unwrap();
        let n = store.events().await.unwrap().len();
        store.close().await;
        n
    }

    /// Sign in as `handle` through the API and the session cookie it sets (`name=value`).
    async fn session_cookie(&self, handle: &str, password: &str) -> String {
        let resp = self
            .http
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({"handle": handle, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{handle} signs in");
        resp.headers()[reqwest::header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }
}

fn assert_problem(status: StatusCode, headers: &reqwest::header::HeaderMap, body: &Value) {
    assert!(status.is_client_error(), "{status}: {body}");
    assert_eq!(
        headers[reqwest::header::CONTENT_TYPE],
        "application/problem+json",
        "{body}"
    );
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:landed:problem:"),
        "{body}"
    );
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(!body["detail"].as_str().unwrap().is_empty());
}

/// The routes of the document, as `METHOD /path`.
fn operations(doc: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                out.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    out
}

/// Every route, and who may use it: the expected status for each actor. `V` stands for the
/// current version of the resource, read just before the call.
/// A route (`METHOD /path#argument`), its body, and the status each actor expects.
type Line = (&'static str, Option<Value>, [(&'static str, u16); 6]);

fn matrix() -> Vec<Line> {
    let all_ok = |ok: u16| {
        [
            ("admin", ok),
            ("lead", ok),
            ("owner", ok),
            ("other", ok),
            ("viewer", ok),
            ("_", 0),
        ]
    };
    vec![
        ("GET /api/v1/me", None, all_ok(200)),
        ("GET /api/v1/people", None, all_ok(200)),
        ("GET /api/v1/people/{handle}#chloe", None, all_ok(200)),
        ("GET /api/v1/teams", None, all_ok(200)),
        ("GET /api/v1/teams/{name}#Payments", None, all_ok(200)),
        ("GET /api/v1/workspace", None, all_ok(200)),
        ("GET /api/v1/milestones", None, all_ok(200)),
        ("GET /api/v1/next", None, all_ok(200)),
        (
            // New people, teams, milestones and settings: admins only.
            "POST /api/v1/people",
            Some(json!({ "handle": "matrixp", "name": "Matrix Person" })),
            [
                ("admin", 201),
                ("lead", 403),
                ("owner", 403),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            "POST /api/v1/teams",
            Some(json!({ "name": "Matrix", "lead": "farid" })),
            [
                ("admin", 201),
                ("lead", 403),
                ("owner", 403),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            "POST /api/v1/milestones",
            Some(json!({ "name": "Matrix release", "date": "2027-01-15" })),
            [
                ("admin", 201),
                ("lead", 403),
                ("owner", 403),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            "PATCH /api/v1/workspace",
            Some(json!({ "request_overdue_days": 6, "version": "V" })),
            [
                ("admin", 200),
                ("lead", 403),
                ("owner", 403),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            // Protected time of Payments: its lead (emma) and admins, not its members.
            "PATCH /api/v1/teams/{name}#Payments",
            Some(json!({ "protected_share": "10%", "version": "V" })),
            [
                ("admin", 200),
                ("lead", 200),
                ("owner", 403),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            // A captured step is the caller's own.
            "POST /api/v1/items/capture",
            Some(json!({ "line": "Matrix capture due:fri est:1h" })),
            [
                ("admin", 201),
                ("lead", 201),
                ("owner", 201),
                ("other", 201),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        ("GET /api/v1/goals", None, all_ok(200)),
        ("GET /api/v1/goals/{id}#G-1", None, all_ok(200)),
        ("GET /api/v1/items", None, all_ok(200)),
        ("GET /api/v1/items/{id}#I-2", None, all_ok(200)),
        ("GET /api/v1/tokens", None, all_ok(200)),
        (
            // Changing chloe's time zone: herself or an admin.
            "PATCH /api/v1/people/{handle}#chloe",
            Some(json!({ "tz": "Europe/Lisbon", "version": "V" })),
            [
                ("admin", 200),
                ("lead", 403),
                ("owner", 200),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            // Changing a role: admins only, not even one's own (admins go last, so farid is
            // still a member when he tries).
            "PATCH /api/v1/people/{handle}#farid",
            Some(json!({ "role": "admin", "version": "V" })),
            [
                ("admin", 200),
                ("lead", 403),
                ("owner", 403),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            // A goal for Payments: its members, its lead and admins.
            "POST /api/v1/goals",
            Some(json!({ "title": "Matrix goal", "team": "Payments" })),
            [
                ("admin", 201),
                ("lead", 201),
                ("owner", 403),
                ("other", 201),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            // G-1 is Platform's (ana's): Platform's people and admins.
            "PATCH /api/v1/goals/{id}#G-1",
            Some(json!({ "title": "Move every service to pipeline v2", "version": "V" })),
            [
                ("admin", 200),
                ("lead", 403),
                ("owner", 200),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            "POST /api/v1/goals/{id}/close#G-2",
            Some(json!({ "how": "dropped", "reason": "matrix", "version": "V" })),
            [
                ("admin", 200),
                ("lead", 403),
                ("owner", 200),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            // An item in Platform's goal G-1.
            "POST /api/v1/items",
            Some(json!({ "title": "Matrix item", "goal": "G-1" })),
            [
                ("admin", 201),
                ("lead", 403),
                ("owner", 201),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            // I-2 is chloe's, in Platform's G-1.
            "PATCH /api/v1/items/{id}#I-2",
            Some(json!({ "estimate": "5h", "version": "V" })),
            [
                ("admin", 200),
                ("lead", 403),
                ("owner", 200),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            "POST /api/v1/items/{id}/status#I-2",
            Some(json!({ "action": "done", "version": "V" })),
            [
                ("admin", 200),
                ("lead", 403),
                ("owner", 200),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            // A token for farid: himself or an admin.
            "POST /api/v1/tokens",
            Some(json!({ "name": "matrix", "person": "farid" })),
            [
                ("admin", 201),
                ("lead", 403),
                ("owner", 403),
                ("other", 201),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            // Revoking farid's "other" token (id 4): himself or an admin (each run revokes a
            // fresh one, made below).
            "DELETE /api/v1/tokens/{id}#T",
            None,
            [
                ("admin", 204),
                ("lead", 403),
                ("owner", 403),
                ("other", 204),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        ("GET /api/v1/checkins", None, all_ok(200)),
        (
            // Each person checks in for themself; viewers do not check in.
            "POST /api/v1/checkins",
            Some(json!({ "done": "the matrix" })),
            [
                ("admin", 201),
                ("lead", 201),
                ("owner", 201),
                ("other", 201),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        ("GET /api/v1/reviews?team=Platform", None, all_ok(200)),
        ("GET /api/v1/reports?team=Platform", None, all_ok(200)),
        ("GET /api/v1/stats?team=Platform", None, all_ok(200)),
        ("GET /api/v1/reminders", None, all_ok(200)),
        ("GET /api/v1/reminders/due", None, all_ok(200)),
        (
            // Sending what is due is the workspace's: admins only.
            "POST /api/v1/reminders/run",
            None,
            [
                ("admin", 200),
                ("lead", 403),
                ("owner", 403),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            // chloe's own reminder settings: herself or an admin.
            "PATCH /api/v1/reminders/settings",
            Some(json!({ "person": "chloe", "checkin_day": "thu", "email": false })),
            [
                ("admin", 200),
                ("lead", 403),
                ("owner", 200),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            // The workspace's channels: admins only.
            "PATCH /api/v1/reminders/settings",
            Some(json!({ "webhook_url": "none", "checkin_day": "fri" })),
            [
                ("admin", 200),
                ("lead", 403),
                ("owner", 403),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        ("GET /api/v1/dependencies", None, all_ok(200)),
        (
            // On behalf of chloe's I-2 (undone after each success).
            "POST /api/v1/dependencies",
            Some(json!({ "from": "I-2", "needs": "I-4" })),
            [
                ("admin", 201),
                ("lead", 403),
                ("owner", 201),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        ("GET /api/v1/requests", None, all_ok(200)),
        ("GET /api/v1/requests/{id}#R-1", None, all_ok(200)),
        (
            // Asking Mobile on behalf of chloe's I-2.
            "POST /api/v1/requests",
            Some(json!({ "team": "Mobile", "deliverable": "a matrix", "by": "+2w", "for": "I-2" })),
            [
                ("admin", 201),
                ("lead", 403),
                ("owner", 201),
                ("other", 403),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        (
            // Only the asked team (Payments: emma leads, farid is a member) answers; admins
            // are not asked. Each actor answers a fresh request.
            "POST /api/v1/requests/{id}/answer#R",
            Some(json!({ "answer": "not_yet", "note": "after the freeze", "version": "V" })),
            [
                ("admin", 403),
                ("lead", 200),
                ("owner", 403),
                ("other", 200),
                ("viewer", 403),
                ("_", 0),
            ],
        ),
        ("GET /api/v1/impact/{id}#I-2", None, all_ok(200)),
        ("GET /api/v1/capacity", None, all_ok(200)),
        ("GET /api/v1/forecast", None, all_ok(200)),
        ("GET /api/v1/history/{id}#I-2", None, all_ok(200)),
        (
            // Signing out needs a session, not a token.
            "DELETE /api/v1/session",
            None,
            [
                ("admin", 422),
                ("lead", 422),
                ("owner", 422),
                ("other", 422),
                ("viewer", 422),
                ("_", 0),
            ],
        ),
    ]
}

/// T4: every documented route × every kind of actor gets exactly the allowed outcome; refused
/// writes change nothing; suspended people, revoked and expired tokens and anonymous callers
/// get 401 everywhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorisation_matrix_over_every_route() {
    let s = server().await;
    let doc = s.get("/api/v1/openapi.json").await;
    let mut covered = BTreeSet::new();
    covered.insert("POST /api/v1/session".to_string()); // signing in: see sessions_and_csrf
    for (route, body, expected) in matrix() {
        let (op, arg) = route.split_once('#').unwrap_or((route, ""));
        covered.insert(op.split('?').next().unwrap().to_string());
        let (method, template) = op.split_once(' ').unwrap();
        let method: Method = method.parse().unwrap();
        let mut outcomes = expected.to_vec();
        outcomes.pop();
        // Admins last: what they may change then does not change who the others are.
        outcomes.rotate_left(1);
        for refused in ["suspended", "revoked", "expired", "nobody"] {
            outcomes.push((refused, 401));
        }
        for (actor, want) in outcomes {
            let arg = if arg == "T" {
                // A fresh token of farid's to revoke.
                let (st, _, t) = s
                    .call(
                        "admin",
                        Method::POST,
                        "/api/v1/tokens",
                        Some(json!({"name": "x", "person": "farid"})),
                    )
                    .await;
                assert_eq!(st, StatusCode::CREATED);
                t["id"].to_string()
            } else if arg == "R" {
                // A fresh request to Payments to answer.
                let ask = json!({"team": "Payments", "deliverable": "x", "by": "+2w"});
                let (st, _, r) = s
                    .call("admin", Method::POST, "/api/v1/requests", Some(ask))
                    .await;
                assert_eq!(st, StatusCode::CREATED, "{r}");
                r["id"].as_str().unwrap().to_string()
            } else {
                arg.to_string()
            };
            let path = template
                .replace("{id}", &arg)
                .replace("{handle}", &arg)
                .replace("{name}", &arg);
            let body = match body.clone() {
                Some(mut b) if b.get("version") == Some(&json!("V")) => {
                    let current = path
                        .trim_end_matches("/status")
                        .trim_end_matches("/close")
                        .trim_end_matches("/answer");
                    b["version"] = s.get(current).await["version"].clone();
                    Some(b)
                }
                other => other,
            };
            let before = s.events().await;
            let (status, headers, answer) = s.call(actor, method.clone(), &path, body).await;
            assert_eq!(status.as_u16(), want, "{actor} {method} {path}: {answer}");
            if !status.is_success() {
                assert_problem(status, &headers, &answer);
                assert_eq!(
                    s.events().await,
                    before,
                    "{actor} {method} {path} changed something"
                );
            }
            // Undo what a reopenable success did, so the next actor meets the same state.
            if status.is_success() && route.starts_with("POST /api/v1/items/{id}/status") {
                let v = s.get(&path.replace("/status", "")).await["version"].clone();
                let (st, _, a) = s
                    .call(
                        "admin",
                        Method::POST,
                        &path,
                        Some(json!({"action": "reopen", "version": v})),
                    )
                    .await;
                assert_eq!(st, StatusCode::OK, "{a}");
            }
            if status.is_success() && route == "POST /api/v1/dependencies" {
                undo_dependency(&s).await;
            }
            if status.is_success() && route == "PATCH /api/v1/people/{handle}#farid" {
                let v = s.get("/api/v1/people/farid").await["version"].clone();
                let demote = json!({"role": "member", "version": v});
                let (st, _, a) = s
                    .call("admin", Method::PATCH, "/api/v1/people/farid", Some(demote))
                    .await;
                assert_eq!(st, StatusCode::OK, "{a}");
            }
            if status.is_success() && route.starts_with("POST /api/v1/goals/{id}/close") {
                reopen_goal(&s, &arg).await;
            }
        }
    }
    assert_eq!(
        operations(&doc),
        covered,
        "every route in the OpenAPI document needs a line in the matrix, and every line a route"
    );
}

/// Dependencies cannot be removed through the API yet: remove I-2 → I-4 through the store.
async fn undo_dependency(s: &Server) {
    let store = SqlStore::open(&s.store_path, false).await.unwrap();
    let mut ids = Vec::new();
    for r in ["I-2", "I-4"] {
        let item = landed_app::resolve::item(&store, r.parse().unwrap())
            .await
            .unwrap();
        ids.push(item.id);
    }
    let (from, to) = (ids[0], ids[1]);
    let dep = store
        .dependencies(None)
        .await
        .unwrap()
        .into_iter()
        .find(|d| {
            d.from == landed_core::model::Node::Item(from)
                && d.to == landed_core::model::Node::Item(to)
        })
        .unwrap();
    let meta = landed_store::Meta::new(None, now(), landed_core::event::EventKind::Dropped);
    store.delete(&meta, &dep.into()).await.unwrap();
    store.close().await;
}

/// Closed goals cannot be reopened through the API yet: put G-2 back through the store.
async fn reopen_goal(s: &Server, id: &str) {
    let store = SqlStore::open(&s.store_path, false).await.unwrap();
    let ctx = Ctx::new(&store, Some("ana"), now()).await.unwrap();
    let r = landed_app::resolve::parse_ref(id, landed_core::model::RefKind::Goal).unwrap();
    let before = landed_app::resolve::goal(&store, r).await.unwrap();
    let mut after = before.clone();
    after.closed = None;
    after.close_reason = None;
    store
        .update(
            &landed_store::Meta::new(ctx.author(), now(), landed_core::event::EventKind::Reopened),
            &before.into(),
            after.into(),
        )
        .await
        .unwrap();
    store.close().await;
}

/// T3: writes need the version read; a stale one is refused and changes nothing; of two
/// concurrent writes from the same version exactly one lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_need_the_version_read() {
    let s = server().await;
    let (status, headers, item) = s
        .call("admin", Method::GET, "/api/v1/items/I-2", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers[reqwest::header::ETAG].to_str().unwrap().to_string();
    assert_eq!(etag, format!("\"I-2.{}\"", item["version"]));

    let before = s.events().await;
    let (status, h, p) = s
        .call(
            "owner",
            Method::PATCH,
            "/api/v1/items/I-2",
            Some(json!({"title": "no version"})),
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    assert_problem(status, &h, &p);
    let stale = item["version"].as_i64().unwrap() - 1;
    let (status, h, p) = s
        .call(
            "owner",
            Method::PATCH,
            "/api/v1/items/I-2",
            Some(json!({"title": "stale", "version": stale})),
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{p}");
    assert_problem(status, &h, &p);
    assert_eq!(p["type"], "urn:landed:problem:stale");
    assert_eq!(s.events().await, before);
    assert_eq!(s.get("/api/v1/items/I-2").await["title"], item["title"]);

    // If-Match with the ETag works as the version field does.
    let resp = s
        .http
        .patch(format!("{}/api/v1/items/I-2", s.base))
        .bearer_auth(&s.tokens["owner"])
        .header("If-Match", &etag)
        .json(&json!({"title": "Write the rollback runbook, reviewed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let new_etag = resp.headers()[reqwest::header::ETAG]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(new_etag, etag);

    // Two writers from the same version: exactly one lands, the other gets 412.
    let version = s.get("/api/v1/items/I-2").await["version"].clone();
    let write = |title: &'static str| {
        s.call(
            "owner",
            Method::PATCH,
            "/api/v1/items/I-2",
            Some(json!({"title": title, "version": version})),
        )
    };
    let (a, b) = tokio::join!(write("first writer"), write("second writer"));
    let mut statuses = [a.0.as_u16(), b.0.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412], "{} {}", a.2, b.2);
    let title = s.get("/api/v1/items/I-2").await["title"].clone();
    let winner = if a.0 == StatusCode::OK { &a.2 } else { &b.2 };
    assert_eq!(title, winner["title"]);
}

/// T8: malformed JSON, wrong types, unknown fields, oversized and deeply nested bodies, wrong
/// content types and bad parameters are 4xx problem documents, and change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_problems_that_change_nothing() {
    let s = server().await;
    let before = s.events().await;
    let version = s.get("/api/v1/items/I-2").await["version"].clone();
    let deep = format!("{{\"title\": {}{}}}", "[".repeat(300), "]".repeat(300));
    let huge = format!(
        "{{\"title\": \"{}\"}}",
        "a".repeat(landed_server::BODY_LIMIT + 10)
    );
    let long_title = json!({"title": "t".repeat(10_000), "version": version}).to_string();
    let cases: Vec<(Method, &str, String, &str, u16)> = vec![
        (
            Method::POST,
            "/api/v1/items",
            "{\"title\":".into(),
            "application/json",
            400,
        ),
        (
            Method::POST,
            "/api/v1/items",
            "{\"title\": 5}".into(),
            "application/json",
            422,
        ),
        (
            Method::POST,
            "/api/v1/items",
            "{\"title\": \"x\", \"colour\": 1}".into(),
            "application/json",
            422,
        ),
        (
            Method::POST,
            "/api/v1/items",
            "[]".into(),
            "application/json",
            422,
        ),
        // Nested far deeper than any field allows: refused at the first level, never recursed.
        (Method::POST, "/api/v1/items", deep, "application/json", 422),
        (Method::POST, "/api/v1/items", huge, "application/json", 413),
        (
            Method::POST,
            "/api/v1/items",
            "title=x".into(),
            "application/x-www-form-urlencoded",
            415,
        ),
        (
            Method::POST,
            "/api/v1/items",
            "{\"title\": \"x\", \"due\": \"someday\"}".into(),
            "application/json",
            422,
        ),
        (
            Method::POST,
            "/api/v1/items",
            "{\"title\": \"x\", \"owner\": \"nobody\"}".into(),
            "application/json",
            422,
        ),
        (
            Method::PATCH,
            "/api/v1/items/I-2",
            long_title,
            "application/json",
            422,
        ),
        (
            Method::PATCH,
            "/api/v1/items/I-99999",
            json!({"title": "x", "version": 1}).to_string(),
            "application/json",
            404,
        ),
        (
            Method::PATCH,
            "/api/v1/items/G-1",
            json!({"title": "x", "version": 1}).to_string(),
            "application/json",
            422,
        ),
        (
            Method::GET,
            "/api/v1/items?limit=0",
            String::new(),
            "application/json",
            422,
        ),
        (
            Method::GET,
            "/api/v1/items?limit=abc",
            String::new(),
            "application/json",
            422,
        ),
        (
            Method::GET,
            "/api/v1/items?cursor=zzz",
            String::new(),
            "application/json",
            422,
        ),
        (
            Method::GET,
            "/api/v1/items?status=lost",
            String::new(),
            "application/json",
            422,
        ),
        (
            Method::GET,
            "/api/v1/items?bogus=1",
            String::new(),
            "application/json",
            422,
        ),
        (
            Method::GET,
            "/api/v1/nothing-here",
            String::new(),
            "application/json",
            404,
        ),
    ];
    for (method, path, body, content_type, want) in cases {
        let mut req = s
            .http
            .request(method.clone(), format!("{}{path}", s.base))
            .bearer_auth(&s.tokens["admin"]);
        if !body.is_empty() {
            req = req.header("content-type", content_type).body(body.clone());
        }
        let resp = req.send().await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        let answer: Value = resp.json().await.unwrap();
        assert_eq!(
            status.as_u16(),
            want,
            "{method} {path} {}: {answer}",
            &body.chars().take(60).collect::<String>()
        );
        assert_problem(status, &headers, &answer);
    }
    assert_eq!(s.events().await, before);
}

/// Lists come a page at a time, with a cursor to the next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_page_with_cursors() {
    let s = server().await;
    let all = s.get("/api/v1/items?status=todo&limit=1000").await["items"]
        .as_array()
        .unwrap()
        .len();
    assert!(all > 3);
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = s
            .get(&format!("/api/v1/items?status=todo&limit=2{cursor}"))
            .await;
        for i in page["items"].as_array().unwrap() {
            assert_eq!(i["status"], "todo");
            seen.push(i["id"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), all);
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), all, "no item twice: {seen:?}");

    // People and teams page in bytewise order of handle and name; a cursor is a place in that
    // order, so one whose entry is gone (or never was) still gives what sorts after it.
    let handles = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["handle"].as_str().unwrap().into())
            .collect()
    };
    let everyone = handles(&s.get("/api/v1/people?limit=1000").await);
    let mut paged = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = s.get(&format!("/api/v1/people?limit=2{cursor}")).await;
        paged.extend(handles(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(paged, everyone);
    let after_b: Vec<String> = everyone
        .iter()
        .filter(|h| h.as_str() > "bz")
        .cloned()
        .collect();
    assert!(!after_b.is_empty() && after_b.len() < everyone.len());
    assert_eq!(handles(&s.get("/api/v1/people?cursor=bz").await), after_b);
    // A history pages by the events' positions in the log, oldest first.
    let seqs = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect()
    };
    let mut longest = (String::new(), Vec::new());
    for n in 1..=30 {
        let (status, _, v) = s
            .call(
                "admin",
                Method::GET,
                &format!("/api/v1/history/I-{n}?limit=1000"),
                None,
            )
            .await;
        if status == StatusCode::OK && seqs(&v).len() > longest.1.len() {
            longest = (format!("I-{n}"), seqs(&v));
        }
    }
    let (id, whole) = longest;
    assert!(whole.len() > 2 && whole.is_sorted(), "{id}: {whole:?}");
    let (mut paged, mut cursor) = (Vec::new(), String::new());
    loop {
        let page = s
            .get(&format!("/api/v1/history/{id}?limit=2{cursor}"))
            .await;
        paged.extend(seqs(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(paged, whole);
    for (path, status) in [
        ("/api/v1/people?cursor=", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/v1/teams?cursor=", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/v1/people?limit=0", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "/api/v1/milestones?limit=1001",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // Milestones come by date, so their cursor must name one.
        ("/api/v1/milestones?cursor=M-999", StatusCode::NOT_FOUND),
    ] {
        let (got, headers, answer) = s.call("admin", Method::GET, path, None).await;
        assert_eq!(got, status, "{path}: {answer}");
        assert_problem(got, &headers, &answer);
    }
}

/// T9, T10: a session signs in with a password; its writes need the CSRF token and the same
/// origin; GETs change nothing; signing out ends it; failed sign-ins are limited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_csrf_and_login_limits() {
    let s = server().await;
    let sign_in = |password: &'static str| {
        s.http
            .post(format!("{}/api/v1/session", s.base))
            .json(&json!({"handle": "chloe", "password": password}))
            .send()
    };
    let resp = sign_in("chloe's long password").await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie_header = resp.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie_header.contains("HttpOnly"));
    assert!(cookie_header.contains("SameSite=Lax"));
    let cookie = cookie_header.split(';').next().unwrap().to_string();
    let opened: Value = resp.json().await.unwrap();
    let csrf = opened["csrf_token"].as_str().unwrap().to_string();

    let before = s.events().await;
    for path in [
        "/api/v1/me",
        "/api/v1/items/I-2",
        "/api/v1/goals/G-1",
        "/api/v1/goals",
    ] {
        let r = s
            .http
            .get(format!("{}{path}", s.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    assert_eq!(s.events().await, before, "GETs changed something");

    let version = s.get("/api/v1/items/I-2").await["version"].clone();
    let patch = |csrf: Option<&str>, site: Option<&str>| {
        let mut r = s
            .http
            .patch(format!("{}/api/v1/items/I-2", s.base))
            .header("cookie", &cookie)
            .json(&json!({"estimate": "6h", "version": version}));
        if let Some(c) = csrf {
            r = r.header("x-csrf-token", c);
        }
        if let Some(site) = site {
            r = r.header("sec-fetch-site", site);
        }
        r.send()
    };
    assert_eq!(
        patch(None, None).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        patch(Some("wrong"), None).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        patch(Some(&csrf), Some("cross-site"))
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(s.events().await, before);
    assert_eq!(
        patch(Some(&csrf), Some("same-origin"))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    let out = s
        .http
        .delete(format!("{}/api/v1/session", s.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let after = s
        .http
        .get(format!("{}/api/v1/me", s.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);

    for _ in 0..accounts::MAX_FAILURES {
        assert_eq!(
            sign_in("not the password").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = sign_in("chloe's long password").await.unwrap();
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let unknown = s
        .http
        .post(format!("{}/api/v1/session", s.base))
        .json(&json!({"handle": "nobody-at-all", "password": "whatever it is"}))
        .send()
        .await
        .unwrap();
    // The address is locked too: nobody gets to guess on from it.
    assert_eq!(unknown.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// T9 behind a reverse proxy: failures count against the address a trusted proxy names in
/// `X-Forwarded-For`; from anyone else the header is ignored, so it cannot dodge the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_limits_count_the_address_a_trusted_proxy_names() {
    async fn sign_in(s: &Server, handle: &str, password: &str, from: &str) -> StatusCode {
        s.http
            .post(format!("{}/api/v1/session", s.base))
            .header("x-forwarded-for", from)
            .json(&json!({"handle": handle, "password": password}))
            .send()
            .await
            .unwrap()
            .status()
    }
    let right = "chloe's long password";
    // Behind a proxy on 127.0.0.1: one client's failures lock that client only.
    let s = server_behind("127.0.0.1".parse().unwrap()).await;
    for _ in 0..accounts::MAX_FAILURES {
        let status = sign_in(&s, "nobody-at-all", "a guess", "203.0.113.7").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        sign_in(&s, "chloe", right, "203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        sign_in(&s, "chloe", right, "198.51.100.1, 203.0.113.8").await,
        StatusCode::OK,
        "another client behind the same proxy signs in"
    );
    // Trusting nobody: a new address in the header each time changes nothing.
    let s = server().await;
    for n in 0..accounts::MAX_FAILURES {
        let from = format!("203.0.113.{n}");
        let status = sign_in(&s, "nobody-at-all", "a guess", &from).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        sign_in(&s, "chloe", right, "203.0.113.200").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// A well-formed request the rules refuse is 409, as every such refusal is: a review of a
/// week that has not begun, a team asking itself for a commitment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_requests_the_rules_refuse_are_conflicts() {
    let s = server().await;
    let ask = json!({ "team": "Platform", "deliverable": "a matrix", "by": "+2w", "for": "I-2" });
    let (status, _, body) = s
        .call("owner", Method::POST, "/api/v1/requests", Some(ask))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("asking itself"),
        "{body}"
    );
    let (status, _, body) = s
        .call(
            "admin",
            Method::GET,
            "/api/v1/reviews?team=Platform&week=2099-W01",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("has not begun"),
        "{body}"
    );
}

/// A problem's fix is told in its client's terms: endpoints for an API client, commands for
/// the landed CLI (which sends its own user agent), as it would be told without a server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_problem_tells_its_fix_in_the_clients_terms() {
    let s = server().await;
    let detail = |agent: Option<&'static str>| {
        let mut req = s
            .http
            .get(format!("{}/api/v1/reviews?team=Platfrom", s.base))
            .bearer_auth(&s.tokens["admin"]);
        if let Some(agent) = agent {
            req = req.header(reqwest::header::USER_AGENT, agent);
        }
        async move {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let body: Value = resp.json().await.unwrap();
            body["detail"].as_str().unwrap().to_string()
        }
    };
    for agent in [None, Some("curl/8.5.0")] {
        let told = detail(agent).await;
        assert!(
            told.starts_with("unknown team `Platfrom` (did you mean Platform?)"),
            "{told}"
        );
        assert!(
            told.contains("`GET /api/v1/teams`") && !told.contains("landed "),
            "{told}"
        );
    }
    let told = detail(Some("landed/0.1.0")).await;
    assert!(told.contains("`landed team list`"), "{told}");
    // A token that is not accepted: the API's client is named the endpoint, the CLI its
    // command.
    for (agent, fix) in [
        ("curl/8.5.0", "`POST /api/v1/tokens`"),
        ("landed/0.1.0", "`landed token create`"),
    ] {
        let resp = s
            .http
            .get(format!("{}/api/v1/goals", s.base))
            .bearer_auth("ldt_no-such-token")
            .header(reqwest::header::USER_AGENT, agent)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let body: Value = resp.json().await.unwrap();
        let told = body["detail"].as_str().unwrap();
        assert!(told.contains(fix), "{agent}: {told}");
    }
    // A page tells it in the page's terms.
    let cookie = s.session_cookie("chloe", "chloe's long password").await;
    let page = s
        .http
        .get(format!("{}/review?team=Platfrom", s.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    assert!(html.contains("the dashboard offers"), "{html}");
    assert!(!html.contains("landed team list") && !html.contains("/api/v1/teams"));
}

/// T12: tokens are shown once, kept only as a hash, listed without the secret, and stop
/// working when revoked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_shown_once_and_kept_hashed() {
    let s = server().await;
    let (status, _, made) = s
        .call(
            "other",
            Method::POST,
            "/api/v1/tokens",
            Some(json!({"name": "script"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = made["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("ldt_") && token.len() > 40);
    let (_, _, list) = s.call("other", Method::GET, "/api/v1/tokens", None).await;
    let listed = list.to_string();
    assert!(!listed.contains(&token[4..]), "a list shows a secret");
    let db = std::fs::read(&s.store_path).unwrap();
    let wal = std::fs::read(s.store_path.with_extension("db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "the token is stored in clear"
        );
    }
    let me = s
        .http
        .get(format!("{}/api/v1/me", s.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let id = made["id"].as_i64().unwrap();
    let (status, _, _) = s
        .call(
            "other",
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let me = s
        .http
        .get(format!("{}/api/v1/me", s.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

/// Health says the database answers; metrics count requests by route; the document is
/// OpenAPI 3.1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_the_document() {
    let s = server().await;
    let health: Value = s
        .http
        .get(format!("{}/healthz", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["database"], "ok");
    s.get("/api/v1/items/I-2").await;
    let metrics = s
        .http
        .get(format!("{}/metrics", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            "landed_http_requests_total{method=\"GET\",route=\"/api/v1/items/{id}\",status=\"200\"}"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("landed_http_request_duration_seconds"));
    let doc = s.get("/api/v1/openapi.json").await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert!(operations(&doc).contains("PATCH /api/v1/items/{id}"));
}

/// T1's retry rule: a write retried with the same Idempotency-Key (after a lost answer) is
/// answered again from what the first one wrote, and made once; the key is the caller's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retried_writes_with_a_key_happen_once() {
    let s = server().await;
    let send = |actor: &'static str,
                method: Method,
                path: &'static str,
                key: &'static str,
                body: Value| {
        s.http
            .request(method, format!("{}{path}", s.base))
            .bearer_auth(&s.tokens[actor])
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let new_item = json!({"title": "Retry me", "goal": "G-1", "owner": "chloe", "due": "+5d"});
    let first = send(
        "owner",
        Method::POST,
        "/api/v1/items",
        "k-1",
        new_item.clone(),
    )
    .await
    .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let events = s.events().await;
    let again = send(
        "owner",
        Method::POST,
        "/api/v1/items",
        "k-1",
        new_item.clone(),
    )
    .await
    .unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(s.events().await, events, "the retry wrote again");

    // Another person's key of the same name is theirs.
    let theirs = send("admin", Method::POST, "/api/v1/items", "k-1", new_item)
        .await
        .unwrap();
    assert_eq!(theirs.status(), StatusCode::CREATED);
    assert!(theirs.headers().get("idempotent-replayed").is_none());

    // A change retried with the version it was first sent with: answered, not refused as stale.
    let id = first["id"].as_str().unwrap();
    let path: &'static str = Box::leak(format!("/api/v1/items/{id}").into_boxed_str());
    let change = json!({"estimate": "3h", "version": first["version"]});
    let done = send("owner", Method::PATCH, path, "k-2", change.clone())
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let done: Value = done.json().await.unwrap();
    let retried = send("owner", Method::PATCH, path, "k-2", change)
        .await
        .unwrap();
    assert_eq!(retried.status(), StatusCode::OK);
    let retried: Value = retried.json().await.unwrap();
    assert_eq!(retried["version"], done["version"]);
    assert_eq!(retried["estimate_hours"], 3.0);

    // A check-in retried: the same answer (the items it moved included), written once.
    let checkin = json!({"items": [{"item": id, "status": "doing", "note": "on it"}]});
    let given = send(
        "owner",
        Method::POST,
        "/api/v1/checkins",
        "k-3",
        checkin.clone(),
    )
    .await
    .unwrap();
    assert_eq!(given.status(), StatusCode::CREATED);
    let given: Value = given.json().await.unwrap();
    assert_eq!(given["changed"], json!([format!("{id}: todo → doing")]));
    let events = s.events().await;
    let again = send("owner", Method::POST, "/api/v1/checkins", "k-3", checkin)
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), given);
    assert_eq!(s.events().await, events, "the retried check-in wrote again");

    let bad = send(
        "owner",
        Method::PATCH,
        path,
        "bad key with spaces",
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
