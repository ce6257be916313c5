//! Fleets as order statistics: the quantile function of an instance's launch-to-up time,
//! tabulated once per list of phases, with a stated error bound in seconds.
//!
//! An instance whose first attempt succeeds is up `scale × S` after its launch slot, where
//! `S = Y₁ + … + Yₘ` is the sum of its phases (independent draws). When `M` instances share one
//! slot, the r-th earliest of them is up at `slot + scale × G⁻¹(U₍ᵣ₎)`, with `G` the CDF of `S`
//! and `U₍ᵣ₎ ~ Beta(r, M − r + 1)` the r-th smallest of `M` uniforms: one draw, whatever `M`.
//! [`SumQuantiles`] is that `G⁻¹`.
//!
//! # How `G⁻¹` is tabulated, and its error bound
//! Fixed phases add their exact sum. Each of the `m` random phases is put on a lattice of step
//! `h`: the pmf of `⌊Yᵢ/h⌋` comes from the phase's CDF, `P(⌊Y/h⌋ = j) = F((j+1)h) − F(jh)` (for
//! an empirical distribution, by counting its observations). The pmfs are convolved (directly when
//! short, by FFT with `rustfft` when long: its rounding moves the CDF by about 1e-16), which gives
//! the law of `K = Σ ⌊Yᵢ/h⌋`. Since `h·K ≤ S < h·K + m·h` for every draw (the coupling
//! of `S` with its floors), every quantile of `S` lies in `[h·Q_K(u), h·Q_K(u) + m·h]`. The table
//! interpolates linearly inside a lattice cell (so that `G⁻¹` is continuous), which places its
//! answer in `[h·Q_K(u), h·Q_K(u) + h]`, and adds `(m − 1)·h/2` (the mean of the fractional
//! parts, less the half-cell the interpolation already adds), so it is unbiased to first order and
//! `|table(u) − G⁻¹(u)| ≤ (m + 1)·h/2` for every `u`: [`SumQuantiles::error_bound`].
//!
//! An unbounded phase (exponential, lognormal) is cut at its `1 − 1e-12` quantile and the mass
//! beyond is put in its last cell. The cut only lowers draws, so the upper side of the bound
//! always holds, and the lower side holds for `u ≤ 1 − m·1e-12`: for a fleet of `M` instances, the
//! r-th earliest can fall beyond with probability at most `M·m·1e-12` (1e-7 at 10,000 instances
//! of the reference's three random phases), and then the table returns its last cell.
//!
//! The step is chosen so the bound is at most `min(1 s, σ_S / 100)` (σ_S the standard deviation
//! of `S`) with at most [`MAX_CELLS`] lattice cells in all; a list of phases that would need more
//! cells gets no table, and its fleets keep the exact per-instance path.

use std::sync::{Arc, Mutex};

use statrs::function::{beta::beta_reg, erf::erfc};

use crate::dist::{Dist, Z95};

/// The standard normal quantile at `1 − 1e-12` (where lognormal phases are cut).
const Z_CUT: f64 = 7.034_483_825_011_507;

/// Tail mass cut from each unbounded phase.
pub const TAIL_CUT: f64 = 1e-12;

/// The most lattice cells a table may take over all its random phases (2 MB of table; the FFT
/// of the longest convolution then takes a few tens of milliseconds, once per distinct list of
/// phases).
pub const MAX_CELLS: usize = 1 << 18;

/// The largest error bound aimed at, in seconds at scale 1.
pub const MAX_BOUND: f64 = 1.0;

/// The tabulated quantile function of a sum of phases. See the module docs for its bound.
pub struct SumQuantiles {
    /// Lattice step h.
    step: f64,
    /// Sum of the fixed phases, plus the lattice origin, plus the `(m − 1)·h/2` correction.
    offset: f64,
    /// `cdf[j] = P(K − origin ≤ j)`; the last entry is 1.
    cdf: Vec<f64>,
    /// `(m + 1)·h/2`, 0 when every phase is fixed.
    bound: f64,
    /// Random phases.
    random: usize,
}

impl std::fmt::Debug for SumQuantiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SumQuantiles")
            .field("step", &self.step)
            .field("offset", &self.offset)
            .field("cells", &self.cdf.len())
            .field("bound", &self.bound)
            .finish()
    }
}

/// The phases that vary, and the sum of those that do not.
fn split(phases: &[Dist]) -> (Vec<&Dist>, f64) {
    let random = phases.iter().filter(|p| !is_constant(p)).collect();
    let fixed = phases
        .iter()
        .filter(|p| is_constant(p))
        .map(Dist::min_value)
        .sum();
    (random, fixed)
}

impl SumQuantiles {
    /// The table for the sum of `phases`, with the bound `min(1 s, σ_S/100)`; None if that needs
    /// more than [`MAX_CELLS`] cells.
    pub fn new(phases: &[Dist]) -> Option<Self> {
        let (random, fixed) = split(phases);
        let m = random.len();
        if m == 0 {
            return Some(SumQuantiles {
                step: 0.0,
                offset: fixed,
                cdf: vec![1.0],
                bound: 0.0,
                random: 0,
            });
        }
        let sd = random.iter().map(|p| variance(p)).sum::<f64>().sqrt();
        let target = MAX_BOUND.min(sd / 100.0);
        Self::with_bound(phases, target)
    }

    /// The table for `phases` with an error bound of at most `bound` seconds (> 0); None if that
    /// needs more than [`MAX_CELLS`] cells.
    pub fn with_bound(phases: &[Dist], bound: f64) -> Option<Self> {
        let (random, fixed) = split(phases);
        let m = random.len();
        if !(bound.is_finite() && bound > 0.0) {
            return None;
        }
        let step = 2.0 * bound / (m as f64 + 1.0);
        let mut cells = 0.0;
        for p in &random {
            cells += (upper_cut(p) / step).floor() - (p.min_value() / step).floor() + 1.0;
        }
        if cells.is_nan() || cells > MAX_CELLS as f64 {
            return None;
        }
        let mut pmf = vec![1.0];
        let mut origin = 0.0;
        let mut order: Vec<(Vec<f64>, f64)> = random.iter().map(|p| lattice(p, step)).collect();
        order.sort_by_key(|(p, _)| p.len());
        for (phase, first) in order {
            pmf = convolve(&pmf, &phase);
            origin += first;
        }
        let mut cdf = Vec::with_capacity(pmf.len());
        let mut total = 0.0;
        for p in pmf {
            total += p;
            cdf.push(total);
        }
        // The masses sum to 1 up to rounding: make the last entry exactly 1.
        let last = cdf.len() - 1;
        for c in &mut cdf {
            *c = (*c / total).min(1.0);
        }
        cdf[last] = 1.0;
        Some(SumQuantiles {
            step,
            offset: fixed + origin * step + (m as f64 - 1.0) * step / 2.0,
            cdf,
            bound: (m as f64 + 1.0) * step / 2.0,
            random: m,
        })
    }

    /// `G⁻¹(u)` for `u` in `[0, 1]`, within [`SumQuantiles::error_bound`] seconds of the exact
    /// quantile (for `u ≤ 1 − m·1e-12`).
    #[inline]
    pub fn quantile(&self, u: f64) -> f64 {
        if self.random == 0 {
            return self.offset;
        }
        let j = self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1);
        let below = if j == 0 { 0.0 } else { self.cdf[j - 1] };
        let width = self.cdf[j] - below;
        let frac = if width > 0.0 {
            ((u - below) / width).clamp(0.0, 1.0)
        } else {
            1.0
        };
        (self.offset + (j as f64 + frac) * self.step).max(0.0)
    }

    /// The largest gap between [`SumQuantiles::quantile`] and the exact quantile, in seconds
    /// (at scale 1): `(m + 1)·h/2`.
    pub fn error_bound(&self) -> f64 {
        self.bound
    }

    /// The lattice step h, in seconds.
    pub fn step(&self) -> f64 {
        self.step
    }

    /// The number of lattice cells of the sum.
    pub fn cells(&self) -> usize {
        self.cdf.len()
    }
}

/// Whether every draw of `p` is the same value.
fn is_constant(p: &Dist) -> bool {
    match p {
        Dist::Fixed(_) => true,
        Dist::Uniform { low, high } => low == high,
        Dist::Empirical(obs) => obs.iter().all(|&x| x == obs[0]),
        _ => false,
    }
}

fn lognormal_sigma(median: f64, p95: f64) -> f64 {
    (p95 / median).ln() / Z95
}

fn pert_shape(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let range = max - min;
    (
        1.0 + 4.0 * (mode - min) / range,
        1.0 + 4.0 * (max - mode) / range,
    )
}

fn variance(p: &Dist) -> f64 {
    match p {
        Dist::Fixed(_) => 0.0,
        Dist::Uniform { low, high } => (high - low).powi(2) / 12.0,
        Dist::Triangular { min, mode, max, .. } => {
            (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0
        }
        Dist::Pert { min, mode, max, .. } => {
            let (a, b) = pert_shape(*min, *mode, *max);
            a * b / ((a + b).powi(2) * (a + b + 1.0)) * (max - min).powi(2)
        }
        Dist::Exponential { mean, .. } => mean * mean,
        Dist::LogNormal { median, p95, .. } => {
            let s2 = lognormal_sigma(*median, *p95).powi(2);
            median * median * s2.exp() * s2.exp_m1()
        }
        Dist::Empirical(obs) => {
            let n = obs.len() as f64;
            let mean = obs.iter().sum::<f64>() / n;
            obs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n
        }
    }
}

/// The largest value kept on the lattice: the maximum, or the `1 − 1e-12` quantile.
fn upper_cut(p: &Dist) -> f64 {
    match p {
        Dist::Fixed(v) => *v,
        Dist::Uniform { high, .. } => *high,
        Dist::Triangular { max, .. } | Dist::Pert { max, .. } => *max,
        Dist::Exponential { mean, .. } => mean * -TAIL_CUT.ln(),
        Dist::LogNormal { median, p95, .. } => {
            median * (lognormal_sigma(*median, *p95) * Z_CUT).exp()
        }
        Dist::Empirical(obs) => obs.iter().copied().fold(0.0, f64::max),
    }
}

/// `P(Y ≤ x)` of a continuous phase.
fn cdf(p: &Dist, x: f64) -> f64 {
    match p {
        Dist::Fixed(v) => f64::from(u8::from(x >= *v)),
        Dist::Uniform { low, high } => ((x - low) / (high - low)).clamp(0.0, 1.0),
        Dist::Triangular { min, mode, max, .. } => {
            if x <= *min {
                0.0
            } else if x >= *max {
                1.0
            } else if x <= *mode {
                (x - min).powi(2) / ((max - min) * (mode - min))
            } else {
                1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
            }
        }
        Dist::Pert { min, mode, max, .. } => {
            let (a, b) = pert_shape(*min, *mode, *max);
            beta_reg(a, b, ((x - min) / (max - min)).clamp(0.0, 1.0))
        }
        Dist::Exponential { mean, .. } => {
            if x <= 0.0 {
                0.0
            } else {
                -(-x / mean).exp_m1()
            }
        }
        Dist::LogNormal { median, p95, .. } => {
            if x <= 0.0 {
                0.0
            } else {
                let z = (x / median).ln() / lognormal_sigma(*median, *p95);
                0.5 * erfc(-z / std::f64::consts::SQRT_2)
            }
        }
        Dist::Empirical(obs) => obs.iter().filter(|&&o| o <= x).count() as f64 / obs.len() as f64,
    }
}

/// The pmf of `⌊Y/h⌋` from its first possible cell to the cell of the upper cut (which also
/// takes the mass beyond), and that first cell's index.
fn lattice(p: &Dist, h: f64) -> (Vec<f64>, f64) {
    let first = (p.min_value() / h).floor();
    let last = (upper_cut(p) / h).floor();
    let len = (last - first) as usize + 1;
    let mut pmf = vec![0.0; len];
    if let Dist::Empirical(obs) = p {
        let share = 1.0 / obs.len() as f64;
        for &x in obs.iter() {
            let j = ((x / h).floor() - first) as usize;
            pmf[j.min(len - 1)] += share;
        }
        return (pmf, first);
    }
    let mut below = 0.0;
    for (j, cell) in pmf.iter_mut().enumerate() {
        let upper = if j + 1 == len {
            1.0
        } else {
            cdf(p, (first + j as f64 + 1.0) * h)
        };
        *cell = (upper - below).max(0.0);
        below = below.max(upper);
    }
    (pmf, first)
}

/// Pairs of cells up to which two pmfs are convolved directly; longer ones go through an FFT.
const DIRECT_PAIRS: usize = 1 << 22;

/// The convolution of two pmfs: directly (exact up to the rounding of each sum) when short, else
/// by FFT, whose rounding errors (about 1e-16 times log₂ of the length per cell) are clamped at 0
/// and renormalised by the caller; `tests::fft_matches_the_direct_convolution` bounds them.
fn convolve(a: &[f64], b: &[f64]) -> Vec<f64> {
    if a.len().saturating_mul(b.len()) <= DIRECT_PAIRS {
        convolve_direct(a, b)
    } else {
        convolve_fft(a, b)
    }
}

fn convolve_direct(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (i, &x) in a.iter().enumerate() {
        if x == 0.0 {
            continue;
        }
        for (o, &y) in out[i..i + b.len()].iter_mut().zip(b) {
            *o += x * y;
        }
    }
    out
}

fn convolve_fft(a: &[f64], b: &[f64]) -> Vec<f64> {
    use rustfft::FftPlanner;
    use rustfft::num_complex::Complex;
    let len = a.len() + b.len() - 1;
    let n = len.next_power_of_two();
    // One complex transform of a + i·b gives both spectra.
    let mut z = vec![Complex::new(0.0, 0.0); n];
    for (c, &x) in z.iter_mut().zip(a) {
        c.re = x;
    }
    for (c, &y) in z.iter_mut().zip(b) {
        c.im = y;
    }
    let mut planner = FftPlanner::<f64>::new();
    planner.plan_fft_forward(n).process(&mut z);
    // A_k = (Z_k + conj Z_{n−k}) / 2, B_k = (Z_k − conj Z_{n−k}) / 2i; C_k = A_k · B_k.
    let mut c: Vec<Complex<f64>> = (0..n)
        .map(|k| {
            let (zk, wk) = (z[k], z[(n - k) % n].conj());
            let a = (zk + wk) * 0.5;
            let b = (zk - wk) * Complex::new(0.0, -0.5);
            a * b
        })
        .collect();
    planner.plan_fft_inverse(n).process(&mut c);
    let scale = 1.0 / n as f64;
    c.iter()
        .take(len)
        .map(|c| (c.re * scale).max(0.0))
        .collect()
}

/// A key that tells lists of phases apart: each phase's kind and parameters, bit for bit.
fn key(phases: &[Dist]) -> Vec<u64> {
    let mut k = Vec::new();
    for p in phases {
        match p {
            Dist::Fixed(v) => k.extend([0, v.to_bits()]),
            Dist::Uniform { low, high } => k.extend([1, low.to_bits(), high.to_bits()]),
            Dist::Triangular { min, mode, max, .. } => {
                k.extend([2, min.to_bits(), mode.to_bits(), max.to_bits()]);
            }
            Dist::Pert { min, mode, max, .. } => {
                k.extend([3, min.to_bits(), mode.to_bits(), max.to_bits()]);
            }
            Dist::Exponential { mean, .. } => k.extend([4, mean.to_bits()]),
            Dist::LogNormal { median, p95, .. } => {
                k.extend([5, median.to_bits(), p95.to_bits()]);
            }
            Dist::Empirical(obs) => {
                k.extend([6, obs.len() as u64]);
                k.extend(obs.iter().map(|x| x.to_bits()));
            }
        }
    }
    k
}

/// Tables built so far, shared by every runbook of the process (a `plan` builds many runbooks
/// with the same phases). Holds at most [`CACHE_SIZE`] tables; the oldest goes first.
type Cache = Vec<(Vec<u64>, Option<Arc<SumQuantiles>>)>;
static CACHE: Mutex<Cache> = Mutex::new(Vec::new());
const CACHE_SIZE: usize = 16;

/// The table of `phases` ([`SumQuantiles::new`]), built once per distinct list of phases.
pub fn shared(phases: &[Dist]) -> Option<Arc<SumQuantiles>> {
    let key = key(phases);
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, table)) = cache.iter().find(|(k, _)| *k == key) {
        return table.clone();
    }
    let table = SumQuantiles::new(phases).map(Arc::new);
    if cache.len() == CACHE_SIZE {
        cache.remove(0);
    }
    cache.push((key, table.clone()));
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_cut_is_the_normal_quantile_at_one_minus_the_tail_cut() {
        let tail = 0.5 * erfc(Z_CUT / std::f64::consts::SQRT_2);
        assert!((tail / TAIL_CUT - 1.0).abs() < 1e-6, "tail {tail}");
    }

    #[test]
    fn constant_phases_are_exact() {
        let phases = [
            Dist::fixed(3.0).expect("dist"),
            Dist::fixed(7.5).expect("dist"),
        ];
        let t = SumQuantiles::new(&phases).expect("table");
        assert_eq!(t.error_bound(), 0.0);
        for u in [0.0, 0.3, 1.0] {
            assert_eq!(t.quantile(u), 10.5);
        }
    }

    /// The FFT agrees with the exact convolution to 1e-15 per cell, and its cumulative sums to
    /// 1e-13, on pmfs like the reference's phases (a long lognormal tail).
    #[test]
    fn fft_matches_the_direct_convolution() {
        let h = 2.0;
        let (a, _) = lattice(&Dist::lognormal(20.0, 60.0).expect("dist"), h);
        let (b, _) = lattice(&Dist::lognormal(90.0, 300.0).expect("dist"), h);
        let exact = convolve_direct(&a, &b);
        let fast = convolve_fft(&a, &b);
        assert_eq!(exact.len(), fast.len());
        let (mut cell, mut cumulative, mut ce, mut cf) = (0.0f64, 0.0f64, 0.0, 0.0);
        for (e, f) in exact.iter().zip(&fast) {
            cell = cell.max((e - f).abs());
            ce += e;
            cf += f;
            cumulative = cumulative.max((ce - cf).abs());
        }
        println!("FFT against direct: {cell:e} per cell, {cumulative:e} in the CDF");
        assert!(cell < 1e-15, "largest error in a cell {cell:e}");
        assert!(
            cumulative < 1e-13,
            "largest error in the CDF {cumulative:e}"
        );
    }

    #[test]
    fn convolution_keeps_mass() {
        let out = convolve(&[0.25, 0.75], &[0.5, 0.0, 0.5]);
        assert_eq!(out, vec![0.125, 0.375, 0.125, 0.375]);
    }
}
