//! `drsim prices`: import AWS Price List files into a catalog, show a catalog.
//!
//! `import` streams every file into one catalog (see `pricing::import`) and writes it
//! atomically; a file that cannot be read or has a format error stops it with exit 2 and
//! nothing written. `show` prints the embedded catalog, or a written one, as a table, JSON or
//! the catalog CSV itself.

use std::path::Path;
use std::time::Instant;

use pricing::Catalog;
use pricing::import::{ImportStats, import_reader};

use crate::Failure;
use crate::cli::{CatalogFormat, PricesCommand, PricesImportArgs, PricesShowArgs};
use crate::exit::ExitStatus;

/// Runs a `prices` subcommand.
pub fn run(command: &PricesCommand) -> Result<ExitStatus, Failure> {
    match command {
        PricesCommand::Import(args) => import(args),
        PricesCommand::Show(args) => show(args),
    }
}

const DOWNLOAD_HELP: &str = "download the AWS Price List files from https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json (per service and region: …/<service>/current/<region>/index.json or index.csv)";

fn import(args: &PricesImportArgs) -> Result<ExitStatus, Failure> {
    crate::io::check_output(&args.out).map_err(|e| Failure::Io(e.into()))?;
    let mut catalog = Catalog::new(&args.out.display().to_string());
    let mut files = 0;
    for path in &args.files {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| {
            Failure::BadInput(format!(
                "{name}: cannot read the price file: {e}\n  help: check the path; {DOWNLOAD_HELP}"
            ))
        })?;
        let started = Instant::now();
        let stats = import_reader(file, &name, &mut catalog)
            .map_err(|e| Failure::BadInput(e.to_string()))?;
        let seconds = started.elapsed().as_secs_f64();
        if !args.quiet {
            eprintln!("{}", summary(&name, &stats, seconds));
            for reason in &stats.skipped {
                eprintln!("  skipped: {reason}");
            }
        }
        files += stats.files;
    }
    let text = catalog
        .to_csv()
        .map_err(|e| Failure::Io(anyhow::anyhow!(e)))?;
    crate::write_output(Some(&args.out), &text).map_err(Failure::Io)?;
    if !args.quiet {
        if catalog.is_empty() {
            eprintln!(
                "warning: no prices kept: none of the products in {} is one drsim prices (see docs/pricing.md)",
                plural(files as u64, "file")
            );
        }
        eprintln!(
            "wrote {} to {}",
            plural(catalog.len() as u64, "price"),
            args.out.display()
        );
    }
    Ok(ExitStatus::Success)
}

/// "index.json: 1,048,576,000 bytes, 412,345 products, 812 prices kept, 6.12 s, 171.3 MB/s"
fn summary(name: &str, stats: &ImportStats, seconds: f64) -> String {
    let rate = stats.bytes as f64 / 1e6 / seconds.max(1e-6);
    format!(
        "{name}: {} bytes, {}, {} kept, {seconds:.2} s, {rate:.1} MB/s",
        pricing::group_thousands(stats.bytes),
        plural(stats.products_seen, "product"),
        plural(stats.prices_kept, "price"),
    )
}

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{} {what}s", pricing::group_thousands(n))
    }
}

fn load(path: Option<&Path>) -> Result<Catalog, Failure> {
    match path {
        None => Catalog::embedded().map_err(|e| Failure::BadInput(e.to_string())),
        Some(path) => read_catalog(path, "or leave --catalog out to show the embedded one"),
    }
}

/// Reads a catalog file written by `drsim prices import`; `help` ends the message when it
/// cannot be read.
pub fn read_catalog(path: &Path, help: &str) -> Result<Catalog, Failure> {
    let name = path.display().to_string();
    let text = crate::io::read_text(path, crate::io::MAX_CATALOG_BYTES).map_err(|e| {
        let fix = match e {
            crate::io::ReadError::Io(_) => {
                format!("write one with `drsim prices import FILE... --out {name}`")
            }
            _ => "name a catalog file written by `drsim prices import`".to_string(),
        };
        Failure::BadInput(format!(
            "{name}: cannot read the catalog: {e}\n  help: {fix}, {help}"
        ))
    })?;
    Catalog::from_csv(&text, &name).map_err(|e| Failure::BadInput(e.to_string()))
}

fn show(args: &PricesShowArgs) -> Result<ExitStatus, Failure> {
    let catalog = load(args.catalog.as_deref())?;
    let catalog = match &args.region {
        None => catalog,
        Some(region) => {
            let regions = catalog.regions();
            if !regions.contains(region.as_str()) {
                let list: Vec<&str> = regions.into_iter().collect();
                let has = if list.is_empty() {
                    "no regions".to_string()
                } else {
                    list.join(", ")
                };
                return Err(Failure::BadInput(format!(
                    "catalog {} has no region {region}\n  help: its regions are: {has}",
                    catalog.name
                )));
            }
            let mut only = Catalog::new(&catalog.name);
            for entry in catalog.entries().filter(|e| e.key.region == *region) {
                only.insert(entry.clone());
            }
            only
        }
    };
    let listing = reports::catalog::Listing::new(&catalog);
    let text = match args.format {
        CatalogFormat::Table => listing.table(),
        CatalogFormat::Json => reports::json::pretty(&listing).map_err(Failure::Io)?,
        CatalogFormat::Csv => catalog
            .to_csv()
            .map_err(|e| Failure::Io(anyhow::anyhow!(e)))?,
    };
    crate::write_output(None, &text).map_err(Failure::Io)?;
    Ok(ExitStatus::Success)
}
