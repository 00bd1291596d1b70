//! Key exchange and signatures of the handshake, on ring: ephemeral ECDHE over X25519, P-256
//! and P-384 (RFC 8422 §5.4, §5.10), and verification of the peer's signatures with the public
//! key of its certificate (RFC 5246 §7.4.3, §7.4.8).

pub mod kx;
pub mod peer_key;
