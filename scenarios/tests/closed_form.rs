//! Scenario-level closed forms, through the public API: backup ages against their uniform and
//! geometric laws, recovery times of fully deterministic scenarios against their critical paths
//! computed by hand, determinism across thread counts, and the whitepaper's spectrum of the four
//! strategies on the reference scenario.
//!
//! Statistical tolerances are 4 standard errors computed from the closed-form variance (a false
//! failure has probability ≈ 6e−5 per check, and the seeds are fixed anyway).

use scenarios::simulate::newest_backup_age;
use scenarios::{Disaster, Results, RunOptions, Scenario, Strategy};
use sim_core::dist::unit_f64;
use sim_core::rng::stream_rng;

const MIN: f64 = 60.0;
const HOUR: f64 = 3600.0;

/// Tolerance, in standard errors.
const K_SE: f64 = 4.0;

fn load(text: &str) -> Scenario {
    scenarios::load(text, "test.toml").unwrap_or_else(|e| panic!("test scenario refused: {e}"))
}

fn run(scenario: &Scenario, trials: u64, seed: u64, threads: usize) -> Results {
    scenarios::simulate(
        scenario,
        &RunOptions {
            trials,
            seed,
            threads,
            progress: None,
        },
    )
    .unwrap_or_else(|e| panic!("simulation failed: {e}"))
}

fn check(what: &str, measured: f64, expected: f64, std_error: f64) {
    let tolerance = K_SE * std_error;
    println!("{what}: measured {measured:.5}, expected {expected:.5}, tolerance ±{tolerance:.5}");
    assert!(
        (measured - expected).abs() <= tolerance,
        "{what}: measured {measured}, expected {expected} ± {tolerance} ({K_SE} standard errors)"
    );
}

// ---------------------------------------------------------------------------------------------
// Backups

/// Backups every 4 h taking exactly 10 min, copied to the recovery region 20 min later.
fn backup_scenario(failure_probability: f64) -> Scenario {
    load(&format!(
        "[backups]\ninterval = \"4h\"\nduration = \"10m\"\ncopy-delay = \"20m\"\n\
         failure-probability = {failure_probability:?}\nretention = \"35d\"\n"
    ))
}

/// The newest usable backup's age for `n` disasters, each at a uniform phase of the backup cycle
/// (drawn from stream 0 of the trial, like `simulate` does; the backups draw from stream 2).
fn backup_ages(scenario: &Scenario, n: u64, copied: bool) -> Vec<f64> {
    const SEED: u64 = 0xBAC_C0DE;
    (0..n)
        .map(|trial| {
            let phase = unit_f64(&mut stream_rng(SEED, trial, 0)) * scenario.backups.interval;
            newest_backup_age(scenario, SEED, trial, phase, 0.0, copied)
                .unwrap_or_else(|| panic!("trial {trial}: no usable backup within 35 days"))
        })
        .collect()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// With no failures, the newest usable backup is the latest one if it is ready (its phase is at
/// least `ready` old), else the one before: its age is Uniform(ready, interval + ready).
fn check_uniform_age(ages: &[f64], ready: f64, interval: f64, label: &str) {
    let n = ages.len() as f64;
    let (low, high) = (ready, interval + ready);
    assert!(
        ages.iter().all(|&a| (low..high).contains(&a)),
        "{label}: ages outside [{low}, {high})"
    );
    // Mean (low + high)/2, variance (high − low)²/12.
    let sd = (high - low) / 12f64.sqrt();
    check(
        &format!("{label} mean age (h)"),
        mean(ages) / HOUR,
        (low + high) / 2.0 / HOUR,
        sd / n.sqrt() / HOUR,
    );
    // Empirical CDF F(x) = (x − low)/(high − low), standard error sqrt(F(1 − F)/n).
    for x in [1.0 * HOUR, 2.0 * HOUR, 3.0 * HOUR, 4.0 * HOUR] {
        let f = (x - low) / (high - low);
        let measured = ages.iter().filter(|&&a| a <= x).count() as f64 / n;
        check(
            &format!("{label} P(age ≤ {}h)", x / HOUR),
            measured,
            f,
            (f * (1.0 - f) / n).sqrt(),
        );
    }
}

#[test]
fn backup_rpo_is_uniform_over_the_cycle() {
    let scenario = backup_scenario(0.0);
    let n = 100_000;
    // Cross-region copy: usable 10 + 20 = 30 min after its start.
    check_uniform_age(
        &backup_ages(&scenario, n, true),
        30.0 * MIN,
        4.0 * HOUR,
        "copied",
    );
    // In-region: usable 10 min after its start.
    check_uniform_age(
        &backup_ages(&scenario, n, false),
        10.0 * MIN,
        4.0 * HOUR,
        "in-region",
    );
}

#[test]
fn failed_backups_add_a_geometric_number_of_intervals() {
    // Each backup fails with p: the age is the failure-free Uniform(30 min, 4 h 30 min) plus
    // G intervals, G ~ Geometric(failures before the first success), E[G] = p/(1 − p),
    // Var[G] = p/(1 − p)².
    let p = 0.5;
    let interval = 4.0 * HOUR;
    let ages = backup_ages(&backup_scenario(p), 100_000, true);
    let n = ages.len() as f64;
    let (low, high) = (30.0 * MIN, interval + 30.0 * MIN);
    let expected = (low + high) / 2.0 + interval * p / (1.0 - p);
    let variance = (high - low).powi(2) / 12.0 + interval * interval * p / (1.0 - p).powi(2);
    check(
        "p=0.5 mean age (h)",
        mean(&ages) / HOUR,
        expected / HOUR,
        (variance / n).sqrt() / HOUR,
    );
    // Ages of at least g intervals + 30 min are exactly those where G ≥ g: probability p^g.
    for g in [1, 2, 3] {
        let q = p.powi(g);
        let measured = ages
            .iter()
            .filter(|&&a| a >= low + f64::from(g) * interval)
            .count() as f64
            / n;
        check(
            &format!("p=0.5 P(G ≥ {g})"),
            measured,
            q,
            (q * (1.0 - q) / n).sqrt(),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Deterministic recovery times

/// Every duration on the region-loss runbooks is fixed, launches never fail, the recovery region
/// is never congested, and the primary stays down for 100 days, so every trial recovers in
/// exactly the length of the runbook's critical path. Detection is Uniform(i·(k − 1) + timeout,
/// i·k + timeout) with i = 0 s, k = 1: exactly the 5 s timeout.
const CONSTANT: &str = r#"
[regions]
provision-network = "5m"

[objectives]
service-level = 0.8

[tiers.web]
instance-type = "m6i.large"
count = 4
pending = "10s"
boot = "20s"
bootstrap = "50s"
health-check = "30s"

[tiers.app]
instance-type = "m6i.xlarge"
count = 6
pending = "15s"
boot = "25s"
bootstrap = "100s"
health-check = "40s"

[database]
size = "500GiB"
restore = "15m"
promote = "2m"
resize = "3m"
multi-az-failover = "80s"
global-failover = "90s"

[data.uploads]
size = "200GiB"
storage = "standard"
replication = "crr"

[replication]
bandwidth = "50MB/s"

[restore]
bandwidth = "1GB/s"
per-transfer = "100MiB/s"

[launch]
burst = 100
failure-probability = 0.0
retry-delay = "30s"

[detection]
failure-threshold = 1
timeout = "5s"
manual-decision = "10m"
automated-decision = "30s"

[dns]
client-ttl = "60s"

[disasters.region-loss]
annual-rate = 1.0
outage = "100d"
congestion-probability = 0.0

[disasters.az-loss]
annual-rate = 0.0

[disasters.corruption]
annual-rate = 0.0

[disasters.ransomware]
annual-rate = 0.0

[strategies.backup-restore]
failover = "manual"
health-check-interval = "0s"

[strategies.pilot-light]
failover = "manual"
health-check-interval = "0s"

[strategies.warm-standby]
failover = "automated"
health-check-interval = "0s"
standby-fraction = 0.25

[strategies.multi-site]
failover = "automated"
health-check-interval = "0s"
site-capacity = 1.0
"#;

// The values above, in seconds.
const DETECT: f64 = 5.0;
const MANUAL: f64 = 10.0 * MIN;
const AUTOMATED: f64 = 30.0;
const DNS: f64 = 60.0;
const PROVISION: f64 = 5.0 * MIN;
const RESTORE_DB: f64 = 15.0 * MIN;
const PROMOTE: f64 = 2.0 * MIN;
const RESIZE: f64 = 3.0 * MIN;
/// pending + boot + bootstrap + health check; all 10 launches fit in the burst of 100, so every
/// instance starts at once and the fleet is up after one instance's time.
const LAUNCH_WEB: f64 = 10.0 + 20.0 + 50.0 + 30.0;
const LAUNCH_APP: f64 = 15.0 + 25.0 + 100.0 + 40.0;
/// Hydration of 500 GiB at the 100 MiB/s per-transfer cap (the two restores use 200 MiB/s of
/// the 1 GB/s link, so each runs at its cap).
const HYDRATE_DB: f64 = 500.0 * 1024.0 / 100.0;
/// Restore of the 200 GiB uploads at 100 MiB/s (standard storage: no retrieval delay).
const RESTORE_UPLOADS: f64 = 200.0 * 1024.0 / 100.0;

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// The region-loss RTO of each strategy, in seconds, and the steps on its critical path.
fn critical_paths() -> [(Strategy, f64, &'static [&'static str]); 4] {
    // Backup-restore: decide, then the database restore + hydration, the fleets after the
    // network, and the uploads restore after the network (retrieval is instant), then DNS.
    let backup_restore = DETECT
        + MANUAL
        + max(&[
            RESTORE_DB + HYDRATE_DB,
            PROVISION + LAUNCH_WEB,
            PROVISION + LAUNCH_APP,
            PROVISION + RESTORE_UPLOADS,
        ])
        + DNS;
    // Pilot light: decide, then promote + resize the replica while both fleets launch, then DNS.
    let pilot_light = DETECT + MANUAL + max(&[PROMOTE + RESIZE, LAUNCH_WEB, LAUNCH_APP]) + DNS;
    // Warm standby (automated): promote while both tiers scale out from a quarter of their size
    // (3 web and 3 app instances needed to reach 80 %), then DNS.
    let warm_standby = DETECT + AUTOMATED + max(&[PROMOTE, LAUNCH_WEB, LAUNCH_APP]) + DNS;
    // Multi-site, automated, each site at full capacity: no decision, nothing to launch; the
    // recovery site's read replica is promoted (RDS replicates across regions asynchronously),
    // then DNS.
    let multi_site = DETECT + PROMOTE + DNS;
    [
        (
            Strategy::BackupRestore,
            backup_restore,
            &["detect", "decide", "restore-db", "hydrate-db", "switch-dns"],
        ),
        (
            Strategy::PilotLight,
            pilot_light,
            &["detect", "decide", "promote-db", "resize-db", "switch-dns"],
        ),
        (
            Strategy::WarmStandby,
            warm_standby,
            &["detect", "decide", "scale-app", "switch-dns"],
        ),
        (
            Strategy::MultiSite,
            multi_site,
            &["detect", "decide", "promote-db", "switch-dns"],
        ),
    ]
}

#[test]
fn constant_durations_give_the_critical_path_length() {
    let scenario = load(CONSTANT);
    let trials = 600;
    let results = run(&scenario, trials, 7, 2);
    assert_eq!(
        results.disaster_trials(Disaster::RegionLoss),
        trials,
        "only region losses happen"
    );
    for (strategy, expected, path) in critical_paths() {
        let cell = &results.cells[strategy.index()][Disaster::RegionLoss.index()];
        let s = cell.rto.summary();
        let expected_ms = expected * 1000.0;
        println!(
            "{}: RTO p50 {} ms, min {} ms, max {} ms; by hand {expected_ms} ms",
            strategy.name(),
            s.p50,
            cell.rto.min(),
            s.max
        );
        assert_eq!(
            cell.primary_first,
            0,
            "{}: the primary is down for 100 days",
            strategy.name()
        );
        // The histogram's resolution is 0.1 %; the exact minimum and maximum are exact.
        assert!(
            (s.p50 - expected_ms).abs() <= 1e-3 * expected_ms,
            "{}: p50 {} ms, expected {expected_ms} ms",
            strategy.name(),
            s.p50
        );
        assert!(
            (s.max - expected_ms).abs() <= 1e-3 * expected_ms,
            "{}: max {} ms, expected {expected_ms} ms",
            strategy.name(),
            s.max
        );
        assert_eq!(
            cell.rto.min(),
            cell.rto.max(),
            "{}: every trial must take the same time",
            strategy.name()
        );
        // The critical path: the named steps in every trial, and no time from any other step (a
        // zero-length step tied with the path, like multi-site's empty scale-outs, may be listed
        // on it, contributing nothing). The contributions add up to the RTO.
        let names = &results.step_names[strategy.index()][Disaster::RegionLoss.index()];
        for (name, stat) in names.iter().zip(&cell.steps) {
            if path.contains(&name.as_str()) {
                assert_eq!(
                    stat.on_path,
                    trials,
                    "{}: step {name} on the critical path in {} of {trials} trials",
                    strategy.name(),
                    stat.on_path
                );
            } else {
                assert_eq!(
                    stat.contribution.sum,
                    0,
                    "{}: step {name} is off the critical path but contributed {} ms",
                    strategy.name(),
                    stat.contribution.sum
                );
            }
        }
        let total: u128 = cell.steps.iter().map(|stat| stat.contribution.sum).sum();
        assert_eq!(
            total,
            u128::from(trials) * expected_ms as u128,
            "{}: critical-path contributions must add up to the RTO",
            strategy.name()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Per-tier service levels (k of n)

/// `CONSTANT` with its two tiers replaced by `tiers`.
fn with_tiers(tiers: &str) -> String {
    let (head, rest) = CONSTANT.split_once("[tiers.web]").unwrap_or_default();
    let (_, tail) = rest.split_once("[database]").unwrap_or_default();
    format!("{head}{tiers}\n[database]{tail}")
}

/// The pilot-light region-loss RTOs of a scenario, ms.
fn pilot_light_rto(scenario: &Scenario, trials: u64) -> sim_core::stats::Tally {
    let results = run(scenario, trials, 11, 2);
    let cell = &results.cells[Strategy::PilotLight.index()][Disaster::RegionLoss.index()];
    assert_eq!(cell.primary_first, 0, "the primary is down for 100 days");
    cell.rto.clone()
}

#[test]
fn a_tier_needing_all_of_its_fleet_waits_for_the_last_launch_slot() {
    // Constant instance times; the launcher grants one launch every 10 s (burst 1), so the j-th
    // instance of a fleet (from 0) starts 10·j s after the first, and a fleet needing k of its
    // n instances is up 10·(k − 1) s + one instance's time after its start. The app fleet
    // launches after the web fleet, and finds the launcher 10 s per web request later.
    let base = CONSTANT.replace("burst = 100", "rate = 0.1\nburst = 1")
        + "\n[strategies.pilot-light.runbook.launch-app]\nafter = [\"launch-web\"]\n";
    let fixed = DETECT + MANUAL + DNS;
    // (tier overrides, global service level, launch chain by hand in seconds)
    let cases = [
        // web needs 4 of 4: slots 0…30 s; app needs 1 of 6 (0.1 × 6 → 1): its first slot at
        // 140 s is free (the launcher's next slot is 40 s).
        (Some((1.0, 0.1)), 0.8, 30.0 + LAUNCH_WEB + LAUNCH_APP),
        // web needs 1 of 4: up at 110 s, its 4 requests took slots 0…30 s; app needs 6 of 6:
        // slots 110…160 s.
        (Some((0.25, 1.0)), 0.8, LAUNCH_WEB + 50.0 + LAUNCH_APP),
        // No tier sets one: the global 0.75 → web 3 of 4 (up at 20 + 110 s), app 5 of 6
        // (slots 130…170 s).
        (None, 0.75, 20.0 + LAUNCH_WEB + 40.0 + LAUNCH_APP),
    ];
    for (tiers, global, chain) in cases {
        let mut text = base.replace("service-level = 0.8", &format!("service-level = {global}"));
        if let Some((web, app)) = tiers {
            text = text
                .replace(
                    "count = 4\n",
                    &format!("count = 4\nservice-level = {web}\n"),
                )
                .replace(
                    "count = 6\n",
                    &format!("count = 6\nservice-level = {app}\n"),
                );
        }
        let scenario = load(&text);
        // The launch chain outlasts promote + resize (5 min), so it sets the RTO.
        assert!(chain > PROMOTE + RESIZE);
        let expected_ms = ((fixed + chain) * 1000.0) as u64;
        let rto = pilot_light_rto(&scenario, 200);
        println!(
            "tiers {tiers:?}, global {global}: RTO {} ms, by hand {expected_ms} ms",
            rto.max()
        );
        assert_eq!(
            (rto.min(), rto.max()),
            (expected_ms, expected_ms),
            "tiers {tiers:?}, global {global}"
        );
    }
}

#[test]
fn a_tier_fleet_takes_the_k_th_order_statistic_of_its_launch_times() {
    // One tier of n = 4 whose launch-to-healthy time is Exp(λ), λ = 1/100 s; no failures, no
    // launcher limit. A fleet needing k of n is up at the k-th smallest of n exponentials, whose
    // mean is Σ_{i=n−k+1}^{n} 1/(i·λ) and variance Σ 1/(i·λ)²; the promotion takes no time, so
    // the pilot-light RTO is detect + decide + that + DNS.
    let mean_time = 100.0;
    let n = 4u32;
    let trials = 20_000u64;
    for (level, k) in [(1.0, 4u32), (0.5, 2), (0.25, 1)] {
        let text = with_tiers(&format!(
            "[tiers.web]\ninstance-type = \"m6i.large\"\ncount = {n}\nservice-level = {level}\n\
             pending = {{ exponential = {{ mean = \"{mean_time}s\" }} }}\nboot = \"0s\"\n\
             bootstrap = \"0s\"\nhealth-check = \"0s\"\n"
        ))
        .replace("promote = \"2m\"", "promote = \"0s\"")
        .replace(
            "[strategies.pilot-light]\n",
            "[strategies.pilot-light]\nreplica-fraction = 1.0\n",
        );
        let scenario = load(&text);
        let terms = (n - k + 1..=n).map(|i| mean_time / f64::from(i));
        let expected: f64 = terms.clone().sum();
        let variance: f64 = terms.map(|t| t * t).sum();
        let rto = pilot_light_rto(&scenario, trials);
        let fleet = rto.mean() / 1000.0 - (DETECT + MANUAL + DNS);
        check(
            &format!("k = {k} of {n}: mean fleet time (s)"),
            fleet,
            expected,
            (variance / trials as f64).sqrt(),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Concurrency limits (pools)

/// The corruption RTO (ms, every trial alike) of three constant 10-minute steps after an instant
/// decision, all holding a slot of one pool of `concurrency`, or none.
fn three_steps_rto(concurrency: Option<u32>) -> (u64, u64) {
    let pool = concurrency.map_or(String::new(), |n| {
        format!("[pools.ops]\nconcurrency = {n}\n")
    });
    let with = if concurrency.is_some() {
        ", pool = \"ops\""
    } else {
        ""
    };
    let text = format!(
        r#"{pool}
[detection]
manual-decision = "0s"
[disasters.region-loss]
annual-rate = 0
[disasters.az-loss]
annual-rate = 0
[disasters.ransomware]
annual-rate = 0
[runbooks.corruption]
restore-db = {{ remove = true }}
hydrate-db = {{ remove = true }}
a = {{ duration = "10m", after = ["decide"]{with} }}
b = {{ duration = "10m", after = ["decide"]{with} }}
c = {{ duration = "10m", after = ["decide"]{with} }}
"#
    );
    let results = run(&load(&text), 100, 13, 2);
    let cell = &results.cells[Strategy::WarmStandby.index()][Disaster::Corruption.index()];
    assert_eq!(cell.rto.count(), 100, "only corruption happens");
    (cell.rto.min(), cell.rto.max())
}

#[test]
fn steps_sharing_a_pool_run_as_many_at_once_as_its_concurrency() {
    // Three 10-minute steps ready at once: with one slot they run one after the other (30 min),
    // with two the third waits for the first to finish (20 min), with three or no pool they
    // run together (10 min).
    let minutes = |m: u64| (m * 60_000, m * 60_000);
    assert_eq!(three_steps_rto(Some(1)), minutes(30));
    assert_eq!(three_steps_rto(Some(2)), minutes(20));
    assert_eq!(three_steps_rto(Some(3)), minutes(10));
    assert_eq!(three_steps_rto(None), minutes(10));
}

#[test]
fn a_strategy_runbook_step_can_hold_a_pool() {
    // Pilot light, all durations constant: two 10-minute approvals after the decision, on the
    // path to the DNS switch, sharing one pool of 1: the launch chain becomes 20 minutes.
    let text = format!(
        "{CONSTANT}\n[pools.approvers]\nconcurrency = 1\n\n[strategies.pilot-light.runbook]\n\
         approve-a = {{ duration = \"10m\", after = [\"decide\"], pool = \"approvers\" }}\n\
         approve-b = {{ duration = \"10m\", after = [\"decide\"], pool = \"approvers\" }}\n\
         switch-dns = {{ after = [\"resize-db\", \"launch-web\", \"launch-app\", \"approve-a\", \"approve-b\"] }}\n"
    );
    let rto = pilot_light_rto(&load(&text), 100);
    let expected_ms = ((DETECT + MANUAL + 20.0 * MIN + DNS) * 1000.0) as u64;
    assert_eq!((rto.min(), rto.max()), (expected_ms, expected_ms));
}

// ---------------------------------------------------------------------------------------------
// Replication window

/// Region losses only, the primary never back in time, no apply lag, a flat daily profile:
/// 10 MB write bursts at 0.9 MB/s on a 1 MB/s link, an M/M/1 queue at ρ = 0.9 in every trial
/// (μ = 0.1/s, λ = 0.09/s). `window`: the `max-window` line, if any.
fn saturated_replication(window: &str) -> Scenario {
    load(&format!(
        r#"
[database]
write-rate = "0.9MB/s"
burst-size = "10MB"
daily-profile = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
                 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
[replication]
bandwidth = "1MB/s"
apply-lag = "0s"
{window}
[disasters.region-loss]
outage = "1000d"
[disasters.az-loss]
annual-rate = 0
[disasters.corruption]
annual-rate = 0
[disasters.ransomware]
annual-rate = 0
"#
    ))
}

#[test]
fn with_no_window_given_the_lag_at_rho_0_9_is_the_stationary_mm1_lag() {
    // The stationary M/M/1 lag (docs/model.md §4): P(A > 0) = ρ, E[A] = ρ/(μ − λ) = 90 s,
    // E[A²] = 2ρ/(μ − λ)², P(A > x) = ρ e^{−(μ−λ)x}. The default window ("auto") is 30
    // busy-period decay times, 31.7 h here; the old default of 1 h was 7.3 % low at the mean.
    let scenario = saturated_replication("");
    assert_eq!(scenario.replication.max_window, None);
    assert!(
        scenario.warnings.iter().all(|w| !w.contains("biased")),
        "{:?}",
        scenario.warnings
    );
    // 16,000 trials: 4 standard errors of E[A] are 3.1 s, half the 1 h window's bias.
    let trials = 16_000;
    let results = run(&scenario, trials, 17, 2);
    // Warm standby replicates the database asynchronously; its part is the queue's lag.
    let cell = &results.cells[Strategy::WarmStandby.index()][Disaster::RegionLoss.index()];
    assert_eq!(cell.primary_first, 0);
    let lag = &cell.rpo_parts[0];
    let n = trials as f64;
    let (rho, gap) = (0.9, 0.01);
    let busy = 1.0 - lag.count_at_most(0) as f64 / n;
    check("P(A > 0)", busy, rho, (rho * (1.0 - rho) / n).sqrt());
    let sd = ((2.0 * rho - rho * rho) / (gap * gap)).sqrt();
    check("E[A] (s)", lag.mean() / 1000.0, rho / gap, sd / n.sqrt());
    for x in [100.0, 300.0] {
        let p = rho * (-gap * x).exp();
        // Counts read from the histogram: its 0.1 % bins add at most 1e-3 of probability.
        let measured = 1.0 - lag.count_at_most((x * 1000.0) as u64) as f64 / n;
        check(
            &format!("P(A > {x} s)"),
            measured,
            p,
            (p * (1.0 - p) / n).sqrt() + 1e-3 / K_SE,
        );
    }
}

#[test]
fn a_window_capped_below_the_relaxation_time_is_warned_with_its_bias() {
    let scenario = saturated_replication("max-window = \"1h\"");
    assert_eq!(scenario.replication.max_window, Some(HOUR));
    let warning = scenario
        .warnings
        .iter()
        .find(|w| w.contains("max-window"))
        .unwrap_or_else(|| panic!("no window warning in {:?}", scenario.warnings));
    assert!(
        warning.contains("7.3 % at the mean") && warning.contains("12.9 % at p99"),
        "{warning}"
    );
}

// ---------------------------------------------------------------------------------------------
// Determinism

fn assert_same_results(a: &Results, b: &Results) {
    assert_eq!(a.trials, b.trials);
    assert_eq!(a.faster, b.faster, "faster matrix");
    assert_eq!(a.replication_overloaded, b.replication_overloaded);
    assert_eq!(a.step_names, b.step_names);
    for strategy in Strategy::ALL {
        for disaster in Disaster::ALL {
            let what = format!("{} / {}", strategy.name(), disaster.name());
            let (x, y) = (
                &a.cells[strategy.index()][disaster.index()],
                &b.cells[strategy.index()][disaster.index()],
            );
            assert_eq!(x.rto.summary(), y.rto.summary(), "{what}: RTO summary");
            assert_eq!(x.rpo.summary(), y.rpo.summary(), "{what}: RPO summary");
            assert_eq!(
                x.failback.summary(),
                y.failback.summary(),
                "{what}: failback summary"
            );
            assert!(x.rto.same_as(&y.rto), "{what}: RTO tally");
            assert!(x.rpo.same_as(&y.rpo), "{what}: RPO tally");
            assert!(x.failback.same_as(&y.failback), "{what}: failback tally");
            assert_eq!(x.meets_rto, y.meets_rto, "{what}: meets RTO");
            assert_eq!(x.meets_rpo, y.meets_rpo, "{what}: meets RPO");
            assert_eq!(x.meets_both, y.meets_both, "{what}: meets both");
            assert_eq!(x.primary_first, y.primary_first, "{what}: primary first");
            assert_eq!(
                x.no_usable_backup, y.no_usable_backup,
                "{what}: no usable backup"
            );
            assert_eq!(x.steps, y.steps, "{what}: critical-path steps");
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let scenario = scenarios::reference().expect("the reference scenario is valid");
    // More than two chunks of 4096 trials, the last one partial.
    let trials = 2 * scenarios::simulate::CHUNK_SIZE + 1000;
    let one = run(&scenario, trials, 2024, 1);
    let two = run(&scenario, trials, 2024, 2);
    assert_eq!(one.trials, trials);
    assert_same_results(&one, &two);
    // A different seed gives different results (the comparison above is not vacuous).
    let other = run(&scenario, 200, 2025, 2);
    let mine = run(&scenario, 200, 2024, 2);
    let r = Disaster::RegionLoss.index();
    assert!(
        (0..4).any(|s| !other.cells[s][r].rto.same_as(&mine.cells[s][r].rto)),
        "seeds 2024 and 2025 gave identical region-loss RTOs"
    );
}

// ---------------------------------------------------------------------------------------------
// The whitepaper's spectrum

#[test]
fn reference_scenario_spans_the_whitepaper_spectrum() {
    let scenario = scenarios::reference().expect("the reference scenario is valid");
    let results = run(&scenario, 20_000, 1, 2);
    let r = Disaster::RegionLoss.index();
    let p50 = |s: Strategy| results.cells[s.index()][r].rto.summary().p50 / 1000.0;
    let [backup_restore, pilot_light, warm_standby, multi_site] = Strategy::ALL.map(p50);
    println!(
        "region-loss RTO p50 ({} trials): backup-restore {:.1} min, pilot-light {:.1} min, warm-standby {:.1} min, multi-site {:.1} s",
        results.disaster_trials(Disaster::RegionLoss),
        backup_restore / MIN,
        pilot_light / MIN,
        warm_standby / MIN,
        multi_site
    );
    assert!(
        backup_restore >= HOUR,
        "backup-restore p50 {backup_restore} s, expected ≥ 1 h"
    );
    assert!(
        (10.0 * MIN..=HOUR).contains(&pilot_light),
        "pilot-light p50 {pilot_light} s, expected 10 min to 1 h"
    );
    assert!(
        (2.0 * MIN..=30.0 * MIN).contains(&warm_standby),
        "warm-standby p50 {warm_standby} s, expected 2 to 30 min"
    );
    // Writes resume in the recovery region once its RDS read replica is promoted (median 5 min):
    // RDS replicates across regions asynchronously, so multi-site waits for that promotion too.
    assert!(
        multi_site <= 10.0 * MIN,
        "multi-site p50 {multi_site} s, expected ≤ 10 min"
    );
    assert!(
        backup_restore > pilot_light && pilot_light > warm_standby && warm_standby > multi_site,
        "expected backup-restore > pilot-light > warm-standby > multi-site, got {backup_restore} {pilot_light} {warm_standby} {multi_site}"
    );
}

/// A step marked `background` runs on after the service is back: with the database hydrated
/// lazily (the service waits for the restored instance only), backup-restore's RTO is the
/// longest of the restore, the fleets and the uploads, without the 85 min hydration; the
/// hydration still runs, and the critical path ends at the DNS switch.
#[test]
fn background_steps_do_not_count_in_the_rto() {
    let text = format!(
        "{CONSTANT}
[strategies.backup-restore.runbook]
hydrate-db = {{ background = true }}
switch-dns = {{ after = [\"restore-db\", \"launch-web\", \"launch-app\", \"restore-uploads\"] }}
"
    );
    let scenario = load(&text);
    let trials = 200;
    let results = run(&scenario, trials, 3, 2);
    let cell = &results.cells[Strategy::BackupRestore.index()][Disaster::RegionLoss.index()];
    let expected = DETECT
        + MANUAL
        + max(&[
            RESTORE_DB,
            PROVISION + LAUNCH_WEB,
            PROVISION + LAUNCH_APP,
            PROVISION + RESTORE_UPLOADS,
        ])
        + DNS;
    assert_eq!(cell.rto.min(), cell.rto.max());
    let rto = cell.rto.max() as f64;
    assert!(
        (rto - expected * 1000.0).abs() <= 1.0,
        "RTO {rto} ms, expected {} ms",
        expected * 1000.0
    );
    let names = &results.step_names[Strategy::BackupRestore.index()][Disaster::RegionLoss.index()];
    for (name, stat) in names.iter().zip(&cell.steps) {
        if name == "hydrate-db" {
            assert_eq!(
                stat.on_path, 0,
                "a background step is never on the critical path"
            );
        }
        if name == "switch-dns" {
            assert_eq!(stat.on_path, trials);
        }
    }
    // Every step in the background is refused: nothing would bring the service back.
    let all_background = format!(
        "{CONSTANT}
[runbooks.corruption]
decide = {{ background = true }}
restore-db = {{ background = true }}
hydrate-db = {{ background = true }}
"
    );
    let error = scenarios::load(&all_background, "bg.toml")
        .map(|_| ())
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("every step runs in the background"),
        "{error}"
    );
}
