//! The store's behaviour, one test per rule, run against SQLite (in memory, or a file where
//! two stores share it) and PostgreSQL (a fresh database per test, dropped afterwards): the
//! two backends must not be told apart by what they return (DESIGN §10).
//!
//! PostgreSQL is found at `$LANDED_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), as a user allowed to create databases.
//! Without one the PostgreSQL half skips with a message, unless `LANDED_REQUIRE_PG=1` (CI),
//! where it fails.

use std::collections::HashSet;

use jiff::Timestamp;
use jiff::civil::{Date, date};
use landed_core::authz::Role;
use landed_core::capacity::Week;
use landed_core::deps::GoalRisk;
use landed_core::event::{Entity, EntityKind, Event, EventKind, State};
use landed_core::model::{
    CheckIn, CheckInItem, Closure, Dependency, Goal, Id, Item, ItemKind, ItemStatus, Milestone,
    Node, Person, Request, RequestState, Team, When, Workspace,
};
use landed_store::{
    AnyStore, Change, GoalFilter, ItemFilter, KeptGoal, Meta, NewReminder, NodeForecast,
    NotifySettings, Outcome, PgStore, ReminderState, SqlStore, Store, StoreError,
};
use sqlx::Connection as _;
use sqlx::postgres::PgConnection;

// ---------------------------------------------------------------------------------------------
// Running each test on both backends

use landed_store::testing::PgDb;

/// Each named test (an `async fn name<S: Store>(store: &S)` below) once per backend:
/// `sqlite::name` on a private in-memory database, `postgres::name` on a fresh database.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let store = landed_store::SqlStore::memory().await.unwrap();
                    super::$name(&store).await;
                    store.close().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = super::PgDb::create(stringify!($name)).await else {
                        return;
                    };
                    let store = db.store().await;
                    super::$name(&store).await;
                    store.close().await;
                }
            )*
        }
    };
}

/// Each named test (an `async fn name<S: Store>(a: &S, b: &S)` below) once per backend with
/// two stores on one database, as two processes would have: two `SqlStore`s on one file, two
/// `PgStore`s on one database.
macro_rules! on_both_shared {
    ($($name:ident),* $(,)?) => {
        mod sqlite_shared {
            $(
                #[tokio::test]
                async fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let path = dir.path().join("w.db");
                    let a = landed_store::SqlStore::open(&path, true).await.unwrap();
                    super::init(&a).await;
                    let b = landed_store::SqlStore::open(&path, false).await.unwrap();
                    super::$name(&a, &b).await;
                    a.close().await;
                    b.close().await;
                }
            )*
        }
        mod postgres_shared {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = super::PgDb::create(stringify!($name)).await else {
                        return;
                    };
                    let a = db.store().await;
                    super::init(&a).await;
                    let b = db.store().await;
                    super::$name(&a, &b).await;
                    a.close().await;
                    b.close().await;
                }
            )*
        }
    };
}

on_both!(
    a_store_without_workspace_says_so,
    init_creates_the_one_workspace,
    create_assigns_ids_numbers_versions_and_times,
    create_batch_writes_one_event_per_entity_in_order,
    a_duplicate_is_refused_and_writes_nothing,
    a_reference_to_nothing_is_missing,
    update_bumps_the_version_and_logs_before_and_after,
    a_stale_update_is_a_conflict_and_changes_nothing,
    an_update_into_another_entity_is_refused,
    teams_keep_sorted_members_and_replace_them,
    people_are_read_by_handle_id_and_list,
    milestones_come_by_date_and_lend_their_date,
    goals_filter_by_team_owner_ids_and_openness,
    items_filter_by_every_field,
    dependencies_are_found_from_either_end_and_deleted_with_an_event,
    requests_come_by_number,
    checkins_filter_by_people_and_weeks,
    joined_is_each_persons_first_event,
    events_between_is_half_open,
    histories_are_per_entity_and_oldest_first,
    long_logs_are_read_in_pages,
    last_event_seq_follows_every_write,
    forecasts_are_kept_and_replaced_whole,
    notify_settings_are_replaced_per_person,
    reminders_are_recorded_once_with_consecutive_ids,
    reminders_are_claimed_leased_and_finished_once,
    write_applies_mixed_changes_in_order,
    a_failed_write_leaves_no_trace,
    writes_at_once_each_keep_their_own_outcome,
    create_then_update_is_one_write,
    state_is_the_replay_of_the_log,
    credentials_tokens_sessions_and_login_failures,
    the_directory_stamp_moves_with_the_directory_and_nothing_else,
);

on_both_shared!(
    racing_updates_end_in_one_success_and_one_conflict,
    racing_creates_get_distinct_numbers,
    racing_claims_never_hand_out_a_reminder_twice,
    racing_writes_with_one_idempotency_key_happen_once,
    long_lists_are_read_whole_and_once,
);

/// Lists long enough for the SQLite store to read in halves beside each other (ids,
/// goals, dependency ends): every row comes back, once, in order; a dependency whose ends fall
/// in different halves is found once. Written through one store, read through the other.
async fn long_lists_are_read_whole_and_once<S: Store>(a: &S, b: &S) {
    let goal_ids = created(a, 1, (0..30).map(|g| goal(&format!("G{g}"), None, None))).await;
    let item_ids = created(
        a,
        2,
        (0..2_400).map(|n| item(&format!("I{n}"), None, Some(goal_ids[n % 30]))),
    )
    .await;
    // A chain through every item, in an order that crosses any halving of the list.
    let made_ids = created(
        a,
        3,
        (1..item_ids.len()).map(|k| {
            let (x, y) = (item_ids[(k * 7) % 2_400], item_ids[(k * 7 + 7) % 2_400]);
            dependency(Node::Item(x), Node::Item(y))
        }),
    )
    .await;
    let all = b.items(&ItemFilter::default()).await.unwrap();
    assert_eq!(all.len(), 2_400);
    let by_ids = b
        .items(&ItemFilter {
            ids: Some(item_ids.iter().rev().copied().collect()),
            ..ItemFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(by_ids, all);
    let by_goals = b
        .items(&ItemFilter {
            goals: Some(goal_ids[..20].to_vec()),
            ..ItemFilter::default()
        })
        .await
        .unwrap();
    let expected: Vec<Item> = all
        .iter()
        .filter(|i| i.goal.is_some_and(|g| goal_ids[..20].contains(&g)))
        .cloned()
        .collect();
    assert_eq!((by_goals.len(), &by_goals), (1_600, &expected));
    let nodes: Vec<Node> = item_ids.iter().map(|id| Node::Item(*id)).collect();
    let found = b.dependencies(Some(&nodes)).await.unwrap();
    let found_ids: Vec<Id> = found.iter().map(|d| d.id).collect();
    assert_eq!(found_ids, made_ids);
    assert_eq!(b.dependencies(None).await.unwrap(), found);
    let events = b.events_between(at(0), Timestamp::MAX).await.unwrap();
    assert_eq!(events.len(), 1 + 30 + 2_400 + 2_399);
}

/// A SQLite store on a new file in a directory of its own, removed when the directory is
/// dropped.
async fn sqlite_on_a_file() -> (tempfile::TempDir, landed_store::SqlStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = landed_store::SqlStore::open(&dir.path().join("w.db"), true)
        .await
        .unwrap();
    (dir, store)
}

/// The SQLite store's count of open connections stays true when reads run on other threads
/// with connections of their own: each is given back idle (or closed), none is lost.
#[tokio::test]
async fn sqlite_reads_beside_each_other_give_their_connections_back() {
    let (_dir, store) = sqlite_on_a_file().await;
    let filter = many_items(&store).await;
    for _ in 0..3 {
        read_beside_each_other(&store, &filter).await;
        let (open, idle) = store.pool_stats();
        // The writer's connection, and the readers', all idle now.
        assert_eq!(open as usize, idle + 1, "{open} open, {idle} idle");
        assert!(idle >= 2, "{idle} idle");
    }
    store.close().await;
}

/// Idle read connections let go while the caller goes on (`release_idle`, as a command does
/// before printing) are counted closed at once, reads after it open connections again, and
/// the store still closes its writer last: the log is checkpointed into the file and removed.
#[tokio::test]
async fn sqlite_idle_readers_let_go_are_closed_before_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let store = AnyStore::open(&path.display().to_string(), true)
        .await
        .unwrap();
    let filter = many_items(&store).await;
    read_beside_each_other(&store, &filter).await;
    assert!(store.pool_stats().1 >= 2, "{:?}", store.pool_stats());
    store.release_idle();
    assert_eq!(store.pool_stats(), (1, 0), "the writer alone");
    assert_eq!(store.items(&filter).await.unwrap().len(), 1_500);
    let (open, idle) = store.pool_stats();
    assert!(
        idle >= 1 && open as usize == idle + 1,
        "{open} open, {idle} idle"
    );
    store.release_idle();
    store.close().await;
    assert_eq!(store.pool_stats(), (0, 0));
    assert!(path.exists());
    assert!(!dir.path().join("w.db-wal").exists(), "the log is left");
}

/// Idle read connections let go outside a tokio runtime are closed in place.
#[test]
fn sqlite_idle_readers_let_go_outside_a_runtime_are_closed_in_place() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let store = runtime.block_on(async {
        let store = AnyStore::open(&path.display().to_string(), true)
            .await
            .unwrap();
        let filter = many_items(&store).await;
        read_beside_each_other(&store, &filter).await;
        store
    });
    assert!(store.pool_stats().1 >= 2, "{:?}", store.pool_stats());
    store.release_idle();
    assert_eq!(store.pool_stats(), (1, 0), "the writer alone");
    runtime.block_on(store.close());
    assert_eq!(store.pool_stats(), (0, 0));
    assert!(!dir.path().join("w.db-wal").exists(), "the log is left");
}

/// On a file, the SQLite store reads a team's items in parts on two connections beside each
/// other (the items of its goals, then those its people with even ids and with odd ids own
/// elsewhere), and more parts for a long list of ids too: every item is there once, in order,
/// and every connection is given back.
#[tokio::test]
async fn sqlite_a_teams_items_read_in_parts_on_a_file_are_all_there() {
    let (_dir, store) = sqlite_on_a_file().await;
    world(&store).await;
    let team = ItemFilter {
        team: Some(1),
        ..ItemFilter::default()
    };
    // G-1's I-1, the lead's (ana, an odd id) I-2, the member's (ben, an even id) I-3.
    assert_eq!(nums(&store.items(&team).await.unwrap()), [1, 2, 3]);
    let listed = ItemFilter {
        ids: Some((1..=2_000).rev().collect()),
        ..team
    };
    assert_eq!(nums(&store.items(&listed).await.unwrap()), [1, 2, 3]);
    let (open, idle) = store.pool_stats();
    assert_eq!(open as usize, idle + 1, "{open} open, {idle} idle");
    store.close().await;
}

/// A workspace of 1,500 items, and the filter that lists them by id: a list long enough for
/// the SQLite store to read it in parts on other threads.
async fn many_items<S: Store>(store: &S) -> ItemFilter {
    init(store).await;
    let ids = created(
        store,
        1,
        (0..1_500).map(|n| item(&format!("I{n}"), None, None)),
    )
    .await;
    ItemFilter {
        ids: Some(ids),
        ..ItemFilter::default()
    }
}

/// The items of `filter` and the whole log, read together (each on connections of its own).
async fn read_beside_each_other<S: Store>(store: &S, filter: &ItemFilter) {
    let (listed, events) = tokio::join!(
        store.items(filter),
        store.events_between(at(0), Timestamp::MAX)
    );
    assert_eq!(
        (listed.unwrap().len(), events.unwrap().len()),
        (1_500, 1_501)
    );
}

// ---------------------------------------------------------------------------------------------
// Fixtures

fn at(minutes: i64) -> Timestamp {
    "2026-11-23T09:00:00Z".parse::<Timestamp>().unwrap() + jiff::SignedDuration::from_mins(minutes)
}

fn made(minutes: i64) -> Meta {
    Meta::new(None, at(minutes), EventKind::Created)
}

fn changed(minutes: i64) -> Meta {
    Meta::new(Some(1), at(minutes), EventKind::Updated).with_reason(Some("because".into()))
}

fn workspace() -> Workspace {
    Workspace {
        id: 0,
        name: "Acme".into(),
        step_limit_hours: Workspace::DEFAULT_STEP_LIMIT_HOURS,
        default_person: None,
        tz: "UTC".into(),
        reactive_share: Workspace::DEFAULT_REACTIVE_SHARE,
        request_overdue_days: Workspace::DEFAULT_REQUEST_OVERDUE_DAYS,
        version: 0,
    }
}

async fn init<S: Store>(store: &S) -> Workspace {
    store.init(workspace(), at(0)).await.unwrap()
}

/// Create `entities` together at minute `minutes`; their ids, in order.
async fn created<S: Store>(
    store: &S,
    minutes: i64,
    entities: impl IntoIterator<Item = Entity>,
) -> Vec<Id> {
    let made_now = made(minutes);
    let entities = entities.into_iter().collect();
    let stored = store.create_batch(&made_now, entities).await.unwrap();
    stored.iter().map(Entity::id).collect()
}

fn person(handle: &str) -> Entity {
    Entity::Person(Person {
        id: 0,
        handle: handle.into(),
        name: format!("{handle} Example"),
        email: Some(format!("{handle}@example.org")),
        tz: "Europe/Berlin".into(),
        capacity_hours: 32.5,
        role: Role::default(),
        suspended: false,
        version: 0,
    })
}

fn team(name: &str, lead: Id, members: &[Id]) -> Entity {
    Entity::Team(Team {
        id: 0,
        name: name.into(),
        lead,
        members: members.to_vec(),
        protected_share: 0.25,
        version: 0,
    })
}

fn milestone(name: &str, day: Date) -> Entity {
    Entity::Milestone(Milestone {
        id: 0,
        num: 0,
        name: name.into(),
        date: day,
        version: 0,
    })
}

fn goal(title: &str, owner: Option<Id>, team: Option<Id>) -> Entity {
    Entity::Goal(Goal {
        id: 0,
        num: 0,
        title: title.into(),
        outcome: Some("3 customers live".into()),
        owner,
        target: When::on(date(2027, 3, 31)),
        team,
        closed: None,
        close_reason: None,
        created_at: at(0),
        updated_at: at(0),
        version: 0,
    })
}

fn item(title: &str, owner: Option<Id>, goal: Option<Id>) -> Entity {
    Entity::Item(Item {
        id: 0,
        num: 0,
        title: title.into(),
        outcome: None,
        owner,
        due: When::on(date(2027, 1, 15)),
        estimate_hours: Some(4.5),
        status: ItemStatus::Todo,
        status_reason: None,
        kind: ItemKind::Strategic,
        goal,
        actual_hours: None,
        done_at: None,
        created_at: at(0),
        updated_at: at(0),
        version: 0,
    })
}

fn dependency(from: Node, to: Node) -> Entity {
    Entity::Dependency(Dependency {
        id: 0,
        from,
        to,
        needed_by: Some(date(2027, 2, 1)),
        created_at: at(0),
        version: 0,
    })
}

fn request(to_team: Id, for_node: Option<Node>) -> Entity {
    Entity::Request(Request {
        id: 0,
        num: 0,
        from_team: None,
        to_team,
        deliverable: "an API".into(),
        needed_by: date(2027, 2, 1),
        for_node,
        asked_by: Some(1),
        state: RequestState::Open,
        answered_by: None,
        note: None,
        item: None,
        created_at: at(0),
        answered_at: None,
        version: 0,
    })
}

fn checkin(person: Id, week: Week) -> Entity {
    Entity::CheckIn(CheckIn {
        id: 0,
        person,
        week,
        items: vec![CheckInItem {
            item: 1,
            status: ItemStatus::Doing,
            note: Some("halfway — «ünïcode»".into()),
        }],
        done: Some("shipped".into()),
        blocked: None,
        needs_help: None,
        goals: Vec::new(),
        created_at: at(0),
        updated_at: at(0),
        version: 0,
    })
}

fn week(year: i16, week: i8) -> Week {
    Week::new(year, week).unwrap()
}

fn as_item(e: Entity) -> Item {
    Item::try_from(e).unwrap()
}

fn as_goal(e: Entity) -> Goal {
    Goal::try_from(e).unwrap()
}

/// A workspace with people ana (1), ben (2), cy (3), a team (lead ana, member ben), two goals
/// (G-1 of the team, owned by cy; G-2 without team) and four items.
async fn world<S: Store>(store: &S) {
    init(store).await;
    store
        .create_batch(&made(1), vec![person("ana"), person("ben"), person("cy")])
        .await
        .unwrap();
    store.create(&made(2), team("Core", 1, &[2])).await.unwrap();
    store
        .create_batch(
            &made(3),
            vec![goal("Launch", Some(3), Some(1)), goal("Hire", None, None)],
        )
        .await
        .unwrap();
    store
        .create_batch(
            &made(4),
            vec![
                item("I-1 of G-1 by cy", Some(3), Some(1)),
                item("I-2 by ana", Some(1), None),
                item("I-3 of G-2 by ben", Some(2), Some(2)),
                item("I-4 of nobody", None, None),
            ],
        )
        .await
        .unwrap();
}

fn nums(items: &[Item]) -> Vec<i64> {
    items.iter().map(|i| i.num).collect()
}

// ---------------------------------------------------------------------------------------------
// The workspace, creating and updating

async fn a_store_without_workspace_says_so<S: Store>(store: &S) {
    assert!(matches!(
        store.workspace().await,
        Err(StoreError::NoWorkspace(_))
    ));
    assert!(matches!(
        store.create(&made(1), person("ana")).await,
        Err(StoreError::NoWorkspace(_))
    ));
    assert!(matches!(
        store.events().await,
        Err(StoreError::NoWorkspace(_))
    ));
}

async fn init_creates_the_one_workspace<S: Store>(store: &S) {
    let ws = init(store).await;
    assert_eq!((ws.id, ws.version), (1, 1));
    assert_eq!(store.workspace().await.unwrap(), ws);
    let again = store.init(workspace(), at(1)).await.unwrap_err();
    assert!(
        matches!(&again, StoreError::AlreadyInitialised(name) if name == "Acme"),
        "{again}"
    );
    let another = Entity::Workspace(workspace());
    assert!(matches!(
        store.create(&made(1), another).await,
        Err(StoreError::AlreadyInitialised(_))
    ));
    let events = store.events().await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].seq, events[0].kind, &events[0].before),
        (1, EventKind::Created, &None)
    );
    assert_eq!(events[0].after, Some(Entity::Workspace(ws)));
}

async fn create_assigns_ids_numbers_versions_and_times<S: Store>(store: &S) {
    init(store).await;
    // Nanoseconds are rounded to the microseconds both backends keep.
    let odd: Timestamp = "2026-11-23T09:00:00.123456789Z".parse().unwrap();
    let meta = Meta::new(None, odd, EventKind::Created);
    let ana = store.create(&meta, person("ana")).await.unwrap();
    assert_eq!((ana.id(), ana.version()), (1, 1));
    let g = as_goal(store.create(&meta, goal("G", Some(1), None)).await.unwrap());
    assert_eq!((g.id, g.num, g.version), (1, 1, 1));
    let rounded: Timestamp = "2026-11-23T09:00:00.123457Z".parse().unwrap();
    assert_eq!((g.created_at, g.updated_at), (rounded, rounded));
    let first = as_item(store.create(&meta, item("a", None, Some(1))).await.unwrap());
    let second = as_item(store.create(&meta, item("b", None, None)).await.unwrap());
    assert_eq!((first.id, first.num), (1, 1));
    assert_eq!((second.id, second.num), (2, 2));
    assert_eq!(store.item(1).await.unwrap(), Some(first));
    assert_eq!(store.item(2).await.unwrap(), Some(second));
    assert_eq!(store.item(3).await.unwrap(), None);
    assert_eq!(store.goal(1).await.unwrap(), Some(g));
    assert_eq!(store.goal(2).await.unwrap(), None);
    assert_eq!(
        store.person(1).await.unwrap(),
        Some(Person::try_from(ana).unwrap())
    );
}

async fn create_batch_writes_one_event_per_entity_in_order<S: Store>(store: &S) {
    init(store).await;
    let meta = Meta::new(Some(7), at(5), EventKind::Created).with_reason(Some("import".into()));
    let made = store
        .create_batch(
            &meta,
            vec![
                person("ana"),
                person("ben"),
                item("one", None, None),
                item("two", Some(2), None),
                person("cy"),
            ],
        )
        .await
        .unwrap();
    let ids: Vec<(EntityKind, Id)> = made.iter().map(|e| (e.kind(), e.id())).collect();
    assert_eq!(
        ids,
        [
            (EntityKind::Person, 1),
            (EntityKind::Person, 2),
            (EntityKind::Item, 1),
            (EntityKind::Item, 2),
            (EntityKind::Person, 3),
        ]
    );
    let events = store.events().await.unwrap();
    assert_eq!(events.len(), 6, "the workspace's and one per entity");
    for (event, entity) in events[1..].iter().zip(&made) {
        assert_eq!(event.after.as_ref(), Some(entity));
        assert_eq!(event.before, None);
        assert_eq!(
            (event.at, event.author, event.kind, event.reason.as_deref()),
            (at(5), Some(7), EventKind::Created, Some("import"))
        );
    }
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);
}

async fn a_duplicate_is_refused_and_writes_nothing<S: Store>(store: &S) {
    init(store).await;
    store.create(&made(1), person("ana")).await.unwrap();
    let before = (store.state().await.unwrap(), store.events().await.unwrap());
    let err = store.create(&made(2), person("ana")).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Duplicate(what) if what == "person @ana"),
        "{err}"
    );
    let err = store
        .create_batch(&made(2), vec![person("ben"), person("ben")])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
    assert_eq!(
        (store.state().await.unwrap(), store.events().await.unwrap()),
        before
    );
    // Nothing was used up: the next person gets the next id.
    assert_eq!(store.create(&made(3), person("ben")).await.unwrap().id(), 2);
}

async fn a_reference_to_nothing_is_missing<S: Store>(store: &S) {
    init(store).await;
    let err = store
        .create(&made(1), item("x", Some(99), None))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Missing(_)), "{err}");
    assert_eq!(
        err.to_string(),
        "something item I-1 refers to does not exist"
    );
    assert_eq!(store.events().await.unwrap().len(), 1);
}

async fn update_bumps_the_version_and_logs_before_and_after<S: Store>(store: &S) {
    world(store).await;
    let before = store.item(2).await.unwrap().unwrap();
    let mut after = before.clone();
    after.title = "renamed".into();
    after.status = ItemStatus::Done;
    after.done_at = Some(at(10));
    after.actual_hours = Some(3.25);
    let meta = changed(10);
    let updated = as_item(
        store
            .update(&meta, &Entity::Item(before.clone()), Entity::Item(after))
            .await
            .unwrap(),
    );
    assert_eq!((updated.version, updated.updated_at), (2, at(10)));
    assert_eq!(updated.created_at, before.created_at);
    assert_eq!(store.item(2).await.unwrap().as_ref(), Some(&updated));
    let history = store.history(EntityKind::Item, before.id).await.unwrap();
    assert_eq!(history.len(), 2);
    let last = &history[1];
    assert_eq!(last.before, Some(Entity::Item(before)));
    assert_eq!(last.after, Some(Entity::Item(updated)));
    assert_eq!(
        (last.author, last.kind, last.reason.as_deref()),
        (Some(1), EventKind::Updated, Some("because"))
    );
}

async fn a_stale_update_is_a_conflict_and_changes_nothing<S: Store>(store: &S) {
    world(store).await;
    let stale = Entity::Item(store.item(1).await.unwrap().unwrap());
    let mut first = as_item(stale.clone());
    first.title = "first".into();
    store
        .update(&changed(5), &stale, Entity::Item(first))
        .await
        .unwrap();
    let snapshot = (store.state().await.unwrap(), store.events().await.unwrap());
    let mut second = as_item(stale.clone());
    second.title = "second".into();
    let err = store
        .update(&changed(6), &stale, Entity::Item(second))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { entity, expected: 1 } if entity == "item I-1"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "item I-1 was changed by someone else since you read it (your version 1); read it \
         again and retry"
    );
    // An entity that is not there cannot be updated either.
    let mut ghost = as_item(stale.clone());
    ghost.id = 99;
    let ghost = Entity::Item(ghost);
    assert!(matches!(
        store.update(&changed(7), &ghost, ghost.clone()).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        (store.state().await.unwrap(), store.events().await.unwrap()),
        snapshot
    );
}

async fn an_update_into_another_entity_is_refused<S: Store>(store: &S) {
    world(store).await;
    let one = Entity::Item(store.item(1).await.unwrap().unwrap());
    let two = Entity::Item(store.item(2).await.unwrap().unwrap());
    let err = store.update(&changed(5), &one, two).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err}");
    let goal = Entity::Goal(store.goal(1).await.unwrap().unwrap());
    assert!(store.update(&changed(5), &one, goal).await.is_err());
}

async fn teams_keep_sorted_members_and_replace_them<S: Store>(store: &S) {
    init(store).await;
    store
        .create_batch(
            &made(1),
            vec![person("ana"), person("ben"), person("cy"), person("dee")],
        )
        .await
        .unwrap();
    let core = store
        .create(&made(2), team("core", 1, &[4, 2, 2]))
        .await
        .unwrap();
    let Entity::Team(core) = core else { panic!() };
    assert_eq!(core.members, [2, 4]);
    store.create(&made(2), team("Apps", 3, &[])).await.unwrap();
    let mut moved = core.clone();
    moved.members = vec![3, 1];
    moved.protected_share = 0.5;
    let moved = store
        .update(&changed(3), &Entity::Team(core), Entity::Team(moved))
        .await
        .unwrap();
    let Entity::Team(moved) = moved else { panic!() };
    assert_eq!((moved.members.as_slice(), moved.version), (&[1, 3][..], 2));
    let teams = store.teams().await.unwrap();
    // By name, bytewise: upper case first.
    let names: Vec<&str> = teams.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Apps", "core"]);
    assert_eq!(teams[1], moved);
    assert_eq!(
        store.team_names().await.unwrap(),
        [(2, "Apps".to_string()), (1, "core".to_string())]
    );
    // One team by its exact name, with its members as `teams` reads them.
    assert_eq!(
        store.team_named("core").await.unwrap().as_ref(),
        Some(&moved)
    );
    assert_eq!(
        store.team_named("Apps").await.unwrap().unwrap().members,
        Vec::<Id>::new()
    );
    assert_eq!(store.team_named("Core").await.unwrap(), None);
    assert_eq!(store.team_named("nobody").await.unwrap(), None);
    // A person's teams by id, with whether they lead it; a lead who is also a member once.
    assert_eq!(store.teams_of(1).await.unwrap(), [(1, true)]);
    assert_eq!(store.teams_of(3).await.unwrap(), [(1, false), (2, true)]);
    assert_eq!(store.teams_of(2).await.unwrap(), []);
    assert_eq!(store.teams_of(99).await.unwrap(), []);
    let err = store
        .create(&made(4), team("core", 2, &[]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
}

async fn people_are_read_by_handle_id_and_list<S: Store>(store: &S) {
    init(store).await;
    assert_eq!(store.first_person().await.unwrap(), None);
    store
        .create_batch(
            &made(1),
            vec![person("bob"), person("Zed"), person("ana"), person("éva")],
        )
        .await
        .unwrap();
    let handles: Vec<String> = store
        .people()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.handle)
        .collect();
    // Bytewise order, whatever the database's collation.
    assert_eq!(handles, ["Zed", "ana", "bob", "éva"]);
    let some = store.people_by_ids(&[4, 1, 99, 1]).await.unwrap();
    let ids: Vec<Id> = some.iter().map(|p| p.id).collect();
    assert_eq!(ids, [1, 4]);
    assert!(store.people_by_ids(&[]).await.unwrap().is_empty());
    let ana = store.person_by_handle("ana").await.unwrap().unwrap();
    assert_eq!(
        (ana.id, ana.capacity_hours, ana.tz.as_str()),
        (3, 32.5, "Europe/Berlin")
    );
    assert_eq!(store.person_by_handle("ANA").await.unwrap(), None);
    assert_eq!(store.person(3).await.unwrap(), Some(ana));
    assert_eq!(store.person(99).await.unwrap(), None);
    assert_eq!(store.first_person().await.unwrap().unwrap().handle, "bob");
    // Many ids at once (on SQLite, a long list is bound as one array).
    let many: Vec<Id> = (1..=6_000).collect();
    assert_eq!(store.people_by_ids(&many).await.unwrap().len(), 4);
}

async fn milestones_come_by_date_and_lend_their_date<S: Store>(store: &S) {
    init(store).await;
    store
        .create_batch(
            &made(1),
            vec![
                milestone("late", date(2027, 6, 1)),
                milestone("early", date(2027, 1, 1)),
                milestone("also early", date(2027, 1, 1)),
            ],
        )
        .await
        .unwrap();
    let names: Vec<String> = store
        .milestones()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, ["early", "also early", "late"]);
    let Some(late) = store
        .milestones()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.num == 1)
    else {
        panic!("M-1 is gone")
    };
    let mut g = as_goal(goal("G", None, None));
    g.target = When::at_milestone(&late);
    let mut i = as_item(item("I", None, None));
    i.due = When::at_milestone(&late);
    store.create(&made(2), Entity::Goal(g)).await.unwrap();
    store.create(&made(2), Entity::Item(i)).await.unwrap();
    // Moving the milestone moves what follows it.
    let mut moved = late.clone();
    moved.date = date(2027, 7, 1);
    store
        .update(
            &changed(3),
            &Entity::Milestone(late.clone()),
            Entity::Milestone(moved),
        )
        .await
        .unwrap();
    let followed = When {
        date: Some(date(2027, 7, 1)),
        milestone: Some(late.id),
    };
    assert_eq!(store.goal(1).await.unwrap().unwrap().target, followed);
    assert_eq!(store.item(1).await.unwrap().unwrap().due, followed);
    let err = store
        .create(&made(4), milestone("late", date(2028, 1, 1)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
}

async fn goals_filter_by_team_owner_ids_and_openness<S: Store>(store: &S) {
    world(store).await;
    let mut g3 = as_goal(goal("closed", Some(3), Some(1)));
    g3.closed = Some(Closure::Done);
    g3.close_reason = Some("landed".into());
    store.create(&made(5), Entity::Goal(g3)).await.unwrap();
    let found = |goals: Vec<Goal>| goals.into_iter().map(|g| g.num).collect::<Vec<_>>();
    let all = store.goals(&GoalFilter::default()).await.unwrap();
    assert_eq!(found(all.clone()), [1, 2, 3]);
    assert_eq!(all[2].closed, Some(Closure::Done));
    let team = GoalFilter {
        team: Some(1),
        ..GoalFilter::default()
    };
    assert_eq!(found(store.goals(&team).await.unwrap()), [1, 3]);
    let open = GoalFilter {
        open_only: true,
        ..team.clone()
    };
    assert_eq!(found(store.goals(&open).await.unwrap()), [1]);
    let owner = GoalFilter {
        owner: Some(3),
        ..GoalFilter::default()
    };
    assert_eq!(found(store.goals(&owner).await.unwrap()), [1, 3]);
    let ids = GoalFilter {
        ids: Some(vec![3, 2, 99]),
        ..GoalFilter::default()
    };
    assert_eq!(found(store.goals(&ids).await.unwrap()), [2, 3]);
    let none = GoalFilter {
        ids: Some(Vec::new()),
        ..GoalFilter::default()
    };
    assert!(store.goals(&none).await.unwrap().is_empty());
}

async fn items_filter_by_every_field<S: Store>(store: &S) {
    world(store).await;
    let three = store.item(3).await.unwrap().unwrap();
    let mut blocked = three.clone();
    blocked.status = ItemStatus::Blocked;
    blocked.status_reason = Some("waiting".into());
    blocked.kind = ItemKind::Reactive;
    store
        .update(&changed(5), &Entity::Item(three), Entity::Item(blocked))
        .await
        .unwrap();
    let read = async |filter: ItemFilter| nums(&store.items(&filter).await.unwrap());
    let all = ItemFilter::default;
    assert_eq!(read(all()).await, [1, 2, 3, 4]);
    assert_eq!(
        read(ItemFilter {
            owner: Some(1),
            ..all()
        })
        .await,
        [2]
    );
    assert_eq!(
        read(ItemFilter {
            owners: Some(vec![2, 3]),
            ..all()
        })
        .await,
        [1, 3]
    );
    assert_eq!(
        read(ItemFilter {
            goals: Some(vec![2, 1]),
            ..all()
        })
        .await,
        [1, 3]
    );
    // The team's goals (G-1: I-1), its lead's items (ana: I-2), its members' (ben: I-3).
    assert_eq!(
        read(ItemFilter {
            team: Some(1),
            ..all()
        })
        .await,
        [1, 2, 3]
    );
    assert_eq!(
        read(ItemFilter {
            statuses: vec![ItemStatus::Blocked, ItemStatus::Done],
            ..all()
        })
        .await,
        [3]
    );
    assert_eq!(
        read(ItemFilter {
            kind: Some(ItemKind::Strategic),
            ..all()
        })
        .await,
        [1, 2, 4]
    );
    assert_eq!(
        read(ItemFilter {
            nums: Some(vec![4, 2, 9]),
            ..all()
        })
        .await,
        [2, 4]
    );
    assert_eq!(
        read(ItemFilter {
            ids: Some(vec![3]),
            owner: Some(2),
            ..all()
        })
        .await,
        [3]
    );
    for empty in [
        ItemFilter {
            owners: Some(Vec::new()),
            ..all()
        },
        ItemFilter {
            goals: Some(Vec::new()),
            ..all()
        },
        ItemFilter {
            nums: Some(Vec::new()),
            ..all()
        },
        ItemFilter {
            ids: Some(Vec::new()),
            ..all()
        },
    ] {
        assert!(read(empty).await.is_empty());
    }
    // By goal (none first), then by number.
    assert_eq!(
        read(ItemFilter {
            by_goal: true,
            ..all()
        })
        .await,
        [2, 4, 1, 3]
    );
    // Long lists (on SQLite, bound as one array) filter the same.
    let many: Vec<i64> = (2..=6_002).collect();
    assert_eq!(
        read(ItemFilter {
            nums: Some(many.clone()),
            ids: Some(many),
            ..all()
        })
        .await,
        [2, 3, 4]
    );
    let three = store.item(3).await.unwrap().unwrap();
    assert_eq!(
        (
            three.status,
            three.status_reason.as_deref(),
            three.estimate_hours
        ),
        (ItemStatus::Blocked, Some("waiting"), Some(4.5))
    );
    // An item of the team's goal owned by a member is the team's once (SQLite reads the
    // team's goals' items and its people's other items apart); with other conditions, both
    // parts keep them.
    store
        .create_batch(
            &made(6),
            vec![
                item("I-5 of G-1 by ben", Some(2), Some(1)),
                item("I-6 of G-1 by nobody", None, Some(1)),
            ],
        )
        .await
        .unwrap();
    let team = || ItemFilter {
        team: Some(1),
        ..all()
    };
    assert_eq!(read(team()).await, [1, 2, 3, 5, 6]);
    assert_eq!(
        read(ItemFilter {
            statuses: vec![ItemStatus::Blocked, ItemStatus::Todo],
            owners: Some(vec![2, 3]),
            ..team()
        })
        .await,
        [1, 3, 5]
    );
    assert!(
        read(ItemFilter {
            ids: Some(vec![4]),
            ..team()
        })
        .await
        .is_empty()
    );
}

async fn dependencies_are_found_from_either_end_and_deleted_with_an_event<S: Store>(store: &S) {
    world(store).await;
    store
        .create_batch(
            &made(5),
            vec![
                dependency(Node::Item(1), Node::Item(2)),
                dependency(Node::Item(2), Node::Goal(2)),
                dependency(Node::Goal(1), Node::Item(3)),
            ],
        )
        .await
        .unwrap();
    let ids = |deps: Vec<Dependency>| deps.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(ids(store.dependencies(None).await.unwrap()), [1, 2, 3]);
    assert_eq!(
        ids(store.dependencies(Some(&[Node::Item(2)])).await.unwrap()),
        [1, 2]
    );
    assert_eq!(
        ids(store
            .dependencies(Some(&[Node::Goal(1), Node::Goal(2)]))
            .await
            .unwrap()),
        [2, 3]
    );
    assert!(store.dependencies(Some(&[])).await.unwrap().is_empty());
    assert_eq!(
        ids(store
            .dependencies(Some(&[Node::Item(1), Node::Item(2), Node::Goal(2)]))
            .await
            .unwrap()),
        [1, 2],
        "a dependency with both ends asked for comes once"
    );
    assert_eq!(
        ids(store
            .dependencies_into(&[Node::Item(2), Node::Item(3)])
            .await
            .unwrap()),
        [1, 3]
    );
    assert!(store.dependencies_into(&[]).await.unwrap().is_empty());
    // A long list of nodes, most of them unknown, finds the same as a short one.
    let many: Vec<Node> = (2..=6_000).map(Node::Item).chain([Node::Goal(2)]).collect();
    assert_eq!(
        ids(store.dependencies(Some(&many)).await.unwrap()),
        [1, 2, 3]
    );
    assert_eq!(
        ids(store.dependencies_into(&many).await.unwrap()),
        [1, 2, 3]
    );
    // A team's: through its goal (G-1), its goal's item (I-1) and its people's items (I-2 by
    // its lead, I-3 by its member).
    assert_eq!(ids(store.team_dependencies(1).await.unwrap()), [1, 2, 3]);
    // A team whose only node is its lead's item I-1.
    store.create(&made(6), team("Solo", 3, &[])).await.unwrap();
    assert_eq!(ids(store.team_dependencies(2).await.unwrap()), [1]);
    assert!(store.team_dependencies(99).await.unwrap().is_empty());
    let mut edges = store.dependency_edges().await.unwrap();
    edges.sort_unstable();
    assert_eq!(
        edges,
        [
            (Node::Item(1), Node::Item(2)),
            (Node::Item(2), Node::Goal(2)),
            (Node::Goal(1), Node::Item(3)),
        ]
    );
    let err = store
        .create(&made(6), dependency(Node::Item(1), Node::Item(2)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");

    let first = Entity::Dependency(store.dependencies(None).await.unwrap().remove(0));
    store.delete(&changed(7), &first).await.unwrap();
    let history = store.history(EntityKind::Dependency, 1).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (&history[1].before, &history[1].after),
        (&Some(first.clone()), &None)
    );
    // Deleted already: a conflict, with nothing written.
    let events = store.events().await.unwrap().len();
    assert!(matches!(
        store.delete(&changed(8), &first).await,
        Err(StoreError::Conflict { .. })
    ));
    let goal = Entity::Goal(store.goal(1).await.unwrap().unwrap());
    assert!(matches!(
        store.delete(&changed(8), &goal).await,
        Err(StoreError::Corrupt(_))
    ));
    assert_eq!(store.events().await.unwrap().len(), events);
    assert_eq!(ids(store.dependencies(None).await.unwrap()), [2, 3]);
}

async fn requests_come_by_number<S: Store>(store: &S) {
    world(store).await;
    store
        .create_batch(
            &made(5),
            vec![request(1, Some(Node::Item(2))), request(1, None)],
        )
        .await
        .unwrap();
    let open = store.request(1).await.unwrap().unwrap();
    assert_eq!((open.num, open.for_node), (1, Some(Node::Item(2))));
    let mut answered = open.clone();
    answered.state = RequestState::Committed;
    answered.answered_by = Some(1);
    answered.item = Some(4);
    answered.answered_at = Some(at(6));
    answered.note = Some("yes".into());
    let answered = store
        .update(
            &changed(6),
            &Entity::Request(open),
            Entity::Request(answered),
        )
        .await
        .unwrap();
    let all = store.requests().await.unwrap();
    assert_eq!(all.iter().map(|r| r.num).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(Entity::Request(all[0].clone()), answered);
    assert_eq!(store.request(3).await.unwrap(), None);
}

async fn checkins_filter_by_people_and_weeks<S: Store>(store: &S) {
    world(store).await;
    store
        .create_batch(
            &made(5),
            vec![
                checkin(2, week(2026, 48)),
                checkin(1, week(2026, 48)),
                checkin(1, week(2026, 47)),
                checkin(3, week(2027, 1)),
            ],
        )
        .await
        .unwrap();
    let key = |cs: Vec<CheckIn>| {
        cs.into_iter()
            .map(|c| (c.week.to_string(), c.person))
            .collect::<Vec<_>>()
    };
    let all = store.checkins(None, None).await.unwrap();
    assert_eq!(all[0].items[0].note.as_deref(), Some("halfway — «ünïcode»"));
    assert_eq!(
        key(all),
        [
            ("2026-W47".to_string(), 1),
            ("2026-W48".to_string(), 1),
            ("2026-W48".to_string(), 2),
            ("2027-W01".to_string(), 3),
        ]
    );
    assert_eq!(
        key(store
            .checkins(Some(&[1, 3]), Some((week(2026, 48), week(2027, 1))))
            .await
            .unwrap()),
        [("2026-W48".to_string(), 1), ("2027-W01".to_string(), 3)]
    );
    assert!(store.checkins(Some(&[]), None).await.unwrap().is_empty());
    let err = store
        .create(&made(6), checkin(1, week(2026, 48)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
}

async fn joined_is_each_persons_first_event<S: Store>(store: &S) {
    init(store).await;
    store.create(&made(3), person("ana")).await.unwrap();
    store.create(&made(1), person("ben")).await.unwrap();
    let ana = store.person(1).await.unwrap().unwrap();
    let mut renamed = ana.clone();
    renamed.name = "Ana".into();
    store
        .update(&changed(9), &Entity::Person(ana), Entity::Person(renamed))
        .await
        .unwrap();
    assert_eq!(store.joined().await.unwrap(), [(1, at(3)), (2, at(1))]);
}

async fn events_between_is_half_open<S: Store>(store: &S) {
    init(store).await;
    for (minute, handle) in [(10, "a"), (20, "b"), (30, "c")] {
        store.create(&made(minute), person(handle)).await.unwrap();
    }
    let handles = |events: Vec<Event>| {
        events
            .into_iter()
            .map(|e| match e.after {
                Some(Entity::Person(p)) => p.handle,
                other => panic!("{other:?}"),
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        handles(store.events_between(at(10), at(30)).await.unwrap()),
        ["a", "b"]
    );
    assert_eq!(
        handles(store.events_between(at(11), at(31)).await.unwrap()),
        ["b", "c"]
    );
    assert!(
        store
            .events_between(at(31), at(40))
            .await
            .unwrap()
            .is_empty()
    );
    // Written last with an instant before older events' (a clock set back), it comes last:
    // the log is in the order it was written.
    store.create(&made(15), person("d")).await.unwrap();
    assert_eq!(
        handles(store.events_between(at(10), at(31)).await.unwrap()),
        ["a", "b", "c", "d"]
    );
}

async fn histories_are_per_entity_and_oldest_first<S: Store>(store: &S) {
    world(store).await;
    for (minute, num) in [(10, 1), (11, 2), (12, 1)] {
        let before = store.item(num).await.unwrap().unwrap();
        let mut after = before.clone();
        after.title = format!("{} at {minute}", before.title);
        store
            .update(&changed(minute), &Entity::Item(before), Entity::Item(after))
            .await
            .unwrap();
    }
    let seqs = |events: Vec<Event>| events.iter().map(|e| e.seq).collect::<Vec<_>>();
    let one = store.history(EntityKind::Item, 1).await.unwrap();
    assert_eq!(one.len(), 3);
    assert!(one.iter().all(|e| e.subject().unwrap().id() == 1));
    assert!(one.windows(2).all(|w| w[0].seq < w[1].seq));
    let both = store.histories(EntityKind::Item, &[2, 1]).await.unwrap();
    assert_eq!(both.len(), 5);
    assert!(both.windows(2).all(|w| w[0].seq < w[1].seq));
    // The goal with id 1 is not the item with id 1.
    assert_eq!(store.history(EntityKind::Goal, 1).await.unwrap().len(), 1);
    assert!(
        store
            .history(EntityKind::Item, 99)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .histories(EntityKind::Item, &[])
            .await
            .unwrap()
            .is_empty()
    );
    let all = store.events().await.unwrap();
    let mut expected: Vec<i64> = all
        .iter()
        .filter(|e| {
            let s = e.subject().unwrap();
            s.kind() == EntityKind::Item && [1, 2].contains(&s.id())
        })
        .map(|e| e.seq)
        .collect();
    expected.sort_unstable();
    assert_eq!(seqs(both), expected);
}

async fn long_logs_are_read_in_pages<S: Store>(store: &S) {
    init(store).await;
    // More events than one page holds (10,000).
    let people: Vec<Entity> = (0..10_050).map(|n| person(&format!("p{n:05}"))).collect();
    store.create_batch(&made(1), people).await.unwrap();
    let events = store.events().await.unwrap();
    assert_eq!(events.len(), 10_051);
    assert!(events.windows(2).all(|w| w[1].seq == w[0].seq + 1));
    assert_eq!(
        store.events_between(at(1), at(2)).await.unwrap().len(),
        10_050
    );
    let ids: Vec<Id> = (1..=10_050).collect();
    // Many entities' histories (read apart on SQLite) are those events, whole and in order.
    let histories = store.histories(EntityKind::Person, &ids).await.unwrap();
    assert_eq!(histories, events[1..]);
    assert_eq!(
        store
            .histories(EntityKind::Person, &ids[..3])
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(store.last_event_seq().await.unwrap(), 10_051);
}

async fn last_event_seq_follows_every_write<S: Store>(store: &S) {
    init(store).await;
    assert_eq!(store.last_event_seq().await.unwrap(), 1);
    store.create(&made(1), person("ana")).await.unwrap();
    assert_eq!(store.last_event_seq().await.unwrap(), 2);
    let _ = store.create(&made(1), person("ana")).await.unwrap_err();
    assert_eq!(store.last_event_seq().await.unwrap(), 2);
    store.create(&made(2), person("ben")).await.unwrap();
    assert_eq!(store.last_event_seq().await.unwrap(), 3);
}

async fn forecasts_are_kept_and_replaced_whole<S: Store>(store: &S) {
    world(store).await;
    assert_eq!(store.forecast_run().await.unwrap(), None);
    let rows = [
        NodeForecast {
            node: Node::Item(3),
            finish: Some(date(2027, 1, 20)),
            incomplete: false,
        },
        NodeForecast {
            node: Node::Item(1),
            finish: None,
            incomplete: false,
        },
        NodeForecast {
            node: Node::Goal(1),
            finish: Some(date(2027, 2, 1)),
            incomplete: true,
        },
    ];
    let goals = [
        KeptGoal {
            goal: 2,
            plan: false,
            risk: GoalRisk::default(),
        },
        KeptGoal {
            goal: 1,
            plan: true,
            risk: GoalRisk {
                blocked: true,
                open: vec![
                    (Some(date(2027, 1, 10)), date(2027, 1, 20)),
                    (None, date(2027, 2, 1)),
                ],
            },
        },
    ];
    store
        .save_forecasts(9, date(2026, 11, 23), &rows, &goals)
        .await
        .unwrap();
    assert_eq!(
        store.forecast_run().await.unwrap(),
        Some((9, date(2026, 11, 23)))
    );
    let asked = [Node::Goal(1), Node::Item(3), Node::Item(1), Node::Item(2)];
    // Items before goals, each by id; absent ones are absent.
    assert_eq!(
        store.forecasts(&asked).await.unwrap(),
        [rows[1], rows[0], rows[2]]
    );
    assert!(store.forecasts(&[]).await.unwrap().is_empty());
    // Kept goals by id; absent ones are absent.
    assert_eq!(
        store.kept_goals(&[1, 2, 3]).await.unwrap(),
        [goals[1].clone(), goals[0].clone()]
    );
    assert!(store.kept_goals(&[]).await.unwrap().is_empty());
    store
        .save_forecasts(12, date(2026, 11, 24), &rows[2..], &goals[..1])
        .await
        .unwrap();
    assert_eq!(
        store.forecast_run().await.unwrap(),
        Some((12, date(2026, 11, 24)))
    );
    assert_eq!(store.forecasts(&asked).await.unwrap(), [rows[2]]);
    assert_eq!(
        store.kept_goals(&[1, 2]).await.unwrap(),
        [goals[0].clone()],
        "replaced whole, with the forecast"
    );
    // Many nodes at once (the SQLite store reads long lists in halves beside each other),
    // asked in any order: items before goals, each by id, once.
    let many: Vec<Node> = (1..=6_000)
        .map(Node::Item)
        .chain((1..=1_500).map(Node::Goal))
        .collect();
    let kept: Vec<NodeForecast> = many
        .iter()
        .map(|&node| {
            let n = match node {
                Node::Item(id) | Node::Goal(id) => id,
            };
            NodeForecast {
                node,
                finish: (n % 2 == 0).then(|| date(2027, 1, 1 + (n % 28) as i8)),
                incomplete: n % 5 == 0,
            }
        })
        .collect();
    let many_goals: Vec<KeptGoal> = (1..=2_500)
        .map(|goal| KeptGoal {
            goal,
            plan: goal % 2 == 0,
            risk: GoalRisk::default(),
        })
        .collect();
    store
        .save_forecasts(13, date(2026, 11, 24), &kept, &many_goals)
        .await
        .unwrap();
    let asked: Vec<Node> = many.iter().rev().copied().collect();
    assert_eq!(store.forecasts(&asked).await.unwrap(), kept);
    let ids: Vec<Id> = many_goals.iter().map(|k| k.goal).collect();
    assert_eq!(store.kept_goals(&ids).await.unwrap(), many_goals);
}

async fn notify_settings_are_replaced_per_person<S: Store>(store: &S) {
    world(store).await;
    assert!(store.notify_settings().await.unwrap().is_empty());
    let workspace = NotifySettings {
        smtp_url: Some("smtp://mail:587".into()),
        mail_from: Some("landed <l@example.org>".into()),
        checkin_day: Some("fri".into()),
        ..NotifySettings::default()
    };
    let ben = NotifySettings {
        person: Some(2),
        email_off: true,
        webhook_url: Some("https://hooks.example/x".into()),
        webhook_secret: Some("whsec_x".into()),
        ..NotifySettings::default()
    };
    store.set_notify_settings(&ben).await.unwrap();
    store.set_notify_settings(&workspace).await.unwrap();
    assert_eq!(
        store.notify_settings().await.unwrap(),
        [workspace.clone(), ben.clone()]
    );
    let quieter = NotifySettings {
        checkin_day: None,
        ..workspace
    };
    store.set_notify_settings(&quieter).await.unwrap();
    assert_eq!(store.notify_settings().await.unwrap(), [quieter, ben]);
}

fn reminder(key: &str, target: &str) -> NewReminder {
    NewReminder {
        key: key.into(),
        channel: "email".into(),
        target: target.into(),
        person: Some(1),
        subject: format!("about {key}"),
        body: "please check in".into(),
    }
}

async fn reminders_are_recorded_once_with_consecutive_ids<S: Store>(store: &S) {
    world(store).await;
    let rows = [
        reminder("checkin:1:2026-W48", "ana@example.org"),
        reminder("checkin:1:2026-W48", "ana@example.org"),
        reminder("checkin:1:2026-W48", "ana@work.example"),
        NewReminder {
            person: None,
            channel: "webhook".into(),
            ..reminder("overdue:2:2026-11-20", "https://hooks.example/x")
        },
    ];
    assert_eq!(store.enqueue_reminders(&rows, at(1)).await.unwrap(), 3);
    assert_eq!(store.enqueue_reminders(&rows, at(2)).await.unwrap(), 0);
    let more = [
        rows[0].clone(),
        reminder("checkin:2:2026-W48", "ben@example.org"),
    ];
    assert_eq!(store.enqueue_reminders(&more, at(3)).await.unwrap(), 1);
    assert_eq!(store.enqueue_reminders(&[], at(3)).await.unwrap(), 0);
    let kept = store.reminders(10).await.unwrap();
    // Newest first; reminders decided again used up no ids.
    assert_eq!(kept.iter().map(|r| r.id).collect::<Vec<_>>(), [4, 3, 2, 1]);
    assert_eq!(kept[0].new, more[1]);
    assert_eq!(kept[1].new, rows[3]);
    assert_eq!(
        (
            kept[0].state,
            kept[0].attempts,
            kept[0].next_at,
            kept[0].created_at
        ),
        (ReminderState::Pending, 0, at(3), at(3))
    );
    assert_eq!((&kept[0].last_error, kept[0].sent_at), (&None, None));
    assert_eq!(store.reminders(2).await.unwrap().len(), 2);
    assert_eq!(
        store.reminder_counts().await.unwrap(),
        [(ReminderState::Pending, 4)]
    );
}

async fn reminders_are_claimed_leased_and_finished_once<S: Store>(store: &S) {
    world(store).await;
    let rows: Vec<NewReminder> = (1..=4)
        .map(|n| reminder(&format!("k{n}"), "ana@example.org"))
        .collect();
    store.enqueue_reminders(&rows, at(0)).await.unwrap();
    // Not yet due.
    assert!(
        store
            .claim_reminders(at(-1), at(4), "early", 10)
            .await
            .unwrap()
            .is_empty()
    );
    let first = store.claim_reminders(at(1), at(5), "a", 3).await.unwrap();
    assert_eq!(first.iter().map(|r| r.id).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(
        first
            .iter()
            .all(|r| r.state == ReminderState::Sending && r.attempts == 1)
    );
    // Leased: only the one left.
    let second = store.claim_reminders(at(2), at(6), "b", 10).await.unwrap();
    assert_eq!(second.iter().map(|r| r.id).collect::<Vec<_>>(), [4]);
    assert!(
        store
            .claim_reminders(at(3), at(7), "c", 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Only the claim holder finishes, once.
    assert!(
        !store
            .finish_reminder(1, "b", &Outcome::Sent, at(3))
            .await
            .unwrap()
    );
    assert!(
        store
            .finish_reminder(1, "a", &Outcome::Sent, at(3))
            .await
            .unwrap()
    );
    assert!(
        !store
            .finish_reminder(1, "a", &Outcome::Sent, at(3))
            .await
            .unwrap()
    );
    let retry = Outcome::Retry {
        next_at: at(30),
        error: "421 try later".into(),
    };
    assert!(store.finish_reminder(2, "a", &retry, at(3)).await.unwrap());
    let dead = Outcome::Dead {
        error: "550 no such user".into(),
    };
    assert!(store.finish_reminder(4, "b", &dead, at(3)).await.unwrap());

    // The lease of 3 ends at 5: another sender takes it over, and the first loses it.
    let taken = store.claim_reminders(at(6), at(9), "d", 10).await.unwrap();
    assert_eq!(
        taken.iter().map(|r| (r.id, r.attempts)).collect::<Vec<_>>(),
        [(3, 2)]
    );
    assert!(
        !store
            .finish_reminder(3, "a", &Outcome::Sent, at(6))
            .await
            .unwrap()
    );
    assert!(
        store
            .finish_reminder(3, "d", &Outcome::Sent, at(7))
            .await
            .unwrap()
    );
    // The retried one comes back when due.
    let again = store
        .claim_reminders(at(30), at(35), "e", 10)
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|r| (r.id, r.attempts)).collect::<Vec<_>>(),
        [(2, 2)]
    );

    let by_id =
        |id: Id, all: &[landed_store::Reminder]| all.iter().find(|r| r.id == id).unwrap().clone();
    let all = store.reminders(10).await.unwrap();
    let sent = by_id(1, &all);
    assert_eq!(
        (sent.state, sent.sent_at),
        (ReminderState::Sent, Some(at(3)))
    );
    let retried = by_id(2, &all);
    assert_eq!(
        (
            retried.state,
            retried.next_at,
            retried.last_error.as_deref()
        ),
        (ReminderState::Sending, at(30), Some("421 try later"))
    );
    let dead = by_id(4, &all);
    assert_eq!(
        (dead.state, dead.last_error.as_deref(), dead.sent_at),
        (ReminderState::Dead, Some("550 no such user"), None)
    );
    assert_eq!(
        store.reminder_counts().await.unwrap(),
        [
            (ReminderState::Dead, 1),
            (ReminderState::Sending, 1),
            (ReminderState::Sent, 2),
        ]
    );
}

async fn write_applies_mixed_changes_in_order<S: Store>(store: &S) {
    world(store).await;
    let before = Entity::Item(store.item(4).await.unwrap().unwrap());
    let mut after = as_item(before.clone());
    after.owner = Some(3);
    let written = store
        .write(vec![
            Change::Create(made(10), goal("new", None, None)),
            Change::Update(changed(11), before.clone(), Entity::Item(after)),
            Change::Create(made(12), item("new", Some(1), Some(3))),
        ])
        .await
        .unwrap();
    assert_eq!(
        written
            .iter()
            .map(|e| (e.kind(), e.id(), e.version()))
            .collect::<Vec<_>>(),
        [
            (EntityKind::Goal, 3, 1),
            (EntityKind::Item, 4, 2),
            (EntityKind::Item, 5, 1),
        ]
    );
    let events = store.events().await.unwrap();
    let last: Vec<&Event> = events.iter().rev().take(3).rev().collect();
    assert_eq!(
        last.iter().map(|e| (e.at, e.kind)).collect::<Vec<_>>(),
        [
            (at(10), EventKind::Created),
            (at(11), EventKind::Updated),
            (at(12), EventKind::Created),
        ]
    );
    assert_eq!(last[1].before.as_ref(), Some(&before));
    for (event, entity) in last.iter().zip(&written) {
        assert_eq!(event.after.as_ref(), Some(entity));
    }
    assert_eq!(store.item(4).await.unwrap().unwrap().owner, Some(3));
    assert!(store.write(Vec::new()).await.unwrap().is_empty());
}

async fn a_failed_write_leaves_no_trace<S: Store>(store: &S) {
    world(store).await;
    let stale = Entity::Item(store.item(1).await.unwrap().unwrap());
    let mut fresh = as_item(stale.clone());
    fresh.title = "moved on".into();
    store
        .update(&changed(5), &stale, Entity::Item(fresh))
        .await
        .unwrap();
    let snapshot = (store.state().await.unwrap(), store.events().await.unwrap());
    let seq = store.last_event_seq().await.unwrap();
    let mut late = as_item(stale.clone());
    late.title = "too late".into();
    let err = store
        .write(vec![
            Change::Create(made(6), person("dee")),
            Change::Create(made(6), goal("new", None, None)),
            Change::Update(changed(6), stale.clone(), Entity::Item(late)),
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    // A duplicate late in the write undoes the earlier changes too.
    let two = Entity::Item(store.item(2).await.unwrap().unwrap());
    let mut renamed = as_item(two.clone());
    renamed.title = "renamed".into();
    let err = store
        .write(vec![
            Change::Update(changed(7), two, Entity::Item(renamed)),
            Change::Create(made(7), person("ana")),
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
    assert_eq!(
        (store.state().await.unwrap(), store.events().await.unwrap()),
        snapshot
    );
    // No id, number or event number was used up.
    let dee = store.create(&made(8), person("dee")).await.unwrap();
    let g = as_goal(
        store
            .create(&made(8), goal("new", None, None))
            .await
            .unwrap(),
    );
    assert_eq!((dee.id(), g.id, g.num), (4, 3, 3));
    let events = store.events().await.unwrap();
    assert_eq!(
        events
            .iter()
            .rev()
            .take(2)
            .map(|e| e.seq)
            .collect::<Vec<_>>(),
        [seq + 2, seq + 1]
    );
}

/// Run `futures` together on this task (as a server's requests run together): their outputs,
/// in order.
async fn all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut futures: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (f, o) in futures.iter_mut().zip(out.iter_mut()) {
            if o.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *o = Some(v),
                    Poll::Pending => waiting = true,
                }
            }
        }
        if waiting {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

/// Many writes at once (SQLite commits them in batches, PostgreSQL on its pool's
/// connections): each is answered with its own outcome. The stale ones change nothing, the
/// others all land, each with its event.
async fn writes_at_once_each_keep_their_own_outcome<S: Store>(store: &S) {
    init(store).await;
    let titles: Vec<String> = (1..=40).map(|n| format!("item {n}")).collect();
    let created = store
        .create_batch(
            &made(1),
            titles.iter().map(|t| item(t, None, None)).collect(),
        )
        .await
        .unwrap();
    let seq = store.last_event_seq().await.unwrap();
    // Every item renamed; every fourth also by a writer holding a version that never was.
    let mut writes = Vec::new();
    for before in &created {
        let mut renamed = as_item(before.clone());
        renamed.title = format!("{} renamed", renamed.title);
        writes.push((before.clone(), renamed.clone()));
        if before.id() % 4 == 0 {
            let mut stale = as_item(before.clone());
            stale.version = 7;
            writes.push((Entity::Item(stale), renamed));
        }
    }
    let meta = changed(2);
    let outcomes = all(writes
        .iter()
        .map(|(before, after)| store.update(&meta, before, Entity::Item(after.clone())))
        .collect())
    .await;
    assert_eq!(outcomes.len(), 50);
    for ((before, _), outcome) in writes.iter().zip(outcomes) {
        match outcome {
            Ok(after) if before.version() == 1 => assert_eq!(after.version(), 2),
            Err(StoreError::Conflict { expected: 7, .. }) if before.version() == 7 => {}
            other => panic!(
                "{} from version {}: {other:?}",
                before.label(),
                before.version()
            ),
        }
    }
    for e in &created {
        let now = store.item(e.id()).await.unwrap().unwrap();
        assert_eq!(now.title, format!("{} renamed", as_item(e.clone()).title));
        assert_eq!(now.version, 2);
    }
    let events = store.events().await.unwrap();
    let new: Vec<&Event> = events.iter().filter(|e| e.seq > seq).collect();
    assert_eq!(
        new.len(),
        40,
        "one event per write that landed, none for the stale ones"
    );
    let subjects: HashSet<Id> = new
        .iter()
        .filter_map(|e| e.subject().map(Entity::id))
        .collect();
    assert_eq!(subjects.len(), 40);
}

async fn create_then_update_is_one_write<S: Store>(store: &S) {
    world(store).await;
    store.create(&made(5), request(1, None)).await.unwrap();
    let open = Entity::Request(store.request(1).await.unwrap().unwrap());
    let request = open.clone();
    let answer = move |delivery: &Entity| {
        let mut r = Request::try_from(request.clone()).unwrap();
        r.state = RequestState::Committed;
        r.item = Some(delivery.id());
        Entity::Request(r)
    };
    let (delivery, answered) = store
        .create_then_update(
            &made(6),
            item("delivery", Some(2), None),
            &changed(6),
            &open,
            answer.clone(),
        )
        .await
        .unwrap();
    assert_eq!((delivery.id(), answered.version()), (5, 2));
    let Entity::Request(r) = &answered else {
        panic!()
    };
    assert_eq!(r.item, Some(5));
    let events = store.events().await.unwrap();
    let n = events.len();
    assert_eq!(events[n - 2].after.as_ref(), Some(&delivery));
    assert_eq!(events[n - 1].after.as_ref(), Some(&answered));
    // On a stale request, the delivery is not created either.
    let snapshot = (store.state().await.unwrap(), store.events().await.unwrap());
    let err = store
        .create_then_update(
            &made(7),
            item("again", None, None),
            &changed(7),
            &open,
            answer,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    assert_eq!(
        (store.state().await.unwrap(), store.events().await.unwrap()),
        snapshot
    );
}

async fn state_is_the_replay_of_the_log<S: Store>(store: &S) {
    world(store).await;
    store
        .create(&made(5), dependency(Node::Item(1), Node::Goal(2)))
        .await
        .unwrap();
    store
        .create(&made(5), checkin(1, week(2026, 48)))
        .await
        .unwrap();
    let dep = Entity::Dependency(store.dependencies(None).await.unwrap().remove(0));
    store.delete(&changed(6), &dep).await.unwrap();
    let state = store.state().await.unwrap();
    let events = store.events().await.unwrap();
    assert_eq!(
        serde_json::to_string(&State::replay(&events)).unwrap(),
        serde_json::to_string(&state).unwrap()
    );
    assert_eq!(
        (
            state.people.len(),
            state.items.len(),
            state.dependencies.len()
        ),
        (3, 4, 0)
    );
}

async fn credentials_tokens_sessions_and_login_failures<S: Store>(store: &S) {
    world(store).await;
    assert_eq!(store.password_hash(1).await.unwrap(), None);
    store.set_password(1, "$argon2id$one", at(1)).await.unwrap();
    store.set_password(1, "$argon2id$two", at(2)).await.unwrap();
    assert_eq!(
        store.password_hash(1).await.unwrap().as_deref(),
        Some("$argon2id$two")
    );

    let token = store
        .create_token(1, "laptop", "hash-1", at(1), Some(at(100)))
        .await
        .unwrap();
    store
        .create_token(2, "ci", "hash-2", at(2), None)
        .await
        .unwrap();
    assert_eq!(
        store.token_by_hash("hash-1").await.unwrap(),
        Some(token.clone())
    );
    assert_eq!(store.token_by_hash("nope").await.unwrap(), None);
    assert!(
        store
            .create_token(3, "x", "hash-1", at(3), None)
            .await
            .is_err()
    );
    assert_eq!(store.tokens(None).await.unwrap().len(), 2);
    assert_eq!(store.tokens(Some(2)).await.unwrap()[0].name, "ci");
    store.touch_token(token.id, at(5)).await.unwrap();
    store.touch_token(token.id, at(4)).await.unwrap();
    assert!(store.revoke_token(token.id, at(6)).await.unwrap());
    assert!(!store.revoke_token(token.id, at(7)).await.unwrap());
    let kept = store.token_by_hash("hash-1").await.unwrap().unwrap();
    assert_eq!(
        (kept.last_used_at, kept.revoked_at),
        (Some(at(5)), Some(at(6)))
    );

    let session = store
        .create_session(1, "cookie-1", "csrf-1", at(1), at(60))
        .await
        .unwrap();
    let other = store
        .create_session(1, "cookie-2", "csrf-2", at(2), at(60))
        .await
        .unwrap();
    assert_eq!(
        store.session_by_hash("cookie-1").await.unwrap(),
        Some(session.clone())
    );
    store.revoke_session(session.id, at(3)).await.unwrap();
    store.revoke_sessions(1, at(4)).await.unwrap();
    assert_eq!(
        store
            .session_by_hash("cookie-1")
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(at(3))
    );
    assert_eq!(
        store
            .session_by_hash("cookie-2")
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(at(4))
    );
    assert_ne!(session.id, other.id);

    for minute in [1, 2, 3] {
        store.login_failure("ana", at(minute)).await.unwrap();
    }
    store.login_failure("ben", at(2)).await.unwrap();
    assert_eq!(store.login_failures_since("ana", at(2)).await.unwrap(), 2);
    store.clear_login_failures("ana").await.unwrap();
    assert_eq!(store.login_failures_since("ana", at(0)).await.unwrap(), 0);
    assert_eq!(store.login_failures_since("ben", at(0)).await.unwrap(), 1);
    // None of it is history.
    assert_eq!(store.last_event_seq().await.unwrap(), 11);
}

/// The stamp moves on with every change to who someone is and what they may do (the
/// workspace, people, teams and members, a token's or session's end), and with nothing else: a
/// server keeps signed-in callers while it stands still.
async fn the_directory_stamp_moves_with_the_directory_and_nothing_else<S: Store>(store: &S) {
    world(store).await;
    let mut last = store.directory_stamp().await.unwrap();
    let mut step = async |what: &str, moves: bool| {
        let now = store.directory_stamp().await.unwrap();
        assert!(
            now >= last,
            "{what}: the stamp went back from {last} to {now}"
        );
        assert_eq!(now > last, moves, "{what}: the stamp was {last}, is {now}");
        last = now;
    };

    let item = store.item(1).await.unwrap().unwrap();
    let mut done = item.clone();
    done.status = ItemStatus::Done;
    store
        .update(&changed(5), &Entity::Item(item), Entity::Item(done))
        .await
        .unwrap();
    store
        .create(&made(5), goal("Another", None, None))
        .await
        .unwrap();
    let token = store
        .create_token(1, "laptop", "hash-1", at(5), None)
        .await
        .unwrap();
    store.touch_token(token.id, at(6)).await.unwrap();
    let session = store
        .create_session(1, "cookie-1", "csrf-1", at(5), at(60))
        .await
        .unwrap();
    store.login_failure("ana", at(6)).await.unwrap();
    store.set_password(1, "$argon2id$x", at(6)).await.unwrap();
    step(
        "items, goals, a new token or session, its use, a password",
        false,
    )
    .await;

    let ana = store.person(1).await.unwrap().unwrap();
    let mut admin = ana.clone();
    admin.role = Role::Admin;
    store
        .update(&changed(7), &Entity::Person(ana), Entity::Person(admin))
        .await
        .unwrap();
    step("a person's role", true).await;
    store.create(&made(7), person("dee")).await.unwrap();
    step("a new person", true).await;
    let core = store.teams().await.unwrap().remove(0);
    let mut bigger = core.clone();
    bigger.members.push(3);
    store
        .update(&changed(8), &Entity::Team(core), Entity::Team(bigger))
        .await
        .unwrap();
    step("a team's members", true).await;
    store.create(&made(8), team("Ops", 2, &[])).await.unwrap();
    step("a new team", true).await;
    let ws = store.workspace().await.unwrap();
    let mut renamed = ws.clone();
    renamed.name = "Renamed".into();
    store
        .update(
            &changed(9),
            &Entity::Workspace(ws),
            Entity::Workspace(renamed),
        )
        .await
        .unwrap();
    step("the workspace", true).await;
    store.revoke_token(token.id, at(9)).await.unwrap();
    step("a token revoked", true).await;
    store.revoke_session(session.id, at(9)).await.unwrap();
    step("a session ended", true).await;
    store
        .create_session(2, "cookie-2", "csrf-2", at(9), at(60))
        .await
        .unwrap();
    step("another session", false).await;
    store.revoke_sessions(2, at(10)).await.unwrap();
    step("a person's sessions ended", true).await;
}

// ---------------------------------------------------------------------------------------------
// Two stores on one database

async fn racing_updates_end_in_one_success_and_one_conflict<S: Store>(a: &S, b: &S) {
    a.create(&made(1), item("contended", None, None))
        .await
        .unwrap();
    for round in 0..10 {
        let read = Entity::Item(a.item(1).await.unwrap().unwrap());
        let mut by_a = as_item(read.clone());
        by_a.title = format!("a{round}");
        let mut by_b = as_item(read.clone());
        by_b.title = format!("b{round}");
        let meta = changed(2);
        let (ra, rb) = tokio::join!(
            a.update(&meta, &read, Entity::Item(by_a)),
            b.update(&meta, &read, Entity::Item(by_b)),
        );
        let (won, lost) = match (ra, rb) {
            (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
            other => panic!("round {round}: {other:?}"),
        };
        assert!(matches!(lost, StoreError::Conflict { .. }), "{lost}");
        assert_eq!(won.version(), round + 2);
        assert_eq!(Some(as_item(won)), b.item(1).await.unwrap());
    }
    assert_eq!(a.history(EntityKind::Item, 1).await.unwrap().len(), 11);
}

async fn racing_creates_get_distinct_numbers<S: Store>(a: &S, b: &S) {
    // Items then goals against goals then items: counters taken in opposite orders.
    let batch = |first: bool| -> Vec<Change> {
        (0..10)
            .map(|n| {
                let e = if (n % 2 == 0) == first {
                    item(&format!("i{n}"), None, None)
                } else {
                    goal(&format!("g{n}"), None, None)
                };
                Change::Create(made(1), e)
            })
            .collect()
    };
    for _ in 0..5 {
        let (ra, rb) = tokio::join!(a.write(batch(true)), b.write(batch(false)));
        ra.unwrap();
        rb.unwrap();
    }
    let items = a.items(&ItemFilter::default()).await.unwrap();
    assert_eq!(nums(&items), (1..=50).collect::<Vec<_>>());
    let goals = b.goals(&GoalFilter::default()).await.unwrap();
    assert_eq!(
        goals.iter().map(|g| g.num).collect::<Vec<_>>(),
        (1..=50).collect::<Vec<_>>()
    );
    let events = a.events().await.unwrap();
    assert_eq!(events.len(), 101);
    assert!(events.windows(2).all(|w| w[1].seq == w[0].seq + 1));
}

async fn racing_claims_never_hand_out_a_reminder_twice<S: Store>(a: &S, b: &S) {
    let rows: Vec<NewReminder> = (0..60)
        .map(|n| reminder(&format!("k{n}"), "ana@example.org"))
        .collect();
    let (na, nb) = tokio::join!(
        a.enqueue_reminders(&rows, at(0)),
        b.enqueue_reminders(&rows, at(0))
    );
    assert_eq!(na.unwrap() + nb.unwrap(), 60, "recorded once");
    let claim_all = async |store: &S, name: &str| {
        let mut got = Vec::new();
        loop {
            let claimed = store.claim_reminders(at(1), at(60), name, 7).await.unwrap();
            if claimed.is_empty() {
                return got;
            }
            got.extend(claimed.into_iter().map(|r| r.id));
        }
    };
    let (ga, gb) = tokio::join!(claim_all(a, "a"), claim_all(b, "b"));
    let mut seen = HashSet::new();
    for id in ga.iter().chain(&gb) {
        assert!(seen.insert(*id), "reminder {id} was claimed twice");
    }
    assert_eq!(seen.len(), 60);
    // Each sender finishes exactly its own.
    for id in &ga {
        assert!(
            !b.finish_reminder(*id, "b", &Outcome::Sent, at(2))
                .await
                .unwrap()
        );
        assert!(
            a.finish_reminder(*id, "a", &Outcome::Sent, at(2))
                .await
                .unwrap()
        );
    }
    let mut counts = Vec::new();
    if !gb.is_empty() {
        counts.push((ReminderState::Sending, gb.len() as i64));
    }
    if !ga.is_empty() {
        counts.push((ReminderState::Sent, ga.len() as i64));
    }
    assert_eq!(b.reminder_counts().await.unwrap(), counts);
}

// ---------------------------------------------------------------------------------------------
// Backend-specific

/// Every version in one migrations directory.
fn migrations(dir: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    let mut names: Vec<String> = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = migrations("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(
        migrations("postgres"),
        sqlite,
        "every migrations/sqlite/NNNN_name.sql needs its migrations/postgres twin"
    );
}

/// The schema both backends end up with: every table's columns in order, whether each may be
/// null, and the indexes created by name (those behind keys and unique constraints are named
/// by each database its own way).
#[tokio::test]
async fn both_backends_have_the_same_tables_columns_and_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    SqlStore::open(&path, true).await.unwrap().close().await;
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    let sqlite_columns: Vec<(String, String, bool)> = sqlite
        .prepare(
            "SELECT m.name, p.name, p.\"notnull\" OR p.pk > 0 FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
             ORDER BY m.name, p.cid",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let sqlite_indexes: Vec<(String, String)> = sqlite
        .prepare(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             ORDER BY tbl_name, name",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(sqlite);
    assert!(sqlite_columns.len() > 50, "{sqlite_columns:?}");

    let Some(db) = PgDb::create("both_backends_have_the_same_tables_columns_and_indexes").await
    else {
        return;
    };
    db.store().await.close().await;
    let mut pg = PgConnection::connect(&db.url).await.unwrap();
    let pg_columns: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable = 'NO' \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx%' \
         ORDER BY table_name COLLATE \"C\", ordinal_position",
    )
    .fetch_all(&mut pg)
    .await
    .unwrap();
    let pg_indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.relname::text, i.relname::text FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public' AND t.relname NOT LIKE '\\_sqlx%' \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) \
         ORDER BY t.relname COLLATE \"C\", i.relname COLLATE \"C\"",
    )
    .fetch_all(&mut pg)
    .await
    .unwrap();
    pg.close().await.unwrap();
    assert_eq!(pg_columns, sqlite_columns);
    assert_eq!(pg_indexes, sqlite_indexes);
}

#[tokio::test]
async fn the_postgres_event_log_refuses_rewrites() {
    let Some(db) = PgDb::create("the_postgres_event_log_refuses_rewrites").await else {
        return;
    };
    let store = db.store().await;
    init(&store).await;
    store.close().await;
    let mut conn = PgConnection::connect(&db.url).await.unwrap();
    for sql in [
        "UPDATE events SET reason = 'x'",
        "DELETE FROM events",
        "TRUNCATE events",
    ] {
        let err = sqlx::query(sql).execute(&mut conn).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    conn.close().await.unwrap();
}

#[tokio::test]
async fn a_second_postgres_store_finds_the_workspace_and_its_migrations_done() {
    let Some(db) = PgDb::create("a_second_postgres_store_finds_the_workspace").await else {
        return;
    };
    let (a, b) = tokio::join!(PgStore::connect(&db.url), PgStore::connect(&db.url));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(matches!(
        b.workspace().await,
        Err(StoreError::NoWorkspace(_))
    ));
    let ws = init(&a).await;
    let c = db.store().await;
    assert_eq!(c.workspace().await.unwrap(), ws);
    // Racing inits: the database holds one workspace, whoever asks.
    assert!(matches!(
        b.init(workspace(), at(1)).await,
        Err(StoreError::AlreadyInitialised(_))
    ));
    for s in [a, b, c] {
        s.close().await;
    }
}

#[tokio::test]
async fn an_unreachable_postgres_is_an_open_error_without_the_password() {
    let err = PgStore::connect("postgres://ana:hunter2@127.0.0.1:1/landed")
        .await
        .err()
        .unwrap();
    let message = err.to_string();
    assert!(matches!(err, StoreError::Open { .. }), "{message}");
    assert!(
        message.starts_with("cannot open the workspace database postgres://ana@127.0.0.1:1/landed"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn any_store_opens_either_backend_by_its_address() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let plain = path.display().to_string();
    assert!(matches!(
        AnyStore::open(&plain, false).await,
        Err(StoreError::NoWorkspace(_))
    ));
    let store = AnyStore::open(&plain, true).await.unwrap();
    assert!(matches!(store, AnyStore::Sqlite(_)));
    init(&store).await;
    store.create(&made(1), person("ana")).await.unwrap();
    store.close().await;
    let again = AnyStore::open(&format!("sqlite://{plain}"), false)
        .await
        .unwrap();
    assert_eq!(again.people().await.unwrap()[0].handle, "ana");
    again.close().await;
    let memory = AnyStore::open("sqlite::memory:", false).await.unwrap();
    assert!(matches!(
        memory.workspace().await,
        Err(StoreError::NoWorkspace(_))
    ));

    let Some(db) = PgDb::create("any_store_opens_either_backend_by_its_address").await else {
        return;
    };
    for url in [
        db.url.clone(),
        db.url.replacen("postgres://", "postgresql://", 1),
    ] {
        let store = AnyStore::open(&url, false).await.unwrap();
        assert!(matches!(store, AnyStore::Postgres(_)));
        if store.workspace().await.is_err() {
            init(&store).await;
        }
        store.close().await;
    }
}

/// Everything a scenario reads back, as text: two backends that print the same transcript
/// cannot be told apart by their callers.
async fn transcript<S: Store>(store: &S) -> String {
    use std::fmt::Write as _;
    world(store).await;
    let mut out = String::new();
    let mut log = |what: &str, value: &dyn std::fmt::Debug| {
        writeln!(out, "{what}: {value:?}").unwrap();
    };
    store
        .create_batch(
            &made(5),
            vec![
                milestone("M", date(2027, 5, 1)),
                dependency(Node::Item(1), Node::Goal(2)),
                request(1, Some(Node::Item(1))),
                checkin(2, week(2026, 48)),
            ],
        )
        .await
        .unwrap();
    store
        .create_batch(
            &made(5),
            vec![
                item("of G-2", None, Some(2)),
                item("of G-1", None, Some(1)),
                item("of G-2 too", Some(1), Some(2)),
                dependency(Node::Goal(2), Node::Item(2)),
                dependency(Node::Item(3), Node::Item(1)),
                dependency(Node::Goal(1), Node::Goal(2)),
            ],
        )
        .await
        .unwrap();
    let one = Entity::Item(store.item(1).await.unwrap().unwrap());
    let mut done = as_item(one.clone());
    done.status = ItemStatus::Done;
    done.done_at = Some("2026-11-23T10:00:00.000000001Z".parse().unwrap());
    // Fifteen significant digits at most: SQLite's JSON functions print no more (see
    // `postgres_keeps_hours_exactly`).
    done.actual_hours = Some(1.0 / 3.0 * 3.0 + 0.125);
    log(
        "update",
        &store.update(&changed(6), &one, Entity::Item(done)).await,
    );
    log(
        "stale",
        &store
            .update(&changed(7), &one, one.clone())
            .await
            .map_err(|e| e.to_string()),
    );
    log(
        "duplicate",
        &store
            .create(&made(7), person("ana"))
            .await
            .map_err(|e| e.to_string()),
    );
    log("workspace", &store.workspace().await);
    log("people", &store.people().await);
    log("teams", &store.teams().await);
    log("team named", &store.team_named("core").await);
    log("team names", &store.team_names().await);
    log("milestones", &store.milestones().await);
    log("goals", &store.goals(&GoalFilter::default()).await);
    log("items", &store.items(&ItemFilter::default()).await);
    log("dependencies", &store.dependencies(None).await);
    log("edges", &store.dependency_edges().await);
    log("open goal items", &store.open_goal_items().await);
    log("requests", &store.requests().await);
    log("checkins", &store.checkins(None, None).await);
    log("joined", &store.joined().await);
    store
        .enqueue_reminders(&[reminder("a", "x"), reminder("b", "y")], at(8))
        .await
        .unwrap();
    log(
        "claimed",
        &store.claim_reminders(at(9), at(10), "c", 1).await,
    );
    let claimed = store.claim_reminders(at(9), at(10), "d", 5).await.unwrap();
    log(
        "finished",
        &store
            .finish_reminder(claimed[0].id, "d", &Outcome::Sent, at(9))
            .await,
    );
    log("reminders", &store.reminders(10).await);
    log("reminder counts", &store.reminder_counts().await);
    log("last seq", &store.last_event_seq().await);
    log(
        "touching",
        &store
            .dependencies(Some(&[Node::Item(1), Node::Goal(2), Node::Item(2)]))
            .await,
    );
    log(
        "into",
        &store
            .dependencies_into(&[Node::Goal(2), Node::Item(1)])
            .await,
    );
    log(
        "histories",
        &store.histories(EntityKind::Item, &[5, 1, 3]).await,
    );
    log("between", &store.events_between(at(4), at(6)).await);
    log("events", &store.events().await);
    log(
        "state",
        &serde_json::to_string(&store.state().await.unwrap()).unwrap(),
    );
    out
}

/// PostgreSQL returns hours exactly as they were written. SQLite rounds them to 15 significant
/// digits where it reads items as JSON rows (`json_array` prints a REAL with `%!.15g`): a
/// known difference, left to be fixed on the SQLite side.
#[tokio::test]
async fn postgres_keeps_hours_exactly() {
    let Some(db) = PgDb::create("postgres_keeps_hours_exactly").await else {
        return;
    };
    let store = db.store().await;
    init(&store).await;
    let mut third = as_item(item("a third", None, None));
    third.estimate_hours = Some(1.0 / 3.0);
    third.actual_hours = Some(0.1 + 0.2);
    store.create(&made(1), Entity::Item(third)).await.unwrap();
    let read = store.item(1).await.unwrap().unwrap();
    assert_eq!(read.estimate_hours, Some(1.0 / 3.0));
    assert_eq!(read.actual_hours, Some(0.1 + 0.2));
    store.close().await;
}

#[tokio::test]
async fn both_backends_return_the_same_bytes() {
    let sqlite = SqlStore::memory().await.unwrap();
    let expected = transcript(&sqlite).await;
    if std::env::var_os("LANDED_SHOW_TRANSCRIPT").is_some() {
        eprintln!("{expected}");
    }
    let Some(db) = PgDb::create("both_backends_return_the_same_bytes").await else {
        return;
    };
    let pg = db.store().await;
    let got = transcript(&pg).await;
    pg.close().await;
    for (n, (want, have)) in expected.lines().zip(got.lines()).enumerate() {
        assert_eq!(have, want, "line {n} of the transcript differs");
    }
    assert_eq!(got.lines().count(), expected.lines().count());
}

/// Two processes given the same request at once (a client's retry racing its first try): one
/// write happens, the other is refused as `KeyInUse` and leaves nothing; a later write with
/// the key is refused too, a different key is not.
async fn racing_writes_with_one_idempotency_key_happen_once<S: Store>(a: &S, b: &S) {
    let keyed = |key: &str| Meta {
        key: Some(key.into()),
        ..made(2)
    };
    for round in 0..10 {
        let key = format!("7:race-{round}");
        let (first, second) = (keyed(&key), keyed(&key));
        let (x, y) = tokio::join!(
            a.create(&first, person(&format!("a{round}"))),
            b.create(&second, person(&format!("b{round}")))
        );
        let refused: Vec<_> = [&x, &y]
            .into_iter()
            .filter_map(|r| r.as_ref().err())
            .collect();
        assert_eq!(refused.len(), 1, "round {round}: {x:?} / {y:?}");
        assert!(matches!(refused[0], StoreError::KeyInUse), "{}", refused[0]);
        assert_eq!(a.keyed(&key).await.unwrap().len(), 1, "round {round}");
    }
    let events = a.events().await.unwrap().len();
    let err = a
        .create(&keyed("7:race-0"), person("late"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::KeyInUse), "{err}");
    assert_eq!(
        a.events().await.unwrap().len(),
        events,
        "a refused write leaves nothing"
    );
    a.create(&keyed("7:fresh"), person("fresh")).await.unwrap();
}

/// Two SQLite stores on one file, as two processes would have, writing at the same moment
/// from two threads: every write lands (the second waits for the first's lock instead of
/// failing), numbers are distinct and the log has no gap. A closed store then refuses to read
/// or write, saying it is closed.
#[test]
fn sqlite_writers_on_two_threads_wait_for_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    runtime().block_on(async {
        let store = SqlStore::open(&path, true).await.unwrap();
        init(&store).await;
        store.close().await;
    });
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                runtime().block_on(async {
                    let store = SqlStore::open(&path, false).await.unwrap();
                    for n in 0..100 {
                        let made = store
                            .create(&made(1), item(&format!("w{w} {n}"), None, None))
                            .await
                            .unwrap();
                        let mut after = as_item(made.clone());
                        after.title = format!("w{w} {n} renamed");
                        store
                            .update(&changed(2), &made, Entity::Item(after))
                            .await
                            .unwrap();
                    }
                    store.close().await;
                })
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    runtime().block_on(async {
        let store = SqlStore::open(&path, false).await.unwrap();
        let items = store.items(&ItemFilter::default()).await.unwrap();
        assert_eq!(nums(&items), (1..=200).collect::<Vec<_>>());
        assert!(
            items
                .iter()
                .all(|i| i.title.ends_with("renamed") && i.version == 2)
        );
        let events = store.events().await.unwrap();
        assert_eq!(events.len(), 1 + 400);
        assert!(events.windows(2).all(|w| w[1].seq == w[0].seq + 1));
        store.close().await;
        let read = store.items(&ItemFilter::default()).await.unwrap_err();
        assert!(matches!(read, StoreError::Closed), "{read}");
        assert!(read.is_unavailable());
        let write = store
            .create(&made(3), item("late", None, None))
            .await
            .unwrap_err();
        assert!(matches!(write, StoreError::Closed), "{write}");
    });
}

/// A file that is not a SQLite database is an open error that says so once, with the path.
/// Closing a SQLite store commits the writes already asked for before it returns, and
/// refuses later ones; the file then holds every write that was answered.
#[tokio::test]
async fn closing_sqlite_keeps_the_writes_asked_for_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let store = SqlStore::open(&path, true).await.unwrap();
    init(&store).await;
    let titles: Vec<String> = (1..=20).map(|n| format!("item {n}")).collect();
    let meta = made(1);
    type Step<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = bool> + 'a>>;
    let mut writes: Vec<Step<'_>> = Vec::new();
    for t in &titles {
        let write = store.create(&meta, item(t, None, None));
        writes.push(Box::pin(async move { write.await.is_ok() }));
    }
    // Polled after the writes, so it is asked for after them all.
    writes.push(Box::pin(async {
        store.close().await;
        true
    }));
    assert!(all(writes).await.into_iter().all(|ok| ok));
    let err = store
        .create(&meta, item("late", None, None))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Closed), "{err}");
    let again = SqlStore::open(&path, false).await.unwrap();
    let items = again.items(&ItemFilter::default()).await.unwrap();
    assert_eq!(items.len(), 20);
    again.close().await;
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_an_open_error_saying_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "not a database, just some notes\n".repeat(200)).unwrap();
    let err = SqlStore::open(&path, false).await.err().unwrap();
    let message = err.to_string();
    assert!(matches!(err, StoreError::Open { .. }), "{message}");
    assert_eq!(
        message,
        format!(
            "cannot open the workspace database {}: file is not a database",
            path.display()
        )
    );
    assert!(std::error::Error::source(&err).is_none(), "{message}");
}
