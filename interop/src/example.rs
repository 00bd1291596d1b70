//! Running one of `sansrtc`'s browser examples as a person would, with headless Chromium as
//! the person: build the example with the cargo running the test, start it, wait for the URL
//! it prints (`<name>: open http://127.0.0.1:<port>/`), open that URL (with a query that
//! puts the page in its automatic mode) in Chromium, and wait for the example to exit.
#![expect(
    clippy::disallowed_methods,
    reason = "the example runs as a real process on the real clock; its output is read on a thread"
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::browser::Browser;
use crate::{PeerProcess, TempDir};

/// What happened to an example run with Chromium.
#[derive(Debug)]
pub struct ExampleRun {
    /// How it exited, if it did before the deadline.
    pub status: Option<ExitStatus>,
    /// Every line it printed on stdout.
    pub output: Vec<String>,
    /// The end of Chromium's log.
    pub browser_log: String,
    /// From start to exit.
    pub elapsed: Duration,
}

impl ExampleRun {
    /// Whether it exited with success.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// The rest of the first output line that starts with `prefix`.
    pub fn line_after(&self, prefix: &str) -> Option<&str> {
        self.output.iter().find_map(|l| l.strip_prefix(prefix))
    }

    /// Everything useful for a failure message.
    pub fn why(&self) -> String {
        format!(
            "exit {:?} after {:?}; the example said:\n  {}\nbrowser log:\n{}",
            self.status,
            self.elapsed,
            self.output.join("\n  "),
            self.browser_log
        )
    }
}

/// Builds the example `name` of the `sansrtc` crate with the cargo running this test (same
/// target directory, so usually a no-op) and returns its executable.
///
/// # Panics
/// When the build fails.
pub fn build_example(name: &str) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let mut command = Command::new(cargo);
    // Not the variables cargo set for this test: build scripts that track them (ring's do)
    // would see a change and rebuild, here and in the next ordinary build.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if [
            "CARGO_PKG_",
            "CARGO_BIN_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_PRIMARY_",
        ]
        .iter()
        .any(|p| key.starts_with(p))
            || key == "CARGO_TARGET_TMPDIR"
            || key == "OUT_DIR"
        {
            command.env_remove(&*key);
        }
    }
    let output = command
        .args(["build", "-p", "sansrtc", "--example", name])
        .arg("--message-format=json-render-diagnostics")
        .arg("--manifest-path")
        .arg(&manifest)
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "building the example {name} failed"
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo named no executable for the example {name}"))
}

/// Runs the example `name` with `env`, opens its URL plus `query` in headless Chromium, and
/// waits at most `timeout` for it to exit. `None` when Chromium is missing (not under `CI`).
///
/// # Panics
/// When the example does not start or prints no URL on 127.0.0.1 within 10 s.
pub fn run_with_chromium(
    name: &str,
    env: &[(&str, &str)],
    query: &str,
    timeout: Duration,
) -> Option<ExampleRun> {
    run_with_chromiums(name, env, &[query], timeout)
}

/// As [`run_with_chromium`], with one headless Chromium per query in `queries`, each with its
/// own profile, started in order a second apart.
///
/// # Panics
/// As [`run_with_chromium`].
pub fn run_with_chromiums(
    name: &str,
    env: &[(&str, &str)],
    queries: &[&str],
    timeout: Duration,
) -> Option<ExampleRun> {
    Browser::Chromium.require()?;
    let exe = build_example(name);
    let started = Instant::now();
    let mut command = Command::new(exe);
    command
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut example = PeerProcess::spawn(command).expect("the example starts");
    let stdout = example.child_mut().stdout.take().expect("stdout");
    let (lines_tx, lines) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut output = Vec::new();
    let prefix = format!("{name}: open ");
    let url = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("{name} printed no URL: {output:?}"));
        output.push(line.clone());
        if let Some(url) = line.strip_prefix(&prefix) {
            break url.trim().to_owned();
        }
    };
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let mut browsers = Vec::new();
    for (n, query) in queries.iter().enumerate() {
        if n > 0 {
            std::thread::sleep(Duration::from_secs(1));
        }
        let profile = TempDir::new(&format!("chrome-{name}-{n}")).expect("profile directory");
        let browser = Browser::Chromium
            .launch(&format!("{url}{query}"), &profile)
            .expect("Chromium starts");
        browsers.push((browser, profile));
    }
    let status = example.wait_exit(started + timeout);
    let elapsed = started.elapsed();
    drop(example);
    let _ = reader.join();
    output.extend(lines.try_iter());
    let mut browser_log = String::new();
    for (n, (browser, profile)) in browsers.into_iter().enumerate() {
        drop(browser);
        let log = std::fs::read_to_string(profile.path().join("browser.log")).unwrap_or_default();
        browser_log.push_str(&format!("--- browser {n}\n"));
        for line in log.lines().filter(|l| !l.contains("dbus/")) {
            browser_log.push_str(line);
            browser_log.push('\n');
        }
    }
    Some(ExampleRun {
        status,
        output,
        browser_log,
        elapsed,
    })
}
