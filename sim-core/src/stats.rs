//! Mergeable accumulators and their summaries.
//!
//! Every statistic here is a monoid: it has an empty value (`new` / `Default`), a way to add one
//! observation (`record`) and a way to combine two accumulators (`merge`). All counts and sums are
//! exact integers (sums in `u128`), and histogram bins are integer counts, so merging the same
//! observations in any grouping or order gives bit-identical content. Everything derived from an
//! accumulator (mean, standard deviation, quantiles, intervals) is a pure function of that
//! content. This is how the simulator stays byte-identical at any thread count: each chunk of
//! trials fills its own accumulators, and the chunks are merged afterwards.
//!
//! - [`Tally`]: distribution of non-negative integer values (drsim records milliseconds), with
//!   quantiles from an HDR histogram (3 significant digits) and exact count, sum, sum of squares,
//!   minimum and maximum;
//! - [`Proportion`]: successes out of trials, with a Wilson score interval;
//! - [`Total`]: exact integer sum and count of contributions in integer ticks.
//!
//! Arithmetic saturates instead of overflowing. Saturating addition of unsigned integers equals
//! `min(true sum, MAX)` whatever the order, so even a saturated accumulator merges
//! deterministically, and nothing here panics.
//!
//! ```
//! use sim_core::stats::{Proportion, Tally, Z_95};
//!
//! // Two shards of trials, recorded separately (e.g. on two threads)…
//! let mut a = Tally::new();
//! let mut b = Tally::new();
//! for ms in 1..=500 {
//!     a.record(ms);
//! }
//! for ms in 501..=1000 {
//!     b.record(ms);
//! }
//! // …then merged: the result is the same as recording everything in one tally.
//! a.merge(&b);
//! let mut sequential = Tally::new();
//! for ms in 1..=1000 {
//!     sequential.record(ms);
//! }
//! assert!(a.same_as(&sequential));
//!
//! let s = a.summary();
//! assert_eq!(s.count, 1000);
//! assert_eq!(s.mean, 500.5);
//! assert_eq!(s.max, 1000.0);
//! assert!((s.p95 - 950.0).abs() <= 1.0);
//!
//! let mut within_rto = Proportion::default();
//! for ms in 1..=1000 {
//!     within_rto.record(ms <= 900);
//! }
//! let (lo, hi) = within_rto.wilson(Z_95);
//! assert!(lo < 0.9 && 0.9 < hi);
//! ```

use hdrhistogram::Histogram;
use hdrhistogram::serialization::Serializer as _;

/// The two-sided 95 % standard normal quantile, z such that P(|Z| ≤ z) = 0.95.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// `x.round().max(0.0) as u64` (rounding half away from zero, clamped at 0; NaN gives 0),
/// without a call to the C library's or the compiler's software `round` (the baseline x86-64
/// has no rounding instruction): for `x ≥ 0` below 2^52, `x − trunc(x)` is exact, so
/// comparing it with ½ rounds as `round` does; from 2^52 up every `f64` is a whole number.
///
/// Below 2^52 (every figure in practice) the conversions go through `i64`, which the processor
/// converts in one instruction each way (`u64` takes several).
#[inline]
pub fn round_u64(x: f64) -> u64 {
    const EXACT: f64 = 4_503_599_627_370_496.0; // 2^52
    let x = x.max(0.0);
    if x < EXACT {
        let whole = x as i64;
        return (whole + i64::from(x - whole as f64 >= 0.5)) as u64;
    }
    let whole = x as u64;
    whole.saturating_add(u64::from(x - whole as f64 >= 0.5))
}

/// Seconds as the whole milliseconds drsim records: `(seconds × 1000).round()`, clamped at 0.
#[inline]
pub fn millis(seconds: f64) -> u64 {
    round_u64(seconds * 1000.0)
}

/// Significant decimal digits kept by a [`Tally`]'s histogram: relative error ≤ 0.1 %.
const SIGFIG: u8 = 3;

/// Distribution of non-negative integer values (the caller picks the unit; drsim records
/// milliseconds).
///
/// An HDR histogram with 3 significant digits (relative error ≤ 0.1 %), auto-resizing so that
/// memory follows the largest value recorded, plus exact count, sum (`u128`), sum of squares
/// (`u128`), minimum and maximum. The mean and standard deviation come from the exact sums;
/// quantiles come from the histogram and are clamped to the exact `[min, max]`.
///
/// The histogram is allocated on the first recorded value, so an empty tally is cheap to create
/// and to merge. `Debug` shows the exact fields and only the non-empty bins, as
/// `(highest value of the bin, count)`.
#[derive(Clone)]
pub struct Tally {
    /// `None` exactly when nothing has been recorded.
    hist: Option<Histogram<u64>>,
    count: u64,
    sum: u128,
    sum_sq: u128,
    /// `u64::MAX` when empty.
    min: u64,
    /// `0` when empty.
    max: u64,
}

impl std::fmt::Debug for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bins: Vec<(u64, u64)> = self
            .hist
            .iter()
            .flat_map(|h| h.iter_recorded())
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect();
        f.debug_struct("Tally")
            .field("count", &self.count)
            .field("sum", &self.sum)
            .field("sum_sq", &self.sum_sq)
            .field("min", &self.min())
            .field("max", &self.max)
            .field("bins", &bins)
            .finish()
    }
}

impl Default for Tally {
    fn default() -> Self {
        Self::new()
    }
}

/// A new empty auto-resizing histogram.
///
/// `Histogram::new(3)` only fails for invalid bounds or more than 5 significant digits, neither
/// of which can happen here. Should it ever fail anyway, the tally keeps its exact moments and
/// reports histogram-derived values (quantiles) from its exact minimum and maximum only; nothing
/// panics.
fn new_histogram() -> Option<Histogram<u64>> {
    Histogram::<u64>::new(SIGFIG).ok()
}

/// Records `count` copies of `value`, resizing the histogram if needed; if the value cannot be
/// tracked even after resizing, it is clamped to the histogram's range instead of failing.
fn hist_record_n(hist: &mut Histogram<u64>, value: u64, count: u64) {
    if hist.record_n(value, count).is_err() {
        hist.saturating_record_n(value, count);
    }
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Self {
        Tally {
            hist: None,
            count: 0,
            sum: 0,
            sum_sq: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    /// Records one value. Never panics: sums saturate (far beyond any realistic use), and a value
    /// beyond what the histogram can ever track is clamped into its range for quantiles (the
    /// exact moments, minimum and maximum still see the true value).
    pub fn record(&mut self, value: u64) {
        if self.hist.is_none() {
            self.hist = new_histogram();
        }
        if let Some(hist) = self.hist.as_mut() {
            hist_record_n(hist, value, 1);
        }
        let v = u128::from(value);
        self.count = self.count.saturating_add(1);
        self.sum = self.sum.saturating_add(v);
        // (2^64 − 1)^2 < 2^128: the square itself never overflows.
        self.sum_sq = self.sum_sq.saturating_add(v * v);
        self.min = self.min.min(value);
        self.max = self.max.max(value);
    }

    /// Records each of `values`, as that many calls of [`Tally::record`] would (the content is
    /// the same whatever the order), keeping the exact sums in registers over the batch.
    pub fn record_all(&mut self, values: impl IntoIterator<Item = u64>) {
        let mut values = values.into_iter().peekable();
        if values.peek().is_none() {
            return;
        }
        if self.hist.is_none() {
            self.hist = new_histogram();
        }
        let (mut count, mut sum, mut sum_sq) = (self.count, self.sum, self.sum_sq);
        let (mut min, mut max) = (self.min, self.max);
        // Equal values in a row (a figure that is often 0, say) go to the histogram together.
        let mut run = (0, 0);
        for value in values {
            if value != run.0 || run.1 == 0 {
                if let (Some(hist), true) = (self.hist.as_mut(), run.1 > 0) {
                    hist_record_n(hist, run.0, run.1);
                }
                run = (value, 0);
            }
            run.1 += 1;
            let v = u128::from(value);
            count = count.saturating_add(1);
            sum = sum.saturating_add(v);
            sum_sq = sum_sq.saturating_add(v * v);
            min = min.min(value);
            max = max.max(value);
        }
        if let Some(hist) = self.hist.as_mut() {
            hist_record_n(hist, run.0, run.1);
        }
        (self.count, self.sum, self.sum_sq) = (count, sum, sum_sq);
        (self.min, self.max) = (min, max);
    }

    /// [`Tally::record_all`] of values held as `u32` (the simulators hold their figures in
    /// milliseconds below 2³²): the batch's sums and sums of squares are kept unsaturated
    /// (below 2¹²⁸ for any slice) and added once, the same tally in fewer instructions.
    pub fn record_all_u32(&mut self, values: &[u32]) {
        let Some(&first) = values.first() else {
            return;
        };
        if self.hist.is_none() {
            self.hist = new_histogram();
        }
        let (mut sum, mut sum_sq) = (0u128, 0u128);
        let (mut min, mut max) = (u32::MAX, 0u32);
        // Equal values in a row go to the histogram together.
        let mut run = (first, 0u64);
        for &value in values {
            if value != run.0 {
                if let Some(hist) = self.hist.as_mut() {
                    hist_record_n(hist, u64::from(run.0), run.1);
                }
                run = (value, 0);
            }
            run.1 += 1;
            let v = u64::from(value);
            sum += u128::from(v);
            sum_sq += u128::from(v * v);
            min = min.min(value);
            max = max.max(value);
        }
        if let Some(hist) = self.hist.as_mut() {
            hist_record_n(hist, u64::from(run.0), run.1);
        }
        self.count = self.count.saturating_add(values.len() as u64);
        self.sum = self.sum.saturating_add(sum);
        self.sum_sq = self.sum_sq.saturating_add(sum_sq);
        self.min = self.min.min(u64::from(min));
        self.max = self.max.max(u64::from(max));
    }

    /// Adds everything recorded in `other` to `self`. Exact (integer sums and bin counts), so the
    /// result does not depend on the order or grouping of merges. Never panics.
    pub fn merge(&mut self, other: &Tally) {
        if let Some(theirs) = other.hist.as_ref() {
            match self.hist.as_mut() {
                None => self.hist = Some(theirs.clone()),
                Some(ours) => {
                    if ours.add(theirs).is_err() {
                        // `add` fails only if resizing fails, before touching any count: fall
                        // back to recording the other histogram's bins one by one, clamped.
                        for bin in theirs.iter_recorded() {
                            hist_record_n(ours, bin.value_iterated_to(), bin.count_at_value());
                        }
                    }
                }
            }
        }
        self.count = self.count.saturating_add(other.count);
        self.sum = self.sum.saturating_add(other.sum);
        self.sum_sq = self.sum_sq.saturating_add(other.sum_sq);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of recorded values.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Exact sum of the recorded values.
    pub fn sum(&self) -> u128 {
        self.sum
    }

    /// Mean of the recorded values, from the exact sum and count (0 when empty).
    ///
    /// Computed as quotient plus remainder so that the only rounding is the final one or two
    /// floating-point operations, even when the sum exceeds 2^53.
    pub fn mean(&self) -> f64 {
        exact_mean(self.sum, self.count)
    }

    /// Sample standard deviation (denominator n − 1), from the exact sums (0 when fewer than two
    /// values).
    ///
    /// The numerator n·Σx² − (Σx)² is computed exactly in integers when it fits in `u128` (always
    /// the case for drsim's millisecond durations), which avoids catastrophic cancellation.
    pub fn std_dev(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        let n = u128::from(self.count);
        let nf = self.count as f64;
        let exact = n
            .checked_mul(self.sum_sq)
            .zip(self.sum.checked_mul(self.sum))
            .map(|(a, b)| a.saturating_sub(b));
        let variance = match exact {
            Some(numerator) => numerator as f64 / (nf * (nf - 1.0)),
            None => {
                // Beyond u128: fall back to floating point around the mean.
                let mean = self.mean();
                ((self.sum_sq as f64 - self.sum as f64 * mean) / (nf - 1.0)).max(0.0)
            }
        };
        variance.sqrt()
    }

    /// Standard error of the mean: `std_dev / sqrt(n)` (0 when fewer than two values).
    pub fn mean_std_error(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        self.std_dev() / (self.count as f64).sqrt()
    }

    /// Exact largest recorded value (0 when empty).
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Exact smallest recorded value (0 when empty).
    pub fn min(&self) -> u64 {
        if self.count == 0 { 0 } else { self.min }
    }

    /// The `q`-quantile, `q` in `[0, 1]`: hdrhistogram's `value_at_quantile` (the highest value
    /// equivalent to the ⌈q·n⌉-th smallest recorded value, within 0.1 %), clamped to the exact
    /// `[min, max]` so that `quantile(1.0) == max()` and `quantile(0.0) == min()`.
    ///
    /// `q` outside `[0, 1]` is clamped to it; NaN counts as 0. Returns 0 when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        let Some(hist) = self.hist.as_ref() else {
            return if self.count == 0 { 0 } else { self.max };
        };
        let q = unit_quantile(q);
        if q >= 1.0 {
            // hdrhistogram's top bin edge can fall one short of u64::MAX; the 1-quantile is the
            // exact maximum.
            return self.max;
        }
        hist.value_at_quantile(q).clamp(self.min(), self.max)
    }

    /// Distribution-free confidence interval for the `q`-quantile, from order statistics.
    ///
    /// The number of values below the true q-quantile is Binomial(n, q), so the order statistics
    /// of ranks `⌊n·q − z·sqrt(n·q·(1−q))⌋` and `⌈n·q + z·sqrt(n·q·(1−q))⌉` (clamped to `[1, n]`)
    /// bracket it with probability ≈ the two-sided normal coverage of `z` (95 % for [`Z_95`]).
    /// The values of those ranks are read from the histogram: the lower one rounded down and the
    /// upper one rounded up to their bin's edge, so histogram resolution only widens the interval;
    /// both are clamped to the exact `[min, max]`. Returns `(0, 0)` when empty. `q` is clamped to
    /// `[0, 1]` (NaN counts as 0) and `z` is taken in absolute value (NaN counts as 0).
    pub fn quantile_interval(&self, q: f64, z: f64) -> (u64, u64) {
        if self.count == 0 {
            return (0, 0);
        }
        let Some(hist) = self.hist.as_ref() else {
            return (self.min(), self.max);
        };
        let (lo_rank, hi_rank) = self.interval_ranks(q, z);
        self.interval_of(
            hist,
            value_at_rank(hist, lo_rank),
            value_at_rank(hist, hi_rank),
        )
    }

    /// The ranks bracketing the `q`-quantile in [`Tally::quantile_interval`] (count ≥ 1).
    fn interval_ranks(&self, q: f64, z: f64) -> (u64, u64) {
        let q = unit_quantile(q);
        let z = if z.is_nan() { 0.0 } else { z.abs() };
        let n = self.count as f64;
        let centre = n * q;
        let half = z * (n * q * (1.0 - q)).sqrt();
        // Float-to-int `as` saturates (and maps NaN to 0), so these conversions are total.
        let lo_rank = ((centre - half).floor() as u64).clamp(1, self.count);
        let hi_rank = ((centre + half).ceil() as u64).clamp(1, self.count);
        (lo_rank, hi_rank)
    }

    /// [`Tally::quantile_interval`] from the histogram values of its two ranks.
    fn interval_of(&self, hist: &Histogram<u64>, lo: u64, hi: u64) -> (u64, u64) {
        let (lo, hi) = (hist.lowest_equivalent(lo), hist.highest_equivalent(hi));
        (
            lo.clamp(self.min(), self.max),
            hi.clamp(self.min(), self.max),
        )
    }

    /// [`Tally::quantile`] and [`Tally::quantile_std_error`] of each of `qs`, exactly, from one
    /// pass over the histogram instead of three per quantile (hdrhistogram's
    /// `value_at_quantiles` gives for each quantile exactly what `value_at_quantile` gives).
    pub fn quantiles_with_std_errors<const N: usize>(&self, qs: [f64; N]) -> [(u64, f64); N] {
        let one_by_one = || qs.map(|q| (self.quantile(q), self.quantile_std_error(q)));
        let Some(hist) = self
            .hist
            .as_ref()
            .filter(|h| self.count > 0 && !h.is_empty())
        else {
            return one_by_one();
        };
        // Per q: the histogram quantiles read for the quantile itself (none for q ≥ 1: the
        // maximum) and for the interval's two ranks, each with where its value goes.
        let mut reads: Vec<(f64, usize)> = Vec::with_capacity(3 * N);
        for (i, &q) in qs.iter().enumerate() {
            let clean = unit_quantile(q);
            if clean < 1.0 {
                reads.push((clean, 3 * i));
            }
            let (lo_rank, hi_rank) = self.interval_ranks(q, Z_95);
            reads.push((rank_quantile(hist, lo_rank), 3 * i + 1));
            reads.push((rank_quantile(hist, hi_rank), 3 * i + 2));
        }
        reads.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut values = vec![0u64; 3 * N];
        let mut read = 0;
        for (&(_, at), value) in reads
            .iter()
            .zip(hist.value_at_quantiles(reads.iter().map(|r| r.0)))
        {
            values[at] = value;
            read += 1;
        }
        if read < reads.len() {
            return one_by_one();
        }
        let mut out = [(0u64, 0.0f64); N];
        for (i, &q) in qs.iter().enumerate() {
            let clean = unit_quantile(q);
            let point = if clean < 1.0 {
                values[3 * i].clamp(self.min(), self.max)
            } else {
                self.max
            };
            let (lo, hi) = self.interval_of(hist, values[3 * i + 1], values[3 * i + 2]);
            out[i] = (point, std_error_of(lo, hi));
        }
        out
    }

    /// Number of recorded values ≤ `value`, from the histogram: exact when `value` is below the
    /// minimum or at or above the maximum, otherwise it counts the whole bin containing `value`
    /// (approximate within the histogram's 0.1 % resolution).
    pub fn count_at_most(&self, value: u64) -> u64 {
        if self.count == 0 || value < self.min {
            return 0;
        }
        if value >= self.max {
            return self.count;
        }
        match self.hist.as_ref() {
            Some(hist) => hist.count_between(0, value),
            None => 0,
        }
    }

    /// Monte Carlo standard error of the `q`-quantile, in the tally's unit: the width of the
    /// order-statistic interval `quantile_interval(q, 1.96)` divided by 2·1.96. For a density
    /// `f` at the quantile `x_q` this tends to the asymptotic `sqrt(q(1−q)/n) / f(x_q)`, without
    /// having to estimate `f`; it is 0 when every value in the interval's ranks is equal.
    pub fn quantile_std_error(&self, q: f64) -> f64 {
        let (lo, hi) = self.quantile_interval(q, Z_95);
        std_error_of(lo, hi)
    }

    /// Summary statistics in the tally's unit, as `f64`.
    pub fn summary(&self) -> Summary {
        let [p50, p90, p95, p99] = self.quantiles_with_std_errors([0.50, 0.90, 0.95, 0.99]);
        Summary {
            count: self.count,
            mean: self.mean(),
            mean_std_error: self.mean_std_error(),
            p50: p50.0 as f64,
            p90: p90.0 as f64,
            p95: p95.0 as f64,
            p99: p99.0 as f64,
            max: self.max as f64,
            p50_std_error: p50.1,
            p90_std_error: p90.1,
            p95_std_error: p95.1,
            p99_std_error: p99.1,
        }
    }

    /// Equality of content — count, sums, minimum, maximum and every histogram bin — used by
    /// determinism tests. Two tallies fed the same multiset of values (in any order, through any
    /// tree of merges) are `same_as` each other.
    pub fn same_as(&self, other: &Tally) -> bool {
        self.count == other.count
            && self.sum == other.sum
            && self.sum_sq == other.sum_sq
            && self.min == other.min
            && self.max == other.max
            && same_bins(self.hist.as_ref(), other.hist.as_ref())
    }
}

/// The exact content of a [`Tally`] as plain values, to store it and restore it bit for bit
/// (e.g. in a results file merged on another machine): the exact count, sums, minimum and
/// maximum, and the histogram in HdrHistogram's portable V2 encoding (uncompressed; empty when
/// nothing was recorded). The encoding is HdrHistogram's, not drsim's: sim-core still knows no
/// file format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TallyParts {
    pub count: u64,
    pub sum: u128,
    pub sum_sq: u128,
    /// Exact smallest value (0 when empty).
    pub min: u64,
    /// Exact largest value (0 when empty).
    pub max: u64,
    /// The histogram, HdrHistogram V2 encoding.
    pub histogram_v2: Vec<u8>,
}

/// Why stored tally parts cannot be restored.
#[derive(Debug, thiserror::Error)]
pub enum PartsError {
    #[error("the histogram cannot be decoded ({0})")]
    Histogram(String),
    #[error("the histogram cannot be encoded ({0})")]
    Encode(String),
    #[error("the histogram holds {histogram} values but the count says {count}")]
    CountMismatch { histogram: u64, count: u64 },
    #[error("inconsistent tally: {0}")]
    Inconsistent(&'static str),
}

impl Tally {
    /// The tally's exact content as plain values; [`Tally::from_parts`] restores it so that
    /// `same_as` holds and every summary is identical.
    pub fn to_parts(&self) -> Result<TallyParts, PartsError> {
        let mut histogram_v2 = Vec::new();
        if let Some(hist) = self.hist.as_ref() {
            hdrhistogram::serialization::V2Serializer::new()
                .serialize(hist, &mut histogram_v2)
                .map_err(|e| PartsError::Encode(format!("{e:?}")))?;
        }
        Ok(TallyParts {
            count: self.count,
            sum: self.sum,
            sum_sq: self.sum_sq,
            min: self.min(),
            max: self.max,
            histogram_v2,
        })
    }

    /// Restores a tally from [`Tally::to_parts`], checking that the parts agree with each other
    /// (the histogram's count with the exact count, minimum ≤ maximum). Never panics on any
    /// input, and refuses a histogram whose declared length exceeds the bytes given.
    pub fn from_parts(parts: &TallyParts) -> Result<Tally, PartsError> {
        if parts.count == 0 {
            if parts.sum != 0 || parts.sum_sq != 0 || parts.min != 0 || parts.max != 0 {
                return Err(PartsError::Inconsistent(
                    "an empty tally has non-zero sums or bounds",
                ));
            }
            if !parts.histogram_v2.is_empty() {
                return Err(PartsError::CountMismatch {
                    histogram: 1,
                    count: 0,
                });
            }
            return Ok(Tally::new());
        }
        if parts.min > parts.max {
            return Err(PartsError::Inconsistent("the minimum exceeds the maximum"));
        }
        let bytes = &parts.histogram_v2;
        // The V2 header: cookie (4 bytes), payload length (4), then 36 more bytes of header.
        let declared = bytes
            .get(4..8)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .ok_or_else(|| PartsError::Histogram("too short for a V2 header".into()))?;
        if declared as usize > bytes.len() {
            return Err(PartsError::Histogram(format!(
                "declares {declared} bytes of counts but only {} bytes are given",
                bytes.len()
            )));
        }
        let mut hist: Histogram<u64> = hdrhistogram::serialization::Deserializer::new()
            .deserialize(&mut bytes.as_slice())
            .map_err(|e| PartsError::Histogram(format!("{e:?}")))?;
        if hist.sigfig() != SIGFIG {
            return Err(PartsError::Histogram(format!(
                "{} significant digits where drsim keeps {SIGFIG}",
                hist.sigfig()
            )));
        }
        hist.auto(true);
        if parts.count != u64::MAX && hist.len() != parts.count {
            return Err(PartsError::CountMismatch {
                histogram: hist.len(),
                count: parts.count,
            });
        }
        Ok(Tally {
            hist: Some(hist),
            count: parts.count,
            sum: parts.sum,
            sum_sq: parts.sum_sq,
            min: parts.min,
            max: parts.max,
        })
    }
}

/// Whether two histograms hold the same counts in the same bins. Both come from
/// `Histogram::new(SIGFIG)`, so bins mean the same thing and only the allocated length (which
/// follows the largest value seen) could differ; hdrhistogram's `==` treats a longer allocation as
/// different even when the extra bins are empty (and is not symmetric), so histograms of different
/// lengths are compared bin by bin.
fn same_bins(a: Option<&Histogram<u64>>, b: Option<&Histogram<u64>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) if a.distinct_values() == b.distinct_values() => a == b,
        (Some(a), Some(b)) => {
            a.len() == b.len()
                && a.iter_recorded()
                    .map(|v| (v.value_iterated_to(), v.count_at_value()))
                    .eq(b
                        .iter_recorded()
                        .map(|v| (v.value_iterated_to(), v.count_at_value())))
        }
        // One histogram and none: equal only if the one is empty.
        (Some(h), None) | (None, Some(h)) => h.is_empty(),
    }
}

/// The histogram value (its bin's highest equivalent) of the `rank`-th smallest recorded value,
/// `rank` in `[1, total]`.
///
/// `value_at_quantile(q)` reads rank `⌈q·n⌉`; asking for `q = (rank − ½)/n` lands on `rank`
/// exactly, because the rounding error of `q·n` is far below ½ for any realistic `n` (< 2^40).
/// This uses hdrhistogram's fast chunked scan rather than its bin iterator.
fn value_at_rank(hist: &Histogram<u64>, rank: u64) -> u64 {
    if hist.is_empty() {
        return 0;
    }
    hist.value_at_quantile(rank_quantile(hist, rank))
}

/// The quantile [`value_at_rank`] asks for (the histogram holds at least one value).
fn rank_quantile(hist: &Histogram<u64>, rank: u64) -> f64 {
    let n = hist.len();
    (rank.clamp(1, n) as f64 - 0.5) / n as f64
}

/// A quantile as the tallies read it: clamped to `[0, 1]`, NaN counting as 0.
fn unit_quantile(q: f64) -> f64 {
    if q.is_nan() { 0.0 } else { q.clamp(0.0, 1.0) }
}

/// The standard error from a 95 % interval (see [`Tally::quantile_std_error`]).
fn std_error_of(lo: u64, hi: u64) -> f64 {
    hi.saturating_sub(lo) as f64 / (2.0 * Z_95)
}

/// Two-sample Kolmogorov–Smirnov distance: the largest gap between the empirical CDFs of two
/// samples, each sorted ascending (for checking one model against another in distribution).
pub fn ks_distance(a: &[f64], b: &[f64]) -> f64 {
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

/// `sum / count` as `f64` (0 when `count == 0`), rounding only at the end.
fn exact_mean(sum: u128, count: u64) -> f64 {
    if count == 0 {
        return 0.0;
    }
    let n = u128::from(count);
    let (quotient, remainder) = (sum / n, sum % n);
    quotient as f64 + remainder as f64 / count as f64
}

/// Summary of a [`Tally`], values in the tally's unit as `f64`.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub count: u64,
    pub mean: f64,
    /// Standard error of the mean.
    pub mean_std_error: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
    /// Monte Carlo standard errors of the quantiles ([`Tally::quantile_std_error`]).
    pub p50_std_error: f64,
    pub p90_std_error: f64,
    pub p95_std_error: f64,
    pub p99_std_error: f64,
}

/// Successes out of trials (e.g. "recovered within the RTO objective").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Proportion {
    pub hits: u64,
    pub trials: u64,
}

impl Proportion {
    /// Records one trial, a success if `hit`.
    pub fn record(&mut self, hit: bool) {
        self.trials = self.trials.saturating_add(1);
        self.hits = self.hits.saturating_add(u64::from(hit));
    }

    /// Adds another proportion's hits and trials (exact, order-independent).
    pub fn merge(&mut self, other: &Proportion) {
        self.hits = self.hits.saturating_add(other.hits);
        self.trials = self.trials.saturating_add(other.trials);
    }

    /// The point estimate `hits / trials`, or 0 when there are no trials (clamped to `[0, 1]` if
    /// the public fields were set inconsistently, with `hits > trials`).
    pub fn estimate(&self) -> f64 {
        if self.trials == 0 {
            return 0.0;
        }
        (self.hits as f64 / self.trials as f64).min(1.0)
    }

    /// Wilson score interval at normal quantile `z` (e.g. [`Z_95`]):
    ///
    /// `(p̂ + z²/2n ∓ z·sqrt(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)`.
    ///
    /// Unlike the normal (Wald) interval it stays inside `[0, 1]` and is sensible at 0 or n hits:
    /// with no hits the lower bound is exactly 0, with all hits the upper bound is exactly 1.
    /// Returns `(0, 1)` when there are no trials or `z` is not finite; `z` is taken in absolute
    /// value.
    pub fn wilson(&self, z: f64) -> (f64, f64) {
        if self.trials == 0 || !z.is_finite() {
            return (0.0, 1.0);
        }
        let n = self.trials as f64;
        let p = self.estimate();
        let z2 = z * z;
        let denominator = 1.0 + z2 / n;
        let centre = (p + z2 / (2.0 * n)) / denominator;
        let half = z.abs() * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
        let lo = if self.hits == 0 {
            0.0
        } else {
            (centre - half).clamp(0.0, 1.0)
        };
        let hi = if self.hits >= self.trials {
            1.0
        } else {
            (centre + half).clamp(0.0, 1.0)
        };
        (lo, hi)
    }
}

/// Exact integer sum and count of contributions recorded in integer ticks (the caller's unit,
/// e.g. micro-dollars for a cost), mergeable in any order with bit-identical results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Total {
    pub count: u64,
    pub sum: u128,
}

impl Total {
    /// Records one contribution of `ticks`.
    pub fn record(&mut self, ticks: u64) {
        self.count = self.count.saturating_add(1);
        self.sum = self.sum.saturating_add(u128::from(ticks));
    }

    /// Adds another total's count and sum (exact, order-independent).
    pub fn merge(&mut self, o: &Total) {
        self.count = self.count.saturating_add(o.count);
        self.sum = self.sum.saturating_add(o.sum);
    }

    /// Mean contribution in ticks, `sum / count` (0 when empty), rounded only at the end.
    pub fn mean(&self) -> f64 {
        exact_mean(self.sum, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_u64_is_the_c_library_round_clamped_at_zero() {
        let edges = [
            0.0,
            -0.0,
            -0.4,
            -7.5,
            0.5,
            1.5,
            2.5,
            0.499_999_999_999_999_94,
            1e-300,
            4_503_599_627_370_495.5,
            4_503_599_627_370_497.0,
            9.007_199_254_740_993e15,
            1.8e19,
            1.9e19,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let mut rng = crate::rng::stream_rng(1, 0, 0);
        let random = (0..100_000).map(|_| {
            let u = crate::dist::unit_f64(&mut rng);
            (u * 2e7).floor() / 4.0 + u * 1e-3
        });
        for x in edges.into_iter().chain(random) {
            assert_eq!(round_u64(x), x.round().max(0.0) as u64, "{x}");
            assert_eq!(millis(x), (x * 1000.0).round() as u64, "{x}");
        }
    }

    #[test]
    fn empty_tally_is_all_zero() {
        let t = Tally::new();
        assert_eq!(t.count(), 0);
        assert_eq!(t.mean(), 0.0);
        assert_eq!(t.std_dev(), 0.0);
        assert_eq!(t.min(), 0);
        assert_eq!(t.max(), 0);
        assert_eq!(t.quantile(0.5), 0);
        assert_eq!(t.quantile_interval(0.5, Z_95), (0, 0));
        assert_eq!(t.count_at_most(u64::MAX), 0);
        assert!(t.same_as(&Tally::default()));
        let s = t.summary();
        assert_eq!(s.count, 0);
        assert_eq!(s.p95_std_error, 0.0);
    }

    #[test]
    fn extreme_values_do_not_panic() {
        let mut t = Tally::new();
        for v in [0, 1, u64::MAX, u64::MAX, u64::MAX / 2, 12_345] {
            t.record(v);
        }
        let mut u = Tally::new();
        u.record(u64::MAX);
        t.merge(&u);
        u.merge(&t);
        assert_eq!(t.count(), 7);
        assert_eq!(t.max(), u64::MAX);
        assert_eq!(t.min(), 0);
        assert_eq!(t.quantile(1.0), u64::MAX);
        assert!(t.std_dev().is_finite());
        let (lo, hi) = t.quantile_interval(0.5, Z_95);
        assert!(lo <= hi);
        let _ = t.summary();
        for q in [f64::NAN, -1.0, 2.0, f64::INFINITY] {
            let _ = t.quantile(q);
            let _ = t.quantile_interval(q, q);
        }
    }

    #[test]
    fn same_bins_ignores_allocated_length() {
        let (Some(mut a), Some(mut b)) = (new_histogram(), new_histogram()) else {
            panic!("histogram creation cannot fail");
        };
        hist_record_n(&mut b, 1_000_000_000, 1);
        b.reset();
        assert!(b.distinct_values() > a.distinct_values());
        for v in [1, 5, 5000] {
            hist_record_n(&mut a, v, 2);
            hist_record_n(&mut b, v, 2);
        }
        assert_ne!(b, a, "hdrhistogram's == sees the longer allocation");
        assert!(same_bins(Some(&a), Some(&b)) && same_bins(Some(&b), Some(&a)));
        hist_record_n(&mut b, 7, 1);
        assert!(!same_bins(Some(&a), Some(&b)));
        assert!(same_bins(None, None));
        assert!(!same_bins(Some(&a), None));
    }

    #[test]
    fn debug_shows_non_empty_bins_only() {
        let mut t = Tally::new();
        for v in [3, 3, 10_000] {
            t.record(v);
        }
        let text = format!("{t:?}");
        assert!(text.contains("count: 3"), "{text}");
        assert!(text.contains("bins: [(3, 2), (10007, 1)]"), "{text}");
        assert!(text.len() < 200, "{text}");
    }

    #[test]
    fn parts_round_trip_exactly() {
        let mut t = Tally::new();
        for v in [0, 3, 3, 10_000, 7_777_777, 123_456_789_012] {
            t.record(v);
        }
        for tally in [Tally::new(), t] {
            let parts = tally.to_parts().unwrap();
            let back = Tally::from_parts(&parts).unwrap();
            assert!(back.same_as(&tally), "{back:?} vs {tally:?}");
            assert_eq!(back.summary(), tally.summary());
            assert_eq!(
                back.quantile_interval(0.95, Z_95),
                tally.quantile_interval(0.95, Z_95)
            );
            // A restored tally keeps growing and merging like the original.
            let mut grown = back.clone();
            grown.record(u64::MAX / 4);
            grown.merge(&tally);
            assert_eq!(grown.count(), 2 * tally.count() + 1);
        }
    }

    #[test]
    fn bad_parts_are_refused_without_panicking() {
        let mut t = Tally::new();
        for v in 1..100 {
            t.record(v * 37);
        }
        let good = t.to_parts().unwrap();
        let mut wrong_count = good.clone();
        wrong_count.count += 1;
        assert!(matches!(
            Tally::from_parts(&wrong_count),
            Err(PartsError::CountMismatch { .. })
        ));
        for cut in [0, 3, 7, 20, good.histogram_v2.len() - 1] {
            let mut short = good.clone();
            short.histogram_v2.truncate(cut);
            assert!(Tally::from_parts(&short).is_err(), "cut at {cut}");
        }
        let mut garbage = good.clone();
        for (i, b) in garbage.histogram_v2.iter_mut().enumerate().skip(8) {
            *b = b.wrapping_mul(31).wrapping_add(i as u8);
        }
        let _ = Tally::from_parts(&garbage);
        let mut inverted = good;
        inverted.min = inverted.max + 1;
        assert!(Tally::from_parts(&inverted).is_err());
    }

    #[test]
    fn std_dev_of_known_data() {
        let mut t = Tally::new();
        for v in [2, 4, 4, 4, 5, 5, 7, 9] {
            t.record(v);
        }
        // Population variance 4, sample variance 32/7.
        assert!((t.std_dev() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert!((t.mean_std_error() - (32.0f64 / 7.0 / 8.0).sqrt()).abs() < 1e-12);
    }
}
