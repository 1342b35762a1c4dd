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

/// Where an error is shown. Its problem is the same everywhere; its fix is told in the terms
/// of the surface that shows it (a command, an endpoint, a form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Cli,
    Api,
    Web,
}

impl AppError {
    /// The message for `surface`. [`Display`](std::fmt::Display) is the CLI's: the other
    /// surfaces differ only where the fix names a command or a flag.
    pub fn message(&self, surface: Surface) -> String {
        // The problem as the CLI says it, then the fix on the API and on the web.
        let (problem, api, web) = match self {
            _ if surface == Surface::Cli => return self.to_string(),
            AppError::UnknownPerson {
                handle,
                did_you_mean,
            } => (
                format!("unknown person @{handle}{}; ", maybe(did_you_mean, "@")),
                "list people with `GET /api/v1/people`",
                "check the handle (as on the person's profile, without the @)",
            ),
            AppError::UnknownTeam { name, did_you_mean } => (
                format!("unknown team `{name}`{}; ", maybe(did_you_mean, "")),
                "list teams with `GET /api/v1/teams`",
                "choose one of the teams the dashboard offers",
            ),
            AppError::UnknownMilestone { name, did_you_mean } => (
                format!("unknown milestone `{name}`{}; ", maybe(did_you_mean, "")),
                "list milestones with `GET /api/v1/milestones`, or give a date instead",
                "give a date instead, or ask an admin to add the milestone",
            ),
            AppError::SlipNeedsReason { what, change } => (
                format!(
                    "{what}'s date is committed, so {} needs a reason: ",
                    change.describe()
                ),
                "send a `reason` (what happened)",
                "fill in the reason (what happened)",
            ),
            AppError::ReasonRequired { what, status } => (
                format!("{what} needs a reason to become {status}: "),
                "send a `reason`",
                "fill in the reason",
            ),
            AppError::ActualBeforeDone(what) => (
                format!("{what}: time spent is recorded when the item is done; "),
                "send it with the change to done (`\"action\": \"done\", \"actual\": \"5h\"`)",
                "give it when you mark the item done",
            ),
            AppError::NothingToChange => (
                "nothing to change: ".to_string(),
                "send at least one field to change",
                "fill in at least one field to change",
            ),
            AppError::NoActor => (
                "no acting person: ".to_string(),
                "sign in first",
                "sign in first",
            ),
            _ => return self.to_string(),
        };
        let fix = if surface == Surface::Api { api } else { web };
        format!("{problem}{fix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use landed_core::model::RefKind;

    fn item(num: i64) -> Ref {
        Ref {
            kind: RefKind::Item,
            num,
        }
    }

    /// Errors whose fix names a command or a flag on the CLI.
    fn with_cli_fixes() -> Vec<AppError> {
        vec![
            AppError::UnknownPerson {
                handle: "bem".into(),
                did_you_mean: Some("ben".into()),
            },
            AppError::UnknownTeam {
                name: "Platfrom".into(),
                did_you_mean: Some("Platform".into()),
            },
            AppError::UnknownMilestone {
                name: "beta".into(),
                did_you_mean: None,
            },
            AppError::ReasonRequired {
                what: item(3),
                status: "blocked",
            },
            AppError::ActualBeforeDone(item(3)),
            AppError::NothingToChange,
            AppError::NoActor,
        ]
    }

    /// The CLI's message is the error's Display; the API's and the web's keep the problem
    /// (and any "did you mean") but never name a command or a flag.
    #[test]
    fn each_surface_is_told_the_fix_in_its_own_terms() {
        for e in with_cli_fixes() {
            let cli = e.message(Surface::Cli);
            assert_eq!(cli, e.to_string());
            assert!(cli.contains("`landed ") || cli.contains("--"), "{cli}");
            for surface in [Surface::Api, Surface::Web] {
                let told = e.message(surface);
                assert!(
                    !told.contains("landed ") && !told.contains("--"),
                    "{surface:?}: {told}"
                );
                let problem = cli.split([';', ':', '(']).next().unwrap();
                assert!(told.starts_with(problem), "{surface:?}: {told} / {cli}");
                if cli.contains("did you mean") {
                    assert!(told.contains("did you mean"), "{surface:?}: {told}");
                }
            }
        }
        let team = &with_cli_fixes()[1];
        assert!(team.message(Surface::Api).contains("`GET /api/v1/teams`"));
        assert!(team.message(Surface::Web).contains("dashboard"));
        // Errors without a command in their fix read the same everywhere.
        let exists = AppError::Exists("team `Core`".into());
        assert_eq!(exists.message(Surface::Api), exists.to_string());
    }
}
