//! Every rate key follows one rule (`validate::rate_of`): each of the seven distribution forms
//! is accepted on each rate key, forms reaching down to 0 included, and only a point mass at 0
//! (a fixed 0, or an empirical 0) is refused, with the same message on every key.

#![allow(clippy::unwrap_used)]

use scenarios::{RunOptions, Scenario};
use sim_core::dist::Dist;

/// (section, key, a typical value in MB/s): write rates well below the link, links well above.
const RATE_KEYS: &[(&str, &str, f64)] = &[
    ("database", "write-rate", 1.0),
    ("replication", "bandwidth", 50.0),
    ("restore", "bandwidth", 1000.0),
    ("restore", "per-transfer", 100.0),
];

/// Whether a loaded distribution is the variant a form must become.
type IsVariant = fn(&Dist) -> bool;

/// Each distribution form around `m` MB/s, with the variant it must become.
fn forms(m: f64) -> Vec<(String, IsVariant)> {
    let r = |x: f64| format!("\"{}MB/s\"", x * m);
    vec![
        (r(1.0), |d| matches!(d, Dist::Fixed(_))),
        (format!("{{ fixed = {} }}", r(1.0)), |d| {
            matches!(d, Dist::Fixed(_))
        }),
        (
            format!("{{ uniform = {{ low = {}, high = {} }} }}", r(0.0), r(2.0)),
            |d| matches!(d, Dist::Uniform { .. }),
        ),
        (
            format!(
                "{{ triangular = {{ min = {}, mode = {}, max = {} }} }}",
                r(0.0),
                r(1.0),
                r(2.0)
            ),
            |d| matches!(d, Dist::Triangular { .. }),
        ),
        (
            format!(
                "{{ pert = {{ min = {}, mode = {}, max = {} }} }}",
                r(0.0),
                r(1.0),
                r(2.0)
            ),
            |d| matches!(d, Dist::Pert { .. }),
        ),
        (
            format!("{{ exponential = {{ mean = {} }} }}", r(1.0)),
            |d| matches!(d, Dist::Exponential { .. }),
        ),
        (
            format!(
                "{{ lognormal = {{ median = {}, p95 = {} }} }}",
                r(1.0),
                r(3.0)
            ),
            |d| matches!(d, Dist::LogNormal { .. }),
        ),
        (format!("{{ empirical = [{}, {}] }}", r(0.5), r(1.5)), |d| {
            matches!(d, Dist::Empirical(_))
        }),
    ]
}

fn rate<'a>(scenario: &'a Scenario, section: &str, key: &str) -> &'a Dist {
    match (section, key) {
        ("database", "write-rate") => &scenario.database.write_rate,
        ("replication", "bandwidth") => &scenario.replication.bandwidth,
        ("restore", "bandwidth") => &scenario.restore.bandwidth,
        ("restore", "per-transfer") => &scenario.restore.per_transfer,
        _ => panic!("unknown rate key {section}.{key}"),
    }
}

#[test]
fn every_rate_key_accepts_every_distribution_form() {
    for &(section, key, m) in RATE_KEYS {
        for (value, is_form) in forms(m) {
            let text = format!("[{section}]\n{key} = {value}\n");
            let scenario = scenarios::load(&text, "test.toml")
                .unwrap_or_else(|e| panic!("{section}.{key} = {value} refused: {e}"));
            let dist = rate(&scenario, section, key);
            assert!(is_form(dist), "{section}.{key} = {value} became {dist:?}");
        }
    }
}

#[test]
fn every_rate_key_refuses_a_point_mass_at_zero_alike() {
    for &(section, key, _) in RATE_KEYS {
        for value in [
            "\"0MB/s\"",
            "{ fixed = \"0B/s\" }",
            "{ empirical = [\"0MB/s\", \"10MB/s\"] }",
        ] {
            let text = format!("[{section}]\n{key} = {value}\n");
            let error = scenarios::load(&text, "test.toml")
                .err()
                .unwrap_or_else(|| panic!("{section}.{key} = {value} was accepted"))
                .to_string();
            assert!(
                error.contains(&format!("{section}.{key}"))
                    && error.contains("a rate must be > 0 in every trial"),
                "{section}.{key} = {value}: {error}"
            );
        }
    }
}

#[test]
fn rates_reaching_down_to_zero_simulate() {
    // Every rate exponential at once: draws near 0 make slow trials, never a failure.
    let text = r#"
[database]
write-rate = { exponential = { mean = "1MB/s" } }
[replication]
bandwidth = { exponential = { mean = "50MB/s" } }
[restore]
bandwidth = { exponential = { mean = "1GB/s" } }
per-transfer = { uniform = { low = "0MB/s", high = "150MiB/s" } }
"#;
    let scenario = scenarios::load(text, "test.toml").unwrap();
    let results = scenarios::simulate(
        &scenario,
        &RunOptions {
            trials: 2000,
            seed: 3,
            threads: 1,
            progress: None,
        },
    )
    .unwrap();
    assert_eq!(results.trials, 2000);
}
