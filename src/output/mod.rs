//! Renderers of the simulation report, one module per format. Each returns the whole text or
//! an error; none writes anywhere (see `crate::write_output` for atomic writing).

mod csv;
mod json;
mod table;

use crate::cli::Format;
use crate::plan::PlanReport;
use crate::report::Report;

/// Renders the reports in one format.
pub trait Render {
    /// The report of `drsim simulate`.
    fn render(&self, report: &Report) -> anyhow::Result<String>;
    /// The report of `drsim plan`.
    fn render_plan(&self, report: &PlanReport) -> anyhow::Result<String>;
}

/// The renderer of a format.
pub fn renderer(format: Format) -> Box<dyn Render> {
    match format {
        Format::Table => Box::new(table::Table),
        Format::Json => Box::new(json::Json),
        Format::Csv => Box::new(csv::Csv),
    }
}
