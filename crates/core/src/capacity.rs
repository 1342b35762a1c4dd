//! Capacity, reactive load, weekly load and protected strategic time (DESIGN §5).
//!
//! A person's week holds their capacity. Reactive work, measured from what they finished in
//! the last weeks, takes its share first; what is left is available for strategic work. The
//! open strategic items they own are spread over the working days up to their due dates, and a
//! week whose load exceeds the available hours is overcommitted, with the items that fill it.
//!
//! "Today" is an argument: the caller computes it in the person's time zone.

use std::cmp::Ordering;
use std::fmt;

use jiff::Span;
use jiff::civil::{Date, ISOWeekDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::model::{Id, Item, ItemKind};

/// A week is overcommitted only when its load exceeds the available hours by more than this,
/// and strategic time falls short of its reserve only by more than this, so that rounding an
/// estimate never raises a flag (DESIGN §5).
pub const TOLERANCE_HOURS: f64 = 0.01;

/// Workspace settings for capacity (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct CapacityPolicy {
    /// Share of capacity assumed to go to reactive work while a person has no history.
    pub default_reactive_share: f64,
    /// How many full ISO weeks before the current one measure the reactive load.
    pub history_weeks: u32,
}

impl CapacityPolicy {
    pub const DEFAULT_REACTIVE_SHARE: f64 = 0.5;
    pub const DEFAULT_HISTORY_WEEKS: u32 = 4;
}

impl Default for CapacityPolicy {
    /// DESIGN §5: 50% reactive with no history, measured over the last 4 weeks.
    fn default() -> Self {
        CapacityPolicy {
            default_reactive_share: Self::DEFAULT_REACTIVE_SHARE,
            history_weeks: Self::DEFAULT_HISTORY_WEEKS,
        }
    }
}

/// A reactive item that was done, with its estimate in hours and the civil date it was done
/// (in the person's time zone).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct DoneWork {
    pub hours: f64,
    pub done_on: Date,
}

/// Hours per week a person spends on reactive work (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct ReactiveLoad {
    /// Rounded to 2 decimals; never more than capacity.
    pub hours_per_week: f64,
    /// True when measured from done reactive work, false when it is the workspace default share.
    pub measured: bool,
}

/// Hours that can be counted: finite and positive; anything else counts as none.
pub(crate) fn hours(h: f64) -> f64 {
    if h.is_finite() && h > 0.0 { h } else { 0.0 }
}

/// A share between 0 and 1; a share that is not a number counts as none.
fn share(s: f64) -> f64 {
    if s.is_finite() {
        s.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

fn round2(h: f64) -> f64 {
    (h * 100.0).round() / 100.0
}

/// The Monday of `day`'s ISO week (saturating at the earliest date jiff knows).
pub(crate) fn monday_of(day: Date) -> Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(Span::new().days(back)).unwrap_or(Date::MIN)
}

/// Reactive load (DESIGN §5): the mean hours per week of reactive work done in the
/// `history_weeks` full ISO weeks before the ISO week of `today` (the current, unfinished week
/// does not count, nor do older weeks). With no done reactive work in that window, it is
/// capacity × `default_reactive_share` and `measured` is false. Never more than capacity.
pub fn reactive_load(
    capacity_hours: f64,
    done: &[DoneWork],
    today: Date,
    policy: &CapacityPolicy,
) -> ReactiveLoad {
    let capacity = hours(capacity_hours);
    let this_week = monday_of(today);
    let from = Span::new()
        .try_weeks(i64::from(policy.history_weeks))
        .ok()
        .and_then(|back| this_week.checked_sub(back).ok())
        .unwrap_or(Date::MIN);
    let in_window = |d: &&DoneWork| (from..this_week).contains(&d.done_on);
    if policy.history_weeks == 0 || !done.iter().any(|d| in_window(&d)) {
        return ReactiveLoad {
            hours_per_week: round2(capacity * share(policy.default_reactive_share)),
            measured: false,
        };
    }
    let total: f64 = done.iter().filter(in_window).map(|d| hours(d.hours)).sum();
    let mean = total / f64::from(policy.history_weeks);
    ReactiveLoad {
        hours_per_week: round2(mean.min(capacity)),
        measured: true,
    }
}

/// Hours per week left for strategic work (DESIGN §5): capacity − reactive load, never below 0.
pub fn available_hours(capacity_hours: f64, reactive: &ReactiveLoad) -> f64 {
    (hours(capacity_hours) - hours(reactive.hours_per_week)).max(0.0)
}

/// An ISO week (Monday to Sunday, week 1 holds the year's first Thursday), displayed and
/// serialised like `2026-W48`. Check-ins, load and reviews are counted per ISO week (DESIGN §4,
/// §5), so a year may have a week 53 and its last days may belong to next year's week 1.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Week {
    pub year: i16,
    pub week: i8,
}

impl Week {
    /// The ISO week `day` falls in.
    pub fn of(day: Date) -> Week {
        let iso = day.iso_week_date();
        Week {
            year: iso.year(),
            week: iso.week(),
        }
    }

    /// The ISO week `week` of `year`, if that year has it (only some years have a week 53).
    pub fn new(year: i16, week: i8) -> Option<Week> {
        ISOWeekDate::new(year, week, Weekday::Monday)
            .ok()
            .map(|_| Week { year, week })
    }

    /// The Monday that starts this week.
    ///
    /// # Panics
    ///
    /// When the week does not exist (built by hand rather than with [`Week::of`] or
    /// [`Week::new`]).
    pub fn monday(self) -> Date {
        ISOWeekDate::new(self.year, self.week, Weekday::Monday)
            .unwrap_or_else(|_| panic!("{self} is not an ISO week"))
            .date()
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-W{:02}", self.year, self.week)
    }
}

impl From<Week> for String {
    fn from(week: Week) -> String {
        week.to_string()
    }
}

impl TryFrom<String> for Week {
    type Error = crate::week::WeekError;
    fn try_from(text: String) -> Result<Week, Self::Error> {
        text.parse()
    }
}

/// One ISO week of a person's strategic load (DESIGN §5).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct WeekLoad {
    pub week: Week,
    /// Hours of strategic work spread onto this week, rounded to 2 decimals.
    pub load_hours: f64,
    /// Hours available for strategic work in this week, rounded to 2 decimals.
    pub available_hours: f64,
    /// Load exceeds available hours by more than [`TOLERANCE_HOURS`].
    pub overcommitted: bool,
    /// Items contributing hours this week, largest first (ties by id), hours rounded to 2
    /// decimals.
    pub items: Vec<(Id, f64)>,
}

/// Days from 1970-01-01 to `day` (negative before it), by integer arithmetic on the civil
/// date (the proleptic Gregorian calendar, as jiff's): `days_between(1970-01-01, day)` without
/// its span arithmetic, for the loops that count working days and the store's reading of
/// stored timestamps.
pub fn day_number(day: Date) -> i64 {
    // Howard Hinnant's `days_from_civil`: years start on 1 March, so the leap day is last.
    let (month, dom) = (i64::from(day.month()), i64::from(day.day()));
    let year = i64::from(day.year()) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + dom - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Working days (Monday to Friday) from a fixed Monday up to the day numbered `n` (see
/// [`day_number`]), exclusive; negative before it. Differences of this count working days
/// without walking the calendar.
fn working_days_before_day(n: i64) -> i64 {
    // Day 4 is Monday 1970-01-05.
    let n = n - 4;
    n.div_euclid(7) * 5 + n.rem_euclid(7).min(5)
}

fn working_days_before(day: Date) -> i64 {
    working_days_before_day(day_number(day))
}

/// Working days from the same fixed Monday up to `day`, inclusive: those before the day after.
fn working_days_through(day: Date) -> i64 {
    working_days_before_day(day_number(day) + 1)
}

/// Whether `day` is Monday to Friday (the rules count working days by number instead).
#[cfg(test)]
pub(crate) fn is_working_day(day: Date) -> bool {
    !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The working days from `first` to `last` inclusive, numbered as by [`working_days_before`]:
/// `start..end` holds the numbers of those days, and is empty (`end <= start`) when there are
/// none, as when `last` is before `first`. Overlaps of such ranges count shared working days
/// with integer arithmetic only.
fn working_day_range(first: Date, last: Date) -> (i64, i64) {
    (working_days_before(first), working_days_through(last))
}

/// Working days from `first` to `last` inclusive; 0 when `last` is before `first`.
#[cfg(test)]
fn working_days(first: Date, last: Date) -> i64 {
    let (start, end) = working_day_range(first, last);
    (end - start).max(0)
}

/// The day work can start: today, or the next Monday when today is a weekend day.
pub(crate) fn first_working_day(today: Date) -> Date {
    let ahead = match today.weekday() {
        Weekday::Saturday => 2,
        Weekday::Sunday => 1,
        _ => 0,
    };
    today.checked_add(Span::new().days(ahead)).unwrap_or(today)
}

/// How one item's estimate lies on the calendar: `per_day` hours on each working day numbered
/// `start..end` (see [`working_day_range`]).
struct Spread {
    id: Id,
    per_day: f64,
    start: i64,
    end: i64,
}

impl Spread {
    /// `estimate` hours spread over the working days numbered `start..end` (over one when
    /// that is empty), or None when the estimate is no hours.
    fn new(id: Id, estimate: f64, (start, end): (i64, i64)) -> Option<Spread> {
        let estimate = hours(estimate);
        if estimate == 0.0 {
            return None;
        }
        let days = (end - start).max(1);
        Some(Spread {
            id,
            per_day: estimate / days as f64,
            start,
            end,
        })
    }

    /// How many of the working days numbered `start..end` it covers.
    fn days_in(&self, (start, end): (i64, i64)) -> i64 {
        self.end.min(end) - self.start.max(start)
    }

    /// Its hours in a week it covers for `days` working days.
    fn hours(&self, days: i64) -> f64 {
        self.per_day * days as f64
    }
}

/// Whether weekly_load spreads this item's hours: open, strategic, with an estimate and a due
/// date.
fn counted(item: &Item) -> Option<(f64, Date)> {
    if !item.status.is_open() || item.kind != ItemKind::Strategic {
        return None;
    }
    Some((item.estimate_hours?, item.due.date?))
}

/// The order of the items a week names: largest first, ties by id.
fn largest_first(a: &(Id, f64), b: &(Id, f64)) -> Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

/// The items of `a` and `b`, each [`largest_first`], in one list in that order.
fn merge_largest_first(a: &[(Id, f64)], b: &[(Id, f64)]) -> Vec<(Id, f64)> {
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if largest_first(y, x).is_lt() => b.next(),
            (Some(_), _) => a.next(),
            (None, _) => b.next(),
        };
        let Some(&next) = next else {
            return merged;
        };
        merged.push(next);
    }
}

/// Strategic load per ISO week for one person (DESIGN §5), for `weeks` weeks starting with
/// today's week. Each open (todo, doing, blocked) strategic item with an estimate and a due
/// date spreads its estimate evenly over the working days (Monday to Friday) from today to its
/// due date inclusive; an item due today or earlier puts all its hours on today, and when today
/// is a weekend day work starts on the next Monday. Items without an estimate or due date,
/// reactive items and closed items add nothing (see [`unplanned`]). A week is overcommitted
/// when its load exceeds `available_hours` by more than [`TOLERANCE_HOURS`]; hours are rounded
/// to 2 decimals in the output.
pub fn weekly_load(
    items: &[&Item],
    today: Date,
    weeks: u32,
    available_hours: f64,
) -> Vec<WeekLoad> {
    let available = hours(available_hours);
    let start = first_working_day(today);
    // Items lie anywhere in memory: a lean first pass copies what counts of them, so that many
    // are fetched at once, and the calendar arithmetic runs on the copy.
    let mut estimates: Vec<(Id, f64, Date)> = Vec::with_capacity(items.len());
    estimates.extend(
        items
            .iter()
            .filter_map(|item| counted(item).map(|(estimate, due)| (item.id, estimate, due))),
    );
    let first = working_days_before(start);
    let mut spreads: Vec<Spread> = Vec::with_capacity(estimates.len());
    spreads.extend(estimates.into_iter().filter_map(|(id, estimate, due)| {
        // Overdue work (and work due on the weekend before `start`) lands on the first working
        // day.
        Spread::new(id, estimate, (first, working_days_through(due.max(start))))
    }));
    // Every week an item covers entirely gets the same hours from it, so the items a week names
    // are mostly in the order of those hours: only the few it covers in part need sorting in.
    let full_week: Vec<f64> = spreads.iter().map(|s| round2(s.hours(5))).collect();
    let mut by_full_week: Vec<usize> = (0..spreads.len()).collect();
    by_full_week.sort_unstable_by(|&a, &b| {
        largest_first(
            &(spreads[a].id, full_week[a]),
            &(spreads[b].id, full_week[b]),
        )
    });
    let (mut in_full, mut in_part) = (Vec::new(), Vec::new());
    let mut out = Vec::new();
    let mut monday = monday_of(today);
    for _ in 0..weeks {
        let Ok(friday) = monday.checked_add(Span::new().days(4)) else {
            break;
        };
        // This week's working days, Monday to Friday, numbered as the spreads' days.
        let week = working_day_range(monday, friday);
        // The load, summed in the items' order (a sum of floats depends on it).
        let mut load = 0.0;
        for s in &spreads {
            let days = s.days_in(week);
            if days > 0 {
                load += s.hours(days);
            }
        }
        // The items named: those covering the whole week come largest first in `by_full_week`;
        // those covering part of it are sorted, then merged in.
        in_full.clear();
        in_part.clear();
        for &k in &by_full_week {
            let s = &spreads[k];
            match s.days_in(week) {
                5 => in_full.push((s.id, full_week[k])),
                days if days > 0 => in_part.push((s.id, round2(s.hours(days)))),
                _ => {}
            }
        }
        // Equal entries are identical (same hours to the bit, same id): no stable sort needed.
        in_part.sort_unstable_by(largest_first);
        out.push(WeekLoad {
            week: Week::of(monday),
            load_hours: round2(load),
            available_hours: round2(available),
            overcommitted: load > available + TOLERANCE_HOURS,
            items: merge_largest_first(&in_full, &in_part),
        });
        let Ok(next) = monday.checked_add(Span::new().days(7)) else {
            break;
        };
        monday = next;
    }
    out
}

/// The open strategic items that [`weekly_load`] ignores for lack of an estimate or a due
/// date, in the given order, so that surfaces can say the load is understated (DESIGN §5).
pub fn unplanned<'a>(items: &[&'a Item]) -> Vec<&'a Item> {
    items
        .iter()
        .copied()
        .filter(|i| i.status.is_open() && i.kind == ItemKind::Strategic && counted(i).is_none())
        .collect()
}

/// Protected strategic time in one week (DESIGN §5): the reserve and what was actually spent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct ProtectedTime {
    /// Capacity × the team's protected share, rounded to 2 decimals.
    pub reserved_hours: f64,
    /// Hours of strategic work done that week.
    pub strategic_hours: f64,
    /// Hours of reactive work done that week.
    pub reactive_hours: f64,
    /// Strategic work fell short of the reserve because reactive work ate into it.
    pub urgent_is_winning: bool,
}

/// Protected strategic time for one week (DESIGN §5): reserved = capacity × `share` (clamped
/// to 0–1). "Urgent is winning" when the strategic hours spent (done strategic work that week)
/// fell below the reserve while reactive work took more than capacity − reserve; strategic
/// time that fell short for another reason (time off, say) does not raise it. Both comparisons
/// allow [`TOLERANCE_HOURS`].
pub fn protected_time(
    capacity_hours: f64,
    share: f64,
    strategic_hours: f64,
    reactive_hours: f64,
) -> ProtectedTime {
    let capacity = hours(capacity_hours);
    let reserved = capacity * self::share(share);
    let strategic = hours(strategic_hours);
    let reactive = hours(reactive_hours);
    let urgent_is_winning =
        strategic < reserved - TOLERANCE_HOURS && reactive > capacity - reserved + TOLERANCE_HOURS;
    ProtectedTime {
        reserved_hours: round2(reserved),
        strategic_hours: round2(strategic),
        reactive_hours: round2(reactive),
        urgent_is_winning,
    }
}

/// Done work of one person: its kind, the hours it took and the civil date it was done on
/// (in the person's time zone).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Spent {
    pub kind: ItemKind,
    pub hours: f64,
    pub done_on: Date,
}

/// Protected strategic time for a team over consecutive ISO weeks (DESIGN §5).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ProtectedWeek {
    pub week: Week,
    /// The team as a whole: its capacity × share reserved, and what its people spent.
    pub team: ProtectedTime,
    /// Indexes (into the `members` given) of the people for whom urgent is winning.
    pub urgent_for: Vec<usize>,
}

/// Protected time of a team (DESIGN §5) for `weeks` ISO weeks starting with `first`: for each
/// week, every member's done strategic and reactive hours that week, judged by
/// [`protected_time`] for each member (capacity × `share` reserved) and for the team (the sums).
/// `members` holds each member's weekly capacity and done work.
pub fn protected_weeks(
    members: &[(f64, &[Spent])],
    share: f64,
    first: Week,
    weeks: u32,
) -> Vec<ProtectedWeek> {
    let mut out = Vec::new();
    let mut monday = first.monday();
    for _ in 0..weeks {
        let Ok(next) = monday.checked_add(Span::new().days(7)) else {
            break;
        };
        let (mut capacity, mut strategic, mut reactive) = (0.0, 0.0, 0.0);
        let mut urgent_for = Vec::new();
        for (m, (cap, done)) in members.iter().enumerate() {
            let (mut s, mut r) = (0.0, 0.0);
            for d in done.iter().filter(|d| (monday..next).contains(&d.done_on)) {
                match d.kind {
                    ItemKind::Strategic => s += hours(d.hours),
                    ItemKind::Reactive => r += hours(d.hours),
                }
            }
            if protected_time(*cap, share, s, r).urgent_is_winning {
                urgent_for.push(m);
            }
            capacity += hours(*cap);
            strategic += s;
            reactive += r;
        }
        out.push(ProtectedWeek {
            week: Week::of(monday),
            team: protected_time(capacity, share, strategic, reactive),
            urgent_for,
        });
        monday = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ItemStatus, When};
    use crate::when::days_between;
    use jiff::Timestamp;
    use jiff::civil::date;
    use proptest::prelude::*;

    // 2026-11-23 is the Monday of 2026-W48; 2026-11-27 its Friday.
    const MONDAY: Date = date(2026, 11, 23);
    const FRIDAY: Date = date(2026, 11, 27);

    fn item(id: Id, estimate: Option<f64>, due: Option<Date>) -> Item {
        Item {
            id,
            num: id,
            title: format!("item {id}"),
            outcome: Some("shipped".to_string()),
            owner: Some(1),
            due: due.map_or(When::NONE, When::on),
            estimate_hours: estimate,
            status: ItemStatus::Todo,
            status_reason: None,
            actual_hours: None,
            done_at: None,
            kind: ItemKind::Strategic,
            goal: None,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    fn days(n: i64) -> Span {
        Span::new().days(n)
    }

    /// `per_week` done reactive items of `each` hours in each of the `weeks` weeks before
    /// `today`'s week, spread over their working days.
    fn history(today: Date, weeks: i64, per_week: i64, each: f64) -> Vec<DoneWork> {
        let this_week = monday_of(today);
        (1..=weeks)
            .flat_map(|w| {
                (0..per_week).map(move |i| DoneWork {
                    hours: each,
                    done_on: this_week - days(7 * w) + days(i % 5),
                })
            })
            .collect()
    }

    fn week(year: i16, week: i8) -> Week {
        Week::new(year, week).unwrap()
    }

    // --- The acceptance case ---

    #[test]
    fn acceptance_40h_capacity_24h_reactive_30h_due_friday_is_overcommitted_naming_items() {
        let done = history(MONDAY, 4, 4, 6.0);
        let reactive = reactive_load(40.0, &done, MONDAY, &CapacityPolicy::default());
        assert_eq!(
            reactive,
            ReactiveLoad {
                hours_per_week: 24.0,
                measured: true
            }
        );
        let available = available_hours(40.0, &reactive);
        assert_eq!(available, 16.0);

        let (a, b) = (
            item(7, Some(18.0), Some(FRIDAY)),
            item(3, Some(12.0), Some(FRIDAY)),
        );
        let load = weekly_load(&[&a, &b], MONDAY, 1, available);
        assert_eq!(
            load,
            vec![WeekLoad {
                week: week(2026, 48),
                load_hours: 30.0,
                available_hours: 16.0,
                overcommitted: true,
                items: vec![(7, 18.0), (3, 12.0)],
            }]
        );
    }

    #[test]
    fn acceptance_same_plan_with_10h_reactive_is_not_overcommitted() {
        let done = history(MONDAY, 4, 4, 2.5);
        let reactive = reactive_load(40.0, &done, MONDAY, &CapacityPolicy::default());
        assert_eq!(reactive.hours_per_week, 10.0);
        let available = available_hours(40.0, &reactive);
        assert_eq!(available, 30.0);

        let (a, b) = (
            item(7, Some(18.0), Some(FRIDAY)),
            item(3, Some(12.0), Some(FRIDAY)),
        );
        let load = weekly_load(&[&a, &b], MONDAY, 1, available);
        assert_eq!(load[0].load_hours, 30.0);
        assert!(!load[0].overcommitted, "30h of load fits 30h available");
    }

    // --- Reactive load ---

    #[test]
    fn no_history_means_the_default_half_of_capacity() {
        let reactive = reactive_load(40.0, &[], MONDAY, &CapacityPolicy::default());
        assert_eq!(
            reactive,
            ReactiveLoad {
                hours_per_week: 20.0,
                measured: false
            }
        );
        assert_eq!(available_hours(40.0, &reactive), 20.0);
    }

    #[test]
    fn default_share_is_a_workspace_setting() {
        let policy = CapacityPolicy {
            default_reactive_share: 0.25,
            ..CapacityPolicy::default()
        };
        assert_eq!(
            reactive_load(32.0, &[], MONDAY, &policy).hours_per_week,
            8.0
        );
    }

    #[test]
    fn reactive_load_is_the_mean_over_the_window_weeks_including_empty_ones() {
        // 12h done in one of the last 4 weeks: 3h a week, measured.
        let done = [DoneWork {
            hours: 12.0,
            done_on: date(2026, 11, 18),
        }];
        let reactive = reactive_load(40.0, &done, MONDAY, &CapacityPolicy::default());
        assert_eq!(
            reactive,
            ReactiveLoad {
                hours_per_week: 3.0,
                measured: true
            }
        );
    }

    #[test]
    fn history_window_excludes_this_week_and_older_weeks() {
        let today = date(2026, 11, 25); // Wednesday of W48; the window is W44..=W47.
        let at = |done_on, hours| DoneWork { hours, done_on };
        let done = [
            at(date(2026, 11, 23), 100.0), // this week (Monday)
            at(today, 100.0),              // today
            at(date(2026, 11, 30), 100.0), // the future
            at(date(2026, 10, 25), 100.0), // Sunday of W43: too old
            at(date(2026, 10, 26), 4.0),   // Monday of W44: first day in
            at(date(2026, 11, 22), 4.0),   // Sunday of W47: last day in
        ];
        let reactive = reactive_load(40.0, &done, today, &CapacityPolicy::default());
        assert_eq!(
            reactive,
            ReactiveLoad {
                hours_per_week: 2.0,
                measured: true
            }
        );
    }

    #[test]
    fn work_done_only_outside_the_window_is_no_history() {
        let done = [DoneWork {
            hours: 8.0,
            done_on: MONDAY,
        }];
        let reactive = reactive_load(40.0, &done, MONDAY, &CapacityPolicy::default());
        assert!(!reactive.measured);
        assert_eq!(reactive.hours_per_week, 20.0);
    }

    #[test]
    fn history_weeks_is_a_workspace_setting() {
        let policy = CapacityPolicy {
            history_weeks: 2,
            ..CapacityPolicy::default()
        };
        // 10h a week for 4 weeks, plus 20h extra in the last week: the last 2 weeks mean 20h.
        let mut done = history(MONDAY, 4, 2, 5.0);
        done.push(DoneWork {
            hours: 20.0,
            done_on: date(2026, 11, 20),
        });
        assert_eq!(
            reactive_load(40.0, &done, MONDAY, &policy).hours_per_week,
            20.0
        );
    }

    #[test]
    fn reactive_load_never_exceeds_capacity() {
        let done = history(MONDAY, 4, 5, 12.0); // 60h a week
        let reactive = reactive_load(40.0, &done, MONDAY, &CapacityPolicy::default());
        assert_eq!(reactive.hours_per_week, 40.0);
        assert_eq!(available_hours(40.0, &reactive), 0.0);
    }

    #[test]
    fn available_hours_never_go_below_zero() {
        let reactive = ReactiveLoad {
            hours_per_week: 50.0,
            measured: true,
        };
        assert_eq!(available_hours(40.0, &reactive), 0.0);
    }

    #[test]
    fn reactive_history_window_crosses_year_end_and_week_53() {
        // Today is in 2027-W02; the window is 2026-W51, W52, W53 and 2027-W01.
        let today = date(2027, 1, 13);
        let at = |done_on| DoneWork {
            hours: 8.0,
            done_on,
        };
        let done = [
            at(date(2026, 12, 13)), // Sunday of 2026-W50: too old
            at(date(2026, 12, 14)), // 2026-W51
            at(date(2026, 12, 31)), // 2026-W53
            at(date(2027, 1, 3)),   // 2026-W53 (Sunday)
            at(date(2027, 1, 10)),  // 2027-W01 (Sunday)
            at(date(2027, 1, 11)),  // 2027-W02: this week
        ];
        let reactive = reactive_load(40.0, &done, today, &CapacityPolicy::default());
        assert_eq!(reactive.hours_per_week, 8.0);
    }

    // --- ISO weeks ---

    #[test]
    fn weeks_display_and_serialise_like_2026_w48() {
        assert_eq!(Week::of(MONDAY), week(2026, 48));
        assert_eq!(Week::of(MONDAY).to_string(), "2026-W48");
        assert_eq!(Week::of(date(2027, 1, 4)).to_string(), "2027-W01");
        assert_eq!(
            serde_json::to_string(&Week::of(MONDAY)).unwrap(),
            "\"2026-W48\""
        );
    }

    #[test]
    fn week_53_exists_in_2026_and_runs_into_2027() {
        let w53 = week(2026, 53);
        assert_eq!(Week::of(date(2026, 12, 28)), w53);
        assert_eq!(Week::of(date(2027, 1, 3)), w53);
        assert_eq!(w53.monday(), date(2026, 12, 28));
        assert_eq!(w53.to_string(), "2026-W53");
        assert_eq!(Week::new(2025, 53), None, "2025 has 52 weeks");
        assert!(week(2026, 53) < week(2027, 1));
    }

    #[test]
    fn late_december_may_belong_to_next_years_week_1() {
        assert_eq!(Week::of(date(2024, 12, 30)), week(2025, 1));
        assert_eq!(week(2025, 1).monday(), date(2024, 12, 30));
    }

    // --- Weekly load ---

    #[test]
    fn estimate_spreads_evenly_over_working_days_up_to_the_due_date() {
        // Due next Monday: 6 working days, 5 this week and 1 next week.
        let a = item(1, Some(12.0), Some(date(2026, 11, 30)));
        let load = weekly_load(&[&a], MONDAY, 3, 40.0);
        let hours: Vec<f64> = load.iter().map(|w| w.load_hours).collect();
        assert_eq!(hours, [10.0, 2.0, 0.0]);
        assert_eq!(load[1].items, vec![(1, 2.0)]);
        assert!(load[2].items.is_empty());
    }

    #[test]
    fn work_starts_today_not_at_the_start_of_the_week() {
        // Thursday, due Friday of next week: Thu, Fri, then 5 days = 7 working days.
        let a = item(1, Some(14.0), Some(date(2026, 12, 4)));
        let load = weekly_load(&[&a], date(2026, 11, 26), 2, 40.0);
        assert_eq!(load[0].week, week(2026, 48));
        assert_eq!(load[0].load_hours, 4.0);
        assert_eq!(load[1].load_hours, 10.0);
    }

    #[test]
    fn weekends_carry_no_load() {
        // Monday, due Sunday: all on Monday to Friday of this week.
        let a = item(1, Some(10.0), Some(date(2026, 11, 29)));
        let load = weekly_load(&[&a], MONDAY, 2, 40.0);
        assert_eq!(load[0].load_hours, 10.0);
        assert_eq!(load[1].load_hours, 0.0);
    }

    #[test]
    fn on_a_weekend_work_starts_next_monday() {
        let saturday = date(2026, 11, 28);
        let a = item(1, Some(10.0), Some(date(2026, 12, 4)));
        let load = weekly_load(&[&a], saturday, 2, 40.0);
        assert_eq!(
            load[0].week,
            week(2026, 48),
            "the output starts with today's week"
        );
        assert_eq!(load[0].load_hours, 0.0);
        assert_eq!(load[1].week, week(2026, 49));
        assert_eq!(load[1].load_hours, 10.0);
    }

    #[test]
    fn due_on_the_weekend_before_work_starts_lands_on_monday() {
        let saturday = date(2026, 11, 28);
        let a = item(1, Some(6.0), Some(date(2026, 11, 29)));
        let load = weekly_load(&[&a], saturday, 2, 40.0);
        assert_eq!(load[0].load_hours, 0.0);
        assert_eq!(load[1].items, vec![(1, 6.0)]);
    }

    #[test]
    fn overdue_items_land_on_today() {
        let wednesday = date(2026, 11, 25);
        let overdue = item(1, Some(8.0), Some(date(2026, 11, 20)));
        let long_overdue = item(2, Some(5.0), Some(date(2025, 1, 1)));
        let load = weekly_load(&[&overdue, &long_overdue], wednesday, 2, 10.0);
        assert_eq!(load[0].load_hours, 13.0);
        assert_eq!(load[0].items, vec![(1, 8.0), (2, 5.0)]);
        assert!(load[0].overcommitted);
        assert_eq!(load[1].load_hours, 0.0);
    }

    #[test]
    fn due_today_puts_all_hours_on_today() {
        let a = item(1, Some(9.0), Some(FRIDAY));
        let load = weekly_load(&[&a], FRIDAY, 2, 40.0);
        assert_eq!(load[0].load_hours, 9.0);
        assert_eq!(load[1].load_hours, 0.0);
    }

    #[test]
    fn overdue_items_on_a_weekend_land_on_next_monday() {
        let sunday = date(2026, 11, 29);
        let a = item(1, Some(8.0), Some(date(2026, 11, 20)));
        let load = weekly_load(&[&a], sunday, 2, 40.0);
        assert_eq!(load[0].load_hours, 0.0);
        assert_eq!(load[1].load_hours, 8.0);
    }

    #[test]
    fn load_crosses_year_end_through_week_53() {
        // Monday 2026-12-21 (W52), due Friday 2027-01-08 (2027-W01): 15 working days.
        let a = item(1, Some(15.0), Some(date(2027, 1, 8)));
        let load = weekly_load(&[&a], date(2026, 12, 21), 4, 40.0);
        let weeks: Vec<String> = load.iter().map(|w| w.week.to_string()).collect();
        assert_eq!(weeks, ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]);
        let hours: Vec<f64> = load.iter().map(|w| w.load_hours).collect();
        assert_eq!(hours, [5.0, 5.0, 5.0, 0.0]);
    }

    #[test]
    fn only_open_strategic_items_with_estimate_and_due_date_add_load() {
        let counted = item(1, Some(4.0), Some(FRIDAY));
        let no_estimate = item(2, None, Some(FRIDAY));
        let no_due = item(3, Some(4.0), None);
        let reactive = Item {
            kind: ItemKind::Reactive,
            ..item(4, Some(4.0), Some(FRIDAY))
        };
        let done = Item {
            status: ItemStatus::Done,
            ..item(5, Some(4.0), Some(FRIDAY))
        };
        let dropped = Item {
            status: ItemStatus::Dropped,
            ..item(6, Some(4.0), Some(FRIDAY))
        };
        let doing = Item {
            status: ItemStatus::Doing,
            ..item(7, Some(2.0), Some(FRIDAY))
        };
        let blocked = Item {
            status: ItemStatus::Blocked,
            ..item(8, Some(1.0), Some(FRIDAY))
        };
        let all = [
            &counted,
            &no_estimate,
            &no_due,
            &reactive,
            &done,
            &dropped,
            &doing,
            &blocked,
        ];
        let load = weekly_load(&all, MONDAY, 1, 40.0);
        assert_eq!(load[0].load_hours, 7.0);
        assert_eq!(load[0].items, vec![(1, 4.0), (7, 2.0), (8, 1.0)]);

        let ids: Vec<Id> = unplanned(&all).iter().map(|i| i.id).collect();
        assert_eq!(
            ids,
            [2, 3],
            "only open strategic items lacking an estimate or date"
        );
    }

    #[test]
    fn items_are_named_largest_first_then_by_id() {
        let a = item(5, Some(2.0), Some(FRIDAY));
        let b = item(9, Some(6.0), Some(FRIDAY));
        let c = item(1, Some(2.0), Some(FRIDAY));
        let load = weekly_load(&[&a, &b, &c], MONDAY, 1, 40.0);
        assert_eq!(load[0].items, vec![(9, 6.0), (1, 2.0), (5, 2.0)]);
    }

    #[test]
    fn overcommitted_only_beyond_a_hundredth_of_an_hour() {
        let a = item(1, Some(10.005), Some(FRIDAY));
        assert!(!weekly_load(&[&a], MONDAY, 1, 10.0)[0].overcommitted);
        let b = item(1, Some(10.02), Some(FRIDAY));
        assert!(weekly_load(&[&b], MONDAY, 1, 10.0)[0].overcommitted);
    }

    #[test]
    fn hours_are_rounded_to_two_decimals() {
        // 10h over 3 working days (Wed to Fri): 3.333… a day.
        let a = item(1, Some(10.0), Some(FRIDAY));
        let load = weekly_load(&[&a], date(2026, 11, 25), 1, 16.0 / 3.0);
        assert_eq!(load[0].load_hours, 10.0);
        assert_eq!(load[0].available_hours, 5.33);
        let a = item(1, Some(10.0), Some(date(2026, 11, 30)));
        let load = weekly_load(&[&a], date(2026, 11, 25), 2, 40.0);
        assert_eq!(load[0].load_hours, 7.5);
        assert_eq!(load[0].items, vec![(1, 7.5)]);
        let a = item(1, Some(10.0), Some(date(2026, 12, 1)));
        let load = weekly_load(&[&a], date(2026, 11, 25), 2, 40.0);
        assert_eq!(load[0].items, vec![(1, 6.0)]);
        let a = item(1, Some(1.0), Some(date(2026, 12, 1)));
        let load = weekly_load(&[&a], MONDAY, 2, 40.0);
        assert_eq!(load[0].load_hours, 0.71);
        assert_eq!(load[1].load_hours, 0.29);
    }

    #[test]
    fn zero_weeks_is_no_output_and_no_items_is_no_load() {
        assert!(weekly_load(&[], MONDAY, 0, 40.0).is_empty());
        let load = weekly_load(&[], MONDAY, 2, 40.0);
        assert!(load.iter().all(|w| w.load_hours == 0.0 && !w.overcommitted));
    }

    #[test]
    fn week_load_serialises_with_the_week_as_text() {
        let a = item(1, Some(4.0), Some(FRIDAY));
        let json = serde_json::to_value(&weekly_load(&[&a], MONDAY, 1, 2.0)[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "week": "2026-W48",
                "load_hours": 4.0,
                "available_hours": 2.0,
                "overcommitted": true,
                "items": [[1, 4.0]],
            })
        );
    }

    // --- Protected time ---

    #[test]
    fn reserve_is_capacity_times_the_protected_share() {
        let p = protected_time(40.0, 0.2, 12.0, 20.0);
        assert_eq!(p.reserved_hours, 8.0);
        assert!(!p.urgent_is_winning);
    }

    #[test]
    fn urgent_is_winning_when_reactive_work_eats_the_reserve() {
        let p = protected_time(40.0, 0.2, 5.0, 35.0);
        assert_eq!(
            p,
            ProtectedTime {
                reserved_hours: 8.0,
                strategic_hours: 5.0,
                reactive_hours: 35.0,
                urgent_is_winning: true,
            }
        );
    }

    #[test]
    fn strategic_time_short_without_reactive_overload_is_not_urgent_winning() {
        // A short week (time off): strategic below the reserve, reactive within its share.
        assert!(!protected_time(40.0, 0.2, 5.0, 20.0).urgent_is_winning);
        // Reactive took exactly capacity − reserve: not more than it.
        assert!(!protected_time(40.0, 0.2, 5.0, 32.0).urgent_is_winning);
    }

    #[test]
    fn reserve_met_is_not_urgent_winning_however_much_reactive_work() {
        assert!(!protected_time(40.0, 0.2, 8.0, 45.0).urgent_is_winning);
        assert!(!protected_time(40.0, 0.2, 7.995, 45.0).urgent_is_winning);
    }

    #[test]
    fn no_reserve_never_flags_and_shares_are_clamped() {
        assert!(!protected_time(40.0, 0.0, 0.0, 40.0).urgent_is_winning);
        assert_eq!(protected_time(40.0, 1.5, 0.0, 0.0).reserved_hours, 40.0);
        assert_eq!(protected_time(40.0, -0.5, 0.0, 0.0).reserved_hours, 0.0);
        assert_eq!(protected_time(40.0, f64::NAN, 0.0, 0.0).reserved_hours, 0.0);
    }

    // --- Properties ---

    fn arb_item() -> impl Strategy<Value = Item> {
        (
            1i64..1000,
            proptest::option::weighted(0.9, 0.25f64..40.0),
            proptest::option::weighted(0.9, -30i64..200),
            proptest::sample::select(ItemStatus::ALL.to_vec()),
            any::<bool>(),
        )
            .prop_map(|(id, estimate, due, status, reactive)| Item {
                status,
                kind: if reactive {
                    ItemKind::Reactive
                } else {
                    ItemKind::Strategic
                },
                ..item(id, estimate, due.map(|d| BASE + days(d)))
            })
    }

    // Items' due dates are offsets from BASE; today is BASE plus 0..7 days.
    const BASE: Date = date(2026, 12, 20);

    proptest! {
        #[test]
        fn hours_are_conserved_over_a_long_enough_window(
            items in proptest::collection::vec(arb_item(), 0..30),
            today_offset in 0i64..7,
        ) {
            let today = BASE + days(today_offset);
            let refs: Vec<&Item> = items.iter().collect();
            // Due dates are at most 200 days after BASE: 32 weeks cover them all.
            let weeks = 32;
            let load = weekly_load(&refs, today, weeks, 40.0);
            prop_assert_eq!(load.len(), weeks as usize);
            let expected: f64 = items
                .iter()
                .filter_map(counted)
                .map(|(estimate, _)| estimate)
                .sum();
            let total: f64 = load.iter().map(|w| w.load_hours).sum();
            // Each week is rounded to a hundredth: at most half of one off per week.
            prop_assert!((total - expected).abs() <= 0.005 * f64::from(weeks) + 1e-9,
                "total {} expected {}", total, expected);
            for w in &load {
                let named: f64 = w.items.iter().map(|(_, h)| h).sum();
                prop_assert!((named - w.load_hours).abs() <= 0.005 * (w.items.len() as f64 + 1.0));
                prop_assert!(w.items.windows(2).all(|p| p[0].1 >= p[1].1));
                // Decided on unrounded load: the rounded figure is within half a hundredth.
                if w.overcommitted {
                    prop_assert!(w.load_hours >= 40.0 + TOLERANCE_HOURS - 0.005);
                } else {
                    prop_assert!(w.load_hours <= 40.0 + TOLERANCE_HOURS + 0.005);
                }
            }
        }

        #[test]
        fn reactive_load_stays_within_capacity(
            capacity in 0.0f64..80.0,
            done in proptest::collection::vec((0.0f64..30.0, -60i64..10), 0..40),
            today_offset in 0i64..400,
            default_share in 0.0f64..=1.0,
            history_weeks in 0u32..8,
        ) {
            let today = BASE + days(today_offset);
            let done: Vec<DoneWork> = done
                .into_iter()
                .map(|(hours, d)| DoneWork { hours, done_on: today + days(d) })
                .collect();
            let policy = CapacityPolicy { default_reactive_share: default_share, history_weeks };
            let reactive = reactive_load(capacity, &done, today, &policy);
            prop_assert!(reactive.hours_per_week >= 0.0);
            prop_assert!(reactive.hours_per_week <= round2(capacity));
            let available = available_hours(capacity, &reactive);
            prop_assert!(available >= 0.0);
            prop_assert!((available + reactive.hours_per_week - capacity).abs() <= 0.005 + 1e-9);
        }

        #[test]
        fn every_day_lies_in_the_week_starting_on_its_monday(offset in -40_000i64..40_000) {
            let day = BASE + days(offset);
            let week = Week::of(day);
            let monday = week.monday();
            prop_assert_eq!(monday.weekday(), Weekday::Monday);
            prop_assert!(monday <= day && day < monday + days(7));
            prop_assert_eq!(Week::new(week.year, week.week), Some(week));
            prop_assert_eq!(monday_of(day), monday);
        }

        #[test]
        fn working_days_match_a_walk_over_the_calendar(a in -400i64..400, len in -3i64..40) {
            let first = BASE + days(a);
            let last = first + days(len);
            let walked = (0..=len)
                .map(|i| first + days(i))
                .filter(|d| is_working_day(*d))
                .count() as i64;
            prop_assert_eq!(working_days(first, last), walked);
        }

        #[test]
        fn day_numbers_match_jiffs_span_arithmetic(offset in 0i64..=3_652_058) {
            // Every date jiff knows, from -9999-01-01 to 9999-12-31.
            let day = Date::MIN + days(offset);
            prop_assert_eq!(day_number(day), days_between(date(1970, 1, 1), day));
        }

        #[test]
        fn weekly_load_matches_a_day_by_day_reference(
            items in proptest::collection::vec(arb_item(), 0..30),
            today_offset in -10i64..30,
            weeks in 0u32..12,
            available in prop_oneof![Just(0.0), 0.0f64..60.0, Just(f64::NAN)],
        ) {
            let today = BASE + days(today_offset);
            let refs: Vec<&Item> = items.iter().collect();
            prop_assert_eq!(
                weekly_load(&refs, today, weeks, available),
                reference::weekly_load(&refs, today, weeks, available)
            );
        }

        #[test]
        fn weekly_load_matches_the_reference_when_hours_tie(
            items in proptest::collection::vec(
                (
                    1i64..6,
                    proptest::sample::select(vec![0.01, 0.5, 1.0, 2.5, 10.0 / 3.0, 5.0, 7.0, 12.0]),
                    -3i64..25,
                ),
                0..30,
            ),
            today_offset in 0i64..7,
            weeks in 1u32..6,
        ) {
            // Few ids, estimates and due dates: many equal hours, and repeated ids.
            let items: Vec<Item> = items
                .into_iter()
                .map(|(id, estimate, due)| item(id, Some(estimate), Some(BASE + days(due))))
                .collect();
            let today = BASE + days(today_offset);
            let refs: Vec<&Item> = items.iter().collect();
            prop_assert_eq!(
                weekly_load(&refs, today, weeks, 40.0),
                reference::weekly_load(&refs, today, weeks, 40.0)
            );
        }

        #[test]
        fn weekly_load_matches_the_reference_at_the_end_of_the_calendar(
            items in proptest::collection::vec(arb_item(), 0..10),
            today_back in 0i64..30,
            weeks in 0u32..8,
        ) {
            // Due dates near BASE are long overdue here: everything lands on the first day.
            let today = Date::MAX - days(today_back);
            let refs: Vec<&Item> = items.iter().collect();
            prop_assert_eq!(
                weekly_load(&refs, today, weeks, 40.0),
                reference::weekly_load(&refs, today, weeks, 40.0)
            );
        }
    }

    /// Weekly load as first written: every item and week counts its working days with jiff's
    /// date arithmetic. The integer day ranges of [`weekly_load`] must give the same result.
    mod reference {
        use super::*;

        fn working_days(first: Date, last: Date) -> i64 {
            const ANY_MONDAY: Date = date(2000, 1, 3);
            let before = |day: Date| {
                let n = days_between(ANY_MONDAY, day);
                n.div_euclid(7) * 5 + n.rem_euclid(7).min(5)
            };
            if last < first {
                return 0;
            }
            before(last) - before(first) + i64::from(is_working_day(last))
        }

        pub(super) fn weekly_load(
            items: &[&Item],
            today: Date,
            weeks: u32,
            available_hours: f64,
        ) -> Vec<WeekLoad> {
            let available = hours(available_hours);
            let start = first_working_day(today);
            let spreads: Vec<(Id, f64, Date, Date)> = items
                .iter()
                .filter_map(|item| {
                    let (estimate, due) = counted(item)?;
                    let estimate = hours(estimate);
                    if estimate == 0.0 {
                        return None;
                    }
                    let last = due.max(start);
                    let days = working_days(start, last).max(1);
                    Some((item.id, estimate / days as f64, start, last))
                })
                .collect();
            let mut out = Vec::new();
            let mut monday = monday_of(today);
            for _ in 0..weeks {
                let Ok(friday) = monday.checked_add(Span::new().days(4)) else {
                    break;
                };
                let mut load = 0.0;
                let mut contributions: Vec<(Id, f64)> = Vec::new();
                for &(id, per_day, first, last) in &spreads {
                    let days = working_days(first.max(monday), last.min(friday));
                    if days > 0 {
                        let h = per_day * days as f64;
                        load += h;
                        contributions.push((id, round2(h)));
                    }
                }
                contributions.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                out.push(WeekLoad {
                    week: Week::of(monday),
                    load_hours: round2(load),
                    available_hours: round2(available),
                    overcommitted: load > available + TOLERANCE_HOURS,
                    items: contributions,
                });
                let Ok(next) = monday.checked_add(Span::new().days(7)) else {
                    break;
                };
                monday = next;
            }
            out
        }
    }

    // --- Protected time over weeks ---

    fn spent(kind: ItemKind, hours: f64, done_on: Date) -> Spent {
        Spent {
            kind,
            hours,
            done_on,
        }
    }

    #[test]
    fn protected_weeks_sum_the_team_and_name_the_members_urgent_is_beating() {
        let last_week = MONDAY - days(7);
        // Ana: 40h, last week 36h reactive and 2h strategic: the 8h reserve was eaten.
        let ana = [
            spent(ItemKind::Reactive, 36.0, last_week + days(1)),
            spent(ItemKind::Strategic, 2.0, last_week + days(2)),
            // This week's work belongs to this week.
            spent(ItemKind::Strategic, 8.0, MONDAY),
        ];
        // Ben: 40h, last week 10h strategic and 20h reactive: his reserve held.
        let ben = [
            spent(ItemKind::Strategic, 10.0, last_week + days(4)),
            spent(ItemKind::Reactive, 20.0, last_week + days(6)),
        ];
        let members: [(f64, &[Spent]); 2] = [(40.0, &ana), (40.0, &ben)];
        let weeks = protected_weeks(&members, 0.2, Week::of(last_week), 2);
        assert_eq!(weeks.len(), 2);
        assert_eq!(weeks[0].week, week(2026, 47));
        assert_eq!(weeks[0].urgent_for, vec![0]);
        // The team reserved 16h and spent 12h on strategic work, but reactive work (56h) did
        // not take more than 80h − 16h: time went elsewhere, so the team is not flagged.
        assert_eq!(
            weeks[0].team,
            ProtectedTime {
                reserved_hours: 16.0,
                strategic_hours: 12.0,
                reactive_hours: 56.0,
                urgent_is_winning: false,
            }
        );
        assert_eq!(weeks[1].week, week(2026, 48));
        assert_eq!(weeks[1].team.strategic_hours, 8.0);
        assert!(weeks[1].urgent_for.is_empty());
    }

    #[test]
    fn a_team_flooded_by_reactive_work_is_flagged() {
        let last_week = MONDAY - days(7);
        let flooded = [spent(ItemKind::Reactive, 38.0, last_week)];
        let members: [(f64, &[Spent]); 3] = [(40.0, &flooded); 3];
        let w = &protected_weeks(&members, 0.2, Week::of(last_week), 1)[0];
        assert!(w.team.urgent_is_winning);
        assert_eq!(w.urgent_for, vec![0, 1, 2]);
        // With no protection there is nothing to win against.
        let w = &protected_weeks(&members, 0.0, Week::of(last_week), 1)[0];
        assert!(!w.team.urgent_is_winning && w.urgent_for.is_empty());
    }
}
