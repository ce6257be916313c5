//! The sampling yardstick: a kernel that makes the draws the reference scenario makes per
//! trial — as many, of the same kinds, from the same generator (`sim_core::rng::stream_rng`,
//! Xoshiro256++) and through the same distributions (`Dist::sample`) — and nothing else. It is
//! the floor a Monte Carlo simulator of this scenario cannot go below; `benches/simulate.rs`
//! times it in the same run as the simulator, and `docs/performance.md` gives the ratio.
//!
//! The mix below was counted by `tests/yardstick_mix.rs` (debug builds count every draw by kind,
//! see `sim_core::draws`), which fails when the reference's draws move away from it.

// Each user of this module (a bench, a test) uses part of it.
#![allow(dead_code)]

use sim_core::dist::{Dist, unit_f64};
use sim_core::draws::DrawKind;
use sim_core::rng::stream_rng;

/// Mean draws per trial of the embedded reference scenario (seed 1, trials 0..3,000), by kind,
/// in the order of `DrawKind::ALL`: streams created, direct uniforms, then one entry per
/// distribution (uniform, triangular, pert, exponential, lognormal, empirical), then standard
/// exponentials.
pub const REFERENCE_DRAWS_PER_TRIAL: [f64; 9] =
    [3.870, 17.698, 7.725, 0.0, 0.0, 0.0, 51.565, 0.0, 0.668];

/// Trials and seed the mix was counted over.
pub const COUNTED_TRIALS: u64 = 3_000;
pub const COUNTED_SEED: u64 = 1;

/// A distribution of each kind, as the reference uses them (a lognormal of its fleets' phases,
/// a uniform retry delay, …); the kinds the reference does not use get typical parameters.
fn representative(kind: DrawKind) -> Option<Dist> {
    match kind {
        DrawKind::Stream | DrawKind::Unit => None,
        DrawKind::Uniform => Dist::uniform(10.0, 60.0).ok(),
        DrawKind::Triangular => Dist::triangular(60.0, 120.0, 540.0).ok(),
        DrawKind::Pert => Dist::pert(60.0, 120.0, 540.0).ok(),
        DrawKind::Exponential => Dist::exponential(600.0).ok(),
        DrawKind::LogNormal => Dist::lognormal(15.0, 45.0).ok(),
        DrawKind::Empirical => Dist::empirical(&[41.0, 38.0, 95.0]).ok(),
        // A standard exponential (the replication queue draws `Exp1` directly; `Exp` is the
        // same draw and one multiplication).
        DrawKind::Exp1 => Dist::exponential(1.0).ok(),
    }
}

/// The kernel: trial i makes ⌊(i+1)·m⌋ − ⌊i·m⌋ draws of a kind with mean m per trial (so
/// exactly m per trial on average), from streams created as the simulator creates them.
pub struct Kernel {
    per_trial: [f64; 9],
    dists: Vec<(usize, Dist)>,
}

impl Kernel {
    pub fn new(per_trial: &[f64; 9]) -> Kernel {
        let dists = DrawKind::ALL
            .iter()
            .enumerate()
            .filter(|&(k, _)| per_trial[k] > 0.0)
            .filter_map(|(k, &kind)| representative(kind).map(|d| (k, d)))
            .collect();
        Kernel {
            per_trial: *per_trial,
            dists,
        }
    }

    /// Trial `i`'s draws; returns their sum (to be kept from the optimiser).
    #[inline]
    pub fn trial(&self, seed: u64, i: u64) -> f64 {
        let share = |m: f64| ((i + 1) as f64 * m).floor() as u64 - (i as f64 * m).floor() as u64;
        let streams = share(self.per_trial[DrawKind::Stream as usize]).max(1);
        let mut rng = stream_rng(seed, i, 0);
        for s in 1..streams {
            rng = stream_rng(seed, i, s);
        }
        let mut sum = 0.0;
        for _ in 0..share(self.per_trial[DrawKind::Unit as usize]) {
            sum += unit_f64(&mut rng);
        }
        for (k, dist) in &self.dists {
            for _ in 0..share(self.per_trial[*k]) {
                sum += dist.sample(&mut rng);
            }
        }
        sum
    }
}

/// The kernel over trials `range`: the sum of their draws.
pub fn kernel(seed: u64, range: std::ops::Range<u64>, per_trial: &[f64; 9]) -> f64 {
    let k = Kernel::new(per_trial);
    range.map(|i| k.trial(seed, i)).sum()
}
