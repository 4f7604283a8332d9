//! The signals that ask schism to stop: SIGINT (Ctrl-C) and SIGTERM (what CI systems and
//! process managers send when a job is cancelled) are handled alike. The first asks for an
//! orderly stop (stop generating, heal, tear down, check what was recorded, write every
//! file); a second one of either, while that is under way, ends the process at once (what
//! is left is listed by the next run and removed by `schism clean`).

use crate::exit::ExitCode;
use tokio::signal::unix::{signal, SignalKind};

/// Resolves when SIGINT or SIGTERM arrives; says which. If neither can be listened for,
/// never resolves (and says why once).
pub async fn stop_requested() -> &'static str {
    let (int, term) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    );
    let (Ok(mut int), Ok(mut term)) = (int, term) else {
        tracing::warn!("cannot listen for SIGINT and SIGTERM: they will end schism at once");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}

/// After the first stop request: a second SIGINT or SIGTERM ends the process now, with
/// the interrupted exit code.
pub fn exit_on_second(who: &'static str) {
    tokio::spawn(async move {
        let again = stop_requested().await;
        eprintln!(
            "schism {who}: {again} again: stopping now, without teardown; `schism clean` \
             removes what this run left"
        );
        std::process::exit(ExitCode::Interrupted as i32);
    });
}
