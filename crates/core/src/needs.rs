//! Needs seen from the forecast (DESIGN §3, §5): an item that needs a goal needs each of the
//! goal's open items, and a goal lands when its open items and what it needs have finished.

use jiff::civil::Date;

use crate::forecast::Forecast;
use crate::hash::HashMap;
use crate::model::{Id, Item, Node};

/// The open items of each goal among `items`, in the given order.
pub fn open_by_goal<'a>(items: impl IntoIterator<Item = &'a Item>) -> HashMap<Id, Vec<Id>> {
    let mut by_goal: HashMap<Id, Vec<Id>> = HashMap::default();
    for i in items.into_iter().filter(|i| i.status.is_open()) {
        if let Some(g) = i.goal {
            by_goal.entry(g).or_default().push(i.id);
        }
    }
    by_goal
}

/// The item-to-item needs of `edges`: an item that needs a goal needs each of its open items
/// (`goal_items`, from [`open_by_goal`]). Goals that need something are judged at goal level
/// (see [`goal_finish`]).
pub fn item_needs(edges: &[(Node, Node)], goal_items: &HashMap<Id, Vec<Id>>) -> Vec<(Id, Id)> {
    let mut needs = Vec::with_capacity(edges.len());
    for (from, to) in edges {
        match (from, to) {
            (Node::Item(a), Node::Item(b)) => needs.push((*a, *b)),
            (Node::Item(a), Node::Goal(g)) => {
                needs.extend(goal_items.get(g).into_iter().flatten().map(|b| (*a, *b)));
            }
            _ => {}
        }
    }
    needs
}

/// A goal's forecast finish: the latest finish of its open items and of the open items it needs
/// directly (an item, or a goal's open items), and whether some of them cannot be forecast (then
/// the finish is `None`). `(None, false)` when nothing is left to do. `is_open` tells whether an
/// item is open.
pub fn goal_finish(
    goal: Id,
    goal_items: &HashMap<Id, Vec<Id>>,
    edges: &[(Node, Node)],
    is_open: impl Fn(Id) -> bool,
    forecast: &Forecast,
) -> (Option<Date>, bool) {
    let mut open: Vec<Id> = goal_items.get(&goal).cloned().unwrap_or_default();
    for (from, to) in edges {
        if *from != Node::Goal(goal) {
            continue;
        }
        match to {
            Node::Item(b) if is_open(*b) => open.push(*b),
            Node::Goal(h) => open.extend(goal_items.get(h).into_iter().flatten()),
            _ => {}
        }
    }
    let mut latest = None;
    let mut incomplete = false;
    for id in open {
        match forecast.finish.get(&id) {
            Some(d) => latest = latest.max(Some(*d)),
            None => incomplete = true,
        }
    }
    (if incomplete { None } else { latest }, incomplete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn by_goal() -> HashMap<Id, Vec<Id>> {
        HashMap::from_iter([(1, vec![10, 11]), (2, vec![20])])
    }

    #[test]
    fn an_item_needing_a_goal_needs_its_open_items() {
        let edges = [
            (Node::Item(30), Node::Goal(1)),
            (Node::Item(31), Node::Item(20)),
            (Node::Goal(2), Node::Goal(1)),
        ];
        assert_eq!(
            item_needs(&edges, &by_goal()),
            vec![(30, 10), (30, 11), (31, 20)]
        );
    }

    #[test]
    fn a_goal_lands_after_its_items_and_what_it_needs() {
        let forecast = Forecast {
            finish: HashMap::from_iter([
                (10, date(2026, 12, 1)),
                (11, date(2026, 12, 3)),
                (20, date(2026, 12, 9)),
                (40, date(2026, 12, 20)),
            ]),
            unschedulable: vec![41],
        };
        let open = |id: Id| id != 42;
        // Alone: its latest item.
        assert_eq!(
            goal_finish(1, &by_goal(), &[], open, &forecast),
            (Some(date(2026, 12, 3)), false)
        );
        // Needing goal 2 and item 40: the latest of all.
        let edges = [
            (Node::Goal(1), Node::Goal(2)),
            (Node::Goal(1), Node::Item(40)),
            (Node::Goal(1), Node::Item(42)),
        ];
        assert_eq!(
            goal_finish(1, &by_goal(), &edges, open, &forecast),
            (Some(date(2026, 12, 20)), false)
        );
        // Needing something that cannot be forecast: unknown.
        let edges = [(Node::Goal(1), Node::Item(41))];
        assert_eq!(
            goal_finish(1, &by_goal(), &edges, open, &forecast),
            (None, true)
        );
        // Nothing left to do.
        assert_eq!(
            goal_finish(3, &by_goal(), &[], open, &forecast),
            (None, false)
        );
    }
}
