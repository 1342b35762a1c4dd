//! Dependency classes and cycle detection (DESIGN §3).

use std::collections::VecDeque;

use jiff::civil::Date;
use serde::Serialize;

use crate::hash::{HashMap, HashSet};
use crate::model::{Closure, Goal, Item, ItemStatus, Node};
use crate::plan::{GoalStatus, GoalVerdict, has_ws};

/// The class of a dependency "A needs B by D".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum DepClass {
    /// B is not planned work: an aspiration, an item without its W's, or dropped.
    Phantom,
    /// B is committed, but for a date after D.
    Late,
    /// B is committed in time on paper, but blocked, overdue, or forecast to finish after D.
    #[serde(rename = "at_risk")]
    AtRisk,
    /// B is committed in time.
    Ok,
    /// B is done.
    Met,
}

impl DepClass {
    pub fn as_str(self) -> &'static str {
        match self {
            DepClass::Phantom => "phantom",
            DepClass::Late => "late",
            DepClass::AtRisk => "at_risk",
            DepClass::Ok => "ok",
            DepClass::Met => "met",
        }
    }
}

/// Why a supplier is phantom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhantomWhy {
    /// The supplying goal is an aspiration.
    Aspiration,
    /// The supplying item lacks What, Who or When.
    MissingWs,
    /// The supplier was dropped.
    Dropped,
    /// A commitment request that nobody committed to (yet).
    Uncommitted,
}

impl PhantomWhy {
    pub fn describe(self) -> &'static str {
        match self {
            PhantomWhy::Aspiration => "the goal it needs is an aspiration, not a plan",
            PhantomWhy::MissingWs => "the item it needs lacks a What, Who or When",
            PhantomWhy::Dropped => "what it needs was dropped",
            PhantomWhy::Uncommitted => "it is a request nobody has committed to",
        }
    }
}

/// What the delivering side (B) of a dependency amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supply {
    Done,
    Phantom(PhantomWhy),
    /// Planned work that should land on this date.
    Committed(Date),
}

/// The supply an item represents.
pub fn item_supply(item: &Item) -> Supply {
    match item.status {
        ItemStatus::Done => Supply::Done,
        ItemStatus::Dropped => Supply::Phantom(PhantomWhy::Dropped),
        _ => match item.due.date {
            Some(due) if has_ws(item) => Supply::Committed(due),
            _ => Supply::Phantom(PhantomWhy::MissingWs),
        },
    }
}

/// The supply a goal represents, given its verdict.
pub fn goal_supply(goal: &Goal, verdict: &GoalVerdict) -> Supply {
    goal_supply_as(goal, verdict.status)
}

/// The supply a goal represents, given only whether it is a plan or an aspiration (a verdict
/// kept between writes: see [`GoalRisk`]).
pub fn goal_supply_as(goal: &Goal, status: GoalStatus) -> Supply {
    match (goal.closed, status, goal.target.date) {
        (Some(Closure::Done), _, _) => Supply::Done,
        (Some(Closure::Dropped), _, _) => Supply::Phantom(PhantomWhy::Dropped),
        (None, GoalStatus::Plan, Some(target)) => Supply::Committed(target),
        _ => Supply::Phantom(PhantomWhy::Aspiration),
    }
}

/// The supply a commitment request represents: its delivering item once committed, else
/// nothing (DESIGN §3: "B is a request nobody committed to" is phantom).
pub fn request_supply(request: &crate::model::Request, item: Option<&Item>) -> Supply {
    match (request.state, item) {
        (crate::model::RequestState::Committed, Some(item)) => item_supply(item),
        _ => Supply::Phantom(PhantomWhy::Uncommitted),
    }
}

/// The date a dependency is needed by: its own date, else the needing side's date.
pub fn need_date(needed_by: Option<Date>, needing_side_date: Option<Date>) -> Option<Date> {
    needed_by.or(needing_side_date)
}

/// Classify a dependency that is needed by `needed` (if known) on a supplier (DESIGN §3).
/// Without a need date a committed supplier cannot be late.
pub fn classify(needed: Option<Date>, supply: Supply) -> DepClass {
    match supply {
        Supply::Done => DepClass::Met,
        Supply::Phantom(_) => DepClass::Phantom,
        Supply::Committed(date) if needed.is_some_and(|d| date > d) => DepClass::Late,
        Supply::Committed(_) => DepClass::Ok,
    }
}

/// Why a supplier committed in time is still at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskWhy {
    Blocked,
    /// Its due date has passed and it is not done.
    Overdue,
    /// Its forecast finish is after the date it is needed by.
    Forecast,
}

impl RiskWhy {
    pub fn describe(self) -> &'static str {
        match self {
            RiskWhy::Blocked => "what it needs is blocked",
            RiskWhy::Overdue => "what it needs is overdue",
            RiskWhy::Forecast => "what it needs is forecast to finish too late",
        }
    }
}

/// Whether an item that delivers is at risk on `today`: blocked, or overdue (DESIGN §3), or
/// forecast to finish after `needed` (DESIGN §5).
pub fn item_risk(
    item: &Item,
    today: Date,
    needed: Option<Date>,
    forecast: Option<Date>,
) -> Option<RiskWhy> {
    if item.status == ItemStatus::Blocked {
        Some(RiskWhy::Blocked)
    } else if item.status.is_open() && item.due.date.is_some_and(|d| d < today) {
        Some(RiskWhy::Overdue)
    } else if matches!((forecast, needed), (Some(f), Some(n)) if f > n) {
        Some(RiskWhy::Forecast)
    } else {
        None
    }
}

/// Whether a goal that delivers is at risk on `today`: past its target while open, with a
/// blocked item, or with an open item forecast (`forecast`, by item id) to finish after
/// `needed` — a goal cannot land before its items.
pub fn goal_risk<'a>(
    goal: &Goal,
    items: impl IntoIterator<Item = &'a Item> + Clone,
    today: Date,
    needed: Option<Date>,
    forecast: impl Fn(crate::model::Id) -> Option<Date>,
) -> Option<RiskWhy> {
    let blocked = items
        .clone()
        .into_iter()
        .any(|i| i.status == ItemStatus::Blocked);
    let open = items
        .into_iter()
        .filter(|i| i.status.is_open())
        .filter_map(|i| Some((i.due.date, forecast(i.id)?)));
    risk_of(goal, blocked, open, today, needed)
}

/// What a goal's items tell of its risk as a supplier, without the items: whether one is
/// blocked, and the due date and forecast finish of each open item that has a forecast. It
/// does not depend on the day, so it can be kept between writes with the forecast it was
/// made from; [`GoalRisk::at`] judges it as [`goal_risk`] judges the items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct GoalRisk {
    pub blocked: bool,
    /// `(due, forecast finish)` of the open items that can be forecast.
    pub open: Vec<(Option<Date>, Date)>,
}

impl GoalRisk {
    pub fn of<'a>(
        items: impl IntoIterator<Item = &'a Item>,
        forecast: impl Fn(crate::model::Id) -> Option<Date>,
    ) -> GoalRisk {
        let mut risk = GoalRisk::default();
        for i in items {
            risk.blocked |= i.status == ItemStatus::Blocked;
            if let Some(finish) = forecast(i.id).filter(|_| i.status.is_open()) {
                risk.open.push((i.due.date, finish));
            }
        }
        risk
    }

    /// The goal's risk on `today` for a need on `needed`, as [`goal_risk`] judges its items.
    pub fn at(&self, goal: &Goal, today: Date, needed: Option<Date>) -> Option<RiskWhy> {
        risk_of(goal, self.blocked, self.open.iter().copied(), today, needed)
    }
}

/// The rule of [`goal_risk`], on what it reads of the items. An open item that is overdue is
/// not counted as forecast late: [`item_risk`] calls it overdue, which a goal's risk does not
/// count (its target does).
fn risk_of(
    goal: &Goal,
    blocked: bool,
    mut open: impl Iterator<Item = (Option<Date>, Date)>,
    today: Date,
    needed: Option<Date>,
) -> Option<RiskWhy> {
    if goal.closed.is_none() && goal.target.date.is_some_and(|t| t < today) {
        Some(RiskWhy::Overdue)
    } else if blocked {
        Some(RiskWhy::Blocked)
    } else if open
        .any(|(due, finish)| due.is_none_or(|d| d >= today) && needed.is_some_and(|n| finish > n))
    {
        Some(RiskWhy::Forecast)
    } else {
        None
    }
}

/// Whether a request still waiting for an answer is overdue: asked on `asked_on`, more than
/// `after_days` days before `today` (DESIGN §3).
pub fn request_overdue(
    state: crate::model::RequestState,
    asked_on: Date,
    today: Date,
    after_days: i64,
) -> bool {
    state == crate::model::RequestState::Open
        && crate::when::days_between(asked_on, today) > after_days
}

/// Classify with what is known about risk: a dependency that would be `ok` is `at_risk` when
/// its supplier is at risk (DESIGN §3).
pub fn classify_with_risk(needed: Option<Date>, supply: Supply, risk: Option<RiskWhy>) -> DepClass {
    match classify(needed, supply) {
        DepClass::Ok if risk.is_some() => DepClass::AtRisk,
        class => class,
    }
}

/// A dependency cycle, in order, starting and ending at the same node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle(pub Vec<Node>);

/// Would adding "`from` needs `to`" to `edges` (pairs of "needs") close a cycle? Returns the
/// cycle `from → to → … → from` if so. A node needing itself is a cycle of one step.
pub fn cycle_if_added(edges: &[(Node, Node)], from: Node, to: Node) -> Option<Cycle> {
    if from == to {
        return Some(Cycle(vec![from, from]));
    }
    let mut needs: HashMap<Node, Vec<Node>> = HashMap::default();
    for &(a, b) in edges {
        needs.entry(a).or_default().push(b);
    }
    // Breadth-first from `to` along "needs"; reaching `from` closes the loop.
    let mut parent: HashMap<Node, Node> = HashMap::default();
    let mut seen: HashSet<Node> = HashSet::from_iter([to]);
    let mut queue = VecDeque::from([to]);
    while let Some(n) = queue.pop_front() {
        for &next in needs.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
            if !seen.insert(next) {
                continue;
            }
            parent.insert(next, n);
            if next == from {
                // Walk back from `from` to `to`, then read it forwards: to → … → from.
                let mut chain = vec![from];
                let mut cur = from;
                while cur != to {
                    cur = parent[&cur];
                    chain.push(cur);
                }
                chain.reverse();
                let mut cycle = vec![from];
                cycle.extend(chain);
                return Some(Cycle(cycle));
            }
            queue.push_back(next);
        }
    }
    None
}

/// The "needs" edges that goals have on their own open items: a goal cannot land before them.
/// Cycle checks add these to the dependencies, so that "I-5 needs G-2" is refused when an open
/// item of G-2 already waits on I-5: that would be a deadlock through the goal.
pub fn goal_item_edges<'a>(
    items: impl IntoIterator<Item = &'a Item>,
) -> impl Iterator<Item = (Node, Node)> {
    items
        .into_iter()
        .filter(|i| i.status.is_open())
        .filter_map(|i| Some((Node::Goal(i.goal?), Node::Item(i.id))))
}

/// Whether a set of "needs" edges is free of cycles.
pub fn is_acyclic(edges: &[(Node, Node)]) -> bool {
    let mut indegree: HashMap<Node, usize> = HashMap::default();
    let mut needs: HashMap<Node, Vec<Node>> = HashMap::default();
    for &(a, b) in edges {
        needs.entry(a).or_default().push(b);
        indegree.entry(a).or_insert(0);
        *indegree.entry(b).or_insert(0) += 1;
    }
    let mut ready: Vec<Node> = indegree
        .iter()
        .filter(|(_, d)| **d == 0)
        .map(|(n, _)| *n)
        .collect();
    let mut removed = 0;
    while let Some(n) = ready.pop() {
        removed += 1;
        for next in needs.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
            let d = indegree
                .get_mut(next)
                .expect("every edge end has an indegree");
            *d -= 1;
            if *d == 0 {
                ready.push(*next);
            }
        }
    }
    removed == indegree.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ItemKind, When};
    use jiff::civil::date;

    fn item(status: ItemStatus, due: Date) -> Item {
        Item {
            id: 1,
            num: 1,
            title: "Deliver".into(),
            outcome: Some("API live".into()),
            owner: Some(1),
            due: When::on(due),
            estimate_hours: Some(4.0),
            status,
            status_reason: None,
            actual_hours: None,
            done_at: None,
            kind: ItemKind::Strategic,
            goal: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    const TODAY: Date = date(2026, 11, 23);

    #[test]
    fn a_blocked_supplier_in_time_is_at_risk() {
        let i = item(ItemStatus::Blocked, date(2026, 12, 1));
        let needed = Some(date(2026, 12, 4));
        let risk = item_risk(&i, TODAY, needed, None);
        assert_eq!(risk, Some(RiskWhy::Blocked));
        assert_eq!(
            classify_with_risk(needed, item_supply(&i), risk),
            DepClass::AtRisk
        );
    }

    #[test]
    fn an_overdue_supplier_is_at_risk_and_a_late_one_stays_late() {
        let i = item(ItemStatus::Todo, date(2026, 11, 20));
        assert_eq!(item_risk(&i, TODAY, None, None), Some(RiskWhy::Overdue));
        let late = item(ItemStatus::Blocked, date(2026, 12, 10));
        let needed = Some(date(2026, 12, 4));
        let risk = item_risk(&late, TODAY, needed, None);
        assert_eq!(
            classify_with_risk(needed, item_supply(&late), risk),
            DepClass::Late
        );
    }

    #[test]
    fn a_forecast_past_the_need_is_at_risk() {
        let i = item(ItemStatus::Todo, date(2026, 12, 1));
        let needed = Some(date(2026, 12, 4));
        assert_eq!(
            item_risk(&i, TODAY, needed, Some(date(2026, 12, 7))),
            Some(RiskWhy::Forecast)
        );
        assert_eq!(item_risk(&i, TODAY, needed, Some(date(2026, 12, 3))), None);
        let done = item(ItemStatus::Done, date(2026, 11, 1));
        assert_eq!(
            item_risk(&done, TODAY, needed, None),
            None,
            "done is never overdue"
        );
    }
}
