//! criterion benchmarks of the pure graph code: building and validating a branchy
//! history, resolving targets, planning upgrade and downgrade, at 1k, 10k and 100k
//! revisions, so that the growth can be read off the three sizes.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use migrate_bench::pure;
use migrate_core::Graph;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

fn graph(c: &mut Criterion) {
    let mut group = c.benchmark_group("graph");
    group.sample_size(20);
    for n in SIZES {
        let revisions = pure::history(n);
        let graph = Graph::new(revisions.clone()).expect("generated histories are valid");
        let targets = pure::targets(&graph);
        let heads = pure::at_heads(&graph);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(
            BenchmarkId::new("build_and_validate", n),
            &revisions,
            |b, revs| {
                b.iter_batched(
                    || revs.clone(),
                    |revs| Graph::new(revs).expect("valid"),
                    BatchSize::LargeInput,
                )
            },
        );
        group.bench_with_input(BenchmarkId::new("resolve_targets", n), &graph, |b, g| {
            b.iter(|| {
                for t in &targets {
                    black_box(g.resolve(t).expect("resolves"));
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("plan_upgrade", n), &graph, |b, g| {
            b.iter(|| g.plan_upgrade(&[], "heads").expect("plannable"))
        });
        group.bench_with_input(BenchmarkId::new("plan_downgrade", n), &graph, |b, g| {
            b.iter(|| g.plan_downgrade(&heads, "base").expect("plannable"))
        });
    }
    group.finish();
}

criterion_group!(benches, graph);
criterion_main!(benches);
