//! `schism serve` in a real headless Chromium (Debian's `chromium`, installed by
//! scripts/install-deps): the index and a run page render with their tables and log no
//! console message (the pages run no script, so any message is an error: a blocked
//! resource, a policy violation), and a screenshot of the run page is saved in the run
//! directory as `serve.png`.

mod serving;

use serving::Server;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Run headless Chromium on `url` with `args`; its stdout and stderr. Killed after 90 s.
fn chromium(profile: &Path, args: &[&str], url: &str) -> (String, String) {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: scripts/install-deps installs Debian's chromium"
    );
    let out = profile.with_extension("out");
    let err = profile.with_extension("err");
    let mut child = Command::new(CHROMIUM)
        .args(["--headless=new", "--no-sandbox", "--disable-gpu"])
        .args(["--enable-logging=stderr", "--v=0", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish {url} in 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    (read(&out), read(&err))
}

/// The console messages in Chromium's log.
fn console(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn the_index_and_a_run_page_render_in_chromium_without_console_errors() {
    let (store, run) = serving::store("browser");
    let server = Server::start(&store);
    let profile = store.parent().unwrap().join("chromium-profile");

    let (dom, log) = chromium(&profile, &["--dump-dom"], &server.url);
    assert!(
        dom.contains("<table id=\"runs\">"),
        "no list of runs: {dom}"
    );
    let run_path = serving::run_path(&store, &run);
    assert!(
        dom.contains(&format!("<a href=\"/{run_path}\">memory-register</a>")),
        "{dom}"
    );
    assert!(
        !dom.contains("<img"),
        "the hostile name became markup: {dom}"
    );
    assert_eq!(
        console(&log),
        Vec::<&str>::new(),
        "console messages on the index"
    );

    let page = format!("{}{run_path}", server.url);
    let (dom, log) = chromium(&profile, &["--dump-dom"], &page);
    assert!(
        dom.contains("<table id=\"files\">") && dom.contains("history.jsonl"),
        "{dom}"
    );
    assert_eq!(
        console(&log),
        Vec::<&str>::new(),
        "console messages on the run page"
    );

    let shot = run.join("serve.png");
    let screenshot = format!("--screenshot={}", shot.display());
    let (_, log) = chromium(&profile, &[&screenshot, "--window-size=1280,1000"], &page);
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no {}: {e}\n{log}", shot.display()));
    assert!(png.len() > 1000, "a {} byte screenshot", png.len());
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(console(&log), Vec::<&str>::new());
    drop(server);
    let _ = std::fs::remove_dir_all(store.parent().unwrap());
}
