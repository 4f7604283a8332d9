//! `schism serve` end to end: a real server as a child process over a store with a memory
//! run; its index, a run page, files and their content types, escaping, and refusals
//! (`..` in every spelling, symlinks out of the store, foreign hosts, a missing store).

mod common;
mod serving;

use serving::{Server, EVIL_TEST};
use std::io::{Read, Write};
use std::net::TcpStream;

struct Got {
    status: u16,
    content_type: String,
    body: String,
}

fn get(url: &str) -> Got {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = reqwest::Client::new()
            .get(url)
            .timeout(std::time::Duration::from_secs(20))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let status = r.status().as_u16();
        let content_type = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        Got {
            status,
            content_type,
            body: r.text().await.unwrap(),
        }
    })
}

/// The status of a request sent as written (no client normalises its path).
fn raw_status(port: u16, path: &str, host: &str) -> u16 {
    raw_request(port, path, &format!("Host: {host}\r\n"))
}

/// The status of a GET of `path` with exactly these header lines (each ending `\r\n`).
fn raw_request(port: u16, path: &str, headers: &str) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("{out}"))
}

#[test]
fn serves_the_index_a_run_and_its_files_and_nothing_else() {
    let (store, run) = serving::store("main");
    let server = Server::start(&store);
    let u = &server.url;

    let index = get(u);
    assert_eq!(index.status, 200);
    assert_eq!(index.content_type, "text/html; charset=utf-8");
    let run_path = serving::run_path(&store, &run);
    assert!(
        index.body.contains(&format!("href=\"/{run_path}\"")),
        "{}",
        index.body
    );
    assert!(index.body.contains("<td class=\"valid\">valid</td>"));
    assert!(
        index.body.contains("kill "),
        "faults per kind: {}",
        index.body
    );
    // The hostile name is shown, escaped; its run is older, so it comes second.
    assert!(!index.body.contains("<img"), "{}", index.body);
    assert!(index
        .body
        .contains("evil&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;"));
    assert!(index.body.find("memory-register") < index.body.find("evil&lt;"));
    assert!(index.body.contains("href=\"/sweeps/20210101T000000Z/\""));

    let page = get(&format!("{u}{run_path}"));
    assert_eq!(page.status, 200);
    for f in [
        "history.jsonl",
        "results.json",
        "spec.yaml",
        "schism.log",
        "junit.xml",
        "summary.md",
    ] {
        assert!(
            page.body.contains(&format!("<a href=\"{f}\">{f}</a>")),
            "{f}: {}",
            page.body
        );
    }
    assert!(
        !page.body.contains("leak"),
        "a symlink out of the store is listed"
    );
    assert!(page.body.contains("seed</th><td>7<"), "{}", page.body);
    if run.join("report.html").exists() {
        assert!(page.body.contains("<iframe src=\"report.html\""));
        let report = get(&format!("{u}{run_path}report.html"));
        assert_eq!(report.content_type, "text/html; charset=utf-8");
    } else {
        assert!(page.body.contains("<table id=\"checkers\">"));
    }

    let results = get(&format!("{u}{run_path}results.json"));
    assert_eq!(
        (results.status, results.content_type.as_str()),
        (200, "application/json")
    );
    let r: serde_json::Value = serde_json::from_str(&results.body).unwrap();
    assert_eq!(r["seed"], 7);
    let history = get(&format!("{u}{run_path}history.jsonl"));
    assert_eq!(history.content_type, "text/plain; charset=utf-8");
    assert!(history.body.lines().count() > 10);
    assert_eq!(
        get(&format!("{u}{run_path}spec.yaml")).content_type,
        "text/yaml; charset=utf-8"
    );
    assert_eq!(
        get(&format!("{u}{run_path}schism.log")).content_type,
        "text/plain; charset=utf-8"
    );
    let junit = get(&format!("{u}{run_path}junit.xml"));
    assert!(junit
        .body
        .contains("<testsuite name=\"schism: memory-register\""));

    let sweep = get(&format!("{u}sweeps/20210101T000000Z/"));
    assert_eq!(sweep.status, 200);
    assert!(sweep.body.contains("&lt;b&gt;bold&lt;/b&gt;") && !sweep.body.contains("<b>bold"));

    // A run directory without its slash is sent to it, so its relative links work.
    let no_slash = get(&format!("{u}{}", run_path.trim_end_matches('/')));
    assert_eq!(no_slash.status, 200, "followed the redirect");

    // Refused: .. in every spelling, symlinks out, hidden files, other hosts.
    let port = server.port();
    let host = format!("127.0.0.1:{port}");
    assert_eq!(raw_status(port, "/runs/../../../../etc/passwd", &host), 400);
    assert_eq!(
        raw_status(port, &format!("/{run_path}../../../secret.txt"), &host),
        400
    );
    assert_eq!(
        raw_status(
            port,
            &format!("/{run_path}%2e%2e/%2e%2e/%2e%2e/secret.txt"),
            &host
        ),
        400
    );
    assert_eq!(
        get(&format!("{u}{run_path}..%2f..%2f..%2fsecret.txt")).status,
        400
    );
    assert_eq!(raw_status(port, "/runs/x/y/..\\..\\secret.txt", &host), 400);
    let leak = get(&format!("{u}{run_path}leak"));
    assert_eq!(leak.status, 404);
    assert!(!leak.body.contains("outside the store"));
    assert_eq!(get(&format!("{u}{run_path}.hidden")).status, 404);
    assert_eq!(get(&format!("{u}runs/latest/")).status, 404);
    assert_eq!(get(&format!("{u}nothing")).status, 404);
    assert_eq!(raw_status(port, "/", "attacker.example"), 403);
    assert_eq!(raw_status(port, "/", &format!("localhost:{port}")), 200);
    // Exactly one local Host: none, or a foreign one after a local one, is refused; so is
    // a foreign host in the request line.
    assert_eq!(raw_request(port, "/", ""), 403);
    let two = format!("Host: localhost:{port}\r\nHost: attacker.example\r\n");
    assert_eq!(raw_request(port, "/", &two), 403);
    let local = format!("Host: localhost:{port}\r\n");
    assert_eq!(raw_request(port, "http://attacker.example/", &local), 403);
    drop(server);
    let _ = std::fs::remove_dir_all(store.parent().unwrap());
}

#[test]
fn a_store_that_does_not_exist_is_a_clear_error() {
    let missing = std::env::temp_dir().join(format!("schism-no-store-{}", std::process::id()));
    let o = common::schism(&["serve", "--port", "0", "--store", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(254));
    let err = common::text(&o.stderr);
    assert!(
        err.contains("no store at") && err.contains(missing.to_str().unwrap()),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn the_evil_name_stays_inert_on_its_own_page() {
    let (store, _) = serving::store("evil");
    let server = Server::start(&store);
    let enc: String = EVIL_TEST
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let page = get(&format!("{}runs/{enc}/20200101T000000Z/", server.url));
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<img"), "{}", page.body);
    assert!(page.body.contains("<h1>evil&lt;img src=x"));
    // No report.html there: the page shows the checkers from results.json.
    assert!(page.body.contains("<table id=\"checkers\">"));
    assert!(page
        .body
        .contains("<td>linearizable</td><td class=\"valid\">valid</td>"));
    drop(server);
    let _ = std::fs::remove_dir_all(store.parent().unwrap());
}
