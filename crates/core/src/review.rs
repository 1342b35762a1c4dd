//! The team review's own rules (DESIGN §4): which week may be reviewed, the weeks of check-ins
//! it looks back on, how long an item has been blocked, which date a change moved, and whether
//! a goal's standing dropped during the week.
//!
//! Everything else the review shows is decided where it always is: plan verdicts
//! ([`crate::plan`]), health ([`crate::health`]), dependency classes ([`crate::deps`]), load
//! ([`crate::capacity`]) and owed check-ins ([`crate::checkin`]).

use jiff::Timestamp;
use serde::Serialize;

use crate::capacity::Week;
use crate::event::{Entity, Event, EventKind};
use crate::health::{Health, HealthReason};
use crate::model::ItemStatus;
use crate::plan::GoalStatus;
use crate::rules::Rule;
use crate::slip::{DateChange, date_change};

/// How many weeks of check-ins a review looks back on, the review week included.
pub const CHECKIN_WEEKS: usize = 4;

/// Why a week cannot be reviewed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error(
        "{week} has not begun in {tz} (the lead's time zone), so there is nothing to review yet; this week is {current}: leave out --week, or give a week up to {current}"
    )]
    NotBegun {
        week: Week,
        current: Week,
        tz: String,
    },
}

/// Whether `week` may be reviewed when it is `current` in the lead's time zone `tz`: a review
/// looks back, so any week up to the current one (which may be under way), never a later one.
pub fn check_week(week: Week, current: Week, tz: &str) -> Result<(), ReviewError> {
    if week > current {
        return Err(ReviewError::NotBegun {
            week,
            current,
            tz: tz.to_string(),
        });
    }
    Ok(())
}

/// The first of the [`CHECKIN_WEEKS`] weeks up to and including `week` that missed check-ins
/// are counted over (the first week there is, at the start of the calendar).
pub fn checkin_window(week: Week) -> Week {
    (1..CHECKIN_WEEKS).fold(week, |w, _| w.previous().unwrap_or(w))
}

/// When the blocked spell an item is in at `at` began, from its history (oldest first): the
/// last change into `blocked` from another status (or its creation as blocked) at or before
/// `at`. Blocking it again with a new reason does not restart the spell. `None` when it is not
/// blocked at `at`, or its history does not say.
pub fn blocked_since(history: &[Event], at: Timestamp) -> Option<Timestamp> {
    let blocked =
        |e: &Option<Entity>| matches!(e, Some(Entity::Item(i)) if i.status == ItemStatus::Blocked);
    let mut since = None;
    for e in history.iter().filter(|e| e.at <= at) {
        match (blocked(&e.before), blocked(&e.after)) {
            (false, true) => since = Some(e.at),
            (true, true) => {}
            (_, false) => since = None,
        }
    }
    since
}

/// The move of a committed date an event records (DESIGN §4): a slip, pull-in or removal of an
/// item's due date or a goal's target. `None` for every other event.
pub fn date_move(event: &Event) -> Option<DateChange> {
    if !matches!(
        event.kind,
        EventKind::Slipped | EventKind::PulledIn | EventKind::Uncommitted
    ) {
        return None;
    }
    let date = |e: &Option<Entity>| match e {
        Some(Entity::Item(i)) => Some(i.due.date),
        Some(Entity::Goal(g)) => Some(g.target.date),
        _ => None,
    };
    date_change(date(&event.before)?, date(&event.after)?)
}

/// Where an open goal stands, best first: a plan on track, at risk or off track, or no plan at
/// all. Ordered so that a later standing is a worse one.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    OnTrack,
    AtRisk,
    OffTrack,
    /// It is no longer (or not yet) a plan: the worst a goal can stand.
    Aspiration,
}

impl Standing {
    /// The standing of a goal with this verdict and (for plans) health; `None` for a closed
    /// goal, which stands nowhere.
    pub fn of(status: GoalStatus, health: Option<Health>) -> Option<Standing> {
        match (status, health) {
            (GoalStatus::Plan, Some(Health::OnTrack) | None) => Some(Standing::OnTrack),
            (GoalStatus::Plan, Some(Health::AtRisk)) => Some(Standing::AtRisk),
            (GoalStatus::Plan, Some(Health::OffTrack)) => Some(Standing::OffTrack),
            (GoalStatus::Aspiration, _) => Some(Standing::Aspiration),
            (GoalStatus::Done | GoalStatus::Dropped, _) => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::OnTrack => "on_track",
            Standing::AtRisk => "at_risk",
            Standing::OffTrack => "off_track",
            Standing::Aspiration => "aspiration",
        }
    }
}

/// A goal's standing at one moment, and why it is not better.
#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    pub standing: Standing,
    /// Health reasons (plans only).
    pub reasons: Vec<HealthReason>,
    /// Failing plan rules (aspirations only).
    pub failing: Vec<Rule>,
}

/// How a goal's standing dropped between the start of a week and its end.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct HealthDrop {
    pub from: Standing,
    pub to: Standing,
    /// Health reasons that hold now and did not then.
    pub new_reasons: Vec<HealthReason>,
    /// Plan rules that fail now and did not then.
    pub new_failing: Vec<Rule>,
}

/// Whether a goal's standing got worse from `then` to `now` (DESIGN §4, "goals whose health
/// dropped"), with what is new: a plan whose health fell, or a plan that became an aspiration.
/// A goal that stands the same (even for other reasons) or better has not dropped.
pub fn health_drop(then: &Moment, now: &Moment) -> Option<HealthDrop> {
    (now.standing > then.standing).then(|| HealthDrop {
        from: then.standing,
        to: now.standing,
        new_reasons: now
            .reasons
            .iter()
            .filter(|r| !then.reasons.contains(r))
            .copied()
            .collect(),
        new_failing: now
            .failing
            .iter()
            .filter(|r| !then.failing.contains(r))
            .copied()
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Goal, Item, ItemKind, When};
    use jiff::civil::date;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn item(status: ItemStatus, due: Option<jiff::civil::Date>) -> Item {
        Item {
            id: 1,
            num: 1,
            title: "Step".into(),
            outcome: Some("done".into()),
            owner: Some(1),
            due: due.map(When::on).unwrap_or_default(),
            estimate_hours: Some(4.0),
            status,
            status_reason: None,
            kind: ItemKind::Strategic,
            goal: None,
            actual_hours: None,
            done_at: None,
            created_at: ts("2026-11-01T00:00:00Z"),
            updated_at: ts("2026-11-01T00:00:00Z"),
            version: 1,
        }
    }

    fn event(at: &str, kind: EventKind, before: Option<Item>, after: Option<Item>) -> Event {
        Event {
            seq: 0,
            at: ts(at),
            author: None,
            kind,
            before: before.map(Entity::Item),
            after: after.map(Entity::Item),
            reason: None,
        }
    }

    const W48: Week = Week {
        year: 2026,
        week: 48,
    };

    #[test]
    fn a_future_week_cannot_be_reviewed_the_current_and_past_ones_can() {
        let next = W48.next().unwrap();
        assert!(check_week(W48, W48, "UTC").is_ok());
        assert!(check_week(W48.previous().unwrap(), W48, "UTC").is_ok());
        let err = check_week(next, W48, "Europe/Madrid").unwrap_err();
        assert_eq!(
            err.to_string(),
            "2026-W49 has not begun in Europe/Madrid (the lead's time zone), so there is nothing to review yet; this week is 2026-W48: leave out --week, or give a week up to 2026-W48"
        );
    }

    #[test]
    fn check_ins_are_counted_over_four_weeks_across_the_new_year() {
        assert_eq!(checkin_window(W48), Week::new(2026, 45).unwrap());
        // 2026 has a week 53.
        assert_eq!(
            checkin_window(Week::new(2027, 2).unwrap()),
            Week::new(2026, 52).unwrap()
        );
        assert_eq!(
            checkin_window(Week::new(2027, 1).unwrap()),
            Week::new(2026, 51).unwrap()
        );
    }

    #[test]
    fn a_blocked_spell_starts_when_the_item_became_blocked() {
        let todo = item(ItemStatus::Todo, None);
        let blocked = item(ItemStatus::Blocked, None);
        let doing = item(ItemStatus::Doing, None);
        let history = [
            event("2026-11-02T09:00:00Z", EventKind::Created, None, Some(todo)),
            event(
                "2026-11-10T09:00:00Z",
                EventKind::Blocked,
                Some(doing.clone()),
                Some(blocked.clone()),
            ),
            // Blocked again with a new reason: the same spell.
            event(
                "2026-11-12T09:00:00Z",
                EventKind::Blocked,
                Some(blocked.clone()),
                Some(blocked.clone()),
            ),
        ];
        assert_eq!(
            blocked_since(&history, ts("2026-11-23T00:00:00Z")),
            Some(ts("2026-11-10T09:00:00Z"))
        );
        assert_eq!(
            blocked_since(&history, ts("2026-11-05T00:00:00Z")),
            None,
            "not blocked yet"
        );
    }

    #[test]
    fn an_item_unblocked_and_blocked_again_counts_from_the_second_time() {
        let blocked = item(ItemStatus::Blocked, None);
        let doing = item(ItemStatus::Doing, None);
        let history = [
            event(
                "2026-11-02T09:00:00Z",
                EventKind::Created,
                None,
                Some(blocked.clone()),
            ),
            event(
                "2026-11-04T09:00:00Z",
                EventKind::Started,
                Some(blocked.clone()),
                Some(doing.clone()),
            ),
            event(
                "2026-11-20T09:00:00Z",
                EventKind::Blocked,
                Some(doing.clone()),
                Some(blocked.clone()),
            ),
        ];
        assert_eq!(
            blocked_since(&history, ts("2026-11-03T00:00:00Z")),
            Some(ts("2026-11-02T09:00:00Z")),
            "created blocked"
        );
        assert_eq!(blocked_since(&history, ts("2026-11-10T00:00:00Z")), None);
        assert_eq!(
            blocked_since(&history, ts("2026-11-23T00:00:00Z")),
            Some(ts("2026-11-20T09:00:00Z"))
        );
    }

    #[test]
    fn slips_pull_ins_and_removed_dates_are_date_moves_other_changes_are_not() {
        let (a, b) = (date(2026, 12, 1), date(2026, 12, 8));
        let slip = event(
            "2026-11-24T09:00:00Z",
            EventKind::Slipped,
            Some(item(ItemStatus::Todo, Some(a))),
            Some(item(ItemStatus::Todo, Some(b))),
        );
        assert_eq!(
            date_move(&slip),
            Some(DateChange::Slip {
                from: a,
                to: b,
                days: 7
            })
        );
        let removed = event(
            "2026-11-24T09:00:00Z",
            EventKind::Uncommitted,
            Some(item(ItemStatus::Todo, Some(a))),
            Some(item(ItemStatus::Todo, None)),
        );
        assert_eq!(
            date_move(&removed),
            Some(DateChange::Uncommitted { from: a })
        );
        let retitled = event(
            "2026-11-24T09:00:00Z",
            EventKind::Updated,
            Some(item(ItemStatus::Todo, Some(a))),
            Some(item(ItemStatus::Todo, Some(a))),
        );
        assert_eq!(date_move(&retitled), None);
        let mut goal = Goal {
            id: 1,
            num: 1,
            title: "Goal".into(),
            outcome: None,
            owner: None,
            target: When::on(b),
            team: None,
            closed: None,
            close_reason: None,
            created_at: ts("2026-11-01T00:00:00Z"),
            updated_at: ts("2026-11-01T00:00:00Z"),
            version: 1,
        };
        let before = Entity::Goal(goal.clone());
        goal.target = When::on(a);
        let pulled = Event {
            seq: 1,
            at: ts("2026-11-24T09:00:00Z"),
            author: None,
            kind: EventKind::PulledIn,
            before: Some(before),
            after: Some(Entity::Goal(goal)),
            reason: Some("scope cut".into()),
        };
        assert_eq!(
            date_move(&pulled),
            Some(DateChange::PullIn {
                from: b,
                to: a,
                days: 7
            })
        );
    }

    fn moment(standing: Standing, reasons: &[HealthReason], failing: &[Rule]) -> Moment {
        Moment {
            standing,
            reasons: reasons.to_vec(),
            failing: failing.to_vec(),
        }
    }

    #[test]
    fn standings_order_plans_by_health_and_aspirations_last() {
        use Standing::*;
        assert!(OnTrack < AtRisk && AtRisk < OffTrack && OffTrack < Aspiration);
        assert_eq!(
            Standing::of(GoalStatus::Plan, Some(Health::AtRisk)),
            Some(AtRisk)
        );
        assert_eq!(Standing::of(GoalStatus::Aspiration, None), Some(Aspiration));
        assert_eq!(Standing::of(GoalStatus::Done, None), None);
        assert_eq!(
            serde_json::to_string(&OffTrack).unwrap(),
            format!("\"{}\"", OffTrack.as_str())
        );
    }

    #[test]
    fn a_plan_whose_health_fell_dropped_with_its_new_reasons() {
        let then = moment(Standing::AtRisk, &[HealthReason::UnknownForecast], &[]);
        let now = moment(
            Standing::OffTrack,
            &[HealthReason::LateDependency, HealthReason::UnknownForecast],
            &[],
        );
        assert_eq!(
            health_drop(&then, &now),
            Some(HealthDrop {
                from: Standing::AtRisk,
                to: Standing::OffTrack,
                new_reasons: vec![HealthReason::LateDependency],
                new_failing: vec![],
            })
        );
    }

    #[test]
    fn a_plan_that_became_an_aspiration_dropped_with_the_rules_it_now_fails() {
        let then = moment(Standing::OnTrack, &[], &[]);
        let now = moment(Standing::Aspiration, &[], &[Rule::ItemAfterTarget]);
        let drop = health_drop(&then, &now).unwrap();
        assert_eq!(
            (drop.from, drop.to),
            (Standing::OnTrack, Standing::Aspiration)
        );
        assert_eq!(drop.new_failing, vec![Rule::ItemAfterTarget]);
    }

    #[test]
    fn the_same_or_a_better_standing_is_no_drop() {
        let at_risk = moment(Standing::AtRisk, &[HealthReason::OverdueItems], &[]);
        let other_reason = moment(Standing::AtRisk, &[HealthReason::BlockedItems], &[]);
        assert_eq!(health_drop(&at_risk, &other_reason), None);
        assert_eq!(
            health_drop(&at_risk, &moment(Standing::OnTrack, &[], &[])),
            None
        );
        let aspiration = moment(Standing::Aspiration, &[], &[Rule::GoalNoItems]);
        assert_eq!(health_drop(&aspiration, &at_risk), None);
    }
}
