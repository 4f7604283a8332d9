//! Faults at given times in the simulator, instead of random ones: crashes and partitions,
//! each applied at `at_ms` and undone at `end_ms` (simulated milliseconds from the start),
//! possibly overlapping. What a fault schedule of a real run is, in the simulator, so a
//! shrinker of schedules can be tested deterministically.

use super::Sim;

/// What a planned fault does while it lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimFault {
    /// These nodes are down (crashed at the start, restarted at the end unless another
    /// crash still holds them).
    Crash(Vec<usize>),
    /// No message passes between a node of the one side and a node of the other.
    Partition(Vec<usize>, Vec<usize>),
}

/// A fault and when it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub at_ms: u64,
    pub end_ms: u64,
    pub fault: SimFault,
}

/// A schedule being played: which faults have started and which have ended.
pub(super) struct Playing {
    planned: Vec<Planned>,
    /// Per fault: 0 not yet, 1 holding, 2 over.
    stage: Vec<u8>,
}

impl Playing {
    pub fn new(planned: Vec<Planned>) -> Playing {
        let stage = vec![0; planned.len()];
        Playing { planned, stage }
    }

    /// Start the faults whose time has come and end those whose end has; then the network
    /// cut as the faults holding say.
    pub fn step(&mut self, sim: &mut Sim) {
        let now = sim.now_ms();
        let mut changed = false;
        for i in 0..self.planned.len() {
            let p = &self.planned[i];
            if self.stage[i] == 0 && p.at_ms <= now {
                self.stage[i] = 1;
                changed = true;
                if let SimFault::Crash(nodes) = &p.fault {
                    nodes.iter().for_each(|&n| sim.crash(n));
                }
            }
            if self.stage[i] == 1 && p.end_ms <= now {
                self.stage[i] = 2;
                changed = true;
            }
        }
        if !changed {
            return;
        }
        let holding = |s: &Self| {
            s.planned
                .iter()
                .zip(&s.stage)
                .filter(|(_, st)| **st == 1)
                .map(|(p, _)| p.fault.clone())
                .collect::<Vec<_>>()
        };
        let faults = holding(self);
        let down: Vec<usize> = faults
            .iter()
            .flat_map(|f| match f {
                SimFault::Crash(nodes) => nodes.clone(),
                SimFault::Partition(..) => Vec::new(),
            })
            .collect();
        for n in 0..sim.names().len() {
            if !down.contains(&n) {
                sim.restart(n);
            }
        }
        sim.heal();
        for f in &faults {
            if let SimFault::Partition(a, b) = f {
                sim.partition(a, b);
            }
        }
    }
}
