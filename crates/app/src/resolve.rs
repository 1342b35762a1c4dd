//! Turning what people type (handles, names, ids) into entities, with suggestions.

use landed_core::model::{Goal, Item, Milestone, Person, Ref, RefKind, Team};
use landed_core::suggest::did_you_mean;
use landed_store::Store;

use crate::{AppError, Result};

pub async fn person<S: Store>(store: &S, handle: &str) -> Result<Person> {
    let handle = handle.trim().trim_start_matches('@');
    if let Some(p) = store.person_by_handle(handle).await? {
        return Ok(p);
    }
    let people = store.people().await?;
    Err(AppError::UnknownPerson {
        handle: handle.to_string(),
        did_you_mean: did_you_mean(handle, people.iter().map(|p| p.handle.as_str()))
            .map(String::from),
    })
}

pub async fn team<S: Store>(store: &S, name: &str) -> Result<Team> {
    // Most names come as written (links, completions): one team is read, not every team.
    if let Some(team) = store.team_named(name.trim()).await? {
        return Ok(team);
    }
    let teams = store.teams().await?;
    if let Some(t) = teams
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
    {
        return Ok(t.clone());
    }
    Err(AppError::UnknownTeam {
        name: name.to_string(),
        did_you_mean: did_you_mean(name, teams.iter().map(|t| t.name.as_str())).map(String::from),
    })
}

pub async fn milestone<S: Store>(store: &S, name: &str) -> Result<Milestone> {
    let milestones = store.milestones().await?;
    let wanted = name.trim();
    if let Some(m) = milestones.iter().find(|m| {
        m.name.eq_ignore_ascii_case(wanted)
            || wanted
                .parse::<Ref>()
                .is_ok_and(|r| r.kind == RefKind::Milestone && r.num == m.num)
    }) {
        return Ok(m.clone());
    }
    Err(AppError::UnknownMilestone {
        name: name.to_string(),
        did_you_mean: did_you_mean(name, milestones.iter().map(|m| m.name.as_str()))
            .map(String::from),
    })
}

pub fn parse_ref(text: &str, kind: RefKind) -> Result<Ref> {
    let r: Ref = text.parse()?;
    if r.kind != kind {
        return Err(AppError::WrongKind(
            r,
            match kind {
                RefKind::Goal => "a goal (G-…)",
                RefKind::Item => "an item (I-…)",
                RefKind::Milestone => "a milestone (M-…)",
                RefKind::Request => "a request (R-…)",
            },
        ));
    }
    Ok(r)
}

pub async fn goal<S: Store>(store: &S, r: Ref) -> Result<Goal> {
    store.goal(r.num).await?.ok_or(AppError::NotFound(r))
}

pub async fn item<S: Store>(store: &S, r: Ref) -> Result<Item> {
    store.item(r.num).await?.ok_or(AppError::NotFound(r))
}
