//! The planner against cases whose answer is known: a monthly bill computed by hand, line by
//! line; scenarios whose pick follows from the objectives; corruption, where no strategy's
//! replication helps; determinism across thread counts; a price the catalog lacks.

use planner::cost::{self, Prices};
use planner::pick::pick;
use planner::{PlanOptions, plan};
use pricing::{Catalog, PriceError, Usd};
use scenarios::Strategy;

/// A small catalog for region test-west-1 with round prices.
const CATALOG: &str = "region,service,item,unit,usd,as_of,source
test-west-1,ec2,m6i.large,hour,0.1,2026,test
test-west-1,rds-mysql,db.r6g.large:single-az,hour,0.2,2026,test
test-west-1,rds-mysql,db.r6g.large:multi-az,hour,0.4,2026,test
test-west-1,rds,storage-gp3,gb-month,0.1,2026,test
test-west-1,backup,rds-snapshot,gb-month,0.05,2026,test
test-west-1,s3,standard,gb-month,0.02,2026,test
test-west-1,s3,glacier-flexible,gb-month,0.004,2026,test
test-west-1,s3-retrieval,glacier-flexible-standard,gb,0.01,2026,test
test-west-1,transfer,inter-region,gb,0.01,2026,test
test-east-1,transfer,inter-region,gb,0.01,2026,test
test-west-1,elb,alb,hour,0.02,2026,test
test-west-1,elb,alb-lcu,hour,0.01,2026,test
test-west-1,vpc,public-ipv4,hour,0.005,2026,test
test-west-1,route53,hosted-zone,month,0.5,2026,test
test-west-1,route53,health-check,month,0.75,2026,test
";

/// One tier of 10 m6i.large, a 100 GiB database writing 512 KiB/s, one 50 GiB dataset.
const SMALL: &str = r#"
[regions]
primary = "test-east-1"
recovery = "test-west-1"
[tiers.web]
instance-type = "m6i.large"
count = 10
[database]
size = "100GiB"
write-rate = "512KiB/s"
[data.files]
size = "50GiB"
storage = "standard"
[replication]
bandwidth = "50MB/s"
[pricing]
fallback-region = "none"
"#;

fn catalog() -> Catalog {
    Catalog::from_csv(CATALOG, "test.csv").expect("valid test catalog")
}

fn cents(usd: Usd) -> i64 {
    usd.cents()
}

#[test]
fn warm_standby_monthly_bill_by_hand() {
    let scenario = scenarios::load(SMALL, "small.toml").expect("valid scenario");
    let catalog = catalog();
    let prices = Prices::new(&catalog, "test-west-1", None);
    let config = &scenario.strategies[Strategy::WarmStandby.index()];
    let items = cost::monthly(&scenario, config, &prices).expect("priced");
    let get = |name: &str| -> i64 {
        items
            .iter()
            .find(|l| l.name == name)
            .map(|l| cents(l.usd))
            .unwrap_or_else(|| panic!("no line {name}: {items:?}"))
    };
    // GB are 2^30 bytes; a month is 730 h.
    let written_gb = 512.0 * 1024.0 * 730.0 * 3600.0 / 1_073_741_824.0; // 1,282.5 GB
    let hand = |usd: f64| (usd * 100.0).round() as i64;
    assert_eq!(get("backup storage: database"), hand(100.0 * 0.05)); // $5.00
    assert_eq!(get("backup storage: files (standard)"), hand(50.0 * 0.02)); // $1.00
    assert_eq!(
        get("backup copies to the recovery region"),
        hand(written_gb * 0.01)
    ); // $12.83
    assert_eq!(get("database replica"), hand(730.0 * 0.2)); // full-size single-AZ replica: $146.00
    assert_eq!(get("database replica storage"), hand(100.0 * 0.1)); // $10.00
    assert_eq!(get("replication transfer"), hand(written_gb * 0.01)); // $12.83
    assert_eq!(get("replicated data: files"), hand(50.0 * 0.02)); // $1.00
    // Standby fraction 0.25 of 10 instances: 3 running.
    assert_eq!(get("running fleet: web"), hand(3.0 * 730.0 * 0.1)); // $219.00
    assert_eq!(get("load balancer"), hand(730.0 * (0.02 + 0.01))); // $21.90
    assert_eq!(get("public IPv4 addresses"), hand(2.0 * 730.0 * 0.005)); // $7.30
    assert_eq!(get("DNS hosted zone"), 50);
    assert_eq!(get("DNS health checks"), hand(2.0 * 0.75)); // $1.50
    assert_eq!(items.len(), 12);
    let total: Usd = items.iter().map(|l| l.usd).sum();
    let by_hand =
        5.0 + 1.0 + 2.0 * written_gb * 0.01 + 146.0 + 10.0 + 1.0 + 219.0 + 21.9 + 7.3 + 0.5 + 1.5;
    assert!(
        (total.to_f64() - by_hand).abs() < 0.01,
        "total {total} vs {by_hand}"
    );
}

#[test]
fn backup_restore_runs_nothing_and_pays_only_storage_copies_and_dns() {
    let scenario = scenarios::load(SMALL, "small.toml").expect("valid scenario");
    let catalog = catalog();
    let prices = Prices::new(&catalog, "test-west-1", None);
    let items = cost::monthly(
        &scenario,
        &scenario.strategies[Strategy::BackupRestore.index()],
        &prices,
    )
    .expect("priced");
    let names: Vec<&str> = items.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "backup storage: database",
            "backup storage: files (standard)",
            "backup copies to the recovery region",
            "DNS hosted zone",
            "DNS health checks"
        ]
    );
}

fn options(years: u64, threads: usize) -> PlanOptions<'static> {
    PlanOptions {
        years,
        seed: 7,
        threads,
        progress: None,
    }
}

/// Only region and AZ losses, objectives of a day: the cheapest strategy, backup-restore, meets
/// them and is picked.
#[test]
fn a_24h_objective_picks_backup_restore() {
    let text = format!(
        "{SMALL}
[objectives]
rto = \"24h\"
rpo = \"24h\"
[disasters.corruption]
annual-rate = 0.0
[disasters.ransomware]
annual-rate = 0.0
"
    );
    let scenario = scenarios::load(&text, "day.toml").expect("valid scenario");
    let result = plan(&scenario, &catalog(), &options(3000, 2)).expect("planned");
    let chosen = pick(&result, &scenario)
        .chosen
        .expect("something meets a 24 h objective");
    assert_eq!(
        result.evaluated[chosen].setting.strategy,
        Strategy::BackupRestore
    );
}

/// A 15 min RTO with manual failover only: backup-restore and pilot-light cannot meet it (a
/// human decision alone has a 20 min median), and the reasons say it is the RTO.
#[test]
fn a_15_minute_objective_with_manual_failover_rules_out_backup_restore_and_pilot_light() {
    let text = format!(
        "{SMALL}
[objectives]
rto = \"15m\"
rpo = \"24h\"
[disasters.corruption]
annual-rate = 0.0
[disasters.ransomware]
annual-rate = 0.0
[disasters.az-loss]
annual-rate = 0.0
[plan]
failover = [\"manual\"]
"
    );
    let scenario = scenarios::load(&text, "fast.toml").expect("valid scenario");
    let result = plan(&scenario, &catalog(), &options(3000, 2)).expect("planned");
    let picked = pick(&result, &scenario);
    let chosen = picked.chosen.expect("multi-site meets it");
    assert_eq!(
        result.evaluated[chosen].setting.strategy,
        Strategy::MultiSite
    );
    for ruled_out in [Strategy::BackupRestore, Strategy::PilotLight] {
        let (_, reason) = picked
            .reasons
            .iter()
            .find(|(s, _)| *s == ruled_out)
            .unwrap_or_else(|| panic!("no reason for {}", ruled_out.name()));
        assert!(
            reason.contains("misses the objectives") && reason.contains("RTO"),
            "{reason}"
        );
    }
}

/// Corruption travels through replication: every strategy restores the same backups, so
/// multi-site's RPO for corruption is no better than pilot-light's.
#[test]
fn multi_site_does_not_cut_rpo_for_corruption() {
    let text = format!(
        "{SMALL}
[disasters.region-loss]
annual-rate = 0.0
[disasters.az-loss]
annual-rate = 0.0
[disasters.ransomware]
annual-rate = 0.0
[disasters.corruption]
annual-rate = 2.0
"
    );
    let scenario = scenarios::load(&text, "corrupt.toml").expect("valid scenario");
    let result = plan(&scenario, &catalog(), &options(2000, 2)).expect("planned");
    let rpo_p95 = |strategy: Strategy| -> Vec<u64> {
        result
            .evaluated
            .iter()
            .filter(|e| e.setting.strategy == strategy)
            .map(|e| e.stats.rpo.quantile(0.95))
            .collect()
    };
    let multi_site = rpo_p95(Strategy::MultiSite);
    let pilot_light = rpo_p95(Strategy::PilotLight);
    assert!(
        multi_site.iter().all(|r| *r == pilot_light[0]),
        "{multi_site:?} vs {pilot_light:?}"
    );
    // And it is hours, not the seconds multi-site gives for a region loss.
    assert!(multi_site[0] > 3_600_000, "{multi_site:?}");
}

#[test]
fn plans_do_not_depend_on_the_thread_count() {
    let scenario = scenarios::load(SMALL, "small.toml").expect("valid scenario");
    let one = plan(&scenario, &catalog(), &options(1500, 1)).expect("planned");
    let two = plan(&scenario, &catalog(), &options(1500, 2)).expect("planned");
    for (a, b) in one.evaluated.iter().zip(&two.evaluated) {
        assert_eq!(a.setting.label, b.setting.label);
        assert_eq!(a.monthly_total, b.monthly_total);
        assert_eq!(a.total_cost_of_risk, b.total_cost_of_risk);
        assert!(
            a.stats.rto.same_as(&b.stats.rto) && a.stats.annual_loss.same_as(&b.stats.annual_loss)
        );
    }
}

#[test]
fn an_instance_type_the_catalog_lacks_is_named() {
    let text = SMALL.replace("m6i.large", "m9z.huge");
    let scenario = scenarios::load(&text, "odd.toml").expect("valid scenario");
    match plan(&scenario, &catalog(), &options(10, 1)) {
        Err(planner::PlanError::Price(e)) => match *e {
            PriceError::Missing { key, .. } => {
                assert_eq!(
                    (key.service.as_str(), key.item.as_str()),
                    ("ec2", "m9z.huge")
                );
            }
            other => panic!("expected a missing price, got {other:?}"),
        },
        other => panic!("expected a missing price, got {other:?}"),
    }
}

/// Simulated years draw Poisson disasters: over Y years the count of disasters of a setting has
/// mean Y·Σλ and variance Y·Σλ, and every setting lives through the same ones.
#[test]
fn simulated_years_hold_poisson_disasters() {
    let scenario = scenarios::load(SMALL, "small.toml").expect("valid scenario");
    let years = 4000;
    let result = plan(&scenario, &catalog(), &options(years, 2)).expect("planned");
    let rate: f64 = scenario.disasters.iter().map(|d| d.annual_rate).sum();
    let expected = years as f64 * rate;
    let counts: Vec<u64> = result
        .evaluated
        .iter()
        .map(|e| e.stats.rto.count())
        .collect();
    assert!(counts.iter().all(|c| *c == counts[0]), "{counts:?}");
    let z = (counts[0] as f64 - expected) / expected.sqrt();
    assert!(
        z.abs() < 4.0,
        "{} disasters in {years} years, expected {expected} (z = {z:.2})",
        counts[0]
    );
    assert!(
        result
            .evaluated
            .iter()
            .all(|e| e.stats.annual_loss.count() == years)
    );
}
