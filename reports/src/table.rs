//! Plain-text tables for people (no colour, fixed-width columns).

use std::fmt::Write;

use scenarios::units::format_duration;

use crate::money::exact_text;
use crate::plan::{PlanReport, SettingReport};
use crate::simulation::{Outcome, Probability, Report, Stats};

fn percent(p: &Probability) -> String {
    format!(
        "{:5.1}% [{:.1}–{:.1}]",
        100.0 * p.estimate,
        100.0 * p.ci95_low,
        100.0 * p.ci95_high
    )
}

fn stats_cells(s: &Stats) -> String {
    if s.count == 0 {
        return format!("{:>9} {:>9} {:>9} {:>9}", "–", "–", "–", "–");
    }
    format!(
        "{:>9} {:>9} {:>9} {:>9}",
        format_duration(s.p50),
        format_duration(s.p95),
        format_duration(s.p99),
        format_duration(s.max)
    )
}

fn outcome_line(out: &mut String, label: &str, o: &Outcome) -> std::fmt::Result {
    writeln!(
        out,
        "  {label:<15} {:>8}  {}  {}  {:<22} {}",
        o.trials,
        stats_cells(&o.rto),
        stats_cells(&o.rpo),
        percent(&o.p_meet_both),
        if o.meets_objectives { "yes" } else { "no" }
    )
}

fn header(out: &mut String, first: &str) -> std::fmt::Result {
    writeln!(
        out,
        "  {first:<15} {:>8}  {:>9} {:>9} {:>9} {:>9}  {:>9} {:>9} {:>9} {:>9}  {:<22} meets?",
        "trials",
        "RTO p50",
        "p95",
        "p99",
        "max",
        "RPO p50",
        "p95",
        "p99",
        "max",
        "P(meet RTO&RPO) 95% CI",
    )
}

/// The report of `drsim simulate`.
pub fn simulation(r: &Report) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "drsim {} — {} ({} → {})",
        r.drsim_version, r.scenario.name, r.scenario.primary_region, r.scenario.recovery_region
    )?;
    writeln!(
        out,
        "{} trials, seed {}, scenario {}",
        r.trials, r.seed, r.scenario.file
    )?;
    writeln!(
        out,
        "objectives met when P(meet) is at least {:.0}% (lower end of the 95% interval); service level {:.0}% of capacity ({})",
        100.0 * r.objectives.confidence,
        100.0 * r.objectives.service_level,
        r.objectives.tiers_needed()
    )?;
    write!(out, "disasters:")?;
    for (d, o) in r.disasters.iter().zip(&r.objectives.by_disaster) {
        write!(
            out,
            "  {} {}/yr ({} trials; RTO {}, RPO {})",
            d.name,
            d.annual_rate,
            d.trials,
            format_duration(o.rto),
            format_duration(o.rpo)
        )?;
    }
    writeln!(out, "\n")?;

    writeln!(out, "All disasters")?;
    header(&mut out, "strategy")?;
    for s in &r.strategies {
        outcome_line(&mut out, s.name, &s.overall)?;
    }
    for (i, d) in r.disasters.iter().enumerate() {
        writeln!(out, "\n{}", d.name)?;
        header(&mut out, "strategy")?;
        for s in &r.strategies {
            if let Some(o) = s.by_disaster.get(i) {
                outcome_line(&mut out, s.name, &o.outcome)?;
            }
        }
    }

    writeln!(
        out,
        "\nWhat drives recovery time (region loss): steps most often on the critical path"
    )?;
    for s in &r.strategies {
        let Some(region) = s.by_disaster.first() else {
            continue;
        };
        let mut steps: Vec<_> = region
            .critical_path
            .iter()
            .filter(|c| c.on_critical_path > 0.0)
            .collect();
        steps.sort_by(|a, b| {
            (b.on_critical_path * b.mean_contribution)
                .total_cmp(&(a.on_critical_path * a.mean_contribution))
        });
        let listed: Vec<String> = steps
            .iter()
            .take(4)
            .map(|c| {
                format!(
                    "{} {:.0}% ({})",
                    c.step,
                    100.0 * c.on_critical_path,
                    format_duration(c.mean_contribution)
                )
            })
            .collect();
        writeln!(out, "  {:<15} {}", s.name, listed.join(", "))?;
    }

    writeln!(
        out,
        "\nWhat sets the RPO after region loss: each part's data loss (the RPO is the largest)"
    )?;
    writeln!(
        out,
        "  {:<15} {:<15} {:<14} {:>9} {:>9} {:>9} {:>9}",
        "strategy", "part", "from", "p50", "p95", "p99", "max"
    )?;
    for s in &r.strategies {
        let Some(region) = s.by_disaster.first() else {
            continue;
        };
        for (i, p) in region.rpo_by_part.iter().enumerate() {
            writeln!(
                out,
                "  {:<15} {:<15} {:<14} {}",
                if i == 0 { s.name } else { "" },
                p.part,
                p.recovered_from,
                stats_cells(&p.rpo)
            )?;
        }
    }

    writeln!(out, "\nFailback downtime after region loss (p50 / p95)")?;
    for s in &r.strategies {
        let Some(region) = s.by_disaster.first() else {
            continue;
        };
        let f = &region.outcome.failback_downtime;
        if f.count == 0 {
            writeln!(out, "  {:<15} –", s.name)?;
        } else {
            writeln!(
                out,
                "  {:<15} {} / {}",
                s.name,
                format_duration(f.p50),
                format_duration(f.p95)
            )?;
        }
    }

    writeln!(
        out,
        "\nHead to head (same disasters): P(first recovers faster) / P(second faster) / P(tie)"
    )?;
    for p in &r.pairwise {
        writeln!(
            out,
            "  {:<15} vs {:<15} {:5.1}% / {:5.1}% / {:5.1}%",
            p.a,
            p.b,
            100.0 * p.p_a_faster,
            100.0 * p.p_b_faster,
            100.0 * p.p_tie
        )?;
    }
    if let Some(w) = r.least_precise() {
        writeln!(
            out,
            "\nMonte Carlo error: every quantile's standard error is in --format json and csv; the largest relative one is {} {} {} of {}: {} ± {} ({:.1}%).",
            w.disaster,
            w.quantile,
            w.metric,
            w.strategy,
            format_duration(w.value),
            format_duration(w.std_error),
            100.0 * w.std_error / w.value
        )?;
    }
    for w in &r.warnings {
        writeln!(out, "\nwarning: {w}")?;
    }
    Ok(out)
}

/// The report of `drsim plan`.
pub fn plan(r: &PlanReport) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "drsim {} plan — {} ({} → {})",
        r.drsim_version, r.scenario.name, r.scenario.primary_region, r.scenario.recovery_region
    )?;
    writeln!(
        out,
        "{} simulated years per setting, seed {}, scenario {}; each disaster type's objectives must hold with {:.0}% confidence; pick: {}",
        r.years,
        r.seed,
        r.scenario.file,
        100.0 * r.confidence,
        r.pick_rule
    )?;
    let objectives: Vec<String> = r
        .objectives
        .iter()
        .map(|o| {
            format!(
                "{} RTO {} RPO {}",
                o.disaster,
                format_duration(o.rto),
                format_duration(o.rpo)
            )
        })
        .collect();
    writeln!(out, "objectives: {}", objectives.join("; "))?;
    writeln!(out)?;
    match &r.pick {
        Some(p) => {
            writeln!(out, "Pick: {} — {}", p.strategy, p.setting)?;
            writeln!(
                out,
                "  {}/month; expected annual loss {} ± {}; total cost of risk {} ± {}/year",
                p.monthly_spend,
                p.expected_annual_loss,
                p.expected_annual_loss_std_error,
                p.total_cost_of_risk,
                p.total_cost_of_risk_std_error
            )?;
            for t in &p.by_disaster {
                writeln!(
                    out,
                    "  {:<12} p95 RTO {:>9}  p95 RPO {:>9}  P(meet) {}",
                    t.disaster,
                    format_duration(t.rto.p95),
                    format_duration(t.rpo.p95),
                    percent(&t.p_meet_both)
                )?;
            }
        }
        None => {
            writeln!(
                out,
                "Pick: none — no setting meets every disaster type's objectives at this confidence"
            )?;
        }
    }
    if r.decision == "too-close-to-call" {
        writeln!(
            out,
            "\nToo close to call: these judgments straddle the {:.0}% line even after extra years",
            100.0 * r.confidence
        )?;
        for c in &r.close_calls {
            writeln!(
                out,
                "  {} {} — {}: P(meet) {} over {} years",
                c.strategy,
                c.setting,
                c.disaster,
                percent(&c.p_meet),
                c.years
            )?;
        }
    }
    if !r.why_not.is_empty() {
        writeln!(out, "\nWhy not the others")?;
        for w in &r.why_not {
            writeln!(out, "  {:<15} {}", w.strategy, w.reason)?;
        }
    }
    for u in &r.unchanged_by_strategy {
        writeln!(out, "\nNote: {}", u.note)?;
    }
    writeln!(
        out,
        "\nEvery setting: p95 of region loss and of every disaster pooled; per type, the assured P(meet) (lower end of the 95% interval, ✗ below the confidence)\n(* on the frontier, > the pick)"
    )?;
    let width = r
        .settings
        .iter()
        .map(|s| s.setting.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let header = ["region RTO", "region RPO", "pooled RTO", "pooled RPO"];
    write!(
        out,
        "     {:<15} {:<width$} {:>10}",
        "strategy", "setting", "$/month"
    )?;
    for h in header {
        write!(out, " {h:>10}")?;
    }
    for t in PLAN_TYPES {
        write!(out, " {t:>12}")?;
    }
    writeln!(out, " {:>24} {:>16}", "E[loss]/year", "cost of risk/yr")?;
    for s in &r.settings {
        let picked = r
            .pick
            .as_ref()
            .is_some_and(|p| p.strategy == s.strategy && p.setting == s.setting);
        let region = s.of(scenarios::Disaster::RegionLoss);
        write!(
            out,
            "  {}{} {:<15} {:<width$} {:>10}",
            if picked { ">" } else { " " },
            if s.on_frontier { "*" } else { " " },
            s.strategy,
            s.setting,
            s.monthly_spend,
        )?;
        for v in [
            region.map_or(0.0, |t| t.rto.p95),
            region.map_or(0.0, |t| t.rpo.p95),
            s.pooled.rto.p95,
            s.pooled.rpo.p95,
        ] {
            write!(out, " {:>10}", format_duration(v))?;
        }
        for t in &s.by_disaster {
            let mark = if t.meets { "✓" } else { "✗" };
            write!(out, " {:>10.1}% {mark}", 100.0 * t.p_meet_both.ci95_low)?;
        }
        writeln!(
            out,
            " {:>24} {:>16}",
            format!(
                "{} ± {}",
                s.expected_annual_loss, s.expected_annual_loss_std_error
            ),
            s.total_cost_of_risk
        )?;
    }
    if let Some(p) = &r.pick {
        line_items(&mut out, p)?;
        writeln!(out, "\nLoss exceedance of the pick: P(annual loss > x)")?;
        for e in &p.loss_exceedance {
            writeln!(
                out,
                "  {:>16}  {:6.2}%",
                e.annual_loss,
                100.0 * e.probability
            )?;
        }
    }
    for w in &r.warnings {
        writeln!(out, "\nwarning: {w}")?;
    }
    Ok(out)
}

/// The disaster types, as the plan's columns name them.
const PLAN_TYPES: [&str; 4] = ["region-loss", "az-loss", "corruption", "ransomware"];

fn line_items(out: &mut String, p: &SettingReport) -> std::fmt::Result {
    writeln!(
        out,
        "\nMonthly DR spend of the pick, by line item (~ price substituted from the fallback region)"
    )?;
    for l in &p.line_items {
        writeln!(
            out,
            "  {:<40} {:>12}  {}{} {} × ${} ({}, {}){}",
            l.name,
            l.usd,
            if l.detail.is_empty() {
                String::new()
            } else {
                format!("{}: ", l.detail)
            },
            l.quantity,
            l.unit,
            exact_text(l.unit_price),
            l.region,
            l.as_of,
            if l.substituted { " ~" } else { "" }
        )?;
    }
    writeln!(out, "  {:<40} {:>12}", "total", p.monthly_spend)?;
    writeln!(
        out,
        "  drills {}/year; disasters' infrastructure {}/year on average; expected losses {}/year",
        p.drills_per_year, p.expected_disaster_cost, p.expected_annual_loss
    )
}
