//! Errors of SRTP and SRTCP processing. `Copy`, allocation-free.

/// Why a packet could not be protected or unprotected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Shorter than the RTP/RTCP header plus the authentication tag (and SRTCP index).
    #[error("packet too short")]
    TooShort,
    /// Not an RTP or RTCP packet: wrong version, or a header that runs past the packet.
    #[error("malformed RTP or RTCP header")]
    Malformed,
    /// The authentication tag (or AEAD tag) does not match: forged, corrupted, or protected
    /// with other keys (RFC 3711 §3.3 step 5, RFC 7714 §9.1).
    #[error("authentication failed")]
    AuthFailed,
    /// This packet index was already received (or, on protect, already sent) inside the
    /// replay window (RFC 3711 §3.3.2).
    #[error("replayed packet")]
    Replay,
    /// The packet index is older than the replay window can tell (RFC 3711 §3.3.2), or not
    /// above the highest index its SSRC used before a `remove_stream` or `set_roc` (§3.3.1,
    /// §9.1: never protected or accepted twice). From `set_roc`: a rollover counter behind
    /// the one the SSRC already reached.
    #[error("packet older than the replay window or the SSRC's high-water mark")]
    TooOld,
    /// The protection profile identifier is not one this crate implements.
    #[error("unknown SRTP protection profile {0:#06x}")]
    UnknownProfile(u16),
    /// Master key or salt of the wrong length for the profile, or keying material of the
    /// wrong length for RFC 5764 §4.2.
    #[error("key or salt length does not match the profile")]
    BadKeyLength,
    /// The context already holds state for its configured maximum number of SSRCs.
    #[error("too many SSRCs in one SRTP context")]
    TooManyStreams,
    /// The packet index space is used up (2^48 SRTP or 2^31 SRTCP packets): the keys must be
    /// changed (RFC 3711 §9.2).
    #[error("SRTP packet index exhausted; re-key")]
    KeyExhausted,
    /// The caller's buffer has no room for the tag (`protect_*_in_place`).
    #[error("no room in the buffer for the authentication tag")]
    BufferTooSmall,
}
