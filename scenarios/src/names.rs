//! The four strategies and the four disaster types, with the names used in files and outputs.

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
