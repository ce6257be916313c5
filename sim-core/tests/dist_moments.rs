//! Each `Dist` constructor against its closed form: 200 000 seeded draws, the sample mean within
//! 4 standard errors of the exact mean, the empirical CDF at a few exact quantiles within 4
//! binomial standard errors, and (for continuous shapes) a Kolmogorov–Smirnov distance below the
//! 0.1 % critical value, against `statrs` where a CDF is not elementary. Also: `Dist::mean`,
//! `typical`, `min_value` and `scaled` agree with the closed forms.

// Tests state their expectations by unwrapping.
#![allow(clippy::unwrap_used)]

use sim_core::dist::{Dist, Z95};
use sim_core::rng::stream_rng;
use statrs::distribution::{Beta, ContinuousCDF};

const N: usize = 200_000;

/// Sorted draws from one seeded stream.
fn draws(d: &Dist, seed: u64) -> Vec<f64> {
    let mut rng = stream_rng(seed, 0, 0);
    let mut xs: Vec<f64> = (0..N).map(|_| d.sample(&mut rng)).collect();
    xs.sort_unstable_by(f64::total_cmp);
    xs
}

/// Sample mean within 4 standard errors of `mean`, for a distribution of standard deviation `sd`.
fn check_mean(xs: &[f64], mean: f64, sd: f64) {
    let m = xs.iter().sum::<f64>() / xs.len() as f64;
    let se = sd / (xs.len() as f64).sqrt();
    assert!(
        (m - mean).abs() <= 4.0 * se,
        "sample mean {m}, expected {mean} ± 4·{se}"
    );
}

/// Fraction of sorted draws ≤ `x` within 4 binomial standard errors of `p` = F(x).
fn check_cdf_at(xs: &[f64], x: f64, p: f64) {
    let below = xs.partition_point(|&v| v <= x) as f64 / xs.len() as f64;
    let se = (p * (1.0 - p) / xs.len() as f64).sqrt();
    assert!(
        (below - p).abs() <= 4.0 * se,
        "F̂({x}) = {below}, expected {p} ± 4·{se}"
    );
}

/// Kolmogorov–Smirnov distance of sorted draws from `cdf`, below the 0.1 % critical value.
fn check_ks(xs: &[f64], cdf: impl Fn(f64) -> f64) {
    let n = xs.len() as f64;
    let d = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max((f - (i + 1) as f64 / n).abs())
        })
        .fold(0.0, f64::max);
    let critical = 1.949 / n.sqrt();
    assert!(d < critical, "KS distance {d} ≥ {critical}");
}

fn all_finite_non_negative(xs: &[f64]) {
    assert!(xs.iter().all(|x| x.is_finite() && *x >= 0.0));
}

#[test]
fn fixed() {
    let d = Dist::fixed(7.5).unwrap();
    assert!(d.is_constant());
    let mut rng = stream_rng(1, 0, 0);
    assert!((0..1000).all(|_| d.sample(&mut rng) == 7.5));
    assert_eq!((d.mean(), d.typical(), d.min_value()), (7.5, 7.5, 7.5));
    assert_eq!(Dist::fixed(0.0).unwrap().mean(), 0.0);
}

#[test]
fn uniform() {
    let (a, b) = (2.0, 10.0);
    let d = Dist::uniform(a, b).unwrap();
    assert_eq!(d.mean(), 6.0);
    assert_eq!(d.min_value(), 2.0);
    let xs = draws(&d, 11);
    all_finite_non_negative(&xs);
    assert!(xs[0] >= a && xs[N - 1] <= b);
    check_mean(&xs, 6.0, (b - a) / 12f64.sqrt());
    for q in [0.05, 0.5, 0.95] {
        check_cdf_at(&xs, a + q * (b - a), q);
    }
    check_ks(&xs, |x| ((x - a) / (b - a)).clamp(0.0, 1.0));
    // Degenerate: low == high is a constant.
    let c = Dist::uniform(3.0, 3.0).unwrap();
    let mut rng = stream_rng(1, 0, 0);
    assert!((0..100).all(|_| c.sample(&mut rng) == 3.0));
}

#[test]
fn triangular() {
    let (a, c, b) = (1.0, 3.0, 10.0);
    let d = Dist::triangular(a, c, b).unwrap();
    let mean = (a + b + c) / 3.0;
    assert!((d.mean() - mean).abs() < 1e-12);
    assert_eq!(d.min_value(), a);
    let var: f64 = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
    let xs = draws(&d, 12);
    all_finite_non_negative(&xs);
    assert!(xs[0] >= a && xs[N - 1] <= b);
    check_mean(&xs, mean, var.sqrt());
    let cdf = |x: f64| {
        if x <= a {
            0.0
        } else if x <= c {
            (x - a).powi(2) / ((b - a) * (c - a))
        } else if x < b {
            1.0 - (b - x).powi(2) / ((b - a) * (b - c))
        } else {
            1.0
        }
    };
    let quantile = |q: f64| {
        if q <= (c - a) / (b - a) {
            a + (q * (b - a) * (c - a)).sqrt()
        } else {
            b - ((1.0 - q) * (b - a) * (b - c)).sqrt()
        }
    };
    for q in [0.1, 0.5, 0.95] {
        check_cdf_at(&xs, quantile(q), q);
    }
    check_cdf_at(&xs, c, (c - a) / (b - a));
    check_ks(&xs, cdf);
    // min == max is a constant; a mode at either end is allowed.
    assert!(Dist::triangular(4.0, 4.0, 4.0).unwrap().is_constant());
    assert!(Dist::triangular(0.0, 0.0, 1.0).is_ok());
    assert!(Dist::triangular(0.0, 1.0, 1.0).is_ok());
}

#[test]
fn pert() {
    let (a, m, b) = (1.0, 3.0, 10.0);
    let d = Dist::pert(a, m, b).unwrap();
    let mean = (a + 4.0 * m + b) / 6.0;
    assert!((d.mean() - mean).abs() < 1e-12);
    // Beta(α, β) on [a, b] with α = 1 + 4(m − a)/(b − a), β = 1 + 4(b − m)/(b − a);
    // variance (μ − a)(b − μ)/7.
    let alpha = 1.0 + 4.0 * (m - a) / (b - a);
    let beta = 1.0 + 4.0 * (b - m) / (b - a);
    let var: f64 = (mean - a) * (b - mean) / 7.0;
    let xs = draws(&d, 13);
    all_finite_non_negative(&xs);
    assert!(xs[0] >= a && xs[N - 1] <= b);
    check_mean(&xs, mean, var.sqrt());
    let shape = Beta::new(alpha, beta).unwrap();
    for q in [0.1, 0.5, 0.95] {
        check_cdf_at(&xs, a + (b - a) * shape.inverse_cdf(q), q);
    }
    check_ks(&xs, |x| shape.cdf(((x - a) / (b - a)).clamp(0.0, 1.0)));
    assert!(Dist::pert(4.0, 4.0, 4.0).unwrap().is_constant());
    assert!(Dist::pert(0.0, 0.0, 1.0).is_ok());
    assert!(Dist::pert(0.0, 1.0, 1.0).is_ok());
}

#[test]
fn exponential() {
    let mean = 5.0;
    let d = Dist::exponential(mean).unwrap();
    assert_eq!(d.mean(), mean);
    assert_eq!(d.typical(), mean * std::f64::consts::LN_2);
    assert_eq!(d.min_value(), 0.0);
    let xs = draws(&d, 24);
    all_finite_non_negative(&xs);
    check_mean(&xs, mean, mean);
    check_cdf_at(&xs, mean * std::f64::consts::LN_2, 0.5);
    check_cdf_at(&xs, mean * 20f64.ln(), 0.95);
    check_cdf_at(&xs, mean, 1.0 - (-1f64).exp());
    check_ks(&xs, |x| 1.0 - (-x / mean).exp());
}

#[test]
fn lognormal_from_median_and_p95() {
    let (median, p95): (f64, f64) = (20.0, 60.0);
    let d = Dist::lognormal(median, p95).unwrap();
    let sigma = (p95 / median).ln() / Z95;
    let mean = median * (sigma * sigma / 2.0).exp();
    let sd = mean * ((sigma * sigma).exp() - 1.0).sqrt();
    assert!((d.mean() - mean).abs() < 1e-12 * mean);
    assert_eq!(d.typical(), median);
    assert_eq!(d.min_value(), 0.0);
    let xs = draws(&d, 15);
    all_finite_non_negative(&xs);
    check_mean(&xs, mean, sd);
    // The parameters are the distribution's median and 95th percentile.
    check_cdf_at(&xs, median, 0.5);
    check_cdf_at(&xs, p95, 0.95);
    let empirical_median = xs[N / 2];
    let empirical_p95 = xs[N * 95 / 100];
    assert!(
        (empirical_median / median - 1.0).abs() < 0.01,
        "median {empirical_median}"
    );
    assert!(
        (empirical_p95 / p95 - 1.0).abs() < 0.02,
        "p95 {empirical_p95}"
    );
    let ln = statrs::distribution::LogNormal::new(median.ln(), sigma).unwrap();
    check_ks(&xs, |x| ln.cdf(x));
}

#[test]
fn empirical_frequencies() {
    let obs = [1.0, 2.0, 3.0, 5.0, 8.0];
    let d = Dist::empirical(&obs).unwrap();
    assert_eq!(d.mean(), 19.0 / 5.0);
    assert_eq!(d.min_value(), 1.0);
    let xs = draws(&d, 16);
    all_finite_non_negative(&xs);
    let p = 1.0 / obs.len() as f64;
    let se = (p * (1.0 - p) / N as f64).sqrt();
    for o in obs {
        let freq = xs.iter().filter(|&&x| x == o).count() as f64 / N as f64;
        assert!(
            (freq - p).abs() <= 4.0 * se,
            "observation {o}: frequency {freq}"
        );
    }
    assert!(xs.iter().all(|x| obs.contains(x)));
    // Repeated observations count with their multiplicity.
    let d = Dist::empirical(&[4.0, 4.0, 9.0]).unwrap();
    let xs = draws(&d, 17);
    let fours = xs.iter().filter(|&&x| x == 4.0).count() as f64 / N as f64;
    let se = (2.0 / 9.0 / N as f64).sqrt();
    assert!(
        (fours - 2.0 / 3.0).abs() <= 4.0 * se,
        "frequency of 4: {fours}"
    );
    // A single observation.
    let one = Dist::empirical(&[2.5]).unwrap();
    let mut rng = stream_rng(1, 0, 0);
    assert!((0..100).all(|_| one.sample(&mut rng) == 2.5));
}

/// `scaled(f)` multiplies the mean, the typical value, the minimum — and, from the same stream,
/// every draw (up to rounding).
#[test]
fn scaled_multiplies() {
    let f = 3.0;
    let all = [
        Dist::fixed(2.0).unwrap(),
        Dist::uniform(1.0, 4.0).unwrap(),
        Dist::triangular(1.0, 2.0, 6.0).unwrap(),
        Dist::pert(1.0, 2.0, 6.0).unwrap(),
        Dist::exponential(2.0).unwrap(),
        Dist::lognormal(2.0, 7.0).unwrap(),
        Dist::empirical(&[1.0, 2.0, 4.0]).unwrap(),
    ];
    for d in &all {
        let s = d.scaled(f).unwrap();
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * y.abs().max(1.0);
        assert!(
            close(s.mean(), f * d.mean()),
            "{d:?}: mean {} vs {}",
            s.mean(),
            d.mean()
        );
        assert!(close(s.typical(), f * d.typical()), "{d:?}");
        assert!(close(s.min_value(), f * d.min_value()), "{d:?}");
        let (mut r1, mut r2) = (stream_rng(5, 1, 2), stream_rng(5, 1, 2));
        for _ in 0..1000 {
            let (x, y) = (d.sample(&mut r1), s.sample(&mut r2));
            assert!(close(y, f * x), "{d:?}: scaled draw {y} vs {f}·{x}");
        }
    }
    // The sample mean of a scaled distribution, too.
    let s = Dist::lognormal(20.0, 60.0).unwrap().scaled(1000.0).unwrap();
    let sigma = 3f64.ln() / Z95;
    let mean = 20_000.0 * (sigma * sigma / 2.0).exp();
    check_mean(
        &draws(&s, 18),
        mean,
        mean * ((sigma * sigma).exp() - 1.0).sqrt(),
    );
}
