//! Parameter checking of every `Dist` constructor: invalid parameters are refused with a
//! `DistError` whose message names the problem, and (property test) no input at all — finite,
//! infinite, NaN, subnormal, negative — makes a constructor, `scaled` or `sample` panic; when a
//! constructor accepts its parameters, draws are finite, non-negative and inside the support.

// Tests state their expectations by unwrapping.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use sim_core::dist::{Dist, DistError};
use sim_core::rng::stream_rng;

/// The error's Display text, which must contain every one of `needles`.
fn assert_refused(result: Result<Dist, DistError>, needles: &[&str]) -> DistError {
    let err = match result {
        Ok(d) => panic!("expected an error mentioning {needles:?}, got {d:?}"),
        Err(e) => e,
    };
    let msg = err.to_string();
    for needle in needles {
        assert!(
            msg.contains(needle),
            "message {msg:?} does not mention {needle:?}"
        );
    }
    err
}

#[test]
fn fixed_refuses_negative_and_non_finite() {
    assert_refused(Dist::fixed(-1.0), &["value", "≥ 0", "-1"]);
    assert_refused(Dist::fixed(f64::NAN), &["value", "NaN"]);
    assert_refused(Dist::fixed(f64::INFINITY), &["value", "finite", "inf"]);
    assert!(matches!(
        Dist::fixed(-0.5),
        Err(DistError::Negative { what: "value", .. })
    ));
}

#[test]
fn uniform_refuses_bad_bounds() {
    assert_refused(Dist::uniform(-1.0, 2.0), &["low", "≥ 0"]);
    assert_refused(Dist::uniform(1.0, f64::NAN), &["high", "NaN"]);
    let e = assert_refused(
        Dist::uniform(5.0, 2.0),
        &["low ≤ high", "low = 5", "high = 2"],
    );
    assert!(matches!(
        e,
        DistError::Order {
            low_name: "low",
            high_name: "high",
            ..
        }
    ));
}

#[test]
fn triangular_and_pert_refuse_bad_order() {
    type Ctor = fn(f64, f64, f64) -> Result<Dist, DistError>;
    for (name, ctor) in [
        ("triangular", Dist::triangular as Ctor),
        ("pert", Dist::pert as Ctor),
    ] {
        eprintln!("{name}");
        assert_refused(ctor(-1.0, 2.0, 3.0), &["min", "≥ 0"]);
        assert_refused(ctor(1.0, f64::NAN, 3.0), &["mode", "NaN"]);
        assert_refused(ctor(1.0, 2.0, f64::INFINITY), &["max", "finite"]);
        // min > max is caught as mode out of order on one side or the other.
        assert_refused(ctor(5.0, 5.0, 1.0), &["mode ≤ max", "mode = 5", "max = 1"]);
        assert_refused(ctor(3.0, 1.0, 5.0), &["min ≤ mode", "min = 3", "mode = 1"]);
        assert_refused(ctor(1.0, 6.0, 5.0), &["mode ≤ max"]);
        assert_refused(ctor(9.0, 2.0, 1.0), &["min ≤ mode"]);
    }
}

#[test]
fn exponential_refuses_non_positive_mean() {
    assert_refused(Dist::exponential(0.0), &["mean", "> 0", "0"]);
    assert_refused(Dist::exponential(-2.0), &["mean", "> 0", "-2"]);
    assert_refused(Dist::exponential(f64::NAN), &["mean", "NaN"]);
    assert_refused(Dist::exponential(f64::INFINITY), &["mean", "inf"]);
}

#[test]
fn lognormal_refuses_bad_median_or_p95() {
    assert_refused(Dist::lognormal(0.0, 10.0), &["median", "> 0"]);
    assert_refused(Dist::lognormal(-1.0, 10.0), &["median", "> 0"]);
    assert_refused(Dist::lognormal(f64::NAN, 10.0), &["median", "NaN"]);
    let e = assert_refused(
        Dist::lognormal(10.0, 10.0),
        &["p95", "greater than the median", "fixed"],
    );
    assert_eq!(
        e,
        DistError::P95NotAboveMedian {
            median: 10.0,
            p95: 10.0
        }
    );
    assert_refused(Dist::lognormal(10.0, 5.0), &["p95 (5)", "median (10)"]);
    assert_refused(Dist::lognormal(10.0, f64::NAN), &["p95", "median"]);
    assert_refused(Dist::lognormal(10.0, f64::INFINITY), &["p95", "median"]);
}

#[test]
fn empirical_refuses_empty_or_bad_observations() {
    let e = assert_refused(
        Dist::empirical(&[]),
        &["empirical", "at least one observation"],
    );
    assert_eq!(e, DistError::EmptyEmpirical);
    assert_refused(Dist::empirical(&[1.0, -3.0]), &["observation", "-3"]);
    assert_refused(Dist::empirical(&[1.0, f64::NAN]), &["observation", "NaN"]);
    assert_refused(Dist::empirical(&[f64::INFINITY]), &["observation", "inf"]);
}

#[test]
fn scaled_refuses_bad_factor() {
    let d = Dist::uniform(1.0, 2.0).unwrap();
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_refused(d.scaled(bad), &["scale factor", "> 0"]);
    }
    // A factor that overflows the parameters is refused by the constructor's own check.
    assert_refused(
        Dist::fixed(1e16).unwrap().scaled(1e300),
        &["value", "finite"],
    );
}

/// Any `f64`: NaN, ±∞, ±0, subnormals, huge and tiny values, plus a dense realistic range.
fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        2 => any::<f64>(),
        2 => 0.0..1e6f64,
        1 => Just(0.0),
        1 => prop::sample::select(vec![
            f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN_POSITIVE, 5e-324, -0.0, 1e300,
        ]),
    ]
}

/// Realistic magnitudes: up to 1e12 (≈ 32 years in milliseconds), down to zero.
fn realistic() -> impl Strategy<Value = f64> {
    prop_oneof![0.0..1e12f64, 0.0..1e4f64, 0.0..1.0f64, Just(0.0)]
}

fn constructions(a: f64, b: f64, c: f64, obs: &[f64]) -> Vec<Result<Dist, DistError>> {
    vec![
        Dist::fixed(a),
        Dist::uniform(a, b),
        Dist::triangular(a, b, c),
        Dist::pert(a, b, c),
        Dist::exponential(a),
        Dist::lognormal(a, b),
        Dist::empirical(obs),
    ]
}

/// Draws from `d` are finite, ≥ 0 and ≥ its minimum.
fn check_draws(d: &Dist, seed: u64) -> Result<(), TestCaseError> {
    let mut rng = stream_rng(seed, 0, 0);
    let min = d.min_value();
    for _ in 0..64 {
        let x = d.sample(&mut rng);
        prop_assert!(x.is_finite() && x >= 0.0, "{d:?} drew {x}");
        prop_assert!(x >= min, "{d:?} drew {x} below its minimum {min}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No input makes a constructor, `scaled`, `mean`, `typical`, `min_value` or `sample` panic.
    #[test]
    fn nothing_panics(
        a in any_f64(), b in any_f64(), c in any_f64(), factor in any_f64(),
        obs in prop::collection::vec(any_f64(), 0..5),
        seed in any::<u64>(),
    ) {
        for d in constructions(a, b, c, &obs).into_iter().flatten() {
            let _ = (d.mean(), d.typical(), d.min_value(), d.is_constant());
            let mut rng = stream_rng(seed, 0, 0);
            for _ in 0..16 {
                let _ = d.sample(&mut rng);
            }
            if let Ok(s) = d.scaled(factor) {
                let _ = s.sample(&mut rng);
            }
        }
    }

    /// Accepted parameters of realistic magnitude give finite, non-negative draws inside the
    /// support, and scaling them by a realistic factor keeps that true.
    #[test]
    fn accepted_realistic_parameters_give_finite_non_negative_draws(
        a in realistic(), b in realistic(), c in realistic(), factor in 1e-3..1e3f64,
        obs in prop::collection::vec(realistic(), 0..5),
        seed in any::<u64>(),
    ) {
        for d in constructions(a, b, c, &obs).into_iter().flatten() {
            check_draws(&d, seed)?;
            if let Ok(s) = d.scaled(factor) {
                check_draws(&s, seed)?;
            }
        }
        // Sorted parameters are always accepted by the bounded shapes, and stay inside them.
        let mut v = [a, b, c];
        v.sort_unstable_by(f64::total_cmp);
        for d in [Dist::uniform(v[0], v[2]), Dist::triangular(v[0], v[1], v[2]), Dist::pert(v[0], v[1], v[2])] {
            let d = d.map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut rng = stream_rng(seed, 1, 0);
            for _ in 0..64 {
                let x = d.sample(&mut rng);
                prop_assert!(v[0] <= x && x <= v[2], "{d:?} drew {x}");
            }
        }
    }

    /// The same, over every `f64` the constructors accept, however extreme.
    #[test]
    fn accepted_parameters_give_finite_non_negative_draws(
        a in any_f64(), b in any_f64(), c in any_f64(),
        obs in prop::collection::vec(any_f64(), 0..5),
        seed in any::<u64>(),
    ) {
        for d in constructions(a, b, c, &obs).into_iter().flatten() {
            check_draws(&d, seed)?;
        }
    }
}

/// Parameters whose draws once overflowed, found by
/// `accepted_parameters_give_finite_non_negative_draws`. Each must be refused by its
/// constructor or sample finite values ≥ 0.
#[test]
fn known_overflowing_parameters() {
    let m = f64::MAX;
    let cases = [
        // Triangular: (max − min)·(mode − min) overflows inside rand_distr → +inf, or −inf.
        (
            "triangular(0, 1e200, 1e200)",
            Dist::triangular(0.0, 1e200, 1e200),
        ),
        ("triangular(0, 0, MAX)", Dist::triangular(0.0, 0.0, m)),
        // PERT: min + 4·mode + max overflows → Beta(inf, inf) → NaN.
        ("pert(0, MAX/2, MAX)", Dist::pert(0.0, m / 2.0, m)),
        // Exponential: Exp1 · mean overflows (all draws at MAX, 1 in 6 at 1e308).
        ("exponential(MAX)", Dist::exponential(m)),
        ("exponential(1e308)", Dist::exponential(1e308)),
        // Lognormal: exp(μ + σ·z) overflows, from a large median or a huge p95/median ratio.
        ("lognormal(1e308, MAX)", Dist::lognormal(1e308, m)),
        ("lognormal(841343, MAX)", Dist::lognormal(841_343.0, m)),
    ];
    let mut bad = Vec::new();
    for (name, d) in cases {
        if let Ok(d) = d {
            let mut rng = stream_rng(1, 0, 0);
            if (0..1000)
                .map(|_| d.sample(&mut rng))
                .any(|x| !(x.is_finite() && x >= 0.0))
            {
                bad.push(name);
            }
        }
    }
    assert!(bad.is_empty(), "accepted but draw ±inf/NaN: {bad:?}");
}

/// `lognormal(1e-300, 1e300)` has p95 > median, but p95/median overflows to ∞ and the error
/// says the opposite of the truth ("p95 must be greater than the median").
#[test]
fn lognormal_overflowing_ratio_has_an_accurate_message() {
    for (median, p95) in [(1e-300, 1e300), (5e-324, 1.0)] {
        if let Err(e) = Dist::lognormal(median, p95) {
            assert!(
                !matches!(e, DistError::P95NotAboveMedian { .. }),
                "lognormal({median}, {p95}): {e}"
            );
        }
    }
}
