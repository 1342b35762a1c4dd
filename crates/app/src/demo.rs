//! Demo workspaces: a small hand-made organisation that shows every concept at once, or a
//! large generated one (the shape the benchmarks use).

use jiff::Timestamp;
use landed_core::event::{Entity, EventKind};
use landed_core::model::{ItemKind, Workspace};
use landed_store::{Meta, Store};

use crate::goals::{self, GoalInput};
use crate::items::{self, Action, ItemInput, ItemPatch};
use crate::org::{self, NewPerson};
use crate::{AppError, Ctx, Result, links};

/// How big a demo to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Ten people in three teams: every concept on one screen.
    Small,
    /// A generated organisation of 100,000 items.
    Large,
}

/// What a demo made.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Made {
    pub people: usize,
    pub teams: usize,
    pub goals: usize,
    pub items: usize,
    pub dependencies: usize,
}

/// Fill an empty store with a demo organisation.
pub async fn fill<S: Store>(store: &S, size: Size, now: Timestamp) -> Result<Made> {
    let now = crate::stored_instant(now);
    crate::init(store, "Demo Corp", "Europe/Berlin", now).await?;
    match size {
        Size::Small => small(store, now).await,
        Size::Large => large(store, now, 100_000).await,
    }
}

const PEOPLE: [(&str, &str, &str, f64); 10] = [
    ("ana", "Ana Ruiz", "Europe/Madrid", 40.0),
    ("ben", "Ben Okafor", "Europe/London", 40.0),
    ("chloe", "Chloé Martin", "Europe/Paris", 40.0),
    ("dev", "Dev Patel", "Asia/Kolkata", 40.0),
    ("emma", "Emma Schulz", "Europe/Berlin", 40.0),
    ("farid", "Farid Haddad", "America/New_York", 40.0),
    ("grace", "Grace Kim", "America/Los_Angeles", 40.0),
    ("hiro", "Hiro Tanaka", "Asia/Tokyo", 40.0),
    ("isla", "Isla Brown", "Pacific/Auckland", 40.0),
    ("jon", "Jon Berg", "Europe/Oslo", 32.0),
];

fn s(text: &str) -> Option<String> {
    Some(text.to_string())
}

struct Step<'a> {
    title: &'a str,
    outcome: Option<&'a str>,
    owner: Option<&'a str>,
    due: &'a str,
    estimate: &'a str,
    goal: Option<&'a str>,
    kind: ItemKind,
}

impl Step<'_> {
    fn input(&self) -> ItemInput {
        ItemInput {
            title: self.title.into(),
            outcome: self.outcome.map(String::from),
            owner: self.owner.map(String::from),
            due: Some(self.due.into()),
            estimate: Some(self.estimate.into()),
            goal: self.goal.map(String::from),
            kind: Some(self.kind),
            milestone: None,
        }
    }
}

fn step<'a>(
    title: &'a str,
    outcome: &'a str,
    owner: &'a str,
    due: &'a str,
    estimate: &'a str,
    goal: &'a str,
) -> Step<'a> {
    Step {
        title,
        outcome: Some(outcome),
        owner: Some(owner),
        due,
        estimate,
        goal: Some(goal),
        kind: ItemKind::Strategic,
    }
}

fn chore<'a>(
    title: &'a str,
    outcome: &'a str,
    owner: &'a str,
    due: &'a str,
    estimate: &'a str,
) -> Step<'a> {
    Step {
        title,
        outcome: Some(outcome),
        owner: Some(owner),
        due,
        estimate,
        goal: None,
        kind: ItemKind::Reactive,
    }
}

async fn small<S: Store>(store: &S, now: Timestamp) -> Result<Made> {
    let mut ctx = Ctx::new(store, None, now).await?;
    // Everyone joined five weeks ago, so that past check-ins (and missed ones) have weeks.
    ctx.now = now - jiff::SignedDuration::from_hours(24 * 7 * 5);
    for (handle, name, tz, capacity) in PEOPLE {
        let p = org::add_person(
            &ctx,
            NewPerson {
                handle: handle.into(),
                name: name.into(),
                email: Some(format!("{handle}@demo.example")),
                tz: Some(tz.into()),
                capacity_hours: Some(capacity),
                // The first person (Ana, the Platform lead) administers the demo workspace.
                role: (handle == PEOPLE[0].0).then_some(landed_core::authz::Role::Admin),
            },
        )
        .await?;
        ctx.actor.get_or_insert(p);
    }
    let as_ = |ctx: &mut Ctx<'_, S>, people: &[landed_core::model::Person], h: &str| {
        ctx.actor = people.iter().find(|p| p.handle == h).cloned();
    };
    let people = store.people().await?;
    for (team, lead, members) in [
        ("Platform", "ana", &["ben", "chloe", "dev"][..]),
        ("Payments", "emma", &["farid", "grace"][..]),
        ("Mobile", "hiro", &["isla", "jon"][..]),
    ] {
        let members: Vec<String> = members.iter().map(|m| m.to_string()).collect();
        org::add_team(&ctx, team, lead, &members).await?;
    }
    ctx.now = now;
    let week = ctx.today().iso_week_date();
    let sprint_end = format!("{}-W{:02}", week.year(), week.week());
    org::add_milestone(&ctx, "Sprint end", &sprint_end).await?;
    org::add_milestone(&ctx, "Q1 release", "+10w").await?;

    let goal = |title: &str,
                outcome: Option<&str>,
                owner: Option<&str>,
                by: Option<&str>,
                ms: Option<&str>,
                team: &str| GoalInput {
        title: title.into(),
        outcome: outcome.map(String::from),
        owner: owner.map(String::from),
        by: by.map(String::from),
        milestone: ms.map(String::from),
        team: s(team),
    };
    as_(&mut ctx, &people, "ana");
    goals::add(
        &ctx,
        goal(
            "Move every service to deploy pipeline v2",
            Some("All 42 services deploy through pipeline v2; the old Jenkins jobs are removed"),
            Some("ana"),
            Some("+8w"),
            None,
            "Platform",
        ),
    )
    .await?; // G-1
    goals::add(
        &ctx,
        goal(
            "Improve reliability",
            Some("Improve reliability and reduce toil"),
            Some("ben"),
            None,
            None,
            "Platform",
        ),
    )
    .await?; // G-2
    as_(&mut ctx, &people, "emma");
    goals::add(
        &ctx,
        goal(
            "Offer SEPA instant payments",
            Some("SEPA instant transfers live for EU customers, settling in < 10 s"),
            Some("emma"),
            None,
            Some("Q1 release"),
            "Payments",
        ),
    )
    .await?; // G-3
    goals::add(
        &ctx,
        goal(
            "Cut checkout latency",
            Some("p95 checkout latency below 300 ms"),
            Some("farid"),
            Some("+6w"),
            None,
            "Payments",
        ),
    )
    .await?; // G-4
    as_(&mut ctx, &people, "hiro");
    goals::add(
        &ctx,
        goal(
            "Offline mode for the mobile app",
            Some("Three core flows work offline; sync conflicts in < 0.1% of syncs"),
            Some("hiro"),
            Some("+5w"),
            None,
            "Mobile",
        ),
    )
    .await?; // G-5
    goals::add(
        &ctx,
        goal(
            "Pay down mobile tech debt",
            None,
            None,
            None,
            None,
            "Mobile",
        ),
    )
    .await?; // G-6

    let steps = [
        step(
            "Migrate billing service to pipeline v2",
            "billing deploys from pipeline v2 in production",
            "ben",
            "+1w",
            "6h",
            "G-1",
        ), // I-1
        step(
            "Write the rollback runbook",
            "runbook published and reviewed by on-call",
            "chloe",
            "+1w",
            "4h",
            "G-1",
        ), // I-2
        step(
            "Decommission Jenkins",
            "Jenkins VM deleted, DNS removed",
            "dev",
            "+7w",
            "16h",
            "G-1",
        ), // I-3
        step(
            "Migrate auth service to pipeline v2",
            "auth deploys from pipeline v2 in production",
            "ben",
            "today",
            "8h",
            "G-1",
        ), // I-4
        step(
            "Integrate the SEPA Inst API",
            "sandbox transfers succeed end to end",
            "farid",
            "+3w",
            "2d",
            "G-3",
        ), // I-5
        step(
            "Fraud rules for instant transfers",
            "rules deployed with < 1% false positives",
            "grace",
            "+4w",
            "12h",
            "G-3",
        ), // I-6
        step(
            "Profile the checkout path",
            "flame graphs of the 3 slowest endpoints attached",
            "grace",
            "+1w",
            "4h",
            "G-4",
        ), // I-7
        Step {
            title: "Cache exchange rates",
            outcome: Some("rates served from cache, refreshed every 60 s"),
            owner: None,
            due: "+2w",
            estimate: "8h",
            goal: Some("G-4"),
            kind: ItemKind::Strategic,
        }, // I-8
        step(
            "Local storage layer",
            "app reads and writes the 3 core flows without network",
            "isla",
            "+2w",
            "3d",
            "G-5",
        ), // I-9
        step(
            "Offline payments queue",
            "queued payments replay once online, none lost in 1,000 tests",
            "isla",
            "+3w",
            "12h",
            "G-5",
        ), // I-10
        step(
            "Sync conflict resolution",
            "conflicts resolved automatically in 99.9% of test cases",
            "jon",
            "+7w",
            "30h",
            "G-5",
        ), // I-11
        chore(
            "Rotate TLS certificates",
            "new certificates live on all load balancers",
            "dev",
            "+2d",
            "3h",
        ), // I-12
        chore(
            "Investigate 502s on checkout",
            "root cause written in the incident doc",
            "emma",
            "today",
            "5h",
        ), // I-13
        chore(
            "Customer escalation: duplicate charge",
            "customer refunded and cause found",
            "grace",
            "+1d",
            "2h",
        ), // I-14
    ];
    let mut made = Made {
        people: PEOPLE.len(),
        teams: 3,
        goals: 6,
        ..Made::default()
    };
    for st in &steps {
        as_(&mut ctx, &people, st.owner.unwrap_or("ana"));
        items::add(&ctx, st.input()).await?;
        made.items += 1;
    }
    // Progress, a block, and a slip with its reason.
    as_(&mut ctx, &people, "ben");
    items::act(&ctx, "I-4", Action::Start, None, None).await?;
    items::act(&ctx, "I-4", Action::Done, None, None).await?;
    items::act(&ctx, "I-1", Action::Start, None, None).await?;
    as_(&mut ctx, &people, "emma");
    items::act(&ctx, "I-13", Action::Done, None, None).await?;
    as_(&mut ctx, &people, "grace");
    items::act(
        &ctx,
        "I-14",
        Action::Block,
        Some("waiting on the bank's transaction log"),
        None,
    )
    .await?;
    as_(&mut ctx, &people, "chloe");
    let slip = ItemPatch {
        due: Some(s("+2w")),
        ..ItemPatch::default()
    };
    items::edit(&ctx, "I-2", slip, Some("on-call week ate the time")).await?;
    // Cross-team dependencies: ok, phantom (on an aspiration) and late.
    as_(&mut ctx, &people, "farid");
    for (from, to, by) in [
        ("I-5", "I-1", None),
        ("G-4", "G-2", None),
        ("I-10", "I-5", Some("+2w")),
        ("I-9", "I-2", None),
    ] {
        links::add(&ctx, from, to, by).await?;
        made.dependencies += 1;
    }
    made.items += past_weeks(&mut ctx, &people).await?;
    // This week, @farid has already checked in, asking for help.
    as_(&mut ctx, &people, "farid");
    crate::checkin::give(
        &ctx,
        &crate::checkin::CheckInInput {
            needs_help: s("a second person on call while the payouts incident lasts"),
            ..crate::checkin::CheckInInput::default()
        },
    )
    .await?;
    // Commitment requests: one committed with a new item, one still waiting for an answer.
    as_(&mut ctx, &people, "hiro");
    crate::requests::ask(
        &ctx,
        "Platform",
        "staging cluster quota for load tests",
        "+2w",
        Some("I-11"),
    )
    .await?;
    as_(&mut ctx, &people, "ana");
    crate::requests::commit(
        &ctx,
        "R-1",
        "dev",
        crate::requests::Delivery::Create("Raise the staging cluster quota".into()),
        Some("+1w"),
        None,
        Some("4h"),
    )
    .await?;
    made.items += 1;
    as_(&mut ctx, &people, "isla");
    crate::requests::ask(
        &ctx,
        "Payments",
        "chargeback status API",
        "+5w",
        Some("I-10"),
    )
    .await?;
    Ok(made)
}

/// One person's past work: reactive hours per week from four weeks ago to last week, and a
/// strategic item done each week but the last (title, estimate, actual).
type PastWeeks<'a> = (&'a str, [f64; 4], (&'a str, &'a str, &'a str));

/// Four past weeks of Payments' work, so that reactive load is measured, estimates have a
/// track record and the protected-time check has something to say: the team reserves 20% for
/// strategic work, and last week incidents ate all of it.
async fn past_weeks<S: Store>(
    ctx: &mut Ctx<'_, S>,
    people: &[landed_core::model::Person],
) -> Result<usize> {
    org::edit_team(
        ctx,
        "Payments",
        org::TeamPatch {
            protected_share: s("20%"),
            ..org::TeamPatch::default()
        },
    )
    .await?;
    let now = ctx.now;
    let weeks: [PastWeeks; 3] = [
        (
            "emma",
            [10.0, 12.0, 8.0, 36.0],
            ("SEPA scheme registration", "6h", "9h"),
        ),
        (
            "farid",
            [6.0, 8.0, 5.0, 35.0],
            ("Instant-payment API draft", "8h", "12h"),
        ),
        (
            "grace",
            [20.0, 24.0, 22.0, 38.0],
            ("Fraud signal inventory", "4h", "5h"),
        ),
    ];
    const INCIDENTS: [&str; 4] = [
        "Payout retries stuck",
        "Card declines spike",
        "Reconciliation mismatch",
        "Bank file delayed",
    ];
    let mut made = 0;
    for (ago, incident) in (1..=4i64).rev().zip(INCIDENTS) {
        ctx.now = now - jiff::SignedDuration::from_hours(24 * 7 * ago);
        for (who, reactive, (strategic, estimate, actual)) in &weeks {
            ctx.actor = people.iter().find(|p| p.handle == *who).cloned();
            let hours = reactive[(4 - ago) as usize];
            let mut done = vec![(
                ItemInput {
                    title: format!("{incident} (@{who}'s on-call)"),
                    outcome: s("customers unaffected; cause written down"),
                    owner: s(who),
                    due: s("today"),
                    estimate: Some(format!("{}h", hours * 0.8)),
                    kind: Some(ItemKind::Reactive),
                    ..ItemInput::default()
                },
                format!("{hours}h"),
            )];
            // Strategic work in every week but the last, when incidents took over.
            if ago > 1 {
                done.push((
                    ItemInput {
                        title: format!("{strategic}, part {}", 5 - ago),
                        outcome: s("reviewed by the team"),
                        owner: s(who),
                        due: s("today"),
                        estimate: s(estimate),
                        ..ItemInput::default()
                    },
                    actual.to_string(),
                ));
            }
            for (input, spent) in done {
                let item = items::add(ctx, input).await?;
                items::act(ctx, &item.id, Action::Done, None, Some(&spent)).await?;
                made += 1;
            }
        }
        checkins(ctx, people, ago, incident).await?;
    }
    ctx.now = now;
    Ok(made)
}

/// Everyone's check-in `ago` weeks back, but for two missed weeks (@jon's two weeks ago,
/// @grace's last week).
async fn checkins<S: Store>(
    ctx: &mut Ctx<'_, S>,
    people: &[landed_core::model::Person],
    ago: i64,
    incident: &str,
) -> Result<()> {
    for p in people {
        if (p.handle == "jon" && ago == 2) || (p.handle == "grace" && ago == 1) {
            continue;
        }
        ctx.actor = Some(p.clone());
        let input = crate::checkin::CheckInInput {
            done: Some(match p.handle.as_str() {
                "emma" | "farid" | "grace" => {
                    format!("on-call: {incident}; strategic work as planned")
                }
                _ => "work as planned".to_string(),
            }),
            ..crate::checkin::CheckInInput::default()
        };
        crate::checkin::give(ctx, &input).await?;
    }
    Ok(())
}

/// A generated organisation with `items` items, inserted through the store's bulk path.
pub async fn large<S: Store>(store: &S, now: Timestamp, items: usize) -> Result<Made> {
    generated(store, now, &landed_synth::Shape::items(items)).await
}

/// A generated organisation of the given shape, inserted through the store's bulk path.
pub async fn generated<S: Store>(
    store: &S,
    now: Timestamp,
    shape: &landed_synth::Shape,
) -> Result<Made> {
    let ws: Workspace = store.workspace().await?;
    let today = landed_core::when::today_in(now, &landed_core::when::zone_or_utc(&ws.tz));
    let world = landed_synth::generate(shape, 42, today, now);
    let made = Made {
        people: world.people.len(),
        teams: world.teams.len(),
        goals: world.goals.len(),
        items: world.items.len(),
        dependencies: world.dependencies.len(),
    };
    let meta = Meta::new(None, now, EventKind::Created);
    // The generator numbers everything from 1, as a fresh store does; each stage checks that
    // the store agreed, since later stages refer to these ids.
    let stages: [Vec<Entity>; 6] = [
        world.people.into_iter().map(Entity::Person).collect(),
        world.teams.into_iter().map(Entity::Team).collect(),
        world
            .milestones
            .into_iter()
            .map(Entity::Milestone)
            .collect(),
        world.goals.into_iter().map(Entity::Goal).collect(),
        world.items.into_iter().map(Entity::Item).collect(),
        world
            .dependencies
            .into_iter()
            .map(Entity::Dependency)
            .collect(),
    ];
    for stage in stages {
        for chunk in stage.chunks(50_000) {
            let expected: Vec<i64> = chunk.iter().map(Entity::id).collect();
            let made = store.create_batch(&meta, chunk.to_vec()).await?;
            if made.iter().map(Entity::id).ne(expected.iter().copied()) {
                return Err(AppError::Exists(
                    "data in this workspace: the large demo needs an empty one".into(),
                ));
            }
        }
    }
    Ok(made)
}
