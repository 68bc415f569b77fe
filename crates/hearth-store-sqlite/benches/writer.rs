//! Micro-benchmarks of the single writer: what one durable send costs alone (a whole commit
//! and its fsync), and what a batch of 64 concurrent sends costs (one commit shared). The
//! difference is what group commit buys; the per-message cost of the batch is the writer's
//! ceiling on throughput. Run with `cargo bench -p hearth-store-sqlite`; figures are in
//! docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]

use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::future::join_all;
use hearth_domain::{ConversationId, UserId};
use hearth_store::{ConversationStore, MessageStore};
use hearth_store_sqlite::{SqliteOptions, SqliteStore};
use support::{now, text_message, user};

#[path = "../tests/support/mod.rs"]
mod support;

/// 64 senders paired in 32 direct conversations, as `hearth-bench throughput-ws` has them.
struct Population {
    store: SqliteStore,
    senders: Vec<(UserId, ConversationId)>,
    keys: AtomicU64,
    _dir: tempfile::TempDir,
}

impl Population {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("bench.db"), SqliteOptions::default())
            .await
            .unwrap();
        let mut senders = Vec::new();
        for pair in 0..32 {
            let a = user(&store, &format!("alice{pair}")).await;
            let b = user(&store, &format!("bob{pair}")).await;
            let dm = store.get_or_create_direct(a, b, now()).await.unwrap().id;
            senders.push((a, dm));
            senders.push((b, dm));
        }
        Self {
            store,
            senders,
            keys: AtomicU64::new(0),
            _dir: dir,
        }
    }

    async fn send(&self, (sender, conversation): (UserId, ConversationId)) {
        let key = self.keys.fetch_add(1, Ordering::Relaxed);
        self.store
            .send_message(text_message(
                conversation,
                sender,
                &format!("k{key}"),
                "benchmark message",
            ))
            .await
            .unwrap();
    }
}

fn writer(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let population = runtime.block_on(Population::new());
    let first = population.senders.first().copied().unwrap();

    let mut group = c.benchmark_group("writer");
    group.throughput(Throughput::Elements(1));
    group.bench_function("one send alone (commit + fsync)", |b| {
        b.to_async(&runtime).iter(|| population.send(first));
    });
    group.throughput(Throughput::Elements(64));
    group.bench_function("64 concurrent sends (group commit)", |b| {
        b.to_async(&runtime).iter(|| {
            join_all(
                population
                    .senders
                    .iter()
                    .map(|sender| population.send(*sender)),
            )
        });
    });
    group.finish();
}

criterion_group!(benches, writer);
criterion_main!(benches);
