//! Replication lag as an M/M/1 queue, checked against its closed forms.
//!
//! Bursts arrive as a Poisson process of rate λ with exponential sizes of mean s and drain FIFO
//! through a server of constant capacity B, so service times are exponential with rate μ = B/s
//! and the load is ρ = λ/μ. Seen at a random instant of the stationary (ρ < 1) queue:
//!
//! - the number of bursts present is geometric: P(N = n) = (1 − ρ)ρⁿ, so P(N > 0) = ρ,
//!   E[N] = ρ/(1 − ρ) and Var[N] = ρ/(1 − ρ)²;
//! - the age A of the oldest unfinished burst satisfies A > x ⇔ the work present at t − x has not
//!   drained by t ⇔ V(t − x) > x (FIFO, work-conserving server). The workload V at a random
//!   instant has P(V > x) = ρ·e^{−(μ−λ)x}, hence P(A > x) = ρ·e^{−(μ−λ)x} and
//!   E[A] = ρ/(μ − λ), E[A²] = 2ρ/(μ − λ)².
//!
//! Run i draws from `stream_rng(SEED, i, 1)`. Every tolerance is 4 standard errors of the
//! estimate, computed from the closed-form variance of one observation (a false failure has
//! probability ≈ 6e−5 per check, and the seed is fixed anyway).

use sim_core::queue::{QueueState, state_at_random_instant};
use sim_core::rng::stream_rng;

const SEED: u64 = 0x004D_4D31;

/// Tolerance, in standard errors.
const K_SE: f64 = 4.0;

/// `runs` independent states of the queue, run i on stream (SEED, i, 1), split over two
/// threads (the machine has two cores; debug builds are slow).
fn states(
    runs: u64,
    arrival_rate: f64,
    mean_size: f64,
    capacity: f64,
    max_window: f64,
) -> Vec<QueueState> {
    let half = runs / 2;
    let one = |from: u64, to: u64| -> Vec<QueueState> {
        (from..to)
            .map(|i| {
                let mut rng = stream_rng(SEED, i, 1);
                state_at_random_instant(&mut rng, arrival_rate, mean_size, capacity, max_window)
            })
            .collect()
    };
    std::thread::scope(|scope| {
        let first = scope.spawn(|| one(0, half));
        let mut second = one(half, runs);
        let mut all = first.join().expect("worker thread");
        all.append(&mut second);
        all
    })
}

fn check(what: &str, measured: f64, expected: f64, std_error: f64) {
    let tolerance = K_SE * std_error;
    println!("{what}: measured {measured:.5}, expected {expected:.5}, tolerance ±{tolerance:.5}");
    assert!(
        (measured - expected).abs() <= tolerance,
        "{what}: measured {measured}, expected {expected} ± {tolerance} ({K_SE} standard errors)"
    );
}

/// Checks every stationary closed form at load ρ, with the burst size in bytes and the capacity
/// in bytes/s as drsim passes them (μ = 156.25 bursts/s). `decay_times`: the history simulated,
/// in busy-period decay times 1/(√μ − √λ)², passed as `max_window` (`None`: no cap, the
/// function's own window of 30 decay times).
fn stationary(rho: f64, runs: u64, decay_times: Option<f64>) {
    let mean_size = 256_000.0;
    let capacity = 40e6;
    let mu = capacity / mean_size;
    let lambda = rho * mu;
    let max_window = decay_times.map_or(f64::INFINITY, |c| c / (mu.sqrt() - lambda.sqrt()).powi(2));
    let states = states(runs, lambda, mean_size, capacity, max_window);
    let n = states.len() as f64;
    assert!(
        states.iter().all(|s| !s.unstable),
        "ρ = {rho} < 1 must be stable"
    );
    assert!(
        states
            .iter()
            .all(|s| s.oldest_age >= 0.0 && s.oldest_age.is_finite())
    );
    // An empty queue has no oldest burst, and a non-empty one has a positive age.
    assert!(
        states
            .iter()
            .all(|s| (s.backlog == 0) == (s.oldest_age == 0.0))
    );

    // P(busy) = ρ: a proportion, standard error sqrt(ρ(1 − ρ)/n).
    let busy = states.iter().filter(|s| s.oldest_age > 0.0).count() as f64 / n;
    check(
        &format!("ρ={rho} P(oldest_age > 0)"),
        busy,
        rho,
        (rho * (1.0 - rho) / n).sqrt(),
    );

    // E[N] = ρ/(1 − ρ), Var[N] = ρ/(1 − ρ)² (geometric).
    let mean_backlog = states.iter().map(|s| f64::from(s.backlog)).sum::<f64>() / n;
    check(
        &format!("ρ={rho} E[backlog]"),
        mean_backlog,
        rho / (1.0 - rho),
        (rho / (1.0 - rho).powi(2) / n).sqrt(),
    );

    // P(A > x) = ρ e^{−(μ−λ)x}, at x = 0.5, 1 and 2 mean busy-period decay times 1/(μ − λ).
    let gap = mu - lambda;
    for multiple in [0.5, 1.0, 2.0] {
        let x = multiple / gap;
        let p = rho * (-gap * x).exp();
        let measured = states.iter().filter(|s| s.oldest_age > x).count() as f64 / n;
        check(
            &format!("ρ={rho} P(A > {multiple}/(μ−λ))"),
            measured,
            p,
            (p * (1.0 - p) / n).sqrt(),
        );
    }

    // E[A] = ρ/(μ − λ); Var[A] = E[A²] − E[A]² = (2ρ − ρ²)/(μ − λ)².
    let mean_age = states.iter().map(|s| s.oldest_age).sum::<f64>() / n;
    let var_age = (2.0 * rho - rho * rho) / (gap * gap);
    check(
        &format!("ρ={rho} E[A] (s)"),
        mean_age,
        rho / gap,
        (var_age / n).sqrt(),
    );
}

#[test]
fn light_load_matches_mm1() {
    // The function's own window (≈ 175 arrivals per run at ρ = 0.5).
    stationary(0.5, 120_000, None);
}

#[test]
fn heavy_load_matches_mm1() {
    // At ρ = 0.8 the function's own window of 30 decay times holds ≈ 30ρ/(1 − √ρ)² ≈ 2,150
    // arrivals per run, too slow for a debug build; cap the history at 10 decay times (≈ 720
    // arrivals). Starting empty 10 decay times back changes the state at the instant only if the
    // stationary queue stayed busy over that whole window (coupling: the two queues meet when the
    // stationary one first empties), probability ≲ ρ·e^{−10} ≈ 4e−5, far below the tolerances.
    stationary(0.8, 40_000, Some(10.0));
}

#[test]
fn a_short_window_biases_the_lag_low_as_lag_bias_says() {
    // ρ = 0.9 with 10 MB bursts on 1 MB/s (μ = 0.1/s, λ = 0.09/s): 30 decay times are 31.7 h,
    // a window of 1 h cuts the warm-up. The simulated mean lag over 1 h from empty must be the
    // stationary ρ/(μ − λ) = 90 s less the bias `lag_bias` computes from the transient (7.3 %),
    // within Monte Carlo error (the standard deviation of A_W is at most the stationary one).
    let (lambda, mu) = (0.09, 0.1);
    let window = 3600.0;
    let bias = sim_core::queue::lag_bias(lambda, mu, window).expect("stable");
    let runs = 40_000;
    let states = states(runs, lambda, 10e6, 1e6, window);
    let n = states.len() as f64;
    let mean_age = states.iter().map(|s| s.oldest_age).sum::<f64>() / n;
    let (rho, gap) = (lambda / mu, mu - lambda);
    let stationary = rho / gap;
    let sd = ((2.0 * rho - rho * rho) / (gap * gap)).sqrt();
    check(
        "ρ=0.9, W=1h: E[A_W] (s)",
        mean_age,
        stationary * (1.0 - bias.mean),
        sd / n.sqrt(),
    );
    // And it is not the stationary mean: the bias is many standard errors wide.
    assert!(stationary - mean_age > 8.0 * sd / n.sqrt());
}

#[test]
fn overload_is_unstable_and_grows_with_the_window() {
    // ρ = 1.25: the backlog grows at λ − μ bursts per second over the whole window.
    let (mean_size, capacity) = (1.0, 1.0);
    let (lambda, mu) = (1.25, 1.0);
    let mean_backlog = |window: f64| {
        let states = states(2_000, lambda, mean_size, capacity, window);
        assert!(
            states.iter().all(|s| s.unstable),
            "λ ≥ μ must be flagged unstable"
        );
        let n = states.len() as f64;
        let backlog = states.iter().map(|s| f64::from(s.backlog)).sum::<f64>() / n;
        let age = states.iter().map(|s| s.oldest_age).sum::<f64>() / n;
        (backlog, age)
    };
    let (short, short_age) = mean_backlog(100.0);
    let (long, long_age) = mean_backlog(400.0);
    println!(
        "overload: mean backlog {short:.1} over 100 s, {long:.1} over 400 s; mean age {short_age:.1} s, {long_age:.1} s"
    );
    // Fluid limit: backlog ≈ (λ − μ)·window (25 and 100), a little more from fluctuations.
    assert!(
        short > 0.8 * (lambda - mu) * 100.0,
        "backlog over 100 s: {short}"
    );
    assert!(
        long > 0.8 * (lambda - mu) * 400.0,
        "backlog over 400 s: {long}"
    );
    assert!(
        long > 3.0 * short,
        "the backlog must grow with the window: {short} then {long}"
    );
    // The oldest unfinished burst arrived ≈ (1 − μ/λ)·window ago at most the window.
    assert!(
        long_age > 2.5 * short_age && long_age <= 400.0,
        "ages {short_age}, {long_age}"
    );

    // Exactly at capacity (ρ = 1) it is unstable too, and no load can be served with no capacity.
    let at_capacity = states(200, 1.0, 1.0, 1.0, 100.0);
    assert!(at_capacity.iter().all(|s| s.unstable));
    let mut rng = stream_rng(SEED, 0, 1);
    let none = state_at_random_instant(&mut rng, 1.0, 1.0, 0.0, 100.0);
    assert!(none.unstable);
    assert_eq!(none.oldest_age, 100.0);
}

#[test]
fn zero_arrival_rate_is_an_empty_queue() {
    for i in 0..100 {
        let mut rng = stream_rng(SEED, i, 1);
        let state = state_at_random_instant(&mut rng, 0.0, 256_000.0, 40e6, 3600.0);
        assert_eq!(
            state,
            QueueState {
                oldest_age: 0.0,
                backlog: 0,
                unstable: false
            }
        );
    }
}

/// A long overload is taken at its fluid limit: the oldest unfinished burst is
/// `window · (1 − μ/λ)` old. Just below the switch (19,000 expected arrivals, simulated burst by
/// burst) the simulated mean age agrees with that limit within 1 %, so the two regimes join.
#[test]
fn long_overload_matches_its_fluid_limit() {
    let (lambda, mean_size) = (10.0, 1.0);
    let capacity = 5.0; // μ = 5, ρ = 2
    let fluid_age = |window: f64| window * (1.0 - capacity / (lambda * mean_size));
    let simulated_window = 1_900.0;
    let runs = 200;
    let mean_age = (0..runs)
        .map(|i| {
            let mut rng = stream_rng(SEED, i, 1);
            state_at_random_instant(&mut rng, lambda, mean_size, capacity, simulated_window)
                .oldest_age
        })
        .sum::<f64>()
        / runs as f64;
    assert!(
        (mean_age / fluid_age(simulated_window) - 1.0).abs() < 0.01,
        "simulated {mean_age}, fluid {}",
        fluid_age(simulated_window)
    );
    let mut rng = stream_rng(SEED, 0, 1);
    let long = state_at_random_instant(&mut rng, lambda, mean_size, capacity, 3_600.0);
    assert!(long.unstable);
    assert_eq!(long.oldest_age, fluid_age(3_600.0));
    assert_eq!(long.backlog, 18_000);
}
