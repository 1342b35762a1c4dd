//! Reading the dates and estimates people type (DESIGN §6, issue: dates accept ISO dates,
//! `today`, `tomorrow`, weekday names, `+3d`/`+2w` and ISO weeks meaning their Friday).
//!
//! "Today" is an argument: the caller computes it in the acting person's time zone.

use jiff::civil::{Date, ISOWeekDate, Weekday};
use jiff::{Timestamp, tz::TimeZone};

/// A date or estimate that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhenError {
    #[error(
        "cannot read date `{0}` (use 2026-12-04, today, tomorrow, a weekday such as fri, +3d, +2w, or an ISO week such as 2026-W50)"
    )]
    BadDate(String),
    #[error("date `{0}` does not exist")]
    NoSuchDate(String),
    #[error(
        "cannot read estimate `{0}` (use hours or days such as 6h, 30m, 1.5h, 2d; a day is 8 hours, a week 40)"
    )]
    BadEstimate(String),
    #[error("estimate `{0}` is out of range (between 0 and 10000 hours)")]
    EstimateOutOfRange(String),
    #[error(
        "unknown time zone `{0}` (use an IANA name such as Europe/Berlin or America/Los_Angeles)"
    )]
    BadTimeZone(String),
}

/// Working hours in a day and a week, for estimates given in days or weeks.
pub const HOURS_PER_DAY: f64 = 8.0;
pub const HOURS_PER_WEEK: f64 = 40.0;
const MAX_ESTIMATE_HOURS: f64 = 10_000.0;

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Monday),
    ("tuesday", Weekday::Tuesday),
    ("wednesday", Weekday::Wednesday),
    ("thursday", Weekday::Thursday),
    ("friday", Weekday::Friday),
    ("saturday", Weekday::Saturday),
    ("sunday", Weekday::Sunday),
];

/// The weekday a word names: any unambiguous start of its English name, in lower case (`fri`,
/// `thurs`, `tu`).
pub fn weekday_named(word: &str) -> Option<Weekday> {
    if word.len() < 2 {
        return None;
    }
    // "fri", "friday", "thu", "thurs": any prefix of at least 3 letters (2 for "tu"/"th" is
    // ambiguous with nothing, but "t" or "s" alone would be).
    let matches: Vec<Weekday> = WEEKDAYS
        .iter()
        .filter(|(name, _)| name.starts_with(word))
        .map(|(_, d)| *d)
        .collect();
    match matches.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// The English name of a weekday, in lower case.
pub fn weekday_name(day: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(_, d)| *d == day)
        .map_or("monday", |(name, _)| name)
}

/// Read a date as people type it, relative to `today`.
///
/// Weekday names mean the next such day, today included (`fri` on a Friday is today).
/// An ISO week means its Friday: the end of that working week.
pub fn parse_date(text: &str, today: Date) -> Result<Date, WhenError> {
    let bad = || WhenError::BadDate(text.to_string());
    let t = text.trim().to_ascii_lowercase();
    match t.as_str() {
        "today" => return Ok(today),
        "tomorrow" => return today.tomorrow().map_err(|_| bad()),
        "yesterday" => return today.yesterday().map_err(|_| bad()),
        _ => {}
    }
    if let Some(day) = weekday_named(&t) {
        let ahead = i64::from(day.since(today.weekday()));
        return today
            .checked_add(jiff::Span::new().days(ahead))
            .map_err(|_| bad());
    }
    if let Some(rest) = t.strip_prefix('+').or_else(|| t.strip_prefix("in ")) {
        return relative(rest.trim(), today).ok_or_else(bad);
    }
    if let Some((year, week)) = t.split_once("-w") {
        return iso_week(year, week, text).ok_or_else(bad)?;
    }
    if t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' {
        return t.parse::<Date>().map_err(|_| {
            if t.bytes()
                .enumerate()
                .all(|(i, b)| matches!(i, 4 | 7) || b.is_ascii_digit())
            {
                WhenError::NoSuchDate(text.to_string())
            } else {
                bad()
            }
        });
    }
    Err(bad())
}

fn relative(rest: &str, today: Date) -> Option<Date> {
    let (num, unit) = rest.split_at(rest.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok()?;
    if n > 3660 {
        return None;
    }
    let span = match unit.trim() {
        "d" | "day" | "days" => jiff::Span::new().days(n),
        "w" | "week" | "weeks" => jiff::Span::new().weeks(n),
        _ => return None,
    };
    today.checked_add(span).ok()
}

fn iso_week(year: &str, week: &str, text: &str) -> Option<Result<Date, WhenError>> {
    let year: i16 = year.parse().ok()?;
    let (week, day) = match week.split_once('-') {
        Some((w, d)) => (w, Some(d)),
        None => (week, None),
    };
    let week: i8 = week.parse().ok()?;
    let weekday = match day {
        None => Weekday::Friday,
        Some(d) => Weekday::from_monday_one_offset(d.parse().ok()?).ok()?,
    };
    Some(
        ISOWeekDate::new(year, week, weekday)
            .map(|w| w.date())
            .map_err(|_| WhenError::NoSuchDate(text.to_string())),
    )
}

/// Read an estimate: hours (`6h`, `1.5h`, `90m`, a bare number), days (`2d` = 16h) or weeks
/// (`1w` = 40h). Returns hours.
pub fn parse_estimate(text: &str) -> Result<f64, WhenError> {
    let bad = || WhenError::BadEstimate(text.to_string());
    let t = text.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if num.is_empty() {
        return Err(bad());
    }
    let n: f64 = num.parse().map_err(|_| bad())?;
    let factor = match unit.trim() {
        "" | "h" | "hr" | "hrs" | "hour" | "hours" => 1.0,
        "m" | "min" | "mins" | "minutes" => 1.0 / 60.0,
        "d" | "day" | "days" => HOURS_PER_DAY,
        "w" | "wk" | "week" | "weeks" => HOURS_PER_WEEK,
        _ => return Err(bad()),
    };
    let hours = n * factor;
    if !hours.is_finite() || !(0.0..=MAX_ESTIMATE_HOURS).contains(&hours) {
        return Err(WhenError::EstimateOutOfRange(text.to_string()));
    }
    Ok((hours * 100.0).round() / 100.0)
}

/// Render hours the way people say them: `6h`, `1.5h`, `2d` (whole 8-hour days above a day).
pub fn format_hours(hours: f64) -> String {
    if hours >= HOURS_PER_DAY && (hours / HOURS_PER_DAY).fract() == 0.0 {
        format!("{}d", hours / HOURS_PER_DAY)
    } else {
        format!("{}h", (hours * 100.0).round() / 100.0)
    }
}

/// Look up an IANA time zone by name.
pub fn time_zone(name: &str) -> Result<TimeZone, WhenError> {
    TimeZone::get(name).map_err(|_| WhenError::BadTimeZone(name.to_string()))
}

/// The time zone named, or UTC when the name is not one (names are checked when stored, so
/// this only guards against a tz database that lost a zone).
pub fn zone_or_utc(name: &str) -> TimeZone {
    time_zone(name).unwrap_or(TimeZone::UTC)
}

/// The civil date of `now` in a time zone.
pub fn today_in(now: Timestamp, tz: &TimeZone) -> Date {
    now.to_zoned(tz.clone()).date()
}

/// Days from `a` to `b` (positive when `b` is later).
pub fn days_between(a: Date, b: Date) -> i64 {
    i64::from(
        a.until(b)
            .map(|s| s.get_days())
            .expect("the span between two civil dates always exists"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    // 2026-11-23 is a Monday.
    const TODAY: Date = date(2026, 11, 23);

    #[test]
    fn words_are_relative_to_today() {
        assert_eq!(parse_date("today", TODAY).unwrap(), TODAY);
        assert_eq!(parse_date("Tomorrow", TODAY).unwrap(), date(2026, 11, 24));
        assert_eq!(parse_date("+3d", TODAY).unwrap(), date(2026, 11, 26));
        assert_eq!(parse_date("+2w", TODAY).unwrap(), date(2026, 12, 7));
        assert_eq!(parse_date("in 2 days", TODAY).unwrap(), date(2026, 11, 25));
    }

    #[test]
    fn weekday_means_the_next_one_today_included() {
        assert_eq!(parse_date("fri", TODAY).unwrap(), date(2026, 11, 27));
        assert_eq!(parse_date("Friday", TODAY).unwrap(), date(2026, 11, 27));
        assert_eq!(parse_date("mon", TODAY).unwrap(), TODAY);
        assert_eq!(parse_date("sun", TODAY).unwrap(), date(2026, 11, 29));
        assert_eq!(parse_date("thu", TODAY).unwrap(), date(2026, 11, 26));
        assert!(parse_date("t", TODAY).is_err(), "t is ambiguous");
    }

    #[test]
    fn iso_week_means_its_friday() {
        assert_eq!(parse_date("2026-W50", TODAY).unwrap(), date(2026, 12, 11));
        assert_eq!(parse_date("2026-w53", TODAY).unwrap(), date(2027, 1, 1));
        assert_eq!(parse_date("2026-W50-1", TODAY).unwrap(), date(2026, 12, 7));
        assert!(matches!(
            parse_date("2025-W53", TODAY),
            Err(WhenError::NoSuchDate(_))
        ));
    }

    #[test]
    fn iso_dates_and_their_errors() {
        assert_eq!(parse_date("2026-12-04", TODAY).unwrap(), date(2026, 12, 4));
        assert!(matches!(
            parse_date("2026-02-30", TODAY),
            Err(WhenError::NoSuchDate(_))
        ));
        for bad in [
            "",
            "soon",
            "12/04/2026",
            "+3x",
            "+d",
            "2026-13",
            "fr1day",
            "+99999d",
        ] {
            assert!(
                matches!(parse_date(bad, TODAY), Err(WhenError::BadDate(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn estimates_in_hours_days_weeks() {
        assert_eq!(parse_estimate("6h").unwrap(), 6.0);
        assert_eq!(parse_estimate("1.5h").unwrap(), 1.5);
        assert_eq!(parse_estimate("90m").unwrap(), 1.5);
        assert_eq!(parse_estimate("2d").unwrap(), 16.0);
        assert_eq!(parse_estimate("1w").unwrap(), 40.0);
        assert_eq!(parse_estimate("3").unwrap(), 3.0);
        for bad in ["", "h", "six hours", "3y", "-2h", "1.2.3h"] {
            assert!(parse_estimate(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            parse_estimate("100000h"),
            Err(WhenError::EstimateOutOfRange(_))
        ));
    }

    #[test]
    fn hours_render_as_people_say_them() {
        assert_eq!(format_hours(6.0), "6h");
        assert_eq!(format_hours(16.0), "2d");
        assert_eq!(format_hours(1.5), "1.5h");
        assert_eq!(format_hours(12.0), "12h");
    }

    #[test]
    fn today_follows_the_time_zone() {
        let now: Timestamp = "2026-11-23T20:00:00Z".parse().unwrap();
        assert_eq!(
            today_in(now, &time_zone("Pacific/Auckland").unwrap()),
            date(2026, 11, 24)
        );
        assert_eq!(
            today_in(now, &time_zone("America/Los_Angeles").unwrap()),
            TODAY
        );
        assert!(time_zone("Mars/Olympus").is_err());
    }
}
