//! Shared helpers for sansrtc's interop tests against real peers on loopback.
//!
//! Interop tests talk to independent implementations (tshark, coturn, OpenSSL, usrsctp,
//! Chromium) started by the test itself on 127.0.0.1. The rule for a missing peer:
//!
//! - when the `CI` environment variable is set (to anything but `0`, `false` or empty), a
//!   missing peer **fails** the test: `.ci/run` installs every peer, so absence is a bug;
//! - otherwise the test prints why and returns early, so `cargo test` works on a fresh machine.
//!
//! Processes are started in their own process group and killed as a group when their
//! [`PeerProcess`] guard drops, panics included.
#![forbid(unsafe_code)]

pub mod browser;
pub mod coturn;
pub mod driver;
pub mod example;
pub mod openssl;
pub mod peer_connection;
pub mod piped;
pub mod uclient;
pub mod usrsctp;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU64, Ordering};

/// Whether this run is CI (`CI` set to something other than empty, `0` or `false`).
pub fn running_in_ci() -> bool {
    ci_flag(std::env::var("CI").ok().as_deref())
}

fn ci_flag(value: Option<&str>) -> bool {
    match value {
        None => false,
        Some(v) => {
            let v = v.trim();
            !(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false"))
        }
    }
}

/// What to do about a peer program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerAvailability {
    /// Found at this path: run the test.
    Found(PathBuf),
    /// Missing outside CI: skip the test with this message.
    Skip(String),
    /// Missing under CI: fail the test with this message.
    Fail(String),
}

/// Finds `program` (a bare name searched on `PATH`, or a path) and applies the missing-peer rule.
pub fn locate(program: &str, ci: bool) -> PeerAvailability {
    if let Some(path) = find_program(program) {
        return PeerAvailability::Found(path);
    }
    let why = format!("interop peer `{program}` is not installed (.ci/run installs it)");
    if ci {
        PeerAvailability::Fail(format!("{why}; CI is set, so this is a failure"))
    } else {
        PeerAvailability::Skip(format!("skipping: {why}"))
    }
}

/// Returns the path of `program`, or `None` (after printing why) when the test should skip.
///
/// # Panics
///
/// When the program is missing and [`running_in_ci`] is true.
pub fn require_peer(program: &str) -> Option<PathBuf> {
    match locate(program, running_in_ci()) {
        PeerAvailability::Found(path) => Some(path),
        PeerAvailability::Skip(message) => {
            eprintln!("{message}");
            None
        }
        PeerAvailability::Fail(message) => panic!("{message}"),
    }
}

/// Looks for an executable on `PATH` (or checks a path containing `/`).
pub fn find_program(program: &str) -> Option<PathBuf> {
    let is_exec = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    };
    if program.contains('/') {
        let p = PathBuf::from(program);
        return is_exec(&p).then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| is_exec(p))
}

/// A child process in its own process group, killed with its whole group on drop.
#[derive(Debug)]
pub struct PeerProcess {
    child: Child,
}

impl PeerProcess {
    /// Spawns `command` in a new process group.
    ///
    /// # Errors
    ///
    /// When the process cannot be started.
    pub fn spawn(mut command: Command) -> std::io::Result<Self> {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
        Ok(Self {
            child: command.spawn()?,
        })
    }

    /// The process id (also the process group id).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has exited.
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Waits until the process exits, or `deadline` passes: its exit status, or `None`.
    /// (std has no wait with a timeout; this polls every 10 ms.)
    #[expect(
        clippy::disallowed_methods,
        reason = "a real peer process runs on the real clock"
    )]
    pub fn wait_exit(&mut self, deadline: std::time::Instant) -> Option<std::process::ExitStatus> {
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// Borrows the child, for its pipes.
    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl Drop for PeerProcess {
    fn drop(&mut self) {
        // `kill -KILL -- -PGID` ends the whole group (the peer and anything it forked); the
        // child itself is then reaped so it does not linger as a zombie.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(std::process::Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh directory under the system temp dir, removed with its contents on drop.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `sansrtc-<label>-<pid>-<n>` under the system temp dir.
    ///
    /// # Errors
    ///
    /// When the directory cannot be created.
    pub fn new(label: &str) -> std::io::Result<Self> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("sansrtc-{label}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(Self { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Reads a child's pipe into `into` on a thread until end of file.
#[expect(
    clippy::disallowed_methods,
    reason = "a peer process's output is read on a thread while the test drives its endpoint"
)]
pub(crate) fn collect(
    mut pipe: impl std::io::Read + Send + 'static,
    into: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        // Ends at end of file, which comes when the process (group) is killed.
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            into.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend_from_slice(&buf[..n]);
        }
    });
}

/// What a pipe collected so far, as text.
pub(crate) fn snapshot(buffer: &std::sync::Mutex<Vec<u8>>) -> String {
    String::from_utf8_lossy(
        &buffer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_flag_values() {
        assert!(!ci_flag(None));
        assert!(!ci_flag(Some("")));
        assert!(!ci_flag(Some("0")));
        assert!(!ci_flag(Some("false")));
        assert!(ci_flag(Some("true")));
        assert!(ci_flag(Some("1")));
    }

    #[test]
    fn missing_peer_fails_under_ci_and_skips_otherwise() {
        let name = "sansrtc-no-such-peer-program";
        assert!(matches!(locate(name, true), PeerAvailability::Fail(m) if m.contains(name)));
        assert!(matches!(locate(name, false), PeerAvailability::Skip(m) if m.contains(name)));
    }

    #[test]
    fn present_program_is_found() {
        assert!(matches!(locate("sh", true), PeerAvailability::Found(p) if p.ends_with("sh")));
    }

    #[test]
    fn peer_process_group_is_killed_on_drop() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 30 & sleep 30"]);
        let mut peer = PeerProcess::spawn(cmd).unwrap();
        let pgid = peer.id();
        assert!(!peer.has_exited());
        drop(peer);
        // No process may remain in the group (zombies awaiting reaping by init do not count).
        let alive = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
            .filter(|stat| {
                let fields: Vec<&str> = stat
                    .rsplit(')')
                    .next()
                    .unwrap_or("")
                    .split_whitespace()
                    .collect();
                fields.first() != Some(&"Z") && fields.get(2) == Some(&pgid.to_string().as_str())
            })
            .count();
        assert_eq!(alive, 0, "processes left in group {pgid}");
    }

    #[test]
    fn temp_dir_is_removed_on_drop() {
        let dir = TempDir::new("selftest").unwrap();
        let path = dir.path().to_path_buf();
        std::fs::write(path.join("f"), b"x").unwrap();
        drop(dir);
        assert!(!path.exists());
    }
}
