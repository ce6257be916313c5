//! reports: what drsim tells people and machines, as typed data, and its renderers.
//!
//! Each report is a plain structure built from results ([`simulation::Report`] from a simulation,
//! [`plan::PlanReport`] from a plan, [`catalog::Listing`] from a price catalog, and
//! [`document::Document`], both runs in one document for `drsim report`). Values stay typed —
//! money as `Usd`, times in seconds, probabilities with their intervals — and the renderers
//! format them: one module per format ([`table`], [`json`], [`csv`], [`markdown`], [`html`];
//! [`samples`] streams per-trial rows as CSV). The
//! markup formats share one model ([`markup`]), and [`plots`] draws SVG charts with plotters.
//! The engine and the model never render; this crate only reads their results.

pub mod catalog;
pub mod csv;
pub mod document;
pub mod html;
pub mod json;
pub mod markdown;
pub mod markup;
pub mod money;
pub mod plan;
pub mod plots;
pub mod samples;
pub mod simulation;
pub mod table;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain-text tables for a terminal.
    Table,
    /// Versioned JSON.
    Json,
    Csv,
    /// GitHub-flavoured Markdown, headline first.
    Markdown,
    /// One self-contained HTML page with inline SVG plots.
    Html,
}

/// A report every format can render.
pub trait Render: serde::Serialize {
    /// Plain-text tables.
    fn table(&self) -> anyhow::Result<String>;
    /// CSV.
    fn csv(&self) -> anyhow::Result<String>;
    /// The document model the Markdown and HTML renderers share.
    fn markup(&self) -> markup::Page;
}

/// Renders a report in a format.
pub fn render(report: &impl Render, format: Format) -> anyhow::Result<String> {
    match format {
        Format::Table => report.table(),
        Format::Json => json::pretty(report),
        Format::Csv => report.csv(),
        Format::Markdown => markdown::render(&report.markup()),
        Format::Html => html::render(&report.markup()),
    }
}
