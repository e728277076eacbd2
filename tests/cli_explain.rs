//! `nnzip explain`: the page's numbers add up (per-byte costs against the coder's
//! payload and the real `.nnz` and `.Z` files), it is self-contained, it refuses to
//! overwrite without `-f`, and a real browser (headless Chromium, when installed)
//! renders it without a script error.

use crate::cli_util;

use cli_util::{assert_failure, dir_with, nnzip};
use std::fs;
use std::path::Path;
use std::process::Command;

const EXPLAINED: usize = 8192;

/// The JSON block of the page, parsed.
fn page_data(html: &str) -> serde_json::Value {
    let start = html
        .find("<script id=nnzip-data type=application/json>")
        .expect("data block")
        + "<script id=nnzip-data type=application/json>".len();
    let end = start + html[start..].find("</script>").expect("end of data");
    serde_json::from_str(&html[start..end]).expect("valid JSON")
}

fn sum(v: &serde_json::Value) -> f64 {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .sum()
}

/// Writes the page for the first [`EXPLAINED`] bytes of alice29.txt into `dir`.
fn explain_alice(dir: &Path) -> (Vec<u8>, String) {
    let text = fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/alice29.txt"))
        .expect("corpora/alice29.txt");
    fs::write(dir.join("alice.txt"), &text).unwrap();
    nnzip()
        .current_dir(dir)
        .args([
            "explain",
            "alice.txt",
            "-o",
            "page.html",
            "--preset",
            "fast",
            // fast has no hidden layer: one of fast's width, so that there are units
            // to show.
            "--layers",
            "1",
        ])
        .args(["--max-bytes", &EXPLAINED.to_string()])
        .assert()
        .success();
    let html = fs::read_to_string(dir.join("page.html")).unwrap();
    (text, html)
}

#[test]
fn costs_add_up_to_the_compressed_files() {
    let dir = dir_with(&[]);
    let p = dir.path();
    let (text, html) = explain_alice(p);
    let d = page_data(&html);
    let bytes = d["bytes"].as_array().unwrap();
    assert_eq!(bytes.len(), EXPLAINED);
    assert_eq!(d["nn"].as_array().unwrap().len(), EXPLAINED);
    assert_eq!(d["guesses"].as_array().unwrap().len(), 6 * EXPLAINED);
    // The per-byte costs (centibits, rounded per byte) add up to the coded payload,
    // which has a leading zero byte and a 4-byte flush on top.
    let payload = d["payload_bytes"].as_f64().unwrap();
    let nn = sum(&d["nn"]) / 800.0;
    assert!(
        (0.0..8.0).contains(&(payload - nn)),
        "costs {nn:.1} B, payload {payload} B"
    );
    let lzw = sum(&d["lzw"]) / 800.0;
    let z = d["lzw_bytes"].as_f64().unwrap();
    assert!(
        (z - 3.0 - lzw).abs() < 1.0,
        "LZW costs {lzw:.1} B, .Z {z} B"
    );

    // The page's file sizes are those `nnzip compress` writes for the same bytes.
    fs::write(p.join("head.txt"), &text[..EXPLAINED]).unwrap();
    nnzip()
        .current_dir(p)
        .args([
            "compress", "-q", "--preset", "fast", "--layers", "1", "head.txt",
        ])
        .assert()
        .success();
    nnzip()
        .current_dir(p)
        .args(["compress", "-q", "--codec", "lzw", "head.txt"])
        .assert()
        .success();
    let nnz = fs::metadata(p.join("head.txt.nnz")).unwrap().len() as f64;
    let dot_z = fs::metadata(p.join("head.txt.Z")).unwrap().len() as f64;
    assert_eq!(d["nnz_bytes"].as_f64().unwrap(), nnz);
    assert_eq!(z, dot_z);

    // Self-contained, and honest about what it shows.
    for outside in [
        "<script src",
        "<link",
        "@import",
        "http://",
        "https://",
        "url(",
    ] {
        assert!(!html.contains(outside), "page refers outside: {outside}");
    }
    assert!(html.contains(&format!("the first {EXPLAINED} bytes")));
    assert!(html.contains("Approximate"));
    assert!(html.contains("The 20 biggest surprises"));
    assert!(html.contains("unit 3"));
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = dir_with(&[("a.txt", b"some text, some text"), ("out.html", b"keep")]);
    let p = dir.path();
    let out = nnzip()
        .current_dir(p)
        .args(["explain", "a.txt", "-o", "out.html"])
        .output()
        .unwrap();
    assert_failure(&out, "explain", "out.html: already exists");
    assert_eq!(fs::read(p.join("out.html")).unwrap(), b"keep");
    nnzip()
        .current_dir(p)
        .args([
            "explain", "a.txt", "-o", "out.html", "-f", "--preset", "fast",
        ])
        .assert()
        .success();
    // fast's own network is one mixer with no hidden layer, and the page says so.
    let page = fs::read_to_string(p.join("out.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("one mixer, no hidden layer"));
    assert!(page.contains("there is no <code>if</code> to show"));
    assert!(!page.contains("hidden activation") && !page.contains("unit 0"));
    let out = nnzip()
        .current_dir(p)
        .args(["explain", "missing.txt", "-o", "x.html"])
        .output()
        .unwrap();
    assert_failure(&out, "explain", "missing.txt");
    assert!(!p.join("x.html").exists());
}

/// Headless Chromium loads the page: no console message (so no script error), and
/// the script has built one span per byte. Skipped with a note when `chromium` is
/// not installed, unless `NNZIP_REQUIRE_CHROMIUM` is set (as `.ci/run` does).
#[test]
fn a_real_browser_renders_the_page_without_script_errors() {
    let browser = std::env::var("NNZIP_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    if Command::new(&browser).arg("--version").output().is_err() {
        assert!(
            std::env::var_os("NNZIP_REQUIRE_CHROMIUM").is_none(),
            "{browser} not found but NNZIP_REQUIRE_CHROMIUM is set"
        );
        eprintln!("note: {browser} not found; browser test skipped");
        return;
    }
    let dir = dir_with(&[]);
    let p = dir.path();
    let (_, _) = explain_alice(p);
    let url = format!("file://{}", p.join("page.html").display());
    let out = Command::new(&browser)
        .args(["--headless", "--disable-gpu", "--no-sandbox"])
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(format!("--user-data-dir={}", p.join("profile").display()))
        .arg(&url)
        .output()
        .expect("run chromium");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains(&format!("data-rendered=\"{EXPLAINED}\"")),
        "the script did not finish: {}",
        &dom[..dom.len().min(400)]
    );
    assert!(dom.matches("<span").count() > EXPLAINED);

    // The tooltip of a byte, opened by the page's `#byte=N` address as hovering would.
    let out = Command::new(&browser)
        .args(["--headless", "--disable-gpu", "--no-sandbox", "--dump-dom"])
        .arg(format!("--user-data-dir={}", p.join("profile").display()))
        .arg(format!("{url}#byte=500"))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    let tip = dom.find("<div id=\"tip\"").expect("tooltip element");
    let tip = &dom[tip..tip + dom[tip..].find("</div>").expect("end of tooltip")];
    assert!(!tip.contains("hidden"), "{tip}");
    assert!(
        tip.contains("byte 500") && tip.contains("model expected"),
        "{tip}"
    );

    // LZW's colours by the toggle (as `#coder=lzw` sets it): the spans' backgrounds
    // change.
    let colours = |fragment: &str| {
        let out = Command::new(&browser)
            .args(["--headless", "--disable-gpu", "--no-sandbox", "--dump-dom"])
            .arg(format!("--user-data-dir={}", p.join("profile").display()))
            .arg(format!("{url}{fragment}"))
            .output()
            .expect("run chromium");
        let dom = String::from_utf8_lossy(&out.stdout).into_owned();
        let at = dom.find("id=\"text\"").expect("text box");
        dom[at..at + 4000].to_string()
    };
    let (nn, lzw) = (colours("#byte=1"), colours("#byte=1&coder=lzw"));
    assert!(nn.contains("background") && lzw.contains("background"));
    assert_ne!(nn, lzw);
}
