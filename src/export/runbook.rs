//! The Markdown of an export: `runbook.md` (recovery runbooks in dependency order, each step's
//! simulated time budget, who acts and what to run; the failback; the RTO/RPO to expect) and
//! the folder's `README.md` (the pick, spend, deploy order and commands, drills, re-planning).

use std::fmt::Write;

use scenarios::model::Failover;
use scenarios::runbooks::Action;
use scenarios::units::format_duration;
use scenarios::{Disaster, Strategy};

use super::cloudformation::{logical, ttl};
use super::{Export, StepBudget, label};
use crate::report::Probability;

fn pct(p: f64) -> String {
    format!("{:.1}%", 100.0 * p)
}

fn interval(p: &Probability) -> String {
    format!(
        "{} [{}–{}]",
        pct(p.estimate),
        pct(p.ci95_low),
        pct(p.ci95_high)
    )
}

fn dur(seconds: f64) -> String {
    if seconds <= 0.0 {
        "0s".to_string()
    } else {
        format_duration(seconds)
    }
}

/// Who carries out a step, and what they run, for the resources of the templates.
fn actor(e: &Export<'_>, disaster: Option<Disaster>, b: &StepBudget) -> (String, String) {
    let sc = e.chosen.scenario;
    let config = &sc.strategies[e.chosen.strategy.index()];
    let (p, r) = (&sc.primary_region, &sc.recovery_region);
    let aurora = sc.database.engine.starts_with("aurora");
    let dynamodb = sc.database.managed.family() == scenarios::names::EngineFamily::DynamoDb;
    let region_loss = disaster == Some(Disaster::RegionLoss);
    let recovery_stack = format!(
        "`aws cloudformation deploy --region {r} --stack-name drsim-recovery --template-file {} --capabilities CAPABILITY_IAM --parameter-overrides Recovering=true` (the other parameters keep their values)",
        e.files.recovery
    );
    let ssm = |step: &str| {
        format!(
            "SSM Automation step `{}` of the `RecoveryRunbook` document ({}); by hand: {step}",
            logical(&b.name),
            e.files.automation
        )
    };
    match &b.action {
        Action::Detect => (
            "automation".into(),
            if region_loss {
                format!(
                    "Route 53 health check `PrimaryHealthCheck` fails {} checks in a row ({} s apart) against `PrimaryEndpoint`",
                    sc.detection.failure_threshold,
                    super::cloudformation::request_interval(config.health_check_interval)
                )
            } else {
                "load balancer and Route 53 health checks, RDS event notifications".into()
            },
        ),
        Action::Decide => {
            let automated = region_loss && config.failover == Failover::Automated;
            if automated {
                (
                    "automation".into(),
                    format!(
                        "a CloudWatch alarm on `PrimaryHealthCheck` starts the `RecoveryRunbook` automation (`aws ssm start-automation-execution --region {r} --document-name <RunbookName output>`)"
                    ),
                )
            } else {
                (
                    "manual decision".into(),
                    if region_loss {
                        format!(
                            "the on-call engineer confirms the region is lost and approves the failover, then starts the automation (`aws ssm start-automation-execution --region {r} --document-name <RunbookName output>`)"
                        )
                    } else {
                        "the on-call engineer confirms the disaster, picks the recovery point where data is damaged, and approves the recovery".into()
                    },
                )
            }
        }
        Action::ProvisionNetwork => (
            "operator".into(),
            if e.chosen.strategy == Strategy::BackupRestore || !region_loss {
                format!("deploy the recovery stack: {recovery_stack}")
            } else {
                "the network of the recovery stack is already deployed".into()
            },
        ),
        Action::Launch(t) | Action::ScaleOut(t) => {
            let count = sc
                .tiers
                .iter()
                .find(|x| &x.name == t)
                .map_or(0, |x| x.count);
            let asg = format!("{}AutoScalingGroup", logical(t));
            if region_loss || !matches!(b.action, Action::Launch(_)) {
                (
                    "automation".into(),
                    ssm(&format!(
                        "`aws autoscaling update-auto-scaling-group --region {r} --auto-scaling-group-name <{asg}> --min-size {count} --desired-capacity {count} --max-size {count}`, then wait for the instances to pass the target group's health checks"
                    )),
                )
            } else {
                (
                    "operator".into(),
                    format!(
                        "in the clean environment: {recovery_stack}, which sizes `{asg}` to {count} instances from clean AMIs"
                    ),
                )
            }
        }
        Action::Replace(t) => (
            "automation".into(),
            format!(
                "Auto Scaling replaces the {t} instances of the lost zone in {p}'s other zones"
            ),
        ),
        Action::RestoreDatabase if dynamodb => (
            "operator".into(),
            if region_loss || disaster == Some(Disaster::Ransomware) {
                format!(
                    "`aws backup start-restore-job --region {r}` from the newest table recovery point in vault `BackupVault` of the recovery stack (for ransomware: the newest that scans clean) into a new table, then point the application at it"
                )
            } else {
                format!(
                    "`aws dynamodb restore-table-to-point-in-time --region {p} --source-table-name <TableName> --target-table-name <TableName>-restored --restore-date-time <just before the damage>`{}, then point the application at the restored table",
                    if sc.backups.point_in_time {
                        ""
                    } else {
                        " (without continuous backup: `aws backup start-restore-job` from the newest recovery point before the damage)"
                    }
                )
            },
        ),
        Action::RestoreDatabase => (
            "operator".into(),
            if region_loss || disaster == Some(Disaster::Ransomware) {
                format!(
                    "`aws backup start-restore-job --region {r}` from the newest database recovery point in vault `BackupVault` of the recovery stack (for ransomware: the newest that scans clean), into `DatabaseSubnetGroup` with `DatabaseSecurityGroup` and the stack's KMS key"
                )
            } else {
                format!(
                    "`aws backup start-restore-job --region {p}` from the database recovery point in the primary vault just before the damage{}",
                    if sc.backups.point_in_time {
                        " (continuous backup: any instant of the window)"
                    } else {
                        ""
                    }
                )
            },
        ),
        Action::HydrateDatabase => (
            "automation".into(),
            "the restored volume loads its blocks from the snapshot on first read; read the hot tables once to warm it".into(),
        ),
        Action::PromoteDatabase | Action::GlobalFailover if region_loss && !aurora => (
            "automation".into(),
            ssm(&format!(
                "`aws rds promote-read-replica --region {r} --db-instance-identifier <DatabaseReplica>`"
            )),
        ),
        Action::PromoteDatabase | Action::GlobalFailover if region_loss => (
            "automation".into(),
            ssm(&format!(
                "`aws rds failover-global-cluster --region {r} --global-cluster-identifier <GlobalClusterIdentifier> --target-db-cluster-identifier <DatabaseCluster ARN> --allow-data-loss`"
            )),
        ),
        Action::PromoteDatabase | Action::GlobalFailover => (
            "operator".into(),
            format!(
                "make {p} primary again: create a cross-region replica of the recovery database in {p}, then promote it (`aws rds promote-read-replica`, or `aws rds switchover-global-cluster` for Aurora)"
            ),
        ),
        Action::AddInstance => (
            "automation".into(),
            ssm(&format!(
                "`aws rds create-db-instance --region {r} --db-cluster-identifier <DatabaseCluster> --db-instance-class {} --engine {}`, then wait until it is available (the headless secondary cannot fail over without an instance)",
                sc.database.instance_class, sc.database.engine
            )),
        ),
        Action::ResizeDatabase => (
            "automation".into(),
            ssm(&format!(
                "`aws rds modify-db-instance --region {r} --db-instance-identifier <DatabaseReplica> --db-instance-class {} {}--apply-immediately`",
                sc.database.instance_class,
                if sc.database.multi_az { "--multi-az " } else { "" }
            )),
        ),
        Action::FailoverDatabase => (
            "automation".into(),
            "RDS Multi-AZ fails over to the standby in another zone".into(),
        ),
        Action::Retrieve(d) => (
            "automation".into(),
            format!(
                "the restore of `{d}` waits for its backup's retrieval from {}",
                sc.data
                    .iter()
                    .find(|x| &x.name == d)
                    .map_or("its tier".to_string(), |x| x.storage.clone())
            ),
        ),
        Action::RestoreData(d) => (
            "operator".into(),
            format!(
                "`aws backup start-restore-job` of the newest `{d}` recovery point into the bucket `{}Bucket` of the recovery stack",
                logical(d)
            ),
        ),
        Action::SwitchDns => (
            "automation".into(),
            if region_loss
                && matches!(
                    e.chosen.strategy,
                    Strategy::BackupRestore | Strategy::PilotLight
                )
            {
                format!(
                    "{recovery_stack} creates the load balancer and the SECONDARY record `RecoveryRecord`; Route 53 answers it while `PrimaryHealthCheck` is unhealthy; clients follow within the {} s TTL",
                    ttl(sc)
                )
            } else if region_loss {
                format!(
                    "Route 53 stops answering `PrimaryRecord` once `PrimaryHealthCheck` is unhealthy and answers `RecoveryRecord`; clients follow within the {} s TTL",
                    ttl(sc)
                )
            } else {
                format!(
                    "point `PrimaryEndpoint` at the rebuilt site (update the stacks' parameters); clients follow within the {} s TTL",
                    ttl(sc)
                )
            },
        ),
        Action::CleanRoom => (
            "operator".into(),
            "forensics, new credentials and a clean account or environment before anything is restored".into(),
        ),
        Action::Resync if dynamodb => (
            "automation".into(),
            format!(
                "the global table replicates what {r} wrote during the outage back to the {p} replica once {p} is back; the service stays up"
            ),
        ),
        Action::Resync => (
            "automation".into(),
            format!(
                "reverse replication: a cross-region replica (or Aurora secondary) in {p} catches up with what {r} wrote during the outage; the service stays up"
            ),
        ),
        Action::Delay => (
            "operator".into(),
            format!("`{}` as planned", b.name),
        ),
    }
}

fn steps_section(
    out: &mut String,
    e: &Export<'_>,
    disaster: Option<Disaster>,
    steps: &[StepBudget],
) {
    let _ = writeln!(
        out,
        "| # | step | after | who | p50 | p95 | p99 | on the critical path |\n|---:|---|---|---|---:|---:|---:|---:|"
    );
    for (i, b) in steps.iter().enumerate() {
        let (who, _) = actor(e, disaster, b);
        let _ = writeln!(
            out,
            "| {} | {}{} | {} | {who} | {} | {} | {} | {} |",
            i + 1,
            b.name,
            if b.background { " (background)" } else { "" },
            if b.after.is_empty() {
                "—".to_string()
            } else {
                b.after.join(", ")
            },
            dur(b.quantile(0.5)),
            dur(b.quantile(0.95)),
            dur(b.quantile(0.99)),
            if b.paths == 0 {
                "—".to_string()
            } else {
                pct(b.on_path_share())
            }
        );
    }
    out.push('\n');
    for (i, b) in steps.iter().enumerate() {
        let (who, what) = actor(e, disaster, b);
        let _ = writeln!(
            out,
            "{}. **{}** ({who}; p50 {}, p95 {}{}): {what}.",
            i + 1,
            b.name,
            dur(b.quantile(0.5)),
            dur(b.quantile(0.95)),
            if b.paths == 0 {
                String::new()
            } else {
                format!(", on the critical path in {}", pct(b.on_path_share()))
            }
        );
    }
    out.push('\n');
}

fn heading(e: &Export<'_>) -> String {
    let sc = e.chosen.scenario;
    format!(
        "{} — {} ({} → {})",
        e.chosen.strategy.name(),
        sc.name,
        sc.primary_region,
        sc.recovery_region
    )
}

fn expectations(out: &mut String, e: &Export<'_>) {
    let sc = e.chosen.scenario;
    let _ = writeln!(
        out,
        "| disaster | per year | RTO objective | RTO p50 | p95 | p99 | RPO objective | RPO p50 | p95 | p99 | P(meet both) [95% interval] | meets at {:.0}% |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        100.0 * sc.objectives.confidence
    );
    for d in Disaster::ALL {
        let Some(t) = e
            .setting
            .by_disaster
            .iter()
            .find(|t| t.disaster == d.name())
        else {
            continue;
        };
        let o = &sc.objectives.by_disaster[d.index()];
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            d.name(),
            sc.disasters[d.index()].annual_rate,
            dur(o.rto),
            dur(t.rto.p50),
            dur(t.rto.p95),
            dur(t.rto.p99),
            dur(o.rpo),
            dur(t.rpo.p50),
            dur(t.rpo.p95),
            dur(t.rpo.p99),
            interval(&t.p_meet_both),
            if t.meets { "yes" } else { "no" }
        );
    }
    let _ = writeln!(
        out,
        "\nFrom {} simulated years of this setting (`drsim plan`, seed {}); the intervals are 95 % Wilson intervals.\n",
        e.years, e.seed
    );
}

/// `runbook.md`.
pub fn runbook(e: &Export<'_>) -> String {
    let sc = e.chosen.scenario;
    let mut out = String::new();
    let _ = writeln!(out, "# Recovery runbook: {}\n", heading(e));
    let _ = writeln!(
        out,
        "Setting: {}. Each step's time budget is its simulated duration (p50, p95, p99) over {} disasters of each type recovered by this setting (seed {}), and how often it was on the critical path of the recovery (the steps that set the RTO). Steps are in dependency order: a step starts when every step in its `after` is done; steps marked background run on after the service is back. Automated steps are in the SSM Automation document of `{}`, each timing out at its p99.\n",
        label(&e.chosen),
        e.budgets.trials,
        e.seed,
        e.files.automation
    );
    let _ = writeln!(out, "## What to expect\n");
    expectations(&mut out, e);
    let _ = writeln!(out, "## Region loss: fail over to {}\n", sc.recovery_region);
    steps_section(
        &mut out,
        e,
        Some(Disaster::RegionLoss),
        &e.budgets.recovery[Disaster::RegionLoss.index()],
    );
    for (d, title) in [
        (
            Disaster::AzLoss,
            "Availability-zone loss (in the primary region)",
        ),
        (
            Disaster::Corruption,
            "Data corruption: restore from before the damage",
        ),
        (
            Disaster::Ransomware,
            "Ransomware: rebuild clean from immutable backups",
        ),
    ] {
        if sc.disasters[d.index()].annual_rate <= 0.0 {
            continue;
        }
        let _ = writeln!(out, "## {title}\n");
        steps_section(&mut out, e, Some(d), &e.budgets.recovery[d.index()]);
    }
    let _ = writeln!(out, "## Failback to {}\n", sc.primary_region);
    if e.budgets.failback.is_empty() {
        let _ = writeln!(
            out,
            "Multi-site fails back without downtime: once {} is healthy again, Route 53 sends it its weight of the traffic (`PrimaryRecord`), and the database resynchronises before it takes writes.\n",
            sc.primary_region
        );
    } else {
        let _ = writeln!(
            out,
            "After the primary region is repaired. The downtime is everything after `resync` (the service stays up while it runs).\n"
        );
        steps_section(&mut out, e, None, &e.budgets.failback);
    }
    out
}

/// The folder's `README.md`.
pub fn readme(e: &Export<'_>) -> String {
    let sc = e.chosen.scenario;
    let (p, r) = (&sc.primary_region, &sc.recovery_region);
    let aurora = sc.database.engine.starts_with("aurora");
    let dynamodb = sc.database.managed.family() == scenarios::names::EngineFamily::DynamoDb;
    // A DynamoDB replica lives in the primary stack's global table.
    let runs_db = e.chosen.strategy != Strategy::BackupRestore && !dynamodb;
    let mut out = String::new();
    let _ = writeln!(out, "# Deployable disaster-recovery plan: {}\n", heading(e));
    let what = if e.picked {
        format!("drsim's pick ({})", e.decision)
    } else {
        match &e.pick_label {
            Some(pick) => format!(
                "the best setting of {} (asked with `--strategy`; the pick is {pick})",
                e.chosen.strategy.name()
            ),
            None => format!(
                "the best setting of {} (asked with `--strategy`; no setting meets every objective)",
                e.chosen.strategy.name()
            ),
        }
    };
    let _ = writeln!(
        out,
        "**{}** — {}: {what}. Scenario {}, seed {}, {} simulated years per setting; drsim {}.\n",
        e.chosen.strategy.name(),
        label(&e.chosen),
        e.file,
        e.seed,
        e.years,
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "Monthly DR spend: **{}** (steady state; line items below). Expected annual loss {} ± {}; total cost of risk {} per year. {}\n",
        e.setting.monthly_spend,
        e.setting.expected_annual_loss,
        e.setting.expected_annual_loss_std_error,
        e.setting.total_cost_of_risk,
        if e.setting.meets_objectives {
            "It meets every disaster type's objectives at the stated confidence."
        } else {
            "It does **not** meet every objective (see below)."
        }
    );
    let _ = writeln!(out, "## Expected RTO and RPO\n");
    expectations(&mut out, e);
    let _ = writeln!(
        out,
        "## Monthly spend by line item\n\n| line item | detail | USD |\n|---|---|---:|"
    );
    for l in &e.setting.line_items {
        let _ = writeln!(
            out,
            "| {} | {} | {}{} |",
            l.name,
            l.detail,
            l.usd,
            if l.substituted { " ~" } else { "" }
        );
    }
    let _ = writeln!(
        out,
        "\n(~ price taken from the fallback region.) The templates deploy what these lines price; the primary region's own workload is not in them.\n"
    );
    let _ = writeln!(
        out,
        "## Files\n\n\
         | file | what |\n|---|---|\n\
         | `{}` | CloudFormation for {p}: AWS Backup (KMS-encrypted vault{}, plan on the backup schedule, copies to {r}{}), the datasets' buckets with cross-region replication{} |\n\
         | `{}` | CloudFormation for {r}: the copy vault, buckets, {}fleets (Auto Scaling groups with launch templates), load balancer, Route 53 health checks and records |\n\
         | `{}` | CloudFormation for {r}: the SSM Automation runbook of the automated recovery steps, and its role |\n\
         | `runbook.md` | recovery runbooks with each step's simulated time budget, failback, RTO/RPO to expect |\n\
         | `assumptions.toml` | the scenario with this setting's knobs: `drsim simulate assumptions.toml --seed {}` reproduces the run |\n",
        e.files.primary,
        if sc.backups.immutable {
            " with a compliance-mode lock"
        } else {
            ""
        },
        if sc.backups.point_in_time {
            ", continuous backup"
        } else {
            ""
        },
        if aurora && runs_db {
            ", the Aurora global database"
        } else if dynamodb {
            ", the DynamoDB global table with its replica in the recovery region"
        } else {
            ""
        },
        e.files.recovery,
        match (runs_db, aurora) {
            (false, _) => "",
            (true, true) => "the Aurora secondary cluster, ",
            (true, false) => "the database read replica, ",
        },
        e.files.automation,
        e.seed
    );
    let _ = writeln!(
        out,
        "## Deploy\n\nPrerequisites in {r}: a VPC with public and private subnets in two or more zones, the tiers' AMIs copied to {r}, an ACM certificate for the domain; in Route 53, the hosted zone. Check the templates first (`cfn-lint *.yaml`). Then, in this order:\n"
    );
    let mut recovery_params = vec![
        "VpcId=vpc-…".to_string(),
        "PublicSubnetIds=subnet-…,subnet-…".to_string(),
        "PrivateSubnetIds=subnet-…,subnet-…".to_string(),
        "CertificateArn=arn:aws:acm:…".to_string(),
        "DomainName=app.example.com".to_string(),
        "HostedZoneId=Z…".to_string(),
        "PrimaryEndpoint=<primary load balancer DNS name>".to_string(),
    ];
    for tier in &sc.tiers {
        recovery_params.push(format!("{}ImageId=ami-…", logical(&tier.name)));
    }
    if runs_db && aurora {
        recovery_params.push("DatabaseEngineVersion=<primary's version>".to_string());
    } else if runs_db {
        recovery_params.push(format!(
            "PrimaryDatabaseArn=arn:aws:rds:{p}:<account>:db:<name>"
        ));
    }
    let db_param = if dynamodb {
        "TableName=<table> PartitionKeyName=pk PartitionKeyType=S".to_string()
    } else if aurora {
        format!("PrimaryDatabaseClusterArn=arn:aws:rds:{p}:<account>:cluster:<name>")
    } else {
        format!("PrimaryDatabaseArn=arn:aws:rds:{p}:<account>:db:<name>")
    };
    let _ = writeln!(
        out,
        "1. The recovery region first (the copy vault and the replicas' buckets must exist before the primary points at them):\n\n   ```sh\n   aws cloudformation deploy --region {r} --stack-name drsim-recovery --template-file {} \\\n     --capabilities CAPABILITY_IAM --parameter-overrides \\\n     {}\n   ```\n",
        e.files.recovery,
        recovery_params.join(" \\\n     ")
    );
    let _ = writeln!(
        out,
        "2. The primary region:\n\n   ```sh\n   aws cloudformation deploy --region {p} --stack-name drsim-primary --template-file {} \\\n     --capabilities CAPABILITY_IAM --parameter-overrides {db_param}\n   ```\n",
        e.files.primary
    );
    let mut step = 3;
    if runs_db && aurora {
        let _ = writeln!(
            out,
            "3. Aurora: the recovery stack again, now with the global database (the primary stack's `GlobalClusterIdentifier` output):\n\n   ```sh\n   aws cloudformation deploy --region {r} --stack-name drsim-recovery --template-file {} \\\n     --capabilities CAPABILITY_IAM --parameter-overrides GlobalClusterIdentifier=<output>\n   ```\n",
            e.files.recovery
        );
        step += 1;
    }
    let _ = writeln!(
        out,
        "{step}. The automation runbook:\n\n   ```sh\n   aws cloudformation deploy --region {r} --stack-name drsim-automation --template-file {} \\\n     --capabilities CAPABILITY_IAM --parameter-overrides RecoveryStackName=drsim-recovery\n   ```\n",
        e.files.automation
    );
    let _ = writeln!(
        out,
        "To recover (or in a drill), follow `runbook.md`: the recovery stack takes `Recovering=true` (fleets at full size{}), and the SSM runbook {}scales the fleets.\n",
        if matches!(
            e.chosen.strategy,
            Strategy::WarmStandby | Strategy::MultiSite
        ) {
            ""
        } else {
            ", the load balancer and the SECONDARY DNS record created"
        },
        if dynamodb {
            ""
        } else {
            "promotes the database and "
        }
    );
    let _ = writeln!(
        out,
        "## Drill\n\n\
         Run a game day ({} a year of {} each are in the plan's costs): deploy the recovery stack with `Recovering=true`, start the automation (`aws ssm start-automation-execution --region {r} --document-name <RunbookName output>`; the runbook's p99 timeouts stop a step that runs too long), time every step of `runbook.md` against its p50 and p95, then deploy again with `Recovering=false`. Feed the measured durations back into the scenario (e.g. `[strategies.{}.runbook.<step>] duration = {{ empirical = [\"…\", \"…\"] }}`) and re-plan.\n",
        sc.costs.drills_per_year,
        dur(sc.costs.drill_duration),
        e.chosen.strategy.name()
    );
    let _ = writeln!(
        out,
        "## Re-plan\n\n\
         ```sh\n\
         drsim simulate assumptions.toml --seed {s}          # the same strategies' results as this export\n\
         drsim plan assumptions.toml --seed {s}              # the sweep and the pick again (edit the file first)\n\
         drsim export assumptions.toml --out NEW --seed {s}  # a new export\n\
         ```\n",
        s = e.seed
    );
    let _ = writeln!(
        out,
        "## What the templates leave to you\n\n\
         - The primary region's workload itself (its VPC, fleets, load balancer, database): the primary template only adds backups, replicated buckets{} to it. To keep an existing bucket, import it into the primary stack instead of the new one, or copy its `ReplicationConfiguration`.\n\
         - The values drsim cannot know: VPC and subnet IDs, AMI IDs, domain name, hosted zone, certificate, the primary database's ARN{}.\n\
         - Routing between tiers: the load balancer forwards `/` to the first tier and `/<tier>/*` to each other tier; change the listener rules to match your application.\n\
         - Application configuration on the AMIs (the database endpoint after promotion, secrets in Secrets Manager), and the health-check path (`HealthCheckPath`, default `/health`).\n\
         - The CloudWatch alarm that starts the automation on a failed health check, when failover is automated.\n",
        if aurora && runs_db {
            " and the global database"
        } else if dynamodb {
            " and the global table (to keep an existing table, import it into the stack)"
        } else {
            ""
        },
        if dynamodb {
            " (here: the table's name and partition key)"
        } else if aurora {
            " and engine version"
        } else {
            ""
        }
    );
    if !e.notes.is_empty() {
        let _ = writeln!(out, "## Adjustments\n");
        for note in &e.notes {
            let mut chars = note.chars();
            let first = chars.next().map(|c| c.to_uppercase().to_string());
            let _ = writeln!(out, "- {}{}.", first.unwrap_or_default(), chars.as_str());
        }
        out.push('\n');
    }
    out
}
