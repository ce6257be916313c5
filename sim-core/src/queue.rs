//! A FIFO queue seen at a random instant: bursts of work arrive as a Poisson process with
//! exponential sizes and drain through a server of constant capacity (an M/M/1 queue when
//! stable). drsim uses it for replication lag: write bursts queue on the replication link.
//!
//! The queue is simulated forward over a window that ends at the instant of interest, starting
//! empty. For a stable queue the window is long enough that a busy period spanning it is
//! negligible (its tail decays as exp(−(√μ − √λ)² t)); an unstable queue is simulated over the
//! caller's maximum window, so its backlog is what that much overload accumulates (at its fluid
//! limit when that window holds more than 20,000 arrivals).

use rand::Rng;
use rand_distr::{Distribution, Exp1};

use crate::draws::{DrawKind, note};

/// The queue at the instant of interest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueueState {
    /// Age of the oldest unfinished burst (0 when the queue is empty), seconds.
    pub oldest_age: f64,
    /// Bursts arrived but not finished.
    pub backlog: u32,
    /// Whether the load reached the capacity (the queue does not settle).
    pub unstable: bool,
}

/// Multiples of the busy-period decay time simulated before the instant (e^−30 ≈ 1e−13).
const WINDOW_DECAY_TIMES: f64 = 30.0;

/// Expected arrivals above which an overloaded queue is taken at its fluid limit instead of
/// being simulated burst by burst.
const FLUID_EVENTS: f64 = 20_000.0;

/// The queue state at a random instant. `arrival_rate` in bursts/s, `mean_size` and `capacity`
/// in units and units/s (e.g. bytes, bytes/s); `max_window` bounds the simulated history.
pub fn state_at_random_instant<R: Rng + ?Sized>(
    rng: &mut R,
    arrival_rate: f64,
    mean_size: f64,
    capacity: f64,
    max_window: f64,
) -> QueueState {
    if !(arrival_rate > 0.0 && mean_size > 0.0) {
        return QueueState {
            oldest_age: 0.0,
            backlog: 0,
            unstable: false,
        };
    }
    if capacity <= 0.0 {
        return QueueState {
            oldest_age: max_window,
            backlog: 0,
            unstable: true,
        };
    }
    let mu = capacity / mean_size;
    let unstable = arrival_rate >= mu;
    let window = if unstable {
        max_window
    } else {
        let gap = (mu.sqrt() - arrival_rate.sqrt()).powi(2);
        (WINDOW_DECAY_TIMES / gap).min(max_window)
    };
    if unstable && arrival_rate * window > FLUID_EVENTS {
        // Long overload: the fluid limit. The server never idles, so by now it has served the
        // work of the first `window · μ/λ` seconds of arrivals; the oldest unfinished burst
        // arrived then. Relative fluctuations are O(1/√(λ·window)), below 1 % here.
        let served = window * (mu / arrival_rate).min(1.0);
        return QueueState {
            oldest_age: window - served,
            backlog: ((arrival_rate - mu) * window)
                .round()
                .min(f64::from(u32::MAX)) as u32,
            unstable,
        };
    }
    let mean_gap = 1.0 / arrival_rate;
    let mean_service = mean_size / capacity;
    let mut arrival = -window;
    let mut departure = f64::NEG_INFINITY;
    let mut oldest: Option<f64> = None;
    let mut backlog = 0u32;
    loop {
        note(DrawKind::Exp1);
        let gap: f64 = Exp1.sample(rng);
        arrival += gap * mean_gap;
        if arrival > 0.0 {
            break;
        }
        note(DrawKind::Exp1);
        let service: f64 = Exp1.sample(rng);
        departure = departure.max(arrival) + service * mean_service;
        if departure > 0.0 {
            oldest.get_or_insert(arrival);
            backlog += 1;
        }
    }
    QueueState {
        oldest_age: oldest.map_or(0.0, |a| -a),
        backlog,
        unstable,
    }
}
