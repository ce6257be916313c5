//! `drsim report`: the simulation and the plan of one scenario on one seed, in one document
//! (HTML with plots, or Markdown) built and rendered by the `reports` crate.

use std::path::Path;

use reports::document::{Assumptions, Runs};

use crate::cli::{DocumentFormat, ReportArgs};
use crate::exit::ExitStatus;
use crate::plan::run_plan;
use crate::{Failure, RunSettings, load_scenario, run_simulation, show_warnings, write_output};

/// The format: `--format`, else the extension of `--out`, else HTML.
fn format(args: &ReportArgs) -> DocumentFormat {
    if let Some(f) = args.format {
        return f;
    }
    match args
        .out
        .as_deref()
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("md" | "markdown") => DocumentFormat::Markdown,
        _ => DocumentFormat::Html,
    }
}

/// The command that makes the same document (the output path and threads aside).
fn command(args: &ReportArgs, years: u64, format: DocumentFormat) -> String {
    let mut parts = vec!["drsim".to_string(), "report".to_string()];
    if let Some(path) = &args.scenario {
        parts.push(path.display().to_string());
    }
    parts.push(format!("--trials {}", args.trials));
    parts.push(format!("--years {years}"));
    parts.push(format!("--seed {}", args.seed));
    parts.push(
        match format {
            DocumentFormat::Html => "--format html",
            DocumentFormat::Markdown => "--format markdown",
        }
        .to_string(),
    );
    parts.join(" ")
}

/// Runs `drsim report`.
pub fn run(args: &ReportArgs) -> Result<ExitStatus, Failure> {
    if let Some(out) = &args.out {
        crate::io::check_output(out).map_err(|e| Failure::Io(e.into()))?;
    }
    let (scenario, file) = load_scenario(args.scenario.as_deref())?;
    show_warnings(&scenario, args.quiet);
    let run = RunSettings {
        seed: args.seed,
        threads: crate::cli::threads(args.threads),
        quiet: args.quiet,
    };
    let years = args.years.unwrap_or(scenario.plan.years);
    let results = run_simulation(&scenario, args.trials, &run)?;
    let (plan, pick) = run_plan(&scenario, &file, args.scenario.as_deref(), years, &run)?;
    let format = format(args);
    let differences = match &args.scenario {
        Some(path) => std::fs::read_to_string(path)
            .map(|text| scenarios::differences_from_reference(&text))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let runs = Runs {
        scenario: &scenario,
        file: &file,
        seed: args.seed,
        results: &results,
        plan: &plan,
        pick: &pick,
    };
    let assumptions = Assumptions {
        command: command(args, years, format),
        differences,
    };
    let document = crate::on_threads(run.threads, || reports::document::build(&runs, assumptions));
    if !args.quiet {
        for warning in document.plan.warnings.iter().skip(scenario.warnings.len()) {
            eprintln!("warning: {warning}");
        }
    }
    let page = document.page().map_err(Failure::Io)?;
    let text = match format {
        DocumentFormat::Html => reports::html::render(&page),
        DocumentFormat::Markdown => reports::markdown::render(&page),
    }
    .map_err(Failure::Io)?;
    write_output(args.out.as_deref(), &text).map_err(Failure::Io)?;
    Ok(ExitStatus::Success)
}
