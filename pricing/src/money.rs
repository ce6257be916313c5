//! Exact money: US dollars as a decimal, never a float. Prices keep every digit the source gives
//! (AWS quotes up to ten decimals); totals are rounded to the cent only when shown.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Sub};
use std::str::FromStr;

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};

/// An amount of US dollars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usd(pub Decimal);

impl Usd {
    pub const ZERO: Usd = Usd(Decimal::ZERO);

    /// Parses a plain decimal such as "0.0960000000" (no sign, no exponent, no currency symbol).
    pub fn parse(text: &str) -> Option<Usd> {
        let t = text.trim();
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return None;
        }
        Decimal::from_str(t).ok().map(Usd)
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
            Usd::parse("1234567.005").unwrap().to_string(),
            "$1,234,567.01"
        );
        assert_eq!(Usd::parse("-1"), None);
        assert_eq!(Usd::parse("abc"), None);
        assert_eq!(Usd::parse("1e3"), None);
        assert_eq!(Usd::from_cents(-150).to_string(), "-$1.50");
    }

    #[test]
    fn sums_are_exact() {
        let tenth = Usd::parse("0.1").unwrap();
        let total: Usd = std::iter::repeat_n(tenth, 10).sum();
        assert_eq!(total, Usd::parse("1").unwrap());
    }
}
