//! Forecasts: when each open item, and so each goal, is predicted to finish (DESIGN §5).
//!
//! Each person's open items are laid one after another into the hours they have for strategic
//! work, in due-date order, each taking its estimate scaled by how that person's estimates have
//! turned out. An item cannot start before the items it needs have finished, so forecasts
//! propagate through dependencies (DESIGN §3): a slip moves every item and goal that waits on it.
//!
//! "Today" is an argument: the caller computes it in the person's time zone.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hasher};

use jiff::Span;
use jiff::civil::Date;
use serde::Serialize;

use crate::capacity::{TOLERANCE_HOURS, day_number, first_working_day, hours, monday_of};
use crate::hash::HashMap;
use crate::model::{Id, Item, ItemKind, ItemStatus};

/// The smallest estimate accuracy [`estimate_accuracy`] reports: work takes at least half its
/// estimate.
pub const MIN_ACCURACY: f64 = 0.5;

/// The largest estimate accuracy [`estimate_accuracy`] reports: work takes at most three times
/// its estimate.
pub const MAX_ACCURACY: f64 = 3.0;

/// Working days from today past which no date exists any more (jiff's calendar ends in 9999):
/// a finish this far out is unschedulable, which also keeps the day arithmetic in range.
const MAX_WORKING_DAYS: f64 = 3_000_000.0;

/// A person's estimate accuracy (DESIGN §5): the factor actual ÷ estimated hours that their
/// estimates are multiplied by in a forecast, from their done items as `(estimated, actual)`
/// pairs. It is the median of the ratios, so one outlier cannot dominate, clamped to
/// [`MIN_ACCURACY`]–[`MAX_ACCURACY`]; pairs without a positive estimate and a positive actual do
/// not count, and with no usable pair it is 1.0 (estimates are taken as they are).
pub fn estimate_accuracy(done: &[(f64, f64)]) -> f64 {
    let usable = |h: f64| h.is_finite() && h > 0.0;
    let mut ratios: Vec<f64> = done
        .iter()
        .filter(|(estimated, actual)| usable(*estimated) && usable(*actual))
        .map(|(estimated, actual)| actual / estimated)
        .filter(|ratio| ratio.is_finite())
        .collect();
    if ratios.is_empty() {
        return 1.0;
    }
    ratios.sort_by(f64::total_cmp);
    let mid = ratios.len() / 2;
    let median = if ratios.len() % 2 == 1 {
        ratios[mid]
    } else {
        ratios[mid - 1] / 2.0 + ratios[mid] / 2.0
    };
    median.clamp(MIN_ACCURACY, MAX_ACCURACY)
}

/// A person's estimate accuracy from their items (see [`estimate_accuracy`]): their done
/// strategic items with an estimate and actual hours count. The forecast schedules strategic
/// work, and reactive work is often sized after the fact.
pub fn accuracy_of(items: &[&Item]) -> f64 {
    let done: Vec<(f64, f64)> = items
        .iter()
        .filter(|i| i.status == ItemStatus::Done && i.kind == ItemKind::Strategic)
        .filter_map(|i| Some((i.estimate_hours?, i.actual_hours?)))
        .collect();
    estimate_accuracy(&done)
}

/// Predicted finish dates (DESIGN §5). Every open item given to [`forecast`] is in exactly one
/// of `finish` and `unschedulable`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Forecast {
    /// The working day on which each schedulable open item's last hour is worked.
    pub finish: HashMap<Id, Date>,
    /// Open items that cannot be forecast, sorted by number: no owner, no estimate, an owner
    /// with no available hours, a need on such an item (transitively), or a need cycle.
    pub unschedulable: Vec<Id>,
}

/// Forecast every open (todo, doing, blocked) item in `items` (DESIGN §5, propagated through
/// dependencies as in §3).
///
/// Each owner works `available` hours per week for strategic work, `available / 5` on each
/// working day (Monday to Friday) from `today`, or from the next Monday when today is a weekend
/// day. Their items are worked one at a time, in due-date order (undated last, then by number),
/// each taking its estimate × the owner's `accuracy` (1.0 when absent) hours; an item starts
/// where the previous one ended, mid-day if need be, and finishes on the working day its last
/// hour is worked (a spill of at most [`TOLERANCE_HOURS`] into the next day does not count).
///
/// `needs` holds pairs `(a, b)`: item `a` needs item `b`. Policies:
/// - An item starts no earlier than the working day after every open item it needs has
///   finished; needs on done, dropped or absent items impose nothing.
/// - An item that another item needs is due, for ordering, no later than that item, so its owner
///   works it in time for the item waiting on it; the order always puts a need before what needs
///   it, whoever owns them.
/// - A person keeps to their order: when their next item waits for a need, they idle until it
///   is ready and then continue with the items after it. Simple, deterministic, and never
///   finishes anything later when someone gets more hours.
/// - An open item is unschedulable when it has no owner, no estimate (or one that is not a
///   finite, non-negative number), its owner has no available hours (absent from `available`,
///   zero, or not a number), it lies on or behind a cycle of needs (the store refuses cycles;
///   this only guards against them), it needs an unschedulable item, or it would finish past
///   the end of the calendar. An unschedulable item takes none of its owner's hours.
pub fn forecast(
    items: &[&Item],
    needs: &[(Id, Id)],
    available: &HashMap<Id, f64>,
    accuracy: &HashMap<Id, f64>,
    today: Date,
) -> Forecast {
    // The open items, the first of any repeated id winning: `position` maps every id to its
    // open item's position in `open`, or to None when that first item is closed. Only plain
    // data is kept per open item, so that the passes below stay in a few compact arrays.
    let mut position: IdMap<Option<usize>> = id_map(items.len());
    let mut open = OpenItems::default();
    let mut people = People::new(available, accuracy);
    for item in items {
        if let Entry::Vacant(entry) = position.entry(item.id) {
            entry.insert(item.status.is_open().then(|| open.push(item, &mut people)));
        }
    }
    let n = open.id.len();

    // needed: what each open item needs; needed_by: the open items that need it.
    let mut pairs: Vec<(usize, usize)> = needs
        .iter()
        .filter_map(|(a, b)| Some(((*position.get(a)?)?, (*position.get(b)?)?)))
        .collect();
    drop(position);
    pairs.sort_unstable();
    pairs.dedup();
    let needed = Lists::new(n, pairs.iter().copied());
    let needed_by = Lists::new(n, pairs.iter().map(|&(a, b)| (b, a)));
    drop(pairs);

    let order = work_order(&open, &needed, &needed_by);

    // The finish of each scheduled item, in working days from the first working day.
    let mut finish_day: Vec<Option<f64>> = vec![None; n];
    let mut finish_date: Vec<Option<Date>> = vec![None; n];
    let mut calendar = WorkingDays::from(first_working_day(today));
    for i in order {
        let Some(Job { person, work }) = open.job[i] else {
            continue;
        };
        // The working day after the last of its needs finishes; `order` put them all first.
        let Some(ready) = needed
            .of(i)
            .iter()
            .try_fold(0.0_f64, |ready, &n| Some(ready.max(finish_day[n]? + 1.0)))
        else {
            continue;
        };
        let person = &mut people.slots[person];
        let per_day = person.per_day;
        let start = person.cursor.max(ready);
        person.cursor = start + work / per_day;
        // The day its last hour is worked: the day holding the end of its work (less the
        // tolerance), and never before the day it starts (a zero estimate ends where it starts).
        let last = (start + (work - TOLERANCE_HOURS).max(0.0) / per_day).ceil() - 1.0;
        let day = last.max(start.floor());
        if !day.is_finite() || day > MAX_WORKING_DAYS {
            continue;
        }
        // In range by the check above: a whole number of days from 0 to MAX_WORKING_DAYS.
        let Some(date) = calendar.nth(day as i64) else {
            continue;
        };
        finish_day[i] = Some(day);
        finish_date[i] = Some(date);
    }

    let scheduled = finish_date.iter().flatten().count();
    let mut finish = HashMap::with_capacity_and_hasher(scheduled, Default::default());
    let mut unschedulable = Vec::with_capacity(n - scheduled);
    for (i, date) in finish_date.into_iter().enumerate() {
        match date {
            Some(date) => {
                finish.insert(open.id[i], date);
            }
            None => unschedulable.push((open.num[i], open.id[i])),
        }
    }
    // Open ids are distinct, so no two keys are equal and an unstable sort is exact.
    unschedulable.sort_unstable();
    Forecast {
        finish,
        unschedulable: unschedulable.into_iter().map(|(_, id)| id).collect(),
    }
}

/// A goal's forecast finish (DESIGN §5): the latest finish of its open items, given as `items`.
/// None when it has no open item or any open item has no forecast (it is unschedulable).
pub fn goal_finish(items: &[&Item], forecast: &Forecast) -> Option<Date> {
    let mut latest = None;
    for item in items.iter().filter(|item| item.status.is_open()) {
        latest = latest.max(Some(*forecast.finish.get(&item.id)?));
    }
    latest
}

/// A hasher for the maps of ids that [`forecast`] keeps for itself (the output is a
/// [`crate::hash::HashMap`]): up to every item of a workspace, where SipHash would cost more
/// than the rest of the work on an id. It multiplies the integer key by a large odd constant and folds the 128-bit
/// product, which mixes every bit of the id into both ends of the hash. Ids come from the
/// store, not from someone choosing them to collide.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        const K: u128 = 0x9e37_79b9_7f4a_7c15;
        let product = u128::from(self.0 ^ n) * K;
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type IdMap<V> = std::collections::HashMap<Id, V, BuildHasherDefault<IdHasher>>;

fn id_map<V>(capacity: usize) -> IdMap<V> {
    IdMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default())
}

/// What [`forecast`] schedules of one open item: whose hours it takes and how many (its
/// estimate × its owner's accuracy). None for an item that cannot be scheduled whatever it
/// needs: no owner, no usable estimate, or an owner with no available hours.
#[derive(Clone, Copy)]
struct Job {
    person: usize,
    work: f64,
}

/// The open items, position by position: what ordering and scheduling read of each.
#[derive(Default)]
struct OpenItems {
    id: Vec<Id>,
    num: Vec<i64>,
    due: Vec<Option<Date>>,
    job: Vec<Option<Job>>,
}

impl OpenItems {
    /// Adds `item` and returns its position.
    fn push(&mut self, item: &Item, people: &mut People) -> usize {
        let job = item.owner.and_then(|owner| {
            let estimate = item.estimate_hours.filter(|e| e.is_finite() && *e >= 0.0)?;
            let person = people.slot(owner)?;
            Some(Job {
                person,
                work: estimate * people.slots[person].factor,
            })
        });
        self.id.push(item.id);
        self.num.push(item.num);
        self.due.push(item.due.date);
        self.job.push(job);
        self.id.len() - 1
    }
}

/// One owner's hours per working day, estimate accuracy, and where their work has got to.
struct Person {
    per_day: f64,
    factor: f64,
    /// In working days from the first working day (1.5 = mid-day on the second working day).
    cursor: f64,
}

/// The owners of open items, each looked up in `available` and `accuracy` once.
struct People<'a> {
    available: &'a HashMap<Id, f64>,
    accuracy: &'a HashMap<Id, f64>,
    /// Each owner's slot in `slots`, or None when they have no available hours.
    slot: IdMap<Option<usize>>,
    slots: Vec<Person>,
}

impl<'a> People<'a> {
    fn new(available: &'a HashMap<Id, f64>, accuracy: &'a HashMap<Id, f64>) -> Self {
        People {
            available,
            accuracy,
            slot: id_map(available.len()),
            slots: Vec::with_capacity(available.len()),
        }
    }

    /// The slot of `owner`, None when they have no hours for strategic work.
    fn slot(&mut self, owner: Id) -> Option<usize> {
        *self.slot.entry(owner).or_insert_with(|| {
            let per_day = hours(self.available.get(&owner).copied().unwrap_or(0.0)) / 5.0;
            if per_day <= 0.0 {
                return None;
            }
            let factor = self
                .accuracy
                .get(&owner)
                .copied()
                .filter(|a| a.is_finite() && *a > 0.0)
                .unwrap_or(1.0);
            self.slots.push(Person {
                per_day,
                factor,
                cursor: 0.0,
            });
            Some(self.slots.len() - 1)
        })
    }
}

/// One list of open items per open item, all in one buffer: list `i` is
/// `items[start[i]..start[i + 1]]`.
struct Lists {
    start: Vec<usize>,
    items: Vec<usize>,
}

impl Lists {
    /// The lists of `n` items from `(i, j)` pairs (`j` is in list `i`), in the pairs' order.
    fn new(n: usize, pairs: impl Iterator<Item = (usize, usize)> + Clone) -> Lists {
        let mut start = vec![0; n + 1];
        for (i, _) in pairs.clone() {
            start[i + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut items = vec![0; start[n]];
        for (i, j) in pairs {
            items[next[i]] = j;
            next[i] += 1;
        }
        Lists { start, items }
    }

    fn of(&self, i: usize) -> &[usize] {
        &self.items[self.start[i]..self.start[i + 1]]
    }
}

/// Sort key of a due date: dated before undated, earlier before later.
fn due_key(date: Option<Date>) -> i64 {
    date.map_or(i64::MAX, day_number)
}

/// The order in which all open items are worked: a topological order of `needed` (a need
/// before what needs it), otherwise by effective due date, own due date, number and id. Items
/// on or behind a cycle are left out. The order ignores owners and availability, so that
/// giving someone more hours cannot reorder anyone's work.
fn work_order(open: &OpenItems, needed: &Lists, needed_by: &Lists) -> Vec<usize> {
    let n = open.id.len();
    let indegree: Vec<usize> = (0..n).map(|i| needed.of(i).len()).collect();

    // A first topological pass, to propagate due dates from dependents back to their needs.
    let mut remaining = indegree.clone();
    let mut topological: Vec<usize> = (0..n).filter(|&i| remaining[i] == 0).collect();
    let mut next = 0;
    while let Some(&i) = topological.get(next) {
        next += 1;
        for &d in needed_by.of(i) {
            remaining[d] -= 1;
            if remaining[d] == 0 {
                topological.push(d);
            }
        }
    }
    let mut effective: Vec<i64> = open.due.iter().map(|&date| due_key(date)).collect();
    for &i in topological.iter().rev() {
        // Dependents on or behind a cycle never left the queue; they pull nothing forward.
        for &d in needed_by.of(i) {
            if remaining[d] == 0 {
                effective[i] = effective[i].min(effective[d]);
            }
        }
    }

    // Every item's rank in urgency: the most urgent item whose needs are all placed comes
    // next. Each key ends with the position, so no two are equal.
    let mut by_urgency: Vec<(i64, i64, i64, Id, usize)> = (0..n)
        .map(|i| {
            let own = due_key(open.due[i]);
            (effective[i], own, open.num[i], open.id[i], i)
        })
        .collect();
    drop(effective);
    by_urgency.sort_unstable();
    let by_rank: Vec<usize> = by_urgency.into_iter().map(|(.., i)| i).collect();
    let mut rank = vec![0; n];
    for (r, &i) in by_rank.iter().enumerate() {
        rank[i] = r;
    }

    // The items ready from the start are taken in rank order straight from `by_rank`; those
    // that become ready as their needs are placed wait in a heap. The next item is the most
    // urgent of the two.
    let mut remaining = indegree;
    let mut released: BinaryHeap<Reverse<usize>> = BinaryHeap::new();
    let mut unreleased = by_rank
        .iter()
        .enumerate()
        .filter(|&(_, &i)| needed.of(i).is_empty());
    let mut waiting = unreleased.next();
    let mut order = Vec::with_capacity(topological.len());
    loop {
        let i = match (waiting, released.peek()) {
            (Some((r, &i)), top) if top.is_none_or(|&Reverse(h)| r < h) => {
                waiting = unreleased.next();
                i
            }
            _ => match released.pop() {
                Some(Reverse(r)) => by_rank[r],
                None => break,
            },
        };
        order.push(i);
        for &d in needed_by.of(i) {
            remaining[d] -= 1;
            if remaining[d] == 0 {
                released.push(Reverse(rank[d]));
            }
        }
    }
    order
}

/// The dates of the working days counted from a first one, each computed once: many items
/// finish on the same day.
struct WorkingDays {
    first: Date,
    known: Vec<Option<Option<Date>>>,
}

impl WorkingDays {
    /// Days this far out (some sixty years) are computed each time instead.
    const KEPT: usize = 1 << 14;

    fn from(first: Date) -> WorkingDays {
        WorkingDays {
            first,
            known: Vec::new(),
        }
    }

    /// The working day `n` working days after the first, if the calendar has it.
    fn nth(&mut self, n: i64) -> Option<Date> {
        let Some(k) = usize::try_from(n).ok().filter(|&k| k < Self::KEPT) else {
            return nth_working_day(self.first, n);
        };
        if k >= self.known.len() {
            self.known.resize(k + 1, None);
        }
        *self.known[k].get_or_insert_with(|| nth_working_day(self.first, n))
    }
}

/// The working day `n` working days after `first` (itself a working day), if the calendar has
/// it.
fn nth_working_day(first: Date, n: i64) -> Option<Date> {
    let from_monday = n.checked_add(i64::from(first.weekday().to_monday_zero_offset()))?;
    let days = from_monday.div_euclid(5) * 7 + from_monday.rem_euclid(5);
    monday_of(first)
        .checked_add(Span::new().try_days(days).ok()?)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::{Week, is_working_day};
    use crate::model::{ItemKind, ItemStatus, When};
    use jiff::Timestamp;
    use jiff::civil::date;
    use proptest::prelude::*;

    const ANA: Id = 1;
    const BEN: Id = 2;

    // 2026-11-23 is the Monday of 2026-W48.
    const MONDAY: Date = date(2026, 11, 23);

    fn item(id: Id, owner: Id, estimate: f64, due: Option<Date>) -> Item {
        Item {
            id,
            num: id,
            title: format!("item {id}"),
            outcome: Some("shipped".to_string()),
            owner: Some(owner),
            due: due.map_or(When::NONE, When::on),
            estimate_hours: Some(estimate),
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

    fn with_status(status: ItemStatus, item: Item) -> Item {
        Item { status, ..item }
    }

    /// Strategic hours per week by person.
    fn hours_per_week(people: &[(Id, f64)]) -> HashMap<Id, f64> {
        people.iter().copied().collect()
    }

    fn run(items: &[Item], needs: &[(Id, Id)], available: &[(Id, f64)], today: Date) -> Forecast {
        let refs: Vec<&Item> = items.iter().collect();
        forecast(
            &refs,
            needs,
            &hours_per_week(available),
            &HashMap::default(),
            today,
        )
    }

    fn finishes(forecast: &Forecast, ids: &[Id]) -> Vec<Option<Date>> {
        ids.iter()
            .map(|id| forecast.finish.get(id).copied())
            .collect()
    }

    // --- Scheduling in due-date order ---

    #[test]
    fn items_finish_one_after_another_in_due_date_order_within_available_hours() {
        // 4h a day: 8h on Mon–Tue, 12h on Wed–Fri, 4h on the next Monday. Given out of order.
        let items = [
            item(3, ANA, 4.0, Some(date(2026, 12, 4))),
            item(1, ANA, 8.0, Some(date(2026, 11, 25))),
            item(2, ANA, 12.0, Some(date(2026, 11, 27))),
        ];
        let f = run(&items, &[], &[(ANA, 20.0)], MONDAY);
        assert_eq!(
            finishes(&f, &[1, 2, 3]),
            [
                Some(date(2026, 11, 24)),
                Some(date(2026, 11, 27)),
                Some(date(2026, 11, 30)),
            ]
        );
        assert!(f.unschedulable.is_empty());
    }

    #[test]
    fn accuracy_scales_every_estimate_and_work_continues_mid_day() {
        // × 1.5: 12h on Mon–Wed; 18h = Thu, Fri, Mon, Tue and 2h of Wed 2 Dec; 6h = the other
        // 2h of Wed 2 Dec and Thu 3 Dec.
        let items = [
            item(1, ANA, 8.0, Some(date(2026, 11, 25))),
            item(2, ANA, 12.0, Some(date(2026, 11, 27))),
            item(3, ANA, 4.0, Some(date(2026, 12, 4))),
        ];
        let refs: Vec<&Item> = items.iter().collect();
        let accuracy = HashMap::from_iter([(ANA, 1.5)]);
        let f = forecast(
            &refs,
            &[],
            &hours_per_week(&[(ANA, 20.0)]),
            &accuracy,
            MONDAY,
        );
        assert_eq!(
            finishes(&f, &[1, 2, 3]),
            [
                Some(date(2026, 11, 25)),
                Some(date(2026, 12, 2)),
                Some(date(2026, 12, 3)),
            ]
        );
    }

    #[test]
    fn undated_items_come_last_and_ties_go_by_number() {
        let items = [
            item(1, ANA, 4.0, None),
            item(3, ANA, 4.0, Some(date(2026, 12, 4))),
            item(2, ANA, 4.0, Some(date(2026, 12, 4))),
        ];
        let f = run(&items, &[], &[(ANA, 20.0)], MONDAY);
        assert_eq!(
            finishes(&f, &[2, 3, 1]),
            [
                Some(date(2026, 11, 23)),
                Some(date(2026, 11, 24)),
                Some(date(2026, 11, 25)),
            ]
        );
    }

    #[test]
    fn a_hundredth_of_an_hour_over_does_not_spill_into_the_next_day() {
        let f = run(&[item(1, ANA, 8.005, None)], &[], &[(ANA, 20.0)], MONDAY);
        assert_eq!(f.finish[&1], date(2026, 11, 24));
        let f = run(&[item(1, ANA, 8.02, None)], &[], &[(ANA, 20.0)], MONDAY);
        assert_eq!(f.finish[&1], date(2026, 11, 25));
    }

    #[test]
    fn a_zero_estimate_finishes_where_its_owner_has_got_to() {
        let items = [item(1, ANA, 8.0, None), item(2, ANA, 0.0, None)];
        let f = run(&items, &[], &[(ANA, 20.0)], MONDAY);
        assert_eq!(f.finish[&2], date(2026, 11, 25), "Mon–Tue are full");
    }

    #[test]
    fn doing_and_blocked_items_are_forecast_and_closed_items_are_not() {
        let items = [
            with_status(ItemStatus::Done, item(1, ANA, 8.0, None)),
            with_status(ItemStatus::Dropped, item(2, ANA, 8.0, None)),
            with_status(ItemStatus::Doing, item(3, ANA, 4.0, None)),
            with_status(ItemStatus::Blocked, item(4, ANA, 4.0, None)),
        ];
        let f = run(&items, &[], &[(ANA, 20.0)], MONDAY);
        assert_eq!(
            f.finish,
            HashMap::from_iter([(3, date(2026, 11, 23)), (4, date(2026, 11, 24))])
        );
        assert!(f.unschedulable.is_empty());
    }

    // --- Calendar ---

    #[test]
    fn weekends_are_skipped() {
        // From Thursday at 4h a day, 20h is Thu, Fri, Mon, Tue, Wed.
        let f = run(
            &[item(1, ANA, 20.0, None)],
            &[],
            &[(ANA, 20.0)],
            date(2026, 11, 26),
        );
        assert_eq!(f.finish[&1], date(2026, 12, 2));
    }

    #[test]
    fn on_a_weekend_work_starts_next_monday() {
        let saturday = date(2026, 11, 28);
        let f = run(&[item(1, ANA, 8.0, None)], &[], &[(ANA, 20.0)], saturday);
        assert_eq!(f.finish[&1], date(2026, 12, 1));
    }

    #[test]
    fn work_runs_through_2026_w53_into_2027() {
        // 8h a day from Monday 2026-12-21 (W52): 40h fill W52, 40h fill W53 (to Friday
        // 2027-01-01), and 8h land on Monday 2027-01-04 (2027-W01).
        let items = [
            item(1, ANA, 40.0, Some(date(2026, 12, 24))),
            item(2, ANA, 40.0, Some(date(2026, 12, 31))),
            item(3, ANA, 8.0, Some(date(2027, 1, 8))),
        ];
        let f = run(&items, &[], &[(ANA, 40.0)], date(2026, 12, 21));
        assert_eq!(
            finishes(&f, &[1, 2, 3]),
            [
                Some(date(2026, 12, 25)),
                Some(date(2027, 1, 1)),
                Some(date(2027, 1, 4)),
            ]
        );
        assert_eq!(Week::of(f.finish[&2]).to_string(), "2026-W53");
        assert_eq!(Week::of(f.finish[&3]).to_string(), "2027-W01");
    }

    // --- Dependencies ---

    #[test]
    fn a_need_starts_the_dependent_on_the_working_day_after_it_finishes() {
        // Ana's item 2 finishes Friday; Ben's item 3 needs it, so starts on Monday.
        let items = [
            item(1, ANA, 8.0, Some(date(2026, 11, 25))),
            item(2, ANA, 12.0, Some(date(2026, 11, 27))),
            item(3, BEN, 4.0, Some(date(2026, 11, 30))),
        ];
        let alone = run(&items, &[], &[(ANA, 20.0), (BEN, 20.0)], MONDAY);
        assert_eq!(alone.finish[&3], date(2026, 11, 23));
        let f = run(&items, &[(3, 2)], &[(ANA, 20.0), (BEN, 20.0)], MONDAY);
        assert_eq!(f.finish[&2], date(2026, 11, 27));
        assert_eq!(f.finish[&3], date(2026, 11, 30));
    }

    #[test]
    fn a_person_idles_while_their_next_item_waits_then_continues_in_order() {
        // Ben's item 3 waits for Ana's item 1 (Tuesday); his item 4 comes after it.
        let items = [
            item(1, ANA, 8.0, Some(date(2026, 11, 25))),
            item(3, BEN, 4.0, Some(date(2026, 11, 26))),
            item(4, BEN, 4.0, Some(date(2026, 11, 27))),
        ];
        let f = run(&items, &[(3, 1)], &[(ANA, 20.0), (BEN, 20.0)], MONDAY);
        assert_eq!(
            finishes(&f, &[1, 3, 4]),
            [
                Some(date(2026, 11, 24)),
                Some(date(2026, 11, 25)),
                Some(date(2026, 11, 26)),
            ]
        );
    }

    #[test]
    fn an_item_that_another_needs_is_worked_in_time_for_it() {
        // Ben's item 2 is due late but Ana's item 1, due Friday, needs it: Ben works it before
        // his item 3, due next week.
        let items = [
            item(1, ANA, 4.0, Some(date(2026, 11, 27))),
            item(2, BEN, 4.0, Some(date(2026, 12, 18))),
            item(3, BEN, 4.0, Some(date(2026, 12, 4))),
        ];
        let f = run(&items, &[(1, 2)], &[(ANA, 20.0), (BEN, 20.0)], MONDAY);
        assert_eq!(
            finishes(&f, &[2, 3, 1]),
            [
                Some(date(2026, 11, 23)),
                Some(date(2026, 11, 24)),
                Some(date(2026, 11, 24)),
            ]
        );
    }

    #[test]
    fn a_need_on_a_later_item_of_the_same_person_is_worked_first() {
        let items = [
            item(1, ANA, 4.0, Some(date(2026, 11, 24))),
            item(2, ANA, 4.0, Some(date(2026, 12, 18))),
        ];
        let f = run(&items, &[(1, 2)], &[(ANA, 20.0)], MONDAY);
        assert_eq!(
            finishes(&f, &[2, 1]),
            [Some(date(2026, 11, 23)), Some(date(2026, 11, 24))]
        );
    }

    #[test]
    fn needs_on_done_dropped_or_absent_items_impose_nothing() {
        let items = [
            with_status(ItemStatus::Done, item(1, ANA, 40.0, None)),
            with_status(ItemStatus::Dropped, item(2, ANA, 40.0, None)),
            item(3, BEN, 4.0, None),
        ];
        let f = run(
            &items,
            &[(3, 1), (3, 2), (3, 99)],
            &[(ANA, 20.0), (BEN, 20.0)],
            MONDAY,
        );
        assert_eq!(f.finish[&3], MONDAY);
    }

    #[test]
    fn needing_an_unschedulable_item_makes_the_dependent_unschedulable() {
        // Item 1 has no estimate; 2 needs it and 3 needs 2. Item 4 is unaffected.
        let items = [
            Item {
                estimate_hours: None,
                ..item(1, ANA, 0.0, None)
            },
            item(2, BEN, 4.0, None),
            item(3, BEN, 4.0, None),
            item(4, BEN, 4.0, None),
        ];
        let f = run(
            &items,
            &[(2, 1), (3, 2)],
            &[(ANA, 20.0), (BEN, 20.0)],
            MONDAY,
        );
        assert_eq!(f.unschedulable, [1, 2, 3]);
        assert_eq!(
            f.finish,
            HashMap::from_iter([(4, MONDAY)]),
            "unschedulable items take no hours"
        );
    }

    #[test]
    fn items_on_or_behind_a_need_cycle_are_unschedulable_and_the_rest_is_forecast() {
        // 1 ⇄ 2 is a cycle, 3 needs 1, 5 needs itself; 1 needs 4, which is fine.
        let items = [
            item(1, ANA, 4.0, None),
            item(2, ANA, 4.0, None),
            item(3, BEN, 4.0, None),
            item(4, BEN, 4.0, None),
            item(5, ANA, 4.0, None),
        ];
        let f = run(
            &items,
            &[(1, 2), (2, 1), (3, 1), (1, 4), (5, 5)],
            &[(ANA, 20.0), (BEN, 20.0)],
            MONDAY,
        );
        assert_eq!(f.unschedulable, [1, 2, 3, 5]);
        assert_eq!(f.finish, HashMap::from_iter([(4, MONDAY)]));
    }

    // --- Unschedulable ---

    #[test]
    fn an_owner_without_available_hours_makes_their_items_unschedulable() {
        let items = [
            item(1, ANA, 4.0, None),
            item(2, BEN, 4.0, None),
            item(3, 3, 4.0, None),
        ];
        // Ana has none, Ben's is not a number, person 3 is not in the map at all.
        let f = run(&items, &[], &[(ANA, 0.0), (BEN, f64::NAN)], MONDAY);
        assert_eq!(f.unschedulable, [1, 2, 3]);
        assert!(f.finish.is_empty());
    }

    #[test]
    fn items_without_owner_or_usable_estimate_are_unschedulable() {
        let items = [
            Item {
                owner: None,
                ..item(1, ANA, 4.0, None)
            },
            Item {
                estimate_hours: None,
                ..item(2, ANA, 4.0, None)
            },
            item(3, ANA, -4.0, None),
            item(4, ANA, f64::INFINITY, None),
            item(5, ANA, 4.0, None),
        ];
        let f = run(&items, &[], &[(ANA, 20.0)], MONDAY);
        assert_eq!(f.unschedulable, [1, 2, 3, 4]);
        assert_eq!(f.finish, HashMap::from_iter([(5, MONDAY)]));
    }

    #[test]
    fn work_past_the_end_of_the_calendar_is_unschedulable() {
        let items = [item(1, ANA, 4.0, None), item(2, ANA, 4.0, None)];
        let f = run(&items, &[], &[(ANA, 20.0)], date(9999, 12, 31));
        assert_eq!(f.finish, HashMap::from_iter([(1, date(9999, 12, 31))]));
        assert_eq!(f.unschedulable, [2]);
        let f = run(&items, &[], &[(ANA, 1e-300)], MONDAY);
        assert_eq!(f.unschedulable, [1, 2]);
    }

    // --- Goals ---

    #[test]
    fn a_goal_finishes_with_its_last_open_item() {
        let items = [
            item(1, ANA, 8.0, Some(date(2026, 11, 25))),
            item(2, BEN, 12.0, Some(date(2026, 11, 27))),
            with_status(ItemStatus::Done, item(3, ANA, 4.0, None)),
        ];
        let f = run(&items, &[], &[(ANA, 20.0), (BEN, 20.0)], MONDAY);
        let refs: Vec<&Item> = items.iter().collect();
        assert_eq!(goal_finish(&refs, &f), Some(date(2026, 11, 25)));
    }

    #[test]
    fn a_goal_has_no_finish_with_an_unschedulable_item_or_nothing_open() {
        let items = [
            item(1, ANA, 8.0, None),
            Item {
                owner: None,
                ..item(2, ANA, 4.0, None)
            },
        ];
        let f = run(&items, &[], &[(ANA, 20.0)], MONDAY);
        let refs: Vec<&Item> = items.iter().collect();
        assert_eq!(goal_finish(&refs, &f), None);
        assert_eq!(goal_finish(&[], &f), None);
        let done = with_status(ItemStatus::Done, item(3, ANA, 4.0, None));
        assert_eq!(goal_finish(&[&done], &f), None);
    }

    // --- Estimate accuracy ---

    #[test]
    fn estimate_accuracy_is_the_median_ratio_so_one_outlier_cannot_dominate() {
        let done = [(10.0, 12.0), (4.0, 6.0), (8.0, 8.0), (2.0, 200.0)];
        // Ratios 1.0, 1.2, 1.5, 100: the median is between 1.2 and 1.5.
        assert!((estimate_accuracy(&done) - 1.35).abs() < 1e-12);
        assert_eq!(
            estimate_accuracy(&[(4.0, 6.0), (2.0, 3.0), (1.0, 0.01)]),
            1.5
        );
    }

    #[test]
    fn estimate_accuracy_is_clamped_between_half_and_three() {
        assert_eq!(estimate_accuracy(&[(1.0, 10.0), (2.0, 40.0)]), 3.0);
        assert_eq!(estimate_accuracy(&[(10.0, 1.0)]), 0.5);
    }

    #[test]
    fn estimate_accuracy_without_usable_history_is_one() {
        assert_eq!(estimate_accuracy(&[]), 1.0);
        assert_eq!(
            estimate_accuracy(&[
                (0.0, 5.0),
                (5.0, 0.0),
                (-2.0, 4.0),
                (f64::NAN, 1.0),
                (1.0, f64::INFINITY)
            ]),
            1.0
        );
    }

    /// The forecast as first written, item by item with maps keyed by id and jiff's date
    /// arithmetic for every finish. [`forecast`] must give the same result.
    mod reference {
        use crate::hash::{HashMap, HashSet};
        use std::cmp::Reverse;
        use std::collections::{BinaryHeap, VecDeque};

        use jiff::civil::Date;

        use crate::capacity::{TOLERANCE_HOURS, first_working_day, hours};
        use crate::forecast::{Forecast, MAX_WORKING_DAYS, nth_working_day};
        use crate::model::{Id, Item};

        pub(super) fn forecast(
            items: &[&Item],
            needs: &[(Id, Id)],
            available: &HashMap<Id, f64>,
            accuracy: &HashMap<Id, f64>,
            today: Date,
        ) -> Forecast {
            // The open items, the first of any repeated id winning.
            let mut seen = HashSet::default();
            let open: Vec<&Item> = items
                .iter()
                .copied()
                .filter(|item| seen.insert(item.id) && item.status.is_open())
                .collect();
            let index: HashMap<Id, usize> =
                open.iter().enumerate().map(|(i, it)| (it.id, i)).collect();

            // needed[i]: what open item i needs; needed_by[i]: the open items that need it.
            let mut needed: Vec<Vec<usize>> = vec![Vec::new(); open.len()];
            let mut needed_by: Vec<Vec<usize>> = vec![Vec::new(); open.len()];
            for (a, b) in needs {
                if let (Some(&a), Some(&b)) = (index.get(a), index.get(b)) {
                    needed[a].push(b);
                    needed_by[b].push(a);
                }
            }
            for list in needed.iter_mut().chain(needed_by.iter_mut()) {
                list.sort_unstable();
                list.dedup();
            }

            let order = work_order(&open, &needed, &needed_by);

            let start_day = first_working_day(today);
            // Where each person's work has got to, in working days from `start_day` (1.5 = mid-day on
            // the second working day).
            let mut cursor: HashMap<Id, f64> = HashMap::default();
            // The finish of each scheduled item, in working days from `start_day`.
            let mut finish_day: Vec<Option<f64>> = vec![None; open.len()];
            let mut finish = HashMap::default();
            for &i in &order {
                let item = open[i];
                let Some(owner) = item.owner else { continue };
                let Some(estimate) = item.estimate_hours.filter(|e| e.is_finite() && *e >= 0.0)
                else {
                    continue;
                };
                let per_day = hours(available.get(&owner).copied().unwrap_or(0.0)) / 5.0;
                if per_day <= 0.0 {
                    continue;
                }
                // The working day after the last of its needs finishes; `order` put them all first.
                let Some(ready) = needed[i]
                    .iter()
                    .try_fold(0.0_f64, |ready, &n| Some(ready.max(finish_day[n]? + 1.0)))
                else {
                    continue;
                };
                let factor = accuracy
                    .get(&owner)
                    .copied()
                    .filter(|a| a.is_finite() && *a > 0.0)
                    .unwrap_or(1.0);
                let work = estimate * factor;
                let at = cursor.entry(owner).or_insert(0.0);
                let start = at.max(ready);
                *at = start + work / per_day;
                // The day its last hour is worked: the day holding the end of its work (less the
                // tolerance), and never before the day it starts (a zero estimate ends where it starts).
                let last = (start + (work - TOLERANCE_HOURS).max(0.0) / per_day).ceil() - 1.0;
                let day = last.max(start.floor());
                if !day.is_finite() || day > MAX_WORKING_DAYS {
                    continue;
                }
                // In range by the check above: a whole number of days from 0 to MAX_WORKING_DAYS.
                let Some(date) = nth_working_day(start_day, day as i64) else {
                    continue;
                };
                finish_day[i] = Some(day);
                finish.insert(item.id, date);
            }

            let mut unschedulable: Vec<&Item> = open
                .iter()
                .copied()
                .filter(|item| !finish.contains_key(&item.id))
                .collect();
            unschedulable.sort_by_key(|item| (item.num, item.id));
            Forecast {
                finish,
                unschedulable: unschedulable.iter().map(|item| item.id).collect(),
            }
        }

        /// Sort key for the work order: (undated, date), undated last.
        type DueKey = (bool, Option<Date>);

        fn due_key(date: Option<Date>) -> DueKey {
            (date.is_none(), date)
        }

        /// The order in which all open items are worked: a topological order of `needed` (a need
        /// before what needs it), otherwise by effective due date, own due date, number and id. Items
        /// on or behind a cycle are left out. The order ignores owners and availability, so that
        /// giving someone more hours cannot reorder anyone's work.
        fn work_order(
            open: &[&Item],
            needed: &[Vec<usize>],
            needed_by: &[Vec<usize>],
        ) -> Vec<usize> {
            let indegree: Vec<usize> = needed.iter().map(Vec::len).collect();

            // A first topological pass, to propagate due dates from dependents back to their needs.
            let mut remaining = indegree.clone();
            let mut queue: VecDeque<usize> =
                (0..open.len()).filter(|&i| remaining[i] == 0).collect();
            let mut topological = Vec::with_capacity(open.len());
            while let Some(i) = queue.pop_front() {
                topological.push(i);
                for &d in &needed_by[i] {
                    remaining[d] -= 1;
                    if remaining[d] == 0 {
                        queue.push_back(d);
                    }
                }
            }
            let mut effective: Vec<DueKey> =
                open.iter().map(|item| due_key(item.due.date)).collect();
            for &i in topological.iter().rev() {
                // Dependents on or behind a cycle never left the queue; they pull nothing forward.
                for &d in &needed_by[i] {
                    if remaining[d] == 0 {
                        effective[i] = effective[i].min(effective[d]);
                    }
                }
            }

            // The work order: the most urgent item whose needs are all placed comes next.
            let key = |i: usize| {
                let item = open[i];
                Reverse((effective[i], due_key(item.due.date), item.num, item.id, i))
            };
            let mut remaining = indegree;
            let mut ready: BinaryHeap<_> = (0..open.len())
                .filter(|&i| remaining[i] == 0)
                .map(key)
                .collect();
            let mut order = Vec::with_capacity(topological.len());
            while let Some(Reverse((.., i))) = ready.pop() {
                order.push(i);
                for &d in &needed_by[i] {
                    remaining[d] -= 1;
                    if remaining[d] == 0 {
                        ready.push(key(d));
                    }
                }
            }
            order
        }
    }

    // --- Properties ---

    // Today is BASE plus 0..14 days, so that the forecasts cross 2026-W53.
    const BASE: Date = date(2026, 12, 14);
    const PEOPLE: [Id; 3] = [1, 2, 3];

    /// Up to 16 items with ids 1..=n, owned by people 1..=3 or nobody, with random needs among
    /// ids 1..=18 (so some are absent, and cycles happen).
    fn arb_items() -> impl Strategy<Value = (Vec<Item>, Vec<(Id, Id)>)> {
        let one = (
            proptest::option::weighted(0.9, proptest::sample::select(PEOPLE.to_vec())),
            proptest::option::weighted(0.9, 0.0f64..30.0),
            proptest::option::weighted(0.8, 0i64..60),
            proptest::sample::select(ItemStatus::ALL.to_vec()),
            1i64..10,
        );
        (
            proptest::collection::vec(one, 0..16),
            proptest::collection::vec((1i64..=18, 1i64..=18), 0..20),
        )
            .prop_map(|(items, needs)| {
                let items = items
                    .into_iter()
                    .zip(1..)
                    .map(|((owner, estimate, due, status, num), id)| Item {
                        num,
                        owner,
                        estimate_hours: estimate,
                        status,
                        ..item(id, 0, 0.0, due.map(|d| BASE + Span::new().days(d)))
                    })
                    .collect();
                (items, needs)
            })
    }

    fn arb_hours() -> impl Strategy<Value = f64> {
        prop_oneof![1 => Just(0.0), 4 => 0.5f64..40.0]
    }

    fn arb_people() -> impl Strategy<Value = (HashMap<Id, f64>, HashMap<Id, f64>)> {
        (
            proptest::collection::vec(arb_hours(), 3),
            proptest::collection::vec(0.5f64..3.0, 3),
        )
            .prop_map(|(available, accuracy)| {
                (
                    PEOPLE.into_iter().zip(available).collect(),
                    PEOPLE.into_iter().zip(accuracy).collect(),
                )
            })
    }

    proptest! {
        #[test]
        fn nothing_finishes_before_an_item_it_needs(
            (items, needs) in arb_items(),
            (available, accuracy) in arb_people(),
            today in 0i64..14,
        ) {
            let refs: Vec<&Item> = items.iter().collect();
            let f = forecast(&refs, &needs, &available, &accuracy, BASE + Span::new().days(today));
            let open = |id: &Id| items.iter().any(|i| i.id == *id && i.status.is_open());
            for (a, b) in &needs {
                if !open(a) || !open(b) {
                    continue;
                }
                match (f.finish.get(a), f.finish.get(b)) {
                    (Some(fa), Some(fb)) => prop_assert!(fa > fb, "{a} on {fa} needs {b} on {fb}"),
                    (Some(_), None) => prop_assert!(false, "{a} is forecast but needs unschedulable {b}"),
                    _ => {}
                }
            }
        }

        #[test]
        fn every_open_item_is_forecast_on_a_working_day_from_today_or_unschedulable(
            (items, needs) in arb_items(),
            (available, accuracy) in arb_people(),
            today in 0i64..14,
        ) {
            let today = BASE + Span::new().days(today);
            let refs: Vec<&Item> = items.iter().collect();
            let f = forecast(&refs, &needs, &available, &accuracy, today);
            for day in f.finish.values() {
                prop_assert!(is_working_day(*day) && *day >= today, "{day}");
            }
            for item in &items {
                let forecast = f.finish.contains_key(&item.id);
                let unschedulable = f.unschedulable.contains(&item.id);
                prop_assert_eq!(forecast || unschedulable, item.status.is_open());
                prop_assert!(!(forecast && unschedulable));
            }
        }

        #[test]
        fn more_available_hours_never_make_a_finish_later(
            (items, needs) in arb_items(),
            base in proptest::collection::vec(0.5f64..40.0, 3),
            extra in proptest::collection::vec(prop_oneof![Just(0.0), 0.0f64..40.0], 3),
            (_, accuracy) in arb_people(),
            today in 0i64..14,
        ) {
            let today = BASE + Span::new().days(today);
            let refs: Vec<&Item> = items.iter().collect();
            let before: HashMap<Id, f64> = PEOPLE.into_iter().zip(base.iter().copied()).collect();
            let after: HashMap<Id, f64> = PEOPLE
                .into_iter()
                .zip(base.iter().zip(&extra).map(|(b, e)| b + e))
                .collect();
            let slow = forecast(&refs, &needs, &before, &accuracy, today);
            let fast = forecast(&refs, &needs, &after, &accuracy, today);
            prop_assert_eq!(&slow.unschedulable, &fast.unschedulable);
            for (id, day) in &slow.finish {
                prop_assert!(fast.finish[id] <= *day, "{id}: {} after {day}", fast.finish[id]);
            }
        }

        #[test]
        fn forecasts_are_deterministic_whatever_the_input_order(
            (items, needs) in arb_items(),
            (available, accuracy) in arb_people(),
            today in 0i64..14,
        ) {
            let today = BASE + Span::new().days(today);
            let refs: Vec<&Item> = items.iter().collect();
            let first = forecast(&refs, &needs, &available, &accuracy, today);
            prop_assert_eq!(&first, &forecast(&refs, &needs, &available, &accuracy, today));
            let reversed: Vec<&Item> = items.iter().rev().collect();
            let needs_reversed: Vec<(Id, Id)> = needs.iter().rev().copied().collect();
            prop_assert_eq!(
                &first,
                &forecast(&reversed, &needs_reversed, &available, &accuracy, today)
            );
        }

        #[test]
        fn forecasts_match_the_item_by_item_reference(
            (mut items, needs) in arb_items(),
            repeats in proptest::collection::vec(
                (0usize..16, proptest::sample::select(ItemStatus::ALL.to_vec()), any::<bool>()),
                0..4,
            ),
            (available, accuracy) in arb_people(),
            today in 0i64..14,
        ) {
            // Some ids given twice, with another status, before (winning) or after the first.
            for (at, status, before) in repeats {
                if let Some(item) = items.get(at) {
                    let repeat = with_status(status, item.clone());
                    if before { items.insert(0, repeat) } else { items.push(repeat) }
                }
            }
            let today = BASE + Span::new().days(today);
            let refs: Vec<&Item> = items.iter().collect();
            prop_assert_eq!(
                forecast(&refs, &needs, &available, &accuracy, today),
                reference::forecast(&refs, &needs, &available, &accuracy, today)
            );
        }

        #[test]
        fn far_forecasts_match_the_item_by_item_reference(
            (items, needs) in arb_items(),
            available in proptest::collection::vec(
                prop_oneof![Just(1e-3), Just(0.02), 0.5f64..40.0],
                3,
            ),
            days_left in 0i64..4000,
        ) {
            // Little time a week, or little calendar left: finishes years out, or past its end.
            let today = Date::MAX - Span::new().days(days_left);
            let available: HashMap<Id, f64> = PEOPLE.into_iter().zip(available).collect();
            let refs: Vec<&Item> = items.iter().collect();
            prop_assert_eq!(
                forecast(&refs, &needs, &available, &HashMap::default(), today),
                reference::forecast(&refs, &needs, &available, &HashMap::default(), today)
            );
            let today = BASE + Span::new().days(days_left);
            prop_assert_eq!(
                forecast(&refs, &needs, &available, &HashMap::default(), today),
                reference::forecast(&refs, &needs, &available, &HashMap::default(), today)
            );
        }

        #[test]
        fn estimate_accuracy_stays_within_its_clamp(
            done in proptest::collection::vec((-5.0f64..50.0, -5.0f64..200.0), 0..20),
        ) {
            let a = estimate_accuracy(&done);
            prop_assert!((MIN_ACCURACY..=MAX_ACCURACY).contains(&a));
        }
    }
}
