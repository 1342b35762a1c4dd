//! `landed`: the command line over a local workspace file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use jiff::Timestamp;
use landed_app::{AppError, Ctx};
use landed_store::{AnyStore, StoreError};

mod account;
mod args;
mod checkin;
mod links;
mod out;
mod remote;
mod render;
mod report;
mod review;
mod serve;
mod via;
mod weekly;

use args::{Cli, Command};

/// mimalloc rather than the C library's allocator: a command is a fresh process whose heap
/// grows from nothing, and mimalloc reuses freed memory within a thread before asking the
/// system for more pages, and asks for transparent huge pages (half the page faults of a
/// review). `landed serve` allocates through it too. In alternating A/Bs on the 100,000-item
/// workspace: `landed review` of a 20-person team 59.0 -> 55.6 ms median, `landed item list
/// --team` 27.2 -> 22.0 ms; `landed --version` 1.9 -> 2.2 ms (see BENCHMARKS.md).
///
/// Its version 2 (the crate's `v2` feature): version 3 spread a review's heap over 66-90 MB of
/// huge pages, each cleared by the kernel when first touched (8-17% of the review's CPU, 4%
/// with version 2); review 78.7 -> 74.2 ms median on a slower machine. The server, a long-lived
/// process, loses about 3-5% of its dashboards and updates to it (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server answers on every core; a command is one task.
    let mut builder = match cli.command {
        Command::Serve { .. } => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "{} {}",
                out::paint("error:", comfy_table::Color::Red),
                message(&e)
            );
            ExitCode::FAILURE
        }
    }
}

/// One line naming the problem and the fix.
fn message(e: &anyhow::Error) -> String {
    match e.downcast_ref::<AppError>() {
        Some(app) => app.to_string(),
        None => e
            .chain()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(": "),
    }
}

/// The current time: `$LANDED_NOW` (an RFC 3339 instant, for reproducible demos and tests)
/// or the system clock.
fn clock() -> anyhow::Result<Timestamp> {
    match std::env::var("LANDED_NOW") {
        Ok(text) if !text.is_empty() => text.parse().with_context(|| {
            format!("LANDED_NOW=`{text}` is not an instant like 2026-11-23T09:00:00Z")
        }),
        _ => Ok(Timestamp::now()),
    }
}

/// The workspace file: `--db`, `$LANDED_DB`, else the XDG data directory.
fn db_path(given: Option<&Path>, file: &str) -> anyhow::Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p.to_path_buf());
    }
    use etcetera::BaseStrategy as _;
    let base = etcetera::choose_base_strategy()
        .context("cannot find your home directory; pass --db PATH")?;
    Ok(base.data_dir().join("landed").join(file))
}

/// Whether `--db` names a PostgreSQL database rather than a file.
fn is_url(path: &Path) -> bool {
    path.to_str()
        .is_some_and(|p| p.starts_with("postgres://") || p.starts_with("postgresql://"))
}

/// Open the workspace: a SQLite file (its directory made if `create`), or a `postgres://` URL.
async fn open(path: &Path, create: bool) -> anyhow::Result<AnyStore> {
    if create
        && !is_url(path)
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let target = path
        .to_str()
        .with_context(|| format!("{} is not a UTF-8 path", path.display()))?;
    Ok(AnyStore::open(target, create).await?)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let now = clock()?;
    match &cli.command {
        Command::Login {
            handle,
            password_stdin,
            token_stdin,
        } => {
            return account::login(
                cli.server.as_deref(),
                handle.as_deref(),
                *password_stdin,
                *token_stdin,
                cli.json,
            )
            .await;
        }
        Command::Logout => return account::logout(cli.json).await,
        _ => {}
    }
    if let Some(remote) = via::server(&cli)? {
        if let Some(handle) = &cli.as_ {
            let me: serde_json::Value = remote.get("me", &[]).await?;
            let me = me["handle"].as_str().unwrap_or_default();
            if handle.trim_start_matches('@') != me {
                anyhow::bail!(
                    "on {} you act as @{me}, who signed in; to act as @{}, sign in as them with \
                     `landed login` (or drop --as and LANDED_USER)",
                    remote.base(),
                    handle.trim_start_matches('@')
                );
            }
        }
        return render::command(&via::Via::Remote(remote), &cli).await;
    }
    match &cli.command {
        Command::Init { name, tz } => {
            let path = db_path(cli.db.as_deref(), "landed.db")?;
            let store = open(&path, true).await?;
            let ws = landed_app::init(&store, name, tz, now).await;
            store.close().await;
            let ws = ws?;
            if cli.json {
                return out::json(&ws);
            }
            out::print(&format!(
                "Created workspace `{}` in {}\nNext: landed person add HANDLE --name \"Full Name\"",
                ws.name,
                path.display()
            ))
        }
        Command::Demo { size, .. } => demo(&cli, *size, now).await,
        Command::Serve {
            bind,
            database,
            base_url,
            trusted_proxy,
            demo,
            remind_every,
        } => {
            let options = serve::Options {
                bind: *bind,
                database: database.as_deref(),
                base_url: base_url.as_deref(),
                trusted_proxies: trusted_proxy.clone(),
                demo: *demo,
                remind_every: *remind_every,
            };
            serve::run(&cli, options, now).await
        }
        _ => {
            let path = db_path(cli.db.as_deref(), "landed.db")?;
            let store = open(&path, false)
                .await
                .map_err(|e| match e.downcast::<StoreError>() {
                    Ok(StoreError::NoWorkspace(p)) => anyhow::anyhow!(
                        "no workspace at {p}: create one with `landed init`, or try `landed demo`"
                    ),
                    Ok(other) => other.into(),
                    Err(e) => e,
                })?;
            let result = async {
                let ctx = Ctx::new(&store, cli.as_.as_deref(), now).await?;
                render::command(&via::Via::Local(Box::new(ctx)), &cli).await
            }
            .await;
            store.close().await;
            result
        }
    }
}

/// The demo's file, emptied: its own file (made anew each time), or `--db` with `--force`.
fn fresh_demo_file(cli: &Cli) -> anyhow::Result<PathBuf> {
    let force = matches!(cli.command, Command::Demo { force: true, .. });
    let path = db_path(cli.db.as_deref(), "demo.db")?;
    let own_file = cli.db.is_none();
    if path.exists() {
        if !own_file && !force {
            anyhow::bail!(
                "{} already exists: pass --force to replace it with a demo, or choose another --db",
                path.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", path.display()));
            if p.exists() {
                std::fs::remove_file(&p)
                    .with_context(|| format!("cannot remove {}", p.display()))?;
            }
        }
    }
    Ok(path)
}

async fn demo(cli: &Cli, size: args::DemoSize, now: Timestamp) -> anyhow::Result<()> {
    let path = fresh_demo_file(cli)?;
    let store = open(&path, true).await?;
    let size = match size {
        args::DemoSize::Small => landed_app::demo::Size::Small,
        args::DemoSize::Large => landed_app::demo::Size::Large,
    };
    let made = landed_app::demo::fill(&store, size, now).await;
    let result = match made {
        Ok(made) if cli.json => out::json(&made),
        Ok(made) => {
            out::print(&format!(
                "Demo workspace in {}: {} people, {} teams, {} goals, {} items, {} dependencies.\n",
                path.display(),
                made.people,
                made.teams,
                made.goals,
                made.items,
                made.dependencies
            ))?;
            if made.goals <= 50 {
                let ctx = Ctx::new(&store, None, now).await?;
                let goals = landed_app::goals::list(&ctx, None, None).await?;
                render::goal_list(&goals)?;
            }
            out::print(&format!(
                "\nTry it (as @ana, the Platform lead):\n  export LANDED_DB={}\n  landed plan G-5        why this goal is still an aspiration\n  landed deps list       which dependencies are phantom or late\n  landed next --for ben  the one next action for @ben\n  landed history I-2     a slip and its reason\n  landed requests        what teams asked each other, answered or not\n  landed capacity --team Payments   load, and protected time that urgent work ate\n  landed goal show G-1   forecast and health, with the reasons\n  landed checkin --as ben   Ben's weekly check-in agenda\n  landed review --team Payments     the lead's weekly agenda: a missed check-in, a call for help\n  landed stats --team Payments      on-time rate, mean slip, check-in rate",
                path.display()
            ))
        }
        Err(e) => Err(e.into()),
    };
    store.close().await;
    result
}
