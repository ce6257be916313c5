//! Simulated years, lived by every setting at once.
//!
//! Each year draws a Poisson number of disasters of each type (stream 100 of the year); the
//! k-th disaster of year y is trial `y × 1024 + k` of the simulator with its type forced, so
//! every setting meets the same disasters (common random numbers). A setting's recovery from a
//! disaster type reads only some of its knobs: region loss reads the strategy's own knobs (and
//! the backup knobs where backups serve it), the shared runbooks read the backup knobs and what
//! they use of the strategy. Settings whose recovery reads the same values share one
//! [`Component`]: it is simulated once per disaster and its outcome is reused, exactly. The
//! disaster itself is drawn once for all components (its draws read no knob), and components
//! that differ only in the backup knobs (interval, point-in-time restore) run one recovery
//! runbook between them: only their data question (the RPO) is answered apart. Each setting
//! then adds up its year: downtime, losses, and what its own footprint spends.

use rand_distr::{Distribution, Poisson};
use scenarios::model::{DbReplication, Failover, Objective};
use scenarios::runbooks::{Action, StepDef};
use scenarios::simulate::{Compiled, Outcome, Trial, Worker, shared_runbook_knobs};
use scenarios::{Disaster, Scenario, Strategy};
use sim_core::rng::stream_rng;
use sim_core::runner::{self, Merge, RunConfig};
use sim_core::stats::{Proportion, Tally, Total, millis, round_u64};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};

use crate::cost::{DisasterPrices, Prices};
use crate::{AnnualStats, PlanError, Setting};

/// Years per work chunk (fixed, so the split never depends on the thread count).
pub const YEARS_PER_CHUNK: u64 = 512;

/// Close decisions get at most this many times the years asked (see [`crate::plan`]).
pub const MAX_YEARS_FACTOR: u64 = 16;

/// Most disasters one simulated year can hold (trial indices are `year × this + k`).
const MAX_DISASTERS_PER_YEAR: u64 = 1024;

/// Stream of a year's disaster counts (well away from the trial streams 0–16).
const STREAM_YEAR: u64 = 100;

/// Recovery from one disaster type: times and how often the objectives were met. Times in ms.
#[derive(Clone, Debug)]
pub struct TypeStats {
    pub rto: Tally,
    pub rpo: Tally,
    pub meets_rto: Proportion,
    pub meets_rpo: Proportion,
    pub meets_both: Proportion,
}

impl TypeStats {
    pub fn new() -> TypeStats {
        TypeStats {
            rto: Tally::new(),
            rpo: Tally::new(),
            meets_rto: Proportion::default(),
            meets_rpo: Proportion::default(),
            meets_both: Proportion::default(),
        }
    }

    pub fn merge(&mut self, other: &TypeStats) {
        self.rto.merge(&other.rto);
        self.rpo.merge(&other.rpo);
        self.meets_rto.merge(&other.meets_rto);
        self.meets_rpo.merge(&other.meets_rpo);
        self.meets_both.merge(&other.meets_both);
    }

    fn record(&mut self, outcome: &Outcome, objective: &Objective) {
        self.rto.record(millis(outcome.rto));
        self.rpo.record(millis(outcome.rpo));
        self.record_meets(outcome, objective);
    }

    /// Records whether the objectives were met (the times are recorded by the caller).
    fn record_meets(&mut self, outcome: &Outcome, objective: &Objective) {
        let (rto, rpo) = (outcome.rto <= objective.rto, outcome.rpo <= objective.rpo);
        self.meets_rto.record(rto);
        self.meets_rpo.record(rpo);
        self.meets_both.record(rto && rpo);
    }
}

impl Default for TypeStats {
    fn default() -> Self {
        TypeStats::new()
    }
}

/// What a component's recovery reads, besides the scenario every setting shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reads {
    /// The strategy and its own knobs (region loss).
    pub strategy: bool,
    pub backup_interval: bool,
    pub storage_tier: bool,
    pub point_in_time: bool,
}

/// The outcomes of one disaster type shared by the settings whose recovery reads the same
/// values.
#[derive(Clone, Debug)]
pub struct Component {
    pub disaster: Disaster,
    /// The first setting (index) with this recovery: it is the one simulated.
    pub representative: usize,
    pub reads: Reads,
    /// Every disaster of the type it lived through, extra years included.
    pub stats: TypeStats,
    /// Before extra years were added, if they were.
    before_extra: Option<TypeStats>,
    /// Simulated years behind `stats`.
    pub years: u64,
}

impl Component {
    /// The outcomes of the years every setting lived through (without extra years).
    pub fn base(&self) -> &TypeStats {
        self.before_extra.as_ref().unwrap_or(&self.stats)
    }
}

/// Everything a component's recovery reads, compared to find settings that share it.
#[derive(Clone, Debug, PartialEq)]
struct Key {
    disaster: Disaster,
    strategy: Option<(Strategy, Failover, u64, u64, DbReplication)>,
    shared: [Option<u64>; 4],
    interval: Option<u64>,
    tier: Option<Option<String>>,
    point_in_time: Option<bool>,
}

impl Key {
    /// What the recovery runbook reads: the key without the knobs that only the data question
    /// (the RPO) reads. The backup interval and point-in-time restore enter no compiled runbook
    /// (`runbooks::compile` reads neither); the storage tier does, through retrievals, and
    /// stays.
    fn runbook(&self) -> Key {
        Key {
            interval: None,
            point_in_time: None,
            ..self.clone()
        }
    }
}

fn steps_of(scenario: &Scenario, strategy: Strategy, disaster: Disaster) -> &[StepDef] {
    match disaster {
        Disaster::RegionLoss => &scenario.strategies[strategy.index()].runbook,
        Disaster::AzLoss => &scenario.az_loss_runbook,
        Disaster::Corruption => &scenario.corruption_runbook,
        Disaster::Ransomware => &scenario.ransomware_runbook,
    }
}

fn key(setting: &Setting, disaster: Disaster) -> (Key, Reads) {
    let s = &setting.scenario;
    let config = &s.strategies[setting.strategy.index()];
    let steps = steps_of(s, setting.strategy, disaster);
    let retrieves = steps
        .iter()
        .any(|st| st.duration.is_none() && matches!(st.action, Action::Retrieve(_)));
    let unreplicated = s.data.iter().any(|d| d.replication_lag.is_none());
    // Whether the RPO comes from backups (periodic or continuous).
    let (from_backups, continuous) = match disaster {
        Disaster::RegionLoss => (
            setting.strategy == Strategy::BackupRestore || unreplicated,
            false,
        ),
        Disaster::AzLoss => (!s.database.multi_az, !s.database.multi_az),
        Disaster::Corruption | Disaster::Ransomware => (true, true),
    };
    let region = disaster == Disaster::RegionLoss;
    let reads = Reads {
        strategy: region,
        backup_interval: from_backups,
        storage_tier: retrieves,
        point_in_time: continuous,
    };
    let key = Key {
        disaster,
        strategy: region.then(|| {
            (
                setting.strategy,
                config.failover,
                config.running_fraction.to_bits(),
                config.replica_fraction.to_bits(),
                config.database_replication,
            )
        }),
        shared: if region {
            [None; 4]
        } else {
            shared_runbook_knobs(steps, config)
        },
        interval: from_backups.then(|| s.backups.interval.to_bits()),
        tier: retrieves.then(|| setting.knobs.storage_tier.clone()),
        point_in_time: continuous.then_some(s.backups.point_in_time),
    };
    (key, reads)
}

/// The settings, their components, and what each needs to live a year.
pub(crate) struct Years<'a> {
    base: &'a Scenario,
    settings: &'a [Setting],
    seed: u64,
    threads: usize,
    /// Per setting, per disaster type: its component.
    of: Vec<[usize; 4]>,
    /// The same, per disaster type, per setting (contiguous for the loop over settings).
    of_type: [Vec<u32>; 4],
    /// Per component: type, representative, what it reads.
    heads: Vec<(Disaster, usize, Reads)>,
    /// Per disaster type: its components.
    by_type: [Vec<usize>; 4],
    /// Per component: the compiled runbooks of its representative (compiled once per
    /// representative, shared by its components).
    compiled: Vec<Arc<Compiled>>,
    /// Per setting: the first setting whose components run the same runbooks
    /// ([`Years::runs`]). Their annual downtimes are the same, bit for bit (the RTO of a
    /// component is that of its runbook's run, capped by the disaster's outage), so only the
    /// first records them; the others get a copy of its tally.
    downtime_of: Vec<usize>,
    /// Per component: the first component of its type whose recovery runs the same runbook
    /// (it differs at most in the backup knobs, which only the data question reads); its time
    /// to bring the service back serves both.
    runs: Vec<usize>,
    prices: Vec<DisasterPrices>,
    /// Per setting: its strategy (read in the loop over settings; a setting is large).
    strategies: Vec<Strategy>,
    poissons: [Option<Poisson<f64>>; 4],
}

/// A worker's scratch space for one year.
struct YearWorker {
    sim: Worker,
    /// Per component: when its service was back after the current disaster (set for the
    /// components that run their runbook, read by those that share it).
    service: Vec<f64>,
    /// Per component of this disaster's type: its outcome, the outage, the write rate, the
    /// losses (cents).
    outcomes: Vec<Option<(Outcome, f64, f64, f64)>>,
    /// Per setting: downtime (s), losses and disaster spend (cents) of the year so far.
    year: Vec<(f64, f64, f64)>,
}

/// Years whose figures an accumulator holds before recording them into the tallies.
const PENDING_YEARS: usize = 4096;

/// The tallies of the first pass that every worker records into: per setting the annual
/// downtime (s) and losses ($), per component the RTO and RPO (ms) of its disasters. One lock
/// each; a tally's content does not depend on the order in which its values come (integer
/// counts and sums), so the result does not depend on which worker recorded first.
///
/// One set of these large histograms for the whole run, instead of one per accumulator, keeps
/// a plan's memory to one set (the accumulators merge only counters).
struct Sink {
    annual: Vec<Mutex<(Tally, Tally)>>,
    times: Vec<Mutex<(Tally, Tally)>>,
    /// Per setting: the setting whose annual downtime it records ([`Years::downtime_of`]);
    /// the others' downtime tallies are copies of it, made at the end.
    downtime_of: Vec<usize>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock means a worker panicked, which the runner passes on anyway.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Figures of recent years not yet recorded into the [`Sink`].
///
/// Recording them one by one as years end was most of a plan's time: each record lands in one
/// of 576 large histograms at random, a cache miss. Held back and recorded a few thousand at a
/// time, each tally's values in ascending order, the histograms' bins are visited in memory
/// order and each cache line serves several values; the tallies are exactly those of recording
/// every year as it ends.
struct Pending {
    /// Years held.
    years: usize,
    /// Per setting, [`PENDING_YEARS`] slots (allocated on the first year).
    downtime: Vec<u32>,
    loss: Vec<u32>,
    /// Per component.
    rto: Vec<Vec<u64>>,
    rpo: Vec<Vec<u64>>,
}

/// A worker's share of the first pass: the counters, and the figures not yet in the sink.
struct FirstAcc<'s> {
    sink: &'s Sink,
    /// Per component: how often the objectives were met (its times go to the sink).
    components: Vec<TypeStats>,
    /// Per setting: the disaster spend (cents) per year.
    spend: Vec<Total>,
    pending: Pending,
}

impl<'s> FirstAcc<'s> {
    fn new(sink: &'s Sink) -> FirstAcc<'s> {
        let components = sink.times.len();
        FirstAcc {
            sink,
            components: vec![TypeStats::new(); components],
            spend: vec![Total::default(); sink.annual.len()],
            pending: Pending {
                years: 0,
                downtime: Vec::new(),
                loss: Vec::new(),
                rto: vec![Vec::new(); components],
                rpo: vec![Vec::new(); components],
            },
        }
    }

    /// Adds one year's annual downtime (s) and losses ($) of every setting, in setting order.
    fn add_year(&mut self, figures: impl Iterator<Item = (u64, u64)>) {
        if self.pending.years == PENDING_YEARS {
            self.flush();
        }
        let p = &mut self.pending;
        if p.downtime.is_empty() {
            p.downtime = vec![0; self.spend.len() * PENDING_YEARS];
            p.loss = vec![0; self.spend.len() * PENDING_YEARS];
        }
        let k = p.years;
        for (i, (downtime, loss)) in figures.enumerate() {
            // Values from u32::MAX up (never in practice) are recorded at once; u32::MAX is
            // held in their place and skipped when flushing. Only the settings that record
            // their downtime hold it.
            let records = self.sink.downtime_of[i] == i;
            let (d, l) = (if records { hold(downtime) } else { 0 }, hold(loss));
            if d == u32::MAX || l == u32::MAX {
                let mut tallies = lock(&self.sink.annual[i]);
                if d == u32::MAX {
                    tallies.0.record(downtime);
                }
                if l == u32::MAX {
                    tallies.1.record(loss);
                }
            }
            if records {
                p.downtime[i * PENDING_YEARS + k] = d;
            }
            p.loss[i * PENDING_YEARS + k] = l;
        }
        p.years += 1;
    }

    /// Records every pending figure into the sink.
    fn flush(&mut self) {
        let p = &mut self.pending;
        let n = p.years;
        let downtime_of = &self.sink.downtime_of;
        // Only the settings that record their downtime hold it.
        let held_downtime = |i: usize| if downtime_of[i] == i { n } else { 0 };
        if n > 0 {
            for (i, (downtime, loss)) in p
                .downtime
                .chunks_exact_mut(PENDING_YEARS)
                .zip(p.loss.chunks_exact_mut(PENDING_YEARS))
                .enumerate()
            {
                downtime[..held_downtime(i)].sort_unstable();
                loss[..n].sort_unstable();
            }
            // u32::MAX stands for a value recorded already (it sorts last).
            fn held(figures: &[u32]) -> &[u32] {
                &figures[..figures.partition_point(|&v| v != u32::MAX)]
            }
            let (downtime, loss) = (&p.downtime, &p.loss);
            record_each(&self.sink.annual, |i, (d, l)| {
                let at = i * PENDING_YEARS;
                d.record_all_u32(held(&downtime[at..at + held_downtime(i)]));
                l.record_all_u32(held(&loss[at..at + n]));
            });
        }
        p.years = 0;
        for (rto, rpo) in p.rto.iter_mut().zip(&mut p.rpo) {
            rto.sort_unstable();
            rpo.sort_unstable();
        }
        let (rto, rpo) = (&p.rto, &p.rpo);
        record_each(&self.sink.times, |c, (r, o)| {
            r.record_all(rto[c].iter().copied());
            o.record_all(rpo[c].iter().copied());
        });
        for (rto, rpo) in p.rto.iter_mut().zip(&mut p.rpo) {
            rto.clear();
            rpo.clear();
        }
    }
}

/// Calls `record` with each of `locks`' contents under its lock, in the order the locks come
/// free: one that another worker holds is left for later instead of waited for, and waited for
/// only when every one left is held. Workers flush at about the same times and in the same
/// order, so waiting in order would have them record one after the other; the tallies do not
/// depend on the order of their records.
fn record_each<T>(locks: &[Mutex<T>], mut record: impl FnMut(usize, &mut T)) {
    let mut left: Vec<usize> = (0..locks.len()).collect();
    while let Some(&first) = left.first() {
        let before = left.len();
        left.retain(|&i| match locks[i].try_lock() {
            Ok(mut guard) => {
                record(i, &mut guard);
                false
            }
            Err(TryLockError::Poisoned(poisoned)) => {
                record(i, &mut poisoned.into_inner());
                false
            }
            Err(TryLockError::WouldBlock) => true,
        });
        if left.len() == before {
            record(first, &mut lock(&locks[first]));
            left.remove(0);
        }
    }
}

/// A value to hold back as `u32`; `u32::MAX` when it does not fit below it.
fn hold(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The first pass over some years: per component its outcomes, per setting its years.
#[derive(Clone, Debug)]
pub struct FirstPass {
    pub components: Vec<TypeStats>,
    pub annual: Vec<AnnualStats>,
}

impl FirstPass {
    /// Adds another pass over other years (exact).
    pub fn merge(&mut self, other: &FirstPass) {
        for (a, b) in self.components.iter_mut().zip(&other.components) {
            a.merge(b);
        }
        for (a, b) in self.annual.iter_mut().zip(&other.annual) {
            a.merge(b);
        }
    }
}

impl Merge for FirstAcc<'_> {
    /// Each accumulator's held figures go to the sink, the accumulators in parallel.
    fn finish(&mut self) {
        self.flush();
    }

    fn merge(&mut self, mut other: Self) {
        self.flush();
        other.flush();
        for (a, b) in self.components.iter_mut().zip(&other.components) {
            a.merge(b);
        }
        for (a, b) in self.spend.iter_mut().zip(&other.spend) {
            a.merge(b);
        }
    }
}

struct ExtraAcc(Vec<TypeStats>);

impl Merge for ExtraAcc {
    fn merge(&mut self, other: Self) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            a.merge(b);
        }
    }
}

impl<'a> Years<'a> {
    pub fn new(
        base: &'a Scenario,
        settings: &'a [Setting],
        prices: &Prices<'_>,
        seed: u64,
        threads: usize,
    ) -> Result<Years<'a>, PlanError> {
        let mut keys: Vec<Key> = Vec::new();
        let mut heads = Vec::new();
        let mut by_type: [Vec<usize>; 4] = Default::default();
        let mut of = Vec::with_capacity(settings.len());
        let mut compiled = Vec::new();
        let mut runs = Vec::new();
        for (i, setting) in settings.iter().enumerate() {
            let mut mine = [0; 4];
            let mut own: Option<Arc<Compiled>> = None;
            for d in Disaster::ALL {
                let (k, reads) = key(setting, d);
                mine[d.index()] = match keys.iter().position(|x| *x == k) {
                    Some(c) => c,
                    None => {
                        let runbook = k.runbook();
                        runs.push(
                            keys.iter()
                                .position(|x| x.runbook() == runbook)
                                .unwrap_or(keys.len()),
                        );
                        keys.push(k);
                        heads.push((d, i, reads));
                        by_type[d.index()].push(heads.len() - 1);
                        let setting_compiled = match &own {
                            Some(c) => Arc::clone(c),
                            None => Arc::new(Compiled::new(&setting.scenario)?),
                        };
                        own = Some(Arc::clone(&setting_compiled));
                        compiled.push(setting_compiled);
                        heads.len() - 1
                    }
                };
            }
            of.push(mine);
        }
        let mut disaster_prices = Vec::with_capacity(settings.len());
        for setting in settings {
            let config = &setting.scenario.strategies[setting.strategy.index()];
            disaster_prices.push(DisasterPrices::new(&setting.scenario, config, prices)?);
        }
        let of_type = Disaster::ALL.map(|d| of.iter().map(|o| o[d.index()] as u32).collect());
        let run_tuples: Vec<[usize; 4]> = of.iter().map(|o| o.map(|c| runs[c])).collect();
        let downtime_of = run_tuples
            .iter()
            .map(|t| run_tuples.iter().position(|x| x == t).unwrap_or(0))
            .collect();
        Ok(Years {
            base,
            settings,
            seed,
            threads,
            of,
            of_type,
            heads,
            by_type,
            compiled,
            runs,
            downtime_of,
            prices: disaster_prices,
            strategies: settings.iter().map(|s| s.strategy).collect(),
            poissons: base
                .disasters
                .each_ref()
                .map(|d| Poisson::new(d.annual_rate).ok()),
        })
    }

    /// Setting `i`'s component for each disaster type.
    pub fn components_of(&self, i: usize) -> [usize; 4] {
        self.of[i]
    }

    /// The number of disasters of each type in a year.
    fn counts(&self, year: u64) -> [u64; 4] {
        let mut rng = stream_rng(self.seed, year, STREAM_YEAR);
        self.poissons
            .each_ref()
            .map(|p| p.as_ref().map_or(0, |p| p.sample(&mut rng) as u64))
    }

    /// Disaster `index` of type `disaster`, drawn once for every component of the type: a
    /// trial's draws do not depend on the knobs of a setting (the backup phase is a share of
    /// the interval of the setting that recovers; [`Compiled::outcome`]).
    fn trial(&self, disaster: Disaster, index: u64) -> Option<Trial> {
        let &c = self.by_type[disaster.index()].first()?;
        Some(self.compiled[c].trial(self.base, self.seed, index, Some(disaster)))
    }

    /// When component `c`'s service is back after a trial: its own runbook run, or the time
    /// of the component it shares its runbook with (`service`, filled in component order).
    fn service_back(&self, c: usize, trial: &Trial, worker: &mut Worker, service: &[f64]) -> f64 {
        let run = self.runs[c];
        if run < c {
            return service[run];
        }
        let strategy = self.settings[self.heads[c].1].strategy;
        self.compiled[c].service_back(trial, strategy, worker)
    }

    /// Component `c`'s outcome of a trial, once its service is back after `recovery` seconds.
    fn outcome(&self, c: usize, trial: &Trial, recovery: f64) -> Outcome {
        let setting = &self.settings[self.heads[c].1];
        self.compiled[c].outcome(&setting.scenario, trial, setting.strategy, recovery)
    }

    fn objective(&self, disaster: Disaster) -> &Objective {
        &self.base.objectives.by_disaster[disaster.index()]
    }

    /// Every setting over years `0..years`: the components' outcomes and each setting's years.
    pub fn first(
        &self,
        years: u64,
        progress: Option<&AtomicU64>,
    ) -> Result<(Vec<super::Component>, Vec<AnnualStats>), PlanError> {
        let pass = self.first_pass(0..years, progress)?;
        Ok(self.components(pass, years))
    }

    /// Every setting over the years of `range` only (whole chunks of [`YEARS_PER_CHUNK`] years
    /// on the same boundaries as the whole run): a shard of the first pass. Passes over ranges
    /// that cover `0..n` merge exactly into the pass over `0..n`.
    pub fn first_pass(
        &self,
        range: std::ops::Range<u64>,
        progress: Option<&AtomicU64>,
    ) -> Result<FirstPass, PlanError> {
        let config = RunConfig {
            trials: range.end,
            chunk_size: YEARS_PER_CHUNK,
            threads: self.threads,
        };
        let tallies = |n| {
            (0..n)
                .map(|_| Mutex::new((Tally::new(), Tally::new())))
                .collect()
        };
        let sink = Sink {
            annual: tallies(self.settings.len()),
            times: tallies(self.heads.len()),
            downtime_of: self.downtime_of.clone(),
        };
        let acc = runner::run_range(
            &config,
            range,
            || FirstAcc::new(&sink),
            || YearWorker {
                sim: Worker::new(),
                service: vec![0.0; self.heads.len()],
                outcomes: Vec::with_capacity(self.heads.len()),
                year: vec![(0.0, 0.0, 0.0); self.settings.len()],
            },
            |year, w, acc| self.live_year(year, w, acc),
            progress,
        )?;
        let (components, spend) = (acc.components, acc.spend);
        let inner =
            |m: Mutex<(Tally, Tally)>| m.into_inner().unwrap_or_else(PoisonError::into_inner);
        let mut annual: Vec<(Arc<Tally>, Tally)> = sink
            .annual
            .into_iter()
            .map(|m| {
                let (downtime, loss) = inner(m);
                (Arc::new(downtime), loss)
            })
            .collect();
        for (i, &first) in self.downtime_of.iter().enumerate() {
            if first != i {
                annual[i].0 = Arc::clone(&annual[first].0);
            }
        }
        Ok(FirstPass {
            components: components
                .into_iter()
                .zip(sink.times)
                .map(|(mut stats, times)| {
                    (stats.rto, stats.rpo) = inner(times);
                    stats
                })
                .collect(),
            annual: spend
                .into_iter()
                .zip(annual)
                .map(|(disaster_cost, (downtime, loss))| AnnualStats {
                    downtime,
                    loss,
                    disaster_cost,
                })
                .collect(),
        })
    }

    /// The shape a first pass of these settings has: (components, settings).
    pub fn shape(&self) -> (usize, usize) {
        (self.heads.len(), self.settings.len())
    }

    /// The components of a (merged) first pass over `years` years, and each setting's years.
    pub fn components(
        &self,
        pass: FirstPass,
        years: u64,
    ) -> (Vec<super::Component>, Vec<AnnualStats>) {
        let components = self
            .heads
            .iter()
            .zip(pass.components)
            .map(|(&(disaster, representative, reads), stats)| Component {
                disaster,
                representative,
                reads,
                stats,
                before_extra: None,
                years,
            })
            .collect();
        (components, pass.annual)
    }

    fn live_year(&self, year: u64, w: &mut YearWorker, acc: &mut FirstAcc) {
        let counts = self.counts(year);
        w.year.iter_mut().for_each(|y| *y = (0.0, 0.0, 0.0));
        w.outcomes.clear();
        w.outcomes.resize(self.heads.len(), None);
        let mut slot = 0u64;
        for disaster in Disaster::ALL {
            let objective = self.objective(disaster);
            for _ in 0..counts[disaster.index()] {
                let index = year * MAX_DISASTERS_PER_YEAR + slot.min(MAX_DISASTERS_PER_YEAR - 1);
                slot += 1;
                let Some(trial) = self.trial(disaster, index) else {
                    continue;
                };
                let (outage, write_rate) = (trial.outage(), trial.write_rate());
                for &c in &self.by_type[disaster.index()] {
                    let recovery = self.service_back(c, &trial, &mut w.sim, &w.service);
                    w.service[c] = recovery;
                    let outcome = self.outcome(c, &trial, recovery);
                    acc.components[c].record_meets(&outcome, objective);
                    acc.pending.rto[c].push(millis(outcome.rto));
                    acc.pending.rpo[c].push(millis(outcome.rpo));
                    let losses = self.prices[self.heads[c].1].losses(&outcome);
                    w.outcomes[c] = Some((outcome, outage, write_rate, losses));
                }
                let spends = DisasterPrices::spends(disaster);
                let of = &self.of_type[disaster.index()];
                for (i, (y, &c)) in w.year.iter_mut().zip(of).enumerate() {
                    // Every component of this type was just recovered.
                    let Some((outcome, outage, write_rate, losses)) = &w.outcomes[c as usize]
                    else {
                        continue;
                    };
                    y.0 += outcome.rto;
                    y.1 += losses;
                    if spends {
                        y.2 += self.prices[i].infrastructure(
                            disaster,
                            outcome,
                            *outage,
                            *write_rate,
                            self.strategies[i],
                        );
                    }
                }
            }
        }
        for (spend, y) in acc.spend.iter_mut().zip(&w.year) {
            spend.record(round_u64(y.2));
        }
        debug_assert!(
            (self.downtime_of.iter().enumerate())
                .all(|(i, &first)| w.year[i].0.to_bits() == w.year[first].0.to_bits()),
            "settings that run the same runbooks have the same downtime"
        );
        acc.add_year(
            w.year
                .iter()
                .map(|y| (round_u64(y.0), round_u64(y.1 / 100.0))),
        );
    }

    /// Adds years `start..start + more` to the components listed (only their disasters are
    /// simulated; the same streams as the first pass, so the result is as if they had been
    /// given more years from the start).
    pub fn extend(
        &self,
        components: &mut [Component],
        which: &[usize],
        start: u64,
        more: u64,
    ) -> Result<(), PlanError> {
        let config = RunConfig {
            trials: more,
            chunk_size: YEARS_PER_CHUNK,
            threads: self.threads,
        };
        // The components listed and those whose runbook they run, in component order.
        let mut run: Vec<usize> = which.iter().flat_map(|&c| [c, self.runs[c]]).collect();
        run.sort_unstable();
        run.dedup();
        let acc = runner::run(
            &config,
            || ExtraAcc(which.iter().map(|_| TypeStats::new()).collect()),
            || (Worker::new(), vec![0.0; self.heads.len()]),
            |i, (worker, service), acc| {
                let year = start + i;
                let counts = self.counts(year);
                let mut slot = 0u64;
                for disaster in Disaster::ALL {
                    for _ in 0..counts[disaster.index()] {
                        let index =
                            year * MAX_DISASTERS_PER_YEAR + slot.min(MAX_DISASTERS_PER_YEAR - 1);
                        slot += 1;
                        let mine = |&&c: &&usize| self.heads[c].0 == disaster;
                        if !run.iter().any(|c| mine(&c)) {
                            continue;
                        }
                        let Some(trial) = self.trial(disaster, index) else {
                            continue;
                        };
                        for &c in run.iter().filter(mine) {
                            service[c] = self.service_back(c, &trial, worker, service);
                        }
                        for (q, &c) in which.iter().enumerate().filter(|(_, c)| mine(c)) {
                            let outcome = self.outcome(c, &trial, service[c]);
                            acc.0[q].record(&outcome, self.objective(disaster));
                        }
                    }
                }
            },
            None,
        )?;
        for (&c, extra) in which.iter().zip(&acc.0) {
            let component = &mut components[c];
            if component.before_extra.is_none() {
                component.before_extra = Some(component.stats.clone());
            }
            component.stats.merge(extra);
            component.years += more;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_each_records_every_tally_once_and_a_held_one_last() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let locks: Vec<Mutex<Vec<usize>>> = (0..5).map(|_| Mutex::new(Vec::new())).collect();
        let order = Mutex::new(Vec::new());
        let recorded = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            // Another worker holds tally 2 until the others are recorded (or, should record_each
            // wait in order, until it gives up waiting and lets it go).
            let held = lock(&locks[2]);
            let worker = scope.spawn(|| {
                record_each(&locks, |i, tally| {
                    tally.push(i);
                    lock(&order).push(i);
                    recorded.fetch_add(1, Ordering::SeqCst);
                });
            });
            let mut spins = 0u64;
            while recorded.load(Ordering::SeqCst) < 4 && spins < 10_000_000 {
                std::thread::yield_now();
                spins += 1;
            }
            drop(held);
            worker.join().unwrap();
        });
        for (i, l) in locks.iter().enumerate() {
            assert_eq!(*lock(l), vec![i]);
        }
        assert_eq!(*lock(&order), vec![0, 1, 3, 4, 2]);
    }

    #[test]
    fn held_back_figures_make_the_tallies_of_recording_each_year() {
        // Two settings, more years than are held back at once, values at and beyond u32::MAX
        // (recorded at once) among ordinary ones.
        let tallies = |n| {
            (0..n)
                .map(|_| Mutex::new((Tally::new(), Tally::new())))
                .collect()
        };
        let sink = Sink {
            annual: tallies(2),
            times: tallies(0),
            downtime_of: vec![0, 1],
        };
        let mut direct = [(Tally::new(), Tally::new()), (Tally::new(), Tally::new())];
        let mut acc = FirstAcc::new(&sink);
        let mut rng = stream_rng(7, 0, 0);
        for year in 0..(2 * PENDING_YEARS as u64 + 5) {
            let big = match year % 1000 {
                3 => u64::from(u32::MAX),
                4 => u64::from(u32::MAX) + 1,
                5 => u64::MAX,
                _ => 0,
            };
            let mut figure = || {
                let u = sim_core::dist::unit_f64(&mut rng);
                big.max((u * u * 1e7) as u64)
            };
            let figures = [(figure(), figure()), (figure(), year)];
            for (d, f) in direct.iter_mut().zip(figures) {
                d.0.record(f.0);
                d.1.record(f.1);
            }
            acc.add_year(figures.into_iter());
        }
        acc.flush();
        for (m, d) in sink.annual.iter().zip(&direct) {
            let held = lock(m);
            assert!(held.0.same_as(&d.0) && held.1.same_as(&d.1));
            assert_eq!(held.0.count(), 2 * PENDING_YEARS as u64 + 5);
        }
    }

    #[test]
    fn one_draw_and_shared_runbooks_give_each_components_own_recovery() {
        // Every component of the reference, recovered as the simulator recovers its
        // representative setting (the trial drawn from the setting's scenario, its own
        // runbook run), against the plan's way: one trial per disaster for every component,
        // one run per runbook shared by components that differ only in backup knobs.
        let base = scenarios::reference().expect("reference");
        let catalog = pricing::Catalog::embedded().expect("embedded catalog");
        let prices = Prices::new(
            &catalog,
            &base.recovery_region,
            base.pricing.fallback_region.as_deref(),
        );
        let settings = crate::settings(&base, &prices);
        let years = Years::new(&base, &settings, &prices, 3, 1).expect("years");
        let shared = (0..years.heads.len()).filter(|&c| years.runs[c] < c);
        assert!(shared.count() >= 10, "the reference shares runbooks");
        let (mut worker, mut service) = (Worker::new(), vec![f64::NAN; years.heads.len()]);
        let mut primary_first = 0;
        for index in 0..200 {
            for disaster in Disaster::ALL {
                let trial = years.trial(disaster, index).expect("a component");
                for &c in &years.by_type[disaster.index()] {
                    service[c] = years.service_back(c, &trial, &mut worker, &service);
                    let planned = years.outcome(c, &trial, service[c]);
                    let setting = &settings[years.heads[c].1];
                    let compiled = &years.compiled[c];
                    let own = compiled.trial(&setting.scenario, 3, index, Some(disaster));
                    let mut direct =
                        compiled.recover(&setting.scenario, &own, setting.strategy, &mut worker);
                    direct.failback = None;
                    assert_eq!(planned, direct, "component {c}, trial {index}");
                    primary_first += u32::from(direct.primary_first);
                }
            }
        }
        assert!(primary_first > 0);
    }
}
