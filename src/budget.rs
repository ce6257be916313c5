//! Memory budget of `drsim plan`: every knob setting keeps its statistics once merged and once
//! per worker thread, so the thread count is lowered when the sweep would need more than
//! [`PLAN_MEMORY_BUDGET`]. The output does not depend on the thread count, only the speed.

use scenarios::limits::{PLAN_BYTES_PER_SETTING, PLAN_BYTES_PER_SETTING_THREAD, human_bytes};

/// Most memory the statistics of a plan sweep may take, bytes.
pub const PLAN_MEMORY_BUDGET: u64 = 2 * 1024 * 1024 * 1024;

/// The threads a plan of `settings` settings may use out of `requested`, and a warning when
/// fewer than requested.
pub fn plan_threads(requested: usize, settings: usize) -> (usize, Option<String>) {
    let settings = settings.max(1) as u64;
    let merged = settings * PLAN_BYTES_PER_SETTING;
    let per_thread = settings * PLAN_BYTES_PER_SETTING_THREAD;
    let fit = (PLAN_MEMORY_BUDGET.saturating_sub(merged) / per_thread).max(1);
    let threads = (requested as u64).min(fit) as usize;
    let warning = (threads < requested).then(|| {
        format!(
            "using {threads} threads instead of {requested}: the {settings} settings of the sweep \
             need about {} per thread and {} is the memory limit (docs/limits.md); the output is the same",
            human_bytes(per_thread),
            human_bytes(PLAN_MEMORY_BUDGET)
        )
    });
    (threads.max(1), warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_fit_the_budget() {
        assert_eq!(plan_threads(2, 34), (2, None));
        let (threads, warning) = plan_threads(64, 300);
        assert!((1..64).contains(&threads));
        assert!(warning.is_some_and(|w| w.contains("the output is the same")));
        let total = 300 * (PLAN_BYTES_PER_SETTING + threads as u64 * PLAN_BYTES_PER_SETTING_THREAD);
        assert!(total <= PLAN_MEMORY_BUDGET);
        assert_eq!(plan_threads(8, 100_000).0, 1);
    }
}
