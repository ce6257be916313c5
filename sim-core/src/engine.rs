//! A discrete-event engine that runs one runbook — a DAG of recovery steps — per call.
//!
//! A step starts once all its dependencies have finished and it holds a slot of each pool it uses.
//! Its work is a random delay, a transfer over a shared link (max–min fair processor sharing with
//! per-transfer caps), a fleet launched through a token-bucket launcher (with failed attempts
//! retried), or nothing (a milestone). Events are ordered by (time, sequence number), so one rng
//! state always gives one result.
//!
//! A delay or milestone that holds no pool (an *inline* step, marked when the runbook is built)
//! uses nothing shared: its finish is its start plus its draw, known when it starts. It takes no
//! event: when its last dependency is settled it starts at the latest finish of its
//! dependencies, draws, finishes, and settles its own dependents in turn (ahead of the clock).
//! A dependent that uses a pool, a link or a launcher is started at once if that time is the
//! current event's, else gets one `Ready` event then, so steps that share anything still start
//! in time order. A runbook of delays and milestones alone takes no event at all. A step draws
//! when it starts: an inline step when its start is known, which can be before the clock
//! reaches it. A fleet draws every instance's first attempt when it starts (each attempt's
//! launcher slot is fixed then), so its instances cost a draw each and no event, and only
//! retried attempts go through events. A fleet of at least [`FLEET_ORDER_STATISTICS_FROM`]
//! instances that fits in its launcher's burst draws no instance: its failures are one binomial
//! draw and its finish one order statistic ([`crate::order`]).
//!
//! The engine knows nothing of AWS. [`Engine::run`] does not allocate once its buffers have grown
//! to the size of the runbooks it runs.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, OnceLock};

use rand::Rng;
use rand_distr::{Beta, Binomial, Distribution};

use crate::dist::{Dist, unit_f64};
use crate::events::EventQueue;
use crate::order::{self, SumQuantiles};

/// A step of a runbook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StepId(pub u32);

/// A shared link (bandwidth in units per second).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkId(pub u32);

/// A concurrency pool (a number of slots).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PoolId(pub u32);

/// A rate-limited launcher (a token bucket).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LauncherId(pub u32);

/// The index of a per-trial parameter in the `params` slice passed to [`Engine::run`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(pub u32);

/// A number that is either fixed or looked up per trial in the `params` slice passed to
/// [`Engine::run`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Param {
    Fixed(f64),
    Trial(ParamId),
}

impl Param {
    #[inline]
    fn resolve(self, params: &[f64]) -> f64 {
        match self {
            Param::Fixed(v) => v,
            Param::Trial(ParamId(i)) => params[i as usize],
        }
    }

    fn trial_index(self) -> Option<usize> {
        match self {
            Param::Fixed(_) => None,
            Param::Trial(ParamId(i)) => Some(i as usize),
        }
    }
}

/// What a step does once it has started.
#[derive(Clone, Debug)]
pub enum Work {
    /// Waits `duration.sample() * scale` seconds.
    Delay { duration: Dist, scale: Param },
    /// Moves `size.sample()` units (e.g. bytes) over a shared link. If `cap` is Some, the
    /// transfer's own rate is capped at `cap.sample()` units/s (drawn once when the transfer
    /// starts).
    Transfer {
        size: Dist,
        link: LinkId,
        cap: Option<Dist>,
    },
    /// Launches a fleet of instances; done when `needed` instances are up.
    Fleet(FleetSpec),
    /// Zero duration; a join point.
    Milestone,
}

/// A fleet of instances launched through a launcher.
///
/// At the fleet's start every instance requests a launcher slot, in instance order. At its slot an
/// attempt fails with probability `failure` (then, after `retry_delay`, it requests a new slot) or
/// comes up after its phases. Once `needed` instances are up the step finishes and the rest of the
/// fleet is dropped: no more retries (slots already granted stay used).
///
/// The first attempts' outcomes are drawn when the fleet starts, in instance order (the slots
/// are known then); the step's finish is the `needed`-th earliest up-time, found by selection,
/// so a fleet that no retry touches costs one draw per phase and instance and a single event.
/// A fleet of at least [`FLEET_ORDER_STATISTICS_FROM`] instances whose first attempts all get
/// the slot of its start is resolved as order statistics instead, at a cost that does not grow
/// with `count` (apart from its retried instances).
#[derive(Clone, Debug)]
pub struct FleetSpec {
    /// Instances launched (≥ `needed`).
    pub count: u32,
    /// Instances that must be up for the step to finish (0: finishes at its start, though its
    /// instances still take launcher slots).
    pub needed: u32,
    /// The launcher every launch attempt takes a slot from.
    pub launcher: LauncherId,
    /// Per-instance phases after its launch slot (e.g. pending, boot, bootstrap, health check);
    /// drawn in order and summed.
    pub phases: Vec<Dist>,
    /// Multiplies the summed phases (congestion slow-down).
    pub scale: Param,
    /// Probability that one launch attempt fails (clamped into `[0, 0.99]` at run time).
    pub failure: Param,
    /// After a failed attempt (known at its launch slot), wait this long, then request a new
    /// launch slot.
    pub retry_delay: Dist,
}

/// Why a runbook was refused. Every message says what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunbookError {
    #[error("two steps are named '{name}'; give every step a unique name")]
    DuplicateStep { name: String },
    #[error(
        "step '{step}' depends on {dependency}, which is not a step of this runbook; \
         pass a StepId returned by RunbookBuilder::step"
    )]
    UnknownDependency { step: String, dependency: String },
    #[error(
        "there is no step #{id} in this runbook; pass a StepId returned by RunbookBuilder::step"
    )]
    UnknownStep { id: u32 },
    #[error(
        "the steps {} form a cycle (each must finish before the next can start), so none of \
         them can ever start; remove one of these dependencies",
        cycle_text(.steps)
    )]
    Cycle { steps: Vec<String> },
    #[error("two {kind}s are named '{name}'; give every {kind} a unique name")]
    DuplicateResource { kind: &'static str, name: String },
    #[error("{what}")]
    InvalidResource { what: String },
    #[error("{what}")]
    InvalidParam { what: String },
}

/// "a -> b -> c -> a" for the cycle `[a, b, c]`.
fn cycle_text(steps: &[String]) -> String {
    let mut text = steps.join(" -> ");
    if let Some(first) = steps.first() {
        text.push_str(" -> ");
        text.push_str(first);
    }
    text
}

#[derive(Clone, Debug)]
struct StepDef {
    name: String,
    work: Work,
    /// Pools held from start to finish, ascending (acquired in this order, so no deadlock).
    pools: Vec<PoolId>,
    /// In the order they were declared.
    deps: Vec<StepId>,
    /// Steps that depend on this one, ascending.
    dependents: Vec<StepId>,
    /// A fleet's tabulated up-time quantiles (None: no table within its bound), built the first
    /// time the fleet is resolved as order statistics.
    quantiles: OnceLock<Option<Arc<SumQuantiles>>>,
}

#[derive(Clone, Debug)]
struct LinkDef {
    name: String,
    capacity: Param,
}

#[derive(Clone, Debug)]
struct PoolDef {
    name: String,
    slots: u32,
}

#[derive(Clone, Debug)]
struct LauncherDef {
    name: String,
    /// GCRA emission interval T = 1 / rate.
    interval: f64,
    /// GCRA tolerance τ = (burst − 1)·T.
    tolerance: f64,
}

impl LauncherDef {
    /// One request at `t` (see [`Engine::request_slot`]): its slot, `max(t, TAT − τ)`, and
    /// `tat` moved to `max(TAT, slot) + T`. Compared, not `f64::max`: times are never NaN.
    #[inline]
    fn slot(&self, tat: &mut f64, t: f64) -> f64 {
        let earliest = *tat - self.tolerance;
        let slot = if earliest > t { earliest } else { t };
        *tat = if slot > *tat { slot } else { *tat } + self.interval;
        slot
    }
}

#[derive(Debug)]
struct RunbookInner {
    steps: Vec<StepDef>,
    links: Vec<LinkDef>,
    pools: Vec<PoolDef>,
    launchers: Vec<LauncherDef>,
    param_count: usize,
    /// Every step's state at the start of a run (copied by `Engine::reset`).
    initial: Vec<StepState>,
    /// The steps with no dependency, ascending.
    roots: Vec<u32>,
    /// When every step is inline (a delay or milestone without a pool): the order in which a
    /// run starts, and so draws, them, which the graph alone fixes (see [`inline_order`]);
    /// empty otherwise. Such a run needs no event and no finishing order
    /// ([`Engine::run_in_order`]).
    inline_order: Vec<u32>,
}

/// Builds a [`Runbook`], checking every piece as it is added and the whole graph at the end.
#[derive(Debug, Default)]
pub struct RunbookBuilder {
    steps: Vec<StepDef>,
    step_names: HashMap<String, StepId>,
    links: Vec<LinkDef>,
    pools: Vec<PoolDef>,
    launchers: Vec<LauncherDef>,
}

fn invalid_resource(what: String) -> RunbookError {
    RunbookError::InvalidResource { what }
}

fn check_unique<'a>(
    kind: &'static str,
    mut names: impl Iterator<Item = &'a str>,
    name: &str,
) -> Result<(), RunbookError> {
    if names.any(|n| n == name) {
        Err(RunbookError::DuplicateResource {
            kind,
            name: name.to_owned(),
        })
    } else {
        Ok(())
    }
}

/// Checks a fixed multiplier (finite ≥ 0); per-trial values are checked at run time.
fn check_scale(step: &str, scale: Param) -> Result<(), RunbookError> {
    match scale {
        Param::Fixed(v) if !(v.is_finite() && v >= 0.0) => Err(RunbookError::InvalidParam {
            what: format!("step '{step}': a fixed scale must be a finite number ≥ 0, got {v}"),
        }),
        _ => Ok(()),
    }
}

impl RunbookBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A shared link of `capacity` units per second, split max–min fairly among its transfers.
    /// A fixed capacity must be finite and > 0; a per-trial capacity that is not > 0 at run time
    /// makes the link's transfers never finish (their steps finish at `f64::INFINITY`).
    pub fn link(&mut self, name: &str, capacity: Param) -> Result<LinkId, RunbookError> {
        check_unique("link", self.links.iter().map(|l| l.name.as_str()), name)?;
        if let Param::Fixed(c) = capacity
            && !(c.is_finite() && c > 0.0)
        {
            return Err(invalid_resource(format!(
                "link '{name}' has capacity {c}; a fixed link capacity must be a finite number > 0 \
                 (units per second)"
            )));
        }
        self.links.push(LinkDef {
            name: name.to_owned(),
            capacity,
        });
        Ok(LinkId(self.links.len() as u32 - 1))
    }

    /// A concurrency limit of `slots` (≥ 1) steps at a time.
    pub fn pool(&mut self, name: &str, slots: u32) -> Result<PoolId, RunbookError> {
        check_unique("pool", self.pools.iter().map(|p| p.name.as_str()), name)?;
        if slots == 0 {
            return Err(invalid_resource(format!(
                "pool '{name}' has 0 slots, so no step using it could ever start; give it at \
                 least 1 slot, or do not use a pool for no limit"
            )));
        }
        self.pools.push(PoolDef {
            name: name.to_owned(),
            slots,
        });
        Ok(PoolId(self.pools.len() as u32 - 1))
    }

    /// A token bucket refilled at `rate_per_sec` (> 0) tokens per second holding at most `burst`
    /// (≥ 1) tokens, full at time 0. Each launch attempt takes one token.
    pub fn launcher(
        &mut self,
        name: &str,
        rate_per_sec: f64,
        burst: u32,
    ) -> Result<LauncherId, RunbookError> {
        check_unique(
            "launcher",
            self.launchers.iter().map(|l| l.name.as_str()),
            name,
        )?;
        if !(rate_per_sec.is_finite() && rate_per_sec > 0.0) {
            return Err(invalid_resource(format!(
                "launcher '{name}' has rate {rate_per_sec} per second; the rate must be a finite \
                 number > 0"
            )));
        }
        if burst == 0 {
            return Err(invalid_resource(format!(
                "launcher '{name}' has burst 0, so it could never launch; the burst must be at \
                 least 1 (1 means no burst)"
            )));
        }
        let interval = 1.0 / rate_per_sec;
        self.launchers.push(LauncherDef {
            name: name.to_owned(),
            interval,
            tolerance: f64::from(burst - 1) * interval,
        });
        Ok(LauncherId(self.launchers.len() as u32 - 1))
    }

    /// A step doing `work`; its name must be unique.
    pub fn step(&mut self, name: &str, work: Work) -> Result<StepId, RunbookError> {
        if self.step_names.contains_key(name) {
            return Err(RunbookError::DuplicateStep {
                name: name.to_owned(),
            });
        }
        self.check_work(name, &work)?;
        let id = StepId(self.steps.len() as u32);
        self.step_names.insert(name.to_owned(), id);
        self.steps.push(StepDef {
            name: name.to_owned(),
            work,
            pools: Vec::new(),
            deps: Vec::new(),
            dependents: Vec::new(),
            quantiles: OnceLock::new(),
        });
        Ok(id)
    }

    fn check_work(&self, name: &str, work: &Work) -> Result<(), RunbookError> {
        match work {
            Work::Delay { scale, .. } => check_scale(name, *scale),
            Work::Transfer { link, .. } => {
                if (link.0 as usize) < self.links.len() {
                    Ok(())
                } else {
                    Err(invalid_resource(format!(
                        "step '{name}' transfers over link #{}, which does not exist; pass a \
                         LinkId returned by RunbookBuilder::link",
                        link.0
                    )))
                }
            }
            Work::Fleet(fleet) => {
                if fleet.launcher.0 as usize >= self.launchers.len() {
                    return Err(invalid_resource(format!(
                        "fleet step '{name}' uses launcher #{}, which does not exist; pass a \
                         LauncherId returned by RunbookBuilder::launcher",
                        fleet.launcher.0
                    )));
                }
                if fleet.needed > fleet.count {
                    return Err(invalid_resource(format!(
                        "fleet step '{name}' needs {} instances up but launches only {}; set \
                         needed ≤ count",
                        fleet.needed, fleet.count
                    )));
                }
                check_scale(name, fleet.scale)?;
                match fleet.failure {
                    Param::Fixed(p) if !(0.0..=1.0).contains(&p) => {
                        Err(RunbookError::InvalidParam {
                            what: format!(
                                "fleet step '{name}': a fixed failure probability must be in [0, 1], \
                             got {p}"
                            ),
                        })
                    }
                    _ => Ok(()),
                }
            }
            Work::Milestone => Ok(()),
        }
    }

    fn step_index(&self, id: StepId) -> Result<usize, RunbookError> {
        let i = id.0 as usize;
        if i < self.steps.len() {
            Ok(i)
        } else {
            Err(RunbookError::UnknownStep { id: id.0 })
        }
    }

    /// `step` starts only once `dependency` has finished. Declaring the same dependency twice is
    /// the same as declaring it once.
    pub fn after(&mut self, step: StepId, dependency: StepId) -> Result<(), RunbookError> {
        let i = self.step_index(step)?;
        if dependency.0 as usize >= self.steps.len() {
            return Err(RunbookError::UnknownDependency {
                step: self.steps[i].name.clone(),
                dependency: format!("step #{}", dependency.0),
            });
        }
        let deps = &mut self.steps[i].deps;
        if !deps.contains(&dependency) {
            deps.push(dependency);
        }
        Ok(())
    }

    /// `step` holds one slot of `pool` from its start to its finish; before starting it waits,
    /// first come first served, for a free slot. A step may use several pools (it takes their
    /// slots in ascending pool order), each at most once.
    pub fn use_pool(&mut self, step: StepId, pool: PoolId) -> Result<(), RunbookError> {
        let i = self.step_index(step)?;
        let Some(pool_def) = self.pools.get(pool.0 as usize) else {
            return Err(invalid_resource(format!(
                "step '{}' uses pool #{}, which does not exist; pass a PoolId returned by \
                 RunbookBuilder::pool",
                self.steps[i].name, pool.0
            )));
        };
        let step_def = &mut self.steps[i];
        match step_def.pools.binary_search(&pool) {
            Ok(_) => Err(invalid_resource(format!(
                "step '{}' uses pool '{}' twice; a step holds at most one slot of each pool",
                step_def.name, pool_def.name
            ))),
            Err(at) => {
                step_def.pools.insert(at, pool);
                Ok(())
            }
        }
    }

    /// Checks that the dependencies form no cycle and freezes the runbook.
    pub fn build(self) -> Result<Runbook, RunbookError> {
        let mut steps = self.steps;
        for i in 0..steps.len() {
            for d in 0..steps[i].deps.len() {
                let dep = steps[i].deps[d].0 as usize;
                steps[dep].dependents.push(StepId(i as u32));
            }
        }
        // Dependents were pushed in ascending order of `i`, so each list is already sorted.
        if let Some(cycle) = find_cycle(&steps) {
            return Err(RunbookError::Cycle {
                steps: cycle.iter().map(|&i| steps[i].name.clone()).collect(),
            });
        }

        let mut param_count = 0;
        let mut note = |p: Param| {
            if let Some(i) = p.trial_index() {
                param_count = param_count.max(i + 1);
            }
        };
        for link in &self.links {
            note(link.capacity);
        }
        for step in &steps {
            match &step.work {
                Work::Delay { scale, .. } => note(*scale),
                Work::Fleet(fleet) => {
                    note(fleet.scale);
                    note(fleet.failure);
                }
                Work::Transfer { .. } | Work::Milestone => {}
            }
        }

        let initial: Vec<StepState> = steps
            .iter()
            .map(|s| StepState {
                waiting_deps: s.deps.len() as u32,
                inline: matches!(s.work, Work::Delay { .. } | Work::Milestone)
                    && s.pools.is_empty(),
                ..NOT_STARTED
            })
            .collect();
        let roots: Vec<u32> = (0..steps.len() as u32)
            .filter(|&i| steps[i as usize].deps.is_empty())
            .collect();
        let inline_order = if initial.iter().all(|s| s.inline) {
            inline_order(&steps, &roots)
        } else {
            Vec::new()
        };
        Ok(Runbook {
            inner: Arc::new(RunbookInner {
                initial,
                roots,
                inline_order,
                steps,
                links: self.links,
                pools: self.pools,
                launchers: self.launchers,
                param_count,
            }),
        })
    }
}

/// The order in which [`Engine::run`] starts the steps of an acyclic runbook whose steps are
/// all inline: each root in turn, and as each step is settled, the dependents it was the last
/// dependency of, in `dependents` order; the step started last is settled first (the engine's
/// `resolved` stack). It depends on the graph only, never on the durations drawn.
fn inline_order(steps: &[StepDef], roots: &[u32]) -> Vec<u32> {
    let mut waiting: Vec<usize> = steps.iter().map(|s| s.deps.len()).collect();
    let mut order = Vec::with_capacity(steps.len());
    let mut started = Vec::new();
    for &root in roots {
        order.push(root);
        started.push(root);
        while let Some(s) = started.pop() {
            for d in &steps[s as usize].dependents {
                let d = d.0 as usize;
                waiting[d] -= 1;
                if waiting[d] == 0 {
                    order.push(d as u32);
                    started.push(d as u32);
                }
            }
        }
    }
    order
}

/// One cycle of the dependency graph, in execution order (each step must finish before the next
/// can start) starting at its lowest index, or None if the graph is acyclic.
fn find_cycle(steps: &[StepDef]) -> Option<Vec<usize>> {
    // Kahn's algorithm: repeatedly retire steps whose dependencies are all retired.
    let mut unmet: Vec<usize> = steps.iter().map(|s| s.deps.len()).collect();
    let mut stack: Vec<usize> = (0..steps.len()).filter(|&i| unmet[i] == 0).collect();
    let mut retired = 0;
    while let Some(i) = stack.pop() {
        retired += 1;
        for d in &steps[i].dependents {
            let d = d.0 as usize;
            unmet[d] -= 1;
            if unmet[d] == 0 {
                stack.push(d);
            }
        }
    }
    if retired == steps.len() {
        return None;
    }
    // Every step left has an unretired dependency, so walking from one to its lowest unretired
    // dependency must eventually revisit a step: the steps between the two visits are a cycle.
    let mut position = vec![usize::MAX; steps.len()];
    let mut walk = Vec::new();
    let mut v = (0..steps.len()).find(|&i| unmet[i] > 0)?;
    while position[v] == usize::MAX {
        position[v] = walk.len();
        walk.push(v);
        v = steps[v]
            .deps
            .iter()
            .map(|d| d.0 as usize)
            .filter(|&d| unmet[d] > 0)
            .min()?;
    }
    // The walk goes from a step to its dependency, i.e. against execution order.
    let mut cycle = walk.split_off(position[v]);
    cycle.reverse();
    let lowest = cycle
        .iter()
        .enumerate()
        .min_by_key(|&(_, &s)| s)
        .map_or(0, |(at, _)| at);
    cycle.rotate_left(lowest);
    Some(cycle)
}

/// A checked, immutable runbook: steps, their dependencies and the resources they share.
/// Cloning is cheap (the contents are shared).
#[derive(Clone, Debug)]
pub struct Runbook {
    inner: Arc<RunbookInner>,
}

impl Runbook {
    /// The number of steps.
    pub fn len(&self) -> usize {
        self.inner.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.steps.is_empty()
    }

    /// # Panics
    /// If `id` is not a step of this runbook.
    pub fn step_name(&self, id: StepId) -> &str {
        &self.inner.steps[id.0 as usize].name
    }

    /// The work of a step.
    ///
    /// # Panics
    /// If `id` is not a step of this runbook.
    pub fn work(&self, id: StepId) -> &Work {
        &self.inner.steps[id.0 as usize].work
    }

    /// All steps, in the order they were added.
    pub fn step_ids(&self) -> impl Iterator<Item = StepId> {
        (0..self.inner.steps.len() as u32).map(StepId)
    }

    /// The dependencies of a step, in the order they were declared.
    ///
    /// # Panics
    /// If `id` is not a step of this runbook.
    pub fn dependencies(&self, id: StepId) -> &[StepId] {
        &self.inner.steps[id.0 as usize].deps
    }

    /// 1 + the largest [`ParamId`] referenced (0 if none): the `params` slice passed to
    /// [`Engine::run`] must be at least this long.
    pub fn param_count(&self) -> usize {
        self.inner.param_count
    }
}

/// What an event does when its time comes. Step indices are `u32` to keep events small.
#[derive(Clone, Copy, Debug)]
enum EventKind {
    /// A delay or milestone that holds a pool, an empty transfer, a fleet or a `needed == 0`
    /// fleet finishes.
    Finish(u32),
    /// A step that is not resolved inline (it uses a pool, a link or a launcher) gets its last
    /// dependency, which finished at this time: it tries to take its pool slots and starts.
    Ready(u32),
    /// A transfer's completion as scheduled when its rate was last set; stale if `version` moved.
    TransferDone { step: u32, version: u32 },
    /// One launch attempt of a fleet instance gets its launcher slot.
    LaunchSlot(u32),
    /// A failed attempt's retry delay is over: request a new launcher slot.
    Retry(u32),
    /// One fleet instance is up.
    InstanceUp(u32),
}

/// What fills the event queue's unused slots (never read as an event).
impl Default for EventKind {
    fn default() -> Self {
        EventKind::Finish(NO_STEP)
    }
}

/// The state of one step during a run that every step needs; reset at the start of each run.
/// Kept small, since resetting it is per-run work for every step.
#[derive(Clone, Copy, Debug)]
struct StepState {
    /// Dependencies not finished yet.
    waiting_deps: u32,
    /// The dependency that finished last (ties: lowest index), or [`NO_STEP`]: the previous step
    /// on the critical path.
    critical_dep: u32,
    /// How many of the step's pools (in ascending order) it holds a slot of.
    pools_held: u32,
    /// The finish of `critical_dep` (−∞ while it is [`NO_STEP`]): when the step is ready once
    /// every dependency finished.
    critical_finish: f64,
    done: bool,
    /// A delay or milestone that holds no pool: nothing shared binds it, so its finish is known
    /// when it starts and it is resolved then, without an event (fixed per runbook).
    inline: bool,
    ready: f64,
    start: f64,
    finish: f64,
}

/// The state of a transfer or fleet step during a run, set when the step begins (not reset
/// between runs: no other step reads it).
#[derive(Clone, Copy, Debug, Default)]
struct WorkState {
    // Transfer: size left as of the link's `last` time, current rate, own cap, scheduled
    // completion and the version of the completion event that is still valid.
    remaining: f64,
    rate: f64,
    cap: f64,
    due: f64,
    version: u32,
    // Fleet: retried instances up, clamped failure probability, resolved scale, and where its
    // first attempts' up-times are kept when some attempt is retried (`Engine::ups`).
    up: u32,
    failure: f64,
    scale: f64,
    ups_at: usize,
    ups_len: u32,
    // Fleet resolved as order statistics: its first attempts' common slot, how many of them
    // succeeded (M), and the rank r and value of the uniform order statistic U₍ᵣ₎ of M drawn so
    // far (r = M + 1 and U = 1 before any is drawn).
    shortcut: bool,
    slot: f64,
    successes: u32,
    rank: u32,
    rank_u: f64,
}

/// The smallest fleet resolved as order statistics (when all its first attempts get one launcher
/// slot); smaller fleets draw each instance. The reference's fleets (4 and 6 instances) stay on
/// the per-instance path.
pub const FLEET_ORDER_STATISTICS_FROM: u32 = 64;

/// The smallest fleet resolved as order statistics on an engine.
#[derive(Clone, Copy, Debug)]
struct ShortcutFrom(u32);

impl Default for ShortcutFrom {
    fn default() -> Self {
        ShortcutFrom(FLEET_ORDER_STATISTICS_FROM)
    }
}

/// No step (a root's `critical_dep`).
const NO_STEP: u32 = u32::MAX;

const NOT_STARTED: StepState = StepState {
    waiting_deps: 0,
    critical_dep: NO_STEP,
    pools_held: 0,
    critical_finish: f64::NEG_INFINITY,
    done: false,
    inline: false,
    ready: f64::INFINITY,
    start: f64::INFINITY,
    finish: f64::INFINITY,
};

#[derive(Debug, Default)]
struct LinkState {
    /// This trial's capacity (0 if the per-trial value was not > 0).
    capacity: f64,
    /// The time the remaining sizes of `active` were last brought up to date.
    last: f64,
    /// Transfers in progress, in start order.
    active: Vec<u32>,
}

#[derive(Debug, Default)]
struct PoolState {
    free: u32,
    /// Steps waiting for a slot, first come first served.
    waiting: VecDeque<u32>,
}

/// `x` if it is > 0, else 0 (also for NaN): durations never go backwards.
#[inline]
fn non_negative(x: f64) -> f64 {
    if x > 0.0 { x } else { 0.0 }
}

/// Max–min fair (water-filling) split of `capacity` among transfers whose own caps are `caps`,
/// sorted ascending. Returns `(k, share)`: the first `k` transfers are capped below the fair share
/// and get their cap; every other transfer gets `share`.
///
/// Going up the sorted caps, the equal split of what is left is `share = left / (n − i)`. A cap
/// below it is granted in full and leaves more for the rest, so the share only grows; the first
/// cap at or above the share (and so every later one) gets exactly the share.
fn fair_share(capacity: f64, caps: &[(f64, u32)]) -> (usize, f64) {
    let mut left = capacity;
    for (i, &(cap, _)) in caps.iter().enumerate() {
        let share = left / (caps.len() - i) as f64;
        if cap < share {
            left -= cap;
        } else {
            return (i, share);
        }
    }
    (caps.len(), 0.0)
}

/// The `n`-th smallest of `values` (1 ≤ n ≤ len; the order of `values` may change). When at
/// most three values are larger, which is a fleet needing all or nearly all of its instances,
/// the largest few are kept in registers by compare-exchanges, without the data-dependent
/// branches of a selection (which of a fleet's instances comes up last is a coin toss).
/// Up-times are never NaN and never −0, where `max` and `total_cmp` could differ.
fn nth_smallest(values: &mut [f64], n: usize) -> f64 {
    // A single `maxsd` / `minsd` each: without NaN, the NaN rules of `f64::max` cost extra.
    let hi = |a: f64, b: f64| if a > b { a } else { b };
    let lo = |a: f64, b: f64| if a < b { a } else { b };
    match values.len() - n {
        // The largest, and the second largest: a fleet needing all, or all but one.
        0 => values.iter().fold(f64::NEG_INFINITY, |top, &v| hi(top, v)),
        1 => {
            let mut top = [f64::NEG_INFINITY; 2];
            for &v in values.iter() {
                top[1] = hi(top[1], lo(top[0], v));
                top[0] = hi(top[0], v);
            }
            top[1]
        }
        larger @ (2 | 3) => {
            // top[0] ≥ top[1] ≥ … : the largest values so far.
            let mut top = [f64::NEG_INFINITY; 4];
            for &v in values.iter() {
                let mut v = v;
                for t in &mut top[..=larger] {
                    let high = hi(*t, v);
                    v = lo(*t, v);
                    *t = high;
                }
            }
            top[larger]
        }
        _ => {
            values.select_nth_unstable_by(n - 1, f64::total_cmp);
            values[n - 1]
        }
    }
}

/// The step among `ids` that finished last (ties: the lowest index).
fn latest(steps: &[StepState], ids: impl Iterator<Item = u32>) -> Option<usize> {
    let mut best: Option<usize> = None;
    for i in ids {
        let i = i as usize;
        let finish = steps[i].finish;
        if best.is_none_or(|b| finish > steps[b].finish || (finish == steps[b].finish && i < b)) {
            best = Some(i);
        }
    }
    best
}

/// What one run reads: the runbook, this trial's parameters and the random stream.
struct Ctx<'a, R: ?Sized> {
    rb: &'a RunbookInner,
    params: &'a [f64],
    rng: &'a mut R,
}

/// Runs runbooks, reusing its buffers from one run to the next. One engine per thread.
#[derive(Debug, Default)]
pub struct Engine {
    queue: EventQueue<EventKind>,
    seq: u64,
    steps: Vec<StepState>,
    /// Transfer and fleet state, by step (set when the step begins).
    work: Vec<WorkState>,
    links: Vec<LinkState>,
    pools: Vec<PoolState>,
    /// Each launcher's GCRA theoretical arrival time.
    launchers: Vec<f64>,
    /// Scratch for the water-filling: (cap, step) of a link's active transfers.
    caps: Vec<(f64, u32)>,
    /// Up-times of fleets' first attempts: the earliest `needed`, sorted, of each fleet with an
    /// attempt being retried.
    ups: Vec<f64>,
    /// Steps finished so far in this run.
    done_count: usize,
    /// The step that finished last so far (ties: lowest index), or [`NO_STEP`].
    last_done: u32,
    /// Its finish (−∞ while there is none).
    last_done_finish: f64,
    /// Fleets of at least this many instances may be resolved as order statistics.
    shortcut_from: ShortcutFrom,
    /// The time of the event being processed (0 before the first).
    now: f64,
    /// Inline steps (see `StepState::inline`) started but not yet completed, with their finish.
    resolved: Vec<(u32, f64)>,
    /// Tests only: every step through events, as before inline steps (to compare both).
    events_only: bool,
    /// Tests only: a runbook of inline steps through `resolved` too, not in its fixed order.
    unordered_inline: bool,
}

impl Engine {
    pub fn new() -> Self {
        Self::default()
    }

    /// Fleets of at least `count` instances (default [`FLEET_ORDER_STATISTICS_FROM`]) whose first
    /// attempts all get the launcher slot of the fleet's start are resolved as order statistics
    /// (`crate::order`); `u32::MAX` keeps every fleet on the per-instance path. Both give the
    /// same distribution of finish times, within the table's error bound.
    pub fn set_fleet_order_statistics_from(&mut self, count: u32) {
        self.shortcut_from = ShortcutFrom(count);
    }

    /// Runs the runbook once from time 0; returns the makespan (the finish time of the last step,
    /// in seconds; 0 for an empty runbook).
    ///
    /// `params[i]` is the value of `Param::Trial(ParamId(i))`. Per-trial values are not checked
    /// ahead: a scale that is negative or NaN counts as 0, a failure probability is clamped into
    /// `[0, 0.99]` (NaN counts as 0), and a link capacity that is not > 0 stops the link's
    /// transfers, whose steps (and everything after them) then finish at `f64::INFINITY`.
    ///
    /// # Panics
    /// If `params` is shorter than [`Runbook::param_count`] (a programming error).
    pub fn run<R: Rng + ?Sized>(&mut self, runbook: &Runbook, params: &[f64], rng: &mut R) -> f64 {
        let rb = &*runbook.inner;
        assert!(
            params.len() >= rb.param_count,
            "Engine::run: the runbook reads {} per-trial parameters but only {} were passed",
            rb.param_count,
            params.len()
        );
        self.reset(rb, params);
        if !rb.inline_order.is_empty() && !self.events_only && !self.unordered_inline {
            self.run_in_order(rb, params, rng);
            return self.last_finish();
        }
        let mut cx = Ctx { rb, params, rng };

        for &i in &rb.roots {
            self.make_ready(&mut cx, i as usize, 0.0);
            self.drain(&mut cx);
        }
        while let Some(event) = self.queue.pop() {
            let t = event.time;
            self.now = t;
            match event.item {
                EventKind::Finish(s) => self.complete(&mut cx, s as usize, t),
                EventKind::Ready(s) => {
                    self.make_ready(&mut cx, s as usize, t);
                    self.drain(&mut cx);
                }
                EventKind::TransferDone { step, version } => {
                    self.transfer_done(&mut cx, step as usize, version, t)
                }
                EventKind::LaunchSlot(s) => self.launch_slot(&mut cx, s as usize, t),
                EventKind::Retry(s) => self.retry(&cx, s as usize, t),
                EventKind::InstanceUp(s) => self.instance_up(&mut cx, s as usize, t),
            }
        }
        if self.done_count == self.steps.len() {
            // Every step finished: the last one to finish ends the run.
            return self.last_finish();
        }
        // A step never made ready (it waits for a transfer over a link without capacity) gets
        // its unfinished dependency as critical, so the critical path can still be walked.
        if self.steps.iter().any(|s| s.waiting_deps > 0) {
            for i in 0..self.steps.len() {
                if self.steps[i].waiting_deps > 0 {
                    let deps = rb.steps[i].deps.iter().map(|d| d.0);
                    self.steps[i].critical_dep =
                        latest(&self.steps, deps).map_or(NO_STEP, |d| d as u32);
                }
            }
        }
        self.steps.iter().map(|s| s.finish).fold(0.0, f64::max)
    }

    /// Runs a runbook whose steps are all inline in its [`inline_order`]: each step starts when
    /// its latest dependency finished (ties: the lowest index; 0 for a root) and finishes after
    /// its draw, exactly as the general path starts and settles it, with the same draws in the
    /// same order, and without its bookkeeping.
    fn run_in_order<R: Rng + ?Sized>(&mut self, rb: &RunbookInner, params: &[f64], rng: &mut R) {
        for &s in &rb.inline_order {
            let def = &rb.steps[s as usize];
            let dep = latest(&self.steps, def.deps.iter().map(|d| d.0));
            let dep_finish = dep.map_or(f64::NEG_INFINITY, |d| self.steps[d].finish);
            let ready = if dep.is_none() { 0.0 } else { dep_finish };
            let finish = match &def.work {
                Work::Delay { duration, scale } => {
                    ready + non_negative(duration.sample(rng) * scale.resolve(params))
                }
                // A milestone: the only other work a step without events can do.
                _ => ready,
            };
            let state = &mut self.steps[s as usize];
            state.waiting_deps = 0;
            state.critical_dep = dep.map_or(NO_STEP, |d| d as u32);
            state.critical_finish = dep_finish;
            state.done = true;
            (state.ready, state.start, state.finish) = (ready, ready, finish);
            self.count_done(s, finish);
        }
    }

    /// Step `s` finished at `t`: counted, and kept as the one that finished last if it did
    /// (among equal finishes the lowest index, as [`latest`]), selected without a branch since
    /// inline steps finish out of time order.
    #[inline]
    fn count_done(&mut self, s: u32, t: f64) {
        self.done_count += 1;
        let later =
            (t > self.last_done_finish) | ((t == self.last_done_finish) & (s < self.last_done));
        self.last_done = if later { s } else { self.last_done };
        self.last_done_finish = if later { t } else { self.last_done_finish };
    }

    /// Clears the buffers for a run of `rb`, keeping their capacity.
    fn reset(&mut self, rb: &RunbookInner, params: &[f64]) {
        self.queue.clear();
        self.seq = 0;
        self.steps.clear();
        self.steps.extend_from_slice(&rb.initial);
        if self.work.len() < rb.steps.len() {
            self.work.resize(rb.steps.len(), WorkState::default());
        }

        self.links.truncate(rb.links.len());
        self.links.resize_with(rb.links.len(), LinkState::default);
        for (state, def) in self.links.iter_mut().zip(&rb.links) {
            state.capacity = non_negative(def.capacity.resolve(params));
            state.last = 0.0;
            state.active.clear();
        }

        self.pools.truncate(rb.pools.len());
        self.pools.resize_with(rb.pools.len(), PoolState::default);
        for (state, def) in self.pools.iter_mut().zip(&rb.pools) {
            state.free = def.slots;
            state.waiting.clear();
        }

        // TAT = 0 at time 0: the bucket starts full.
        self.launchers.clear();
        self.launchers.resize(rb.launchers.len(), 0.0);
        self.ups.clear();
        self.done_count = 0;
        self.last_done = NO_STEP;
        self.last_done_finish = f64::NEG_INFINITY;
        self.now = 0.0;
        self.resolved.clear();
    }

    /// The finish time of the step that finished last (0 if none did).
    fn last_finish(&self) -> f64 {
        if self.last_done == NO_STEP {
            0.0
        } else {
            self.last_done_finish
        }
    }

    #[inline]
    fn push(&mut self, time: f64, kind: EventKind) {
        debug_assert!(!time.is_nan(), "event time is NaN");
        self.seq += 1;
        self.queue.push(time, self.seq, kind);
    }

    /// All dependencies of step `s` have finished at `t`.
    #[inline]
    fn make_ready<R: Rng + ?Sized>(&mut self, cx: &mut Ctx<'_, R>, s: usize, t: f64) {
        self.steps[s].ready = t;
        self.acquire(cx, s, t);
    }

    /// Takes the step's remaining pool slots in ascending pool order, queueing at the first pool
    /// without a free slot; starts the step once it holds them all.
    fn acquire<R: Rng + ?Sized>(&mut self, cx: &mut Ctx<'_, R>, s: usize, t: f64) {
        let pools = &cx.rb.steps[s].pools;
        loop {
            let held = self.steps[s].pools_held as usize;
            let Some(pool) = pools.get(held) else {
                self.begin(cx, s, t);
                return;
            };
            let pool = &mut self.pools[pool.0 as usize];
            if pool.free > 0 {
                pool.free -= 1;
                self.steps[s].pools_held += 1;
            } else {
                pool.waiting.push_back(s as u32);
                return;
            }
        }
    }

    fn begin<R: Rng + ?Sized>(&mut self, cx: &mut Ctx<'_, R>, s: usize, t: f64) {
        self.steps[s].start = t;
        let inline = self.steps[s].inline && !self.events_only;
        match &cx.rb.steps[s].work {
            Work::Delay { duration, scale } => {
                let d = duration.sample(cx.rng) * scale.resolve(cx.params);
                let finish = t + non_negative(d);
                if inline {
                    self.resolved.push((s as u32, finish));
                } else {
                    self.push(finish, EventKind::Finish(s as u32));
                }
            }
            Work::Milestone => {
                if inline {
                    self.resolved.push((s as u32, t));
                } else {
                    self.push(t, EventKind::Finish(s as u32));
                }
            }
            Work::Transfer { size, link, cap } => {
                let size = non_negative(size.sample(cx.rng));
                let cap = cap
                    .as_ref()
                    .map_or(f64::INFINITY, |c| non_negative(c.sample(cx.rng)));
                if size == 0.0 {
                    self.push(t, EventKind::Finish(s as u32));
                    return;
                }
                let l = link.0 as usize;
                self.advance_link(l, t);
                self.work[s] = WorkState {
                    remaining: size,
                    rate: 0.0,
                    cap,
                    due: f64::INFINITY,
                    ..WorkState::default()
                };
                self.links[l].active.push(s as u32);
                self.reshare(l, t);
            }
            Work::Fleet(fleet) => {
                let scale = non_negative(fleet.scale.resolve(cx.params));
                let p = fleet.failure.resolve(cx.params);
                let failure = if p > 0.0 { p.min(0.99) } else { 0.0 };
                self.work[s] = WorkState {
                    up: 0,
                    scale,
                    failure,
                    ..WorkState::default()
                };
                let large = fleet.count >= self.shortcut_from.0 && self.shortcut_from.0 != u32::MAX;
                if fleet.needed == 0 {
                    self.push(t, EventKind::Finish(s as u32));
                    // Every instance takes a launcher slot, even when none is needed: the
                    // launches still use the launcher's rate.
                    if large {
                        self.request_slots(cx.rb, fleet.launcher, t, fleet.count);
                    } else {
                        for _ in 0..fleet.count {
                            self.request_slot(cx.rb, fleet.launcher, t);
                        }
                    }
                    return;
                }
                if large && self.begin_order_statistics(cx, s, fleet, t) {
                    return;
                }
                // Every instance requests its launcher slot now, so each first attempt's slot is
                // known here, and with it the attempt's outcome: no event per instance. A failed
                // first attempt is retried through events (`Retry`, `LaunchSlot`, `InstanceUp`).
                let at = self.ups.len();
                self.ups.reserve(fleet.count as usize);
                // The launcher's state, kept in a register over the requests.
                let l = fleet.launcher.0 as usize;
                let (def, mut tat) = (&cx.rb.launchers[l], self.launchers[l]);
                for _ in 0..fleet.count {
                    let slot = def.slot(&mut tat, t);
                    if unit_f64(cx.rng) < failure {
                        let delay = fleet.retry_delay.sample(cx.rng);
                        self.push(slot + non_negative(delay), EventKind::Retry(s as u32));
                    } else {
                        let mut total = 0.0;
                        for phase in &fleet.phases {
                            total += phase.sample(cx.rng);
                        }
                        self.ups.push(slot + non_negative(scale * total));
                    }
                }
                self.launchers[l] = tat;
                let needed = fleet.needed as usize;
                let retried = self.ups.len() - at < fleet.count as usize;
                if !retried {
                    // The step finishes when the needed-th instance is up.
                    let done = nth_smallest(&mut self.ups[at..], needed);
                    self.ups.truncate(at);
                    self.push(done, EventKind::Finish(s as u32));
                    return;
                }
                let first = &mut self.ups[at..];
                // Only the `needed` earliest first attempts can ever count.
                if first.len() >= needed {
                    first.select_nth_unstable_by(needed - 1, f64::total_cmp);
                }
                self.ups.truncate(at + needed.min(self.ups.len() - at));
                self.ups[at..].sort_unstable_by(f64::total_cmp);
                let state = &mut self.work[s];
                state.ups_at = at;
                state.ups_len = (self.ups.len() - at) as u32;
                self.schedule_fleet(cx, s, fleet.needed, t, false);
            }
        }
    }

    /// Resolves fleet `s` (needed ≥ 1) as order statistics if every first attempt gets the slot
    /// `t` (the fleet fits in the launcher's burst) and its phases have a table: the number of
    /// failed first attempts is one binomial draw (each failed one is retried through events),
    /// and the needed-th earliest of the M that succeed is `t + scale × G⁻¹(U₍needed₎)` with
    /// `U₍needed₎ ~ Beta(needed, M − needed + 1)`. Returns false (nothing drawn, the launcher
    /// untouched) otherwise.
    fn begin_order_statistics<R: Rng + ?Sized>(
        &mut self,
        cx: &mut Ctx<'_, R>,
        s: usize,
        fleet: &FleetSpec,
        t: f64,
    ) -> bool {
        let l = fleet.launcher.0 as usize;
        let def = &cx.rb.launchers[l];
        // The last first attempt's slot is max(t, max(TAT, t) + (count − 1)·T − τ).
        let late = self.launchers[l].max(t) - t;
        if f64::from(fleet.count - 1) * def.interval > def.tolerance - late {
            return false;
        }
        let table = cx.rb.steps[s]
            .quantiles
            .get_or_init(|| order::shared(&fleet.phases));
        if table.is_none() {
            return false;
        }
        self.request_slots(cx.rb, fleet.launcher, t, fleet.count);
        let state = self.work[s];
        let failed = if state.failure > 0.0 {
            Binomial::new(u64::from(fleet.count), state.failure)
                .map_or(0, |b| b.sample(cx.rng) as u32)
        } else {
            0
        };
        for _ in 0..failed {
            let delay = fleet.retry_delay.sample(cx.rng);
            self.push(t + non_negative(delay), EventKind::Retry(s as u32));
        }
        let successes = fleet.count - failed;
        let (rank, rank_u) = if fleet.needed <= successes {
            let (a, b) = (fleet.needed, successes - fleet.needed + 1);
            let u = Beta::new(f64::from(a), f64::from(b)).map_or(1.0, |d| d.sample(cx.rng));
            (a, u)
        } else {
            (successes + 1, 1.0)
        };
        self.work[s] = WorkState {
            shortcut: true,
            slot: t,
            successes,
            rank,
            rank_u,
            ..state
        };
        self.schedule_fleet(cx, s, fleet.needed, t, false);
        true
    }

    /// Fleet `s` with `up` retried instances up at `t`: it finishes once `needed − up` first
    /// attempts are up too, i.e. at the (needed − up)-th earliest of its first attempts'
    /// up-times. Finishes now if that is past (and `now` allows), else schedules a `Finish`
    /// there (an earlier one left in the queue finds the step done); nothing if too few first
    /// attempts came up and more retries must.
    ///
    /// A fleet resolved as order statistics holds U₍ᵣ₎ for the last rank r it needed; given it,
    /// the r − 1 smaller uniforms are uniform below it, so U₍ᵣ₋₁₎ = U₍ᵣ₎ · V^{1/(r−1)} with
    /// V ~ U(0, 1): one draw per retried instance that comes up first.
    fn schedule_fleet<R: Rng + ?Sized>(
        &mut self,
        cx: &mut Ctx<'_, R>,
        s: usize,
        needed: u32,
        t: f64,
        now: bool,
    ) {
        let state = self.work[s];
        let k = needed.saturating_sub(state.up);
        if k == 0 {
            self.complete(cx, s, t);
            return;
        }
        let due = if state.shortcut {
            if k > state.successes {
                return;
            }
            let (mut rank, mut u) = (state.rank, state.rank_u);
            while rank > k {
                rank -= 1;
                u *= unit_f64(cx.rng).powf(1.0 / f64::from(rank));
            }
            self.work[s].rank = rank;
            self.work[s].rank_u = u;
            let Some(Some(table)) = cx.rb.steps[s].quantiles.get() else {
                return; // set when the fleet began
            };
            state.slot + non_negative(state.scale * table.quantile(u))
        } else {
            if k > state.ups_len {
                return;
            }
            self.ups[state.ups_at + k as usize - 1]
        };
        if now && due <= t {
            self.complete(cx, s, t);
        } else {
            self.push(due.max(t), EventKind::Finish(s as u32));
        }
    }

    /// GCRA (the virtual-scheduling form of a token bucket): a request at `t` gets the slot
    /// `s = max(t, TAT − τ)` and moves the theoretical arrival time to `max(TAT, s) + T`.
    /// With TAT = 0 at time 0, the first `burst` requests get slot 0, then one per T.
    fn request_slot(&mut self, rb: &RunbookInner, launcher: LauncherId, t: f64) -> f64 {
        rb.launchers[launcher.0 as usize].slot(&mut self.launchers[launcher.0 as usize], t)
    }

    /// `n` requests at `t` in a row, in O(1): request i (from 0) gets the slot
    /// `max(t, max(TAT, t) + i·T − τ)`, and TAT becomes `max(TAT, t) + n·T` (by induction on
    /// [`Engine::request_slot`]: from the second request on, TAT > t, so `max(TAT, slot) = TAT`).
    fn request_slots(&mut self, rb: &RunbookInner, launcher: LauncherId, t: f64, n: u32) {
        if n == 0 {
            return;
        }
        let def = &rb.launchers[launcher.0 as usize];
        let tat = &mut self.launchers[launcher.0 as usize];
        *tat = tat.max(t) + f64::from(n) * def.interval;
    }

    /// Brings the remaining sizes of link `l`'s transfers up to time `t` at their current rates.
    fn advance_link(&mut self, l: usize, t: f64) {
        let link = &mut self.links[l];
        let dt = t - link.last;
        if dt > 0.0 {
            for &s in &link.active {
                let state = &mut self.work[s as usize];
                if state.rate > 0.0 {
                    state.remaining = non_negative(state.remaining - state.rate * dt);
                }
            }
        }
        link.last = t;
    }

    /// Recomputes the max–min fair rates of link `l`'s transfers at `t` (sizes already advanced to
    /// `t`) and reschedules the completion of each transfer whose rate changed.
    fn reshare(&mut self, l: usize, t: f64) {
        let link = &self.links[l];
        self.caps.clear();
        self.caps
            .extend(link.active.iter().map(|&s| (self.work[s as usize].cap, s)));
        self.caps
            .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let (capped, share) = fair_share(link.capacity, &self.caps);
        for i in 0..self.caps.len() {
            let (cap, s) = self.caps[i];
            let rate = if i < capped { cap } else { share };
            let state = &mut self.work[s as usize];
            if state.due <= t {
                // Its completion event is at `t` and not yet processed (a tie with the event being
                // processed): keep that event, so both finish at `t`.
                state.rate = rate;
                continue;
            }
            if rate == state.rate {
                // Same rate: the scheduled completion is still right.
                continue;
            }
            state.rate = rate;
            state.version = state.version.wrapping_add(1);
            let version = state.version;
            if rate > 0.0 {
                state.due = t + state.remaining / rate;
                let due = state.due;
                self.push(due, EventKind::TransferDone { step: s, version });
            } else {
                state.due = f64::INFINITY;
            }
        }
    }

    fn transfer_done<R: Rng + ?Sized>(
        &mut self,
        cx: &mut Ctx<'_, R>,
        s: usize,
        version: u32,
        t: f64,
    ) {
        if self.steps[s].done || self.work[s].version != version {
            return; // rescheduled since
        }
        let Work::Transfer { link, .. } = &cx.rb.steps[s].work else {
            return;
        };
        let l = link.0 as usize;
        self.advance_link(l, t);
        let state = &mut self.work[s];
        state.remaining = 0.0;
        state.rate = 0.0;
        // Keep the others' start order (it fixes the order of simultaneous events).
        let active = &mut self.links[l].active;
        if let Some(at) = active.iter().position(|&a| a as usize == s) {
            active.remove(at);
        }
        self.reshare(l, t);
        self.complete(cx, s, t);
    }

    /// An instance attempt reaches its launch slot: it fails (retry later) or comes up after its
    /// phases.
    fn launch_slot<R: Rng + ?Sized>(&mut self, cx: &mut Ctx<'_, R>, s: usize, t: f64) {
        if self.steps[s].done {
            return;
        }
        let Work::Fleet(fleet) = &cx.rb.steps[s].work else {
            return;
        };
        let state = self.work[s];
        if unit_f64(cx.rng) < state.failure {
            let delay = fleet.retry_delay.sample(cx.rng);
            self.push(t + non_negative(delay), EventKind::Retry(s as u32));
        } else {
            let mut total = 0.0;
            for phase in &fleet.phases {
                total += phase.sample(cx.rng);
            }
            self.push(
                t + non_negative(state.scale * total),
                EventKind::InstanceUp(s as u32),
            );
        }
    }

    fn retry<R: ?Sized>(&mut self, cx: &Ctx<'_, R>, s: usize, t: f64) {
        if self.steps[s].done {
            return; // enough instances came up meanwhile
        }
        let Work::Fleet(fleet) = &cx.rb.steps[s].work else {
            return;
        };
        let slot = self.request_slot(cx.rb, fleet.launcher, t);
        self.push(slot, EventKind::LaunchSlot(s as u32));
    }

    fn instance_up<R: Rng + ?Sized>(&mut self, cx: &mut Ctx<'_, R>, s: usize, t: f64) {
        if self.steps[s].done {
            return;
        }
        let Work::Fleet(fleet) = &cx.rb.steps[s].work else {
            return;
        };
        self.work[s].up += 1;
        self.schedule_fleet(cx, s, fleet.needed, t, true);
    }

    /// Step `s` finishes at `t`, then so do the inline steps this starts (see [`Engine::drain`]).
    fn complete<R: Rng + ?Sized>(&mut self, cx: &mut Ctx<'_, R>, s: usize, t: f64) {
        self.settle(cx, s, t);
        self.drain(cx);
    }

    /// Completes the inline steps started so far, and those their completions start in turn:
    /// each finishes at its start plus its draw, known at its start, so it needs no event.
    fn drain<R: Rng + ?Sized>(&mut self, cx: &mut Ctx<'_, R>) {
        while let Some((s, finish)) = self.resolved.pop() {
            self.settle(cx, s as usize, finish);
        }
    }

    /// Step `s` finishes at `t` (at or after the current event's time: an inline step finishes
    /// ahead of the clock): hand its pool slots to the first waiters, then make ready the
    /// dependents whose last dependency this was, at the latest finish of their dependencies.
    /// An inline dependent starts at once (it is queued on `resolved`); any other starts at once
    /// if that time is now, else gets a `Ready` event then, so that steps using pools, links and
    /// launchers still start in time order.
    fn settle<R: Rng + ?Sized>(&mut self, cx: &mut Ctx<'_, R>, s: usize, t: f64) {
        if self.steps[s].done {
            return;
        }
        let state = &mut self.steps[s];
        state.done = true;
        state.finish = t;
        self.count_done(s as u32, t);
        let def = &cx.rb.steps[s];
        for pool in &def.pools {
            match self.pools[pool.0 as usize].waiting.pop_front() {
                Some(waiter) => {
                    // The slot passes straight to the waiter, which goes on to its next pool.
                    let w = waiter as usize;
                    self.steps[w].pools_held += 1;
                    self.acquire(cx, w, t);
                }
                None => self.pools[pool.0 as usize].free += 1,
            }
        }
        for d in &def.dependents {
            let d = d.0 as usize;
            let step = &mut self.steps[d];
            // The dependency that finished last, among equal finishes the lowest index (the
            // first to finish always: its predecessor is −∞); selected without a branch, since
            // which of a join's dependencies finishes last is a coin toss.
            let later = (t > step.critical_finish)
                | ((t == step.critical_finish) & ((s as u32) < step.critical_dep));
            step.critical_dep = if later { s as u32 } else { step.critical_dep };
            step.critical_finish = if later { t } else { step.critical_finish };
            step.waiting_deps -= 1;
            if step.waiting_deps == 0 {
                let ready = step.critical_finish;
                if step.inline || ready <= self.now {
                    self.make_ready(cx, d, ready);
                } else {
                    self.push(ready, EventKind::Ready(d as u32));
                }
            }
        }
    }

    /// When step `id` started in the last run (`f64::INFINITY` if it never did).
    ///
    /// # Panics
    /// If `id` is not a step of the last runbook run.
    pub fn start(&self, id: StepId) -> f64 {
        self.steps[id.0 as usize].start
    }

    /// When step `id` finished in the last run (`f64::INFINITY` if it never did).
    ///
    /// # Panics
    /// If `id` is not a step of the last runbook run.
    pub fn finish(&self, id: StepId) -> f64 {
        self.steps[id.0 as usize].finish
    }

    /// When all dependencies of step `id` had finished in the last run (0 for a root,
    /// `f64::INFINITY` if that never happened). `start − ready` is its wait for pool slots.
    ///
    /// # Panics
    /// If `id` is not a step of the last runbook run.
    pub fn ready(&self, id: StepId) -> f64 {
        self.steps[id.0 as usize].ready
    }

    /// The critical path of the last run, from the first step to the last finishing step, as
    /// (step, contribution in seconds), where a step's contribution is its finish minus its ready
    /// time (when all its dependencies had finished, 0 for roots), so that pool waits count in
    /// the step that waited. The contributions sum to the makespan.
    ///
    /// The path is walked back from the step that finished last, each time to the dependency that
    /// finished last (ties: lowest `StepId`). Writes into `out` (cleared first; left empty before
    /// any run or for an empty runbook), in path order.
    pub fn critical_path(&self, out: &mut Vec<(StepId, f64)>) {
        let last = if self.done_count > 0 && self.done_count == self.steps.len() {
            // Every step finished: the one that finished last was kept as they did.
            (self.last_done != NO_STEP).then_some(self.last_done as usize)
        } else {
            latest(&self.steps, 0..self.steps.len() as u32)
        };
        self.walk_back(last, out);
    }

    /// The critical path that ends at `end` (e.g. the step that brings a service back while
    /// other steps go on), walked back as [`Engine::critical_path`] does. Empty if `end` is not
    /// a step of the last run.
    pub fn critical_path_to(&self, end: StepId, out: &mut Vec<(StepId, f64)>) {
        let from = ((end.0 as usize) < self.steps.len()).then_some(end.0 as usize);
        self.walk_back(from, out);
    }

    fn walk_back(&self, from: Option<usize>, out: &mut Vec<(StepId, f64)>) {
        out.clear();
        let mut current = from;
        while let Some(s) = current {
            let state = &self.steps[s];
            // finish == ready also covers a step never made ready (∞ − ∞ would be NaN).
            let contribution = if state.finish == state.ready {
                0.0
            } else {
                state.finish - state.ready
            };
            out.push((StepId(s as u32), contribution));
            current = (state.critical_dep != NO_STEP).then_some(state.critical_dep as usize);
        }
        out.reverse();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream_rng;
    use crate::stats::ks_distance;

    #[test]
    fn nth_smallest_is_the_selection() {
        let mut rng = stream_rng(9, 0, 0);
        for len in 1..12 {
            for n in 1..=len {
                for round in 0..50 {
                    // Whole seconds in some rounds, so that ties occur.
                    let mut values: Vec<f64> = (0..len)
                        .map(|_| {
                            let x = unit_f64(&mut rng) * 10.0;
                            if round % 2 == 0 { x.floor() } else { x }
                        })
                        .collect();
                    let mut sorted = values.clone();
                    sorted.sort_by(f64::total_cmp);
                    assert_eq!(
                        nth_smallest(&mut values, n),
                        sorted[n - 1],
                        "{sorted:?} {n}"
                    );
                }
            }
        }
    }

    #[test]
    fn fair_share_water_fills() {
        let inf = f64::INFINITY;
        // No caps: equal split.
        assert_eq!(fair_share(90.0, &[(inf, 0), (inf, 1), (inf, 2)]), (0, 30.0));
        // One cap below the equal share: it gets its cap, the others split the rest.
        assert_eq!(fair_share(100.0, &[(30.0, 0), (inf, 1)]), (1, 70.0));
        // Caps above the equal share do not bind.
        assert_eq!(fair_share(100.0, &[(60.0, 0), (inf, 1)]), (0, 50.0));
        // Two binding caps, then the remainder: 100 − 10 − 20 = 70 for one.
        assert_eq!(
            fair_share(100.0, &[(10.0, 0), (20.0, 1), (inf, 2)]),
            (2, 70.0)
        );
        // All capped below the capacity.
        assert_eq!(fair_share(100.0, &[(10.0, 0), (20.0, 1)]), (2, 0.0));
        // No capacity.
        assert_eq!(fair_share(0.0, &[(10.0, 0), (inf, 1)]), (0, 0.0));
    }

    #[test]
    fn gcra_gives_burst_then_one_per_interval() {
        let mut b = RunbookBuilder::new();
        let l = b.launcher("l", 4.0, 3).expect("launcher");
        let rb = b.build().expect("build");
        let mut engine = Engine::new();
        engine.reset(&rb.inner, &[]);
        let slots: Vec<f64> = (0..6)
            .map(|_| engine.request_slot(&rb.inner, l, 0.0))
            .collect();
        assert_eq!(slots, [0.0, 0.0, 0.0, 0.25, 0.5, 0.75]);
        // After a long idle period the bucket is full again.
        let later: Vec<f64> = (0..4)
            .map(|_| engine.request_slot(&rb.inner, l, 100.0))
            .collect();
        assert_eq!(later, [100.0, 100.0, 100.0, 100.25]);
    }

    /// `request_slots` and the slots a fleet's first attempts get agree with `n` calls of
    /// `request_slot`: slot i = max(t, max(TAT₀, t) + i·T − τ), TAT = max(TAT₀, t) + n·T, from a
    /// full, a partly used and an emptied bucket, and for requests before and after TAT₀.
    #[test]
    fn bulk_requests_match_one_at_a_time() {
        let mut b = RunbookBuilder::new();
        let l = b.launcher("l", 3.0, 7).expect("launcher");
        let rb = b.build().expect("build");
        let (interval, tolerance) = (1.0 / 3.0, 6.0 / 3.0);
        for (warm, t, n) in [
            (0, 0.0, 5),
            (0, 1.0, 20),
            (3, 0.0, 4),
            (30, 2.0, 9),
            (30, 50.0, 12),
        ] {
            let mut one = Engine::new();
            one.reset(&rb.inner, &[]);
            let mut bulk = Engine::new();
            bulk.reset(&rb.inner, &[]);
            for _ in 0..warm {
                one.request_slot(&rb.inner, l, 0.0);
                bulk.request_slot(&rb.inner, l, 0.0);
            }
            let base = one.launchers[0].max(t);
            for i in 0..n {
                let slot = one.request_slot(&rb.inner, l, t);
                let formula = t.max(base + f64::from(i) * interval - tolerance);
                assert!(
                    (slot - formula).abs() < 1e-9,
                    "slot {i}: {slot} vs {formula}"
                );
            }
            bulk.request_slots(&rb.inner, l, t, n);
            let (a, b) = (one.launchers[0], bulk.launchers[0]);
            assert!((a - b).abs() < 1e-9, "TAT {a} vs {b}");
            assert!((b - (base + f64::from(n) * interval)).abs() < 1e-12);
        }
    }

    /// A proxy for "no allocation once grown": after a warm-up run, rerunning the same
    /// deterministic runbook leaves every buffer at the same address and capacity.
    /// The step kept as the last to finish (ties: lowest index) is the one a scan of all steps
    /// finds, on runs with ties in finish time and after a run whose transfer never finished
    /// (no capacity: every step after it stays unfinished) on the same engine.
    #[test]
    fn last_finished_step_matches_a_scan() {
        let mut b = RunbookBuilder::new();
        let link = b.link("net", Param::Trial(ParamId(0))).expect("link");
        let delay = |b: &mut RunbookBuilder, name: &str, d: Dist| {
            b.step(
                name,
                Work::Delay {
                    duration: d,
                    scale: Param::Fixed(1.0),
                },
            )
            .expect("step")
        };
        let fixed = |v| Dist::fixed(v).expect("dist");
        let a = delay(&mut b, "a", fixed(2.0));
        let c = delay(&mut b, "c", fixed(2.0)); // ties with a
        let t = b
            .step(
                "t",
                Work::Transfer {
                    size: fixed(10.0),
                    link,
                    cap: None,
                },
            )
            .expect("step");
        let e = delay(&mut b, "e", Dist::uniform(0.0, 4.0).expect("dist"));
        b.after(e, t).expect("after");
        let m = b.step("m", Work::Milestone).expect("step");
        b.after(m, a).expect("after");
        let rb = b.build().expect("build");
        let mut engine = Engine::new();
        let mut path = Vec::new();
        for (i, capacity) in [5.0, 0.0, 100.0, 5.0, 0.0, 1e9].into_iter().enumerate() {
            let makespan = engine.run(&rb, &[capacity], &mut stream_rng(7, i as u64, 0));
            let scanned = latest(&engine.steps, 0..engine.steps.len() as u32);
            let folded = engine.steps.iter().map(|s| s.finish).fold(0.0, f64::max);
            assert_eq!(makespan.to_bits(), folded.to_bits(), "run {i}");
            engine.critical_path(&mut path);
            let last = path.last().map(|&(id, _)| id.0 as usize);
            assert_eq!(last, scanned, "run {i}");
            assert_eq!(engine.finish(c), 2.0);
        }
    }

    fn delay_step(b: &mut RunbookBuilder, name: &str, duration: Dist) -> StepId {
        b.step(
            name,
            Work::Delay {
                duration,
                scale: Param::Fixed(1.0),
            },
        )
        .expect("step")
    }

    /// Per step (start, ready, finish) as bits, the makespan and the critical path.
    type Trace = (Vec<[u64; 3]>, u64, Vec<(StepId, u64)>);

    fn trace(engine: &Engine, makespan: f64) -> Trace {
        let steps = engine
            .steps
            .iter()
            .map(|s| [s.start.to_bits(), s.ready.to_bits(), s.finish.to_bits()])
            .collect();
        let mut path = Vec::new();
        engine.critical_path(&mut path);
        let path = path.into_iter().map(|(id, c)| (id, c.to_bits())).collect();
        (steps, makespan.to_bits(), path)
    }

    /// A DAG of delays and milestones takes no event: every finish is its longest path, the
    /// critical dependency is the latest (ties: lowest index), and so is the last step.
    #[test]
    fn a_dag_of_delays_needs_no_event() {
        let fixed = |v| Dist::fixed(v).expect("dist");
        let mut b = RunbookBuilder::new();
        let f = delay_step(&mut b, "f", fixed(6.0));
        let a = delay_step(&mut b, "a", fixed(4.0));
        let bb = delay_step(&mut b, "b", fixed(3.0));
        let c = delay_step(&mut b, "c", fixed(1.0));
        let m = b.step("m", Work::Milestone).expect("step");
        let e = delay_step(&mut b, "e", fixed(2.0));
        b.after(c, bb).expect("after");
        b.after(m, c).expect("after"); // c and a both finish at 4: a has the lower index
        b.after(m, a).expect("after");
        b.after(e, m).expect("after");
        let rb = b.build().expect("build");
        let mut engine = Engine::new();
        let makespan = engine.run(&rb, &[], &mut stream_rng(1, 0, 0));
        assert_eq!(engine.seq, 0, "no event was pushed");
        assert_eq!(makespan, 6.0);
        let finishes: Vec<f64> = [f, a, bb, c, m, e].map(|s| engine.finish(s)).to_vec();
        assert_eq!(finishes, [6.0, 4.0, 3.0, 4.0, 4.0, 6.0]);
        assert_eq!((engine.ready(m), engine.start(m)), (4.0, 4.0));
        assert_eq!((engine.ready(e), engine.start(e)), (4.0, 4.0));
        let mut path = Vec::new();
        // f and e both finish at 6: f has the lower index.
        engine.critical_path(&mut path);
        assert_eq!(path, [(f, 6.0)]);
        engine.critical_path_to(e, &mut path);
        assert_eq!(path, [(a, 4.0), (m, 0.0), (e, 2.0)]);
        let inline = trace(&engine, makespan);
        engine.events_only = true;
        let makespan = engine.run(&rb, &[], &mut stream_rng(1, 0, 0));
        assert_eq!(trace(&engine, makespan), inline);
    }

    /// A random runbook of `n` steps: inline delays, milestones (unless `pooled`), delays holding
    /// a pool of 1 or 2 slots (if `pooled`; never roots) and transfers over one link (some
    /// capped), each depending on up to three earlier steps. Durations and sizes are drawn here
    /// (fixed per step) unless `random`: then each step draws its own at run time.
    fn random_runbook(seed: u64, n: usize, random: bool, pooled: bool) -> Runbook {
        let mut g = stream_rng(seed, 0, 9);
        let mut b = RunbookBuilder::new();
        let link = b.link("net", Param::Fixed(10.0)).expect("link");
        let pool = b
            .pool("ops", 1 + (unit_f64(&mut g) * 2.0) as u32)
            .expect("pool");
        let dist = |g: &mut _, scale: f64| {
            if random {
                Dist::lognormal(scale, 3.0 * scale).expect("dist")
            } else {
                Dist::fixed(scale * (0.5 + unit_f64(g))).expect("dist")
            }
        };
        let mut ids = Vec::new();
        for i in 0..n {
            let kind = unit_f64(&mut g);
            let name = format!("s{i}");
            let id = if kind < 0.4 {
                delay_step(&mut b, &name, dist(&mut g, 5.0))
            } else if kind < 0.55 && !pooled {
                b.step(&name, Work::Milestone).expect("step")
            } else if kind < 0.75 && pooled && i > 0 {
                let id = delay_step(&mut b, &name, dist(&mut g, 3.0));
                b.use_pool(id, pool).expect("pool");
                id
            } else {
                let cap = (unit_f64(&mut g) < 0.3).then(|| dist(&mut g, 4.0));
                let size = dist(&mut g, 40.0);
                b.step(&name, Work::Transfer { size, link, cap })
                    .expect("step")
            };
            let pooled_step = rb_uses_pool(&b, id);
            let deps = (unit_f64(&mut g) * 4.0) as usize;
            for _ in 0..deps.max(usize::from(pooled_step)) {
                if i > 0 {
                    let dep = ids[(unit_f64(&mut g) * i as f64) as usize];
                    b.after(id, dep).expect("after");
                }
            }
            ids.push(id);
        }
        b.build().expect("build")
    }

    fn rb_uses_pool(b: &RunbookBuilder, id: StepId) -> bool {
        !b.steps[id.0 as usize].pools.is_empty()
    }

    /// With every duration fixed, resolving delays and milestones inline gives exactly what
    /// the event path gives: every step's start, ready and finish, the makespan and the
    /// critical path, on random runbooks where delays feed pooled steps and transfers.
    /// Steps that become ready at the same instant may queue for a pool in another order than
    /// on the event path (the order in which their readiness is settled, not that of the
    /// events), so runbooks where two pooled steps become ready at once are left out (about half
    /// of those with pools: pooled steps sharing their last dependency).
    #[test]
    fn inline_steps_match_the_event_path_exactly() {
        let mut engine = Engine::new();
        let mut events = Engine {
            events_only: true,
            ..Engine::default()
        };
        let (mut fewer, mut compared) = (0usize, 0usize);
        for seed in 0..500 {
            let rb = random_runbook(seed, 4 + (seed % 20) as usize, false, seed % 2 == 0);
            let makespan = engine.run(&rb, &[], &mut stream_rng(1, seed, 0));
            let expected = events.run(&rb, &[], &mut stream_rng(1, seed, 0));
            let mut pooled_ready: Vec<u64> = (0..rb.len())
                .filter(|&i| !rb.inner.steps[i].pools.is_empty())
                .map(|i| events.steps[i].ready.to_bits())
                .collect();
            let pooled = pooled_ready.len();
            pooled_ready.sort_unstable();
            pooled_ready.dedup();
            if pooled_ready.len() < pooled {
                continue; // a tie in pool order
            }
            compared += 1;
            assert_eq!(
                trace(&engine, makespan),
                trace(&events, expected),
                "runbook {seed}"
            );
            fewer += usize::from(engine.seq < events.seq);
        }
        assert!(compared > 350, "only {compared} of 500 runbooks compared");
        // Fewer events pushed (a transfer starting at another moment of the same instant can
        // reschedule its link's completions once more, so not on every runbook).
        assert!(
            fewer * 10 > compared * 9,
            "only {fewer} of {compared} took fewer events"
        );
    }

    /// A runbook of inline steps only runs in its fixed order exactly as through the
    /// `resolved` stack, random durations included (same draws, same order): every step's start,
    /// ready and finish, the makespan and the critical path, bit for bit.
    #[test]
    fn inline_runbooks_run_in_order_as_through_the_stack() {
        let mut ordered = Engine::new();
        let mut stacked = Engine {
            unordered_inline: true,
            ..Engine::default()
        };
        for seed in 0..300 {
            let mut g = stream_rng(seed, 0, 11);
            let mut b = RunbookBuilder::new();
            let n = 1 + (seed % 16) as usize;
            let mut ids = Vec::new();
            for i in 0..n {
                let name = format!("s{i}");
                let id = if unit_f64(&mut g) < 0.2 {
                    b.step(&name, Work::Milestone).expect("step")
                } else if unit_f64(&mut g) < 0.3 {
                    // Whole seconds, so that finishes tie.
                    let d = Dist::fixed((unit_f64(&mut g) * 4.0).floor()).expect("dist");
                    delay_step(&mut b, &name, d)
                } else {
                    delay_step(&mut b, &name, Dist::lognormal(5.0, 15.0).expect("dist"))
                };
                for _ in 0..(unit_f64(&mut g) * 4.0) as usize {
                    if i > 0 {
                        let dep = ids[(unit_f64(&mut g) * i as f64) as usize];
                        b.after(id, dep).expect("after");
                    }
                }
                ids.push(id);
            }
            let rb = b.build().expect("build");
            assert_eq!(rb.inner.inline_order.len(), n, "runbook {seed}");
            let makespan = ordered.run(&rb, &[], &mut stream_rng(2, seed, 0));
            let expected = stacked.run(&rb, &[], &mut stream_rng(2, seed, 0));
            assert_eq!(
                trace(&ordered, makespan),
                trace(&stacked, expected),
                "runbook {seed}"
            );
            assert_eq!(ordered.done_count, stacked.done_count);
        }
    }

    /// With random durations the draws come in another order, so single runs differ, but the
    /// makespan and every step's finish agree in distribution with the event path's
    /// (two-sample KS test at the 0.1 % level, on independent streams).
    #[test]
    fn inline_steps_agree_in_distribution_with_the_event_path() {
        let runs = 4_000u64;
        for seed in [3u64, 11] {
            let rb = random_runbook(seed, 14, true, true);
            let sample = |events_only: bool, stream: u64| {
                let mut engine = Engine {
                    events_only,
                    ..Engine::default()
                };
                let mut finishes = vec![Vec::new(); rb.len() + 1];
                for i in 0..runs {
                    let makespan = engine.run(&rb, &[], &mut stream_rng(seed, i, stream));
                    finishes[0].push(makespan);
                    for (k, s) in engine.steps.iter().enumerate() {
                        finishes[k + 1].push(s.finish);
                    }
                }
                for f in &mut finishes {
                    f.sort_by(f64::total_cmp);
                }
                finishes
            };
            let (ours, theirs) = (sample(false, 0), sample(true, 1));
            // Kolmogorov's critical value at α = 0.001 for two samples of `runs`.
            let critical = 1.949 * (2.0 / runs as f64).sqrt();
            for (k, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                let d = ks_distance(a, b);
                assert!(
                    d <= critical,
                    "runbook {seed}, series {k}: KS {d} > {critical}"
                );
            }
        }
    }

    #[test]
    fn reruns_reuse_buffers() {
        let mut b = RunbookBuilder::new();
        let link = b.link("net", Param::Fixed(10.0)).expect("link");
        let pool = b.pool("ops", 1).expect("pool");
        let launcher = b.launcher("api", 2.0, 2).expect("launcher");
        let fixed = |v| Dist::fixed(v).expect("dist");
        let t1 = b
            .step(
                "t1",
                Work::Transfer {
                    size: fixed(50.0),
                    link,
                    cap: None,
                },
            )
            .expect("step");
        let t2 = b
            .step(
                "t2",
                Work::Transfer {
                    size: fixed(20.0),
                    link,
                    cap: Some(fixed(3.0)),
                },
            )
            .expect("step");
        let fleet = FleetSpec {
            count: 5,
            needed: 4,
            launcher,
            phases: vec![fixed(1.0), Dist::exponential(2.0).expect("dist")],
            scale: Param::Fixed(1.0),
            failure: Param::Fixed(0.2),
            retry_delay: fixed(1.0),
        };
        let f = b.step("f", Work::Fleet(fleet)).expect("step");
        let d = b
            .step(
                "d",
                Work::Delay {
                    duration: fixed(1.0),
                    scale: Param::Fixed(1.0),
                },
            )
            .expect("step");
        // Inline steps: a milestone after the pooled delay and the fleet, a delay after it.
        let m = b.step("m", Work::Milestone).expect("step");
        let e = b
            .step(
                "e",
                Work::Delay {
                    duration: fixed(2.0),
                    scale: Param::Fixed(1.0),
                },
            )
            .expect("step");
        b.use_pool(t1, pool).expect("pool");
        b.use_pool(d, pool).expect("pool");
        b.after(f, t2).expect("after");
        b.after(m, d).expect("after");
        b.after(m, f).expect("after");
        b.after(e, m).expect("after");
        let rb = b.build().expect("build");

        let mut engine = Engine::new();
        let snapshot = |e: &Engine| {
            (
                e.queue.capacity(),
                e.steps.as_ptr(),
                e.steps.capacity(),
                e.links
                    .iter()
                    .map(|l| (l.active.as_ptr(), l.active.capacity()))
                    .collect::<Vec<_>>(),
                e.pools
                    .iter()
                    .map(|p| p.waiting.capacity())
                    .collect::<Vec<_>>(),
                e.caps.as_ptr(),
                e.caps.capacity(),
                e.ups.capacity(),
                e.resolved.as_ptr(),
                e.resolved.capacity(),
            )
        };
        let first = engine.run(&rb, &[], &mut stream_rng(1, 0, 0));
        let before = snapshot(&engine);
        for _ in 0..10 {
            assert_eq!(
                engine.run(&rb, &[], &mut stream_rng(1, 0, 0)).to_bits(),
                first.to_bits()
            );
            assert_eq!(snapshot(&engine), before);
        }
    }
}
