//! Which AWS Price List products drsim keeps, and the catalog key each maps to.
//!
//! A product is its `productFamily`, its service (`servicecode` attribute, else the offer
//! code of the file) and a few attributes. Products outside an AWS Region (`locationType` or,
//! for transfers, `fromLocationType` other than "AWS Region": Local Zones, Wavelength,
//! Outposts) are ignored. Usage types are compared without their billing-region prefix
//! (`USE2-EBS:VolumeUsage.gp3` → `EBS:VolumeUsage.gp3`, see [`usage_name`]).
//!
//! | service / family | attributes | catalog key |
//! |---|---|---|
//! | AmazonEC2 / Compute Instance (and "… (bare metal)") | operatingSystem Linux, tenancy Shared; capacitystatus Used, preInstalledSw NA, licenseModel "No License required", marketoption OnDemand (these four when present) | `ec2` / instanceType / hour |
//! | AmazonEC2 / Storage | volumeApiName gp3 | `ebs` / `gp3` / gb-month |
//! | AmazonEC2 / Storage Snapshot | usage EBS:SnapshotUsage, EBS:SnapshotArchiveStorage | `ebs` / `snapshot`, `snapshot-archive` |
//! | AmazonEC2 / NAT Gateway | usage NatGateway-Hours, NatGateway-Bytes | `vpc` / `nat-gateway` (hour), `nat-gateway-data` (gb) |
//! | any / any | usage PublicIPv4:InUseAddress | `vpc` / `public-ipv4` / hour |
//! | any / Data Transfer | transferType "AWS Outbound", toLocation External, usage DataTransfer-Out-Bytes | `transfer` / `internet` / gb |
//! | any / Data Transfer | transferType "InterRegion Outbound", usage …-AWS-Out-Bytes | `transfer` / `inter-region` and `inter-region:<to region>` / gb |
//! | AmazonS3 / Storage | usage TimedStorage-ByteHrs, -SIA-, -ZIA-, -GIR-, -GlacierByteHrs, -GDA- | `s3` / `standard`, `standard-ia`, `one-zone-ia`, `glacier-instant`, `glacier-flexible`, `deep-archive` / gb-month |
//! | AmazonS3 / any | usage Retrieval-SIA, -ZIA, -GIR, Expedited-Retrieval-Bytes, Standard-/Bulk-Retrieval-Bytes with operation RestoreObject or DeepArchiveRestoreObject | `s3-retrieval` / `standard-ia`, `one-zone-ia`, `glacier-instant`, `glacier-flexible-expedited`, `glacier-flexible-standard`/`-bulk`, `deep-archive-standard`/`-bulk` / gb |
//! | AmazonRDS / Database Instance | databaseEngine MySQL, PostgreSQL; deploymentOption Single-AZ, Multi-AZ | `rds-mysql`, `rds-postgresql` / `<class>:single-az`, `<class>:multi-az` / hour |
//! | AmazonRDS / Database Instance | databaseEngine Aurora PostgreSQL, Aurora MySQL; Single-AZ; usage InstanceUsage:… (Aurora Standard, not I/O-Optimized) | `aurora-postgresql`, `aurora-mysql` / class / hour |
//! | AmazonRDS / Database Storage | volumeType General Purpose-GP3, Single-AZ, databaseEngine Any, usage RDS:GP3-Storage | `rds` / `storage-gp3` / gb-month |
//! | AmazonRDS / Storage Snapshot | usage RDS:ChargedBackupUsage | `rds` / `backup` / gb-month |
//! | AWSELB / Load Balancer-Application | usage LoadBalancerUsage, LCUUsage | `elb` / `alb`, `alb-lcu` / hour |
//!
//! Not imported (the embedded catalog holds them): Route 53 (a global service priced per zone
//! and per check), AWS Backup, Elastic Disaster Recovery.

use crate::catalog::{Key, Unit};

use super::Mapping;

/// The product attributes drsim looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attr {
    ServiceCode,
    Location,
    LocationType,
    RegionCode,
    InstanceType,
    OperatingSystem,
    Tenancy,
    CapacityStatus,
    PreInstalledSw,
    LicenseModel,
    MarketOption,
    UsageType,
    Operation,
    VolumeApiName,
    VolumeType,
    DatabaseEngine,
    DeploymentOption,
    TransferType,
    FromLocation,
    FromLocationType,
    FromRegionCode,
    ToLocation,
    ToRegionCode,
}

/// How many [`Attr`]s there are.
pub(crate) const ATTR_COUNT: usize = 23;

/// Each attribute with its name in the JSON files.
const ATTRS: [(Attr, &str); ATTR_COUNT] = [
    (Attr::ServiceCode, "servicecode"),
    (Attr::Location, "location"),
    (Attr::LocationType, "locationType"),
    (Attr::RegionCode, "regionCode"),
    (Attr::InstanceType, "instanceType"),
    (Attr::OperatingSystem, "operatingSystem"),
    (Attr::Tenancy, "tenancy"),
    (Attr::CapacityStatus, "capacitystatus"),
    (Attr::PreInstalledSw, "preInstalledSw"),
    (Attr::LicenseModel, "licenseModel"),
    (Attr::MarketOption, "marketoption"),
    (Attr::UsageType, "usagetype"),
    (Attr::Operation, "operation"),
    (Attr::VolumeApiName, "volumeApiName"),
    (Attr::VolumeType, "volumeType"),
    (Attr::DatabaseEngine, "databaseEngine"),
    (Attr::DeploymentOption, "deploymentOption"),
    (Attr::TransferType, "transferType"),
    (Attr::FromLocation, "fromLocation"),
    (Attr::FromLocationType, "fromLocationType"),
    (Attr::FromRegionCode, "fromRegionCode"),
    (Attr::ToLocation, "toLocation"),
    (Attr::ToRegionCode, "toRegionCode"),
];

impl Attr {
    /// The attribute named `name` in a JSON file (exact, as AWS spells it).
    pub fn from_json(name: &str) -> Option<Attr> {
        Some(match name {
            "servicecode" => Attr::ServiceCode,
            "location" => Attr::Location,
            "locationType" => Attr::LocationType,
            "regionCode" => Attr::RegionCode,
            "instanceType" => Attr::InstanceType,
            "operatingSystem" => Attr::OperatingSystem,
            "tenancy" => Attr::Tenancy,
            "capacitystatus" => Attr::CapacityStatus,
            "preInstalledSw" => Attr::PreInstalledSw,
            "licenseModel" => Attr::LicenseModel,
            "marketoption" => Attr::MarketOption,
            "usagetype" => Attr::UsageType,
            "operation" => Attr::Operation,
            "volumeApiName" => Attr::VolumeApiName,
            "volumeType" => Attr::VolumeType,
            "databaseEngine" => Attr::DatabaseEngine,
            "deploymentOption" => Attr::DeploymentOption,
            "transferType" => Attr::TransferType,
            "fromLocation" => Attr::FromLocation,
            "fromLocationType" => Attr::FromLocationType,
            "fromRegionCode" => Attr::FromRegionCode,
            "toLocation" => Attr::ToLocation,
            "toRegionCode" => Attr::ToRegionCode,
            _ => return None,
        })
    }

    /// The attribute a CSV column stands for: the CSV spells names for people ("Instance
    /// Type", "Pre Installed S/W", "Region Code"), so they are compared lower-cased with
    /// everything but letters and digits dropped.
    pub fn from_csv_header(name: &str) -> Option<Attr> {
        let wanted = normalize(name);
        ATTRS
            .iter()
            .find(|(_, json)| normalize(json) == wanted)
            .map(|(attr, _)| *attr)
    }
}

/// Lower case, letters and digits only: "Pre Installed S/W" → "preinstalledsw".
pub(crate) fn normalize(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A product as read, borrowing its strings; "" stands for an absent attribute.
pub(crate) struct Product<'a> {
    pub sku: &'a str,
    pub family: &'a str,
    /// `servicecode`, else the offer (GetProducts `serviceCode`, the file's `offerCode`).
    pub service: &'a str,
    pub attrs: [&'a str; ATTR_COUNT],
}

/// What to do with a product.
pub(crate) enum Classified {
    /// Not something drsim prices.
    Ignore,
    /// Keep its on-demand price under these keys.
    Keep(Mapping),
    /// It maps to a key but cannot be kept; the reason.
    Skip(String),
}

impl<'a> Product<'a> {
    pub fn get(&self, attr: Attr) -> &'a str {
        self.attrs[attr as usize]
    }

    /// The catalog keys this product's on-demand price goes under, if any.
    pub fn classify(&self) -> Classified {
        let Some((service, items, unit)) = self.what() else {
            return Classified::Ignore;
        };
        let transfer = service == "transfer";
        let location_type = if transfer {
            self.get(Attr::FromLocationType)
        } else {
            self.get(Attr::LocationType)
        };
        if !location_type.is_empty() && location_type != "AWS Region" {
            return Classified::Ignore;
        }
        let region = [Attr::RegionCode, Attr::FromRegionCode]
            .into_iter()
            .map(|a| self.get(a))
            .find(|r| !r.is_empty())
            .map(str::to_string)
            .or_else(|| {
                [Attr::Location, Attr::FromLocation]
                    .into_iter()
                    .map(|a| self.get(a))
                    .find(|l| !l.is_empty())
                    .and_then(region_code)
                    .map(str::to_string)
            });
        let Some(region) = region else {
            let location = if transfer {
                self.get(Attr::FromLocation)
            } else {
                self.get(Attr::Location)
            };
            return Classified::Skip(format!(
                "SKU {} ({service} {}): unknown location \"{location}\" and no regionCode",
                self.sku, items[0]
            ));
        };
        let keys = items
            .into_iter()
            .map(|item| Key {
                region: region.clone(),
                service: service.to_string(),
                item,
            })
            .collect();
        Classified::Keep(Mapping { keys, unit })
    }

    /// (catalog service, items, unit), before the region is known.
    fn what(&self) -> Option<(&'static str, Vec<String>, Unit)> {
        let family = self.family;
        let service = self.service;
        let of = |name: &str| service.is_empty() || service == name;
        let usage = usage_name(self.get(Attr::UsageType));
        let one = |service: &'static str, item: &str, unit: Unit| {
            Some((service, vec![item.to_string()], unit))
        };
        let present_is = |attr: Attr, wanted: &str| {
            let value = self.get(attr);
            value.is_empty() || value == wanted
        };

        if usage == "PublicIPv4:InUseAddress" {
            return one("vpc", "public-ipv4", Unit::Hour);
        }
        if family == "Data Transfer" {
            let transfer_type = self.get(Attr::TransferType);
            if transfer_type == "AWS Outbound"
                && self.get(Attr::ToLocation) == "External"
                && usage == "DataTransfer-Out-Bytes"
            {
                return one("transfer", "internet", Unit::Gb);
            }
            if transfer_type == "InterRegion Outbound" && usage.ends_with("-AWS-Out-Bytes") {
                let mut items = vec!["inter-region".to_string()];
                let to = Some(self.get(Attr::ToRegionCode))
                    .filter(|r| !r.is_empty())
                    .or_else(|| region_code(self.get(Attr::ToLocation)));
                if let Some(to) = to {
                    items.push(format!("inter-region:{to}"));
                }
                return Some(("transfer", items, Unit::Gb));
            }
            return None;
        }
        if of("AmazonEC2") {
            match family {
                "Compute Instance" | "Compute Instance (bare metal)" => {
                    let instance = self.get(Attr::InstanceType);
                    let linux_on_demand = !instance.is_empty()
                        && self.get(Attr::OperatingSystem) == "Linux"
                        && self.get(Attr::Tenancy) == "Shared"
                        && present_is(Attr::CapacityStatus, "Used")
                        && present_is(Attr::PreInstalledSw, "NA")
                        && present_is(Attr::LicenseModel, "No License required")
                        && present_is(Attr::MarketOption, "OnDemand");
                    return if linux_on_demand {
                        one("ec2", instance, Unit::Hour)
                    } else {
                        None
                    };
                }
                "Storage" if self.get(Attr::VolumeApiName) == "gp3" => {
                    return one("ebs", "gp3", Unit::GbMonth);
                }
                "Storage Snapshot" if usage == "EBS:SnapshotUsage" => {
                    return one("ebs", "snapshot", Unit::GbMonth);
                }
                "Storage Snapshot" if usage == "EBS:SnapshotArchiveStorage" => {
                    return one("ebs", "snapshot-archive", Unit::GbMonth);
                }
                "NAT Gateway" if usage == "NatGateway-Hours" => {
                    return one("vpc", "nat-gateway", Unit::Hour);
                }
                "NAT Gateway" if usage == "NatGateway-Bytes" => {
                    return one("vpc", "nat-gateway-data", Unit::Gb);
                }
                _ => {}
            }
        }
        if of("AmazonS3") {
            let storage = match usage {
                "TimedStorage-ByteHrs" => Some("standard"),
                "TimedStorage-SIA-ByteHrs" => Some("standard-ia"),
                "TimedStorage-ZIA-ByteHrs" => Some("one-zone-ia"),
                "TimedStorage-GIR-ByteHrs" => Some("glacier-instant"),
                "TimedStorage-GlacierByteHrs" => Some("glacier-flexible"),
                "TimedStorage-GDA-ByteHrs" => Some("deep-archive"),
                _ => None,
            };
            if let Some(class) = storage.filter(|_| family == "Storage") {
                return one("s3", class, Unit::GbMonth);
            }
            let deep = match self.get(Attr::Operation) {
                "RestoreObject" => Some(false),
                "DeepArchiveRestoreObject" => Some(true),
                _ => None,
            };
            let retrieval = match (usage, deep) {
                ("Retrieval-SIA", _) => Some("standard-ia"),
                ("Retrieval-ZIA", _) => Some("one-zone-ia"),
                ("Retrieval-GIR", _) => Some("glacier-instant"),
                ("Expedited-Retrieval-Bytes", _) => Some("glacier-flexible-expedited"),
                ("Standard-Retrieval-Bytes", Some(false)) => Some("glacier-flexible-standard"),
                ("Standard-Retrieval-Bytes", Some(true)) => Some("deep-archive-standard"),
                ("Bulk-Retrieval-Bytes", Some(false)) => Some("glacier-flexible-bulk"),
                ("Bulk-Retrieval-Bytes", Some(true)) => Some("deep-archive-bulk"),
                _ => None,
            };
            if let Some(tier) = retrieval {
                return one("s3-retrieval", tier, Unit::Gb);
            }
        }
        if of("AmazonRDS") {
            let any_engine = present_is(Attr::DatabaseEngine, "Any");
            match family {
                "Database Instance" => return self.rds_instance(usage),
                "Database Storage"
                    if self.get(Attr::VolumeType) == "General Purpose-GP3"
                        && self.get(Attr::DeploymentOption) == "Single-AZ"
                        && any_engine
                        && usage == "RDS:GP3-Storage" =>
                {
                    return one("rds", "storage-gp3", Unit::GbMonth);
                }
                "Storage Snapshot" if any_engine && usage == "RDS:ChargedBackupUsage" => {
                    return one("rds", "backup", Unit::GbMonth);
                }
                _ => {}
            }
        }
        if of("AWSELB") && family == "Load Balancer-Application" {
            match usage {
                "LoadBalancerUsage" => return one("elb", "alb", Unit::Hour),
                "LCUUsage" => return one("elb", "alb-lcu", Unit::Hour),
                _ => {}
            }
        }
        None
    }

    fn rds_instance(&self, usage: &str) -> Option<(&'static str, Vec<String>, Unit)> {
        let class = self.get(Attr::InstanceType);
        if class.is_empty() {
            return None;
        }
        let az = match self.get(Attr::DeploymentOption) {
            "Single-AZ" => "single-az",
            "Multi-AZ" => "multi-az",
            _ => return None,
        };
        let (service, aurora) = match self.get(Attr::DatabaseEngine) {
            "MySQL" => ("rds-mysql", false),
            "PostgreSQL" => ("rds-postgresql", false),
            "Aurora MySQL" => ("aurora-mysql", true),
            "Aurora PostgreSQL" => ("aurora-postgresql", true),
            _ => return None,
        };
        if aurora {
            // Aurora Standard; I/O-Optimized instances are `InstanceUsageIOOptimized:…`.
            let standard =
                az == "single-az" && (usage.is_empty() || usage.starts_with("InstanceUsage:"));
            return standard.then(|| (service, vec![class.to_string()], Unit::Hour));
        }
        Some((service, vec![format!("{class}:{az}")], Unit::Hour))
    }
}

/// A usage type without its billing-region prefix: `USE2-BoxUsage:m5.large` →
/// `BoxUsage:m5.large`, `EU-LCUUsage` → `LCUUsage`; us-east-1 usage types have none.
pub fn usage_name(usage_type: &str) -> &str {
    match usage_type.split_once('-') {
        Some((prefix, rest))
            if (2..=5).contains(&prefix.len())
                && prefix
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
        {
            rest
        }
        _ => usage_type,
    }
}

/// The region code of a Price List `location` name, for files without `regionCode`.
pub fn region_code(location: &str) -> Option<&'static str> {
    Some(match location {
        "US East (N. Virginia)" => "us-east-1",
        "US East (Ohio)" => "us-east-2",
        "US West (N. California)" => "us-west-1",
        "US West (Oregon)" => "us-west-2",
        "Canada (Central)" => "ca-central-1",
        "Canada West (Calgary)" => "ca-west-1",
        "EU (Ireland)" | "Europe (Ireland)" => "eu-west-1",
        "EU (London)" | "Europe (London)" => "eu-west-2",
        "EU (Paris)" | "Europe (Paris)" => "eu-west-3",
        "EU (Frankfurt)" | "Europe (Frankfurt)" => "eu-central-1",
        "EU (Zurich)" | "Europe (Zurich)" => "eu-central-2",
        "EU (Stockholm)" | "Europe (Stockholm)" => "eu-north-1",
        "EU (Milan)" | "Europe (Milan)" => "eu-south-1",
        "EU (Spain)" | "Europe (Spain)" => "eu-south-2",
        "Asia Pacific (Tokyo)" => "ap-northeast-1",
        "Asia Pacific (Seoul)" => "ap-northeast-2",
        "Asia Pacific (Osaka)" => "ap-northeast-3",
        "Asia Pacific (Singapore)" => "ap-southeast-1",
        "Asia Pacific (Sydney)" => "ap-southeast-2",
        "Asia Pacific (Jakarta)" => "ap-southeast-3",
        "Asia Pacific (Melbourne)" => "ap-southeast-4",
        "Asia Pacific (Mumbai)" => "ap-south-1",
        "Asia Pacific (Hyderabad)" => "ap-south-2",
        "Asia Pacific (Hong Kong)" => "ap-east-1",
        "South America (Sao Paulo)" => "sa-east-1",
        "Middle East (Bahrain)" => "me-south-1",
        "Middle East (UAE)" => "me-central-1",
        "Israel (Tel Aviv)" => "il-central-1",
        "Africa (Cape Town)" => "af-south-1",
        "AWS GovCloud (US-West)" => "us-gov-west-1",
        "AWS GovCloud (US-East)" => "us-gov-east-1",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_names_lose_their_region_prefix_only() {
        assert_eq!(
            usage_name("USE2-EBS:VolumeUsage.gp3"),
            "EBS:VolumeUsage.gp3"
        );
        assert_eq!(usage_name("EU-LCUUsage"), "LCUUsage");
        assert_eq!(usage_name("BoxUsage:m5.large"), "BoxUsage:m5.large");
        assert_eq!(usage_name("NatGateway-Hours"), "NatGateway-Hours");
        assert_eq!(
            usage_name("Global-DataTransfer-Out-Bytes"),
            "Global-DataTransfer-Out-Bytes"
        );
        assert_eq!(usage_name("USE2-USE1-AWS-Out-Bytes"), "USE1-AWS-Out-Bytes");
        assert_eq!(
            usage_name("Multi-AZUsage:db.m5.large"),
            "Multi-AZUsage:db.m5.large"
        );
    }

    #[test]
    fn csv_headers_name_the_same_attributes() {
        assert_eq!(
            Attr::from_csv_header("Pre Installed S/W"),
            Some(Attr::PreInstalledSw)
        );
        assert_eq!(
            Attr::from_csv_header("Instance Type"),
            Some(Attr::InstanceType)
        );
        assert_eq!(Attr::from_csv_header("Region Code"), Some(Attr::RegionCode));
        assert_eq!(
            Attr::from_csv_header("CapacityStatus"),
            Some(Attr::CapacityStatus)
        );
        assert_eq!(Attr::from_csv_header("usageType"), Some(Attr::UsageType));
        assert_eq!(
            Attr::from_csv_header("Volume API Name"),
            Some(Attr::VolumeApiName)
        );
        assert_eq!(Attr::from_csv_header("vCPU"), None);
        for (attr, json) in ATTRS {
            assert_eq!(Attr::from_json(json), Some(attr));
            assert_eq!(
                ATTRS[attr as usize].0, attr,
                "ATTRS is in declaration order"
            );
        }
    }
}
