//! Which protocol a datagram belongs to, by its first byte (RFC 7983 §7, as updated by
//! RFC 9443): STUN, DTLS, or RTP/RTCP (SRTP and SRTCP once media is added).

/// The protocol of a datagram on the ICE transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// 0–3: STUN (ICE checks, consent, TURN).
    Stun,
    /// 20–63: DTLS.
    Dtls,
    /// 128–191: RTP and RTCP.
    Rtp,
    /// Anything else (ZRTP, QUIC, TURN channels, junk): dropped.
    Other,
}

/// Classifies a datagram by its first byte.
pub(crate) fn classify(datagram: &[u8]) -> Kind {
    match datagram.first() {
        Some(0..=3) => Kind::Stun,
        Some(20..=63) => Kind::Dtls,
        Some(128..=191) => Kind::Rtp,
        _ => Kind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_range_of_rfc_7983_maps_to_its_protocol() {
        for (byte, kind) in [
            (0, Kind::Stun),
            (3, Kind::Stun),
            (4, Kind::Other),
            (19, Kind::Other),
            (20, Kind::Dtls),
            (63, Kind::Dtls),
            (64, Kind::Other),
            (127, Kind::Other),
            (128, Kind::Rtp),
            (191, Kind::Rtp),
            (192, Kind::Other),
        ] {
            assert_eq!(classify(&[byte, 0, 0]), kind, "{byte}");
        }
        assert_eq!(classify(&[]), Kind::Other);
    }
}
