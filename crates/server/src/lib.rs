//! `landed serve`: the JSON API (`/api/v1`) over the same use cases as the command line, with
//! sign-in, roles, problem documents, optimistic concurrency, health and metrics (DESIGN §8–§10).
//!
//! Handlers are thin: they read the request, build a [`landed_app::Ctx`] for the signed-in
//! caller (which authorises every write, see `landed_app::access`), call the use case and shape
//! the answer. Every API route is registered through utoipa's router, so the OpenAPI document
//! at `/api/v1/openapi.json` lists exactly the routes served.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;

pub mod api;
pub mod auth;
pub mod client;
pub mod problem;
pub mod web;

use problem::{ApiError, Kind};

/// The store the server runs on.
pub type Db = landed_store::AnyStore;

/// Request bodies larger than this are refused (413).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// A request that takes longer than this is answered 503 (the work it started still finishes
/// or rolls back as one transaction).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What every handler shares.
pub struct Shared {
    pub store: Db,
    /// A fixed clock (`LANDED_NOW`, for tests and demos), else the system's.
    pub clock: Option<Timestamp>,
    /// The public address (`LANDED_BASE_URL`), for the origin check of cookie writes.
    pub base_url: Option<String>,
    pub metrics: PrometheusHandle,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`LANDED_TRUSTED_PROXIES`).
    pub trusted_proxies: client::TrustedProxies,
    /// Signed-in callers seen, kept while the directory is unchanged.
    pub callers: landed_app::callers::Callers,
    /// Goal lists (team dashboards) kept between writes.
    pub goal_lists: landed_app::goals::KeptLists,
}

impl Shared {
    pub fn now(&self) -> Timestamp {
        self.clock.unwrap_or_else(Timestamp::now)
    }
}

pub type AppState = Arc<Shared>;

/// The Prometheus recorder is process-wide: installed once, shared by every server.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may be installed already (a test harness): then metrics are
            // recorded there and this handle renders an empty page.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

impl Shared {
    pub fn new(store: Db, clock: Option<Timestamp>, base_url: Option<String>) -> AppState {
        Shared::behind(store, clock, base_url, client::TrustedProxies::default())
    }

    /// As [`Shared::new`], behind the reverse proxies `trusted_proxies`.
    pub fn behind(
        store: Db,
        clock: Option<Timestamp>,
        base_url: Option<String>,
        trusted_proxies: client::TrustedProxies,
    ) -> AppState {
        Arc::new(Shared {
            store,
            clock,
            base_url,
            metrics: metrics_handle(),
            trusted_proxies,
            callers: landed_app::callers::Callers::new(),
            goal_lists: landed_app::goals::KeptLists::new(),
        })
    }
}

/// The OpenAPI document's header; paths come from the handlers.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "landed",
        description = "Tells an aspiration from a plan and keeps cross-team commitments honest. \
            Sign in with an API token (`landed token create`) as `Authorization: Bearer ldt_…`. \
            Errors are application/problem+json with a stable `type`. Writes to existing \
            resources need `If-Match` with the ETag (or a `version` field) and answer 412 when \
            it is stale.",
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole application: the API with its document, health and metrics.
pub fn app(state: AppState) -> Router {
    let (api, mut doc) = api_router().split_for_parts();
    api::formats::constrain(&mut doc);
    let doc = Arc::new(doc);
    Router::new()
        .merge(api)
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .merge(web::routes())
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_page))
        .fallback(not_found)
        .layer(middleware::from_fn(problem::for_client))
        .layer(middleware::from_fn(track))
        .layer(middleware::from_fn(time_limit))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// The API routes with their OpenAPI description.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(api::routes())
}

/// The OpenAPI document, as served.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api_router().into_openapi();
    api::formats::constrain(&mut doc);
    doc
}

async fn not_found() -> ApiError {
    ApiError::new(
        Kind::NotFound,
        "no such route; the API is described at /api/v1/openapi.json",
    )
}

/// How long `/healthz` waits for the database: a probe must be answered in time even when the
/// database does not answer at all (a partition rather than a refusal).
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness and readiness in one: the process answers and the database does. When the
/// database does not, 503 (with `Retry-After`), so that a load balancer stops sending traffic
/// that could only be answered 503 (RELIABILITY T17).
async fn healthz(State(state): State<AppState>) -> Response {
    let checked =
        tokio::time::timeout(HEALTH_TIMEOUT, landed_store::Store::workspace(&state.store)).await;
    let why = match checked {
        Ok(Ok(_)) => {
            return (
                [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
                axum::Json(serde_json::json!({ "status": "ok", "database": "ok" })),
            )
                .into_response();
        }
        // The driver's message may name hosts and users: it goes to the log, not to an
        // unauthenticated caller.
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: the database query failed");
            "the health query failed; the cause is logged".to_string()
        }
        Err(_) => format!("it did not answer within {} s", HEALTH_TIMEOUT.as_secs()),
    };
    let mut response = ApiError::new(
        Kind::Unavailable,
        format!("the database is down: {why}; API requests are answered 503 until it is back"),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn metrics_page(State(state): State<AppState>) -> Response {
    let pool = state.store.pool_stats();
    metrics::gauge!("landed_db_pool_connections").set(pool.0 as f64);
    metrics::gauge!("landed_db_pool_idle").set(pool.1 as f64);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Count requests and time them, by route (the matched pattern, never the raw path, so ids do
/// not explode the label set) and status.
async fn track(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let seconds = start.elapsed().as_secs_f64();
    metrics::counter!("landed_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.clone())
        .increment(1);
    metrics::histogram!("landed_http_request_duration_seconds", "method" => method.clone(), "route" => route.clone())
        .record(seconds);
    tracing::info!(method, route, status, latency_ms = seconds * 1e3, "request");
    response
}

async fn time_limit(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            Kind::Unavailable,
            "the request took too long; try again, or ask for less",
        )
        .into_response(),
    }
}

/// Serve on `listener` until SIGINT or SIGTERM; requests under way finish first.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> anyhow::Result<()> {
    let app = app(state.clone());
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    Ok(())
}

async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests under way");
}
