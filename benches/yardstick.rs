//! The simulator against its sampling yardstick, at the trial counts the targets name (a
//! plain timing harness, not criterion, so that 1,000,000 trials stay practical):
//!
//!     cargo bench --bench yardstick                       # 1,000,000 trials, 3 rounds
//!     cargo bench --bench yardstick -- --trials 200000 --rounds 5 --slices 10
//!     cargo bench --bench yardstick -- --rounds 9 --plan-years 100000
//!     valgrind --tool=callgrind target/release/deps/yardstick-… --only kernel --trials 20000
//!     perf stat target/release/deps/yardstick-… --only plan --plan-years 100000 --threads 2
//!
//! `--only kernel|simulate|plan` runs that one once (on `--threads`, default 1; `plan` over
//! `--plan-years`, default 100,000), to profile it or to read its CPU time against its wall
//! time.
//!
//! Each round times the kernel (`benches/common/yardstick.rs`: the reference's draws per trial
//! and nothing else) and `scenarios::simulate` of the reference, on 1 and on 2 threads, each
//! one whole run of `--trials` trials, as `drsim simulate` runs them. `--slices N` cuts the
//! trials into N contiguous ranges instead, each run by the four in turn, so that a machine
//! whose speed drifts from one second to the next slows them alike (a round's time of each is
//! the sum over its slices; merging the slices' results gives exactly those of one run,
//! `scenarios::simulate_range`). Each slice is a run of its own and pays a run's setup again
//! (compiling the runbooks, a thread pool, and the first touch of each worker's histograms and
//! held figures, several megabytes of fresh pages), which the kernel has none of: ten slices
//! read the ratio 0.08 to 0.12 higher than one run (docs/performance.md). The ratios printed are
//! simulate over kernel at the same thread count, and 1 thread over 2 threads, of the best
//! round of each and the median of the rounds' own ratios. With `--plan-years N` each round
//! also times `planner::plan` of the reference over N years on 1 and 2 threads, back to back,
//! for its scaling beside the kernel's, in the order 1, 2, 2, 1 threads (the mean of each
//! pair), so that a steady drift of the machine's speed cancels out.

#[path = "common/yardstick.rs"]
mod yardstick;

use std::hint::black_box;
use std::ops::Range;
use std::time::{Duration, Instant};

use scenarios::RunOptions;
use sim_core::runner::{self, Merge, RunConfig};

struct Sum(f64);

impl Merge for Sum {
    fn merge(&mut self, other: Self) {
        self.0 += other.0;
    }
}

/// The kernel over trials `range`, on `threads` threads through the simulator's runner.
fn kernel(range: Range<u64>, threads: usize) -> f64 {
    let config = RunConfig {
        trials: range.end,
        chunk_size: scenarios::simulate::CHUNK_SIZE,
        threads,
    };
    let k = yardstick::Kernel::new(&yardstick::REFERENCE_DRAWS_PER_TRIAL);
    runner::run_range(
        &config,
        range,
        || Sum(0.0),
        || (),
        |i, _, acc| acc.0 += k.trial(1, i),
        None,
    )
    .map_or(f64::NAN, |s| s.0)
}

fn simulate(scenario: &scenarios::Scenario, range: Range<u64>, threads: usize) -> u64 {
    let options = RunOptions {
        trials: range.end,
        seed: 1,
        threads,
        progress: None,
    };
    scenarios::simulate::simulate_range(scenario, &options, range).map_or(0, |r| r.trials)
}

fn plan(scenario: &scenarios::Scenario, catalog: &pricing::Catalog, years: u64, threads: usize) {
    let options = planner::PlanOptions {
        years,
        seed: 1,
        threads,
        progress: None,
    };
    black_box(
        planner::plan(scenario, catalog, &options)
            .map(|p| p.evaluated.len())
            .ok(),
    );
}

/// The median of `xs` (the mean of the middle two for an even count; NaN when empty).
fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

fn time(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let trials: u64 = value("--trials")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rounds: usize = value("--rounds").and_then(|v| v.parse().ok()).unwrap_or(3);
    let only = value("--only");
    let Ok(scenario) = scenarios::reference() else {
        eprintln!("the reference scenario does not load");
        return;
    };
    let plan_years: Option<u64> = value("--plan-years").and_then(|v| v.parse().ok());
    let threads: usize = value("--threads").and_then(|v| v.parse().ok()).unwrap_or(1);
    match only.as_deref() {
        Some("kernel") => {
            black_box(kernel(0..trials, threads));
            return;
        }
        Some("simulate") => {
            black_box(simulate(&scenario, 0..trials, threads));
            return;
        }
        Some("plan") => {
            // The reference's own 100,000 years unless told otherwise.
            if let Ok(catalog) = pricing::Catalog::embedded() {
                plan(&scenario, &catalog, plan_years.unwrap_or(100_000), threads);
            }
            return;
        }
        _ => {}
    }
    let slices: u64 = value("--slices")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .clamp(1, trials.max(1));
    let plan_years = plan_years.unwrap_or(0);
    let catalog = pricing::Catalog::embedded().ok();
    let mut best = [Duration::MAX; 4];
    let mut ratios: [Vec<f64>; 4] = Default::default();
    let mut plan_scaling = Vec::new();
    for round in 0..rounds {
        let mut times = [Duration::ZERO; 4];
        for slice in 0..slices {
            let range = trials * slice / slices..trials * (slice + 1) / slices;
            times[0] += time(|| {
                black_box(kernel(range.clone(), 1));
            });
            times[1] += time(|| {
                black_box(simulate(&scenario, range.clone(), 1));
            });
            times[2] += time(|| {
                black_box(kernel(range.clone(), 2));
            });
            times[3] += time(|| {
                black_box(simulate(&scenario, range.clone(), 2));
            });
        }
        for (b, t) in best.iter_mut().zip(times) {
            *b = (*b).min(t);
        }
        let t = times.map(|d| d.as_secs_f64());
        for (r, x) in ratios
            .iter_mut()
            .zip([t[1] / t[0], t[3] / t[2], t[1] / t[3], t[0] / t[2]])
        {
            r.push(x);
        }
        println!(
            "round {}: kernel {:.3} s, simulate {:.3} s (1 thread); kernel {:.3} s, simulate {:.3} s (2 threads)",
            round + 1,
            times[0].as_secs_f64(),
            times[1].as_secs_f64(),
            times[2].as_secs_f64(),
            times[3].as_secs_f64()
        );
        if let (Some(catalog), true) = (&catalog, plan_years > 0) {
            // 1, 2, 2, 1 threads: a machine whose speed drifts steadily slows both alike.
            let timed = |threads| time(|| plan(&scenario, catalog, plan_years, threads));
            let (a, b, c, d) = (timed(1), timed(2), timed(2), timed(1));
            let one = (a + d).as_secs_f64() / 2.0;
            let two = (b + c).as_secs_f64() / 2.0;
            plan_scaling.push(one / two);
            println!(
                "round {}: plan of {plan_years} years {one:.3} s (1 thread), {two:.3} s (2 threads): {:.2}x; \
                 the kernel {:.2}x",
                round + 1,
                one / two,
                t[0] / t[2]
            );
        }
    }
    let s = best.map(|d| d.as_secs_f64());
    println!("{trials} trials in {slices} slices a round");
    println!(
        "{trials} trials, best of {rounds}: simulate / kernel = {:.2} (1 thread), {:.2} (2 threads); \
         2 threads are {:.2}x 1 thread (simulate), {:.2}x (kernel)",
        s[1] / s[0],
        s[3] / s[2],
        s[1] / s[3],
        s[0] / s[2]
    );
    let [a, b, c, d] = ratios.map(median);
    println!(
        "{trials} trials, median of the rounds' ratios: simulate / kernel = {a:.2} (1 thread), {b:.2} \
         (2 threads); 2 threads are {c:.2}x 1 thread (simulate), {d:.2}x (kernel)"
    );
    if !plan_scaling.is_empty() {
        println!(
            "plan of {plan_years} years: 2 threads are {:.2}x 1 thread (median of {rounds} rounds)",
            median(plan_scaling)
        );
    }
}
