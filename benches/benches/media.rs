//! Media through the whole PeerConnection path (issue 19): protect, send, ICE/DTLS/SRTP
//! demultiplex, unprotect, route, deliver. Two peers back to back in memory on one core, one
//! sending and one receiving, with sansrtc and str0m 0.24 driven the same way in the same
//! run; and the SRTP floor under both, so each figure reads as a ratio to it.
//!
//! - `media_rtp/sansrtc`: two `PeerConnection`s with one video transceiver each (sendrecv,
//!   VP8), connected (ICE, DTLS 1.2, AEAD_AES_128_GCM), 200 packets of warm-up, then 1,000
//!   packets per iteration of 1,100-byte payloads: `write_rtp` → `poll_transmit` →
//!   `handle_receive` → `poll_event` (`Event::Rtp`) → `recycle_media`. Throughput is packets.
//! - `media_rtp/sansrtc_aes256`: the same with AEAD_AES_256_GCM only offered, the profile
//!   str0m ends up with (its DTLS stack, dimpl, prefers AES-256-GCM as the server and offers
//!   all three profiles as the client, with no setting to change either).
//! - `media_rtp/str0m`: str0m in RTP mode on both sides (`set_rtp_mode(true)`), the same
//!   video section by offer and answer, the same packets through
//!   `direct_api().stream_tx(ssrc).write_rtp(..)` → `poll_output` → `handle_input` →
//!   `Event::RtpPacket`.
//! - `media_rtp/srtp_floor` and `media_rtp/srtp_floor_aes256`: protect and unprotect of the
//!   same packet (12-byte header, 1,100-byte payload) with two `sansrtc_srtp::Context`s of the
//!   profile, configured as the PeerConnection configures its own, the plain packet copied in
//!   first as the PeerConnection copies the payload.
//! - `media_frames/sansrtc` and `media_frames/str0m`: 100 VP8 frames of 11,000 bytes per
//!   iteration (a key frame every 30), about 10 packets each, through the frame API
//!   (`write_frame` and `ReceiveMode::Frames` events; str0m's `writer(mid).write` and
//!   `Event::MediaData`, str0m not in RTP mode). Throughput is frames; packets per second
//!   are printed after the group.
//!
//! How both are driven. Per packet (per frame), virtual time moves 100 µs (1 ms) forward,
//! the packet (frame) is written, then every datagram is delivered both ways (the receiver's
//! RTCP back to the sender as well), every event read, and a peer whose deadline has come is
//! given the time (`handle_timeout` when `poll_timeout` ≤ now; str0m: `Input::Timeout` when
//! its last `Output::Timeout` ≤ now), until nothing is left. So receiver reports and
//! transport-wide feedback run at their own pace on both, and no time passes while a packet
//! is in flight. No sleeps. Every packet is counted at the receiver each iteration, and the
//! first iteration of each row checks the bytes.
//!
//! Differences. In str0m's favour: str0m takes payloads as `Arc<[u8]>` and is given one shared
//! `Arc` (no copy, no allocation per packet), where sansrtc copies from a slice; and sansrtc's
//! offer always carries a data channel section, so its SCTP association runs alongside (asked
//! for packets whenever the media queue is empty), where str0m's has none. Neutral: both
//! hand each datagram to the peer by reference; str0m writes the sequence numbers the
//! application gives (RTP mode), sansrtc numbers its own; str0m's packets are marked
//! `nackable` because sansrtc keeps every video packet for retransmission. str0m 0.24 runs on
//! its pure-Rust crypto backend (RustCrypto `aes-gcm`), sansrtc on ring; the floor rows are
//! sansrtc-srtp's. str0m only moves time on `Input::Timeout`, and sends what it was given only
//! after one (its send queue is stamped when time moves): after each write and each received
//! packet its deadline comes back as the current instant, so both of its sides are fed the
//! time once per packet, where sansrtc needs `handle_timeout` only when a report or feedback
//! is due; the counts are printed.
//!
//! `cargo bench -p sansrtc-benches --bench media`
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sansrtc::SrtpProfileId;
use sansrtc_dtls::identity::Identity;
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "media/sansrtc_pair.rs"]
mod sansrtc_pair;
#[path = "media/str0m_pair.rs"]
mod str0m_pair;

use sansrtc_pair::SansrtcMedia;
use str0m_pair::Str0mMedia;

/// The sender's address.
const A: &str = "10.0.0.1:5000";
/// The receiver's address.
const B: &str = "10.0.0.2:5000";
/// RTP payload bytes per packet.
const PAYLOAD: usize = 1100;
/// Packets per iteration of the RTP rows.
const PACKETS: u64 = 1000;
/// Packets sent before timing starts.
const WARM_UP: u64 = 200;
/// Bytes per frame of the frame rows.
const FRAME_SIZE: usize = 11_000;
/// Frames per iteration of the frame rows.
const FRAMES: u64 = 100;
/// Frames sent before timing starts.
const FRAME_WARM_UP: u64 = 30;
/// Virtual time per packet (10,000 packets a second: 88 Mbit/s of payload).
const STEP: Duration = Duration::from_micros(100);
/// Virtual time per frame (about ten packets).
const FRAME_STEP: Duration = Duration::from_millis(1);

/// An arbitrary origin for virtual time.
#[expect(
    clippy::disallowed_methods,
    reason = "benches pick a real epoch for virtual time and time themselves"
)]
fn epoch() -> Instant {
    Instant::now()
}

/// A socket address from its text.
fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Two certificates, made once for every connection of the run.
fn identities() -> (Arc<Identity>, Arc<Identity>) {
    (
        Arc::new(Identity::generate().unwrap()),
        Arc::new(Identity::generate().unwrap()),
    )
}

/// The RTP timestamp and marker of packet `n` of the RTP rows: ten packets a frame at 30
/// frames a second (90 kHz clock), the marker on each frame's last.
fn rtp_timing(n: u64) -> (u32, bool) {
    ((n / 10 * 3000) as u32, n % 10 == 9)
}

/// The RTP timestamp of frame `n` (30 frames a second, 90 kHz clock).
fn frame_timestamp(n: u64) -> u32 {
    (n * 3000) as u32
}

/// Whether a datagram is RTP (not STUN, DTLS or RTCP: RFC 7983, RFC 5761 §4).
fn is_rtp(d: &[u8]) -> bool {
    d.len() >= 12 && (128..=191).contains(&d[0]) && !(64..=95).contains(&(d[1] & 0x7f))
}

/// The SRTP profile a DTLS 1.2 ServerHello in `d` chose: its `use_srtp` extension (RFC 5764
/// §4.1.1) with exactly one profile and no MKI.
fn use_srtp(d: &[u8]) -> Option<u16> {
    if d.first() != Some(&22) {
        return None;
    }
    d.windows(9)
        .find(|w| w[..6] == [0x00, 0x0e, 0x00, 0x05, 0x00, 0x02] && w[8] == 0)
        .map(|w| u16::from_be_bytes([w[6], w[7]]))
}

/// A VP8 frame of `size` bytes: a key frame header (RFC 6386 §9.1: P=0 and the start code)
/// when `key`, numbered content after it.
fn vp8_frame(n: u32, size: usize, key: bool) -> Vec<u8> {
    let mut frame: Vec<u8> = (0..size).map(|i| (i as u32 * 7 + n) as u8).collect();
    frame[0] = if key { 0x10 } else { 0x11 };
    if key {
        frame[3..6].copy_from_slice(&[0x9d, 0x01, 0x2a]);
    }
    frame
}

/// What the receiver must deliver, when checking.
#[derive(Clone, Copy, Default)]
struct Check<'a> {
    /// The payload of every packet.
    payload: Option<&'a [u8]>,
    /// The frames sent, cycled: the k-th frame delivered is `frames[k % len]`.
    frames: Option<&'a [Arc<[u8]>]>,
}

impl Check<'_> {
    /// Checks one delivered packet payload.
    fn packet(&self, got: &[u8]) {
        if let Some(want) = self.payload {
            assert_eq!(got, want, "payload as sent");
        }
    }

    /// Checks the `index`-th delivered frame.
    fn frame(&self, index: u64, got: &[u8]) {
        if let Some(frames) = self.frames {
            let want = &frames[index as usize % frames.len()];
            assert!(got == &want[..], "frame {index} as sent");
        }
    }
}

/// What one side has seen so far.
#[derive(Debug, Default, Clone, Copy)]
struct Received {
    /// Datagrams from sender to receiver (RTP, and RTCP and STUN).
    datagrams_to_b: u64,
    /// RTP datagrams from sender to receiver.
    rtp_to_b: u64,
    /// Datagrams from receiver to sender (RTCP, STUN).
    datagrams_to_a: u64,
    /// RTP packets the receiver delivered.
    packets: u64,
    /// Frames the receiver delivered.
    frames: u64,
}

/// The payload of the RTP rows (a VP8 payload descriptor byte, then numbered bytes).
fn payload() -> Arc<[u8]> {
    let mut p: Vec<u8> = (0..PAYLOAD).map(|i| (i * 13) as u8).collect();
    p[0] = 0x10;
    p.into()
}

/// The frames of the frame rows: 30, the first a key frame.
fn frames() -> Vec<Arc<[u8]>> {
    (0..30)
        .map(|n| vp8_frame(n, FRAME_SIZE, n == 0).into())
        .collect()
}

/// The RTP rows: sansrtc with each GCM profile, str0m, and the SRTP floor of each.
fn rtp(c: &mut Criterion) {
    let ids = identities();
    let payload = payload();
    let mut group = c.benchmark_group("media_rtp");
    group.throughput(Throughput::Elements(PACKETS));
    for (name, profile) in [
        ("sansrtc", SrtpProfileId::AEAD_AES_128_GCM),
        ("sansrtc_aes256", SrtpProfileId::AEAD_AES_256_GCM),
    ] {
        let mut p = SansrtcMedia::connect(&ids, profile, false);
        p.rtp(0, WARM_UP, &payload, true);
        assert_eq!(
            p.received.packets, WARM_UP,
            "{name}: every packet delivered"
        );
        let (mut next, mut first) = (WARM_UP, true);
        group.bench_function(name, |b| {
            b.iter(|| {
                let before = p.received.packets;
                p.rtp(next, PACKETS, &payload, first);
                first = false;
                next += PACKETS;
                assert_eq!(p.received.packets - before, PACKETS, "{name}: every packet");
            });
        });
        note(name, p.srtp_profile(), &p.received, p.timeouts);
    }
    {
        let mut p = Str0mMedia::connect(true);
        p.rtp(0, WARM_UP, &payload, true);
        assert_eq!(p.received.packets, WARM_UP, "str0m: every packet delivered");
        let (mut next, mut first) = (WARM_UP, true);
        group.bench_function("str0m", |b| {
            b.iter(|| {
                let before = p.received.packets;
                p.rtp(next, PACKETS, &payload, first);
                first = false;
                next += PACKETS;
                assert_eq!(p.received.packets - before, PACKETS, "str0m: every packet");
            });
        });
        note("str0m", p.srtp_profile(), &p.received, p.timeouts);
    }
    for (name, profile) in [
        ("srtp_floor", sansrtc_srtp::Profile::AeadAes128Gcm),
        ("srtp_floor_aes256", sansrtc_srtp::Profile::AeadAes256Gcm),
    ] {
        let mut floor = Floor::new(profile);
        group.bench_function(name, |b| b.iter(|| floor.run(PACKETS)));
    }
    group.finish();
}

/// Prints, once per row, what went over the wire besides the media.
fn note(name: &str, profile: &str, r: &Received, timeouts: u64) {
    println!(
        "media {name}: SRTP {profile}; {} datagrams to the receiver ({} RTP), {} back; {} \
         packets and {} frames delivered; {timeouts} timeouts fed",
        r.datagrams_to_b, r.rtp_to_b, r.datagrams_to_a, r.packets, r.frames
    );
}

/// Two SRTP contexts of one profile and a packet: the crypto under the media path.
struct Floor {
    /// The sender's context.
    tx: sansrtc_srtp::Context,
    /// The receiver's context.
    rx: sansrtc_srtp::Context,
    /// The plain packet: 12-byte header, 1,100-byte payload.
    plain: Vec<u8>,
    /// The working buffer.
    buffer: Vec<u8>,
    /// The next sequence number.
    sequence: u16,
}

impl Floor {
    /// Contexts configured as the PeerConnection configures its session.
    fn new(profile: sansrtc_srtp::Profile) -> Self {
        let key: Vec<u8> = (0..profile.key_len() as u8).collect();
        let salt: Vec<u8> = (0..profile.salt_len() as u8).map(|b| b ^ 0xa5).collect();
        let master = sansrtc_srtp::MasterKey::new(profile, &key, &salt).unwrap();
        let config = sansrtc_srtp::Config {
            allow_repeat_tx: true,
            replay_window: 1024,
            ..sansrtc_srtp::Config::default()
        };
        let mut plain = vec![0x80, 96, 0, 0, 0, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe];
        plain.extend_from_slice(&payload());
        Self {
            tx: sansrtc_srtp::Context::new(&master, config).unwrap(),
            rx: sansrtc_srtp::Context::new(&master, config).unwrap(),
            plain,
            buffer: Vec::with_capacity(2048),
            sequence: 0,
        }
    }

    /// Protects and unprotects `count` packets, each with the next sequence number.
    fn run(&mut self, count: u64) {
        for _ in 0..count {
            self.buffer.clear();
            self.buffer.extend_from_slice(&self.plain);
            self.buffer[2..4].copy_from_slice(&self.sequence.to_be_bytes());
            self.sequence = self.sequence.wrapping_add(1);
            self.tx.protect_rtp(black_box(&mut self.buffer)).unwrap();
            let len = self.rx.unprotect_rtp(black_box(&mut self.buffer)).unwrap();
            assert_eq!(len, self.plain.len());
        }
    }
}

/// Wall time and packets spent in a frame row's timed iterations.
#[derive(Default)]
struct Tally {
    /// Time in the routine.
    elapsed: Duration,
    /// Frames sent in it.
    frames: u64,
    /// RTP packets they took.
    packets: u64,
}

impl Tally {
    /// Prints packets per second and per frame.
    fn print(&self, name: &str) {
        let seconds = self.elapsed.as_secs_f64();
        println!(
            "media_frames/{name}: {:.2} packets per frame, {:.0} packets/s, {:.0} frames/s \
             (mean over every timed iteration, warm-up included)",
            self.packets as f64 / self.frames as f64,
            self.packets as f64 / seconds,
            self.frames as f64 / seconds,
        );
    }
}

/// The frame rows: sansrtc and str0m.
fn frame_rows(c: &mut Criterion) {
    let ids = identities();
    let frames = frames();
    let mut group = c.benchmark_group("media_frames");
    group.throughput(Throughput::Elements(FRAMES));
    let mut p = SansrtcMedia::connect(&ids, SrtpProfileId::AEAD_AES_128_GCM, true);
    p.frames(0, FRAME_WARM_UP, &frames, true);
    assert_eq!(p.received.frames, FRAME_WARM_UP, "sansrtc: every frame");
    let (mut next, mut first, mut tally) = (FRAME_WARM_UP, true, Tally::default());
    group.bench_function("sansrtc", |b| {
        b.iter_custom(|iters| {
            let began = epoch();
            let before = p.received;
            for _ in 0..iters {
                p.frames(next, FRAMES, &frames, first);
                first = false;
                next += FRAMES;
            }
            let elapsed = began.elapsed();
            assert_eq!(p.received.frames - before.frames, iters * FRAMES);
            tally.elapsed += elapsed;
            tally.frames += iters * FRAMES;
            tally.packets += p.received.rtp_to_b - before.rtp_to_b;
            elapsed
        });
    });
    note("frames sansrtc", p.srtp_profile(), &p.received, p.timeouts);
    tally.print("sansrtc");

    let mut p = Str0mMedia::connect(false);
    p.frames(0, FRAME_WARM_UP, &frames, true);
    assert_eq!(p.received.frames, FRAME_WARM_UP, "str0m: every frame");
    let (mut next, mut first, mut tally) = (FRAME_WARM_UP, true, Tally::default());
    group.bench_function("str0m", |b| {
        b.iter_custom(|iters| {
            let began = epoch();
            let before = p.received;
            for _ in 0..iters {
                p.frames(next, FRAMES, &frames, first);
                first = false;
                next += FRAMES;
            }
            let elapsed = began.elapsed();
            assert_eq!(p.received.frames - before.frames, iters * FRAMES);
            tally.elapsed += elapsed;
            tally.frames += iters * FRAMES;
            tally.packets += p.received.rtp_to_b - before.rtp_to_b;
            elapsed
        });
    });
    note("frames str0m", p.srtp_profile(), &p.received, p.timeouts);
    tally.print("str0m");
    group.finish();
}

criterion_group!(benches, rtp, frame_rows);
criterion_main!(benches);
