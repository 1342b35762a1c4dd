//! The domain types of DESIGN §1: plain data, no behaviour beyond small helpers.
//!
//! Every entity carries an internal `id` (unique within the store) and, where people refer to
//! it, a human number per workspace (`G-12`, `I-345`, `M-3`). Entities carry a `version` that
//! the store bumps on every change, for optimistic concurrency.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Internal identifier of any entity; unique per entity kind within a store.
pub type Id = i64;

/// A workspace: the tenant everything else belongs to, and its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: Id,
    pub name: String,
    /// Estimates above this many hours are `item_too_big` (DESIGN §2).
    pub step_limit_hours: f64,
    /// The person commands act as when no `--as` or `$LANDED_USER` is given.
    pub default_person: Option<Id>,
    /// Time zone used for people who have none and for workspace-wide dates.
    pub tz: String,
    /// Share of capacity taken by reactive work for people with no done reactive work to
    /// measure (DESIGN §5), between 0 and 1.
    pub reactive_share: f64,
    /// An open request older than this many days is overdue (DESIGN §3).
    pub request_overdue_days: i64,
    pub version: i64,
}

impl Workspace {
    pub const DEFAULT_STEP_LIMIT_HOURS: f64 = 24.0;
    pub const DEFAULT_REACTIVE_SHARE: f64 = 0.5;
    pub const DEFAULT_REQUEST_OVERDUE_DAYS: i64 = 5;
}

/// A user of the workspace (DESIGN §1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: Id,
    pub handle: String,
    pub name: String,
    pub email: Option<String>,
    /// IANA time zone name; "today" and weeks follow it.
    pub tz: String,
    /// Hours per week this person can work.
    pub capacity_hours: f64,
    /// What they may do (DESIGN §9); absent from events written before roles existed.
    #[serde(default)]
    pub role: crate::authz::Role,
    /// A suspended person can neither sign in nor use their tokens.
    #[serde(default)]
    pub suspended: bool,
    pub version: i64,
}

impl Person {
    pub const DEFAULT_CAPACITY_HOURS: f64 = 40.0;
}

/// A named group of people with one lead (DESIGN §1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: Id,
    pub name: String,
    pub lead: Id,
    /// Members other than the lead, sorted by id.
    pub members: Vec<Id>,
    /// Share of each member's capacity reserved for strategic work, between 0 and 1; 0 when
    /// the team protects none (DESIGN §5).
    pub protected_share: f64,
    pub version: i64,
}

impl Team {
    /// Whether `person` is in the team: its lead or a member.
    pub fn includes(&self, person: Id) -> bool {
        self.lead == person || self.members.contains(&person)
    }
}

/// A named date such as a sprint end or a release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: Id,
    pub num: i64,
    pub name: String,
    pub date: Date,
    pub version: i64,
}

/// "When": a date of its own, or a milestone (whose date is copied in `date` when loaded, so
/// that rules never need a lookup).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct When {
    pub date: Option<Date>,
    pub milestone: Option<Id>,
}

impl When {
    pub const NONE: When = When {
        date: None,
        milestone: None,
    };

    pub fn on(date: Date) -> When {
        When {
            date: Some(date),
            milestone: None,
        }
    }

    pub fn at_milestone(milestone: &Milestone) -> When {
        When {
            date: Some(milestone.date),
            milestone: Some(milestone.id),
        }
    }
}

/// How a goal was closed. Open goals have no closure; their status is derived (DESIGN §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Closure {
    Done,
    Dropped,
}

/// A strategic goal (DESIGN §1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    pub id: Id,
    pub num: i64,
    pub title: String,
    pub outcome: Option<String>,
    pub owner: Option<Id>,
    pub target: When,
    pub team: Option<Id>,
    pub closed: Option<Closure>,
    pub close_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// Status of a work item (DESIGN §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemStatus {
    Todo,
    Doing,
    Blocked,
    Done,
    Dropped,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 5] = [
        ItemStatus::Todo,
        ItemStatus::Doing,
        ItemStatus::Blocked,
        ItemStatus::Done,
        ItemStatus::Dropped,
    ];

    /// Open items are the ones still to be delivered: todo, doing or blocked.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ItemStatus::Todo | ItemStatus::Doing | ItemStatus::Blocked
        )
    }

    /// Whether an item in this status, due on `due`, is overdue on `today`: open, and its
    /// due date has passed.
    pub fn overdue(self, due: Option<Date>, today: Date) -> bool {
        self.is_open() && due.is_some_and(|d| d < today)
    }

    /// Whether entering this status needs a reason (DESIGN §1: blocked and dropped do).
    pub fn needs_reason(self) -> bool {
        matches!(self, ItemStatus::Blocked | ItemStatus::Dropped)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Todo => "todo",
            ItemStatus::Doing => "doing",
            ItemStatus::Blocked => "blocked",
            ItemStatus::Done => "done",
            ItemStatus::Dropped => "dropped",
        }
    }
}

/// Kind of a work item: strategic work serves goals, reactive work is the daily load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Strategic,
    Reactive,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Strategic => "strategic",
            ItemKind::Reactive => "reactive",
        }
    }
}

/// Error for a word that is not one of an enum's spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{given}` (expected one of: {expected})")]
pub struct UnknownWord {
    pub what: &'static str,
    pub given: String,
    pub expected: &'static str,
}

impl FromStr for ItemStatus {
    type Err = UnknownWord;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ItemStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| UnknownWord {
                what: "status",
                given: s.to_string(),
                expected: "todo, doing, blocked, done, dropped",
            })
    }
}

impl FromStr for ItemKind {
    type Err = UnknownWord;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "strategic" => Ok(ItemKind::Strategic),
            "reactive" => Ok(ItemKind::Reactive),
            _ => Err(UnknownWord {
                what: "kind",
                given: s.to_string(),
                expected: "strategic, reactive",
            }),
        }
    }
}

impl fmt::Display for ItemStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A work item (DESIGN §1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: Id,
    pub num: i64,
    pub title: String,
    pub outcome: Option<String>,
    pub owner: Option<Id>,
    pub due: When,
    pub estimate_hours: Option<f64>,
    pub status: ItemStatus,
    /// Why the item is blocked or dropped; cleared when it moves on.
    pub status_reason: Option<String>,
    pub kind: ItemKind,
    pub goal: Option<Id>,
    /// Hours it really took, recorded when it was done.
    pub actual_hours: Option<f64>,
    /// When it was last marked done; none while it is not done.
    pub done_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl Item {
    /// Hours the item took: the actual hours if recorded, else its estimate.
    pub fn spent_hours(&self) -> Option<f64> {
        self.actual_hours.or(self.estimate_hours)
    }

    /// Whether the item is a team's: it belongs to one of the team's goals (`team_goal`), or
    /// its owner is the team's lead or a member (`in_team`). The store's team queries
    /// (`team_item_ids`) read the same rule.
    pub fn is_teams(&self, team_goal: impl Fn(Id) -> bool, in_team: impl Fn(Id) -> bool) -> bool {
        self.goal.is_some_and(team_goal) || self.owner.is_some_and(in_team)
    }
}

/// One end of a dependency: a work item or a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Node {
    Item(Id),
    Goal(Id),
}

/// "`from` needs `to` by `needed_by`" (DESIGN §3). Without `needed_by`, the date is the
/// needing side's due or target date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dependency {
    pub id: Id,
    pub from: Node,
    pub to: Node,
    pub needed_by: Option<Date>,
    pub created_at: Timestamp,
    pub version: i64,
}

/// Where a commitment request stands (DESIGN §3): asked, or answered with one of exactly
/// two answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Open,
    /// "Yes": an owner, the item that delivers it, and its date.
    Committed,
    /// "Not yet": it matters, but it is not planned work.
    NotYet,
}

impl RequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Open => "open",
            RequestState::Committed => "committed",
            RequestState::NotYet => "not_yet",
        }
    }
}

impl FromStr for RequestState {
    type Err = UnknownWord;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "open" => Ok(RequestState::Open),
            "committed" => Ok(RequestState::Committed),
            "not_yet" => Ok(RequestState::NotYet),
            _ => Err(UnknownWord {
                what: "request state",
                given: s.to_string(),
                expected: "open, committed, not_yet",
            }),
        }
    }
}

/// Team `from_team` asks team `to_team` for a deliverable by a date (DESIGN §3). The request
/// stands as a dependency of `for_node` (the asking item or goal) until it is answered; a
/// commitment points it at the delivering `item`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: Id,
    pub num: i64,
    pub from_team: Option<Id>,
    pub to_team: Id,
    pub deliverable: String,
    pub needed_by: Date,
    pub for_node: Option<Node>,
    pub asked_by: Option<Id>,
    pub state: RequestState,
    pub answered_by: Option<Id>,
    pub note: Option<String>,
    /// The delivering item, once committed.
    pub item: Option<Id>,
    pub created_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub version: i64,
}

/// How sure the owner of a goal is that it lands on time, said at each check-in (DESIGN §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    OnTrack,
    AtRisk,
    OffTrack,
}

impl Confidence {
    pub const ALL: [Confidence; 3] = [
        Confidence::OnTrack,
        Confidence::AtRisk,
        Confidence::OffTrack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::OnTrack => "on-track",
            Confidence::AtRisk => "at-risk",
            Confidence::OffTrack => "off-track",
        }
    }
}

impl FromStr for Confidence {
    type Err = UnknownWord;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Confidence::ALL
            .into_iter()
            .find(|c| c.as_str() == word)
            .ok_or_else(|| UnknownWord {
                what: "confidence",
                given: s.to_string(),
                expected: "on-track, at-risk, off-track",
            })
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a check-in says of one item: its status then, and a note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckInItem {
    pub item: Id,
    pub status: ItemStatus,
    pub note: Option<String>,
}

/// A goal owner's confidence in one goal, at a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalConfidence {
    pub goal: Id,
    pub confidence: Confidence,
}

/// One person's weekly check-in (DESIGN §4): one per person and ISO week in their time zone,
/// amended during that week only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckIn {
    pub id: Id,
    pub person: Id,
    pub week: crate::capacity::Week,
    /// Per item: the status given and a note, by item id.
    pub items: Vec<CheckInItem>,
    /// Overall: what got done, what is blocked, what needs help.
    pub done: Option<String>,
    pub blocked: Option<String>,
    pub needs_help: Option<String>,
    /// Confidence per goal the person owns, by goal id.
    pub goals: Vec<GoalConfidence>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// The kind of thing a human reference (`G-12`) points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefKind {
    Goal,
    Item,
    Milestone,
    Request,
}

impl RefKind {
    pub fn prefix(self) -> char {
        match self {
            RefKind::Goal => 'G',
            RefKind::Item => 'I',
            RefKind::Milestone => 'M',
            RefKind::Request => 'R',
        }
    }
}

/// A human reference such as `G-12`, `I-345` or `M-3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ref {
    pub kind: RefKind,
    pub num: i64,
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.kind.prefix(), self.num)
    }
}

/// Error for text that is not a reference like `G-12`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an id (write it like G-12 for a goal, I-345 for an item, M-3 for a milestone)"
)]
pub struct BadRef(pub String);

impl FromStr for Ref {
    type Err = BadRef;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let bad = || BadRef(s.to_string());
        let (prefix, rest) = t.split_at_checked(1).ok_or_else(bad)?;
        let kind = match prefix.to_ascii_uppercase().as_str() {
            "G" => RefKind::Goal,
            "I" => RefKind::Item,
            "M" => RefKind::Milestone,
            "R" => RefKind::Request,
            _ => return Err(bad()),
        };
        let digits = rest.strip_prefix('-').unwrap_or(rest);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let num = digits.parse::<i64>().map_err(|_| bad())?;
        if num < 1 {
            return Err(bad());
        }
        Ok(Ref { kind, num })
    }
}

pub fn goal_ref(num: i64) -> Ref {
    Ref {
        kind: RefKind::Goal,
        num,
    }
}

pub fn item_ref(num: i64) -> Ref {
    Ref {
        kind: RefKind::Item,
        num,
    }
}

pub fn request_ref(num: i64) -> Ref {
    Ref {
        kind: RefKind::Request,
        num,
    }
}

pub fn milestone_ref(num: i64) -> Ref {
    Ref {
        kind: RefKind::Milestone,
        num,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_is_a_teams_by_its_goal_or_by_its_owner() {
        let team = Team {
            id: 1,
            name: "Core".into(),
            lead: 10,
            members: vec![11, 12],
            protected_share: 0.0,
            version: 1,
        };
        assert!(team.includes(10) && team.includes(12) && !team.includes(13));
        let at: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let item = |goal: Option<Id>, owner: Option<Id>| Item {
            id: 1,
            num: 1,
            title: "x".into(),
            outcome: None,
            owner,
            due: When::NONE,
            estimate_hours: None,
            status: ItemStatus::Todo,
            status_reason: None,
            kind: ItemKind::Strategic,
            goal,
            actual_hours: None,
            done_at: None,
            created_at: at,
            updated_at: at,
            version: 1,
        };
        let teams = |i: &Item| i.is_teams(|g| g == 7, |o| team.includes(o));
        assert!(teams(&item(Some(7), None)), "of the team's goal");
        assert!(teams(&item(Some(8), Some(10))), "owned by the lead");
        assert!(teams(&item(None, Some(11))), "owned by a member");
        assert!(
            !teams(&item(Some(8), Some(13))),
            "another goal, an outsider"
        );
        assert!(!teams(&item(None, None)));
    }

    #[test]
    fn only_open_items_past_their_date_are_overdue() {
        let (due, today): (Date, Date) =
            ("2026-11-20".parse().unwrap(), "2026-11-23".parse().unwrap());
        for s in [ItemStatus::Todo, ItemStatus::Doing, ItemStatus::Blocked] {
            assert!(s.overdue(Some(due), today), "{s}");
            assert!(!s.overdue(Some(today), today), "due today is not late");
            assert!(!s.overdue(None, today), "undated is never late");
        }
        for s in [ItemStatus::Done, ItemStatus::Dropped] {
            assert!(!s.overdue(Some(due), today), "{s}");
        }
    }

    #[test]
    fn refs_parse_in_any_case_with_or_without_dash() {
        assert_eq!("G-12".parse::<Ref>().unwrap(), goal_ref(12));
        assert_eq!("i345".parse::<Ref>().unwrap(), item_ref(345));
        assert_eq!(" m-3 ".parse::<Ref>().unwrap(), milestone_ref(3));
        assert_eq!(goal_ref(12).to_string(), "G-12");
    }

    #[test]
    fn malformed_refs_are_refused() {
        for bad in [
            "",
            "G",
            "G-",
            "X-1",
            "G-0",
            "G-1a",
            "G--1",
            "12",
            "é-1",
            "G-99999999999999999999",
        ] {
            assert!(bad.parse::<Ref>().is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn status_words_round_trip() {
        for s in ItemStatus::ALL {
            assert_eq!(s.as_str().parse::<ItemStatus>().unwrap(), s);
        }
        assert!("finished".parse::<ItemStatus>().is_err());
        assert!(ItemStatus::Blocked.is_open() && !ItemStatus::Done.is_open());
    }
}
