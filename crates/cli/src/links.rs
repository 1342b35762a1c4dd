//! Links between teams and their effects: dependencies, requests and answers, capacity,
//! forecasts, impact and history.

use comfy_table::Color;
use landed_app::capacity::CapacityView;
use landed_app::forecast::ForecastView;
use landed_app::history::HistoryLine;
use landed_app::links::ImpactView;
use landed_app::requests::RequestView;
use landed_app::views::DepView;
use landed_app::{history, links};
use reqwest::Method;
use serde_json::json;

use crate::args::{AnswerCmd, Cli, Command, DepsCmd};
use crate::out::{self, colored, opt};
use crate::remote::{part, query};
use crate::render::{
    capacity_view, class_color, dep_sentence, deps_table, forecast_view, history_view, impact_view,
};
use crate::via::Via;

pub async fn command(via: &Via<'_>, cli: &Cli) -> anyhow::Result<()> {
    let json = cli.json;
    match &cli.command {
        Command::Deps(DepsCmd::Add { id, needs, by }) => {
            let d: DepView = match via {
                Via::Local(ctx) => links::add(ctx, id, needs, by.as_deref()).await?,
                Via::Remote(r) => {
                    r.post(
                        "dependencies",
                        &json!({ "from": id, "needs": needs, "by": by }),
                    )
                    .await?
                }
            };
            if json {
                return out::json(&d);
            }
            out::print(&format!(
                "{} now needs {}: {}",
                d.from,
                d.to,
                dep_sentence(&d)
            ))
        }
        Command::Deps(DepsCmd::List { team }) => {
            let deps: Vec<DepView> = match via {
                Via::Local(ctx) => links::list(ctx, team.as_deref()).await?,
                Via::Remote(r) => {
                    r.list("dependencies", &query(&[("team", team.as_deref())]))
                        .await?
                }
            };
            if json {
                return out::json(&deps);
            }
            deps_table(&deps)
        }
        Command::Ask {
            team,
            deliverable,
            by,
            for_,
        } => {
            let v: RequestView = match via {
                Via::Local(ctx) => {
                    landed_app::requests::ask(ctx, team, deliverable, by, for_.as_deref()).await?
                }
                Via::Remote(r) => {
                    let body =
                        json!({ "team": team, "deliverable": deliverable, "by": by, "for": for_ });
                    r.post("requests", &body).await?
                }
            };
            if json {
                return out::json(&v);
            }
            out::print(&format!(
                "Asked {} for \"{}\" by {} as {}. Until they commit, it is a phantom dependency{}.",
                v.to_team,
                v.deliverable,
                v.needed_by,
                v.id,
                v.for_id
                    .as_ref()
                    .map(|f| format!(" of {f}"))
                    .unwrap_or_default()
            ))
        }
        Command::Answer(cmd) => {
            let v: RequestView = match via {
                Via::Local(ctx) => answer_local(ctx, cmd).await?,
                Via::Remote(r) => {
                    let (id, body) = match cmd {
                        AnswerCmd::Commit {
                            id,
                            owner,
                            item,
                            create,
                            due,
                            milestone,
                            estimate,
                        } => (
                            id,
                            json!({
                                "answer": "commit",
                                "owner": owner,
                                "item": item,
                                "create": create,
                                "due": due,
                                "milestone": milestone,
                                "estimate": estimate,
                            }),
                        ),
                        AnswerCmd::NotYet { id, note } => {
                            (id, json!({ "answer": "not_yet", "note": note }))
                        }
                    };
                    let read = format!("requests/{}", part(id));
                    r.update_at(Method::POST, &read, &format!("{read}/answer"), &body)
                        .await?
                }
            };
            if json {
                return out::json(&v);
            }
            out::print(&format!(
                "{} is {}{}",
                v.id,
                v.state.as_str().replace('_', " "),
                v.item
                    .as_ref()
                    .map(|i| format!(": {i} due {}", opt(v.item_due)))
                    .unwrap_or_default()
            ))
        }
        Command::Requests { team, open } => {
            let list: Vec<RequestView> = match via {
                Via::Local(ctx) => landed_app::requests::list(ctx, team.as_deref(), *open).await?,
                Via::Remote(r) => {
                    let open = open.then_some("true");
                    r.list(
                        "requests",
                        &query(&[("team", team.as_deref()), ("open", open)]),
                    )
                    .await?
                }
            };
            if json {
                return out::json(&list);
            }
            if list.is_empty() {
                return out::print(
                    "No requests. Ask another team: landed ask TEAM \"deliverable\" --by DATE --for ID",
                );
            }
            let mut t = out::table(&[
                "id",
                "deliverable",
                "from",
                "to",
                "needed by",
                "state",
                "item",
                "due",
                "class",
                "last slip",
            ]);
            for r in &list {
                let state = if r.overdue {
                    "open, overdue".to_string()
                } else {
                    r.state.as_str().replace('_', " ")
                };
                t.add_row(vec![
                    colored(&r.id, None),
                    colored(&r.deliverable, None),
                    colored(opt(r.from_team.as_ref()), None),
                    colored(&r.to_team, None),
                    colored(r.needed_by, None),
                    colored(state, r.overdue.then_some(Color::Red)),
                    colored(opt(r.item.as_ref()), None),
                    colored(opt(r.item_due), None),
                    colored(r.class.as_str(), class_color(r.class)),
                    colored(opt(r.last_slip.as_ref()), None),
                ]);
            }
            out::print_table(&t)
        }
        Command::Capacity { team, weeks } => {
            let view: CapacityView = match via {
                Via::Local(ctx) => landed_app::capacity::grid(ctx, team.as_deref(), *weeks).await?,
                Via::Remote(r) => {
                    // The app shows at least one week and at most MAX_WEEKS of any count asked
                    // for; the API documents that range and refuses what is outside it.
                    let weeks = (*weeks)
                        .clamp(1, landed_app::capacity::MAX_WEEKS)
                        .to_string();
                    let q = query(&[("team", team.as_deref()), ("weeks", Some(&weeks))]);
                    r.get("capacity", &q).await?
                }
            };
            if json {
                return out::json(&view);
            }
            capacity_view(&view)
        }
        Command::Forecast { team, goal } => {
            let v: ForecastView = match via {
                Via::Local(ctx) => {
                    landed_app::forecast::forecast(ctx, team.as_deref(), goal.as_deref()).await?
                }
                Via::Remote(r) => {
                    let q = query(&[("team", team.as_deref()), ("goal", goal.as_deref())]);
                    r.get("forecast", &q).await?
                }
            };
            if json {
                return out::json(&v);
            }
            forecast_view(&v)
        }
        Command::Impact { id, if_due } => {
            let view: ImpactView = match via {
                Via::Local(ctx) => links::impact(ctx, id, if_due.as_deref()).await?,
                Via::Remote(r) => {
                    let q = query(&[("if_due", if_due.as_deref())]);
                    r.get(&format!("impact/{}", part(id)), &q).await?
                }
            };
            if json {
                return out::json(&view);
            }
            impact_view(&view)
        }
        Command::History { id } => {
            let lines: Vec<HistoryLine> = match via {
                Via::Local(ctx) => history::history(ctx, id).await?,
                Via::Remote(r) => r.list(&format!("history/{}", part(id)), &[]).await?,
            };
            if json {
                return out::json(&lines);
            }
            history_view(&lines)
        }
        _ => unreachable!("not a command of links"),
    }
}

/// `landed answer` on the workspace file.
async fn answer_local(
    ctx: &landed_app::Ctx<'_, landed_store::AnyStore>,
    cmd: &AnswerCmd,
) -> anyhow::Result<RequestView> {
    use landed_app::requests::{self, Delivery};
    Ok(match cmd {
        AnswerCmd::Commit {
            id,
            owner,
            item,
            create,
            due,
            milestone,
            estimate,
        } => {
            let delivery = match (item, create) {
                (Some(i), _) => Delivery::Item(i.clone()),
                (None, Some(t)) => Delivery::Create(t.clone()),
                (None, None) => unreachable!("clap requires --item or --create"),
            };
            requests::commit(
                ctx,
                id,
                owner,
                delivery,
                due.as_deref(),
                milestone.as_deref(),
                estimate.as_deref(),
            )
            .await?
        }
        AnswerCmd::NotYet { id, note } => requests::not_yet(ctx, id, note.as_deref()).await?,
    })
}
