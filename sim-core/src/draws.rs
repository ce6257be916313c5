//! Draw accounting, for the sampling yardstick (`benches/simulate.rs`).
//!
//! In debug builds, while [`counting`] is on, every draw from a random stream is counted by
//! kind: each [`crate::dist::Dist::sample`] by distribution, each direct [`crate::dist::unit_f64`],
//! each standard exponential of the replication queue, and each stream created by
//! [`crate::rng::stream_rng`]. Release builds compile the counting out, so it costs the
//! simulator nothing; [`counts`] then returns `None`.

#[cfg(debug_assertions)]
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What was drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DrawKind {
    /// A stream created ([`crate::rng::stream_rng`]: SplitMix64 seeding of Xoshiro256++).
    Stream,
    /// A uniform in [0, 1) drawn directly ([`crate::dist::unit_f64`]).
    Unit,
    /// `Dist::Uniform`.
    Uniform,
    /// `Dist::Triangular`.
    Triangular,
    /// `Dist::Pert`.
    Pert,
    /// `Dist::Exponential`.
    Exponential,
    /// `Dist::LogNormal`.
    LogNormal,
    /// `Dist::Empirical`.
    Empirical,
    /// A standard exponential drawn directly (the replication queue).
    Exp1,
}

impl DrawKind {
    pub const ALL: [DrawKind; 9] = [
        DrawKind::Stream,
        DrawKind::Unit,
        DrawKind::Uniform,
        DrawKind::Triangular,
        DrawKind::Pert,
        DrawKind::Exponential,
        DrawKind::LogNormal,
        DrawKind::Empirical,
        DrawKind::Exp1,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DrawKind::Stream => "stream",
            DrawKind::Unit => "unit",
            DrawKind::Uniform => "uniform",
            DrawKind::Triangular => "triangular",
            DrawKind::Pert => "pert",
            DrawKind::Exponential => "exponential",
            DrawKind::LogNormal => "lognormal",
            DrawKind::Empirical => "empirical",
            DrawKind::Exp1 => "exp1",
        }
    }
}

#[cfg(debug_assertions)]
static ON: AtomicBool = AtomicBool::new(false);

#[cfg(debug_assertions)]
static COUNTS: [AtomicU64; 9] = [const { AtomicU64::new(0) }; 9];

/// Counts one draw of `kind` (debug builds, while counting is on).
#[inline(always)]
pub(crate) fn note(kind: DrawKind) {
    #[cfg(debug_assertions)]
    if ON.load(Ordering::Relaxed) {
        COUNTS[kind as usize].fetch_add(1, Ordering::Relaxed);
    }
    #[cfg(not(debug_assertions))]
    let _ = kind;
}

/// Turns counting on (from zero) or off. Counts are process-wide: count in a test binary of its
/// own, with nothing else drawing meanwhile.
pub fn counting(on: bool) {
    #[cfg(debug_assertions)]
    {
        if on {
            for c in &COUNTS {
                c.store(0, Ordering::Relaxed);
            }
        }
        ON.store(on, Ordering::Relaxed);
    }
    #[cfg(not(debug_assertions))]
    let _ = on;
}

/// Draws counted so far, indexed like [`DrawKind::ALL`]; `None` in release builds.
pub fn counts() -> Option<[u64; 9]> {
    #[cfg(debug_assertions)]
    {
        Some(std::array::from_fn(|i| COUNTS[i].load(Ordering::Relaxed)))
    }
    #[cfg(not(debug_assertions))]
    {
        None
    }
}
