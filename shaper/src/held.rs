//! The packets a shaper holds, each until its time; and the count of those that were
//! overtaken. Packets are numbered as they arrive; one released after a later-numbered one
//! was released is counted as reordered.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

/// Held packets of type `T`, released by time, then by arrival.
#[derive(Debug)]
pub struct Held<T> {
    heap: BinaryHeap<Reverse<(Instant, u64, Slot<T>)>>,
    next_seq: u64,
    /// The highest arrival number released so far, plus one (0: none yet).
    released_top: u64,
    pub reordered: u64,
}

/// A packet in the heap, compared by nothing (time and number order the heap).
#[derive(Debug)]
struct Slot<T>(T);

impl<T> PartialEq for Slot<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<T> Eq for Slot<T> {}
impl<T> PartialOrd for Slot<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Slot<T> {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

impl<T> Default for Held<T> {
    fn default() -> Self {
        Held {
            heap: BinaryHeap::new(),
            next_seq: 0,
            released_top: 0,
            reordered: 0,
        }
    }
}

impl<T> Held<T> {
    /// Number the next arrival (every packet, held or not, takes a number).
    pub fn arrive(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Hold packet number `seq` until `at`.
    pub fn hold(&mut self, seq: u64, at: Instant, packet: T) {
        self.heap.push(Reverse((at, seq, Slot(packet))));
    }

    /// Note that packet number `seq` leaves now (counting it if a later one already left).
    pub fn released(&mut self, seq: u64) {
        if seq < self.released_top {
            self.reordered += 1;
        }
        self.released_top = self.released_top.max(seq + 1);
    }

    /// When the next held packet is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Take the next packet due by `now`, noting its release.
    pub fn pop_due(&mut self, now: Instant) -> Option<T> {
        if self.next_due()? > now {
            return None;
        }
        let Reverse((_, seq, Slot(p))) = self.heap.pop()?;
        self.released(seq);
        Some(p)
    }

    /// Take every held packet, due or not, in release order.
    pub fn drain(&mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.heap.len());
        while let Some(Reverse((_, seq, Slot(p)))) = self.heap.pop() {
            self.released(seq);
            out.push(p);
        }
        out
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn packets_leave_by_time_then_arrival_and_overtaken_ones_are_counted() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut h = Held::default();
        // 1 held 10 ms, 2 and 3 pass at once (overtaking 1), 4 and 5 held 5 ms.
        let s1 = h.arrive();
        h.hold(s1, ms(10), "a");
        let s2 = h.arrive();
        h.released(s2);
        let s3 = h.arrive();
        h.released(s3);
        let s4 = h.arrive();
        h.hold(s4, ms(5), "d");
        let s5 = h.arrive();
        h.hold(s5, ms(5), "e");
        assert_eq!(h.next_due(), Some(ms(5)));
        assert_eq!(h.pop_due(ms(4)), None);
        assert_eq!(h.pop_due(ms(5)), Some("d"));
        assert_eq!(h.pop_due(ms(5)), Some("e"));
        assert_eq!(h.reordered, 0);
        assert_eq!(h.pop_due(ms(20)), Some("a"));
        assert_eq!(h.reordered, 1);
        assert!(h.is_empty());
    }

    #[test]
    fn a_fixed_delay_reorders_nothing_and_drain_empties() {
        let t0 = Instant::now();
        let mut h = Held::default();
        for i in 0..100 {
            let s = h.arrive();
            h.hold(s, t0 + Duration::from_millis(200 + i), i);
        }
        assert_eq!(h.len(), 100);
        let out = h.drain();
        assert_eq!(out, (0..100).collect::<Vec<_>>());
        assert_eq!(h.reordered, 0);
        assert!(h.is_empty() && h.next_due().is_none());
    }
}
