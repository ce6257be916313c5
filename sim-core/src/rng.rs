//! Random-number streams.
//!
//! Every trial draws from its own stream, derived from `(seed, trial, stream)` only, so a trial's
//! numbers do not depend on which thread runs it or in which order. The generator is named and
//! pinned: [`SimRng`] is Xoshiro256++ from `rand_xoshiro`, seeded through SplitMix64 mixing.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every draw of the simulator.
pub type SimRng = Xoshiro256PlusPlus;

/// One step of SplitMix64 (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream of draws for `(seed, trial, stream)`.
///
/// `stream` separates independent uses within one trial (the disaster draws, each strategy's
/// recovery, …). Distinct triples give statistically independent streams.
///
/// ```
/// use rand::Rng;
/// let mut a = sim_core::rng::stream_rng(42, 7, 0);
/// let mut b = sim_core::rng::stream_rng(42, 7, 0);
/// assert_eq!(a.next_u64(), b.next_u64());
/// ```
pub fn stream_rng(seed: u64, trial: u64, stream: u64) -> SimRng {
    crate::draws::note(crate::draws::DrawKind::Stream);
    let mut state = seed;
    let a = splitmix64(&mut state);
    let mut state = a ^ trial.wrapping_mul(0xD1B5_4A32_D192_ED03);
    let b = splitmix64(&mut state);
    let mut state = b ^ stream.wrapping_mul(0xAEF1_7502_108E_F2D9);
    let mut seed_bytes = [0u8; 32];
    for chunk in seed_bytes.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    SimRng::from_seed(seed_bytes)
}
