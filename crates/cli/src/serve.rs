//! `landed serve`: open the database, make sure it can be signed in to, and run the server.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use jiff::Timestamp;
use landed_app::{Ctx, accounts};
use landed_store::{AnyStore, Store, StoreError};

use crate::args::Cli;

/// What `landed serve` was given.
pub struct Options<'a> {
    pub bind: SocketAddr,
    pub database: Option<&'a str>,
    pub base_url: Option<&'a str>,
    pub trusted_proxies: landed_server::client::TrustedProxies,
    pub demo: bool,
    /// How often to send due reminders; zero: never.
    pub remind_every: std::time::Duration,
}

pub async fn run(cli: &Cli, o: Options<'_>, now: Timestamp) -> anyhow::Result<()> {
    init_logs();
    let clock = std::env::var("LANDED_NOW")
        .ok()
        .filter(|t| !t.is_empty())
        .map(|_| now);
    let (store, path, signin) = if o.demo {
        let path = crate::fresh_demo_file(cli)?;
        let store = crate::open(&path, true).await?;
        landed_app::demo::fill(&store, landed_app::demo::Size::Small, now).await?;
        let signin = demo_sign_in(&store, now).await?;
        (store, path, Some(signin))
    } else {
        let path = database_path(cli, o.database)?;
        let store = crate::open(&path, false).await.map_err(|e| match e.downcast::<StoreError>() {
            Ok(StoreError::NoWorkspace(p)) => anyhow::anyhow!(
                "no workspace at {p}: create one with `landed init` (then `landed admin create`), \
                 or try `landed serve --demo`"
            ),
            Ok(other) => other.into(),
            Err(e) => e,
        })?;
        (store, path, None)
    };
    let admins = store
        .people()
        .await?
        .into_iter()
        .filter(|p| p.role == landed_core::authz::Role::Admin && !p.suspended)
        .count();
    let listener = tokio::net::TcpListener::bind(o.bind)
        .await
        .with_context(|| format!("cannot listen on {}", o.bind))?;
    let addr = listener.local_addr()?;
    let mut text = format!(
        "landed serves {} at http://{addr}\n  Open http://{addr}/ in a browser for the dashboard\n  API: http://{addr}/api/v1 (described at /api/v1/openapi.json), health: /healthz, metrics: /metrics",
        redacted(&path.display().to_string())
    );
    if let Some((handle, password, token)) = &signin {
        text.push_str(&format!(
            "\n  Sign in as @{handle} (admin) with the password {password}\n  or call the API with a token:\n    curl -H \"Authorization: Bearer {token}\" http://{addr}/api/v1/goals"
        ));
    } else if admins == 0 {
        text.push_str(
            "\n  Nobody can sign in yet: create the first admin on this machine with\n    landed admin create HANDLE --name \"Full Name\"",
        );
    }
    eprintln!("{text}");
    let state = landed_server::Shared::behind(
        store,
        clock,
        o.base_url.map(str::to_string),
        o.trusted_proxies,
    );
    let reminders = (!o.remind_every.is_zero())
        .then(|| tokio::spawn(remind_loop(state.clone(), o.remind_every)));
    let result = landed_server::serve(listener, state.clone()).await;
    if let Some(job) = reminders {
        job.abort();
    }
    state.store.close().await;
    result
}

/// The database from `--database` (`postgres://…`, `sqlite://PATH` or a path), else `--db`.
fn database_path(cli: &Cli, database: Option<&str>) -> anyhow::Result<PathBuf> {
    match database {
        Some(url) => Ok(PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url))),
        None => crate::db_path(cli.db.as_deref(), "landed.db"),
    }
}

/// Send due reminders every `every`, as `landed remind` does. Each reminder is recorded once
/// and claimed before it is sent (see `landed_app::remind`), so any number of servers can run
/// this on one database and none is sent twice; a failure is logged and retried next time.
async fn remind_loop(state: landed_server::AppState, every: std::time::Duration) {
    let smtp = std::env::var("LANDED_SMTP_URL").ok();
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let run = async {
            let ctx = Ctx::new(&state.store, None, state.now()).await?;
            landed_app::remind::run(&ctx, false, smtp.as_deref()).await
        };
        match run.await {
            Ok(r) => tracing::info!(
                recorded = r.recorded,
                sent = r.sent.len(),
                pending = r.pending,
                dead = r.dead,
                "reminders"
            ),
            Err(e) => tracing::warn!(error = %e, "reminders failed; retrying at the next run"),
        }
    }
}

/// A database URL without its password, for printing.
fn redacted(target: &str) -> String {
    let Some((scheme, rest)) = target.split_once("://") else {
        return target.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{name}:***@{host}")
        }
        _ => target.to_string(),
    }
}

/// The demo's admin (its first person) gets a fresh password and a token, printed once.
async fn demo_sign_in(
    store: &AnyStore,
    now: Timestamp,
) -> anyhow::Result<(String, String, String)> {
    let admin = store
        .people()
        .await?
        .into_iter()
        .find(|p| p.role == landed_core::authz::Role::Admin)
        .context("the demo has no admin")?;
    let password = accounts::generate_password();
    store
        .set_password(admin.id, &accounts::hash_password(&password)?, now)
        .await?;
    let ctx = Ctx::new(store, Some(&admin.handle), now).await?;
    let token = accounts::create_token(&ctx, None, "demo", None).await?;
    Ok((admin.handle, password, token.token))
}

/// JSON lines on standard error; the level from `LANDED_LOG` (default `info`).
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LANDED_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(
            super::redacted("postgres://app:s3cret@db:5432/landed"),
            "postgres://app:***@db:5432/landed"
        );
        assert_eq!(
            super::redacted("postgres://db/landed"),
            "postgres://db/landed"
        );
        assert_eq!(super::redacted("/var/lib/landed.db"), "/var/lib/landed.db");
    }
}
