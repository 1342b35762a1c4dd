//! Whole-process timings of `landed` on a 100,000-item SQLite workspace (goal: under 20 ms
//! each for `next` and `goal show`, under 30 ms for `impact`). The workspace is made once
//! with `landed demo --size large` and kept in the target directory.
//!
//! Run: cargo bench -p landed --bench cli

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

fn landed(db: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_landed"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("landed runs");
    assert!(
        out.status.success(),
        "landed {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn workspace() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let db = dir.join("bench-large-100k.db");
    if !db.exists() {
        let tmp = dir.join("bench-large-100k.tmp.db");
        let _ = std::fs::remove_file(&tmp);
        landed(&tmp, &["demo", "--size", "large", "--force"]);
        std::fs::rename(&tmp, &db).unwrap();
        for s in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", tmp.display()));
        }
    }
    db
}

fn whole_process(c: &mut Criterion) {
    let db = workspace();
    let item: serde_json::Value =
        serde_json::from_slice(&landed(&db, &["item", "show", "I-1", "--json"]).stdout).unwrap();
    let owner = item["owner"]
        .as_str()
        .expect("I-1 has an owner")
        .to_string();
    let mut group = c.benchmark_group("cli 100k items");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("landed next", |b| {
        b.iter(|| landed(&db, &["next", "--for", &owner]))
    });
    group.bench_function("landed goal show G-1", |b| {
        b.iter(|| landed(&db, &["goal", "show", "G-1"]))
    });
    // The item with the most transitive dependents: its slip reaches 42 items and 488 goals
    // of all 50 teams.
    group.bench_function("landed impact I-7149", |b| {
        b.iter(|| landed(&db, &["impact", "I-7149"]))
    });
    group.bench_function("landed --version (process floor)", |b| {
        b.iter(|| landed(&db, &["--version"]))
    });
    group.finish();
}

criterion_group!(benches, whole_process);
criterion_main!(benches);
