//! SRTP and SRTCP for sansrtc (RFC 3711), with the profiles WebRTC uses:
//! `AES_CM_128_HMAC_SHA1_80` and `_32` (RFC 3711, RFC 5764), `AEAD_AES_128_GCM` and
//! `AEAD_AES_256_GCM` (RFC 7714), and `AES_256_CM_HMAC_SHA1_80` (RFC 6188).
//!
//! - Keys: [`MasterKey`], or [`DtlsSrtpKeys::split`] / [`Session::from_dtls`] on DTLS exporter
//!   output (RFC 5764 §4.2). Session keys are derived once (RFC 3711 §4.3) and every cipher key
//!   schedule, GHASH table and HMAC pad state is precomputed per context.
//! - [`Context`]: one direction. `protect_*` encrypts in place and appends the tag in the
//!   buffer's spare capacity; `unprotect_*` authenticates, checks the replay window and
//!   decrypts in place. Nothing is allocated per packet once an SSRC is known.
//! - Per SSRC: rollover-counter estimation across sequence wraps (RFC 3711 §3.3.1), a replay
//!   window of 64 to 32768 packets (§3.3.2), and the SRTCP index with its E flag (§3.4).
//!   State is created only by packets that authenticate, and bounded by
//!   [`Config::max_streams`].
//! - No index twice under one key: a context never protects a packet index, nor accepts one,
//!   twice for an SSRC (RFC 3711 §3.3.1, §3.4, §9.1; RFC 7714 §8.1, §9.1 build the GCM IV
//!   from SSRC and index, so a repeat would leak plaintext and allow forgery).
//!   [`Context::remove_stream`] frees a stream's state but keeps its SRTP and SRTCP
//!   high-water marks (a 24-byte entry) for the life of the context, so an SSRC that comes back
//!   carries on above them, and an old packet replayed to a receiver stays refused; these
//!   marks count toward [`Config::max_streams`]. [`Context::set_roc`] never moves an SSRC
//!   back. [`Config::allow_repeat_tx`] repeats only an index of the stream as it lives now.
//!   The guarantee is per context: use one sending context per key.
//!
//! ```
//! use sansrtc_srtp::{Config, Context, MasterKey, Profile};
//!
//! let key = MasterKey::new(Profile::AeadAes128Gcm, &[7; 16], &[9; 12]).unwrap();
//! let mut sender = Context::new(&key, Config::default()).unwrap();
//! let mut receiver = Context::new(&key, Config::default()).unwrap();
//!
//! let rtp = [0x80, 96, 0, 1, 0, 0, 0, 160, 0x12, 0x34, 0x56, 0x78, b'h', b'i'];
//! let mut packet = Vec::with_capacity(rtp.len() + Profile::AeadAes128Gcm.rtp_overhead());
//! packet.extend_from_slice(&rtp);
//! sender.protect_rtp(&mut packet).unwrap();
//! assert_ne!(&packet[12..14], b"hi");
//!
//! let len = receiver.unprotect_rtp(&mut packet).unwrap();
//! assert_eq!(&packet[..len], &rtp);
//! assert_eq!(receiver.unprotect_rtp(&mut packet.clone()), Err(sansrtc_srtp::Error::Replay));
//! ```
#![forbid(unsafe_code)]

mod context;
mod crypto;
mod error;
mod index;
mod kdf;
mod keying;
mod profile;
mod replay;
mod session;
mod srtcp;
mod transform;

#[cfg(test)]
mod tests;

pub use context::{Config, Context};
pub use error::Error;
pub use keying::{DtlsSrtpKeys, MasterKey, Role, keying_material_len};
pub use profile::Profile;
pub use replay::MAX_REPLAY_WINDOW;
pub use session::Session;
