//! DTLS 1.2 (RFC 6347 over RFC 5246) for sansrtc, as a Sans-IO state machine: a client and a
//! server with mutual certificate authentication, as WebRTC uses them (RFC 8827).
//!
//! Work in progress (issue 6): the building blocks are in place and tested, the handshake
//! state machine is not yet. Landed so far:
//! - [`wire`]: DTLS records (RFC 6347 §4.1), alerts, and the code points the handshake
//!   negotiates.
//! - [`record`]: the record layer: epochs, 48-bit sequence numbers, the anti-replay window
//!   (RFC 6347 §4.1.2.6) and AEAD record protection with explicit nonces (RFC 5288 §3,
//!   RFC 7905 §2); records that fail to decrypt are dropped and counted (§4.1.2.7).
//! - [`prf`]: the TLS 1.2 PRF (RFC 5246 §5), the master secret (RFC 5246 §8.1, RFC 7627 §4),
//!   the key block (§6.3), Finished verify_data (§7.4.9) and the exporter (RFC 5705 §4).
//! - [`crypto`]: ECDHE over X25519, P-256 and P-384; the peer certificate's key and
//!   signature verification (ECDSA, RSA PKCS#1 and PSS).
//! - [`identity`]: self-signed ECDSA P-256 certificates and RFC 8122 fingerprints.
//! - [`cookie`]: stateless HelloVerifyRequest cookies (RFC 6347 §4.2.1).
//! - [`suite`], [`timer`], [`transcript`]: suite parameters, the RFC 6347 §4.2.4
//!   retransmission timer, the handshake transcript.
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
