//! Limits and shapes of what people type: handles, titles, reasons, capacities.

/// A value that does not fit its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct Invalid {
    pub field: &'static str,
    pub problem: String,
}

fn invalid(field: &'static str, problem: impl Into<String>) -> Invalid {
    Invalid {
        field,
        problem: problem.into(),
    }
}

pub const MAX_TITLE: usize = 500;
pub const MAX_TEXT: usize = 5_000;
pub const MAX_NAME: usize = 200;
pub const MAX_HANDLE: usize = 32;
pub const MAX_CAPACITY_HOURS: f64 = 168.0;

/// A handle is 1–32 characters of lower-case letters, digits, `.`, `_` or `-`, starting with
/// a letter or digit (so it reads well after `@`).
pub fn handle(h: &str) -> Result<String, Invalid> {
    let h = h.trim().trim_start_matches('@');
    let ok_start = h
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok_rest = h
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if h.is_empty() || h.len() > MAX_HANDLE || !ok_start || !ok_rest {
        return Err(invalid(
            "handle",
            format!(
                "`{h}` is not a handle: use 1–{MAX_HANDLE} lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. ana or ben.k)"
            ),
        ));
    }
    Ok(h.to_string())
}

/// A required single-line text, trimmed, non-empty, at most `max` characters.
pub fn required(field: &'static str, text: &str, max: usize) -> Result<String, Invalid> {
    let t = text.trim();
    if t.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    optional(field, t, max).map(|t| t.expect("non-empty text stays"))
}

/// An optional text: blank means none; longer than `max` characters or holding control
/// characters is refused.
pub fn optional(field: &'static str, text: &str, max: usize) -> Result<Option<String>, Invalid> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let n = t.chars().count();
    if n > max {
        return Err(invalid(
            field,
            format!("is {n} characters long; the limit is {max}"),
        ));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(invalid(field, "contains control characters"));
    }
    Ok(Some(t.to_string()))
}

/// Hours per week a person can work: between 0 and 168.
pub fn capacity(hours: f64) -> Result<f64, Invalid> {
    if !hours.is_finite() || !(0.0..=MAX_CAPACITY_HOURS).contains(&hours) {
        return Err(invalid(
            "capacity",
            format!("{hours} hours a week is not possible; give 0 to {MAX_CAPACITY_HOURS}"),
        ));
    }
    Ok(hours)
}

/// A share of capacity, written `20%` or `0.2`: between 0 and 1.
pub fn share(field: &'static str, text: &str) -> Result<f64, Invalid> {
    let t = text.trim();
    let (num, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 100.0),
        None => (t, 1.0),
    };
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=1.0).contains(&(v / scale)) => {
            Ok(((v / scale) * 10_000.0).round() / 10_000.0)
        }
        _ => Err(invalid(
            field,
            format!("`{text}` is not a share of capacity; give 0% to 100%, e.g. 20% or 0.2"),
        )),
    }
}

/// Most days a request may wait before it is overdue.
pub const MAX_OVERDUE_DAYS: i64 = 365;

/// Days an open request may wait before it is overdue: 1 to 365.
pub fn overdue_days(days: i64) -> Result<i64, Invalid> {
    if !(1..=MAX_OVERDUE_DAYS).contains(&days) {
        return Err(invalid(
            "overdue days",
            format!("{days} is not possible; give 1 to {MAX_OVERDUE_DAYS} days"),
        ));
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles() {
        assert_eq!(handle("@ana").unwrap(), "ana");
        assert_eq!(handle("ben.k").unwrap(), "ben.k");
        for bad in ["", "Ana", "-x", "a b", "x".repeat(33).as_str(), "é"] {
            assert!(handle(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts() {
        assert_eq!(required("title", "  Ship it ", 10).unwrap(), "Ship it");
        assert!(required("title", "   ", 10).is_err());
        assert!(required("title", "x".repeat(11).as_str(), 10).is_err());
        assert!(required("title", "a\u{7}b", 10).is_err());
        assert_eq!(optional("outcome", " ", 10).unwrap(), None);
    }

    #[test]
    fn capacities() {
        assert_eq!(capacity(40.0).unwrap(), 40.0);
        for bad in [-1.0, 169.0, f64::NAN, f64::INFINITY] {
            assert!(capacity(bad).is_err());
        }
    }

    #[test]
    fn shares() {
        assert_eq!(share("s", "20%").unwrap(), 0.2);
        assert_eq!(share("s", " 0.35 ").unwrap(), 0.35);
        assert_eq!(share("s", "0").unwrap(), 0.0);
        assert_eq!(share("s", "100 %").unwrap(), 1.0);
        for bad in ["", "-0.1", "1.5", "120%", "NaN", "inf", "a lot", "%"] {
            assert!(share("s", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn overdue() {
        assert_eq!(overdue_days(5).unwrap(), 5);
        for bad in [0, -3, 366] {
            assert!(overdue_days(bad).is_err(), "{bad}");
        }
    }
}
