//! A standing defence against hostile input (issue 10): a seeded generator of mutants of the
//! reference scenario — extreme and degenerate numbers, wrong types, degenerate distributions,
//! long runbook chains and cycles, huge counts — each run through the binary under a time and
//! memory limit (`timeout`, `ulimit -v`) with few trials. Every mutant must end with exit 0 or
//! 2, never panic, and when refused name its file. The cases are the same on every run (a fixed
//! seed); `DRSIM_MUTANTS=N` runs more.
//!
//! The limits are a safety net against hangs and runaway memory, not a speed test: they are far
//! above what any mutant needs (a debug build runs each in well under a second).

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_drsim");

/// Seconds one mutant may run before it counts as a hang.
const TIME_LIMIT_S: u32 = 120;

/// Virtual memory one mutant may map, KiB.
const MEMORY_LIMIT_KIB: u64 = 4 * 1024 * 1024;

/// SplitMix64: a small, fixed generator, so the cases never change with a dependency.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// What a key holds, which decides the mutations tried on it.
#[derive(Clone, Copy)]
enum Kind {
    Duration,
    Size,
    Rate,
    Factor,
    Probability,
    Fraction,
    Count,
    Number,
    Text,
    Bool,
    Money,
}

/// (table, key, kind) of the reference scenario.
const KEYS: &[(&str, &str, Kind)] = &[
    ("", "name", Kind::Text),
    ("regions", "primary", Kind::Text),
    ("regions", "recovery", Kind::Text),
    ("regions", "provision-network", Kind::Duration),
    ("objectives", "rto", Kind::Duration),
    ("objectives", "rpo", Kind::Duration),
    ("objectives", "confidence", Kind::Probability),
    ("objectives", "service-level", Kind::Fraction),
    ("objectives.corruption", "rto", Kind::Duration),
    ("tiers.web", "count", Kind::Count),
    ("tiers.web", "instance-type", Kind::Text),
    ("tiers.web", "multi-az", Kind::Bool),
    ("tiers.web", "boot", Kind::Duration),
    ("tiers.web", "health-check", Kind::Duration),
    ("tiers.app", "count", Kind::Count),
    ("tiers.app", "pending", Kind::Duration),
    ("tiers.app", "service-level", Kind::Fraction),
    ("pools.team", "concurrency", Kind::Count),
    ("database", "engine", Kind::Text),
    ("database", "instance-class", Kind::Text),
    ("database", "size", Kind::Size),
    ("database", "write-rate", Kind::Rate),
    ("database", "burst-size", Kind::Size),
    ("database", "restore", Kind::Duration),
    ("database", "multi-az", Kind::Bool),
    ("database", "consistency", Kind::Text),
    ("database", "global-lag", Kind::Duration),
    ("database", "add-instance", Kind::Duration),
    ("database", "table-lag", Kind::Duration),
    ("database", "table-restore", Kind::Duration),
    ("data.uploads", "size", Kind::Size),
    ("data.uploads", "storage", Kind::Text),
    ("data.uploads", "replication", Kind::Text),
    ("replication", "bandwidth", Kind::Rate),
    ("replication", "max-window", Kind::Duration),
    ("replication", "apply-lag", Kind::Duration),
    ("restore", "bandwidth", Kind::Rate),
    ("restore", "per-transfer", Kind::Rate),
    ("launch", "rate", Kind::Number),
    ("launch", "burst", Kind::Count),
    ("launch", "failure-probability", Kind::Probability),
    ("launch", "retry-delay", Kind::Duration),
    ("detection", "failure-threshold", Kind::Count),
    ("detection", "timeout", Kind::Duration),
    ("detection", "manual-decision", Kind::Duration),
    ("dns", "client-ttl", Kind::Duration),
    ("backups", "interval", Kind::Duration),
    ("backups", "duration", Kind::Duration),
    ("backups", "copy-delay", Kind::Duration),
    ("backups", "failure-probability", Kind::Probability),
    ("backups", "retention", Kind::Duration),
    ("disasters.region-loss", "annual-rate", Kind::Number),
    ("disasters.region-loss", "outage", Kind::Duration),
    ("disasters.region-loss", "launch-slowdown", Kind::Factor),
    ("disasters.region-loss", "throughput-factor", Kind::Factor),
    ("disasters.az-loss", "annual-rate", Kind::Number),
    ("disasters.corruption", "annual-rate", Kind::Number),
    ("disasters.corruption", "dwell", Kind::Duration),
    ("disasters.ransomware", "dwell", Kind::Duration),
    ("disasters.ransomware", "clean-room", Kind::Duration),
    ("strategies.pilot-light", "replica-fraction", Kind::Fraction),
    (
        "strategies.warm-standby",
        "standby-fraction",
        Kind::Fraction,
    ),
    ("strategies.multi-site", "traffic-weight", Kind::Fraction),
    (
        "strategies.multi-site",
        "health-check-interval",
        Kind::Duration,
    ),
    ("strategies.backup-restore", "failover", Kind::Text),
    ("costs", "downtime-per-hour", Kind::Money),
    ("costs", "drills-per-year", Kind::Number),
    ("costs", "drill-duration", Kind::Duration),
];

/// Values that fit no key or every key badly: wrong types and extremes.
const ANY: &[&str] = &[
    "true",
    "[]",
    "[1, 2]",
    "{}",
    "{ a = 1 }",
    "\"\"",
    "\"x\"",
    "0",
    "-1",
    "9223372036854775807",
    "-9223372036854775808",
    "1e308",
    "-1e308",
    "5e-324",
    "nan",
    "inf",
    "-inf",
    "\"\u{1F4A5}\"",
    "1979-05-27T07:32:00Z",
];

const NUMBERS: &[&str] = &[
    "0",
    "0.0",
    "-0.0",
    "1",
    "0.5",
    "0.999999999",
    "1.0",
    "1.0000001",
    "2",
    "1e-300",
    "1e300",
    "4294967295",
    "4294967296",
    "10000",
    "10001",
    "1000000000",
];

const DURATIONS: &[&str] = &[
    "\"0s\"",
    "\"-0s\"",
    "\"1ms\"",
    "\"59s\"",
    "\"1m\"",
    "\"1e12h\"",
    "\"1e400h\"",
    "\"1e-400s\"",
    "\"99999999999999999999d\"",
    "\"NaNs\"",
    "\"infh\"",
    "\"4 h\"",
    "\"4hours\"",
    "\"1.5.2h\"",
    "\"--1h\"",
    "{ fixed = \"0s\" }",
    "{ uniform = { low = \"5s\", high = \"5s\" } }",
    "{ uniform = { low = \"9s\", high = \"5s\" } }",
    "{ lognormal = { median = \"0s\", p95 = \"0s\" } }",
    "{ lognormal = { median = \"1s\", p95 = \"1e12h\" } }",
    "{ lognormal = { median = \"1ms\", p95 = \"1000d\" } }",
    "{ exponential = { mean = \"0s\" } }",
    "{ exponential = { mean = \"1000d\" } }",
    "{ triangular = { min = \"1s\", mode = \"1s\", max = \"1s\" } }",
    "{ pert = { min = \"0s\", mode = \"0s\", max = \"1e9d\" } }",
    "{ empirical = [] }",
    "{ empirical = [\"1s\"] }",
    "{ empirical = [\"1s\", \"-1s\"] }",
    "{ gamma = { k = \"1s\" } }",
    "{ uniform = { low = \"1s\" } }",
    "{ uniform = { low = \"1s\", high = \"2s\", mid = \"1s\" } }",
    "{ uniform = { low = \"1s\", high = \"2s\" }, fixed = \"1s\" }",
];

const SIZES: &[&str] = &[
    "\"0B\"",
    "\"1B\"",
    "\"1e30TB\"",
    "\"1e400TB\"",
    "\"500 GiB\"",
    "\"5PB\"",
    "{ uniform = { low = \"0B\", high = \"0B\" } }",
    "{ lognormal = { median = \"1B\", p95 = \"1e20TB\" } }",
];

const RATES: &[&str] = &[
    "\"0B/s\"",
    "\"1B/s\"",
    "\"1e30GB/s\"",
    "\"1e-30B/s\"",
    "\"100Mbps\"",
    "\"5MB\"",
    "{ uniform = { low = \"0B/s\", high = \"1B/s\" } }",
    "{ exponential = { mean = \"1B/s\" } }",
];

const TEXTS: &[&str] = &[
    "\"\"",
    "\" \"",
    "\"us-east-1\"",
    "\"us-west-2\"",
    "\"mars-1\"",
    "\"m6i.large\"",
    "\"db.r6g.large\"",
    "\"rds-postgresql\"",
    "\"aurora-mysql\"",
    "\"oracle\"",
    "\"glacier-flexible-bulk\"",
    "\"deep-archive-bulk\"",
    "\"none\"",
    "\"crr-rtc\"",
    "\"automated\"",
    "\"auto\"",
    "\"dynamodb\"",
    "\"eventual\"",
    "\"strong\"",
    "\"team\"",
    "\"\\u0000\"",
];

fn value(g: &mut Gen, kind: Kind) -> String {
    if g.below(5) == 0 {
        return g.pick(ANY).to_string();
    }
    match kind {
        Kind::Duration => g.pick(DURATIONS).to_string(),
        Kind::Factor if g.below(2) == 0 => g.pick(DURATIONS).to_string(),
        Kind::Size => g.pick(SIZES).to_string(),
        Kind::Rate => g.pick(RATES).to_string(),
        Kind::Factor => g.pick(NUMBERS).to_string(),
        Kind::Probability | Kind::Fraction | Kind::Number | Kind::Count => {
            g.pick(NUMBERS).to_string()
        }
        Kind::Money => g
            .pick(&[
                "0",
                "1",
                "\"1,000.50\"",
                "\"1.005\"",
                "1e308",
                "\"-5\"",
                "18446744073709551615",
            ])
            .to_string(),
        Kind::Text => g.pick(TEXTS).to_string(),
        Kind::Bool => g.pick(&["true", "false", "1", "\"yes\""]).to_string(),
    }
}

/// A runbook override: a long chain, a long cycle, or steps with odd references.
fn runbook(g: &mut Gen) -> String {
    let strategy = g.pick(&[
        "backup-restore",
        "pilot-light",
        "warm-standby",
        "multi-site",
    ]);
    let n = [2, 50, 400, 1_000, 1_001, 3_000][g.below(6)];
    let cycle = g.below(3) == 0;
    let pooled = g.below(3) == 0;
    let mut text = format!("[strategies.{strategy}.runbook]\n");
    for i in 0..n {
        let after = if i > 0 {
            format!(", after = [\"s{}\"]", i - 1)
        } else if cycle {
            format!(", after = [\"s{}\"]", n - 1)
        } else {
            ", after = [\"switch-dns\"]".to_string()
        };
        let duration = if g.below(10) == 0 {
            g.pick(DURATIONS).to_string()
        } else {
            "\"1s\"".to_string()
        };
        // Sometimes the steps share a pool (declared or not, of a hostile size).
        let pool = if pooled { ", pool = \"team\"" } else { "" };
        let _ = writeln!(text, "s{i} = {{ duration = {duration}{after}{pool} }}");
    }
    if pooled && g.below(2) == 0 {
        let _ = writeln!(text, "[pools.team]\nconcurrency = {}", g.pick(NUMBERS));
    }
    text
}

/// One mutant scenario: one to three mutated keys, sometimes a runbook, sometimes many tiers or
/// datasets.
fn mutant(g: &mut Gen) -> String {
    let mut tables: std::collections::BTreeMap<&str, Vec<(&str, String)>> = Default::default();
    for _ in 0..1 + g.below(3) {
        let (table, key, kind) = KEYS[g.below(KEYS.len())];
        let entry = tables.entry(table).or_default();
        if !entry.iter().any(|(k, _)| *k == key) {
            entry.push((key, value(g, kind)));
        }
    }
    let mut text = String::new();
    if let Some(top) = tables.remove("") {
        for (key, value) in top {
            let _ = writeln!(text, "{key} = {value}");
        }
    }
    for (table, keys) in &tables {
        let _ = writeln!(text, "[{table}]");
        if table.starts_with("tiers.") && !keys.iter().any(|(k, _)| *k == "instance-type") {
            let _ = writeln!(text, "instance-type = \"m6i.large\"");
        }
        if table.starts_with("tiers.") && !keys.iter().any(|(k, _)| *k == "count") {
            let _ = writeln!(text, "count = 2");
        }
        for (key, value) in keys {
            let _ = writeln!(text, "{key} = {value}");
        }
    }
    match g.below(8) {
        0 => text.push_str(&runbook(g)),
        1 => {
            let n = [20, 100, 101][g.below(3)];
            text.push_str("[data]\n");
            for i in 0..n {
                let _ = writeln!(text, "d{i} = {{ size = \"1GB\", storage = \"standard\" }}");
            }
        }
        2 => {
            let n = [3, 50][g.below(2)];
            for i in 0..n {
                let _ = writeln!(
                    text,
                    "[tiers.t{i}]\ninstance-type = \"m6i.large\"\ncount = {}",
                    g.pick(&["1", "100", "10000"])
                );
            }
        }
        _ => {}
    }
    text
}

#[test]
fn hostile_mutants_exit_0_or_2_without_panic_and_name_their_file() {
    let cases: usize = std::env::var("DRSIM_MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(160);
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gen(0x0D15_A57E_u64);
    let mut failures = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    // DRSIM_MUTANT=N runs case N alone (to reproduce a failure).
    let only: Option<usize> = std::env::var("DRSIM_MUTANT")
        .ok()
        .and_then(|n| n.parse().ok());
    let cases = only.map_or(cases, |n| n + 1);
    for case in 0..cases {
        let text = mutant(&mut g);
        if only.is_some_and(|n| n != case) {
            continue;
        }
        let name = format!("mutant-{case}.toml");
        std::fs::write(dir.path().join(&name), &text).unwrap();
        if only.is_some() {
            std::fs::write(std::env::temp_dir().join(&name), &text).unwrap();
        }
        let plan = case % 8 == 7;
        let run = if plan {
            format!("plan {name} --years 3 --threads 1 -q")
        } else {
            format!("simulate {name} --trials 16 --threads 1 -q --format json")
        };
        let script = format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec timeout {TIME_LIMIT_S} \"$DRSIM\" {run} > /dev/null"
        );
        let output = Command::new("sh")
            .current_dir(dir.path())
            .env("DRSIM", BIN)
            .args(["-c", &script])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut problems = Vec::new();
        match output.status.code() {
            Some(0) => accepted += 1,
            Some(2) => {
                refused += 1;
                if !stderr.contains(&name) {
                    problems.push("the message does not name the file".to_string());
                }
            }
            Some(124) => problems.push(format!("still running after {TIME_LIMIT_S} s")),
            other => problems.push(format!("exit status {other:?}")),
        }
        if stderr.contains("panicked") || stderr.contains("memory allocation") {
            problems.push("panicked or ran out of memory".to_string());
        }
        if !problems.is_empty() {
            let shown: String = text.chars().take(600).collect();
            failures.push(format!(
                "{name} ({run}): {}\n  stderr: {}\n  scenario:\n{shown}",
                problems.join("; "),
                stderr.chars().take(600).collect::<String>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} mutants misbehave:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The generator must exercise both paths.
    assert!(
        only.is_some() || (accepted > 0 && refused > 0),
        "accepted {accepted}, refused {refused}"
    );
}
