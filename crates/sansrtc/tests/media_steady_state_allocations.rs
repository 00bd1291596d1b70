//! Media through the whole PeerConnection path (protect, send, demultiplex, unprotect, route,
//! deliver) allocates nothing per packet in steady state, counted with dhat: two
//! PeerConnections in memory with audio and video negotiated, every event buffer given back
//! with `recycle_media`.
//!
//! - With time standing still (no RTCP due), 200 RTP packets by the RTP API and 20 frames by
//!   the frame API (10 packets each) allocate nothing at all. (Much longer and the log of
//!   arrivals that transport-wide feedback empties every 100 ms would grow: bounded, but
//!   growth.)
//! - With time running at 1 ms per packet for 10 s (reports, transport-wide feedback every
//!   100 ms), the allocations per packet are those of RTCP only, which go per report, not per
//!   packet; the figure is printed and bounded.
//!
//! Its own binary without libtest's harness (`harness = false`): dhat counts every thread.

use std::time::{Duration, Instant};

use sansrtc::{Direction, Event, MediaKind, PeerConnection, ReceiveMode, SdpType, TransceiverId};
use sansrtc_proto::SansIo;

mod common;

use common::settle;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary origin for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

fn blocks() -> u64 {
    dhat::HeapStats::get().total_blocks
}

/// Two connected PeerConnections with audio and video sendrecv; video received as frames by
/// `b`. Returns them with `a`'s transceivers and the Opus and VP8 payload types.
fn connected(
    now: &mut Instant,
) -> (
    PeerConnection,
    PeerConnection,
    TransceiverId,
    TransceiverId,
    u8,
    u8,
) {
    let mut a = PeerConnection::new(sansrtc::Config::default(), *now).unwrap();
    let mut b = PeerConnection::new(sansrtc::Config::default(), *now).unwrap();
    a.add_local_addresses(*now, &["10.0.0.1:5000".parse().unwrap()]);
    b.add_local_addresses(*now, &["10.0.0.2:5000".parse().unwrap()]);
    let audio = a.add_transceiver(MediaKind::Audio, Direction::SendRecv);
    let video = a.add_transceiver(MediaKind::Video, Direction::SendRecv);
    let offer = a.create_offer().unwrap();
    a.set_local_description(*now, SdpType::Offer, &offer)
        .unwrap();
    b.set_remote_description(*now, SdpType::Offer, &offer)
        .unwrap();
    for t in b.transceivers() {
        b.set_direction(t, Direction::SendRecv).unwrap();
        if b.transceiver(t).unwrap().kind == MediaKind::Video {
            b.set_receive_mode(t, ReceiveMode::Frames).unwrap();
        }
    }
    let answer = b.create_answer().unwrap();
    b.set_local_description(*now, SdpType::Answer, &answer)
        .unwrap();
    a.set_remote_description(*now, SdpType::Answer, &answer)
        .unwrap();
    for c in candidates(&mut a) {
        b.add_remote_candidate(*now, c).unwrap();
    }
    for c in candidates(&mut b) {
        a.add_remote_candidate(*now, c).unwrap();
    }
    let mut buf = Vec::with_capacity(2048);
    for _ in 0..2000 {
        settle(*now, &mut a, &mut b, &mut buf);
        drain(&mut a);
        drain(&mut b);
        if a.connection_state() == sansrtc::ConnectionState::Connected
            && b.connection_state() == sansrtc::ConnectionState::Connected
        {
            break;
        }
        *now += Duration::from_millis(5);
        for pc in [&mut a, &mut b] {
            if pc.poll_timeout().is_some_and(|t| t <= *now) {
                pc.handle_timeout(*now);
            }
        }
    }
    assert_eq!(a.connection_state(), sansrtc::ConnectionState::Connected);
    let pt = |name: &str, t: TransceiverId| {
        a.transceiver(t)
            .unwrap()
            .codecs
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
            .unwrap()
            .payload_type
    };
    let (opus, vp8) = (pt("opus", audio), pt("VP8", video));
    (a, b, audio, video, opus, vp8)
}

fn candidates(pc: &mut PeerConnection) -> Vec<sansrtc::Candidate> {
    std::iter::from_fn(|| pc.poll_event())
        .filter_map(|e| match e {
            Event::IceCandidate(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// Handles every event, giving media buffers back; returns RTP packets and frames seen.
fn drain(pc: &mut PeerConnection) -> (usize, usize) {
    let (mut packets, mut frames) = (0, 0);
    while let Some(event) = pc.poll_event() {
        match event {
            Event::Rtp(p) => {
                packets += 1;
                pc.recycle_media(p.packet);
            }
            Event::Frame(f) => {
                frames += 1;
                pc.recycle_media(f.data);
            }
            Event::Rtcp(c) => pc.recycle_media(c),
            _ => {}
        }
    }
    (packets, frames)
}

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut now = start();
    let (mut a, mut b, audio, video, opus, vp8) = connected(&mut now);
    let mut buf = Vec::with_capacity(2048);
    let payload = vec![0x5a; 1100];
    let mut frame = vec![0x11; 11_000];
    frame[..10].copy_from_slice(&[0x10, 0, 0, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]);
    let mut timestamp = 0u32;
    let mut round = |a: &mut PeerConnection, b: &mut PeerConnection, now: Instant, n: u32| {
        timestamp = timestamp.wrapping_add(960);
        a.write_rtp(now, audio, opus, timestamp, false, &payload[..160])
            .unwrap();
        if n.is_multiple_of(10) {
            a.write_frame(now, video, vp8, timestamp, &frame).unwrap();
        }
        settle(now, a, b, &mut buf);
        let got = drain(b);
        drain(a);
        got
    };
    // Warm up: pools, queues, the assembler's slots, the send history, with time running.
    for n in 0..3000 {
        now += Duration::from_millis(1);
        for pc in [&mut a, &mut b] {
            if pc.poll_timeout().is_some_and(|t| t <= now) {
                pc.handle_timeout(now);
            }
        }
        round(&mut a, &mut b, now, n);
    }
    // The same burst once unmeasured (the arrival log of transport-wide feedback grows to
    // it), then time running again, which empties that log but keeps its room.
    for n in 0..200 {
        round(&mut a, &mut b, now, n);
    }
    for n in 0..500 {
        now += Duration::from_millis(1);
        for pc in [&mut a, &mut b] {
            if pc.poll_timeout().is_some_and(|t| t <= now) {
                pc.handle_timeout(now);
            }
        }
        round(&mut a, &mut b, now, n);
    }
    // Time standing still: the packet path alone.
    let before = blocks();
    let (mut packets, mut frames) = (0, 0);
    for n in 0..200 {
        let (p, f) = round(&mut a, &mut b, now, n);
        packets += p;
        frames += f;
    }
    let still = blocks() - before;
    println!(
        "time still: {packets} RTP packets and {frames} frames (of 10 packets) delivered: {still} allocations"
    );
    assert_eq!(packets, 200);
    assert_eq!(frames, 20);
    assert_eq!(still, 0, "the packet path allocates nothing");
    // Time running: RTCP (reports, feedback) on top.
    let before = blocks();
    let mut sent = 0u64;
    for n in 0..10_000 {
        now += Duration::from_millis(1);
        for pc in [&mut a, &mut b] {
            if pc.poll_timeout().is_some_and(|t| t <= now) {
                pc.handle_timeout(now);
            }
        }
        round(&mut a, &mut b, now, n);
        sent += 1 + if n.is_multiple_of(10) { 10 } else { 0 };
    }
    let running = blocks() - before;
    let per_packet = running as f64 / sent as f64;
    println!(
        "time running 10 s: {sent} packets sent, {running} allocations ({per_packet:.4} per packet, all RTCP)"
    );
    assert!(per_packet < 0.05, "{per_packet} allocations per packet");
}
