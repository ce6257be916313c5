//! A price catalog: prices by region, service and item, each with its unit, date and source.
//!
//! On disk (the embedded default and what `drsim prices import` writes) a catalog is CSV with
//! the header `region,service,item,unit,usd,as_of,source`; lines starting with `#` are comments.
//! An empty `usd` records that the price is **not sourced** for that region: looking it up is an
//! error that says so, rather than a guess.
//!
//! Keys (service / item / unit):
//! - `ec2` / instance type (`m6i.large`) / `hour` — Linux, shared tenancy, on demand
//! - `rds-mysql`, `rds-postgresql` / `<class>:single-az` or `<class>:multi-az` / `hour`;
//!   `aurora-postgresql`, `aurora-mysql` / class / `hour`; `rds` / `storage-gp3`, `backup` / `gb-month`
//! - `ebs` / `gp3`, `snapshot`, `snapshot-archive` / `gb-month`
//! - `s3` / `standard`, `standard-ia`, `one-zone-ia`, `glacier-instant`, `glacier-flexible`,
//!   `deep-archive` / `gb-month`; `s3-retrieval` / storage tier name (`glacier-flexible-standard`…) / `gb`
//! - `transfer` / `inter-region`, `internet` / `gb`
//! - `route53` / `hosted-zone`, `health-check` / `month`
//! - `elb` / `alb`, `alb-lcu` / `hour`; `vpc` / `public-ipv4`, `nat-gateway` / `hour`,
//!   `nat-gateway-data` / `gb`
//! - `backup` / `warm`, `cold`, `rds-snapshot` / `gb-month`; `drs` / `source-server` / `hour`
//! - `dynamodb` / `replicated-write` / `million-requests` (on-demand rWRU); `storage`, `backup`
//!   (on-demand backups), `pitr` (point-in-time recovery) / `gb-month`
//! - `aurora` / `storage` (Aurora Standard cluster volume) / `gb-month`; `replicated-write-io`
//!   (global database) / `million-requests`

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::money::Usd;

/// What a price is per.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    Hour,
    GbMonth,
    Gb,
    Month,
    /// A million requests (DynamoDB on-demand request units).
    MillionRequests,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Hour => "hour",
            Unit::GbMonth => "gb-month",
            Unit::Gb => "gb",
            Unit::Month => "month",
            Unit::MillionRequests => "million-requests",
        }
    }

    pub fn parse(text: &str) -> Option<Unit> {
        Some(match text.trim() {
            "hour" => Unit::Hour,
            "gb-month" => Unit::GbMonth,
            "gb" => Unit::Gb,
            "month" => Unit::Month,
            "million-requests" => Unit::MillionRequests,
            _ => return None,
        })
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a price sits in a catalog.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub region: String,
    pub service: String,
    pub item: String,
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} in {}", self.service, self.item, self.region)
    }
}

/// One line of a catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: Key,
    pub unit: Unit,
    /// `None`: not sourced for this region.
    pub usd: Option<Usd>,
    /// When the source quoted it (free text: a date or a year).
    pub as_of: String,
    pub source: String,
}

/// Why a catalog could not be read or a price not found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PriceError {
    #[error("{file}:{line}: {message}\n  help: {help}")]
    BadLine {
        file: String,
        line: u64,
        message: String,
        help: String,
    },
    #[error("{file}: {message}")]
    BadFile { file: String, message: String },
    #[error(
        "the price of {key} is not sourced in catalog {catalog} ({note})\n  help: import the AWS Price List for that region with `drsim prices import FILE --out CATALOG` and point the scenario's `[pricing] catalog` to it"
    )]
    NotSourced {
        key: Box<Key>,
        catalog: String,
        note: String,
    },
    #[error("catalog {catalog} has no price for {key}\n  help: {help}")]
    Missing {
        key: Box<Key>,
        catalog: String,
        help: String,
    },
}

/// Checks an `as_of` field (free text such as "2026-10-01", "2026 tables" or "undated"): every
/// date written in it as `YYYY-MM` or `YYYY-MM-DD` must exist.
pub fn check_as_of(text: &str) -> Result<(), String> {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| d.parse::<u32>().ok())
    };
    let mut i = 0;
    while i < b.len() {
        let starts = i == 0 || !b[i - 1].is_ascii_digit();
        if let (true, Some(year), Some(b'-'), Some(month)) =
            (starts, digits(i, 4), b.get(i + 4), digits(i + 5, 2))
        {
            let end_month = i + 7;
            let day = (b.get(end_month) == Some(&b'-'))
                .then(|| digits(end_month + 1, 2))
                .flatten();
            let date: String = text[i..if day.is_some() {
                end_month + 3
            } else {
                end_month
            }]
                .into();
            if !(1..=12).contains(&month) {
                return Err(format!(
                    "as_of \"{}\": {date} has no month {month:02}: months are 01 to 12",
                    shorten_text(text)
                ));
            }
            if let Some(day) = day {
                let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
                let days = match month {
                    2 if leap => 29,
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                if !(1..=days).contains(&day) {
                    return Err(format!(
                        "as_of \"{}\": {date} has no day {day:02}: that month has {days} days",
                        shorten_text(text)
                    ));
                }
            }
            i = end_month;
        } else {
            i += 1;
        }
    }
    Ok(())
}

/// At most 40 characters of a text, for messages.
fn shorten_text(text: &str) -> String {
    crate::money::shorten(text)
}

/// Prices by (region, service, item).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    /// The file it came from, for messages.
    pub name: String,
    entries: BTreeMap<Key, Entry>,
}

/// The embedded default catalog's text.
pub const EMBEDDED: &str = include_str!("../data/default-catalog.csv");

/// The name under which the embedded catalog appears in messages.
pub const EMBEDDED_NAME: &str = "<embedded default catalog>";

const HEADER: [&str; 7] = [
    "region", "service", "item", "unit", "usd", "as_of", "source",
];

impl Catalog {
    /// An empty catalog.
    pub fn new(name: &str) -> Catalog {
        Catalog {
            name: name.to_string(),
            entries: BTreeMap::new(),
        }
    }

    /// The embedded default catalog.
    pub fn embedded() -> Result<Catalog, PriceError> {
        Catalog::from_csv(EMBEDDED, EMBEDDED_NAME)
    }

    /// Reads a catalog from CSV text; `file` names it in messages.
    pub fn from_csv(text: &str, file: &str) -> Result<Catalog, PriceError> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let bad_file = |message: String| PriceError::BadFile {
            file: file.to_string(),
            message,
        };
        let headers = reader
            .headers()
            .map_err(|e| bad_file(e.to_string()))?
            .clone();
        if headers.iter().collect::<Vec<_>>() != HEADER {
            return Err(bad_file(format!(
                "not a drsim price catalog: the header must be `{}`, found `{}`",
                HEADER.join(","),
                headers.iter().collect::<Vec<_>>().join(",")
            )));
        }
        let mut catalog = Catalog::new(file);
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                PriceError::BadLine {
                    file: file.to_string(),
                    line,
                    message: e.to_string(),
                    help: "each line needs 7 fields".into(),
                }
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let bad = |message: String, help: &str| PriceError::BadLine {
                file: file.to_string(),
                line,
                message,
                help: help.to_string(),
            };
            let field = |i: usize| record.get(i).unwrap_or("").to_string();
            let unit = Unit::parse(&field(3)).ok_or_else(|| {
                bad(
                    format!("unknown unit \"{}\"", field(3)),
                    "use hour, gb-month, gb, month or million-requests",
                )
            })?;
            let usd = match field(4).as_str() {
                "" => None,
                text => Some(Usd::parse_price(text).map_err(|e| {
                    bad(
                        format!("the price \"{}\" {e}", crate::money::shorten(text)),
                        "write it like 0.096 (US dollars), or leave it empty if not sourced",
                    )
                })?),
            };
            let key = Key {
                region: field(0),
                service: field(1),
                item: field(2),
            };
            if key.region.is_empty() || key.service.is_empty() || key.item.is_empty() {
                return Err(bad(
                    "region, service and item must not be empty".into(),
                    "fill in the first three fields",
                ));
            }
            if catalog.entries.contains_key(&key) {
                return Err(bad(
                    format!("{key} is listed twice"),
                    "keep one line per region, service and item",
                ));
            }
            check_as_of(&field(5))
                .map_err(|m| bad(m, "write the date the price was quoted as YYYY-MM-DD"))?;
            catalog.entries.insert(
                key.clone(),
                Entry {
                    key,
                    unit,
                    usd,
                    as_of: field(5),
                    source: field(6),
                },
            );
        }
        Ok(catalog)
    }

    /// Writes the catalog as CSV.
    pub fn to_csv(&self) -> Result<String, PriceError> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let fail = |e: csv::Error| PriceError::BadFile {
            file: self.name.clone(),
            message: e.to_string(),
        };
        writer.write_record(HEADER).map_err(fail)?;
        for e in self.entries.values() {
            let usd = e
                .usd
                .map(|u| u.0.normalize().to_string())
                .unwrap_or_default();
            writer
                .write_record([
                    &e.key.region,
                    &e.key.service,
                    &e.key.item,
                    e.unit.name(),
                    &usd,
                    &e.as_of,
                    &e.source,
                ])
                .map_err(fail)?;
        }
        let bytes = writer.into_inner().map_err(|e| PriceError::BadFile {
            file: self.name.clone(),
            message: e.to_string(),
        })?;
        String::from_utf8(bytes).map_err(|e| PriceError::BadFile {
            file: self.name.clone(),
            message: e.to_string(),
        })
    }

    /// Adds or replaces an entry.
    pub fn insert(&mut self, entry: Entry) {
        self.entries.insert(entry.key.clone(), entry);
    }

    /// Entries of `other` replace this catalog's (e.g. imported prices over the defaults);
    /// a not-sourced line never replaces a price.
    pub fn overlay(&mut self, other: &Catalog) {
        for e in other.entries.values() {
            if e.usd.is_some() || !self.entries.contains_key(&e.key) {
                self.insert(e.clone());
            }
        }
    }

    /// All entries, sorted by region, service, item.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Regions the catalog mentions.
    pub fn regions(&self) -> BTreeSet<&str> {
        self.entries.keys().map(|k| k.region.as_str()).collect()
    }

    /// The price of an item, or why there is none.
    pub fn price(
        &self,
        region: &str,
        service: &str,
        item: &str,
    ) -> Result<(Usd, &Entry), PriceError> {
        let key = Key {
            region: region.to_string(),
            service: service.to_string(),
            item: item.to_string(),
        };
        match self.entries.get(&key) {
            Some(e) => match e.usd {
                Some(usd) => Ok((usd, e)),
                None => Err(PriceError::NotSourced {
                    key: Box::new(key),
                    catalog: self.name.clone(),
                    note: e.source.clone(),
                }),
            },
            None => {
                let known: Vec<&str> = self
                    .entries
                    .keys()
                    .filter(|k| k.region == region && k.service == service)
                    .map(|k| k.item.as_str())
                    .take(12)
                    .collect();
                let help = if known.is_empty() {
                    format!(
                        "the catalog lists no {service} prices in {region}; import them with `drsim prices import`"
                    )
                } else {
                    format!("{service} items it has in {region}: {}", known.join(", "))
                };
                Err(PriceError::Missing {
                    key: Box::new(key),
                    catalog: self.name.clone(),
                    help,
                })
            }
        }
    }
}
