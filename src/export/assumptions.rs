//! `assumptions.toml`: the scenario file as the user wrote it (or the embedded reference), with
//! the chosen knobs written over their keys, so that `drsim simulate assumptions.toml --seed S`
//! reproduces the exported setting's strategies exactly. Comments and layout are kept
//! (`toml_edit`); only the knob keys change.

use scenarios::Strategy;
use scenarios::units::{Kind, format_exact};
use toml_edit::{DocumentMut, Item, Table, Value};

use super::{Chosen, label};

/// A duration as the scenario format writes it, exactly: "4h", or seconds when no unit is
/// exact.
fn duration(seconds: f64) -> String {
    let text = format_exact(seconds, Kind::Duration);
    match scenarios::units::parse(&text, Kind::Duration) {
        Ok(back) if back.to_bits() == seconds.to_bits() => text,
        _ => format!("{seconds}s"),
    }
}

/// Sets the key at `path`, creating tables on the way.
fn set(doc: &mut DocumentMut, path: &[&str], value: Value) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        return Ok(());
    };
    let mut table: &mut dyn toml_edit::TableLike = doc.as_table_mut();
    for (depth, key) in parents.iter().enumerate() {
        if !table.contains_key(key) {
            let mut fresh = Table::new();
            fresh.set_implicit(true);
            table.insert(key, Item::Table(fresh));
        }
        table = table
            .get_mut(key)
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| format!("`{}` is not a table", path[..=depth].join(".")))?;
    }
    // Keep the comment that follows the value, if any.
    let mut value = value;
    if let Some(old) = table.get(last).and_then(Item::as_value) {
        *value.decor_mut() = old.decor().clone();
    }
    table.insert(last, Item::Value(value));
    Ok(())
}

/// The text of `assumptions.toml`.
pub fn render(text: &str, file: &str, chosen: &Chosen<'_>, seed: u64) -> Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| format!("cannot re-read the scenario: {e}"))?;
    let sc = chosen.scenario;
    let k = chosen.knobs;
    let b = &sc.backups;
    set(
        &mut doc,
        &["backups", "interval"],
        Value::from(duration(b.interval)),
    )?;
    set(
        &mut doc,
        &["backups", "retention"],
        Value::from(duration(b.retention)),
    )?;
    set(
        &mut doc,
        &["backups", "point-in-time"],
        Value::from(b.point_in_time),
    )?;
    if k.storage_tier.is_some() && !sc.data.is_empty() {
        if !doc.contains_key("data") {
            // The datasets are the reference's (the file names none). A `[data]` table in the
            // file replaces the reference's datasets whole, so write them whole, then the tier.
            let reference: DocumentMut = scenarios::REFERENCE
                .parse()
                .map_err(|e: toml_edit::TomlError| format!("cannot read the reference: {e}"))?;
            if let Some(data) = reference.get("data") {
                doc.insert("data", data.clone());
            }
        }
        for data in &sc.data {
            set(
                &mut doc,
                &["data", &data.name, "storage"],
                Value::from(data.storage.clone()),
            )?;
        }
    }
    let name = chosen.strategy.name();
    let config = &sc.strategies[chosen.strategy.index()];
    if k.failover.is_some() {
        set(
            &mut doc,
            &["strategies", name, "failover"],
            Value::from(config.failover.name()),
        )?;
    }
    match chosen.strategy {
        // Knobs the engine leaves out of the sweep (Aurora, DynamoDB) are not written: the
        // scenario would refuse them (docs/model.md §4.1).
        Strategy::PilotLight if k.replica.is_none() => {}
        Strategy::PilotLight => set(
            &mut doc,
            &["strategies", name, "replica-fraction"],
            Value::from(config.replica_fraction),
        )?,
        Strategy::WarmStandby => set(
            &mut doc,
            &["strategies", name, "standby-fraction"],
            Value::from(config.running_fraction),
        )?,
        Strategy::MultiSite => set(
            &mut doc,
            &["strategies", name, "site-capacity"],
            Value::from(config.running_fraction),
        )?,
        Strategy::BackupRestore => {}
    }
    let mut out = format!(
        "# drsim {} export: the assumptions of {name} — {}.\n\
         # From {file}, with the setting's knobs written over their keys ([backups], the datasets'\n\
         # storage, [strategies.{name}]). Reproduce the simulation with the same seed:\n\
         #   drsim simulate assumptions.toml --seed {seed}\n",
        env!("CARGO_PKG_VERSION"),
        label(chosen),
    );
    if let Some((_, class)) = &k.replica {
        out.push_str(&format!(
            "# The pilot-light replica is bought as {class}; its share of the primary's capacity is\n\
             # `replica-fraction` below.\n"
        ));
    }
    if let Some(catalog) = &sc.pricing.catalog {
        out.push_str(&format!(
            "# `pricing.catalog = \"{catalog}\"` is read relative to this file: copy the catalog beside it.\n"
        ));
    }
    out.push('\n');
    out.push_str(&doc.to_string());
    Ok(out)
}
