//! sim-core: a deterministic discrete-event Monte Carlo engine.
//!
//! It knows nothing of AWS, prices or file formats. It offers:
//! - [`draws`]: counts of draws by kind in debug builds (for the sampling yardstick);
//! - [`rng`]: named, pinned random streams derived from (seed, trial, stream);
//! - [`dist`]: distributions of non-negative quantities with checked parameters;
//! - [`engine`]: runbooks as DAGs of steps sharing bandwidth, concurrency slots and rate limits,
//!   run by an event queue ordered by (time, sequence);
//! - [`order`]: fleets as order statistics: the tabulated quantile function of a sum of phases;
//! - [`queue`]: a FIFO queue of bursts seen at a random instant (replication lag);
//! - [`stats`]: mergeable accumulators (histograms, counts, exact sums) and their summaries;
//! - [`runner`]: a parallel Monte Carlo loop over fixed chunks whose output does not depend on
//!   the thread count.

pub mod dist;
pub mod draws;
pub mod engine;
mod events;
pub mod order;
pub mod queue;
pub mod rng;
pub mod runner;
pub mod stats;
