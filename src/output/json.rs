//! Versioned JSON (see `report::SCHEMA_VERSION`).

use super::Render;
use crate::plan::PlanReport;
use crate::report::Report;

pub struct Json;

impl Render for Json {
    fn render(&self, report: &Report) -> anyhow::Result<String> {
        pretty(report)
    }

    fn render_plan(&self, report: &PlanReport) -> anyhow::Result<String> {
        pretty(report)
    }
}

fn pretty<T: serde::Serialize>(report: &T) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}
