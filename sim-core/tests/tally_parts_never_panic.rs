//! Restoring a tally from stored parts never panics, whatever the bytes: damaged or crafted
//! results files are refused, not crashed on.

use proptest::prelude::*;
use sim_core::stats::{Tally, TallyParts};

fn stored() -> TallyParts {
    let mut t = Tally::new();
    for v in [0u64, 1, 7, 999, 1_000_000, 86_400_000, 604_800_000] {
        t.record(v);
    }
    match t.to_parts() {
        Ok(parts) => parts,
        Err(e) => panic!("{e}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_histograms_are_refused_or_restored(
        edits in proptest::collection::vec((0usize..200, any::<u8>()), 1..8),
        cut in 0usize..200,
        count in 0u64..20,
    ) {
        let mut parts = stored();
        for (at, byte) in edits {
            let n = parts.histogram_v2.len();
            parts.histogram_v2[at % n] = byte;
        }
        parts.histogram_v2.truncate(cut.max(1));
        parts.count = count;
        if let Ok(t) = Tally::from_parts(&parts) {
            let _ = t.summary();
            let _ = t.quantile_interval(0.95, 1.96);
        }
    }

    #[test]
    fn arbitrary_bytes_are_refused_or_restored(
        bytes in proptest::collection::vec(any::<u8>(), 0..120),
        count in 0u64..5,
        max in any::<u64>(),
    ) {
        let parts = TallyParts { count, sum: 3, sum_sq: 9, min: 0, max, histogram_v2: bytes };
        if let Ok(t) = Tally::from_parts(&parts) {
            let _ = t.summary();
        }
    }
}
