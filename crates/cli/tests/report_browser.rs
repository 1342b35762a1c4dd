//! The HTML report in a real browser: headless Chromium renders the demo workspace's report
//! as a desktop screenshot, a phone-width screenshot and an A4 print PDF, and its DOM holds
//! every goal's title.
//!
//! Needs `chromium` (or `chromium-browser`, `google-chrome`) on PATH: `apt-get install
//! chromium`. Without one the test is skipped with a message, unless
//! `LANDED_REQUIRE_BROWSER=1` (as in CI), when it fails. The files are kept in
//! `$CARGO_TARGET_TMPDIR/report-browser/` to look at.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A Monday, so that the demo's week and its changes never age.
const NOW: &str = "2026-11-23T09:00:00Z";

/// The first browser found on PATH.
fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

fn landed(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_landed"))
        .args(args)
        .env_remove("LANDED_USER")
        .env_remove("LANDED_DB")
        .env("NO_COLOR", "1")
        .env("LANDED_NOW", NOW)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "landed {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Run the browser headless on `page` with `args`; returns stdout. Killed after a minute.
fn chromium(browser: &Path, profile: &Path, page: &Path, args: &[String]) -> String {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{} {args:?}: {status}", browser.display());
            return reader.join().unwrap();
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{} {args:?} took over a minute", browser.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Title text as the DOM dump writes it.
fn as_dom_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn the_html_report_renders_and_prints_in_chromium() {
    let Some(browser) = browser() else {
        if std::env::var("LANDED_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!(
                "LANDED_REQUIRE_BROWSER=1 but no chromium, chromium-browser or google-chrome is on \
                 PATH: install one (Debian/Ubuntu: `apt-get install chromium`)"
            );
        }
        eprintln!(
            "SKIPPED the_html_report_renders_and_prints_in_chromium: no chromium on PATH \
             (apt-get install chromium; set LANDED_REQUIRE_BROWSER=1 to fail instead)"
        );
        return;
    };
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let db = out.join("demo.db");
    let db_arg = db.to_str().unwrap();
    landed(&["demo", "--db", db_arg]);
    let page = out.join("report.html");
    landed(&[
        "--db",
        db_arg,
        "report",
        "--workspace",
        "--format",
        "html",
        "--output",
        page.to_str().unwrap(),
    ]);
    let report: serde_json::Value = serde_json::from_slice(
        &landed(&["--db", db_arg, "report", "--workspace", "--json"]).stdout,
    )
    .unwrap();
    let titles: Vec<&str> = report["goals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["title"].as_str().unwrap())
        .collect();
    assert!(titles.len() >= 6, "the demo's goals: {titles:?}");

    let profile = tempfile::tempdir().unwrap();
    let desktop = out.join("report-desktop.png");
    let phone = out.join("report-phone.png");
    let pdf = out.join("report.pdf");
    chromium(
        &browser,
        profile.path(),
        &page,
        &[
            format!("--screenshot={}", desktop.display()),
            "--window-size=1200,1600".into(),
        ],
    );
    chromium(
        &browser,
        profile.path(),
        &page,
        &[
            format!("--screenshot={}", phone.display()),
            "--window-size=390,1600".into(),
        ],
    );
    chromium(
        &browser,
        profile.path(),
        &page,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
        ],
    );
    let dom = chromium(&browser, profile.path(), &page, &["--dump-dom".into()]);

    for png in [&desktop, &phone] {
        let bytes = std::fs::read(png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert!(bytes.starts_with(b"\x89PNG"), "{} is a PNG", png.display());
        assert!(
            bytes.len() > 10_000,
            "{} is only {} bytes: a blank page?",
            png.display(),
            bytes.len()
        );
    }
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    assert!(bytes.len() > 10_000, "the PDF holds the report");
    // Printed on A4 (595 × 842 pt), as the page's @page rule asks.
    let text = String::from_utf8_lossy(&bytes);
    let media = text
        .split("/MediaBox [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .expect("a page size");
    let size: Vec<f64> = media
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(
        (size[2] - 595.3).abs() < 2.0 && (size[3] - 841.9).abs() < 2.0,
        "A4 pages, not {media}"
    );

    assert!(dom.contains("<h1>"), "the DOM of the report: {dom}");
    for title in &titles {
        assert!(
            dom.contains(&as_dom_text(title)),
            "goal `{title}` is on the page"
        );
    }
    assert!(dom.contains("on track"), "health in words");
    eprintln!(
        "report in the browser: {}, {}, {}",
        desktop.display(),
        phone.display(),
        pdf.display()
    );
}
