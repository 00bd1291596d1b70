//! Starting coturn (Debian `coturn`) on 127.0.0.1 for TURN interop tests, with the
//! configuration of the project's interop notes: long-term credentials `test:test` in realm
//! `example.org`, relaying only to 127/8, a small relay port range, optional TLS.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "interop tests run a real server on loopback and wait for it with the real clock"
)]

use crate::{PeerProcess, TempDir, require_peer};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

/// Username of the long-term credential.
pub const USER: &str = "test";
/// Password of the long-term credential.
pub const PASSWORD: &str = "test";
/// Realm the server announces.
pub const REALM: &str = "example.org";

/// Options for one coturn instance.
#[derive(Debug, Clone, Default)]
pub struct CoturnOptions {
    /// PEM certificate and key for the TLS listener (`None`: no TLS).
    pub tls: Option<(String, String)>,
    /// `stale-nonce` lifetime in seconds (`None`: coturn's default).
    pub stale_nonce: Option<u32>,
}

/// A running coturn, killed (with its process group) when dropped.
#[derive(Debug)]
pub struct Coturn {
    /// UDP and TCP listener.
    pub listen: SocketAddr,
    /// TLS listener, if configured.
    pub tls: Option<SocketAddr>,
    /// First and last relay port.
    pub relay_ports: (u16, u16),
    process: PeerProcess,
    dir: TempDir,
}

fn free_port() -> std::io::Result<u16> {
    // A port free for both UDP and TCP at the time of asking.
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0")?;
        let port = udp.local_addr()?.port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
}

/// Relay port ranges handed to successive instances in this process, so parallel tests do not
/// collide.
static NEXT_RELAY_BASE: AtomicU16 = AtomicU16::new(0);

impl Coturn {
    /// Starts coturn, or returns `None` (after printing why) when it is not installed and `CI`
    /// is not set.
    ///
    /// # Panics
    ///
    /// When coturn is missing under `CI`, or does not come up within 10 seconds.
    pub fn start(options: &CoturnOptions) -> Option<Self> {
        let turnserver = require_peer("turnserver")?;
        let dir = TempDir::new("coturn").expect("temp dir");
        let port = free_port().expect("free port");
        let tls_port = options
            .tls
            .as_ref()
            .map(|_| free_port().expect("free port"));
        let slot = NEXT_RELAY_BASE.fetch_add(1, Ordering::Relaxed) % 40;
        let base = 40_000 + 400 * u16::try_from(std::process::id() % 50).unwrap_or(0);
        let min_port = base + 10 * slot;
        let max_port = min_port + 9;
        let mut conf = format!(
            "listening-ip=127.0.0.1\nrelay-ip=127.0.0.1\nlistening-port={port}\nmin-port={min_port}\nmax-port={max_port}\n\
             lt-cred-mech\nuser={USER}:{PASSWORD}\nrealm={REALM}\nfingerprint\nno-dtls\nno-cli\n\
             allow-loopback-peers\nuserdb={db}\npidfile={pid}\nlog-file=stdout\nsimple-log\n\
             max-allocate-lifetime=3600\nchannel-lifetime=600\npermission-lifetime=300\n\
             denied-peer-ip=0.0.0.0-126.255.255.255\ndenied-peer-ip=128.0.0.0-255.255.255.255\n\
             no-multicast-peers\nno-software-attribute\n",
            db = dir.path().join("turndb").display(),
            pid = dir.path().join("turnserver.pid").display(),
        );
        match (&options.tls, tls_port) {
            (Some((cert, key)), Some(tls_port)) => {
                let cert_path = dir.path().join("cert.pem");
                let key_path = dir.path().join("key.pem");
                std::fs::write(&cert_path, cert).expect("write cert");
                std::fs::write(&key_path, key).expect("write key");
                conf.push_str(&format!(
                    "tls-listening-port={tls_port}\ncert={}\npkey={}\n",
                    cert_path.display(),
                    key_path.display()
                ));
            }
            _ => conf.push_str("no-tls\n"),
        }
        if let Some(stale) = options.stale_nonce {
            conf.push_str(&format!("stale-nonce={stale}\n"));
        }
        let conf_path: PathBuf = dir.path().join("turnserver.conf");
        std::fs::write(&conf_path, conf).expect("write config");
        let log = std::fs::File::create(dir.path().join("turnserver.log")).expect("log file");
        let mut cmd = Command::new(turnserver);
        cmd.arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log);
        let process = PeerProcess::spawn(cmd).expect("start turnserver");
        let coturn = Self {
            listen: SocketAddr::from(([127, 0, 0, 1], port)),
            tls: tls_port.map(|p| SocketAddr::from(([127, 0, 0, 1], p))),
            relay_ports: (min_port, max_port),
            process,
            dir,
        };
        coturn.wait_ready();
        Some(coturn)
    }

    /// Waits until the TCP listeners accept connections (coturn opens UDP first).
    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let targets: Vec<SocketAddr> = std::iter::once(self.listen).chain(self.tls).collect();
        for target in targets {
            while TcpStream::connect_timeout(&target, Duration::from_millis(100)).is_err() {
                assert!(
                    Instant::now() < deadline,
                    "coturn did not come up; log:\n{}",
                    self.log()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// coturn's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("turnserver.log")).unwrap_or_default()
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        !self.process.has_exited()
    }
}
