//! What the use cases return: plain, serialisable views with stable field names, the same
//! for `--json`, the API and the web pages.

use std::borrow::Borrow;

use jiff::civil::Date;
use landed_core::deps::{DepClass, PhantomWhy};
use landed_core::hash::HashMap;
use landed_core::model::{Goal, Id, Item, ItemKind, ItemStatus, Milestone, Node, Person, Team};
use landed_core::plan::{self, ChecklistLine, GoalStatus, PlanPolicy, Progress};
use landed_core::rules::Rule;
use landed_core::{goal_ref, item_ref};
use landed_store::Store;
use serde::Serialize;

use crate::Result;

/// Names for ids: handles of people, names of teams and milestones.
#[derive(Debug, Default)]
pub struct Names {
    pub people: HashMap<Id, String>,
    pub teams: HashMap<Id, String>,
    pub milestones: HashMap<Id, String>,
}

impl Names {
    /// Load the names of the given people (and all teams and milestones, which are few).
    pub async fn load<S: Store>(store: &S, people: impl IntoIterator<Item = Id>) -> Result<Names> {
        let mut names = Names::handles(store, people).await?;
        names.teams = store.team_names().await?.into_iter().collect();
        names.milestones = Names::milestone_names(store).await?;
        Ok(names)
    }

    /// The names an item view shows: its owner's handle and, if it has one, its milestone's
    /// name. Reads no more than that needs (no teams; milestones only when some item has one),
    /// which keeps a single-item read to few statements.
    pub async fn of_items<S: Store>(store: &S, items: &[Item]) -> Result<Names> {
        let mut names = Names::handles(store, items.iter().filter_map(|i| i.owner)).await?;
        if items.iter().any(|i| i.due.milestone.is_some()) {
            names.milestones = Names::milestone_names(store).await?;
        }
        Ok(names)
    }

    /// Names holding only the handles of these people.
    async fn handles<S: Store>(store: &S, people: impl IntoIterator<Item = Id>) -> Result<Names> {
        let mut ids: Vec<Id> = people.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        let people = store.people_by_ids(&ids).await?;
        Ok(Names {
            people: people.into_iter().map(|p| (p.id, p.handle)).collect(),
            ..Names::default()
        })
    }

    async fn milestone_names<S: Store>(store: &S) -> Result<HashMap<Id, String>> {
        let milestones = store.milestones().await?;
        Ok(milestones.into_iter().map(|m| (m.id, m.name)).collect())
    }

    pub fn from_lists(people: &[Person], teams: &[Team], milestones: &[Milestone]) -> Names {
        Names {
            people: people.iter().map(|p| (p.id, p.handle.clone())).collect(),
            teams: teams.iter().map(|t| (t.id, t.name.clone())).collect(),
            milestones: milestones.iter().map(|m| (m.id, m.name.clone())).collect(),
        }
    }

    pub fn person(&self, id: Option<Id>) -> Option<String> {
        id.and_then(|id| self.people.get(&id).cloned())
    }
}

/// A work item as shown to people and machines.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ItemView {
    pub id: String,
    pub title: String,
    pub outcome: Option<String>,
    pub status: ItemStatus,
    pub status_reason: Option<String>,
    pub kind: ItemKind,
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub milestone: Option<String>,
    pub estimate_hours: Option<f64>,
    /// Hours it really took, when recorded.
    pub actual_hours: Option<f64>,
    /// When it was done, while it is done.
    pub done_at: Option<jiff::Timestamp>,
    pub goal: Option<String>,
    /// Whether the item has its What, Who and When.
    pub has_ws: bool,
    /// Failing rule codes: missing W's, and `item_after_target` inside its goal.
    pub missing: Vec<Rule>,
    pub warnings: Vec<Rule>,
    pub version: i64,
}

impl ItemView {
    /// `goal_target` is the target of the item's goal, if it has one.
    pub fn new(
        item: &Item,
        goal_num: Option<i64>,
        goal_target: Option<Date>,
        policy: &PlanPolicy,
        names: &Names,
    ) -> ItemView {
        let mut missing = plan::missing_ws(item);
        if item.status.is_open() && plan::due_after(item, goal_target) {
            missing.push(Rule::ItemAfterTarget);
        }
        ItemView {
            id: item_ref(item.num).to_string(),
            title: item.title.clone(),
            outcome: item.outcome.clone(),
            status: item.status,
            status_reason: item.status_reason.clone(),
            kind: item.kind,
            owner: names.person(item.owner),
            due: item.due.date,
            milestone: item
                .due
                .milestone
                .and_then(|m| names.milestones.get(&m).cloned()),
            estimate_hours: item.estimate_hours,
            actual_hours: item.actual_hours,
            done_at: item.done_at,
            goal: goal_num.map(|n| goal_ref(n).to_string()),
            has_ws: plan::has_ws(item),
            missing,
            warnings: plan::item_warnings(item, policy),
            version: item.version,
        }
    }
}

/// One line of a goal's checklist, with item ids as people write them.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CheckView {
    pub rule: Rule,
    pub passed: bool,
    pub warning: bool,
    pub requirement: std::borrow::Cow<'static, str>,
    pub fix: Option<std::borrow::Cow<'static, str>>,
    pub items: Vec<String>,
}

impl CheckView {
    pub fn new(line: &ChecklistLine, nums: &HashMap<Id, i64>) -> CheckView {
        CheckView {
            rule: line.rule,
            passed: line.passed,
            warning: line.rule.is_warning(),
            requirement: line.requirement.into(),
            fix: line.fix.map(Into::into),
            items: line
                .items
                .iter()
                .filter_map(|id| nums.get(id))
                .map(|n| item_ref(*n).to_string())
                .collect(),
        }
    }
}

/// A goal in a listing.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct GoalSummary {
    pub id: String,
    pub title: String,
    pub status: GoalStatus,
    pub failing: Vec<Rule>,
    pub warnings: Vec<Rule>,
    pub owner: Option<String>,
    pub target: Option<Date>,
    pub team: Option<String>,
    pub progress: Progress,
    pub next_step: Option<String>,
}

impl GoalSummary {
    pub fn new(goal: &Goal, items: &[&Item], policy: &PlanPolicy, names: &Names) -> GoalSummary {
        let verdict = plan::evaluate_goal(goal, items.iter().copied(), policy);
        GoalSummary {
            id: goal_ref(goal.num).to_string(),
            title: goal.title.clone(),
            status: verdict.status,
            failing: verdict.failing,
            warnings: verdict.warnings,
            owner: names.person(goal.owner),
            target: goal.target.date,
            team: goal.team.and_then(|t| names.teams.get(&t).cloned()),
            progress: plan::progress(items.iter().copied()),
            next_step: landed_core::next::next_step(items.iter().copied())
                .map(|i| format!("{} {}", item_ref(i.num), i.title)),
        }
    }
}

/// A dependency with its class, as seen from either side.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct DepView {
    /// The needing side.
    pub from: String,
    pub from_title: String,
    pub from_owner: Option<String>,
    /// The delivering side.
    pub to: String,
    pub to_title: String,
    pub to_owner: Option<String>,
    pub class: DepClass,
    /// Why it is phantom, when it is.
    pub why: Option<PhantomWhy>,
    /// The date it is needed by: its own, else the needing side's date.
    pub needed_by: Option<Date>,
    /// The date the delivering side is committed to.
    pub delivers: Option<Date>,
}

/// A goal with everything its page shows.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct GoalView {
    pub id: String,
    pub title: String,
    pub outcome: Option<String>,
    pub status: GoalStatus,
    pub failing: Vec<Rule>,
    pub warnings: Vec<Rule>,
    /// How a plan is doing; none for aspirations and closed goals.
    pub health: Option<landed_core::health::Health>,
    /// Why it is not on track, as codes and in words.
    pub health_reasons: Vec<landed_core::health::HealthReason>,
    pub health_why: Vec<std::borrow::Cow<'static, str>>,
    /// When the open work is forecast to finish (DESIGN §5); none when some of it cannot be
    /// forecast or nothing is left.
    pub forecast: Option<Date>,
    pub owner: Option<String>,
    pub target: Option<Date>,
    pub milestone: Option<String>,
    pub team: Option<String>,
    pub close_reason: Option<String>,
    pub progress: Progress,
    pub next_step: Option<String>,
    pub items: Vec<ItemView>,
    pub checklist: Vec<CheckView>,
    /// What this goal and its items need.
    pub needs: Vec<DepView>,
    /// What needs this goal or its items.
    pub needed_by: Vec<DepView>,
    pub version: i64,
}

/// A label for a node: its id and title.
pub fn node_ref<G: Borrow<Goal>, I: Borrow<Item>>(
    node: Node,
    goals: &HashMap<Id, G>,
    items: &HashMap<Id, I>,
) -> (String, String, Option<Id>) {
    match node {
        Node::Item(id) => items.get(&id).map(Borrow::borrow).map_or_else(
            || (format!("item #{id}"), String::new(), None),
            |i| (item_ref(i.num).to_string(), i.title.clone(), i.owner),
        ),
        Node::Goal(id) => goals.get(&id).map(Borrow::borrow).map_or_else(
            || (format!("goal #{id}"), String::new(), None),
            |g| (goal_ref(g.num).to_string(), g.title.clone(), g.owner),
        ),
    }
}
