//! `landed review` (DESIGN §4) on a team whose weeks are placed in time: people join, items
//! slip and get blocked on given days, check-ins are stored for given weeks. The review is
//! taken on Thursday 2026-11-26 (ISO week 2026-W48, Monday 23 to Sunday 29 November).

use jiff::Timestamp;
use landed_app::goals::{self, GoalInput};
use landed_app::items::{self, Action, ItemInput, ItemPatch};
use landed_app::org::{self, NewPerson};
use landed_app::review::{self, Review};
use landed_app::{AppError, Ctx};
use landed_core::capacity::Week;
use landed_core::deps::{DepClass, PhantomWhy};
use landed_core::event::{Entity, EventKind};
use landed_core::health::HealthReason;
use landed_core::model::{CheckIn, CheckInItem, Confidence, GoalConfidence, ItemStatus};
use landed_core::review::Standing;
use landed_core::rules::Rule;
use landed_core::slip::DateChange;
use landed_store::{Change, Meta, SqlStore, Store};

/// The review's "now": Thursday of 2026-W48, in UTC (everyone here is in UTC).
const NOW: &str = "2026-11-26T12:00:00Z";

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn week(text: &str) -> Week {
    text.parse().unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn as_at<'s>(store: &'s SqlStore, who: &str, when: &str) -> Ctx<'s, SqlStore> {
    Ctx::new(store, Some(who), at(when)).await.unwrap()
}

async fn person(store: &SqlStore, handle: &str, when: &str) {
    let ctx = Ctx::new(store, None, at(when)).await.unwrap();
    org::add_person(
        &ctx,
        NewPerson {
            handle: handle.into(),
            name: format!("{handle} Example"),
            tz: Some("UTC".into()),
            ..NewPerson::default()
        },
    )
    .await
    .unwrap();
}

/// A goal of `team` with an outcome, an owner and a target, added as `ctx`'s person: its id.
async fn team_goal(
    ctx: &Ctx<'_, SqlStore>,
    title: &str,
    outcome: &str,
    owner: &str,
    by: &str,
    team: &str,
) -> String {
    goals::add(
        ctx,
        GoalInput {
            title: title.into(),
            outcome: Some(outcome.into()),
            owner: Some(owner.into()),
            by: Some(by.into()),
            team: Some(team.into()),
            ..GoalInput::default()
        },
    )
    .await
    .unwrap()
    .id
}

/// Payments' "Payout reports", a plan: ana's, with chloe's "Report format" due 15 January;
/// added as `ctx`'s person. The goal's id.
async fn payout_reports(ctx: &Ctx<'_, SqlStore>) -> String {
    let goal = team_goal(
        ctx,
        "Payout reports",
        "daily CSV to every merchant by 07:00",
        "ana",
        "2027-01-29",
        "Payments",
    )
    .await;
    items::add(
        ctx,
        step("Report format", "chloe", Some("2027-01-15"), &goal),
    )
    .await
    .unwrap();
    goal
}

fn step(title: &str, owner: &str, due: Option<&str>, goal: &str) -> ItemInput {
    ItemInput {
        title: title.into(),
        outcome: Some(format!("{title}: reviewed and live")),
        owner: Some(owner.into()),
        due: due.map(String::from),
        estimate: Some("8h".into()),
        goal: Some(goal.into()),
        ..ItemInput::default()
    }
}

/// A check-in of `who` for `week`, stored as the check-in command would store it.
async fn check_in(
    store: &SqlStore,
    who: &str,
    week_text: &str,
    given: &str,
    edit: impl FnOnce(&mut CheckIn),
) {
    let person = store.person_by_handle(who).await.unwrap().unwrap();
    let mut c = CheckIn {
        id: 0,
        person: person.id,
        week: week(week_text),
        items: Vec::new(),
        done: Some("the usual".into()),
        blocked: None,
        needs_help: None,
        goals: Vec::new(),
        created_at: at(given),
        updated_at: at(given),
        version: 0,
    };
    edit(&mut c);
    let meta = Meta::new(Some(person.id), at(given), EventKind::CheckedIn);
    store
        .write(vec![Change::Create(meta, Entity::CheckIn(c))])
        .await
        .unwrap();
}

/// Payments (lead @ana, members @ben and @chloe) and Platform (lead @dee):
/// - @ana and @chloe joined on Monday of 2026-W45, @ben on Thursday of 2026-W45 ("three
///   weeks ago"), so @ben owes 2026-W46 and 2026-W47; he checked in for W46 only;
/// - G-1 (a plan at the week's start) has I-1, which @ben slips past G-1's target on
///   Wednesday of W48, and I-2, slipped last week and blocked by @chloe on Tuesday of W48;
/// - G-2 has no target and an undated item: an aspiration;
/// - @chloe's W48 check-in asks for help; @ana's says G-1 is off track.
async fn payments(store: &SqlStore) {
    let t0 = "2026-11-02T09:00:00Z";
    landed_app::init(store, "Test", "UTC", at(t0))
        .await
        .unwrap();
    person(store, "ana", t0).await;
    person(store, "chloe", t0).await;
    person(store, "dee", t0).await;
    person(store, "ben", "2026-11-05T10:00:00Z").await;
    let ctx = as_at(store, "ana", "2026-11-05T11:00:00Z").await;
    org::add_team(&ctx, "Payments", "ana", &["ben".into(), "chloe".into()])
        .await
        .unwrap();
    org::add_team(&ctx, "Platform", "dee", &[]).await.unwrap();
    goals::add(
        &ctx,
        GoalInput {
            title: "Launch SEPA instant".into(),
            outcome: Some("live for EU customers, < 10 s end to end".into()),
            owner: Some("ana".into()),
            by: Some("2026-12-18".into()),
            team: Some("Payments".into()),
            ..GoalInput::default()
        },
    )
    .await
    .unwrap();
    items::add(
        &ctx,
        step("Scheme adapter", "ben", Some("2026-12-10"), "G-1"),
    )
    .await
    .unwrap();
    items::add(
        &ctx,
        step("Bank sandbox tests", "chloe", Some("2026-12-01"), "G-1"),
    )
    .await
    .unwrap();
    goals::add(
        &ctx,
        GoalInput {
            title: "Fraud scoring in checkout".into(),
            outcome: Some("score on every payment, p95 < 50 ms".into()),
            owner: Some("ana".into()),
            team: Some("Payments".into()),
            ..GoalInput::default()
        },
    )
    .await
    .unwrap();
    items::add(&ctx, step("Signal inventory", "chloe", None, "G-2"))
        .await
        .unwrap();
    // Platform's I-4, which I-1 needs: not the team's, though the team depends on it.
    let ctx = as_at(store, "dee", "2026-11-05T11:00:00Z").await;
    let mut quota = step("Raise the sandbox quota", "dee", Some("2026-12-05"), "G-1");
    quota.goal = None;
    items::add(&ctx, quota).await.unwrap();
    landed_app::links::add(&ctx, "I-1", "I-4", None)
        .await
        .unwrap();

    // Last week (W47): a slip that is not this week's.
    let ctx = as_at(store, "chloe", "2026-11-18T10:00:00Z").await;
    let due = |d: &str| ItemPatch {
        due: Some(Some(d.into())),
        ..ItemPatch::default()
    };
    items::edit(
        &ctx,
        "I-2",
        due("2026-12-04"),
        Some("bank holiday in the sandbox team"),
    )
    .await
    .unwrap();
    // This week (W48): a block, a slip past the goal's target, and Platform's own slip.
    let ctx = as_at(store, "dee", "2026-11-23T12:00:00Z").await;
    items::edit(
        &ctx,
        "I-4",
        due("2026-12-15"),
        Some("Platform's own reason"),
    )
    .await
    .unwrap();
    let ctx = as_at(store, "chloe", "2026-11-24T10:00:00Z").await;
    items::act(
        &ctx,
        "I-2",
        Action::Block,
        Some("waiting for the bank's sandbox keys"),
        None,
    )
    .await
    .unwrap();
    // Edited while blocked: still blocked since Tuesday.
    let ctx = as_at(store, "chloe", "2026-11-25T11:00:00Z").await;
    let outcome = ItemPatch {
        outcome: Some(Some(
            "all sandbox cases green, signed off by the bank".into(),
        )),
        ..ItemPatch::default()
    };
    items::edit(&ctx, "I-2", outcome, None).await.unwrap();
    let ctx = as_at(store, "ben", "2026-11-25T15:00:00Z").await;
    items::edit(
        &ctx,
        "I-1",
        due("2026-12-22"),
        Some("the scheme's test window moved"),
    )
    .await
    .unwrap();

    check_in(store, "ben", "2026-W46", "2026-11-13T16:00:00Z", |_| {}).await;
    for w in ["2026-W46", "2026-W47"] {
        let given = if w == "2026-W46" {
            "2026-11-13T16:00:00Z"
        } else {
            "2026-11-20T16:00:00Z"
        };
        check_in(store, "ana", w, given, |_| {}).await;
        check_in(store, "chloe", w, given, |_| {}).await;
    }
    let i2 = store.item(2).await.unwrap().unwrap();
    check_in(store, "chloe", "2026-W48", "2026-11-26T09:00:00Z", |c| {
        c.needs_help = Some("someone from Platform to chase the bank's sandbox keys".into());
        c.items = vec![CheckInItem {
            item: i2.id,
            status: ItemStatus::Blocked,
            note: Some("keys promised for Friday".into()),
        }];
    })
    .await;
    let g1 = store.goal(1).await.unwrap().unwrap();
    check_in(store, "ana", "2026-W48", "2026-11-26T10:00:00Z", |c| {
        c.goals = vec![GoalConfidence {
            goal: g1.id,
            confidence: Confidence::OffTrack,
        }];
    })
    .await;
}

/// [`payments`] in memory, with G-3: "Payout reports", a plan since last week (Wednesday of
/// W47), whose only item is I-5.
async fn payments_with_payout_reports() -> SqlStore {
    let store = SqlStore::memory().await.unwrap();
    payments(&store).await;
    let ctx = as_at(&store, "ana", "2026-11-18T08:00:00Z").await;
    assert_eq!(payout_reports(&ctx).await, "G-3");
    store
}

async fn reviewed(store: &SqlStore, week: Option<&str>) -> Review {
    let ctx = as_at(store, "ana", NOW).await;
    review::review(&ctx, "payments", week).await.unwrap()
}

#[test]
fn the_review_of_this_week_names_what_the_lead_must_act_on() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlStore::open(&dir.path().join("w.db"), true)
            .await
            .unwrap();
        payments(&store).await;
        let r = reviewed(&store, None).await;
        assert_eq!(
            (r.team.as_str(), r.lead.as_deref()),
            ("Payments", Some("ana"))
        );
        assert_eq!(r.week, week("2026-W48"));
        assert!(r.so_far);

        // 1. The blocked item, its reason, and for how long: since Tuesday, from its history
        // (it was edited on Wednesday).
        assert_eq!(r.blocked.len(), 1);
        let b = &r.blocked[0];
        assert_eq!(b.id, "I-2");
        assert_eq!(
            b.reason.as_deref(),
            Some("waiting for the bank's sandbox keys")
        );
        assert_eq!(b.since.to_string(), "2026-11-24");
        assert_eq!(b.days, 2);

        // 2. Needs help: @chloe's text and blocked item note; @ana's goal off track.
        let chloe = r.needs_help.iter().find(|h| h.person == "chloe").unwrap();
        assert_eq!(
            chloe.needs_help.as_deref(),
            Some("someone from Platform to chase the bank's sandbox keys")
        );
        assert_eq!(chloe.items[0].id, "I-2");
        assert_eq!(
            chloe.items[0].note.as_deref(),
            Some("keys promised for Friday")
        );
        let ana = r.needs_help.iter().find(|h| h.person == "ana").unwrap();
        assert_eq!(ana.goals[0].id, "G-1");
        assert_eq!(ana.goals[0].confidence, Confidence::OffTrack);

        // 3. This week's slip with its reason; neither last week's slip of I-2 nor Platform's
        // slip of I-4 (which the team needs) is there.
        assert_eq!(r.slips.len(), 1, "{:?}", r.slips);
        let s = &r.slips[0];
        assert_eq!(s.id, "I-1");
        assert_eq!(s.reason.as_deref(), Some("the scheme's test window moved"));
        assert_eq!(s.by.as_deref(), Some("ben"));
        assert_eq!(
            s.change,
            DateChange::Slip {
                from: "2026-12-10".parse().unwrap(),
                to: "2026-12-22".parse().unwrap(),
                days: 12
            }
        );

        // 4. @ben joined in W45 and skipped W47; W48 is not over, so not missed yet.
        let ben = r.check_ins.iter().find(|c| c.person == "ben").unwrap();
        assert_eq!(ben.owed, vec![week("2026-W46"), week("2026-W47")]);
        assert_eq!(ben.missed, vec![week("2026-W47")]);
        assert!(!ben.checked_in, "no check-in for W48 yet");
        let chloe = r.check_ins.iter().find(|c| c.person == "chloe").unwrap();
        assert!(chloe.missed.is_empty() && chloe.checked_in);
        assert_eq!((r.counts.missed_check_ins, r.counts.missed_by), (1, 1));

        // 7. G-1 was a plan on Monday; I-1 now falls after its target: no longer a plan.
        assert_eq!(r.health_dropped.len(), 1, "{:?}", r.health_dropped);
        let d = &r.health_dropped[0];
        assert_eq!(d.id, "G-1");
        assert_ne!(d.from, Standing::Aspiration);
        assert_eq!(d.to, Standing::Aspiration);
        assert_eq!(d.new_failing, vec![Rule::ItemAfterTarget]);

        // 8. G-2 (and now G-1) are aspirations, each with the rules it fails and where.
        let g2 = r.aspirations.iter().find(|a| a.id == "G-2").unwrap();
        let failing: Vec<Rule> = g2.failing.iter().map(|f| f.rule).collect();
        assert_eq!(failing, vec![Rule::GoalMissingDate, Rule::ItemMissingWhen]);
        assert_eq!(g2.failing[1].items, vec!["I-3".to_string()]);
        assert!(g2.failing.iter().all(|f| f.fix.is_some()));
        assert!(r.aspirations.iter().any(|a| a.id == "G-1"));
        assert_eq!(r.counts.aspirations, 2);
    });
}

#[test]
fn a_past_week_shows_its_own_slips_and_misses_and_a_future_week_is_refused() {
    runtime().block_on(async {
        let store = SqlStore::memory().await.unwrap();
        payments(&store).await;
        let r = reviewed(&store, Some("2026-W47")).await;
        assert!(!r.so_far);
        let slips: Vec<&str> = r.slips.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(slips, vec!["I-2"], "only W47's slip");
        assert_eq!(
            r.slips[0].reason.as_deref(),
            Some("bank holiday in the sandbox team")
        );
        let ben = r.check_ins.iter().find(|c| c.person == "ben").unwrap();
        assert_eq!(ben.missed, vec![week("2026-W47")], "W47 is over");
        assert!(!ben.checked_in);
        assert!(r.needs_help.is_empty(), "W48's check-ins are not W47's");
        // At the end of W47, G-1 was still a plan: nothing dropped during W47.
        assert!(r.health_dropped.is_empty(), "{:?}", r.health_dropped);

        let ctx = as_at(&store, "ana", NOW).await;
        let err = review::review(&ctx, "Payments", Some("2026-W49"))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("2026-W49 has not begun")
                && err.to_string().contains("this week is 2026-W48"),
            "{err}"
        );
        let err = review::review(&ctx, "Payments", Some("week 48"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("2026-W48"), "{err}");
        let err = review::review(&ctx, "Paymnets", None).await.unwrap_err();
        assert!(matches!(err, AppError::UnknownTeam { .. }), "{err}");
        assert!(err.to_string().contains("did you mean Payments?"), "{err}");
    });
}

#[test]
fn a_plan_whose_item_stays_blocked_past_three_days_has_dropped_by_the_weeks_end() {
    runtime().block_on(async {
        let store = payments_with_payout_reports().await;
        // Its only item is blocked on Monday of W48.
        let ctx = as_at(&store, "chloe", "2026-11-23T10:00:00Z").await;
        items::act(
            &ctx,
            "I-5",
            Action::Block,
            Some("no merchant list yet"),
            None,
        )
        .await
        .unwrap();

        // Wednesday: blocked for two days, within the three allowed.
        let ctx = as_at(&store, "ana", "2026-11-25T18:00:00Z").await;
        let r = review::review(&ctx, "Payments", None).await.unwrap();
        assert!(
            r.health_dropped.iter().all(|d| d.id != "G-3"),
            "{:?}",
            r.health_dropped
        );
        // Sunday: six days.
        let ctx = as_at(&store, "ana", "2026-11-29T18:00:00Z").await;
        let r = review::review(&ctx, "Payments", None).await.unwrap();
        let blocked: Vec<(&str, i64)> = r.blocked.iter().map(|b| (b.id.as_str(), b.days)).collect();
        assert_eq!(
            blocked,
            vec![("I-5", 6), ("I-2", 5)],
            "longest blocked first"
        );
        let d = r.health_dropped.iter().find(|d| d.id == "G-3").unwrap();
        assert_eq!((d.from, d.to), (Standing::OnTrack, Standing::AtRisk));
        assert_eq!(d.new_reasons, vec![HealthReason::BlockedItems]);
        assert!(d.new_failing.is_empty());
    });
}

#[test]
fn a_plan_whose_supplier_slipped_past_the_need_has_dropped_off_track() {
    runtime().block_on(async {
        let store = payments_with_payout_reports().await;
        // Last week: G-3's I-5 needs Platform's I-6, due in time.
        let ctx = as_at(&store, "dee", "2026-11-18T09:00:00Z").await;
        let mut export = step("Ledger export API", "dee", Some("2027-01-08"), "G-1");
        export.goal = None;
        items::add(&ctx, export).await.unwrap();
        landed_app::links::add(&ctx, "I-5", "I-6", None)
            .await
            .unwrap();
        // This week Platform slips I-6 past the day I-5 needs it.
        let ctx = as_at(&store, "dee", "2026-11-24T09:00:00Z").await;
        let later = ItemPatch {
            due: Some(Some("2027-01-20".into())),
            ..ItemPatch::default()
        };
        items::edit(&ctx, "I-6", later, Some("ledger schema review"))
            .await
            .unwrap();

        let r = reviewed(&store, None).await;
        let d = r.health_dropped.iter().find(|d| d.id == "G-3").unwrap();
        assert_eq!((d.from, d.to), (Standing::OnTrack, Standing::OffTrack));
        assert_eq!(d.new_reasons, vec![HealthReason::LateDependency]);
        let late = r.dependencies.iter().find(|v| v.from == "I-5").unwrap();
        assert_eq!((late.to.as_str(), late.class), ("I-6", DepClass::Late));
        // Platform's slip is Platform's: not among the team's slips.
        assert!(r.slips.iter().all(|s| s.id != "I-6"), "{:?}", r.slips);
    });
}

/// A goal at the far end of the team's dependencies that nothing touched this week is the
/// same at every moment of the review: it is judged from what was kept of its items with the
/// forecast, not from its items. The proof: the kept row, changed behind the store's back,
/// is what the review reports, until a write makes the kept forecast stale.
#[test]
fn a_far_goal_untouched_this_week_is_judged_from_what_was_kept_of_it() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let store = SqlStore::open(&path, true).await.unwrap();
        payments(&store).await;
        // Last week: Platform's G-3 (in time for I-1, due on the 22nd) gets a blocked item,
        // and I-1 comes to need G-3.
        let ctx = as_at(&store, "dee", "2026-11-17T09:00:00Z").await;
        team_goal(
            &ctx,
            "Ledger v2",
            "every posting double-entry, reconciled daily",
            "dee",
            "2026-12-20",
            "Platform",
        )
        .await;
        for (title, due) in [("Ledger schema", "2026-12-10"), ("Backfill", "2026-12-15")] {
            items::add(&ctx, step(title, "dee", Some(due), "G-3"))
                .await
                .unwrap();
        }
        items::act(
            &ctx,
            "I-6",
            Action::Block,
            Some("no disk for the backfill"),
            None,
        )
        .await
        .unwrap();
        landed_app::links::add(&ctx, "I-1", "G-3", None)
            .await
            .unwrap();

        let class_of_g3 = |r: &Review| {
            r.dependencies
                .iter()
                .find(|v| (v.from.as_str(), v.to.as_str()) == ("I-1", "G-3"))
                .map(|v| (v.class, v.why))
        };
        let r = reviewed(&store, None).await;
        assert_eq!(class_of_g3(&r), Some((DepClass::AtRisk, None)), "blocked");

        let sql = |sql: &str| {
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute_batch(sql)
                .unwrap()
        };
        sql(r#"UPDATE kept_goals SET risk = '{"blocked":false,"open":[]}'"#);
        assert_eq!(
            class_of_g3(&reviewed(&store, None).await),
            None,
            "kept as not at risk: the dependency is fine, so not listed"
        );
        sql("UPDATE kept_goals SET plan = 0");
        assert_eq!(
            class_of_g3(&reviewed(&store, None).await),
            Some((DepClass::Phantom, Some(PhantomWhy::Aspiration)))
        );

        // Any write makes the kept forecast stale: G-3 is judged afresh from its items.
        let ctx = as_at(&store, "chloe", NOW).await;
        let title = ItemPatch {
            title: Some("Signal inventory, first pass".into()),
            ..ItemPatch::default()
        };
        items::edit(&ctx, "I-3", title, None).await.unwrap();
        let r = reviewed(&store, None).await;
        assert_eq!(class_of_g3(&r), Some((DepClass::AtRisk, None)));
    });
}

/// A far goal that the week touched is judged from its items, at each moment: blocked this
/// week, it was not at risk when the week began, so the goal that needs it dropped for it.
#[test]
fn a_far_goal_blocked_this_week_is_judged_from_its_items_at_the_weeks_start() {
    runtime().block_on(async {
        let store = SqlStore::memory().await.unwrap();
        payments(&store).await;
        let ctx = as_at(&store, "dee", "2026-11-17T09:00:00Z").await;
        team_goal(
            &ctx,
            "Ledger v2",
            "every posting double-entry, reconciled daily",
            "dee",
            "2026-12-20",
            "Platform",
        )
        .await;
        items::add(&ctx, step("Backfill", "dee", Some("2026-12-15"), "G-3"))
            .await
            .unwrap();
        // Payments' G-4 (a plan): its I-6 needs G-3 by 15 January, in time.
        let ctx = as_at(&store, "ana", "2026-11-17T10:00:00Z").await;
        assert_eq!(payout_reports(&ctx).await, "G-4");
        landed_app::links::add(&ctx, "I-6", "G-3", None)
            .await
            .unwrap();
        // This week (W48): Platform's item is blocked.
        let ctx = as_at(&store, "dee", "2026-11-24T09:00:00Z").await;
        items::act(&ctx, "I-5", Action::Block, Some("no disk"), None)
            .await
            .unwrap();

        let r = reviewed(&store, None).await;
        let d = r.health_dropped.iter().find(|d| d.id == "G-4").unwrap();
        assert!(
            d.new_reasons.contains(&HealthReason::AtRiskDependency),
            "{:?}",
            d.new_reasons
        );
    });
}

#[test]
fn an_item_changed_twice_this_week_is_rewound_to_before_the_first_change() {
    runtime().block_on(async {
        let store = payments_with_payout_reports().await;
        // Tuesday: I-5 loses its date; Wednesday: it is renamed, its date still gone.
        let ctx = as_at(&store, "chloe", "2026-11-24T10:00:00Z").await;
        let undated = ItemPatch {
            due: Some(None),
            ..ItemPatch::default()
        };
        items::edit(&ctx, "I-5", undated, Some("the format waits for legal"))
            .await
            .unwrap();
        let ctx = as_at(&store, "chloe", "2026-11-25T10:00:00Z").await;
        let renamed = ItemPatch {
            title: Some("Report format, v2".into()),
            ..ItemPatch::default()
        };
        items::edit(&ctx, "I-5", renamed, None).await.unwrap();

        // At the week's start I-5 was dated (as before Tuesday's change, not Wednesday's):
        // G-3 was a plan then and fails the When rule now.
        let r = reviewed(&store, None).await;
        let d = r.health_dropped.iter().find(|d| d.id == "G-3");
        let d = d.unwrap_or_else(|| panic!("G-3 dropped: {:?}", r.health_dropped));
        assert_eq!(d.new_failing, vec![Rule::ItemMissingWhen], "{d:?}");
    });
}
