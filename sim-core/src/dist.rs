//! Distributions of non-negative quantities: durations, sizes, rates.
//!
//! Every constructor checks its parameters and returns a [`DistError`] that says what was wrong;
//! no parameter a user can type makes sampling panic. All supports are non-negative, because
//! everything drsim samples is a duration, a size or a rate.

use std::sync::Arc;

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal, Pert, Triangular};

use crate::draws::{DrawKind, note};

/// The standard normal quantile at 0.95, used to turn a (median, p95) pair into a lognormal.
pub const Z95: f64 = 1.644_853_626_951_472_2;

/// The largest parameter accepted (1e17: over three billion years in seconds, 100 PB in bytes),
/// so that no arithmetic inside sampling can overflow.
pub const MAX_PARAM: f64 = 1e17;

/// The largest p95/median ratio of a lognormal (a σ of about 8.4 in log space).
pub const MAX_LOGNORMAL_RATIO: f64 = 1e6;

/// Why a distribution's parameters were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistError {
    #[error("{what} must be a finite number ≥ 0, got {value}")]
    Negative { what: &'static str, value: f64 },
    #[error("{what} must be at most {max:e}, got {value:e}", max = MAX_PARAM)]
    TooLarge { what: &'static str, value: f64 },
    #[error("p95 / median must be at most {max:e}, got {ratio:e}", max = MAX_LOGNORMAL_RATIO)]
    TooSpread { ratio: f64 },
    #[error("{what} must be > 0, got {value}")]
    NotPositive { what: &'static str, value: f64 },
    #[error("expected {low_name} ≤ {high_name}, got {low_name} = {low} and {high_name} = {high}")]
    Order {
        low_name: &'static str,
        high_name: &'static str,
        low: f64,
        high: f64,
    },
    #[error(
        "p95 ({p95}) must be greater than the median ({median}); use a fixed value for a constant"
    )]
    P95NotAboveMedian { median: f64, p95: f64 },
    #[error("an empirical distribution needs at least one observation")]
    EmptyEmpirical,
}

/// A distribution of a non-negative quantity, ready to sample.
#[derive(Debug, Clone)]
pub enum Dist {
    /// Always the same value.
    Fixed(f64),
    /// Uniform on `[low, high]`.
    Uniform { low: f64, high: f64 },
    /// Triangular on `[min, max]` with its peak at `mode`.
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
        inner: Triangular<f64>,
    },
    /// Beta-PERT on `[min, max]` with most likely value `mode` (shape 4).
    Pert {
        min: f64,
        mode: f64,
        max: f64,
        inner: Pert<f64>,
    },
    /// Exponential with the given mean.
    Exponential { mean: f64, inner: Exp<f64> },
    /// Lognormal given by its median and 95th percentile.
    LogNormal {
        median: f64,
        p95: f64,
        inner: LogNormal<f64>,
    },
    /// Resampling of a list of observations, each equally likely.
    Empirical(Arc<[f64]>),
}

fn non_negative(what: &'static str, value: f64) -> Result<f64, DistError> {
    if !(value.is_finite() && value >= 0.0) {
        Err(DistError::Negative { what, value })
    } else if value > MAX_PARAM {
        Err(DistError::TooLarge { what, value })
    } else {
        Ok(value)
    }
}

fn ordered(
    low_name: &'static str,
    low: f64,
    high_name: &'static str,
    high: f64,
) -> Result<(), DistError> {
    if low <= high {
        Ok(())
    } else {
        Err(DistError::Order {
            low_name,
            high_name,
            low,
            high,
        })
    }
}

impl Dist {
    /// A constant.
    pub fn fixed(value: f64) -> Result<Self, DistError> {
        Ok(Dist::Fixed(non_negative("value", value)?))
    }

    /// Uniform on `[low, high]`; `low == high` is a constant.
    pub fn uniform(low: f64, high: f64) -> Result<Self, DistError> {
        non_negative("low", low)?;
        non_negative("high", high)?;
        ordered("low", low, "high", high)?;
        Ok(Dist::Uniform { low, high })
    }

    /// Triangular with `min ≤ mode ≤ max`.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, DistError> {
        Self::check_three(min, mode, max)?;
        if min == max {
            return Ok(Dist::Fixed(min));
        }
        let inner = Triangular::new(min, max, mode).map_err(|_| DistError::Order {
            low_name: "min",
            high_name: "max",
            low: min,
            high: max,
        })?;
        Ok(Dist::Triangular {
            min,
            mode,
            max,
            inner,
        })
    }

    /// Beta-PERT with `min ≤ mode ≤ max`.
    pub fn pert(min: f64, mode: f64, max: f64) -> Result<Self, DistError> {
        Self::check_three(min, mode, max)?;
        if min == max {
            return Ok(Dist::Fixed(min));
        }
        let inner = Pert::new(min, max)
            .with_mode(mode)
            .map_err(|_| DistError::Order {
                low_name: "min",
                high_name: "max",
                low: min,
                high: max,
            })?;
        Ok(Dist::Pert {
            min,
            mode,
            max,
            inner,
        })
    }

    /// Exponential with mean `mean > 0`.
    pub fn exponential(mean: f64) -> Result<Self, DistError> {
        if !(mean.is_finite() && mean > 0.0) {
            return Err(DistError::NotPositive {
                what: "mean",
                value: mean,
            });
        }
        non_negative("mean", mean)?;
        let inner = Exp::new(1.0 / mean).map_err(|_| DistError::NotPositive {
            what: "mean",
            value: mean,
        })?;
        Ok(Dist::Exponential { mean, inner })
    }

    /// Lognormal with the given median and 95th percentile (`0 < median < p95`).
    pub fn lognormal(median: f64, p95: f64) -> Result<Self, DistError> {
        if !(median.is_finite() && median > 0.0) {
            return Err(DistError::NotPositive {
                what: "median",
                value: median,
            });
        }
        non_negative("median", median)?;
        if !(p95.is_finite() && p95 > median) {
            return Err(DistError::P95NotAboveMedian { median, p95 });
        }
        non_negative("p95", p95)?;
        let ratio = p95 / median;
        if !(ratio.is_finite() && ratio <= MAX_LOGNORMAL_RATIO) {
            return Err(DistError::TooSpread { ratio });
        }
        let sigma = (p95 / median).ln() / Z95;
        let inner = LogNormal::new(median.ln(), sigma)
            .map_err(|_| DistError::P95NotAboveMedian { median, p95 })?;
        Ok(Dist::LogNormal { median, p95, inner })
    }

    /// Resampling of observations (all finite and ≥ 0, at least one).
    pub fn empirical(observations: &[f64]) -> Result<Self, DistError> {
        if observations.is_empty() {
            return Err(DistError::EmptyEmpirical);
        }
        for &x in observations {
            non_negative("observation", x)?;
        }
        Ok(Dist::Empirical(observations.into()))
    }

    fn check_three(min: f64, mode: f64, max: f64) -> Result<(), DistError> {
        non_negative("min", min)?;
        non_negative("mode", mode)?;
        non_negative("max", max)?;
        ordered("min", min, "mode", mode)?;
        ordered("mode", mode, "max", max)
    }

    /// One draw: finite and ≥ 0.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = self.draw(rng);
        // Parameters are bounded so this never triggers; it keeps the promise unconditional.
        if x.is_finite() {
            x.max(0.0)
        } else {
            self.min_value()
        }
    }

    #[inline]
    fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::Uniform { low, high } => {
                note(DrawKind::Uniform);
                let u = unit_raw(rng);
                low + (high - low) * u
            }
            Dist::Triangular { inner, .. } => {
                note(DrawKind::Triangular);
                inner.sample(rng)
            }
            Dist::Pert { inner, .. } => {
                note(DrawKind::Pert);
                inner.sample(rng)
            }
            Dist::Exponential { inner, .. } => {
                note(DrawKind::Exponential);
                inner.sample(rng)
            }
            Dist::LogNormal { inner, .. } => {
                note(DrawKind::LogNormal);
                inner.sample(rng)
            }
            Dist::Empirical(obs) => {
                note(DrawKind::Empirical);
                let i = (unit_raw(rng) * obs.len() as f64) as usize;
                obs[i.min(obs.len() - 1)]
            }
        }
    }

    /// The exact mean.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::Uniform { low, high } => (low + high) / 2.0,
            Dist::Triangular { min, mode, max, .. } => (min + mode + max) / 3.0,
            Dist::Pert { min, mode, max, .. } => (min + 4.0 * mode + max) / 6.0,
            Dist::Exponential { mean, .. } => *mean,
            Dist::LogNormal { median, p95, .. } => {
                let sigma = (p95 / median).ln() / Z95;
                median * (sigma * sigma / 2.0).exp()
            }
            Dist::Empirical(obs) => obs.iter().sum::<f64>() / obs.len() as f64,
        }
    }

    /// A representative "typical" value: the median where it has a closed form, else the mean.
    pub fn typical(&self) -> f64 {
        match self {
            Dist::LogNormal { median, .. } => *median,
            Dist::Exponential { mean, .. } => mean * std::f64::consts::LN_2,
            other => other.mean(),
        }
    }

    /// The smallest value the distribution can take.
    pub fn min_value(&self) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::Uniform { low, .. } => *low,
            Dist::Triangular { min, .. } | Dist::Pert { min, .. } => *min,
            Dist::Exponential { .. } | Dist::LogNormal { .. } => 0.0,
            Dist::Empirical(obs) => obs.iter().copied().fold(f64::INFINITY, f64::min),
        }
    }

    /// The same distribution with every value multiplied by `factor` (> 0), e.g. a unit change.
    pub fn scaled(&self, factor: f64) -> Result<Self, DistError> {
        if !(factor.is_finite() && factor > 0.0) {
            return Err(DistError::NotPositive {
                what: "scale factor",
                value: factor,
            });
        }
        match self {
            Dist::Fixed(v) => Dist::fixed(v * factor),
            Dist::Uniform { low, high } => Dist::uniform(low * factor, high * factor),
            Dist::Triangular { min, mode, max, .. } => {
                Dist::triangular(min * factor, mode * factor, max * factor)
            }
            Dist::Pert { min, mode, max, .. } => {
                Dist::pert(min * factor, mode * factor, max * factor)
            }
            Dist::Exponential { mean, .. } => Dist::exponential(mean * factor),
            Dist::LogNormal { median, p95, .. } => Dist::lognormal(median * factor, p95 * factor),
            Dist::Empirical(obs) => {
                let scaled: Vec<f64> = obs.iter().map(|x| x * factor).collect();
                Dist::empirical(&scaled)
            }
        }
    }

    /// Whether every draw is the same value.
    pub fn is_constant(&self) -> bool {
        matches!(self, Dist::Fixed(_))
    }
}

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline]
pub fn unit_f64<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    note(DrawKind::Unit);
    unit_raw(rng)
}

/// [`unit_f64`] without counting it (inside a distribution's draw, counted as that draw).
#[inline]
fn unit_raw<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}
