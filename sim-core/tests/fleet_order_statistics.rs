//! Fleets resolved without an event per instance (first attempts drawn when the fleet starts,
//! the finish found by selection), checked against closed forms and against an independent
//! event-driven model of the same fleets (one event per launch slot, retry and instance up,
//! as the engine ran them before).
//!
//! Tolerances are 4 standard errors (means) or the two-sample Kolmogorov–Smirnov critical value
//! at α = 0.001. Every run has its own stream, so each outcome is fixed: a test that passes once
//! passes always, and a wrong engine would miss by many standard errors.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::Rng;
use sim_core::dist::{Dist, unit_f64};
use sim_core::engine::{Engine, FleetSpec, LauncherId, Param, RunbookBuilder, Work};
use sim_core::rng::stream_rng;
use sim_core::stats::ks_distance;

/// X₍ₖ₎ of n i.i.d. exponentials of rate λ is a sum of independent exponentials of rates
/// (n−i)λ, i = 0..k: mean Σ_{i=n−k+1..n} 1/(iλ), variance Σ 1/(iλ)².
#[test]
fn exponential_fleet_finishes_at_the_kth_order_statistic() {
    let (n, k, mean) = (200u32, 150u32, 10.0);
    let mut b = RunbookBuilder::new();
    let launcher = b.launcher("api", 1.0, n).expect("launcher");
    b.step(
        "fleet",
        Work::Fleet(FleetSpec {
            count: n,
            needed: k,
            launcher,
            phases: vec![Dist::exponential(mean).expect("dist")],
            scale: Param::Fixed(1.0),
            failure: Param::Fixed(0.0),
            retry_delay: Dist::fixed(1.0).expect("dist"),
        }),
    )
    .expect("step");
    let rb = b.build().expect("build");
    let lambda = 1.0 / mean;
    let terms = (n - k + 1..=n).map(|i| 1.0 / (f64::from(i) * lambda));
    let expected: f64 = terms.clone().sum();
    let variance: f64 = terms.map(|t| t * t).sum();
    let runs = 4_000u64;
    // The fleet fits in the launcher's burst: resolved as order statistics by default, per
    // instance when the threshold is out of reach.
    for from in [sim_core::engine::FLEET_ORDER_STATISTICS_FROM, u32::MAX] {
        let mut engine = Engine::new();
        engine.set_fleet_order_statistics_from(from);
        let total: f64 = (0..runs)
            .map(|i| engine.run(&rb, &[], &mut stream_rng(21, i, 0)))
            .sum();
        let got = total / runs as f64;
        let tolerance = 4.0 * (variance / runs as f64).sqrt();
        assert!(
            (got - expected).abs() <= tolerance,
            "order statistics from {from}: mean finish {got}, expected {expected} ± {tolerance}"
        );
    }
}

/// Constant phases: every instance is up its phases after its launcher slot, so a fleet that
/// needs its k-th instance finishes exactly at the k-th slot plus the phases, launcher-bound or
/// not, whatever the order the instances are drawn in.
#[test]
fn constant_fleet_finishes_at_the_kth_slot_plus_its_phases() {
    for (burst, count, needed) in [(100, 10, 8), (5, 20, 20), (5, 20, 12), (1, 7, 3)] {
        let mut b = RunbookBuilder::new();
        let launcher = b.launcher("api", 2.0, burst).expect("launcher");
        b.step("fleet", fleet(launcher, count, needed, 0.0, &[3.0, 7.0]))
            .expect("step");
        let rb = b.build().expect("build");
        let kth_slot = f64::from(needed.saturating_sub(burst)) * 0.5;
        let got = Engine::new().run(&rb, &[], &mut stream_rng(1, 0, 0));
        assert_eq!(got, kth_slot + 10.0, "burst {burst}, {needed} of {count}");
    }
}

fn fleet(launcher: LauncherId, count: u32, needed: u32, failure: f64, phases: &[f64]) -> Work {
    Work::Fleet(FleetSpec {
        count,
        needed,
        launcher,
        phases: phases
            .iter()
            .map(|&p| Dist::fixed(p).expect("dist"))
            .collect(),
        scale: Param::Fixed(1.0),
        failure: Param::Fixed(failure),
        retry_delay: Dist::fixed(4.0).expect("dist"),
    })
}

/// One fleet of the event-driven model.
struct RefFleet {
    count: u32,
    needed: u32,
    phases: Vec<Dist>,
    failure: f64,
    retry: Dist,
    scale: f64,
}

/// An event time, ordered by `total_cmp`.
#[derive(Clone, Copy)]
struct Time(f64);
impl PartialEq for Time {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for Time {}
impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Time {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Slot,
    Retry,
    Up,
}

/// The fleets, all started at 0 on one GCRA launcher (rate, burst), simulated with one event
/// per launch slot, retry and instance up; each fleet drops its retries once done. Returns the
/// latest finish.
fn event_driven(fleets: &[RefFleet], rate: f64, burst: u32, rng: &mut impl Rng) -> f64 {
    let interval = 1.0 / rate;
    let tolerance = f64::from(burst - 1) * interval;
    let mut tat = 0.0f64;
    let mut gcra = |t: f64| {
        let slot = t.max(tat - tolerance);
        tat = tat.max(slot) + interval;
        slot
    };
    let mut heap = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |heap: &mut BinaryHeap<_>, t: f64, f: usize, kind: Kind| {
        seq += 1;
        heap.push(Reverse((Time(t), seq, f, kind)));
    };
    let mut up = vec![0u32; fleets.len()];
    let mut finish: Vec<Option<f64>> = fleets
        .iter()
        .map(|f| (f.needed == 0).then_some(0.0))
        .collect();
    for (f, fleet) in fleets.iter().enumerate() {
        for _ in 0..fleet.count {
            let slot = gcra(0.0);
            push(&mut heap, slot, f, Kind::Slot);
        }
    }
    while let Some(Reverse((Time(t), _, f, kind))) = heap.pop() {
        if finish[f].is_some() {
            continue;
        }
        let fleet = &fleets[f];
        match kind {
            Kind::Slot => {
                if unit_f64(rng) < fleet.failure {
                    let delay = fleet.retry.sample(rng);
                    push(&mut heap, t + delay, f, Kind::Retry);
                } else {
                    let total: f64 = fleet.phases.iter().map(|p| p.sample(rng)).sum();
                    push(&mut heap, t + fleet.scale * total, f, Kind::Up);
                }
            }
            Kind::Retry => {
                let slot = gcra(t);
                push(&mut heap, slot, f, Kind::Slot);
            }
            Kind::Up => {
                up[f] += 1;
                if up[f] >= fleet.needed {
                    finish[f] = Some(t);
                }
            }
        }
    }
    finish
        .iter()
        .map(|f| f.unwrap_or(f64::INFINITY))
        .fold(0.0, f64::max)
}

/// Two fleets sharing a launcher that binds (burst 6 for 20 instances), with failed attempts
/// retried (30 %) and random phases: the engine's makespan agrees in distribution with the
/// event-driven model's, and so does its mean.
#[test]
fn agrees_with_the_event_driven_fleet() {
    let phases = || {
        vec![
            Dist::lognormal(3.0, 9.0).expect("dist"),
            Dist::exponential(2.0).expect("dist"),
        ]
    };
    let retry = || Dist::uniform(1.0, 5.0).expect("dist");
    let specs = [(8u32, 6u32), (12, 9)];
    let (rate, burst, failure, scale) = (1.0, 6, 0.3, 1.5);

    let mut b = RunbookBuilder::new();
    let launcher = b.launcher("api", rate, burst).expect("launcher");
    for (i, &(count, needed)) in specs.iter().enumerate() {
        b.step(
            &format!("fleet{i}"),
            Work::Fleet(FleetSpec {
                count,
                needed,
                launcher,
                phases: phases(),
                scale: Param::Fixed(scale),
                failure: Param::Fixed(failure),
                retry_delay: retry(),
            }),
        )
        .expect("step");
    }
    let rb = b.build().expect("build");
    let reference: Vec<RefFleet> = specs
        .iter()
        .map(|&(count, needed)| RefFleet {
            count,
            needed,
            phases: phases(),
            failure,
            retry: retry(),
            scale,
        })
        .collect();

    let runs = 20_000u64;
    let mut engine = Engine::new();
    let mut ours: Vec<f64> = (0..runs)
        .map(|i| engine.run(&rb, &[], &mut stream_rng(31, i, 0)))
        .collect();
    let mut theirs: Vec<f64> = (0..runs)
        .map(|i| event_driven(&reference, rate, burst, &mut stream_rng(31, i, 1)))
        .collect();
    ours.sort_by(f64::total_cmp);
    theirs.sort_by(f64::total_cmp);

    let d = ks_distance(&ours, &theirs);
    let critical = 1.949 * (2.0 / runs as f64).sqrt();
    assert!(d <= critical, "KS distance {d} > {critical}");

    let stats = |x: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var / n)
    };
    let ((m1, v1), (m2, v2)) = (stats(&ours), stats(&theirs));
    let tolerance = 4.0 * (v1 + v2).sqrt();
    assert!(
        (m1 - m2).abs() <= tolerance,
        "mean {m1} against the event-driven {m2} ± {tolerance}"
    );
}
