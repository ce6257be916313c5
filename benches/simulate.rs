//! Criterion benchmarks of the simulator on the embedded reference scenario: trials per second
//! on one and on two threads, the sampling yardstick timed in the same run (the same draws per
//! trial as the reference, and nothing else: `benches/common/yardstick.rs`), and the cost of one
//! strategy's runbook in the engine.

#[path = "common/yardstick.rs"]
mod yardstick;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scenarios::{RunOptions, Strategy, simulate};
use sim_core::engine::Engine;
use sim_core::rng::stream_rng;
use std::hint::black_box;

fn reference_scenario(c: &mut Criterion) {
    let Ok(scenario) = scenarios::reference() else {
        return;
    };
    let trials = 100_000;
    let mut group = c.benchmark_group("reference");
    group.sample_size(10);
    group.throughput(Throughput::Elements(trials));
    // The yardstick first, next to the simulator's own trials: their ratio is the figure to
    // read (the machine's speed cancels out).
    group.bench_function("yardstick_100k_trials_1_threads", |b| {
        b.iter(|| {
            black_box(yardstick::kernel(
                1,
                0..trials,
                &yardstick::REFERENCE_DRAWS_PER_TRIAL,
            ))
        })
    });
    for threads in [1, 2] {
        group.bench_function(format!("simulate_100k_trials_{threads}_threads"), |b| {
            b.iter(|| {
                let options = RunOptions {
                    trials,
                    seed: 1,
                    threads,
                    progress: None,
                };
                black_box(simulate(&scenario, &options).map(|r| r.trials).ok())
            })
        });
    }
    group.finish();

    let Ok(plan) = scenarios::simulate::Compiled::new(&scenario) else {
        return;
    };
    let mut group = c.benchmark_group("engine");
    for strategy in Strategy::ALL {
        let Some(runbook) = plan.runbook(strategy, scenarios::Disaster::RegionLoss) else {
            continue;
        };
        let mut engine = Engine::new();
        let params = [1.0, 0.01, 1e9, 0.0];
        let mut trial = 0u64;
        group.bench_function(format!("region_loss_runbook_{}", strategy.name()), |b| {
            b.iter(|| {
                trial += 1;
                let mut rng = stream_rng(1, trial, 16);
                black_box(engine.run(runbook, &params, &mut rng))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, reference_scenario);
criterion_main!(benches);
