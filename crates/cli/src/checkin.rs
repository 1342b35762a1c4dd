//! `landed checkin`: scripted (flags, `--from FILE.json`), interactive on a terminal, or the
//! agenda alone.
//!
//! The interactive walk only collects answers; the check-in is written once, at the end, in
//! one transaction: stopping anywhere before (Ctrl-C, end of input, answering "n") writes
//! nothing.

use std::io::{BufRead, IsTerminal, Read, Write};

use anyhow::Context as _;
use comfy_table::Color;
use landed_app::checkin::{self, CheckInInput, CheckInView, GoalInput, ItemInput};
use landed_core::model::{Confidence, ItemStatus};
use serde_json::{Value, json};

use crate::args::CheckinArgs;
use crate::out::{self, opt, paint};
use crate::via::Via;

/// Largest `--from` document read.
const MAX_FROM_BYTES: u64 = 1 << 20;

pub async fn run(via: &Via<'_>, args: &CheckinArgs, json: bool) -> anyhow::Result<()> {
    let answers = answers(args)?;
    if let Some(handle) = &args.for_ {
        if answers.is_some() || args.interactive {
            anyhow::bail!(
                "--for only shows someone's check-in: each person gives their own (use --as HANDLE to act as them)"
            );
        }
        let view = agenda(via, Some(handle), args.week.as_deref()).await?;
        return show(&view, json);
    }
    if let Some(input) = answers {
        let view = give(via, &input).await?;
        return saved(&view, json);
    }
    let view = agenda(via, None, args.week.as_deref()).await?;
    let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if !(args.interactive || (terminal && !json)) {
        return show(&view, json);
    }
    if !view.open {
        anyhow::bail!(
            "{} is not this week in {}: a check-in is given during its week (drop --week)",
            view.week,
            view.tz
        );
    }
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    // With --json, standard output holds only the document: the questions go to stderr.
    let mut output: Box<dyn Write> = if json {
        Box::new(std::io::stderr())
    } else {
        Box::new(std::io::stdout())
    };
    let Some(mut answers) = ask(&view, &mut input, &mut output)? else {
        out::print("Stopped: nothing was saved.")?;
        return Ok(());
    };
    answers.week = Some(view.week.to_string());
    let view = give(via, &answers).await?;
    saved(&view, json)
}

/// The check-in of `person` (else yours) for `week` (else this week).
async fn agenda(
    via: &Via<'_>,
    person: Option<&str>,
    week: Option<&str>,
) -> anyhow::Result<CheckInView> {
    match via {
        Via::Local(ctx) => Ok(checkin::agenda(ctx, person, week).await?),
        Via::Remote(r) => {
            let query = crate::remote::query(&[("person", person), ("week", week)]);
            r.get("checkins", &query).await
        }
    }
}

/// Give (or amend) your check-in: one write.
async fn give(via: &Via<'_>, input: &CheckInInput) -> anyhow::Result<CheckInView> {
    match via {
        Via::Local(ctx) => Ok(checkin::give(ctx, input).await?),
        Via::Remote(r) => r.post("checkins", &document(input)).await,
    }
}

/// A check-in as `POST /api/v1/checkins` reads it (the shape of `--from FILE`).
fn document(input: &CheckInInput) -> Value {
    let items: Vec<Value> = input
        .items
        .iter()
        .map(|i| json!({ "item": i.item, "status": i.status, "note": i.note }))
        .collect();
    let goals: Vec<Value> = input
        .goals
        .iter()
        .map(|g| json!({ "goal": g.goal, "confidence": g.confidence }))
        .collect();
    json!({
        "week": input.week,
        "items": items,
        "done": input.done,
        "blocked": input.blocked,
        "needs_help": input.needs_help,
        "goals": goals,
    })
}

/// The answers given by flags or `--from`, if any.
fn answers(args: &CheckinArgs) -> anyhow::Result<Option<CheckInInput>> {
    if let Some(path) = &args.from {
        let mut text = String::new();
        let read = if path.as_os_str() == "-" {
            std::io::stdin()
                .take(MAX_FROM_BYTES + 1)
                .read_to_string(&mut text)
        } else {
            std::fs::File::open(path)
                .and_then(|f| f.take(MAX_FROM_BYTES + 1).read_to_string(&mut text))
        };
        read.with_context(|| format!("cannot read {}", path.display()))?;
        if text.len() as u64 > MAX_FROM_BYTES {
            anyhow::bail!(
                "{} is larger than 1 MiB: a check-in is a short document",
                path.display()
            );
        }
        let mut input: CheckInInput = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a check-in document (see `landed checkin --help` for its shape)",
                path.display()
            )
        })?;
        if input.week.is_none() {
            input.week.clone_from(&args.week);
        }
        return Ok(Some(input));
    }
    let given = !args.items.is_empty()
        || args.done.is_some()
        || args.blocked.is_some()
        || args.needs_help.is_some()
        || !args.confidence.is_empty();
    if !given {
        return Ok(None);
    }
    let items = args
        .items
        .iter()
        .map(|t| item_flag(t))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let goals = args
        .confidence
        .iter()
        .map(|t| {
            let (goal, confidence) = t.split_once('=').with_context(|| {
                format!("--confidence `{t}`: write GOAL=CONFIDENCE, e.g. G-3=at-risk")
            })?;
            Ok(GoalInput {
                goal: goal.trim().to_string(),
                confidence: confidence.trim().to_string(),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Some(CheckInInput {
        week: args.week.clone(),
        items,
        done: args.done.clone(),
        blocked: args.blocked.clone(),
        needs_help: args.needs_help.clone(),
        goals,
    }))
}

/// `I-12=done`, `I-14=blocked:why`, `I-15:a note`, or `I-16` alone.
fn item_flag(text: &str) -> anyhow::Result<ItemInput> {
    let cut = text.find(['=', ':']).unwrap_or(text.len());
    let (item, rest) = text.split_at(cut);
    let (status, note) = match rest.strip_prefix('=') {
        Some(after) => match after.split_once(':') {
            Some((s, n)) => (Some(s), Some(n)),
            None => (Some(after), None),
        },
        None => (None, rest.strip_prefix(':')),
    };
    if item.trim().is_empty() {
        anyhow::bail!("--item `{text}`: start with the item, e.g. I-12=done or \"I-12:a note\"");
    }
    Ok(ItemInput {
        item: item.trim().to_string(),
        status: status.map(|s| s.trim().to_string()),
        note: note.map(|n| n.trim().to_string()),
    })
}

/// One line of input, trimmed; `None` at the end of input.
fn line(
    input: &mut impl BufRead,
    output: &mut impl Write,
    prompt: &str,
) -> std::io::Result<Option<String>> {
    write!(output, "{prompt}")?;
    output.flush()?;
    let mut text = String::new();
    if input.read_line(&mut text)? == 0 {
        writeln!(output)?;
        return Ok(None);
    }
    Ok(Some(text.trim().to_string()))
}

fn bracket(value: Option<&str>) -> String {
    match value {
        Some(v) if !v.is_empty() => format!(" [{v}]"),
        _ => String::new(),
    }
}

/// Walk through the agenda asking per item, then overall and per goal; `None` when stopped
/// (end of input, or not confirmed). Nothing is written here.
pub fn ask(
    view: &CheckInView,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> anyhow::Result<Option<CheckInInput>> {
    writeln!(
        output,
        "Check-in {} for @{} (Mon {} – Sun {}, {}){}",
        view.week,
        view.person,
        view.monday,
        view.sunday,
        view.tz,
        if view.given {
            ": amending what you said"
        } else {
            ""
        }
    )?;
    writeln!(
        output,
        "{} item(s) on your agenda, {} goal(s) you own. Enter keeps the value in [brackets]; Ctrl-C stops without saving.",
        view.items.len(),
        view.goals.len()
    )?;
    let mut answers = CheckInInput::default();
    for item in &view.items {
        let why: Vec<&str> = item.why.iter().map(|w| w.describe()).collect();
        writeln!(
            output,
            "\n{}  {} — {}{}{}",
            item.id,
            item.title,
            item.status,
            item.due.map(|d| format!(", due {d}")).unwrap_or_default(),
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join(", "))
            }
        )?;
        let current = item.said_status.unwrap_or(item.status);
        let status = loop {
            let Some(text) = line(
                input,
                output,
                &format!("  status (todo/doing/blocked/done/dropped) [{current}]: "),
            )?
            else {
                return Ok(None);
            };
            if text.is_empty() {
                break current;
            }
            match text.parse::<ItemStatus>() {
                Ok(s) => break s,
                Err(e) => writeln!(output, "  {e}")?,
            }
        };
        let mut note = loop {
            let Some(text) = line(
                input,
                output,
                &format!("  note{}: ", bracket(item.note.as_deref())),
            )?
            else {
                return Ok(None);
            };
            let note = if text.is_empty() {
                item.note.clone()
            } else {
                Some(text)
            };
            if status.needs_reason() && status != item.status && note.is_none() {
                writeln!(output, "  {status} needs a note saying why")?;
                continue;
            }
            break note;
        };
        if note.as_deref() == item.note.as_deref() {
            note = None;
        }
        answers.items.push(ItemInput {
            item: item.id.clone(),
            status: (status != item.status).then(|| status.to_string()),
            note,
        });
    }
    writeln!(output)?;
    for (question, field, before) in [
        (
            "What got done this week?",
            &mut answers.done,
            view.done.as_deref(),
        ),
        (
            "What is blocked?",
            &mut answers.blocked,
            view.blocked.as_deref(),
        ),
        (
            "What do you need help with?",
            &mut answers.needs_help,
            view.needs_help.as_deref(),
        ),
    ] {
        let Some(text) = line(input, output, &format!("{question}{} ", bracket(before)))? else {
            return Ok(None);
        };
        if !text.is_empty() {
            *field = Some(text);
        }
    }
    for goal in &view.goals {
        let current = goal.confidence.unwrap_or(Confidence::OnTrack);
        let confidence = loop {
            let Some(text) = line(
                input,
                output,
                &format!(
                    "Confidence in {} {} (on-track/at-risk/off-track) [{current}]: ",
                    goal.id, goal.title
                ),
            )?
            else {
                return Ok(None);
            };
            if text.is_empty() {
                break current;
            }
            match text.parse::<Confidence>() {
                Ok(c) => break c,
                Err(e) => writeln!(output, "  {e}")?,
            }
        };
        answers.goals.push(GoalInput {
            goal: goal.id.clone(),
            confidence: confidence.to_string(),
        });
    }
    let Some(confirm) = line(input, output, "\nSave this check-in? [Y/n] ")? else {
        return Ok(None);
    };
    if confirm.eq_ignore_ascii_case("n") || confirm.eq_ignore_ascii_case("no") {
        return Ok(None);
    }
    if answers.items.is_empty()
        && answers.goals.is_empty()
        && answers.done.is_none()
        && answers.blocked.is_none()
        && answers.needs_help.is_none()
    {
        answers.done = Some("nothing to report".to_string());
    }
    Ok(Some(answers))
}

fn saved(view: &CheckInView, json: bool) -> anyhow::Result<()> {
    if json {
        return out::json(view);
    }
    let verb = if view.updated_at != view.given_at {
        "amended"
    } else {
        "saved"
    };
    out::print(&paint(
        &format!("Check-in {} {verb} for @{}.", view.week, view.person),
        Color::Green,
    ))?;
    for c in &view.changed {
        out::print(&format!("  {c}"))?;
    }
    show(view, false)
}

/// The check-in of a week: agenda, what was said, goals.
pub fn show(view: &CheckInView, json: bool) -> anyhow::Result<()> {
    if json {
        return out::json(view);
    }
    let state = match (view.given, view.open) {
        (true, _) => format!(
            "given {}",
            view.updated_at
                .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default()
        ),
        (false, true) => paint(
            &format!("not given yet — open until Sunday {}", view.sunday),
            Color::Yellow,
        ),
        (false, false) => "not given".to_string(),
    };
    out::print(&format!(
        "Check-in {} for @{} (Mon {} – Sun {}, {}): {state}",
        view.week, view.person, view.monday, view.sunday, view.tz
    ))?;
    if view.items.is_empty() {
        out::print("Agenda: nothing due, overdue, in progress, blocked or untouched.")?;
    } else {
        let mut t = out::table(&["item", "title", "status", "due", "why", "said", "note"]);
        for i in &view.items {
            let why: Vec<&str> = i.why.iter().map(|w| w.describe()).collect();
            t.add_row(vec![
                i.id.clone(),
                i.title.clone(),
                i.status.to_string(),
                opt(i.due),
                why.join(", "),
                opt(i.said_status),
                i.note.clone().unwrap_or_default(),
            ]);
        }
        out::print_table(&t)?;
    }
    for g in &view.goals {
        out::print(&format!(
            "{} {} (target {}): confidence {}",
            g.id,
            g.title,
            opt(g.target),
            g.confidence
                .map_or("not given".to_string(), |c| c.to_string())
        ))?;
    }
    for (label, text) in [
        ("Done", &view.done),
        ("Blocked", &view.blocked),
        ("Needs help", &view.needs_help),
    ] {
        if let Some(t) = text {
            out::print(&format!("{label}: {t}"))?;
        }
    }
    if !view.given && view.open {
        out::print(
            "Give it with `landed checkin` on a terminal, or --item I-N=STATUS:NOTE, --done, --confidence G-N=on-track (see --help).",
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_flags_read_status_and_note() {
        let f = item_flag("I-14=blocked:waiting: for the key").unwrap();
        assert_eq!(f.item, "I-14");
        assert_eq!(f.status.as_deref(), Some("blocked"));
        assert_eq!(f.note.as_deref(), Some("waiting: for the key"));
        let f = item_flag("I-15:halfway = fine").unwrap();
        assert_eq!(
            (f.status, f.note.as_deref()),
            (None, Some("halfway = fine"))
        );
        let f = item_flag("I-16").unwrap();
        assert_eq!((f.status, f.note), (None, None));
        assert!(item_flag("=done").is_err());
    }

    #[test]
    fn the_api_document_reads_back_as_the_same_check_in() {
        let input = CheckInInput {
            week: Some("2026-W48".into()),
            items: vec![
                item_flag("I-14=blocked:waiting").unwrap(),
                item_flag("I-2").unwrap(),
            ],
            done: Some("the rollout doc".into()),
            blocked: None,
            needs_help: Some("a reviewer".into()),
            goals: vec![GoalInput {
                goal: "G-1".into(),
                confidence: "at-risk".into(),
            }],
        };
        let back: CheckInInput = serde_json::from_value(document(&input)).unwrap();
        assert_eq!(format!("{back:?}"), format!("{input:?}"));
    }
}
