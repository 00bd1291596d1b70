//! A peer program run with piped stdin, its stdout and stderr collected in the background by
//! threads, so a test can poll what it printed while driving its own endpoint. The process
//! group is killed when it drops, panics included. OpenSSL and the usrsctp examples both run
//! this way.
#![expect(
    clippy::disallowed_methods,
    reason = "interop tests run peer programs and wait for them with the real clock"
)]

use std::io::Write;
use std::process::{ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::{PeerProcess, collect, snapshot};

/// A running peer program with piped stdio.
#[derive(Debug)]
pub struct PipedProcess {
    name: &'static str,
    process: PeerProcess,
    stdin: Option<ChildStdin>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl PipedProcess {
    /// Starts `command` with piped stdio in its own process group; `name` labels its output
    /// in failure messages.
    ///
    /// # Errors
    ///
    /// When the process cannot be started.
    pub fn spawn(name: &'static str, mut command: Command) -> std::io::Result<Self> {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut process = PeerProcess::spawn(command)?;
        let child = process.child_mut();
        let stdin = child.stdin.take();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(pipe) = child.stdout.take() {
            collect(pipe, stdout.clone());
        }
        if let Some(pipe) = child.stderr.take() {
            collect(pipe, stderr.clone());
        }
        Ok(Self {
            name,
            process,
            stdin,
            stdout,
            stderr,
        })
    }

    /// Everything printed on stdout so far.
    pub fn stdout(&self) -> String {
        snapshot(&self.stdout)
    }

    /// Everything printed on stderr so far.
    pub fn stderr(&self) -> String {
        snapshot(&self.stderr)
    }

    /// Both streams, labelled, for failure messages.
    pub fn transcript(&self) -> String {
        format!(
            "--- {0} stdout ---\n{1}\n--- {0} stderr ---\n{2}",
            self.name,
            self.stdout(),
            self.stderr()
        )
    }

    /// Writes `line` and a newline to stdin.
    ///
    /// # Errors
    ///
    /// When stdin was closed or the pipe broke.
    pub fn send_line(&mut self, line: &str) -> std::io::Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| std::io::Error::other("stdin already closed"))?;
        stdin.write_all(format!("{line}\n").as_bytes())?;
        stdin.flush()
    }

    /// Closes stdin.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Whether the process has exited.
    pub fn has_exited(&mut self) -> bool {
        self.process.has_exited()
    }

    /// Waits until stdout satisfies `done`, or `deadline` passes (an error with the transcript).
    ///
    /// # Errors
    ///
    /// A description of what was awaited, with everything the program printed.
    pub fn wait_for_stdout(
        &self,
        deadline: Instant,
        what: &str,
        mut done: impl FnMut(&str) -> bool,
    ) -> Result<String, String> {
        loop {
            let out = self.stdout();
            if done(&out) {
                return Ok(out);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "timed out waiting for {} to print {what}\n{}",
                    self.name,
                    self.transcript()
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits until the process exits, or `deadline` passes: its exit status, or `None`.
    pub fn wait_exit(&mut self, deadline: Instant) -> Option<ExitStatus> {
        self.process.wait_exit(deadline)
    }
}
