//! Running coturn's test client, `turnutils_uclient` (Debian `coturn`), against a TURN server
//! on 127.0.0.1 and reading its verdict: how many packets it sent and received, how many were
//! lost, and which error responses it saw.
//!
//! The process runs in its own process group, is killed after a deadline, and its output is
//! captured whole (it prints a summary at exit).
#![expect(
    clippy::disallowed_methods,
    reason = "interop tests wait for a child process with the real clock"
)]

use crate::PeerProcess;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a `turnutils_uclient` run printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UclientRun {
    /// Exit status code (`None` when it was killed at the deadline or by a signal).
    pub exit_code: Option<i32>,
    /// Whether the deadline killed it.
    pub timed_out: bool,
    /// stdout and stderr, concatenated.
    pub output: String,
}

impl UclientRun {
    /// The number after `label` in the summary line, e.g. `Total lost packets 0 (0.0%)`.
    pub fn total(&self, label: &str) -> Option<u64> {
        parse_total(&self.output, label)
    }
}

/// Reads the number after `label` in uclient's output (`Total send messages 20`,
/// `Total lost packets 0 (0.000000%)`, ...).
pub fn parse_total(output: &str, label: &str) -> Option<u64> {
    output.lines().rev().find_map(|line| {
        let at = line.find(label)?;
        line[at + label.len()..]
            .trim_start_matches([':', '=', ' ', '\t'])
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    })
}

/// Runs `turnutils_uclient` with `args` (the server address last) until it exits or
/// `deadline` passes, then kills its process group.
///
/// # Errors
///
/// When the process cannot be started or its output read.
pub fn run_uclient(
    program: &Path,
    args: &[&str],
    deadline: Duration,
) -> std::io::Result<UclientRun> {
    let dir = crate::TempDir::new("uclient")?;
    let out_path = dir.path().join("out.log");
    let out = std::fs::File::create(&out_path)?;
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out);
    let mut process = PeerProcess::spawn(command)?;
    let status = process.wait_exit(Instant::now() + deadline);
    let timed_out = status.is_none();
    let exit_code = status.and_then(|s| s.code());
    drop(process);
    let mut output = String::new();
    std::fs::File::open(&out_path)?.read_to_string(&mut output)?;
    Ok(UclientRun {
        exit_code,
        timed_out,
        output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_totals_are_read() {
        let out = "0: start\n1: Total connect time is 0\n1: Total transmit time is 2\n\
                   1: Total lost packets 3 (15.000000%), total send dropped 0 (0.000000%)\n\
                   1: Total send messages 20\n";
        assert_eq!(parse_total(out, "Total lost packets"), Some(3));
        assert_eq!(parse_total(out, "Total send messages"), Some(20));
        assert_eq!(parse_total(out, "Total nothing"), None);
        let out = "3: : start_mclient: tot_send_msgs=20, tot_recv_msgs=19\n";
        assert_eq!(parse_total(out, "tot_send_msgs"), Some(20));
        assert_eq!(parse_total(out, "tot_recv_msgs"), Some(19));
    }
}
