//! Interning of the tokens that fill most of a browser's SDP. A known token becomes a
//! `Cow::Borrowed` of a static string, so parsing it allocates nothing. Each call site checks
//! its own short list (length first), which costs a few compares, less than an allocation.

use std::borrow::Cow;

/// `rtcp-fb` types (RFC 4585, RFC 5104, draft-holmer-rmcat-transport-wide-cc, goog-remb).
pub(crate) const FEEDBACK_KINDS: &[&str] =
    &["nack", "ccm", "transport-cc", "goog-remb", "trr-int", "ack"];
/// `rtcp-fb` parameters.
pub(crate) const FEEDBACK_PARAMS: &[&str] = &["pli", "fir", "sli", "rpsi", "tmmbr"];
/// Candidate transports, in the spellings browsers use.
pub(crate) const TRANSPORTS: &[&str] = &["udp", "tcp", "UDP", "TCP"];
/// Candidate extension names (libwebrtc, RFC 6544).
pub(crate) const CANDIDATE_EXTENSIONS: &[&str] = &[
    "generation",
    "network-id",
    "network-cost",
    "ufrag",
    "tcptype",
];
/// Candidate extension values other than digits.
pub(crate) const CANDIDATE_VALUES: &[&str] = &["active", "passive", "so", "10", "50", "999"];
/// RTP encoding names.
pub(crate) const ENCODINGS: &[&str] = &[
    "opus",
    "VP8",
    "VP9",
    "H264",
    "AV1",
    "rtx",
    "red",
    "ulpfec",
    "PCMU",
    "PCMA",
    "G722",
    "CN",
    "telephone-event",
    "H265",
];
/// `fmtp` parameter names.
pub(crate) const FMTP_NAMES: &[&str] = &[
    "apt",
    "minptime",
    "useinbandfec",
    "profile-level-id",
    "packetization-mode",
    "level-asymmetry-allowed",
    "profile-id",
    "level-idx",
    "profile",
    "tier",
    "stereo",
    "sprop-stereo",
    "usedtx",
    "max-fs",
    "max-fr",
];
/// Header extension URIs browsers offer.
pub(crate) const EXTMAP_URIS: &[&str] = &[
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    "urn:ietf:params:rtp-hdrext:toffset",
    "urn:3gpp:video-orientation",
    "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
    "http://www.webrtc.org/experiments/rtp-hdrext/video-content-type",
    "http://www.webrtc.org/experiments/rtp-hdrext/video-timing",
    "http://www.webrtc.org/experiments/rtp-hdrext/color-space",
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    "urn:ietf:params:rtp-hdrext:csrc-audio-level",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time",
];
/// `a=ssrc` attribute names (RFC 5576, and the Plan B era ones).
pub(crate) const SSRC_ATTRIBUTES: &[&str] = &["cname", "msid", "mslabel", "label"];
/// Fingerprint hash names (RFC 8122).
pub(crate) const HASHES: &[&str] = &["sha-256", "sha-1", "sha-384", "sha-512"];

const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// `token` as a `Cow`: borrowed when it is one of `known` (or a single digit), owned otherwise.
pub(crate) fn intern(token: &str, known: &[&'static str]) -> Cow<'static, str> {
    if let [d @ b'0'..=b'9'] = token.as_bytes() {
        return Cow::Borrowed(DIGITS[usize::from(d - b'0')]);
    }
    for k in known {
        if k.len() == token.len() && *k == token {
            return Cow::Borrowed(k);
        }
    }
    Cow::Owned(token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_tokens_and_digits_are_borrowed() {
        assert!(matches!(
            intern("transport-cc", FEEDBACK_KINDS),
            Cow::Borrowed("transport-cc")
        ));
        assert!(matches!(intern("7", &[]), Cow::Borrowed("7")));
        assert!(
            matches!(intern("something-else", FEEDBACK_KINDS), Cow::Owned(s) if s == "something-else")
        );
    }
}
