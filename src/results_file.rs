//! The results file: the mergeable statistics of a run (or of a slice of its trials), versioned
//! and self-describing, so that runs made by different processes or machines merge exactly.
//!
//! The engine's accumulators carry no serde (see ARCHITECTURE.md); this module converts them to
//! and from plain serializable records: a `Tally` through `sim_core::stats::TallyParts` (its
//! exact count, sums, minimum, maximum and its HdrHistogram in the portable V2 encoding,
//! base64), proportions and totals as their integer counts. Integers beyond 2^53 (the `u128`
//! sums) are decimal strings, so that no JSON reader rounds them. The file is JSON:
//!
//! ```json
//! { "format": "drsim-results", "format_version": 2, "drsim_version": "0.1.0",
//!   "command": "simulate", "strategy": null,
//!   "scenario": { "name": "…", "file": "…", "hash": "fnv1a64:…", "text": "…" },
//!   "seed": 1, "trials": 1000000, "shard": { "index": 1, "count": 4 },
//!   "range": { "start": 0, "end": 249856 }, "results": { … } }
//! ```
//!
//! The scenario travels with its results: `text` is the scenario file's text (`null` for the
//! embedded reference), so `drsim merge` needs nothing else, and `hash` identifies the scenario:
//! FNV-1a (64 bits) of the embedded reference text, a zero byte, and the file's bytes (nothing
//! for the reference). The reference is hashed because a file only overrides it: the same file
//! under another drsim's reference is another scenario. It is an identity check, not a
//! security measure.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use scenarios::simulate::{Cell, Compiled, Results, StepStat};
use scenarios::{Disaster, Scenario, Strategy};
use serde::{Deserialize, Serialize};
use sim_core::stats::{Proportion, Tally, TallyParts, Total};

use crate::Failure;

/// What the `format` key of every results file says.
pub const FORMAT: &str = "drsim-results";
/// Version of the results-file format; files of another version are refused.
pub const FORMAT_VERSION: u32 = 2;

/// A scenario as read: its validated form, and where it came from.
pub struct Source {
    pub scenario: Scenario,
    /// The name used in messages and reports (the path as given, or the reference's name).
    pub file: String,
    /// The file's text; `None` for the embedded reference.
    pub text: Option<String>,
}

impl Source {
    /// Reads and validates a scenario file, or the embedded reference when `path` is `None`.
    pub fn read(path: Option<&Path>) -> Result<Source, Failure> {
        match path {
            None => Source::from_text(None, scenarios::REFERENCE_NAME),
            Some(path) => {
                let name = path.display().to_string();
                let text = crate::io::read_text(path, crate::io::MAX_SCENARIO_BYTES).map_err(|e| {
                    Failure::BadInput(format!(
                        "{name}: cannot read the scenario file: {e}\n  help: check the path, or leave it out to use the embedded reference scenario (`drsim init` writes a copy)"
                    ))
                })?;
                let source = Source::from_text(Some(text), &name)?;
                // The AWS names it uses must be known to its catalogs.
                let catalog = crate::plan::load_catalog(&source.scenario, Some(path))?;
                if let Some(text) = &source.text {
                    crate::names::check(&source.scenario, text, &name, &catalog)?;
                }
                Ok(source)
            }
        }
    }

    /// Validates a scenario from its text (`None`: the embedded reference), named `file`.
    pub fn from_text(text: Option<String>, file: &str) -> Result<Source, Failure> {
        let scenario = match &text {
            None => scenarios::reference(),
            Some(text) => scenarios::load(text, file),
        }
        .map_err(|e| Failure::BadInput(e.to_string()))?;
        Ok(Source {
            scenario,
            file: file.to_string(),
            text,
        })
    }

    /// The scenario's identity: see the module documentation.
    pub fn hash(&self) -> String {
        let mut h = Fnv1a::new();
        h.write(scenarios::REFERENCE.as_bytes());
        h.write(&[0]);
        if let Some(text) = &self.text {
            h.write(text.as_bytes());
        }
        format!("fnv1a64:{:016x}", h.0)
    }
}

/// FNV-1a, 64 bits.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// A results file, as written and read.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsFile {
    pub format: String,
    pub format_version: u32,
    pub drsim_version: String,
    /// The command that ran: `simulate` or `check`.
    pub command: String,
    /// The strategy `check` judged (`null` for `simulate`).
    pub strategy: Option<String>,
    pub scenario: ScenarioRecord,
    pub seed: u64,
    /// Trials of the whole run this file is a slice of.
    pub trials: u64,
    pub shard: ShardRecord,
    /// The trials this file covers, `start..end`.
    pub range: RangeRecord,
    /// `check`: the judged strategy's monthly DR spend, exact US dollars as a decimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_spend: Option<String>,
    /// `simulate` and `check`: the simulation's accumulators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<ResultsRecord>,
    /// `plan`: the first pass over the years of `range` (`trials` counts years).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanRecord>,
}

/// A shard of `drsim plan`: per component (the settings sharing one recovery from a disaster
/// type) its outcomes, per setting its simulated years.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRecord {
    pub years: u64,
    pub components: Vec<TypeStatsRecord>,
    pub settings: Vec<AnnualRecord>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeStatsRecord {
    pub rto: TallyRecord,
    pub rpo: TallyRecord,
    pub meets_rto: ProportionRecord,
    pub meets_rpo: ProportionRecord,
    pub meets_both: ProportionRecord,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualRecord {
    pub downtime: TallyRecord,
    pub loss: TallyRecord,
    pub disaster_cost_count: u64,
    /// Decimal string (a `u128`), cents.
    pub disaster_cost_sum: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRecord {
    pub name: String,
    pub file: String,
    pub hash: String,
    pub text: Option<String>,
}

/// Which slice of the run: `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardRecord {
    pub index: u64,
    pub count: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeRecord {
    pub start: u64,
    pub end: u64,
}

/// The accumulators of `scenarios::simulate::Results`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsRecord {
    pub trials: u64,
    pub replication_overloaded: u64,
    /// `faster[i][j]`: trials where strategy i recovered strictly faster than j.
    pub faster: [[u64; 4]; 4],
    /// Per strategy (keyed by name), per disaster type (keyed by name).
    pub strategies: BTreeMap<String, BTreeMap<String, CellRecord>>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellRecord {
    pub rto: TallyRecord,
    pub rpo: TallyRecord,
    pub failback: TallyRecord,
    pub meets_rto: ProportionRecord,
    pub meets_rpo: ProportionRecord,
    pub meets_both: ProportionRecord,
    pub primary_first: u64,
    pub no_usable_backup: u64,
    /// Per runbook step, in runbook order.
    pub steps: Vec<StepRecord>,
    /// Region loss: the RPO of the database, then of each dataset in scenario order (empty
    /// for the other disaster types).
    pub rpo_parts: Vec<TallyRecord>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TallyRecord {
    pub count: u64,
    /// Decimal string (a `u128`).
    pub sum: String,
    /// Decimal string (a `u128`).
    pub sum_sq: String,
    pub min: u64,
    pub max: u64,
    /// HdrHistogram V2 encoding, base64 (standard alphabet, padded); empty when `count` is 0.
    pub histogram: String,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProportionRecord {
    pub hits: u64,
    pub trials: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRecord {
    pub on_path: u64,
    pub contribution_count: u64,
    /// Decimal string (a `u128`), milliseconds.
    pub contribution_sum: String,
}

/// What a results file describes besides its accumulators.
pub struct Header<'a> {
    pub command: &'a str,
    pub strategy: Option<Strategy>,
    pub seed: u64,
    pub trials: u64,
    pub shard: ShardRecord,
    pub range: std::ops::Range<u64>,
    pub monthly_spend: Option<pricing::Usd>,
}

impl ResultsFile {
    /// Records a run's results.
    pub fn new(source: &Source, header: &Header<'_>, results: &Results) -> anyhow::Result<Self> {
        let mut file = ResultsFile::described(source, header);
        file.results = Some(record_results(results)?);
        Ok(file)
    }

    /// Everything but the accumulators.
    fn described(source: &Source, header: &Header<'_>) -> ResultsFile {
        ResultsFile {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            drsim_version: env!("CARGO_PKG_VERSION").to_string(),
            command: header.command.to_string(),
            strategy: header.strategy.map(|s| s.name().to_string()),
            scenario: ScenarioRecord {
                name: source.scenario.name.clone(),
                file: source.file.clone(),
                hash: source.hash(),
                text: source.text.clone(),
            },
            seed: header.seed,
            trials: header.trials,
            shard: header.shard,
            range: RangeRecord {
                start: header.range.start,
                end: header.range.end,
            },
            monthly_spend: header.monthly_spend.map(|u| u.0.to_string()),
            results: None,
            plan: None,
        }
    }

    /// Records a shard of `drsim plan` (`header.trials` and `range` count years).
    pub fn new_plan(
        source: &Source,
        header: &Header<'_>,
        pass: &planner::years::FirstPass,
    ) -> anyhow::Result<Self> {
        let mut file = ResultsFile::described(source, header);
        file.plan = Some(PlanRecord {
            years: header.range.end - header.range.start,
            components: pass
                .components
                .iter()
                .map(|c| {
                    Ok(TypeStatsRecord {
                        rto: record_tally(&c.rto)?,
                        rpo: record_tally(&c.rpo)?,
                        meets_rto: record_proportion(&c.meets_rto),
                        meets_rpo: record_proportion(&c.meets_rpo),
                        meets_both: record_proportion(&c.meets_both),
                    })
                })
                .collect::<anyhow::Result<_>>()?,
            settings: pass
                .annual
                .iter()
                .map(|a| {
                    Ok(AnnualRecord {
                        downtime: record_tally(&a.downtime)?,
                        loss: record_tally(&a.loss)?,
                        disaster_cost_count: a.disaster_cost.count,
                        disaster_cost_sum: a.disaster_cost.sum.to_string(),
                    })
                })
                .collect::<anyhow::Result<_>>()?,
        });
        Ok(file)
    }

    /// What the file covers: trials (simulate, check) or years (plan).
    fn units(&self) -> Option<u64> {
        match (&self.results, &self.plan) {
            (Some(r), None) => Some(r.trials),
            (None, Some(p)) => Some(p.years),
            _ => None,
        }
    }

    /// The file's text (pretty JSON, ending with a newline).
    pub fn to_text(&self) -> anyhow::Result<String> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }

    /// Reads a results file; every problem is bad input naming the file.
    pub fn read(path: &Path) -> Result<ResultsFile, Failure> {
        let name = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::BadInput(format!(
                "{name}: cannot read the results file: {e}\n  help: check the path; results files are written by `drsim simulate --shard K/N --out FILE` or `drsim check --save-baseline FILE`"
            ))
        })?;
        ResultsFile::parse(&text, &name.to_string())
    }

    /// Parses the text of a results file named `name` (used in messages).
    pub fn parse(text: &str, name: &str) -> Result<ResultsFile, Failure> {
        // The format and version first, so that a file of another version gets that message
        // rather than one about a key it does not have.
        #[derive(Deserialize)]
        struct Probe {
            format: Option<String>,
            format_version: Option<u32>,
        }
        let not_ours = |detail: String| {
            Failure::BadInput(format!(
                "{name}: not a drsim results file ({detail})\n  help: results files are written by `drsim simulate --shard K/N --out FILE` or `drsim check --save-baseline FILE`"
            ))
        };
        let probe: Probe =
            serde_json::from_str(text).map_err(|e| not_ours(format!("not JSON: {e}")))?;
        if probe.format.as_deref() != Some(FORMAT) {
            return Err(not_ours(format!("its `format` is not \"{FORMAT}\"")));
        }
        if probe.format_version != Some(FORMAT_VERSION) {
            return Err(Failure::BadInput(format!(
                "{name}: results file format version {}, this drsim ({}) reads version {FORMAT_VERSION}\n  help: rerun the run (or save the baseline again) with this drsim",
                probe
                    .format_version
                    .map_or_else(|| "missing".to_string(), |v| v.to_string()),
                env!("CARGO_PKG_VERSION"),
            )));
        }
        serde_json::from_str(text).map_err(|e| {
            Failure::BadInput(format!(
                "{name}: damaged results file: {e}\n  help: write it again; results files are not meant to be edited"
            ))
        })
    }

    /// The monthly spend recorded, if any (a damaged amount is bad input).
    pub fn spend(&self, name: &str) -> Result<Option<pricing::Usd>, Failure> {
        self.monthly_spend
            .as_deref()
            .map(|text| {
                pricing::Usd::parse(text).ok_or_else(|| {
                    Failure::BadInput(format!(
                        "{name}: damaged results file: `monthly_spend` {text:?} is not an amount"
                    ))
                })
            })
            .transpose()
    }

    /// The accumulators, checked against the compiled scenario (runbook lengths) and against
    /// each other (histogram counts agree with the exact counts).
    pub fn results(&self, compiled: &Compiled, name: &str) -> Result<Results, Failure> {
        let record = self.results.as_ref().ok_or_else(|| {
            Failure::BadInput(format!(
                "{name}: a results file of `drsim {}`, without a simulation's results",
                self.command
            ))
        })?;
        restore_results(record, compiled).map_err(|e| {
            Failure::BadInput(format!(
                "{name}: damaged results file: {e}\n  help: write it again; results files are not meant to be edited"
            ))
        })
    }
}

/// A plan shard's first pass.
fn restore_plan(record: &PlanRecord) -> Result<planner::years::FirstPass, String> {
    let tally = |t: &TallyRecord, what: &str| restore_tally(t).map_err(|e| format!("{what}: {e}"));
    let components = record
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let at = format!("plan.components[{i}]");
            let stats = planner::TypeStats {
                rto: tally(&c.rto, &at)?,
                rpo: tally(&c.rpo, &at)?,
                meets_rto: restore_proportion(c.meets_rto, &at)?,
                meets_rpo: restore_proportion(c.meets_rpo, &at)?,
                meets_both: restore_proportion(c.meets_both, &at)?,
            };
            let n = stats.rto.count();
            if stats.rpo.count() != n
                || [stats.meets_rto, stats.meets_rpo, stats.meets_both]
                    .iter()
                    .any(|p| p.trials != n)
            {
                return Err(format!("the counts of {at} disagree with each other"));
            }
            Ok(stats)
        })
        .collect::<Result<Vec<_>, String>>()?;
    let annual = record
        .settings
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let at = format!("plan.settings[{i}]");
            let stats = planner::AnnualStats {
                downtime: std::sync::Arc::new(tally(&a.downtime, &at)?),
                loss: tally(&a.loss, &at)?,
                disaster_cost: Total {
                    count: a.disaster_cost_count,
                    sum: decimal(&a.disaster_cost_sum, "disaster_cost_sum")?,
                },
            };
            if stats.downtime.count() != record.years
                || stats.loss.count() != record.years
                || stats.disaster_cost.count != record.years
            {
                return Err(format!("{at} does not hold {} years", record.years));
            }
            Ok(stats)
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(planner::years::FirstPass { components, annual })
}

fn record_results(results: &Results) -> anyhow::Result<ResultsRecord> {
    let mut strategies = BTreeMap::new();
    for strategy in Strategy::ALL {
        let mut per = BTreeMap::new();
        for disaster in Disaster::ALL {
            let cell = &results.cells[strategy.index()][disaster.index()];
            per.insert(disaster.name().to_string(), record_cell(cell)?);
        }
        strategies.insert(strategy.name().to_string(), per);
    }
    Ok(ResultsRecord {
        trials: results.trials,
        replication_overloaded: results.replication_overloaded,
        faster: results.faster,
        strategies,
    })
}

fn record_cell(cell: &Cell) -> anyhow::Result<CellRecord> {
    Ok(CellRecord {
        rto: record_tally(&cell.rto)?,
        rpo: record_tally(&cell.rpo)?,
        failback: record_tally(&cell.failback)?,
        meets_rto: record_proportion(&cell.meets_rto),
        meets_rpo: record_proportion(&cell.meets_rpo),
        meets_both: record_proportion(&cell.meets_both),
        primary_first: cell.primary_first,
        no_usable_backup: cell.no_usable_backup,
        steps: cell
            .steps
            .iter()
            .map(|s| StepRecord {
                on_path: s.on_path,
                contribution_count: s.contribution.count,
                contribution_sum: s.contribution.sum.to_string(),
            })
            .collect(),
        rpo_parts: cell
            .rpo_parts
            .iter()
            .map(record_tally)
            .collect::<anyhow::Result<Vec<_>>>()?,
    })
}

fn record_tally(tally: &Tally) -> anyhow::Result<TallyRecord> {
    let parts = tally.to_parts()?;
    Ok(TallyRecord {
        count: parts.count,
        sum: parts.sum.to_string(),
        sum_sq: parts.sum_sq.to_string(),
        min: parts.min,
        max: parts.max,
        histogram: base64::engine::general_purpose::STANDARD.encode(&parts.histogram_v2),
    })
}

fn record_proportion(p: &Proportion) -> ProportionRecord {
    ProportionRecord {
        hits: p.hits,
        trials: p.trials,
    }
}

fn restore_results(record: &ResultsRecord, compiled: &Compiled) -> Result<Results, String> {
    let mut results = Results::new(compiled);
    results.trials = record.trials;
    results.replication_overloaded = record.replication_overloaded;
    results.faster = record.faster;
    if record.strategies.len() != Strategy::ALL.len() {
        return Err(format!(
            "`results.strategies` holds {} strategies, expected the four",
            record.strategies.len()
        ));
    }
    for strategy in Strategy::ALL {
        let per = record
            .strategies
            .get(strategy.name())
            .ok_or_else(|| format!("`results.strategies` lacks {}", strategy.name()))?;
        if per.len() != Disaster::ALL.len() {
            return Err(format!(
                "`results.strategies.{}` holds {} disaster types, expected the four",
                strategy.name(),
                per.len()
            ));
        }
        for disaster in Disaster::ALL {
            let at = format!("results.strategies.{}.{}", strategy.name(), disaster.name());
            let cell = per
                .get(disaster.name())
                .ok_or_else(|| format!("`{at}` is missing"))?;
            let target = &mut results.cells[strategy.index()][disaster.index()];
            if cell.steps.len() != target.steps.len() {
                return Err(format!(
                    "`{at}.steps` has {} steps but the scenario's runbook has {}",
                    cell.steps.len(),
                    target.steps.len()
                ));
            }
            if cell.rpo_parts.len() != target.rpo_parts.len() {
                return Err(format!(
                    "`{at}.rpo_parts` has {} parts but the scenario has {}",
                    cell.rpo_parts.len(),
                    target.rpo_parts.len()
                ));
            }
            *target = restore_cell(cell).map_err(|e| format!("`{at}`: {e}"))?;
        }
    }
    check_counts(&results)?;
    Ok(results)
}

/// The counts of restored results agree with each other (so that nothing derived from them,
/// such as the share of ties, can underflow).
fn check_counts(r: &Results) -> Result<(), String> {
    let n = r.trials;
    if r.replication_overloaded > n {
        return Err("more overloaded trials than trials".into());
    }
    for (s, strategy) in Strategy::ALL.iter().enumerate() {
        let total: u64 = r.cells[s].iter().map(|c| c.rto.count()).sum();
        if total != n {
            return Err(format!(
                "{} has {total} trials over its disaster types, the file says {n}",
                strategy.name()
            ));
        }
        for (d, cell) in r.cells[s].iter().enumerate() {
            let count = cell.rto.count();
            let consistent = cell.rpo.count() == count
                && [cell.meets_rto, cell.meets_rpo, cell.meets_both]
                    .iter()
                    .all(|p| p.trials == count)
                && cell.primary_first <= count
                && cell.no_usable_backup <= count
                && cell.failback.count() <= count
                && cell.steps.iter().all(|st| st.on_path <= count)
                && cell.rpo_parts.iter().all(|p| p.count() == count);
            if !consistent {
                return Err(format!(
                    "the counts of {} {} disagree with each other",
                    strategy.name(),
                    Disaster::ALL[d].name()
                ));
            }
        }
        for j in 0..4 {
            if r.faster[s][j].saturating_add(r.faster[j][s]) > n {
                return Err("`faster` counts more trials than the file holds".into());
            }
        }
    }
    Ok(())
}

fn restore_cell(record: &CellRecord) -> Result<Cell, String> {
    let tally = |t: &TallyRecord, what: &str| restore_tally(t).map_err(|e| format!("{what}: {e}"));
    Ok(Cell {
        rto: tally(&record.rto, "rto")?,
        rpo: tally(&record.rpo, "rpo")?,
        failback: tally(&record.failback, "failback")?,
        meets_rto: restore_proportion(record.meets_rto, "meets_rto")?,
        meets_rpo: restore_proportion(record.meets_rpo, "meets_rpo")?,
        meets_both: restore_proportion(record.meets_both, "meets_both")?,
        primary_first: record.primary_first,
        no_usable_backup: record.no_usable_backup,
        steps: record
            .steps
            .iter()
            .map(|s| {
                Ok(StepStat {
                    on_path: s.on_path,
                    contribution: Total {
                        count: s.contribution_count,
                        sum: decimal(&s.contribution_sum, "contribution_sum")?,
                    },
                })
            })
            .collect::<Result<Vec<_>, String>>()?,
        rpo_parts: record
            .rpo_parts
            .iter()
            .map(|t| tally(t, "rpo_parts"))
            .collect::<Result<Vec<_>, String>>()?,
    })
}

fn decimal(text: &str, what: &str) -> Result<u128, String> {
    text.parse::<u128>()
        .map_err(|_| format!("{what} is not a whole number: {text:?}"))
}

fn restore_tally(record: &TallyRecord) -> Result<Tally, String> {
    let histogram_v2 = base64::engine::general_purpose::STANDARD
        .decode(&record.histogram)
        .map_err(|e| format!("the histogram is not base64: {e}"))?;
    let parts = TallyParts {
        count: record.count,
        sum: decimal(&record.sum, "sum")?,
        sum_sq: decimal(&record.sum_sq, "sum_sq")?,
        min: record.min,
        max: record.max,
        histogram_v2,
    };
    Tally::from_parts(&parts).map_err(|e| e.to_string())
}

fn restore_proportion(p: ProportionRecord, what: &str) -> Result<Proportion, String> {
    if p.hits > p.trials {
        return Err(format!("{what} has more hits than trials"));
    }
    Ok(Proportion {
        hits: p.hits,
        trials: p.trials,
    })
}

/// Shards read from files, checked to be the slices of one run, and merged.
pub struct Merged {
    pub source: Source,
    pub seed: u64,
    pub trials: u64,
    pub command: String,
    pub strategy: Option<String>,
    pub monthly_spend: Option<pricing::Usd>,
    /// `simulate`, `check`: the merged simulation (empty for `plan`).
    pub results: Results,
    /// `plan`: the merged first pass.
    pub plan: Option<planner::years::FirstPass>,
}

/// Reads, checks and merges shard files. Refused (bad input, naming the files): files of
/// another format, drsim version, scenario, seed, trial count, shard count or command; a slice
/// given twice; a missing slice; a file whose trial range is not its slice's.
pub fn merge_files(paths: &[std::path::PathBuf]) -> Result<Merged, Failure> {
    let mut files = Vec::new();
    for path in paths {
        files.push((path.display().to_string(), ResultsFile::read(path)?));
    }
    merge(&files)
}

/// [`merge_files`] on files already read: `(name, file)` pairs.
pub fn merge(files: &[(String, ResultsFile)]) -> Result<Merged, Failure> {
    let Some((first_name, first)) = files.first() else {
        return Err(Failure::BadInput(
            "no results files to merge\n  help: name the files written by `drsim simulate --shard K/N --out FILE`".into(),
        ));
    };
    let version = env!("CARGO_PKG_VERSION");
    if first.drsim_version != version {
        return Err(Failure::BadInput(format!(
            "{first_name}: written by drsim {}, this is drsim {version}\n  help: merge with the drsim that ran the shards, or rerun them with this one",
            first.drsim_version
        )));
    }
    for (name, file) in &files[1..] {
        let differ = |what: &str, mine: String, theirs: String| {
            Failure::BadInput(format!(
                "{name} and {first_name} are not shards of the same run: {what} {theirs} vs {mine}\n  help: merge only the shards of one run (same drsim, scenario, seed, --trials and shard count)"
            ))
        };
        if file.drsim_version != first.drsim_version {
            return Err(differ(
                "drsim version",
                first.drsim_version.clone(),
                file.drsim_version.clone(),
            ));
        }
        if file.scenario.hash != first.scenario.hash {
            return Err(differ(
                "scenario",
                format!("{} ({})", first.scenario.file, first.scenario.hash),
                format!("{} ({})", file.scenario.file, file.scenario.hash),
            ));
        }
        if file.seed != first.seed {
            return Err(differ(
                "seed",
                first.seed.to_string(),
                file.seed.to_string(),
            ));
        }
        if file.trials != first.trials {
            return Err(differ(
                "trials",
                first.trials.to_string(),
                file.trials.to_string(),
            ));
        }
        if file.shard.count != first.shard.count {
            return Err(differ(
                "shard count",
                first.shard.count.to_string(),
                file.shard.count.to_string(),
            ));
        }
        if (&file.command, &file.strategy) != (&first.command, &first.strategy) {
            return Err(differ(
                "command",
                format!("{} {:?}", first.command, first.strategy),
                format!("{} {:?}", file.command, file.strategy),
            ));
        }
    }
    let count = first.shard.count;
    let mut seen: BTreeMap<u64, &str> = BTreeMap::new();
    for (name, file) in files {
        let k = file.shard.index;
        let chunk = if first.command == "plan" {
            planner::years::YEARS_PER_CHUNK
        } else {
            scenarios::simulate::CHUNK_SIZE
        };
        let expected = scenarios::simulate::shard_range_in(first.trials, k, count, chunk)
            .ok_or_else(|| {
                Failure::BadInput(format!(
                    "{name}: shard {k}/{count} is not a slice of {count} (damaged file?)"
                ))
            })?;
        if (file.range.start, file.range.end) != (expected.start, expected.end)
            || file.units() != Some(expected.end - expected.start)
        {
            return Err(Failure::BadInput(format!(
                "{name}: shard {k}/{count} of {} trials covers trials {}..{}, expected {}..{} (damaged file?)",
                first.trials, file.range.start, file.range.end, expected.start, expected.end
            )));
        }
        if let Some(other) = seen.insert(k, name) {
            return Err(Failure::BadInput(format!(
                "shard {k}/{count} given twice: {other} and {name}\n  help: name each shard's file once"
            )));
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|k| !seen.contains_key(k))
        .map(|k| format!("{k}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(Failure::BadInput(format!(
            "missing shard{} {} of the run ({} of {count} given)\n  help: run `drsim simulate --shard K/{count}` for each missing K and merge all {count} files",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            seen.len()
        )));
    }
    let source = Source::from_text(first.scenario.text.clone(), &first.scenario.file)?;
    if source.hash() != first.scenario.hash {
        return Err(Failure::BadInput(format!(
            "{first_name}: the scenario text does not match its hash (damaged file?)"
        )));
    }
    let compiled = Compiled::new(&source.scenario).map_err(|e| Failure::BadInput(e.to_string()))?;
    // Merged in shard order; the merges are exact, so any order gives the same bits.
    let mut ordered: Vec<&(String, ResultsFile)> = files.iter().collect();
    ordered.sort_by_key(|(_, f)| f.shard.index);
    let mut merged = Results::new(&compiled);
    let mut plan: Option<planner::years::FirstPass> = None;
    for (name, file) in ordered {
        match &file.plan {
            Some(record) => {
                let pass = restore_plan(record)
                    .map_err(|e| Failure::BadInput(format!("{name}: damaged results file: {e}")))?;
                match plan.as_mut() {
                    None => plan = Some(pass),
                    Some(p) => {
                        if (p.components.len(), p.annual.len())
                            != (pass.components.len(), pass.annual.len())
                        {
                            return Err(Failure::BadInput(format!(
                                "{name}: damaged results file: its plan has another shape than {first_name}'s"
                            )));
                        }
                        p.merge(&pass);
                    }
                }
            }
            None => {
                let results = file.results(&compiled, name)?;
                sim_core::runner::Merge::merge(&mut merged, results);
            }
        }
    }
    Ok(Merged {
        source,
        seed: first.seed,
        trials: first.trials,
        command: first.command.clone(),
        strategy: first.strategy.clone(),
        monthly_spend: first.spend(first_name)?,
        results: merged,
        plan,
    })
}
