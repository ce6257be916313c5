//! The simulation report (built and rendered by the `reports` crate).

pub use reports::simulation::*;
