//! Forecasts (DESIGN §5): each person's remaining work scheduled into their available hours,
//! through dependencies. The scheduling is `landed_core::forecast`; this gathers the data.

use jiff::civil::Date;
use landed_core::deps::GoalRisk;
use landed_core::forecast::{self, Forecast};
use landed_core::hash::{HashMap, HashSet};
use landed_core::model::{Goal, Id, Item, Node, Person, RefKind};
use landed_core::needs;
use landed_core::plan::{self, GoalStatus};
use landed_core::when::days_between;
use landed_core::{goal_ref, item_ref};
use landed_store::{GoalFilter, ItemFilter, KeptGoal, NodeForecast, Store};
use serde::Serialize;

use crate::views::Names;
use crate::{Ctx, Result, resolve};

/// What a forecast reads: the people whose work is scheduled, every item they own (done items
/// give their reactive load and estimate accuracy), the items that wait on those (they order
/// the work), and the dependencies as they stand.
struct Basis {
    people: Vec<Person>,
    items: Vec<Item>,
    edges: Vec<(Node, Node)>,
}

impl Basis {
    /// Each person's estimate accuracy (see [`forecast::accuracy_of`]).
    fn accuracy(&self, by_owner: &HashMap<Id, Vec<&Item>>) -> HashMap<Id, f64> {
        self.people
            .iter()
            .map(|p| {
                let mine = by_owner.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
                (p.id, forecast::accuracy_of(mine))
            })
            .collect()
    }

    fn by_owner(&self) -> HashMap<Id, Vec<&Item>> {
        let mut by_owner: HashMap<Id, Vec<&Item>> = HashMap::default();
        for i in &self.items {
            if let Some(o) = i.owner {
                by_owner.entry(o).or_default().push(i);
            }
        }
        by_owner
    }

    /// Schedule the open items of the people in the basis; also gives each person's accuracy.
    fn run(
        &self,
        today: Date,
        policy: &landed_core::capacity::CapacityPolicy,
    ) -> (Forecast, HashMap<Id, f64>) {
        let by_owner = self.by_owner();
        let available: HashMap<Id, f64> = self
            .people
            .iter()
            .map(|p| {
                let mine = by_owner.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
                (
                    p.id,
                    crate::capacity::availability(p, mine, today, policy).1,
                )
            })
            .collect();
        let accuracy = self.accuracy(&by_owner);
        let refs: Vec<&Item> = self.items.iter().collect();
        let needs = needs::item_needs(&self.edges, &needs::open_by_goal(refs.iter().copied()));
        let result = forecast::forecast(&refs, &needs, &available, &accuracy, today);
        (result, accuracy)
    }
}

/// The whole workspace forecast: the data it read, its result, each person's accuracy and
/// each open goal's finish (and whether some of its work cannot be forecast).
struct Whole {
    basis: Basis,
    result: Forecast,
    accuracy: HashMap<Id, f64>,
    goals: Vec<Goal>,
    goal_finish: HashMap<Id, (Option<Date>, bool)>,
    /// What the items of each open goal say of it as a supplier, by goal.
    kept_goals: HashMap<Id, KeptGoal>,
}

impl Whole {
    /// Forecast the whole workspace as it is now, and keep the result for later reads (unless
    /// the kept one is current). The newest event is read first, so a write made meanwhile
    /// makes the kept result stale rather than wrong.
    async fn compute<S: Store>(ctx: &Ctx<'_, S>) -> Result<Whole> {
        let seq = ctx.store.last_event_seq().await?;
        let today = ctx.workspace_today();
        let goals = ctx.store.goals(&GoalFilter::default()).await?;
        let basis = Basis {
            people: ctx.store.people().await?,
            items: ctx.store.items(&ItemFilter::default()).await?,
            edges: crate::links::all_edges(ctx.store).await?,
        };
        let (result, accuracy) = basis.run(today, &ctx.capacity_policy());
        let open: HashSet<Id> = basis
            .items
            .iter()
            .filter(|i| i.status.is_open())
            .map(|i| i.id)
            .collect();
        let by_goal = needs::open_by_goal(&basis.items);
        let goal_finish: HashMap<Id, (Option<Date>, bool)> = goals
            .iter()
            .filter(|g| g.closed.is_none())
            .map(|g| {
                let f = needs::goal_finish(
                    g.id,
                    &by_goal,
                    &basis.edges,
                    |id| open.contains(&id),
                    &result,
                );
                (g.id, f)
            })
            .collect();
        let mut kept: Vec<NodeForecast> = basis
            .items
            .iter()
            .filter(|i| i.status.is_open())
            .map(|i| NodeForecast {
                node: Node::Item(i.id),
                finish: result.finish.get(&i.id).copied(),
                incomplete: !result.finish.contains_key(&i.id),
            })
            .collect();
        kept.extend(
            goal_finish
                .iter()
                .map(|(g, (finish, incomplete))| NodeForecast {
                    node: Node::Goal(*g),
                    finish: *finish,
                    incomplete: *incomplete,
                }),
        );
        let mut of_goal: HashMap<Id, Vec<&Item>> = HashMap::default();
        for i in &basis.items {
            if let Some(g) = i.goal {
                of_goal.entry(g).or_default().push(i);
            }
        }
        let policy = ctx.policy();
        let kept_goals: HashMap<Id, KeptGoal> = goals
            .iter()
            .filter(|g| g.closed.is_none())
            .map(|g| {
                let items = of_goal.get(&g.id).map(Vec::as_slice).unwrap_or(&[]);
                let verdict = plan::evaluate_goal(g, items.iter().copied(), &policy);
                let kept = KeptGoal {
                    goal: g.id,
                    plan: verdict.status == GoalStatus::Plan,
                    risk: GoalRisk::of(items.iter().copied(), |id| result.finish.get(&id).copied()),
                };
                (g.id, kept)
            })
            .collect();
        if ctx.store.forecast_run().await? != Some((seq, today)) {
            let mut goal_rows: Vec<KeptGoal> = kept_goals.values().cloned().collect();
            goal_rows.sort_unstable_by_key(|k| k.goal);
            ctx.store
                .save_forecasts(seq, today, &kept, &goal_rows)
                .await?;
        }
        Ok(Whole {
            basis,
            result,
            accuracy,
            goals,
            goal_finish,
            kept_goals,
        })
    }
}

/// Forecast finishes of some items and goals (DESIGN §5), for views that show a few of them:
/// read from the kept whole-workspace forecast when nothing was written since and it is still
/// the same day, else computed anew (and kept). Open nodes that cannot be forecast map to
/// `(None, true)`; goals with nothing left to do to `(None, false)`; others are absent.
pub(crate) async fn of<S: Store>(
    ctx: &Ctx<'_, S>,
    nodes: &[Node],
) -> Result<HashMap<Node, (Option<Date>, bool)>> {
    Ok(with_goals(ctx, nodes, &[]).await?.0)
}

/// [`of`] these nodes, and what is kept with the forecast of these goals (see [`KeptGoal`];
/// absent ones are not open), from the same run.
pub(crate) async fn with_goals<S: Store>(
    ctx: &Ctx<'_, S>,
    nodes: &[Node],
    goals: &[Id],
) -> Result<(HashMap<Node, (Option<Date>, bool)>, HashMap<Id, KeptGoal>)> {
    let current = Some((ctx.store.last_event_seq().await?, ctx.workspace_today()));
    if ctx.store.forecast_run().await? == current {
        let (finishes, kept) =
            tokio::try_join!(ctx.store.forecasts(nodes), ctx.store.kept_goals(goals))?;
        // A run saved by another process since `current` was read is newer, never older:
        // runs are only replaced.
        return Ok((
            finishes
                .into_iter()
                .map(|f| (f.node, (f.finish, f.incomplete)))
                .collect(),
            kept.into_iter().map(|k| (k.goal, k)).collect(),
        ));
    }
    let mut whole = Whole::compute(ctx).await?;
    let open: HashSet<Id> = whole
        .basis
        .items
        .iter()
        .filter(|i| i.status.is_open())
        .map(|i| i.id)
        .collect();
    let mut out = HashMap::default();
    for n in nodes {
        let found = match n {
            Node::Item(id) => open.contains(id).then(|| {
                let f = whole.result.finish.get(id).copied();
                (f, f.is_none())
            }),
            Node::Goal(id) => whole.goal_finish.get(id).copied(),
        };
        if let Some(f) = found {
            out.insert(*n, f);
        }
    }
    let kept = goals
        .iter()
        .filter_map(|g| Some((*g, whole.kept_goals.remove(g)?)))
        .collect();
    Ok((out, kept))
}

/// Forecast finishes of these items, where they can be forecast (see [`of`]).
pub(crate) async fn finishes_of<S: Store>(
    ctx: &Ctx<'_, S>,
    items: impl IntoIterator<Item = Id>,
) -> Result<HashMap<Id, Date>> {
    let nodes: Vec<Node> = items.into_iter().map(Node::Item).collect();
    Ok(of(ctx, &nodes)
        .await?
        .into_iter()
        .filter_map(|(n, (finish, _))| match n {
            Node::Item(id) => Some((id, finish?)),
            Node::Goal(_) => None,
        })
        .collect())
}

/// One forecast line: an item or a goal.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Predicted {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    /// Its due or target date.
    pub due: Option<Date>,
    /// The forecast finish; none when it cannot be forecast.
    pub finish: Option<Date>,
    /// Days the forecast passes the date (0 when in time).
    pub late_days: i64,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ForecastView {
    pub today: Date,
    pub goals: Vec<Predicted>,
    pub items: Vec<Predicted>,
    /// Open items that cannot be forecast: no owner, no estimate, no available hours, or
    /// waiting on one of those.
    pub unschedulable: Vec<String>,
    /// People whose estimates are scaled (accuracy other than 1), by handle, rounded to 2
    /// decimals.
    pub accuracy: Vec<(String, f64)>,
}

/// Forecast the whole workspace and show a team's or a goal's part (or everything).
///
/// Each person's estimates are scaled by their accuracy on done items with actual hours.
pub async fn forecast<S: Store>(
    ctx: &Ctx<'_, S>,
    team: Option<&str>,
    goal: Option<&str>,
) -> Result<ForecastView> {
    let Whole {
        basis,
        result,
        accuracy,
        goals,
        goal_finish,
        ..
    } = Whole::compute(ctx).await?;
    let today = ctx.workspace_today();
    let (items, people) = (&basis.items, &basis.people);
    let mut scaled: Vec<(String, f64)> = people
        .iter()
        .filter_map(|p| {
            let a = accuracy.get(&p.id).copied().unwrap_or(1.0);
            (a != 1.0).then(|| (p.handle.clone(), (a * 100.0).round() / 100.0))
        })
        .collect();
    scaled.sort_by(|a, b| a.0.cmp(&b.0));
    let index: HashMap<Id, &Item> = items.iter().map(|i| (i.id, i)).collect();

    let shown_goals: Vec<&Goal> = match (team, goal) {
        (_, Some(g)) => {
            let r = resolve::parse_ref(g, RefKind::Goal)?;
            let id = resolve::goal(ctx.store, r).await?.id;
            goals.iter().filter(|x| x.id == id).collect()
        }
        (Some(t), None) => {
            let t = resolve::team(ctx.store, t).await?;
            goals.iter().filter(|g| g.team == Some(t.id)).collect()
        }
        (None, None) => goals.iter().collect(),
    };
    let shown_goal_ids: HashSet<Id> = shown_goals.iter().map(|g| g.id).collect();
    let everything = team.is_none() && goal.is_none();
    let names = Names::from_lists(people, &[], &[]);
    let late = |due: Option<Date>, finish: Option<Date>| match (due, finish) {
        (Some(d), Some(f)) if f > d => days_between(d, f),
        _ => 0,
    };
    let goal_lines = shown_goals
        .iter()
        .filter(|g| g.closed.is_none())
        .map(|g| {
            let finish = goal_finish.get(&g.id).and_then(|f| f.0);
            Predicted {
                id: goal_ref(g.num).to_string(),
                title: g.title.clone(),
                owner: names.person(g.owner),
                due: g.target.date,
                finish,
                late_days: late(g.target.date, finish),
            }
        })
        .collect();
    let shown = |i: &Item| everything || i.goal.is_some_and(|g| shown_goal_ids.contains(&g));
    let mut item_lines: Vec<Predicted> = items
        .iter()
        .filter(|i| i.status.is_open() && shown(i))
        .map(|i| {
            let finish = result.finish.get(&i.id).copied();
            Predicted {
                id: item_ref(i.num).to_string(),
                title: i.title.clone(),
                owner: names.person(i.owner),
                due: i.due.date,
                finish,
                late_days: late(i.due.date, finish),
            }
        })
        .collect();
    item_lines.sort_by(|a, b| b.late_days.cmp(&a.late_days).then(a.finish.cmp(&b.finish)));
    Ok(ForecastView {
        today,
        goals: goal_lines,
        items: item_lines,
        unschedulable: result
            .unschedulable
            .iter()
            .filter_map(|id| index.get(id))
            .filter(|i| shown(i))
            .map(|i| item_ref(i.num).to_string())
            .collect(),
        accuracy: scaled,
    })
}
