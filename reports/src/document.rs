//! What goes on a page: the markup of the simulation report, of the plan report, and of the
//! document `drsim report` writes — both runs on one seed, with plots of the distributions,
//! what drives recovery time, the cost curves, the pick's bill, loss exceedance, failback and
//! the assumptions to reproduce it.

use planner::Plan;
use planner::pick::Pick;
use scenarios::simulate::Results;
use scenarios::units::format_duration;
use scenarios::{Disaster, Scenario, Strategy};
use serde::Serialize;
use sim_core::stats::Tally;

use crate::markup::{Block, Figure, Page, Section, Table};
use crate::money::exact_text;
use crate::plan::{PlanReport, SettingReport};
use crate::plots::{self, COLORS, Point, Series};
use crate::simulation::{Probability, Report};
use crate::{Render, csv, table};

/// How a run was made, to reproduce it.
#[derive(Clone, Debug, Serialize)]
pub struct Assumptions {
    /// The command line that reproduces this document.
    pub command: String,
    /// Every value the scenario file sets that differs from the reference scenario.
    pub differences: Vec<(String, String)>,
}

/// Points of the curves the plots draw, computed from the runs' histograms.
#[derive(Clone, Debug, Default)]
pub struct Curves {
    /// `[disaster][strategy]`: (seconds, P(RTO ≤ seconds)).
    pub rto: Vec<Vec<Vec<(f64, f64)>>>,
    /// `[disaster][strategy]`: (seconds, P(RPO ≤ seconds)).
    pub rpo: Vec<Vec<Vec<(f64, f64)>>>,
    /// The pick first, then the best setting of each other strategy.
    pub exceedance: Vec<ExceedanceCurve>,
}

/// One loss-exceedance curve.
#[derive(Clone, Debug)]
pub struct ExceedanceCurve {
    /// "strategy: knobs".
    pub setting: String,
    pub strategy: Strategy,
    /// (dollars, P(annual loss > dollars)).
    pub points: Vec<(f64, f64)>,
}

/// The document of `drsim report`.
#[derive(Debug, Serialize)]
pub struct Document {
    pub simulation: Report,
    pub plan: PlanReport,
    #[serde(skip)]
    pub curves: Curves,
    pub assumptions: Assumptions,
}

/// The points of a distribution's CDF: each percentile and the extremes.
fn cdf_points(t: &Tally) -> Vec<(f64, f64)> {
    if t.count() == 0 {
        return Vec::new();
    }
    let s = |ms: u64| ms as f64 / 1000.0;
    let mut points = vec![(s(t.min()), 0.0)];
    for i in 1..100 {
        let q = f64::from(i) / 100.0;
        points.push((s(t.quantile(q)), q));
    }
    points.push((s(t.quantile(0.999)), 0.999));
    points.push((s(t.max()), 1.0));
    points
}

/// P(annual loss > x) at log-spaced x from $1k to $1B (annual losses are in whole dollars).
fn exceedance_points(loss: &Tally) -> Vec<(f64, f64)> {
    let n = loss.count().max(1) as f64;
    (0..=60)
        .map(|k| {
            let x = 10f64.powf(3.0 + f64::from(k) * 0.1);
            let above = loss.count() - loss.count_at_most(x as u64);
            (x, above as f64 / n)
        })
        .collect()
}

impl Curves {
    pub fn new(results: &Results, plan: &Plan, pick: &Pick) -> Curves {
        let by = |f: fn(&scenarios::simulate::Cell) -> &Tally| {
            Disaster::ALL
                .iter()
                .map(|d| {
                    Strategy::ALL
                        .iter()
                        .map(|s| cdf_points(f(&results.cells[s.index()][d.index()])))
                        .collect()
                })
                .collect()
        };
        let mut exceedance = Vec::new();
        let mut chosen: Vec<usize> = pick.chosen.into_iter().collect();
        chosen.extend(
            pick.best
                .iter()
                .flatten()
                .filter(|b| Some(**b) != pick.chosen),
        );
        for i in chosen {
            let e = &plan.evaluated[i];
            let role = if Some(i) == pick.chosen {
                "the pick"
            } else {
                "its best setting"
            };
            exceedance.push(ExceedanceCurve {
                setting: format!(
                    "{} ({role}: {})",
                    e.setting.strategy.name(),
                    crate::plan::knobs_label(e.setting.strategy, &e.setting.knobs)
                ),
                strategy: e.setting.strategy,
                points: exceedance_points(&e.annual.loss),
            });
        }
        Curves {
            rto: by(|c| &c.rto),
            rpo: by(|c| &c.rpo),
            exceedance,
        }
    }
}

fn pct(p: &Probability) -> String {
    format!(
        "{:.1}% [{:.1}–{:.1}]",
        100.0 * p.estimate,
        100.0 * p.ci95_low,
        100.0 * p.ci95_high
    )
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// A quantile with its Monte Carlo standard error (left out when it is zero), the error on a
/// line of its own where the format can break lines in a cell (HTML), so that tables fit.
fn with_error(value: f64, std_error: f64) -> String {
    if std_error > 0.0 {
        format!(
            "{}\n± {}",
            format_duration(value),
            format_duration(std_error)
        )
    } else {
        format_duration(value)
    }
}

/// The per-type outcome table of the simulation: one row per strategy, each quantile ± its
/// standard error.
fn outcome_table(report: &Report, disaster: Disaster) -> Table {
    let mut t = Table::new(&[
        "strategy",
        "trials",
        "RTO p50",
        "RTO p95",
        "RTO p99",
        "RPO p50",
        "RPO p95",
        "RPO p99",
        "P(meet RTO & RPO) 95% CI",
        "meets",
    ]);
    for s in &report.strategies {
        if let Some(d) = s.by_disaster.iter().find(|d| d.disaster == disaster.name()) {
            let o = &d.outcome;
            t.row(vec![
                s.name.to_string(),
                o.trials.to_string(),
                with_error(o.rto.p50, o.rto.p50_std_error),
                with_error(o.rto.p95, o.rto.p95_std_error),
                with_error(o.rto.p99, o.rto.p99_std_error),
                with_error(o.rpo.p50, o.rpo.p50_std_error),
                with_error(o.rpo.p95, o.rpo.p95_std_error),
                with_error(o.rpo.p99, o.rpo.p99_std_error),
                pct(&o.p_meet_both),
                yes(o.meets_objectives),
            ]);
        }
    }
    t
}

fn objective_of(report: &Report, disaster: Disaster) -> Option<(f64, f64)> {
    report
        .objectives
        .by_disaster
        .iter()
        .find(|o| o.disaster == disaster.name())
        .map(|o| (o.rto, o.rpo))
}

/// The simulation's sections: per disaster type, then what drives recovery, failback, pairs.
fn simulation_sections(report: &Report, curves: Option<&Curves>) -> anyhow::Result<Vec<Section>> {
    let mut sections = Vec::new();
    let mut overview = Section::new("What each strategy delivers, per disaster type");
    overview.text(format!(
        "{} simulated disasters, each recovered by all four strategies as the scenario configures them (common random numbers). A strategy meets a type's objectives when the lower end of the 95% interval of P(meet RTO and RPO) reaches {:.0}%. Recovered means running again at the service level: {} instances.",
        report.trials,
        100.0 * report.objectives.confidence,
        report.objectives.tiers_needed()
    ));
    let mut summary = Table::new(&[
        "disaster type",
        "annual rate",
        "trials",
        "RTO objective",
        "RPO objective",
        "strategies meeting it",
    ]);
    for d in Disaster::ALL {
        let Some((rto, rpo)) = objective_of(report, d) else {
            continue;
        };
        let info = report.disasters.iter().find(|x| x.name == d.name());
        let meeting: Vec<&str> = report
            .strategies
            .iter()
            .filter(|s| {
                s.by_disaster
                    .iter()
                    .any(|x| x.disaster == d.name() && x.outcome.meets_objectives)
            })
            .map(|s| s.name)
            .collect();
        summary.row(vec![
            d.name().to_string(),
            info.map_or(String::new(), |i| format!("{}/year", i.annual_rate)),
            info.map_or(String::new(), |i| i.trials.to_string()),
            format_duration(rto),
            format_duration(rpo),
            if meeting.is_empty() {
                "none".to_string()
            } else {
                meeting.join(", ")
            },
        ]);
    }
    overview.blocks.push(Block::Table(summary));
    sections.push(overview);

    for d in Disaster::ALL {
        let trials = report
            .disasters
            .iter()
            .find(|x| x.name == d.name())
            .map_or(0, |x| x.trials);
        if trials == 0 {
            continue;
        }
        let mut section = Section::new(&format!("{}: RTO and RPO", d.name()));
        section.blocks.push(Block::Table(outcome_table(report, d)));
        if let Some(curves) = curves {
            let (rto_obj, rpo_obj) = objective_of(report, d).unwrap_or((0.0, 0.0));
            for (what, points, objective, within) in [
                ("RTO", &curves.rto, rto_obj, "recovered within x"),
                ("RPO", &curves.rpo, rpo_obj, "losing at most x of data"),
            ] {
                let series: Vec<Series> = Strategy::ALL
                    .iter()
                    .map(|s| Series {
                        name: s.name().to_string(),
                        points: points[d.index()][s.index()].clone(),
                        color: COLORS[s.index()],
                    })
                    .collect();
                if series.iter().all(|s| s.points.iter().all(|p| p.0 < 0.001)) {
                    section.text(format!(
                        "{what}: 0 for every strategy in every trial (nothing to plot)."
                    ));
                    continue;
                }
                let title = format!("{} — {what}: share of disasters {within}", d.name());
                let svg = plots::cdf(
                    &title,
                    &format!("{what} (log scale; under 1 s drawn at the left edge)"),
                    &series,
                    Some(objective),
                )?;
                let mut data = Table::new(&["strategy", "p10", "p50", "p90", "p95", "p99", "max"]);
                for s in &series {
                    let at = |q: f64| {
                        s.points
                            .iter()
                            .find(|p| (p.1 - q).abs() < 1e-9)
                            .map_or(String::new(), |p| format_duration(p.0))
                    };
                    data.row(vec![
                        s.name.clone(),
                        at(0.1),
                        at(0.5),
                        at(0.9),
                        at(0.95),
                        at(0.99),
                        at(1.0),
                    ]);
                }
                let same = series.windows(2).all(|w| w[0].points == w[1].points);
                section.blocks.push(Block::Figure(Figure {
                    title,
                    svg,
                    caption: if same {
                        format!(
                            "The four strategies' lines coincide: no strategy changes the {what} of this disaster type (the backup knobs do). The black line is the objective ({}).",
                            format_duration(objective)
                        )
                    } else {
                        format!(
                        "Each line is a strategy; the higher and further left, the better. The black line is the {what} objective ({}): the height where a line crosses it is the share of disasters that meet it.",
                        format_duration(objective)
                    )
                    },
                    data,
                }));
            }
        }
        sections.push(section);
    }

    let mut drivers = Section::new("What drives recovery time (region loss)");
    drivers.text("How often each runbook step is on the critical path of a region-loss recovery, and the mean time it adds then. Shortening the steps at the top shortens the RTO.");
    let mut t = Table::new(&[
        "strategy",
        "step",
        "on the critical path",
        "mean time added then",
        "expected time added",
    ]);
    let mut bars = Vec::new();
    for s in &report.strategies {
        if let Some(d) = s
            .by_disaster
            .iter()
            .find(|d| d.disaster == Disaster::RegionLoss.name())
        {
            // Ranked by the expected time each adds: share on the path × mean time then.
            let mut steps: Vec<_> = d.critical_path.iter().collect();
            let added =
                |s: &crate::simulation::StepReport| s.on_critical_path * s.mean_contribution;
            steps.sort_by(|a, b| added(b).total_cmp(&added(a)));
            for step in steps.iter().take(4) {
                t.row(vec![
                    s.name.to_string(),
                    step.step.clone(),
                    format!("{:.0}%", 100.0 * step.on_critical_path),
                    format_duration(step.mean_contribution),
                    format_duration(added(step)),
                ]);
            }
            let index = Strategy::ALL
                .iter()
                .position(|x| x.name() == s.name)
                .unwrap_or(0);
            for step in steps.iter().take(3) {
                bars.push((
                    format!("{} · {}", s.name, step.step),
                    step.on_critical_path * step.mean_contribution,
                    COLORS[index],
                ));
            }
        }
    }
    if curves.is_some() && !bars.is_empty() {
        let svg = plots::bars(
            "Region loss: expected time each step adds to the recovery",
            "share on the critical path × mean time added",
            &bars,
            &|v| format_duration(v),
        )?;
        drivers.blocks.push(Block::Figure(Figure {
            title: "What drives recovery time".to_string(),
            svg,
            caption: "The three steps that add the most expected time to each strategy's region-loss recovery (colour: strategy).".to_string(),
            data: t.clone(),
        }));
    } else {
        drivers.blocks.push(Block::Table(t));
    }
    sections.push(drivers);

    let mut parts = Section::new("What sets the RPO after a region loss");
    parts.text("Each part of the data loses its own amount: the database and every dataset, recovered from a backup, a database replica or S3 replication (crr, or crr-rtc with Replication Time Control). A trial's RPO is the largest of them, so the part with the longest tail sets the strategy's RPO.");
    let mut t = Table::new(&[
        "strategy",
        "part",
        "recovered from",
        "RPO p50",
        "RPO p95",
        "RPO p99",
        "RPO max",
    ]);
    t.numeric[1] = false;
    t.numeric[2] = false;
    for s in &report.strategies {
        if let Some(d) = s
            .by_disaster
            .iter()
            .find(|d| d.disaster == Disaster::RegionLoss.name())
        {
            for p in &d.rpo_by_part {
                t.row(vec![
                    s.name.to_string(),
                    p.part.clone(),
                    p.recovered_from.clone(),
                    format_duration(p.rpo.p50),
                    format_duration(p.rpo.p95),
                    format_duration(p.rpo.p99),
                    format_duration(p.rpo.max),
                ]);
            }
        }
    }
    parts.blocks.push(Block::Table(t));
    sections.push(parts);

    let mut failback = Section::new("Failback after a region loss");
    failback.text("Downtime of switching back to the repaired primary (freeze, final resync, DNS), in the trials where a failover happened.");
    let mut t = Table::new(&[
        "strategy",
        "failovers",
        "downtime p50",
        "p95",
        "p99",
        "primary back first",
    ]);
    for s in &report.strategies {
        if let Some(d) = s
            .by_disaster
            .iter()
            .find(|d| d.disaster == Disaster::RegionLoss.name())
        {
            let f = &d.outcome.failback_downtime;
            t.row(vec![
                s.name.to_string(),
                f.count.to_string(),
                format_duration(f.p50),
                format_duration(f.p95),
                format_duration(f.p99),
                d.outcome.primary_returned_first.to_string(),
            ]);
        }
    }
    failback.blocks.push(Block::Table(t));
    sections.push(failback);

    let mut pairs = Section::new("Head to head");
    pairs.text(
        "On the same disaster, how often one strategy recovers strictly faster than the other.",
    );
    let mut t = Table::new(&["A", "B", "A faster", "B faster", "tie"]);
    for p in &report.pairwise {
        t.row(vec![
            p.a.to_string(),
            p.b.to_string(),
            format!("{:.1}%", 100.0 * p.p_a_faster),
            format!("{:.1}%", 100.0 * p.p_b_faster),
            format!("{:.1}%", 100.0 * p.p_tie),
        ]);
    }
    pairs.blocks.push(Block::Table(t));
    sections.push(pairs);
    if !report.warnings.is_empty() {
        let mut w = Section::new("Warnings");
        for warning in &report.warnings {
            w.blocks.push(Block::Note(warning.clone()));
        }
        sections.push(w);
    }
    Ok(sections)
}

/// The headline of a plan: the pick and what it delivers.
fn headline(plan: &PlanReport) -> String {
    match &plan.pick {
        Some(p) => format!(
            "Pick: {} — {}. {}/month in DR spend; expected annual loss {} ± {}; total cost of risk {}/year.",
            p.strategy,
            p.setting,
            p.monthly_spend,
            p.expected_annual_loss,
            p.expected_annual_loss_std_error,
            p.total_cost_of_risk
        ),
        None => "No setting meets every disaster type's objectives at this confidence.".to_string(),
    }
}

fn pick_sections(plan: &PlanReport) -> Section {
    let mut s = Section::new("The pick, and why not the others");
    s.blocks.push(Block::Paragraph {
        text: headline(plan),
        strong: true,
    });
    if plan.decision == "too-close-to-call" {
        let calls: Vec<String> = plan
            .close_calls
            .iter()
            .map(|c| {
                format!(
                    "{} ({}) — {}: P(meet) {} over {} years",
                    c.strategy,
                    c.setting,
                    c.disaster,
                    pct(&c.p_meet),
                    c.years
                )
            })
            .collect();
        s.blocks.push(Block::Note(format!(
            "Too close to call even after extra simulated years: {}",
            calls.join("; ")
        )));
    }
    if let Some(p) = &plan.pick {
        s.blocks.push(Block::Table(type_table(p)));
    }
    let why: Vec<String> = plan
        .why_not
        .iter()
        .map(|w| format!("{}: {}", w.strategy, w.reason))
        .collect();
    if !why.is_empty() {
        s.blocks.push(Block::Bullets(why));
    }
    for u in &plan.unchanged_by_strategy {
        s.blocks.push(Block::Note(u.note.clone()));
    }
    s
}

/// A setting's judgment per disaster type.
fn type_table(p: &SettingReport) -> Table {
    let mut t = Table::new(&[
        "disaster type",
        "disasters",
        "p95 RTO",
        "p95 RPO",
        "P(meet RTO)",
        "P(meet RPO)",
        "P(meet both) 95% CI",
        "meets",
    ]);
    for d in &p.by_disaster {
        t.row(vec![
            d.disaster.to_string(),
            d.trials.to_string(),
            format_duration(d.rto.p95),
            format_duration(d.rpo.p95),
            format!("{:.1}%", 100.0 * d.p_meet_rto.estimate),
            format!("{:.1}%", 100.0 * d.p_meet_rpo.estimate),
            pct(&d.p_meet_both),
            yes(d.meets),
        ]);
    }
    t
}

fn bill_table(p: &SettingReport) -> Table {
    let mut t = Table::new(&[
        "line item",
        "what",
        "quantity",
        "unit price",
        "USD/month",
        "price from",
    ]);
    // Prose columns: they may wrap.
    t.numeric[1] = false;
    t.numeric[5] = false;
    for l in &p.line_items {
        t.row(vec![
            l.name.clone(),
            l.detail.clone(),
            format!("{} {}", l.quantity, l.unit),
            format!("${}", exact_text(l.unit_price)),
            l.usd.to_string(),
            format!(
                "{}, {}{}: {}",
                l.region,
                l.as_of,
                if l.substituted {
                    " (fallback region: not sourced for the recovery region)"
                } else {
                    ""
                },
                l.source
            ),
        ]);
    }
    t.row(vec![
        "total".to_string(),
        String::new(),
        String::new(),
        String::new(),
        p.monthly_spend.to_string(),
        String::new(),
    ]);
    t
}

fn settings_table(plan: &PlanReport, only_frontier: bool) -> Table {
    let mut t = Table::new(&[
        "strategy",
        "setting",
        "USD/month",
        "region-loss p95 RTO",
        "region-loss p95 RPO",
        "types met",
        "expected loss/year",
        "cost of risk/year",
        "frontier",
    ]);
    // Prose columns: they may wrap.
    t.numeric[1] = false;
    t.numeric[5] = false;
    let mut rows = 0;
    for s in plan
        .settings
        .iter()
        .filter(|s| !only_frontier || s.on_frontier)
    {
        let region = s.of(Disaster::RegionLoss);
        let met = s.by_disaster.iter().filter(|d| d.meets).count();
        t.row(vec![
            s.strategy.to_string(),
            s.setting.clone(),
            s.monthly_spend.to_string(),
            region.map_or(String::new(), |r| format_duration(r.rto.p95)),
            region.map_or(String::new(), |r| format_duration(r.rpo.p95)),
            format!("{met} of {}", s.by_disaster.len()),
            format!(
                "{}\n± {}",
                s.expected_annual_loss, s.expected_annual_loss_std_error
            ),
            s.total_cost_of_risk.to_string(),
            yes(s.on_frontier),
        ]);
        rows += 1;
    }
    if only_frontier && rows < plan.settings.len() {
        t.more = Some(format!(
            "{} settings on the frontier of {}; the JSON and CSV outputs list every one.",
            rows,
            plan.settings.len()
        ));
    }
    t
}

fn plan_sections(plan: &PlanReport, curves: Option<&Curves>) -> anyhow::Result<Vec<Section>> {
    let mut sections = vec![pick_sections(plan)];
    let mut costs = Section::new("Cost curves and the frontier");
    costs.text(format!(
        "{} settings: each strategy's own knobs times the backup knobs, every one living through the same {} simulated years. A setting is on the frontier when no other is at least as cheap and as good on every disaster type's p95 RTO, p95 RPO and assured P(meet).",
        plan.settings.len(),
        plan.years
    ));
    if curves.is_some() {
        let points: Vec<Point> = plan
            .settings
            .iter()
            .map(|s| {
                let index = Strategy::ALL
                    .iter()
                    .position(|x| x.name() == s.strategy)
                    .unwrap_or(0);
                Point {
                    x: s.monthly_spend.to_f64(),
                    y: s.of(Disaster::RegionLoss).map_or(0.0, |r| r.rto.p95),
                    color: COLORS[index],
                    highlight: plan
                        .pick
                        .as_ref()
                        .is_some_and(|p| p.strategy == s.strategy && p.setting == s.setting),
                }
            })
            .collect();
        // The lower envelope of the frontier in these two dimensions.
        let mut front: Vec<(f64, f64)> = plan
            .settings
            .iter()
            .filter(|s| s.on_frontier)
            .map(|s| {
                (
                    s.monthly_spend.to_f64(),
                    s.of(Disaster::RegionLoss).map_or(0.0, |r| r.rto.p95),
                )
            })
            .collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut envelope: Vec<(f64, f64)> = Vec::new();
        for p in front {
            if envelope.last().is_none_or(|last| p.1 < last.1) {
                envelope.push(p);
            }
        }
        let legend: Vec<(String, plotters::style::RGBColor)> = Strategy::ALL
            .iter()
            .map(|s| (s.name().to_string(), COLORS[s.index()]))
            .collect();
        let svg = plots::spend_scatter(
            "Monthly DR spend against region-loss p95 RTO, every setting",
            "region-loss p95 RTO (log scale)",
            &points,
            &envelope,
            &legend,
        )?;
        costs.blocks.push(Block::Figure(Figure {
            title: "Spend against recovery time".to_string(),
            svg,
            caption: "Each dot is a setting (colour: strategy); the ringed dot is the pick; the grey line joins the cheapest frontier settings for each recovery time.".to_string(),
            data: settings_table(plan, true),
        }));
    }
    costs
        .blocks
        .push(Block::Table(settings_table(plan, curves.is_some())));
    sections.push(costs);

    if let Some(p) = &plan.pick {
        let mut bill = Section::new("The pick's monthly bill");
        bill.text(format!(
            "What the pick costs every month, by line item, with where each price comes from. Drills add {}/year; disasters' infrastructure {}/year on average.",
            p.drills_per_year, p.expected_disaster_cost
        ));
        if curves.is_some() {
            let bars: Vec<(String, f64, plotters::style::RGBColor)> = p
                .line_items
                .iter()
                .map(|l| (l.name.clone(), l.usd.to_f64(), COLORS[4]))
                .collect();
            let svg = plots::bars(
                &format!("Monthly DR spend of the pick: {}", p.monthly_spend),
                "USD per month",
                &bars,
                &|v| format!("${v:.2}"),
            )?;
            bill.blocks.push(Block::Figure(Figure {
                title: "The pick's line items".to_string(),
                svg,
                caption: "Each bar is one line of the monthly bill.".to_string(),
                data: bill_table(p),
            }));
        } else {
            bill.blocks.push(Block::Table(bill_table(p)));
        }
        sections.push(bill);

        let mut loss = Section::new("Loss exceedance");
        loss.text("The chance that a year's losses (downtime and lost data, at the scenario's cost per hour) exceed an amount, over the simulated years.");
        if let Some(curves) = curves {
            // The legend names the strategy; the table under the plot names the settings.
            let series: Vec<Series> = curves
                .exceedance
                .iter()
                .map(|c| Series {
                    name: c.setting.split(" (").next().unwrap_or_default().to_string(),
                    points: c.points.clone(),
                    color: COLORS[c.strategy.index()],
                })
                .collect();
            let svg = plots::exceedance(
                "P(annual loss > x): the pick and each strategy's best setting",
                &series,
            )?;
            let mut headers = vec!["annual loss above".to_string()];
            headers.extend(curves.exceedance.iter().map(|c| c.setting.clone()));
            let mut data = Table {
                numeric: headers.iter().map(|_| true).collect(),
                headers,
                ..Table::default()
            };
            // Powers of ten: the curves' points fall on them exactly (every tenth point).
            for k in (0..=60).step_by(10) {
                let mut row = vec![plots::money_label(10f64.powf(3.0 + f64::from(k) * 0.1))];
                for c in &curves.exceedance {
                    let p = c.points.get(k as usize).map_or(0.0, |p| p.1);
                    row.push(format!("{:.2}%", 100.0 * p));
                }
                data.row(row);
            }
            loss.blocks.push(Block::Figure(Figure {
                title: "Loss exceedance".to_string(),
                svg,
                caption:
                    "The first line is the pick; lower curves lose less. Money on a log scale."
                        .to_string(),
                data,
            }));
        } else {
            let mut data = Table::new(&["annual loss above", "probability"]);
            for e in &p.loss_exceedance {
                data.row(vec![
                    e.annual_loss.to_string(),
                    format!("{:.2}%", 100.0 * e.probability),
                ]);
            }
            loss.blocks.push(Block::Table(data));
        }
        sections.push(loss);
    }
    if !plan.warnings.is_empty() {
        let mut w = Section::new("Warnings");
        for warning in &plan.warnings {
            w.blocks.push(Block::Note(warning.clone()));
        }
        sections.push(w);
    }
    Ok(sections)
}

fn subtitle(version: &str, file: &str, seed: u64, runs: &str) -> Vec<String> {
    vec![
        format!("drsim {version} · scenario {file} · seed {seed}"),
        runs.to_string(),
    ]
}

/// The page of a simulation alone (`drsim simulate --format html|markdown`).
pub fn simulation_page(report: &Report) -> Page {
    Page {
        title: format!("{} — simulated disasters", report.scenario.name),
        subtitle: subtitle(
            report.drsim_version,
            &report.scenario.file,
            report.seed,
            &format!(
                "{} → {}, {} trials",
                report.scenario.primary_region, report.scenario.recovery_region, report.trials
            ),
        ),
        sections: simulation_sections(report, None).unwrap_or_default(),
    }
}

/// The page of a plan alone (`drsim plan --format html|markdown`).
pub fn plan_page(plan: &PlanReport) -> Page {
    Page {
        title: format!("{} — DR plan", plan.scenario.name),
        subtitle: subtitle(
            plan.drsim_version,
            &plan.scenario.file,
            plan.seed,
            &format!(
                "{} → {}, {} simulated years per setting",
                plan.scenario.primary_region, plan.scenario.recovery_region, plan.years
            ),
        ),
        sections: plan_sections(plan, None).unwrap_or_default(),
    }
}

impl Document {
    /// The whole document with its plots; an error only if a plot cannot be drawn.
    pub fn page(&self) -> anyhow::Result<Page> {
        let mut sections = plan_sections(&self.plan, Some(&self.curves))?;
        // The pick first, then what each strategy delivers, then money.
        let rest = sections.split_off(1);
        sections.extend(simulation_sections(&self.simulation, Some(&self.curves))?);
        sections.extend(rest);
        let mut assumptions = Section::new("Assumptions and how to reproduce this");
        assumptions.text(format!(
            "drsim {}; seed {}; {} trials for the distributions, {} simulated years per setting for the plan; scenario {}. The same command, seed and version give the same document.",
            self.simulation.drsim_version,
            self.simulation.seed,
            self.simulation.trials,
            self.plan.years,
            self.simulation.scenario.file
        ));
        assumptions
            .blocks
            .push(Block::Code(self.assumptions.command.clone()));
        if self.assumptions.differences.is_empty() {
            assumptions.text("Every value is the reference scenario's (drsim init writes it, with every source).");
        } else {
            let mut t = Table::new(&["key", "value in this scenario"]);
            t.numeric = vec![false, false];
            for (k, v) in &self.assumptions.differences {
                t.row(vec![k.clone(), v.clone()]);
            }
            assumptions.text("Values that differ from the reference scenario (every other value is the reference's; docs/model.md gives each default's source):");
            assumptions.blocks.push(Block::Table(t));
        }
        sections.push(assumptions);
        Ok(Page {
            title: format!(
                "{} — disaster recovery report",
                self.simulation.scenario.name
            ),
            subtitle: subtitle(
                self.simulation.drsim_version,
                &self.simulation.scenario.file,
                self.simulation.seed,
                &format!(
                    "{} → {}",
                    self.simulation.scenario.primary_region,
                    self.simulation.scenario.recovery_region
                ),
            ),
            sections,
        })
    }
}

impl Render for Report {
    fn table(&self) -> anyhow::Result<String> {
        table::simulation(self)
    }
    fn csv(&self) -> anyhow::Result<String> {
        csv::simulation(self)
    }
    fn markup(&self) -> Page {
        simulation_page(self)
    }
}

impl Render for PlanReport {
    fn table(&self) -> anyhow::Result<String> {
        table::plan(self)
    }
    fn csv(&self) -> anyhow::Result<String> {
        csv::plan(self)
    }
    fn markup(&self) -> Page {
        plan_page(self)
    }
}

/// A simulation and a plan of one scenario on one seed.
pub struct Runs<'a> {
    pub scenario: &'a Scenario,
    /// The scenario file as the user named it.
    pub file: &'a str,
    pub seed: u64,
    pub results: &'a Results,
    pub plan: &'a Plan,
    pub pick: &'a Pick,
}

/// Builds the document of `drsim report`.
pub fn build(runs: &Runs<'_>, assumptions: Assumptions) -> Document {
    Document {
        simulation: crate::simulation::build(runs.scenario, runs.file, runs.results, runs.seed),
        plan: crate::plan::build(runs.scenario, runs.file, runs.plan, runs.pick, runs.seed),
        curves: Curves::new(runs.results, runs.plan, runs.pick),
        assumptions,
    }
}
