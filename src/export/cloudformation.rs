//! CloudFormation templates for an exported setting: what the primary region adds (AWS Backup
//! with a cross-region copy, the replicated buckets, an Aurora global database), the recovery
//! region's stack (vault, buckets, database replica, fleets, load balancer, Route 53 health
//! checks and records), and the SSM Automation runbook of the automated recovery steps. Every
//! value drsim knows comes from the scenario and the chosen knobs; what it cannot know (VPC,
//! subnets, AMIs, domain, hosted zone, certificate, the primary database) is a parameter.
//!
//! The templates pass `cfn-lint` and `checkov --framework cloudformation` (run by `.ci/run`);
//! where a check does not apply, the resource says so in its `Metadata` with the reason.

use scenarios::model::Failover;
use scenarios::runbooks::Action;
use scenarios::{Disaster, Scenario, Strategy};

use super::yaml::{Y, get_att, if_, int, map, no_value, r#ref, s, seq, sub};
use super::{Chosen, StepBudget};

/// Route 53 accepts these health-check intervals only (seconds).
const ROUTE53_INTERVALS: [i64; 2] = [10, 30];

/// Regions whose Elastic Load Balancing account writes access logs (regions opened before
/// August 2022); newer regions use the `logdelivery.elasticloadbalancing.amazonaws.com` service
/// principal. Source: Elastic Load Balancing User Guide, "Enable access logs for your
/// Application Load Balancer".
const ELB_ACCOUNTS: [(&str, &str); 22] = [
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-northeast-1", "582318560864"),
    ("ap-northeast-2", "600734575887"),
    ("ap-northeast-3", "383597477331"),
    ("ap-south-1", "718504428378"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-north-1", "897822967062"),
    ("eu-south-1", "635631232127"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-west-3", "009996457667"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-gov-west-1", "048591011584"),
];

/// The three templates, and notes on values that had to be adjusted.
pub struct Templates {
    pub primary: Y,
    pub recovery: Y,
    pub automation: Y,
    pub notes: Vec<String>,
}

/// The AWS Backup schedule of a backup interval (seconds), or `None` when cron cannot express
/// it (AWS Backup runs at most hourly).
pub fn schedule(interval: f64) -> Option<String> {
    let seconds = interval.round() as i64;
    if (interval - seconds as f64).abs() > 1e-6 || seconds <= 0 || seconds % 3600 != 0 {
        return None;
    }
    let hours = seconds / 3600;
    match hours {
        1 => Some("cron(0 * * * ? *)".to_string()),
        h if h < 24 && 24 % h == 0 => Some(format!("cron(0 */{h} * * ? *)")),
        24 => Some("cron(0 0 * * ? *)".to_string()),
        h if h % 24 == 0 && h / 24 <= 15 => Some(format!("cron(0 0 */{} * ? *)", h / 24)),
        _ => None,
    }
}

/// Whole days, rounded up (at least 1).
pub fn days(seconds: f64) -> i64 {
    ((seconds / 86_400.0) - 1e-9).ceil().max(1.0) as i64
}

/// Instances a tier runs in the recovery region in steady state, as the plan prices them
/// (⌈fraction × count⌉), and at full scale.
pub fn fleet_sizes(chosen: &Chosen<'_>, count: u32) -> (u32, u32) {
    let config = &chosen.scenario.strategies[chosen.strategy.index()];
    let fraction = match chosen.strategy {
        Strategy::BackupRestore | Strategy::PilotLight => 0.0,
        Strategy::WarmStandby | Strategy::MultiSite => config.running_fraction,
    };
    let steady = ((fraction * f64::from(count) - 1e-9).ceil().max(0.0) as u32).min(count);
    (steady, count)
}

/// The Route 53 health-check interval nearest the scenario's (10 s or 30 s).
pub fn request_interval(seconds: f64) -> i64 {
    if seconds <= 20.0 {
        ROUTE53_INTERVALS[0]
    } else {
        ROUTE53_INTERVALS[1]
    }
}

/// Route 53's failure threshold (1 to 10).
pub fn failure_threshold(n: u32) -> i64 {
    i64::from(n.clamp(1, 10))
}

/// The DNS record TTL the simulation assumed: the typical effective client TTL, whole seconds.
pub fn ttl(scenario: &Scenario) -> i64 {
    scenario.client_ttl.typical().round().max(0.0) as i64
}

/// The class of the database running in the recovery region, if the strategy runs one.
pub fn replica_class(chosen: &Chosen<'_>) -> Option<String> {
    match chosen.strategy {
        Strategy::BackupRestore => None,
        Strategy::PilotLight => Some(
            chosen
                .knobs
                .replica
                .as_ref()
                .map(|r| r.1.clone())
                .unwrap_or_else(|| chosen.scenario.database.instance_class.clone()),
        ),
        Strategy::WarmStandby | Strategy::MultiSite => {
            Some(chosen.scenario.database.instance_class.clone())
        }
    }
}

/// A name for resources: lowercase letters, digits and dashes, at most `max` characters.
pub fn slug(name: &str, max: usize) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.chars().take(max).collect();
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() || !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "dr");
    }
    out
}

/// A CloudFormation logical ID from a name: alphanumeric, CamelCase.
pub fn logical(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn is_aurora(scenario: &Scenario) -> bool {
    scenario.database.engine.starts_with("aurora")
}

fn is_dynamodb(scenario: &Scenario) -> bool {
    scenario.database.managed.family() == scenarios::names::EngineFamily::DynamoDb
}

/// The workload's DynamoDB global table, replicated to the recovery region for every strategy
/// (docs/model.md §4.1): on-demand capacity, streams (MREC replication needs them), KMS
/// encryption with each region's key, deletion protection, point-in-time recovery when the
/// setting has continuous backup.
fn dynamodb_table(chosen: &Chosen<'_>, base: &str) -> Res {
    let sc = chosen.scenario;
    let b = &sc.backups;
    let replica = |region: &str, key: Y| {
        let mut pitr = map([("PointInTimeRecoveryEnabled", Y::Bool(b.point_in_time))]);
        if b.point_in_time {
            pitr.set(
                "RecoveryPeriodInDays",
                int(days(b.continuous.window).clamp(1, 35)),
            );
        }
        map([
            ("Region", s(region)),
            ("DeletionProtectionEnabled", Y::Bool(true)),
            ("PointInTimeRecoverySpecification", pitr),
            ("SSESpecification", map([("KMSMasterKeyId", key)])),
            ("Tags", tags("drsim table")),
        ])
    };
    let table = res(
        "GlobalTable",
        "AWS::DynamoDB::GlobalTable",
        map([
            ("TableName", r#ref("TableName")),
            ("BillingMode", s("PAY_PER_REQUEST")),
            (
                "AttributeDefinitions",
                seq([map([
                    ("AttributeName", r#ref("PartitionKeyName")),
                    ("AttributeType", r#ref("PartitionKeyType")),
                ])]),
            ),
            (
                "KeySchema",
                seq([map([
                    ("AttributeName", r#ref("PartitionKeyName")),
                    ("KeyType", s("HASH")),
                ])]),
            ),
            (
                "StreamSpecification",
                map([("StreamViewType", s("NEW_AND_OLD_IMAGES"))]),
            ),
            (
                "SSESpecification",
                map([("SSEEnabled", Y::Bool(true)), ("SSEType", s("KMS"))]),
            ),
            (
                "Replicas",
                seq([
                    replica(&sc.primary_region, get_att("BackupKey", "Arn")),
                    replica(&sc.recovery_region, s(format!("alias/{base}-recovery"))),
                ]),
            ),
        ]),
    )
    .retain();
    if b.point_in_time {
        table
    } else {
        table.with(
            "Metadata",
            skips(&[(
                "CKV_AWS_165",
                "This setting has no continuous backup (as priced); the periodic AWS Backup plan protects the table.",
            )]),
        )
    }
}

fn is_postgres(scenario: &Scenario) -> bool {
    scenario.database.engine.ends_with("postgresql")
}

fn db_port(scenario: &Scenario) -> i64 {
    if is_postgres(scenario) { 5432 } else { 3306 }
}

fn log_exports(scenario: &Scenario) -> Y {
    if is_postgres(scenario) {
        seq([s("postgresql")])
    } else {
        seq([s("error"), s("general"), s("slowquery")])
    }
}

fn engine_name(scenario: &Scenario) -> &'static str {
    match scenario.database.engine.as_str() {
        "aurora-mysql" => "aurora-mysql",
        "aurora-postgresql" => "aurora-postgresql",
        "rds-postgresql" => "postgres",
        _ => "mysql",
    }
}

/// Whether the recovery region keeps the load balancer running in steady state (the plan
/// prices it for warm standby and multi-site); otherwise it comes with `Recovering=true`.
fn steady_front_door(strategy: Strategy) -> bool {
    matches!(strategy, Strategy::WarmStandby | Strategy::MultiSite)
}

/// Whether the recovery site has its own Route 53 health check (the plan prices a second one
/// for automated failover in warm standby and multi-site).
fn recovery_health_check(chosen: &Chosen<'_>) -> bool {
    steady_front_door(chosen.strategy)
        && chosen.scenario.strategies[chosen.strategy.index()].failover == Failover::Automated
}

fn replicated<'a>(chosen: &Chosen<'a>) -> Vec<&'a scenarios::model::Dataset> {
    if chosen.strategy == Strategy::BackupRestore {
        return Vec::new();
    }
    chosen
        .scenario
        .data
        .iter()
        .filter(|d| d.replication != "none")
        .collect()
}

/// `Metadata` skipping checkov checks on one resource, each with its reason.
fn skips(checks: &[(&str, &str)]) -> Y {
    map([(
        "checkov",
        map([(
            "skip",
            seq(checks
                .iter()
                .map(|(id, why)| map([("id", s(*id)), ("comment", s(*why))]))),
        )]),
    )])
}

struct Res {
    id: String,
    kind: &'static str,
    props: Y,
    extra: Vec<(&'static str, Y)>,
}

fn res(id: impl Into<String>, kind: &'static str, props: Y) -> Res {
    Res {
        id: id.into(),
        kind,
        props,
        extra: Vec::new(),
    }
}

impl Res {
    fn with(mut self, key: &'static str, value: Y) -> Res {
        self.extra.push((key, value));
        self
    }

    fn retain(self) -> Res {
        self.with("DeletionPolicy", s("Retain"))
            .with("UpdateReplacePolicy", s("Retain"))
    }

    fn node(self) -> (String, Y) {
        let mut pairs = vec![("Type".to_string(), s(self.kind))];
        for (k, v) in self.extra {
            pairs.push((k.to_string(), v));
        }
        pairs.push(("Properties".to_string(), self.props));
        (self.id, Y::Map(pairs))
    }
}

fn tags(name: &str) -> Y {
    seq([
        map([("Key", s("Name")), ("Value", s(name))]),
        map([("Key", s("drsim")), ("Value", s("export"))]),
    ])
}

fn param(kind: &str, description: &str) -> Y {
    map([("Type", s(kind)), ("Description", s(description))])
}

fn kms_key(id: &str, description: &str) -> Res {
    res(
        id,
        "AWS::KMS::Key",
        map([
            ("Description", s(description)),
            ("EnableKeyRotation", Y::Bool(true)),
            ("PendingWindowInDays", int(30)),
            (
                "KeyPolicy",
                map([
                    ("Version", s("2012-10-17")),
                    (
                        "Statement",
                        seq([
                            map([
                                ("Sid", s("AccountAdministers")),
                                ("Effect", s("Allow")),
                                (
                                    "Principal",
                                    map([(
                                        "AWS",
                                        sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"),
                                    )]),
                                ),
                                ("Action", s("kms:*")),
                                ("Resource", s("*")),
                            ]),
                            map([
                                ("Sid", s("ServicesInThisAccountUseIt")),
                                ("Effect", s("Allow")),
                                (
                                    "Principal",
                                    map([(
                                        "Service",
                                        seq([
                                            s("logs.amazonaws.com"),
                                            s("s3.amazonaws.com"),
                                            s("backup.amazonaws.com"),
                                        ]),
                                    )]),
                                ),
                                (
                                    "Action",
                                    seq([
                                        s("kms:Encrypt"),
                                        s("kms:Decrypt"),
                                        s("kms:ReEncrypt*"),
                                        s("kms:GenerateDataKey*"),
                                        s("kms:DescribeKey"),
                                    ]),
                                ),
                                ("Resource", s("*")),
                                (
                                    "Condition",
                                    map([(
                                        "StringEquals",
                                        map([("aws:SourceAccount", r#ref("AWS::AccountId"))]),
                                    )]),
                                ),
                            ]),
                        ]),
                    ),
                ]),
            ),
            ("Tags", tags(description)),
        ]),
    )
    .retain()
}

fn vault(id: &str, name: &str, key: &str, chosen: &Chosen<'_>) -> Res {
    let b = &chosen.scenario.backups;
    let mut props = map([
        ("BackupVaultName", s(name)),
        ("EncryptionKeyArn", get_att(key, "Arn")),
    ]);
    if b.immutable {
        // Compliance-mode vault lock after the 3-day grace period: nobody, root included, can
        // delete recovery points before their retention ends (ransomware).
        props.set(
            "LockConfiguration",
            map([
                ("MinRetentionDays", int(days(b.retention))),
                ("ChangeableForDays", int(3)),
            ]),
        );
    }
    res(id, "AWS::Backup::BackupVault", props).retain()
}

fn deny_insecure(bucket: &str) -> Y {
    map([
        ("Sid", s("DenyInsecureTransport")),
        ("Effect", s("Deny")),
        ("Principal", s("*")),
        ("Action", s("s3:*")),
        (
            "Resource",
            seq([get_att(bucket, "Arn"), sub(&format!("${{{bucket}.Arn}}/*"))]),
        ),
        (
            "Condition",
            map([("Bool", map([("aws:SecureTransport", s("false"))]))]),
        ),
    ])
}

fn public_access_block() -> Y {
    map([
        ("BlockPublicAcls", Y::Bool(true)),
        ("BlockPublicPolicy", Y::Bool(true)),
        ("IgnorePublicAcls", Y::Bool(true)),
        ("RestrictPublicBuckets", Y::Bool(true)),
    ])
}

/// The log bucket of a region: S3 server access logs and the load balancer's access logs.
fn log_bucket(out: &mut Vec<Res>, region: &str) {
    out.push(
        res(
            "LogBucket",
            "AWS::S3::Bucket",
            map([
                (
                    "BucketEncryption",
                    map([(
                        "ServerSideEncryptionConfiguration",
                        seq([map([(
                            "ServerSideEncryptionByDefault",
                            map([("SSEAlgorithm", s("AES256"))]),
                        )])]),
                    )]),
                ),
                ("PublicAccessBlockConfiguration", public_access_block()),
                ("VersioningConfiguration", map([("Status", s("Enabled"))])),
                (
                    "OwnershipControls",
                    map([(
                        "Rules",
                        seq([map([("ObjectOwnership", s("BucketOwnerEnforced"))])]),
                    )]),
                ),
                (
                    "LifecycleConfiguration",
                    map([(
                        "Rules",
                        seq([map([
                            ("Id", s("expire-logs")),
                            ("Status", s("Enabled")),
                            ("ExpirationInDays", int(365)),
                            (
                                "NoncurrentVersionExpiration",
                                map([("NoncurrentDays", int(30))]),
                            ),
                        ])]),
                    )]),
                ),
                ("Tags", tags("drsim access logs")),
            ]),
        )
        .retain()
        .with(
            "Metadata",
            skips(&[(
                "CKV_AWS_18",
                "This is the access-log bucket; logging it into itself would loop.",
            )]),
        ),
    );
    let elb_principal = match ELB_ACCOUNTS.iter().find(|(r, _)| *r == region) {
        Some((_, account)) => map([(
            "AWS",
            sub(&format!("arn:${{AWS::Partition}}:iam::{account}:root")),
        )]),
        None => map([(
            "Service",
            s("logdelivery.elasticloadbalancing.amazonaws.com"),
        )]),
    };
    out.push(res(
        "LogBucketPolicy",
        "AWS::S3::BucketPolicy",
        map([
            ("Bucket", r#ref("LogBucket")),
            (
                "PolicyDocument",
                map([
                    ("Version", s("2012-10-17")),
                    (
                        "Statement",
                        seq([
                            deny_insecure("LogBucket"),
                            map([
                                ("Sid", s("S3ServerAccessLogs")),
                                ("Effect", s("Allow")),
                                (
                                    "Principal",
                                    map([("Service", s("logging.s3.amazonaws.com"))]),
                                ),
                                ("Action", s("s3:PutObject")),
                                ("Resource", sub("${LogBucket.Arn}/s3/*")),
                                (
                                    "Condition",
                                    map([(
                                        "StringEquals",
                                        map([("aws:SourceAccount", r#ref("AWS::AccountId"))]),
                                    )]),
                                ),
                            ]),
                            map([
                                ("Sid", s("LoadBalancerAccessLogs")),
                                ("Effect", s("Allow")),
                                ("Principal", elb_principal),
                                ("Action", s("s3:PutObject")),
                                (
                                    "Resource",
                                    sub("${LogBucket.Arn}/alb/AWSLogs/${AWS::AccountId}/*"),
                                ),
                            ]),
                        ]),
                    ),
                ]),
            ),
        ]),
    ));
}

/// A versioned, KMS-encrypted, private bucket logging to `LogBucket`.
fn data_bucket(id: &str, name: Y, key: &str, replication: Option<Y>) -> Res {
    let mut props = map([
        ("BucketName", name),
        (
            "BucketEncryption",
            map([(
                "ServerSideEncryptionConfiguration",
                seq([map([
                    (
                        "ServerSideEncryptionByDefault",
                        map([
                            ("SSEAlgorithm", s("aws:kms")),
                            ("KMSMasterKeyID", get_att(key, "Arn")),
                        ]),
                    ),
                    ("BucketKeyEnabled", Y::Bool(true)),
                ])]),
            )]),
        ),
        ("PublicAccessBlockConfiguration", public_access_block()),
        ("VersioningConfiguration", map([("Status", s("Enabled"))])),
        (
            "OwnershipControls",
            map([(
                "Rules",
                seq([map([("ObjectOwnership", s("BucketOwnerEnforced"))])]),
            )]),
        ),
        (
            "LoggingConfiguration",
            map([
                ("DestinationBucketName", r#ref("LogBucket")),
                ("LogFilePrefix", s(format!("s3/{id}/"))),
            ]),
        ),
    ]);
    if let Some(replication) = replication {
        props.set("ReplicationConfiguration", replication);
    }
    props.set("Tags", tags(id));
    res(id, "AWS::S3::Bucket", props).retain()
}

fn bucket_policy(id: &str, bucket: &str) -> Res {
    res(
        id,
        "AWS::S3::BucketPolicy",
        map([
            ("Bucket", r#ref(bucket)),
            (
                "PolicyDocument",
                map([
                    ("Version", s("2012-10-17")),
                    ("Statement", seq([deny_insecure(bucket)])),
                ]),
            ),
        ]),
    )
}

/// The name of a dataset's bucket in a region (the account ID keeps it globally unique).
fn bucket_name(base: &str, dataset: &str, region: &str) -> String {
    format!("{base}-{}-${{AWS::AccountId}}-{region}", slug(dataset, 12))
}

fn template(
    description: String,
    parameters: Vec<(String, Y)>,
    conditions: Vec<(String, Y)>,
    resources: Vec<Res>,
    outputs: Vec<(String, Y)>,
) -> Y {
    let mut doc = map([
        ("AWSTemplateFormatVersion", s("2010-09-09")),
        ("Description", s(description)),
    ]);
    if !parameters.is_empty() {
        doc.set("Parameters", Y::Map(parameters));
    }
    if !conditions.is_empty() {
        doc.set("Conditions", Y::Map(conditions));
    }
    doc.set(
        "Resources",
        Y::Map(resources.into_iter().map(Res::node).collect()),
    );
    if !outputs.is_empty() {
        doc.set("Outputs", Y::Map(outputs));
    }
    doc
}

fn output(value: Y, description: &str, export: Option<&str>) -> Y {
    let mut o = map([("Description", s(description)), ("Value", value)]);
    if let Some(name) = export {
        o.set(
            "Export",
            map([("Name", sub(&format!("${{AWS::StackName}}-{name}")))]),
        );
    }
    o
}

/// The parameters of a DynamoDB global table drsim cannot know.
fn dynamodb_parameters() -> Vec<(String, Y)> {
    vec![
        (
            "TableName".to_string(),
            param("String", "Name of the workload's global table"),
        ),
        (
            "PartitionKeyName".to_string(),
            map([
                ("Type", s("String")),
                ("Default", s("pk")),
                ("Description", s("Partition key attribute of the table")),
            ]),
        ),
        (
            "PartitionKeyType".to_string(),
            map([
                ("Type", s("String")),
                ("Default", s("S")),
                ("AllowedValues", seq([s("S"), s("N"), s("B")])),
                ("Description", s("Partition key type: S, N or B")),
            ]),
        ),
    ]
}

/// The primary region's additions.
fn primary(chosen: &Chosen<'_>, base: &str, notes: &mut Vec<String>) -> Result<Y, String> {
    let sc = chosen.scenario;
    let (p, r) = (&sc.primary_region, &sc.recovery_region);
    let b = &sc.backups;
    let cron = schedule(b.interval).ok_or_else(|| {
        format!(
            "backups.interval: AWS Backup cannot run every {} (it takes whole hours dividing a day, or whole days up to 15)",
            scenarios::units::format_duration(b.interval)
        )
    })?;
    let mut parameters = Vec::new();
    let mut resources = Vec::new();
    let aurora = is_aurora(sc);
    let dynamodb = is_dynamodb(sc);
    let db_param = if aurora {
        "PrimaryDatabaseClusterArn"
    } else {
        "PrimaryDatabaseArn"
    };
    if dynamodb {
        parameters.extend(dynamodb_parameters());
    } else {
        parameters.push((
            db_param.to_string(),
            param(
                "String",
                if aurora {
                    "ARN of the primary Aurora cluster (arn:aws:rds:REGION:ACCOUNT:cluster:NAME): backed up, and the source of the global database"
                } else {
                    "ARN of the primary RDS instance (arn:aws:rds:REGION:ACCOUNT:db:NAME): backed up, and the source of the recovery region's read replica"
                },
            ),
        ));
    }
    resources.push(kms_key(
        "BackupKey",
        "drsim backups and data, primary region",
    ));
    resources.push(vault(
        "BackupVault",
        &format!("{base}-primary"),
        "BackupKey",
        chosen,
    ));
    log_bucket(&mut resources, p);
    let copy_vault = format!(
        "arn:${{AWS::Partition}}:backup:{r}:${{AWS::AccountId}}:backup-vault:{base}-recovery"
    );
    // The datasets' backup tier: an archive tier is AWS Backup's cold storage, which keeps a
    // recovery point at least 90 days after the move.
    let archive = sc.data.iter().find(|d| {
        d.storage.starts_with("glacier-flexible") || d.storage.starts_with("deep-archive")
    });
    let keep = days(b.retention);
    let mut lifecycle = map([("DeleteAfterDays", int(keep))]);
    if let Some(data) = archive {
        if keep >= 91 {
            lifecycle = map([
                ("MoveToColdStorageAfterDays", int(1)),
                ("DeleteAfterDays", int(keep)),
                ("OptInToArchiveForSupportedResources", Y::Bool(true)),
            ]);
        } else {
            notes.push(format!(
                "the datasets' backups are priced in {}, but AWS Backup keeps a recovery point in cold storage for at least 90 days: with backups.retention {} they stay in warm storage (a retention of 91 days or more moves them after a day)",
                data.storage,
                scenarios::units::format_exact(b.retention, scenarios::units::Kind::Duration)
            ));
        }
    }
    let mut rules = vec![map([
        ("RuleName", s("periodic")),
        ("TargetBackupVault", r#ref("BackupVault")),
        ("ScheduleExpression", s(cron)),
        ("StartWindowMinutes", int(60)),
        (
            "CompletionWindowMinutes",
            int(days(b.interval).max(1) * 24 * 60),
        ),
        ("Lifecycle", lifecycle.clone()),
        (
            "CopyActions",
            seq([map([
                ("DestinationBackupVaultArn", sub(&copy_vault)),
                ("Lifecycle", lifecycle),
            ])]),
        ),
    ])];
    if b.point_in_time {
        // Continuous backup keeps its own window (1–35 days) and is not copied across regions.
        rules.push(map([
            ("RuleName", s("continuous")),
            ("TargetBackupVault", r#ref("BackupVault")),
            ("ScheduleExpression", s("cron(0 5 * * ? *)")),
            ("EnableContinuousBackup", Y::Bool(true)),
            (
                "Lifecycle",
                map([(
                    "DeleteAfterDays",
                    int(days(b.continuous.window).clamp(1, 35)),
                )]),
            ),
        ]));
    }
    resources.push(res(
        "BackupPlan",
        "AWS::Backup::BackupPlan",
        map([(
            "BackupPlan",
            map([
                ("BackupPlanName", s(format!("{base}-dr"))),
                ("BackupPlanRule", Y::Seq(rules)),
            ]),
        )]),
    ));
    resources.push(res(
        "BackupRole",
        "AWS::IAM::Role",
        map([
            (
                "AssumeRolePolicyDocument",
                assume("backup.amazonaws.com"),
            ),
            (
                "ManagedPolicyArns",
                seq([
                    sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"),
                    sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"),
                    sub("arn:${AWS::Partition}:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup"),
                    sub("arn:${AWS::Partition}:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore"),
                ]),
            ),
        ]),
    ));
    let mut selected = vec![if dynamodb {
        get_att("GlobalTable", "Arn")
    } else {
        r#ref(db_param)
    }];
    let replicate = replicated(chosen);
    for data in &sc.data {
        let id = format!("{}Bucket", logical(&data.name));
        let replication = replicate.iter().find(|d| d.name == data.name).map(|d| {
            let mut destination = map([
                (
                    "Bucket",
                    sub(&format!(
                        "arn:${{AWS::Partition}}:s3:::{}",
                        bucket_name(base, &d.name, r)
                    )),
                ),
                (
                    "EncryptionConfiguration",
                    map([(
                        "ReplicaKmsKeyID",
                        sub(&format!(
                            "arn:${{AWS::Partition}}:kms:{r}:${{AWS::AccountId}}:alias/{base}-recovery"
                        )),
                    )]),
                ),
            ]);
            if d.replication == "crr-rtc" {
                destination.set(
                    "ReplicationTime",
                    map([
                        ("Status", s("Enabled")),
                        ("Time", map([("Minutes", int(15))])),
                    ]),
                );
                destination.set(
                    "Metrics",
                    map([
                        ("Status", s("Enabled")),
                        ("EventThreshold", map([("Minutes", int(15))])),
                    ]),
                );
            }
            map([
                ("Role", get_att("ReplicationRole", "Arn")),
                (
                    "Rules",
                    seq([map([
                        ("Id", s(format!("to-{r}"))),
                        ("Status", s("Enabled")),
                        ("Priority", int(1)),
                        ("Filter", map([("Prefix", s(""))])),
                        (
                            "DeleteMarkerReplication",
                            map([("Status", s("Disabled"))]),
                        ),
                        (
                            "SourceSelectionCriteria",
                            map([(
                                "SseKmsEncryptedObjects",
                                map([("Status", s("Enabled"))]),
                            )]),
                        ),
                        ("Destination", destination),
                    ])]),
                ),
            ])
        });
        resources.push(data_bucket(
            &id,
            sub(&bucket_name(base, &data.name, p)),
            "BackupKey",
            replication,
        ));
        resources.push(bucket_policy(&format!("{id}Policy"), &id));
        selected.push(get_att(&id, "Arn"));
    }
    resources.push(res(
        "BackupSelection",
        "AWS::Backup::BackupSelection",
        map([
            ("BackupPlanId", r#ref("BackupPlan")),
            (
                "BackupSelection",
                map([
                    ("SelectionName", s("database-and-data")),
                    ("IamRoleArn", get_att("BackupRole", "Arn")),
                    ("Resources", Y::Seq(selected)),
                ]),
            ),
        ]),
    ));
    if !replicate.is_empty() {
        // ARNs from the names: GetAtt on the buckets would make a cycle (they name the role).
        let arns = |profile, suffix: &str| -> Vec<Y> {
            replicate
                .iter()
                .map(|d| {
                    sub(&format!(
                        "arn:${{AWS::Partition}}:s3:::{}{suffix}",
                        bucket_name(base, &d.name, profile)
                    ))
                })
                .collect()
        };
        let (sources, source_objects, destinations) = (arns(p, ""), arns(p, "/*"), arns(r, "/*"));
        resources.push(res(
            "ReplicationRole",
            "AWS::IAM::Role",
            map([
                ("AssumeRolePolicyDocument", assume("s3.amazonaws.com")),
                (
                    "Policies",
                    seq([map([
                        ("PolicyName", s("s3-replication")),
                        (
                            "PolicyDocument",
                            map([
                                ("Version", s("2012-10-17")),
                                (
                                    "Statement",
                                    seq([
                                        allow(
                                            &["s3:GetReplicationConfiguration", "s3:ListBucket"],
                                            Y::Seq(sources),
                                        ),
                                        allow(
                                            &[
                                                "s3:GetObjectVersionForReplication",
                                                "s3:GetObjectVersionAcl",
                                                "s3:GetObjectVersionTagging",
                                            ],
                                            Y::Seq(source_objects),
                                        ),
                                        allow(
                                            &[
                                                "s3:ReplicateObject",
                                                "s3:ReplicateDelete",
                                                "s3:ReplicateTags",
                                            ],
                                            Y::Seq(destinations),
                                        ),
                                        allow(&["kms:Decrypt"], seq([get_att("BackupKey", "Arn")])),
                                        allow(
                                            &["kms:Encrypt", "kms:GenerateDataKey"],
                                            seq([sub(&format!(
                                                "arn:${{AWS::Partition}}:kms:{r}:${{AWS::AccountId}}:key/*"
                                            ))]),
                                        ),
                                    ]),
                                ),
                            ]),
                        ),
                    ])]),
                ),
            ]),
        ));
    }
    if dynamodb {
        resources.push(dynamodb_table(chosen, base));
    }
    if aurora && chosen.strategy != Strategy::BackupRestore {
        resources.push(
            res(
                "GlobalCluster",
                "AWS::RDS::GlobalCluster",
                map([
                    ("GlobalClusterIdentifier", s(format!("{base}-global"))),
                    ("SourceDBClusterIdentifier", r#ref(db_param)),
                    ("DeletionProtection", Y::Bool(true)),
                ]),
            )
            .retain(),
        );
    }
    let mut outputs = vec![(
        "BackupVaultName".to_string(),
        output(r#ref("BackupVault"), "Primary backup vault", None),
    )];
    if dynamodb {
        outputs.push((
            "TableName".to_string(),
            output(
                r#ref("GlobalTable"),
                "The global table, active in both regions",
                None,
            ),
        ));
    }
    if aurora && chosen.strategy != Strategy::BackupRestore {
        outputs.push((
            "GlobalClusterIdentifier".to_string(),
            output(
                r#ref("GlobalCluster"),
                "Pass to the recovery stack as GlobalClusterIdentifier",
                None,
            ),
        ));
    }
    Ok(template(
        format!(
            "drsim export: what {p} adds for {} ({}) - AWS Backup every {} with copies to {r}, replicated buckets{}",
            chosen.strategy.name(),
            sc.name,
            scenarios::units::format_duration(b.interval),
            if aurora && chosen.strategy != Strategy::BackupRestore {
                ", Aurora global database"
            } else if dynamodb {
                ", DynamoDB global table"
            } else {
                ""
            }
        ),
        parameters,
        Vec::new(),
        resources,
        outputs,
    ))
}

fn assume(service: &str) -> Y {
    map([
        ("Version", s("2012-10-17")),
        (
            "Statement",
            seq([map([
                ("Effect", s("Allow")),
                ("Principal", map([("Service", s(service))])),
                ("Action", s("sts:AssumeRole")),
            ])]),
        ),
    ])
}

fn allow(actions: &[&str], resources: Y) -> Y {
    map([
        ("Effect", s("Allow")),
        ("Action", seq(actions.iter().map(|a| s(*a)))),
        ("Resource", resources),
    ])
}

/// A value that is `steady` in steady state and `full` while `Recovering` is true.
fn steady_or_full(steady: u32, full: u32) -> Y {
    if steady == full {
        s(full.to_string())
    } else {
        if_("Recovering", s(full.to_string()), s(steady.to_string()))
    }
}

/// The recovery region's stack.
fn recovery(chosen: &Chosen<'_>, base: &str) -> (Y, Vec<String>) {
    let sc = chosen.scenario;
    let config = &sc.strategies[chosen.strategy.index()];
    let (p, r) = (&sc.primary_region, &sc.recovery_region);
    let mut notes = Vec::new();
    let aurora = is_aurora(sc);
    let front_steady = steady_front_door(chosen.strategy);
    let mut parameters: Vec<(String, Y)> = vec![
        (
            "Recovering".to_string(),
            map([
                ("Type", s("String")),
                ("AllowedValues", seq([s("false"), s("true")])),
                ("Default", s("false")),
                (
                    "Description",
                    s(
                        "true during a recovery (or a drill): full-size fleets, and the load balancer and DNS record of the recovery site where they do not run in steady state",
                    ),
                ),
            ]),
        ),
        (
            "VpcId".to_string(),
            param("AWS::EC2::VPC::Id", "VPC of the recovery region"),
        ),
        (
            "PublicSubnetIds".to_string(),
            param(
                "List<AWS::EC2::Subnet::Id>",
                "Public subnets (two or more zones) for the load balancer",
            ),
        ),
        (
            "PrivateSubnetIds".to_string(),
            param(
                "List<AWS::EC2::Subnet::Id>",
                "Private subnets (two or more zones) for the fleets and the database",
            ),
        ),
        (
            "CertificateArn".to_string(),
            param(
                "String",
                "ACM certificate of DomainName in the recovery region, for the HTTPS listener",
            ),
        ),
        (
            "DomainName".to_string(),
            param(
                "String",
                "Name clients use (e.g. app.example.com; not the zone apex: the records are CNAMEs with a TTL)",
            ),
        ),
        (
            "HostedZoneId".to_string(),
            param(
                "AWS::Route53::HostedZone::Id",
                "Route 53 hosted zone of DomainName",
            ),
        ),
        (
            "PrimaryEndpoint".to_string(),
            param(
                "String",
                "DNS name of the primary region's load balancer (health-checked over HTTPS)",
            ),
        ),
        (
            "HealthCheckPath".to_string(),
            map([
                ("Type", s("String")),
                ("Default", s("/health")),
                (
                    "Description",
                    s("Path the health checks request on every site"),
                ),
            ]),
        ),
        (
            "RootDeviceName".to_string(),
            map([
                ("Type", s("String")),
                ("Default", s("/dev/xvda")),
                (
                    "Description",
                    s("Root device of the AMIs (encrypted with the stack's key)"),
                ),
            ]),
        ),
    ];
    for tier in &sc.tiers {
        parameters.push((
            format!("{}ImageId", logical(&tier.name)),
            param(
                "AWS::EC2::Image::Id",
                &format!("AMI of the {} tier, copied to {r}", tier.name),
            ),
        ));
    }
    // A DynamoDB replica lives in the primary stack's global table.
    let runs_db = chosen.strategy != Strategy::BackupRestore && !is_dynamodb(sc);
    if runs_db && aurora {
        parameters.push((
            "GlobalClusterIdentifier".to_string(),
            map([
                ("Type", s("String")),
                ("Default", s("")),
                ("Description", s("The primary stack's GlobalClusterIdentifier output; empty on the first deploy (before the primary stack)")),
            ]),
        ));
        parameters.push((
            "DatabaseEngineVersion".to_string(),
            param(
                "String",
                "Engine version of the primary Aurora cluster (the secondary must match)",
            ),
        ));
    } else if runs_db {
        parameters.push((
            "PrimaryDatabaseArn".to_string(),
            param("String", "ARN of the primary RDS instance (arn:aws:rds:REGION:ACCOUNT:db:NAME), source of the read replica"),
        ));
    }
    let mut conditions = vec![(
        "Recovering".to_string(),
        map([("Fn::Equals", seq([r#ref("Recovering"), s("true")]))]),
    )];
    if runs_db && aurora {
        conditions.push((
            "HasGlobalCluster".to_string(),
            map([(
                "Fn::Not",
                seq([map([(
                    "Fn::Equals",
                    seq([r#ref("GlobalClusterIdentifier"), s("")]),
                )])]),
            )]),
        ));
    }
    let front = |res: Res| {
        if front_steady {
            res
        } else {
            res.with("Condition", s("Recovering"))
        }
    };
    let mut resources = Vec::new();
    resources.push(kms_key(
        "DataKey",
        "drsim backups, data, volumes and database, recovery region",
    ));
    resources.push(res(
        "DataKeyAlias",
        "AWS::KMS::Alias",
        map([
            ("AliasName", s(format!("alias/{base}-recovery"))),
            ("TargetKeyId", r#ref("DataKey")),
        ]),
    ));
    resources.push(vault(
        "BackupVault",
        &format!("{base}-recovery"),
        "DataKey",
        chosen,
    ));
    log_bucket(&mut resources, r);
    for data in &sc.data {
        let id = format!("{}Bucket", logical(&data.name));
        resources.push(data_bucket(
            &id,
            sub(&bucket_name(base, &data.name, r)),
            "DataKey",
            None,
        ));
        resources.push(bucket_policy(&format!("{id}Policy"), &id));
    }
    // Network access.
    resources.push(res(
        "LoadBalancerSecurityGroup",
        "AWS::EC2::SecurityGroup",
        map([
            (
                "GroupDescription",
                s("drsim recovery load balancer: HTTPS from clients"),
            ),
            ("VpcId", r#ref("VpcId")),
            (
                "SecurityGroupIngress",
                seq([map([
                    ("Description", s("HTTPS from clients")),
                    ("IpProtocol", s("tcp")),
                    ("FromPort", int(443)),
                    ("ToPort", int(443)),
                    ("CidrIp", s("0.0.0.0/0")),
                ])]),
            ),
            ("Tags", tags("drsim load balancer")),
        ]),
    ));
    resources.push(res(
        "InstanceSecurityGroup",
        "AWS::EC2::SecurityGroup",
        map([
            (
                "GroupDescription",
                s("drsim recovery fleets: HTTP from the load balancer"),
            ),
            ("VpcId", r#ref("VpcId")),
            (
                "SecurityGroupIngress",
                seq([map([
                    ("Description", s("HTTP from the load balancer")),
                    ("IpProtocol", s("tcp")),
                    ("FromPort", int(80)),
                    ("ToPort", int(80)),
                    ("SourceSecurityGroupId", r#ref("LoadBalancerSecurityGroup")),
                ])]),
            ),
            ("Tags", tags("drsim fleets")),
        ]),
    ));
    resources.push(res(
        "LoadBalancerToInstances",
        "AWS::EC2::SecurityGroupEgress",
        map([
            ("Description", s("HTTP to the fleets")),
            ("GroupId", r#ref("LoadBalancerSecurityGroup")),
            ("IpProtocol", s("tcp")),
            ("FromPort", int(80)),
            ("ToPort", int(80)),
            ("DestinationSecurityGroupId", r#ref("InstanceSecurityGroup")),
        ]),
    ));
    // Fleets.
    resources.push(res(
        "InstanceRole",
        "AWS::IAM::Role",
        map([
            ("AssumeRolePolicyDocument", assume("ec2.amazonaws.com")),
            (
                "ManagedPolicyArns",
                seq([sub(
                    "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore",
                )]),
            ),
        ]),
    ));
    resources.push(res(
        "InstanceProfile",
        "AWS::IAM::InstanceProfile",
        map([("Roles", seq([r#ref("InstanceRole")]))]),
    ));
    resources.push(front(
        res(
            "LoadBalancer",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            map([
                ("Type", s("application")),
                ("Scheme", s("internet-facing")),
                ("Subnets", r#ref("PublicSubnetIds")),
                ("SecurityGroups", seq([r#ref("LoadBalancerSecurityGroup")])),
                (
                    "LoadBalancerAttributes",
                    seq([
                        attr("deletion_protection.enabled", "true"),
                        attr("routing.http.drop_invalid_header_fields.enabled", "true"),
                        attr("access_logs.s3.enabled", "true"),
                        map([
                            ("Key", s("access_logs.s3.bucket")),
                            ("Value", r#ref("LogBucket")),
                        ]),
                        attr("access_logs.s3.prefix", "alb"),
                    ]),
                ),
                ("Tags", tags("drsim recovery load balancer")),
            ]),
        )
        .with("DependsOn", seq([s("LogBucketPolicy")])),
    ));
    let first = sc
        .tiers
        .first()
        .map(|t| logical(&t.name))
        .unwrap_or_default();
    resources.push(front(res(
        "HttpsListener",
        "AWS::ElasticLoadBalancingV2::Listener",
        map([
            ("LoadBalancerArn", r#ref("LoadBalancer")),
            ("Port", int(443)),
            ("Protocol", s("HTTPS")),
            ("SslPolicy", s("ELBSecurityPolicy-TLS13-1-2-2021-06")),
            (
                "Certificates",
                seq([map([("CertificateArn", r#ref("CertificateArn"))])]),
            ),
            (
                "DefaultActions",
                seq([map([
                    ("Type", s("forward")),
                    ("TargetGroupArn", r#ref(&format!("{first}TargetGroup"))),
                ])]),
            ),
        ]),
    )));
    for (i, tier) in sc.tiers.iter().enumerate() {
        let t = logical(&tier.name);
        let (steady, full) = fleet_sizes(chosen, tier.count);
        // The ALB's check: healthy after the tier's health-check phase (scenario
        // `tiers.<name>.health-check`), polled every 30 s.
        let healthy = ((tier.phases[3].typical() / 30.0).round() as i64).clamp(2, 10);
        resources.push(front(res(
            format!("{t}TargetGroup"),
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            map([
                ("VpcId", r#ref("VpcId")),
                ("Port", int(80)),
                ("Protocol", s("HTTP")),
                ("TargetType", s("instance")),
                ("HealthCheckEnabled", Y::Bool(true)),
                ("HealthCheckPath", r#ref("HealthCheckPath")),
                ("HealthCheckIntervalSeconds", int(30)),
                ("HealthyThresholdCount", int(healthy)),
                ("UnhealthyThresholdCount", int(2)),
                ("Tags", tags(&format!("drsim {}", tier.name))),
            ]),
        )));
        if i > 0 {
            resources.push(front(res(
                format!("{t}ListenerRule"),
                "AWS::ElasticLoadBalancingV2::ListenerRule",
                map([
                    ("ListenerArn", r#ref("HttpsListener")),
                    ("Priority", int(i as i64)),
                    (
                        "Conditions",
                        seq([map([
                            ("Field", s("path-pattern")),
                            (
                                "PathPatternConfig",
                                map([("Values", seq([s(format!("/{}/*", tier.name))]))]),
                            ),
                        ])]),
                    ),
                    (
                        "Actions",
                        seq([map([
                            ("Type", s("forward")),
                            ("TargetGroupArn", r#ref(&format!("{t}TargetGroup"))),
                        ])]),
                    ),
                ]),
            )));
        }
        resources.push(res(
            format!("{t}LaunchTemplate"),
            "AWS::EC2::LaunchTemplate",
            map([(
                "LaunchTemplateData",
                map([
                    ("ImageId", r#ref(&format!("{t}ImageId"))),
                    ("InstanceType", s(&tier.instance_type)),
                    (
                        "IamInstanceProfile",
                        map([("Arn", get_att("InstanceProfile", "Arn"))]),
                    ),
                    ("SecurityGroupIds", seq([r#ref("InstanceSecurityGroup")])),
                    (
                        "MetadataOptions",
                        map([
                            ("HttpEndpoint", s("enabled")),
                            ("HttpTokens", s("required")),
                            ("HttpPutResponseHopLimit", int(1)),
                        ]),
                    ),
                    ("Monitoring", map([("Enabled", Y::Bool(true))])),
                    (
                        "BlockDeviceMappings",
                        seq([map([
                            ("DeviceName", r#ref("RootDeviceName")),
                            (
                                "Ebs",
                                map([
                                    ("Encrypted", Y::Bool(true)),
                                    ("KmsKeyId", get_att("DataKey", "Arn")),
                                    ("VolumeType", s("gp3")),
                                    ("DeleteOnTermination", Y::Bool(true)),
                                ]),
                            ),
                        ])]),
                    ),
                    (
                        "TagSpecifications",
                        seq([map([
                            ("ResourceType", s("instance")),
                            ("Tags", tags(&format!("drsim {}", tier.name))),
                        ])]),
                    ),
                ]),
            )]),
        ));
        let target_groups = if front_steady {
            seq([r#ref(&format!("{t}TargetGroup"))])
        } else {
            if_(
                "Recovering",
                seq([r#ref(&format!("{t}TargetGroup"))]),
                no_value(),
            )
        };
        let check_type = if front_steady {
            s("ELB")
        } else {
            if_("Recovering", s("ELB"), s("EC2"))
        };
        let grace: f64 = tier.phases.iter().map(|d| d.typical()).sum();
        resources.push(res(
            format!("{t}AutoScalingGroup"),
            "AWS::AutoScaling::AutoScalingGroup",
            map([
                (
                    "LaunchTemplate",
                    map([
                        ("LaunchTemplateId", r#ref(&format!("{t}LaunchTemplate"))),
                        (
                            "Version",
                            get_att(&format!("{t}LaunchTemplate"), "LatestVersionNumber"),
                        ),
                    ]),
                ),
                ("MinSize", steady_or_full(steady, full)),
                ("DesiredCapacity", steady_or_full(steady, full)),
                ("MaxSize", s(full.to_string())),
                ("VPCZoneIdentifier", r#ref("PrivateSubnetIds")),
                ("TargetGroupARNs", target_groups),
                ("HealthCheckType", check_type),
                (
                    "HealthCheckGracePeriod",
                    int(grace.round().max(60.0) as i64),
                ),
                (
                    "Tags",
                    seq([
                        map([
                            ("Key", s("drsim-tier")),
                            ("Value", s(&tier.name)),
                            ("PropagateAtLaunch", Y::Bool(true)),
                        ]),
                        map([
                            ("Key", s("drsim-mode")),
                            ("Value", if_("Recovering", s("recovering"), s("steady"))),
                            ("PropagateAtLaunch", Y::Bool(false)),
                        ]),
                    ]),
                ),
            ]),
        ));
    }
    // Database.
    if runs_db {
        let class = replica_class(chosen).unwrap_or_default();
        resources.push(res(
            "DatabaseSubnetGroup",
            "AWS::RDS::DBSubnetGroup",
            map([
                ("DBSubnetGroupDescription", s("drsim recovery database")),
                ("SubnetIds", r#ref("PrivateSubnetIds")),
            ]),
        ));
        resources.push(res(
            "DatabaseSecurityGroup",
            "AWS::EC2::SecurityGroup",
            map([
                (
                    "GroupDescription",
                    s("drsim recovery database: from the fleets"),
                ),
                ("VpcId", r#ref("VpcId")),
                (
                    "SecurityGroupIngress",
                    seq([map([
                        ("Description", s("Database port from the fleets")),
                        ("IpProtocol", s("tcp")),
                        ("FromPort", int(db_port(sc))),
                        ("ToPort", int(db_port(sc))),
                        ("SourceSecurityGroupId", r#ref("InstanceSecurityGroup")),
                    ])]),
                ),
                ("Tags", tags("drsim database")),
            ]),
        ));
        resources.push(res(
            "MonitoringRole",
            "AWS::IAM::Role",
            map([
                ("AssumeRolePolicyDocument", assume("monitoring.rds.amazonaws.com")),
                (
                    "ManagedPolicyArns",
                    seq([sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")]),
                ),
            ]),
        ));
        let instance_common = |props: &mut Y| {
            props.set("DBInstanceClass", s(&class));
            props.set("PubliclyAccessible", Y::Bool(false));
            props.set("MonitoringInterval", int(60));
            props.set("MonitoringRoleArn", get_att("MonitoringRole", "Arn"));
            props.set("EnablePerformanceInsights", Y::Bool(true));
            props.set("PerformanceInsightsKMSKeyId", get_att("DataKey", "Arn"));
            props.set("PerformanceInsightsRetentionPeriod", int(7));
            props.set("AutoMinorVersionUpgrade", Y::Bool(true));
        };
        if aurora {
            resources.push(
                res(
                    "DatabaseCluster",
                    "AWS::RDS::DBCluster",
                    map([
                        ("Engine", s(engine_name(sc))),
                        ("EngineVersion", r#ref("DatabaseEngineVersion")),
                        ("GlobalClusterIdentifier", r#ref("GlobalClusterIdentifier")),
                        ("SourceRegion", s(p.as_str())),
                        ("StorageEncrypted", Y::Bool(true)),
                        ("KmsKeyId", get_att("DataKey", "Arn")),
                        ("DBSubnetGroupName", r#ref("DatabaseSubnetGroup")),
                        ("VpcSecurityGroupIds", seq([r#ref("DatabaseSecurityGroup")])),
                        ("EnableIAMDatabaseAuthentication", Y::Bool(true)),
                        ("DeletionProtection", Y::Bool(true)),
                        ("CopyTagsToSnapshot", Y::Bool(true)),
                        (
                            "BackupRetentionPeriod",
                            int(days(sc.backups.retention).clamp(7, 35)),
                        ),
                        ("EnableCloudwatchLogsExports", log_exports(sc)),
                    ]),
                )
                .with("Condition", s("HasGlobalCluster"))
                .with("DeletionPolicy", s("Snapshot"))
                .with("UpdateReplacePolicy", s("Snapshot")),
            );
            // A pilot light's secondary is headless: the runbook adds its instance on failover
            // (docs/model.md §4.1).
            let instances = match chosen.strategy {
                Strategy::PilotLight => 0,
                _ => 1,
            };
            for i in 1..=instances {
                let mut props = map([
                    ("DBClusterIdentifier", r#ref("DatabaseCluster")),
                    ("Engine", s(engine_name(sc))),
                ]);
                instance_common(&mut props);
                resources.push(
                    res(
                        format!("DatabaseInstance{i}"),
                        "AWS::RDS::DBInstance",
                        props,
                    )
                    .with("Condition", s("HasGlobalCluster")),
                );
            }
        } else {
            let mut props = map([
                ("SourceDBInstanceIdentifier", r#ref("PrimaryDatabaseArn")),
                ("SourceRegion", s(p.as_str())),
                ("KmsKeyId", get_att("DataKey", "Arn")),
                ("DBSubnetGroupName", r#ref("DatabaseSubnetGroup")),
                ("VPCSecurityGroups", seq([r#ref("DatabaseSecurityGroup")])),
                ("MultiAZ", Y::Bool(false)),
                ("EnableIAMDatabaseAuthentication", Y::Bool(true)),
                ("DeletionProtection", Y::Bool(true)),
                ("CopyTagsToSnapshot", Y::Bool(true)),
                ("EnableCloudwatchLogsExports", log_exports(sc)),
            ]);
            instance_common(&mut props);
            let encrypted = (
                "CKV_AWS_16",
                "The replica is encrypted with KmsKeyId (the stack's key); CloudFormation takes StorageEncrypted from the source and refuses it beside SourceDBInstanceIdentifier (cfn-lint E3020).",
            );
            let single_az = (
                "CKV_AWS_157",
                "A single-AZ read replica is what the plan prices for this strategy; the runbook makes the promoted database Multi-AZ.",
            );
            let replica = res("DatabaseReplica", "AWS::RDS::DBInstance", props)
                .retain()
                .with("Metadata", skips(&[encrypted, single_az]));
            resources.push(replica);
        }
    }
    // DNS.
    let interval = request_interval(config.health_check_interval);
    if (interval as f64 - config.health_check_interval).abs() > 1e-9 {
        notes.push(format!(
            "Route 53 health checks run every 10 s or 30 s; the scenario's {} became {interval} s",
            scenarios::units::format_duration(config.health_check_interval)
        ));
    }
    let threshold = failure_threshold(sc.detection.failure_threshold);
    if threshold != i64::from(sc.detection.failure_threshold) {
        notes.push(format!(
            "Route 53 failure thresholds run from 1 to 10; the scenario's {} became {threshold}",
            sc.detection.failure_threshold
        ));
    }
    let health_check = |fqdn: Y, name: &str| {
        map([
            (
                "HealthCheckConfig",
                map([
                    ("Type", s("HTTPS")),
                    ("FullyQualifiedDomainName", fqdn),
                    ("Port", int(443)),
                    ("ResourcePath", r#ref("HealthCheckPath")),
                    ("RequestInterval", int(interval)),
                    ("FailureThreshold", int(threshold)),
                    ("EnableSNI", Y::Bool(true)),
                ]),
            ),
            (
                "HealthCheckTags",
                seq([map([("Key", s("Name")), ("Value", s(name))])]),
            ),
        ])
    };
    resources.push(res(
        "PrimaryHealthCheck",
        "AWS::Route53::HealthCheck",
        health_check(r#ref("PrimaryEndpoint"), &format!("drsim primary {p}")),
    ));
    let recovery_check = recovery_health_check(chosen);
    if recovery_check {
        resources.push(res(
            "RecoveryHealthCheck",
            "AWS::Route53::HealthCheck",
            health_check(
                get_att("LoadBalancer", "DNSName"),
                &format!("drsim recovery {r}"),
            ),
        ));
    }
    let ttl = ttl(sc);
    let record = |id: &str, set: &str, target: Y, health: &str, routing: (&str, Y)| {
        res(
            id,
            "AWS::Route53::RecordSet",
            map([
                ("HostedZoneId", r#ref("HostedZoneId")),
                ("Name", r#ref("DomainName")),
                ("Type", s("CNAME")),
                ("TTL", s(ttl.to_string())),
                ("SetIdentifier", s(set)),
                routing,
                ("HealthCheckId", r#ref(health)),
                ("ResourceRecords", seq([target])),
            ]),
        )
    };
    if chosen.strategy == Strategy::MultiSite {
        let w = config.traffic_weight;
        let recovery_weight = (w * 100.0).round() as i64;
        resources.push(record(
            "PrimaryRecord",
            p,
            r#ref("PrimaryEndpoint"),
            "PrimaryHealthCheck",
            ("Weight", int(100 - recovery_weight)),
        ));
        let mut rec = record(
            "RecoveryRecord",
            r,
            get_att("LoadBalancer", "DNSName"),
            if recovery_check {
                "RecoveryHealthCheck"
            } else {
                "PrimaryHealthCheck"
            },
            ("Weight", int(recovery_weight)),
        );
        if !recovery_check {
            rec.props.set("HealthCheckId", no_value());
        }
        resources.push(rec);
    } else {
        resources.push(record(
            "PrimaryRecord",
            p,
            r#ref("PrimaryEndpoint"),
            "PrimaryHealthCheck",
            ("Failover", s("PRIMARY")),
        ));
        let mut rec = record(
            "RecoveryRecord",
            r,
            get_att("LoadBalancer", "DNSName"),
            "RecoveryHealthCheck",
            ("Failover", s("SECONDARY")),
        );
        if !recovery_check {
            rec.props.set("HealthCheckId", no_value());
        }
        resources.push(front(rec));
    }
    let mut outputs = Vec::new();
    for tier in &sc.tiers {
        let t = logical(&tier.name);
        outputs.push((
            format!("{t}AutoScalingGroupName"),
            output(
                r#ref(&format!("{t}AutoScalingGroup")),
                &format!("Auto Scaling group of the {} tier", tier.name),
                Some(&format!("{t}AutoScalingGroupName")),
            ),
        ));
    }
    if runs_db && aurora {
        let mut arn = output(
            get_att("DatabaseCluster", "DBClusterArn"),
            "Secondary cluster to fail over to",
            Some("DatabaseClusterArn"),
        );
        arn.set("Condition", s("HasGlobalCluster"));
        outputs.push(("DatabaseClusterArn".to_string(), arn));
        if chosen.strategy == Strategy::PilotLight {
            let mut cluster = output(
                r#ref("DatabaseCluster"),
                "Headless secondary cluster: the runbook adds its instance",
                Some("DatabaseClusterId"),
            );
            cluster.set("Condition", s("HasGlobalCluster"));
            outputs.push(("DatabaseClusterId".to_string(), cluster));
        }
        let mut id = output(
            r#ref("GlobalClusterIdentifier"),
            "The global database",
            Some("GlobalClusterIdentifier"),
        );
        id.set("Condition", s("HasGlobalCluster"));
        outputs.push(("GlobalClusterIdentifier".to_string(), id));
    }
    if runs_db && !aurora {
        outputs.push((
            "DatabaseReplicaId".to_string(),
            output(
                r#ref("DatabaseReplica"),
                "Read replica to promote",
                Some("DatabaseReplicaId"),
            ),
        ));
    }
    outputs.push((
        "BackupVaultName".to_string(),
        output(
            r#ref("BackupVault"),
            "Recovery backup vault (copies land here)",
            Some("BackupVaultName"),
        ),
    ));
    let doc = template(
        format!(
            "drsim export: the {} recovery stack in {r} for {} ({}); deploy with Recovering=true to recover",
            chosen.strategy.name(),
            sc.name,
            super::label(chosen)
        ),
        parameters,
        conditions,
        resources,
        outputs,
    );
    (doc, notes)
}

fn attr(key: &str, value: &str) -> Y {
    map([("Key", s(key)), ("Value", s(value))])
}

/// Seconds for an SSM step timeout: the step's simulated p99, rounded up to a minute, at
/// least a minute.
fn timeout(budget: Option<&StepBudget>) -> i64 {
    let p99 = budget.map_or(0.0, |b| b.quantile(0.99));
    ((p99 / 60.0).ceil().max(1.0) * 60.0) as i64
}

/// The SSM Automation runbook of the automated recovery steps (region loss).
fn automation(chosen: &Chosen<'_>, budgets: &[StepBudget]) -> Y {
    let sc = chosen.scenario;
    let aurora = is_aurora(sc);
    let r = &sc.recovery_region;
    let objective = sc.objectives.by_disaster[Disaster::RegionLoss.index()].rto;
    let params = vec![(
        "RecoveryStackName".to_string(),
        map([
            ("Type", s("String")),
            ("Default", s("drsim-recovery")),
            (
                "Description",
                s(format!(
                    "Name of the recovery region's stack (recovery-{r}.yaml)"
                )),
            ),
        ]),
    )];
    let mut steps: Vec<Y> = Vec::new();
    let mut doc_params = vec![(
        "AutomationAssumeRole".to_string(),
        map([
            ("type", s("String")),
            ("description", s("Role the automation runs as")),
            ("default", get_att("AutomationRole", "Arn")),
        ]),
    )];
    let import = |name: &str| {
        map([(
            "Fn::ImportValue",
            sub(&format!("${{RecoveryStackName}}-{name}")),
        )])
    };
    let mut uses_db = false;
    let mut adds_instance = false;
    let mut uses_asg = false;
    for b in budgets {
        let step_name = logical(&b.name);
        let to = int(timeout(Some(b)));
        match &b.action {
            Action::PromoteDatabase | Action::GlobalFailover if !aurora => {
                uses_db = true;
                steps.push(automation_step(
                    s(step_name.clone()),
                    "aws:executeAwsApi",
                    to.clone(),
                    map([
                        ("Service", s("rds")),
                        ("Api", s("PromoteReadReplica")),
                        ("DBInstanceIdentifier", s("{{ DatabaseReplicaId }}")),
                    ]),
                ));
                steps.push(wait_db(&format!("{step_name}Available"), to));
            }
            Action::PromoteDatabase | Action::GlobalFailover => {
                uses_db = true;
                steps.push(automation_step(
                    s(step_name),
                    "aws:executeAwsApi",
                    to,
                    map([
                        ("Service", s("rds")),
                        ("Api", s("FailoverGlobalCluster")),
                        (
                            "GlobalClusterIdentifier",
                            s("{{ GlobalClusterIdentifier }}"),
                        ),
                        ("TargetDbClusterIdentifier", s("{{ SecondaryClusterArn }}")),
                        ("AllowDataLoss", Y::Bool(true)),
                    ]),
                ));
            }
            Action::AddInstance if aurora => {
                uses_db = true;
                adds_instance = true;
                steps.push(automation_step(
                    s(step_name.clone()),
                    "aws:executeAwsApi",
                    to.clone(),
                    map([
                        ("Service", s("rds")),
                        ("Api", s("CreateDBInstance")),
                        ("DBInstanceIdentifier", s(ADDED_INSTANCE)),
                        ("DBClusterIdentifier", s("{{ SecondaryClusterId }}")),
                        ("DBInstanceClass", s(&sc.database.instance_class)),
                        ("Engine", s(engine_name(sc))),
                    ]),
                ));
                steps.push(automation_step(
                    s(format!("{step_name}Available")),
                    "aws:waitForAwsResourceProperty",
                    to,
                    map([
                        ("Service", s("rds")),
                        ("Api", s("DescribeDBInstances")),
                        ("DBInstanceIdentifier", s(ADDED_INSTANCE)),
                        ("PropertySelector", s("$.DBInstances[0].DBInstanceStatus")),
                        ("DesiredValues", seq([s("available")])),
                    ]),
                ));
            }
            Action::ResizeDatabase if !aurora => {
                uses_db = true;
                steps.push(automation_step(
                    s(step_name.clone()),
                    "aws:executeAwsApi",
                    to.clone(),
                    map([
                        ("Service", s("rds")),
                        ("Api", s("ModifyDBInstance")),
                        ("DBInstanceIdentifier", s("{{ DatabaseReplicaId }}")),
                        ("DBInstanceClass", s(&sc.database.instance_class)),
                        ("MultiAZ", Y::Bool(sc.database.multi_az)),
                        ("ApplyImmediately", Y::Bool(true)),
                    ]),
                ));
                steps.push(wait_db(&format!("{step_name}Available"), to));
            }
            Action::Launch(tier) | Action::ScaleOut(tier) => {
                uses_asg = true;
                let Some(t) = sc.tiers.iter().find(|t| &t.name == tier) else {
                    continue;
                };
                let id = logical(&t.name);
                doc_params.push((
                    format!("{id}AutoScalingGroupName"),
                    map([
                        ("type", s("String")),
                        ("default", import(&format!("{id}AutoScalingGroupName"))),
                    ]),
                ));
                steps.push(automation_step(
                    s(step_name.clone()),
                    "aws:executeAwsApi",
                    int(60),
                    map([
                        ("Service", s("autoscaling")),
                        ("Api", s("UpdateAutoScalingGroup")),
                        (
                            "AutoScalingGroupName",
                            s(format!("{{{{ {id}AutoScalingGroupName }}}}")),
                        ),
                        ("MinSize", int(i64::from(t.count))),
                        ("DesiredCapacity", int(i64::from(t.count))),
                        ("MaxSize", int(i64::from(t.count))),
                    ]),
                ));
                let needed = i64::from(t.target().max(1));
                steps.push(automation_step(
                    s(format!("{step_name}InService")),
                    "aws:executeScript",
                    to,
                    map([
                        ("Runtime", s("python3.11")),
                        ("Handler", s("wait")),
                        (
                            "InputPayload",
                            map([
                                ("group", s(format!("{{{{ {id}AutoScalingGroupName }}}}"))),
                                ("needed", int(needed)),
                            ]),
                        ),
                        ("Script", s(WAIT_SCRIPT)),
                    ]),
                ));
            }
            _ => {}
        }
    }
    if uses_db {
        if aurora {
            doc_params.push((
                "GlobalClusterIdentifier".to_string(),
                map([
                    ("type", s("String")),
                    ("default", import("GlobalClusterIdentifier")),
                ]),
            ));
            doc_params.push((
                "SecondaryClusterArn".to_string(),
                map([
                    ("type", s("String")),
                    (
                        "description",
                        s(format!("ARN of the secondary cluster in {r}")),
                    ),
                    ("default", import("DatabaseClusterArn")),
                ]),
            ));
            if adds_instance {
                doc_params.push((
                    "SecondaryClusterId".to_string(),
                    map([
                        ("type", s("String")),
                        (
                            "description",
                            s(format!(
                                "Identifier of the headless secondary cluster in {r}"
                            )),
                        ),
                        ("default", import("DatabaseClusterId")),
                    ]),
                ));
            }
        } else {
            doc_params.push((
                "DatabaseReplicaId".to_string(),
                map([
                    ("type", s("String")),
                    ("default", import("DatabaseReplicaId")),
                ]),
            ));
        }
    }
    let content = map([
        ("schemaVersion", s("0.3")),
        (
            "description",
            s(format!(
                "drsim export: automated region-loss recovery for {} in {r}. Objective: RTO {} at {:.0}% confidence; each step times out at its simulated p99.",
                chosen.strategy.name(),
                scenarios::units::format_duration(objective),
                100.0 * sc.objectives.confidence
            )),
        ),
        ("assumeRole", s("{{ AutomationAssumeRole }}")),
        ("parameters", Y::Map(doc_params)),
        ("mainSteps", Y::Seq(steps)),
    ]);
    let mut statements = vec![allow(
        &[
            "rds:DescribeDBInstances",
            "rds:DescribeDBClusters",
            "rds:DescribeGlobalClusters",
            "autoscaling:DescribeAutoScalingGroups",
        ],
        s("*"),
    )];
    if uses_db {
        let mut actions = vec![
            "rds:PromoteReadReplica",
            "rds:ModifyDBInstance",
            "rds:FailoverGlobalCluster",
        ];
        if adds_instance {
            actions.push("rds:CreateDBInstance");
        }
        statements.push(allow(
            &actions,
            seq([
                sub(&format!(
                    "arn:${{AWS::Partition}}:rds:{r}:${{AWS::AccountId}}:db:*"
                )),
                sub(&format!(
                    "arn:${{AWS::Partition}}:rds:{r}:${{AWS::AccountId}}:cluster:*"
                )),
                sub("arn:${AWS::Partition}:rds::${AWS::AccountId}:global-cluster:*"),
            ]),
        ));
    }
    if uses_asg {
        statements.push(map([
            ("Effect", s("Allow")),
            ("Action", seq([s("autoscaling:UpdateAutoScalingGroup")])),
            (
                "Resource",
                seq([sub(&format!(
                    "arn:${{AWS::Partition}}:autoscaling:{r}:${{AWS::AccountId}}:autoScalingGroup:*:autoScalingGroupName/*"
                ))]),
            ),
            (
                "Condition",
                map([(
                    "StringLike",
                    map([("aws:ResourceTag/drsim-tier", s("*"))]),
                )]),
            ),
        ]));
    }
    let resources = vec![
        res(
            "AutomationRole",
            "AWS::IAM::Role",
            map([
                ("AssumeRolePolicyDocument", assume("ssm.amazonaws.com")),
                (
                    "Policies",
                    seq([map([
                        ("PolicyName", s("drsim-recovery")),
                        (
                            "PolicyDocument",
                            map([
                                ("Version", s("2012-10-17")),
                                ("Statement", Y::Seq(statements)),
                            ]),
                        ),
                    ])]),
                ),
            ]),
        ),
        res(
            "RecoveryRunbook",
            "AWS::SSM::Document",
            map([
                ("DocumentType", s("Automation")),
                ("Content", content),
                (
                    "Tags",
                    seq([map([("Key", s("drsim")), ("Value", s("export"))])]),
                ),
            ]),
        ),
    ];
    template(
        format!(
            "drsim export: SSM Automation runbook of the automated region-loss recovery steps ({}) in {r}",
            chosen.strategy.name()
        ),
        params,
        Vec::new(),
        resources,
        vec![(
            "RunbookName".to_string(),
            output(
                r#ref("RecoveryRunbook"),
                "Start with: aws ssm start-automation-execution --document-name <this>",
                None,
            ),
        )],
    )
}

/// The instance the runbook adds to a headless Aurora secondary.
const ADDED_INSTANCE: &str = "{{ SecondaryClusterId }}-writer";

/// A step of the SSM Automation document: `action` with its `inputs`, aborting the document when
/// it fails or takes longer than `timeout` seconds.
fn automation_step(name: Y, action: &str, timeout: Y, inputs: Y) -> Y {
    map([
        ("name", name),
        ("action", s(action)),
        ("timeoutSeconds", timeout),
        ("onFailure", s("Abort")),
        ("inputs", inputs),
    ])
}

fn wait_db(name: &str, timeout: Y) -> Y {
    automation_step(
        s(name),
        "aws:waitForAwsResourceProperty",
        timeout,
        map([
            ("Service", s("rds")),
            ("Api", s("DescribeDBInstances")),
            ("DBInstanceIdentifier", s("{{ DatabaseReplicaId }}")),
            ("PropertySelector", s("$.DBInstances[0].DBInstanceStatus")),
            ("DesiredValues", seq([s("available")])),
        ]),
    )
}

const WAIT_SCRIPT: &str = r#"import time
import boto3


def wait(events, context):
    client = boto3.client("autoscaling")
    while True:
        groups = client.describe_auto_scaling_groups(AutoScalingGroupNames=[events["group"]])
        ready = [
            i
            for i in groups["AutoScalingGroups"][0]["Instances"]
            if i["LifecycleState"] == "InService" and i["HealthStatus"] == "Healthy"
        ]
        if len(ready) >= int(events["needed"]):
            return {"in_service": len(ready)}
        time.sleep(15)
"#;

/// The three templates of an export.
pub fn templates(chosen: &Chosen<'_>, budgets: &[StepBudget]) -> Result<Templates, String> {
    let base = slug(&chosen.scenario.name, 16);
    let mut notes = Vec::new();
    let primary = primary(chosen, &base, &mut notes)?;
    let (recovery, more) = recovery(chosen, &base);
    notes.extend(more);
    let automation = automation(chosen, budgets);
    Ok(Templates {
        primary,
        recovery,
        automation,
        notes,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use planner::Knobs;
    use scenarios::model::Failover;

    use super::*;

    const TEXT: &str = r#"
[backups]
interval = "4h"
retention = "35d"
[data.uploads]
size = "200GiB"
storage = "standard"
replication = "crr-rtc"
[detection]
failure-threshold = 4
[dns]
client-ttl = { lognormal = { median = "45s", p95 = "300s" } }
[strategies.pilot-light]
replica-fraction = 0.5
[strategies.warm-standby]
standby-fraction = 0.25
health-check-interval = "10s"
[strategies.multi-site]
site-capacity = 0.8
traffic-weight = 0.3
"#;

    fn knobs(strategy: Strategy) -> Knobs {
        Knobs {
            backup_interval: 4.0 * 3600.0,
            storage_tier: None,
            point_in_time: false,
            failover: (strategy != Strategy::MultiSite).then_some(Failover::Automated),
            replica: (strategy == Strategy::PilotLight).then(|| (0.5, "db.r6g.medium".to_string())),
            standby_fraction: None,
            site_capacity: None,
        }
    }

    fn export(strategy: Strategy) -> Templates {
        let scenario = scenarios::load(TEXT, "test.toml").unwrap();
        let knobs = knobs(strategy);
        let chosen = Chosen {
            scenario: &scenario,
            strategy,
            knobs: &knobs,
        };
        templates(&chosen, &[]).unwrap()
    }

    fn resource<'a>(doc: &'a Y, id: &str) -> &'a Y {
        doc.at(&["Resources", id, "Properties"])
            .unwrap_or_else(|| panic!("no resource {id}"))
    }

    /// The value of a mapping, or each branch of `Fn::If [Recovering, full, steady]`.
    fn sizes(node: &Y) -> (String, String) {
        match node {
            Y::Str(v) => (v.clone(), v.clone()),
            other => match other.get("Fn::If") {
                Some(Y::Seq(items)) => match (&items[1], &items[2]) {
                    (Y::Str(full), Y::Str(steady)) => (steady.clone(), full.clone()),
                    _ => panic!("unexpected {other:?}"),
                },
                _ => panic!("unexpected {other:?}"),
            },
        }
    }

    #[test]
    fn the_backup_plan_follows_the_scenario() {
        let t = export(Strategy::PilotLight);
        let plan = resource(&t.primary, "BackupPlan");
        let Some(Y::Seq(rules)) = plan.at(&["BackupPlan", "BackupPlanRule"]) else {
            panic!("no rules")
        };
        assert_eq!(
            rules[0].get("ScheduleExpression"),
            Some(&s("cron(0 */4 * * ? *)"))
        );
        assert_eq!(
            rules[0].at(&["Lifecycle", "DeleteAfterDays"]),
            Some(&int(35))
        );
        let Some(Y::Seq(copies)) = rules[0].get("CopyActions") else {
            panic!("no copy")
        };
        let Some(Y::Str(arn)) = copies[0].at(&["DestinationBackupVaultArn", "Fn::Sub"]) else {
            panic!("no ARN")
        };
        assert!(arn.contains(":backup:us-west-2:"), "{arn}");
        // The vault is locked (immutable backups) in both regions.
        for doc in [&t.primary, &t.recovery] {
            assert_eq!(
                resource(doc, "BackupVault").at(&["LockConfiguration", "MinRetentionDays"]),
                Some(&int(35))
            );
        }
    }

    #[test]
    fn schedules_cover_hours_and_days() {
        assert_eq!(schedule(3600.0).as_deref(), Some("cron(0 * * * ? *)"));
        assert_eq!(
            schedule(12.0 * 3600.0).as_deref(),
            Some("cron(0 */12 * * ? *)")
        );
        assert_eq!(schedule(86_400.0).as_deref(), Some("cron(0 0 * * ? *)"));
        assert_eq!(
            schedule(2.0 * 86_400.0).as_deref(),
            Some("cron(0 0 */2 * ? *)")
        );
        assert_eq!(schedule(5.0 * 3600.0), None);
        assert_eq!(schedule(1800.0), None);
    }

    #[test]
    fn fleet_sizes_follow_the_strategy() {
        // (strategy, web steady, web full, app steady, app full): web 4, app 6 instances.
        for (strategy, web, app) in [
            (Strategy::BackupRestore, ("0", "4"), ("0", "6")),
            (Strategy::PilotLight, ("0", "4"), ("0", "6")),
            (Strategy::WarmStandby, ("1", "4"), ("2", "6")),
            (Strategy::MultiSite, ("4", "4"), ("5", "6")),
        ] {
            let t = export(strategy);
            for (tier, (steady, full)) in [("Web", web), ("App", app)] {
                let asg = resource(&t.recovery, &format!("{tier}AutoScalingGroup"));
                assert_eq!(
                    sizes(asg.get("DesiredCapacity").unwrap()),
                    (steady.to_string(), full.to_string()),
                    "{} {tier}",
                    strategy.name()
                );
                assert_eq!(
                    sizes(asg.get("MinSize").unwrap()),
                    (steady.to_string(), full.to_string())
                );
                assert_eq!(asg.get("MaxSize"), Some(&s(full)));
            }
        }
    }

    #[test]
    fn health_checks_and_dns_follow_the_scenario() {
        let t = export(Strategy::WarmStandby);
        let check = resource(&t.recovery, "PrimaryHealthCheck");
        assert_eq!(
            check.at(&["HealthCheckConfig", "RequestInterval"]),
            Some(&int(10))
        );
        assert_eq!(
            check.at(&["HealthCheckConfig", "FailureThreshold"]),
            Some(&int(4))
        );
        // Automated warm standby checks the recovery site too, as priced.
        assert!(
            t.recovery
                .at(&["Resources", "RecoveryHealthCheck"])
                .is_some()
        );
        let record = resource(&t.recovery, "RecoveryRecord");
        assert_eq!(record.get("TTL"), Some(&s("45")));
        assert_eq!(record.get("Failover"), Some(&s("SECONDARY")));
        // Pilot light: 30 s checks, no health check of its own.
        let t = export(Strategy::PilotLight);
        assert_eq!(
            resource(&t.recovery, "PrimaryHealthCheck")
                .at(&["HealthCheckConfig", "RequestInterval"]),
            Some(&int(30))
        );
        assert!(
            t.recovery
                .at(&["Resources", "RecoveryHealthCheck"])
                .is_none()
        );
        // Multi-site: weighted records from the traffic weight.
        let t = export(Strategy::MultiSite);
        assert_eq!(
            resource(&t.recovery, "RecoveryRecord").get("Weight"),
            Some(&int(30))
        );
        assert_eq!(
            resource(&t.recovery, "PrimaryRecord").get("Weight"),
            Some(&int(70))
        );
    }

    #[test]
    fn the_replica_class_follows_the_knobs() {
        let t = export(Strategy::PilotLight);
        assert_eq!(
            resource(&t.recovery, "DatabaseReplica").get("DBInstanceClass"),
            Some(&s("db.r6g.medium"))
        );
        let t = export(Strategy::WarmStandby);
        assert_eq!(
            resource(&t.recovery, "DatabaseReplica").get("DBInstanceClass"),
            Some(&s("db.r6g.large"))
        );
        let t = export(Strategy::BackupRestore);
        assert!(t.recovery.at(&["Resources", "DatabaseReplica"]).is_none());
    }

    #[test]
    fn replication_time_control_follows_the_dataset() {
        let t = export(Strategy::PilotLight);
        let Some(Y::Seq(rules)) =
            resource(&t.primary, "UploadsBucket").at(&["ReplicationConfiguration", "Rules"])
        else {
            panic!("no replication")
        };
        assert_eq!(
            rules[0].at(&["Destination", "ReplicationTime", "Status"]),
            Some(&s("Enabled"))
        );
        let plain = scenarios::load(
            "[data.uploads]\nsize = \"1GiB\"\nstorage = \"standard\"\nreplication = \"crr\"\n",
            "t.toml",
        )
        .unwrap();
        let knobs = knobs(Strategy::PilotLight);
        let chosen = Chosen {
            scenario: &plain,
            strategy: Strategy::PilotLight,
            knobs: &knobs,
        };
        let t = templates(&chosen, &[]).unwrap();
        let Some(Y::Seq(rules)) =
            resource(&t.primary, "UploadsBucket").at(&["ReplicationConfiguration", "Rules"])
        else {
            panic!("no replication")
        };
        assert!(rules[0].at(&["Destination", "ReplicationTime"]).is_none());
        // Backup & restore replicates nothing: the bucket is backed up instead.
        let t = export(Strategy::BackupRestore);
        assert!(
            resource(&t.primary, "UploadsBucket")
                .get("ReplicationConfiguration")
                .is_none()
        );
    }
}
