//! `landed report`: the weekly status report as GitHub-flavoured Markdown, as one printable HTML
//! page, or as JSON. The content is `landed_app::report`; this only writes it out, escaping
//! every text people typed.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use landed_app::report::{self, Change, GoalReport, Report, ReportScope};
use landed_core::health::Health;
use landed_core::plan::GoalStatus;

use crate::args::ReportFormat;
use crate::out;
use crate::via::Via;

pub async fn run(
    via: &Via<'_>,
    team: Option<&str>,
    week: Option<&str>,
    format: ReportFormat,
    output: Option<&Path>,
    json: bool,
) -> anyhow::Result<()> {
    let r: Report = match via {
        Via::Local(ctx) => {
            let scope = match team {
                Some(t) => ReportScope::Team(t.to_string()),
                None => ReportScope::Workspace,
            };
            let report = report::report(ctx, scope, week).await?;
            // Its reads are done: the store closes its idle connections while this prints.
            ctx.store.release_idle();
            report
        }
        Via::Remote(r) => {
            let query = crate::remote::query(&[("team", team), ("week", week)]);
            r.get("reports", &query).await?
        }
    };
    let format = if json { ReportFormat::Json } else { format };
    let text = match format {
        ReportFormat::Md => markdown(&r),
        ReportFormat::Html => html(&r),
        ReportFormat::Json => serde_json::to_string_pretty(&r)? + "\n",
    };
    match output {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            out::print(&path.display().to_string())
        }
        None => out::print(&text),
    }
}

/// The report's title: whose and which week.
fn title(r: &Report) -> String {
    match &r.team {
        Some(team) => format!("{team}: weekly report {}", r.week),
        None => format!("{}: weekly report {}", r.workspace, r.week),
    }
}

/// When it was made, on the workspace's clock.
fn generated(r: &Report) -> String {
    match landed_core::when::time_zone(&r.tz) {
        Ok(tz) => r
            .generated_at
            .to_zoned(tz)
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string(),
        Err(_) => r.generated_at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "6 goals: 4 plans, 2 aspirations" and the health counts, in words.
fn summary_line(r: &Report) -> (String, String) {
    let s = &r.summary;
    let mut verdicts = vec![
        plural(s.plans, "plan", "plans"),
        plural(s.aspirations, "aspiration", "aspirations"),
    ];
    if s.done > 0 {
        verdicts.push(format!("{} done", s.done));
    }
    if s.dropped > 0 {
        verdicts.push(format!("{} dropped", s.dropped));
    }
    let goals = format!(
        "{}: {}",
        plural(s.goals, "goal", "goals"),
        verdicts.join(", ")
    );
    let health = format!(
        "health of plans: {} on track, {} at risk, {} off track",
        s.on_track, s.at_risk, s.off_track
    );
    (goals, health)
}

fn status_word(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Plan => "plan",
        GoalStatus::Aspiration => "aspiration",
        GoalStatus::Done => "done",
        GoalStatus::Dropped => "dropped",
    }
}

fn health_word(h: Health) -> &'static str {
    match h {
        Health::OnTrack => "on track",
        Health::AtRisk => "at risk",
        Health::OffTrack => "off track",
    }
}

fn hours(h: f64) -> String {
    let h = (h * 10.0).round() / 10.0;
    format!("{h}h")
}

/// "3 of 8 items done · 12h of 40h estimated · 30%".
fn progress_text(g: &GoalReport) -> String {
    let p = &g.progress;
    let mut text = format!("{} of {} items done", p.done_items, p.total_items);
    if p.total_hours > 0.0 {
        let _ = write!(
            text,
            " · {} of {} estimated",
            hours(p.done_hours),
            hours(p.total_hours)
        );
    }
    let _ = write!(text, " · {}%", g.percent);
    text
}

/// The target, with the milestone and the forecast when known.
fn target_text(g: &GoalReport) -> Option<String> {
    let mut text = g.target?.to_string();
    if let Some(m) = &g.milestone {
        let _ = write!(text, " ({m})");
    }
    if let Some(f) = g.forecast {
        let _ = write!(text, ", forecast {f}");
    }
    Some(text)
}

/// The next step's details after its title: owner, due date, status.
fn next_details(n: &report::NextStep) -> String {
    let mut parts = Vec::new();
    if let Some(o) = &n.owner {
        parts.push(format!("@{o}"));
    }
    if let Some(d) = n.due {
        parts.push(format!("due {d}"));
    }
    parts.push(n.status.as_str().to_string());
    parts.join(", ")
}

/// Goals grouped by team in the order the report gives them; one unnamed group for a team
/// report.
fn groups(r: &Report) -> Vec<(Option<&str>, Vec<&GoalReport>)> {
    let mut groups: Vec<(Option<&str>, Vec<&GoalReport>)> = Vec::new();
    for g in &r.goals {
        let team = if r.team.is_some() {
            None
        } else {
            Some(g.team.as_deref().unwrap_or("No team"))
        };
        match groups.last_mut() {
            Some((t, goals)) if *t == team => goals.push(g),
            _ => groups.push((team, vec![g])),
        }
    }
    groups
}

// ---- Markdown ----

/// User text made literal in GitHub-flavoured Markdown, inside a line (never at its start):
/// the punctuation that could start markup there (emphasis, code, links, HTML, entities,
/// strikethrough, math, table cells, closing `#`s) is backslash-escaped, and line breaks become
/// spaces so a title cannot end a list item or a table row.
pub fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn markdown(r: &Report) -> String {
    let mut md = String::new();
    let (goals, health) = summary_line(r);
    let _ = writeln!(md, "# {}\n", md_escape(&title(r)));
    let _ = writeln!(
        md,
        "Week **{}**, Monday {} to Sunday {} ({}) · generated {}\n",
        r.week,
        r.monday,
        r.sunday,
        md_escape(&r.tz),
        md_escape(&generated(r))
    );
    let _ = writeln!(
        md,
        "**{goals}** · {health} · {} this week\n",
        plural(r.summary.changes, "change", "changes")
    );
    if r.goals.is_empty() {
        md.push_str("No goals to report.\n");
    }
    let level = if r.team.is_some() { "##" } else { "###" };
    for (team, goals) in groups(r) {
        if let Some(t) = team {
            let _ = writeln!(md, "## {}\n", md_escape(t));
        }
        for g in goals {
            md_goal(&mut md, level, g);
        }
    }
    md
}

fn md_goal(md: &mut String, level: &str, g: &GoalReport) {
    let _ = writeln!(md, "{level} {} {}\n", g.id, md_escape(&g.title));
    let mut verdict = format!("**Verdict:** {}", status_word(g.status));
    if let Some(h) = g.health {
        let _ = write!(verdict, " · **Health:** {}", health_word(h));
        if !g.health_why.is_empty() {
            let _ = write!(verdict, " ({})", g.health_why.join("; "));
        }
    }
    let _ = writeln!(md, "- {verdict}");
    if !g.not_a_plan.is_empty() {
        let why: Vec<String> = g
            .not_a_plan
            .iter()
            .map(|c| {
                if c.items.is_empty() {
                    c.requirement.to_string()
                } else {
                    format!("{} ({})", c.requirement, c.items.join(", "))
                }
            })
            .collect();
        let _ = writeln!(md, "- **Not a plan until:** {}", why.join("; "));
    }
    if let Some(reason) = &g.close_reason {
        let _ = writeln!(md, "- **Closed:** {}", md_escape(reason));
    }
    if let Some(o) = &g.outcome {
        let _ = writeln!(md, "- **Outcome:** {}", md_escape(o));
    }
    let owner = g
        .owner
        .as_ref()
        .map_or("none".to_string(), |o| format!("@{}", md_escape(o)));
    let target = target_text(g).map_or("none".to_string(), |t| md_escape(&t));
    let _ = writeln!(md, "- **Owner:** {owner} · **Target:** {target}");
    let _ = writeln!(md, "- **Progress:** {}", progress_text(g));
    match (&g.next_step, &g.no_next_step) {
        (Some(n), _) => {
            let _ = writeln!(
                md,
                "- **Next step:** {} {} ({})",
                n.id,
                md_escape(&n.title),
                md_escape(&next_details(n))
            );
        }
        (None, why) => {
            let _ = writeln!(
                md,
                "- **Next step:** none ({})",
                why.as_deref().unwrap_or("none")
            );
        }
    }
    let _ = writeln!(md, "\n**What changed this week**\n");
    if g.changes.is_empty() {
        md.push_str("- nothing\n");
    }
    for c in &g.changes {
        let _ = writeln!(md, "- {}", md_change(c));
    }
    md.push('\n');
}

fn md_change(c: &Change) -> String {
    let mut line = md_escape(&c.summary);
    if let Some(reason) = &c.reason {
        let _ = write!(line, ": *{}*", md_escape(reason));
    }
    if let Some(by) = &c.by {
        let _ = write!(line, " (@{})", md_escape(by));
    }
    line
}

// ---- HTML ----

/// Text made literal in HTML, in element content and in quoted attribute values alike.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa;
  --green: #1a7f37; --amber: #9a6700; --red: #cf222e; --blue: #0969da; --grey: #6e7781; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; line-height: 1.25; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; padding-bottom: .25rem; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.1rem; margin: 0; line-height: 1.3; overflow-wrap: anywhere; }
h4 { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: .9rem 0 .3rem; }
.meta { color: var(--muted); margin: 0 0 1rem; }
.lead { font-size: 1.05rem; margin: 0 0 .75rem; }
.summary { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0 0 1.5rem; padding: 0; list-style: none; }
.summary li { flex: 1 1 7rem; border: 1px solid var(--line); border-top: 4px solid var(--grey);
  border-radius: 6px; padding: .35rem .75rem; }
.summary b { display: block; font-size: 1.4rem; line-height: 1.2; }
.summary .on_track { border-top-color: var(--green); } .summary .on_track b { color: var(--green); }
.summary .at_risk { border-top-color: var(--amber); } .summary .at_risk b { color: var(--amber); }
.summary .off_track { border-top-color: var(--red); } .summary .off_track b { color: var(--red); }
.goal { border: 1px solid var(--line); border-left: 6px solid var(--grey); border-radius: 6px;
  padding: .9rem 1rem; margin: 0 0 1rem; break-inside: avoid; page-break-inside: avoid; }
.goal.on_track { border-left-color: var(--green); }
.goal.at_risk { border-left-color: var(--amber); }
.goal.off_track { border-left-color: var(--red); }
.goal > header { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: baseline; justify-content: space-between; }
.ref { font: 600 .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); margin-right: .35rem; }
.badges { display: flex; flex-wrap: wrap; gap: .35rem; }
.badge { display: inline-block; font-size: .78rem; font-weight: 600; padding: .05rem .55rem;
  border: 1.5px solid currentColor; border-radius: 999px; white-space: nowrap; }
.badge.plan { color: var(--blue); }
.badge.aspiration { color: var(--grey); border-style: dashed; }
.badge.done, .badge.dropped { color: var(--grey); }
.badge.on_track { color: var(--green); }
.badge.at_risk { color: var(--amber); }
.badge.off_track { color: var(--red); }
.outcome { margin: .35rem 0 0; color: var(--muted); overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: 8.5rem 1fr; gap: .2rem .75rem; margin: .75rem 0 0; }
dt { color: var(--muted); font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
dd ul { margin: 0; padding-left: 1.1rem; }
.bar { display: inline-block; vertical-align: middle; width: 8rem; height: .6rem; margin-right: .5rem;
  border: 1px solid var(--ink); border-radius: 3px; overflow: hidden; }
.bar span { display: block; height: 100%; background: var(--ink); }
.changes { margin: 0; padding-left: 1.1rem; }
.changes li { margin: .1rem 0; overflow-wrap: anywhere; }
.why { font-style: italic; }
.by, .none { color: var(--muted); }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; }
@media (max-width: 36rem) {
  main { padding: .75rem .6rem 2rem; }
  h1 { font-size: 1.3rem; }
  dl { grid-template-columns: 1fr; gap: 0; }
  dt { margin-top: .35rem; }
  .summary li { min-width: 0; flex: 1 1 40%; }
}
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  :root { --muted: #333; --line: #777; }
  body { font-size: 10.5pt; color: #000; background: none; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; border-bottom-color: #000; }
  .goal { border-color: #777; border-left-color: #000; }
  .bar { border-color: #000; }
  .bar span { background: #000; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .badge, .summary b { color: #000 !important; }
  .summary li { border-top-color: #000; }
}
"#;

fn html(r: &Report) -> String {
    let (goals, health) = summary_line(r);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        html_escape(&title(r))
    );
    let _ = writeln!(h, "<h1>{}</h1>", html_escape(&title(r)));
    let _ = writeln!(
        h,
        "<p class=\"meta\">Week <b>{}</b>: Monday {} to Sunday {} ({}) · generated {}</p>",
        r.week,
        r.monday,
        r.sunday,
        html_escape(&r.tz),
        html_escape(&generated(r))
    );
    let s = &r.summary;
    let _ = writeln!(
        h,
        "<p class=\"lead\"><b>{}</b> · {}</p>",
        html_escape(&goals),
        html_escape(&health)
    );
    // The health counts again as tiles: a number, a word and a colour.
    h.push_str("<ul class=\"summary\">\n");
    for (n, label, class) in [
        (s.on_track, "● on track", "on_track"),
        (s.at_risk, "▲ at risk", "at_risk"),
        (s.off_track, "■ off track", "off_track"),
        (s.changes, "changes this week", "changes"),
    ] {
        let _ = writeln!(h, "<li class=\"{class}\"><b>{n}</b>{label}</li>");
    }
    h.push_str("</ul>\n");
    if r.goals.is_empty() {
        h.push_str("<p class=\"none\">No goals to report.</p>\n");
    }
    for (team, goals) in groups(r) {
        if let Some(t) = team {
            let _ = writeln!(h, "<h2>{}</h2>", html_escape(t));
        }
        for g in goals {
            html_goal(&mut h, g);
        }
    }
    let _ = writeln!(
        h,
        "<footer>Made by landed. Verdicts, health, progress and next steps are as of {}; \
         \"what changed\" covers {} ({} to {}).</footer>\n</main>\n</body>\n</html>",
        html_escape(&generated(r)),
        r.week,
        r.monday,
        r.sunday
    );
    h
}

fn html_goal(h: &mut String, g: &GoalReport) {
    let health_class = g.health.map_or("", Health::as_str);
    let _ = writeln!(
        h,
        "<article class=\"goal {} {health_class}\">\n<header>\n<h3><span class=\"ref\">{}</span>{}</h3>",
        g.status.as_str(),
        g.id,
        html_escape(&g.title)
    );
    let _ = write!(
        h,
        "<p class=\"badges\"><span class=\"badge {0}\">{1}</span>",
        g.status.as_str(),
        status_word(g.status)
    );
    if let Some(health) = g.health {
        // A shape as well as a colour and a word, so that neither colour nor print is needed.
        let mark = match health {
            Health::OnTrack => "●",
            Health::AtRisk => "▲",
            Health::OffTrack => "■",
        };
        let _ = write!(
            h,
            " <span class=\"badge {}\">{mark} {}</span>",
            health.as_str(),
            health_word(health)
        );
    }
    h.push_str("</p>\n</header>\n");
    if let Some(o) = &g.outcome {
        let _ = writeln!(h, "<p class=\"outcome\">Outcome: {}</p>", html_escape(o));
    }
    h.push_str("<dl>\n");
    if !g.health_why.is_empty() {
        let _ = writeln!(
            h,
            "<dt>Why {}</dt><dd><ul>",
            g.health.map_or("", health_word)
        );
        for why in &g.health_why {
            let _ = writeln!(h, "<li>{}</li>", html_escape(why));
        }
        h.push_str("</ul></dd>\n");
    }
    if !g.not_a_plan.is_empty() {
        h.push_str("<dt>Not a plan until</dt><dd><ul>\n");
        for c in &g.not_a_plan {
            let items = if c.items.is_empty() {
                String::new()
            } else {
                format!(" ({})", c.items.join(", "))
            };
            let _ = writeln!(h, "<li>{}{}</li>", html_escape(&c.requirement), items);
        }
        h.push_str("</ul></dd>\n");
    }
    if let Some(reason) = &g.close_reason {
        let _ = writeln!(h, "<dt>Closed</dt><dd>{}</dd>", html_escape(reason));
    }
    let owner = g
        .owner
        .as_ref()
        .map_or("<span class=\"none\">none</span>".to_string(), |o| {
            format!("@{}", html_escape(o))
        });
    let _ = writeln!(h, "<dt>Owner</dt><dd>{owner}</dd>");
    let target = target_text(g).map_or("<span class=\"none\">none</span>".to_string(), |t| {
        html_escape(&t)
    });
    let _ = writeln!(h, "<dt>Target</dt><dd>{target}</dd>");
    let _ = writeln!(
        h,
        "<dt>Progress</dt><dd><span class=\"bar\" role=\"presentation\"><span style=\"width:{}%\"></span></span>{}</dd>",
        g.percent.min(100),
        html_escape(&progress_text(g))
    );
    let next = match (&g.next_step, &g.no_next_step) {
        (Some(n), _) => format!(
            "<span class=\"ref\">{}</span>{} <span class=\"by\">({})</span>",
            n.id,
            html_escape(&n.title),
            html_escape(&next_details(n))
        ),
        (None, why) => format!(
            "<span class=\"none\">none: {}</span>",
            html_escape(why.as_deref().unwrap_or("none"))
        ),
    };
    let _ = writeln!(h, "<dt>Next step</dt><dd>{next}</dd>\n</dl>");
    h.push_str("<h4>What changed this week</h4>\n");
    if g.changes.is_empty() {
        h.push_str("<p class=\"none\">Nothing this week.</p>\n");
    } else {
        h.push_str("<ul class=\"changes\">\n");
        for c in &g.changes {
            let mut line = html_escape(&c.summary);
            if let Some(reason) = &c.reason {
                let _ = write!(line, ": <span class=\"why\">{}</span>", html_escape(reason));
            }
            if let Some(by) = &c.by {
                let _ = write!(line, " <span class=\"by\">@{}</span>", html_escape(by));
            }
            let _ = writeln!(h, "<li>{line}</li>");
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</article>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escape_makes_markup_literal() {
        assert_eq!(
            html_escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
    }

    #[test]
    fn md_escape_keeps_tables_and_emphasis_literal() {
        assert_eq!(md_escape("a | b *c* [d](e)"), r"a \| b \*c\* \[d\](e)");
        assert_eq!(md_escape("<b>&amp;"), r"\<b\>\&amp;");
        assert_eq!(md_escape("two\nlines"), "two lines");
    }
}
