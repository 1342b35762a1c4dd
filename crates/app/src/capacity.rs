//! The capacity grid: per person and ISO week, strategic load against available hours
//! (DESIGN §5). The rules are in `landed_core::capacity`; this gathers the data.

use std::collections::HashMap;

use landed_core::capacity::{self, CapacityPolicy, DoneWork, ReactiveLoad, Week};
use landed_core::item_ref;
use landed_core::model::{Id, Item, ItemKind, ItemStatus, Person};
use landed_core::when;
use landed_store::{ItemFilter, Store};
use serde::Serialize;

use crate::{Ctx, Result, resolve};

/// Most weeks a grid shows.
pub const MAX_WEEKS: u32 = 26;

/// One week of one person.
#[derive(Debug, Clone, Serialize)]
pub struct WeekView {
    pub week: Week,
    pub load_hours: f64,
    pub available_hours: f64,
    pub overcommitted: bool,
    /// The items that load the week, largest first, with their hours.
    pub items: Vec<(String, f64)>,
}

/// One person's row of the grid.
#[derive(Debug, Clone, Serialize)]
pub struct PersonCapacity {
    pub handle: String,
    pub capacity_hours: f64,
    pub reactive: ReactiveLoad,
    pub available_hours: f64,
    pub weeks: Vec<WeekView>,
    /// Open strategic items without an estimate or a due date: load the grid cannot see.
    pub unplanned: Vec<String>,
}

/// The person × week grid.
#[derive(Debug, Clone, Serialize)]
pub struct CapacityView {
    pub weeks: Vec<Week>,
    pub people: Vec<PersonCapacity>,
}

/// A person's reactive load and the hours left for strategic work, from their items.
///
/// A reactive item counts as done in the week it was last changed while done; its estimate
/// stands for the time it took (there is no time tracking yet).
pub(crate) fn availability(
    person: &Person,
    items: &[Item],
    today: jiff::civil::Date,
    policy: &CapacityPolicy,
) -> (ReactiveLoad, f64) {
    let tz = when::time_zone(&person.tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let done: Vec<DoneWork> = items
        .iter()
        .filter(|i| i.kind == ItemKind::Reactive && i.status == ItemStatus::Done)
        .map(|i| DoneWork {
            hours: i.estimate_hours.unwrap_or(0.0),
            done_on: when::today_in(i.updated_at, &tz),
        })
        .collect();
    let reactive = capacity::reactive_load(person.capacity_hours, &done, today, policy);
    let available = capacity::available_hours(person.capacity_hours, &reactive);
    (reactive, available)
}

/// The capacity grid of a team (or everyone) over `weeks` weeks from this week.
pub async fn grid<S: Store>(
    ctx: &Ctx<'_, S>,
    team: Option<&str>,
    weeks: u32,
) -> Result<CapacityView> {
    let weeks = weeks.clamp(1, MAX_WEEKS);
    let people: Vec<Person> = match team {
        Some(name) => {
            let t = resolve::team(ctx.store, name).await?;
            let mut ids = t.members.clone();
            ids.push(t.lead);
            ctx.store.people_by_ids(&ids).await?
        }
        None => ctx.store.people().await?,
    };
    let mut by_owner: HashMap<Id, Vec<Item>> = HashMap::new();
    for i in ctx.store.items(&ItemFilter::default()).await? {
        if let Some(owner) = i.owner {
            by_owner.entry(owner).or_default().push(i);
        }
    }
    let policy = CapacityPolicy::default();
    let mut rows = Vec::new();
    let mut grid_weeks = Vec::new();
    for p in &people {
        let tz = when::time_zone(&p.tz).unwrap_or(jiff::tz::TimeZone::UTC);
        let today = when::today_in(ctx.now, &tz);
        let items = by_owner.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
        let (reactive, available) = availability(p, items, today, &policy);
        let refs: Vec<&Item> = items.iter().collect();
        let nums: HashMap<Id, i64> = items.iter().map(|i| (i.id, i.num)).collect();
        let loads = capacity::weekly_load(&refs, today, weeks, available);
        if grid_weeks.is_empty() {
            grid_weeks = loads.iter().map(|w| w.week).collect();
        }
        rows.push(PersonCapacity {
            handle: p.handle.clone(),
            capacity_hours: p.capacity_hours,
            reactive,
            available_hours: available,
            weeks: loads
                .into_iter()
                .map(|w| WeekView {
                    week: w.week,
                    load_hours: w.load_hours,
                    available_hours: w.available_hours,
                    overcommitted: w.overcommitted,
                    items: w
                        .items
                        .iter()
                        .map(|(id, h)| (item_ref(nums[id]).to_string(), *h))
                        .collect(),
                })
                .collect(),
            unplanned: capacity::unplanned(&refs)
                .iter()
                .map(|i| item_ref(i.num).to_string())
                .collect(),
        });
    }
    rows.sort_by(|a, b| a.handle.cmp(&b.handle));
    Ok(CapacityView {
        weeks: grid_weeks,
        people: rows,
    })
}
