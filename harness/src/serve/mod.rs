//! `schism serve`: browse a store over HTTP on this machine.
//!
//! `/` lists the runs (newest first) and sweeps; `/runs/<test>/<time>/` shows a run (its
//! `report.html` when there is one) and links to its files; `/sweeps/<time>/` shows a
//! sweep. The server binds 127.0.0.1 only and answers only requests addressed to
//! 127.0.0.1 or localhost; it serves files inside the store only (no `..`, no symlink
//! out: see `paths`), escapes every text it shows, and runs no script in its own pages.
//! It makes no request of its own.
//!
//! The URL is the first line on stdout (with `--port 0` the system picks a free port).
//! Exit codes: 254 when the store does not exist or is not a directory, 255 when the
//! port cannot be bound; 0 after Ctrl-C.

mod handler;
mod index_page;
mod listing;
mod page;
pub mod paths;
mod response;
mod run_page;

use crate::exit::ExitCode;
use clap::Args;
use handler::Store;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// `schism serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The store to browse (where `schism run` stored its runs).
    #[arg(long, value_name = "DIR", default_value = "store")]
    pub store: PathBuf,
    /// The port on 127.0.0.1 (0: a free one). The URL is printed first.
    #[arg(long, value_name = "N", default_value_t = 8080)]
    pub port: u16,
}

/// Run the command until Ctrl-C; returns the exit code.
pub fn run(args: &ServeArgs) -> ExitCode {
    let root = match std::fs::canonicalize(&args.store) {
        Ok(r) if r.is_dir() => r,
        Ok(_) => {
            eprintln!("schism serve: {} is not a directory", args.store.display());
            return ExitCode::BadInput;
        }
        Err(e) => {
            eprintln!(
                "schism serve: no store at {} ({e}); give the store `schism run --store` used, with --store",
                args.store.display()
            );
            return ExitCode::BadInput;
        }
    };
    let store = Arc::new(Store {
        given: args.store.clone(),
        root,
    });
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("schism serve: cannot start the async runtime: {e}");
            return ExitCode::HarnessError;
        }
    };
    let code = rt.block_on(serve(store, args.port));
    // Connections still open are not waited for.
    rt.shutdown_background();
    code
}

async fn serve(store: Arc<Store>, port: u16) -> ExitCode {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("schism serve: cannot listen on {addr}: {e}");
            return ExitCode::HarnessError;
        }
    };
    let port = listener.local_addr().map_or(port, |a| a.port());
    println!("http://127.0.0.1:{port}/");
    let _ = std::io::stdout().flush();
    eprintln!(
        "schism serve: serving {} on 127.0.0.1 only; Ctrl-C stops",
        store.given.display()
    );
    let ctrl_c = crate::signals::stop_requested();
    tokio::pin!(ctrl_c);
    loop {
        let (stream, _) = tokio::select! {
            _ = &mut ctrl_c => return ExitCode::Valid,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, then go on.
                    eprintln!("schism serve: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let store = store.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handler::handle(store.clone(), req));
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
