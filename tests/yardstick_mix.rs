//! Counts the draws the reference scenario makes per trial, by kind and by disaster type, and
//! checks that the sampling yardstick (`benches/common/yardstick.rs`) makes the same mix.
//! Counting works in debug builds only (`sim_core::draws`); in a release test run this checks
//! nothing and says so.

#![allow(clippy::unwrap_used)]

#[path = "../benches/common/yardstick.rs"]
mod yardstick;

use scenarios::simulate::simulate_range;
use scenarios::{Disaster, RunOptions};
use sim_core::draws::{self, DrawKind};
use yardstick::{COUNTED_SEED, COUNTED_TRIALS, REFERENCE_DRAWS_PER_TRIAL};

fn table(rows: &[(String, u64, [u64; 9])]) -> String {
    let mut out = format!("{:<12} {:>7}", "", "trials");
    for kind in DrawKind::ALL {
        out.push_str(&format!(" {:>11}", kind.name()));
    }
    out.push_str(&format!(" {:>8}\n", "draws"));
    for (name, trials, counts) in rows {
        let n = (*trials).max(1) as f64;
        out.push_str(&format!("{name:<12} {trials:>7}"));
        for c in counts {
            out.push_str(&format!(" {:>11.3}", *c as f64 / n));
        }
        let draws: u64 = counts[1..].iter().sum();
        out.push_str(&format!(" {:>8.2}\n", draws as f64 / n));
    }
    out
}

/// The only test of this binary: the counters are process-wide.
#[test]
fn the_yardstick_makes_the_reference_draws() {
    let scenario = scenarios::reference().unwrap();
    let options = RunOptions {
        trials: COUNTED_TRIALS,
        seed: COUNTED_SEED,
        threads: 1,
        progress: None,
    };
    draws::counting(true);
    if draws::counts().is_none() {
        eprintln!("release build: draws are not counted, nothing checked");
        return;
    }
    let mut by_type = [[0u64; 9]; 4];
    let mut trials_by_type = [0u64; 4];
    let mut before = draws::counts().unwrap();
    for i in 0..COUNTED_TRIALS {
        let results = simulate_range(&scenario, &options, i..i + 1).unwrap();
        let d = Disaster::ALL
            .iter()
            .position(|&d| results.disaster_trials(d) == 1)
            .unwrap();
        let now = draws::counts().unwrap();
        for k in 0..9 {
            by_type[d][k] += now[k] - before[k];
        }
        trials_by_type[d] += 1;
        before = now;
    }
    draws::counting(false);

    let mut all = [0u64; 9];
    let mut rows = Vec::new();
    for d in Disaster::ALL {
        for k in 0..9 {
            all[k] += by_type[d.index()][k];
        }
        rows.push((
            d.name().to_string(),
            trials_by_type[d.index()],
            by_type[d.index()],
        ));
    }
    rows.push(("all".to_string(), COUNTED_TRIALS, all));
    let shown = table(&rows);
    eprintln!("draws per trial of the reference scenario:\n{shown}");

    let counted: Vec<f64> = all
        .iter()
        .map(|&c| c as f64 / COUNTED_TRIALS as f64)
        .collect();
    for (k, kind) in DrawKind::ALL.iter().enumerate() {
        let (got, kernel) = (counted[k], REFERENCE_DRAWS_PER_TRIAL[k]);
        assert!(
            (got - kernel).abs() <= 0.05 * got + 0.05,
            "the reference makes {got:.3} {} draws per trial, the yardstick {kernel:.3}: set \
             REFERENCE_DRAWS_PER_TRIAL in benches/common/yardstick.rs to {counted:.3?} \
             (counted above) and re-measure docs/performance.md",
            kind.name()
        );
    }
    // The kernel itself makes exactly that mix.
    draws::counting(true);
    yardstick::kernel(7, 0..1_000, &REFERENCE_DRAWS_PER_TRIAL);
    let made = draws::counts().unwrap();
    draws::counting(false);
    let per_1000 = |kind: DrawKind| (1_000.0 * REFERENCE_DRAWS_PER_TRIAL[kind as usize]).floor();
    for (k, kind) in DrawKind::ALL.iter().enumerate() {
        let expected = match kind {
            DrawKind::Stream => per_1000(DrawKind::Stream).max(1_000.0),
            // The kernel's standard exponentials go through `Dist::Exponential`.
            DrawKind::Exponential => per_1000(DrawKind::Exponential) + per_1000(DrawKind::Exp1),
            DrawKind::Exp1 => 0.0,
            _ => per_1000(*kind),
        };
        assert_eq!(made[k] as f64, expected, "kernel draws of {}", kind.name());
    }
}
