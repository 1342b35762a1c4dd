//! Bulk creation through the store's batch path: items per second into a fresh SQLite file,
//! each item written with its event (goal: over 50,000 items/s).
//!
//! Run: cargo bench -p landed-store --bench store

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use landed_core::event::{Entity, EventKind};
use landed_store::{Meta, SqlStore, Store};

const ITEMS: usize = 100_000;

fn bulk_create(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let now = jiff::Timestamp::now();
    let today = jiff::civil::date(2026, 11, 23);
    let world = landed_synth::generate(&landed_synth::Shape::items(ITEMS), 42, today, now);
    let items: Vec<Entity> = world.items.iter().cloned().map(Entity::Item).collect();
    let mut group = c.benchmark_group("store");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(ITEMS as u64));
    group.bench_function(
        "create_batch 100,000 items (SQLite file, WAL, synchronous=FULL)",
        |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let dir = tempfile::tempdir().unwrap();
                    total += rt.block_on(async {
                        let store = SqlStore::open(&dir.path().join("bench.db"), true)
                            .await
                            .unwrap();
                        store.init(world.workspace.clone(), now).await.unwrap();
                        let meta = Meta::new(None, now, EventKind::Created);
                        let setup = [
                            world
                                .people
                                .iter()
                                .cloned()
                                .map(Entity::Person)
                                .collect::<Vec<_>>(),
                            world.teams.iter().cloned().map(Entity::Team).collect(),
                            world
                                .milestones
                                .iter()
                                .cloned()
                                .map(Entity::Milestone)
                                .collect(),
                            world.goals.iter().cloned().map(Entity::Goal).collect(),
                        ];
                        for stage in setup {
                            store.create_batch(&meta, stage).await.unwrap();
                        }
                        let start = Instant::now();
                        for chunk in items.chunks(50_000) {
                            store.create_batch(&meta, chunk.to_vec()).await.unwrap();
                        }
                        let took = start.elapsed();
                        store.close().await;
                        took
                    });
                }
                total
            });
        },
    );
    group.finish();
}

criterion_group!(benches, bulk_create);
criterion_main!(benches);
