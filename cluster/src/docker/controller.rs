//! Who started a run: every container and network of a run carries labels naming its
//! controller (the host, and the process id with its start time), so that `schism clean`
//! can tell the objects of a run whose controller is gone (killed with SIGKILL, a machine
//! that lost power) from those of a run still going, and remove only the first.
//!
//! A process id alone is not enough: ids are reused. `/proc/<pid>/stat`'s start time (in
//! clock ticks since boot) makes the pair unique on one host for as long as it runs.

use std::collections::HashMap;

/// The label naming the host whose process started the run.
pub const HOST_LABEL: &str = "schism.host";
/// The label naming the controller process: `<pid>.<start time in clock ticks>`.
pub const CONTROLLER_LABEL: &str = "schism.controller";

/// Whether a run's controller still runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Liveness {
    Alive,
    /// Gone, and why we know.
    Gone(String),
    /// Started on another host (the engine is shared): we cannot tell.
    Elsewhere(String),
}

/// This machine's host name.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// The start time of process `pid`, in clock ticks since boot (None: no such process).
fn start_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// This process, as the controller label names it.
pub fn this_controller() -> String {
    let pid = std::process::id();
    format!("{pid}.{}", start_ticks(pid).unwrap_or(0))
}

/// The labels naming this process as a run's controller.
pub fn labels() -> HashMap<String, String> {
    HashMap::from([
        (HOST_LABEL.to_string(), hostname()),
        (CONTROLLER_LABEL.to_string(), this_controller()),
    ])
}

/// Whether the controller named by an object's labels still runs. Objects made before
/// these labels existed are judged by the process id at the end of their run id
/// (`<time>-<pid>`, as `schism run` names runs): gone when no such process exists.
pub fn liveness(labels: &HashMap<String, String>, run_id: &str) -> Liveness {
    let here = hostname();
    match labels.get(HOST_LABEL) {
        Some(h) if *h != here => return Liveness::Elsewhere(h.clone()),
        _ => {}
    }
    if let Some(c) = labels.get(CONTROLLER_LABEL) {
        let (pid, ticks) = c.split_once('.').unwrap_or((c, "0"));
        let (Ok(pid), Ok(ticks)) = (pid.parse::<u32>(), ticks.parse::<u64>()) else {
            return Liveness::Gone(format!("its controller label {c:?} names no process"));
        };
        return match start_ticks(pid) {
            Some(t) if t == ticks => Liveness::Alive,
            Some(_) => Liveness::Gone(format!("process {pid} is another program now")),
            None => Liveness::Gone(format!("process {pid} is gone")),
        };
    }
    let pid = run_id
        .rsplit_once('-')
        .and_then(|(_, p)| p.parse::<u32>().ok());
    match pid {
        Some(pid) if start_ticks(pid).is_some() => Liveness::Alive,
        Some(pid) => Liveness::Gone(format!("process {pid} is gone")),
        None => Liveness::Gone("it names no controller".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_dead_one_is_gone() {
        let mine = labels();
        assert_eq!(liveness(&mine, "x"), Liveness::Alive);
        // A child that has exited (and been reaped) is gone.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let dead = HashMap::from([
            (HOST_LABEL.to_string(), hostname()),
            (CONTROLLER_LABEL.to_string(), format!("{pid}.1")),
        ]);
        assert!(matches!(liveness(&dead, "x"), Liveness::Gone(_)));
        // The same pid with another start time is another program.
        let reused = HashMap::from([
            (HOST_LABEL.to_string(), hostname()),
            (
                CONTROLLER_LABEL.to_string(),
                format!("{}.1", std::process::id()),
            ),
        ]);
        assert!(
            matches!(liveness(&reused, "x"), Liveness::Gone(w) if w.contains("another program"))
        );
        let elsewhere = HashMap::from([(HOST_LABEL.to_string(), "not-this-host".to_string())]);
        assert_eq!(
            liveness(&elsewhere, "x"),
            Liveness::Elsewhere("not-this-host".into())
        );
        // Unlabelled: by the pid of the run id.
        let none = HashMap::new();
        let me = format!("20261206t000000z-{}", std::process::id());
        assert_eq!(liveness(&none, &me), Liveness::Alive);
        assert!(matches!(
            liveness(&none, &format!("t-{pid}")),
            Liveness::Gone(_)
        ));
    }
}
