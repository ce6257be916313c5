//! Engine runs with random durations, checked against closed-form distributions within Monte
//! Carlo error.
//!
//! Tolerances are 4 standard errors of the estimator. Every run uses its own stream
//! `stream_rng(seed, i, 0)`, so each test is reproducible and its outcome fixed: a test that
//! passes once passes always, and a wrong engine would miss by many standard errors.

use sim_core::dist::Dist;
use sim_core::engine::{Engine, FleetSpec, Param, ParamId, Runbook, RunbookBuilder, StepId, Work};
use sim_core::rng::stream_rng;
use statrs::distribution::{Continuous, ContinuousCDF, Gamma};

const RUNS: u64 = 40_000;

fn exp_delay(b: &mut RunbookBuilder, name: &str, mean: f64) -> StepId {
    b.step(
        name,
        Work::Delay {
            duration: Dist::exponential(mean).expect("a valid mean"),
            scale: Param::Fixed(1.0),
        },
    )
    .expect("a valid step")
}

/// The makespans of `RUNS` runs with streams (seed, i, 0), sorted.
fn sorted_makespans(rb: &Runbook, params: &[f64], seed: u64) -> Vec<f64> {
    let mut engine = Engine::new();
    let mut out: Vec<f64> = (0..RUNS)
        .map(|i| engine.run(rb, params, &mut stream_rng(seed, i, 0)))
        .collect();
    out.sort_by(f64::total_cmp);
    out
}

/// The fraction of `sorted` that is ≤ x.
fn ecdf(sorted: &[f64], x: f64) -> f64 {
    sorted.partition_point(|&v| v <= x) as f64 / sorted.len() as f64
}

/// Checks the empirical CDF against `cdf` at each point: the ECDF at x is a mean of n Bernoulli(p)
/// indicators, so its standard error is sqrt(p(1−p)/n).
fn assert_cdf_matches(sorted: &[f64], cdf: impl Fn(f64) -> f64, points: &[f64]) {
    let n = sorted.len() as f64;
    for &x in points {
        let p = cdf(x);
        let tolerance = 4.0 * (p * (1.0 - p) / n).sqrt();
        let got = ecdf(sorted, x);
        assert!(
            (got - p).abs() <= tolerance,
            "CDF at {x}: empirical {got}, expected {p} ± {tolerance}"
        );
    }
}

/// k = 3 exponential steps of mean 2 in series: the makespan is Erlang(3, rate 1/2). The
/// empirical p-quantile has standard error ≈ sqrt(p(1−p)/n) / f(q_p) (f the density).
#[test]
fn exponential_chain_is_erlang() {
    let mut b = RunbookBuilder::new();
    let mut previous = None;
    for i in 0..3 {
        let s = exp_delay(&mut b, &format!("s{i}"), 2.0);
        if let Some(p) = previous {
            b.after(s, p).expect("after");
        }
        previous = Some(s);
    }
    let rb = b.build().expect("build");
    let sorted = sorted_makespans(&rb, &[], 11);
    let erlang = Gamma::new(3.0, 0.5).expect("gamma");
    let n = sorted.len() as f64;
    for p in [0.5, 0.9, 0.99] {
        let expected = erlang.inverse_cdf(p);
        let got = sorted[(p * n).ceil() as usize - 1];
        let tolerance = 4.0 * (p * (1.0 - p) / n).sqrt() / erlang.pdf(expected);
        assert!(
            (got - expected).abs() <= tolerance,
            "p{p}: empirical {got}, Erlang {expected} ± {tolerance}"
        );
    }
}

/// Exponential steps with distinct rates λ = 1, 1/2, 1/4 in series: the makespan is
/// hypoexponential, CDF(x) = Σᵢ (Πⱼ≠ᵢ λⱼ/(λⱼ − λᵢ)) (1 − e^(−λᵢ x)).
#[test]
fn distinct_exponential_chain_is_hypoexponential() {
    let rates = [1.0, 0.5, 0.25];
    let mut b = RunbookBuilder::new();
    let mut previous = None;
    for (i, rate) in rates.iter().enumerate() {
        let s = exp_delay(&mut b, &format!("s{i}"), 1.0 / rate);
        if let Some(p) = previous {
            b.after(s, p).expect("after");
        }
        previous = Some(s);
    }
    let rb = b.build().expect("build");
    let sorted = sorted_makespans(&rb, &[], 12);
    let cdf = |x: f64| -> f64 {
        rates
            .iter()
            .enumerate()
            .map(|(i, &li)| {
                let weight: f64 = rates
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, &lj)| lj / (lj - li))
                    .product();
                weight * (1.0 - (-li * x).exp())
            })
            .sum()
    };
    assert_cdf_matches(&sorted, cdf, &[1.0, 3.0, 5.0, 8.0, 12.0, 20.0, 30.0]);
}

/// Exponential steps of means 1, 2, 3 in parallel, joined by a milestone: the makespan is their
/// maximum, CDF(x) = Πᵢ (1 − e^(−x/meanᵢ)).
#[test]
fn parallel_exponentials_join_at_the_max() {
    let means = [1.0, 2.0, 3.0];
    let mut b = RunbookBuilder::new();
    let join = b.step("join", Work::Milestone).expect("step");
    for (i, &mean) in means.iter().enumerate() {
        let s = exp_delay(&mut b, &format!("p{i}"), mean);
        b.after(join, s).expect("after");
    }
    let rb = b.build().expect("build");
    let sorted = sorted_makespans(&rb, &[], 13);
    let cdf = |x: f64| means.iter().map(|m| 1.0 - (-x / m).exp()).product::<f64>();
    assert_cdf_matches(&sorted, cdf, &[0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0]);
}

/// One instance, failure probability p = 0.3 (per trial), phases 2 + 3 = T = 5 s, retry delay
/// d = 4 s, a launcher with a large burst (no rate wait). The number of failures K is geometric:
/// P(K = k) = p^k (1 − p), so finish = T + K·d with mean T + d·p/(1 − p) and standard deviation
/// d·sqrt(p)/(1 − p); P(finish = T) = 1 − p.
#[test]
fn failed_launches_are_retried() {
    let (p, t, d) = (0.3, 5.0, 4.0);
    let mut b = RunbookBuilder::new();
    let launcher = b.launcher("api", 1.0, 1000).expect("launcher");
    b.step(
        "fleet",
        Work::Fleet(FleetSpec {
            count: 1,
            needed: 1,
            launcher,
            phases: vec![
                Dist::fixed(2.0).expect("dist"),
                Dist::fixed(3.0).expect("dist"),
            ],
            scale: Param::Fixed(1.0),
            failure: Param::Trial(ParamId(0)),
            retry_delay: Dist::fixed(d).expect("dist"),
        }),
    )
    .expect("step");
    let rb = b.build().expect("build");
    let finishes = sorted_makespans(&rb, &[p], 14);
    let n = finishes.len() as f64;

    // Every finish is T plus a whole number of retry delays.
    for &f in &finishes {
        let k = (f - t) / d;
        assert!(
            k >= 0.0 && (k - k.round()).abs() < 1e-9,
            "finish {f} is not T + k·d"
        );
    }
    let mean = finishes.iter().sum::<f64>() / n;
    let expected = t + d * p / (1.0 - p);
    let tolerance = 4.0 * d * p.sqrt() / (1.0 - p) / n.sqrt();
    assert!(
        (mean - expected).abs() <= tolerance,
        "mean {mean}, expected {expected} ± {tolerance}"
    );

    for (k, f) in [(0, t), (1, t + d), (2, t + 2.0 * d)] {
        let expected = p.powi(k) * (1.0 - p);
        let got = finishes.iter().filter(|&&x| x == f).count() as f64 / n;
        let tolerance = 4.0 * (expected * (1.0 - expected) / n).sqrt();
        assert!(
            (got - expected).abs() <= tolerance,
            "P(K = {k}) = {got}, expected {expected} ± {tolerance}"
        );
    }
}

/// A fleet of 5 instances with one Exp(mean 10) phase each, all launched at 0 (burst 5), needing
/// 3: it finishes at the 3rd order statistic of 5 exponentials,
/// P(X₍₃₎ ≤ x) = Σ_{j=3..5} C(5, j) F(x)^j (1 − F(x))^(5−j) with F(x) = 1 − e^(−x/10).
#[test]
fn fleet_finishes_at_the_needed_th_instance() {
    let mut b = RunbookBuilder::new();
    let launcher = b.launcher("api", 1.0, 5).expect("launcher");
    b.step(
        "fleet",
        Work::Fleet(FleetSpec {
            count: 5,
            needed: 3,
            launcher,
            phases: vec![Dist::exponential(10.0).expect("dist")],
            scale: Param::Fixed(1.0),
            failure: Param::Fixed(0.0),
            retry_delay: Dist::fixed(1.0).expect("dist"),
        }),
    )
    .expect("step");
    let rb = b.build().expect("build");
    let sorted = sorted_makespans(&rb, &[], 15);
    let binomial = [1.0, 5.0, 10.0, 10.0, 5.0, 1.0];
    let cdf = |x: f64| {
        let f = 1.0 - (-x / 10.0).exp();
        (3..=5)
            .map(|j| binomial[j] * f.powi(j as i32) * (1.0 - f).powi(5 - j as i32))
            .sum::<f64>()
    };
    assert_cdf_matches(&sorted, cdf, &[2.0, 5.0, 8.0, 12.0, 20.0, 30.0]);
}

/// A per-trial scale on a random delay: Exp(mean 2) × 3 has mean 6 and standard deviation 6.
#[test]
fn trial_scale_multiplies_a_random_delay() {
    let mut b = RunbookBuilder::new();
    b.step(
        "d",
        Work::Delay {
            duration: Dist::exponential(2.0).expect("dist"),
            scale: Param::Trial(ParamId(0)),
        },
    )
    .expect("step");
    let rb = b.build().expect("build");
    let makespans = sorted_makespans(&rb, &[3.0], 16);
    let n = makespans.len() as f64;
    let mean = makespans.iter().sum::<f64>() / n;
    let tolerance = 4.0 * 6.0 / n.sqrt();
    assert!(
        (mean - 6.0).abs() <= tolerance,
        "mean {mean}, expected 6 ± {tolerance}"
    );
}
