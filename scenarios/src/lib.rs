//! scenarios: the disaster-recovery model on top of `sim-core`.
//!
//! A scenario file (TOML, kebab-case keys) describes a workload, its recovery region, its
//! objectives, the disasters it fears and the knobs of the four AWS disaster-recovery
//! strategies. [`load`] parses it raw, fills what it leaves out from the embedded reference
//! scenario ([`REFERENCE`]) and validates it into a [`Scenario`]; [`simulate()`] then runs
//! trials (one disaster each, recovered by all four strategies) into mergeable [`Results`].
//!
//! ```
//! let scenario = scenarios::reference().expect("the reference scenario is valid");
//! assert_eq!(scenario.tiers.len(), 2);
//! let text = "[objectives]\nrto = \"2h\"\n";
//! let custom = scenarios::load(text, "mine.toml").expect("valid");
//! assert_eq!(custom.objectives.by_disaster[0].rto, 7200.0);
//! ```

mod backup_walk;
pub mod engines;
pub mod error;
pub mod limits;
pub mod model;
pub mod names;
pub mod quantity;
mod raw;
pub mod runbooks;
pub mod simulate;
pub mod units;
mod validate;

pub use error::ScenarioError;
pub use model::Scenario;
pub use names::{Disaster, Strategy};
pub use simulate::{Results, RunOptions, simulate};

use error::Source;
use raw::RawScenario;
use validate::Layers;

/// The embedded reference scenario, with comments explaining each key.
pub const REFERENCE: &str = include_str!("reference.toml");

/// The name under which the embedded scenario appears in messages.
pub const REFERENCE_NAME: &str = "<embedded reference scenario>";

fn parse_raw(source: Source<'_>) -> Result<RawScenario, ScenarioError> {
    let deserializer =
        toml::Deserializer::parse(source.text).map_err(|e| toml_error(source, &e, None))?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        toml_error(source, &inner, Some(path))
    })
}

fn toml_error(source: Source<'_>, error: &toml::de::Error, path: Option<String>) -> ScenarioError {
    let message = plain_words(error.message().trim());
    let key = path
        .map(|p| key_path(&p))
        .filter(|p| !p.is_empty() && p != ".");
    let help = if message.starts_with("unknown field") {
        Some("remove or rename the key; `drsim init` writes a file with every key explained")
    } else if key.is_none() {
        Some("check the TOML syntax near this position")
    } else {
        None
    };
    ScenarioError {
        file: source.file.to_string(),
        position: error.span().map(|s| source.position(s.start)),
        key,
        message: error::tidy_numbers(&message),
        help: help.map(str::to_string),
    }
}

/// The key path as the user wrote it: kebab-case, without the wrapper that records positions.
fn key_path(path: &str) -> String {
    path.split('.')
        .filter(|segment| !segment.starts_with("$__serde_spanned"))
        .collect::<Vec<_>>()
        .join(".")
        .replace('_', "-")
}

/// Serde's type names in the user's words.
fn plain_words(message: &str) -> String {
    // Integers beyond 64 bits, which TOML reads as i128 and the scenario cannot hold.
    if let Some(rest) = message.strip_prefix("invalid type: integer `") {
        if let Some((digits, _)) = rest.split_once("` as i128") {
            return format!(
                "{digits} is too large: whole numbers here are at most 9,223,372,036,854,775,807 (and most keys have a smaller limit, see docs/limits.md)"
            );
        }
    }
    if let Some(rest) = message.strip_prefix("invalid value: integer `") {
        if let Some((digits, expected)) = rest.split_once("`, ") {
            return format!("{digits} is out of range: {}", plain_words(expected));
        }
    }
    if message.contains("recursion") || message.contains("max recursion depth") {
        return "the values are nested too deeply (lists or tables inside one another): a scenario needs at most a few levels".to_string();
    }
    [
        ("invalid type: sequence", "found a list [ … ]"),
        ("invalid type: map", "found a table"),
        ("invalid type: integer", "found the whole number"),
        ("invalid type: floating point", "found the number"),
        ("invalid type: string", "found the string"),
        ("invalid type: boolean", "found"),
        ("expected a map", "expected a table"),
        ("expected a string", "expected a string in quotes"),
        (
            "u64 value was too large",
            "the number is too large: whole numbers are at most 9,223,372,036,854,775,807",
        ),
        ("expected f64", "expected a number"),
        ("expected i64", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected a sequence", "expected a list [ … ]"),
        ("expected a boolean", "expected true or false"),
    ]
    .iter()
    .fold(message.to_string(), |m, (from, to)| m.replace(from, to))
}

/// Loads a scenario from the text of a file named `file` (used in messages).
pub fn load(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let reference_source = Source {
        file: REFERENCE_NAME,
        text: REFERENCE,
    };
    let reference = parse_raw(reference_source)?;
    let user_source = Source { file, text };
    let user = parse_raw(user_source)?;
    let scenario = validate::build(
        &user,
        &reference,
        Layers {
            user: user_source,
            reference: reference_source,
        },
    )
    .map_err(|e| in_user_file(e, file))?;
    // Compile every runbook once, so that what the engine would refuse is reported now.
    simulate::Compiled::new(&scenario).map_err(|mut e| {
        e.file = file.to_string();
        e
    })?;
    Ok(scenario)
}

/// An error found at a reference value, because of a value of the user's file that conflicts
/// with it, is reported in the user's file (which the user can change), naming the reference
/// value.
fn in_user_file(error: ScenarioError, file: &str) -> ScenarioError {
    if error.file != REFERENCE_NAME || file == REFERENCE_NAME {
        return error;
    }
    let at = match (error.position, &error.key) {
        (Some((line, _)), Some(key)) => format!("`{key}` (reference scenario, line {line})"),
        (_, Some(key)) => format!("`{key}`"),
        _ => "a value".to_string(),
    };
    ScenarioError {
        file: file.to_string(),
        position: None,
        message: format!(
            "{} — with the reference value of {at}, which this file leaves unchanged",
            error.message
        ),
        ..error
    }
}

/// The embedded reference scenario.
pub fn reference() -> Result<Scenario, ScenarioError> {
    load(REFERENCE, REFERENCE_NAME)
}

/// The text `drsim init` writes: the reference scenario followed by its runbooks, spelled out
/// so they can be edited. Loading it gives the same scenario as the embedded one.
pub fn init_text() -> Result<String, ScenarioError> {
    let scenario = reference()?;
    let mut out = String::from(REFERENCE);
    out.push_str(
        "\n# Recovery runbooks, one per strategy (used for region loss), then the shared runbooks for\n\
         # AZ loss, corruption, ransomware and failback. Each step: an action bound to this scenario's\n\
         # values (or a plain `duration`), and the steps it comes `after`. Change, add, or drop a step\n\
         # with `remove = true`; mark with `background = true` a step that runs on after the service\n\
         # is back (lazy hydration, re-adding resilience): it does not count in the RTO. Steps left\n\
         # out here keep their defaults.\n",
    );
    for config in &scenario.strategies {
        out.push('\n');
        out.push_str(&runbooks::to_toml(
            &format!("strategies.{}.runbook", config.strategy.name()),
            &config.runbook,
        ));
    }
    for (name, steps) in [
        ("az-loss", &scenario.az_loss_runbook),
        ("corruption", &scenario.corruption_runbook),
        ("ransomware", &scenario.ransomware_runbook),
        ("failback", &scenario.failback_runbook),
    ] {
        out.push('\n');
        out.push_str(&runbooks::to_toml(&format!("runbooks.{name}"), steps));
    }
    Ok(out)
}

/// The values a scenario file sets that differ from the reference scenario's, as (key path,
/// value as written), in file order of the keys' paths. Tables the reference replaces whole
/// (`[tiers]`, `[data]`) and runbooks are compared leaf by leaf too. A file that does not parse
/// gives no differences (loading it reports the error).
pub fn differences_from_reference(text: &str) -> Vec<(String, String)> {
    let (Ok(user), Ok(reference)) = (
        text.parse::<toml::Table>(),
        REFERENCE.parse::<toml::Table>(),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    diff(&user, Some(&reference), "", &mut out);
    out
}

fn diff(
    user: &toml::Table,
    reference: Option<&toml::Table>,
    prefix: &str,
    out: &mut Vec<(String, String)>,
) {
    for (key, value) in user {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let theirs = reference.and_then(|r| r.get(key));
        match value {
            toml::Value::Table(table) => {
                diff(table, theirs.and_then(toml::Value::as_table), &path, out);
            }
            _ if theirs == Some(value) => {}
            _ => out.push((path, value.to_string())),
        }
    }
}

/// An error at the position of `key` in the scenario `text` named `file` (or in the embedded
/// reference scenario, when the file leaves the key out and the reference's value applies).
/// For checks made outside this crate (e.g. names a price catalog must know); keys located:
/// `regions.primary`, `regions.recovery`, `database.engine`, `database.consistency`,
/// `database.instance-class`, `tiers.NAME.instance-type`, `pricing.fallback-region`. Others get
/// no position.
pub fn error_at(text: &str, file: &str, key: &str, message: impl Into<String>) -> ScenarioError {
    let message = message.into();
    let sources = [
        Source { file, text },
        Source {
            file: REFERENCE_NAME,
            text: REFERENCE,
        },
    ];
    for source in sources {
        let Ok(raw) = parse_raw(source) else {
            continue;
        };
        if let Some(span) = span_of(&raw, key) {
            return source.error(Some(span), key, message);
        }
    }
    Source { file, text }.error(None, key, message)
}

fn span_of(raw: &RawScenario, key: &str) -> Option<std::ops::Range<usize>> {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["regions", "primary"] => raw.regions.as_ref()?.primary.as_ref().map(|v| v.span()),
        ["regions", "recovery"] => raw.regions.as_ref()?.recovery.as_ref().map(|v| v.span()),
        ["database", "engine"] => raw.database.as_ref()?.engine.as_ref().map(|v| v.span()),
        ["database", "consistency"] => raw
            .database
            .as_ref()?
            .consistency
            .as_ref()
            .map(|v| v.span()),
        ["database", "instance-class"] => raw
            .database
            .as_ref()?
            .instance_class
            .as_ref()
            .map(|v| v.span()),
        ["plan", "backup-intervals"] => raw
            .plan
            .as_ref()?
            .backup_intervals
            .as_ref()
            .map(|v| v.span()),
        ["pricing", "fallback-region"] => raw
            .pricing
            .as_ref()?
            .fallback_region
            .as_ref()
            .map(|v| v.span()),
        ["tiers", name, "instance-type"] => raw
            .tiers
            .as_ref()?
            .get_ref()
            .get(*name)?
            .get_ref()
            .instance_type
            .as_ref()
            .map(|v| v.span()),
        _ => None,
    }
}
