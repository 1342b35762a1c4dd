//! Running a command against the workspace and showing its result.

use comfy_table::Color;
use landed_app::goals::{GoalInput, GoalPatch};
use landed_app::history::HistoryLine;
use landed_app::items::{Action, Changed, ItemInput, ItemPatch, ListFilter, NextView};
use landed_app::views::{DepView, GoalSummary, GoalView, ItemView};
use landed_app::{Ctx, goals, items, links, org};
use landed_core::deps::DepClass;
use landed_core::model::{ItemKind, ItemStatus};
use landed_core::plan::GoalStatus;
use landed_core::when::format_hours;
use landed_store::{AnyStore, Store};

use crate::args::{
    Cli, Command, GoalCmd, ItemCmd, ItemFields, MilestoneCmd, PersonCmd, StatusFilter, TeamCmd,
    WorkspaceCmd,
};
use crate::out::{self, colored, opt, paint};
use crate::remote::part;
use crate::via::Via;
use landed_server::api::org::{PersonView, TeamView};
use reqwest::Method;

/// `none` clears a field; anything else sets it.
fn clearable(v: &Option<String>) -> Option<Option<String>> {
    v.as_ref().map(|s| {
        if s.trim().eq_ignore_ascii_case("none") {
            None
        } else {
            Some(s.clone())
        }
    })
}

fn kind(text: &Option<String>) -> anyhow::Result<Option<ItemKind>> {
    Ok(text
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(landed_app::AppError::from)?)
}

/// The local context, for commands that do not yet go through the API.
pub fn local<'v, 'a>(via: &'v Via<'a>) -> anyhow::Result<&'v Ctx<'a, AnyStore>> {
    match via {
        Via::Local(ctx) => Ok(ctx),
        Via::Remote(_) => anyhow::bail!("this command does not work on a server yet"),
    }
}

pub async fn command(via: &Via<'_>, cli: &Cli) -> anyhow::Result<()> {
    let json = cli.json;
    match &cli.command {
        Command::Init { .. }
        | Command::Demo { .. }
        | Command::Serve { .. }
        | Command::Login { .. }
        | Command::Logout => {
            unreachable!("handled before opening")
        }
        Command::Admin(cmd) => crate::account::admin(local(via)?, cmd, json).await,
        Command::Token(cmd) => crate::account::token(via, cmd, json).await,
        Command::Person(PersonCmd::Add {
            handle,
            name,
            email,
            tz,
            capacity,
        }) => {
            let p: PersonView = match via {
                Via::Local(ctx) => {
                    let input = org::NewPerson {
                        handle: handle.clone(),
                        name: name.clone(),
                        email: email.clone(),
                        tz: tz.clone(),
                        capacity_hours: *capacity,
                        role: None,
                    };
                    PersonView::from(&org::add_person(ctx, input).await?)
                }
                Via::Remote(r) => {
                    let body = serde_json::json!({
                        "handle": handle, "name": name, "email": email, "tz": tz,
                        "capacity_hours": capacity,
                    });
                    r.post("people", &without_nulls(body)).await?
                }
            };
            if json {
                return out::json(&p);
            }
            out::print(&format!(
                "Added @{} ({}, {}, {}h a week)",
                p.handle, p.name, p.tz, p.capacity_hours
            ))
        }
        Command::Person(PersonCmd::Edit {
            handle,
            name,
            email,
            tz,
            capacity,
            role,
            suspend,
            restore,
        }) => {
            let patch = org::PersonPatch {
                name: name.clone(),
                email: clearable(email),
                tz: tz.clone(),
                capacity_hours: *capacity,
                role: role.map(Into::into),
                suspended: (*suspend || *restore).then_some(*suspend),
            };
            let p: PersonView = match via {
                Via::Local(ctx) => PersonView::from(&org::edit_person(ctx, handle, patch).await?),
                Via::Remote(r) => {
                    let mut body = serde_json::json!({
                        "name": patch.name, "tz": patch.tz,
                        "capacity_hours": patch.capacity_hours, "role": patch.role,
                        "suspended": patch.suspended,
                    });
                    body = without_nulls(body);
                    if let Some(email) = patch.email {
                        body["email"] = email.into();
                    }
                    let path = format!("people/{}", part(handle.trim_start_matches('@')));
                    r.update(Method::PATCH, &path, &body).await?
                }
            };
            if json {
                return out::json(&p);
            }
            out::print(&format!(
                "@{}: {}, {}, {}h a week",
                p.handle, p.name, p.tz, p.capacity_hours
            ))
        }
        Command::Person(PersonCmd::List) => {
            let people: Vec<PersonView> = match via {
                Via::Local(ctx) => ctx
                    .store
                    .people()
                    .await?
                    .iter()
                    .map(PersonView::from)
                    .collect(),
                Via::Remote(r) => r.list("people", &[]).await?,
            };
            if json {
                return out::json(&people);
            }
            if people.is_empty() {
                return out::print(
                    "No people yet. Add one: landed person add HANDLE --name \"Full Name\"",
                );
            }
            let mut t = out::table(&["handle", "name", "email", "time zone", "capacity"]);
            for p in &people {
                t.add_row(vec![
                    format!("@{}", p.handle),
                    p.name.clone(),
                    opt(p.email.as_ref()),
                    p.tz.clone(),
                    format!("{}h", p.capacity_hours),
                ]);
            }
            out::print_table(&t)
        }
        Command::Team(TeamCmd::Add {
            name,
            lead,
            members,
        }) => {
            let team: TeamView = match via {
                Via::Local(ctx) => {
                    let team = org::add_team(ctx, name, lead, members).await?;
                    TeamView::of(&team, &ctx.store.people().await?)
                }
                Via::Remote(r) => {
                    let body =
                        serde_json::json!({ "name": name, "lead": lead, "members": members });
                    r.post("teams", &body).await?
                }
            };
            if json {
                return out::json(&team);
            }
            out::print(&format!(
                "Added team {} (lead @{}, {} members)",
                team.name,
                lead.trim_start_matches('@'),
                team.members.len() + 1
            ))
        }
        Command::Team(TeamCmd::Edit {
            name,
            lead,
            add,
            remove,
            protected,
        }) => {
            let team: TeamView = match via {
                Via::Local(ctx) => {
                    let patch = org::TeamPatch {
                        lead: lead.clone(),
                        add_members: add.clone(),
                        remove_members: remove.clone(),
                        protected_share: protected.clone(),
                    };
                    let team = org::edit_team(ctx, name, patch).await?;
                    TeamView::of(&team, &ctx.store.people().await?)
                }
                Via::Remote(r) => {
                    let body = without_nulls(serde_json::json!({
                        "lead": lead, "add_members": add, "remove_members": remove,
                        "protected_share": protected,
                    }));
                    r.update(Method::PATCH, &format!("teams/{}", part(name)), &body)
                        .await?
                }
            };
            if json {
                return out::json(&team);
            }
            out::print(&format!(
                "{}: {} people, {} of capacity protected for strategic work",
                team.name,
                team.members.len() + 1,
                percent(team.protected_share)
            ))
        }
        Command::Workspace(cmd) => workspace(via, cmd, json).await,
        Command::Team(TeamCmd::List) => {
            let teams: Vec<TeamView> = match via {
                Via::Local(ctx) => {
                    let people = ctx.store.people().await?;
                    let teams = ctx.store.teams().await?;
                    teams.iter().map(|t| TeamView::of(t, &people)).collect()
                }
                Via::Remote(r) => r.list("teams", &[]).await?,
            };
            if json {
                return out::json(&teams);
            }
            if teams.is_empty() {
                return out::print(
                    "No teams yet. Add one: landed team add NAME --lead HANDLE --member HANDLE",
                );
            }
            let at = |h: &String| format!("@{h}");
            let mut t = out::table(&["team", "lead", "members", "protected"]);
            for team in &teams {
                let members: Vec<String> = team.members.iter().map(at).collect();
                t.add_row(vec![
                    team.name.clone(),
                    team.lead.as_ref().map_or("?".to_string(), at),
                    members.join(" "),
                    percent(team.protected_share),
                ]);
            }
            out::print_table(&t)
        }
        Command::Milestone(MilestoneCmd::Add { name, date }) => {
            let m: landed_core::model::Milestone = match via {
                Via::Local(ctx) => org::add_milestone(ctx, name, date).await?,
                Via::Remote(r) => {
                    let body = serde_json::json!({ "name": name, "date": date });
                    r.post("milestones", &body).await?
                }
            };
            if json {
                return out::json(&m);
            }
            out::print(&format!(
                "Added M-{} {} on {} ({})",
                m.num,
                m.name,
                m.date,
                m.date.strftime("%A")
            ))
        }
        Command::Milestone(MilestoneCmd::List) => {
            let ms: Vec<landed_core::model::Milestone> = match via {
                Via::Local(ctx) => ctx.store.milestones().await?,
                Via::Remote(r) => r.list("milestones", &[]).await?,
            };
            if json {
                return out::json(&ms);
            }
            if ms.is_empty() {
                return out::print(
                    "No milestones yet. Add one: landed milestone add NAME --date DATE",
                );
            }
            let mut t = out::table(&["id", "milestone", "date"]);
            for m in &ms {
                t.add_row(vec![
                    format!("M-{}", m.num),
                    m.name.clone(),
                    m.date.to_string(),
                ]);
            }
            out::print_table(&t)
        }
        Command::Goal(cmd) => goal(via, cmd, json).await,
        Command::Item(cmd) => item(via, cmd, json).await,
        Command::Start { id } => act(via, id, Action::Start, None, None, json).await,
        Command::Done { id, reason, actual } => {
            act(
                via,
                id,
                Action::Done,
                reason.as_deref(),
                actual.as_deref(),
                json,
            )
            .await
        }
        Command::Block { id, reason } => {
            act(via, id, Action::Block, reason.as_deref(), None, json).await
        }
        Command::Drop { id, reason } => {
            act(via, id, Action::Drop, reason.as_deref(), None, json).await
        }
        Command::Reopen { id } => act(via, id, Action::Reopen, None, None, json).await,
        Command::Plan { goal } => {
            let g = show_goal(via, goal).await?;
            if json {
                return out::json(&serde_json::json!({
                    "id": g.id, "title": g.title, "status": g.status,
                    "failing": g.failing, "warnings": g.warnings, "checklist": g.checklist,
                }));
            }
            plan(&g)
        }
        Command::Next { for_ } => {
            let next: Option<NextView> = match via {
                Via::Local(ctx) => items::next(ctx, for_.as_deref()).await?,
                Via::Remote(r) => {
                    let query: Vec<(&str, String)> =
                        for_.iter().map(|h| ("for", h.clone())).collect();
                    r.get("next", &query).await?
                }
            };
            if json {
                return out::json(&next);
            }
            match next {
                Some(n) => next_view(&n),
                None => out::print(
                    "Nothing open to do. Capture the next step: landed add \"TITLE due:fri est:2h\"",
                ),
            }
        }
        Command::Add { line } => {
            let v: ItemView = match via {
                Via::Local(ctx) => items::capture(ctx, line).await?,
                Via::Remote(r) => {
                    r.post("items/capture", &serde_json::json!({ "line": line }))
                        .await?
                }
            };
            if json {
                return out::json(&v);
            }
            out::print(&format!("Added {} {}", v.id, v.title))?;
            item_detail(&v)
        }
        Command::Deps(_)
        | Command::Ask { .. }
        | Command::Answer(_)
        | Command::Requests { .. }
        | Command::Capacity { .. }
        | Command::Forecast { .. }
        | Command::Impact { .. }
        | Command::History { .. } => crate::links::command(via, cli).await,
        Command::Checkin(args) => crate::checkin::run(via, args, json).await,
        Command::Stats {
            team,
            person,
            goal,
            since,
        } => {
            let of = landed_app::stats::StatsFor {
                team: team.clone(),
                person: person.clone(),
                goal: goal.clone(),
            };
            crate::weekly::stats(via, of, since, json).await
        }
        Command::Remind { dry_run, cmd } => {
            crate::weekly::remind(via, *dry_run, cmd.as_ref(), json).await
        }
        Command::Review { team, week } => {
            crate::review::run(via, team, week.as_deref(), json).await
        }
        Command::Report {
            team,
            week,
            format,
            output,
            ..
        } => {
            crate::report::run(
                via,
                team.as_deref(),
                week.as_deref(),
                *format,
                output.as_deref(),
                json,
            )
            .await
        }
    }
}

async fn goal(via: &Via<'_>, cmd: &GoalCmd, json: bool) -> anyhow::Result<()> {
    let view: GoalView = match cmd {
        GoalCmd::Add {
            title,
            outcome,
            owner,
            by,
            milestone,
            team,
        } => match via {
            Via::Local(ctx) => {
                let input = GoalInput {
                    title: title.clone(),
                    outcome: outcome.clone(),
                    owner: owner.clone(),
                    by: by.clone(),
                    milestone: milestone.clone(),
                    team: team.clone(),
                };
                goals::add(ctx, input).await?
            }
            Via::Remote(r) => {
                let body = without_nulls(serde_json::json!({
                    "title": title, "outcome": outcome, "owner": owner, "by": by,
                    "milestone": milestone, "team": team,
                }));
                r.post("goals", &body).await?
            }
        },
        GoalCmd::List { team, status } => {
            let status = status.map(|s| match s {
                StatusFilter::Plan => GoalStatus::Plan,
                StatusFilter::Aspiration => GoalStatus::Aspiration,
                StatusFilter::Done => GoalStatus::Done,
                StatusFilter::Dropped => GoalStatus::Dropped,
            });
            let list: Vec<GoalSummary> = match via {
                Via::Local(ctx) => goals::list(ctx, team.as_deref(), status).await?,
                Via::Remote(r) => {
                    let mut query = vec![("limit", "1000".to_string())];
                    query.extend(team.iter().map(|t| ("team", t.clone())));
                    query.extend(status.map(|s| ("status", s.as_str().to_string())));
                    r.list("goals", &query).await?
                }
            };
            if json {
                return out::json(&list);
            }
            return goal_list(&list);
        }
        GoalCmd::Show { id } => show_goal(via, id).await?,
        GoalCmd::Edit {
            id,
            title,
            outcome,
            owner,
            by,
            milestone,
            team,
            reason,
        } => {
            let patch = GoalPatch {
                title: title.clone(),
                outcome: clearable(outcome),
                owner: clearable(owner),
                by: clearable(by),
                milestone: milestone.clone(),
                team: clearable(team),
            };
            match via {
                Via::Local(ctx) => goals::edit(ctx, id, patch, reason.as_deref()).await?,
                Via::Remote(r) => {
                    let mut body = without_nulls(serde_json::json!({
                        "title": patch.title, "milestone": patch.milestone, "reason": reason,
                    }));
                    for (field, value) in [
                        ("outcome", patch.outcome),
                        ("owner", patch.owner),
                        ("by", patch.by),
                        ("team", patch.team),
                    ] {
                        if let Some(v) = value {
                            body[field] = v.into();
                        }
                    }
                    r.update(Method::PATCH, &format!("goals/{}", part(id)), &body)
                        .await?
                }
            }
        }
    };
    if json {
        return out::json(&view);
    }
    goal_view(&view)
}

/// One goal with its verdict, health and forecast.
async fn show_goal(via: &Via<'_>, id: &str) -> anyhow::Result<GoalView> {
    Ok(match via {
        Via::Local(ctx) => goals::show(ctx, id).await?,
        Via::Remote(r) => r.get(&format!("goals/{}", part(id)), &[]).await?,
    })
}

/// A JSON body without its `null` fields: absent means "leave as is" to the API.
fn without_nulls(mut body: serde_json::Value) -> serde_json::Value {
    if let Some(map) = body.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    body
}

async fn item(via: &Via<'_>, cmd: &ItemCmd, json: bool) -> anyhow::Result<()> {
    let view: ItemView = match cmd {
        ItemCmd::Add { title, fields } => {
            let ItemFields {
                outcome,
                owner,
                due,
                milestone,
                estimate,
                goal,
                kind: k,
            } = fields;
            match via {
                Via::Local(ctx) => {
                    let input = ItemInput {
                        title: title.clone(),
                        outcome: outcome.clone(),
                        owner: owner.clone(),
                        due: due.clone(),
                        milestone: milestone.clone(),
                        estimate: estimate.clone(),
                        goal: goal.clone(),
                        kind: kind(k)?,
                    };
                    items::add(ctx, input).await?
                }
                Via::Remote(r) => {
                    let body = without_nulls(serde_json::json!({
                        "title": title, "outcome": outcome, "owner": owner, "due": due,
                        "milestone": milestone, "estimate": estimate, "goal": goal,
                        "kind": kind(k)?,
                    }));
                    r.post("items", &body).await?
                }
            }
        }
        ItemCmd::List {
            owner,
            goal,
            team,
            status,
            kind: k,
            all,
        } => {
            let statuses = status
                .iter()
                .map(|s| s.parse::<ItemStatus>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(landed_app::AppError::from)?;
            let list: Vec<ItemView> = match via {
                Via::Local(ctx) => {
                    let filter = ListFilter {
                        owner: owner.clone(),
                        goal: goal.clone(),
                        team: team.clone(),
                        statuses,
                        kind: kind(k)?,
                        open: !all,
                    };
                    items::list(ctx, filter).await?
                }
                Via::Remote(r) => {
                    let k = kind(k)?;
                    let mut query = vec![("limit", "1000".to_string())];
                    query.extend(owner.iter().map(|o| ("owner", o.clone())));
                    query.extend(goal.iter().map(|g| ("goal", g.clone())));
                    query.extend(team.iter().map(|t| ("team", t.clone())));
                    query.extend(k.map(|k| ("kind", k.as_str().to_string())));
                    // The API lists the open items, or those of one status: several statuses
                    // (or --all) are one list per status, merged in id order.
                    let wanted: Vec<ItemStatus> = match (statuses.is_empty(), all) {
                        (true, false) => Vec::new(),
                        (true, true) => ItemStatus::ALL.to_vec(),
                        (false, _) => statuses,
                    };
                    if wanted.is_empty() {
                        r.list("items", &query).await?
                    } else {
                        let mut merged: Vec<ItemView> = Vec::new();
                        for st in wanted {
                            let mut q = query.clone();
                            q.push(("status", st.as_str().to_string()));
                            merged.extend(r.list::<ItemView>("items", &q).await?);
                        }
                        merged.sort_by_key(|v| item_number(&v.id));
                        merged.dedup_by(|a, b| a.id == b.id);
                        merged
                    }
                }
            };
            if json {
                return out::json(&list);
            }
            return item_list(&list);
        }
        ItemCmd::Show { id } => match via {
            Via::Local(ctx) => items::show(ctx, id).await?,
            Via::Remote(r) => r.get(&format!("items/{}", part(id)), &[]).await?,
        },
        ItemCmd::Edit {
            id,
            title,
            fields,
            actual,
            reason,
        } => {
            let ItemFields {
                outcome,
                owner,
                due,
                milestone,
                estimate,
                goal,
                kind: k,
            } = fields;
            let patch = ItemPatch {
                title: title.clone(),
                outcome: clearable(outcome),
                owner: clearable(owner),
                due: clearable(due),
                milestone: milestone.clone(),
                estimate: clearable(estimate),
                goal: clearable(goal),
                kind: kind(k)?,
                actual: clearable(actual),
            };
            match via {
                Via::Local(ctx) => items::edit(ctx, id, patch, reason.as_deref()).await?,
                Via::Remote(r) => {
                    let mut body = without_nulls(serde_json::json!({
                        "title": patch.title, "milestone": patch.milestone,
                        "kind": patch.kind, "reason": reason,
                    }));
                    for (field, value) in [
                        ("outcome", patch.outcome),
                        ("owner", patch.owner),
                        ("due", patch.due),
                        ("estimate", patch.estimate),
                        ("goal", patch.goal),
                        ("actual", patch.actual),
                    ] {
                        if let Some(v) = value {
                            body[field] = v.into();
                        }
                    }
                    r.update(Method::PATCH, &format!("items/{}", part(id)), &body)
                        .await?
                }
            }
        }
    };
    if json {
        return out::json(&view);
    }
    out::print(&format!("{} {}", view.id, view.title))?;
    item_detail(&view)
}

/// The number in an id such as `I-12`, for ordering.
fn item_number(id: &str) -> i64 {
    id.rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(i64::MAX)
}

async fn workspace(via: &Via<'_>, cmd: &WorkspaceCmd, json: bool) -> anyhow::Result<()> {
    let ws: landed_core::model::Workspace = match (cmd, via) {
        (WorkspaceCmd::Show, Via::Local(ctx)) => ctx.workspace.clone(),
        (WorkspaceCmd::Show, Via::Remote(r)) => r.get("workspace", &[]).await?,
        (
            WorkspaceCmd::Set {
                name,
                tz,
                step_limit,
                reactive_share,
                overdue_days,
            },
            via,
        ) => {
            let patch = org::WorkspacePatch {
                name: name.clone(),
                tz: tz.clone(),
                step_limit: step_limit.clone(),
                reactive_share: reactive_share.clone(),
                request_overdue_days: *overdue_days,
            };
            match via {
                Via::Local(ctx) => org::edit_workspace(ctx, patch).await?,
                Via::Remote(r) => {
                    let body = without_nulls(serde_json::json!({
                        "name": patch.name, "tz": patch.tz, "step_limit": patch.step_limit,
                        "reactive_share": patch.reactive_share,
                        "request_overdue_days": patch.request_overdue_days,
                    }));
                    r.update(Method::PATCH, "workspace", &body).await?
                }
            }
        }
    };
    if json {
        return out::json(&ws);
    }
    out::print(&format!(
        "{}\n  time zone        {}\n  step limit       {} (larger estimates are too big for one step)\n  reactive share   {} (assumed for people with no done reactive work)\n  overdue after    {} days (open requests)",
        ws.name,
        ws.tz,
        format_hours(ws.step_limit_hours),
        percent(ws.reactive_share),
        ws.request_overdue_days
    ))
}

async fn act(
    via: &Via<'_>,
    id: &str,
    action: Action,
    reason: Option<&str>,
    actual: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let changed: Changed = match via {
        Via::Local(ctx) => items::act(ctx, id, action, reason, actual).await?,
        Via::Remote(r) => {
            // The version to change: the goal's for `done G-3`, else the item's.
            let read = match id.parse::<landed_core::model::Ref>() {
                Ok(g) if g.kind == landed_core::model::RefKind::Goal => {
                    format!("goals/{}", part(id))
                }
                _ => format!("items/{}", part(id)),
            };
            let word = match action {
                Action::Start => "start",
                Action::Done => "done",
                Action::Block => "block",
                Action::Drop => "drop",
                Action::Reopen => "reopen",
            };
            let body = without_nulls(serde_json::json!({
                "action": word, "reason": reason, "actual": actual,
            }));
            r.update_at(
                Method::POST,
                &read,
                &format!("items/{}/status", part(id)),
                &body,
            )
            .await?
        }
    };
    if json {
        return out::json(&changed);
    }
    match changed {
        Changed::Item(v) => {
            out::print(&format!(
                "{} {} is now {}",
                v.id,
                v.title,
                paint(v.status.as_str(), item_color(v.status))
            ))?;
            if action == Action::Start && !v.has_ws {
                out::print(&format!(
                    "Note: it still lacks {}",
                    missing_words(&v.missing)
                ))?;
            }
            Ok(())
        }
        Changed::Goal(g) => out::print(&format!(
            "{} {} is now {}",
            g.id,
            g.title,
            g.status.as_str()
        )),
    }
}

fn status_color(s: GoalStatus) -> Option<Color> {
    match s {
        GoalStatus::Plan => Some(Color::Green),
        GoalStatus::Aspiration => Some(Color::Yellow),
        GoalStatus::Done => Some(Color::DarkGrey),
        GoalStatus::Dropped => Some(Color::DarkGrey),
    }
}

fn item_color(s: ItemStatus) -> Color {
    match s {
        ItemStatus::Todo => Color::Reset,
        ItemStatus::Doing => Color::Cyan,
        ItemStatus::Blocked => Color::Red,
        ItemStatus::Done | ItemStatus::Dropped => Color::DarkGrey,
    }
}

pub fn class_color(c: DepClass) -> Option<Color> {
    match c {
        DepClass::Phantom => Some(Color::Red),
        DepClass::Late => Some(Color::Yellow),
        DepClass::AtRisk => Some(Color::Yellow),
        DepClass::Ok => Some(Color::Green),
        DepClass::Met => Some(Color::DarkGrey),
    }
}

fn missing_words(missing: &[landed_core::Rule]) -> String {
    use landed_core::Rule;
    let words: Vec<&str> = missing
        .iter()
        .map(|r| match r {
            Rule::ItemMissingWhat => "a What (outcome)",
            Rule::ItemMissingWho => "a Who (owner)",
            Rule::ItemMissingWhen => "a When (due date)",
            Rule::ItemAfterTarget => "a date before the goal's target",
            other => other.as_str(),
        })
        .collect();
    words.join(", ")
}

fn percent(ratio: f64) -> String {
    format!("{:.0}%", ratio * 100.0)
}

pub fn goal_list(list: &[GoalSummary]) -> anyhow::Result<()> {
    if list.is_empty() {
        return out::print(
            "No goals yet. Add one: landed goal add TITLE --outcome \"...\" --owner HANDLE --by DATE",
        );
    }
    let mut t = out::table(&[
        "id",
        "goal",
        "status",
        "owner",
        "target",
        "team",
        "done",
        "next step / missing",
    ]);
    for g in list {
        let last = if g.status == GoalStatus::Aspiration {
            g.failing
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            opt(g.next_step.as_ref())
        };
        t.add_row(vec![
            colored(&g.id, None),
            colored(&g.title, None),
            colored(g.status.as_str(), status_color(g.status)),
            colored(opt(g.owner.as_ref().map(|h| format!("@{h}"))), None),
            colored(opt(g.target), None),
            colored(opt(g.team.as_ref()), None),
            colored(percent(g.progress.ratio()), None),
            colored(
                last,
                if g.status == GoalStatus::Aspiration {
                    Some(Color::Yellow)
                } else {
                    None
                },
            ),
        ]);
    }
    out::print_table(&t)?;
    let aspirations = list
        .iter()
        .filter(|g| g.status == GoalStatus::Aspiration)
        .count();
    if aspirations > 0 {
        out::print(&format!(
            "\n{aspirations} of {} goals are aspirations, not plans: `landed plan ID` shows what is missing.",
            list.len()
        ))?;
    }
    Ok(())
}

fn goal_view(g: &GoalView) -> anyhow::Result<()> {
    let badge = paint(
        g.status.as_str(),
        status_color(g.status).unwrap_or(Color::Reset),
    );
    let mut text = format!("{} {}  [{badge}]\n", g.id, g.title);
    text += &format!("  outcome   {}\n", opt(g.outcome.as_ref()));
    text += &format!(
        "  owner     {}\n",
        opt(g.owner.as_ref().map(|h| format!("@{h}")))
    );
    let target = match (&g.target, &g.milestone) {
        (Some(d), Some(m)) => format!("{d} ({m})"),
        (d, _) => opt(d.as_ref()),
    };
    text += &format!("  target    {target}\n");
    text += &format!("  team      {}\n", opt(g.team.as_ref()));
    text += &format!(
        "  progress  {} ({} of {} items, {} of {})\n",
        percent(g.progress.ratio()),
        g.progress.done_items,
        g.progress.total_items,
        format_hours(g.progress.done_hours),
        format_hours(g.progress.total_hours)
    );
    text += &format!("  next      {}\n", opt(g.next_step.as_ref()));
    if g.close_reason.is_none() && g.progress.done_items < g.progress.total_items {
        let forecast = match (g.forecast, g.target) {
            (None, _) => "unknown: some of its work has no owner, estimate or hours".to_string(),
            (Some(f), Some(t)) if f > t => format!(
                "{f}, {} after the target",
                days(landed_core::when::days_between(t, f))
            ),
            (Some(f), Some(_)) => format!("{f}, in time"),
            (Some(f), None) => f.to_string(),
        };
        text += &format!("  forecast  {forecast}\n");
    }
    if let Some(h) = g.health {
        let color = match h {
            landed_core::health::Health::OnTrack => Color::Green,
            landed_core::health::Health::AtRisk => Color::Yellow,
            landed_core::health::Health::OffTrack => Color::Red,
        };
        let why = if g.health_why.is_empty() {
            String::new()
        } else {
            let reasons: Vec<String> = g
                .health_why
                .iter()
                .zip(&g.health_reasons)
                .map(|(why, code)| format!("{why} [{}]", code.as_str()))
                .collect();
            format!(" — {}", reasons.join("; "))
        };
        text += &format!(
            "  health    {}{why}\n",
            paint(&h.as_str().replace('_', " "), color)
        );
    }
    if let Some(r) = &g.close_reason {
        text += &format!("  closed    {r}\n");
    }
    if !g.failing.is_empty() {
        text += &format!(
            "\n{} — failing: {}\n",
            paint("Not a plan yet", Color::Yellow),
            g.failing
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        text += "Run `landed plan ";
        text += &g.id;
        text += "` for how to fix each.\n";
    }
    if !g.warnings.is_empty() {
        text += &format!(
            "Warnings: {}\n",
            g.warnings
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out::print(&text)?;
    if g.items.is_empty() {
        out::print(&format!(
            "\nNo items yet. Add the first step: landed item add TITLE --goal {} --owner HANDLE --due DATE --outcome \"...\"",
            g.id
        ))?;
    } else {
        out::print("")?;
        item_list(&g.items)?;
    }
    for (title, deps) in [("Needs", &g.needs), ("Needed by", &g.needed_by)] {
        if !deps.is_empty() {
            out::print(&format!("\n{title}:"))?;
            deps_table(deps)?;
        }
    }
    Ok(())
}

fn item_list(list: &[ItemView]) -> anyhow::Result<()> {
    if list.is_empty() {
        return out::print(
            "No items match. Capture one: landed add \"TITLE @owner due:fri est:2h\"",
        );
    }
    let mut t = out::table(&[
        "id", "item", "status", "owner", "due", "est", "goal", "missing",
    ]);
    for i in list {
        let mut flags: Vec<&str> = i.missing.iter().map(|r| r.as_str()).collect();
        flags.extend(i.warnings.iter().map(|r| r.as_str()));
        t.add_row(vec![
            colored(&i.id, None),
            colored(&i.title, None),
            colored(i.status.as_str(), Some(item_color(i.status))),
            colored(opt(i.owner.as_ref().map(|h| format!("@{h}"))), None),
            colored(opt(i.due), None),
            colored(opt(i.estimate_hours.map(format_hours)), None),
            colored(opt(i.goal.as_ref()), None),
            colored(
                flags.join(" "),
                if i.missing.is_empty() {
                    None
                } else {
                    Some(Color::Yellow)
                },
            ),
        ]);
    }
    out::print_table(&t)
}

fn item_detail(i: &ItemView) -> anyhow::Result<()> {
    let mut text = String::new();
    text += &format!(
        "  status    {}{}\n",
        paint(i.status.as_str(), item_color(i.status)),
        i.status_reason
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    );
    text += &format!("  kind      {}\n", i.kind);
    text += &format!("  outcome   {}\n", opt(i.outcome.as_ref()));
    text += &format!(
        "  owner     {}\n",
        opt(i.owner.as_ref().map(|h| format!("@{h}")))
    );
    let due = match (&i.due, &i.milestone) {
        (Some(d), Some(m)) => format!("{d} ({m})"),
        (d, _) => opt(d.as_ref()),
    };
    text += &format!("  due       {due}\n");
    text += &format!("  estimate  {}\n", opt(i.estimate_hours.map(format_hours)));
    if let Some(a) = i.actual_hours {
        text += &format!("  actual    {}\n", format_hours(a));
    }
    text += &format!("  goal      {}\n", opt(i.goal.as_ref()));
    if i.missing.is_empty() {
        text += &format!(
            "  W's       {}\n",
            paint("what, who and when are set", Color::Green)
        );
    } else {
        text += &format!(
            "  missing   {}\n",
            paint(&missing_words(&i.missing), Color::Yellow)
        );
    }
    for w in &i.warnings {
        text += &format!(
            "  warning   {w}: {}\n",
            w.fix().replace("GOAL", i.goal.as_deref().unwrap_or("G-N"))
        );
    }
    out::print(&text)
}

fn plan(g: &GoalView) -> anyhow::Result<()> {
    let mut text = format!("{} {}\n\n", g.id, g.title);
    for line in &g.checklist {
        let mark = match (line.passed, line.warning) {
            (true, _) => paint("✓", Color::Green),
            (false, true) => paint("!", Color::Yellow),
            (false, false) => paint("✗", Color::Red),
        };
        text += &format!("  {mark} {}", line.requirement);
        if !line.passed {
            text += &format!("  [{}]", line.rule);
            if !line.items.is_empty() {
                text += &format!(" — {}", line.items.join(", "));
            }
            if let Some(fix) = &line.fix {
                text += &format!(
                    "\n      → {}",
                    fix.replace("GOAL", &g.id)
                        .replace("ITEM", line.items.first().map_or("ITEM", String::as_str))
                );
            }
        }
        text += "\n";
    }
    let verdict = match g.status {
        GoalStatus::Plan => {
            paint("plan", Color::Green) + ": every step has a What, a Who and a When."
        }
        GoalStatus::Aspiration => {
            paint("aspiration", Color::Yellow)
                + &format!(
                    ": {} rule(s) fail. It is not planned work until they pass.",
                    g.failing.len()
                )
        }
        GoalStatus::Done => "done".to_string(),
        GoalStatus::Dropped => "dropped".to_string(),
    };
    text += &format!("\nVerdict: {verdict}");
    out::print(&text)
}

fn next_view(n: &NextView) -> anyhow::Result<()> {
    let i = &n.item;
    let mut text = format!("Next: {} {}\n", i.id, i.title);
    text += &format!("  why       {}\n", n.why);
    text += &format!("  due       {}\n", opt(i.due));
    text += &format!("  estimate  {}\n", opt(i.estimate_hours.map(format_hours)));
    text += &format!("  done when {}\n", opt(i.outcome.as_ref()));
    if i.status == ItemStatus::Doing {
        text += &format!(
            "\nAlready in progress. When it is done: landed done {}",
            i.id
        );
    } else {
        text += &format!("\nBegin it: landed start {}", i.id);
    }
    if n.waiting > 0 {
        text += &format!("   ({} more open item(s) after this one)", n.waiting);
    }
    out::print(&text)
}

pub fn dep_sentence(d: &DepView) -> String {
    match d.class {
        DepClass::Phantom => format!(
            "{} — {}",
            paint("phantom", Color::Red),
            d.why.map_or("nobody committed to it", |w| w.describe())
        ),
        DepClass::Late => format!(
            "{} — it delivers {} but is needed by {}",
            paint("late", Color::Yellow),
            opt(d.delivers),
            opt(d.needed_by)
        ),
        DepClass::Ok => format!(
            "{} — it delivers {} (needed by {})",
            paint("ok", Color::Green),
            opt(d.delivers),
            opt(d.needed_by)
        ),
        DepClass::AtRisk => format!(
            "{} — committed for {} (needed by {}), but blocked, overdue or forecast late",
            paint("at risk", Color::Yellow),
            opt(d.delivers),
            opt(d.needed_by)
        ),
        DepClass::Met => "met — already done".to_string(),
    }
}

pub fn deps_table(deps: &[DepView]) -> anyhow::Result<()> {
    if deps.is_empty() {
        return out::print(
            "No dependencies. Record one: landed deps add I-5 --needs I-1 --by DATE",
        );
    }
    let mut t = out::table(&[
        "needs",
        "owner",
        "delivers",
        "owner",
        "class",
        "needed by",
        "due",
    ]);
    for d in deps {
        t.add_row(vec![
            colored(format!("{} {}", d.from, d.from_title), None),
            colored(opt(d.from_owner.as_ref().map(|h| format!("@{h}"))), None),
            colored(format!("{} {}", d.to, d.to_title), None),
            colored(opt(d.to_owner.as_ref().map(|h| format!("@{h}"))), None),
            colored(d.class.as_str(), class_color(d.class)),
            colored(opt(d.needed_by), None),
            colored(opt(d.delivers), None),
        ]);
    }
    out::print_table(&t)
}

pub fn history_view(lines: &[HistoryLine]) -> anyhow::Result<()> {
    let mut text = String::new();
    for l in lines {
        let at =
            l.at.to_zoned(jiff::tz::TimeZone::UTC)
                .strftime("%Y-%m-%d %H:%M UTC");
        let kind = match l.kind.as_str() {
            "slipped" => paint("slipped", Color::Red),
            "pulled_in" => paint("pulled in", Color::Green),
            other => other.replace('_', " "),
        };
        text += &format!(
            "{at}  {}  {kind}",
            opt(l.author.as_ref().map(|h| format!("@{h}")))
        );
        if let Some(r) = &l.reason {
            text += &format!(" — reason: {r}");
        }
        text += "\n";
        for c in &l.changes {
            text += &format!("    {}: {} → {}\n", c.field, c.before, c.after);
        }
    }
    if text.is_empty() {
        text = "No history.".into();
    }
    out::print(&text)
}

pub fn impact_view(v: &links::ImpactView) -> anyhow::Result<()> {
    let when = match (v.if_due, v.date) {
        (Some(new), Some(old)) => format!("if it slips from {old} to {new}"),
        (Some(new), None) => format!("if it lands on {new}"),
        (None, Some(old)) => format!("at its current date {old}"),
        (None, None) => "(it has no date)".to_string(),
    };
    let mut text = format!("{} {} — {when}\n", v.id, v.title);
    if v.by_team.is_empty() {
        text += "Nothing depends on it.";
        return out::print(&text);
    }
    let worst = if v.worst_late_days > 0 {
        paint(
            &format!("worst lateness {}", days(v.worst_late_days)),
            Color::Red,
        )
    } else {
        paint("nothing becomes late", Color::Green)
    };
    text += &format!(
        "Puts {} team(s), {} item(s) and {} goal(s) at risk; {worst}.",
        v.teams, v.items, v.goals
    );
    out::print(&text)?;
    for group in &v.by_team {
        out::print(&format!(
            "\n{}:",
            group.team.as_deref().unwrap_or("(no team)")
        ))?;
        let mut t = out::table(&["id", "title", "owner", "due", "can finish", "late"]);
        for a in &group.affected {
            t.add_row(vec![
                colored(&a.id, None),
                colored(&a.title, None),
                colored(opt(a.owner.as_ref().map(|h| format!("@{h}"))), None),
                colored(opt(a.own_date), None),
                colored(opt(a.finish), None),
                late_cell(a.late_days),
            ]);
        }
        out::print_table(&t)?;
    }
    Ok(())
}

pub fn capacity_view(v: &landed_app::capacity::CapacityView) -> anyhow::Result<()> {
    if v.people.is_empty() {
        return out::print("No people yet. Add one: landed person add HANDLE --name \"Full Name\"");
    }
    let mut header: Vec<String> = vec!["person".into(), "available/wk".into()];
    header.extend(v.weeks.iter().map(|w| w.to_string()));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = out::table(&header);
    let mut over = String::new();
    for p in &v.people {
        let measured = if p.reactive.measured { "" } else { "*" };
        let mut row = vec![
            colored(format!("@{}", p.handle), None),
            colored(format!("{}h{measured}", p.available_hours), None),
        ];
        for week in &v.weeks {
            let cell = p.weeks.iter().find(|w| w.week == *week);
            row.push(match cell {
                Some(w) if w.overcommitted => {
                    colored(format!("{}h !", w.load_hours), Some(Color::Red))
                }
                Some(w) => colored(format!("{}h", w.load_hours), None),
                None => colored("-", None),
            });
            if let Some(w) = cell.filter(|w| w.overcommitted) {
                let items: Vec<String> =
                    w.items.iter().map(|(id, h)| format!("{id} {h}h")).collect();
                over += &format!(
                    "  @{} {}: {}h planned, {}h available — {}\n",
                    p.handle,
                    w.week,
                    w.load_hours,
                    w.available_hours,
                    items.join(", ")
                );
            }
        }
        t.add_row(row);
    }
    out::print_table(&t)?;
    let mut text = String::new();
    if v.people.iter().any(|p| !p.reactive.measured) {
        text += "\n* reactive load not measured yet: the workspace's default share is assumed";
    }
    text += "\n";
    if over.is_empty() {
        text += "No overcommitted weeks.";
    } else {
        text += &format!("{}\n{over}", paint("Overcommitted (!):", Color::Red));
    }
    let unplanned: usize = v.people.iter().map(|p| p.unplanned.len()).sum();
    if unplanned > 0 {
        text += &format!(
            "\n{unplanned} open item(s) have no estimate or due date, so their load is not shown (landed item list --json shows them)."
        );
    }
    out::print(&text)?;
    for team in &v.protected {
        protected_view(team)?;
    }
    Ok(())
}

fn protected_view(team: &landed_app::capacity::TeamProtected) -> anyhow::Result<()> {
    if team.share <= 0.0 {
        return out::print(&format!(
            "\n{} protects no strategic time. Reserve some with: landed team edit {} --protected 20%",
            team.team,
            shell_word(&team.team)
        ));
    }
    out::print(&format!(
        "\nProtected strategic time: {} reserves {} of its capacity",
        team.team,
        percent(team.share)
    ))?;
    let mut t = out::table(&["week", "reserved", "strategic", "reactive", ""]);
    for w in &team.weeks {
        let note = if w.urgent_is_winning {
            colored("urgent is winning".to_string(), Some(Color::Red))
        } else if !w.urgent_for.is_empty() {
            let who: Vec<String> = w.urgent_for.iter().map(|h| format!("@{h}")).collect();
            colored(
                format!("urgent is winning for {}", who.join(" ")),
                Some(Color::Yellow),
            )
        } else if w.so_far {
            colored("so far".to_string(), None)
        } else {
            colored(String::new(), None)
        };
        t.add_row(vec![
            colored(w.week.to_string(), None),
            colored(format!("{}h", w.reserved_hours), None),
            colored(format!("{}h", w.strategic_hours), None),
            colored(format!("{}h", w.reactive_hours), None),
            note,
        ]);
    }
    out::print_table(&t)
}

/// A word as typed in a shell: quoted when it holds a space.
fn shell_word(s: &str) -> String {
    if s.contains(char::is_whitespace) {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

pub fn forecast_view(v: &landed_app::forecast::ForecastView) -> anyhow::Result<()> {
    let rows = |list: &[landed_app::forecast::Predicted], what: &str| -> anyhow::Result<()> {
        if list.is_empty() {
            return Ok(());
        }
        let mut t = out::table(&[what, "title", "owner", "due", "forecast", "late"]);
        for p in list {
            t.add_row(vec![
                colored(&p.id, None),
                colored(&p.title, None),
                colored(opt(p.owner.as_ref().map(|h| format!("@{h}"))), None),
                colored(opt(p.due), None),
                colored(opt(p.finish), None),
                late_cell(p.late_days),
            ]);
        }
        out::print_table(&t)?;
        out::print("")
    };
    let scaled: Vec<String> = v
        .accuracy
        .iter()
        .map(|(h, a)| format!("@{h} ×{a}"))
        .collect();
    let accuracy = if scaled.is_empty() {
        "estimates as given: no done work with actual hours yet".to_string()
    } else {
        format!(
            "estimates scaled by past accuracy: {}; everyone else as given",
            scaled.join(", ")
        )
    };
    out::print(&format!("Forecast from {} ({accuracy})\n", v.today))?;
    rows(&v.goals, "goal")?;
    rows(&v.items, "item")?;
    if !v.unschedulable.is_empty() {
        out::print(&format!(
            "Cannot forecast (no owner, estimate or available hours, or waiting on such): {}",
            v.unschedulable.join(", ")
        ))?;
    }
    Ok(())
}

/// Days late, in red, or a dash.
/// `1 day`, `5 days`.
fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

fn late_cell(days: i64) -> comfy_table::Cell {
    if days > 0 {
        colored(format!("{days}d"), Some(Color::Red))
    } else {
        colored("-", None)
    }
}
