//! The planner against cases whose answer is known: a monthly bill computed by hand, line by
//! line; scenarios whose pick follows from the objectives, judged per disaster type; corruption
//! and ransomware, where no strategy's replication helps; dominance among settings of equal
//! spend; a decision that sits on the confidence line; determinism across thread counts; a price
//! the catalog lacks.

use planner::cost::{self, Item, Prices};
use planner::pick::{Fix, LossKind, Objective, meets, pick};
use planner::{PlanOptions, plan};
use pricing::{Catalog, PriceError, Usd};
use scenarios::{Disaster, Strategy};

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
test-west-1,route53,health-check-fast-interval,month,1.0,2026,test
test-east-1,backup,continuous-rds,gb-month,0.1,2026,test
test-east-1,backup,warm,gb-month,0.05,2026,test
test-west-1,ec2,m6i.large:windows,hour,0.19,2026,test
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

fn line(items: &[cost::LineItem], what: impl Fn(&Item) -> bool) -> i64 {
    items
        .iter()
        .find(|l| what(&l.item))
        .map(|l| cents(l.usd))
        .unwrap_or_else(|| panic!("no such line: {items:?}"))
}

#[test]
fn warm_standby_monthly_bill_by_hand() {
    let scenario = scenarios::load(SMALL, "small.toml").expect("valid scenario");
    let catalog = catalog();
    let prices = Prices::new(&catalog, "test-west-1", None);
    let config = &scenario.strategies[Strategy::WarmStandby.index()];
    let items = cost::monthly(&scenario, config, &prices).expect("priced");
    let get = |what: fn(&Item) -> bool| line(&items, what);
    // GB are 2^30 bytes; a month is 730 h.
    let written_gb = 512.0 * 1024.0 * 730.0 * 3600.0 / 1_073_741_824.0; // 1,282.5 GB
    let hand = |usd: f64| (usd * 100.0).round() as i64;
    assert_eq!(get(|i| *i == Item::DatabaseBackups), hand(100.0 * 0.05)); // $5.00
    assert_eq!(
        get(|i| matches!(i, Item::DataBackups { .. })),
        hand(50.0 * 0.02)
    ); // $1.00
    assert_eq!(get(|i| *i == Item::BackupCopies), hand(written_gb * 0.01)); // $12.83
    assert_eq!(
        get(|i| matches!(i, Item::DatabaseReplica { .. })),
        hand(730.0 * 0.2)
    ); // full-size single-AZ replica: $146.00
    assert_eq!(
        get(|i| *i == Item::DatabaseReplicaStorage),
        hand(100.0 * 0.1)
    ); // $10.00
    assert_eq!(
        get(|i| *i == Item::ReplicationTransfer),
        hand(written_gb * 0.01)
    ); // $12.83
    assert_eq!(
        get(|i| matches!(i, Item::ReplicatedData { .. })),
        hand(50.0 * 0.02)
    ); // $1.00
    // Standby fraction 0.25 of 10 instances: 3 running.
    assert_eq!(
        get(|i| matches!(i, Item::RunningFleet { instances: 3, .. })),
        hand(3.0 * 730.0 * 0.1)
    ); // $219.00
    assert_eq!(
        get(|i| *i == Item::LoadBalancer),
        hand(730.0 * (0.02 + 0.01))
    ); // $21.90
    assert_eq!(
        get(|i| matches!(i, Item::PublicIpv4 { .. })),
        hand(2.0 * 730.0 * 0.005)
    ); // $7.30
    assert_eq!(get(|i| *i == Item::HostedZone), 50);
    assert_eq!(
        get(|i| matches!(i, Item::HealthChecks { checks: 2 })),
        hand(2.0 * 0.75)
    ); // $1.50
    assert_eq!(items.len(), 12);
    let total: Usd = items.iter().map(|l| l.usd).sum();
    let by_hand =
        5.0 + 1.0 + 2.0 * written_gb * 0.01 + 146.0 + 10.0 + 1.0 + 219.0 + 21.9 + 7.3 + 0.5 + 1.5;
    assert!(
        (total.to_f64() - by_hand).abs() < 0.01,
        "total {total} vs {by_hand}"
    );
    // Every line carries where its price comes from.
    for l in &items {
        assert_eq!(l.price.source, "test");
        assert_eq!(l.price.as_of, "2026");
        assert!(!l.price.substituted);
        assert_eq!(l.usd, l.price.usd.times(l.quantity));
    }
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
    let kinds: Vec<&Item> = items.iter().map(|l| &l.item).collect();
    assert!(matches!(
        kinds.as_slice(),
        [
            Item::DatabaseBackups,
            Item::DataBackups { .. },
            Item::BackupCopies,
            Item::HostedZone,
            Item::HealthChecks { checks: 1 }
        ]
    ));
}

#[test]
fn a_windows_tier_costs_the_windows_price_and_byol_the_linux_one() {
    let catalog = catalog();
    let prices = Prices::new(&catalog, "test-west-1", None);
    let fleet = |os: &str| {
        let text = SMALL.replace("count = 10", &format!("count = 10\nos = \"{os}\""));
        let scenario = scenarios::load(&text, "win.toml").expect("valid scenario");
        let items = cost::monthly(
            &scenario,
            &scenario.strategies[Strategy::WarmStandby.index()],
            &prices,
        )
        .expect("priced");
        line(&items, |i| matches!(i, Item::RunningFleet { .. }))
    };
    assert_eq!(
        fleet("windows"),
        (3.0 * 730.0 * 0.19 * 100.0_f64).round() as i64
    );
    assert_eq!(
        fleet("windows-byol"),
        (3.0 * 730.0 * 0.1 * 100.0_f64).round() as i64
    );
    assert_eq!(fleet("linux"), fleet("windows-byol"));
    // And a Windows tier boots slower by default.
    let windows = scenarios::load(
        &SMALL.replace("count = 10", "count = 10\nos = \"windows\""),
        "win.toml",
    )
    .expect("valid scenario");
    let linux = scenarios::load(SMALL, "small.toml").expect("valid scenario");
    assert!(windows.tiers[0].phases[1].mean() > 3.0 * linux.tiers[0].phases[1].mean());
}

#[test]
fn a_substituted_price_is_marked() {
    let text = CATALOG.replace(
        "test-west-1,elb,alb,hour,0.02,2026,test",
        "test-west-1,elb,alb,hour,,,not sourced: test\ntest-east-1,elb,alb,hour,0.03,2025,east",
    );
    let catalog = Catalog::from_csv(&text, "test.csv").expect("valid catalog");
    let prices = Prices::new(&catalog, "test-west-1", Some("test-east-1"));
    let quote = prices.quote("elb", "alb").expect("fallback price");
    assert!(quote.substituted);
    assert_eq!(
        (quote.region.as_str(), quote.source.as_str()),
        ("test-east-1", "east")
    );
    assert_eq!(prices.substituted(), ["elb alb"]);
    assert!(
        !prices
            .quote("elb", "alb-lcu")
            .expect("own price")
            .substituted
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

/// A 30 min RTO with manual failover only: backup-restore and pilot-light cannot meet it (a
/// human decision alone has a 20 min median), and the records say it is region loss's RTO.
/// Multi-site meets it: it fails over automatically, and its RDS replica's promotion (median
/// 5 min, p95 15 min) keeps it well inside.
#[test]
fn a_30_minute_objective_with_manual_failover_rules_out_backup_restore_and_pilot_light() {
    let text = format!(
        "{SMALL}
[objectives]
rto = \"30m\"
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
        let why = picked
            .why_not
            .iter()
            .find(|w| w.strategy == ruled_out)
            .unwrap_or_else(|| panic!("no record for {}", ruled_out.name()));
        assert_eq!(why.kind, LossKind::MissesObjectives);
        let miss = &why.misses[0];
        assert_eq!(miss.disaster, Disaster::RegionLoss);
        assert!(
            matches!(miss.objective, Objective::Rto | Objective::Both),
            "{miss:?}"
        );
    }
}

/// When only region loss differs between strategies, the pick follows its objectives: every
/// cheaper setting fails region loss, and the pick meets it.
#[test]
fn when_only_region_loss_differs_the_pick_follows_its_objectives() {
    let text = format!(
        "{SMALL}
[objectives]
rto = \"2h\"
rpo = \"30m\"
[objectives.az-loss]
rto = \"7d\"
rpo = \"7d\"
[objectives.corruption]
rto = \"7d\"
rpo = \"7d\"
[objectives.ransomware]
rto = \"30d\"
rpo = \"7d\"
"
    );
    let scenario = scenarios::load(&text, "region.toml").expect("valid scenario");
    let result = plan(&scenario, &catalog(), &options(3000, 2)).expect("planned");
    let picked = pick(&result, &scenario);
    let chosen = picked.chosen.expect("a replicated strategy meets it");
    let confidence = scenario.objectives.confidence;
    let region_meets = |i: usize| {
        planner::pick::type_meets(result.type_stats(i, Disaster::RegionLoss), confidence)
    };
    assert!(region_meets(chosen));
    for (i, e) in result.evaluated.iter().enumerate() {
        for d in [Disaster::AzLoss, Disaster::Corruption, Disaster::Ransomware] {
            assert!(planner::pick::type_meets(
                result.type_stats(i, d),
                confidence
            ));
        }
        if e.monthly_total < result.evaluated[chosen].monthly_total {
            assert!(
                !region_meets(i),
                "{:?} is cheaper and meets",
                e.setting.knobs
            );
        }
    }
    assert!(picked.frontier.contains(&chosen));
}

/// A ransomware RTO under the clean room's own duration: nothing can meet it, there is no pick,
/// and every record names ransomware, the RTO, and the objective that would pass.
#[test]
fn a_ransomware_objective_no_setting_meets_leaves_no_pick_and_says_why() {
    let text = format!(
        "{SMALL}
[objectives.ransomware]
rto = \"1h\"
rpo = \"24h\"
[disasters.ransomware]
annual-rate = 0.5
"
    );
    let scenario = scenarios::load(&text, "ransom.toml").expect("valid scenario");
    let result = plan(&scenario, &catalog(), &options(2000, 2)).expect("planned");
    let picked = pick(&result, &scenario);
    assert_eq!(picked.chosen, None);
    assert_eq!(picked.why_not.len(), 4);
    for why in &picked.why_not {
        assert_eq!(why.kind, LossKind::MissesObjectives);
        let miss = why
            .misses
            .iter()
            .find(|m| m.disaster == Disaster::Ransomware)
            .unwrap_or_else(|| panic!("{why:?}"));
        assert_eq!(miss.objective, Objective::Rto);
        match &miss.fix {
            Some(Fix::Objective {
                rto: Some(rto),
                rpo: None,
            }) => assert!(*rto > 3600.0),
            other => panic!("expected an objective fix, got {other:?}"),
        }
    }
    assert!(
        picked
            .unchanged
            .iter()
            .any(|u| u.disaster == Disaster::Ransomware)
    );
}

/// Backup intervals cost the same: among settings of equal spend the pick is the one that
/// dominates (the most frequent backups here), and it is on the frontier.
#[test]
fn among_equal_spend_the_dominating_setting_is_picked() {
    let text = format!(
        "{SMALL}
[objectives]
rto = \"24h\"
rpo = \"24h\"
[plan]
point-in-time = [false]
"
    );
    let scenario = scenarios::load(&text, "equal.toml").expect("valid scenario");
    let result = plan(&scenario, &catalog(), &options(3000, 2)).expect("planned");
    let picked = pick(&result, &scenario);
    let chosen = picked.chosen.expect("a day is easy");
    assert!(picked.frontier.contains(&chosen));
    let me = &result.evaluated[chosen];
    let siblings: Vec<usize> = (0..result.evaluated.len())
        .filter(|&i| {
            i != chosen
                && result.evaluated[i].monthly_total == me.monthly_total
                && meets(&result, i, &scenario)
        })
        .collect();
    assert!(!siblings.is_empty(), "other intervals cost the same");
    assert_eq!(me.setting.knobs.backup_interval, 3600.0);
    for i in siblings {
        let rpo = |j: usize| {
            result
                .type_stats(j, Disaster::Corruption)
                .rpo
                .quantile(0.95)
        };
        assert!(rpo(chosen) <= rpo(i));
    }
}

/// Backup-restore's RPO for a region loss is the backup's age: with instant backups and copies
/// it is uniform over the interval, so P(RPO ≤ 57 min) with hourly backups is exactly 0.95 (the
/// primary never returns first, which would make the RPO 0).
/// At a 95 % confidence that judgment can never be settled: the cheapest setting stays too
/// close to call however many years are added.
#[test]
fn a_decision_on_the_line_is_too_close_to_call() {
    let text = format!(
        "{SMALL}
[objectives]
rto = \"7d\"
rpo = \"57m\"
[disasters.az-loss]
annual-rate = 0.0
[disasters.corruption]
annual-rate = 0.0
[disasters.ransomware]
annual-rate = 0.0
[disasters.region-loss]
annual-rate = 2.0
outage = \"60d\"
[backups]
duration = \"1ms\"
copy-delay = \"1ms\"
failure-probability = 0.0
[plan]
backup-intervals = [\"1h\"]
storage-tiers = [\"standard\"]
point-in-time = [false]
failover = [\"automated\"]
"
    );
    let scenario = scenarios::load(&text, "line.toml").expect("valid scenario");
    // With the truth on the line, the final interval still covers it in about 95 % of seeds:
    // seeds 2–6 and 8 end too close to call; 1 and 7 happen to end just clear of the line, on
    // either side (adding years until an interval clears is a sequential test).
    let options = PlanOptions {
        seed: 2,
        ..options(1000, 2)
    };
    let result = plan(&scenario, &catalog(), &options).expect("planned");
    let picked = pick(&result, &scenario);
    let call = picked
        .close
        .iter()
        .find(|c| result.evaluated[c.setting].setting.strategy == Strategy::BackupRestore)
        .unwrap_or_else(|| panic!("no close call: {:?}", picked.close));
    assert_eq!(call.disaster, Disaster::RegionLoss);
    // It was given the most years allowed, and its estimate is the known 0.95.
    assert_eq!(call.years, 1000 * planner::years::MAX_YEARS_FACTOR);
    let p = call.p_meet.estimate();
    let sigma = (0.95 * 0.05 / call.p_meet.trials as f64).sqrt();
    assert!(
        (p - 0.95).abs() < 4.0 * sigma,
        "{p} over {} trials",
        call.p_meet.trials
    );
}

/// Corruption travels through replication: every strategy restores the same backups, so
/// multi-site's RPO for corruption is no better than pilot-light's, and the plan says no
/// strategy changes corruption, naming the knobs that do.
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
        (0..result.evaluated.len())
            .filter(|&i| {
                let k = &result.evaluated[i].setting.knobs;
                result.evaluated[i].setting.strategy == strategy
                    && k.backup_interval == 4.0 * 3600.0
                    && !k.point_in_time
            })
            .map(|i| {
                result
                    .type_stats(i, Disaster::Corruption)
                    .rpo
                    .quantile(0.95)
            })
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
    let unchanged = pick(&result, &scenario).unchanged;
    let corruption = unchanged
        .iter()
        .find(|u| u.disaster == Disaster::Corruption)
        .expect("corruption is the same for every strategy");
    assert_eq!(corruption.knobs, ["backup-interval", "point-in-time"]);
}

/// Point-in-time restore brings corruption back to just before the corrupting write: its RPO
/// is the dwell time (or the restorable lag, if larger), never the backup's age on top.
#[test]
fn point_in_time_restore_cuts_corruption_rpo_to_the_dwell() {
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
dwell = \"2h\"
[backups]
point-in-time-lag = \"1m\"
[plan]
backup-intervals = [\"24h\"]
"
    );
    let scenario = scenarios::load(&text, "pitr.toml").expect("valid scenario");
    let result = plan(&scenario, &catalog(), &options(2000, 2)).expect("planned");
    for i in 0..result.evaluated.len() {
        let rpo = &result.type_stats(i, Disaster::Corruption).rpo;
        if result.evaluated[i].setting.knobs.point_in_time {
            assert_eq!((rpo.min(), rpo.max()), (7_200_000, 7_200_000));
        } else {
            // Daily backups: the newest one at least 2 h old, up to a day and more older.
            assert!(rpo.quantile(0.5) > 7_200_000 + 3_600_000);
        }
    }
}

#[test]
fn plans_do_not_depend_on_the_thread_count() {
    let scenario = scenarios::load(SMALL, "small.toml").expect("valid scenario");
    let one = plan(&scenario, &catalog(), &options(1500, 1)).expect("planned");
    let two = plan(&scenario, &catalog(), &options(1500, 2)).expect("planned");
    for (a, b) in one.evaluated.iter().zip(&two.evaluated) {
        assert_eq!(a.setting.knobs, b.setting.knobs);
        assert_eq!(a.monthly_total, b.monthly_total);
        assert_eq!(a.total_cost_of_risk, b.total_cost_of_risk);
        assert!(a.annual.loss.same_as(&b.annual.loss));
    }
    for (a, b) in one.components.iter().zip(&two.components) {
        assert!(a.stats.rto.same_as(&b.stats.rto) && a.stats.rpo.same_as(&b.stats.rpo));
        assert_eq!(a.years, b.years);
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
    let counts: Vec<u64> = (0..result.evaluated.len())
        .map(|i| result.pooled(i).rto.count())
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
            .all(|e| e.annual.loss.count() == years)
    );
}

/// The reference scenario's pick does not depend on the seed.
#[test]
fn the_reference_pick_is_the_same_for_seeds_1_2_3() {
    let scenario = scenarios::reference().expect("reference");
    let catalog = Catalog::embedded().expect("embedded catalog");
    let picks: Vec<_> = (1..=3)
        .map(|seed| {
            let options = PlanOptions {
                years: 10_000,
                seed,
                threads: 2,
                progress: None,
            };
            let result = plan(&scenario, &catalog, &options).expect("planned");
            let chosen = pick(&result, &scenario)
                .chosen
                .expect("the reference has a pick");
            let e = &result.evaluated[chosen];
            (e.setting.strategy, e.setting.knobs.clone())
        })
        .collect();
    assert_eq!(picks[0], picks[1]);
    assert_eq!(picks[1], picks[2]);
}
