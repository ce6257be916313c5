//! Fleets resolved as order statistics (`sim_core::order`, `Engine::begin_order_statistics`):
//! the tabulated quantile function against closed forms within its stated bound, the shortcut's
//! finish times against the closed-form law of the k-th of n and against the per-instance path,
//! the launcher state it leaves, and determinism.
//!
//! Tolerances: one-sample Kolmogorov–Smirnov tests allow the table's bound in seconds on either
//! side (the empirical CDF must lie between F(x − b) and F(x + b), up to the critical value at
//! α = 0.001); means are within 4 standard errors plus the bound. Every run has its own stream,
//! so each outcome is fixed.

use sim_core::dist::Dist;
use sim_core::engine::{Engine, FleetSpec, Param, RunbookBuilder, StepId, Work};
use sim_core::order::{self, SumQuantiles};
use sim_core::rng::stream_rng;
use sim_core::stats::ks_distance;
use statrs::function::beta::beta_reg;
use statrs::function::gamma::gamma_lr;

/// The quantile of a continuous CDF by bisection on `[lo, hi]`.
fn invert(cdf: impl Fn(f64) -> f64, u: f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < u {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

fn grid() -> Vec<f64> {
    let mut u = vec![1e-9, 1e-6, 1e-4, 1e-3];
    u.extend((1..1000).map(|i| f64::from(i) / 1000.0));
    u.extend([0.9999, 1.0 - 1e-6, 1.0 - 1e-9]);
    u
}

/// The sum of m exponentials of one mean is Erlang(m): every quantile of the table is within
/// its bound of the exact one (bisection on the regularised lower gamma function).
#[test]
fn table_quantiles_of_an_erlang_sum_are_within_the_bound() {
    for (m, mean) in [(1usize, 10.0), (2, 3.0), (4, 10.0)] {
        let phases = vec![Dist::exponential(mean).expect("dist"); m];
        let table = SumQuantiles::new(&phases).expect("table");
        let bound = table.error_bound();
        let sd = (m as f64).sqrt() * mean;
        assert!(bound > 0.0 && bound <= (sd / 100.0).min(1.0) * (1.0 + 1e-12));
        let cdf = |x: f64| gamma_lr(m as f64, x / mean);
        for u in grid() {
            let exact = invert(cdf, u, 0.0, 100.0 * mean);
            let got = table.quantile(u);
            assert!(
                (got - exact).abs() <= bound,
                "m {m}: G⁻¹({u}) = {got}, exact {exact}, bound {bound}"
            );
        }
    }
}

/// Constant phases are exact; a uniform plus a constant, and two uniforms (a triangular sum),
/// are within the bound of their closed-form quantiles.
#[test]
fn table_quantiles_of_constant_and_uniform_sums_are_within_the_bound() {
    let fixed = |v| Dist::fixed(v).expect("dist");
    let table = SumQuantiles::new(&[fixed(150.0), fixed(30.0)]).expect("table");
    assert_eq!(table.error_bound(), 0.0);
    assert_eq!(table.quantile(0.0), 180.0);
    assert_eq!(table.quantile(0.7), 180.0);

    let uniform = Dist::uniform(10.0, 70.0).expect("dist");
    let table = SumQuantiles::new(&[uniform.clone(), fixed(150.0)]).expect("table");
    for u in grid() {
        let exact = 160.0 + 60.0 * u;
        assert!((table.quantile(u) - exact).abs() <= table.error_bound());
    }

    // U(0, a) + U(0, a): F(x) = x²/(2a²) below a, 1 − (2a − x)²/(2a²) above.
    let a = 60.0;
    let both = [
        Dist::uniform(0.0, a).expect("dist"),
        Dist::uniform(0.0, a).expect("dist"),
    ];
    let table = SumQuantiles::new(&both).expect("table");
    for u in grid() {
        let exact = if u <= 0.5 {
            a * (2.0 * u).sqrt()
        } else {
            2.0 * a - a * (2.0 * (1.0 - u)).sqrt()
        };
        let got = table.quantile(u);
        assert!(
            (got - exact).abs() <= table.error_bound(),
            "G⁻¹({u}) = {got}, exact {exact}, bound {}",
            table.error_bound()
        );
    }
}

/// The reference's phases (pending, boot, bootstrap lognormal; health check fixed) get a table
/// within 1 s; its build time is printed (`--nocapture`).
#[test]
fn reference_phases_get_a_table_within_one_second() {
    let started = std::time::Instant::now();
    let table = order::shared(&reference_phases()).expect("table");
    println!(
        "reference phases: {} cells, step {} s, bound {} s, built in {:?}",
        table.cells(),
        table.step(),
        table.error_bound(),
        started.elapsed()
    );
    assert!(table.error_bound() <= 1.0);
    // The median of the sum is above the fixed 150 s and the sum of the medians' order.
    let median = table.quantile(0.5);
    assert!((150.0 + 90.0..150.0 + 600.0).contains(&median), "{median}");
}

fn reference_phases() -> Vec<Dist> {
    vec![
        Dist::lognormal(15.0, 45.0).expect("dist"),
        Dist::lognormal(20.0, 60.0).expect("dist"),
        Dist::lognormal(90.0, 300.0).expect("dist"),
        Dist::fixed(150.0).expect("dist"),
    ]
}

struct OneFleet {
    count: u32,
    needed: u32,
    burst: u32,
    phases: Vec<Dist>,
    failure: f64,
    scale: f64,
}

impl OneFleet {
    fn runbook(&self) -> sim_core::engine::Runbook {
        let mut b = RunbookBuilder::new();
        let launcher = b.launcher("api", 2.0, self.burst).expect("launcher");
        b.step(
            "fleet",
            Work::Fleet(FleetSpec {
                count: self.count,
                needed: self.needed,
                launcher,
                phases: self.phases.clone(),
                scale: Param::Fixed(self.scale),
                failure: Param::Fixed(self.failure),
                retry_delay: Dist::uniform(10.0, 60.0).expect("dist"),
            }),
        )
        .expect("step");
        b.build().expect("build")
    }

    /// Sorted finish times of `runs` runs, resolved as order statistics or per instance.
    fn finishes(&self, runs: u64, seed: u64, shortcut: bool) -> Vec<f64> {
        let rb = self.runbook();
        let mut engine = Engine::new();
        if !shortcut {
            engine.set_fleet_order_statistics_from(u32::MAX);
        }
        let mut out: Vec<f64> = (0..runs)
            .map(|i| engine.run(&rb, &[], &mut stream_rng(seed, i, 0)))
            .collect();
        out.sort_by(f64::total_cmp);
        out
    }
}

/// One-sample KS test of sorted `x` against `cdf`, allowing a shift of up to `bound` either way:
/// the empirical CDF must stay between cdf(x − bound) and cdf(x + bound), up to the critical
/// value at α = 0.001.
fn assert_ks_within(x: &[f64], cdf: impl Fn(f64) -> f64, bound: f64, what: &str) {
    let n = x.len() as f64;
    let mut d = 0.0f64;
    for (i, &v) in x.iter().enumerate() {
        d = d.max((i as f64 + 1.0) / n - cdf(v + bound));
        d = d.max(cdf(v - bound) - i as f64 / n);
    }
    let critical = 1.949 / n.sqrt();
    assert!(d <= critical, "{what}: KS distance {d} > {critical}");
}

fn mean_and_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// All phases exponential of one rate λ, no failures, a launcher that never binds: the k-th of n
/// up-times has CDF I_{G(x)}(k, n − k + 1) (G the Erlang CDF of the sum), and for one phase mean
/// Σ_{i=n−k+1..n} 1/(iλ). n = 1,000 and 10,000; k = n, 0.8n, 1.
#[test]
fn shortcut_finishes_follow_the_order_statistic_law() {
    let runs = 2_000u64;
    for (m, mean) in [(1usize, 10.0), (4, 10.0)] {
        let phases = vec![Dist::exponential(mean).expect("dist"); m];
        let bound = SumQuantiles::new(&phases).expect("table").error_bound();
        let lambda = 1.0 / mean;
        let g = |x: f64| {
            if x <= 0.0 {
                0.0
            } else {
                gamma_lr(m as f64, x * lambda)
            }
        };
        for n in [1_000u32, 10_000] {
            for k in [n, n * 4 / 5, 1] {
                let fleet = OneFleet {
                    count: n,
                    needed: k,
                    burst: n,
                    phases: phases.clone(),
                    failure: 0.0,
                    scale: 1.0,
                };
                let x = fleet.finishes(runs, 41, true);
                let (a, b) = (f64::from(k), f64::from(n - k + 1));
                let what = format!("{m} phase(s), {k} of {n}");
                assert_ks_within(&x, |v| beta_reg(a, b, g(v).clamp(0.0, 1.0)), bound, &what);
                if m == 1 {
                    let terms = (n - k + 1..=n).map(|i| 1.0 / (f64::from(i) * lambda));
                    let expected: f64 = terms.sum();
                    let (got, se) = mean_and_se(&x);
                    assert!(
                        (got - expected).abs() <= 4.0 * se + bound,
                        "{what}: mean {got}, expected {expected} ± {}",
                        4.0 * se + bound
                    );
                }
            }
        }
    }
}

/// The same fleet (reference phases, congested scale 1.5, 30 % of attempts failing and retried
/// through the launcher) resolved as order statistics and per instance: the finish times agree in
/// distribution and in mean. Needing 100 of 200 walks down from a Beta draw; needing 160 of 200
/// usually needs retried instances before any first attempt counts (M < 160).
#[test]
fn shortcut_agrees_with_the_per_instance_path_with_retries() {
    let runs = 4_000u64;
    for needed in [100u32, 160] {
        let fleet = OneFleet {
            count: 200,
            needed,
            burst: 200,
            phases: reference_phases(),
            failure: 0.3,
            scale: 1.5,
        };
        let ours = fleet.finishes(runs, 51, true);
        let theirs = fleet.finishes(runs, 52, false);
        let d = ks_distance(&ours, &theirs);
        let critical = 1.949 * (2.0 / runs as f64).sqrt();
        assert!(
            d <= critical,
            "{needed} of 200: KS distance {d} > {critical}"
        );
        let ((m1, s1), (m2, s2)) = (mean_and_se(&ours), mean_and_se(&theirs));
        let bound = 1.5
            * order::shared(&reference_phases())
                .expect("table")
                .error_bound();
        let tolerance = 4.0 * (s1 * s1 + s2 * s2).sqrt() + bound;
        assert!(
            (m1 - m2).abs() <= tolerance,
            "{needed} of 200: mean {m1} against the per-instance {m2} ± {tolerance}"
        );
    }
}

/// A fleet resolved as order statistics leaves the launcher as the per-instance path does: a
/// second fleet started with it, which the launcher spaces, gets the same slots and so (constant
/// phases) the same finish, bit for bit up to the rounding of n·T against n additions.
#[test]
fn launcher_after_a_shortcut_fleet_is_the_per_instance_one() {
    let mut b = RunbookBuilder::new();
    let launcher = b.launcher("api", 2.0, 150).expect("launcher");
    let big = b
        .step(
            "big",
            Work::Fleet(FleetSpec {
                count: 100,
                needed: 90,
                launcher,
                phases: reference_phases(),
                scale: Param::Fixed(1.0),
                failure: Param::Fixed(0.0),
                retry_delay: Dist::fixed(10.0).expect("dist"),
            }),
        )
        .expect("step");
    let next = b
        .step(
            "next",
            Work::Fleet(FleetSpec {
                count: 80,
                needed: 70,
                launcher,
                phases: vec![Dist::fixed(100.0).expect("dist")],
                scale: Param::Fixed(1.0),
                failure: Param::Fixed(0.0),
                retry_delay: Dist::fixed(10.0).expect("dist"),
            }),
        )
        .expect("step");
    let rb = b.build().expect("build");
    let finish = |shortcut: bool, next: StepId| {
        let mut engine = Engine::new();
        if !shortcut {
            engine.set_fleet_order_statistics_from(u32::MAX);
        }
        engine.run(&rb, &[], &mut stream_rng(3, 0, 0));
        engine.finish(next)
    };
    // 50 tokens are left for `next`: its 70th instance gets slot (70 − 50)·0.5 = 10 s.
    let expected = 10.0 + 100.0;
    for shortcut in [true, false] {
        let got = finish(shortcut, next);
        assert!((got - expected).abs() < 1e-9, "shortcut {shortcut}: {got}");
    }
    assert!(finish(true, big) > 150.0);
}

/// Same seed, same bits, on fresh engines and on a reused one; and the shortcut draws a
/// constant number of values: its cost does not depend on the count (a run of 10,000 instances
/// takes well under the time of 10,000 per-instance draws).
#[test]
fn shortcut_is_deterministic() {
    let fleet = OneFleet {
        count: 5_000,
        needed: 4_000,
        burst: 5_000,
        phases: reference_phases(),
        failure: 0.05,
        scale: 1.0,
    };
    let rb = fleet.runbook();
    let mut reused = Engine::new();
    for i in 0..20u64 {
        let a = Engine::new().run(&rb, &[], &mut stream_rng(9, i, 0));
        let b = reused.run(&rb, &[], &mut stream_rng(9, i, 0));
        assert_eq!(a.to_bits(), b.to_bits(), "run {i}");
    }
}

/// Cost per run of one fleet of 100, 1,000 and 10,000 instances (reference phases, 1 % of
/// attempts failing as in the reference, or none; a launcher whose burst holds the fleet;
/// needing 80 %), resolved as order statistics and per instance, measured in the same process
/// and printed as ratios; also the table's build time. Run in release: `cargo test --release -p
/// sim-core --test fleet_shortcut -- --ignored --nocapture fleet_cost`.
/// `FLEET_COST=<count>:<order statistics 0|1>:<runs>:<failure per mille>` runs one case only
/// (for callgrind instruction counts; the difference between `<runs>` and 0 runs is the cost).
#[test]
#[ignore = "measurement; run in release"]
fn fleet_cost() {
    let started = std::time::Instant::now();
    let table = SumQuantiles::new(&reference_phases()).expect("table");
    println!(
        "table: {} cells, bound {} s, built in {:?}",
        table.cells(),
        table.error_bound(),
        started.elapsed()
    );
    let time = |count: u32, shortcut: bool, runs: u64, failure: f64| {
        let fleet = OneFleet {
            count,
            needed: count * 4 / 5,
            burst: count,
            phases: reference_phases(),
            failure,
            scale: 1.0,
        };
        let rb = fleet.runbook();
        let mut engine = Engine::new();
        if !shortcut {
            engine.set_fleet_order_statistics_from(u32::MAX);
        }
        // Warm-up (builds the table once).
        engine.run(&rb, &[], &mut stream_rng(1, u64::MAX, 0));
        let started = std::time::Instant::now();
        let mut sum = 0.0;
        for i in 0..runs {
            sum += engine.run(&rb, &[], &mut stream_rng(1, i, 0));
        }
        let per_run = started.elapsed().as_secs_f64() / runs.max(1) as f64;
        (per_run, sum / runs.max(1) as f64)
    };
    if let Ok(spec) = std::env::var("FLEET_COST") {
        let parts: Vec<u64> = spec
            .split(':')
            .map(|p| p.parse().expect("number"))
            .collect();
        let failure = parts[3] as f64 / 1000.0;
        let (per_run, mean) = time(parts[0] as u32, parts[1] == 1, parts[2], failure);
        println!(
            "{spec}: {:.3} µs per run, mean finish {mean:.1} s",
            per_run * 1e6
        );
        return;
    }
    for failure in [0.01, 0.0] {
        for count in [100u32, 1_000, 10_000] {
            let runs = 2_000_000 / u64::from(count);
            let (exact, m1) = time(count, false, runs, failure);
            let (short, m2) = time(count, true, runs * 10, failure);
            println!(
                "failure {failure}, {count:>6} instances: per instance {:>9.3} µs, order \
                 statistics {:>7.3} µs, ratio {:>6.1}; mean finish {m1:.1} s vs {m2:.1} s",
                exact * 1e6,
                short * 1e6,
                exact / short
            );
        }
    }
}
