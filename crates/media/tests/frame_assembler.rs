//! The frame assembler with a minimal payload format (first byte: bit 0 starts a frame, bit 1
//! ends it): order restored, gaps waited for and then given up, loss inside a frame drops
//! the frame (never delivers it damaged), duplicates and late packets counted, the window
//! bounded, sequence numbers wrapping. A property test throws loss, reordering and
//! duplication at it and checks every frame that comes out is one that went in.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use sansrtc_media::{AssemblerConfig, DepacketizeError, Depacketizer, FrameAssembler, PushError};

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary origin for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

/// Flags byte then data; a frame's bytes are the concatenated data.
struct Flagged;

const START: u8 = 1;
const END: u8 = 2;
const KEY: u8 = 4;

impl Depacketizer for Flagged {
    fn is_frame_start(&self, payload: &[u8]) -> bool {
        payload.first().is_some_and(|b| b & START != 0)
    }
    fn is_frame_end(&self, payload: &[u8], _marker: bool) -> bool {
        payload.first().is_some_and(|b| b & END != 0)
    }
    fn is_keyframe(&self, payload: &[u8]) -> bool {
        payload.first().is_some_and(|b| b & KEY != 0)
    }
    fn depacketize(
        &mut self,
        payloads: &mut dyn Iterator<Item = &[u8]>,
        frame: &mut Vec<u8>,
    ) -> Result<(), DepacketizeError> {
        for p in payloads {
            frame.extend_from_slice(p.get(1..).ok_or(DepacketizeError::Truncated)?);
        }
        Ok(())
    }
}

/// One packet: sequence number, timestamp, payload.
type Packet = (u16, u32, Vec<u8>);

/// Splits frames into packets of at most `chunk` data bytes, numbered from `first_sequence`.
fn packetize(frames: &[(u32, Vec<u8>)], chunk: usize, first_sequence: u16) -> Vec<Packet> {
    let mut sequence = first_sequence;
    let mut out = Vec::new();
    for (timestamp, data) in frames {
        let pieces: Vec<&[u8]> = data.chunks(chunk).collect();
        for (i, piece) in pieces.iter().enumerate() {
            let mut flags = 0;
            if i == 0 {
                flags |= START;
            }
            if i == pieces.len() - 1 {
                flags |= END;
            }
            let mut payload = vec![flags];
            payload.extend_from_slice(piece);
            out.push((sequence, *timestamp, payload));
            sequence = sequence.wrapping_add(1);
        }
    }
    out
}

fn frames(count: u32, size: usize) -> Vec<(u32, Vec<u8>)> {
    (0..count)
        .map(|n| (n * 3000, (0..size).map(|i| (i as u32 + n) as u8).collect()))
        .collect()
}

/// Pushes `packets` at `now` and pops every frame ready then.
fn feed(
    assembler: &mut FrameAssembler<Flagged>,
    now: Instant,
    packets: &[Packet],
) -> Vec<(u32, Vec<u8>, bool)> {
    let mut out = Vec::new();
    let mut frame = Vec::new();
    for (sequence, timestamp, payload) in packets {
        let _ = assembler.push(now, *sequence, *timestamp, false, payload);
        while let Some(f) = assembler.pop_frame(now, &mut frame) {
            out.push((f.timestamp, frame.clone(), f.after_loss));
        }
    }
    out
}

/// An assembler that delivers the first frame at once (these tests push all at one instant).
fn assembler() -> FrameAssembler<Flagged> {
    FrameAssembler::new(Flagged, quick())
}

fn quick() -> AssemblerConfig {
    AssemblerConfig {
        startup_delay: Duration::ZERO,
        ..AssemblerConfig::default()
    }
}

#[test]
fn frames_in_order_come_out_whole_across_a_sequence_wrap() {
    let sent = frames(20, 5000);
    let packets = packetize(&sent, 1000, 65_530);
    let got = feed(&mut assembler(), start(), &packets);
    let expected: Vec<_> = sent.iter().map(|(t, d)| (*t, d.clone(), false)).collect();
    assert_eq!(got, expected);
}

#[test]
fn reordered_packets_give_the_same_frames() {
    let sent = frames(10, 3500);
    let mut packets = packetize(&sent, 1000, 100);
    // Swap neighbours and move every seventh packet three places later.
    for i in (0..packets.len() - 1).step_by(2) {
        packets.swap(i, i + 1);
    }
    for i in (0..packets.len() - 3).step_by(7) {
        let p = packets.remove(i);
        packets.insert(i + 3, p);
    }
    let got = feed(&mut assembler(), start(), &packets);
    let expected: Vec<_> = sent.iter().map(|(t, d)| (*t, d.clone(), false)).collect();
    assert_eq!(got, expected);
}

#[test]
fn a_frame_that_lost_a_packet_is_dropped_after_the_wait_and_the_next_one_says_so() {
    let t0 = start();
    let sent = frames(3, 3000);
    let mut packets = packetize(&sent, 1000, 0);
    packets.remove(4); // the middle packet of the second frame
    let mut a = assembler();
    let got = feed(&mut a, t0, &packets);
    assert_eq!(got, [(0, sent[0].1.clone(), false)], "waits for the gap");
    let mut frame = Vec::new();
    assert_eq!(
        a.pop_frame(t0 + Duration::from_millis(199), &mut frame),
        None
    );
    let third = a
        .pop_frame(t0 + Duration::from_millis(200), &mut frame)
        .unwrap();
    assert_eq!((third.timestamp, frame.as_slice()), (6000, &sent[2].1[..]));
    assert!(third.after_loss);
    assert_eq!(a.stats().frames_dropped, 1);
    assert_eq!(a.stats().frames_delivered, 2);
}

#[test]
fn a_retransmission_in_time_fills_the_gap() {
    let t0 = start();
    let sent = frames(3, 3000);
    let mut packets = packetize(&sent, 1000, 0);
    let lost = packets.remove(4);
    let mut a = assembler();
    feed(&mut a, t0, &packets);
    let got = feed(&mut a, t0 + Duration::from_millis(150), &[lost]);
    assert_eq!(
        got,
        [
            (3000, sent[1].1.clone(), false),
            (6000, sent[2].1.clone(), false)
        ]
    );
    assert_eq!(a.stats().frames_dropped, 0);
}

#[test]
fn duplicates_and_late_packets_are_counted_and_never_delivered_twice() {
    let sent = frames(2, 2000);
    let packets = packetize(&sent, 1000, 10);
    let mut a = assembler();
    let t0 = start();
    let mut got = feed(&mut a, t0, &packets[..2]);
    got.extend(feed(&mut a, t0, &packets[..2]));
    got.extend(feed(&mut a, t0, &packets[2..3]));
    got.extend(feed(&mut a, t0, &packets[2..]));
    assert_eq!(got.len(), 2);
    assert_eq!(a.stats().packets_late, 2);
    assert_eq!(a.stats().packets_duplicate, 1);
    assert_eq!(
        a.push(t0, 10, 0, false, &packets[0].2),
        Err(PushError::Late)
    );
}

#[test]
fn the_window_is_bounded_and_a_burst_past_it_gives_up_the_oldest_frames() {
    let t0 = start();
    let config = AssemblerConfig {
        max_packets: 64,
        ..quick()
    };
    let mut a = FrameAssembler::new(Flagged, config);
    let sent = frames(40, 3000);
    let mut packets = packetize(&sent, 1000, 0);
    packets.remove(1); // frame 0 is broken; its gap holds everything back
    let got = feed(&mut a, t0, &packets);
    // With a 64-packet window, the broken frame is given up once 64 more packets wait.
    assert_eq!(got.first().map(|g| (g.0, g.2)), Some((3000, true)));
    assert_eq!(got.len(), 39);
    assert_eq!(a.stats().frames_dropped, 1);
}

#[test]
fn oversized_payloads_and_frames_are_refused() {
    let t0 = start();
    let config = AssemblerConfig {
        max_payload: 100,
        max_frame_size: 150,
        ..quick()
    };
    let mut a = FrameAssembler::new(Flagged, config);
    assert_eq!(
        a.push(t0, 1, 0, false, &[START | END; 101]),
        Err(PushError::TooLarge)
    );
    let big = packetize(&[(0, vec![7; 160])], 80, 2);
    let small = packetize(&[(90, vec![8; 10])], 80, 4);
    let got = feed(&mut a, t0, &[big, small].concat());
    assert_eq!(got, [(90, vec![8; 10], true)]);
    assert_eq!(a.stats().packets_refused, 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Loss, reordering and duplication: every frame delivered is one that was sent, whole,
    /// in timestamp order; with no loss every frame comes out.
    #[test]
    fn frames_out_are_frames_in_never_damaged(
        sizes in proptest::collection::vec(1usize..6000, 1..60),
        chunk in 100usize..1200,
        first in any::<u16>(),
        loss in 0u32..20,
        seed in any::<u64>(),
    ) {
        let sent: Vec<(u32, Vec<u8>)> = sizes
            .iter()
            .enumerate()
            .map(|(n, &size)| {
                let n = n as u32;
                (n * 3000, (0..size).map(|i| (i as u32 * 31 + n) as u8).collect())
            })
            .collect();
        let mut packets = packetize(&sent, chunk, first);
        let mut state = seed | 1;
        let mut rand = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut network = Vec::new();
        for p in packets.drain(..) {
            if (rand() % 100) < u64::from(loss) {
                continue;
            }
            if rand() % 10 == 0 {
                network.push(p.clone());
            }
            network.push(p);
        }
        // Local reordering: shift some packets a few places.
        for i in 0..network.len() {
            let j = (i + (rand() % 5) as usize).min(network.len() - 1);
            network.swap(i, j);
        }
        // The default start: 20 ms for packets that overtook the first one.
        let t0 = start();
        let mut a = FrameAssembler::new(Flagged, AssemblerConfig::default());
        let mut got = Vec::new();
        let mut frame = Vec::new();
        for (n, (sequence, timestamp, payload)) in network.iter().enumerate() {
            let now = t0 + Duration::from_millis(n as u64);
            let _ = a.push(now, *sequence, *timestamp, false, payload);
            while let Some(f) = a.pop_frame(now, &mut frame) {
                got.push((f.timestamp, frame.clone()));
            }
        }
        let end = t0 + Duration::from_secs(10);
        while let Some(f) = a.pop_frame(end, &mut frame) {
            got.push((f.timestamp, frame.clone()));
        }
        let by_timestamp: BTreeMap<u32, &Vec<u8>> = sent.iter().map(|(t, d)| (*t, d)).collect();
        for (timestamp, data) in &got {
            prop_assert_eq!(Some(&data), by_timestamp.get(timestamp));
        }
        prop_assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "in order");
        if loss == 0 {
            prop_assert_eq!(got.len(), sent.len());
        }
    }
}

#[test]
fn the_first_frame_waits_for_packets_that_it_overtook() {
    let t0 = start();
    let sent = frames(3, 500);
    let mut packets = packetize(&sent, 1000, 40);
    packets.swap(0, 2); // the third frame's packet comes first
    let mut a = FrameAssembler::new(Flagged, AssemblerConfig::default());
    let mut frame = Vec::new();
    a.push(t0, packets[0].0, packets[0].1, false, &packets[0].2)
        .unwrap();
    assert_eq!(a.pop_frame(t0, &mut frame), None, "the start waits");
    let later = t0 + Duration::from_millis(5);
    for (sequence, timestamp, payload) in &packets[1..] {
        a.push(later, *sequence, *timestamp, false, payload)
            .unwrap();
    }
    assert_eq!(a.pop_frame(later, &mut frame), None);
    let mut got = Vec::new();
    let start_over = t0 + Duration::from_millis(20);
    while let Some(f) = a.pop_frame(start_over, &mut frame) {
        got.push((f.timestamp, frame.clone()));
    }
    assert_eq!(got, sent, "all three, in order");
}
