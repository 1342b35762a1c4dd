//! Slips: once a date is committed, every change of it is a slip or a pull-in and needs a
//! reason (DESIGN §4).

use jiff::civil::Date;
use serde::Serialize;

use crate::when::days_between;

/// How a committed date changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum DateChange {
    /// Moved later by `days`.
    Slip { from: Date, to: Date, days: i64 },
    /// Moved earlier by `days`.
    PullIn { from: Date, to: Date, days: i64 },
    /// The committed date was removed.
    Uncommitted { from: Date },
}

impl DateChange {
    /// The change in words, to follow "so": "slipping it 7 days (2026-12-04 → 2026-12-11)".
    pub fn describe(&self) -> String {
        let days = |n: i64| {
            if n == 1 {
                "1 day".to_string()
            } else {
                format!("{n} days")
            }
        };
        match self {
            DateChange::Slip { from, to, days: n } => {
                format!("slipping it {} ({from} → {to})", days(*n))
            }
            DateChange::PullIn { from, to, days: n } => {
                format!("pulling it in {} ({from} → {to})", days(*n))
            }
            DateChange::Uncommitted { from } => format!("removing its date ({from})"),
        }
    }
}

/// The change from one date to another, if it needs a reason: `None` when the date was not
/// yet committed (setting a first date is planning, not slipping) or did not move.
pub fn date_change(before: Option<Date>, after: Option<Date>) -> Option<DateChange> {
    let from = before?;
    match after {
        None => Some(DateChange::Uncommitted { from }),
        Some(to) if to > from => Some(DateChange::Slip {
            from,
            to,
            days: days_between(from, to),
        }),
        Some(to) if to < from => Some(DateChange::PullIn {
            from,
            to,
            days: days_between(to, from),
        }),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn first_date_is_not_a_slip() {
        assert_eq!(date_change(None, Some(date(2026, 12, 1))), None);
        assert_eq!(date_change(None, None), None);
    }

    #[test]
    fn later_is_a_slip_earlier_a_pull_in() {
        let (a, b) = (date(2026, 12, 1), date(2026, 12, 8));
        assert_eq!(
            date_change(Some(a), Some(b)),
            Some(DateChange::Slip {
                from: a,
                to: b,
                days: 7
            })
        );
        assert_eq!(
            date_change(Some(b), Some(a)),
            Some(DateChange::PullIn {
                from: b,
                to: a,
                days: 7
            })
        );
        assert_eq!(date_change(Some(a), Some(a)), None);
        assert_eq!(
            date_change(Some(a), None),
            Some(DateChange::Uncommitted { from: a })
        );
    }
}
