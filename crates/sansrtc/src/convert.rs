//! Between the SDP crate's text-level types and the ICE and DTLS crates' own: candidates
//! (RFC 8839 §5.1) and certificate fingerprints (RFC 8122 §5).

use std::net::SocketAddr;

use sansrtc_dtls::identity::{Fingerprint, FingerprintHash};
use sansrtc_ice::{Candidate, CandidateKind, Foundation, Transport};
use sansrtc_sdp::Address;
use sansrtc_sdp::attributes::{Candidate as SdpCandidate, CandidateType};

/// Our candidate as an `a=candidate` line.
pub(crate) fn candidate_to_sdp(c: &Candidate) -> SdpCandidate {
    let (related_address, related_port) = match c.related {
        Some(r) => (Some(Address::Ip(r.ip())), Some(r.port())),
        None => (None, None),
    };
    SdpCandidate {
        foundation: c.foundation.as_str().to_owned(),
        component: u32::from(c.component),
        transport: match c.transport {
            Transport::Udp => "udp".into(),
            _ => "tcp".into(),
        },
        priority: c.priority,
        address: Address::Ip(c.address.ip()),
        port: c.address.port(),
        kind: match c.kind {
            CandidateKind::Host => CandidateType::Host,
            CandidateKind::ServerReflexive => CandidateType::ServerReflexive,
            CandidateKind::PeerReflexive => CandidateType::PeerReflexive,
            CandidateKind::Relayed => CandidateType::Relay,
        },
        related_address,
        related_port,
        extensions: Vec::new(),
    }
}

/// A remote `a=candidate` as ICE takes it: UDP with an IP address; `None` for TCP (ICE-TCP is
/// not done yet), names (FQDN and mDNS), and unknown types.
pub(crate) fn candidate_from_sdp(c: &SdpCandidate) -> Option<Candidate> {
    if !c.is_udp() {
        return None;
    }
    let Address::Ip(ip) = c.address else {
        return None;
    };
    let kind = match c.kind {
        CandidateType::Host => CandidateKind::Host,
        CandidateType::ServerReflexive => CandidateKind::ServerReflexive,
        CandidateType::PeerReflexive => CandidateKind::PeerReflexive,
        CandidateType::Relay => CandidateKind::Relayed,
        CandidateType::Other(_) => return None,
    };
    let component = u16::try_from(c.component).ok()?;
    Some(Candidate::remote(
        kind,
        SocketAddr::new(ip, c.port),
        c.priority,
        Foundation::new(&c.foundation)?,
        component,
    ))
}

/// Our fingerprint as `a=fingerprint`.
pub(crate) fn fingerprint_to_sdp(f: &Fingerprint) -> sansrtc_sdp::attributes::Fingerprint {
    sansrtc_sdp::attributes::Fingerprint::from_bytes(f.hash.name(), &f.value)
}

/// A remote `a=fingerprint`, if its hash function is one we know and its value is hex.
pub(crate) fn fingerprint_from_sdp(
    f: &sansrtc_sdp::attributes::Fingerprint,
) -> Option<Fingerprint> {
    Some(Fingerprint {
        hash: FingerprintHash::from_name(&f.hash)?,
        value: f.bytes()?,
    })
}
