//! Criterion benchmark of `drsim plan` on the embedded reference scenario: every setting (288)
//! over 10,000 simulated years on two threads, with the embedded catalog.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use planner::{PlanOptions, plan};
use pricing::Catalog;
use std::hint::black_box;

fn reference_plan(c: &mut Criterion) {
    let (Ok(scenario), Ok(catalog)) = (scenarios::reference(), Catalog::embedded()) else {
        return;
    };
    let years = 10_000;
    let mut group = c.benchmark_group("reference");
    group.sample_size(10);
    group.throughput(Throughput::Elements(years));
    group.bench_function("plan_10k_years_2_threads", |b| {
        b.iter(|| {
            let options = PlanOptions {
                years,
                seed: 1,
                threads: 2,
                progress: None,
            };
            black_box(
                plan(&scenario, &catalog, &options)
                    .map(|p| p.evaluated.len())
                    .ok(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, reference_plan);
criterion_main!(benches);
