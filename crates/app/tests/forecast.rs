//! `landed goal show` reads a goal's forecast from the kept whole-workspace forecast; the
//! answer must be the one `landed forecast` computes, on a generated organisation where work
//! crosses people, teams and goals.

use jiff::Timestamp;
use landed_app::items::{self, ItemPatch};
use landed_app::{Ctx, forecast, goals};
use landed_store::{ItemFilter, Store};

mod common;

#[test]
fn a_goals_own_forecast_matches_the_whole_workspace_forecast() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let now: Timestamp = "2026-11-23T09:00:00Z".parse().unwrap();
        // Many people with little work each, so that a goal's forecast reads only part of the
        // workspace, and items outside it wait on its work.
        let shape = landed_synth::Shape {
            people: 300,
            teams: 30,
            goals: 60,
            items: 3_000,
            dependencies: 1_500,
        };
        let (store, made) = common::generated(now, &shape, 100).await;
        let ctx = Ctx::new(&store, None, now).await.unwrap();
        // Open work gets what a forecast needs, so that most goals have a finish.
        let someone = store.people().await.unwrap()[0].handle.clone();
        for i in store
            .items(&ItemFilter::default())
            .await
            .unwrap()
            .iter()
            .filter(|i| i.status.is_open())
        {
            let patch = ItemPatch {
                estimate: i.estimate_hours.is_none().then(|| Some("4h".to_string())),
                owner: i.owner.is_none().then(|| Some(someone.clone())),
                ..ItemPatch::default()
            };
            if patch.estimate.is_some() || patch.owner.is_some() {
                items::edit(&ctx, &format!("I-{}", i.num), patch, None)
                    .await
                    .unwrap();
            }
        }
        // One goal has work that cannot be forecast: its forecast is unknown.
        goals::add(
            &ctx,
            goals::GoalInput {
                title: "Unsized".into(),
                owner: Some(someone.clone()),
                ..goals::GoalInput::default()
            },
        )
        .await
        .unwrap();
        let gap = items::ItemInput {
            title: "Unsized work".into(),
            goal: Some(format!("G-{}", made.goals + 1)),
            owner: Some(someone.clone()),
            ..items::ItemInput::default()
        };
        items::add(&ctx, gap).await.unwrap();
        let whole = forecast::forecast(&ctx, None, None).await.unwrap();
        assert!(
            whole.accuracy.iter().any(|(_, a)| *a != 1.0),
            "done work with actual hours scales some estimates"
        );
        let (mut finished, mut unknown) = (0, 0);
        for g in &whole.goals {
            let shown = goals::show(&ctx, &g.id).await.unwrap();
            assert_eq!(shown.forecast, g.finish, "{}", g.id);
            match g.finish {
                Some(_) => finished += 1,
                None => unknown += 1,
            }
        }
        // Both kinds of answer are compared, not only one.
        assert!(finished >= 35 && unknown >= 1, "{finished} {unknown}");
    });
}
