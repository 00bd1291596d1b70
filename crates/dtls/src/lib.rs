//! DTLS 1.2 (RFC 6347 over RFC 5246) for sansrtc, as a Sans-IO state machine: a client and a
//! server with mutual certificate authentication, as WebRTC uses them (RFC 8827).
//!
//! - [`endpoint`]: the [`endpoint::Endpoint`], client or server, through the Sans-IO contract
//!   (`handle_receive`, `poll_transmit`, `poll_event`, `poll_timeout`, `handle_timeout`,
//!   `send_application_data`), with the keying material exporter and the peer certificate.
//! - [`wire`]: DTLS records (RFC 6347 §4.1), handshake messages and fragments (§4.2.2–4.3),
//!   alerts, and the code points the handshake negotiates.
//! - [`reassembly`]: handshake fragments to messages, in any order, overlapping or
//!   duplicated, with bounded memory.
//! - [`record`]: epochs, 48-bit sequence numbers, the anti-replay window (RFC 6347 §4.1.2.6)
//!   and AEAD record protection (RFC 5288 §3, RFC 7905 §2); records that fail to decrypt are
//!   dropped and counted (§4.1.2.7).
//! - [`prf`]: the TLS 1.2 PRF (RFC 5246 §5), the master secret and extended master secret
//!   (§8.1, RFC 7627 §4), the key block (§6.3), Finished (§7.4.9) and the exporter (RFC 5705).
//! - [`crypto`]: ECDHE over X25519, P-256 and P-384; the peer certificate's key and signature
//!   verification (ECDSA, RSA PKCS#1 and PSS).
//! - [`identity`]: self-signed ECDSA P-256 certificates (or an RSA one you supply) and RFC 8122
//!   fingerprints.
//! - [`cookie`], [`suite`], [`timer`], [`transcript`]: stateless cookies (RFC 6347 §4.2.1),
//!   suite parameters, the §4.2.4 retransmission timer, the handshake transcript.
//!
//! ```
//! use std::sync::Arc;
//! use sansrtc_dtls::endpoint::{Config, Endpoint, Event, Role};
//! use sansrtc_dtls::identity::Identity;
//! use sansrtc_proto::{Protocol, Receive, SansIo};
//! # #[expect(clippy::disallowed_methods, reason = "a doc example needs one instant")]
//! # fn now() -> std::time::Instant { std::time::Instant::now() }
//!
//! let (a, b) = (Arc::new(Identity::generate().unwrap()), Arc::new(Identity::generate().unwrap()));
//! let (ca, sa) = ("127.0.0.1:1000".parse().unwrap(), "127.0.0.1:2000".parse().unwrap());
//! let t = now();
//! let mut client = Endpoint::new(Config::new(Role::Client, a.clone(), vec![b.fingerprint()]), t, ca, sa).unwrap();
//! let mut server = Endpoint::new(Config::new(Role::Server, b, vec![a.fingerprint()]), t, sa, ca).unwrap();
//! let mut buf = Vec::new();
//! for _ in 0..4 {
//!     while let Some(tx) = client.poll_transmit(t, &mut buf) {
//!         let rx = Receive { proto: Protocol::Udp, source: ca, destination: sa, contents: &buf[..tx.size] };
//!         server.handle_receive(t, rx).unwrap();
//!     }
//!     while let Some(tx) = server.poll_transmit(t, &mut buf) {
//!         let rx = Receive { proto: Protocol::Udp, source: sa, destination: ca, contents: &buf[..tx.size] };
//!         client.handle_receive(t, rx).unwrap();
//!     }
//! }
//! assert!(matches!(client.poll_event(), Some(Event::Connected { .. })));
//! let mut srtp_keys = [0u8; 60];
//! client.export_keying_material(b"EXTRACTOR-dtls_srtp", None, &mut srtp_keys).unwrap();
//! ```
#![forbid(unsafe_code)]

pub mod cookie;
pub mod crypto;
pub mod endpoint;
mod error;
pub mod identity;
pub mod prf;
pub mod reassembly;
pub mod record;
pub mod suite;
pub mod timer;
pub mod transcript;
pub mod wire;

pub use error::Error;
