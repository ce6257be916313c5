//! Versioned JSON (see `report::SCHEMA_VERSION`).

use super::Render;
use crate::report::Report;

pub struct Json;

impl Render for Json {
    fn render(&self, report: &Report) -> anyhow::Result<String> {
        let mut text = serde_json::to_string_pretty(report)?;
        text.push('\n');
        Ok(text)
    }
}
