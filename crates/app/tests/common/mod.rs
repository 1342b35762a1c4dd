//! What several of these tests start from.

use jiff::Timestamp;
use landed_app::demo;
use landed_store::SqlStore;

/// A workspace in memory filled with a generated organisation of `shape` at `now`, with
/// more than `min_dependencies` dependencies, and what was made.
pub async fn generated(
    now: Timestamp,
    shape: &landed_synth::Shape,
    min_dependencies: usize,
) -> (SqlStore, demo::Made) {
    let store = SqlStore::memory().await.unwrap();
    landed_app::init(&store, "Generated", "Europe/Berlin", now)
        .await
        .unwrap();
    let made = demo::generated(&store, now, shape).await.unwrap();
    assert!(made.dependencies > min_dependencies, "{made:?}");
    (store, made)
}
