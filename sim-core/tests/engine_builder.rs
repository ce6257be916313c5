//! The runbook builder refuses what cannot run, with messages that say what is wrong and how to
//! fix it, and the built runbook describes itself.

use sim_core::dist::Dist;
use sim_core::engine::{
    FleetSpec, LauncherId, LinkId, Param, ParamId, PoolId, RunbookBuilder, RunbookError, StepId,
    Work,
};

fn fixed(v: f64) -> Dist {
    Dist::fixed(v).expect("a valid constant")
}

fn delay() -> Work {
    Work::Delay {
        duration: fixed(1.0),
        scale: Param::Fixed(1.0),
    }
}

fn fleet(launcher: LauncherId, count: u32, needed: u32) -> FleetSpec {
    FleetSpec {
        count,
        needed,
        launcher,
        phases: vec![fixed(1.0)],
        scale: Param::Fixed(1.0),
        failure: Param::Fixed(0.0),
        retry_delay: fixed(1.0),
    }
}

#[test]
fn duplicate_step_name() {
    let mut b = RunbookBuilder::new();
    b.step("restore", delay()).expect("first");
    let err = b.step("restore", Work::Milestone).expect_err("duplicate");
    assert_eq!(
        err,
        RunbookError::DuplicateStep {
            name: "restore".into()
        }
    );
    assert!(
        err.to_string().contains("'restore'") && err.to_string().contains("unique"),
        "{err}"
    );
}

#[test]
fn cycle_is_reported_by_names_in_order() {
    let mut b = RunbookBuilder::new();
    // "d" hangs off the cycle and has the lowest id; it must not appear in the report.
    let d = b.step("d", delay()).expect("step");
    let a = b.step("a", delay()).expect("step");
    let bb = b.step("b", delay()).expect("step");
    let c = b.step("c", delay()).expect("step");
    let root = b.step("root", delay()).expect("step");
    b.after(a, root).expect("after");
    b.after(bb, a).expect("after");
    b.after(c, bb).expect("after");
    b.after(a, c).expect("after");
    b.after(d, c).expect("after");
    let err = b.build().expect_err("cycle");
    assert_eq!(
        err,
        RunbookError::Cycle {
            steps: vec!["a".into(), "b".into(), "c".into()]
        }
    );
    let message = err.to_string();
    assert!(message.contains("a -> b -> c -> a"), "{message}");
    assert!(
        message.contains("remove one of these dependencies"),
        "{message}"
    );
}

#[test]
fn self_dependency_is_a_cycle() {
    let mut b = RunbookBuilder::new();
    let s = b.step("loop", delay()).expect("step");
    b.after(s, s).expect("after");
    let err = b.build().expect_err("cycle");
    assert!(err.to_string().contains("loop -> loop"), "{err}");
}

#[test]
fn pool_needs_a_slot() {
    let err = RunbookBuilder::new().pool("ops", 0).expect_err("0 slots");
    assert!(matches!(err, RunbookError::InvalidResource { .. }));
    assert!(
        err.to_string().contains("'ops' has 0 slots") && err.to_string().contains("at least 1"),
        "{err}"
    );
}

#[test]
fn fleet_cannot_need_more_than_it_launches() {
    let mut b = RunbookBuilder::new();
    let launcher = b.launcher("api", 1.0, 1).expect("launcher");
    let err = b
        .step("web", Work::Fleet(fleet(launcher, 3, 4)))
        .expect_err("needed > count");
    assert!(matches!(err, RunbookError::InvalidResource { .. }));
    let message = err.to_string();
    assert!(
        message.contains("'web' needs 4")
            && message.contains("only 3")
            && message.contains("needed ≤ count"),
        "{message}"
    );
}

#[test]
fn launcher_needs_a_positive_rate_and_burst() {
    let mut b = RunbookBuilder::new();
    for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = b.launcher("api", rate, 1).expect_err("bad rate");
        assert!(
            err.to_string().contains("rate must be a finite number > 0"),
            "{err}"
        );
    }
    let err = b.launcher("api", 1.0, 0).expect_err("burst 0");
    assert!(
        err.to_string().contains("burst must be at least 1"),
        "{err}"
    );
}

#[test]
fn link_needs_a_positive_fixed_capacity() {
    let mut b = RunbookBuilder::new();
    for capacity in [0.0, -5.0, f64::NAN, f64::INFINITY] {
        let err = b
            .link("wan", Param::Fixed(capacity))
            .expect_err("bad capacity");
        assert!(matches!(err, RunbookError::InvalidResource { .. }));
        assert!(err.to_string().contains("finite number > 0"), "{err}");
    }
    // A per-trial capacity is only known at run time.
    b.link("wan", Param::Trial(ParamId(0)))
        .expect("per-trial capacity");
}

#[test]
fn resource_names_are_unique_per_kind() {
    let mut b = RunbookBuilder::new();
    b.pool("x", 1).expect("pool");
    let err = b.pool("x", 2).expect_err("duplicate pool");
    assert_eq!(
        err,
        RunbookError::DuplicateResource {
            kind: "pool",
            name: "x".into()
        }
    );
    // Different kinds may share a name.
    b.link("x", Param::Fixed(1.0)).expect("link");
    b.launcher("x", 1.0, 1).expect("launcher");
    assert!(b.link("x", Param::Fixed(2.0)).is_err());
    assert!(b.launcher("x", 2.0, 1).is_err());
}

#[test]
fn unknown_ids_are_refused() {
    let mut b = RunbookBuilder::new();
    let s = b.step("s", delay()).expect("step");
    let err = b.after(s, StepId(7)).expect_err("unknown dependency");
    assert_eq!(
        err,
        RunbookError::UnknownDependency {
            step: "s".into(),
            dependency: "step #7".into()
        }
    );
    assert_eq!(
        b.after(StepId(3), s),
        Err(RunbookError::UnknownStep { id: 3 })
    );
    assert_eq!(
        b.use_pool(StepId(3), PoolId(0)),
        Err(RunbookError::UnknownStep { id: 3 })
    );
    let err = b.use_pool(s, PoolId(0)).expect_err("unknown pool");
    assert!(
        err.to_string().contains("pool #0, which does not exist"),
        "{err}"
    );
    let err = b
        .step(
            "t",
            Work::Transfer {
                size: fixed(1.0),
                link: LinkId(2),
                cap: None,
            },
        )
        .expect_err("unknown link");
    assert!(
        err.to_string().contains("link #2, which does not exist"),
        "{err}"
    );
    let err = b
        .step("f", Work::Fleet(fleet(LauncherId(0), 1, 1)))
        .expect_err("unknown launcher");
    assert!(
        err.to_string()
            .contains("launcher #0, which does not exist"),
        "{err}"
    );
}

#[test]
fn fixed_params_are_checked() {
    let mut b = RunbookBuilder::new();
    let err = b
        .step(
            "d",
            Work::Delay {
                duration: fixed(1.0),
                scale: Param::Fixed(-2.0),
            },
        )
        .expect_err("negative scale");
    assert!(matches!(err, RunbookError::InvalidParam { .. }));
    assert!(err.to_string().contains("finite number ≥ 0"), "{err}");
    let launcher = b.launcher("api", 1.0, 1).expect("launcher");
    let mut spec = fleet(launcher, 1, 1);
    spec.failure = Param::Fixed(1.5);
    let err = b.step("f", Work::Fleet(spec)).expect_err("failure > 1");
    assert!(
        err.to_string()
            .contains("failure probability must be in [0, 1]"),
        "{err}"
    );
}

#[test]
fn a_pool_is_used_at_most_once_per_step() {
    let mut b = RunbookBuilder::new();
    let pool = b.pool("ops", 1).expect("pool");
    let s = b.step("s", delay()).expect("step");
    b.use_pool(s, pool).expect("first use");
    let err = b.use_pool(s, pool).expect_err("second use");
    assert!(err.to_string().contains("uses pool 'ops' twice"), "{err}");
}

#[test]
fn runbook_describes_itself() {
    let mut b = RunbookBuilder::new();
    let link = b.link("wan", Param::Trial(ParamId(4))).expect("link");
    let launcher = b.launcher("api", 1.0, 1).expect("launcher");
    let a = b.step("a", delay()).expect("step");
    let t = b
        .step(
            "t",
            Work::Transfer {
                size: fixed(1.0),
                link,
                cap: None,
            },
        )
        .expect("step");
    let mut spec = fleet(launcher, 2, 1);
    spec.failure = Param::Trial(ParamId(1));
    let f = b.step("f", Work::Fleet(spec)).expect("step");
    b.after(f, t).expect("after");
    b.after(f, a).expect("after");
    b.after(f, a).expect("a repeated dependency counts once");
    let rb = b.build().expect("build");
    assert_eq!(rb.len(), 3);
    assert!(!rb.is_empty());
    assert_eq!(rb.step_ids().collect::<Vec<_>>(), [a, t, f]);
    assert_eq!(rb.step_name(t), "t");
    assert_eq!(rb.dependencies(f), [t, a]);
    assert!(rb.dependencies(a).is_empty());
    assert!(matches!(rb.work(t), Work::Transfer { .. }));
    // The link capacity reads params[4].
    assert_eq!(rb.param_count(), 5);
    assert_eq!(
        RunbookBuilder::default()
            .build()
            .expect("empty")
            .param_count(),
        0
    );
}

#[test]
fn runbook_is_send_sync_clone() {
    fn check<T: Send + Sync + Clone>() {}
    check::<sim_core::engine::Runbook>();
    fn check_send<T: Send>() {}
    check_send::<sim_core::engine::Engine>();
}
