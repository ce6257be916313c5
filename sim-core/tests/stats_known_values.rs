//! `sim_core::stats` against known data and hand-computed values: quantiles and moments of a
//! known sequence, the histogram's relative error over drsim's whole range of durations, the
//! Wilson interval, and the coverage of `Tally::quantile_interval`.

use sim_core::dist::unit_f64;
use sim_core::rng::stream_rng;
use sim_core::stats::{Proportion, Tally, Total, Z_95};

/// Thirty days in milliseconds, the longest duration drsim is expected to record.
const THIRTY_DAYS_MS: u64 = 30 * 24 * 3600 * 1000;

fn rel_err(got: u64, want: u64) -> f64 {
    (got as f64 - want as f64).abs() / want as f64
}

#[test]
fn one_to_ten_thousand() {
    let mut t = Tally::new();
    for v in 1..=10_000u64 {
        t.record(v);
    }
    assert_eq!(t.count(), 10_000);
    assert_eq!(t.mean(), 5000.5, "mean is exact: 50 005 000 / 10 000");
    assert_eq!(t.max(), 10_000);
    assert_eq!(t.min(), 1);
    assert!(
        rel_err(t.quantile(0.5), 5000) <= 0.001,
        "p50 = {}",
        t.quantile(0.5)
    );
    assert!(
        rel_err(t.quantile(0.99), 9900) <= 0.001,
        "p99 = {}",
        t.quantile(0.99)
    );
    assert!(rel_err(t.quantile(0.9), 9000) <= 0.001);
    assert_eq!(t.quantile(1.0), 10_000);
    assert_eq!(t.quantile(0.0), 1);
    // Sample standard deviation of 1..=n is sqrt(n(n+1)/12).
    let sd = (10_000.0f64 * 10_001.0 / 12.0).sqrt();
    assert!(
        (t.std_dev() - sd).abs() < 1e-9 * sd,
        "std_dev = {}",
        t.std_dev()
    );
    assert!((t.mean_std_error() - sd / 100.0).abs() < 1e-9 * sd);
    // Values below 2048 are stored exactly; above, within one bin.
    assert_eq!(t.count_at_most(0), 0);
    assert_eq!(t.count_at_most(1000), 1000);
    assert!(t.count_at_most(5000).abs_diff(5000) <= 5);
    assert_eq!(t.count_at_most(10_000), 10_000);
    assert_eq!(t.count_at_most(u64::MAX), 10_000);

    let s = t.summary();
    assert_eq!(s.count, 10_000);
    assert_eq!(s.mean, 5000.5);
    assert_eq!(s.max, 10_000.0);
    assert!((s.p50 - 5000.0).abs() <= 5.0);
    assert!((s.p90 - 9000.0).abs() <= 9.0);
    assert!((s.p95 - 9500.0).abs() <= 9.5);
    assert!((s.p99 - 9900.0).abs() <= 9.9);
    // p95 of 1..=n: the ranks n·q ∓ 1.96·sqrt(n·q·(1−q)) are 9457 and 9543 (±42.7), so the
    // standard error is about 43 / 1.96 ≈ 22, widened by at most two bins of 4.
    assert!(
        (20.0..26.0).contains(&s.p95_std_error),
        "p95_std_error = {}",
        s.p95_std_error
    );
}

#[test]
fn quantile_interval_of_known_data() {
    let mut t = Tally::new();
    for v in 1..=1000u64 {
        t.record(v);
    }
    // Below 2048 the histogram is exact, so the interval is the order statistics themselves.
    // n·q = 500, z·sqrt(n·q·(1−q)) = 1.96·15.81 = 30.99 → ranks ⌊469.01⌋ = 469 and ⌈530.99⌉ = 531.
    assert_eq!(t.quantile_interval(0.5, Z_95), (469, 531));
    // z = 0 collapses to the point estimate's rank.
    assert_eq!(t.quantile_interval(0.5, 0.0), (500, 500));
    // Ranks are clamped to [1, n].
    assert_eq!(
        t.quantile_interval(0.999, 10.0),
        (t.quantile_interval(0.999, 10.0).0, 1000)
    );
    assert_eq!(t.quantile_interval(0.0, Z_95), (1, 1));
    assert_eq!(t.quantile_interval(1.0, Z_95), (1000, 1000));
}

/// Relative error of quantiles ≤ 0.1 % for values spanning 1 ms to 30 days: log-uniform values
/// over the whole range, every percentile compared with the exact order statistic.
#[test]
fn relative_error_from_one_ms_to_thirty_days() {
    let mut rng = stream_rng(7, 0, 0);
    let span = (THIRTY_DAYS_MS as f64).ln();
    let mut values: Vec<u64> = (0..20_000)
        .map(|_| ((unit_f64(&mut rng) * span).exp().round() as u64).clamp(1, THIRTY_DAYS_MS))
        .collect();
    values.push(1);
    values.push(THIRTY_DAYS_MS);
    let mut t = Tally::new();
    for &v in &values {
        t.record(v);
    }
    values.sort_unstable();
    let n = values.len();
    for i in 0..=1000 {
        let q = i as f64 / 1000.0;
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        let exact = values[rank - 1];
        let got = t.quantile(q);
        assert!(
            rel_err(got, exact) <= 0.001,
            "q = {q}: histogram {got}, exact order statistic {exact}"
        );
    }
    assert_eq!(t.max(), THIRTY_DAYS_MS);
    assert_eq!(t.min(), 1);
    // Each single value, however large, is reported within 0.1 % (here as a median of three
    // copies of itself and one neighbour, so the exact min/max clamp does not hide the error).
    let mut v = 1u64;
    while v <= THIRTY_DAYS_MS {
        let mut single = Tally::new();
        for x in [v, v, v, v + 1] {
            single.record(x);
        }
        assert!(rel_err(single.quantile(0.5), v) <= 0.001, "value {v}");
        v = v * 3 + 1;
    }
}

#[test]
fn mean_is_exact_for_large_sums() {
    // A sum far beyond 2^53: the mean is still exact because it is computed from integers.
    let big = (1u64 << 62) + 1;
    let mut t = Tally::new();
    let mut total = Total::default();
    for _ in 0..1000 {
        t.record(big);
        total.record(big);
    }
    assert_eq!(t.mean(), big as f64);
    assert_eq!(total.mean(), big as f64);
    assert_eq!(total.sum, 1000 * u128::from(big));
    assert_eq!(t.std_dev(), 0.0);
}

#[test]
fn total_mean() {
    let mut t = Total::default();
    assert_eq!(t.mean(), 0.0);
    for ticks in [1, 2, 3, 4] {
        t.record(ticks);
    }
    assert_eq!(t, Total { count: 4, sum: 10 });
    assert_eq!(t.mean(), 2.5);
}

#[test]
fn wilson_hand_computed() {
    // n = 100, p̂ = 0.9, z = 1.96: denominator 1 + 3.8416/100 = 1.038416,
    // centre (0.9 + 0.019208) / 1.038416 = 0.885202,
    // half-width 1.96·sqrt(0.0009 + 0.00009604) / 1.038416 = 0.059569
    // → (0.825633, 0.944771).
    let p = Proportion {
        hits: 90,
        trials: 100,
    };
    assert_eq!(p.estimate(), 0.9);
    let (lo, hi) = p.wilson(1.96);
    assert!((lo - 0.8256).abs() < 5e-5, "lo = {lo}");
    assert!((hi - 0.9448).abs() < 5e-5, "hi = {hi}");
    let (lo, hi) = p.wilson(Z_95);
    assert!((lo - 0.825_634).abs() < 1e-6 && (hi - 0.944_771).abs() < 1e-6);
    // Symmetry: 10/100 mirrors 90/100.
    let (lo10, hi10) = Proportion {
        hits: 10,
        trials: 100,
    }
    .wilson(1.96);
    let (lo90, hi90) = p.wilson(1.96);
    assert!((lo10 - (1.0 - hi90)).abs() < 1e-12 && (hi10 - (1.0 - lo90)).abs() < 1e-12);
}

#[test]
fn wilson_edge_cases() {
    let none = Proportion::default();
    assert_eq!(none.estimate(), 0.0);
    assert_eq!(none.wilson(Z_95), (0.0, 1.0));

    // All hits: upper bound exactly 1; lower bound n/(n + z²) = 10/13.8415 = 0.72247.
    let all = Proportion {
        hits: 10,
        trials: 10,
    };
    let (lo, hi) = all.wilson(Z_95);
    assert_eq!(hi, 1.0);
    assert!((lo - 0.722_467).abs() < 1e-6, "lo = {lo}");

    // No hits: lower bound exactly 0; upper bound z²/(n + z²) = 0.27753.
    let zero = Proportion {
        hits: 0,
        trials: 10,
    };
    let (lo, hi) = zero.wilson(Z_95);
    assert_eq!(lo, 0.0);
    assert!((hi - 0.277_533).abs() < 1e-6, "hi = {hi}");

    // Degenerate z: no panic, sensible answers.
    assert_eq!(all.wilson(f64::NAN), (0.0, 1.0));
    assert_eq!(zero.wilson(f64::INFINITY), (0.0, 1.0));
    assert_eq!(Proportion { hits: 3, trials: 4 }.wilson(0.0), (0.75, 0.75));
    assert_eq!(
        Proportion { hits: 3, trials: 4 }.wilson(-1.0),
        Proportion { hits: 3, trials: 4 }.wilson(1.0)
    );

    let mut p = Proportion::default();
    for hit in [true, false, true, true] {
        p.record(hit);
    }
    assert_eq!(p, Proportion { hits: 3, trials: 4 });
}

/// `quantile_interval(0.95, Z_95)` brackets the true p95 of a uniform sample in about 95 % of
/// repeated experiments (the exact binomial coverage of ranks 1880..1920 of 2000 is 96.0 %), and
/// the `p95_std_error` it implies matches the observed spread of the p95 estimates.
#[test]
fn quantile_interval_coverage() {
    const REPS: u64 = 200;
    const N: u64 = 2000;
    const HIGH: f64 = 1_000_000.0;
    let true_p95 = 0.95 * HIGH;
    let mut covered = 0;
    let mut estimates = Vec::new();
    let mut std_errors = Vec::new();
    for rep in 0..REPS {
        let mut rng = stream_rng(2024, rep, 0);
        let mut t = Tally::new();
        for _ in 0..N {
            t.record((unit_f64(&mut rng) * HIGH) as u64);
        }
        let (lo, hi) = t.quantile_interval(0.95, Z_95);
        assert!(lo <= t.quantile(0.95) && t.quantile(0.95) <= hi);
        if lo as f64 <= true_p95 && true_p95 <= hi as f64 {
            covered += 1;
        }
        let s = t.summary();
        estimates.push(s.p95);
        std_errors.push(s.p95_std_error);
    }
    let coverage = covered as f64 / REPS as f64;
    assert!((0.90..=0.99).contains(&coverage), "coverage {coverage}");

    // Theory: SE(p95) = sqrt(q(1−q)/n) / density = sqrt(0.0475/2000)·1e6 ≈ 4873.
    let mean_se = std_errors.iter().sum::<f64>() / REPS as f64;
    let m = estimates.iter().sum::<f64>() / REPS as f64;
    let observed_sd =
        (estimates.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (REPS - 1) as f64).sqrt();
    assert!(
        (0.85..1.2).contains(&(mean_se / 4873.0)),
        "mean p95_std_error {mean_se}"
    );
    assert!(
        (0.8..1.25).contains(&(observed_sd / mean_se)),
        "observed sd {observed_sd} vs {mean_se}"
    );
}

/// Every reported quantile's standard error agrees with the closed form for an exponential
/// sample and with the spread of repeated estimates. For Exp(λ) the q-quantile is
/// x_q = −ln(1−q)/λ with density f(x_q) = λ(1−q), so its asymptotic standard error is
/// sqrt(q(1−q)/n) / (λ(1−q)) = sqrt(q / ((1−q)·n)) / λ.
#[test]
fn every_quantile_std_error_matches_the_exponential_closed_form() {
    const REPS: u64 = 200;
    const N: u64 = 4000;
    const MEAN: f64 = 100_000.0; // 1/λ, in the tally's unit
    let mut estimates: [Vec<f64>; 4] = Default::default();
    let mut std_errors: [Vec<f64>; 4] = Default::default();
    for rep in 0..REPS {
        let mut rng = stream_rng(77, rep, 0);
        let mut t = Tally::new();
        for _ in 0..N {
            let u = unit_f64(&mut rng);
            t.record((-(1.0 - u).ln() * MEAN) as u64);
        }
        let s = t.summary();
        for (k, (p, se)) in [
            (s.p50, s.p50_std_error),
            (s.p90, s.p90_std_error),
            (s.p95, s.p95_std_error),
            (s.p99, s.p99_std_error),
        ]
        .into_iter()
        .enumerate()
        {
            estimates[k].push(p);
            std_errors[k].push(se);
        }
    }
    for (k, q) in [0.50f64, 0.90, 0.95, 0.99].into_iter().enumerate() {
        let theory = (q / ((1.0 - q) * N as f64)).sqrt() * MEAN;
        let mean_se = std_errors[k].iter().sum::<f64>() / REPS as f64;
        let m = estimates[k].iter().sum::<f64>() / REPS as f64;
        let observed =
            (estimates[k].iter().map(|x| (x - m).powi(2)).sum::<f64>() / (REPS - 1) as f64).sqrt();
        // The order-statistic interval is asymmetric in the tail (p99 of 4000 values spans
        // ranks 3948..3992), so its half-width overstates a little there.
        assert!(
            (0.85..1.25).contains(&(mean_se / theory)),
            "q={q}: mean std error {mean_se} vs theory {theory}"
        );
        // The spread of 200 estimates is itself known to about ±10 % (1/sqrt(2·199)·2σ).
        assert!(
            (0.78..1.28).contains(&(observed / mean_se)),
            "q={q}: observed sd {observed} vs reported {mean_se}"
        );
    }
}
