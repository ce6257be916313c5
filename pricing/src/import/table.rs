//! The CSV variant of the bulk offer files, streamed one record at a time.
//!
//! Five metadata rows (`FormatVersion`, `Disclaimer`, `Publication Date`, `Version`,
//! `OfferCode`), a header row starting `SKU`, then one row per SKU, term and rate. Columns are
//! found by name (the set varies by service): `SKU`, `TermType`, `Unit`, `PricePerUnit`,
//! `Currency` are required; `StartingRange`, `EffectiveDate`, `LeaseContractLength`,
//! `Product Family`, `serviceCode` and the attribute columns (`Instance Type`, `Operating
//! System`, `Tenancy`, `CapacityStatus`, `Pre Installed S/W`, `License Model`, `Region Code`,
//! `Volume API Name`, `usageType`…) are used when present. Only `TermType` `OnDemand` rows are
//! read. Products are counted as runs of rows with the same SKU (AWS writes them together).

use std::io::Read;

use crate::catalog::PriceError;

use super::product::{ATTR_COUNT, Attr, Classified, Product, normalize};
use super::{Dim, Importer, Origin, describe_offer};

const METADATA: [&str; 5] = [
    "FormatVersion",
    "Disclaimer",
    "Publication Date",
    "Version",
    "OfferCode",
];

struct Columns {
    sku: usize,
    term_type: usize,
    unit: usize,
    price: usize,
    currency: usize,
    starting_range: Option<usize>,
    effective_date: Option<usize>,
    lease: Option<usize>,
    family: Option<usize>,
    service: Option<usize>,
    attrs: [Option<usize>; ATTR_COUNT],
}

pub(super) fn import<R: Read>(input: R, importer: &mut Importer<'_>) -> Result<(), PriceError> {
    let file = importer.file;
    let bad = |line: u64, message: String, help: &str| PriceError::BadLine {
        file: file.to_string(),
        line,
        message,
        help: help.to_string(),
    };
    let csv_error = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        match e.kind() {
            csv::ErrorKind::Io(io) => PriceError::BadFile {
                file: file.to_string(),
                message: format!("cannot read the file: {io}"),
            },
            _ => bad(
                line,
                format!("malformed CSV: {e}"),
                "an AWS Price List CSV file has one quoted value per column",
            ),
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::StringRecord::new();

    let mut offer_code = String::new();
    let mut publication_date = String::new();
    for (i, name) in METADATA.iter().enumerate() {
        let line = i as u64 + 1;
        if !reader.read_record(&mut record).map_err(csv_error)? {
            return Err(bad(
                line,
                "the file ends within the 5 metadata rows".into(),
                "download the file again",
            ));
        }
        let key = record.get(0).unwrap_or("");
        if key != *name {
            return Err(bad(
                line,
                format!("expected the metadata row \"{name}\", found \"{key}\""),
                "an AWS Price List CSV file starts with the rows FormatVersion, Disclaimer, Publication Date, Version, OfferCode",
            ));
        }
        let value = record.get(1).unwrap_or("").to_string();
        match *name {
            "OfferCode" => offer_code = value,
            "Publication Date" => publication_date = value,
            _ => {}
        }
    }
    importer.offer_code = offer_code.clone();
    importer.offer = Some(describe_offer(&offer_code, &publication_date, "offer"));

    if !reader.read_record(&mut record).map_err(csv_error)? || record.get(0) != Some("SKU") {
        return Err(bad(
            6,
            format!(
                "expected the header row starting with \"SKU\", found \"{}\"",
                record.get(0).unwrap_or("")
            ),
            "the sixth row of an AWS Price List CSV file names the columns",
        ));
    }
    let columns = columns(&record).map_err(|missing| {
        bad(
            6,
            format!("the header has no \"{missing}\" column"),
            "is this the CSV variant of an AWS Price List offer file?",
        )
    })?;

    let mut last_sku = String::new();
    let mut noted_sku = String::new();
    while reader.read_record(&mut record).map_err(csv_error)? {
        let field = |i: usize| record.get(i).unwrap_or("");
        let opt = |i: Option<usize>| i.map_or("", field);
        let sku = field(columns.sku);
        if sku != last_sku {
            importer.products_seen += 1;
            last_sku.clear();
            last_sku.push_str(sku);
        }
        if field(columns.term_type) != "OnDemand" || !opt(columns.lease).is_empty() {
            continue;
        }
        let attrs: [&str; ATTR_COUNT] = std::array::from_fn(|i| opt(columns.attrs[i]));
        let service = Some(opt(columns.service))
            .filter(|s| !s.is_empty())
            .unwrap_or(&offer_code);
        let product = Product {
            sku,
            family: opt(columns.family),
            service,
            attrs,
        };
        match product.classify() {
            Classified::Ignore => {}
            Classified::Skip(reason) => {
                if noted_sku != sku {
                    importer.skip(reason);
                    noted_sku = sku.to_string();
                }
            }
            Classified::Keep(mapping) => {
                let line = record.position().map_or(0, |p| p.line());
                let origin = Origin {
                    sku,
                    effective: opt(columns.effective_date),
                    offer: None,
                };
                let currency = field(columns.currency);
                let usd = if currency == "USD" {
                    Ok(field(columns.price))
                } else {
                    Err(currency.to_string())
                };
                let dim = Dim {
                    begin: columns.starting_range.map(field),
                    unit: field(columns.unit),
                    usd,
                };
                importer
                    .add_dim(&mapping, &origin, &dim)
                    .map_err(|p| bad(line, p.message, &p.help))?;
            }
        }
    }
    Ok(())
}

/// Finds the columns by name; the name of a missing required one.
fn columns(header: &csv::StringRecord) -> Result<Columns, &'static str> {
    let find = |name: &str| header.iter().position(|h| normalize(h) == normalize(name));
    let need = |name: &'static str| find(name).ok_or(name);
    let mut attrs = [None; ATTR_COUNT];
    for (i, h) in header.iter().enumerate() {
        if let Some(attr) = Attr::from_csv_header(h) {
            attrs[attr as usize].get_or_insert(i);
        }
    }
    Ok(Columns {
        sku: need("SKU")?,
        term_type: need("TermType")?,
        unit: need("Unit")?,
        price: need("PricePerUnit")?,
        currency: need("Currency")?,
        starting_range: find("StartingRange"),
        effective_date: find("EffectiveDate"),
        lease: find("LeaseContractLength"),
        family: find("Product Family"),
        service: find("serviceCode"),
        attrs,
    })
}
