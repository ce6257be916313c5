//! Imports of the AWS Price List files, as streams.
//!
//! Three shapes are read, told apart by their first bytes ([`import_reader`]):
//! - the **bulk offer file** (`offers/v1.0/aws/<offer>/current/<region>/index.json`): a JSON
//!   object whose `products` map SKUs to attributes and whose `terms.OnDemand` holds the prices;
//! - its **CSV variant** (`index.csv`): five metadata rows, a header row starting `SKU`, then one
//!   row per SKU, term and rate;
//! - a saved **GetProducts** response (`{"FormatVersion":"aws_v1","PriceList":[…]}`), whose
//!   elements are JSON strings (or, as some SDKs hand them out, already-decoded objects).
//!
//! Real EC2 offer files are gigabytes, so nothing is read whole: JSON goes through a
//! `serde_json` stream with visitors that skip (`IgnoredAny`) everything drsim does not price,
//! and CSV through the `csv` crate one record at a time. Memory is bounded by the products that
//! map to a catalog key, never by the file.
//!
//! Which products map to which catalog key, and the filters (Linux, shared tenancy, capacity
//! status `Used`, no pre-installed software, no licence, on-demand terms, USD) are in
//! `import/product.rs` and in `docs/pricing.md`.
//!
//! When several price dimensions of one SKU are tiers (S3 storage, internet egress), the price
//! kept is the lowest tier with a non-zero price (the first paid tier). When several SKUs map
//! to the same key, the highest price is kept and the disagreement is reported in
//! [`ImportStats::skipped`].

mod json;
mod product;
mod table;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

use crate::catalog::{Catalog, Entry, Key, PriceError, Unit};
use crate::money::Usd;

/// What one import read and kept.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportStats {
    /// Files read (1 for one call of [`import_reader`]).
    pub files: usize,
    /// Bytes read.
    pub bytes: u64,
    /// Products (SKUs) seen, whether kept or not.
    pub products_seen: u64,
    /// Catalog entries written.
    pub prices_kept: u64,
    /// Short reasons why products that map to a catalog key were not kept as they are (no
    /// on-demand term, unknown location, several SKUs for one key…); at most about 20.
    pub skipped: Vec<String>,
}

/// At most this many skip reasons are kept; the rest are counted.
const MAX_SKIPPED: usize = 20;

/// Reads one AWS Price List file (bulk offer JSON, its CSV variant, or a GetProducts response,
/// detected from its first bytes) and adds the prices drsim uses to `into`.
///
/// `file_name` names the file in messages and in the catalog's `source` column. On error,
/// `into` is left unchanged.
///
/// Detection: a JSON object with `products`/`terms` is a bulk offer file; one with
/// `PriceList` is a GetProducts response; text whose first row is `FormatVersion,…` is the CSV
/// variant (5 metadata rows, then a header starting `SKU`). Anything else is refused.
pub fn import_reader<R: Read>(
    reader: R,
    file_name: &str,
    into: &mut Catalog,
) -> Result<ImportStats, PriceError> {
    let count = Cell::new(0u64);
    let mut input = BufReader::with_capacity(
        1 << 20,
        Counting {
            inner: reader,
            count: &count,
        },
    );
    let format = detect(&mut input, file_name)?;
    let mut importer = Importer::new(file_name);
    match format {
        Format::Json => json::import(input, &mut importer)?,
        Format::Csv => table::import(input, &mut importer)?,
    }
    let (entries, mut stats) = importer.finish();
    stats.bytes = count.get();
    for entry in entries {
        into.insert(entry);
    }
    Ok(stats)
}

/// Counts the bytes read through it.
struct Counting<'c, R> {
    inner: R,
    count: &'c Cell<u64>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

enum Format {
    Json,
    Csv,
}

const EXPECTED_FORMATS: &str = "give an AWS Price List file: a bulk offer file (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<service>/current/<region>/index.json), its CSV variant (index.csv) or a saved GetProducts response ({\"FormatVersion\":\"aws_v1\",\"PriceList\":[…]})";

fn not_a_price_list(file: &str, what: String) -> PriceError {
    PriceError::BadLine {
        file: file.to_string(),
        line: 1,
        message: format!("not an AWS Price List file: {what}"),
        help: EXPECTED_FORMATS.to_string(),
    }
}

fn io_error(file: &str, e: &std::io::Error) -> PriceError {
    PriceError::BadFile {
        file: file.to_string(),
        message: format!("cannot read the file: {e}"),
    }
}

/// Looks at the first non-blank bytes (after a UTF-8 byte-order mark) without consuming more.
fn detect<R: BufRead>(input: &mut R, file: &str) -> Result<Format, PriceError> {
    let mut start = true;
    loop {
        let buf = input.fill_buf().map_err(|e| io_error(file, &e))?;
        if buf.is_empty() {
            return Err(not_a_price_list(file, "the file is empty".to_string()));
        }
        let mut skip = 0;
        if start && buf.starts_with(b"\xEF\xBB\xBF") {
            skip = 3;
        }
        start = false;
        while skip < buf.len() && buf[skip].is_ascii_whitespace() {
            skip += 1;
        }
        if skip == buf.len() {
            input.consume(skip);
            continue;
        }
        let rest = &buf[skip..];
        let format = if rest[0] == b'{' {
            Some(Format::Json)
        } else if rest.starts_with(b"\"FormatVersion\"") || rest.starts_with(b"FormatVersion,") {
            Some(Format::Csv)
        } else {
            None
        };
        if format.is_none() && (rest.starts_with(b"\"SKU\",") || rest.starts_with(b"SKU,")) {
            return Err(not_a_price_list(
                file,
                "a CSV file that starts with the header row; the CSV variant of the Price List starts with 5 metadata rows (FormatVersion, Disclaimer, Publication Date, Version, OfferCode)".to_string(),
            ));
        }
        let Some(format) = format else {
            let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
            let shown: String = String::from_utf8_lossy(line)
                .trim_end()
                .chars()
                .take(60)
                .collect();
            return Err(not_a_price_list(file, format!("it starts with `{shown}`")));
        };
        input.consume(skip);
        return Ok(format);
    }
}

/// Why a product that maps to a catalog key cannot be priced; becomes a [`PriceError`] with
/// the file and position.
#[derive(Debug)]
pub(crate) struct Problem {
    pub message: String,
    pub help: String,
}

/// One price dimension (rate) of an on-demand term, as read.
pub(crate) struct Dim<'a> {
    /// `beginRange` / `StartingRange` of a tier (absent: 0).
    pub begin: Option<&'a str>,
    pub unit: &'a str,
    /// The USD price text, or `Err(currencies found)` when there is none.
    pub usd: Result<&'a str, String>,
}

/// Where a kept price came from.
pub(crate) struct Origin<'a> {
    pub sku: &'a str,
    /// `effectiveDate` of the term.
    pub effective: &'a str,
    /// Offer and publication date when they differ per product (GetProducts).
    pub offer: Option<String>,
}

/// What a product maps to: one or more catalog keys (an inter-region transfer product gives
/// both `inter-region` and `inter-region:<destination>`) and the unit they are priced in.
#[derive(Clone, Debug)]
pub(crate) struct Mapping {
    pub keys: Vec<Key>,
    pub unit: Unit,
}

struct SkuPrice {
    as_of: String,
    offer: Option<String>,
    /// (beginning of the tier, price)
    tiers: Vec<(f64, Usd)>,
}

struct Collected {
    unit: Unit,
    skus: BTreeMap<String, SkuPrice>,
}

/// State shared by the three readers: what was collected, counts, skip reasons.
pub(crate) struct Importer<'f> {
    pub file: &'f str,
    /// "AmazonEC2 offer, publicationDate 2023-03-22", once known (bulk and CSV files).
    pub offer: Option<String>,
    /// Offer code of the file (bulk, CSV), used when a product has no `servicecode`.
    pub offer_code: String,
    pub products_seen: u64,
    skipped: Vec<String>,
    skipped_more: usize,
    prices: BTreeMap<Key, Collected>,
}

/// Price List units drsim reads, and what they are in catalog units.
pub(crate) fn catalog_unit(price_list_unit: &str) -> Option<Unit> {
    Some(match price_list_unit {
        "Hrs" | "LCU-Hrs" => Unit::Hour,
        "GB-Mo" => Unit::GbMonth,
        "GB" => Unit::Gb,
        _ => return None,
    })
}

/// "AmazonEC2 offer, publicationDate 2023-03-22".
pub(crate) fn describe_offer(offer_code: &str, publication_date: &str, how: &str) -> String {
    let code = if offer_code.is_empty() {
        "unknown"
    } else {
        offer_code
    };
    let mut text = format!("{code} {how}");
    if !publication_date.is_empty() {
        text.push_str(", publicationDate ");
        text.push_str(date_part(publication_date));
    }
    text
}

fn date_part(text: &str) -> &str {
    text.get(..10)
        .filter(|d| d.as_bytes().get(4) == Some(&b'-'))
        .unwrap_or(text)
}

impl<'f> Importer<'f> {
    fn new(file: &'f str) -> Importer<'f> {
        Importer {
            file,
            offer: None,
            offer_code: String::new(),
            products_seen: 0,
            skipped: Vec::new(),
            skipped_more: 0,
            prices: BTreeMap::new(),
        }
    }

    /// Records why something was not kept (capped).
    pub fn skip(&mut self, reason: String) {
        if self.skipped.len() < MAX_SKIPPED {
            self.skipped.push(reason);
        } else {
            self.skipped_more += 1;
        }
    }

    /// Adds one price dimension of an on-demand term of a product that maps to `mapping`.
    pub fn add_dim(
        &mut self,
        mapping: &Mapping,
        origin: &Origin<'_>,
        dim: &Dim<'_>,
    ) -> Result<(), Problem> {
        let what = || match mapping.keys.first() {
            Some(key) => format!("SKU {} ({key})", origin.sku),
            None => format!("SKU {}", origin.sku),
        };
        let unit = catalog_unit(dim.unit).ok_or_else(|| Problem {
            message: format!("{}: unknown unit \"{}\"", what(), dim.unit),
            help: "drsim reads prices per Hrs, LCU-Hrs, GB-Mo and GB; a unit new to drsim needs an update of its importer (report it with the SKU)".to_string(),
        })?;
        if unit != mapping.unit {
            return Err(Problem {
                message: format!("{}: priced per \"{}\" where drsim expects a price per {}", what(), dim.unit, mapping.unit),
                help: "this product's price dimension has a unit drsim cannot convert; report it with the SKU".to_string(),
            });
        }
        let text = dim.usd.as_ref().map_err(|found| Problem {
            message: format!("{}: no USD price (pricePerUnit has {})", what(), if found.is_empty() { "nothing" } else { found }),
            help: "drsim imports US-dollar prices only; use the Price List files of the AWS (USD) partition".to_string(),
        })?;
        let usd = Usd::parse_price(text).map_err(|e| Problem {
            message: match e {
                crate::money::PriceTextError::NotDecimal => {
                    format!(
                        "{}: the USD price \"{}\" is not a number",
                        what(),
                        crate::money::shorten(text)
                    )
                }
                e => format!(
                    "{}: the USD price \"{}\" {e}",
                    what(),
                    crate::money::shorten(text)
                ),
            },
            help: "pricePerUnit.USD must be a plain decimal such as \"0.0960000000\"".to_string(),
        })?;
        let begin = dim
            .begin
            .and_then(|b| b.trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        for key in &mapping.keys {
            let collected = self.prices.entry(key.clone()).or_insert_with(|| Collected {
                unit: mapping.unit,
                skus: BTreeMap::new(),
            });
            let sku = collected
                .skus
                .entry(origin.sku.to_string())
                .or_insert_with(|| SkuPrice {
                    as_of: date_part(origin.effective).to_string(),
                    offer: origin.offer.clone(),
                    tiers: Vec::new(),
                });
            sku.tiers.push((begin, usd));
        }
        Ok(())
    }

    /// The catalog entries and the statistics.
    fn finish(mut self) -> (Vec<Entry>, ImportStats) {
        let mut entries = Vec::with_capacity(self.prices.len());
        let mut notes = Vec::new();
        let file_offer = self
            .offer
            .clone()
            .unwrap_or_else(|| describe_offer(&self.offer_code, "", "offer"));
        for (key, collected) in std::mem::take(&mut self.prices) {
            let mut best: Option<(&String, Usd, &SkuPrice)> = None;
            let mut low = None;
            for (sku, price) in &collected.skus {
                let usd = tier_price(&price.tiers);
                low = Some(low.map_or(usd, |l: Usd| l.min(usd)));
                if best.as_ref().is_none_or(|(_, b, _)| usd > *b) {
                    best = Some((sku, usd, price));
                }
            }
            let Some((sku, usd, price)) = best else {
                continue;
            };
            let mut source = format!(
                "AWS Price List {} ({}), SKU {sku}",
                price.offer.as_deref().unwrap_or(&file_offer),
                self.file
            );
            if let Some(low) = low.filter(|l| *l != usd) {
                let n = collected.skus.len();
                source.push_str(&format!(" (highest of {n} SKUs, from {})", plain(low)));
                notes.push(format!(
                    "{key}: {n} SKUs priced from {} to {}; kept the highest",
                    plain(low),
                    plain(usd)
                ));
            }
            entries.push(Entry {
                key,
                unit: collected.unit,
                usd: Some(usd),
                as_of: price.as_of.clone(),
                source,
            });
        }
        for note in notes {
            self.skip(note);
        }
        if self.skipped_more > 0 {
            self.skipped
                .push(format!("… and {} more", self.skipped_more));
        }
        let stats = ImportStats {
            files: 1,
            bytes: 0,
            products_seen: self.products_seen,
            prices_kept: entries.len() as u64,
            skipped: self.skipped,
        };
        (entries, stats)
    }
}

/// The price of the first paid tier (lowest beginning with a non-zero price), else zero.
fn tier_price(tiers: &[(f64, Usd)]) -> Usd {
    let mut sorted: Vec<&(f64, Usd)> = tiers.iter().collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    sorted
        .iter()
        .find(|(_, usd)| *usd != Usd::ZERO)
        .or(sorted.first())
        .map_or(Usd::ZERO, |(_, usd)| *usd)
}

fn plain(usd: Usd) -> String {
    usd.0.normalize().to_string()
}
