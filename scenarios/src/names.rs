//! The strategies, disaster types and other closed sets of names (failover, database
//! replication, ransomware restore point, operating system, database engine family and
//! consistency), one name table each: `ALL` and `name()`, read back by [`parse`].

use crate::model::{DbReplication, Failover};

/// A disaster-recovery strategy of the AWS whitepaper.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Strategy {
    BackupRestore,
    PilotLight,
    WarmStandby,
    MultiSite,
}

impl Strategy {
    /// All four, from the cheapest to the fastest.
    pub const ALL: [Strategy; 4] = [
        Strategy::BackupRestore,
        Strategy::PilotLight,
        Strategy::WarmStandby,
        Strategy::MultiSite,
    ];

    /// The kebab-case name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::BackupRestore => "backup-restore",
            Strategy::PilotLight => "pilot-light",
            Strategy::WarmStandby => "warm-standby",
            Strategy::MultiSite => "multi-site",
        }
    }

    /// Position in [`Strategy::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A kind of disaster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Disaster {
    /// The primary region (or site) is lost for a while.
    RegionLoss,
    /// One availability zone of the primary region is lost.
    AzLoss,
    /// Data is corrupted (bug, human error); replicas carry the corruption.
    Corruption,
    /// Both sites are compromised; only immutable backups are clean.
    Ransomware,
}

impl Disaster {
    pub const ALL: [Disaster; 4] = [
        Disaster::RegionLoss,
        Disaster::AzLoss,
        Disaster::Corruption,
        Disaster::Ransomware,
    ];

    /// The kebab-case name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Disaster::RegionLoss => "region-loss",
            Disaster::AzLoss => "az-loss",
            Disaster::Corruption => "corruption",
            Disaster::Ransomware => "ransomware",
        }
    }

    /// Position in [`Disaster::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Where ransomware recovery restores data from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RestorePoint {
    /// The newest clean recovery point: the last one taken before the data was encrypted
    /// (systems are rebuilt from clean images, data comes from the newest point that scans clean).
    BeforeEncryption,
    /// The last recovery point before the intrusion itself (dwell time earlier).
    BeforeIntrusion,
}

impl RestorePoint {
    pub const ALL: [RestorePoint; 2] = [
        RestorePoint::BeforeEncryption,
        RestorePoint::BeforeIntrusion,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RestorePoint::BeforeEncryption => "before-encryption",
            RestorePoint::BeforeIntrusion => "before-intrusion",
        }
    }
}

/// The operating system of a tier's instances: it sets the instance price and the default boot
/// time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Os {
    Linux,
    /// Windows Server, licence included in the instance price.
    Windows,
    /// Windows Server with the user's own licence: billed at the Linux compute price.
    WindowsByol,
}

impl Os {
    pub const ALL: [Os; 3] = [Os::Linux, Os::Windows, Os::WindowsByol];

    pub fn name(self) -> &'static str {
        match self {
            Os::Linux => "linux",
            Os::Windows => "windows",
            Os::WindowsByol => "windows-byol",
        }
    }

    /// Whether the instances boot Windows.
    pub fn is_windows(self) -> bool {
        self != Os::Linux
    }
}

impl Failover {
    pub const ALL: [Failover; 2] = [Failover::Manual, Failover::Automated];

    pub fn name(self) -> &'static str {
        match self {
            Failover::Manual => "manual",
            Failover::Automated => "automated",
        }
    }
}

impl DbReplication {
    pub const ALL: [DbReplication; 2] = [DbReplication::Async, DbReplication::Sync];

    pub fn name(self) -> &'static str {
        match self {
            DbReplication::Async => "async",
            DbReplication::Sync => "sync",
        }
    }
}

/// The family of a database engine (`database.engine`): it decides how the database replicates
/// to the recovery region and what a failover does (docs/model.md §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EngineFamily {
    /// `rds-*`: RDS with a cross-region read replica.
    Rds,
    /// `aurora-*`: an Aurora global database.
    Aurora,
    /// `dynamodb`: a DynamoDB global table.
    DynamoDb,
}

impl EngineFamily {
    pub const ALL: [EngineFamily; 3] = [
        EngineFamily::Rds,
        EngineFamily::Aurora,
        EngineFamily::DynamoDb,
    ];

    /// How the family is named in messages.
    pub fn name(self) -> &'static str {
        match self {
            EngineFamily::Rds => "rds",
            EngineFamily::Aurora => "aurora",
            EngineFamily::DynamoDb => "dynamodb",
        }
    }

    /// The family of an engine name (the price-list service): `rds-<engine>`,
    /// `aurora-<engine>` or `dynamodb`.
    pub fn of(engine: &str) -> Option<EngineFamily> {
        let named = |prefix: &str| {
            engine
                .strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty())
        };
        if named("rds-") {
            Some(EngineFamily::Rds)
        } else if named("aurora-") {
            Some(EngineFamily::Aurora)
        } else if engine == "dynamodb" {
            Some(EngineFamily::DynamoDb)
        } else {
            None
        }
    }
}

/// How a DynamoDB global table replicates (`database.consistency`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Consistency {
    /// Multi-Region eventual consistency (MREC): asynchronous, a lag of about a second.
    Eventual,
    /// Multi-Region strong consistency (MRSC): nothing committed is lost.
    Strong,
}

impl Consistency {
    pub const ALL: [Consistency; 2] = [Consistency::Eventual, Consistency::Strong];

    pub fn name(self) -> &'static str {
        match self {
            Consistency::Eventual => "eventual",
            Consistency::Strong => "strong",
        }
    }
}

/// Reads one of `all` by its name (the inverse of `name`), or says which names are expected.
pub fn parse<T: Copy>(all: &[T], name: fn(T) -> &'static str, text: &str) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|&v| name(v) == text)
        .ok_or_else(|| {
            let names: Vec<String> = all.iter().map(|&v| format!("\"{}\"", name(v))).collect();
            format!(
                "unknown value \"{text}\": expected one of {}",
                names.join(", ")
            )
        })
}
