//! One request of `schism serve`: check the method and the host, route the path, and make
//! the page or find the file (inside the store only: see `paths`).

use super::listing;
use super::paths::{self, Refusal, Route};
use super::response::{self, Body};
use super::{index_page, run_page};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use std::path::PathBuf;
use std::sync::Arc;

/// What every request needs.
pub struct Store {
    /// The store as given (for display and replay commands).
    pub given: PathBuf,
    /// The store, canonical: every file served lies inside it.
    pub root: PathBuf,
}

pub async fn handle(
    store: Arc<Store>,
    req: Request<Incoming>,
) -> Result<Response<Body>, std::convert::Infallible> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = response::error(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD");
        r.headers_mut().insert(
            hyper::header::ALLOW,
            hyper::header::HeaderValue::from_static("GET, HEAD"),
        );
        return Ok(r);
    }
    if !local_host(&req) {
        // A page elsewhere that got its name resolved to 127.0.0.1 (DNS rebinding).
        return Ok(response::error(
            StatusCode::FORBIDDEN,
            "this server answers to 127.0.0.1 and localhost only",
        ));
    }
    let route = match paths::route(req.uri().path()) {
        Ok(r) => r,
        Err(Refusal::BadRequest(why)) => {
            return Ok(response::error(StatusCode::BAD_REQUEST, why));
        }
        Err(Refusal::NotFound) => return Ok(not_found()),
    };
    Ok(respond(store, route).await)
}

fn not_found() -> Response<Body> {
    response::error(StatusCode::NOT_FOUND, "nothing here")
}

/// Exactly one Host header, naming this machine's loopback (HTTP/1.1 requires it; none,
/// or a second one, is refused), and no other host in the request line.
fn local_host(req: &Request<Incoming>) -> bool {
    let mut hosts = req.headers().get_all(hyper::header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return false;
    };
    let in_line = req.uri().authority().map(|a| a.as_str());
    host.to_str().is_ok_and(is_local) && in_line.is_none_or(is_local)
}

/// `127.0.0.1` or `localhost`, with or without a port.
fn is_local(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    matches!(name, "127.0.0.1" | "localhost")
}

async fn respond(store: Arc<Store>, route: Route) -> Response<Body> {
    match route {
        Route::AddSlash(to) => response::redirect(&to),
        Route::RunFile { test, time, file } => {
            let mut parts = vec![test.as_str(), time.as_str()];
            parts.extend(file.iter().map(String::as_str));
            let trusted = file == ["report.html"];
            match paths::resolve(&store.root, &parts).filter(|p| p.is_file()) {
                Some(p) => response::file(&p, trusted).await,
                None => not_found(),
            }
        }
        Route::SweepFile { time, file } => {
            let mut parts = vec!["sweeps", time.as_str()];
            parts.extend(file.iter().map(String::as_str));
            match paths::resolve(&store.root, &parts).filter(|p| p.is_file()) {
                Some(p) => response::file(&p, false).await,
                None => not_found(),
            }
        }
        page => {
            // Pages read the store with blocking calls: off the async threads.
            let made = tokio::task::spawn_blocking(move || make_page(&store, page)).await;
            match made {
                Ok(Some(text)) => response::html_page(StatusCode::OK, text),
                Ok(None) => not_found(),
                Err(e) => response::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            }
        }
    }
}

/// The HTML of a page route; None when what it names is not in the store.
fn make_page(store: &Store, route: Route) -> Option<String> {
    match route {
        Route::Index => Some(index_page::render(
            &store.given.display().to_string(),
            &listing::runs(&store.root),
            &listing::sweeps(&store.root),
        )),
        Route::Run { test, time } => {
            let dir = paths::resolve(&store.root, &[&test, &time]).filter(|p| p.is_dir())?;
            let result = std::fs::read_to_string(dir.join("results.json"))
                .map_err(|_| {
                    "No results.json: the run is under way, or stopped before its check."
                        .to_string()
                })
                .and_then(|t| {
                    serde_json::from_str(&t).map_err(|e| format!("results.json is unreadable: {e}"))
                });
            let files = listing::files(&dir);
            let given = store.given.join(&test).join(&time);
            Some(run_page::render(&test, &time, &given, result, &files))
        }
        Route::Sweep { time } => {
            let dir = paths::resolve(&store.root, &["sweeps", &time]).filter(|p| p.is_dir())?;
            let md = std::fs::read_to_string(dir.join("sweep.md")).ok();
            Some(run_page::render_sweep(
                &time,
                md.as_deref(),
                &listing::files(&dir),
            ))
        }
        Route::AddSlash(_) | Route::RunFile { .. } | Route::SweepFile { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::is_local;

    #[test]
    fn only_loopback_names_are_local() {
        for h in ["127.0.0.1", "127.0.0.1:8080", "localhost", "localhost:1"] {
            assert!(is_local(h), "{h}");
        }
        for h in [
            "",
            "evil.example",
            "127.0.0.1.evil:80",
            "localhost:80:80",
            "127.0.0.2",
            "[::1]",
        ] {
            assert!(!is_local(h), "{h}");
        }
    }
}
