//! The team-scoped views read only what touches the team, and must say exactly what the
//! workspace-wide reading says of it: a team's dependency list is the workspace's filtered to
//! the team, an item's dependencies are the workspace's with that item at an end, and a
//! team's standing (the dashboard's verdict and health) is each goal's own page's.

use std::collections::HashSet;

use jiff::Timestamp;
use landed_app::{Ctx, goals, links, report};
use landed_core::{goal_ref, item_ref};
use landed_store::{GoalFilter, ItemFilter, Store};

mod common;

#[test]
fn team_views_agree_with_the_workspace() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let now: Timestamp = "2026-11-23T09:00:00Z".parse().unwrap();
        let shape = landed_synth::Shape {
            people: 120,
            teams: 12,
            goals: 40,
            items: 1_200,
            dependencies: 600,
        };
        let (store, _) = common::generated(now, &shape, 100).await;
        let ctx = Ctx::new(&store, None, now).await.unwrap();
        let all = links::list(&ctx, None).await.unwrap();
        let key = |d: &landed_app::views::DepView| serde_json::to_string(d).unwrap();
        let mut some_team_has_deps = false;
        for team in store.teams().await.unwrap() {
            let goals = store
                .goals(&GoalFilter {
                    team: Some(team.id),
                    ..GoalFilter::default()
                })
                .await
                .unwrap();
            let items = store
                .items(&ItemFilter {
                    team: Some(team.id),
                    ..ItemFilter::default()
                })
                .await
                .unwrap();
            let ours: HashSet<String> = goals
                .iter()
                .map(|g| goal_ref(g.num).to_string())
                .chain(items.iter().map(|i| item_ref(i.num).to_string()))
                .collect();
            let expected: Vec<String> = all
                .iter()
                .filter(|d| ours.contains(&d.from) || ours.contains(&d.to))
                .map(key)
                .collect();
            let got: Vec<String> = links::list(&ctx, Some(&team.name))
                .await
                .unwrap()
                .iter()
                .map(key)
                .collect();
            some_team_has_deps |= !got.is_empty();
            let (mut e, mut g) = (expected.clone(), got.clone());
            e.sort();
            g.sort();
            assert_eq!(g, e, "team {}", team.name);

            // The standing of the team's goals is what each goal's page says.
            let standing = report::standing(&ctx, Some(&team.name)).await.unwrap();
            assert_eq!(standing.len(), goals.len());
            for s in &standing {
                let page = goals::show(&ctx, &s.id).await.unwrap();
                assert_eq!(s.status, page.status, "{}", s.id);
                assert_eq!(s.health, page.health, "{}", s.id);
                assert_eq!(s.health_reasons, page.health_reasons, "{}", s.id);
                assert_eq!(s.forecast, page.forecast, "{}", s.id);
            }
        }
        assert!(some_team_has_deps);
        assert_eq!(
            report::standing(&ctx, None).await.unwrap().len(),
            store.goals(&GoalFilter::default()).await.unwrap().len()
        );

        // An item's own dependencies, both ways.
        let mut checked = 0;
        for i in store
            .items(&ItemFilter::default())
            .await
            .unwrap()
            .iter()
            .step_by(7)
        {
            let me = item_ref(i.num).to_string();
            let (needs, needed_by) = links::of_item(&ctx, i).await.unwrap();
            let mut want_needs: Vec<String> =
                all.iter().filter(|d| d.from == me).map(key).collect();
            let mut want_by: Vec<String> = all.iter().filter(|d| d.to == me).map(key).collect();
            let mut got_needs: Vec<String> = needs.iter().map(key).collect();
            let mut got_by: Vec<String> = needed_by.iter().map(key).collect();
            checked += got_needs.len() + got_by.len();
            for v in [&mut want_needs, &mut want_by, &mut got_needs, &mut got_by] {
                v.sort();
            }
            assert_eq!(got_needs, want_needs, "{me} needs");
            assert_eq!(got_by, want_by, "{me} is needed by");
        }
        assert!(checked > 20, "{checked}");
    });
}

#[tokio::test]
async fn a_team_is_found_by_its_name_in_any_case() {
    let now: Timestamp = "2026-11-23T09:00:00Z".parse().unwrap();
    let shape = landed_synth::Shape {
        people: 12,
        teams: 3,
        goals: 4,
        items: 20,
        dependencies: 5,
    };
    let (store, _) = common::generated(now, &shape, 0).await;
    let teams = store.teams().await.unwrap();
    let team = &teams[0];
    // As written (one team read), in another case and with spaces (every team read).
    for asked in [
        team.name.clone(),
        team.name.to_uppercase(),
        format!(" {} ", team.name.to_lowercase()),
    ] {
        assert_eq!(
            &landed_app::resolve::team(&store, &asked).await.unwrap(),
            team
        );
    }
    let mut typo = team.name.clone();
    typo.pop();
    let err = landed_app::resolve::team(&store, &typo).await.unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("(did you mean {}?)", team.name)),
        "{err}"
    );
}
