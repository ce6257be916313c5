//! `--precision`: run until the Monte Carlo error is small enough, or a cap is reached.
//!
//! A target names a statistic and the standard error it must reach in every disaster type that
//! happens (non-zero rate), for every strategy reported (`simulate`) or the one judged (`check`):
//!
//! - `p95-rto=30s`, `p95-rpo=1m`: the standard error of p95, (hi − lo)/(2·1.96) of its
//!   distribution-free 95 % interval (docs/model.md §7);
//! - `p-meet=0.002`: the standard error of P(meet RTO and RPO), half the width of its 95 % Wilson
//!   interval divided by 1.96 (which, unlike √(p(1−p)/n), is not 0 when every trial met).
//!
//! The run goes in rounds of whole chunks: 16 chunks (65,536 trials) first, then each round
//! doubles the trials done, up to `--trials` (the cap). Whether to go on is decided only from the
//! results so far, which are exact for the seed, so the trials used, and the output, are the same
//! for the same seed at any thread count; the output is the one a run of that many trials gives.

use std::sync::atomic::AtomicU64;

use scenarios::simulate::{CHUNK_SIZE, Results, SimulateError, simulate_range};
use scenarios::{Disaster, RunOptions, Scenario, Strategy};
use sim_core::runner::Merge;
use sim_core::stats::Z_95;

/// A precision target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// Standard error of p95 RTO, seconds.
    P95Rto(f64),
    /// Standard error of p95 RPO, seconds.
    P95Rpo(f64),
    /// Standard error of P(meet RTO and RPO).
    PMeet(f64),
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::P95Rto(_) => "p95-rto",
            Target::P95Rpo(_) => "p95-rpo",
            Target::PMeet(_) => "p-meet",
        }
    }

    fn limit(self) -> f64 {
        match self {
            Target::P95Rto(x) | Target::P95Rpo(x) | Target::PMeet(x) => x,
        }
    }
}

/// Parses `p95-rto=30s`, `p95-rpo=1m` or `p-meet=0.002` (for clap).
pub fn parse(text: &str) -> Result<Target, String> {
    let help =
        "expected p95-rto=DURATION, p95-rpo=DURATION or p-meet=PROBABILITY, e.g. p95-rto=30s";
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: {help}"))?;
    let duration = || {
        scenarios::units::parse(value, scenarios::units::Kind::Duration)
            .ok()
            .filter(|s| *s > 0.0 && s.is_finite())
            .ok_or_else(|| {
                format!("{text:?}: {value:?} is not a positive duration (\"30s\", \"2m\")")
            })
    };
    match name.trim() {
        "p95-rto" => duration().map(Target::P95Rto),
        "p95-rpo" => duration().map(Target::P95Rpo),
        "p-meet" => value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|p| *p > 0.0 && *p < 1.0)
            .map(Target::PMeet)
            .ok_or_else(|| format!("{text:?}: {value:?} is not a probability between 0 and 1")),
        _ => Err(format!("{text:?}: {help}")),
    }
}

/// How an adaptive run ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub trials: u64,
    /// Whether every target was reached.
    pub met: bool,
    /// The targets not reached: (target, strategy, disaster type, standard error reached).
    pub unmet: Vec<(Target, Strategy, Disaster, f64)>,
}

impl Outcome {
    /// A line for stderr.
    pub fn describe(&self) -> String {
        if self.met {
            return format!("precision reached after {} trials", self.trials);
        }
        let misses: Vec<String> = self
            .unmet
            .iter()
            .take(4)
            .map(|(t, s, d, se)| {
                let shown = match t {
                    Target::PMeet(_) => format!("{se:.5}"),
                    _ => scenarios::units::format_duration(*se),
                };
                format!(
                    "{} {} {} standard error {shown}",
                    s.name(),
                    d.name(),
                    t.name()
                )
            })
            .collect();
        format!(
            "precision not reached at the cap of {} trials ({}{}); raise --trials",
            self.trials,
            misses.join("; "),
            if self.unmet.len() > 4 { "; …" } else { "" }
        )
    }
}

/// The standard errors a target reads from results, per strategy and active disaster type.
fn unmet(
    scenario: &Scenario,
    results: &Results,
    targets: &[Target],
    strategies: &[Strategy],
) -> Vec<(Target, Strategy, Disaster, f64)> {
    let mut out = Vec::new();
    for &target in targets {
        for &strategy in strategies {
            for disaster in Disaster::ALL {
                if scenario.disasters[disaster.index()].annual_rate <= 0.0 {
                    continue;
                }
                let cell = &results.cells[strategy.index()][disaster.index()];
                let se = if cell.rto.count() < 2 {
                    f64::INFINITY
                } else {
                    match target {
                        Target::P95Rto(_) => cell.rto.summary().p95_std_error / 1000.0,
                        Target::P95Rpo(_) => cell.rpo.summary().p95_std_error / 1000.0,
                        Target::PMeet(_) => {
                            let (lo, hi) = cell.meets_both.wilson(Z_95);
                            (hi - lo) / (2.0 * Z_95)
                        }
                    }
                };
                if se > target.limit() {
                    out.push((target, strategy, disaster, se));
                }
            }
        }
    }
    out
}

/// Trials done after the first round.
const FIRST_ROUND: u64 = 16 * CHUNK_SIZE;

/// Runs `scenario` in rounds until `targets` are met for `strategies`, or `cap` trials.
pub fn simulate(
    scenario: &Scenario,
    seed: u64,
    threads: usize,
    cap: u64,
    targets: &[Target],
    strategies: &[Strategy],
    progress: Option<&AtomicU64>,
) -> Result<(Results, Outcome), SimulateError> {
    let options = RunOptions {
        trials: cap,
        seed,
        threads,
        progress,
    };
    in_rounds(scenario, cap, targets, strategies, |range| {
        simulate_range(scenario, &options, range)
    })
}

/// The rounds of [`simulate`], each run by `run` over its range of trials (in order, covering
/// `0..n` without gaps), so that a caller can also stream the trials it runs.
pub fn in_rounds<E>(
    scenario: &Scenario,
    cap: u64,
    targets: &[Target],
    strategies: &[Strategy],
    mut run: impl FnMut(std::ops::Range<u64>) -> Result<Results, E>,
) -> Result<(Results, Outcome), E> {
    let mut done = FIRST_ROUND.min(cap);
    let mut results = run(0..done)?;
    loop {
        let missing = unmet(scenario, &results, targets, strategies);
        if missing.is_empty() || done >= cap {
            let outcome = Outcome {
                trials: done,
                met: missing.is_empty(),
                unmet: missing,
            };
            return Ok((results, outcome));
        }
        let next = done.saturating_mul(2).min(cap);
        results.merge(run(done..next)?);
        done = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        assert_eq!(parse("p95-rto=30s"), Ok(Target::P95Rto(30.0)));
        assert_eq!(parse("p95-rpo=2m"), Ok(Target::P95Rpo(120.0)));
        assert_eq!(parse("p-meet=0.002"), Ok(Target::PMeet(0.002)));
        for bad in [
            "p95-rto",
            "p95-rto=0s",
            "p-meet=2",
            "mean=3s",
            "p95-rto=fast",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
