//! The run's own log: what the harness did and when, in `<run dir>/schism.log` (and, at
//! warning level, on stderr), through `tracing`.

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;
use tracing_subscriber::fmt::writer::MakeWriterExt;

/// Send this process's tracing events to `<dir>/schism.log`. Only the first call in a
/// process takes effect (the global subscriber is set once).
pub fn start(dir: &Path) {
    let Ok(file) = File::create(dir.join("schism.log")) else {
        return;
    };
    let to_file = Mutex::new(file).with_max_level(tracing::Level::INFO);
    let to_stderr = std::io::stderr.with_max_level(tracing::Level::WARN);
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(to_file.and(to_stderr))
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _ = tracing::subscriber::set_global_default(subscriber);
}
