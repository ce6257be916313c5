//! The listing of a price catalog (`drsim prices show`): every line with its unit, exact price
//! (or "not sourced"), date and source. Its JSON is an array of lines, `usd` a decimal string
//! or null; the CSV form is the catalog file itself (`pricing::Catalog::to_csv`).

use std::fmt::Write as _;

use pricing::{Catalog, Usd};
use serde::{Serialize, Serializer};

use crate::money::{exact_opt, exact_text};

/// One catalog line.
#[derive(Debug, Serialize)]
pub struct Line {
    pub region: String,
    pub service: String,
    pub item: String,
    pub unit: &'static str,
    /// Exact, as the catalog gives it; `None` when not sourced.
    #[serde(serialize_with = "exact_opt")]
    pub usd: Option<Usd>,
    pub as_of: String,
    pub source: String,
}

/// What a catalog holds.
#[derive(Debug)]
pub struct Listing {
    /// The catalog's name, for the table's title.
    pub name: String,
    pub lines: Vec<Line>,
}

impl Serialize for Listing {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.lines.serialize(serializer)
    }
}

const SOURCE_WIDTH: usize = 60;

impl Listing {
    pub fn new(catalog: &Catalog) -> Listing {
        Listing {
            name: catalog.name.clone(),
            lines: catalog
                .entries()
                .map(|e| Line {
                    region: e.key.region.clone(),
                    service: e.key.service.clone(),
                    item: e.key.item.clone(),
                    unit: e.unit.name(),
                    usd: e.usd,
                    as_of: e.as_of.clone(),
                    source: e.source.clone(),
                })
                .collect(),
        }
    }

    /// Plain-text table, prices right-aligned, sources cut to 60 characters.
    pub fn table(&self) -> String {
        let header = [
            "region", "service", "item", "unit", "usd", "as_of", "source",
        ];
        let rows: Vec<[String; 7]> = self
            .lines
            .iter()
            .map(|e| {
                let mut source: String = e.source.chars().take(SOURCE_WIDTH).collect();
                if e.source.chars().count() > SOURCE_WIDTH {
                    source.pop();
                    source.push('…');
                }
                [
                    e.region.clone(),
                    e.service.clone(),
                    e.item.clone(),
                    e.unit.to_string(),
                    e.usd.map_or_else(|| "not sourced".to_string(), exact_text),
                    e.as_of.clone(),
                    source,
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let not_sourced = self.lines.iter().filter(|e| e.usd.is_none()).count();
        let count = self.lines.len() as u64;
        let lines = if count == 1 {
            "1 line".to_string()
        } else {
            format!("{} lines", pricing::group_thousands(count))
        };
        let mut out = format!(
            "{}: {lines} ({not_sourced} not sourced), USD\n\n",
            self.name
        );
        let mut line = |cells: [&str; 7]| {
            let mut text = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let pad = widths[i].saturating_sub(cell.chars().count());
                if i == 4 {
                    // Prices right-aligned.
                    let _ = write!(text, "{}{cell}  ", " ".repeat(pad));
                } else if i == 6 {
                    text.push_str(cell);
                } else {
                    let _ = write!(text, "{cell}{}  ", " ".repeat(pad));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(header);
        for row in &rows {
            line(row.each_ref().map(String::as_str));
        }
        out
    }
}
