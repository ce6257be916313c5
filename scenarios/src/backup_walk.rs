//! The newest usable backup, found without walking every backup.
//!
//! Backups start every `interval`; backup j (0 = the latest) started `phase + j × interval`
//! seconds before the disaster. It is usable when it did not fail (probability `p` each,
//! independently), is at least `cutoff` old (taken before the corruption), and was ready —
//! finished, and copied to the recovery region when that is asked — before the disaster:
//! `duration (+ copy delay) ≤ age`.
//!
//! A walk over every backup takes `retention / interval` steps when backups keep failing or
//! the cutoff is far back (a 1 ms interval hung). This finds the same backup in distribution
//! with work that does not depend on `retention / interval`:
//! - no backup younger than `max(cutoff, smallest possible ready time)` can qualify, so the
//!   search starts at the first one at least that old, computed directly;
//! - the number of failed backups before the next one that did not fail is geometric, drawn
//!   once by inversion (`⌊ln U / ln p⌋`) instead of one draw per backup;
//! - only a backup that did not fail draws its ready time; it is refused while younger than
//!   that draw. The expected number of such refusals is at most
//!   `mean ready time / interval`, which `limits::MAX_BACKUPS_IN_FLIGHT` bounds.
//!
//! Backups are independent, so skipping the draws of those that cannot qualify does not change
//! the distribution of the age returned (tested against the plain walk below).

use rand::Rng;
use sim_core::dist::{Dist, unit_f64};

/// The backup schedule as the search sees it.
pub struct Schedule<'a> {
    pub interval: f64,
    pub retention: f64,
    pub failure_probability: f64,
    pub duration: &'a Dist,
    /// `None` when the backup need not have reached the recovery region.
    pub copy_delay: Option<&'a Dist>,
}

/// Age of the newest usable backup, or `None` when none within retention qualifies.
pub fn newest_usable<R: Rng + ?Sized>(
    schedule: &Schedule<'_>,
    rng: &mut R,
    phase: f64,
    cutoff: f64,
) -> Option<f64> {
    let interval = schedule.interval;
    if !(interval > 0.0 && interval.is_finite()) {
        return None;
    }
    let age = |j: f64| phase + j * interval;
    let min_ready =
        schedule.duration.min_value() + schedule.copy_delay.map_or(0.0, Dist::min_value);
    let floor = cutoff.max(min_ready);
    // First j with age(j) ≥ floor, corrected for rounding.
    let mut j = ((floor - phase) / interval).ceil().max(0.0);
    while j > 0.0 && age(j - 1.0) >= floor {
        j -= 1.0;
    }
    while age(j) < floor {
        j += 1.0;
    }
    let p = schedule.failure_probability;
    let ln_p = if p > 0.0 { p.ln() } else { 0.0 };
    loop {
        if p > 0.0 {
            // Failed backups before the next good one: Geometric(1 − p) on {0, 1, …}.
            let u = 1.0 - unit_f64(rng); // (0, 1]
            let skipped = (u.ln() / ln_p).floor();
            if !skipped.is_finite() {
                return None;
            }
            j += skipped;
        }
        let a = age(j);
        if a > schedule.retention {
            return None;
        }
        let ready =
            schedule.duration.sample(rng) + schedule.copy_delay.map_or(0.0, |c| c.sample(rng));
        if ready <= a {
            return Some(a);
        }
        j += 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::rng::stream_rng;

    /// The plain walk over every backup (the definition).
    fn walk(s: &Schedule<'_>, rng: &mut impl Rng, phase: f64, cutoff: f64) -> Option<f64> {
        let mut a = phase;
        while a <= s.retention {
            let failed = unit_f64(rng) < s.failure_probability;
            let ready = s.duration.sample(rng) + s.copy_delay.map_or(0.0, |c| c.sample(rng));
            if !failed && a >= cutoff && ready <= a {
                return Some(a);
            }
            a += s.interval;
        }
        None
    }

    /// Histogram of the index of the backup found (None in the last bin).
    fn histogram(
        s: &Schedule<'_>,
        find: impl Fn(&mut sim_core::rng::SimRng, f64, f64) -> Option<f64>,
        bins: usize,
        n: u64,
        stream: u64,
    ) -> Vec<u64> {
        let mut h = vec![0u64; bins + 1];
        for trial in 0..n {
            let mut rng = stream_rng(7, trial, stream);
            let phase = unit_f64(&mut rng) * s.interval;
            let cutoff = unit_f64(&mut rng) * 3.0 * s.interval;
            let bin = match find(&mut rng, phase, cutoff) {
                Some(a) => (((a - phase) / s.interval).round() as usize).min(bins - 1),
                None => bins,
            };
            h[bin] += 1;
        }
        h
    }

    /// Two-sample chi-square statistic over bins with enough counts, and its degrees of freedom.
    fn chi_square(a: &[u64], b: &[u64]) -> (f64, usize) {
        let (na, nb) = (a.iter().sum::<u64>() as f64, b.iter().sum::<u64>() as f64);
        let (ka, kb) = ((nb / na).sqrt(), (na / nb).sqrt());
        let mut stat = 0.0;
        let mut df = 0usize;
        for (x, y) in a.iter().zip(b) {
            let (x, y) = (*x as f64, *y as f64);
            if x + y >= 20.0 {
                stat += (ka * x - kb * y).powi(2) / (x + y);
                df += 1;
            }
        }
        (stat, df.saturating_sub(1))
    }

    #[test]
    fn same_distribution_as_the_walk() {
        let duration = Dist::uniform(600.0, 9_000.0).expect("valid");
        let copy = Dist::exponential(1_800.0).expect("valid");
        for (p, copied) in [(0.0, false), (0.05, true), (0.5, true), (0.9, false)] {
            let s = Schedule {
                interval: 3_600.0,
                retention: 40.0 * 3_600.0,
                failure_probability: p,
                duration: &duration,
                copy_delay: copied.then_some(&copy),
            };
            let n = 40_000;
            let fast = histogram(&s, |r, ph, c| newest_usable(&s, r, ph, c), 48, n, 1);
            let slow = histogram(&s, |r, ph, c| walk(&s, r, ph, c), 48, n, 2);
            let (stat, df) = chi_square(&fast, &slow);
            // 99.99th percentile of chi-square is below df + 6 sqrt(2 df) + 10 for these df.
            let bound = df as f64 + 6.0 * (2.0 * df as f64).sqrt() + 10.0;
            assert!(
                stat < bound,
                "p = {p}, copied = {copied}: chi-square {stat:.1} on {df} df (bound {bound:.1})\nfast {fast:?}\nslow {slow:?}"
            );
        }
    }

    #[test]
    fn geometric_closed_form() {
        // Ready at once, no cutoff: the age is phase + G × interval with G ~ Geometric(1 − p).
        let zero = Dist::fixed(0.0).expect("valid");
        let s = Schedule {
            interval: 60.0,
            retention: 1e9,
            failure_probability: 0.75,
            duration: &zero,
            copy_delay: None,
        };
        let n = 200_000u64;
        let mut counts = [0u64; 4];
        for trial in 0..n {
            let mut rng = stream_rng(3, trial, 0);
            let a = newest_usable(&s, &mut rng, 10.0, 0.0).expect("found");
            let k = ((a - 10.0) / 60.0).round() as usize;
            if k < 4 {
                counts[k] += 1;
            }
        }
        for (k, c) in counts.iter().enumerate() {
            let expected = 0.75f64.powi(k as i32) * 0.25;
            let got = *c as f64 / n as f64;
            let se = (expected * (1.0 - expected) / n as f64).sqrt();
            assert!(
                (got - expected).abs() < 5.0 * se,
                "P(G = {k}) = {got}, expected {expected}"
            );
        }
    }

    #[test]
    fn tiny_interval_long_cutoff_is_constant_time() {
        // 1 ms backups kept 35 days, a corruption found 30 days later, every backup 99.9 %
        // likely to fail: the walk would take billions of steps.
        let d = Dist::lognormal(600.0, 1_800.0).expect("valid");
        let s = Schedule {
            interval: 1e-3,
            retention: 35.0 * 86_400.0,
            failure_probability: 0.999,
            duration: &d,
            copy_delay: Some(&d),
        };
        let mut rng = stream_rng(1, 0, 0);
        let a = newest_usable(&s, &mut rng, 0.0, 30.0 * 86_400.0).expect("found");
        assert!(
            (30.0 * 86_400.0..30.0 * 86_400.0 + 3_600.0).contains(&a),
            "{a}"
        );
    }

    #[test]
    fn nothing_within_retention() {
        let d = Dist::fixed(100.0).expect("valid");
        let s = Schedule {
            interval: 3_600.0,
            retention: 7_200.0,
            failure_probability: 0.0,
            duration: &d,
            copy_delay: None,
        };
        let mut rng = stream_rng(1, 0, 0);
        assert_eq!(newest_usable(&s, &mut rng, 50.0, 10_000.0), None);
        assert_eq!(newest_usable(&s, &mut rng, 50.0, 0.0), Some(3_650.0));
        assert_eq!(newest_usable(&s, &mut rng, 500.0, 0.0), Some(500.0));
    }
}
