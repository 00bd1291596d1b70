//! Headless browsers (Debian's `chromium` and `firefox-esr`) driven by a page served from a
//! tiny HTTP server on 127.0.0.1, for interop tests. The flags and preferences are the ones
//! the project's interop notes found to work on loopback with no other network.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "interop tests run real browsers and a real loopback HTTP server"
)]

use crate::{PeerProcess, TempDir, require_peer};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Which browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    /// Debian's Chromium (the real binary, not the wrapper script).
    Chromium,
    /// Debian's Firefox ESR.
    Firefox,
}

impl Browser {
    /// The executable path.
    pub const fn program(self) -> &'static str {
        match self {
            Self::Chromium => "/usr/lib/chromium/chromium",
            Self::Firefox => "/usr/lib/firefox-esr/firefox-esr",
        }
    }

    /// Finds the browser, applying the missing-peer rule (skip locally, fail under `CI`).
    pub fn require(self) -> Option<PathBuf> {
        require_peer(self.program())
    }

    /// The browser's version string.
    pub fn version(self) -> String {
        Command::new(self.program())
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    }

    /// Starts the browser headless on `url` with a fresh profile in `profile`.
    ///
    /// # Errors
    ///
    /// When the process cannot start or the profile cannot be written.
    pub fn launch(self, url: &str, profile: &TempDir) -> std::io::Result<PeerProcess> {
        let log = std::fs::File::create(profile.path().join("browser.log"))?;
        let mut cmd = Command::new(self.program());
        match self {
            Self::Chromium => {
                cmd.args([
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-sync",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-proxy-server",
                    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                    "--use-fake-ui-for-media-stream",
                    "--use-fake-device-for-media-stream",
                    "--allow-loopback-in-peer-connection",
                    "--disable-features=WebRtcHideLocalIpsWithMdns",
                ]);
                cmd.arg(format!("--user-data-dir={}", profile.path().display()));
            }
            Self::Firefox => {
                let prefs = [
                    ("media.navigator.streams.fake", "true"),
                    ("media.navigator.permission.disabled", "true"),
                    ("media.peerconnection.ice.loopback", "true"),
                    ("media.peerconnection.ice.obfuscate_host_addresses", "false"),
                    ("browser.shell.checkDefaultBrowser", "false"),
                    ("app.update.enabled", "false"),
                    ("datareporting.policy.dataSubmissionEnabled", "false"),
                    ("toolkit.telemetry.enabled", "false"),
                    ("network.captive-portal-service.enabled", "false"),
                    ("network.connectivity-service.enabled", "false"),
                    ("browser.safebrowsing.update.enabled", "false"),
                    ("extensions.update.enabled", "false"),
                    ("network.proxy.type", "0"),
                ];
                let user_js: String = prefs
                    .iter()
                    .map(|(k, v)| format!("user_pref(\"{k}\", {v});\n"))
                    .collect();
                std::fs::write(profile.path().join("user.js"), user_js)?;
                cmd.args(["--headless", "--no-remote", "--profile"])
                    .arg(profile.path());
            }
        }
        cmd.arg(url)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        PeerProcess::spawn(cmd)
    }
}

/// An HTTP request as the tiny server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path with query.
    pub path: String,
    /// Body.
    pub body: Vec<u8>,
}

/// The handler's answer: status, content type, body.
pub type Response = (u16, &'static str, Vec<u8>);

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// Bodies POSTed so far, by path, with a condition variable to wait on.
type Mailbox = Arc<(Mutex<BTreeMap<String, Vec<u8>>>, Condvar)>;

/// A minimal HTTP/1.1 server on 127.0.0.1 (one thread, `Connection: close`), plus a mailbox of
/// the bodies POSTed to paths the test waits on.
pub struct HttpServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    posted: Mailbox,
}

impl std::fmt::Debug for HttpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some(Request { method, path, body })
}

impl HttpServer {
    /// Starts serving. Every POST is also stored by path (see [`HttpServer::wait_for`]).
    ///
    /// # Errors
    ///
    /// When the listener cannot be bound.
    pub fn start(
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let posted: Mailbox = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let (flag, mailbox) = (stop.clone(), posted.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let Some(request) = read_request(&stream) else {
                    continue;
                };
                let (status, content_type, body) = handler(&request);
                if request.method == "POST" {
                    let (lock, cvar) = &*mailbox;
                    if let Ok(mut map) = lock.lock() {
                        map.insert(request.path.clone(), request.body.clone());
                    }
                    cvar.notify_all();
                }
                let head = format!(
                    "HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\nAccess-Control-Allow-Origin: *\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        Ok(Self {
            addr,
            stop,
            thread: Some(thread),
            posted,
        })
    }

    /// The `http://127.0.0.1:port` base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Waits for a POST to `path` and returns its body.
    pub fn wait_for(&self, path: &str, timeout: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        let (lock, cvar) = &*self.posted;
        let mut map = lock.lock().ok()?;
        loop {
            if let Some(body) = map.get(path) {
                return Some(body.clone());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            map = cvar.wait_timeout(map, left).ok()?.0;
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
