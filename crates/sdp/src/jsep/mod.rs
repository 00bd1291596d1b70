//! JSEP (RFC 8829) helpers: finding sections, reading the BUNDLE transport, listing codecs,
//! reading the data channel section, and building offers and answers.

mod answer;
mod offer;
mod transport;

pub use answer::{AnswerBuilder, AnswerOptions, SectionAnswer};
pub use offer::{
    CodecSpec, DataChannelOptions, LocalTransport, MediaOptions, OfferBuilder, SendStream,
};
pub use transport::{DataChannelSection, TransportParams};

use crate::attributes::{
    Attribute, Candidate, Direction, Extmap, Fingerprint, Group, Rid, RtcpFb, Setup, Simulcast,
    Ssrc, SsrcGroup,
};
use crate::codec::{Codec, static_payload_type};
use crate::media::MediaDescription;
use crate::session::SessionDescription;

impl MediaDescription {
    /// Attributes of one kind, in order: `m.find(|a| match a { Attribute::Rid(r) => Some(r), _ => None })`.
    pub fn find<'a, T: 'a>(
        &'a self,
        pick: impl Fn(&'a Attribute) -> Option<T> + 'a,
    ) -> impl Iterator<Item = T> + 'a {
        self.attributes.iter().filter_map(pick)
    }

    /// Whether a property attribute (`rtcp-mux`, `ice-lite`, ...) is present.
    pub fn has(&self, attribute: &Attribute) -> bool {
        self.attributes.contains(attribute)
    }

    /// `a=mid`.
    pub fn mid(&self) -> Option<&str> {
        self.find(|a| match a {
            Attribute::Mid(m) => Some(m.as_str()),
            _ => None,
        })
        .next()
    }

    /// The direction attribute, `sendrecv` when absent (RFC 8866 §6.7).
    pub fn direction(&self) -> Direction {
        self.find(|a| match a {
            Attribute::Direction(d) => Some(*d),
            _ => None,
        })
        .next()
        .unwrap_or(Direction::SendRecv)
    }

    /// Whether the section is rejected: port 0 without `a=bundle-only` (RFC 8829 §5.3.1,
    /// RFC 9143 §7.3.3).
    pub fn is_rejected(&self) -> bool {
        self.port == 0 && !self.has(&Attribute::BundleOnly)
    }

    /// `a=ice-ufrag`.
    pub fn ice_ufrag(&self) -> Option<&str> {
        self.find(|a| match a {
            Attribute::IceUfrag(u) => Some(u.as_str()),
            _ => None,
        })
        .next()
    }

    /// `a=ice-pwd`.
    pub fn ice_pwd(&self) -> Option<&str> {
        self.find(|a| match a {
            Attribute::IcePwd(p) => Some(p.as_str()),
            _ => None,
        })
        .next()
    }

    /// `a=setup`.
    pub fn setup(&self) -> Option<Setup> {
        self.find(|a| match a {
            Attribute::Setup(s) => Some(*s),
            _ => None,
        })
        .next()
    }

    /// `a=fingerprint` lines.
    pub fn fingerprints(&self) -> impl Iterator<Item = &Fingerprint> {
        self.find(|a| match a {
            Attribute::Fingerprint(f) => Some(f),
            _ => None,
        })
    }

    /// `a=candidate` lines.
    pub fn candidates(&self) -> impl Iterator<Item = &Candidate> {
        self.find(|a| match a {
            Attribute::Candidate(c) => Some(c),
            _ => None,
        })
    }

    /// `a=extmap` lines.
    pub fn extmaps(&self) -> impl Iterator<Item = &Extmap> {
        self.find(|a| match a {
            Attribute::Extmap(e) => Some(e),
            _ => None,
        })
    }

    /// `a=ssrc` lines.
    pub fn ssrcs(&self) -> impl Iterator<Item = &Ssrc> {
        self.find(|a| match a {
            Attribute::Ssrc(s) => Some(s),
            _ => None,
        })
    }

    /// `a=ssrc-group` lines.
    pub fn ssrc_groups(&self) -> impl Iterator<Item = &SsrcGroup> {
        self.find(|a| match a {
            Attribute::SsrcGroup(g) => Some(g),
            _ => None,
        })
    }

    /// `a=rid` lines.
    pub fn rids(&self) -> impl Iterator<Item = &Rid> {
        self.find(|a| match a {
            Attribute::Rid(r) => Some(r),
            _ => None,
        })
    }

    /// `a=simulcast`.
    pub fn simulcast(&self) -> Option<&Simulcast> {
        self.find(|a| match a {
            Attribute::Simulcast(s) => Some(s),
            _ => None,
        })
        .next()
    }

    /// The codecs of an RTP section in the order of the `m=` line: `rtpmap` (or the static
    /// RFC 3551 table), `fmtp`, the `rtcp-fb` lines for the payload type and for `*`, and the
    /// RTX payload type whose `apt` points at each (RFC 4588). Formats with neither an
    /// `rtpmap` nor a static meaning are left out.
    pub fn codecs(&self) -> Vec<Codec> {
        let mut codecs: Vec<Codec> = self
            .formats
            .iter()
            .filter_map(|f| f.parse::<u8>().ok())
            .filter_map(|pt| {
                let rtpmap = self
                    .find(|a| match a {
                        Attribute::Rtpmap(r) if r.payload_type == pt => Some(r),
                        _ => None,
                    })
                    .next();
                let (name, clock_rate, channels) = match rtpmap {
                    Some(r) => (r.encoding.to_string(), r.clock_rate, r.channels),
                    None => {
                        let (n, c, ch) = static_payload_type(pt)?;
                        (n.to_owned(), c, ch)
                    }
                };
                let params = self
                    .find(|a| match a {
                        Attribute::Fmtp(f) if f.payload_type() == Some(pt) => {
                            Some(f.params.clone())
                        }
                        _ => None,
                    })
                    .next()
                    .unwrap_or_default();
                let feedback: Vec<RtcpFb> = self
                    .find(|a| match a {
                        Attribute::RtcpFb(f) if f.payload_type.is_none_or(|p| p == pt) => {
                            Some(f.clone())
                        }
                        _ => None,
                    })
                    .collect();
                Some(Codec {
                    payload_type: pt,
                    name,
                    clock_rate,
                    channels,
                    params,
                    feedback,
                    rtx: None,
                })
            })
            .collect();
        let pairs: Vec<(u8, u8)> = codecs
            .iter()
            .filter(|c| c.is_rtx())
            .filter_map(|c| Some((c.apt()?, c.payload_type)))
            .collect();
        for (apt, rtx) in pairs {
            if let Some(c) = codecs.iter_mut().find(|c| c.payload_type == apt) {
                c.rtx = Some(rtx);
            }
        }
        codecs
    }
}

impl SessionDescription {
    /// Session-level attributes of one kind.
    pub fn find<'a, T: 'a>(
        &'a self,
        pick: impl Fn(&'a Attribute) -> Option<T> + 'a,
    ) -> impl Iterator<Item = T> + 'a {
        self.attributes.iter().filter_map(pick)
    }

    /// The media section with this `a=mid`.
    pub fn media_by_mid(&self, mid: &str) -> Option<&MediaDescription> {
        self.media.iter().find(|m| m.mid() == Some(mid))
    }

    /// The media section with this `a=mid`, mutably.
    pub fn media_by_mid_mut(&mut self, mid: &str) -> Option<&mut MediaDescription> {
        self.media.iter_mut().find(|m| m.mid() == Some(mid))
    }

    /// `a=group` lines.
    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.find(|a| match a {
            Attribute::Group(g) => Some(g),
            _ => None,
        })
    }

    /// `a=group:BUNDLE` lines (RFC 9143).
    pub fn bundle_groups(&self) -> impl Iterator<Item = &Group> {
        self.groups().filter(|g| g.semantics == "BUNDLE")
    }

    /// Whether the session is ICE-lite (`a=ice-lite` at session level, or in every section).
    pub fn is_ice_lite(&self) -> bool {
        self.attributes.contains(&Attribute::IceLite)
            || (!self.media.is_empty() && self.media.iter().all(|m| m.has(&Attribute::IceLite)))
    }
}
