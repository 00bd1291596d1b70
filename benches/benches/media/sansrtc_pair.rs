//! The sansrtc side of the media bench: two `PeerConnection`s in memory, `a` sending on a
//! video transceiver, `b` receiving as packets (`ReceiveMode::Rtp`) or as frames
//! (`ReceiveMode::Frames`). Datagrams go straight from `poll_transmit`'s buffer into the
//! other side's `handle_receive`; timers fire when `poll_timeout` says they are due.

use std::time::Instant;

use sansrtc::{
    Config, ConnectionState, Direction, Event, MediaKind, PeerConnection, ReceiveMode, SdpType,
    SrtpProfileId, TransceiverId,
};
use sansrtc_dtls::identity::Identity;
use sansrtc_proto::{Protocol, Receive, SansIo};
use std::sync::Arc;

use super::{A, B, Check, FRAME_STEP, Received, STEP, is_rtp, sa};

/// Two connected PeerConnections with one sendrecv video transceiver each.
pub(crate) struct SansrtcMedia {
    /// The sender.
    a: PeerConnection,
    /// The receiver.
    b: PeerConnection,
    /// Virtual time.
    now: Instant,
    /// The buffer `poll_transmit` writes into (swapped with pooled ones by the media path).
    buf: Vec<u8>,
    /// `a`'s video transceiver.
    video: TransceiverId,
    /// The negotiated VP8 payload type.
    vp8: u8,
    /// `handle_timeout` calls because a deadline had come.
    pub(crate) timeouts: u64,
    /// What `b` has delivered so far.
    pub(crate) received: Received,
}

impl SansrtcMedia {
    /// Connects two PeerConnections (ICE, DTLS 1.2) with a video transceiver negotiated
    /// sendrecv, offering only `profile` for SRTP; `b` receives as frames when `frames`.
    pub(crate) fn connect(
        ids: &(Arc<Identity>, Arc<Identity>),
        profile: SrtpProfileId,
        frames: bool,
    ) -> Self {
        let now = super::epoch();
        let config = |seed: u64, id: &Arc<Identity>| Config {
            identity: Some(Arc::clone(id)),
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
            srtp_profiles: vec![profile],
            ..Config::default()
        };
        let mut a = PeerConnection::new(config(1, &ids.0), now).unwrap();
        let mut b = PeerConnection::new(config(2, &ids.1), now).unwrap();
        a.add_local_addresses(now, &[sa(A)]);
        b.add_local_addresses(now, &[sa(B)]);
        let video = a.add_transceiver(MediaKind::Video, Direction::SendRecv);
        let offer = a.create_offer().unwrap();
        a.set_local_description(now, SdpType::Offer, &offer)
            .unwrap();
        b.set_remote_description(now, SdpType::Offer, &offer)
            .unwrap();
        let theirs = b.transceivers()[0];
        b.set_direction(theirs, Direction::SendRecv).unwrap();
        if frames {
            b.set_receive_mode(theirs, ReceiveMode::Frames).unwrap();
        }
        let answer = b.create_answer().unwrap();
        b.set_local_description(now, SdpType::Answer, &answer)
            .unwrap();
        a.set_remote_description(now, SdpType::Answer, &answer)
            .unwrap();
        let vp8 = a
            .transceiver(video)
            .unwrap()
            .codecs
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case("VP8"))
            .expect("VP8 negotiated")
            .payload_type;
        let mut p = Self {
            a,
            b,
            now,
            buf: Vec::with_capacity(2048),
            video,
            vp8,
            timeouts: 0,
            received: Received::default(),
        };
        for _ in 0..10_000 {
            let moved = p.exchange();
            p.drain_events(&Check::default());
            let up = [&p.a, &p.b]
                .iter()
                .all(|pc| pc.connection_state() == ConnectionState::Connected);
            if up {
                p.received = Received::default();
                return p;
            }
            if !moved {
                let next = [p.a.poll_timeout(), p.b.poll_timeout()]
                    .into_iter()
                    .flatten()
                    .min();
                if let Some(t) = next {
                    p.now = p.now.max(t);
                }
                p.a.handle_timeout(p.now);
                p.b.handle_timeout(p.now);
            }
        }
        panic!("sansrtc: not connected");
    }

    /// The SRTP profile DTLS settled, as the statistics name it.
    pub(crate) fn srtp_profile(&self) -> &'static str {
        self.a
            .negotiated()
            .and_then(|n| n.srtp_profile)
            .and_then(sansrtc::srtp_profile_name)
            .unwrap_or("none")
    }

    /// Sends `count` packets of `payload` by the RTP API (timestamps and markers as
    /// `rtp_timing` says), each delivered and read before the next; virtual time moves `STEP`
    /// per packet. Checks the payloads when `check`.
    pub(crate) fn rtp(&mut self, first: u64, count: u64, payload: &[u8], check: bool) {
        let check = Check {
            payload: check.then_some(payload),
            frames: None,
        };
        for n in first..first + count {
            self.now += STEP;
            let (timestamp, marker) = super::rtp_timing(n);
            self.a
                .write_rtp(self.now, self.video, self.vp8, timestamp, marker, payload)
                .unwrap();
            self.settle(&check);
        }
    }

    /// Sends frames `first..first + count` of `frames` (cycled) by the frame API, each
    /// delivered and read before the next; virtual time moves `FRAME_STEP` per frame. Checks
    /// the bytes when `check`.
    pub(crate) fn frames(&mut self, first: u64, count: u64, frames: &[Arc<[u8]>], check: bool) {
        let check = Check {
            payload: None,
            frames: check.then_some(frames),
        };
        for n in first..first + count {
            self.now += FRAME_STEP;
            let frame = &frames[n as usize % frames.len()];
            self.a
                .write_frame(
                    self.now,
                    self.video,
                    self.vp8,
                    super::frame_timestamp(n),
                    frame,
                )
                .unwrap();
            self.settle(&check);
        }
    }

    /// Delivers everything both ways, reads every event, and fires the timers due at `now`
    /// (reports, transport-wide feedback), until nothing is left to do.
    fn settle(&mut self, check: &Check<'_>) {
        loop {
            self.exchange();
            self.drain_events(check);
            let due = |pc: &PeerConnection, now| pc.poll_timeout().is_some_and(|t| t <= now);
            let (a, b) = (due(&self.a, self.now), due(&self.b, self.now));
            if !(a || b) {
                return;
            }
            if a {
                self.a.handle_timeout(self.now);
                self.timeouts += 1;
            }
            if b {
                self.b.handle_timeout(self.now);
                self.timeouts += 1;
            }
        }
    }

    /// Moves datagrams both ways until neither side has one; whether any moved.
    fn exchange(&mut self) -> bool {
        let mut any = false;
        loop {
            let mut moved = false;
            while let Some(t) = self.a.poll_transmit(self.now, &mut self.buf) {
                moved = true;
                let contents = &self.buf[..t.size];
                self.received.datagrams_to_b += 1;
                self.received.rtp_to_b += u64::from(is_rtp(contents));
                let r = Receive {
                    proto: Protocol::Udp,
                    source: t.source,
                    destination: t.destination,
                    contents,
                };
                let _ = self.b.handle_receive(self.now, r);
            }
            while let Some(t) = self.b.poll_transmit(self.now, &mut self.buf) {
                moved = true;
                self.received.datagrams_to_a += 1;
                let r = Receive {
                    proto: Protocol::Udp,
                    source: t.source,
                    destination: t.destination,
                    contents: &self.buf[..t.size],
                };
                let _ = self.a.handle_receive(self.now, r);
            }
            if !moved {
                return any;
            }
            any = true;
        }
    }

    /// Reads both sides' events, counting (and checking) what `b` delivers, and gives every
    /// media buffer back.
    fn drain_events(&mut self, check: &Check<'_>) {
        while let Some(e) = self.b.poll_event() {
            match e {
                Event::Rtp(p) => {
                    self.received.packets += 1;
                    check.packet(&p.packet[p.payload.clone()]);
                    self.b.recycle_media(p.packet);
                }
                Event::Frame(f) => {
                    check.frame(self.received.frames, &f.data);
                    self.received.frames += 1;
                    self.b.recycle_media(f.data);
                }
                Event::Rtcp(buffer) => self.b.recycle_media(buffer),
                _ => {}
            }
        }
        while let Some(e) = self.a.poll_event() {
            match e {
                Event::Rtp(p) => self.a.recycle_media(p.packet),
                Event::Frame(f) => self.a.recycle_media(f.data),
                Event::Rtcp(buffer) => self.a.recycle_media(buffer),
                _ => {}
            }
        }
    }
}
