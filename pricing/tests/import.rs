//! Imports of the AWS Price List files at the crate boundary: the two saved samples, the
//! filters every AWS user must apply, the CSV variant, what maps to which catalog key, the
//! errors, a large generated bulk file, and the embedded default catalog.
//!
//! The large file is generated into a temporary folder (about 30 MB). The ignored test
//! `generate_big_offer` writes a bigger one for measuring throughput by hand (docs/pricing.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use pricing::import::{ImportStats, import_reader};
use pricing::{Catalog, PriceError, Unit};
use rust_decimal::Decimal;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
        .join(name)
}

fn import_text(text: &str, name: &str) -> Result<(Catalog, ImportStats), Box<PriceError>> {
    let mut catalog = Catalog::new("out.csv");
    let stats = import_reader(text.as_bytes(), name, &mut catalog).map_err(Box::new)?;
    Ok((catalog, stats))
}

fn import_file(name: &str) -> (Catalog, ImportStats) {
    let file = std::fs::File::open(data(name)).unwrap();
    let mut catalog = Catalog::new("out.csv");
    let stats = import_reader(file, name, &mut catalog).unwrap_or_else(|e| panic!("{name}: {e}"));
    (catalog, stats)
}

/// The price as written in the catalog ("0.096"), or the error's first line.
fn price(catalog: &Catalog, region: &str, service: &str, item: &str) -> String {
    match catalog.price(region, service, item) {
        Ok((usd, _)) => usd.0.normalize().to_string(),
        Err(e) => format!("error: {}", e.to_string().lines().next().unwrap_or("")),
    }
}

fn keys(catalog: &Catalog) -> BTreeSet<String> {
    catalog
        .entries()
        .map(|e| format!("{} {} {}", e.key.region, e.key.service, e.key.item))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The saved samples

#[test]
fn bulk_sample_keeps_gp3_and_no_on_demand_m5_large() {
    let (catalog, stats) = import_file("price-list-sample.json");
    // m5.large passes the filters but has only a Reserved term in this excerpt; p3.8xlarge has
    // an on-demand term but runs Windows under "Bring your own license", so it is filtered out.
    assert_eq!(
        keys(&catalog),
        BTreeSet::from(["us-east-2 ebs gp3".to_string()])
    );
    let (usd, entry) = catalog.price("us-east-2", "ebs", "gp3").unwrap();
    assert_eq!(usd.0.normalize().to_string(), "0.08");
    assert_eq!(entry.unit, Unit::GbMonth);
    assert_eq!(entry.as_of, "2023-03-01");
    assert_eq!(
        entry.source,
        "AWS Price List AmazonEC2 offer, publicationDate 2023-03-22 (price-list-sample.json), SKU M6UGCCQ3CDJQAA37"
    );
    assert!(price(&catalog, "us-east-2", "ec2", "m5.large").starts_with("error"));
    assert!(price(&catalog, "us-east-2", "ec2", "p3.8xlarge").starts_with("error"));
    assert_eq!(
        (stats.files, stats.products_seen, stats.prices_kept),
        (1, 3, 1)
    );
    assert!(stats.bytes > 7000, "{stats:?}");
    assert!(
        stats
            .skipped
            .iter()
            .any(|s| s.contains("8D49XP354UEYTHGM") && s.contains("no on-demand term")),
        "{:?}",
        stats.skipped
    );
}

#[test]
fn getproducts_sample_gives_m5_large_in_us_east_1() {
    // The saved sample holds decoded objects (as the Go SDK shows them); the wire form holds
    // JSON strings. Both give the on-demand price, not a reserved one (0.06, 0.019).
    for name in [
        "price-list-getproducts-sample.json",
        "getproducts-wire.json",
    ] {
        let (catalog, stats) = import_file(name);
        assert_eq!(
            keys(&catalog),
            BTreeSet::from(["us-east-1 ec2 m5.large".to_string()]),
            "{name}"
        );
        let (usd, entry) = catalog.price("us-east-1", "ec2", "m5.large").unwrap();
        assert_eq!(usd.0.normalize().to_string(), "0.096", "{name}");
        assert_eq!(usd.times(730.0).to_string(), "$70.08");
        assert_eq!(entry.unit, Unit::Hour);
        assert_eq!(entry.as_of, "2020-07-01");
        assert_eq!(
            entry.source,
            format!(
                "AWS Price List AmazonEC2 offer (GetProducts), publicationDate 2020-07-09 ({name}), SKU 6C86BEPQVG73ZGGR"
            )
        );
        assert_eq!((stats.products_seen, stats.prices_kept), (1, 1), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// Filters

/// A Linux, shared, on-demand EC2 product's attributes, with `changes` applied.
fn ec2_attributes(instance: &str, changes: &[(&str, &str)]) -> serde_json::Value {
    let mut attrs = serde_json::json!({
        "servicecode": "AmazonEC2", "location": "US East (N. Virginia)", "locationType": "AWS Region",
        "instanceType": instance, "vcpu": "2", "memory": "8 GiB", "tenancy": "Shared",
        "operatingSystem": "Linux", "licenseModel": "No License required",
        "usagetype": format!("BoxUsage:{instance}"), "operation": "RunInstances",
        "capacitystatus": "Used", "marketoption": "OnDemand", "preInstalledSw": "NA",
        "regionCode": "us-east-1"
    });
    for (k, v) in changes {
        attrs[*k] = serde_json::Value::String(v.to_string());
    }
    attrs
}

/// (SKU, productFamily, attributes, on-demand price tiers as (beginRange, unit, USD)).
type FixtureProduct<'a> = (
    &'a str,
    &'a str,
    serde_json::Value,
    Vec<(&'a str, &'a str, &'a str)>,
);

/// A bulk offer file with these products, each with one on-demand term.
fn offer(products: &[FixtureProduct<'_>], terms_first: bool) -> String {
    let mut product_map = serde_json::Map::new();
    let mut on_demand = serde_json::Map::new();
    for (sku, family, attributes, tiers) in products {
        product_map.insert(
            sku.to_string(),
            serde_json::json!({ "sku": sku, "productFamily": family, "attributes": attributes }),
        );
        let mut dims = serde_json::Map::new();
        for (i, (begin, unit, usd)) in tiers.iter().enumerate() {
            dims.insert(
                format!("{sku}.JRTCKXETXF.{i}"),
                serde_json::json!({
                    "rateCode": format!("{sku}.JRTCKXETXF.{i}"), "description": "fixture", "beginRange": begin,
                    "endRange": "Inf", "unit": unit, "pricePerUnit": { "USD": usd }, "appliesTo": []
                }),
            );
        }
        on_demand.insert(
            sku.to_string(),
            serde_json::json!({ format!("{sku}.JRTCKXETXF"): {
                "offerTermCode": "JRTCKXETXF", "sku": sku, "effectiveDate": "2025-01-01T00:00:00Z",
                "priceDimensions": dims, "termAttributes": {}
            }}),
        );
    }
    let head = r#"{"formatVersion":"v1.0","disclaimer":"fixture","offerCode":"AmazonEC2","version":"20250101000000","publicationDate":"2025-01-02T00:00:00Z""#;
    let products = serde_json::to_string(&product_map).unwrap();
    let terms =
        serde_json::to_string(&serde_json::json!({ "OnDemand": on_demand, "Reserved": {} }))
            .unwrap();
    if terms_first {
        format!(r#"{head},"terms":{terms},"products":{products},"attributesList":{{}}}}"#)
    } else {
        format!(r#"{head},"products":{products},"terms":{terms},"attributesList":{{}}}}"#)
    }
}

fn hourly(usd: &str) -> Vec<(&str, &str, &str)> {
    vec![("0", "Hrs", usd)]
}

fn filter_fixture(terms_first: bool) -> String {
    let ci = "Compute Instance";
    offer(
        &[
            (
                "KEEP",
                ci,
                ec2_attributes("m6i.large", &[]),
                hourly("0.0960000000"),
            ),
            (
                "WINDOWS",
                ci,
                ec2_attributes("m6i.large", &[("operatingSystem", "Windows")]),
                hourly("0.188"),
            ),
            (
                "DEDICATED",
                ci,
                ec2_attributes("m6i.large", &[("tenancy", "Dedicated")]),
                hourly("0.1056"),
            ),
            (
                "HOST",
                ci,
                ec2_attributes("m6i.large", &[("tenancy", "Host")]),
                hourly("0"),
            ),
            (
                "UNUSED",
                ci,
                ec2_attributes(
                    "m6i.large",
                    &[("capacitystatus", "UnusedCapacityReservation")],
                ),
                hourly("0.0961"),
            ),
            (
                "ALLOCATED",
                ci,
                ec2_attributes(
                    "m6i.large",
                    &[("capacitystatus", "AllocatedCapacityReservation")],
                ),
                hourly("0.0962"),
            ),
            (
                "SQLSTD",
                ci,
                ec2_attributes("m6i.large", &[("preInstalledSw", "SQL Std")]),
                hourly("0.576"),
            ),
            (
                "BYOL",
                ci,
                ec2_attributes("m6i.large", &[("licenseModel", "Bring your own license")]),
                hourly("0.0963"),
            ),
            (
                "RHEL",
                ci,
                ec2_attributes("m6i.large", &[("operatingSystem", "RHEL")]),
                hourly("0.1536"),
            ),
            (
                "BLOCK",
                ci,
                ec2_attributes("m6i.large", &[("marketoption", "CapacityBlock")]),
                hourly("0.0964"),
            ),
            (
                "LOCALZONE",
                ci,
                ec2_attributes(
                    "m6i.large",
                    &[
                        ("locationType", "AWS Local Zone"),
                        ("regionCode", "us-east-1-bos-1"),
                        ("location", "US East (Boston)"),
                    ],
                ),
                hourly("0.115"),
            ),
            (
                "OHIO",
                ci,
                ec2_attributes(
                    "m6i.large",
                    &[("regionCode", "us-east-2"), ("location", "US East (Ohio)")],
                ),
                hourly("0.0965"),
            ),
        ],
        terms_first,
    )
}

#[test]
fn only_linux_shared_used_on_demand_instances_are_kept() {
    let (catalog, stats) = import_text(&filter_fixture(false), "filters.json").unwrap();
    assert_eq!(
        keys(&catalog),
        BTreeSet::from([
            "us-east-1 ec2 m6i.large".to_string(),
            "us-east-2 ec2 m6i.large".to_string()
        ])
    );
    assert_eq!(price(&catalog, "us-east-1", "ec2", "m6i.large"), "0.096");
    assert_eq!(price(&catalog, "us-east-2", "ec2", "m6i.large"), "0.0965");
    assert_eq!(stats.products_seen, 12);
    assert!(stats.skipped.is_empty(), "{:?}", stats.skipped);
}

#[test]
fn terms_before_products_give_the_same_catalog() {
    let (products_first, _) = import_text(&filter_fixture(false), "filters.json").unwrap();
    let (terms_first, _) = import_text(&filter_fixture(true), "filters.json").unwrap();
    assert_eq!(
        products_first.to_csv().unwrap(),
        terms_first.to_csv().unwrap()
    );
}

// ---------------------------------------------------------------------------------------------
// What maps to what

#[test]
fn other_services_map_to_their_catalog_keys() {
    let attrs = |service: &str, pairs: &[(&str, &str)]| {
        let mut a = serde_json::json!({ "servicecode": service, "location": "US East (N. Virginia)", "locationType": "AWS Region" });
        for (k, v) in pairs {
            a[*k] = serde_json::Value::String(v.to_string());
        }
        a
    };
    let rds = |engine: &str, class: &str, az: &str, usage: &str| {
        attrs(
            "AmazonRDS",
            &[
                ("instanceType", class),
                ("databaseEngine", engine),
                ("deploymentOption", az),
                ("usagetype", usage),
            ],
        )
    };
    let dt = |pairs: &[(&str, &str)]| {
        let mut a = serde_json::json!({ "servicecode": "AWSDataTransfer", "fromLocation": "US East (N. Virginia)",
            "fromLocationType": "AWS Region", "fromRegionCode": "us-east-1" });
        for (k, v) in pairs {
            a[*k] = serde_json::Value::String(v.to_string());
        }
        a
    };
    let gb_month = |usd| vec![("0", "GB-Mo", usd)];
    let gb = |usd| vec![("0", "GB", usd)];
    let text = offer(
        &[
            (
                "RDS1",
                "Database Instance",
                rds(
                    "MySQL",
                    "db.r6g.large",
                    "Single-AZ",
                    "InstanceUsage:db.r6g.large",
                ),
                hourly("0.215"),
            ),
            (
                "RDS2",
                "Database Instance",
                rds(
                    "MySQL",
                    "db.r6g.large",
                    "Multi-AZ",
                    "Multi-AZUsage:db.r6g.large",
                ),
                hourly("0.43"),
            ),
            (
                "RDS3",
                "Database Instance",
                rds(
                    "MySQL",
                    "db.r6g.large",
                    "Multi-AZ (readable standbys)",
                    "Multi-AZClusterUsage:db.r6g.large",
                ),
                hourly("0.5"),
            ),
            (
                "RDS4",
                "Database Instance",
                rds(
                    "Aurora PostgreSQL",
                    "db.r6g.large",
                    "Single-AZ",
                    "InstanceUsage:db.r6g.large",
                ),
                hourly("0.26"),
            ),
            (
                "RDS5",
                "Database Instance",
                rds(
                    "Aurora PostgreSQL",
                    "db.r6g.large",
                    "Single-AZ",
                    "InstanceUsageIOOptimized:db.r6g.large",
                ),
                hourly("0.338"),
            ),
            (
                "RDS6",
                "Database Instance",
                rds(
                    "Oracle",
                    "db.r6g.large",
                    "Single-AZ",
                    "InstanceUsage:db.r6g.large",
                ),
                hourly("0.9"),
            ),
            (
                "RDSGP3",
                "Database Storage",
                attrs(
                    "AmazonRDS",
                    &[
                        ("volumeType", "General Purpose-GP3"),
                        ("deploymentOption", "Single-AZ"),
                        ("databaseEngine", "Any"),
                        ("usagetype", "RDS:GP3-Storage"),
                    ],
                ),
                gb_month("0.115"),
            ),
            (
                "RDSBACKUP",
                "Storage Snapshot",
                attrs(
                    "AmazonRDS",
                    &[
                        ("databaseEngine", "Any"),
                        ("usagetype", "RDS:ChargedBackupUsage"),
                    ],
                ),
                gb_month("0.095"),
            ),
            (
                "S3STD",
                "Storage",
                attrs(
                    "AmazonS3",
                    &[
                        ("usagetype", "TimedStorage-ByteHrs"),
                        ("volumeType", "Standard"),
                    ],
                ),
                vec![
                    ("0", "GB-Mo", "0.023"),
                    ("51200", "GB-Mo", "0.022"),
                    ("512000", "GB-Mo", "0.021"),
                ],
            ),
            (
                "S3GDA",
                "Storage",
                attrs("AmazonS3", &[("usagetype", "TimedStorage-GDA-ByteHrs")]),
                gb_month("0.00099"),
            ),
            (
                "S3RSIA",
                "Fee",
                attrs("AmazonS3", &[("usagetype", "Retrieval-SIA")]),
                gb("0.01"),
            ),
            (
                "S3RSTD",
                "Fee",
                attrs(
                    "AmazonS3",
                    &[
                        ("usagetype", "Standard-Retrieval-Bytes"),
                        ("operation", "RestoreObject"),
                    ],
                ),
                gb("0.01"),
            ),
            (
                "S3RGDA",
                "Fee",
                attrs(
                    "AmazonS3",
                    &[
                        ("usagetype", "Standard-Retrieval-Bytes"),
                        ("operation", "DeepArchiveRestoreObject"),
                    ],
                ),
                gb("0.02"),
            ),
            (
                "S3RBULK",
                "Fee",
                attrs(
                    "AmazonS3",
                    &[
                        ("usagetype", "Bulk-Retrieval-Bytes"),
                        ("operation", "PostObject"),
                    ],
                ),
                gb("0"),
            ),
            (
                "DTOUT",
                "Data Transfer",
                dt(&[
                    ("transferType", "AWS Outbound"),
                    ("toLocation", "External"),
                    ("usagetype", "DataTransfer-Out-Bytes"),
                ]),
                vec![
                    ("0", "GB", "0.09"),
                    ("10240", "GB", "0.085"),
                    ("51200", "GB", "0.07"),
                    ("153600", "GB", "0.05"),
                ],
            ),
            (
                "DTFREE",
                "Data Transfer",
                dt(&[
                    ("transferType", "AWS Outbound"),
                    ("toLocation", "External"),
                    ("usagetype", "DataTransfer-Out-Bytes"),
                ]),
                gb("0"),
            ),
            (
                "DTGLOBAL",
                "Data Transfer",
                dt(&[
                    ("transferType", "AWS Outbound"),
                    ("toLocation", "External"),
                    ("usagetype", "Global-DataTransfer-Out-Bytes"),
                ]),
                gb("0"),
            ),
            (
                "DTOHIO",
                "Data Transfer",
                dt(&[
                    ("transferType", "InterRegion Outbound"),
                    ("toLocation", "US East (Ohio)"),
                    ("toRegionCode", "us-east-2"),
                    ("usagetype", "USE1-USE2-AWS-Out-Bytes"),
                ]),
                gb("0.01"),
            ),
            (
                "DTOREGON",
                "Data Transfer",
                dt(&[
                    ("transferType", "InterRegion Outbound"),
                    ("toLocation", "US West (Oregon)"),
                    ("usagetype", "USE1-USW2-AWS-Out-Bytes"),
                ]),
                gb("0.02"),
            ),
            (
                "DTIN",
                "Data Transfer",
                dt(&[
                    ("transferType", "InterRegion Inbound"),
                    ("toLocation", "US West (Oregon)"),
                    ("usagetype", "USE1-USW2-AWS-In-Bytes"),
                ]),
                gb("0"),
            ),
            (
                "NATH",
                "NAT Gateway",
                attrs("AmazonEC2", &[("usagetype", "NatGateway-Hours")]),
                hourly("0.045"),
            ),
            (
                "NATB",
                "NAT Gateway",
                attrs("AmazonEC2", &[("usagetype", "NatGateway-Bytes")]),
                gb("0.045"),
            ),
            (
                "IPV4",
                "",
                attrs(
                    "AmazonVPC",
                    &[("usagetype", "USE1-PublicIPv4:InUseAddress")],
                ),
                hourly("0.005"),
            ),
            (
                "SNAP",
                "Storage Snapshot",
                attrs("AmazonEC2", &[("usagetype", "EBS:SnapshotUsage")]),
                gb_month("0.05"),
            ),
            (
                "SNAPA",
                "Storage Snapshot",
                attrs("AmazonEC2", &[("usagetype", "EBS:SnapshotArchiveStorage")]),
                gb_month("0.0125"),
            ),
            (
                "ALB",
                "Load Balancer-Application",
                attrs("AWSELB", &[("usagetype", "LoadBalancerUsage")]),
                hourly("0.0225"),
            ),
            (
                "LCU",
                "Load Balancer-Application",
                attrs("AWSELB", &[("usagetype", "LCUUsage")]),
                vec![("0", "LCU-Hrs", "0.008")],
            ),
            (
                "OUTPOSTLCU",
                "Load Balancer-Application",
                attrs("AWSELB", &[("usagetype", "Outposts-LCUUsage")]),
                vec![("0", "LCU-Hrs", "0")],
            ),
        ],
        false,
    );
    let (catalog, stats) = import_text(&text, "mixed.json").unwrap();
    let expected = [
        ("rds-mysql", "db.r6g.large:single-az", "0.215"),
        ("rds-mysql", "db.r6g.large:multi-az", "0.43"),
        ("aurora-postgresql", "db.r6g.large", "0.26"),
        ("rds", "storage-gp3", "0.115"),
        ("rds", "backup", "0.095"),
        ("s3", "standard", "0.023"),
        ("s3", "deep-archive", "0.00099"),
        ("s3-retrieval", "standard-ia", "0.01"),
        ("s3-retrieval", "glacier-flexible-standard", "0.01"),
        ("s3-retrieval", "deep-archive-standard", "0.02"),
        ("transfer", "internet", "0.09"),
        ("transfer", "inter-region", "0.02"),
        ("transfer", "inter-region:us-east-2", "0.01"),
        ("transfer", "inter-region:us-west-2", "0.02"),
        ("vpc", "nat-gateway", "0.045"),
        ("vpc", "nat-gateway-data", "0.045"),
        ("vpc", "public-ipv4", "0.005"),
        ("ebs", "snapshot", "0.05"),
        ("ebs", "snapshot-archive", "0.0125"),
        ("elb", "alb", "0.0225"),
        ("elb", "alb-lcu", "0.008"),
    ];
    for (service, item, usd) in expected {
        assert_eq!(
            price(&catalog, "us-east-1", service, item),
            usd,
            "{service} {item}"
        );
    }
    assert_eq!(catalog.len(), expected.len(), "{:?}", keys(&catalog));
    let units: Vec<(String, Unit)> = catalog
        .entries()
        .map(|e| (e.key.item.clone(), e.unit))
        .collect();
    assert!(units.contains(&("storage-gp3".to_string(), Unit::GbMonth)));
    assert!(units.contains(&("internet".to_string(), Unit::Gb)));
    assert!(units.contains(&("alb-lcu".to_string(), Unit::Hour)));
    // Two SKUs price internet egress (0.09 and a free-tier 0); two price inter-region.
    assert_eq!(stats.skipped.len(), 2, "{:?}", stats.skipped);
    assert!(stats.skipped.iter().any(|s| s.contains("transfer internet in us-east-1") && s.contains("kept the highest")));
}

// ---------------------------------------------------------------------------------------------
// CSV variant

#[test]
fn csv_variant_applies_the_same_filters() {
    let (catalog, stats) = import_file("ec2-offer-sample.csv");
    assert_eq!(
        keys(&catalog),
        BTreeSet::from([
            "us-east-1 ebs gp3".to_string(),
            "us-east-1 ec2 c6i.large".to_string(),
            "us-east-1 ec2 m5.large".to_string(),
        ])
    );
    assert_eq!(price(&catalog, "us-east-1", "ec2", "m5.large"), "0.096");
    assert_eq!(price(&catalog, "us-east-1", "ec2", "c6i.large"), "0.085");
    assert_eq!(price(&catalog, "us-east-1", "ebs", "gp3"), "0.08");
    let (_, entry) = catalog.price("us-east-1", "ec2", "m5.large").unwrap();
    assert_eq!(entry.as_of, "2024-01-01");
    assert_eq!(
        entry.source,
        "AWS Price List AmazonEC2 offer, publicationDate 2025-09-12 (ec2-offer-sample.csv), SKU SKU002"
    );
    assert_eq!((stats.products_seen, stats.prices_kept), (8, 3));
}

#[test]
fn csv_errors_name_the_line() {
    let text = std::fs::read_to_string(data("ec2-offer-sample.csv")).unwrap();
    let bad = text.replace("\"0.0850000000\"", "\"0,085\"");
    match import_text(&bad, "bad.csv").map_err(|e| *e) {
        Err(PriceError::BadLine {
            file,
            line,
            message,
            ..
        }) => {
            assert_eq!((file.as_str(), line), ("bad.csv", 14));
            assert!(
                message.contains("SKU007") && message.contains("\"0,085\" is not a number"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    let bad = text.replace("\"Hrs\",\"0.0850000000\"", "\"Mbps-Mo\",\"0.0850000000\"");
    let e = import_text(&bad, "bad.csv").unwrap_err().to_string();
    assert!(
        e.starts_with(
            "bad.csv:14: SKU SKU007 (ec2 c6i.large in us-east-1): unknown unit \"Mbps-Mo\""
        ),
        "{e}"
    );
    let bad = text.replacen("\"SKU\",", "\"Sku Id\",", 1);
    let e = import_text(&bad, "bad.csv").unwrap_err().to_string();
    assert!(
        e.starts_with("bad.csv:6: expected the header row starting with \"SKU\""),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
fn errors_name_the_file_the_sku_and_the_position() {
    let good = offer(
        &[(
            "SKU1",
            "Compute Instance",
            ec2_attributes("m5.large", &[]),
            hourly("0.096"),
        )],
        false,
    );
    let cases = [
        (
            good.replace(r#""USD":"0.096""#, r#""EUR":"0.09""#),
            vec![
                "case.json:",
                "SKU SKU1 (ec2 m5.large in us-east-1): no USD price (pricePerUnit has EUR)",
            ],
        ),
        (
            good.replace(r#""USD":"0.096""#, r#""USD":"free""#),
            vec!["SKU SKU1", "the USD price \"free\" is not a number"],
        ),
        (
            good.replace(r#""unit":"Hrs""#, r#""unit":"Quantity""#),
            vec!["SKU SKU1", "unknown unit \"Quantity\""],
        ),
        (
            good[..good.len() / 2].to_string(),
            vec!["case.json:1:", "truncated", "EOF while parsing", "column"],
        ),
        (
            r#"{"name":"drsim","version":1}"#.to_string(),
            vec!["case.json:1: not an AWS Price List file"],
        ),
        (
            "region,service,item\n".to_string(),
            vec!["not an AWS Price List file: it starts with `region,service,item`"],
        ),
        (
            String::new(),
            vec!["not an AWS Price List file: the file is empty"],
        ),
        (
            r#"{"products":{"A":{"sku":"A","attributes":5}}}"#.to_string(),
            vec!["unexpected JSON", "line 1 column"],
        ),
    ];
    for (text, expected) in cases {
        let mut catalog = Catalog::new("out.csv");
        let e = import_reader(text.as_bytes(), "case.json", &mut catalog)
            .unwrap_err()
            .to_string();
        for part in expected {
            assert!(e.contains(part), "{e:?} lacks {part:?}");
        }
        assert!(catalog.is_empty());
    }
    // Errors concern kept products only: a Windows product's odd unit does not matter.
    let windows = offer(
        &[
            (
                "SKU1",
                "Compute Instance",
                ec2_attributes("m5.large", &[]),
                hourly("0.096"),
            ),
            (
                "SKU2",
                "Compute Instance",
                ec2_attributes("m5.large", &[("operatingSystem", "Windows")]),
                vec![("0", "Quantity", "x")],
            ),
        ],
        false,
    );
    assert!(import_text(&windows, "ok.json").is_ok());
}

// ---------------------------------------------------------------------------------------------
// A large generated bulk file

const INSTANCE_SIZES: [&str; 4] = ["large", "xlarge", "2xlarge", "4xlarge"];

/// What [`write_offer`] wrote.
struct Generated {
    products: u64,
    /// (instance type, USD) of the products that pass the filters.
    kept: Vec<(String, String)>,
}

/// Writes a bulk offer file of about `target_bytes`, shaped like the real AmazonEC2 one:
/// products first (full attribute sets), then terms, most of them Reserved. Products cycle
/// through operating systems, tenancies, capacity statuses and pre-installed software, so one
/// in 135 passes the filters; every 20th product is an EBS volume type drsim does not price.
fn write_offer(out: &mut impl Write, target_bytes: u64) -> io::Result<Generated> {
    const OS: [&str; 5] = ["Windows", "RHEL", "Linux", "SUSE", "Ubuntu Pro"];
    const TENANCY: [&str; 3] = ["Dedicated", "Shared", "Host"];
    const CAPACITY: [&str; 3] = [
        "UnusedCapacityReservation",
        "Used",
        "AllocatedCapacityReservation",
    ];
    const SOFTWARE: [&str; 3] = ["SQL Web", "NA", "SQL Std"];
    let per_product = 3_900; // bytes of one product and its terms, measured
    let count = (target_bytes / per_product).max(200);
    let sku = |i: u64| format!("GEN{i:013}");
    let instance = |i: u64| format!("g{}.{}", i / 135, INSTANCE_SIZES[(i / 135 % 4) as usize]);
    let usd = |i: u64| format!("0.{:04}000000", 100 + i % 9000);

    write!(
        out,
        r#"{{"formatVersion":"v1.0","disclaimer":"generated","offerCode":"AmazonEC2","version":"20260101000000","publicationDate":"2026-01-01T00:00:00Z","products":{{"#
    )?;
    let mut kept = Vec::new();
    for i in 0..count {
        let (os, tenancy, capacity, software) = (
            OS[(i % 5) as usize],
            TENANCY[(i / 5 % 3) as usize],
            CAPACITY[(i / 15 % 3) as usize],
            SOFTWARE[(i / 45 % 3) as usize],
        );
        let sep = if i == 0 { "" } else { "," };
        let s = sku(i);
        if i % 20 == 19 {
            write!(
                out,
                r#"{sep}"{s}":{{"sku":"{s}","productFamily":"Storage","attributes":{{"servicecode":"AmazonEC2","location":"US East (N. Virginia)","locationType":"AWS Region","storageMedia":"SSD-backed","volumeType":"Provisioned IOPS","maxVolumeSize":"64 TiB","maxIopsvolume":"256000","usagetype":"EBS:VolumeUsage.piops","operation":"","regionCode":"us-east-1","servicename":"Amazon Elastic Compute Cloud","volumeApiName":"io2"}}}}"#
            )?;
            continue;
        }
        let t = instance(i);
        if os == "Linux" && tenancy == "Shared" && capacity == "Used" && software == "NA" {
            kept.push((t.clone(), usd(i)));
        }
        write!(
            out,
            r#"{sep}"{s}":{{"sku":"{s}","productFamily":"Compute Instance","attributes":{{"servicecode":"AmazonEC2","location":"US East (N. Virginia)","locationType":"AWS Region","instanceType":"{t}","currentGeneration":"Yes","instanceFamily":"General purpose","vcpu":"2","physicalProcessor":"Intel Xeon Platinum 8175","clockSpeed":"3.1 GHz","memory":"8 GiB","storage":"EBS only","networkPerformance":"Up to 10 Gigabit","processorArchitecture":"64-bit","tenancy":"{tenancy}","operatingSystem":"{os}","licenseModel":"No License required","usagetype":"BoxUsage:{t}","operation":"RunInstances","availabilityzone":"NA","capacitystatus":"{capacity}","classicnetworkingsupport":"false","dedicatedEbsThroughput":"Up to 2120 Mbps","ecu":"10","enhancedNetworkingSupported":"Yes","gpuMemory":"NA","intelAvxAvailable":"Yes","intelAvx2Available":"Yes","intelTurboAvailable":"Yes","marketoption":"OnDemand","normalizationSizeFactor":"4","preInstalledSw":"{software}","processorFeatures":"Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo","regionCode":"us-east-1","servicename":"Amazon Elastic Compute Cloud","vpcnetworkingsupport":"true"}}}}"#
        )?;
    }
    write!(out, r#"}},"terms":{{"OnDemand":{{"#)?;
    for i in 0..count {
        let (s, price, sep) = (sku(i), usd(i), if i == 0 { "" } else { "," });
        let unit = if i % 20 == 19 { "GB-Mo" } else { "Hrs" };
        write!(
            out,
            r#"{sep}"{s}":{{"{s}.JRTCKXETXF":{{"offerTermCode":"JRTCKXETXF","sku":"{s}","effectiveDate":"2025-12-01T00:00:00Z","priceDimensions":{{"{s}.JRTCKXETXF.6YS6EN2CT7":{{"rateCode":"{s}.JRTCKXETXF.6YS6EN2CT7","description":"${price} per On Demand instance hour","beginRange":"0","endRange":"Inf","unit":"{unit}","pricePerUnit":{{"USD":"{price}"}},"appliesTo":[]}}}},"termAttributes":{{}}}}}}"#
        )?;
    }
    write!(out, r#"}},"Reserved":{{"#)?;
    for i in 0..count {
        let (s, sep) = (sku(i), if i == 0 { "" } else { "," });
        write!(out, r#"{sep}"{s}":{{"#)?;
        for (j, (code, lease, purchase)) in [
            ("4NA7Y494T4", "1yr", "No Upfront"),
            ("38NPMPTW36", "3yr", "Partial Upfront"),
            ("MZU6U2429S", "3yr", "All Upfront"),
            ("6QCMYABX3D", "1yr", "All Upfront"),
        ]
        .into_iter()
        .enumerate()
        {
            let sep = if j == 0 { "" } else { "," };
            write!(
                out,
                r#"{sep}"{s}.{code}":{{"offerTermCode":"{code}","sku":"{s}","effectiveDate":"2024-01-01T00:00:00Z","priceDimensions":{{"{s}.{code}.2TG2D8R56U":{{"rateCode":"{s}.{code}.2TG2D8R56U","description":"Upfront Fee","unit":"Quantity","pricePerUnit":{{"USD":"{}"}},"appliesTo":[]}},"{s}.{code}.6YS6EN2CT7":{{"rateCode":"{s}.{code}.6YS6EN2CT7","description":"Linux/UNIX (Amazon VPC), reserved instance applied","beginRange":"0","endRange":"Inf","unit":"Hrs","pricePerUnit":{{"USD":"0.0{}"}},"appliesTo":[]}}}},"termAttributes":{{"LeaseContractLength":"{lease}","OfferingClass":"standard","PurchaseOption":"{purchase}"}}}}"#,
                100 + i % 900 + j as u64,
                300 + i % 600
            )?;
        }
        write!(out, "}}")?;
    }
    write!(out, r#"}}}},"attributesList":{{}}}}"#)?;
    out.flush()?;
    Ok(Generated {
        products: count,
        kept,
    })
}

#[test]
fn a_large_generated_bulk_file_imports_only_what_passes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.json");
    let generated = write_offer(
        &mut BufWriter::new(std::fs::File::create(&path).unwrap()),
        30_000_000,
    )
    .unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(
        (25_000_000..40_000_000).contains(&size),
        "generated {size} bytes"
    );

    let mut catalog = Catalog::new("out.csv");
    let stats = import_reader(
        std::fs::File::open(&path).unwrap(),
        "index.json",
        &mut catalog,
    )
    .unwrap();
    assert_eq!(stats.bytes, size);
    assert_eq!(stats.products_seen, generated.products);
    assert!(stats.skipped.is_empty(), "{:?}", stats.skipped);
    assert!(generated.kept.len() > 40, "{}", generated.kept.len());
    assert_eq!(stats.prices_kept, generated.kept.len() as u64);
    for (instance, usd) in &generated.kept {
        let (price, entry) = catalog.price("us-east-1", "ec2", instance).unwrap();
        assert_eq!(price, pricing::Usd::parse(usd).unwrap(), "{instance}");
        assert_eq!(entry.as_of, "2025-12-01");
    }
}

/// Writes a big offer file for measuring throughput by hand:
/// `DRSIM_BIG_OFFER=/tmp/big.json DRSIM_BIG_OFFER_MB=1000 cargo test -p pricing --release --test import -- --ignored generate_big_offer`
#[test]
#[ignore = "writes a large file; run by hand"]
fn generate_big_offer() {
    let path = std::env::var("DRSIM_BIG_OFFER").expect("set DRSIM_BIG_OFFER to the file to write");
    let mb: u64 = std::env::var("DRSIM_BIG_OFFER_MB")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(1000);
    let generated = write_offer(
        &mut BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).unwrap()),
        mb * 1_000_000,
    )
    .unwrap();
    println!(
        "{path}: {} products, {} pass the filters",
        generated.products,
        generated.kept.len()
    );
}

// ---------------------------------------------------------------------------------------------
// The embedded default catalog

const REGIONS: [&str; 7] = [
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-central-1",
    "eu-west-1",
    "us-east-1",
    "us-east-2",
    "us-west-2",
];

#[test]
fn embedded_catalog_is_sourced_dated_and_regular() {
    let catalog = Catalog::embedded().unwrap();
    assert_eq!(catalog.regions().into_iter().collect::<Vec<_>>(), REGIONS);
    for e in catalog.entries() {
        assert!(!e.source.is_empty(), "{} has no source", e.key);
        match e.usd {
            Some(_) => {
                assert!(!e.as_of.is_empty(), "{} has no as_of", e.key);
                // A named source: parameters.md section C or a public Price List excerpt.
                assert!(
                    e.source.len() > 20 && !e.source.starts_with("not sourced"),
                    "{}: {}",
                    e.key,
                    e.source
                );
            }
            None => assert!(
                e.source.starts_with("not sourced: "),
                "{}: {}",
                e.key,
                e.source
            ),
        }
    }
    // The same items in every region (apart from region-pair transfer rates).
    let items = |region: &str| -> BTreeSet<(String, String)> {
        catalog
            .entries()
            .filter(|e| e.key.region == region && !e.key.item.starts_with("inter-region:"))
            .map(|e| (e.key.service.clone(), e.key.item.clone()))
            .collect()
    };
    for region in REGIONS {
        assert_eq!(items(region), items("us-east-1"), "{region}");
    }
    // Multi-AZ instance hours are twice Single-AZ ones.
    for e in catalog
        .entries()
        .filter(|e| e.key.item.ends_with(":multi-az"))
    {
        let single = e.key.item.replace(":multi-az", ":single-az");
        let single = catalog.entries().find(|s| {
            s.key.region == e.key.region && s.key.service == e.key.service && s.key.item == single
        });
        let single = single.unwrap_or_else(|| panic!("{} has no single-az line", e.key));
        assert_eq!(e.usd, single.usd.map(|u| u * Decimal::TWO), "{}", e.key);
    }
}

#[test]
fn embedded_catalog_prices_and_refuses_unsourced_lookups() {
    let catalog = Catalog::embedded().unwrap();
    assert_eq!(price(&catalog, "us-east-1", "ec2", "m5.large"), "0.096");
    assert_eq!(price(&catalog, "us-east-2", "ebs", "gp3"), "0.08");
    assert_eq!(price(&catalog, "eu-west-1", "ec2", "m5.large"), "0.107");
    assert_eq!(
        price(&catalog, "us-east-1", "rds-mysql", "db.r6g.large:multi-az"),
        "0.43"
    );
    assert_eq!(price(&catalog, "eu-west-1", "ec2", "m6i.large"), "0.107");
    assert_eq!(
        price(&catalog, "us-west-2", "ec2", "m6i.large:windows"),
        "0.188"
    );
    match catalog.price("eu-west-1", "ec2", "m7i.large") {
        Err(PriceError::NotSourced { key, note, .. }) => {
            assert_eq!(key.to_string(), "ec2 m7i.large in eu-west-1");
            assert!(note.starts_with("not sourced"), "{note}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        catalog.price("us-east-1", "ec2", "m5.metal"),
        Err(PriceError::Missing { .. })
    ));
}
