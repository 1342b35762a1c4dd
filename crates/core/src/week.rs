//! Weeks as a person's wall clock counts them (DESIGN §4): check-ins are weekly, on the ISO week
//! in the person's time zone, so the same instant can be Sunday's check-in in Los Angeles and
//! Monday's in Auckland, and a week that holds a clock change lasts 167 or 169 hours (167.5 or
//! 168.5 on Lord Howe Island).
//!
//! [`Week`] itself is [`crate::capacity::Week`]; this module reads it (`2026-W48`), steps through
//! it and maps it to instants. The time zone is always an argument: nothing here reads the process
//! `TZ` or the clock.

use std::str::FromStr;

use jiff::civil::{Date, Time};
use jiff::tz::{AmbiguousOffset, Disambiguation, TimeZone};
use jiff::{Span, Timestamp};

use crate::capacity::Week;

/// A week someone typed that could not be read or does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeekError {
    /// Not of the form `2026-W48`.
    #[error("cannot read week `{0}` (write an ISO week such as 2026-W48)")]
    BadWeek(String),
    /// Well formed, but the year has no such week: week 00, or week 53 of a 52-week year.
    #[error("week `{text}` does not exist ({year} has weeks W01 to W{weeks:02})")]
    NoSuchWeek { text: String, year: i16, weeks: i8 },
}

/// Reads an ISO week as [`Week`] displays it (DESIGN §4): a four-digit year, `-W` and a
/// two-digit week, as in `2026-W48`; the `W` may be lower case and the dash left out (`2026w48`).
/// Blanks around it are ignored. Week 53 is read only in the years that have one.
impl FromStr for Week {
    type Err = WeekError;

    fn from_str(s: &str) -> Result<Week, WeekError> {
        let bad = || WeekError::BadWeek(s.to_string());
        let (year, week) = match *s.trim().as_bytes() {
            [y0, y1, y2, y3, b'-', b'W' | b'w', w0, w1] | [y0, y1, y2, y3, b'W' | b'w', w0, w1] => {
                (number(&[y0, y1, y2, y3]), number(&[w0, w1]))
            }
            _ => return Err(bad()),
        };
        let (Some(year), Some(week)) = (year, week.and_then(|w| i8::try_from(w).ok())) else {
            return Err(bad());
        };
        Week::new(year, week).ok_or_else(|| WeekError::NoSuchWeek {
            text: s.trim().to_string(),
            year,
            weeks: Week::weeks_in_year(year),
        })
    }
}

/// The number written with `digits`, if they are all ASCII digits (at most four: no overflow).
fn number(digits: &[u8]) -> Option<i16> {
    digits.iter().try_fold(0i16, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + i16::from(d - b'0'))
    })
}

impl Week {
    /// How many ISO weeks `year` has (DESIGN §4): 53 when it begins or ends on a Thursday, 52
    /// otherwise. The calendar is the proleptic Gregorian one, as jiff's, for any year.
    pub fn weeks_in_year(year: i16) -> i8 {
        // Weekday of 31 December of `y`, 0 = Sunday: one weekday later each year, two after a
        // leap year.
        let dec_31 =
            |y: i32| (y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400)).rem_euclid(7);
        let year = i32::from(year);
        // Ends on a Thursday, or begins on one (the year before ends on a Wednesday).
        if dec_31(year) == 4 || dec_31(year - 1) == 3 {
            53
        } else {
            52
        }
    }

    /// The week after this one: week 53 or 52 is followed by week 01 of the next year. `None`
    /// when this week does not exist or the next one is past jiff's calendar (after 9999-W52).
    pub fn next(self) -> Option<Week> {
        let this = Week::new(self.year, self.week)?;
        if this.week < Week::weeks_in_year(this.year) {
            Week::new(this.year, this.week + 1)
        } else {
            Week::new(this.year.checked_add(1)?, 1)
        }
    }

    /// The week before this one: week 01 is preceded by the last week (52 or 53) of the year
    /// before. `None` when this week does not exist or the previous one is before jiff's calendar
    /// (before -9999-W01).
    pub fn previous(self) -> Option<Week> {
        let this = Week::new(self.year, self.week)?;
        if this.week > 1 {
            Week::new(this.year, this.week - 1)
        } else {
            let year = this.year.checked_sub(1)?;
            Week::new(year, Week::weeks_in_year(year))
        }
    }
}

/// The ISO week instant `at` falls in for someone in `tz` (DESIGN §4): the week of the date their
/// wall clock shows then.
///
/// One exception keeps weeks in order: were clocks ever turned back across Monday midnight (no zone
/// in the tz database has, so far), the repeated Sunday minutes would belong to the week that had
/// already begun, so that a week never begins twice. Either way `at` lies in
/// `week_span(week_of(at, tz), tz)`.
pub fn week_of(at: Timestamp, tz: &TimeZone) -> Week {
    let week = Week::of(tz.to_datetime(at).date());
    let next_start = week
        .next()
        .and_then(|next| Some((next, week_start(next, tz)?)));
    match next_start {
        Some((next, start)) if at >= start => next,
        _ => week,
    }
}

/// The instants of `week` in `tz`, half open: `[start, end)` (DESIGN §4).
///
/// `start` is the first instant at which the zone's wall clock shows the week's Monday: its
/// midnight, or where clocks jumped over midnight (a DST gap, or a skipped day as in Pacific/Apia
/// on 2011-12-30) the instant they jumped; where clocks were turned back over midnight, the first
/// of the two midnights. `end` is the next week's `start`, so weeks tile time: a week lasts 168
/// hours give or take the clock changes it holds. At the ends of jiff's range the span is cut to
/// [`Timestamp::MIN`] (for -9999-W01) and [`Timestamp::MAX`] (for 9999-W52).
///
/// # Panics
///
/// When `week` does not exist (built by hand rather than with [`Week::of`], [`Week::new`] or by
/// parsing), as [`Week::monday`].
pub fn week_span(week: Week, tz: &TimeZone) -> (Timestamp, Timestamp) {
    let monday = week.monday();
    // Beyond jiff's timestamps only at the ends of its calendar: the first week of -9999 starts
    // before them and the last of 9999 ends after them.
    let start = first_instant(monday, tz).unwrap_or(Timestamp::MIN);
    let end = monday
        .checked_add(Span::new().days(7))
        .ok()
        .and_then(|next_monday| first_instant(next_monday, tz))
        .unwrap_or(Timestamp::MAX);
    (start, end)
}

/// The start of `week` in `tz`, `None` when it is beyond jiff's timestamps.
fn week_start(week: Week, tz: &TimeZone) -> Option<Timestamp> {
    first_instant(week.monday(), tz)
}

/// The first instant at which `tz`'s wall clock shows `day` (or a later date, where clocks skipped
/// all of `day`), `None` when it is beyond jiff's timestamps.
fn first_instant(day: Date, tz: &TimeZone) -> Option<Timestamp> {
    let midnight = day.to_datetime(Time::midnight());
    let ambiguous = tz.to_ambiguous_timestamp(midnight);
    match ambiguous.offset() {
        // Clocks turned back over midnight show it twice: the day begins at the first.
        AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => {
            ambiguous.disambiguate(Disambiguation::Earlier).ok()
        }
        // Clocks jumped at some instant T from before midnight to after it: the day begins at T.
        // `Disambiguation::Later` (and `Compatible`, which jiff's `Zoned::start_of_day` uses)
        // reads midnight with the offset from before the jump: T itself when the jump starts at
        // midnight (America/Sao_Paulo 1997-10-06, Pacific/Apia 2011-12-30), but later than T when
        // it starts before (America/Toronto 1919-03-31, 23:30 to 00:30 on a Monday). So T is
        // looked up among the transitions between the two readings of midnight.
        AmbiguousOffset::Gap { after, .. } => {
            let later = ambiguous.disambiguate(Disambiguation::Later).ok()?;
            let earliest = after.to_timestamp(midnight).unwrap_or(Timestamp::MIN);
            let jump = tz
                .following(earliest)
                .map(|transition| transition.timestamp())
                .take_while(|&t| t <= later)
                .find(|&t| tz.to_datetime(t) >= midnight);
            Some(jump.unwrap_or(later))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use jiff::civil::{DateTime, Weekday, date};
    use jiff::{SignedDuration, tz};
    use proptest::prelude::*;

    use super::*;

    const NS: SignedDuration = SignedDuration::from_nanos(1);

    fn week(year: i16, week: i8) -> Week {
        Week::new(year, week).unwrap()
    }

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn utc(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    /// The instant `tz`'s wall clock shows `local`, which the test expects to exist exactly once.
    fn local(tz: &TimeZone, local: &str) -> Timestamp {
        let dt: DateTime = local.parse().unwrap();
        tz.to_ambiguous_timestamp(dt).unambiguous().unwrap()
    }

    fn hours(week: Week, tz: &TimeZone) -> f64 {
        let (start, end) = week_span(week, tz);
        end.duration_since(start).as_secs_f64() / 3600.0
    }

    /// The invariants of every instant in every zone: its week's span holds it, begins and ends in
    /// that week, meets the spans of the weeks around it, and the week reads back from its text.
    fn assert_week_holds(t: Timestamp, tz: &TimeZone) {
        let name = tz.iana_name().unwrap_or("(unnamed zone)");
        let week = week_of(t, tz);
        let (start, end) = week_span(week, tz);
        assert!(
            start <= t && t < end,
            "{t} in {name}: {week} is [{start}, {end})"
        );
        assert_eq!(week_of(start, tz), week, "start of {week} in {name}");
        assert_eq!(
            week_of(end - NS, tz),
            week,
            "last instant of {week} in {name}"
        );
        assert_eq!(
            week_span(week.next().unwrap(), tz).0,
            end,
            "after {week} in {name}"
        );
        assert_eq!(
            week_span(week.previous().unwrap(), tz).1,
            start,
            "before {week} in {name}"
        );
        assert_eq!(week.to_string().parse::<Week>(), Ok(week));
        let length = end.duration_since(start);
        assert!(
            SignedDuration::from_hours(6 * 24) <= length
                && length <= SignedDuration::from_hours(8 * 24),
            "{week} in {name} lasts {length:#}"
        );
    }

    // --- Reading weeks ---

    #[test]
    fn reads_iso_weeks_with_or_without_the_dash_in_either_case() {
        for text in ["2026-W48", "2026-w48", "2026W48", "2026w48", "  2026-W48\n"] {
            assert_eq!(text.parse::<Week>(), Ok(week(2026, 48)), "{text:?}");
        }
        assert_eq!("2026-W01".parse::<Week>(), Ok(week(2026, 1)));
        assert_eq!("0001-W01".parse::<Week>(), Ok(week(1, 1)));
        assert_eq!("9999-W52".parse::<Week>(), Ok(week(9999, 52)));
    }

    #[test]
    fn reads_week_53_in_the_years_that_have_one() {
        for year in [2015, 2020, 2026, 2032, 2037] {
            assert_eq!(format!("{year}-W53").parse::<Week>(), Ok(week(year, 53)));
        }
    }

    #[test]
    fn rejects_text_that_is_not_an_iso_week() {
        for text in [
            "",
            " ",
            "2026",
            "2026-W",
            "2026-W4",
            "2026-W048",
            "26-W48",
            "02026-W48",
            "2026-48",
            "202648",
            "2026/W48",
            "2026 W48",
            "2026--W48",
            "2026-W48-1",
            "2026-W4a",
            "W48-2026",
            "-2026-W48",
            "+2026-W48",
            "2026-X48",
            "２０２６-W48",
            "2026-W４８",
            "2026-Wé",
            "2026-Ｗ48",
        ] {
            assert!(
                matches!(text.parse::<Week>(), Err(WeekError::BadWeek(_))),
                "{text:?} was read as {:?}",
                text.parse::<Week>()
            );
        }
    }

    #[test]
    fn rejects_week_00_and_week_53_of_a_52_week_year() {
        let no_such = |text: &str, year, weeks| {
            let err = WeekError::NoSuchWeek {
                text: text.to_string(),
                year,
                weeks,
            };
            assert_eq!(text.parse::<Week>(), Err(err), "{text:?}");
        };
        no_such("2026-W00", 2026, 53);
        no_such("2025-W53", 2025, 52);
        no_such("2027-w53", 2027, 52);
        no_such("2026-W54", 2026, 53);
        no_such("2026W99", 2026, 53);
    }

    #[test]
    fn errors_name_the_text_and_how_to_write_a_week() {
        assert_eq!(
            "next week".parse::<Week>().unwrap_err().to_string(),
            "cannot read week `next week` (write an ISO week such as 2026-W48)"
        );
        assert_eq!(
            " 2025-W53".parse::<Week>().unwrap_err().to_string(),
            "week `2025-W53` does not exist (2025 has weeks W01 to W52)"
        );
    }

    #[test]
    fn every_week_from_1900_to_2200_reads_back_from_its_display() {
        let mut w = week(1900, 1);
        while w.year <= 2200 {
            assert_eq!(w.to_string().parse::<Week>(), Ok(w));
            w = w.next().unwrap();
        }
    }

    // --- Counting and stepping weeks (RELIABILITY T15) ---

    #[test]
    fn years_with_a_week_53_from_2015_to_2040_are_2015_2020_2026_2032_2037() {
        let long: Vec<i16> = (2015..=2040)
            .filter(|&y| Week::weeks_in_year(y) == 53)
            .collect();
        assert_eq!(long, [2015, 2020, 2026, 2032, 2037]);
    }

    #[test]
    fn weeks_in_year_agrees_with_jiff_in_every_year_jiff_knows() {
        for year in -9999..=9999 {
            let weeks = Week::weeks_in_year(year);
            assert!(Week::new(year, weeks).is_some(), "{year} has week {weeks}");
            assert!(
                Week::new(year, weeks + 1).is_none(),
                "{year} has only {weeks} weeks"
            );
        }
    }

    #[test]
    fn next_and_previous_step_over_week_53_and_new_year() {
        assert_eq!(week(2026, 52).next(), Some(week(2026, 53)));
        assert_eq!(week(2026, 53).next(), Some(week(2027, 1)));
        assert_eq!(week(2027, 1).previous(), Some(week(2026, 53)));
        assert_eq!(week(2025, 52).next(), Some(week(2026, 1)));
        assert_eq!(week(2026, 1).previous(), Some(week(2025, 52)));
        assert_eq!(week(2026, 48).next(), Some(week(2026, 49)));
        assert_eq!(week(2026, 48).previous(), Some(week(2026, 47)));
    }

    #[test]
    fn next_and_previous_stop_at_the_ends_of_the_calendar_and_at_weeks_that_do_not_exist() {
        assert_eq!(week(9999, 52).next(), None);
        assert_eq!(week(-9999, 1).previous(), None);
        assert_eq!(
            Week {
                year: 2025,
                week: 53
            }
            .next(),
            None
        );
        assert_eq!(
            Week {
                year: 2026,
                week: 0
            }
            .previous(),
            None
        );
    }

    #[test]
    fn spans_at_the_ends_of_jiffs_calendar_are_cut_to_its_first_and_last_instants() {
        for name in ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"] {
            let tz = zone(name);
            assert_eq!(week_span(week(-9999, 1), &tz).0, Timestamp::MIN, "{name}");
            assert_eq!(week_span(week(9999, 52), &tz).1, Timestamp::MAX, "{name}");
            assert_eq!(week_of(Timestamp::MIN, &tz), week(-9999, 1), "{name}");
            assert_eq!(week_of(Timestamp::MAX, &tz), week(9999, 52), "{name}");
        }
    }

    #[test]
    fn new_year_2027_is_friday_of_2026_w53_and_2027_w01_starts_on_4_january() {
        assert_eq!(date(2027, 1, 1).weekday(), Weekday::Friday);
        for name in [
            "UTC",
            "Pacific/Kiritimati",
            "Pacific/Pago_Pago",
            "Asia/Kathmandu",
        ] {
            let tz = zone(name);
            assert_eq!(
                week_of(local(&tz, "2027-01-01T12:00"), &tz),
                week(2026, 53),
                "{name}"
            );
            assert_eq!(
                week_of(local(&tz, "2027-01-03T23:59:59"), &tz),
                week(2026, 53)
            );
            assert_eq!(
                week_of(local(&tz, "2027-01-04T00:00"), &tz),
                week(2027, 1),
                "{name}"
            );
        }
    }

    #[test]
    fn the_last_days_of_a_year_can_be_week_01_and_the_first_days_week_53() {
        let tz = zone("Europe/Berlin");
        assert_eq!(week_of(local(&tz, "2024-12-30T09:00"), &tz), week(2025, 1));
        assert_eq!(
            week_of(local(&tz, "2024-12-29T23:59:59"), &tz),
            week(2024, 52)
        );
        assert_eq!(week_of(local(&tz, "2021-01-03T18:00"), &tz), week(2020, 53));
        assert_eq!(week_of(local(&tz, "2021-01-04T00:00"), &tz), week(2021, 1));
    }

    // --- Weeks in time zones (RELIABILITY T15) ---

    #[test]
    fn auckland_and_los_angeles_each_count_weeks_by_their_own_clock_across_2026_dst_changes() {
        let (la, akl) = (zone("America/Los_Angeles"), zone("Pacific/Auckland"));
        // (instant, its week in Los Angeles, its week in Auckland), around each zone's changes.
        let cases = [
            // Los Angeles springs forward on Sunday 8 March, 02:00 PST -> 03:00 PDT.
            ("2026-03-08T09:59:59Z", (2026, 10), (2026, 10)), // LA Sun 01:59:59, AKL Sun 22:59:59
            ("2026-03-08T10:00:00Z", (2026, 10), (2026, 10)), // LA Sun 03:00 PDT, AKL Sun 23:00
            ("2026-03-08T11:00:00Z", (2026, 10), (2026, 11)), // LA Sun 04:00, AKL Mon 00:00
            ("2026-03-09T06:30:00Z", (2026, 10), (2026, 11)), // LA Sun 23:30, AKL Mon 19:30
            ("2026-03-09T07:00:00Z", (2026, 11), (2026, 11)), // LA Mon 00:00 PDT
            // Auckland falls back on Sunday 5 April, 03:00 NZDT -> 02:00 NZST.
            ("2026-04-04T13:59:59Z", (2026, 14), (2026, 14)), // AKL Sun 02:59:59 NZDT
            ("2026-04-04T14:00:00Z", (2026, 14), (2026, 14)), // AKL Sun 02:00 NZST (again)
            ("2026-04-05T11:30:00Z", (2026, 14), (2026, 14)), // AKL Sun 23:30 NZST, LA Sun 04:30
            ("2026-04-05T12:00:00Z", (2026, 14), (2026, 15)), // AKL Mon 00:00, LA Sun 05:00
            ("2026-04-06T06:59:59Z", (2026, 14), (2026, 15)), // LA Sun 23:59:59 PDT
            ("2026-04-06T07:00:00Z", (2026, 15), (2026, 15)), // LA Mon 00:00
            // Auckland springs forward on Sunday 27 September, 02:00 NZST -> 03:00 NZDT.
            ("2026-09-26T13:59:59Z", (2026, 39), (2026, 39)), // AKL Sun 01:59:59 NZST
            ("2026-09-26T14:00:00Z", (2026, 39), (2026, 39)), // AKL Sun 03:00 NZDT
            ("2026-09-27T10:59:59Z", (2026, 39), (2026, 39)), // AKL Sun 23:59:59 NZDT
            ("2026-09-27T11:00:00Z", (2026, 39), (2026, 40)), // AKL Mon 00:00, LA Sun 04:00
            // Los Angeles falls back on Sunday 1 November, 02:00 PDT -> 01:00 PST.
            ("2026-11-01T08:30:00Z", (2026, 44), (2026, 44)), // LA Sun 01:30 PDT, AKL Sun 21:30
            ("2026-11-01T09:30:00Z", (2026, 44), (2026, 44)), // LA Sun 01:30 PST, AKL Sun 22:30
            ("2026-11-02T07:30:00Z", (2026, 44), (2026, 45)), // LA Sun 23:30 PST, AKL Mon 20:30
            ("2026-11-02T08:00:00Z", (2026, 45), (2026, 45)), // LA Mon 00:00 PST
        ];
        for (instant, (ly, lw), (ay, aw)) in cases {
            let t = utc(instant);
            assert_eq!(week_of(t, &la), week(ly, lw), "{instant} in Los Angeles");
            assert_eq!(week_of(t, &akl), week(ay, aw), "{instant} in Auckland");
        }
        assert_eq!(hours(week(2026, 10), &la), 167.0);
        assert_eq!(hours(week(2026, 44), &la), 169.0);
        assert_eq!(hours(week(2026, 14), &akl), 169.0);
        assert_eq!(hours(week(2026, 39), &akl), 167.0);
        assert_eq!(hours(week(2026, 11), &akl), 168.0);
    }

    #[test]
    fn berlin_weeks_holding_a_clock_change_last_167_and_169_hours() {
        let tz = zone("Europe/Berlin");
        // 29 March 2026 (02:00 -> 03:00) and 25 October 2026 (03:00 -> 02:00) are Sundays.
        assert_eq!(week_of(local(&tz, "2026-03-29T12:00"), &tz), week(2026, 13));
        assert_eq!(week_of(local(&tz, "2026-10-25T12:00"), &tz), week(2026, 43));
        assert_eq!(hours(week(2026, 12), &tz), 168.0);
        assert_eq!(hours(week(2026, 13), &tz), 167.0);
        assert_eq!(hours(week(2026, 14), &tz), 168.0);
        assert_eq!(hours(week(2026, 43), &tz), 169.0);
        assert_eq!(
            week_span(week(2026, 13), &tz),
            (utc("2026-03-22T23:00Z"), utc("2026-03-29T22:00Z"))
        );
        assert_eq!(
            week_span(week(2026, 43), &tz),
            (utc("2026-10-18T22:00Z"), utc("2026-10-25T23:00Z"))
        );
        // Both 02:30s of 25 October are in week 43; the missing 02:30 of 29 March is no instant.
        assert_eq!(week_of(utc("2026-10-25T00:30Z"), &tz), week(2026, 43));
        assert_eq!(week_of(utc("2026-10-25T01:30Z"), &tz), week(2026, 43));
    }

    #[test]
    fn lord_howe_weeks_holding_its_half_hour_changes_last_168_5_and_167_5_hours() {
        let tz = zone("Australia/Lord_Howe");
        // 5 April 2026 (02:00 -> 01:30) and 4 October 2026 (02:00 -> 02:30) are Sundays.
        assert_eq!(week_of(local(&tz, "2026-04-05T12:00"), &tz), week(2026, 14));
        assert_eq!(week_of(local(&tz, "2026-10-04T12:00"), &tz), week(2026, 40));
        assert_eq!(hours(week(2026, 14), &tz), 168.5);
        assert_eq!(hours(week(2026, 40), &tz), 167.5);
        assert_eq!(hours(week(2026, 15), &tz), 168.0);
        // Mondays start at local midnight: +11 before 5 April, +10:30 after.
        assert_eq!(week_span(week(2026, 14), &tz).0, utc("2026-03-29T13:00Z"));
        assert_eq!(week_span(week(2026, 15), &tz).0, utc("2026-04-05T13:30Z"));
    }

    #[test]
    fn kathmandu_weeks_start_at_midnight_at_plus_05_45() {
        let tz = zone("Asia/Kathmandu");
        assert_eq!(
            week_span(week(2026, 10), &tz),
            (utc("2026-03-01T18:15Z"), utc("2026-03-08T18:15Z"))
        );
        assert_eq!(
            week_of(utc("2026-03-01T18:14:59.999999999Z"), &tz),
            week(2026, 9)
        );
        assert_eq!(week_of(utc("2026-03-01T18:15Z"), &tz), week(2026, 10));
        assert_eq!(
            week_of(utc("2026-03-01T18:15Z"), &zone("UTC")),
            week(2026, 9)
        );
    }

    #[test]
    fn apia_week_without_30_december_2011_lasts_144_hours_and_holds_every_instant_of_it() {
        let tz = zone("Pacific/Apia");
        let w52 = week(2011, 52);
        // Monday 26 December at -10:00, to Monday 2 January at +14:00.
        let (start, end) = week_span(w52, &tz);
        assert_eq!(
            (start, end),
            (utc("2011-12-26T10:00Z"), utc("2012-01-01T10:00Z"))
        );
        assert_eq!(hours(w52, &tz), 144.0);
        // The clock went from Thursday 29 December 23:59:59 straight to Saturday 31 December.
        let jump = utc("2011-12-30T10:00Z");
        assert_eq!(tz.to_datetime(jump - NS).date(), date(2011, 12, 29));
        assert_eq!(tz.to_datetime(jump).date(), date(2011, 12, 31));
        // Minute by minute from a day before to a day after, an instant is in week 52 exactly
        // when the span holds it.
        let mut t = start - SignedDuration::from_hours(24);
        while t < end + SignedDuration::from_hours(24) {
            assert_eq!(week_of(t, &tz) == w52, start <= t && t < end, "{t}");
            t += SignedDuration::from_mins(1);
        }
    }

    #[test]
    fn a_monday_whose_midnight_was_skipped_starts_when_the_clock_first_shows_it() {
        // Sao Paulo, Monday 6 October 1997: 00:00 -03 jumped to 01:00 -02, at 03:00 UTC.
        let tz = zone("America/Sao_Paulo");
        assert_eq!(week_span(week(1997, 41), &tz).0, utc("1997-10-06T03:00Z"));
        assert_eq!(hours(week(1997, 40), &tz), 168.0);
        assert_eq!(hours(week(1997, 41), &tz), 167.0);
        // Toronto, Sunday 30 March 1919: 23:30 EST jumped to Monday 00:30 EDT, at 04:30 UTC. The
        // week starts then, not at midnight read as EST (05:00 UTC), which is what jiff's
        // `Compatible` and `Later` disambiguations, and so `Zoned::start_of_day`, give.
        let tz = zone("America/Toronto");
        let (start, _) = week_span(week(1919, 14), &tz);
        assert_eq!(start, utc("1919-03-31T04:30Z"));
        assert_eq!(tz.to_datetime(start), date(1919, 3, 31).at(0, 30, 0, 0));
        assert_eq!(week_of(start - NS, &tz), week(1919, 13));
        assert_eq!(week_of(start, &tz), week(1919, 14));
        let compatible = date(1919, 3, 31)
            .at(0, 0, 0, 0)
            .to_zoned(tz.clone())
            .unwrap();
        assert_eq!(compatible.timestamp(), utc("1919-03-31T05:00Z"));
        assert_eq!(
            compatible.start_of_day().unwrap().timestamp(),
            utc("1919-03-31T05:00Z")
        );
    }

    /// A made-up zone (UTC+1, UTC+2 in summer) that jumps from Sunday 23:30 to Monday 00:30 on
    /// the last Sunday of March and goes back from Monday 00:30 to Sunday 23:30 on the last Monday
    /// of October: no real zone has done either in 1970–2100, but nothing forbids it.
    fn across_midnight() -> TimeZone {
        TimeZone::posix("XST-1XDT,M3.5.0/23:30,M10.5.1/0:30").unwrap()
    }

    #[test]
    fn clocks_turned_back_over_monday_midnight_do_not_start_the_week_twice() {
        let tz = across_midnight();
        // Monday 26 October 2026 00:30 XDT is 22:30 UTC; the clock then shows Sunday 23:30 again.
        let back = utc("2026-10-25T22:30Z");
        assert_eq!(tz.to_datetime(back), date(2026, 10, 25).at(23, 30, 0, 0));
        let (start, end) = week_span(week(2026, 44), &tz);
        assert_eq!(
            start,
            utc("2026-10-25T22:00Z"),
            "the first of the two midnights"
        );
        // The repeated Sunday minutes belong to the week that has begun.
        assert_eq!(week_of(back, &tz), week(2026, 44));
        assert_eq!(week_of(start - NS, &tz), week(2026, 43));
        assert_eq!(week_span(week(2026, 43), &tz).1, start);
        assert_eq!(end.duration_since(start), SignedDuration::from_hours(169));
    }

    #[test]
    fn made_up_zone_with_changes_over_monday_midnight_keeps_weeks_tiled() {
        let tz = across_midnight();
        // Every 31 minutes through 2025–2027, and 1 ns on both sides of each change.
        let mut t = utc("2025-01-01T00:00Z");
        while t < utc("2028-01-01T00:00Z") {
            assert_week_holds(t, &tz);
            t += SignedDuration::from_mins(31);
        }
        for transition in tz.following(utc("2025-01-01T00:00Z")).take(6) {
            assert_week_holds(transition.timestamp() - NS, &tz);
            assert_week_holds(transition.timestamp(), &tz);
        }
        // Spring: the week starts at the jump, 00:30 on Monday.
        assert_eq!(week_span(week(2026, 14), &tz).0, utc("2026-03-29T22:30Z"));
        // The hour skipped from 23:30 to 00:30 is half in each week.
        assert_eq!(hours(week(2026, 13), &tz), 167.5);
        assert_eq!(hours(week(2026, 14), &tz), 167.5);
    }

    // --- Properties ---

    /// Zones with DST both ways, half-hour and 45-minute offsets, half-hour DST, and skipped days.
    static ZONES: LazyLock<Vec<TimeZone>> = LazyLock::new(|| {
        [
            "UTC",
            "Europe/Berlin",
            "America/Los_Angeles",
            "America/New_York",
            "America/Sao_Paulo",
            "America/St_Johns",
            "Pacific/Auckland",
            "Pacific/Chatham",
            "Australia/Lord_Howe",
            "Asia/Kathmandu",
            "Pacific/Apia",
            "Pacific/Kiritimati",
        ]
        .into_iter()
        .map(zone)
        .collect()
    });

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 100_000,
            // Failures are reported with their inputs; no regression file beside the source.
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Any instant from 1970 to 2100 in any of the zones: its week is the ISO week of its
        /// local date, and the week's span holds it, starts and ends in it and meets its
        /// neighbours' spans.
        #[test]
        fn every_instant_lies_in_the_span_of_its_week(
            second in 0i64..4_102_444_800, // 1970-01-01 to 2100-01-01
            nano in 0i32..1_000_000_000,
            zone in 0..ZONES.len(),
        ) {
            let (t, tz) = (Timestamp::new(second, nano).unwrap(), &ZONES[zone]);
            prop_assert_eq!(week_of(t, tz), Week::of(tz.to_datetime(t).date()));
            assert_week_holds(t, tz);
        }
    }

    #[test]
    fn every_clock_change_of_every_zone_from_1970_to_2100_keeps_weeks_tiled() {
        let (from, until) = (utc("1970-01-01T00:00Z"), utc("2100-01-01T00:00Z"));
        let mut changes = 0;
        for name in tz::db().available() {
            let tz = zone(name.as_str());
            for transition in tz.following(from).take_while(|t| t.timestamp() < until) {
                for t in [transition.timestamp() - NS, transition.timestamp()] {
                    assert_eq!(
                        week_of(t, &tz),
                        Week::of(tz.to_datetime(t).date()),
                        "{name} {t}"
                    );
                    assert_week_holds(t, &tz);
                }
                changes += 1;
            }
        }
        assert!(
            changes > 10_000,
            "only {changes} clock changes: is the tz database there?"
        );
    }
}
