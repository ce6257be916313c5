//! `drsim report` and the markup formats at the boundary: a self-contained, escaped HTML page
//! that a real browser renders; Markdown that fits a job summary; formats from the extension;
//! an unwritable output.

mod common;

use std::path::Path;
use std::process::Command;

use common::drsim;
use predicates::prelude::*;

/// A small scenario with a hostile name and a narrow sweep, so the runs are quick.
const SMALL: &str = r#"name = "<script>alert('x')</script> & Co"
[plan]
years = 300
backup-intervals = ["4h"]
storage-tiers = ["standard"]
point-in-time = [false]
standby-fractions = [0.25]
site-capacities = [1.0]
"#;

fn scenario(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("small.toml");
    std::fs::write(&path, SMALL).expect("write scenario");
    path
}

fn report(dir: &Path, out: &str) -> String {
    let path = dir.join(out);
    drsim()
        .args(["report", "--trials", "3000", "--seed", "4", "-q", "--out"])
        .arg(&path)
        .arg(scenario(dir))
        .assert()
        .success()
        .stdout("");
    std::fs::read_to_string(&path).expect("the document")
}

#[test]
fn the_html_report_is_self_contained_escaped_and_complete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = report(dir.path(), "doc.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Nothing from elsewhere: no script, stylesheet, font, image or frame.
    for banned in [
        "<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "href=",
    ] {
        assert!(!html.contains(banned), "found {banned}");
    }
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"));
    assert!(html.contains("@media print"));
    // Plots: RTO and RPO per disaster type (where not all zero), drivers, costs, bill, losses;
    // each with its numbers in a table under it.
    let plots = html.matches("<svg").count();
    assert!(plots >= 9, "{plots} plots");
    assert_eq!(html.matches("<details>").count(), plots);
    for heading in [
        "The pick, and why not the others",
        "What each strategy delivers, per disaster type",
        "region-loss: RTO and RPO",
        "What drives recovery time (region loss)",
        "Cost curves and the frontier",
        "The pick&#39;s monthly bill",
        "Loss exceedance",
        "Failback after a region loss",
        "Assumptions and how to reproduce this",
    ] {
        assert!(html.contains(heading), "no section {heading}");
    }
    // The assumptions: the values that differ from the reference, and the command.
    assert!(html.contains("plan.years"));
    assert!(html.contains("drsim report"));
    assert!(html.contains("--seed 4"));
}

#[test]
fn the_markdown_report_leads_with_the_pick_fits_and_escapes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let md = report(dir.path(), "doc.md");
    assert!(md.chars().count() <= 65_536);
    assert!(md.starts_with("# &lt;script&gt;"));
    let headline = md
        .lines()
        .position(|l| l.starts_with("**Pick:") || l.starts_with("**No setting"));
    assert!(headline.is_some_and(|i| i < 10), "{md}");
    assert!(!md.contains("<svg"));
    assert!(!md.contains("<script>"));
}

#[test]
fn simulate_and_plan_accept_markdown_and_html() {
    for (command, extra) in [
        ("simulate", ["--trials", "2000"]),
        ("plan", ["--years", "200"]),
    ] {
        for format in ["markdown", "html"] {
            let output = drsim()
                .args([command, "-q", "--format", format])
                .args(extra)
                .output()
                .expect("drsim runs");
            assert!(output.status.success(), "{command} --format {format}");
            let text = String::from_utf8(output.stdout).expect("utf-8");
            match format {
                "markdown" => assert!(text.starts_with("# ")),
                _ => assert!(text.starts_with("<!DOCTYPE html>") && text.contains("</html>")),
            }
        }
    }
}

#[test]
fn a_report_to_an_unwritable_place_is_exit_3_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-dir").join("doc.html");
    drsim()
        .args([
            "report", "--trials", "1000", "--years", "100", "-q", "--out",
        ])
        .arg(&missing)
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains("doc.html"));
    assert!(!missing.exists());
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// The page in a real browser: headless Chromium loads it, without console errors, and the
/// screenshot is not blank (Debian's `chromium`; `.ci/run` installs it).
#[test]
fn the_html_report_renders_in_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have chromium (.ci/run installs it)"
        );
        eprintln!("skipped: no chromium on this machine");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    report(dir.path(), "doc.html");
    let page = format!("file://{}", dir.path().join("doc.html").display());
    let shot = dir.path().join("shot.png");
    let profile = dir.path().join("profile");
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&page)
        .output()
        .expect("chromium runs");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(
        !log.lines()
            .any(|l| l.contains("CONSOLE") && (l.contains("Error") || l.contains("Uncaught"))),
        "console errors: {log}"
    );
    let png = std::fs::File::open(&shot).expect("a screenshot");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(png));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
    let frame = reader.next_frame(&mut pixels).expect("a frame");
    let channels = frame.color_type.samples();
    let inked = pixels[..frame.buffer_size()]
        .chunks(channels)
        .filter(|p| p.iter().take(3).any(|c| *c < 200))
        .count();
    let total = (frame.width * frame.height) as usize;
    // Text, tables and plots: a few percent of the pixels are dark; a blank page has none.
    assert!(inked * 100 > total, "{inked} of {total} pixels inked");
    // And the DOM holds the plots.
    let dom = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(&page)
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.matches("<svg").count() >= 9, "{}", dom.len());
}
