//! The parallel Monte Carlo loop.
//!
//! Trials are cut into fixed chunks; rayon spreads the chunks over the threads; each worker
//! folds its trials into an accumulator and the accumulators are merged. Every trial draws
//! from its own stream (see [`crate::rng`]) and every accumulator merge is exact integer
//! arithmetic (see [`crate::stats`]), so the result does not depend on the number of threads
//! or on which thread ran which chunk. A chunk takes an accumulator no other chunk is using, so
//! memory holds one accumulator per thread, not one per trial or per chunk.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

/// A mergeable accumulator. `merge` must be exact and order-independent (integer counts and
/// sums, histograms), which is what makes results identical at any thread count.
pub trait Merge: Send {
    fn merge(&mut self, other: Self);

    /// Called once every trial is done, on each accumulator in parallel, before the merges
    /// (which run one after the other): work an accumulator would otherwise do inside `merge`
    /// belongs here. Must not change what `merge` yields.
    fn finish(&mut self) {}
}

/// How many trials to run, and on how many threads.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub trials: u64,
    /// Trials per chunk; a fixed number so the work split never depends on the thread count.
    pub chunk_size: u64,
    /// Worker threads (≥ 1).
    pub threads: usize,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool {
        threads: usize,
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
    #[error("the number of threads must be at least 1")]
    NoThreads,
}

/// The rayon pool of a run.
fn thread_pool(config: &RunConfig) -> Result<rayon::ThreadPool, RunError> {
    if config.threads == 0 {
        return Err(RunError::NoThreads);
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .build()
        .map_err(|source| RunError::ThreadPool {
            threads: config.threads,
            source,
        })
}

/// The chunks a range of trials is cut into, on the whole run's chunk boundaries.
struct Chunks {
    size: u64,
    first: u64,
    last: u64,
    first_chunk: u64,
    count: u64,
}

impl Chunks {
    fn of(config: &RunConfig, range: &std::ops::Range<u64>) -> Chunks {
        let size = config.chunk_size.max(1);
        let (first, last) = (range.start, range.end.max(range.start));
        let first_chunk = first / size;
        Chunks {
            size,
            first,
            last,
            first_chunk,
            count: last.div_ceil(size).saturating_sub(first_chunk),
        }
    }

    /// The trials `start..end` of the range's chunk `c` (0-based within the range).
    fn trials(&self, c: u64) -> (u64, u64) {
        let start = ((self.first_chunk + c) * self.size).max(self.first);
        let end = ((self.first_chunk + c + 1) * self.size).min(self.last);
        (start, end)
    }
}

/// Trials between two updates of the progress counter.
const PROGRESS_STEP: u64 = 16;

/// Runs `config.trials` trials. `trial(index, worker, acc)` runs one trial into `acc`, using
/// `worker` as scratch space (made by `new_worker`, reused from chunk to chunk).
/// `progress`, if given, counts finished trials (every few trials).
pub fn run<A, W>(
    config: &RunConfig,
    new_acc: impl Fn() -> A + Sync + Send,
    new_worker: impl Fn() -> W + Sync + Send,
    trial: impl Fn(u64, &mut W, &mut A) + Sync + Send,
    progress: Option<&AtomicU64>,
) -> Result<A, RunError>
where
    A: Merge,
    W: Send,
{
    run_range(
        config,
        0..config.trials,
        new_acc,
        new_worker,
        trial,
        progress,
    )
}

/// Runs the trials of `range` only (`config.trials` is ignored), cut on the same chunk
/// boundaries as the whole run (multiples of `config.chunk_size`), so that a run split into
/// ranges and merged gives exactly the accumulator of the whole run.
pub fn run_range<A, W>(
    config: &RunConfig,
    range: std::ops::Range<u64>,
    new_acc: impl Fn() -> A + Sync + Send,
    new_worker: impl Fn() -> W + Sync + Send,
    trial: impl Fn(u64, &mut W, &mut A) + Sync + Send,
    progress: Option<&AtomicU64>,
) -> Result<A, RunError>
where
    A: Merge,
    W: Send,
{
    let pool = thread_pool(config)?;
    let chunks = Chunks::of(config, &range);
    let states = Idle::new(&new_worker, &new_acc);
    let result = pool.install(|| {
        // One chunk per job, so that an idle thread always finds one to steal and the threads
        // finish together (rayon would otherwise run long stretches of chunks as one job); each
        // chunk folds into an accumulator no other chunk is using.
        (0..chunks.count as usize)
            .into_par_iter()
            .with_max_len(1)
            .for_each(|c| {
                let (mut worker, mut acc) = states.take();
                let (start, end) = chunks.trials(c as u64);
                // Progress every few trials, so that slow trials still show a rate early.
                let mut counted = start;
                for index in start..end {
                    trial(index, &mut worker, &mut acc);
                    if let Some(p) = progress {
                        if index + 1 - counted >= PROGRESS_STEP || index + 1 == end {
                            p.fetch_add(index + 1 - counted, Ordering::Relaxed);
                            counted = index + 1;
                        }
                    }
                }
                states.give((worker, acc));
            });
        merge_all(states.into_accumulators(), &new_acc)
    });
    Ok(result)
}

/// The accumulators finished (in parallel, on the current pool) and merged into the first (a
/// new one when there is none): merging into an empty accumulator would copy the first whole.
fn merge_all<A: Merge>(mut accs: Vec<A>, new_acc: impl Fn() -> A) -> A {
    accs.par_iter_mut().for_each(Merge::finish);
    accs.into_iter()
        .reduce(|mut total, acc| {
            total.merge(acc);
            total
        })
        .unwrap_or_else(new_acc)
}

/// Scratch space and accumulators not in use by a chunk: a chunk takes one (or makes one when
/// none is idle) and gives it back, so at most one per thread is ever made.
struct Idle<'f, W, A, NW, NA> {
    states: std::sync::Mutex<Vec<(W, A)>>,
    new_worker: &'f NW,
    new_acc: &'f NA,
}

impl<'f, W, A, NW, NA> Idle<'f, W, A, NW, NA>
where
    NW: Fn() -> W,
    NA: Fn() -> A,
{
    fn new(new_worker: &'f NW, new_acc: &'f NA) -> Self {
        Idle {
            states: std::sync::Mutex::new(Vec::new()),
            new_worker,
            new_acc,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(W, A)>> {
        self.states
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn take(&self) -> (W, A) {
        let idle = self.lock().pop();
        idle.unwrap_or_else(|| ((self.new_worker)(), (self.new_acc)()))
    }

    fn give(&self, state: (W, A)) {
        self.lock().push(state);
    }

    fn into_accumulators(self) -> Vec<A> {
        let states = self
            .states
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        states.into_iter().map(|(_, acc)| acc).collect()
    }
}

/// Chunks per batch and thread in [`run_range_streamed`]: enough to balance the load, few
/// enough that a batch's rows stay small (a few chunks of rows per thread).
const STREAM_BATCH_PER_THREAD: u64 = 4;

/// Runs the trials of `range` as [`run_range`] does (the same accumulator, bit for bit), and
/// also hands what the trials emitted to `sink`, in trial order: `trial(index, worker, acc,
/// rows)` may push rows for its trial. Chunks run in parallel in batches of a few per thread,
/// each folding into one of the threads' accumulators; while the workers run one batch, `sink`
/// consumes the previous one's rows on its own thread, so memory holds one accumulator per
/// thread and at most two batches of rows whatever the number of trials. The first error of
/// `sink` stops the run and is returned.
pub fn run_range_streamed<A, W, R, E>(
    config: &RunConfig,
    range: std::ops::Range<u64>,
    new_acc: impl Fn() -> A + Sync + Send,
    new_worker: impl Fn() -> W + Sync + Send,
    trial: impl Fn(u64, &mut W, &mut A, &mut Vec<R>) + Sync + Send,
    mut sink: impl FnMut(&[R]) -> Result<(), E> + Send,
    progress: Option<&AtomicU64>,
) -> Result<Result<A, E>, RunError>
where
    A: Merge,
    W: Send,
    R: Send,
    E: Send,
{
    let pool = thread_pool(config)?;
    let chunks = Chunks::of(config, &range);
    let batch = STREAM_BATCH_PER_THREAD * config.threads as u64;
    // Accumulators and scratch space not in use by a chunk: at most one per thread is made.
    let states = Idle::new(&new_worker, &new_acc);
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Vec<R>>>(1);
    let sunk = std::thread::scope(|scope| {
        let consumer = scope.spawn(move || {
            for batch in receive {
                for rows in batch {
                    sink(&rows)?;
                }
            }
            Ok(())
        });
        let mut next = 0;
        while next < chunks.count {
            let end = (next + batch).min(chunks.count);
            let rows: Vec<Vec<R>> = pool.install(|| {
                (next..end)
                    .into_par_iter()
                    .map(|c| {
                        let (mut worker, mut acc) = states.take();
                        let (start, stop) = chunks.trials(c);
                        let mut rows = Vec::new();
                        for index in start..stop {
                            trial(index, &mut worker, &mut acc, &mut rows);
                        }
                        states.give((worker, acc));
                        if let Some(p) = progress {
                            p.fetch_add(stop - start, Ordering::Relaxed);
                        }
                        rows
                    })
                    .collect()
            });
            if send.send(rows).is_err() {
                break; // the sink failed; its error is returned below
            }
            next = end;
        }
        drop(send);
        consumer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    let total = pool.install(|| merge_all(states.into_accumulators(), &new_acc));
    Ok(sunk.map(|()| total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, PartialEq, Debug)]
    struct Sum(u128, u64);

    impl Merge for Sum {
        fn merge(&mut self, other: Self) {
            self.0 += other.0;
            self.1 += other.1;
        }
    }

    #[test]
    fn every_trial_runs_once_at_any_thread_count() {
        for threads in [1, 2, 3] {
            let config = RunConfig {
                trials: 10_007,
                chunk_size: 64,
                threads,
            };
            let counter = AtomicU64::new(0);
            let sum = run(
                &config,
                Sum::default,
                || (),
                |i, _, acc| {
                    acc.0 += u128::from(i);
                    acc.1 += 1;
                },
                Some(&counter),
            )
            .map_err(|e| e.to_string());
            assert_eq!(sum, Ok(Sum(10_007 * 10_006 / 2, 10_007)));
            assert_eq!(counter.load(Ordering::Relaxed), 10_007);
        }
    }

    /// An accumulator that counts how many were made and whether each was finished before it
    /// was merged.
    struct Counted {
        trials: u64,
        finished: bool,
    }

    impl Merge for Counted {
        fn finish(&mut self) {
            self.finished = true;
        }

        fn merge(&mut self, other: Self) {
            assert!(other.finished, "merged before it was finished");
            self.trials += other.trials;
        }
    }

    #[test]
    fn one_accumulator_per_thread_at_most_each_finished_before_its_merge() {
        for threads in [1, 2, 3] {
            let config = RunConfig {
                trials: 10_007,
                chunk_size: 16,
                threads,
            };
            let made = AtomicU64::new(0);
            let total = run(
                &config,
                || {
                    made.fetch_add(1, Ordering::Relaxed);
                    Counted {
                        trials: 0,
                        finished: false,
                    }
                },
                || (),
                |_, _, acc| acc.trials += 1,
                None,
            )
            .map(|c| c.trials)
            .map_err(|e| e.to_string());
            assert_eq!(total, Ok(10_007));
            let made = made.load(Ordering::Relaxed);
            // The workers' accumulators and the total the merge starts from.
            assert!(
                made <= threads as u64 + 1,
                "{made} accumulators on {threads} threads"
            );
        }
    }

    #[test]
    fn streamed_rows_come_in_trial_order_with_the_same_accumulator() {
        for threads in [1, 2, 3] {
            let config = RunConfig {
                trials: 10_007,
                chunk_size: 64,
                threads,
            };
            let mut seen = Vec::new();
            let sum = run_range_streamed(
                &config,
                3..10_007,
                Sum::default,
                || (),
                |i, _, acc, rows| {
                    acc.0 += u128::from(i);
                    acc.1 += 1;
                    rows.push(i);
                },
                |rows: &[u64]| {
                    seen.extend_from_slice(rows);
                    Ok::<(), ()>(())
                },
                None,
            )
            .map_err(|e| e.to_string());
            assert_eq!(sum, Ok(Ok(Sum(10_007 * 10_006 / 2 - 3, 10_004))));
            assert_eq!(seen, (3..10_007).collect::<Vec<u64>>());
        }
    }

    #[test]
    fn a_failing_sink_stops_the_run() {
        let config = RunConfig {
            trials: 100_000,
            chunk_size: 10,
            threads: 2,
        };
        let ran = AtomicU64::new(0);
        let mut calls = 0;
        let result = run_range_streamed(
            &config,
            0..100_000,
            Sum::default,
            || (),
            |_, _, _, rows| rows.push(()),
            |_: &[()]| {
                calls += 1;
                if calls == 3 { Err("disk full") } else { Ok(()) }
            },
            Some(&ran),
        )
        .map_err(|e| e.to_string());
        assert_eq!(result, Ok(Err("disk full")));
        // At most the batches in flight ran after the failure, not the whole run.
        assert!(ran.load(Ordering::Relaxed) < 1000, "{:?}", ran);
    }

    #[test]
    fn ranges_on_chunk_boundaries_add_up_to_the_whole_run() {
        let config = RunConfig {
            trials: 1000,
            chunk_size: 64,
            threads: 2,
        };
        let sum = |range: std::ops::Range<u64>| {
            run_range(
                &config,
                range,
                Sum::default,
                || (),
                |i, _, acc| {
                    acc.0 += u128::from(i);
                    acc.1 += 1;
                },
                None,
            )
            .map_err(|e| e.to_string())
        };
        assert_eq!(sum(0..128), Ok(Sum(127 * 128 / 2, 128)));
        assert_eq!(sum(128..1000), Ok(Sum(999 * 1000 / 2 - 127 * 128 / 2, 872)));
        assert_eq!(sum(70..71), Ok(Sum(70, 1)));
        assert_eq!(sum(5..5), Ok(Sum(0, 0)));
    }
}
