//! The responses of `schism serve`: pages, files streamed from disk with their content
//! type, redirects and errors, each with headers that keep a browser from guessing types
//! or running what a file of the system under test may hold.

use super::page::{page, CSP};
use futures_util::stream;
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, Full, StreamBody};
use hyper::body::{Bytes, Frame};
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use reports::escape::html;
use std::path::Path;
use tokio::io::AsyncReadExt;

pub type Body = UnsyncBoxBody<Bytes, std::io::Error>;

fn full(text: String) -> Body {
    Full::new(Bytes::from(text))
        .map_err(|never| match never {})
        .boxed_unsync()
}

fn with_headers(status: StatusCode, content_type: &str, body: Body) -> Response<Body> {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// A page made here (no script may run in it).
pub fn html_page(status: StatusCode, text: String) -> Response<Body> {
    let mut r = with_headers(status, "text/html; charset=utf-8", full(text));
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    r
}

/// An error page.
pub fn error(status: StatusCode, why: &str) -> Response<Body> {
    let title = status.canonical_reason().unwrap_or("error");
    let body = format!(
        "<h1>{} {}</h1>\n<p>{}</p>\n<p><a href=\"/\">all runs</a></p>",
        status.as_u16(),
        html(title),
        html(why)
    );
    html_page(status, page(title, &body))
}

/// A permanent redirect to a path of this server.
pub fn redirect(to: &str) -> Response<Body> {
    let mut r = with_headers(
        StatusCode::MOVED_PERMANENTLY,
        "text/plain",
        full(String::new()),
    );
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// The content type of a file, by its extension. Text that a browser should show, not
/// download (history.jsonl, spec.yaml, logs), is served as text.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("jsonl" | "ndjson" | "log" | "txt" | "edn") => "text/plain; charset=utf-8",
        Some("yaml" | "yml") => "text/yaml; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        Some("xml") => "application/xml",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        _ => "application/octet-stream",
    }
}

/// A file of the store, streamed in chunks (a history may be hundreds of MiB). Every file
/// but a run's own report is sandboxed: an HTML or SVG file left by the system under test
/// runs no script with this server's origin.
pub async fn file(path: &Path, trusted: bool) -> Response<Body> {
    let f = match tokio::fs::File::open(path).await {
        Ok(f) => f,
        Err(_) => return error(StatusCode::NOT_FOUND, "no such file"),
    };
    let Ok(len) = f.metadata().await.map(|m| m.len()) else {
        return error(StatusCode::NOT_FOUND, "no such file");
    };
    // A file still being written (a running run's history) is served as long as it was
    // when opened, so the length sent holds.
    let chunks = stream::unfold(Some(f.take(len)), |f| async move {
        let mut f = f?;
        let mut buf = vec![0u8; 64 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Frame::data(Bytes::from(buf))), Some(f)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    let body = StreamBody::new(chunks).boxed_unsync();
    let mut r = with_headers(StatusCode::OK, content_type(path), body);
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if !trusted {
        r.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        );
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_by_extension() {
        assert_eq!(
            content_type(Path::new("r/report.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("results.json")), "application/json");
        assert_eq!(
            content_type(Path::new("history.jsonl")),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("nodes/n1.log")),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("spec.yaml")),
            "text/yaml; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("serve.PNG")), "image/png");
        assert_eq!(content_type(Path::new("core")), "application/octet-stream");
    }
}
