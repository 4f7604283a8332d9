//! `report.html` in a real headless Chromium (Debian's `chromium`; `scripts/install-deps`
//! installs it): the charts of a memory run with faults are drawn, the counterexample of an
//! invalid history is drawn, nothing logs to the console, a screenshot is taken, and a
//! `<script>` value from the history stays text. Also measures a 100,000-op report's size
//! and how long Chromium takes to open it (printed, not asserted: run with --nocapture).
//! Every Chromium gets its own profile directory, so the tests can run in parallel.

mod common;
use common::{schism, store, text};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const EVIL: &str = "<script>document.title='pwned'</script>";

fn chromium() -> String {
    let bin = std::env::var("SCHISM_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let found = Command::new(&bin).arg("--version").output();
    assert!(
        found.as_ref().is_ok_and(|o| o.status.success()),
        "{bin} is needed for these tests: run scripts/install-deps (or set SCHISM_CHROMIUM)"
    );
    bin
}

/// Chromium, headless, with a profile of its own (tests run in parallel).
fn headless(profile: &Path, extra: &[&str], page: &Path) -> std::process::Output {
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    Command::new(chromium())
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            &format!("--user-data-dir={}", profile.display()),
        ])
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs")
}

/// The page's DOM after it loaded, and every line Chromium logged from the page's console.
fn open(dir: &Path, page: &Path) -> (String, Vec<String>) {
    let o = headless(
        &dir.join("chrome-dom"),
        &[
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=2000",
            "--dump-dom",
        ],
        page,
    );
    assert!(o.status.success(), "chromium: {}", text(&o.stderr));
    (text(&o.stdout), console(&text(&o.stderr)))
}

/// Console lines. Chromium logs `console.error` at INFO level (`INFO:CONSOLE`), so any
/// console line counts: the report has no script that could log anything.
fn console(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .map(str::to_string)
        .collect()
}

fn screenshot(dir: &Path, page: &Path) -> PathBuf {
    let png = dir.join("report.png");
    let o = headless(
        &dir.join("chrome-shot"),
        &[
            "--virtual-time-budget=2000",
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2000",
        ],
        page,
    );
    assert!(o.status.success(), "chromium: {}", text(&o.stderr));
    png
}

/// The `<svg class="chart NAME" ...>...</svg>` element of the DOM.
fn chart<'a>(dom: &'a str, name: &str) -> &'a str {
    let at = dom
        .find(&format!("class=\"chart {name}\""))
        .unwrap_or_else(|| panic!("no {name} chart in the DOM"));
    let start = dom[..at].rfind("<svg").unwrap();
    let end = at + dom[at..].find("</svg>").unwrap() + "</svg>".len();
    &dom[start..end]
}

/// The value of a numeric attribute of an element's opening tag.
fn attr(element: &str, name: &str) -> f64 {
    let tag = &element[..element.find('>').unwrap()];
    let key = format!(" {name}=\"");
    let from = tag
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + key.len();
    let to = from + tag[from..].find('"').unwrap();
    tag[from..to].parse().unwrap()
}

fn drawn(svg: &str, name: &str) {
    assert!(
        attr(svg, "width") > 0.0 && attr(svg, "height") > 0.0,
        "{name} chart has no size"
    );
}

#[test]
fn a_memory_run_with_faults_has_its_charts_drawn_in_chromium() {
    let st = store("report", "browser-run");
    let o = schism(&[
        "run",
        "--system",
        "memory",
        "--time-limit",
        "3",
        "--rate",
        "3000",
        "--concurrency",
        "4",
        "--nemesis",
        "partition,kill",
        "--nemesis-interval",
        "0.5",
        "--nemesis-duration",
        "0.5",
        "--recovery",
        "0.3",
        "--seed",
        "11",
        "--store",
        st.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let dir = st.join("latest");
    let page = dir.join("report.html");
    assert!(page.is_file(), "schism run writes report.html");
    // `schism report RUN_DIR` rebuilds it from the stored files, the same but for the
    // files' sizes (schism.log grew since).
    let before_files =
        |html: String| html[..html.find("<section id=\"files\"").unwrap()].to_string();
    let written = before_files(std::fs::read_to_string(&page).unwrap());
    std::fs::remove_file(&page).unwrap();
    let o = schism(&["report", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let rebuilt = before_files(std::fs::read_to_string(&page).unwrap());
    assert!(rebuilt == written, "schism report rendered another report");
    let o = schism(&["report", st.join("nowhere").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(254), "a missing path is bad input");
    let (dom, console) = open(&dir, &page);
    assert!(console.is_empty(), "console: {console:?}");
    let latency = chart(&dom, "latency");
    drawn(latency, "latency");
    assert!(latency.contains("<path class=\"pt ok\" d=\"M"), "no points");
    assert!(latency.matches("h0").count() > 100, "too few points");
    assert!(latency.contains("class=\"fault f-partition\""));
    assert!(latency.contains("class=\"fault f-kill\""));
    let throughput = chart(&dom, "throughput");
    drawn(throughput, "throughput");
    assert!(throughput.contains("<polyline"), "no throughput line");
    let availability = chart(&dom, "availability");
    drawn(availability, "availability");
    assert!(
        availability.matches("<rect class=\"bar\"").count() > 5,
        "no bars"
    );
    for section in ["quantiles", "files"] {
        assert!(
            dom.contains(&format!("id=\"{section}\"")),
            "{section} missing"
        );
    }
    assert!(dom.contains("under faults"));
    assert!(dom.contains("href=\"history.jsonl\""));
    let png = screenshot(&dir, &page);
    assert!(
        std::fs::metadata(&png).unwrap().len() > 10_000,
        "empty screenshot"
    );
    let _ = std::fs::remove_dir_all(&st);
}

/// A stale history with a read that returns a script, written to `dir`.
fn evil_history(dir: &Path) -> PathBuf {
    let h = dir.join("stale.jsonl");
    let o = schism(&[
        "synth",
        "--clients",
        "5",
        "--ops",
        "400",
        "--stale",
        "-o",
        h.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // "stale read: the read completing at index N returns V, ..."
    let said = text(&o.stderr);
    let index: u64 = said
        .split("at index ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    let lines: Vec<String> = std::fs::read_to_string(&h)
        .unwrap()
        .lines()
        .map(|l| {
            let mut op: serde_json::Value = serde_json::from_str(l).unwrap();
            if op["index"] == index {
                op["value"] = EVIL.into();
            }
            op.to_string()
        })
        .collect();
    std::fs::write(&h, lines.join("\n") + "\n").unwrap();
    h
}

#[test]
fn an_invalid_history_shows_its_counterexample_and_a_script_value_stays_text() {
    let dir = store("report", "browser-evil");
    std::fs::create_dir_all(&dir).unwrap();
    let h = evil_history(&dir);
    let page = dir.join("report.html");
    let o = schism(&[
        "report",
        h.to_str().unwrap(),
        "--out",
        page.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "invalid: {}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let (dom, console) = open(&dir, &page);
    assert!(console.is_empty(), "console: {console:?}");
    let title = dom
        .split("<title>")
        .nth(1)
        .and_then(|s| s.split("</title>").next())
        .unwrap();
    assert!(!title.contains("pwned"), "the script ran: title {title:?}");
    assert!(
        dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"),
        "the value is not shown as text"
    );
    assert!(
        !dom.contains("<script"),
        "a script element got into the DOM"
    );
    let cx = chart(&dom, "counterexample");
    drawn(cx, "counterexample");
    assert_eq!(cx.matches("op culprit").count(), 1);
    assert!(cx.contains("cannot be placed"));
    drawn(chart(&dom, "latency"), "latency");
    assert!(chart(&dom, "latency").contains("class=\"named\""));
    let png = screenshot(&dir, &page);
    assert!(
        std::fs::metadata(&png).unwrap().len() > 10_000,
        "empty screenshot"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_console_check_catches_a_failing_script() {
    let dir = store("report", "browser-control");
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("bad.html");
    std::fs::write(
        &page,
        "<html><body><script>noSuchFunction();</script></body></html>",
    )
    .unwrap();
    let (_, console) = open(&dir, &page);
    assert!(
        console.iter().any(|l| l.contains("Uncaught")),
        "the check would miss errors: {console:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The median wall times of Chromium opening each page and dumping its DOM (after the
/// load event; `--virtual-time-budget=0` would hang this Chromium), and of opening it and
/// painting a screenshot: five rounds, the pages taking turns, after one to warm up.
fn open_times(dir: &Path, pages: [&Path; 2]) -> [(Duration, Duration); 2] {
    let shot = format!("--screenshot={}", dir.join("timed.png").display());
    let modes: [&[&str]; 2] = [&["--dump-dom"], &[&shot, "--window-size=1280,2000"]];
    let time = |page: &Path, extra: &[&str]| {
        let t = Instant::now();
        let o = headless(&dir.join("chrome-time"), extra, page);
        assert!(o.status.success(), "chromium: {}", text(&o.stderr));
        t.elapsed()
    };
    time(pages[0], modes[0]);
    let mut samples = vec![[Vec::new(), Vec::new()]; 2];
    for _ in 0..5 {
        for (p, page) in pages.iter().enumerate() {
            for (m, extra) in modes.iter().enumerate() {
                samples[p][m].push(time(page, extra));
            }
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mut out = [(Duration::ZERO, Duration::ZERO); 2];
    for (p, s) in samples.iter_mut().enumerate() {
        out[p] = (median(&mut s[0]), median(&mut s[1]));
    }
    out
}

#[test]
fn a_100k_op_report_is_small_and_its_open_time_is_measured() {
    let dir = store("report", "browser-100k");
    std::fs::create_dir_all(&dir).unwrap();
    let h = dir.join("h.jsonl");
    let o = schism(&[
        "synth",
        "--clients",
        "10",
        "--ops",
        "100000",
        "--info",
        "0.01",
        "-o",
        h.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let page = dir.join("report.html");
    let o = schism(&[
        "report",
        h.to_str().unwrap(),
        "--out",
        page.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let bytes = std::fs::metadata(&page).unwrap().len();
    assert!(bytes < 5 << 20, "{bytes} bytes");
    let blank = dir.join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><title>blank</title>").unwrap();
    let [(dom_blank, shot_blank), (dom_report, shot_report)] = open_times(&dir, [&blank, &page]);
    eprintln!(
        "100,000-op report.html: {bytes} bytes; chromium --dump-dom {dom_report:?} (blank \
         page {dom_blank:?}, difference {:?}); --screenshot {shot_report:?} (blank \
         {shot_blank:?}, difference {:?})",
        dom_report.saturating_sub(dom_blank),
        shot_report.saturating_sub(shot_blank)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
