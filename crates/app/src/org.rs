//! People, teams and milestones.

use landed_core::model::{Milestone, Person, Team};
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
}

pub async fn add_person<S: Store>(ctx: &Ctx<'_, S>, input: NewPerson) -> Result<Person> {
    let handle = validate::handle(&input.handle)?;
    let name = validate::required("name", &input.name, validate::MAX_NAME)?;
    let email = match input.email.as_deref() {
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
