//! `drsim export`: a deployable plan for the pick (or a strategy's best setting) — the
//! CloudFormation templates of both regions and the automation runbook (`cloudformation`), the
//! recovery and failback runbooks with each step's simulated time budget and the README
//! (`runbook`), and the exact assumptions that reproduce the run (`assumptions`). The folder is
//! written whole into a temporary folder beside `--out`, then renamed into place.
//!
//! Self-contained on purpose: the Markdown is rendered here until a `reports` crate exists.

mod assumptions;
pub mod cloudformation;
mod runbook;
pub mod yaml;

use std::path::{Path, PathBuf};

use clap::Args;
use planner::Knobs;
use scenarios::runbooks::{Action, StepDef};
use scenarios::simulate::{Compiled, Worker};
use scenarios::{Disaster, Scenario, ScenarioError, Strategy};
use sim_core::stats::{Tally, millis};

use crate::exit::ExitStatus;
use crate::plan::SettingReport;
use crate::{Failure, load_scenario};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Scenario file (TOML); the embedded reference scenario when left out.
    pub scenario: Option<PathBuf>,
    /// Folder to write (written whole or not at all).
    #[arg(long)]
    pub out: PathBuf,
    /// Export this strategy's best setting instead of the pick.
    #[arg(long, value_parser = ["backup-restore", "pilot-light", "warm-standby", "multi-site"])]
    pub strategy: Option<String>,
    /// Simulated years per knob setting (default: the scenario's `[plan] years`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub years: Option<u64>,
    /// Seed of the random streams; the same seed gives the same export.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: all cores); the export does not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..1025))]
    pub threads: Option<u32>,
    /// Replace a non-empty output folder.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The setting being exported.
pub struct Chosen<'a> {
    /// The scenario with the setting's knobs applied.
    pub scenario: &'a Scenario,
    pub strategy: Strategy,
    pub knobs: &'a Knobs,
}

/// The setting as a label: "replica db.r6g.large (100%), manual, backups every 1h, …".
pub fn label(chosen: &Chosen<'_>) -> String {
    crate::plan::knobs_label(chosen.strategy, chosen.knobs)
}

/// One runbook step and what the simulation says of it.
pub struct StepBudget {
    pub name: String,
    pub action: Action,
    pub after: Vec<String>,
    pub background: bool,
    /// Its duration (start to finish), milliseconds, one record per trial.
    pub durations: Tally,
    /// Trials where it was on the critical path of the recovery.
    pub on_path: u64,
    /// Trials whose critical path was recorded (the failover completed before the primary
    /// came back).
    pub paths: u64,
}

impl StepBudget {
    /// Seconds.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.durations.count() == 0 {
            0.0
        } else {
            self.durations.quantile(q) as f64 / 1000.0
        }
    }

    /// Share of the recorded recoveries where it was on the critical path.
    pub fn on_path_share(&self) -> f64 {
        if self.paths == 0 {
            0.0
        } else {
            self.on_path as f64 / self.paths as f64
        }
    }
}

/// Per-step time budgets of every runbook of the chosen strategy.
pub struct Budgets {
    /// Trials per disaster type.
    pub trials: u64,
    /// Indexed by [`Disaster::index`], steps in dependency order.
    pub recovery: Vec<Vec<StepBudget>>,
    /// The failback runbook (empty for multi-site, which fails back by weights).
    pub failback: Vec<StepBudget>,
}

/// Indices of `steps` in dependency order (each after everything it waits for), keeping the
/// runbook's order among independent steps.
pub fn dependency_order(steps: &[StepDef]) -> Vec<usize> {
    let mut done: Vec<usize> = Vec::new();
    while done.len() < steps.len() {
        let next = steps.iter().enumerate().position(|(i, step)| {
            !done.contains(&i)
                && step.after.iter().all(|a| {
                    steps
                        .iter()
                        .position(|s| &s.name == a)
                        .is_none_or(|j| done.contains(&j))
                })
        });
        match next {
            Some(i) => done.push(i),
            // A cycle cannot pass validation; keep the rest in file order all the same.
            None => {
                let rest: Vec<usize> = (0..steps.len()).filter(|i| !done.contains(i)).collect();
                done.extend(rest);
            }
        }
    }
    done
}

fn new_budgets(steps: &[StepDef]) -> Vec<StepBudget> {
    steps
        .iter()
        .map(|s| StepBudget {
            name: s.name.clone(),
            action: s.action.clone(),
            after: s.after.clone(),
            background: s.background,
            durations: Tally::new(),
            on_path: 0,
            paths: 0,
        })
        .collect()
}

/// Simulates `trials` disasters of each type (trials `0..trials` of `seed`, the type forced)
/// recovered by `strategy`, recording each step's duration and whether it was on the critical
/// path, and the failback steps after region losses.
pub fn budgets(
    scenario: &Scenario,
    strategy: Strategy,
    seed: u64,
    trials: u64,
) -> Result<Budgets, ScenarioError> {
    let compiled = Compiled::new(scenario)?;
    let mut worker = Worker::new();
    let s = strategy.index();
    let config = &scenario.strategies[s];
    let mut recovery = Vec::new();
    let mut failback = new_budgets(&scenario.failback_runbook);
    for disaster in Disaster::ALL {
        let steps = match disaster {
            Disaster::RegionLoss => &config.runbook,
            Disaster::AzLoss => &scenario.az_loss_runbook,
            Disaster::Corruption => &scenario.corruption_runbook,
            Disaster::Ransomware => &scenario.ransomware_runbook,
        };
        let mut budget = new_budgets(steps);
        for index in 0..trials {
            let trial = compiled.trial(scenario, seed, index, Some(disaster));
            let outcome = compiled.recover(scenario, &trial, strategy, &mut worker);
            if !outcome.primary_first {
                for b in budget.iter_mut() {
                    b.paths += 1;
                }
                for (step, _) in &worker.paths[s] {
                    if let Some(b) = budget.get_mut(step.0 as usize) {
                        b.on_path += 1;
                    }
                }
            }
            if outcome.failback.is_some() && strategy != Strategy::MultiSite {
                // The engine now holds the failback run.
                let engine = worker.engine();
                for (i, b) in failback.iter_mut().enumerate() {
                    let id = sim_core::engine::StepId(i as u32);
                    b.durations
                        .record(millis(engine.finish(id) - engine.start(id)));
                }
            }
            compiled.run_recovery(&trial, strategy, &mut worker);
            let engine = worker.engine();
            for (i, b) in budget.iter_mut().enumerate() {
                let id = sim_core::engine::StepId(i as u32);
                b.durations
                    .record(millis(engine.finish(id) - engine.start(id)));
            }
        }
        let order = dependency_order(steps);
        let mut slots: Vec<Option<StepBudget>> = budget.into_iter().map(Some).collect();
        recovery.push(order.iter().filter_map(|&i| slots[i].take()).collect());
    }
    let failback = if strategy == Strategy::MultiSite {
        Vec::new()
    } else {
        let order = dependency_order(&scenario.failback_runbook);
        let mut slots: Vec<Option<StepBudget>> = failback.into_iter().map(Some).collect();
        order.iter().filter_map(|&i| slots[i].take()).collect()
    };
    Ok(Budgets {
        trials,
        recovery,
        failback,
    })
}

/// Disasters simulated per type for the step budgets: as many as the plan's years, between
/// 1,000 and 20,000.
pub fn budget_trials(years: u64) -> u64 {
    years.clamp(1_000, 20_000)
}

/// Everything an export renders.
pub struct Export<'a> {
    pub chosen: Chosen<'a>,
    /// The scenario file as given (or the embedded reference's name).
    pub file: &'a str,
    /// The pick (true) or the best setting of `--strategy` (false).
    pub picked: bool,
    /// The pick's name when `--strategy` chose another strategy.
    pub pick_label: Option<String>,
    pub decision: &'static str,
    pub setting: &'a SettingReport,
    pub budgets: &'a Budgets,
    pub seed: u64,
    pub years: u64,
    pub notes: Vec<String>,
    pub files: Files,
}

/// The names of the files in the folder.
pub struct Files {
    pub primary: String,
    pub recovery: String,
    pub automation: String,
}

impl Files {
    fn new(scenario: &Scenario) -> Files {
        Files {
            primary: format!("primary-{}.yaml", scenario.primary_region),
            recovery: format!("recovery-{}.yaml", scenario.recovery_region),
            automation: format!("automation-{}.yaml", scenario.recovery_region),
        }
    }
}

/// Runs `drsim export`.
pub fn run(args: &ExportArgs) -> Result<ExitStatus, Failure> {
    check_out(&args.out, args.force)?;
    let (scenario, file) = load_scenario(args.scenario.as_deref())?;
    let text = match &args.scenario {
        None => scenarios::REFERENCE.to_string(),
        Some(path) => crate::io::read_text(path, crate::io::MAX_SCENARIO_BYTES).map_err(|e| {
            Failure::BadInput(format!(
                "{}: cannot read the scenario file: {e}",
                path.display()
            ))
        })?,
    };
    if let scenarios::model::Managed::DynamoDb {
        consistency: scenarios::names::Consistency::Strong,
        ..
    } = scenario.database.managed
    {
        return Err(Failure::BadInput(
            scenarios::error_at(
                &text,
                &file,
                "database.consistency",
                "`drsim export` does not write strongly consistent (MRSC) global tables: they need a third region or a witness, which the scenario does not name",
            )
            .with_help("simulate and plan work with it; export with consistency = \"eventual\" (docs/export.md)")
            .to_string(),
        ));
    }
    crate::show_warnings(&scenario, args.quiet);
    let years = args.years.unwrap_or(scenario.plan.years);
    let run = crate::RunSettings {
        seed: args.seed,
        threads: crate::cli::threads(args.threads),
        quiet: args.quiet,
    };
    let (plan, pick) =
        crate::plan::run_plan(&scenario, &file, args.scenario.as_deref(), years, &run)?;
    let report = crate::plan::build_on(run.threads, &scenario, &file, &plan, &pick, args.seed);
    let wanted = args
        .strategy
        .as_deref()
        .and_then(|name| Strategy::ALL.into_iter().find(|s| s.name() == name));
    let index = match wanted {
        Some(strategy) => pick.best[strategy.index()].ok_or_else(|| {
            Failure::BadInput(format!(
                "the plan has no setting of {} to export\n  help: check `[plan]` in the scenario",
                strategy.name()
            ))
        })?,
        None => pick.chosen.ok_or_else(|| {
            Failure::BadInput(
                "no setting meets the objectives, so there is no pick to export\n  help: run `drsim plan` to see why, relax `[objectives]`, or pass --strategy NAME to export that strategy's best setting".to_string(),
            )
        })?,
    };
    let evaluated = &plan.evaluated[index];
    let setting = &report.settings[index];
    let chosen = Chosen {
        scenario: &evaluated.setting.scenario,
        strategy: evaluated.setting.strategy,
        knobs: &evaluated.setting.knobs,
    };
    let trials = budget_trials(years);
    let budgets = budgets(chosen.scenario, chosen.strategy, args.seed, trials)
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    let templates = cloudformation::templates(&chosen, &budgets.recovery[0])
        .map_err(|m| Failure::BadInput(format!("{file}: {m}\n  help: choose a backup interval AWS Backup can schedule, in the scenario or its `[plan] backup-intervals`")))?;
    let assumptions = assumptions::render(&text, &file, &chosen, args.seed)
        .map_err(|m| Failure::BadInput(format!("{file}: {m}")))?;
    let picked = pick.chosen == Some(index);
    let pick_label = pick.chosen.filter(|_| !picked).map(|i| {
        let e = &plan.evaluated[i];
        format!(
            "{} — {}",
            e.setting.strategy.name(),
            crate::plan::knobs_label(e.setting.strategy, &e.setting.knobs)
        )
    });
    let export = Export {
        chosen,
        file: &file,
        picked,
        pick_label,
        decision: report.decision,
        setting,
        budgets: &budgets,
        seed: args.seed,
        years: plan.years,
        notes: templates.notes.clone(),
        files: Files::new(&evaluated.setting.scenario),
    };
    if !args.quiet {
        for note in &export.notes {
            eprintln!("warning: {note}");
        }
    }
    let files: Vec<(String, String)> = vec![
        (export.files.primary.clone(), templates.primary.to_yaml()),
        (export.files.recovery.clone(), templates.recovery.to_yaml()),
        (
            export.files.automation.clone(),
            templates.automation.to_yaml(),
        ),
        ("runbook.md".to_string(), runbook::runbook(&export)),
        ("assumptions.toml".to_string(), assumptions),
        ("README.md".to_string(), runbook::readme(&export)),
    ];
    write_folder(&args.out, &files).map_err(Failure::Io)?;
    if !args.quiet {
        eprintln!(
            "wrote {} — {}: {}",
            args.out.display(),
            export.chosen.strategy.name(),
            label(&export.chosen)
        );
    }
    Ok(ExitStatus::Success)
}

/// Refuses an output that exists and is not an empty folder (unless `force` and a folder).
fn check_out(out: &Path, force: bool) -> Result<(), Failure> {
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(Failure::BadInput(format!(
                    "{} is not empty\n  help: pass --force to replace it, or name a new folder",
                    out.display()
                )));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if out.is_file() => Err(Failure::BadInput(format!(
            "{} is a file\n  help: --out names a folder to write",
            out.display()
        ))),
        Err(_) => Ok(()),
    }
}

/// Writes every file into a temporary folder beside `out`, then renames it into place (an
/// existing `out` is moved aside first and removed after), so `out` is never half-written.
fn write_folder(out: &Path, files: &[(String, String)]) -> anyhow::Result<()> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |what: &str, path: &Path, e: std::io::Error| {
        anyhow::anyhow!(
            "cannot write {}: {what} {}: {}",
            out.display(),
            path.display(),
            e.kind()
        )
    };
    std::fs::create_dir_all(parent).map_err(|e| fail("cannot create", parent, e))?;
    let temp = tempfile::Builder::new()
        .prefix(".drsim-export-")
        .tempdir_in(parent)
        .map_err(|e| fail("cannot create a folder in", parent, e))?;
    for (name, text) in files {
        let path = temp.path().join(name);
        std::fs::write(&path, text).map_err(|e| fail("cannot write", &path, e))?;
    }
    let aside: Option<PathBuf> = if out.exists() {
        let aside = parent.join(format!(
            ".drsim-export-old-{}",
            temp.path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        std::fs::rename(out, &aside).map_err(|e| fail("cannot move aside", out, e))?;
        Some(aside)
    } else {
        None
    };
    let temp_path = temp.keep();
    if let Err(e) = std::fs::rename(&temp_path, out) {
        let _ = std::fs::remove_dir_all(&temp_path);
        if let Some(aside) = &aside {
            let _ = std::fs::rename(aside, out);
        }
        return Err(fail("cannot rename into", out, e));
    }
    if let Some(aside) = aside {
        let _ = std::fs::remove_dir_all(aside);
    }
    Ok(())
}
