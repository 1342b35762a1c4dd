//! The hash maps and sets of the domain and its surfaces: std's, with foldhash's fast hasher
//! instead of SipHash. Their keys are ids, nodes and small tuples of them, which the store hands
//! out; hashing them was about 3% of a team review's CPU with SipHash. Each map is still seeded
//! at random, so nothing may depend on the order of its entries (as with std's).

/// A [`std::collections::HashMap`] with foldhash's fast hasher: made with `default()` or
/// `collect()`, not `new()`.
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A [`std::collections::HashSet`] with foldhash's fast hasher.
pub type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
