//! Transceivers in offers and answers (RFC 8829 §5.2.1, §5.3.1, §5.10): mids for new
//! transceivers and the section order kept across renegotiations; the peer's audio and video
//! sections matched to transceivers (an unmatched one of the same kind, or a new receive-only
//! one, as the browser does); and, once an exchange completes, what it settled for each
//! transceiver: direction, codecs and RTX pairing with their feedback, header extension ids,
//! and the SSRCs the peer signaled.

use sansrtc_sdp::MediaKind as SdpKind;
use sansrtc_sdp::SessionDescription;
use sansrtc_sdp::attributes::{Direction, Msid, StreamDirection};
use sansrtc_sdp::jsep::{MediaOptions, SectionAnswer, SendStream};

use crate::connection::PeerConnection;
use crate::event::Event;
use crate::media::transceiver::{ExtensionIds, MediaKind, NegotiatedCodec, TransceiverId};

/// A section of our offer, in order.
pub(crate) enum OfferSection {
    /// The data channel section.
    Data,
    /// A transceiver's section.
    Media(Box<MediaOptions>),
}

fn media_kind(kind: &SdpKind) -> Option<MediaKind> {
    match kind {
        SdpKind::Audio => Some(MediaKind::Audio),
        SdpKind::Video => Some(MediaKind::Video),
        _ => None,
    }
}

fn sends(direction: Direction) -> bool {
    matches!(direction, Direction::SendRecv | Direction::SendOnly)
}

impl PeerConnection {
    /// A mid no section uses yet: the smallest number free.
    pub(crate) fn free_mid(&self) -> String {
        let used = |mid: &str| {
            mid == self.signaling.data_mid
                || self
                    .engine
                    .media
                    .transceivers
                    .iter()
                    .any(|t| t.mid.as_deref() == Some(mid))
        };
        (0u32..)
            .map(|n| n.to_string())
            .find(|m| !used(m))
            .unwrap_or_default()
    }

    /// The sections of our next offer: the order of the last exchange, then new
    /// transceivers (given mids now), the data section first in a first offer.
    pub(crate) fn offer_sections(&mut self) -> Vec<OfferSection> {
        let mut order: Vec<String> = self.signaling.section_order.clone();
        // The data section: first in a first offer, else after what was negotiated (m-lines
        // keep their order, JSEP §5.2.2).
        if !order.contains(&self.signaling.data_mid) {
            order.push(self.signaling.data_mid.clone());
        }
        for index in 0..self.engine.media.transceivers.len() {
            if self.engine.media.transceivers[index].mid.is_none() {
                let mid = self.free_mid();
                self.engine.media.transceivers[index].mid = Some(mid);
            }
            let mid = self.engine.media.transceivers[index]
                .mid
                .clone()
                .unwrap_or_default();
            if !order.contains(&mid) {
                order.push(mid);
            }
        }
        let cname = self.engine.media.cname().to_owned();
        order
            .iter()
            .filter_map(|mid| {
                if *mid == self.signaling.data_mid {
                    return Some(OfferSection::Data);
                }
                let t = self
                    .engine
                    .media
                    .transceivers
                    .iter()
                    .find(|t| t.mid.as_deref() == Some(mid.as_str()))?;
                let mut options = match t.kind {
                    MediaKind::Audio => MediaOptions::audio(mid.clone()),
                    MediaKind::Video => MediaOptions::video(mid.clone()),
                };
                options.direction = t.direction;
                options.receive_simulcast.clone_from(&t.receive_rids);
                if sends(t.direction) {
                    options.msid = Some(Msid {
                        stream: t.msid.0.clone(),
                        track: Some(t.msid.1.clone()),
                    });
                    let rids: Vec<String> = t
                        .sends
                        .iter()
                        .filter_map(|s| s.rid.map(|r| r.as_str().to_owned()))
                        .collect();
                    if rids.is_empty() {
                        options.stream = Some(SendStream::new(
                            t.send().ssrc,
                            t.send().rtx_ssrc,
                            cname.clone(),
                        ));
                    } else {
                        // Simulcast (RFC 8853): the layers by rid, no SSRC lines (the
                        // receiver learns each layer's SSRC from its rid extension).
                        options.simulcast = rids;
                    }
                }
                Some(OfferSection::Media(Box::new(options)))
            })
            .collect()
    }

    /// Matches each audio and video section of the peer's offer to a transceiver: the one
    /// with its mid, else one of its kind without a mid, else a new receive-only one.
    pub(crate) fn associate_offer(&mut self, offer: &SessionDescription) {
        for m in &offer.media {
            let (Some(kind), Some(mid)) = (media_kind(&m.kind), m.mid()) else {
                continue;
            };
            let media = &mut self.engine.media;
            if media
                .transceivers
                .iter()
                .any(|t| t.mid.as_deref() == Some(mid))
            {
                continue;
            }
            if m.is_rejected() {
                continue;
            }
            let free = media
                .transceivers
                .iter()
                .position(|t| t.mid.is_none() && t.kind == kind);
            let index = match free {
                Some(index) => index,
                None => media.add_transceiver(kind, Direction::RecvOnly).0 as usize,
            };
            media.transceivers[index].mid = Some(mid.to_owned());
        }
    }

    /// The sections of stopped transceivers, rejected (RFC 8829 §5.2.2, §5.3.1: port 0 and
    /// only the mid).
    pub(crate) fn reject_stopped(&self, description: &mut SessionDescription) {
        for t in self.engine.media.transceivers.iter().filter(|t| t.stopped) {
            let Some(mid) = t.mid.as_deref() else {
                continue;
            };
            if let Some(m) = description.media_by_mid_mut(mid) {
                m.port = 0;
                m.formats.truncate(1);
                m.connections.clear();
                m.attributes
                    .retain(|a| matches!(a, sansrtc_sdp::Attribute::Mid(_)));
            }
        }
        // A rejected section leaves the BUNDLE group.
        let rejected: Vec<String> = description
            .media
            .iter()
            .filter(|m| m.port == 0)
            .filter_map(|m| m.mid().map(str::to_owned))
            .collect();
        for a in &mut description.attributes {
            if let sansrtc_sdp::Attribute::Group(g) = a
                && g.semantics == "BUNDLE"
            {
                g.mids.retain(|mid| !rejected.contains(mid));
            }
        }
    }

    /// How to answer each audio and video section: its transceiver's direction and stream.
    pub(crate) fn section_answers(&self) -> Vec<SectionAnswer> {
        let cname = self.engine.media.cname();
        self.engine
            .media
            .transceivers
            .iter()
            .filter_map(|t| {
                let mut answer = SectionAnswer::new(t.mid.clone()?, t.direction);
                answer.msid = Some(Msid {
                    stream: t.msid.0.clone(),
                    track: Some(t.msid.1.clone()),
                });
                answer.stream = Some(SendStream::new(t.send().ssrc, t.send().rtx_ssrc, cname));
                Some(answer)
            })
            .collect()
    }

    /// Applies a completed exchange: `answer` (ours when `we_answered`) settles directions,
    /// codecs and extension ids; `remote` (the peer's description) its SSRCs. Transceivers
    /// that now receive and did not are announced ([`Event::Track`]).
    pub(crate) fn apply_media(
        &mut self,
        answer: &SessionDescription,
        remote: &SessionDescription,
        we_answered: bool,
    ) {
        self.signaling.section_order = answer
            .media
            .iter()
            .filter_map(|m| m.mid().map(str::to_owned))
            .collect();
        for m in &answer.media {
            let Some(mid) = m.mid() else {
                continue;
            };
            let Some(index) = self
                .engine
                .media
                .transceivers
                .iter()
                .position(|t| t.mid.as_deref() == Some(mid))
            else {
                continue;
            };
            let received_before = self.engine.media.transceivers[index].receives();
            let t = &mut self.engine.media.transceivers[index];
            if m.is_rejected() {
                t.current_direction = Some(Direction::Inactive);
                t.codecs.clear();
                continue;
            }
            t.codecs = m
                .codecs()
                .iter()
                .filter(|c| !c.is_rtx())
                .map(|c| NegotiatedCodec {
                    payload_type: c.payload_type,
                    name: c.name.clone(),
                    clock_rate: c.clock_rate,
                    channels: c.channels,
                    rtx_payload_type: c.rtx,
                    nack: c.has_feedback("nack", None),
                    pli: c.has_feedback("nack", Some("pli")),
                    fir: c.has_feedback("ccm", Some("fir")),
                    packetization_mode: c.h264().map_or(0, |p| p.packetization_mode),
                })
                .collect();
            let direction = m.direction();
            t.current_direction = Some(if we_answered {
                direction
            } else {
                direction.reversed()
            });
            let mut extensions = ExtensionIds::default();
            for e in m.extmaps() {
                extensions.learn(e.id, &e.uri);
            }
            t.extensions = extensions;
            t.remote_ssrcs.clear();
            t.remote_rtx.clear();
            // The layers the peer sends, as the answer accepted them (ours or theirs: the
            // rids the receiving side lists).
            t.receive_rids = remote
                .media_by_mid(mid)
                .into_iter()
                .flat_map(|theirs| theirs.rids())
                .filter(|r| r.direction == StreamDirection::Send)
                .map(|r| r.id.clone())
                .collect();
            if let Some(theirs) = remote.media_by_mid(mid) {
                for group in theirs.ssrc_groups().filter(|g| g.semantics == "FID") {
                    if let [media, rtx] = group.ssrcs[..] {
                        t.remote_rtx.push((rtx, media));
                    }
                }
                for s in theirs.ssrcs() {
                    let is_rtx = t.remote_rtx.iter().any(|(rtx, _)| *rtx == s.ssrc);
                    if !is_rtx && !t.remote_ssrcs.contains(&s.ssrc) {
                        t.remote_ssrcs.push(s.ssrc);
                    }
                }
            }
            if t.receives() && !received_before {
                let kind = t.kind;
                self.engine.events_mut().push_back(Event::Track {
                    transceiver: TransceiverId(index as u32),
                    kind,
                });
            }
        }
        self.engine.media.renegotiated();
    }
}
