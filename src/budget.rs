//! Memory budget of `drsim plan`: every knob setting keeps its statistics once merged and once
//! per worker thread, so the thread count is lowered when the sweep would need more than
//! [`PLAN_MEMORY_BUDGET`]. The output does not depend on the thread count, only the speed.

use std::path::Path;

use scenarios::Scenario;
use scenarios::limits::{
    MAX_PLAN_SETTINGS, PLAN_BYTES_PER_SETTING, PLAN_BYTES_PER_SETTING_THREAD, human_bytes,
};

use crate::Failure;

/// How many settings `planner::settings` makes at most, counted without making them (a
/// sweep of thousands of settings takes minutes to build): every strategy's own knobs times
/// the backup knobs (`planner::settings` drops duplicates, so this is an upper bound).
pub fn sweep_size(scenario: &Scenario) -> usize {
    let p = &scenario.plan;
    let weight = scenario.strategies[scenarios::Strategy::MultiSite.index()].traffic_weight;
    let sites = p.site_capacities.iter().filter(|c| **c >= weight).count();
    let failover = p.failover.len();
    let own = failover
        .saturating_add(p.replica_fractions.len().saturating_mul(failover))
        .saturating_add(p.standby_fractions.len().saturating_mul(failover))
        .saturating_add(sites);
    let tiers = if scenario.data.is_empty() {
        1
    } else {
        p.storage_tiers.len()
    };
    own.saturating_mul(p.backup_intervals.len())
        .saturating_mul(tiers)
        .saturating_mul(p.point_in_time.len())
}

/// Refuses a sweep of more than [`MAX_PLAN_SETTINGS`] settings, naming the memory it would
/// need, at the scenario's `[plan] backup-intervals` (the list that multiplies the others).
pub fn check_settings(scenario: &Scenario, file: &str, path: Option<&Path>) -> Result<(), Failure> {
    let settings = sweep_size(scenario);
    if settings <= MAX_PLAN_SETTINGS {
        return Ok(());
    }
    let p = &scenario.plan;
    let bytes =
        (settings as u64).saturating_mul(PLAN_BYTES_PER_SETTING + PLAN_BYTES_PER_SETTING_THREAD);
    let message = format!(
        "the sweep has up to {settings} settings, more than the limit of {MAX_PLAN_SETTINGS} \
         (docs/limits.md): it would need about {} of memory with one thread; every strategy's \
         own knobs are combined with {} backup intervals × {} storage tiers × {} point-in-time choices",
        human_bytes(bytes),
        p.backup_intervals.len(),
        p.storage_tiers.len(),
        p.point_in_time.len()
    );
    let text = match path {
        Some(path) => crate::io::read_text(path, crate::io::MAX_SCENARIO_BYTES).unwrap_or_default(),
        None => scenarios::REFERENCE.to_string(),
    };
    Err(Failure::BadInput(
        scenarios::error_at(&text, file, "plan.backup-intervals", message)
            .with_help("shorten the lists of [plan]")
            .to_string(),
    ))
}

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
