//! The transport a section (or a BUNDLE group) uses, and the data channel section.

use crate::attributes::{Attribute, Candidate, Fingerprint, Setup, base64_decode};
use crate::media::{MediaDescription, MediaKind};
use crate::session::SessionDescription;

/// ICE and DTLS parameters of a transport: the section's own, falling back to session level
/// (RFC 8839 §5.4, RFC 8122 §5, RFC 8829 §5.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportParams<'a> {
    /// Index of the section that carries the transport (the BUNDLE tag section).
    pub media_index: usize,
    /// Its mid.
    pub mid: Option<&'a str>,
    /// `a=ice-ufrag`.
    pub ice_ufrag: Option<&'a str>,
    /// `a=ice-pwd`.
    pub ice_pwd: Option<&'a str>,
    /// `a=ice-options` tokens.
    pub ice_options: Vec<&'a str>,
    /// ICE-lite.
    pub ice_lite: bool,
    /// `a=fingerprint` lines (several are allowed).
    pub fingerprints: Vec<&'a Fingerprint>,
    /// `a=setup`.
    pub setup: Option<Setup>,
    /// `a=candidate` lines.
    pub candidates: Vec<&'a Candidate>,
    /// `a=end-of-candidates`.
    pub end_of_candidates: bool,
}

/// The data channel section (RFC 8841, or the legacy `a=sctpmap` form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChannelSection {
    /// Index of the section.
    pub media_index: usize,
    /// Its mid.
    pub mid: Option<String>,
    /// SCTP port: `a=sctp-port`, or the legacy `a=sctpmap` port (m-line format).
    pub sctp_port: u16,
    /// `a=max-message-size` (RFC 8841 §6); `None` means 64 KiB per RFC 8841 §6.1.
    pub max_message_size: Option<u64>,
    /// Whether it is the pre-RFC 8841 form (`DTLS/SCTP` with `a=sctpmap`).
    pub legacy: bool,
    /// The SCTP INIT chunk from `a=sctp-init` (SNAP), decoded.
    pub sctp_init: Option<Vec<u8>>,
}

fn first<'a, T: 'a>(
    m: &'a MediaDescription,
    s: &'a SessionDescription,
    pick: impl Fn(&'a Attribute) -> Option<T> + Copy + 'a,
) -> Option<T> {
    m.find(pick).next().or_else(|| s.find(pick).next())
}

impl SessionDescription {
    /// The transport parameters of section `index`.
    pub fn transport_of(&self, index: usize) -> Option<TransportParams<'_>> {
        let m = self.media.get(index)?;
        let mut fingerprints: Vec<&Fingerprint> = m
            .find(|a| match a {
                Attribute::Fingerprint(f) => Some(f),
                _ => None,
            })
            .collect();
        if fingerprints.is_empty() {
            fingerprints = self
                .find(|a| match a {
                    Attribute::Fingerprint(f) => Some(f),
                    _ => None,
                })
                .collect();
        }
        let options = first(m, self, |a| match a {
            Attribute::IceOptions(o) => Some(o),
            _ => None,
        });
        Some(TransportParams {
            media_index: index,
            mid: m.mid(),
            ice_ufrag: first(m, self, |a| match a {
                Attribute::IceUfrag(u) => Some(u.as_str()),
                _ => None,
            }),
            ice_pwd: first(m, self, |a| match a {
                Attribute::IcePwd(p) => Some(p.as_str()),
                _ => None,
            }),
            ice_options: options
                .map(|o| o.iter().map(String::as_str).collect())
                .unwrap_or_default(),
            ice_lite: self.is_ice_lite() || m.has(&Attribute::IceLite),
            fingerprints,
            setup: first(m, self, |a| match a {
                Attribute::Setup(s) => Some(*s),
                _ => None,
            }),
            candidates: m.candidates().collect(),
            end_of_candidates: m.has(&Attribute::EndOfCandidates)
                || self.attributes.contains(&Attribute::EndOfCandidates),
        })
    }

    /// The transport of the first BUNDLE group: its tag section is the first mid of the group
    /// that names an accepted section (RFC 9143 §7.2.1). Without BUNDLE, the first accepted
    /// section's transport.
    pub fn bundle_transport(&self) -> Option<TransportParams<'_>> {
        let index = match self.bundle_groups().next() {
            Some(group) => group.mids.iter().find_map(|mid| {
                self.media
                    .iter()
                    .position(|m| m.mid() == Some(mid.as_str()) && !m.is_rejected())
            })?,
            None => self.media.iter().position(|m| !m.is_rejected())?,
        };
        self.transport_of(index)
    }

    /// The first data channel section (`m=application` over SCTP), if any.
    pub fn data_channel(&self) -> Option<DataChannelSection> {
        let (media_index, m) = self
            .media
            .iter()
            .enumerate()
            .find(|(_, m)| m.kind == MediaKind::Application && m.protocol.is_sctp())?;
        let port = m
            .find(|a| match a {
                Attribute::SctpPort(p) => Some(*p),
                _ => None,
            })
            .next();
        let sctpmap = m
            .find(|a| match a {
                Attribute::Sctpmap(s) => Some(s.port),
                _ => None,
            })
            .next();
        let legacy = port.is_none() && (sctpmap.is_some() || m.protocol.as_str() == "DTLS/SCTP");
        let sctp_port = port
            .or(sctpmap)
            .or_else(|| m.formats.first().and_then(|f| f.parse().ok()))
            .unwrap_or(5000);
        Some(DataChannelSection {
            media_index,
            mid: m.mid().map(str::to_owned),
            sctp_port,
            max_message_size: m
                .find(|a| match a {
                    Attribute::MaxMessageSize(n) => Some(*n),
                    _ => None,
                })
                .next(),
            legacy,
            sctp_init: m
                .find(|a| match a {
                    Attribute::SctpInit(b) => Some(b.as_str()),
                    _ => None,
                })
                .next()
                .and_then(base64_decode),
        })
    }
}
