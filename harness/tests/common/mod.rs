//! What the Docker end-to-end tests share: counting what a run left behind.

use std::process::Command;

/// Containers and networks labelled with this run that still exist.
pub fn leftovers(run_id: &str) -> (usize, usize) {
    let count = |args: &[&str]| {
        let o = Command::new("docker")
            .args(args)
            .output()
            .expect("docker cli");
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count()
    };
    let label = format!("label=schism.run={run_id}");
    (
        count(&["ps", "-aq", "--filter", &label]),
        count(&["network", "ls", "-q", "--filter", &label]),
    )
}
