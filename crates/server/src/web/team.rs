//! A team's view of the week: the lead's review (printable), the dependency map and the
//! capacity heatmap.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use landed_app::capacity::CapacityView;
use landed_app::review::Review;
use landed_app::views::DepView;
use landed_app::{AppError, Surface};
use serde::Deserialize;

use super::goals::hours;
use super::{Me, Web, pick_team};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct TeamQuery {
    team: Option<String>,
    week: Option<String>,
}

/// One line of a review section: what, and the detail under it.
pub struct Line {
    pub text: String,
    pub detail: String,
}

/// A section of the review, with what it says when there is nothing.
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub lines: Vec<Line>,
    pub empty: &'static str,
}

fn who(h: Option<&String>) -> String {
    h.map_or_else(|| "nobody".to_string(), |h| format!("@{h}"))
}

fn sections(r: &Review) -> Vec<Section> {
    let line = |text: String, detail: String| Line { text, detail };
    vec![
        Section {
            id: "blocked",
            title: "Blocked",
            lines: r
                .blocked
                .iter()
                .map(|b| {
                    line(
                        format!("{} {} ({})", b.id, b.title, who(b.owner.as_ref())),
                        format!(
                            "blocked since {} ({} days){}",
                            b.since,
                            b.days,
                            b.reason
                                .as_ref()
                                .map_or(String::new(), |r| format!(": {r}"))
                        ),
                    )
                })
                .collect(),
            empty: "Nothing of the team is blocked.",
        },
        Section {
            id: "needs-help",
            title: "Needs help",
            lines: r
                .needs_help
                .iter()
                .map(|h| {
                    let mut detail: Vec<String> = Vec::new();
                    if let Some(b) = &h.blocked {
                        detail.push(format!("blocked: {b}"));
                    }
                    detail.extend(h.items.iter().map(|i| {
                        format!(
                            "{} {}{}",
                            i.id,
                            i.title,
                            i.note.as_ref().map_or(String::new(), |n| format!(": {n}"))
                        )
                    }));
                    detail.extend(
                        h.goals
                            .iter()
                            .map(|g| format!("{} {} is {}", g.id, g.title, g.confidence.as_str())),
                    );
                    line(
                        format!(
                            "@{}{}",
                            h.person,
                            h.needs_help
                                .as_ref()
                                .map_or(String::new(), |n| format!(": {n}"))
                        ),
                        detail.join("; "),
                    )
                })
                .collect(),
            empty: "Nobody asked for help this week.",
        },
        Section {
            id: "slips",
            title: "Slips this week",
            lines: r
                .slips
                .iter()
                .map(|s| {
                    line(
                        format!("{} {}: {}", s.id, s.title, s.change.describe()),
                        format!(
                            "{} by {}",
                            s.reason.as_deref().unwrap_or("no reason given"),
                            who(s.by.as_ref())
                        ),
                    )
                })
                .collect(),
            empty: "No committed date moved this week.",
        },
        Section {
            id: "check-ins",
            title: "Missed check-ins",
            lines: r
                .check_ins
                .iter()
                .filter(|c| !c.missed.is_empty() || !c.checked_in)
                .map(|c| {
                    line(
                        format!(
                            "@{}: {}",
                            c.person,
                            if c.checked_in {
                                "checked in this week"
                            } else {
                                "not checked in this week"
                            }
                        ),
                        if c.missed.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "missed {}",
                                c.missed
                                    .iter()
                                    .map(ToString::to_string)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        },
                    )
                })
                .collect(),
            empty: "Everyone checked in.",
        },
        Section {
            id: "dependencies",
            title: "Dependencies in trouble",
            lines: r
                .dependencies
                .iter()
                .map(|d| {
                    line(
                        format!(
                            "{}: {} needs {} {}",
                            d.class.as_str().replace('_', " "),
                            d.from,
                            d.to,
                            d.to_title
                        ),
                        d.why.map_or(String::new(), |w| w.describe().to_string()),
                    )
                })
                .collect(),
            empty: "No phantom, late or at-risk dependency touches the team.",
        },
        Section {
            id: "requests",
            title: "Unanswered requests",
            lines: r
                .requests
                .iter()
                .map(|q| {
                    line(
                        format!(
                            "{} {}: {} asks {}",
                            q.id,
                            q.deliverable,
                            q.from_team.as_deref().unwrap_or("—"),
                            q.to_team
                        ),
                        format!(
                            "needed by {}{}",
                            q.needed_by,
                            if q.overdue {
                                ", unanswered too long"
                            } else {
                                ""
                            }
                        ),
                    )
                })
                .collect(),
            empty: "No request waits for an answer.",
        },
        Section {
            id: "overcommitted",
            title: "Overcommitted",
            lines: r
                .overcommitted
                .iter()
                .map(|o| {
                    line(
                        format!("@{} ({} h a week)", o.person, hours(o.available_hours)),
                        o.weeks
                            .iter()
                            .map(|w| format!("{}: {} h", w.week, hours(w.load_hours)))
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                })
                .collect(),
            empty: "Nobody is loaded past their hours in the next weeks.",
        },
        Section {
            id: "health",
            title: "Health dropped",
            lines: r
                .health_dropped
                .iter()
                .map(|d| {
                    line(
                        format!(
                            "{} {}: {} → {}",
                            d.id,
                            d.title,
                            d.from.as_str().replace('_', " "),
                            d.to.as_str().replace('_', " ")
                        ),
                        d.why.join("; "),
                    )
                })
                .collect(),
            empty: "No goal's health dropped this week.",
        },
        Section {
            id: "aspirations",
            title: "Still not plans",
            lines: r
                .aspirations
                .iter()
                .map(|a| {
                    line(
                        format!("{} {} ({})", a.id, a.title, who(a.owner.as_ref())),
                        a.failing
                            .iter()
                            .map(|c| c.requirement.to_string())
                            .collect::<Vec<_>>()
                            .join("; "),
                    )
                })
                .collect(),
            empty: "Every goal of the team is a plan.",
        },
    ]
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    me: Me,
    team: String,
    team_names: Vec<String>,
    heading: String,
    sections: Vec<Section>,
    error: String,
}

/// The lead's weekly agenda for a team, in sections, printable.
pub async fn review(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<TeamQuery>,
) -> Response {
    let ctx = web.ctx(&state);
    let page = async {
        let (team, team_names) = pick_team(&ctx, q.team.as_deref()).await?;
        let (heading, sections, error) = if team.is_empty() {
            (String::new(), Vec::new(), String::new())
        } else {
            match landed_app::review::review(&ctx, &team, q.week.as_deref()).await {
                Ok(r) => (
                    format!(
                        "{} {} ({} to {}){}",
                        r.team,
                        r.week,
                        r.monday,
                        r.sunday,
                        if r.so_far { ", so far" } else { "" }
                    ),
                    sections(&r),
                    String::new(),
                ),
                Err(e @ (AppError::Week(_) | AppError::NotAllowed(_) | AppError::When(_))) => {
                    (String::new(), Vec::new(), e.message(Surface::Web))
                }
                Err(e) => return Err(e),
            }
        };
        Ok::<_, AppError>(ReviewPage {
            me: web.me(),
            team,
            team_names,
            heading,
            sections,
            error,
        })
    }
    .await;
    super::page(StatusCode::OK, page)
}

/// One cell of the heatmap: the load against the hours, and how full.
pub struct Cell {
    pub text: String,
    pub class: &'static str,
    pub title: String,
}

/// One person's row of the heatmap.
pub struct Row {
    pub handle: String,
    pub hours: String,
    pub cells: Vec<Cell>,
    pub unplanned: usize,
}

/// One week of a team's protected time.
pub struct ProtectedRow {
    pub week: String,
    pub reserved: String,
    pub strategic: String,
    pub reactive: String,
    pub verdict: String,
}

#[derive(Template)]
#[template(path = "capacity.html")]
struct CapacityPage {
    me: Me,
    team: String,
    team_names: Vec<String>,
    weeks: Vec<String>,
    rows: Vec<Row>,
    protected: Vec<ProtectedRow>,
    share: String,
}

fn heatmap(view: &CapacityView) -> (Vec<String>, Vec<Row>) {
    let weeks = view.weeks.iter().map(ToString::to_string).collect();
    let rows = view
        .people
        .iter()
        .map(|p| Row {
            handle: p.handle.clone(),
            hours: hours(p.available_hours),
            unplanned: p.unplanned.len(),
            cells: p
                .weeks
                .iter()
                .map(|w| {
                    let ratio = if w.available_hours > 0.0 {
                        w.load_hours / w.available_hours
                    } else if w.load_hours > 0.0 {
                        f64::INFINITY
                    } else {
                        0.0
                    };
                    let class = if w.overcommitted {
                        "heat over"
                    } else if ratio >= 0.8 {
                        "heat full"
                    } else if ratio >= 0.4 {
                        "heat some"
                    } else {
                        "heat light"
                    };
                    Cell {
                        text: format!(
                            "{} / {} h{}",
                            hours(w.load_hours),
                            hours(w.available_hours),
                            if w.overcommitted { " over" } else { "" }
                        ),
                        class,
                        title: w
                            .items
                            .iter()
                            .map(|(id, h)| format!("{id} {} h", hours(*h)))
                            .collect::<Vec<_>>()
                            .join(", "),
                    }
                })
                .collect(),
        })
        .collect();
    (weeks, rows)
}

/// Load against available hours per person and week, overcommitted weeks marked in words,
/// and the team's protected strategic time with "urgent is winning".
pub async fn capacity(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<TeamQuery>,
) -> Response {
    let ctx = web.ctx(&state);
    let page = async {
        let (team, team_names) = pick_team(&ctx, q.team.as_deref()).await?;
        let view = landed_app::capacity::grid(
            &ctx,
            Some(&team).filter(|t| !t.is_empty()).map(String::as_str),
            6,
        )
        .await?;
        let (weeks, rows) = heatmap(&view);
        let mine = view.protected.iter().find(|p| p.team == team);
        Ok::<_, AppError>(CapacityPage {
            me: web.me(),
            share: mine.map_or_else(String::new, |p| format!("{:.0}%", p.share * 100.0)),
            protected: mine
                .map(|p| {
                    p.weeks
                        .iter()
                        .map(|w| ProtectedRow {
                            week: format!("{}{}", w.week, if w.so_far { " (so far)" } else { "" }),
                            reserved: hours(w.reserved_hours),
                            strategic: hours(w.strategic_hours),
                            reactive: hours(w.reactive_hours),
                            verdict: if w.urgent_is_winning {
                                "urgent is winning".into()
                            } else if !w.urgent_for.is_empty() {
                                format!(
                                    "urgent is winning for {}",
                                    w.urgent_for
                                        .iter()
                                        .map(|h| format!("@{h}"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            } else {
                                "kept".into()
                            },
                        })
                        .collect()
                })
                .unwrap_or_default(),
            team,
            team_names,
            weeks,
            rows,
        })
    }
    .await;
    super::page(StatusCode::OK, page)
}

/// A node of the dependency map, placed.
pub struct MapNode {
    pub x: u32,
    pub y: u32,
    pub label: String,
    pub title: String,
    pub href: String,
}

/// An edge of the dependency map, placed, with its class in words (never colour alone).
pub struct MapEdge {
    pub x1: u32,
    pub y1: u32,
    pub x2: u32,
    pub y2: u32,
    pub class: &'static str,
    pub word: String,
    pub lx: u32,
    pub ly: u32,
    pub title: String,
}

#[derive(Template)]
#[template(path = "deps.html")]
struct MapPage {
    me: Me,
    team: String,
    team_names: Vec<String>,
    width: u32,
    height: u32,
    nodes: Vec<MapNode>,
    edges: Vec<MapEdge>,
    shown: usize,
    hidden: usize,
}

/// At most this many dependencies on the map; the worst come first.
const MAP_LIMIT: usize = 200;
const ROW: u32 = 34;
/// The height of a node's box, within its row.
const BOX: u32 = 26;
const NODE_W: u32 = 300;
const GAP: u32 = 220;

/// Needing ends on the left, delivering ends on the right, one row each, in the order of the
/// worst dependency they take part in.
fn layout(deps: &[DepView]) -> (Vec<MapNode>, Vec<MapEdge>, u32, u32) {
    let mut left: Vec<(String, String)> = Vec::new();
    let mut right: Vec<(String, String)> = Vec::new();
    let place = |side: &mut Vec<(String, String)>, id: &str, title: &str| -> u32 {
        let at = side.iter().position(|(i, _)| i == id).unwrap_or_else(|| {
            side.push((id.to_string(), title.to_string()));
            side.len() - 1
        });
        // The middle of the row's box.
        u32::try_from(at).unwrap_or(u32::MAX) * ROW + 8 + BOX / 2
    };
    let mut edges = Vec::new();
    for d in deps {
        let y1 = place(&mut left, &d.from, &d.from_title);
        let y2 = place(&mut right, &d.to, &d.to_title);
        let (x1, x2) = (10 + NODE_W, 10 + NODE_W + GAP);
        edges.push(MapEdge {
            x1,
            y1,
            x2,
            y2,
            class: d.class.as_str(),
            word: d.class.as_str().replace('_', " "),
            lx: x1 + GAP / 2,
            ly: (y1 + y2) / 2 - 4,
            title: format!(
                "{} needs {}: {}{}",
                d.from,
                d.to,
                d.class.as_str().replace('_', " "),
                d.needed_by
                    .map_or(String::new(), |n| format!(", needed by {n}"))
            ),
        });
    }
    let node = |x: u32| {
        move |(n, (id, title)): (usize, (String, String))| {
            let short: String = title.chars().take(30).collect();
            MapNode {
                x,
                y: u32::try_from(n).unwrap_or(u32::MAX) * ROW + 8,
                href: super::node_href(&id),
                label: format!(
                    "{id} {short}{}",
                    if title.chars().count() > 30 {
                        "…"
                    } else {
                        ""
                    }
                ),
                title: format!("{id} {title}"),
            }
        }
    };
    let rows = u32::try_from(left.len().max(right.len())).unwrap_or(u32::MAX);
    let mut nodes: Vec<MapNode> = left.into_iter().enumerate().map(node(10)).collect();
    nodes.extend(right.into_iter().enumerate().map(node(10 + NODE_W + GAP)));
    (nodes, edges, 20 + 2 * NODE_W + GAP, rows * ROW + 16)
}

/// The team's dependencies as a graph: what it needs and what needs it, phantom in red and
/// dashed, late and at risk marked, each with its class written on it.
pub async fn dependency_map(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<TeamQuery>,
) -> Response {
    let ctx = web.ctx(&state);
    let page = async {
        let (team, team_names) = pick_team(&ctx, q.team.as_deref()).await?;
        let mut deps = if team.is_empty() {
            Vec::new()
        } else {
            landed_app::links::list(&ctx, Some(&team)).await?
        };
        // Worst first: the classes are ordered phantom, late, at risk, ok, met.
        deps.sort_by_key(|d| d.class);
        let hidden = deps.len().saturating_sub(MAP_LIMIT);
        deps.truncate(MAP_LIMIT);
        let (nodes, edges, width, height) = layout(&deps);
        Ok::<_, AppError>(MapPage {
            me: web.me(),
            team,
            team_names,
            width,
            height,
            shown: edges.len(),
            nodes,
            edges,
            hidden,
        })
    }
    .await;
    super::page(StatusCode::OK, page)
}
