//! Criterion benchmarks of `drsim plan` and `drsim report` on the embedded reference scenario:
//! every setting (240) over 10,000 simulated years on two threads, with the embedded catalog;
//! and rendering the report's HTML (with its plots) from a finished simulation and plan, to
//! compare with the runs it renders.

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

fn report_rendering(c: &mut Criterion) {
    let (Ok(scenario), Ok(catalog)) = (scenarios::reference(), Catalog::embedded()) else {
        return;
    };
    let options = PlanOptions {
        years: 10_000,
        seed: 1,
        threads: 2,
        progress: None,
    };
    let run = scenarios::RunOptions {
        trials: 100_000,
        seed: 1,
        threads: 2,
        progress: None,
    };
    let (Ok(results), Ok(plan)) = (
        scenarios::simulate(&scenario, &run),
        plan(&scenario, &catalog, &options),
    ) else {
        return;
    };
    let pick = planner::pick::pick(&plan, &scenario);
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.bench_function("render_html_100k_trials_10k_years", |b| {
        b.iter(|| {
            let document = reports::document::build(
                &reports::document::Runs {
                    scenario: &scenario,
                    file: "bench",
                    seed: 1,
                    results: &results,
                    plan: &plan,
                    pick: &pick,
                },
                reports::document::Assumptions {
                    command: String::new(),
                    differences: Vec::new(),
                },
            );
            let html = document
                .page()
                .and_then(|page| reports::html::render(&page))
                .map(|h| h.len());
            black_box(html.ok())
        })
    });
    group.finish();
}

criterion_group!(benches, reference_plan, report_rendering);
criterion_main!(benches);
