//! The engine's event queue: a min-priority queue of `(time, sequence)` keys.
//!
//! A runbook has a few events pending at a time (a dozen steps, a handful of retries), so the
//! queue keeps them in a small array sorted in descending order: a pop takes the last element
//! and a push shifts the few later ones. Past [`SMALL`] pending events (large transfer sets,
//! many retries in flight) it moves them into a binary heap and stays there until cleared.
//! Both forms pop in exactly the same order, because every key is distinct (the sequence
//! number is unique), so which form is in use never changes a result.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Pending events above which the sorted array gives way to a binary heap.
const SMALL: usize = 32;

/// An item with its key: `time`, then `seq` (unique) to keep simultaneous events in order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Keyed<T> {
    pub time: f64,
    pub seq: u64,
    pub item: T,
}

impl<T> Keyed<T> {
    #[inline]
    fn key_cmp(&self, other: &Self) -> Ordering {
        self.time
            .total_cmp(&other.time)
            .then(self.seq.cmp(&other.seq))
    }
}

impl<T> Ord for Keyed<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key_cmp(other)
    }
}

impl<T> PartialOrd for Keyed<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> PartialEq for Keyed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Keyed<T> {}

/// Pops the smallest `(time, seq)` first. Keys must be distinct.
#[derive(Debug)]
pub(crate) struct EventQueue<T> {
    /// The first `len` are the pending events, sorted descending: the next event is the last
    /// one. A fixed array, not a `Vec`: a push never calls out to grow it, so the event goes
    /// from registers straight to its slot (kept alive across such a call, it would be spilled
    /// to the stack in pieces and read back whole, which the processor cannot forward).
    small: [Keyed<T>; SMALL],
    len: usize,
    heap: BinaryHeap<Reverse<Keyed<T>>>,
    /// Whether the heap holds the events (until the next `clear`); `len` is 0 meanwhile.
    spilled: bool,
}

impl<T: Copy + Default> Default for EventQueue<T> {
    fn default() -> Self {
        let empty = Keyed {
            time: 0.0,
            seq: 0,
            item: T::default(),
        };
        Self {
            small: [empty; SMALL],
            len: 0,
            heap: BinaryHeap::new(),
            spilled: false,
        }
    }
}

impl<T: Copy> EventQueue<T> {
    /// Empties the queue, keeping its buffers.
    pub fn clear(&mut self) {
        self.len = 0;
        self.heap.clear();
        self.spilled = false;
    }

    /// Adds the event `item` at `time`, `seq` (taken apart, so that the event is built only
    /// where it is stored).
    #[inline(always)]
    pub fn push(&mut self, time: f64, seq: u64, item: T) {
        if self.spilled || self.len >= SMALL {
            self.push_to_heap(Keyed { time, seq, item });
            return;
        }
        // Move the pending events that come after the new one (the earliest, at the back) up
        // one slot, then write it into the gap: with a handful of events pending this is a few
        // inline moves, no call to move memory.
        let event = Keyed { time, seq, item };
        let mut i = self.len;
        while i > 0 && self.small[i - 1].key_cmp(&event) == Ordering::Less {
            self.small[i] = self.small[i - 1];
            i -= 1;
        }
        self.small[i] = event;
        self.len += 1;
    }

    /// The rare path, kept out of line so that the common one inlines into its callers (the
    /// event then stays in registers instead of going through memory).
    #[cold]
    #[inline(never)]
    fn push_to_heap(&mut self, event: Keyed<T>) {
        if !self.spilled {
            self.spilled = true;
            self.heap
                .extend(self.small[..self.len].iter().map(|&e| Reverse(e)));
            self.len = 0;
        }
        self.heap.push(Reverse(event));
    }

    #[inline]
    pub fn pop(&mut self) -> Option<Keyed<T>> {
        if self.spilled {
            self.heap.pop().map(|Reverse(e)| e)
        } else if self.len > 0 {
            self.len -= 1;
            Some(self.small[self.len])
        } else {
            None
        }
    }

    /// Capacity of the heap (to check that reruns reuse it; the small queue never grows).
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.heap.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pops in key order whichever form is in use, including ties in time.
    #[test]
    fn pops_in_key_order_small_and_spilled() {
        for n in [0usize, 1, 5, SMALL, SMALL + 1, 200] {
            let mut q = EventQueue::default();
            let mut keys = Vec::new();
            let mut x = 12345u64;
            for seq in 0..n as u64 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let time = ((x >> 33) % 7) as f64; // many ties in time
                keys.push((time, seq));
                q.push(time, seq, seq);
                // Interleave pops with pushes.
                if seq % 3 == 2 {
                    keys.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                    let first = keys.remove(0);
                    let e = q.pop().expect("an event");
                    assert_eq!((e.time, e.seq, e.item), (first.0, first.1, first.1));
                }
            }
            keys.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let popped: Vec<(f64, u64)> = std::iter::from_fn(|| q.pop())
                .map(|e| (e.time, e.seq))
                .collect();
            assert_eq!(popped, keys, "n = {n}");
            q.clear();
            assert!(q.pop().is_none());
        }
    }
}
