//! The per-trial samples of `drsim simulate --samples`, as CSV: one row per trial with its
//! disaster type and, per strategy, the RTO and RPO in seconds and the critical step.

use std::fmt::Write as _;
use std::io::Write;

use scenarios::Strategy;
use scenarios::simulate::{Compiled, Sample};

/// Writes sample rows as CSV to `W`, the header first.
pub struct SampleWriter<W: Write> {
    out: csv::Writer<W>,
    /// One field's text, reused.
    field: String,
}

/// The column names: `trial`, `disaster`, then `<strategy>_rto_s`, `<strategy>_rpo_s` and
/// `<strategy>_critical_step` for every strategy.
pub fn header() -> Vec<String> {
    let mut columns = vec!["trial".to_string(), "disaster".to_string()];
    for s in Strategy::ALL {
        let name = s.name();
        columns.extend([
            format!("{name}_rto_s"),
            format!("{name}_rpo_s"),
            format!("{name}_critical_step"),
        ]);
    }
    columns
}

impl<W: Write> SampleWriter<W> {
    /// Starts the CSV with its header.
    pub fn new(out: W) -> csv::Result<SampleWriter<W>> {
        let mut out = csv::Writer::from_writer(out);
        out.write_record(header())?;
        Ok(SampleWriter {
            out,
            field: String::new(),
        })
    }

    /// Appends one row per sample; `compiled` names the steps.
    pub fn write(&mut self, compiled: &Compiled, samples: &[Sample]) -> csv::Result<()> {
        for sample in samples {
            self.number(format_args!("{}", sample.trial))?;
            self.out.write_field(sample.disaster.name())?;
            for (strategy, o) in Strategy::ALL.into_iter().zip(&sample.outcomes) {
                // Seconds with the simulator's millisecond resolution.
                self.number(format_args!("{:.3}", o.rto))?;
                self.number(format_args!("{:.3}", o.rpo))?;
                let step = o.critical.and_then(|id| {
                    compiled
                        .runbook(strategy, sample.disaster)
                        .map(|runbook| runbook.step_name(id))
                });
                self.out.write_field(step.unwrap_or_default())?;
            }
            self.out.write_record(None::<&[u8]>)?;
        }
        Ok(())
    }

    fn number(&mut self, value: std::fmt::Arguments<'_>) -> csv::Result<()> {
        self.field.clear();
        // Writing to a String cannot fail.
        let _ = self.field.write_fmt(value);
        self.out.write_field(&self.field)
    }

    /// Flushes and returns the destination.
    pub fn finish(self) -> anyhow::Result<W> {
        self.out
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write the samples: {}", e.error()))
    }
}
