//! Versioned JSON (see `simulation::SCHEMA_VERSION`): the serde form of a report.

/// Pretty-printed JSON with a final newline.
pub fn pretty<T: serde::Serialize + ?Sized>(report: &T) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}
