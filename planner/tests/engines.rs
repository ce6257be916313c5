//! What the database engine changes in the monthly bill (docs/model.md §4.1), by hand: a
//! DynamoDB global table bills replicated writes, replica storage and transfer for every
//! strategy and no instance; an Aurora pilot light is headless (storage, no instance), and an
//! Aurora secondary pays Aurora's storage rate and its replicated write I/Os.

use planner::cost::{self, Item, LineItem, Prices};
use pricing::Catalog;
use scenarios::Strategy;

const CATALOG: &str = "region,service,item,unit,usd,as_of,source
test-west-1,rds,storage-gp3,gb-month,0.1,2026,test
test-west-1,aurora-mysql,db.r6g.large,hour,0.3,2026,test
test-west-1,backup,rds-snapshot,gb-month,0.05,2026,test
test-west-1,dynamodb,backup,gb-month,0.1,2026,test
test-west-1,dynamodb,storage,gb-month,0.25,2026,test
test-west-1,dynamodb,replicated-write,million-requests,0.625,2026,test
test-west-1,aurora,storage,gb-month,0.12,2026,test
test-west-1,aurora,replicated-write-io,million-requests,0.2,2026,test
test-east-1,dynamodb,pitr,gb-month,0.2,2026,test
test-east-1,transfer,inter-region,gb,0.02,2026,test
test-west-1,route53,hosted-zone,month,0.5,2026,test
test-west-1,route53,health-check,month,0.5,2026,test
test-west-1,route53,health-check-fast-interval,month,1.0,2026,test
test-west-1,s3,standard,gb-month,0.02,2026,test
test-east-1,backup,continuous-rds,gb-month,0.1,2026,test
test-west-1,ec2,m6i.large,hour,0.1,2026,test
test-west-1,ec2,m6i.xlarge,hour,0.2,2026,test
test-west-1,elb,alb,hour,0.02,2026,test
test-west-1,elb,alb-lcu,hour,0.01,2026,test
test-west-1,vpc,public-ipv4,hour,0.005,2026,test
";

/// No tiers' fleets matter here: a 100 GiB database writing 1 KiB/s, no datasets.
fn scenario(database: &str) -> scenarios::Scenario {
    let text = format!(
        r#"
[regions]
primary = "test-east-1"
recovery = "test-west-1"
[database]
size = "100GiB"
write-rate = "1KiB/s"
{database}
[data]
[backups]
point-in-time = true
[pricing]
fallback-region = "none"
"#
    );
    scenarios::load(&text, "t.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn bill(scenario: &scenarios::Scenario, strategy: Strategy) -> Vec<LineItem> {
    let catalog = Catalog::from_csv(CATALOG, "t.csv").expect("catalog");
    let prices = Prices::new(&catalog, "test-west-1", None);
    cost::monthly(scenario, &scenario.strategies[strategy.index()], &prices)
        .unwrap_or_else(|e| panic!("{}: {e}", strategy.name()))
}

fn cents(items: &[LineItem], what: impl Fn(&Item) -> bool) -> Option<i64> {
    items.iter().find(|l| what(&l.item)).map(|l| l.usd.cents())
}

fn hand(usd: f64) -> Option<i64> {
    Some((usd * 100.0).round() as i64)
}

#[test]
fn dynamodb_bills_the_replica_table_for_every_strategy() {
    let scenario = scenario("engine = \"dynamodb\"");
    // 1 KiB/s = one write unit per second: 730 h × 3600 s = 2.628 million a month.
    let million_units = 730.0 * 3600.0 / 1e6;
    let written_gb = 1024.0 * 730.0 * 3600.0 / 1_073_741_824.0;
    for strategy in Strategy::ALL {
        let items = bill(&scenario, strategy);
        let name = strategy.name();
        assert_eq!(
            cents(&items, |i| *i == Item::ReplicatedWrites),
            hand(million_units * 0.625),
            "{name}"
        ); // $1.64
        assert_eq!(
            cents(&items, |i| *i == Item::DatabaseReplicaStorage),
            hand(100.0 * 0.25),
            "{name}"
        ); // $25.00
        assert_eq!(
            cents(&items, |i| *i == Item::ReplicationTransfer),
            hand(written_gb * 0.02),
            "{name}"
        );
        assert_eq!(
            cents(&items, |i| *i == Item::DatabaseBackups),
            hand(100.0 * 0.1),
            "{name}: DynamoDB on-demand backups"
        );
        assert_eq!(
            cents(&items, |i| *i == Item::DatabaseContinuousBackup),
            hand(100.0 * 0.2),
            "{name}: point-in-time recovery by table size"
        );
        assert_eq!(
            cents(&items, |i| matches!(i, Item::DatabaseReplica { .. })),
            None,
            "{name}: no instance"
        );
    }
}

#[test]
fn aurora_pilot_light_is_headless_and_warm_standby_runs_an_instance() {
    let scenario = scenario("engine = \"aurora-mysql\"\ninstance-class = \"db.r6g.large\"");
    let pilot = bill(&scenario, Strategy::PilotLight);
    assert_eq!(
        cents(&pilot, |i| matches!(i, Item::DatabaseReplica { .. })),
        None
    );
    // The secondary cluster's volume at Aurora's rate (0.12 here), not RDS gp3's (0.1).
    assert_eq!(
        cents(&pilot, |i| *i == Item::DatabaseReplicaStorage),
        hand(100.0 * 0.12)
    );
    assert_eq!(cents(&pilot, |i| *i == Item::ReplicatedWrites), None);
    // 1 KiB/s for 730 h in 4 KiB write I/Os: 0.657 million at 0.2 $ per million.
    let million_ios = 1024.0 * 730.0 * 3600.0 / 4096.0 / 1e6;
    let warm = bill(&scenario, Strategy::WarmStandby);
    assert_eq!(
        cents(&warm, |i| matches!(i, Item::DatabaseReplica { .. })),
        hand(730.0 * 0.3)
    );
    for (strategy, items) in [
        (Strategy::PilotLight, &pilot),
        (Strategy::WarmStandby, &warm),
    ] {
        let line = items
            .iter()
            .find(|l| l.item == Item::ReplicatedWriteIos)
            .unwrap_or_else(|| panic!("{}: no replicated write I/Os", strategy.name()));
        assert!((line.quantity - million_ios).abs() < 1e-9, "{line:?}");
        assert_eq!(Some(line.usd.cents()), hand(million_ios * 0.2));
    }
    // Backup-restore keeps no secondary cluster: nothing replicates.
    let restore = bill(&scenario, Strategy::BackupRestore);
    assert_eq!(cents(&restore, |i| *i == Item::ReplicatedWriteIos), None);
}

#[test]
fn the_planner_sweeps_no_replica_size_for_managed_engines() {
    let catalog = Catalog::embedded().expect("embedded catalog");
    for engine in ["aurora-postgresql", "dynamodb"] {
        let text = format!("[database]\nengine = \"{engine}\"\n");
        let scenario = scenarios::load(&text, "t.toml").expect("valid");
        let prices = Prices::new(&catalog, &scenario.recovery_region, Some("us-east-1"));
        let settings = planner::settings(&scenario, &prices);
        assert!(settings.iter().any(|s| s.strategy == Strategy::PilotLight));
        for s in &settings {
            assert_eq!(s.knobs.replica, None, "{engine}");
        }
    }
}
