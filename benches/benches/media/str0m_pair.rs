//! The str0m 0.24 side of the media bench, driven as the sansrtc side is: two `Rtc`s with one
//! host candidate each, an offer with one sendrecv video section, every datagram handed from
//! one's `Output::Transmit` straight to the other's `Input::Receive`, and time fed
//! (`Input::Timeout`) when the last `Output::Timeout` is due.
//!
//! In RTP mode (`RtcConfig::set_rtp_mode(true)` on both) packets go in through
//! `direct_api().stream_tx(ssrc).write_rtp` and come out as `Event::RtpPacket`; otherwise
//! frames go in through `writer(mid).write` and come out as `Event::MediaData`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{RtpWrite, Ssrc};
use str0m::{Candidate, Event, Input, Output, Rtc};

use super::{A, B, Check, FRAME_STEP, Received, STEP, is_rtp, sa};

/// A datagram waiting to be delivered: source, destination, contents.
type Datagram = (SocketAddr, SocketAddr, Vec<u8>);

/// One str0m peer and its next deadline.
struct Peer {
    /// The peer.
    rtc: Rtc,
    /// The last `Output::Timeout`.
    timeout: Instant,
}

impl Peer {
    /// A peer at `addr`, in RTP mode when `rtp_mode`.
    fn new(now: Instant, addr: &str, rtp_mode: bool) -> Self {
        let mut rtc = Rtc::builder().set_rtp_mode(rtp_mode).build(now);
        rtc.add_local_candidate(Candidate::host(sa(addr), "udp").unwrap());
        Self { rtc, timeout: now }
    }
}

/// Two connected str0m peers with one sendrecv video section; `a` sends to `b`.
pub(crate) struct Str0mMedia {
    /// The sender.
    a: Peer,
    /// The receiver.
    b: Peer,
    /// Virtual time.
    now: Instant,
    /// The video section.
    mid: Mid,
    /// VP8's payload type.
    vp8: Pt,
    /// `a`'s send stream (RTP mode).
    ssrc: Option<Ssrc>,
    /// Datagrams from `b` waiting for `a` (RTCP).
    to_a: Vec<Datagram>,
    /// The SRTP profile id the DTLS ServerHello carried (`use_srtp`).
    profile: Option<u16>,
    /// Inputs fed to either peer because its deadline had come.
    pub(crate) timeouts: u64,
    /// What `b` has delivered so far.
    pub(crate) received: Received,
}

impl Str0mMedia {
    /// Offer, answer, and run until both are connected; both in RTP mode when `rtp_mode`.
    pub(crate) fn connect(rtp_mode: bool) -> Self {
        let now = super::epoch();
        let mut a = Peer::new(now, A, rtp_mode);
        let mut b = Peer::new(now, B, rtp_mode);
        let mut change = a.rtc.sdp_api();
        let mid = change.add_media(MediaKind::Video, Direction::SendRecv, None, None, None);
        let (offer, pending) = change.apply().unwrap();
        let answer = b.rtc.sdp_api().accept_offer(offer).unwrap();
        a.rtc.sdp_api().accept_answer(pending, answer).unwrap();
        let vp8 = a
            .rtc
            .codec_config()
            .find(|p| p.spec().codec == Codec::Vp8)
            .expect("VP8")
            .pt();
        let mut p = Self {
            a,
            b,
            now,
            mid,
            vp8,
            ssrc: None,
            to_a: Vec::new(),
            profile: None,
            timeouts: 0,
            received: Received::default(),
        };
        let (mut a_up, mut b_up) = (false, false);
        let (mut to_a, mut to_b, mut events) = (Vec::new(), Vec::new(), Vec::new());
        drain(&mut p.a, &mut to_b, &mut events);
        drain(&mut p.b, &mut to_a, &mut events);
        for _ in 0..100_000 {
            if to_a.is_empty() && to_b.is_empty() {
                p.now = p.now.max(p.a.timeout.min(p.b.timeout));
                p.a.rtc.handle_input(Input::Timeout(p.now)).unwrap();
                drain(&mut p.a, &mut to_b, &mut events);
                a_up |= connected(&mut events);
                p.b.rtc.handle_input(Input::Timeout(p.now)).unwrap();
                drain(&mut p.b, &mut to_a, &mut events);
                b_up |= connected(&mut events);
            }
            for (source, destination, contents) in std::mem::take(&mut to_b) {
                p.profile = p.profile.or_else(|| super::use_srtp(&contents));
                receive(&mut p.b, p.now, source, destination, &contents);
                drain(&mut p.b, &mut to_a, &mut events);
                b_up |= connected(&mut events);
            }
            for (source, destination, contents) in std::mem::take(&mut to_a) {
                p.profile = p.profile.or_else(|| super::use_srtp(&contents));
                receive(&mut p.a, p.now, source, destination, &contents);
                drain(&mut p.a, &mut to_b, &mut events);
                a_up |= connected(&mut events);
            }
            if a_up && b_up && to_a.is_empty() && to_b.is_empty() {
                if rtp_mode {
                    let mut direct = p.a.rtc.direct_api();
                    p.ssrc = direct.stream_tx_by_mid(mid, None).map(|s| s.ssrc());
                }
                return p;
            }
        }
        panic!("str0m: not connected");
    }

    /// The SRTP profile its DTLS ServerHello chose.
    pub(crate) fn srtp_profile(&self) -> &'static str {
        self.profile
            .and_then(|id| sansrtc::srtp_profile_name(sansrtc::SrtpProfileId(id)))
            .unwrap_or("unknown")
    }

    /// Sends `count` packets of `payload` by the direct API, as the sansrtc side does
    /// (same timestamps, markers, virtual time); each is kept for NACK (`nackable`), as
    /// sansrtc keeps every video packet. Checks the payloads when `check`.
    pub(crate) fn rtp(&mut self, first: u64, count: u64, payload: &Arc<[u8]>, check: bool) {
        let ssrc = self.ssrc.expect("RTP mode");
        let check = Check {
            payload: check.then_some(&payload[..]),
            frames: None,
        };
        for n in first..first + count {
            self.now += STEP;
            let (timestamp, marker) = super::rtp_timing(n);
            let write = RtpWrite::new(
                self.vp8,
                (1000 + n).into(),
                timestamp,
                self.now,
                payload.clone(),
            )
            .marker(marker)
            .nackable(true);
            self.a
                .rtc
                .direct_api()
                .stream_tx(&ssrc)
                .unwrap()
                .write_rtp(write);
            self.settle(&check);
        }
    }

    /// Sends frames `first..first + count` of `frames` (cycled) through `writer().write`, as
    /// the sansrtc side does. Checks the bytes when `check`.
    pub(crate) fn frames(&mut self, first: u64, count: u64, frames: &[Arc<[u8]>], check: bool) {
        let check = Check {
            payload: None,
            frames: check.then_some(frames),
        };
        for n in first..first + count {
            self.now += FRAME_STEP;
            let frame = &frames[n as usize % frames.len()];
            let time = MediaTime::new(u64::from(super::frame_timestamp(n)), Frequency::NINETY_KHZ);
            self.a
                .rtc
                .writer(self.mid)
                .unwrap()
                .write(self.vp8, self.now, time, frame.clone())
                .unwrap();
            self.settle(&check);
        }
    }

    /// Drains both peers, delivers every datagram, and feeds the time to a peer whose
    /// deadline has come, until nothing is left to do.
    fn settle(&mut self, check: &Check<'_>) {
        loop {
            self.exchange(check);
            let now = self.now;
            let mut fed = false;
            for peer in [&mut self.a, &mut self.b] {
                if peer.timeout <= now {
                    peer.rtc.handle_input(Input::Timeout(now)).unwrap();
                    fed = true;
                    self.timeouts += 1;
                }
            }
            if !fed {
                return;
            }
        }
    }

    /// Polls `a` until its timeout, handing each datagram to `b` at once (and draining `b`),
    /// then delivers what `b` sent back; repeats until neither has anything.
    fn exchange(&mut self, check: &Check<'_>) {
        loop {
            loop {
                match self.a.rtc.poll_output().unwrap() {
                    Output::Timeout(t) => {
                        self.a.timeout = t;
                        break;
                    }
                    Output::Transmit(t) => {
                        self.received.datagrams_to_b += 1;
                        self.received.rtp_to_b += u64::from(is_rtp(&t.contents));
                        receive(&mut self.b, self.now, t.source, t.destination, &t.contents);
                        self.drain_b(check);
                    }
                    Output::Event(_) => {}
                }
            }
            self.drain_b(check);
            if self.to_a.is_empty() {
                return;
            }
            for (source, destination, contents) in std::mem::take(&mut self.to_a) {
                receive(&mut self.a, self.now, source, destination, &contents);
            }
        }
    }

    /// Polls `b` until its timeout: counts (and checks) the media it delivers, keeps what it
    /// sends for `a`.
    fn drain_b(&mut self, check: &Check<'_>) {
        loop {
            match self.b.rtc.poll_output().unwrap() {
                Output::Timeout(t) => {
                    self.b.timeout = t;
                    return;
                }
                Output::Transmit(t) => {
                    self.received.datagrams_to_a += 1;
                    self.to_a.push((t.source, t.destination, t.contents.into()));
                }
                Output::Event(Event::RtpPacket(p)) => {
                    check.packet(&p.payload);
                    self.received.packets += 1;
                }
                Output::Event(Event::MediaData(d)) => {
                    check.frame(self.received.frames, &d.data);
                    self.received.frames += 1;
                }
                Output::Event(_) => {}
            }
        }
    }
}

/// Feeds one datagram to `peer`.
fn receive(
    peer: &mut Peer,
    now: Instant,
    source: SocketAddr,
    destination: SocketAddr,
    contents: &[u8],
) {
    let r = Receive {
        proto: Protocol::Udp,
        source,
        destination,
        contents: contents.try_into().unwrap(),
    };
    peer.rtc.handle_input(Input::Receive(now, r)).unwrap();
}

/// Polls `peer` until its timeout, keeping datagrams and events (set-up only).
fn drain(peer: &mut Peer, out: &mut Vec<Datagram>, events: &mut Vec<Event>) {
    loop {
        match peer.rtc.poll_output().unwrap() {
            Output::Timeout(t) => {
                peer.timeout = t;
                return;
            }
            Output::Transmit(t) => out.push((t.source, t.destination, t.contents.into())),
            Output::Event(e) => events.push(e),
        }
    }
}

/// Whether `events` held `Event::Connected`; empties it.
fn connected(events: &mut Vec<Event>) -> bool {
    let up = events.iter().any(|e| matches!(e, Event::Connected));
    events.clear();
    up
}
