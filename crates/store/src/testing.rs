//! Throwaway PostgreSQL databases for tests of every crate: each test gets a fresh database,
//! dropped when the handle is dropped (also when the test fails).
//!
//! PostgreSQL is found at `$LANDED_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), as a user allowed to create databases.
//! Without one, [`PgDb::create`] says so on stderr and gives `None` (the test skips), unless
//! `LANDED_REQUIRE_PG=1` (CI), where it panics.

use std::io::Write as _;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::Connection as _;
use sqlx::postgres::PgConnection;

/// Where a PostgreSQL server is, as a user that may create databases.
pub fn admin_url() -> String {
    std::env::var("LANDED_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Whether PostgreSQL answers, asked once per process.
async fn reachable() -> Result<(), String> {
    static REACHABLE: OnceLock<Result<(), String>> = OnceLock::new();
    if let Some(known) = REACHABLE.get() {
        return known.clone();
    }
    let found = match PgConnection::connect(&admin_url()).await {
        Ok(conn) => {
            let _ = conn.close().await;
            Ok(())
        }
        Err(e) => Err(format!("PostgreSQL is unreachable at {}: {e}", admin_url())),
    };
    REACHABLE.get_or_init(|| found).clone()
}

/// A database of one test's own.
pub struct PgDb {
    pub name: String,
    /// Its URL, for `PgStore::connect` or `AnyStore::open`.
    pub url: String,
}

impl PgDb {
    /// A fresh database for `test`, or `None` (after saying so) when PostgreSQL is not there
    /// and not required.
    pub async fn create(test: &str) -> Option<PgDb> {
        if let Err(why) = reachable().await {
            if std::env::var("LANDED_REQUIRE_PG").as_deref() == Ok("1") {
                panic!(
                    "{test}: {why}, and LANDED_REQUIRE_PG=1; start PostgreSQL or point \
                     LANDED_TEST_PG_URL at one"
                );
            }
            // Straight to stderr: the harness hides the output of passing tests, and a skip
            // must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "skipping {test} on PostgreSQL: {why}; set LANDED_TEST_PG_URL to run it"
            );
            return None;
        }
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "landed_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = PgConnection::connect(&admin_url())
            .await
            .expect("PostgreSQL answered a moment ago");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .expect("the test user may create databases");
        let _ = admin.close().await;
        let url = with_database(&admin_url(), &name);
        Some(PgDb { name, url })
    }

    /// A store on this database (its migrations run on connecting).
    pub async fn store(&self) -> crate::PgStore {
        crate::PgStore::connect(&self.url)
            .await
            .expect("a fresh database connects")
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        // Drop may run inside a test's runtime, which cannot be blocked on: drop the database
        // from a thread of its own.
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let mut admin = PgConnection::connect(&admin_url()).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await?;
                admin.close().await?;
                Ok::<(), sqlx::Error>(())
            })
            .map_err(std::io::Error::other)
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            let _ = writeln!(
                std::io::stderr(),
                "could not drop the test database {}: {dropped:?}",
                self.name
            );
        }
    }
}
