//! The errors of the use cases: each names the problem and the fix.

use landed_core::capture::CaptureError;
use landed_core::model::{BadRef, Ref, UnknownWord};
use landed_core::slip::DateChange;
use landed_core::validate::Invalid;
use landed_core::when::WhenError;
use landed_store::StoreError;

fn maybe(did_you_mean: &Option<String>, prefix: &str) -> String {
    did_you_mean
        .as_ref()
        .map(|s| format!(" (did you mean {prefix}{s}?)"))
        .unwrap_or_default()
}

/// Something a use case refused or could not do. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(
        "unknown person @{handle}{}; list people with `landed person list`",
        maybe(did_you_mean, "@")
    )]
    UnknownPerson {
        handle: String,
        did_you_mean: Option<String>,
    },
    #[error(
        "unknown team `{name}`{}; list teams with `landed team list`",
        maybe(did_you_mean, "")
    )]
    UnknownTeam {
        name: String,
        did_you_mean: Option<String>,
    },
    #[error(
        "unknown milestone `{name}`{}; add it with `landed milestone add {name} --date DATE`",
        maybe(did_you_mean, "")
    )]
    UnknownMilestone {
        name: String,
        did_you_mean: Option<String>,
    },
    #[error("{0} does not exist")]
    NotFound(Ref),
    #[error("{0} is not {1}")]
    WrongKind(Ref, &'static str),
    #[error("{0}")]
    BadRef(#[from] BadRef),
    #[error("{0}")]
    When(#[from] WhenError),
    #[error("{0}")]
    Capture(#[from] CaptureError),
    #[error("{0}")]
    Word(#[from] UnknownWord),
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("{0}")]
    Week(#[from] landed_core::week::WeekError),
    #[error("{what}'s date is committed, so {} needs a reason: add --reason \"what happened\"", change.describe())]
    SlipNeedsReason { what: Ref, change: DateChange },
    #[error("{what} needs a reason to become {status}: add --reason TEXT")]
    ReasonRequired { what: Ref, status: &'static str },
    #[error("{what} is {status}; {hint}")]
    BadTransition {
        what: Ref,
        status: &'static str,
        hint: &'static str,
    },
    #[error("refused: this dependency would close a cycle {0}; remove one of its links first")]
    Cycle(String),
    #[error("{0} already needs {1}")]
    DuplicateDependency(String, String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("give either a date or a milestone, not both")]
    DateAndMilestone,
    #[error(
        "{0}: time spent is recorded when the item is done, e.g. `landed done {0} --actual 5h`"
    )]
    ActualBeforeDone(Ref),
    #[error("nothing to change: give at least one field to edit (see --help)")]
    NothingToChange,
    #[error("{0}")]
    NotAllowed(String),
    /// Only certain people may do this, and the actor is not one of them (the asked team
    /// answers its requests), named in full.
    #[error("{0}")]
    NotPermitted(String),
    /// The acting person may not do this (DESIGN §9).
    #[error("not allowed: {0}")]
    Forbidden(landed_core::authz::Denied),
    #[error(
        "no acting person: add one with `landed person add HANDLE --name NAME`, or pass --as HANDLE"
    )]
    NoActor,
    #[error("{0}")]
    Store(#[from] StoreError),
}
