//! `--shard K/N`: which slice of a run's trials this process runs.
//!
//! `K/N` names slice K (1-based) of N; `auto/N` reads K from the environment of an array job:
//! `AWS_BATCH_JOB_ARRAY_INDEX` (AWS Batch) or `JOB_COMPLETION_INDEX` (Kubernetes Indexed Jobs),
//! both 0-based, so index 0 is slice 1/N. Slices are whole chunks of trials
//! (`scenarios::simulate::shard_range`).

use crate::Failure;
use crate::results_file::ShardRecord;

/// The environment variables `auto/N` reads, in order.
pub const INDEX_VARIABLES: [&str; 2] = ["AWS_BATCH_JOB_ARRAY_INDEX", "JOB_COMPLETION_INDEX"];

/// A `--shard` value as typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardSpec {
    Fixed { index: u64, count: u64 },
    Auto { count: u64 },
}

/// The largest shard count accepted.
pub const MAX_SHARDS: u64 = 100_000;

/// Parses `K/N` or `auto/N` (for clap).
pub fn parse(text: &str) -> Result<ShardSpec, String> {
    let help = "expected K/N (slice K of N, 1 ≤ K ≤ N) or auto/N, e.g. 2/8";
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| format!("{text:?}: {help}"))?;
    let count: u64 = n
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=MAX_SHARDS).contains(n))
        .ok_or_else(|| format!("{text:?}: N must be a whole number from 1 to {MAX_SHARDS}"))?;
    if k.trim() == "auto" {
        return Ok(ShardSpec::Auto { count });
    }
    let index: u64 = k
        .trim()
        .parse()
        .ok()
        .filter(|k| (1..=count).contains(k))
        .ok_or_else(|| format!("{text:?}: K must be a whole number from 1 to N ({count})"))?;
    Ok(ShardSpec::Fixed { index, count })
}

impl ShardSpec {
    /// The slice, reading the environment for `auto/N`.
    pub fn resolve(self) -> Result<ShardRecord, Failure> {
        self.resolve_with(|name| std::env::var(name).ok())
    }

    /// The slice, with `var` standing for the environment.
    pub fn resolve_with(
        self,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<ShardRecord, Failure> {
        match self {
            ShardSpec::Fixed { index, count } => Ok(ShardRecord { index, count }),
            ShardSpec::Auto { count } => {
                let Some((name, value)) = INDEX_VARIABLES
                    .iter()
                    .find_map(|name| var(name).map(|v| (*name, v)))
                else {
                    return Err(Failure::BadInput(format!(
                        "--shard auto/{count}: neither {} nor {} is set\n  help: run inside an AWS Batch array job or a Kubernetes Indexed Job, or give the slice as K/{count}",
                        INDEX_VARIABLES[0], INDEX_VARIABLES[1]
                    )));
                };
                let index = value
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|i| *i < count)
                    .ok_or_else(|| {
                        Failure::BadInput(format!(
                            "--shard auto/{count}: {name}={value:?} is not an index from 0 to {}\n  help: the array job's size must equal N ({count})",
                            count - 1
                        ))
                    })?;
                Ok(ShardRecord {
                    index: index + 1,
                    count,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fixed_and_auto() {
        assert_eq!(parse("2/8"), Ok(ShardSpec::Fixed { index: 2, count: 8 }));
        assert_eq!(parse("auto/8"), Ok(ShardSpec::Auto { count: 8 }));
        for bad in ["0/8", "9/8", "2", "a/b", "1/0", "auto/", "/3"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn auto_reads_the_array_index() {
        let auto = ShardSpec::Auto { count: 4 };
        let batch = |name: &str| (name == "AWS_BATCH_JOB_ARRAY_INDEX").then(|| "3".to_string());
        assert_eq!(
            auto.resolve_with(batch).ok(),
            Some(ShardRecord { index: 4, count: 4 })
        );
        let k8s = |name: &str| (name == "JOB_COMPLETION_INDEX").then(|| "0".to_string());
        assert_eq!(
            auto.resolve_with(k8s).ok(),
            Some(ShardRecord { index: 1, count: 4 })
        );
        let out_of_range = |_: &str| Some("4".to_string());
        assert!(auto.resolve_with(out_of_range).is_err());
        assert!(auto.resolve_with(|_| None).is_err());
    }
}
