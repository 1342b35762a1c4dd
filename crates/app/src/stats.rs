//! `landed stats`: accountability figures per person, team, goal or workspace (DESIGN §4),
//! computed from the event log by `landed_core::stats`.

use jiff::Timestamp;
use landed_core::model::{RefKind, goal_ref};
use landed_core::stats::{Figures, History, Scope};
use landed_core::when;
use landed_store::Store;
use serde::Serialize;

use crate::{AppError, Ctx, Result, resolve};

/// Whose figures, as typed.
#[derive(Debug, Clone, Default)]
pub struct StatsFor {
    pub team: Option<String>,
    pub person: Option<String>,
    pub goal: Option<String>,
}

/// A goal's momentum, by reference.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct GoalMomentumView {
    pub goal: String,
    pub title: String,
    pub last_doing: Timestamp,
    pub days_idle: i64,
    pub stalled: bool,
}

/// The figures of one scope, with goals by reference.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FiguresView {
    #[serde(flatten)]
    pub figures: Figures,
    pub goals: Vec<GoalMomentumView>,
}

/// A member's figures within a team's.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct MemberFigures {
    pub person: String,
    #[serde(flatten)]
    pub figures: FiguresView,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StatsView {
    /// `workspace`, `team Payments`, `@ana` or `G-3`.
    pub scope: String,
    pub since: Timestamp,
    pub until: Timestamp,
    #[serde(flatten)]
    pub figures: FiguresView,
    /// For a team: each member's own figures (lead first).
    pub members: Vec<MemberFigures>,
}

/// Read `--since`: `-4w`, `-30d`, or a date (its start in the workspace's zone).
pub fn since<S: Store>(ctx: &Ctx<'_, S>, text: &str) -> Result<Timestamp> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix('-') {
        let cut = rest.char_indices().last().map_or(0, |(i, _)| i);
        let (n, unit) = rest.split_at(cut);
        let days = match (n.parse::<i64>(), unit) {
            (Ok(n), "d") if (0..=3660).contains(&n) => n,
            (Ok(n), "w") if (0..=520).contains(&n) => n * 7,
            _ => {
                return Err(AppError::Invalid(landed_core::validate::Invalid {
                    field: "since",
                    problem: format!(
                        "`{text}` is neither a date (2026-10-01) nor a time back from now (-4w, -30d, at most ten years)"
                    ),
                }));
            }
        };
        return Ok(Timestamp::from_second(ctx.now.as_second() - days * 86_400)
            .unwrap_or(Timestamp::UNIX_EPOCH));
    }
    let day = ctx.date(t)?;
    let tz = when::time_zone(&ctx.workspace.tz)?;
    let start = day
        .to_zoned(tz)
        .map_err(|e| AppError::NotAllowed(format!("--since `{text}`: {e}")))?
        .timestamp();
    if start > ctx.now {
        return Err(AppError::NotAllowed(format!(
            "--since {day} is in the future: the window ends now"
        )));
    }
    Ok(start)
}

/// The figures of one scope (the workspace when none is named) from `since` to now.
pub async fn stats<S: Store>(
    ctx: &Ctx<'_, S>,
    of: &StatsFor,
    since: Timestamp,
) -> Result<StatsView> {
    let (scope, label) = if let Some(t) = &of.team {
        let team = resolve::team(ctx.store, t).await?;
        (Scope::Team(team.id), format!("team {}", team.name))
    } else if let Some(h) = &of.person {
        let p = resolve::person(ctx.store, h).await?;
        (Scope::Person(p.id), format!("@{}", p.handle))
    } else if let Some(g) = &of.goal {
        let r = resolve::parse_ref(g, RefKind::Goal)?;
        let goal = resolve::goal(ctx.store, r).await?;
        (Scope::Goal(goal.id), r.to_string())
    } else {
        (Scope::Workspace, "workspace".to_string())
    };
    let events = ctx.store.events().await?;
    let history = History::from_events(&events);
    let view = |f: Figures| figures_view(&history, f);
    let members = match scope {
        Scope::Team(t) => history
            .state
            .teams
            .get(&t)
            .map(|team| {
                std::iter::once(team.lead)
                    .chain(team.members.iter().copied())
                    .filter_map(|p| history.state.people.get(&p))
                    .map(|p| MemberFigures {
                        person: p.handle.clone(),
                        figures: view(history.figures(Scope::Person(p.id), since, ctx.now)),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(StatsView {
        scope: label,
        since,
        until: ctx.now,
        figures: view(history.figures(scope, since, ctx.now)),
        members,
    })
}

fn figures_view(history: &History, mut figures: Figures) -> FiguresView {
    let goals = std::mem::take(&mut figures.goals)
        .into_iter()
        .filter_map(|m| {
            let g = history.state.goals.get(&m.goal)?;
            Some(GoalMomentumView {
                goal: goal_ref(g.num).to_string(),
                title: g.title.clone(),
                last_doing: m.last_doing,
                days_idle: m.days_idle,
                stalled: m.stalled,
            })
        })
        .collect();
    FiguresView { figures, goals }
}
