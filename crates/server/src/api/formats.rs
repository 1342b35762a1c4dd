//! The shapes of the strings the API reads, as JSON Schema. The document promises exactly what
//! the handlers accept: every string a pattern matches is read, and what it does not match is
//! refused (RELIABILITY T5: schemathesis sends both and checks the answers). Patterns stay in
//! the subset ECMA-262 and Python agree on (no `\d`, `\s`, `\w`: they are wider in Python).

use std::borrow::Cow;
use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{OpenApi, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// Characters `str::trim` removes (Unicode White_Space), as a regex class body.
const EDGE: &str = r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// A visible character: neither whitespace nor a control character.
const VISIBLE: &str = r"[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// Anything but a control character other than tab and newline.
const INSIDE: &str = r"[^\x00-\x08\x0B-\x1F\x7F-\x9F]";

/// Text the way `landed_core::validate::required` reads it: 1 to `max` characters once
/// trimmed, the first and last visible, no control characters but tab and newline.
/// (The length is in the pattern rather than `maxLength`, which would count the whitespace
/// around it.)
fn required_text(max: usize) -> String {
    let inner = max - 2;
    format!("^[{EDGE}]*{VISIBLE}({INSIDE}{{0,{inner}}}{VISIBLE})?[{EDGE}]*$")
}

/// Text the way `landed_core::validate::optional` reads it: blank means none.
fn optional_text(max: usize) -> String {
    let inner = max - 2;
    format!("^[{EDGE}]*({VISIBLE}({INSIDE}{{0,{inner}}}{VISIBLE})?[{EDGE}]*)?$")
}

fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .description(Some(description))
}

fn text(description: &str, max: usize, required: bool) -> ObjectBuilder {
    string(description).pattern(Some(if required {
        required_text(max)
    } else {
        optional_text(max)
    }))
}

/// `(mo|mon|mond|monda|monday|tu|…)`: the weekday names `when::weekday_named` reads (any
/// start of at least two letters).
fn weekdays() -> String {
    let names = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let nested = |name: &str| {
        let (head, tail) = name.split_at(2);
        let mut out = head.to_string();
        for c in tail.chars() {
            out.push('(');
            out.push(c);
        }
        out.push_str(&")?".repeat(tail.len()));
        out
    };
    names.map(nested).join("|")
}

/// A date the way `when::parse_date` reads it. Days stop at 28 and weeks at 52 so that every
/// date the pattern matches exists.
fn date_alternatives() -> String {
    format!(
        "today|tomorrow|yesterday|{}|(\\+ ?|in )[0-9]{{1,3}} ?(d|days?|w|weeks?)\
         |[0-9]{{4}}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])\
         |[0-9]{{4}}-[Ww](0[1-9]|[1-4][0-9]|5[0-2])",
        weekdays()
    )
}

/// A JSON Schema for a string, named in the document's components.
macro_rules! shape {
    ($(#[doc = $doc:literal])+ $name:ident => $build:expr) => {
        $(#[doc = $doc])+
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let description = [$($doc),+].map(str::trim).join(" ");
                let build: fn(&str) -> ObjectBuilder = $build;
                build(&description).build().into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

shape! {
    /// A person's handle, e.g. `ana`: 1–32 lower-case letters, digits, `.`, `_` or `-`,
    /// starting with a letter or digit (an `@` before it is allowed).
    Handle => |d| {
        string(d)
            .pattern(Some("^@?[a-z0-9][a-z0-9._-]{0,31}$"))
            .examples(["ana"])
    }
}

shape! {
    /// A team's name, e.g. `Payments` (any case).
    TeamName => |d| text(d, 200, true).examples(["Payments"])
}

shape! {
    /// A milestone's name or id, e.g. `Q1 release` or `M-2`.
    MilestoneName => |d| text(d, 200, true).examples(["Q1 release"])
}

shape! {
    /// A goal id, e.g. `G-3`.
    GoalId => |d| string(d).pattern(Some("^[Gg]-?0*[1-9][0-9]{0,17}$"))
}

shape! {
    /// An item id, e.g. `I-12`.
    ItemId => |d| string(d).pattern(Some("^[Ii]-?0*[1-9][0-9]{0,17}$"))
}

shape! {
    /// A request id, e.g. `R-2`.
    RequestId => |d| string(d).pattern(Some("^[Rr]-?0*[1-9][0-9]{0,17}$"))
}

shape! {
    /// A goal or item id, e.g. `G-3` or `I-12`.
    WorkId => |d| string(d).pattern(Some("^[GgIi]-?0*[1-9][0-9]{0,17}$"))
}

shape! {
    /// A goal, item or request id, e.g. `G-3`, `I-12` or `R-2`.
    RecordId => |d| string(d).pattern(Some("^[GgIiRr]-?0*[1-9][0-9]{0,17}$"))
}

shape! {
    /// Where a page of a list in name order starts: the previous page's `next_cursor` (a
    /// handle or a name; the page holds what sorts after it, bytewise).
    KeyCursor => |d| string(d).min_length(Some(1)).max_length(Some(MAX_KEY_CURSOR))
}

/// The longest cursor of a list in name order, in characters (a team name is at most 200).
pub const MAX_KEY_CURSOR: usize = 200;

shape! {
    /// Where a page starts: the previous page's `next_cursor` (an id such as `I-200`).
    Cursor => |d| string(d).pattern(Some("^([A-Za-z]-)?[0-9]{1,18}$"))
}

shape! {
    /// A date: `2026-12-04`, `today`, `tomorrow`, `yesterday`, a weekday (`fri`: the next
    /// one, today included), `+3d` / `+2w` / `in 3 days`, or an ISO week (`2026-W50`: its
    /// Friday).
    Date => |d| string(d).pattern(Some(format!("^({})$", date_alternatives())))
}

shape! {
    /// A point in the past: a date, or a span back from now (`-4w`, `-30d`, at most ten
    /// years).
    Since => |d| {
        string(d).pattern(Some(format!(
            "^(-[0-9]{{1,3}}d|-[0-9]{{1,2}}w|{})$",
            date_alternatives()
        )))
    }
}

shape! {
    /// An ISO week, e.g. `2026-W48`.
    Week => |d| string(d).pattern(Some("^[0-9]{4}-?[Ww](0[1-9]|[1-4][0-9]|5[0-2])$"))
}

shape! {
    /// Time: hours (`6h`, `1.5h`, a bare number), minutes (`90m`), 8-hour days (`2d`) or
    /// 40-hour weeks (`1w`); at most 10,000 hours.
    Estimate => |d| {
        string(d).pattern(Some(
            "^([0-9]{1,4}(\\.[0-9]{1,2})? ?(h|hrs?|hours?|m|mins?|minutes)?\
             |[0-9]{1,3}(\\.[0-9]{1,2})? ?(d|days?)\
             |[0-9]{1,2}(\\.[0-9]{1,2})? ?(w|wk|weeks?))$",
        ))
    }
}

shape! {
    /// A title: one line of at most 500 characters.
    Title => |d| text(d, 500, true)
}

shape! {
    /// A name: at most 200 characters.
    Name => |d| text(d, 200, true)
}

shape! {
    /// Free text of at most 5,000 characters; blank means none.
    Text => |d| text(d, 5_000, false)
}

shape! {
    /// An e-mail address (with an `@`, no spaces, at most 200 characters); blank means none.
    Email => |d| {
        let part = r"[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
        string(d)
            .max_length(Some(200))
            .pattern(Some(format!("^[{EDGE}]*({part}*@{part}*[{EDGE}]*)?$")))
    }
}

shape! {
    /// An IANA time zone this server knows, e.g. `Europe/Berlin`.
    TimeZone => |d| {
        let mut zones: Vec<String> = jiff::tz::db().available().map(|z| z.to_string()).collect();
        zones.sort();
        if zones.is_empty() {
            // (An empty `enum` is not a schema.)
            return string(&format!(
                "{d} This server has no time zone database, so it knows none."
            ));
        }
        string(d).enum_values(Some(zones))
    }
}

/// A word from a fixed list.
fn words(description: &str, words: &[&str]) -> ObjectBuilder {
    string(description).enum_values(Some(words.iter().copied()))
}

shape! {
    /// An item's status.
    ItemStatus => |d| words(d, &["todo", "doing", "blocked", "done", "dropped"])
}

shape! {
    /// `strategic` work serves goals; `reactive` work is the daily load.
    ItemKind => |d| words(d, &["strategic", "reactive"])
}

shape! {
    /// A goal's verdict or how it closed.
    GoalStatus => |d| words(d, &["plan", "aspiration", "done", "dropped"])
}

shape! {
    /// A share of capacity: `0%` to `100%`, or `0` to `1` (`20%`, `0.2`).
    Share => |d| string(d).pattern(Some(
        "^ *(100(\\.0+)? *%|[0-9]{1,2}(\\.[0-9]+)? *%|0(\\.[0-9]+)?|1(\\.0+)?) *$"
    ))
}

shape! {
    /// What a role allows.
    Role => |d| words(d, &["admin", "member", "viewer"])
}

shape! {
    /// How sure a goal's owner is that it lands on time.
    Confidence => |d| words(d, &["on-track", "at-risk", "off-track"])
}

shape! {
    /// How a goal closes.
    Closure => |d| words(d, &["done", "dropped"])
}

shape! {
    /// What happens to an item: `start`, `done`, `block` (with a reason), `drop` (with a
    /// reason) or `reopen`.
    StatusAction => |d| words(d, &["start", "done", "block", "drop", "reopen"])
}

shape! {
    /// The asked team's answer: there is no third.
    AnswerWord => |d| words(d, &["commit", "not_yet"])
}

/// A whole number, also when written `3.0`: JSON Schema counts `3.0` as an integer, so a
/// client may send it for an `integer` field (serde would refuse it for an `i64`).
pub fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct Whole;

    impl<'de> Visitor<'de> for Whole {
        type Value = Option<i64>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a whole number")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(Whole)
        }

        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            Ok(Some(n))
        }

        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            i64::try_from(n)
                .map(Some)
                .map_err(|_| E::custom(format!("{n} is too large")))
        }

        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
            // Past ±2^63 the cast would saturate.
            if n.fract() == 0.0 && n.abs() < 9.2e18 {
                Ok(Some(n as i64))
            } else {
                Err(E::custom(format!("{n} is not a whole number")))
            }
        }
    }

    d.deserialize_option(Whole)
}

/// A schema that only says what some fields must be (when present); no `type`, so it adds
/// rules to the object it is combined with.
fn when_present(fields: &[(&str, RefOr<Schema>)], required: &[&str]) -> Schema {
    let mut b = ObjectBuilder::new().schema_type(SchemaType::AnyValue);
    for (name, schema) in fields {
        b = b.property(*name, schema.clone());
    }
    for name in required {
        b = b.required(*name);
    }
    Schema::Object(b.build())
}

fn null() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::Null))
        .build()
        .into()
}

fn of_type(t: Type) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(t))
        .build()
        .into()
}

fn one_of_words(words: &[&str]) -> RefOr<Schema> {
    ObjectBuilder::new()
        .enum_values(Some(words.iter().copied()))
        .build()
        .into()
}

/// Absent or `null`, for at least one of `a` and `b`: they exclude each other.
fn not_both(a: &str, b: &str) -> Schema {
    AnyOfBuilder::new()
        .item(when_present(&[(a, null())], &[]))
        .item(when_present(&[(b, null())], &[]))
        .into()
}

/// At least one field that changes something: present (for `nullable` ones, where `null`
/// clears), or present and not `null` (for the others, of type `t`).
fn some_change(nullable: &[&str], others: &[(&str, Type)]) -> Schema {
    let mut any = AnyOfBuilder::new();
    for name in nullable {
        any = any.item(when_present(&[], &[name]));
    }
    for (name, t) in others {
        any = any.item(when_present(&[(name, of_type(t.clone()))], &[name]));
    }
    any.into()
}

/// `reason` is required, and not blank, unless `field` is one of `without`.
fn reason_unless(field: &str, without: &[&str]) -> Schema {
    let reason = ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .pattern(Some(required_text(5_000)))
        .build();
    AnyOfBuilder::new()
        .item(when_present(&[(field, one_of_words(without))], &[field]))
        .item(when_present(&[("reason", reason.into())], &["reason"]))
        .into()
}

/// What a request body's fields require of each other, beyond each field's own shape: the
/// rules the handlers apply before anything is looked up (added to the derived schemas of
/// the named components; OpenAPI derives cannot say them).
pub fn constrain(doc: &mut OpenApi) {
    let string = || of_type(Type::String);
    let answer = {
        let item = when_present(
            &[
                ("item", string()),
                ("create", null()),
                ("due", null()),
                ("milestone", null()),
                ("estimate", null()),
            ],
            &["item"],
        );
        let create = |date: &str, other: &str| {
            when_present(
                &[
                    ("create", string()),
                    ("item", null()),
                    (date, string()),
                    (other, null()),
                ],
                &["create", date],
            )
        };
        let commit = AllOfBuilder::new()
            .item(when_present(&[("owner", string())], &["owner"]))
            .item(
                OneOfBuilder::new()
                    .item(item)
                    .item(create("due", "milestone"))
                    .item(create("milestone", "due")),
            );
        AnyOfBuilder::new()
            .item(when_present(&[("answer", one_of_words(&["not_yet"]))], &[]))
            .item(commit)
            .into()
    };
    let rules: Vec<(&str, Vec<Schema>)> = vec![
        ("NewGoal", vec![not_both("by", "milestone")]),
        (
            "GoalChange",
            vec![
                not_both("by", "milestone"),
                some_change(
                    &["outcome", "owner", "by", "team"],
                    &[("title", Type::String), ("milestone", Type::String)],
                ),
            ],
        ),
        ("GoalClose", vec![reason_unless("how", &["done"])]),
        ("NewItem", vec![not_both("due", "milestone")]),
        (
            "ItemChange",
            vec![
                not_both("due", "milestone"),
                some_change(
                    &["outcome", "owner", "due", "estimate", "goal", "actual"],
                    &[
                        ("title", Type::String),
                        ("milestone", Type::String),
                        ("kind", Type::String),
                    ],
                ),
            ],
        ),
        (
            "StatusChange",
            vec![
                reason_unless("action", &["start", "done", "reopen"]),
                // Time spent is recorded as it is done.
                AnyOfBuilder::new()
                    .item(when_present(&[("action", one_of_words(&["done"]))], &[]))
                    .item(when_present(&[("actual", null())], &[]))
                    .into(),
            ],
        ),
        (
            "PersonChange",
            vec![some_change(
                &["email"],
                &[
                    ("name", Type::String),
                    ("tz", Type::String),
                    ("capacity_hours", Type::Number),
                    ("role", Type::String),
                    ("suspended", Type::Boolean),
                ],
            )],
        ),
        ("Answer", vec![answer]),
    ];
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (name, extra) in rules {
        if let Some(schema) = components.schemas.remove(name) {
            let all = extra
                .into_iter()
                .fold(AllOfBuilder::new().item(schema), |all, s| all.item(s));
            components.schemas.insert(name.to_string(), all.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Versioned {
        #[serde(default, deserialize_with = "whole")]
        version: Option<i64>,
    }

    fn version(json: &str) -> Result<Option<i64>, String> {
        serde_json::from_str::<Versioned>(json)
            .map(|v| v.version)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_may_be_written_as_floats() {
        assert_eq!(version("{}"), Ok(None));
        assert_eq!(version(r#"{"version": null}"#), Ok(None));
        assert_eq!(version(r#"{"version": 3}"#), Ok(Some(3)));
        assert_eq!(version(r#"{"version": -357.0}"#), Ok(Some(-357)));
        assert_eq!(version(r#"{"version": 1e3}"#), Ok(Some(1000)));
        for bad in [
            r#"{"version": 1.5}"#,
            r#"{"version": 1e30}"#,
            r#"{"version": "3"}"#,
        ] {
            let e = version(bad).unwrap_err();
            assert!(
                e.contains("whole number") || e.contains("too large"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn weekday_names_nest() {
        let w = weekdays();
        assert!(
            w.starts_with("mo(n(d(a(y)?)?)?)?|tu(e(s(d(a(y)?)?)?)?)?|"),
            "{w}"
        );
    }
}
