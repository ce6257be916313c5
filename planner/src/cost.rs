//! The cost model: what each strategy costs every month in the recovery region (by line item),
//! what running the recovery site at full scale costs per hour, and what one disaster costs
//! (infrastructure during the outage, archive retrievals, failback transfer, and the losses of
//! downtime and lost data).

use std::cell::RefCell;
use std::collections::BTreeSet;

use pricing::{Catalog, PriceError, Usd};
use scenarios::model::{DbReplication, Failover, StrategyConfig};
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
        match self.catalog.price(region, service, item) {
            Ok((usd, _)) => Ok(usd),
            Err(first) => match self.fallback.filter(|f| *f != region) {
                Some(fallback) => match self.catalog.price(fallback, service, item) {
                    Ok((usd, _)) => {
                        let what = if region == self.region {
                            format!("{service} {item}")
                        } else {
                            format!("{service} {item} ({region})")
                        };
                        self.substituted.borrow_mut().insert(what);
                        Ok(usd)
                    }
                    Err(_) => Err(first),
                },
                None => Err(first),
            },
        }
    }

    /// Items priced at the fallback region's price.
    pub fn substituted(&self) -> Vec<String> {
        self.substituted.borrow().iter().cloned().collect()
    }
}

/// Inter-region transfer from the primary to the recovery region, billed by the primary: the
/// pair's own rate if the catalog has one (e.g. us-east-1 → us-east-2), else the general rate.
pub fn replication_transfer(scenario: &Scenario, prices: &Prices<'_>) -> Result<Usd, PriceError> {
    let pair = format!("inter-region:{}", scenario.recovery_region);
    match prices
        .catalog
        .price(&scenario.primary_region, "transfer", &pair)
    {
        Ok((usd, _)) => Ok(usd),
        Err(_) => prices.get_in(&scenario.primary_region, "transfer", "inter-region"),
    }
}

/// One line of a monthly bill.
#[derive(Clone, Debug, PartialEq)]
pub struct LineItem {
    pub name: String,
    /// How it was computed, e.g. "2 × m6i.large × 730 h × $0.096".
    pub detail: String,
    pub usd: Usd,
}

fn dec(x: f64) -> String {
    let rounded = (x * 1000.0).round() / 1000.0;
    format!("{rounded}")
}

fn gb(bytes: f64) -> f64 {
    bytes / BYTES_PER_GB
}

/// What a strategy runs and stores, independent of prices.
struct Footprint {
    /// (tier, instance type, instances running all the time in the recovery region).
    fleet: Vec<(String, String, u32)>,
    /// Database instance running in the recovery region: (share of the primary's class, multi-AZ).
    database: Option<(f64, bool)>,
    load_balancer: bool,
    health_checks: u32,
    replicated: bool,
}

fn footprint(scenario: &Scenario, config: &StrategyConfig) -> Footprint {
    let running = |fraction: f64| -> Vec<(String, String, u32)> {
        scenario
            .tiers
            .iter()
            .map(|t| {
                let n = (fraction * f64::from(t.count) - 1e-9).ceil().max(0.0) as u32;
                (t.name.clone(), t.instance_type.clone(), n.min(t.count))
            })
            .filter(|(_, _, n)| *n > 0)
            .collect()
    };
    let automated = config.failover == Failover::Automated;
    match config.strategy {
        Strategy::BackupRestore => Footprint {
            fleet: Vec::new(),
            database: None,
            load_balancer: false,
            health_checks: 1,
            replicated: false,
        },
        Strategy::PilotLight => Footprint {
            fleet: Vec::new(),
            database: Some((config.replica_fraction, false)),
            load_balancer: false,
            health_checks: if automated { 2 } else { 1 },
            replicated: true,
        },
        Strategy::WarmStandby => Footprint {
            fleet: running(config.running_fraction),
            database: Some((1.0, false)),
            load_balancer: true,
            health_checks: 2,
            replicated: true,
        },
        Strategy::MultiSite => Footprint {
            fleet: running(config.running_fraction),
            database: Some((
                1.0,
                scenario.database.multi_az && config.database_replication == DbReplication::Sync,
            )),
            load_balancer: true,
            health_checks: 2,
            replicated: true,
        },
    }
}

fn database_hourly(
    scenario: &Scenario,
    prices: &Prices<'_>,
    multi_az: bool,
) -> Result<Usd, PriceError> {
    let db = &scenario.database;
    if db.engine.starts_with("aurora") {
        // Aurora prices each instance; a multi-AZ cluster runs a second one.
        let instance = prices.get(&db.engine, &db.instance_class)?;
        return Ok(instance.times(if multi_az { 2.0 } else { 1.0 }));
    }
    let item = format!(
        "{}:{}",
        db.instance_class,
        if multi_az { "multi-az" } else { "single-az" }
    );
    prices.get(&db.engine, &item)
}

/// The recovery region's bill for one month of a strategy's steady state.
pub fn monthly(
    scenario: &Scenario,
    config: &StrategyConfig,
    prices: &Prices<'_>,
) -> Result<Vec<LineItem>, PriceError> {
    let f = footprint(scenario, config);
    let mut items = Vec::new();
    let mut add = |name: &str, detail: String, usd: Usd| {
        items.push(LineItem {
            name: name.to_string(),
            detail,
            usd,
        })
    };
    let db_gb = gb(scenario.database.size.mean());
    let written_gb = gb(scenario.database.write_rate.mean() * HOURS_PER_MONTH * 3600.0);

    // Backups: every strategy keeps them (corruption and ransomware restore from them).
    let snapshot = prices.get("backup", "rds-snapshot")?;
    add(
        "backup storage: database",
        format!("{} GB × ${}", dec(db_gb), snapshot.0.normalize()),
        snapshot.times(db_gb),
    );
    for data in &scenario.data {
        let class = storage_class(&data.storage);
        let price = prices.get("s3", class)?;
        let size = gb(data.size.mean());
        add(
            &format!("backup storage: {} ({class})", data.name),
            format!("{} GB × ${}", dec(size), price.0.normalize()),
            price.times(size),
        );
    }
    let transfer = replication_transfer(scenario, prices)?;
    add(
        "backup copies to the recovery region",
        format!(
            "{} GB written/month × ${}",
            dec(written_gb),
            transfer.0.normalize()
        ),
        transfer.times(written_gb),
    );

    if let Some((share, multi_az)) = f.database {
        let hourly = database_hourly(scenario, prices, multi_az)?;
        add(
            "database replica",
            format!(
                "{} × {} {} × {HOURS_PER_MONTH} h × ${}",
                dec(share),
                scenario.database.instance_class,
                if multi_az { "multi-AZ" } else { "single-AZ" },
                hourly.0.normalize()
            ),
            hourly.times(share * HOURS_PER_MONTH),
        );
        let storage = prices.get("rds", "storage-gp3")?;
        add(
            "database replica storage",
            format!("{} GB × ${}", dec(db_gb), storage.0.normalize()),
            storage.times(db_gb),
        );
    }
    if f.replicated {
        add(
            "replication transfer",
            format!(
                "{} GB written/month × ${}",
                dec(written_gb),
                transfer.0.normalize()
            ),
            transfer.times(written_gb),
        );
        let standard = prices.get("s3", "standard")?;
        for data in scenario.data.iter().filter(|d| d.replication_lag.is_some()) {
            let size = gb(data.size.mean());
            add(
                &format!("replicated data: {}", data.name),
                format!("{} GB × ${}", dec(size), standard.0.normalize()),
                standard.times(size),
            );
        }
    }
    for (tier, instance_type, n) in &f.fleet {
        let hourly = prices.get("ec2", instance_type)?;
        add(
            &format!("running fleet: {tier}"),
            format!(
                "{n} × {instance_type} × {HOURS_PER_MONTH} h × ${}",
                hourly.0.normalize()
            ),
            hourly.times(f64::from(*n) * HOURS_PER_MONTH),
        );
    }
    if f.load_balancer {
        let alb = prices.get("elb", "alb")?;
        let lcu = prices.get("elb", "alb-lcu")?;
        add(
            "load balancer",
            format!(
                "{HOURS_PER_MONTH} h × (${} + 1 LCU × ${})",
                alb.0.normalize(),
                lcu.0.normalize()
            ),
            (alb + lcu).times(HOURS_PER_MONTH),
        );
        let ip = prices.get("vpc", "public-ipv4")?;
        add(
            "public IPv4 addresses",
            format!("2 × {HOURS_PER_MONTH} h × ${}", ip.0.normalize()),
            ip.times(2.0 * HOURS_PER_MONTH),
        );
    }
    let zone = prices.get("route53", "hosted-zone")?;
    let check = prices.get("route53", "health-check")?;
    add(
        "DNS hosted zone",
        format!("1 × ${}", zone.0.normalize()),
        zone,
    );
    add(
        "DNS health checks",
        format!("{} × ${}", f.health_checks, check.0.normalize()),
        check.times(f64::from(f.health_checks)),
    );
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

/// Per-hour and per-event prices one disaster is charged with, resolved once per setting.
#[derive(Clone, Debug)]
pub struct DisasterPrices {
    /// Running the whole recovery site at full scale, beyond what runs anyway, per hour.
    pub extra_per_hour: Usd,
    /// Inter-region transfer per GB (failback resync).
    pub transfer_per_gb: Usd,
    /// Archive retrieval fees of a full restore of every dataset.
    pub retrieval: Usd,
    pub downtime_per_hour: Usd,
    pub data_loss_per_hour: Usd,
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
        for (_, instance_type, n) in &f.fleet {
            running += prices.get("ec2", instance_type)?.times(f64::from(*n));
        }
        if let Some((share, multi_az)) = f.database {
            running += database_hourly(scenario, prices, multi_az)?.times(share);
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
                full - running
            } else {
                Usd::ZERO
            },
            transfer_per_gb: prices.get("transfer", "inter-region")?,
            retrieval,
            downtime_per_hour: Usd::from_cents(scenario.costs.downtime_per_hour_cents as i64),
            data_loss_per_hour: Usd::from_cents(scenario.costs.data_loss_per_hour_cents as i64),
        })
    }
}

/// The recovery site at full scale, per hour: every tier's fleet, the database (multi-AZ if the
/// primary is), the load balancer and its addresses.
pub fn full_site_hourly(scenario: &Scenario, prices: &Prices<'_>) -> Result<Usd, PriceError> {
    let mut total = Usd::ZERO;
    for tier in &scenario.tiers {
        total += prices
            .get("ec2", &tier.instance_type)?
            .times(f64::from(tier.count));
    }
    total += database_hourly(scenario, prices, scenario.database.multi_az)?;
    total += prices.get("elb", "alb")? + prices.get("elb", "alb-lcu")?;
    total += prices.get("vpc", "public-ipv4")?.times(2.0);
    Ok(total)
}

/// What one disaster costs: (infrastructure and fees, losses).
pub fn disaster_cost(
    prices: &DisasterPrices,
    disaster: Disaster,
    outcome: &Outcome,
    outage: f64,
    write_rate: f64,
    strategy: Strategy,
) -> (Usd, Usd) {
    let hours = |s: f64| s / 3600.0;
    let losses = prices.downtime_per_hour.times(hours(outcome.rto))
        + prices.data_loss_per_hour.times(hours(outcome.rpo));
    let mut infra = Usd::ZERO;
    match disaster {
        Disaster::RegionLoss if !outcome.primary_first => {
            let in_recovery = (outage - outcome.recovery).max(0.0);
            infra += prices.extra_per_hour.times(hours(in_recovery));
            infra += prices.transfer_per_gb.times(gb(write_rate * in_recovery));
            if strategy == Strategy::BackupRestore {
                infra += prices.retrieval;
            }
        }
        Disaster::Ransomware => infra += prices.retrieval,
        _ => {}
    }
    (infra, losses)
}
