//! The one next action for a person (DESIGN §6).

use std::cmp::Reverse;

use crate::model::{Id, Item, ItemStatus};

/// An open item and whether it serves a goal that is a plan.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub item: &'a Item,
    pub serves_plan: bool,
}

/// The next action for `person`: among their open, unblocked items, those that serve a plan
/// first, then the earliest due (undated last), then work already in progress, then the oldest.
pub fn next_action<'a>(person: Id, candidates: &[Candidate<'a>]) -> Option<Candidate<'a>> {
    candidates
        .iter()
        .filter(|c| {
            c.item.owner == Some(person)
                && matches!(c.item.status, ItemStatus::Todo | ItemStatus::Doing)
        })
        .min_by_key(|c| {
            (
                Reverse(c.serves_plan),
                c.item.due.date.is_none(),
                c.item.due.date,
                c.item.status != ItemStatus::Doing,
                c.item.num,
            )
        })
        .copied()
}

/// A goal's next step: its earliest-due open, unblocked item (in progress first on ties).
pub fn next_step<'a>(items: impl IntoIterator<Item = &'a Item>) -> Option<&'a Item> {
    items
        .into_iter()
        .filter(|i| matches!(i.status, ItemStatus::Todo | ItemStatus::Doing))
        .min_by_key(|i| {
            (
                i.due.date.is_none(),
                i.due.date,
                i.status != ItemStatus::Doing,
                i.num,
            )
        })
}
