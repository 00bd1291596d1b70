//! The harness of `dtls_openssl.rs`: OpenSSL processes, our endpoint on a real UDP socket,
//! and the checks each run makes.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "interop tests use real loopback sockets, processes and the real clock"
)]

use sansrtc_dtls::endpoint::{Config, Endpoint, Event, FailReason, Role};
use sansrtc_dtls::identity::{Fingerprint, FingerprintHash, Identity};
use sansrtc_dtls::wire::{AlertDescription, CipherSuite, NamedGroup, SrtpProfileId};
use sansrtc_interop::driver::{Captured, Driver, Io};
use sansrtc_interop::openssl::{
    HandshakeReport, OpensslCert, OpensslProcess, free_udp_port, make_self_signed_cert,
    parse_report, pem_sha256_fingerprint,
};
use sansrtc_interop::{TempDir, require_peer};
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every test finishes (or fails) within this.
pub(crate) const TEST_TIME: Duration = Duration::from_secs(20);
pub(crate) const EXPORTER_LABEL: &str = "EXTRACTOR-dtls_srtp";
/// What OpenSSL is asked to export (`-keymatexportlen`): the AES128_CM_SHA1_80 length.
pub(crate) const EXPORT_LEN: usize = 60;
/// A line OpenSSL sends us (not starting with one of s_server's / s_client's command letters).
pub(crate) const FROM_OPENSSL: &str = "hello-from-openssl";
pub(crate) const FROM_US: &str = "ping-from-sansrtc";

/// Which side ends the connection with close_notify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closer {
    /// We call `close()`; OpenSSL must see the close_notify and end.
    Us,
    /// OpenSSL's stdin closes, so it sends close_notify; we must report `Event::Closed`.
    /// s_client only: s_server (3.0) closes its socket before its SSL_shutdown, so its
    /// close_notify never leaves (an s_client peer does not see one either).
    Openssl,
}

/// One interop run.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    /// OpenSSL `-cipher` list.
    pub(crate) cipher: &'static str,
    /// OpenSSL `-groups` list. In TLS 1.2 it also limits the curves of the peer's ECDSA
    /// certificate, so it must contain P-256 (the curve of ours).
    pub(crate) groups: &'static str,
    /// Our `groups` (`None`: the default list).
    pub(crate) our_groups: Option<Vec<NamedGroup>>,
    /// The ECDHE group that must be negotiated (read from the ServerKeyExchange on the wire).
    pub(crate) group: NamedGroup,
    /// OpenSSL `-use_srtp` list.
    pub(crate) openssl_srtp: &'static str,
    /// Our `srtp_profiles` (`None`: the default list).
    pub(crate) our_srtp: Option<Vec<SrtpProfileId>>,
    /// OpenSSL `-mtu` (`None`: not given; s_server then fragments its flight into ~230-byte
    /// pieces on loopback, s_client, whose socket is connected, sends whole messages).
    pub(crate) openssl_mtu: Option<u16>,
    /// Our `mtu` (`None`: the default).
    pub(crate) our_mtu: Option<usize>,
    pub(crate) closer: Closer,
    /// The suite that must be negotiated.
    pub(crate) suite: CipherSuite,
    /// The SRTP profile that must be negotiated.
    pub(crate) profile: Option<SrtpProfileId>,
    /// OpenSSL's flight must reach us in handshake fragments (checks our reassembly).
    pub(crate) expect_fragmented_peer_flight: bool,
    /// Our MTU is below a handshake message's size: we must send it in fragments (checks
    /// OpenSSL reassembles ours).
    pub(crate) expect_our_fragments: bool,
}

impl Case {
    pub(crate) fn new(cipher: &'static str, openssl_srtp: &'static str) -> Self {
        Self {
            cipher,
            groups: "P-256:X25519",
            our_groups: None,
            group: NamedGroup::X25519,
            openssl_srtp,
            our_srtp: None,
            openssl_mtu: Some(1200),
            our_mtu: None,
            closer: Closer::Us,
            suite: openssl_suite(cipher),
            profile: openssl_srtp.split(':').next().map(openssl_profile),
            expect_fragmented_peer_flight: false,
            expect_our_fragments: false,
        }
    }

    /// The arguments shared by s_server and s_client.
    pub(crate) fn common_args(&self, cert: &OpensslCert) -> Vec<String> {
        let mut args = vec![
            "-cert".to_owned(),
            cert.cert_pem.display().to_string(),
            "-key".to_owned(),
            cert.key_pem.display().to_string(),
            "-no_ticket".to_owned(),
            "-cipher".to_owned(),
            self.cipher.to_owned(),
            "-groups".to_owned(),
            self.groups.to_owned(),
            "-use_srtp".to_owned(),
            self.openssl_srtp.to_owned(),
            "-keymatexport".to_owned(),
            EXPORTER_LABEL.to_owned(),
            "-keymatexportlen".to_owned(),
            EXPORT_LEN.to_string(),
        ];
        if let Some(mtu) = self.openssl_mtu {
            args.extend(["-mtu".to_owned(), mtu.to_string()]);
        }
        args
    }

    pub(crate) fn configure(&self, config: &mut Config) {
        if let Some(profiles) = &self.our_srtp {
            config.srtp_profiles.clone_from(profiles);
        }
        if let Some(mtu) = self.our_mtu {
            config.mtu = mtu;
        }
        if let Some(groups) = &self.our_groups {
            config.groups.clone_from(groups);
        }
    }

    pub(crate) fn our_mtu(&self) -> usize {
        self.our_mtu.unwrap_or(1200)
    }
}

/// OpenSSL's name of a cipher suite, as ours.
pub(crate) fn openssl_suite(name: &str) -> CipherSuite {
    match name {
        "ECDHE-ECDSA-AES128-GCM-SHA256" => CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-ECDSA-AES256-GCM-SHA384" => CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-ECDSA-CHACHA20-POLY1305" => {
            CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        }
        other => panic!("OpenSSL cipher {other} is not mapped in this test"),
    }
}

/// OpenSSL's name of an SRTP protection profile, as ours.
pub(crate) fn openssl_profile(name: &str) -> SrtpProfileId {
    match name {
        "SRTP_AES128_CM_SHA1_80" => SrtpProfileId::AES128_CM_HMAC_SHA1_80,
        "SRTP_AES128_CM_SHA1_32" => SrtpProfileId::AES128_CM_HMAC_SHA1_32,
        "SRTP_AEAD_AES_128_GCM" => SrtpProfileId::AEAD_AES_128_GCM,
        "SRTP_AEAD_AES_256_GCM" => SrtpProfileId::AEAD_AES_256_GCM,
        other => panic!("OpenSSL SRTP profile {other} is not mapped in this test"),
    }
}

/// The keying material a profile needs (RFC 5764 §4.2: 2 × key + 2 × salt).
pub(crate) fn srtp_keying_len(profile: SrtpProfileId) -> usize {
    match profile {
        SrtpProfileId::AEAD_AES_128_GCM => 2 * 16 + 2 * 12,
        SrtpProfileId::AEAD_AES_256_GCM => 2 * 32 + 2 * 12,
        _ => 2 * 16 + 2 * 14,
    }
}

/// `AB:CD:...` as an RFC 8122 SHA-256 fingerprint.
pub(crate) fn sha256_fingerprint(hex: &str) -> Fingerprint {
    format!("sha-256 {hex}")
        .parse()
        .unwrap_or_else(|e| panic!("OpenSSL fingerprint {hex:?} does not parse: {e:?}"))
}

/// One handshake fragment in a captured datagram (epoch 0, where the handshake is in clear).
#[derive(Debug, Clone)]
pub(crate) struct Fragment {
    pub(crate) msg_type: u8,
    pub(crate) length: u32,
    pub(crate) fragment_offset: u32,
    pub(crate) fragment_length: u32,
    /// The fragment's bytes (after the 12-byte handshake header).
    pub(crate) body: Vec<u8>,
}

/// Parses the epoch-0 handshake fragments of one datagram with a parser of its own (RFC 6347
/// §4.1 record header, §4.2.2 handshake header), independent of the crate under test.
pub(crate) fn handshake_fragments(datagram: &[u8]) -> Vec<Fragment> {
    let u24 = |b: &[u8]| u32::from_be_bytes([0, b[0], b[1], b[2]]);
    let mut fragments = Vec::new();
    let mut rest = datagram;
    while rest.len() >= 13 {
        let content_type = rest[0];
        let epoch = u16::from_be_bytes([rest[3], rest[4]]);
        let len = usize::from(u16::from_be_bytes([rest[11], rest[12]]));
        let Some(mut body) = rest.get(13..13 + len) else {
            break;
        };
        if content_type == 22 && epoch == 0 {
            while body.len() >= 12 {
                let fragment_length = u24(&body[9..12]);
                let end = (12 + fragment_length as usize).min(body.len());
                fragments.push(Fragment {
                    msg_type: body[0],
                    length: u24(&body[1..4]),
                    fragment_offset: u24(&body[6..9]),
                    fragment_length,
                    body: body[12..end].to_vec(),
                });
                body = &body[end..];
            }
        }
        rest = &rest[13 + len..];
    }
    fragments
}

/// Our endpoint on its socket, with every event it has produced.
pub(crate) struct Ours {
    pub(crate) driver: Driver<Endpoint>,
    pub(crate) events: Vec<Event>,
}

impl Ours {
    pub(crate) fn new(config: Config, remote: SocketAddr) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let local = socket.local_addr().expect("local address");
        let endpoint =
            Endpoint::new(config, Instant::now(), local, remote).expect("endpoint config");
        Self {
            driver: Driver::new(endpoint, Io::Udp(socket)).expect("driver"),
            events: Vec::new(),
        }
    }

    pub(crate) fn local(&self) -> SocketAddr {
        self.driver.local()
    }

    pub(crate) fn endpoint(&mut self) -> &mut Endpoint {
        &mut self.driver.machine
    }

    /// Runs the socket loop briefly (timers included).
    pub(crate) fn pump(&mut self) {
        let events = self
            .driver
            .run_for(Duration::from_millis(10))
            .unwrap_or_else(|e| panic!("socket loop: {e}"));
        self.events.extend(events);
    }

    /// Keeps our endpoint running until `done` holds for our events and OpenSSL's stdout.
    pub(crate) fn run_until(
        &mut self,
        peer: &OpensslProcess,
        deadline: Instant,
        what: &str,
        mut done: impl FnMut(&[Event], &str) -> bool,
    ) {
        loop {
            self.pump();
            if done(&self.events, &peer.stdout()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}\nour events: {:?}\nrejected datagrams: {:?}\n{}",
                self.events,
                self.driver.rejected,
                peer.transcript()
            );
        }
    }

    /// Runs the handshake to its end: `Connected` or `Failed`.
    pub(crate) fn handshake(&mut self, peer: &OpensslProcess, deadline: Instant) -> &Event {
        self.run_until(peer, deadline, "the handshake to end", |events, _| {
            events
                .iter()
                .any(|e| matches!(e, Event::Connected { .. } | Event::Failed(_)))
        });
        self.events
            .iter()
            .find(|e| matches!(e, Event::Connected { .. } | Event::Failed(_)))
            .expect("handshake end event")
    }

    pub(crate) fn captured(&self, outbound: bool) -> impl Iterator<Item = &Captured> {
        self.driver
            .captured
            .iter()
            .filter(move |c| c.outbound == outbound)
    }
}

/// A started interop run: OpenSSL, our endpoint, and what each side must see of the other.
pub(crate) struct Run {
    pub(crate) case: Case,
    pub(crate) openssl: PathBuf,
    pub(crate) role: Role,
    pub(crate) deadline: Instant,
    pub(crate) identity: Arc<Identity>,
    /// OpenSSL's certificate (made by `openssl req`).
    pub(crate) peer_cert: OpensslCert,
    pub(crate) ours: Ours,
    pub(crate) peer: OpensslProcess,
    // Last: removed after the process is gone.
    pub(crate) _dir: TempDir,
}

impl Run {
    /// Our client against `s_server`. `pin` overrides the fingerprint our client expects
    /// (default: the fingerprint of OpenSSL's certificate). `None` when OpenSSL is missing
    /// outside CI.
    pub(crate) fn client_with_s_server(case: Case, pin: Option<Fingerprint>) -> Option<Self> {
        let openssl = require_peer("openssl")?;
        let deadline = Instant::now() + TEST_TIME;
        let dir = TempDir::new("dtls-openssl").expect("temp dir");
        let peer_cert = make_self_signed_cert(&openssl, dir.path(), "server", "openssl-server")
            .unwrap_or_else(|e| panic!("{e}"));
        let identity = Arc::new(Identity::generate().expect("identity"));
        let port = free_udp_port().expect("free port");
        let mut args = vec![
            "s_server".to_owned(),
            "-dtls1_2".to_owned(),
            "-accept".to_owned(),
            format!("127.0.0.1:{port}"),
            // CertificateRequest: WebRTC authenticates both sides. Without
            // -verify_return_error, the self-signed client certificate is reported, not refused.
            "-verify".to_owned(),
            "1".to_owned(),
            "-naccept".to_owned(),
            "1".to_owned(),
        ];
        args.extend(case.common_args(&peer_cert));
        eprintln!("openssl {}", args.join(" "));
        let peer = OpensslProcess::spawn(&openssl, &args, dir.path()).expect("start s_server");
        peer.wait_for_stdout(deadline, "ACCEPT", |out| out.contains("ACCEPT\n"))
            .unwrap_or_else(|e| panic!("{e}"));
        let pinned = pin.unwrap_or_else(|| sha256_fingerprint(&peer_cert.sha256_fingerprint));
        let mut config = Config::new(Role::Client, identity.clone(), vec![pinned]);
        case.configure(&mut config);
        let ours = Ours::new(config, SocketAddr::from(([127, 0, 0, 1], port)));
        Some(Self {
            case,
            openssl,
            role: Role::Client,
            deadline,
            identity,
            peer_cert,
            ours,
            peer,
            _dir: dir,
        })
    }

    /// Our server against `s_client` (which does the HelloVerifyRequest cookie exchange our
    /// server asks for by default).
    pub(crate) fn server_with_s_client(case: Case, pin: Option<Fingerprint>) -> Option<Self> {
        let openssl = require_peer("openssl")?;
        let deadline = Instant::now() + TEST_TIME;
        let dir = TempDir::new("dtls-openssl").expect("temp dir");
        let peer_cert = make_self_signed_cert(&openssl, dir.path(), "client", "openssl-client")
            .unwrap_or_else(|e| panic!("{e}"));
        let identity = Arc::new(Identity::generate().expect("identity"));
        let pinned = pin.unwrap_or_else(|| sha256_fingerprint(&peer_cert.sha256_fingerprint));
        let mut config = Config::new(Role::Server, identity.clone(), vec![pinned]);
        case.configure(&mut config);
        assert!(
            config.require_cookie,
            "our server asks for a cookie by default"
        );
        // The server learns the client's address from its ClientHello.
        let ours = Ours::new(config, SocketAddr::from(([127, 0, 0, 1], 9)));
        let mut args = vec![
            "s_client".to_owned(),
            "-dtls1_2".to_owned(),
            "-connect".to_owned(),
            ours.local().to_string(),
        ];
        args.extend(case.common_args(&peer_cert));
        eprintln!("openssl {}", args.join(" "));
        let peer = OpensslProcess::spawn(&openssl, &args, dir.path()).expect("start s_client");
        Some(Self {
            case,
            openssl,
            role: Role::Server,
            deadline,
            identity,
            peer_cert,
            ours,
            peer,
            _dir: dir,
        })
    }

    /// Runs the handshake; panics unless it connected. Returns the suite and profile we report.
    pub(crate) fn connect(&mut self) -> (CipherSuite, Option<SrtpProfileId>) {
        match self.ours.handshake(&self.peer, self.deadline).clone() {
            Event::Connected {
                suite,
                srtp_profile,
            } => (suite, srtp_profile),
            other => panic!(
                "handshake did not complete: {other:?}\nrejected: {:?}\n{}",
                self.ours.driver.rejected,
                self.peer.transcript()
            ),
        }
    }

    /// Waits for OpenSSL's summary of the handshake (complete up to the keying material line).
    pub(crate) fn openssl_report(&self) -> HandshakeReport {
        let out = self
            .peer
            .wait_for_stdout(self.deadline, "its handshake summary", |out| {
                parse_report(out)
                    .keying_material
                    .is_some_and(|k| k.len() == EXPORT_LEN)
            })
            .unwrap_or_else(|e| panic!("{e}"));
        parse_report(&out)
    }

    /// Handshake, agreement on every negotiated value, data both ways, close_notify.
    pub(crate) fn check_full_session(mut self) {
        let started = Instant::now();
        let (suite, profile) = self.connect();
        let report = self.openssl_report();
        let transcript = self.peer.transcript();

        // Cipher suite.
        assert_eq!(
            report.cipher.as_deref(),
            Some(self.case.cipher),
            "OpenSSL's cipher\n{transcript}"
        );
        assert_eq!(suite, self.case.suite, "our suite");
        assert_eq!(
            suite,
            openssl_suite(report.cipher.as_deref().unwrap_or_default()),
            "our suite against OpenSSL's"
        );

        // ECDHE group, from the ServerKeyExchange on the wire (ServerECDHParams: curve_type
        // named_curve(3), then the group, RFC 8422 §5.4), and as s_client names it.
        let ske = self
            .ours
            .captured(self.role == Role::Server)
            .flat_map(|c| handshake_fragments(&c.bytes))
            .find(|f| f.msg_type == 12 && f.fragment_offset == 0 && f.body.len() >= 3)
            .expect("a ServerKeyExchange on the wire");
        assert_eq!(ske.body[0], 3, "named_curve");
        assert_eq!(
            NamedGroup(u16::from_be_bytes([ske.body[1], ske.body[2]])),
            self.case.group,
            "ECDHE group"
        );
        if self.role == Role::Server {
            let name = match self.case.group {
                NamedGroup::X25519 => "X25519",
                NamedGroup::SECP256R1 => "prime256v1",
                NamedGroup::SECP384R1 => "secp384r1",
                other => panic!("group {other:?} not mapped"),
            };
            assert!(
                transcript.contains(&format!("Server Temp Key: ECDH, {name},"))
                    || transcript.contains(&format!("Server Temp Key: {name},")),
                "s_client must report the {name} key exchange\n{transcript}"
            );
        }

        // SRTP profile.
        let openssl_profile_seen = report.srtp_profile.as_deref().map(openssl_profile);
        assert_eq!(profile, self.case.profile, "our SRTP profile\n{transcript}");
        assert_eq!(
            profile, openssl_profile_seen,
            "our SRTP profile against OpenSSL's\n{transcript}"
        );
        assert_eq!(self.ours.endpoint().srtp_profile(), profile);

        // Exporter: 60 bytes, then the profile's own length (a prefix of the same stream).
        let theirs = report
            .keying_material
            .as_deref()
            .expect("OpenSSL keying material");
        let mut exported = [0u8; EXPORT_LEN];
        self.ours
            .endpoint()
            .export_keying_material(EXPORTER_LABEL.as_bytes(), None, &mut exported)
            .expect("export");
        assert_eq!(
            hex(&exported),
            hex(theirs),
            "exported keying material differs from OpenSSL's\n{transcript}"
        );
        if let Some(profile) = profile {
            let mut keys = vec![0u8; srtp_keying_len(profile)];
            self.ours
                .endpoint()
                .export_keying_material(EXPORTER_LABEL.as_bytes(), None, &mut keys)
                .expect("export");
            assert_eq!(keys[..], theirs[..keys.len().min(EXPORT_LEN)]);
        }
        if self.role == Role::Server {
            // s_client says whether EMS (RFC 7627) was used; the exporter agreeing shows we
            // derived the same master secret from it.
            assert_eq!(
                report.extended_master_secret,
                Some(true),
                "EMS\n{transcript}"
            );
        }

        // Certificates: ours reached OpenSSL, OpenSSL's reached us.
        self.check_certificates(&report);

        // Application data, both ways.
        self.ours
            .endpoint()
            .send_application_data(format!("{FROM_US}\n").as_bytes())
            .expect("send application data");
        self.ours.run_until(
            &self.peer,
            self.deadline,
            "OpenSSL to print our application data",
            |_, out| out.contains(&format!("{FROM_US}\n")),
        );
        self.peer.send_line(FROM_OPENSSL).expect("write to OpenSSL");
        let want = format!("{FROM_OPENSSL}\n").into_bytes();
        self.ours.run_until(
            &self.peer,
            self.deadline,
            "OpenSSL's application data",
            |events, _| application_data(events) == want,
        );
        assert_eq!(application_data(&self.ours.events), want);

        self.close();
        self.check_fragmentation();

        assert!(
            !self
                .ours
                .events
                .iter()
                .any(|e| matches!(e, Event::Failed(_))),
            "failure event: {:?}",
            self.ours.events
        );
        assert!(
            self.ours.driver.rejected.is_empty(),
            "we rejected datagrams from OpenSSL: {:?}",
            self.ours.driver.rejected
        );
        assert_eq!(
            self.ours.endpoint().bad_records(),
            0,
            "records failing auth"
        );
        eprintln!(
            "session ({:?}, {:?}) done in {:?}",
            self.role,
            self.case.closer,
            started.elapsed()
        );
    }

    pub(crate) fn check_certificates(&mut self, report: &HandshakeReport) {
        assert_eq!(
            self.ours.endpoint().peer_certificate(),
            Some(self.peer_cert.der.as_slice()),
            "we must hold OpenSSL's certificate"
        );
        assert_eq!(
            sha256_fingerprint(&self.peer_cert.sha256_fingerprint),
            Fingerprint::of(FingerprintHash::Sha256, &self.peer_cert.der),
            "our SHA-256 fingerprint of OpenSSL's certificate against OpenSSL's"
        );
        let pem = report.peer_certificate_pem.as_deref().unwrap_or_else(|| {
            panic!(
                "OpenSSL printed no peer certificate\n{}",
                self.peer.transcript()
            )
        });
        let seen = pem_sha256_fingerprint(&self.openssl, pem).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            sha256_fingerprint(&seen),
            self.identity.fingerprint(),
            "OpenSSL must have received our certificate"
        );
    }

    pub(crate) fn close(&mut self) {
        let exit_deadline = self.deadline;
        match self.case.closer {
            Closer::Us => {
                self.ours.endpoint().close();
                self.ours.pump();
                // On close_notify s_server prints DONE, s_client prints closed; both then end
                // (s_server because of -naccept 1).
                let mut exited = false;
                while !exited {
                    self.ours.pump();
                    exited = self.peer.has_exited();
                    assert!(
                        Instant::now() < exit_deadline,
                        "OpenSSL did not end after our close_notify\n{}",
                        self.peer.transcript()
                    );
                }
                let said = match self.role {
                    Role::Client => "\nDONE\n",
                    Role::Server => "\nclosed\n",
                };
                assert!(
                    self.peer.stdout().contains(said),
                    "OpenSSL must report our close_notify ({said:?})\n{}",
                    self.peer.transcript()
                );
            }
            Closer::Openssl => {
                assert_eq!(
                    self.role,
                    Role::Server,
                    "only s_client sends close_notify when its stdin closes"
                );
                self.peer.close_stdin();
                self.ours.run_until(
                    &self.peer,
                    self.deadline,
                    "OpenSSL's close_notify",
                    |events, _| events.contains(&Event::Closed),
                );
                assert!(
                    self.peer.wait_exit(self.deadline),
                    "OpenSSL did not exit after closing\n{}",
                    self.peer.transcript()
                );
            }
        }
        assert!(!self.ours.endpoint().is_connected());
    }

    pub(crate) fn check_fragmentation(&self) {
        let mtu = self.case.our_mtu();
        let largest = self
            .ours
            .captured(true)
            .map(|c| c.bytes.len())
            .max()
            .unwrap_or(0);
        assert!(
            largest <= mtu,
            "we sent a {largest}-byte datagram over an MTU of {mtu}"
        );
        let inbound: Vec<Fragment> = self
            .ours
            .captured(false)
            .flat_map(|c| handshake_fragments(&c.bytes))
            .collect();
        let partial = inbound
            .iter()
            .filter(|f| f.fragment_length < f.length)
            .count();
        eprintln!(
            "OpenSSL sent {} datagrams with {} handshake fragments ({partial} partial); our largest datagram {largest} bytes",
            self.ours.captured(false).count(),
            inbound.len()
        );
        if self.case.expect_fragmented_peer_flight {
            assert!(
                partial > 0,
                "OpenSSL without -mtu was expected to fragment its handshake messages: {inbound:?}"
            );
        }
        let sent: Vec<Vec<Fragment>> = self
            .ours
            .captured(true)
            .map(|c| handshake_fragments(&c.bytes))
            .collect();
        let summary: Vec<Vec<(u8, u32, u32, u32)>> = sent
            .iter()
            .map(|d| {
                d.iter()
                    .map(|f| (f.msg_type, f.length, f.fragment_offset, f.fragment_length))
                    .collect()
            })
            .collect();
        if self.role == Role::Server && self.case.our_mtu.is_some_and(|m| m < 700) {
            // ServerHello..ServerHelloDone (with a ~300-byte certificate) cannot fit: the
            // flight must span datagrams.
            let flight = [2, 11, 12, 13, 14];
            let datagrams = sent
                .iter()
                .filter(|d| d.iter().any(|f| flight.contains(&f.msg_type)))
                .count();
            assert!(
                datagrams >= 2,
                "our server flight was expected to span datagrams at MTU {mtu}; our datagrams' handshake fragments (type, length, offset, fragment length): {summary:?}"
            );
        }
        if self.case.expect_our_fragments {
            assert!(
                sent.iter().flatten().any(|f| f.fragment_length < f.length),
                "we were expected to fragment a handshake message at MTU {mtu}: {summary:?}"
            );
        }
    }

    /// The handshake must fail on our side with `alert`, and OpenSSL must report `text`.
    pub(crate) fn check_we_fail(mut self, alert: AlertDescription, openssl_says: &str) {
        let end = self.ours.handshake(&self.peer, self.deadline).clone();
        assert_eq!(
            end,
            Event::Failed(FailReason::LocalAlert(alert)),
            "{}",
            self.peer.transcript()
        );
        assert!(self.ours.endpoint().peer_certificate().is_none());
        let mut probe = [0u8; EXPORT_LEN];
        assert!(
            self.ours
                .endpoint()
                .export_keying_material(EXPORTER_LABEL.as_bytes(), None, &mut probe)
                .is_err(),
            "no keys after a failed handshake"
        );
        // Our alert must reach OpenSSL and be understood.
        let deadline = self.deadline;
        let found = loop {
            self.ours.pump();
            let all = format!("{}{}", self.peer.stdout(), self.peer.stderr());
            if all.contains(openssl_says) {
                break true;
            }
            if Instant::now() >= deadline {
                break false;
            }
        };
        assert!(
            found,
            "OpenSSL should report {openssl_says:?}\n{}",
            self.peer.transcript()
        );
    }
}

/// The application data in `events`, concatenated.
pub(crate) fn application_data(events: &[Event]) -> Vec<u8> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::ApplicationData(data) => Some(data.as_slice()),
            _ => None,
        })
        .flatten()
        .copied()
        .collect()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
