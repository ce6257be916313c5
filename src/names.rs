//! The AWS names a scenario uses — regions, instance types, the database engine and class —
//! checked against the price catalogs (the embedded one and the scenario's `[pricing] catalog`)
//! when the scenario is loaded, by `simulate` as well as `plan`, so that a typo is caught with
//! its file, line and key rather than deep in the cost model. (`scenarios` knows no prices, so
//! this check lives in the binary.)

use std::collections::BTreeSet;

use pricing::Catalog;
use scenarios::Scenario;

use crate::Failure;

/// Names shown in a message before "and N more".
const SHOWN: usize = 20;

fn listing<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    if names.is_empty() {
        return "none".to_string();
    }
    let mut text = names
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

/// What the catalog knows, by name.
struct Known<'a> {
    regions: BTreeSet<&'a str>,
    instance_types: BTreeSet<&'a str>,
    engines: BTreeSet<&'a str>,
}

impl<'a> Known<'a> {
    fn of(catalog: &'a Catalog) -> Known<'a> {
        let mut known = Known {
            regions: BTreeSet::new(),
            instance_types: BTreeSet::new(),
            engines: BTreeSet::new(),
        };
        for e in catalog.entries() {
            known.regions.insert(&e.key.region);
            match e.key.service.as_str() {
                "ec2" => {
                    // "m6i.large" and its Windows price "m6i.large:windows".
                    let item = e.key.item.as_str();
                    known
                        .instance_types
                        .insert(item.split_once(':').map_or(item, |(t, _)| t));
                }
                s if scenarios::names::EngineFamily::of(s).is_some() => {
                    known.engines.insert(s);
                }
                _ => {}
            }
        }
        known
    }

    /// Instance classes the catalog prices for `engine` (`db.r6g.large`).
    fn classes(catalog: &'a Catalog, engine: &str) -> BTreeSet<&'a str> {
        catalog
            .entries()
            .filter(|e| e.key.service == engine)
            .map(|e| {
                e.key
                    .item
                    .split_once(':')
                    .map_or(e.key.item.as_str(), |(class, _)| class)
            })
            .collect()
    }
}

/// Checks the scenario's AWS names against `catalog`; `text` and `file` locate the keys.
pub fn check(
    scenario: &Scenario,
    text: &str,
    file: &str,
    catalog: &Catalog,
) -> Result<(), Failure> {
    let known = Known::of(catalog);
    let catalogs = match &scenario.pricing.catalog {
        Some(c) => format!("the embedded catalog and {c}"),
        None => "the embedded catalog".to_string(),
    };
    let fail = |key: &str, message: String, help: String| {
        Failure::BadInput(
            scenarios::error_at(text, file, key, message)
                .with_help(help)
                .to_string(),
        )
    };
    let import_help = "or import its prices with `drsim prices import FILE... --out CATALOG` and name the catalog in `[pricing] catalog`";
    let regions = [
        ("regions.primary", Some(scenario.primary_region.as_str())),
        ("regions.recovery", Some(scenario.recovery_region.as_str())),
        (
            "pricing.fallback-region",
            scenario.pricing.fallback_region.as_deref(),
        ),
    ];
    for (key, region) in regions {
        let Some(region) = region else { continue };
        if region.trim().is_empty() {
            return Err(fail(
                key,
                "the region is empty".to_string(),
                format!(
                    "name an AWS region: {}",
                    listing(known.regions.iter().copied())
                ),
            ));
        }
        if !known.regions.contains(region) {
            return Err(fail(
                key,
                format!("unknown region \"{region}\": not in {catalogs}"),
                format!(
                    "regions known: {}; {import_help}",
                    listing(known.regions.iter().copied())
                ),
            ));
        }
    }
    for tier in &scenario.tiers {
        if !known.instance_types.contains(tier.instance_type.as_str()) {
            return Err(fail(
                &format!("tiers.{}.instance-type", tier.name),
                format!(
                    "unknown instance type \"{}\": no `ec2` price for it in {catalogs}",
                    tier.instance_type
                ),
                format!(
                    "instance types known: {}; {import_help}",
                    listing(known.instance_types.iter().copied())
                ),
            ));
        }
    }
    let db = &scenario.database;
    if !known.engines.contains(db.engine.as_str()) {
        return Err(fail(
            "database.engine",
            format!("unknown database engine \"{}\"", db.engine),
            format!("engines known: {}", listing(known.engines.iter().copied())),
        ));
    }
    // A DynamoDB table has no instance class (`database.instance-class` does not apply).
    let classes = Known::classes(catalog, &db.engine);
    let has_instances = db.managed.family() != scenarios::names::EngineFamily::DynamoDb;
    if has_instances && !classes.contains(db.instance_class.as_str()) {
        return Err(fail(
            "database.instance-class",
            format!(
                "unknown instance class \"{}\" for {}: no price for it in {catalogs}",
                db.instance_class, db.engine
            ),
            format!(
                "{} classes known: {}; {import_help}",
                db.engine,
                listing(classes.iter().copied())
            ),
        ));
    }
    Ok(())
}
