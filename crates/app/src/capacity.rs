//! The capacity grid: per person and ISO week, strategic load against available hours
//! (DESIGN §5). The rules are in `landed_core::capacity`; this gathers the data.

use landed_core::capacity::{self, CapacityPolicy, DoneWork, ReactiveLoad, Week};
use landed_core::hash::HashMap;
use landed_core::item_ref;
use landed_core::model::{Id, Item, ItemKind, ItemStatus, Person, Team};
use landed_core::when;
use landed_store::{ItemFilter, Store};
use serde::Serialize;

use crate::{Ctx, Result, resolve};

/// Most weeks a grid shows.
pub const MAX_WEEKS: u32 = 26;

/// One week of one person.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct WeekView {
    pub week: Week,
    pub load_hours: f64,
    pub available_hours: f64,
    pub overcommitted: bool,
    /// The items that load the week, largest first, with their hours.
    pub items: Vec<(String, f64)>,
}

/// One person's row of the grid.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct PersonCapacity {
    pub handle: String,
    pub capacity_hours: f64,
    pub reactive: ReactiveLoad,
    pub available_hours: f64,
    pub weeks: Vec<WeekView>,
    /// Open strategic items without an estimate or a due date: load the grid cannot see.
    pub unplanned: Vec<String>,
}

/// One week of a team's protected strategic time.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ProtectedWeekView {
    pub week: Week,
    /// The current week, still under way.
    pub so_far: bool,
    pub reserved_hours: f64,
    pub strategic_hours: f64,
    pub reactive_hours: f64,
    /// Reactive work ate the team's reserve.
    pub urgent_is_winning: bool,
    /// The members whose own reserve reactive work ate.
    pub urgent_for: Vec<String>,
}

/// A team's protected strategic time over the last weeks (DESIGN §5).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct TeamProtected {
    pub team: String,
    pub share: f64,
    pub weeks: Vec<ProtectedWeekView>,
}

/// The person × week grid, and protected time of the teams that reserve some.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CapacityView {
    pub weeks: Vec<Week>,
    pub people: Vec<PersonCapacity>,
    pub protected: Vec<TeamProtected>,
}

/// Full weeks before this one that protected time looks back on.
pub const PROTECTED_WEEKS_BACK: u32 = 4;

/// What a person spent their done items on, dated in their time zone.
fn spent<'a>(person: &Person, items: impl IntoIterator<Item = &'a Item>) -> Vec<capacity::Spent> {
    let tz = when::zone_or_utc(&person.tz);
    items
        .into_iter()
        .filter(|i| i.status == ItemStatus::Done)
        .map(|i| capacity::Spent {
            kind: i.kind,
            hours: i.spent_hours().unwrap_or(0.0),
            done_on: when::today_in(i.done_at.unwrap_or(i.updated_at), &tz),
        })
        .collect()
}

/// Protected time of `team` over the last [`PROTECTED_WEEKS_BACK`] weeks and this one.
fn protected(
    team: &Team,
    people: &HashMap<Id, &Person>,
    by_owner: &HashMap<Id, Vec<Item>>,
    today: jiff::civil::Date,
) -> TeamProtected {
    let ids: Vec<Id> = std::iter::once(team.lead)
        .chain(team.members.iter().copied())
        .filter(|id| people.contains_key(id))
        .collect();
    let spent: Vec<(f64, Vec<capacity::Spent>)> = ids
        .iter()
        .map(|id| {
            let p = people[id];
            let items = by_owner.get(id).map(Vec::as_slice).unwrap_or(&[]);
            (p.capacity_hours, spent(p, items))
        })
        .collect();
    let members: Vec<(f64, &[capacity::Spent])> =
        spent.iter().map(|(c, s)| (*c, s.as_slice())).collect();
    let this_week = Week::of(today);
    let first = today
        .checked_sub(jiff::Span::new().weeks(i64::from(PROTECTED_WEEKS_BACK)))
        .map_or(this_week, Week::of);
    let weeks = capacity::protected_weeks(
        &members,
        team.protected_share,
        first,
        PROTECTED_WEEKS_BACK + 1,
    );
    TeamProtected {
        team: team.name.clone(),
        share: team.protected_share,
        weeks: weeks
            .into_iter()
            .map(|w| ProtectedWeekView {
                so_far: w.week == this_week,
                week: w.week,
                reserved_hours: w.team.reserved_hours,
                strategic_hours: w.team.strategic_hours,
                reactive_hours: w.team.reactive_hours,
                urgent_is_winning: w.team.urgent_is_winning,
                urgent_for: w
                    .urgent_for
                    .iter()
                    .map(|m| people[&ids[*m]].handle.clone())
                    .collect(),
            })
            .collect(),
    }
}

/// A person's reactive load and the hours left for strategic work, from their items.
///
/// A reactive item counts in the week it was done, for its actual hours (else its estimate).
pub(crate) fn availability(
    person: &Person,
    items: &[&Item],
    today: jiff::civil::Date,
    policy: &CapacityPolicy,
) -> (ReactiveLoad, f64) {
    let done: Vec<DoneWork> = spent(person, items.iter().copied())
        .into_iter()
        .filter(|s| s.kind == ItemKind::Reactive)
        .map(|s| DoneWork {
            hours: s.hours,
            done_on: s.done_on,
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
    let (people, teams): (Vec<Person>, Vec<Team>) = match team {
        Some(name) => {
            let t = resolve::team(ctx.store, name).await?;
            let mut ids = t.members.clone();
            ids.push(t.lead);
            (ctx.store.people_by_ids(&ids).await?, vec![t])
        }
        None => (
            ctx.store.people().await?,
            ctx.store
                .teams()
                .await?
                .into_iter()
                .filter(|t| t.protected_share > 0.0)
                .collect(),
        ),
    };
    let mut by_owner: HashMap<Id, Vec<Item>> = HashMap::default();
    for i in ctx.store.items(&ItemFilter::default()).await? {
        if let Some(owner) = i.owner {
            by_owner.entry(owner).or_default().push(i);
        }
    }
    let policy = ctx.capacity_policy();
    let mut rows = Vec::new();
    let mut grid_weeks = Vec::new();
    for p in &people {
        let tz = when::zone_or_utc(&p.tz);
        let today = when::today_in(ctx.now, &tz);
        let items = by_owner.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
        let refs: Vec<&Item> = items.iter().collect();
        let (reactive, available) = availability(p, &refs, today, &policy);
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
    let index: HashMap<Id, &Person> = people.iter().map(|p| (p.id, p)).collect();
    let today = ctx.workspace_today();
    Ok(CapacityView {
        weeks: grid_weeks,
        people: rows,
        protected: teams
            .iter()
            .map(|t| protected(t, &index, &by_owner, today))
            .collect(),
    })
}
