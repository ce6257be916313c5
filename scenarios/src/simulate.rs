//! Trials: one disaster each, recovered by all four strategies (common random numbers).
//!
//! Per trial the disaster is drawn once from stream 0 of `(seed, trial)`: its type, the hour of
//! day, where it falls in the backup cycle, the link bandwidth, congestion of the recovery
//! region, how long the primary stays down, how long damage went unnoticed, and the replication
//! lag of each replicated dataset. The replication queue (stream 1) and the backup timeline
//! (stream 2) are drawn from their own streams so every strategy sees the same ones. Each
//! strategy then runs its runbook on stream 16, restarted for each strategy so that steps they
//! share draw alike.

use std::cell::OnceCell;
use std::sync::atomic::AtomicU64;

use sim_core::dist::unit_f64;
use sim_core::engine::{Engine, Runbook, StepId};
use sim_core::queue;
use sim_core::rng::{SimRng, stream_rng};
use sim_core::runner::{self, Merge, RunConfig};
use sim_core::stats::{Proportion, Tally, Total, millis};

use crate::error::ScenarioError;
use crate::model::{Failover, Scenario, StrategyConfig};
use crate::names::{Disaster, EngineFamily, RestorePoint, Strategy};
use crate::runbooks::{self, Action, Bindings, StepDef, params};

/// Trials per work chunk (fixed so the split never depends on the thread count).
pub const CHUNK_SIZE: u64 = 4096;

const STREAM_DISASTER: u64 = 0;
const STREAM_REPLICATION: u64 = 1;
const STREAM_BACKUPS: u64 = 2;
const STREAM_RECOVERY: u64 = 16;

/// How to run.
pub struct RunOptions<'a> {
    pub trials: u64,
    pub seed: u64,
    pub threads: usize,
    /// Counts finished trials, for a progress bar.
    pub progress: Option<&'a AtomicU64>,
}

impl RunOptions<'_> {
    /// The runner's configuration: chunks of [`CHUNK_SIZE`] trials.
    fn config(&self) -> RunConfig {
        RunConfig {
            trials: self.trials,
            chunk_size: CHUNK_SIZE,
            threads: self.threads,
        }
    }
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Run(#[from] runner::RunError),
}

/// The compiled runbooks of a scenario.
pub struct Compiled {
    /// `[strategy][disaster]`: the steps the service waits for, when some run in the background
    /// (`None`: every step counts).
    foreground: Vec<Vec<Option<Vec<StepId>>>>,
    /// `[strategy][disaster]`.
    recovery: Vec<Vec<Runbook>>,
    /// Per strategy; multi-site fails back without downtime (weights restored gradually).
    failback: Vec<Option<(Runbook, Vec<StepId>)>>,
    /// `[strategy][disaster]` step names, in runbook order.
    pub step_names: Vec<Vec<Vec<String>>>,
    /// `[strategy][disaster]`: an earlier strategy whose runbook for this disaster is the same
    /// (shared runbooks bound to the same knobs). On the same random stream it gives the same
    /// outcome, so its result is reused instead of simulated again.
    same_as: Vec<[Option<usize>; 4]>,
    /// Whether some dataset is not replicated (replicated strategies restore it from backups).
    unreplicated_data: bool,
    /// Names of the parts whose region-loss RPO is recorded apart: the database, then each
    /// dataset in scenario order.
    pub rpo_part_names: Vec<String>,
    /// Cumulative shares of the disaster types' annual rates, to draw a type.
    cumulative: [f64; 4],
}

impl Compiled {
    /// Compiles every runbook of the scenario.
    pub fn new(scenario: &Scenario) -> Result<Compiled, ScenarioError> {
        let mut recovery = Vec::new();
        let mut foreground = Vec::new();
        let mut failback = Vec::new();
        let mut step_names = Vec::new();
        for config in &scenario.strategies {
            let mut per_disaster = Vec::new();
            let mut names = Vec::new();
            let mut service = Vec::new();
            for disaster in Disaster::ALL {
                let (steps, key) = match disaster {
                    Disaster::RegionLoss => (
                        &config.runbook,
                        format!("strategies.{}.runbook", config.strategy.name()),
                    ),
                    Disaster::AzLoss => (&scenario.az_loss_runbook, "runbooks.az-loss".to_string()),
                    Disaster::Corruption => (
                        &scenario.corruption_runbook,
                        "runbooks.corruption".to_string(),
                    ),
                    Disaster::Ransomware => (
                        &scenario.ransomware_runbook,
                        "runbooks.ransomware".to_string(),
                    ),
                };
                let decision = if disaster == Disaster::RegionLoss {
                    config.failover
                } else {
                    Failover::Manual
                };
                per_disaster.push(runbooks::compile(
                    steps,
                    &Bindings {
                        scenario,
                        config,
                        decision,
                    },
                    &key,
                )?);
                names.push(steps.iter().map(|s| s.name.clone()).collect());
                service.push(service_steps(steps));
            }
            recovery.push(per_disaster);
            foreground.push(service);
            step_names.push(names);
            failback.push(if config.strategy == Strategy::MultiSite {
                None
            } else {
                let bindings = Bindings {
                    scenario,
                    config,
                    decision: Failover::Manual,
                };
                let runbook =
                    runbooks::compile(&scenario.failback_runbook, &bindings, "runbooks.failback")?;
                Some((runbook, resync_steps(&scenario.failback_runbook)))
            });
        }
        let same_as = scenario
            .strategies
            .iter()
            .enumerate()
            .map(|(s, config)| {
                Disaster::ALL.map(|d| {
                    let steps = match d {
                        Disaster::RegionLoss => return None,
                        Disaster::AzLoss => &scenario.az_loss_runbook,
                        Disaster::Corruption => &scenario.corruption_runbook,
                        Disaster::Ransomware => &scenario.ransomware_runbook,
                    };
                    let knobs = |c: &StrategyConfig| shared_runbook_knobs(steps, c);
                    (0..s).find(|&earlier| knobs(&scenario.strategies[earlier]) == knobs(config))
                })
            })
            .collect();
        let unreplicated_data = scenario.data.iter().any(|d| d.replication_lag.is_none());
        let rpo_part_names = std::iter::once("database".to_string())
            .chain(scenario.data.iter().map(|d| d.name.clone()))
            .collect();
        let total_rate: f64 = scenario.disasters.iter().map(|d| d.annual_rate).sum();
        let mut cumulative = [0.0; 4];
        let mut acc = 0.0;
        for (i, d) in scenario.disasters.iter().enumerate() {
            acc += d.annual_rate / total_rate;
            cumulative[i] = acc;
        }
        Ok(Compiled {
            recovery,
            foreground,
            failback,
            step_names,
            same_as,
            unreplicated_data,
            rpo_part_names,
            cumulative,
        })
    }

    /// The compiled recovery runbook of a strategy for a disaster type.
    pub fn runbook(&self, strategy: Strategy, disaster: Disaster) -> Option<&Runbook> {
        self.recovery.get(strategy.index())?.get(disaster.index())
    }
}

/// What a shared runbook reads from its strategy when compiled (see `runbooks::compile`): the
/// health-check interval if it detects, the running fraction if it scales out, the replica size
/// if it resizes, the database replication if it fails a global database over. Decisions in
/// shared runbooks are always manual. Strategies with equal knobs get identical runbooks.
pub fn shared_runbook_knobs(steps: &[StepDef], c: &StrategyConfig) -> [Option<u64>; 4] {
    let uses = |f: fn(&Action) -> bool| steps.iter().any(|s| s.duration.is_none() && f(&s.action));
    [
        uses(|a| *a == Action::Detect).then(|| c.health_check_interval.to_bits()),
        uses(|a| matches!(a, Action::ScaleOut(_))).then(|| c.running_fraction.to_bits()),
        uses(|a| *a == Action::ResizeDatabase).then(|| c.replica_fraction.to_bits()),
        uses(|a| *a == Action::GlobalFailover).then_some(c.database_replication as u64),
    ]
}

/// The steps that are not in the background, if some are.
fn service_steps(steps: &[StepDef]) -> Option<Vec<StepId>> {
    steps.iter().any(|s| s.background).then(|| {
        steps
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.background)
            .map(|(i, _)| StepId(i as u32))
            .collect()
    })
}

fn resync_steps(steps: &[StepDef]) -> Vec<StepId> {
    steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.action == Action::Resync)
        .map(|(i, _)| StepId(i as u32))
        .collect()
}

/// How often one runbook step was on the critical path, and how much time it contributed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepStat {
    pub on_path: u64,
    /// Milliseconds contributed, over the trials where it was on the path.
    pub contribution: Total,
}

/// Everything recorded for one strategy under one disaster type. Times in milliseconds.
#[derive(Clone, Debug)]
pub struct Cell {
    pub rto: Tally,
    pub rpo: Tally,
    /// Downtime of the switch back to the primary, when a failover happened.
    pub failback: Tally,
    pub meets_rto: Proportion,
    pub meets_rpo: Proportion,
    pub meets_both: Proportion,
    /// Trials where the primary came back (with its data) before the failover completed.
    pub primary_first: u64,
    /// Trials with no usable backup within retention (data lost back to the retention limit).
    pub no_usable_backup: u64,
    pub steps: Vec<StepStat>,
    /// Region loss only (empty for the other types): the RPO of each part of the data, the
    /// database first, then each dataset (`Results::rpo_part_names`). Each trial's RPO is the
    /// largest of its parts.
    pub rpo_parts: Vec<Tally>,
}

impl Cell {
    fn new(steps: usize, parts: usize) -> Cell {
        Cell {
            rto: Tally::new(),
            rpo: Tally::new(),
            failback: Tally::new(),
            meets_rto: Proportion::default(),
            meets_rpo: Proportion::default(),
            meets_both: Proportion::default(),
            primary_first: 0,
            no_usable_backup: 0,
            steps: vec![StepStat::default(); steps],
            rpo_parts: vec![Tally::new(); parts],
        }
    }

    /// Adds another cell's records (steps only when both have the same runbook).
    pub fn merge(&mut self, other: &Cell) {
        self.rto.merge(&other.rto);
        self.rpo.merge(&other.rpo);
        self.failback.merge(&other.failback);
        self.meets_rto.merge(&other.meets_rto);
        self.meets_rpo.merge(&other.meets_rpo);
        self.meets_both.merge(&other.meets_both);
        self.primary_first += other.primary_first;
        self.no_usable_backup += other.no_usable_backup;
        if self.steps.len() == other.steps.len() {
            for (a, b) in self.steps.iter_mut().zip(&other.steps) {
                a.on_path += b.on_path;
                a.contribution.merge(&b.contribution);
            }
        }
        if self.rpo_parts.len() == other.rpo_parts.len() {
            for (a, b) in self.rpo_parts.iter_mut().zip(&other.rpo_parts) {
                a.merge(b);
            }
        }
    }
}

/// The accumulated results of a run.
#[derive(Clone, Debug)]
pub struct Results {
    pub trials: u64,
    /// `[strategy][disaster]`.
    pub cells: Vec<Vec<Cell>>,
    /// `faster[i][j]`: trials where strategy i recovered strictly faster than j.
    pub faster: [[u64; 4]; 4],
    /// Trials whose replication queue was overloaded (load ≥ bandwidth).
    pub replication_overloaded: u64,
    /// `[strategy][disaster]` runbook step names.
    pub step_names: Vec<Vec<Vec<String>>>,
    /// Names of the parts of the region-loss RPO (`Cell::rpo_parts`).
    pub rpo_part_names: Vec<String>,
}

impl Results {
    /// Empty results for a compiled scenario (no trial yet).
    pub fn new(compiled: &Compiled) -> Results {
        Results {
            trials: 0,
            cells: compiled
                .step_names
                .iter()
                .map(|per| {
                    per.iter()
                        .zip(Disaster::ALL)
                        .map(|(names, d)| {
                            let parts = if d == Disaster::RegionLoss {
                                compiled.rpo_part_names.len()
                            } else {
                                0
                            };
                            Cell::new(names.len(), parts)
                        })
                        .collect()
                })
                .collect(),
            faster: [[0; 4]; 4],
            replication_overloaded: 0,
            step_names: compiled.step_names.clone(),
            rpo_part_names: compiled.rpo_part_names.clone(),
        }
    }

    /// One strategy over all disaster types (each trial judged against its own type's objectives).
    pub fn overall(&self, strategy: Strategy) -> Cell {
        let mut all = Cell::new(0, 0);
        for cell in &self.cells[strategy.index()] {
            all.merge(cell);
        }
        all
    }

    /// Trials of each disaster type.
    pub fn disaster_trials(&self, disaster: Disaster) -> u64 {
        self.cells[0][disaster.index()].rto.count()
    }
}

impl Merge for Results {
    fn merge(&mut self, other: Self) {
        self.trials += other.trials;
        for (mine, theirs) in self.cells.iter_mut().zip(&other.cells) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.merge(b);
            }
        }
        for i in 0..4 {
            for j in 0..4 {
                self.faster[i][j] += other.faster[i][j];
            }
        }
        self.replication_overloaded += other.replication_overloaded;
    }
}

/// Figures held back per tally and recorded into it a batch at a time.
///
/// A trial records into a dozen of the run's histograms, each some thousands of bins (tens of
/// kilobytes) that other work evicts from the caches before the histogram's next record; one at
/// a time, nearly every record misses. Recorded [`HELD`] at a time per tally, each bin's cache
/// line serves several figures of the batch. Up to 64 KB per tally are held (a few MB per
/// worker). The tallies are exactly those of recording each figure as it comes (a tally's
/// records commute).
///
/// A strategy that reuses an earlier one's outcome for a disaster type (`Compiled::same_as`)
/// records nothing for it during the run: its cell would be the earlier strategy's, figure for
/// figure, so [`Recorder::into_results`] copies that cell.
struct Recorder {
    results: Results,
    /// `Compiled::same_as`: cells copied from an earlier strategy's at the end.
    same_as: Vec<[Option<usize>; 4]>,
    /// Per tally ([`Recorder::slot`]), the figures not yet recorded.
    held: Vec<Vec<u32>>,
    /// Tallies per cell: RTO, RPO, failback, then the region-loss RPO parts.
    per_cell: usize,
}

/// Figures held per tally before they are recorded (4,096 measured ~5 % slower on the
/// yardstick bench; docs/performance.md).
const HELD: usize = 16384;

/// Which tally of a cell a figure goes to.
#[derive(Clone, Copy)]
enum Figure {
    Rto,
    Rpo,
    Failback,
    RpoPart(usize),
}

impl Recorder {
    fn new(compiled: &Compiled) -> Recorder {
        let results = Results::new(compiled);
        let per_cell = 3 + compiled.rpo_part_names.len();
        Recorder {
            held: vec![Vec::new(); 16 * per_cell],
            results,
            same_as: compiled.same_as.clone(),
            per_cell,
        }
    }

    /// The tally's index in `held` (`None` for a part the results do not have).
    fn slot(&self, s: usize, d: usize, figure: Figure) -> Option<usize> {
        let k = match figure {
            Figure::Rto => 0,
            Figure::Rpo => 1,
            Figure::Failback => 2,
            Figure::RpoPart(i) if 3 + i < self.per_cell => 3 + i,
            Figure::RpoPart(_) => return None,
        };
        Some((s * 4 + d) * self.per_cell + k)
    }

    fn tally(results: &mut Results, per_cell: usize, slot: usize) -> Option<&mut Tally> {
        let (cell, k) = (slot / per_cell, slot % per_cell);
        let cell = results.cells.get_mut(cell / 4)?.get_mut(cell % 4)?;
        match k {
            0 => Some(&mut cell.rto),
            1 => Some(&mut cell.rpo),
            2 => Some(&mut cell.failback),
            k => cell.rpo_parts.get_mut(k - 3),
        }
    }

    /// Records `value` (milliseconds) into a tally of cell `[s][d]`, now or with its batch.
    fn record(&mut self, s: usize, d: usize, figure: Figure, value: u64) {
        let Some(slot) = self.slot(s, d, figure) else {
            return;
        };
        match (u32::try_from(value), self.held.get_mut(slot)) {
            (Ok(v), Some(held)) => {
                if held.capacity() == 0 {
                    held.reserve_exact(HELD);
                }
                held.push(v);
                if held.len() == HELD {
                    self.flush(slot);
                }
            }
            _ => {
                if let Some(t) = Self::tally(&mut self.results, self.per_cell, slot) {
                    t.record(value);
                }
            }
        }
    }

    /// The results, every held figure recorded, and the cells of strategies that reused an
    /// earlier strategy's outcomes copied from that strategy's.
    fn into_results(mut self) -> Results {
        self.finish();
        for (s, per_disaster) in self.same_as.iter().enumerate() {
            for (d, earlier) in per_disaster.iter().enumerate() {
                if let Some(&e) = earlier.as_ref().filter(|&&e| e < s) {
                    let cell = self.results.cells[e][d].clone();
                    self.results.cells[s][d] = cell;
                }
            }
        }
        self.results
    }

    fn flush(&mut self, slot: usize) {
        let Some(held) = self.held.get_mut(slot) else {
            return;
        };
        if let Some(t) = Self::tally(&mut self.results, self.per_cell, slot) {
            t.record_all_u32(held);
        }
        held.clear();
    }
}

impl Merge for Recorder {
    fn merge(&mut self, mut other: Self) {
        other.finish();
        self.results.merge(other.results);
    }

    fn finish(&mut self) {
        for slot in 0..self.held.len() {
            self.flush(slot);
        }
    }
}

/// Scratch space of one worker thread, reused across its trials.
pub struct Worker {
    engine: Engine,
    /// Critical path of each strategy's last recovery ([`Compiled::recover`]; in a trial, a
    /// strategy that reuses an earlier one's outcome is not recovered: its path is that one's).
    pub paths: [Vec<(StepId, f64)>; 4],
    params: [f64; params::COUNT],
    /// Each dataset's replication lag in the current trial (region loss).
    data_lags: Vec<f64>,
    /// The RPO of each part of the data for the current strategy (region loss).
    rpo_parts: Vec<f64>,
}

impl Worker {
    pub fn new() -> Worker {
        Worker {
            engine: Engine::new(),
            paths: Default::default(),
            params: [1.0; params::COUNT],
            data_lags: Vec::new(),
            rpo_parts: Vec::new(),
        }
    }
}

impl Worker {
    /// The engine after the last runbook it ran: each step's start and finish (per-step time
    /// budgets, `drsim export`).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

impl Default for Worker {
    fn default() -> Self {
        Worker::new()
    }
}

/// What one disaster looks like, drawn once per trial.
struct DisasterDraw {
    disaster: Disaster,
    hour: usize,
    /// Where the disaster falls in the backup cycle, as a share of the interval (the phase is
    /// this times the interval of the setting that recovers, so one draw serves every setting).
    backup_fraction: f64,
    bandwidth: f64,
    outage: f64,
    congested: bool,
    launch_slowdown: f64,
    throughput_factor: f64,
    dwell: f64,
    /// Outage and dwell of every type, so a forced type finds its own.
    outages: [f64; 4],
    dwells: [f64; 4],
    /// Largest replication lag among replicated datasets, seconds.
    data_lag: f64,
    /// Stream 0 just before the datasets' lags were drawn, to draw them again one by one
    /// ([`Trial::data_lags`]) without keeping a list per trial.
    lags_rng: SimRng,
    /// Mean write rate at the workload's level this time (before the hour's multiplier), bytes/s.
    write_rate: f64,
    /// Restore bandwidth of the recovery region before congestion, bytes/s.
    restore_bandwidth: f64,
    /// The database replica's apply delay, seconds.
    apply_lag: f64,
    /// Age of the latest point-in-time-restorable instant, seconds.
    restorable_lag: f64,
}

impl DisasterDraw {
    /// Seconds since the latest backup started, under the scenario's backup interval (the very
    /// product `unit × interval` the draw used to take, so results are unchanged).
    fn backup_phase(&self, scenario: &Scenario) -> f64 {
        self.backup_fraction * scenario.backups.interval
    }
}

/// Runs the scenario.
pub fn simulate(scenario: &Scenario, options: &RunOptions<'_>) -> Result<Results, SimulateError> {
    simulate_range(scenario, options, 0..options.trials)
}

/// The trials of shard `index` (1-based) of `count` in a run of `trials` trials: a contiguous
/// run of whole chunks of [`CHUNK_SIZE`] trials (the last one possibly short), the chunks split
/// as evenly as possible, earlier shards taking no more than later ones. The shards of a run
/// cover its trials exactly once; a shard may be empty when there are more shards than chunks.
/// `None` when `index` is not in `1..=count`.
pub fn shard_range(trials: u64, index: u64, count: u64) -> Option<std::ops::Range<u64>> {
    shard_range_in(trials, index, count, CHUNK_SIZE)
}

/// [`shard_range`] for work cut in chunks of `chunk` units (e.g. the planner's simulated years).
pub fn shard_range_in(
    total: u64,
    index: u64,
    count: u64,
    chunk: u64,
) -> Option<std::ops::Range<u64>> {
    if index == 0 || index > count || chunk == 0 {
        return None;
    }
    let chunks = u128::from(total.div_ceil(chunk));
    let bound = |k: u64| {
        let c = (chunks * u128::from(k) / u128::from(count)) as u64;
        c.saturating_mul(chunk).min(total)
    };
    Some(bound(index - 1)..bound(index))
}

/// Runs the trials of `range` only (`options.trials` is ignored); merging the results of ranges
/// that cover `0..n` gives exactly the results of a run of `n` trials.
pub fn simulate_range(
    scenario: &Scenario,
    options: &RunOptions<'_>,
    range: std::ops::Range<u64>,
) -> Result<Results, SimulateError> {
    let compiled = Compiled::new(scenario)?;
    let config = options.config();
    let results = runner::run_range(
        &config,
        range,
        || Recorder::new(&compiled),
        Worker::new,
        |trial, worker, results| {
            run_trial(
                scenario,
                &compiled,
                options.seed,
                trial,
                worker,
                results,
                None,
            );
        },
        options.progress,
    )?;
    Ok(results.into_results())
}

/// One trial as drawn and recovered, for users' own analyses (`drsim simulate --samples`).
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub trial: u64,
    pub disaster: Disaster,
    /// Per strategy, in [`Strategy::ALL`] order.
    pub outcomes: [SampleOutcome; 4],
}

/// What one strategy achieved on a sampled trial.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleOutcome {
    /// Seconds.
    pub rto: f64,
    /// Seconds.
    pub rpo: f64,
    /// The step that added the most time on the critical path (first of equals); `None` when
    /// the primary came back before the recovery finished (RTO = outage, no path).
    pub critical: Option<StepId>,
}

/// Runs the trials of `range` as [`simulate_range`] does (the same results, bit for bit) and
/// streams every trial's [`Sample`] to `sink`, in trial order, a chunk at a time; memory stays
/// flat. The compiled runbooks name the critical steps ([`Compiled::runbook`]). A `sink` error
/// stops the run.
pub fn simulate_range_sampled<E: Send>(
    scenario: &Scenario,
    options: &RunOptions<'_>,
    range: std::ops::Range<u64>,
    mut sink: impl FnMut(&Compiled, &[Sample]) -> Result<(), E> + Send,
) -> Result<Result<Results, E>, SimulateError> {
    let compiled = Compiled::new(scenario)?;
    let config = options.config();
    let results = runner::run_range_streamed(
        &config,
        range,
        || Recorder::new(&compiled),
        Worker::new,
        |trial, worker, results, samples| {
            run_trial(
                scenario,
                &compiled,
                options.seed,
                trial,
                worker,
                results,
                Some(samples),
            );
        },
        |samples: &[Sample]| sink(&compiled, samples),
        options.progress,
    )?;
    Ok(results.map(Recorder::into_results))
}

fn draw_disaster(scenario: &Scenario, cumulative: &[f64; 4], rng: &mut SimRng) -> DisasterDraw {
    let u = unit_f64(rng);
    let index = cumulative.iter().position(|c| u < *c).unwrap_or(3);
    let disaster = Disaster::ALL[index];
    let hour = ((unit_f64(rng) * 24.0) as usize).min(23);
    let backup_fraction = unit_f64(rng);
    let bandwidth = scenario.replication.bandwidth.sample(rng);
    // Every draw below happens whatever the type, so streams stay aligned across types.
    let region = &scenario.disasters[Disaster::RegionLoss.index()];
    let region_outage = region
        .outage
        .as_ref()
        .map_or(f64::INFINITY, |d| d.sample(rng));
    let az_outage = scenario.disasters[Disaster::AzLoss.index()]
        .outage
        .as_ref()
        .map_or(f64::INFINITY, |d| d.sample(rng));
    let (congested, launch_slowdown, throughput_factor) = match &region.congestion {
        Some(c) => {
            let congested = unit_f64(rng) < c.probability;
            let slowdown = c.launch_slowdown.sample(rng);
            let throughput = c.throughput_factor.sample(rng);
            (congested, slowdown, throughput)
        }
        None => (false, 1.0, 1.0),
    };
    let corruption_dwell = scenario.disasters[Disaster::Corruption.index()]
        .dwell
        .as_ref()
        .map_or(0.0, |d| d.sample(rng));
    let ransomware_dwell = scenario.disasters[Disaster::Ransomware.index()]
        .dwell
        .as_ref()
        .map_or(0.0, |d| d.sample(rng));
    let lags_rng = rng.clone();
    let mut data_lag: f64 = 0.0;
    for data in &scenario.data {
        if let Some(lag) = &data.replication_lag {
            data_lag = data_lag.max(lag.sample(rng));
        }
    }
    let write_rate = scenario.database.write_rate.sample(rng);
    let restore_bandwidth = scenario.restore.bandwidth.sample(rng);
    let apply_lag = scenario.replication.apply_lag.sample(rng);
    let restorable_lag = scenario.backups.continuous.lag.sample(rng);
    let (outage, dwell) = match disaster {
        Disaster::RegionLoss => (region_outage, 0.0),
        Disaster::AzLoss => (az_outage, 0.0),
        Disaster::Corruption => (f64::INFINITY, corruption_dwell),
        Disaster::Ransomware => (f64::INFINITY, ransomware_dwell),
    };
    DisasterDraw {
        disaster,
        hour,
        backup_fraction,
        bandwidth,
        outage,
        congested,
        launch_slowdown,
        throughput_factor,
        dwell,
        outages: [region_outage, az_outage, f64::INFINITY, f64::INFINITY],
        dwells: [0.0, 0.0, corruption_dwell, ransomware_dwell],
        data_lag,
        lags_rng,
        write_rate,
        restore_bandwidth,
        apply_lag,
        restorable_lag,
    }
}

/// The longest history the replication queue may simulate in a trial (the queue itself stops
/// at 30 busy-period decay times when stable): the user's `max-window`, else ("auto") at most
/// `MAX_WINDOW_BURSTS` expected bursts, or `OVERLOAD_WINDOW` when the load reaches the
/// bandwidth. Rates in bursts/s.
fn queue_window_cap(scenario: &Scenario, arrivals: f64, service: f64) -> f64 {
    if arrivals >= service {
        return scenario
            .replication
            .max_window
            .unwrap_or(crate::limits::OVERLOAD_WINDOW);
    }
    let bound = crate::limits::MAX_WINDOW_BURSTS / arrivals;
    scenario
        .replication
        .max_window
        .map_or(bound, |w| w.min(bound))
}

/// Age of the newest usable backup at the disaster instant, among backups whose snapshot point
/// is at least `cutoff` old (damage before that is in the newer ones). `copied`: the backup must
/// also have reached the recovery region. `None` when no backup within retention qualifies.
///
/// Backups start every `interval`; the latest started `phase` seconds before the disaster.
/// Backup j (0 = latest) fails with the failure probability, and is ready `duration (+ copy
/// delay)` after its start; the search (`backup_walk`) draws from stream 2 and skips the
/// backups that cannot qualify, in constant expected time.
pub fn newest_backup_age(
    scenario: &Scenario,
    seed: u64,
    trial: u64,
    phase: f64,
    cutoff: f64,
    copied: bool,
) -> Option<f64> {
    let b = &scenario.backups;
    let mut rng = stream_rng(seed, trial, STREAM_BACKUPS);
    let schedule = crate::backup_walk::Schedule {
        interval: b.interval,
        retention: b.retention,
        failure_probability: b.failure_probability,
        duration: &b.duration,
        copy_delay: copied.then_some(&b.copy_delay),
    };
    crate::backup_walk::newest_usable(&schedule, &mut rng, phase, cutoff)
}

/// One disaster, drawn once and shared by every strategy (and every knob setting) that
/// recovers from it. Its draws depend on no plan knob: where the disaster falls in the backup
/// cycle is kept as a share of the interval, and the newest usable backup is looked up for the
/// scenario that recovers ([`Compiled::recover`] caches that answer here, for the four
/// strategies of one scenario; [`Compiled::outcome`] looks it up afresh for each setting).
pub struct Trial {
    seed: u64,
    index: u64,
    draw: DisasterDraw,
    /// Database replication lag at the disaster instant (region loss only), seconds.
    db_lag: f64,
    /// Whether the replication link was overloaded (region loss only).
    pub overloaded: bool,
    params: [f64; params::COUNT],
    /// Age of the newest usable backup for this disaster's question, computed once.
    backup: OnceCell<Option<f64>>,
}

impl Trial {
    pub fn disaster(&self) -> Disaster {
        self.draw.disaster
    }

    /// How long the primary stays down (infinite when it does not come back by itself).
    pub fn outage(&self) -> f64 {
        self.draw.outage
    }

    /// The mean write rate drawn for this disaster, bytes/s.
    pub fn write_rate(&self) -> f64 {
        self.draw.write_rate
    }

    /// Each dataset's replication lag, seconds (0 for a dataset not replicated), in scenario
    /// order: the very draws of stream 0 whose largest the replicated strategies' RPO takes,
    /// drawn again from the stream's state before them.
    pub fn data_lags(&self, scenario: &Scenario, out: &mut Vec<f64>) {
        let mut rng = self.draw.lags_rng.clone();
        out.clear();
        out.extend(scenario.data.iter().map(|d| {
            d.replication_lag
                .as_ref()
                .map_or(0.0, |lag| lag.sample(&mut rng))
        }));
    }
}

/// What one strategy achieved on one trial. Seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Outcome {
    pub rto: f64,
    pub rpo: f64,
    /// When the recovery runbook finished (may exceed the RTO when the primary came back first).
    pub recovery: f64,
    pub primary_first: bool,
    pub no_usable_backup: bool,
    /// Failback downtime, after a region loss that was failed over.
    pub failback: Option<f64>,
}

impl Compiled {
    /// Draws trial `index` of `seed`; `forced` fixes the disaster type (simulated years draw
    /// the types themselves) without shifting any other draw.
    pub fn trial(
        &self,
        scenario: &Scenario,
        seed: u64,
        index: u64,
        forced: Option<Disaster>,
    ) -> Trial {
        let mut rng = stream_rng(seed, index, STREAM_DISASTER);
        let mut draw = draw_disaster(scenario, &self.cumulative, &mut rng);
        if let Some(disaster) = forced {
            draw.disaster = disaster;
            draw.outage = draw.outages[disaster.index()];
            draw.dwell = draw.dwells[disaster.index()];
        }
        let mut db_lag = 0.0;
        let mut overloaded = false;
        if draw.disaster == Disaster::RegionLoss {
            let db = &scenario.database;
            let rate = draw.write_rate * db.daily_profile[draw.hour];
            let mut qrng = stream_rng(seed, index, STREAM_REPLICATION);
            if let Some(lag) = crate::engines::managed_lag(&db.managed, &mut qrng) {
                db_lag = lag;
            } else {
                let arrivals = rate / db.burst_size;
                let state = queue::state_at_random_instant(
                    &mut qrng,
                    arrivals,
                    db.burst_size,
                    draw.bandwidth,
                    queue_window_cap(scenario, arrivals, draw.bandwidth / db.burst_size),
                );
                db_lag = state.oldest_age + draw.apply_lag;
                overloaded = state.unstable;
            }
        }
        let congested = draw.disaster == Disaster::RegionLoss && draw.congested;
        let congestion = scenario.disasters[Disaster::RegionLoss.index()]
            .congestion
            .as_ref();
        let mut params = [0.0; params::COUNT];
        params[params::LAUNCH_SCALE.0 as usize] =
            if congested { draw.launch_slowdown } else { 1.0 };
        params[params::LAUNCH_FAILURE.0 as usize] = match congestion {
            Some(c) if congested => c.launch_failure_probability,
            _ => scenario.launch.failure_probability,
        };
        params[params::RESTORE_BANDWIDTH.0 as usize] = draw.restore_bandwidth
            * if congested {
                draw.throughput_factor
            } else {
                1.0
            };
        Trial {
            seed,
            index,
            draw,
            db_lag,
            overloaded,
            params,
            backup: OnceCell::new(),
        }
    }

    /// Runs only the recovery runbook of `strategy` on a trial, exactly as [`Compiled::recover`]
    /// begins (same parameters, same stream), leaving each step's times in
    /// [`Worker::engine`]; returns the makespan. [`Compiled::recover`] may run the failback
    /// runbook afterwards on the same engine, so per-step recovery times are read here.
    pub fn run_recovery(&self, trial: &Trial, strategy: Strategy, worker: &mut Worker) -> f64 {
        worker.params = trial.params;
        let mut srng = stream_rng(trial.seed, trial.index, STREAM_RECOVERY);
        worker.engine.run(
            &self.recovery[strategy.index()][trial.draw.disaster.index()],
            &worker.params,
            &mut srng,
        )
    }

    /// Recovers `strategy` from a trial's disaster; its critical path is left in
    /// `worker.paths[strategy]`.
    pub fn recover(
        &self,
        scenario: &Scenario,
        trial: &Trial,
        strategy: Strategy,
        worker: &mut Worker,
    ) -> Outcome {
        let mut outcome = Outcome::default();
        self.recover_into(scenario, trial, strategy, worker, &mut outcome);
        outcome
    }

    /// [`Compiled::recover`], the outcome written into `outcome`.
    ///
    /// Inlined into the trial loop, and written where the loop keeps it: an outcome written in
    /// pieces and then copied whole is a store the processor cannot forward to the load.
    #[inline(always)]
    fn recover_into(
        &self,
        scenario: &Scenario,
        trial: &Trial,
        strategy: Strategy,
        worker: &mut Worker,
        outcome: &mut Outcome,
    ) {
        let mut srng = stream_rng(trial.seed, trial.index, STREAM_RECOVERY);
        let recovery = self.run_service(trial, strategy, worker, &mut srng, true);
        self.settle(scenario, trial, strategy, recovery, &trial.backup, outcome);
        // Failback once the primary is repaired: resync what was written meanwhile.
        let draw = &trial.draw;
        if draw.disaster == Disaster::RegionLoss && !outcome.primary_first {
            outcome.failback = Some(match &self.failback[strategy.index()] {
                None => 0.0,
                Some((runbook, resync)) => {
                    let written = draw.write_rate * (draw.outage - recovery).max(0.0);
                    worker.params[params::RESYNC_SECONDS.0 as usize] =
                        written / draw.bandwidth.max(1.0);
                    let total = worker.engine.run(runbook, &worker.params, &mut srng);
                    let online = resync
                        .iter()
                        .map(|&id| worker.engine.finish(id))
                        .fold(0.0, f64::max);
                    (total - online).max(0.0)
                }
            });
        }
    }

    /// When the service of `strategy` is back after a trial's disaster (seconds): its recovery
    /// runbook run exactly as [`Compiled::recover`] runs it, without the critical path and the
    /// failback. Settings whose compiled runbook for the disaster is the same get the same time
    /// from the same trial, whatever their backup knobs (the runbook reads none of them).
    pub fn service_back(&self, trial: &Trial, strategy: Strategy, worker: &mut Worker) -> f64 {
        let mut srng = stream_rng(trial.seed, trial.index, STREAM_RECOVERY);
        self.run_service(trial, strategy, worker, &mut srng, false)
    }

    /// [`Compiled::recover`]'s outcome, without the failback (`None`), from the time the
    /// service is back ([`Compiled::service_back`]). `scenario` is the scenario the trial was
    /// drawn from or a setting of it that differs only in its backup knobs (interval,
    /// retention, storage tier, point-in-time restore), such as a plan's settings: the trial's
    /// draws do not depend on them, and the backup question is answered here for `scenario`.
    pub fn outcome(
        &self,
        scenario: &Scenario,
        trial: &Trial,
        strategy: Strategy,
        recovery: f64,
    ) -> Outcome {
        let mut outcome = Outcome::default();
        self.settle(
            scenario,
            trial,
            strategy,
            recovery,
            &OnceCell::new(),
            &mut outcome,
        );
        outcome
    }

    /// Runs the recovery runbook on `srng` (restarted by the caller); returns when the service
    /// is back, and leaves the critical path in `worker.paths[strategy]` if `path`.
    fn run_service(
        &self,
        trial: &Trial,
        strategy: Strategy,
        worker: &mut Worker,
        srng: &mut SimRng,
        path: bool,
    ) -> f64 {
        let s = strategy.index();
        let d = trial.draw.disaster.index();
        worker.params = trial.params;
        let makespan = worker
            .engine
            .run(&self.recovery[s][d], &worker.params, srng);
        // The service is back when the last step it waits for is done (background steps go on).
        match &self.foreground[s][d] {
            None => {
                if path {
                    worker.engine.critical_path(&mut worker.paths[s]);
                }
                makespan
            }
            Some(service) => {
                let engine = &worker.engine;
                let last =
                    service
                        .iter()
                        .copied()
                        .fold(None, |best: Option<StepId>, id| match best {
                            Some(b) if engine.finish(b) >= engine.finish(id) => Some(b),
                            _ => Some(id),
                        });
                match last {
                    Some(end) => {
                        if path {
                            engine.critical_path_to(end, &mut worker.paths[s]);
                        }
                        engine.finish(end)
                    }
                    None => makespan,
                }
            }
        }
    }

    /// The outcome of a recovery that brought the service back after `recovery` seconds,
    /// without the failback, written into `out` field by field (see [`Compiled::recover_into`]);
    /// `backup` caches the age of the newest usable backup for `scenario`'s backup knobs.
    fn settle(
        &self,
        scenario: &Scenario,
        trial: &Trial,
        strategy: Strategy,
        recovery: f64,
        backup: &OnceCell<Option<f64>>,
        out: &mut Outcome,
    ) {
        let draw = &trial.draw;
        let primary_first = recovery > draw.outage;
        let rto = recovery.min(draw.outage);
        // Within one trial every strategy asks the same backup question (the disaster type
        // fixes it), so the answer is computed once.
        let mut no_backup = false;
        let mut from_backup = |copied: bool, cutoff: f64| {
            let age = *backup.get_or_init(|| {
                newest_backup_age(
                    scenario,
                    trial.seed,
                    trial.index,
                    draw.backup_phase(scenario),
                    cutoff,
                    copied,
                )
            });
            age.unwrap_or_else(|| {
                no_backup = true;
                scenario.backups.retention
            })
        };
        // Continuous backup restores any instant of its window up to the latest restorable
        // time: just before the damage, or that time if the damage is newer.
        let continuous = &scenario.backups.continuous;
        let mut restored = |copied: bool, cutoff: f64| {
            if scenario.backups.point_in_time && cutoff <= continuous.window {
                cutoff.max(draw.restorable_lag)
            } else {
                from_backup(copied, cutoff)
            }
        };
        let ransomware_cutoff = match scenario.disasters[Disaster::Ransomware.index()].restore_point
        {
            Some(RestorePoint::BeforeIntrusion) => draw.dwell,
            _ => 0.0,
        };
        let rpo = if primary_first {
            0.0
        } else {
            match draw.disaster {
                Disaster::RegionLoss => {
                    // A DynamoDB global table is a replica for every strategy.
                    let global_table = scenario.database.managed.family() == EngineFamily::DynamoDb;
                    let db = if strategy == Strategy::BackupRestore && !global_table {
                        from_backup(true, 0.0)
                    } else {
                        trial.db_lag
                    };
                    // Backup-restore restores every dataset from the same backups as the
                    // database; the others replicate datasets, and restore from backups
                    // those that are not replicated.
                    let data = match (strategy, self.unreplicated_data) {
                        (Strategy::BackupRestore, _)
                            if global_table && !scenario.data.is_empty() =>
                        {
                            from_backup(true, 0.0)
                        }
                        (Strategy::BackupRestore, _) => 0.0,
                        (_, true) => draw.data_lag.max(from_backup(true, 0.0)),
                        (_, false) => draw.data_lag,
                    };
                    db.max(data)
                }
                Disaster::AzLoss if scenario.database.multi_az => 0.0,
                Disaster::AzLoss => restored(false, 0.0),
                Disaster::Corruption => restored(false, draw.dwell),
                Disaster::Ransomware if scenario.backups.immutable => {
                    restored(true, ransomware_cutoff)
                }
                Disaster::Ransomware => {
                    no_backup = true;
                    scenario.backups.retention
                }
            }
        };
        out.rto = rto;
        out.rpo = rpo;
        out.recovery = recovery;
        out.primary_first = primary_first;
        out.no_usable_backup = no_backup;
        out.failback = None;
    }
}

impl Compiled {
    /// Region loss: the RPO of each part of the data after `strategy` recovered with `outcome`
    /// — the database, then each dataset (`rpo_part_names`) — from the dataset lags of
    /// [`Trial::data_lags`]. The largest part is the outcome's RPO (the rule of
    /// [`Compiled::recover`], part by part): backup-restore restores all of them from the
    /// newest copied backup (but a DynamoDB table is a replica for every strategy); the others
    /// take the database's replication lag (0 for a strongly consistent table) and each
    /// dataset's replication lag, or the newest
    /// copied backup for a dataset that is not replicated. All are 0 when the primary came
    /// back first.
    pub fn rpo_parts(
        &self,
        scenario: &Scenario,
        trial: &Trial,
        strategy: Strategy,
        outcome: &Outcome,
        data_lags: &[f64],
        out: &mut Vec<f64>,
    ) {
        out.clear();
        if outcome.primary_first {
            out.resize(self.rpo_part_names.len(), 0.0);
            return;
        }
        let backup = || {
            trial
                .backup
                .get_or_init(|| {
                    newest_backup_age(
                        scenario,
                        trial.seed,
                        trial.index,
                        trial.draw.backup_phase(scenario),
                        0.0,
                        true,
                    )
                })
                .unwrap_or(scenario.backups.retention)
        };
        // A DynamoDB global table is a replica for every strategy (its lag is 0 when strongly
        // consistent); the other engines' backup-restore restores the database from backups.
        let global_table = scenario.database.managed.family() == EngineFamily::DynamoDb;
        out.push(if strategy == Strategy::BackupRestore && !global_table {
            backup()
        } else {
            trial.db_lag
        });
        for (data, &lag) in scenario.data.iter().zip(data_lags) {
            out.push(match (strategy, &data.replication_lag) {
                (Strategy::BackupRestore, _) | (_, None) => backup(),
                _ => lag,
            });
        }
    }
}

fn run_trial(
    scenario: &Scenario,
    compiled: &Compiled,
    seed: u64,
    index: u64,
    worker: &mut Worker,
    recorder: &mut Recorder,
    samples: Option<&mut Vec<Sample>>,
) {
    let trial = compiled.trial(scenario, seed, index, None);
    let d = trial.disaster().index();
    let objective = &scenario.objectives.by_disaster[d];
    recorder.results.replication_overloaded += u64::from(trial.overloaded);
    let region_loss = trial.disaster() == Disaster::RegionLoss;
    if region_loss {
        trial.data_lags(scenario, &mut worker.data_lags);
    }
    // Each strategy's outcome, set in strategy order, and the strategy whose critical path it
    // has. A strategy that reuses an earlier one's outcome (`same_as`) records nothing: its
    // cell is copied at the end (`Recorder::into_results`).
    let mut outcomes = [Outcome::default(); 4];
    let mut path_of = [0, 1, 2, 3];
    for strategy in Strategy::ALL {
        let s = strategy.index();
        if let Some(earlier) = compiled.same_as[s][d].filter(|&earlier| earlier < s) {
            outcomes[s] = outcomes[earlier];
            path_of[s] = earlier;
            continue;
        }
        compiled.recover_into(scenario, &trial, strategy, worker, &mut outcomes[s]);
        let outcome = &outcomes[s];
        recorder.record(s, d, Figure::Rto, millis(outcome.rto));
        recorder.record(s, d, Figure::Rpo, millis(outcome.rpo));
        if let Some(downtime) = outcome.failback {
            recorder.record(s, d, Figure::Failback, millis(downtime));
        }
        let cell = &mut recorder.results.cells[s][d];
        let (meets_rto, meets_rpo) = (outcome.rto <= objective.rto, outcome.rpo <= objective.rpo);
        cell.meets_rto.record(meets_rto);
        cell.meets_rpo.record(meets_rpo);
        cell.meets_both.record(meets_rto && meets_rpo);
        cell.no_usable_backup += u64::from(outcome.no_usable_backup);
        if outcome.primary_first {
            cell.primary_first += 1;
        } else {
            for &(step, contribution) in &worker.paths[s] {
                if let Some(stat) = cell.steps.get_mut(step.0 as usize) {
                    stat.on_path += 1;
                    stat.contribution.record(millis(contribution));
                }
            }
        }
        if region_loss {
            compiled.rpo_parts(
                scenario,
                &trial,
                strategy,
                outcome,
                &worker.data_lags,
                &mut worker.rpo_parts,
            );
            for (i, &rpo) in worker.rpo_parts.iter().enumerate() {
                recorder.record(s, d, Figure::RpoPart(i), millis(rpo));
            }
        }
    }
    let rtos = outcomes.map(|o| o.rto);
    for i in 0..4 {
        for j in 0..4 {
            recorder.results.faster[i][j] += u64::from(rtos[i] < rtos[j]);
        }
    }
    recorder.results.trials += 1;
    let Some(samples) = samples else {
        return;
    };
    samples.push(Sample {
        trial: index,
        disaster: trial.disaster(),
        outcomes: std::array::from_fn(|s| {
            let o = outcomes[s];
            SampleOutcome {
                rto: o.rto,
                rpo: o.rpo,
                critical: if o.primary_first {
                    None
                } else {
                    largest_contribution(&worker.paths[path_of[s]])
                },
            }
        }),
    });
}

/// The step of a critical path that added the most time (the first of equals).
fn largest_contribution(path: &[(StepId, f64)]) -> Option<StepId> {
    path.iter()
        .fold(
            None,
            |best: Option<(StepId, f64)>, &(step, added)| match best {
                Some((_, most)) if most >= added => best,
                _ => Some((step, added)),
            },
        )
        .map(|(step, _)| step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_figures_make_the_tallies_of_recording_each_figure() {
        let Ok(scenario) = crate::reference() else {
            panic!("the reference loads");
        };
        let Ok(compiled) = Compiled::new(&scenario) else {
            panic!("the reference compiles");
        };
        let mut recorder = Recorder::new(&compiled);
        let mut direct = Results::new(&compiled);
        let parts = compiled.rpo_part_names.len();
        // More figures than are held at once, some from u32::MAX up (recorded at once).
        let mut rng = sim_core::rng::stream_rng(5, 0, 0);
        for i in 0..3 * HELD as u64 + 17 {
            let value = match i % 97 {
                0 => u64::from(u32::MAX) + i,
                1 => u64::from(u32::MAX),
                _ => (unit_f64(&mut rng) * 1e9) as u64,
            };
            let (s, d) = ((i % 4) as usize, (i / 4 % 4) as usize);
            let figure = match i % 5 {
                0 => Figure::Rto,
                1 => Figure::Rpo,
                2 => Figure::Failback,
                k => Figure::RpoPart(k as usize % parts),
            };
            let cell = &mut direct.cells[s][d];
            match figure {
                Figure::Rto => cell.rto.record(value),
                Figure::Rpo => cell.rpo.record(value),
                Figure::Failback => cell.failback.record(value),
                // The recorder keeps parts for every cell; results have them for region loss.
                Figure::RpoPart(_) if cell.rpo_parts.is_empty() => continue,
                Figure::RpoPart(k) => cell.rpo_parts[k].record(value),
            }
            recorder.record(s, d, figure, value);
        }
        // Merging finishes the other recorder first: no figure stays held.
        let mut total = Recorder::new(&compiled);
        total.merge(recorder);
        let mut recorded = 0;
        for (mine, theirs) in total
            .results
            .cells
            .iter()
            .flatten()
            .zip(direct.cells.iter().flatten())
        {
            let tallies = |c: &Cell| {
                let mut t = vec![c.rto.clone(), c.rpo.clone(), c.failback.clone()];
                t.extend(c.rpo_parts.iter().cloned());
                t
            };
            for (a, b) in tallies(mine).iter().zip(&tallies(theirs)) {
                assert!(a.same_as(b), "{a:?}\n{b:?}");
                recorded += a.count();
            }
        }
        assert!(recorded > 3 * HELD as u64 / 2, "{recorded}");
    }
}
