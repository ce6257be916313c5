//! Engine runs whose answers can be computed by hand: constant durations, shared links, pools,
//! launchers and per-trial parameters.

use rand::Rng;
use sim_core::dist::Dist;
use sim_core::engine::{
    Engine, FleetSpec, LauncherId, Param, ParamId, Runbook, RunbookBuilder, StepId, Work,
};
use sim_core::rng::stream_rng;

fn fixed(v: f64) -> Dist {
    Dist::fixed(v).expect("a valid constant")
}

fn delay(b: &mut RunbookBuilder, name: &str, seconds: f64) -> StepId {
    b.step(
        name,
        Work::Delay {
            duration: fixed(seconds),
            scale: Param::Fixed(1.0),
        },
    )
    .expect("a valid delay step")
}

fn run_once(rb: &Runbook, params: &[f64]) -> (Engine, f64) {
    let mut engine = Engine::new();
    let makespan = engine.run(rb, params, &mut stream_rng(7, 0, 0));
    (engine, makespan)
}

fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{what}: got {actual}, expected {expected}"
    );
}

/// A diamond (a → {b, c} → d) followed by a chain (d → e → f), next to an independent chain
/// (g → h). Constant durations: the makespan is the longest path a-b-d-e-f = 3+5+4+1+2 = 15,
/// exactly, and the critical path lists those steps with their durations as contributions.
#[test]
fn constant_dag_makespan_is_the_longest_path() {
    let mut b = RunbookBuilder::new();
    let a = delay(&mut b, "a", 3.0);
    let bb = delay(&mut b, "b", 5.0);
    let c = delay(&mut b, "c", 2.0);
    let d = delay(&mut b, "d", 4.0);
    let e = delay(&mut b, "e", 1.0);
    let f = delay(&mut b, "f", 2.0);
    let g = delay(&mut b, "g", 6.0);
    let h = delay(&mut b, "h", 4.0);
    let join = b.step("join", Work::Milestone).expect("step");
    b.after(bb, a).expect("after");
    b.after(c, a).expect("after");
    b.after(d, bb).expect("after");
    b.after(d, c).expect("after");
    b.after(e, d).expect("after");
    b.after(f, e).expect("after");
    b.after(h, g).expect("after");
    b.after(join, f).expect("after");
    b.after(join, h).expect("after");
    let rb = b.build().expect("build");

    let (engine, makespan) = run_once(&rb, &[]);
    assert_eq!(makespan, 15.0);
    assert_eq!(engine.start(d), 8.0);
    assert_eq!(engine.ready(d), 8.0);
    assert_eq!(engine.finish(h), 10.0);
    assert_eq!(engine.start(join), 15.0);
    assert_eq!(engine.finish(join), 15.0);

    let mut path = Vec::new();
    engine.critical_path(&mut path);
    // The milestone finishes at 15 like f; the walk starts from the lower id (f).
    assert_eq!(
        path,
        vec![(a, 3.0), (bb, 5.0), (d, 4.0), (e, 1.0), (f, 2.0)]
    );
    let total: f64 = path.iter().map(|&(_, c)| c).sum();
    assert_eq!(total, makespan);

    // The path to an earlier step: h finished at 10 after g (6) and its own 4.
    engine.critical_path_to(h, &mut path);
    assert_eq!(path, vec![(g, 6.0), (h, 4.0)]);
    engine.critical_path_to(StepId(99), &mut path);
    assert!(path.is_empty());
}

/// When two dependencies finish at the same time the walk takes the lower StepId, and a step that
/// finishes last together with another is chosen by the lower StepId too.
#[test]
fn critical_path_ties_go_to_the_lowest_id() {
    let mut b = RunbookBuilder::new();
    let late = delay(&mut b, "late", 1.0);
    let x = delay(&mut b, "x", 5.0);
    let y = delay(&mut b, "y", 5.0);
    let z = delay(&mut b, "z", 2.0);
    let other = delay(&mut b, "other", 7.0);
    b.after(z, y).expect("after");
    b.after(z, x).expect("after");
    b.after(late, other).expect("after");
    let rb = b.build().expect("build");
    let (engine, makespan) = run_once(&rb, &[]);
    assert_eq!(makespan, 8.0);
    let mut path = Vec::new();
    engine.critical_path(&mut path);
    // "late" (id 0) and "z" both finish at 8 → "late"; it waited for "other".
    assert_eq!(path, vec![(other, 7.0), (late, 1.0)]);

    // Without "other", z is last; its dependencies x and y tie at 5 → x (declared second).
    let mut b = RunbookBuilder::new();
    let x = delay(&mut b, "x", 5.0);
    let y = delay(&mut b, "y", 5.0);
    let z = delay(&mut b, "z", 2.0);
    b.after(z, y).expect("after");
    b.after(z, x).expect("after");
    let rb = b.build().expect("build");
    let (engine, _) = run_once(&rb, &[]);
    engine.critical_path(&mut path);
    assert_eq!(path, vec![(x, 5.0), (z, 2.0)]);
    let _ = y;
}

/// Link 100 units/s. A (1000 units) starts at 0; B (500 units) starts at 2 after a 2 s delay.
/// A alone until 2 moves 200; then each gets 50/s, so B's 500 take 10 s (finishes at 12) while A
/// moves another 500; A's last 300 then go at 100/s: A finishes at 15.
#[test]
fn two_transfers_share_a_link() {
    let mut b = RunbookBuilder::new();
    let link = b.link("wan", Param::Fixed(100.0)).expect("link");
    let ta = b
        .step(
            "A",
            Work::Transfer {
                size: fixed(1000.0),
                link,
                cap: None,
            },
        )
        .expect("step");
    let wait = delay(&mut b, "wait", 2.0);
    let tb = b
        .step(
            "B",
            Work::Transfer {
                size: fixed(500.0),
                link,
                cap: None,
            },
        )
        .expect("step");
    b.after(tb, wait).expect("after");
    let rb = b.build().expect("build");
    let (engine, makespan) = run_once(&rb, &[]);
    assert_close(engine.start(tb), 2.0, "B start");
    assert_close(engine.finish(tb), 12.0, "B finish");
    assert_close(engine.finish(ta), 15.0, "A finish");
    assert_close(makespan, 15.0, "makespan");
}

/// A capped at 30/s and B uncapped on a 100/s link: A gets its cap and B the other 70/s.
/// A = 600, B = 700: B finishes at 10 while A has moved 300; A, still capped, needs 10 s more.
#[test]
fn a_capped_transfer_leaves_the_rest_to_the_others() {
    let mut b = RunbookBuilder::new();
    let link = b.link("wan", Param::Fixed(100.0)).expect("link");
    let ta = b
        .step(
            "A",
            Work::Transfer {
                size: fixed(600.0),
                link,
                cap: Some(fixed(30.0)),
            },
        )
        .expect("step");
    let tb = b
        .step(
            "B",
            Work::Transfer {
                size: fixed(700.0),
                link,
                cap: None,
            },
        )
        .expect("step");
    let rb = b.build().expect("build");
    let (engine, makespan) = run_once(&rb, &[]);
    assert_close(engine.finish(tb), 10.0, "B finish");
    assert_close(engine.finish(ta), 20.0, "A finish");
    assert_close(makespan, 20.0, "makespan");
}

/// A (300 at cap 30) and B (700 uncapped, so 70/s) both need exactly 10 s: both finish at 10,
/// and a step after both starts at 10.
#[test]
fn simultaneous_transfer_completions_both_finish() {
    let mut b = RunbookBuilder::new();
    let link = b.link("wan", Param::Fixed(100.0)).expect("link");
    let ta = b
        .step(
            "A",
            Work::Transfer {
                size: fixed(300.0),
                link,
                cap: Some(fixed(30.0)),
            },
        )
        .expect("step");
    let tb = b
        .step(
            "B",
            Work::Transfer {
                size: fixed(700.0),
                link,
                cap: None,
            },
        )
        .expect("step");
    let after = delay(&mut b, "after", 1.0);
    b.after(after, ta).expect("after");
    b.after(after, tb).expect("after");
    let rb = b.build().expect("build");
    let (engine, makespan) = run_once(&rb, &[]);
    assert_close(engine.finish(ta), 10.0, "A finish");
    assert_close(engine.finish(tb), 10.0, "B finish");
    assert_close(makespan, 11.0, "makespan");

    // Two equal uncapped transfers started together end together: 2·400 units at 80/s = 10 s.
    let mut b = RunbookBuilder::new();
    let link = b.link("wan", Param::Fixed(80.0)).expect("link");
    let t1 = b
        .step(
            "t1",
            Work::Transfer {
                size: fixed(400.0),
                link,
                cap: None,
            },
        )
        .expect("step");
    let t2 = b
        .step(
            "t2",
            Work::Transfer {
                size: fixed(400.0),
                link,
                cap: None,
            },
        )
        .expect("step");
    let rb = b.build().expect("build");
    let (engine, _) = run_once(&rb, &[]);
    assert_eq!(engine.finish(t1), 10.0);
    assert_eq!(engine.finish(t2), 10.0);
}

/// n transfers started together on a link of capacity C, sizes s(1) ≤ … ≤ s(n): under processor
/// sharing the k-th smallest finishes at (s(1) + … + s(k−1) + (n−k+1)·s(k)) / C.
#[test]
fn processor_sharing_of_simultaneous_transfers() {
    let sizes = [600.0, 100.0, 1000.0, 300.0];
    let capacity = 50.0;
    let mut b = RunbookBuilder::new();
    let link = b.link("wan", Param::Trial(ParamId(0))).expect("link");
    let ids: Vec<StepId> = sizes
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            b.step(
                &format!("t{i}"),
                Work::Transfer {
                    size: fixed(s),
                    link,
                    cap: None,
                },
            )
            .expect("step")
        })
        .collect();
    let rb = b.build().expect("build");
    assert_eq!(rb.param_count(), 1);
    let (engine, makespan) = run_once(&rb, &[capacity]);

    let mut sorted = sizes;
    sorted.sort_by(f64::total_cmp);
    let n = sizes.len() as f64;
    for (i, &size) in sizes.iter().enumerate() {
        let k = sorted.iter().position(|&s| s == size).expect("present");
        let before: f64 = sorted[..k].iter().sum();
        let expected = (before + (n - k as f64) * size) / capacity;
        assert_close(engine.finish(ids[i]), expected, "finish");
    }
    assert_close(makespan, sizes.iter().sum::<f64>() / capacity, "makespan");
}

/// A transfer of size 0 finishes when it starts and never touches the link.
#[test]
fn empty_transfer_finishes_at_once() {
    let mut b = RunbookBuilder::new();
    let link = b.link("wan", Param::Fixed(1.0)).expect("link");
    let wait = delay(&mut b, "wait", 3.0);
    let t = b
        .step(
            "t",
            Work::Transfer {
                size: fixed(0.0),
                link,
                cap: None,
            },
        )
        .expect("step");
    b.after(t, wait).expect("after");
    let rb = b.build().expect("build");
    let (engine, makespan) = run_once(&rb, &[]);
    assert_eq!(
        (engine.start(t), engine.finish(t), makespan),
        (3.0, 3.0, 3.0)
    );
}

/// A per-trial link capacity of 0 stops the link: the transfer and everything after it finish at
/// infinity, and the critical path still sums to the (infinite) makespan.
#[test]
fn zero_capacity_link_never_finishes() {
    let mut b = RunbookBuilder::new();
    let link = b.link("wan", Param::Trial(ParamId(0))).expect("link");
    let t = b
        .step(
            "t",
            Work::Transfer {
                size: fixed(10.0),
                link,
                cap: None,
            },
        )
        .expect("step");
    let next = delay(&mut b, "next", 1.0);
    let other = delay(&mut b, "other", 4.0);
    b.after(next, t).expect("after");
    let rb = b.build().expect("build");
    let (engine, makespan) = run_once(&rb, &[0.0]);
    assert_eq!(makespan, f64::INFINITY);
    assert_eq!(engine.finish(t), f64::INFINITY);
    assert_eq!(engine.start(next), f64::INFINITY);
    assert_eq!(engine.finish(other), 4.0);
    let mut path = Vec::new();
    engine.critical_path(&mut path);
    // t and next both "finish" at infinity: the tie goes to the lower id, t.
    assert_eq!(path, vec![(t, f64::INFINITY)]);

    // The same runbook with capacity 5: 10 units take 2 s.
    let (_, makespan) = run_once(&rb, &[5.0]);
    assert_eq!(makespan, 4.0);
}

/// Three 10 s steps on a pool of 2 slots: two start at 0, the third takes the first freed slot at
/// 10, so the makespan is 20; its wait counts in its critical-path contribution.
#[test]
fn pool_limits_concurrency() {
    let mut b = RunbookBuilder::new();
    let pool = b.pool("operators", 2).expect("pool");
    let steps: Vec<StepId> = (0..3)
        .map(|i| delay(&mut b, &format!("s{i}"), 10.0))
        .collect();
    for &s in &steps {
        b.use_pool(s, pool).expect("use_pool");
    }
    let rb = b.build().expect("build");
    let (engine, makespan) = run_once(&rb, &[]);
    assert_eq!(makespan, 20.0);
    let starts: Vec<f64> = steps.iter().map(|&s| engine.start(s)).collect();
    assert_eq!(starts, [0.0, 0.0, 10.0]);
    assert_eq!(engine.ready(steps[2]), 0.0);
    let mut path = Vec::new();
    engine.critical_path(&mut path);
    assert_eq!(path, vec![(steps[2], 20.0)]);
}

/// Waiters get a slot in the order they became ready, not in id order: "early" (id 2, ready at 1)
/// goes before "late" (id 1, ready at 2) when the holder frees the slot at 10.
#[test]
fn pool_is_first_come_first_served() {
    let mut b = RunbookBuilder::new();
    let pool = b.pool("one", 1).expect("pool");
    let holder = delay(&mut b, "holder", 10.0);
    let late = delay(&mut b, "late", 1.0);
    let early = delay(&mut b, "early", 1.0);
    let wait2 = delay(&mut b, "wait2", 2.0);
    let wait1 = delay(&mut b, "wait1", 1.0);
    b.after(late, wait2).expect("after");
    b.after(early, wait1).expect("after");
    for s in [holder, late, early] {
        b.use_pool(s, pool).expect("use_pool");
    }
    let rb = b.build().expect("build");
    let (engine, makespan) = run_once(&rb, &[]);
    assert_eq!((engine.start(early), engine.finish(early)), (10.0, 11.0));
    assert_eq!((engine.start(late), engine.finish(late)), (11.0, 12.0));
    assert_eq!(makespan, 12.0);
}

/// A step using two pools holds both: with pools A (1 slot) and B (1 slot), "ab" uses both, "a"
/// uses A and "b" uses B. "ab" (id 0) takes both at 0; the others wait until it finishes.
#[test]
fn a_step_can_hold_several_pools() {
    let mut b = RunbookBuilder::new();
    let pa = b.pool("A", 1).expect("pool");
    let pb = b.pool("B", 1).expect("pool");
    let ab = delay(&mut b, "ab", 5.0);
    let a = delay(&mut b, "a", 1.0);
    let bb = delay(&mut b, "b", 2.0);
    b.use_pool(ab, pb).expect("use_pool");
    b.use_pool(ab, pa).expect("use_pool");
    b.use_pool(a, pa).expect("use_pool");
    b.use_pool(bb, pb).expect("use_pool");
    let rb = b.build().expect("build");
    let (engine, makespan) = run_once(&rb, &[]);
    assert_eq!(engine.start(a), 5.0);
    assert_eq!(engine.start(bb), 5.0);
    assert_eq!(makespan, 7.0);
}

fn fleet(launcher: LauncherId, count: u32, needed: u32, phases: &[f64]) -> Work {
    Work::Fleet(FleetSpec {
        count,
        needed,
        launcher,
        phases: phases.iter().map(|&p| fixed(p)).collect(),
        scale: Param::Fixed(1.0),
        failure: Param::Fixed(0.0),
        retry_delay: fixed(1.0),
    })
}

fn fleet_finish(rate: f64, burst: u32, count: u32, needed: u32) -> f64 {
    let mut b = RunbookBuilder::new();
    let launcher = b.launcher("api", rate, burst).expect("launcher");
    // Phases 2 + 3 = 5 s after each launch slot.
    b.step("fleet", fleet(launcher, count, needed, &[2.0, 3.0]))
        .expect("step");
    let rb = b.build().expect("build");
    run_once(&rb, &[]).1
}

/// Launcher at 2/s: with burst 1 the 10 slots are 0, 0.5, …, 4.5, so the 10th instance is up at
/// 4.5 + 5; with burst 10 all launch at 0 (up at 5); needing 3 of 10 with burst 1 waits for the
/// slot at 1.0, so 1.0 + 5.
#[test]
fn launcher_rate_limits_a_fleet() {
    assert_eq!(fleet_finish(2.0, 1, 10, 10), 4.5 + 5.0);
    assert_eq!(fleet_finish(2.0, 10, 10, 10), 5.0);
    assert_eq!(fleet_finish(2.0, 1, 10, 3), 1.0 + 5.0);
    // Burst 4 then one per 0.5 s: slots 0,0,0,0,0.5,1.0 → the 6th at 1.0.
    assert_eq!(fleet_finish(2.0, 4, 6, 6), 1.0 + 5.0);
}

/// Two fleets share one launcher (2/s, burst 1); the first to start takes the first slots.
#[test]
fn fleets_share_a_launcher_in_request_order() {
    let mut b = RunbookBuilder::new();
    let launcher = b.launcher("api", 2.0, 1).expect("launcher");
    let first = b
        .step("first", fleet(launcher, 4, 4, &[5.0]))
        .expect("step");
    let second = b
        .step("second", fleet(launcher, 4, 4, &[5.0]))
        .expect("step");
    let rb = b.build().expect("build");
    let (engine, makespan) = run_once(&rb, &[]);
    assert_eq!(engine.finish(first), 1.5 + 5.0);
    assert_eq!(engine.finish(second), 3.5 + 5.0);
    assert_eq!(makespan, 8.5);
}

/// A fleet needing no instance finishes at its start without drawing anything.
#[test]
fn fleet_needing_nothing_finishes_at_start() {
    let mut b = RunbookBuilder::new();
    let launcher = b.launcher("api", 1.0, 1).expect("launcher");
    let wait = delay(&mut b, "wait", 2.0);
    let f = b
        .step(
            "fleet",
            Work::Fleet(FleetSpec {
                count: 3,
                needed: 0,
                launcher,
                phases: vec![Dist::exponential(10.0).expect("dist")],
                scale: Param::Fixed(1.0),
                failure: Param::Fixed(0.5),
                retry_delay: Dist::exponential(1.0).expect("dist"),
            }),
        )
        .expect("step");
    b.after(f, wait).expect("after");
    let rb = b.build().expect("build");
    let mut engine = Engine::new();
    let mut rng = stream_rng(3, 0, 0);
    let makespan = engine.run(&rb, &[], &mut rng);
    assert_eq!(
        (engine.start(f), engine.finish(f), makespan),
        (2.0, 2.0, 2.0)
    );
    assert_eq!(
        rng.next_u64(),
        stream_rng(3, 0, 0).next_u64(),
        "no draw was made"
    );
}

/// A per-trial scale multiplies a delay: 10 s × params[2] = 2.5 → 25 s; the params slice must
/// cover ParamId(2), so param_count is 3.
#[test]
fn trial_param_scales_a_delay() {
    let mut b = RunbookBuilder::new();
    let s = b
        .step(
            "slow",
            Work::Delay {
                duration: fixed(10.0),
                scale: Param::Trial(ParamId(2)),
            },
        )
        .expect("step");
    let rb = b.build().expect("build");
    assert_eq!(rb.param_count(), 3);
    let mut engine = Engine::new();
    let mut rng = stream_rng(1, 0, 0);
    assert_eq!(engine.run(&rb, &[9.0, 9.0, 2.5], &mut rng), 25.0);
    assert_eq!(engine.finish(s), 25.0);
    assert_eq!(engine.run(&rb, &[9.0, 9.0, 0.5], &mut rng), 5.0);
    // Negative or NaN per-trial scales count as 0.
    assert_eq!(engine.run(&rb, &[0.0, 0.0, -1.0], &mut rng), 0.0);
    assert_eq!(engine.run(&rb, &[0.0, 0.0, f64::NAN], &mut rng), 0.0);
}

/// A per-trial scale multiplies a fleet's phases.
#[test]
fn trial_param_scales_fleet_phases() {
    let mut b = RunbookBuilder::new();
    let launcher = b.launcher("api", 1.0, 5).expect("launcher");
    let Work::Fleet(mut spec) = fleet(launcher, 2, 2, &[4.0]) else {
        unreachable!()
    };
    spec.scale = Param::Trial(ParamId(0));
    b.step("fleet", Work::Fleet(spec)).expect("step");
    let rb = b.build().expect("build");
    assert_eq!(run_once(&rb, &[1.5]).1, 6.0);
}

#[test]
#[should_panic(expected = "per-trial parameters")]
fn too_few_params_panics() {
    let mut b = RunbookBuilder::new();
    b.step(
        "slow",
        Work::Delay {
            duration: fixed(10.0),
            scale: Param::Trial(ParamId(1)),
        },
    )
    .expect("step");
    let rb = b.build().expect("build");
    Engine::new().run(&rb, &[1.0], &mut stream_rng(1, 0, 0));
}

#[test]
fn empty_runbook_has_zero_makespan() {
    let rb = RunbookBuilder::new().build().expect("build");
    assert!(rb.is_empty());
    let (engine, makespan) = run_once(&rb, &[]);
    assert_eq!(makespan, 0.0);
    let mut path = vec![(StepId(9), 1.0)];
    engine.critical_path(&mut path);
    assert!(path.is_empty());
}
