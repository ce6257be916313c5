//! The limits on what a scenario may ask for, so that every scenario drsim accepts runs in
//! bounded time and memory. Each is stated, with its reason, in `docs/limits.md`; each refusal
//! says which limit and why.

use sim_core::dist::Dist;

use crate::units::format_duration;

/// Shortest backup interval. AWS Backup's shortest schedule is one hour, RDS uploads its
/// transaction logs every five minutes; a shorter "backup" is replication, not a backup.
pub const MIN_BACKUP_INTERVAL: f64 = 60.0;

/// Most backups that may be running (or copying) at once on average: the mean backup
/// duration plus copy delay over the interval. Each one in flight costs the backup search a
/// draw per trial; AWS Backup itself skips a job while the previous one still runs.
pub const MAX_BACKUPS_IN_FLIGHT: f64 = 1_000.0;

/// Most instances in one tier, and in all tiers together. EC2 Auto Scaling groups and on-demand
/// quotas are in the thousands; the engine launches instances one by one.
pub const MAX_INSTANCES: i64 = 10_000;

/// Most datasets (`[data.*]`); each is a transfer in every restore.
pub const MAX_DATASETS: usize = 100;

/// Most knob settings `drsim plan` sweeps: each keeps its own statistics (histograms), about
/// 1 MB merged and 50 KB per worker thread (measured: docs/limits.md). The reference has 288.
pub const MAX_PLAN_SETTINGS: usize = 1_000;

/// Memory of one plan setting's merged statistics, bytes (measured, with room).
pub const PLAN_BYTES_PER_SETTING: u64 = 1_200_000;

/// Memory of one plan setting's statistics in each worker thread, bytes (measured, with room).
pub const PLAN_BYTES_PER_SETTING_THREAD: u64 = 100_000;

/// Highest annual rate of one disaster type. More than 100 a year is operations, not disaster
/// recovery; `plan` simulates every disaster of every year (at most 1,024 a year).
pub const MAX_ANNUAL_RATE: f64 = 100.0;

/// Most write bursts the replication queue simulates, in expectation, per region-loss trial
/// when `replication.max-window` is "auto": each burst is two exponential draws, so this bounds
/// the time of a trial (2.4 ms measured in a release build) where the queue is so close to
/// saturation (ρ ≳ 0.97 at 30 decay times) that its relaxation time would need more. Memory
/// does not grow with the window (the queue is simulated as a stream).
pub const MAX_WINDOW_BURSTS: f64 = 100_000.0;

/// History simulated for an overloaded replication queue (write load ≥ bandwidth) when
/// `replication.max-window` is "auto": one hour, the resolution of the daily profile, during
/// which the load is held constant.
pub const OVERLOAD_WINDOW: f64 = 3_600.0;

/// Most steps in one runbook (after overrides); each is events in every trial.
pub const MAX_RUNBOOK_STEPS: usize = 1_000;

/// Steps of a cycle shown in a message; the rest are counted.
const CYCLE_SHOWN: usize = 12;

/// "a -> b -> c -> a" for the closed cycle `[a, b, c, a]`; a long cycle shows its first
/// steps, how many were left out, and its end.
pub fn cycle_listing(steps: &[String]) -> String {
    if steps.len() <= CYCLE_SHOWN {
        return steps.join(" -> ");
    }
    let mut shown: Vec<String> = steps[..CYCLE_SHOWN - 2].to_vec();
    shown.push(format!("… {} more steps …", steps.len() - CYCLE_SHOWN));
    shown.extend(steps[steps.len() - 2..].iter().cloned());
    shown.join(" -> ")
}

/// Most simulated years per plan setting (`[plan] years`, `--years`).
pub const MAX_YEARS: u64 = 100_000_000;

/// Most trials of `drsim simulate` (`--trials`).
pub const MAX_TRIALS: u64 = 10_000_000_000;

/// Checks a backup interval (seconds) against the minimum; the message is a sentence.
pub fn backup_interval(interval: f64) -> Result<(), String> {
    if interval >= MIN_BACKUP_INTERVAL {
        return Ok(());
    }
    Err(format!(
        "a backup interval of {} is below the minimum of 1 minute: backups are snapshots taken on \
         a schedule (AWS Backup's shortest is 1 hour); for a recovery point seconds old, model \
         replication instead (limit in docs/limits.md)",
        format_duration(interval)
    ))
}

/// Checks that backups do not pile up: mean (duration + copy delay) / interval.
pub fn backups_in_flight(interval: f64, duration: &Dist, copy_delay: &Dist) -> Result<(), String> {
    let busy = duration.mean() + copy_delay.mean();
    let in_flight = busy / interval;
    if in_flight <= MAX_BACKUPS_IN_FLIGHT {
        return Ok(());
    }
    Err(format!(
        "backups take {} on average (duration plus copy delay), {in_flight:.0} times the interval \
         of {}: more than {MAX_BACKUPS_IN_FLIGHT} backups would run at once (limit in \
         docs/limits.md); lengthen the interval or shorten the backups",
        format_duration(busy),
        format_duration(interval)
    ))
}

/// 4294967295 as "4,294,967,295".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// 3_435_973_836 as "3.2 GiB".
pub fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", b / (1024.0 * 1024.0 * 1024.0))
    } else {
        format!("{:.0} MiB", b / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_accept_the_edge_and_refuse_past_it() {
        assert!(backup_interval(60.0).is_ok());
        assert!(backup_interval(0.001).unwrap_err().contains("1ms"));
        let d = Dist::fixed(1_000.0 * 60.0).expect("valid");
        let zero = Dist::fixed(0.0).expect("valid");
        assert!(backups_in_flight(60.0, &d, &zero).is_ok());
        assert!(backups_in_flight(59.0, &d, &zero).is_err());
        assert_eq!(human_bytes(3_435_973_836), "3.2 GiB");
        assert_eq!(
            cycle_listing(&["a".into(), "b".into(), "a".into()]),
            "a -> b -> a"
        );
    }
}
