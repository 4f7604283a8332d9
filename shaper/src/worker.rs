//! One shaper: a thread that enters a node's network namespace, binds an NFQUEUE there and
//! applies its plan to every packet handed over, until stopped. Stopping lets every held
//! packet go (a heal adds no loss), closes the queue and returns the counts.

use crate::checksum;
use crate::counts::Counts;
use crate::decide::Decider;
use crate::error::ShaperError;
use crate::held::Held;
use crate::nfqueue::{Packet, Queue, Verdict};
use crate::plan::Plan;
use crate::raw::Raw;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest the thread sleeps before looking whether it was stopped.
const TICK: Duration = Duration::from_millis(20);

/// What to shape, where.
#[derive(Debug, Clone)]
pub struct Config {
    /// A name for the thread and errors (the node's).
    pub name: String,
    /// The network namespace to enter (`/proc/<pid>/ns/net`).
    pub netns: PathBuf,
    /// The NFQUEUE number the iptables rule hands packets to.
    pub queue: u16,
    /// The firewall mark the copies carry (the rule must skip it).
    pub mark: u32,
    pub plan: Plan,
    pub seed: u64,
}

/// A running shaper.
#[derive(Debug)]
pub struct Shaper {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Counts>>,
}

impl Shaper {
    /// Start the thread; returns once its queue is bound (so the iptables rule may be added
    /// then), or with what failed.
    pub fn start(config: Config) -> Result<Shaper, ShaperError> {
        let stop = Arc::new(AtomicBool::new(false));
        let (ready, bound) = mpsc::channel();
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name(format!("shaper-{}", config.name))
            .spawn(move || match open(&config) {
                Err(e) => {
                    let _ = ready.send(Err(e));
                    Counts::default()
                }
                Ok((queue, raw)) => {
                    let _ = ready.send(Ok(()));
                    run(queue, raw, &config, &stopped)
                }
            })
            .map_err(ShaperError::Thread)?;
        match bound.recv() {
            Ok(Ok(())) => Ok(Shaper {
                stop,
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => Err(ShaperError::Died(died(thread.join()))),
        }
    }

    /// Stop it: every held packet leaves at once; then the counts.
    pub fn stop(mut self) -> Result<Counts, ShaperError> {
        self.stop.store(true, Ordering::SeqCst);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(c)) => Ok(c),
            Some(e) => Err(ShaperError::Died(died(e))),
            None => Ok(Counts::default()),
        }
    }
}

impl Drop for Shaper {
    /// A shaper dropped unstopped is stopped (its thread never outlives it).
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn died<T>(r: std::thread::Result<T>) -> String {
    match r {
        Ok(_) => "before binding its queue".into(),
        Err(p) => p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "it panicked".into()),
    }
}

/// On the thread: enter the namespace, bind the queue, open the raw socket if needed.
fn open(c: &Config) -> Result<(Queue, Option<Raw>), ShaperError> {
    crate::netns::enter(&c.netns).map_err(|source| ShaperError::Netns {
        path: c.netns.clone(),
        source,
    })?;
    let queue = Queue::bind(c.queue).map_err(|source| ShaperError::Nfqueue {
        queue: c.queue,
        source,
    })?;
    let raw = match c.plan.copies() {
        true => Some(Raw::open(c.mark).map_err(ShaperError::Raw)?),
        false => None,
    };
    Ok((queue, raw))
}

/// A packet held: its id and, when damaged, its new bytes.
struct Kept {
    id: u32,
    payload: Option<Vec<u8>>,
}

/// The loop: release what is due, wait for a packet or the next due time, decide.
fn run(mut queue: Queue, raw: Option<Raw>, c: &Config, stop: &AtomicBool) -> Counts {
    let mut decider = Decider::new(c.plan.clone(), c.seed, Instant::now());
    let mut held: Held<Kept> = Held::default();
    let mut counts = Counts::default();
    let let_go = |queue: &mut Queue, k: Kept, counts: &mut Counts| {
        if queue
            .verdict(k.id, Verdict::Accept, k.payload.as_deref())
            .is_err()
        {
            counts.errors += 1;
        }
    };
    loop {
        let now = Instant::now();
        while let Some(k) = held.pop_due(now) {
            let_go(&mut queue, k, &mut counts);
        }
        if stop.load(Ordering::SeqCst) {
            for k in held.drain() {
                let_go(&mut queue, k, &mut counts);
            }
            // Packets queued before the rule went: let them pass unshaped.
            while let Ok(Some(p)) = queue.try_recv() {
                let_go(
                    &mut queue,
                    Kept {
                        id: p.id,
                        payload: None,
                    },
                    &mut counts,
                );
            }
            break;
        }
        let wait = held
            .next_due()
            .map_or(TICK, |due| due.saturating_duration_since(now))
            .min(TICK);
        if queue.wait(wait).is_err() {
            counts.errors += 1;
        }
        loop {
            match queue.try_recv() {
                Ok(Some(p)) => shape(&mut queue, &raw, p, &mut decider, &mut held, &mut counts),
                Ok(None) => break,
                Err(_) => {
                    counts.errors += 1;
                    break;
                }
            }
        }
    }
    counts.reordered = held.reordered;
    counts.cpu_us = thread_cpu_us();
    counts
}

/// The CPU time this thread has used.
fn thread_cpu_us() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes one timespec this function owns.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } != 0 {
        return 0;
    }
    ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1000
}

/// Decide one packet's fate and carry it out.
fn shape(
    queue: &mut Queue,
    raw: &Option<Raw>,
    p: Packet,
    decider: &mut Decider,
    held: &mut Held<Kept>,
    counts: &mut Counts,
) {
    let now = Instant::now();
    counts.packets += 1;
    let seq = held.arrive();
    let d = decider.decide(p.payload.len(), now);
    if d.drop {
        counts.dropped += 1;
        if queue.verdict(p.id, Verdict::Drop, None).is_err() {
            counts.errors += 1;
        }
        return;
    }
    let mut payload = None;
    if let Some(pick) = d.corrupt {
        let mut bytes = p.payload.clone();
        if checksum::corrupt(&mut bytes, pick) {
            counts.corrupted += 1;
            payload = Some(bytes);
        }
    }
    if d.release_at > now {
        counts.delayed += 1;
        held.hold(seq, d.release_at, Kept { id: p.id, payload });
        return;
    }
    held.released(seq);
    if queue
        .verdict(p.id, Verdict::Accept, payload.as_deref())
        .is_err()
    {
        counts.errors += 1;
    }
    if d.duplicate {
        match raw.as_ref().map(|r| r.send(&p.payload)) {
            Some(Ok(())) => counts.duplicated += 1,
            _ => counts.errors += 1,
        }
    }
}
