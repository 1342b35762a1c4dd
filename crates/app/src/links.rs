//! Dependencies: adding them (refusing cycles) and classifying them (DESIGN §3).

use std::borrow::Borrow;

use jiff::civil::Date;

use landed_core::deps::{self, DepClass, Supply};
use landed_core::hash::{HashMap, HashSet};
use landed_core::model::{Dependency, Goal, Id, Item, Node, Ref, RefKind, Request, Team};
use landed_core::plan::{self, PlanPolicy};
use landed_core::{goal_ref, item_ref};
use landed_store::{GoalFilter, ItemFilter, KeptGoal, Store};

use crate::views::{DepView, Names, node_ref};
use crate::{AppError, Ctx, Result, resolve};

/// The goals and items at the ends of some dependencies, enough to classify them: owned as
/// read from the store, or borrowed from entities already at hand (`Around<&Goal, &Item>`, as
/// the review holds the far ends at each moment of its week).
#[derive(Debug)]
pub struct Around<G = Goal, I = Item> {
    pub goals: HashMap<Id, G>,
    pub items: HashMap<Id, I>,
    /// Items of every goal in `goals`, for their verdicts.
    pub goal_items: HashMap<Id, Vec<I>>,
    /// Goals judged from what was kept of their items with the forecast instead (see
    /// [`KeptGoal`]): a goal here is judged from this, whatever `goal_items` holds.
    pub kept: HashMap<Id, KeptGoal>,
    /// Forecast finishes of the items, where known: a supplier forecast to finish after it is
    /// needed is at risk (DESIGN §5).
    pub forecast: HashMap<Id, Date>,
}

impl<G, I> Default for Around<G, I> {
    fn default() -> Self {
        Around {
            goals: HashMap::default(),
            items: HashMap::default(),
            goal_items: HashMap::default(),
            kept: HashMap::default(),
            forecast: HashMap::default(),
        }
    }
}

impl Around {
    /// Load what is needed to classify `deps`: both ends, and the items of the goals at the
    /// delivering end (what a goal delivers and its risk depend on them; the needing end
    /// gives only its date).
    pub async fn load<S: Store>(store: &S, deps: &[Dependency]) -> Result<Around> {
        let ends: Vec<Node> = deps.iter().flat_map(|d| [d.from, d.to]).collect();
        let (item_ids, mut goal_ids) = ids_by_kind(&ends);
        goal_ids.sort_unstable();
        goal_ids.dedup();
        let mut delivering: Vec<Id> = deps
            .iter()
            .filter_map(|d| match d.to {
                Node::Goal(g) => Some(g),
                Node::Item(_) => None,
            })
            .collect();
        delivering.sort_unstable();
        delivering.dedup();
        // Independent reads, together: the store's pool serves several at once.
        let of_goals = ItemFilter {
            goals: Some(delivering),
            ..ItemFilter::default()
        };
        let (items, goals, of_goals) = tokio::try_join!(
            load_items(store, item_ids),
            load_goals(store, goal_ids),
            async { Ok(store.items(&of_goals).await?) },
        )?;
        let mut goal_items: HashMap<Id, Vec<Item>> = HashMap::default();
        for i in of_goals {
            goal_items
                .entry(i.goal.unwrap_or_default())
                .or_default()
                .push(i);
        }
        Ok(Around {
            goals,
            items,
            goal_items,
            forecast: HashMap::default(),
            kept: HashMap::default(),
        })
    }
}

impl<G: Borrow<Goal>, I: Borrow<Item>> Around<G, I> {
    /// The items of `goal` here.
    fn items_of(&self, goal: Id) -> impl Iterator<Item = &Item> + Clone {
        let items = self.goal_items.get(&goal).map(Vec::as_slice).unwrap_or(&[]);
        items.iter().map(Borrow::borrow)
    }

    /// What a node delivers, as the core sees it.
    pub fn supply(&self, node: Node, policy: &PlanPolicy) -> Supply {
        match node {
            Node::Item(id) => self
                .items
                .get(&id)
                .map_or(Supply::Phantom(deps::PhantomWhy::Dropped), |i| {
                    deps::item_supply(i.borrow())
                }),
            Node::Goal(id) => match self.goals.get(&id).map(Borrow::borrow) {
                None => Supply::Phantom(deps::PhantomWhy::Dropped),
                Some(g) => match self.kept.get(&id) {
                    Some(k) => {
                        let status = match k.plan {
                            true => plan::GoalStatus::Plan,
                            false => plan::GoalStatus::Aspiration,
                        };
                        deps::goal_supply_as(g, status)
                    }
                    None => {
                        deps::goal_supply(g, &plan::evaluate_goal(g, self.items_of(id), policy))
                    }
                },
            },
        }
    }

    /// Whether a delivering node is at risk: a blocked or overdue item, or one forecast to
    /// finish after it is needed; a goal past its target, with a blocked item, or with an open
    /// item forecast to finish after it is needed (a goal cannot land before its items).
    pub fn risk(&self, node: Node, today: Date, needed: Option<Date>) -> Option<deps::RiskWhy> {
        let forecast = |id: Id| self.forecast.get(&id).copied();
        match node {
            Node::Item(id) => self
                .items
                .get(&id)
                .and_then(|i| deps::item_risk(i.borrow(), today, needed, forecast(id))),
            Node::Goal(id) => {
                let goal = self.goals.get(&id)?.borrow();
                if let Some(k) = self.kept.get(&id) {
                    return k.risk.at(goal, today, needed);
                }
                deps::goal_risk(goal, self.items_of(id), today, needed, forecast)
            }
        }
    }

    /// The date a node is due or targeted.
    pub fn date(&self, node: Node) -> Option<jiff::civil::Date> {
        match node {
            Node::Item(id) => self.items.get(&id).and_then(|i| i.borrow().due.date),
            Node::Goal(id) => self.goals.get(&id).and_then(|g| g.borrow().target.date),
        }
    }

    /// Classify one dependency and describe it.
    pub fn view(&self, d: &Dependency, policy: &PlanPolicy, names: &Names, today: Date) -> DepView {
        self.view_with(d, self.supply(d.to, policy), names, today)
    }

    /// [`Around::view`] with what the delivering end amounts to already judged (`supply`, as
    /// [`Around::supply`] gives it).
    pub fn view_with(&self, d: &Dependency, supply: Supply, names: &Names, today: Date) -> DepView {
        let (needed, class) = self.class_with(d, supply, today);
        let (from, from_title, from_owner) = node_ref(d.from, &self.goals, &self.items);
        let (to, to_title, to_owner) = node_ref(d.to, &self.goals, &self.items);
        DepView {
            from,
            from_title,
            from_owner: names.person(from_owner),
            to,
            to_title,
            to_owner: names.person(to_owner),
            class,
            why: match supply {
                Supply::Phantom(why) => Some(why),
                _ => None,
            },
            needed_by: needed,
            delivers: match supply {
                Supply::Committed(date) => Some(date),
                _ => self.date(d.to),
            },
        }
    }

    /// When a dependency is needed, and its class, with what the delivering end amounts to
    /// already judged (`supply`, as [`Around::supply`] gives it).
    pub fn class_with(
        &self,
        d: &Dependency,
        supply: Supply,
        today: Date,
    ) -> (Option<Date>, DepClass) {
        let needed = deps::need_date(d.needed_by, self.date(d.from));
        let class = deps::classify_with_risk(needed, supply, self.risk(d.to, today, needed));
        (needed, class)
    }

    /// The people named by the nodes here.
    pub fn owners(&self) -> impl Iterator<Item = Id> + '_ {
        self.goals
            .values()
            .filter_map(|g| g.borrow().owner)
            .chain(self.items.values().filter_map(|i| i.borrow().owner))
    }
}

/// Resolve `G-3` or `I-12` to a node.
pub async fn node<S: Store>(store: &S, text: &str) -> Result<(Node, Ref)> {
    let r: Ref = text.parse()?;
    match r.kind {
        RefKind::Item => Ok((Node::Item(resolve::item(store, r).await?.id), r)),
        RefKind::Goal => Ok((Node::Goal(resolve::goal(store, r).await?.id), r)),
        RefKind::Milestone | RefKind::Request => Err(AppError::WrongKind(r, "a goal or an item")),
    }
}

/// Record that `from` needs `to` (by `by`, else by `from`'s own date). Refuses cycles, naming
/// them, and duplicates.
pub async fn add<S: Store>(
    ctx: &Ctx<'_, S>,
    from: &str,
    to: &str,
    by: Option<&str>,
) -> Result<DepView> {
    let (from_node, from_ref) = node(ctx.store, from).await?;
    let (to_node, to_ref) = node(ctx.store, to).await?;
    let needed_by = by.map(|b| ctx.date(b)).transpose()?;
    let edges = cycle_edges(ctx.store).await?;
    if edges.contains(&(from_node, to_node)) {
        return Err(AppError::DuplicateDependency(
            from_ref.to_string(),
            to_ref.to_string(),
        ));
    }
    if let Some(cycle) = deps::cycle_if_added(&edges, from_node, to_node) {
        return Err(cycle_error(ctx.store, &cycle.0).await);
    }
    let dep = Dependency {
        id: 0,
        from: from_node,
        to: to_node,
        needed_by,
        created_at: ctx.now,
        version: 0,
    };
    let dep = ctx.create(dep).await?;
    let around = Around::load(ctx.store, std::slice::from_ref(&dep)).await?;
    let names = Names::load(ctx.store, around.owners().collect::<Vec<_>>()).await?;
    Ok(around.view(&dep, &ctx.policy(), &names, ctx.today()))
}

/// What a new need must not close a cycle with: every "needs" edge, and each goal's need on
/// its open items (a goal cannot land before them, so "I-5 needs G-2" while an item of G-2
/// waits on I-5 is a deadlock).
pub(crate) async fn cycle_edges<S: Store>(store: &S) -> Result<Vec<(Node, Node)>> {
    let mut edges = all_edges(store).await?;
    edges.extend(
        store
            .open_goal_items()
            .await?
            .into_iter()
            .map(|(g, i)| (Node::Goal(g), Node::Item(i))),
    );
    Ok(edges)
}

/// Every "needs" edge: the dependencies, and committed requests from the asking item or goal
/// to the delivering item.
pub async fn all_edges<S: Store>(store: &S) -> Result<Vec<(Node, Node)>> {
    let mut edges = store.dependency_edges().await?;
    edges.extend(
        store
            .requests()
            .await?
            .iter()
            .filter_map(|r| Some((r.for_node?, Node::Item(r.item?)))),
    );
    Ok(edges)
}

/// The error for a need that would close `path` into a cycle, naming each step (`I-3 → G-1 →
/// I-1 → I-3`).
pub(crate) async fn cycle_error<S: Store>(store: &S, path: &[Node]) -> AppError {
    match Around::load(store, &cycle_as_deps(path)).await {
        Ok(around) => {
            let steps: Vec<String> = path
                .iter()
                .map(|n| node_ref(*n, &around.goals, &around.items).0)
                .collect();
            AppError::Cycle(steps.join(" → "))
        }
        Err(e) => e,
    }
}

/// Stand-in dependencies along a path, only to load the names of its nodes.
fn cycle_as_deps(path: &[Node]) -> Vec<Dependency> {
    path.windows(2)
        .map(|w| Dependency {
            id: 0,
            from: w[0],
            to: w[1],
            needed_by: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            version: 0,
        })
        .collect()
}

/// Every dependency of the workspace (or of one team), classified, worst first, with the
/// requests made for an item or goal (see [`request_deps`]).
pub async fn list<S: Store>(ctx: &Ctx<'_, S>, team: Option<&str>) -> Result<Vec<DepView>> {
    // A team's dependencies are those with an end among its goals, or the items of its goals
    // and its people: only those are read and classified.
    let (deps, team) = match team {
        None => (ctx.store.dependencies(None).await?, None),
        Some(name) => {
            let t = resolve::team(ctx.store, name).await?;
            (ctx.store.team_dependencies(t.id).await?, Some(t))
        }
    };
    let mut around = Around::load(ctx.store, &deps).await?;
    around.forecast = crate::forecast::finishes_of(ctx, around.items.keys().copied()).await?;
    let names = Names::load(ctx.store, around.owners().collect::<Vec<_>>()).await?;
    let (policy, today) = (ctx.policy(), ctx.today());
    let mut views: Vec<DepView> = deps
        .iter()
        .map(|d| around.view(d, &policy, &names, today))
        .collect();
    views.extend(match &team {
        None => request_deps(ctx, None).await?,
        Some(t) => team_request_deps(ctx, t).await?,
    });
    views.sort_by(|a, b| a.class.cmp(&b.class).then(a.needed_by.cmp(&b.needed_by)));
    Ok(views)
}

/// What one item needs and what needs it, classified, worst first; requests made for the
/// item count among its needs, and those it delivers among what needs it.
pub async fn of_item<S: Store>(
    ctx: &Ctx<'_, S>,
    item: &Item,
) -> Result<(Vec<DepView>, Vec<DepView>)> {
    let node = Node::Item(item.id);
    let deps = ctx.store.dependencies(Some(&[node])).await?;
    let mut around = Around::load(ctx.store, &deps).await?;
    around.forecast = crate::forecast::finishes_of(ctx, around.items.keys().copied()).await?;
    let names = Names::load(ctx.store, around.owners().collect::<Vec<_>>()).await?;
    let (policy, today) = (ctx.policy(), ctx.today());
    let (mut needs, mut needed_by) = (Vec::new(), Vec::new());
    for d in &deps {
        let view = around.view(d, &policy, &names, today);
        if d.from == node {
            needs.push(view);
        } else {
            needed_by.push(view);
        }
    }
    let me = item_ref(item.num).to_string();
    for r in request_deps(ctx, None).await? {
        if r.from == me {
            needs.push(r);
        } else if r.to == me {
            needed_by.push(r);
        }
    }
    for list in [&mut needs, &mut needed_by] {
        list.sort_by(|a, b| a.class.cmp(&b.class).then(a.needed_by.cmp(&b.needed_by)));
    }
    Ok((needs, needed_by))
}

/// Requests made for an item or goal (of `only`, or all) as the dependencies they stand for:
/// phantom until committed, then classified by their delivering item.
pub async fn request_deps<S: Store>(
    ctx: &Ctx<'_, S>,
    only: Option<&[Node]>,
) -> Result<Vec<DepView>> {
    let requests: Vec<_> = ctx
        .store
        .requests()
        .await?
        .into_iter()
        .filter(|r| {
            r.for_node
                .is_some_and(|n| only.is_none_or(|o| o.contains(&n)))
        })
        .collect();
    request_views(ctx, requests).await
}

/// The requests a team asked (for its goals and items) or delivers (by its items), as
/// dependencies.
async fn team_request_deps<S: Store>(ctx: &Ctx<'_, S>, team: &Team) -> Result<Vec<DepView>> {
    let requests = ctx.store.requests().await?;
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    let items: Vec<Id> = requests
        .iter()
        .flat_map(|r| {
            let asker = match r.for_node {
                Some(Node::Item(i)) => Some(i),
                _ => None,
            };
            asker.into_iter().chain(r.item)
        })
        .collect();
    let goals: HashSet<Id> = ctx
        .store
        .goals(&GoalFilter {
            team: Some(team.id),
            ..GoalFilter::default()
        })
        .await?
        .iter()
        .map(|g| g.id)
        .collect();
    let items = load_items(ctx.store, items).await?;
    let ours = |n: Node| match n {
        Node::Goal(g) => goals.contains(&g),
        Node::Item(i) => items
            .get(&i)
            .is_some_and(|i| i.is_teams(|g| goals.contains(&g), |o| team.includes(o))),
    };
    let requests = requests
        .into_iter()
        .filter(|r| r.for_node.is_some_and(ours) || r.item.is_some_and(|i| ours(Node::Item(i))))
        .collect();
    request_views(ctx, requests).await
}

/// Requests as the dependencies they stand for.
async fn request_views<S: Store>(ctx: &Ctx<'_, S>, requests: Vec<Request>) -> Result<Vec<DepView>> {
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    let today = ctx.today();
    // Stand-ins so that both ends are loaded: the asker, and the delivering item if any.
    let stand_ins: Vec<Dependency> = requests
        .iter()
        .filter_map(|r| {
            let from = r.for_node?;
            Some(Dependency {
                id: 0,
                from,
                to: r.item.map_or(from, Node::Item),
                needed_by: Some(r.needed_by),
                created_at: r.created_at,
                version: 0,
            })
        })
        .collect();
    let around = Around::load(ctx.store, &stand_ins).await?;
    let forecast =
        crate::forecast::finishes_of(ctx, requests.iter().filter_map(|r| r.item)).await?;
    let names = Names::load(ctx.store, around.owners().collect::<Vec<_>>()).await?;
    let mut views = Vec::new();
    for (r, d) in requests.iter().zip(&stand_ins) {
        let label = landed_core::request_ref(r.num).to_string();
        let item = r.item.and_then(|id| around.items.get(&id));
        let supply = deps::request_supply(r, item);
        let (from, from_title, from_owner) = node_ref(d.from, &around.goals, &around.items);
        let (to, to_title, to_owner) = match item {
            Some(i) => (
                item_ref(i.num).to_string(),
                format!("{} ({label})", i.title),
                i.owner,
            ),
            None => (label, r.deliverable.clone(), None),
        };
        views.push(DepView {
            from,
            from_title,
            from_owner: names.person(from_owner),
            to,
            to_title,
            to_owner: names.person(to_owner),
            class: deps::classify_with_risk(
                Some(r.needed_by),
                supply,
                item.and_then(|i| {
                    deps::item_risk(i, today, Some(r.needed_by), forecast.get(&i.id).copied())
                }),
            ),
            why: match supply {
                Supply::Phantom(why) => Some(why),
                _ => None,
            },
            needed_by: Some(r.needed_by),
            delivers: item.and_then(|i| i.due.date),
        });
    }
    Ok(views)
}

/// Human reference of a node in `around`.
pub fn describe(node: Node, around: &Around) -> String {
    match node {
        Node::Item(id) => around
            .items
            .get(&id)
            .map_or_else(|| format!("item #{id}"), |i| item_ref(i.num).to_string()),
        Node::Goal(id) => around
            .goals
            .get(&id)
            .map_or_else(|| format!("goal #{id}"), |g| goal_ref(g.num).to_string()),
    }
}

/// One dependent reached by a slip, as shown.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AffectedView {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    /// Steps from the slipping item or goal.
    pub depth: usize,
    pub own_date: Option<jiff::civil::Date>,
    /// The earliest it can finish given what it needs.
    pub finish: Option<jiff::civil::Date>,
    pub late_days: i64,
}

/// The dependents of one team.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TeamImpact {
    pub team: Option<String>,
    pub affected: Vec<AffectedView>,
}

/// What a slip puts at risk (DESIGN §3).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ImpactView {
    pub id: String,
    pub title: String,
    /// Its date now, and the date the question is about (the same without `--if-due`).
    pub date: Option<jiff::civil::Date>,
    pub if_due: Option<jiff::civil::Date>,
    pub teams: usize,
    pub items: usize,
    pub goals: usize,
    /// The largest lateness among the dependents, in days.
    pub worst_late_days: i64,
    pub by_team: Vec<TeamImpact>,
}

/// Every transitive dependent of an item or goal if it finished on `if_due` (default: its
/// current date), grouped by team, with counts and the worst lateness. Writes nothing, and
/// reads only what the slip can reach (see `reach`).
pub async fn impact<S: Store>(
    ctx: &Ctx<'_, S>,
    id: &str,
    if_due: Option<&str>,
) -> Result<ImpactView> {
    let (start, r) = node(ctx.store, id).await?;
    let if_due = if_due.map(|d| ctx.date(d)).transpose()?;
    let Reach { around, edges } = reach(ctx.store, start).await?;
    let (goals, items) = (&around.goals, &around.items);
    let own_date = |n: Node| match n {
        Node::Item(id) => items.get(&id).and_then(|i| i.due.date),
        Node::Goal(id) => goals.get(&id).and_then(|g| g.target.date),
    };
    let date = own_date(start);
    let hit = landed_core::impact::impact(&edges, start, if_due.or(date), own_date);

    // A node's team: a goal's own, an item's goal's, else its owner's first team.
    let teams = ctx.store.teams().await?;
    let team_of_person = |p: Id| teams.iter().find(|t| t.includes(p)).map(|t| t.id);
    let team_of = |n: Node| match n {
        Node::Goal(id) => goals.get(&id).and_then(|g| g.team),
        Node::Item(id) => items.get(&id).and_then(|i| {
            i.goal
                .and_then(|g| goals.get(&g))
                .and_then(|g| g.team)
                .or_else(|| i.owner.and_then(team_of_person))
        }),
    };
    let names = Names::load(
        ctx.store,
        hit.iter()
            .filter_map(|a| match a.node {
                Node::Item(id) => items.get(&id).and_then(|i| i.owner),
                Node::Goal(id) => goals.get(&id).and_then(|g| g.owner),
            })
            .collect::<Vec<_>>(),
    )
    .await?;
    let mut by_team: Vec<TeamImpact> = Vec::new();
    for a in &hit {
        let team = team_of(a.node).and_then(|t| names.teams.get(&t).cloned());
        let (id, title, owner) = node_ref(a.node, &around.goals, &around.items);
        let view = AffectedView {
            id,
            title,
            owner: names.person(owner),
            depth: a.depth,
            own_date: a.own_date,
            finish: a.finish,
            late_days: a.late_days,
        };
        match by_team.iter_mut().find(|g| g.team == team) {
            Some(g) => g.affected.push(view),
            None => by_team.push(TeamImpact {
                team,
                affected: vec![view],
            }),
        }
    }
    by_team.sort_by(|a, b| {
        a.team
            .is_none()
            .cmp(&b.team.is_none())
            .then(a.team.cmp(&b.team))
    });
    let (subject, title, _) = node_ref(start, &around.goals, &around.items);
    debug_assert_eq!(subject, r.to_string());
    Ok(ImpactView {
        id: subject,
        title,
        date,
        if_due,
        teams: by_team.iter().filter(|g| g.team.is_some()).count(),
        items: hit
            .iter()
            .filter(|a| matches!(a.node, Node::Item(_)))
            .count(),
        goals: hit
            .iter()
            .filter(|a| matches!(a.node, Node::Goal(_)))
            .count(),
        worst_late_days: hit.iter().map(|a| a.late_days).max().unwrap_or(0),
        by_team,
    })
}

/// What a slip of one node can reach: the node, its transitive dependents and every "needs"
/// edge into them. The core's walk over it gives the same answer as over the whole workspace,
/// since a node's dependents are decided by the edges into it alone.
struct Reach {
    /// The node and its dependents, and the goals of those items (for their teams).
    around: Around,
    /// The dependencies (by id), the committed requests (by number), then each open item's
    /// edge from its goal: the order of the whole graph, which decides the order of the
    /// dependents at one distance.
    edges: Vec<landed_core::impact::Edge>,
}

/// Read what a slip of `start` can reach, outward one distance at a time, with one query per
/// kind and distance: a node's dependents are the ends of the dependencies into it, the
/// askers of committed requests it delivers (an item), and the goal of an open item (a goal
/// cannot land before its open items).
async fn reach<S: Store>(store: &S, start: Node) -> Result<Reach> {
    use landed_core::hash::HashSet;
    use landed_core::impact::Edge;
    use landed_core::model::RequestState;
    // The store has no query for the requests of some items; they are few, so all are read.
    let mut asked: HashMap<Id, Vec<Edge>> = HashMap::default();
    for r in store.requests().await? {
        if let (RequestState::Committed, Some(from), Some(item)) = (r.state, r.for_node, r.item) {
            asked.entry(item).or_default().push(Edge {
                from,
                to: Node::Item(item),
                needed_by: Some(r.needed_by),
            });
        }
    }
    let mut around = Around::default();
    let (mut deps, mut requests, mut waits) = (Vec::new(), Vec::new(), Vec::new());
    let mut reached = HashSet::from_iter([start]);
    let mut layer = vec![start];
    while !layer.is_empty() {
        let (item_ids, goal_ids) = ids_by_kind(&layer);
        let layer_items = load_items(store, item_ids).await?;
        around.goals.extend(load_goals(store, goal_ids).await?);
        let in_layer: HashSet<Node> = layer.iter().copied().collect();
        let mut next = Vec::new();
        let mut found = |n: Node| {
            if reached.insert(n) {
                next.push(n);
            }
        };
        for d in store.dependencies_into(&layer).await? {
            if in_layer.contains(&d.to) {
                found(d.from);
                deps.push(d);
            }
        }
        for n in &layer {
            if let Node::Item(id) = n {
                for e in asked.remove(id).unwrap_or_default() {
                    found(e.from);
                    requests.push(e);
                }
            }
        }
        for i in layer_items.values() {
            if let Some(goal) = i.goal.filter(|_| i.status.is_open()) {
                found(Node::Goal(goal));
                waits.push(Edge {
                    from: Node::Goal(goal),
                    to: Node::Item(i.id),
                    needed_by: None,
                });
            }
        }
        around.items.extend(layer_items);
        layer = next;
    }
    // The goals of reached items that are not reached themselves (those items are closed),
    // for the items' teams.
    let missing: Vec<Id> = around
        .items
        .values()
        .filter_map(|i| i.goal)
        .filter(|g| !around.goals.contains_key(g))
        .collect();
    around.goals.extend(load_goals(store, missing).await?);
    deps.sort_unstable_by_key(|d| d.id);
    let mut edges: Vec<Edge> = deps
        .iter()
        .map(|d| Edge {
            from: d.from,
            to: d.to,
            needed_by: d.needed_by,
        })
        .collect();
    edges.extend(requests);
    edges.extend(waits);
    Ok(Reach { around, edges })
}

/// The item ids and the goal ids among `nodes`.
fn ids_by_kind(nodes: &[Node]) -> (Vec<Id>, Vec<Id>) {
    let (mut items, mut goals) = (Vec::new(), Vec::new());
    for n in nodes {
        match *n {
            Node::Item(id) => items.push(id),
            Node::Goal(id) => goals.push(id),
        }
    }
    (items, goals)
}

/// The items with these ids, by id (no query for none).
async fn load_items<S: Store>(store: &S, mut ids: Vec<Id>) -> Result<HashMap<Id, Item>> {
    if ids.is_empty() {
        return Ok(HashMap::default());
    }
    ids.sort_unstable();
    ids.dedup();
    let items = store
        .items(&ItemFilter {
            ids: Some(ids),
            ..ItemFilter::default()
        })
        .await?;
    Ok(items.into_iter().map(|i| (i.id, i)).collect())
}

/// The goals with these ids, by id (no query for none).
async fn load_goals<S: Store>(store: &S, mut ids: Vec<Id>) -> Result<HashMap<Id, Goal>> {
    if ids.is_empty() {
        return Ok(HashMap::default());
    }
    ids.sort_unstable();
    ids.dedup();
    let goals = store
        .goals(&GoalFilter {
            ids: Some(ids),
            ..GoalFilter::default()
        })
        .await?;
    Ok(goals.into_iter().map(|g| (g.id, g)).collect())
}
