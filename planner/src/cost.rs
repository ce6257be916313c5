//! The cost model: what each strategy costs every month in the recovery region (by line item),
//! what running the recovery site at full scale costs per hour, and what one disaster costs
//! (infrastructure during the outage, archive retrievals, failback transfer, and the losses of
//! downtime and lost data).

use std::cell::RefCell;
use std::collections::BTreeSet;

use pricing::{Catalog, PriceError, Usd};
use scenarios::model::{Failover, StrategyConfig, Tier};
use scenarios::names::{EngineFamily, Os};
use scenarios::simulate::Outcome;
use scenarios::{Disaster, Scenario, Strategy};

/// Hours in a billing month (AWS's 730).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Bytes in the "GB" AWS bills storage and transfer by (2^30).
pub const BYTES_PER_GB: f64 = 1_073_741_824.0;

/// Looks prices up in the recovery region, falling back to another region's price (and
/// remembering that it did) where the catalog has none sourced.
pub struct Prices<'a> {
    catalog: &'a Catalog,
    region: &'a str,
    fallback: Option<&'a str>,
    substituted: RefCell<BTreeSet<String>>,
}

impl<'a> Prices<'a> {
    pub fn new(catalog: &'a Catalog, region: &'a str, fallback: Option<&'a str>) -> Prices<'a> {
        Prices {
            catalog,
            region,
            fallback,
            substituted: RefCell::new(BTreeSet::new()),
        }
    }

    /// The price of an item in the recovery region.
    pub fn get(&self, service: &str, item: &str) -> Result<Usd, PriceError> {
        self.get_in(self.region, service, item)
    }

    /// The price of an item in a region, with the same fallback.
    pub fn get_in(&self, region: &str, service: &str, item: &str) -> Result<Usd, PriceError> {
        self.quote_in(region, service, item).map(|q| q.usd)
    }

    /// The price of an item in the recovery region, with where it comes from.
    pub fn quote(&self, service: &str, item: &str) -> Result<Quote, PriceError> {
        self.quote_in(self.region, service, item)
    }

    /// The price of an item in a region, with where it comes from; the fallback region's price
    /// when the catalog has none sourced there (and the quote says so).
    pub fn quote_in(&self, region: &str, service: &str, item: &str) -> Result<Quote, PriceError> {
        let quote = |usd: Usd, entry: &pricing::Entry, substituted: bool| Quote {
            usd,
            region: entry.key.region.clone(),
            as_of: entry.as_of.clone(),
            source: entry.source.clone(),
            substituted,
        };
        match self.catalog.price(region, service, item) {
            Ok((usd, entry)) => Ok(quote(usd, entry, false)),
            Err(first) => match self.fallback.filter(|f| *f != region) {
                Some(fallback) => match self.catalog.price(fallback, service, item) {
                    Ok((usd, entry)) => {
                        let what = if region == self.region {
                            format!("{service} {item}")
                        } else {
                            format!("{service} {item} ({region})")
                        };
                        self.substituted.borrow_mut().insert(what);
                        Ok(quote(usd, entry, true))
                    }
                    Err(_) => Err(first),
                },
                None => Err(first),
            },
        }
    }

    /// The items a catalog lists for a service in the recovery region (sourced or not), and in
    /// the fallback region.
    pub fn items(&self, service: &str) -> BTreeSet<String> {
        self.catalog
            .entries()
            .filter(|e| {
                e.key.service == service
                    && (e.key.region == self.region || Some(e.key.region.as_str()) == self.fallback)
            })
            .map(|e| e.key.item.clone())
            .collect()
    }

    /// Items priced at the fallback region's price.
    pub fn substituted(&self) -> Vec<String> {
        self.substituted.borrow().iter().cloned().collect()
    }
}

/// Inter-region transfer from the primary to the recovery region, billed by the primary: the
/// pair's own rate if the catalog has one (e.g. us-east-1 → us-east-2), else the general rate.
pub fn replication_transfer(scenario: &Scenario, prices: &Prices<'_>) -> Result<Quote, PriceError> {
    let pair = format!("inter-region:{}", scenario.recovery_region);
    match prices
        .catalog
        .price(&scenario.primary_region, "transfer", &pair)
    {
        Ok(_) => prices.quote_in(&scenario.primary_region, "transfer", &pair),
        Err(_) => prices.quote_in(&scenario.primary_region, "transfer", "inter-region"),
    }
}

/// A price with where it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    pub usd: Usd,
    /// The region whose price it is (the fallback region's when substituted).
    pub region: String,
    /// When its source quoted it.
    pub as_of: String,
    pub source: String,
    /// Taken from the fallback region because the catalog has none sourced for the region asked.
    pub substituted: bool,
}

/// What a line item is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Instance or resource hours.
    Hour,
    /// Gigabytes stored for a month.
    GbMonth,
    /// Gigabytes transferred.
    Gb,
    /// Monthly fees (a hosted zone, a health check).
    Month,
    /// Millions of requests (DynamoDB request units).
    MillionRequests,
}

/// What a line item is for.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// Periodic backups of the database (snapshots copied to the recovery region).
    DatabaseBackups,
    /// Periodic backups of a dataset, in its storage class.
    DataBackups {
        dataset: String,
        class: String,
    },
    /// Continuous backup (point-in-time restore) of the database: its size and the changes of
    /// the window.
    DatabaseContinuousBackup,
    /// Continuous backup of a dataset.
    DataContinuousBackup {
        dataset: String,
    },
    BackupCopies,
    /// The database instance kept running in the recovery region.
    DatabaseReplica {
        class: String,
        multi_az: bool,
    },
    DatabaseReplicaStorage,
    /// DynamoDB global table: the recovery region's replicated write request units.
    ReplicatedWrites,
    /// Aurora global database: the write I/Os replicated to the secondary region.
    ReplicatedWriteIos,
    ReplicationTransfer,
    ReplicatedData {
        dataset: String,
    },
    RunningFleet {
        tier: String,
        instance_type: String,
        os: Os,
        instances: u32,
    },
    LoadBalancer,
    PublicIpv4 {
        addresses: u32,
    },
    HostedZone,
    HealthChecks {
        checks: u32,
    },
    /// Surcharge of health checks polled faster than every 30 s.
    FastHealthChecks {
        checks: u32,
    },
}

/// One line of a monthly bill: quantity × unit price.
#[derive(Clone, Debug, PartialEq)]
pub struct LineItem {
    pub item: Item,
    pub quantity: f64,
    pub unit: Unit,
    pub price: Quote,
    pub usd: Usd,
}

fn gb(bytes: f64) -> f64 {
    bytes / BYTES_PER_GB
}

/// Health checks polled more often than this are billed as fast checks.
const STANDARD_CHECK_INTERVAL: f64 = 30.0;

/// What a strategy runs and stores, independent of prices.
struct Footprint<'a> {
    /// (tier, instances running all the time in the recovery region).
    fleet: Vec<(&'a Tier, u32)>,
    /// Database instance running in the recovery region: (class, multi-AZ).
    database: Option<(String, bool)>,
    /// The database's storage is kept in the recovery region (a replica, a headless Aurora
    /// secondary, a DynamoDB replica table).
    db_storage: bool,
    load_balancer: bool,
    health_checks: u32,
    replicated: bool,
}

fn footprint<'a>(scenario: &'a Scenario, config: &StrategyConfig) -> Footprint<'a> {
    let running = |fraction: f64| -> Vec<(&'a Tier, u32)> {
        scenario
            .tiers
            .iter()
            .map(|t| {
                let n = (fraction * f64::from(t.count) - 1e-9).ceil().max(0.0) as u32;
                (t, n.min(t.count))
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    };
    let automated = config.failover == Failover::Automated;
    let class = || scenario.database.instance_class.clone();
    let mut f = match config.strategy {
        Strategy::BackupRestore => Footprint {
            fleet: Vec::new(),
            database: None,
            db_storage: false,
            load_balancer: false,
            health_checks: 1,
            replicated: false,
        },
        Strategy::PilotLight => Footprint {
            fleet: Vec::new(),
            database: Some((config.replica_class.clone().unwrap_or_else(class), false)),
            db_storage: true,
            load_balancer: false,
            health_checks: if automated { 2 } else { 1 },
            replicated: true,
        },
        Strategy::WarmStandby => Footprint {
            fleet: running(config.running_fraction),
            database: Some((class(), false)),
            db_storage: true,
            load_balancer: true,
            health_checks: 2,
            replicated: true,
        },
        Strategy::MultiSite => Footprint {
            fleet: running(config.running_fraction),
            database: Some((class(), false)),
            db_storage: true,
            load_balancer: true,
            health_checks: 2,
            replicated: true,
        },
    };
    match scenario.database.managed.family() {
        EngineFamily::Rds => {}
        // A pilot light's headless secondary keeps the storage volume, no instance.
        EngineFamily::Aurora if config.strategy == Strategy::PilotLight => f.database = None,
        EngineFamily::Aurora => {}
        // Every strategy's table is a replica of the global table; no instance anywhere.
        EngineFamily::DynamoDb => {
            f.database = None;
            f.db_storage = true;
            f.replicated = true;
        }
    }
    f
}

/// Million request units a month of writes at the mean write rate: one unit per KiB written
/// (docs/model.md §4.1: items of at most 1 KB, judgment).
fn million_write_units(scenario: &Scenario) -> f64 {
    scenario.database.write_rate.mean() * HOURS_PER_MONTH * 3600.0 / 1024.0 / 1e6
}

/// Aurora write I/Os per month, in millions: one per 4 KiB of redo written (Aurora counts write
/// I/Os in 4 KB units; smaller log records each count as one, so this is a lower bound).
fn million_write_ios(scenario: &Scenario) -> f64 {
    scenario.database.write_rate.mean() * HOURS_PER_MONTH * 3600.0 / 4096.0 / 1e6
}

fn database_quote(
    scenario: &Scenario,
    prices: &Prices<'_>,
    class: &str,
    multi_az: bool,
) -> Result<(Quote, f64), PriceError> {
    let db = &scenario.database;
    if db.managed.family() == EngineFamily::Aurora {
        // Aurora prices each instance; a multi-AZ cluster runs a second one.
        let instance = prices.quote(&db.engine, class)?;
        return Ok((instance, if multi_az { 2.0 } else { 1.0 }));
    }
    let item = format!(
        "{class}:{}",
        if multi_az { "multi-az" } else { "single-az" }
    );
    Ok((prices.quote(&db.engine, &item)?, 1.0))
}

fn database_hourly(
    scenario: &Scenario,
    prices: &Prices<'_>,
    class: &str,
    multi_az: bool,
) -> Result<Usd, PriceError> {
    // A DynamoDB table has no instance: its requests cost the same in either region.
    if scenario.database.managed.family() == EngineFamily::DynamoDb {
        return Ok(Usd::ZERO);
    }
    let (quote, instances) = database_quote(scenario, prices, class, multi_az)?;
    Ok(quote.usd.times(instances))
}

/// The EC2 price item of a tier's instances: Windows licence included has its own price;
/// a Windows tier on the user's own licence pays the Linux compute price.
fn instance_item(tier: &Tier) -> String {
    match tier.os {
        Os::Windows => format!("{}:windows", tier.instance_type),
        Os::Linux | Os::WindowsByol => tier.instance_type.clone(),
    }
}

/// A size's capacity relative to `large` (RDS and EC2 size names).
fn size_units(size: &str) -> Option<f64> {
    Some(match size {
        "nano" => 0.0625,
        "micro" => 0.125,
        "small" => 0.25,
        "medium" => 0.5,
        "large" => 1.0,
        "xlarge" => 2.0,
        s => 2.0 * s.strip_suffix("xlarge")?.parse::<f64>().ok()?,
    })
}

/// The pilot-light replica a share of the primary's class buys: the largest class of the same
/// family (e.g. `db.r6g`) whose capacity is at most that share, among the classes the catalog
/// lists for the engine; the family's smallest when none is that small. Returns the class and
/// its capacity as a share of the primary's.
pub fn replica_class(scenario: &Scenario, share: f64, prices: &Prices<'_>) -> (String, f64) {
    let primary = &scenario.database.instance_class;
    let Some((family, size)) = primary.rsplit_once('.') else {
        return (primary.clone(), 1.0);
    };
    let Some(full) = size_units(size) else {
        return (primary.clone(), 1.0);
    };
    let mut classes: Vec<(f64, String)> = prices
        .items(&scenario.database.engine)
        .into_iter()
        .filter_map(|item| {
            let class = item.split(':').next()?.to_string();
            let (f, s) = class.rsplit_once('.')?;
            (f == family).then_some((size_units(s)? / full, class))
        })
        .collect();
    classes.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    classes.dedup();
    let fits = classes
        .iter()
        .rev()
        .find(|(units, _)| *units <= share + 1e-9)
        .or(classes.first());
    match fits {
        Some((units, class)) => (class.clone(), units.min(1.0)),
        None => (primary.clone(), 1.0),
    }
}

/// The recovery region's bill for one month of a strategy's steady state, and the primary
/// region's for continuous backup.
pub fn monthly(
    scenario: &Scenario,
    config: &StrategyConfig,
    prices: &Prices<'_>,
) -> Result<Vec<LineItem>, PriceError> {
    let f = footprint(scenario, config);
    let mut items = Vec::new();
    let mut add = |item: Item, quantity: f64, unit: Unit, price: Quote| {
        let usd = price.usd.times(quantity);
        items.push(LineItem {
            item,
            quantity,
            unit,
            price,
            usd,
        })
    };
    let db_gb = gb(scenario.database.size.mean());
    let written_gb = gb(scenario.database.write_rate.mean() * HOURS_PER_MONTH * 3600.0);

    let dynamodb = scenario.database.managed.family() == EngineFamily::DynamoDb;
    // Backups: every strategy keeps them (corruption and ransomware restore from them).
    add(
        Item::DatabaseBackups,
        db_gb,
        Unit::GbMonth,
        if dynamodb {
            prices.quote("dynamodb", "backup")?
        } else {
            prices.quote("backup", "rds-snapshot")?
        },
    );
    for data in &scenario.data {
        let class = storage_class(&data.storage);
        add(
            Item::DataBackups {
                dataset: data.name.clone(),
                class: class.to_string(),
            },
            gb(data.size.mean()),
            Unit::GbMonth,
            prices.quote("s3", class)?,
        );
    }
    if scenario.backups.point_in_time {
        // Continuous backup lives in the primary region: the database and what the window
        // writes (transaction logs), each dataset as stored.
        let primary = &scenario.primary_region;
        let window_gb =
            gb(scenario.database.write_rate.mean() * scenario.backups.continuous.window);
        if dynamodb {
            // DynamoDB bills point-in-time recovery by the table's size.
            add(
                Item::DatabaseContinuousBackup,
                db_gb,
                Unit::GbMonth,
                prices.quote_in(primary, "dynamodb", "pitr")?,
            );
        } else {
            add(
                Item::DatabaseContinuousBackup,
                db_gb + window_gb,
                Unit::GbMonth,
                prices.quote_in(primary, "backup", "continuous-rds")?,
            );
        }
        for data in &scenario.data {
            add(
                Item::DataContinuousBackup {
                    dataset: data.name.clone(),
                },
                gb(data.size.mean()),
                Unit::GbMonth,
                prices.quote_in(primary, "backup", "warm")?,
            );
        }
    }
    let transfer = replication_transfer(scenario, prices)?;
    add(Item::BackupCopies, written_gb, Unit::Gb, transfer.clone());

    if let Some((class, multi_az)) = &f.database {
        let (quote, instances) = database_quote(scenario, prices, class, *multi_az)?;
        add(
            Item::DatabaseReplica {
                class: class.clone(),
                multi_az: *multi_az,
            },
            instances * HOURS_PER_MONTH,
            Unit::Hour,
            quote,
        );
    }
    if f.db_storage {
        add(
            Item::DatabaseReplicaStorage,
            db_gb,
            Unit::GbMonth,
            match scenario.database.managed.family() {
                EngineFamily::DynamoDb => prices.quote("dynamodb", "storage")?,
                // An Aurora secondary cluster's volume, at the Aurora Standard storage rate.
                EngineFamily::Aurora => prices.quote("aurora", "storage")?,
                EngineFamily::Rds => prices.quote("rds", "storage-gp3")?,
            },
        );
    }
    if dynamodb {
        add(
            Item::ReplicatedWrites,
            million_write_units(scenario),
            Unit::MillionRequests,
            prices.quote("dynamodb", "replicated-write")?,
        );
    }
    if f.replicated && scenario.database.managed.family() == EngineFamily::Aurora {
        // An Aurora global database bills each write I/O replicated to a secondary region.
        add(
            Item::ReplicatedWriteIos,
            million_write_ios(scenario),
            Unit::MillionRequests,
            prices.quote("aurora", "replicated-write-io")?,
        );
    }
    if f.replicated {
        add(Item::ReplicationTransfer, written_gb, Unit::Gb, transfer);
        let standard = prices.quote("s3", "standard")?;
        for data in scenario.data.iter().filter(|d| d.replication_lag.is_some()) {
            add(
                Item::ReplicatedData {
                    dataset: data.name.clone(),
                },
                gb(data.size.mean()),
                Unit::GbMonth,
                standard.clone(),
            );
        }
    }
    for (tier, n) in &f.fleet {
        add(
            Item::RunningFleet {
                tier: tier.name.clone(),
                instance_type: tier.instance_type.clone(),
                os: tier.os,
                instances: *n,
            },
            f64::from(*n) * HOURS_PER_MONTH,
            Unit::Hour,
            prices.quote("ec2", &instance_item(tier))?,
        );
    }
    if f.load_balancer {
        let alb = prices.quote("elb", "alb")?;
        let lcu = prices.get("elb", "alb-lcu")?;
        // One load balancer with one LCU: the LCU-hour is folded into the hourly price.
        let both = Quote {
            usd: alb.usd + lcu,
            ..alb
        };
        add(Item::LoadBalancer, HOURS_PER_MONTH, Unit::Hour, both);
        add(
            Item::PublicIpv4 { addresses: 2 },
            2.0 * HOURS_PER_MONTH,
            Unit::Hour,
            prices.quote("vpc", "public-ipv4")?,
        );
    }
    add(
        Item::HostedZone,
        1.0,
        Unit::Month,
        prices.quote("route53", "hosted-zone")?,
    );
    let checks = f64::from(f.health_checks);
    add(
        Item::HealthChecks {
            checks: f.health_checks,
        },
        checks,
        Unit::Month,
        prices.quote("route53", "health-check")?,
    );
    if config.health_check_interval < STANDARD_CHECK_INTERVAL {
        add(
            Item::FastHealthChecks {
                checks: f.health_checks,
            },
            checks,
            Unit::Month,
            prices.quote("route53", "health-check-fast-interval")?,
        );
    }
    Ok(items)
}

/// The S3 storage class a backup storage tier is billed at.
pub fn storage_class(tier: &str) -> &'static str {
    match tier {
        "standard-ia" => "standard-ia",
        "glacier-instant" => "glacier-instant",
        t if t.starts_with("glacier-flexible") => "glacier-flexible",
        t if t.starts_with("deep-archive") => "deep-archive",
        _ => "standard",
    }
}

/// Per-hour and per-event prices one disaster is charged with, resolved once per setting, in
/// cents. Simulated amounts (hours of outage × a price) are computed in floating point and
/// recorded per simulated year in whole cents; prices and bills stay exact decimals.
#[derive(Clone, Debug)]
pub struct DisasterPrices {
    /// Running the whole recovery site at full scale, beyond what runs anyway, per hour.
    pub extra_per_hour: f64,
    /// Inter-region transfer per GB (failback resync).
    pub transfer_per_gb: f64,
    /// Archive retrieval fees of a full restore of every dataset.
    pub retrieval: f64,
    pub downtime_per_hour: f64,
    pub data_loss_per_hour: f64,
}

fn cents(usd: Usd) -> f64 {
    usd.to_f64() * 100.0
}

impl DisasterPrices {
    pub fn new(
        scenario: &Scenario,
        config: &StrategyConfig,
        prices: &Prices<'_>,
    ) -> Result<DisasterPrices, PriceError> {
        let full = full_site_hourly(scenario, prices)?;
        let f = footprint(scenario, config);
        let mut running = Usd::ZERO;
        for (tier, n) in &f.fleet {
            running += prices
                .get("ec2", &instance_item(tier))?
                .times(f64::from(*n));
        }
        if let Some((class, multi_az)) = &f.database {
            running += database_hourly(scenario, prices, class, *multi_az)?;
        }
        let mut retrieval = Usd::ZERO;
        for data in &scenario.data {
            let fee = match prices.get("s3-retrieval", &data.storage) {
                Ok(fee) => fee,
                // Standard storage has no retrieval fee, and catalogs need not list it.
                Err(_) if data.storage == "standard" => Usd::ZERO,
                Err(e) => return Err(e),
            };
            retrieval += fee.times(gb(data.size.mean()));
        }
        Ok(DisasterPrices {
            extra_per_hour: if full > running {
                cents(full - running)
            } else {
                0.0
            },
            transfer_per_gb: cents(prices.get("transfer", "inter-region")?),
            retrieval: cents(retrieval),
            downtime_per_hour: scenario.costs.downtime_per_hour_cents as f64,
            data_loss_per_hour: scenario.costs.data_loss_per_hour_cents as f64,
        })
    }

    /// The losses of one disaster (downtime and lost data), cents.
    pub fn losses(&self, outcome: &Outcome) -> f64 {
        self.downtime_per_hour * outcome.rto / 3600.0
            + self.data_loss_per_hour * outcome.rpo / 3600.0
    }

    /// Whether a disaster of this type can cost infrastructure or fees at all
    /// ([`DisasterPrices::infrastructure`] is 0 for the others).
    pub fn spends(disaster: Disaster) -> bool {
        matches!(disaster, Disaster::RegionLoss | Disaster::Ransomware)
    }

    /// Infrastructure and fees one disaster costs, cents: the recovery site at full scale
    /// while the primary is down, the failback resync, archive retrievals.
    pub fn infrastructure(
        &self,
        disaster: Disaster,
        outcome: &Outcome,
        outage: f64,
        write_rate: f64,
        strategy: Strategy,
    ) -> f64 {
        match disaster {
            Disaster::RegionLoss if !outcome.primary_first => {
                let in_recovery = (outage - outcome.recovery).max(0.0);
                let mut infra = self.extra_per_hour * in_recovery / 3600.0
                    + self.transfer_per_gb * gb(write_rate * in_recovery);
                if strategy == Strategy::BackupRestore {
                    infra += self.retrieval;
                }
                infra
            }
            Disaster::Ransomware => self.retrieval,
            _ => 0.0,
        }
    }
}

/// The recovery site at full scale, per hour: every tier's fleet, the database (multi-AZ if the
/// primary is), the load balancer and its addresses.
pub fn full_site_hourly(scenario: &Scenario, prices: &Prices<'_>) -> Result<Usd, PriceError> {
    let mut total = Usd::ZERO;
    for tier in &scenario.tiers {
        total += prices
            .get("ec2", &instance_item(tier))?
            .times(f64::from(tier.count));
    }
    let db = &scenario.database;
    total += database_hourly(scenario, prices, &db.instance_class, db.multi_az)?;
    total += prices.get("elb", "alb")? + prices.get("elb", "alb-lcu")?;
    total += prices.get("vpc", "public-ipv4")?.times(2.0);
    Ok(total)
}
