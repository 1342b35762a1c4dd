//! Quick capture: one line becomes a work item (DESIGN §6).
//!
//! `Write rollout doc @ben due:fri est:3h goal:G-12 -- runbook reviewed by SRE`
//! gives the title "Write rollout doc", owner `ben`, a due date, an estimate, the goal, and
//! (after ` -- `) the outcome. Tokens may appear anywhere; the rest is the title.

use jiff::civil::Date;

use crate::model::{ItemKind, Ref, RefKind};
use crate::when::{WhenError, parse_date, parse_estimate};

/// The parts of a captured line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Capture {
    pub title: String,
    pub outcome: Option<String>,
    /// The owner's handle, without `@`.
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub milestone: Option<String>,
    pub estimate_hours: Option<f64>,
    pub goal: Option<Ref>,
    pub kind: Option<ItemKind>,
}

/// A line that cannot be captured.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CaptureError {
    #[error("nothing to capture: write a title, e.g. \"Write rollout doc @ben due:fri est:3h\"")]
    NoTitle,
    #[error("{0}")]
    When(#[from] WhenError),
    #[error("`goal:{0}` is not a goal id (write it like goal:G-12)")]
    BadGoal(String),
    #[error("`{0}` is given twice")]
    Twice(String),
    #[error("unknown field `{0}:` (known: due, est, goal, ms, kind)")]
    UnknownField(String),
    #[error("{0}")]
    Kind(#[from] crate::model::UnknownWord),
}

/// Parse a quick-capture line; relative dates are read against `today`.
pub fn parse_capture(line: &str, today: Date) -> Result<Capture, CaptureError> {
    let (head, outcome) = match line.split_once(" -- ") {
        Some((h, o)) => (h, Some(o.trim().to_string()).filter(|o| !o.is_empty())),
        None => (line, None),
    };
    let mut c = Capture {
        outcome,
        ..Capture::default()
    };
    let mut title = Vec::new();
    for word in head.split_whitespace() {
        if let Some(handle) = word.strip_prefix('@').filter(|h| !h.is_empty()) {
            set(&mut c.owner, handle.to_string(), "@owner")?;
            continue;
        }
        let Some((key, value)) = word.split_once(':').filter(|(k, v)| {
            !v.is_empty() && !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphabetic())
        }) else {
            title.push(word);
            continue;
        };
        match key.to_ascii_lowercase().as_str() {
            "due" => set(&mut c.due, parse_date(value, today)?, "due:")?,
            "est" | "estimate" => set(&mut c.estimate_hours, parse_estimate(value)?, "est:")?,
            "goal" => {
                let r: Ref = value
                    .parse()
                    .ok()
                    .filter(|r: &Ref| r.kind == RefKind::Goal)
                    .ok_or_else(|| CaptureError::BadGoal(value.to_string()))?;
                set(&mut c.goal, r, "goal:")?;
            }
            "ms" | "milestone" => set(&mut c.milestone, value.to_string(), "ms:")?,
            "kind" => set(&mut c.kind, value.parse()?, "kind:")?,
            // Words like "http://x" or "note:" belong to the title; only short alphabetic keys
            // that look like fields are refused, so that typos do not end up in titles.
            k if k.len() <= 9 && !value.starts_with("//") => {
                return Err(CaptureError::UnknownField(k.to_string()));
            }
            _ => title.push(word),
        }
    }
    c.title = title.join(" ");
    if c.title.is_empty() {
        return Err(CaptureError::NoTitle);
    }
    Ok(c)
}

fn set<T>(slot: &mut Option<T>, value: T, name: &str) -> Result<(), CaptureError> {
    if slot.is_some() {
        return Err(CaptureError::Twice(name.to_string()));
    }
    *slot = Some(value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::goal_ref;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 23);

    #[test]
    fn the_documented_example() {
        let c = parse_capture("Write rollout doc @ben due:fri est:3h goal:G-12", TODAY).unwrap();
        assert_eq!(c.title, "Write rollout doc");
        assert_eq!(c.owner.as_deref(), Some("ben"));
        assert_eq!(c.due, Some(date(2026, 11, 27)));
        assert_eq!(c.estimate_hours, Some(3.0));
        assert_eq!(c.goal, Some(goal_ref(12)));
        assert_eq!(c.outcome, None);
    }

    #[test]
    fn outcome_after_double_dash_and_tokens_anywhere() {
        let c = parse_capture(
            "@ana Fix login kind:reactive due:today -- 0 failed logins in a day",
            TODAY,
        )
        .unwrap();
        assert_eq!(c.title, "Fix login");
        assert_eq!(c.kind, Some(ItemKind::Reactive));
        assert_eq!(c.outcome.as_deref(), Some("0 failed logins in a day"));
    }

    #[test]
    fn urls_and_times_stay_in_the_title() {
        let c = parse_capture("Read https://example.com/x at 10:30", TODAY).unwrap();
        assert_eq!(c.title, "Read https://example.com/x at 10:30");
    }

    #[test]
    fn mistakes_are_named() {
        assert_eq!(
            parse_capture("  @ben due:fri ", TODAY),
            Err(CaptureError::NoTitle)
        );
        assert!(matches!(
            parse_capture("x due:someday", TODAY),
            Err(CaptureError::When(_))
        ));
        assert!(matches!(
            parse_capture("x goal:I-3", TODAY),
            Err(CaptureError::BadGoal(_))
        ));
        assert!(matches!(
            parse_capture("x @a @b", TODAY),
            Err(CaptureError::Twice(_))
        ));
        assert!(matches!(
            parse_capture("x dew:fri", TODAY),
            Err(CaptureError::UnknownField(_))
        ));
    }
}
