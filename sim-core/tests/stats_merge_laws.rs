//! Monoid laws of the mergeable accumulators, checked by property tests.
//!
//! For `Tally`, `Proportion` and `Total`: merge is associative and commutative, the empty value
//! is an identity, and "sharded equals sequential" — recording a list in one accumulator gives
//! exactly the same content as splitting it into shards (any split, any record order), recording
//! each shard separately and merging the shards in any order. This is the property the runner
//! relies on for output that is byte-identical at any thread count. For `Tally` the derived
//! `Summary` is compared with `==` too, i.e. bit for bit; and `Tally::record_all` of a batch
//! gives what recording its values one by one does.

use proptest::prelude::*;
use sim_core::stats::{Proportion, Tally, Total};

/// Lists of values in the ranges drsim meets: all below 2048 (where bins are exact), up to
/// ~35 days in milliseconds, or (in some cases) arbitrary `u64`s up to `u64::MAX`, where the
/// histogram is largest. One range per list, so that most cases stay cheap in debug builds.
fn values() -> impl Strategy<Value = Vec<u64>> {
    prop_oneof![
        2 => Just(2048u64),
        2 => Just(3_000_000_000u64),
        1 => Just(u64::MAX),
    ]
    .prop_flat_map(|high| prop::collection::vec(0..=high, 0..100))
}

fn tally(xs: &[u64]) -> Tally {
    let mut t = Tally::new();
    for &x in xs {
        t.record(x);
    }
    t
}

fn merged(a: &Tally, b: &Tally) -> Tally {
    let mut m = a.clone();
    m.merge(b);
    m
}

/// Splits `xs` at the given cut points (taken modulo `len + 1`), giving up to `cuts.len() + 1`
/// possibly empty shards that concatenate back to `xs`.
fn shards<T: Clone>(xs: &[T], cuts: &[usize]) -> Vec<Vec<T>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (xs.len() + 1)).collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    for c in cuts {
        out.push(xs[start..c].to_vec());
        start = c;
    }
    out.push(xs[start..].to_vec());
    out
}

fn assert_same(a: &Tally, b: &Tally) -> Result<(), TestCaseError> {
    prop_assert!(a.same_as(b), "tallies differ:\n{a:?}\n{b:?}");
    Ok(())
}

/// `same_as` plus equality of everything derived from the content, bit for bit.
fn assert_same_summary(a: &Tally, b: &Tally) -> Result<(), TestCaseError> {
    assert_same(a, b)?;
    prop_assert_eq!(a.summary(), b.summary());
    prop_assert_eq!(a.std_dev().to_bits(), b.std_dev().to_bits());
    prop_assert_eq!(a.quantile_interval(0.9, 1.0), b.quantile_interval(0.9, 1.0));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn tally_merge_is_associative(a in values(), b in values(), c in values()) {
        let (ta, tb, tc) = (tally(&a), tally(&b), tally(&c));
        assert_same_summary(&merged(&ta, &merged(&tb, &tc)), &merged(&merged(&ta, &tb), &tc))?;
    }

    #[test]
    fn tally_merge_is_commutative(a in values(), b in values()) {
        let (ta, tb) = (tally(&a), tally(&b));
        assert_same(&merged(&ta, &tb), &merged(&tb, &ta))?;
    }

    #[test]
    fn tally_empty_is_identity(a in values()) {
        let ta = tally(&a);
        assert_same(&merged(&ta, &Tally::new()), &ta)?;
        assert_same(&merged(&Tally::new(), &ta), &ta)?;
    }

    #[test]
    fn tally_sharded_equals_sequential(
        xs in values(),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
        perm in Just((0..6usize).collect::<Vec<_>>()).prop_shuffle(),
    ) {
        let sequential = tally(&xs);
        let parts: Vec<Tally> = shards(&xs, &cuts).iter().map(|s| tally(s)).collect();
        // Merge in shard order, in a shuffled order, and as a balanced tree.
        let mut in_order = Tally::new();
        for p in &parts {
            in_order.merge(p);
        }
        let mut shuffled = Tally::new();
        for &i in perm.iter().filter(|&&i| i < parts.len()) {
            shuffled.merge(&parts[i]);
        }
        let mut level = parts.clone();
        while level.len() > 1 {
            level = level.chunks(2).map(|pair| match pair {
                [x, y] => merged(x, y),
                [x] => x.clone(),
                _ => Tally::new(),
            }).collect();
        }
        let tree = level.pop().unwrap_or_default();
        assert_same_summary(&in_order, &sequential)?;
        assert_same(&shuffled, &sequential)?;
        assert_same(&tree, &sequential)?;
        prop_assert_eq!(sequential.count(), xs.len() as u64);
        prop_assert_eq!(sequential.max(), xs.iter().copied().max().unwrap_or(0));
        prop_assert_eq!(sequential.min(), xs.iter().copied().min().unwrap_or(0));
    }

    #[test]
    fn tally_record_order_does_not_matter(
        xs in values().prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
    ) {
        let (xs, shuffled) = xs;
        assert_same(&tally(&xs), &tally(&shuffled))?;
    }

    #[test]
    fn tally_record_all_equals_recording_one_by_one(
        first in values(),
        batches in prop::collection::vec(
            (values(), 1..4usize).prop_map(|(v, times)| {
                // Some values repeated in a row, which `record_all` records together.
                v.into_iter()
                    .flat_map(|x| std::iter::repeat_n(x, 1 + (x as usize % times)))
                    .collect::<Vec<u64>>()
            }),
            0..4,
        ),
    ) {
        // Batches (some empty) recorded into a tally that holds values already or is empty.
        let mut batched = tally(&first);
        let mut one_by_one = tally(&first);
        // The same batches cut to u32, through `record_all_u32`.
        let mut held = tally(&first);
        let mut held_one_by_one = tally(&first);
        for batch in &batches {
            batched.record_all(batch.iter().copied());
            batch.iter().for_each(|&x| one_by_one.record(x));
            let small: Vec<u32> = batch.iter().map(|&x| (x % (1 << 33)) as u32).collect();
            held.record_all_u32(&small);
            small.iter().for_each(|&x| held_one_by_one.record(u64::from(x)));
        }
        assert_same_summary(&batched, &one_by_one)?;
        prop_assert_eq!(batched.is_empty(), one_by_one.is_empty());
        assert_same_summary(&held, &held_one_by_one)?;
        prop_assert_eq!(held.is_empty(), held_one_by_one.is_empty());
    }

    #[test]
    fn quantiles_in_one_pass_are_those_read_one_by_one(
        xs in values(),
        q in prop_oneof![0.0..=1.0f64, Just(0.0), Just(1.0), Just(f64::NAN), Just(1.5), Just(-0.5)],
    ) {
        let t = tally(&xs);
        let qs = [0.5, q, 0.95, 0.0, 0.99, 1.0];
        let batched = t.quantiles_with_std_errors(qs);
        for (&q, (value, error)) in qs.iter().zip(batched) {
            prop_assert_eq!(value, t.quantile(q), "quantile {}", q);
            prop_assert_eq!(error.to_bits(), t.quantile_std_error(q).to_bits(), "error {}", q);
        }
    }

    #[test]
    fn proportion_laws(
        a in prop::collection::vec(any::<bool>(), 0..100),
        b in prop::collection::vec(any::<bool>(), 0..100),
        c in prop::collection::vec(any::<bool>(), 0..100),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let prop_of = |xs: &[bool]| {
            let mut p = Proportion::default();
            for &x in xs {
                p.record(x);
            }
            p
        };
        let join = |x: Proportion, y: Proportion| {
            let mut m = x;
            m.merge(&y);
            m
        };
        let (pa, pb, pc) = (prop_of(&a), prop_of(&b), prop_of(&c));
        prop_assert_eq!(join(pa, join(pb, pc)), join(join(pa, pb), pc));
        prop_assert_eq!(join(pa, pb), join(pb, pa));
        prop_assert_eq!(join(pa, Proportion::default()), pa);
        let sharded = shards(&a, &cuts).iter().map(|s| prop_of(s)).fold(Proportion::default(), join);
        prop_assert_eq!(sharded, pa);
        prop_assert_eq!(pa.trials, a.len() as u64);
        prop_assert_eq!(pa.hits, a.iter().filter(|&&h| h).count() as u64);
        let (lo, hi) = pa.wilson(1.96);
        prop_assert!(0.0 <= lo && lo <= hi && hi <= 1.0);
        if pa.trials > 0 {
            prop_assert!(lo <= pa.estimate() && pa.estimate() <= hi);
        }
    }

    #[test]
    fn total_laws(
        a in prop::collection::vec(any::<u64>(), 0..100),
        b in prop::collection::vec(any::<u64>(), 0..100),
        c in prop::collection::vec(any::<u64>(), 0..100),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let total_of = |xs: &[u64]| {
            let mut t = Total::default();
            for &x in xs {
                t.record(x);
            }
            t
        };
        let join = |x: Total, y: Total| {
            let mut m = x;
            m.merge(&y);
            m
        };
        let (ta, tb, tc) = (total_of(&a), total_of(&b), total_of(&c));
        prop_assert_eq!(join(ta, join(tb, tc)), join(join(ta, tb), tc));
        prop_assert_eq!(join(ta, tb), join(tb, ta));
        prop_assert_eq!(join(ta, Total::default()), ta);
        let sharded = shards(&a, &cuts).iter().map(|s| total_of(s)).fold(Total::default(), join);
        prop_assert_eq!(sharded, ta);
        prop_assert_eq!(ta.sum, a.iter().map(|&x| u128::from(x)).sum::<u128>());
        prop_assert_eq!(ta.mean().to_bits(), sharded.mean().to_bits());
    }
}
