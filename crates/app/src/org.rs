//! People, teams and milestones.

use landed_core::event::EventKind;
use landed_core::model::{Milestone, Person, Team, Workspace};
use landed_core::validate;
use landed_core::when;
use landed_store::Store;

use crate::{AppError, Ctx, Result, resolve};

/// What `landed person add` takes.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub handle: String,
    pub name: String,
    pub email: Option<String>,
    pub tz: Option<String>,
    pub capacity_hours: Option<f64>,
    /// Default: member.
    pub role: Option<landed_core::authz::Role>,
}

fn email(text: Option<&str>) -> Result<Option<String>> {
    let email = match text {
        Some(e) => validate::optional("email", e, validate::MAX_NAME)?,
        None => None,
    };
    if let Some(e) = &email
        && (!e.contains('@') || e.contains(char::is_whitespace))
    {
        return Err(validate::Invalid {
            field: "email",
            problem: format!("`{e}` is not an e-mail address"),
        }
        .into());
    }
    Ok(email)
}

pub async fn add_person<S: Store>(ctx: &Ctx<'_, S>, input: NewPerson) -> Result<Person> {
    let handle = validate::handle(&input.handle)?;
    let name = validate::required("name", &input.name, validate::MAX_NAME)?;
    let email = email(input.email.as_deref())?;
    let tz = input.tz.unwrap_or_else(|| ctx.workspace.tz.clone());
    when::time_zone(&tz)?;
    let capacity_hours = validate::capacity(
        input
            .capacity_hours
            .unwrap_or(Person::DEFAULT_CAPACITY_HOURS),
    )?;
    if ctx.store.person_by_handle(&handle).await?.is_some() {
        return Err(AppError::Exists(format!("person @{handle}")));
    }
    let person = Person {
        id: 0,
        handle,
        name,
        email,
        tz,
        capacity_hours,
        role: input.role.unwrap_or_default(),
        suspended: false,
        version: 0,
    };
    ctx.create(person).await
}

pub async fn add_team<S: Store>(
    ctx: &Ctx<'_, S>,
    name: &str,
    lead: &str,
    members: &[String],
) -> Result<Team> {
    let name = validate::required("team name", name, validate::MAX_NAME)?;
    let lead = resolve::person(ctx.store, lead).await?;
    let mut ids = Vec::new();
    for m in members {
        let p = resolve::person(ctx.store, m).await?;
        if p.id != lead.id {
            ids.push(p.id);
        }
    }
    if ctx
        .store
        .teams()
        .await?
        .iter()
        .any(|t| t.name.eq_ignore_ascii_case(&name))
    {
        return Err(AppError::Exists(format!("team `{name}`")));
    }
    let team = Team {
        id: 0,
        name,
        lead: lead.id,
        members: ids,
        protected_share: 0.0,
        version: 0,
    };
    ctx.create(team).await
}

pub async fn add_milestone<S: Store>(
    ctx: &Ctx<'_, S>,
    name: &str,
    date: &str,
) -> Result<Milestone> {
    let name = validate::required("milestone name", name, validate::MAX_NAME)?;
    let date = ctx.date(date)?;
    if ctx
        .store
        .milestones()
        .await?
        .iter()
        .any(|m| m.name.eq_ignore_ascii_case(&name))
    {
        return Err(AppError::Exists(format!("milestone `{name}`")));
    }
    let m = Milestone {
        id: 0,
        num: 0,
        name,
        date,
        version: 0,
    };
    ctx.create(m).await
}

/// Changes to a person (`landed person edit`).
#[derive(Debug, Clone, Default)]
pub struct PersonPatch {
    pub name: Option<String>,
    pub email: Option<Option<String>>,
    pub tz: Option<String>,
    pub capacity_hours: Option<f64>,
    /// Admins only (see `landed_core::authz`).
    pub role: Option<landed_core::authz::Role>,
    /// Suspend (true) or restore (false); admins only.
    pub suspended: Option<bool>,
}

pub async fn edit_person<S: Store>(
    ctx: &Ctx<'_, S>,
    handle: &str,
    patch: PersonPatch,
) -> Result<Person> {
    if patch.name.is_none()
        && patch.email.is_none()
        && patch.tz.is_none()
        && patch.capacity_hours.is_none()
        && patch.role.is_none()
        && patch.suspended.is_none()
    {
        return Err(AppError::NothingToChange);
    }
    let before = resolve::person(ctx.store, handle).await?;
    let mut after = before.clone();
    if let Some(n) = &patch.name {
        after.name = validate::required("name", n, validate::MAX_NAME)?;
    }
    if let Some(e) = &patch.email {
        after.email = email(e.as_deref())?;
    }
    if let Some(tz) = &patch.tz {
        when::time_zone(tz)?;
        after.tz = tz.clone();
    }
    if let Some(c) = patch.capacity_hours {
        after.capacity_hours = validate::capacity(c)?;
    }
    if let Some(r) = patch.role {
        after.role = r;
    }
    if let Some(s) = patch.suspended {
        after.suspended = s;
    }
    ctx.update(&ctx.meta(EventKind::Updated), before, after)
        .await
}

/// Changes to a team (`landed team edit`).
#[derive(Debug, Clone, Default)]
pub struct TeamPatch {
    pub lead: Option<String>,
    pub add_members: Vec<String>,
    pub remove_members: Vec<String>,
    /// Share of capacity reserved for strategic work, as typed (`20%`, `0.2`).
    pub protected_share: Option<String>,
}

pub async fn edit_team<S: Store>(ctx: &Ctx<'_, S>, name: &str, patch: TeamPatch) -> Result<Team> {
    if patch.lead.is_none()
        && patch.add_members.is_empty()
        && patch.remove_members.is_empty()
        && patch.protected_share.is_none()
    {
        return Err(AppError::NothingToChange);
    }
    let before = resolve::team(ctx.store, name).await?;
    let mut after = before.clone();
    if let Some(l) = &patch.lead {
        let lead = resolve::person(ctx.store, l).await?;
        if lead.id != before.lead {
            // The old lead stays in the team as a member.
            after.members.push(before.lead);
            after.lead = lead.id;
        }
    }
    for m in &patch.add_members {
        after.members.push(resolve::person(ctx.store, m).await?.id);
    }
    for m in &patch.remove_members {
        let p = resolve::person(ctx.store, m).await?;
        if p.id == after.lead {
            return Err(AppError::NotAllowed(format!(
                "@{} leads {}; name a new lead with --lead first",
                p.handle, before.name
            )));
        }
        if !after.members.contains(&p.id) {
            return Err(AppError::NotAllowed(format!(
                "@{} is not a member of {}",
                p.handle, before.name
            )));
        }
        after.members.retain(|id| *id != p.id);
    }
    after.members.retain(|id| *id != after.lead);
    after.members.sort_unstable();
    after.members.dedup();
    if let Some(s) = &patch.protected_share {
        after.protected_share = validate::share("protected share", s)?;
    }
    ctx.update(&ctx.meta(EventKind::Updated), before, after)
        .await
}

/// Changes to the workspace's settings (`landed workspace set`).
#[derive(Debug, Clone, Default)]
pub struct WorkspacePatch {
    pub name: Option<String>,
    pub tz: Option<String>,
    /// Estimates above this are too big to be one step, as typed (`24h`, `3d`).
    pub step_limit: Option<String>,
    /// Reactive share assumed for people with no history, as typed (`50%`, `0.5`).
    pub reactive_share: Option<String>,
    pub request_overdue_days: Option<i64>,
}

pub async fn edit_workspace<S: Store>(
    ctx: &Ctx<'_, S>,
    patch: WorkspacePatch,
) -> Result<Workspace> {
    if patch.name.is_none()
        && patch.tz.is_none()
        && patch.step_limit.is_none()
        && patch.reactive_share.is_none()
        && patch.request_overdue_days.is_none()
    {
        return Err(AppError::NothingToChange);
    }
    let before = ctx.workspace.clone();
    let mut after = before.clone();
    if let Some(n) = &patch.name {
        after.name = validate::required("name", n, validate::MAX_NAME)?;
    }
    if let Some(tz) = &patch.tz {
        when::time_zone(tz)?;
        after.tz = tz.clone();
    }
    if let Some(s) = &patch.step_limit {
        let hours = when::parse_estimate(s)?;
        if hours <= 0.0 {
            return Err(validate::Invalid {
                field: "step limit",
                problem: format!("`{s}` is no time at all; give a size such as 24h or 3d"),
            }
            .into());
        }
        after.step_limit_hours = hours;
    }
    if let Some(s) = &patch.reactive_share {
        after.reactive_share = validate::share("reactive share", s)?;
    }
    if let Some(d) = patch.request_overdue_days {
        after.request_overdue_days = validate::overdue_days(d)?;
    }
    ctx.update(&ctx.meta(EventKind::Updated), before, after)
        .await
}
