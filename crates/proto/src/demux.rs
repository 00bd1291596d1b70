//! Demultiplexing a shared port by the first byte of each datagram (RFC 7983 §7, as updated by
//! RFC 9443 §3).
//!
//! WebRTC runs STUN, DTLS, (S)RTP/(S)RTCP and TURN ChannelData over one 5-tuple. The first byte
//! tells them apart:
//!
//! | first byte | protocol |
//! |---|---|
//! | 0–3 | STUN |
//! | 16–19 | ZRTP |
//! | 20–63 | DTLS |
//! | 64–79 | TURN ChannelData |
//! | 128–191 | RTP and RTCP |
//!
//! Everything else is [`Class::Unknown`] and is dropped by the facade (RFC 7983 §7: "the packet
//! MUST be dropped").

/// What a datagram on a shared WebRTC port is, judged by its first byte (RFC 7983 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Class {
    /// A STUN message (first byte 0–3). Confirm with the magic cookie before trusting it.
    Stun,
    /// A ZRTP packet (16–19).
    Zrtp,
    /// A DTLS record (20–63).
    Dtls,
    /// A TURN ChannelData message (64–79).
    ChannelData,
    /// An RTP or RTCP packet (128–191); RFC 5761 §4 tells the two apart by payload type.
    Rtp,
    /// None of the above, or an empty datagram: drop it.
    Unknown,
}

/// Classifies a datagram by its first byte (RFC 7983 §7, RFC 9443 §3).
///
/// ```
/// use sansrtc_proto::demux::{classify, Class};
/// assert_eq!(classify(&[0x00, 0x01]), Class::Stun);
/// assert_eq!(classify(&[22, 0xfe, 0xfd]), Class::Dtls);
/// assert_eq!(classify(&[0x80, 111]), Class::Rtp);
/// assert_eq!(classify(&[]), Class::Unknown);
/// ```
pub const fn classify(datagram: &[u8]) -> Class {
    match datagram.first() {
        Some(0..=3) => Class::Stun,
        Some(16..=19) => Class::Zrtp,
        Some(20..=63) => Class::Dtls,
        Some(64..=79) => Class::ChannelData,
        Some(128..=191) => Class::Rtp,
        _ => Class::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_boundaries_follow_rfc7983() {
        let cases: [(u8, Class); 16] = [
            (0, Class::Stun),
            (3, Class::Stun),
            (4, Class::Unknown),
            (15, Class::Unknown),
            (16, Class::Zrtp),
            (19, Class::Zrtp),
            (20, Class::Dtls),
            (63, Class::Dtls),
            (64, Class::ChannelData),
            (79, Class::ChannelData),
            (80, Class::Unknown),
            (127, Class::Unknown),
            (128, Class::Rtp),
            (191, Class::Rtp),
            (192, Class::Unknown),
            (255, Class::Unknown),
        ];
        for (first, class) in cases {
            assert_eq!(classify(&[first, 0, 0]), class, "first byte {first}");
        }
    }

    #[test]
    fn empty_datagram_is_unknown() {
        assert_eq!(classify(&[]), Class::Unknown);
    }
}
