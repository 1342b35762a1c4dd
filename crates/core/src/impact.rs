//! What a slip puts at risk: propagation through dependencies (DESIGN §3).
//!
//! The graph has the explicit dependencies ("A needs B by D") plus one implicit edge per open
//! item of a goal: a goal cannot land before its items. When a node's finish moves, every
//! transitive dependent is re-examined: its finish can be no earlier than what it needs, and it
//! is late by the days that finish passes the date it is needed by.

use std::collections::{HashMap, VecDeque};

use jiff::civil::Date;
use serde::Serialize;

use crate::model::Node;
use crate::when::days_between;

/// One "needs" edge: `from` needs `to`, by `needed_by` if given (else by `from`'s own date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub from: Node,
    pub to: Node,
    pub needed_by: Option<Date>,
}

/// A dependent reached by a slip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Affected {
    pub node: Node,
    /// Steps from the slipping node (1 = needs it directly).
    pub depth: usize,
    /// Its own due or target date.
    pub own_date: Option<Date>,
    /// The earliest it can now finish: its own date, or later if something it needs finishes
    /// later.
    pub finish: Option<Date>,
    /// Days the latest of its needs arrives after the date it is needed by (0 when in time).
    pub late_days: i64,
}

/// Every transitive dependent of `start` when `start` finishes on `finish`, in order of
/// distance, with their new finish dates and lateness. `own_date` gives each node's own due
/// or target date. The graph must be acyclic (the store refuses cycles).
pub fn impact(
    edges: &[Edge],
    start: Node,
    finish: Option<Date>,
    own_date: impl Fn(Node) -> Option<Date>,
) -> Vec<Affected> {
    let mut needed_by: HashMap<Node, Vec<&Edge>> = HashMap::new();
    for e in edges {
        needed_by.entry(e.to).or_default().push(e);
    }
    // The dependents, breadth first, each with its distance.
    let mut depth: HashMap<Node, usize> = HashMap::from([(start, 0)]);
    let mut order = Vec::new();
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for e in needed_by.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
            if !depth.contains_key(&e.from) {
                depth.insert(e.from, depth[&n] + 1);
                order.push(e.from);
                queue.push_back(e.from);
            }
        }
    }
    // Finish dates in topological order of the reached subgraph: a node is settled once
    // everything it needs among the reached nodes is.
    let mut waiting: HashMap<Node, usize> = HashMap::new();
    let mut needs: HashMap<Node, Vec<&Edge>> = HashMap::new();
    for e in edges {
        if depth.contains_key(&e.from) && depth.contains_key(&e.to) && e.from != start {
            *waiting.entry(e.from).or_default() += 1;
            needs.entry(e.from).or_default().push(e);
        }
    }
    let mut finishes: HashMap<Node, Option<Date>> = HashMap::from([(start, finish)]);
    let mut late: HashMap<Node, i64> = HashMap::new();
    let mut ready = VecDeque::from([start]);
    while let Some(n) = ready.pop_front() {
        for e in needed_by.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
            let Some(w) = waiting.get_mut(&e.from) else {
                continue;
            };
            *w -= 1;
            if *w > 0 {
                continue;
            }
            let own = own_date(e.from);
            let mut node_finish = own;
            let mut node_late = 0;
            for need in &needs[&e.from] {
                let arrives = finishes.get(&need.to).copied().flatten();
                let by = need.needed_by.or(own);
                if let (Some(arrives), Some(by)) = (arrives, by) {
                    node_late = node_late.max(days_between(by, arrives));
                }
                node_finish = match (node_finish, arrives) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            }
            finishes.insert(e.from, node_finish);
            late.insert(e.from, node_late.max(0));
            ready.push_back(e.from);
        }
    }
    order
        .into_iter()
        .map(|node| Affected {
            node,
            depth: depth[&node],
            own_date: own_date(node),
            finish: finishes.get(&node).copied().flatten(),
            late_days: late.get(&node).copied().unwrap_or(0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn edge(from: Node, to: Node, needed_by: Option<Date>) -> Edge {
        Edge {
            from,
            to,
            needed_by,
        }
    }

    /// Team A's item 1 feeds team B's item 2 (needed by Dec 10), which belongs to B's goal 20
    /// (target Dec 20); team C's goal 30 (target Jan 15) needs goal 20 by Dec 31, and C's item
    /// 3 (due Jan 5) needs goal 20 too.
    fn chain() -> (Vec<Edge>, HashMap<Node, Date>) {
        let edges = vec![
            edge(Node::Item(2), Node::Item(1), Some(date(2026, 12, 10))),
            edge(Node::Goal(20), Node::Item(2), None),
            edge(Node::Goal(30), Node::Goal(20), Some(date(2026, 12, 31))),
            edge(Node::Item(3), Node::Goal(20), None),
        ];
        let dates = HashMap::from([
            (Node::Item(1), date(2026, 12, 4)),
            (Node::Item(2), date(2026, 12, 15)),
            (Node::Goal(20), date(2026, 12, 20)),
            (Node::Goal(30), date(2027, 1, 15)),
            (Node::Item(3), date(2027, 1, 5)),
        ]);
        (edges, dates)
    }

    #[test]
    fn a_small_slip_reaches_every_dependent_but_makes_nothing_late() {
        let (edges, dates) = chain();
        let hit = impact(&edges, Node::Item(1), Some(date(2026, 12, 8)), |n| {
            dates.get(&n).copied()
        });
        let nodes: Vec<Node> = hit.iter().map(|a| a.node).collect();
        assert_eq!(
            nodes,
            [Node::Item(2), Node::Goal(20), Node::Goal(30), Node::Item(3)]
        );
        assert!(hit.iter().all(|a| a.late_days == 0), "{hit:?}");
        assert_eq!(hit[0].depth, 1);
        assert_eq!(hit[3].depth, 3);
    }

    #[test]
    fn a_big_slip_pushes_finishes_and_counts_lateness_per_need() {
        let (edges, dates) = chain();
        let hit = impact(&edges, Node::Item(1), Some(date(2027, 1, 8)), |n| {
            dates.get(&n).copied()
        });
        let by: HashMap<Node, &Affected> = hit.iter().map(|a| (a.node, a)).collect();
        // Item 2 needed item 1 by Dec 10: 29 days late, and cannot finish before Jan 8.
        assert_eq!(by[&Node::Item(2)].late_days, 29);
        assert_eq!(by[&Node::Item(2)].finish, Some(date(2027, 1, 8)));
        // Goal 20 needs its item by its target Dec 20: 19 days late.
        assert_eq!(by[&Node::Goal(20)].late_days, 19);
        // Goal 30 needs goal 20 by Dec 31: 8 days late; its own Jan 15 target still holds.
        assert_eq!(by[&Node::Goal(30)].late_days, 8);
        assert_eq!(by[&Node::Goal(30)].finish, Some(date(2027, 1, 15)));
        // Item 3 (due Jan 5) needs goal 20 by its own date: 3 days late, finishes Jan 8.
        assert_eq!(by[&Node::Item(3)].late_days, 3);
        assert_eq!(by[&Node::Item(3)].finish, Some(date(2027, 1, 8)));
    }

    #[test]
    fn a_node_waits_for_all_it_needs_among_the_reached() {
        // 4 needs both 2 and 3; 3 needs 2; 2 needs 1.
        let edges = vec![
            edge(Node::Item(2), Node::Item(1), None),
            edge(Node::Item(3), Node::Item(2), None),
            edge(Node::Item(4), Node::Item(2), None),
            edge(Node::Item(4), Node::Item(3), None),
        ];
        let dates = HashMap::from([
            (Node::Item(2), date(2026, 12, 1)),
            (Node::Item(3), date(2026, 12, 20)),
            (Node::Item(4), date(2026, 12, 10)),
        ]);
        let hit = impact(&edges, Node::Item(1), Some(date(2026, 12, 5)), |n| {
            dates.get(&n).copied()
        });
        let four = hit.iter().find(|a| a.node == Node::Item(4)).unwrap();
        assert_eq!(
            four.finish,
            Some(date(2026, 12, 20)),
            "after item 3, which it needs"
        );
        assert_eq!(
            four.late_days, 10,
            "item 3 arrives Dec 20 for a Dec 10 need"
        );
        assert_eq!(hit.len(), 3);
    }

    #[test]
    fn nothing_depends_on_a_leaf() {
        let (edges, dates) = chain();
        assert!(impact(&edges, Node::Goal(30), None, |n| dates.get(&n).copied()).is_empty());
    }

    use proptest::prelude::*;
    use std::collections::HashSet;

    proptest! {
        /// On random acyclic graphs (edges only from higher to lower ids), the slip reaches
        /// exactly the transitive dependents, and nobody finishes before what it needs.
        #[test]
        fn propagation_reaches_exactly_the_transitive_dependents(
            raw in proptest::collection::vec((1i64..30, 1i64..30, proptest::option::of(0i16..60)), 0..80),
            offsets in proptest::collection::vec(proptest::option::of(0i16..90), 30),
            start in 1i64..30,
            slip in 0i16..90,
        ) {
            let base = date(2026, 12, 1);
            let day = |n: i16| base.checked_add(jiff::Span::new().days(i64::from(n))).unwrap();
            let edges: Vec<Edge> = raw
                .iter()
                .filter(|(a, b, _)| a > b)
                .map(|&(a, b, by)| edge(Node::Item(a), Node::Item(b), by.map(day)))
                .collect();
            let own = |n: Node| match n {
                Node::Item(id) => offsets[id as usize].map(day),
                Node::Goal(_) => None,
            };
            let hit = impact(&edges, Node::Item(start), Some(day(slip)), own);
            // Naive transitive closure of "needs" backwards from start.
            let mut expected: HashSet<Node> = HashSet::new();
            let mut stack = vec![Node::Item(start)];
            while let Some(n) = stack.pop() {
                for e in edges.iter().filter(|e| e.to == n) {
                    if expected.insert(e.from) {
                        stack.push(e.from);
                    }
                }
            }
            let got: HashSet<Node> = hit.iter().map(|a| a.node).collect();
            prop_assert_eq!(&got, &expected);
            prop_assert_eq!(got.len(), hit.len(), "each dependent once");
            let finish: HashMap<Node, Option<Date>> = hit
                .iter()
                .map(|a| (a.node, a.finish))
                .chain([(Node::Item(start), Some(day(slip)))])
                .collect();
            for e in &edges {
                if let (Some(Some(f)), Some(Some(needed))) = (finish.get(&e.from), finish.get(&e.to))
                    && got.contains(&e.from)
                {
                    prop_assert!(f >= needed, "{:?} finishes {} before {:?} ({})", e.from, f, e.to, needed);
                }
            }
        }
    }
}
