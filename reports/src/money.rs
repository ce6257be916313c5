//! Money in outputs: serde serializers that write `Usd` as decimal strings, never floats.

use pricing::Usd;
use serde::Serializer;

/// Two decimals: `"1234.50"`.
pub fn money<S: Serializer>(usd: &Usd, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&cents_text(*usd))
}

/// Two decimals, or null.
pub fn money_opt<S: Serializer>(usd: &Option<Usd>, serializer: S) -> Result<S::Ok, S::Error> {
    match usd {
        Some(u) => money(u, serializer),
        None => serializer.serialize_none(),
    }
}

/// Every digit the price has (unit prices: `"0.0036"`).
pub fn exact<S: Serializer>(usd: &Usd, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&exact_text(*usd))
}

/// Every digit, or null.
pub fn exact_opt<S: Serializer>(usd: &Option<Usd>, serializer: S) -> Result<S::Ok, S::Error> {
    match usd {
        Some(u) => exact(u, serializer),
        None => serializer.serialize_none(),
    }
}

/// `"1234.50"`: rounded to the cent, no separators (CSV, JSON).
pub fn cents_text(usd: Usd) -> String {
    format!("{:.2}", usd.0.round_dp(2))
}

/// Every digit, trailing zeros dropped: `"0.0036"`.
pub fn exact_text(usd: Usd) -> String {
    usd.0.normalize().to_string()
}
