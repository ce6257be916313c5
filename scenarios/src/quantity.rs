//! Reading quantities: a plain string with a unit is a fixed value; a one-key table names a
//! distribution (`fixed`, `uniform`, `triangular`, `pert`, `exponential`, `lognormal`,
//! `empirical`). Values come out in SI base units as `sim_core::dist::Dist`.

use sim_core::dist::{Dist, DistError};
use toml::Value;

use crate::units::{self, Kind};

const FORMS: &str = "\"90s\" (fixed), { uniform = { low = …, high = … } }, \
{ triangular = { min = …, mode = …, max = … } }, { pert = { min = …, mode = …, max = … } }, \
{ exponential = { mean = … } }, { lognormal = { median = …, p95 = … } }, { empirical = [ …, … ] }";

/// Parses one quantity. The error says what was expected; the caller adds file, key and line.
pub fn parse(value: &Value, kind: Kind) -> Result<Dist, String> {
    match value {
        Value::String(text) => Dist::fixed(units::parse(text, kind)?).map_err(|e| e.to_string()),
        Value::Integer(_) | Value::Float(_) if kind == Kind::Factor => {
            Dist::fixed(number(value, kind)?).map_err(|e| e.to_string())
        }
        Value::Integer(_) | Value::Float(_) => Err(format!(
            "{value} has no unit: expected {} such as {}",
            kind.noun(),
            kind.examples()
        )),
        Value::Table(table) => {
            let mut entries = table.iter();
            let (Some((form, params)), None) = (entries.next(), entries.next()) else {
                return Err(format!(
                    "expected a table with exactly one distribution, one of: {FORMS}"
                ));
            };
            distribution(form, params, kind)
        }
        other => Err(format!(
            "expected {} with a unit or a distribution table, got {}: one of {FORMS}",
            kind.noun(),
            other.type_str()
        )),
    }
}

/// A distribution's refusal in the user's units ("p95 (5m)", not "p95 (300)").
fn explain(error: &DistError, kind: Kind) -> String {
    let v = |x: f64| units::format_exact(x, kind);
    match error {
        DistError::Negative { what, value } if value.is_finite() => {
            format!("{what} must be ≥ 0, got {}", v(*value))
        }
        DistError::Order {
            low_name,
            high_name,
            low,
            high,
        } => {
            format!(
                "expected {low_name} ≤ {high_name}, got {low_name} = {} and {high_name} = {}",
                v(*low),
                v(*high)
            )
        }
        DistError::P95NotAboveMedian { median, p95 } => format!(
            "p95 ({}) must be greater than the median ({}); use a fixed value for a constant",
            v(*p95),
            v(*median)
        ),
        other => other.to_string(),
    }
}

/// One value of a distribution: a string with a unit (numbers only for multipliers).
fn number(value: &Value, kind: Kind) -> Result<f64, String> {
    match (value, kind) {
        (Value::String(text), _) => units::parse(text, kind),
        (Value::Integer(i), Kind::Factor) => units::parse(&i.to_string(), kind),
        (Value::Float(f), Kind::Factor) => units::parse(&f.to_string(), kind),
        (other, _) => Err(format!(
            "{other} is not {} with a unit such as {}",
            kind.noun(),
            kind.examples()
        )),
    }
}

fn distribution(form: &str, params: &Value, kind: Kind) -> Result<Dist, String> {
    let prefix = |e: DistError| format!("{form}: {}", explain(&e, kind));
    if form == "empirical" {
        let Value::Array(items) = params else {
            return Err(format!(
                "empirical: expected a list of observations such as [{}]",
                kind.examples()
            ));
        };
        let observations = items
            .iter()
            .map(|item| number(item, kind).map_err(|e| format!("empirical: {e}")))
            .collect::<Result<Vec<f64>, String>>()?;
        return Dist::empirical(&observations).map_err(prefix);
    }
    if form == "fixed" {
        return Dist::fixed(number(params, kind).map_err(|e| format!("fixed: {e}"))?)
            .map_err(prefix);
    }
    let Value::Table(table) = params else {
        return Err(format!(
            "{form}: expected a table of parameters, e.g. {FORMS}"
        ));
    };
    let expected: &[&str] = match form {
        "uniform" => &["low", "high"],
        "triangular" | "pert" => &["min", "mode", "max"],
        "exponential" => &["mean"],
        "lognormal" => &["median", "p95"],
        _ => {
            return Err(format!(
                "unknown distribution \"{form}\": expected one of {FORMS}"
            ));
        }
    };
    if let Some(unknown) = table.keys().find(|k| !expected.contains(&k.as_str())) {
        return Err(format!(
            "{form}: unknown parameter \"{unknown}\", expected {}",
            expected.join(", ")
        ));
    }
    let mut values = Vec::with_capacity(expected.len());
    for name in expected {
        let item = table.get(*name).ok_or_else(|| {
            format!(
                "{form}: missing parameter \"{name}\" (needs {})",
                expected.join(", ")
            )
        })?;
        values.push(number(item, kind).map_err(|e| format!("{form}.{name}: {e}"))?);
    }
    match (form, values.as_slice()) {
        ("uniform", [low, high]) => Dist::uniform(*low, *high),
        ("triangular", [min, mode, max]) => Dist::triangular(*min, *mode, *max),
        ("pert", [min, mode, max]) => Dist::pert(*min, *mode, *max),
        ("exponential", [mean]) => Dist::exponential(*mean),
        ("lognormal", [median, p95]) => Dist::lognormal(*median, *p95),
        _ => {
            return Err(format!(
                "unknown distribution \"{form}\": expected one of {FORMS}"
            ));
        }
    }
    .map_err(prefix)
}

/// Writes a distribution back as TOML text in the given unit kind (for `drsim init`).
pub fn to_toml(dist: &Dist, kind: Kind) -> String {
    let f = |v: f64| match kind {
        Kind::Factor => format!("{v}"),
        _ => format!("\"{}\"", units::format_exact(v, kind)),
    };
    match dist {
        Dist::Fixed(v) => f(*v),
        Dist::Uniform { low, high } => format!(
            "{{ uniform = {{ low = {}, high = {} }} }}",
            f(*low),
            f(*high)
        ),
        Dist::Triangular { min, mode, max, .. } => {
            format!(
                "{{ triangular = {{ min = {}, mode = {}, max = {} }} }}",
                f(*min),
                f(*mode),
                f(*max)
            )
        }
        Dist::Pert { min, mode, max, .. } => {
            format!(
                "{{ pert = {{ min = {}, mode = {}, max = {} }} }}",
                f(*min),
                f(*mode),
                f(*max)
            )
        }
        Dist::Exponential { mean, .. } => format!("{{ exponential = {{ mean = {} }} }}", f(*mean)),
        Dist::LogNormal { median, p95, .. } => {
            format!(
                "{{ lognormal = {{ median = {}, p95 = {} }} }}",
                f(*median),
                f(*p95)
            )
        }
        Dist::Empirical(obs) => {
            let items: Vec<String> = obs.iter().map(|v| f(*v)).collect();
            format!("{{ empirical = [{}] }}", items.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Dist, String> {
        let value: toml::Table =
            toml::from_str(&format!("q = {text}")).map_err(|e| e.to_string())?;
        parse(&value["q"], Kind::Duration)
    }

    #[test]
    fn reads_every_form() {
        assert_eq!(p("\"90s\"").map(|d| d.mean()), Ok(90.0));
        assert_eq!(
            p("{ uniform = { low = \"1m\", high = \"3m\" } }").map(|d| d.mean()),
            Ok(120.0)
        );
        assert_eq!(
            p("{ exponential = { mean = \"10s\" } }").map(|d| d.mean()),
            Ok(10.0)
        );
        assert!(p("{ lognormal = { median = \"20s\", p95 = \"60s\" } }").is_ok());
        assert!(p("{ pert = { min = \"1s\", mode = \"2s\", max = \"9s\" } }").is_ok());
        assert_eq!(
            p("{ empirical = [\"1s\", \"3s\"] }").map(|d| d.mean()),
            Ok(2.0)
        );
    }

    #[test]
    fn explains_mistakes() {
        assert!(p("90").unwrap_err().contains("no unit"));
        assert!(
            p("{ lognormal = { median = \"60s\", p95 = \"20s\" } }")
                .unwrap_err()
                .contains("p95")
        );
        assert!(
            p("{ gamma = { k = \"1s\" } }")
                .unwrap_err()
                .contains("unknown distribution")
        );
        assert!(
            p("{ uniform = { low = \"1s\" } }")
                .unwrap_err()
                .contains("missing parameter \"high\"")
        );
    }
}
