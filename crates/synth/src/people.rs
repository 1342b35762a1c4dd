//! People and teams: who exists, where they work from, and which team they belong to.

use landed_core::{Id, Person, Team};

use crate::rng::Rng;
use crate::words::{AREAS, FIRST_NAMES, FOCUSES, LAST_NAMES, ZONES};

/// The organisation: people, teams, and who may own a team's work.
pub(crate) struct Org {
    pub(crate) people: Vec<Person>,
    pub(crate) teams: Vec<Team>,
    /// Per team (by index): the lead, then the members. Owners of a team's work come from here.
    pub(crate) rosters: Vec<Vec<Id>>,
    /// Per person (by index): the index of the team they were hired into.
    pub(crate) home_team: Vec<usize>,
}

/// `people` people in `teams` teams of about equal size, each person in their home team and
/// about one in ten also in a second team. Both counts must be positive.
pub(crate) fn org(people: usize, teams: usize, rng: &mut Rng) -> Org {
    let team_zone: Vec<&str> = (0..teams).map(|_| zone(rng)).collect();
    let mut per_first_name = [0u32; FIRST_NAMES.len()];
    let mut home_team = Vec::with_capacity(people);
    let persons: Vec<Person> = (0..people)
        .map(|p| {
            // Contiguous blocks: person p works in team p·teams/people.
            let home = p * teams / people;
            home_team.push(home);
            let first = rng.below(FIRST_NAMES.len());
            per_first_name[first] += 1;
            let handle = match per_first_name[first] {
                1 => FIRST_NAMES[first].to_ascii_lowercase(),
                // First names hold no digits, so "ana2" can only come from the second Ana.
                n => format!("{}{n}", FIRST_NAMES[first].to_ascii_lowercase()),
            };
            let tz = if rng.percent(85) {
                team_zone[home]
            } else {
                zone(rng)
            };
            let capacity_hours = [40.0, 32.0, 24.0][rng.weighted(&[80, 12, 8])];
            Person {
                id: p as Id + 1,
                name: format!("{} {}", FIRST_NAMES[first], rng.pick(&LAST_NAMES)),
                email: Some(format!("{handle}@acme.example")),
                handle,
                tz: tz.to_string(),
                capacity_hours,
                role: landed_core::authz::Role::Member,
                suspended: false,
                version: 1,
            }
        })
        .collect();

    let mut rosters: Vec<Vec<Id>> = vec![Vec::new(); teams];
    for (p, &home) in home_team.iter().enumerate() {
        rosters[home].push(p as Id + 1);
    }
    for (t, roster) in rosters.iter_mut().enumerate() {
        if roster.is_empty() {
            // More teams than people: someone leads several.
            roster.push((t % people) as Id + 1);
        }
    }
    if teams > 1 {
        for (p, &home) in home_team.iter().enumerate() {
            if rng.percent(10) {
                let other = (home + 1 + rng.below(teams - 1)) % teams;
                let id = p as Id + 1;
                if !rosters[other].contains(&id) {
                    rosters[other].push(id);
                }
            }
        }
    }
    let teams: Vec<Team> = rosters
        .iter()
        .enumerate()
        .map(|(t, roster)| {
            let mut members = roster[1..].to_vec();
            members.sort_unstable();
            Team {
                id: t as Id + 1,
                name: team_name(t),
                lead: roster[0],
                members,
                protected_share: 0.2,
                version: 1,
            }
        })
        .collect();
    Org {
        people: persons,
        teams,
        rosters,
        home_team,
    }
}

fn zone(rng: &mut Rng) -> &'static str {
    let weights = ZONES.map(|(_, w)| w);
    ZONES[rng.weighted(&weights)].0
}

/// The name of the team with index `t`: first every area ("Payments"), then every area with
/// a focus ("Payments API"), then numbered ("Payments API 2"). Distinct for distinct `t`.
pub(crate) fn team_name(t: usize) -> String {
    let (area, round) = (t % AREAS.len(), t / AREAS.len());
    if round == 0 {
        return AREAS[area].to_string();
    }
    // Rotate the focus by area so that the first teams with a focus do not all share one.
    let focus = FOCUSES[((round - 1) % FOCUSES.len() + area) % FOCUSES.len()];
    match (round - 1) / FOCUSES.len() {
        0 => format!("{} {focus}", AREAS[area]),
        n => format!("{} {focus} {}", AREAS[area], n + 1),
    }
}
