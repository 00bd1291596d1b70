//! Which transceiver an authenticated RTP packet belongs to (RFC 8843 §9.2, JSEP §5.11): its
//! SSRC's route once known; else a signaled SSRC, the mid header extension, or a payload type
//! only one receiving transceiver has. A new media stream takes its simulcast layer from the
//! rtp-stream-id extension (RFC 8852); an unsignaled RTX stream finds the stream it repairs by
//! the repaired-rtp-stream-id extension, or as the transceiver's one media stream.

use sansrtc_rtp::rtp::RtpPacket;

use super::receive::ReceiveStream;
use super::transceiver::{Rid, Transceiver};
use super::{MAX_RECEIVE_STREAMS, Media};

/// How the receive side routes an SSRC.
#[derive(Debug, Clone, Copy)]
pub(super) struct Route {
    pub(super) transceiver: usize,
    /// For an RTX SSRC, the media SSRC it repairs.
    pub(super) repairs: Option<u32>,
}

impl Media {
    /// The route of an authenticated packet, made now for a new SSRC (bounded by
    /// [`MAX_RECEIVE_STREAMS`]); `None` when it belongs nowhere (yet).
    pub(super) fn route(
        &mut self,
        ssrc: u32,
        payload_type: u8,
        view: &RtpPacket<&[u8]>,
    ) -> Option<Route> {
        if let Some(route) = self.routes.get(&ssrc) {
            return Some(*route);
        }
        if self.routes.len() >= MAX_RECEIVE_STREAMS {
            return None;
        }
        let receiving = |t: &Transceiver| t.receives();
        let by_signal = self.transceivers.iter().position(|t| {
            receiving(t)
                && (t.remote_ssrcs.contains(&ssrc) || t.remote_rtx.iter().any(|(r, _)| *r == ssrc))
        });
        let by_mid = || {
            self.transceivers.iter().position(|t| {
                receiving(t)
                    && t.extensions
                        .mid
                        .zip(t.mid.as_deref())
                        .is_some_and(|(id, mid)| view.extension_data(id) == Some(mid.as_bytes()))
            })
        };
        let by_payload_type = || {
            let mut matching = self.transceivers.iter().enumerate().filter(|(_, t)| {
                receiving(t)
                    && t.codecs.iter().any(|c| {
                        c.payload_type == payload_type || c.rtx_payload_type == Some(payload_type)
                    })
            });
            match (matching.next(), matching.next()) {
                (Some((i, _)), None) => Some(i),
                _ => None,
            }
        };
        let index = by_signal.or_else(by_mid).or_else(by_payload_type)?;
        let t = &self.transceivers[index];
        let extension =
            |id: Option<u8>| id.and_then(|id| view.extension_data(id)).and_then(Rid::new);
        let repairs = if let Some((_, media)) = t.remote_rtx.iter().find(|(r, _)| *r == ssrc) {
            Some(*media)
        } else if t.codec_of_rtx(payload_type).is_some() {
            // An unsignaled RTX stream: the media stream its repaired-rtp-stream-id names, or
            // the transceiver's only one. Until that one is known, its packets wait unrouted.
            let repaired = extension(t.extensions.repaired_rid);
            let media: Vec<u32> = self
                .routes
                .iter()
                .filter(|(s, r)| {
                    r.transceiver == index
                        && r.repairs.is_none()
                        && repaired.is_none_or(|rid| {
                            self.streams.get(s).and_then(|st| st.rid) == Some(rid)
                        })
                })
                .map(|(s, _)| *s)
                .collect();
            match media.as_slice() {
                [one] => Some(*one),
                _ => return None,
            }
        } else {
            None
        };
        let route = Route {
            transceiver: index,
            repairs,
        };
        self.routes.insert(ssrc, route);
        if repairs.is_none() {
            let clock_rate = t.codec(payload_type).map_or(90_000, |c| c.clock_rate);
            let mut stream = ReceiveStream::new(ssrc, clock_rate);
            stream.rid = extension(t.extensions.rid);
            self.streams.insert(ssrc, stream);
        }
        Some(route)
    }
}
