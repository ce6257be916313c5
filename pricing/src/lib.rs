//! pricing: what AWS charges, as exact money.
//!
//! A [`Catalog`] holds prices by region, service and item, each dated and sourced. The default
//! is embedded ([`Catalog::embedded`]); the [`import`] module reads the real AWS Price List files
//! (bulk offer JSON, its CSV variant, and GetProducts responses) as streams, keeping only what
//! drsim prices. This crate does no simulation and no I/O beyond reading the files it is handed.
//!
//! ```
//! let catalog = pricing::Catalog::embedded().expect("the embedded catalog is valid");
//! let (price, _) = catalog.price("us-east-1", "ec2", "m5.large").expect("sourced");
//! assert_eq!(price.times(730.0).to_string(), "$70.08");
//! ```

pub mod catalog;
pub mod import;
pub mod money;

pub use catalog::{Catalog, Entry, Key, PriceError, Unit};
pub use money::{Usd, group_thousands};
