//! The W's of a work item and the plan/aspiration verdict of a goal (DESIGN §2).

use jiff::civil::Date;
use serde::Serialize;

use crate::model::{Closure, Goal, Id, Item};
use crate::rules::Rule;

/// Workspace settings the plan rules depend on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanPolicy {
    /// Estimates above this are `item_too_big`.
    pub step_limit_hours: f64,
}

impl Default for PlanPolicy {
    fn default() -> Self {
        PlanPolicy {
            step_limit_hours: crate::model::Workspace::DEFAULT_STEP_LIMIT_HOURS,
        }
    }
}

/// The status of a goal as every surface shows it: derived, never set by hand (DESIGN §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GoalStatus {
    Plan,
    Aspiration,
    Done,
    Dropped,
}

impl GoalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GoalStatus::Plan => "plan",
            GoalStatus::Aspiration => "aspiration",
            GoalStatus::Done => "done",
            GoalStatus::Dropped => "dropped",
        }
    }
}

fn blank(text: Option<&str>) -> bool {
    text.is_none_or(|t| t.trim().is_empty())
}

/// The W's an item lacks, in checklist order: What (a title and an outcome), Who (one owner),
/// When (a due date or a dated milestone). Empty when the item has its W's (DESIGN §2).
pub fn missing_ws(item: &Item) -> Vec<Rule> {
    let mut missing = Vec::new();
    if item.title.trim().is_empty() || blank(item.outcome.as_deref()) {
        missing.push(Rule::ItemMissingWhat);
    }
    if item.owner.is_none() {
        missing.push(Rule::ItemMissingWho);
    }
    if item.due.date.is_none() {
        missing.push(Rule::ItemMissingWhen);
    }
    missing
}

/// Whether an item has all three W's.
pub fn has_ws(item: &Item) -> bool {
    !item.title.trim().is_empty()
        && !blank(item.outcome.as_deref())
        && item.owner.is_some()
        && item.due.date.is_some()
}

/// Warnings for an item: too big for one step, or an outcome that is only a theme.
pub fn item_warnings(item: &Item, policy: &PlanPolicy) -> Vec<Rule> {
    let mut warnings = Vec::new();
    if item
        .estimate_hours
        .is_some_and(|h| h > policy.step_limit_hours)
    {
        warnings.push(Rule::ItemTooBig);
    }
    if item.outcome.as_deref().is_some_and(outcome_is_vague) {
        warnings.push(Rule::OutcomeVague);
    }
    warnings
}

/// Whether an item is due after a goal's target date (rule 4 of DESIGN §2).
pub fn due_after(item: &Item, target: Option<Date>) -> bool {
    matches!((item.due.date, target), (Some(due), Some(target)) if due > target)
}

/// Stems of verbs that name a direction rather than a result ("improve reliability").
const VAGUE_STEMS: [&str; 14] = [
    "improv",
    "reduc",
    "simplif",
    "optimi",
    "enhanc",
    "streamlin",
    "moderni",
    "boost",
    "harden",
    "strengthen",
    "revamp",
    "increas",
    "better",
    "tackl",
];
/// Two-word themes ("pay down tech debt", "close security gaps" is caught by `close` + `gap`).
const VAGUE_PAIRS: [(&str, &str); 6] = [
    ("pay", "down"),
    ("close", "gap"),
    ("left", "shift"),
    ("shift", "left"),
    ("clean", "up"),
    ("look", "into"),
];
/// Words that make an outcome concrete: a delivered artefact, an explicit done-criterion, or a
/// quantity. Whole words only, so "deployment" in "improve deployment reliability" stays a theme.
const CONCRETE_WORDS: [&str; 25] = [
    "shipped",
    "launched",
    "released",
    "published",
    "merged",
    "deployed",
    "signed",
    "approved",
    "migrated",
    "removed",
    "deleted",
    "retired",
    "decommissioned",
    "live",
    "zero",
    "none",
    "done",
    "half",
    "halved",
    "halve",
    "double",
    "doubled",
    "twice",
    "third",
    "quarter",
];

/// Whether `word` starts with the lower-case ASCII `stem`, ignoring ASCII case.
fn starts_with_ci(word: &str, stem: &str) -> bool {
    word.len() >= stem.len() && word.as_bytes()[..stem.len()].eq_ignore_ascii_case(stem.as_bytes())
}

/// The word lists indexed by first letter, so each word is compared with a handful of
/// candidates rather than all of them (this runs for every open item of every goal).
struct WordIndex {
    concrete: [Vec<&'static str>; 26],
    vague: [Vec<&'static str>; 26],
}

fn letter(word: &str) -> Option<usize> {
    let b = word.as_bytes().first()?.to_ascii_lowercase();
    b.is_ascii_lowercase().then(|| usize::from(b - b'a'))
}

fn word_index() -> &'static WordIndex {
    static INDEX: std::sync::OnceLock<WordIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = WordIndex {
            concrete: Default::default(),
            vague: Default::default(),
        };
        for w in CONCRETE_WORDS {
            index.concrete[letter(w).expect("lower-case word")].push(w);
        }
        for w in VAGUE_STEMS {
            index.vague[letter(w).expect("lower-case stem")].push(w);
        }
        index
    })
}

/// Whether an outcome is a theme rather than a measurable result: it uses a vague verb
/// (improve, reduce, simplify, optimize, pay down, close gaps, …) and has no number, no
/// threshold and no concrete deliverable (DESIGN §2, §7).
pub fn outcome_is_vague(outcome: &str) -> bool {
    let measured = outcome
        .bytes()
        .any(|b| b.is_ascii_digit() || matches!(b, b'<' | b'>' | b'%' | b'='));
    if measured || (!outcome.is_ascii() && (outcome.contains('≤') || outcome.contains('≥'))) {
        return false;
    }
    let index = word_index();
    let mut vague = false;
    // Per pair: how many more words may complete it ("close the security gap").
    let mut open_pairs = [0u8; VAGUE_PAIRS.len()];
    for word in outcome
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let Some(l) = letter(word) else {
            open_pairs.iter_mut().for_each(|p| *p = p.saturating_sub(1));
            continue;
        };
        if index.concrete[l]
            .iter()
            .any(|c| word.eq_ignore_ascii_case(c))
        {
            return false;
        }
        vague = vague || index.vague[l].iter().any(|s| starts_with_ci(word, s));
        for (pending, (first, second)) in open_pairs.iter_mut().zip(VAGUE_PAIRS) {
            if *pending > 0 && starts_with_ci(word, second) {
                vague = true;
            }
            *pending = if starts_with_ci(word, first) {
                3
            } else {
                pending.saturating_sub(1)
            };
        }
    }
    vague
}

/// The rules one item breaks inside a goal, and its warnings.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ItemCheck {
    pub item: Id,
    pub failing: Vec<Rule>,
    pub warnings: Vec<Rule>,
}

/// The verdict on a goal: its status and every failing rule (not just the first), with the
/// items that cause each item rule.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct GoalVerdict {
    pub status: GoalStatus,
    /// Failing rules in checklist order, each once. Empty exactly when an open goal is a plan.
    pub failing: Vec<Rule>,
    pub warnings: Vec<Rule>,
    /// Open items with a failing rule or a warning.
    pub items: Vec<ItemCheck>,
}

impl GoalVerdict {
    pub fn is_plan(&self) -> bool {
        self.status == GoalStatus::Plan
    }

    /// The items that fail `rule`.
    pub fn items_failing(&self, rule: Rule) -> impl Iterator<Item = Id> + '_ {
        self.items
            .iter()
            .filter(move |c| c.failing.contains(&rule) || c.warnings.contains(&rule))
            .map(|c| c.item)
    }
}

/// Decide whether a goal is a plan or an aspiration (DESIGN §2). `items` are the goal's work
/// items (any status). A closed goal keeps its closure as status; its rules are still reported.
pub fn evaluate_goal<'a>(
    goal: &Goal,
    items: impl IntoIterator<Item = &'a Item>,
    policy: &PlanPolicy,
) -> GoalVerdict {
    let mut failing = Vec::new();
    let mut warnings = Vec::new();
    if goal.owner.is_none() {
        failing.push(Rule::GoalMissingOwner);
    }
    if goal.target.date.is_none() {
        failing.push(Rule::GoalMissingDate);
    }
    if blank(goal.outcome.as_deref()) {
        failing.push(Rule::GoalMissingOutcome);
    } else if goal.outcome.as_deref().is_some_and(outcome_is_vague) {
        warnings.push(Rule::OutcomeVague);
    }

    let mut counted = 0usize;
    let mut checks = Vec::new();
    for item in items {
        if item.status == crate::model::ItemStatus::Done {
            counted += 1;
            continue;
        }
        if !item.status.is_open() {
            continue;
        }
        counted += 1;
        let mut item_failing = missing_ws(item);
        if due_after(item, goal.target.date) {
            item_failing.push(Rule::ItemAfterTarget);
        }
        let item_warn = item_warnings(item, policy);
        if item_failing.is_empty() && item_warn.is_empty() {
            continue;
        }
        failing.extend(item_failing.iter().copied());
        warnings.extend(item_warn.iter().copied());
        checks.push(ItemCheck {
            item: item.id,
            failing: item_failing,
            warnings: item_warn,
        });
    }
    if counted == 0 {
        failing.push(Rule::GoalNoItems);
    }
    failing.sort_unstable();
    failing.dedup();
    warnings.sort_unstable();
    warnings.dedup();
    checks.sort_by_key(|c| c.item);

    let status = match goal.closed {
        Some(Closure::Done) => GoalStatus::Done,
        Some(Closure::Dropped) => GoalStatus::Dropped,
        None if failing.is_empty() => GoalStatus::Plan,
        None => GoalStatus::Aspiration,
    };
    GoalVerdict {
        status,
        failing,
        warnings,
        items: checks,
    }
}

/// One line of a goal's checklist (what `landed plan` prints).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ChecklistLine {
    pub rule: Rule,
    pub passed: bool,
    pub requirement: &'static str,
    /// The fix, present when the rule fails or warns.
    pub fix: Option<&'static str>,
    /// The items that cause the failure or warning.
    pub items: Vec<Id>,
}

/// The full checklist of a goal: every goal and item rule with pass/fail, then the warnings.
pub fn checklist(verdict: &GoalVerdict) -> Vec<ChecklistLine> {
    let line = |rule: Rule, failed: bool| ChecklistLine {
        rule,
        passed: !failed,
        requirement: rule.requirement(),
        fix: failed.then(|| rule.fix()),
        items: verdict.items_failing(rule).collect(),
    };
    let mut lines: Vec<_> = Rule::GOAL_RULES
        .iter()
        .chain(Rule::ITEM_RULES.iter())
        .map(|&r| line(r, verdict.failing.contains(&r)))
        .collect();
    lines.extend(
        [Rule::ItemTooBig, Rule::OutcomeVague]
            .into_iter()
            .map(|r| line(r, verdict.warnings.contains(&r))),
    );
    lines
}

/// How far a goal has come: done versus total estimate of its open and done items.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, serde::Deserialize)]
pub struct Progress {
    pub done_items: usize,
    pub total_items: usize,
    pub done_hours: f64,
    pub total_hours: f64,
}

impl Progress {
    /// Share done, by estimate when there are estimates, else by count; 0 for no items.
    pub fn ratio(&self) -> f64 {
        if self.total_hours > 0.0 {
            self.done_hours / self.total_hours
        } else if self.total_items > 0 {
            self.done_items as f64 / self.total_items as f64
        } else {
            0.0
        }
    }
}

/// Progress over items; dropped items do not count.
pub fn progress<'a>(items: impl IntoIterator<Item = &'a Item>) -> Progress {
    let mut p = Progress::default();
    for i in items {
        if i.status == crate::model::ItemStatus::Dropped {
            continue;
        }
        let hours = i.estimate_hours.unwrap_or(0.0);
        p.total_items += 1;
        p.total_hours += hours;
        if i.status == crate::model::ItemStatus::Done {
            p.done_items += 1;
            p.done_hours += hours;
        }
    }
    p
}
