//! The same random stream gives the same run, bit for bit, whatever the engine ran before; and
//! random runbooks keep the engine's invariants (dependencies, pool limits, critical path).

use proptest::prelude::*;
use sim_core::dist::Dist;
use sim_core::engine::{Engine, FleetSpec, Param, ParamId, Runbook, RunbookBuilder, StepId, Work};
use sim_core::rng::stream_rng;

/// A runbook using every kind of work and resource, with random durations, sizes, caps and
/// failures. `variant` changes its shape a little so that two runbooks differ.
fn mixed_runbook(variant: u32) -> Runbook {
    let mut b = RunbookBuilder::new();
    let link = b.link("wan", Param::Trial(ParamId(0))).expect("link");
    let pool = b.pool("operators", 2).expect("pool");
    let launcher = b.launcher("api", 3.0, 2).expect("launcher");
    let delay = |b: &mut RunbookBuilder, name: &str, min: f64, mode: f64, max: f64| {
        b.step(
            name,
            Work::Delay {
                duration: Dist::pert(min, mode, max).expect("dist"),
                scale: Param::Trial(ParamId(1)),
            },
        )
        .expect("step")
    };
    let detect = delay(&mut b, "detect", 60.0, 120.0, 600.0);
    let decide = delay(&mut b, "decide", 30.0, 60.0, 300.0);
    b.after(decide, detect).expect("after");
    let mut restores = Vec::new();
    for i in 0..3 + variant {
        let t = b
            .step(
                &format!("restore{i}"),
                Work::Transfer {
                    size: Dist::lognormal(5e9, 2e10).expect("dist"),
                    link,
                    cap: (i % 2 == 0).then(|| Dist::uniform(2e7, 8e7).expect("dist")),
                },
            )
            .expect("step");
        b.after(t, decide).expect("after");
        b.use_pool(t, pool).expect("use_pool");
        restores.push(t);
    }
    let fleet = b
        .step(
            "fleet",
            Work::Fleet(FleetSpec {
                count: 12,
                needed: 10,
                launcher,
                phases: vec![
                    Dist::exponential(20.0).expect("dist"),
                    Dist::lognormal(60.0, 180.0).expect("dist"),
                    Dist::uniform(10.0, 30.0).expect("dist"),
                ],
                scale: Param::Trial(ParamId(1)),
                failure: Param::Trial(ParamId(2)),
                retry_delay: Dist::exponential(15.0).expect("dist"),
            }),
        )
        .expect("step");
    b.after(fleet, decide).expect("after");
    let ready = b.step("ready", Work::Milestone).expect("step");
    b.after(ready, fleet).expect("after");
    for &t in &restores {
        b.after(ready, t).expect("after");
    }
    let dns = delay(&mut b, "dns", 30.0, 60.0, 120.0);
    b.after(dns, ready).expect("after");
    b.build().expect("build")
}

const PARAMS: [f64; 3] = [1.25e8, 1.1, 0.1];

/// Every step's (start, finish) as bits, and the makespan's bits.
fn trace(engine: &Engine, rb: &Runbook, makespan: f64) -> (u64, Vec<(u64, u64)>) {
    (
        makespan.to_bits(),
        rb.step_ids()
            .map(|s| (engine.start(s).to_bits(), engine.finish(s).to_bits()))
            .collect(),
    )
}

fn fresh_trace(rb: &Runbook, seed: u64, trial: u64) -> (u64, Vec<(u64, u64)>) {
    let mut engine = Engine::new();
    let makespan = engine.run(rb, &PARAMS, &mut stream_rng(seed, trial, 0));
    trace(&engine, rb, makespan)
}

#[test]
fn same_seed_same_bits() {
    let rb = mixed_runbook(0);
    let mut makespans = Vec::new();
    for trial in 0..200 {
        let first = fresh_trace(&rb, 99, trial);
        assert_eq!(first, fresh_trace(&rb, 99, trial), "trial {trial}");
        assert!(f64::from_bits(first.0).is_finite());
        makespans.push(first.0);
    }
    // And the runs do differ from stream to stream.
    makespans.sort_unstable();
    makespans.dedup();
    assert!(
        makespans.len() > 190,
        "only {} distinct makespans",
        makespans.len()
    );
}

#[test]
fn a_reused_engine_matches_a_fresh_one() {
    let small = mixed_runbook(0);
    let large = mixed_runbook(3);
    let mut engine = Engine::new();
    for trial in 0..100 {
        // Alternate runbooks of different sizes (and in a different order each time).
        let order: [&Runbook; 3] = if trial % 2 == 0 {
            [&small, &large, &small]
        } else {
            [&large, &small, &large]
        };
        for rb in order {
            let makespan = engine.run(rb, &PARAMS, &mut stream_rng(5, trial, 0));
            assert_eq!(
                trace(&engine, rb, makespan),
                fresh_trace(rb, 5, trial),
                "trial {trial}"
            );
        }
    }
}

#[test]
fn critical_path_of_a_mixed_runbook_sums_to_the_makespan() {
    let rb = mixed_runbook(1);
    let mut engine = Engine::new();
    let mut path = Vec::new();
    for trial in 0..200 {
        let makespan = engine.run(&rb, &PARAMS, &mut stream_rng(8, trial, 0));
        engine.critical_path(&mut path);
        check_critical_path(&engine, &rb, makespan, &path);
    }
}

/// The path starts at a root, each step depends on the one before, it ends at a step finishing at
/// the makespan, each contribution is finish − ready, and they sum to the makespan.
fn check_critical_path(engine: &Engine, rb: &Runbook, makespan: f64, path: &[(StepId, f64)]) {
    let Some(&(first, _)) = path.first() else {
        assert!(rb.is_empty());
        return;
    };
    assert!(
        rb.dependencies(first).is_empty(),
        "path starts at a non-root"
    );
    for pair in path.windows(2) {
        assert!(
            rb.dependencies(pair[1].0).contains(&pair[0].0),
            "path is not a dependency chain"
        );
    }
    let (last, _) = path[path.len() - 1];
    assert_eq!(engine.finish(last), makespan);
    for &(s, c) in path {
        assert_eq!(c, engine.finish(s) - engine.ready(s));
    }
    let total: f64 = path.iter().map(|&(_, c)| c).sum();
    assert!(
        (total - makespan).abs() <= 1e-9 * makespan.max(1.0),
        "sum {total} vs makespan {makespan}"
    );
}

/// One step of a random runbook: (work kind, a size in 0..20, a bit mask of earlier steps it
/// depends on, a pool choice).
type StepPlan = (u8, u32, u32, u8);

fn build_random(plan: &[StepPlan], fixed_delays_only: bool) -> Runbook {
    let mut b = RunbookBuilder::new();
    let link = b.link("wan", Param::Fixed(10.0)).expect("link");
    let pools = [
        b.pool("one", 1).expect("pool"),
        b.pool("two", 2).expect("pool"),
    ];
    let launcher = b.launcher("api", 1.0, 2).expect("launcher");
    for (j, &(kind, size, mask, pool)) in plan.iter().enumerate() {
        let size = f64::from(size);
        let kind = if fixed_delays_only { 0 } else { kind };
        let work = match kind {
            0 => Work::Delay {
                duration: Dist::fixed(size).expect("dist"),
                scale: Param::Fixed(1.0),
            },
            1 => Work::Delay {
                duration: Dist::exponential(size + 1.0).expect("dist"),
                scale: Param::Fixed(1.0),
            },
            2 => Work::Transfer {
                size: Dist::uniform(0.0, 10.0 * size).expect("dist"),
                link,
                cap: (size > 10.0).then(|| Dist::fixed(size / 4.0).expect("dist")),
            },
            3 => Work::Fleet(FleetSpec {
                count: 3,
                needed: (size as u32) % 4,
                launcher,
                phases: vec![Dist::exponential(size + 1.0).expect("dist")],
                scale: Param::Fixed(1.0),
                failure: Param::Fixed(0.2),
                retry_delay: Dist::fixed(1.0).expect("dist"),
            }),
            _ => Work::Milestone,
        };
        let s = b.step(&format!("s{j}"), work).expect("step");
        for d in 0..j {
            if mask & (1 << d) != 0 {
                b.after(s, StepId(d as u32)).expect("after");
            }
        }
        if !fixed_delays_only && pool > 0 {
            b.use_pool(s, pools[usize::from(pool) - 1])
                .expect("use_pool");
        }
    }
    b.build().expect("build")
}

fn plans() -> impl Strategy<Value = Vec<StepPlan>> {
    proptest::collection::vec((0u8..5, 0u32..20, any::<u32>(), 0u8..3), 1..14)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Constant delays, no resources: the makespan is the longest path, computed here directly.
    #[test]
    fn constant_makespan_is_the_longest_path(plan in plans()) {
        let rb = build_random(&plan, true);
        let mut engine = Engine::new();
        let makespan = engine.run(&rb, &[], &mut stream_rng(0, 0, 0));
        let mut finish = vec![0.0f64; plan.len()];
        for (j, &(_, size, _, _)) in plan.iter().enumerate() {
            let ready = rb.dependencies(StepId(j as u32)).iter().map(|d| finish[d.0 as usize]).fold(0.0, f64::max);
            finish[j] = ready + f64::from(size);
        }
        prop_assert_eq!(makespan, finish.iter().copied().fold(0.0, f64::max));
        let mut path = Vec::new();
        engine.critical_path(&mut path);
        check_critical_path(&engine, &rb, makespan, &path);
    }

    /// Random works and pools: dependencies are respected, pools never hold more than their
    /// slots, the critical path is consistent, and a rerun gives the same bits.
    #[test]
    fn random_runbooks_keep_the_invariants(plan in plans(), seed in any::<u64>()) {
        let rb = build_random(&plan, false);
        let mut engine = Engine::new();
        let makespan = engine.run(&rb, &[], &mut stream_rng(seed, 0, 0));
        prop_assert!(makespan.is_finite());
        let mut latest = 0.0f64;
        for s in rb.step_ids() {
            let ready = rb.dependencies(s).iter().map(|&d| engine.finish(d)).fold(0.0, f64::max);
            prop_assert_eq!(engine.ready(s), ready);
            prop_assert!(engine.start(s) >= ready && engine.finish(s) >= engine.start(s));
            latest = latest.max(engine.finish(s));
        }
        prop_assert_eq!(makespan, latest);

        for (pool, slots) in [(1u8, 1usize), (2, 2)] {
            let held: Vec<(f64, f64)> = rb
                .step_ids()
                .filter(|s| plan[s.0 as usize].3 == pool)
                .map(|s| (engine.start(s), engine.finish(s)))
                .filter(|(start, finish)| finish > start)
                .collect();
            for &(t, _) in &held {
                let busy = held.iter().filter(|&&(start, finish)| start <= t && t < finish).count();
                prop_assert!(busy <= slots, "pool {} holds {} > {} at {}", pool, busy, slots, t);
            }
        }

        let mut path = Vec::new();
        engine.critical_path(&mut path);
        check_critical_path(&engine, &rb, makespan, &path);

        let again = Engine::new().run(&rb, &[], &mut stream_rng(seed, 0, 0));
        prop_assert_eq!(again.to_bits(), makespan.to_bits());
    }
}
