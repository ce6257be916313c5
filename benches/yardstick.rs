//! The simulator against its sampling yardstick, at the trial counts the targets name (a
//! plain timing harness, not criterion, so that 1,000,000 trials stay practical):
//!
//!     cargo bench --bench yardstick                       # 1,000,000 trials, 3 rounds
//!     cargo bench --bench yardstick -- --trials 200000 --rounds 5
//!     valgrind --tool=callgrind target/release/deps/yardstick-… --only kernel --trials 20000
//!
//! Each round times the kernel (`benches/common/yardstick.rs`: the reference's draws per trial
//! and nothing else) and `scenarios::simulate` of the reference, on 1 and on 2 threads, one
//! after the other; the best round of each is kept, and the ratios printed are simulate over
//! kernel at the same thread count, and 1 thread over 2 threads.

#[path = "common/yardstick.rs"]
mod yardstick;

use std::hint::black_box;
use std::time::{Duration, Instant};

use scenarios::RunOptions;
use sim_core::runner::{self, Merge, RunConfig};

struct Sum(f64);

impl Merge for Sum {
    fn merge(&mut self, other: Self) {
        self.0 += other.0;
    }
}

/// The kernel over `trials` trials, on `threads` threads through the simulator's runner.
fn kernel(trials: u64, threads: usize) -> f64 {
    let config = RunConfig {
        trials,
        chunk_size: scenarios::simulate::CHUNK_SIZE,
        threads,
    };
    let k = yardstick::Kernel::new(&yardstick::REFERENCE_DRAWS_PER_TRIAL);
    runner::run(
        &config,
        || Sum(0.0),
        || (),
        |i, _, acc| acc.0 += k.trial(1, i),
        None,
    )
    .map_or(f64::NAN, |s| s.0)
}

fn simulate(scenario: &scenarios::Scenario, trials: u64, threads: usize) -> u64 {
    let options = RunOptions {
        trials,
        seed: 1,
        threads,
        progress: None,
    };
    scenarios::simulate(scenario, &options).map_or(0, |r| r.trials)
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
    match only.as_deref() {
        Some("kernel") => {
            black_box(kernel(trials, 1));
            return;
        }
        Some("simulate") => {
            black_box(simulate(&scenario, trials, 1));
            return;
        }
        _ => {}
    }
    let mut best = [Duration::MAX; 4];
    for round in 0..rounds {
        let times = [
            time(|| {
                black_box(kernel(trials, 1));
            }),
            time(|| {
                black_box(simulate(&scenario, trials, 1));
            }),
            time(|| {
                black_box(kernel(trials, 2));
            }),
            time(|| {
                black_box(simulate(&scenario, trials, 2));
            }),
        ];
        for (b, t) in best.iter_mut().zip(times) {
            *b = (*b).min(t);
        }
        println!(
            "round {}: kernel {:.3} s, simulate {:.3} s (1 thread); kernel {:.3} s, simulate {:.3} s (2 threads)",
            round + 1,
            times[0].as_secs_f64(),
            times[1].as_secs_f64(),
            times[2].as_secs_f64(),
            times[3].as_secs_f64()
        );
    }
    let s = best.map(|d| d.as_secs_f64());
    println!(
        "{trials} trials, best of {rounds}: simulate / kernel = {:.2} (1 thread), {:.2} (2 threads); \
         2 threads are {:.2}x 1 thread (simulate), {:.2}x (kernel)",
        s[1] / s[0],
        s[3] / s[2],
        s[1] / s[3],
        s[0] / s[2]
    );
}
