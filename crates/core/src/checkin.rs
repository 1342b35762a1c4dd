//! Weekly check-ins (DESIGN §4): the agenda a person is asked about, what a check-in may say and
//! when, the item changes it makes, and the weeks a person owed one and missed.
//!
//! The week is the ISO week in the person's own time zone ([`crate::week`]). A check-in is given
//! and amended only while its week lasts; a week that ends without one is missed.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::capacity::Week;
use crate::event::EventKind;
use crate::model::{CheckIn, CheckInItem, Confidence, GoalConfidence, Id, Item, ItemStatus};
use crate::week::{week_of, week_span};

/// An open item untouched for this many days is on the agenda (DESIGN §4).
pub const STALE_DAYS: i64 = 14;

/// At most this many weeks back are counted as owed (about ten years): older history is not
/// anyone's agenda, and the count stays bounded.
pub const MAX_WEEKS: usize = 530;

/// Why an item is on a check-in agenda.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    Overdue,
    Blocked,
    DueThisWeek,
    InProgress,
    /// Open, and not updated for [`STALE_DAYS`] days.
    NoUpdate,
}

impl Why {
    pub fn describe(self) -> &'static str {
        match self {
            Why::Overdue => "overdue",
            Why::Blocked => "blocked",
            Why::DueThisWeek => "due this week",
            Why::InProgress => "in progress",
            Why::NoUpdate => "no update for 14 days",
        }
    }
}

/// One item on the agenda, with every reason it is there (most pressing first).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct AgendaLine {
    pub item: Id,
    pub why: Vec<Why>,
}

/// The agenda of `week` from a person's items (any status; closed ones are skipped): open items
/// that are overdue on `today` (the person's date), blocked, due during the week, in progress,
/// or not updated for [`STALE_DAYS`] days before `now`. Most pressing first: by first reason,
/// then due date (undated last), then number.
pub fn agenda(items: &[Item], week: Week, today: Date, now: Timestamp) -> Vec<AgendaLine> {
    let (monday, sunday) = week_dates(week);
    let stale_before = now.as_second() - STALE_DAYS * 86_400;
    let mut lines: Vec<(&Item, AgendaLine)> = items
        .iter()
        .filter(|i| i.status.is_open())
        .filter_map(|i| {
            let mut why = Vec::new();
            if i.status.overdue(i.due.date, today) {
                why.push(Why::Overdue);
            }
            if i.status == ItemStatus::Blocked {
                why.push(Why::Blocked);
            }
            if i.due.date.is_some_and(|d| monday <= d && d <= sunday) {
                why.push(Why::DueThisWeek);
            }
            if i.status == ItemStatus::Doing {
                why.push(Why::InProgress);
            }
            if i.updated_at.as_second() <= stale_before {
                why.push(Why::NoUpdate);
            }
            (!why.is_empty()).then_some((i, AgendaLine { item: i.id, why }))
        })
        .collect();
    lines.sort_by_key(|(i, line)| (line.why[0], i.due.date.is_none(), i.due.date, i.num));
    lines.into_iter().map(|(_, line)| line).collect()
}

/// The Monday and Sunday of a week.
pub fn week_dates(week: Week) -> (Date, Date) {
    let monday = week.monday();
    let sunday = monday
        .checked_add(jiff::Span::new().days(6))
        .unwrap_or(monday);
    (monday, sunday)
}

/// Why a check-in cannot be taken as given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CheckInError {
    #[error(
        "{week} is over (it ended on Sunday {ended} in {tz}): a check-in is given or amended during its week; this week is {current}"
    )]
    WeekOver {
        week: Week,
        ended: Date,
        tz: String,
        current: Week,
    },
    #[error(
        "{week} has not begun in {tz}: a check-in is given during its week; this week is {current}"
    )]
    NotBegun {
        week: Week,
        tz: String,
        current: Week,
    },
    #[error(
        "a check-in must say something: a status or note for an item, what got done, what is blocked, what needs help, or a confidence per goal you own"
    )]
    Empty,
    #[error("I-{0} is named twice in this check-in: give each item once")]
    TwiceItem(i64),
    #[error("G-{0} is named twice in this check-in: give each goal's confidence once")]
    TwiceGoal(i64),
    #[error(
        "I-{item} cannot be marked {status} without a note saying why: add one (`--item I-{item}={status}:\"why\"`)"
    )]
    NoteRequired { item: i64, status: &'static str },
}

/// Whether a check-in for `week` may be given or amended at `now` by someone in `tz` (named
/// `tz_name` in messages): only while the week lasts.
pub fn check_window(
    week: Week,
    tz: &TimeZone,
    tz_name: &str,
    now: Timestamp,
) -> Result<(), CheckInError> {
    let current = week_of(now, tz);
    if week < current {
        return Err(CheckInError::WeekOver {
            week,
            ended: week_dates(week).1,
            tz: tz_name.to_string(),
            current,
        });
    }
    if week > current {
        return Err(CheckInError::NotBegun {
            week,
            tz: tz_name.to_string(),
            current,
        });
    }
    Ok(())
}

/// What a person says in a check-in (or in an amendment: what it changes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Said {
    /// Per item: a new status (or none: unchanged) and a note.
    pub items: Vec<(Id, i64, Option<ItemStatus>, Option<String>)>,
    pub done: Option<String>,
    pub blocked: Option<String>,
    pub needs_help: Option<String>,
    /// `(goal id, goal number, confidence)`.
    pub goals: Vec<(Id, i64, Confidence)>,
}

impl Said {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
            && self.done.is_none()
            && self.blocked.is_none()
            && self.needs_help.is_none()
            && self.goals.is_empty()
    }
}

/// The check-in after `said`: a new one (id and version left 0 for the store), or `before`
/// amended: items and goals named again replace their earlier lines, the others stay; overall
/// texts given replace the earlier ones. `items` are the items named, to read their current
/// status where no new one is given.
pub fn record(
    before: Option<&CheckIn>,
    person: Id,
    week: Week,
    said: &Said,
    items: &[Item],
    now: Timestamp,
) -> Result<CheckIn, CheckInError> {
    if said.is_empty() {
        return Err(CheckInError::Empty);
    }
    let mut seen = BTreeSet::new();
    for (id, num, _, _) in &said.items {
        if !seen.insert(*id) {
            return Err(CheckInError::TwiceItem(*num));
        }
    }
    let mut seen = BTreeSet::new();
    for (id, num, _) in &said.goals {
        if !seen.insert(*id) {
            return Err(CheckInError::TwiceGoal(*num));
        }
    }
    let mut c = before.cloned().unwrap_or(CheckIn {
        id: 0,
        person,
        week,
        items: Vec::new(),
        done: None,
        blocked: None,
        needs_help: None,
        goals: Vec::new(),
        created_at: now,
        updated_at: now,
        version: 0,
    });
    for (id, _, status, note) in &said.items {
        let current = items.iter().find(|i| i.id == *id).map(|i| i.status);
        let Some(status) = status.or(current) else {
            continue;
        };
        let line = CheckInItem {
            item: *id,
            status,
            note: note.clone(),
        };
        match c.items.iter_mut().find(|l| l.item == *id) {
            Some(old) => {
                let note = line.note.clone().or(old.note.take());
                *old = CheckInItem { note, ..line };
            }
            None => c.items.push(line),
        }
    }
    c.items.sort_by_key(|l| l.item);
    for (goal, _, confidence) in &said.goals {
        match c.goals.iter_mut().find(|g| g.goal == *goal) {
            Some(old) => old.confidence = *confidence,
            None => c.goals.push(GoalConfidence {
                goal: *goal,
                confidence: *confidence,
            }),
        }
    }
    c.goals.sort_by_key(|g| g.goal);
    for (field, given) in [
        (&mut c.done, &said.done),
        (&mut c.blocked, &said.blocked),
        (&mut c.needs_help, &said.needs_help),
    ] {
        if given.is_some() {
            field.clone_from(given);
        }
    }
    c.updated_at = now;
    Ok(c)
}

/// The change a check-in makes to an item it gives a new status: `None` when the status is the
/// same. Blocked and dropped need a note (it becomes the reason); done records `now`; a closed
/// item given an open status is reopened.
pub fn item_change(
    item: &Item,
    to: ItemStatus,
    note: Option<&str>,
    now: Timestamp,
) -> Result<Option<(Item, EventKind)>, CheckInError> {
    use ItemStatus as S;
    if item.status == to {
        return Ok(None);
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if to.needs_reason() && note.is_none() {
        return Err(CheckInError::NoteRequired {
            item: item.num,
            status: to.as_str(),
        });
    }
    let kind = match (item.status, to) {
        (S::Done | S::Dropped, S::Todo | S::Doing | S::Blocked) => EventKind::Reopened,
        (_, S::Doing) => EventKind::Started,
        (_, S::Blocked) => EventKind::Blocked,
        (_, S::Done) => EventKind::Done,
        (_, S::Dropped) => EventKind::Dropped,
        (_, S::Todo) => EventKind::Updated,
    };
    let mut after = item.clone();
    after.status = to;
    after.status_reason = to
        .needs_reason()
        .then(|| note.unwrap_or_default().to_string());
    (after.done_at, after.actual_hours) = match to {
        S::Done => (Some(now), item.actual_hours),
        S::Dropped => (None, item.actual_hours),
        _ => (None, None),
    };
    Ok(Some((after, kind)))
}

/// The weeks someone who joined at `joined` owed a check-in between `from` and `now`: every
/// week in their zone that began at or after they joined, ended by `now`, and ended after
/// `from`. At most [`MAX_WEEKS`], the latest ones.
pub fn owed_weeks(joined: Timestamp, tz: &TimeZone, from: Timestamp, now: Timestamp) -> Vec<Week> {
    let horizon = now.as_second() - (MAX_WEEKS as i64 + 1) * 7 * 86_400;
    let start = Timestamp::from_second(joined.as_second().max(horizon))
        .unwrap_or(joined)
        .max(joined);
    let mut weeks = Vec::new();
    let mut week = week_of(start, tz);
    loop {
        let (begin, end) = week_span(week, tz);
        if end > now {
            break;
        }
        if begin >= joined && end > from {
            weeks.push(week);
        }
        match week.next() {
            Some(next) => week = next,
            None => break,
        }
    }
    if weeks.len() > MAX_WEEKS {
        weeks.drain(..weeks.len() - MAX_WEEKS);
    }
    weeks
}

/// The owed weeks without a check-in: missed (DESIGN §4).
pub fn missed_weeks(owed: &[Week], given: &BTreeSet<Week>) -> Vec<Week> {
    owed.iter()
        .filter(|w| !given.contains(w))
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ItemKind, When};
    use jiff::civil::date;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn item(num: i64, status: ItemStatus, due: Option<Date>, updated: &str) -> Item {
        Item {
            id: num * 10,
            num,
            title: format!("item {num}"),
            outcome: None,
            owner: Some(1),
            due: due.map(When::on).unwrap_or_default(),
            estimate_hours: Some(4.0),
            status,
            status_reason: None,
            kind: ItemKind::Strategic,
            goal: None,
            actual_hours: None,
            done_at: None,
            created_at: ts(updated),
            updated_at: ts(updated),
            version: 1,
        }
    }

    const WEEK: Week = Week {
        year: 2026,
        week: 48,
    };

    #[test]
    fn agenda_names_each_reason_most_pressing_first() {
        let now = ts("2026-11-25T12:00:00Z");
        let today = date(2026, 11, 25);
        let items = [
            item(
                1,
                ItemStatus::Todo,
                Some(date(2026, 11, 27)),
                "2026-11-24T00:00:00Z",
            ),
            item(
                2,
                ItemStatus::Todo,
                Some(date(2026, 11, 20)),
                "2026-11-24T00:00:00Z",
            ),
            item(3, ItemStatus::Doing, None, "2026-11-24T00:00:00Z"),
            item(
                4,
                ItemStatus::Blocked,
                Some(date(2026, 12, 20)),
                "2026-11-24T00:00:00Z",
            ),
            item(
                5,
                ItemStatus::Todo,
                Some(date(2027, 1, 20)),
                "2026-11-11T12:00:00Z",
            ),
            item(
                6,
                ItemStatus::Todo,
                Some(date(2027, 1, 20)),
                "2026-11-11T12:00:01Z",
            ),
            item(
                7,
                ItemStatus::Done,
                Some(date(2026, 11, 20)),
                "2026-11-01T00:00:00Z",
            ),
            // Due on the week's Sunday and Monday: both this week.
            item(
                8,
                ItemStatus::Todo,
                Some(date(2026, 11, 29)),
                "2026-11-24T00:00:00Z",
            ),
            item(
                9,
                ItemStatus::Doing,
                Some(date(2026, 11, 23)),
                "2026-11-24T00:00:00Z",
            ),
        ];
        let lines = agenda(&items, WEEK, today, now);
        let got: Vec<(i64, Vec<Why>)> =
            lines.iter().map(|l| (l.item / 10, l.why.clone())).collect();
        assert_eq!(
            got,
            vec![
                (2, vec![Why::Overdue]),
                (9, vec![Why::Overdue, Why::DueThisWeek, Why::InProgress]),
                (4, vec![Why::Blocked]),
                (1, vec![Why::DueThisWeek]),
                (8, vec![Why::DueThisWeek]),
                (3, vec![Why::InProgress]),
                (5, vec![Why::NoUpdate]),
            ]
        );
    }

    #[test]
    fn window_is_the_week_in_the_persons_zone() {
        let auckland = TimeZone::get("Pacific/Auckland").unwrap();
        let la = TimeZone::get("America/Los_Angeles").unwrap();
        // Monday 2026-11-30 08:00 in Auckland is still Sunday 2026-11-29 in Los Angeles.
        let now = ts("2026-11-29T19:00:00Z");
        let w49 = Week {
            year: 2026,
            week: 49,
        };
        assert!(check_window(w49, &auckland, "Pacific/Auckland", now).is_ok());
        assert!(matches!(
            check_window(WEEK, &auckland, "Pacific/Auckland", now),
            Err(CheckInError::WeekOver { ended, .. }) if ended == date(2026, 11, 29)
        ));
        assert!(check_window(WEEK, &la, "America/Los_Angeles", now).is_ok());
        assert!(matches!(
            check_window(w49, &la, "America/Los_Angeles", now),
            Err(CheckInError::NotBegun { .. })
        ));
    }

    #[test]
    fn amendments_replace_what_they_name_and_keep_the_rest() {
        let now = ts("2026-11-24T10:00:00Z");
        let items = [
            item(1, ItemStatus::Todo, None, "2026-11-24T00:00:00Z"),
            item(2, ItemStatus::Doing, None, "2026-11-24T00:00:00Z"),
        ];
        let first = Said {
            items: vec![
                (10, 1, Some(ItemStatus::Doing), Some("started".into())),
                (20, 2, None, Some("halfway".into())),
            ],
            done: Some("shipped the draft".into()),
            goals: vec![(7, 3, Confidence::OnTrack)],
            ..Said::default()
        };
        let c = record(None, 1, WEEK, &first, &items, now).unwrap();
        assert_eq!(c.items.len(), 2);
        assert_eq!(
            c.items[1].status,
            ItemStatus::Doing,
            "unchanged status is read"
        );
        let later = ts("2026-11-26T10:00:00Z");
        let amend = Said {
            items: vec![(10, 1, Some(ItemStatus::Done), None)],
            needs_help: Some("review from SRE".into()),
            goals: vec![(7, 3, Confidence::AtRisk)],
            ..Said::default()
        };
        let c2 = record(Some(&c), 1, WEEK, &amend, &items, later).unwrap();
        assert_eq!(c2.items[0].status, ItemStatus::Done);
        assert_eq!(c2.items[0].note.as_deref(), Some("started"), "note kept");
        assert_eq!(c2.items[1], c.items[1]);
        assert_eq!(c2.done.as_deref(), Some("shipped the draft"));
        assert_eq!(c2.needs_help.as_deref(), Some("review from SRE"));
        assert_eq!(
            c2.goals,
            vec![GoalConfidence {
                goal: 7,
                confidence: Confidence::AtRisk
            }]
        );
        assert_eq!((c2.created_at, c2.updated_at), (now, later));
        assert_eq!(
            record(Some(&c), 1, WEEK, &Said::default(), &items, later),
            Err(CheckInError::Empty)
        );
        let twice = Said {
            items: vec![(10, 1, None, None), (10, 1, None, None)],
            ..Said::default()
        };
        assert_eq!(
            record(None, 1, WEEK, &twice, &items, now),
            Err(CheckInError::TwiceItem(1))
        );
    }

    #[test]
    fn item_changes_follow_the_status_rules() {
        let now = ts("2026-11-24T10:00:00Z");
        let todo = item(1, ItemStatus::Todo, None, "2026-11-24T00:00:00Z");
        assert_eq!(item_change(&todo, ItemStatus::Todo, None, now), Ok(None));
        let (done, kind) = item_change(&todo, ItemStatus::Done, None, now)
            .unwrap()
            .unwrap();
        assert_eq!(
            (done.status, done.done_at, kind),
            (ItemStatus::Done, Some(now), EventKind::Done)
        );
        assert_eq!(
            item_change(&todo, ItemStatus::Blocked, Some("  "), now),
            Err(CheckInError::NoteRequired {
                item: 1,
                status: "blocked"
            })
        );
        let (blocked, kind) = item_change(&todo, ItemStatus::Blocked, Some("vendor"), now)
            .unwrap()
            .unwrap();
        assert_eq!(
            (blocked.status_reason.as_deref(), kind),
            (Some("vendor"), EventKind::Blocked)
        );
        let (again, kind) = item_change(&done, ItemStatus::Doing, None, now)
            .unwrap()
            .unwrap();
        assert_eq!((again.done_at, kind), (None, EventKind::Reopened));
    }

    #[test]
    fn owed_weeks_start_after_joining_and_end_before_now() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // Joined on a Wednesday of W46: owes W47 and W48 by Monday of W49 08:00 Berlin.
        let joined = ts("2026-11-11T09:00:00Z");
        let now = ts("2026-11-30T07:00:00Z");
        let owed = owed_weeks(joined, &berlin, Timestamp::UNIX_EPOCH, now);
        let w = |n| Week {
            year: 2026,
            week: n,
        };
        assert_eq!(owed, vec![w(47), w(48)]);
        // The window starts inside W48: W47 ended before it.
        assert_eq!(
            owed_weeks(joined, &berlin, ts("2026-11-25T00:00:00Z"), now),
            vec![w(48)]
        );
        let given = BTreeSet::from([w(48)]);
        assert_eq!(missed_weeks(&owed, &given), vec![w(47)]);
        // Just before Berlin's Monday midnight, W48 is not over yet.
        let sunday_night = ts("2026-11-29T22:59:59Z");
        assert_eq!(
            owed_weeks(joined, &berlin, Timestamp::UNIX_EPOCH, sunday_night),
            vec![w(47)]
        );
    }

    #[test]
    fn owed_weeks_cross_week_53_and_are_bounded() {
        let la = TimeZone::get("America/Los_Angeles").unwrap();
        let joined = ts("2026-12-21T08:00:00Z"); // Monday 00:00 in Los Angeles
        let now = ts("2027-01-12T08:00:00Z");
        let owed = owed_weeks(joined, &la, Timestamp::UNIX_EPOCH, now);
        let names: Vec<String> = owed.iter().map(|w| w.to_string()).collect();
        assert_eq!(names, ["2026-W52", "2026-W53", "2027-W01"]);
        let long = owed_weeks(
            ts("1990-01-01T00:00:00Z"),
            &la,
            Timestamp::UNIX_EPOCH,
            ts("2026-11-23T00:00:00Z"),
        );
        assert_eq!(long.len(), MAX_WEEKS);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const ZONES: [&str; 8] = [
            "Pacific/Auckland",
            "America/Los_Angeles",
            "Europe/Berlin",
            "Australia/Lord_Howe",
            "Asia/Kathmandu",
            "Pacific/Apia",
            "America/St_Johns",
            "Pacific/Kiritimati",
        ];

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 2_000,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            /// Owed weeks are consecutive ISO weeks, each begun after joining and ended by
            /// now; the week after the last one has not ended; and a check-in window is open
            /// exactly in the current week.
            #[test]
            fn owed_weeks_are_consecutive_and_within_bounds(
                joined in 946_684_800i64..1_893_456_000, // 2000 to 2030
                span in 0i64..(3 * 365 * 86_400),
                zone in 0..ZONES.len(),
            ) {
                let tz = TimeZone::get(ZONES[zone]).unwrap();
                let joined_at = Timestamp::from_second(joined).unwrap();
                let now = Timestamp::from_second(joined + span).unwrap();
                let owed = owed_weeks(joined_at, &tz, Timestamp::UNIX_EPOCH, now);
                for pair in owed.windows(2) {
                    prop_assert_eq!(pair[0].next(), Some(pair[1]));
                }
                for w in &owed {
                    let (begin, end) = week_span(*w, &tz);
                    prop_assert!(begin >= joined_at && end <= now);
                }
                let after = owed.last().and_then(|w| w.next()).unwrap_or(week_of(joined_at, &tz).next().unwrap());
                let (begin, end) = week_span(after, &tz);
                prop_assert!(end > now || begin < joined_at);
                let current = week_of(now, &tz);
                prop_assert!(check_window(current, &tz, ZONES[zone], now).is_ok());
                prop_assert!(!owed.contains(&current));
                if let Some(previous) = current.previous() {
                    prop_assert!(check_window(previous, &tz, ZONES[zone], now).is_err());
                }
            }
        }
    }
}
