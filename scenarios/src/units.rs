//! Quantities with units, as written in scenario files: durations ("90s", "15m", "4h"),
//! sizes ("500GiB", "4MB") and rates ("40MiB/s", "1Gbit/s"). Everything is converted to SI base
//! units: seconds, bytes, bytes per second.

/// What kind of quantity a key holds, which decides the accepted units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Duration,
    Size,
    Rate,
    /// A plain multiplier, written as a number (`2.5`) or a string (`"2.5x"`).
    Factor,
}

impl Kind {
    /// Examples shown in error messages.
    pub fn examples(self) -> &'static str {
        match self {
            Kind::Duration => "\"250ms\", \"90s\", \"15m\", \"4h\", \"2d\"",
            Kind::Size => "\"512KB\", \"4MB\", \"500GiB\", \"2TB\"",
            Kind::Rate => "\"2MB/s\", \"40MiB/s\", \"1Gbit/s\"",
            Kind::Factor => "1.5, 0.6",
        }
    }

    /// The name used in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Duration => "a duration",
            Kind::Size => "a size",
            Kind::Rate => "a rate",
            Kind::Factor => "a multiplier",
        }
    }
}

fn duration_unit(unit: &str) -> Option<f64> {
    Some(match unit {
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => return None,
    })
}

fn size_unit(unit: &str) -> Option<f64> {
    Some(match unit {
        "B" => 1.0,
        "KB" | "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TiB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        "bit" => 0.125,
        "Kbit" => 125.0,
        "Mbit" => 125e3,
        "Gbit" => 125e6,
        _ => return None,
    })
}

/// Parses `text` as a quantity of `kind`, returning its value in SI base units.
/// The error is a sentence saying what was expected.
pub fn parse(text: &str, kind: Kind) -> Result<f64, String> {
    let trimmed = text.trim();
    let mut split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+')))
        .unwrap_or(trimmed.len());
    // An exponent ("1e12h", "2.5E-3s"): no unit starts with e.
    let rest = trimmed.as_bytes().get(split..).unwrap_or_default();
    if let [b'e' | b'E', next, ..] = rest {
        let digits_from = if matches!(next, b'+' | b'-') { 2 } else { 1 };
        let exponent = rest
            .get(digits_from..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if exponent > 0 {
            split += digits_from + exponent;
        }
    }
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim();
    let expected = || format!("expected {} such as {}", kind.noun(), kind.examples());
    if number.is_empty() {
        return Err(format!("\"{text}\" has no number: {}", expected()));
    }
    let value: f64 = number
        .parse()
        .map_err(|_| format!("\"{text}\" does not start with a number: {}", expected()))?;
    if unit.is_empty() && kind != Kind::Factor {
        return Err(format!("\"{text}\" has no unit: {}", expected()));
    }
    let factor = match kind {
        Kind::Duration => duration_unit(unit),
        Kind::Size => size_unit(unit),
        Kind::Factor => matches!(unit, "" | "x").then_some(1.0),
        Kind::Rate => match (unit.strip_suffix("/s"), unit.strip_suffix("bps")) {
            (Some(size), _) => size_unit(size),
            (None, Some(prefix)) => size_unit(&format!("{prefix}bit")),
            (None, None) => None,
        },
    };
    let Some(factor) = factor else {
        return Err(format!(
            "\"{text}\" has an unknown unit \"{unit}\": {}",
            expected()
        ));
    };
    if !value.is_finite() {
        return Err(format!(
            "\"{}\" is too large for {}",
            crate::error::tidy_numbers(text),
            kind.noun()
        ));
    }
    if value < 0.0 {
        return Err(format!(
            "\"{text}\" is negative: {} must be ≥ 0",
            kind.noun()
        ));
    }
    let scaled = value * factor;
    if !scaled.is_finite() {
        return Err(format!(
            "\"{}\" is too large for {}",
            crate::error::tidy_numbers(text),
            kind.noun()
        ));
    }
    Ok(scaled)
}

/// Formats seconds for people: "850ms", "42s", "12m 5s", "3h 20m", "2d 4h".
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "∞".to_string();
    }
    if seconds < 1.0 {
        return format!("{:.0}ms", seconds * 1e3);
    }
    if seconds < 60.0 {
        return format!("{seconds:.1}s");
    }
    let total = seconds.round() as u64;
    let (d, h, m, s) = (
        total / 86_400,
        total % 86_400 / 3600,
        total % 3600 / 60,
        total % 60,
    );
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else {
        format!("{m}m {s:02}s")
    }
}

/// Writes a value in base units back with a unit that reads it exactly (for generated files).
pub fn format_exact(value: f64, kind: Kind) -> String {
    let candidates: &[(&str, f64)] = match kind {
        Kind::Duration => &[
            ("d", 86_400.0),
            ("h", 3600.0),
            ("m", 60.0),
            ("s", 1.0),
            ("ms", 1e-3),
        ],
        Kind::Size => &[
            ("TiB", 1_099_511_627_776.0),
            ("GiB", 1_073_741_824.0),
            ("MiB", 1_048_576.0),
            ("KiB", 1024.0),
            ("TB", 1e12),
            ("GB", 1e9),
            ("MB", 1e6),
            ("KB", 1e3),
            ("B", 1.0),
        ],
        Kind::Factor => &[("", 1.0)],
        Kind::Rate => &[
            ("GiB/s", 1_073_741_824.0),
            ("MiB/s", 1_048_576.0),
            ("GB/s", 1e9),
            ("MB/s", 1e6),
            ("KB/s", 1e3),
            ("B/s", 1.0),
        ],
    };
    for (unit, factor) in candidates {
        let scaled = value / factor;
        if scaled >= 1.0 && (scaled * 1000.0).fract() == 0.0 {
            return format!("{scaled}{unit}");
        }
    }
    let (unit, factor) = candidates[candidates.len() - 1];
    format!("{}{unit}", value / factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse("90s", Kind::Duration), Ok(90.0));
        assert_eq!(parse("15m", Kind::Duration), Ok(900.0));
        assert_eq!(parse("4h", Kind::Duration), Ok(14_400.0));
        assert_eq!(parse("1.5d", Kind::Duration), Ok(129_600.0));
        assert_eq!(parse("250ms", Kind::Duration), Ok(0.25));
        assert_eq!(
            parse("2GiB", Kind::Size),
            Ok(2.0 * 1024.0 * 1024.0 * 1024.0)
        );
        assert_eq!(parse("4MB", Kind::Size), Ok(4e6));
        assert_eq!(parse("40MiB/s", Kind::Rate), Ok(40.0 * 1024.0 * 1024.0));
        assert_eq!(parse("1Gbit/s", Kind::Rate), Ok(125e6));
        assert_eq!(parse("100Mbps", Kind::Rate), Ok(12.5e6));
        assert_eq!(parse("1e12h", Kind::Duration), Ok(3.6e15));
        assert_eq!(parse("2.5E-3s", Kind::Duration), Ok(2.5e-3));
        assert_eq!(parse("1e3", Kind::Factor), Ok(1e3));
        assert!(
            parse("1e308d", Kind::Duration)
                .unwrap_err()
                .contains("too large")
        );
    }

    #[test]
    fn refuses_bad_input() {
        assert!(parse("90", Kind::Duration).unwrap_err().contains("no unit"));
        assert!(
            parse("-5s", Kind::Duration)
                .unwrap_err()
                .contains("negative")
        );
        assert!(
            parse("5 parsecs", Kind::Duration)
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(
            parse("s", Kind::Duration)
                .unwrap_err()
                .contains("no number")
        );
        assert!(
            parse("4MB", Kind::Rate)
                .unwrap_err()
                .contains("unknown unit")
        );
    }

    #[test]
    fn formats_durations() {
        assert_eq!(format_duration(0.25), "250ms");
        assert_eq!(format_duration(42.0), "42.0s");
        assert_eq!(format_duration(725.0), "12m 05s");
        assert_eq!(format_duration(12_000.0), "3h 20m");
        assert_eq!(format_duration(187_200.0), "2d 4h");
    }
}
