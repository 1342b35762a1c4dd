//! Signed-in callers kept in memory (`landed_app::callers`): served from memory while the
//! directory's stamp stands, read again as soon as anyone changes the directory, and never
//! kept past their token's or session's expiry.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use landed_app::accounts::{self, Refused};
use landed_app::callers::{Callers, Signed};
use landed_app::org::{self, NewPerson, PersonPatch, TeamPatch, WorkspacePatch};
use landed_app::{Ctx, init};
use landed_core::authz::Role;
use landed_store::{SqlStore, Store};

const NOW: &str = "2026-03-02T09:00:00Z";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

fn later(seconds: i64) -> Timestamp {
    now() + SignedDuration::from_secs(seconds)
}

/// A workspace file with an admin (ana) and a member (ben) with a token valid for a day.
struct World {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    store: SqlStore,
    token: String,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let store = SqlStore::open(&path, true).await.unwrap();
    init(&store, "Acme", "Europe/Berlin", now()).await.unwrap();
    let ctx = Ctx::new(&store, None, now()).await.unwrap();
    for (handle, role) in [("ana", Role::Admin), ("ben", Role::Member)] {
        org::add_person(
            &ctx,
            NewPerson {
                handle: handle.into(),
                name: handle.into(),
                role: Some(role),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    }
    let ctx = Ctx::new(&store, Some("ana"), now()).await.unwrap();
    let token = accounts::create_token(&ctx, Some("ben"), "laptop", Some(1))
        .await
        .unwrap()
        .token;
    World {
        _dir: dir,
        path,
        store,
        token,
    }
}

impl World {
    async fn ctx(&self) -> Ctx<'_, SqlStore> {
        Ctx::new(&self.store, Some("ana"), now()).await.unwrap()
    }

    async fn ben(&self, callers: &Callers, at: Timestamp) -> Result<Arc<Signed>, Refused> {
        callers
            .by_token(&self.store, &self.token, at)
            .await
            .unwrap()
    }

    /// Run SQL on the file behind the store's back, as another process would.
    fn sql(&self, sql: &str) {
        rusqlite::Connection::open(&self.path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    }
}

#[tokio::test]
async fn every_change_to_the_directory_is_seen_by_the_next_request() {
    let w = world().await;
    let callers = Callers::new();
    let ben = w.ben(&callers, now()).await.unwrap();
    assert_eq!(
        (ben.person.handle.as_str(), ben.actor.role),
        ("ben", Role::Member)
    );
    assert!(ben.actor.teams.is_empty());
    assert_eq!(ben.workspace.name, "Acme");

    let ctx = w.ctx().await;
    org::add_team(&ctx, "Core", "ana", &["ben".into()])
        .await
        .unwrap();
    let ben = w.ben(&callers, now()).await.unwrap();
    assert_eq!((ben.actor.teams.len(), ben.actor.leads.len()), (1, 0));
    org::edit_team(
        &ctx,
        "Core",
        TeamPatch {
            lead: Some("ben".into()),
            ..TeamPatch::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(w.ben(&callers, now()).await.unwrap().actor.leads.len(), 1);

    org::edit_workspace(
        &ctx,
        WorkspacePatch {
            name: Some("Acme Labs".into()),
            ..WorkspacePatch::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        w.ben(&callers, now()).await.unwrap().workspace.name,
        "Acme Labs"
    );

    let suspend = |suspended| PersonPatch {
        suspended: Some(suspended),
        ..PersonPatch::default()
    };
    org::edit_person(&ctx, "ben", suspend(true)).await.unwrap();
    assert_eq!(w.ben(&callers, now()).await.unwrap_err(), Refused::BadToken);
    org::edit_person(&ctx, "ben", suspend(false)).await.unwrap();
    assert!(w.ben(&callers, now()).await.is_ok());

    let id = w.store.tokens(None).await.unwrap()[0].id;
    accounts::revoke_token(&ctx, id).await.unwrap();
    assert_eq!(w.ben(&callers, now()).await.unwrap_err(), Refused::BadToken);
}

/// The proof that callers are kept: a change made behind the stamp's back (the revocation,
/// with the stamp set back) is not seen until the stamp moves.
#[tokio::test]
async fn a_kept_caller_is_served_from_memory_while_the_stamp_stands() {
    let w = world().await;
    let callers = Callers::new();
    assert!(w.ben(&callers, now()).await.is_ok());
    w.sql(
        "UPDATE api_tokens SET revoked_at = '2026-03-02T09:00:00Z'; \
         UPDATE counters SET next = next - 1 WHERE name = 'directory';",
    );
    assert!(w.ben(&callers, now()).await.is_ok(), "kept in memory");
    assert_eq!(
        w.ben(&Callers::new(), now()).await.unwrap_err(),
        Refused::BadToken,
        "read afresh"
    );
    w.sql("UPDATE counters SET next = next + 1 WHERE name = 'directory';");
    assert_eq!(w.ben(&callers, now()).await.unwrap_err(), Refused::BadToken);
}

#[tokio::test]
async fn a_kept_token_expires_on_time() {
    let w = world().await;
    let callers = Callers::new();
    assert!(w.ben(&callers, now()).await.is_ok());
    assert!(w.ben(&callers, later(86_399)).await.is_ok());
    assert_eq!(
        w.ben(&callers, later(86_400)).await.unwrap_err(),
        Refused::BadToken
    );
}

#[tokio::test]
async fn a_kept_tokens_last_use_is_recorded_once_a_minute() {
    let w = world().await;
    let callers = Callers::new();
    let last_used = async || w.store.tokens(None).await.unwrap()[0].last_used_at;
    for (at, recorded) in [(0, 0), (30, 0), (61, 61), (100, 61), (122, 122)] {
        w.ben(&callers, later(at)).await.unwrap();
        assert_eq!(last_used().await, Some(later(recorded)), "used at +{at} s");
    }
}

#[tokio::test]
async fn a_kept_session_ends_when_signed_out_or_expired() {
    let w = world().await;
    let callers = Callers::new();
    let ben = w.store.person_by_handle("ben").await.unwrap().unwrap();
    let hours = |h| now() + SignedDuration::from_hours(h);
    let session = w
        .store
        .create_session(ben.id, &accounts::digest("cookie"), "csrf", now(), hours(2))
        .await
        .unwrap();
    let (kept, signed) = callers
        .by_session(&w.store, "cookie", now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((kept.id, signed.person.id), (session.id, ben.id));
    assert_eq!(
        callers
            .by_session(&w.store, "cookie", hours(2))
            .await
            .unwrap()
            .unwrap_err(),
        Refused::BadSession
    );
    w.store.revoke_session(session.id, now()).await.unwrap();
    assert_eq!(
        callers
            .by_session(&w.store, "cookie", now())
            .await
            .unwrap()
            .unwrap_err(),
        Refused::BadSession
    );
    assert_eq!(
        callers
            .by_session(&w.store, "other", now())
            .await
            .unwrap()
            .unwrap_err(),
        Refused::BadSession
    );
}

#[tokio::test]
async fn a_malformed_or_unknown_token_is_refused() {
    let w = world().await;
    let callers = Callers::new();
    for token in [
        "",
        "nope",
        "ldt_unknown",
        &format!("ldt_{}", "x".repeat(300)),
    ] {
        assert_eq!(
            callers
                .by_token(&w.store, token, now())
                .await
                .unwrap()
                .unwrap_err(),
            Refused::BadToken,
            "{token}"
        );
    }
}
