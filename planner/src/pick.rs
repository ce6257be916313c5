//! Judging settings per disaster type, the frontier, the pick, and why each other strategy lost.
//!
//! A setting meets the objectives when, for every disaster type with a non-zero rate, the lower
//! end of the 95 % Wilson interval of P(meet that type's RTO and RPO) reaches the scenario's
//! confidence: the judgment rests on what the simulation can vouch for, type by type, so common
//! disasters cannot hide a rare one that fails. The pick is the cheapest setting that meets
//! (monthly spend, or total cost of risk if the scenario asks); among settings of equal cost,
//! one that no other dominates; then the smaller region-loss p95 RTO and RPO, the earlier
//! strategy and the earlier setting. Dominance counts spend, and per type the p95 RTO, p95 RPO
//! and the assured P(meet), so the pick is always on the frontier. Everything here is data:
//! the binary renders the sentences.

use pricing::Usd;
use scenarios::model::PickRule;
use scenarios::{Disaster, Scenario, Strategy};
use sim_core::stats::{Proportion, Z_95};

use crate::{Plan, TypeStats};

/// Which objective of a disaster type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    Rto,
    Rpo,
    /// Each alone is met often enough, but not both together.
    Both,
}

impl Objective {
    pub fn name(self) -> &'static str {
        match self {
            Objective::Rto => "rto",
            Objective::Rpo => "rpo",
            Objective::Both => "both",
        }
    }
}

/// Why a strategy lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossKind {
    /// Even its best setting misses some disaster type's objectives.
    MissesObjectives,
    /// It meets them, but costs more than the pick.
    CostsMore,
    /// It meets them at the pick's cost, but the pick is as fast everywhere and faster somewhere.
    Dominated,
}

impl LossKind {
    pub fn name(self) -> &'static str {
        match self {
            LossKind::MissesObjectives => "misses-objectives",
            LossKind::CostsMore => "costs-more",
            LossKind::Dominated => "dominated",
        }
    }
}

/// What would make a missed objective pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Fix {
    /// Another setting of the same strategy (index into the plan) meets this disaster type:
    /// the fewest knob changes, then the cheapest.
    Setting(usize),
    /// No swept knob does: the objectives (seconds) at which this setting would meet it.
    Objective { rto: Option<f64>, rpo: Option<f64> },
}

/// One disaster type whose objectives a setting misses.
#[derive(Clone, Debug, PartialEq)]
pub struct Miss {
    pub disaster: Disaster,
    pub objective: Objective,
    /// P(meet) of that objective (RTO, RPO, or both together).
    pub p_meet: Proportion,
    pub fix: Option<Fix>,
}

/// Why one strategy was not picked, judged on its best setting.
#[derive(Clone, Debug, PartialEq)]
pub struct WhyNot {
    pub strategy: Strategy,
    /// Its best setting (index into the plan).
    pub setting: usize,
    pub kind: LossKind,
    /// The types it misses, worst first (empty unless `MissesObjectives`).
    pub misses: Vec<Miss>,
    /// Monthly spend beyond the pick's (when there is a pick).
    pub extra_monthly_spend: Option<Usd>,
}

/// A disaster type whose recovery no strategy changes in this sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Unchanged {
    pub disaster: Disaster,
    /// The swept knobs that do change it: `backup-interval`, `storage-tier`, `point-in-time`.
    pub knobs: Vec<&'static str>,
}

/// A judgment left open when the years ran out: the interval still straddles the confidence.
#[derive(Clone, Debug, PartialEq)]
pub struct CloseCall {
    /// The cheapest setting whose judgment rests on it.
    pub setting: usize,
    pub disaster: Disaster,
    pub component: usize,
    pub p_meet: Proportion,
    pub years: u64,
}

/// The outcome of picking.
#[derive(Clone, Debug)]
pub struct Pick {
    /// Index into `plan.evaluated` of the recommended setting, if any meets the objectives.
    pub chosen: Option<usize>,
    /// Indices of the settings no other setting dominates.
    pub frontier: Vec<usize>,
    /// Per strategy: its best setting (the pick's rule among those meeting the objectives, else
    /// the one closest to meeting them).
    pub best: [Option<usize>; 4],
    pub why_not: Vec<WhyNot>,
    pub unchanged: Vec<Unchanged>,
    /// Judgments the pick rests on that stayed too close to call.
    pub close: Vec<CloseCall>,
}

/// Disaster types that happen (non-zero rate).
pub fn active(scenario: &Scenario) -> impl Iterator<Item = Disaster> + '_ {
    Disaster::ALL
        .into_iter()
        .filter(|d| scenario.disasters[d.index()].annual_rate > 0.0)
}

/// Lower end of the 95 % interval of a proportion (0 with no trials).
pub fn assured(p: &Proportion) -> f64 {
    if p.trials == 0 { 0.0 } else { p.wilson(Z_95).0 }
}

/// Whether a disaster type's objectives are met at the confidence.
pub fn type_meets(stats: &TypeStats, confidence: f64) -> bool {
    assured(&stats.meets_both) >= confidence
}

/// Whether the interval straddles the confidence: more years could change the judgment.
fn straddles(p: &Proportion, confidence: f64) -> bool {
    p.trials > 0 && {
        let (low, high) = p.wilson(Z_95);
        low < confidence && confidence <= high
    }
}

/// Whether setting `i` meets every disaster type's objectives at the confidence.
pub fn meets(plan: &Plan, i: usize, scenario: &Scenario) -> bool {
    let confidence = scenario.objectives.confidence;
    active(scenario).all(|d| type_meets(plan.type_stats(i, d), confidence))
}

fn value(plan: &Plan, i: usize, rule: PickRule) -> Usd {
    let e = &plan.evaluated[i];
    match rule {
        PickRule::Cheapest => e.monthly_total,
        PickRule::TotalCostOfRisk => e.total_cost_of_risk,
    }
}

/// What dominance compares, per setting: spend, then per active type (p95 RTO, p95 RPO, the
/// assured P(meet) negated so that smaller is better everywhere).
struct Metrics {
    spend: Vec<(Usd, Usd)>,
    per_type: Vec<Vec<(u64, u64, f64)>>,
}

impl Metrics {
    fn new(plan: &Plan, scenario: &Scenario) -> Metrics {
        let types: Vec<Disaster> = active(scenario).collect();
        let per_component: Vec<(u64, u64, f64)> = plan
            .components
            .iter()
            .map(|c| {
                (
                    c.stats.rto.quantile(0.95),
                    c.stats.rpo.quantile(0.95),
                    -assured(&c.stats.meets_both),
                )
            })
            .collect();
        Metrics {
            spend: plan
                .evaluated
                .iter()
                .map(|e| (e.monthly_total, e.total_cost_of_risk))
                .collect(),
            per_type: plan
                .evaluated
                .iter()
                .map(|e| {
                    types
                        .iter()
                        .map(|d| per_component[e.components[d.index()]])
                        .collect()
                })
                .collect(),
        }
    }

    /// `a` is at least as good as `b` on everything and better on something.
    fn dominates(&self, a: usize, b: usize, rule: PickRule) -> bool {
        let (sa, sb) = (self.spend[a], self.spend[b]);
        let spend_ok = sa.0 <= sb.0 && (rule == PickRule::Cheapest || sa.1 <= sb.1);
        if !spend_ok {
            return false;
        }
        let mut better = sa.0 < sb.0 || (rule == PickRule::TotalCostOfRisk && sa.1 < sb.1);
        for (x, y) in self.per_type[a].iter().zip(&self.per_type[b]) {
            if x.0 > y.0 || x.1 > y.1 || x.2 > y.2 {
                return false;
            }
            better |= x.0 < y.0 || x.1 < y.1 || x.2 < y.2;
        }
        better
    }
}

/// Picks a setting of the plan for the scenario's objectives.
pub fn pick(plan: &Plan, scenario: &Scenario) -> Pick {
    let rule = scenario.costs.pick;
    let n = plan.evaluated.len();
    let metrics = Metrics::new(plan, scenario);
    let frontier: Vec<usize> = (0..n)
        .filter(|&i| !(0..n).any(|j| j != i && metrics.dominates(j, i, rule)))
        .collect();
    let meeting: Vec<bool> = (0..n).map(|i| meets(plan, i, scenario)).collect();
    let region = |i: usize| {
        let s = plan.type_stats(i, Disaster::RegionLoss);
        (s.rto.quantile(0.95), s.rpo.quantile(0.95))
    };
    let order = |i: &usize| {
        (
            value(plan, *i, rule),
            region(*i),
            plan.evaluated[*i].setting.strategy.index(),
            *i,
        )
    };
    let choose = |candidates: Vec<usize>| -> Option<usize> {
        let cheapest = candidates.iter().map(|&i| value(plan, i, rule)).min()?;
        let tied: Vec<usize> = candidates
            .into_iter()
            .filter(|&i| value(plan, i, rule) == cheapest)
            .collect();
        tied.iter()
            .copied()
            .filter(|&i| {
                !tied
                    .iter()
                    .any(|&j| j != i && metrics.dominates(j, i, rule))
            })
            .min_by_key(order)
    };
    let chosen = choose((0..n).filter(|&i| meeting[i]).collect());
    let mut best = [None; 4];
    for strategy in Strategy::ALL {
        let own: Vec<usize> = (0..n)
            .filter(|&i| plan.evaluated[i].setting.strategy == strategy)
            .collect();
        best[strategy.index()] =
            if chosen.is_some_and(|c| plan.evaluated[c].setting.strategy == strategy) {
                chosen
            } else {
                choose(own.iter().copied().filter(|&i| meeting[i]).collect())
                    .or_else(|| closest(plan, scenario, &own))
            };
    }
    let mut why_not = Vec::new();
    for strategy in Strategy::ALL {
        let Some(b) = best[strategy.index()] else {
            continue;
        };
        if Some(b) == chosen {
            continue;
        }
        let extra_monthly_spend =
            chosen.map(|c| plan.evaluated[b].monthly_total - plan.evaluated[c].monthly_total);
        let (kind, misses) = if meeting[b] {
            let dominated = chosen.is_some_and(|c| {
                value(plan, b, rule) == value(plan, c, rule) && metrics.dominates(c, b, rule)
            });
            let kind = if dominated || chosen.is_none() {
                LossKind::Dominated
            } else {
                LossKind::CostsMore
            };
            (kind, Vec::new())
        } else {
            (LossKind::MissesObjectives, misses(plan, scenario, b))
        };
        why_not.push(WhyNot {
            strategy,
            setting: b,
            kind,
            misses,
            extra_monthly_spend,
        });
    }
    Pick {
        chosen,
        frontier,
        best,
        why_not,
        unchanged: unchanged(plan, scenario),
        close: close_calls(plan, scenario, chosen),
    }
}

/// The setting of a strategy closest to meeting the objectives: the fewest types missed, then
/// the highest assured P(meet) of the worst type, then the cheapest.
fn closest(plan: &Plan, scenario: &Scenario, own: &[usize]) -> Option<usize> {
    let confidence = scenario.objectives.confidence;
    let score = |i: usize| {
        let lows: Vec<f64> = active(scenario)
            .map(|d| assured(&plan.type_stats(i, d).meets_both))
            .collect();
        let missed = lows.iter().filter(|l| **l < confidence).count();
        let worst = lows.iter().copied().fold(1.0, f64::min);
        (missed, worst)
    };
    own.iter().copied().min_by(|&a, &b| {
        let (sa, sb) = (score(a), score(b));
        sa.0.cmp(&sb.0)
            .then(sb.1.total_cmp(&sa.1))
            .then(
                plan.evaluated[a]
                    .monthly_total
                    .cmp(&plan.evaluated[b].monthly_total),
            )
            .then(a.cmp(&b))
    })
}

/// The types setting `i` misses, worst first, with what would fix each.
fn misses(plan: &Plan, scenario: &Scenario, i: usize) -> Vec<Miss> {
    let confidence = scenario.objectives.confidence;
    let mut out: Vec<Miss> = active(scenario)
        .filter(|&d| !type_meets(plan.type_stats(i, d), confidence))
        .map(|d| {
            let s = plan.type_stats(i, d);
            let (rto_low, rpo_low) = (assured(&s.meets_rto), assured(&s.meets_rpo));
            let (objective, p_meet) = match (rto_low < confidence, rpo_low < confidence) {
                (true, false) => (Objective::Rto, s.meets_rto),
                (false, true) => (Objective::Rpo, s.meets_rpo),
                _ => (Objective::Both, s.meets_both),
            };
            Miss {
                disaster: d,
                objective,
                p_meet,
                fix: fix(plan, scenario, i, d, objective),
            }
        })
        .collect();
    out.sort_by(|a, b| assured(&a.p_meet).total_cmp(&assured(&b.p_meet)));
    out
}

/// How many knobs two settings' knobs differ in.
fn knob_changes(a: &crate::Knobs, b: &crate::Knobs) -> usize {
    [
        a.backup_interval != b.backup_interval,
        a.storage_tier != b.storage_tier,
        a.point_in_time != b.point_in_time,
        a.failover != b.failover,
        a.replica != b.replica,
        a.standby_fraction != b.standby_fraction,
        a.site_capacity != b.site_capacity,
    ]
    .iter()
    .filter(|x| **x)
    .count()
}

fn fix(
    plan: &Plan,
    scenario: &Scenario,
    i: usize,
    disaster: Disaster,
    objective: Objective,
) -> Option<Fix> {
    let confidence = scenario.objectives.confidence;
    let me = &plan.evaluated[i];
    let other = (0..plan.evaluated.len())
        .filter(|&j| {
            j != i
                && plan.evaluated[j].setting.strategy == me.setting.strategy
                && type_meets(plan.type_stats(j, disaster), confidence)
        })
        .min_by_key(|&j| {
            (
                knob_changes(&me.setting.knobs, &plan.evaluated[j].setting.knobs),
                plan.evaluated[j].monthly_total,
                j,
            )
        });
    if let Some(j) = other {
        return Some(Fix::Setting(j));
    }
    // The objective that the setting's outcomes would meet at the confidence: the quantile a
    // little above the confidence, so the interval's lower end clears it.
    let s = plan.type_stats(i, disaster);
    let trials = s.rto.count();
    if trials == 0 {
        return None;
    }
    let margin = Z_95 * (confidence * (1.0 - confidence) / trials as f64).sqrt();
    let q = (confidence + 2.0 * margin).min(1.0);
    if q >= 1.0 {
        return None;
    }
    let at = |t: &sim_core::stats::Tally| t.quantile(q) as f64 / 1000.0;
    let (rto, rpo) = match objective {
        Objective::Rto => (Some(at(&s.rto)), None),
        Objective::Rpo => (None, Some(at(&s.rpo))),
        Objective::Both => (Some(at(&s.rto)), Some(at(&s.rpo))),
    };
    Some(Fix::Objective { rto, rpo })
}

/// Disaster types whose recovery is the same for every strategy at the same backup knobs.
fn unchanged(plan: &Plan, scenario: &Scenario) -> Vec<Unchanged> {
    let p = &scenario.plan;
    active(scenario)
        .filter(|&d| {
            plan.evaluated.iter().all(|a| {
                plan.evaluated.iter().all(|b| {
                    // Borrowed, not cloned: this runs for every pair of settings.
                    fn k(e: &crate::Evaluated) -> (u64, &Option<String>, bool) {
                        (
                            e.setting.knobs.backup_interval.to_bits(),
                            &e.setting.knobs.storage_tier,
                            e.setting.knobs.point_in_time,
                        )
                    }
                    k(a) != k(b) || a.components[d.index()] == b.components[d.index()]
                })
            })
        })
        .map(|d| {
            let reads = |f: fn(&crate::years::Reads) -> bool| {
                plan.components
                    .iter()
                    .any(|c| c.disaster == d && f(&c.reads))
            };
            let mut knobs = Vec::new();
            if p.backup_intervals.len() > 1 && reads(|r| r.backup_interval) {
                knobs.push("backup-interval");
            }
            if p.storage_tiers.len() > 1 && !scenario.data.is_empty() && reads(|r| r.storage_tier) {
                knobs.push("storage-tier");
            }
            if p.point_in_time.len() > 1 && reads(|r| r.point_in_time) {
                knobs.push("point-in-time");
            }
            Unchanged { disaster: d, knobs }
        })
        .collect()
}

/// The components whose straddling interval the decision rests on: those of the settings that
/// cost no more than the pick (all settings when there is none) and that no other type rules
/// out for sure. More years for these can change the pick.
pub fn in_question(plan: &Plan, scenario: &Scenario, pick: &Pick) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for call in close_calls(plan, scenario, pick.chosen) {
        if !out.contains(&call.component) {
            out.push(call.component);
        }
    }
    out
}

fn close_calls(plan: &Plan, scenario: &Scenario, chosen: Option<usize>) -> Vec<CloseCall> {
    let confidence = scenario.objectives.confidence;
    let rule = scenario.costs.pick;
    let limit = chosen.map(|c| value(plan, c, rule));
    let mut order: Vec<usize> = (0..plan.evaluated.len())
        .filter(|&i| limit.is_none_or(|l| value(plan, i, rule) <= l))
        .collect();
    order.sort_by_key(|&i| (value(plan, i, rule), i));
    let mut out: Vec<CloseCall> = Vec::new();
    for i in order {
        let types: Vec<Disaster> = active(scenario).collect();
        let ruled_out = types.iter().any(|&d| {
            let p = &plan.type_stats(i, d).meets_both;
            !type_meets(plan.type_stats(i, d), confidence) && !straddles(p, confidence)
        });
        if ruled_out {
            continue;
        }
        for d in types {
            let c = plan.evaluated[i].components[d.index()];
            let component = &plan.components[c];
            if straddles(&component.stats.meets_both, confidence)
                && !out.iter().any(|x| x.component == c)
            {
                out.push(CloseCall {
                    setting: i,
                    disaster: d,
                    component: c,
                    p_meet: component.stats.meets_both,
                    years: component.years,
                });
            }
        }
    }
    out
}
