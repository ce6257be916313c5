//! Exact money: US dollars as a decimal, never a float. Prices keep every digit the source gives
//! (AWS quotes up to ten decimals); totals are rounded to the cent only when shown.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Sub};
use std::str::FromStr;

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};

/// Highest price per unit a catalog may hold, US dollars. The dearest AWS prices are a few
/// hundred dollars per hour; this keeps every total far from the decimal's range (about 7.9e28),
/// so sums never saturate.
pub const MAX_PRICE: u64 = 1_000_000;

/// Most decimals of a price (AWS quotes up to ten); the decimal holds 28.
pub const MAX_DECIMALS: usize = 12;

/// Why a price text was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PriceTextError {
    #[error("is negative: a price is ≥ 0")]
    Negative,
    #[error("is written with an exponent: write it as a plain decimal such as 0.000012")]
    Exponent,
    #[error("is not a plain decimal such as 0.096")]
    NotDecimal,
    #[error("is above the highest price drsim accepts ($1,000,000 per unit)")]
    TooLarge,
    #[error("has more than 12 decimals: AWS quotes at most 10")]
    TooPrecise,
}

/// An amount of US dollars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usd(pub Decimal);

impl Usd {
    pub const ZERO: Usd = Usd(Decimal::ZERO);

    /// Parses a plain decimal such as "0.0960000000" (no sign, no exponent, no currency symbol).
    pub fn parse(text: &str) -> Option<Usd> {
        Usd::parse_price(text).ok()
    }

    /// Parses a price: a plain decimal from 0 to [`MAX_PRICE`] with at most [`MAX_DECIMALS`]
    /// decimals, or says why not (negative, an exponent, too large, too precise).
    pub fn parse_price(text: &str) -> Result<Usd, PriceTextError> {
        let t = text.trim();
        if let Some(rest) = t.strip_prefix('-') {
            if Usd::parse_price(rest).is_ok() {
                return Err(PriceTextError::Negative);
            }
        }
        if t.contains(['e', 'E']) && t.chars().all(|c| c.is_ascii_digit() || "eE.+-".contains(c)) {
            return Err(PriceTextError::Exponent);
        }
        let (whole, decimals) = t.split_once('.').unwrap_or((t, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty()
            || !digits(whole)
            || !digits(decimals)
            || (t.contains('.') && decimals.is_empty())
        {
            return Err(PriceTextError::NotDecimal);
        }
        if decimals.len() > MAX_DECIMALS {
            return Err(PriceTextError::TooPrecise);
        }
        let whole_value = whole.trim_start_matches('0');
        if whole_value.len() > 7 {
            return Err(PriceTextError::TooLarge);
        }
        let value = Decimal::from_str(t).map_err(|_| PriceTextError::NotDecimal)?;
        if value > Decimal::from(MAX_PRICE) {
            return Err(PriceTextError::TooLarge);
        }
        Ok(Usd(value))
    }

    /// This amount times a quantity that is itself measured (hours, GB), exact to 1e-12 of a
    /// unit. Quantities from the simulation are floats; the product is rounded to 1e-6 USD.
    pub fn times(self, quantity: f64) -> Usd {
        let q = Decimal::from_f64(quantity).unwrap_or(Decimal::ZERO);
        Usd(self.0.checked_mul(q).unwrap_or(Decimal::MAX).round_dp(6))
    }

    /// Whole cents, rounded half away from zero (for reports and histograms).
    pub fn cents(self) -> i64 {
        (self.0.saturating_mul(Decimal::ONE_HUNDRED))
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .unwrap_or(i64::MAX)
    }

    /// From whole cents.
    pub fn from_cents(cents: i64) -> Usd {
        Usd(Decimal::new(cents, 2))
    }

    /// The amount as a float, for plots and ratios only.
    pub fn to_f64(self) -> f64 {
        self.0.to_f64().unwrap_or(f64::MAX)
    }
}

impl fmt::Display for Usd {
    /// `$1,234.57`: rounded to the cent, thousands separated.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = self.cents();
        let sign = if cents < 0 { "-" } else { "" };
        let cents = cents.unsigned_abs();
        write!(
            f,
            "{sign}${}.{:02}",
            group_thousands(cents / 100),
            cents % 100
        )
    }
}

/// At most 40 characters of a text, for messages ("…" marks the cut).
pub fn shorten(text: &str) -> String {
    if text.chars().count() <= 40 {
        return text.to_string();
    }
    let mut out: String = text.chars().take(39).collect();
    out.push('…');
    out
}

/// 1234567 as "1,234,567".
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Add for Usd {
    type Output = Usd;
    fn add(self, other: Usd) -> Usd {
        Usd(self.0.saturating_add(other.0))
    }
}

impl Sub for Usd {
    type Output = Usd;
    fn sub(self, other: Usd) -> Usd {
        Usd(self.0.saturating_sub(other.0))
    }
}

impl AddAssign for Usd {
    fn add_assign(&mut self, other: Usd) {
        *self = *self + other;
    }
}

impl Mul<Decimal> for Usd {
    type Output = Usd;
    fn mul(self, k: Decimal) -> Usd {
        Usd(self.0.saturating_mul(k))
    }
}

impl Sum for Usd {
    fn sum<I: Iterator<Item = Usd>>(iter: I) -> Usd {
        iter.fold(Usd::ZERO, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_exactly() {
        let p = Usd::parse("0.0960000000").unwrap();
        assert_eq!(p.times(730.0).to_string(), "$70.08");
        assert_eq!(
            Usd(Decimal::from_str("1234567.005").unwrap()).to_string(),
            "$1,234,567.01"
        );
        assert_eq!(Usd::parse("-1"), None);
        assert_eq!(Usd::parse("abc"), None);
        assert_eq!(Usd::parse("1e3"), None);
        assert_eq!(Usd::parse_price("-1"), Err(PriceTextError::Negative));
        assert_eq!(Usd::parse_price("1e-41"), Err(PriceTextError::Exponent));
        assert_eq!(
            Usd::parse_price("0.00000000000000000000000000000000000000001"),
            Err(PriceTextError::TooPrecise)
        );
        assert_eq!(
            Usd::parse_price("79228162514264337593543950335"),
            Err(PriceTextError::TooLarge)
        );
        assert_eq!(
            Usd::parse_price("1000000.0").map(|u| u.to_string()),
            Ok("$1,000,000.00".to_string())
        );
        assert_eq!(
            Usd::parse_price("1000000.01"),
            Err(PriceTextError::TooLarge)
        );
        assert_eq!(Usd::parse_price("N/A"), Err(PriceTextError::NotDecimal));
        assert_eq!(Usd::from_cents(-150).to_string(), "-$1.50");
    }

    #[test]
    fn sums_are_exact() {
        let tenth = Usd::parse("0.1").unwrap();
        let total: Usd = std::iter::repeat_n(tenth, 10).sum();
        assert_eq!(total, Usd::parse("1").unwrap());
    }
}
