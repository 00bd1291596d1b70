//! The state cookie (RFC 9260 §5.1.3): what the INIT told us, signed with a secret only we
//! know, handed to the peer in the INIT ACK and brought back in COOKIE ECHO, so that nothing
//! is kept for an INIT until its sender proves it receives at its address.

use ring::hmac;

/// Bytes of the signed fields.
const FIELDS_LEN: usize = 4 + 4 + 4 + 2 + 2 + 8 + 1 + 4 + 4 + 4 + 4;
/// Bytes of the truncated HMAC-SHA256 tag.
const TAG_LEN: usize = 16;
/// Bytes of a cookie.
pub(crate) const COOKIE_LEN: usize = FIELDS_LEN + TAG_LEN;

/// What a cookie carries: the peer's INIT, the tag and initial TSN our INIT ACK announced, the
/// association it may restart (the tie-tags of RFC 9260 §5.2.2), and when it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cookie {
    pub(crate) peer_tag: u32,
    pub(crate) peer_initial_tsn: u32,
    pub(crate) peer_rwnd: u32,
    pub(crate) peer_outbound_streams: u16,
    pub(crate) peer_inbound_streams: u16,
    /// Milliseconds since the association's epoch after which the cookie is stale.
    pub(crate) expires_ms: u64,
    /// The peer's announced features (`Features::to_bits`).
    pub(crate) features: u8,
    /// Our verification tag, as announced in the INIT ACK.
    pub(crate) local_tag: u32,
    /// Our initial TSN, as announced in the INIT ACK.
    pub(crate) local_initial_tsn: u32,
    /// Our tag and the peer's when the INIT ACK went from an established association (0
    /// otherwise): a cookie restarts only the association it was issued by.
    pub(crate) local_tie_tag: u32,
    /// See `local_tie_tag`.
    pub(crate) peer_tie_tag: u32,
}

impl Cookie {
    /// The signed cookie.
    pub(crate) fn seal(&self, key: &hmac::Key) -> [u8; COOKIE_LEN] {
        let mut out = [0u8; COOKIE_LEN];
        out[0..4].copy_from_slice(&self.peer_tag.to_be_bytes());
        out[4..8].copy_from_slice(&self.peer_initial_tsn.to_be_bytes());
        out[8..12].copy_from_slice(&self.peer_rwnd.to_be_bytes());
        out[12..14].copy_from_slice(&self.peer_outbound_streams.to_be_bytes());
        out[14..16].copy_from_slice(&self.peer_inbound_streams.to_be_bytes());
        out[16..24].copy_from_slice(&self.expires_ms.to_be_bytes());
        out[24] = self.features;
        out[25..29].copy_from_slice(&self.local_tag.to_be_bytes());
        out[29..33].copy_from_slice(&self.local_initial_tsn.to_be_bytes());
        out[33..37].copy_from_slice(&self.local_tie_tag.to_be_bytes());
        out[37..41].copy_from_slice(&self.peer_tie_tag.to_be_bytes());
        let tag = hmac::sign(key, &out[..FIELDS_LEN]);
        out[FIELDS_LEN..].copy_from_slice(&tag.as_ref()[..TAG_LEN]);
        out
    }

    /// The cookie's fields, if `bytes` is one of ours (right length, tag verified in constant
    /// time). Expiry is the caller's check.
    pub(crate) fn open(bytes: &[u8], key: &hmac::Key) -> Option<Self> {
        if bytes.len() != COOKIE_LEN {
            return None;
        }
        let tag = hmac::sign(key, &bytes[..FIELDS_LEN]);
        if !sansrtc_proto::constant_time::eq(&tag.as_ref()[..TAG_LEN], &bytes[FIELDS_LEN..]) {
            return None;
        }
        let u32_at = |at: usize| {
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let u16_at = |at: usize| u16::from_be_bytes([bytes[at], bytes[at + 1]]);
        let mut expires = [0u8; 8];
        expires.copy_from_slice(&bytes[16..24]);
        Some(Self {
            peer_tag: u32_at(0),
            peer_initial_tsn: u32_at(4),
            peer_rwnd: u32_at(8),
            peer_outbound_streams: u16_at(12),
            peer_inbound_streams: u16_at(14),
            expires_ms: u64::from_be_bytes(expires),
            features: bytes[24],
            local_tag: u32_at(25),
            local_initial_tsn: u32_at(29),
            local_tie_tag: u32_at(33),
            peer_tie_tag: u32_at(37),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_cookie_opens_and_a_tampered_one_does_not() {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &[7; 32]);
        let cookie = Cookie {
            peer_tag: 0xdead_beef,
            peer_initial_tsn: 12,
            peer_rwnd: 1 << 20,
            peer_outbound_streams: 1024,
            peer_inbound_streams: 65535,
            expires_ms: 60_000,
            features: 0b101,
            local_tag: 99,
            local_initial_tsn: 1234,
            local_tie_tag: 5,
            peer_tie_tag: 6,
        };
        let sealed = cookie.seal(&key);
        assert_eq!(Cookie::open(&sealed, &key), Some(cookie));
        for at in 0..COOKIE_LEN {
            let mut bad = sealed;
            bad[at] ^= 1;
            assert_eq!(Cookie::open(&bad, &key), None, "byte {at}");
        }
        assert_eq!(Cookie::open(&sealed[1..], &key), None);
        let other = hmac::Key::new(hmac::HMAC_SHA256, &[8; 32]);
        assert_eq!(Cookie::open(&sealed, &other), None);
    }
}
