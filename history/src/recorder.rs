//! The history of a live run, recorded as it happens.
//!
//! Every op (client or nemesis) goes through one [`Recorder`]: under one lock it gets the
//! next index and the current time (so file order is real-time order), is kept in memory
//! for the checkers, and is queued for the file. A writer thread appends the queue to
//! `history.jsonl` every few milliseconds (one write per batch, not per op, so recording
//! keeps up with hundreds of thousands of ops a second) and [`Recorder::flush`] and drop
//! write whatever is left, so nothing recorded is lost when a run stops early.

use crate::op::Op;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the writer thread appends what was recorded.
const WRITE_EVERY: Duration = Duration::from_millis(5);

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

struct State {
    ops: Vec<Op>,
    /// The last nemesis op, for a live status line.
    last_nemesis: Option<usize>,
    /// Index of the first op not yet written to the file.
    written: usize,
    closed: bool,
    error: Option<String>,
}

/// Records ops with index and time, in memory and to a JSONL file.
pub struct Recorder {
    start: Instant,
    shared: Arc<Shared>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Recorder {
    /// Record into `path` (created, or truncated); time 0 is now.
    pub fn create(path: &Path) -> io::Result<Recorder> {
        let file = BufWriter::with_capacity(1 << 20, File::create(path)?);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                ops: Vec::new(),
                last_nemesis: None,
                written: 0,
                closed: false,
                error: None,
            }),
            wake: Condvar::new(),
        });
        let s = shared.clone();
        let writer = std::thread::Builder::new()
            .name("history-writer".into())
            .spawn(move || write_loop(&s, file))?;
        Ok(Recorder {
            start: Instant::now(),
            shared,
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Nanoseconds since the recorder was created.
    pub fn now_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// Stamp `op` with the next index and the current time, record it, and return it.
    pub fn record(&self, mut op: Op) -> Op {
        let mut s = lock(&self.shared.state);
        op.index = s.ops.len() as u64;
        op.time_ns = self.now_ns();
        if op.process == crate::op::Process::Nemesis {
            s.last_nemesis = Some(s.ops.len());
        }
        s.ops.push(op.clone());
        op
    }

    /// The last nemesis op recorded, if any.
    pub fn last_nemesis(&self) -> Option<Op> {
        let s = lock(&self.shared.state);
        s.last_nemesis.map(|i| s.ops[i].clone())
    }

    /// How many ops were recorded.
    pub fn len(&self) -> usize {
        lock(&self.shared.state).ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of every op recorded so far.
    pub fn ops(&self) -> Vec<Op> {
        lock(&self.shared.state).ops.clone()
    }

    /// Every op recorded, taken out of the recorder (after [`Recorder::flush`]: what is
    /// taken is no longer written).
    pub fn take_ops(&self) -> Vec<Op> {
        let mut s = lock(&self.shared.state);
        s.last_nemesis = None;
        s.written = 0;
        std::mem::take(&mut s.ops)
    }

    /// Write everything recorded so far to the file and stop the writer; later records
    /// stay in memory only. Errors of any earlier write are reported here.
    pub fn flush(&self) -> io::Result<()> {
        lock(&self.shared.state).closed = true;
        self.shared.wake.notify_all();
        if let Some(h) = lock(&self.writer).take() {
            let _ = h.join();
        }
        match lock(&self.shared.state).error.take() {
            Some(e) => Err(io::Error::other(e)),
            None => Ok(()),
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn write_loop(shared: &Shared, mut file: BufWriter<File>) {
    let mut line = Vec::with_capacity(256);
    loop {
        let (batch, closed) = {
            let mut s = lock(&shared.state);
            if !s.closed && s.written == s.ops.len() {
                s = shared
                    .wake
                    .wait_timeout(s, WRITE_EVERY)
                    .map(|(g, _)| g)
                    .unwrap_or_else(|e| e.into_inner().0);
            }
            let from = s.written;
            s.written = s.ops.len();
            (s.ops[from..].to_vec(), s.closed)
        };
        let mut result = Ok(());
        for op in &batch {
            line.clear();
            result = serde_json::to_writer(&mut line, op)
                .map_err(io::Error::other)
                .and_then(|_| {
                    line.push(b'\n');
                    file.write_all(&line)
                });
            if result.is_err() {
                break;
            }
        }
        let result = result.and_then(|_| file.flush());
        if let Err(e) = result {
            lock(&shared.state)
                .error
                .get_or_insert(format!("cannot write the history: {e}"));
            return;
        }
        if closed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::OpType;
    use serde_json::json;

    #[test]
    fn ops_from_many_threads_are_in_index_and_time_order_on_disk() {
        let dir = std::env::temp_dir().join(format!("schism-rec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("history.jsonl");
        let r = Arc::new(Recorder::create(&path).unwrap());
        let threads: Vec<_> = (0..4u64)
            .map(|p| {
                let r = r.clone();
                std::thread::spawn(move || {
                    for i in 0..2500 {
                        r.record(Op::client(p, OpType::Invoke, "write", json!(i)));
                        r.record(Op::client(p, OpType::Ok, "write", json!(i)));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        r.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let h = crate::jsonl::parse(&text, crate::Dialect::Porcupine)
            .expect("well formed, in time order");
        assert_eq!(h.len(), 20_000);
        assert_eq!(h.ops(), r.ops().as_slice());
        assert!(h.ops().windows(2).all(|w| w[0].time_ns <= w[1].time_ns));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn what_was_recorded_is_on_disk_when_the_recorder_is_dropped() {
        let dir = std::env::temp_dir().join(format!("schism-rec2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("history.jsonl");
        {
            let r = Recorder::create(&path).unwrap();
            r.record(Op::client(0, OpType::Invoke, "read", json!(null)));
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
