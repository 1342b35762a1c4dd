//! `landed stats` and `landed remind`: accountability figures and reminders.

use comfy_table::Color;
use landed_app::remind::{self, RemindReport, SettingsView, SetupInput, ShowView};
use landed_app::stats::{self, FiguresView, StatsFor, StatsView};
use reqwest::Method;
use serde_json::json;

use crate::args::RemindCmd;
use crate::out::{self, paint};
use crate::remote::query;
use crate::via::Via;

/// `$LANDED_SMTP_URL`, which overrides the stored SMTP server. (On a server, the server's
/// own environment counts: it is the one that sends.)
fn smtp_env() -> Option<String> {
    std::env::var("LANDED_SMTP_URL").ok()
}

pub async fn stats(via: &Via<'_>, of: StatsFor, since: &str, json: bool) -> anyhow::Result<()> {
    let view: StatsView = match via {
        Via::Local(ctx) => {
            let since = stats::since(ctx, since)?;
            stats::stats(ctx, &of, since).await?
        }
        Via::Remote(r) => {
            let q = query(&[
                ("team", of.team.as_deref()),
                ("person", of.person.as_deref()),
                ("goal", of.goal.as_deref()),
                ("since", Some(since)),
            ]);
            r.get("stats", &q).await?
        }
    };
    if json {
        return out::json(&view);
    }
    out::print(&format!(
        "Figures for {} from {} to {}",
        view.scope,
        view.since.strftime("%Y-%m-%d"),
        view.until.strftime("%Y-%m-%d")
    ))?;
    let mut t = out::table(&[
        "",
        "on time",
        "mean slip",
        "slips",
        "commitments kept",
        "check-ins",
        "last progress",
    ]);
    t.add_row(figure_row(&view.scope, &view.figures));
    for m in &view.members {
        t.add_row(figure_row(&format!("@{}", m.person), &m.figures));
    }
    out::print_table(&t)?;
    if !view.figures.figures.missed_weeks.is_empty() {
        let weeks: Vec<String> = view
            .figures
            .figures
            .missed_weeks
            .iter()
            .map(|w| w.to_string())
            .collect();
        out::print(&format!("Missed check-ins in: {}", weeks.join(", ")))?;
    }
    let stalled: Vec<_> = view.figures.goals.iter().filter(|g| g.stalled).collect();
    if !view.figures.goals.is_empty() {
        out::print(&format!(
            "Open goals: {}, stalled (nothing in progress for 7 days): {}",
            view.figures.goals.len(),
            stalled.len()
        ))?;
        for g in stalled.iter().take(20) {
            out::print(&format!(
                "  {} {} — {} days without work in progress",
                paint(&g.goal, Color::Yellow),
                g.title,
                g.days_idle
            ))?;
        }
    }
    Ok(())
}

fn figure_row(label: &str, f: &FiguresView) -> Vec<String> {
    let f = &f.figures;
    let pct = |r: Option<f64>| r.map_or("-".to_string(), |r| format!("{:.0}%", r * 100.0));
    vec![
        label.to_string(),
        format!(
            "{} ({} of {})",
            pct(f.on_time_rate),
            f.on_time,
            f.dated_done
        ),
        f.mean_slip_days
            .map_or("-".to_string(), |d| format!("{d:.1} days")),
        f.slips.to_string(),
        format!("{} of {}", f.commitments_kept, f.commitments_due),
        format!(
            "{} ({} of {})",
            pct(f.checkin_rate),
            f.checkins_given,
            f.checkins_owed
        ),
        f.days_since_progress
            .map_or("never".to_string(), |d| format!("{d} days ago")),
    ]
}

pub async fn remind(
    via: &Via<'_>,
    dry_run: bool,
    cmd: Option<&RemindCmd>,
    json: bool,
) -> anyhow::Result<()> {
    let env = smtp_env();
    match cmd {
        None => {
            let report: RemindReport = match via {
                Via::Local(ctx) => remind::run(ctx, dry_run, env.as_deref()).await?,
                Via::Remote(r) if dry_run => r.get("reminders/due", &[]).await?,
                Via::Remote(r) => r.post("reminders/run", &json!({})).await?,
            };
            if json {
                return out::json(&report);
            }
            if report.due.is_empty() {
                return out::print("Nothing is due.");
            }
            let mut t = out::table(&["for", "reminder", "to"]);
            for d in &report.due {
                t.add_row(vec![
                    format!("@{}", d.person),
                    d.subject.clone(),
                    if d.to.is_empty() {
                        "(no channel)".to_string()
                    } else {
                        d.to.join(", ")
                    },
                ]);
            }
            out::print_table(&t)?;
            if report.dry_run {
                return out::print(&format!(
                    "Dry run: {} reminder(s) due, nothing recorded or sent.",
                    report.due.len()
                ));
            }
            let sent = report.sent.iter().filter(|s| s.outcome == "sent").count();
            out::print(&format!(
                "{} new reminder(s) recorded; {sent} sent now; {} pending; {} dead letter(s).",
                report.recorded, report.pending, report.dead
            ))?;
            for s in report.sent.iter().filter(|s| s.outcome != "sent") {
                out::print(&paint(
                    &format!(
                        "  {} to {} {}: {}{}",
                        s.key,
                        s.channel,
                        s.target,
                        s.error.as_deref().unwrap_or("failed"),
                        s.next_at
                            .map(|t| format!(" — retried after {}", t.strftime("%H:%M UTC")))
                            .unwrap_or_else(|| " — kept as a dead letter".to_string())
                    ),
                    Color::Yellow,
                ))?;
            }
            if report.unroutable > 0 {
                out::print(&format!(
                    "{} due reminder(s) reach nobody: set channels with `landed remind setup` (e-mail needs --smtp-url and people with an e-mail address)",
                    report.unroutable
                ))?;
            }
            Ok(())
        }
        Some(RemindCmd::Setup {
            person,
            smtp_url,
            mail_from,
            webhook_url,
            webhook_secret,
            new_secret,
            checkin_day,
            no_email,
            email,
        }) => {
            let input = SetupInput {
                person: person.clone(),
                smtp_url: smtp_url.clone(),
                mail_from: mail_from.clone(),
                webhook_url: webhook_url.clone(),
                webhook_secret: webhook_secret.clone(),
                new_secret: *new_secret,
                checkin_day: checkin_day.clone(),
                email: match (no_email, email) {
                    (true, _) => Some(false),
                    (_, true) => Some(true),
                    _ => None,
                },
            };
            let view: SettingsView = match via {
                Via::Local(ctx) => remind::setup(ctx, &input).await?,
                Via::Remote(r) => {
                    let body = json!({
                        "person": input.person,
                        "smtp_url": input.smtp_url,
                        "mail_from": input.mail_from,
                        "webhook_url": input.webhook_url,
                        "webhook_secret": input.webhook_secret,
                        "new_secret": input.new_secret,
                        "checkin_day": input.checkin_day,
                        "email": input.email,
                    });
                    r.send(Method::PATCH, "reminders/settings", &body).await?
                }
            };
            if json {
                return out::json(&view);
            }
            out::print(&format!("Reminder settings of {} saved.", view.scope))?;
            if let Some(secret) = &view.new_secret {
                out::print(&format!(
                    "Webhook signing secret (shown once; give it to the receiver): {secret}"
                ))?;
            }
            Ok(())
        }
        Some(RemindCmd::Show { last }) => {
            let view: ShowView = match via {
                Via::Local(ctx) => remind::show(ctx, *last, env.as_deref()).await?,
                Via::Remote(r) => r.get("reminders", &[("last", last.to_string())]).await?,
            };
            if json {
                return out::json(&view);
            }
            if view.settings.is_empty() {
                out::print("No channels set: see `landed remind setup --help`.")?;
            }
            for s in &view.settings {
                out::print(&format!(
                    "{}: smtp {}, from {}, webhook {}{}, check-in day {}, e-mail {}",
                    s.scope,
                    s.smtp_url.as_deref().unwrap_or("-"),
                    s.mail_from.as_deref().unwrap_or("-"),
                    s.webhook_url.as_deref().unwrap_or("-"),
                    if s.webhook_signed { " (signed)" } else { "" },
                    s.checkin_day.as_deref().unwrap_or("fri"),
                    if s.email { "on" } else { "off" }
                ))?;
            }
            if view.smtp_from_env {
                out::print("SMTP server: from $LANDED_SMTP_URL")?;
            }
            if !view.reminders.is_empty() {
                let mut t =
                    out::table(&["#", "state", "tries", "channel", "to", "subject", "error"]);
                for r in &view.reminders {
                    t.add_row(vec![
                        r.id.to_string(),
                        r.state.as_str().to_string(),
                        r.attempts.to_string(),
                        r.new.channel.clone(),
                        r.new.target.clone(),
                        r.new.subject.clone(),
                        r.last_error.clone().unwrap_or_default(),
                    ]);
                }
                out::print_table(&t)?;
            }
            Ok(())
        }
    }
}
