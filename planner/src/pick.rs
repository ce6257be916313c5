//! The frontier of spend against recovery, the pick, and why each other strategy lost.
//!
//! A setting meets the objectives when the lower end of the 95 % Wilson interval of
//! P(meet RTO and RPO) reaches the scenario's confidence: the judgement rests on what the
//! simulation can vouch for, not on the point estimate. Among those, the pick is the cheapest
//! (monthly DR spend) or the lowest total cost of risk, as the scenario asks; ties go to the
//! earlier strategy, then the earlier setting.

use pricing::Usd;
use scenarios::model::PickRule;
use scenarios::units::format_duration;
use scenarios::{Scenario, Strategy};
use sim_core::stats::Z_95;

use crate::{Evaluated, Plan};

/// The outcome of picking.
#[derive(Clone, Debug)]
pub struct Pick {
    /// Index into `plan.evaluated` of the recommended setting, if any meets the objectives.
    pub chosen: Option<usize>,
    /// Indices of the settings no other setting beats on spend, p95 RTO and p95 RPO at once.
    pub frontier: Vec<usize>,
    /// Per strategy: its best setting (the pick's rule among those meeting the objectives, else
    /// the one closest to meeting them).
    pub best: [Option<usize>; 4],
    /// One line per strategy that was not picked, on why.
    pub reasons: Vec<(Strategy, String)>,
}

/// Lower end of the 95 % interval of P(meet RTO and RPO).
pub fn assured(e: &Evaluated) -> f64 {
    e.stats.meets_both.wilson(Z_95).0
}

fn meets(e: &Evaluated, confidence: f64) -> bool {
    e.stats.meets_both.trials > 0 && assured(e) >= confidence
}

fn value(e: &Evaluated, rule: PickRule) -> Usd {
    match rule {
        PickRule::Cheapest => e.monthly_total,
        PickRule::TotalCostOfRisk => e.total_cost_of_risk,
    }
}

fn p95(t: &sim_core::stats::Tally) -> u64 {
    t.quantile(0.95)
}

/// Whether `a` is at least as good as `b` on spend and on the p95 RTO and RPO of region loss
/// (where the strategies differ), and better on one.
fn dominates(a: &Evaluated, b: &Evaluated) -> bool {
    let (ka, kb) = (
        (
            a.monthly_total,
            p95(&a.stats.region_rto),
            p95(&a.stats.region_rpo),
        ),
        (
            b.monthly_total,
            p95(&b.stats.region_rto),
            p95(&b.stats.region_rpo),
        ),
    );
    ka.0 <= kb.0 && ka.1 <= kb.1 && ka.2 <= kb.2 && ka != kb
}

/// Picks a setting of the plan for the scenario's objectives.
pub fn pick(plan: &Plan, scenario: &Scenario) -> Pick {
    let confidence = scenario.objectives.confidence;
    let rule = scenario.costs.pick;
    let all = &plan.evaluated;
    let frontier = (0..all.len())
        .filter(|&i| !all.iter().any(|other| dominates(other, &all[i])))
        .collect();
    let key = |i: &usize| (value(&all[*i], rule), all[*i].setting.strategy.index(), *i);
    let mut best = [None; 4];
    for strategy in Strategy::ALL {
        let own = || (0..all.len()).filter(move |&i| all[i].setting.strategy == strategy);
        best[strategy.index()] = own()
            .filter(|&i| meets(&all[i], confidence))
            .min_by_key(key)
            .or_else(|| {
                own().max_by(|&a, &b| {
                    assured(&all[a])
                        .total_cmp(&assured(&all[b]))
                        .then(b.cmp(&a))
                })
            });
    }
    let chosen = (0..all.len())
        .filter(|&i| meets(&all[i], confidence))
        .min_by_key(key);
    let per = match rule {
        PickRule::Cheapest => "per month",
        PickRule::TotalCostOfRisk => "per year in total cost of risk",
    };
    let mut reasons = Vec::new();
    for strategy in Strategy::ALL {
        let Some(b) = best[strategy.index()] else {
            continue;
        };
        if Some(b) == chosen {
            continue;
        }
        let e = &all[b];
        let reason = if meets(e, confidence) {
            match chosen {
                Some(c) => format!(
                    "meets the objectives ({}) but costs {} more {per} than the pick",
                    e.setting.label,
                    value(e, rule) - value(&all[c], rule)
                ),
                None => format!("meets the objectives ({})", e.setting.label),
            }
        } else {
            let s = &e.stats;
            let mut misses = Vec::new();
            let shortfall = |what: &str,
                             met: &sim_core::stats::Proportion,
                             tally: &sim_core::stats::Tally| {
                let (low, _) = met.wilson(Z_95);
                (low < confidence).then(|| {
                    format!(
                        "{what} met in {:.1}% of disasters, at least {:.1}% at 95% confidence (p95 {})",
                        100.0 * met.estimate(),
                        100.0 * low,
                        format_duration(p95(tally) as f64 / 1000.0)
                    )
                })
            };
            misses.extend(shortfall("RTO", &s.meets_rto, &s.rto));
            misses.extend(shortfall("RPO", &s.meets_rpo, &s.rpo));
            if misses.is_empty() {
                misses.push(format!(
                    "RTO and RPO met together in only {:.1}%",
                    100.0 * s.meets_both.estimate()
                ));
            }
            format!(
                "misses the objectives at {:.0}% confidence even at its best ({}): {}",
                100.0 * confidence,
                e.setting.label,
                misses.join("; ")
            )
        };
        reasons.push((strategy, reason));
    }
    Pick {
        chosen,
        frontier,
        best,
        reasons,
    }
}
