//! Goal lists kept between writes (`landed_app::goals::KeptLists`): the same answer as
//! `goals::list`, from memory until anything is written, read again after.

use jiff::Timestamp;
use landed_app::goals::{self, GoalInput, KeptLists};
use landed_app::items::{self, ItemInput, ItemPatch};
use landed_app::org::{self, NewPerson};
use landed_app::{Ctx, init};
use landed_core::plan::GoalStatus;
use landed_store::SqlStore;

fn now() -> Timestamp {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

/// A team with a goal that is a plan (G-1, one item) and one that is an aspiration (G-2).
async fn world(path: &std::path::Path) -> SqlStore {
    let store = SqlStore::open(path, true).await.unwrap();
    init(&store, "Acme", "Europe/Berlin", now()).await.unwrap();
    let ctx = Ctx::new(&store, None, now()).await.unwrap();
    org::add_person(
        &ctx,
        NewPerson {
            handle: "ana".into(),
            name: "Ana".into(),
            ..NewPerson::default()
        },
    )
    .await
    .unwrap();
    let ctx = Ctx::new(&store, Some("ana"), now()).await.unwrap();
    org::add_team(&ctx, "Core", "ana", &[]).await.unwrap();
    for (title, outcome) in [
        ("Launch", Some("Customers can pay by card")),
        ("Hire", None),
    ] {
        goals::add(
            &ctx,
            GoalInput {
                title: title.into(),
                outcome: outcome.map(Into::into),
                owner: Some("ana".into()),
                by: Some("2026-06-30".into()),
                team: Some("Core".into()),
                ..GoalInput::default()
            },
        )
        .await
        .unwrap();
    }
    items::add(
        &ctx,
        ItemInput {
            title: "Card form".into(),
            outcome: Some("A customer can enter a card and pay".into()),
            owner: Some("ana".into()),
            due: Some("2026-04-01".into()),
            estimate: Some("8h".into()),
            goal: Some("G-1".into()),
            ..ItemInput::default()
        },
    )
    .await
    .unwrap();
    store
}

fn titles(list: &[landed_app::views::GoalSummary]) -> Vec<(String, Option<String>)> {
    list.iter()
        .map(|s| (s.id.clone(), s.next_step.clone()))
        .collect()
}

#[tokio::test]
async fn a_kept_list_is_the_list_until_something_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let store = world(&path).await;
    let ctx = Ctx::new(&store, Some("ana"), now()).await.unwrap();
    let kept = KeptLists::new();

    let first = kept.list(&ctx, Some("Core"), None).await.unwrap();
    assert_eq!(
        titles(&first),
        titles(&goals::list(&ctx, Some("Core"), None).await.unwrap())
    );
    assert_eq!(
        titles(&first),
        [
            ("G-1".to_string(), Some("I-1 Card form".to_string())),
            ("G-2".to_string(), None)
        ]
    );
    assert_eq!(
        (first[0].status, first[1].status),
        (GoalStatus::Plan, GoalStatus::Aspiration)
    );
    let plans = kept
        .list(&ctx, Some("Core"), Some(GoalStatus::Plan))
        .await
        .unwrap();
    assert_eq!(titles(&plans), titles(&first[..1]));

    // Changed behind the log's back (no event): the kept list is served from memory.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE items SET title = 'Changed unseen'", [])
        .unwrap();
    let still = kept.list(&ctx, Some("Core"), None).await.unwrap();
    assert_eq!(still[0].next_step.as_deref(), Some("I-1 Card form"));
    let fresh = goals::list(&ctx, Some("Core"), None).await.unwrap();
    assert_eq!(fresh[0].next_step.as_deref(), Some("I-1 Changed unseen"));

    // A write (an event) and the list is read again.
    items::edit(
        &ctx,
        "I-1",
        ItemPatch {
            title: Some("Card form v2".into()),
            ..ItemPatch::default()
        },
        None,
    )
    .await
    .unwrap();
    let after = kept.list(&ctx, Some("Core"), None).await.unwrap();
    assert_eq!(after[0].next_step.as_deref(), Some("I-1 Card form v2"));
    assert_eq!(
        titles(&kept.list(&ctx, None, None).await.unwrap()),
        titles(&after),
        "every goal is the team's here"
    );
    assert!(kept.list(&ctx, Some("Nobody"), None).await.is_err());
    store.close().await;
}
