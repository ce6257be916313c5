//! Loading scenario files through the public API: no input makes `scenarios::load` panic (it
//! returns `Ok` or `Err`), an empty file and the text `drsim init` writes both give the embedded
//! reference scenario, and runbook steps can be overridden, removed and added.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use scenarios::Strategy as DrStrategy;
use scenarios::runbooks::{Action, StepDef};
use scenarios::{Disaster, RunOptions, Scenario};
use sim_core::dist::Dist;

fn load(text: &str) -> Scenario {
    scenarios::load(text, "test.toml")
        .unwrap_or_else(|e| panic!("scenario refused: {e}\n--- text ---\n{text}"))
}

fn reference() -> Scenario {
    scenarios::reference().unwrap_or_else(|e| panic!("the reference scenario is refused: {e}"))
}

fn runbook(scenario: &Scenario, strategy: DrStrategy) -> &[StepDef] {
    &scenario.strategies[strategy.index()].runbook
}

fn step<'a>(steps: &'a [StepDef], name: &str) -> &'a StepDef {
    steps
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no step {name:?} in {steps:#?}"))
}

fn names(steps: &[StepDef]) -> Vec<&str> {
    steps.iter().map(|s| s.name.as_str()).collect()
}

// ---------------------------------------------------------------------------------------------
// The reference, through every door.

#[test]
fn an_empty_file_is_the_reference_scenario() {
    // `Scenario` holds no file name or position, so nothing needs masking.
    let empty = load("");
    assert_eq!(format!("{empty:#?}"), format!("{:#?}", reference()));
    assert!(
        empty.warnings.is_empty(),
        "the reference scenario warns: {:?}",
        empty.warnings
    );
}

#[test]
fn comments_and_blank_lines_alone_are_the_reference_scenario() {
    let text = "# nothing but a comment\n\n   \n# another\n";
    assert_eq!(format!("{:#?}", load(text)), format!("{:#?}", reference()));
}

#[test]
fn the_reference_text_loaded_as_a_user_file_is_the_reference_scenario() {
    assert_eq!(
        format!("{:#?}", load(scenarios::REFERENCE)),
        format!("{:#?}", reference())
    );
}

#[test]
fn the_init_text_loads_and_is_the_reference_scenario() {
    let text = scenarios::init_text().unwrap_or_else(|e| panic!("init_text failed: {e}"));
    assert!(
        text.starts_with(scenarios::REFERENCE),
        "init text should start with the reference scenario"
    );
    assert!(
        text.contains("[strategies.pilot-light.runbook]"),
        "init text should spell out the runbooks"
    );
    assert!(
        text.contains("[runbooks.failback]"),
        "init text should spell out the shared runbooks"
    );
    let loaded = scenarios::load(&text, "drsim.toml")
        .unwrap_or_else(|e| panic!("the init text is refused: {e}"));
    assert_eq!(format!("{loaded:#?}"), format!("{:#?}", reference()));
}

// ---------------------------------------------------------------------------------------------
// Runbook overrides.

#[test]
fn a_step_can_be_removed_when_its_dependants_are_repointed() {
    let text = r#"
[strategies.pilot-light.runbook.resize-db]
remove = true

[strategies.pilot-light.runbook.switch-dns]
after = ["promote-db", "launch-app", "launch-web"]
"#;
    let scenario = load(text);
    let reference = reference();
    let steps = runbook(&scenario, DrStrategy::PilotLight);
    assert!(
        !names(steps).contains(&"resize-db"),
        "resize-db is still there: {:?}",
        names(steps)
    );
    let switch = step(steps, "switch-dns");
    assert_eq!(switch.after, ["promote-db", "launch-app", "launch-web"]);
    // The action of a step that is only re-pointed is kept.
    assert_eq!(switch.action, Action::SwitchDns);
    // The other steps of this runbook, and every other runbook, are untouched.
    let expected: Vec<&StepDef> = runbook(&reference, DrStrategy::PilotLight)
        .iter()
        .filter(|s| s.name != "resize-db" && s.name != "switch-dns")
        .collect();
    let kept: Vec<&StepDef> = steps.iter().filter(|s| s.name != "switch-dns").collect();
    assert_eq!(format!("{kept:?}"), format!("{expected:?}"));
    for other in [
        DrStrategy::BackupRestore,
        DrStrategy::WarmStandby,
        DrStrategy::MultiSite,
    ] {
        assert_eq!(
            format!("{:?}", runbook(&scenario, other)),
            format!("{:?}", runbook(&reference, other)),
            "{other:?}"
        );
    }
    assert_eq!(
        format!("{:?}", scenario.failback_runbook),
        format!("{:?}", reference.failback_runbook)
    );
}

#[test]
fn removing_a_step_others_depend_on_is_refused_with_the_dependant_named() {
    let text = "[strategies.pilot-light.runbook.resize-db]\nremove = true\n";
    let error = scenarios::load(text, "test.toml").unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("test.toml"), "{message}");
    assert!(
        message.contains("switch-dns") && message.contains("\"resize-db\""),
        "{message}"
    );
    assert!(
        message.contains("strategies.pilot-light.runbook.switch-dns.after"),
        "{message}"
    );
}

#[test]
fn a_custom_delay_step_is_added() {
    let text = r#"
[strategies.pilot-light.runbook]
warm-caches = { duration = "10m", after = ["decide"] }
switch-dns = { after = ["resize-db", "launch-app", "launch-web", "warm-caches"] }
"#;
    let scenario = load(text);
    let steps = runbook(&scenario, DrStrategy::PilotLight);
    let custom = step(steps, "warm-caches");
    assert_eq!(custom.action, Action::Delay);
    assert_eq!(custom.after, ["decide"]);
    assert!(
        matches!(custom.duration, Some(Dist::Fixed(d)) if d == 600.0),
        "{:?}",
        custom.duration
    );
    assert!(
        step(steps, "switch-dns")
            .after
            .contains(&"warm-caches".to_string())
    );
    // The new step comes after the default ones.
    let reference = reference();
    assert_eq!(
        names(steps).len(),
        names(runbook(&reference, DrStrategy::PilotLight)).len() + 1
    );
    assert_eq!(names(steps).last(), Some(&"warm-caches"));
}

#[test]
fn an_existing_step_changes_only_the_keys_given() {
    let text = "[strategies.pilot-light.runbook.launch-web]\nafter = [\"promote-db\"]\n";
    let scenario = load(text);
    let launch = step(runbook(&scenario, DrStrategy::PilotLight), "launch-web");
    assert_eq!(launch.action, Action::Launch("web".to_string()));
    assert_eq!(launch.after, ["promote-db"]);
    assert!(launch.duration.is_none());
}

#[test]
fn a_custom_step_on_the_critical_path_lengthens_the_recovery() {
    // Only region losses, whose primary never comes back in time; a two-day approval on pilot
    // light's path and on no other strategy's.
    let text = r#"
[disasters.region-loss]
outage = "1000d"
[disasters.az-loss]
annual-rate = 0
[disasters.corruption]
annual-rate = 0
[disasters.ransomware]
annual-rate = 0

[strategies.pilot-light.runbook]
approval = { duration = "2d", after = ["decide"] }
switch-dns = { after = ["resize-db", "launch-app", "launch-web", "approval"] }
"#;
    let scenario = load(text);
    let results = scenarios::simulate(
        &scenario,
        &RunOptions {
            trials: 64,
            seed: 5,
            threads: 1,
            progress: None,
        },
    )
    .unwrap_or_else(|e| panic!("simulation failed: {e}"));
    let region = Disaster::RegionLoss.index();
    let two_days_ms: u64 = 2 * 86_400 * 1000;
    let pilot = &results.cells[DrStrategy::PilotLight.index()][region];
    let warm = &results.cells[DrStrategy::WarmStandby.index()][region];
    assert_eq!(pilot.rto.count(), 64);
    assert_eq!(pilot.primary_first, 0);
    assert!(
        pilot.rto.min() >= two_days_ms,
        "pilot light waits for the approval: min RTO {} ms",
        pilot.rto.min()
    );
    assert!(
        warm.rto.max() < two_days_ms,
        "warm standby does not: max RTO {} ms",
        warm.rto.max()
    );
}

// ---------------------------------------------------------------------------------------------
// No input makes the loader panic.

/// Values that stress the validation: wrong types, signs, units, empty and inverted
/// distributions, extremes.
const GARBAGE: &[&str] = &[
    "\"\"",
    "\"x\"",
    "\"-5s\"",
    "\"5\"",
    "\"5 parsecs\"",
    "\"1e308d\"",
    "\"99999999999999999999999TiB\"",
    "\"NaNs\"",
    "\"infh\"",
    "\".s\"",
    "\"-\"",
    "\"1MB/s\"",
    "\"0s\"",
    "\"0B\"",
    "\"0MB/s\"",
    "0",
    "-1",
    "1",
    "0.5",
    "1.5",
    "-0.0",
    "1e308",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "-9223372036854775808",
    "4294967296",
    "true",
    "[]",
    "[1, 2]",
    "[\"a\", \"b\"]",
    "{}",
    "{ uniform = {} }",
    "{ uniform = { low = \"5m\", high = \"1m\" } }",
    "{ uniform = { low = \"0s\", high = \"0s\" } }",
    "{ triangular = { min = \"5m\", mode = \"1m\", max = \"2m\" } }",
    "{ pert = { min = \"1m\", mode = \"1m\", max = \"1m\" } }",
    "{ exponential = { mean = \"0s\" } }",
    "{ lognormal = { median = \"0s\", p95 = \"0s\" } }",
    "{ lognormal = { median = \"1s\", p95 = \"1e300d\" } }",
    "{ empirical = [] }",
    "{ empirical = [\"1s\", -1] }",
    "{ fixed = \"1s\" }",
    "{ fixed = 2 }",
    "{ gamma = { k = 1 } }",
    "{ uniform = { low = \"1s\", high = \"2s\" }, exponential = { mean = \"1s\" } }",
    "{ action = \"delay\" }",
    "{ remove = true }",
    "{ after = [\"nowhere\"] }",
    "{ action = \"launch\", tier = \"nope\" }",
    "{ action = \"restore-data\" }",
    "{ duration = \"1m\", after = [\"detect\", \"detect\"] }",
    "1979-05-27T07:32:00Z",
    "\"\\u00e9\\u00e9\"",
    "'''multi\nline'''",
    "= =",
    "[[",
];

/// Keys of the reference scenario's sections, to reach the validation behind the parser.
const SECTIONS: &[(&str, &[&str])] = &[
    ("", &["name"]),
    ("regions", &["primary", "recovery", "provision-network"]),
    ("objectives", &["rto", "rpo", "confidence", "service-level"]),
    ("objectives.corruption", &["rto", "rpo"]),
    (
        "tiers.web",
        &[
            "instance-type",
            "count",
            "multi-az",
            "pending",
            "boot",
            "bootstrap",
            "health-check",
        ],
    ),
    (
        "tiers.cache",
        &["instance-type", "count", "multi-az", "pending"],
    ),
    (
        "database",
        &[
            "instance-class",
            "size",
            "multi-az",
            "write-rate",
            "burst-size",
            "daily-profile",
            "restore",
            "promote",
            "resize",
            "multi-az-failover",
            "global-failover",
        ],
    ),
    ("data.uploads", &["size", "storage", "replication"]),
    ("data.logs", &["size", "storage"]),
    ("replication", &["bandwidth", "max-window"]),
    ("restore", &["bandwidth", "per-transfer"]),
    (
        "launch",
        &["rate", "burst", "failure-probability", "retry-delay"],
    ),
    (
        "detection",
        &[
            "failure-threshold",
            "timeout",
            "manual-decision",
            "automated-decision",
        ],
    ),
    ("dns", &["client-ttl"]),
    (
        "backups",
        &[
            "interval",
            "duration",
            "copy-delay",
            "failure-probability",
            "retention",
            "immutable",
        ],
    ),
    (
        "disasters.region-loss",
        &[
            "annual-rate",
            "outage",
            "congestion-probability",
            "launch-slowdown",
            "launch-failure-probability",
            "throughput-factor",
        ],
    ),
    ("disasters.az-loss", &["annual-rate", "outage", "dwell"]),
    (
        "disasters.ransomware",
        &["annual-rate", "dwell", "clean-room"],
    ),
    (
        "strategies.pilot-light",
        &["failover", "health-check-interval", "standby-fraction"],
    ),
    ("strategies.warm-standby", &["failover", "standby-fraction"]),
    (
        "strategies.multi-site",
        &[
            "site-capacity",
            "traffic-weight",
            "database-replication",
            "failover",
        ],
    ),
    (
        "strategies.pilot-light.runbook",
        &[
            "detect",
            "decide",
            "promote-db",
            "resize-db",
            "launch-web",
            "switch-dns",
            "extra",
        ],
    ),
    (
        "strategies.backup-restore.runbook",
        &[
            "restore-db",
            "hydrate-db",
            "restore-uploads",
            "switch-dns",
            "extra",
        ],
    ),
    (
        "strategies.multi-site.runbook",
        &["detect", "scale-web", "switch-dns"],
    ),
    (
        "strategies.warm-standby.runbook.promote-db",
        &["action", "after", "tier", "data", "duration", "remove"],
    ),
    (
        "runbooks.az-loss",
        &["detect", "failover-db", "service-restored"],
    ),
    (
        "runbooks.failback.freeze",
        &["action", "after", "duration", "remove"],
    ),
    (
        "runbooks.ransomware.clean-room",
        &["action", "after", "duration", "remove"],
    ),
];

/// Plausible values, mixed with garbage.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(GARBAGE).prop_map(str::to_string),
        (
            0u32..100_000,
            prop::sample::select(
                &[
                    "ms", "s", "m", "h", "d", "B", "KB", "GiB", "MB/s", "Gbit/s", "x", ""
                ][..]
            )
        )
            .prop_map(|(n, unit)| format!("\"{n}{unit}\"")),
        (-2.0f64..3.0).prop_map(|x| format!("{x}")),
        prop::sample::select(
            &[
                "manual",
                "automated",
                "sync",
                "async",
                "crr",
                "none",
                "deep-archive-bulk",
                "web",
                "decide"
            ][..]
        )
        .prop_map(|s| format!("\"{s}\"")),
        proptest::collection::vec(0.0f64..2.0, 0..30).prop_map(|v| format!("{v:?}")),
    ]
}

/// A TOML-shaped file of known sections and keys with plausible or garbage values.
fn scenario_like() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (
            prop::sample::select(SECTIONS),
            proptest::collection::vec((any::<prop::sample::Index>(), value()), 1..4),
        ),
        0..5,
    )
    .prop_map(|sections| {
        let mut text = String::new();
        let mut seen = std::collections::BTreeSet::new();
        // Top-level keys first, then each table once (a second header would only be a syntax error).
        for ((name, keys), entries) in &sections {
            if !name.is_empty() && !seen.insert(*name) {
                continue;
            }
            if !name.is_empty() {
                text.push_str(&format!("[{name}]\n"));
            }
            let mut used = std::collections::BTreeSet::new();
            for (index, value) in entries {
                let key = keys[index.index(keys.len())];
                if used.insert(key) {
                    text.push_str(&format!("{key} = {value}\n"));
                }
            }
            text.push('\n');
        }
        text
    })
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete(prop::sample::Index),
    Duplicate(prop::sample::Index),
    /// Replace the value of a `key = value` line (or the whole line, when it has none).
    Replace(prop::sample::Index, String),
    /// Cut the text at a character boundary.
    Truncate(prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let garbage = prop_oneof![
        3 => value(),
        1 => "[ -~]{0,24}",
        1 => any::<String>(),
    ];
    prop_oneof![
        3 => any::<prop::sample::Index>().prop_map(Mutation::Delete),
        2 => any::<prop::sample::Index>().prop_map(Mutation::Duplicate),
        5 => (any::<prop::sample::Index>(), garbage).prop_map(|(i, g)| Mutation::Replace(i, g)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(base: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
    for m in mutations {
        if lines.is_empty() {
            break;
        }
        match m {
            Mutation::Delete(i) => {
                lines.remove(i.index(lines.len()));
            }
            Mutation::Duplicate(i) => {
                let at = i.index(lines.len());
                let line = lines[at].clone();
                lines.insert(at, line);
            }
            Mutation::Replace(i, garbage) => {
                let at = i.index(lines.len());
                lines[at] = match lines[at].split_once('=') {
                    Some((key, _)) => format!("{key}= {garbage}"),
                    None => garbage.clone(),
                };
            }
            Mutation::Truncate(i) => {
                let text = lines.join("\n");
                let mut cut = i.index(text.len() + 1);
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                lines = text[..cut].lines().map(str::to_string).collect();
            }
        }
    }
    lines.join("\n")
}

/// `load` must return, whatever the text; an error must name the file.
fn loads_or_refuses(text: &str) {
    if let Err(e) = scenarios::load(text, "fuzz.toml") {
        let message = e.to_string();
        assert!(
            message.starts_with("fuzz.toml"),
            "the error does not name the file: {message}"
        );
        assert!(!e.message.is_empty(), "empty error message for {text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        loads_or_refuses(&text);
    }

    #[test]
    fn arbitrary_printable_text_never_panics(text in "[ -~\n\t]{0,300}") {
        loads_or_refuses(&text);
    }

    #[test]
    fn scenario_like_files_never_panic(text in scenario_like()) {
        loads_or_refuses(&text);
    }

    #[test]
    fn mutated_reference_never_panics(mutations in proptest::collection::vec(mutation(), 1..4)) {
        loads_or_refuses(&mutate(scenarios::REFERENCE, &mutations));
    }

    #[test]
    fn mutated_init_text_never_panics(mutations in proptest::collection::vec(mutation(), 1..4)) {
        let base = scenarios::init_text().unwrap();
        loads_or_refuses(&mutate(&base, &mutations));
    }
}
