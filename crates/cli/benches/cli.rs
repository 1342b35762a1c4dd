//! Whole-process timings of `landed` on a 100,000-item SQLite workspace (goal: under 20 ms
//! each for `next` and `goal show`, under 30 ms for `impact`). The workspace is made once
//! with `landed demo --size large` and kept in the target directory.
//!
//! Run: cargo bench -p landed --bench cli

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

fn landed(db: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_landed"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("landed runs");
    assert!(
        out.status.success(),
        "landed {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn workspace() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let db = dir.join("bench-large-100k.db");
    if !db.exists() {
        let tmp = dir.join("bench-large-100k.tmp.db");
        let _ = std::fs::remove_file(&tmp);
        landed(&tmp, &["demo", "--size", "large", "--force"]);
        std::fs::rename(&tmp, &db).unwrap();
        for s in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", tmp.display()));
        }
    }
    db
}

fn whole_process(c: &mut Criterion) {
    let db = workspace();
    let item: serde_json::Value =
        serde_json::from_slice(&landed(&db, &["item", "show", "I-1", "--json"]).stdout).unwrap();
    let owner = item["owner"]
        .as_str()
        .expect("I-1 has an owner")
        .to_string();
    let mut group = c.benchmark_group("cli 100k items");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("landed next", |b| {
        b.iter(|| landed(&db, &["next", "--for", &owner]))
    });
    group.bench_function("landed goal show G-1", |b| {
        b.iter(|| landed(&db, &["goal", "show", "G-1"]))
    });
    // The item with the most transitive dependents: its slip reaches 42 items and 488 goals
    // of all 50 teams.
    group.bench_function("landed impact I-7149", |b| {
        b.iter(|| landed(&db, &["impact", "I-7149"]))
    });
    group.bench_function("landed --version (process floor)", |b| {
        b.iter(|| landed(&db, &["--version"]))
    });
    group.finish();

    // The weekly report of all 1,000 goals (goal: under 2 s), for the week the workspace was
    // made in: every entity's creation is that week's news (131,563 events), the worst case.
    let made: serde_json::Value =
        serde_json::from_slice(&landed(&db, &["history", "G-1", "--json"]).stdout).unwrap();
    let made: jiff::Timestamp = made[0]["at"].as_str().unwrap().parse().unwrap();
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let week = landed_core::week::week_of(made, &tz).to_string();
    let mut report = c.benchmark_group("cli 100k items, report");
    report
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    report.bench_function("landed report --workspace --format html", |b| {
        b.iter(|| {
            landed(
                &db,
                &["report", "--workspace", "--week", &week, "--format", "html"],
            )
        })
    });
    report.finish();
}

/// `landed review` of a 20-person team (goal: under 50 ms), whole process and in process, on a
/// copy of the large workspace given a week of life (see [`a_week_of_changes`]).
///
/// Run: cargo bench -p landed --bench cli -- review
fn review(c: &mut Criterion) {
    let (db, team, now) = review_workspace(&workspace());
    let mut group = c.benchmark_group("cli 100k items, a week of changes");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("landed review --team (20 people)", |b| {
        b.iter(|| landed_at(&db, &["review", "--team", &team], &now))
    });
    let rt = review_runtime();
    let store = rt
        .block_on(landed_store::SqlStore::open(&db, false))
        .unwrap();
    let at: jiff::Timestamp = now.parse().unwrap();
    group.bench_function("review::review in process (20 people)", |b| {
        b.iter(|| {
            rt.block_on(async {
                let ctx = landed_app::Ctx::new(&store, None, at).await.unwrap();
                landed_app::review::review(&ctx, &team, None).await.unwrap()
            })
        })
    });
    rt.block_on(store.close());
    group.finish();
}

fn landed_at(db: &Path, args: &[&str], now: &str) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_landed"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("NO_COLOR", "1")
        .env("LANDED_NOW", now)
        .output()
        .expect("landed runs");
    assert!(
        out.status.success(),
        "landed {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn review_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The review workspace, its team and its "now": made once from `base`, kept beside it.
fn review_workspace(base: &Path) -> (PathBuf, String, String) {
    let dir = base.parent().unwrap();
    let db = dir.join("bench-large-100k-review.db");
    let about = dir.join("bench-large-100k-review.txt");
    if let (true, Ok(text)) = (db.exists(), std::fs::read_to_string(&about))
        && let Some((team, now)) = text.trim().split_once('\n')
    {
        return (db, team.to_string(), now.to_string());
    }
    let tmp = dir.join("bench-large-100k-review.tmp.db");
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", tmp.display()));
    }
    std::fs::copy(base, &tmp).unwrap();
    let wal = PathBuf::from(format!("{}-wal", base.display()));
    if wal.exists() {
        std::fs::copy(&wal, format!("{}-wal", tmp.display())).unwrap();
    }
    let (team, now) = review_runtime().block_on(a_week_of_changes(&tmp));
    std::fs::rename(&tmp, &db).unwrap();
    for s in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", tmp.display()));
    }
    std::fs::write(&about, format!("{team}\n{now}\n")).unwrap();
    (db, team, now.to_string())
}

/// A week of life for the large workspace, a week after it was made: its first team grown
/// to 20 people; from Monday 16:00 UTC, one a minute, 2,000 changes to open items across the
/// workspace (start, block, slip by a week with a reason, done), 40 of them the team's; last
/// week's and this week's check-ins of the team, a third of them asking for help. The review
/// is taken on Thursday at 12:00 UTC.
async fn a_week_of_changes(db: &Path) -> (String, jiff::Timestamp) {
    use jiff::SignedDuration;
    use jiff::tz::TimeZone;
    use landed_app::items::{self, Action, ItemPatch};
    use landed_core::capacity::Week;
    use landed_core::event::{Entity, EntityKind, EventKind};
    use landed_core::model::{CheckIn, Id, ItemStatus};
    use landed_store::{Change, ItemFilter, Meta, Store};

    let store = landed_store::SqlStore::open(db, false).await.unwrap();
    let made = store.history(EntityKind::Person, 1).await.unwrap()[0].at;
    // The week after the one a day later: its Monday begins after `made` in every time zone
    // (UTC+14 included), so the demo's creation is never the review week's news.
    let week = Week::of(
        (made + SignedDuration::from_hours(24))
            .to_zoned(TimeZone::UTC)
            .date(),
    )
    .next()
    .unwrap();
    let start =
        week.monday().to_zoned(TimeZone::UTC).unwrap().timestamp() + SignedDuration::from_hours(16);
    let now = start + SignedDuration::from_hours(68);

    let mut ctx = landed_app::Ctx::new(&store, None, start).await.unwrap();
    let teams = store.teams().await.unwrap();
    let team = teams[0].clone();
    let mut people: Vec<Id> = std::iter::once(team.lead)
        .chain(team.members.iter().copied())
        .collect();
    let joining: Vec<Id> = teams[1..]
        .iter()
        .flat_map(|t| std::iter::once(t.lead).chain(t.members.iter().copied()))
        .filter(|p| !people.contains(p))
        .take(20usize.saturating_sub(people.len()))
        .collect();
    let handles = store.people_by_ids(&joining).await.unwrap();
    landed_app::org::edit_team(
        &ctx,
        &team.name,
        landed_app::org::TeamPatch {
            add_members: handles.iter().map(|p| p.handle.clone()).collect(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    people.extend(joining);

    let open = vec![ItemStatus::Todo, ItemStatus::Doing];
    let ours = store
        .items(&ItemFilter {
            team: Some(team.id),
            statuses: open.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    let all = store
        .items(&ItemFilter {
            statuses: open,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut picks: Vec<_> = ours
        .iter()
        .step_by((ours.len() / 40).max(1))
        .take(40)
        .collect();
    let taken: std::collections::HashSet<Id> = picks.iter().map(|i| i.id).collect();
    picks.extend(
        all.iter()
            .step_by((all.len() / 1_960).max(1))
            .filter(|i| !taken.contains(&i.id))
            .take(1_960),
    );
    for (n, item) in picks.iter().enumerate() {
        ctx.now = start + SignedDuration::from_mins(n as i64);
        let id = format!("I-{}", item.num);
        let slip = item.due.date.map(|d| ItemPatch {
            due: Some(Some((d + jiff::Span::new().days(7)).to_string())),
            ..Default::default()
        });
        // Some changes are refused (starting what is started): a week has those too.
        let _ = match (n % 4, slip) {
            (0, _) => items::act(&ctx, &id, Action::Start, None, None)
                .await
                .map(drop),
            (1, _) => items::act(
                &ctx,
                &id,
                Action::Block,
                Some("waiting on another team"),
                None,
            )
            .await
            .map(drop),
            (2, Some(patch)) => items::edit(&ctx, &id, patch, Some("took longer than estimated"))
                .await
                .map(drop),
            _ => items::act(&ctx, &id, Action::Done, None, Some("5h"))
                .await
                .map(drop),
        };
    }

    for (k, id) in people.iter().enumerate() {
        for (w, given, asks) in [
            (
                week.previous().unwrap(),
                start - SignedDuration::from_hours(72),
                false,
            ),
            (week, start + SignedDuration::from_hours(40), k % 3 == 0),
        ] {
            if k % 4 == 3 {
                continue;
            }
            let c = CheckIn {
                id: 0,
                person: *id,
                week: w,
                items: Vec::new(),
                done: Some("shipped what was due".into()),
                blocked: None,
                needs_help: asks.then(|| "a reviewer from the platform team".into()),
                goals: Vec::new(),
                created_at: given,
                updated_at: given,
                version: 0,
            };
            let meta = Meta::new(Some(*id), given, EventKind::CheckedIn);
            store
                .write(vec![Change::Create(meta, Entity::CheckIn(c))])
                .await
                .unwrap();
        }
    }
    store.close().await;
    (team.name, now)
}

criterion_group!(benches, whole_process, review);
criterion_main!(benches);
