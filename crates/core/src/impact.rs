//! What a slip puts at risk: propagation through dependencies (DESIGN §3).
//!
//! The graph has the explicit dependencies ("A needs B by D") plus one implicit edge per open
//! item of a goal: a goal cannot land before its items. When a node's finish moves, every
//! transitive dependent is re-examined: its finish can be no earlier than what it needs, and it
//! is late by the days that finish passes the date it is needed by.

use jiff::civil::Date;
use serde::Serialize;

use crate::hash::HashMap;
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
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
/// distance (and, at one distance, in the order the edges list them), with their new finish
/// dates and lateness. `own_date` gives each node's own due or target date; it is asked once
/// per dependent. The graph must be acyclic (the store refuses cycles); were it not, the
/// nodes that wait on a cycle would get no finish and no lateness.
///
/// Cost: one pass over `edges` to index them by the node they point at (plain vectors, no
/// hashing, when ids are dense as the store's are), then work in proportion to the
/// dependents and the edges into them only.
pub fn impact(
    edges: &[Edge],
    start: Node,
    finish: Option<Date>,
    own_date: impl Fn(Node) -> Option<Date>,
) -> Vec<Affected> {
    let index = Index::new(edges);
    let Some(start_slot) = index.slots.of(start) else {
        return Vec::new();
    };
    // The dependents, breadth first. `reached` is also the queue: the start, then each
    // dependent in order of discovery; `at` finds a node's place in it from its slot.
    let mut at = vec![usize::MAX; index.slots.len()];
    at[start_slot] = 0;
    let mut reached = vec![Reached {
        node: start,
        slot: start_slot,
        depth: 0,
        own: None,
        finish,
        late_days: 0,
        waiting: 0,
    }];
    let mut next = 0;
    while next < reached.len() {
        let (slot, depth) = (reached[next].slot, reached[next].depth);
        for e in index.edges_into(slot) {
            let from = index.slots.of_end(e.from);
            if from == start_slot {
                continue;
            }
            if at[from] == usize::MAX {
                at[from] = reached.len();
                let own = own_date(e.from);
                reached.push(Reached {
                    node: e.from,
                    slot: from,
                    depth: depth + 1,
                    own,
                    finish: own,
                    late_days: 0,
                    waiting: 0,
                });
            }
            reached[at[from]].waiting += 1;
        }
        next += 1;
    }
    // Finish dates in topological order of the reached subgraph: a settled node passes its
    // finish along the edges into it, and a node settles when the last of its needs arrives.
    let mut settled = vec![0];
    while let Some(n) = settled.pop() {
        let (slot, arrives) = (reached[n].slot, reached[n].finish);
        for e in index.edges_into(slot) {
            let from = at[index.slots.of_end(e.from)];
            if from == 0 {
                continue;
            }
            let r = &mut reached[from];
            if let (Some(arrives), Some(by)) = (arrives, e.needed_by.or(r.own)) {
                r.late_days = r.late_days.max(days_between(by, arrives));
            }
            r.finish = r.finish.max(arrives);
            r.waiting -= 1;
            if r.waiting == 0 {
                settled.push(from);
            }
        }
    }
    reached
        .into_iter()
        .skip(1)
        .map(|r| {
            let settled = r.waiting == 0;
            Affected {
                node: r.node,
                depth: r.depth,
                own_date: r.own,
                finish: r.finish.filter(|_| settled),
                late_days: if settled { r.late_days } else { 0 },
            }
        })
        .collect()
}

/// A node reached by the slip, while its finish is worked out.
struct Reached {
    node: Node,
    slot: usize,
    depth: usize,
    own: Option<Date>,
    /// The latest of its own date and the finishes of the needs that have arrived so far.
    finish: Option<Date>,
    late_days: i64,
    /// Its needs among the reached nodes that have not arrived yet.
    waiting: usize,
}

/// The edges by the node they point at: those into slot `s` are
/// `edges[order[first[s]..first[s + 1]]]`, in the order of `edges`.
struct Index<'a> {
    edges: &'a [Edge],
    slots: Slots,
    first: Vec<u32>,
    order: Vec<u32>,
}

impl<'a> Index<'a> {
    fn new(edges: &'a [Edge]) -> Index<'a> {
        // Positions are kept as `u32`, half the memory to walk through; 2^32 edges would be
        // 160 GiB of them.
        assert!(u32::try_from(edges.len()).is_ok(), "fewer than 2^32 edges");
        let slots = Slots::new(edges);
        // A counting sort: count the edges into each slot, make the counts the end of each
        // slot's run, then place the edges from the last one back, moving each end forward
        // to become the start.
        let mut first = vec![0u32; slots.len() + 1];
        for e in edges {
            first[slots.of_end(e.to)] += 1;
        }
        let mut end = 0;
        for f in &mut first {
            end += *f;
            *f = end;
        }
        let mut order = vec![0u32; edges.len()];
        for (i, e) in edges.iter().enumerate().rev() {
            let f = &mut first[slots.of_end(e.to)];
            *f -= 1;
            order[*f as usize] = i as u32; // fits: checked above
        }
        Index {
            edges,
            slots,
            first,
            order,
        }
    }

    /// The edges into a slot.
    fn edges_into(&self, slot: usize) -> impl Iterator<Item = &'a Edge> + '_ {
        self.order[self.first[slot] as usize..self.first[slot + 1] as usize]
            .iter()
            .map(|&i| &self.edges[i as usize])
    }
}

/// A number from `0..len()` for every node at an end of the edges, so that what is kept per
/// node can live in plain vectors.
enum Slots {
    /// Dense ids, as the store gives them: items `item_min..item_min + items` first, then
    /// goals `goal_min..goal_min + goals`.
    Ranges {
        item_min: i64,
        items: usize,
        goal_min: i64,
        goals: usize,
    },
    /// Ids too sparse for ranges: numbered as met.
    Numbered(HashMap<Node, usize>),
}

impl Slots {
    fn new(edges: &[Edge]) -> Slots {
        let (mut items, mut goals) = ((i64::MAX, i64::MIN), (i64::MAX, i64::MIN));
        for n in edges.iter().flat_map(|e| [e.from, e.to]) {
            let (range, id) = match n {
                Node::Item(id) => (&mut items, id),
                Node::Goal(id) => (&mut goals, id),
            };
            *range = (range.0.min(id), range.1.max(id));
        }
        let len = |(min, max): (i64, i64)| {
            usize::try_from((i128::from(max) - i128::from(min) + 1).max(0)).ok()
        };
        // Ranges while they waste at most a few slots per edge end.
        let dense = edges.len().saturating_mul(4).saturating_add(1024);
        if let (Some(item_len), Some(goal_len)) = (len(items), len(goals))
            && item_len.saturating_add(goal_len) <= dense
        {
            return Slots::Ranges {
                item_min: items.0,
                items: item_len,
                goal_min: goals.0,
                goals: goal_len,
            };
        }
        let mut numbers = HashMap::default();
        for n in edges.iter().flat_map(|e| [e.from, e.to]) {
            let next = numbers.len();
            numbers.entry(n).or_insert(next);
        }
        Slots::Numbered(numbers)
    }

    fn len(&self) -> usize {
        match self {
            Slots::Ranges { items, goals, .. } => items + goals,
            Slots::Numbered(numbers) => numbers.len(),
        }
    }

    /// The slot of `node`, if it is at an end of an edge (or, for ranges, within them).
    fn of(&self, node: Node) -> Option<usize> {
        let offset = |id: i64, min: i64, len: usize| {
            id.checked_sub(min)
                .and_then(|o| usize::try_from(o).ok())
                .filter(|&o| o < len)
        };
        match (self, node) {
            (
                Slots::Ranges {
                    item_min, items, ..
                },
                Node::Item(id),
            ) => offset(id, *item_min, *items),
            (
                Slots::Ranges {
                    items,
                    goal_min,
                    goals,
                    ..
                },
                Node::Goal(id),
            ) => offset(id, *goal_min, *goals).map(|o| items + o),
            (Slots::Numbered(numbers), node) => numbers.get(&node).copied(),
        }
    }

    /// The slot of a node at an end of an edge, which every such node has.
    fn of_end(&self, node: Node) -> usize {
        self.of(node)
            .expect("the slots cover every end of every edge")
    }
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
        let dates = HashMap::from_iter([
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
        let dates = HashMap::from_iter([
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

    use crate::hash::HashSet;
    use proptest::prelude::*;

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
            let mut expected: HashSet<Node> = HashSet::default();
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

    /// The plain version the indexed walk is held to: every edge in a hash map by the node it
    /// points at, a breadth-first walk, then Kahn's order over the reached subgraph, with each
    /// node's needs gathered before its finish is worked out.
    fn plain(
        edges: &[Edge],
        start: Node,
        finish: Option<Date>,
        own_date: impl Fn(Node) -> Option<Date>,
    ) -> Vec<Affected> {
        let mut needed_by: HashMap<Node, Vec<&Edge>> = HashMap::default();
        for e in edges {
            needed_by.entry(e.to).or_default().push(e);
        }
        let into = |n: &Node| needed_by.get(n).map(Vec::as_slice).unwrap_or(&[]);
        let mut depth: HashMap<Node, usize> = HashMap::from_iter([(start, 0)]);
        let mut order = Vec::new();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            for e in into(&n) {
                if !depth.contains_key(&e.from) {
                    depth.insert(e.from, depth[&n] + 1);
                    order.push(e.from);
                    queue.push_back(e.from);
                }
            }
        }
        let mut waiting: HashMap<Node, usize> = HashMap::default();
        let mut needs: HashMap<Node, Vec<&Edge>> = HashMap::default();
        for e in edges {
            if depth.contains_key(&e.from) && depth.contains_key(&e.to) && e.from != start {
                *waiting.entry(e.from).or_default() += 1;
                needs.entry(e.from).or_default().push(e);
            }
        }
        let mut finishes: HashMap<Node, Option<Date>> = HashMap::from_iter([(start, finish)]);
        let mut late: HashMap<Node, i64> = HashMap::default();
        let mut ready = std::collections::VecDeque::from([start]);
        while let Some(n) = ready.pop_front() {
            for e in into(&n) {
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
                    if let (Some(arrives), Some(by)) = (arrives, need.needed_by.or(own)) {
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

    proptest! {
        /// On random graphs of items and goals, with ids dense (numbered by ranges) or
        /// scattered and negative (numbered as met), with repeated edges and even cycles: the
        /// same dependents, in the same order, with the same depths, finishes and lateness as
        /// the plain version.
        #[test]
        fn the_indexed_walk_agrees_with_the_plain_version(
            raw in proptest::collection::vec((0i64..40, 0i64..40, proptest::option::of(0i16..60)), 0..120),
            offsets in proptest::collection::vec(proptest::option::of(0i16..90), 40),
            start in 0i64..40,
            slip in proptest::option::of(0i16..90),
            scattered in any::<bool>(),
            acyclic in any::<bool>(),
        ) {
            let base = date(2026, 12, 1);
            let day = |n: i16| base.checked_add(jiff::Span::new().days(i64::from(n))).unwrap();
            // Even numbers are items, odd ones goals.
            let node = |k: i64| {
                let id = if scattered { k * 1_000_000_007 - 20_000_000_000 } else { k / 2 + 1 };
                if k % 2 == 0 { Node::Item(id) } else { Node::Goal(id) }
            };
            let edges: Vec<Edge> = raw
                .iter()
                .filter(|(a, b, _)| !acyclic || a > b)
                .map(|&(a, b, by)| edge(node(a), node(b), by.map(day)))
                .collect();
            let dates: HashMap<Node, Option<Date>> =
                (0..40).map(|k| (node(k), offsets[k as usize].map(day))).collect();
            let own = |n: Node| dates.get(&n).copied().flatten();
            let finish = slip.map(day);
            prop_assert_eq!(
                impact(&edges, node(start), finish, own),
                plain(&edges, node(start), finish, own)
            );
        }
    }
}
