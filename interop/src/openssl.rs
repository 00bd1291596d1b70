//! Running the `openssl` binary (OpenSSL 3.0 `s_server` / `s_client`) on 127.0.0.1 for DTLS
//! interop tests, and reading what it prints: the negotiated cipher, the use_srtp profile, the
//! exported keying material, the peer's certificate, and the application data it received.
//!
//! The process's stdout and stderr are read by background threads into shared buffers, so a
//! test can poll them while it drives its own endpoint; its stdin is a pipe the test writes
//! lines into (OpenSSL sends each line as application data) and closes to make OpenSSL send
//! close_notify. The process group is killed when the [`OpensslProcess`] drops, panics included.
#![expect(
    clippy::disallowed_types,
    reason = "interop tests run OpenSSL on loopback and find it a free UDP port"
)]

use crate::piped::PipedProcess;
use std::ffi::OsStr;
use std::io::Write;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// A UDP port on 127.0.0.1 that was free when asked (for `s_server -accept`).
///
/// # Errors
///
/// When no socket can be bound.
pub fn free_udp_port() -> std::io::Result<u16> {
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    Ok(socket.local_addr()?.port())
}

/// A self-signed ECDSA P-256 certificate made by `openssl req`, as WebRTC endpoints use.
#[derive(Debug, Clone)]
pub struct OpensslCert {
    /// The PEM certificate file.
    pub cert_pem: PathBuf,
    /// The PEM private key file.
    pub key_pem: PathBuf,
    /// The certificate in DER (`openssl x509 -outform DER`).
    pub der: Vec<u8>,
    /// OpenSSL's SHA-256 fingerprint, `AB:CD:...` (upper-case hex, as `a=fingerprint` has it).
    pub sha256_fingerprint: String,
}

fn run(openssl: &Path, args: &[&OsStr], stdin: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let mut command = Command::new(openssl);
    command
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", openssl.display()))?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(input)
            .map_err(|e| format!("writing to openssl: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("waiting for openssl: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "openssl {args:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(output.stdout)
}

/// Reads `sha256 Fingerprint=AB:CD:...` (from `openssl x509 -noout -fingerprint -sha256`)
/// and returns `AB:CD:...`.
pub fn parse_fingerprint_line(text: &str) -> Option<String> {
    let line = text.lines().find(|l| l.contains("Fingerprint="))?;
    let (_, value) = line.split_once('=')?;
    Some(value.trim().to_ascii_uppercase())
}

/// The SHA-256 fingerprint (`AB:CD:...`) of a PEM certificate, computed by `openssl x509`.
///
/// # Errors
///
/// When OpenSSL cannot read the certificate.
pub fn pem_sha256_fingerprint(openssl: &Path, pem: &str) -> Result<String, String> {
    let out = run(
        openssl,
        &["x509", "-noout", "-fingerprint", "-sha256"].map(OsStr::new),
        Some(pem.as_bytes()),
    )?;
    let text = String::from_utf8_lossy(&out);
    parse_fingerprint_line(&text).ok_or_else(|| format!("no fingerprint in {text:?}"))
}

/// Makes `<name>.pem` and `<name>.key.pem` in `dir` with `openssl req` (self-signed ECDSA
/// P-256, subject `CN=<common_name>`), and reads back the DER and the SHA-256 fingerprint.
///
/// # Errors
///
/// When OpenSSL fails.
pub fn make_self_signed_cert(
    openssl: &Path,
    dir: &Path,
    name: &str,
    common_name: &str,
) -> Result<OpensslCert, String> {
    let cert_pem = dir.join(format!("{name}.pem"));
    let key_pem = dir.join(format!("{name}.key.pem"));
    let der_path = dir.join(format!("{name}.der"));
    let subject = format!("/CN={common_name}");
    run(
        openssl,
        &[
            OsStr::new("req"),
            OsStr::new("-x509"),
            OsStr::new("-newkey"),
            OsStr::new("ec"),
            OsStr::new("-pkeyopt"),
            OsStr::new("ec_paramgen_curve:prime256v1"),
            OsStr::new("-nodes"),
            OsStr::new("-keyout"),
            key_pem.as_os_str(),
            OsStr::new("-out"),
            cert_pem.as_os_str(),
            OsStr::new("-days"),
            OsStr::new("30"),
            OsStr::new("-subj"),
            OsStr::new(&subject),
        ],
        None,
    )?;
    run(
        openssl,
        &[
            OsStr::new("x509"),
            OsStr::new("-in"),
            cert_pem.as_os_str(),
            OsStr::new("-outform"),
            OsStr::new("DER"),
            OsStr::new("-out"),
            der_path.as_os_str(),
        ],
        None,
    )?;
    let der =
        std::fs::read(&der_path).map_err(|e| format!("reading {}: {e}", der_path.display()))?;
    let pem = std::fs::read_to_string(&cert_pem)
        .map_err(|e| format!("reading {}: {e}", cert_pem.display()))?;
    let sha256_fingerprint = pem_sha256_fingerprint(openssl, &pem)?;
    Ok(OpensslCert {
        cert_pem,
        key_pem,
        der,
        sha256_fingerprint,
    })
}

/// A running `openssl` command with piped stdin (s_server and s_client send each line as one
/// application data record; closing it makes them send close_notify), and stdout/stderr
/// collected in the background.
#[derive(Debug)]
pub struct OpensslProcess(PipedProcess);

impl OpensslProcess {
    /// Starts `openssl <args>` in `dir`, in its own process group.
    ///
    /// # Errors
    ///
    /// When the process cannot be started.
    pub fn spawn<S: AsRef<OsStr>>(openssl: &Path, args: &[S], dir: &Path) -> std::io::Result<Self> {
        let mut command = Command::new(openssl);
        command.args(args).current_dir(dir);
        PipedProcess::spawn("OpenSSL", command).map(Self)
    }

    /// Waits until the process exits, or `deadline` passes; returns whether it exited.
    pub fn wait_exit(&mut self, deadline: Instant) -> bool {
        self.0.wait_exit(deadline).is_some()
    }
}

impl std::ops::Deref for OpensslProcess {
    type Target = PipedProcess;
    fn deref(&self) -> &PipedProcess {
        &self.0
    }
}

impl std::ops::DerefMut for OpensslProcess {
    fn deref_mut(&mut self) -> &mut PipedProcess {
        &mut self.0
    }
}

/// What `s_server` / `s_client` reported about a finished handshake.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandshakeReport {
    /// The cipher suite, in OpenSSL's naming (`ECDHE-ECDSA-AES128-GCM-SHA256`).
    pub cipher: Option<String>,
    /// The use_srtp profile, in OpenSSL's naming (`SRTP_AEAD_AES_128_GCM`).
    pub srtp_profile: Option<String>,
    /// The exported keying material (`-keymatexport`).
    pub keying_material: Option<Vec<u8>>,
    /// s_client only: whether the extended master secret was negotiated.
    pub extended_master_secret: Option<bool>,
    /// The peer's certificate as OpenSSL printed it (PEM), if it did.
    pub peer_certificate_pem: Option<String>,
}

/// Decodes hex (either case); `None` on an odd length or a bad digit.
pub fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    let hex = hex.trim();
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Reads the handshake summary out of `s_server` or `s_client` stdout.
///
/// `s_server` prints `CIPHER is X`, `s_client` prints `New, TLSv1.2, Cipher is X`; both print
/// `SRTP Extension negotiated, profile=X` and `Keying material: HEX`. The first PEM
/// certificate block in the output is the peer's (`Client certificate` from s_server,
/// `Server certificate` from s_client).
pub fn parse_report(stdout: &str) -> HandshakeReport {
    let mut report = HandshakeReport::default();
    for line in stdout.lines() {
        let line = line.trim();
        if report.cipher.is_none()
            && let Some((_, cipher)) = line
                .split_once("CIPHER is ")
                .or_else(|| line.split_once("Cipher is "))
        {
            report.cipher = Some(cipher.trim().to_owned());
        }
        if report.srtp_profile.is_none()
            && let Some(profile) = line.strip_prefix("SRTP Extension negotiated, profile=")
        {
            report.srtp_profile = Some(profile.trim().to_owned());
        }
        if report.keying_material.is_none()
            && let Some(hex) = line.strip_prefix("Keying material:")
        {
            report.keying_material = decode_hex(hex);
        }
        if let Some(ems) = line.strip_prefix("Extended master secret:") {
            report.extended_master_secret = Some(ems.trim() == "yes");
        }
    }
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    if let Some(start) = stdout.find(BEGIN)
        && let Some(len) = stdout[start..].find(END)
    {
        report.peer_certificate_pem =
            Some(format!("{}\n", &stdout[start..start + len + END.len()]));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    const S_SERVER: &str = "Using default temp DH parameters\nACCEPT\n\
        -----BEGIN SSL SESSION PARAMETERS-----\nMIIC\n-----END SSL SESSION PARAMETERS-----\n\
        Client certificate\n-----BEGIN CERTIFICATE-----\nMIIBeDCC\n-----END CERTIFICATE-----\n\
        subject=CN = client\nShared ciphers:ECDHE-ECDSA-AES128-GCM-SHA256\n\
        CIPHER is ECDHE-ECDSA-AES128-GCM-SHA256\n\
        SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80\n\
        Keying material exporter:\n    Label: 'EXTRACTOR-dtls_srtp'\n    Length: 60 bytes\n\
        \x20   Keying material: 2DBC15D6\nhello\n";

    const S_CLIENT: &str = "CONNECTED(00000003)\n---\nServer certificate\n\
        -----BEGIN CERTIFICATE-----\nMIIBcjCC\n-----END CERTIFICATE-----\n\
        New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384\n\
        SRTP Extension negotiated, profile=SRTP_AEAD_AES_128_GCM\nSSL-Session:\n\
        \x20   Cipher    : ECDHE-ECDSA-AES256-GCM-SHA384\n    Extended master secret: yes\n\
        \x20   Keying material: e39b0c15\n";

    #[test]
    fn reads_s_server_report() {
        let report = parse_report(S_SERVER);
        assert_eq!(
            report.cipher.as_deref(),
            Some("ECDHE-ECDSA-AES128-GCM-SHA256")
        );
        assert_eq!(
            report.srtp_profile.as_deref(),
            Some("SRTP_AES128_CM_SHA1_80")
        );
        assert_eq!(report.keying_material, Some(vec![0x2d, 0xbc, 0x15, 0xd6]));
        assert_eq!(report.extended_master_secret, None);
        assert_eq!(
            report.peer_certificate_pem.as_deref(),
            Some("-----BEGIN CERTIFICATE-----\nMIIBeDCC\n-----END CERTIFICATE-----\n")
        );
    }

    #[test]
    fn reads_s_client_report() {
        let report = parse_report(S_CLIENT);
        assert_eq!(
            report.cipher.as_deref(),
            Some("ECDHE-ECDSA-AES256-GCM-SHA384")
        );
        assert_eq!(
            report.srtp_profile.as_deref(),
            Some("SRTP_AEAD_AES_128_GCM")
        );
        assert_eq!(report.keying_material, Some(vec![0xe3, 0x9b, 0x0c, 0x15]));
        assert_eq!(report.extended_master_secret, Some(true));
        assert!(report.peer_certificate_pem.is_some());
    }

    #[test]
    fn nothing_negotiated_reads_as_none() {
        assert_eq!(parse_report("ACCEPT\n"), HandshakeReport::default());
    }

    #[test]
    fn hex_and_fingerprints() {
        assert_eq!(decode_hex("0aFf"), Some(vec![0x0a, 0xff]));
        assert_eq!(decode_hex("abc"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(
            parse_fingerprint_line("sha256 Fingerprint=a3:9B:2D\n").as_deref(),
            Some("A3:9B:2D")
        );
        assert_eq!(parse_fingerprint_line("nothing"), None);
    }
}
