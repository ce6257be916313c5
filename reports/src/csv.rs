//! CSV: one row per strategy, disaster type ("all" for every type together) and metric; after
//! a region loss also one row per part of the data (`rpo_seconds[database]`,
//! `rpo_seconds[data.NAME]`).

use crate::money::cents_text;
use crate::plan::PlanReport;
use crate::simulation::{Outcome, Probability, Report, Stats};

const HEADER: [&str; 18] = [
    "strategy",
    "disaster",
    "metric",
    "trials",
    "mean",
    "p50",
    "p90",
    "p95",
    "p99",
    "max",
    "mean_std_error",
    "p50_std_error",
    "p90_std_error",
    "p95_std_error",
    "p99_std_error",
    "p_meet",
    "p_meet_ci95_low",
    "p_meet_ci95_high",
];

fn row(
    strategy: &str,
    disaster: &str,
    metric: &str,
    stats: &Stats,
    meet: Option<&Probability>,
) -> Vec<String> {
    let mut fields = vec![
        strategy.to_string(),
        disaster.to_string(),
        metric.to_string(),
        stats.count.to_string(),
        stats.mean.to_string(),
        stats.p50.to_string(),
        stats.p90.to_string(),
        stats.p95.to_string(),
        stats.p99.to_string(),
        stats.max.to_string(),
        stats.mean_std_error.to_string(),
        stats.p50_std_error.to_string(),
        stats.p90_std_error.to_string(),
        stats.p95_std_error.to_string(),
        stats.p99_std_error.to_string(),
    ];
    match meet {
        Some(p) => fields.extend([
            p.estimate.to_string(),
            p.ci95_low.to_string(),
            p.ci95_high.to_string(),
        ]),
        None => fields.extend([String::new(), String::new(), String::new()]),
    }
    fields
}

fn rows(strategy: &str, disaster: &str, o: &Outcome) -> [Vec<String>; 3] {
    [
        row(
            strategy,
            disaster,
            "rto_seconds",
            &o.rto,
            Some(&o.p_meet_rto),
        ),
        row(
            strategy,
            disaster,
            "rpo_seconds",
            &o.rpo,
            Some(&o.p_meet_rpo),
        ),
        row(
            strategy,
            disaster,
            "failback_downtime_seconds",
            &o.failback_downtime,
            None,
        ),
    ]
}

/// The report of `drsim simulate`: one row per strategy, disaster type and metric.
pub fn simulation(report: &Report) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER)?;
    for s in &report.strategies {
        for r in rows(s.name, "all", &s.overall) {
            writer.write_record(&r)?;
        }
        for d in &s.by_disaster {
            for r in rows(s.name, d.disaster, &d.outcome) {
                writer.write_record(&r)?;
            }
            // Region loss: each part of the data, `rpo_seconds[database]`,
            // `rpo_seconds[data.NAME]`.
            for p in &d.rpo_by_part {
                let metric = match p.kind {
                    "database" => "rpo_seconds[database]".to_string(),
                    _ => format!("rpo_seconds[data.{}]", p.part),
                };
                writer.write_record(row(s.name, d.disaster, &metric, &p.rpo, None))?;
            }
        }
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// The report of `drsim plan`: one row per setting, the table's columns.
pub fn plan(report: &PlanReport) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(PLAN_HEADER)?;
    for s in &report.settings {
        let picked = report
            .pick
            .as_ref()
            .is_some_and(|p| p.strategy == s.strategy && p.setting == s.setting);
        let region = s.of(scenarios::Disaster::RegionLoss);
        let mut row = vec![
            s.strategy.to_string(),
            s.setting.clone(),
            cents_text(s.monthly_spend),
            region.map_or(String::new(), |t| t.rto.p95.to_string()),
            region.map_or(String::new(), |t| t.rpo.p95.to_string()),
            s.pooled.rto.p95.to_string(),
            s.pooled.rpo.p95.to_string(),
        ];
        for t in &s.by_disaster {
            row.push(t.p_meet_both.ci95_low.to_string());
            row.push(t.meets.to_string());
        }
        row.extend([
            s.meets_objectives.to_string(),
            cents_text(s.expected_annual_loss),
            cents_text(s.expected_annual_loss_std_error),
            cents_text(s.expected_disaster_cost),
            cents_text(s.drills_per_year),
            cents_text(s.total_cost_of_risk),
            s.on_frontier.to_string(),
            picked.to_string(),
            s.line_items
                .iter()
                .filter(|l| l.substituted)
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        ]);
        writer.write_record(&row)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

const PLAN_HEADER: [&str; 24] = [
    "strategy",
    "setting",
    "monthly_spend_usd",
    "region_loss_rto_p95_seconds",
    "region_loss_rpo_p95_seconds",
    "pooled_rto_p95_seconds",
    "pooled_rpo_p95_seconds",
    "region_loss_p_meet_ci95_low",
    "region_loss_meets",
    "az_loss_p_meet_ci95_low",
    "az_loss_meets",
    "corruption_p_meet_ci95_low",
    "corruption_meets",
    "ransomware_p_meet_ci95_low",
    "ransomware_meets",
    "meets_objectives",
    "expected_annual_loss_usd",
    "expected_annual_loss_std_error_usd",
    "expected_disaster_cost_usd",
    "drills_per_year_usd",
    "total_cost_of_risk_usd",
    "on_frontier",
    "picked",
    "substituted_prices",
];
