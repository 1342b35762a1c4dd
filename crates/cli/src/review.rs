//! `landed review --team T [--week W]`: the lead's weekly agenda, section by section, each
//! with its count and the references (I-12, G-3, R-2, @handle) to act on.

use comfy_table::Color;
use landed_app::review::{self, Review};
use landed_core::deps::DepClass;
use landed_core::review::Standing;
use landed_core::slip::DateChange;
use landed_core::when::{self, format_hours};

use crate::out::{self, colored, opt, paint};
use crate::via::Via;

pub async fn run(via: &Via<'_>, team: &str, week: Option<&str>, json: bool) -> anyhow::Result<()> {
    let r: Review = match via {
        Via::Local(ctx) => {
            let review = review::review(ctx, team, week).await?;
            // Its reads are done: the store closes its idle connections while this prints.
            ctx.store.release_idle();
            review
        }
        Via::Remote(r) => {
            let query = crate::remote::query(&[("team", Some(team)), ("week", week)]);
            r.get("reviews", &query).await?
        }
    };
    if json {
        return out::json(&r);
    }
    show(&r)
}

fn handle(h: Option<&String>) -> String {
    opt(h.map(|h| format!("@{h}")))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// A section heading with its count; "none" below it when it is empty.
fn heading(number: u8, title: &str, count: usize) -> anyhow::Result<bool> {
    out::print(&format!(
        "\n{} ({count})",
        paint(&format!("{number}. {title}"), Color::Cyan)
    ))?;
    if count == 0 {
        out::print("none")?;
    }
    Ok(count > 0)
}

fn show(r: &Review) -> anyhow::Result<()> {
    let c = &r.counts;
    let so_far = if r.so_far { ", so far" } else { "" };
    let mut text = format!(
        "Review of {} — {} (Mon {} to Sun {}{so_far}), lead {}, {}\n\n",
        r.team,
        r.week,
        r.monday,
        r.sunday,
        handle(r.lead.as_ref()),
        r.tz
    );
    let overdue = if c.overdue_requests > 0 {
        format!(", {} overdue", c.overdue_requests)
    } else {
        String::new()
    };
    for (label, value) in [
        ("blocked items", c.blocked.to_string()),
        ("needs help", c.needs_help.to_string()),
        ("slips this week", c.slips.to_string()),
        (
            "missed check-ins",
            format!(
                "{} ({})",
                c.missed_check_ins,
                plural(c.missed_by, "person", "people")
            ),
        ),
        ("dependencies in trouble", c.dependencies.to_string()),
        ("requests unanswered", format!("{}{overdue}", c.requests)),
        ("overcommitted people", c.overcommitted.to_string()),
        ("health dropped", c.health_dropped.to_string()),
        ("aspirations", c.aspirations.to_string()),
    ] {
        text += &format!("  {label:<24} {value}\n");
    }
    out::print(text.trim_end())?;
    blocked(r)?;
    needs_help(r)?;
    slips(r)?;
    check_ins(r)?;
    dependencies(r)?;
    overcommitted(r)?;
    health_dropped(r)?;
    aspirations(r)
}

fn blocked(r: &Review) -> anyhow::Result<()> {
    if !heading(1, "Blocked items", r.blocked.len())? {
        return Ok(());
    }
    let mut t = out::table(&["id", "title", "owner", "goal", "blocked", "reason"]);
    for b in &r.blocked {
        t.add_row(vec![
            colored(&b.id, None),
            colored(&b.title, None),
            colored(handle(b.owner.as_ref()), None),
            colored(opt(b.goal.as_ref()), None),
            colored(
                if b.days == 0 {
                    "since today".to_string()
                } else {
                    format!("{} (since {})", days(b.days), b.since)
                },
                (b.days > 3).then_some(Color::Red),
            ),
            colored(opt(b.reason.as_ref()), None),
        ]);
    }
    out::print_table(&t)
}

fn needs_help(r: &Review) -> anyhow::Result<()> {
    if !heading(2, "Needs help", r.needs_help.len())? {
        return Ok(());
    }
    let mut text = String::new();
    for h in &r.needs_help {
        text += &format!("@{}\n", h.person);
        if let Some(n) = &h.needs_help {
            text += &format!("  needs help: {n}\n");
        }
        if let Some(b) = &h.blocked {
            text += &format!("  blocked: {b}\n");
        }
        for i in &h.items {
            text += &format!(
                "  {} {}: {} — {}\n",
                i.id,
                i.title,
                paint("blocked", Color::Red),
                opt(i.note.as_ref())
            );
        }
        for g in &h.goals {
            text += &format!(
                "  {} {}: {}\n",
                g.id,
                g.title,
                paint(g.confidence.as_str(), Color::Yellow)
            );
        }
    }
    out::print(text.trim_end())
}

fn slips(r: &Review) -> anyhow::Result<()> {
    if !heading(3, "Slips this week", r.slips.len())? {
        return Ok(());
    }
    let tz = when::time_zone(&r.tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut t = out::table(&["id", "title", "change", "dates", "reason", "by", "when"]);
    for s in &r.slips {
        let (change, dates, color) = match s.change {
            DateChange::Slip { from, to, days: n } => (
                format!("slipped {}", days(n)),
                format!("{from} → {to}"),
                Some(Color::Red),
            ),
            DateChange::PullIn { from, to, days: n } => (
                format!("pulled in {}", days(n)),
                format!("{from} → {to}"),
                Some(Color::Green),
            ),
            DateChange::Uncommitted { from } => (
                "date removed".to_string(),
                format!("{from} → none"),
                Some(Color::Red),
            ),
        };
        t.add_row(vec![
            colored(&s.id, None),
            colored(&s.title, None),
            colored(change, color),
            colored(dates, None),
            colored(opt(s.reason.as_ref()), None),
            colored(handle(s.by.as_ref()), None),
            colored(
                s.at.to_zoned(tz.clone()).strftime("%a %Y-%m-%d %H:%M"),
                None,
            ),
        ]);
    }
    out::print_table(&t)
}

fn check_ins(r: &Review) -> anyhow::Result<()> {
    // Everyone is listed when someone missed a check-in or has not checked in this week.
    let worth = r
        .check_ins
        .iter()
        .any(|c| !c.missed.is_empty() || !c.checked_in);
    let count = r.counts.missed_check_ins;
    out::print(&format!(
        "\n{} ({count})",
        paint("4. Missed check-ins, last 4 weeks", Color::Cyan)
    ))?;
    if !worth {
        return out::print("none: everyone checked in, this week included");
    }
    let this_week = format!("{}{}", r.week, if r.so_far { " so far" } else { "" });
    let mut t = out::table(&["person", "missed", "owed", &this_week]);
    for c in &r.check_ins {
        let missed: Vec<String> = c.missed.iter().map(|w| w.to_string()).collect();
        t.add_row(vec![
            colored(format!("@{}", c.person), None),
            colored(
                if missed.is_empty() {
                    "-".to_string()
                } else {
                    missed.join(" ")
                },
                (!missed.is_empty()).then_some(Color::Red),
            ),
            colored(c.owed.len(), None),
            colored(
                if c.checked_in {
                    "checked in"
                } else {
                    "not yet"
                },
                (!c.checked_in).then_some(Color::Yellow),
            ),
        ]);
    }
    out::print_table(&t)
}

fn class_color(c: DepClass) -> Option<Color> {
    match c {
        DepClass::Phantom => Some(Color::Red),
        DepClass::Late | DepClass::AtRisk => Some(Color::Yellow),
        DepClass::Ok | DepClass::Met => None,
    }
}

fn dependencies(r: &Review) -> anyhow::Result<()> {
    let count = r.dependencies.len() + r.requests.len();
    if !heading(5, "Dependencies and requests", count)? {
        return Ok(());
    }
    if !r.dependencies.is_empty() {
        let mut t = out::table(&[
            "needs",
            "owner",
            "delivers",
            "owner",
            "class",
            "needed by",
            "due",
        ]);
        for d in &r.dependencies {
            let class = match d.why {
                Some(why) => format!("{} ({})", d.class.as_str(), why.describe()),
                None => d.class.as_str().to_string(),
            };
            t.add_row(vec![
                colored(format!("{} {}", d.from, d.from_title), None),
                colored(handle(d.from_owner.as_ref()), None),
                colored(format!("{} {}", d.to, d.to_title), None),
                colored(handle(d.to_owner.as_ref()), None),
                colored(class, class_color(d.class)),
                colored(opt(d.needed_by), None),
                colored(opt(d.delivers), None),
            ]);
        }
        out::print_table(&t)?;
    }
    if !r.requests.is_empty() {
        out::print(&format!(
            "Requests waiting for an answer ({}):",
            r.requests.len()
        ))?;
        let mut t = out::table(&[
            "id",
            "deliverable",
            "asked by",
            "asked of",
            "needed by",
            "for",
            "state",
        ]);
        for q in &r.requests {
            let state = if q.overdue { "open, overdue" } else { "open" };
            t.add_row(vec![
                colored(&q.id, None),
                colored(&q.deliverable, None),
                colored(
                    format!(
                        "{} {}",
                        opt(q.from_team.as_ref()),
                        handle(q.asked_by.as_ref())
                    ),
                    None,
                ),
                colored(&q.to_team, None),
                colored(q.needed_by, None),
                colored(opt(q.for_id.as_ref()), None),
                colored(state, q.overdue.then_some(Color::Red)),
            ]);
        }
        out::print_table(&t)?;
    }
    Ok(())
}

fn overcommitted(r: &Review) -> anyhow::Result<()> {
    if !heading(
        6,
        "Overcommitted people, next 4 weeks",
        r.overcommitted.len(),
    )? {
        return Ok(());
    }
    // The largest few items of each week; `--json` lists them all.
    const SHOWN: usize = 5;
    let mut text = String::new();
    for p in &r.overcommitted {
        for w in &p.weeks {
            let mut items: Vec<String> = w
                .items
                .iter()
                .take(SHOWN)
                .map(|(id, h)| format!("{id} {}", format_hours(*h)))
                .collect();
            if w.items.len() > SHOWN {
                items.push(format!("and {} more", w.items.len() - SHOWN));
            }
            text += &format!(
                "@{} {}: {} planned, {} available — {}\n",
                p.person,
                w.week,
                format_hours(w.load_hours),
                format_hours(w.available_hours),
                items.join(", ")
            );
        }
    }
    out::print(text.trim_end())
}

fn standing(s: Standing) -> String {
    let color = match s {
        Standing::OnTrack => Color::Green,
        Standing::AtRisk => Color::Yellow,
        Standing::OffTrack | Standing::Aspiration => Color::Red,
    };
    paint(&s.as_str().replace('_', " "), color)
}

fn health_dropped(r: &Review) -> anyhow::Result<()> {
    if !heading(7, "Goals whose health dropped", r.health_dropped.len())? {
        return Ok(());
    }
    let mut text = String::new();
    for d in &r.health_dropped {
        text += &format!(
            "{} {} ({}): {} → {}\n",
            d.id,
            d.title,
            handle(d.owner.as_ref()),
            standing(d.from),
            standing(d.to)
        );
        for why in &d.why {
            text += &format!("  - {why}\n");
        }
        for rule in &d.new_failing {
            text += &format!("  - no longer a plan: {} ({})\n", rule.requirement(), rule);
        }
    }
    out::print(text.trim_end())
}

fn aspirations(r: &Review) -> anyhow::Result<()> {
    if !heading(8, "Aspirations still not plans", r.aspirations.len())? {
        return Ok(());
    }
    let mut text = String::new();
    for a in &r.aspirations {
        text += &format!(
            "{} {} ({}, target {})\n",
            a.id,
            a.title,
            handle(a.owner.as_ref()),
            opt(a.target)
        );
        for f in &a.failing {
            let items = if f.items.is_empty() {
                String::new()
            } else {
                format!(" [{}]", f.items.join(", "))
            };
            text += &format!(
                "  {} {}{items}: {}\n",
                paint("✗", Color::Red),
                f.requirement,
                opt(f.fix.as_ref())
            );
        }
    }
    out::print(text.trim_end())
}
