//! A tiny real node for tests and measurements of faults: the host's static busybox
//! serving HTTP from `/data` on port 8080.

use crate::{ClusterSpec, ImageFile, ImageSpec, NodeCommand, Probe};
use std::sync::Arc;
use std::time::Duration;

pub const HTTP_PORT: u16 = 8080;

/// `nodes` busybox httpd nodes under `run_id`.
pub fn busybox_httpd(run_id: &str, nodes: usize) -> ClusterSpec {
    ClusterSpec {
        run_id: run_id.to_string(),
        nodes,
        image: ImageSpec {
            name: "busybox-httpd".into(),
            files: vec![ImageFile {
                host_path: "/usr/bin/busybox".into(),
                image_path: "/bin/busybox".into(),
                with_libraries: true,
            }],
            dirs: vec!["/data".into()],
            base: None,
            texts: Vec::new(),
        },
        command: Arc::new(|_, _, _| NodeCommand {
            argv: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/data"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            env: Vec::new(),
        }),
        probe: Probe::Tcp { port: HTTP_PORT },
        ready_timeout: Duration::from_secs(20),
        log_files: Vec::new(),
        stop_signal: None,
        data_dir: Some("/data".into()),
        power_loss: false,
        holder: crate::Holder::busybox(),
    }
}
