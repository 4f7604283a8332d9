//! The time under some fault: the fault windows of every kind merged into disjoint spans,
//! so an instant is under faults when any fault is in force. Spans include their start
//! and not their end, as windows do.

use super::Window;

/// Disjoint spans `[start_ns, end_ns)`, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Covered(Vec<(u64, u64)>);

impl Covered {
    pub fn of(windows: &[Window]) -> Covered {
        let mut v: Vec<(u64, u64)> = windows.iter().map(|w| (w.start_ns, w.end_ns)).collect();
        v.sort_unstable();
        let mut out: Vec<(u64, u64)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            match out.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        Covered(out)
    }

    /// The spans, in order.
    pub fn spans(&self) -> &[(u64, u64)] {
        &self.0
    }

    /// Whether some fault was in force at `t_ns`.
    pub fn contains(&self, t_ns: u64) -> bool {
        let i = self.0.partition_point(|&(a, _)| a <= t_ns);
        i > 0 && t_ns < self.0[i - 1].1
    }

    /// How long faults were in force within `[from_ns, to_ns]`, in ns.
    pub fn overlap_ns(&self, from_ns: u64, to_ns: u64) -> u64 {
        self.0
            .iter()
            .map(|&(a, b)| b.min(to_ns).saturating_sub(a.max(from_ns)))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(kind: &str, start_ns: u64, end_ns: u64) -> Window {
        Window {
            kind: kind.into(),
            fault: serde_json::Value::Null,
            start_ns,
            heal_ns: None,
            end_ns,
            failure: None,
        }
    }

    #[test]
    fn windows_of_every_kind_merge() {
        let c = Covered::of(&[w("kill", 10, 20), w("pause", 15, 30), w("loss", 40, 50)]);
        assert_eq!(c.spans(), [(10, 30), (40, 50)]);
        assert!(!c.contains(9) && c.contains(10) && c.contains(25));
        assert!(!c.contains(30) && !c.contains(35) && c.contains(49) && !c.contains(50));
        assert!(!Covered::of(&[]).contains(5));
        assert_eq!(c.overlap_ns(0, 100), 20 + 10);
        assert_eq!(c.overlap_ns(20, 45), 10 + 5);
        // Touching windows (a Byzantine mode replaced by another) make one span.
        let c = Covered::of(&[w("byzantine", 5, 30), w("byzantine", 30, 61)]);
        assert_eq!(c.spans(), [(5, 61)]);
    }
}
